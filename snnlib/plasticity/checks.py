"""Exercise checkers of the STDP chapter: each ``check_*`` takes a reader's function and says what is wrong.

A checker never raises on an answer: an untouched stub (one that raises ``NotImplementedError``
or returns ``None``) gets "not attempted yet"; an answer that raises, has the wrong shape or the
wrong values gets a message saying which. Answers may return floats, NumPy arrays or tensors of
any float dtype. Each exercise's reference answer is the ``*_solution`` function next to it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import torch

__all__ = [
    "Feedback",
    "stdp_window_solution",
    "check_stdp_window",
    "normalise_solution",
    "check_normalise",
    "assign_labels_solution",
    "check_assign_labels",
]


@dataclass
class Feedback:
    """The outcome of a check: ``ok`` (truthy when correct) and a message for the reader."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("✅ Correct! " if self.ok else "❌ Not yet. ") + self.message

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#e6f4ea" if self.ok else "#fdecea"
        head = "✅ Correct!" if self.ok else "❌ Not yet."
        return f'<div style="background:{colour};padding:0.5em 1em;"><b>{head}</b> {html.escape(self.message)}</div>'


_NOT_ATTEMPTED = "not attempted yet: replace the `raise NotImplementedError` of the stub with your code."


def _call(fn: Callable, args, what: str):
    """``(value, None)`` or ``(None, Feedback)`` when the answer is missing or raises."""
    if not callable(fn):
        return None, Feedback(False, f"pass your function itself (got {type(fn).__name__}).")
    try:
        value = fn(*args)
    except NotImplementedError:
        return None, Feedback(False, _NOT_ATTEMPTED)
    except Exception as err:  # the reader's code raised: say so, never raise
        return None, Feedback(False, f"{what} raised {type(err).__name__}: {err}")
    if value is None:
        return None, Feedback(False, _NOT_ATTEMPTED + " (your function returned None)")
    return value, None


def _compare(got: Any, expected: np.ndarray, what: str, hint: str, rtol: float = 1e-4, atol: float = 1e-7) -> Optional[Feedback]:
    try:
        if isinstance(got, torch.Tensor):
            got = got.detach().cpu().double().numpy()
        arr = np.asarray(got, dtype=np.float64)
    except Exception:
        return Feedback(False, f"{what} should be a number, an array or a tensor, got {type(got).__name__}.")
    if arr.shape != expected.shape:
        return Feedback(False, f"{what} has shape {arr.shape}, expected {expected.shape}. {hint}")
    if not np.all(np.isfinite(arr)):
        return Feedback(False, f"{what} contains NaN or inf. {hint}")
    if not np.allclose(arr, expected, rtol=rtol, atol=atol):
        err = float(np.max(np.abs(arr - expected)))
        return Feedback(False, f"{what} differs from the expected values by up to {err:.3g}. {hint}")
    return None


# ------------------------------------------------------------------ exercise 1: the STDP window


def stdp_window_solution(delta_t, a_plus=0.01, a_minus=0.0105, tau_plus=20.0, tau_minus=20.0):
    """Reference: ``A+ exp(-Δt/τ+)`` for ``Δt >= 0``, ``-A- exp(Δt/τ-)`` for ``Δt < 0`` (NumPy array)."""
    dt = np.asarray(delta_t, dtype=np.float64)
    return np.where(dt >= 0, a_plus * np.exp(-np.abs(dt) / tau_plus), -a_minus * np.exp(-np.abs(dt) / tau_minus))


def check_stdp_window(fn: Callable) -> Feedback:
    """Check ``fn(delta_t, a_plus, a_minus, tau_plus, tau_minus)`` (``delta_t`` a NumPy array, ms)."""
    cases = [(np.arange(-40.0, 41.0, 5.0), 0.01, 0.0105, 20.0, 20.0), (np.array([-3.0, 0.0, 3.0]), 0.5, 0.2, 10.0, 30.0)]
    for dt, *rest in cases:
        got, bad = _call(fn, (dt.copy(), *rest), "your stdp_window")
        if bad is not None:
            return bad
        bad = _compare(
            got,
            stdp_window_solution(dt, *rest),
            f"stdp_window(Δt, {', '.join(map(str, rest))})",
            "Potentiation for Δt >= 0 (pre first) decays with τ+; depression for Δt < 0 is "
            "negative and decays with τ- as Δt becomes more negative.",
        )
        if bad is not None:
            return bad
    return Feedback(True, "pre-before-post strengthens, post-before-pre weakens, and both fade within a few τ.")


# ------------------------------------------------------------------ exercise 2: weight normalisation


def normalise_solution(w, total=78.0):
    """Reference: each column of ``w`` ``[N_pre, N_post]`` scaled to sum to ``total``."""
    w = np.asarray(w, dtype=np.float64)
    return w * (total / w.sum(0, keepdims=True))


def check_normalise(fn: Callable) -> Feedback:
    """Check ``fn(w, total)`` with ``w`` a float32 tensor ``[N_pre, N_post]``."""
    gen = torch.Generator().manual_seed(0)
    for shape, total in (((784, 5), 78.0), ((10, 3), 1.0)):
        w = torch.rand(shape, generator=gen)
        got, bad = _call(fn, (w.clone(), total), "your normalise")
        if bad is not None:
            return bad
        bad = _compare(
            got,
            normalise_solution(w.numpy(), total),
            f"normalise(w of shape {shape}, {total})",
            "Divide each column (all inputs of one neuron: axis 0) by its sum, then multiply by total.",
        )
        if bad is not None:
            return bad
    return Feedback(True, "every neuron now has the same total input weight: it can only redistribute it.")


# ------------------------------------------------------------------ exercise 3: labelling neurons


def assign_labels_solution(counts, labels, num_classes=10):
    """Reference: for each neuron, the class with the highest mean spike count (NumPy int array)."""
    counts = np.asarray(counts, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)
    means = np.stack(
        [counts[labels == c].mean(0) if np.any(labels == c) else np.zeros(counts.shape[1]) for c in range(num_classes)]
    )
    return means.argmax(0)


def check_assign_labels(fn: Callable) -> Feedback:
    """Check ``fn(counts, labels, num_classes)``: counts ``[N_images, N_neurons]``, labels ``[N_images]``."""
    gen = np.random.default_rng(0)
    labels = np.array([0, 0, 0, 0, 0, 0, 1, 2, 2, 2])  # class 0 is common: raw sums would favour it
    counts = gen.poisson(1.0, size=(10, 6)).astype(np.float64)
    counts[7:, 1] += 6  # neuron 1 prefers class 2
    counts[6, 2] += 9  # neuron 2 prefers class 1 (one image only)
    counts[:, 3] = 0
    counts[6, 3] = 1  # fires once, for the rare class 1
    expected = assign_labels_solution(counts, labels, 3)
    got, bad = _call(fn, (torch.as_tensor(counts, dtype=torch.float32), torch.as_tensor(labels), 3), "your assign_labels")
    if bad is not None:
        return bad
    bad = _compare(
        got,
        expected.astype(np.float64),
        "assign_labels(counts, labels, 3)",
        "Average each neuron's counts over the images of each class (mean, not sum: classes have "
        "different sizes), then take the class with the largest mean.",
        rtol=0,
        atol=0,
    )
    if bad is not None:
        return bad
    return Feedback(
        True, "each neuron now carries the label of the digit it answers most; no label was used during learning, only here."
    )
