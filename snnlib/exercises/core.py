"""What every checker shares: the feedback record, tolerances, and running a student's code safely."""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch

__all__ = ["Feedback", "passed", "failed", "assert_close", "run_user"]


@dataclass
class Feedback:
    """The outcome of a check: ``ok`` and a message for the reader."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("✅ Correct! " if self.ok else "❌ Not yet. ") + self.message

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, border = ("#e6f4ea", "#34a853") if self.ok else ("#fdecea", "#d93025")
        head = "✅ Correct!" if self.ok else "❌ Not yet."
        return (
            f'<div style="background:{colour};border-left:4px solid {border};padding:0.5em 1em;">'
            f"<b>{head}</b> {_html.escape(self.message)}</div>"
        )


def passed(message: str = "") -> Feedback:
    return Feedback(True, message)


def failed(message: str) -> Feedback:
    return Feedback(False, message)


def assert_close(
    got: Any, expected: Any, what: str, rtol: float = 1e-5, atol: float = 1e-6, hint: str = ""
) -> Optional[Feedback]:
    """``None`` if ``got`` matches ``expected`` (shape and values), else a :class:`Feedback` saying how not."""
    try:
        got_t = torch.as_tensor(got, dtype=torch.float64)
    except Exception:
        return failed(f"{what} should be a number or tensor, got {type(got).__name__}. {hint}".strip())
    exp_t = torch.as_tensor(expected, dtype=torch.float64)
    if got_t.shape != exp_t.shape:
        return failed(f"{what} has shape {tuple(got_t.shape)}, expected {tuple(exp_t.shape)}. {hint}".strip())
    if not torch.allclose(got_t, exp_t, rtol=rtol, atol=atol):
        err = (got_t - exp_t).abs().max().item()
        return failed(f"{what} differs from the expected value by up to {err:.3g}. {hint}".strip())
    return None


def run_user(fn: Callable, *args, what: str = "your function") -> Any:
    try:
        return fn(*args)
    except Exception as err:  # the reader's code raised: say so plainly
        raise RuntimeError(f"{what} raised {type(err).__name__}: {err}") from err


# =============================================================================================
# Introduction (notebook 00): the firing rate of a spike train
