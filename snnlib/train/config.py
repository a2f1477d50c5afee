"""What defines a training run: :class:`TrainConfig` (the chapter's recipe by default), checked on creation.

A config is frozen: every field is checked (and normalised: NumPy integers become ``int``, paths
``str``, ``betas`` a tuple of floats) when it is made, so a mistake is an error at once, naming the
field, and not a failure minutes into training. Change one with :func:`dataclasses.replace`, which
checks again. :meth:`TrainConfig.to_dict` is the JSON form stored in checkpoints and run records.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, Optional, Tuple

import torch

from .. import data as _data
from .. import models as _models
from .. import neurons as _neurons
from .._checks import boolean, choice, describe, integer, positive, probability, real
from .schedule import SCHEDULES

__all__ = ["TrainConfig", "LOSSES", "READOUTS", "OPTIMIZERS"]

#: Training loss name -> ``loss(spk, mem, y, label_smoothing)`` (output records ``[T, B, C]``, labels ``[B]``).
LOSSES: Dict[str, Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor]] = {
    "membrane": lambda spk, mem, y, ls: _models.membrane_ce_loss(mem, y, ls),
    "mean_membrane": lambda spk, mem, y, ls: _models.mean_membrane_ce_loss(mem, y, ls),
    "summed_membrane": lambda spk, mem, y, ls: _models.summed_membrane_ce_loss(mem, y, ls),
    "rate": lambda spk, mem, y, ls: _models.rate_ce_loss(spk, y, ls),
}

#: Optimiser name -> its class: Adam (``weight_decay`` added to the gradient, L2) or AdamW
#: (``weight_decay`` shrinks the weights directly, decoupled from the gradient's scale).
OPTIMIZERS: Dict[str, type] = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}

#: Readouts of :func:`snnlib.models.predict`: summed output membrane, or spike count (ties by the membrane).
READOUTS = ("membrane", "count")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (the defaults are the chapter's recipe).

    Attributes:
        epochs, batch_size, num_steps: as named (5, 128, 25); integers >= 1.
        optimizer: ``"adam"`` or ``"adamw"`` (see :data:`OPTIMIZERS`).
        lr, betas, weight_decay: the optimiser's settings: ``lr`` finite and > 0,
            ``betas`` a pair of numbers in [0, 1), ``weight_decay`` >= 0.
        schedule: ``"cosine"`` (linear warm-up for ``warmup_steps`` then cosine to 0) or ``"constant"``
            (see :mod:`snnlib.train.schedule`).
        scale: input scaling, ``"unit"`` (pixels / 255, the recipe) or ``"standard"`` ((x - mean) / std).
        shift: augment the training images by random shifts of up to this many pixels in each
            direction (0: none; see :mod:`snnlib.train.augment`).
        loss: ``"mean_membrane"`` (CE on the output membrane averaged over the steps, the recipe),
            ``"membrane"`` (CE on the output membrane at every step, summed: snnTorch's tutorial),
            ``"summed_membrane"`` (CE on the membrane summed over steps) or ``"rate"`` (CE on spike
            counts); see :data:`LOSSES`.
        label_smoothing: in [0, 1), the share of the target spread evenly over the classes.
        readout: ``"membrane"`` (highest summed output membrane, the recipe) or ``"count"`` (spike count,
            ties broken by the membrane).
        beta, threshold, learn_beta, learn_threshold, reset: the LIF neurons (beta in [0, 1],
            threshold > 0, reset one of :data:`snnlib.neurons.RESETS`).
        fast: use the fast path of :class:`snnlib.models.SpikingMLP`.
        compile: ``torch.compile`` the model, on any device, when ``True``; ``None`` (the default) and
            ``False`` train the eager model (compilation is opt-in, see
            :func:`snnlib.models.maybe_compile`). A model that fails to compile, or whose compiled
            step fails, gives a warning and trains eagerly; a compiled model is never captured in
            a CUDA graph.
        source, root, dataset: where the data come from (see :func:`snnlib.data.load_mnist`).
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` (its availability is
            checked when training starts).
        seed: seeds the weights and the shuffling (an integer >= 0).
        max_batches: stop each epoch after this many batches (``None``: all); for quick runs.
        max_test: evaluate on the first ``max_test`` test images only (``None``: all).
        checkpoint: folder for ``last.pt`` (``None``: no checkpoints).

    Raises:
        TypeError: a field of the wrong kind (``num_steps=2.5``, ``betas="bogus"``).
        ValueError: a field out of range or not one of its choices (``lr=0``, ``readout="vote"``).
    """

    epochs: int = 5
    batch_size: int = 128
    num_steps: int = 25
    optimizer: str = "adam"
    lr: float = 2e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    schedule: str = "cosine"
    warmup_steps: int = 100
    scale: str = "unit"
    shift: int = 1
    loss: str = "mean_membrane"
    label_smoothing: float = 0.0
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
        checked = {
            "epochs": integer(self.epochs, "epochs", 1),
            "batch_size": integer(self.batch_size, "batch_size", 1),
            "num_steps": integer(self.num_steps, "num_steps", 1),
            "optimizer": choice(self.optimizer, "optimizer", OPTIMIZERS),
            "lr": positive(self.lr, "lr"),
            "betas": _betas(self.betas),
            "weight_decay": real(self.weight_decay, "weight_decay", 0.0),
            "schedule": choice(self.schedule, "schedule", SCHEDULES),
            "warmup_steps": integer(self.warmup_steps, "warmup_steps", 0),
            "scale": choice(self.scale, "scale", _data.SCALES),
            "shift": integer(self.shift, "shift", 0, 8),
            "loss": choice(self.loss, "loss", LOSSES),
            "label_smoothing": real(self.label_smoothing, "label_smoothing", 0.0, 1.0, max_open=True),
            "readout": choice(self.readout, "readout", READOUTS),
            "beta": probability(self.beta, "beta"),
            "threshold": positive(self.threshold, "threshold"),
            "learn_beta": boolean(self.learn_beta, "learn_beta"),
            "learn_threshold": boolean(self.learn_threshold, "learn_threshold"),
            "reset": choice(self.reset, "reset", _neurons.RESETS),
            "fast": boolean(self.fast, "fast"),
            "compile": None if self.compile is None else boolean(self.compile, "compile"),
            "source": choice(self.source, "source", _data.SOURCES),
            "root": _folder(self.root, "root"),
            "dataset": choice(self.dataset, "dataset", _data.DATASETS),
            "device": _device(self.device),
            "seed": integer(self.seed, "seed", 0),
            "max_batches": None if self.max_batches is None else integer(self.max_batches, "max_batches", 1),
            "max_test": None if self.max_test is None else integer(self.max_test, "max_test", 1),
            "checkpoint": _folder(self.checkpoint, "checkpoint"),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def to_dict(self) -> Dict[str, Any]:
        """The config as plain JSON values (``betas`` a list): the form checkpoints and run records hold."""
        d = asdict(self)
        d["betas"] = list(d["betas"])
        return d


def _betas(value: Any) -> Tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {describe(value)}")
    return tuple(real(b, f"betas[{i}]", 0.0, 1.0, max_open=True) for i, b in enumerate(value))


def _folder(value: Any, name: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder (a str or a path) or None, got {describe(value)}")
    text = os.fspath(value)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{name} must name a folder, got {describe(value)}")
    return text


def _device(value: Any) -> str:
    if isinstance(value, torch.device):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"device must be 'auto' or a device name such as 'cpu', 'cuda', 'cuda:1' or 'mps', got {describe(value)}")
    if value != "auto":
        try:
            torch.device(value)
        except (RuntimeError, ValueError) as err:
            raise ValueError(
                f"device must be 'auto' or a device name such as 'cpu', 'cuda', 'cuda:1' or 'mps', got {value!r}"
            ) from err
    return value
