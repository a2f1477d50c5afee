"""A small spiking network trained by BPTT on a 2-D, two-class toy set.

:func:`toy_dataset` makes the data (moons, circles or xor, one maker each in :data:`TOY_KINDS`),
:class:`ToySNN` is the network (two LIF layers), :func:`spike_loss` the loss (one per entry of
:data:`LOSSES`), :func:`predict_class` the classification readout and :func:`train_toy` the
training loop, which returns a :class:`ToyTrainResult`. Shapes are time-first, ``[T, B, ...]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
from torch import nn

from .. import _checks
from .. import engine as _engine
from .. import neurons as _neurons
from .. import surrogate as _surrogate

__all__ = [
    "TOY_KINDS",
    "toy_dataset",
    "ToySNN",
    "LOSSES",
    "spike_loss",
    "predict_class",
    "OPTIMIZERS",
    "ToyTrainResult",
    "train_toy",
]

SurrogateLike = Union[str, _surrogate.Surrogate, None]


# ---- the data ---------------------------------------------------------------------------------


def _moons(t: torch.Tensor, y: torch.Tensor, gen: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    x = torch.stack([torch.cos(t), torch.sin(t)], 1)
    x[y == 1] = torch.stack([1 - torch.cos(t[y == 1]), 0.5 - torch.sin(t[y == 1])], 1)
    return (x - torch.tensor([0.5, 0.25])) * torch.tensor([1.0, 1.5]), y


def _circles(t: torch.Tensor, y: torch.Tensor, gen: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    r = torch.where(y == 0, torch.full(y.shape, 0.5), torch.full(y.shape, 1.2))
    return torch.stack([r * torch.cos(2 * t), r * torch.sin(2 * t)], 1), y


def _xor(t: torch.Tensor, y: torch.Tensor, gen: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    x = torch.rand(t.shape[0], 2, generator=gen) * 2 - 1
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()


#: The toy sets by name: each maker takes angles ``t [n]`` in [0, pi), alternating labels ``y [n]``
#: and the generator, and returns the noise-free ``(x [n, 2], y [n])``.
TOY_KINDS: Dict[str, Callable[..., Tuple[torch.Tensor, torch.Tensor]]] = {"moons": _moons, "circles": _circles, "xor": _xor}


def toy_dataset(n: int = 400, kind: str = "moons", noise: float = 0.1, seed: int = 0) -> Tuple[torch.Tensor, torch.Tensor]:
    """A 2-D, two-class toy set: ``(x [n, 2], y [n])`` (``y`` in {0, 1}, long).

    ``kind="moons"``: two interleaved half circles; ``"circles"``: a disc inside a ring;
    ``"xor"``: the four quadrants (see :data:`TOY_KINDS`). Gaussian ``noise`` (standard deviation
    >= 0) is added; inputs are roughly in [-1.5, 1.5].
    """
    n = _checks.integer(n, "n", 2)
    maker = TOY_KINDS[_checks.choice(kind, "kind", TOY_KINDS)]
    noise = _checks.real(noise, "noise", 0.0)
    gen = torch.Generator().manual_seed(_checks.integer(seed, "seed", 0))
    y = torch.arange(n) % 2
    t = torch.rand(n, generator=gen) * math.pi
    x, y = maker(t, y, gen)
    x = x + noise * torch.randn(n, 2, generator=gen)
    return x, y.long()


# ---- the network --------------------------------------------------------------------------------


class ToySNN(nn.Module):
    """Two LIF layers, ``n_in -> hidden -> n_out``, run for ``num_steps`` steps on a constant input current.

    ``forward(x)`` takes a batch ``[B, n_in]`` (a static input, presented as the same current at every
    one of ``num_steps`` steps) or a time-first input ``[T, B, n_in]``, and returns
    ``(spk_out, mem_out)``, each ``[T, B, n_out]``.

    The network is feed-forward, so each layer runs over all ``T`` steps at once
    (:func:`snnlib.engine.lif_multistep`, the per-step semantics of :func:`snnlib.neurons.lif_step`:
    the same spikes and gradients as a loop over steps, several times faster). ``lif1`` and ``lif2``
    hold each layer's ``beta``, threshold and surrogate.
    """

    def __init__(
        self,
        n_in: int = 2,
        hidden: int = 32,
        n_out: int = 2,
        num_steps: int = 20,
        beta: float = 0.9,
        surrogate: SurrogateLike = None,
    ):
        super().__init__()
        self.n_in = _checks.integer(n_in, "n_in", 1)
        hidden = _checks.integer(hidden, "hidden", 1)
        n_out = _checks.integer(n_out, "n_out", 1)
        self.num_steps = _checks.integer(num_steps, "num_steps", 1)
        self.fc1 = nn.Linear(self.n_in, hidden)
        self.lif1 = _neurons.LIF(beta=beta, surrogate=surrogate)
        self.fc2 = nn.Linear(hidden, n_out)
        self.lif2 = _neurons.LIF(beta=beta, surrogate=surrogate)

    @staticmethod
    def _run(lif: _neurons.LIF, cur: torch.Tensor, num_steps: Optional[int]):
        return _engine.lif_multistep(
            cur, float(lif.beta), float(lif.threshold), lif.reset, num_steps=num_steps, surrogate=lif.surrogate
        )

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        shape = f"[B, n_in] or time-first [T, B, n_in] with n_in = {self.n_in}"
        _checks.tensor(x, "x", shape, ndim=(2, 3), dtype="float")
        _checks.host_values(x, "x", shape)
        if x.shape[-1] != self.n_in:
            raise ValueError(f"x must have shape {shape}, got shape {tuple(x.shape)}")
        static = self.num_steps if x.dim() == 2 else None
        spk1 = self._run(self.lif1, self.fc1(x), static).spk  # [T, B, hidden]
        out = self._run(self.lif2, self.fc2(spk1), None)  # [T, B, n_out]
        return out.spk, out.mem


# ---- loss and readout ---------------------------------------------------------------------------

_OUT_SHAPE = "[T, B, C]"


def _check_outputs(spk: torch.Tensor, mem: Optional[torch.Tensor]) -> None:
    _checks.tensor(spk, "spk", _OUT_SHAPE, ndim=3, dtype="float")
    _checks.host_values(spk, "spk", _OUT_SHAPE, spikes=True)
    if mem is not None:
        _checks.tensor(mem, "mem", _OUT_SHAPE, ndim=3, dtype="float")
        _checks.host_values(mem, "mem", _OUT_SHAPE)
        _checks.same_shape(spk, mem, "spk", "mem", _OUT_SHAPE)


def _membrane_loss(spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    T, B, C = mem.shape
    return nn.functional.cross_entropy(mem.reshape(T * B, C), y.repeat(T))


def _count_loss(spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(spk.sum(0), y)


#: The classification losses by name: ``(spk, mem [T, B, C], y [B]) -> loss`` (0-d).
LOSSES: Dict[str, Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "membrane": _membrane_loss,
    "count": _count_loss,
}


def spike_loss(spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor, kind: str = "membrane") -> torch.Tensor:
    """Classification loss (0-d) on an output layer's records ``spk, mem`` ``[T, B, C]``, labels ``y`` ``[B]``.

    ``"membrane"``: ``L = (1/T) sum_t CE(U[t], y)``, the cross-entropy of the membrane potentials
    as logits at every step, *averaged* over the ``T`` steps (every step pushes the right neuron's
    membrane up; snnTorch's tutorials sum instead, a factor ``T``). ``"count"``:
    ``L = CE(sum_t S[t], y)``, the cross-entropy of the spike counts as logits (the rate code;
    gradient only through the surrogate). Both are averaged over the batch.
    """
    _checks.tensor(mem, "mem", _OUT_SHAPE, ndim=3, dtype="float")
    _check_outputs(spk, mem)
    _checks.tensor(y, "y", "[B] (class labels)", ndim=1, dtype="integer")
    if y.shape[0] != spk.shape[1]:
        raise ValueError(
            f"y must have shape [B] with B = {spk.shape[1]} (spk is {_OUT_SHAPE} = {tuple(spk.shape)}), "
            f"got shape {tuple(y.shape)}"
        )
    return LOSSES[_checks.choice(kind, "kind", LOSSES)](spk, mem, y)


def predict_class(spk: torch.Tensor, mem: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Predicted class ``[B]`` (long) from output records ``[T, B, C]``: the neuron that fired most
    (rate decoding); with ``mem`` (same shape), ties (e.g. no spikes at all) are broken by the summed
    membrane potential."""
    _check_outputs(spk, mem)
    score = spk.sum(0)
    if mem is not None:
        m = mem.sum(0)
        # a tie-breaker smaller than one spike
        score = score + 0.5 * torch.sigmoid(m - m.mean(-1, keepdim=True))
    return score.argmax(-1)


# ---- training -----------------------------------------------------------------------------------

#: The optimisers :func:`train_toy` can use, by name (``params, lr -> optimiser``): ``"adam"``
#: divides each parameter's gradient by its running RMS, so a constant factor on the gradient
#: cancels; ``"sgd"`` (plain gradient descent) steps in proportion to the gradient.
OPTIMIZERS: Dict[str, Callable[..., torch.optim.Optimizer]] = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


@dataclass
class ToyTrainResult:
    """What :func:`train_toy` returns.

    Attributes:
        model: the trained :class:`ToySNN`.
        losses: the mean training loss of each epoch.
        accuracies: the training-set accuracy after each epoch (:func:`predict_class`).
        initial: the model's parameters before training (``{name: tensor}``, a copy).
    """

    model: ToySNN
    losses: List[float] = field(default_factory=list)
    accuracies: List[float] = field(default_factory=list)
    initial: Dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def final_loss(self) -> float:
        """The last epoch's loss."""
        return self.losses[-1]

    @property
    def final_accuracy(self) -> float:
        """The accuracy after the last epoch."""
        return self.accuracies[-1]


def train_toy(
    x: torch.Tensor,
    y: torch.Tensor,
    surrogate: SurrogateLike = None,
    epochs: int = 100,
    hidden: int = 32,
    num_steps: int = 20,
    lr: float = 0.02,
    loss_kind: str = "membrane",
    batch_size: int = 100,
    seed: int = 0,
    optimizer: str = "adam",
) -> ToyTrainResult:
    """Train a :class:`ToySNN` on ``(x [n, n_in], y [n])`` by BPTT; returns a :class:`ToyTrainResult`.

    Each of the ``epochs`` (>= 1) runs over shuffled mini-batches of ``batch_size``; the recorded
    loss (:func:`spike_loss` of ``loss_kind``) is the epoch's mean and the accuracy is measured on the
    whole set with :func:`predict_class` after the epoch. ``optimizer`` is a name of
    :data:`OPTIMIZERS` (default Adam), with learning rate ``lr``; ``seed`` sets the initial weights
    and the order of the mini-batches (the data are given).
    """
    _checks.tensor(x, "x", "[n, n_in]", ndim=2, dtype="float", finite=True)
    _checks.tensor(y, "y", "[n] (class labels)", ndim=1, dtype="integer")
    if y.shape != x.shape[:1]:
        raise ValueError(f"x must be [n, n_in] and y [n], got shapes {tuple(x.shape)} and {tuple(y.shape)}")
    epochs = _checks.integer(epochs, "epochs", 1)
    batch_size = _checks.integer(batch_size, "batch_size", 1)
    lr = _checks.positive(lr, "lr")
    _checks.choice(loss_kind, "loss_kind", LOSSES)
    make_optimizer = OPTIMIZERS[_checks.choice(optimizer, "optimizer", OPTIMIZERS)]
    seed = _checks.integer(seed, "seed", 0)
    torch.manual_seed(seed)
    n_out = int(y.max()) + 1
    model = ToySNN(x.shape[1], hidden, max(n_out, 2), num_steps, surrogate=surrogate)
    opt = make_optimizer(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    initial = {k: v.detach().clone() for k, v in model.named_parameters()}
    result = ToyTrainResult(model, initial=initial)
    for _ in range(epochs):
        perm = torch.randperm(x.shape[0], generator=gen)
        total = 0.0
        for i in range(0, x.shape[0], batch_size):
            idx = perm[i : i + batch_size]
            spk, mem = model(x[idx])
            loss = spike_loss(spk, mem, y[idx], loss_kind)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        result.losses.append(total / x.shape[0])
        with torch.no_grad():
            spk, mem = model(x)
            result.accuracies.append(float((predict_class(spk, mem) == y).float().mean()))
    return result
