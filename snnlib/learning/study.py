"""How much training depends on the surrogate: over seeds, and under a constant factor.

* :func:`seed_study` trains the toy network (:func:`snnlib.learning.train_toy`) once per
  surrogate and seed and returns a :class:`SeedStudy` (final accuracies ``[S, R]`` for ``S``
  surrogates and ``R`` seeds, epochs to a target accuracy, how many seeds train): one seed is an
  anecdote, several are a measurement.
* :func:`scaled_surrogate` multiplies a surrogate's derivative by a constant (the forward pass,
  the exact step, is unchanged), and :func:`scale_study` trains with and without that factor
  under each optimiser (:data:`snnlib.learning.OPTIMIZERS`): Adam divides every gradient by its
  running RMS, so the factor cancels; plain gradient descent does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import torch

from .. import _checks
from .. import surrogate as _surrogate
from .toy import ToyTrainResult, train_toy

__all__ = ["scaled_surrogate", "SeedStudy", "seed_study", "ScaleStudy", "scale_study"]

SurrogateLike = Union[str, _surrogate.Surrogate, None]


def scaled_surrogate(surrogate: SurrogateLike, factor: float) -> _surrogate.Surrogate:
    """``surrogate`` with its backward derivative multiplied by ``factor`` (> 0); forward unchanged.

    ``scaled_surrogate("arctan", 1 / math.pi)`` is the derivative written in snnTorch's
    documentation, ``(1/pi) / (1 + (pi U alpha / 2)^2)``, a factor ``pi alpha / 2`` below the one
    its code computes. The result is a :class:`snnlib.surrogate.Surrogate` named
    ``"<factor> x <name>"`` (a name no engine kernel claims, so every backend computes it from its
    ``derivative``).
    """
    base = _surrogate.get(surrogate)
    factor = _checks.positive(factor, "factor")
    parent = base.function

    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        return factor * parent.derivative(u, k)

    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        return factor * parent.smooth(u, k)

    function = type(
        f"Scaled{parent.__name__}", (parent,), {"derivative": staticmethod(derivative), "smooth": staticmethod(smooth)}
    )
    name = f"{factor:.3g} x {base.name}"
    return _surrogate.Surrogate(name, function, base.sharpness, base.param)


def _labelled(surrogates) -> Dict[str, _surrogate.Surrogate]:
    """``{label: Surrogate}`` from a mapping, or from a sequence (labelled by ``repr``)."""
    if isinstance(surrogates, Mapping):
        items = [(str(k), _surrogate.get(v)) for k, v in surrogates.items()]
    elif isinstance(surrogates, (list, tuple)):
        items = [(repr(s), s) for s in (_surrogate.get(v) for v in surrogates)]
    else:
        raise TypeError(
            f"surrogates must be a mapping label -> surrogate or a list of surrogates, got {_checks.describe(surrogates)}"
        )
    if not items:
        raise ValueError("surrogates must not be empty")
    return dict(items)


@dataclass(frozen=True)
class SeedStudy:
    """What :func:`seed_study` returns (``S`` surrogates, ``R`` seeds, ``E`` epochs).

    Attributes:
        labels: the surrogates' labels ``(S,)``; seeds: the seeds ``(R,)``.
        accuracy: the training accuracy after each epoch ``[S, R, E]``.
        losses: the mean training loss of each epoch ``[S, R, E]``.
        dead: after training, how many output neurons never fire on the training set ``[S, R]``
            (long): a dead neuron gets gradient only through its surrogate's tail.
        dead_peak: the highest ``U - U_thr`` that a silent output neuron reaches on the training
            set (any step, any input) ``[S, R]``; NaN where no output neuron is silent.
        dead_slope: the mean surrogate derivative ``s'(U - U_thr)`` over the silent output
            neurons' membranes (every step and input) ``[S, R]``: how much gradient reaches them;
            NaN where none is silent. ``dead_slope_arctan``: the same with the default arctan
            (``alpha = 2``) on the same membranes, for comparison.
        target: the accuracy that counts as "trained".
    """

    labels: Tuple[str, ...]
    seeds: Tuple[int, ...]
    accuracy: torch.Tensor
    losses: torch.Tensor
    dead: torch.Tensor
    dead_peak: torch.Tensor
    dead_slope: torch.Tensor
    dead_slope_arctan: torch.Tensor
    target: float

    def _row(self, label: str) -> int:
        return self.labels.index(_checks.choice(label, "label", self.labels))

    def final(self, label: str) -> torch.Tensor:
        """The final accuracy of each seed ``[R]``."""
        return self.accuracy[self._row(label), :, -1]

    def mean(self, label: str) -> float:
        """The final accuracy averaged over seeds."""
        return float(self.final(label).mean())

    def std(self, label: str) -> float:
        """The standard deviation of the final accuracy over seeds (0 for one seed)."""
        final = self.final(label)
        return float(final.std()) if final.numel() > 1 else 0.0

    def trained(self, label: str) -> int:
        """How many seeds end at or above :attr:`target`."""
        return int((self.final(label) >= self.target).sum())

    def failed_with_dead_output(self, label: str) -> Tuple[int, int]:
        """``(failed, dead)``: how many seeds end below :attr:`target`, and how many of those end
        with at least one output neuron that never fires."""
        row = self._row(label)
        failed = self.accuracy[row, :, -1] < self.target
        return int(failed.sum()), int((failed & (self.dead[row] > 0)).sum())

    def epochs_to_target(self, label: str) -> torch.Tensor:
        """The first epoch (1-based) at which each seed reaches :attr:`target` ``[R]``
        (float; ``inf`` for a seed that never does)."""
        hit = self.accuracy[self._row(label)] >= self.target  # [R, E]
        first = hit.float().argmax(1).double() + 1
        return torch.where(hit.any(1), first, torch.full_like(first, math.inf))

    def summary(self, label: str) -> str:
        """One line: mean +- std of the final accuracy, how many seeds train."""
        return (
            f"{label:>18}: {self.mean(label):6.1%} +- {self.std(label):5.1%}, "
            f"{self.trained(label)} of {len(self.seeds)} seeds "
            f">= {self.target:.0%}"
        )


def _silent_outputs(run: ToyTrainResult, x: torch.Tensor) -> Tuple[int, float, float, float]:
    """A trained network's silent output neurons on ``x``: how many; the highest ``U - U_thr``
    any of them reaches; the mean surrogate derivative on their membranes (every step and input),
    with the run's surrogate and with the default arctan. NaN for the last three when none is
    silent."""
    with torch.no_grad():
        spk, mem = run.model(x)
    silent = spk.sum((0, 1)) == 0  # [C]
    if not bool(silent.any()):
        return 0, math.nan, math.nan, math.nan
    u = mem[:, :, silent] - run.model.lif2.threshold  # [T, B, silent]
    own = float(run.model.lif2.surrogate.derivative(u).mean())
    reference = float(_surrogate.get(None).derivative(u).mean())
    return int(silent.sum()), float(u.max()), own, reference


def seed_study(
    x: torch.Tensor, y: torch.Tensor, surrogates, seeds: Sequence[int] = (0, 1, 2), target: float = 0.9, **train_kwargs
) -> SeedStudy:
    """Train the toy network once per surrogate and seed (:func:`train_toy`).

    ``surrogates``: ``{label: surrogate}`` (names or :class:`~snnlib.surrogate.Surrogate`) or a
    list of them (labelled by ``repr``); ``seeds``: the seeds of the initial weights and batch
    order; ``target``: the accuracy in (0, 1] that counts as trained; ``train_kwargs`` go to
    :func:`train_toy` (``epochs``, ``loss_kind``, ...). Returns a :class:`SeedStudy`.
    """
    surs = _labelled(surrogates)
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a sequence of integers, got {_checks.describe(seeds)}")
    seeds = tuple(_checks.integer(s, "each seed", 0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    target = _checks.real(target, "target", 0.0, 1.0, min_open=True)
    acc, loss, dead = [], [], []
    for sur in surs.values():
        runs = [train_toy(x, y, sur, seed=s, **train_kwargs) for s in seeds]
        acc.append(torch.tensor([r.accuracies for r in runs], dtype=torch.float64))
        loss.append(torch.tensor([r.losses for r in runs], dtype=torch.float64))
        dead.append([_silent_outputs(r, x) for r in runs])
    count = torch.tensor([[d[0] for d in row] for row in dead])
    peak, slope, ref = (torch.tensor([[d[i] for d in row] for row in dead], dtype=torch.float64) for i in (1, 2, 3))
    return SeedStudy(tuple(surs), seeds, torch.stack(acc), torch.stack(loss), count, peak, slope, ref, target)


@dataclass(frozen=True)
class ScaleStudy:
    """What :func:`scale_study` returns.

    Attributes:
        factor: the constant multiplying the surrogate's derivative.
        runs: ``{optimizer: (run with the plain surrogate, run with the scaled one)}``, two
            :class:`~snnlib.learning.ToyTrainResult` from the same initial weights and batches.
    """

    factor: float
    runs: Dict[str, Tuple[ToyTrainResult, ToyTrainResult]]

    def _pair(self, optimizer: str) -> Tuple[ToyTrainResult, ToyTrainResult]:
        return self.runs[_checks.choice(optimizer, "optimizer", self.runs)]

    def loss_gap(self, optimizer: str) -> float:
        """The largest difference of the two runs' epoch losses under ``optimizer``, as a
        fraction of the plain run's first-epoch loss."""
        plain, scaled = self._pair(optimizer)
        a = torch.tensor(plain.losses, dtype=torch.float64)
        b = torch.tensor(scaled.losses, dtype=torch.float64)
        return float((a - b).abs().max() / a[0].abs().clamp_min(1e-12))

    def accuracy_gap(self, optimizer: str) -> float:
        """The largest difference of the two runs' accuracies (after any epoch) under ``optimizer``."""
        plain, scaled = self._pair(optimizer)
        return max(abs(a - b) for a, b in zip(plain.accuracies, scaled.accuracies))


def scale_study(
    x: torch.Tensor,
    y: torch.Tensor,
    surrogate: SurrogateLike = None,
    factor: float = 1 / math.pi,
    learning_rates: Optional[Mapping[str, float]] = None,
    **train_kwargs,
) -> ScaleStudy:
    """Train twice per optimiser, with ``surrogate`` and with ``factor`` times its derivative.

    ``learning_rates``: ``{optimizer name: lr}`` (default ``{"adam": 0.02, "sgd": 0.1}``); the
    other ``train_kwargs`` go to :func:`train_toy` (same seed for both runs, so the only
    difference is the factor). Returns a :class:`ScaleStudy`.
    """
    base = _surrogate.get(surrogate)
    scaled = scaled_surrogate(base, factor)
    rates = {"adam": 0.02, "sgd": 0.1} if learning_rates is None else dict(learning_rates)
    runs = {}
    for opt, lr in rates.items():
        runs[opt] = tuple(train_toy(x, y, s, lr=lr, optimizer=opt, **train_kwargs) for s in (base, scaled))
    return ScaleStudy(float(factor), runs)
