"""Local source trees and the embedded default corpus (this Python's stdlib and site-packages)."""

from __future__ import annotations

import importlib.metadata as metadata
import os
import sys
import sysconfig
from pathlib import Path
from typing import Iterator

from codewright.licenses import LICENSE_FILENAMES, detect_license_text, licenses_from_metadata
from codewright.sources.files import SourceFile

# Version-control and bytecode caches are not source: their directories are not entered.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache",
                       ".tox", ".venv", "node_modules"})


def detect_repository_license(root: Path) -> list[str]:
    """SPDX id from a LICENSE / COPYING file at the repository's root; [] if none is found."""
    for name in LICENSE_FILENAMES:
        candidate = root / name
        if candidate.is_file():
            try:
                spdx = detect_license_text(candidate.read_text("utf-8", errors="replace"))
            except OSError:
                continue
            if spdx:
                return [spdx]
    return []


def walk_repository(root: str | Path, name: str | None = None,
                    licenses: list[str] | None = None) -> Iterator[SourceFile]:
    """Every file under `root`, in sorted order, as one repository named after the folder."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"raw_stack_shards: local path {str(root)!r} is not a directory")
    repo = name or root.name
    found = tuple(licenses if licenses is not None else detect_repository_license(root))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for filename in sorted(filenames):
            abspath = os.path.join(dirpath, filename)
            rel = os.path.relpath(abspath, root).replace(os.sep, "/")
            yield SourceFile(repo, rel, abspath, found)


def _distribution_licenses(dist: metadata.Distribution) -> list[str]:
    found = licenses_from_metadata(dist.metadata)
    if found:
        return found
    # Older wheels carry the license only as a file in .dist-info (or dist-info/licenses/).
    for f in dist.files or []:
        if ".dist-info/" in str(f) and Path(str(f)).name.upper().startswith(("LICENSE", "LICENCE", "COPYING")):
            try:
                spdx = detect_license_text(Path(dist.locate_file(f)).read_text("utf-8", errors="replace"))
            except OSError:
                continue
            if spdx:
                return [spdx]
    return []


def stdlib_repository() -> Iterator[SourceFile]:
    """The running Python's standard library as one repository, `cpython`, Python-2.0 licensed."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for f in walk_repository(stdlib, name="cpython", licenses=["Python-2.0"]):
        # site-packages inside the base installation belongs to other distributions.
        if f.path.startswith(("site-packages/", "dist-packages/")):
            continue
        yield f


def site_packages_repositories() -> Iterator[SourceFile]:
    """Each installed distribution of this interpreter as one repository (its RECORD files)."""
    dists = {}
    for dist in metadata.distributions(path=sys.path):
        name = dist.metadata["Name"]
        if name and name not in dists:
            dists[name] = dist
    for name in sorted(dists, key=str.lower):
        dist = dists[name]
        licenses = tuple(_distribution_licenses(dist))
        for f in sorted(dist.files or [], key=str):
            rel = str(f).replace(os.sep, "/")
            if any(part in SKIP_DIRS for part in rel.split("/")):
                continue
            yield SourceFile(name, rel, str(dist.locate_file(f)), licenses)


def default_corpus() -> Iterator[SourceFile]:
    """The embedded default corpus: stdlib first, then site-packages by distribution name."""
    yield from stdlib_repository()
    yield from site_packages_repositories()
