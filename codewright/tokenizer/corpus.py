"""Stream documents out of a scrubbed-code Parquet folder, and split them by doc_id.

Both the tokenizer and tokenized_shards read pii_scrubbed_code through here, so they agree on
which documents are held back: the tokenizer never trains on a validation document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterator

import pyarrow as pa
import pyarrow.dataset as ds

REQUIRED = ("doc_id", "content")


@dataclass
class Batch:
    doc_ids: list[str]
    texts: list[str]
    langs: list[str]


def is_val(doc_id: str, val_fraction: float) -> bool:
    """Whether a document belongs to the validation split (stable across runs and machines).

    Re-hashed with a salt because doc_id is itself a content hash that other stages may
    threshold on; this keeps our split independent of theirs.
    """
    digest = hashlib.sha256(b"codewright-split:" + doc_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") < val_fraction * 2**64


def open_corpus(folder: str) -> ds.Dataset:
    """The Parquet files under `folder`, Spark's layout included.

    `_SUCCESS`, `_findings/`, `_removed/` and dot files are not documents (ignore_prefixes);
    a file that is not Parquet is an error naming it, never silently skipped.
    """
    try:
        dataset = ds.dataset(folder, format="parquet", partitioning="hive",
                             ignore_prefixes=["_", "."])
    except (FileNotFoundError, pa.ArrowInvalid) as err:
        raise ValueError(f"cannot read the code corpus at {folder}: {err}") from err
    if not dataset.files:
        raise ValueError(f"no Parquet files under {folder}: materialize pii_scrubbed_code first")
    missing = [c for c in REQUIRED if c not in dataset.schema.names]
    if missing:
        raise ValueError(f"{folder} lacks column(s) {missing}; expected The Stack's schema "
                         f"(codewright/schema.py), found {dataset.schema.names}")
    # Discovery lists files sorted, so the token stream (and so the shards) is the same on
    # every run; the scan below keeps that order.
    return dataset


def iter_batches(folder: str, batch_rows: int = 1024) -> Iterator[Batch]:
    """Documents in file order, `batch_rows` at a time; never the whole corpus in memory."""
    dataset = open_corpus(folder)
    columns = list(REQUIRED) + (["lang"] if "lang" in dataset.schema.names else [])
    for record_batch in dataset.to_batches(columns=columns, batch_size=batch_rows):
        if record_batch.num_rows == 0:
            continue
        data = record_batch.to_pydict()
        doc_ids, texts = data["doc_id"], data["content"]
        if None in doc_ids:
            raise ValueError(f"{folder} has a row without doc_id; every row needs one")
        langs = data.get("lang") or [""] * len(texts)
        yield Batch(doc_ids, [t or "" for t in texts], [lang or "" for lang in langs])
