"""The implementations of the chapter's network side by side: throughput, full training runs, lockstep.

* :func:`compare_implementations` trains snnlib's fast path, snnTorch's tutorial network and a
  plain PyTorch loop (and, if asked, snnlib's per-step loop) on the same batches, alternating, and
  measures samples/s; ``benchmarks/throughput.py`` writes its result for the chapter.
* :func:`train_implementation` trains one of them with the snnTorch tutorial's loop (Adam, the
  per-step membrane loss) for whole epochs and evaluates after each: the reference run of
  ``benchmarks/reference.py``.
* :func:`lockstep` starts two implementations from the same weights, trains them on the same
  batches and reports how far their losses and weights drift apart (float rounding only, if
  they compute the same thing).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterator, NamedTuple, Optional, Sequence

import numpy as np
import torch

from .. import data as _data
from .. import models as _models
from .._checks import boolean, choice, describe, integer, positive
from .._core import seed_everything
from .config import READOUTS
from .measure import device_name, progress_bar, synchronize

__all__ = ["Implementation", "IMPLEMENTATIONS", "compare_implementations", "train_implementation", "lockstep"]


class Implementation(NamedTuple):
    """One implementation of the 784-1000-10 network in the comparison."""

    #: What it is, in one line (stored in the comparison's result).
    description: str
    #: ``make(num_steps)``: a new model on the CPU, returning ``(spk, mem)`` records ``[T, B, 10]``.
    make: Callable[[int], torch.nn.Module]
    #: Trained with the tutorial's per-step loss loop (``True``) or snnlib's one-call membrane loss.
    per_step_loss: bool


#: The implementations :func:`compare_implementations` can train, by name.
IMPLEMENTATIONS: Dict[str, Implementation] = {
    "snnlib fast path": Implementation(
        "SpikingMLP(fast=True): W1 x once, fused hidden layer + output synapses (a C kernel on the CPU), multi-step LIF",
        lambda num_steps: _models.SpikingMLP(num_steps=num_steps),
        False,
    ),
    "snnlib plain loop": Implementation(
        "SpikingMLP(fast=False): per-step loop over snnlib.neurons.LIF",
        lambda num_steps: _models.SpikingMLP(num_steps=num_steps, fast=False),
        False,
    ),
    "snnTorch reference": Implementation(
        "snnTorch tutorial: snn.Leaky(beta=0.95), per-step loop, per-step loss",
        lambda num_steps: _models.SnnTorchReference(num_steps=num_steps),
        True,
    ),
    "PyTorch reference": Implementation(
        "plain PyTorch per-step loop with a hand-written arctan surrogate, per-step loss",
        lambda num_steps: _models.TorchReference(num_steps=num_steps),
        True,
    ),
}

#: The implementations compared when ``names`` is not given; the first is the one the ratios divide by.
DEFAULT_NAMES = ("snnlib fast path", "snnTorch reference", "PyTorch reference")


def _make(name: str, num_steps: int, seed: int, device) -> torch.nn.Module:
    seed_everything(seed)
    return IMPLEMENTATIONS[name].make(num_steps).to(device)


def _adam(model: torch.nn.Module, lr: float, device) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), fused=device.type in ("cpu", "cuda"))


def _train_step(name: str, model, opt, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One optimiser step of implementation ``name`` on ``(x, y)``; returns the loss (detached)."""
    _spk, mem = model(x)
    loss = _tutorial_loss(mem, y) if IMPLEMENTATIONS[name].per_step_loss else _models.membrane_ce_loss(mem, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.detach()


def _tutorial_loss(mem_rec: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """snnTorch tutorial's loss: a Python loop adding ``CrossEntropy(mem[t], y)`` over the steps of ``[T, B, C]``."""
    loss = torch.zeros((), device=mem_rec.device)
    for t in range(mem_rec.shape[0]):
        loss = loss + torch.nn.functional.cross_entropy(mem_rec[t], y)
    return loss


def compare_implementations(
    train_batches: _data.Batches,
    test_batches,
    names: Optional[Sequence[str]] = None,
    batches_per_round: int = 5,
    rounds: int = 3,
    warmup: int = 1,
    num_steps: int = 25,
    lr: float = 5e-4,
    eval_batches: Optional[int] = 2,
    seed: int = 0,
    progress: bool = True,
    readout: str = "count",
) -> Dict[str, Any]:
    """Train the implementations side by side, alternating, and measure samples/s (training and evaluation).

    Every implementation (``names``: keys of :data:`IMPLEMENTATIONS`, default :data:`DEFAULT_NAMES`)
    trains the same batches of ``train_batches`` (same order) with Adam (``lr``, betas 0.9/0.999)
    and the loss ``sum_t CE(U[t], y)``. Each of ``rounds`` rounds trains ``batches_per_round``
    batches of each implementation in turn (after ``warmup`` untimed batches), so a busy machine
    slows all of them alike. Evaluation: no-grad forward passes over ``eval_batches`` batches of
    ``test_batches`` (``None``: all), and the test accuracy (``readout``) reached after training.

    Returns a JSON-able dict: ``results`` (per implementation: ``train_samples_per_s`` (median over
    rounds), ``rounds`` (each round's samples/s), ``cpu_samples_per_s`` (per CPU-second of this
    process), ``eval_samples_per_s``, ``test_accuracy``, ``test_samples``, ``trained_samples``,
    ``description``), ``ratios`` and ``ratio_per_round`` (the first implementation over each other),
    ``device``, ``device_name``, ``threads``, ``batch_size``, ``num_steps``, ``batches_per_round``,
    ``rounds``, ``torch``.
    """
    if not isinstance(train_batches, _data.Batches):
        raise TypeError(f"train_batches must be a snnlib.data.Batches, got {describe(train_batches)}")
    if isinstance(test_batches, (str, bytes, dict)) or not hasattr(test_batches, "__iter__"):
        raise TypeError(
            f"test_batches must be an iterable of (x, y) batches such as snnlib.data.Batches, got {describe(test_batches)}"
        )
    if isinstance(names, (str, bytes)):
        raise TypeError(f"names must be a list of implementation names, got {describe(names)}")
    names = list(DEFAULT_NAMES if names is None else names)
    if not names:
        raise ValueError("names must list at least one implementation")
    for i, name in enumerate(names):
        choice(name, f"names[{i}]", IMPLEMENTATIONS)
    batches_per_round = integer(batches_per_round, "batches_per_round", 1)
    rounds = integer(rounds, "rounds", 1)
    warmup = integer(warmup, "warmup", 0)
    num_steps = integer(num_steps, "num_steps", 1)
    lr = positive(lr, "lr")
    eval_batches = None if eval_batches is None else integer(eval_batches, "eval_batches", 1)
    readout = choice(readout, "readout", READOUTS)
    device = train_batches.device
    models = {name: _make(name, num_steps, seed, device) for name in names}
    opts = {name: _adam(models[name], lr, device) for name in names}
    it = _cycle(train_batches)
    batches = [next(it) for _ in range(warmup + batches_per_round * rounds)]
    stats = {n: {"rounds": [], "cpu": [], "samples": 0} for n in names}

    def train_on(name, chunk):
        for x, y in chunk:
            _train_step(name, models[name], opts[name], x, y)
        synchronize(device)

    for name in names:
        train_on(name, batches[:warmup])
    bar = progress_bar(rounds * len(names), "throughput", boolean(progress, "progress"))
    for r in range(rounds):
        chunk = batches[warmup + r * batches_per_round : warmup + (r + 1) * batches_per_round]
        n = sum(y.shape[0] for _, y in chunk)
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            t0, c0 = time.perf_counter(), time.process_time()
            train_on(name, chunk)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            stats[name]["rounds"].append(n / wall)
            stats[name]["cpu"].append(n / cpu if cpu > 0 else float("nan"))
            stats[name]["samples"] += n
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    results = {}
    for name in names:
        accuracy, n, eval_s = _timed_accuracy(models[name], test_batches, eval_batches, readout, device)
        results[name] = {
            "description": IMPLEMENTATIONS[name].description,
            "train_samples_per_s": float(np.median(stats[name]["rounds"])),
            "rounds": stats[name]["rounds"],
            "cpu_samples_per_s": float(np.median(stats[name]["cpu"])),
            "trained_samples": stats[name]["samples"] + sum(y.shape[0] for _, y in batches[:warmup]),
            "eval_samples_per_s": n / eval_s if eval_s > 0 else float("nan"),
            "test_accuracy": accuracy,
            "test_samples": n,
        }
    fast = names[0]
    ratios = {f"{fast} / {n}": results[fast]["train_samples_per_s"] / results[n]["train_samples_per_s"] for n in names[1:]}
    # Round-by-round ratios show how steady the comparison was on a shared machine.
    spread = {f"{fast} / {n}": [a / b for a, b in zip(stats[fast]["rounds"], stats[n]["rounds"])] for n in names[1:]}
    return {
        "results": results,
        "ratios": ratios,
        "ratio_per_round": spread,
        "device": str(device),
        "device_name": device_name(device),
        "threads": torch.get_num_threads(),
        "batch_size": batches[0][1].shape[0],
        "num_steps": num_steps,
        "batches_per_round": batches_per_round,
        "rounds": rounds,
        "torch": torch.__version__,
    }


def train_implementation(
    name: str,
    train_batches: _data.Batches,
    test_batches,
    epochs: int = 1,
    lr: float = 5e-4,
    num_steps: int = 25,
    seed: int = 0,
    max_batches: Optional[int] = None,
    readout: str = "count",
    progress: bool = True,
) -> Dict[str, Any]:
    """Train implementation ``name`` (a key of :data:`IMPLEMENTATIONS`) as snnTorch's tutorial does, for whole epochs.

    Adam (``lr``, betas 0.9/0.999, constant), the per-step membrane loss ``sum_t CE(U[t], y)``,
    batches of ``train_batches`` (shuffled by its seed, epoch by epoch, as :func:`snnlib.train.fit`
    shuffles them), weights seeded by ``seed``; after each epoch the test accuracy over all of
    ``test_batches`` with ``readout``. ``max_batches``: stop each epoch early (for tests).

    Returns ``{"name", "description", "epochs": [{"epoch", "test_accuracy", "train_seconds",
    "samples_per_s"}], "final_test_accuracy", "train_seconds", "device_name", "seed", "lr"}``.
    """
    choice(name, "name", IMPLEMENTATIONS)
    if not isinstance(train_batches, _data.Batches):
        raise TypeError(f"train_batches must be a snnlib.data.Batches, got {describe(train_batches)}")
    epochs = integer(epochs, "epochs", 1)
    lr = positive(lr, "lr")
    max_batches = None if max_batches is None else integer(max_batches, "max_batches", 1)
    readout = choice(readout, "readout", READOUTS)
    device = train_batches.device
    model = _make(name, integer(num_steps, "num_steps", 1), integer(seed, "seed", 0), device)
    opt = _adam(model, lr, device)
    steps = len(train_batches) if max_batches is None else min(max_batches, len(train_batches))
    record = []
    for epoch in range(epochs):
        model.train()
        train_batches.set_epoch(epoch)
        bar = progress_bar(steps, f"{name}, epoch {epoch + 1}/{epochs}", boolean(progress, "progress"))
        synchronize(device)
        t0, n = time.perf_counter(), 0
        for i, (x, y) in enumerate(train_batches):
            if i >= steps:
                break
            _train_step(name, model, opt, x, y)
            n += y.shape[0]
            if bar is not None:
                bar.update(1)
        synchronize(device)
        seconds = time.perf_counter() - t0
        if bar is not None:
            bar.close()
        accuracy, _n, _s = _timed_accuracy(model, test_batches, None, readout, device)
        record.append({"epoch": epoch + 1, "test_accuracy": accuracy, "train_seconds": seconds, "samples_per_s": n / seconds})
    return {
        "name": name,
        "description": IMPLEMENTATIONS[name].description,
        "epochs": record,
        "final_test_accuracy": record[-1]["test_accuracy"],
        "train_seconds": sum(e["train_seconds"] for e in record),
        "device_name": device_name(device),
        "seed": seed,
        "lr": lr,
    }


def lockstep(
    train_batches: _data.Batches,
    names: Sequence[str] = ("snnlib fast path", "snnTorch reference"),
    steps: int = 20,
    lr: float = 5e-4,
    num_steps: int = 25,
    seed: int = 0,
) -> Dict[str, Any]:
    """Train two implementations from the *same* initial weights on the same ``steps`` batches and compare.

    The second implementation gets a copy of the first one's initial weights (both are 784-1000-10
    with ``fc1``/``fc2`` layers). Returns ``{"names", "steps", "losses": {name: [loss per step]},
    "max_relative_loss_difference", "max_weight_difference" (largest absolute difference of any
    weight after the last step), "initial_weights_equal"}``. Two implementations of the same
    computation differ by float rounding only, which grows slowly over the steps.
    """
    names = list(names)
    if len(names) != 2:
        raise ValueError(f"names must name two implementations, got {names!r}")
    for i, name in enumerate(names):
        choice(name, f"names[{i}]", IMPLEMENTATIONS)
    if not isinstance(train_batches, _data.Batches):
        raise TypeError(f"train_batches must be a snnlib.data.Batches, got {describe(train_batches)}")
    steps = integer(steps, "steps", 1)
    device = train_batches.device
    models = [_make(name, integer(num_steps, "num_steps", 1), integer(seed, "seed", 0), device) for name in names]
    first, second = (_weights(m) for m in models)
    same_init = all(torch.equal(first[k], second[k]) for k in first)
    with torch.no_grad():
        for key, value in first.items():
            second[key].copy_(value)
    opts = [_adam(m, positive(lr, "lr"), device) for m in models]
    losses: Dict[str, list] = {name: [] for name in names}
    it = _cycle(train_batches)
    for _ in range(steps):
        x, y = next(it)
        for name, model, opt in zip(names, models, opts):
            losses[name].append(float(_train_step(name, model, opt, x, y)))
    a, b = (np.asarray(losses[n]) for n in names)
    first, second = (_weights(m) for m in models)
    return {
        "names": names,
        "steps": steps,
        "losses": losses,
        "max_relative_loss_difference": float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-12))),
        "max_weight_difference": max(float((first[k] - second[k]).abs().max()) for k in first),
        "initial_weights_equal": same_init,
    }


def _weights(model: torch.nn.Module) -> Dict[str, torch.Tensor]:
    """The weights and biases of ``fc1`` and ``fc2`` (the parameters every implementation shares)."""
    return {f"{layer}.{p}": getattr(getattr(model, layer), p).detach() for layer in ("fc1", "fc2") for p in ("weight", "bias")}


@torch.no_grad()
def _timed_accuracy(model, test_batches, eval_batches: Optional[int], readout: str, device):
    """``(accuracy, samples, seconds)`` of no-grad forward passes over the first ``eval_batches`` batches."""
    model.eval()
    t0, n, correct = time.perf_counter(), 0, 0
    for i, (x, y) in enumerate(test_batches):
        if eval_batches is not None and i >= eval_batches:
            break
        spk, mem = model(x)
        correct += int((_models.predict(spk, mem, readout) == y).sum())
        n += y.shape[0]
    synchronize(device)
    return correct / max(n, 1), n, time.perf_counter() - t0


def _cycle(batches: _data.Batches) -> Iterator:
    """The batches of epoch 0, 1, 2, ... one after the other, without end."""
    epoch = 0
    while True:
        batches.set_epoch(epoch)
        yield from batches
        epoch += 1
