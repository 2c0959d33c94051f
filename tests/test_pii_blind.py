"""The blind labelled sets that were used for tuning hold their scores (a regression guard).

tests/pii_heldout.py and pii_testset.py to pii_testset9.py were each written by someone who never
read the scrubber, measured once, then used to fix the classes of cases they exposed. They hold
the issue's goal, except where FLOORS records what tuning reached.
The newest blind sets (bench/pii.py's LABELLED_SETS says which) are deliberately NOT here: never
tuned on, they are the honest figure. Keep them unseen: fix what they show only after writing a
fresh set to measure with.
"""

from __future__ import annotations

import pytest

from codewright.pii import scan
from tests.test_pii_labelled import KINDS, score

RECALL, PRECISION = 0.97, 0.95  # issue 4's goal, for every kind
# (set, kind) -> (precision, recall) reached where the goal is not.
FLOORS: dict[tuple[str, str], tuple[float, float]] = {
    # Sets 6, 7 and 9 labelled 40+ random characters in a password slot as keys; the code follows
    # the written policy of sets 10-15 (the slot decides unless a provider's shape does), which
    # costs these three some key recall. pii_testset6: keys 0.984 / 0.969.
    ("pii_testset6", "key"): (0.95, 0.96),
    # pii_testset7: keys 1.000 / 0.964, passwords 0.980 / 0.987. Still missed: a Swift enum case,
    # a 2Captcha constructor and two more keys named only by a line above; a password split by
    # string concatenation (out of scope), a Fabric `Responder` answer.
    ("pii_testset7", "key"): (0.95, 0.96),
    ("pii_testset7", "password"): (0.95, 0.96),
    # pii_testset9 (long-tail ecosystems): keys 0.986 / 0.918, passwords 0.972 / 0.959. Still
    # missed: sbt/MATLAB/Nim positional calls, expect's `set enable_secret`, haproxy `AUTH\ pw`,
    # Caddy/Envoy directives, user:pw in yarn, rclone's refresh token, a JCL card, a digit-free
    # npm token.
    ("pii_testset9", "key"): (0.95, 0.91),
    ("pii_testset9", "password"): (0.95, 0.95),
    # Sets 12 to 19 meet the goal after tuning (see bench/pii.py for their unseen figures); sets 20
    # and 21 met it unseen, on the code they were first measured on, and were not tuned on.
}


def _sets():
    from tests.pii_heldout import heldout_documents
    from tests.pii_testset import testset_documents
    from tests.pii_testset2 import testset2_documents

    from tests.pii_testset3 import testset3_documents
    from tests.pii_testset4 import testset4_documents
    from tests.pii_testset5 import testset5_documents
    from tests.pii_testset6 import testset6_documents
    from tests.pii_testset7 import testset7_documents
    from tests.pii_testset8 import testset8_documents
    from tests.pii_testset9 import testset9_documents
    from tests.pii_testset10 import testset10_documents
    from tests.pii_testset11 import testset11_documents
    from tests.pii_testset12 import testset12_documents
    from tests.pii_testset13 import testset13_documents
    from tests.pii_testset14 import testset14_documents
    from tests.pii_testset15 import testset15_documents
    from tests.pii_testset16 import testset16_documents
    from tests.pii_testset17 import testset17_documents
    from tests.pii_testset18 import testset18_documents
    from tests.pii_testset19 import testset19_documents
    from tests.pii_testset20 import testset20_documents
    from tests.pii_testset21 import testset21_documents

    return {"pii_heldout": heldout_documents, "pii_testset": testset_documents,
            "pii_testset2": testset2_documents, "pii_testset3": testset3_documents,
            "pii_testset4": testset4_documents, "pii_testset5": testset5_documents,
            "pii_testset6": testset6_documents, "pii_testset7": testset7_documents,
            "pii_testset8": testset8_documents, "pii_testset9": testset9_documents,
            "pii_testset10": testset10_documents, "pii_testset11": testset11_documents,
            "pii_testset12": testset12_documents, "pii_testset13": testset13_documents,
            "pii_testset14": testset14_documents, "pii_testset15": testset15_documents,
            "pii_testset16": testset16_documents, "pii_testset17": testset17_documents,
            "pii_testset18": testset18_documents, "pii_testset19": testset19_documents,
            "pii_testset20": testset20_documents, "pii_testset21": testset21_documents}


@pytest.mark.parametrize("name", ["pii_heldout", "pii_testset", "pii_testset2", "pii_testset3", "pii_testset4",
                                  "pii_testset5", "pii_testset6", "pii_testset7", "pii_testset8",
                                  "pii_testset9", "pii_testset10", "pii_testset11", "pii_testset12",
                                  "pii_testset13", "pii_testset14", "pii_testset15", "pii_testset16",
                                  "pii_testset17", "pii_testset18", "pii_testset19", "pii_testset20",
                                  "pii_testset21"])
def test_tuned_blind_set_meets_the_goal(name):
    docs = _sets()[name]()
    scores = score(scan, docs)
    assert set(scores) == set(KINDS)
    low = {}
    for kind, r in scores.items():
        precision, recall = FLOORS.get((name, kind), (PRECISION, RECALL))
        if r["recall"] < recall or r["precision"] < precision:
            low[kind] = (round(r["precision"], 3), round(r["recall"], 3))
    assert not low, f"{name}: (precision, recall) below the goal: {low}"
