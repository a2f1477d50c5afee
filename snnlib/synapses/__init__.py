r"""Synapses (layer 1: primitives): what a presynaptic spike does to the postsynaptic membrane.

* :mod:`~snnlib.synapses.exponential`: exponentially decaying traces, ``x[t+1] = alpha x[t] + s``
  (:func:`trace_step`, :func:`trace_run`, :func:`decay_factor`), snnTorch's synaptic current;
* :mod:`~snnlib.synapses.conductance`: conductance-based synapses with reversal potentials and the
  exact one-step integration of the membrane under them (:func:`conductance_step`), which keeps
  the membrane between the inhibitory and the excitatory reversal potentials (:data:`E_INH`,
  :data:`E_EXC`);
* :mod:`~snnlib.synapses.params`: :class:`SynapseParams`, the synapses of a circuit (current or
  conductance, decay times, reversal potentials), :data:`KINDS`, and the two settings the book
  uses, :data:`SYNAPSES` (the default) and :data:`INSTANT_CURRENT`.

The neurons that take synaptic input (``snnlib.neurons.synaptic``) build on these.
"""

from __future__ import annotations

from . import conductance, exponential, params
from .conductance import *  # noqa: F403
from .exponential import *  # noqa: F403
from .params import *  # noqa: F403

__all__ = [*exponential.__all__, *conductance.__all__, *params.__all__]
