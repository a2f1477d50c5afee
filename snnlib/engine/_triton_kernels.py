r"""The Triton kernels of the ``"triton"`` backend (imported on first use by :mod:`snnlib.engine.triton`).

Two kernels, one program per block of ``BLOCK`` neurons (the flattened ``[B, ...]`` of one step,
``M`` neurons), each looping over all ``T`` steps with the neuron's state in registers, so a layer's
whole recurrence is **one launch** forward and **one** backward:

* :func:`lif_fwd`: ``U[t] = beta U[t-1] + I[t] - S[t-1] thr`` (subtract; zero: ``beta ((1 - S[t-1])
  U[t-1]) + I[t]``; none: ``beta U[t-1] + I[t]``), the operations in the order of
  :func:`snnlib.neurons.lif_step` (launched with ``enable_fp_fusion=False``, so the GPU rounds as
  PyTorch does and the spikes are bit-identical), ``S[t] = U[t] > thr``; writes the spike record
  (in the spikes' dtype) and the membrane record (float32).
* :func:`lif_bwd`: the reverse recurrence of :mod:`snnlib.engine.fused`, ``G[t] = dL/dU[t] +
  dL/dS[t] sg'(U[t] - thr) + d[t] G[t+1]`` (``d[t] = beta``, or ``beta (1 - S[t])`` for the zero
  reset), writing ``dL/dI[t] = G[t]`` (or its sum over steps for a static current) and, per
  neuron, the sums that make ``dL/dbeta`` and ``dL/dthr``.

The state, the surrogate and every sum are float32 whatever the inputs' dtype (bf16 or float16
inputs are read and converted). ``SG`` selects the surrogate derivative (the ids of
:data:`snnlib.engine.triton.SURROGATE_IDS`), with its constants ``c0, c1``.

``INTERPRET`` records whether the kernels were defined for Triton's interpreter
(``TRITON_INTERPRET=1``: they then run on CPU tensors, with NumPy).
"""

from __future__ import annotations

import triton
import triton.language as tl

#: Whether these kernels run in Triton's interpreter (decided when this module was imported).
INTERPRET = bool(triton.knobs.runtime.interpret)


@triton.jit
def _surrogate(u, c0, c1, SG: tl.constexpr):
    """The surrogate derivative ``sg'(u)`` (float32), by id (see SURROGATE_IDS)."""
    if SG == 0:  # arctan: (alpha / 2) / (1 + (pi / 2 alpha u)^2); c0 = pi / 2 alpha, c1 = alpha / 2
        z = c0 * u
        d = c1 / (1.0 + z * z)
    elif SG == 1:  # fast sigmoid: 1 / (1 + k |u|)^2; c0 = k
        a = 1.0 + c0 * tl.abs(u)
        d = 1.0 / (a * a)
    elif SG == 2:  # sigmoid: k sig(k u) (1 - sig(k u)); c0 = k
        s = tl.sigmoid(c0 * u)
        d = c0 * s * (1.0 - s)
    elif SG == 3:  # triangle: k max(0, 1 - k |u|); c0 = k
        d = c0 * tl.maximum(1.0 - c0 * tl.abs(u), 0.0)
    elif SG == 4:  # straight through: 1 where |u| <= window (c0, may be inf)
        d = tl.where(tl.abs(u) <= c0, 1.0, 0.0)
    else:  # none: 0
        d = u * 0.0
    return d


@triton.jit
def _parameters(beta_ptr, thr_ptr, offs, m, beta_f, thr_f, BETA_T: tl.constexpr, THR_T: tl.constexpr):
    """``(beta, thr)`` of the block's neurons: loaded per neuron (float32) or the scalars."""
    if BETA_T:
        beta = tl.load(beta_ptr + offs, mask=m, other=0.0).to(tl.float32)
    else:
        beta = beta_f
    if THR_T:
        thr = tl.load(thr_ptr + offs, mask=m, other=1.0).to(tl.float32)
    else:
        thr = thr_f
    return beta, thr


@triton.jit
def lif_fwd(
    cur_ptr,
    beta_ptr,
    thr_ptr,
    spk_ptr,
    mem_ptr,
    M,
    beta_f,
    thr_f,
    T: tl.constexpr,
    STATIC: tl.constexpr,
    RESET: tl.constexpr,
    BETA_T: tl.constexpr,
    THR_T: tl.constexpr,
    BLOCK: tl.constexpr,
):
    """Spikes and membranes ``[T, M]`` of ``M`` neurons driven by ``cur`` (``[T, M]``, or ``[M]`` if STATIC)."""
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < M
    beta, thr = _parameters(beta_ptr, thr_ptr, offs, m, beta_f, thr_f, BETA_T, THR_T)
    x = tl.load(cur_ptr + offs, mask=m, other=0.0).to(tl.float32)
    u = tl.zeros([BLOCK], dtype=tl.float32)
    s = tl.zeros([BLOCK], dtype=tl.float32)
    for t in range(T):
        if not STATIC:
            x = tl.load(cur_ptr + t * M + offs, mask=m, other=0.0).to(tl.float32)
        if RESET == 0:  # subtract
            u = beta * u + x - s * thr
        elif RESET == 1:  # zero
            u = beta * ((1.0 - s) * u) + x
        else:  # none
            u = beta * u + x
        s = tl.where(u > thr, 1.0, 0.0)
        tl.store(mem_ptr + t * M + offs, u, mask=m)
        tl.store(spk_ptr + t * M + offs, s.to(spk_ptr.dtype.element_ty), mask=m)


@triton.jit
def lif_bwd(
    gspk_ptr,
    gmem_ptr,
    mem_ptr,
    beta_ptr,
    thr_ptr,
    gcur_ptr,
    gbeta_ptr,
    gthr_ptr,
    M,
    beta_f,
    thr_f,
    c0,
    c1,
    T: tl.constexpr,
    STATIC: tl.constexpr,
    RESET: tl.constexpr,
    BETA_T: tl.constexpr,
    THR_T: tl.constexpr,
    HAS_GSPK: tl.constexpr,
    HAS_GMEM: tl.constexpr,
    NEED_BETA: tl.constexpr,
    NEED_THR: tl.constexpr,
    SG: tl.constexpr,
    BLOCK: tl.constexpr,
):
    """The reverse recurrence over ``T`` steps of ``M`` neurons: ``dL/dI`` and the per-neuron sums."""
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < M
    beta, thr = _parameters(beta_ptr, thr_ptr, offs, m, beta_f, thr_f, BETA_T, THR_T)
    g_next = tl.zeros([BLOCK], dtype=tl.float32)  # G[t+1] (0 after the last step)
    acc_cur = tl.zeros([BLOCK], dtype=tl.float32)
    acc_beta = tl.zeros([BLOCK], dtype=tl.float32)
    acc_thr = tl.zeros([BLOCK], dtype=tl.float32)
    u = tl.load(mem_ptr + (T - 1) * M + offs, mask=m, other=0.0)
    for i in range(T):
        t = T - 1 - i
        # U[t-1] (0 before the first step), read once: it is the next iteration's U[t].
        u_prev = tl.load(mem_ptr + (t - 1) * M + offs, mask=m & (t > 0), other=0.0)
        g = tl.zeros([BLOCK], dtype=tl.float32)
        if HAS_GSPK:
            gs = tl.load(gspk_ptr + t * M + offs, mask=m, other=0.0).to(tl.float32)
            g = gs * _surrogate(u - thr, c0, c1, SG)
            if NEED_THR:
                acc_thr -= g
        if HAS_GMEM:
            g += tl.load(gmem_ptr + t * M + offs, mask=m, other=0.0).to(tl.float32)
        if RESET == 1:  # zero reset: dU[t+1]/dU[t] = beta (1 - S[t])
            g += g_next * (beta * tl.where(u > thr, 0.0, 1.0))
        else:
            g += g_next * beta
        if STATIC:
            acc_cur += g
        else:
            tl.store(gcur_ptr + t * M + offs, g.to(gcur_ptr.dtype.element_ty), mask=m)
        s_prev = tl.where(u_prev > thr, 1.0, 0.0)
        if NEED_BETA:  # dU[t]/dbeta = U[t-1] (times 1 - S[t-1] for the zero reset)
            if RESET == 1:
                acc_beta += g * (u_prev * (1.0 - s_prev))
            else:
                acc_beta += g * u_prev
        if NEED_THR and RESET == 0:  # dU[t]/dthr = -S[t-1]
            acc_thr -= g * s_prev
        g_next = g
        u = u_prev
    if STATIC:
        tl.store(gcur_ptr + offs, acc_cur.to(gcur_ptr.dtype.element_ty), mask=m)
    if NEED_BETA:
        tl.store(gbeta_ptr + offs, acc_beta, mask=m)
    if NEED_THR:
        tl.store(gthr_ptr + offs, acc_thr, mask=m)
