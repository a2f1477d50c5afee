"""Training and evaluation of the chapter's spiking MLP on MNIST: config, loop, checkpoints, command line.

``result = fit(TrainConfig(epochs=5))`` trains :class:`snnlib.models.SpikingMLP` on
:class:`snnlib.data.Batches` kept on the device, evaluates on the test set after every epoch, and
returns a :class:`FitResult`: ``result.model`` (the trained network), ``result.history`` (loss per
step, test accuracy, seconds and samples/s per epoch: plain JSON values) and ``result.config``.
With ``checkpoint=DIR`` it writes ``DIR/last.pt`` after every epoch (atomically) holding the model,
optimiser, scheduler, generator states and history, so that ``resume=True`` continues exactly where
the run stopped.

The recipe (:class:`TrainConfig`'s defaults, the best row of ``benchmarks/ablation.py``): Adam
(lr 2e-3, betas 0.9/0.999), a short linear warm-up then cosine decay to zero over the whole run,
pixels scaled to [0, 1], each training image shifted by up to one pixel at random, cross-entropy on
the output membrane at every step (summed over steps), read out by the summed output membrane (the
spike-count readout is reported alongside). ``recipe_config("snntorch tutorial")`` is the reference
it improves on.

The modules, one idea each:

* :mod:`~snnlib.train.config`: :class:`TrainConfig`, checked on creation; the losses and readouts;
* :mod:`~snnlib.train.schedule`: the learning-rate schedules;
* :mod:`~snnlib.train.augment`: random shifts of the training images;
* :mod:`~snnlib.train.recipes`: named recipes (the snnTorch tutorial's, ours) as config fields;
* :mod:`~snnlib.train.loop`: :func:`fit`, :func:`evaluate`, :func:`build`, :func:`load_data`;
* :mod:`~snnlib.train.checkpoint`: saving, loading and resuming (generator states included);
* :mod:`~snnlib.train.measure`: device name, peak memory, synchronised timings;
* :mod:`~snnlib.train.compare`: the side-by-side throughput of the implementations;
* :mod:`~snnlib.train.cli`: ``python -m snnlib.train`` (same options as :class:`TrainConfig`).
"""

from __future__ import annotations

from .augment import Shifter, random_shift
from .checkpoint import CHECKPOINT_FILE, load_checkpoint, save_checkpoint
from .cli import main
from .compare import IMPLEMENTATIONS, compare_implementations
from .config import LOSSES, OPTIMIZERS, READOUTS, TrainConfig
from .loop import FitResult, TrainingDiverged, build, evaluate, fit, load_data
from .measure import device_name, peak_memory
from .recipes import RECIPE_FIELDS, RECIPES, recipe, recipe_config, recipe_of
from .schedule import SCHEDULES

__all__ = [
    "TrainConfig",
    "LOSSES",
    "READOUTS",
    "OPTIMIZERS",
    "RECIPES",
    "RECIPE_FIELDS",
    "recipe",
    "recipe_config",
    "recipe_of",
    "random_shift",
    "Shifter",
    "SCHEDULES",
    "FitResult",
    "TrainingDiverged",
    "fit",
    "evaluate",
    "build",
    "load_data",
    "CHECKPOINT_FILE",
    "save_checkpoint",
    "load_checkpoint",
    "device_name",
    "peak_memory",
    "IMPLEMENTATIONS",
    "compare_implementations",
    "main",
]
