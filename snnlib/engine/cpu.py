r"""The ``"cpu"`` backend: a small C kernel (``lif_kernel.c``), compiled on first use, loaded with ctypes.

On a CPU each per-step PyTorch operation of a layer's recurrence streams a ``[B, H]`` slice through
memory, and the hand-written backward pass adds as many again: for the chapter's hidden layer,
about 750 small operations per training step. The C file runs the whole recurrence of one batch row,
block by block of neurons, while the block stays in the L1 cache:

* ``"lif_linear"`` (``snn_fwd``/``snn_bwd``): all ``T`` steps of the hidden layer and the next
  layer's synapses ``I_2[t] = b + W S[t]`` in the same pass, returning ``I_2`` ``[T, B, C]`` and the
  spike counts ``[T, B]``; the spikes are never written to memory. The backward pass recomputes the
  membranes of a row from ``I`` (only ``I`` and ``W`` are saved), then runs the reverse recurrence
  and accumulates ``dL/dW`` and ``dL/dI`` in the same pass. ``I_2`` is summed in another order than
  PyTorch's matrix product (float rounding, ~1e-7 relative in float32).
* ``"lif"`` (``snn_lif_fwd``/``snn_lif_bwd``): one LIF layer, spikes and membranes ``[T, B, ...]``.

The membrane update uses the same operations in the same order as :func:`snnlib.neurons.lif_step`
(compiled with ``-ffp-contract=off``), so the spikes are bit-identical. Batch rows (or neurons) are
split over Python threads when torch has more than one (ctypes releases the GIL).

What it runs: every reset; the surrogates of :data:`SURROGATES` (their derivative is passed to C
as an id and two constants); float ``beta`` and ``threshold``; no refractory period; float32 or
float64 on the CPU; static or time-varying current. The library is cached in ``$SNNLIB_CACHE``
(default ``~/.cache/snnlib``) under a hash of the source, the flags and the CPU, written atomically.
``SNNLIB_CPU_KERNEL=0`` switches it off (so does setting :data:`ENABLED` to ``False``); so does a
missing compiler (one warning), and ``backend="auto"`` then picks the fused PyTorch backend.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import torch

from .. import _env
from .spec import Backend, Call, Support

__all__ = [
    "ENABLED",
    "SOURCE",
    "SURROGATES",
    "RESET_IDS",
    "load",
    "unavailable",
    "lif_fwd",
    "lif_bwd",
    "fwd",
    "bwd",
    "run",
    "run_linear",
    "BACKEND",
]

#: Use the kernel when it can be compiled (``SNNLIB_CPU_KERNEL=0`` in the environment turns it off).
ENABLED = _env.flag("SNNLIB_CPU_KERNEL", True)

#: The C source, shipped as package data.
SOURCE = Path(__file__).with_name("lif_kernel.c")

#: Reset mode -> the id ``lif_kernel.c`` uses.
RESET_IDS = {"subtract": 0, "zero": 1, "none": 2}

#: Surrogate name -> ``sharpness -> (id, c0, c1)``: the derivative's id and constants in ``lif_kernel.c``.
SURROGATES: Dict[str, Callable[[float], Tuple[int, float, float]]] = {
    "arctan": lambda k: (0, 2 / k, (math.pi / 2 * k) ** 2 / (k / 2)),  # 1 / (2/k + c1 u^2)
    "fast_sigmoid": lambda k: (1, k, 0.0),
    "triangle": lambda k: (2, k, 0.0),
    "straight_through": lambda k: (3, k, 0.0),
    "none": lambda k: (4, 0.0, 0.0),
}

_ABI = 2
_FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fno-trapping-math", "-fPIC", "-shared"]

_lib: Optional[ctypes.CDLL] = None
_tried = False
_error: Optional[str] = None


def _cache_dir() -> Path:
    return _env.path("SNNLIB_CACHE") or Path.home() / ".cache" / "snnlib"


def _compile(out: Path) -> None:
    cc = shutil.which("gcc") or shutil.which("cc") or shutil.which("clang")
    if cc is None:
        raise RuntimeError("no C compiler found (gcc, cc or clang)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        so_tmp = Path(tmp) / out.name
        res = subprocess.run([cc, *_FLAGS, str(SOURCE), "-o", str(so_tmp)], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"{cc} failed: {res.stderr.strip()[-500:]}")
        os.replace(so_tmp, out)  # atomic: a half-written library is never loaded


def _cpu_id() -> str:
    """The machine and its instruction-set flags (the library is built with ``-march=native``)."""
    ident = os.uname().machine
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features", "model name")):
                ident += line
    except OSError:
        pass
    return ident


def _declare(lib: ctypes.CDLL) -> None:
    p, lg, i = ctypes.c_void_p, ctypes.c_long, ctypes.c_int
    if lib.snn_abi_version() != _ABI:
        raise RuntimeError(f"the cached library has ABI {lib.snn_abi_version()}, expected {_ABI}")
    for sfx, real in (("f", ctypes.c_float), ("d", ctypes.c_double)):
        getattr(lib, f"snn_fwd_{sfx}").argtypes = [p, p, p, p, p, p, lg, lg, lg, lg, lg, real, real, i, lg, lg]
        getattr(lib, f"snn_bwd_{sfx}").argtypes = [p, p, p, p, p, p, lg, lg, lg, lg, lg, real, real, i, i, real, real, lg, lg]
        getattr(lib, f"snn_lif_fwd_{sfx}").argtypes = [p, p, p, lg, lg, lg, real, real, i, lg, lg]
        getattr(lib, f"snn_lif_bwd_{sfx}").argtypes = [p, p, p, p, lg, lg, real, real, i, i, real, real, lg, lg]


def load() -> Optional[ctypes.CDLL]:
    """The compiled kernel library (compiled on first use, then cached), or ``None`` if unavailable."""
    global _lib, _tried, _error
    if _tried:
        return _lib
    _tried = True
    if not sys.platform.startswith("linux") and sys.platform != "darwin":
        _error = f"the C kernel is built on Linux and macOS only, not on {sys.platform}"
        return None
    try:
        key = hashlib.sha256(SOURCE.read_bytes() + " ".join(_FLAGS).encode() + _cpu_id().encode()).hexdigest()[:16]
        path = _cache_dir() / f"lif_kernel_{key}.so"
        if not path.exists():
            _compile(path)
        lib = ctypes.CDLL(str(path))
        _declare(lib)
        _lib = lib
    except Exception as err:  # any failure: the other backends run instead
        _error = f"the C kernel could not be built or loaded ({type(err).__name__}: {err})"
        warnings.warn(
            f"snnlib: the fused CPU kernel is unavailable ({type(err).__name__}: {err}); "
            "using the PyTorch implementation (same results, slower)",
            stacklevel=4,
        )
        _lib = None
    return _lib


def unavailable() -> Optional[str]:
    """Why the kernel cannot run here (switched off, no compiler ...), or ``None`` when it can (compiles it)."""
    if not ENABLED:
        return "the C kernel is switched off (SNNLIB_CPU_KERNEL=0 or snnlib.engine.cpu.ENABLED = False)"
    if load() is None:
        return _error
    return None


_pool = None


def _split(n: int, grain: int):
    """Index ranges for the worker threads (ctypes releases the GIL, so the calls run in parallel)."""
    nt = max(1, min(torch.get_num_threads(), n // grain or 1))
    step = max(1, -(-n // nt))
    return [(i0, min(n, i0 + step)) for i0 in range(0, n, step)]


def _run(calls):
    global _pool
    if len(calls) <= 1:
        for call in calls:
            call()
        return
    if _pool is None or _pool._max_workers < len(calls):
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="snnlib-kernel")
    for f in [_pool.submit(c) for c in calls]:
        f.result()


def _fn(name: str, dtype: torch.dtype):
    return getattr(_lib, f"{name}_{'f' if dtype == torch.float32 else 'd'}")


def _ptr(x: Optional[torch.Tensor]):
    return None if x is None else x.data_ptr()


def lif_fwd(cur: torch.Tensor, num_steps: int, beta: float, thr: float, reset: str, static: bool):
    """A LIF layer driven by ``cur`` ``[T, ...]`` (or ``[...]`` when ``static``): ``(spk, mem)``, each ``[T, ...]``."""
    cur = cur.contiguous()
    shape = (num_steps, *tuple(cur.shape if static else cur.shape[1:]))
    spk = torch.empty(shape, dtype=cur.dtype)
    mem = torch.empty(shape, dtype=cur.dtype)
    n = spk[0].numel()
    fn = _fn("snn_lif_fwd", cur.dtype)
    _run(
        [
            lambda n0=n0, n1=n1: fn(
                cur.data_ptr(),
                spk.data_ptr(),
                mem.data_ptr(),
                num_steps,
                n,
                0 if static else n,
                beta,
                thr,
                RESET_IDS[reset],
                n0,
                n1,
            )
            for n0, n1 in _split(n, 16384)
        ]
    )
    return spk, mem


def lif_bwd(
    mem: torch.Tensor,
    g_spk: Optional[torch.Tensor],
    g_mem: Optional[torch.Tensor],
    beta: float,
    thr: float,
    reset: str,
    surrogate: Tuple[int, float, float],
) -> torch.Tensor:
    """``dL/dI`` ``[T, ...]`` of :func:`lif_fwd` from ``dL/dS`` and ``dL/dU`` (either may be ``None``)."""
    g_spk = g_spk.contiguous() if g_spk is not None else None
    g_mem = g_mem.contiguous() if g_mem is not None else None
    gcur = torch.empty_like(mem)
    T, n = mem.shape[0], mem[0].numel()
    fn = _fn("snn_lif_bwd", mem.dtype)
    _run(
        [
            lambda n0=n0, n1=n1: fn(
                mem.data_ptr(), _ptr(g_spk), _ptr(g_mem), gcur.data_ptr(), T, n, beta, thr, RESET_IDS[reset], *surrogate, n0, n1
            )
            for n0, n1 in _split(n, 16384)
        ]
    )
    return gcur


def fwd(cur: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor, num_steps: int, beta: float, thr: float, reset: str, static: bool):
    """A LIF layer and the next synapses: ``I`` ``[B, H]`` (static) or ``[T, B, H]``, ``W`` ``[C, H]``,
    ``b`` ``[C]`` -> ``(I_2 [T, B, C], spike counts [T, B])``."""
    cur, w2, b2 = cur.contiguous(), w2.contiguous(), b2.contiguous()
    B, H = cur.shape[-2:]
    C, T = w2.shape[0], num_steps
    mem = torch.empty((B, H), dtype=cur.dtype)
    cur2 = torch.empty((T, B, C), dtype=cur.dtype)
    counts = torch.empty((T, B), dtype=cur.dtype)
    fn = _fn("snn_fwd", cur.dtype)
    args = [cur.data_ptr(), w2.data_ptr(), b2.data_ptr(), mem.data_ptr(), cur2.data_ptr(), counts.data_ptr()]
    cstride = 0 if static else B * H
    _run([lambda b0=b0, b1=b1: fn(*args, T, B, H, C, cstride, beta, thr, RESET_IDS[reset], b0, b1) for b0, b1 in _split(B, 16)])
    return cur2, counts


def bwd(
    cur: torch.Tensor,
    g2: torch.Tensor,
    w2: torch.Tensor,
    num_steps: int,
    beta: float,
    thr: float,
    reset: str,
    surrogate: Tuple[int, float, float],
    static: bool,
):
    """Gradients ``(dL/dI, dL/dW [C, H])`` of :func:`fwd` from ``dL/dI_2`` ``[T, B, C]``; ``dL/dI`` has ``I``'s shape."""
    B, H = cur.shape[-2:]
    C, T = w2.shape[0], num_steps
    cur, g2, w2 = cur.contiguous(), g2.contiguous(), w2.contiguous()
    parts = _split(B, 16)
    gcur = torch.empty_like(cur)
    gw2 = torch.zeros((len(parts), C, H), dtype=cur.dtype)
    work = torch.empty((len(parts), (T + 1) * H), dtype=cur.dtype)
    fn = _fn("snn_bwd", cur.dtype)
    cstride = 0 if static else B * H
    _run(
        [
            lambda i=i, b0=b0, b1=b1: fn(
                cur.data_ptr(),
                g2.data_ptr(),
                w2.data_ptr(),
                gcur.data_ptr(),
                gw2[i].data_ptr(),
                work[i].data_ptr(),
                T,
                B,
                H,
                C,
                cstride,
                beta,
                thr,
                RESET_IDS[reset],
                *surrogate,
                b0,
                b1,
            )
            for i, (b0, b1) in enumerate(parts)
        ]
    )
    return gcur, gw2.sum(0) if len(parts) > 1 else gw2[0]


def _surrogate_args(call: Call) -> Tuple[int, float, float]:
    return SURROGATES[call.surrogate.name](float(call.surrogate.sharpness))


class _LIF(torch.autograd.Function):
    @staticmethod
    def forward(ctx, cur, num_steps, beta, thr, reset, surrogate, static):
        ctx.set_materialize_grads(False)
        spk, mem = lif_fwd(cur.detach(), num_steps, beta, thr, reset, static)
        ctx.save_for_backward(mem)
        ctx.args = (beta, thr, reset, surrogate, static)
        return spk, mem

    @staticmethod
    def backward(ctx, g_spk, g_mem):
        if g_spk is None and g_mem is None:
            return (None,) * 7
        (mem,) = ctx.saved_tensors
        beta, thr, reset, surrogate, static = ctx.args
        g_cur = lif_bwd(mem, g_spk, g_mem, beta, thr, reset, surrogate)
        return (g_cur.sum(0) if static else g_cur), None, None, None, None, None, None


class _LIFLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, cur, w2, b2, num_steps, beta, thr, reset, surrogate, static):
        ctx.set_materialize_grads(False)
        cur, w2 = cur.detach(), w2.detach()
        cur2, counts = fwd(cur, w2, b2.detach(), num_steps, beta, thr, reset, static)
        ctx.save_for_backward(cur, w2)  # the backward pass recomputes the membranes
        ctx.args = (num_steps, beta, thr, reset, surrogate, static)
        ctx.mark_non_differentiable(counts)
        return cur2, counts

    @staticmethod
    def backward(ctx, g_cur2, _g_counts):
        if g_cur2 is None:
            return (None,) * 9
        cur, w2 = ctx.saved_tensors
        g_cur, g_w2 = bwd(cur, g_cur2, w2, *ctx.args)
        return g_cur, g_w2, g_cur2.sum((0, 1)), None, None, None, None, None, None


def run(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif"``: ``(spk_rec, mem_rec)``, each ``[T, B, ...]``."""
    return _LIF.apply(
        call.cur, call.num_steps, float(call.beta), float(call.threshold), call.reset, _surrogate_args(call), call.static
    )


def run_linear(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif_linear"``: ``(cur_out [T, B, C], spike_count [T, B])``."""
    return _LIFLinear.apply(
        call.cur,
        call.weight,
        call.bias,
        call.num_steps,
        float(call.beta),
        float(call.threshold),
        call.reset,
        _surrogate_args(call),
        call.static,
    )


_SUPPORT = dict(
    surrogates=tuple(SURROGATES), beta=("float",), threshold=("float",), devices=("cpu",), dtypes=(torch.float32, torch.float64)
)

BACKEND = Backend(
    name="cpu",
    summary="a C kernel compiled on first use: whole recurrence of a batch row in cache (CPU, float parameters)",
    ops={"lif": Support(run, **_SUPPORT), "lif_linear": Support(run_linear, **_SUPPORT)},
    unavailable=unavailable,
)
