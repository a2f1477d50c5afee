"""Measures of spike records, one name for one idea (layer 1: primitives).

Every function takes a time-first spike record ``[T, ...]`` of 0s and 1s (off spikes of a delta
code may be -1 and count as spikes):

* :func:`spike_count`: spikes per neuron, summed over time, ``[T, ...] -> [...]``;
* :func:`firing_rate`: spikes per unit time per neuron over a window of steps, ``[T, ...] -> [...]``;
* :func:`population_rate`: the fraction of a population spiking at each step, per unit time,
  ``[T, ..., N] -> [T, ...]`` (population on ``dim``, the last axis by default).

The coding, circuits and learning chapters all use these; no other module defines its own.
"""

from __future__ import annotations

from typing import Optional

import torch

from . import _checks

__all__ = ["spike_count", "firing_rate", "population_rate"]


def _window(spikes: torch.Tensor, start, stop, shape: str) -> torch.Tensor:
    T = spikes.shape[0]
    start = _checks.integer(start, "start", 0, T - 1)
    stop = T if stop is None else _checks.integer(stop, "stop", start + 1, T)
    return spikes[start:stop]


def spike_count(spikes: torch.Tensor, start: int = 0, stop: Optional[int] = None) -> torch.Tensor:
    """Spikes per neuron in steps ``start .. stop-1``, ``N = sum_t |s[t]|``: ``[T, ...] -> [...]``.

    Off spikes (-1, from a delta code) count as spikes. Returns a floating-point tensor.
    """
    shape = "[T, ...]"
    _checks.spike_tensor(spikes, "spikes", shape, signed=True)
    s = _window(spikes, start, stop, shape)
    return s.abs().sum(0, dtype=torch.get_default_dtype() if not s.is_floating_point() else s.dtype)


def firing_rate(spikes: torch.Tensor, dt: float = 1.0, start: int = 0, stop: Optional[int] = None) -> torch.Tensor:
    r"""Firing rate of each neuron, a temporal average over one trial: ``v = N / (T' dt)``.

    ``spikes [T, ...] -> rate [...]``, in spikes per unit of ``dt`` (spikes per step when
    ``dt = 1``) over the ``T' = stop - start`` steps ``start .. stop-1``.
    """
    dt = _checks.positive(dt, "dt")
    count = spike_count(spikes, start, stop)
    T = spikes.shape[0] if stop is None else int(stop)
    return count / ((T - int(start)) * dt)


def population_rate(spikes: torch.Tensor, dt: float = 1.0, dim: int = -1) -> torch.Tensor:
    r"""Population activity ``A(t) = \frac{1}{N \Delta t} \sum_j s_j[t]`` at every step.

    ``spikes [T, ..., N]`` (the population on ``dim``, the last axis by default; never 0, which is
    time) ``-> [T, ...]``.
    """
    shape = "[T, ..., N] (time first, population on dim)"
    _checks.spike_tensor(spikes, "spikes", shape, min_dim=2, signed=True)
    dt = _checks.positive(dt, "dt")
    nd = spikes.dim()
    d = _checks.integer(dim, "dim", -nd, nd - 1)
    if d % nd == 0:
        raise ValueError(f"dim is the population axis and cannot be the time axis 0 of spikes {shape}, got dim={dim}")
    s = spikes.abs() if spikes.is_floating_point() else spikes.abs().to(torch.get_default_dtype())
    return s.mean(d) / dt
