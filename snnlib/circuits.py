r"""Neural circuits: small motifs of LIF neurons, simulated and measured.

Four motifs recur throughout the nervous system :cite:`gerstner2014neuronal`:

* **feed-forward excitation**: one layer excites the next, with *convergent* (many inputs onto one
  neuron) and *divergent* (one input onto many neurons) connections;
* **feed-forward inhibition**: the input drives an inhibitory population as well as the output
  population, and the inhibitory neurons inhibit the output a little later;
* **feedback inhibition**: excitatory neurons drive inhibitory ones, which project back onto them;
* **lateral inhibition**: the neurons of one layer inhibit each other, with a strength and a
  reach; with strong, global inhibition it becomes a *winner-take-all*.

Every motif is a small network of populations of :func:`snnlib.neurons.lif_step` neurons joined by
:class:`Projection` objects (a weight matrix, a synaptic delay in steps and a sign), run by one
generic simulator, :func:`simulate`. The motif functions build the projections and return a
:class:`CircuitResult` with the spike and membrane records of every population.

Conventions:

* Time first: inputs and records are ``[T, B, N]`` (steps, batch, neurons).
* Weight matrices are ``[N_source, N_target]`` and hold non-negative *magnitudes*; whether a
  projection excites or inhibits is its ``sign`` (``+1`` or ``-1``). The motif functions scale every
  inhibitory weight by their ``inhibition`` argument, so ``inhibition=0`` leaves the excitatory part
  of the motif alone, exactly.
* A spike emitted by the source at step ``t`` arrives as current at the target at step
  ``t + delay``. Rates are in spikes per step (at 1 ms per step, 0.1 spikes/step is 100 Hz).

The measurement helpers at the end (:func:`snr`, :func:`firing_rate`, :func:`synchrony`,
:func:`oscillation_power`, :func:`response_window`, :func:`edge_contrast`,
:func:`pattern_correlation`, :func:`wta_winner`) are pure functions of spike records.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from .neurons import LIFParams, lif_step
from .surrogate import get as _get_surrogate

__all__ = [
    "MOTIFS",
    "EXC_PARAMS",
    "INH_PARAMS",
    "Projection",
    "CircuitResult",
    "MotifRun",
    "poisson_input",
    "bar_stimulus",
    "convergent_weights",
    "divergent_weights",
    "lateral_weights",
    "simulate",
    "feedforward_excitation",
    "feedforward_inhibition",
    "feedback_inhibition",
    "lateral_inhibition",
    "winner_take_all",
    "run_motif",
    "firing_rate",
    "population_rate",
    "spike_counts",
    "snr",
    "convergence_snr",
    "synchrony",
    "population_spectrum",
    "oscillation_power",
    "response_window",
    "first_spike_latency",
    "edge_contrast",
    "edge_enhancement",
    "pattern_correlation",
    "wta_winner",
]

#: The motifs :func:`run_motif` knows.
MOTIFS = ("feedforward_excitation", "feedforward_inhibition", "feedback_inhibition", "lateral_inhibition")

#: Default excitatory neuron: decay 0.9 per step (tau = 10 steps), threshold 1, subtractive reset.
EXC_PARAMS = LIFParams(beta=0.9, threshold=1.0, reset="subtract", refractory=0)
#: Default inhibitory neuron: faster membrane (decay 0.8, tau about 4.5 steps), as fast-spiking interneurons.
INH_PARAMS = LIFParams(beta=0.8, threshold=1.0, reset="subtract", refractory=0)

Tensor = torch.Tensor


# =============================================================================================
# Checks
# =============================================================================================


def _check_count(value, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_number(value, name: str, minimum: Optional[float] = None, maximum: Optional[float] = None) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return float(value)


def _check_inputs(inputs, name: str = "inputs") -> Tensor:
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape [T, B, N_in], got {type(inputs).__name__}")
    if inputs.dim() != 3:
        raise ValueError(f"{name} must have shape [T, B, N_in] (time first), got shape {tuple(inputs.shape)}")
    if inputs.shape[0] < 1:
        raise ValueError(f"{name} must have at least one time step, got shape {tuple(inputs.shape)} ([T, B, N_in])")
    if not inputs.is_floating_point():
        inputs = inputs.to(torch.get_default_dtype())
    if not bool(torch.isfinite(inputs).all()):
        raise ValueError(f"{name} must be finite (spikes 0/1, or non-negative input rates)")
    if bool((inputs < 0).any()):
        raise ValueError(f"{name} must be >= 0 (spikes 0/1, or non-negative input rates), got a minimum of {float(inputs.min())}")
    return inputs


def _check_weight(weight, name: str, n_source: Optional[int], n_target: Optional[int],
                  source: str = "N_source", target: str = "N_target") -> Tensor:
    if not isinstance(weight, torch.Tensor):
        weight = torch.as_tensor(weight, dtype=torch.get_default_dtype())
    if not weight.is_floating_point():
        weight = weight.to(torch.get_default_dtype())
    expected = f"[{source}, {target}] = [{'?' if n_source is None else n_source}, {'?' if n_target is None else n_target}]"
    if weight.dim() != 2:
        raise ValueError(f"{name} must be a 2-D weight matrix of shape {expected}, got shape {tuple(weight.shape)}")
    if (n_source is not None and weight.shape[0] != n_source) or (n_target is not None and weight.shape[1] != n_target):
        raise ValueError(f"{name} must have shape {expected}, got shape {tuple(weight.shape)}")
    if not bool(torch.isfinite(weight).all()):
        raise ValueError(f"{name} must be finite")
    if bool((weight < 0).any()):
        raise ValueError(
            f"{name} must hold non-negative magnitudes (got a minimum of {float(weight.min())}): whether a "
            "projection excites or inhibits is set by its sign, not by negative weights"
        )
    return weight


def _check_spikes(spikes, name: str = "spikes") -> Tensor:
    if not isinstance(spikes, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape [T, B, N], got {type(spikes).__name__}")
    if spikes.dim() != 3:
        raise ValueError(f"{name} must have shape [T, B, N] (time first), got shape {tuple(spikes.shape)}")
    return spikes.detach().to(torch.float64)


# =============================================================================================
# Inputs and connectivity
# =============================================================================================


def poisson_input(rates, num_steps: int, batch: int = 1, generator: Optional[torch.Generator] = None) -> Tensor:
    """Bernoulli ("discrete Poisson") spike trains: at each step each neuron spikes with probability ``rate``.

    Args:
        rates: spike probability per step, in [0, 1]: a number, a ``[N]`` or ``[B, N]`` tensor
            (constant in time) or a ``[T, B, N]`` tensor (time-varying, ``T = num_steps``).
        num_steps: number of steps ``T`` (>= 1).
        batch: batch size ``B`` when ``rates`` has no batch dimension.
        generator: a ``torch.Generator`` that makes the draw reproducible (``None``: torch's global one).

    Returns:
        spikes ``[T, B, N]`` of 0. and 1.
    """
    num_steps = _check_count(num_steps, "num_steps", 1)
    batch = _check_count(batch, "batch", 1)
    p = torch.as_tensor(rates, dtype=torch.get_default_dtype())
    if not bool(torch.isfinite(p).all()) or bool((p < 0).any()) or bool((p > 1).any()):
        raise ValueError("rates must be spike probabilities per step in [0, 1]")
    if p.dim() == 0:
        p = p.reshape(1, 1, 1).expand(num_steps, batch, 1)
    elif p.dim() == 1:
        p = p.reshape(1, 1, -1).expand(num_steps, batch, -1)
    elif p.dim() == 2:
        p = p.unsqueeze(0).expand(num_steps, -1, -1)
    elif p.dim() == 3:
        if p.shape[0] != num_steps:
            raise ValueError(
                f"time-varying rates must have shape [T, B, N] with T = num_steps = {num_steps}, got {tuple(p.shape)}"
            )
    else:
        raise ValueError(f"rates must be a number, [N], [B, N] or [T, B, N], got shape {tuple(p.shape)}")
    return torch.bernoulli(p.contiguous(), generator=generator)


def bar_stimulus(n: int, start: int, stop: int, high: float, low: float = 0.0) -> Tensor:
    """A bar on a line of ``n`` neurons: rate ``high`` for neurons ``start .. stop-1``, ``low`` elsewhere; ``[n]``."""
    n = _check_count(n, "n", 1)
    start = _check_count(start, "start", 0)
    stop = _check_count(stop, "stop", 0)
    if not start < stop <= n:
        raise ValueError(f"need 0 <= start < stop <= n for a bar, got start={start}, stop={stop}, n={n}")
    high = _check_number(high, "high", 0.0)
    low = _check_number(low, "low", 0.0)
    rates = torch.full((n,), low)
    rates[start:stop] = high
    return rates


def convergent_weights(n_in: int, n_out: int, fan_in: int, weight: float = 1.0) -> Tensor:
    """Convergent connections: each output neuron sums ``fan_in`` neighbouring inputs.

    Output ``j`` receives the inputs ``j*s, j*s+1, ..., j*s+fan_in-1`` (indices modulo ``n_in``),
    with ``s = n_in // n_out`` the stride, each with weight ``weight``. With ``fan_in > s``
    neighbouring outputs share inputs, so each input also *diverges* onto several outputs.

    Returns:
        weights ``[n_in, n_out]``.
    """
    n_in = _check_count(n_in, "n_in", 1)
    n_out = _check_count(n_out, "n_out", 1)
    fan_in = _check_count(fan_in, "fan_in", 1)
    weight = _check_number(weight, "weight", 0.0)
    if fan_in > n_in:
        raise ValueError(f"fan_in ({fan_in}) cannot exceed the number of inputs n_in ({n_in})")
    stride = max(n_in // n_out, 1)
    w = torch.zeros(n_in, n_out)
    for j in range(n_out):
        idx = (torch.arange(fan_in) + j * stride) % n_in
        w[idx, j] = weight
    return w


def divergent_weights(n_in: int, n_out: int, fan_out: int, weight: float = 1.0) -> Tensor:
    """Divergent connections: each input projects onto ``fan_out`` neighbouring output neurons.

    Input ``i`` projects onto outputs ``i*s, ..., i*s+fan_out-1`` (modulo ``n_out``) with
    ``s = n_out // n_in`` (at least 1), each with weight ``weight``.

    Returns:
        weights ``[n_in, n_out]``.
    """
    n_in = _check_count(n_in, "n_in", 1)
    n_out = _check_count(n_out, "n_out", 1)
    fan_out = _check_count(fan_out, "fan_out", 1)
    weight = _check_number(weight, "weight", 0.0)
    if fan_out > n_out:
        raise ValueError(f"fan_out ({fan_out}) cannot exceed the number of outputs n_out ({n_out})")
    # The mirror image of convergence: input i diverges exactly as output i of a convergent map converges.
    return convergent_weights(n_out, n_in, fan_out, weight).T.contiguous()


def lateral_weights(n: int, reach: float = 2.0, profile: str = "gaussian") -> Tensor:
    """Magnitudes of lateral inhibition within a line of ``n`` neurons, no self-connection; ``[n, n]``.

    ``profile="gaussian"``: ``exp(-d^2 / (2 reach^2))`` for neurons ``d`` apart; ``"box"``: 1 for
    ``0 < d <= reach``; ``"global"``: 1 between every pair (``reach`` ignored), the
    winner-take-all connectivity. The diagonal is 0; the peak magnitude is 1 (scale it with the
    motif's ``inhibition``).
    """
    n = _check_count(n, "n", 1)
    reach = _check_number(reach, "reach", 0.0)
    idx = torch.arange(n, dtype=torch.get_default_dtype())
    d = (idx[:, None] - idx[None, :]).abs()
    if profile == "gaussian":
        w = torch.exp(-d**2 / (2 * reach**2)) if reach > 0 else torch.zeros(n, n)
    elif profile == "box":
        w = (d <= reach).to(idx.dtype)
    elif profile == "global":
        w = torch.ones(n, n)
    else:
        raise ValueError(f"unknown profile {profile!r}: expected 'gaussian', 'box' or 'global'")
    w.fill_diagonal_(0.0)
    return w


# =============================================================================================
# The generic simulator
# =============================================================================================


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
        _check_count(self.delay, f"delay of {self.source}->{self.target}", 0)
        if self.sign not in (1, -1):
            raise ValueError(f"sign must be +1 (excitatory) or -1 (inhibitory), got {self.sign!r}")

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
        projections: the :class:`Projection` objects simulated (inhibitory weights already scaled).
    """

    motif: str
    input: Tensor
    spikes: Dict[str, Tensor]
    mems: Dict[str, Tensor]
    kinds: Dict[str, str] = field(default_factory=dict)
    projections: Tuple[Projection, ...] = ()

    @property
    def populations(self) -> Tuple[str, ...]:
        """Population names in update order (the input not included)."""
        return tuple(self.spikes)

    def rate(self, name: str, start: int = 0) -> Tensor:
        """Firing rate of population ``name`` from step ``start`` on, per neuron: ``[B, N]`` spikes/step."""
        return firing_rate(self.spikes[name], start=start)


@contextlib.contextmanager
def _one_thread_on_cpu(device: torch.device):
    """Run tiny CPU matrix products on one thread (then restore the setting).

    The circuits here multiply matrices of a few dozen neurons thousands of times; on a busy CPU,
    waking the BLAS thread pool for each costs far more than the product itself (30x measured).
    """
    if device.type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def simulate(
    inputs: Tensor,
    populations: Mapping[str, Tuple[int, LIFParams]],
    projections: Sequence[Projection],
    motif: str = "custom",
    kinds: Optional[Mapping[str, str]] = None,
) -> CircuitResult:
    """Run populations of LIF neurons joined by projections, step by step.

    At step ``t`` the populations are updated in the order of ``populations``; the current into a
    population is ``sum over projections  sign * S_source[t - delay] @ weight`` (zero before the
    first spike can arrive), and each population advances with :func:`snnlib.neurons.lif_step`.

    Args:
        inputs: input activity ``[T, B, N_in]`` (spikes or non-negative rates), the source ``"input"``.
        populations: ordered mapping name -> ``(size, LIFParams)``.
        projections: the :class:`Projection` objects; weights ``[N_source, N_target]``.
        motif: a name stored in the result.
        kinds: name -> ``"excitatory"`` / ``"inhibitory"`` for plotting (default: excitatory).

    Returns:
        a :class:`CircuitResult` with spikes and membranes ``[T, B, N]`` of every population.
    """
    inputs = _check_inputs(inputs)
    T, B, n_in = inputs.shape
    if not populations:
        raise ValueError("populations must name at least one population")
    order = list(populations)
    if "input" in order:
        raise ValueError("'input' is reserved for the input; name the populations differently")
    sizes = {"input": n_in}
    for name, spec in populations.items():
        if not (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], LIFParams)):
            raise TypeError(f"populations[{name!r}] must be a (size, LIFParams) pair, got {spec!r}")
        sizes[name] = _check_count(spec[0], f"size of population {name!r}", 1)
    rank = {"input": -1, **{name: i for i, name in enumerate(order)}}
    incoming: Dict[str, List[Projection]] = {name: [] for name in order}
    checked = []
    for proj in projections:
        if proj.source not in sizes:
            raise ValueError(f"projection source {proj.source!r} is not 'input' or a population ({order})")
        if proj.target not in populations:
            raise ValueError(f"projection target {proj.target!r} is not a population ({order})")
        w = _check_weight(proj.weight, f"weight of {proj.source}->{proj.target}", sizes[proj.source], sizes[proj.target],
                          f"N_{proj.source}", f"N_{proj.target}")
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
    records: Dict[str, List[Tensor]] = {name: [] for name in order}
    mems: Dict[str, List[Tensor]] = {name: [] for name in order}
    states = {name: None for name in order}
    zeros = {name: inputs.new_zeros(B, sizes[name]) for name in sizes}

    def spikes_at(name: str, t: int) -> Tensor:
        if t < 0:
            return zeros[name]
        return inputs[t] if name == "input" else records[name][t]

    with _one_thread_on_cpu(inputs.device):
        for t in range(T):
            for name in order:
                cur = zeros[name]
                for proj in incoming[name]:
                    src = spikes_at(proj.source, t - proj.delay)
                    cur = cur + proj.sign * (src @ proj.weight)
                spk, states[name] = lif_step(cur, states[name], populations[name][1], spike_fn)
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
    )


# =============================================================================================
# The motifs
# =============================================================================================


def feedforward_excitation(inputs: Tensor, weights, delay: int = 0, params: LIFParams = EXC_PARAMS) -> CircuitResult:
    """Feed-forward excitation: input ``[T, B, N_in]`` -> population ``"out"`` through ``weights``.

    Args:
        inputs: input spikes (or non-negative rates) ``[T, B, N_in]``.
        weights: ``[N_in, N_out]`` non-negative (e.g. :func:`convergent_weights`, :func:`divergent_weights`).
        delay: synaptic delay in steps (>= 0).
        params: the output neurons' :class:`LIFParams`.

    Returns:
        :class:`CircuitResult` with population ``"out"`` ``[T, B, N_out]``.
    """
    inputs = _check_inputs(inputs)
    w = _check_weight(weights, "weights", inputs.shape[2], None, "N_in", "N_out")
    proj = [Projection("input", "out", w, delay, +1)]
    return simulate(inputs, {"out": (w.shape[1], params)}, proj, motif="feedforward_excitation")


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

    Returns:
        :class:`CircuitResult` with populations ``"inh"`` ``[T, B, N_inh]`` and ``"out"`` ``[T, B, N_out]``.
    """
    inputs = _check_inputs(inputs)
    n_in = inputs.shape[2]
    w_exc = _check_weight(w_exc, "w_exc", n_in, None, "N_in", "N_out")
    w_inh = _check_weight(w_inh, "w_inh", n_in, None, "N_in", "N_inh")
    w_io = _check_weight(w_inh_out, "w_inh_out", w_inh.shape[1], w_exc.shape[1], "N_inh", "N_out")
    g = _check_number(inhibition, "inhibition", 0.0)
    projs = [
        Projection("input", "inh", w_inh, delay, +1),
        Projection("input", "out", w_exc, delay, +1),
        Projection("inh", "out", g * w_io, inh_delay, -1),
    ]
    pops = {"inh": (w_inh.shape[1], inh_params), "out": (w_exc.shape[1], params)}
    return simulate(inputs, pops, projs, motif="feedforward_inhibition", kinds={"inh": "inhibitory"})


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

    Returns:
        :class:`CircuitResult` with populations ``"exc"`` ``[T, B, N_exc]`` and ``"inh"`` ``[T, B, N_inh]``.
    """
    inputs = _check_inputs(inputs)
    w_in = _check_weight(w_in, "w_in", inputs.shape[2], None, "N_in", "N_exc")
    n_exc = w_in.shape[1]
    w_ei = _check_weight(w_ei, "w_ei", n_exc, None, "N_exc", "N_inh")
    w_ie = _check_weight(w_ie, "w_ie", w_ei.shape[1], n_exc, "N_inh", "N_exc")
    g = _check_number(inhibition, "inhibition", 0.0)
    projs = [
        Projection("input", "exc", w_in, delay, +1),
        Projection("exc", "inh", w_ei, ei_delay, +1),
        Projection("inh", "exc", g * w_ie, ie_delay, -1),
    ]
    pops = {"exc": (n_exc, params), "inh": (w_ei.shape[1], inh_params)}
    return simulate(inputs, pops, projs, motif="feedback_inhibition", kinds={"inh": "inhibitory"})


def lateral_inhibition(
    inputs: Tensor,
    w_in,
    lateral,
    inhibition: float = 1.0,
    delay: int = 0,
    lateral_delay: int = 1,
    params: LIFParams = EXC_PARAMS,
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

    Returns:
        :class:`CircuitResult` with population ``"out"`` ``[T, B, N]``.
    """
    inputs = _check_inputs(inputs)
    w_in = _check_weight(w_in, "w_in", inputs.shape[2], None, "N_in", "N")
    n = w_in.shape[1]
    lat = _check_weight(lateral, "lateral", n, n, "N", "N")
    g = _check_number(inhibition, "inhibition", 0.0)
    projs = [Projection("input", "out", w_in, delay, +1), Projection("out", "out", g * lat, lateral_delay, -1)]
    return simulate(inputs, {"out": (n, params)}, projs, motif="lateral_inhibition")


def winner_take_all(inputs: Tensor, w_in, inhibition: float = 5.0, delay: int = 0, lateral_delay: int = 1,
                    params: LIFParams = EXC_PARAMS) -> CircuitResult:
    """Lateral inhibition with global connectivity (every neuron inhibits every other): winner-take-all.

    Same arguments as :func:`lateral_inhibition` without ``lateral``; returns population ``"out"`` ``[T, B, N]``.
    """
    w_in = _check_weight(w_in, "w_in", None, None, "N_in", "N")
    lat = lateral_weights(w_in.shape[1], profile="global")
    return lateral_inhibition(inputs, w_in, lat, inhibition, delay, lateral_delay, params)


# =============================================================================================
# Measurements (pure functions of spike records [T, B, N])
# =============================================================================================


def spike_counts(spikes: Tensor, start: int = 0, stop: Optional[int] = None) -> Tensor:
    """Spike counts per neuron in steps ``start .. stop-1``: ``[T, B, N]`` -> ``[B, N]``."""
    s = _check_spikes(spikes)
    return s[start:stop].sum(0)


def firing_rate(spikes: Tensor, start: int = 0, stop: Optional[int] = None) -> Tensor:
    """Firing rate per neuron in spikes per step over steps ``start .. stop-1``: ``[T, B, N]`` -> ``[B, N]``."""
    s = _check_spikes(spikes)[start:stop]
    if s.shape[0] == 0:
        raise ValueError(f"the window start={start}, stop={stop} holds no steps of a record with T={spikes.shape[0]}")
    return s.mean(0)


def population_rate(spikes: Tensor) -> Tensor:
    """Fraction of a population's neurons spiking at each step: ``[T, B, N]`` -> ``[T, B]``."""
    return _check_spikes(spikes).mean(2)


def snr(signal, noise) -> float:
    r"""Signal-to-noise ratio of a response (a discriminability, d'): responses with and without the signal.

    ``(mean(signal) - mean(noise)) / sqrt((var(signal) + var(noise)) / 2)`` over trials; both are
    1-D (e.g. an output neuron's spike count on each trial). Returns ``inf`` when neither varies.
    """
    a = torch.as_tensor(signal, dtype=torch.float64).flatten()
    b = torch.as_tensor(noise, dtype=torch.float64).flatten()
    if a.numel() < 2 or b.numel() < 2:
        raise ValueError("snr needs at least 2 trials with and 2 without the signal")
    spread = math.sqrt((float(a.var()) + float(b.var())) / 2)
    diff = float(a.mean() - b.mean())
    if spread == 0:
        return math.inf if diff != 0 else 0.0
    return diff / spread


def convergence_snr(
    fan_ins: Sequence[int],
    p_signal: float = 0.06,
    p_noise: float = 0.04,
    num_steps: int = 100,
    trials: int = 200,
    total_weight: float = 4.0,
    params: LIFParams = EXC_PARAMS,
    seed: int = 0,
) -> Tensor:
    """SNR of one output neuron that sums ``n`` converging inputs, for each ``n`` in ``fan_ins``.

    Every input neuron carries the same signal (its spike probability per step is ``p_signal`` on
    signal trials, ``p_noise`` on noise trials) with independent Bernoulli noise. The output neuron
    receives the ``n`` inputs with weight ``total_weight / n`` each (the same mean drive for every
    ``n``), and its spike count over ``num_steps`` is compared between ``trials`` signal and
    ``trials`` noise trials with :func:`snr`.

    Returns:
        SNR per fan-in, ``[len(fan_ins)]`` (float64).
    """
    fan_ins = [_check_count(n, "fan_in", 1) for n in fan_ins]
    if not fan_ins:
        raise ValueError("fan_ins must list at least one number of converging inputs")
    p_signal = _check_number(p_signal, "p_signal", 0.0, 1.0)
    p_noise = _check_number(p_noise, "p_noise", 0.0, 1.0)
    num_steps = _check_count(num_steps, "num_steps", 1)
    trials = _check_count(trials, "trials", 2)
    total_weight = _check_number(total_weight, "total_weight", 0.0)
    gen = torch.Generator().manual_seed(int(seed))
    out = []
    for n in fan_ins:
        p = torch.tensor([p_signal] * trials + [p_noise] * trials).reshape(2 * trials, 1).expand(2 * trials, n)
        x = poisson_input(p, num_steps, generator=gen)
        res = feedforward_excitation(x, convergent_weights(n, 1, n, total_weight / n), params=params)
        counts = res.spikes["out"].sum(0)[:, 0]
        out.append(snr(counts[:trials], counts[trials:]))
    return torch.tensor(out, dtype=torch.float64)


def synchrony(spikes: Tensor, bin: int = 1) -> float:
    r"""Golomb's synchrony measure :math:`\chi^2` of a population, averaged over the batch.

    Spike counts in bins of ``bin`` steps give each neuron's activity :math:`x_i(t)` and the
    population's :math:`X(t) = \frac1N \sum_i x_i(t)`; then
    :math:`\chi^2 = \mathrm{Var}_t[X] / \frac1N \sum_i \mathrm{Var}_t[x_i]`. It is about
    :math:`1/N` for independent neurons and 1 for perfectly synchronous ones.

    Args:
        spikes: ``[T, B, N]`` with ``T >= 2 * bin``.
        bin: bin width in steps.
    """
    s = _check_spikes(spikes)
    bin = _check_count(bin, "bin", 1)
    T, B, N = s.shape
    nb = T // bin
    if nb < 2:
        raise ValueError(f"synchrony needs at least 2 bins of {bin} steps, got T={T}")
    x = s[: nb * bin].reshape(nb, bin, B, N).sum(1)
    pop_var = x.mean(2).var(0)                # [B]
    single_var = x.var(0).mean(1)             # [B]
    ok = single_var > 0
    if not bool(ok.any()):
        return 0.0
    return float((pop_var[ok] / single_var[ok]).mean())


def population_spectrum(spikes: Tensor) -> Tuple[Tensor, Tensor]:
    """Power spectrum of the population rate (mean removed), averaged over the batch.

    Args:
        spikes: ``[T, B, N]``.

    Returns:
        ``(freqs, power)``, each ``[T // 2 + 1]``: frequency in cycles per step (x 1000 for Hz at
        1 ms steps) and power.
    """
    r = population_rate(spikes)                 # [T, B]
    r = r - r.mean(0, keepdim=True)
    power = (torch.fft.rfft(r, dim=0).abs() ** 2).mean(1) / r.shape[0]
    freqs = torch.fft.rfftfreq(r.shape[0])
    return freqs, power


def oscillation_power(spikes: Tensor, min_freq: float = 0.01, width: int = 1) -> Tuple[float, float]:
    """Peak frequency of the population rate and the fraction of its power near that peak.

    Args:
        spikes: ``[T, B, N]``.
        min_freq: ignore slower frequencies (cycles per step), e.g. a slow drift.
        width: the peak band is the peak frequency bin +- ``width`` bins.

    Returns:
        ``(peak_freq, fraction)``: cycles per step, and the peak band's share of the power above
        ``min_freq`` (near 0 for an irregular population, large for a rhythmic one).
    """
    freqs, power = population_spectrum(spikes)
    keep = freqs >= min_freq
    f, p = freqs[keep], power[keep]
    if p.numel() == 0 or float(p.sum()) == 0:
        return 0.0, 0.0
    k = int(p.argmax())
    band = p[max(k - width, 0): k + width + 1].sum()
    return float(f[k]), float(band / p.sum())


def response_window(spikes: Tensor, onset: int, fraction: float = 0.9) -> float:
    """How long after a stimulus onset a population responds: the steps until ``fraction`` of its spikes.

    Counts every spike of every neuron and batch entry from step ``onset`` on, and returns the
    number of steps after ``onset`` by which ``fraction`` of them have occurred (the width of the
    timing window). Returns ``nan`` if there is no spike after the onset.

    Args:
        spikes: ``[T, B, N]``.
        onset: stimulus onset step.
        fraction: in (0, 1].
    """
    s = _check_spikes(spikes)
    onset = _check_count(onset, "onset", 0)
    fraction = _check_number(fraction, "fraction", 0.0, 1.0)
    if onset >= s.shape[0]:
        raise ValueError(f"onset {onset} is past the end of the record (T={s.shape[0]})")
    per_step = s[onset:].sum((1, 2))
    total = float(per_step.sum())
    if total == 0:
        return math.nan
    cum = per_step.cumsum(0)
    return float(int(torch.nonzero(cum >= fraction * total - 1e-9)[0]) + 1)


def first_spike_latency(spikes: Tensor, onset: int = 0) -> float:
    """Mean number of steps from ``onset`` to each neuron's first spike (neurons that never fire are left out).

    ``spikes`` ``[T, B, N]``; returns ``nan`` when no neuron fires after the onset. A spike at step
    ``onset`` itself has latency 0.
    """
    s = _check_spikes(spikes)
    onset = _check_count(onset, "onset", 0)
    if onset >= s.shape[0]:
        raise ValueError(f"onset {onset} is past the end of the record (T={s.shape[0]})")
    s = s[onset:] > 0
    fired = s.any(0)
    if not bool(fired.any()):
        return math.nan
    first = s.to(torch.int64).argmax(0)
    return float(first[fired].double().mean())


def edge_contrast(rates, inside: int, outside: int) -> float:
    """Michelson contrast across an edge: ``(r_in - r_out) / (r_in + r_out)`` of two neighbouring neurons.

    Args:
        rates: firing rates ``[N]`` (or ``[B, N]``, averaged over the batch).
        inside: index of the neuron just inside the bar; ``outside``: just outside it.

    Returns 0 when both are silent; 1 when only the inside neuron fires.
    """
    r = torch.as_tensor(rates, dtype=torch.float64)
    if r.dim() == 2:
        r = r.mean(0)
    if r.dim() != 1:
        raise ValueError(f"rates must have shape [N] or [B, N], got {tuple(r.shape)}")
    n = r.shape[0]
    for name, i in (("inside", inside), ("outside", outside)):
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise ValueError(f"{name} must be a neuron index in 0..{n - 1}, got {i!r}")
    a, b = float(r[inside]), float(r[outside])
    return 0.0 if a + b == 0 else (a - b) / (a + b)


def edge_enhancement(rates, edge: int, center: int) -> float:
    """Rate of the neuron at a bar's edge divided by the rate at its centre (> 1: a Mach band).

    ``rates`` ``[N]`` or ``[B, N]``; returns ``nan`` when the centre is silent.
    """
    r = torch.as_tensor(rates, dtype=torch.float64)
    if r.dim() == 2:
        r = r.mean(0)
    c = float(r[center])
    return math.nan if c == 0 else float(r[edge]) / c


def pattern_correlation(a, b) -> float:
    """Pearson correlation between two response patterns (e.g. rates ``[N]`` to two stimuli)."""
    x = torch.as_tensor(a, dtype=torch.float64).flatten()
    y = torch.as_tensor(b, dtype=torch.float64).flatten()
    if x.shape != y.shape:
        raise ValueError(f"the two patterns must have the same size, got {x.numel()} and {y.numel()}")
    x, y = x - x.mean(), y - y.mean()
    den = math.sqrt(float((x * x).sum()) * float((y * y).sum()))
    return math.nan if den == 0 else float((x * y).sum()) / den


def wta_winner(spikes: Tensor, start: int = 0) -> Tensor:
    """The neuron with the most spikes from step ``start`` on, per batch entry: ``[T, B, N]`` -> ``[B]``.

    Returns -1 for a batch entry where no neuron spikes (ties go to the lowest index).
    """
    counts = spike_counts(spikes, start=start)
    winner = counts.argmax(1)
    winner[counts.sum(1) == 0] = -1
    return winner


# =============================================================================================
# One pure entry point for the explorer
# =============================================================================================


@dataclass(frozen=True)
class MotifRun:
    """What :func:`run_motif` returns (one trial, the batch dimension dropped).

    Attributes:
        motif, inhibition, delay, input_level, num_steps, seed: the arguments.
        populations: display order of the populations, ``"input"`` first
            (feedforward_excitation: input, out; feedforward_inhibition: input, inh, out;
            feedback_inhibition: input, exc, inh; lateral_inhibition: input, out).
        kinds: name -> ``"input"``, ``"excitatory"`` or ``"inhibitory"``.
        spikes: name -> spike record ``[T, N]`` (0./1.), including ``"input"``.
        mems: name -> membrane record ``[T, N]`` (no ``"input"``).
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


#: Sizes of the explorer's networks.
_EXPLORER = {
    "feedforward_excitation": dict(n_in=16, n_out=4, fan_in=8, weight=0.35),
    "feedforward_inhibition": dict(n_in=20, n_out=10, n_inh=5, onset=40),
    "feedback_inhibition": dict(n_in=40, n_exc=20, n_inh=5),
    "lateral_inhibition": dict(n=20, per_neuron=4, bar=(6, 14), low=0.5, reach=2.0),
}


def run_motif(motif: str, inhibition: float, delay: int, input_level: float, num_steps: int = 200,
              seed: int = 0) -> MotifRun:
    """Simulate one motif with a small network and measure it; the explorer's one call.

    Args:
        motif: one of :data:`MOTIFS`.
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

    Returns:
        a :class:`MotifRun` (see its attributes for the fields).
    """
    if motif not in MOTIFS:
        raise ValueError(f"unknown motif {motif!r}: expected one of {MOTIFS}")
    g = _check_number(inhibition, "inhibition", 0.0)
    delay = _check_count(delay, "delay", 1)
    level = _check_number(input_level, "input_level", 0.0, 1.0)
    num_steps = _check_count(num_steps, "num_steps", 10)
    gen = torch.Generator().manual_seed(int(seed))
    cfg = _EXPLORER[motif]
    summary: Dict[str, float] = {}
    with torch.no_grad():
        if motif == "feedforward_excitation":
            n_in, n_out, fan_in = cfg["n_in"], cfg["n_out"], cfg["fan_in"]
            stim = torch.full((num_steps, n_in), level)
            x = poisson_input(stim.unsqueeze(1), num_steps, generator=gen)
            w = convergent_weights(n_in, n_out, fan_in, cfg["weight"])
            res = feedforward_excitation(x, w, delay=delay)
            summary = {"fan_in": float((w > 0).sum(0).float().mean()), "fan_out": float((w > 0).sum(1).float().mean())}
            order = ("input", "out")
        elif motif == "feedforward_inhibition":
            n_in, n_out, n_inh, onset = cfg["n_in"], cfg["n_out"], cfg["n_inh"], min(cfg["onset"], num_steps // 4)
            stim = torch.zeros(num_steps, n_in)
            stim[onset:] = level
            x = poisson_input(stim.unsqueeze(1), num_steps, generator=gen)
            res = feedforward_inhibition(
                x, torch.full((n_in, n_out), 0.2), torch.full((n_in, n_inh), 0.25), torch.full((n_inh, n_out), 0.6),
                inhibition=g, inh_delay=delay,
            )
            summary = {"onset": float(onset), "window": response_window(res.spikes["out"], onset)}
            order = ("input", "inh", "out")
        elif motif == "feedback_inhibition":
            n_in, n_exc, n_inh = cfg["n_in"], cfg["n_exc"], cfg["n_inh"]
            stim = torch.full((num_steps, n_in), level)
            x = poisson_input(stim.unsqueeze(1), num_steps, generator=gen)
            res = feedback_inhibition(
                x, convergent_weights(n_in, n_exc, 4, 0.3), torch.full((n_exc, n_inh), 0.15),
                torch.full((n_inh, n_exc), 0.5), inhibition=g, ei_delay=delay, ie_delay=delay,
            )
            peak, power = oscillation_power(res.spikes["exc"])
            summary = {"synchrony": synchrony(res.spikes["exc"], bin=2), "peak_freq": peak, "oscillation_power": power}
            order = ("input", "exc", "inh")
        else:
            n, k = cfg["n"], cfg["per_neuron"]
            a, b = cfg["bar"]
            per_input = bar_stimulus(n, a, b, level, cfg["low"] * level).repeat_interleave(k)
            stim = per_input.expand(num_steps, -1).clone()
            x = poisson_input(stim.unsqueeze(1), num_steps, generator=gen)
            w_in = convergent_weights(n * k, n, k, 0.35)
            res = lateral_inhibition(x, w_in, lateral_weights(n, cfg["reach"]), inhibition=g, lateral_delay=delay)
            rates = firing_rate(res.spikes["out"])[0]
            settle = min(50, num_steps // 4)
            summary = {"edge_contrast": edge_contrast(rates, a, a - 1),
                       "winner": float(wta_winner(res.spikes["out"], start=settle)[0])}
            order = ("input", "out")
    spikes = {"input": res.input[:, 0]}
    spikes.update({name: res.spikes[name][:, 0] for name in res.populations})
    spikes = {name: spikes[name] for name in order}
    kinds = {"input": "input", **res.kinds}
    kinds = {name: kinds[name] for name in order}
    return MotifRun(
        motif=motif, inhibition=g, delay=delay, input_level=level, num_steps=num_steps, seed=int(seed),
        populations=order,
        kinds=kinds,
        spikes=spikes,
        mems={name: res.mems[name][:, 0] for name in order if name != "input"},
        rates={name: float(s.mean()) for name, s in spikes.items()},
        neuron_rates={name: s.mean(0) for name, s in spikes.items()},
        stimulus=stim,
        summary=summary,
    )
