"""Training throughput of the recipe as the command line trains it, beside snnTorch's tutorial loop.

    python benchmarks/throughput_defaults.py --threads 1 --rounds 4 --batches 20

``throughput.py`` times the three implementations on one shared recipe (the tutorial's). Our
recipe does a little more or less per batch: each batch is shifted by up to a pixel, the loss is
the cross-entropy of the mean membrane, the learning rate follows a schedule. This script times
exactly that, ``snnlib.train.fit(TrainConfig(...))`` with the defaults (``--batches`` batches of
one epoch), against ``SnnTorchReference`` trained with the tutorial's loop on the same number of
batches, alternating in one process (so a busy machine slows both alike); the first round is a
warm-up and is dropped. Prints samples/s and the ratio; writes
``benchmarks/results/throughput_defaults.json`` atomically.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch
from _common import ROOT, default_mnist_root

from snnlib import train as T
from snnlib._io import atomic_write_json
from snnlib.train.measure import device_name


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=4, help="rounds (the first is a warm-up)")
    p.add_argument("--batches", type=int, default=20, help="training batches per implementation per round")
    p.add_argument("--source", default="auto", choices=["auto", "full", "bundled"])
    p.add_argument("--root", default=default_mnist_root())
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "throughput_defaults.json"))
    args = p.parse_args(argv)
    if args.rounds < 2:
        p.error("--rounds must be at least 2 (the first is a warm-up)")
    if args.threads:
        torch.set_num_threads(args.threads)
    config = T.TrainConfig(epochs=1, max_batches=args.batches, max_test=1000, source=args.source, root=args.root, device="cpu")
    data = T.load_data(config)
    train, test = data
    rates = {"snnlib defaults (fit)": [], "snnTorch reference": []}
    for r in range(args.rounds):
        hist = T.fit(config, progress=False, data=data, log=False).history
        ours = hist["epochs"][0]["samples_per_s"]
        ref = T.compare.train_implementation(
            "snnTorch reference", train, test, epochs=1, max_batches=args.batches, progress=False
        )["epochs"][0]["samples_per_s"]
        print(f"round {r}{' (warm-up)' if r == 0 else ''}: defaults {ours:.0f}/s, snnTorch {ref:.0f}/s", flush=True)
        if r:
            rates["snnlib defaults (fit)"].append(ours)
            rates["snnTorch reference"].append(ref)
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratio = med["snnlib defaults (fit)"] / med["snnTorch reference"]
    out = {
        "benchmark": "throughput_defaults",
        "recipe": T.recipe_of(config),
        "batches_per_round": args.batches,
        "rounds": rates,
        "train_samples_per_s": med,
        "ratio": ratio,
        "device_name": device_name(torch.device("cpu")),
        "threads": torch.get_num_threads(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(f"defaults / snnTorch reference: {ratio:.1f}x ({out['device_name']})")
    atomic_write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
