"""Checkpoints that make a resumed run equal an uninterrupted one: written atomically, read safely.

A checkpoint (``DIR/last.pt``, written after every epoch) is a dict: ``format`` (:data:`FORMAT`),
``model``, ``optimizer`` and ``scheduler`` (their ``state_dict()``), ``rng`` (the Python, NumPy,
torch and CUDA generator states, as tensors and plain values), ``epoch`` (the last completed
epoch, 0-based), ``config`` (:meth:`TrainConfig.to_dict`) and ``history`` (the run's record so far).

Safety, as PyTorch's own ``weights_only`` loading and Lightning's resume guarantees:

* everything in a checkpoint is a tensor or a plain Python value, so :func:`load_checkpoint` reads
  it with ``torch.load(..., weights_only=True)``: a file holding a pickled payload (in torch's zip
  format or as a raw pickle) is refused with a :class:`CheckpointError` and nothing in it runs;
  :func:`save_checkpoint` checks that what it writes loads that way;
* a state with a NaN or infinite weight or optimiser value is never written
  (:func:`nonfinite_entries` names the entries), so the checkpoint on disk is always a good one;
* :func:`save_checkpoint` writes through :func:`snnlib._io.atomic_write_bytes` (temporary file,
  ``fsync``, one rename): a reader sees the old checkpoint or the new one, never half of one, and
  a full disk or a read-only folder is an :class:`OSError` that says so and leaves the old file;
* :func:`checkpoint_file` normalises the folder (``~``, a trailing slash, a relative path), and
  :func:`check_resumable` compares paths as paths, so the same folder given another way resumes.
"""

from __future__ import annotations

import io
import os
import pickle
import random
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

import numpy as np
import torch

from .._checks import describe, integer
from .._io import atomic_write_bytes
from .config import TrainConfig

__all__ = [
    "CHECKPOINT_FILE",
    "FORMAT",
    "CheckpointError",
    "checkpoint_file",
    "save_checkpoint",
    "load_checkpoint",
    "nonfinite_entries",
    "checkpoint_bytes",
    "training_state",
    "check_resumable",
    "restore",
    "rng_state",
    "set_rng_state",
]

#: The checkpoint's file name inside a run's checkpoint folder.
CHECKPOINT_FILE = "last.pt"

#: The version of the checkpoint layout (2: generator states as tensors and plain values).
FORMAT = 2

#: The keys of a training checkpoint (:func:`training_state`).
_KEYS = ("format", "model", "optimizer", "scheduler", "rng", "epoch", "config", "history")

PathLike = Union[str, "os.PathLike[str]"]


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: unsafe content, damaged, not a training checkpoint, or non-finite."""


def _normal(path: PathLike) -> Path:
    """``path`` with ``~`` expanded, made absolute and free of ``.``/``..`` and trailing slashes."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {describe(path)}")
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"path must name a file or folder, got {describe(path)}")
    return Path(os.path.abspath(os.path.expanduser(text)))


def checkpoint_file(folder: PathLike) -> Path:
    """``folder/last.pt`` (absolute, normalised): where a run with ``checkpoint=folder`` keeps its checkpoint."""
    return _normal(folder) / CHECKPOINT_FILE


def _tensors(obj: Any, where: str):
    """Every tensor inside ``obj`` (dicts, lists, tuples), with where it is (``model['fc1.weight']``)."""
    if isinstance(obj, torch.Tensor):
        yield where, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _tensors(value, f"{where}[{key!r}]")
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _tensors(value, f"{where}[{i}]")


def _state(state: Any) -> Dict[str, Any]:
    if not isinstance(state, dict):
        raise TypeError(f"state must be a checkpoint dict (see snnlib.train.checkpoint), got {describe(state)}")
    return state


def _of_type(value: Any, name: str, kind, what: str):
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    return value


def _scheduler(value: Any) -> Any:
    if not (hasattr(value, "state_dict") and hasattr(value, "load_state_dict")):
        raise TypeError(f"scheduler must be a learning-rate scheduler (with state_dict/load_state_dict), got {describe(value)}")
    return value


def nonfinite_entries(state: Dict[str, Any], keys: Tuple[str, ...] = ("model", "optimizer")) -> List[str]:
    """Where ``state`` (a checkpoint dict) holds NaN or inf in the tensors under ``keys``: e.g.
    ``["model['fc1.weight']", "optimizer['state'][0]['exp_avg']"]``; empty when all are finite."""
    _state(state)
    if not isinstance(keys, tuple) or not all(isinstance(k, str) for k in keys):
        raise TypeError(f"keys must be a tuple of key names, got {describe(keys)}")
    bad = []
    for key in keys:
        for where, t in _tensors(state.get(key), key):
            if (t.is_floating_point() or t.is_complex()) and t.numel() and not bool(torch.isfinite(t).all()):
                bad.append(where)
    return bad


def checkpoint_bytes(state: Dict[str, Any]) -> bytes:
    """``state`` serialised by ``torch.save``, checked to load back with ``weights_only=True``.

    Raises :class:`CheckpointError` if it holds something else than tensors and plain values (a
    NumPy array, a function, an arbitrary object) or a NaN/inf weight or optimiser value.
    """
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict (see snnlib.train.checkpoint), got {describe(state)}")
    bad = nonfinite_entries(state)
    if bad:
        raise CheckpointError(
            f"refusing to write a checkpoint with non-finite values: {', '.join(bad[:3])}"
            f"{f' and {len(bad) - 3} more' if len(bad) > 3 else ''} hold NaN or inf"
        )
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getvalue()
    try:
        torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:
        raise CheckpointError(
            "refusing to write a checkpoint that would not load with torch.load(weights_only=True): "
            f"it holds objects other than tensors and plain Python values ({_why(err)})"
        ) from None
    return data


def save_checkpoint(path: PathLike, state: Dict[str, Any]) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file, ``fsync``, one rename); returns the path.

    The state is checked first (:func:`checkpoint_bytes`: tensors and plain values only, no NaN or
    inf weight or optimiser value; a :class:`CheckpointError` otherwise). If writing fails (an
    object that cannot be pickled, a full disk, a read-only folder) the previous file at ``path`` is
    left as it was, no temporary file remains, and the :class:`OSError` says what happened.
    """
    data = checkpoint_bytes(state)
    return atomic_write_bytes(_normal(path), data)


def load_checkpoint(path: PathLike, device: Union[str, torch.device, None] = None) -> Dict[str, Any]:
    """The checkpoint dict saved at ``path``, its tensors moved to ``device`` (default: where they were saved).

    Read with ``torch.load(weights_only=True)``: only tensors and plain Python values are accepted,
    so a file holding a pickled payload is refused without running it. Raises
    :class:`CheckpointError` for such a file, for a damaged one (truncated, not a checkpoint) and for
    one with NaN or inf weights; :class:`FileNotFoundError` when there is none.
    """
    path = _normal(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError as err:
        raise CheckpointError(
            f"{path}: refused, not loaded: it holds objects other than tensors and plain Python values "
            "(a pickled payload that could run code, or a checkpoint written by an older snnlib), "
            f"and checkpoints are read with torch.load(weights_only=True); nothing in it was run "
            f"({_why(err)}). Delete it, or train without --resume"
        ) from None
    except PermissionError:
        raise
    except Exception as err:  # a truncated zip, garbage bytes: torch raises RuntimeError, KeyError ...
        raise CheckpointError(
            f"{path}: cannot be read as a checkpoint ({type(err).__name__}: {_why(err)}): "
            "the file is damaged or not a checkpoint; delete it, or train without --resume"
        ) from None
    return state


def _why(err: BaseException) -> str:
    """The informative line of a ``torch.load`` error (the unsupported global or operand, when it names one)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [type(err).__name__]
    return next((line for line in lines if "unsupported" in line.lower()), lines[0])[:200]


def _check_training_state(state: Any, path: Path) -> Dict[str, Any]:
    if not isinstance(state, dict) or any(k not in state for k in _KEYS):
        have = sorted(state) if isinstance(state, dict) else describe(state)
        raise CheckpointError(f"{path}: not a snnlib.train checkpoint (expected the keys {list(_KEYS)}, got {have})")
    if state["format"] != FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {state['format']!r}, this snnlib reads format {FORMAT}")
    bad = nonfinite_entries(state)
    if bad:
        raise CheckpointError(f"{path}: {', '.join(bad[:3])} hold NaN or inf; this checkpoint cannot be resumed")
    return state


def rng_state() -> Dict[str, Any]:
    """The states of torch's, Python's and NumPy's global generators (and CUDA's when present), as
    tensors and plain values (so that the checkpoint loads with ``weights_only=True``)."""
    version, internal, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "python": [int(version), [int(v) for v in internal], gauss],
        "numpy": {
            "bit_generator": str(name),
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Dict[str, Any]) -> None:
    """Restore the generator states saved by :func:`rng_state`."""
    if not isinstance(state, dict) or any(k not in state for k in ("torch", "python", "numpy")):
        raise TypeError(f"state must be the dict of generator states made by rng_state(), got {describe(state)}")
    torch.set_rng_state(state["torch"].cpu())
    version, internal, gauss = state["python"]
    random.setstate((int(version), tuple(int(v) for v in internal), gauss))
    n = state["numpy"]
    keys = n["keys"].cpu().numpy().astype(np.uint32)
    np.random.set_state((n["bit_generator"], keys, int(n["pos"]), int(n["has_gauss"]), float(n["cached_gaussian"])))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def training_state(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    epoch: int,
    config: TrainConfig,
    history: Dict[str, Any],
) -> Dict[str, Any]:
    """The checkpoint dict after epoch ``epoch`` (0-based) of a run (see the module's description)."""
    _of_type(model, "model", torch.nn.Module, "a torch.nn.Module")
    _of_type(optimizer, "optimizer", torch.optim.Optimizer, "a torch.optim.Optimizer")
    _scheduler(scheduler)
    _of_type(config, "config", TrainConfig, "a snnlib.train.TrainConfig")
    _of_type(history, "history", dict, "the run's record (a dict)")
    return {
        "format": FORMAT,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": rng_state(),
        "epoch": integer(epoch, "epoch", 0),
        "config": config.to_dict(),
        "history": history,
    }


#: Config fields that name a path: compared as paths (a trailing slash or a relative form is the same folder).
_PATH_FIELDS = ("checkpoint", "root")


def _same(key: str, a: Any, b: Any) -> bool:
    if key in _PATH_FIELDS and isinstance(a, str) and isinstance(b, str):
        return os.path.realpath(os.path.expanduser(a)) == os.path.realpath(os.path.expanduser(b))
    return a == b


def check_resumable(state: Dict[str, Any], config: TrainConfig, path: PathLike) -> None:
    """Raise :class:`ValueError` unless the checkpoint ``state`` (read from ``path``) was made with ``config``.

    Only ``epochs`` may differ: a run can be resumed to train for longer (or shorter). Paths
    (``checkpoint``, ``root``) are compared as paths. A :class:`CheckpointError` (a ``ValueError``)
    when ``state`` is not a complete training checkpoint or holds NaN or inf.
    """
    path = _normal(path)
    _check_training_state(_state(state), path)
    _of_type(config, "config", TrainConfig, "a snnlib.train.TrainConfig")
    saved, now = state["config"], config.to_dict()
    diff = {k: (saved.get(k), v) for k, v in now.items() if k != "epochs" and not _same(k, saved.get(k), v)}
    if diff:
        raise ValueError(f"cannot resume {path}: its config differs in {diff} (checkpoint, now)")


def restore(
    state: Dict[str, Any], model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any
) -> Tuple[int, Dict[str, Any]]:
    """Load ``state`` into the model, optimiser, scheduler and generators; returns ``(next_epoch, history)``."""
    _check_training_state(_state(state), Path("state"))
    _of_type(model, "model", torch.nn.Module, "a torch.nn.Module")
    _of_type(optimizer, "optimizer", torch.optim.Optimizer, "a torch.optim.Optimizer")
    _scheduler(scheduler)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return state["epoch"] + 1, state["history"]
