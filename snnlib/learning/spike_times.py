"""A single LIF neuron trained, through its surrogate gradient, to fire exactly at target times.

Frozen random input spike trains (:func:`spike_time_inputs`) drive one neuron through weights
``w``; the loss is the van Rossum distance (:func:`van_rossum_loss`) between its output spike train
and the target train, and :func:`train_spike_times` minimises it with Adam.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence, Tuple, Union

import torch

from .. import _checks
from .. import neurons as _neurons
from .. import surrogate as _surrogate

__all__ = ["van_rossum_loss", "SpikeTimeResult", "spike_time_inputs", "train_spike_times"]

SurrogateLike = Union[str, _surrogate.Surrogate, None]


def van_rossum_loss(spk: torch.Tensor, target: torch.Tensor, tau: float = 5.0) -> torch.Tensor:
    """Van Rossum distance of two spike trains ``[T, ...]`` (a 0-d tensor, differentiable in ``spk``).

    Both trains are filtered by ``exp(-t/tau)`` (``tau`` in steps, > 0), then half the summed squared
    difference is taken. A spike one step late costs little, a missing spike a lot.
    """
    shape = "[T, ...]"
    _checks.time_first(spk, "spk", shape, min_dim=1, dtype="float")
    _checks.time_first(target, "target", shape, min_dim=1, dtype="number")
    _checks.same_shape(spk, target, "spk", "target", shape)
    _checks.host_values(spk, "spk", shape, spikes=True)
    _checks.host_values(target, "target", shape, spikes=True)
    tau = _checks.positive(tau, "tau (steps)")
    T = spk.shape[0]
    t = torch.arange(T, dtype=spk.dtype, device=spk.device)
    lag = t[:, None] - t[None, :]
    kernel = torch.where(lag >= 0, torch.exp(-lag.clamp_min(0) / tau), torch.zeros_like(lag))  # [T, T]
    trace = torch.tensordot(kernel, spk - target, dims=1)  # [T, ...]
    return 0.5 * (trace**2).sum()


@dataclass
class SpikeTimeResult:
    """What :func:`train_spike_times` returns.

    Attributes:
        inputs: the frozen input spike trains ``[T, n_inputs]``.
        target: the target spike train ``[T]``.
        weights: the trained input weights ``[n_inputs]``.
        spk, mem: the output spikes and membrane after training ``[T]``.
        spk_start: the output spikes before training ``[T]``.
        losses: the loss before each optimiser update.
        reached: whether the output equals the target spike train exactly.
        iterations: the number of optimiser updates taken.
    """

    inputs: torch.Tensor
    target: torch.Tensor
    weights: torch.Tensor
    spk: torch.Tensor
    mem: torch.Tensor
    spk_start: torch.Tensor
    losses: List[float]
    reached: bool
    iterations: int

    @property
    def spike_times(self) -> List[int]:
        """The steps at which the trained neuron fires."""
        return [int(t) for t in torch.nonzero(self.spk).flatten()]

    @property
    def target_times(self) -> List[int]:
        """The target steps."""
        return [int(t) for t in torch.nonzero(self.target).flatten()]


def spike_time_inputs(num_steps: int = 60, n_inputs: int = 50, rate: float = 0.05, seed: int = 0) -> torch.Tensor:
    """Frozen random (Bernoulli) input spike trains ``[T, n_inputs]`` (``T = num_steps``), firing with
    probability ``rate`` (in (0, 1]) per step."""
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    n_inputs = _checks.integer(n_inputs, "n_inputs", 1)
    rate = _checks.real(rate, "rate (a probability per step)", 0.0, 1.0, min_open=True)
    seed = _checks.integer(seed, "seed", 0)
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(num_steps, n_inputs, generator=gen) < rate).float()


def _single_neuron(inputs, w, params, sur) -> Tuple[torch.Tensor, torch.Tensor]:
    cur = (inputs @ w).reshape(-1, 1, 1)  # [T, B=1, N=1]
    spk, mem = _neurons.lif_run(cur, params, None, surrogate=sur)
    return spk[:, 0, 0], mem[:, 0, 0]


def train_spike_times(
    target_times: Sequence[int],
    num_steps: int = 60,
    n_inputs: int = 50,
    rate: float = 0.05,
    beta: float = 0.9,
    threshold: float = 1.0,
    surrogate: SurrogateLike = None,
    max_iterations: int = 500,
    lr: float = 0.02,
    tau: float = 3.0,
    seed: int = 0,
) -> SpikeTimeResult:
    """Train the input weights of one LIF neuron so that it fires exactly at ``target_times``.

    Frozen random input spike trains (:func:`spike_time_inputs`, ``[T, n_inputs]`` with
    ``T = num_steps``) drive the neuron through weights ``w`` ``[n_inputs]``; the loss is the van
    Rossum distance (time constant ``tau`` steps) between its output spike train and the target
    train (:func:`van_rossum_loss`), minimised with Adam (learning rate ``lr``) through the
    ``surrogate`` gradient for at most ``max_iterations`` updates. Training stops as soon as the
    output equals the target spike train exactly. Returns a :class:`SpikeTimeResult`.
    """
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    if isinstance(target_times, (str, bytes)) or not hasattr(target_times, "__iter__"):
        raise TypeError(f"target_times must be a sequence of steps in [0, {num_steps}), got {_checks.describe(target_times)}")
    times = sorted(_checks.integer(t, "each of target_times", 0, num_steps - 1) for t in target_times)
    params = _neurons.LIFParams(beta=beta, threshold=threshold)
    max_iterations = _checks.integer(max_iterations, "max_iterations", 0)
    lr = _checks.positive(lr, "lr")
    tau = _checks.positive(tau, "tau (steps)")
    seed = _checks.integer(seed, "seed", 0)
    sur = _surrogate.get(surrogate)
    inputs = spike_time_inputs(num_steps, n_inputs, rate, seed)
    target = torch.zeros(num_steps)
    target[times] = 1.0
    gen = torch.Generator().manual_seed(seed + 1)
    w = (torch.rand(inputs.shape[1], generator=gen) * 0.2).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    with torch.no_grad():
        spk_start, _ = _single_neuron(inputs, w, params, sur)
    losses: List[float] = []
    for _ in range(max_iterations):
        spk, _ = _single_neuron(inputs, w, params, sur)
        if torch.equal(spk.detach(), target):
            break
        loss = van_rossum_loss(spk, target, tau)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    with torch.no_grad():
        spk, mem = _single_neuron(inputs, w, params, sur)
    reached = bool(torch.equal(spk, target))
    return SpikeTimeResult(inputs, target, w.detach().clone(), spk, mem, spk_start, losses, reached, len(losses))
