"""Measures of a code that need only its encoder and decoder: round-trip error, what a decoder
knows after a prefix of the window, its error after each prefix, and how many steps it needs to
reconstruct the input."""

from __future__ import annotations

import torch

from .. import _checks
from ._common import float_tensor
from .registry import decode, encode, get_scheme

__all__ = ["round_trip_error", "decode_prefix", "prefix_errors", "time_to_decision"]


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


def prefix_errors(scheme: str, x: torch.Tensor, spikes: torch.Tensor, steps=None, **params) -> torch.Tensor:
    """The decoder's mean absolute error over all of ``x`` after each prefix of the window:
    ``e(k) = MAE(decode_prefix(scheme, spikes, k), x)`` for ``k`` in ``steps`` (default ``1 .. T``).

    ``x [*shape]``, ``spikes [T, *shape]`` (as from :func:`encode`) ``-> e [K]`` (float64, one
    value per step count, in the order of ``steps``).
    """
    float_tensor(x)
    _checks.time_first(spikes, "spikes", "[T, *shape]", min_dim=1)
    T = spikes.shape[0]
    if steps is None:
        steps = range(1, T + 1)
    ks = [_checks.integer(k, "steps[i]", 1, T) for k in steps]
    return torch.tensor([(decode_prefix(scheme, spikes, k, **params) - x).abs().mean().item() for k in ks], dtype=torch.float64)


def time_to_decision(scheme: str, x: torch.Tensor, spikes: torch.Tensor, fraction: float = 0.9, **params) -> int:
    """Steps a decoder needs to *reconstruct* ``x``: the smallest ``t`` at which the error of
    :func:`decode_prefix` over all of ``x`` has closed ``fraction`` (in (0, 1]) of the gap between
    knowing nothing (decoding an empty train) and the final estimate (all ``T`` steps):

    .. math:: e(t) \\le e_T + (1 - f)\\,(e_0 - e_T), \\qquad e(t) = \\mathrm{MAE}(\\hat x_{<t}, x).

    This measures reconstruction of every value, not recognition of what the input is (for
    that, see :func:`snnlib.coding_study.recognition_curve`).
    ``x [*shape]``, ``spikes [T, *shape]`` (as from :func:`encode`); returns an int in ``[1, T]``.
    """
    fraction = _checks.real(fraction, "fraction", 0.0, 1.0, min_open=True)
    float_tensor(x)
    _checks.time_first(spikes, "spikes", "[T, *shape]", min_dim=1)
    errors = prefix_errors(scheme, x, spikes, **params)
    final = errors[-1].item()
    empty = (decode(scheme, torch.zeros_like(spikes), **params) - x).abs().mean().item()
    bound = final + (1.0 - fraction) * max(empty - final, 0.0) + 1e-9
    return int(torch.nonzero(errors <= bound)[0, 0].item()) + 1
