"""pii_scrubbed_code on Spark: one pandas UDF pass over the content, written once, split three ways.

    scanned  = scan_dataframe(df)        # scrubbed columns + _kinds/_starts/_ends/_error
    kept, findings, removed = split(scanned)
    scrub_dataframe(df) -> (kept, findings)   # the lazy pair, for callers that compose frames

`write_scrubbed` is the stage: it materialises the scan once under the work folder, so the UDF
never runs again for each output, then writes kept rows (Stack schema, same `doc_id`),
`_findings/` (doc_id, kind, start, end — never the secret) and `_removed/` (a document whose
scan raised, with `reason` = pii_scan_error). Rows in = kept + removed, checked.

DataFrame API only (pandas UDFs), so the same code runs on Spark Connect.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from codewright.schema import STACK_COLUMNS
from codewright.storage import is_remote

SCAN_ERROR = "pii_scan_error"
# A StructType, not a DDL string: parsing DDL needs a live session at import time.
_SCAN_TYPE = T.StructType([
    T.StructField("content", T.StringType()),
    T.StructField("kinds", T.ArrayType(T.StringType())),
    T.StructField("starts", T.ArrayType(T.LongType())),
    T.StructField("ends", T.ArrayType(T.LongType())),
    T.StructField("error", T.StringType()),
    T.StructField("size", T.LongType()),
    T.StructField("avg_line_length", T.DoubleType()),
    T.StructField("max_line_length", T.LongType()),
    T.StructField("alphanum_fraction", T.DoubleType()),
])
_RECOMPUTED = ("content", "size", "avg_line_length", "max_line_length", "alphanum_fraction")


def _scan_one(text: str | None) -> tuple:
    from codewright.pii import scrub
    from codewright.schema import line_stats

    if text is None:  # nothing to scrub; the row keeps its own statistics
        return (None, [], [], [], None, None, None, None, None)
    try:
        out, findings = scrub(text)
        if not findings:
            # Most files hold no PII: send nothing back, so the row keeps its own content and
            # statistics (coalesce in scan_dataframe) without a second trip through Arrow.
            return (None, [], [], [], None, None, None, None, None)
        avg, longest, alnum = line_stats(out)
        return (
            out,
            [f.kind for f in findings],
            [f.start for f in findings],
            [f.end for f in findings],
            None,
            len(out.encode("utf-8", "surrogatepass")),
            avg,
            longest,
            alnum,
        )
    except Exception as exc:  # one bad document must not sink the stage: it is counted, removed
        return (None, [], [], [], f"{type(exc).__name__}: {exc}"[:500], None, None, None, None)


@F.pandas_udf(_SCAN_TYPE)
def _scan_udf(content: pd.Series) -> pd.DataFrame:
    return pd.DataFrame([_scan_one(text) for text in content], columns=_SCAN_TYPE.names)


def scan_dataframe(df: DataFrame) -> DataFrame:
    """`df` (Stack schema) with content and line statistics scrubbed, plus `_kinds`, `_starts`,
    `_ends` (the findings) and `_error`. One content column only: a removed row keeps its
    original content, a kept row its scrubbed one. Lazy — materialise it once."""
    pii = _scan_udf(F.col("content"))  # Spark evaluates the UDF once per row, however often referenced
    scanned = df.withColumn("_pii", pii)
    return scanned.select(
        *[
            F.coalesce(F.col(f"_pii.{c}"), F.col(c)).alias(c) if c in _RECOMPUTED else F.col(c)
            for c in STACK_COLUMNS
        ],
        *[F.col(f"_pii.{c}").alias(f"_{c}") for c in ("kinds", "starts", "ends", "error")],
    )


def split(scanned: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(kept rows in the Stack schema, findings doc_id/kind/start/end, removed rows + reason)."""
    ok = F.col("_error").isNull()
    kept = scanned.where(ok).select(*STACK_COLUMNS)
    findings = (
        scanned.where(ok & (F.size("_kinds") > 0))
        .select("doc_id", F.explode(F.arrays_zip("_kinds", "_starts", "_ends")).alias("f"))
        .select(
            "doc_id",
            F.col("f._kinds").alias("kind"),
            F.col("f._starts").alias("start"),
            F.col("f._ends").alias("end"),
        )
    )
    removed = scanned.where(~ok).select(
        *STACK_COLUMNS, F.lit(SCAN_ERROR).alias("reason"), F.col("_error").alias("error")
    )
    return kept, findings, removed


def scrub_dataframe(df: DataFrame) -> tuple[DataFrame, DataFrame]:
    """df in the Stack schema -> (scrubbed rows in the same schema, findings doc_id/kind/start/end).

    Lazy: each action on either frame reruns the UDF. The stage uses write_scrubbed instead."""
    kept, findings, _ = split(scan_dataframe(df))
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
    """Scan `df` once (to `work_dir`), write kept rows to `out`, `out/_findings`, `out/_removed`."""
    spark = df.sparkSession
    scan_path = f"{work_dir.rstrip('/')}/pii_scan-{uuid.uuid4().hex[:8]}"
    try:
        scan_dataframe(df).write.mode("overwrite").parquet(scan_path)
        scanned = spark.read.parquet(scan_path)
        kept, findings, removed = split(scanned)
        kept.write.mode("overwrite").parquet(out)
        findings.write.mode("overwrite").parquet(f"{out}/_findings")
        removed.write.mode("overwrite").parquet(f"{out}/_removed")
        outcome = _outcome(scanned)
    finally:
        if not is_remote(scan_path):
            shutil.rmtree(scan_path, ignore_errors=True)
    if outcome.rows_in != outcome.kept + outcome.removed:
        raise RuntimeError(f"pii_scrubbed_code lost rows: {outcome.rows_in} in, {outcome.kept} kept, {outcome.removed} removed")
    return outcome


def _outcome(scanned: DataFrame) -> PiiOutcome:
    totals = scanned.select(
        F.count(F.lit(1)).alias("rows_in"),
        F.sum(F.col("_error").isNotNull().cast("long")).alias("removed"),
        F.sum((F.size("_kinds") > 0).cast("long")).alias("documents_with_findings"),
        F.sum(F.size("_kinds")).alias("findings"),
    ).first()
    by = (
        scanned.select("doc_id", "lang", F.explode("_kinds").alias("kind"))
        .groupBy("kind", "lang")
        .agg(F.count(F.lit(1)).alias("findings"), F.countDistinct("doc_id").alias("documents"))
        .orderBy(F.desc("findings"), "kind", "lang")
        .collect()
    )
    rows_in, removed = int(totals["rows_in"] or 0), int(totals["removed"] or 0)
    return PiiOutcome(
        rows_in=rows_in,
        kept=rows_in - removed,
        removed=removed,
        documents_with_findings=int(totals["documents_with_findings"] or 0),
        findings=int(totals["findings"] or 0),
        by_kind_and_language=[row.asDict() for row in by],
    )


def rescan_sample(df: DataFrame, n: int = 500, seed: int = 0) -> dict:
    """Scan up to `n` random rows of already scrubbed output again; anything found is a leak.

    Returns sampled, documents_with_findings, findings, by_kind and up to 20 examples as
    (doc_id, kind, start, end) — never the text."""
    rows = df.count()
    fraction = min(1.0, 2.0 * n / rows) if rows else 1.0
    sample = df.sample(withReplacement=False, fraction=fraction, seed=seed).limit(n)
    scanned = (
        sample.withColumn("_pii", _scan_udf(F.col("content")))
        .select("doc_id", "_pii.kinds", "_pii.starts", "_pii.ends", "_pii.error")
        .cache()
    )
    try:
        sampled = scanned.count()
        leaks = scanned.where((F.size("kinds") > 0) | F.col("error").isNotNull()).collect()
    finally:
        scanned.unpersist()
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
