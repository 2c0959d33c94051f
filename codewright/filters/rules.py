"""The per-document rules of filtered_code, in the order they are applied.

Each rule looks at one Document and returns the reason it removes it (a short name the UI
shows) or None to keep it. `first_reason` runs them in order and stops at the first hit, so
every removed row carries exactly one reason. Table-level rules (license allow-list, exact and
near dedup) live in the Spark pipeline, not here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from codewright.filters import decontamination, generated, heuristics, parse_check


@dataclass(frozen=True)
class Document:
    """The fields of a Stack row that a rule may look at."""

    content: str
    lang: str
    ext: str
    path: str  # max_stars_repo_path
    avg_line_length: float
    max_line_length: int
    alphanum_fraction: float

    @classmethod
    def from_record(cls, row: Mapping) -> Document:
        """A Document from a row in STACK_SCHEMA (a dict, or a pandas row)."""
        return cls(
            content=row["content"] or "",
            lang=row["lang"] or "",
            ext=row["ext"] or "",
            path=row["max_stars_repo_path"] or "",
            avg_line_length=float(row["avg_line_length"]),
            max_line_length=int(row["max_line_length"]),
            alphanum_fraction=float(row["alphanum_fraction"]),
        )


Rule = Callable[[Document], "str | None"]


def empty(doc: Document) -> str | None:
    # Whitespace-only files carry nothing to learn and would divide by zero in later rules.
    return "empty" if not doc.content.strip() else None


# Cheap rules first: the line statistics are precomputed columns, the parse check is the costliest.
DOCUMENT_RULES: list[tuple[str, Rule]] = [
    ("empty", empty),
    ("long_lines_mean", heuristics.long_lines_mean),
    ("long_line_max", heuristics.long_line_max),
    ("low_alphanumeric", heuristics.low_alphanumeric),
    ("auto_generated", generated.auto_generated),
    ("minified", generated.minified),
    ("encoded_data", generated.encoded_data),
    ("parse_error", parse_check.parse_error),  # returns "python2" or "parse_error"
    ("humaneval_contamination", decontamination.humaneval_contamination),
]

REASONS: list[str] = [
    "empty",
    "long_lines_mean",
    "long_line_max",
    "low_alphanumeric",
    "auto_generated",
    "minified",
    "encoded_data",
    "python2",
    "parse_error",
    "humaneval_contamination",
]


def first_reason(doc: Document, timings: dict[str, float] | None = None) -> str | None:
    """The reason of the first rule that removes `doc`, or None to keep it.

    `timings`, if given, accumulates seconds spent per rule name (for bench/ scripts).
    """
    for name, rule in DOCUMENT_RULES:
        if timings is None:
            reason = rule(doc)
        else:
            start = time.perf_counter()
            reason = rule(doc)
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        if reason is not None:
            return reason
    return None
