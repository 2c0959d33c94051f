"""raw_stack_shards: code files in The Stack's schema, from local trees, Parquet or the hub."""


from typing import Optional

import dagster as dg

from assets.metadata import counter_table
from codewright.sources.ingest import DEFAULT_HUB_DATASET, IngestConfig, ingest
from codewright.storage import replace_dir
from resources.storage import StorageResource


class RawStackShardsConfig(dg.Config):
    source: str = "local"  # `local`, `parquet` or `hub`
    paths: list[str] = []
    dataset: str = DEFAULT_HUB_DATASET
    data_dirs: list[str] = []
    max_files: Optional[int] = None


@dg.asset(group_name="data", kinds={"python", "parquet"})
def raw_stack_shards(context: dg.AssetExecutionContext, config: RawStackShardsConfig,
                     storage: StorageResource) -> dg.MaterializeResult:
    """Source files in The Stack's columns plus a content-hash `doc_id`, as Parquet shards.

    `source: local` walks `paths` (each folder one repository, license from its LICENSE file);
    with no paths it reads the embedded default corpus: this Python's standard library and
    every installed distribution (license from its metadata). `parquet` reads Stack-schema
    files; `hub` streams a hub dataset (default bigcode/the-stack-dedup) over `data_dirs`.
    Inputs that cannot be used (over 1 MB, binary, not UTF-8, not a known language) go to
    `_rejected/` with a reason.
    """
    cfg = IngestConfig(source=config.source, paths=config.paths, dataset=config.dataset,
                       data_dirs=config.data_dirs, max_files=config.max_files)
    with replace_dir(storage.path("raw_stack_shards")) as out:
        stats = ingest(cfg, out, progress=lambda s: context.log.info(
            f"raw_stack_shards: {s.files_seen} inputs seen, {s.rows} rows, {s.rejected_total} rejected"))
    context.log.info(f"raw_stack_shards: {stats.rows} rows, {stats.rejected_total} rejected "
                     f"({dict(stats.rejected)}) in {stats.seconds:.1f}s")
    return dg.MaterializeResult(
        metadata={
            "files_seen": stats.files_seen,
            "rows": stats.rows,
            "rejected": stats.rejected_total,
            "bytes": dg.MetadataValue.int(stats.bytes),
            "repositories": len(stats.repositories),
            "unlicensed_repositories": dg.MetadataValue.text(
                ", ".join(sorted(stats.unlicensed_repositories)[:50]) or "none"),
            "shards": len(stats.shards),
            "MB_per_s": round(stats.bytes / 1e6 / max(stats.seconds, 1e-9), 2),
            "rows_by_language": dg.MetadataValue.md(
                counter_table(("language", "rows", "bytes"), stats.rows_by_lang, stats.bytes_by_lang)),
            "rejected_by_reason": dg.MetadataValue.md(counter_table(("reason", "inputs"), stats.rejected)),
            "path": dg.MetadataValue.path(storage.path("raw_stack_shards")),
        }
    )
