"""Near-deduplication: MinHash LSH over word shingles, on Spark's DataFrame API.

shingles.py  tokens and hashed word n-grams (numpy, whole batches at once)
minhash.py   signatures and band keys (datasketch's affine32 permutations, vectorised)
lsh.py       the b x r choice, candidate pairs from band buckets, their verification
components.py connected components with checkpointed min-label propagation
dedup.py     find_near_duplicates: the whole rule, survivors, statistics
"""

from codewright.near_dedup.dedup import NearDedupResult, find_near_duplicates, lsh_parameters
from codewright.near_dedup.lsh import optimal_bands
from codewright.near_dedup.shingles import word_shingles

__all__ = ["NearDedupResult", "find_near_duplicates", "lsh_parameters", "optimal_bands", "word_shingles"]
