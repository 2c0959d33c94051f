"""Where assets live: one folder per asset under CODEWRIGHT_HOME (DESIGN.md, "Storage")."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

DEFAULT_HOME = ".codewright"


def codewright_home() -> str:
    """CODEWRIGHT_HOME, or `.codewright/` under the working directory; may be an s3:// URI."""
    home = os.environ.get("CODEWRIGHT_HOME") or os.path.join(os.getcwd(), DEFAULT_HOME)
    return home if is_remote(home) else os.path.abspath(home)


def is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def asset_path(name: str, *parts: str, home: str | None = None) -> str:
    root = home or codewright_home()
    return "/".join([root.rstrip("/"), name, *parts])


@contextmanager
def replace_dir(final: str) -> Iterator[str]:
    """Yield a staging folder that replaces `final` only if the block succeeds.

    A failed rebuild leaves the previous materialization intact (nothing lost). Object stores
    have no rename; there the block writes in place.
    """
    if is_remote(final):
        yield final
        return
    final_p = Path(final)
    final_p.parent.mkdir(parents=True, exist_ok=True)
    staging = final_p.with_name(f".{final_p.name}.staging-{uuid.uuid4().hex[:8]}")
    try:
        yield str(staging)
        old = final_p.with_name(f".{final_p.name}.old-{uuid.uuid4().hex[:8]}")
        if final_p.exists():
            final_p.rename(old)
        staging.rename(final_p)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
