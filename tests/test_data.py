"""snnlib.data: the full sets from every layout, the bundled subsets, integrity errors, downloads, Batches.

Synthetic IDX files in tmp_path make the layout and integrity tests fast; the full MNIST tests use
the ``mnist_dir`` fixture (skipped when ../shared/data/mnist and $SNNLIB_DATA are absent). Nothing
here touches the network: the connectivity check and torchvision's download are replaced.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import operator
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
import torch

from snnlib import data

ROOT = Path(__file__).resolve().parent.parent
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
SMALL = {"train": 20, "test": 10}
ORIGINAL_TV_DOWNLOAD = data._torchvision_download


# ---------------------------------------------------------------------------------------------
# helpers and fixtures
# ---------------------------------------------------------------------------------------------


def write_idx(path: Path, arr: np.ndarray, magic: Optional[int] = None) -> Path:
    """Write ``arr`` (uint8) as an IDX file, gzipped when ``path`` ends in .gz."""
    arr = np.asarray(arr, dtype=np.uint8)
    magic = 0x800 + arr.ndim if magic is None else magic
    payload = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in arr.shape) + arr.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


def synthetic(split: str, n: Optional[int] = None, seed: int = 0, first_labels=None):
    """Random images ``uint8 [n, 28, 28]`` and labels ``[n]`` (0..9) for a split."""
    n = SMALL[split] if n is None else n
    rng = np.random.default_rng(seed + (split == "test"))
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = np.arange(n, dtype=np.uint8) % 10
    if first_labels is not None:
        labels[: len(first_labels)] = first_labels
    return images, labels


def write_split(folder: Path, split: str, gz: bool, images=None, labels=None):
    if images is None:
        images, labels = synthetic(split)
    ext = ".gz" if gz else ""
    img_stem, lab_stem = data._FILES[split]
    write_idx(folder / (img_stem + ext), images)
    write_idx(folder / (lab_stem + ext), labels)
    return images, labels


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No files anywhere, no network: empty SNNLIB_DATA/cache/HOME, no system folders, failing download."""
    monkeypatch.delenv("SNNLIB_DATA", raising=False)
    monkeypatch.delenv("SNNLIB_DOWNLOAD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "_SYSTEM_DIRS", {"mnist": (), "fashion-mnist": ()})
    monkeypatch.setattr(data, "_online", lambda *a, **k: False)
    calls = []

    def no_download(dataset, folder):
        calls.append((dataset, folder))
        raise RuntimeError("tests never download")

    monkeypatch.setattr(data, "_torchvision_download", no_download)
    return calls


@pytest.fixture
def small(monkeypatch, offline):
    """Offline, and the 'full' sets are the tiny synthetic ones (20 train, 10 test items), which have
    no published digest (the content checks are tested with digests of their own, below)."""
    monkeypatch.setattr(data, "_COUNTS", {"mnist": dict(SMALL), "fashion-mnist": dict(SMALL)})
    monkeypatch.setattr(data, "SHA256", {})
    return offline


@pytest.fixture(scope="module")
def full_mnist(mnist_dir):
    return {split: data.load_mnist(split, source="full", root=mnist_dir, download=False) for split in ("train", "test")}


# ---------------------------------------------------------------------------------------------
# the full set
# ---------------------------------------------------------------------------------------------


def test_full_mnist_loads(full_mnist):
    (xtr, ytr), (xte, yte) = full_mnist["train"], full_mnist["test"]
    assert xtr.shape == (60000, 28, 28) and xte.shape == (10000, 28, 28)
    assert xtr.dtype == torch.uint8 and ytr.dtype == torch.int64 and ytr.shape == (60000,) and yte.shape == (10000,)
    assert ytr[:5].tolist() == [5, 0, 4, 1, 9]
    assert yte[:5].tolist() == [7, 2, 1, 0, 4]
    hist = np.bincount(xtr.numpy().ravel(), minlength=256)  # exact pixel statistics from a histogram
    v = np.arange(256) / 255.0
    mean = (hist * v).sum() / hist.sum()
    std = np.sqrt((hist * (v - mean) ** 2).sum() / hist.sum())
    assert round(mean, 4) == data.MNIST_MEAN == 0.1307 and round(std, 4) == data.MNIST_STD
    assert torch.bincount(ytr).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_auto_uses_full_and_says_so(mnist_dir, offline, capsys):
    _x, y = data.load_mnist("test", root=mnist_dir)
    assert len(y) == 10000
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "full mnist test" in out[0] and str(mnist_dir) in out[0]
    assert offline == []  # found on disk: no download attempted


def test_snnlib_data_env(mnist_dir, offline, monkeypatch):
    monkeypatch.setenv("SNNLIB_DATA", str(mnist_dir))
    _x, y = data.load_mnist("test", source="full")
    assert y[:5].tolist() == [7, 2, 1, 0, 4]


@pytest.mark.parametrize("layout", ["flat", "MNIST/raw"])
@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
def test_real_files_in_each_layout(mnist_dir, full_mnist, offline, tmp_path, layout, gz):
    folder = tmp_path / "root"
    target = folder if layout == "flat" else folder / "MNIST" / "raw"
    target.mkdir(parents=True)
    for stem in data._FILES["test"]:
        src = mnist_dir / f"{stem}.gz"
        if gz:
            shutil.copy(src, target / src.name)
        else:
            with gzip.open(src, "rb") as fin, open(target / stem, "wb") as fout:
                shutil.copyfileobj(fin, fout)
    x, y = data.load_mnist("test", source="full", root=folder)
    assert torch.equal(x, full_mnist["test"][0]) and torch.equal(y, full_mnist["test"][1])


# ---------------------------------------------------------------------------------------------
# the bundled subset
# ---------------------------------------------------------------------------------------------


def test_bundled_subset_shape_balance_size():
    for split, per in (("train", 300), ("test", 100)):
        x, y = data.load_mnist(split, source="bundled")
        assert x.dtype == torch.uint8 and x.shape == (10 * per, 28, 28)
        assert y.dtype == torch.int64 and torch.bincount(y, minlength=10).tolist() == [per] * 10
    assert data.BUNDLED_PATH.stat().st_size < 5e6


def test_auto_offline_falls_back_to_bundled(offline, capsys):
    t0 = time.perf_counter()
    x, y = data.load_mnist("train")
    assert time.perf_counter() - t0 < 5
    assert x.shape == (3000, 28, 28) and len(y) == 3000
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "bundled" in out[0] and "SNNLIB_DATA" in out[0] and "root=" in out[0]


def test_bundled_digits_are_real_mnist(full_mnist):
    for split in ("train", "test"):
        x, y, idx = data.load_bundled_indexed(split)
        fx, fy = full_mnist[split]
        assert torch.equal(fx[idx], x) and torch.equal(fy[idx], y)
        # the first `per` items of each class in file order
        for c in range(10):
            per = (y == c).sum().item()
            assert idx[y == c].tolist() == torch.nonzero(fy == c).flatten()[:per].tolist()


def test_subset_script_regenerates_the_same_bytes(full_mnist):
    spec = importlib.util.spec_from_file_location("make_mnist_subset", ROOT / "scripts" / "make_mnist_subset.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    payload = script.deterministic_npz(script.subset_arrays(full_mnist, 300, 100))
    assert payload == data.BUNDLED_PATH.read_bytes()


def test_wrong_checksum_is_clear(monkeypatch, tmp_path):
    for name in ("mnist_subset.npz", "mnist_subset.sha256"):
        shutil.copy(data._DATA_DIR / name, tmp_path / name)
    blob = bytearray((tmp_path / "mnist_subset.npz").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (tmp_path / "mnist_subset.npz").write_bytes(bytes(blob))
    monkeypatch.setattr(data, "_DATA_DIR", tmp_path)
    with pytest.raises(data.DataError, match=r"mnist_subset\.npz: wrong checksum.*reinstall snnlib"):
        data.load_mnist("train", source="bundled")
    (tmp_path / "mnist_subset.npz").unlink()
    with pytest.raises(data.DataError, match="missing"):
        data.load_mnist("train", source="bundled")


def test_bundled_checksum_file_matches():
    digest = hashlib.sha256(data.BUNDLED_PATH.read_bytes()).hexdigest()
    assert data.BUNDLED_SHA256_PATH.read_text().split()[0] == digest


# ---------------------------------------------------------------------------------------------
# layouts (synthetic files)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["flat", "MNIST/raw", "raw"])
@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
def test_each_layout(small, tmp_path, layout, gz):
    root = tmp_path / "data"
    folder = root if layout == "flat" else root / layout
    for split in ("train", "test"):
        images, labels = write_split(folder, split, gz)
        x, y = data.load_mnist(split, source="full", root=root)
        assert x.dtype == torch.uint8 and x.shape == (SMALL[split], 28, 28)
        assert y.dtype == torch.int64
        assert np.array_equal(x.numpy(), images) and np.array_equal(y.numpy(), labels)


def test_env_and_cache_are_searched(small, tmp_path, monkeypatch):
    env = tmp_path / "env"
    images, _ = write_split(env, "test", gz=True)
    monkeypatch.setenv("SNNLIB_DATA", str(env))
    assert np.array_equal(data.load_mnist("test", source="full")[0].numpy(), images)
    monkeypatch.delenv("SNNLIB_DATA")
    cache = data.default_cache_dir()
    assert cache == tmp_path / "cache" / "snnlib"
    images2, _ = write_split(
        cache / "MNIST" / "raw", "test", gz=False, images=synthetic("test", seed=5)[0], labels=synthetic("test")[1]
    )
    assert np.array_equal(data.load_mnist("test", source="full")[0].numpy(), images2)


def test_root_comes_first(small, tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    ia, _ = write_split(a, "test", gz=True)
    write_split(b, "test", gz=True, images=synthetic("test", seed=9)[0], labels=synthetic("test")[1])
    monkeypatch.setenv("SNNLIB_DATA", str(b))
    assert np.array_equal(data.load_mnist("test", source="full", root=a)[0].numpy(), ia)


def test_fashion_layout_and_other_dataset_is_skipped(small, tmp_path):
    root = tmp_path / "data"
    # Fashion-MNIST labels in a flat folder: not MNIST (same file names), told apart by content
    fl = synthetic("test", first_labels=data._FIRST_LABELS[("fashion-mnist", "test")])
    write_split(root, "test", gz=True, images=fl[0], labels=fl[1])
    with pytest.raises(data.DataNotFound, match="holds fashion-mnist, not mnist"):
        data.load_mnist("test", source="full", root=root)
    _x, y = data.load_mnist("test", source="full", root=root, dataset="fashion-mnist")
    assert np.array_equal(y.numpy(), fl[1])
    # torchvision's FashionMNIST/raw layout
    root2 = tmp_path / "tv"
    write_split(root2 / "FashionMNIST" / "raw", "test", gz=False, images=fl[0], labels=fl[1])
    assert np.array_equal(data.load_mnist("test", source="full", root=root2, dataset="fashion-mnist")[1].numpy(), fl[1])


def test_reader_files_untouched(small, tmp_path):
    root = tmp_path / "data"
    write_split(root, "test", gz=True)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.iterdir()}
    data.load_mnist("test", source="full", root=root)
    data.load_mnist("test", root=root)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.iterdir()}
    assert before == after


# ---------------------------------------------------------------------------------------------
# integrity errors
# ---------------------------------------------------------------------------------------------


def _root_with(tmp_path, gz=True):
    root = tmp_path / "data"
    write_split(root, "test", gz=gz)
    ext = ".gz" if gz else ""
    return root, root / (data._FILES["test"][0] + ext), root / (data._FILES["test"][1] + ext)


def test_truncated_gz(small, tmp_path):
    root, img, _ = _root_with(tmp_path)
    img.write_bytes(img.read_bytes()[:-40])
    with pytest.raises(data.DataError, match=rf"{img.name}.*truncated.*fresh copy"):
        data.load_mnist("test", source="full", root=root)
    with pytest.raises(data.DataError, match="truncated"):  # auto does not hide a bad file
        data.load_mnist("test", root=root)


def test_truncated_plain(small, tmp_path):
    root, img, _ = _root_with(tmp_path, gz=False)
    img.write_bytes(img.read_bytes()[:-100])
    with pytest.raises(data.DataError, match=rf"{img.name}: \d+ data bytes, expected 7840 .*truncated"):
        data.load_mnist("test", source="full", root=root)
    img.write_bytes(img.read_bytes()[:6])
    with pytest.raises(data.DataError, match="truncated"):
        data.load_mnist("test", source="full", root=root)


def test_not_gzip(small, tmp_path):
    root, _, lab = _root_with(tmp_path)
    lab.write_bytes(b"this is not gzip data at all")
    with pytest.raises(data.DataError, match=rf"{lab.name}: cannot be read.*fresh copy"):
        data.load_mnist("test", source="full", root=root)


def test_wrong_magic(small, tmp_path):
    root, img, lab = _root_with(tmp_path)
    write_idx(lab, synthetic("test")[1], magic=0x00000803)
    with pytest.raises(data.DataError, match=rf"{lab.name}: wrong magic number 0x00000803 \(expected 0x00000801"):
        data.load_mnist("test", source="full", root=root)
    write_idx(lab, synthetic("test")[1])
    write_idx(img, synthetic("test")[0], magic=0x00000D03)  # float data, not unsigned bytes
    with pytest.raises(data.DataError, match=rf"{img.name}: wrong magic number"):
        data.load_mnist("test", source="full", root=root)


def test_wrong_item_shape(small, tmp_path):
    root, img, _ = _root_with(tmp_path)
    write_idx(img, np.zeros((SMALL["test"], 32, 32)))
    with pytest.raises(data.DataError, match=r"items of shape \(32, 32\), expected \(28, 28\)"):
        data.load_mnist("test", source="full", root=root)


def test_mismatched_counts(small, tmp_path):
    root, img, lab = _root_with(tmp_path)
    write_idx(lab, synthetic("test")[1][:-1])
    with pytest.raises(data.DataError, match=r"holds 10 images but .*holds 9 labels.*matching pair"):
        data.load_mnist("test", source="full", root=root)
    write_idx(img, synthetic("test")[0][:-1])  # a matching pair, but not the full set's count
    with pytest.raises(data.DataError, match=r"hold 9 items, but the full mnist test set has 10"):
        data.load_mnist("test", source="full", root=root)


def test_label_out_of_range(small, tmp_path):
    root, _, lab = _root_with(tmp_path)
    labels = synthetic("test")[1]
    labels[3] = 42
    write_idx(lab, labels)
    with pytest.raises(data.DataError, match=r"label 42 out of range"):
        data.load_mnist("test", source="full", root=root)


def test_missing_file(small, tmp_path, capsys):
    root, _, lab = _root_with(tmp_path)
    lab.unlink()
    with pytest.raises(data.DataNotFound, match=rf"has t10k-images-idx3-ubyte but {lab.stem}\(\.gz\) is missing"):
        data.load_mnist("test", source="full", root=root)
    _x, y = data.load_mnist("test", root=root)  # auto: nothing usable found, so the bundled subset
    assert len(y) == 1000 and "bundled" in capsys.readouterr().out


def test_full_without_files_fails_clearly(offline, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(data.DataNotFound) as err:
        data.load_mnist("train", source="full", root=empty)
    msg = str(err.value)
    for part in (
        str(empty),
        str(data.default_cache_dir()),
        "root=FOLDER",
        "SNNLIB_DATA",
        "train-images-idx3-ubyte.gz",
        "no connection",
    ):
        assert part in msg, (part, msg)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        data.load_mnist("validation")
    with pytest.raises(ValueError, match="source"):
        data.load_mnist("train", source="internet")
    with pytest.raises(ValueError, match="dataset"):
        data.load_mnist("train", dataset="cifar10")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: data.load_bundled("validation"), ValueError, "split must be one of 'train', 'test'"),
        (lambda: data.load_bundled_indexed("test", dataset="cifar10"), ValueError, "dataset must be one of"),
        (lambda: data.load_full("test", download="no"), TypeError, "download must be True or False"),
        (lambda: data.load_full("test", root=3), TypeError, "root must be a folder"),
    ],
    ids=["split", "dataset", "download", "root"],
)
def test_bad_arguments_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bundled_and_indexed_have_one_return_type_each():
    x, y = data.load_bundled("test")
    subset = data.load_bundled_indexed("test")
    assert isinstance(subset, data.IndexedSubset) and subset.index.dtype == torch.int64
    assert torch.equal(subset.images, x) and torch.equal(subset.labels, y) and subset.index.shape == y.shape


def test_bad_download_variable_is_an_error(small, monkeypatch):
    monkeypatch.setenv("SNNLIB_DOWNLOAD", "nope")
    with pytest.raises(ValueError, match="SNNLIB_DOWNLOAD='nope' is not understood"):
        data.load_mnist("train", source="full")


# ---------------------------------------------------------------------------------------------
# downloads (faked: tests never touch the network)
# ---------------------------------------------------------------------------------------------


def test_download_lands_atomically_in_cache(small, monkeypatch, capsys):
    monkeypatch.setattr(data, "_online", lambda *a, **k: True)
    calls = []

    def fake_download(dataset, folder):  # what torchvision does: both .gz and the gunzipped files
        calls.append(dataset)
        raw = Path(folder) / "MNIST" / "raw"
        for split in ("train", "test"):
            write_split(raw, split, gz=True)
            write_split(raw, split, gz=False)

    monkeypatch.setattr(data, "_torchvision_download", fake_download)
    _x, y = data.load_mnist("train")
    assert len(y) == SMALL["train"] and calls == ["mnist"]
    assert "full mnist train" in capsys.readouterr().out
    cache = data.default_cache_dir()
    assert sorted(p.name for p in (cache / "MNIST" / "raw").iterdir()) == sorted(
        s + e for s in data._FILES["train"] + data._FILES["test"] for e in ("", ".gz")
    )
    assert [p.name for p in cache.iterdir()] == ["MNIST"]  # no temporary folder left
    data.load_mnist("test")  # now found in the cache: no second download
    assert calls == ["mnist"]


def test_failed_download_leaves_nothing(small, monkeypatch, capsys):
    monkeypatch.setattr(data, "_online", lambda *a, **k: True)

    def broken_download(dataset, folder):
        raw = Path(folder) / "MNIST" / "raw"
        raw.mkdir(parents=True)
        (raw / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b half")
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(data, "_torchvision_download", broken_download)
    with pytest.raises(data.DataNotFound, match="downloading mnist through torchvision failed"):
        data.load_mnist("train", source="full")
    cache = data.default_cache_dir()
    assert not (cache / "MNIST").exists() and list(cache.iterdir()) == []
    _x, y = data.load_mnist("train")
    assert len(y) == 3000 and "bundled" in capsys.readouterr().out


@pytest.mark.slow  # importing torchvision.datasets alone takes ~4 s of CPU
def test_download_through_torchvision_layout(small, monkeypatch):
    """The real torchvision code path, with only its network call replaced by local files."""
    import torchvision.datasets.mnist as tvm

    monkeypatch.setattr(data, "_online", lambda *a, **k: True)
    fetched = []

    def fake_fetch(url, download_root, filename=None, md5=None, **kwargs):
        fetched.append(url)
        name = filename or url.rsplit("/", 1)[-1]
        split = "train" if name.startswith("train") else "test"
        arr = synthetic(split)[0 if "images" in name else 1]
        write_idx(Path(download_root) / name, arr)  # the .gz, as downloaded ...
        write_idx(Path(download_root) / name[:-3], arr)  # ... and gunzipped beside it

    monkeypatch.setattr(tvm, "download_and_extract_archive", fake_fetch)
    monkeypatch.setattr(data, "_torchvision_download", ORIGINAL_TV_DOWNLOAD)
    for dataset in ("mnist", "fashion-mnist"):
        x, _y = data.load_mnist("test", source="full", dataset=dataset)
        assert np.array_equal(x.numpy(), synthetic("test")[0])
        assert (data.default_cache_dir() / data._DIRNAMES[dataset] / "raw" / "t10k-images-idx3-ubyte").is_file()
    assert len(fetched) == 8 and fetched[0].startswith("https://")
    assert sorted(p.name for p in data.default_cache_dir().iterdir()) == ["FashionMNIST", "MNIST"]


def test_unwritable_cache_is_a_clean_fallback(small, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(data, "_online", lambda *a, **k: True)
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    with pytest.raises(data.DataNotFound, match="not writable"):
        data.load_mnist("test", source="full")
    assert len(data.load_mnist("test")[1]) == 1000 and "bundled" in capsys.readouterr().out


def test_download_can_be_disabled(small, monkeypatch):
    monkeypatch.setattr(data, "_online", lambda *a, **k: pytest.fail("no connectivity check when disabled"))
    with pytest.raises(data.DataNotFound, match="download disabled"):
        data.load_mnist("train", source="full", download=False)
    monkeypatch.setenv("SNNLIB_DOWNLOAD", "0")
    with pytest.raises(data.DataNotFound, match="download disabled"):
        data.load_mnist("train", source="full")
    assert small == []


def test_online_check_is_quick_and_local():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    try:
        assert data._online("127.0.0.1", port, timeout=1.0)
    finally:
        srv.close()
    t0 = time.perf_counter()
    assert not data._online("127.0.0.1", port, timeout=1.0)  # closed port: refused at once
    assert time.perf_counter() - t0 < 2


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists(), reason="Fashion-MNIST not installed")
def test_fashion_mnist_from_system_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SNNLIB_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(data, "_torchvision_download", lambda *a: pytest.fail("no download"))
    x, y = data.load_mnist("test", source="full", dataset="fashion-mnist", download=False)
    assert x.shape == (10000, 28, 28) and y[:5].tolist() == [9, 2, 1, 1, 6]
    assert torch.bincount(y).tolist() == [1000] * 10
    bx, by, idx = data.load_bundled_indexed("test", dataset="fashion-mnist")
    assert torch.equal(x[idx], bx) and torch.equal(y[idx], by)


def test_fashion_bundled_offline(offline, capsys):
    x, y = data.load_mnist("train", dataset="fashion-mnist")
    assert x.shape == (1000, 28, 28) and torch.bincount(y).tolist() == [100] * 10
    assert "bundled" in capsys.readouterr().out
    assert len(data.CLASSES["fashion-mnist"]) == 10


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def _toy(n=103):
    images = torch.arange(n, dtype=torch.int64).remainder(256).to(torch.uint8)[:, None, None].expand(n, 28, 28).clone()
    images[:, 0, 0] = torch.arange(n) // 256  # (0,0),(0,1) pixels encode the index
    images[:, 0, 1] = torch.arange(n) % 256
    return images, torch.arange(n) % 10


def _indices(x):
    px = (x * 255).round().long()
    return (px[:, 0, 0] * 256 + px[:, 0, 1]).tolist()


def test_batches_cover_epoch_once():
    images, labels = _toy()
    b = data.Batches(images, labels, batch_size=16, seed=3, device="cpu")
    assert len(b) == 7
    seen, sizes = [], []
    for x, y in b:
        assert x.dtype == torch.float32 and x.shape[1:] == (28, 28) and y.dtype == torch.int64
        assert x.min() >= 0.0 and x.max() <= 1.0
        idx = _indices(x)
        assert torch.equal(y, torch.tensor(idx) % 10)  # images and labels stay paired
        seen += idx
        sizes.append(len(y))
    assert sorted(seen) == list(range(103)) and sizes == [16] * 6 + [7]
    assert seen != list(range(103))  # shuffled


def test_batches_reproducible_and_epochs_differ():
    images, labels = _toy()
    order = lambda b: functools.reduce(operator.iadd, (_indices(x) for x, _ in b), [])  # one epoch
    a = data.Batches(images, labels, batch_size=10, seed=7, device="cpu")
    b = data.Batches(images, labels, batch_size=10, seed=7, device="cpu")
    c = data.Batches(images, labels, batch_size=10, seed=8, device="cpu")
    e0, e1 = order(a), order(a)
    assert a.epoch == 1
    assert e0 == order(b) and e1 == order(b)  # same seed: same orders epoch by epoch
    assert e0 != e1  # a new order each epoch
    assert e0 != order(c)
    b.set_epoch(0)
    assert order(b) == e0  # set_epoch replays an epoch ...
    assert order(b) == e1  # ... and continues from it
    b.set_epoch(1)
    assert order(b) == e1
    assert a.order(0).tolist() == e0
    with pytest.raises(ValueError, match="epoch"):
        b.set_epoch(-1)


def test_batches_no_shuffle_drop_last_flatten_standard():
    images, labels = _toy(50)
    b = data.Batches(images, labels, batch_size=16, shuffle=False, drop_last=True, device="cpu")
    assert len(b) == 3 and b.num_samples == 48
    assert functools.reduce(operator.iadd, (_indices(x) for x, _ in b), []) == list(range(48))
    f = data.Batches(images, labels, batch_size=8, flatten=True, scale="standard", device="cpu")
    x, _ = next(iter(f))
    assert x.shape == (8, 784)
    ref = (images[f.order(0)[:8]].float().flatten(1) / 255 - 0.1307) / 0.3081
    torch.testing.assert_close(x, ref)
    assert len(data.Batches(images, labels, batch_size=64, drop_last=True, device="cpu")) == 0


def test_batches_device_and_errors():
    images, labels = _toy(20)
    b = data.Batches(images, labels, batch_size=8, device="cpu")
    assert b.images.device.type == "cpu" and next(iter(b))[0].device.type == "cpu"
    if torch.cuda.is_available():
        g = data.Batches(images, labels, batch_size=8, device="cuda")
        x, y = next(iter(g))
        assert x.is_cuda and y.is_cuda and g.images.is_cuda
    with pytest.raises(ValueError, match=r"labels must be a tensor \[N\] with N = 20"):
        data.Batches(images, labels[:5])
    with pytest.raises(ValueError, match="batch_size"):
        data.Batches(images, labels, batch_size=0)
    with pytest.raises(ValueError, match="scale"):
        data.Batches(images, labels, scale="minmax")
    with pytest.raises(ValueError, match=r"images must be a tensor \[N, 28, 28\]"):
        data.Batches(images.numpy(), labels)
    with pytest.raises(TypeError, match=r"batch_size must be an integer >= 1, got 2\.5"):
        data.Batches(images, labels, batch_size=2.5)
    assert data.Batches(images, labels, batch_size=np.int64(8), seed=np.int64(2), device="cpu").batch_size == 8
    with pytest.raises(TypeError, match="labels must be an integer tensor"):
        data.Batches(images, labels.float())
    with pytest.raises(TypeError, match="shuffle"):
        data.Batches(images, labels, shuffle="yes")
    with pytest.raises(ValueError, match="std"):
        data.Batches(images, labels, std=0.0)
    with pytest.raises(TypeError, match="epoch"):
        b.set_epoch(1.5)


def test_batches_on_bundled_subset():
    x, y = data.load_mnist("test", source="bundled")
    b = data.Batches(x, y, batch_size=128, seed=0, device="cpu", scale="standard")
    total = sum(len(yb) for _, yb in b)
    assert total == 1000 and len(b) == 8


# ---------------------------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------------------------


def test_plots_run():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from snnlib import plot

    x, y = data.load_mnist("test", source="bundled")
    ax = plot.digit_grid(x[:23], y[:23], ncols=10)
    assert ax.images[0].get_array().shape == (3 * (30 + 9) + 2, 10 * 30 + 2) and len(ax.texts) == 23
    assert plot.digit_grid(x[:5]).images[0].get_array().shape == (32, 5 * 30 + 2)
    ax = plot.class_counts(y)
    assert [p.get_height() for p in ax.patches] == [100] * 10
    with pytest.raises(ValueError, match=r"\[N, H, W\]"):
        plot.digit_grid(x[0])
    plt.close("all")


def test_loading_is_side_effect_free(offline, tmp_path):
    data.load_mnist("test")
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").rglob("*")) == []
    assert os.environ.get("SNNLIB_DATA") is None


# ---------------------------------------------------------------------------------------------
# content verification (issue 18): published digests, corrupt data, the auto fallback's reason
# ---------------------------------------------------------------------------------------------


def _decompressed(path: Path) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_published_digests_are_those_of_the_reference_files(mnist_dir, dataset):
    folder = mnist_dir if dataset == "mnist" else FASHION_DIR
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    for stems in data._FILES.values():
        for stem in stems:
            digest = hashlib.sha256(_decompressed(folder / f"{stem}.gz")).hexdigest()
            assert data.SHA256[(dataset, stem)] == digest, stem
    assert len(data.SHA256) == 2 * 4


def _copy_test_split(mnist_dir: Path, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    raw = {stem: bytearray(_decompressed(mnist_dir / f"{stem}.gz")) for stem in data._FILES["test"]}
    return raw


@pytest.mark.parametrize("wrapper", ["plain", "re-gzipped"])
@pytest.mark.parametrize("change", ["one pixel", "a label moved to another class"])
def test_corrupt_data_is_refused_and_verify_false_loads_it(mnist_dir, offline, tmp_path, wrapper, change):
    raw = _copy_test_split(mnist_dir, tmp_path / "d")
    images, labels = data._FILES["test"]
    if change == "one pixel":
        raw[images][16 + 5 * 784 + 400] ^= 0x01
        bad = images
    else:
        raw[labels][8 + 17] = (raw[labels][8 + 17] + 3) % 10
        bad = labels
    for stem, blob in raw.items():
        target = tmp_path / "d" / (stem + (".gz" if wrapper == "re-gzipped" else ""))
        target.write_bytes(gzip.compress(bytes(blob), compresslevel=1) if wrapper == "re-gzipped" else bytes(blob))
    with pytest.raises(data.DataError, match=rf"{bad}.*content differs from the published mnist file.*verify=False"):
        data.load_mnist("test", source="full", root=tmp_path / "d")
    with pytest.raises(data.DataError, match="content differs"):  # auto mode never falls back past a bad file
        data.load_mnist("test", root=tmp_path / "d")
    x, y = data.load_mnist("test", source="full", root=tmp_path / "d", verify=False)
    assert x.shape == (10000, 28, 28) and len(y) == 10000


def test_regzipped_identical_data_loads(mnist_dir, full_mnist, offline, tmp_path):
    raw = _copy_test_split(mnist_dir, tmp_path / "d")
    for stem, blob in raw.items():
        (tmp_path / "d" / f"{stem}.gz").write_bytes(gzip.compress(bytes(blob), compresslevel=9, mtime=0))
    x, y = data.load_mnist("test", source="full", root=tmp_path / "d")
    assert torch.equal(x, full_mnist["test"][0]) and torch.equal(y, full_mnist["test"][1])


def test_content_check_with_synthetic_digests(small, tmp_path, monkeypatch):
    folder = tmp_path / "s"
    _images, labels = write_split(folder, "train", gz=False)
    for stem in data._FILES["train"]:
        digest = hashlib.sha256((folder / stem).read_bytes()).hexdigest()
        monkeypatch.setitem(data.SHA256, ("mnist", stem), digest)
    assert data.load_full("train", root=folder)[1].tolist() == labels.tolist()
    labels = labels.copy()
    labels[3] = (labels[3] + 1) % 10
    write_idx(folder / data._FILES["train"][1], labels)
    with pytest.raises(data.DataError, match="train-labels-idx1-ubyte: its content differs"):
        data.load_full("train", root=folder)
    with pytest.raises(TypeError, match="verify must be True or False"):
        data.load_mnist("train", root=folder, verify="no")


def test_auto_fallback_says_the_folder_holds_fashion_mnist(offline, tmp_path, capsys):
    if not FASHION_DIR.is_dir():
        pytest.skip("Fashion-MNIST is absent")
    data.load_mnist("test", root=FASHION_DIR, dataset="mnist")
    out = capsys.readouterr().out
    assert f"{FASHION_DIR} holds fashion-mnist, not mnist" in out and "using the bundled subset" in out


def test_auto_fallback_names_the_missing_file_and_the_empty_folders(small, tmp_path, capsys):
    folder = tmp_path / "half"
    write_split(folder, "train", gz=True)
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    data.load_mnist("train", root=folder)
    out = capsys.readouterr().out
    assert "has train-images-idx3-ubyte but train-labels-idx1-ubyte(.gz) is missing" in out
    assert f"no train files in {folder}" in out and "download disabled" not in out and "no connection" in out
    data.load_mnist("train", root=tmp_path / "nothing", download=False)
    out = capsys.readouterr().out
    assert f"no train files in {tmp_path / 'nothing'}" in out and "download disabled" in out


def test_auto_fallback_names_an_unreadable_folder(small, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real(p, mode))
    data.load_mnist("test", root=folder, download=False)
    assert f"{folder} cannot be read (permission denied)" in capsys.readouterr().out


def test_permission_denied_is_not_called_corrupted(small, tmp_path, monkeypatch):
    folder = tmp_path / "p"
    write_split(folder, "test", gz=True)
    real_open = gzip.open

    def denied(path, *args, **kwargs):
        if Path(path).parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(gzip, "open", denied)
    with pytest.raises(data.DataError, match="permission denied") as info:
        data.load_mnist("test", root=folder)
    assert "corrupt" not in str(info.value) and "chmod a+r" in str(info.value)


def _bundled_copy(tmp_path: Path, monkeypatch, **replace) -> None:
    """A copy of the bundled MNIST subset with some arrays replaced and a matching checksum."""
    with np.load(data.BUNDLED_PATH) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(replace)
    np.savez(tmp_path / "mnist_subset.npz", **arrays)
    digest = hashlib.sha256((tmp_path / "mnist_subset.npz").read_bytes()).hexdigest()
    (tmp_path / "mnist_subset.sha256").write_text(f"{digest}  mnist_subset.npz\n")
    monkeypatch.setattr(data, "_DATA_DIR", tmp_path)


@pytest.mark.parametrize(
    "replace,message",
    [
        ({"test_images": np.zeros((1000, 14, 14), np.uint8)}, r"images are uint8 \(1000, 14, 14\)"),
        ({"test_images": np.zeros((1000, 28, 28), np.float32)}, "images are float32"),
        ({"test_labels": np.full(1000, -1.5)}, "labels are float64"),
        ({"test_labels": np.full(1000, 12)}, r"labels range over 12\.\.12, expected 0\.\.9"),
        ({"test_labels": np.zeros(999, np.int64)}, r"labels are int64 \(999,\)"),
        ({"test_index": np.zeros(1000, np.int64)}, "index holds repeated positions"),
        ({"test_index": np.arange(1000) + 60000}, r"index range over 60000\.\.60999, expected 0\.\.9999"),
        ({"test_labels": np.arange(1000) // 200}, "the classes are not equally represented"),
    ],
)
def test_a_bundled_subset_with_a_matching_checksum_is_still_checked(tmp_path, monkeypatch, replace, message):
    _bundled_copy(tmp_path, monkeypatch, **replace)
    with pytest.raises(data.DataError, match=rf"mnist_subset\.npz: the bundled mnist test subset is damaged: {message}"):
        data.load_mnist("test", source="bundled")


def test_an_empty_checksum_file_is_a_clear_error(tmp_path, monkeypatch):
    _bundled_copy(tmp_path, monkeypatch)
    (tmp_path / "mnist_subset.sha256").write_text("")
    with pytest.raises(data.DataError, match=r"mnist_subset\.sha256: not a SHA-256 checksum file"):
        data.load_mnist("train", source="bundled")


def test_batches_refuse_what_they_would_silently_mangle():
    images, labels = _toy(20)
    with pytest.raises(TypeError, match=r"images must hold uint8 pixels.*divided by 255 again"):
        data.Batches(images.float() / 255, labels)
    for bad in (57, -3):
        wrong = labels.clone()
        wrong[4] = bad
        with pytest.raises(ValueError, match=rf"labels must be class indices in 0\.\.9 .*got {bad}"):
            data.Batches(images, wrong)
    assert data.Batches(images, labels + 10, num_classes=20).num_classes == 20
    for std in (float("nan"), 0.0, -1.0, float("inf")):
        with pytest.raises(ValueError, match="std"):
            data.Batches(images, labels, std=std)
    with pytest.raises(ValueError, match="mean"):
        data.Batches(images, labels, mean=float("nan"))
    with pytest.raises(ValueError, match="images must not be empty"):
        data.Batches(images[:0], labels[:0])
