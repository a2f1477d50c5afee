"""MNIST that always loads: the full set from disk (or a download), else a bundled real subset.

``load_mnist`` returns ``(images, labels)``: ``images`` ``torch.uint8 [N, 28, 28]``, ``labels``
``torch.int64 [N]``. :class:`Batches` keeps a whole set on the device and yields normalised,
shuffled batches without per-sample transforms.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path
from typing import Iterator, Optional, Tuple, Union

import numpy as np
import torch

from ._core import get_device

__all__ = ["load_mnist", "Batches", "MNIST_MEAN", "MNIST_STD", "BUNDLED_PATH"]

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081

_DATA_DIR = Path(__file__).resolve().parent / "_data"
BUNDLED_PATH = _DATA_DIR / "mnist_subset.npz"
BUNDLED_SHA256_PATH = _DATA_DIR / "mnist_subset.sha256"

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_COUNTS = {"mnist": {"train": 60000, "test": 10000}, "fashion-mnist": {"train": 60000, "test": 10000}}
_DIRNAMES = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}


class DataError(RuntimeError):
    """A data file is missing, truncated or corrupted; the message names the file and the fix."""


def _read_idx(path: Path, expected_ndim: int, expected_count: Optional[int]) -> np.ndarray:
    """Read an IDX file (gzipped or not) of unsigned bytes, checking magic number, count and size."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as err:
        raise DataError(f"{path}: cannot be read ({err}); the file is corrupted or truncated: "
                        "replace it with a fresh copy") from err
    if len(data) < 4:
        raise DataError(f"{path}: only {len(data)} bytes, too short for an IDX header; replace the file")
    magic = int.from_bytes(data[:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08 or ndim != expected_ndim:
        raise DataError(f"{path}: wrong magic number 0x{magic:08x} (expected 0x{0x800 + expected_ndim:08x}, unsigned "
                        f"bytes in {expected_ndim} dimension(s)); this is not the expected MNIST IDX file")
    header = 4 + 4 * ndim
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if expected_count is not None and dims[0] != expected_count:
        raise DataError(f"{path}: holds {dims[0]} items, expected {expected_count}; is it the right split?")
    size = int(np.prod(dims))
    if len(data) - header != size:
        raise DataError(f"{path}: {len(data) - header} data bytes, expected {size} for shape {dims}; "
                        "the file is truncated or corrupted: replace it with a fresh copy")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _find_files(folder: Path, split: str, dataset: str) -> Optional[Tuple[Path, Path]]:
    """The (images, labels) files for a split in ``folder`` in any supported layout, or None."""
    candidates = [folder, folder / _DIRNAMES[dataset] / "raw", folder / "raw"]
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


def default_cache_dir() -> Path:
    """Where downloads are cached: ``$XDG_CACHE_HOME/snnlib`` or ``~/.cache/snnlib``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "snnlib"


def _search_dirs(root, dataset: str):
    dirs = []
    if root is not None:
        dirs.append(Path(root))
    if os.environ.get("SNNLIB_DATA"):
        dirs.append(Path(os.environ["SNNLIB_DATA"]))
    dirs.append(default_cache_dir())
    if dataset == "fashion-mnist":
        dirs.append(Path("/usr/share/datasets/fashion-mnist"))
    return dirs


def load_full(split: str = "train", root=None, dataset: str = "mnist") -> Tuple[torch.Tensor, torch.Tensor]:
    """The full set from the first folder that has it; raises ``DataError`` saying where it looked."""
    dirs = _search_dirs(root, dataset)
    for d in dirs:
        files = _find_files(d, split, dataset)
        if files:
            n = _COUNTS[dataset][split]
            images = _read_idx(files[0], 3, n)
            labels = _read_idx(files[1], 1, n)
            return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))
    looked = ", ".join(str(d) for d in dirs)
    raise DataError(
        f"full {dataset} ({split}) not found; looked in: {looked}. Provide the four IDX files "
        f"(e.g. {_FILES[split][0]}.gz) in one of them, pass root=FOLDER, or set SNNLIB_DATA=FOLDER"
    )


def _verify_bundled() -> None:
    expected = BUNDLED_SHA256_PATH.read_text().split()[0]
    digest = hashlib.sha256(BUNDLED_PATH.read_bytes()).hexdigest()
    if digest != expected:
        raise DataError(f"{BUNDLED_PATH}: checksum {digest} does not match {expected} in {BUNDLED_SHA256_PATH}; "
                        "the bundled subset is corrupted: reinstall snnlib or run scripts/make_mnist_subset.py")


def load_bundled(split: str = "train") -> Tuple[torch.Tensor, torch.Tensor]:
    """The small class-balanced real-MNIST subset shipped with snnlib."""
    _verify_bundled()
    with np.load(BUNDLED_PATH) as z:
        return torch.from_numpy(z[f"{split}_images"].copy()), torch.from_numpy(z[f"{split}_labels"].astype(np.int64))


def load_mnist(split: str = "train", source: str = "auto", root=None, dataset: str = "mnist"):
    """Load MNIST (or Fashion-MNIST): ``(images uint8 [N, 28, 28], labels int64 [N])``.

    ``source="full"``: the full set (from ``root``, ``$SNNLIB_DATA``, the cache folder), or an error
    that says where it looked; ``"bundled"``: the subset shipped with snnlib (MNIST only);
    ``"auto"``: full if found, else the bundled subset, with one line saying which.
    """
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if source not in ("auto", "full", "bundled"):
        raise ValueError(f"source must be 'auto', 'full' or 'bundled', got {source!r}")
    if dataset not in _DIRNAMES:
        raise ValueError(f"dataset must be one of {sorted(_DIRNAMES)}, got {dataset!r}")
    if source == "bundled":
        return load_bundled(split)
    if source == "full":
        return load_full(split, root, dataset)
    try:
        out = load_full(split, root, dataset)
        print(f"snnlib.data: full {dataset} {split} set ({len(out[1])} images)")
        return out
    except DataError:
        imgs, labels = load_bundled(split)
        print(f"snnlib.data: bundled MNIST subset ({len(labels)} {split} images); for the full set pass "
              "root=FOLDER or set SNNLIB_DATA (see the book's data page)")
        return imgs, labels


class Batches:
    """Shuffled, normalised batches of a whole data set kept on one device.

    Iterating yields ``(x, y)``: ``x`` ``float32 [B, 28, 28]`` on the device (``scale="unit"``: pixels/255;
    ``"standard"``: (pixels/255 - 0.1307)/0.3081), ``y`` ``int64 [B]``. Each epoch's order is a permutation
    seeded by ``(seed, epoch)``; ``set_epoch(e)`` picks it, otherwise each new iteration advances the epoch.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 128, shuffle: bool = True,
                 seed: int = 0, device: Union[str, torch.device, None] = None, scale: str = "unit",
                 drop_last: bool = False):
        if not isinstance(images, torch.Tensor) or images.dim() < 2:
            raise ValueError(f"images must be a tensor [N, ...], got {getattr(images, 'shape', type(images))}")
        if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
            raise ValueError(f"labels must be a tensor [N] with N = {images.shape[0]}, got {getattr(labels, 'shape', None)}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if scale not in ("unit", "standard"):
            raise ValueError(f"scale must be 'unit' or 'standard', got {scale!r}")
        self.device = get_device(device)
        self.images = images.to(self.device)
        self.labels = labels.to(self.device)
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.scale, self.drop_last = scale, drop_last
        self._epoch = None
        self._next_epoch = 0

    def __len__(self) -> int:
        n = self.labels.shape[0]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        self._epoch = epoch

    def _normalise(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float() / 255.0
        if self.scale == "standard":
            x = (x - MNIST_MEAN) / MNIST_STD
        return x

    def __iter__(self) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
        epoch = self._epoch if self._epoch is not None else self._next_epoch
        self._epoch = None
        self._next_epoch = epoch + 1
        n = self.labels.shape[0]
        if self.shuffle:
            gen = torch.Generator().manual_seed(int(self.seed) * 100003 + int(epoch))
            order = torch.randperm(n, generator=gen).to(self.device)
        else:
            order = torch.arange(n, device=self.device)
        for i in range(len(self)):
            idx = order[i * self.batch_size:(i + 1) * self.batch_size]
            yield self._normalise(self.images[idx]), self.labels[idx]
