"""The command line: ``python -m snnlib.train`` trains the chapter's network (defaults: the recipe).

::

    python -m snnlib.train --epochs 5 --batch-size 128 --num-steps 25 --source auto --device auto \\
        --seed 0 --checkpoint runs/mnist --json runs/mnist.json

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
from .checkpoint import CheckpointError, checkpoint_file
from .config import LOSSES, READOUTS, TrainConfig
from .distributed import main_process
from .loop import PRECISIONS, TrainingDiverged, fit
from .schedule import SCHEDULES

__all__ = ["parser", "main"]

#: ``--cuda-graphs`` -> ``fit(cuda_graphs=...)``.
_GRAPHS = {"auto": None, "on": True, "off": False}


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m snnlib.train`` (defaults and choices from :class:`TrainConfig`)."""
    d = TrainConfig()
    p = argparse.ArgumentParser(
        prog="python -m snnlib.train", description="Train the 784-1000-10 spiking MLP on MNIST (the chapter's recipe)."
    )
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--num-steps", type=int, default=d.num_steps)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--schedule", choices=list(SCHEDULES), default=d.schedule)
    p.add_argument("--scale", choices=list(_data.SCALES), default=d.scale)
    p.add_argument("--loss", choices=list(LOSSES), default=d.loss)
    p.add_argument("--readout", choices=list(READOUTS), default=d.readout)
    p.add_argument("--learn-beta", action="store_true")
    p.add_argument("--learn-threshold", action="store_true")
    p.add_argument("--plain", action="store_true", help="use the per-step loop instead of the fast path")
    p.add_argument("--source", choices=list(_data.SOURCES), default=d.source)
    p.add_argument("--dataset", choices=list(_data.DATASETS), default=d.dataset)
    p.add_argument("--root", default=None, help="folder with the MNIST IDX files")
    p.add_argument("--device", default=d.device, help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--max-batches", type=int, default=None, help="batches per epoch (default: all)")
    p.add_argument("--max-test", type=int, default=None, help="test images to evaluate (default: all)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    p.add_argument("--no-compile", action="store_true", help="never torch.compile (the default)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (opt-in; off by default)")
    p.add_argument("--cuda-graphs", choices=list(_GRAPHS), default="auto", help="replay steps from a CUDA graph (auto: on CUDA)")
    p.add_argument("--precision", choices=list(PRECISIONS), default="float32", help="bfloat16: autocast (membranes stay float32)")
    p.add_argument("--checkpoint", default=None, help="folder for last.pt, written after every epoch")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint folder's last.pt")
    p.add_argument("--json", default=None, help="write the run's record (JSON) here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


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
        config = TrainConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            num_steps=args.num_steps,
            lr=args.lr,
            schedule=args.schedule,
            scale=args.scale,
            loss=args.loss,
            readout=args.readout,
            learn_beta=args.learn_beta,
            learn_threshold=args.learn_threshold,
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
