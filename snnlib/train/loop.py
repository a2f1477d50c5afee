"""The training loop and the evaluation: :func:`fit` returns a :class:`FitResult`, :func:`evaluate` a dict.

``result = fit(TrainConfig(epochs=5))`` trains :class:`snnlib.models.SpikingMLP` on
:class:`snnlib.data.Batches` kept on the device, evaluates on the test set after every epoch, and
returns the trained model beside the run's history (loss per step, test accuracy, seconds and
samples/s per epoch: plain JSON values). With ``checkpoint=DIR`` it writes ``DIR/last.pt`` after
every epoch (see :mod:`snnlib.train.checkpoint`), so that ``resume=True`` continues exactly where the
run stopped. Under ``torchrun`` it trains on every process with DistributedDataParallel
(:mod:`snnlib.train.distributed`); on CUDA each step is replayed from a CUDA graph
(:mod:`snnlib.train.graphs`); ``precision="bfloat16"`` runs forward and loss under autocast.
"""

from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import torch

from .. import data as _data
from .. import models as _models
from .._checks import boolean, choice, describe, integer
from .._core import get_device, seed_everything
from .._io import atomic_write_json, check_writable, clean_stale
from . import distributed as _distributed
from . import graphs as _graphs
from .augment import Shifter
from .checkpoint import (
    check_resumable,
    checkpoint_file,
    load_checkpoint,
    nonfinite_entries,
    restore,
    save_checkpoint,
    training_state,
)
from .config import LOSSES, OPTIMIZERS, READOUTS, TrainConfig
from .measure import device_name, peak_memory, progress_bar, synchronize
from .schedule import lr_factor

__all__ = ["FitResult", "TrainingDiverged", "PRECISIONS", "build", "evaluate", "fit", "load_data"]

#: ``precision=`` of :func:`fit` -> the dtype of ``torch.autocast`` for forward and loss (``None``: off).
PRECISIONS = {"float32": None, "bfloat16": torch.bfloat16}


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the message says at which epoch and step, and what to try."""


@dataclass
class FitResult:
    """What :func:`fit` returns.

    Attributes:
        history: the run's record, plain JSON values only: ``config`` (:meth:`TrainConfig.to_dict`),
            ``device``, ``device_name``, ``torch``, ``loss`` (one float per step), ``epochs`` (one dict
            per epoch: ``epoch``, ``train_loss``, ``test_accuracy``, ``test_accuracy_count``,
            ``test_accuracy_membrane``, ``train_seconds``, ``eval_seconds``, ``train_samples``,
            ``samples_per_s``, ``test_samples``, ``hidden_spikes_per_sample``, ``lr``),
            ``peak_memory``, ``train_seconds_total``, ``completed`` (all ``config.epochs`` done),
            ``world_size`` (processes; the batch size is the global batch), ``precision`` and
            ``step`` (how the steps ran: :meth:`snnlib.train.graphs.TrainStep.report`).
        model: the trained :class:`snnlib.models.SpikingMLP` (eager, not compiled).
        config: the :class:`TrainConfig` of the run.
    """

    history: Dict[str, Any]
    model: torch.nn.Module
    config: TrainConfig

    def record(self) -> Dict[str, Any]:
        """A copy of :attr:`history`: the JSON record that ``json_path=`` and the command line write."""
        return copy.deepcopy(self.history)

    def write_json(self, path: Union[str, os.PathLike[str]]):
        """Write :meth:`record` to ``path`` as JSON, atomically; returns the path."""
        return atomic_write_json(path, self.history)

    def __repr__(self) -> str:
        epochs = self.history["epochs"]
        acc = f", test_accuracy={epochs[-1]['test_accuracy']:.4f}" if epochs else ""
        return (
            f"FitResult(epochs={len(epochs)}/{self.config.epochs}{acc}, device={self.history['device']!r}, "
            f"model={type(self.model).__name__})"
        )


def load_data(config: TrainConfig, device: Union[str, torch.device, None] = None):
    """``(train_batches, test_batches)`` for ``config``: :class:`snnlib.data.Batches` on ``device``.

    ``device`` defaults to ``config.device``. The training batches are shuffled with ``config.seed``;
    the test batches hold 1000 images each, in file order (the first ``config.max_test`` only, if set).
    """
    config = _config(config)
    device = get_device(config.device if device is None else device)
    train_x, train_y = _data.load_mnist("train", source=config.source, root=config.root, dataset=config.dataset)
    test_x, test_y = _data.load_mnist("test", source=config.source, root=config.root, dataset=config.dataset)
    if config.max_test is not None:
        test_x, test_y = test_x[: config.max_test], test_y[: config.max_test]
    train = _data.Batches(
        train_x, train_y, batch_size=config.batch_size, shuffle=True, seed=config.seed, device=device, scale=config.scale
    )
    test = _data.Batches(test_x, test_y, batch_size=1000, shuffle=False, device=device, scale=config.scale)
    return train, test


def build(config: TrainConfig, steps_per_epoch: int, device: Union[str, torch.device, None] = None):
    """``(model, optimizer, scheduler)`` for ``config`` (weights seeded by ``config.seed``) on ``device``.

    ``config.optimizer`` (Adam or AdamW, fused on the CPU and CUDA when available) and a :class:`torch.optim.lr_scheduler.LambdaLR`
    following ``config.schedule`` over ``steps_per_epoch * config.epochs`` steps.
    """
    config = _config(config)
    steps_per_epoch = integer(steps_per_epoch, "steps_per_epoch", 1)
    device = get_device(config.device if device is None else device)
    seed_everything(config.seed)
    model = _models.SpikingMLP(
        num_steps=config.num_steps,
        beta=config.beta,
        threshold=config.threshold,
        reset=config.reset,
        learn_beta=config.learn_beta,
        learn_threshold=config.learn_threshold,
        fast=config.fast,
    ).to(device)
    optimizer = OPTIMIZERS[config.optimizer]
    adam = dict(lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)
    try:
        opt = optimizer(model.parameters(), fused=device.type in ("cpu", "cuda"), **adam)
    except (RuntimeError, TypeError):  # pragma: no cover - fused Adam unsupported here
        opt = optimizer(model.parameters(), **adam)
    total = steps_per_epoch * config.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor(config.schedule, total, config.warmup_steps))
    return model, opt, sched


@torch.no_grad()
def evaluate(model: torch.nn.Module, batches, readout: str = "count", max_batches: Optional[int] = None) -> Dict[str, float]:
    """Test accuracy of ``model`` over ``batches`` (``(x, y)`` pairs, ``x`` ``[B, 28, 28]``, ``y`` ``[B]``).

    Returns ``{"accuracy", "accuracy_count", "accuracy_membrane", "seconds", "samples",
    "hidden_spikes_per_sample"}`` (accuracies in [0, 1]; ``accuracy`` uses ``readout``, one of
    :data:`READOUTS`). ``max_batches``: stop after this many batches (``None``: all).
    """
    readout = choice(readout, "readout", READOUTS)
    max_batches = None if max_batches is None else integer(max_batches, "max_batches", 1)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (e.g. snnlib.models.SpikingMLP), got {describe(model)}")
    _batches(batches, "batches")
    was_training = model.training
    model.eval()
    correct = {name: torch.zeros((), dtype=torch.long) for name in READOUTS}
    n = 0
    spikes = 0.0
    start = time.perf_counter()
    for i, (x, y) in enumerate(batches):
        if max_batches is not None and i >= max_batches:
            break
        if isinstance(model, _models.SpikingMLP):
            spk, mem, count = model.record(x)[:3]
        else:
            (spk, mem), count = model(x), None
        for name in READOUTS:
            correct[name] = correct[name] + (_models.predict(spk, mem, name) == y).sum().cpu()
        if count is not None:
            spikes += float(count.sum())
        n += y.shape[0]
    synchronize(x.device if n else torch.device("cpu"))
    seconds = time.perf_counter() - start
    model.train(was_training)
    return {
        "accuracy": float(correct[readout]) / max(n, 1),
        "seconds": seconds,
        "samples": n,
        "accuracy_count": float(correct["count"]) / max(n, 1),
        "accuracy_membrane": float(correct["membrane"]) / max(n, 1),
        "hidden_spikes_per_sample": spikes / max(n, 1),
    }


def fit(
    config: Optional[TrainConfig] = None,
    resume: bool = False,
    progress: bool = True,
    stop_after_epoch: Optional[int] = None,
    data=None,
    json_path=None,
    log: Optional[bool] = None,
    cuda_graphs: Optional[bool] = None,
    precision: str = "float32",
) -> FitResult:
    """Train (or resume) the run described by ``config``; returns a :class:`FitResult`.

    Args:
        config: :class:`TrainConfig` (default: the recipe).
        resume: continue from ``config.checkpoint/last.pt`` if it exists (its config must match,
            except ``epochs``).
        progress: show a tqdm progress bar.
        stop_after_epoch: stop after this many epochs (as if interrupted), keeping the schedule
            of the full ``config.epochs`` run; used to test resuming.
        data: optional ``(train_batches, test_batches)`` to reuse already-loaded data (see
            :func:`load_data`); ``train_batches`` a :class:`snnlib.data.Batches`.
        json_path: also write the run's record (:meth:`FitResult.record`) there, atomically.
        log: print one line per epoch (default: same as ``progress``).
        cuda_graphs: replay each training step from a CUDA graph (``None``: on CUDA, unless compiled
            or distributed; see :func:`snnlib.train.graphs.use_graphs`).
        precision: ``"float32"`` or ``"bfloat16"`` (autocast; the membranes stay float32), see
            :data:`PRECISIONS`.

    Under ``torchrun`` every process trains its part of each global batch (see
    :mod:`snnlib.train.distributed`); only rank 0 prints and writes the checkpoint and the JSON.

    Before the first epoch it checks that the checkpoint folder and ``json_path`` can be written
    (and that the disk has room for a checkpoint), and removes temporary files that a killed run
    left there (:func:`snnlib._io.clean_stale`). A checkpoint is written only when every weight and
    optimiser value is finite.

    Raises:
        TrainingDiverged: when the loss or a weight becomes NaN or infinite (with the epoch, and
            which checkpoint is still good).
        ValueError: ``resume=True`` with a checkpoint made by a different config
            (:class:`snnlib.train.checkpoint.CheckpointError` for an unsafe or damaged one).
        OSError: the checkpoint folder or ``json_path`` cannot be written (read-only, disk full).
    """
    config = TrainConfig() if config is None else _config(config)
    resume, progress = boolean(resume, "resume"), boolean(progress, "progress")
    log = progress if log is None else boolean(log, "log")
    if stop_after_epoch is not None:
        stop_after_epoch = integer(stop_after_epoch, "stop_after_epoch", 0)
    autocast = PRECISIONS[choice(precision, "precision", PRECISIONS)]
    world, device = _distributed.init(config.device)
    progress, log = progress and world.main, log and world.main
    ckpt_path = checkpoint_file(config.checkpoint) if config.checkpoint else None
    json_path = _writable_json(json_path)
    train_batches, test_batches = load_data(config, device) if data is None else _data_pair(data, config)
    steps_per_epoch = len(train_batches) if config.max_batches is None else min(config.max_batches, len(train_batches))
    model, opt, sched = build(config, steps_per_epoch, device)
    if ckpt_path is not None:
        clean_stale(ckpt_path)
        check_writable(ckpt_path, _checkpoint_size(model), what="checkpoint")
    history: Dict[str, Any] = {
        "config": config.to_dict(),
        "device": str(device),
        "device_name": device_name(device),
        "loss": [],
        "epochs": [],
        "torch": str(torch.__version__),
    }
    start_epoch = 0
    good = None  # the epoch (0-based) of the checkpoint on disk that is known to be good
    if resume and ckpt_path is not None and ckpt_path.exists():
        state = load_checkpoint(ckpt_path, device)
        check_resumable(state, config, ckpt_path)
        start_epoch, history = restore(state, model, opt, sched)
        good = start_epoch - 1
        if progress:
            print(f"resuming from {ckpt_path} after epoch {start_epoch}")
    history.update(world_size=world.size, precision=precision)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    eager = world.wrap(model)
    forward = _models.maybe_compile(eager, device, config.compile)
    graphs = _graphs.use_graphs(cuda_graphs, device, forward is not eager, world.size)
    step = _graphs.TrainStep(
        model, opt, lambda spk, mem, y: _loss(config, spk, mem, y), eager=eager, forward=forward, autocast=autocast, graphs=graphs
    )
    last = config.epochs if stop_after_epoch is None else min(config.epochs, stop_after_epoch)
    for epoch in range(start_epoch, last):
        try:
            losses, n, train_seconds = _train_epoch(
                config, step, sched, train_batches, steps_per_epoch, epoch, device, progress, world
            )
        except TrainingDiverged as err:
            raise TrainingDiverged(f"{err} {_good_checkpoint(ckpt_path, good)}") from None
        bad = nonfinite_entries({"model": model.state_dict(), "optimizer": opt.state_dict()})
        if bad:
            raise TrainingDiverged(
                f"after epoch {epoch + 1}, {', '.join(bad[:3])}{' ...' if len(bad) > 3 else ''} hold NaN or inf "
                f"(the loss was still finite): training stopped and nothing was checkpointed. Try a smaller "
                f"learning rate (now {config.lr:g}). {_good_checkpoint(ckpt_path, good)}"
            )
        ev = evaluate(model, test_batches, config.readout)
        epoch_losses = losses.float().cpu().tolist()
        history["loss"].extend(epoch_losses)
        history["epochs"].append(
            {
                "epoch": epoch + 1,
                "train_loss": float(np.mean(epoch_losses)) if epoch_losses else float("nan"),
                "test_accuracy": ev["accuracy"],
                "test_accuracy_count": ev["accuracy_count"],
                "test_accuracy_membrane": ev["accuracy_membrane"],
                "train_seconds": train_seconds,
                "eval_seconds": ev["seconds"],
                "train_samples": n,
                "samples_per_s": n / train_seconds if train_seconds > 0 else float("nan"),
                "test_samples": ev["samples"],
                "hidden_spikes_per_sample": ev["hidden_spikes_per_sample"],
                "lr": sched.get_last_lr()[0],
            }
        )
        if log:
            e = history["epochs"][-1]
            print(
                f"epoch {epoch + 1}/{config.epochs}: loss {e['train_loss']:.3f}, test "
                f"{100 * e['test_accuracy']:.2f}%, {e['train_seconds']:.1f} s train "
                f"({e['samples_per_s']:.0f}/s), {e['eval_seconds']:.1f} s test",
                flush=True,
            )
        if ckpt_path is not None and world.main:
            save_checkpoint(ckpt_path, training_state(model, opt, sched, epoch, config, history))
            good = epoch
    history["peak_memory"] = peak_memory(device)
    history["train_seconds_total"] = sum(e["train_seconds"] for e in history["epochs"])
    history["completed"] = len(history["epochs"]) == config.epochs
    history["step"] = step.report()
    result = FitResult(history=history, model=model, config=config)
    if json_path is not None and world.main:
        result.write_json(json_path)
    world.close()
    return result


def _train_epoch(
    config: TrainConfig,
    step: _graphs.TrainStep,
    sched,
    train_batches,
    steps_per_epoch: int,
    epoch: int,
    device: torch.device,
    progress: bool,
    world: _distributed.World = _distributed.SINGLE,
):
    """One epoch of training; returns ``(losses [steps], samples, seconds)``.

    The losses (of the global batch: summed over processes) are checked every step on the CPU,
    every 50 steps on a GPU (checking waits for the device), and at the end of the epoch; the
    training step itself never waits for the device.
    """
    check_every = 1 if device.type != "cuda" else 50
    step.module.train()
    train_batches.set_epoch(epoch)
    losses: List[torch.Tensor] = []
    pending: List[torch.Tensor] = []
    bar = progress_bar(steps_per_epoch, f"epoch {epoch + 1}/{config.epochs}", progress)
    synchronize(device)
    t0 = time.perf_counter()
    n = i = 0
    shift = Shifter(config.shift, config.seed, epoch, device, _background(train_batches))
    # Shift each global batch before it is split over the processes, so that every process count
    # draws the same shifts (one process and N processes train on the same images).
    shifted = ((shift(x), y) for x, y in train_batches)
    for i, (x, y, weight, size) in enumerate(world.batches(shifted)):
        if i >= steps_per_epoch:
            break
        pending.append(world.share(step(x, y, weight), weight))
        sched.step()
        n += size
        if (i + 1) % check_every == 0 or i + 1 == steps_per_epoch:
            losses.append(_checked(pending, epoch, i, config, world))
            pending = []
            if bar is not None:
                bar.set_postfix(loss=f"{float(losses[-1][-1]):.3f}")
        if bar is not None:
            bar.update(1)
    if pending:
        losses.append(_checked(pending, epoch, i, config, world))
    synchronize(device)
    seconds = time.perf_counter() - t0
    if bar is not None:
        bar.close()
    return (torch.cat(losses) if losses else torch.zeros(0)), n, seconds


def _loss(config: TrainConfig, spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The training loss ``config.loss`` (see :data:`LOSSES`) of output records ``[T, B, C]`` and labels ``[B]``."""
    return LOSSES[config.loss](spk, mem, y, config.label_smoothing)


def _background(batches) -> float:
    """The value a blank (0) pixel takes after ``batches``' scaling: the fill of shifted images."""
    blank = torch.zeros((1, 1), dtype=torch.uint8)
    return float(batches.normalise(blank).reshape(-1)[0]) if hasattr(batches, "normalise") else 0.0


def _checked(pending: List[torch.Tensor], epoch: int, step: int, config: TrainConfig, world) -> torch.Tensor:
    """The global losses of the steps up to ``step`` (0-based); raises :class:`TrainingDiverged` on NaN/inf."""
    values = world.sum(torch.stack(pending))
    if not bool(torch.isfinite(values).all()):
        raise TrainingDiverged(
            f"the loss became {float(values[~torch.isfinite(values)][0])} at epoch {epoch + 1}, step {step + 1} "
            f"(or just before): training stopped. Try a smaller learning rate (now {config.lr:g}), "
            f"or check the input scaling ({config.scale!r})."
        )
    return values


def _good_checkpoint(ckpt_path, good: Optional[int]) -> str:
    """Which checkpoint is still good after a divergence (the sentence the error ends with)."""
    if ckpt_path is None:
        return "No checkpoint was kept (config.checkpoint is None)."
    if good is None:
        earlier = f" ({ckpt_path} is from an earlier run)" if ckpt_path.exists() else ""
        return f"This run has written no checkpoint yet, so none of it is good{earlier}."
    return f"The last good checkpoint is {ckpt_path}, after epoch {good + 1}: resume from it with resume=True (--resume)."


def _checkpoint_size(model: torch.nn.Module) -> int:
    """About how many bytes a checkpoint of ``model`` takes: the weights and Adam's two moments, plus room."""
    weights = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    return int(3.3 * weights) + (1 << 20)


def _writable_json(json_path):
    """``json_path`` checked to be writable (before any training), stale temporaries removed; ``None`` stays."""
    if json_path is None:
        return None
    if not isinstance(json_path, (str, os.PathLike)) or not str(os.fspath(json_path)).strip():
        raise TypeError(f"json_path must be a file name (a str or a path) or None, got {describe(json_path)}")
    path = Path(os.path.abspath(os.path.expanduser(os.fspath(json_path))))
    clean_stale(path)
    return check_writable(path, what="JSON record")


def _batches(batches: Any, name: str) -> Any:
    """``batches``: an iterable of ``(x, y)`` pairs (a :class:`snnlib.data.Batches`, a list, a loader)."""
    if isinstance(batches, (str, bytes, dict)) or not hasattr(batches, "__iter__"):
        raise TypeError(f"{name} must be an iterable of (x, y) batches such as snnlib.data.Batches, got {describe(batches)}")
    return batches


def _config(config: Any) -> TrainConfig:
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a snnlib.train.TrainConfig, got {describe(config)}")
    return config


def _data_pair(data: Any, config: TrainConfig) -> Tuple[_data.Batches, Any]:
    if not isinstance(data, (tuple, list)) or len(data) != 2 or not isinstance(data[0], _data.Batches):
        raise TypeError(
            "data must be a pair (train_batches, test_batches), train_batches a snnlib.data.Batches "
            f"(see snnlib.train.load_data), got {describe(data)}"
        )
    for name, batches in zip(("train", "test"), data):
        scale = getattr(batches, "scale", config.scale)
        if scale != config.scale:
            raise ValueError(
                f"data: the {name} batches scale the pixels with scale={scale!r} but config.scale is "
                f"{config.scale!r}; make them with snnlib.train.load_data(config) or the same scale"
            )
    return data[0], data[1]
