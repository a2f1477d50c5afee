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
float64 on the CPU; static or time-varying current. The library is built, cached and verified by
:mod:`snnlib.engine.build` (a private folder, a SHA-256 digest checked before loading, a self-test
after, a damaged entry rebuilt with a warning). ``SNNLIB_CPU_KERNEL=0`` switches it off (so does
setting :data:`ENABLED` to ``False``); so does a missing compiler (one warning), and
``backend="auto"`` then picks the fused PyTorch backend.

Every C entry point is given the size of each array and checks every dimension, stride, row range
and parameter before it touches memory (returning an error code, see :data:`STATUS`); the Python
functions here check the tensors first (shapes time first, dtype, device, contiguity) and raise a
:class:`ValueError` or :class:`TypeError` naming the argument.
"""

from __future__ import annotations

import ctypes
import math
import shutil  # noqa: F401  (tests replace shutil.which to simulate a machine without a compiler)
import warnings
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import torch

from .. import _checks, _env
from . import build as _build
from .spec import Backend, Call, Support

__all__ = [
    "ENABLED",
    "SOURCE",
    "SURROGATES",
    "RESET_IDS",
    "STATUS",
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

#: The C entry points' refusals (their negative return codes), in words.
STATUS = {
    -1: "a dimension (T, B, H, C or N) is < 1",
    -2: "the current's time stride is neither 0 (static) nor one step",
    -3: "the current (or the membrane record) holds fewer elements than its shape",
    -4: "the weight is not [C, H]",
    -5: "the bias is not [C]",
    -6: "a scratch buffer is too small",
    -7: "an output buffer is too small",
    -8: "an incoming gradient is smaller than the record",
    -9: "the row (or neuron) range is not within the batch",
    -10: "an unknown reset id",
    -11: "beta is not in [0, 1]",
    -12: "the threshold is not finite and > 0",
    -13: "a required array is missing (NULL)",
    -14: "an unknown surrogate id",
}

_ABI = 3
_FLAGS = ("-O3", "-march=native", "-ffp-contract=off", "-fno-trapping-math", "-fPIC", "-shared")

_lib: Optional[ctypes.CDLL] = None
_tried = False
_error: Optional[str] = None


def _declare(lib: ctypes.CDLL) -> None:
    p, lg, i = ctypes.c_void_p, ctypes.c_long, ctypes.c_int
    lib.snn_abi_version.restype = i
    lib.snn_abi_version.argtypes = []
    if lib.snn_abi_version() != _ABI:
        raise RuntimeError(f"the library has ABI {lib.snn_abi_version()}, expected {_ABI}")
    for sfx, real in (("f", ctypes.c_float), ("d", ctypes.c_double)):
        signatures = {
            "snn_fwd": [p, lg] * 6 + [lg] * 5 + [real, real, i, lg, lg],
            "snn_bwd": [p, lg] * 6 + [lg] * 5 + [real, real, i, i, real, real, lg, lg],
            "snn_lif_fwd": [p, lg] * 3 + [lg] * 3 + [real, real, i, lg, lg],
            "snn_lif_bwd": [p, lg] * 4 + [lg] * 2 + [real, real, i, i, real, real, lg, lg],
        }
        for name, argtypes in signatures.items():
            fn = getattr(lib, f"{name}_{sfx}")
            fn.argtypes = argtypes
            fn.restype = i


def _self_test(lib: ctypes.CDLL) -> None:
    """Declare the signatures and run tiny known computations; raises on a wrong or stub library."""
    _declare(lib)
    arr = ctypes.c_float * 8
    cur, spk, mem = arr(0.5, 1.5, 0.875, -1.0, 0.5, 1.5, 0.875, -1.0), arr(*[-7.0] * 8), arr(*[-7.0] * 8)
    status = lib.snn_lif_fwd_f(cur, 8, spk, 8, mem, 8, 2, 4, 4, 0.5, 1.0, 0, 0, 4)
    expected_mem = [0.5, 1.5, 0.875, -1.0, 0.75, 1.25, 1.3125, -1.5]  # U1 = 0.5 U0 + I - S0 (thr 1)
    expected_spk = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0]
    if status != 0 or list(mem) != expected_mem or list(spk) != expected_spk:
        raise RuntimeError(f"snn_lif_fwd_f computed {list(mem)} (status {status}), expected {expected_mem}")
    if lib.snn_lif_fwd_f(cur, 7, spk, 8, mem, 8, 2, 4, 4, 0.5, 1.0, 0, 0, 4) != -3:
        raise RuntimeError("snn_lif_fwd_f does not refuse a current that is too small")
    d = ctypes.c_double
    w, b, m2, out, cnt = (d * 4)(1, 2, 3, 4), (d * 2)(0.5, -0.5), (d * 2)(), (d * 2)(-7, -7), (d * 1)(-7)
    status = lib.snn_fwd_d((d * 2)(2.0, 0.0), 2, w, 4, b, 2, m2, 2, out, 2, cnt, 1, 1, 1, 2, 2, 0, 0.5, 1.0, 0, 0, 1)
    if status != 0 or list(out) != [1.5, 2.5] or list(cnt) != [1.0]:
        raise RuntimeError(f"snn_fwd_d computed {list(out)}, {list(cnt)} (status {status}), expected [1.5, 2.5], [1.0]")


def load() -> Optional[ctypes.CDLL]:
    """The compiled kernel library (compiled on first use, then cached and verified), or ``None`` if unavailable."""
    global _lib, _tried, _error
    if _tried:
        return _lib
    _tried = True
    try:
        _lib = _build.load_library("lif_kernel", SOURCE.read_bytes(), _FLAGS, _self_test)
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


def _run(name: str, calls) -> None:
    """Run the C calls (in threads when there are several); a non-zero status is a ValueError."""
    global _pool
    if _lib is None:
        raise RuntimeError(f"snnlib.engine.cpu.{name}: the C kernel is not loaded ({unavailable() or 'call load() first'})")
    if len(calls) <= 1:
        statuses = [call() for call in calls]
    else:
        if _pool is None or _pool._max_workers < len(calls):
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="snnlib-kernel")
        statuses = [f.result() for f in [_pool.submit(c) for c in calls]]
    bad = next((st for st in statuses if st != 0), 0)
    if bad:
        raise ValueError(f"snnlib.engine.cpu.{name}: the C kernel refused the call: {STATUS.get(bad, f'status {bad}')}")


def _fn(name: str, dtype: torch.dtype):
    lib = load() if ENABLED else None
    if lib is None:
        raise RuntimeError(f"snnlib.engine.cpu.{name}: the C kernel is unavailable ({unavailable()})")
    return getattr(lib, f"{name}_{'f' if dtype == torch.float32 else 'd'}")


def _arg(x: Optional[torch.Tensor]):
    """``(pointer, number of elements)`` of a contiguous tensor (``(None, 0)`` for ``None``)."""
    return (None, 0) if x is None else (x.data_ptr(), x.numel())


def _real(
    x, name: str, shape: str, ndim=None, min_dim=None, like: Optional[torch.Tensor] = None, finite: bool = True
) -> torch.Tensor:
    """A float32/float64 CPU tensor of the documented shape (and of ``like``'s dtype), made contiguous;
    with ``finite``, free of NaN and inf (incoming gradients are not checked: NaN there propagates)."""
    _checks.tensor(x, name, shape, ndim=ndim, min_dim=min_dim, dtype="float", finite=finite)
    if x.device.type != "cpu" or x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"{name} must be a float32 or float64 CPU tensor of shape {shape}, got {x.dtype} on {x.device}")
    if like is not None and x.dtype != like.dtype:
        raise TypeError(f"{name} must have the dtype of the current ({like.dtype}), got {x.dtype}")
    return x.contiguous()


def _params(beta, thr, reset) -> Tuple[float, float, int]:
    beta = _checks.probability(beta, "beta")
    thr = _checks.positive(thr, "thr")
    return beta, thr, RESET_IDS[_checks.choice(reset, "reset", RESET_IDS)]


def _surrogate(surrogate) -> Tuple[int, float, float]:
    if not isinstance(surrogate, (tuple, list)) or len(surrogate) != 3:
        raise TypeError(f"surrogate must be (id, c0, c1) from snnlib.engine.cpu.SURROGATES, got {_checks.describe(surrogate)}")
    sid = _checks.integer(surrogate[0], "surrogate[0] (its id)", 0, len(SURROGATES) - 1)
    return sid, _checks.real(surrogate[1], "surrogate[1]", allow_inf=True), _checks.real(surrogate[2], "surrogate[2]")


def _steps(num_steps, static: bool, cur: torch.Tensor, shape: str) -> int:
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    if not _checks.boolean(static, "static") and cur.shape[0] != num_steps:
        raise ValueError(f"cur must have shape {shape} with T = num_steps = {num_steps}, got shape {tuple(cur.shape)}")
    return num_steps


def lif_fwd(cur: torch.Tensor, num_steps: int, beta: float, thr: float, reset: str, static: bool):
    """A LIF layer driven by ``cur`` ``[T, ...]`` (or ``[...]`` when ``static``): ``(spk, mem)``, each ``[T, ...]``."""
    return _lif_fwd(cur, num_steps, beta, thr, reset, static, scan=True)


# The autograd functions below call the _private entry points with scan=False: the engine's public
# functions have scanned their inputs for NaN and inf once per call (snnlib.engine), and the backward
# passes read tensors their forward pass checked or made. Sizes, strides and parameters are always checked.


def _lif_fwd(cur, num_steps, beta, thr, reset, static, scan: bool):
    static = _checks.boolean(static, "static")
    shape = "[B, ...] (static)" if static else "[T, B, ...] (time first, T = num_steps)"
    cur = _real(cur, "cur", shape, min_dim=1 if static else 2, finite=scan)
    num_steps = _steps(num_steps, static, cur, shape)
    beta, thr, reset_id = _params(beta, thr, reset)
    out_shape = (num_steps, *tuple(cur.shape if static else cur.shape[1:]))
    spk = torch.empty(out_shape, dtype=cur.dtype)
    mem = torch.empty(out_shape, dtype=cur.dtype)
    n = spk[0].numel()
    fn = _fn("snn_lif_fwd", cur.dtype)
    args = (*_arg(cur), *_arg(spk), *_arg(mem), num_steps, n, 0 if static else n, beta, thr, reset_id)
    _run("lif_fwd", [lambda n0=n0, n1=n1: fn(*args, n0, n1) for n0, n1 in _split(n, 16384)])
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
    """``dL/dI`` ``[T, ...]`` of :func:`lif_fwd` from ``dL/dS`` and ``dL/dU`` (either may be ``None``), all ``[T, ...]``."""
    return _lif_bwd(mem, g_spk, g_mem, beta, thr, reset, surrogate, scan=True)


def _lif_bwd(mem, g_spk, g_mem, beta, thr, reset, surrogate, scan: bool):
    mem = _real(mem, "mem", "[T, B, ...]", min_dim=2, finite=scan)
    grads = []
    for name, g in (("g_spk", g_spk), ("g_mem", g_mem)):
        if g is not None:
            g = _real(g, name, "[T, B, ...] (the shape of mem)", like=mem, finite=False)
            _checks.same_shape(g, mem, name, "mem", "[T, B, ...]")
        grads.append(g)
    beta, thr, reset_id = _params(beta, thr, reset)
    surrogate = _surrogate(surrogate)
    gcur = torch.empty_like(mem)
    T, n = mem.shape[0], mem[0].numel()
    fn = _fn("snn_lif_bwd", mem.dtype)
    args = (*_arg(mem), *_arg(grads[0]), *_arg(grads[1]), *_arg(gcur), T, n, beta, thr, reset_id, *surrogate)
    _run("lif_bwd", [lambda n0=n0, n1=n1: fn(*args, n0, n1) for n0, n1 in _split(n, 16384)])
    return gcur


def _linear_args(cur, w2, num_steps, static, scan: bool = True):
    """The checked ``(cur, w2, T, B, H, C, cstride)`` of :func:`fwd` and :func:`bwd`."""
    static = _checks.boolean(static, "static")
    shape = "[B, H] (static)" if static else "[T, B, H] (time first, T = num_steps)"
    cur = _real(cur, "cur", shape, ndim=2 if static else 3, finite=scan)
    w2 = _real(w2, "w2", "[C, H]", ndim=2, like=cur)
    T = _steps(num_steps, static, cur, shape)
    B, H = cur.shape[-2:]
    if w2.shape[1] != H:
        raise ValueError(f"w2 must have shape [C, H] with H = {H} (cur's last dimension), got shape {tuple(w2.shape)}")
    return cur, w2, T, B, H, w2.shape[0], 0 if static else B * H


def fwd(cur: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor, num_steps: int, beta: float, thr: float, reset: str, static: bool):
    """A LIF layer and the next synapses: ``I`` ``[B, H]`` (static) or ``[T, B, H]``, ``W`` ``[C, H]``,
    ``b`` ``[C]`` -> ``(I_2 [T, B, C], spike counts [T, B])``."""
    return _fwd(cur, w2, b2, num_steps, beta, thr, reset, static, scan=True)


def _fwd(cur, w2, b2, num_steps, beta, thr, reset, static, scan: bool):
    cur, w2, T, B, H, C, cstride = _linear_args(cur, w2, num_steps, static, scan)
    b2 = _real(b2, "b2", "[C]", ndim=1, like=cur)
    if b2.shape[0] != C:
        raise ValueError(f"b2 must have shape [C] with C = {C} (w2's first dimension), got shape {tuple(b2.shape)}")
    beta, thr, reset_id = _params(beta, thr, reset)
    mem = torch.empty((B, H), dtype=cur.dtype)
    cur2 = torch.empty((T, B, C), dtype=cur.dtype)
    counts = torch.empty((T, B), dtype=cur.dtype)
    fn = _fn("snn_fwd", cur.dtype)
    args = (*_arg(cur), *_arg(w2), *_arg(b2), *_arg(mem), *_arg(cur2), *_arg(counts))
    args += (T, B, H, C, cstride, beta, thr, reset_id)
    _run("fwd", [lambda b0=b0, b1=b1: fn(*args, b0, b1) for b0, b1 in _split(B, 16)])
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
    return _bwd(cur, g2, w2, num_steps, beta, thr, reset, surrogate, static, scan=True)


def _bwd(cur, g2, w2, num_steps, beta, thr, reset, surrogate, static, scan: bool):
    cur, w2, T, B, H, C, cstride = _linear_args(cur, w2, num_steps, static, scan)
    g2 = _real(g2, "g2", "[T, B, C]", ndim=3, like=cur, finite=False)
    if tuple(g2.shape) != (T, B, C):
        raise ValueError(f"g2 must have shape [T, B, C] = {[T, B, C]}, got shape {tuple(g2.shape)}")
    beta, thr, reset_id = _params(beta, thr, reset)
    surrogate = _surrogate(surrogate)
    parts = _split(B, 16)
    gcur = torch.empty_like(cur)
    gw2 = torch.zeros((len(parts), C, H), dtype=cur.dtype)
    work = torch.empty((len(parts), (T + 1) * H), dtype=cur.dtype)
    fn = _fn("snn_bwd", cur.dtype)
    fixed = (T, B, H, C, cstride, beta, thr, reset_id, *surrogate)
    _run(
        "bwd",
        [
            lambda i=i, b0=b0, b1=b1: fn(
                *_arg(cur), *_arg(g2), *_arg(w2), *_arg(gcur), *_arg(gw2[i]), *_arg(work[i]), *fixed, b0, b1
            )
            for i, (b0, b1) in enumerate(parts)
        ],
    )
    return gcur, gw2.sum(0) if len(parts) > 1 else gw2[0]


def _surrogate_args(call: Call) -> Tuple[int, float, float]:
    return SURROGATES[call.surrogate.name](float(call.surrogate.sharpness))


class _LIF(torch.autograd.Function):
    @staticmethod
    def forward(ctx, cur, num_steps, beta, thr, reset, surrogate, static):
        ctx.set_materialize_grads(False)
        spk, mem = _lif_fwd(cur.detach(), num_steps, beta, thr, reset, static, scan=False)
        ctx.save_for_backward(mem)
        ctx.args = (beta, thr, reset, surrogate, static)
        return spk, mem

    @staticmethod
    def backward(ctx, g_spk, g_mem):
        if g_spk is None and g_mem is None:
            return (None,) * 7
        (mem,) = ctx.saved_tensors
        beta, thr, reset, surrogate, static = ctx.args
        g_cur = _lif_bwd(mem, g_spk, g_mem, beta, thr, reset, surrogate, scan=False)
        return (g_cur.sum(0) if static else g_cur), None, None, None, None, None, None


class _LIFLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, cur, w2, b2, num_steps, beta, thr, reset, surrogate, static):
        ctx.set_materialize_grads(False)
        cur, w2 = cur.detach(), w2.detach()
        cur2, counts = _fwd(cur, w2, b2.detach(), num_steps, beta, thr, reset, static, scan=False)
        ctx.save_for_backward(cur, w2)  # the backward pass recomputes the membranes
        ctx.args = (num_steps, beta, thr, reset, surrogate, static)
        ctx.mark_non_differentiable(counts)
        return cur2, counts

    @staticmethod
    def backward(ctx, g_cur2, _g_counts):
        if g_cur2 is None:
            return (None,) * 9
        cur, w2 = ctx.saved_tensors
        g_cur, g_w2 = _bwd(cur, g_cur2, w2, *ctx.args, scan=False)
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
