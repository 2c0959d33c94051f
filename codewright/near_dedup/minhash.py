"""MinHash signatures and LSH band keys for whole Arrow batches, vectorised with numpy.

The permutation scheme is datasketch's `affine32` (datasketch >= 2.0): h -> a*h + b mod 2^32
with `a` odd, so each permutation is a bijection of the 32-bit range and cannot merge two
shingles. Where we differ: datasketch hashes each shingle with SHA-1 and pre-mixes the 32-bit
value with MurmurHash3's fmix32; our shingle hashes come out of fmix64 already (shingles.py),
hashed in bulk from the bytes, so we skip the SHA-1 call per shingle that dominates
datasketch's run time. Signatures are therefore comparable to each other, not to datasketch's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import numpy as np
import pyarrow as pa

from codewright.near_dedup.shingles import fmix64, shingle_hashes

EMPTY = np.uint32(2**32 - 1)  # signature value of a document without shingles

# Rows of the (shingles x permutations) matrix computed at once: 64k x 256 x 4 B = 64 MiB.
_SHINGLE_WINDOW = 1 << 16
# Documents handed to the tokenizer at once: its temporaries are ~30 bytes per input byte.
_CHUNK_BYTES = 4 << 20

# Columns that signature_batches appends; every input column but `content` passes through.
SIGNATURE_DDL = "tokens int, signature array<int>, bands array<bigint>"


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of `num_perm` affine permutations of [0, 2^32), a odd."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32)
    return a, b


def signatures(
    hashes: np.ndarray, doc: np.ndarray, n_docs: int, num_perm: int, seed: int
) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures; `doc` (sorted) gives each hash's document."""
    a, b = permutations(num_perm, seed)
    a, b = a[:, None], b[:, None]
    sig = np.full((n_docs, num_perm), EMPTY, dtype=np.uint32)
    # Windows over the shingles bound memory whatever the document sizes; a document cut by a
    # window edge is folded in with np.minimum. The matrix is (permutations x shingles) so
    # that the per-document minimum runs along contiguous memory (10x faster than the
    # transpose) and the products land in one preallocated buffer.
    buf = np.empty((num_perm, min(len(hashes), _SHINGLE_WINDOW)), dtype=np.uint32)
    for lo in range(0, len(hashes), _SHINGLE_WINDOW):
        h = hashes[lo : lo + _SHINGLE_WINDOW]
        d = doc[lo : lo + _SHINGLE_WINDOW]
        phv = buf[:, : len(h)]
        np.multiply(a, h, out=phv)  # uint32 arithmetic wraps: this is the mod 2^32
        phv += b
        segment = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))
        part = np.minimum.reduceat(phv, segment, axis=1).T
        rows = d[segment]
        sig[rows] = np.minimum(sig[rows], part)
    return sig


@lru_cache(maxsize=8)
def _band_multipliers(rows: int) -> np.ndarray:
    gen = np.random.default_rng(0xBA2D5)
    return gen.integers(0, 2**63, size=rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n_docs, bands) int64: one hash per band of `rows` signature values.

    Two documents share a band's key when their `rows` values agree (64-bit hash collisions
    aside, and candidates are verified against the full signature anyway).
    """
    n = len(sig)
    banded = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    key = (banded * _band_multipliers(rows)).sum(axis=2, dtype=np.uint64)
    key += np.arange(bands, dtype=np.uint64)  # band index, so equal values in two bands differ
    return fmix64(key).view(np.int64)


def _utf8_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The bytes and int64 offsets of a (large_)string array, without a Python object per row."""
    if arr.null_count:
        arr = arr.fill_null("")
    offset_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[arr.offset : arr.offset + len(arr) + 1]
    offsets = offsets.astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    return data, offsets


def _list_array(values: np.ndarray, value_type: pa.DataType) -> pa.Array:
    n, width = values.shape
    offsets = pa.array(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(values.ravel(), type=value_type))


def signature_batches(
    batches: Iterator[pa.RecordBatch], *, ngram: int, num_perm: int, seed: int, bands: int, rows: int
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: batches with a `content` column -> the other columns + SIGNATURE_DDL."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        data, offsets = _utf8_buffers(batch.column("content"))
        passed = [name for name in batch.schema.names if name != "content"]
        lo = 0
        while lo < batch.num_rows:
            # Next chunk: documents up to _CHUNK_BYTES in all (at least one document).
            hi = int(np.searchsorted(offsets, offsets[lo] + _CHUNK_BYTES, side="right")) - 1
            hi = min(max(hi, lo + 1), batch.num_rows)
            chunk_offsets = offsets[lo : hi + 1] - offsets[lo]
            chunk_data = data[offsets[lo] : offsets[hi]]
            hashes, doc, counts = shingle_hashes(chunk_data, chunk_offsets, ngram)
            sig = signatures(hashes, doc, hi - lo, num_perm, seed)
            yield pa.RecordBatch.from_arrays(
                [batch.column(name).slice(lo, hi - lo) for name in passed]
                + [
                    pa.array(counts.astype(np.int32)),
                    _list_array(sig.view(np.int32), pa.int32()),
                    _list_array(band_keys(sig, bands, rows), pa.int64()),
                ],
                names=passed + ["tokens", "signature", "bands"],
            )
            lo = hi
