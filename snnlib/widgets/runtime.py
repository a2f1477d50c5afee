"""The kernel-free explorers' JavaScript runtime, bundled from ``snnlib/js/``, and its Python mirrors.

Every kernel-free explorer inlines :func:`js_source`: the book's colours (``SNNPalette``, from
:data:`snnlib.plot.palette.BROWSER`), then ``models.js`` (the models, the same equations as snnlib),
``plot.js`` (SVG plotting) and ``explorer.js`` (the views and the controls' wiring). :func:`script_json`
writes data that is safe inside a ``<script>`` element. :func:`mulberry32` and ``_linspace``
compute exactly what ``models.js`` computes, operation for operation; :func:`js_round` and
:func:`js_fmt` round and print numbers exactly as ``explorer.js`` does, so that the live explorers'
read-outs and notes are character for character the page's (``tests/test_widgets.py`` checks it).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .. import _checks
from ..plot.palette import BROWSER

__all__ = ["JS_DIR", "JS_FILES", "js_source", "script_json", "mulberry32", "js_round", "js_fmt", "js_number", "extent"]

#: The folder of the JavaScript (package data of snnlib).
JS_DIR = Path(__file__).resolve().parent.parent / "js"
#: The JavaScript files inlined into every kernel-free explorer, in load order.
JS_FILES = ("models.js", "plot.js", "explorer.js")


@cache
def _read_js(name: str) -> str:
    """The text of ``snnlib/js/<name>`` (read once)."""
    return (JS_DIR / name).read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """``obj`` as JSON that is safe inside a ``<script>`` element: no ``</`` can close it, no ``<!--`` open a comment."""
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


def js_source() -> str:
    """The JavaScript runtime inlined into every kernel-free explorer (palette, models, plotting, views)."""
    palette = f"var SNNPalette = {script_json(BROWSER)};"
    return "\n".join([palette] + [_read_js(name) for name in JS_FILES])


def mulberry32(seed: int, n: int) -> np.ndarray:
    """``n`` uniform numbers in [0, 1) from the mulberry32 generator (the same stream as the JavaScript's), ``[n]``."""
    seed = _checks.integer(seed, "seed")
    n = _checks.integer(n, "n", 0)
    m = 0xFFFFFFFF

    def imul(a: int, b: int) -> int:
        return (a * b) & m

    a = seed & m
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        a = (a + 0x6D2B79F5) & m
        t = imul(a ^ (a >> 15), a | 1)
        t = ((t + imul(t ^ (t >> 7), t | 61)) & m) ^ t
        out[i] = ((t ^ (t >> 14)) & m) / 4294967296
    return out


def _linspace(lo: float, hi: float, n: int) -> np.ndarray:
    """``lo + (hi - lo) * i / (n - 1)`` for ``i = 0..n-1`` (``[n]``, ``n >= 2``), operation for operation as the JavaScript."""
    lo = _checks.real(lo, "lo")
    hi = _checks.real(hi, "hi")
    n = _checks.integer(n, "n", 2)
    return np.array([lo + (hi - lo) * i / (n - 1) for i in range(n)], dtype=np.float64)


def js_round(x: float, digits: int = 0) -> float:
    """``Math.round(x * 10**digits) / 10**digits`` as JavaScript computes it (halves round up, not to even).

    ``x`` a finite real number, ``digits`` an integer (negative: tens, hundreds...).
    """
    x = _checks.real(x, "x")
    digits = _checks.integer(digits, "digits")
    scale = 10.0**digits
    return math.floor(x * scale + 0.5) / scale if digits else float(math.floor(x + 0.5))


def js_number(x: float) -> str:
    """JavaScript's ``String(x)`` for a finite double of magnitude in [1e-6, 1e21) (or 0)."""
    x = _checks.real(x, "x")
    if x == 0:
        return "0"
    if x == math.floor(x) and abs(x) < 1e21:
        return str(int(x))
    text = repr(x)  # the shortest round-trip digits, as JavaScript's
    if "e" in text:  # Python writes 1e-05 from 1e-4 down; JavaScript only below 1e-6
        return format(x, "f").rstrip("0")
    return text


def js_fmt(v: float) -> str:
    """``SNNPlot.fmt(v)`` of ``snnlib/js/plot.js``: how the page prints a number (ticks, read-outs, notes);
    ``v`` a finite real number."""
    v = _checks.real(v, "v")
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e4 or a < 1e-3:
        mantissa, exponent = f"{v:.1e}".split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return js_number(js_round(v, 6))


def extent(arrays, pad: float = 0.05) -> tuple:
    """``SNNPlot.extent``: the ``(lo, hi)`` range of every finite number in ``arrays``, widened by ``pad`` of it.

    ``arrays`` is a list or tuple of arrays (or tensors, or lists) of numbers of any shape; NaN and
    inf in them are skipped, as the JavaScript skips them. ``pad`` is a finite real number.
    """
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"arrays must be a list or tuple of arrays of numbers, got {_checks.describe(arrays)}")
    pad = _checks.real(pad, "pad")
    finite = []
    for i, a in enumerate(arrays):
        if isinstance(a, (str, bytes)):
            raise TypeError(f"arrays[{i}] must be an array of numbers, got {_checks.describe(a)}")
        try:
            finite.append(np.asarray(a, dtype=np.float64).reshape(-1))
        except (TypeError, ValueError) as err:
            raise TypeError(f"arrays[{i}] must be an array of numbers, got {_checks.describe(a)}") from err
    values = np.concatenate(finite) if finite else np.zeros(0)
    values = values[np.isfinite(values)]
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, lo + 0.5
    p = (hi - lo) * pad
    return lo - p, hi + p
