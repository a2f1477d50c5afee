"""Exercises of the STDP chapter (Learning without labels): the window, normalisation, labels."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from .core import Feedback, assert_close, checker, failed, passed, register_hints, require_close, run_user

__all__ = [
    "stdp_window_solution",
    "check_stdp_window",
    "normalise_columns_solution",
    "check_normalise_columns",
    "assign_labels_solution",
    "check_assign_labels",
]

register_hints(
    "stdp_window",
    "Two branches: pre before post (delta_t >= 0) and post before pre (delta_t < 0); np.where picks per element.",
    "For delta_t >= 0: a_plus * exp(-delta_t / tau_plus); for delta_t < 0: -a_minus * exp(delta_t / tau_minus).",
)
register_hints(
    "normalise_columns",
    "A column of w holds all the input weights of one neuron (axis 0 runs over the inputs).",
    "w * (total / w.sum(0, keepdims=True)).",
)
register_hints(
    "assign_labels",
    "Average each neuron's spike counts over the images of one class at a time.",
    "Stack the per-class means into [num_classes, N_neurons] and take argmax over the classes (axis 0).",
)


def stdp_window_solution(delta_t, a_plus=0.01, a_minus=0.0105, tau_plus=20.0, tau_minus=20.0):
    """Reference: ``A+ exp(-Δt/τ+)`` for ``Δt >= 0``, ``-A- exp(Δt/τ-)`` for ``Δt < 0`` (NumPy array)."""
    dt = np.asarray(delta_t, dtype=np.float64)
    return np.where(dt >= 0, a_plus * np.exp(-np.abs(dt) / tau_plus), -a_minus * np.exp(-np.abs(dt) / tau_minus))


@checker
def check_stdp_window(fn: Callable) -> Feedback:
    """Check ``fn(delta_t, a_plus, a_minus, tau_plus, tau_minus)`` (``delta_t`` a NumPy array, ms)."""
    cases = [(np.arange(-40.0, 41.0, 5.0), 0.01, 0.0105, 20.0, 20.0), (np.array([-3.0, 0.0, 3.0]), 0.5, 0.2, 10.0, 30.0)]
    for dt, *rest in cases:
        got = run_user(fn, dt.copy(), *rest, what="your stdp_window")
        expected = stdp_window_solution(dt, *rest)
        got_arr = np.asarray(got.detach().cpu() if isinstance(got, torch.Tensor) else got, dtype=object)
        if got_arr.shape == expected.shape:
            flipped = stdp_window_solution(-dt, *rest)
            try:
                if np.allclose(np.asarray(got_arr, dtype=np.float64), flipped):
                    return failed(
                        "your window is mirrored: delta_t = t_post - t_pre, positive when pre fires first.",
                        "pre before post (delta_t >= 0) must strengthen the synapse.",
                    )
            except (TypeError, ValueError):
                pass
        require_close(
            got,
            expected,
            f"stdp_window(delta_t, {', '.join(map(str, rest))})",
            rtol=1e-6,
            atol=1e-12,
            hint="potentiation for delta_t >= 0 decays with tau_plus; depression for delta_t < 0 is negative and "
            "decays with tau_minus.",
        )
    return passed("pre-before-post strengthens, post-before-pre weakens, and both fade within a few tau.")


def normalise_columns_solution(w, total=78.0):
    """Reference: each column of ``w`` ``[N_pre, N_post]`` scaled to sum to ``total``."""
    w = np.asarray(w, dtype=np.float64)
    return w * (total / w.sum(0, keepdims=True))


@checker
def check_normalise_columns(fn: Callable) -> Feedback:
    """Check ``fn(w, total)`` with ``w`` a float32 tensor ``[N_pre, N_post]`` (column sums -> ``total``)."""
    gen = torch.Generator().manual_seed(0)
    for shape, total in (((784, 5), 78.0), ((10, 3), 1.0)):
        w = torch.rand(shape, generator=gen)
        got = run_user(fn, w.clone(), total, what="your normalise")
        expected = normalise_columns_solution(w.numpy(), total)
        rows = w.numpy().astype(np.float64) * (total / w.numpy().astype(np.float64).sum(1, keepdims=True))
        try:
            if np.asarray(got, dtype=np.float64).shape == rows.shape and np.allclose(np.asarray(got, dtype=np.float64), rows):
                return failed("you normalised the rows; the inputs of one neuron are a column (axis 0).")
        except (TypeError, ValueError, RuntimeError):
            pass
        require_close(
            got,
            expected,
            f"normalise(w of shape {shape}, {total})",
            rtol=1e-5,
            hint="divide each column by its sum, then multiply by total.",
        )
    return passed("every neuron now has the same total input weight: it can only redistribute it.")


def assign_labels_solution(counts, labels, num_classes=10):
    """Reference: for each neuron, the class with the highest mean spike count (NumPy int array)."""
    counts = np.asarray(counts, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)
    means = np.stack(
        [counts[labels == c].mean(0) if np.any(labels == c) else np.zeros(counts.shape[1]) for c in range(num_classes)]
    )
    return means.argmax(0)


@checker
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
    got = run_user(fn, torch.as_tensor(counts, dtype=torch.float32), torch.as_tensor(labels), 3, what="your assign_labels")
    sums = np.stack([counts[labels == c].sum(0) for c in range(3)]).argmax(0)
    bad = assert_close(got, expected.astype(np.float64), "assign_labels(counts, labels, 3)", atol=0.0)
    if bad is not None:
        try:
            if np.array_equal(np.asarray(got, dtype=np.float64), sums):
                return failed("you used the sum of the counts per class: classes have different sizes, so use the mean.")
        except (TypeError, ValueError, RuntimeError):
            pass
        return bad
    return passed("each neuron carries the label of the digit it answers most; labels were used only here, not in learning.")
