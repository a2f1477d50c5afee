"""What every checker shares: the feedback record, answers in any form, and running a student's code safely.

The rules every ``check_*`` function of :mod:`snnlib.exercises` follows (and that the exercise-bank
tests enforce for each one):

* **Three outcomes.** A check returns a :class:`Feedback` whose ``status`` is ``"passed"``,
  ``"failed"`` or ``"not attempted"``; it is truthy only when passed. An untouched stub (a function
  that raises ``NotImplementedError``, or the value ``...``) is *not attempted*, never passed.
* **Never raises on an answer.** Every check is wrapped by :func:`checker`: an exception in the
  student's code, or one that the answer provokes inside the check, becomes a failed
  :class:`Feedback` that names it.
* **Every correct form is accepted.** :func:`as_number` and :func:`as_tensor` take Python and NumPy
  scalars, 0-d tensors, lists and tensors of any real dtype, and :func:`assert_close` compares with a
  tolerance that suits the answer's precision (float32 answers are not held to float64's);
  :func:`require_close` is the same comparison that stops the check when the answer is off.
* **Feedback teaches, it does not give the answer away**: say what is wrong and give a hint; the
  reference values stay hidden. Progressive hints live in :data:`HINTS` (``hint(name, level)``).
"""

from __future__ import annotations

import functools
import html as _html
import math
import numbers
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import torch

__all__ = [
    "PASSED",
    "FAILED",
    "NOT_ATTEMPTED",
    "Feedback",
    "passed",
    "failed",
    "not_attempted",
    "is_stub",
    "checker",
    "run_user",
    "as_number",
    "as_tensor",
    "tolerance",
    "assert_close",
    "require_close",
    "HINTS",
    "register_hints",
    "hint",
]

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
_HEADS = {PASSED: "✅ Correct!", FAILED: "❌ Not yet.", NOT_ATTEMPTED: "✏️ Not attempted yet."}
_COLOURS = {PASSED: ("#e6f4ea", "#34a853"), FAILED: ("#fdecea", "#d93025"), NOT_ATTEMPTED: ("#fff8e1", "#f9a825")}


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check.

    Attributes:
        status: ``"passed"``, ``"failed"`` or ``"not attempted"``.
        message: what is right or wrong, for the reader (never the expected answer itself).
        hint: a nudge towards the answer (shown after the message), or ``""``.
        label: what was checked when it is not the reader's own answer, e.g. ``"reference solution"``.
    """

    status: str
    message: str
    hint: str = ""
    label: str = ""

    def __post_init__(self):
        if self.status not in _HEADS:
            raise ValueError(f"status must be one of {tuple(_HEADS)}, got {self.status!r}")

    @property
    def ok(self) -> bool:
        """True only when the answer passed."""
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.ok

    def _text(self) -> Tuple[str, str]:
        head = _HEADS[self.status]
        if self.label:
            head = f"[{self.label}] {head}"
        body = self.message + (f" Hint: {self.hint}" if self.hint else "")
        return head, body.strip()

    def __str__(self) -> str:
        head, body = self._text()
        return f"{head} {body}".strip()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, border = _COLOURS[self.status]
        head, body = self._text()
        return (
            f'<div class="snnlib-feedback snnlib-{self.status.replace(" ", "-")}" '
            f'style="background:{colour};border-left:4px solid {border};padding:0.5em 1em;">'
            f"<b>{_html.escape(head)}</b> {_html.escape(body)}</div>"
        )


def passed(message: str = "") -> Feedback:
    return Feedback(PASSED, message)


def failed(message: str, hint: str = "") -> Feedback:
    return Feedback(FAILED, message, hint)


def not_attempted(message: str = "replace the stub with your answer, then run this cell again.") -> Feedback:
    return Feedback(NOT_ATTEMPTED, message)


class _Stop(Exception):
    """Raised inside a check to return ``feedback`` at once (see :func:`run_user`)."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.message)
        self.feedback = feedback


def is_stub(answer: Any) -> bool:
    """True for the value of an untouched value stub: ``...`` (Ellipsis)."""
    return answer is Ellipsis


def checker(fn: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Decorator of every ``check_*``: a stub answer is *not attempted*, nothing escapes as an exception.

    The first argument of the check is the answer. ``label=`` (keyword) marks the feedback as
    being about something else than the reader's answer, e.g. ``label="reference solution"``.
    """

    @functools.wraps(fn)
    def wrapper(answer=Ellipsis, *args, label: str = "", **kwargs) -> Feedback:
        if is_stub(answer):
            result = not_attempted()
        else:
            try:
                result = fn(answer, *args, **kwargs)
            except _Stop as stop:
                result = stop.feedback
            except Exception as err:  # a bug provoked by an odd answer must not crash the notebook
                result = failed(f"checking your answer raised {type(err).__name__}: {err}")
            if not isinstance(result, Feedback):  # pragma: no cover - a checker's own bug
                result = failed(f"the checker returned {type(result).__name__} instead of a Feedback")
        return replace(result, label=label) if label else result

    wrapper.is_checker = True  # the exercise-bank tests enumerate these
    return wrapper


def run_user(fn: Any, *args, what: str = "your function", **kwargs) -> Any:
    """Call the reader's ``fn(*args, **kwargs)`` and return its value.

    Inside a :func:`checker` only: a stub (``NotImplementedError``) stops the check as *not
    attempted*; any other exception, or ``fn`` not being callable, stops it as *failed* with a
    message naming the exception.
    """
    if not callable(fn):
        raise _Stop(failed(f"{what} should be a function, got {type(fn).__name__}."))
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise _Stop(not_attempted(f"{what} still raises NotImplementedError: replace the stub with your code.")) from None
    except Exception as err:
        raise _Stop(failed(f"{what} raised {type(err).__name__}: {err}")) from None


def as_number(answer: Any, what: str = "your answer") -> float:
    """A real number from any scalar form (int, float, NumPy scalar, 0-d or one-element tensor or array).

    Stops the check as failed (with a message) for ``None``, ``bool``, strings, NaN, inf or arrays.
    """
    value = answer
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise _Stop(failed(f"{what} should be a single number, got an array of shape {value.shape}."))
        value = value.reshape(()).item()
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_complex():
            raise _Stop(failed(f"{what} should be a single number, got a tensor of shape {tuple(value.shape)}."))
        value = value.detach().reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise _Stop(failed(f"{what} should be a number, got {type(answer).__name__}."))
    value = float(value)
    if math.isnan(value):
        raise _Stop(failed(f"{what} is NaN (not a number): look for 0/0 or a log of a negative value."))
    if math.isinf(value):
        raise _Stop(failed(f"{what} is infinite: look for a division by zero."))
    return value


def _cpu_tensor(answer: Any) -> Optional[torch.Tensor]:
    """``answer`` as a CPU tensor of its own dtype (a tensor detached, else through NumPy), or ``None``
    when it is no array of numbers (a ragged list, an object...)."""
    try:
        if isinstance(answer, torch.Tensor):
            return answer.detach().to("cpu")
        return torch.as_tensor(np.asarray(answer))
    except Exception:
        return None


def as_tensor(answer: Any, what: str = "your answer", shape: Optional[Sequence[int]] = None) -> torch.Tensor:
    """A float64 tensor from a tensor (any real dtype, any device), an array, a list or a number.

    Stops the check as failed for ``None``, strings, ragged lists, complex values, NaN or inf, and
    (when ``shape`` is given) a wrong shape.
    """
    if answer is None or isinstance(answer, (str, bytes)):
        raise _Stop(failed(f"{what} should be a tensor, got {type(answer).__name__}."))
    t = _cpu_tensor(answer)
    if t is None:
        raise _Stop(failed(f"{what} should be a tensor (or an array or list of numbers), got {type(answer).__name__}."))
    if t.is_complex():
        raise _Stop(failed(f"{what} should be real-valued, got dtype {t.dtype}."))
    t = t.to(torch.float64)
    if shape is not None and tuple(t.shape) != tuple(shape):
        raise _Stop(failed(f"{what} has shape {tuple(t.shape)}, expected shape {tuple(shape)}."))
    if t.numel() and not bool(torch.isfinite(t).all()):
        bad = "NaN" if bool(torch.isnan(t).any()) else "inf"
        raise _Stop(failed(f"{what} contains {bad}."))
    return t


_RTOL = {torch.float16: 2e-3, torch.bfloat16: 1.6e-2, torch.float32: 2e-6, torch.float64: 1e-12}


def tolerance(answer: Any) -> float:
    """The relative tolerance that suits the precision of ``answer`` (a few units in the last place).

    float16 and bfloat16 answers get about 1e-2..2e-3, float32 (and NumPy float32) 2e-6, float64
    and Python floats 1e-12; integers are exact.
    """
    dtype = None
    if isinstance(answer, torch.Tensor):
        dtype = answer.dtype
    elif isinstance(answer, (np.ndarray, np.generic)):
        dtype = {np.dtype(np.float16): torch.float16, np.dtype(np.float32): torch.float32}.get(answer.dtype, torch.float64)
    return _RTOL.get(dtype, 1e-12)


def assert_close(
    got: Any, expected: Any, what: str, rtol: Optional[float] = None, atol: float = 0.0, hint: str = ""
) -> Optional[Feedback]:
    """``None`` if ``got`` matches ``expected`` in shape and values, else a failed :class:`Feedback`.

    The relative tolerance is the larger of ``rtol`` and :func:`tolerance` of ``got`` (so a float32
    answer is compared at float32 precision); ``atol`` absorbs values that should be 0. The
    message says how far off the answer is, not what the expected value is.
    """
    try:
        got_t = as_tensor(got, what)
    except _Stop as stop:
        return replace(stop.feedback, hint=hint)
    exp_t = torch.as_tensor(expected, dtype=torch.float64)
    if got_t.shape != exp_t.shape:
        return failed(f"{what} has shape {tuple(got_t.shape)}, expected shape {tuple(exp_t.shape)}.", hint)
    r = max(rtol or 0.0, tolerance(got))
    scale = exp_t.abs().max().item() if exp_t.numel() else 0.0
    if not torch.allclose(got_t, exp_t, rtol=r, atol=max(atol, r * 1e-3 * scale)):
        err = (got_t - exp_t).abs().max().item()
        rel = err / scale if scale else float("inf")
        return failed(f"{what} is off by up to {err:.3g} ({rel:.2%} of the largest value).", hint)
    return None


def require_close(got: Any, expected: Any, what: str, rtol: Optional[float] = None, atol: float = 0.0, hint: str = "") -> None:
    """:func:`assert_close` inside a :func:`checker`: stops the check with its failed :class:`Feedback`
    when ``got`` is off (as :func:`as_tensor` does on a malformed answer); returns nothing otherwise."""
    bad = assert_close(got, expected, what, rtol, atol, hint)
    if bad is not None:
        raise _Stop(bad)


#: Progressive hints: exercise name -> hints, gentlest first (``hint(name, level)`` shows one).
HINTS: Dict[str, Tuple[str, ...]] = {}


def register_hints(name: str, *hints: str) -> None:
    """Declare the hints of exercise ``name``, gentlest first (called once, by the chapter's module)."""
    if name in HINTS:
        raise ValueError(f"hints for {name!r} are declared twice")
    if not hints or not all(isinstance(h, str) and h for h in hints):
        raise ValueError(f"hints for {name!r} must be non-empty strings")
    HINTS[name] = tuple(hints)


def hint(name: str, level: int = 1) -> str:
    """Hint number ``level`` (1 = gentlest) of exercise ``name``; the last one when ``level`` is larger."""
    if name not in HINTS:
        raise ValueError(f"no hints for {name!r}; exercises with hints: {', '.join(sorted(HINTS)) or 'none'}")
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 1:
        raise ValueError(f"level must be an integer >= 1, got {level!r}")
    levels = HINTS[name]
    n = min(int(level), len(levels))
    return f"Hint {n} of {len(levels)}: {levels[n - 1]}"
