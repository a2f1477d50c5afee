"""MNIST that always loads: the full set from disk (or a download), else a bundled real subset.

``load_mnist`` returns ``(images, labels)``: ``images`` ``torch.uint8 [N, 28, 28]``, ``labels``
``torch.int64 [N]``. :class:`Batches` keeps a whole set on the device and yields normalised,
shuffled batches without per-sample transforms or worker processes.

Where the full set is looked for, in order (first match wins):

1. ``root=FOLDER`` if given, then ``$SNNLIB_DATA``: the four IDX files (``.gz`` or not) directly in
   the folder, in torchvision's layout ``FOLDER/MNIST/raw/`` (``FashionMNIST/raw/``), or ``FOLDER/raw/``;
2. the cache folder (``$XDG_CACHE_HOME/snnlib`` or ``~/.cache/snnlib``) in torchvision's layout;
3. Fashion-MNIST only: ``/usr/share/datasets/fashion-mnist/`` (Debian's ``dataset-fashion-mnist``);
4. a download through torchvision into the cache folder, when the machine is online (disable with
   ``download=False`` or ``SNNLIB_DOWNLOAD=0``).

Files that are found are checked (IDX magic number, shape, item count, size, matching image and
label counts, which data set they hold); a bad file is a :class:`DataError` naming the file, what is
wrong and the fix. Files are only read, never changed; downloads go to a temporary folder and are
renamed into the cache only when complete and checked.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from typing import Iterator, List, NamedTuple, Optional, Tuple, Union

import numpy as np
import torch

from . import _env
from ._checks import boolean, choice, describe, integer, positive, real
from ._core import get_device

__all__ = [
    "load_mnist",
    "load_full",
    "load_bundled",
    "load_bundled_indexed",
    "IndexedSubset",
    "Batches",
    "DataError",
    "DataNotFound",
    "default_cache_dir",
    "search_dirs",
    "CLASSES",
    "STATS",
    "MNIST_MEAN",
    "MNIST_STD",
    "BUNDLED_PATH",
    "DATASETS",
    "SPLITS",
    "SOURCES",
    "SCALES",
]

#: Pixel mean and standard deviation (of pixel/255) over each training set.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
STATS = {"mnist": (MNIST_MEAN, MNIST_STD), "fashion-mnist": (0.2860, 0.3530)}

#: Class names, indexed by label.
CLASSES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}
DATASETS = tuple(CLASSES)
#: The splits of every data set, the sources :func:`load_mnist` reads, the pixel scalings of :class:`Batches`.
SPLITS = ("train", "test")
SOURCES = ("auto", "full", "bundled")
SCALES = ("unit", "standard")

_DATA_DIR = Path(__file__).resolve().parent / "_data"
_BUNDLED_STEM = {"mnist": "mnist_subset", "fashion-mnist": "fashion_mnist_subset"}
BUNDLED_PATH = _DATA_DIR / "mnist_subset.npz"
BUNDLED_SHA256_PATH = _DATA_DIR / "mnist_subset.sha256"

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_COUNTS = {"mnist": {"train": 60000, "test": 10000}, "fashion-mnist": {"train": 60000, "test": 10000}}
_DIRNAMES = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
_SYSTEM_DIRS = {"mnist": (), "fashion-mnist": ("/usr/share/datasets/fashion-mnist",)}
# The first ten labels of each official file: tells MNIST and Fashion-MNIST apart (same file names).
_FIRST_LABELS = {
    ("mnist", "train"): (5, 0, 4, 1, 9, 2, 1, 3, 1, 4),
    ("mnist", "test"): (7, 2, 1, 0, 4, 1, 4, 9, 5, 9),
    ("fashion-mnist", "train"): (9, 0, 0, 3, 0, 2, 7, 2, 5, 5),
    ("fashion-mnist", "test"): (9, 2, 1, 1, 6, 1, 4, 6, 5, 7),
}
_HOW_TO_PROVIDE = (
    "To use the full set, put the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; gzipped or not) in a folder and pass root=FOLDER "
    "or set SNNLIB_DATA=FOLDER, or run once on a machine with internet access (torchvision downloads them "
    "into the cache folder)"
)


class DataError(RuntimeError):
    """A data file is missing, truncated or corrupted; the message names the file and the fix."""


class DataNotFound(DataError):
    """The full set was not found anywhere (and could not be downloaded); the message says where it looked."""


# ---------------------------------------------------------------------------------------------
# Reading and checking IDX files
# ---------------------------------------------------------------------------------------------


def _read_idx(path: Path, expected_ndim: int, item_shape: Tuple[int, ...] = ()) -> np.ndarray:
    """Read an IDX file of unsigned bytes (gzipped if its name ends in ``.gz``) as an array ``[N, *item_shape]``.

    Checks the magic number (0x0000080N: unsigned bytes, N dimensions), the item shape and that the
    data size matches the header exactly; raises :class:`DataError` naming the file otherwise.
    """
    path = Path(path)
    fresh = "replace it with a fresh copy of the file (or delete it if it is in snnlib's cache folder)"
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
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
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


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


def _read_pair(images_path: Path, labels_path: Path, split: str, dataset: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """Read and check one (images, labels) pair of a split; raises :class:`DataError` naming the bad file."""
    labels = _read_idx(labels_path, 1)
    other = _which_dataset(labels, split)
    if other is not None and other != dataset:
        raise _WrongDataset(f"{labels_path.parent} holds {other}, not {dataset}")
    images = _read_idx(images_path, 3, (28, 28))
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_path} holds {images.shape[0]} images but {labels_path} holds {labels.shape[0]} "
            "labels: the two files do not belong together; replace both with a matching pair"
        )
    expected = _COUNTS[dataset][split]
    if images.shape[0] != expected:
        raise DataError(
            f"{images_path} and {labels_path} hold {images.shape[0]} items, but the full {dataset} {split} "
            f"set has {expected}: wrong split or an incomplete copy; replace them with the official files"
        )
    if labels.size and int(labels.max()) > 9:
        raise DataError(
            f"{labels_path}: label {int(labels.max())} out of range 0..9: the file is corrupted; replace it with a fresh copy"
        )
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


# ---------------------------------------------------------------------------------------------
# Where to look, and the download
# ---------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Where downloads are cached: ``$XDG_CACHE_HOME/snnlib`` or ``~/.cache/snnlib``.

    ``XDG_CACHE_HOME`` is the desktop-wide standard variable, not one of snnlib's (:mod:`snnlib._env`).
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "snnlib"


def search_dirs(root=None, dataset: str = "mnist") -> List[Tuple[Path, str]]:
    """The folders searched for the full set, in order, each with the layouts looked for there."""
    dataset = choice(dataset, "dataset", DATASETS)
    dirs = []
    if root is not None:
        dirs.append((_root(root), "all"))
    env = _env.path("SNNLIB_DATA")
    if env is not None:
        dirs.append((env, "all"))
    dirs.append((default_cache_dir(), "torchvision"))
    dirs += [(Path(d), "all") for d in _SYSTEM_DIRS[dataset]]
    return dirs


def _root(root) -> Path:
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder (a str or a path) or None, got {describe(root)}")
    return Path(root).expanduser()


def _download_allowed(download: Optional[bool]) -> bool:
    if download is not None:
        return boolean(download, "download")
    return _env.flag("SNNLIB_DOWNLOAD", True)


def _online(host: str = "ossci-datasets.s3.amazonaws.com", port: int = 443, timeout: float = 2.0) -> bool:
    """A quick connectivity check: can a TCP connection to the download host be opened within ``timeout`` s?

    Runs in a daemon thread so that a slow name lookup cannot hold the caller longer than ``timeout``.
    """
    result = []

    def probe():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout + 0.5)
    return bool(result and result[0])


_DOWNLOAD_HOSTS = {
    "mnist": "ossci-datasets.s3.amazonaws.com",
    "fashion-mnist": "fashion-mnist.s3-website.eu-central-1.amazonaws.com",
}


def _torchvision_download(dataset: str, folder: Path) -> None:
    """Let torchvision download (and checksum, and gunzip) the four files into ``folder/<MNIST|FashionMNIST>/raw``."""
    from torchvision import datasets

    cls = datasets.MNIST if dataset == "mnist" else datasets.FashionMNIST
    cls(root=str(folder), train=True, download=True)
    cls(root=str(folder), train=False, download=True)


def _download(dataset: str, cache: Path) -> None:
    """Download the full set into ``cache/<MNIST|FashionMNIST>/raw/`` without ever leaving a half-written file.

    torchvision downloads into a fresh temporary folder inside ``cache``; the files are checked and then
    renamed into place one by one (a rename is atomic), never replacing a file that is already there.
    Raises :class:`DataNotFound` when offline or when the download fails.
    """
    if not _online(_DOWNLOAD_HOSTS[dataset]):
        raise DataNotFound(f"cannot download {dataset}: no connection to {_DOWNLOAD_HOSTS[dataset]}")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    except OSError as err:
        raise DataNotFound(
            f"cannot download {dataset}: the cache folder {cache} is not writable ({err}); "
            "set XDG_CACHE_HOME to a writable folder"
        ) from err
    try:
        try:
            _torchvision_download(dataset, tmp)
        except Exception as err:  # torchvision raises RuntimeError/URLError/OSError for network failures
            raise DataNotFound(f"downloading {dataset} through torchvision failed: {err}") from err
        raw = tmp / _DIRNAMES[dataset] / "raw"
        for split in _FILES:  # check before anything reaches the cache
            files = _find_files(raw, split, dataset, layouts="all")
            if files is None:
                raise DataNotFound(f"the {dataset} download did not produce the {split} files in {raw}")
            try:
                _read_pair(*files, split, dataset)
            except _WrongDataset as err:
                raise DataNotFound(f"the download holds the wrong data set: {err}") from err
        dest = cache / _DIRNAMES[dataset] / "raw"
        dest.mkdir(parents=True, exist_ok=True)
        for f in sorted(raw.iterdir()):
            if f.is_file() and not (dest / f.name).exists():
                os.replace(f, dest / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _check_args(split: str, dataset: str) -> None:
    choice(split, "split", SPLITS)
    choice(dataset, "dataset", DATASETS)


def load_full(
    split: str = "train", root=None, dataset: str = "mnist", download: Optional[bool] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """The full set ``(images uint8 [N, 28, 28], labels int64 [N])`` from the first folder that has it.

    Looks in :func:`search_dirs` order, then downloads through torchvision into the cache folder when
    ``download`` (default: unless ``SNNLIB_DOWNLOAD=0``) and online. Raises :class:`DataNotFound` saying
    where it looked and how to provide the files, or :class:`DataError` for a bad file.
    """
    images, labels, _ = _load_full(split, root, dataset, download)
    return images, labels


def _load_full(split, root, dataset, download):
    """:func:`load_full`, also returning the folder the files came from."""
    _check_args(split, dataset)
    allowed = _download_allowed(download)  # checked before searching: a bad value is an error at once
    dirs = search_dirs(root, dataset)
    notes = []
    for d, layouts in dirs:
        files = _find_files(d, split, dataset, layouts)
        if files:
            try:
                return (*_read_pair(*files, split, dataset), files[0].parent)
            except _WrongDataset as err:
                notes.append(str(err))
        else:
            notes += _half_pairs(d, split, dataset, layouts)
    if allowed:
        try:
            _download(dataset, default_cache_dir())
            files = _find_files(default_cache_dir(), split, dataset, "torchvision")
            if files:
                return (*_read_pair(*files, split, dataset), files[0].parent)
        except DataNotFound as err:
            notes.append(str(err))
    else:
        notes.append("download disabled (download=False or SNNLIB_DOWNLOAD=0)")
    looked = "; ".join(f"{d}{f' ({_DIRNAMES[dataset]}/raw/ layout only)' if lay == 'torchvision' else ''}" for d, lay in dirs)
    raise DataNotFound(
        f"full {dataset} {split} set not found; looked in: {looked}"
        + (f" ({'; '.join(notes)})" if notes else "")
        + f". {_HOW_TO_PROVIDE}."
    )


def _bundled_paths(dataset: str) -> Tuple[Path, Path]:
    stem = _BUNDLED_STEM[dataset]
    return _DATA_DIR / f"{stem}.npz", _DATA_DIR / f"{stem}.sha256"


def _verify_bundled(dataset: str = "mnist") -> Path:
    path, sha_path = _bundled_paths(dataset)
    fix = "reinstall snnlib (or restore the file with git checkout, or regenerate it with scripts/make_mnist_subset.py)"
    if not path.is_file() or not sha_path.is_file():
        missing = path if not path.is_file() else sha_path
        raise DataError(f"{missing}: the bundled {dataset} subset file is missing; {fix}")
    expected = sha_path.read_text().split()[0]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise DataError(
            f"{path}: wrong checksum (SHA-256 {digest}, expected {expected} from {sha_path.name}): "
            f"the bundled subset is corrupted; {fix}"
        )
    return path


class IndexedSubset(NamedTuple):
    """A bundled subset with where each item comes from: ``images`` uint8 ``[N, 28, 28]``, ``labels``
    int64 ``[N]``, ``index`` int64 ``[N]`` (each item's position in the full set)."""

    images: torch.Tensor
    labels: torch.Tensor
    index: torch.Tensor


def load_bundled(split: str = "train", dataset: str = "mnist") -> Tuple[torch.Tensor, torch.Tensor]:
    """The small class-balanced real subset shipped with snnlib: ``(images uint8 [N, 28, 28], labels int64 [N])``.

    MNIST: 300 training and 100 test digits per class, the first of each class in file order
    (Fashion-MNIST: 100 and 50). :func:`load_bundled_indexed` also gives each item's index in the full set.
    """
    subset = load_bundled_indexed(split, dataset)
    return subset.images, subset.labels


def load_bundled_indexed(split: str = "train", dataset: str = "mnist") -> IndexedSubset:
    """:func:`load_bundled` with each item's index in the full set: an :class:`IndexedSubset`
    ``(images uint8 [N, 28, 28], labels int64 [N], index int64 [N])``."""
    _check_args(split, dataset)
    path = _verify_bundled(dataset)
    with np.load(path) as z:
        return IndexedSubset(
            torch.from_numpy(z[f"{split}_images"].copy()),
            torch.from_numpy(z[f"{split}_labels"].astype(np.int64)),
            torch.from_numpy(z[f"{split}_index"].astype(np.int64)),
        )


def load_mnist(
    split: str = "train", source: str = "auto", root=None, dataset: str = "mnist", download: Optional[bool] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Load MNIST (or Fashion-MNIST): ``(images uint8 [N, 28, 28], labels int64 [N])``.

    ``source="full"``: the full set (``root``, ``$SNNLIB_DATA``, the cache folder, a download), or a
    :class:`DataNotFound` error that says where it looked; never falls back.
    ``source="bundled"``: the small real subset shipped with snnlib (works offline).
    ``source="auto"``: the full set if it can be found or downloaded, else the bundled subset; prints
    one line saying which. A file that is found but bad is an error in every mode.
    ``download``: allow a torchvision download (``True``/``False``; default: yes, unless ``SNNLIB_DOWNLOAD=0``).
    An unknown ``split``, ``source`` or ``dataset`` is a :class:`ValueError`, a ``root`` that is not a
    str or path, or a ``download`` that is not a bool, a :class:`TypeError`.
    """
    _check_args(split, dataset)
    choice(source, "source", SOURCES)
    if source == "bundled":
        return load_bundled(split, dataset)
    if source == "full":
        return load_full(split, root, dataset, download)
    try:
        images, labels, where = _load_full(split, root, dataset, download)
        print(f"snnlib.data: using the full {dataset} {split} set ({len(labels):,} images) from {where}.")
        return images, labels
    except DataNotFound:
        imgs, labels = load_bundled(split, dataset)
        print(
            f"snnlib.data: full {dataset} not found, using the bundled subset ({len(labels):,} {split} images); "
            "for the full set pass root=FOLDER or set SNNLIB_DATA=FOLDER (see the book's data page)."
        )
        return imgs, labels


# ---------------------------------------------------------------------------------------------
# Batches on the device
# ---------------------------------------------------------------------------------------------


def _epoch_seed(seed: int, epoch: int) -> int:
    """A 63-bit generator seed from (seed, epoch): distinct pairs give unrelated permutations."""
    return int(
        np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(epoch) & 0xFFFFFFFF]).generate_state(2, np.uint64)[0] >> np.uint64(1)
    )


class Batches:
    """Shuffled, normalised batches of a whole data set kept on one device.

    ``images`` ``uint8 [N, 28, 28]`` (or any ``[N, ...]``), ``labels`` ``int64 [N]``: both are moved to
    ``device`` once. Iterating yields ``(x, y)``: ``x`` ``float32 [B, 28, 28]`` on the device
    (``[B, 784]`` with ``flatten=True``), ``y`` ``int64 [B]``. ``scale="unit"``: pixel/255 in [0, 1];
    ``"standard"``: (pixel/255 - mean)/std with MNIST's 0.1307/0.3081 unless ``mean``/``std`` are given.
    Each epoch's order is a permutation seeded by ``(seed, epoch)``; ``set_epoch(e)`` picks it, otherwise
    each new iteration advances the epoch by one (so a resumed run can replay the same order).
    ``drop_last=True`` drops the last, smaller batch.

    Raises:
        ValueError: ``images`` not a tensor ``[N, ...]``, ``labels`` not a tensor ``[N]``, ``batch_size < 1``,
            an unknown ``scale``, a negative ``seed``.
        TypeError: float labels, a non-integer ``batch_size`` or ``seed``, non-boolean flags.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int = 128,
        shuffle: bool = True,
        seed: int = 0,
        device: Union[str, torch.device, None] = None,
        scale: str = "unit",
        drop_last: bool = False,
        flatten: bool = False,
        mean: Optional[float] = None,
        std: Optional[float] = None,
    ):
        # images/labels that are not tensors are a ValueError (not a TypeError): tests/test_data.py asserts it.
        if not isinstance(images, torch.Tensor) or images.dim() < 2:
            got = f"shape {tuple(images.shape)}" if isinstance(images, torch.Tensor) else describe(images)
            raise ValueError(f"images must be a tensor [N, 28, 28] (or [N, ...]), got {got}")
        if not isinstance(labels, torch.Tensor) or tuple(labels.shape) != tuple(images.shape[:1]):
            got = f"shape {tuple(labels.shape)}" if isinstance(labels, torch.Tensor) else describe(labels)
            raise ValueError(f"labels must be a tensor [N] with N = {images.shape[0]} (one per image), got {got}")
        if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
            raise TypeError(f"labels must be an integer tensor [N] (class indices), got dtype {labels.dtype}")
        self.batch_size = integer(batch_size, "batch_size", 1)
        self.shuffle = boolean(shuffle, "shuffle")
        self.seed = integer(seed, "seed", 0)
        self.scale = choice(scale, "scale", SCALES)
        self.drop_last = boolean(drop_last, "drop_last")
        self.flatten = boolean(flatten, "flatten")
        self.mean = MNIST_MEAN if mean is None else real(mean, "mean")
        self.std = MNIST_STD if std is None else positive(std, "std")
        self.device = get_device(device)
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.int64)
        self._epoch: Optional[int] = None
        self._next_epoch = 0
        self.epoch: Optional[int] = None  # the epoch of the latest iteration

    def __len__(self) -> int:
        n = self.labels.shape[0]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    @property
    def num_samples(self) -> int:
        """How many samples one epoch yields (all N, or fewer with ``drop_last``)."""
        return min(len(self) * self.batch_size, self.labels.shape[0])

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration use epoch ``epoch``'s order (later ones continue from ``epoch + 1``)."""
        self._epoch = integer(epoch, "epoch", 0)

    def order(self, epoch: int) -> torch.Tensor:
        """The permutation ``int64 [N]`` (on the device) that epoch ``epoch`` visits the samples in."""
        epoch = integer(epoch, "epoch", 0)
        n = self.labels.shape[0]
        if not self.shuffle:
            return torch.arange(n, device=self.device)
        gen = torch.Generator().manual_seed(_epoch_seed(self.seed, epoch))
        return torch.randperm(n, generator=gen).to(self.device)

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        """``uint8 [B, ...]`` pixels to ``float32 [B, ...]`` in the chosen scale (and flattened if asked)."""
        x = x.to(torch.float32).div_(255.0)  # in place: one new tensor per batch
        if self.scale == "standard":
            x = x.sub_(self.mean).div_(self.std)
        return x.flatten(1) if self.flatten else x

    def __iter__(self) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
        epoch = self._epoch if self._epoch is not None else self._next_epoch
        self._epoch = None
        self._next_epoch = epoch + 1
        self.epoch = epoch
        order = self.order(epoch)
        for i in range(len(self)):
            idx = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield self.normalise(self.images[idx]), self.labels[idx]

    def __repr__(self) -> str:
        return (
            f"Batches(N={self.labels.shape[0]}, batch_size={self.batch_size}, batches={len(self)}, "
            f"shuffle={self.shuffle}, seed={self.seed}, device={self.device}, scale={self.scale!r})"
        )
