"""Checkers of the conversion chapter's exercises (they import nothing above layer 3).

Each ``check_*`` takes the reader's function, runs it on a few cases and returns a
:class:`Feedback` (truthy when right). A checker never raises on a reader's answer: an answer
that raises, returns the wrong type or shape, or is the untouched stub (``None`` or
``NotImplementedError``) gets a message instead. Answers may return Python floats, NumPy numbers
or arrays, or float32/float64 tensors.

* :func:`check_layer_scale`: the normalisation factor of one layer, a percentile of its positive
  activations (reference: :func:`snnlib.conversion.layer_scale`);
* :func:`check_normalise`: data-based weight normalisation of a whole network (reference:
  :func:`snnlib.conversion.normalise_parameters`).
"""

from __future__ import annotations

import html as _html
from typing import Any, Callable, List, NamedTuple

import numpy as np
import torch

from .core import layer_scale, normalise_parameters

__all__ = ["Feedback", "NOT_ATTEMPTED", "layer_scale_solution", "normalise_solution", "check_layer_scale", "check_normalise"]

#: What a checker says about an untouched stub.
NOT_ATTEMPTED = "not attempted yet: replace the `raise NotImplementedError` (or `return None`) with your code."


#: Feedback's look: (heading, background, border) for a right and a wrong answer.
_STYLE = {True: ("✅ Correct!", "#e6f4ea", "#34a853"), False: ("❌ Not yet.", "#fdecea", "#d93025")}


class Feedback(NamedTuple):
    """The outcome of a check: ``ok`` and a message (truthy when right; prints and renders in a notebook)."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __str__(self) -> str:
        return f"{_STYLE[bool(self.ok)][0]} {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head, background, border = _STYLE[bool(self.ok)]
        return (
            f'<div style="background:{background};border-left:4px solid {border};padding:0.5em 1em;">'
            f"<b>{head}</b> {_html.escape(self.message)}</div>"
        )


class _Stub(Exception):
    pass


def _call(fn: Callable, *args) -> Any:
    """The reader's result, or raise _Stub (untouched) / RuntimeError (their code raised)."""
    try:
        out = fn(*args)
    except NotImplementedError as err:
        raise _Stub() from err
    except Exception as err:  # the reader's code raised: report it, never propagate
        raise RuntimeError(f"your function raised {type(err).__name__}: {err}") from err
    if out is None:
        raise _Stub()
    return out


def _as_float64(value: Any, what: str) -> torch.Tensor:
    """A float64 tensor from a number, NumPy value/array or tensor; ValueError with a message otherwise."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", torch.float64)
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{what} should be a number or a tensor, got a bool")
    try:
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"{what} should be a number or a tensor, got {type(value).__name__}") from None


def layer_scale_solution(activations: torch.Tensor, percentile: float) -> float:
    """The reference answer of exercise 1: the ``percentile`` of the positive ``activations``."""
    return layer_scale(activations, percentile)


def normalise_solution(weights: List[torch.Tensor], biases: List[torch.Tensor], scales: List[float]):
    """The reference answer of exercise 2: ``(new_weights, new_biases)`` with ``lambda_0 = 1``."""
    return normalise_parameters(weights, biases, scales)


def _scale_cases():
    gen = torch.Generator().manual_seed(3)
    relu = torch.relu(torch.randn(400, 50, generator=gen) * 2 + 0.5)
    spiky = relu.clone()
    spiky[0, 0] = 80.0  # one outlier: the maximum and the 99.9th percentile differ a lot
    return [(relu, 100.0), (spiky, 100.0), (spiky, 99.9), (relu, 99.0), (spiky.double(), 99.9)]


def check_layer_scale(fn: Callable) -> Feedback:
    """Check ``fn(activations, percentile) -> lambda``: the percentile of the activations that are > 0."""
    for acts, pct in _scale_cases():
        try:
            got = _as_float64(_call(fn, acts.clone(), pct), "the scale")
        except _Stub:
            return Feedback(False, NOT_ATTEMPTED)
        except (RuntimeError, ValueError) as err:
            return Feedback(False, str(err))
        if got.numel() != 1:
            return Feedback(False, f"return one number (the layer's scale), got {got.numel()} values")
        want = layer_scale(acts, pct)
        all_values = float(torch.quantile(acts.double().reshape(-1), pct / 100.0))
        val = float(got.reshape(()))
        if not np.isfinite(val):
            return Feedback(False, f"the scale should be a finite number, got {val}")
        if abs(val - want) <= 1e-3 * max(1.0, abs(want)) + 2e-3 * _spread(acts, pct):
            continue
        if abs(val - all_values) <= 1e-3 * max(1.0, abs(all_values)) and abs(all_values - want) > 1e-6:
            return Feedback(
                False,
                f"for percentile {pct} you returned {val:.4g}, the percentile of *all* "
                f"activations; count only the positive ones (a ReLU layer is mostly zeros), "
                f"which gives {want:.4g}",
            )
        return Feedback(
            False,
            f"for percentile {pct} you returned {val:.4g}, expected {want:.4g} (the percentile of the activations that are > 0)",
        )
    return Feedback(
        True,
        "your scale is the percentile of the positive activations, so the maximum (100) follows an outlier and 99.9 ignores it.",
    )


def _spread(acts: torch.Tensor, pct: float) -> float:
    """How much percentile definitions (interpolated or nearest rank) may differ here."""
    pos = acts[acts > 0].double().sort().values
    n = pos.numel()
    k = min(n - 1, max(0, round(pct / 100.0 * n) - 1))
    lo, hi = pos[max(0, k - 1)], pos[min(n - 1, k + 1)]
    return float(hi - lo)


def _network_case(seed: int, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    w = [
        torch.randn(6, 4, generator=gen).to(dtype),
        torch.randn(3, 6, generator=gen).to(dtype),
        torch.randn(2, 3, generator=gen).to(dtype),
    ]
    b = [
        torch.randn(6, generator=gen).to(dtype),
        torch.randn(3, generator=gen).to(dtype),
        torch.randn(2, generator=gen).to(dtype),
    ]
    scales = [2.5, 0.4, 7.0]
    return w, b, scales


def check_normalise(fn: Callable) -> Feedback:
    """Check ``fn(weights, biases, scales) -> (new_weights, new_biases)`` (data-based normalisation).

    ``W_l <- W_l lambda_{l-1} / lambda_l`` and ``b_l <- b_l / lambda_l`` with ``lambda_0 = 1``.
    """
    for seed, dtype in ((0, torch.float32), (1, torch.float64)):
        w, b, scales = _network_case(seed, dtype)
        try:
            out = _call(fn, [t.clone() for t in w], [t.clone() for t in b], list(scales))
        except _Stub:
            return Feedback(False, NOT_ATTEMPTED)
        except RuntimeError as err:
            return Feedback(False, str(err))
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return Feedback(False, "return a pair (new_weights, new_biases): two lists, one tensor per layer")
        new_w, new_b = out
        if (
            not isinstance(new_w, (list, tuple))
            or not isinstance(new_b, (list, tuple))
            or len(new_w) != len(w)
            or len(new_b) != len(b)
        ):
            return Feedback(False, f"new_weights and new_biases should be lists of {len(w)} tensors (one per layer)")
        want_w, want_b = normalise_parameters(w, b, scales)
        hint = _diagnose(w, b, scales, new_w, new_b)
        for i in range(len(w)):
            for kind, got, want in (("weights", new_w[i], want_w[i]), ("biases", new_b[i], want_b[i])):
                try:
                    got_t = _as_float64(got, f"new {kind}[{i}]")
                except ValueError as err:
                    return Feedback(False, str(err))
                if tuple(got_t.shape) != tuple(want.shape):
                    return Feedback(
                        False,
                        f"new {kind}[{i}] has shape {tuple(got_t.shape)}, expected "
                        f"{tuple(want.shape)} (the shape of the original)",
                    )
                if not torch.allclose(got_t, want.double(), rtol=1e-4, atol=1e-6):
                    return Feedback(False, f"layer {i + 1}'s {kind} are not right. {hint}".strip())
    return Feedback(
        True,
        "each layer now computes a_l / lambda_l, so its activations fit the [0, 1] range "
        "of firing rates (weights times lambda_{l-1} / lambda_l, biases over lambda_l).",
    )


def _diagnose(w, b, scales, new_w, new_b) -> str:
    """A hint naming the common mistake the answer matches, or ''."""
    lam = [1.0, *list(scales)]
    guesses = {
        "you divided the weights by lambda_l only; they must also be multiplied by lambda_{l-1} "
        "(the previous layer's rates were divided by it)": [wi / lam[i + 1] for i, wi in enumerate(w)],
        "the ratio is upside down: use lambda_{l-1} / lambda_l": [wi * lam[i + 1] / lam[i] for i, wi in enumerate(w)],
    }
    try:
        got = [_as_float64(t, "w") for t in new_w]
        for text, guess in guesses.items():
            if all(g.shape == q.shape and torch.allclose(g, q.double(), rtol=1e-4, atol=1e-6) for g, q in zip(got, guess)):
                return text
        got_b = [_as_float64(t, "b") for t in new_b]
        if all(g.shape == q.shape and torch.allclose(g, q.double(), rtol=1e-4, atol=1e-6) for g, q in zip(got_b, b)):
            return "the biases must be divided by lambda_l as well (a bias is a current added to a_l)"
    except ValueError:
        return ""
    return ""
