"""The blind labelled sets that were used for tuning hold their scores (a regression guard).

tests/pii_heldout.py, pii_testset.py and pii_testset2.py were each written by someone who never
read the scrubber, measured once, then used to fix the classes of cases they exposed. They now
hold the issue's goal. tests/pii_testset3.py is deliberately NOT here: it was never tuned on
and is the honest figure (bench/pii.py prints it). Keep it unseen: fix what it shows only after
writing a fresh set to measure with.
"""

from __future__ import annotations

import pytest

from codewright.pii import scan
from tests.test_pii_labelled import KINDS, score

RECALL, PRECISION = 0.97, 0.95  # issue 4's goal, for every kind


def _sets():
    from tests.pii_heldout import heldout_documents
    from tests.pii_testset import testset_documents
    from tests.pii_testset2 import testset2_documents

    return {"pii_heldout": heldout_documents, "pii_testset": testset_documents, "pii_testset2": testset2_documents}


@pytest.mark.parametrize("name", ["pii_heldout", "pii_testset", "pii_testset2"])
def test_tuned_blind_set_meets_the_goal(name):
    docs = _sets()[name]()
    scores = score(scan, docs)
    assert set(scores) == set(KINDS)
    low = {k: (round(r["precision"], 3), round(r["recall"], 3)) for k, r in scores.items()
           if r["recall"] < RECALL or r["precision"] < PRECISION}
    assert not low, f"{name}: (precision, recall) below the goal: {low}"
