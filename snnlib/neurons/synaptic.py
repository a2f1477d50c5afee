r"""LIF neurons driven through synapses: snnTorch's ``Synaptic`` and a conductance-based LIF.

**Synaptic** (snnTorch's ``snn.Synaptic``): an exponentially decaying synaptic current ``I_syn``
between the input and the membrane,

.. math::  I_{syn}[t+1] = \alpha I_{syn}[t] + I[t+1], \qquad
           U[t+1] = \beta U[t] + I_{syn}[t+1] - R[t] U_{thr},

then ``S[t+1] = H(U[t+1] - U_thr)``. The membrane part is exactly :func:`~snnlib.neurons.lif_step`
driven by ``I_syn`` (same resets, reset signal ``R[t] = S[t]``, refractory period), so ``alpha = 0``
*is* the LIF neuron. snnTorch's ``Synaptic`` computes the same for ``reset="subtract"`` and
``"none"``, bit for bit; for ``reset="zero"`` snnTorch clears the whole new membrane after a spike,
``U[t+1] = (1 - R[t]) (beta U[t] + I_syn[t+1])``, input included, while here (as in ``snn.Leaky``
and :func:`lif_step`) only the old membrane is cleared, ``U[t+1] = beta (1 - R[t]) U[t] + I_syn[t+1]``.

**Conductance-based LIF** (:func:`conductance_lif_step`): the input arrives as excitatory and
inhibitory conductances and the membrane follows
:func:`snnlib.synapses.conductance_step`, which keeps it between the reversal potentials
``e_inh < 0`` and ``e_exc > threshold``. The reset acts on ``U[t]`` *before* the step's
integration (``U[t] - R[t] U_thr``, or 0 for ``"zero"``), so that it cannot push the membrane
below ``e_inh`` either.

:data:`SYNAPTIC_DRIVES` maps every synapse kind of :data:`snnlib.synapses.KINDS` to the neuron
step it drives (the circuits' simulator reads it). Shapes: a step takes ``[B, ...]``, a run a
time-first ``[T, B, ...]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, NamedTuple, Optional, Tuple, Union

import torch
from torch import nn

from .. import _checks
from .. import surrogate as _surrogate
from .. import synapses as _syn
from . import _validate
from ._validate import Number
from .lif import LIFParams, LIFState, _as_state, _emit, _previous_spike, _refractory_left, lif_step

__all__ = [
    "SynapticParams",
    "SynapticState",
    "synaptic_step",
    "synaptic_run",
    "Synaptic",
    "conductance_lif_step",
    "conductance_lif_run",
    "SYNAPTIC_DRIVES",
]

SurrogateLike = Union[str, _surrogate.Surrogate, None]
_STEP = "[B, ...]"
_LIF_DEFAULT = LIFParams()
_RUN = "[T, B, ...]"


# =============================================================================================
# Synaptic: an exponentially decaying synaptic current before the LIF membrane
# =============================================================================================


@dataclass(frozen=True)
class SynapticParams:
    """Parameters of the Synaptic neuron: ``alpha`` (synaptic decay per step) and the LIF's.

    Attributes:
        alpha: decay per step of the synaptic current, in [0, 1] (``exp(-dt/tau_syn)``).
        beta, threshold, reset, refractory: as :class:`~snnlib.neurons.LIFParams`.
    """

    alpha: Number = 0.8
    beta: Number = 0.9
    threshold: Number = 1.0
    reset: str = "subtract"
    refractory: int = 0

    def __post_init__(self):
        object.__setattr__(self, "alpha", _validate.beta(self.alpha, "alpha"))
        lif = LIFParams(self.beta, self.threshold, self.reset, self.refractory)  # checks them
        for name in ("beta", "threshold", "refractory"):
            object.__setattr__(self, name, getattr(lif, name))

    @property
    def lif(self) -> LIFParams:
        """The membrane's parameters, as the :class:`LIFParams` of :func:`lif_step`."""
        p = LIFParams(0.5, 1.0, self.reset, self.refractory)
        object.__setattr__(p, "beta", self.beta)  # tensors pass through unchecked, as LIF.params
        object.__setattr__(p, "threshold", self.threshold)
        return p


class SynapticState(NamedTuple):
    """State of a layer of Synaptic neurons, each field ``[B, ...]``.

    Attributes:
        syn: synaptic current ``I_syn[t]``.
        mem: membrane ``U[t]``.
        refrac, spk: as in :class:`~snnlib.neurons.LIFState` (``None``: 0 / recomputed from ``mem``).
    """

    syn: torch.Tensor
    mem: torch.Tensor
    refrac: Optional[torch.Tensor] = None
    spk: Optional[torch.Tensor] = None


def _synaptic_state(cur: torch.Tensor, state) -> SynapticState:
    """A checked state (the membrane's fields are checked by :func:`lif_step`)."""
    if state is None:  # no current, and the membrane at rest as in lif_step
        return SynapticState(torch.zeros_like(cur), *_as_state(cur, None))
    _checks.instance(state, "state", SynapticState, "a SynapticState (syn, mem, ...) or None")
    if not isinstance(state.syn, torch.Tensor) or state.syn.shape != cur.shape:
        raise ValueError(
            f"the state's synaptic current must be a tensor of the input's shape {_STEP} = {tuple(cur.shape)}, "
            f"got {_checks.describe(state.syn)}"
        )
    return state


def _check_synaptic_params(params) -> SynapticParams:
    return _checks.instance(params, "params", SynapticParams, "a SynapticParams")


def synaptic_step(
    cur: torch.Tensor, state: Optional[SynapticState], params: SynapticParams = SynapticParams(), surrogate: SurrogateLike = None
) -> Tuple[torch.Tensor, SynapticState]:
    """One step: ``I_syn[t+1] = alpha I_syn[t] + I[t+1]``, then :func:`lif_step` driven by ``I_syn[t+1]``.

    Args:
        cur: input current ``I[t+1]`` ``[B, ...]`` (floating point; elementwise, as :func:`lif_step`:
            not scanned once per step, NaN propagates; :func:`synaptic_run` checks its input).
        state: :class:`SynapticState` or ``None`` (at rest).
        params: :class:`SynapticParams`.
        surrogate: the spike's surrogate gradient (as :func:`lif_step`).

    Returns:
        ``(spk, state)``: spikes ``[B, ...]`` and the new :class:`SynapticState`.
    """
    _checks.tensor(cur, "cur", _STEP, dtype="float", nonempty=False)
    params = _check_synaptic_params(params)
    state = _synaptic_state(cur, state)
    alpha = params.alpha.clamp(0, 1) if isinstance(params.alpha, torch.Tensor) else params.alpha
    syn = alpha * state.syn + cur
    spk, lif = lif_step(syn, LIFState(state.mem, state.refrac, state.spk), params.lif, surrogate)
    return spk, SynapticState(syn, lif.mem, lif.refrac, lif.spk)


def synaptic_run(
    cur: torch.Tensor,
    params: SynapticParams = SynapticParams(),
    state: Optional[SynapticState] = None,
    surrogate: SurrogateLike = None,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """:func:`synaptic_step` over a time-first current ``[T, B, ...]``.

    Returns:
        ``(spk_rec, syn_rec, mem_rec)``, each ``[T, B, ...]``.
    """
    _checks.time_first(cur, "cur", _RUN, min_dim=2, dtype="float", finite=True)
    spike = _surrogate.get(surrogate)
    spikes, syns, mems = [], [], []
    for t in range(cur.shape[0]):
        spk, state = synaptic_step(cur[t], state, params, spike)
        spikes.append(spk)
        syns.append(state.syn)
        mems.append(state.mem)
    return torch.stack(spikes), torch.stack(syns), torch.stack(mems)


class Synaptic(nn.Module):
    """A layer of Synaptic neurons, called like snnTorch's ``snn.Synaptic``.

    ``spk, syn, mem = neuron(cur, syn, mem)`` advances one step (``syn`` / ``mem`` ``[B, ...]`` or
    ``None`` for rest); ``neuron.run(cur_seq)`` runs ``[T, B, ...]`` and returns
    ``(spk_rec, syn_rec, mem_rec)``. Arguments as :class:`SynapticParams`, plus ``surrogate``.
    A refractory period needs the full state: use :func:`synaptic_step`.
    """

    def __init__(
        self,
        alpha: Number = 0.8,
        beta: Number = 0.9,
        threshold: Number = 1.0,
        reset: str = "subtract",
        surrogate: SurrogateLike = None,
    ):
        super().__init__()
        self.params = SynapticParams(alpha, beta, threshold, reset, 0)
        self.surrogate = _surrogate.get(surrogate)

    def forward(
        self, cur: torch.Tensor, syn: Optional[torch.Tensor] = None, mem: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One step: ``cur``, ``syn``, ``mem`` ``[B, ...]`` (``None``: zeros) -> ``(spk, syn, mem)``."""
        _checks.tensor(cur, "cur", _STEP, dtype="float", nonempty=False)
        zeros = torch.zeros_like(cur)
        state = SynapticState(zeros if syn is None else syn, zeros if mem is None else mem)
        spk, state = synaptic_step(cur, state, self.params, self.surrogate)
        return spk, state.syn, state.mem

    def run(self, cur: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """All steps of ``[T, B, ...]``: ``(spk_rec, syn_rec, mem_rec)``."""
        return synaptic_run(cur, self.params, None, self.surrogate)


# =============================================================================================
# Conductance-based LIF: bounded by the reversal potentials
# =============================================================================================

#: The reset applied to ``U[t]`` before the step's integration: name -> f(mem, prev spike, threshold).
_RESETS: Dict[str, Callable] = {
    "subtract": lambda mem, prev, thr: mem - prev * thr,
    "zero": lambda mem, prev, thr: (1 - prev) * mem,
    "none": lambda mem, prev, thr: mem,
}


def conductance_lif_step(
    g_exc: torch.Tensor,
    g_inh: torch.Tensor,
    state: Union[LIFState, torch.Tensor, None],
    params: LIFParams = _LIF_DEFAULT,
    e_exc: float = _syn.E_EXC,
    e_inh: float = _syn.E_INH,
    surrogate: SurrogateLike = None,
) -> Tuple[torch.Tensor, LIFState]:
    """One step of a LIF neuron with conductance-based synapses.

    ``U' = reset(U[t])`` (``"subtract"``: ``U[t] - R[t] U_thr``; ``"zero"``: ``(1 - R[t]) U[t]``;
    ``"none"``: ``U[t]``), then ``U[t+1] = conductance_step(U', g_exc, g_inh, beta, e_exc, e_inh)``
    and ``S[t+1] = H(U[t+1] - U_thr)``. With ``params.refractory = K > 0`` the conductances are
    blocked (0) and no spike is emitted for ``K`` steps after a spike. A membrane that starts in
    ``[e_inh, e_exc]`` stays there.

    Args:
        g_exc, g_inh: conductances ``[B, ...]`` (rates per step, >= 0; ``g_inh`` broadcastable to
            ``g_exc``, whose shape is the layer's; not scanned here, once per step: NaN propagates
            to the membrane; :func:`conductance_lif_run` checks its inputs).
        state: :class:`LIFState`, a membrane tensor or ``None`` (rest).
        params: :class:`LIFParams` (beta, threshold < e_exc, reset, refractory).
        e_exc, e_inh: reversal potentials (``e_inh < 0 < threshold < e_exc``).
        surrogate: the spike's surrogate gradient.

    Returns:
        ``(spk, state)``: spikes ``[B, ...]`` and the new :class:`LIFState`.
    """
    _checks.tensor(g_exc, "g_exc", _STEP, dtype="float", nonempty=False)
    _checks.tensor(g_inh, "g_inh", _STEP + " (broadcastable to g_exc)", dtype="float", nonempty=False)
    _checks.broadcasts_to(g_inh, g_exc, "g_inh", "g_exc", _STEP)
    _checks.instance(params, "params", LIFParams, "an LIFParams")
    e_exc, e_inh = _syn.check_reversals(e_exc, e_inh, params.threshold)
    g_inh = g_inh.expand_as(g_exc) if g_inh.shape != g_exc.shape else g_inh
    state = _as_state(g_exc, state)
    spike = _surrogate.get(surrogate)
    thr = params.threshold
    prev = _previous_spike(state, thr)
    left = _refractory_left(state, prev, params.refractory, g_exc)
    if left is not None:
        blocked = left > 0
        g_exc = torch.where(blocked, torch.zeros_like(g_exc), g_exc)
        g_inh = torch.where(blocked, torch.zeros_like(g_inh), g_inh)
    mem = _RESETS[params.reset](state.mem, prev, thr)
    mem = _syn.conductance._conductance_step(mem, g_exc, g_inh, params.beta, e_exc, e_inh)  # all checked above
    return _emit(spike, mem, thr, left)


def conductance_lif_run(
    g_exc: torch.Tensor,
    g_inh: torch.Tensor,
    params: LIFParams = _LIF_DEFAULT,
    e_exc: float = _syn.E_EXC,
    e_inh: float = _syn.E_INH,
    state: Union[LIFState, torch.Tensor, None] = None,
    surrogate: SurrogateLike = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`conductance_lif_step` over time-first conductances ``[T, B, ...]`` (finite, >= 0).

    Returns:
        ``(spk_rec, mem_rec)``, each ``[T, B, ...]``.
    """
    for name, g in (("g_exc", g_exc), ("g_inh", g_inh)):
        _checks.time_first(g, name, _RUN, min_dim=2, dtype="float", finite=True)
        if bool((g < 0).any()):
            raise ValueError(f"{name} must be >= 0 (a conductance) of shape {_RUN}, got a minimum of {float(g.min()):g}")
    if g_exc.shape != g_inh.shape:
        raise ValueError(f"g_exc and g_inh must have the same shape {_RUN}, got {tuple(g_exc.shape)} and {tuple(g_inh.shape)}")
    spike = _surrogate.get(surrogate)
    spikes, mems = [], []
    for t in range(g_exc.shape[0]):
        spk, state = conductance_lif_step(g_exc[t], g_inh[t], state, params, e_exc, e_inh, spike)
        spikes.append(spk)
        mems.append(state.mem)
    return torch.stack(spikes), torch.stack(mems)


# =============================================================================================
# One neuron step per synapse kind (read by the circuits' simulator)
# =============================================================================================


def _current_drive(exc, inh, state, params: LIFParams, synapses: _syn.SynapseParams, spike):
    return lif_step(exc - inh, state, params, spike)


def _conductance_drive(exc, inh, state, params: LIFParams, synapses: _syn.SynapseParams, spike):
    # conductance_from_efficacy without its checks: the traces and the SynapseParams are checked
    # once by the simulator that calls this at every step
    g_exc = exc / abs(synapses.e_exc)
    g_inh = inh / abs(synapses.e_inh)
    return conductance_lif_step(g_exc, g_inh, state, params, synapses.e_exc, synapses.e_inh, spike)


#: Synapse kind -> ``drive(exc, inh, state, params, synapses, spike) -> (spk, LIFState)``: one step
#: of a LIF neuron whose excitatory and inhibitory synaptic traces (efficacies, ``[B, N]``, >= 0)
#: are ``exc`` and ``inh``. ``"current"``: :func:`lif_step` on ``exc - inh``; ``"conductance"``:
#: :func:`conductance_lif_step` on the conductances ``exc / e_exc`` and ``inh / |e_inh|``.
SYNAPTIC_DRIVES: Dict[str, Callable[..., Tuple[torch.Tensor, LIFState]]] = {
    "current": _current_drive,
    "conductance": _conductance_drive,
}
if set(SYNAPTIC_DRIVES) != set(_syn.KINDS):  # pragma: no cover - a new kind needs its neuron step
    raise RuntimeError(f"SYNAPTIC_DRIVES {sorted(SYNAPTIC_DRIVES)} must cover snnlib.synapses.KINDS {_syn.KINDS}")
