"""The command line: ``python -m snnlib.train`` trains the chapter's network (defaults: the recipe).

::

    python -m snnlib.train --epochs 5 --root ../shared/data/mnist --seed 0 \\
        --checkpoint runs/mnist --json runs/mnist.json

Every field of :class:`TrainConfig` has an option (``--help`` describes each, with its default);
:func:`config_from_args` turns parsed options into the config.

On several GPUs (or CPU processes), ``torchrun --nproc_per_node=N -m snnlib.train ...`` trains with
DistributedDataParallel, ``--batch-size`` being the global batch (see :mod:`snnlib.train.distributed`).

Exit status: 0 on success, 2 for a usage error (a bad value is named in the message; also a
``--checkpoint`` or ``--json`` path that cannot be written, checked before training starts, and a
checkpoint that cannot be resumed), 3 when the loss or the weights diverged (the message says at
which epoch and which checkpoint is still good), 4 when writing failed during the run (a full disk).
"""

from __future__ import annotations

import argparse
import sys
import typing
from typing import Any, Dict, List, Optional

import torch

from .. import _io
from .. import data as _data
from .. import neurons as _neurons
from .checkpoint import CheckpointError, checkpoint_file
from .config import LOSSES, OPTIMIZERS, READOUTS, TrainConfig
from .distributed import main_process
from .loop import PRECISIONS, TrainingDiverged, fit
from .schedule import SCHEDULES

__all__ = ["parser", "config_from_args", "main"]


_EPILOG = """\
Without options the command trains the chapter's recipe (the best row of the ablation in
benchmarks/results/ablation.json). Exit status: 0 on success, 2 for a usage error, 3 when the
loss diverged. Example: python -m snnlib.train --epochs 5 --root ../shared/data/mnist --json run.json
"""

#: ``--cuda-graphs`` -> ``fit(cuda_graphs=...)``.
_GRAPHS = {"auto": None, "on": True, "off": False}


#: The options that set the :class:`TrainConfig` field of the same name (``--batch-size`` sets
#: ``batch_size``), by help group: field -> help. The default is the field's, the type its annotation
#: (a ``bool`` is a ``--x/--no-x`` pair), the choices those of :data:`_CHOICES`. ``fast`` and
#: ``compile`` are set by ``--plain`` and ``--compile/--no-compile`` (see :func:`config_from_args`).
_FIELD_OPTIONS: Dict[str, Dict[str, str]] = {
    "training": {
        "epochs": "passes over the training set",
        "batch_size": "training images per optimiser step",
        "num_steps": "simulation time steps per image",
        "optimizer": "Adam, or AdamW (decoupled weight decay)",
        "lr": "peak learning rate",
        "betas": "the optimiser's moment decay rates",
        "weight_decay": "weight decay (L2 for adam, decoupled for adamw)",
        "schedule": "cosine: linear warm-up then cosine decay to 0; constant: the lr throughout",
        "warmup_steps": "optimiser steps of linear warm-up (cosine schedule; at most a quarter of the run)",
        "scale": "input pixels: unit = pixel/255 in [0, 1]; standard = (pixel/255 - mean)/std",
        "shift": "augment: shift each training image by up to this many pixels (0: off)",
        "loss": (
            "membrane: sum over steps of CE(U[t]); mean_membrane / summed_membrane: CE(mean / sum of U); rate: CE(spike counts)"
        ),
        "label_smoothing": "share of the target spread evenly over the classes, in [0, 1)",
        "readout": "prediction: membrane = highest summed output membrane; count = most output spikes",
        "seed": "seeds the weights, the shuffling and the shifts",
    },
    "neurons": {
        "beta": "membrane decay per step, in [0, 1] (the initial value if learnt)",
        "threshold": "firing threshold, > 0 (the initial value if learnt)",
        "learn_beta": "learn one decay beta per neuron",
        "learn_threshold": "learn one threshold per neuron",
        "reset": "what a spike does to the membrane",
    },
    "data": {
        "source": (
            "full: the full set or an error; bundled: the small subset shipped with snnlib; auto: full if found, else bundled"
        ),
        "dataset": "which data set",
        "root": "folder with the four IDX files (default: $SNNLIB_DATA, then the cache)",
        "max_batches": "stop each epoch after this many batches (default: all)",
        "max_test": "evaluate on the first N test images (default: all 10,000)",
    },
    "machine and output": {
        "device": "auto, cpu, cuda, cuda:1 or mps",
        "checkpoint": "folder for last.pt, written after every epoch",
    },
}

#: The choices of the fields that take one name of a registry.
_CHOICES = {
    "optimizer": OPTIMIZERS,
    "schedule": SCHEDULES,
    "scale": _data.SCALES,
    "loss": LOSSES,
    "readout": READOUTS,
    "reset": _neurons.RESETS,
    "source": _data.SOURCES,
    "dataset": _data.DATASETS,
}


def _field_option(group: argparse._ArgumentGroup, name: str, text: str, default: Any, kind: type) -> None:
    """Add the option of the :class:`TrainConfig` field ``name`` of type ``kind`` (see :data:`_FIELD_OPTIONS`)."""
    flag = "--" + name.replace("_", "-")
    if name == "betas":
        group.add_argument(flag, type=float, nargs=2, metavar=("B1", "B2"), default=list(default), help=text)
    elif kind is bool:
        group.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=text)
    elif name in _CHOICES:
        group.add_argument(flag, choices=list(_CHOICES[name]), default=default, help=text)
    else:
        group.add_argument(flag, type=None if kind is str else kind, default=default, help=text)


def _field_types() -> Dict[str, type]:
    """Field -> its type, ``Optional[X]`` read as ``X``."""
    hints = typing.get_type_hints(TrainConfig)
    return {name: next((a for a in typing.get_args(t) if a is not type(None)), t) for name, t in hints.items()}


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m snnlib.train`` (defaults and choices from :class:`TrainConfig`)."""
    d = TrainConfig()
    p = argparse.ArgumentParser(
        prog="python -m snnlib.train",
        description="Train the 784-1000-10 spiking MLP (25 steps of LIF neurons) on MNIST with the chapter's recipe.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    kinds = _field_types()
    groups = {title: p.add_argument_group(title) for title in _FIELD_OPTIONS}
    for title, options in _FIELD_OPTIONS.items():
        for name, text in options.items():
            _field_option(groups[title], name, text, getattr(d, name), kinds[name])
    machine = groups["machine and output"]
    machine.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    machine.add_argument(
        "--plain", action="store_true", help="run the per-step loop instead of the fast path (slow; same results)"
    )
    machine.add_argument("--no-compile", action="store_true", help="never torch.compile the model (the default)")
    machine.add_argument("--compile", action="store_true", help="torch.compile the model (opt-in; off by default)")
    machine.add_argument(
        "--cuda-graphs", choices=list(_GRAPHS), default="auto", help="replay steps from a CUDA graph (auto: on CUDA)"
    )
    machine.add_argument(
        "--precision", choices=list(PRECISIONS), default="float32", help="bfloat16: autocast (membranes stay float32)"
    )
    machine.add_argument("--resume", action="store_true", help="continue from the checkpoint folder's last.pt")
    machine.add_argument("--json", default=None, help="write the run's record (JSON) to this file")
    machine.add_argument("--quiet", action="store_true", help="no progress bar and no per-epoch lines")
    return p


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Adds each option's default to its help (unless the help already names it), keeps the epilog as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default is None or action.default is argparse.SUPPRESS or action.nargs == 0:
            return text
        return text + " (default: %(default)s)"


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` that parsed command-line ``args`` describe (raises TypeError/ValueError on a bad value)."""
    values = {name: getattr(args, name) for options in _FIELD_OPTIONS.values() for name in options}
    values["betas"] = tuple(values["betas"])
    compiled = True if args.compile and not args.no_compile else False if args.no_compile else None
    return TrainConfig(**values, fast=not args.plain, compile=compiled)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    A usage error (an unknown option, a bad value) exits with status 2 through argparse, saying what is wrong.
    """
    p = parser()
    args = p.parse_args(argv)
    if args.resume and not args.checkpoint:
        p.error("--resume needs --checkpoint DIR")
    if args.threads is not None:
        if args.threads < 1:
            p.error(f"--threads must be >= 1, got {args.threads}")
        torch.set_num_threads(args.threads)
    try:
        config = config_from_args(args)
    except (TypeError, ValueError) as err:
        p.error(str(err))
    try:  # found now, not after the whole run
        if args.json:
            _io.check_writable(args.json, what="JSON record (--json)")
        if config.checkpoint:
            _io.check_writable(checkpoint_file(config.checkpoint), what="checkpoint (--checkpoint)")
    except OSError as err:
        p.error(str(err))
    try:
        result = fit(
            config,
            resume=args.resume,
            progress=not args.quiet,
            json_path=args.json,
            log=not args.quiet,
            cuda_graphs=_GRAPHS[args.cuda_graphs],
            precision=args.precision,
        )
    except ValueError as err:  # e.g. --cuda-graphs on where there is no GPU
        print(f"error: {err}", file=sys.stderr)
        return 2
    except TrainingDiverged as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except CheckpointError as err:
        p.error(str(err))
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 4
    history = result.history
    if not main_process():  # under torchrun only rank 0 reports
        return 0
    if history["epochs"]:
        last = history["epochs"][-1]
        print(
            f"done: test accuracy {100 * last['test_accuracy']:.2f}% after {len(history['epochs'])} epochs, "
            f"{history['train_seconds_total']:.1f} s training on {history['device_name']}"
        )
    if args.json:
        print(f"wrote {args.json}")
    return 0
