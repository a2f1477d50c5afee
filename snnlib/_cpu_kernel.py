r"""A fused C kernel for the hidden layer of :class:`snnlib.models.SpikingMLP` on the CPU (optional).

On a CPU, each per-step PyTorch operation of the hidden layer's 25-step recurrence streams a
``[B, H]`` slice through memory, and the hand-written backward pass adds as many again: about 750
small operations per training step, most of the time of the fast path. This module compiles (once,
with the system's C compiler, in about a second) a small C file that runs the whole recurrence of one
batch row, block by block of neurons, while the block stays in the L1 cache:

* ``fwd``: all ``T`` steps of ``U[t] = beta U[t-1] + I - S[t-1] thr``, ``S[t] = H(U[t] - thr)`` and the
  output synapses ``I_2[t] = b_2 + W_2 S[t]`` in the same pass, returning ``I_2`` ``[T, B, C]`` and the
  hidden spike counts ``[T, B]``; the spikes are never written to memory. The membrane update uses
  the same operations in the same order as the per-step loop (compiled with ``-ffp-contract=off``),
  so the hidden spikes are bit-identical; ``I_2`` is summed in another order than PyTorch's matrix
  product (differences of float rounding, ~1e-7 relative in float32).
* ``bwd``: recomputes the membranes of a row from ``I`` (only ``I`` and ``W_2`` are saved), then runs
  the reverse recurrence ``G[t] = (dL/dI_2[t] W_2) sg(U[t] - thr) + beta G[t+1]`` and accumulates
  ``dL/dW_2 += dL/dI_2[t]^T S[t]`` and ``dL/dI = sum_t G[t]`` in the same pass.

With more than one torch thread, batch rows are split over Python threads (ctypes releases the
GIL). The kernel covers the chapter's configuration: a static input current, subtractive reset, one
float ``beta`` and ``threshold``, float32 or float64 on the CPU. Anything else, a missing compiler,
or any error while compiling or loading uses the eager PyTorch implementation instead (with one
warning when compiling fails): same results to float rounding, slower. ``SNNLIB_CPU_KERNEL=0`` in
the environment switches the kernel off, and so does setting :data:`ENABLED` to ``False``. The
compiled library is cached in ``$SNNLIB_CACHE`` (default ``~/.cache/snnlib``), written atomically.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Optional

import torch

__all__ = ["ENABLED", "available", "load", "fwd", "bwd", "lif_fwd", "lif_bwd"]

#: Use the kernel when it is available (``SNNLIB_CPU_KERNEL=0`` in the environment turns it off).
ENABLED = os.environ.get("SNNLIB_CPU_KERNEL", "1") not in ("0", "false", "no", "off")

_BODY = r"""
/* REAL = float or double; SFX = f or d. Arrays are contiguous, row-major. Rows b0 <= b < b1.
   VEC_SFX: a SIMD vector of REALs (GCC/Clang vector extensions); VECU_SFX: the same, unaligned. */
void snn_fwd_SFX(const REAL* cur, const REAL* w2, const REAL* b2, REAL* mem, REAL* cur2, REAL* counts,
                 long T, long B, long H, long C, REAL beta, REAL thr, long b0, long b1) {
    /* cur [B,H]; w2 [C,H]; b2 [C]; mem [B,H] scratch; cur2 [T,B,C] and counts [T,B] (out).
       The hidden layer's T steps and the output synapses I_2[t] = b_2 + W_2 S[t], row by row, in
       blocks of HB neurons so that W_2's block stays in the L1 cache. */
    long b, t, h, j, h0, HB = 128;
    for (b = b0; b < b1; b++) {
        const REAL* c = cur + b * H;
        REAL* m = mem + b * H;
        for (t = 0; t < T; t++) {
            for (j = 0; j < C; j++) cur2[(t * B + b) * C + j] = b2[j];
            counts[t * B + b] = 0;
        }
        for (h0 = 0; h0 < H; h0 += HB) {
            long h1 = h0 + HB < H ? h0 + HB : H;
            for (t = 0; t < T; t++) {
                REAL* o = cur2 + (t * B + b) * C;
                long n = 0;
                h = h0;
                if (C == 10) {  /* the chapter's network: explicit SIMD (GCC vector extensions) */
                    const long L = (long)(sizeof(VEC_SFX) / sizeof(REAL));
                    VEC_SFX acc[10], cnt = {0};
                    for (j = 0; j < 10; j++) acc[j] = (VEC_SFX){0};
                    for (; h + L <= h1; h += L) {
                        VEC_SFX u;
                        if (t == 0) {
                            u = *(const VECU_SFX*)(c + h);
                        } else {
                            VEC_SFX p = *(const VECU_SFX*)(m + h);
                            VEC_SFX sp = __builtin_convertvector(-(p > thr), VEC_SFX);
                            u = p * beta;
                            u = u + *(const VECU_SFX*)(c + h);
                            u = u - sp * thr;
                        }
                        *(VECU_SFX*)(m + h) = u;
                        VEC_SFX sv = __builtin_convertvector(-(u > thr), VEC_SFX);
                        for (j = 0; j < 10; j++) acc[j] += sv * *(const VECU_SFX*)(w2 + j * H + h);
                        cnt += sv;
                    }
                    for (j = 0; j < 10; j++) {
                        REAL a = 0;
                        for (long l = 0; l < L; l++) a += acc[j][l];
                        o[j] += a;
                    }
                    for (long l = 0; l < L; l++) n += (long)cnt[l];
                }
                for (; h < h1; h++) {
                    REAL u;
                    if (t == 0) {
                        u = c[h];
                    } else {
                        REAL p = m[h];
                        REAL sp = (REAL)(p > thr);
                        u = p * beta;
                        u = u + c[h];
                        u = u - sp * thr;
                    }
                    m[h] = u;
                    if (u > thr) {
                        n++;
                        for (j = 0; j < C; j++) o[j] += w2[j * H + h];
                    }
                }
                counts[t * B + b] += (REAL)n;
            }
        }
    }
}

void snn_bwd_SFX(const REAL* cur, const REAL* g2, const REAL* w2, REAL* gcur, REAL* gw2, REAL* work,
                 long T, long B, long H, long C, REAL beta, REAL thr, REAL inv_c, REAL k2c,
                 long b0, long b1) {
    /* cur [B,H]; g2 = dL/dI_2 [T,B,C]; w2 [C,H]; gcur = dL/dI [B,H] (out, rows b0..b1);
       gw2 [C,H]: dL/dW_2, accumulated; work [(T+1)*H] scratch. */
    REAL* mrec = work;
    REAL* G = mrec + T * H;
    long b, t, h, j;
    for (b = b0; b < b1; b++) {
        const REAL* c = cur + b * H;
        REAL* gc = gcur + b * H;
        for (h = 0; h < H; h++) mrec[h] = c[h];
        for (t = 1; t < T; t++) {
            const REAL* p = mrec + (t - 1) * H;
            REAL* m = mrec + t * H;
            for (h = 0; h < H; h++) {
                REAL s = (REAL)(p[h] > thr);
                REAL u = p[h] * beta;
                u = u + c[h];
                u = u - s * thr;
                m[h] = u;
            }
        }
        /* the reverse pass, in blocks of HB neurons so that W_2's block stays in the L1 cache */
        long h0, HB = 128;
        for (h0 = 0; h0 < H; h0 += HB) {
            long h1 = h0 + HB < H ? h0 + HB : H;
            for (t = T - 1; t >= 0; t--) {
                const REAL* gr = g2 + (t * B + b) * C;
                const REAL* m = mrec + t * H;
                h = h0;
                if (C == 10) {  /* the chapter's network: explicit SIMD (GCC vector extensions) */
                    REAL gl[10];
                    for (j = 0; j < 10; j++) gl[j] = gr[j];
                    const long L = (long)(sizeof(VEC_SFX) / sizeof(REAL));
                    for (; h + L <= h1; h += L) {
                        VEC_SFX ds = gl[0] * *(const VECU_SFX*)(w2 + h);
                        for (j = 1; j < 10; j++) ds += gl[j] * *(const VECU_SFX*)(w2 + j * H + h);
                        VEC_SFX u = *(const VECU_SFX*)(m + h) - thr;
                        VEC_SFX g = ds / (inv_c + k2c * u * u);
                        if (t < T - 1) g += beta * *(VECU_SFX*)(G + h);
                        *(VECU_SFX*)(G + h) = g;
                        if (t < T - 1) *(VECU_SFX*)(gc + h) += g; else *(VECU_SFX*)(gc + h) = g;
                        /* dL/dW_2[:, h] += dL/dI_2[t] S[t, h] */
                        VEC_SFX sv = __builtin_convertvector(-(*(const VECU_SFX*)(m + h) > thr), VEC_SFX);
                        for (j = 0; j < 10; j++) *(VECU_SFX*)(gw2 + j * H + h) += gl[j] * sv;
                    }
                }
                for (; h < h1; h++) {
                    REAL ds = 0;
                    for (j = 0; j < C; j++) ds += gr[j] * w2[j * H + h];
                    REAL u = m[h] - thr;
                    REAL g = ds / (inv_c + k2c * u * u);
                    if (t < T - 1) g += beta * G[h];
                    G[h] = g;
                    gc[h] = t < T - 1 ? gc[h] + g : g;
                    REAL sv = (REAL)(m[h] > thr);
                    for (j = 0; j < C; j++) gw2[j * H + h] += gr[j] * sv;
                }
            }
        }
    }
}

void snn_lif_fwd_SFX(const REAL* cur, REAL* spk, REAL* mem, long T, long N, REAL beta, REAL thr) {
    /* A LIF layer driven by cur [T,N] (subtractive reset): spk, mem [T,N] (out). */
    long t, i;
    for (i = 0; i < N; i++) { mem[i] = cur[i]; spk[i] = (REAL)(cur[i] > thr); }
    for (t = 1; t < T; t++) {
        const REAL* p = mem + (t - 1) * N;
        const REAL* c = cur + t * N;
        REAL* m = mem + t * N;
        REAL* s = spk + t * N;
        for (i = 0; i < N; i++) {
            REAL sp = (REAL)(p[i] > thr);
            REAL u = p[i] * beta;
            u = u + c[i];
            u = u - sp * thr;
            m[i] = u;
            s[i] = (REAL)(u > thr);
        }
    }
}

void snn_lif_bwd_SFX(const REAL* mem, const REAL* gspk, const REAL* gmem, REAL* gcur, long T, long N,
                     REAL beta, REAL thr, REAL inv_c, REAL k2c) {
    /* gcur[t] = gspk[t] sg(mem[t] - thr) + gmem[t] + beta gcur[t+1]; gspk or gmem may be NULL. */
    long t, i;
    for (t = T - 1; t >= 0; t--) {
        const REAL* m = mem + t * N;
        REAL* g = gcur + t * N;
        for (i = 0; i < N; i++) {
            REAL v = 0;
            if (gspk) { REAL u = m[i] - thr; v = gspk[t * N + i] / (inv_c + k2c * u * u); }
            if (gmem) v = v + gmem[t * N + i];
            if (t < T - 1) v = v + beta * g[N + i];
            g[i] = v;
        }
    }
}
"""

_HEADER = ("#include <stddef.h>\n"
           "typedef float VEC_f __attribute__((vector_size(32)));\n"
           "typedef float VECU_f __attribute__((vector_size(32), aligned(4), may_alias));\n"
           "typedef double VEC_d __attribute__((vector_size(32)));\n"
           "typedef double VECU_d __attribute__((vector_size(32), aligned(8), may_alias));\n")
_FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fno-trapping-math", "-fPIC", "-shared"]

_lib: Optional[ctypes.CDLL] = None
_tried = False


def _source() -> str:
    return _HEADER + "".join(_BODY.replace("REAL", real).replace("SFX", sfx)
                             for real, sfx in (("float", "f"), ("double", "d")))


def _cache_dir() -> Path:
    return Path(os.environ.get("SNNLIB_CACHE", Path.home() / ".cache" / "snnlib"))


def _compile(src: str, out: Path) -> None:
    cc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise RuntimeError("no C compiler found (gcc or cc)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        c_file = Path(tmp) / "lif_kernel.c"
        c_file.write_text(src)
        so_tmp = Path(tmp) / out.name
        flags = list(_FLAGS)
        res = subprocess.run([cc, *flags, str(c_file), "-o", str(so_tmp)], capture_output=True, text=True)
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


def load() -> Optional[ctypes.CDLL]:
    """The compiled kernel library (compiled on first use, then cached), or ``None`` if unavailable."""
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    if not sys.platform.startswith("linux") and sys.platform != "darwin":
        return None
    src = _source()
    key = hashlib.sha256((src + " ".join(_FLAGS) + _cpu_id()).encode()).hexdigest()[:16]
    path = _cache_dir() / f"lif_kernel_{key}.so"
    try:
        if not path.exists():
            _compile(src, path)
        lib = ctypes.CDLL(str(path))
        for sfx, real in (("f", ctypes.c_float), ("d", ctypes.c_double)):
            p, lg = ctypes.c_void_p, ctypes.c_long
            getattr(lib, f"snn_fwd_{sfx}").argtypes = [p, p, p, p, p, p, lg, lg, lg, lg, real, real, lg, lg]
            getattr(lib, f"snn_bwd_{sfx}").argtypes = [p, p, p, p, p, p, lg, lg, lg, lg, real, real, real, real,
                                                       lg, lg]
            getattr(lib, f"snn_lif_fwd_{sfx}").argtypes = [p, p, p, lg, lg, real, real]
            getattr(lib, f"snn_lif_bwd_{sfx}").argtypes = [p, p, p, p, lg, lg, real, real, real, real]
        _lib = lib
    except Exception as err:  # any failure: the eager implementation is used
        warnings.warn(f"snnlib: the fused CPU kernel is unavailable ({type(err).__name__}: {err}); "
                      "using the PyTorch implementation (same results, slower)", stacklevel=3)
        _lib = None
    return _lib


def available(*tensors: torch.Tensor) -> bool:
    """Whether the kernel can run on these tensors (CPU, float32/float64, no autograd tracing needed)."""
    if not ENABLED:
        return False
    t0 = tensors[0]
    if t0.device.type != "cpu" or t0.dtype not in (torch.float32, torch.float64):
        return False
    if any(t.device != t0.device or t.dtype != t0.dtype for t in tensors):
        return False
    return load() is not None


_pool = None


def _split(B: int):
    """Row ranges for the worker threads (ctypes releases the GIL, so the calls run in parallel)."""
    nt = max(1, min(torch.get_num_threads(), B // 16 or 1))
    step = max(1, -(-B // nt))
    return [(b0, min(B, b0 + step)) for b0 in range(0, B, step)]


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


def fwd(cur: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor, num_steps: int, beta: float, thr: float):
    """The hidden layer's ``num_steps`` steps and the output synapses: ``I_1`` ``[B, H]``, ``W_2`` ``[C, H]``,
    ``b_2`` ``[C]`` -> ``(I_2 [T, B, C], hidden spike counts [T, B])``."""
    cur, b2 = cur.contiguous(), b2.contiguous()
    w2 = w2.contiguous()
    B, H = cur.shape
    C, T = w2.shape[0], num_steps
    mem = torch.empty_like(cur)
    cur2 = torch.empty((T, B, C), dtype=cur.dtype)
    counts = torch.empty((T, B), dtype=cur.dtype)
    parts = _split(B)
    fn = getattr(_lib, "snn_fwd_f" if cur.dtype == torch.float32 else "snn_fwd_d")
    args = [cur.data_ptr(), w2.data_ptr(), b2.data_ptr(), mem.data_ptr(), cur2.data_ptr(), counts.data_ptr()]
    _run([lambda i=i, b0=b0, b1=b1: fn(*args, T, B, H, C, beta, thr, b0, b1)
          for i, (b0, b1) in enumerate(parts)])
    return cur2, counts


def bwd(cur: torch.Tensor, g2: torch.Tensor, w2: torch.Tensor, num_steps: int, beta: float, thr: float,
        alpha: float):
    """Gradients ``(dL/dI [B, H], dL/dW_2 [C, H])`` of the hidden layer from ``dL/dI_2`` ``[T, B, C]``."""
    import math

    B, H = cur.shape
    C, T = w2.shape[0], num_steps
    cur, g2, w2 = cur.contiguous(), g2.contiguous(), w2.contiguous()
    parts = _split(B)
    gcur = torch.empty_like(cur)
    gw2 = torch.zeros((len(parts), C, H), dtype=cur.dtype)
    work = torch.empty((len(parts), (T + 1) * H), dtype=cur.dtype)
    k2c = (math.pi / 2 * alpha) ** 2 / (alpha / 2)  # sg(u) = 1 / (2/alpha + k2c u^2)
    fn = getattr(_lib, "snn_bwd_f" if cur.dtype == torch.float32 else "snn_bwd_d")
    _run([lambda i=i, b0=b0, b1=b1: fn(cur.data_ptr(), g2.data_ptr(), w2.data_ptr(), gcur.data_ptr(),
                                       gw2[i].data_ptr(), work[i].data_ptr(), T, B, H, C, beta, thr,
                                       2 / alpha, k2c, b0, b1)
          for i, (b0, b1) in enumerate(parts)])
    return gcur, gw2.sum(0) if len(parts) > 1 else gw2[0]


def lif_fwd(cur: torch.Tensor, beta: float, thr: float):
    """A LIF layer (subtractive reset) driven by ``cur`` ``[T, ...]``: ``(spk, mem)``, each ``[T, ...]``."""
    cur = cur.contiguous()
    spk, mem = torch.empty_like(cur), torch.empty_like(cur)
    T = cur.shape[0]
    fn = getattr(_lib, "snn_lif_fwd_f" if cur.dtype == torch.float32 else "snn_lif_fwd_d")
    fn(cur.data_ptr(), spk.data_ptr(), mem.data_ptr(), T, cur.numel() // max(T, 1), beta, thr)
    return spk, mem


def lif_bwd(mem: torch.Tensor, g_spk: Optional[torch.Tensor], g_mem: Optional[torch.Tensor], beta: float,
            thr: float, alpha: float) -> torch.Tensor:
    """``dL/dI`` ``[T, ...]`` of :func:`lif_fwd` from ``dL/dS`` and ``dL/dU`` (either may be ``None``)."""
    import math

    g_spk = g_spk.contiguous() if g_spk is not None else None
    g_mem = g_mem.contiguous() if g_mem is not None else None
    gcur = torch.empty_like(mem)
    T = mem.shape[0]
    k2c = (math.pi / 2 * alpha) ** 2 / (alpha / 2)
    fn = getattr(_lib, "snn_lif_bwd_f" if mem.dtype == torch.float32 else "snn_lif_bwd_d")
    fn(mem.data_ptr(), None if g_spk is None else g_spk.data_ptr(), None if g_mem is None else g_mem.data_ptr(),
       gcur.data_ptr(), T, mem.numel() // max(T, 1), beta, thr, 2 / alpha, k2c)
    return gcur
