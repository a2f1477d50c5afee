r"""Compile a small C library once, cache it, and load only what this code built (verified by SHA-256).

Both C kernels of snnlib (the LIF engine's, :mod:`snnlib.engine.cpu`, and the Diehl & Cook
presentation of :mod:`snnlib.plasticity`) are built and loaded by :func:`load_library`:

* the cache is a private folder, ``$SNNLIB_CACHE/kernels`` (default ``~/.cache/snnlib/kernels``):
  created with mode 0700, it must be a real folder (not a link) owned by the user. A folder that
  others could write to is tightened to 0700 and emptied (anything in it may have been planted);
  one owned by someone else is not used (the library is built in a fresh private temporary folder
  for this process instead), with a warning;
* an entry is ``NAME_KEY-DIGEST.so`` and its record ``NAME_KEY.sha256``: ``KEY`` hashes the source,
  the flags and the CPU (the library is built with ``-march=native``), ``DIGEST`` is the SHA-256 of
  the library as the compiler wrote it. Both are written atomically (the library is renamed into
  place complete, then the record), so concurrent builders never expose half a file;
* before anything is loaded, the library file is opened (no symbolic link followed), its bytes are
  hashed and compared with the record: a truncated or garbage file, or a library planted under the
  entry's name, never reaches ``dlopen`` (its constructors never run). After loading, the caller's
  ``check(lib)`` runs a self-test (declares the signatures, runs a tiny known computation): a
  library of stubs that returns garbage fails it;
* a damaged entry (no record, a wrong digest, a failed self-test) is rebuilt, with a warning
  saying what was wrong; when building fails too, :class:`KernelUnavailable` says why, and the
  callers fall back to their PyTorch code. Nothing here can crash the process.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable, Optional, Sequence, Tuple

from .. import _checks, _env
from .._io import atomic_write_text

__all__ = ["KernelUnavailable", "cache_dir", "kernel_dir", "entry_paths", "load_library", "machine_id", "compiler"]

#: How long a compiler may run (seconds).
_COMPILE_TIMEOUT = 300


class KernelUnavailable(RuntimeError):
    """A C kernel cannot be built or loaded here; the message says why (the callers fall back to PyTorch)."""


def cache_dir() -> Path:
    """``$SNNLIB_CACHE`` or ``~/.cache/snnlib``: the folder that holds the private ``kernels`` folder."""
    return Path(os.path.abspath(_env.path("SNNLIB_CACHE") or Path.home() / ".cache" / "snnlib"))


def machine_id() -> str:
    """The machine and its instruction-set flags (the libraries are built with ``-march=native``)."""
    ident = os.uname().machine
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features", "model name")):
                ident += line
                break
    except OSError:
        pass
    return ident


def compiler() -> Optional[str]:
    """The C compiler used (``gcc``, ``cc`` or ``clang`` on the PATH), or ``None``."""
    return shutil.which("gcc") or shutil.which("cc") or shutil.which("clang")


def _warn(message: str) -> None:
    warnings.warn(f"snnlib: {message}", RuntimeWarning, stacklevel=4)


def _private(folder: Path) -> Tuple[bool, str]:
    """``(ok, why not)``: ``folder`` is a real folder, owned by this user, that nobody else can write."""
    st = os.lstat(folder)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        return False, f"{folder} is not a folder (a link or a file)"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False, f"{folder} is owned by user id {st.st_uid}, not by this user ({os.getuid()})"
    return True, ""


def kernel_dir() -> Path:
    """The private folder of compiled kernels (``cache_dir() / "kernels"``, mode 0700), made if needed.

    A folder that others may write to is tightened to 0700 and emptied (with a warning); a folder
    that is not this user's (or a link) is replaced, for this process, by a new private temporary
    folder (with a warning).
    """
    folder = cache_dir() / "kernels"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        ok, why = _private(folder)
        if not ok:
            raise PermissionError(why)
        mode = stat.S_IMODE(os.lstat(folder).st_mode)
        if mode & 0o077:
            os.chmod(folder, 0o700)
            removed = _empty(folder)
            _warn(
                f"the kernel cache {folder} was open to other users (mode {mode:04o}): set it to 0700 "
                f"and removed the {removed} file(s) in it, which may have been planted"
            )
        return folder
    except OSError as err:
        tmp = Path(tempfile.mkdtemp(prefix="snnlib-kernels-"))
        atexit.register(shutil.rmtree, tmp, True)
        _warn(f"the kernel cache {folder} cannot be used safely ({err}); building in {tmp} for this process")
        return tmp


def _empty(folder: Path) -> int:
    removed = 0
    for entry in folder.iterdir():
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _check_source(name, source, flags) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a library name such as 'lif_kernel' (an identifier), got {_checks.describe(name)}")
    if not isinstance(source, bytes):
        raise TypeError(f"source must be the C source as bytes, got {_checks.describe(source)}")
    if isinstance(flags, (str, bytes)) or not isinstance(flags, Sequence) or not all(isinstance(f, str) for f in flags):
        raise TypeError(f"flags must be a sequence of compiler options (strings), got {_checks.describe(flags)}")


def _key(name: str, source: bytes, flags: Sequence[str]) -> str:
    text = name.encode() + b"\0" + source + b"\0" + " ".join(flags).encode() + b"\0" + machine_id().encode()
    return hashlib.sha256(text).hexdigest()[:16]


def entry_paths(folder: Path, name: str, source: bytes, flags: Sequence[str]) -> Tuple[Path, str]:
    """``(record, stem)`` of a library's entry in ``folder``: the record file ``STEM.sha256`` holds the
    digest ``D`` of the library, which is ``STEM-D[:16].so``."""
    _check_source(name, source, flags)
    if not isinstance(folder, Path):
        raise TypeError(f"folder must be a pathlib.Path, got {_checks.describe(folder)}")
    stem = f"{name}_{_key(name, source, flags)}"
    return folder / f"{stem}.sha256", stem


def _library_path(folder: Path, stem: str, digest: str) -> Path:
    return folder / f"{stem}-{digest[:16]}.so"


def _read_record(record: Path) -> str:
    """The digest in ``record`` (64 hexadecimal digits); raises ``ValueError`` saying what is wrong."""
    try:
        fd = os.open(record, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise ValueError(f"no digest record {record.name}") from None
    with os.fdopen(fd, "rb") as fh:
        text = fh.read(200).decode("ascii", "replace").strip()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"the digest record {record.name} is damaged ({text[:20]!r}...)")
    return text


def _open_verified(path: Path, digest: str) -> int:
    """An open descriptor of ``path`` whose bytes hash to ``digest``; raises ``ValueError`` otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise ValueError(f"the library {path.name} is missing") from None
    except OSError as err:
        raise ValueError(f"the library {path.name} cannot be opened ({err})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{path.name} is not a regular file")
        h = hashlib.sha256()
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            h.update(chunk)
        if h.hexdigest() != digest:
            raise ValueError(
                f"the library {path.name} ({st.st_size} bytes) does not match its recorded SHA-256 "
                "(truncated, overwritten or planted)"
            )
        return fd
    except BaseException:
        os.close(fd)
        raise


def _compile(folder: Path, name: str, source: bytes, flags: Sequence[str], suffix: str) -> str:
    """Build the library into ``folder`` (atomically) and record its digest; returns the digest."""
    cc = compiler()
    if cc is None:
        raise KernelUnavailable("no C compiler found (gcc, cc or clang)")
    record, stem = entry_paths(folder, name, source, flags)
    for old in folder.glob(".build-*"):  # left by a build that was killed
        try:
            if time.time() - old.stat().st_mtime > 3600:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as tmp:
        src = Path(tmp) / f"{name}{suffix}"
        src.write_bytes(source)
        out = Path(tmp) / f"{stem}.so"
        try:
            res = subprocess.run([cc, *flags, str(src), "-o", str(out)], capture_output=True, text=True, timeout=_COMPILE_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise KernelUnavailable(f"{cc} could not run ({err})") from None
        if res.returncode != 0:
            raise KernelUnavailable(f"{cc} failed: {res.stderr.strip()[-500:]}")
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        os.chmod(out, 0o700)
        os.replace(out, _library_path(folder, stem, digest))  # complete before it has its name
    atomic_write_text(record, digest + "\n")
    return digest


def _load_entry(folder: Path, name: str, source: bytes, flags: Sequence[str], check) -> ctypes.CDLL:
    """Load the recorded, verified library of the entry and run ``check``; ``ValueError`` says what is wrong."""
    record, stem = entry_paths(folder, name, source, flags)
    digest = _read_record(record)
    path = _library_path(folder, stem, digest)
    fd = _open_verified(path, digest)
    try:  # by its name, not /proc/self/fd/N: the loader would take a reused N for a library it already has
        lib = ctypes.CDLL(str(path))
    except OSError as err:
        raise ValueError(f"the library {path.name} cannot be loaded ({err})") from None
    finally:
        os.close(fd)
    try:
        check(lib)
    except Exception as err:
        raise ValueError(f"the library {path.name} fails its self-test ({type(err).__name__}: {err})") from None
    return lib


def _remove_entry(folder: Path, stem: str) -> None:
    for entry in folder.glob(f"{stem}*"):
        with contextlib.suppress(OSError):
            entry.unlink()


def load_library(
    name: str,
    source: bytes,
    flags: Sequence[str],
    check: Callable[[ctypes.CDLL], None],
    suffix: str = ".c",
    folder: Optional[Path] = None,
) -> ctypes.CDLL:
    """The library compiled from ``source`` with ``flags``, from the verified cache (built if needed).

    ``check(lib)`` declares the signatures and runs a self-test; it raises on a bad library. A
    missing entry is built; a damaged one (see the module's description) is removed and rebuilt
    with a warning. Raises :class:`KernelUnavailable` when the platform, the compiler or the freshly
    built library fails.
    """
    _check_source(name, source, flags)
    if not callable(check):
        raise TypeError(f"check must be callable (check(lib) raises on a bad library), got {_checks.describe(check)}")
    if not sys.platform.startswith("linux") and sys.platform != "darwin":
        raise KernelUnavailable(f"the C kernels are built on Linux and macOS only, not on {sys.platform}")
    folder = kernel_dir() if folder is None else Path(folder)
    record, stem = entry_paths(folder, name, source, flags)
    if record.exists() or any(folder.glob(f"{stem}*.so")):
        try:
            return _load_entry(folder, name, source, flags, check)
        except ValueError as err:
            _warn(f"the cached kernel {stem} in {folder} is damaged: {err}; rebuilding it")
            _remove_entry(folder, stem)
    _compile(folder, name, source, flags, suffix)
    try:
        return _load_entry(folder, name, source, flags, check)
    except ValueError as err:
        _remove_entry(folder, stem)
        raise KernelUnavailable(f"the freshly built kernel {stem} is not usable: {err}") from None
