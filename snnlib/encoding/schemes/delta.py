"""Delta modulation: on/off spikes when a signal changes by a threshold."""

from __future__ import annotations

import torch

from ... import _checks
from .._common import float_tensor, unit_tensor
from ..registry import Scheme, register

__all__ = ["delta", "delta_decode"]

_SERIES = "[T, ...] (a time series, time first)"


def delta(
    signal: torch.Tensor, threshold: float = 0.1, off_spike: bool = True, mode: str = "tracking", initial: float = 0.0
) -> torch.Tensor:
    r"""Delta modulation: spikes on *changes* of a time series ``x[t]``, ``+1`` (on) when it rises,
    ``-1`` (off) when it falls (``off_spike=False``: only on spikes, 0/1); ``threshold > 0``.

    * ``"tracking"`` (default): the encoder keeps the receiver's estimate ``r`` (starting at
      ``initial``) and spikes whenever the signal is a threshold away from it:
      ``s[t] = +1 if x[t] - r[t-1] >= theta``, ``-1 if <= -theta``; then ``r[t] = r[t-1] + theta s[t]``.
      Slow drifts are not lost; at most one spike per step (a change faster than ``theta`` per
      step is followed with a lag: "slope overload").
    * ``"difference"``: compare consecutive samples, ``x[t] - x[t-1]`` (``x[-1] = 0``), as
      ``snntorch.spikegen.delta`` (matches it exactly); slow drifts produce no spikes.

    ``signal [T, ...]`` (any finite real values) ``-> spikes [T, ...]`` with values in {-1, 0, 1}.
    """
    _checks.time_first(signal, "signal", _SERIES, min_dim=1)
    float_tensor(signal, "signal", _SERIES)
    threshold = _checks.positive(threshold, "threshold")
    off_spike = _checks.boolean(off_spike, "off_spike")
    mode = _checks.choice(mode, "mode", ("tracking", "difference"))
    initial = _checks.real(initial, "initial")
    if mode == "difference":
        prev = torch.cat([torch.zeros_like(signal[:1]), signal[:-1]], 0)
        d = signal - prev
        out = (d >= threshold).to(signal.dtype)
        if off_spike:
            out = out - (d <= -threshold).to(signal.dtype)
        return out
    ref = torch.full_like(signal[0], initial)
    out = torch.zeros_like(signal)
    for t in range(signal.shape[0]):
        d = signal[t] - ref
        s = (d >= threshold).to(signal.dtype)
        if off_spike:
            s = s - (d <= -threshold).to(signal.dtype)
        out[t] = s
        ref = ref + threshold * s
    return out


def delta_decode(spikes: torch.Tensor, threshold: float = 0.1, initial: float = 0.0) -> torch.Tensor:
    r"""Reconstruct a tracking delta code: ``x_hat[t] = initial + theta * sum_{t' <= t} s[t']``.

    ``spikes [T, ...]`` (-1/0/1) ``-> x_hat [T, ...]`` (the whole reconstructed series; the
    scheme's :func:`~snnlib.encoding.decode` returns its last step).
    """
    _checks.spike_tensor(spikes, "spikes", "[T, ...]", signed=True)
    threshold = _checks.positive(threshold, "threshold")
    initial = _checks.real(initial, "initial")
    return initial + threshold * torch.cumsum(spikes.to(torch.float32), 0)


def _fade_in(x: torch.Tensor, num_steps: int) -> torch.Tensor:
    """A static input presented as a linear fade-in, ``x[t] = x (t + 1) / T``: ``[*shape] -> [T, *shape]``."""
    ramp = torch.arange(1, num_steps + 1, device=x.device, dtype=x.dtype) / num_steps
    return ramp.view(num_steps, *([1] * x.dim())) * x.unsqueeze(0)


def _encode(
    x: torch.Tensor,
    num_steps: int,
    threshold: float = 0.1,
    off_spike: bool = True,
    mode: str = "tracking",
    initial: float = 0.0,
    time_series: bool = False,
) -> torch.Tensor:
    """``encode("delta", ...)``: a static ``x [*shape]`` in [0, 1] shown as a linear fade-in over
    ``num_steps`` steps and delta-modulated; with ``time_series=True``, ``x`` is already a series
    ``[T, ...]`` with ``T = num_steps``. Returns spikes ``[T, *shape]`` (-1/0/1)."""
    if _checks.boolean(time_series, "time_series"):
        float_tensor(x, "x", "[T, ...]")
        if x.dim() < 1 or x.shape[0] != num_steps:
            raise ValueError(
                f"delta with time_series=True needs x of shape [T, ...] with T = num_steps = {num_steps}, "
                f"got shape {tuple(x.shape)}"
            )
        return delta(x, threshold, off_spike, mode, initial)
    unit_tensor(x, scheme="delta coding of a static input (fade-in)")
    return delta(_fade_in(x, num_steps), threshold, off_spike, mode, initial)


def _decode(spikes: torch.Tensor, threshold: float = 0.1, initial: float = 0.0, time_series: bool = False) -> torch.Tensor:
    """``decode("delta", ...)``: the reconstruction's last step, ``[T, *shape] -> x_hat [*shape]``
    (the estimate of a static input). For a time series call :func:`delta_decode`."""
    if _checks.boolean(time_series, "time_series"):
        raise ValueError(
            "decode('delta', ...) returns the estimate x_hat [*shape] at the last step; for the "
            "reconstructed time series [T, ...] call snl.encoding.delta_decode(spikes, threshold, initial)"
        )
    return delta_decode(spikes, threshold, initial)[-1]


register(
    Scheme(
        "delta",
        encode=_encode,
        decode=_decode,
        order=70,
        default_params={"threshold": 0.1},
        summary="on/off spikes when a signal changes by a threshold",
    )
)
