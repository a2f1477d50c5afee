"""The Diehl & Cook network on full MNIST over several seeds: one JSON per run, then their summary.

    python benchmarks/stdp.py --neurons 100 --seeds 0 1 2 --set stdp_rule=triplet

Each run is ``python -m snnlib.plasticity`` in-process (one pass over the 60,000 training images,
labels from the first 10,000, the 10,000 test images). A run whose JSON exists with the same
settings is not repeated, so the script can be stopped and started again. Writes
``benchmarks/results/stdp_<N>_seed<S>.json`` per run, ``stdp_<N>.json`` (seed 0, the page's main
number) and ``stdp_<N>_seeds.json`` (all seeds, their mean, minimum and maximum).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
from pathlib import Path

from _common import ROOT, default_mnist_root

from snnlib import _io
from snnlib.plasticity import __main__ as cli
from snnlib.plasticity.network import DiehlCookParams
from snnlib.plasticity.training import run_experiment

RESULTS = ROOT / "benchmarks" / "results"


def _load(path):
    return json.loads(path.read_text()) if path.exists() else None


def summarise_variants(paths, out_file) -> dict:
    """One row per result JSON (a run of this script or of the command line): its settings that
    differ from :class:`DiehlCookParams`'s defaults, images, accuracy, seconds; written to ``out_file``."""
    defaults = dataclasses.asdict(DiehlCookParams())
    rows = []
    for path in paths:
        r = json.loads(Path(path).read_text())
        params = r["params"]
        rows.append(
            {
                "overrides": {k: v for k, v in params.items() if defaults.get(k) != v},
                "neurons": r["neurons"],
                "seed": r["seed"],
                "train_images": r["train_images"],
                "label_images": r["label_images"],
                "test_images": r["test_images"],
                "accuracy": r["accuracy"],
                "train_seconds": r["train_seconds"],
                "theta_mean_mV": r.get("theta_mean_mV"),
                "mean_test_spikes": r["mean_test_spikes"],
            }
        )
    summary = {
        "benchmark": "stdp_variants",
        "note": "one seed each; shared 2-core CPU (times are not benchmarks)",
        "defaults": defaults,
        "runs": rows,
    }
    _io.atomic_write_text(out_file, json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=int, default=100)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--root", default=default_mnist_root())
    ap.add_argument("--train-images", type=int, default=None, help="default: all 60,000")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a DiehlCookParams field")
    ap.add_argument("--out", default=str(RESULTS), help="folder for the JSONs")
    ap.add_argument("--name", default=None, help="file name stem (default stdp_<N>)")
    ap.add_argument("--variants", nargs="+", default=None, metavar="JSON", help="only summarise these result JSONs (no run)")
    args = ap.parse_args(argv)
    if args.variants:
        summarise_variants(args.variants, Path(args.out) / f"stdp_{args.neurons}_variants.json")
        return 0
    overrides = cli._overrides(ap, args.set)
    stem = args.name or f"stdp_{args.neurons}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    for seed in args.seeds:
        path = out / f"{stem}_seed{seed}.json"
        old = _load(path)
        if old is not None and old.get("overrides") == overrides and old.get("train_images") == (args.train_images or 60000):
            print(f"seed {seed}: kept {path.name} ({old['accuracy']:.4f})", flush=True)
            runs.append(old)
            continue
        r = run_experiment(args.neurons, "full", args.root, args.train_images, seed=seed, progress=False, overrides=overrides)
        r["overrides"] = overrides
        r["load_average_1min_at_end"] = os.getloadavg()[0]
        r["cpu_count"] = os.cpu_count()
        r["machine"] = platform.processor() or platform.machine()
        _io.atomic_write_text(path, json.dumps(r, indent=2) + "\n")
        print(f"seed {seed}: accuracy {r['accuracy']:.4f}, training {r['train_seconds']:.0f} s", flush=True)
        runs.append(r)
    accs = [r["accuracy"] for r in runs]
    summary = {
        "benchmark": f"{stem}_seeds",
        "command": "python benchmarks/stdp.py --neurons {} --seeds {}{}{}".format(
            args.neurons,
            " ".join(map(str, args.seeds)),
            "".join(f" --set {s}" for s in args.set),
            f" --name {args.name}" if args.name else "",
        ),
        "overrides": overrides,
        "runs": runs,
        "mean_accuracy": statistics.fmean(accs),
        "min_accuracy": min(accs),
        "max_accuracy": max(accs),
        "note": "shared 2-core CPU, 1 torch thread, other jobs running (times are not benchmarks)",
    }
    _io.atomic_write_text(out / f"{stem}_seeds.json", json.dumps(summary, indent=2) + "\n")
    if 0 in args.seeds:
        first = runs[args.seeds.index(0)]
        _io.atomic_write_text(out / f"{stem}.json", json.dumps(first, indent=2) + "\n")
    print(f"mean {summary['mean_accuracy']:.4f} (min {min(accs):.4f}, max {max(accs):.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
