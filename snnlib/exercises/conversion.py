"""Exercises of the conversion chapter (From ANN to SNN): a layer's scale and data-based normalisation."""

from __future__ import annotations

from typing import Callable, List

import torch

from ..conversion import layer_scale, normalise_parameters
from .core import Feedback, as_number, as_tensor, checker, failed, passed, register_hints, run_user

__all__ = ["layer_scale_solution", "check_layer_scale", "normalise_network_solution", "check_normalise_network"]

register_hints(
    "layer_scale",
    "A ReLU layer is mostly zeros: keep only the activations that are > 0 before taking the percentile.",
    "torch.quantile(acts[acts > 0].double(), percentile / 100) (percentile 100 is the maximum).",
)
register_hints(
    "normalise_network",
    "Layer l receives rates that were divided by lambda_{l-1} and must output rates divided by lambda_l.",
    "W_l * lambda_{l-1} / lambda_l and b_l / lambda_l, with lambda_0 = 1 for the input.",
)


def layer_scale_solution(activations: torch.Tensor, percentile: float) -> float:
    """The reference answer of exercise 1: the ``percentile`` of the positive ``activations``."""
    return layer_scale(activations, percentile)


def normalise_network_solution(weights: List[torch.Tensor], biases: List[torch.Tensor], scales: List[float]):
    """The reference answer of exercise 2: ``(new_weights, new_biases)`` with ``lambda_0 = 1``."""
    return normalise_parameters(weights, biases, scales)


def _scale_cases():
    gen = torch.Generator().manual_seed(3)
    relu = torch.relu(torch.randn(400, 50, generator=gen) * 2 + 0.5)
    spiky = relu.clone()
    spiky[0, 0] = 80.0  # one outlier: the maximum and the 99.9th percentile differ a lot
    return [(relu, 100.0), (spiky, 100.0), (spiky, 99.9), (relu, 99.0), (spiky.double(), 99.9)]


def _spread(acts: torch.Tensor, pct: float) -> float:
    """How much percentile definitions (interpolated or nearest rank) may differ here."""
    pos = acts[acts > 0].double().sort().values
    n = pos.numel()
    k = min(n - 1, max(0, round(pct / 100.0 * n) - 1))
    return float(pos[min(n - 1, k + 1)] - pos[max(0, k - 1)])


@checker
def check_layer_scale(fn: Callable) -> Feedback:
    """Check ``fn(activations, percentile) -> lambda``: the percentile of the activations that are > 0."""
    for acts, pct in _scale_cases():
        val = as_number(run_user(fn, acts.clone(), pct, what="your layer_scale"), "the scale")
        want = layer_scale(acts, pct)
        if abs(val - want) <= 1e-3 * max(1.0, abs(want)) + 2e-3 * _spread(acts, pct):
            continue
        every = float(torch.quantile(acts.double().reshape(-1), pct / 100.0))
        if abs(val - every) <= 1e-3 * max(1.0, abs(every)) and abs(every - want) > 1e-6:
            return failed(
                f"for percentile {pct} you took the percentile of all activations, zeros included.",
                "count only the positive ones (a ReLU layer is mostly zeros).",
            )
        side = "too large" if val > want else "too small"
        return failed(
            f"for percentile {pct} your scale is {side} (off by {abs(val - want) / max(abs(want), 1e-12):.1%}).",
            "the percentile of the activations that are > 0.",
        )
    return passed("your scale is the percentile of the positive activations: the maximum follows an outlier, 99.9 ignores it.")


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
    return w, b, [2.5, 0.4, 7.0]


def _matches(got, want) -> bool:
    return all(g.shape == q.shape and torch.allclose(g, q.double(), rtol=1e-4, atol=1e-6) for g, q in zip(got, want))


def _diagnose(w, b, scales, got_w, got_b) -> str:
    """A hint naming the common mistake the answer matches, or ''."""
    lam = [1.0, *list(scales)]
    if _matches(got_w, [wi / lam[i + 1] for i, wi in enumerate(w)]):
        return "you divided the weights by lambda_l only; multiply them by lambda_{l-1} too."
    if _matches(got_w, [wi * lam[i + 1] / lam[i] for i, wi in enumerate(w)]):
        return "the ratio is upside down: use lambda_{l-1} / lambda_l."
    if _matches(got_b, b):
        return "the biases must be divided by lambda_l as well (a bias is a current added to a_l)."
    return ""


@checker
def check_normalise_network(fn: Callable) -> Feedback:
    """Check ``fn(weights, biases, scales) -> (new_weights, new_biases)`` (data-based normalisation).

    ``W_l <- W_l lambda_{l-1} / lambda_l`` and ``b_l <- b_l / lambda_l`` with ``lambda_0 = 1``.
    """
    for seed, dtype in ((0, torch.float32), (1, torch.float64)):
        w, b, scales = _network_case(seed, dtype)
        out = run_user(fn, [t.clone() for t in w], [t.clone() for t in b], list(scales), what="your normalise")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return failed("return a pair (new_weights, new_biases): two lists, one tensor per layer.")
        new_w, new_b = out
        if (
            not isinstance(new_w, (list, tuple))
            or not isinstance(new_b, (list, tuple))
            or len(new_w) != len(w)
            or len(new_b) != len(b)
        ):
            return failed(f"new_weights and new_biases should be lists of {len(w)} tensors (one per layer).")
        got_w = [as_tensor(t, f"new weights[{i}]", tuple(w[i].shape)) for i, t in enumerate(new_w)]
        got_b = [as_tensor(t, f"new biases[{i}]", tuple(b[i].shape)) for i, t in enumerate(new_b)]
        want_w, want_b = normalise_parameters(w, b, scales)
        for i in range(len(w)):
            for kind, got, want in (("weights", got_w[i], want_w[i]), ("biases", got_b[i], want_b[i])):
                if not torch.allclose(got, want.double(), rtol=1e-4 if dtype == torch.float32 else 1e-9, atol=1e-6):
                    return failed(f"layer {i + 1}'s {kind} are not right.", _diagnose(w, b, scales, got_w, got_b))
    return passed("each layer now computes a_l / lambda_l, so its activations fit the [0, 1] range of firing rates.")
