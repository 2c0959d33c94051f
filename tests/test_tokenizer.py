"""The code tokenizer: exact round trip, atomic special tokens, streaming training, cl100k check."""

from __future__ import annotations

import hashlib
import json
import random
import sysconfig
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from codewright.schema import STACK_SCHEMA, stack_record
from codewright.tokenizer import (
    CONTROL_TOKENS, PII_TOKENS, SPECIAL_TOKENS, build_tokenizer, load_tokenizer, save_tokenizer,
    train_from_texts,
)
from codewright.tokenizer.compare import cl100k, cl100k_file, tiktoken_expected_sha256

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def stdlib_files(packages=("json", "email", "http", "asyncio"), limit=300) -> list[Path]:
    return sorted(p for pkg in packages for p in (STDLIB / pkg).rglob("*.py"))[:limit]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [p.read_text("utf-8") for p in stdlib_files()]


@pytest.fixture(scope="module")
def tokenizer(texts):
    return train_from_texts(texts, vocab_size=1000)


def write_spark_layout(folder: Path, records: list[dict], parts: int = 3) -> None:
    """Parquet the way Spark leaves it: part files, _SUCCESS, .crc files, `_` side folders."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(parts):
        table = pa.Table.from_pylist(records[i::parts], schema=STACK_SCHEMA)
        pq.write_table(table, folder / f"part-{i:05d}-abc.snappy.parquet")
        (folder / f".part-{i:05d}-abc.snappy.parquet.crc").write_bytes(b"not parquet")
    (folder / "_SUCCESS").write_bytes(b"")
    removed = folder / "_removed"
    removed.mkdir()
    # Dropped rows must never reach the tokenizer: a word repeated here would surely merge.
    pq.write_table(pa.table({"content": ["zqxjv_removed_marker " * 500], "reason": ["license"]}),
                   removed / "part-00000.parquet")
    (removed / "_SUCCESS").write_bytes(b"")


def test_round_trip_random_unicode(tokenizer):
    rng = random.Random(0)
    alphabet = " \t\n\r\x00{}()[]<>|_'\"#\\" + "".join(SPECIAL_TOKENS)
    for _ in range(300):
        chars = []
        for _ in range(rng.randint(0, 80)):
            if rng.random() < 0.4:
                chars.append(rng.choice(alphabet))
            else:
                cp = rng.randint(0, 0x10FFFF)
                chars.append(chr(cp if not 0xD800 <= cp <= 0xDFFF else cp - 0x800))
        text = "".join(chars)
        assert tokenizer.decode(tokenizer.encode(text).ids, skip_special_tokens=False) == text


def test_round_trip_real_files(tokenizer):
    others = [p for p in STDLIB.rglob("*") if p.suffix in {".txt", ".cfg", ".html", ".xml"}][:40]
    for path in stdlib_files(("unittest", "xml", "tomllib"), 200) + others:
        text = path.read_text("utf-8", errors="replace")
        assert tokenizer.decode(tokenizer.encode(text).ids) == text, path


def test_special_tokens_atomic(tokenizer):
    assert [tokenizer.token_to_id(t) for t in SPECIAL_TOKENS] == list(range(len(SPECIAL_TOKENS)))
    for token in SPECIAL_TOKENS:
        for context in ("{}", "x = '{}'\n", "a{}b", "    {}{}"):
            text = context.replace("{}", token)
            ids = tokenizer.encode(text).ids
            assert tokenizer.token_to_id(token) in ids, text
            assert tokenizer.decode(ids, skip_special_tokens=False) == text
    # Placeholders are text the model writes: kept on decode; control tokens are skipped.
    ids = tokenizer.encode("<KEY><|endoftext|>").ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == "<KEY>"


def test_placeholders_are_the_ones_pii_writes():
    from codewright.pii import PLACEHOLDERS

    assert sorted(PLACEHOLDERS.values()) == sorted(PII_TOKENS)


def test_placeholders_not_learned_as_merges(texts):
    tok = train_from_texts([t + "\nkey = '<PASSWORD>'\n" for t in texts[:100]], vocab_size=600)
    assert not any("PASSWORD" in token and token != "<PASSWORD>" for token in tok.get_vocab())


def test_loads_with_transformers(tokenizer, texts, tmp_path):
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    path = save_tokenizer(tokenizer, str(tmp_path / "tok"))
    hf = PreTrainedTokenizerFast(tokenizer_file=path)
    auto = AutoTokenizer.from_pretrained(str(tmp_path / "tok"))
    sample = texts[3][:2000] + "<EMAIL>"
    assert hf.encode(sample) == auto.encode(sample) == load_tokenizer(path).encode(sample).ids
    assert auto.decode(auto.encode(sample)) == sample
    assert auto.eos_token == "<|endoftext|>" and auto.eos_token_id == 0


def test_build_tokenizer_streams_spark_parquet(home, texts, tmp_path):
    records = [stack_record("stdlib", f"f{i}.py", t, ["PSF-2.0"]) for i, t in enumerate(texts[:200])]
    records.append(stack_record("stdlib", "empty.py", "", ["PSF-2.0"]))
    corpus = tmp_path / "pii_scrubbed_code"
    write_spark_layout(corpus, records)
    out = tmp_path / "tokenizer"
    report = build_tokenizer(str(corpus), str(out), vocab_size=1000, val_fraction=0.1)

    assert report["training_documents"] + report["held_back_documents"] + report["empty_documents"] == len(records)
    assert report["held_back_documents"] > 0 and report["vocab_size"] == 1000
    assert not any("zqxjv" in token for token in load_tokenizer(str(out)).get_vocab())
    held = report["held_back"]["all"]
    assert held["bytes_per_token"] > 2 and held["cl100k_bytes_per_token"] > 2
    saved = json.loads((out / "report.json").read_text())
    assert saved["tokenizer_sha256"] == hashlib.sha256((out / "tokenizer.json").read_bytes()).hexdigest()


def test_bad_corpus_is_named(tmp_path):
    with pytest.raises(ValueError, match="no Parquet files"):
        build_tokenizer(str(tmp_path), str(tmp_path / "out"))
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "part-0.parquet")
    with pytest.raises(ValueError, match=r"lacks column.*doc_id"):
        build_tokenizer(str(tmp_path), str(tmp_path / "out"))


def test_cl100k_is_the_pinned_file():
    assert hashlib.sha256(cl100k_file().read_bytes()).hexdigest() == tiktoken_expected_sha256()
    assert cl100k().encode_ordinary("def foo(): return 1") == [755, 15586, 4658, 471, 220, 16]
    assert CONTROL_TOKENS[0] == "<|endoftext|>" and "<IP_ADDRESS>" in PII_TOKENS
