"""Rank-order coding (Thorpe): the value is in the order in which the inputs fire."""

from __future__ import annotations

from typing import Optional

import torch

from ... import _checks
from .._common import float_tensor, unit_tensor
from ..registry import Scheme, register
from .latency import first_spike_time

__all__ = ["rank_order", "rank_order_ranks", "rank_order_decode"]


def rank_order(x: torch.Tensor, num_steps: int, threshold: float = 0.0) -> torch.Tensor:
    r"""Rank-order coding (Thorpe): along the last axis (the ``N`` inputs of one sample), the
    strongest input fires first, the next strongest second, ... ; inputs ``<= threshold`` stay silent.

    Input ``k`` with rank ``r_k`` (0 = brightest; ties broken by index) among the ``K`` inputs
    above threshold fires once, at step ``t_k = floor(r_k T / K)``. When ``T >= K`` every step
    holds at most one spike and the order is exact; otherwise inputs share steps (order within a
    step is lost). Only the order is sent: the values themselves are not.

    ``x [..., N]`` (values in [0, 1]; an image ``[B, 28, 28]`` is ranked per row: flatten it to
    ``[B, 784]`` to rank all pixels) ``-> spikes [T, ..., N]``.
    """
    unit_tensor(x, scheme="rank-order coding", shape="[..., N]", min_dim=1)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    threshold = _checks.real(threshold, "threshold")
    active = x > threshold
    key = torch.where(active, x, torch.full_like(x, -1.0))
    order = torch.argsort(key, dim=-1, descending=True, stable=True)
    ranks = torch.empty_like(order)
    ranks.scatter_(-1, order, torch.arange(x.shape[-1], device=x.device).expand_as(order).contiguous())
    K = active.sum(-1, keepdim=True).clamp_min(1)
    step = torch.div(ranks * num_steps, K, rounding_mode="floor").clamp(max=num_steps - 1)
    out = torch.zeros((num_steps, *x.shape), dtype=x.dtype, device=x.device)
    out.scatter_(0, step.unsqueeze(0), active.unsqueeze(0).to(x.dtype))
    return out


def rank_order_ranks(spikes: torch.Tensor) -> torch.Tensor:
    """The rank of each input read from a rank-order code: the number of inputs (along the last
    axis) that fired strictly earlier. Silent inputs get rank -1.

    ``spikes [T, ..., N]`` (0/1) ``-> ranks [..., N]`` (int64).
    """
    _checks.spike_tensor(spikes, "spikes", "[T, ..., N]", min_dim=2)
    t = first_spike_time(spikes)
    fired = torch.isfinite(t)
    srt = torch.sort(t, dim=-1).values.contiguous()
    ranks = torch.searchsorted(srt, t.contiguous(), right=False)  # how many fired strictly earlier
    return torch.where(fired, ranks, torch.full_like(ranks, -1))


def rank_order_decode(
    spikes: torch.Tensor, values: Optional[torch.Tensor] = None, modulation: Optional[float] = None
) -> torch.Tensor:
    r"""Decode a rank-order code into intensities from the ranks alone.

    The code carries no magnitudes, so the decoder assigns a value per rank ``r`` (of ``K`` fired):

    * ``values`` given (``[V]``, sorted or not): the ``r``-th largest of ``values`` (e.g. a typical
      image's pixel values: the decoder knows the *distribution* of intensities);
    * ``modulation`` ``m`` in (0, 1) given: ``x_hat = m^r`` (Thorpe's desensitisation);
    * neither: linear, ``x_hat = 1 - r / K``.

    Give at most one of ``values`` and ``modulation``. Silent inputs decode to 0.
    ``spikes [T, ..., N]`` (0/1) ``-> x_hat [..., N]``.
    """
    if values is not None and modulation is not None:
        raise ValueError("give either values= or modulation=, not both")
    ranks = rank_order_ranks(spikes)
    fired = ranks >= 0
    r = ranks.clamp_min(0).to(torch.float32)
    if values is not None:
        float_tensor(values, "values", "[V] (intensities to hand out by rank)", ndim=1)
        srt = torch.sort(values.to(torch.float32).to(spikes.device), descending=True).values
        x_hat = srt[ranks.clamp(0, srt.numel() - 1)]
    elif modulation is not None:
        modulation = _checks.real(modulation, "modulation", 0.0, 1.0, min_open=True, max_open=True)
        x_hat = modulation**r
    else:
        K = fired.sum(-1, keepdim=True).clamp_min(1).to(torch.float32)
        x_hat = 1.0 - r / K
    return torch.where(fired, x_hat, torch.zeros_like(x_hat))


register(
    Scheme(
        "rank_order",
        encode=rank_order,
        decode=rank_order_decode,
        order=30,
        across_last_axis=True,
        summary="the order in which the inputs fire",
    )
)
