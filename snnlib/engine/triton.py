r"""The ``"triton"`` backend: a LIF layer's whole recurrence in one GPU kernel, forward and backward.

On a GPU the per-step PyTorch operations of the ``"fused"`` backend are each a kernel launch (about
330 per training step of the chapter's network); at batch 128 their arithmetic takes less time
than launching them. Here each direction of a layer is **one** Triton kernel
(:mod:`snnlib.engine._triton_kernels`): every program holds a block of neurons in registers and
runs all ``T`` steps, forward (spikes and membranes) and backward (the reverse recurrence with the
surrogate, for the subtract, zero and no reset). The layer and the next layer's synapses
(``"lif_linear"``) are the kernel followed by one matrix product (cuBLAS), forward and backward.

* **Custom operators.** The kernels are registered with :func:`torch.library.custom_op` as
  ``torch.ops.snnlib.triton_lif`` (autograd attached with :func:`torch.library.register_autograd`)
  and ``torch.ops.snnlib.triton_lif_backward``, each with a fake (shape-only) implementation, so
  ``torch.compile`` keeps them in its graph as single operators instead of breaking it (the tests
  compile a step with ``fullgraph=True``).
* **Semantics.** Those of :func:`snnlib.neurons.lif_step`, the operations in the same order and
  without fused multiply-adds: the spikes equal the loop's, the membranes and gradients agree to
  float rounding (``tests/test_engine.py``). The membrane state, the surrogate and every sum are
  float32; bf16 or float16 currents (autocast) are read as they are and give spikes in their dtype
  and membranes in float32.
* **What it runs** (:data:`BACKEND`): every reset, the surrogates of :data:`SURROGATE_IDS`, float or
  tensor (learnable or not) ``beta`` and ``threshold``, static or time-varying current, float32,
  bfloat16, float16; no refractory period. On CUDA tensors; on CPU tensors only in Triton's
  interpreter (``TRITON_INTERPRET=1`` in the environment before Triton is first imported), which is how
  the tests run it without a GPU. ``backend="auto"`` picks it on CUDA only.
* **No host synchronisation**: constants travel as Python floats, nothing is copied to the device
  per call, and the grid depends on shapes only, so a training step through it can be captured in a
  CUDA graph.
"""

from __future__ import annotations

import importlib
import math
import os
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch.library import custom_op, register_autograd, register_fake

from ..surrogate import Surrogate
from .spec import Backend, Call, Request, Support

__all__ = ["SURROGATE_IDS", "RESET_IDS", "DTYPES", "interpreting", "kernels", "run", "run_linear", "BACKEND"]

#: Surrogate name -> its id in the kernels (``SG``).
SURROGATE_IDS = {"arctan": 0, "fast_sigmoid": 1, "sigmoid": 2, "triangle": 3, "straight_through": 4, "none": 5}

#: Reset mode -> its id in the kernels (``RESET``).
RESET_IDS = {"subtract": 0, "zero": 1, "none": 2}

#: The dtypes of the current it takes (the state is float32 for all of them).
DTYPES = (torch.float32, torch.bfloat16, torch.float16)

_LOW_PRECISION = (torch.bfloat16, torch.float16)
_NUM_WARPS = 4
_kernels_module = None


def interpreting() -> bool:
    """Whether Triton runs kernels in its interpreter (``TRITON_INTERPRET=1``, read as Triton reads
    it), on the CPU."""
    return os.environ.get("TRITON_INTERPRET", "").strip().lower() in ("1", "true", "on")


def kernels():
    """The kernels module, imported on first use (with Triton itself)."""
    global _kernels_module
    if _kernels_module is None:
        _kernels_module = importlib.import_module("._triton_kernels", __package__)
    return _kernels_module


def _block(m: int) -> int:
    """Neurons per program: 256 on a GPU; one power-of-two block for small layers."""
    return max(16, min(256, 1 << max(0, int(m) - 1).bit_length()))


def _grid(m: int, block: int) -> Tuple[int]:
    return ((m + block - 1) // block,)


def _constants(surrogate: Surrogate) -> Tuple[int, float, float]:
    """``(id, c0, c1)`` of a surrogate in the kernels (see :func:`snnlib.engine._triton_kernels._surrogate`)."""
    k = float(surrogate.sharpness)
    if surrogate.name == "arctan":
        return SURROGATE_IDS["arctan"], math.pi / 2 * k, k / 2
    return SURROGATE_IDS[surrogate.name], k, 0.0


@custom_op("snnlib::triton_lif", mutates_args=())
def _lif(
    cur: torch.Tensor,
    beta: Optional[torch.Tensor],
    thr: Optional[torch.Tensor],
    beta_f: float,
    thr_f: float,
    num_steps: int,
    reset: int,
    static: bool,
    surrogate: int,
    c0: float,
    c1: float,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(spk [T, B, ...] in cur's dtype, mem [T, B, ...] float32)``; ``cur`` contiguous ``[T, B, ...]``
    (``[B, ...]`` when ``static``), ``beta``/``thr`` contiguous ``[B, ...]`` or ``None`` (then the floats)."""
    spk, mem = _lif_fake(cur, beta, thr, beta_f, thr_f, num_steps, reset, static, surrogate, c0, c1)
    m = math.prod(mem.shape[1:])
    block = _block(m)
    kernels().lif_fwd[_grid(m, block)](
        cur,
        cur if beta is None else beta,
        cur if thr is None else thr,
        spk,
        mem,
        m,
        beta_f,
        thr_f,
        T=num_steps,
        STATIC=static,
        RESET=reset,
        BETA_T=beta is not None,
        THR_T=thr is not None,
        BLOCK=block,
        num_warps=_NUM_WARPS,
        enable_fp_fusion=False,
    )
    return spk, mem


@custom_op("snnlib::triton_lif_backward", mutates_args=())
def _lif_backward(
    g_spk: Optional[torch.Tensor],
    g_mem: Optional[torch.Tensor],
    mem: torch.Tensor,
    beta: Optional[torch.Tensor],
    thr: Optional[torch.Tensor],
    beta_f: float,
    thr_f: float,
    reset: int,
    static: bool,
    surrogate: int,
    c0: float,
    c1: float,
    need_beta: bool,
    need_thr: bool,
    cur_dtype: torch.dtype,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(dL/dcur, dL/dbeta, dL/dthr)``: the current's gradient in ``cur_dtype``; the parameters' per
    neuron ``[B, ...]`` (float32), or empty tensors where not needed."""
    g_cur, g_beta, g_thr = _lif_backward_fake(
        g_spk, g_mem, mem, beta, thr, beta_f, thr_f, reset, static, surrogate, c0, c1, need_beta, need_thr, cur_dtype
    )
    m = math.prod(mem.shape[1:])
    block = _block(m)
    kernels().lif_bwd[_grid(m, block)](
        mem if g_spk is None else g_spk,
        mem if g_mem is None else g_mem,
        mem,
        mem if beta is None else beta,
        mem if thr is None else thr,
        g_cur,
        g_beta if need_beta else mem,
        g_thr if need_thr else mem,
        m,
        beta_f,
        thr_f,
        c0,
        c1,
        T=mem.shape[0],
        STATIC=static,
        RESET=reset,
        BETA_T=beta is not None,
        THR_T=thr is not None,
        HAS_GSPK=g_spk is not None,
        HAS_GMEM=g_mem is not None,
        NEED_BETA=need_beta,
        NEED_THR=need_thr,
        SG=surrogate,
        BLOCK=block,
        num_warps=_NUM_WARPS,
        enable_fp_fusion=False,
    )
    return g_cur, g_beta, g_thr


@register_fake("snnlib::triton_lif")
def _lif_fake(cur, beta, thr, beta_f, thr_f, num_steps, reset, static, surrogate, c0, c1):
    """The outputs' shapes and dtypes (for ``torch.compile`` and meta tensors), nothing computed."""
    shape = tuple(cur.shape) if static else tuple(cur.shape[1:])
    return cur.new_empty((num_steps, *shape)), cur.new_empty((num_steps, *shape), dtype=torch.float32)


@register_fake("snnlib::triton_lif_backward")
def _lif_backward_fake(
    g_spk, g_mem, mem, beta, thr, beta_f, thr_f, reset, static, surrogate, c0, c1, need_beta, need_thr, cur_dtype
):
    shape = tuple(mem.shape[1:])
    g_cur = mem.new_empty(shape if static else tuple(mem.shape), dtype=cur_dtype)
    return g_cur, mem.new_empty(shape if need_beta else (0,)), mem.new_empty(shape if need_thr else (0,))


def _setup_context(ctx, inputs, output) -> None:
    cur, beta, thr, beta_f, thr_f, _num_steps, reset, static, surrogate, c0, c1 = inputs
    ctx.save_for_backward(output[1], beta, thr)
    ctx.constants = (beta_f, thr_f, reset, static, surrogate, c0, c1)
    ctx.cur_dtype = cur.dtype


def _contiguous(g: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    return None if g is None else g.contiguous()


def _backward(ctx, g_spk, g_mem):
    mem, beta, thr = ctx.saved_tensors
    beta_f, thr_f, reset, static, surrogate, c0, c1 = ctx.constants
    need_beta = beta is not None and ctx.needs_input_grad[1]
    need_thr = thr is not None and ctx.needs_input_grad[2]
    g_cur, g_beta, g_thr = torch.ops.snnlib.triton_lif_backward(
        _contiguous(g_spk),
        _contiguous(g_mem),
        mem,
        beta,
        thr,
        beta_f,
        thr_f,
        reset,
        static,
        surrogate,
        c0,
        c1,
        need_beta,
        need_thr,
        ctx.cur_dtype,
    )
    g_beta = g_beta.to(beta.dtype) if need_beta else None
    g_thr = g_thr.to(thr.dtype) if need_thr else None
    return (g_cur, g_beta, g_thr) + (None,) * 8


register_autograd("snnlib::triton_lif", _backward, setup_context=_setup_context)


def _per_neuron(value, shape) -> Tuple[Optional[torch.Tensor], float]:
    """A tensor ``beta``/``threshold`` as a contiguous ``[B, ...]`` tensor (autograd reduces its
    gradient back to the parameter's shape), a number as a float."""
    if isinstance(value, torch.Tensor):
        return value.expand(shape).contiguous(), 0.0
    return None, float(value)


def run(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif"``: ``(spk_rec, mem_rec)``, each ``[T, B, ...]`` (the membranes in float32)."""
    cur = call.cur.contiguous()
    shape = tuple(cur.shape) if call.static else tuple(cur.shape[1:])
    beta, beta_f = _per_neuron(call.beta, shape)
    thr, thr_f = _per_neuron(call.threshold, shape)
    sg, c0, c1 = _constants(call.surrogate)
    return torch.ops.snnlib.triton_lif(
        cur, beta, thr, beta_f, thr_f, call.num_steps, RESET_IDS[call.reset], call.static, sg, c0, c1
    )


def run_linear(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif_linear"``: the kernel, then ``S[t] W^T + b`` as one matrix product.

    Returns ``(cur_out [T, B, C], spike_count [T, B])``; the counts are float32 for bf16/float16 spikes.
    """
    spk, _mem = run(call)
    out = F.linear(spk, call.weight, call.bias)  # under autocast: in the autocast dtype
    count_dtype = torch.float32 if spk.dtype in _LOW_PRECISION else spk.dtype
    return out, spk.detach().sum(-1, dtype=count_dtype)


def unavailable() -> Optional[str]:
    """Why the Triton kernels cannot run at all here (``None`` when Triton is installed)."""
    try:
        import triton  # noqa: F401
    except ImportError:
        return "Triton is not installed (it comes with PyTorch's CUDA wheels on Linux)"
    return None


def unavailable_for(request: Request) -> Optional[str]:
    """Why the kernels cannot run ``request`` here: CPU tensors need Triton's interpreter."""
    if request.device == "cpu" and not interpreting():
        return "it runs on CPU tensors only in Triton's interpreter (TRITON_INTERPRET=1 before Triton is imported)"
    return None


_SUPPORT = dict(surrogates=tuple(SURROGATE_IDS), devices=("cuda", "cpu"), dtypes=DTYPES)

BACKEND = Backend(
    name="triton",
    summary="Triton: one GPU kernel per layer and direction (forward and hand-written backward), CUDA",
    ops={"lif": Support(run, **_SUPPORT), "lif_linear": Support(run_linear, **_SUPPORT)},
    unavailable=unavailable,
    unavailable_for=unavailable_for,
    auto_devices=("cuda",),
)
