"""Latency (time-to-first-spike) coding: the value is in when the first spike comes."""

from __future__ import annotations

import math
from typing import Optional, Tuple

import torch

from ... import _checks
from .._common import float_tensor, unit_tensor
from ..registry import Scheme, register

__all__ = ["latency_time", "latency", "latency_decode", "first_spike_time", "rc_membrane"]


def _settings(tau, threshold, linear, normalize, epsilon, num_steps) -> Tuple[float, float, float, float]:
    """Check a latency code's settings; return ``(threshold, epsilon, effective tau, steps per unit
    of the un-normalised time)``."""
    tau = _checks.positive(tau, "tau")
    threshold = _checks.real(threshold, "threshold", 0.0, 1.0, max_open=True)
    linear = _checks.boolean(linear, "linear")
    normalize = _checks.boolean(normalize, "normalize")
    epsilon = _checks.positive(epsilon, "epsilon")
    if num_steps is not None:
        num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    elif normalize:
        raise ValueError("normalize=True needs num_steps (the window length T)")
    if not linear and threshold <= 0.0:
        raise ValueError("the logarithmic latency code needs threshold > 0 (with V_th = 0 every input fires at t = 0)")
    if linear:
        return threshold, epsilon, float(num_steps - 1) if normalize else tau, 1.0
    if normalize:
        t_max = tau * math.log((threshold + epsilon) / epsilon)
        return threshold, epsilon, tau, (num_steps - 1) / t_max
    return threshold, epsilon, tau, 1.0


def latency_time(
    x: torch.Tensor,
    tau: float = 5.0,
    threshold: float = 0.01,
    linear: bool = False,
    num_steps: Optional[int] = None,
    normalize: bool = False,
    epsilon: float = 1e-7,
) -> torch.Tensor:
    r"""Continuous firing time of each input of a latency code (before rounding to a step).

    **Logarithmic (RC circuit).** Treat the intensity as a constant current ``I = x`` into a leaky
    capacitor (``R = 1``), ``tau dV/dt = -V + x`` with ``V(0) = 0``, so ``V(t) = x (1 - e^{-t/tau})``.
    It reaches the threshold ``V_th`` at

    .. math:: t(x) = \tau \ln\frac{x}{x - V_\mathrm{th}} \quad (x > V_\mathrm{th}),

    and never when ``x <= V_th``: brighter inputs fire earlier, logarithmically. As in snnTorch,
    inputs below ``V_th + epsilon`` are treated as ``V_th + epsilon`` (they fire last; see
    ``drop_background`` in :func:`latency`). With ``normalize``, times are rescaled by
    ``(T - 1) / (tau ln((V_th + eps) / eps))`` so the latest possible spike lands on step ``T - 1``.

    **Linear.** ``t(x) = tau (1 - x)``, capped at ``tau (1 - V_th)``; with ``normalize``,
    ``tau = T - 1`` so the code fills the window evenly.

    ``x [*shape]`` in [0, 1] ``-> t [*shape]`` (in steps); ``tau > 0``, ``threshold`` in [0, 1)
    (> 0 for the log code), ``epsilon > 0``. ``num_steps`` is needed only when ``normalize``.
    """
    unit_tensor(x, scheme="latency coding")
    threshold, epsilon, tau_eff, scale = _settings(tau, threshold, linear, normalize, epsilon, num_steps)
    if linear:
        return torch.clamp(tau_eff * (1.0 - x), max=tau_eff * (1.0 - threshold))
    xc = torch.clamp(x, min=threshold + epsilon)
    return tau_eff * torch.log(xc / (xc - threshold)) * scale


def latency(
    x: torch.Tensor,
    num_steps: int,
    tau: float = 5.0,
    threshold: float = 0.01,
    linear: bool = False,
    normalize: bool = False,
    drop_background: bool = False,
    epsilon: float = 1e-7,
) -> torch.Tensor:
    r"""Latency (time-to-first-spike) coding: each input fires **once**, at step ``round(t(x))``
    with ``t(x)`` from :func:`latency_time` (logarithmic RC-circuit law, or linear).

    Inputs whose step falls beyond the window (``round(t) > T - 1``) do not fire. With
    ``drop_background=True`` inputs below ``threshold`` (the background) do not fire either,
    instead of all crowding onto the last step (snnTorch's ``clip``). Matches
    ``snntorch.spikegen.latency`` for the same settings (for ``normalize`` on the log code, when
    the input contains a value below the threshold, since snnTorch normalises by the data's maximum).

    Args:
        x: intensities in [0, 1], ``[*shape]``.
        num_steps: ``T >= 1``.
        tau: time constant (in steps; ignored by ``linear`` with ``normalize``).
        threshold: ``V_th`` in [0, 1) (> 0 for the log code).
        linear, normalize, drop_background, epsilon: see above.

    Returns:
        spikes ``[T, *shape]``, float 0/1, at most one spike per input.
    """
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    drop_background = _checks.boolean(drop_background, "drop_background")
    t = latency_time(x, tau, threshold, linear, num_steps, normalize, epsilon)
    step = torch.round(t)
    fires = step <= num_steps - 1
    if drop_background:
        fires = fires & (x >= threshold)
    idx = torch.clamp(step, max=num_steps - 1).long().unsqueeze(0)
    out = torch.zeros((num_steps, *x.shape), dtype=x.dtype, device=x.device)
    out.scatter_(0, idx, fires.unsqueeze(0).to(x.dtype))
    return out


def first_spike_time(record: torch.Tensor, threshold: Optional[float] = None, fill: float = math.inf) -> torch.Tensor:
    r"""First spike time ``t_spike = min{t >= 0 | V(t) >= V_th}`` of each neuron.

    With ``threshold=None``, ``record`` is a spike train ``[T, *shape]`` (0/1, or -1/0/1 for a
    delta code) and the condition is ``s[t] != 0``; otherwise ``record`` is a membrane potential
    ``V [T, *shape]`` (finite) and the condition is ``V[t] >= threshold``. Neurons that never
    cross get ``fill`` (default ``inf``).

    Returns a float tensor ``[*shape]`` of step indices.
    """
    shape = "[T, *shape]"
    if threshold is None:
        _checks.spike_tensor(record, "record", shape, signed=True)
        hit = record != 0
    else:
        _checks.time_first(record, "record", shape, min_dim=1, dtype="number", finite=True)
        hit = record >= _checks.real(threshold, "threshold")
    fill = _checks.real(fill, "fill", allow_inf=True)
    T = record.shape[0]
    t = torch.arange(T, device=record.device).view(T, *([1] * (record.dim() - 1))).expand_as(record)
    dtype = record.dtype if record.is_floating_point() else torch.float32
    big = torch.full_like(record, float(T), dtype=dtype)
    first = torch.where(hit, t.to(dtype), big).min(0).values
    return torch.where(first >= T, torch.full_like(first, fill), first)


def rc_membrane(x: torch.Tensor, num_steps: int, tau: float = 5.0, dt: float = 1.0) -> torch.Tensor:
    r"""The RC circuit behind the latency code: ``V(t) = x (1 - e^{-t / tau})`` at ``t = k dt``,
    ``k = 0..T-1`` (the exact solution of ``tau dV/dt = -V + x``, ``V(0) = 0``).

    ``x [*shape]`` (finite currents) ``-> V [T, *shape]``. :func:`first_spike_time` ``(V, threshold)``
    then gives the first step at which it crosses the threshold, ``ceil(t(x) / dt)``.
    """
    float_tensor(x)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    tau = _checks.positive(tau, "tau")
    dt = _checks.positive(dt, "dt")
    t = torch.arange(num_steps, device=x.device, dtype=x.dtype).view(num_steps, *([1] * x.dim())) * dt
    return x.unsqueeze(0) * (1.0 - torch.exp(-t / tau))


def latency_decode(
    spikes: torch.Tensor,
    tau: float = 5.0,
    threshold: float = 0.01,
    linear: bool = False,
    normalize: bool = False,
    epsilon: float = 1e-7,
    num_steps: Optional[int] = None,
) -> torch.Tensor:
    r"""Invert a latency code from the first spike time ``t_spike`` (:func:`first_spike_time`).

    Log code: ``x_hat = V_th / (1 - e^{-t / tau})`` (``t`` un-normalised, capped at 1);
    linear: ``x_hat = 1 - t / tau``. Inputs that never fired decode to 0 (background).
    ``num_steps`` is the encoder's window (default ``spikes.shape[0]``); the other settings are
    those of :func:`latency_time`.

    ``spikes [T, *shape]`` (0/1) ``-> x_hat [*shape]``.
    """
    _checks.spike_tensor(spikes, "spikes", "[T, *shape]")
    T = spikes.shape[0] if num_steps is None else _checks.integer(num_steps, "num_steps", minimum=1)
    threshold, _, tau_eff, scale = _settings(tau, threshold, linear, normalize, epsilon, T)
    t = first_spike_time(spikes)
    fired = torch.isfinite(t)
    t = torch.where(fired, t, torch.zeros_like(t)).to(spikes.dtype if spikes.is_floating_point() else torch.float32)
    if linear:
        x_hat = 1.0 - t / tau_eff
    else:
        x_hat = threshold / (-torch.expm1(-(t / scale) / tau_eff)).clamp_min(1e-30)
    return torch.where(fired, x_hat.clamp(0.0, 1.0), torch.zeros_like(x_hat))


register(
    Scheme(
        "latency",
        encode=latency,
        decode=latency_decode,
        order=20,
        default_params={"linear": True, "normalize": True, "drop_background": True},
        summary="when the first spike comes (RC circuit, or linear)",
    )
)
