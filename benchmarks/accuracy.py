"""Final test accuracy of the chapter's recipe over several seeds (default: 3 seeds x 5 epochs, full MNIST).

    python benchmarks/accuracy.py --seeds 0 1 2 --epochs 5 --root /work/shared/data/mnist \\
        --json benchmarks/results/accuracy.json

Each seed is a complete ``snnlib.train.fit`` run with the command line's defaults (the recipe);
the JSON (written atomically, and updated after every seed) holds each seed's per-epoch record,
the mean and standard deviation of the final test accuracy, the device and the recipe.

    python benchmarks/accuracy.py --from-ablation benchmarks/results/ablation.json

makes the same record from the ablation's best row instead (the same runs: the defaults, same seeds,
same data, same code path), checking that the row's recipe is the default, without training again.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from _common import ROOT, run_arguments

from snnlib import train as T
from snnlib._io import atomic_write_json


def _summarise(out) -> None:
    runs = out["runs"]
    accs = [r["final_test_accuracy"] for r in runs]
    out.update(
        {
            "seeds": [r["seed"] for r in runs],
            "accuracies": accs,
            "mean_accuracy": statistics.mean(accs),
            "std_accuracy": statistics.stdev(accs) if len(accs) > 1 else 0.0,
            "mean_accuracy_count_readout": statistics.mean(
                r["epochs"][-1].get("test_accuracy_count", float("nan")) for r in runs
            ),
            "train_seconds_per_epoch": statistics.mean(e["train_seconds"] for r in runs for e in r["epochs"]),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )


def _from_ablation(args) -> int:
    abl = json.loads(Path(args.from_ablation).read_text())
    row = next(r for r in abl["rows"] if r["name"] == abl["best_row"])
    if row["recipe"] != T.recipe("default"):
        raise SystemExit(f"the ablation's best row {row['name']!r} is not the default recipe: rerun the ablation")
    config = T.recipe_config("default", epochs=abl["epochs"], source=abl["source"], max_batches=abl["max_batches"])
    out = {
        "benchmark": "accuracy",
        "from_ablation": f"{Path(args.from_ablation).name}, row {row['name']!r}",
        "device": abl["device"],
        "device_name": abl["device_name"],
        "torch": abl["torch"],
        "recipe": config.to_dict(),
        "runs": [
            {
                "seed": r["seed"],
                "final_test_accuracy": r["final_test_accuracy"],
                "train_seconds": r["train_seconds"],
                "epochs": r["epochs"],
                "peak_memory": r["peak_memory"],
            }
            for r in row["runs"]
        ],
    }
    _summarise(out)
    atomic_write_json(args.json, out)
    print(f"mean over {len(out['runs'])} seeds: {100 * out['mean_accuracy']:.2f}%; wrote {args.json}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    run_arguments(p)
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "accuracy.json"))
    p.add_argument(
        "--merge",
        nargs="+",
        default=None,
        help="merge these per-seed JSON files (e.g. from parallel runs) into --json, then stop",
    )
    p.add_argument("--from-ablation", default=None, help="make the record from this ablation JSON's best row, then stop")
    args = p.parse_args(argv)
    if args.from_ablation:
        return _from_ablation(args)
    if args.merge:
        parts = [json.loads(Path(f).read_text()) for f in args.merge]
        out = dict(parts[0])
        out["runs"] = [r for part in parts for r in part["runs"]]
        _summarise(out)
        out["merged_from"] = [str(f) for f in args.merge]
        atomic_write_json(args.json, out)
        print(
            f"mean over {len(out['runs'])} seeds: {100 * out['mean_accuracy']:.2f}% "
            f"({', '.join('%.2f' % (100 * a) for a in out['accuracies'])}); wrote {args.json}"
        )
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    runs = []
    out = {"benchmark": "accuracy", "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs}
    data = None
    for seed in args.seeds:
        config = T.TrainConfig(
            epochs=args.epochs, source=args.source, root=args.root, device=args.device, seed=seed, max_batches=args.max_batches
        )
        if data is None:
            data = T.load_data(config)
        data[0].seed = seed  # each seed shuffles its own way
        rec = T.fit(config, progress=False, log=True, data=data).record()
        runs.append(
            {
                "seed": seed,
                "final_test_accuracy": rec["epochs"][-1]["test_accuracy"],
                "train_seconds": rec["train_seconds_total"],
                "epochs": rec["epochs"],
                "peak_memory": rec["peak_memory"],
            }
        )
        out.update(
            {"device": rec["device"], "device_name": rec["device_name"], "recipe": rec["config"], "torch": torch.__version__}
        )
        _summarise(out)
        accs = out["accuracies"]
        atomic_write_json(args.json, out)
        print(
            f"seed {seed}: test accuracy {100 * accs[-1]:.2f}% "
            f"(epochs: {', '.join('%.2f' % (100 * e['test_accuracy']) for e in rec['epochs'])}), "
            f"{rec['train_seconds_total']:.0f} s training",
            flush=True,
        )
    print(f"mean over {len(accs)} seeds: {100 * out['mean_accuracy']:.2f}% (std {100 * out['std_accuracy']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
