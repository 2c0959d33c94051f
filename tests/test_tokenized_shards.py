"""tokenized_shards: MDS read-back equals the token stream, resume, split, tokenizer checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pytest

from codewright.schema import stack_record
from codewright.tokenized_shards import (
    TokenizerMismatchError, check_tokenizer, open_split, read_meta, token_dtype, write_shards,
)
from codewright.tokenizer import EOS, build_tokenizer, is_val, load_tokenizer, save_tokenizer, train_from_texts

from tests.test_tokenizer import stdlib_files, write_spark_layout

SEQ_LEN, VAL = 64, 0.2


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small corpus in Spark's layout, its tokenizer and its shards."""
    root = tmp_path_factory.mktemp("shards")
    texts = [p.read_text("utf-8") for p in stdlib_files(("json", "email", "http", "logging"), 120)]
    texts.append("x = '<|endoftext|>'  # literal text, not a boundary\nkey = '<KEY>'\n")
    records = [stack_record("stdlib", f"f{i}.py", t, ["PSF-2.0"]) for i, t in enumerate(texts)]
    records.append(stack_record("stdlib", "empty.py", "", ["PSF-2.0"]))
    write_spark_layout(root / "pii_scrubbed_code", records)
    build_tokenizer(str(root / "pii_scrubbed_code"), str(root / "tokenizer"), vocab_size=1000, val_fraction=VAL)
    meta = write_shards(str(root / "pii_scrubbed_code"), str(root / "tokenizer"), str(root / "tokenized_shards"),
                        seq_len=SEQ_LEN, val_fraction=VAL, batch_rows=16, size_limit=1 << 16)
    assert len(texts) > 40
    return root, meta, records


def expected_streams(root: Path) -> dict[str, list[int]]:
    """Each split's stream, computed independently: plain pyarrow, one document at a time."""
    tok = load_tokenizer(str(root / "tokenizer"))
    tok.encode_special_tokens = True
    eos = tok.token_to_id(EOS)
    table = ds.dataset(str(root / "pii_scrubbed_code"), format="parquet",
                       ignore_prefixes=["_", "."]).to_table(columns=["doc_id", "content"])
    streams = {"train": [], "val": []}
    for doc_id, text in zip(table["doc_id"].to_pylist(), table["content"].to_pylist()):
        if text:
            streams["val" if is_val(doc_id, VAL) else "train"] += tok.encode(text).ids + [eos]
    return streams


def read_split(root: Path, split: str, **kwargs) -> list[np.ndarray]:
    from streaming.base.util import clean_stale_shared_memory

    clean_stale_shared_memory()
    dataset = open_split(str(root / "tokenized_shards"), split, **kwargs)
    return [dataset[i]["tokens"] for i in range(dataset.num_samples)]


def test_meta_counts(built):
    root, meta, records = built
    assert meta["dtype"] == "uint16" and meta["seq_len"] == SEQ_LEN and meta["eos_id"] == 0
    assert meta["documents"] == sum(1 for r in records if r["content"])
    assert meta["documents"] + meta["empty_documents"] == len(records)
    for split in ("train", "val"):
        c = meta[split]
        assert c["sequences"] > 0 and c["shards"] >= 1
        assert c["sequences"] * SEQ_LEN + c["dropped_tokens"] == c["tokens"]
        assert 0 <= c["dropped_tokens"] < SEQ_LEN
    assert meta["tokens"] == meta["train"]["tokens"] + meta["val"]["tokens"]
    assert meta["bytes_per_token"] == round(meta["bytes"] / meta["tokens"], 4)
    assert meta["train"]["shards"] > 1  # size_limit forced several shards
    assert read_meta(str(root / "tokenized_shards")) == meta
    assert token_dtype(65536) == "uint16" and token_dtype(65537) == "uint32"


def test_readback_equals_stream_and_splits_are_disjoint(built):
    root, meta, _ = built
    streams = expected_streams(root)
    eos = meta["eos_id"]
    for split in ("train", "val"):
        samples = read_split(root, split, tokenizer_path=str(root / "tokenizer"), shuffle=False)
        assert all(s.dtype == np.uint16 and s.shape == (SEQ_LEN,) for s in samples)
        kept = len(samples) * SEQ_LEN
        # Equal streams per split, with documents assigned by doc_id hash: a document is in
        # exactly one split, and the literal "<|endoftext|>" inside one is not a boundary.
        assert np.concatenate(samples).tolist() == streams[split][:kept]
        assert len(streams[split]) == meta[split]["tokens"]
        assert streams[split].count(eos) == meta[split]["documents"]


def test_tokenizer_held_back_exactly_the_val_documents(built):
    root, meta, _ = built
    report = json.loads((root / "tokenizer" / "report.json").read_text())
    assert report["held_back_documents"] == meta["val"]["documents"]
    assert report["training_documents"] == meta["train"]["documents"]


def test_resume_mid_epoch_is_deterministic(built):
    from streaming import StreamingDataLoader
    from streaming.base.util import clean_stale_shared_memory

    root, _, _ = built

    def loader():
        clean_stale_shared_memory()
        dataset = open_split(str(root / "tokenized_shards"), "train", shuffle=True, shuffle_seed=7, batch_size=4)
        return StreamingDataLoader(dataset, batch_size=4, num_workers=0)

    first = loader()
    full, state = [], None
    for step, batch in enumerate(first):
        full.append(batch["tokens"].numpy())
        if step == 2:
            state = first.state_dict()
    del first
    resumed = loader()
    resumed.load_state_dict(state)
    rest = [batch["tokens"].numpy() for batch in resumed]
    assert len(rest) == len(full) - 3
    assert all(np.array_equal(a, b) for a, b in zip(rest, full[3:]))


def test_tokenizer_mismatch_is_detected(built, tmp_path):
    root, _, _ = built
    other = train_from_texts([p.read_text("utf-8") for p in stdlib_files(("http",), 30)], vocab_size=500)
    path = save_tokenizer(other, str(tmp_path / "other"))
    with pytest.raises(TokenizerMismatchError, match="rematerialize tokenized_shards"):
        check_tokenizer(str(root / "tokenized_shards"), path)
    with pytest.raises(TokenizerMismatchError):
        open_split(str(root / "tokenized_shards"), "val", tokenizer_path=path)
    assert check_tokenizer(str(root / "tokenized_shards"), str(root / "tokenizer"))["vocab_size"] == 1000


def test_assets_materialize(home):
    import dagster as dg

    from assets.tokenized_shards import TOKEN_ASSETS
    from codewright.storage import asset_path
    from resources.storage import StorageResource

    texts = [p.read_text("utf-8") for p in stdlib_files(("json", "email"), 40)]
    write_spark_layout(Path(asset_path("pii_scrubbed_code")),
                       [stack_record("stdlib", f"f{i}.py", t, ["PSF-2.0"]) for i, t in enumerate(texts)])
    result = dg.materialize(TOKEN_ASSETS, resources={"storage": StorageResource(home=str(home))}, run_config={"ops": {
        "tokenizer": {"config": {"vocab_size": 800, "val_fraction": 0.3}},
        "tokenized_shards": {"config": {"preset": "tiny", "val_fraction": 0.3}},
    }})
    assert result.success
    meta = read_meta(asset_path("tokenized_shards"))
    assert meta["seq_len"] == 256 and meta["vocab_size"] == 800 and meta["val"]["sequences"] > 0
    shards_md = result.asset_materializations_for_node("tokenized_shards")[0].metadata
    assert shards_md["sequences"].value == meta["sequences"]
