"""Files written atomically (layer 0: imports nothing from snnlib above it).

A file is written under a temporary name in the destination's folder, flushed and ``fsync``-ed,
then renamed over the destination with :func:`os.replace`: a reader sees either the old file or
the new one, never half of one. On any failure (an exception, a full disk) the temporary file is
removed; temporaries left by a killed process (``.NAME.*.tmp``) are removed by :func:`clean_stale`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import IO, Any, Callable, Union

__all__ = [
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "clean_stale",
    "json_default",
    "TEMP_SUFFIX",
]

PathLike = Union[str, "os.PathLike[str]"]
TEMP_SUFFIX = ".tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _mode_for(path: Path) -> int:
    """The permissions the new file gets: the old file's, or what ``open()`` would give (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], Any]) -> Path:
    """Call ``write(fh)`` on a binary temporary file, then move it to ``path`` in one rename.

    Creates the parent folder if needed. The file keeps the permissions of the one it replaces (a
    new file gets what ``open()`` would give it). Returns the destination as a :class:`pathlib.Path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=TEMP_SUFFIX)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode(encoding))


def json_default(obj: Any) -> Any:
    """JSON for the values snnlib records hold: NumPy scalars, paths, devices, tensors of one element."""
    import numpy as np
    import torch

    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, torch.Tensor) and obj.numel() == 1:
        return obj.item()
    if isinstance(obj, (Path, torch.device, torch.dtype)):
        return str(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def atomic_write_json(path: PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON (and a final newline) to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, default=json_default) + "\n")


def clean_stale(path: PathLike, older_than_s: float = 0.0) -> int:
    """Remove temporaries of ``path`` (``.NAME.*.tmp`` beside it) left by killed writers.

    Only files older than ``older_than_s`` seconds are removed, so a concurrent writer's live
    temporary survives when a margin is given. Returns how many were removed.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return 0
    removed = 0
    now = time.time()
    for cand in path.parent.glob(_temp_prefix(path) + "*" + TEMP_SUFFIX):
        try:
            if now - cand.stat().st_mtime >= older_than_s:
                cand.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed
