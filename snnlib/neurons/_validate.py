"""Argument checks shared by the modules of :mod:`snnlib.neurons` (private).

Built on :mod:`snnlib._checks`; one rule for the decay ``beta`` and the threshold, which may be
numbers or tensors (one value per neuron), and for the NumPy-style inputs of the closed forms.
"""

from __future__ import annotations

from typing import Union

import numpy as np
import torch

from .. import _checks

Number = Union[float, torch.Tensor]

#: How the shape of a per-neuron parameter is described in messages.
PARAM_SHAPE = "[] or broadcastable to the state [B, ...]"


def _tensor_range(x: torch.Tensor, name: str, what: str, low_ok, high_ok) -> None:
    b = x.detach()
    if b.numel() and not (bool(low_ok(b).all()) and bool(high_ok(b).all())):
        raise ValueError(
            f"{name} must be {what}, got values from {float(b.min()):g} to {float(b.max()):g} "
            f"(a tensor of shape {tuple(x.shape)})"
        )


def scalar_beta(value, name: str = "beta") -> float:
    """The decay per step as one real number in ``[0, 1]`` (a one-element tensor is read as its number)."""
    return _checks.real(value, f"{name} (the decay per step, in [0, 1])", 0.0, 1.0)


def beta(value, name: str = "beta") -> Number:
    """The decay per step: a real number in ``[0, 1]`` (returned as a float) or a finite float tensor in it."""
    what = "in [0, 1] (the decay per step, beta = exp(-dt/tau) or 1 - dt/tau)"
    if isinstance(value, torch.Tensor):
        _checks.tensor(value, name, PARAM_SHAPE, dtype="float", finite=True)
        _tensor_range(value, name, what, lambda b: b >= 0, lambda b: b <= 1)
        return value
    return scalar_beta(value, name)


def threshold(value, name: str = "threshold") -> Number:
    """A firing threshold: a real number ``> 0`` (returned as a float) or a finite float tensor ``> 0``."""
    if isinstance(value, torch.Tensor):
        _checks.tensor(value, name, PARAM_SHAPE, dtype="float", finite=True)
        _tensor_range(value, name, "> 0 everywhere", lambda b: b > 0, lambda b: b > 0)
        return value
    return _checks.positive(value, name)


def real_array(x, name: str, shape: str = "[...] (any shape)") -> np.ndarray:
    """A number, list, array or tensor as a float64 NumPy array; NaN and inf are rejected."""
    if isinstance(x, torch.Tensor):
        _checks.tensor(x, name, shape, dtype="number", nonempty=False)
        out = x.detach().cpu().double().numpy()
    elif isinstance(x, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers of shape {shape}, got {_checks.describe(x)}")
    else:
        try:
            out = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must be a number or an array of numbers of shape {shape}, got {_checks.describe(x)}"
            ) from None
    if out.size and not np.isfinite(out).all():
        bad = "NaN" if np.isnan(out).any() else "inf"
        raise ValueError(f"{name} must be finite, but it contains {bad} (shape {shape})")
    return out
