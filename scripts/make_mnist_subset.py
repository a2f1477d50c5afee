"""Regenerate snnlib/_data/mnist_subset.npz from full MNIST: a class-balanced real subset.

    python scripts/make_mnist_subset.py --root ../shared/data/mnist [--train-per-class 300] [--test-per-class 100]

Takes the first N digits of each class in file order, keeps their original indices, writes the
archive atomically and its SHA-256 beside it (the loader verifies it).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from snnlib import data  # noqa: E402


def first_per_class(labels: np.ndarray, per_class: int) -> np.ndarray:
    idx = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])
    return np.sort(idx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True)
    ap.add_argument("--train-per-class", type=int, default=300)
    ap.add_argument("--test-per-class", type=int, default=100)
    args = ap.parse_args()
    arrays = {}
    for split, per in (("train", args.train_per_class), ("test", args.test_per_class)):
        images, labels = data.load_full(split, root=args.root)
        images, labels = images.numpy(), labels.numpy()
        idx = first_per_class(labels, per)
        arrays[f"{split}_images"] = images[idx]
        arrays[f"{split}_labels"] = labels[idx].astype(np.uint8)
        arrays[f"{split}_index"] = idx.astype(np.int32)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    payload = buf.getvalue()
    for path, content in ((data.BUNDLED_PATH, payload),
                          (data.BUNDLED_SHA256_PATH, f"{hashlib.sha256(payload).hexdigest()}  mnist_subset.npz\n".encode())):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    print(f"wrote {data.BUNDLED_PATH} ({len(payload) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
