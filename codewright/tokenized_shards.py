"""Encode the scrubbed corpus into fixed-length token sequences, written as MDS shards.

Layout (the contract training reads, DESIGN.md "Storage"):
    tokenized_shards/train/, val/   MDS folders; one column `tokens`, `ndarray:uint16` (or
                                    uint32 past 65536 ids), every sample exactly seq_len ids
    tokenized_shards/meta.json      vocab_size, seq_len, dtype, eos_id, tokenizer_sha256,
                                    documents, tokens, sequences, bytes_per_token, train, val
`tokens` counts the stream, one <|endoftext|> per document included; `bytes_per_token` is
documents' UTF-8 bytes over those tokens (per split too), what turns a loss in nats per token
into bits per byte.

Each split is one stream: every document's ids followed by <|endoftext|>, cut into seq_len
pieces; the last partial piece is dropped and counted (`dropped_tokens`). A document goes to
val when a hash of its doc_id says so (the same split the tokenizer held back).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from codewright.storage import replace_dir
from codewright.tokenizer import EOS, file_sha256, is_val, iter_batches, load_tokenizer, tokenizer_file

META_FILE = "meta.json"
SPLITS = ("train", "val")


class TokenizerMismatchError(ValueError):
    """Shards written with one tokenizer, read or extended with another."""


def token_dtype(vocab_size: int) -> str:
    return "uint16" if vocab_size <= 2**16 else "uint32"


class _SplitWriter:
    """One split's running stream: carries the partial sequence across batches."""

    def __init__(self, folder: str, seq_len: int, dtype: str, compression: str | None,
                 size_limit: int | str):
        from streaming import MDSWriter

        self.seq_len, self.dtype = seq_len, np.dtype(dtype)
        self.writer = MDSWriter(out=folder, columns={"tokens": f"ndarray:{dtype}"},
                                compression=compression, size_limit=size_limit)
        self.carry = np.empty(0, dtype=self.dtype)
        self.counts = {"documents": 0, "bytes": 0, "tokens": 0, "sequences": 0}

    def add(self, docs: list[list[int]], nbytes: int, eos_id: int) -> None:
        if not docs:
            return
        stream = np.concatenate([self.carry] + [np.asarray(ids + [eos_id], dtype=self.dtype)
                                                for ids in docs])
        full = len(stream) // self.seq_len
        for row in stream[: full * self.seq_len].reshape(full, self.seq_len):
            self.writer.write({"tokens": row})
        self.carry = stream[full * self.seq_len:].copy()
        self.counts["documents"] += len(docs)
        self.counts["bytes"] += nbytes
        self.counts["tokens"] += sum(len(ids) + 1 for ids in docs)
        self.counts["sequences"] += full

    def finish(self) -> dict:
        self.writer.finish()
        counts = dict(self.counts, dropped_tokens=len(self.carry))
        counts["bytes_per_token"] = round(counts["bytes"] / counts["tokens"], 4) if counts["tokens"] else 0.0
        index = json.loads(Path(self.writer.local, "index.json").read_text())
        counts["shards"] = len(index["shards"])
        counts["shard_bytes"] = sum(s["raw_data"]["bytes"] for s in index["shards"])
        return counts


def write_shards(corpus_dir: str, tokenizer_path: str, out_dir: str, *, seq_len: int,
                 val_fraction: float = 0.01, batch_rows: int = 512,
                 compression: str | None = None, size_limit: int | str = "64mb") -> dict:
    """Encode `corpus_dir` with the tokenizer into `out_dir` (replaced whole); returns meta."""
    sha = file_sha256(tokenizer_file(tokenizer_path))  # of the very file we encode with
    tokenizer = load_tokenizer(tokenizer_path)
    # Literal "<|endoftext|>" in a source file is text, not a document boundary: only the
    # ids we insert are control tokens. The PII placeholders are not special and still match.
    tokenizer.encode_special_tokens = True
    eos_id, vocab_size = tokenizer.token_to_id(EOS), tokenizer.get_vocab_size()
    if eos_id is None:
        raise TokenizerMismatchError(f"{tokenizer_file(tokenizer_path)} has no {EOS} token")
    dtype = token_dtype(vocab_size)
    empty = 0

    with replace_dir(out_dir) as staging:
        writers = {s: _SplitWriter(f"{staging}/{s}", seq_len, dtype, compression, size_limit)
                   for s in SPLITS}
        for batch in iter_batches(corpus_dir, batch_rows):
            keep = [i for i, text in enumerate(batch.texts) if text]
            empty += len(batch.texts) - len(keep)
            texts = [batch.texts[i] for i in keep]
            encoded = tokenizer.encode_batch_fast(texts, add_special_tokens=False)  # parallel
            val = [is_val(batch.doc_ids[i], val_fraction) for i in keep]
            for split in SPLITS:
                rows = [j for j, v in enumerate(val) if v == (split == "val")]
                writers[split].add([encoded[j].ids for j in rows],
                                   sum(len(texts[j].encode("utf-8", "surrogatepass")) for j in rows),
                                   eos_id)
        counts = {s: w.finish() for s, w in writers.items()}
        for split, c in counts.items():
            if c["sequences"] == 0:  # training would fail later, far from the cause
                raise ValueError(
                    f"{corpus_dir}: the {split} split has {c['tokens']} tokens, less than one "
                    f"sequence of {seq_len}; use a larger corpus or adjust val_fraction ({val_fraction})")
        total = lambda key: sum(c[key] for c in counts.values())  # noqa: E731
        meta = {
            "vocab_size": vocab_size, "seq_len": seq_len, "dtype": dtype, "eos_id": eos_id,
            "tokenizer_sha256": sha,
            "documents": total("documents"), "tokens": total("tokens"),
            "sequences": total("sequences"),
            "bytes_per_token": round(total("bytes") / total("tokens"), 4),
            "bytes": total("bytes"), "empty_documents": empty, "val_fraction": val_fraction,
            "train": counts["train"], "val": counts["val"],
        }
        Path(staging, META_FILE).write_text(json.dumps(meta, indent=2))
    return meta


def read_meta(shards_dir: str) -> dict:
    path = Path(shards_dir, META_FILE)
    if not path.exists():
        raise FileNotFoundError(f"no {META_FILE} in {shards_dir}: materialize tokenized_shards first")
    return json.loads(path.read_text())


def check_tokenizer(shards_dir: str, tokenizer_path: str) -> dict:
    """Meta of `shards_dir` if it was written with this tokenizer; else TokenizerMismatchError."""
    meta = read_meta(shards_dir)
    file = tokenizer_file(tokenizer_path)
    sha, vocab_size = file_sha256(file), load_tokenizer(file).get_vocab_size()
    if sha != meta["tokenizer_sha256"] or vocab_size != meta["vocab_size"]:
        raise TokenizerMismatchError(
            f"{shards_dir} was tokenized with tokenizer sha256 {meta['tokenizer_sha256'][:12]}… "
            f"(vocab {meta['vocab_size']}), but {file} is sha256 {sha[:12]}… "
            f"(vocab {vocab_size}); rematerialize tokenized_shards with this tokenizer")
    for split in SPLITS:
        index = json.loads(Path(shards_dir, split, "index.json").read_text())
        encodings = {enc for shard in index["shards"] for enc in shard["column_encodings"]}
        if encodings and encodings != {f"ndarray:{meta['dtype']}"}:
            raise TokenizerMismatchError(f"{shards_dir}/{split} stores {encodings}, meta says {meta['dtype']}")
    return meta


def open_split(shards_dir: str, split: str = "train", *, tokenizer_path: str | None = None,
               **dataset_kwargs):
    """A streaming.StreamingDataset over one local split, checked against the tokenizer."""
    from streaming import StreamingDataset

    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    if tokenizer_path is not None:
        check_tokenizer(shards_dir, tokenizer_path)
    return StreamingDataset(local=str(Path(shards_dir, split)), **dataset_kwargs)
