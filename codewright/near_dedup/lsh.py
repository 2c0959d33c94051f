"""LSH banding: the b x r choice for a Jaccard threshold, candidate pairs, their scores.

Two documents with Jaccard similarity s share at least one of b bands of r MinHash values with
probability P(s) = 1 - (1 - s^r)^b. Below the threshold t, a shared band is a false positive;
above it, no shared band is a false negative. Like datasketch's `_optimal_param` we pick the
(b, r) with b*r <= num_perm minimising the weighted areas under both error curves; we
integrate on a fixed grid for all (b, r) at once with numpy instead of calling scipy's quad
~1500 times.
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

_GRID = 201  # points per integral: picks the same (b, r) as quad (tests compare with datasketch)


def _simpson(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Simpson's rule along the last axis (odd number of evenly spaced points)."""
    h = (x[-1] - x[0]) / (len(x) - 1)
    return h / 3 * (y[..., 0] + y[..., -1] + 4 * y[..., 1:-1:2].sum(-1) + 2 * y[..., 2:-1:2].sum(-1))


def collision_probability(s, bands: int, rows: int):
    """Probability that two documents of Jaccard similarity s share at least one band."""
    return 1 - (1 - np.asarray(s, dtype=float) ** rows) ** bands


def optimal_bands(
    threshold: float, num_perm: int, false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimising fp_weight * FP area + fn_weight * FN area around `threshold`."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    if num_perm < 2:
        raise ValueError(f"num_perm must be at least 2, got {num_perm}")
    pairs = np.array(
        [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=float
    )
    b, r = pairs[:, :1], pairs[:, 1:]
    below = np.linspace(0.0, threshold, _GRID)
    above = np.linspace(threshold, 1.0, _GRID)
    false_pos = _simpson(1 - (1 - below**r) ** b, below)
    false_neg = _simpson((1 - above**r) ** b, above)
    error = false_positive_weight * false_pos + false_negative_weight * false_neg
    best = int(np.argmin(error))  # first minimum: same tie-break as datasketch's loop order
    return int(pairs[best, 0]), int(pairs[best, 1])


def candidate_pairs(signed: DataFrame) -> DataFrame:
    """(src, dst) pairs of documents sharing a band bucket, dst < src.

    Each bucket becomes a star around its smallest doc_id rather than all its pairs: linear in
    the bucket's size (a bucket of 10,000 copies would otherwise give 50 million pairs per
    band), and the components are the same. The price: if a bucket's smallest member is a
    false positive, its edges fail verification and the bucket links nothing; with ~25 bands
    per pair of near-copies, another band links them almost surely.
    """
    buckets = signed.select("doc_id", F.posexplode("bands").alias("band", "key"))
    root = F.min("doc_id").over(Window.partitionBy("band", "key"))
    return (
        buckets.withColumn("root", root)
        .where(F.col("doc_id") != F.col("root"))
        .select(F.col("doc_id").alias("src"), F.col("root").alias("dst"))
        .distinct()
    )


def scored_pairs(pairs: DataFrame, signed: DataFrame, num_perm: int) -> DataFrame:
    """Candidate pairs with `similarity`: the fraction of equal MinHash values.

    It estimates Jaccard similarity with standard error sqrt(s(1-s)/num_perm) (0.03 at 256);
    keeping pairs at or above the threshold drops LSH's false positives, e.g. a file sharing
    half its text with another (s ~ 0.5) that happened to share one band.
    """
    sig = signed.select("doc_id", "signature")
    left = sig.select(F.col("doc_id").alias("src"), F.col("signature").alias("sig_src"))
    right = sig.select(F.col("doc_id").alias("dst"), F.col("signature").alias("sig_dst"))
    agree = F.aggregate(
        F.zip_with("sig_src", "sig_dst", lambda x, y: (x == y).cast("int")), F.lit(0), lambda acc, v: acc + v
    )
    return (
        pairs.join(left, "src")
        .join(right, "dst")
        .select("src", "dst", (agree / F.lit(num_perm)).alias("similarity"))
    )
