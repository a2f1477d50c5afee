r"""Neural circuits: small motifs of LIF neurons, simulated and measured (layer 3: experiments).

Four motifs recur throughout the nervous system :cite:`gerstner2014neuronal`:

* **feed-forward excitation**: one layer excites the next, with *convergent* (many inputs onto one
  neuron) and *divergent* (one input onto many neurons) connections;
* **feed-forward inhibition**: the input drives an inhibitory population as well as the output
  population, and the inhibitory neurons inhibit the output a little later;
* **feedback inhibition**: excitatory neurons drive inhibitory ones, which project back onto them;
* **lateral inhibition**: the neurons of one layer inhibit each other, with a strength and a
  reach; with strong, global inhibition it becomes a *winner-take-all*.

Every motif is a small network of populations of LIF neurons joined by :class:`Projection` objects
(a weight matrix, a synaptic delay in steps and a sign), run by one generic simulator,
:func:`simulate`. The synapses are one :class:`snnlib.synapses.SynapseParams` per circuit: by
default :data:`snnlib.synapses.SYNAPSES`, conductance-based with reversal potentials (every
membrane stays between ``E_inh`` and ``E_exc``) and exponentially decaying (tau 2 steps for
excitation, 5 for inhibition); :data:`snnlib.synapses.INSTANT_CURRENT` gives the plain
current-based LIF network (:func:`snnlib.neurons.lif_step` on the summed weighted spikes). The
motif functions build the projections and return a :class:`CircuitResult` with the spike and
membrane records of every population.

Conventions:

* Time first: inputs and records are ``[T, B, N]`` (steps, batch, neurons).
* Weight matrices are ``[N_source, N_target]`` and hold non-negative *magnitudes*; whether a
  projection excites or inhibits is its ``sign`` (``+1`` or ``-1``). The motif functions scale every
  inhibitory weight by their ``inhibition`` argument, so ``inhibition=0`` leaves the excitatory part
  of the motif alone, exactly.
* A spike emitted by the source at step ``t`` reaches the target's synaptic trace at step
  ``t + delay``. Weights are *efficacies*: how far one spike moves a membrane at rest (in
  thresholds). Rates are in spikes per step (at 1 ms per step, 0.1 spikes/step is 100 Hz).

The package, one idea per module:

* :mod:`~snnlib.circuits.connectivity`: inputs (:func:`poisson_input`, :func:`bar_stimulus`) and
  weight builders (:func:`convergent_weights`, :func:`divergent_weights`, :func:`lateral_weights`);
* :mod:`~snnlib.circuits.network`: :class:`Projection`, :class:`CircuitResult`, :func:`simulate`
  and the default neurons :data:`EXC_PARAMS`, :data:`INH_PARAMS`;
* :mod:`~snnlib.circuits.motifs`: the motif functions and :data:`MOTIFS`, the one registry of the
  explorer's motifs (name -> :class:`Motif`);
* :mod:`~snnlib.circuits.measures`: :func:`snr`, :func:`synchrony`, :func:`oscillation_power`,
  :func:`response_window`, :func:`edge_contrast`, :func:`pattern_correlation`, :func:`wta_winner`
  and more, pure functions of spike records (spike counts, firing and population rates are
  :mod:`snnlib.spikes`');
* :mod:`~snnlib.circuits.experiments`: :func:`convergence_snr` and :func:`run_motif` (with
  :class:`MotifRun`), the explorer's one call.
"""

from __future__ import annotations

from . import connectivity, experiments, measures, motifs, network

# Each module declares its public names once, in its __all__; the package re-exports them all.
from .connectivity import *  # noqa: F403
from .experiments import *  # noqa: F403
from .measures import *  # noqa: F403
from .motifs import *  # noqa: F403
from .network import *  # noqa: F403

__all__ = [*connectivity.__all__, *network.__all__, *motifs.__all__, *measures.__all__, *experiments.__all__]
