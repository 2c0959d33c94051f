"""Near-dedup against a corpus whose truth the test computes: exact Jaccard on word 5-grams."""

from __future__ import annotations

import random
import re
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from codewright.near_dedup import find_near_duplicates, lsh_parameters, optimal_bands
from codewright.near_dedup.components import connected_components
from codewright.near_dedup.shingles import shingle_hashes
from codewright.schema import STACK_DDL, stack_record

NGRAM = 5


def shingles(text: str) -> set[tuple[str, ...]]:
    """The issue's definition, written independently of the engine: identifier-like tokens."""
    toks = re.findall(r"[A-Za-z_0-9]+", text)
    if len(toks) < NGRAM:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i : i + NGRAM]) for i in range(len(toks) - NGRAM + 1)}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def stdlib_files(count: int, skip: int = 0) -> list[str]:
    """`count` real source files, pairwise Jaccard < 0.3 (some stdlib modules are near-twins)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    chosen: list[tuple[str, set]] = []
    for path in sorted(root.glob("*.py"))[skip:]:
        text = path.read_text(encoding="utf-8", errors="replace")
        sh = shingles(text)
        if not 3_000 <= len(text) <= 25_000 or len(sh) < 300:
            continue
        if all(len(sh & s) / len(sh | s) < 0.3 for _, s in chosen):
            chosen.append((text, sh))
        if len(chosen) == count:
            break
    assert len(chosen) == count, "not enough distinct stdlib files for the corpus"
    return [text for text, _ in chosen]


def near_copy(text: str, rng: random.Random, low: float = 0.75, high: float = 0.97) -> str:
    """`text` with small line edits, its Jaccard to `text` in [low, high]."""
    lines = text.splitlines()
    for _ in range(200):
        edited = list(lines)
        for _ in range(rng.randint(1, 12)):
            i = rng.randrange(len(edited))
            kind = rng.choice(["replace", "insert", "delete"])
            new = f"    value_{rng.randrange(10**6)} = compute_{rng.randrange(10**6)}(data, {i})"
            if kind == "replace":
                edited[i] = new
            elif kind == "insert":
                edited.insert(i, new)
            else:
                del edited[i]
        copy = "\n".join(edited)
        if low <= jaccard(text, copy) <= high:
            return copy
    raise AssertionError("could not make a near copy in range")


def record(repo: str, path: str, content: str, licenses=("MIT",), stars: int = 0) -> dict:
    return stack_record(repo, path, content, list(licenses), stars=stars)


@pytest.fixture(scope="module")
def corpus():
    """Rows plus the truth: which doc_ids are copies (of which original) and which must stay."""
    rng = random.Random(7)
    originals = stdlib_files(41)
    family_base, originals = originals[0], originals[1:]
    rows, copies, relatives = [], {}, []
    for i, text in enumerate(originals):
        orig = record("upstream", f"orig_{i}.py", text)
        rows.append(orig)
        for k in range(1 + (i % 3 == 0)):  # every third original has two copies
            copy = record("fork", f"copy_{i}_{k}.py", near_copy(text, rng), ("GPL-3.0",), stars=100)
            rows.append(copy)
            copies[copy["doc_id"]] = orig["doc_id"]
    # Relatives: half of one original followed by half of another of similar size (Jaccard
    # ~ 1/3 to each); they share text with originals and copies but must all stay.
    by_size = sorted(range(len(originals)), key=lambda i: len(originals[i]))
    for i, j in zip(by_size[::2], by_size[1::2]):
        a, b = originals[i].splitlines(), originals[j].splitlines()
        text = "\n".join(a[: len(a) // 2] + b[len(b) // 2 :])
        if max(jaccard(text, originals[i]), jaccard(text, originals[j])) > 0.55:
            continue
        rel = record("mix", f"relative_{i}_{j}.py", text)
        rows.append(rel)
        relatives.append(rel["doc_id"])
    assert len(relatives) >= 15
    # A component of 50 copies: a base file and 49 one-line edits of it. Survivor rule: a
    # GPL copy has the most stars, two MIT copies tie on the next most; the smaller doc_id wins.
    family = [record("fam", "base.py", family_base, stars=3)]
    lines = family_base.splitlines()
    for k in range(49):
        edited = list(lines)
        edited[(k * 7) % len(edited)] = f"    variant_{k} = {k}"
        licenses, stars = ("MIT",), k % 5
        if k == 7:
            licenses, stars = ("GPL-3.0",), 1000
        if k in (13, 21):
            stars = 50
        family.append(record("fam", f"variant_{k}.py", "\n".join(edited), licenses, stars))
    rows.extend(family)
    family_survivor = min(family[14]["doc_id"], family[22]["doc_id"])
    # Short documents: token sequences shorter than one shingle. Equal sequences are
    # duplicates (`pass` / `pass\n`); distinct ones must not collapse into one bucket.
    short = [record("short", f"s{i}.py", f"import mod_{i}\n") for i in range(15)]
    short += [record("short", "pass_a.py", "pass"), record("short", "pass_b.py", "pass\n", stars=9)]
    rows.extend(short)
    # Documents without any token: no shingle at all; they must neither match nor be removed.
    empty = [record("empty", f"e{i}.py", text) for i, text in enumerate(["", "\n", "#", "# !!!\n", "()"])]
    rows.extend(empty)
    return {
        "rows": rows, "copies": copies, "relatives": relatives, "originals": originals,
        "family": [r["doc_id"] for r in family], "family_survivor": family_survivor,
        "short_distinct": [r["doc_id"] for r in short[:15]],
        "pass": (short[-2]["doc_id"], short[-1]["doc_id"]), "empty": [r["doc_id"] for r in empty],
    }


def run(spark, rows, partitions: int, **kwargs):
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    try:
        df = spark.createDataFrame(rows, STACK_DDL).repartition(partitions)
        result = find_near_duplicates(df, **kwargs)
        removed = {(r["doc_id"], r["duplicate_of"]) for r in result.duplicates.collect()}
        return result, removed
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous)


@pytest.fixture(scope="module")
def outcome(spark, corpus):
    return run(spark, corpus["rows"], partitions=4)


def test_recall_on_copies_and_nothing_else_removed(corpus, outcome):
    result, removed = outcome
    removed_ids = {doc for doc, _ in removed}
    found = [doc for doc in corpus["copies"] if doc in removed_ids]
    assert len(found) / len(corpus["copies"]) >= 0.95
    # Copies are GPL with stars, originals MIT: the licence rule keeps every original.
    for doc, survivor in removed:
        if doc in corpus["copies"]:
            assert survivor == corpus["copies"][doc]
    assert not removed_ids & set(corpus["relatives"])
    assert not removed_ids & set(corpus["copies"].values())
    assert result.removed == len(removed)
    assert (result.bands, result.rows) == lsh_parameters(0.7, 256) == (36, 7)


def test_component_of_fifty_copies(corpus, outcome):
    result, removed = outcome
    family = corpus["family"]
    removed_family = {doc: survivor for doc, survivor in removed if doc in family}
    assert len(removed_family) == 49
    assert set(removed_family.values()) == {corpus["family_survivor"]}
    assert corpus["family_survivor"] not in removed_family
    assert result.largest_clusters[0]["size"] == 50
    assert result.largest_clusters[0]["survivor"].startswith("fam/variant_")


def test_short_and_empty_documents(corpus, outcome):
    result, removed = outcome
    removed_ids = {doc for doc, _ in removed}
    assert not removed_ids & set(corpus["short_distinct"])
    assert not removed_ids & set(corpus["empty"])
    pass_a, pass_b = corpus["pass"]
    assert (pass_a, pass_b) in removed  # same tokens; pass_b has more stars
    assert result.without_tokens == len(corpus["empty"])
    assert result.short == len(corpus["short_distinct"]) + 2
    assert result.documents == len(corpus["rows"])


def test_same_survivors_whatever_the_partitioning(spark, corpus, outcome):
    first, removed = outcome
    assert first.rounds == 0
    result, again = run(spark, corpus["rows"], partitions=3, local_components_limit=0)
    assert again == removed
    assert result.rounds >= 1  # the DataFrame rounds, where the first run solved on the driver


def test_connected_components_of_a_long_chain(spark):
    rng = random.Random(3)
    names = [f"n{i:03d}" for i in range(40)]
    order = names[:30]
    rng.shuffle(order)  # a path through 30 nodes in scrambled order, plus a triangle
    edges = list(zip(order, order[1:])) + [("n030", "n031"), ("n031", "n032"), ("n032", "n030")]
    df = spark.createDataFrame(edges, "src string, dst string")
    labels, rounds = connected_components(df, lambda frame, name: frame.localCheckpoint(), local_limit=0)
    got = dict(labels.collect())
    assert got == {**{n: "n000" for n in names[:30]}, **{n: "n030" for n in names[30:33]}}
    assert 1 <= rounds <= 8  # pointer jumping: ~log2(30), not 30
    # A graph this small is solved on the driver by default: same labels, no rounds.
    local, rounds = connected_components(df, lambda frame, name: frame.localCheckpoint())
    assert dict(local.collect()) == got and rounds == 0


def test_bad_input_is_named(spark):
    rows = [record("r", "a.py", "x = 1\n"), record("r2", "a.py", "x = 1\n")]
    df = spark.createDataFrame(rows, STACK_DDL)
    with pytest.raises(ValueError, match="doc_id"):
        find_near_duplicates(df)
    with pytest.raises(ValueError, match="max_stars_count"):
        find_near_duplicates(df.drop("max_stars_count"))


def test_shingle_hashes_match_the_definition():
    texts = stdlib_files(3, skip=40) + ["", "a", "a b c d", "a b c d e", "ab\ncd", "é x_1 + y2 ü z3 w4 v5"]
    data = [t.encode("utf-8") for t in texts]
    offsets = np.concatenate(([0], np.cumsum([len(d) for d in data])))
    hashes, doc, counts = shingle_hashes(np.frombuffer(b"".join(data), np.uint8), offsets, NGRAM)
    for i, text in enumerate(texts):
        assert len(set(hashes[doc == i].tolist())) == len(shingles(text))
        assert counts[i] == len(re.findall(r"[A-Za-z_0-9]+", text))


def test_optimal_bands_agree_with_datasketch():
    from datasketch.lsh import _optimal_param

    for threshold, num_perm in [(0.7, 256), (0.85, 256), (0.5, 128), (0.9, 64)]:
        assert optimal_bands(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)
        assert optimal_bands(threshold, num_perm, 0.2, 0.8) == _optimal_param(threshold, num_perm, 0.2, 0.8)


def test_lsh_parameters_favour_recall_near_the_threshold():
    """Tuned for the verification cutoff with false negatives weighted 4x: near-copies just
    above the threshold become candidates almost surely (25 x 10 finds half of them)."""
    from codewright.near_dedup.dedup import verification_cutoff
    from codewright.near_dedup.lsh import collision_probability

    bands, rows = lsh_parameters(0.7, 256)
    assert bands * rows <= 256
    assert collision_probability(0.7, bands, rows) > 0.95 > 0.52 > collision_probability(0.7, 25, 10)
    assert collision_probability(0.3, bands, rows) < 0.01  # unrelated files stay out of the buckets
    assert lsh_parameters(0.7, 256) == optimal_bands(verification_cutoff(0.7, 256), 256, 0.2, 0.8)


def test_explicit_bands_are_checked(spark):
    rows = [record("r", "a.py", "x = 1\n")]
    df = spark.createDataFrame(rows, STACK_DDL)
    with pytest.raises(ValueError, match="bands x rows = 40 x 7"):
        find_near_duplicates(df, bands=40, rows=7)
    with pytest.raises(ValueError, match="both bands and rows"):
        find_near_duplicates(df, bands=40)
