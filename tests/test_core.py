"""snnlib's core: device choice, seeding, quick mode, workload, set-up."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import snnlib as snl
from snnlib import _core

HAS_CUDA = torch.cuda.is_available()
HAS_MPS = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv(_core.DEVICE_ENV, raising=False)
    monkeypatch.delenv(_core.QUICK_ENV, raising=False)


# ---------------------------------------------------------------------------------------------
# get_device
# ---------------------------------------------------------------------------------------------


def test_auto_device_follows_what_is_available():
    expected = "cuda" if HAS_CUDA else "mps" if HAS_MPS else "cpu"
    assert snl.get_device().type == expected
    assert snl.get_device("auto").type == expected


@pytest.mark.skipif(HAS_CUDA or HAS_MPS, reason="this machine has an accelerator")
def test_auto_device_is_cpu_without_accelerator():
    assert snl.get_device() == torch.device("cpu")


def test_explicit_cpu_and_torch_device():
    assert snl.get_device("cpu") == torch.device("cpu")
    assert snl.get_device(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.parametrize("name", ["gpu", "banana", "cuda:x", ""])
def test_unknown_device_name_raises_value_error(name):
    with pytest.raises(ValueError, match="unknown device"):
        snl.get_device(name)


@pytest.mark.skipif(HAS_CUDA, reason="a CUDA GPU is present")
@pytest.mark.parametrize("name", ["cuda", "cuda:0", "cuda:1"])
def test_cuda_without_gpu_raises(name):
    with pytest.raises(ValueError, match="no CUDA GPU"):
        snl.get_device(name)


@pytest.mark.skipif(HAS_MPS, reason="MPS is present")
def test_mps_without_mps_raises():
    with pytest.raises(ValueError, match="MPS is not available"):
        snl.get_device("mps")


def test_environment_variable_overrides_auto(monkeypatch):
    monkeypatch.setenv(_core.DEVICE_ENV, "cpu")
    assert snl.get_device() == torch.device("cpu")
    assert snl.get_device("auto") == torch.device("cpu")


def test_explicit_device_wins_over_environment(monkeypatch):
    monkeypatch.setenv(_core.DEVICE_ENV, "banana")
    assert snl.get_device("cpu") == torch.device("cpu")  # the variable is not even read
    with pytest.raises(ValueError, match="unknown device"):
        snl.get_device()  # but a bad variable is reported when it is used


@pytest.mark.skipif(HAS_CUDA, reason="a CUDA GPU is present")
def test_environment_asking_for_missing_cuda_raises(monkeypatch):
    monkeypatch.setenv(_core.DEVICE_ENV, "cuda")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        snl.get_device()


@pytest.mark.parametrize("value", ["", "auto", "  "])
def test_empty_or_auto_environment_means_automatic(monkeypatch, value):
    monkeypatch.setenv(_core.DEVICE_ENV, value)
    assert snl.get_device() == snl.get_device(torch.device(snl.get_device().type))


# ---------------------------------------------------------------------------------------------
# seed_everything
# ---------------------------------------------------------------------------------------------


def _draws(gen):
    return (random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist(), torch.rand(2, generator=gen).tolist())


def test_seeding_reproduces_python_numpy_and_torch_draws():
    first = _draws(snl.seed_everything(123))
    second = _draws(snl.seed_everything(123))
    assert first == second
    other = _draws(snl.seed_everything(124))
    for a, b in zip(first, other):
        assert a != b


def test_returned_generator_is_seeded_independently():
    g1 = snl.seed_everything(5)
    torch.rand(10)  # consuming the global generator does not move the returned one
    g2 = torch.Generator().manual_seed(5)
    assert torch.equal(torch.rand(4, generator=g1), torch.rand(4, generator=g2))


def test_large_and_numpy_integer_seeds_work():
    snl.seed_everything(2**40)
    snl.seed_everything(np.int64(7))


@pytest.mark.parametrize("seed", [1.5, "0", None, True])
def test_non_integer_seed_raises(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        snl.seed_everything(seed)


# ---------------------------------------------------------------------------------------------
# quick mode and workload
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " 1 "])
def test_quick_mode_on(monkeypatch, value):
    monkeypatch.setenv(_core.QUICK_ENV, value)
    assert snl.quick_mode() is True


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off"])
def test_quick_mode_off(monkeypatch, value):
    monkeypatch.setenv(_core.QUICK_ENV, value)
    assert snl.quick_mode() is False


def test_quick_mode_off_when_unset():
    assert snl.quick_mode() is False


@pytest.mark.parametrize("value", ["2", "quick", "maybe", "-1"])
def test_quick_mode_garbage_raises(monkeypatch, value):
    monkeypatch.setenv(_core.QUICK_ENV, value)
    with pytest.raises(ValueError, match="SNNLIB_QUICK"):
        snl.quick_mode()
    with pytest.raises(ValueError, match="expected 1/true/yes/on or 0/false/no/off"):
        snl.workload(10, 1)


def test_workload_follows_quick_mode(monkeypatch):
    assert snl.workload(full=1000, quick=10) == 1000
    monkeypatch.setenv(_core.QUICK_ENV, "1")
    assert snl.workload(full=1000, quick=10) == 10
    assert snl.workload(full=(60000, 5), quick=(512, 1)) == (512, 1)


def test_quick_env_name_is_exported():
    assert snl.QUICK_ENV == "SNNLIB_QUICK"


# ---------------------------------------------------------------------------------------------
# versions and setup
# ---------------------------------------------------------------------------------------------


def test_versions_report_the_packages():
    v = snl.versions()
    assert v["snnlib"] == snl.__version__
    assert v["torch"] == torch.__version__
    for key in ("python", "numpy", "matplotlib"):
        assert v[key]


def test_setup_seeds_returns_device_and_reports(monkeypatch, capsys):
    monkeypatch.setenv(_core.QUICK_ENV, "1")
    dev = snl.setup(seed=3, device="cpu")
    a = torch.rand(2)
    out = capsys.readouterr().out
    assert dev == torch.device("cpu")
    assert f"torch {torch.__version__}" in out and "device: cpu" in out and "quick mode" in out and "seed 3" in out
    snl.setup(seed=3, device="cpu", verbose=False)
    assert torch.equal(torch.rand(2), a)
    assert capsys.readouterr().out == ""


def test_lazy_submodules_and_dir():
    assert "neurons" in dir(snl)
    assert snl.neurons.LIF is not None
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        snl.nonexistent  # noqa: B018
