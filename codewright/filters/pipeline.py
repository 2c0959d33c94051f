"""filtered_code on Spark: the rules in a fixed order, every removal kept with its reason.

Order (the first rule that removes a row names it):
  license -> exact_duplicate -> near_duplicate -> document rules (codewright.filters.rules)
Dedup runs before the per-document rules because it is cheap per row and shrinks what the
expensive parse check sees; a cluster's survivor is chosen by a deterministic rule (permissive
license, then stars, then the smallest doc_id), never by Spark's row order.

DataFrame API only (pandas UDFs for Python), so the same code runs on Spark Connect.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field

import pandas as pd
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from codewright.licenses import PERMISSIVE_LICENSES
from codewright.schema import STACK_COLUMNS
from codewright.storage import is_remote


@dataclass
class FilterConfig:
    allow_unlicensed: bool = False  # keep repositories with no detectable license
    near_dedup: bool = True
    near_dedup_threshold: float = 0.7
    num_perm: int = 256


@dataclass
class FilterOutcome:
    rows_in: int
    kept: int
    removed: int
    bytes_in: int
    bytes_kept: int
    by_reason: list[dict]  # reason, lang, rows, bytes (reason "kept" for survivors)
    seconds_by_step: dict[str, float] = field(default_factory=dict)
    near_dedup: dict = field(default_factory=dict)


def _permissive(allow_unlicensed: bool):
    lic = F.col("max_stars_repo_licenses")
    ok = F.arrays_overlap(lic, F.array(*[F.lit(x) for x in sorted(PERMISSIVE_LICENSES)]))
    if allow_unlicensed:
        ok = ok | (F.coalesce(F.size(lic), F.lit(0)) <= 0)
    return F.coalesce(ok, F.lit(False))


def _survivor_order():
    """Deterministic preference within a duplicate cluster (the first row survives)."""
    permissive = F.arrays_overlap(
        F.col("max_stars_repo_licenses"), F.array(*[F.lit(x) for x in sorted(PERMISSIVE_LICENSES)])
    )
    return [
        F.coalesce(permissive, F.lit(False)).desc(),
        F.col("max_stars_count").desc_nulls_last(),
        F.col("doc_id").asc(),
        F.col("max_stars_repo_name").asc(),
        F.col("max_stars_repo_path").asc(),
    ]


@F.pandas_udf(StringType())
def _document_reason(content: pd.Series, lang: pd.Series, ext: pd.Series, path: pd.Series,
                     avg: pd.Series, longest: pd.Series, alnum: pd.Series) -> pd.Series:
    from codewright.filters.rules import Document, first_reason

    return pd.Series(
        [
            first_reason(Document(c or "", l or "", e or "", p or "", float(a), int(m), float(n)))
            for c, l, e, p, a, m, n in zip(content, lang, ext, path, avg, longest, alnum)
        ],
        dtype=object,
    )


def _removed(df: DataFrame, reason, duplicate_of=None) -> DataFrame:
    return df.select(
        *STACK_COLUMNS,
        (reason if not isinstance(reason, str) else F.lit(reason)).alias("reason"),
        (duplicate_of if duplicate_of is not None else F.lit(None).cast("string")).alias("duplicate_of"),
    )


def filter_code(spark: SparkSession, raw_path: str, out_dir: str, work_dir: str,
                cfg: FilterConfig | None = None, log=print) -> FilterOutcome:
    """Read raw_stack_shards at `raw_path`; write kept rows to `out_dir`, removed to `_removed`."""
    cfg = cfg or FilterConfig()
    work = f"{work_dir.rstrip('/')}/filtered_code-{uuid.uuid4().hex[:8]}"
    timings: dict[str, float] = {}

    def step(name: str):
        timings[name] = time.perf_counter()

    def done(name: str):
        timings[name] = time.perf_counter() - timings[name]
        log(f"filtered_code: {name} done in {timings[name]:.1f}s")

    try:
        raw = spark.read.parquet(raw_path).select(*STACK_COLUMNS)

        # 1. license allow-list, 2. exact duplicates of whitespace-normalised content.
        step("license+exact_duplicate")
        norm_hash = F.sha2(F.trim(F.regexp_replace("content", r"\s+", " ")), 256)
        window = Window.partitionBy("_norm_hash").orderBy(*_survivor_order())
        licensed = raw.withColumn("_ok", _permissive(cfg.allow_unlicensed))
        ranked = (
            licensed.filter(F.col("_ok"))
            .withColumn("_norm_hash", norm_hash)
            .withColumn("_rank", F.row_number().over(window))
            .withColumn("_first", F.first("doc_id").over(window))
        )
        unlicensed = (
            licensed.filter(~F.col("_ok"))
            .withColumn("_norm_hash", F.lit(None).cast("string"))
            .withColumn("_rank", F.lit(None).cast("int"))
            .withColumn("_first", F.lit(None).cast("string"))
        )
        ranked.unionByName(unlicensed).write.mode("overwrite").parquet(f"{work}/stage1")
        stage1 = spark.read.parquet(f"{work}/stage1")
        survivors = stage1.filter(F.col("_ok") & (F.col("_rank") == 1)).select(*STACK_COLUMNS)
        done("license+exact_duplicate")

        # 3. near duplicates (MinHash LSH) among the exact-dedup survivors.
        near_info: dict = {}
        if cfg.near_dedup:
            step("near_duplicate")
            near_info = _near_dedup(spark, survivors, f"{work}/near", cfg)
            near = spark.read.parquet(f"{work}/near")
            done("near_duplicate")
        else:
            near = spark.createDataFrame([], "doc_id string, duplicate_of string")

        # 4. per-document rules, on what dedup left.
        step("document_rules")
        unique = survivors.join(near.select("doc_id"), "doc_id", "left_anti")
        (
            unique.withColumn(
                "reason",
                _document_reason("content", "lang", "ext", "max_stars_repo_path",
                                 "avg_line_length", "max_line_length", "alphanum_fraction"),
            ).write.mode("overwrite").parquet(f"{work}/rules")
        )
        ruled = spark.read.parquet(f"{work}/rules")
        done("document_rules")

        step("write")
        ruled.filter(F.col("reason").isNull()).select(*STACK_COLUMNS).write.mode("overwrite").parquet(out_dir)
        removed = (
            _removed(stage1.filter(~F.col("_ok")), "license")
            .unionByName(_removed(stage1.filter(F.col("_ok") & (F.col("_rank") > 1)),
                                  "exact_duplicate", F.col("_first")))
            .unionByName(_removed(survivors.join(near, "doc_id"), "near_duplicate", F.col("duplicate_of")))
            .unionByName(_removed(ruled.filter(F.col("reason").isNotNull()), F.col("reason")))
        )
        removed.write.mode("overwrite").parquet(f"{out_dir}/_removed")
        done("write")

        return _outcome(spark, raw_path, out_dir, timings, near_info)
    finally:
        if not is_remote(work):
            shutil.rmtree(work, ignore_errors=True)


def _near_dedup(spark: SparkSession, survivors: DataFrame, out: str, cfg: FilterConfig) -> dict:
    from codewright.near_dedup import find_near_duplicates

    result = find_near_duplicates(survivors, threshold=cfg.near_dedup_threshold,
                                  num_perm=cfg.num_perm, checkpoint_dir=f"{out}_checkpoints")
    result.duplicates.select("doc_id", "duplicate_of").write.mode("overwrite").parquet(out)
    info = {
        "bands": result.bands, "rows": result.rows, "threshold": cfg.near_dedup_threshold,
        "documents": result.documents, "clusters": result.components, "removed": result.removed,
        "candidate_pairs": result.candidate_pairs, "similar_pairs": result.similar_pairs,
        "without_tokens": result.without_tokens, "removed_by_lang": dict(result.removed_by_lang),
        "largest_clusters": list(result.largest_clusters),
    }
    return info


def _outcome(spark, raw_path, out_dir, timings, near_info) -> FilterOutcome:
    raw = spark.read.parquet(raw_path)
    kept = spark.read.parquet(out_dir)
    removed = spark.read.parquet(f"{out_dir}/_removed")
    rows_in, bytes_in = raw.agg(F.count("*"), F.coalesce(F.sum("size"), F.lit(0))).first()
    table = (
        kept.select(F.lit("kept").alias("reason"), "lang", "size")
        .unionByName(removed.select("reason", "lang", "size"))
        .groupBy("reason", "lang")
        .agg(F.count("*").alias("rows"), F.sum("size").alias("bytes"))
        .orderBy("reason", F.desc("rows"), "lang")
        .collect()
    )
    by_reason = [r.asDict() for r in table]
    kept_rows = sum(r["rows"] for r in by_reason if r["reason"] == "kept")
    kept_bytes = sum(r["bytes"] or 0 for r in by_reason if r["reason"] == "kept")
    removed_rows = sum(r["rows"] for r in by_reason if r["reason"] != "kept")
    if kept_rows + removed_rows != rows_in:
        raise RuntimeError(
            f"filtered_code: rows in ({rows_in}) != kept ({kept_rows}) + removed ({removed_rows}); "
            "a rule lost or duplicated rows"
        )
    return FilterOutcome(rows_in, kept_rows, removed_rows, int(bytes_in), int(kept_bytes),
                         by_reason, timings, near_info)
