r"""The physical LIF model, with units, and the decay per step ``beta`` of its discrete form.

An RC circuit, a capacitor ``C`` in parallel with a leak conductance ``g_L = 1/R`` and a resting
(reversal) potential ``E_L``, driven by a current ``I(t)`` (units: ms, mV, nA, MOhm, nF):

.. math::  C \frac{dV}{dt} = -g_L (V - E_L) + I(t)
           \iff \tau \frac{dV}{dt} = -(V - E_L) + R I(t), \qquad \tau = RC.

When ``V`` crosses the threshold ``V_th`` the neuron spikes, ``V`` is set to ``V_reset`` and held
there for the absolute refractory period ``t_ref``. :func:`physical_lif_run` integrates it with
Euler's step ``dt``: ``V(t+dt) = V(t) + (dt/tau) (-(V(t) - E_L) + R I(t+dt))``, the leak taken at
the start of the step (forward Euler) and the input sample ``I(t+dt)`` that drives the step
``(t, t+dt]``. For an input held constant over each step (every simulation of the book) that is
forward Euler for the held value; for a smoothly varying input it is forward in the leak and
backward in the input, first order either way.
:func:`beta_euler`, :func:`beta_exact` and :func:`tau_from_beta` translate between the time
constant and the decay per step of the discrete model (:mod:`snnlib.neurons.lif`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Tuple

import torch

from .. import _checks
from . import _validate

__all__ = ["beta_euler", "beta_exact", "tau_from_beta", "PhysicalLIFParams", "physical_lif_step", "physical_lif_run"]


# ---- from time constants to beta ---------------------------------------------------------


def _euler_dt(dt, tau) -> Tuple[float, float]:
    dt = _checks.positive(dt, "dt (ms)")
    tau = _checks.positive(tau, "tau (ms)")
    if dt > tau:
        raise ValueError(
            f"forward Euler needs dt <= tau (else beta = 1 - dt/tau < 0 and the solution oscillates), "
            f"got dt={dt:g} ms, tau={tau:g} ms"
        )
    return dt, tau


def beta_euler(dt: float, tau: float) -> float:
    """Decay per step of forward Euler, ``beta = 1 - dt/tau`` (needs ``0 < dt <= tau``; both in ms)."""
    dt, tau = _euler_dt(dt, tau)
    return 1.0 - dt / tau


def beta_exact(dt: float, tau: float) -> float:
    """Exact decay per step of ``tau dU/dt = -U``: ``beta = exp(-dt/tau)`` (dt, tau > 0, in ms)."""
    dt = _checks.positive(dt, "dt (ms)")
    tau = _checks.positive(tau, "tau (ms)")
    return math.exp(-dt / tau)


def tau_from_beta(beta: float, dt: float = 1.0) -> float:
    """The time constant whose exact decay per step ``dt`` is ``beta``: ``tau = -dt / ln(beta)``.

    ``beta`` a number in [0, 1] (``beta = 0`` gives ``tau = 0``; ``beta = 1`` is ``tau = inf``, no
    leak); ``dt`` in ms (default 1: tau in steps).
    """
    beta = _validate.scalar_beta(beta)
    dt = _checks.positive(dt, "dt (ms)")
    if beta == 0:
        return 0.0
    if beta == 1:
        return math.inf
    return -dt / math.log(beta)


# ---- the physical model ---------------------------------------------------------------------


@dataclass(frozen=True)
class PhysicalLIFParams:
    """Parameters of ``tau dV/dt = -(V - E_L) + R I(t)`` with threshold, reset and refractoriness.

    Units: time in ms, potentials in mV, resistance in MOhm, current in nA (MOhm x nA = mV), so
    ``C = tau / R`` is in nF. Defaults: round textbook values (tau = 10 ms, R = 10 MOhm, so
    C = 1 nF), threshold 15 mV above rest, reset to rest, 2 ms refractory, dt = 0.1 ms. tau is
    typical of cortical neurons; R is low for one (measured input resistances of cortical pyramidal
    cells are tens to hundreds of MOhm) and C correspondingly large. At fixed tau only the product
    ``R I`` enters the dynamics, so a larger R means the same behaviour under a smaller current.
    Every field is checked on construction and stored as a Python float.

    Attributes:
        tau: membrane time constant ``tau = R C`` (ms, > 0).
        R: membrane (leak) resistance ``R = 1/g_L`` (MOhm, > 0).
        E_L: resting (leak reversal) potential (mV, finite).
        V_th: firing threshold (mV, above V_reset).
        V_reset: potential after a spike (mV, < V_th).
        t_ref: absolute refractory period (ms, >= 0); rounded up to whole steps of ``dt``.
        dt: Euler time step (ms, 0 < dt <= tau).
    """

    tau: float = 10.0
    R: float = 10.0
    E_L: float = -65.0
    V_th: float = -50.0
    V_reset: float = -65.0
    t_ref: float = 2.0
    dt: float = 0.1

    def __post_init__(self):
        checked = {
            "tau": _checks.positive(self.tau, "tau (ms)"),
            "R": _checks.positive(self.R, "R (MOhm)"),
            "E_L": _checks.real(self.E_L, "E_L (mV)"),
            "V_th": _checks.real(self.V_th, "V_th (mV)"),
            "V_reset": _checks.real(self.V_reset, "V_reset (mV)"),
            "t_ref": _checks.real(self.t_ref, "t_ref (the refractory period, ms)", 0.0),
            "dt": _checks.positive(self.dt, "dt (ms)"),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        if not self.V_reset < self.V_th:
            raise ValueError(f"V_reset must be below V_th, got V_reset={self.V_reset:g} mV, V_th={self.V_th:g} mV")
        _euler_dt(self.dt, self.tau)

    @classmethod
    def from_circuit(cls, C: float = 1.0, g_L: float = 0.1, **kwargs) -> PhysicalLIFParams:
        """From the circuit's capacitance ``C`` (nF) and leak conductance ``g_L`` (uS):
        ``tau = C / g_L`` (ms), ``R = 1 / g_L`` (MOhm). Other fields as keywords."""
        C = _checks.positive(C, "C (nF)")
        g_L = _checks.positive(g_L, "g_L (uS)")
        return cls(tau=C / g_L, R=1.0 / g_L, **kwargs)

    @property
    def C(self) -> float:
        """Capacitance ``C = tau / R`` in nF."""
        return self.tau / self.R

    @property
    def g_L(self) -> float:
        """Leak conductance ``g_L = 1 / R`` in uS."""
        return 1.0 / self.R

    @property
    def ref_steps(self) -> int:
        """The refractory period in whole steps, ``ceil(t_ref / dt)``."""
        return math.ceil(self.t_ref / self.dt - 1e-9)

    @property
    def beta(self) -> float:
        """The Euler decay per step ``1 - dt / tau`` of the equivalent discrete model."""
        return 1.0 - self.dt / self.tau

    @property
    def rheobase(self) -> float:
        """The rheobase ``(V_th - E_L) / R`` (nA): every constant current above it makes the neuron fire.

        At the rheobase itself ``V_inf = V_th``: the membrane approaches the threshold without
        crossing it (the spike test is strict), so the neuron never fires; no smallest firing
        current exists, the rheobase is the bound below all of them."""
        return (self.V_th - self.E_L) / self.R


def check_params(params) -> PhysicalLIFParams:
    """``params`` itself if it is a :class:`PhysicalLIFParams`; a ``TypeError`` otherwise."""
    return _checks.instance(params, "params", PhysicalLIFParams, "a PhysicalLIFParams")


def physical_lif_step(
    cur: torch.Tensor, v: torch.Tensor, refrac: torch.Tensor, params: PhysicalLIFParams = PhysicalLIFParams()
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""One forward-Euler step of the physical LIF: ``(spk, v, refrac) = physical_lif_step(I(t+dt), V(t), ...)``.

    ``V(t+dt) = V(t) + (dt/tau) (-(V(t) - E_L) + R I(t+dt))``; if ``V(t+dt) > V_th`` a spike is
    emitted and ``V`` is set to ``V_reset`` at once, then held there (input ignored) for
    ``params.ref_steps`` steps.

    Args:
        cur: current ``I`` in nA, a real tensor of any shape ``[...]``.
        v: membrane potential in mV, a floating-point tensor of the same shape.
        refrac: refractory steps left, same shape (float or int tensor).
        params: :class:`PhysicalLIFParams`.

    Returns:
        ``(spk, v, refrac)``, each of ``cur``'s shape.
    """
    shape = "[...] (one shape for cur, v and refrac)"
    _checks.tensor(cur, "cur", shape, dtype="number", nonempty=False)
    _checks.tensor(v, "v", shape, dtype="float", nonempty=False)
    _checks.tensor(refrac, "refrac", shape, dtype="number", nonempty=False)
    _checks.same_shape(v, cur, "v", "cur", shape)
    _checks.same_shape(refrac, cur, "refrac", "cur", shape)
    _checks.host_values(cur, "cur", shape)
    _checks.host_values(v, "v", shape)
    return _euler_step(cur, v, refrac, check_params(params))


def _euler_step(
    cur: torch.Tensor, v: torch.Tensor, refrac: torch.Tensor, p: PhysicalLIFParams
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The Euler step itself, on checked arguments."""
    blocked = refrac > 0
    v_new = v + (p.dt / p.tau) * (-(v - p.E_L) + p.R * cur)
    spk = (v_new > p.V_th) & ~blocked
    v_new = torch.where(blocked | spk, torch.full_like(v_new, p.V_reset), v_new)
    refrac = torch.where(spk, torch.full_like(refrac, p.ref_steps), (refrac - 1).clamp_min(0))
    return spk.to(v_new.dtype), v_new, refrac


def physical_lif_run(
    cur: torch.Tensor, params: PhysicalLIFParams = PhysicalLIFParams(), v0: Optional[float] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Simulate the physical LIF for a time-first current ``[T, ...]`` in nA (``cur[n]`` is ``I(n dt + dt)``).

    ``cur`` is a finite real tensor (an integer one is converted to the default float dtype). Starts
    at ``V = v0`` mV (default ``E_L``), not refractory. Returns ``(spk_rec, v_rec)``, each
    ``[T, ...]``: spikes (0./1.) and the membrane in mV after every step (``v_rec[n] = V((n+1) dt)``;
    at a spike it holds ``V_reset``, so draw the spikes from ``spk_rec``). Step ``n`` is time
    ``(n + 1) * params.dt`` ms.
    """
    p = check_params(params)
    _checks.time_first(cur, "cur", "[T, ...]", min_dim=1, dtype="number", finite=True)
    v0 = p.E_L if v0 is None else _checks.real(v0, "v0 (mV)")
    if not cur.is_floating_point():
        cur = cur.to(torch.get_default_dtype())
    v = torch.full_like(cur[0], v0)
    refrac = torch.zeros_like(cur[0])
    spikes, vs = [], []
    for n in range(cur.shape[0]):
        spk, v, refrac = _euler_step(cur[n], v, refrac, p)
        spikes.append(spk)
        vs.append(v)
    return torch.stack(spikes), torch.stack(vs)
