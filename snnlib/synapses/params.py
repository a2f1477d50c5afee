"""The synapses of a circuit, in one record: current or conductance, decay times, reversal potentials."""

from __future__ import annotations

from dataclasses import dataclass

from .. import _checks
from .conductance import E_EXC, E_INH, check_reversals
from .exponential import decay_factor

__all__ = ["KINDS", "SynapseParams", "SYNAPSES", "INSTANT_CURRENT"]

#: The synapse models: ``"current"`` (a spike adds a charge, whatever the membrane) and
#: ``"conductance"`` (a spike opens a conductance towards a reversal potential). Every neuron
#: model that takes synaptic input (``snnlib.neurons.SYNAPTIC_DRIVES``) implements each kind.
KINDS = ("current", "conductance")


@dataclass(frozen=True)
class SynapseParams:
    """How spikes reach a membrane (checked on construction).

    Attributes:
        kind: one of :data:`KINDS`.
        tau_exc, tau_inh: decay time constants of the excitatory and inhibitory synaptic traces,
            in steps (>= 0; 0 = instantaneous: a spike acts on one step only). A spike through a
            weight ``w`` adds ``(1 - alpha) w`` to its trace, ``alpha = exp(-1/tau)``, so the
            trace sums to ``w`` over time whatever ``tau`` (the same total effect, spread out).
        e_exc, e_inh: reversal potentials (``e_inh < 0 < e_exc``, rest 0, threshold 1), used by
            ``kind="conductance"``; weights are efficacies at rest (see
            :func:`~snnlib.synapses.conductance_from_efficacy`).
    """

    kind: str = "conductance"
    tau_exc: float = 2.0
    tau_inh: float = 5.0
    e_exc: float = E_EXC
    e_inh: float = E_INH

    def __post_init__(self):
        _checks.choice(self.kind, "kind", KINDS)
        for name in ("tau_exc", "tau_inh"):
            object.__setattr__(self, name, _checks.real(getattr(self, name), f"{name} (steps)", 0.0))
        e_exc, e_inh = check_reversals(self.e_exc, self.e_inh)
        object.__setattr__(self, "e_exc", e_exc)
        object.__setattr__(self, "e_inh", e_inh)

    @property
    def alpha_exc(self) -> float:
        """Decay per step of the excitatory trace, ``exp(-1/tau_exc)`` (0 when instantaneous)."""
        return decay_factor(self.tau_exc)

    @property
    def alpha_inh(self) -> float:
        """Decay per step of the inhibitory trace, ``exp(-1/tau_inh)`` (0 when instantaneous)."""
        return decay_factor(self.tau_inh)


#: The book's circuits: conductance synapses, AMPA-like excitation decaying in 2 steps and
#: GABA_A-like inhibition decaying in 5 (at 1 ms per step), reversal potentials 0 and -80 mV.
SYNAPSES = SynapseParams()
#: Instantaneous current synapses: a spike adds (or removes) its weight on one step only, with no
#: lower bound on the membrane (the simplest model, and this chapter's first one).
INSTANT_CURRENT = SynapseParams("current", 0.0, 0.0)
