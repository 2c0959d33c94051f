"""Turning one file on disk into a Stack row, or a rejection with a reason."""

from __future__ import annotations

import os
from dataclasses import dataclass

from codewright.languages import language_of
from codewright.schema import stack_record

# The Stack drops files over 1 MB.
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class SourceFile:
    repo_name: str
    path: str  # relative to the repository's root, '/'-separated
    abspath: str
    licenses: tuple[str, ...]
    stars: int = 0


def rejection(f: SourceFile, size: int, reason: str) -> dict:
    return {"max_stars_repo_name": f.repo_name, "max_stars_repo_path": f.path, "size": size,
            "reason": reason}


def read_source_file(f: SourceFile) -> tuple[dict | None, dict | None]:
    """(row, None) for a code file, (None, rejection) for anything we cannot train on.

    Checks run cheapest first: extension and size from the directory entry, so that large
    binaries (shared libraries, jars) are never read.
    """
    if f.path.startswith("../"):
        return None, rejection(f, _size(f.abspath), "outside_repository")
    lang = language_of(f.path)
    if lang is None:
        return None, rejection(f, _size(f.abspath), "unknown_extension")
    try:
        size = os.stat(f.abspath).st_size
        if size > MAX_FILE_BYTES:
            return None, rejection(f, size, "too_large")
        with open(f.abspath, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None, rejection(f, -1, "unreadable")
    if len(data) > MAX_FILE_BYTES:  # grew since stat
        return None, rejection(f, len(data), "too_large")
    if b"\0" in data:
        return None, rejection(f, len(data), "binary")
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, rejection(f, len(data), "invalid_utf8")
    row = stack_record(f.repo_name, f.path, content, list(f.licenses), lang=lang, stars=f.stars,
                       data=data)
    return row, None


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1
