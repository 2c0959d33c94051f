"""raw_stack_shards: read a source into Parquet shards and a `_rejected` table, counting everything."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator

from codewright.sources.files import SourceFile, read_source_file
from codewright.sources.local import default_corpus, walk_repository
from codewright.sources.shards import ShardWriter, rejected_writer
from codewright.sources.tables import (SourceError, expand_paths, normalise_row, read_hub_rows,
                                       read_parquet_rows)

log = logging.getLogger(__name__)

SOURCES = ("local", "parquet", "hub")
DEFAULT_HUB_DATASET = "bigcode/the-stack-dedup"


@dataclass
class IngestConfig:
    source: str = "local"
    paths: list[str] = field(default_factory=list)  # local: directories; parquet: files / globs
    dataset: str = DEFAULT_HUB_DATASET
    data_dirs: list[str] = field(default_factory=list)  # hub: one per language, e.g. data/python
    max_files: int | None = None  # cap on inputs seen (demo and tests); None reads everything
    workers: int = 0  # processes reading local files; 0 = one per core

    def validate(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"raw_stack_shards: source must be one of {SOURCES}, got {self.source!r}")
        if self.source == "parquet" and not self.paths:
            raise ValueError("raw_stack_shards: source 'parquet' needs `paths` (files or globs)")
        if self.source == "hub" and not self.dataset:
            raise ValueError("raw_stack_shards: source 'hub' needs `dataset`")


@dataclass
class IngestStats:
    files_seen: int = 0
    rows: int = 0
    bytes: int = 0
    rejected: Counter = field(default_factory=Counter)
    rows_by_lang: Counter = field(default_factory=Counter)
    bytes_by_lang: Counter = field(default_factory=Counter)
    repositories: set = field(default_factory=set)
    unlicensed_repositories: set = field(default_factory=set)
    shards: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


def _read_chunk(files: list[SourceFile]) -> list[tuple[dict | None, dict | None]]:
    return [read_source_file(f) for f in files]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _local_results(files: Iterable[SourceFile], workers: int) -> Iterator[tuple]:
    """Read files in worker processes, in input order (so shards are deterministic)."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        for f in files:
            yield read_source_file(f)
        return
    import multiprocessing

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        # Bounded look-ahead keeps memory flat on corpora of any size.
        window: list = []
        for chunk in _chunks(files, 256):
            window.append(pool.submit(_read_chunk, chunk))
            if len(window) >= workers * 4:
                yield from window.pop(0).result()
        for fut in window:
            yield from fut.result()


def _inputs(cfg: IngestConfig) -> Iterator[tuple]:
    if cfg.source == "local":
        if cfg.paths:
            files: Iterable[SourceFile] = (f for p in cfg.paths for f in walk_repository(p))
        else:
            files = default_corpus()
        if cfg.max_files is not None:
            files = islice(files, cfg.max_files)
        yield from _local_results(files, cfg.workers)
        return
    rows = (read_parquet_rows(expand_paths(cfg.paths)) if cfg.source == "parquet"
            else read_hub_rows(cfg.dataset, cfg.data_dirs, token=os.environ.get("HF_TOKEN")))
    if cfg.max_files is not None:
        rows = islice(rows, cfg.max_files)
    for row in rows:
        yield normalise_row(row)


def ingest(cfg: IngestConfig, out_dir: str,
           progress: Callable[[IngestStats], None] | None = None) -> IngestStats:
    """Write `out_dir/shard-*.parquet` and `out_dir/_rejected/`; return what was counted."""
    cfg.validate()
    stats = IngestStats()
    start = time.perf_counter()
    rows = ShardWriter(out_dir)
    rejected = rejected_writer(os.path.join(out_dir, "_rejected"))
    last_report = start
    try:
        for row, rejection in _inputs(cfg):
            stats.files_seen += 1
            if rejection is not None:
                stats.rejected[rejection["reason"]] += 1
                rejected.write(rejection)
            else:
                rows.write(row)
                stats.rows += 1
                stats.bytes += row["size"]
                stats.rows_by_lang[row["lang"]] += 1
                stats.bytes_by_lang[row["lang"]] += row["size"]
                stats.repositories.add(row["max_stars_repo_name"])
                if not row["max_stars_repo_licenses"]:
                    stats.unlicensed_repositories.add(row["max_stars_repo_name"])
            now = time.perf_counter()
            if progress and now - last_report > 10:
                last_report = now
                progress(stats)
    finally:
        rows.close()
        rejected.close()
    stats.shards = rows.shards
    stats.seconds = time.perf_counter() - start
    return stats


__all__ = ["IngestConfig", "IngestStats", "SourceError", "ingest"]
