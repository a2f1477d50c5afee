"""Shared fixtures: the repository root, the built book, full MNIST when it is on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
#: Jupyter Book 1's command line, run by this interpreter (``python -m jupyter_book`` does not exist).
JUPYTER_BOOK = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book once per session (quick mode, warnings as errors, notebooks executed).

    Returns the HTML folder. The build log is written to ``_build/build.log``.
    """
    env = dict(os.environ, SNNLIB_QUICK="1", PYTHONHASHSEED="0")
    BUILD_DIR.mkdir(exist_ok=True)
    cmd = [*JUPYTER_BOOK, "build", str(ROOT), "-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    log = proc.stdout + "\n" + proc.stderr
    (BUILD_DIR / "build.log").write_text(log)
    if proc.returncode != 0:
        # A notebook that raised leaves its traceback in _build/html/reports/: show it.
        reports = "".join(
            f"\n--- {p.relative_to(ROOT)}:\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted((HTML_DIR / "reports").rglob("*.err.log"))
        )
        pytest.fail(f"jupyter-book build failed (exit {proc.returncode}); end of the log:\n{log[-6000:]}{reports}")
    return HTML_DIR


def shared_mnist_dir():
    """Full MNIST beside the checkout (../shared/data/mnist), or SNNLIB_DATA, if present."""
    for cand in (
        os.environ.get("SNNLIB_DATA"),
        ROOT.parent / "shared" / "data" / "mnist",
        ROOT.parent.parent / "shared" / "data" / "mnist",
    ):
        if cand and (Path(cand) / "train-labels-idx1-ubyte.gz").exists():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def mnist_dir():
    d = shared_mnist_dir()
    if d is None:
        pytest.skip("full MNIST not found in ../shared/data/mnist or $SNNLIB_DATA")
    return d


@pytest.fixture
def nan_loss(monkeypatch):
    """``nan_loss(n)`` makes the ``n``-th training loss (counting from 1) NaN from then on, by wrapping
    ``snnlib.train.loop._loss``; it returns the list that gets one entry per loss computed (clear it
    to count again)."""
    from snnlib.train import loop

    def install(n: int) -> list:
        real, calls = loop._loss, []

        def loss(config, spk, mem, y):
            calls.append(1)
            value = real(config, spk, mem, y)
            return value * float("nan") if len(calls) == n else value

        monkeypatch.setattr(loop, "_loss", loss)
        return calls

    return install
