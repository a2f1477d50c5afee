r"""Leaky integrate-and-fire (LIF) neurons: the physical model, its discrete form, and their solutions.

Two models live here (layer 1: primitives), and the chapter "The LIF neuron" derives one from the
other. One module per idea:

* :mod:`snnlib.neurons.lif`: the discrete model, :class:`LIFParams`, :class:`LIFState`,
  :func:`lif_step`, :func:`lif_run`, the ``nn.Module`` :class:`LIF`, :data:`RESETS`;
* :mod:`snnlib.neurons.physical`: the model with units, :class:`PhysicalLIFParams`,
  :func:`physical_lif_step`, :func:`physical_lif_run`, and :func:`beta_euler`, :func:`beta_exact`,
  :func:`tau_from_beta`;
* :mod:`snnlib.neurons.analytic`: the closed-form solutions to check both against;
* :mod:`snnlib.neurons.noise`: noise-driven firing of the physical model (:func:`noisy_current`,
  :func:`isi_cv`, :func:`siegert_rate`).

Every public name is re-exported here: ``snl.neurons.lif_run`` and ``snnlib.neurons.lif.lif_run`` are
the same function.

**The physical model** (units: ms, mV, nA, MOhm, nF). An RC circuit, a capacitor ``C`` in parallel
with a leak conductance ``g_L = 1/R`` and a resting (reversal) potential ``E_L``, driven by a current
``I(t)``:

.. math::  C \frac{dV}{dt} = -g_L (V - E_L) + I(t)
           \iff \tau \frac{dV}{dt} = -(V - E_L) + R I(t), \qquad \tau = RC.

When ``V`` crosses the threshold ``V_th`` the neuron spikes, ``V`` is set to ``V_reset`` and held
there for the absolute refractory period ``t_ref``. :func:`physical_lif_run` integrates it with
Euler's step ``dt``: ``V(t+dt) = V(t) + (dt/tau) (-(V(t) - E_L) + R I(t+dt))`` (the leak at the
start of the step, the input held over the step ``(t, t+dt]``; see :mod:`snnlib.neurons.physical`).

**The discrete model** (snnTorch's ``snn.Leaky``), unit-free, one update per step:

.. math::  U[t+1] = \beta U[t] + I[t+1] - R[t] U_{thr}, \qquad S[t+1] = H(U[t+1] - U_{thr}),

with ``I = W X`` the input current, ``beta`` the decay per step (``1 - dt/tau`` by Euler;
``exp(-dt/tau)``, with the input weighted by ``(1 - beta) R``, is the exact solution for an input
held constant over the step) and ``R[t]`` the *reset signal*. The semantics, agreed for the whole
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
membrane records of the same shape. The surrogate gradient of the spike is chosen with
``surrogate=`` (a :class:`snnlib.surrogate.Surrogate` or its name) everywhere.

The analytic solutions the chapter compares against: :func:`charging_curve`,
:func:`time_to_threshold`, :func:`analytic_rate` (the f-I curve) and :func:`current_for_rate`
(continuous model); :func:`euler_charging_curve`, :func:`euler_rate` (the Euler-discretised
physical model, exactly); :func:`discrete_charging_curve`, :func:`discrete_steps_to_threshold`,
:func:`discrete_rate` (the beta form); :func:`isi_rate` measures the steady rate of a simulation.
"""

from __future__ import annotations

from . import analytic, lif, noise, physical, synaptic
from .analytic import *  # noqa: F403 (re-exports analytic.__all__)
from .lif import *  # noqa: F403 (re-exports lif.__all__)
from .noise import *  # noqa: F403 (re-exports noise.__all__)
from .physical import *  # noqa: F403 (re-exports physical.__all__)
from .synaptic import *  # noqa: F403 (Synaptic and conductance LIF: snnlib.neurons.synaptic.__all__)

#: Every public name of the modules.
__all__ = [*lif.__all__, *physical.__all__, *analytic.__all__, *noise.__all__, *synaptic.__all__]
