"""Training: resume equals uninterrupted, NaN stops training, checkpoints are atomic, the CLI's JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from snnlib import data as D
from snnlib import train as T

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundled():
    config = T.TrainConfig(source="bundled", device="cpu", max_test=200)
    return T.load_data(config, torch.device("cpu"))


def _cfg(tmp=None, **kw):
    base = dict(
        epochs=3,
        source="bundled",
        device="cpu",
        max_batches=3,
        max_test=300,
        seed=3,
        num_steps=8,
        checkpoint=str(tmp) if tmp else None,
    )
    base.update(kw)
    return T.TrainConfig(**base)


def test_resume_equals_uninterrupted(tmp_path, bundled):
    full = T.fit(_cfg(tmp_path / "a"), progress=False, data=bundled)
    part = T.fit(_cfg(tmp_path / "b"), progress=False, stop_after_epoch=1, data=bundled).history
    assert len(part["epochs"]) == 1 and not part["completed"]
    resumed = T.fit(_cfg(tmp_path / "b"), resume=True, progress=False, data=bundled)
    assert resumed.history["completed"] and len(resumed.history["epochs"]) == 3
    for (name, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        assert torch.equal(a, b), f"{name} differs after resume"
    assert full.history["loss"] == resumed.history["loss"]
    assert [e["test_accuracy"] for e in full.history["epochs"]] == [e["test_accuracy"] for e in resumed.history["epochs"]]


def test_resume_refuses_a_different_config(tmp_path, bundled):
    T.fit(_cfg(tmp_path, epochs=1), progress=False, data=bundled)
    with pytest.raises(ValueError, match="config differs"):
        T.fit(_cfg(tmp_path, epochs=2, lr=1e-3), resume=True, progress=False, data=bundled)


def test_nan_loss_stops_training(bundled, nan_loss):
    calls = nan_loss(2)
    with pytest.raises(T.TrainingDiverged, match="nan at epoch 1, step 2"):
        T.fit(_cfg(epochs=1, max_batches=3), progress=False, data=bundled)
    assert len(calls) == 2, "training must stop at the first non-finite loss"


def test_checkpoint_never_half_written(tmp_path):
    path = tmp_path / "ck" / "last.pt"
    T.save_checkpoint(path, {"ok": 1})

    class Boom:
        def __reduce__(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        T.save_checkpoint(path, {"bad": Boom()})
    assert torch.load(path) == {"ok": 1}, "the old checkpoint must survive a failed write"
    assert [p.name for p in path.parent.iterdir()] == ["last.pt"], "no temporary file may be left behind"


def test_short_run_beats_chance_by_far(bundled):
    hist = T.fit(
        T.TrainConfig(epochs=1, source="bundled", device="cpu", max_batches=20, seed=0),
        progress=False,
        data=(
            bundled[0],
            D.Batches(
                *D.load_mnist("test", source="bundled"), batch_size=500, shuffle=False, device="cpu", scale=bundled[0].scale
            ),
        ),
    )
    acc = hist.history["epochs"][-1]["test_accuracy"]
    assert acc > 0.7, f"20 batches of training should reach well above 10% (chance), got {acc:.1%}"


def test_cli_writes_json_record(tmp_path):
    out = tmp_path / "run.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "snnlib.train",
            "--epochs",
            "2",
            "--source",
            "bundled",
            "--max-batches",
            "2",
            "--max-test",
            "200",
            "--device",
            "cpu",
            "--quiet",
            "--num-steps",
            "10",
            "--checkpoint",
            str(tmp_path / "ck"),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rec = json.loads(out.read_text())
    assert set(rec) >= {"config", "device", "device_name", "loss", "epochs", "peak_memory", "train_seconds_total"}
    assert rec["config"]["epochs"] == 2 and rec["config"]["batch_size"] == 128 and rec["config"]["num_steps"] == 10
    assert len(rec["epochs"]) == 2 and len(rec["loss"]) == 4
    for e in rec["epochs"]:
        assert set(e) >= {"epoch", "test_accuracy", "train_loss", "train_seconds", "samples_per_s", "eval_seconds"}
        assert 0 <= e["test_accuracy"] <= 1 and e["samples_per_s"] > 0
    assert rec["peak_memory"]["bytes"] > 0
    assert (tmp_path / "ck" / "last.pt").exists()
    assert "test accuracy" in proc.stdout


def test_config_validation():
    with pytest.raises(ValueError, match="epochs"):
        T.TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="readout"):
        T.TrainConfig(readout="vote")


def test_config_checks_every_field():
    with pytest.raises(TypeError, match=r"num_steps must be an integer >= 1, got 2\.5"):
        T.TrainConfig(num_steps=2.5)
    with pytest.raises(TypeError, match="batch_size"):
        T.TrainConfig(batch_size=True)
    config = T.TrainConfig(epochs=np.int64(2), num_steps=torch.tensor(7), seed=np.int32(4), max_batches=np.int64(3))
    assert (config.epochs, config.num_steps, config.seed, config.max_batches) == (2, 7, 4, 3)
    assert all(type(v) is int for v in (config.epochs, config.num_steps, config.seed, config.max_batches))
    assert json.loads(json.dumps(config.to_dict()))["epochs"] == 2
    with pytest.raises(TypeError, match=r"betas must be a pair \(beta1, beta2\) of numbers in \[0, 1\), got 'bogus'"):
        T.TrainConfig(betas="bogus")
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        T.TrainConfig(betas=(0.9, 1.0))
    assert T.TrainConfig(betas=[0.8, 0.99]).betas == (0.8, 0.99)
    for lr in (0, -1e-3, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr"):
            T.TrainConfig(lr=lr)
    with pytest.raises(TypeError, match="lr"):
        T.TrainConfig(lr="fast")
    bad = {
        "schedule": "linear",
        "scale": "minmax",
        "loss": "mse",
        "reset": "hard",
        "source": "internet",
        "dataset": "cifar10",
        "device": "gpu",
        "beta": 1.5,
        "threshold": 0.0,
        "weight_decay": -1.0,
        "warmup_steps": -1,
        "seed": -1,
        "max_test": 0,
        "max_batches": 0,
    }
    for name, value in bad.items():
        with pytest.raises(ValueError, match=name):
            T.TrainConfig(**{name: value})
    for name, value in {"fast": 1, "learn_beta": "yes", "compile": 0, "root": 3, "checkpoint": 1.5}.items():
        with pytest.raises(TypeError, match=name):
            T.TrainConfig(**{name: value})
    with pytest.raises(Exception, match="cannot assign"):
        config.lr = 1.0  # frozen: change a config with dataclasses.replace, which checks again


def test_fit_result_keeps_the_model_out_of_the_history(tmp_path, bundled):
    result = T.fit(_cfg(epochs=1, max_batches=2), progress=False, data=bundled, json_path=tmp_path / "r.json")
    assert isinstance(result, T.FitResult) and isinstance(result.model, torch.nn.Module)
    assert result.config.epochs == 1 and "model" not in result.history
    assert json.loads((tmp_path / "r.json").read_text()) == json.loads(json.dumps(result.record()))
    assert result.record() == result.history and result.record() is not result.history
    assert "epochs=1/1" in repr(result)
    with pytest.raises(TypeError, match="config"):
        T.fit({"epochs": 1}, data=bundled)
    with pytest.raises(TypeError, match="data"):
        T.fit(_cfg(epochs=1), data=bundled[0])


def test_schedule_warms_up_then_decays_to_zero():
    f = T.schedule.lr_factor("cosine", total_steps=100, warmup_steps=10)
    assert [f(s) for s in range(3)] == [0.1, 0.2, 0.3] and f(9) == 1.0
    assert f(100) == pytest.approx(0.0) and 0 < f(55) < 1
    assert T.schedule.lr_factor("constant", 100, 10)(0) == 1.0
    with pytest.raises(ValueError, match="schedule"):
        T.schedule.lr_factor("linear", 100, 10)


@pytest.mark.slow
def test_throughput_benchmark_runs_and_writes_its_json(tmp_path):
    """The benchmark script runs end to end (tiny settings) and writes the record the chapter renders."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "throughput.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(root / "benchmarks" / "throughput.py"),
            "--rounds",
            "1",
            "--batches",
            "1",
            "--warmup",
            "0",
            "--source",
            "bundled",
            "--eval-batches",
            "1",
            "--threads",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rec = json.loads(out.read_text())
    assert set(rec["results"]) == {"snnlib fast path", "snnTorch reference", "PyTorch reference"}
    for r in rec["results"].values():
        assert r["train_samples_per_s"] > 0
    assert "snnlib fast path / snnTorch reference" in rec["ratios"]


_KILLED_RUN = r"""
import json, os, signal, sys
import torch
torch.set_num_threads(int(sys.argv[2]))
from snnlib import _io
from snnlib import train as T
from snnlib.train import checkpoint as C

writes = []


def dying_write(path, data):
    writes.append(path)
    if len(writes) < 2:
        return _io.atomic_write_bytes(path, data)

    def half_then_sigkill(fh):  # the second checkpoint: half of it reaches the temporary file, then SIGKILL
        fh.write(data[: len(data) // 2])
        fh.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    return _io.atomic_write(path, half_then_sigkill)


C.atomic_write_bytes = dying_write
T.fit(T.TrainConfig(**json.loads(sys.argv[1])), progress=False)
"""


def test_resume_after_a_kill_is_bit_identical(tmp_path):
    """SIGKILL in the middle of the second checkpoint's write (another process): the temporary it
    leaves is removed, last.pt still holds epoch 1, and resuming gives the uninterrupted run's
    weights and losses bit for bit (on the CPU, with the same number of threads)."""
    fields = dict(epochs=3, source="bundled", device="cpu", max_batches=3, max_test=300, seed=3, num_steps=8)
    folder = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [json.dumps(dict(fields, checkpoint=str(folder))), str(torch.get_num_threads())]
    proc = subprocess.run([sys.executable, "-c", _KILLED_RUN, *args], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, f"the run was not killed: {proc.returncode} {proc.stderr[-2000:]}"
    litter = [p for p in folder.iterdir() if p.name != "last.pt"]
    assert len(litter) == 1 and litter[0].name.startswith(".last.pt.") and litter[0].stat().st_size > 0
    assert T.load_checkpoint(folder / "last.pt")["epoch"] == 0, "the good checkpoint was damaged"
    resumed = T.fit(T.TrainConfig(**fields, checkpoint=str(folder)), resume=True, progress=False)
    assert [p.name for p in folder.iterdir()] == ["last.pt"], "the killed run's temporary file was not removed"
    full = T.fit(T.TrainConfig(**fields), progress=False)
    for (name, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        assert torch.equal(a, b), f"{name} differs after a kill and a resume"
    assert full.history["loss"] == resumed.history["loss"]
    assert [e["test_accuracy"] for e in full.history["epochs"]] == [e["test_accuracy"] for e in resumed.history["epochs"]]


def test_random_shift_moves_each_image_within_the_bound():
    x = torch.zeros(64, 28, 28)
    x[:, 14, 14] = 1.0  # one bright pixel in the middle of every image
    gen = torch.Generator().manual_seed(0)
    out = T.random_shift(x, 2, gen)
    assert out.shape == x.shape and out.dtype == x.dtype
    pos = out.reshape(64, -1).argmax(-1)
    rows, cols = pos // 28 - 14, pos % 28 - 14
    assert out.sum() == 64, "a shift moves the pixel, it never loses or duplicates it"
    assert rows.abs().max() <= 2 and cols.abs().max() <= 2
    assert len(set(zip(rows.tolist(), cols.tolist()))) > 10, "the offsets differ from image to image"
    assert T.random_shift(x, 0) is x
    edge = T.random_shift(torch.ones(4, 28, 28), 1, torch.Generator().manual_seed(1), fill=-0.5)
    assert set(edge.unique().tolist()) <= {1.0, -0.5}
    with pytest.raises(ValueError, match="max_shift"):
        T.random_shift(x, -1)
    with pytest.raises(ValueError, match=r"x must have shape \[B, H, W\]"):
        T.random_shift(torch.zeros(4, 784), 1)


def test_shifter_is_seeded_by_seed_and_epoch():
    x = torch.rand(8, 28, 28)
    a, b = T.Shifter(1, 3, 0, "cpu")(x), T.Shifter(1, 3, 0, "cpu")(x)
    assert torch.equal(a, b)
    assert not torch.equal(a, T.Shifter(1, 3, 1, "cpu")(x)) and not torch.equal(a, T.Shifter(1, 4, 0, "cpu")(x))
    flat = T.Shifter(1, 3, 0, "cpu")(x.reshape(8, 784))
    assert torch.equal(flat.reshape(8, 28, 28), a)
    assert T.Shifter(0, 3, 0, "cpu")(x) is x


def test_the_recipe_options_train_and_resume(tmp_path, bundled):
    kw = dict(shift=1, label_smoothing=0.1, optimizer="adamw", weight_decay=1e-2, loss="mean_membrane")
    full = T.fit(_cfg(tmp_path / "a", **kw), progress=False, data=bundled)
    T.fit(_cfg(tmp_path / "b", **kw), progress=False, stop_after_epoch=1, data=bundled)
    resumed = T.fit(_cfg(tmp_path / "b", **kw), resume=True, progress=False, data=bundled)
    assert full.history["loss"] == resumed.history["loss"], "shifts and the optimiser resume exactly"
    plain = T.fit(_cfg(), progress=False, data=bundled)
    assert full.history["loss"] != plain.history["loss"]
    with pytest.raises(ValueError, match="optimizer"):
        T.TrainConfig(optimizer="sgd")
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match="label_smoothing"):
            T.TrainConfig(label_smoothing=bad)
    with pytest.raises(ValueError, match="shift"):
        T.TrainConfig(shift=-1)


def test_losses_with_label_smoothing():
    from snnlib import models as M

    gen = torch.Generator().manual_seed(0)
    mem, y = torch.randn(5, 4, 10, generator=gen), torch.tensor([1, 2, 3, 4])
    ce = torch.nn.functional.cross_entropy
    assert torch.allclose(M.membrane_ce_loss(mem, y), sum(ce(mem[t], y) for t in range(5)))
    assert torch.allclose(M.membrane_ce_loss(mem, y, 0.1), sum(ce(mem[t], y, label_smoothing=0.1) for t in range(5)))
    assert torch.allclose(M.mean_membrane_ce_loss(mem, y, 0.2), ce(mem.mean(0), y, label_smoothing=0.2))
    spk = (mem > 0).float()
    assert torch.allclose(M.rate_ce_loss(spk, y, 0.1), ce(spk.sum(0), y, label_smoothing=0.1))
    with pytest.raises(ValueError, match="label_smoothing"):
        M.membrane_ce_loss(mem, y, 1.0)


def test_recipes_and_the_reference():
    ref = T.recipe_config("snntorch tutorial", epochs=1, seed=2)
    assert (ref.lr, ref.schedule, ref.scale, ref.readout, ref.loss) == (5e-4, "constant", "unit", "count", "membrane")
    assert (ref.epochs, ref.seed, ref.shift, ref.label_smoothing) == (1, 2, 0, 0.0)
    assert T.recipe_of(T.recipe_config("default")) == T.recipe("default") == T.recipe_of(T.TrainConfig())
    assert T.recipe_config("default", lr=1e-3).lr == 1e-3
    with pytest.raises(TypeError, match="unknown TrainConfig field"):
        T.recipe_config("default", learning_rate=1e-3)
    with pytest.raises(ValueError, match="name"):
        T.recipe("keras")


def test_help_describes_every_option_and_covers_every_field():
    from dataclasses import fields

    p = T.cli.parser()
    text = p.format_help()
    for action in p._actions:
        if action.dest != "help":
            assert action.help and len(action.help) > 8, f"--{action.dest} has no description"
    dests = {a.dest for a in p._actions}
    mapped = {"fast": "plain", "compile": "no_compile"}
    for f in fields(T.TrainConfig):
        assert mapped.get(f.name, f.name) in dests, f"TrainConfig.{f.name} has no command-line option"
    assert "(default: 0.002)" in text or f"(default: {T.TrainConfig().lr})" in text
    args = p.parse_args([])
    assert T.cli.config_from_args(args) == T.TrainConfig(), "no options: exactly the default recipe"
    args = p.parse_args(["--shift", "2", "--label-smoothing", "0.05", "--optimizer", "adamw", "--betas", "0.8", "0.99"])
    c = T.cli.config_from_args(args)
    assert (c.shift, c.label_smoothing, c.optimizer, c.betas) == (2, 0.05, "adamw", (0.8, 0.99))


def test_fit_refuses_data_scaled_otherwise_than_the_config(bundled):
    other = "unit" if bundled[0].scale == "standard" else "standard"
    with pytest.raises(ValueError, match=f"scale={bundled[0].scale!r} but config.scale is {other!r}"):
        T.fit(_cfg(epochs=1, scale=other), progress=False, data=bundled)
