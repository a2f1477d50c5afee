"""Device selection, seeding, quick mode and the set-up every notebook runs first."""

from __future__ import annotations

import contextlib
import platform
import random
import sys
from typing import TypeVar, Union

import numpy as np
import torch

from . import _checks, _env

#: Environment variable that switches every notebook to small workloads.
QUICK_ENV = "SNNLIB_QUICK"
#: Environment variable that overrides the automatic device choice ("cpu", "cuda", "cuda:1", "mps").
DEVICE_ENV = "SNNLIB_DEVICE"

T = TypeVar("T")


def get_device(device: Union[str, torch.device, None] = None) -> torch.device:
    """Return the device to compute on.

    ``device=None`` or ``"auto"`` picks, in order: the ``SNNLIB_DEVICE`` environment variable if
    set, CUDA if a GPU is visible, Apple's MPS if available, else the CPU. Anything else
    (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a ``torch.device``) is used as given, after
    checking that it is available.

    Raises:
        ValueError: the name is not a device torch knows, or that device is not available here.
    """
    if device is None or (isinstance(device, str) and device == "auto"):
        env = _env.text(DEVICE_ENV)
        if env and env != "auto":
            return get_device(env)
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"unknown device {device!r}: expected 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} asked for, but no CUDA GPU is visible to torch here; use 'auto' or 'cpu'")
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"device {device!r} asked for, but MPS is not available here; use 'auto' or 'cpu'")
    return dev


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's, NumPy's and torch's generators (all devices) and return a torch.Generator.

    The returned CPU generator, seeded with ``seed``, can be passed to functions that take a
    ``generator`` argument to make a single call reproducible on its own.
    """
    seed = _checks.integer(seed, "seed", 0)
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))
    gen = torch.Generator()
    gen.manual_seed(int(seed))
    return gen


def quick_mode() -> bool:
    """True when the environment asks for small workloads (``SNNLIB_QUICK=1``).

    The book's build and the tests set it so that every notebook runs in seconds; a reader who
    leaves it unset gets the real experiment. Values ``1``, ``true``, ``yes``, ``on`` mean quick;
    ``0``, ``false``, ``no``, ``off`` or unset mean full; anything else is an error.
    """
    return _env.flag(QUICK_ENV, False)


def workload(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``epochs = snl.workload(5, 1)``."""
    return quick if quick_mode() else full


def versions() -> dict:
    """Versions of Python and of the packages the book uses (missing ones as ``None``)."""
    from importlib import metadata

    from ._version import __version__

    out = {"python": platform.python_version(), "snnlib": __version__, "torch": torch.__version__}
    for name in ("torchvision", "snntorch", "numpy", "matplotlib", "ipywidgets"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def setup(seed: int = 0, device: Union[str, torch.device, None] = None, verbose: bool = True) -> torch.device:
    """What every notebook's first cell does: seed, pick the device, report the environment.

    Returns the chosen ``torch.device``. Prints one line of versions and one line with the
    device and whether quick mode is on (unless ``verbose=False``).
    """
    verbose = _checks.boolean(verbose, "verbose")
    seed_everything(seed)
    dev = get_device(device)
    if verbose:
        v = versions()
        print(_wrap(" | ".join(f"{k} {val}" for k, val in v.items() if val is not None)))
        where = "Colab" if "google.colab" in sys.modules else "local"
        name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or platform.machine()
        mode = "quick mode (SNNLIB_QUICK=1): small workloads" if quick_mode() else "full workloads"
        print(_wrap(f"device: {dev} ({name}) | {where} | seed {seed} | {mode}"))
    return dev


def _wrap(line: str, width: int = 80) -> str:
    """``line`` broken at its `` | `` separators into lines of at most ``width`` characters (the book's column)."""
    out, current = [], ""
    for part in line.split(" | "):
        candidate = f"{current} | {part}" if current else part
        if current and len(candidate) > width:
            out.append(current)
            current = part
        else:
            current = candidate
    out.append(current)
    return "\n".join(out)


@contextlib.contextmanager
def one_cpu_thread(device: Union[str, torch.device, None] = None):
    """A context in which torch uses one CPU thread (then the previous count again), for loops of
    many small steps, where starting threads costs more than they save. A ``device`` that is not
    the CPU leaves the count alone."""
    if device is not None and torch.device(device).type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
