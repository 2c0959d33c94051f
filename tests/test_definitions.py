"""The code location loads, and the engine stays free of Dagster."""

from __future__ import annotations

import ast
from pathlib import Path

import codewright


def test_definitions_load_with_lineage():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw_stack_shards", "filtered_code"} <= keys
    filtered = next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "filtered_code")
    assert {p.to_user_string() for p in graph.get(filtered).parent_keys} == {"raw_stack_shards"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name != "default", f"{key} has no group"
    assert defs.get_schedule_def("nightly_data_refresh")


def test_engine_never_imports_dagster():
    root = Path(codewright.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            # dagster_pipes is the dependency-free half of Pipes that a training subprocess
            # uses to report back; it does not pull in dagster itself.
            if any(n.split(".")[0] in {"dagster", "dagster_pyspark", "dagster_webserver"} for n in names):
                offenders.append(str(path.relative_to(root)))
    assert not offenders, f"the engine imports dagster in {offenders}"
