"""scrub(text) -> (scrubbed text, findings): the one entry point (DESIGN.md, "Python entry points").

The detectors (network.py, secrets.py) propose spans; this module settles overlaps, extends
each secret to its other occurrences in the same text, and writes placeholders. Offsets in
the findings refer to the input; a second pass over the output finds nothing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from codewright.pii.network import find_emails, find_ips
from codewright.pii.secrets import credential_pairs, find_secrets

KINDS = ("email", "ip_address", "key", "password")
PLACEHOLDERS = {kind: f"<{kind.upper()}>" for kind in KINDS}
# When two findings overlap, the one of the earlier kind wins: a password inside a URL is a
# password even though `pass@host.org` also reads as an email.
_PRIORITY = {"key": 0, "password": 1, "email": 2, "ip_address": 3}
_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # one of KINDS
    start: int  # offsets in the input text, end exclusive
    end: int


def _spans(text: str) -> set[tuple[str, int, int]]:
    view = text.encode("ascii", "replace")  # one byte per character, for the fast prefilters
    emails = list(find_emails(text))
    spans = {("email", s, e) for s, e in emails}
    spans |= {("ip_address", s, e) for s, e in find_ips(text, view)}
    spans |= set(find_secrets(text, view))
    spans |= set(credential_pairs(text, emails))
    return spans


def _propagate(text: str, spans: set[tuple[str, int, int]]) -> set[tuple[str, int, int]]:
    """The same secret gets the same placeholder everywhere, also where no rule would see it
    (`login("admin", "hunter2")` after `PASSWORD = "hunter2"`). Short or word-like values are
    not spread: replacing every `admin` in a file would destroy code, not protect anyone."""
    out = set(spans)
    for kind, s, e in spans:
        value = text[s:e]
        if kind not in ("key", "password") or len(value) < 6 or (len(value) < 10 and value.isalpha()):
            continue
        at = text.find(value)
        while at != -1:
            end = at + len(value)
            bounded = (at == 0 or not _WORD_CHAR.match(text[at - 1])) and (
                end == len(text) or not _WORD_CHAR.match(text[end])
            )
            if bounded:
                out.add((kind, at, end))
            at = text.find(value, end)
    return out


def _resolve(spans: set[tuple[str, int, int]]) -> list[Finding]:
    """Non-overlapping findings in text order: higher priority first, then longer."""
    starts: list[int] = []  # taken spans, disjoint, kept sorted: a neighbour check suffices
    ends: list[int] = []
    kept: list[Finding] = []
    for kind, s, e in sorted(spans, key=lambda t: (_PRIORITY[t[0]], -(t[2] - t[1]), t[1])):
        i = bisect.bisect_right(starts, s)
        if e <= s or (i and ends[i - 1] > s) or (i < len(starts) and starts[i] < e):
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        kept.append(Finding(kind, s, e))
    return sorted(kept, key=lambda f: f.start)


def scan(text: str) -> list[Finding]:
    """The findings in `text`, without rewriting it."""
    if not text:
        return []
    return _resolve(_propagate(text, _spans(text)))


def scrub(text: str) -> tuple[str, list[Finding]]:
    """`text` with every email, IP address, key and password replaced by its placeholder."""
    findings = scan(text)
    if not findings:
        return text, findings
    parts, pos = [], 0
    for f in findings:
        parts += [text[pos:f.start], PLACEHOLDERS[f.kind]]
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), findings
