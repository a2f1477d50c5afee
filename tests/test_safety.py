"""Safe and strict (issue 18): nothing runs from a checkpoint or the kernel cache, nothing corrupt is kept.

* checkpoints: ``weights_only=True`` loading, a pickled payload (torch zip format and raw pickle)
  refused without running, damaged files named, no NaN ever checkpointed and the error naming the
  checkpoint that is still good, paths normalised, writability and free space checked before the
  first epoch, clear messages for a full disk and a read-only folder (a real tmpfs when this
  machine allows mounting one, and a simulated ``ENOSPC`` always);
* the kernel cache: a truncated library, garbage, a planted library with a constructor, a library
  of stubs, a folder open to others or owned by someone else: each is refused before ``dlopen``
  (or by the self-test) and rebuilt with a warning; the process never crashes;
* the C entry points check every size, stride and parameter (the ``fc2 = nn.Linear(500, 10)`` case);
* every string placed into an explorer's HTML is escaped.
"""

from __future__ import annotations

import ctypes
import errno
import html.parser
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import snnlib as snl
from snnlib import _io
from snnlib import train as T
from snnlib.engine import build as B
from snnlib.engine import cpu as K
from snnlib.train import checkpoint as C
from snnlib.train import loop as L

ROOT = Path(__file__).resolve().parent.parent
HAS_CC = B.compiler() is not None


@pytest.fixture(scope="module")
def bundled():
    config = T.TrainConfig(source="bundled", device="cpu", max_test=200)
    return T.load_data(config, torch.device("cpu"))


def _cfg(folder=None, **kw):
    base = dict(epochs=2, source="bundled", device="cpu", max_batches=2, max_test=200, seed=1, num_steps=6)
    base["checkpoint"] = None if folder is None else str(folder)
    base.update(kw)
    return T.TrainConfig(**base)


# ---------------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------------


def test_checkpoint_loads_with_weights_only(tmp_path, bundled):
    T.fit(_cfg(tmp_path, epochs=1), progress=False, data=bundled)
    state = torch.load(tmp_path / "last.pt", weights_only=True)
    assert state["format"] == C.FORMAT and state["epoch"] == 0
    assert isinstance(state["rng"]["numpy"]["keys"], torch.Tensor)
    assert C.nonfinite_entries(state) == []


class _Payload:
    """Unpickling this runs ``touch MARKER``: what an attacker would put into ``last.pt``."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("kind", ["torch zip format", "raw pickle"])
def test_a_pickled_payload_is_refused_without_running(tmp_path, bundled, kind):
    marker = tmp_path / "PAYLOAD_RAN"
    folder = tmp_path / "ck"
    T.fit(_cfg(folder, epochs=1), progress=False, data=bundled)
    state = torch.load(folder / "last.pt", weights_only=True)
    state["history"] = _Payload(marker)
    if kind == "raw pickle":
        (folder / "last.pt").write_bytes(pickle.dumps(state))
    else:
        torch.save(state, folder / "last.pt")
    with pytest.raises(C.CheckpointError, match=r"refused, not loaded.*nothing in it was run"):
        T.fit(_cfg(folder), resume=True, progress=False, data=bundled)
    with pytest.raises(C.CheckpointError, match=r"(?i)unsupported"):
        C.load_checkpoint(folder / "last.pt")
    assert not marker.exists(), "the payload ran"


def test_a_payload_is_never_written(tmp_path):
    with pytest.raises(C.CheckpointError, match="weights_only"):
        C.save_checkpoint(tmp_path / "x.pt", {"model": {}, "evil": _Payload(tmp_path / "m")})
    assert not (tmp_path / "x.pt").exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "not a training checkpoint"])
def test_a_damaged_checkpoint_is_named(tmp_path, bundled, damage):
    T.fit(_cfg(tmp_path, epochs=1), progress=False, data=bundled)
    path = tmp_path / "last.pt"
    data = path.read_bytes()
    new = {"truncated": data[: len(data) // 2], "garbage": os.urandom(4096), "empty": b"", "not a training checkpoint": None}[
        damage
    ]
    if new is None:
        torch.save({"model": {}}, path)
    else:
        path.write_bytes(new)
    with pytest.raises(C.CheckpointError, match=str(path)):
        T.fit(_cfg(tmp_path), resume=True, progress=False, data=bundled)


def test_nonfinite_state_is_never_checkpointed(tmp_path):
    model = nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters())
    model(torch.ones(1, 3)).sum().backward()
    opt.step()
    path = tmp_path / "ck.pt"
    C.save_checkpoint(path, {"model": model.state_dict(), "optimizer": opt.state_dict()})
    before = path.read_bytes()
    with torch.no_grad():
        model.bias[1] = float("inf")
    with pytest.raises(C.CheckpointError, match=r"model\['bias'\]"):
        C.save_checkpoint(path, {"model": model.state_dict(), "optimizer": opt.state_dict()})
    with torch.no_grad():
        model.bias[1] = 0.0
    opt.state_dict()["state"][0]["exp_avg"][0, 0] = float("nan")
    with pytest.raises(C.CheckpointError, match=r"optimizer\['state'\]\[0\]\['exp_avg'\]"):
        C.save_checkpoint(path, {"model": model.state_dict(), "optimizer": opt.state_dict()})
    assert path.read_bytes() == before


def test_poisoned_weights_stop_training_and_name_the_good_checkpoint(tmp_path, bundled, monkeypatch):
    """The last update of epoch 2 makes a weight NaN while the loss is finite: nothing is written,
    the error names last.pt after epoch 1, and resuming from it works."""
    real = L._train_epoch

    def poisoning(config, step, sched, batches, steps, epoch, *args):
        out = real(config, step, sched, batches, steps, epoch, *args)
        model = step.module
        if epoch == 1:
            with torch.no_grad():
                model.fc2.weight[3, 7] = float("nan")
        return out

    monkeypatch.setattr(L, "_train_epoch", poisoning)
    folder = tmp_path / "run"
    with pytest.raises(T.TrainingDiverged) as info:
        T.fit(_cfg(folder, epochs=3), progress=False, data=bundled)
    message = str(info.value)
    assert "fc2.weight" in message and "nothing was checkpointed" in message
    assert f"The last good checkpoint is {folder / 'last.pt'}, after epoch 1" in message
    state = C.load_checkpoint(folder / "last.pt")
    assert state["epoch"] == 0 and C.nonfinite_entries(state) == []
    monkeypatch.setattr(L, "_train_epoch", real)
    assert T.fit(_cfg(folder, epochs=3), resume=True, progress=False, data=bundled).history["completed"]


def test_diverged_loss_names_the_good_checkpoint(tmp_path, bundled, nan_loss):
    calls = nan_loss(3)  # the first step of epoch 2
    with pytest.raises(T.TrainingDiverged, match=r"epoch 2, step 1.*last good checkpoint is .*last\.pt, after epoch 1"):
        T.fit(_cfg(tmp_path), progress=False, data=bundled)
    calls.clear()
    with pytest.raises(T.TrainingDiverged, match="No checkpoint was kept"):
        T.fit(_cfg(None), progress=False, data=bundled)


def test_checkpoint_paths_are_normalised(tmp_path, bundled, monkeypatch):
    """Resume accepts the same folder with a trailing slash, as a relative path or with '..'."""
    monkeypatch.chdir(tmp_path)
    T.fit(_cfg("runs/a/", epochs=1), progress=False, data=bundled)
    for same in (str(tmp_path / "runs" / "a"), "runs/a", "./runs/../runs/a//"):
        resumed = T.fit(_cfg(same, epochs=1), resume=True, progress=False, data=bundled)
        assert len(resumed.history["epochs"]) == 1, same
    assert T.checkpoint.checkpoint_file("runs/a/") == tmp_path / "runs" / "a" / "last.pt"


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path, bundled):
    tmp_path.mkdir(exist_ok=True)
    litter = [tmp_path / ".last.pt.abc123.tmp", tmp_path / ".r.json.x.tmp"]
    for f in litter:
        f.write_bytes(b"\0" * 1000)
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    T.fit(_cfg(tmp_path, epochs=1), progress=False, data=bundled, json_path=tmp_path / "r.json")
    assert not any(f.exists() for f in litter) and keep.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt", "notes.txt", "r.json"]


def _no_training(monkeypatch):
    monkeypatch.setattr(L, "_train_epoch", lambda *a, **k: pytest.fail("trained before checking the folder"))


def test_unwritable_checkpoint_folder_is_found_before_the_first_epoch(tmp_path, bundled, monkeypatch):
    _no_training(monkeypatch)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(_io.tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError, match=r"cannot write .*last\.pt: the folder is not writable"):
        T.fit(_cfg(tmp_path / "ck"), progress=False, data=bundled)


def test_a_folder_that_is_a_file_and_a_json_path_that_is_a_folder(tmp_path, bundled, monkeypatch):
    _no_training(monkeypatch)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="a part of its folder is a file"):
        T.fit(_cfg(tmp_path / "file" / "ck"), progress=False, data=bundled)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        T.fit(_cfg(None), progress=False, data=bundled, json_path=tmp_path)


def test_too_little_space_is_found_before_the_first_epoch(tmp_path, bundled, monkeypatch):
    _no_training(monkeypatch)
    monkeypatch.setattr(_io, "free_bytes", lambda folder: 1_000_000)
    with pytest.raises(OSError, match=r"needs about \d+\.\d MB, only 1\.0 MB are free") as info:
        T.fit(_cfg(tmp_path), progress=False, data=bundled)
    assert info.value.errno == errno.ENOSPC


def test_disk_full_during_a_run_is_clear_and_keeps_the_good_checkpoint(tmp_path, bundled, monkeypatch):
    """The second checkpoint's write hits ENOSPC (simulated in fsync): a clear OSError, last.pt of
    epoch 1 intact, no temporary left."""
    real_fsync = os.fsync
    calls = []

    def full(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(_io.os, "fsync", full)
    with pytest.raises(OSError, match=r"last\.pt: no space left on the device .*the previous last\.pt is unchanged") as info:
        T.fit(_cfg(tmp_path), progress=False, data=bundled)
    assert info.value.errno == errno.ENOSPC
    assert C.load_checkpoint(tmp_path / "last.pt")["epoch"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]


@pytest.fixture
def tmpfs(tmp_path):
    """A mounted tmpfs factory (``tmpfs(size, read_only)``); skips where mounting is not allowed."""
    mounted = []

    def mount(size: str, read_only: bool = False) -> Path:
        where = tmp_path / f"mnt{len(mounted)}"
        where.mkdir()
        opts = f"size={size}" + (",ro" if read_only else "")
        if shutil.which("mount") is None:
            pytest.skip("no mount command")
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip()[:100]}); the simulated tests cover this")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], capture_output=True)


def test_real_full_disk_and_read_only_folder(tmpfs, bundled, monkeypatch):
    small = tmpfs("1m")
    with pytest.raises(OSError, match=r"no space left on the device \(\d\.\d MB free there\); x\.bin was not written") as info:
        _io.atomic_write_bytes(small / "x.bin", b"\1" * 3_000_000)
    assert info.value.errno == errno.ENOSPC and list(small.iterdir()) == []
    _no_training(monkeypatch)
    with pytest.raises(OSError, match=r"needs about .* MB are free there"):
        T.fit(_cfg(small / "ck"), progress=False, data=bundled)
    ro = tmpfs("1m", read_only=True)
    with pytest.raises(OSError, match="read-only file system") as info:
        T.fit(_cfg(ro), progress=False, data=bundled)
    assert info.value.errno == errno.EROFS


@pytest.mark.parametrize("where", ["parent is a file", "a folder"])
def test_cli_checks_the_json_path_at_start(tmp_path, where):
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "run.json" if where == "parent is a file" else tmp_path
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "snnlib.train", "--source", "bundled", "--device", "cpu", "--quiet", "--json", str(target)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "--json" in proc.stderr and str(target) in proc.stderr
    assert "epoch" not in proc.stdout, "it trained before checking the JSON path"


def test_cli_refuses_a_payload_checkpoint_on_resume(tmp_path, bundled):
    marker = tmp_path / "PAYLOAD_RAN"
    folder = tmp_path / "ck"
    T.fit(_cfg(folder, epochs=1), progress=False, data=bundled)
    state = torch.load(folder / "last.pt", weights_only=True)
    state["history"] = _Payload(marker)
    torch.save(state, folder / "last.pt")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "snnlib.train", "--source", "bundled", "--device", "cpu", "--quiet"]
    cmd += ["--checkpoint", str(folder), "--resume", "--epochs", "2", "--max-batches", "2", "--max-test", "200"]
    cmd += ["--seed", "1", "--num-steps", "6"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "refused, not loaded" in proc.stderr, proc.stderr[-2000:]
    assert not marker.exists()


# ---------------------------------------------------------------------------------------------
# The kernel cache
# ---------------------------------------------------------------------------------------------

needs_cc = pytest.mark.skipif(not HAS_CC, reason="no C compiler")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh SNNLIB_CACHE; ``load()`` builds/loads the LIF kernel from it through the shared helper."""
    monkeypatch.setenv("SNNLIB_CACHE", str(tmp_path / "cache"))

    class Cache:
        folder = tmp_path / "cache" / "kernels"

        @staticmethod
        def load():
            return B.load_library("lif_kernel", K.SOURCE.read_bytes(), K._FLAGS, K._self_test)

        @staticmethod
        def build():
            """Build the entry without loading it (a library mapped into this process must never be
            damaged in place: the loader would hand back the mapping of the damaged file)."""
            B._compile(B.kernel_dir(), "lif_kernel", K.SOURCE.read_bytes(), K._FLAGS, ".c")

        @staticmethod
        def entry():
            record, stem = B.entry_paths(Cache.folder, "lif_kernel", K.SOURCE.read_bytes(), K._FLAGS)
            digest = record.read_text().strip()
            return record, Cache.folder / f"{stem}-{digest[:16]}.so"

    return Cache


def _works(lib) -> None:
    K._self_test(lib)  # the library that came back computes the known values


def _compile(tmp_path: Path, source: str, name: str) -> Path:
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / f"{name}.so"
    subprocess.run([B.compiler(), "-shared", "-fPIC", str(src), "-o", str(out)], check=True, capture_output=True)
    return out


def _evil_source(marker: Path) -> str:
    return (
        "#include <stdio.h>\n"
        f'__attribute__((constructor)) static void evil(void) {{ FILE *f = fopen("{marker}", "w"); if (f) fclose(f); }}\n'
        + _STUBS
    )


_STUBS = "int snn_abi_version(void) { return 3; }\n" + "".join(
    f"int {name}_{sfx}(void) {{ return 0; }}\n" for name in ("snn_fwd", "snn_bwd", "snn_lif_fwd", "snn_lif_bwd") for sfx in "fd"
)


@needs_cc
def test_the_cache_folder_is_private(cache):
    _works(cache.load())
    st = os.stat(cache.folder)
    assert st.st_mode & 0o777 == 0o700 and st.st_uid == os.getuid()
    record, lib = cache.entry()
    assert B.hashlib.sha256(lib.read_bytes()).hexdigest() == record.read_text().strip()


@needs_cc
@pytest.mark.parametrize("damage", ["truncated to half", "garbage", "empty", "record damaged", "record missing"])
def test_a_damaged_entry_is_rebuilt_with_a_warning(cache, damage):
    cache.build()
    record, lib = cache.entry()
    data = lib.read_bytes()
    if damage == "truncated to half":
        lib.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        lib.write_bytes(os.urandom(len(data)))
    elif damage == "empty":
        lib.write_bytes(b"")
    elif damage == "record damaged":
        record.write_text("not a digest")
    else:
        record.unlink()
    with pytest.warns(RuntimeWarning, match="damaged.*rebuilding"):
        _works(cache.load())
    record, lib = cache.entry()
    assert B.hashlib.sha256(lib.read_bytes()).hexdigest() == record.read_text().strip()


@needs_cc
def test_a_planted_library_never_runs(cache, tmp_path):
    """A library with a constructor planted under the entry's name (its record kept): refused
    before dlopen, so its constructor never runs; rebuilt."""
    marker = tmp_path / "CONSTRUCTOR_RAN"
    evil = _compile(tmp_path, _evil_source(marker), "evil")
    cache.build()
    _, lib = cache.entry()
    shutil.copyfile(evil, lib)
    with pytest.warns(RuntimeWarning, match="does not match its recorded SHA-256"):
        _works(cache.load())
    assert not marker.exists(), "the planted library's constructor ran"


@needs_cc
def test_a_cache_open_to_others_is_emptied(cache, tmp_path):
    """A folder others can write to: even a planted library with a matching record is removed."""
    marker = tmp_path / "CONSTRUCTOR_RAN"
    evil = _compile(tmp_path, _evil_source(marker), "evil")
    cache.build()
    record, lib = cache.entry()
    shutil.copyfile(evil, lib)
    digest = B.hashlib.sha256(lib.read_bytes()).hexdigest()
    lib.rename(lib.with_name(lib.name.rsplit("-", 1)[0] + f"-{digest[:16]}.so"))
    record.write_text(digest + "\n")
    os.chmod(cache.folder, 0o777)
    with pytest.warns(RuntimeWarning, match="open to other users"):
        _works(cache.load())
    assert not marker.exists() and os.stat(cache.folder).st_mode & 0o777 == 0o700


@needs_cc
@pytest.mark.skipif(not hasattr(os, "chown") or os.getuid() != 0, reason="needs root to give the folder away")
def test_a_cache_owned_by_someone_else_is_not_used(cache):
    cache.folder.mkdir(parents=True, mode=0o700)
    os.chown(cache.folder, 54321, 54321)
    with pytest.warns(RuntimeWarning, match="owned by user id 54321"):
        _works(cache.load())
    assert list(cache.folder.iterdir()) == []


@needs_cc
def test_a_stub_library_fails_its_self_test_and_is_rebuilt(cache, tmp_path):
    """Stubs that return 0 and write nothing (a matching record, as a miscompiled library would have)."""
    stub = _compile(tmp_path, _STUBS, "stub")
    cache.build()
    record, lib = cache.entry()
    lib.unlink()
    digest = B.hashlib.sha256(stub.read_bytes()).hexdigest()
    shutil.copyfile(stub, lib.with_name(lib.name.rsplit("-", 1)[0] + f"-{digest[:16]}.so"))
    record.write_text(digest + "\n")
    with pytest.warns(RuntimeWarning, match="fails its self-test"):
        _works(cache.load())


@needs_cc
def test_a_truncated_cached_library_never_crashes_a_run(cache, tmp_path):
    """The issue's bus error (exit 135): now a warning, a rebuild and the right numbers, exit 0."""
    cache.build()
    _, lib = cache.entry()
    lib.write_bytes(lib.read_bytes()[: lib.stat().st_size // 2])
    code = (
        "import torch, snnlib as snl\n"
        "rec = snl.engine.lif_multistep(torch.full((4, 2, 3), 0.6), backend='cpu')\n"
        "ref = snl.engine.lif_multistep(torch.full((4, 2, 3), 0.6), backend='loop')\n"
        "assert torch.equal(rec.spk, ref.spk) and rec.backend == 'cpu'\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), SNNLIB_CACHE=str(cache.folder.parent))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-2000:]
    assert "damaged" in proc.stderr and "rebuilding" in proc.stderr


def test_both_kernels_use_the_one_verified_build_helper():
    from snnlib.plasticity import _kernel as P

    for module in (K, P):
        text = Path(module.__file__).read_text()
        assert "load_library(" in text and "subprocess" not in text and "CDLL(" not in text, module.__name__


# ---------------------------------------------------------------------------------------------
# The C entry points check what they rely on
# ---------------------------------------------------------------------------------------------

needs_kernel = pytest.mark.skipif(K.load() is None, reason="the C kernel is unavailable here")


@needs_kernel
@pytest.mark.parametrize("backend", ["auto", "cpu"])
def test_a_replaced_output_layer_is_a_clear_error(backend):
    """The issue's case: ``m.fc2 = nn.Linear(500, 10)`` read past the weights and returned NaN or 4.6e34."""
    m = snl.models.SpikingMLP(num_steps=3, backend=backend)
    m.fc2 = nn.Linear(500, 10)
    with pytest.raises(ValueError, match=r"weight must be \[C, H\].*H = 1000.*\(10, 500\)"):
        m(torch.rand(2, 784))


@needs_kernel
def test_the_python_wrappers_check_shapes_before_the_kernel():
    cur, w, b = torch.rand(2, 6), torch.rand(3, 6), torch.rand(3)
    with pytest.raises(ValueError, match=r"w2 must have shape \[C, H\] with H = 6"):
        K.fwd(cur, torch.rand(3, 5), b, 4, 0.9, 1.0, "subtract", True)
    with pytest.raises(ValueError, match=r"b2 must have shape \[C\] with C = 3"):
        K.fwd(cur, w, torch.rand(4), 4, 0.9, 1.0, "subtract", True)
    with pytest.raises(ValueError, match=r"cur must have shape \[T, B, H\].*T = num_steps = 5"):
        K.fwd(torch.rand(4, 2, 6), w, b, 5, 0.9, 1.0, "subtract", False)
    with pytest.raises(ValueError, match=r"T = num_steps = 9"):
        K.lif_fwd(torch.rand(4, 2, 6), 9, 0.9, 1.0, "subtract", False)
    with pytest.raises(ValueError, match=r"g2 must have shape \[T, B, C\]"):
        K.bwd(cur, torch.rand(4, 2, 2), w, 4, 0.9, 1.0, "subtract", (0, 1.0, 1.0), True)
    with pytest.raises(TypeError, match="w2 must have the dtype of the current"):
        K.fwd(cur, w.double(), b, 4, 0.9, 1.0, "subtract", True)
    with pytest.raises(ValueError, match="beta"):
        K.lif_fwd(torch.rand(2, 3), 4, 1.5, 1.0, "subtract", True)
    with pytest.raises(ValueError, match="g_mem and mem must have the same shape"):
        K.lif_bwd(torch.rand(4, 2, 3), None, torch.rand(4, 2, 2), 0.9, 1.0, "subtract", (0, 1.0, 1.0))


@needs_kernel
@pytest.mark.parametrize(
    "change,code",
    [
        ({"n_cur": 11}, -3),
        ({"n_w2": 17}, -4),
        ({"n_b2": 2}, -5),
        ({"n_mem": 5}, -6),
        ({"n_cur2": 10}, -7),
        ({"cstride": 5}, -2),
        ({"T": 0}, -1),
        ({"b1": 3}, -9),
        ({"reset": 7}, -10),
        ({"beta": 1.5}, -11),
        ({"thr": float("nan")}, -12),
        ({"thr": float("inf")}, -12),
    ],
)
def test_the_c_kernel_refuses_inconsistent_sizes(change, code):
    """Called directly with a wrong size, stride, range or parameter, snn_fwd returns its code and writes nothing."""
    lib = K.load()
    T_, B_, H_, C_ = 2, 2, 3, 3
    a = dict(n_cur=T_ * B_ * H_, n_w2=C_ * H_, n_b2=C_, n_mem=B_ * H_, n_cur2=T_ * B_ * C_, n_counts=T_ * B_)
    a.update(T=T_, cstride=B_ * H_, beta=0.9, thr=1.0, reset=0, b1=B_)
    a.update(change)
    buf = {k: (ctypes.c_float * 64)(*([-7.0] * 64)) for k in ("cur", "w2", "b2", "mem", "cur2", "counts")}
    status = lib.snn_fwd_f(
        buf["cur"], a["n_cur"], buf["w2"], a["n_w2"], buf["b2"], a["n_b2"], buf["mem"], a["n_mem"],
        buf["cur2"], a["n_cur2"], buf["counts"], a["n_counts"], a["T"], B_, H_, C_, a["cstride"],
        a["beta"], a["thr"], a["reset"], 0, a["b1"],
    )  # fmt: skip
    assert status == code, K.STATUS.get(status)
    assert list(buf["cur2"]) == [-7.0] * 64 and list(buf["counts"]) == [-7.0] * 64
    with pytest.raises(ValueError, match=re.escape(K.STATUS[code])):
        K._run("fwd", [lambda: code])


def test_a_bad_event_list_never_reaches_the_plasticity_kernel():
    """The Diehl & Cook kernel read past its arrays for an out-of-range input index (a segfault):
    the event list is now checked in Python, and the C function refuses one too (-2)."""
    from snnlib import plasticity as pl
    from snnlib.plasticity import _kernel as P

    net = pl.init_network(3, num_inputs=784)
    off, idx = torch.tensor([0, 1, 2], dtype=torch.int32), torch.tensor([5, 10**6], dtype=torch.int32)
    for reference in (False, True):
        with pytest.raises(ValueError, match=r"idx must hold input indices in 0\.\.783"):
            pl.network.present_once(net, off, idx, learn=False, adapt=False, reference=reference)
    with pytest.raises(ValueError, match="off must hold the event offsets"):
        pl.network.present_once(net, torch.tensor([0, 3, 1], dtype=torch.int32), idx, learn=False, adapt=False)
    lib = P.library()
    if lib is None:
        pytest.skip("the plasticity kernel is unavailable here")
    counts = torch.zeros(3, dtype=torch.int32)
    p = torch.zeros(22, dtype=torch.float64)
    table = torch.ones(3)
    status = lib.dc_present(
        784, 3, 2, off.data_ptr(), idx.data_ptr(), net.w.data_ptr(), net.theta.data_ptr(), counts.data_ptr(),
        p.data_ptr(), 0, 0, table.data_ptr(),
    )  # fmt: skip
    assert status == -2


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: snl.engine.lif_multistep(torch.rand(3, 2, 4), beta=1.5), ValueError, "beta"),
        (lambda: snl.engine.lif_multistep(torch.rand(3, 2, 4), threshold=-1.0), ValueError, "threshold"),
        (lambda: snl.engine.lif_multistep(torch.rand(3, 2, 4), beta="0.9"), TypeError, "beta"),
        (lambda: snl.engine.lif_multistep(torch.full((3, 2, 4), float("nan"))), ValueError, "cur must be finite"),
        (lambda: snl.data.Batches(torch.rand(4, 28, 28), torch.arange(4)), TypeError, "uint8 pixels"),
        (
            lambda: snl.data.Batches(torch.zeros(4, 28, 28, dtype=torch.uint8), torch.full((4,), float("nan"))),
            TypeError,
            "labels",
        ),
        (lambda: snl.data.Batches(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.tensor([57, 1])), ValueError, "labels"),
        (lambda: snl.data.Batches(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.tensor([-3, 1])), ValueError, "labels"),
        (
            lambda: snl.data.Batches(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.arange(2), std=float("nan")),
            ValueError,
            "std",
        ),
        (lambda: snl.data.Batches(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.arange(2), std=0.0), ValueError, "std"),
        (lambda: snl.models.SpikingMLP(num_hidden=8)(torch.zeros(2, 28, 28, dtype=torch.uint8)), TypeError, "uint8 pixels"),
        (lambda: snl.models.SpikingMLP(num_hidden=8)(torch.full((2, 784), float("nan"))), ValueError, "x must be finite"),
        (lambda: T.TrainConfig(betas="bogus"), TypeError, "betas"),
        (lambda: T.TrainConfig(max_test=0), ValueError, "max_test"),
        (lambda: snl.encoding.rate_decode(torch.full((4, 3), 0.5)), ValueError, "spikes"),
        (lambda: snl.models.predict(torch.full((3, 2, 10), 2.0)), ValueError, "spk_rec"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_issues_input_gaps_are_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

EVIL = "</script><script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;"


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.srcs = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        self.srcs += [value for name, value in attrs if name == "src"]


def test_every_string_in_an_explorers_html_is_escaped():
    from snnlib.widgets import Dropdown, Explorer, Slider

    controls = [
        Slider(EVIL + "s", EVIL, 0.0, 1.0, 0.5, 0.5, description=EVIL),
        Dropdown(EVIL + "d", EVIL, options=[EVIL, "b"], value="b", labels=[EVIL, EVIL + "2"], description=EVIL),
    ]

    def compute(**kw):
        return {}

    def plot(data, fig):
        fig.add_subplot(111).set_title("x")

    for view in ("lif", None):
        ex = Explorer(EVIL, EVIL, controls, compute, plot, figsize=(3.0, 2.0), view=view, description=EVIL)
        page = ex.html(uid=EVIL) if view else ex.html()
        parser = _Tags()
        parser.feed(page)
        assert "onerror" not in parser.attrs and all(src.startswith("data:image/png;base64,") for src in parser.srcs), view
        assert parser.tags.count("script") == (1 if view else 0), view
        assert page.count("</script>") == parser.tags.count("script"), view
    for control in controls:
        parser = _Tags()
        parser.feed(control.html(EVIL))
        assert set(parser.tags) <= {"label", "span", "input", "select", "option", "output"}, parser.tags
        assert "onerror" not in parser.attrs


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(seed=st.integers(0, 2**31 - 1), draws=st.integers(0, 5))
def test_generator_states_survive_a_weights_only_round_trip(seed, draws):
    import random

    import numpy as np

    snl.seed_everything(seed)
    for _ in range(draws):
        random.random(), np.random.rand(), torch.rand(1)
    data = C.checkpoint_bytes({"model": {}, "rng": C.rng_state()})
    state = torch.load(__import__("io").BytesIO(data), weights_only=True)
    expected = (random.random(), float(np.random.rand()), float(torch.rand(1)))
    C.set_rng_state(state["rng"])
    assert (random.random(), float(np.random.rand()), float(torch.rand(1))) == expected


@FAST
@given(blob=st.binary(max_size=4096))
def test_atomic_writes_land_whole_and_leave_no_temporary(tmp_path_factory, blob):
    folder = tmp_path_factory.mktemp("w")
    path = _io.atomic_write_bytes(folder / "f.bin", blob)
    assert path.read_bytes() == blob and [p.name for p in folder.iterdir()] == ["f.bin"]


@needs_kernel
@FAST
@given(
    T=st.integers(1, 5),
    B=st.integers(1, 4),
    H=st.integers(1, 20),
    C_=st.integers(1, 12),
    static=st.booleans(),
    short=st.sampled_from(["n_cur", "n_w2", "n_b2", "n_mem", "n_cur2", "n_counts", None]),
)
def test_the_c_kernel_matches_the_loop_and_refuses_any_short_buffer(T, B, H, C_, static, short):
    """For any shapes, snn_fwd equals the PyTorch loop; with any buffer one element short it
    returns its refusal code and writes nothing."""
    g = torch.Generator().manual_seed(T * 1000 + B * 100 + H * 10 + C_)
    cur = torch.rand((B, H) if static else (T, B, H), generator=g, dtype=torch.float64) * 2
    w, b = torch.rand(C_, H, generator=g, dtype=torch.float64), torch.rand(C_, generator=g, dtype=torch.float64)
    if short is None:
        out, _count = K.fwd(cur, w, b, T, 0.9, 1.0, "subtract", static)
        ref = snl.engine.lif_multistep_linear(cur, w, b, 0.9, 1.0, num_steps=T if static else None, backend="loop")
        torch.testing.assert_close(out, ref.cur, rtol=1e-12, atol=1e-12)
        return
    lib = K.load()
    n = dict(
        n_cur=cur.numel(), n_w2=w.numel(), n_b2=b.numel(), n_mem=B * H, n_cur2=T * B * C_, n_counts=T * B
    )  # fmt: skip
    n[short] -= 1
    d = ctypes.c_double
    bufs = [(d * max(1, v))(*([-7.0] * max(1, v))) for v in n.values()]
    args = [a for buf, v in zip(bufs, n.values()) for a in (buf, v)]
    status = lib.snn_fwd_d(*args, T, B, H, C_, 0 if static else B * H, 0.9, 1.0, 0, 0, B)
    assert status < 0 and K.STATUS[status], (short, status)
    assert all(v == -7.0 for v in bufs[4]) and all(v == -7.0 for v in bufs[5])


@FAST
@given(events=st.lists(st.lists(st.integers(-2, 9), max_size=4), min_size=1, max_size=6))
def test_event_lists_are_checked_before_any_presentation(events):
    """An event list is accepted exactly when every index lies in [0, n_in); then both paths run."""
    from snnlib.plasticity import _kernel as P

    n_in = 8
    off = torch.tensor([0] + [sum(len(e) for e in events[: i + 1]) for i in range(len(events))], dtype=torch.int32)
    idx = torch.tensor([i for e in events for i in e], dtype=torch.int32)
    valid = all(0 <= i < n_in for e in events for i in e)
    if valid:
        P.check_events(off, idx, n_in)
    else:
        with pytest.raises(ValueError, match="idx must hold input indices"):
            P.check_events(off, idx, n_in)
    with pytest.raises(ValueError, match="off must hold the event offsets"):
        P.check_events(off.flip(0) if off[-1] > 0 else off[:1], idx, n_in)
