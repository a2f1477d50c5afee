"""The surrogate chapter's checkers name each common slip (the bank test only asks that it fails).

The answers come from ``tests/banks/bank_surrogate.py``, by label; each must fail with a message
containing the phrase that names its mistake, and no message may give the expected value away.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import snnlib as snl

sys.path.insert(0, str(Path(__file__).resolve().parent / "banks"))
import bank_surrogate

SLIPS = {
    "check_surrogate_function": {
        "H(0) = 1": "fires at u = 0",
        "smooth forward": "not binary",
        "ignores grad_output": "ignores grad_output",
        "times k": "10 times too large",
        "straight through": "straight-through",
        "no square": "misses the square",
        "u instead of |u|": "symmetric",
        "wrong slope": "Check the formula",
        "detached plain function": "no gradient flows",
        "forward written, backward still the stub": "backward still raises",
    },
    "check_bptt_gradient": {
        "no step back": "one step back",
        "reset attached": "reset",
        "sign flipped": "wrong sign",
        "snnTorch docs' 1/pi": "1/pi",
        "x2 missing": "x2",
        "step 1 missing": "step 1",
    },
    "check_bptt_recursion": {
        "no memory": "no memory",
        "surrogate on the carry": "surrogate to the carried term",
        "forward in time": "forward in time",
        "no surrogate": "no surrogate factor",
    },
}
CASES = [(name, label, phrase) for name, slips in SLIPS.items() for label, phrase in slips.items()]


@pytest.mark.parametrize("name, label, phrase", CASES)
def test_each_slip_is_named(name, label, phrase):
    answer = dict(bank_surrogate.BANKS[name].wrong)[label]
    fb = getattr(snl.exercises, name)(answer)
    assert fb.status == "failed" and phrase in fb.message, fb
    assert "autograd gives" not in fb.message and "expected value" not in fb.message


def test_hints_are_progressive():
    for name in ("surrogate_function", "bptt_gradient", "bptt_recursion"):
        first, last = snl.exercises.hint(name, 1), snl.exercises.hint(name, 99)
        assert first.startswith("Hint 1 of ") and first != last
