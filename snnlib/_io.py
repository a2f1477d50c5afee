"""Files written atomically (layer 0: imports nothing from snnlib above it).

A file is written under a temporary name in the destination's folder, flushed and ``fsync``-ed,
then renamed over the destination with :func:`os.replace`: a reader sees either the old file or
the new one, never half of one. On any failure (an exception, a full disk) the temporary file is
removed; temporaries left by a killed process (``.NAME.*.tmp``) are removed by :func:`clean_stale`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
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
    "check_writable",
    "free_bytes",
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


#: errno -> what it means for a file being written (the message of :func:`_explain`).
_WRITE_ERRORS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the folder is on a read-only file system",
    errno.EACCES: "the folder is not writable (permission denied)",
    errno.EPERM: "the folder is not writable (operation not permitted)",
}


def free_bytes(folder: PathLike) -> int:
    """Free bytes on the file system of ``folder`` (of its nearest existing parent); -1 if unknown."""
    folder = Path(folder)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return -1


def _explain(err: OSError, path: Path, what: str) -> OSError:
    """``err`` as an :class:`OSError` of the same errno whose message says what failed and what is left."""
    reason = _WRITE_ERRORS.get(err.errno)
    if reason is None:
        return err
    free = free_bytes(path.parent)
    room = f" ({free / 1e6:.1f} MB free there)" if free >= 0 and err.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return OSError(err.errno, f"cannot write {path}: {reason}{room}; {what}")


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], Any]) -> Path:
    """Call ``write(fh)`` on a binary temporary file, then move it to ``path`` in one rename.

    Creates the parent folder if needed. The file keeps the permissions of the one it replaces (a
    new file gets what ``open()`` would give it). Returns the destination as a :class:`pathlib.Path`.
    A full disk, an exceeded quota or a read-only folder is an :class:`OSError` (of that errno) whose
    message says so; the previous file at ``path`` is then unchanged and no temporary remains.
    """
    path = Path(path)
    kept = f"the previous {path.name} is unchanged" if path.exists() else f"{path.name} was not written"
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=TEMP_SUFFIX)
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(err, OSError) and err.errno in _WRITE_ERRORS:
            raise _explain(err, path, kept) from err
        raise
    return path


def check_writable(path: PathLike, need_bytes: int = 0, what: str = "file") -> Path:
    """Check, before a long run, that ``path`` can be written later: its folder exists or can be made,
    a file can be created there, and at least ``need_bytes`` bytes are free. Returns ``path``.

    Creates the parent folder (as the write would) and a probe temporary file that it removes.
    Raises :class:`IsADirectoryError` when ``path`` is a folder, and an :class:`OSError` whose
    message names ``what``, the path and the reason (read-only, permission denied, too little space).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"the {what} {path} is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=TEMP_SUFFIX)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        if err.errno in (errno.EEXIST, errno.ENOTDIR):
            raise NotADirectoryError(
                errno.ENOTDIR, f"the {what} {path} cannot be written: a part of its folder is a file"
            ) from None
        raise _explain(err, path, f"choose another place for the {what}") from None
    free = free_bytes(path.parent)
    if 0 <= free < need_bytes:
        raise OSError(
            errno.ENOSPC,
            f"cannot write the {what} {path}: it needs about {need_bytes / 1e6:.1f} MB, only "
            f"{free / 1e6:.1f} MB are free there; free some space or choose another place",
        )
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
