"""Regenerate the bundled subsets in snnlib/_data/ from the full sets: class-balanced real digits.

    python scripts/make_mnist_subset.py --root ../shared/data/mnist
    python scripts/make_mnist_subset.py --dataset fashion-mnist --root /usr/share/datasets/fashion-mnist \\
        --train-per-class 100 --test-per-class 50

Takes the first N items of each class in file order (so the subset is the same on every machine),
stores them with their labels and their indices in the full set, writes the compressed archive
atomically (``snnlib._io``: a temporary name, then one rename; never half-written), and writes its
SHA-256 beside it; the loader verifies that checksum on every load. Deterministic: rerunning gives
the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from snnlib import data
from snnlib._io import atomic_write_bytes


def first_per_class(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first ``per_class`` items of each class 0..9, in file order."""
    idx = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])
    return np.sort(idx)


def subset_arrays(full: dict, train_per_class: int, test_per_class: int) -> dict:
    """The archive's arrays from ``full = {"train": (images, labels), "test": (images, labels)}``."""
    arrays = {}
    for split, per in (("train", train_per_class), ("test", test_per_class)):
        images, labels = (np.asarray(a) for a in full[split])
        idx = first_per_class(labels, per)
        arrays[f"{split}_images"] = images[idx]
        arrays[f"{split}_labels"] = labels[idx].astype(np.uint8)
        arrays[f"{split}_index"] = idx.astype(np.int32)
    return arrays


def deterministic_npz(arrays: dict) -> bytes:
    """A compressed .npz whose bytes depend only on the arrays (fixed zip timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def write_readable(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically (``snnlib._io``: the mode a plain ``open()`` gives)."""
    atomic_write_bytes(path, content)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help="folder with the four IDX files of the full set")
    ap.add_argument("--dataset", default="mnist", choices=list(data.DATASETS))
    ap.add_argument("--train-per-class", type=int, default=300)
    ap.add_argument("--test-per-class", type=int, default=100)
    args = ap.parse_args()
    full = {split: data.load_full(split, root=args.root, dataset=args.dataset, download=False) for split in ("train", "test")}
    payload = deterministic_npz(subset_arrays(full, args.train_per_class, args.test_per_class))
    npz_path, sha_path = data._bundled_paths(args.dataset)
    write_readable(npz_path, payload)
    write_readable(sha_path, f"{hashlib.sha256(payload).hexdigest()}  {npz_path.name}\n".encode())
    print(f"wrote {npz_path} ({len(payload) / 1e6:.2f} MB) and {sha_path.name}")


if __name__ == "__main__":
    main()
