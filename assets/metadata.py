"""Small helpers that turn engine statistics into metadata a person can read in the UI."""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence


def md_table(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    def cell(v):
        if isinstance(v, float):
            return f"{v:,.3f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def counter_table(header: Sequence[str], counts: Counter, *more: Counter) -> str:
    return md_table(header, [(key, n, *(m[key] for m in more)) for key, n in counts.most_common()])
