"""Word n-gram shingles over identifier-like tokens, hashed in bulk with numpy.

A token is a maximal run of `[A-Za-z_0-9]` (TOKEN_PATTERN): identifiers, keywords and numbers.
Punctuation and whitespace separate tokens and are otherwise ignored, so reformatting does not
hide a copy, while nothing inside an identifier is blurred (no lowercasing, no digit folding:
`x1` and `x2` differ in code). A document's shingles are the *set* of its runs of `ngram`
consecutive tokens. A document with 1..ngram-1 tokens has one shingle, its whole token
sequence (two such documents match only when their token sequences are equal); a document
with no token has no shingle and takes no part in near-dedup.

`word_shingles` is the readable definition. `shingle_hashes` computes the same thing for a
whole Arrow batch at once, straight from the UTF-8 bytes: a Python loop per token would cost
more than the MinHash itself. Non-ASCII bytes are never in the token class, exactly as
non-ASCII characters are not in the regex class, so both agree on every input.
"""

from __future__ import annotations

import re

import numpy as np

TOKEN_PATTERN = re.compile(r"[A-Za-z_0-9]+")

# Bytes that belong to a token.
_IS_TOKEN_BYTE = np.zeros(256, dtype=bool)
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789":
    _IS_TOKEN_BYTE[_c] = True

# Token hash: the sum over a token's bytes of a random 64-bit value per (position, byte),
# wrapping mod 2^64 (additive tabulation hashing). Distinct tokens collide with probability
# about 2^-64, and a whole batch hashes in a handful of numpy passes. Positions fold mod 64:
# identifiers longer than that are rare and still hash to distinct values almost surely.
_POSITIONS = 64
_rng = np.random.default_rng(0x5EED_C0DE)
_BYTE_TABLE = _rng.integers(0, 2**64, size=(_POSITIONS, 256), dtype=np.uint64)
# Shingle hash: token hashes weighted by random odd multipliers per position in the shingle,
# plus a constant per shingle length (so a 3-token short document never equals a 5-gram).
_MAX_NGRAM = 32
_SLOT_MULT = _rng.integers(0, 2**63, size=_MAX_NGRAM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_LENGTH_SALT = _rng.integers(0, 2**64, size=_MAX_NGRAM + 1, dtype=np.uint64)


def tokens(text: str) -> list[str]:
    return TOKEN_PATTERN.findall(text)


def word_shingles(text: str, ngram: int = 5) -> set[tuple[str, ...]]:
    """The definition: the set of `ngram`-token runs (the whole sequence if shorter)."""
    toks = tokens(text)
    if len(toks) < ngram:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i : i + ngram]) for i in range(len(toks) - ngram + 1)}


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def token_hashes(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hash every token of a batch of documents.

    `data` holds the documents' UTF-8 bytes back to back (uint8), document i being
    data[offsets[i]:offsets[i+1]]. Returns (hashes uint64, doc index int64) per token, in
    document order then text order.
    """
    n = len(data)
    if n == 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    in_token = _IS_TOKEN_BYTE[data]
    # A token starts where a token byte follows a non-token byte or a document boundary
    # (documents are adjacent in `data`, so `ab` + `cd` must not read as `abcd`).
    boundary = np.zeros(n, dtype=bool)
    doc_starts = offsets[:-1][offsets[:-1] < n]
    boundary[doc_starts] = True
    prev_in_token = np.empty(n, dtype=bool)
    prev_in_token[0] = False
    prev_in_token[1:] = in_token[:-1]
    starts = in_token & (~prev_in_token | boundary)

    token_bytes = np.flatnonzero(in_token)
    if len(token_bytes) == 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    starts_in_bytes = starts[token_bytes]  # first byte of each token, among token bytes
    token_of_byte = np.cumsum(starts_in_bytes) - 1
    first = np.flatnonzero(starts_in_bytes)
    position = token_bytes - token_bytes[first][token_of_byte]
    values = _BYTE_TABLE[position % _POSITIONS, data[token_bytes]]
    hashes = np.add.reduceat(values, first)
    doc = np.searchsorted(offsets, token_bytes[first], side="right") - 1
    return hashes, doc


def shingle_hashes(
    data: np.ndarray, offsets: np.ndarray, ngram: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """32-bit hashes of every document's shingles (as multisets: repeats are harmless to MinHash).

    Returns (hashes uint32, doc index int64 sorted, tokens per document int64).
    """
    if not 1 <= ngram <= _MAX_NGRAM:
        raise ValueError(f"ngram must be in 1..{_MAX_NGRAM}, got {ngram}")
    n_docs = len(offsets) - 1
    tok, tok_doc = token_hashes(data, offsets)
    counts = np.bincount(tok_doc, minlength=n_docs).astype(np.int64)
    if len(tok) == 0:
        return np.empty(0, np.uint32), np.empty(0, np.int64), counts

    # Full n-grams: windows of `ngram` tokens that stay inside one document.
    windows = len(tok) - ngram + 1
    full_h = np.empty(0, np.uint64)
    full_doc = np.empty(0, np.int64)
    if windows > 0:
        inside = tok_doc[: windows] == tok_doc[ngram - 1 :]
        acc = np.full(windows, _LENGTH_SALT[ngram], dtype=np.uint64)
        for j in range(ngram):
            acc += tok[j : j + windows] * _SLOT_MULT[j]
        full_h, full_doc = acc[inside], tok_doc[:windows][inside]

    # Short documents: one shingle, the whole token sequence.
    short_docs = np.flatnonzero((counts > 0) & (counts < ngram))
    short_h = np.empty(0, np.uint64)
    if len(short_docs):
        first_token = np.concatenate(([0], np.cumsum(counts)[:-1]))
        is_short = np.isin(tok_doc, short_docs)
        position = np.arange(len(tok)) - first_token[tok_doc]
        weighted = tok[is_short] * _SLOT_MULT[position[is_short]]
        # The short documents' tokens are contiguous per document in the compacted array.
        short_h = np.add.reduceat(weighted, np.concatenate(([0], np.cumsum(counts[short_docs])[:-1])))
        short_h += _LENGTH_SALT[counts[short_docs]]

    hashes = np.concatenate((full_h, short_h))
    doc = np.concatenate((full_doc, short_docs))
    if len(short_docs):
        order = np.argsort(doc, kind="stable")
        hashes, doc = hashes[order], doc[order]
    # MinHash wants uniformly spread 32-bit inputs: mix, then keep the high half.
    return (fmix64(hashes) >> np.uint64(32)).astype(np.uint32), doc, counts
