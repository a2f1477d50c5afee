"""How explorers show themselves: live ipywidgets only where a notebook frontend can show them.

* ``"html"``: the self-contained, kernel-free HTML (``Explorer.html()``). It needs no kernel, no
  network and no widget state, so it is what the built book shows (the book build executes notebooks
  with no frontend attached: no live widget is created then, no widget state is saved and myst-nb
  adds no CDN widget scripts).
* ``"live"``: ipywidgets driving the Python ``compute``/``plot`` (Jupyter, Colab, VS Code), with the
  HTML as the fallback representation.

:func:`display_mode` chooses automatically; ``SNNLIB_WIDGETS=live`` or ``html`` (read through
:mod:`snnlib._env`) or :func:`set_display_mode` force one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

from .. import _checks, _env

__all__ = ["MODES", "MODE_ENV", "display_mode", "set_display_mode"]

#: The display modes, in the order ``SNNLIB_WIDGETS`` lists them.
MODES = ("live", "html")
#: The environment variable that forces a mode (declared in ``snnlib._env.VARIABLES``).
MODE_ENV = "SNNLIB_WIDGETS"

_MODE_OVERRIDE: Optional[str] = None
_BUILD_MARKERS = ("jupyter-book", "jupyter_book", "sphinx-build", "sphinx/cmd", "myst_nb", "nbconvert", "papermill")


def set_display_mode(mode: Optional[str]) -> None:
    """Force how explorers show themselves: ``"live"`` (ipywidgets), ``"html"`` (kernel-free) or ``None`` (auto)."""
    global _MODE_OVERRIDE
    if mode is not None:
        _checks.choice(mode, "mode", MODES)
    _MODE_OVERRIDE = mode


def _ancestor_cmdlines(depth: int = 4) -> List[str]:
    """Command lines of this process's parent, grandparent, ... (Linux ``/proc`` only; else ``[]``)."""
    out, pid = [], os.getppid()
    for _ in range(depth):
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if pid <= 1:
            break
    return out


def _building_book() -> bool:
    """True when a book build / batch executor (jupyter-book, sphinx, nbconvert, papermill) runs this kernel."""
    return any(marker in cmd for cmd in _ancestor_cmdlines() for marker in _BUILD_MARKERS)


def _frontend_attached() -> bool:
    """True in Colab, in a Jupyter server session or in VS Code (their own variables, not snnlib's)."""
    return "google.colab" in sys.modules or bool(os.environ.get("JPY_SESSION_NAME") or os.environ.get("VSCODE_PID"))


def display_mode() -> str:
    """``"live"`` where a notebook frontend shows ipywidgets, else ``"html"`` (the kernel-free explorer).

    Order: :func:`set_display_mode`, then ``$SNNLIB_WIDGETS`` (``live``/``html``; anything else is a
    ``ValueError``); a book build or a batch executor (no frontend attached) gives ``"html"``; Colab,
    a Jupyter server session (``$JPY_SESSION_NAME``) or VS Code give ``"live"``; anything else
    ``"html"`` (which is interactive too, in any frontend that runs the output's JavaScript).
    """
    if _MODE_OVERRIDE is not None:
        return _MODE_OVERRIDE
    forced = _env.option(MODE_ENV, MODES)
    if forced is not None:
        return forced
    if _building_book():
        return "html"
    return "live" if _frontend_attached() else "html"
