"""Rows that arrive already in The Stack's schema: local Parquet files and the Hugging Face hub."""

from __future__ import annotations

import glob
import os
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from codewright.languages import language_of
from codewright.schema import STACK_COLUMNS, stack_record
from codewright.sources.files import MAX_FILE_BYTES

# The columns a table must have for its rows to be usable; the rest are recomputed if absent.
REQUIRED = ("content", "max_stars_repo_path", "max_stars_repo_name")


class SourceError(ValueError):
    """An input that cannot be read at all (corrupt file, wrong schema): fails the stage."""


def expand_paths(patterns: Iterable[str]) -> list[str]:
    files: list[str] = []
    for pattern in patterns:
        if os.path.isdir(pattern):
            matches = sorted(glob.glob(os.path.join(pattern, "**", "*.parquet"), recursive=True))
        else:
            matches = sorted(glob.glob(pattern, recursive=True))
        if not matches:
            raise SourceError(f"raw_stack_shards: no Parquet files match {pattern!r}")
        files.extend(matches)
    return files


def normalise_row(row: dict) -> tuple[dict | None, dict | None]:
    """A Stack-like row -> (row in STACK_SCHEMA, None) or (None, rejection)."""
    content = row.get("content")
    repo = row.get("max_stars_repo_name") or ""
    path = row.get("max_stars_repo_path") or ""
    if not isinstance(content, str):
        return None, {"max_stars_repo_name": repo, "max_stars_repo_path": path, "size": -1,
                      "reason": "no_content"}
    size = len(content.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return None, {"max_stars_repo_name": repo, "max_stars_repo_path": path, "size": size,
                      "reason": "too_large"}
    if "\0" in content:
        return None, {"max_stars_repo_name": repo, "max_stars_repo_path": path, "size": size,
                      "reason": "binary"}
    licenses = row.get("max_stars_repo_licenses") or []
    out = stack_record(repo, path, content, list(licenses),
                       lang=row.get("lang") or language_of(path) or "",
                       stars=int(row.get("max_stars_count") or 0))
    # Keep the source's own hexsha/ext when given (the hub's values are authoritative).
    for key in ("hexsha", "ext"):
        if row.get(key):
            out[key] = row[key]
    return out, None


def read_parquet_rows(files: list[str], batch_rows: int = 2048) -> Iterator[dict]:
    """Stack rows from Parquet files; a corrupt or schema-less file raises naming the file."""
    for path in files:
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceError(f"raw_stack_shards: cannot read Parquet file {path!r}: {exc}") from exc
        missing = [c for c in REQUIRED if c not in pf.schema_arrow.names]
        if missing:
            raise SourceError(
                f"raw_stack_shards: Parquet file {path!r} lacks The Stack's columns {missing}; "
                f"expected at least {list(REQUIRED)} (full schema: {STACK_COLUMNS})"
            )
        try:
            for batch in pf.iter_batches(batch_size=batch_rows):
                yield from batch.to_pylist()
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceError(f"raw_stack_shards: Parquet file {path!r} is corrupt: {exc}") from exc


def read_hub_rows(dataset: str, data_dirs: list[str], split: str = "train",
                  token: str | None = None) -> Iterator[dict]:
    """Stream a hub dataset in The Stack's layout (one data_dir per language), never downloading
    it whole. `dataset` may also be a local folder in the same layout: the same code path."""
    from datasets import load_dataset

    for data_dir in data_dirs or [None]:
        stream = load_dataset(dataset, data_dir=data_dir, split=split, streaming=True, token=token)
        yield from stream
