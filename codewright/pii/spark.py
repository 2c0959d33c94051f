"""pii_scrubbed_code on Spark: scan once, send back only what changed, join it in.

    changes = scan_changes(df)        # one row per document with a finding or a scan error
    kept, findings, removed = apply_changes(df, changes)
    scrub_dataframe(df) -> (kept, findings)   # the lazy pair, for callers that compose frames

Most documents hold no PII. The scan (`mapInArrow` over doc_id, lang, content) returns rows
only for the documents it changed or could not scan, so unchanged content never travels back
from Python, and nothing but those few rows is written twice. The kept output is the input
joined with the changes on `doc_id` (a broadcast join while the changes are small).

`write_scrubbed` is the stage: it writes the changes once under the work folder (the scan
never runs again for each output), then kept rows (Stack schema, same `doc_id`),
`_findings/` (doc_id, kind, start, end — never the secret) and `_removed/` (a document whose
scan raised, with `reason` = pii_scan_error). Rows in = kept + removed, checked on the files
written. The input is read twice, so it should be cheap to read again (a Parquet scan).

DataFrame API only (mapInArrow), so the same code runs on Spark Connect.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from codewright.schema import STACK_COLUMNS
from codewright.storage import is_remote

SCAN_ERROR = "pii_scan_error"
_CHANGES_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("lang", pa.string()),
    ("content", pa.string()),
    ("size", pa.int64()),
    ("avg_line_length", pa.float64()),
    ("max_line_length", pa.int64()),
    ("alphanum_fraction", pa.float64()),
    ("kinds", pa.list_(pa.string())),
    ("starts", pa.list_(pa.int64())),
    ("ends", pa.list_(pa.int64())),
    ("error", pa.string()),
])
_CHANGES_DDL = (
    "doc_id string, lang string, content string, size bigint, avg_line_length double, "
    "max_line_length bigint, alphanum_fraction double, kinds array<string>, starts array<bigint>, "
    "ends array<bigint>, error string"
)
_RECOMPUTED = ("content", "size", "avg_line_length", "max_line_length", "alphanum_fraction")


def _scan_one(text) -> dict | None:
    """The change a document needs: None when it holds nothing to scrub."""
    from codewright.pii import scrub
    from codewright.schema import line_stats

    if text is None:
        return None
    try:
        out, findings = scrub(text)
    except Exception as exc:  # one bad document must not sink the stage: it is counted, removed
        return {"kinds": [], "starts": [], "ends": [], "error": f"{type(exc).__name__}: {exc}"[:500]}
    if not findings:
        return None
    avg, longest, alnum = line_stats(out)
    return {
        "content": out,
        "size": len(out.encode("utf-8", "surrogatepass")),
        "avg_line_length": avg,
        "max_line_length": longest,
        "alphanum_fraction": alnum,
        "kinds": [f.kind for f in findings],
        "starts": [f.start for f in findings],
        "ends": [f.end for f in findings],
        "error": None,
    }


def _scan_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        ids = batch.column("doc_id").to_pylist()
        langs = batch.column("lang").to_pylist()
        rows = []
        for doc, lang, text in zip(ids, langs, batch.column("content").to_pylist()):
            change = _scan_one(text)
            if change is not None:
                rows.append({"doc_id": doc, "lang": lang, **change})
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=_CHANGES_SCHEMA)


def scan_changes(df: DataFrame) -> DataFrame:
    """One row per document of `df` that scrubbing changes (scrubbed content, recomputed line
    statistics, findings as kinds/starts/ends) or whose scan raised (`error`). Lazy."""
    source = df.select(
        F.col("doc_id").cast("string"), F.col("lang").cast("string"), F.col("content").cast("string")
    )
    return source.mapInArrow(_scan_batches, _CHANGES_DDL)


def apply_changes(df: DataFrame, changes: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(kept rows in the Stack schema, findings doc_id/kind/start/end, removed rows + reason).

    `doc_id` is a hash of the content, so rows that share it share their change: the changes
    are deduplicated by doc_id before the join, which then never multiplies rows."""
    change = changes.dropDuplicates(["doc_id"]).select(
        "doc_id", *[F.col(c).alias(f"_{c}") for c in (*_RECOMPUTED, "error")]
    )
    joined = df.join(change, "doc_id", "left")
    ok = F.col("_error").isNull()
    kept = joined.where(ok).select(
        *[F.coalesce(F.col(f"_{c}"), F.col(c)).alias(c) if c in _RECOMPUTED else F.col(c) for c in STACK_COLUMNS]
    )
    removed = joined.where(~ok).select(*STACK_COLUMNS, F.lit(SCAN_ERROR).alias("reason"), F.col("_error").alias("error"))
    findings = (
        changes.dropDuplicates(["doc_id"])
        .where(F.col("error").isNull())
        .select("doc_id", F.explode(F.arrays_zip("kinds", "starts", "ends")).alias("f"))
        .select("doc_id", F.col("f.kinds").alias("kind"), F.col("f.starts").alias("start"), F.col("f.ends").alias("end"))
    )
    return kept, findings, removed


def scrub_dataframe(df: DataFrame) -> tuple[DataFrame, DataFrame]:
    """df in the Stack schema -> (scrubbed rows in the same schema, findings doc_id/kind/start/end).

    Lazy: each action on either frame reruns the scan. The stage uses write_scrubbed instead."""
    kept, findings, _ = apply_changes(df, scan_changes(df))
    return kept, findings


@dataclass
class PiiOutcome:
    rows_in: int
    kept: int
    removed: int
    documents_with_findings: int
    findings: int
    by_kind_and_language: list[dict] = field(default_factory=list)  # kind, lang, findings, documents


def write_scrubbed(df: DataFrame, out: str, work_dir: str) -> PiiOutcome:
    """Scan `df` once (its changes to `work_dir`), write kept rows to `out`, `out/_findings`,
    `out/_removed`.

    After the scan, the small jobs (counts, summary, findings, removed) run from driver
    threads beside the big one (kept rows): Spark schedules concurrent jobs, so their fixed
    costs (planning, code generation, task launch) overlap instead of adding up. The writes
    into `out/_…` wait for the kept rows, whose overwrite of `out` would remove them."""
    spark = df.sparkSession
    scan_path = f"{work_dir.rstrip('/')}/pii_scan-{uuid.uuid4().hex[:8]}"
    try:
        scan_changes(df).write.mode("overwrite").parquet(scan_path)
        changes = spark.read.parquet(scan_path)
        kept, findings, removed = apply_changes(df, changes)
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="pii-stage") as pool:
            summary_job = pool.submit(_summarise, changes)
            rows_in_job = pool.submit(df.count)
            kept.write.mode("overwrite").parquet(out)
            findings_job = pool.submit(findings.write.mode("overwrite").parquet, f"{out}/_findings")
            summary = summary_job.result()
            if summary["errors"] == 0:  # the usual case: no second pass over the input for nothing
                removed = spark.createDataFrame([], removed.schema)
            removed_job = pool.submit(removed.write.mode("overwrite").parquet, f"{out}/_removed")
            written = spark.read.parquet(out).count()  # from the Parquet footers
            rows_in = rows_in_job.result()
            findings_job.result()
            removed_job.result()
            removed_rows = spark.read.parquet(f"{out}/_removed").count()
    finally:
        if not is_remote(scan_path):
            shutil.rmtree(scan_path, ignore_errors=True)
    outcome = PiiOutcome(
        rows_in=rows_in,
        kept=written,
        removed=removed_rows,  # rows, as written: a failed doc_id may stand on several rows
        documents_with_findings=summary["documents"],
        findings=summary["findings"],
        by_kind_and_language=summary["by_kind_and_language"],
    )
    if outcome.rows_in != outcome.kept + outcome.removed:
        raise RuntimeError(f"pii_scrubbed_code lost rows: {outcome.rows_in} in, {outcome.kept} kept, {outcome.removed} removed")
    return outcome


def _summarise(changes: DataFrame) -> dict:
    """Counts from the (small) changes in one job: scan errors, documents with findings,
    findings, and findings/documents by kind x language."""
    per_doc = changes.dropDuplicates(["doc_id"])
    exploded = per_doc.select(
        "doc_id",
        "lang",
        F.col("error").isNotNull().alias("failed"),
        F.explode_outer(F.when(F.col("error").isNull(), F.col("kinds"))).alias("kind"),
    )
    rows = (
        exploded.rollup("kind", "lang")
        .agg(
            F.count("kind").alias("findings"),
            F.countDistinct(F.when(F.col("kind").isNotNull(), F.col("doc_id"))).alias("documents"),
            F.countDistinct(F.when(F.col("failed"), F.col("doc_id"))).alias("errors"),
            F.grouping_id().alias("level"),
        )
        .collect()
    )
    total = next((r for r in rows if r["level"] == 3), None)
    by = sorted(
        ({"kind": r["kind"], "lang": r["lang"], "findings": r["findings"], "documents": r["documents"]}
         for r in rows if r["level"] == 0 and r["kind"] is not None),
        key=lambda r: (-r["findings"], r["kind"], r["lang"] or ""),
    )
    return {
        "errors": int(total["errors"]) if total else 0,
        "documents": int(total["documents"]) if total else 0,
        "findings": int(total["findings"]) if total else 0,
        "by_kind_and_language": by,
    }


def rescan_sample(df: DataFrame, n: int = 500, seed: int = 0) -> dict:
    """Scan up to `n` random rows of already scrubbed output again; anything found is a leak.

    Returns sampled, documents_with_findings, findings, by_kind and up to 20 examples as
    (doc_id, kind, start, end) — never the text."""
    rows = df.count()
    fraction = min(1.0, 2.0 * n / rows) if rows else 1.0
    sample = df.sample(withReplacement=False, fraction=fraction, seed=seed).limit(n).select("doc_id", "lang", "content")
    sample = sample.cache()
    try:
        sampled = sample.count()
        leaks = scan_changes(sample).select("doc_id", "kinds", "starts", "ends", "error").collect()
    finally:
        sample.unpersist()
    by_kind: dict[str, int] = {}
    examples = []
    for row in leaks:
        for kind, start, end in zip(row["kinds"], row["starts"], row["ends"]):
            by_kind[kind] = by_kind.get(kind, 0) + 1
            examples.append((row["doc_id"], kind, start, end))
        if row["error"]:
            by_kind[SCAN_ERROR] = by_kind.get(SCAN_ERROR, 0) + 1
    return {
        "sampled": sampled,
        "documents_with_findings": len(leaks),
        "findings": sum(by_kind.values()),
        "by_kind": by_kind,
        "examples": examples[:20],
    }
