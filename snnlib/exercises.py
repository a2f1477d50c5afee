"""Exercises with feedback: each ``check_*`` function tests a reader's answer and says what is wrong.

A check returns a :class:`Feedback` (truthy when correct) that prints and renders as a coloured
box in a notebook. Checks compare against the library's own functions, so an answer is right
when it computes what the book's code computes.

Sections: common machinery, then one section per chapter.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch

__all__ = ["Feedback", "passed", "failed", "assert_close", "firing_rate_solution", "check_firing_rate"]


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
        return (f'<div style="background:{colour};border-left:4px solid {border};padding:0.5em 1em;">'
                f"<b>{head}</b> {_html.escape(self.message)}</div>")


def passed(message: str = "") -> Feedback:
    return Feedback(True, message)


def failed(message: str) -> Feedback:
    return Feedback(False, message)


def assert_close(got: Any, expected: Any, what: str, rtol: float = 1e-5, atol: float = 1e-6,
                 hint: str = "") -> Optional[Feedback]:
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


def _run_user(fn: Callable, *args, what: str = "your function") -> Any:
    try:
        return fn(*args)
    except Exception as err:  # the reader's code raised: say so plainly
        raise RuntimeError(f"{what} raised {type(err).__name__}: {err}") from err


# =============================================================================================
# Introduction (notebook 00): the firing rate of a spike train
# =============================================================================================


def firing_rate_solution(spk: torch.Tensor, dt: float) -> torch.Tensor:
    """Reference answer: mean firing rate of each neuron, in spikes per unit of ``dt``'s time.

    Args:
        spk: time-first spike record, shape ``[T, B, ...]`` (0 or 1).
        dt: duration of one time step (e.g. ``1e-3`` for 1 ms steps gives rates in Hz).

    Returns:
        rates, shape ``[B, ...]``: number of spikes divided by the duration ``T * dt``.
    """
    if not isinstance(spk, torch.Tensor) or spk.dim() < 2:
        raise ValueError(f"spk must be a tensor of shape [T, B, ...] (time first), got {getattr(spk, 'shape', type(spk))}")
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt!r}")
    return spk.sum(0) / (spk.shape[0] * dt)


def check_firing_rate(fn: Callable) -> Feedback:
    """Check a reader's ``fn(spk, dt) -> rates``: spikes ``[T, B, ...]`` in, rates ``[B, ...]`` out.

    Tries several shapes and step sizes, and recognises the usual slips: averaging over the wrong
    axis, forgetting ``dt``, or returning a spike count instead of a rate.
    """
    gen = torch.Generator().manual_seed(1)
    cases = [((200, 3, 4), 1e-3), ((50, 2), 0.5), ((37, 1, 5), 2e-3)]
    for shape, dt in cases:
        spk = (torch.rand(shape, generator=gen) < 0.1).float()
        expected = firing_rate_solution(spk, dt)
        got = _run_user(fn, spk.clone(), dt, what="your firing_rate")
        try:
            got_t = torch.as_tensor(got, dtype=torch.float64)
        except Exception:
            return failed(f"firing_rate should return a tensor of shape [B, ...], got {type(got).__name__}.")
        if got_t.shape != expected.shape:
            if got_t.shape == spk.mean(-1).shape and got_t.shape != expected.shape:
                return failed(f"for spikes of shape {shape} the rates should have shape {tuple(expected.shape)} "
                              f"but yours have {tuple(got_t.shape)}: reduce over time, dimension 0 (shapes are [T, B, ...]).")
            return failed(f"for spikes of shape {shape} (time first, [T, B, ...]) the rates should have shape "
                          f"{tuple(expected.shape)}, got {tuple(got_t.shape)}. Sum or average over dimension 0.")
        exp64 = expected.double()
        if torch.allclose(got_t, spk.sum(0).double()) and not torch.allclose(got_t, exp64):
            return failed("you returned spike counts: divide by the duration of the recording, T * dt.")
        if torch.allclose(got_t, spk.mean(0).double()) and not torch.allclose(got_t, exp64):
            return failed(f"you returned spikes per step: divide by dt as well (dt = {dt}) to get spikes per unit time.")
        bad = assert_close(got_t, exp64, f"the rates for spikes of shape {shape} and dt={dt}",
                           hint="rate = (number of spikes) / (T * dt).")
        if bad is not None:
            return bad
    return passed("rate = spikes / (T * dt), computed over the time axis for every neuron.")


# =============================================================================================
# Chapter: spike coding
# =============================================================================================




# =============================================================================================
# Chapter: the LIF neuron
# =============================================================================================




# =============================================================================================
# Chapter: neural circuits
# =============================================================================================




# =============================================================================================
# Chapter: surrogate gradients
# =============================================================================================




# =============================================================================================
# Chapter: MNIST on the GPU
# =============================================================================================
