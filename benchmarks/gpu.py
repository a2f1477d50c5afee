"""The measurements of ``benchmarks/gpu_check.sh`` on a CUDA GPU: throughput side by side, 5 epochs, memory.

    python benchmarks/gpu.py --json benchmarks/results/gpu.json [--tests-json tests.json]

1. **Throughput** (training samples/s, batch 128, 25 steps, Adam): every variant of the library's
   path (engine backend ``triton`` or ``fused``; eager, CUDA graph, bf16 autocast, ``torch.compile``),
   snnTorch's tutorial network and the plain-PyTorch per-step loop, in alternating rounds on the same
   batches (median over rounds), with the CUDA kernels launched per step (from the profiler).
2. **Five epochs** of the recipe (``snnlib.train.fit``, batch 128, a test pass after each epoch)
   for the library's default path and with one technique switched off or on at a time: seconds of
   training, of testing, test accuracy, peak GPU memory.

Writes one JSON (atomically) that ``book/gpu.md`` renders. Needs a CUDA GPU; uses only what is
installed (the snnTorch reference is left out, and said so, if snnTorch is missing).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List

import torch
from _common import ROOT, default_mnist_root

from snnlib import data as D
from snnlib import models as M
from snnlib import train as T
from snnlib._io import atomic_write_json
from snnlib.train import graphs as G


def _membrane_loss(spk, mem, y):
    return M.membrane_ce_loss(mem, y)


def _tutorial_loss(spk, mem, y):
    """snnTorch tutorial's loss: ``CE(U[t], y)`` added step by step."""
    loss = torch.zeros((), device=mem.device)
    for t in range(mem.shape[0]):
        loss = loss + torch.nn.functional.cross_entropy(mem[t], y)
    return loss


def _snnlib(backend: str, graphs: bool = False, autocast=None, compiled: bool = False) -> Callable:
    def make(num_steps: int, device: torch.device):
        model = M.SpikingMLP(num_steps=num_steps, backend=backend).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=5e-4, fused=True)
        forward = torch.compile(model) if compiled else None
        return model, G.TrainStep(model, opt, _membrane_loss, forward=forward, autocast=autocast, graphs=graphs)

    return make


def _reference(name: str) -> Callable:
    def make(num_steps: int, device: torch.device):
        model = T.IMPLEMENTATIONS[name].make(num_steps).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=5e-4, fused=True)
        return model, G.TrainStep(model, opt, _tutorial_loss)

    return make


#: name -> (description, make(num_steps, device) -> (model, step)).
VARIANTS: Dict[str, tuple] = {
    "triton + CUDA graph": ("the library's path: Triton kernels, each step replayed from a CUDA graph", _snnlib("triton", True)),
    "triton + CUDA graph, bf16": ("the same under bf16 autocast (membranes float32)", _snnlib("triton", True, torch.bfloat16)),
    "triton, eager": ("Triton kernels, steps launched from Python", _snnlib("triton")),
    "fused + CUDA graph": ("PyTorch fused backend (about 330 launches per step) in a CUDA graph", _snnlib("fused", True)),
    "fused, eager": ("PyTorch fused backend, launched from Python (the GPU path before this chapter's work)", _snnlib("fused")),
    "snnTorch reference": ("snnTorch tutorial: snn.Leaky, per-step loop and loss", _reference("snnTorch reference")),
    "PyTorch reference": ("plain PyTorch per-step loop, hand-written arctan surrogate", _reference("PyTorch reference")),
    "triton, torch.compile": ("Triton kernels, the model compiled (opt-in)", _snnlib("triton", compiled=True)),
}


def _kernels_per_step(step, x, y) -> Any:
    """CUDA kernels launched by one training step (profiler), or None when the profiler cannot say."""
    try:
        from torch.profiler import ProfilerActivity, profile

        if x.device.type != "cuda":
            return None
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step(x, y)
            torch.cuda.synchronize()
        return sum(1 for e in prof.events() if e.device_type.name == "CUDA")
    except Exception:  # pragma: no cover - depends on the profiler build
        return None


def throughput(
    train: D.Batches, names: List[str], rounds: int, per_round: int, warmup: int, num_steps: int, budget: float
) -> Dict[str, Any]:
    """Training samples/s of each variant, alternating rounds on the same batches (median over rounds).

    A variant whose set-up would start after ``budget`` seconds is skipped (and said so).
    """
    start = time.perf_counter()
    it = iter(train)
    batches = [next(it) for _ in range(warmup + rounds * per_round)]
    built, setup_s, results = {}, {}, {}
    for name in names:
        t0 = time.perf_counter()
        if t0 - start > budget:
            results[name] = {"description": VARIANTS[name][0], "error": f"skipped: set-up budget of {budget:.0f} s spent"}
            continue
        try:
            torch.manual_seed(0)
            built[name] = VARIANTS[name][1](num_steps, train.device)
            for x, y in batches[:warmup]:  # warm-up: compilation, capture
                built[name][1](x, y)
            _sync(train.device)
        except Exception as err:
            results[name] = {"description": VARIANTS[name][0], "error": f"{type(err).__name__}: {err}".splitlines()[0]}
            built.pop(name, None)
        setup_s[name] = time.perf_counter() - t0
    rates = {name: [] for name in built}
    for r in range(rounds):
        chunk = batches[warmup + r * per_round : warmup + (r + 1) * per_round]
        n = sum(y.shape[0] for _, y in chunk)
        for name in built if r % 2 == 0 else list(built)[::-1]:
            step = built[name][1]
            _sync(train.device)
            t0 = time.perf_counter()
            for x, y in chunk:
                step(x, y)
            _sync(train.device)
            rates[name].append(n / (time.perf_counter() - t0))
    for name, (_model, step) in built.items():
        x, y = batches[0]
        results[name] = {
            "description": VARIANTS[name][0],
            "train_samples_per_s": float(torch.tensor(rates[name]).median()),
            "rounds": rates[name],
            "setup_seconds": setup_s[name],
            "kernels_per_step": _kernels_per_step(step, x, y),
            "step": step.report(),
        }
    return results


def five_epochs(source: str, root, epochs: int, device: str = "cuda", max_batches=None) -> Dict[str, Any]:
    """The recipe for ``epochs`` epochs with each technique on or off (``snnlib.train.fit``)."""
    runs = {
        "default (Triton + CUDA graph)": {},
        "without CUDA graphs": {"cuda_graphs": False},
        "bf16 autocast": {"precision": "bfloat16"},
    }
    config = T.TrainConfig(epochs=epochs, batch_size=128, device=device, source=source, root=root, max_batches=max_batches)
    data = T.load_data(config)
    out = {}
    for name, kwargs in runs.items():
        try:
            h = T.fit(config, progress=False, log=False, data=data, **kwargs).history
        except Exception as err:
            out[name] = {"error": f"{type(err).__name__}: {err}".splitlines()[0], "traceback": traceback.format_exc()[-2000:]}
            continue
        out[name] = {
            "fit_kwargs": kwargs,
            "train_seconds_total": h["train_seconds_total"],
            "eval_seconds_total": sum(e["eval_seconds"] for e in h["epochs"]),
            "train_seconds_per_epoch": [e["train_seconds"] for e in h["epochs"]],
            "samples_per_s": [e["samples_per_s"] for e in h["epochs"]],
            "test_accuracy": [e["test_accuracy"] for e in h["epochs"]],
            "peak_memory_bytes": h["peak_memory"]["bytes"],
            "step": h["step"],
            "train_samples": h["epochs"][-1]["train_samples"] if h["epochs"] else 0,
        }
    out["data"] = {"source": source, "train_samples": data[0].num_samples, "test_samples": data[1].num_samples}
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "gpu.json"))
    p.add_argument("--tests-json", default=None, help="the CUDA tests' outcome (written by gpu_check.sh)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--batches", type=int, default=20, help="batches per variant per round")
    p.add_argument("--warmup", type=int, default=6)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--budget", type=float, default=100.0, help="seconds for setting up the throughput variants")
    p.add_argument("--source", default="auto", choices=["auto", "full", "bundled"])
    p.add_argument("--root", default=default_mnist_root())
    p.add_argument("--device", default="cuda", help="cuda (a smoke run of the script itself: cpu)")
    p.add_argument("--max-batches", type=int, default=None, help="batches per epoch of the 5-epoch runs (smoke runs)")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("no CUDA GPU: nothing to measure")
        return 0
    names = list(VARIANTS)
    try:
        import snntorch  # noqa: F401
    except ImportError:
        names.remove("snnTorch reference")
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tx, ty = D.load_mnist("train", source=args.source, root=args.root)
    train = D.Batches(tx, ty, batch_size=128, device=device, scale="standard", drop_last=True)
    out: Dict[str, Any] = {
        "benchmark": "gpu",
        "started": started,
        "device_name": T.device_name(device),
        "capability": list(torch.cuda.get_device_capability()) if device.type == "cuda" else None,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "triton": _version("triton"),
        "batch_size": 128,
        "num_steps": 25,
        "tests": json.loads(Path(args.tests_json).read_text()) if args.tests_json else None,
        "snntorch_missing": "snnTorch reference" not in names,
    }
    print(f"throughput on {out['device_name']}: {', '.join(names)}", flush=True)
    out["throughput"] = throughput(train, names, args.rounds, args.batches, args.warmup, 25, args.budget)
    atomic_write_json(args.json, out)  # what is measured so far, in case the rest runs out of time
    for name, r in out["throughput"].items():
        print(f"  {name:28s} {r.get('train_samples_per_s', float('nan')):12,.0f} samples/s  {r.get('error', '')}", flush=True)
    print(f"{args.epochs} epochs + a test pass after each, batch 128", flush=True)
    out["epochs"] = five_epochs(args.source, args.root, args.epochs, args.device, args.max_batches)
    for name, r in out["epochs"].items():
        if name != "data":
            print(f"  {name:30s} {r.get('train_seconds_total', float('nan')):8.2f} s  {r.get('error', '')}", flush=True)
    cpu = ROOT / "benchmarks" / "results" / "accuracy.json"
    if cpu.exists():
        out["cpu_recipe_mean_accuracy"] = json.loads(cpu.read_text()).get("mean_accuracy")
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    atomic_write_json(args.json, out)
    print(f"wrote {args.json}")
    return 0


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _version(module: str):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


if __name__ == "__main__":
    sys.exit(main())
