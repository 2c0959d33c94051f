"""Throughput of raw_stack_shards and filtered_code on the embedded default corpus, no caps.

    .venv/bin/python bench/data_filters.py [--max-files N] [--no-near-dedup]

Prints MB/s and files/s for each stage, seconds per filtered_code step, the cost of each
per-document rule measured alone (one core, over every document the rules see), and the peak
memory of the process tree (driver, Spark JVM, Python workers).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.memory import PeakMemory  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-files", type=int, default=None)
    ap.add_argument("--no-near-dedup", action="store_true")
    ap.add_argument("--home", default=None)
    args = ap.parse_args()
    home = args.home or tempfile.mkdtemp(prefix="codewright-bench-")
    os.environ["CODEWRIGHT_HOME"] = home

    from codewright.filters.pipeline import FilterConfig, filter_code
    from codewright.sources.ingest import IngestConfig, ingest
    from codewright.spark import get_or_create_session
    from codewright.storage import asset_path

    print(f"codewright bench: data filters, CODEWRIGHT_HOME={home}, {os.cpu_count()} cores")
    with PeakMemory() as mem_raw:
        stats = ingest(IngestConfig(max_files=args.max_files), asset_path("raw_stack_shards"))
    mb = stats.bytes / 1e6
    print(f"raw_stack_shards: {stats.files_seen:,} files seen, {stats.rows:,} rows ({mb:,.1f} MB), "
          f"{stats.rejected_total:,} rejected {dict(stats.rejected)}")
    print(f"raw_stack_shards: {stats.seconds:.1f}s, {stats.files_seen / stats.seconds:,.0f} files/s, "
          f"{mb / stats.seconds:.2f} MB/s, peak memory {mem_raw.peak_mib:,.0f} MiB")

    spark = get_or_create_session("codewright-bench")
    spark.range(1).count()  # JVM start-up is not the stage's cost
    with PeakMemory() as mem_filter:
        t0 = time.perf_counter()
        outcome = filter_code(spark, asset_path("raw_stack_shards"), asset_path("filtered_code"),
                              asset_path("_work"), FilterConfig(near_dedup=not args.no_near_dedup),
                              log=lambda *_: None)
        seconds = time.perf_counter() - t0
    print(f"filtered_code: {outcome.rows_in:,} rows in, {outcome.kept:,} kept, {outcome.removed:,} removed")
    print(f"filtered_code: {seconds:.1f}s, {outcome.rows_in / seconds:,.0f} files/s, "
          f"{outcome.bytes_in / 1e6 / seconds:.2f} MB/s, peak memory {mem_filter.peak_mib:,.0f} MiB")
    for step, s in outcome.seconds_by_step.items():
        print(f"  step {step:<26} {s:8.1f}s")
    reasons = Counter()
    for r in outcome.by_reason:
        reasons[r["reason"]] += r["rows"]
    for reason, n in reasons.most_common():
        print(f"  {reason:<26} {n:>8,} rows")
    if outcome.near_dedup:
        print(f"  near-dedup bands x rows: {outcome.near_dedup['bands']} x {outcome.near_dedup['rows']}")

    # Each document rule alone, over every document that reaches the rules (one core).
    from codewright.filters.rules import DOCUMENT_RULES, Document

    docs = [
        Document(r["content"], r["lang"], r["ext"], r["max_stars_repo_path"], r["avg_line_length"],
                 r["max_line_length"], r["alphanum_fraction"])
        for r in spark.read.parquet(asset_path("filtered_code")).toLocalIterator()
    ]
    doc_mb = sum(len(d.content.encode()) for d in docs) / 1e6
    print(f"document rules alone on {len(docs):,} kept documents ({doc_mb:.1f} MB), one core:")
    for name, rule in DOCUMENT_RULES:
        t0 = time.perf_counter()
        for d in docs:
            rule(d)
        s = time.perf_counter() - t0
        print(f"  rule {name:<26} {s:8.2f}s  {doc_mb / max(s, 1e-9):10.1f} MB/s")
    spark.stop()


if __name__ == "__main__":
    main()
