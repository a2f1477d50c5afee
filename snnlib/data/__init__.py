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

Files that are found are checked by structure (IDX magic number, shape, item count, size, matching
image and label counts, which data set they hold) and by content: the SHA-256 of each decompressed
IDX file must be the published one (:data:`SHA256`), as torchvision's datasets and pip's hash
checking do, so a flipped pixel or a label moved to another class is caught whatever the gzip
wrapper. A bad file is a :class:`DataError` naming the file, what is wrong and the fix; data that
were modified on purpose load with ``verify=False`` (structure still checked). The bundled subsets
are checked by checksum and then by shape, dtype and range. Files are only read, never changed;
downloads go to a temporary folder and are renamed into the cache only when complete and checked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np
import torch

from .. import _env
from .._checks import boolean, choice, describe
from .batches import MNIST_MEAN, MNIST_STD, SCALES, Batches
from .idx import _DIRNAMES, _FILES, DataError, _find_files, _half_pairs, _read_idx, _which_dataset, _WrongDataset
from .idx import _FIRST_LABELS as _FIRST_LABELS  # read by the tests

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
    "SHA256",
]

#: Pixel mean and standard deviation (of pixel/255) over each training set.
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

_DATA_DIR = Path(__file__).resolve().parent.parent / "_data"
_BUNDLED_STEM = {"mnist": "mnist_subset", "fashion-mnist": "fashion_mnist_subset"}
BUNDLED_PATH = _DATA_DIR / "mnist_subset.npz"
BUNDLED_SHA256_PATH = _DATA_DIR / "mnist_subset.sha256"

_FULL_SIZE = {"train": 60000, "test": 10000}  # the published sets (both data sets)
_COUNTS = {"mnist": dict(_FULL_SIZE), "fashion-mnist": dict(_FULL_SIZE)}
_SYSTEM_DIRS = {"mnist": (), "fashion-mnist": ("/usr/share/datasets/fashion-mnist",)}
#: (data set, file) -> SHA-256 of the decompressed IDX file, as published.
#: MNIST (Y. LeCun, C. Cortes, C. J. C. Burges): computed from the four files in the project's
#: shared/data/mnist folder, three of them byte-identical to the published .gz files (their MD5s are
#: the published ones); the training images are wrapped in another gzip stream, but the 47,040,016
#: bytes inside are the published IDX file (its MD5, 6bbc9ace898e44ae57da46a324031adb, is the MD5
#: widely quoted for the uncompressed train-images-idx3-ubyte). Fashion-MNIST (Zalando Research):
#: computed from Debian's package dataset-fashion-mnist 0.0~git20200523.55506a9-1
#: (/usr/share/datasets/fashion-mnist), whose .gz files are recompressed (their MD5s differ from the
#: published ones) but hold the published data: the same SHA-256s of the uncompressed files appear in
#: independent public projects that checked their archives against the publisher's MD5s.
SHA256: Dict[Tuple[str, str], str] = {
    ("mnist", "train-images-idx3-ubyte"): "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ("mnist", "train-labels-idx1-ubyte"): "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ("mnist", "t10k-images-idx3-ubyte"): "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ("mnist", "t10k-labels-idx1-ubyte"): "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ("fashion-mnist", "train-images-idx3-ubyte"): "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ("fashion-mnist", "train-labels-idx1-ubyte"): "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ("fashion-mnist", "t10k-images-idx3-ubyte"): "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ("fashion-mnist", "t10k-labels-idx1-ubyte"): "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
_HOW_TO_PROVIDE = (
    "To use the full set, put the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; gzipped or not) in a folder and pass root=FOLDER "
    "or set SNNLIB_DATA=FOLDER, or run once on a machine with internet access (torchvision downloads them "
    "into the cache folder)"
)


class DataNotFound(DataError):
    """The full set was not found anywhere (and could not be downloaded); the message says where it looked.

    ``reason`` says, in one line, why: which folder held half a pair or the other data set, that a
    folder could not be read, that downloading was off or failed.
    """

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


# ---------------------------------------------------------------------------------------------
# Reading and checking IDX files
# ---------------------------------------------------------------------------------------------


def _verify(path: Path, digest: str, dataset: str, verify: bool) -> None:
    """Raise :class:`DataError` unless ``digest`` is the published SHA-256 of ``path`` (skipped with ``verify=False``)."""
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    expected = SHA256.get((dataset, name)) if verify else None
    if expected is not None and digest != expected:
        raise DataError(
            f"{path}: its content differs from the published {dataset} file (SHA-256 of the decompressed IDX "
            f"data {digest[:16]}..., expected {expected[:16]}...): it is corrupted or was modified (a changed "
            "pixel or label); replace it with a fresh copy of the file (or delete it if it is in snnlib's cache "
            "folder). If you changed the data on purpose, load it with verify=False"
        )


def _read_pair(
    images_path: Path, labels_path: Path, split: str, dataset: str, verify: bool = True
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Read and check one (images, labels) pair of a split; raises :class:`DataError` naming the bad file."""
    labels, digest = _read_idx(labels_path, 1)
    other = _which_dataset(labels, split)
    if other is not None and other != dataset:
        raise _WrongDataset(f"{labels_path.parent} holds {other}, not {dataset}")
    _verify(labels_path, digest, dataset, verify)
    images, digest = _read_idx(images_path, 3, (28, 28))
    _verify(images_path, digest, dataset, verify)
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
    split: str = "train", root=None, dataset: str = "mnist", download: Optional[bool] = None, verify: bool = True
) -> Tuple[torch.Tensor, torch.Tensor]:
    """The full set ``(images uint8 [N, 28, 28], labels int64 [N])`` from the first folder that has it.

    Looks in :func:`search_dirs` order, then downloads through torchvision into the cache folder when
    ``download`` (default: unless ``SNNLIB_DOWNLOAD=0``) and online. Raises :class:`DataNotFound` saying
    where it looked and how to provide the files, or :class:`DataError` for a bad file: also one whose
    content is not the published one (:data:`SHA256`), unless ``verify=False`` (for data you changed
    on purpose; the structure is still checked).
    """
    images, labels, _ = _load_full(split, root, dataset, download, verify)
    return images, labels


def _unreadable(folder: Path) -> bool:
    return folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK)


def _load_full(split, root, dataset, download, verify=True):
    """:func:`load_full`, also returning the folder the files came from."""
    _check_args(split, dataset)
    verify = boolean(verify, "verify")
    allowed = _download_allowed(download)  # checked before searching: a bad value is an error at once
    dirs = search_dirs(root, dataset)
    notes = []
    for d, layouts in dirs:
        files = _find_files(d, split, dataset, layouts)
        if files:
            try:
                return (*_read_pair(*files, split, dataset, verify), files[0].parent)
            except _WrongDataset as err:
                notes.append(str(err))
        elif _unreadable(d):
            notes.append(f"{d} cannot be read (permission denied)")
        else:
            notes += _half_pairs(d, split, dataset, layouts)
    if allowed:
        try:
            _download(dataset, default_cache_dir())
            files = _find_files(default_cache_dir(), split, dataset, "torchvision")
            if files:
                return (*_read_pair(*files, split, dataset, verify), files[0].parent)
        except DataNotFound as err:
            notes.append(str(err))
    else:
        notes.append("download disabled (download=False or SNNLIB_DOWNLOAD=0)")
    looked = "; ".join(f"{d}{f' ({_DIRNAMES[dataset]}/raw/ layout only)' if lay == 'torchvision' else ''}" for d, lay in dirs)
    reason = "; ".join([f"no {split} files in {', '.join(str(d) for d, _ in dirs)}", *notes])
    raise DataNotFound(
        f"full {dataset} {split} set not found; looked in: {looked}"
        + (f" ({'; '.join(notes)})" if notes else "")
        + f". {_HOW_TO_PROVIDE}.",
        reason=reason,
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
    words = sha_path.read_text(errors="replace").split()
    expected = words[0].lower() if words else ""
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise DataError(f"{sha_path}: not a SHA-256 checksum file (empty or damaged: {expected[:20]!r}); {fix}")
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
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {key: z[f"{split}_{key}"] for key in ("images", "labels", "index")}
    except (KeyError, ValueError, OSError) as err:
        raise DataError(f"{path}: not a bundled subset ({type(err).__name__}: {err}); reinstall snnlib") from err
    _check_subset(arrays, path, split, dataset)
    return IndexedSubset(
        torch.from_numpy(arrays["images"].copy()),
        torch.from_numpy(arrays["labels"].astype(np.int64)),
        torch.from_numpy(arrays["index"].astype(np.int64)),
    )


def _check_subset(arrays, path: Path, split: str, dataset: str) -> None:
    """A bundled subset's arrays: uint8 images ``[N, 28, 28]``, labels 0..9 ``[N]`` (every class equally
    often), distinct indices ``[N]`` into the full set; a :class:`DataError` naming what is wrong."""
    images, labels, index = arrays["images"], arrays["labels"], arrays["index"]
    n = images.shape[0] if images.ndim else 0
    problems = []
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28) or n == 0:
        problems.append(f"images are {images.dtype} {images.shape}, expected uint8 [N, 28, 28] with N >= 1")
    for key, arr, high in (("labels", labels, len(CLASSES[dataset])), ("index", index, _FULL_SIZE[split])):
        if arr.dtype.kind not in "iu" or arr.shape != (n,):
            problems.append(f"{key} are {arr.dtype} {arr.shape}, expected integers [{n}]")
        elif n and (int(arr.min()) < 0 or int(arr.max()) >= high):
            problems.append(f"{key} range over {int(arr.min())}..{int(arr.max())}, expected 0..{high - 1}")
    if not problems and len(np.unique(index)) != n:
        problems.append("index holds repeated positions")
    if not problems and len(set(np.bincount(labels, minlength=len(CLASSES[dataset])).tolist())) != 1:
        problems.append("the classes are not equally represented")
    if problems:
        raise DataError(
            f"{path}: the bundled {dataset} {split} subset is damaged: {'; '.join(problems)}; reinstall snnlib "
            "(or regenerate it with scripts/make_mnist_subset.py)"
        )


def load_mnist(
    split: str = "train",
    source: str = "auto",
    root=None,
    dataset: str = "mnist",
    download: Optional[bool] = None,
    verify: bool = True,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Load MNIST (or Fashion-MNIST): ``(images uint8 [N, 28, 28], labels int64 [N])``.

    ``source="full"``: the full set (``root``, ``$SNNLIB_DATA``, the cache folder, a download), or a
    :class:`DataNotFound` error that says where it looked; never falls back.
    ``source="bundled"``: the small real subset shipped with snnlib (works offline).
    ``source="auto"``: the full set if it can be found or downloaded, else the bundled subset; prints
    one line saying which and, when it falls back, exactly why (no files where it looked, which
    folder holds half a pair or the other data set, an unreadable folder, no download). A file that
    is found but bad is an error in every mode.
    ``download``: allow a torchvision download (``True``/``False``; default: yes, unless ``SNNLIB_DOWNLOAD=0``).
    ``verify``: check each full-set file's content against the published SHA-256 (:data:`SHA256`);
    ``False`` for data you modified on purpose (the structure is still checked).
    An unknown ``split``, ``source`` or ``dataset`` is a :class:`ValueError`, a ``root`` that is not a
    str or path, or a ``download`` or ``verify`` that is not a bool, a :class:`TypeError`.
    """
    _check_args(split, dataset)
    choice(source, "source", SOURCES)
    verify = boolean(verify, "verify")
    _download_allowed(download)  # a bad value is an error whatever the source
    if source == "bundled":
        return load_bundled(split, dataset)
    if source == "full":
        return load_full(split, root, dataset, download, verify)
    try:
        images, labels, where = _load_full(split, root, dataset, download, verify)
        print(f"snnlib.data: using the full {dataset} {split} set ({len(labels):,} images) from {where}.")
        return images, labels
    except DataNotFound as err:
        imgs, labels = load_bundled(split, dataset)
        print(
            f"snnlib.data: full {dataset} {split} set not used ({err.reason}); using the bundled subset "
            f"({len(labels):,} {split} images). For the full set pass root=FOLDER or set SNNLIB_DATA=FOLDER "
            "(see the book's data page)."
        )
        return imgs, labels
