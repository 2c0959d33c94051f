"""raw_stack_shards engine: license detection, languages, local walking, Parquet and hub sources."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from codewright.languages import language_of
from codewright.licenses import detect_license_text, is_permissive, licenses_from_metadata, parse_expression
from codewright.schema import STACK_SCHEMA, doc_id, stack_record
from codewright.sources.ingest import IngestConfig, ingest
from codewright.sources.local import detect_repository_license
from codewright.sources.tables import SourceError
from tests.corpus import GOOD_PY, MIT, write_corpus

APACHE = "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n"
GPL3 = "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"
BSD3 = ("Redistribution and use in source and binary forms, with or without modification, are "
        "permitted...\n3. Neither the name of the copyright holder nor the names of its contributors")


@pytest.mark.parametrize("text,spdx", [(MIT, "MIT"), (APACHE, "Apache-2.0"), (GPL3, "GPL-3.0"),
                                       (BSD3, "BSD-3-Clause"), ("all rights reserved", None),
                                       ("# SPDX-License-Identifier: BSD-2-Clause\n", "BSD-2-Clause")])
def test_license_text_detection(text, spdx):
    assert detect_license_text(text) == spdx


def test_allow_list_and_expressions():
    assert is_permissive(["MIT"]) and is_permissive(["GPL-3.0", "Apache-2.0"])
    assert not is_permissive(["GPL-3.0"]) and not is_permissive([])
    assert parse_expression("MIT OR Apache-2.0") == ["MIT", "Apache-2.0"]


def test_metadata_licenses():
    from email.message import Message

    m = Message()
    m["Classifier"] = "License :: OSI Approved :: BSD License"
    assert licenses_from_metadata(m) == ["BSD-3-Clause"]
    m2 = Message()
    m2["License-Expression"] = "Apache-2.0 OR MIT"
    assert licenses_from_metadata(m2) == ["Apache-2.0", "MIT"]


def test_languages_cover_the_stack_top_languages():
    for path, lang in [("a.py", "Python"), ("b.JS", "JavaScript"), ("c.cc", "C++"), ("d.go", "Go"),
                       ("e.rs", "Rust"), ("Makefile", "Makefile"), ("f.ipynb", "Jupyter Notebook"),
                       ("g.tsx", "TypeScript"), ("h.kt", "Kotlin"), ("i.sh", "Shell")]:
        assert language_of(path) == lang
    assert language_of("README") is None and language_of("x.so") is None
    from codewright.languages import EXTENSIONS

    assert len(EXTENSIONS) >= 30


def test_stack_record_columns():
    row = stack_record("r", "a/b.py", "x = 1\n", ["MIT"])
    assert list(row) == STACK_SCHEMA.names
    assert row["doc_id"] == doc_id("x = 1\n") and row["lang"] == "Python" and row["size"] == 6


def test_local_ingest_counts_every_file(tmp_path):
    repos = write_corpus(tmp_path / "src")
    assert detect_repository_license(repos["licensed"]) == ["MIT"]
    assert detect_repository_license(repos["nolicense"]) == []
    out = tmp_path / "raw"
    stats = ingest(IngestConfig(source="local", paths=[str(p) for p in repos.values()], workers=1), str(out))
    files = [p for r in repos.values() for p in r.rglob("*") if p.is_file()]
    rows = pq.read_table(out).to_pylist()
    rejected = pq.read_table(out / "_rejected").to_pylist()
    assert stats.files_seen == len(files) == len(rows) + len(rejected)
    reasons = {r["max_stars_repo_path"]: r["reason"] for r in rejected}
    assert reasons["pkg/huge.py"] == "too_large"
    assert reasons["pkg/native.py"] == "binary"
    assert reasons["pkg/latin1.py"] == "invalid_utf8"
    assert reasons["pkg/notes.bin"] == "unknown_extension"
    assert reasons["LICENSE"] == "unknown_extension"
    by_path = {(r["max_stars_repo_name"], r["max_stars_repo_path"]): r for r in rows}
    assert by_path[("licensed", "pkg/config.py")]["max_stars_repo_licenses"] == ["MIT"]
    assert by_path[("nolicense", "tool.py")]["max_stars_repo_licenses"] == []
    assert by_path[("licensed", "pkg/empty.py")]["size"] == 0
    assert by_path[("licensed", "pkg/config.py")]["doc_id"] == by_path[("licensed", "pkg/config_copy.py")]["doc_id"]


def test_local_ingest_parallel_matches_serial(tmp_path):
    repos = write_corpus(tmp_path / "src")
    paths = [str(p) for p in repos.values()]
    ingest(IngestConfig(paths=paths, workers=1), str(tmp_path / "a"))
    ingest(IngestConfig(paths=paths, workers=2), str(tmp_path / "b"))
    assert pq.read_table(tmp_path / "a").equals(pq.read_table(tmp_path / "b"))


def test_missing_local_path_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="does-not-exist"):
        ingest(IngestConfig(paths=[str(tmp_path / "does-not-exist")], workers=1), str(tmp_path / "o"))


def _stack_parquet(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    hub_cols = [c for c in STACK_SCHEMA.names if c != "doc_id"]  # the hub's files lack our doc_id
    pq.write_table(pa.Table.from_pylist(rows, schema=STACK_SCHEMA).select(hub_cols), path)


def test_parquet_source_and_errors(tmp_path):
    rows = [stack_record("r", f"m{i}.py", GOOD_PY + f"\n# {i}\n", ["MIT"]) for i in range(5)]
    _stack_parquet(tmp_path / "in" / "a.parquet", rows)
    stats = ingest(IngestConfig(source="parquet", paths=[str(tmp_path / "in" / "*.parquet")]), str(tmp_path / "out"))
    out = pq.read_table(tmp_path / "out")
    assert stats.rows == 5 and out.column("doc_id").to_pylist() == [r["doc_id"] for r in rows]

    corrupt = tmp_path / "bad" / "corrupt.parquet"
    corrupt.parent.mkdir()
    corrupt.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(SourceError, match="corrupt.parquet"):
        ingest(IngestConfig(source="parquet", paths=[str(corrupt)]), str(tmp_path / "o2"))

    schemaless = tmp_path / "bad" / "other.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), schemaless)
    with pytest.raises(SourceError, match="other.parquet"):
        ingest(IngestConfig(source="parquet", paths=[str(schemaless)]), str(tmp_path / "o3"))


def test_hub_source_on_a_local_dataset_in_the_stacks_layout(tmp_path):
    """The hub code path (datasets.load_dataset(..., streaming=True) over data_dirs) on a local
    folder laid out like bigcode/the-stack-dedup: data/<language>/train-*.parquet."""
    ds = tmp_path / "the-stack-dedup"
    py = [stack_record("r", f"p{i}.py", GOOD_PY + f"# {i}\n", ["MIT"]) for i in range(3)]
    js = [stack_record("r", f"j{i}.js", f"export const x{i} = {i};\n", ["Apache-2.0"]) for i in range(2)]
    _stack_parquet(ds / "data" / "python" / "train-00000-of-00001.parquet", py)
    _stack_parquet(ds / "data" / "javascript" / "train-00000-of-00001.parquet", js)
    stats = ingest(IngestConfig(source="hub", dataset=str(ds), data_dirs=["data/python", "data/javascript"]),
                   str(tmp_path / "out"))
    assert stats.rows == 5 and stats.rows_by_lang == {"Python": 3, "JavaScript": 2}
