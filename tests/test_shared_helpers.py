"""The shared helpers every module uses: argument checks, environment flags, atomic writes."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch

from snnlib import _checks, _env, _io
from snnlib import spikes as S

# ---------------------------------------------------------------------------------------------
# integers and reals
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), np.uint8(3), torch.tensor(3), torch.tensor(3, dtype=torch.int16)])
def test_integer_accepts_every_integer_form(value):
    out = _checks.integer(value, "num_steps", 1)
    assert out == 3 and type(out) is int


@pytest.mark.parametrize(
    "value", [2.5, 3.0, np.float64(3.0), True, np.bool_(True), "3", None, torch.tensor(3.0), torch.tensor([3]), [3]]
)
def test_integer_rejects_non_integers_with_a_type_error_naming_the_argument(value):
    with pytest.raises(TypeError, match=r"num_steps must be an integer"):
        _checks.integer(value, "num_steps", 1)


def test_integer_range_errors_say_the_range_and_what_arrived():
    with pytest.raises(ValueError, match=r"num_steps must be an integer >= 1, got 0 \(int\)"):
        _checks.integer(0, "num_steps", 1)
    with pytest.raises(ValueError, match=r"<= 10"):
        _checks.integer(np.int64(11), "k", 0, 10)


@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.5), np.float64(0.5), torch.tensor(0.5), torch.tensor([0.5])])
def test_real_accepts_every_number_form(value):
    assert _checks.real(value, "beta", 0, 1) == pytest.approx(float(value))


@pytest.mark.parametrize(
    "value, error",
    [
        (math.nan, ValueError),
        (math.inf, ValueError),
        (-math.inf, ValueError),
        (True, TypeError),
        ("0.5", TypeError),
        (None, TypeError),
        (torch.tensor([0.1, 0.2]), TypeError),
        (1.5, ValueError),
        (-0.1, ValueError),
    ],
)
def test_real_rejects_nan_inf_bools_and_out_of_range(value, error):
    with pytest.raises(error, match="beta"):
        _checks.real(value, "beta", 0, 1)


def test_real_allows_inf_and_open_ends_when_asked():
    assert _checks.real(math.inf, "window", 0, allow_inf=True) == math.inf
    with pytest.raises(ValueError, match="> 0"):
        _checks.positive(0.0, "dt")
    assert _checks.probability(1.0, "p") == 1.0


def test_choice_and_boolean():
    assert _checks.choice("zero", "reset", ("subtract", "zero")) == "zero"
    with pytest.raises(ValueError, match=r"reset must be one of 'subtract', 'zero'; got 'sub' \(str\)"):
        _checks.choice("sub", "reset", ("subtract", "zero"))
    with pytest.raises(ValueError, match="reset"):
        _checks.choice(["zero"], "reset", ("subtract", "zero"))
    assert _checks.boolean(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match="flag must be True or False"):
        _checks.boolean(1, "flag")


# ---------------------------------------------------------------------------------------------
# tensors
# ---------------------------------------------------------------------------------------------


def test_tensor_messages_give_the_time_first_shape():
    with pytest.raises(TypeError, match=r"cur must be a torch.Tensor of shape \[T, B, N\], got \[1, 2\] \(list\); convert"):
        _checks.tensor([1, 2], "cur", "[T, B, N]")
    with pytest.raises(ValueError, match=r"cur must have shape \[T, B, N\] \(3 dimensions\), got shape \(4, 2\)"):
        _checks.tensor(torch.zeros(4, 2), "cur", "[T, B, N]", ndim=3)
    with pytest.raises(ValueError, match="must not be empty"):
        _checks.tensor(torch.zeros(0, 2), "cur", "[T, B]")
    with pytest.raises(TypeError, match="floating-point"):
        _checks.tensor(torch.zeros(2, dtype=torch.long), "cur", "[B]", dtype="float")
    with pytest.raises(ValueError, match="contains NaN"):
        _checks.tensor(torch.tensor([0.0, math.nan]), "cur", "[B]", finite=True)
    with pytest.raises(ValueError, match="contains inf"):
        _checks.finite_tensor(torch.tensor([0.0, math.inf]), "cur", "[B]")
    with pytest.raises(ValueError, match="at least one time step"):
        _checks.time_first(torch.zeros(0, 3), "spk", nonempty=False)


def test_spike_tensor_accepts_any_binary_dtype_and_rejects_other_values():
    for x in (torch.tensor([[0, 1]]), torch.tensor([[0.0, 1.0]]), torch.tensor([[False, True]])):
        assert _checks.spike_tensor(x) is x
    with pytest.raises(ValueError, match=r"0 or 1.*0.5"):
        _checks.spike_tensor(torch.tensor([[0.0, 0.5]]))
    assert _checks.spike_tensor(torch.tensor([[-1.0, 1.0]]), signed=True) is not None
    with pytest.raises(ValueError, match="-1, 0 or 1"):
        _checks.spike_tensor(torch.tensor([[-2.0]]), signed=True)


def test_same_shape():
    with pytest.raises(ValueError, match=r"mem and cur must have the same shape \[B, N\]"):
        _checks.same_shape(torch.zeros(2, 3), torch.zeros(3, 2), "mem", "cur", "[B, N]")


# ---------------------------------------------------------------------------------------------
# spike measures
# ---------------------------------------------------------------------------------------------


def test_spike_measures_against_hand_counts():
    spk = torch.tensor([[[1.0, 0.0]], [[1.0, 1.0]], [[0.0, 1.0]], [[1.0, 0.0]]])  # [T=4, B=1, N=2]
    assert S.spike_count(spk).tolist() == [[3.0, 2.0]]
    assert S.firing_rate(spk, dt=0.5).tolist() == [[1.5, 1.0]]
    assert S.firing_rate(spk, start=1, stop=3).tolist() == [[0.5, 1.0]]
    assert S.population_rate(spk).tolist() == [[0.5], [1.0], [0.5], [0.5]]
    assert S.spike_count(torch.tensor([[-1.0], [1.0]])).tolist() == [2.0]  # off spikes count
    assert S.spike_count(torch.tensor([[1], [1]])).dtype == torch.get_default_dtype()
    with pytest.raises(ValueError, match="time axis"):
        S.population_rate(spk, dim=0)
    with pytest.raises(ValueError, match="stop"):
        S.firing_rate(spk, start=2, stop=2)
    with pytest.raises(ValueError, match="0 or 1"):
        S.spike_count(torch.tensor([[0.3]]))


# ---------------------------------------------------------------------------------------------
# environment flags
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("TRUE", True), (" on ", True), ("0", False), ("no", False), ("", None)]
)
def test_flags_parse_one_way(monkeypatch, value, expected):
    monkeypatch.setenv("SNNLIB_CPU_KERNEL", value)
    assert (
        _env.flag("SNNLIB_CPU_KERNEL", default=None) is expected
        if expected is None
        else _env.flag("SNNLIB_CPU_KERNEL", default=not expected) is expected
    )


def test_a_typo_in_a_flag_is_an_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SNNLIB_DOWNLOAD", "flase")
    with pytest.raises(ValueError, match="SNNLIB_DOWNLOAD='flase' is not understood"):
        _env.flag("SNNLIB_DOWNLOAD", True)
    monkeypatch.setenv("SNNLIB_WIDGETS", "LIVE")
    assert _env.option("SNNLIB_WIDGETS", ("live", "html")) == "live"
    monkeypatch.setenv("SNNLIB_WIDGETS", "static")
    with pytest.raises(ValueError, match="expected one of live, html"):
        _env.option("SNNLIB_WIDGETS", ("live", "html"))


def test_only_declared_variables_are_read():
    with pytest.raises(KeyError):
        _env.flag("SNNLIB_NOT_A_VARIABLE", False)


def test_every_variable_read_by_the_library_is_declared():
    import re
    from pathlib import Path

    pkg = Path(_env.__file__).parent
    used = set()
    for f in pkg.rglob("*.py"):
        used |= set(re.findall(r"[\"'](SNNLIB_[A-Z_]+)[\"']", f.read_text()))
    assert used <= set(_env.VARIABLES), f"undeclared: {sorted(used - set(_env.VARIABLES))}"


def test_no_module_reads_an_snnlib_variable_itself():
    import re
    from pathlib import Path

    pkg = Path(_env.__file__).parent
    pattern = re.compile(r"(os\.environ(\.get)?[\[(]|getenv\()\s*[\"']SNNLIB_")
    offenders = [str(f.relative_to(pkg)) for f in pkg.rglob("*.py") if f.name != "_env.py" and pattern.search(f.read_text())]
    assert not offenders, f"read SNNLIB_* variables through snnlib._env: {offenders}"


# ---------------------------------------------------------------------------------------------
# atomic writes
# ---------------------------------------------------------------------------------------------


def test_atomic_write_replaces_whole_files_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "out.json"
    _io.atomic_write_json(target, {"a": np.float32(0.5), "n": np.int64(2)})
    assert target.read_text() == '{\n  "a": 0.5,\n  "n": 2\n}\n'
    _io.atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path):
    target = tmp_path / "out.bin"
    _io.atomic_write_bytes(target, b"old")

    def boom(fh):
        fh.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _io.atomic_write(target, boom)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_atomic_writes_keep_the_mode_of_the_file_they_replace(tmp_path):
    new = _io.atomic_write_text(tmp_path / "new.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask
    os.chmod(new, 0o600)
    _io.atomic_write_text(new, "y")
    assert new.stat().st_mode & 0o777 == 0o600


def test_stale_temporaries_of_killed_writers_are_cleaned(tmp_path):
    target = tmp_path / "last.pt"
    stale = tmp_path / ".last.pt.abc123.tmp"
    stale.write_bytes(b"x" * 10)
    other = tmp_path / ".other.pt.abc.tmp"
    other.write_bytes(b"y")
    old = os.stat(stale).st_mtime - 3600
    os.utime(stale, (old, old))
    assert _io.clean_stale(target, older_than_s=60) == 1
    assert not stale.exists() and other.exists()
    with pytest.raises(TypeError, match="cannot write"):
        _io.atomic_write_json(target, {"x": object()})
    assert not list(tmp_path.glob(".last.pt.*.tmp"))
