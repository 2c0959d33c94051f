"""The pii_scrubbed_code stage on Spark and its Dagster asset with the blocking check."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from codewright.schema import STACK_COLUMNS, STACK_SCHEMA, line_stats, stack_record

LEAKY = (
    'EMAIL = "jane.doe@acme-corp.com"\n'
    'UPSTREAM = "52.14.88.201"\n'
    'token = "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"\n'
    'password = "hunter2!"\n'
)
CLEAN = 'def add(a, b):\n    """Add; see https://docs.python.org."""\n    return a + b\n'


def _rows():
    return [
        stack_record("acme/api", "settings.py", LEAKY, ["MIT"]),
        stack_record("acme/api", "util.py", CLEAN, ["MIT"]),
        stack_record("acme/web", "server.js", 'const ip = "34.201.12.7"; // café ✓\n', ["Apache-2.0"]),
    ]


def _write_filtered_code(home) -> list[dict]:
    rows = _rows()
    folder = home / "filtered_code"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=STACK_SCHEMA), folder / "part-0.parquet")
    # Spark skips `_`-prefixed folders: the upstream's removed rows must not leak in.
    (folder / "_removed").mkdir()
    pq.write_table(pa.Table.from_pylist([stack_record("x/y", "z.py", LEAKY + "#", ["MIT"])], schema=STACK_SCHEMA),
                   folder / "_removed" / "part-0.parquet")
    return rows


def test_scan_error_is_caught_and_reported():
    from codewright.pii.spark import _scan_one

    change = _scan_one(b"not text")  # scrub raises on bytes
    assert change["kinds"] == [] and change["error"].startswith(("TypeError", "AttributeError"))
    assert _scan_one(CLEAN) is None  # nothing to scrub: nothing sent back


def test_scan_error_row_is_removed_with_reason(spark):
    """A document whose scan failed leaves the kept rows for `_removed`, reason and error kept."""
    from codewright.pii.spark import SCAN_ERROR, _CHANGES_DDL, _summarise, apply_changes

    rows = _rows()
    df = spark.createDataFrame(pa.Table.from_pylist(rows, schema=STACK_SCHEMA).to_pandas())
    bad = rows[1]["doc_id"]
    changes = spark.createDataFrame(
        [(bad, "Python", None, None, None, None, None, [], [], [], "ValueError: boom")], _CHANGES_DDL
    )
    kept, findings, removed = apply_changes(df, changes)
    assert sorted(r["doc_id"] for r in kept.collect()) == sorted(r["doc_id"] for r in rows if r["doc_id"] != bad)
    (row,) = removed.collect()
    assert (row["doc_id"], row["reason"], row["error"], row["content"]) == (bad, SCAN_ERROR, "ValueError: boom", CLEAN)
    assert findings.count() == 0
    assert _summarise(changes) == {"errors": 1, "documents": 0, "findings": 0, "by_kind_and_language": []}


def test_duplicate_doc_ids_are_not_multiplied(spark):
    """doc_id is a hash of the content: two rows with one doc_id share one change."""
    from codewright.pii.spark import scrub_dataframe

    rows = _rows()
    df = spark.createDataFrame(pa.Table.from_pylist([rows[0], rows[0], rows[1]], schema=STACK_SCHEMA).to_pandas())
    kept, findings = scrub_dataframe(df)
    got = kept.collect()
    assert len(got) == 3 and sum("<EMAIL>" in r["content"] for r in got) == 2
    assert findings.count() == 4


def test_scrub_dataframe_keeps_schema_and_doc_id(spark):
    from codewright.pii.spark import scrub_dataframe

    rows = _rows()
    df = spark.createDataFrame(pa.Table.from_pylist(rows, schema=STACK_SCHEMA).to_pandas())
    kept, findings = scrub_dataframe(df)
    assert kept.columns == STACK_COLUMNS
    got = {r["doc_id"]: r.asDict() for r in kept.collect()}
    assert set(got) == {r["doc_id"] for r in rows}
    leaky = got[rows[0]["doc_id"]]
    assert leaky["content"] == 'EMAIL = "<EMAIL>"\nUPSTREAM = "<IP_ADDRESS>"\ntoken = "<KEY>"\npassword = "<PASSWORD>"\n'
    assert leaky["size"] == len(leaky["content"].encode())
    assert (leaky["avg_line_length"], leaky["max_line_length"], leaky["alphanum_fraction"]) == line_stats(leaky["content"])
    assert got[rows[1]["doc_id"]]["content"] == CLEAN
    found = sorted((r["doc_id"], r["kind"], r["start"], r["end"]) for r in findings.collect())
    assert [k for d, k, _, _ in found if d == rows[0]["doc_id"]] == ["email", "ip_address", "key", "password"]
    for d, kind, start, end in found:
        source = next(r["content"] for r in rows if r["doc_id"] == d)
        assert 0 <= start < end <= len(source)
    assert set(findings.columns) == {"doc_id", "kind", "start", "end"}


def test_asset_writes_outputs_and_blocking_check_passes(spark, home):
    import dagster as dg
    from dagster_pyspark import PySparkResource

    from assets.pii_scrubbed_code import PII_ASSETS, PII_CHECKS
    from resources.storage import StorageResource

    rows = _write_filtered_code(home)
    result = dg.materialize(
        [*PII_ASSETS, *PII_CHECKS],
        resources={"spark": PySparkResource(spark_config={"spark.app.name": "codewright-tests"}),
                   "storage": StorageResource(home=str(home))},
    )
    assert result.success
    meta = result.asset_materializations_for_node("pii_scrubbed_code")[0].metadata
    assert (meta["rows_in"].value, meta["rows_kept"].value, meta["rows_removed"].value) == (3, 3, 0)
    assert meta["documents_with_findings"].value == 2
    table = meta["findings_by_kind_and_language"].value
    assert "| key | Python | 1 | 1 |" in table and "| ip_address | JavaScript | 1 | 1 |" in table
    (check,) = result.get_asset_check_evaluations()
    assert check.passed and check.metadata["documents_sampled"].value == 3

    out = home / "pii_scrubbed_code"
    kept = pq.read_table(out).to_pylist()  # pyarrow, like Spark, skips `_` folders
    assert sorted(r["doc_id"] for r in kept) == sorted(r["doc_id"] for r in rows)
    assert all("jane.doe" not in r["content"] and "hunter2" not in r["content"] for r in kept)
    findings = pq.read_table(out / "_findings")
    assert findings.column_names == ["doc_id", "kind", "start", "end"] and findings.num_rows == 5
    assert "reason" in pq.read_table(out / "_removed").column_names
    assert not list((home / "_work").glob("pii_scan-*"))  # scratch removed


def test_blocking_check_fails_on_a_leak(spark, home):
    from dagster_pyspark import PySparkResource

    from assets.pii_scrubbed_code import pii_scrubbed_code_is_clean
    from resources.storage import StorageResource

    rows = _rows()
    (home / "pii_scrubbed_code").mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=STACK_SCHEMA), home / "pii_scrubbed_code" / "part-0.parquet")
    result = pii_scrubbed_code_is_clean(
        spark=PySparkResource(spark_config={"spark.app.name": "codewright-tests"}),
        storage=StorageResource(home=str(home)),
    )
    assert not result.passed
    assert result.metadata["documents_with_findings"].value == 2
    examples = result.metadata["examples"].value
    assert "hunter2" not in examples and "jane.doe" not in examples  # positions, never secrets


def test_missing_upstream_is_a_clear_error(spark, home):
    from codewright.pii.spark import write_scrubbed

    with pytest.raises(Exception, match="filtered_code"):
        write_scrubbed(spark.read.parquet(str(home / "filtered_code")), str(home / "out"), str(home / "_work"))
