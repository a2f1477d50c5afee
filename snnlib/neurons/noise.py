r"""Noise-driven firing of the physical LIF: white-noise currents, the irregularity of the spikes, the Siegert rate.

A neuron in cortex receives thousands of synaptic inputs; summed, they are a mean current plus
fluctuations. In the *diffusion* (white-noise) limit the membrane obeys

.. math::  \tau \frac{dV}{dt} = -(V - E_L) + R I_0 + \sigma_V \sqrt{2\tau}\, \xi(t),

with ``xi`` Gaussian white noise of unit intensity. Without a threshold, ``V`` would fluctuate
around ``E_L + R I_0`` with standard deviation ``sigma_V`` (mV): that is how this module sizes the
noise. Noise lets the neuron fire below the rheobase, smooths the f-I curve and makes the spike
train irregular. Everything here composes with :func:`~snnlib.neurons.physical_lif_run` (no
second simulator):

* :func:`noisy_current`: the current ``[T, ...]`` (nA) of the equation above, for Euler steps;
* :func:`isi_cv`: the coefficient of variation of the inter-spike intervals of a spike record;
* :func:`siegert_rate`: the mean firing rate in the diffusion limit (the Siegert formula), the
  analytic f-I curve under noise (it tends to :func:`~snnlib.neurons.analytic_rate` as the noise
  vanishes).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch

from .. import _checks
from ..spikes import isi_cv  # THE definition lives in snnlib.spikes; re-exported here for the LIF chapter
from . import _validate
from .analytic import analytic_rate, euler_rate
from .physical import PhysicalLIFParams, check_params

__all__ = ["noise_std", "noisy_current", "isi_cv", "OVERSHOOT", "siegert_rate"]

_DEFAULTS = PhysicalLIFParams()


def _sigma(sigma_v, name: str = "sigma_v (mV)") -> np.ndarray:
    s = _validate.real_array(sigma_v, name)
    if s.size and (s < 0).any():
        raise ValueError(f"{name} must be >= 0 (the standard deviation of the free membrane), got {s.min():g}")
    return s


def noise_std(sigma_v, params: PhysicalLIFParams = _DEFAULTS):
    r"""Standard deviation (nA) of the per-step current noise that gives the free membrane a spread ``sigma_v`` (mV).

    Euler-Maruyama for the equation of this module adds ``sigma_V sqrt(2 dt / tau) N(0, 1)`` to
    ``V`` each step; :func:`~snnlib.neurons.physical_lif_run` adds ``(dt / tau) R I``, hence a
    current noise of standard deviation ``sigma_V sqrt(2 tau / dt) / R``. (The Euler recursion's
    stationary spread is then ``sigma_V sqrt(2 / (2 - dt/tau))``, which tends to ``sigma_V``.)
    ``sigma_v``: a number or an array (>= 0); returns a float or an array of its shape.
    """
    s = _sigma(sigma_v)
    p = check_params(params)
    out = s * math.sqrt(2.0 * p.tau / p.dt) / p.R
    return float(out) if out.ndim == 0 else out


def noisy_current(
    current, sigma_v, num_steps: int, params: PhysicalLIFParams = _DEFAULTS, generator: Optional[torch.Generator] = None
) -> torch.Tensor:
    r"""A white-noise current ``I[n] = I_0 + noise_std(sigma_v) N(0, 1)``, time first, in nA.

    Args:
        current: the mean current ``I_0`` (nA): a number, or an array or tensor of any shape
            ``[...]`` (e.g. one current per neuron, ``[M]``).
        sigma_v: the noise, as the standard deviation (mV) of the free membrane (see
            :func:`noise_std`): a number >= 0 or an array broadcastable to ``current``.
        num_steps: the number of Euler steps ``T`` (an integer >= 1).
        params: :class:`~snnlib.neurons.PhysicalLIFParams` (its ``tau``, ``R`` and ``dt``).
        generator: a ``torch.Generator`` for reproducible noise, or ``None``.

    Returns:
        a tensor ``[T, ...]`` (the broadcast shape of ``current`` and ``sigma_v``) in the default
        float dtype, on ``current``'s device if it is a tensor: feed it to
        :func:`~snnlib.neurons.physical_lif_run`. With ``sigma_v = 0`` every step is ``I_0``.
    """
    mean = _validate.real_array(current, "current (nA)")
    std = np.asarray(noise_std(sigma_v, params), dtype=float)
    T = _checks.integer(num_steps, "num_steps", 1)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {_checks.describe(generator)}")
    try:
        shape = np.broadcast_shapes(mean.shape, std.shape)
    except ValueError:
        raise ValueError(f"sigma_v of shape {std.shape} does not broadcast to current's shape {mean.shape} ([...])") from None
    device = current.device if isinstance(current, torch.Tensor) else None
    dtype = torch.get_default_dtype()
    mean_t = torch.as_tensor(np.broadcast_to(mean, shape).copy(), dtype=dtype, device=device)
    std_t = torch.as_tensor(np.broadcast_to(std, shape).copy(), dtype=dtype, device=device)
    gen_device = generator.device if generator is not None else device
    xi = torch.randn((T, *shape), generator=generator, dtype=dtype, device=gen_device)
    return mean_t + std_t * xi.to(mean_t.device)


def _siegert_integral(lo: float, hi: float, points: int) -> float:
    r"""``sqrt(pi) * int_lo^hi exp(u^2) (1 + erf u) du`` (Simpson's rule; ``inf`` when it overflows)."""
    u = torch.linspace(lo, hi, points, dtype=torch.float64)
    f = torch.special.erfcx(-u)  # exp(u^2) (1 + erf u) = erfcx(-u), with no overflow for u < 0
    h = (hi - lo) / (points - 1)
    w = torch.ones(points, dtype=torch.float64)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return math.sqrt(math.pi) * float((w * f).sum()) * h / 3.0


#: The mean overshoot of a Gaussian random walk over a far boundary, in step widths: ``-zeta(1/2) / sqrt(2 pi)``.
OVERSHOOT = 1.4603545088095868 / math.sqrt(2.0 * math.pi)


def siegert_rate(current, sigma_v, params: PhysicalLIFParams = _DEFAULTS, discrete: bool = False, points: int = 4001):
    r"""Mean firing rate (Hz) of the LIF driven by white noise (the equation of this module), the Siegert formula:

    .. math:: \frac{1}{f} = t_{ref} + \tau \sqrt{\pi} \int_{(V_{reset} - \mu)/\sigma}^{(V_{th} - \mu)/\sigma}
              e^{u^2} \bigl(1 + \operatorname{erf} u\bigr)\, du, \qquad \mu = E_L + R I_0,\ \sigma = \sqrt 2\, \sigma_V,

    the inverse of the mean first-passage time from reset to threshold. With ``sigma_v = 0`` it is
    :func:`~snnlib.neurons.analytic_rate` (the integrand tends to ``1 / (|u| sqrt(pi))`` and the
    integral to the deterministic ``ln`` of the charging curve); with ``discrete=True`` and no
    noise it is :func:`~snnlib.neurons.euler_rate`.

    It describes the continuous-time model. An Euler simulation with step ``dt`` looks at the
    membrane once per step and misses the crossings that happen between two looks, so it fires a
    little less. ``discrete=True`` accounts for that the classical way (a *corrected diffusion
    approximation*): the threshold is raised by the mean overshoot of the random walk,
    :data:`OVERSHOOT` times the membrane's noise per step ``sigma sqrt(dt / tau)``; the rate then
    describes :func:`~snnlib.neurons.physical_lif_run` with ``params.dt`` to a few percent.

    ``current`` (nA) and ``sigma_v`` (mV, >= 0): numbers or arrays that broadcast; ``points``: the
    number of points of Simpson's rule (odd, >= 3). Returns a float, or an array of the broadcast
    shape.
    """
    i = _validate.real_array(current, "current (nA)")
    s = _sigma(sigma_v)
    p = check_params(params)
    discrete = _checks.boolean(discrete, "discrete")
    points = _checks.integer(points, "points", 3)
    if points % 2 == 0:
        raise ValueError(f"points must be odd (Simpson's rule), got {points}")
    try:
        i, s = np.broadcast_arrays(i, s)
    except ValueError:
        raise ValueError(f"sigma_v of shape {s.shape} does not broadcast to current's shape {i.shape}") from None
    out = np.empty(i.shape)
    for idx in np.ndindex(i.shape):
        if s[idx] == 0.0:
            out[idx] = (euler_rate if discrete else analytic_rate)(float(i[idx]), p)
            continue
        mu, sig = p.E_L + p.R * i[idx], math.sqrt(2.0) * s[idx]
        v_th = p.V_th + (OVERSHOOT * sig * math.sqrt(p.dt / p.tau) if discrete else 0.0)
        integral = _siegert_integral((p.V_reset - mu) / sig, (v_th - mu) / sig, points)
        out[idx] = 1000.0 / (p.t_ref + p.tau * integral) if math.isfinite(integral) else 0.0
    return float(out) if out.ndim == 0 else out
