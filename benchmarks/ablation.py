"""The ablation of the MNIST chapter: from the snnTorch tutorial's recipe to ours, one change at a time.

    nice -n 10 python benchmarks/ablation.py --threads 1                # every row, seeds 0 1 2
    python benchmarks/ablation.py --rows reference schedule --seeds 0   # some rows, one seed
    python benchmarks/ablation.py --list                                # the rows and what each changes

Every row is the recipe of the row it builds on (``base``) with one change; the first row is
the snnTorch tutorial recipe, the rows marked ``kept`` lead from it to ours, which is
``python -m snnlib.train``'s default (the script checks this), and the other rows try a change
that was not kept. Each row is trained for ``--epochs`` (5) epochs on full MNIST for each seed
(``snnlib.train.fit``, same architecture, 25 steps) and reports the final test accuracy (its
own readout), the mean and spread over seeds and the hidden spikes per test image.

The JSON (``benchmarks/results/ablation.json``, written atomically after every run) keeps every
run; running the script again skips the (row, seed) pairs it already holds with the same config,
so an interrupted ablation continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import torch
from _common import ROOT, run_arguments

from snnlib import train as T
from snnlib._io import atomic_write_json


def _row(name: str, base: Optional[str], kept: bool, change: str, **fields: Any) -> Dict[str, Any]:
    """One row of the table: its ``name``, the row it builds on (``base``), whether the change was
    ``kept``, the ``change`` in words and the config ``fields`` it changes."""
    return dict(name=name, base=base, kept=kept, change=change, fields=fields)


#: The rows, in the order of the table (each a dict with keys name, base, kept, change, fields).
ROWS: List[Dict[str, Any]] = [
    _row("reference", None, True, "snnTorch tutorial recipe"),
    _row("schedule", "reference", True, "warm-up + cosine decay", schedule="cosine"),
    _row("lr", "schedule", True, "peak lr 2e-3", lr=2e-3),
    _row("readout", "lr", True, "summed-membrane readout", readout="membrane"),
    _row("shift", "readout", True, "random shifts, 1 px", shift=1),
    _row("shift, mean loss", "shift", True, "CE on mean membrane", loss="mean_membrane"),
    _row("shift, rate loss", "shift", False, "CE on spike counts, count readout", loss="rate", readout="count"),
    _row("lr, constant", "reference", False, "peak lr 2e-3, no schedule", lr=2e-3),
    _row("standardised", "readout", False, "standardised pixels", scale="standard"),
    _row("rate loss", "readout", False, "CE on spike counts", loss="rate"),
    _row("mean loss", "readout", False, "CE on mean membrane", loss="mean_membrane"),
    _row("sum loss", "readout", False, "CE on summed membrane", loss="summed_membrane"),
    _row("label smoothing", "readout", False, "label smoothing 0.1", label_smoothing=0.1),
    _row("AdamW", "readout", False, "AdamW, weight decay 0.1", optimizer="adamw", weight_decay=0.1),
    _row("shift 2", "readout", False, "random shifts, 2 px", shift=2),
    _row("learnt neurons", "readout", False, "learnt beta, threshold", learn_beta=True, learn_threshold=True),
]


def row_recipes() -> Dict[str, Dict[str, Any]]:
    """Row name -> its full recipe (the reference's fields with every change on the way to the row)."""
    out: Dict[str, Dict[str, Any]] = {}
    for row in ROWS:
        base = T.recipe("snntorch tutorial") if row["base"] is None else out[row["base"]]
        out[row["name"]] = dict(base, **row["fields"])
    return out


def best_row() -> str:
    """The last kept row: the end of the chain from the reference to our recipe."""
    return [r["name"] for r in ROWS if r["kept"]][-1]


def _summary(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    accs = [r["final_test_accuracy"] for r in runs]
    return {
        "seeds": [r["seed"] for r in runs],
        "accuracies": accs,
        "mean_accuracy": statistics.mean(accs),
        "std_accuracy": statistics.stdev(accs) if len(accs) > 1 else 0.0,
        "min_accuracy": min(accs),
        "max_accuracy": max(accs),
        "mean_hidden_spikes": statistics.mean(r["hidden_spikes_per_sample"] for r in runs),
        "mean_train_seconds": statistics.mean(r["train_seconds"] for r in runs),
    }


def _run(recipe: Dict[str, Any], seed: int, args, data):
    config = T.recipe_config(
        "default",
        **dict(
            recipe,
            epochs=args.epochs,
            source=args.source,
            root=args.root,
            device=args.device,
            seed=seed,
            max_batches=args.max_batches,
        ),
    )
    for batches in data:  # the pixels scaled as the recipe says (fit checks it)
        batches.scale = config.scale
    data[0].seed = seed  # each seed shuffles its own way, as a fresh run would
    rec = T.fit(config, progress=False, log=False, data=data).record()
    return rec, _record(seed, rec["epochs"], rec["train_seconds_total"], rec["peak_memory"])


def _record(seed: int, epochs: List[Dict[str, Any]], seconds: float, memory: Dict[str, Any]) -> Dict[str, Any]:
    """The ablation's record of one run from its per-epoch records (those of ``snnlib.train.fit``)."""
    last = epochs[-1]
    return {
        "seed": seed,
        "final_test_accuracy": last["test_accuracy"],
        "test_accuracy_count": last["test_accuracy_count"],
        "test_accuracy_membrane": last["test_accuracy_membrane"],
        "hidden_spikes_per_sample": last["hidden_spikes_per_sample"],
        "train_seconds": seconds,
        "epoch_accuracies": [e["test_accuracy"] for e in epochs],
        "epoch_hidden_spikes": [e["hidden_spikes_per_sample"] for e in epochs],
        "epochs": epochs,
        "peak_memory": memory,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", nargs="+", default=None, help="the rows to run (default: all)")
    run_arguments(p)
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "ablation.json"))
    p.add_argument("--list", action="store_true", help="print the rows and stop")
    args = p.parse_args(argv)
    recipes = row_recipes()
    default = T.recipe("default")
    if recipes[best_row()] != default:
        diff = {k: (recipes[best_row()][k], v) for k, v in default.items() if recipes[best_row()][k] != v}
        print(f"warning: the best row {best_row()!r} is not the CLI default; differs in {diff}", file=sys.stderr)
    if args.list:
        for row in ROWS:
            print(f"{row['name']:16s} <- {row['base']!s:16s} {'kept' if row['kept'] else '    '} {row['change']}")
        return 0
    names = [r["name"] for r in ROWS]
    chosen = names if args.rows is None else args.rows
    for name in chosen:
        if name not in names:
            p.error(f"unknown row {name!r}; the rows are {names}")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        old = json.loads(Path(args.json).read_text())
    except (FileNotFoundError, ValueError):
        old = {}
    if old.get("epochs", args.epochs) != args.epochs or old.get("max_batches") != args.max_batches:
        old = {}  # a different experiment: start again
    previous = {r["name"]: r for r in old.get("rows", [])}
    out = {
        "benchmark": "ablation",
        "epochs": args.epochs,
        "max_batches": args.max_batches,
        "source": args.source,
        "best_row": best_row(),
        "default_recipe": default,
        "rows": [],
    }
    out.update({k: old.get(k) for k in ("device", "device_name", "torch", "threads")})
    for row in ROWS:  # every row first, with the runs already made, so that every write keeps them all
        recipe = recipes[row["name"]]
        prev = previous.get(row["name"], {})
        entry = {k: row[k] for k in ("name", "base", "change", "kept", "fields")}
        entry.update({"recipe": recipe, "runs": [r for r in prev.get("runs", []) if prev.get("recipe") == recipe]})
        out["rows"].append(entry)
    data = None
    for row, entry in zip(ROWS, out["rows"]):
        recipe, runs = entry["recipe"], entry["runs"]
        if row["name"] not in chosen:
            continue
        for seed in args.seeds:
            if any(r["seed"] == seed for r in runs):
                continue
            if data is None:
                data = T.load_data(T.recipe_config("default", source=args.source, root=args.root, device=args.device))
            rec, run = _run(recipe, seed, args, data)
            runs.append(run)
            runs.sort(key=lambda r: r["seed"])
            out.update(
                {
                    "device": rec["device"],
                    "device_name": rec["device_name"],
                    "torch": torch.__version__,
                    "threads": torch.get_num_threads(),
                }
            )
            print(
                f"{row['name']:16s} seed {seed}: {100 * run['final_test_accuracy']:.2f}% "
                f"({run['hidden_spikes_per_sample']:.0f} hidden spikes/image, {run['train_seconds']:.0f} s)",
                flush=True,
            )
            _write(out, args.json)
    _write(out, args.json)
    for entry in out["rows"]:
        if entry["runs"]:
            s = entry["summary"]
            print(
                f"{entry['name']:16s} {100 * s['mean_accuracy']:.2f}% +- {100 * s['std_accuracy']:.2f} "
                f"(n={len(s['seeds'])}), {s['mean_hidden_spikes']:.0f} hidden spikes/image"
            )
    return 0


def _write(out: Dict[str, Any], path: str) -> None:
    for entry in out["rows"]:
        if entry["runs"]:
            entry["summary"] = _summary(entry["runs"])
        else:
            entry.pop("summary", None)
    out["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    atomic_write_json(path, out)


if __name__ == "__main__":
    sys.exit(main())
