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

__all__ = ["Feedback", "passed", "failed", "assert_close"]


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

__all__ += ["check_rate_decoding", "check_synaptic_operations"]


def check_rate_decoding(fn: Callable) -> Feedback:
    """Check ``fn(spk_rec) -> predictions``: the class whose output neuron fired most (``spk_rec`` ``[T, B, C]``)."""
    gen = torch.Generator().manual_seed(5)
    spk = (torch.rand(25, 16, 10, generator=gen) < torch.rand(1, 16, 10, generator=gen)).float()
    counts = spk.sum(0)
    keep = (counts == counts.max(-1, keepdim=True).values).sum(-1) == 1  # samples without ties
    spk = spk[:, keep]
    got = _run_user(fn, spk, what="your decoding function")
    got = torch.as_tensor(got)
    if got.shape != (spk.shape[1],):
        return failed(f"expected one class index per sample, shape [B] = ({spk.shape[1]},), got {tuple(got.shape)}. "
                      "Sum the spikes over time (dim 0), then take the argmax over classes (dim -1).")
    expected = spk.sum(0).argmax(-1)
    if not torch.equal(got.long(), expected):
        if torch.equal(got.long(), spk.sum(1).argmax(-1)[: got.shape[0]]):
            return failed("you summed over the batch; time is dim 0 ([T, B, C]).")
        return failed("some predictions differ from the class with the most spikes. Sum over time (dim 0) first.")
    return passed("rate decoding: the class with the highest spike count wins.")


def check_synaptic_operations(fn: Callable) -> Feedback:
    """Check ``fn(hidden_spikes, fan_out) -> synaptic operations per sample`` (``hidden_spikes`` ``[T, B, H]``)."""
    gen = torch.Generator().manual_seed(6)
    spk = (torch.rand(10, 4, 30, generator=gen) < 0.2).float()
    expected = float(spk.sum()) / 4 * 10
    got = _run_user(fn, spk, 10, what="your function")
    bad = assert_close(got, expected, "synaptic operations per sample", rtol=1e-6,
                       hint="Each hidden spike travels to every one of the fan_out output neurons: "
                            "total spikes x fan_out, divided by the batch size.")
    if bad is not None:
        return bad
    return passed("each spike costs one addition per outgoing synapse; silent neurons cost nothing.")
