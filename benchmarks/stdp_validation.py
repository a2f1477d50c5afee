"""Choosing the threshold step theta_plus without the test set: a sweep scored on held-out training images.

    nice -n 10 python benchmarks/stdp_validation.py --thetas 0.1 0.05 0.025 0.0125

For each step, the 100-neuron Diehl & Cook network is trained on the first 50,000 training images
(``python -m snnlib.plasticity --validation-images 10000``: the last 10,000 training images are
held out, never trained on or used for labelling), labelled on the first 10,000 and scored on the
held-out 10,000 (``validation_accuracy``); the test accuracy is recorded too, for the record, but
the choice is the step with the highest validation accuracy. A step already in the JSON with the
same settings is not run again. Writes ``benchmarks/results/stdp_100_validation.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _common import ROOT, default_mnist_root

from snnlib import _io
from snnlib.plasticity.training import run_experiment

OUT = ROOT / "benchmarks" / "results" / "stdp_100_validation.json"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--thetas", type=float, nargs="+", default=[0.1, 0.05, 0.025, 0.0125], help="theta_plus values (mV)")
    ap.add_argument("--neurons", type=int, default=100)
    ap.add_argument("--validation-images", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--root", default=default_mnist_root())
    ap.add_argument("--json", default=str(OUT))
    args = ap.parse_args(argv)
    try:
        out = json.loads(Path(args.json).read_text())
    except FileNotFoundError:
        out = {"benchmark": "stdp_validation", "runs": []}
    key = dict(neurons=args.neurons, validation_images=args.validation_images, seed=args.seed)
    for theta in args.thetas:
        done = [r for r in out["runs"] if r["params"]["theta_plus"] == theta and all(r[k] == v for k, v in key.items())]
        if done:
            continue
        r = run_experiment(
            args.neurons,
            "full",
            args.root,
            seed=args.seed,
            validation_images=args.validation_images,
            overrides={"theta_plus": theta},
            progress=False,
        )
        out["runs"].append(r)
        print(f"theta_plus {theta:g}: validation {r['validation_accuracy']:.2%}, test {r['accuracy']:.2%}", flush=True)
        _io.atomic_write_json(args.json, out)
    runs = [r for r in out["runs"] if all(r[k] == v for k, v in key.items())]
    best = max(runs, key=lambda r: r["validation_accuracy"])
    out["chosen_theta_plus"] = best["params"]["theta_plus"]
    _io.atomic_write_json(args.json, out)
    print(f"chosen by validation: theta_plus = {out['chosen_theta_plus']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
