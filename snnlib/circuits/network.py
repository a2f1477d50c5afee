"""The generic simulator of the circuits: populations of LIF neurons joined by projections.

A circuit is an ordered set of *populations* (each ``(size, LIFParams)``) and a list of
:class:`Projection` objects (a weight matrix ``[N_source, N_target]`` of non-negative magnitudes,
a delay in steps and a sign), with one :class:`~snnlib.synapses.SynapseParams` for all its
synapses (by default :data:`~snnlib.synapses.SYNAPSES`: conductance-based, with exponentially
decaying conductances). :func:`simulate` runs it on an input ``[T, B, N_in]`` and returns a
:class:`CircuitResult` with the spike and membrane records ``[T, B, N]`` of every population.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from .. import _checks
from .. import spikes as _spikes
from .._core import one_cpu_thread
from ..neurons import SYNAPTIC_DRIVES, LIFParams
from ..surrogate import get as _get_surrogate
from ..synapses import SYNAPSES, SynapseParams

__all__ = ["EXC_PARAMS", "INH_PARAMS", "Projection", "CircuitResult", "simulate"]

Tensor = torch.Tensor

#: Default excitatory neuron: decay 0.9 per step (tau = 10 steps), threshold 1, subtractive reset.
EXC_PARAMS = LIFParams(beta=0.9, threshold=1.0, reset="subtract", refractory=0)
#: Default inhibitory neuron: faster membrane (decay 0.8, tau about 4.5 steps), as fast-spiking interneurons.
INH_PARAMS = LIFParams(beta=0.8, threshold=1.0, reset="subtract", refractory=0)


def _check_inputs(inputs, name: str = "inputs") -> Tensor:
    """The input of a circuit: finite, non-negative ``[T, B, N_in]`` (spikes or rates), as floats."""
    shape = "[T, B, N_in]"
    _checks.time_first(inputs, name, shape, min_dim=3, ndim=3, finite=True)
    if inputs.is_complex():
        raise TypeError(f"{name} must be a real tensor of shape {shape}, got dtype {inputs.dtype}")
    return _non_negative_floats(
        inputs,
        lambda low: f"{name} must be >= 0 (spikes 0/1, or non-negative input rates) of shape {shape}, got a minimum of {low}",
    )


def _check_weight(
    weight, name: str, n_source: Optional[int], n_target: Optional[int], source: str = "N_source", target: str = "N_target"
) -> Tensor:
    """A weight matrix ``[N_source, N_target]`` of finite, non-negative magnitudes, as floats.

    ``n_source`` / ``n_target`` are the sizes it must have (``None``: any); ``source`` / ``target``
    name them in the messages (``[N_in, N_out] = [4, ?]``).
    """
    expected = f"[{source}, {target}] = [{'?' if n_source is None else n_source}, {'?' if n_target is None else n_target}]"
    _checks.tensor(weight, name, expected, ndim=2, dtype="number", finite=True)
    if (n_source is not None and weight.shape[0] != n_source) or (n_target is not None and weight.shape[1] != n_target):
        raise ValueError(f"{name} must have shape {expected}, got shape {tuple(weight.shape)}")
    return _non_negative_floats(
        weight,
        lambda low: (
            f"{name} must hold non-negative magnitudes (got a minimum of {low}): whether a "
            "projection excites or inhibits is set by its sign, not by negative weights"
        ),
    )


def _non_negative_floats(x: Tensor, message: Callable[[float], str]) -> Tensor:
    """``x`` as floats (an integer or bool tensor in the default dtype); a ValueError ``message(minimum)``
    when an entry is negative."""
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    if bool((x < 0).any()):
        raise ValueError(message(float(x.min())))
    return x


@dataclass(frozen=True)
class Projection:
    """Connections from population ``source`` to population ``target``.

    Attributes:
        source: ``"input"`` or the name of a population.
        target: the name of a population.
        weight: non-negative magnitudes ``[N_source, N_target]``.
        delay: synaptic delay in steps (>= 0): a spike at step ``t`` arrives at step ``t + delay``.
            A projection onto a population that is not later in the update order (feedback or
            lateral) needs ``delay >= 1``.
        sign: ``+1`` (excitatory) or ``-1`` (inhibitory).
    """

    source: str
    target: str
    weight: Tensor
    delay: int = 0
    sign: int = 1

    def __post_init__(self):
        for what in ("source", "target"):
            if not isinstance(getattr(self, what), str) or not getattr(self, what):
                raise TypeError(f"Projection.{what} must be a population name, got {_checks.describe(getattr(self, what))}")
        _check_weight(self.weight, f"weight of {self.source}->{self.target}", None, None)
        object.__setattr__(self, "delay", _checks.integer(self.delay, f"delay of {self.source}->{self.target}", 0))
        if isinstance(self.sign, bool) or self.sign not in (1, -1):
            raise ValueError(f"sign must be +1 (excitatory) or -1 (inhibitory), got {_checks.describe(self.sign)}")

    @property
    def inhibitory(self) -> bool:
        return self.sign < 0


@dataclass(frozen=True)
class CircuitResult:
    """Records of one simulated circuit.

    Attributes:
        motif: name of the motif (or ``"custom"``).
        input: the input ``[T, B, N_in]``.
        spikes: population name -> spike record ``[T, B, N]`` (0. / 1.), in update order.
        mems: population name -> membrane record ``[T, B, N]``.
        kinds: name -> ``"input"``, ``"excitatory"`` or ``"inhibitory"`` (for plotting).
        projections: the checked projections, weights on the input's device and dtype.
        synapses: the :class:`~snnlib.synapses.SynapseParams` the circuit ran with.
    """

    motif: str
    input: Tensor
    spikes: Dict[str, Tensor]
    mems: Dict[str, Tensor]
    kinds: Dict[str, str] = field(default_factory=dict)
    projections: Tuple[Projection, ...] = ()
    synapses: SynapseParams = SYNAPSES

    @property
    def populations(self) -> Tuple[str, ...]:
        """Population names in update order (the input not included)."""
        return tuple(self.spikes)

    def rate(self, name: str, start: int = 0) -> Tensor:
        """Firing rate of population ``name`` from step ``start`` on, per neuron: ``[B, N]`` spikes/step.

        The same as ``snnlib.spikes.firing_rate(result.spikes[name], start=start)``.
        """
        _checks.choice(name, "name", self.populations)
        return _spikes.firing_rate(self.spikes[name], start=start)

    def mem_range(self) -> Tuple[float, float]:
        """The lowest and highest membrane potential of any neuron at any step (in thresholds above rest)."""
        low = min(float(m.min()) for m in self.mems.values())
        high = max(float(m.max()) for m in self.mems.values())
        return low, high


def _check_populations(populations, n_in: int) -> Dict[str, int]:
    """Sizes of ``"input"`` and of every population of an ordered ``name -> (size, LIFParams)`` mapping."""
    if not isinstance(populations, Mapping) or not populations:
        raise ValueError(
            f"populations must be a mapping name -> (size, LIFParams) naming at least one "
            f"population, got {_checks.describe(populations)}"
        )
    if "input" in populations:
        raise ValueError("'input' is reserved for the input; name the populations differently")
    sizes = {"input": n_in}
    for name, spec in populations.items():
        if not (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], LIFParams)):
            raise TypeError(f"populations[{name!r}] must be a (size, LIFParams) pair, got {_checks.describe(spec)}")
        sizes[name] = _checks.integer(spec[0], f"size of population {name!r}", 1)
    return sizes


def simulate(
    inputs: Tensor,
    populations: Mapping[str, Tuple[int, LIFParams]],
    projections: Sequence[Projection],
    motif: str = "custom",
    kinds: Optional[Mapping[str, str]] = None,
    synapses: SynapseParams = SYNAPSES,
) -> CircuitResult:
    """Run populations of LIF neurons joined by projections, step by step.

    At step ``t`` the populations are updated in the order of ``populations``. Each population
    keeps two synaptic traces, excitatory and inhibitory, ``[B, N]``:
    ``x[t] = alpha x[t-1] + (1 - alpha) sum over its projections of that sign S_source[t - delay] @ weight``
    (``alpha = exp(-1/tau)`` of ``synapses``; zero before the first spike can arrive; with
    ``tau = 0`` the trace is this step's input alone). The neuron step of the synapse kind
    (:data:`snnlib.neurons.SYNAPTIC_DRIVES`) then advances the population: with ``"current"``
    synapses :func:`snnlib.neurons.lif_step` on ``x_exc - x_inh``; with ``"conductance"`` synapses
    :func:`snnlib.neurons.conductance_lif_step`, whose membrane stays between ``synapses.e_inh``
    and ``synapses.e_exc``.

    Args:
        inputs: input activity ``[T, B, N_in]`` (spikes or non-negative rates), the source ``"input"``.
        populations: ordered mapping name -> ``(size, LIFParams)``.
        projections: the :class:`Projection` objects; weights ``[N_source, N_target]`` (efficacies:
            how far one spike moves a membrane at rest).
        motif: a name stored in the result.
        kinds: name -> ``"excitatory"`` / ``"inhibitory"`` for plotting (default: excitatory).
        synapses: a :class:`~snnlib.synapses.SynapseParams` (default :data:`~snnlib.synapses.SYNAPSES`).

    Returns:
        a :class:`CircuitResult` with spikes and membranes ``[T, B, N]`` of every population.
    """
    inputs = _check_inputs(inputs)
    _checks.instance(synapses, "synapses", SynapseParams, "a snnlib.synapses.SynapseParams")
    T, B, n_in = inputs.shape
    sizes = _check_populations(populations, n_in)
    order = list(populations)
    rank = {"input": -1, **{name: i for i, name in enumerate(order)}}
    incoming: Dict[str, List[Projection]] = {name: [] for name in order}
    checked = []
    if isinstance(projections, (str, bytes)) or not hasattr(projections, "__iter__"):
        raise TypeError(f"projections must be a sequence of Projection objects, got {_checks.describe(projections)}")
    for proj in projections:
        if not isinstance(proj, Projection):
            raise TypeError(f"projections must hold Projection objects, got {_checks.describe(proj)}")
        if proj.source not in sizes:
            raise ValueError(f"projection source {proj.source!r} is not 'input' or a population ({order})")
        if proj.target not in populations:
            raise ValueError(f"projection target {proj.target!r} is not a population ({order})")
        w = _check_weight(
            proj.weight,
            f"weight of {proj.source}->{proj.target}",
            sizes[proj.source],
            sizes[proj.target],
            f"N_{proj.source}",
            f"N_{proj.target}",
        )
        w = w.to(device=inputs.device, dtype=inputs.dtype)
        if rank[proj.source] >= rank[proj.target] and proj.delay < 1:
            raise ValueError(
                f"projection {proj.source}->{proj.target} goes back in the update order {order} (feedback or "
                f"lateral): it needs delay >= 1, got {proj.delay}"
            )
        proj = Projection(proj.source, proj.target, w, proj.delay, proj.sign)
        incoming[proj.target].append(proj)
        checked.append(proj)

    spike_fn = _get_surrogate(None)
    drive = SYNAPTIC_DRIVES[synapses.kind]
    alpha = {+1: synapses.alpha_exc, -1: synapses.alpha_inh}
    records: Dict[str, List[Tensor]] = {name: [] for name in order}
    mems: Dict[str, List[Tensor]] = {name: [] for name in order}
    states = dict.fromkeys(order)
    zeros = {name: inputs.new_zeros(B, sizes[name]) for name in sizes}
    traces = {(name, sign): zeros[name] for name in order for sign in (+1, -1)}

    def spikes_at(name: str, t: int) -> Tensor:
        if t < 0:
            return zeros[name]
        return inputs[t] if name == "input" else records[name][t]

    with one_cpu_thread(inputs.device):
        for t in range(T):
            for name in order:
                arriving = {+1: zeros[name], -1: zeros[name]}
                for proj in incoming[name]:
                    arriving[proj.sign] = arriving[proj.sign] + spikes_at(proj.source, t - proj.delay) @ proj.weight
                for sign in (+1, -1):
                    a = alpha[sign]
                    # trace_step's update, without re-checking the simulator's own tensors each step
                    traces[name, sign] = a * traces[name, sign] + (1 - a) * arriving[sign]
                spk, states[name] = drive(
                    traces[name, +1], traces[name, -1], states[name], populations[name][1], synapses, spike_fn
                )
                records[name].append(spk)
                mems[name].append(states[name].mem)
    kinds_out = {name: (kinds or {}).get(name, "excitatory") for name in order}
    return CircuitResult(
        motif=motif,
        input=inputs,
        spikes={name: torch.stack(records[name]) for name in order},
        mems={name: torch.stack(mems[name]) for name in order},
        kinds=kinds_out,
        projections=tuple(checked),
        synapses=synapses,
    )
