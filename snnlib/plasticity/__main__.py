"""Command line: train the Diehl & Cook network on MNIST and write its test accuracy as JSON.

    python -m snnlib.plasticity --neurons 400 --source full --root /path/to/mnist --json out.json

``--train-images N`` trains on the first N training images (default: all 60,000 of the full set);
``--checkpoint FILE`` saves the state every 5,000 images and resumes from it when run again.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from .. import _io
from .network import DiehlCookParams
from .training import SOURCES, run_experiment


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _overrides(ap: argparse.ArgumentParser, items) -> dict:
    """``["name=value", ...]`` -> ``{name: value}``, each value converted to the parameter's type."""
    types = {f.name: f.type for f in dataclasses.fields(DiehlCookParams)}
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or name not in types:
            ap.error(f"--set expects NAME=VALUE with NAME one of {sorted(types)}, got {item!r}")
        kind = types[name] if isinstance(types[name], str) else types[name].__name__
        try:
            if kind == "bool":
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(text)
                out[name] = text.lower() in ("true", "1")
            else:
                out[name] = {"int": int, "float": float, "str": str}[kind](text)
        except ValueError:
            ap.error(f"--set {name}: expected a {kind}, got {text!r}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m snnlib.plasticity", description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=_positive_int, default=100, help="excitatory neurons (default 100)")
    ap.add_argument("--source", choices=SOURCES, default="auto", help="MNIST: auto, full or bundled subset")
    ap.add_argument("--root", default=None, help="folder holding the four MNIST IDX files")
    ap.add_argument("--train-images", type=_positive_int, default=None, help="training images (default: all)")
    ap.add_argument(
        "--label-images",
        type=_positive_int,
        default=None,
        help="training images used to label the neurons (default: min(train images, 10000))",
    )
    ap.add_argument("--test-images", type=_positive_int, default=None, help="test images (default: all)")
    ap.add_argument(
        "--validation-images",
        type=_positive_int,
        default=None,
        help="hold out the last N training images and report the accuracy on them (for choosing parameters)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-inhibition", action="store_true", help="ablation: no lateral inhibition")
    ap.add_argument("--no-adaptive-threshold", action="store_true", help="ablation: fixed thresholds")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of DiehlCookParams, e.g. --set stdp_rule=triplet --set theta_plus=0.07 (repeatable)",
    )
    ap.add_argument("--checkpoint", default=None, help="checkpoint file (resumed if it exists)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    ap.add_argument("--json", default=None, help="write the result here (atomically)")
    args = ap.parse_args(argv)
    overrides = _overrides(ap, args.set)
    result = run_experiment(
        args.neurons,
        args.source,
        args.root,
        args.train_images,
        args.label_images,
        args.test_images,
        args.seed,
        lateral_inhibition=not args.no_inhibition,
        adaptive_threshold=not args.no_adaptive_threshold,
        checkpoint=args.checkpoint,
        progress=not args.no_progress,
        overrides=overrides,
        validation_images=args.validation_images,
    )
    text = json.dumps(result, indent=2, default=_io.json_default)
    if args.json:
        _io.atomic_write_text(args.json, text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
