"""What the benchmark scripts share: the repository root on sys.path and where full MNIST lies."""

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
