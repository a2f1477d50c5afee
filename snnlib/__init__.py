"""snnlib: the small shared library of the SNN book.

Every chapter's notebook starts with ``import snnlib as snl``. The submodules, one per idea,
are imported on first use (``snl.neurons``, ``snl.encoding``, ...), so ``import snnlib`` stays
quick.

Conventions used everywhere in the library:

* Tensors are **time-first**: a spike or membrane record has shape ``[T, B, ...]`` (time steps,
  batch, then features). Every docstring says the shapes it takes and returns.
* Simulation is written as pure step functions of ``(input, state, params)``; ``torch.nn.Module``
  classes are thin wrappers over them; plotting is kept apart from simulation.
* The device is picked automatically (CUDA, then Apple's MPS, then the CPU) by
  :func:`get_device`, and every function that allocates accepts an explicit ``device``.
* ``SNNLIB_QUICK=1`` in the environment makes notebooks shrink their workloads; notebooks ask
  :func:`quick_mode` or :func:`workload`, never the variable itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._core import QUICK_ENV, get_device, quick_mode, seed_everything, setup, versions, workload
from ._version import __version__

#: Submodules, imported lazily on first attribute access (``snl.neurons`` ...).
SUBMODULES = (
    "circuits",
    "claims",
    "coding_study",
    "data",
    "encoding",
    "engine",
    "exercises",
    "learning",
    "models",
    "neurons",
    "plot",
    "spikes",
    "surrogate",
    "synapses",
    "train",
    "widgets",
)

__all__ = [
    "QUICK_ENV",
    "__version__",
    "get_device",
    "quick_mode",
    "seed_everything",
    "setup",
    "versions",
    "workload",
    *SUBMODULES,
]


def __getattr__(name: str):
    if name in SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'snnlib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(SUBMODULES))


if TYPE_CHECKING:  # pragma: no cover - for editors and type checkers only
    from . import (  # noqa: F401
        circuits,
        coding_study,
        data,
        encoding,
        engine,
        exercises,
        learning,
        models,
        neurons,
        plot,
        spikes,
        surrogate,
        synapses,
        train,
        widgets,
    )
