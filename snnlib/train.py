"""Training and evaluation of the chapter's spiking MLP on MNIST: loops, history, checkpoints, command line.

``history = fit(TrainConfig(epochs=5))`` trains :class:`snnlib.models.SpikingMLP` on
:class:`snnlib.data.Batches` kept on the device, evaluates on the test set after every epoch, and
returns a history dict (loss per step, test accuracy, seconds and samples/s per epoch). With
``checkpoint=DIR`` it writes ``DIR/last.pt`` after every epoch (atomically: a temporary file, then
``os.replace``) holding the model, optimiser, scheduler, RNG states and history, so that
``resume=True`` continues exactly where the run stopped.

Command line (defaults are the chapter's recipe)::

    python -m snnlib.train --epochs 5 --batch-size 128 --num-steps 25 --source auto --device auto \\
        --seed 0 --checkpoint runs/mnist --json runs/mnist.json

The recipe: Adam (lr 2e-3, betas 0.9/0.999), a short linear warm-up then cosine decay to zero over
the whole run, inputs standardised with the MNIST mean and standard deviation, cross-entropy on the
output membrane at every step (summed over steps), read out by the summed output membrane (the
spike-count readout is reported alongside).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch

from . import data as _data
from . import models as _models
from ._core import get_device, seed_everything

__all__ = ["TrainConfig", "TrainingDiverged", "build", "evaluate", "fit", "atomic_save", "atomic_write_json",
           "peak_memory", "device_name", "main"]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the message says at which epoch and step, and what to try."""


@dataclass
class TrainConfig:
    """Everything that defines a training run (the defaults are the chapter's recipe).

    Attributes:
        epochs, batch_size, num_steps: as named (5, 128, 25).
        lr, betas, weight_decay: Adam's settings (2e-3, (0.9, 0.999), 0).
        schedule: ``"cosine"`` (linear warm-up for ``warmup_steps`` then cosine to 0) or ``"constant"``.
        scale: input scaling, ``"standard"`` ((x - mean) / std) or ``"unit"`` (pixels / 255).
        loss: ``"membrane"`` (CE on the output membrane at every step) or ``"rate"`` (CE on spike counts).
        readout: ``"membrane"`` (highest summed output membrane, the recipe) or ``"count"`` (spike count,
            ties broken by the membrane).
        beta, threshold, learn_beta, learn_threshold, reset: the LIF neurons.
        fast: use the fast path of :class:`snnlib.models.SpikingMLP`.
        compile: ``torch.compile`` the model (``None``: only on CUDA; falls back to eager on error).
        source, root, dataset: where the data come from (see :func:`snnlib.data.load_mnist`).
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ...
        seed: seeds the weights and the shuffling.
        max_batches: stop each epoch after this many batches (``None``: all); for quick runs.
        max_test: evaluate on the first ``max_test`` test images only (``None``: all).
        checkpoint: folder for ``last.pt`` (``None``: no checkpoints).
    """

    epochs: int = 5
    batch_size: int = 128
    num_steps: int = 25
    lr: float = 2e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    schedule: str = "cosine"
    warmup_steps: int = 100
    scale: str = "standard"
    loss: str = "membrane"
    readout: str = "membrane"
    beta: float = 0.95
    threshold: float = 1.0
    learn_beta: bool = False
    learn_threshold: bool = False
    reset: str = "subtract"
    fast: bool = True
    compile: Optional[bool] = None
    source: str = "auto"
    root: Optional[str] = None
    dataset: str = "mnist"
    device: str = "auto"
    seed: int = 0
    max_batches: Optional[int] = None
    max_test: Optional[int] = None
    checkpoint: Optional[str] = None

    def __post_init__(self):
        self.betas = tuple(self.betas)
        for name in ("epochs", "batch_size", "num_steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be a finite number > 0, got {self.lr!r}")
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"schedule must be 'cosine' or 'constant', got {self.schedule!r}")
        if self.loss not in ("membrane", "rate"):
            raise ValueError(f"loss must be 'membrane' or 'rate', got {self.loss!r}")
        if self.readout not in ("count", "membrane"):
            raise ValueError(f"readout must be 'count' or 'membrane', got {self.readout!r}")
        if self.max_batches is not None and self.max_batches < 1:
            raise ValueError(f"max_batches must be >= 1 or None, got {self.max_batches!r}")


# ---------------------------------------------------------------------------------------------
# Files written atomically
# ---------------------------------------------------------------------------------------------


def _atomic(path, write) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_save(obj: Any, path) -> Path:
    """``torch.save(obj)`` to ``path`` through a temporary file and ``os.replace``: never half-written."""
    return _atomic(path, lambda fh: torch.save(obj, fh))


def atomic_write_json(obj: Any, path) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically (temporary file, then ``os.replace``)."""
    text = json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n"
    return _atomic(path, lambda fh: fh.write(text.encode()))


def _json_default(obj):
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, (Path, torch.device)):
        return str(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def device_name(device: torch.device) -> str:
    """A human-readable name of the device: the GPU's name, or the CPU model and core count."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu} ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)"


def peak_memory(device: torch.device) -> Dict[str, Any]:
    """Peak memory: CUDA's max allocated bytes on a GPU, else the process's max resident set size."""
    device = torch.device(device)
    if device.type == "cuda":
        return {"kind": "cuda_max_allocated", "bytes": int(torch.cuda.max_memory_allocated(device))}
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"kind": "process_max_rss", "bytes": int(rss * (1 if sys.platform == "darwin" else 1024))}
    except Exception:  # pragma: no cover - platform without resource
        return {"kind": "unknown", "bytes": None}


def _lr_lambda(config: TrainConfig, total_steps: int):
    warm = max(1, min(config.warmup_steps, total_steps // 4))

    def factor(step: int) -> float:
        if config.schedule == "constant":
            return 1.0
        if step < warm:
            return (step + 1) / warm
        progress = min(1.0, (step - warm) / max(1, total_steps - warm))
        return 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def build(config: TrainConfig, steps_per_epoch: int, device: torch.device):
    """The model, optimiser and scheduler for ``config`` (weights seeded by ``config.seed``)."""
    seed_everything(config.seed)
    model = _models.SpikingMLP(num_steps=config.num_steps, beta=config.beta, threshold=config.threshold,
                               reset=config.reset, learn_beta=config.learn_beta,
                               learn_threshold=config.learn_threshold, fast=config.fast).to(device)
    fused = device.type in ("cpu", "cuda")
    try:
        opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=config.betas,
                               weight_decay=config.weight_decay, fused=fused)
    except (RuntimeError, TypeError):  # pragma: no cover - fused Adam unsupported here
        opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=config.betas,
                               weight_decay=config.weight_decay)
    total = steps_per_epoch * config.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _lr_lambda(config, total))
    return model, opt, sched


def _loss(config: TrainConfig, spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if config.loss == "membrane":
        return _models.membrane_ce_loss(mem, y)
    return _models.rate_ce_loss(spk, y)


@torch.no_grad()
def evaluate(model, batches, readout: str = "count", max_batches: Optional[int] = None) -> Dict[str, float]:
    """Test accuracy of ``model`` over ``batches`` (``(x, y)`` pairs, ``x`` ``[B, 28, 28]``).

    Returns ``{"accuracy", "accuracy_count", "accuracy_membrane", "seconds", "samples",
    "hidden_spikes_per_sample"}`` (accuracies in [0, 1]; ``accuracy`` uses ``readout``).
    """
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.long)
    both = {"count": torch.zeros((), dtype=torch.long), "membrane": torch.zeros((), dtype=torch.long)}
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
        correct = correct + (_models.predict(spk, mem, readout) == y).sum().cpu()
        for name in ("count", "membrane"):
            both[name] = both[name] + (_models.predict(spk, mem, name) == y).sum().cpu()
        if count is not None:
            spikes += float(count.sum())
        n += y.shape[0]
    _sync(x.device if n else torch.device("cpu"))
    seconds = time.perf_counter() - start
    model.train(was_training)
    return {"accuracy": float(correct) / max(n, 1), "seconds": seconds, "samples": n,
            "accuracy_count": float(both["count"]) / max(n, 1), "accuracy_membrane": float(both["membrane"]) / max(n, 1),
            "hidden_spikes_per_sample": spikes / max(n, 1)}


def _sync(device: torch.device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def _rng_state() -> Dict[str, Any]:
    state = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: Dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _load_data(config: TrainConfig, device: torch.device):
    train_x, train_y = _data.load_mnist("train", source=config.source, root=config.root, dataset=config.dataset)
    test_x, test_y = _data.load_mnist("test", source=config.source, root=config.root, dataset=config.dataset)
    if config.max_test is not None:
        test_x, test_y = test_x[:config.max_test], test_y[:config.max_test]
    train = _data.Batches(train_x, train_y, batch_size=config.batch_size, shuffle=True, seed=config.seed,
                          device=device, scale=config.scale)
    test = _data.Batches(test_x, test_y, batch_size=1000, shuffle=False, device=device, scale=config.scale)
    return train, test


# ---------------------------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------------------------


def fit(config: Optional[TrainConfig] = None, resume: bool = False, progress: bool = True,
        stop_after_epoch: Optional[int] = None, data=None, json_path=None,
        log: Optional[bool] = None) -> Dict[str, Any]:
    """Train (or resume) a run described by ``config`` and return its history.

    Args:
        config: :class:`TrainConfig` (default: the recipe).
        resume: continue from ``config.checkpoint/last.pt`` if it exists.
        progress: show a tqdm progress bar.
        stop_after_epoch: stop after this many epochs (as if interrupted), keeping the schedule
            of the full ``config.epochs`` run; used to test resuming.
        data: optional ``(train_batches, test_batches)`` to reuse already-loaded data.
        json_path: also write the JSON record (see :func:`record`) there, atomically.
        log: print one line per epoch (default: same as ``progress``).

    Returns:
        history dict: ``config``, ``device``, ``device_name``, ``loss`` (per step), ``epochs`` (a
        list of per-epoch dicts: ``epoch``, ``train_loss``, ``test_accuracy``, ``train_seconds``,
        ``eval_seconds``, ``samples_per_s``, ...), ``peak_memory``, and ``model`` (the trained
        module, not written to JSON).

    Raises:
        TrainingDiverged: when the loss becomes NaN or infinite (with the epoch and step).
    """
    config = config or TrainConfig()
    device = get_device(None if config.device == "auto" else config.device)
    train_batches, test_batches = data if data is not None else _load_data(config, device)
    steps_per_epoch = len(train_batches) if config.max_batches is None else min(config.max_batches,
                                                                                  len(train_batches))
    model, opt, sched = build(config, steps_per_epoch, device)
    history: Dict[str, Any] = {"config": _config_dict(config), "device": str(device),
                               "device_name": device_name(device), "loss": [], "epochs": [],
                               "torch": torch.__version__}
    start_epoch = 0
    ckpt_path = Path(config.checkpoint) / "last.pt" if config.checkpoint else None
    if resume and ckpt_path is not None and ckpt_path.exists():
        state = torch.load(ckpt_path, map_location=device, weights_only=False)
        if state["config"] != _config_dict(config):
            diff = {k: (state["config"].get(k), v) for k, v in _config_dict(config).items()
                    if state["config"].get(k) != v and k != "epochs"}
            if diff:
                raise ValueError(f"cannot resume {ckpt_path}: its config differs in {diff} (checkpoint, now)")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        _set_rng_state(state["rng"])
        history = state["history"]
        start_epoch = state["epoch"] + 1
        if progress:
            print(f"resuming from {ckpt_path} after epoch {start_epoch}")
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    run_model = _models.maybe_compile(model, device, config.compile)
    check_every = 1 if device.type != "cuda" else 50
    last = config.epochs if stop_after_epoch is None else min(config.epochs, stop_after_epoch)
    for epoch in range(start_epoch, last):
        model.train()
        train_batches.set_epoch(epoch)
        losses: List[torch.Tensor] = []
        bar = _progress(steps_per_epoch, f"epoch {epoch + 1}/{config.epochs}", progress)
        _sync(device)
        t0 = time.perf_counter()
        n = 0
        for i, (x, y) in enumerate(train_batches):
            if i >= steps_per_epoch:
                break
            opt.zero_grad(set_to_none=True)
            try:
                spk, mem = run_model(x)
                loss = _loss(config, spk, mem, y)
                loss.backward()
            except Exception as err:
                if run_model is model:
                    raise
                # The compiled model failed (forward or backward): warn once, continue eagerly.
                warnings.warn(f"compiled model failed ({type(err).__name__}: {err}); using the eager fast path",
                              stacklevel=2)
                run_model = model
                opt.zero_grad(set_to_none=True)
                spk, mem = run_model(x)
                loss = _loss(config, spk, mem, y)
                loss.backward()
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
        _sync(device)
        train_seconds = time.perf_counter() - t0
        if bar is not None:
            bar.close()
        _check_finite(losses, epoch, len(losses) - 1, config)
        ev = evaluate(model, test_batches, config.readout)
        epoch_losses = torch.stack(losses).float().cpu().tolist() if losses else []
        history["loss"].extend(epoch_losses)
        history["epochs"].append({
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
        })
        if progress if log is None else log:
            e = history["epochs"][-1]
            print(f"epoch {epoch + 1}/{config.epochs}: loss {e['train_loss']:.4f}, test accuracy "
                  f"{100 * e['test_accuracy']:.2f}%, {e['train_seconds']:.1f} s training "
                  f"({e['samples_per_s']:.0f} samples/s), {e['eval_seconds']:.1f} s test", flush=True)
        if ckpt_path is not None:
            atomic_save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                         "scheduler": sched.state_dict(), "rng": _rng_state(), "epoch": epoch,
                         "config": _config_dict(config), "history": history}, ckpt_path)
    history["peak_memory"] = peak_memory(device)
    history["train_seconds_total"] = sum(e["train_seconds"] for e in history["epochs"])
    history["completed"] = len(history["epochs"]) == config.epochs
    if json_path is not None:
        atomic_write_json(record(history), json_path)
    history["model"] = model
    return history


def record(history: Dict[str, Any]) -> Dict[str, Any]:
    """The JSON-able part of a history (everything but the model)."""
    return {k: v for k, v in history.items() if k != "model"}


def _config_dict(config: TrainConfig) -> Dict[str, Any]:
    d = asdict(config)
    d["betas"] = list(d["betas"])
    return d


def _check_finite(losses, epoch: int, step: int, config: TrainConfig) -> None:
    if not losses:
        return
    values = torch.stack(losses)
    if not bool(torch.isfinite(values).all()):
        raise TrainingDiverged(
            f"the loss became {float(values[~torch.isfinite(values)][0])} at epoch {epoch + 1}, step {step + 1} "
            f"(or just before): training stopped. Try a smaller learning rate (now {config.lr:g}), "
            f"check the input scaling ({config.scale!r}), or resume from the last checkpoint.")


def _progress(total: int, desc: str, enable: bool):
    if not enable:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc=desc, leave=False, file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    d = TrainConfig()
    p = argparse.ArgumentParser(prog="python -m snnlib.train",
                                description="Train the 784-1000-10 spiking MLP on MNIST (the chapter's recipe).")
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--num-steps", type=int, default=d.num_steps)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--schedule", choices=["cosine", "constant"], default=d.schedule)
    p.add_argument("--scale", choices=["standard", "unit"], default=d.scale)
    p.add_argument("--loss", choices=["membrane", "rate"], default=d.loss)
    p.add_argument("--readout", choices=["count", "membrane"], default=d.readout)
    p.add_argument("--learn-beta", action="store_true")
    p.add_argument("--learn-threshold", action="store_true")
    p.add_argument("--plain", action="store_true", help="use the per-step loop instead of the fast path")
    p.add_argument("--source", choices=["auto", "full", "bundled"], default=d.source)
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default=d.dataset)
    p.add_argument("--root", default=None, help="folder with the MNIST IDX files")
    p.add_argument("--device", default=d.device, help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--max-batches", type=int, default=None, help="batches per epoch (default: all)")
    p.add_argument("--max-test", type=int, default=None, help="test images to evaluate (default: all)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    p.add_argument("--no-compile", action="store_true", help="never torch.compile (default: only on CUDA)")
    p.add_argument("--checkpoint", default=None, help="folder for last.pt, written after every epoch")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint folder's last.pt")
    p.add_argument("--json", default=None, help="write the run's record (JSON) here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.resume and not args.checkpoint:
        print("--resume needs --checkpoint DIR", file=sys.stderr)
        return 2
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, num_steps=args.num_steps, lr=args.lr,
                         schedule=args.schedule, scale=args.scale, loss=args.loss, readout=args.readout,
                         learn_beta=args.learn_beta, learn_threshold=args.learn_threshold, fast=not args.plain,
                         compile=False if args.no_compile else None, source=args.source, root=args.root,
                         dataset=args.dataset, device=args.device, seed=args.seed, max_batches=args.max_batches,
                         max_test=args.max_test, checkpoint=args.checkpoint)
    try:
        history = fit(config, resume=args.resume, progress=not args.quiet, json_path=args.json)
    except TrainingDiverged as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    last = history["epochs"][-1] if history["epochs"] else None
    if last is not None:
        print(f"done: test accuracy {100 * last['test_accuracy']:.2f}% after {len(history['epochs'])} epochs, "
              f"{history['train_seconds_total']:.1f} s training on {history['device_name']}")
    if args.json:
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


# ---------------------------------------------------------------------------------------------
# Side-by-side throughput of the three implementations
# ---------------------------------------------------------------------------------------------

#: Implementations compared by :func:`compare_implementations`: name -> (description, factory).
IMPLEMENTATIONS = {
    "snnlib fast path": ("SpikingMLP(fast=True): W1 x once, fused hidden layer + output synapses (a C kernel "
                         "on the CPU), multi-step LIF"),
    "snnlib plain loop": "SpikingMLP(fast=False): per-step loop over snnlib.neurons.LIF",
    "snnTorch reference": "snnTorch tutorial: snn.Leaky(beta=0.95), per-step loop, per-step loss",
    "PyTorch reference": "plain PyTorch per-step loop with a hand-written arctan surrogate, per-step loss",
}


def _make_impl(name: str, num_steps: int, device: torch.device):
    if name == "snnlib fast path":
        return _models.SpikingMLP(num_steps=num_steps).to(device), True
    if name == "snnlib plain loop":
        return _models.SpikingMLP(num_steps=num_steps, fast=False).to(device), True
    if name == "snnTorch reference":
        return _models.SnnTorchReference(num_steps=num_steps).to(device), False
    if name == "PyTorch reference":
        return _models.TorchReference(num_steps=num_steps).to(device), False
    raise ValueError(f"unknown implementation {name!r}: expected one of {list(IMPLEMENTATIONS)}")


def _tutorial_loss(mem_rec: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """snnTorch tutorial's loss: a Python loop adding CrossEntropy(mem[t], y) over steps."""
    loss = torch.zeros((), device=mem_rec.device)
    for t in range(mem_rec.shape[0]):
        loss = loss + torch.nn.functional.cross_entropy(mem_rec[t], y)
    return loss


def compare_implementations(train_batches, test_batches, names=None, batches_per_round: int = 5,
                            rounds: int = 3, warmup: int = 1, num_steps: int = 25, lr: float = 5e-4,
                            eval_batches: Optional[int] = 2, seed: int = 0, progress: bool = True,
                            readout: str = "count") -> Dict[str, Any]:
    """Train the implementations side by side, alternating, and measure samples/s (training and evaluation).

    Every implementation trains the same batches (same order) with Adam (``lr``, betas 0.9/0.999)
    and the loss ``sum_t CE(U[t], y)``. Each round trains ``batches_per_round`` batches of each
    implementation in turn (after ``warmup`` untimed batches), so a busy machine slows all of them
    alike. Evaluation: no-grad forward passes over ``eval_batches`` test batches, and the test
    accuracy reached after training.

    Returns a dict: ``results`` (per implementation: ``train_samples_per_s`` (median over rounds),
    ``rounds`` (each round's samples/s), ``cpu_samples_per_s`` (per CPU-second of this process),
    ``eval_samples_per_s``, ``test_accuracy``, ``trained_samples``, ``description``), ``ratios``
    (fast path over each other implementation), ``device_name``, ``threads``, ``batch_size``.
    """
    names = list(names or ["snnlib fast path", "snnTorch reference", "PyTorch reference"])
    device = train_batches.device
    models, opts, per_step_loss = {}, {}, {}
    for name in names:
        seed_everything(seed)
        models[name], vectorised = _make_impl(name, num_steps, device)
        opts[name] = torch.optim.Adam(models[name].parameters(), lr=lr, betas=(0.9, 0.999),
                                      fused=device.type in ("cpu", "cuda"))
        per_step_loss[name] = not vectorised
    it = _cycle(train_batches)
    batches = [next(it) for _ in range(warmup + batches_per_round * rounds)]
    stats = {n: {"rounds": [], "cpu": [], "samples": 0} for n in names}

    def train_on(name, chunk):
        model, opt = models[name], opts[name]
        for x, y in chunk:
            spk, mem = model(x)
            loss = _tutorial_loss(mem, y) if per_step_loss[name] else _models.membrane_ce_loss(mem, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        _sync(device)

    for name in names:
        train_on(name, batches[:warmup])
    bar = _progress(rounds * len(names), "throughput", progress)
    for r in range(rounds):
        chunk = batches[warmup + r * batches_per_round: warmup + (r + 1) * batches_per_round]
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
        model = models[name]
        model.eval()
        with torch.no_grad():
            t0, n = time.perf_counter(), 0
            correct = 0
            for i, (x, y) in enumerate(test_batches):
                if eval_batches is not None and i >= eval_batches:
                    break
                spk, mem = model(x)
                correct += int((_models.predict(spk, mem, readout) == y).sum())
                n += y.shape[0]
            _sync(device)
            eval_s = time.perf_counter() - t0
        results[name] = {
            "description": IMPLEMENTATIONS[name],
            "train_samples_per_s": float(np.median(stats[name]["rounds"])),
            "rounds": stats[name]["rounds"],
            "cpu_samples_per_s": float(np.median(stats[name]["cpu"])),
            "trained_samples": stats[name]["samples"] + sum(y.shape[0] for _, y in batches[:warmup]),
            "eval_samples_per_s": n / eval_s if eval_s > 0 else float("nan"),
            "test_accuracy": correct / max(n, 1),
            "test_samples": n,
        }
    fast = names[0]
    ratios = {f"{fast} / {n}": results[fast]["train_samples_per_s"] / results[n]["train_samples_per_s"]
              for n in names[1:]}
    # Round-by-round ratios show how steady the comparison was on a shared machine.
    spread = {f"{fast} / {n}": [a / b for a, b in zip(stats[fast]["rounds"], stats[n]["rounds"])] for n in names[1:]}
    return {"results": results, "ratios": ratios, "ratio_per_round": spread, "device": str(device),
            "device_name": device_name(device), "threads": torch.get_num_threads(),
            "batch_size": batches[0][1].shape[0], "num_steps": num_steps, "batches_per_round": batches_per_round,
            "rounds": rounds, "torch": torch.__version__}


def _cycle(batches):
    epoch = 0
    while True:
        batches.set_epoch(epoch)
        yield from batches
        epoch += 1
