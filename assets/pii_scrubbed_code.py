"""pii_scrubbed_code: emails, IP addresses, keys and passwords replaced by placeholders — on Spark."""

import dagster as dg
from dagster_pyspark import PySparkResource

from assets.metadata import md_table
from codewright.pii.spark import rescan_sample, write_scrubbed
from codewright.storage import replace_dir
from resources.storage import StorageResource

RESCAN_SAMPLE = 500  # documents the blocking check scans again


@dg.asset(deps=["filtered_code"], group_name="data", kinds={"spark", "parquet"})
def pii_scrubbed_code(context: dg.AssetExecutionContext, spark: PySparkResource,
                      storage: StorageResource) -> dg.MaterializeResult:
    """filtered_code with every email, IP address, key and password replaced by `<EMAIL>`,
    `<IP_ADDRESS>`, `<KEY>` or `<PASSWORD>` (codewright.pii.scrub in a mapInArrow scan). Same columns
    and `doc_id` as filtered_code, line statistics recomputed. `_findings/` lists where each
    finding was (doc_id, kind, start, end — never the secret); a document whose scan fails goes
    to `_removed/` with reason `pii_scan_error`. Rows in = kept + removed, checked on every run."""
    source = spark.spark_session.read.parquet(storage.path("filtered_code"))
    with replace_dir(storage.path("pii_scrubbed_code")) as out:
        outcome = write_scrubbed(source, out, storage.work_dir)
    by_kind: dict[str, int] = {}
    for row in outcome.by_kind_and_language:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["findings"]
    context.log.info(f"pii_scrubbed_code: {outcome.rows_in} in, {outcome.kept} kept, "
                     f"{outcome.removed} removed; findings {by_kind}")
    return dg.MaterializeResult(metadata={
        "rows_in": outcome.rows_in,
        "rows_kept": outcome.kept,
        "rows_removed": outcome.removed,
        "documents_with_findings": outcome.documents_with_findings,
        "findings": outcome.findings,
        "findings_by_kind": dg.MetadataValue.json(by_kind),
        "findings_by_kind_and_language": dg.MetadataValue.md(md_table(
            ("kind", "language", "findings", "documents"),
            [(r["kind"], r["lang"] or "?", r["findings"], r["documents"]) for r in outcome.by_kind_and_language])),
        "path": dg.MetadataValue.path(storage.path("pii_scrubbed_code")),
    })


@dg.asset_check(asset=pii_scrubbed_code, blocking=True)
def pii_scrubbed_code_is_clean(spark: PySparkResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Scans a random sample of the scrubbed output again: any email, IP address, key or
    password still there fails the check and blocks everything downstream."""
    result = rescan_sample(spark.spark_session.read.parquet(storage.path("pii_scrubbed_code")),
                           n=RESCAN_SAMPLE)
    return dg.AssetCheckResult(
        passed=result["findings"] == 0,
        metadata={
            "documents_sampled": result["sampled"],
            "documents_with_findings": result["documents_with_findings"],
            "findings_by_kind": dg.MetadataValue.json(result["by_kind"]),
            "examples": dg.MetadataValue.md(md_table(("doc_id", "kind", "start", "end"), result["examples"])),
        },
    )


PII_ASSETS = [pii_scrubbed_code]
PII_CHECKS = [pii_scrubbed_code_is_clean]
