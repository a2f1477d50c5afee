"""What the benchmark scripts share: the repository root on sys.path, where full MNIST lies, the options of a run."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def default_mnist_root():
    """Full MNIST beside the checkout (``../shared/data/mnist`` or one level up), else None (search)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data" / "mnist").is_dir():
            return str(base / "shared" / "data" / "mnist")
    return None


def run_arguments(p, epochs: int = 5, seeds=(0, 1, 2)) -> None:
    """Add the options every training benchmark takes to the argparse parser ``p``: ``--seeds``,
    ``--epochs``, ``--source``, ``--root``, ``--device``, ``--threads``, ``--max-batches``."""
    p.add_argument("--seeds", type=int, nargs="+", default=list(seeds), help="one run per seed")
    p.add_argument("--epochs", type=int, default=epochs, help="epochs per run")
    p.add_argument("--source", default="full", choices=["auto", "full", "bundled"], help="which MNIST")
    p.add_argument("--root", default=default_mnist_root(), help="folder with full MNIST")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, ...")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--max-batches", type=int, default=None, help="batches per epoch (default: all; for tests)")
