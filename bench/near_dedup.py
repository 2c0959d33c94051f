"""Near-dedup benchmark: codewright (Spark) vs datasketch vs datatrove, on the same documents.

    .venv/bin/python bench/near_dedup.py [--max-mb N] [--no-datatrove-default]

Corpus: raw_stack_shards under CODEWRIGHT_HOME if it holds Parquet, else the embedded default
corpus (this Python's stdlib and site-packages .py files under 1 MB), exact-deduplicated by
doc_id, written as Parquet shards that every method reads. Each method runs in its own
process; we poll the resident memory of its whole process tree (JVM and Python workers
included) for the peak. datatrove goes into its own virtual environment (/tmp/datatrove-venv),
installed on first use. Quality: precision of each method's (removed, survivor) pairs and
recall of same-cluster pairs, both against exact word-5-gram Jaccard >= 0.7 on a sample of
the candidate pairs that any method produced.

This file is also the per-method runner (`--method NAME`), so it imports only the standard
library at the top: the datatrove runner executes it with datatrove's interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

THRESHOLD, NUM_PERM, NGRAM, SEED = 0.7, 256, 5, 42
ROOT = Path(__file__).resolve().parents[1]
DATATROVE_VENV = Path("/tmp/datatrove-venv")
SHARDS = 8  # Parquet files, so datatrove's readers can split the corpus over its 2 workers


# ---------------------------------------------------------------- corpus (main venv)


def build_corpus(out: Path, max_mb: float | None) -> tuple[int, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(ROOT))
    from codewright.schema import doc_id
    from codewright.storage import asset_path

    raw = Path(asset_path("raw_stack_shards"))
    seen, rows, total = set(), [], 0
    if raw.is_dir() and any(raw.rglob("*.parquet")):
        print(f"corpus: {raw}")
        files = [f for f in sorted(raw.rglob("*.parquet")) if "_rejected" not in f.parts]
        table = pa.concat_tables(
            [pq.read_table(f, columns=["doc_id", "content", "max_stars_repo_path"]) for f in files]
        )
        records = table.to_pylist()
    else:
        import sysconfig

        roots = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]]
        print(f"corpus: .py files < 1 MB under {roots}")
        records = []
        for root in roots:
            for folder, _, names in sorted(os.walk(root)):
                for name in sorted(names):
                    path = os.path.join(folder, name)
                    if name.endswith(".py") and os.path.getsize(path) < 1 << 20:
                        text = Path(path).read_text(encoding="utf-8", errors="replace")
                        records.append({"doc_id": doc_id(text), "content": text, "max_stars_repo_path": path})
    for rec in records:
        if rec["doc_id"] in seen:
            continue  # exact duplicates: near-dedup runs after exact dedup
        seen.add(rec["doc_id"])
        rows.append(rec)
        total += len(rec["content"].encode("utf-8", "surrogatepass"))
        if max_mb and total >= max_mb * 1e6:
            break
    out.mkdir(parents=True, exist_ok=True)
    for i in range(SHARDS):
        part = rows[i::SHARDS]
        pq.write_table(
            pa.table(
                {
                    "doc_id": [r["doc_id"] for r in part],
                    "content": [r["content"] for r in part],
                    "max_stars_repo_path": [r["max_stars_repo_path"] for r in part],
                }
            ),
            out / f"part-{i:02d}.parquet",
        )
    return len(rows), total


# ---------------------------------------------------------------- methods (own processes)


def run_ours(corpus: Path, out: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from pyspark.sql import functions as F

    from codewright.near_dedup import find_near_duplicates
    from codewright.spark import get_or_create_session

    spark = get_or_create_session(
        "bench-near-dedup", extra={"spark.master": "local[2]", "spark.ui.enabled": "false"}
    )
    start = time.perf_counter()
    df = spark.read.parquet(str(corpus)).select(
        "doc_id", "content", F.lit("Python").alias("lang"), "max_stars_repo_path",
        F.array(F.lit("MIT")).alias("max_stars_repo_licenses"), F.lit(0).cast("bigint").alias("max_stars_count"),
    )
    result = find_near_duplicates(df, threshold=THRESHOLD, num_perm=NUM_PERM, ngram=NGRAM, seed=SEED)
    removed = [(r["doc_id"], r["duplicate_of"]) for r in result.duplicates.collect()]
    seconds = time.perf_counter() - start
    pairs = [(r["src"], r["dst"]) for r in result.pairs.select("src", "dst").collect()]
    clusters: dict[str, list[str]] = {}
    for doc, survivor in removed:
        clusters.setdefault(survivor, [survivor]).append(doc)
    return {"seconds": seconds, "clusters": list(clusters.values()), "candidates": pairs,
            "note": f"b x r = {result.bands} x {result.rows}, CC rounds {result.rounds}"}


def _docs(corpus: Path):
    import pyarrow.parquet as pq

    for f in sorted(corpus.glob("*.parquet")):
        table = pq.read_table(f, columns=["doc_id", "content"])
        yield from zip(table.column("doc_id").to_pylist(), table.column("content").to_pylist())


def run_datasketch(corpus: Path, out: Path) -> dict:
    """datasketch as BigCode's near-dedup used it: LSH query, union of all candidates."""
    import re

    from datasketch import MinHash, MinHashLSH

    token = re.compile(r"[A-Za-z_0-9]+")
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    ids, sketches = [], []
    for doc, text in _docs(corpus):
        toks = token.findall(text)
        if not toks:
            continue
        grams = (
            {" ".join(toks[i : i + NGRAM]) for i in range(len(toks) - NGRAM + 1)}
            if len(toks) >= NGRAM else {" ".join(toks)}
        )
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([g.encode("utf-8", "surrogatepass") for g in grams])
        lsh.insert(doc, m, check_duplication=False)
        ids.append(doc)
        sketches.append(m)
    parent = {d: d for d in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    candidates = []
    for doc, m in zip(ids, sketches):
        for other in lsh.query(m):
            if other != doc:
                candidates.append((doc, other))
                a, b = find(doc), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    clusters: dict[str, list[str]] = {}
    for d in ids:
        clusters.setdefault(find(d), []).append(d)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "clusters": [c for c in clusters.values() if len(c) > 1],
            "candidates": candidates, "note": f"b x r = {lsh.b} x {lsh.r}, no verification"}


def run_datatrove(corpus: Path, out: Path, closest: bool, bands: int, rows: int) -> dict:
    import re
    import struct

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import ParquetReader
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.text import TextNormConfig
    from datatrove.utils.word_tokenizers import WordTokenizer

    class IdentifierTokenizer(WordTokenizer):
        """Our tokens ([A-Za-z_0-9]+) instead of spaCy's English word tokenizer."""

        pattern = re.compile(r"[A-Za-z_0-9]+")

        def word_tokenize(self, text):
            return self.pattern.findall(text)

        def sent_tokenize(self, text):
            return [text]

        def span_tokenize(self, text):
            return [(0, len(text))]

    class RecordIds(PipelineStep):
        """Writes each rank's doc_ids in reading order: datatrove's outputs name (rank, index)."""

        name = "record ids"

        def run(self, data, rank=0, world_size=1):
            with open(out / f"ids_{rank:05d}.txt", "w") as f:
                for doc in data:
                    f.write(doc.id + "\n")
                    yield doc

    if closest:
        config = MinhashConfig(
            n_grams=NGRAM, num_buckets=bands, hashes_per_bucket=rows, seed=SEED,
            norm_config=TextNormConfig(
                lowercase=False, norm_whitespace=False, remove_punctuation=False,
                norm_unicode_diacritics=False, norm_numbers=False,
            ),
            hash_config=HashConfig(precision=32),
        )
        language = IdentifierTokenizer()
    else:
        config, language = MinhashConfig(), "eng"
    start = time.perf_counter()
    logs = str(out / "logs")
    LocalPipelineExecutor(
        pipeline=[
            ParquetReader(str(corpus), text_key="content", id_key="doc_id"),
            RecordIds(),
            MinhashDedupSignature(output_folder=str(out / "sigs"), config=config, language=language),
        ],
        tasks=SHARDS, workers=2, logging_dir=logs + "/1",
    ).run()
    LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(str(out / "sigs"), str(out / "buckets"), config=config)],
        tasks=config.num_buckets, workers=2, logging_dir=logs + "/2",
    ).run()
    LocalPipelineExecutor(
        pipeline=[MinhashDedupCluster(str(out / "buckets"), str(out / "clusters"), config=config, save_cluster_id=True)],
        tasks=1, logging_dir=logs + "/3",
    ).run()
    seconds = time.perf_counter() - start

    ids = {int(p.stem.split("_")[1]): p.read_text().splitlines() for p in out.glob("ids_*.txt")}
    clusters: dict[int, list[str]] = {}
    for f in (out / "clusters").glob("*.clusters"):
        raw = f.read_bytes()
        for doc, cluster in struct.iter_unpack("<II", raw):
            clusters.setdefault(cluster, []).append(ids[int(f.stem)][doc])
    candidates = []
    for f in (out / "buckets").glob("*.dups"):
        for f1, d1, f2, d2 in struct.iter_unpack("<4I", f.read_bytes()):
            candidates.append((ids[f1][d1], ids[f2][d2]))
    note = (f"{bands} x {rows} as ours, 5-grams of [A-Za-z_0-9]+, no normalisation" if closest
            else f"{config.num_buckets} x {config.hashes_per_bucket}, spaCy words, normalised")
    return {"seconds": seconds, "clusters": [c for c in clusters.values() if len(c) > 1],
            "candidates": candidates, "note": note}


# ---------------------------------------------------------------- driver (main venv)


def ensure_datatrove() -> Path:
    python = DATATROVE_VENV / "bin" / "python"
    if not python.exists() or subprocess.run([python, "-c", "import datatrove, spacy, xxhash, pyarrow"]).returncode:
        subprocess.run(["uv", "venv", "-p", "3.11", str(DATATROVE_VENV)], check=True)
        subprocess.run(
            ["uv", "pip", "install", "--python", str(python), "datatrove", "tokenizers", "xxhash<4",
             "spacy", "regex", "pyarrow"],
            check=True,
        )
    return python


def measured(cmd: list[str], out: Path) -> dict:
    """Run one method's process; its result plus the peak RSS of its process tree."""
    import psutil

    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(cmd, cwd=ROOT)
    peak, cpu, done = 0, {}, threading.Event()

    def poll():
        # CPU seconds per process, last seen: the machine is shared, so wall time alone
        # mixes in other people's load; CPU time of the tree does not.
        nonlocal peak
        parent = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
                for p in tree:
                    times = p.cpu_times()
                    cpu[p.pid] = times.user + times.system
            except psutil.Error:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # Ctrl-C skips a method that runs too long; the others still count
        for child in [*psutil.Process(proc.pid).children(recursive=True), proc]:
            child.kill()
        proc.wait()
        return None
    finally:
        done.set()
        watcher.join()
    if code:
        raise SystemExit(f"{cmd[2:]} failed with exit code {code}")
    result = json.loads((out / "result.json").read_text())
    result["peak_bytes"] = peak
    result["cpu_seconds"] = sum(cpu.values())
    return result


def quality(results: dict, corpus: Path, sample: int = 2000) -> None:
    """Precision of (removed, survivor) pairs and recall of same-cluster pairs vs exact Jaccard."""
    sys.path.insert(0, str(ROOT))
    from codewright.near_dedup import word_shingles

    rng = random.Random(0)
    removed_pairs, cluster_of = {}, {}
    for name, res in results.items():
        pairs, where = [], {}
        for i, cluster in enumerate(res["clusters"]):
            survivor = min(cluster)
            pairs += [(d, survivor) for d in cluster if d != survivor]
            where.update({d: i for d in cluster})
        removed_pairs[name], cluster_of[name] = pairs, where
    pool = {tuple(sorted(p)) for res in results.values() for p in res["candidates"]}
    pool = rng.sample(sorted(pool), min(len(pool), 3 * sample))
    needed = {d for p in pool for d in p}
    picked = {name: rng.sample(p, min(len(p), sample)) for name, p in removed_pairs.items()}
    needed |= {d for p in picked.values() for pair in p for d in pair}
    texts = {d: t for d, t in _docs(corpus) if d in needed}
    shingles: dict[str, set] = {}

    def jaccard(a, b):
        sa = shingles.setdefault(a, word_shingles(texts[a], NGRAM))
        sb = shingles.setdefault(b, word_shingles(texts[b], NGRAM))
        return len(sa & sb) / max(1, len(sa | sb))

    true_pairs = [p for p in pool if jaccard(*p) >= THRESHOLD]
    print(f"\nquality: {len(pool)} sampled candidate pairs, {len(true_pairs)} with Jaccard >= {THRESHOLD}")
    for name in results:
        p = picked[name]
        precision = sum(jaccard(a, b) >= THRESHOLD for a, b in p) / max(1, len(p))
        where = cluster_of[name]
        recall = sum(
            a in where and where.get(a) == where.get(b) for a, b in true_pairs
        ) / max(1, len(true_pairs))
        results[name]["precision"], results[name]["recall"] = precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-mb", type=float, help="cap the corpus (default: no cap)")
    parser.add_argument("--workdir", default="/tmp/bench-near-dedup")
    parser.add_argument("--no-datatrove-default", action="store_true", help="skip datatrove's spaCy config")
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--bands", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.method:  # a runner process
        corpus, out = Path(args.corpus), Path(args.out)
        runners = {
            "ours": lambda: run_ours(corpus, out),
            "datasketch": lambda: run_datasketch(corpus, out),
            "datatrove-default": lambda: run_datatrove(corpus, out, False, args.bands, args.rows),
            "datatrove-closest": lambda: run_datatrove(corpus, out, True, args.bands, args.rows),
        }
        (out / "result.json").write_text(json.dumps(runners[args.method]()))
        return

    work = Path(args.workdir)
    subprocess.run(["rm", "-rf", str(work)], check=True)
    corpus = work / "corpus"
    docs, size = build_corpus(corpus, args.max_mb)
    print(f"{docs} documents, {size / 1e6:.1f} MB after exact dedup; load average {os.getloadavg()[0]:.1f}")
    methods = {
        "ours (Spark local[2])": (sys.executable, "ours"),
        "datasketch (1 process)": (sys.executable, "datasketch"),
    }
    python = str(ensure_datatrove())
    methods["datatrove closest (2 workers)"] = (python, "datatrove-closest")
    if not args.no_datatrove_default:  # last: spaCy makes it by far the slowest
        methods["datatrove default (2 workers)"] = (python, "datatrove-default")
    sys.path.insert(0, str(ROOT))
    from codewright.near_dedup import lsh_parameters

    bands, rows = lsh_parameters(THRESHOLD, NUM_PERM)  # ours; datatrove's closest configuration too
    results = {}
    for name, (interpreter, method) in methods.items():
        out = work / method
        cmd = [interpreter, __file__, "--method", method, "--corpus", str(corpus), "--out", str(out),
               "--bands", str(bands), "--rows", str(rows)]
        r = measured(cmd, out)
        if r is None:
            print(f"{name}: interrupted, left out", flush=True)
            continue
        results[name] = r
        print(
            f"{name}: {r['seconds']:.1f} s, {r['cpu_seconds']:.0f} CPU s, peak {r['peak_bytes'] / 2**30:.2f} GiB "
            f"({r['note']}); load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    quality(results, corpus)

    base = results["datatrove closest (2 workers)"]
    print(
        f"\n{'method':32} {'docs/s':>8} {'MB/s':>7} {'MB/CPU-s':>9} {'peak GiB':>9} {'precision':>9} "
        f"{'recall':>7} {'removed':>8} {'x datatrove closest (wall, CPU)':>32}"
    )
    for name, r in results.items():
        removed = sum(len(c) - 1 for c in r["clusters"])
        print(
            f"{name:32} {docs / r['seconds']:8.0f} {size / 1e6 / r['seconds']:7.2f} "
            f"{size / 1e6 / r['cpu_seconds']:9.2f} {r['peak_bytes'] / 2**30:9.2f} {r['precision']:9.3f} "
            f"{r['recall']:7.3f} {removed:8d} {base['seconds'] / r['seconds']:15.2f}x "
            f"{base['cpu_seconds'] / r['cpu_seconds']:14.2f}x"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
