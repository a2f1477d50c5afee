"""Rate coding: the value is in how many spikes a neuron fires."""

from __future__ import annotations

from typing import Optional

import torch

from ... import _checks
from ... import spikes as spike_measures
from .._common import bernoulli, make_generator, unit_tensor
from ..registry import Scheme, register

__all__ = ["rate", "rate_decode", "density_rate"]


def rate(
    x: torch.Tensor, num_steps: int, gain: float = 1.0, generator: Optional[torch.Generator] = None, seed: Optional[int] = None
) -> torch.Tensor:
    r"""Rate coding: independent Bernoulli spikes with probability ``p = gain * x`` at every step.

    .. math:: s[t] \sim \mathrm{Bernoulli}(g\,x), \qquad N = \sum_{t=0}^{T-1} s[t] \sim \mathrm{Binomial}(T, g x),

    so ``E[N / T] = g x`` (the count rate is an *unbiased* estimate of the intensity) and its
    standard deviation is ``sqrt(g x (1 - g x) / T)``: it shrinks like ``1 / sqrt(T)``.

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


register(
    Scheme("rate", encode=rate, decode=rate_decode, order=10, rate_like=True, summary="how many spikes (Bernoulli, p = gain * x)")
)
