"""filtered_code: license allow-list, exact and near dedup, quality heuristics, parse check,
decontamination — on Spark."""


import dagster as dg
from dagster_pyspark import PySparkResource

from assets.metadata import md_table
from codewright.filters.pipeline import FilterConfig, filter_code
from codewright.storage import replace_dir
from resources.storage import StorageResource


class FilteredCodeConfig(dg.Config):
    allow_unlicensed: bool = False
    near_dedup: bool = True
    near_dedup_threshold: float = 0.7


@dg.asset(deps=["raw_stack_shards"], group_name="data", kinds={"spark", "parquet"})
def filtered_code(context: dg.AssetExecutionContext, config: FilteredCodeConfig,
                  spark: PySparkResource, storage: StorageResource) -> dg.MaterializeResult:
    """The raw rows worth training on. Rules run in a fixed order and the first that removes a
    row names it in `_removed/` (`reason`, and `duplicate_of` for duplicates): license,
    exact_duplicate, near_duplicate, then the per-document rules (empty, line-length and
    alphanumeric heuristics, auto-generated, minified, encoded data, parse check, HumanEval
    contamination). Rows in = kept + removed, checked on every run."""
    cfg = FilterConfig(allow_unlicensed=config.allow_unlicensed, near_dedup=config.near_dedup,
                       near_dedup_threshold=config.near_dedup_threshold)
    with replace_dir(storage.path("filtered_code")) as out:
        outcome = filter_code(spark.spark_session, storage.path("raw_stack_shards"), out,
                              storage.work_dir, cfg, log=context.log.info)
    reasons: dict[str, list[int]] = {}
    for row in outcome.by_reason:
        agg = reasons.setdefault(row["reason"], [0, 0])
        agg[0] += row["rows"]
        agg[1] += row["bytes"] or 0
    metadata = {
        "rows_in": outcome.rows_in,
        "rows_kept": outcome.kept,
        "rows_removed": outcome.removed,
        "bytes_in": outcome.bytes_in,
        "bytes_kept": outcome.bytes_kept,
        "removed_by_reason": dg.MetadataValue.md(md_table(
            ("reason", "rows", "bytes"), sorted(((r, *v) for r, v in reasons.items()), key=lambda x: -x[1]))),
        "by_reason_and_language": dg.MetadataValue.md(md_table(
            ("reason", "language", "rows", "bytes"),
            [(r["reason"], r["lang"], r["rows"], r["bytes"] or 0) for r in outcome.by_reason])),
        "seconds_by_step": dg.MetadataValue.json({k: round(v, 2) for k, v in outcome.seconds_by_step.items()}),
        "path": dg.MetadataValue.path(storage.path("filtered_code")),
    }
    if outcome.near_dedup:
        metadata.update(near_dedup_metadata(outcome.near_dedup, outcome.by_reason))
    context.log.info(f"filtered_code: {outcome.rows_in} in, {outcome.kept} kept, "
                     f"{outcome.removed} removed: {reasons}")
    return dg.MaterializeResult(metadata=metadata)


def near_dedup_metadata(nd: dict, by_reason: list[dict]) -> dict:
    """b x r, clusters, removal rate by language and the ten largest clusters, for the UI."""
    rows_by_lang: dict[str, int] = {}
    for row in by_reason:
        if row["reason"] not in ("license", "exact_duplicate"):
            rows_by_lang[row["lang"]] = rows_by_lang.get(row["lang"], 0) + row["rows"]
    rates = [(lang, removed, rows_by_lang.get(lang, 0), removed / max(rows_by_lang.get(lang, 0), 1))
             for lang, removed in sorted(nd["removed_by_lang"].items(), key=lambda kv: -kv[1])]
    clusters = [(c["size"], c["survivor"], ", ".join(c["paths"][:5]))
                for c in nd["largest_clusters"]]
    return {
        "near_dedup_bands_x_rows": f"{nd['bands']} x {nd['rows']} (Jaccard threshold {nd['threshold']})",
        "near_dedup_clusters": nd["clusters"],
        "near_dedup_removed": nd["removed"],
        "near_dedup_candidate_pairs": nd["candidate_pairs"],
        "near_dedup_removal_by_language": dg.MetadataValue.md(
            md_table(("language", "removed", "rows after exact dedup", "rate"), rates)),
        "near_dedup_largest_clusters": dg.MetadataValue.md(
            md_table(("size", "survivor", "members (first 5)"), clusters)),
    }
