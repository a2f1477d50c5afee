"""The reference experiment run through snnTorch itself, beside the library's run of the same recipe.

    nice -n 10 python benchmarks/reference.py --threads 1 --seeds 0 1 2 --epochs 5   # the committed run

Two checks that the library reproduces the snnTorch tutorial (``snnlib.train.compare``):

* **lockstep**: ``SpikingMLP`` (fast path) and ``SnnTorchReference`` (snnTorch's ``snn.Leaky``
  loop) start from the same weights and train on the same ``--lockstep-steps`` batches with the
  tutorial's loss and optimiser; their losses and weights must agree to float rounding.
* **the tutorial's training run**: ``SnnTorchReference`` trained with the tutorial's loop (Adam 5e-4,
  per-step membrane loss, count readout, unit-scaled pixels, batch 128) for ``--epochs`` epochs per
  seed on full MNIST, on the same batches the library's run of that seed sees. The library's
  accuracy after the same number of epochs is read from ``results/ablation.json`` (its
  ``reference`` row) for the comparison. snnTorch's per-step loop is an order of magnitude slower
  on a CPU (about 7 minutes per seed and 5 epochs at one thread), which is why the default is one epoch.

Writes ``results/reference.json`` (atomically, after every seed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from _common import ROOT, run_arguments

from snnlib import train as T
from snnlib._io import atomic_write_json

RESULTS = ROOT / "benchmarks" / "results"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    run_arguments(p, epochs=1)
    p.add_argument("--lockstep-steps", type=int, default=30, help="batches of the lockstep comparison")
    p.add_argument("--ablation", default=str(RESULTS / "ablation.json"))
    p.add_argument("--json", default=str(RESULTS / "reference.json"))
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    config = T.recipe_config("snntorch tutorial", source=args.source, root=args.root, device=args.device)
    train, test = T.load_data(config)
    try:
        library = {r["seed"]: r for r in _reference_row(args.ablation)["runs"]}
    except (FileNotFoundError, KeyError, ValueError):
        library = {}
    out = {
        "benchmark": "reference",
        "recipe": T.recipe("snntorch tutorial"),
        "epochs": args.epochs,
        "max_batches": args.max_batches,
        "lockstep": [],
        "snntorch_runs": [],
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }
    for seed in args.seeds:
        train.seed = seed
        ls = T.compare.lockstep(train, steps=args.lockstep_steps, lr=config.lr, seed=seed)
        out["lockstep"].append(dict(ls, seed=seed))
        print(
            f"seed {seed}: lockstep over {ls['steps']} steps: losses agree to {ls['max_relative_loss_difference']:.1e} "
            f"(relative), weights to {ls['max_weight_difference']:.1e}",
            flush=True,
        )
    for seed in args.seeds:
        train.seed = seed
        run = T.compare.train_implementation(
            "snnTorch reference",
            train,
            test,
            epochs=args.epochs,
            lr=config.lr,
            seed=seed,
            max_batches=args.max_batches,
            readout=config.readout,
            progress=False,
        )
        lib = library.get(seed)
        run["library_test_accuracy"] = lib["epoch_accuracies"][args.epochs - 1] if lib and args.max_batches is None else None
        out["snntorch_runs"].append(run)
        out["device_name"] = run["device_name"]
        out["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        atomic_write_json(args.json, out)
        acc = ", ".join(f"{100 * e['test_accuracy']:.2f}%" for e in run["epochs"])
        other = "" if run["library_test_accuracy"] is None else f" (library: {100 * run['library_test_accuracy']:.2f}%)"
        print(
            f"seed {seed}: snnTorch tutorial loop, test accuracy per epoch {acc}{other}, {run['train_seconds']:.0f} s", flush=True
        )
    atomic_write_json(args.json, out)
    print(f"wrote {args.json}")
    return 0


def _reference_row(path: str):
    rows = json.loads(Path(path).read_text())["rows"]
    return next(r for r in rows if r["name"] == "reference")


if __name__ == "__main__":
    sys.exit(main())
