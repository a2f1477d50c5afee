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
from typing import List, Optional

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


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m snnlib.train`` (defaults and choices from :class:`TrainConfig`)."""
    d = TrainConfig()
    p = argparse.ArgumentParser(
        prog="python -m snnlib.train",
        description="Train the 784-1000-10 spiking MLP (25 steps of LIF neurons) on MNIST with the chapter's recipe.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    run = p.add_argument_group("training")
    run.add_argument("--epochs", type=int, default=d.epochs, help="passes over the training set")
    run.add_argument("--batch-size", type=int, default=d.batch_size, help="training images per optimiser step")
    run.add_argument("--num-steps", type=int, default=d.num_steps, help="simulation time steps per image")
    run.add_argument("--optimizer", choices=list(OPTIMIZERS), default=d.optimizer, help="Adam, or AdamW (decoupled weight decay)")
    run.add_argument("--lr", type=float, default=d.lr, help="peak learning rate")
    run.add_argument(
        "--betas", type=float, nargs=2, metavar=("B1", "B2"), default=list(d.betas), help="the optimiser's moment decay rates"
    )
    run.add_argument("--weight-decay", type=float, default=d.weight_decay, help="weight decay (L2 for adam, decoupled for adamw)")
    run.add_argument(
        "--schedule",
        choices=list(SCHEDULES),
        default=d.schedule,
        help="cosine: linear warm-up then cosine decay to 0; constant: the lr throughout",
    )
    run.add_argument(
        "--warmup-steps",
        type=int,
        default=d.warmup_steps,
        help="optimiser steps of linear warm-up (cosine schedule; at most a quarter of the run)",
    )
    run.add_argument(
        "--scale",
        choices=list(_data.SCALES),
        default=d.scale,
        help="input pixels: unit = pixel/255 in [0, 1]; standard = (pixel/255 - mean)/std",
    )
    run.add_argument(
        "--shift", type=int, default=d.shift, help="augment: shift each training image by up to this many pixels (0: off)"
    )
    run.add_argument(
        "--loss",
        choices=list(LOSSES),
        default=d.loss,
        help="membrane: sum over steps of CE(U[t]); mean_membrane / summed_membrane: CE(mean / sum of U); rate: CE(spike counts)",
    )
    run.add_argument(
        "--label-smoothing",
        type=float,
        default=d.label_smoothing,
        help="share of the target spread evenly over the classes, in [0, 1)",
    )
    run.add_argument(
        "--readout",
        choices=list(READOUTS),
        default=d.readout,
        help="prediction: membrane = highest summed output membrane; count = most output spikes",
    )
    run.add_argument("--seed", type=int, default=d.seed, help="seeds the weights, the shuffling and the shifts")
    neuron = p.add_argument_group("neurons")
    neuron.add_argument(
        "--beta", type=float, default=d.beta, help="membrane decay per step, in [0, 1] (the initial value if learnt)"
    )
    neuron.add_argument(
        "--threshold", type=float, default=d.threshold, help="firing threshold, > 0 (the initial value if learnt)"
    )
    neuron.add_argument(
        "--learn-beta", action=argparse.BooleanOptionalAction, default=d.learn_beta, help="learn one decay beta per neuron"
    )
    neuron.add_argument(
        "--learn-threshold",
        action=argparse.BooleanOptionalAction,
        default=d.learn_threshold,
        help="learn one threshold per neuron",
    )
    neuron.add_argument("--reset", choices=list(_neurons.RESETS), default=d.reset, help="what a spike does to the membrane")
    data = p.add_argument_group("data")
    data.add_argument(
        "--source",
        choices=list(_data.SOURCES),
        default=d.source,
        help="full: the full set or an error; bundled: the small subset shipped with snnlib; auto: full if found, else bundled",
    )
    data.add_argument("--dataset", choices=list(_data.DATASETS), default=d.dataset, help="which data set")
    data.add_argument("--root", default=d.root, help="folder with the four IDX files (default: $SNNLIB_DATA, then the cache)")
    data.add_argument(
        "--max-batches", type=int, default=d.max_batches, help="stop each epoch after this many batches (default: all)"
    )
    data.add_argument(
        "--max-test", type=int, default=d.max_test, help="evaluate on the first N test images (default: all 10,000)"
    )
    machine = p.add_argument_group("machine and output")
    machine.add_argument("--device", default=d.device, help="auto, cpu, cuda, cuda:1 or mps")
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
    machine.add_argument("--checkpoint", default=d.checkpoint, help="folder for last.pt, written after every epoch")
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
    return TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        num_steps=args.num_steps,
        optimizer=args.optimizer,
        lr=args.lr,
        betas=tuple(args.betas),
        weight_decay=args.weight_decay,
        schedule=args.schedule,
        warmup_steps=args.warmup_steps,
        scale=args.scale,
        shift=args.shift,
        loss=args.loss,
        label_smoothing=args.label_smoothing,
        readout=args.readout,
        beta=args.beta,
        threshold=args.threshold,
        learn_beta=args.learn_beta,
        learn_threshold=args.learn_threshold,
        reset=args.reset,
        fast=not args.plain,
        compile=True if args.compile and not args.no_compile else False if args.no_compile else None,
        source=args.source,
        root=args.root,
        dataset=args.dataset,
        device=args.device,
        seed=args.seed,
        max_batches=args.max_batches,
        max_test=args.max_test,
        checkpoint=args.checkpoint,
    )


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
