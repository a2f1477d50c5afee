"""The record of one checker's bank (imported by every ``tests/banks/bank_*.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, List, Tuple


def _call(check, answer):
    return check(answer)


@dataclass
class Bank:
    """Right and wrong answers of one checker.

    Attributes:
        kind: ``"function"`` (the answer is a function the student writes) or ``"value"``.
        right: ``(label, answer)`` pairs that must pass (every correct form: dtypes, NumPy, lists...).
        wrong: ``(label, answer)`` pairs that must fail (each common slip, NaN, inf, wrong shape/dtype...).
        call: how to call the checker with an answer (default ``check(answer)``).
    """

    kind: str
    right: List[Tuple[str, Any]] = field(default_factory=list)
    wrong: List[Tuple[str, Any]] = field(default_factory=list)
    call: Callable[[Callable, Any], Any] = _call
