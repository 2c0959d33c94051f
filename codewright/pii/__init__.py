"""PII scrubbing for code: emails, IP addresses, keys and passwords become placeholders.

    from codewright.pii import scrub
    text, findings = scrub(source)   # findings: Finding(kind, start, end), offsets in `source`

Plain Python (no Spark, no Dagster); codewright.pii.spark runs it in a mapInArrow scan.
"""

from codewright.pii.scrubber import KINDS, PLACEHOLDERS, Finding, scan, scrub

__all__ = ["KINDS", "PLACEHOLDERS", "Finding", "scan", "scrub"]
