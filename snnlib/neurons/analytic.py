r"""Closed-form solutions of the LIF models, to check the simulations against.

* the continuous physical model: :func:`charging_curve`, :func:`time_to_threshold`, its f-I
  curve :func:`analytic_rate` and the inverse :func:`current_for_rate`;
* the Euler-discretised physical model, exactly: :func:`euler_charging_curve`, :func:`euler_rate`;
* the discrete beta form: :func:`discrete_charging_curve`, :func:`discrete_steps_to_threshold`,
  :func:`discrete_rate`;
* helpers: :func:`first_spike_step` (first threshold crossing of ``x_inf (1 - beta^n)``) and
  :func:`isi_rate` (the steady rate of a simulated spike record, from its inter-spike intervals).

The closed forms take numbers or arrays (lists, NumPy arrays, tensors) and compute in float64
NumPy: a number gives a ``float``, an array an array of its shape. The rate of a spike record as
a count over a window is :func:`snnlib.spikes.firing_rate`, not defined here.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch

from .. import _checks
from . import _validate
from .physical import PhysicalLIFParams, check_params

__all__ = [
    "charging_curve",
    "time_to_threshold",
    "analytic_rate",
    "current_for_rate",
    "euler_charging_curve",
    "euler_rate",
    "first_spike_step",
    "discrete_charging_curve",
    "discrete_steps_to_threshold",
    "discrete_rate",
    "isi_rate",
]


#: The default parameters of every function here (a frozen dataclass: safe to share).
_DEFAULTS = PhysicalLIFParams()


def _scalar_or_array(x: np.ndarray):
    return float(x) if x.ndim == 0 else x


# ---- the continuous model -----------------------------------------------------------------


def charging_curve(t, current: float, params: PhysicalLIFParams = _DEFAULTS, v0: Optional[float] = None):
    r"""Exact ``V(t)`` under a constant current, below threshold (no spikes):

    .. math:: V(t) = V_\infty + (V_0 - V_\infty) e^{-t/\tau}, \qquad V_\infty = E_L + R I.

    ``t`` in ms (number or array of any shape), ``current`` in nA (a number), ``v0`` in mV (default
    ``E_L``). Returns a NumPy array of ``t``'s shape, in mV.
    """
    t = _validate.real_array(t, "t (ms)")
    p = check_params(params)
    v0 = p.E_L if v0 is None else _checks.real(v0, "v0 (mV)")
    v_inf = p.E_L + p.R * _checks.real(current, "current (nA)")
    return v_inf + (v0 - v_inf) * np.exp(-t / p.tau)


def time_to_threshold(current, params: PhysicalLIFParams = _DEFAULTS, v0: Optional[float] = None):
    r"""Time (ms) for ``V`` to climb from ``v0`` (default ``V_reset``) to ``V_th`` under a constant current:

    .. math:: t^* = \tau \ln \frac{V_\infty - V_0}{V_\infty - V_{th}}, \qquad V_\infty = E_L + R I,

    ``inf`` when ``V_inf <= V_th`` (the current is at or below the rheobase). ``current`` in nA,
    a number or an array; returns a float or an array of its shape.
    """
    i = _validate.real_array(current, "current (nA)")
    p = check_params(params)
    v0 = p.V_reset if v0 is None else _checks.real(v0, "v0 (mV)")
    v_inf = p.E_L + p.R * i
    with np.errstate(divide="ignore", invalid="ignore"):
        t = p.tau * np.log((v_inf - v0) / (v_inf - p.V_th))
    t = np.where(v_inf > p.V_th, np.where(v0 >= p.V_th, 0.0, t), np.inf)
    return _scalar_or_array(t)


def analytic_rate(current, params: PhysicalLIFParams = _DEFAULTS):
    r"""The analytic f-I curve of the continuous LIF (Hz) under a constant current ``I`` (nA):

    .. math:: f(I) = \frac{1}{t_{ref} + \tau \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}}
              \text{ for } R I > V_{th} - E_L, \text{ else } 0,

    in Hz (times in ms, hence the factor 1000). It saturates at ``1000 / t_ref`` Hz. ``current``
    a number or an array; returns a float or an array of its shape.
    """
    p = check_params(params)
    t = np.asarray(time_to_threshold(current, p, p.V_reset), dtype=float)
    with np.errstate(divide="ignore"):
        f = np.where(np.isfinite(t), 1000.0 / (p.t_ref + t), 0.0)
    return _scalar_or_array(f)


def current_for_rate(rate: float, params: PhysicalLIFParams = _DEFAULTS) -> float:
    r"""The constant current (nA) at which the continuous LIF fires at ``rate`` Hz (:func:`analytic_rate` inverted):

    with ``T = 1000/rate - t_ref`` (ms) the time from reset to threshold and ``q = exp(-T/tau)``,
    ``V_inf = (V_th - q V_reset) / (1 - q)`` and ``I = (V_inf - E_L) / R``.

    ``rate`` must lie in ``(0, 1000/t_ref)`` Hz.
    """
    rate = _checks.positive(rate, "rate (Hz)")
    p = check_params(params)
    if p.t_ref > 0 and rate >= 1000.0 / p.t_ref:
        raise ValueError(f"rate must be below the maximum 1000/t_ref = {1000.0 / p.t_ref:g} Hz, got {rate:g} Hz")
    T = 1000.0 / rate - p.t_ref
    q = math.exp(-T / p.tau)
    v_inf = (p.V_th - q * p.V_reset) / (1 - q)
    return (v_inf - p.E_L) / p.R


# ---- the Euler-discretised physical model, exactly --------------------------------------------


def euler_charging_curve(n, current: float, params: PhysicalLIFParams = _DEFAULTS, v0: Optional[float] = None):
    r"""``V`` after ``n`` Euler steps under a constant current (below threshold), exactly:

    .. math:: V[n] = V_\infty + (V_0 - V_\infty) (1 - dt/\tau)^n,

    the discrete twin of :func:`charging_curve` (``e^{-t/tau}`` becomes ``(1 - dt/tau)^n``, ``t = n dt``).
    ``n`` a number or array of step counts; returns mV, same shape.
    """
    n = _validate.real_array(n, "n (steps)")
    p = check_params(params)
    v0 = p.E_L if v0 is None else _checks.real(v0, "v0 (mV)")
    v_inf = p.E_L + p.R * _checks.real(current, "current (nA)")
    return v_inf + (v0 - v_inf) * (1 - p.dt / p.tau) ** n


def first_spike_step(ratio, beta) -> np.ndarray:
    """The first ``n >= 1`` with ``beta**n < ratio``, for ``beta`` in [0, 1] and ``ratio`` an array.

    A helper for threshold crossings of ``x[n] = x_inf (1 - beta^n)``: ``n = 1`` where
    ``ratio > 1``, ``inf`` where none exists (``ratio <= 0``, or ``beta = 1`` and ``ratio <= 1``).
    Returns a float array of ``ratio``'s shape.
    """
    ratio = _validate.real_array(ratio, "ratio")
    b = _validate.scalar_beta(beta)
    out = np.full(ratio.shape, np.inf)
    ok = ratio > 0
    if b == 0.0:
        out[ok] = 1.0
    elif b < 1.0:
        with np.errstate(divide="ignore"):
            x = np.log(np.where(ok, ratio, 1.0)) / math.log(b)  # beta^n < ratio  <=>  n > x
        out[ok] = np.floor(x[ok]) + 1
        out[ok & (ratio > 1)] = 1.0
    else:
        out[ratio > 1] = 1.0
    return out


def euler_rate(current, params: PhysicalLIFParams = _DEFAULTS):
    r"""The exact firing rate (Hz) of :func:`~snnlib.neurons.physical_lif_run` under a constant current (nA).

    From ``V_reset``, Euler gives ``V[n] = V_inf + (V_reset - V_inf) a^n``, ``a = 1 - dt/tau``; the
    first step with ``V[n] > V_th`` is the first ``n`` with ``a^n < (V_inf - V_th)/(V_inf - V_reset)``,
    ``n* = floor(ln q / ln a) + 1``. A spike every ``n* + ref_steps`` steps: ``f = 1000 / ((n* + K) dt)``.
    As ``dt -> 0`` this tends to :func:`analytic_rate`. A float for a number, else an array.
    """
    i = _validate.real_array(current, "current (nA)")
    p = check_params(params)
    v_inf = p.E_L + p.R * i
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(v_inf > p.V_th, (v_inf - p.V_th) / (v_inf - p.V_reset), 0.0)
    n = first_spike_step(q, p.beta)
    f = np.where(np.isfinite(n), 1000.0 / ((n + p.ref_steps) * p.dt), 0.0)
    return _scalar_or_array(f)


# ---- the discrete beta form ----------------------------------------------------------------


def discrete_charging_curve(n, cur: float, beta: float, u0: float = 0.0):
    r"""``U[n]`` of the discrete model ``U[t+1] = beta U[t] + I`` under a constant input ``I`` (no spikes):

    .. math:: U[n] = \beta^n U_0 + I \frac{1 - \beta^n}{1 - \beta} \quad (\beta < 1), \qquad
              U[n] = U_0 + n I \quad (\beta = 1).

    The fixed point is ``U_inf = I / (1 - beta)``; with Euler's input ``I = (1 - beta) R I_phys``
    this is ``U[n] = R I_phys (1 - beta^n)``. ``n``: number or array of step counts; returns its shape.
    """
    n = _validate.real_array(n, "n (steps)")
    cur = _checks.real(cur, "cur")
    b = _validate.scalar_beta(beta)
    u0 = _checks.real(u0, "u0")
    if b == 1.0:
        return u0 + n * cur
    return b**n * u0 + cur * (1 - b**n) / (1 - b)


def discrete_steps_to_threshold(cur, beta: float, threshold: float = 1.0):
    r"""First step ``n >= 1`` at which the discrete neuron, from rest, has ``U[n] > U_thr`` under input ``I``.

    ``U[n] = I (1 - beta^n)/(1 - beta) > U_thr  <=>  beta^n < 1 - U_thr (1 - beta) / I``, hence
    ``n* = floor(ln(1 - U_thr (1-beta)/I) / ln beta) + 1`` (``beta = 1``: ``n* = floor(U_thr / I) + 1``).
    ``inf`` when the fixed point ``I / (1 - beta)`` is not above threshold. ``cur`` a number (gives a
    float) or an array (gives an array of its shape).
    """
    i = _validate.real_array(cur, "cur")
    b = _validate.scalar_beta(beta)
    threshold = _checks.positive(threshold, "threshold")
    if b == 1.0:
        with np.errstate(divide="ignore"):
            n = np.where(i > 0, np.floor(threshold / np.where(i > 0, i, 1.0)) + 1, np.inf)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(i > 0, 1 - threshold * (1 - b) / np.where(i > 0, i, 1.0), 0.0)
        n = first_spike_step(ratio, b)
    return _scalar_or_array(n)


def discrete_rate(cur, beta: float, threshold: float = 1.0, refractory: int = 0, dt: Optional[float] = None):
    r"""Firing rate of the discrete neuron with ``reset="zero"`` under a constant input ``I`` (exact).

    After a spike at step ``t`` the zero reset gives ``U[t+1] = I`` (= ``U[1]`` from rest) — or, with a
    refractory period of ``K`` steps (an integer >= 0), ``U = 0`` during ``t+1 ... t+K`` and
    ``U[t+K+1] = I`` — so the neuron repeats its climb from rest: one spike every ``n* + K`` steps,
    ``n*`` from :func:`discrete_steps_to_threshold`. Returns spikes per step (``1 / (n* + K)``), or Hz
    when the step ``dt`` (ms) is given; a float for a number ``cur``, else an array of its shape.
    (With ``reset="subtract"`` the residual above threshold is carried over and the rate has no such
    closed form; simulate it with :func:`~snnlib.neurons.lif_run`.)
    """
    K = _checks.integer(refractory, "refractory", 0)
    scale = 1.0 if dt is None else 1000.0 / _checks.positive(dt, "dt (ms)")
    n = np.asarray(discrete_steps_to_threshold(cur, beta, threshold), dtype=float)
    r = np.where(np.isfinite(n), 1.0 / (n + K), 0.0) * scale
    return _scalar_or_array(r)


def isi_rate(spk: torch.Tensor, dt: Optional[float] = None) -> torch.Tensor:
    """Firing rate of each neuron from its mean inter-spike interval, for a spike record ``[T, ...]``.

    ``1 / mean(ISI)`` in spikes per step, or in Hz when the step ``dt`` (ms) is given; 0 for neurons
    with fewer than two spikes. Unlike ``count / T`` (:func:`snnlib.spikes.firing_rate`) it has no
    edge effect from the first spike's latency, so it converges to the steady rate of a periodic
    neuron at once. Returns a float64 tensor of shape ``[...]``.
    """
    _checks.spike_tensor(spk, "spk", "[T, ...]", min_dim=1)
    scale = 1.0 if dt is None else 1000.0 / _checks.positive(dt, "dt (ms)")
    s = (spk.detach() > 0).reshape(spk.shape[0], -1).cpu()
    out = torch.zeros(s.shape[1], dtype=torch.float64)
    t = torch.arange(s.shape[0], dtype=torch.float64)
    for j in range(s.shape[1]):
        times = t[s[:, j]]
        if len(times) >= 2:
            out[j] = (len(times) - 1) / float(times[-1] - times[0])
    return (out * scale).reshape(spk.shape[1:])
