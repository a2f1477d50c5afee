"""The training loop and the evaluation: :func:`fit` returns a :class:`FitResult`, :func:`evaluate` a dict.

``result = fit(TrainConfig(epochs=5))`` trains :class:`snnlib.models.SpikingMLP` on
:class:`snnlib.data.Batches` kept on the device, evaluates on the test set after every epoch, and
returns the trained model beside the run's history (loss per step, test accuracy, seconds and
samples/s per epoch: plain JSON values). With ``checkpoint=DIR`` it writes ``DIR/last.pt`` after
every epoch (see :mod:`snnlib.train.checkpoint`), so that ``resume=True`` continues exactly where the
run stopped.
"""

from __future__ import annotations

import copy
import os
import time
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import torch

from .. import data as _data
from .. import models as _models
from .._checks import boolean, choice, describe, integer
from .._core import get_device, seed_everything
from .._io import atomic_write_json
from .augment import Shifter
from .checkpoint import check_resumable, checkpoint_file, load_checkpoint, restore, save_checkpoint, training_state
from .config import LOSSES, OPTIMIZERS, READOUTS, TrainConfig
from .measure import device_name, peak_memory, progress_bar, synchronize
from .schedule import lr_factor

__all__ = ["FitResult", "TrainingDiverged", "build", "evaluate", "fit", "load_data"]


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
            ``peak_memory``, ``train_seconds_total`` and ``completed`` (all ``config.epochs`` done).
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
    steps_per_epoch = integer(steps_per_epoch, "steps_per_epoch", 0)
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

    Raises:
        TrainingDiverged: when the loss becomes NaN or infinite (with the epoch and step).
        ValueError: ``resume=True`` with a checkpoint made by a different config.
    """
    config = TrainConfig() if config is None else _config(config)
    resume, progress = boolean(resume, "resume"), boolean(progress, "progress")
    log = progress if log is None else boolean(log, "log")
    if stop_after_epoch is not None:
        stop_after_epoch = integer(stop_after_epoch, "stop_after_epoch", 0)
    device = get_device(config.device)
    train_batches, test_batches = load_data(config, device) if data is None else _data_pair(data, config)
    steps_per_epoch = len(train_batches) if config.max_batches is None else min(config.max_batches, len(train_batches))
    model, opt, sched = build(config, steps_per_epoch, device)
    history: Dict[str, Any] = {
        "config": config.to_dict(),
        "device": str(device),
        "device_name": device_name(device),
        "loss": [],
        "epochs": [],
        "torch": torch.__version__,
    }
    start_epoch = 0
    ckpt_path = checkpoint_file(config.checkpoint) if config.checkpoint else None
    if resume and ckpt_path is not None and ckpt_path.exists():
        state = load_checkpoint(ckpt_path, device)
        check_resumable(state, config, ckpt_path)
        start_epoch, history = restore(state, model, opt, sched)
        if progress:
            print(f"resuming from {ckpt_path} after epoch {start_epoch}")
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    run_model = _models.maybe_compile(model, device, config.compile)
    last = config.epochs if stop_after_epoch is None else min(config.epochs, stop_after_epoch)
    for epoch in range(start_epoch, last):
        losses, n, train_seconds, run_model = _train_epoch(
            config, model, run_model, opt, sched, train_batches, steps_per_epoch, epoch, device, progress
        )
        ev = evaluate(model, test_batches, config.readout)
        epoch_losses = torch.stack(losses).float().cpu().tolist() if losses else []
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
        if ckpt_path is not None:
            save_checkpoint(ckpt_path, training_state(model, opt, sched, epoch, config, history))
    history["peak_memory"] = peak_memory(device)
    history["train_seconds_total"] = sum(e["train_seconds"] for e in history["epochs"])
    history["completed"] = len(history["epochs"]) == config.epochs
    result = FitResult(history=history, model=model, config=config)
    if json_path is not None:
        result.write_json(json_path)
    return result


def _train_epoch(
    config: TrainConfig,
    model,
    run_model,
    opt,
    sched,
    train_batches,
    steps_per_epoch: int,
    epoch: int,
    device: torch.device,
    progress: bool,
):
    """One epoch of training; returns ``(losses, samples, seconds, run_model)``.

    ``run_model`` is the (possibly compiled) model to call; it comes back as ``model`` itself once a
    compiled model has failed. The losses are checked every step on the CPU, every 50 steps on a GPU
    (checking syncs with the device), and at the end of the epoch.
    """
    check_every = 1 if device.type != "cuda" else 50
    model.train()
    train_batches.set_epoch(epoch)
    losses: List[torch.Tensor] = []
    bar = progress_bar(steps_per_epoch, f"epoch {epoch + 1}/{config.epochs}", progress)
    synchronize(device)
    t0 = time.perf_counter()
    n = 0
    shift = Shifter(config.shift, config.seed, epoch, device, _background(train_batches))
    for i, (x, y) in enumerate(train_batches):
        if i >= steps_per_epoch:
            break
        loss, run_model = _step(config, model, run_model, opt, shift(x), y)
        opt.step()
        sched.step()
        losses.append(loss.detach())
        n += y.shape[0]
        if (i + 1) % check_every == 0 or i + 1 == steps_per_epoch:
            _check_finite(losses[-check_every:], epoch, i, config)
        if bar is not None:
            bar.update(1)
            if i % 20 == 0:
                bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
    synchronize(device)
    seconds = time.perf_counter() - t0
    if bar is not None:
        bar.close()
    _check_finite(losses, epoch, len(losses) - 1, config)
    return losses, n, seconds, run_model


def _step(config: TrainConfig, model, run_model, opt, x: torch.Tensor, y: torch.Tensor):
    """Forward and backward of one batch; returns ``(loss, run_model)`` (eager from now on if compiling failed)."""
    opt.zero_grad(set_to_none=True)
    try:
        spk, mem = run_model(x)
        loss = _loss(config, spk, mem, y)
        loss.backward()
    except Exception as err:
        if run_model is model:
            raise
        # The compiled model failed (forward or backward): warn once, continue eagerly.
        warnings.warn(f"compiled model failed ({type(err).__name__}: {err}); using the eager fast path", stacklevel=4)
        run_model = model
        opt.zero_grad(set_to_none=True)
        spk, mem = run_model(x)
        loss = _loss(config, spk, mem, y)
        loss.backward()
    return loss, run_model


def _loss(config: TrainConfig, spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The training loss ``config.loss`` (see :data:`LOSSES`) of output records ``[T, B, C]`` and labels ``[B]``."""
    return LOSSES[config.loss](spk, mem, y, config.label_smoothing)


def _background(batches) -> float:
    """The value a blank (0) pixel takes after ``batches``' scaling: the fill of shifted images."""
    blank = torch.zeros((1, 1), dtype=torch.uint8)
    return float(batches.normalise(blank).reshape(-1)[0]) if hasattr(batches, "normalise") else 0.0


def _check_finite(losses: List[torch.Tensor], epoch: int, step: int, config: TrainConfig) -> None:
    if not losses:
        return
    values = torch.stack(losses)
    if not bool(torch.isfinite(values).all()):
        raise TrainingDiverged(
            f"the loss became {float(values[~torch.isfinite(values)][0])} at epoch {epoch + 1}, step {step + 1} "
            f"(or just before): training stopped. Try a smaller learning rate (now {config.lr:g}), "
            f"check the input scaling ({config.scale!r}), or resume from the last checkpoint."
        )


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
