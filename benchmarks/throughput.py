"""Training throughput of the snnlib fast path, snnTorch's tutorial network and a plain-PyTorch loop.

    python benchmarks/throughput.py --rounds 5 --batches 6 --json benchmarks/results/throughput.json

Same network (784-1000-10 LIF, beta 0.95, arctan), same batches (batch 128), same number of steps
(25), same optimiser (Adam 5e-4); in one process, alternating, so that a busy machine slows all
of them alike. Prints the engine backend the snnlib fast path runs on (``snnlib.engine``: the C kernel
"cpu" on a CPU unless ``SNNLIB_CPU_KERNEL=0``), samples/s for each and the ratios; writes the JSON atomically.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from _common import ROOT, default_mnist_root

from snnlib import data as D
from snnlib import get_device
from snnlib import models as M
from snnlib import train as T
from snnlib._io import atomic_write_json


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--batches", type=int, default=6, help="batches per implementation per round")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--num-steps", type=int, default=25)
    p.add_argument("--source", default="auto", choices=["auto", "full", "bundled"])
    p.add_argument("--root", default=default_mnist_root())
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--plain", action="store_true", help="also time snnlib's plain per-step loop")
    p.add_argument("--eval-batches", type=int, default=2, help="test batches of 1000 to time evaluation")
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "throughput.json"))
    p.add_argument("--note", default="", help="a remark stored in the JSON (e.g. how busy the machine was)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = get_device(None if args.device == "auto" else args.device)
    tx, ty = D.load_mnist("train", source=args.source, root=args.root)
    vx, vy = D.load_mnist("test", source=args.source, root=args.root)
    train = D.Batches(tx, ty, batch_size=args.batch_size, device=device, scale="unit")
    test = D.Batches(vx, vy, batch_size=1000, shuffle=False, device=device, scale="unit")
    names = ["snnlib fast path", "snnTorch reference", "PyTorch reference"]
    if args.plain:
        names.append("snnlib plain loop")
    # The engine backends the fast path runs on (what "snnlib fast path" measures), from one small call.
    probe = M.SpikingMLP(num_steps=args.num_steps).to(device).record(torch.rand(2, 28, 28, device=device))
    backend = {"hidden": probe.hidden_backend, "output": probe.output_backend}
    print(
        f"snnlib fast path: engine backend {backend['hidden']!r} (hidden layer and output synapses), "
        f"{backend['output']!r} (output layer)",
        flush=True,
    )
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None
    out = T.compare_implementations(
        train,
        test,
        names,
        batches_per_round=args.batches,
        rounds=args.rounds,
        warmup=args.warmup,
        num_steps=args.num_steps,
        eval_batches=args.eval_batches,
    )
    out.update(
        {
            "benchmark": "throughput",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average_before": load,
            "load_average_after": Path("/proc/loadavg").read_text().split()[:3] if load else None,
            "snnlib_backend": backend,
            "note": args.note,
        }
    )
    print(f"{'implementation':22s} {'train samples/s':>16s} {'per CPU-s':>10s} {'eval samples/s':>15s}")
    for name, r in out["results"].items():
        print(f"{name:22s} {r['train_samples_per_s']:16.0f} {r['cpu_samples_per_s']:10.0f} {r['eval_samples_per_s']:15.0f}")
    for k, v in out["ratios"].items():
        rr = ", ".join(f"{x:.1f}" for x in out["ratio_per_round"][k])
        print(f"{k}: {v:.1f}x (per round: {rr})")
    print(
        f"snnlib fast path on engine backend {backend['hidden']!r} / {backend['output']!r}; "
        f"on {out['device_name']}, all implementations at {out['threads']} torch thread(s); "
        f"load average before/after: {load} / {out['load_average_after']}"
    )
    atomic_write_json(args.json, out)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
