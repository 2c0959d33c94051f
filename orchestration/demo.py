"""`make demo`: materialize every asset on the embedded default corpus with the `tiny` preset,
recording the runs in DAGSTER_HOME (so `make ui` shows them), then print a summary."""

from __future__ import annotations

import os
import sys
import time

import dagster as dg

# The embedded corpus is this Python's stdlib plus ~220 installed distributions (~600 MB);
# the demo takes the first files of it (the standard library) to finish in minutes on 2 cores.
DEMO_MAX_FILES = int(os.environ.get("CODEWRIGHT_DEMO_MAX_FILES", "2500"))

SUMMARY_KEYS = {
    "raw_stack_shards": ("files_seen", "rows", "rejected", "MB_per_s"),
    "filtered_code": ("rows_in", "rows_kept", "rows_removed", "removed_by_reason",
                      "near_dedup_bands_x_rows"),
    "pii_scrubbed_code": ("rows_in", "rows_kept", "rows_removed", "findings_by_kind"),
    "tokenizer": ("vocab_size", "held_back_bytes_per_token", "held_back_cl100k_bytes_per_token",
                  "held_back_ratio_vs_cl100k"),
    "tokenized_shards": ("documents", "tokens", "sequences", "bytes_per_token"),
    "checkpoint": ("params", "steps", "final_val_loss", "bits_per_byte",
                   "bits_per_byte_vs_compressors", "tokens_per_second"),
}


def run_config() -> dict:
    return {"ops": {"raw_stack_shards": {"config": {"max_files": DEMO_MAX_FILES}}}}


def main() -> int:
    from orchestration.definitions import defs

    instance = dg.DagsterInstance.get()
    graph = defs.resolve_asset_graph()
    assets = list(defs.assets or []) + list(defs.asset_checks or [])
    print(f"codewright demo: materializing {len(graph.get_all_asset_keys())} assets "
          f"(CODEWRIGHT_HOME={os.environ.get('CODEWRIGHT_HOME')}, DAGSTER_HOME={instance.root_directory})",
          flush=True)
    start = time.perf_counter()
    result = dg.materialize(assets, instance=instance, resources=defs.resources,
                            run_config=run_config(), raise_on_error=False)
    elapsed = time.perf_counter() - start
    print(f"\ncodewright demo: run {result.run_id} {'succeeded' if result.success else 'FAILED'} "
          f"in {elapsed:.0f}s\n")
    for event in result.get_asset_materialization_events():
        mat = event.materialization
        name = mat.asset_key.to_user_string()
        print(f"== {name}")
        meta = mat.metadata
        for key in SUMMARY_KEYS.get(name, ()):
            if key in meta:
                value = meta[key].value
                text = str(value)
                print(f"   {key}: " + ("\n      " + text.replace("\n", "\n      ") if "\n" in text else text))
    for check in result.get_asset_check_evaluations():
        print(f"== check {check.asset_key.to_user_string()}:{check.check_name}: "
              f"{'passed' if check.passed else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
