r"""Leaky integrate-and-fire (LIF) neurons: the physical model, its discrete form, and their solutions.

Two models live here, and the chapter "The LIF neuron" derives one from the other.

**The physical model** (units: ms, mV, nA, MOhm, nF). An RC circuit, a capacitor ``C`` in parallel
with a leak conductance ``g_L = 1/R`` and a resting (reversal) potential ``E_L``, driven by a current
``I(t)``:

.. math::  C \frac{dV}{dt} = -g_L (V - E_L) + I(t)
           \iff \tau \frac{dV}{dt} = -(V - E_L) + R I(t), \qquad \tau = RC.

When ``V`` crosses the threshold ``V_th`` the neuron spikes, ``V`` is set to ``V_reset`` and held
there for the absolute refractory period ``t_ref``. :func:`physical_lif_run` integrates it by
forward Euler with step ``dt``: ``V(t+dt) = V(t) + (dt/tau) (-(V(t) - E_L) + R I(t+dt))``.

**The discrete model** (snnTorch's ``snn.Leaky``), unit-free, one update per step:

.. math::  U[t+1] = \beta U[t] + I[t+1] - R[t] U_{thr}, \qquad S[t+1] = H(U[t+1] - U_{thr}),

with ``I = W X`` the input current, ``beta`` the decay per step (``1 - dt/tau`` by Euler,
``exp(-dt/tau)`` exactly) and ``R[t]`` the *reset signal*. The semantics, agreed for the whole
book (and followed by the kernel-free JavaScript explorer):

* ``R[t] = S[t]``, the spike emitted at the previous step, detached from the gradient. Without a
  refractory period ``S[t] = H(U[t] - U_thr)``, exactly snnTorch's ``snn.Leaky``.
* ``reset="subtract"``: ``U[t+1] = beta U[t] + I[t+1] - R[t] U_thr``;
  ``reset="zero"``: ``U[t+1] = beta (1 - R[t]) U[t] + I[t+1]``;
  ``reset="none"``: ``U[t+1] = beta U[t] + I[t+1]``.
* ``H(x) = 1`` if ``x > 0`` else ``0`` (strict, as snnTorch).
* Absolute refractory period of ``K = refractory`` steps: after a spike emitted at step ``t``, for
  the steps ``t+1 ... t+K`` the input current is blocked (treated as 0) and no spike is emitted;
  the membrane still decays and the reset term still applies at step ``t+1``. ``K = 0`` is exactly
  the rule above. Initial state: ``U[0] = 0`` (rest), no previous spike.

Shapes: one step takes a current ``[B, ...]`` (any shape) and a state of the same shape; a run takes
a time-first current ``[T, B, ...]`` (``[T, ...]`` for the physical model) and returns spike and
membrane records of the same shape.

The analytic solutions the chapter compares against: :func:`charging_curve`,
:func:`time_to_threshold`, :func:`firing_rate` and :func:`current_for_rate` (continuous model);
:func:`euler_charging_curve`, :func:`euler_firing_rate` (the Euler-discretised physical model,
exactly); :func:`discrete_charging_curve`, :func:`discrete_steps_to_threshold`,
:func:`discrete_rate` (the beta form).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple, Union

import numpy as np
import torch
from torch import nn

from . import surrogate as _surrogate
from . import _checks

__all__ = [
    "RESETS",
    "LIFParams",
    "LIFState",
    "lif_step",
    "lif_run",
    "LIF",
    "beta_euler",
    "beta_exact",
    "tau_from_beta",
    "PhysicalLIFParams",
    "physical_lif_step",
    "physical_lif_run",
    "charging_curve",
    "time_to_threshold",
    "firing_rate",
    "current_for_rate",
    "euler_charging_curve",
    "euler_firing_rate",
    "discrete_charging_curve",
    "discrete_steps_to_threshold",
    "discrete_rate",
    "first_spike_step",
    "isi_rate",
]

#: The reset mechanisms of the discrete model.
RESETS = ("subtract", "zero", "none")

Number = Union[float, torch.Tensor]


# =============================================================================================
# Validation helpers
# =============================================================================================


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _check_beta(beta, name: str = "beta") -> None:
    if isinstance(beta, torch.Tensor):
        b = beta.detach()
        if b.numel() and (bool(torch.isnan(b).any()) or bool((b < 0).any()) or bool((b > 1).any())):
            raise ValueError(
                f"{name} must lie in [0, 1] (beta = exp(-dt/tau) or 1 - dt/tau), "
                f"got values from {float(b.min())} to {float(b.max())}"
            )
    elif not _is_number(beta) or not 0 <= beta <= 1:
        raise ValueError(f"{name} must be a number in [0, 1] (beta = exp(-dt/tau) or 1 - dt/tau), got {beta!r}")


def _check_positive(x, name: str, unit: str = "", strict: bool = True) -> float:
    if not _is_number(x) or not math.isfinite(x) or (x <= 0 if strict else x < 0):
        rel = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be a finite number {rel}{(' ' + unit) if unit else ''}, got {x!r}")
    return float(x)


def _check_steps(k, name: str = "refractory") -> int:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 0:
        raise ValueError(f"{name} must be a whole number of steps >= 0, got {k!r}")
    return int(k)


# =============================================================================================
# The discrete LIF neuron (snnTorch's snn.Leaky, plus an absolute refractory period)
# =============================================================================================


@dataclass(frozen=True)
class LIFParams:
    """Parameters of the discrete LIF neuron.

    Attributes:
        beta: membrane decay per step, in [0, 1] (``beta = exp(-dt/tau)`` or ``1 - dt/tau``); a float
            or a tensor broadcastable to the state ``[B, ...]``.
        threshold: firing threshold ``U_thr`` (> 0); float or tensor.
        reset: ``"subtract"`` (subtract ``U_thr`` after a spike, snnTorch's default), ``"zero"``
            (set the membrane to 0 after a spike) or ``"none"`` (no reset).
        refractory: absolute refractory period ``K`` in steps (>= 0): after a spike at step ``t``,
            the input is blocked and no spike is emitted at steps ``t+1 ... t+K``.
    """

    beta: Number = 0.9
    threshold: Number = 1.0
    reset: str = "subtract"
    refractory: int = 0

    def __post_init__(self):
        _check_beta(self.beta)
        thr = self.threshold
        if isinstance(thr, torch.Tensor):
            if thr.numel() and bool((thr.detach() <= 0).any()):
                raise ValueError(f"threshold must be > 0 everywhere, got a minimum of {float(thr.detach().min())}")
        elif not _is_number(thr) or not thr > 0:
            raise ValueError(f"threshold must be a number > 0, got {thr!r}")
        if self.reset not in RESETS:
            raise ValueError(f"unknown reset {self.reset!r}: expected one of {RESETS}")
        _check_steps(self.refractory)


class LIFState(NamedTuple):
    """State of a layer of discrete LIF neurons, each field of the layer's shape ``[B, ...]``.

    Attributes:
        mem: membrane potential ``U[t]``.
        refrac: refractory steps still to wait *not counting* a spike at step ``t`` (``None`` = 0).
        spk: the spike emitted at step ``t``, ``S[t]`` (detached; ``None`` means "recompute it as
            ``H(U[t] - U_thr)``", which is what a bare membrane tensor, as in snnTorch, implies).
    """

    mem: torch.Tensor
    refrac: Optional[torch.Tensor] = None
    spk: Optional[torch.Tensor] = None


def _as_state(cur: torch.Tensor, state) -> LIFState:
    if state is None:
        zeros = torch.zeros_like(cur)
        return LIFState(zeros, None, zeros)  # at rest, no previous spike
    if isinstance(state, torch.Tensor):
        state = LIFState(state)
    if not isinstance(state, LIFState):
        raise TypeError(f"state must be an LIFState, a membrane tensor [B, ...] or None, got {type(state).__name__}")
    for name, x in (("membrane", state.mem), ("refractory counter", state.refrac), ("previous spike", state.spk)):
        if x is not None and x.shape != cur.shape:
            raise ValueError(
                f"{name} shape {tuple(x.shape)} does not match the input current's shape "
                f"{tuple(cur.shape)}: both must be [B, ...] for one step"
            )
    return state


def lif_step(
    cur: torch.Tensor,
    state: Union[LIFState, torch.Tensor, None],
    params: LIFParams = LIFParams(),
    spike_fn: Optional[_surrogate.Surrogate] = None,
) -> Tuple[torch.Tensor, LIFState]:
    r"""One step of the discrete LIF neuron: ``(S[t+1], state[t+1]) = lif_step(I[t+1], state[t], params)``.

    With the reset signal ``R[t] = S[t]`` (the spike emitted at the previous step, detached):

    * ``"subtract"``: ``U[t+1] = beta U[t] + I[t+1] - R[t] U_thr``
    * ``"zero"``:     ``U[t+1] = beta (1 - R[t]) U[t] + I[t+1]``
    * ``"none"``:     ``U[t+1] = beta U[t] + I[t+1]``

    then ``S[t+1] = H(U[t+1] - U_thr)`` (forward: strict step; backward: ``spike_fn``'s surrogate).
    With ``params.refractory = K > 0``, during the ``K`` steps after a spike the input is replaced
    by 0 and ``S[t+1] = 0`` (the membrane still decays; the reset applies on the first of them).

    Args:
        cur: input current ``I[t+1]``, shape ``[B, ...]``.
        state: :class:`LIFState`, a bare membrane tensor of the same shape (then ``S[t]`` is taken
            as ``H(U[t] - U_thr)``, as in snnTorch), or ``None`` to start at rest with no spike.
        params: :class:`LIFParams`.
        spike_fn: spike nonlinearity with its surrogate gradient (default arctan, alpha=2).

    Returns:
        ``(spk, state)``: spikes ``[B, ...]`` (0. or 1.) and the new :class:`LIFState` (whose
        ``spk`` is the detached spike, whose ``refrac`` is ``None`` when ``K = 0``).
    """
    if not isinstance(cur, torch.Tensor):
        raise TypeError(f"cur must be a torch.Tensor of shape [B, ...], got {type(cur).__name__}")
    if not isinstance(params, LIFParams):
        raise TypeError(f"params must be an LIFParams, got {type(params).__name__}")
    spike_fn = _surrogate.get(spike_fn)
    state = _as_state(cur, state)
    mem = state.mem
    beta, thr = params.beta, params.threshold
    if isinstance(beta, torch.Tensor):
        beta = beta.clamp(0, 1)  # as snnTorch (a learnt beta may leave [0, 1])
    # R[t]: the spike emitted at the previous step (detached).
    prev = state.spk if state.spk is not None else _surrogate.heaviside(mem - thr)
    prev = prev.detach()

    K = params.refractory
    if K > 0:
        left = state.refrac if state.refrac is not None else torch.zeros_like(cur)
        left = torch.where(prev > 0, torch.full_like(left, K), left)  # a spike at t starts a period
        blocked = left > 0
        cur = torch.where(blocked, torch.zeros_like(cur), cur)

    if params.reset == "subtract":
        new_mem = beta * mem + cur - prev * thr
    elif params.reset == "zero":
        new_mem = beta * ((1 - prev) * mem) + cur
    else:
        new_mem = beta * mem + cur

    spk = spike_fn(new_mem - thr)
    if K > 0:
        spk = spk * (~blocked).to(spk.dtype)
        return spk, LIFState(new_mem, (left - 1).clamp_min(0), spk.detach())
    return spk, LIFState(new_mem, None, spk.detach())


def lif_run(
    cur: torch.Tensor,
    params: LIFParams = LIFParams(),
    state: Union[LIFState, torch.Tensor, None] = None,
    spike_fn: Optional[_surrogate.Surrogate] = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Run :func:`lif_step` over a time-first current ``[T, B, ...]`` (at least 2 dims: ``[T, N]`` is fine).

    ``cur[t]`` is the current ``I[t+1]`` that drives step ``t``; the state starts at rest unless
    given. Returns ``(spk_rec, mem_rec)``, each ``[T, B, ...]``: the spikes and membranes after
    every step (``mem_rec[t] = U[t+1]``, ``spk_rec[t] = S[t+1]``).

    This is the pure function behind the membrane explorer: e.g. a step current of amplitude
    ``A`` is ``cur = torch.full((steps, 1), A)``.
    """
    _checks.time_first(cur, "cur", "[T, B, ...]", min_dim=2)
    if cur.shape[0] < 1:
        raise ValueError(f"cur must have at least one time step, got shape {tuple(cur.shape)} ([T, B, ...])")
    if state is not None:
        state = _as_state(cur[0], state)
    spikes, mems = [], []
    for t in range(cur.shape[0]):
        spk, state = lif_step(cur[t], state, params, spike_fn)
        spikes.append(spk)
        mems.append(state.mem)
    return torch.stack(spikes), torch.stack(mems)


class LIF(nn.Module):
    """A layer of discrete LIF neurons, called like snnTorch's ``snn.Leaky`` (same defaults).

    ``spk, mem = lif(cur, mem)`` advances one step (``cur`` ``[B, ...]``; ``mem=None`` starts at
    rest); ``spk_rec, mem_rec = lif.run(cur_seq)`` runs a time-first input ``[T, B, ...]``.

    Args:
        beta: decay per step in [0, 1] (float or tensor, e.g. one per neuron).
        threshold: firing threshold (> 0).
        reset: ``"subtract"``, ``"zero"`` or ``"none"``.
        refractory: absolute refractory period in steps. With ``refractory > 0`` the one-step call
            returns the full :class:`LIFState` instead of the membrane (the refractory counter and
            the emitted spike must travel with it); pass it back in as ``mem``.
        surrogate: a :class:`snnlib.surrogate.Surrogate` or its name; default arctan(alpha=2).
        learn_beta, learn_threshold: make beta / threshold trainable ``nn.Parameter`` s (as
            snnTorch, beta is clamped to [0, 1] in the update).
    """

    def __init__(
        self,
        beta: Number = 0.9,
        threshold: Number = 1.0,
        reset: str = "subtract",
        refractory: int = 0,
        surrogate: Union[str, _surrogate.Surrogate, None] = None,
        learn_beta: bool = False,
        learn_threshold: bool = False,
    ):
        super().__init__()
        LIFParams(beta, threshold, reset, refractory)  # validate
        dtype = torch.get_default_dtype()
        beta_t = beta.detach().clone().to(dtype) if isinstance(beta, torch.Tensor) else torch.tensor(float(beta))
        thr_t = (threshold.detach().clone().to(dtype) if isinstance(threshold, torch.Tensor)
                 else torch.tensor(float(threshold)))
        if learn_beta:
            self.beta = nn.Parameter(beta_t)
        else:
            self.register_buffer("beta", beta_t)
        if learn_threshold:
            self.threshold = nn.Parameter(thr_t)
        else:
            self.register_buffer("threshold", thr_t)
        self.reset = reset
        self.refractory = int(refractory)
        self.spike_fn = _surrogate.get(surrogate)

    @property
    def params(self) -> LIFParams:
        """The current parameters as an :class:`LIFParams` (tensors, so gradients reach them).

        Not re-validated: a learnt beta outside [0, 1] is clamped in the update, as in snnTorch.
        """
        p = LIFParams(0.5, 1.0, self.reset, self.refractory)
        object.__setattr__(p, "beta", self.beta)
        object.__setattr__(p, "threshold", self.threshold)
        return p

    def forward(self, cur: torch.Tensor, mem: Union[torch.Tensor, LIFState, None] = None):
        """One step: ``cur`` ``[B, ...]``, ``mem`` same shape (or an :class:`LIFState`, or ``None``).

        Returns ``(spk, mem)``; with a refractory period ``mem`` is an :class:`LIFState`.
        """
        spk, state = lif_step(cur, mem, self.params, self.spike_fn)
        if self.refractory > 0:
            return spk, state
        return spk, state.mem

    def run(self, cur: torch.Tensor, mem: Union[torch.Tensor, LIFState, None] = None):
        """All steps of a time-first input ``[T, B, ...]``; returns ``(spk_rec, mem_rec)`` ``[T, B, ...]``."""
        return lif_run(cur, self.params, mem, self.spike_fn)

    def extra_repr(self) -> str:
        return (
            f"beta={self.beta.tolist()}, threshold={self.threshold.tolist()}, reset={self.reset!r}, "
            f"refractory={self.refractory}, surrogate={self.spike_fn!r}"
        )


# =============================================================================================
# From time constants to beta
# =============================================================================================


def beta_euler(dt: float, tau: float) -> float:
    """Decay per step of forward Euler, ``beta = 1 - dt/tau`` (needs ``0 < dt <= tau``; both in ms)."""
    dt = _check_positive(dt, "dt", "ms")
    tau = _check_positive(tau, "tau", "ms")
    if dt > tau:
        raise ValueError(f"forward Euler needs dt <= tau (else beta = 1 - dt/tau < 0), got dt={dt} ms, tau={tau} ms")
    return 1.0 - dt / tau


def beta_exact(dt: float, tau: float) -> float:
    """Exact decay per step of ``tau dU/dt = -U``: ``beta = exp(-dt/tau)`` (dt, tau > 0, in ms)."""
    dt = _check_positive(dt, "dt", "ms")
    tau = _check_positive(tau, "tau", "ms")
    return math.exp(-dt / tau)


def tau_from_beta(beta: float, dt: float = 1.0) -> float:
    """The time constant whose exact decay per step ``dt`` is ``beta``: ``tau = -dt / ln(beta)``.

    ``beta`` in (0, 1) (``beta = 1`` is ``tau = inf``, no leak); ``dt`` in ms (default 1: tau in steps).
    """
    _check_beta(beta)
    dt = _check_positive(dt, "dt", "ms")
    if beta == 0:
        return 0.0
    if beta == 1:
        return math.inf
    return -dt / math.log(beta)


# =============================================================================================
# The physical LIF model, with units
# =============================================================================================


@dataclass(frozen=True)
class PhysicalLIFParams:
    """Parameters of ``tau dV/dt = -(V - E_L) + R I(t)`` with threshold, reset and refractoriness.

    Units: time in ms, potentials in mV, resistance in MOhm, current in nA (MOhm x nA = mV), so
    ``C = tau / R`` is in nF. Defaults: a generic cortical neuron (tau = 10 ms, R = 10 MOhm,
    C = 1 nF), threshold 15 mV above rest, reset to rest, 2 ms refractory, dt = 0.1 ms.

    Attributes:
        tau: membrane time constant ``tau = R C`` (ms, > 0).
        R: membrane (leak) resistance ``R = 1/g_L`` (MOhm, > 0).
        E_L: resting (leak reversal) potential (mV).
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
        _check_positive(self.tau, "tau", "ms")
        _check_positive(self.R, "R", "MOhm")
        _check_positive(self.dt, "dt", "ms")
        _check_positive(self.t_ref, "t_ref (refractory period)", "ms", strict=False)
        for name in ("E_L", "V_th", "V_reset"):
            v = getattr(self, name)
            if not _is_number(v) or not math.isfinite(v):
                raise ValueError(f"{name} must be a finite number (mV), got {v!r}")
        if not self.V_reset < self.V_th:
            raise ValueError(f"V_reset must be below V_th, got V_reset={self.V_reset} mV, V_th={self.V_th} mV")
        if self.dt > self.tau:
            raise ValueError(
                f"forward Euler needs dt <= tau (else 1 - dt/tau < 0 and the solution oscillates), "
                f"got dt={self.dt} ms, tau={self.tau} ms"
            )

    @classmethod
    def from_circuit(cls, C: float = 1.0, g_L: float = 0.1, **kwargs) -> "PhysicalLIFParams":
        """From the circuit's capacitance ``C`` (nF) and leak conductance ``g_L`` (uS):
        ``tau = C / g_L`` (ms), ``R = 1 / g_L`` (MOhm). Other fields as keywords."""
        C = _check_positive(C, "C", "nF")
        g_L = _check_positive(g_L, "g_L", "uS")
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
        return int(math.ceil(self.t_ref / self.dt - 1e-9))

    @property
    def beta(self) -> float:
        """The Euler decay per step ``1 - dt / tau`` of the equivalent discrete model."""
        return 1.0 - self.dt / self.tau

    @property
    def rheobase(self) -> float:
        """The smallest constant current (nA) that ever reaches threshold: ``(V_th - E_L) / R``."""
        return (self.V_th - self.E_L) / self.R


def physical_lif_step(
    cur: torch.Tensor, v: torch.Tensor, refrac: torch.Tensor, params: PhysicalLIFParams = PhysicalLIFParams()
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""One forward-Euler step of the physical LIF: ``(spk, v, refrac) = physical_lif_step(I(t+dt), V(t), ...)``.

    ``V(t+dt) = V(t) + (dt/tau) (-(V(t) - E_L) + R I(t+dt))``; if ``V(t+dt) > V_th`` a spike is
    emitted and ``V`` is set to ``V_reset`` at once, then held there (input ignored) for
    ``params.ref_steps`` steps.

    Args:
        cur: current ``I`` in nA, any shape ``[...]``.
        v: membrane potential in mV, same shape.
        refrac: refractory steps left, same shape (float or int tensor).
        params: :class:`PhysicalLIFParams`.

    Returns:
        ``(spk, v, refrac)``, each of ``cur``'s shape.
    """
    if not (isinstance(cur, torch.Tensor) and isinstance(v, torch.Tensor) and isinstance(refrac, torch.Tensor)):
        raise TypeError("cur, v and refrac must be torch.Tensors of one shape [...]")
    if v.shape != cur.shape or refrac.shape != cur.shape:
        raise ValueError(
            f"v {tuple(v.shape)} and refrac {tuple(refrac.shape)} must have the current's shape {tuple(cur.shape)}"
        )
    p = params
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

    Starts at ``V = v0`` (default ``E_L``), not refractory. Returns ``(spk_rec, v_rec)``, each
    ``[T, ...]``: spikes (0./1.) and the membrane in mV after every step (``v_rec[n] = V((n+1) dt)``;
    at a spike it holds ``V_reset``, so draw the spikes from ``spk_rec``). Step ``n`` is time
    ``(n + 1) * params.dt`` ms.
    """
    if not isinstance(params, PhysicalLIFParams):
        raise TypeError(f"params must be a PhysicalLIFParams, got {type(params).__name__}")
    _checks.time_first(cur, "cur", "[T, ...]", min_dim=1)
    if cur.shape[0] < 1:
        raise ValueError(f"cur must have at least one time step, got shape {tuple(cur.shape)} ([T, ...])")
    if not cur.is_floating_point():
        cur = cur.to(torch.get_default_dtype())
    v = torch.full_like(cur[0], params.E_L if v0 is None else float(v0))
    refrac = torch.zeros_like(cur[0])
    spikes, vs = [], []
    for n in range(cur.shape[0]):
        spk, v, refrac = physical_lif_step(cur[n], v, refrac, params)
        spikes.append(spk)
        vs.append(v)
    return torch.stack(spikes), torch.stack(vs)


# ---- analytic solutions of the continuous model -----------------------------------------


def _as_array(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().double().numpy()
    return np.asarray(x, dtype=float)


def charging_curve(t, current: float, params: PhysicalLIFParams = PhysicalLIFParams(), v0: Optional[float] = None):
    r"""Exact ``V(t)`` under a constant current, below threshold (no spikes):

    .. math:: V(t) = V_\infty + (V_0 - V_\infty) e^{-t/\tau}, \qquad V_\infty = E_L + R I.

    ``t`` in ms (array of any shape), ``current`` in nA, ``v0`` in mV (default ``E_L``). Returns a
    NumPy array of ``t``'s shape, in mV.
    """
    t = _as_array(t)
    v0 = params.E_L if v0 is None else float(v0)
    v_inf = params.E_L + params.R * float(current)
    return v_inf + (v0 - v_inf) * np.exp(-t / params.tau)


def time_to_threshold(current, params: PhysicalLIFParams = PhysicalLIFParams(), v0: Optional[float] = None):
    r"""Time (ms) for ``V`` to climb from ``v0`` (default ``V_reset``) to ``V_th`` under a constant current:

    .. math:: t^* = \tau \ln \frac{V_\infty - V_0}{V_\infty - V_{th}}, \qquad V_\infty = E_L + R I,

    ``inf`` when ``V_inf <= V_th`` (the current is at or below the rheobase). ``current`` in nA,
    scalar or array; returns a float or an array of its shape.
    """
    i = _as_array(current)
    v0 = params.V_reset if v0 is None else float(v0)
    v_inf = params.E_L + params.R * i
    with np.errstate(divide="ignore", invalid="ignore"):
        t = params.tau * np.log((v_inf - v0) / (v_inf - params.V_th))
    t = np.where(v_inf > params.V_th, np.where(v0 >= params.V_th, 0.0, t), np.inf)
    return float(t) if t.ndim == 0 else t


def firing_rate(current, params: PhysicalLIFParams = PhysicalLIFParams()):
    r"""The f-I curve of the continuous LIF (Hz) under a constant current ``I`` (nA):

    .. math:: f(I) = \frac{1}{t_{ref} + \tau \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}}
              \text{ for } R I > V_{th} - E_L, \text{ else } 0,

    in Hz (times in ms, hence the factor 1000). It saturates at ``1000 / t_ref`` Hz.
    """
    t = np.asarray(time_to_threshold(current, params, params.V_reset), dtype=float)
    with np.errstate(divide="ignore"):
        f = np.where(np.isfinite(t), 1000.0 / (params.t_ref + t), 0.0)
    return float(f) if f.ndim == 0 else f


def current_for_rate(rate: float, params: PhysicalLIFParams = PhysicalLIFParams()) -> float:
    r"""The constant current (nA) at which the continuous LIF fires at ``rate`` Hz (the f-I curve inverted):

    with ``T = 1000/rate - t_ref`` (ms) the time from reset to threshold and ``q = exp(-T/tau)``,
    ``V_inf = (V_th - q V_reset) / (1 - q)`` and ``I = (V_inf - E_L) / R``.

    ``rate`` must lie in ``(0, 1000/t_ref)`` Hz.
    """
    if not _is_number(rate) or not rate > 0:
        raise ValueError(f"rate must be a number > 0 (Hz), got {rate!r}")
    if params.t_ref > 0 and rate >= 1000.0 / params.t_ref:
        raise ValueError(
            f"rate must be below the maximum 1000/t_ref = {1000.0 / params.t_ref:g} Hz, got {rate} Hz"
        )
    T = 1000.0 / rate - params.t_ref
    q = math.exp(-T / params.tau)
    v_inf = (params.V_th - q * params.V_reset) / (1 - q)
    return (v_inf - params.E_L) / params.R


# ---- exact solutions of the Euler-discretised physical model ------------------------------


def euler_charging_curve(n, current: float, params: PhysicalLIFParams = PhysicalLIFParams(),
                         v0: Optional[float] = None):
    r"""``V`` after ``n`` Euler steps under a constant current (below threshold), exactly:

    .. math:: V[n] = V_\infty + (V_0 - V_\infty) (1 - dt/\tau)^n,

    the discrete twin of :func:`charging_curve` (``e^{-t/tau}`` becomes ``(1 - dt/tau)^n``, ``t = n dt``).
    ``n`` an array of step counts; returns mV, same shape.
    """
    n = _as_array(n)
    v0 = params.E_L if v0 is None else float(v0)
    v_inf = params.E_L + params.R * float(current)
    return v_inf + (v0 - v_inf) * (1 - params.dt / params.tau) ** n


def first_spike_step(ratio, beta) -> np.ndarray:
    """The first ``n >= 1`` with ``beta**n < ratio`` (``0 < ratio <= 1``, ``0 <= beta <= 1``): a helper
    for threshold crossings of ``x[n] = x_inf (1 - beta^n)``. Returns ``inf`` where none exists."""
    ratio = np.asarray(ratio, dtype=float)
    b = float(beta)
    out = np.full(ratio.shape, np.inf)
    ok = ratio > 0
    if b == 0.0:
        out[ok] = 1.0
    elif b < 1.0:
        with np.errstate(divide="ignore"):
            x = np.log(np.where(ok, ratio, 1.0)) / math.log(b)  # beta^n < ratio  <=>  n > x
        out[ok] = np.floor(x[ok]) + 1
        out[ok & (ratio > 1)] = 1.0
    return out


def euler_firing_rate(current, params: PhysicalLIFParams = PhysicalLIFParams()):
    r"""The exact firing rate (Hz) of :func:`physical_lif_run` under a constant current (nA).

    From ``V_reset``, Euler gives ``V[n] = V_inf + (V_reset - V_inf) a^n``, ``a = 1 - dt/tau``; the
    first step with ``V[n] > V_th`` is the first ``n`` with ``a^n < (V_inf - V_th)/(V_inf - V_reset)``,
    ``n* = floor(ln q / ln a) + 1``. A spike every ``n* + ref_steps`` steps: ``f = 1000 / ((n* + K) dt)``.
    As ``dt -> 0`` this tends to :func:`firing_rate`.
    """
    i = _as_array(current)
    p = params
    v_inf = p.E_L + p.R * i
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(v_inf > p.V_th, (v_inf - p.V_th) / (v_inf - p.V_reset), 0.0)
    n = first_spike_step(q, p.beta)
    f = np.where(np.isfinite(n), 1000.0 / ((n + p.ref_steps) * p.dt), 0.0)
    return float(f) if f.ndim == 0 else f


# ---- the discrete beta form ----------------------------------------------------------------


def discrete_charging_curve(n, cur: float, beta: float, u0: float = 0.0):
    r"""``U[n]`` of the discrete model ``U[t+1] = beta U[t] + I`` under a constant input ``I`` (no spikes):

    .. math:: U[n] = \beta^n U_0 + I \frac{1 - \beta^n}{1 - \beta} \quad (\beta < 1), \qquad
              U[n] = U_0 + n I \quad (\beta = 1).

    The fixed point is ``U_inf = I / (1 - beta)``; with Euler's input ``I = (1 - beta) R I_phys``
    this is ``U[n] = R I_phys (1 - beta^n)``. ``n``: array of step counts; returns its shape.
    """
    _check_beta(beta)
    n = _as_array(n)
    b = float(beta)
    if b == 1.0:
        return u0 + n * float(cur)
    return b**n * u0 + float(cur) * (1 - b**n) / (1 - b)


def discrete_steps_to_threshold(cur, beta: float, threshold: float = 1.0):
    r"""First step ``n >= 1`` at which the discrete neuron, from rest, has ``U[n] > U_thr`` under input ``I``.

    ``U[n] = I (1 - beta^n)/(1 - beta) > U_thr  <=>  beta^n < 1 - U_thr (1 - beta) / I``, hence
    ``n* = floor(ln(1 - U_thr (1-beta)/I) / ln beta) + 1`` (``beta = 1``: ``n* = floor(U_thr / I) + 1``).
    ``inf`` when the fixed point ``I / (1 - beta)`` is not above threshold. ``cur`` scalar or array.
    """
    _check_beta(beta)
    _check_positive(threshold, "threshold")
    i = _as_array(cur)
    b = float(beta)
    if b == 1.0:
        with np.errstate(divide="ignore"):
            n = np.where(i > 0, np.floor(threshold / np.where(i > 0, i, 1.0)) + 1, np.inf)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(i > 0, 1 - threshold * (1 - b) / np.where(i > 0, i, 1.0), 0.0)
        n = first_spike_step(ratio, b)
    return float(n) if n.ndim == 0 else n


def discrete_rate(cur, beta: float, threshold: float = 1.0, refractory: int = 0, dt: Optional[float] = None):
    r"""Firing rate of the discrete neuron with ``reset="zero"`` under a constant input ``I`` (exact).

    After a spike at step ``t`` the zero reset gives ``U[t+1] = I`` (= ``U[1]`` from rest) — or, with a
    refractory period of ``K`` steps, ``U = 0`` during ``t+1 ... t+K`` and ``U[t+K+1] = I`` — so the
    neuron repeats its climb from rest: one spike every ``n* + K`` steps, ``n*`` from
    :func:`discrete_steps_to_threshold`. Returns spikes per step (``1 / (n* + K)``), or Hz when
    the step ``dt`` (ms) is given. (With ``reset="subtract"`` the residual above threshold is
    carried over and the rate has no such closed form; simulate it with :func:`lif_run`.)
    """
    K = _check_steps(refractory)
    n = np.asarray(discrete_steps_to_threshold(cur, beta, threshold), dtype=float)
    r = np.where(np.isfinite(n), 1.0 / (n + K), 0.0)
    if dt is not None:
        r = r * 1000.0 / _check_positive(dt, "dt", "ms")
    return float(r) if r.ndim == 0 else r


def isi_rate(spk: torch.Tensor, dt: Optional[float] = None) -> torch.Tensor:
    """Firing rate of each neuron from its mean inter-spike interval, for a spike record ``[T, ...]``.

    ``1 / mean(ISI)`` in spikes per step, or in Hz when the step ``dt`` (ms) is given; 0 for neurons
    with fewer than two spikes. Unlike ``count / T`` it has no edge effect from the first spike's
    latency, so it converges to the steady rate of a periodic neuron at once. Returns shape ``[...]``.
    """
    _checks.time_first(spk, "spk", "[T, ...]", min_dim=1)
    s = (spk.detach() > 0).reshape(spk.shape[0], -1)
    out = torch.zeros(s.shape[1], dtype=torch.float64)
    t = torch.arange(s.shape[0], dtype=torch.float64)
    for j in range(s.shape[1]):
        times = t[s[:, j]]
        if len(times) >= 2:
            out[j] = (len(times) - 1) / float(times[-1] - times[0])
    if dt is not None:
        out = out * 1000.0 / _check_positive(dt, "dt", "ms")
    return out.reshape(spk.shape[1:])
