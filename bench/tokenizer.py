"""Benchmark the code tokenizer against tiktoken's cl100k_base, measured in the same run.

    .venv/bin/python bench/tokenizer.py [--train-mb 100] [--vocab-size 32768] [--no-naive]

Corpus: pii_scrubbed_code if it has been materialized (CODEWRIGHT_HOME), else source files
read straight from this Python's standard library and site-packages (what the demo corpus
is made of). Documents are held back by the same doc_id split tokenized_shards uses for
validation, so every bytes-per-token figure is on text the tokenizer never saw.
Prints: training time for the training bytes; encoding MB/s ours vs cl100k (both batched
over all cores); bytes per token ours vs cl100k per language; and, for scale, a naive
byte-level BPE (GPT-2's pre-tokenizer) trained on the same bytes with the same vocabulary.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import sysconfig
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

from codewright.languages import language_of  # noqa: E402
from codewright.schema import doc_id  # noqa: E402
from codewright.storage import asset_path  # noqa: E402
from codewright.tokenizer import is_val, iter_batches, train_from_texts  # noqa: E402
from codewright.tokenizer.compare import cl100k, count_cl100k, count_ours  # noqa: E402

HELD_BACK = 0.02
HELD_CAP = {"Python": 4_000_000}  # bytes per language kept for measuring; others 1 MB
MAX_FILE = 500_000  # larger files are mostly data (JSON dumps), which the filters drop anyway


def disk_documents(seed: int = 0):
    """(doc_id, text, lang) for source files of the standard library and site-packages."""
    paths = []
    for root in dict.fromkeys([sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]]):
        for folder, _, names in os.walk(root):
            paths += [os.path.join(folder, n) for n in names if language_of(n)]
    random.Random(seed).shuffle(paths)  # a mix of packages, not the first 100 MB of one
    for path in paths:
        try:
            if os.path.getsize(path) > MAX_FILE:
                continue
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text:
            yield doc_id(text), text, language_of(path)


def corpus_documents():
    folder = asset_path("pii_scrubbed_code")
    if Path(folder).exists():
        print(f"corpus: {folder}")
        for batch in iter_batches(folder):
            yield from zip(batch.doc_ids, batch.texts, batch.langs)
    else:
        print("corpus: standard library + site-packages source files (pii_scrubbed_code not materialized)")
        yield from disk_documents()


def split_corpus(train_bytes: int):
    train, held, sizes = [], defaultdict(list), defaultdict(int)
    total = 0
    for did, text, lang in corpus_documents():
        size = len(text.encode("utf-8", "surrogatepass"))
        if is_val(did, HELD_BACK):
            if sizes[lang] < HELD_CAP.get(lang, 1_000_000):
                held[lang].append(text)
                sizes[lang] += size
        elif total < train_bytes:
            train.append(text)
            total += size
        if total >= train_bytes and sizes["Python"] >= HELD_CAP["Python"]:
            break
    return train, held, total


def naive_bpe(texts: list[str], vocab_size: int) -> Tokenizer:
    """GPT-2's recipe: byte-level BPE with its default (prose) pre-tokenizer."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"], show_progress=False)
    tok.train_from_iterator(batched(texts), trainer)
    return tok


def batched(texts: list[str], n: int = 256):
    return (texts[i:i + n] for i in range(0, len(texts), n))


def throughput(count, texts: list[str], repeat: int = 3) -> float:
    mb = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        count(texts)
        best = min(best, time.perf_counter() - start)
    return mb / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-mb", type=float, default=100)
    parser.add_argument("--vocab-size", type=int, default=32768)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    train, held, train_bytes = split_corpus(int(args.train_mb * 1e6))
    print(f"read {train_bytes / 1e6:.1f} MB for training ({len(train)} documents), held back "
          + ", ".join(f"{lang} {sum(map(len, t)) / 1e6:.2f} MB" for lang, t in held.items())
          + f" in {time.perf_counter() - start:.0f}s; {os.cpu_count()} cores")

    start = time.perf_counter()
    ours = train_from_texts(batched(train), vocab_size=args.vocab_size)
    train_s = time.perf_counter() - start
    print(f"\ntraining: {train_s:.1f}s for {train_bytes / 1e6:.1f} MB "
          f"({train_bytes / 1e6 / train_s:.2f} MB/s), vocabulary {ours.get_vocab_size()}")
    naive = None
    if not args.no_naive:
        start = time.perf_counter()
        naive = naive_bpe(train, args.vocab_size)
        print(f"naive byte-level BPE (GPT-2 pre-tokenizer): {time.perf_counter() - start:.1f}s")

    every = [t for texts in held.values() for t in texts]
    ours_mbs, cl_mbs = throughput(count_ours(ours), every), throughput(count_cl100k, every)
    print(f"\nencoding {sum(map(len, every)) / 1e6:.1f} MB, batched: ours {ours_mbs:.1f} MB/s, "
          f"cl100k_base (tiktoken) {cl_mbs:.1f} MB/s, ratio {ours_mbs / cl_mbs:.2f}")

    print(f"\nbytes per token on held-back documents (vocabulary: ours {ours.get_vocab_size()}, "
          f"cl100k {cl100k().n_vocab}):")
    header = f"{'language':<18}{'docs':>6}{'MB':>7}{'ours':>8}{'cl100k':>8}{'ratio':>7}"
    print(header + (f"{'naive':>8}{'ratio':>7}" if naive else ""))
    rows = sorted(held.items(), key=lambda kv: -sum(map(len, kv[1]))) + [("all", every)]
    for lang, texts in rows:
        nbytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
        a, c = nbytes / count_ours(ours)(texts), nbytes / count_cl100k(texts)
        line = f"{lang:<18}{len(texts):>6}{nbytes / 1e6:>7.2f}{a:>8.3f}{c:>8.3f}{a / c:>7.3f}"
        if naive:
            b = nbytes / count_ours(naive)(texts)
            line += f"{b:>8.3f}{b / c:>7.3f}"
        print(line)


if __name__ == "__main__":
    main()
