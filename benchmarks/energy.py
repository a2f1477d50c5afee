"""The energy argument of the MNIST chapter, layer by layer: operations per image and their energy.

    python benchmarks/energy.py        # reads results/ablation.json, writes results/energy.json

For the ANN of the same shape (784-1000-10, ReLU) and the spiking MLP trained with the reference
recipe and with ours, it counts per image and per layer the multiply-accumulates (MACs), the
accumulates (ACs: one addition per spike and outgoing synapse) and the membrane updates
(``snnlib.models.layer_operations``; the hidden spike counts are the ablation's measured means
over the test set), and prices them with Horowitz's 45 nm table (``snnlib.models.HOROWITZ_45NM``,
32-bit floating point). Two what-ifs use statistics of the test images: hardware that skips zero
pixels in the first layer, and the same network fed rate-coded spikes (Bernoulli, probability =
pixel intensity per step) instead of the analogue image, with its hidden activity assumed unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _common import ROOT, default_mnist_root

from snnlib import data as D
from snnlib import models as M
from snnlib._io import atomic_write_json

RESULTS = ROOT / "benchmarks" / "results"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ablation", default=str(RESULTS / "ablation.json"))
    p.add_argument("--source", default="auto", choices=["auto", "full", "bundled"])
    p.add_argument("--root", default=default_mnist_root())
    p.add_argument("--ours", default=None, help="the ablation row of our recipe (default: its best row)")
    p.add_argument("--sparse", default="shift, rate loss", help="an ablation row with sparser hidden activity")
    p.add_argument("--json", default=str(RESULTS / "energy.json"))
    args = p.parse_args(argv)
    ablation = json.loads(Path(args.ablation).read_text())
    rows = {r["name"]: r for r in ablation["rows"]}
    best = args.ours or ablation["best_row"]
    spikes = {
        "reference": rows["reference"]["summary"]["mean_hidden_spikes"],
        "ours": rows[best]["summary"]["mean_hidden_spikes"],
    }
    if rows.get(args.sparse, {}).get("runs"):
        spikes["sparse"] = rows[args.sparse]["summary"]["mean_hidden_spikes"]
    num_steps = rows[best]["recipe"]["num_steps"]
    images, _labels = D.load_mnist("test", source=args.source, root=args.root)
    x = images.float().div(255).reshape(len(images), -1)
    nonzero = float((x > 0).sum(1).float().mean())
    input_spikes = float(x.sum(1).mean()) * num_steps  # expected Bernoulli spikes per image over the steps
    ops = {k: M.layer_operations(v, num_steps) for k, v in spikes.items()}
    skipping = M.layer_operations(spikes["ours"], num_steps, nonzero_inputs=nonzero)
    spiking = M.layer_operations(spikes["ours"], num_steps, input_spikes=input_spikes)
    out = {
        "benchmark": "energy",
        "per_op_pj": M.HOROWITZ_45NM,
        "per_op_source": "Horowitz, Computing's energy problem, ISSCC 2014: 45 nm, 0.9 V, 32-bit floating point",
        "membrane_update": M.MEMBRANE_UPDATE,
        "num_steps": num_steps,
        "hidden_spikes": spikes,
        "best_row": best,
        "sparse_row": args.sparse if "sparse" in spikes else None,
        "test_images": len(images),
        "nonzero_pixels": nonzero,
        "rate_coded_input_spikes": input_spikes,
        "scenarios": [
            M.energy_scenario("ANN", ops["ours"], "ANN", "784-1000-10 ReLU network, dense"),
            M.energy_scenario("SNN, reference recipe", ops["reference"], "SNN", "analogue image, reference recipe's spikes"),
            M.energy_scenario("SNN, our recipe", ops["ours"], "SNN", "analogue image, our recipe's hidden spikes"),
            *(
                [M.energy_scenario("SNN, rate loss", ops["sparse"], "SNN", f"analogue image, row {args.sparse!r}")]
                if "sparse" in ops
                else []
            ),
            M.energy_scenario("ANN, zero pixels skipped", skipping, "ANN", "layer 1 MACs only for nonzero pixels"),
            M.energy_scenario("SNN, zero pixels skipped", skipping, "SNN", "layer 1 MACs only for nonzero pixels"),
            M.energy_scenario("SNN, rate-coded input", spiking, "SNN", "Bernoulli input spikes, hidden activity as ours"),
        ],
    }
    atomic_write_json(args.json, out)
    for s in out["scenarios"]:
        parts = ", ".join(f"{r['layer']}: {r['energy_nj']['total']:.1f} nJ" for r in s["layers"])
        print(f"{s['name']:28s} {s['total_nj']:8.1f} nJ ({parts})")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
