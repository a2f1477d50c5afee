r"""The ``"fused"`` backend: all steps of a LIF layer in one autograd node, with a hand-written backward.

Forward: the recurrence of :func:`snnlib.neurons.lif_step` (same operations in the same order, so
the spikes are bit-identical), written in place into preallocated records. Backward, for any
surrogate (the reset is detached, as in snnTorch): with ``G[t] = dL/dU[t]``,

.. math:: G[t] = \frac{\partial L}{\partial U[t]}\Big|_{direct} + \frac{\partial L}{\partial S[t]}\,
          sg'(U[t] - U_{thr}) + d[t]\, G[t+1],

where ``sg'`` is the surrogate's derivative (:meth:`snnlib.surrogate.Surrogate.derivative`, taken
for the whole record at once) and ``d[t] = beta`` (subtract, none) or ``beta (1 - S[t])`` (zero
reset). Then ``dL/dI[t] = G[t]`` (summed over time for a static current), ``dL/dbeta = sum_t G[t]
U[t-1]`` (times ``1 - S[t-1]`` for the zero reset) and ``dL/dthr = -sum_t dL/dS[t] sg'(U[t] - thr)
- sum_t G[t] S[t-1]`` (the second sum for the subtractive reset only). One reverse loop of one
in-place operation per step; only the membrane record is saved (spikes are recomputed from it).

Runs on any device and floating dtype; everything but a refractory period. A bfloat16 or float16
current (autocast) is computed in float32: spikes in the current's dtype, membranes in float32. The fused hidden layer
plus output synapses (operation ``"lif_linear"``) is :mod:`snnlib.engine.fused_linear`.
"""

from __future__ import annotations

from typing import Tuple

import torch

from . import fused_linear
from ._ops import detached, lif_forward, no_autocast, reduce_to, state_dtype, tensor_or_none
from .spec import Backend, Call, Support

__all__ = ["LIFMultiStep", "run", "BACKEND"]


class LIFMultiStep(torch.autograd.Function):
    """``apply(cur, beta, thr, num_steps, reset, surrogate, static) -> (spk_rec, mem_rec)``, each ``[T, B, ...]``.

    ``cur`` ``[T, B, ...]`` (or ``[B, ...]`` when ``static``); ``beta``/``thr`` floats or tensors
    broadcastable to ``[B, ...]``; ``surrogate`` a :class:`snnlib.surrogate.Surrogate`.
    """

    @staticmethod
    def forward(ctx, cur, beta, thr, num_steps: int, reset: str, surrogate, static: bool):
        ctx.set_materialize_grads(False)
        work = state_dtype(cur.dtype)
        with torch.no_grad(), no_autocast(cur.device):
            spk_rec, mem_rec = lif_forward(cur.detach().to(work), num_steps, detached(beta), detached(thr), reset, static)
        ctx.save_for_backward(mem_rec, tensor_or_none(beta), tensor_or_none(thr))
        ctx.cur_dtype = cur.dtype
        ctx.beta_f = None if isinstance(beta, torch.Tensor) else float(beta)
        ctx.thr_f = None if isinstance(thr, torch.Tensor) else float(thr)
        ctx.reset, ctx.surrogate, ctx.static = reset, surrogate, static
        return spk_rec.to(cur.dtype), mem_rec

    @staticmethod
    def backward(ctx, g_spk, g_mem):
        none = (None,) * 7
        if g_spk is None and g_mem is None:
            return none
        with no_autocast(g_spk.device if g_spk is not None else g_mem.device):
            return LIFMultiStep._backward(ctx, g_spk, g_mem)

    @staticmethod
    def _backward(ctx, g_spk, g_mem):
        mem_rec, beta_t, thr_t = ctx.saved_tensors
        beta = ctx.beta_f if beta_t is None else beta_t.detach()
        thr = ctx.thr_f if thr_t is None else thr_t.detach()
        need_beta, need_thr = ctx.needs_input_grad[1], ctx.needs_input_grad[2]
        T, reset = mem_rec.shape[0], ctx.reset
        g_thr = None
        if g_spk is not None:
            G = torch.mul(g_spk.to(mem_rec.dtype), ctx.surrogate.derivative(mem_rec - thr))  # dL/dS * sg'(U - thr), all steps
            if need_thr:
                g_thr = -G.sum(0)
            if g_mem is not None:
                G.add_(g_mem)
        else:
            G = g_mem.to(mem_rec.dtype, copy=True, memory_format=torch.contiguous_format)
        if T > 1:
            if reset == "zero":
                decay = (mem_rec[:-1] <= thr).to(G.dtype).mul_(beta)  # beta (1 - S[t])
                for t in range(T - 2, -1, -1):
                    G[t].addcmul_(G[t + 1], decay[t])
            elif isinstance(beta, torch.Tensor):
                for t in range(T - 2, -1, -1):
                    G[t].addcmul_(G[t + 1], beta)
            else:
                for t in range(T - 2, -1, -1):
                    G[t].add_(G[t + 1], alpha=beta)
        g_beta = None
        if need_beta:
            prev = mem_rec[:-1]  # dU[t]/dbeta = U[t-1] (times 1 - S[t-1] for the zero reset); U[-1] = 0
            if reset == "zero":
                prev = prev * (prev <= thr).to(prev.dtype)
            g_beta = reduce_to((G[1:] * prev).sum(0), beta_t)
        if need_thr:
            if g_thr is None:
                g_thr = torch.zeros_like(mem_rec[0])
            if reset == "subtract":  # dU[t]/dthr = -S[t-1]
                g_thr = g_thr - (G[1:] * (mem_rec[:-1] > thr).to(G.dtype)).sum(0)
            g_thr = reduce_to(g_thr, thr_t)
        g_cur = (G.sum(0) if ctx.static else G).to(ctx.cur_dtype)
        return g_cur, _like(g_beta, beta_t), _like(g_thr, thr_t), None, None, None, None


def _like(g, param):
    """A parameter's gradient in the parameter's dtype (``None`` stays ``None``)."""
    return None if g is None else g.to(param.dtype)


def run(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif"``: ``(spk_rec, mem_rec)``, each ``[T, B, ...]``."""
    return LIFMultiStep.apply(call.cur, call.beta, call.threshold, call.num_steps, call.reset, call.surrogate, call.static)


BACKEND = Backend(
    name="fused",
    summary="PyTorch: one autograd node per layer, hand-written backward for any surrogate (any device)",
    ops={"lif": Support(run), "lif_linear": Support(fused_linear.run)},
)
