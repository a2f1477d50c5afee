r"""Exponentially decaying synaptic traces: a current or a conductance that jumps at a spike and decays.

.. math::  x[t+1] = \alpha\, x[t] + s[t+1], \qquad \alpha = e^{-\Delta t / \tau_\text{syn}},

the synaptic current of snnTorch's ``snn.Synaptic`` (:func:`trace_step`). ``tau`` is in steps;
``tau = 0`` gives ``alpha = 0``: the trace is the last input only (an instantaneous synapse).
Shapes: a step takes ``[B, ...]``; a run takes a time-first input ``[T, B, ...]``.
"""

from __future__ import annotations

import math
from typing import Optional, Union

import torch

from .. import _checks

__all__ = ["decay_factor", "trace_step", "trace_run"]

Number = Union[float, torch.Tensor]


def decay_factor(tau: float) -> float:
    """The decay per step of a trace with time constant ``tau`` steps: ``exp(-1/tau)``; 0 for ``tau = 0``.

    ``tau`` is a real number ``>= 0`` (``inf`` allowed: a trace that never decays, ``alpha = 1``).
    """
    tau = _checks.real(tau, "tau (the synaptic time constant, in steps)", 0.0, allow_inf=True)
    return 0.0 if tau == 0 else math.exp(-1.0 / tau)


def _alpha(alpha) -> Number:
    if isinstance(alpha, torch.Tensor):
        _checks.tensor(alpha, "alpha", "[] or broadcastable to the trace [B, ...]", dtype="float", finite=True)
        return alpha.clamp(0, 1)  # as snnTorch clamps a learnt alpha
    return _checks.real(alpha, "alpha (the decay per step, in [0, 1])", 0.0, 1.0)


def trace_step(x: torch.Tensor, trace: Optional[torch.Tensor], alpha: Number) -> torch.Tensor:
    """One step of an exponentially decaying trace: ``alpha * trace + x``.

    Args:
        x: the input of this step ``[B, ...]`` (a weighted spike count, a current).
        trace: the trace after the previous step, same shape, or ``None`` (zero: at rest).
        alpha: decay per step in [0, 1] (a number, or a float tensor broadcastable to ``x``,
            clamped to [0, 1] as snnTorch does).

    Returns:
        the new trace ``[B, ...]``.
    """
    _checks.tensor(x, "x", "[B, ...]", dtype="float", nonempty=False)
    alpha = _alpha(alpha)
    if trace is None:
        return x.clone()
    _checks.tensor(trace, "trace", "[B, ...]", dtype="float", nonempty=False)
    if trace.shape != x.shape:
        raise ValueError(f"trace must have the shape of x [B, ...] = {tuple(x.shape)}, got {tuple(trace.shape)}")
    return alpha * trace + x


def trace_run(x: torch.Tensor, alpha: Number, trace: Optional[torch.Tensor] = None) -> torch.Tensor:
    """:func:`trace_step` over a time-first input ``[T, B, ...]``; returns the traces ``[T, B, ...]``."""
    _checks.time_first(x, "x", "[T, B, ...]", min_dim=1, dtype="float", finite=True)
    out = []
    for t in range(x.shape[0]):
        trace = trace_step(x[t], trace, alpha)
        out.append(trace)
    return torch.stack(out)
