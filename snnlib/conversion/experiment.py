"""The conversion experiment end to end, and its command line ``python -m snnlib.conversion``.

``python -m snnlib.conversion --net mlp|cnn --source auto|full|bundled --root DIR
--num-steps 8,16,32,64,128,256 --json PATH`` trains the ReLU network, converts it (99.9th percentile,
reset by subtraction, analog input: the main configuration), measures it on the whole test set and
sweeps the other choices (normalisation x reset, rate-coded input) on ``--sweep-test`` test images
spread evenly over the test set. The JSON holds ``ann_accuracy`` (in [0, 1]), ``snn_accuracy`` (step count -> accuracy),
``spikes_per_image`` and ``synops_per_image`` (step count -> number), the ``sweep``, the
layer-wise ``correlation`` and ``at_surrogate_steps`` (the main configuration at T = 25, the MNIST
chapter's step count); step counts are JSON keys, hence strings.
"""

from __future__ import annotations

import argparse
import time
from typing import Dict, List, Optional, Sequence

import torch

from .. import _checks, _io
from .. import data as _data
from .core import RESETS, convert
from .networks import NETWORKS, ann_accuracy, make_network, prepare, train_ann
from .simulate import accuracy_vs_steps, rate_correlation

__all__ = ["DEFAULTS", "SURROGATE_STEPS", "SWEEP", "run_experiment", "parse_steps", "main"]

#: Training recipe per network: epochs, learning rate, shift augmentation (pixels).
DEFAULTS: Dict[str, dict] = {"mlp": {"epochs": 6, "lr": 1e-3, "shift": 0}, "cnn": {"epochs": 15, "lr": 2e-3, "shift": 2}}
#: The step count of the MNIST chapter's surrogate-trained network, also measured for comparison.
SURROGATE_STEPS = 25
#: The swept configurations: (normalisation, reset, input).
SWEEP = (
    *((norm, reset, "analog") for norm in ("none", "max", "p99.99", "p99.9", "p99") for reset in RESETS),
    ("p99.9", "subtract", "rate"),
)


def parse_steps(text: str) -> List[int]:
    """``"8,16,32"`` -> ``[8, 16, 32]`` (each >= 1, sorted, without repeats)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"num_steps must be a comma-separated list of step counts such as '8,16,32', got {text!r}")
    out = []
    for part in text.split(","):
        try:
            out.append(int(part))
        except ValueError:
            raise ValueError(f"num_steps must be a comma-separated list of integers, got {text!r}") from None
    return sorted({_checks.integer(t, "num_steps", 1) for t in out})


def _keyed(d: dict) -> dict:
    return {str(k): v for k, v in d.items()}


def run_experiment(
    net: str = "mlp",
    source: str = "auto",
    root=None,
    num_steps: Sequence[int] = (8, 16, 32, 64, 128, 256),
    epochs: Optional[int] = None,
    num_norm: int = 10000,
    max_test: Optional[int] = None,
    sweep_test: int = 1000,
    sweep: bool = True,
    correlation_steps: int = 64,
    seed: int = 0,
    log=print,
) -> dict:
    """Train ``net`` (``"mlp"`` or ``"cnn"``), convert it and measure it; returns the JSON-ready record.

    ``source``/``root``: as :func:`snnlib.data.load_mnist`; ``num_steps``: the step counts read;
    ``epochs``: training epochs (default per network, :data:`DEFAULTS`); ``num_norm``: training
    images whose activations set the normalisation; ``max_test``: use only the first test images;
    ``sweep_test``: test images (evenly spread) for each swept configuration (:data:`SWEEP`), ``sweep=False`` skips it;
    ``correlation_steps``: the step count of the activation-rate correlation.
    """
    _checks.choice(net, "net", NETWORKS)
    _checks.choice(source, "source", ("auto", "full", "bundled"))
    steps = sorted({_checks.integer(t, "num_steps", 1) for t in num_steps})
    recipe = dict(DEFAULTS[net])
    if epochs is not None:
        recipe["epochs"] = _checks.integer(epochs, "epochs", 1)
    num_norm = _checks.integer(num_norm, "num_norm", 1)
    sweep_test = _checks.integer(sweep_test, "sweep_test", 1)
    seed = _checks.integer(seed, "seed", 0)
    t_start = time.perf_counter()
    train_images, train_labels = _data.load_mnist("train", source=source, root=root)
    test_images, test_labels = _data.load_mnist("test", source=source, root=root)
    if max_test is not None:
        max_test = _checks.integer(max_test, "max_test", 1)
        test_images, test_labels = test_images[:max_test], test_labels[:max_test]
    ann = make_network(net, seed)
    history = train_ann(
        ann, train_images, train_labels, net, epochs=recipe["epochs"], lr=recipe["lr"], shift=recipe["shift"], seed=seed, log=log
    )
    x_test = prepare(test_images, net)
    acc_ann = ann_accuracy(ann, x_test, test_labels)
    log(f"ANN test accuracy {acc_ann:.4f}")
    x_norm = prepare(train_images[:num_norm], net)
    t_eval = time.perf_counter()
    main_snn = convert(ann, x_norm, "p99.9")
    both = sorted(set(steps) | {SURROGATE_STEPS})
    measured = accuracy_vs_steps(main_snn, x_test, test_labels, both, "subtract", "analog", seed=seed)
    at_25 = {k: v[SURROGATE_STEPS] for k, v in measured.items()}
    measured = {k: {t: v[t] for t in steps} for k, v in measured.items()}
    log("SNN (p99.9, subtract, analog): " + ", ".join(f"T={t}: {a:.4f}" for t, a in measured["accuracy"].items()))
    corr = rate_correlation(main_snn, x_test[:200], correlation_steps, max_points=1500, seed=seed)
    record = {
        "net": net,
        "source": source,
        "num_train": int(train_labels.shape[0]),
        "num_test": int(test_labels.shape[0]),
        "recipe": recipe,
        "train_history": history,
        "ann_accuracy": acc_ann,
        "num_steps": steps,
        "main": {"normalisation": "p99.9", "reset": "subtract", "input": "analog", "balance": "weights"},
        "scales": {"p99.9": main_snn.scales},
        "snn_accuracy": _keyed(measured["accuracy"]),
        "spikes_per_image": _keyed(measured["spikes_per_image"]),
        "synops_per_image": _keyed(measured["synops_per_image"]),
        "layer_spikes_per_image": _keyed(measured["layer_spikes_per_image"]),
        "correlation": {"num_steps": correlation_steps, "num_images": 200, **corr},
        "at_surrogate_steps": {"num_steps": SURROGATE_STEPS, **at_25},
    }
    if sweep:
        n = min(sweep_test, x_test.shape[0])
        pick = torch.linspace(0, x_test.shape[0] - 1, n).round().long()  # evenly spread over the test set
        x_sub, y_sub = x_test[pick], test_labels[pick]
        ann_sub = ann_accuracy(ann, x_sub, y_sub)
        rows = []
        converted = {}
        for norm, reset, inp in SWEEP:
            if norm not in converted:
                converted[norm] = convert(ann, x_norm, norm)
                record["scales"][norm] = converted[norm].scales
            res = accuracy_vs_steps(converted[norm], x_sub, y_sub, steps, reset, inp, seed=seed)
            rows.append(
                {
                    "normalisation": norm,
                    "reset": reset,
                    "input": inp,
                    "accuracy": _keyed(res["accuracy"]),
                    "spikes_per_image": _keyed(res["spikes_per_image"]),
                    "synops_per_image": _keyed(res["synops_per_image"]),
                }
            )
            log(f"sweep {norm:7s} {reset:8s} {inp:6s}: " + ", ".join(f"{a:.3f}" for a in res["accuracy"].values()))
        record["sweep"] = {"num_test": n, "ann_accuracy": ann_sub, "rows": rows}
    record["train_seconds"] = sum(h["seconds"] for h in history)
    record["eval_seconds"] = time.perf_counter() - t_eval
    record["total_seconds"] = time.perf_counter() - t_start
    record["torch_threads"] = torch.get_num_threads()
    return record


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m snnlib.conversion", description=__doc__.split("\n\n")[0])
    p.add_argument("--net", choices=sorted(NETWORKS), default="mlp")
    p.add_argument("--source", choices=("auto", "full", "bundled"), default="auto")
    p.add_argument("--root", default=None, help="folder holding the full MNIST files")
    p.add_argument("--num-steps", default="8,16,32,64,128,256", help="comma-separated step counts")
    p.add_argument("--json", default=None, help="write the record here (atomically)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--max-test", type=int, default=None, help="use only the first N test images")
    p.add_argument("--sweep-test", type=int, default=1000, help="test images (evenly spread) per swept configuration")
    p.add_argument("--no-sweep", action="store_true", help="measure the main configuration only")
    p.add_argument("--num-norm", type=int, default=10000, help="training images for the normalisation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = p.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(_checks.integer(args.threads, "threads", 1))
    try:
        steps = parse_steps(args.num_steps)
    except ValueError as err:
        p.error(str(err))
    record = run_experiment(
        args.net,
        args.source,
        args.root,
        steps,
        epochs=args.epochs,
        num_norm=args.num_norm,
        max_test=args.max_test,
        sweep_test=args.sweep_test,
        sweep=not args.no_sweep,
        seed=args.seed,
        log=lambda line: print(line, flush=True),
    )
    if args.json:
        _io.atomic_write_json(args.json, record)
        print(f"wrote {args.json}")
    return 0
