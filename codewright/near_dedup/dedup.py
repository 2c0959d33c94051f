"""find_near_duplicates: MinHash LSH near-dedup of a Stack-schema DataFrame.

    documents --mapInArrow--> tokens, MinHash signature, b band keys per document
              --posexplode bands, star per bucket--> candidate pairs
              --signature agreement >= threshold--> similar pairs
              --connected components--> clusters --survivor rule--> duplicates

DataFrame API only (no RDDs, no monotonically_increasing_id), so it runs on Spark Connect.
The result depends only on the documents: every step is a function of doc_id and content,
ties are broken by doc_id, so survivors do not depend on partitioning.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from functools import partial

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from codewright.licenses import PERMISSIVE_LICENSES
from codewright.near_dedup.components import LOCAL_EDGE_LIMIT, connected_components
from codewright.near_dedup.lsh import candidate_pairs, optimal_bands, scored_pairs
from codewright.near_dedup.minhash import SIGNATURE_DDL, signature_batches

REQUIRED_COLUMNS = (
    "doc_id", "content", "lang", "max_stars_repo_path", "max_stars_repo_licenses", "max_stars_count",
)
# Columns carried next to the signatures, so that picking survivors needs no second pass
# over the input (whose lineage may include the exact-dedup shuffle).
_CARRIED_DDL = "doc_id string, lang string, path string, permissive boolean, stars bigint"


@dataclass
class NearDedupResult:
    duplicates: DataFrame  # doc_id, duplicate_of (the survivor's doc_id): one row per removed doc
    clusters: DataFrame  # component, survivor, survivor_path, size, paths: one row per cluster
    pairs: DataFrame  # src, dst, similarity (signature agreement): every candidate pair
    bands: int
    rows: int
    threshold: float
    num_perm: int
    ngram: int
    documents: int  # rows of the input
    without_tokens: int  # documents with no token: no shingle, never near-duplicates
    short: int  # documents with 1..ngram-1 tokens: one shingle, their whole token sequence
    candidate_pairs: int  # distinct (document, bucket root) pairs from the bands
    similar_pairs: int  # candidate pairs whose signatures agree on >= verification_cutoff()
    components: int  # clusters of near-duplicates (size >= 2)
    removed: int
    rounds: int  # connected-components rounds (0: solved on the driver)
    removed_by_lang: dict[str, int] = field(default_factory=dict)
    largest_clusters: list[dict] = field(default_factory=list)  # ten largest: size, paths


def _materializer(checkpoint_dir: str | None):
    """A function that computes a DataFrame once and returns one with a short lineage.

    Without `checkpoint_dir`: `localCheckpoint(eager=True)`, which needs no configuration on
    classic Spark and on Spark Connect (>= 4.0) alike; blocks live on the executors, so a lost
    executor fails the job. With `checkpoint_dir` (shared storage on a cluster, a folder the
    caller owns and deletes): a Parquet write and read, which survives executor loss and needs
    no `spark.checkpoint.dir` (reliable `checkpoint()` on Connect does). The returned frames
    read from that folder, so it must outlive them.
    """
    run_dir = f"{checkpoint_dir.rstrip('/')}/near_dedup-{uuid.uuid4().hex[:8]}" if checkpoint_dir else None

    def materialize(frame: DataFrame, name: str) -> DataFrame:
        if run_dir is None:
            return frame.localCheckpoint(eager=True)
        path = f"{run_dir}/{name}"
        frame.write.mode("overwrite").parquet(path)
        return frame.sparkSession.read.parquet(path)

    return materialize


def _signed(df: DataFrame, ngram: int, num_perm: int, seed: int, bands: int, rows: int) -> DataFrame:
    permissive = F.coalesce(
        F.arrays_overlap(
            "max_stars_repo_licenses", F.array(*[F.lit(x) for x in sorted(PERMISSIVE_LICENSES)])
        ),
        F.lit(False),
    )
    name = F.col("max_stars_repo_name") if "max_stars_repo_name" in df.columns else F.lit(None)
    carried = df.select(
        F.col("doc_id").cast("string"),
        F.col("lang").cast("string"),
        # repo/path, for people reading the largest clusters.
        F.concat_ws("/", name, F.col("max_stars_repo_path")).alias("path"),
        permissive.alias("permissive"),
        F.coalesce(F.col("max_stars_count").cast("bigint"), F.lit(0)).alias("stars"),
        F.col("content").cast("string"),
    )
    body = partial(signature_batches, ngram=ngram, num_perm=num_perm, seed=seed, bands=bands, rows=rows)
    return carried.mapInArrow(body, f"{_CARRIED_DDL}, {SIGNATURE_DDL}")


def verification_cutoff(threshold: float, num_perm: int, sigmas: float = 2.0) -> float:
    """Lowest signature agreement accepted as a near-duplicate pair for a Jaccard threshold."""
    return threshold - sigmas * math.sqrt(threshold * (1.0 - threshold) / num_perm)


# LSH proposes, verification decides. A band false positive costs one comparison of two
# signatures and is then rejected; a band false negative is a duplicate lost for good. So the
# bands are tuned, by the same FP + FN area minimisation as datasketch's, for the lowest
# similarity verification accepts, with false negatives weighted 4x (datasketch's weights
# argument). At 0.7 / 256 permutations: 36 x 7 instead of 25 x 10, P(candidate) at Jaccard 0.7
# 0.96 instead of 0.51; at 0.72, 0.98 instead of 0.62.
LSH_WEIGHTS = (0.2, 0.8)  # (false positive, false negative)


def lsh_parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) for a Jaccard threshold, given verification at verification_cutoff()."""
    return optimal_bands(verification_cutoff(threshold, num_perm), num_perm, *LSH_WEIGHTS)


def find_near_duplicates(
    df: DataFrame,
    *,
    threshold: float = 0.7,
    num_perm: int = 256,
    ngram: int = 5,
    seed: int = 42,
    checkpoint_dir: str | None = None,
    bands: int | None = None,
    rows: int | None = None,
    local_components_limit: int = LOCAL_EDGE_LIMIT,
) -> NearDedupResult:
    """Near-duplicate clusters of `df` (Stack columns, doc_id unique) and who survives each.

    Survivor per cluster: a permissively licensed document first, then the most stars, then
    the smallest doc_id. `bands` x `rows` default to lsh_parameters(threshold, num_perm).
    Up to `local_components_limit` similar pairs, connected components run on the driver
    (components.py; 0 = always the DataFrame rounds).
    Returned DataFrames are materialized (cheap to reuse).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"find_near_duplicates: input DataFrame lacks columns {missing}")
    if (bands is None) != (rows is None):
        raise ValueError("find_near_duplicates: give both bands and rows, or neither")
    if bands is None:
        bands, rows = lsh_parameters(threshold, num_perm)
    elif bands < 1 or rows < 1 or bands * rows > num_perm:
        raise ValueError(f"find_near_duplicates: bands x rows = {bands} x {rows} needs 1..{num_perm} MinHash values")
    materialize = _materializer(checkpoint_dir)

    signed = materialize(_signed(df, ngram, num_perm, seed, bands, rows), "signatures")
    totals = signed.agg(
        F.count(F.lit(1)).alias("documents"),
        F.countDistinct("doc_id").alias("distinct"),
        F.coalesce(F.sum((F.col("tokens") == 0).cast("int")), F.lit(0)).alias("without_tokens"),
        F.coalesce(F.sum(F.col("tokens").between(1, ngram - 1).cast("int")), F.lit(0)).alias("short"),
    ).first()
    if totals["distinct"] != totals["documents"]:
        repeated = signed.groupBy("doc_id").count().where("count > 1").first()
        raise ValueError(
            f"find_near_duplicates: doc_id {repeated['doc_id']!r} appears {repeated['count']} "
            "times in the input; doc_id must be unique (run exact dedup first)"
        )

    # A document without tokens has the all-empty signature: it would share every bucket
    # with every other such document, so it stays out of the bands.
    hashed = signed.where(F.col("tokens") > 0)
    scored = materialize(scored_pairs(candidate_pairs(hashed), hashed, num_perm), "candidate_pairs")
    # Signature agreement estimates Jaccard with standard deviation sqrt(J(1-J)/num_perm)
    # (0.029 at 0.7 with 256 permutations): cutting exactly at the threshold would drop about
    # half of the true pairs that sit just above it. Accepting two deviations below keeps them
    # and still rejects the LSH false positives, which mostly agree far less.
    accept = verification_cutoff(threshold, num_perm)
    similar = scored.where(F.col("similarity") >= F.lit(accept))
    pair_counts = scored.agg(
        F.count(F.lit(1)).alias("candidates"),
        F.coalesce(F.sum((F.col("similarity") >= F.lit(accept)).cast("int")), F.lit(0)).alias("similar"),
    ).first()
    membership, rounds = connected_components(
        similar, materialize, local_limit=local_components_limit, edge_count=pair_counts["similar"]
    )

    members = membership.join(
        signed.select(F.col("doc_id").alias("node"), "lang", "path", "permissive", "stars"), "node"
    )
    rank = F.struct(
        F.when(F.col("permissive"), 0).otherwise(1).alias("licence_rank"),
        (-F.col("stars")).alias("star_rank"),
        F.col("node").alias("doc_id"),
        F.col("path"),
    )
    clusters = materialize(
        members.groupBy("component").agg(
            F.min(rank).alias("best"),
            F.count(F.lit(1)).alias("size"),
            F.sort_array(F.collect_list("path")).alias("paths"),
        ).select(
            "component",
            F.col("best.doc_id").alias("survivor"),
            F.col("best.path").alias("survivor_path"),
            "size",
            "paths",
        ),
        "clusters",
    )
    removed = materialize(
        members.join(clusters.select("component", "survivor"), "component")
        .where(F.col("node") != F.col("survivor"))
        .select(F.col("node").alias("doc_id"), F.col("survivor").alias("duplicate_of"), "lang"),
        "duplicates",
    )
    by_lang = removed.groupBy("lang").count().collect()
    largest = clusters.orderBy(F.desc("size"), "component").limit(10).collect()
    return NearDedupResult(
        duplicates=removed.select("doc_id", "duplicate_of"),
        clusters=clusters,
        pairs=scored,
        bands=bands,
        rows=rows,
        threshold=threshold,
        num_perm=num_perm,
        ngram=ngram,
        documents=totals["documents"],
        without_tokens=totals["without_tokens"],
        short=totals["short"],
        candidate_pairs=pair_counts["candidates"],
        similar_pairs=pair_counts["similar"],
        components=clusters.count(),
        removed=sum(r["count"] for r in by_lang),
        rounds=rounds,
        removed_by_lang={r["lang"]: r["count"] for r in by_lang},
        largest_clusters=[
            {"size": r["size"], "survivor": r["survivor_path"], "paths": list(r["paths"][:20])}
            for r in largest
        ],
    )
