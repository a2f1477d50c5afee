"""Measures of spike records, one name for one idea (layer 1: primitives).

Every function takes a time-first spike record ``[T, ...]`` of 0s and 1s (off spikes of a delta
code may be -1 and count as spikes):

* :func:`spike_count`: spikes per neuron, summed over time, ``[T, ...] -> [...]``;
* :func:`firing_rate`: spikes per unit time per neuron over a window of steps, ``[T, ...] -> [...]``;
* :func:`population_rate`: the fraction of a population spiking at each step, per unit time,
  ``[T, ..., N] -> [T, ...]`` (population on ``dim``, the last axis by default);
* :func:`fano_factor`: the variability of spike counts over repeats, ``Var[N] / E[N]``,
  ``[R, ...] -> [...]``;
* :func:`interspike_intervals` and :func:`isi_cv`: the intervals between consecutive spikes of
  each neuron, and their coefficient of variation ``std / mean``, ``[T, ...] -> [...]``.

The coding, circuits and learning chapters all use these; no other module defines its own.
"""

from __future__ import annotations

from typing import Optional

import torch

from . import _checks

__all__ = ["spike_count", "firing_rate", "population_rate", "fano_factor", "interspike_intervals", "isi_cv"]


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


def fano_factor(counts: torch.Tensor, dim: int = 0, unbiased: bool = True) -> torch.Tensor:
    r"""Fano factor of spike counts, ``F = Var[N] / E[N]``, over repeats on axis ``dim``.

    ``counts [R, ...]`` (the counts of ``R >= 2`` repeats, or of ``R`` windows of one stationary
    train; any real dtype) ``-> F [...]``. The variance is the unbiased sample variance (``R - 1``
    in the denominator) unless ``unbiased=False``. A Poisson process has ``F = 1``; Bernoulli
    spikes with probability ``p`` per step have ``F = 1 - p`` in any window; a perfectly regular
    train has ``F = 0``. Neurons with no spike at all get NaN (0 / 0).
    """
    shape = "[R, ...] (repeats on dim)"
    _checks.tensor(counts, "counts", shape, min_dim=1, dtype="number", finite=True)
    nd = counts.dim()
    d = _checks.integer(dim, "dim", -nd, nd - 1)
    unbiased = _checks.boolean(unbiased, "unbiased")
    if counts.shape[d] < 2:
        raise ValueError(f"counts {shape} needs at least 2 repeats on dim {dim}, got shape {tuple(counts.shape)}")
    c = counts if counts.is_floating_point() else counts.to(torch.get_default_dtype())
    return c.var(d, correction=1 if unbiased else 0) / c.mean(d)


def _intervals(spikes: torch.Tensor):
    """The intervals of every neuron of ``spikes [T, ...]``: ``(isi, neuron)``, both 1-D, and the
    number of neurons (the trailing axes flattened, in C order)."""
    s = spikes.reshape(spikes.shape[0], -1) != 0
    neuron, t = torch.nonzero(s.T, as_tuple=True)  # sorted by neuron, then by time
    same = neuron[1:] == neuron[:-1]
    isi = (t[1:] - t[:-1])[same]
    return isi, neuron[1:][same], s.shape[1]


def interspike_intervals(spikes: torch.Tensor) -> torch.Tensor:
    """The intervals (in steps) between consecutive spikes of every neuron, pooled.

    ``spikes [T, ...]`` (0/1; off spikes -1 of a delta code count as spikes) ``-> isi [K]``, a 1-D
    integer tensor: neuron by neuron (trailing axes flattened), each neuron's intervals in time order.
    """
    _checks.spike_tensor(spikes, "spikes", "[T, ...]", signed=True)
    return _intervals(spikes)[0]


def isi_cv(spikes: torch.Tensor, ddof: int = 0) -> torch.Tensor:
    r"""Coefficient of variation of each neuron's interspike intervals, ``CV = std(ISI) / mean(ISI)``.

    ``spikes [T, ...]`` (0/1, any real dtype; off spikes -1 of a delta code count as spikes)
    ``-> CV [...]``, float64. ``ddof`` is the delta degrees of freedom of the standard deviation
    (0: NumPy's default; 1: the unbiased estimate, ``torch.std``'s default); a neuron with fewer
    than ``ddof + 2`` intervals gets NaN. A Poisson process has ``CV = 1``, Bernoulli spikes with
    probability ``p`` per step (geometric intervals) ``CV = sqrt(1 - p)``, a regular train ``CV = 0``.
    The step size cancels in the ratio.
    """
    _checks.spike_tensor(spikes, "spikes", "[T, ...]", signed=True)
    ddof = _checks.integer(ddof, "ddof", 0, 1)
    isi, neuron, n = _intervals(spikes)
    x = isi.to(torch.float64)
    k = torch.zeros(n, dtype=torch.float64, device=x.device).index_add_(0, neuron, torch.ones_like(x))
    mean = torch.zeros_like(k).index_add_(0, neuron, x) / k
    dev = torch.zeros_like(k).index_add_(0, neuron, (x - mean[neuron]) ** 2)
    cv = (dev / (k - ddof)).sqrt() / mean
    cv = torch.where(k >= ddof + 2, cv, torch.full_like(cv, float("nan")))
    return cv.reshape(spikes.shape[1:])
