"""Rate coding: the value is in how many spikes a neuron fires."""

from __future__ import annotations

from typing import Optional

import torch

from ... import _checks
from ... import spikes as spike_measures
from .._common import bernoulli, float_tensor, make_generator, unit_tensor
from ..registry import Scheme, register

__all__ = ["rate", "rate_decode", "density_rate", "bernoulli_fano", "bernoulli_isi_cv", "bernoulli_isi_pmf"]


def rate(
    x: torch.Tensor, num_steps: int, gain: float = 1.0, generator: Optional[torch.Generator] = None, seed: Optional[int] = None
) -> torch.Tensor:
    r"""Rate coding: independent Bernoulli spikes with probability ``p = gain * x`` at every step.

    .. math:: s[t] \sim \mathrm{Bernoulli}(g\,x), \qquad N = \sum_{t=0}^{T-1} s[t] \sim \mathrm{Binomial}(T, g x),

    so ``E[N / T] = g x`` (the count rate is an *unbiased* estimate of the intensity) and its
    standard deviation is ``sqrt(g x (1 - g x) / T)``: it shrinks like ``1 / sqrt(T)``.

    This is a **discretised Poisson process**: a neuron firing at ``r`` spikes per unit time,
    simulated in steps of ``dt``, spikes with ``p = r dt`` per step. Its counts have the Fano
    factor ``1 - p`` (:func:`bernoulli_fano`) and its intervals are geometric, with
    ``CV = sqrt(1 - p)`` (:func:`bernoulli_isi_cv`); as ``dt -> 0`` both tend to 1, the values of
    a Poisson process (counts ``Poisson(r t)``, exponential intervals).

    Args:
        x: intensities in [0, 1], any shape ``[*shape]`` (e.g. ``[B, 28, 28]``).
        num_steps: ``T >= 1``.
        gain: ``g > 0``; ``g * x`` must stay <= 1 (a probability), else ``ValueError``.
        generator, seed: randomness (see :func:`make_generator`).

    Returns:
        spikes ``[T, *shape]``, float 0/1, same dtype and device as ``x``.
    """
    unit_tensor(x, scheme="rate coding")
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    gain = _checks.positive(gain, "gain")
    p = gain * x
    if p.max().item() > 1.0:
        raise ValueError(
            f"rate coding needs gain * x <= 1 (a spike probability), but gain={gain:g} makes "
            f"max(gain * x) = {p.max().item():.4g}; lower the gain"
        )
    gen = make_generator(generator, seed, x.device)
    return bernoulli(p.unsqueeze(0).expand(num_steps, *x.shape).contiguous(), gen)


def rate_decode(spikes: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    r"""Decode a rate code: ``x_hat = N / (g T)``, the count rate divided by the gain.

    ``spikes [T, *shape]`` (0/1) ``-> x_hat [*shape]``.
    """
    _checks.spike_tensor(spikes, "spikes", "[T, *shape]")
    gain = _checks.positive(gain, "gain")
    return spike_measures.firing_rate(spikes) / gain


def density_rate(spikes: torch.Tensor, dt: float = 1.0, window: int = 1) -> torch.Tensor:
    r"""Spike density (the PSTH): the rate at each time, averaged over ``R`` repeated runs of the
    same stimulus and over a window of ``window`` steps:

    .. math:: \rho(t) = \frac{1}{R\,\Delta t\,w} \sum_{r=1}^{R} \sum_{t'=t-w+1}^{t} s_r[t'].

    Args:
        spikes: ``[T, R, *shape]`` (time, repeated runs, then neurons), 0/1.
        dt: the step, ``> 0``.
        window: moving-average length in steps, ``>= 1`` (1 = no smoothing; the first
            ``window-1`` steps average over the steps available).

    Returns:
        ``[T, *shape]``: rate per unit time at every step.
    """
    shape = "[T, R, *shape] (time, repeated runs, ...)"
    _checks.spike_tensor(spikes, "spikes", shape, min_dim=2)
    dt = _checks.positive(dt, "dt")
    window = _checks.integer(window, "window", minimum=1)
    psth = spike_measures.population_rate(spikes, dt, dim=1)  # the runs play the population
    if window == 1:
        return psth
    csum = torch.cumsum(psth, 0)
    shifted = torch.cat([torch.zeros_like(csum[:window]), csum[:-window]], 0)[: psth.shape[0]]
    counts = torch.clamp(torch.arange(1, psth.shape[0] + 1, device=psth.device), max=window)
    return (csum - shifted) / counts.view(-1, *([1] * (psth.dim() - 1))).to(psth.dtype)


def _probabilities(p) -> torch.Tensor:
    """``p`` (a number or a tensor of spike probabilities per step, in (0, 1]) as a float tensor."""
    t = p if isinstance(p, torch.Tensor) else torch.tensor(_checks.real(p, "p"))
    float_tensor(t, "p", "[*shape]")
    if bool(((t <= 0) | (t > 1)).any()):
        raise ValueError(f"p must hold spike probabilities in (0, 1], got values in [{t.min().item():g}, {t.max().item():g}]")
    return t


def bernoulli_fano(p) -> torch.Tensor:
    r"""Fano factor of the spike count of Bernoulli spikes (probability ``p`` per step) in any
    window of ``T`` steps: ``Var[N] / E[N] = T p (1 - p) / (T p) = 1 - p``.

    ``p`` a number or a tensor ``[*shape]`` in (0, 1] ``->`` a tensor of the same shape.
    """
    return 1.0 - _probabilities(p)


def bernoulli_isi_cv(p) -> torch.Tensor:
    r"""Coefficient of variation of the interspike intervals of Bernoulli spikes: the intervals
    are geometric, ``P(ISI = k) = (1 - p)^{k-1} p``, with mean ``1 / p`` and variance
    ``(1 - p) / p^2``, so ``CV = sqrt(1 - p)``.

    ``p`` a number or a tensor ``[*shape]`` in (0, 1] ``->`` a tensor of the same shape.
    """
    return torch.sqrt(1.0 - _probabilities(p))


def bernoulli_isi_pmf(k: torch.Tensor, p: float) -> torch.Tensor:
    r"""The distribution of the interspike intervals of Bernoulli spikes, ``P(ISI = k) = (1 - p)^{k-1} p``
    for ``k >= 1`` steps (geometric; the discretised exponential of a Poisson process).

    ``k [*shape]`` (whole steps >= 1, any shape, also 0-d), ``p`` in (0, 1] ``->`` probabilities ``[*shape]``.
    """
    _checks.tensor(k, "k", "[*shape]", dtype="number", finite=True)
    if k.numel() and bool((k < 1).any()):
        raise ValueError(f"k must hold intervals >= 1 step, got a minimum of {k.min().item():g}")
    if k.is_floating_point() and k.numel() and not bool((k == k.floor()).all()):
        bad = k[k != k.floor()].reshape(-1)[0].item()
        raise ValueError(f"k must hold whole numbers of steps (an integer or whole-valued tensor [*shape]), got {bad:g}")
    q = _probabilities(p)
    if q.dim():
        raise ValueError(f"p must be one probability, got a tensor of shape {tuple(q.shape)}")
    return (1.0 - q) ** (k.to(q.dtype) - 1.0) * q


register(
    Scheme("rate", encode=rate, decode=rate_decode, order=10, rate_like=True, summary="how many spikes (Bernoulli, p = gain * x)")
)
