"""Reading and checking IDX files, and finding them in a folder (part of :mod:`snnlib.data`)."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np

__all__ = ["DataError"]

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_DIRNAMES = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
# The first ten labels of each official file: tells MNIST and Fashion-MNIST apart (same file names).
_FIRST_LABELS = {
    ("mnist", "train"): (5, 0, 4, 1, 9, 2, 1, 3, 1, 4),
    ("mnist", "test"): (7, 2, 1, 0, 4, 1, 4, 9, 5, 9),
    ("fashion-mnist", "train"): (9, 0, 0, 3, 0, 2, 7, 2, 5, 5),
    ("fashion-mnist", "test"): (9, 2, 1, 1, 6, 1, 4, 6, 5, 7),
}


class DataError(RuntimeError):
    """A data file is missing, truncated or corrupted; the message names the file and the fix."""


def _read_idx(path: Path, expected_ndim: int, item_shape: Tuple[int, ...] = ()) -> Tuple[np.ndarray, str]:
    """Read an IDX file of unsigned bytes (gzipped if its name ends in ``.gz``): ``(array [N, *item_shape],
    SHA-256 of the decompressed bytes)``.

    Checks the magic number (0x0000080N: unsigned bytes, N dimensions), the item shape and that the
    data size matches the header exactly; raises :class:`DataError` naming the file otherwise.
    """
    path = Path(path)
    fresh = "replace it with a fresh copy of the file (or delete it if it is in snnlib's cache folder)"
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except PermissionError as err:
        raise DataError(
            f"{path}: permission denied, snnlib may not read it ({err.strerror}); the file itself may be fine: "
            "make it readable (chmod a+r) or point root=/SNNLIB_DATA to a copy you can read"
        ) from err
    except EOFError as err:
        raise DataError(f"{path}: the gzip stream ends early ({err}): the file is truncated; {fresh}") from err
    except OSError as err:  # includes gzip.BadGzipFile (not gzip data, CRC error)
        raise DataError(f"{path}: cannot be read ({err}); the file is corrupted or not what its name says; {fresh}") from err
    if len(data) < 4:
        raise DataError(f"{path}: only {len(data)} bytes, too short for an IDX header: the file is truncated; {fresh}")
    magic = int.from_bytes(data[:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08 or ndim != expected_ndim:
        raise DataError(
            f"{path}: wrong magic number 0x{magic:08x} (expected 0x{0x800 + expected_ndim:08x}: unsigned "
            f"bytes in {expected_ndim} dimension(s)); this is not an MNIST "
            f"{'image' if expected_ndim == 3 else 'label'} file in IDX format; {fresh}"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: {len(data)} bytes, shorter than its {header}-byte IDX header: truncated; {fresh}")
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    if item_shape and tuple(dims[1:]) != tuple(item_shape):
        raise DataError(f"{path}: items of shape {tuple(dims[1:])}, expected {tuple(item_shape)}; {fresh}")
    size = int(np.prod(dims))
    if len(data) - header != size:
        what = "truncated" if len(data) - header < size else "longer than its header says (corrupted)"
        raise DataError(f"{path}: {len(data) - header} data bytes, expected {size} for shape {dims}: the file is {what}; {fresh}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims), hashlib.sha256(data).hexdigest()


def _find_files(folder: Path, split: str, dataset: str, layouts: str = "all") -> Optional[Tuple[Path, Path]]:
    """The (images, labels) files for a split in ``folder``, or None.

    ``layouts="all"``: torchvision's ``folder/<MNIST|FashionMNIST>/raw/``, the flat folder, ``folder/raw/``;
    ``"torchvision"``: only the first. In each, a file may be gzipped (``.gz``) or not (the plain one wins).
    """
    folder = Path(folder)
    candidates = [folder / _DIRNAMES[dataset] / "raw"]
    if layouts == "all":
        candidates += [folder, folder / "raw"]
    for base in candidates:
        found = []
        for stem in _FILES[split]:
            for name in (stem, stem + ".gz"):
                if (base / name).is_file():
                    found.append(base / name)
                    break
        if len(found) == 2:
            return found[0], found[1]
    return None


def _half_pairs(folder: Path, split: str, dataset: str, layouts: str) -> List[str]:
    """Notes on layout folders that hold one file of a split's (images, labels) pair but not the other."""
    folder = Path(folder)
    bases = [folder / _DIRNAMES[dataset] / "raw"] + ([folder, folder / "raw"] if layouts == "all" else [])
    notes = []
    for base in bases:
        have = [stem for stem in _FILES[split] if (base / stem).is_file() or (base / (stem + ".gz")).is_file()]
        if len(have) == 1:
            missing = next(stem for stem in _FILES[split] if stem not in have)
            notes.append(f"{base} has {have[0]} but {missing}(.gz) is missing")
    return notes


def _which_dataset(labels: np.ndarray, split: str) -> Optional[str]:
    first = tuple(int(v) for v in labels[:10])
    for (name, sp), ref in _FIRST_LABELS.items():
        if sp == split and first == ref:
            return name
    return None


class _WrongDataset(Exception):
    """A folder holds the other data set (MNIST and Fashion-MNIST share file names)."""
