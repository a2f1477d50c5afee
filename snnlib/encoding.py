"""Spike coding: turn numbers into spike trains and back.

Every encoder returns a **time-first** spike tensor ``[T, *x.shape]`` (``T = num_steps``; the
population code adds one trailing neuron axis, ``[T, *x.shape, M]``), with float values 0/1
(delta modulation: -1/0/+1 for off/on spikes). Every decoder takes such a tensor and returns an
estimate ``x_hat`` of the input, shape ``x.shape``. Random encoders accept ``generator=`` (a
``torch.Generator``) or ``seed=`` (an int) so that their spikes are reproducible.

Schemes (encoder / decoder):

============  ===============================  =====================================================
scheme        encoder                           what carries the value
============  ===============================  =====================================================
rate          :func:`rate`                      how many spikes (Bernoulli, ``p = gain * x``)
latency       :func:`latency`                   when the first spike comes (RC circuit, or linear)
rank_order    :func:`rank_order`                the order in which the inputs fire
phase         :func:`phase`                     where in an oscillation's cycle the spikes fall
burst         :func:`burst`                     spikes per burst and their inter-spike interval
population    :func:`population`                which neurons of a Gaussian-tuned population fire
delta         :func:`delta`                     on/off spikes when a signal changes by a threshold
============  ===============================  =====================================================

:func:`encode` and :func:`decode` dispatch on the scheme's name; :func:`round_trip_error`
measures how much of the input survives a trip through a code; :func:`perturb` adds spike noise.
Bad input raises a ``TypeError`` or ``ValueError`` that says what was expected; nothing is
silently clipped.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import torch

__all__ = [
    "SCHEMES",
    "make_generator",
    # rate
    "rate", "rate_decode", "count_rate", "density_rate", "population_rate",
    # latency
    "latency_time", "latency", "latency_decode", "first_spike_time", "rc_membrane",
    # rank order
    "rank_order", "rank_order_ranks", "rank_order_decode",
    # phase
    "phase_offset", "phase", "phase_decode", "oscillation",
    # burst
    "burst_params", "burst_span", "burst", "burst_decode",
    # population
    "population_centers", "population_tuning", "population", "population_decode",
    # delta
    "delta", "delta_decode",
    # generic
    "encode", "decode", "decode_prefix", "round_trip_error", "time_to_decision", "perturb", "spike_count",
    "DEFAULT_PARAMS", "compare_schemes",
]

#: The scheme names :func:`encode` and :func:`decode` accept.
SCHEMES = ("rate", "latency", "rank_order", "phase", "burst", "population", "delta")


# =============================================================================================
# Input checks (one place, so every scheme says the same thing)
# =============================================================================================

def _check_tensor(x, name: str = "x") -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}; "
                        f"convert it with torch.as_tensor({name}, dtype=torch.float32)")
    if not (x.is_floating_point()):
        raise TypeError(f"{name} must be a floating-point tensor (intensities in [0, 1]), got dtype {x.dtype}; "
                        f"e.g. images.float() / 255")
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); expected at least one value")
    if torch.isnan(x).any():
        raise ValueError(f"{name} contains NaN")


def _check_unit(x: torch.Tensor, name: str = "x", scheme: str = "this scheme") -> None:
    _check_tensor(x, name)
    lo, hi = x.min().item(), x.max().item()
    if lo < 0.0 or hi > 1.0:
        raise ValueError(f"{scheme} needs intensities in [0, 1], but {name} spans [{lo:.4g}, {hi:.4g}]; "
                         "rescale it (e.g. pixels / 255); values are never clipped silently")


def _check_steps(num_steps, name: str = "num_steps") -> int:
    if isinstance(num_steps, bool) or not isinstance(num_steps, int):
        raise TypeError(f"{name} must be an int >= 1, got {num_steps!r} ({type(num_steps).__name__})")
    if num_steps < 1:
        raise ValueError(f"{name} must be >= 1 (the number of time steps T), got {num_steps}")
    return num_steps


def _check_spikes(spikes, name: str = "spikes", min_dim: int = 1, shape_doc: str = "[T, *x.shape]") -> None:
    if not isinstance(spikes, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape {shape_doc}, got {type(spikes).__name__}")
    if spikes.dim() < min_dim:
        raise ValueError(f"{name} must have shape {shape_doc} (time first, at least {min_dim} dims), "
                         f"got shape {tuple(spikes.shape)}")
    if spikes.shape[0] < 1:
        raise ValueError(f"{name} must have at least one time step (shape {shape_doc}), got shape {tuple(spikes.shape)}")


def _check_positive(value, name: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def make_generator(generator: Optional[torch.Generator] = None, seed: Optional[int] = None,
                   device=None) -> Optional[torch.Generator]:
    """The random generator a seeded encoder uses: ``generator`` itself, a new one seeded with
    ``seed``, or ``None`` (the global generator) when neither is given. Giving both is an error."""
    if generator is not None and seed is not None:
        raise ValueError("give either generator= or seed=, not both")
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        return generator
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {seed!r}")
        dev = torch.device(device) if device is not None else torch.device("cpu")
        return torch.Generator(device=dev).manual_seed(seed)
    return None


def _bernoulli(p: torch.Tensor, generator: Optional[torch.Generator]) -> torch.Tensor:
    if generator is not None and generator.device != p.device:
        # draw on the generator's device, then move: reproducible whatever the tensor's device
        return torch.bernoulli(p.to(generator.device), generator=generator).to(p.device)
    return torch.bernoulli(p, generator=generator)


def spike_count(spikes: torch.Tensor) -> torch.Tensor:
    """Number of spikes per input, ``N = sum_t |s[t]|``: ``[T, *shape] -> [*shape]`` (off spikes count too)."""
    _check_spikes(spikes)
    return spikes.abs().sum(0)


# =============================================================================================
# Rate coding
# =============================================================================================

def rate(x: torch.Tensor, num_steps: int, gain: float = 1.0, generator: Optional[torch.Generator] = None,
         seed: Optional[int] = None) -> torch.Tensor:
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
    _check_unit(x, scheme="rate coding")
    num_steps = _check_steps(num_steps)
    gain = _check_positive(gain, "gain")
    p = gain * x
    if p.max().item() > 1.0:
        raise ValueError(f"rate coding needs gain * x <= 1 (a spike probability), but gain={gain:g} makes "
                         f"max(gain * x) = {p.max().item():.4g}; lower the gain")
    gen = make_generator(generator, seed, x.device)
    return _bernoulli(p.unsqueeze(0).expand(num_steps, *x.shape).contiguous(), gen)


def rate_decode(spikes: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    r"""Decode a rate code: ``x_hat = N / (g T)``, the count rate divided by the gain.

    ``spikes [T, *shape] -> x_hat [*shape]``.
    """
    _check_spikes(spikes)
    gain = _check_positive(gain, "gain")
    return spikes.sum(0) / (spikes.shape[0] * gain)


def count_rate(spikes: torch.Tensor, dt: float = 1.0) -> torch.Tensor:
    r"""Spike-count rate of each neuron, a *temporal* average over one trial: ``v = N_spike / (T dt)``.

    ``spikes [T, *shape] -> rate [*shape]`` (spikes per unit time; per step when ``dt = 1``).
    """
    _check_spikes(spikes)
    dt = _check_positive(dt, "dt")
    return spikes.sum(0) / (spikes.shape[0] * dt)


def density_rate(spikes: torch.Tensor, dt: float = 1.0, window: int = 1) -> torch.Tensor:
    r"""Spike density (the PSTH): the rate at each time, averaged over ``R`` repeated runs of the
    same stimulus and over a window of ``window`` steps:

    .. math:: \rho(t) = \frac{1}{R\,\Delta t\,w} \sum_{r=1}^{R} \sum_{t'=t-w+1}^{t} s_r[t'].

    Args:
        spikes: ``[T, R, *shape]`` (time, repeated runs, then neurons).
        window: moving-average length in steps (1 = no smoothing; the first ``window-1`` steps
            average over the steps available).

    Returns:
        ``[T, *shape]``: rate per unit time at every step.
    """
    _check_spikes(spikes, min_dim=2, shape_doc="[T, R, *shape] (time, repeated runs, ...)")
    dt = _check_positive(dt, "dt")
    window = _check_steps(window, "window")
    psth = spikes.float().mean(1) / dt
    if window == 1:
        return psth
    csum = torch.cumsum(psth, 0)
    shifted = torch.cat([torch.zeros_like(csum[:window]), csum[:-window]], 0)[: psth.shape[0]]
    counts = torch.clamp(torch.arange(1, psth.shape[0] + 1, device=psth.device), max=window)
    return (csum - shifted) / counts.view(-1, *([1] * (psth.dim() - 1))).to(psth.dtype)


def population_rate(spikes: torch.Tensor, dt: float = 1.0, dim: int = 1) -> torch.Tensor:
    r"""Population activity: the fraction of a population of ``N`` neurons that spikes at each
    step, per unit time, ``A(t) = \frac{1}{N \Delta t} \sum_{j=1}^{N} s_j[t]``.

    ``spikes [T, N, ...]`` (population on ``dim``, default 1) ``-> [T, ...]``.
    """
    _check_spikes(spikes, min_dim=2, shape_doc="[T, N, ...] (time, population, ...)")
    dt = _check_positive(dt, "dt")
    if dim == 0 or dim == -spikes.dim():
        raise ValueError("dim is the population axis and cannot be 0 (time is first: [T, N, ...])")
    return spikes.float().mean(dim) / dt


# =============================================================================================
# Latency (time-to-first-spike) coding
# =============================================================================================

def _latency_scale(num_steps: int, tau: float, threshold: float, linear: bool, normalize: bool,
                   epsilon: float) -> Tuple[float, float]:
    """(effective tau, steps per unit of the un-normalised time) for :func:`latency_time`."""
    if linear:
        return ((num_steps - 1) if normalize else tau), 1.0
    if normalize:
        t_max = tau * math.log((threshold + epsilon) / epsilon)
        return tau, (num_steps - 1) / t_max
    return tau, 1.0


def latency_time(x: torch.Tensor, tau: float = 5.0, threshold: float = 0.01, linear: bool = False,
                 num_steps: Optional[int] = None, normalize: bool = False, epsilon: float = 1e-7) -> torch.Tensor:
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

    ``x [*shape] -> t [*shape]`` (in steps). ``num_steps`` is needed only when ``normalize``.
    """
    _check_unit(x, scheme="latency coding")
    tau = _check_positive(tau, "tau")
    if not (0.0 <= threshold < 1.0):
        raise ValueError(f"threshold must be in [0, 1), got {threshold!r}")
    if normalize:
        if num_steps is None:
            raise ValueError("normalize=True needs num_steps (the window length T)")
        _check_steps(num_steps)
    if not linear and threshold <= 0.0:
        raise ValueError("the logarithmic latency code needs threshold > 0 (with V_th = 0 every input fires at t = 0)")
    tau_eff, scale = _latency_scale(num_steps or 1, tau, threshold, linear, normalize, epsilon)
    if linear:
        return torch.clamp(tau_eff * (1.0 - x), max=tau_eff * (1.0 - threshold))
    xc = torch.clamp(x, min=threshold + epsilon)
    return tau_eff * torch.log(xc / (xc - threshold)) * scale


def latency(x: torch.Tensor, num_steps: int, tau: float = 5.0, threshold: float = 0.01, linear: bool = False,
            normalize: bool = False, drop_background: bool = False, epsilon: float = 1e-7) -> torch.Tensor:
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
    num_steps = _check_steps(num_steps)
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

    With ``threshold=None``, ``record`` is a spike train ``[T, *shape]`` and the condition is
    ``s[t] != 0``; otherwise ``record`` is a membrane potential ``V [T, *shape]`` and the
    condition is ``V[t] >= threshold``. Neurons that never cross get ``fill`` (default ``inf``).

    Returns a float tensor ``[*shape]`` of step indices.
    """
    _check_spikes(record, "record")
    hit = record != 0 if threshold is None else record >= threshold
    T = record.shape[0]
    t = torch.arange(T, device=record.device).view(T, *([1] * (record.dim() - 1))).expand_as(record)
    dtype = record.dtype if record.is_floating_point() else torch.float32
    big = torch.full_like(record, float(T), dtype=dtype)
    first = torch.where(hit, t.to(dtype), big).min(0).values
    return torch.where(first >= T, torch.full_like(first, fill), first)


def rc_membrane(x: torch.Tensor, num_steps: int, tau: float = 5.0, dt: float = 1.0) -> torch.Tensor:
    r"""The RC circuit behind the latency code: ``V(t) = x (1 - e^{-t / tau})`` at ``t = k dt``,
    ``k = 0..T-1`` (the exact solution of ``tau dV/dt = -V + x``, ``V(0) = 0``).

    ``x [*shape] -> V [T, *shape]``. :func:`first_spike_time` ``(V, threshold)`` then gives the
    first step at which it crosses the threshold, ``ceil(t(x) / dt)``.
    """
    _check_tensor(x)
    num_steps = _check_steps(num_steps)
    tau = _check_positive(tau, "tau")
    dt = _check_positive(dt, "dt")
    t = torch.arange(num_steps, device=x.device, dtype=x.dtype).view(num_steps, *([1] * x.dim())) * dt
    return x.unsqueeze(0) * (1.0 - torch.exp(-t / tau))


def latency_decode(spikes: torch.Tensor, tau: float = 5.0, threshold: float = 0.01, linear: bool = False,
                   normalize: bool = False, epsilon: float = 1e-7, num_steps: Optional[int] = None) -> torch.Tensor:
    r"""Invert a latency code from the first spike time ``t_spike`` (:func:`first_spike_time`).

    Log code: ``x_hat = V_th / (1 - e^{-t / tau})`` (``t`` un-normalised, capped at 1);
    linear: ``x_hat = 1 - t / tau``. Inputs that never fired decode to 0 (background).
    ``num_steps`` is the encoder's window (default ``spikes.shape[0]``).

    ``spikes [T, *shape] -> x_hat [*shape]``.
    """
    _check_spikes(spikes)
    T = spikes.shape[0] if num_steps is None else _check_steps(num_steps)
    tau = _check_positive(tau, "tau")
    tau_eff, scale = _latency_scale(T, tau, threshold, linear, normalize, epsilon)
    t = first_spike_time(spikes)
    fired = torch.isfinite(t)
    t = torch.where(fired, t, torch.zeros_like(t)).to(spikes.dtype if spikes.is_floating_point() else torch.float32)
    if linear:
        x_hat = 1.0 - t / tau_eff
    else:
        x_hat = threshold / (-torch.expm1(-(t / scale) / tau_eff)).clamp_min(1e-30)
    return torch.where(fired, x_hat.clamp(0.0, 1.0), torch.zeros_like(x_hat))


# =============================================================================================
# Rank-order coding
# =============================================================================================

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
    _check_unit(x, scheme="rank-order coding")
    num_steps = _check_steps(num_steps)
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

    ``spikes [T, ..., N] -> ranks [..., N]`` (int64).
    """
    _check_spikes(spikes, min_dim=2, shape_doc="[T, ..., N]")
    t = first_spike_time(spikes)
    fired = torch.isfinite(t)
    srt = torch.sort(t, dim=-1).values.contiguous()
    ranks = torch.searchsorted(srt, t.contiguous(), right=False)      # how many fired strictly earlier
    return torch.where(fired, ranks, torch.full_like(ranks, -1))


def rank_order_decode(spikes: torch.Tensor, values: Optional[torch.Tensor] = None,
                      modulation: Optional[float] = None) -> torch.Tensor:
    r"""Decode a rank-order code into intensities from the ranks alone.

    The code carries no magnitudes, so the decoder assigns a value per rank ``r`` (of ``K`` fired):

    * ``values`` given (1-D, sorted or not): the ``r``-th largest of ``values`` (e.g. a typical
      image's pixel values: the decoder knows the *distribution* of intensities);
    * ``modulation`` ``m`` in (0, 1) given: ``x_hat = m^r`` (Thorpe's desensitisation);
    * otherwise linear: ``x_hat = 1 - r / K``.

    Silent inputs decode to 0. ``spikes [T, ..., N] -> x_hat [..., N]``.
    """
    ranks = rank_order_ranks(spikes)
    fired = ranks >= 0
    r = ranks.clamp_min(0).to(torch.float32)
    if values is not None:
        _check_tensor(values, "values")
        if values.dim() != 1:
            raise ValueError(f"values must be 1-D [V] (intensities to hand out by rank), got shape {tuple(values.shape)}")
        srt = torch.sort(values.to(torch.float32).to(spikes.device), descending=True).values
        x_hat = srt[ranks.clamp(0, srt.numel() - 1)]
    elif modulation is not None:
        if not 0.0 < modulation < 1.0:
            raise ValueError(f"modulation must be in (0, 1), got {modulation!r}")
        x_hat = modulation ** r
    else:
        K = fired.sum(-1, keepdim=True).clamp_min(1).to(torch.float32)
        x_hat = 1.0 - r / K
    return torch.where(fired, x_hat, torch.zeros_like(x_hat))


# =============================================================================================
# Phase coding
# =============================================================================================

def phase_offset(x: torch.Tensor, period: int = 8) -> torch.Tensor:
    r"""Step within the cycle at which an input of intensity ``x`` fires:
    ``k(x) = round((1 - x)(P - 1))`` (bright inputs fire early in the cycle), i.e. at phase
    ``phi = 2 pi k / P`` of the reference oscillation ``cos(2 pi t / P)``. ``x [*shape] -> k [*shape]`` (int64).
    """
    _check_unit(x, scheme="phase coding")
    period = _check_steps(period, "period")
    if period < 2:
        raise ValueError(f"period must be >= 2 steps (one cycle of the oscillation), got {period}")
    return torch.round((1.0 - x) * (period - 1)).long()


def oscillation(num_steps: int, period: int = 8) -> torch.Tensor:
    """The reference oscillation ``cos(2 pi t / P)`` for ``t = 0..T-1``: ``[T]``."""
    num_steps = _check_steps(num_steps)
    period = _check_steps(period, "period")
    return torch.cos(2 * math.pi * torch.arange(num_steps, dtype=torch.float32) / period)


def phase(x: torch.Tensor, num_steps: int, period: int = 8, threshold: float = 0.0) -> torch.Tensor:
    r"""Phase coding: every input fires once per cycle of a background oscillation of period
    ``P`` steps, at a fixed phase set by its intensity:

    .. math:: s[t] = 1 \iff t \bmod P = k(x) = \mathrm{round}((1 - x)(P - 1)),

    so an input fires ``floor((T - 1 - k) / P) + 1`` times in ``T`` steps (if ``k < T``). Inputs
    ``<= threshold`` stay silent (use ``threshold=-1`` to make zeros fire at the last phase).

    ``x [*shape]`` in [0, 1] ``-> spikes [T, *shape]``.
    """
    num_steps = _check_steps(num_steps)
    k = phase_offset(x, period)
    t = torch.arange(num_steps, device=x.device).view(num_steps, *([1] * x.dim()))
    return ((t % period == k.unsqueeze(0)) & (x > threshold).unsqueeze(0)).to(x.dtype)


def phase_decode(spikes: torch.Tensor, period: int = 8) -> torch.Tensor:
    r"""Decode a phase code from the circular mean phase of all spikes of each input,
    ``k_hat = (P / 2 pi) arg sum_t s[t] e^{2 pi i t / P}``, then ``x_hat = 1 - k_hat / (P - 1)``
    (clamped to [0, 1]). Silent inputs decode to 0. ``spikes [T, *shape] -> x_hat [*shape]``.
    """
    _check_spikes(spikes)
    period = _check_steps(period, "period")
    T = spikes.shape[0]
    ang = 2 * math.pi * torch.arange(T, device=spikes.device, dtype=torch.float32) / period
    view = (T, *([1] * (spikes.dim() - 1)))
    s = spikes.to(torch.float32)
    c = (s * torch.cos(ang).view(view)).sum(0)
    si = (s * torch.sin(ang).view(view)).sum(0)
    k = torch.remainder(torch.atan2(si, c), 2 * math.pi) * period / (2 * math.pi)
    k = torch.where(k > period - 0.5, k - period, k)     # phases just below 0 wrap back to step 0
    x_hat = (1.0 - k / (period - 1)).clamp(0.0, 1.0)
    return torch.where(s.sum(0) > 0, x_hat, torch.zeros_like(x_hat))


# =============================================================================================
# Burst coding
# =============================================================================================

def burst_params(x: torch.Tensor, n_max: int = 5, t_min: int = 2, t_max: int = 6) -> Tuple[torch.Tensor, torch.Tensor]:
    r"""Spikes per burst and inter-spike interval of a burst code (Park et al., 2019):

    .. math:: N_s(x) = \lceil N_\max x \rceil, \qquad
              \mathrm{ISI}(x) = \begin{cases} \lceil -(T_\max - T_\min)\,x + T_\max \rceil & N_s > 1 \\
                                              T_\max & \text{otherwise} \end{cases}

    Brighter inputs fire more spikes, closer together. ``x [*shape] -> (N_s, ISI)``, int64 each.
    """
    _check_unit(x, scheme="burst coding")
    n_max, t_min, t_max = _check_steps(n_max, "n_max"), _check_steps(t_min, "t_min"), _check_steps(t_max, "t_max")
    if t_min > t_max:
        raise ValueError(f"need t_min <= t_max, got t_min={t_min}, t_max={t_max}")
    n = torch.ceil(n_max * x - 1e-6).clamp_min(0).long()   # 1e-6: n_max * x that is an integer in exact maths
    isi = torch.ceil(-(t_max - t_min) * x + t_max - 1e-6).long()
    isi = torch.where(n > 1, isi, torch.full_like(isi, t_max))
    return n, isi


def burst_span(n_max: int = 5, t_min: int = 2, t_max: int = 6) -> int:
    """The fewest steps that hold any burst: ``1 + max_x (N_s(x) - 1) ISI(x)``."""
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
    num_steps = _check_steps(num_steps)
    n, isi = burst_params(x, n_max, t_min, t_max)
    need = burst_span(n_max, t_min, t_max)
    if num_steps < need:
        raise ValueError(f"burst coding with n_max={n_max}, t_min={t_min}, t_max={t_max} needs num_steps >= {need} "
                         f"(the longest burst), got {num_steps}")
    t = torch.arange(num_steps, device=x.device).view(num_steps, *([1] * x.dim()))
    j = torch.div(t, isi.unsqueeze(0), rounding_mode="floor")
    on = (t % isi.unsqueeze(0) == 0) & (j < n.unsqueeze(0))
    return on.to(x.dtype)


def burst_decode(spikes: torch.Tensor, n_max: int = 5, t_min: int = 2, t_max: int = 6) -> torch.Tensor:
    r"""Decode a burst code from its spike count ``N`` and interval ``ISI`` (first two spikes).

    ``N`` alone says ``x`` in ``((N - 1) / N_max, N / N_max]``; for ``N >= 2`` the interval
    narrows it to ``[(T_max - ISI) / (T_max - T_min), (T_max - ISI + 1) / (T_max - T_min))``. The
    estimate is the middle of the intersection. ``spikes [T, *shape] -> x_hat [*shape]``.
    """
    _check_spikes(spikes)
    n = spikes.sum(0).to(torch.float32)
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
        ilo = ((t_max - isi) / (t_max - t_min))
        ihi = ((t_max - isi + 1) / (t_max - t_min))
        use = n >= 2
        lo = torch.where(use, torch.maximum(lo, ilo), lo)
        hi = torch.where(use, torch.minimum(hi, ihi), hi)
        hi = torch.maximum(hi, lo)
    x_hat = 0.5 * (lo + hi)
    return torch.where(n > 0, x_hat, torch.zeros_like(x_hat))


# =============================================================================================
# Population coding with Gaussian receptive fields
# =============================================================================================

def population_centers(num_neurons: int = 10, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    r"""Preferred values of ``M`` Gaussian-tuned neurons, spread as in Bohte et al. (2002) so the
    outer two lie just outside ``[low, high]`` (less bias at the edges):
    ``mu_i = low + (2 i - 3) / 2 * (high - low) / (M - 2)``, ``i = 1..M``. ``[M]``."""
    num_neurons = _check_steps(num_neurons, "num_neurons")
    if num_neurons < 3:
        raise ValueError(f"population coding needs num_neurons >= 3, got {num_neurons}")
    i = torch.arange(1, num_neurons + 1, dtype=torch.float32)
    return low + (2 * i - 3) / 2 * (high - low) / (num_neurons - 2)


def population_tuning(x: torch.Tensor, num_neurons: int = 10, sigma: Optional[float] = None) -> torch.Tensor:
    r"""Gaussian receptive fields: the response of neuron ``j`` to value ``x``,

    .. math:: a_j(x) = \exp\!\left(-\frac{(x - \mu_j)^2}{2 \sigma^2}\right), \qquad
              \sigma = \frac{1}{1.5 (M - 2)} \text{ by default}.

    ``x [*shape] -> a [*shape, M]`` in (0, 1].
    """
    _check_unit(x, scheme="population coding")
    mu = population_centers(num_neurons).to(x.device, x.dtype)
    sigma = 1.0 / (1.5 * (num_neurons - 2)) if sigma is None else _check_positive(sigma, "sigma")
    return torch.exp(-((x.unsqueeze(-1) - mu) ** 2) / (2 * sigma ** 2))


def population(x: torch.Tensor, num_steps: int, num_neurons: int = 10, sigma: Optional[float] = None,
               gain: float = 1.0, generator: Optional[torch.Generator] = None, seed: Optional[int] = None) -> torch.Tensor:
    r"""Population coding: each value drives ``M`` neurons with Gaussian tuning curves
    (:func:`population_tuning`), and each neuron rate-codes its response:
    ``s_j[t] ~ Bernoulli(gain * a_j(x))``.

    ``x [*shape]`` in [0, 1] ``-> spikes [T, *shape, M]`` (one extra, trailing neuron axis).
    """
    num_steps = _check_steps(num_steps)
    gain = _check_positive(gain, "gain")
    if gain > 1.0:
        raise ValueError(f"population coding needs gain <= 1 (a_j peaks at 1, gain * a_j is a probability), got {gain}")
    a = population_tuning(x, num_neurons, sigma) * gain
    gen = make_generator(generator, seed, x.device)
    return _bernoulli(a.unsqueeze(0).expand(num_steps, *a.shape).contiguous(), gen)


def population_decode(spikes: torch.Tensor, sigma: Optional[float] = None, method: str = "vector") -> torch.Tensor:
    r"""Decode a population code. ``spikes [T, *shape, M] -> x_hat [*shape]``.

    * ``"vector"`` (population vector / centre of mass): ``x_hat = sum_j N_j mu_j / sum_j N_j``
      with ``N_j`` the count of neuron ``j``, clamped to [0, 1];
    * ``"ml"``: maximum likelihood over a grid of 501 values for Bernoulli spikes with
      probabilities ``a_j(x)`` (best, slower).

    Inputs with no spikes decode to 0.5 (the prior's middle).
    """
    _check_spikes(spikes, min_dim=2, shape_doc="[T, *shape, M] (M neurons last)")
    M = spikes.shape[-1]
    counts = spikes.sum(0).to(torch.float32)
    mu = population_centers(M).to(spikes.device)
    if method == "vector":
        total = counts.sum(-1)
        x_hat = (counts * mu).sum(-1) / total.clamp_min(1e-12)
        x_hat = torch.where(total > 0, x_hat, torch.full_like(x_hat, 0.5))
        return x_hat.clamp(0.0, 1.0)
    if method == "ml":
        T = spikes.shape[0]
        grid = torch.linspace(0, 1, 501, device=spikes.device)
        a = population_tuning(grid, M, sigma).clamp(1e-6, 1 - 1e-6)          # [G, M]
        ll = counts @ torch.log(a).T + (T - counts) @ torch.log1p(-a).T      # [*shape, G]
        return grid[ll.argmax(-1)]
    raise ValueError(f"method must be 'vector' or 'ml', got {method!r}")


# =============================================================================================
# Delta modulation
# =============================================================================================

def delta(signal: torch.Tensor, threshold: float = 0.1, off_spike: bool = True, mode: str = "tracking",
          initial: float = 0.0) -> torch.Tensor:
    r"""Delta modulation: spikes on *changes* of a time series ``x[t]``, ``+1`` (on) when it rises,
    ``-1`` (off) when it falls (``off_spike=False``: only on spikes, 0/1).

    * ``"tracking"`` (default): the encoder keeps the receiver's estimate ``r`` (starting at
      ``initial``) and spikes whenever the signal is a threshold away from it:
      ``s[t] = +1 if x[t] - r[t-1] >= theta``, ``-1 if <= -theta``; then ``r[t] = r[t-1] + theta s[t]``.
      Slow drifts are not lost; at most one spike per step (a change faster than ``theta`` per
      step is followed with a lag: "slope overload").
    * ``"difference"``: compare consecutive samples, ``x[t] - x[t-1]`` (``x[-1] = 0``), as
      ``snntorch.spikegen.delta`` (matches it exactly); slow drifts produce no spikes.

    ``signal [T, ...]`` (any real values) ``-> spikes [T, ...]`` with values in {-1, 0, 1}.
    """
    _check_tensor(signal, "signal")
    _check_spikes(signal, "signal", shape_doc="[T, ...] (a time series, time first)")
    threshold = _check_positive(threshold, "threshold")
    if mode == "difference":
        prev = torch.cat([torch.zeros_like(signal[:1]), signal[:-1]], 0)
        d = signal - prev
        out = (d >= threshold).to(signal.dtype)
        if off_spike:
            out = out - (d <= -threshold).to(signal.dtype)
        return out
    if mode != "tracking":
        raise ValueError(f"mode must be 'tracking' or 'difference', got {mode!r}")
    ref = torch.full_like(signal[0], float(initial))
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

    ``spikes [T, ...] -> x_hat [T, ...]`` (the whole reconstructed series).
    """
    _check_spikes(spikes)
    threshold = _check_positive(threshold, "threshold")
    return initial + threshold * torch.cumsum(spikes.to(torch.float32), 0)


def _fade_in(x: torch.Tensor, num_steps: int) -> torch.Tensor:
    """A static input presented as a linear fade-in, ``x[t] = x (t + 1) / T``: ``[*shape] -> [T, *shape]``."""
    ramp = torch.arange(1, num_steps + 1, device=x.device, dtype=x.dtype) / num_steps
    return ramp.view(num_steps, *([1] * x.dim())) * x.unsqueeze(0)


# =============================================================================================
# Generic interface: encode / decode / round trip / noise / decision time
# =============================================================================================

_RANDOM = {"generator", "seed"}
_PARAMS = {
    "rate": ({"gain", "generator", "seed"}, {"gain"}),
    "latency": ({"tau", "threshold", "linear", "normalize", "drop_background", "epsilon"},
                {"tau", "threshold", "linear", "normalize", "epsilon", "num_steps"}),
    "rank_order": ({"threshold"}, {"values", "modulation"}),
    "phase": ({"period", "threshold"}, {"period"}),
    "burst": ({"n_max", "t_min", "t_max"}, {"n_max", "t_min", "t_max"}),
    "population": ({"num_neurons", "sigma", "gain", "generator", "seed"}, {"sigma", "method"}),
    "delta": ({"threshold", "off_spike", "mode", "initial", "time_series"}, {"threshold", "initial", "time_series"}),
}


def _scheme(scheme) -> str:
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    return scheme


def _split(scheme: str, params: dict, which: int) -> dict:
    """Keep the params of one side (0 encode, 1 decode); reject names neither side knows."""
    enc, dec = _PARAMS[scheme]
    unknown = set(params) - enc - dec
    if unknown:
        raise TypeError(f"{scheme}: unknown parameter(s) {sorted(unknown)}; "
                        f"encode takes {sorted(enc)}, decode takes {sorted(dec)}")
    keep = (enc, dec)[which]
    return {k: v for k, v in params.items() if k in keep}


def encode(scheme: str, x: torch.Tensor, num_steps: int, **params) -> torch.Tensor:
    """Encode ``x`` with a named scheme: ``x [*shape] -> spikes [T, *shape]``
    (``population``: ``[T, *shape, M]``).

    Parameters per scheme (all optional; :func:`decode` accepts the same dict and ignores what it
    does not need, so one ``params`` dict can drive both):

    * ``"rate"``: ``gain=1.0``, ``generator``, ``seed`` (:func:`rate`);
    * ``"latency"``: ``tau=5.0``, ``threshold=0.01``, ``linear=False``, ``normalize=False``,
      ``drop_background=False``, ``epsilon=1e-7`` (:func:`latency`);
    * ``"rank_order"``: ``threshold=0.0``; ranks along the last axis of ``x`` (:func:`rank_order`);
      decode also takes ``values``, ``modulation`` (:func:`rank_order_decode`);
    * ``"phase"``: ``period=8``, ``threshold=0.0`` (:func:`phase`);
    * ``"burst"``: ``n_max=5``, ``t_min=2``, ``t_max=6``; needs ``num_steps >= burst_span(...)`` (:func:`burst`);
    * ``"population"``: ``num_neurons=10``, ``sigma=None``, ``gain=1.0``, ``generator``, ``seed``
      (:func:`population`); decode also takes ``method="vector"|"ml"``;
    * ``"delta"``: ``threshold=0.1``, ``off_spike=True``, ``mode="tracking"``, ``initial=0.0``,
      ``time_series=False``. With ``time_series=False`` a static ``x`` in [0, 1] is shown as a
      linear fade-in over ``num_steps`` steps and delta-modulated; with ``time_series=True``,
      ``x`` is already a series ``[T, ...]`` and ``num_steps`` must equal ``x.shape[0]`` (:func:`delta`).
    """
    scheme = _scheme(scheme)
    kw = _split(scheme, params, 0)
    if not isinstance(x, torch.Tensor):
        _check_tensor(x)
    num_steps = _check_steps(num_steps)
    if scheme == "rate":
        return rate(x, num_steps, **kw)
    if scheme == "latency":
        return latency(x, num_steps, **kw)
    if scheme == "rank_order":
        return rank_order(x, num_steps, **kw)
    if scheme == "phase":
        return phase(x, num_steps, **kw)
    if scheme == "burst":
        return burst(x, num_steps, **kw)
    if scheme == "population":
        return population(x, num_steps, **kw)
    series = kw.pop("time_series", False)
    if series:
        _check_tensor(x)
        if x.dim() < 1 or x.shape[0] != num_steps:
            raise ValueError(f"delta with time_series=True needs x of shape [T, ...] with T = num_steps = {num_steps}, "
                             f"got shape {tuple(x.shape)}")
        return delta(x, **kw)
    _check_unit(x, scheme="delta coding of a static input (fade-in)")
    return delta(_fade_in(x, num_steps), **kw)


def decode(scheme: str, spikes: torch.Tensor, **params) -> torch.Tensor:
    """Decode spikes made by :func:`encode` with the same scheme: ``spikes [T, *shape] -> x_hat [*shape]``
    (``population``: ``[T, *shape, M] -> [*shape]``; ``delta`` with ``time_series=True``: the
    reconstructed series ``[T, ...]``). Encoder-only parameters (``generator``, ``seed``,
    ``drop_background``, ...) are accepted and ignored; see :func:`encode` for the names."""
    scheme = _scheme(scheme)
    kw = _split(scheme, params, 1)
    _check_spikes(spikes)
    if scheme == "rate":
        return rate_decode(spikes, **kw)
    if scheme == "latency":
        return latency_decode(spikes, **kw)
    if scheme == "rank_order":
        return rank_order_decode(spikes, **kw)
    if scheme == "phase":
        return phase_decode(spikes, **kw)
    if scheme == "burst":
        return burst_decode(spikes, **kw)
    if scheme == "population":
        return population_decode(spikes, **kw)
    series = kw.pop("time_series", False)
    rec = delta_decode(spikes, **kw)
    return rec if series else rec[-1]


def round_trip_error(scheme: str, x: torch.Tensor, num_steps: int, metric: str = "mae", **params) -> float:
    """Mean error between ``x`` and ``decode(scheme, encode(scheme, x, num_steps, **params), **params)``:
    ``metric="mae"`` (mean absolute) or ``"rmse"``. A float."""
    spikes = encode(scheme, x, num_steps, **params)
    x_hat = decode(scheme, spikes, **params)
    err = x_hat.to(torch.float32) - x.to(torch.float32)
    if metric == "mae":
        return err.abs().mean().item()
    if metric == "rmse":
        return err.pow(2).mean().sqrt().item()
    raise ValueError(f"metric must be 'mae' or 'rmse', got {metric!r}")


def decode_prefix(scheme: str, spikes: torch.Tensor, t: int, **params) -> torch.Tensor:
    """What a decoder can say after seeing only the first ``t`` steps (``1 <= t <= T``).

    Rate-like codes (``rate``, ``population``) estimate the rate from the steps seen,
    ``decode(spikes[:t])``; the others are defined on the whole window, so the unseen steps count
    as silent: ``decode(spikes with steps >= t zeroed)``. ``[T, *shape] -> x_hat [*shape]``.
    """
    scheme = _scheme(scheme)
    _check_spikes(spikes)
    T = spikes.shape[0]
    if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= T:
        raise ValueError(f"t must be an int in [1, T={T}], got {t!r}")
    if scheme in ("rate", "population"):
        return decode(scheme, spikes[:t], **params)
    seen = spikes.clone()
    seen[t:] = 0
    return decode(scheme, seen, **params)


def time_to_decision(scheme: str, x: torch.Tensor, spikes: torch.Tensor, fraction: float = 0.9, **params) -> int:
    """Steps a decoder needs to reach a decision: the smallest ``t`` at which the error of
    :func:`decode_prefix` has closed ``fraction`` of the gap between knowing nothing (decoding an
    empty train) and the final estimate (all ``T`` steps):

    .. math:: e(t) \\le e_T + (1 - f)\\,(e_0 - e_T), \\qquad e(t) = \\mathrm{MAE}(\\hat x_{<t}, x).

    ``x [*shape]``, ``spikes [T, *shape]`` (as from :func:`encode`); returns an int in ``[1, T]``.
    """
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    T = spikes.shape[0]
    final = (decode(scheme, spikes, **params) - x).abs().mean().item()
    empty = (decode(scheme, torch.zeros_like(spikes), **params) - x).abs().mean().item()
    bound = final + (1.0 - fraction) * max(empty - final, 0.0) + 1e-9
    for t in range(1, T + 1):
        if (decode_prefix(scheme, spikes, t, **params) - x).abs().mean().item() <= bound:
            return t
    return T


def perturb(spikes: torch.Tensor, p_delete: float = 0.0, p_insert: float = 0.0, jitter: int = 0,
            generator: Optional[torch.Generator] = None, seed: Optional[int] = None) -> torch.Tensor:
    r"""Spike noise: delete each spike with probability ``p_delete``, move each remaining spike by
    a uniform random shift in ``[-jitter, jitter]`` steps (reflected at the window's ends, so no
    spike is lost; two spikes moved into one bin add up to a count of 2), and add a spurious spike
    in each empty bin with probability ``p_insert`` (``+1``, or a random sign when the train has
    off spikes).

    ``spikes [T, ...] -> noisy spikes [T, ...]`` (same shape).
    """
    _check_spikes(spikes)
    for name, p in (("p_delete", p_delete), ("p_insert", p_insert)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
    if isinstance(jitter, bool) or not isinstance(jitter, int) or jitter < 0:
        raise ValueError(f"jitter must be an int >= 0 (steps), got {jitter!r}")
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
        dest = (tt + shift).abs()                                   # reflect at t = 0 ...
        dest = torch.where(dest > T - 1, 2 * (T - 1) - dest, dest).clamp(0, T - 1)   # ... and at t = T - 1
        moved = torch.zeros_like(s)
        moved.scatter_add_(0, dest, s)
        s = moved
    if p_insert > 0:
        add = (torch.rand(s.shape, generator=gen, device=dev) < p_insert) & (s == 0)
        sign = torch.where(torch.rand(s.shape, generator=gen, device=dev) < 0.5, -1.0, 1.0) if signed else 1.0
        s = s + add.to(s.dtype) * sign
    return s.to(spikes.device, spikes.dtype if spikes.is_floating_point() else torch.float32)


#: Settings the book uses to compare the schemes on MNIST (T = 25 steps): one dict per scheme,
#: valid for both :func:`encode` and :func:`decode`.
DEFAULT_PARAMS = {
    "rate": {},
    "latency": {"linear": True, "normalize": True, "drop_background": True},
    "rank_order": {},
    "phase": {"period": 8},
    "burst": {},
    "population": {"method": "vector"},
    "delta": {"threshold": 0.1},
}


def compare_schemes(images: torch.Tensor, num_steps: int = 25, schemes: Sequence[str] = SCHEMES,
                    params: Optional[dict] = None, p_delete: float = 0.2, p_insert: float = 0.01, jitter: int = 1,
                    seed: int = 0) -> list:
    """Compare coding schemes on images ``[N, H, W]`` (intensities in [0, 1]); one dict per scheme:

    * ``spikes``: mean number of spikes per input value (pixel), ``sum |s| / (N H W)``;
    * ``mae``: round-trip mean absolute error over all pixels;
    * ``decision``: mean :func:`time_to_decision` (steps, of ``num_steps``);
    * ``mae_drop``: MAE after :func:`perturb` with ``p_delete`` and ``p_insert`` (spikes lost and added);
    * ``mae_jitter``: MAE after moving every spike by up to ``jitter`` steps.

    Rank order ranks each image's pixels together (flattened); random codes and noise are seeded
    from ``seed``, so the numbers are reproducible.
    """
    _check_unit(images, "images", "compare_schemes")
    if images.dim() != 3:
        raise ValueError(f"images must have shape [N, H, W], got {tuple(images.shape)}")
    params = {**DEFAULT_PARAMS, **(params or {})}
    rows = []
    for scheme in schemes:
        kw = dict(params.get(scheme, {}))
        tot = {"spikes": 0.0, "mae": 0.0, "decision": 0.0, "mae_drop": 0.0, "mae_jitter": 0.0}
        for i, img in enumerate(images):
            x = img.flatten() if scheme == "rank_order" else img
            enc = dict(kw, seed=seed + i) if scheme in ("rate", "population") else kw
            s = encode(scheme, x, num_steps, **enc)
            tot["spikes"] += s.abs().sum().item() / x.numel()
            tot["mae"] += (decode(scheme, s, **kw) - x).abs().mean().item()
            tot["decision"] += time_to_decision(scheme, x, s, **kw)
            noisy = perturb(s, p_delete=p_delete, p_insert=p_insert, seed=seed + 1000 + i)
            tot["mae_drop"] += (decode(scheme, noisy, **kw) - x).abs().mean().item()
            moved = perturb(s, jitter=jitter, seed=seed + 2000 + i)
            tot["mae_jitter"] += (decode(scheme, moved, **kw) - x).abs().mean().item()
        rows.append({"scheme": scheme, **{k: v / len(images) for k, v in tot.items()}})
    return rows
