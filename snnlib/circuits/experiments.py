"""The chapter's experiments: the SNR of convergence, and one seeded motif run for the explorer.

:func:`convergence_snr` measures how the signal-to-noise ratio of one output neuron grows with the
number of converging inputs; :func:`run_motif` simulates one motif of :data:`~snnlib.circuits.MOTIFS`
with a small network and returns a :class:`MotifRun` (records ``[T, N]`` of one trial and the
motif's headline measures), the circuit explorer's one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import torch

from .. import _checks
from ..neurons import LIFParams
from ..synapses import SYNAPSES, SynapseParams
from .connectivity import convergent_weights, poisson_input
from .measures import snr
from .motifs import MOTIFS, feedforward_excitation
from .network import EXC_PARAMS

__all__ = ["MotifRun", "run_motif", "convergence_snr"]

Tensor = torch.Tensor


def convergence_snr(
    fan_ins: Sequence[int],
    p_signal: float = 0.06,
    p_noise: float = 0.04,
    num_steps: int = 100,
    trials: int = 200,
    total_weight: float = 4.0,
    params: LIFParams = EXC_PARAMS,
    seed: int = 0,
    synapses: SynapseParams = SYNAPSES,
) -> Tensor:
    """SNR of one output neuron that sums ``n`` converging inputs, for each ``n`` in ``fan_ins``.

    Every input neuron carries the same signal (its spike probability per step is ``p_signal`` on
    signal trials, ``p_noise`` on noise trials) with independent Bernoulli noise. The output neuron
    receives the ``n`` inputs with weight ``total_weight / n`` each (the same mean drive for every
    ``n``), and its spike count over ``num_steps`` is compared between ``trials`` signal and
    ``trials`` noise trials with :func:`snr`. ``synapses``: the synapses' :class:`~snnlib.synapses.SynapseParams`.

    Returns:
        SNR per fan-in, ``[len(fan_ins)]`` (float64).
    """
    if isinstance(fan_ins, (str, bytes)) or not hasattr(fan_ins, "__iter__"):
        raise TypeError(f"fan_ins must be a sequence of integers >= 1, got {_checks.describe(fan_ins)}")
    _checks.instance(params, "params", LIFParams, "a snnlib.neurons.LIFParams")
    fan_ins = [_checks.integer(n, f"fan_ins[{i}]", 1) for i, n in enumerate(fan_ins)]
    if not fan_ins:
        raise ValueError("fan_ins must list at least one number of converging inputs")
    p_signal = _checks.probability(p_signal, "p_signal")
    p_noise = _checks.probability(p_noise, "p_noise")
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    trials = _checks.integer(trials, "trials", 2)
    total_weight = _checks.positive(total_weight, "total_weight")
    gen = torch.Generator().manual_seed(_checks.integer(seed, "seed"))
    p = torch.tensor([p_signal] * trials + [p_noise] * trials).reshape(2 * trials, 1)  # [B = 2 trials, 1]
    out = []
    for n in fan_ins:
        x = poisson_input(p.expand(2 * trials, n), num_steps, generator=gen)  # [T, 2 trials, n]
        res = feedforward_excitation(x, convergent_weights(n, 1, n, total_weight / n), params=params, synapses=synapses)
        counts = res.spikes["out"].sum(0)[:, 0]  # [2 trials]
        out.append(snr(counts[:trials], counts[trials:]))
    return torch.tensor(out, dtype=torch.float64)


@dataclass(frozen=True)
class MotifRun:
    """What :func:`run_motif` returns (one trial, the batch dimension dropped).

    Attributes:
        motif, inhibition, delay, input_level, num_steps, seed: the arguments.
        populations: display order of the populations, ``"input"`` first, then the motif's in
            update order (feedforward_excitation: input, out; feedforward_inhibition: input, inh,
            out; feedback_inhibition: input, exc, inh; lateral_inhibition: input, out).
        kinds: name -> ``"input"``, ``"excitatory"`` or ``"inhibitory"``.
        spikes: name -> spike record ``[T, N]`` (0./1.), including ``"input"``.
        mems: name -> membrane record ``[T, N]`` (no ``"input"``), in thresholds above rest.
        rates: name -> mean rate of the population in spikes per step (x 1000 for Hz at 1 ms steps).
        neuron_rates: name -> rate of each neuron ``[N]`` in spikes per step.
        stimulus: the input spike probability per step of each input neuron, ``[T, N_in]``.
        summary: the motif's headline measures (floats):
            feedforward_excitation: ``fan_in`` (inputs per output neuron), ``fan_out`` (outputs per input);
            feedforward_inhibition: ``onset`` (stimulus onset step), ``window`` (steps after the onset
            by which 90% of the output's spikes occurred, :func:`response_window`; nan if silent);
            feedback_inhibition: ``synchrony`` (:func:`synchrony` of exc, bin 2), ``peak_freq``
            (cycles/step) and ``oscillation_power`` (:func:`oscillation_power` of exc);
            lateral_inhibition: ``edge_contrast`` (:func:`edge_contrast` at the bar's left edge),
            ``winner`` (index of the most active output neuron after step ``min(50, num_steps // 4)``, -1 if silent).
    """

    motif: str
    inhibition: float
    delay: int
    input_level: float
    num_steps: int
    seed: int
    populations: Tuple[str, ...]
    kinds: Dict[str, str]
    spikes: Dict[str, Tensor]
    mems: Dict[str, Tensor]
    rates: Dict[str, float]
    neuron_rates: Dict[str, Tensor]
    stimulus: Tensor
    summary: Dict[str, float]


def run_motif(
    motif: str,
    inhibition: float,
    delay: int,
    input_level: float,
    num_steps: int = 200,
    seed: int = 0,
    synapses: SynapseParams = SYNAPSES,
) -> MotifRun:
    """Simulate one motif with a small network and measure it; the explorer's one call.

    Args:
        motif: one of :data:`MOTIFS` (its network sizes are the entry's ``explorer``).
        inhibition: inhibition strength (>= 0): the scale of every inhibitory weight
            (feedforward_excitation has no inhibition and ignores it).
        delay: synaptic delay in steps (>= 1) of the motif's key connection: feedforward_excitation:
            input -> out; feedforward_inhibition: inh -> out (the extra delay of the inhibitory path);
            feedback_inhibition: exc -> inh and inh -> exc (the loop takes 2 * delay);
            lateral_inhibition: the lateral connections.
        input_level: spike probability per step of each input neuron, in [0, 1] (in the bar for
            lateral_inhibition, which has ``0.5 * input_level`` outside it; from step
            ``min(40, num_steps // 4)`` on for feedforward_inhibition, silent before).
        num_steps: steps to simulate (>= 10).
        seed: seed of the input spikes (same seed, same input).
        synapses: the :class:`~snnlib.synapses.SynapseParams` of every synapse (default
            :data:`~snnlib.synapses.SYNAPSES`, conductance-based; the explorer uses the default).

    Returns:
        a :class:`MotifRun` (see its attributes for the fields).
    """
    try:
        spec = MOTIFS[_checks.choice(motif, "motif", MOTIFS)]
    except ValueError as err:
        raise ValueError(f"unknown motif: {err}") from None
    g = _checks.real(inhibition, "inhibition", 0.0)
    delay = _checks.integer(delay, "delay", 1)
    level = _checks.probability(input_level, "input_level")
    num_steps = _checks.integer(num_steps, "num_steps", 10)
    seed = _checks.integer(seed, "seed")
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        res, stim, summary = spec.explore(g, delay, level, num_steps, gen, synapses=synapses, **spec.explorer)
    order = ("input", *res.populations)
    spikes = {"input": res.input[:, 0], **{name: res.spikes[name][:, 0] for name in res.populations}}
    return MotifRun(
        motif=spec.name,
        inhibition=g,
        delay=delay,
        input_level=level,
        num_steps=num_steps,
        seed=seed,
        populations=order,
        kinds={"input": "input", **res.kinds},
        spikes=spikes,
        mems={name: res.mems[name][:, 0] for name in res.populations},
        rates={name: float(s.mean()) for name, s in spikes.items()},
        neuron_rates={name: s.mean(0) for name, s in spikes.items()},
        stimulus=stim,
        summary=summary,
    )
