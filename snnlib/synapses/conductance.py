r"""Conductance-based synapses: a synapse pulls the membrane towards its reversal potential.

A current-based synapse adds the same charge whatever the membrane potential, so enough inhibition
drives the membrane without bound. A real synapse opens channels with a conductance ``g`` and a
reversal potential ``E``: its current ``g (E - U)`` shrinks as ``U`` approaches ``E`` and changes
sign beyond it. With the leak (rest at 0), in units where the threshold is 1 above rest,

.. math::  \frac{dU}{dt} = -\lambda_L U - g_e (U - E_e) - g_i (U - E_i), \qquad \lambda_L = -\ln\beta

(conductances ``g`` are rates per step, ``g = G\,\Delta t / C``). Held constant over one step, the
solution is exact (:func:`conductance_step`):

.. math::  U[t+1] = U_\infty + (U[t] - U_\infty)\, e^{-\Lambda}, \qquad
           \Lambda = \lambda_L + g_e + g_i, \quad U_\infty = \frac{g_e E_e + g_i E_i}{\Lambda}.

``U_inf`` is a weighted mean of 0, ``E_e`` and ``E_i`` and ``U[t+1]`` lies between ``U[t]`` and
``U_inf``, so a membrane that starts between ``E_i`` and ``E_e`` never leaves that interval,
however strong the input (forward Euler would overshoot it for ``g > 1``).

The default reversal potentials, in units of the threshold above rest
(:func:`reversal`: rest -70 mV, threshold -50 mV): excitation (AMPA-like) 0 mV, so
:data:`E_EXC` = 3.5; inhibition (GABA_A-like) -80 mV, so :data:`E_INH` = -0.5.
"""

from __future__ import annotations

import math
from typing import Union

import torch

from .. import _checks

__all__ = [
    "REST_MV",
    "THRESHOLD_MV",
    "E_EXC",
    "E_INH",
    "reversal",
    "check_reversals",
    "conductance_from_efficacy",
    "conductance_step",
]

Number = Union[float, torch.Tensor]

#: Resting potential and firing threshold (mV) behind the unit-free reversal potentials.
REST_MV, THRESHOLD_MV = -70.0, -50.0


def reversal(e_mv: float, rest_mv: float = REST_MV, threshold_mv: float = THRESHOLD_MV) -> float:
    """A reversal potential in mV as the book's unit-free membrane: ``(E - rest) / (threshold - rest)``."""
    e_mv = _checks.real(e_mv, "e_mv")
    rest_mv = _checks.real(rest_mv, "rest_mv")
    threshold_mv = _checks.real(threshold_mv, "threshold_mv")
    if not threshold_mv > rest_mv:
        raise ValueError(f"threshold_mv must be above rest_mv, got threshold {threshold_mv:g} mV, rest {rest_mv:g} mV")
    return (e_mv - rest_mv) / (threshold_mv - rest_mv)


#: Excitatory reversal potential (0 mV): 3.5 thresholds above rest.
E_EXC = reversal(0.0)
#: Inhibitory reversal potential (-80 mV): half a threshold below rest.
E_INH = reversal(-80.0)


def check_reversals(e_exc, e_inh, threshold=None):
    """``(e_exc, e_inh)`` as floats after checking ``e_inh < 0 < e_exc`` (and ``threshold < e_exc``).

    A neuron whose threshold is at or above the excitatory reversal potential could never fire.
    """
    e_exc = _checks.real(e_exc, "e_exc (the excitatory reversal potential)", 0.0, min_open=True)
    e_inh = _checks.real(e_inh, "e_inh (the inhibitory reversal potential)", maximum=0.0, max_open=True)
    if threshold is not None and not float(torch.as_tensor(threshold).max()) < e_exc:
        raise ValueError(
            f"the threshold must be below e_exc = {e_exc:g} (excitation cannot drive the membrane above its "
            f"reversal potential, so the neuron could never fire), got threshold {threshold}"
        )
    return e_exc, e_inh


def conductance_from_efficacy(efficacy: torch.Tensor, e_rev: float) -> torch.Tensor:
    """The conductance ``g = w / |E|`` whose kick at rest is ``w`` (``g (E - 0) = +-w`` for small ``g``).

    Weights of the circuits are *efficacies*: how far one spike moves a membrane at rest. The same
    weight thus means about the same thing with current and conductance synapses.
    """
    efficacy = _checks.tensor(efficacy, "efficacy", "[...]", dtype="float", finite=True)
    e_rev = _checks.real(e_rev, "e_rev")
    if e_rev == 0:
        raise ValueError("e_rev must be a non-zero reversal potential, got 0")
    return efficacy / abs(e_rev)


def conductance_step(
    mem: torch.Tensor, g_exc: torch.Tensor, g_inh: torch.Tensor, beta: Number, e_exc: float = E_EXC, e_inh: float = E_INH
) -> torch.Tensor:
    r"""The membrane after one step of leak and conductances held constant (exact; see the module).

    Args:
        mem: the membrane ``U[t]`` ``[B, ...]`` (after any reset).
        g_exc, g_inh: excitatory and inhibitory conductances of the step, rates per step ``>= 0``,
            broadcastable to ``mem``.
        beta: the leak's decay per step in [0, 1] (number or float tensor; ``beta = 1``: no leak).
        e_exc, e_inh: the reversal potentials (``e_inh < 0 < e_exc``; rest is 0).

    Returns:
        ``U[t+1]`` ``[B, ...]``, between ``U[t]`` and ``U_inf``: never outside
        ``[min(U[t], e_inh), max(U[t], e_exc)]`` (rounding is kept inside that interval too).
    """
    mem = _checks.tensor(mem, "mem", "[B, ...]", min_dim=1, dtype="float")
    for g, name in ((g_exc, "g_exc"), (g_inh, "g_inh")):
        _checks.tensor(g, name, "[B, ...] (broadcastable to mem)", dtype="float")
    if not isinstance(beta, torch.Tensor):
        beta = _checks.real(beta, "beta", 0.0, 1.0)
    e_exc, e_inh = check_reversals(e_exc, e_inh)
    return _conductance_step(mem, g_exc, g_inh, beta, e_exc, e_inh)


def _conductance_step(mem: torch.Tensor, g_exc: torch.Tensor, g_inh: torch.Tensor, beta: Number, e_exc: float, e_inh: float):
    """:func:`conductance_step` on arguments already checked (the neurons' step functions check
    theirs once; this runs at every step of a simulation)."""
    if isinstance(beta, torch.Tensor):
        leak = -torch.log(beta.to(mem.dtype).clamp(0, 1))
    else:
        leak = math.inf if beta == 0 else -math.log(beta)
    total = leak + g_exc + g_inh  # Lambda >= 0
    drive = g_exc * e_exc + g_inh * e_inh
    decay = torch.exp(-total)
    # (1 - e^-L) / L: 1 at L = 0 (no leak, no input), 0 at L = inf (beta = 0)
    if isinstance(leak, float) and leak > 0:
        frac = -torch.expm1(-total) / total
    else:
        safe = torch.where(total > 0, total, torch.ones_like(total))
        frac = torch.where(total > 0, -torch.expm1(-safe) / safe, torch.ones_like(total))
    new = mem * decay + drive * frac
    return torch.clamp(new, mem.clamp(max=e_inh), mem.clamp(min=e_exc))
