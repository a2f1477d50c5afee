"""Every exercise checker against its bank of right and wrong answers (and its untouched stub).

A bank lives in ``tests/banks/bank_<chapter>.py`` as ``BANKS = {"check_name": Bank(...)}``. This test
enumerates every checker of :mod:`snnlib.exercises` (every public ``check_*``), so a new checker
without a bank fails the suite. For each checker:

* each right answer must pass;
* each wrong answer must fail with a message (never raise, never pass);
* the untouched stub (``...`` for value answers, a function raising ``NotImplementedError`` for
  function answers) must come back "not attempted";
* for function answers, the generic wrong answers (``None``, a function that raises, one that
  returns NaN, one that returns a string) must fail, not raise.
"""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path

import pytest

import snnlib as snl
from snnlib.exercises import core

BANK_DIR = Path(__file__).resolve().parent / "banks"
sys.path.insert(0, str(BANK_DIR))  # the banks import their record from bank_common.py


def _load_banks():
    banks = {}
    for path in sorted(p for p in BANK_DIR.glob("bank_*.py") if p.stem != "bank_common"):
        module = importlib.import_module(path.stem)
        for name, bank in module.BANKS.items():
            assert name not in banks, f"{name} has two banks"
            banks[name] = bank
    return banks


BANKS = _load_banks()
CHECKERS = sorted(n for n in snl.exercises.__all__ if n.startswith("check_"))


def _stub_function(*args, **kwargs):
    raise NotImplementedError("exercise: write your code here")


def _raises(*args, **kwargs):
    raise ZeroDivisionError("division by zero")


GENERIC_WRONG_FUNCTIONS = {
    "None instead of a function": None,
    "a function that raises": _raises,
    "a function returning NaN": lambda *a, **k: math.nan,
    "a function returning a string": lambda *a, **k: "answer",
    "a function returning None": lambda *a, **k: None,
}


def test_every_checker_has_a_bank():
    missing = [n for n in CHECKERS if n not in BANKS]
    assert not missing, f"checkers without a bank in tests/banks/: {missing}"
    unknown = [n for n in BANKS if n not in CHECKERS]
    assert not unknown, f"banks for checkers that do not exist: {unknown}"


def test_every_checker_is_wrapped():
    for name in CHECKERS:
        assert getattr(getattr(snl.exercises, name), "is_checker", False), f"{name} is not decorated with @checker"


def _run(name, answer):
    bank = BANKS[name]
    check = getattr(snl.exercises, name)
    return bank.call(check, answer)


CASES = []
for _name in CHECKERS:
    _bank = BANKS.get(_name)
    if _bank is None:
        continue
    for _label, _answer in _bank.right:
        CASES.append(pytest.param(_name, "right", _answer, id=f"{_name}-right-{_label}"))
    for _label, _answer in _bank.wrong:
        CASES.append(pytest.param(_name, "wrong", _answer, id=f"{_name}-wrong-{_label}"))
    if _bank.kind == "function":
        for _label, _answer in GENERIC_WRONG_FUNCTIONS.items():
            CASES.append(pytest.param(_name, "wrong", _answer, id=f"{_name}-wrong-{_label}"))
    CASES.append(pytest.param(_name, "stub", _stub_function if _bank.kind == "function" else ..., id=f"{_name}-stub"))


@pytest.mark.parametrize("name, expect, answer", CASES)
def test_bank(name, expect, answer):
    fb = _run(name, answer)  # must never raise
    assert isinstance(fb, core.Feedback), f"{name} returned {type(fb).__name__}"
    if expect == "right":
        assert fb.status == core.PASSED, f"a right answer was rejected: {fb}"
    elif expect == "wrong":
        assert fb.status == core.FAILED, f"a wrong answer was not failed: {fb}"
        assert fb.message.strip(), "a failure must say what is wrong"
    else:
        assert fb.status == core.NOT_ATTEMPTED, f"the untouched stub gave: {fb}"


def test_bank_counts_are_reported(capsys):
    n_right = sum(len(b.right) for b in BANKS.values())
    n_wrong = sum(len(b.wrong) + (len(GENERIC_WRONG_FUNCTIONS) if b.kind == "function" else 0) for b in BANKS.values())
    with capsys.disabled():
        print(f"\nexercise banks: {len(CHECKERS)} checkers, {n_right} right and {n_wrong} wrong answers, {len(BANKS)} stubs")
    assert n_right >= 2 * len(BANKS) and n_wrong >= 3 * len(BANKS)
