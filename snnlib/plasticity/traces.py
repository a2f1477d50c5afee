r"""Synaptic traces: the memory of recent spikes that local learning rules read.

A trace jumps at each spike and decays exponentially in between:

.. math:: x[t] = d\,x[t-1] + s[t] \quad(\text{"add"}), \qquad x[t] = \max(d\,x[t-1], s[t]) \quad(\text{"set"}),

with ``d = exp(-dt / tau)``. "add" sums over all past spikes (all-to-all pairing); "set" resets
to 1 at a spike, so only the nearest spike counts (the nearest-spike pairing of Diehl & Cook).
"""

from __future__ import annotations

import math

import torch

from .. import _checks

__all__ = ["TRACE_MODES", "trace_decay", "trace_step", "trace_run"]

#: How a spike changes a trace, declared once: name -> update of (decayed trace, spikes).
TRACE_MODES = {"add": lambda decayed, spikes: decayed + spikes, "set": lambda decayed, spikes: torch.maximum(decayed, spikes)}


def trace_decay(tau: float, dt: float = 1.0) -> float:
    """The per-step decay factor ``exp(-dt / tau)`` of a trace with time constant ``tau``."""
    return math.exp(-_checks.positive(dt, "dt") / _checks.positive(tau, "tau"))


def trace_step(trace: torch.Tensor, spikes: torch.Tensor, decay: float, mode: str = "add") -> torch.Tensor:
    """One step of a trace: ``[B, N]`` trace and ``[B, N]`` spikes (any equal shapes) -> new trace."""
    trace = _checks.finite_tensor(trace, "trace", "[B, N]", dtype="float", nonempty=False)
    _checks.tensor(spikes, "spikes", "[B, N]", nonempty=False, dtype="number")
    _checks.host_values(spikes, "spikes", "[B, N]", spikes=True)
    _checks.same_shape(trace, spikes, "trace", "spikes", "[B, N]")
    decay = _checks.real(decay, "decay", 0.0, 1.0)
    mode = _checks.choice(mode, "mode", TRACE_MODES)
    return TRACE_MODES[mode](decay * trace, spikes.to(trace.dtype))


def trace_run(spikes: torch.Tensor, decay: float, mode: str = "add") -> torch.Tensor:
    """The trace of a whole spike record: ``[T, B, N]`` -> ``[T, B, N]`` (float), starting from 0."""
    spikes = _checks.spike_tensor(spikes, "spikes", "[T, B, N]")
    x = torch.zeros(spikes.shape[1:], dtype=torch.get_default_dtype() if not spikes.is_floating_point() else spikes.dtype)
    out = []
    for t in range(spikes.shape[0]):
        x = trace_step(x, spikes[t], decay, mode)
        out.append(x)
    return torch.stack(out)
