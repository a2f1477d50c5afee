"""The motifs: feed-forward excitation and inhibition, feedback and lateral inhibition, winner-take-all.

Every motif function builds the :class:`~snnlib.circuits.network.Projection` objects of one
wiring pattern, runs them with :func:`~snnlib.circuits.network.simulate` and returns a
:class:`~snnlib.circuits.network.CircuitResult`. Inputs are ``[T, B, N_in]``; weights are
``[N_source, N_target]`` non-negative magnitudes, every inhibitory one scaled by the motif's
``inhibition`` (``inhibition=0`` leaves the excitatory part exactly alone).

:data:`MOTIFS` is the one registry of the motifs the explorer runs: name -> :class:`Motif` (its
function, label, description, the explorer's network sizes and the explorer's experiment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional

import torch

from .. import _checks
from .. import spikes as _spikes
from ..neurons import LIFParams
from ..synapses import SYNAPSES, SynapseParams
from .connectivity import bar_stimulus, convergent_weights, lateral_weights, poisson_input
from .measures import edge_contrast, oscillation_power, response_window, synchrony, wta_winner
from .network import EXC_PARAMS, INH_PARAMS, CircuitResult, Projection, _check_inputs, _check_weight, simulate

__all__ = [
    "Motif",
    "Exploration",
    "MOTIFS",
    "feedforward_excitation",
    "feedforward_inhibition",
    "feedback_inhibition",
    "lateral_inhibition",
    "winner_take_all",
]

Tensor = torch.Tensor


def _strength(inhibition) -> float:
    return _checks.real(inhibition, "inhibition", 0.0)


def _lif_params(**named) -> None:
    """Each argument a :class:`snnlib.neurons.LIFParams` (a clear error naming it otherwise)."""
    for name, value in named.items():
        _checks.instance(value, name, LIFParams, "a snnlib.neurons.LIFParams")


def feedforward_excitation(
    inputs: Tensor, weights, delay: int = 0, params: LIFParams = EXC_PARAMS, synapses: SynapseParams = SYNAPSES
) -> CircuitResult:
    """Feed-forward excitation: input ``[T, B, N_in]`` -> population ``"out"`` through ``weights``.

    Args:
        inputs: input spikes (or non-negative rates) ``[T, B, N_in]``.
        weights: ``[N_in, N_out]`` non-negative (e.g. :func:`convergent_weights`, :func:`divergent_weights`).
        delay: synaptic delay in steps (>= 0).
        params: the output neurons' :class:`LIFParams`.
        synapses: the :class:`~snnlib.synapses.SynapseParams` of every synapse (as for every motif).

    Returns:
        :class:`CircuitResult` with population ``"out"`` ``[T, B, N_out]``.
    """
    inputs = _check_inputs(inputs)
    _lif_params(params=params)
    w = _check_weight(weights, "weights", inputs.shape[2], None, "N_in", "N_out")
    proj = [Projection("input", "out", w, delay, +1)]
    return simulate(inputs, {"out": (w.shape[1], params)}, proj, motif="feedforward_excitation", synapses=synapses)


def feedforward_inhibition(
    inputs: Tensor,
    w_exc,
    w_inh,
    w_inh_out,
    inhibition: float = 1.0,
    delay: int = 0,
    inh_delay: int = 1,
    params: LIFParams = EXC_PARAMS,
    inh_params: LIFParams = INH_PARAMS,
    synapses: SynapseParams = SYNAPSES,
) -> CircuitResult:
    """Feed-forward inhibition: the input excites ``"out"`` and ``"inh"``; ``"inh"`` inhibits ``"out"``.

    The inhibition reaches the output one synapse (and ``inh_delay`` steps) later than the direct
    excitation, so the output can fire only in the window between the two.

    Args:
        inputs: ``[T, B, N_in]``.
        w_exc: input -> out, ``[N_in, N_out]``.
        w_inh: input -> inh, ``[N_in, N_inh]``.
        w_inh_out: inh -> out magnitudes, ``[N_inh, N_out]``, scaled by ``inhibition``.
        inhibition: inhibition strength (>= 0); 0 leaves the output exactly as
            :func:`feedforward_excitation` with ``w_exc``.
        delay: delay of both input projections (>= 0).
        inh_delay: delay of inh -> out (>= 0).
        params, inh_params: :class:`LIFParams` of the output and inhibitory neurons.
        synapses: :class:`~snnlib.synapses.SynapseParams` (default: conductance, decaying).

    Returns:
        :class:`CircuitResult` with populations ``"inh"`` ``[T, B, N_inh]`` and ``"out"`` ``[T, B, N_out]``.
    """
    inputs = _check_inputs(inputs)
    _lif_params(params=params, inh_params=inh_params)
    n_in = inputs.shape[2]
    w_exc = _check_weight(w_exc, "w_exc", n_in, None, "N_in", "N_out")
    w_inh = _check_weight(w_inh, "w_inh", n_in, None, "N_in", "N_inh")
    w_io = _check_weight(w_inh_out, "w_inh_out", w_inh.shape[1], w_exc.shape[1], "N_inh", "N_out")
    g = _strength(inhibition)
    projs = [
        Projection("input", "inh", w_inh, delay, +1),
        Projection("input", "out", w_exc, delay, +1),
        Projection("inh", "out", g * w_io, inh_delay, -1),
    ]
    pops = {"inh": (w_inh.shape[1], inh_params), "out": (w_exc.shape[1], params)}
    return simulate(inputs, pops, projs, "feedforward_inhibition", {"inh": "inhibitory"}, synapses)


def feedback_inhibition(
    inputs: Tensor,
    w_in,
    w_ei,
    w_ie,
    inhibition: float = 1.0,
    delay: int = 0,
    ei_delay: int = 1,
    ie_delay: int = 1,
    params: LIFParams = EXC_PARAMS,
    inh_params: LIFParams = INH_PARAMS,
    synapses: SynapseParams = SYNAPSES,
) -> CircuitResult:
    """Feedback inhibition: input -> ``"exc"`` -> ``"inh"`` -> back onto ``"exc"`` (inhibiting).

    Args:
        inputs: ``[T, B, N_in]``.
        w_in: input -> exc, ``[N_in, N_exc]``.
        w_ei: exc -> inh, ``[N_exc, N_inh]``.
        w_ie: inh -> exc magnitudes, ``[N_inh, N_exc]``, scaled by ``inhibition``.
        inhibition: strength (>= 0); 0 leaves ``"exc"`` exactly as :func:`feedforward_excitation` with ``w_in``.
        delay: input -> exc delay (>= 0).
        ei_delay: exc -> inh delay (>= 0).
        ie_delay: inh -> exc delay (>= 1: it closes the loop).
        params, inh_params: :class:`LIFParams` of the excitatory and inhibitory neurons.
        synapses: :class:`~snnlib.synapses.SynapseParams` (default: conductance, decaying).

    Returns:
        :class:`CircuitResult` with populations ``"exc"`` ``[T, B, N_exc]`` and ``"inh"`` ``[T, B, N_inh]``.
    """
    inputs = _check_inputs(inputs)
    _lif_params(params=params, inh_params=inh_params)
    w_in = _check_weight(w_in, "w_in", inputs.shape[2], None, "N_in", "N_exc")
    n_exc = w_in.shape[1]
    w_ei = _check_weight(w_ei, "w_ei", n_exc, None, "N_exc", "N_inh")
    w_ie = _check_weight(w_ie, "w_ie", w_ei.shape[1], n_exc, "N_inh", "N_exc")
    g = _strength(inhibition)
    projs = [
        Projection("input", "exc", w_in, delay, +1),
        Projection("exc", "inh", w_ei, ei_delay, +1),
        Projection("inh", "exc", g * w_ie, ie_delay, -1),
    ]
    pops = {"exc": (n_exc, params), "inh": (w_ei.shape[1], inh_params)}
    return simulate(inputs, pops, projs, "feedback_inhibition", {"inh": "inhibitory"}, synapses)


def lateral_inhibition(
    inputs: Tensor,
    w_in,
    lateral,
    inhibition: float = 1.0,
    delay: int = 0,
    lateral_delay: int = 1,
    params: LIFParams = EXC_PARAMS,
    synapses: SynapseParams = SYNAPSES,
) -> CircuitResult:
    """Lateral inhibition: input -> ``"out"``, and the ``"out"`` neurons inhibit each other.

    Args:
        inputs: ``[T, B, N_in]``.
        w_in: input -> out, ``[N_in, N]`` (``torch.eye(N)`` for one input line per neuron).
        lateral: lateral magnitudes ``[N, N]`` (e.g. :func:`lateral_weights`), scaled by ``inhibition``.
        inhibition: strength (>= 0); 0 leaves ``"out"`` exactly as :func:`feedforward_excitation`.
        delay: input -> out delay (>= 0).
        lateral_delay: delay of the lateral connections (>= 1).
        params: :class:`LIFParams` of the neurons.
        synapses: :class:`~snnlib.synapses.SynapseParams` (default: conductance, decaying).

    Returns:
        :class:`CircuitResult` with population ``"out"`` ``[T, B, N]``.
    """
    inputs = _check_inputs(inputs)
    _lif_params(params=params)
    w_in = _check_weight(w_in, "w_in", inputs.shape[2], None, "N_in", "N")
    n = w_in.shape[1]
    lat = _check_weight(lateral, "lateral", n, n, "N", "N")
    g = _strength(inhibition)
    projs = [Projection("input", "out", w_in, delay, +1), Projection("out", "out", g * lat, lateral_delay, -1)]
    return simulate(inputs, {"out": (n, params)}, projs, motif="lateral_inhibition", synapses=synapses)


def winner_take_all(
    inputs: Tensor,
    w_in,
    inhibition: float = 5.0,
    delay: int = 0,
    lateral_delay: int = 1,
    params: LIFParams = EXC_PARAMS,
    synapses: SynapseParams = SYNAPSES,
) -> CircuitResult:
    """Lateral inhibition with global connectivity (every neuron inhibits every other): winner-take-all.

    Same arguments as :func:`lateral_inhibition` without ``lateral``; returns population ``"out"`` ``[T, B, N]``.
    """
    w_in = _check_weight(w_in, "w_in", None, None, "N_in", "N")
    lat = lateral_weights(w_in.shape[1], profile="global")
    return lateral_inhibition(inputs, w_in, lat, inhibition, delay, lateral_delay, params, synapses)


# =============================================================================================
# The registry: one entry per motif of the explorer
# =============================================================================================


class Exploration(NamedTuple):
    """What a :class:`Motif`'s ``explore`` returns: the circuit, its input rates ``[T, N_in]``, its measures."""

    result: CircuitResult
    stimulus: Tensor
    summary: Dict[str, float]


@dataclass(frozen=True, eq=False)
class Motif:
    """One entry of :data:`MOTIFS`.

    Attributes:
        name: the key, also the motif function's name.
        label: how pages and plots name it (``"feed-forward inhibition"``).
        description: what the motif does, in one sentence.
        build: the motif function (:func:`feedforward_excitation`, ...).
        explorer: the sizes of the explorer's network (keyword arguments of ``explore``).
        explore: ``explore(inhibition, delay, input_level, num_steps, generator, synapses=SYNAPSES,
            **explorer)`` -> :class:`Exploration`: the explorer's experiment on one trial (batch 1),
            input spike probability ``input_level`` per step, and the motif's headline measures.
    """

    name: str
    label: str
    description: str
    build: Callable[..., CircuitResult]
    explorer: Mapping[str, Any]
    explore: Callable[..., Exploration]


def _steady(level: float, num_steps: int, n_in: int, generator: Optional[torch.Generator]):
    stim = torch.full((num_steps, n_in), level)
    return stim, poisson_input(stim.unsqueeze(1), num_steps, generator=generator)


def _explore_feedforward_excitation(g, delay, level, num_steps, generator, n_in, n_out, fan_in, weight, synapses=SYNAPSES):
    """Convergent input -> out; summary ``fan_in`` (inputs per output) and ``fan_out`` (outputs per input)."""
    stim, x = _steady(level, num_steps, n_in, generator)
    w = convergent_weights(n_in, n_out, fan_in, weight)
    res = feedforward_excitation(x, w, delay=delay, synapses=synapses)
    summary = {"fan_in": float((w > 0).sum(0).float().mean()), "fan_out": float((w > 0).sum(1).float().mean())}
    return Exploration(res, stim, summary)


def _explore_feedforward_inhibition(g, delay, level, num_steps, generator, n_in, n_out, n_inh, onset, synapses=SYNAPSES):
    """Input switched on at ``min(onset, num_steps // 4)``; ``delay`` is inh -> out's; summary ``onset``, ``window``."""
    onset = min(onset, num_steps // 4)
    stim = torch.zeros(num_steps, n_in)
    stim[onset:] = level
    x = poisson_input(stim.unsqueeze(1), num_steps, generator=generator)
    res = feedforward_inhibition(
        x,
        torch.full((n_in, n_out), 0.2),
        torch.full((n_in, n_inh), 0.25),
        torch.full((n_inh, n_out), 0.6),
        inhibition=g,
        inh_delay=delay,
        synapses=synapses,
    )
    return Exploration(res, stim, {"onset": float(onset), "window": response_window(res.spikes["out"], onset)})


def _explore_feedback_inhibition(g, delay, level, num_steps, generator, n_in, n_exc, n_inh, synapses=SYNAPSES):
    """Both loop delays ``delay``; summary ``synchrony`` (bin 2), ``peak_freq`` and ``oscillation_power`` of exc."""
    stim, x = _steady(level, num_steps, n_in, generator)
    res = feedback_inhibition(
        x,
        convergent_weights(n_in, n_exc, 4, 0.3),
        torch.full((n_exc, n_inh), 0.15),
        torch.full((n_inh, n_exc), 0.5),
        inhibition=g,
        ei_delay=delay,
        ie_delay=delay,
        synapses=synapses,
    )
    peak, power = oscillation_power(res.spikes["exc"])
    summary = {"synchrony": synchrony(res.spikes["exc"], bin=2), "peak_freq": peak, "oscillation_power": power}
    return Exploration(res, stim, summary)


def _explore_lateral_inhibition(g, delay, level, num_steps, generator, n, per_neuron, bar, low, reach, synapses=SYNAPSES):
    """A bar of ``input_level`` on ``low * input_level``; summary ``edge_contrast`` at its left edge, ``winner``."""
    a, b = bar
    per_input = bar_stimulus(n, a, b, level, low * level).repeat_interleave(per_neuron)
    stim = per_input.expand(num_steps, -1).clone()
    x = poisson_input(stim.unsqueeze(1), num_steps, generator=generator)
    w_in = convergent_weights(n * per_neuron, n, per_neuron, 0.35)
    res = lateral_inhibition(x, w_in, lateral_weights(n, reach), g, 0, delay, synapses=synapses)
    out = res.spikes["out"]
    rates = _spikes.firing_rate(out.double())[0]
    settle = min(50, num_steps // 4)
    summary = {"edge_contrast": edge_contrast(rates, a, a - 1), "winner": float(wta_winner(out, start=settle)[0])}
    return Exploration(res, stim, summary)


def _registry(*motifs: Motif) -> Dict[str, Motif]:
    return {m.name: m for m in motifs}


#: The motifs of the explorer, in its order: name -> :class:`Motif`. Iterating gives the names.
#: (:func:`winner_take_all` is lateral inhibition with global connectivity; the explorer shows it
#: as the ``winner`` of ``"lateral_inhibition"``.)
MOTIFS: Dict[str, Motif] = _registry(
    Motif(
        "feedforward_excitation",
        "feed-forward excitation",
        "one layer excites the next; convergence raises the signal-to-noise ratio",
        feedforward_excitation,
        dict(n_in=16, n_out=4, fan_in=8, weight=0.35),
        _explore_feedforward_excitation,
    ),
    Motif(
        "feedforward_inhibition",
        "feed-forward inhibition",
        "the input also drives inhibition that arrives a little later, closing a timing window",
        feedforward_inhibition,
        dict(n_in=20, n_out=10, n_inh=5, onset=40),
        _explore_feedforward_inhibition,
    ),
    Motif(
        "feedback_inhibition",
        "feedback inhibition",
        "excitatory neurons drive inhibitory ones that project back: no saturation, synchrony, rhythm",
        feedback_inhibition,
        dict(n_in=40, n_exc=20, n_inh=5),
        _explore_feedback_inhibition,
    ),
    Motif(
        "lateral_inhibition",
        "lateral inhibition",
        "neighbours inhibit each other: edges are enhanced; strong global inhibition is winner-take-all",
        lateral_inhibition,
        dict(n=20, per_neuron=4, bar=(6, 14), low=0.5, reach=2.0),
        _explore_lateral_inhibition,
    ),
)
