"""Claims in the text, checked by code (layer 0: imports nothing from snnlib).

A sentence of the book that states a measured comparison or trend ("X fires more than Y", "A
degrades most under jitter") is backed, in the same page, by a hidden cell that calls
:func:`claim` on the data behind it. If the data ever disagree, the cell raises and the book's
build fails, so the text cannot drift from the numbers::

    snl.claims.claim(rate_zero > rate_subtract, "reset to zero fires more than reset by subtraction at I = 0.55")

Every call is also recorded in :data:`CHECKED` (statement, outcome), which a page can count.
"""

from __future__ import annotations

from typing import List, Tuple

__all__ = ["ClaimFailed", "claim", "CHECKED"]

#: Every claim checked in this process: ``(statement, held)``.
CHECKED: List[Tuple[str, bool]] = []


class ClaimFailed(AssertionError):
    """A claim of the text that its own data contradict."""


def claim(condition: object, statement: str) -> None:
    """Raise :class:`ClaimFailed` naming ``statement`` unless ``condition`` is true.

    ``condition`` is anything with a truth value (a Python or NumPy bool, a one-element tensor).
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement must be a non-empty str (the sentence of the text), got {statement!r}")
    held = bool(condition)
    CHECKED.append((statement, held))
    if not held:
        raise ClaimFailed(f"the text claims: {statement!r}, but the data of this page say otherwise")
