r"""What the circuits do, measured: pure functions of spike records ``[T, B, N]`` and rate patterns.

* detection: :func:`snr` (a discriminability d' between trials with and without a signal);
* rhythm and synchrony: :func:`synchrony` (Golomb's :math:`\chi^2`), :func:`population_spectrum`,
  :func:`oscillation_power`;
* timing: :func:`response_window`, :func:`first_spike_latency`;
* contrast and competition: :func:`edge_contrast`, :func:`edge_enhancement`,
  :func:`pattern_correlation`, :func:`wta_winner`.

Spike counts, firing rates and population rates are :mod:`snnlib.spikes`' (``spike_count``,
``firing_rate``, ``population_rate``), the one definition of each in the library.
"""

from __future__ import annotations

import math
from typing import Tuple

import torch

from .. import _checks
from .. import spikes as _spikes

__all__ = [
    "snr",
    "synchrony",
    "population_spectrum",
    "oscillation_power",
    "response_window",
    "first_spike_latency",
    "edge_contrast",
    "edge_enhancement",
    "pattern_correlation",
    "wta_winner",
]

Tensor = torch.Tensor

_RECORD = "[T, B, N]"


def _record(spikes, name: str = "spikes") -> Tensor:
    """A spike record ``[T, B, N]`` of 0s and 1s, detached, as float64 (the measures compute in double)."""
    _checks.tensor(spikes, name, _RECORD, ndim=3, nonempty=False)
    _checks.spike_tensor(spikes, name, _RECORD)
    return spikes.detach().to(torch.float64)


def _onset(onset, s: Tensor) -> int:
    """A stimulus onset step inside a record ``s`` ``[T, B, N]``."""
    return _checks.integer(onset, "onset", 0, s.shape[0] - 1)


def _real_values(x, name: str, shape: str) -> Tensor:
    """A tensor, array or list of real numbers as a float64 tensor (a clear error for anything else)."""
    if isinstance(x, (str, bytes)) or x is None or (isinstance(x, torch.Tensor) and (x.is_complex() or x.dtype == torch.bool)):
        raise TypeError(f"{name} must be real numbers {shape} (a tensor, an array or a list), got {_checks.describe(x)}")
    try:
        return torch.as_tensor(x, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be real numbers {shape}, got {_checks.describe(x)}") from err


def _rates(rates, name: str = "rates") -> Tensor:
    """Firing rates ``[N]``, or ``[B, N]`` averaged over the batch, as a float64 ``[N]``."""
    r = _real_values(rates, name, "[N] or [B, N]")
    _checks.tensor(r, name, "[N] or [B, N]", ndim=(1, 2), finite=True)
    return r.mean(0) if r.dim() == 2 else r


def _neuron(index, name: str, n: int) -> int:
    return _checks.integer(index, name, 0, n - 1)


def snr(signal, noise) -> float:
    r"""Signal-to-noise ratio of a response (a discriminability, d'): responses with and without the signal.

    ``(mean(signal) - mean(noise)) / sqrt((var(signal) + var(noise)) / 2)`` over trials; both are
    1-D (e.g. an output neuron's spike count on each trial ``[trials]``). Returns ``inf`` when
    neither varies (``0`` when they do not differ either).
    """
    a = _real_values(signal, "signal", "[trials]").flatten()
    b = _real_values(noise, "noise", "[trials]").flatten()
    for name, v in (("signal", a), ("noise", b)):
        if v.numel() < 2:
            raise ValueError(f"snr needs at least 2 trials with and 2 without the signal: {name} has {v.numel()}")
    _checks.tensor(a, "signal", "[trials]", finite=True)
    _checks.tensor(b, "noise", "[trials]", finite=True)
    spread = math.sqrt((float(a.var()) + float(b.var())) / 2)
    diff = float(a.mean() - b.mean())
    if spread == 0:
        return math.inf if diff != 0 else 0.0
    return diff / spread


def synchrony(spikes: Tensor, bin: int = 1) -> float:
    r"""Golomb's synchrony measure :math:`\chi^2` of a population, averaged over the batch.

    Spike counts in bins of ``bin`` steps give each neuron's activity :math:`x_i(t)` and the
    population's :math:`X(t) = \frac1N \sum_i x_i(t)`; then
    :math:`\chi^2 = \mathrm{Var}_t[X] / \frac1N \sum_i \mathrm{Var}_t[x_i]`. It is about
    :math:`1/N` for independent neurons and 1 for perfectly synchronous ones (batch entries where
    no neuron varies are left out; 0 when none varies).

    Args:
        spikes: ``[T, B, N]`` with ``T >= 2 * bin``.
        bin: bin width in steps (>= 1).
    """
    s = _record(spikes)
    bin = _checks.integer(bin, "bin", 1)
    T, B, N = s.shape
    nb = T // bin
    if nb < 2:
        raise ValueError(f"synchrony needs at least 2 bins of {bin} steps, got spikes {_RECORD} with T={T}")
    x = s[: nb * bin].reshape(nb, bin, B, N).sum(1)
    pop_var = x.mean(2).var(0)  # [B]
    single_var = x.var(0).mean(1)  # [B]
    ok = single_var > 0
    if not bool(ok.any()):
        return 0.0
    return float((pop_var[ok] / single_var[ok]).mean())


def population_spectrum(spikes: Tensor) -> Tuple[Tensor, Tensor]:
    """Power spectrum of the population rate (mean removed), averaged over the batch.

    Args:
        spikes: ``[T, B, N]``.

    Returns:
        ``(freqs, power)``, each ``[T // 2 + 1]``: frequency in cycles per step (x 1000 for Hz at
        1 ms steps, default dtype) and power (float64).
    """
    r = _spikes.population_rate(_record(spikes))  # [T, B]
    r = r - r.mean(0, keepdim=True)
    power = (torch.fft.rfft(r, dim=0).abs() ** 2).mean(1) / r.shape[0]
    freqs = torch.fft.rfftfreq(r.shape[0])
    return freqs, power


def oscillation_power(spikes: Tensor, min_freq: float = 0.01, width: int = 1) -> Tuple[float, float]:
    """Peak frequency of the population rate and the fraction of its power near that peak.

    Args:
        spikes: ``[T, B, N]``.
        min_freq: ignore slower frequencies (cycles per step, >= 0), e.g. a slow drift.
        width: the peak band is the peak frequency bin +- ``width`` bins (>= 0).

    Returns:
        ``(peak_freq, fraction)``: cycles per step, and the peak band's share of the power above
        ``min_freq`` (near 0 for an irregular population, large for a rhythmic one); ``(0, 0)``
        when there is no power above ``min_freq``.
    """
    min_freq = _checks.real(min_freq, "min_freq", 0.0)
    width = _checks.integer(width, "width", 0)
    freqs, power = population_spectrum(spikes)
    keep = freqs >= min_freq
    f, p = freqs[keep], power[keep]
    if p.numel() == 0 or float(p.sum()) == 0:
        return 0.0, 0.0
    k = int(p.argmax())
    band = p[max(k - width, 0) : k + width + 1].sum()
    return float(f[k]), float(band / p.sum())


def response_window(spikes: Tensor, onset: int, fraction: float = 0.9) -> float:
    """How long after a stimulus onset a population responds: the steps until ``fraction`` of its spikes.

    Counts every spike of every neuron and batch entry from step ``onset`` on, and returns the
    number of steps after ``onset`` by which ``fraction`` of them have occurred (the width of the
    timing window). Returns ``nan`` if there is no spike after the onset.

    Args:
        spikes: ``[T, B, N]``.
        onset: stimulus onset step, in ``0 .. T-1``.
        fraction: in [0, 1].
    """
    s = _record(spikes)
    onset = _onset(onset, s)
    fraction = _checks.probability(fraction, "fraction")
    per_step = s[onset:].sum((1, 2))
    total = float(per_step.sum())
    if total == 0:
        return math.nan
    cum = per_step.cumsum(0)
    return float(int(torch.nonzero(cum >= fraction * total - 1e-9)[0]) + 1)


def first_spike_latency(spikes: Tensor, onset: int = 0) -> float:
    """Mean number of steps from ``onset`` to each neuron's first spike (neurons that never fire are left out).

    ``spikes`` ``[T, B, N]``, ``onset`` in ``0 .. T-1``; returns ``nan`` when no neuron fires after
    the onset. A spike at step ``onset`` itself has latency 0.
    """
    s = _record(spikes)
    onset = _onset(onset, s)
    s = s[onset:] > 0
    fired = s.any(0)
    if not bool(fired.any()):
        return math.nan
    first = s.to(torch.int64).argmax(0)
    return float(first[fired].double().mean())


def edge_contrast(rates, inside: int, outside: int) -> float:
    """Michelson contrast across an edge: ``(r_in - r_out) / (r_in + r_out)`` of two neighbouring neurons.

    Args:
        rates: firing rates ``[N]`` (or ``[B, N]``, averaged over the batch).
        inside: index of the neuron just inside the bar; ``outside``: just outside it.

    Returns 0 when both are silent; 1 when only the inside neuron fires.
    """
    r = _rates(rates)
    n = r.shape[0]
    a = float(r[_neuron(inside, "inside", n)])
    b = float(r[_neuron(outside, "outside", n)])
    return 0.0 if a + b == 0 else (a - b) / (a + b)


def edge_enhancement(rates, edge: int, center: int) -> float:
    """Rate of the neuron at a bar's edge divided by the rate at its centre (> 1: a Mach band).

    ``rates`` ``[N]`` or ``[B, N]`` (averaged over the batch); returns ``nan`` when the centre is silent.
    """
    r = _rates(rates)
    n = r.shape[0]
    e = float(r[_neuron(edge, "edge", n)])
    c = float(r[_neuron(center, "center", n)])
    return math.nan if c == 0 else e / c


def pattern_correlation(a, b) -> float:
    """Pearson correlation between two response patterns (e.g. rates ``[N]`` to two stimuli); ``nan`` if one is flat."""
    x = _checks.finite_tensor(_real_values(a, "a", "[N]"), "a", "[N]").flatten()
    y = _checks.finite_tensor(_real_values(b, "b", "[N]"), "b", "[N]").flatten()
    if x.shape != y.shape:
        raise ValueError(f"the two patterns a and b must have the same size [N], got {x.numel()} and {y.numel()}")
    x, y = x - x.mean(), y - y.mean()
    den = math.sqrt(float((x * x).sum()) * float((y * y).sum()))
    return math.nan if den == 0 else float((x * y).sum()) / den


def wta_winner(spikes: Tensor, start: int = 0) -> Tensor:
    """The neuron with the most spikes from step ``start`` on, per batch entry: ``[T, B, N]`` -> ``[B]``.

    Returns -1 for a batch entry where no neuron spikes (ties go to the lowest index).
    """
    counts = _spikes.spike_count(_record(spikes), start=start)  # [B, N]
    winner = counts.argmax(1)
    winner[counts.sum(1) == 0] = -1
    return winner
