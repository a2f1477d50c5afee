"""Precomputed frames: explorers whose model is random or large ship snnlib's results inline.

Such an explorer's page holds ``pack(explorer.update(**values))`` for every grid point of its controls
(:func:`frame_grid`), under the key :func:`frame_key` (each control's grid index, joined by ``"|"``:
``snnlib/js/explorer.js`` builds the same key), zlib-compressed and base64-encoded
(:func:`pack_frames`); the page inflates it with the browser's ``DecompressionStream``.
"""

from __future__ import annotations

import base64
import itertools
import json
import zlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from .. import _checks
from .controls import Slider
from .explorer import Explorer

__all__ = ["frame_grid", "frame_key", "pack_frames", "unpack_frames", "sparse_spikes", "cached"]


def _explorer(explorer: Any) -> Explorer:
    if not isinstance(explorer, Explorer):
        raise TypeError(f"explorer must be an Explorer, got {_checks.describe(explorer)}")
    return explorer


def frame_grid(explorer: Explorer) -> List[Tuple[Any, ...]]:
    """Every combination of the explorer's control values (slider grid points, drop-down options)."""
    axes = []
    for c in _explorer(explorer).controls:
        if isinstance(c, Slider):
            n = round((c.max - c.min) / c.step)
            vals = [c.min + i * c.step for i in range(n + 1)]
            axes.append([round(v) if c.integer else round(float(v), 10) for v in vals])
        else:
            axes.append(list(c.options))
    return list(itertools.product(*axes))


def frame_key(explorer: Explorer, values: Mapping[str, Any]) -> str:
    """The frame's key: each control's index in its grid, joined by ``"|"`` (the JavaScript builds the same).

    ``values`` maps every control's name to a value of its grid (as :func:`frame_grid` lists them).
    """
    controls = _explorer(explorer).controls
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a mapping control name -> value, got {_checks.describe(values)}")
    missing = [c.name for c in controls if c.name not in values]
    if missing:
        raise ValueError(f"values must give every control of explorer {explorer.name!r}; missing {missing}")
    parts = []
    for c in controls:
        v = c.check(values[c.name])
        if isinstance(c, Slider):
            parts.append(str(round((v - c.min) / c.step)))
        else:
            parts.append(str(list(c.options).index(v)))
    return "|".join(parts)


def pack_frames(
    explorer: Explorer, pack: Callable[[Dict[str, Any]], Dict[str, Any]], extra: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """Compute ``pack(explorer.update(**values))`` at every grid point; return ``{"zlib": base64}`` for the page.

    Each frame also carries the explorer's text at that point, from its one definition: ``_readout``
    (``Explorer.readout_for``), ``_notes`` (``Explorer.notes_for``) and ``_inactive``
    (``Explorer.inactive_for``), which the page shows as they are. The JSON
    ``{"frames": {key: packed}, **extra}`` is zlib-compressed and base64-encoded; the page inflates
    it with the browser's ``DecompressionStream`` (no library, no network).
    """
    _explorer(explorer)
    if not callable(pack):
        raise TypeError(f"pack must be callable (data -> JSON-able dict), got {_checks.describe(pack)}")
    if extra is not None and not isinstance(extra, Mapping):
        raise TypeError(f"extra must be a mapping or None, got {_checks.describe(extra)}")
    if extra is not None and "frames" in extra:
        raise ValueError("extra must not have a 'frames' entry: that is where the frames go")
    names = [c.name for c in explorer.controls]
    frames = {}
    for combo in frame_grid(explorer):
        values = explorer.values(**dict(zip(names, combo)))
        data = explorer.update(**values)
        packed = dict(pack(data))
        packed.update(
            _readout=explorer.readout_for(data, values),
            _notes=explorer.notes_for(values),
            _inactive=explorer.inactive_for(values),
        )
        frames[frame_key(explorer, values)] = packed
    blob = json.dumps({"frames": frames, **(extra or {})}, separators=(",", ":")).encode()
    return {"zlib": base64.b64encode(zlib.compress(blob, 9)).decode("ascii")}


def unpack_frames(static: Mapping[str, Any]) -> Dict[str, Any]:
    """The inverse of :func:`pack_frames` (for tests)."""
    if not isinstance(static, Mapping) or not isinstance(static.get("zlib"), str):
        raise TypeError(f"static must be pack_frames' result {{'zlib': base64 text}}, got {_checks.describe(static)}")
    return json.loads(zlib.decompress(base64.b64decode(static["zlib"])))


def sparse_spikes(spikes: np.ndarray) -> Dict[str, Any]:
    """A spike record ``[T, N]`` (values -1/0/1) as the gaps between flat indices ``n * T + t`` (neuron-major)
    of its on and off spikes (small numbers that compress well; the page sums them back)."""
    spikes = np.asarray(spikes)
    if spikes.ndim != 2:
        raise ValueError(f"spikes must be a record [T, N] (time first), got shape {spikes.shape}")
    if spikes.dtype.kind not in "biuf" or not np.isin(spikes, (-1, 0, 1)).all():
        raise ValueError(f"spikes must hold -1, 0 or 1 (a spike record [T, N]), got dtype {spikes.dtype}")
    T, N = spikes.shape
    flat = spikes.T.reshape(-1)

    def gaps(idx):
        return np.diff(idx, prepend=0).tolist()

    return {"T": int(T), "N": int(N), "on": gaps(np.flatnonzero(flat > 0)), "off": gaps(np.flatnonzero(flat < 0))}


def cached(fn: Callable[[], Dict[str, Any]]) -> Callable[[], Dict[str, Any]]:
    """``fn`` computed once, on the first call (an explorer's ``static_data``)."""
    cache: Dict[str, Any] = {}

    def wrapper():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    return wrapper
