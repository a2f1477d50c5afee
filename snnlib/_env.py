"""Environment variables read by snnlib, parsed one way (layer 0: imports nothing from snnlib).

Every variable the library reads is declared in :data:`VARIABLES` with what it means; modules
call :func:`flag`, :func:`text` or :func:`path`, never ``os.environ`` themselves. A boolean flag
accepts ``1/true/yes/on`` and ``0/false/no/off`` (any case, blank = the default); anything else is
an error that names the variable, so a typo never silently means "off".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, Optional

__all__ = ["VARIABLES", "TRUE", "FALSE", "flag", "text", "option", "path"]

#: Every environment variable snnlib reads, with its meaning (the README's table is checked against it).
VARIABLES: Dict[str, str] = {
    "SNNLIB_QUICK": "1 shrinks every notebook's workload (the book's build and the tests set it)",
    "SNNLIB_DEVICE": "overrides the automatic device choice: cpu, cuda, cuda:N or mps",
    "SNNLIB_CPU_KERNEL": "0 disables the compiled CPU kernel of the LIF engine (the fused PyTorch code runs)",
    "SNNLIB_CACHE": "folder for compiled kernels (default ~/.cache/snnlib)",
    "SNNLIB_DATA": "folder that holds full MNIST / Fashion-MNIST (searched first)",
    "SNNLIB_DOWNLOAD": "0 forbids downloading a data set",
    "SNNLIB_WIDGETS": "explorer display: live (ipywidgets) or html (kernel-free)",
}

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def _raw(name: str) -> str:
    if name not in VARIABLES:  # pragma: no cover - programming error
        raise KeyError(f"{name} is not declared in snnlib._env.VARIABLES")
    return os.environ.get(name, "").strip()


def flag(name: str, default: bool) -> bool:
    """The boolean value of environment variable ``name`` (``default`` when unset or blank)."""
    value = _raw(name).lower()
    if value == "":
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{name}={value!r} is not understood: expected {'/'.join(TRUE)} or {'/'.join(FALSE)}")


def text(name: str) -> Optional[str]:
    """The stripped text of ``name``, or ``None`` when it is unset or blank."""
    return _raw(name) or None


def option(name: str, options: Iterable[str], default: Optional[str] = None) -> Optional[str]:
    """The value of ``name`` (lower case) when it is one of ``options``; ``default`` when unset."""
    options = tuple(options)
    value = _raw(name).lower()
    if value == "":
        return default
    if value not in options:
        raise ValueError(f"{name}={value!r} is not understood: expected one of {', '.join(options)}")
    return value


def path(name: str) -> Optional[Path]:
    """``name`` as a :class:`pathlib.Path` (``~`` expanded), or ``None`` when unset or blank."""
    value = _raw(name)
    return Path(value).expanduser() if value else None
