"""Spike noise: lost, spurious and jittered spikes (:func:`perturb`)."""

from __future__ import annotations

from typing import Optional

import torch

from .. import _checks
from ._common import make_generator, probability

__all__ = ["perturb"]


def _one_per_bin(s: torch.Tensor, dest: torch.Tensor) -> torch.Tensor:
    """Move the spikes of ``s [T, ...]`` to the steps ``dest [T, ...]``, one spike per bin: each
    neuron's spikes are taken in the order of their destinations (ties: original order), and one
    that lands on a taken bin goes to the next free one (back from the window's end if it runs out)."""
    T = s.shape[0]
    flat, d = s.reshape(T, -1), dest.reshape(T, -1)
    i = torch.arange(T, device=s.device).view(T, 1)
    fired = flat != 0
    big = 4 * T * T
    key = torch.where(fired, d * T + i, torch.full_like(d, big))  # destination, then original step
    key, order = key.sort(0)
    sign = flat.gather(0, order)
    valid = key < big  # the K spikes, first in each column
    want = torch.where(valid, key // T, torch.full_like(key, T))
    a = torch.cummax(want - i, 0).values + i  # a_k = max(want_k, a_{k-1} + 1)
    K = valid.sum(0, keepdim=True)
    g = torch.where(valid, a - i, torch.full_like(a, big))
    G = torch.flip(torch.cummin(torch.flip(g, [0]), 0).values, [0])  # min over k' >= k of a_k' - k'
    b = torch.minimum(G + i, T - K + i)  # b_k = min(a_k, b_{k+1} - 1), b <= T - 1
    out = torch.zeros_like(flat)
    out.scatter_add_(0, torch.where(valid, b, torch.zeros_like(b)), sign * valid)
    return out.reshape(s.shape)


def perturb(
    spikes: torch.Tensor,
    p_delete: float = 0.0,
    p_insert: float = 0.0,
    jitter: int = 0,
    generator: Optional[torch.Generator] = None,
    seed: Optional[int] = None,
) -> torch.Tensor:
    r"""Spike noise: delete each spike with probability ``p_delete``; move each remaining spike by
    a uniform random shift in ``[-jitter, jitter]`` steps (reflected at the window's ends); add a
    spurious spike in each empty bin with probability ``p_insert`` (``+1``, or a random sign when
    the train has off spikes).

    A bin holds one spike at most, so the result is a spike train again: a spike moved onto a bin
    that is already taken goes to the next free bin (keeping the neuron's spikes in order), and no
    spike is lost to jitter. Randomness from ``generator`` or ``seed`` (see :func:`make_generator`).

    ``spikes [T, ...]`` (0/1, or -1/0/1) ``-> noisy spikes [T, ...]`` (same shape, floating point).
    """
    _checks.spike_tensor(spikes, "spikes", "[T, ...]", signed=True)
    p_delete = probability(p_delete, "p_delete")
    p_insert = probability(p_insert, "p_insert")
    jitter = _checks.integer(jitter, "jitter", minimum=0)
    gen = make_generator(generator, seed, spikes.device)
    dev = gen.device if gen is not None else spikes.device
    s = spikes.to(dev, torch.float32)
    signed = bool((s < 0).any())
    keep = torch.rand(s.shape, generator=gen, device=dev) >= p_delete
    s = s * keep
    if jitter > 0:
        T = s.shape[0]
        shift = torch.randint(-jitter, jitter + 1, s.shape, generator=gen, device=dev)
        tt = torch.arange(T, device=dev).view(T, *([1] * (s.dim() - 1)))
        dest = (tt + shift).abs()  # reflect at t = 0 ...
        dest = torch.where(dest > T - 1, 2 * (T - 1) - dest, dest).clamp(0, T - 1)  # ... and at t = T - 1
        s = _one_per_bin(s, dest)
    if p_insert > 0:
        add = (torch.rand(s.shape, generator=gen, device=dev) < p_insert) & (s == 0)
        sign = torch.where(torch.rand(s.shape, generator=gen, device=dev) < 0.5, -1.0, 1.0) if signed else 1.0
        s = s + add.to(s.dtype) * sign
    return s.to(spikes.device, spikes.dtype if spikes.is_floating_point() else torch.float32)
