"""BigCode's basic heuristics on The Stack's precomputed line statistics.

The thresholds are Codex's, as used by bigcode-dataset (preprocessing/filtering.py,
`basic_filters`): mean line length > 100, longest line > 1000, alphanumeric fraction < 0.25.

Data and markup formats (codewright.languages.DATA_AND_MARKUP) are exempt in part. For
StarCoder, BigCode replaced the basic filter by per-(language, extension) thresholds picked by
visual inspection (`basic_filters_per_extension`): for many data and markup extensions the
long-line threshold was left empty, which in their code turns off both line-length checks, and
JSON/YAML were bounded by file size instead. We do the same in one rule instead of a CSV: for
these formats the mean-line check is off (one JSON object per line, long paragraphs in Markdown
are normal), the longest line may reach 10,000 characters (a longer one is a data dump, not a
file a person wrote), and the alphanumeric floor is 0.15 (tables, punctuation-heavy CSS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codewright.languages import DATA_AND_MARKUP

if TYPE_CHECKING:
    from codewright.filters.rules import Document

MEAN_LINE_MAX = 100
LONGEST_LINE_MAX = 1000
ALPHANUM_MIN = 0.25

DATA_LONGEST_LINE_MAX = 10_000
DATA_ALPHANUM_MIN = 0.15


def long_lines_mean(doc: Document) -> str | None:
    if doc.lang in DATA_AND_MARKUP:
        return None
    return "long_lines_mean" if doc.avg_line_length > MEAN_LINE_MAX else None


def long_line_max(doc: Document) -> str | None:
    limit = DATA_LONGEST_LINE_MAX if doc.lang in DATA_AND_MARKUP else LONGEST_LINE_MAX
    return "long_line_max" if doc.max_line_length > limit else None


def low_alphanumeric(doc: Document) -> str | None:
    floor = DATA_ALPHANUM_MIN if doc.lang in DATA_AND_MARKUP else ALPHANUM_MIN
    return "low_alphanumeric" if doc.alphanum_fraction < floor else None
