"""PII scrubbing: throughput on the embedded default corpus, recall and precision on the labelled set.

    .venv/bin/python bench/pii.py [--max-mb 200] [--no-spark | --spark-only] [--baseline-mb 1]

Corpus: the Python installation's own standard library and site-packages, `.py` files under
1 MB (a seeded random subset up to --max-mb; 0 = all of it). Prints
  - codewright.pii.scrub on one core: MB/s of CPU time (what one core sustains, immune to a busy
    machine) and of wall time;
  - detect-secrets' own line-by-line scan (every plugin, default settings) on --baseline-mb of
    the same files, as the baseline the prefilter is measured against;
  - the Spark stage (write_scrubbed: scan, changes, kept rows, findings, removed) on local[*]: wall MB/s
    in all and per core;
  - recall and precision per kind on the labelled sets (LABELLED_SETS: the self-built one in
    tests/test_pii_labelled.py and the sets written blind by other people; each says whether it
    was later used for tuning) beside BigCode's regex pipeline on its annotated pii-for-code set.
Goal (issue 4): >= 5 MB/s per core; recall >= 0.97 and precision >= 0.95 for every kind.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# BigCode's regex pipeline on its annotated pii-for-code set (precision, recall), as issue 4 quotes it.
BIGCODE = {"email": (0.877, 0.959), "ip_address": (0.804, 0.828), "key": (0.783, 0.529), "password": (None, None)}


def corpus(max_mb: float, seed: int = 0) -> list[tuple[str, str]]:
    files = []
    for key in ("stdlib", "purelib"):
        for folder, _, names in os.walk(sysconfig.get_paths()[key]):
            files += [os.path.join(folder, n) for n in names if n.endswith(".py")]
    files.sort()
    random.Random(seed).shuffle(files)
    out, total = [], 0
    for path in files:
        try:
            if os.path.getsize(path) >= 1_000_000:
                continue
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        out.append((path, text))
        total += len(text.encode("utf-8", "surrogatepass"))
        if max_mb and total >= max_mb * 1e6:
            break
    return out


def mb(texts) -> float:
    return sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6


def bench_scrub(texts: list[str]) -> Counter:
    from codewright.pii import scrub

    counts: Counter = Counter()
    cpu, wall = time.process_time(), time.perf_counter()
    for text in texts:
        counts.update(f.kind for f in scrub(text)[1])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    size = mb(texts)
    print(f"  codewright.pii.scrub, one core: {size / cpu:6.1f} MB/s CPU time, {size / wall:6.1f} MB/s wall "
          f"({size:.1f} MB in {cpu:.1f} s CPU / {wall:.1f} s wall)")
    print(f"    findings: {dict(counts)} in {len(texts):,} files")
    return counts


def bench_detect_secrets(texts: list[str], budget_mb: float) -> float:
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    sample, size = [], 0.0
    for text in texts:
        sample.append(text)
        size += len(text.encode("utf-8", "surrogatepass")) / 1e6
        if size >= budget_mb:
            break
    cpu = time.process_time()
    with default_settings():
        for text in sample:
            for line in text.splitlines():
                for _ in scan_line(line):
                    pass
    cpu = time.process_time() - cpu
    print(f"  baseline detect-secrets scan_line, every plugin, one core: {size / cpu:6.2f} MB/s CPU time "
          f"({size:.1f} MB)")
    return size / cpu


def bench_spark(files: list[tuple[str, str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from codewright.pii.spark import write_scrubbed
    from codewright.schema import STACK_SCHEMA, stack_record
    from codewright.spark import get_or_create_session

    home = Path(os.environ["CODEWRIGHT_HOME"])
    src = home / "filtered_code"
    src.mkdir(parents=True)
    rows = [stack_record("corpus", os.path.relpath(p, "/"), t, ["MIT"]) for p, t in files]
    # Files of 500 rows, as a Spark stage writes them: Spark splits the read into tasks by file
    # (a file is one row group), so the two cores share the work evenly.
    for i in range(0, len(rows), 500):
        pq.write_table(pa.Table.from_pylist(rows[i:i + 500], schema=STACK_SCHEMA), src / f"part-{i // 500:05d}.parquet")
    size = sum(r["size"] for r in rows) / 1e6
    spark = get_or_create_session("codewright-bench-pii", extra={"spark.ui.enabled": "false"})
    cores = spark.sparkContext.defaultParallelism
    # As the asset reads it: the stage reads its input twice (scan, then join), a re-read
    # Parquet scan is cheap, a repartitioned frame would shuffle twice.
    df = spark.read.parquet(str(src))
    # Warm-up on a 1% sample in every partition: JVM code paths and one Python worker per core
    # (each imports detect-secrets once), so the figure is the steady state of a long stage.
    write_scrubbed(df.sample(fraction=0.01, seed=1), str(home / "warmup"), str(home / "_work"))
    wall = time.perf_counter()
    df.write.parquet(str(home / "copy"))  # the floor: the same rows read and written
    copy = time.perf_counter() - wall
    runs = []
    for i in range(2):  # the first run in a session also pays the JVM's JIT warm-up on full-size data
        wall = time.perf_counter()
        outcome = write_scrubbed(df, str(home / f"pii_scrubbed_code_{i}"), str(home / "_work"))
        runs.append(time.perf_counter() - wall)
    for label, wall in (("first run", runs[0]), ("second run", runs[1])):
        print(f"  Spark stage (write_scrubbed) on local[*] with {cores} cores, {label}: {size / wall:6.1f} MB/s wall, "
              f"{size / wall / cores:6.1f} MB/s per core ({size:.1f} MB, {wall:.1f} s); a plain Parquet "
              f"copy of the same rows: {copy:.1f} s, stage / copy = {wall / copy:.1f}x")
    print(f"    rows in {outcome.rows_in:,}, kept {outcome.kept:,}, removed {outcome.removed:,}, "
          f"documents with findings {outcome.documents_with_findings:,}, findings {outcome.findings:,}")
    spark.stop()


# (name, module, function, how it was used): the sets marked "tuned on" were used to fix the
# scrubber, so their figures are optimistic; a set marked "never tuned on" is the honest figure.
LABELLED_SETS = (
    ("labelled (self-built)", "tests.test_pii_labelled", "labelled_documents", "written with the scrubber"),
    ("pii_heldout (blind)", "tests.pii_heldout", "heldout_documents", "blind, then tuned on (round 1)"),
    ("pii_testset (blind)", "tests.pii_testset", "testset_documents", "blind, then tuned on (round 2)"),
    ("pii_testset2 (blind)", "tests.pii_testset2", "testset2_documents", "blind, then tuned on (round 3)"),
    ("pii_testset3 (blind)", "tests.pii_testset3", "testset3_documents", "blind, then tuned on (round 4)"),
    ("pii_testset4 (blind)", "tests.pii_testset4", "testset4_documents", "blind, then tuned on (round 5)"),
    ("pii_testset5 (blind)", "tests.pii_testset5", "testset5_documents", "blind, then tuned on (round 6)"),
    ("pii_testset6 (blind)", "tests.pii_testset6", "testset6_documents", "blind, then tuned on (round 7)"),
    ("pii_testset7 (blind)", "tests.pii_testset7", "testset7_documents", "blind, then tuned on (round 10)"),
    ("pii_testset8 (blind)", "tests.pii_testset8", "testset8_documents", "blind, then tuned on (round 11)"),
    ("pii_testset9 (blind)", "tests.pii_testset9", "testset9_documents", "blind, then tuned on (round 12)"),
    # Measured once on 35022c9 (key 1.000 / 0.981, password 0.974 / 0.958); its misses then prompted
    # the two small fixes of 58ddd5e and 0e1639d, so later figures are slightly optimistic.
    ("pii_testset10 (blind)", "tests.pii_testset10", "testset10_documents", "blind, measured before two fixes it prompted"),
    # Measured once on 33f3d36 (key 0.970 / 0.963, password 0.992 / 0.962, email and ip 1.0 / 1.0),
    # then tuned on (session 4, round 2).
    ("pii_testset11 (blind)", "tests.pii_testset11", "testset11_documents", "blind, then tuned on (session 4 round 2)"),
    # Both measured once on 782f062, then tuned on (session 4 round 4). Set 12 (files found by
    # searching for leaked credentials): email 0.989/1.0, ip 0.987/0.987, key 0.993/0.938,
    # password 0.984/0.940. Set 13 (a crawl, half long-tail languages and formats): email
    # 0.978/1.0, ip 1.0/1.0, key 1.0/0.985, password 0.984/0.938.
    ("pii_testset12 (blind)", "tests.pii_testset12", "testset12_documents", "blind, then tuned on (session 4 round 4)"),
    ("pii_testset13 (blind)", "tests.pii_testset13", "testset13_documents", "blind, then tuned on (session 4 round 4)"),
    # Both measured once on 0396e9a, then tuned on (session 4 round 6). Set 14 (a crawl, like 11):
    # email 1.0/1.0, ip 1.0/0.975, key 1.0/1.0, password 0.983/0.952. Set 15 (leak search, like
    # 12): email 1.0/1.0, ip 1.0/1.0, key 0.965/0.979, password 1.0/0.946.
    ("pii_testset14 (blind)", "tests.pii_testset14", "testset14_documents", "blind, then tuned on (session 4 round 6)"),
    ("pii_testset15 (blind)", "tests.pii_testset15", "testset15_documents", "blind, then tuned on (session 4 round 6)"),
    # Both measured once on 873ac7a, then tuned on (session 4 round 8). Set 16 (a crawl): email
    # 0.989/1.0, ip 1.0/1.0, key 0.992/1.0, password 0.992/0.938. Set 17 (leak search): email
    # 0.977/0.977, ip 1.0/1.0, key 1.0/0.978, password 1.0/0.978.
    ("pii_testset16 (blind)", "tests.pii_testset16", "testset16_documents", "blind, then tuned on (session 4 round 8)"),
    ("pii_testset17 (blind)", "tests.pii_testset17", "testset17_documents", "blind, then tuned on (session 4 round 8)"),
    # Both measured once on ff8dfe0, then tuned on (session 4 round 9). Set 18 (a crawl): email
    # 1.0/1.0, ip 1.0/1.0, key 1.0/0.967, password 0.984/0.984. Set 19 (leak search): email
    # 1.0/1.0, ip 1.0/1.0, key 1.0/0.968, password 0.985/0.963.
    ("pii_testset18 (blind)", "tests.pii_testset18", "testset18_documents", "blind, then tuned on (session 4 round 9)"),
    ("pii_testset19 (blind)", "tests.pii_testset19", "testset19_documents", "blind, then tuned on (session 4 round 9)"),
    # Measured on cb47967 and not tuned on: the unseen figures of the code as session 4 left it.
    # Set 20 (a crawl): email 1.0/1.0, ip 1.0/1.0, key 0.984/0.984, password 0.992/0.984. Set 21
    # (leak search): email 1.0/1.0, ip 1.0/1.0, key 1.0/0.993, password 0.992/0.977.
    ("pii_testset20 (blind)", "tests.pii_testset20", "testset20_documents", "blind, not tuned on (measured on cb47967)"),
    ("pii_testset21 (blind)", "tests.pii_testset21", "testset21_documents", "blind, not tuned on (measured on cb47967)"),
)


def bench_labelled() -> None:
    import importlib

    from codewright.pii import scan
    from tests.test_pii_labelled import misses, score

    for name, module, function, use in LABELLED_SETS:
        docs = getattr(importlib.import_module(module), function)()
        planted = Counter(k for d in docs for k, _, _ in d.spans)
        print(f"  {name}: {len(docs)} documents, planted {dict(planted)}; {use}")
        print(f"  {'kind':<11} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>4} {'fn':>4}   BigCode P / R")
        for kind, row in score(scan, docs).items():
            bp, br = BIGCODE[kind]
            anchor = f"{bp:.3f} / {br:.3f}" if bp is not None else "   n/a"
            print(f"  {kind:<11} {row['precision']:9.3f} {row['recall']:7.3f} {row['tp']:5d} {row['fp']:4d} "
                  f"{row['fn']:4d}   {anchor}")
        for line in misses(scan, docs)[:10]:
            print("   ", line[:160].replace("\n", "\\n"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-mb", type=float, default=200, help="corpus cap in MB (0: everything)")
    ap.add_argument("--baseline-mb", type=float, default=1.0)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--spark-only", action="store_true", help="only the Spark stage")
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="codewright-bench-pii-")
    os.environ["CODEWRIGHT_HOME"] = home
    try:
        files = corpus(args.max_mb)
        texts = [t for _, t in files]
        print(f"codewright bench: pii, {os.cpu_count()} cores, corpus {len(files):,} .py files, "
              f"{mb(texts):.1f} MB (stdlib + site-packages{', capped' if args.max_mb else ''})")
        if not args.spark_only:
            bench_scrub(texts)
            bench_detect_secrets(texts, args.baseline_mb)
        if not args.no_spark:
            bench_spark(files)
        if not args.spark_only:
            bench_labelled()
        print("  goal: >= 5 MB/s per core; recall >= 0.97, precision >= 0.95 for every kind")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
