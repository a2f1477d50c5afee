"""Burst coding (Park et al., 2019): the value is in the spikes per burst and their interval."""

from __future__ import annotations

from typing import Tuple

import torch

from ... import _checks
from ... import spikes as spike_measures
from .._common import unit_tensor
from ..registry import Scheme, register

__all__ = ["burst_params", "burst_span", "burst", "burst_decode"]


def _settings(n_max, t_min, t_max) -> Tuple[int, int, int]:
    n_max = _checks.integer(n_max, "n_max", minimum=1)
    t_min = _checks.integer(t_min, "t_min", minimum=1)
    t_max = _checks.integer(t_max, "t_max", minimum=1)
    if t_min > t_max:
        raise ValueError(f"need t_min <= t_max, got t_min={t_min}, t_max={t_max}")
    return n_max, t_min, t_max


def burst_params(x: torch.Tensor, n_max: int = 5, t_min: int = 2, t_max: int = 6) -> Tuple[torch.Tensor, torch.Tensor]:
    r"""Spikes per burst and inter-spike interval of a burst code (Park et al., 2019):

    .. math:: N_s(x) = \lceil N_\max x \rceil, \qquad
              \mathrm{ISI}(x) = \begin{cases} \lceil -(T_\max - T_\min)\,x + T_\max \rceil & N_s > 1 \\
                                              T_\max & \text{otherwise} \end{cases}

    Brighter inputs fire more spikes, closer together. ``n_max``, ``t_min <= t_max``: integers
    ``>= 1``. ``x [*shape]`` in [0, 1] ``-> (N_s, ISI)``, int64 ``[*shape]`` each.
    """
    unit_tensor(x, scheme="burst coding")
    n_max, t_min, t_max = _settings(n_max, t_min, t_max)
    n = torch.ceil(n_max * x - 1e-6).clamp_min(0).long()  # 1e-6: n_max * x that is an integer in exact maths
    isi = torch.ceil(-(t_max - t_min) * x + t_max - 1e-6).long()
    isi = torch.where(n > 1, isi, torch.full_like(isi, t_max))
    return n, isi


def burst_span(n_max: int = 5, t_min: int = 2, t_max: int = 6) -> int:
    """The fewest steps that hold any burst: ``1 + max_x (N_s(x) - 1) ISI(x)``."""
    n_max, t_min, t_max = _settings(n_max, t_min, t_max)
    xs = torch.linspace(0, 1, 2001, dtype=torch.float64)
    edges = torch.arange(n_max + 1, dtype=torch.float64) / n_max + 1e-9
    xs = torch.cat([xs, edges.clamp(max=1.0)])
    n, isi = burst_params(xs, n_max, t_min, t_max)
    return int(((n - 1).clamp_min(0) * isi).max().item()) + 1


def burst(x: torch.Tensor, num_steps: int, n_max: int = 5, t_min: int = 2, t_max: int = 6) -> torch.Tensor:
    r"""Burst coding: each input fires one burst from ``t = 0``: ``N_s(x)`` spikes at
    ``t_j = j * ISI(x)``, ``j = 0..N_s-1`` (see :func:`burst_params`).

    ``num_steps`` must be at least :func:`burst_span` ``(n_max, t_min, t_max)`` (13 steps for the
    defaults), so no burst is cut. ``x [*shape]`` in [0, 1] ``-> spikes [T, *shape]``.
    """
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    n, isi = burst_params(x, n_max, t_min, t_max)
    need = burst_span(n_max, t_min, t_max)
    if num_steps < need:
        raise ValueError(
            f"burst coding with n_max={n_max}, t_min={t_min}, t_max={t_max} needs num_steps >= {need} "
            f"(the longest burst), got {num_steps}"
        )
    t = torch.arange(num_steps, device=x.device).view(num_steps, *([1] * x.dim()))
    j = torch.div(t, isi.unsqueeze(0), rounding_mode="floor")
    on = (t % isi.unsqueeze(0) == 0) & (j < n.unsqueeze(0))
    return on.to(x.dtype)


def burst_decode(spikes: torch.Tensor, n_max: int = 5, t_min: int = 2, t_max: int = 6) -> torch.Tensor:
    r"""Decode a burst code from its spike count ``N`` and interval ``ISI`` (first two spikes).

    ``N`` alone says ``x`` in ``((N - 1) / N_max, N / N_max]``; for ``N >= 2`` the interval
    narrows it to ``[(T_max - ISI) / (T_max - T_min), (T_max - ISI + 1) / (T_max - T_min))``. The
    estimate is the middle of the intersection. ``spikes [T, *shape]`` (0/1) ``-> x_hat [*shape]``.
    """
    _checks.spike_tensor(spikes, "spikes", "[T, *shape]")
    n_max, t_min, t_max = _settings(n_max, t_min, t_max)
    n = spike_measures.spike_count(spikes).to(torch.float32)
    lo = ((n - 1) / n_max).clamp_min(0.0)
    hi = (n / n_max).clamp(max=1.0)
    T = spikes.shape[0]
    tt = torch.arange(T, device=spikes.device, dtype=torch.float32).view(T, *([1] * (spikes.dim() - 1)))
    s = spikes != 0
    t0 = torch.where(s, tt, torch.full_like(tt, float(T)).expand_as(s)).min(0).values
    later = s & (tt > t0.unsqueeze(0))
    t1 = torch.where(later, tt.expand_as(s), torch.full_like(s, float(T), dtype=torch.float32)).min(0).values
    isi = t1 - t0
    if t_max > t_min:
        ilo = (t_max - isi) / (t_max - t_min)
        ihi = (t_max - isi + 1) / (t_max - t_min)
        use = n >= 2
        lo = torch.where(use, torch.maximum(lo, ilo), lo)
        hi = torch.where(use, torch.minimum(hi, ihi), hi)
        hi = torch.maximum(hi, lo)
    x_hat = 0.5 * (lo + hi)
    return torch.where(n > 0, x_hat, torch.zeros_like(x_hat))


register(Scheme("burst", encode=burst, decode=burst_decode, order=50, summary="spikes per burst and their inter-spike interval"))
