"""Phase coding: the value is in where in an oscillation's cycle the spikes fall."""

from __future__ import annotations

import math

import torch

from ... import _checks
from .._common import unit_tensor
from ..registry import Scheme, register

__all__ = ["phase_offset", "phase", "phase_decode", "oscillation"]


def _period(period) -> int:
    return _checks.integer(period, "period", minimum=2)  # one cycle needs two steps at least


def phase_offset(x: torch.Tensor, period: int = 8) -> torch.Tensor:
    r"""Step within the cycle at which an input of intensity ``x`` fires:
    ``k(x) = round((1 - x)(P - 1))`` (bright inputs fire early in the cycle), i.e. at phase
    ``phi = 2 pi k / P`` of the reference oscillation ``cos(2 pi t / P)``; ``P >= 2`` steps.
    ``x [*shape]`` in [0, 1] ``-> k [*shape]`` (int64).
    """
    unit_tensor(x, scheme="phase coding")
    period = _period(period)
    return torch.round((1.0 - x) * (period - 1)).long()


def oscillation(num_steps: int, period: int = 8) -> torch.Tensor:
    """The reference oscillation ``cos(2 pi t / P)`` for ``t = 0..T-1`` (``P >= 2``): ``[T]``."""
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    period = _period(period)
    return torch.cos(2 * math.pi * torch.arange(num_steps, dtype=torch.float32) / period)


def phase(x: torch.Tensor, num_steps: int, period: int = 8, threshold: float = 0.0) -> torch.Tensor:
    r"""Phase coding: every input fires once per cycle of a background oscillation of period
    ``P >= 2`` steps, at a fixed phase set by its intensity:

    .. math:: s[t] = 1 \iff t \bmod P = k(x) = \mathrm{round}((1 - x)(P - 1)),

    so an input fires ``floor((T - 1 - k) / P) + 1`` times in ``T`` steps (if ``k < T``). Inputs
    ``<= threshold`` stay silent (use ``threshold=-1`` to make zeros fire at the last phase).

    ``x [*shape]`` in [0, 1] ``-> spikes [T, *shape]``.
    """
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    threshold = _checks.real(threshold, "threshold")
    k = phase_offset(x, period)
    t = torch.arange(num_steps, device=x.device).view(num_steps, *([1] * x.dim()))
    return ((t % period == k.unsqueeze(0)) & (x > threshold).unsqueeze(0)).to(x.dtype)


def phase_decode(spikes: torch.Tensor, period: int = 8) -> torch.Tensor:
    r"""Decode a phase code from the circular mean phase of all spikes of each input,
    ``k_hat = (P / 2 pi) arg sum_t s[t] e^{2 pi i t / P}``, then ``x_hat = 1 - k_hat / (P - 1)``
    (clamped to [0, 1]). Silent inputs decode to 0. ``spikes [T, *shape]`` (0/1) ``-> x_hat [*shape]``.
    """
    _checks.spike_tensor(spikes, "spikes", "[T, *shape]")
    period = _period(period)
    T = spikes.shape[0]
    ang = 2 * math.pi * torch.arange(T, device=spikes.device, dtype=torch.float32) / period
    view = (T, *([1] * (spikes.dim() - 1)))
    s = spikes.to(torch.float32)
    c = (s * torch.cos(ang).view(view)).sum(0)
    si = (s * torch.sin(ang).view(view)).sum(0)
    k = torch.remainder(torch.atan2(si, c), 2 * math.pi) * period / (2 * math.pi)
    k = torch.where(k > period - 0.5, k - period, k)  # phases just below 0 wrap back to step 0
    x_hat = (1.0 - k / (period - 1)).clamp(0.0, 1.0)
    return torch.where(s.sum(0) > 0, x_hat, torch.zeros_like(x_hat))


register(
    Scheme(
        "phase",
        encode=phase,
        decode=phase_decode,
        order=40,
        default_params={"period": 8},
        summary="where in an oscillation's cycle the spikes fall",
    )
)
