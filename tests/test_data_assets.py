"""raw_stack_shards and filtered_code materialized through Dagster on a corpus of bad inputs."""

from __future__ import annotations

import dagster as dg
import pyarrow.parquet as pq
from dagster_pyspark import PySparkResource

from assets.filtered_code import filtered_code
from assets.raw_stack_shards import raw_stack_shards
from resources.storage import StorageResource
from tests.corpus import write_corpus


def _resources(home):
    # getOrCreate() inside the resource returns the session the `spark` fixture started.
    return {"spark": PySparkResource(spark_config={}), "storage": StorageResource(home=str(home))}


def _raw_config(**config):
    return {"ops": {"raw_stack_shards": {"config": config}}}


def test_materialize_raw_and_filtered_conserves_every_row(spark, tmp_path):
    repos = write_corpus(tmp_path / "src")
    home = tmp_path / "home"
    result = dg.materialize(
        [raw_stack_shards, filtered_code],
        resources=_resources(home),
        run_config=_raw_config(source="local", paths=[str(p) for p in repos.values()]),
    )
    assert result.success
    files = [p for r in repos.values() for p in r.rglob("*") if p.is_file()]
    raw = pq.read_table(home / "raw_stack_shards").to_pylist()
    rejected = pq.read_table(home / "raw_stack_shards" / "_rejected").to_pylist()
    assert len(files) == len(raw) + len(rejected)

    kept = spark.read.parquet(str(home / "filtered_code")).collect()
    removed = spark.read.parquet(str(home / "filtered_code" / "_removed")).collect()
    assert len(raw) == len(kept) + len(removed)
    assert all(r["reason"] for r in removed)

    # config.py, config_copy.py (same bytes) and config_ws.py (same up to whitespace) form one
    # exact-duplicate cluster; all licensed with no stars, the smallest doc_id survives.
    cluster = sorted((r["doc_id"], r["max_stars_repo_path"]) for r in raw
                     if r["max_stars_repo_path"].startswith("pkg/config"))
    survivor_id, survivor_path = cluster[0]
    kept_paths = {r["max_stars_repo_path"] for r in kept}
    assert kept_paths == {survivor_path, "web/emitter.js"}
    reason = {(r["max_stars_repo_name"], r["max_stars_repo_path"]): r for r in removed}
    for _, path in cluster[1:]:
        assert reason[("licensed", path)]["reason"] == "exact_duplicate"
        assert reason[("licensed", path)]["duplicate_of"] == survivor_id
    reason = {k: r["reason"] for k, r in reason.items()}
    assert reason[("nolicense", "tool.py")] == "license"
    assert reason[("licensed", "pkg/empty.py")] == "empty"
    assert reason[("licensed", "pkg/longline.py")] in {"long_lines_mean", "long_line_max"}
    assert reason[("licensed", "pkg/example_pb2.py")] == "auto_generated"
    assert reason[("licensed", "pkg/legacy.py")] in {"python2", "parse_error"}
    assert reason[("licensed", "web/bundle.min.js")] in {"long_line_max", "long_lines_mean", "minified"}

    meta = result.asset_materializations_for_node("filtered_code")[0].metadata
    assert meta["rows_in"].value == len(raw)
    assert meta["rows_kept"].value == 2
    assert "exact_duplicate" in meta["removed_by_reason"].value


def test_allow_unlicensed_keeps_unlicensed_code(spark, tmp_path):
    repos = write_corpus(tmp_path / "src")
    home = tmp_path / "home"
    result = dg.materialize(
        [raw_stack_shards, filtered_code],
        resources=_resources(home),
        run_config={"ops": {"raw_stack_shards": {"config": {"paths": [str(repos["nolicense"])]}},
                            "filtered_code": {"config": {"allow_unlicensed": True}}}},
    )
    assert result.success
    assert spark.read.parquet(str(home / "filtered_code")).count() == 1


def test_corrupt_parquet_source_fails_naming_the_file(tmp_path):
    bad = tmp_path / "shards" / "broken-shard.parquet"
    bad.parent.mkdir()
    bad.write_bytes(b"PAR1garbage")
    home = tmp_path / "home"
    result = dg.materialize(
        [raw_stack_shards],
        resources={"storage": StorageResource(home=str(home))},
        run_config=_raw_config(source="parquet", paths=[str(bad)]),
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert "broken-shard.parquet" in failure.step_failure_data.error.to_string()
    assert not (home / "raw_stack_shards").exists()  # nothing half-written in its place
