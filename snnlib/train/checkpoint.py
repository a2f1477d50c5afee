"""Checkpoints that make a resumed run equal an uninterrupted one, written atomically.

A checkpoint (``DIR/last.pt``, written after every epoch) is a dict: ``model``, ``optimizer`` and
``scheduler`` (their ``state_dict()``), ``rng`` (the Python, NumPy, torch and CUDA generator states),
``epoch`` (the last completed epoch, 0-based), ``config`` (:meth:`TrainConfig.to_dict`) and ``history``
(the run's record so far). :func:`save_checkpoint` writes it through :func:`snnlib._io.atomic_write`:
a reader (or a resumed run) sees the old checkpoint or the new one, never half of one.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any, Dict, Tuple, Union

import numpy as np
import torch

from .._checks import describe, integer
from .._io import atomic_write
from .config import TrainConfig

__all__ = [
    "CHECKPOINT_FILE",
    "checkpoint_file",
    "save_checkpoint",
    "load_checkpoint",
    "training_state",
    "check_resumable",
    "restore",
    "rng_state",
    "set_rng_state",
]

#: The checkpoint's file name inside a run's checkpoint folder.
CHECKPOINT_FILE = "last.pt"

PathLike = Union[str, "os.PathLike[str]"]


def checkpoint_file(folder: PathLike) -> Path:
    """``folder/last.pt``: where a run with ``checkpoint=folder`` keeps its checkpoint."""
    return Path(folder) / CHECKPOINT_FILE


def save_checkpoint(path: PathLike, state: Dict[str, Any]) -> Path:
    """``torch.save(state)`` to ``path`` atomically (temporary file, then one rename); returns the path.

    If writing fails (an object that cannot be pickled, a full disk), the previous file at ``path``
    is left as it was and no temporary file remains.
    """
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict (see snnlib.train.checkpoint), got {describe(state)}")
    return atomic_write(path, lambda fh: torch.save(state, fh))


def load_checkpoint(path: PathLike, device: Union[str, torch.device, None] = None) -> Dict[str, Any]:
    """The checkpoint dict saved at ``path``, its tensors moved to ``device`` (default: where they were saved).

    Checkpoints hold Python objects (generator states, the history), so they are loaded with
    ``weights_only=False``: load only checkpoints you wrote yourself.
    """
    return torch.load(Path(path), map_location=device, weights_only=False)


def rng_state() -> Dict[str, Any]:
    """The states of torch's, Python's and NumPy's global generators (and CUDA's when present)."""
    state = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Dict[str, Any]) -> None:
    """Restore the generator states saved by :func:`rng_state`."""
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def training_state(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    epoch: int,
    config: TrainConfig,
    history: Dict[str, Any],
) -> Dict[str, Any]:
    """The checkpoint dict after epoch ``epoch`` (0-based) of a run (see the module's description)."""
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": rng_state(),
        "epoch": integer(epoch, "epoch", 0),
        "config": config.to_dict(),
        "history": history,
    }


def check_resumable(state: Dict[str, Any], config: TrainConfig, path: PathLike) -> None:
    """Raise :class:`ValueError` unless the checkpoint ``state`` (read from ``path``) was made with ``config``.

    Only ``epochs`` may differ: a run can be resumed to train for longer (or shorter).
    """
    saved, now = state["config"], config.to_dict()
    diff = {k: (saved.get(k), v) for k, v in now.items() if saved.get(k) != v and k != "epochs"}
    if diff:
        raise ValueError(f"cannot resume {path}: its config differs in {diff} (checkpoint, now)")


def restore(
    state: Dict[str, Any], model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any
) -> Tuple[int, Dict[str, Any]]:
    """Load ``state`` into the model, optimiser, scheduler and generators; returns ``(next_epoch, history)``."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return state["epoch"] + 1, state["history"]
