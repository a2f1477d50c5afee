"""Measures of a code that need only its encoder and decoder: round-trip error, what a decoder
knows after a prefix of the window, and how many steps it needs to decide."""

from __future__ import annotations

import torch

from .. import _checks
from ._common import float_tensor
from .registry import decode, encode, get_scheme

__all__ = ["round_trip_error", "decode_prefix", "time_to_decision"]


def round_trip_error(scheme: str, x: torch.Tensor, num_steps: int, metric: str = "mae", **params) -> float:
    """Mean error between ``x [*shape]`` and ``decode(scheme, encode(scheme, x, num_steps, **params), **params)``:
    ``metric="mae"`` (mean absolute) or ``"rmse"``. A float."""
    metric = _checks.choice(metric, "metric", ("mae", "rmse"))
    spikes = encode(scheme, x, num_steps, **params)
    err = decode(scheme, spikes, **params).to(torch.float32) - x.to(torch.float32)
    if metric == "mae":
        return err.abs().mean().item()
    return err.pow(2).mean().sqrt().item()


def decode_prefix(scheme: str, spikes: torch.Tensor, t: int, **params) -> torch.Tensor:
    """What a decoder can say after seeing only the first ``t`` steps (``1 <= t <= T``).

    Rate-like codes (``rate``, ``population``: :attr:`Scheme.rate_like`) estimate the rate from
    the steps seen, ``decode(spikes[:t])``; the others are defined on the whole window, so the
    unseen steps count as silent: ``decode(spikes with steps >= t zeroed)``.
    ``spikes [T, *shape] -> x_hat [*shape]``.
    """
    s = get_scheme(scheme)
    _checks.time_first(spikes, "spikes", "[T, *shape]", min_dim=1)
    t = _checks.integer(t, "t", 1, spikes.shape[0])
    if s.rate_like:
        return decode(scheme, spikes[:t], **params)
    seen = spikes.clone()
    seen[t:] = 0
    return decode(scheme, seen, **params)


def time_to_decision(scheme: str, x: torch.Tensor, spikes: torch.Tensor, fraction: float = 0.9, **params) -> int:
    """Steps a decoder needs to reach a decision: the smallest ``t`` at which the error of
    :func:`decode_prefix` has closed ``fraction`` (in (0, 1]) of the gap between knowing nothing
    (decoding an empty train) and the final estimate (all ``T`` steps):

    .. math:: e(t) \\le e_T + (1 - f)\\,(e_0 - e_T), \\qquad e(t) = \\mathrm{MAE}(\\hat x_{<t}, x).

    ``x [*shape]``, ``spikes [T, *shape]`` (as from :func:`encode`); returns an int in ``[1, T]``.
    """
    fraction = _checks.real(fraction, "fraction", 0.0, 1.0, min_open=True)
    float_tensor(x)
    _checks.time_first(spikes, "spikes", "[T, *shape]", min_dim=1)
    T = spikes.shape[0]
    final = (decode(scheme, spikes, **params) - x).abs().mean().item()
    empty = (decode(scheme, torch.zeros_like(spikes), **params) - x).abs().mean().item()
    bound = final + (1.0 - fraction) * max(empty - final, 0.0) + 1e-9
    for t in range(1, T + 1):
        if (decode_prefix(scheme, spikes, t, **params) - x).abs().mean().item() <= bound:
            return t
    return T
