"""The ``"fused"`` backend's ``"lif_linear"``: a LIF layer and the next layer's synapses, fused over time.

``I [B, H]`` (static) or ``[T, B, H]`` -> ``I_2 [T, B, C]`` with ``I_2[t] = S[t] W^T + b``: the
hidden LIF recurrence and the output synapses run in one loop over chunks of steps, so each chunk's
hidden slices stay in cache. Saves only the hidden membranes ``[T, B, H]``; the backward pass runs
the reverse recurrence and, chunk by chunk, ``dL/dS[t] = dL/dI_2[t] W`` and ``dL/dW += dL/dI_2[t]^T
S[t]``: two passes over ``[T, B, H]`` memory in all, against a dozen for separate operations. Same
arithmetic as the per-step loop (identical spikes); any surrogate (its derivative is taken chunk by
chunk).

Mixed precision: with a bfloat16/float16 current, or synapses of another dtype (autocast keeps them
float32), everything is computed in float32; under autocast ``I_2`` is returned in the autocast
dtype (as ``F.linear`` would return it), the counts in float32, each gradient in its input's dtype.
"""

from __future__ import annotations

from typing import Tuple

import torch

from ._ops import autocast_dtype, detached, membrane_step_, no_autocast, reduce_to, state_dtype, tensor_or_none
from .spec import Call

__all__ = ["LIFLinear", "run"]


class LIFLinear(torch.autograd.Function):
    """``apply(cur, w, b, beta, thr, num_steps, reset, surrogate, static) -> (cur2 [T, B, C], count [T, B])``.

    ``cur`` is ``[B, H]`` when ``static`` (the same at every step), else ``[T, B, H]``; ``w`` ``[C, H]``,
    ``b`` ``[C]``; ``count`` is the hidden layer's spikes per step and sample (not differentiable).
    """

    #: steps per chunk: the output synapses run on ``[CHUNK*B, H]`` slabs that stay in cache.
    CHUNK = 5

    @staticmethod
    def forward(ctx, cur1, w2, b2, beta, thr, num_steps: int, reset: str, surrogate, static: bool):
        ctx.set_materialize_grads(False)
        ctx.dtypes = (cur1.dtype, w2.dtype, b2.dtype)
        out_dtype = autocast_dtype(cur1.device) or cur1.dtype
        work = state_dtype(cur1.dtype) if w2.dtype == cur1.dtype == b2.dtype else torch.float32
        with no_autocast(cur1.device):
            cur2, counts = LIFLinear._forward(
                ctx,
                cur1.detach().to(work),
                w2.detach().to(work),
                b2.detach().to(work),
                beta,
                thr,
                num_steps,
                reset,
                surrogate,
                static,
            )
        return cur2.to(out_dtype), counts

    @staticmethod
    def _forward(ctx, cur1, w2, b2, beta, thr, num_steps: int, reset: str, surrogate, static: bool):
        b, th = detached(beta), detached(thr)
        T, (B, H), C = num_steps, cur1.shape[-2:], w2.shape[0]
        K = LIFLinear.CHUNK
        w2t = w2.t()
        with torch.no_grad():
            mem_rec = torch.empty((T, B, H), dtype=cur1.dtype, device=cur1.device)
            spk_chunk = torch.empty((K, B, H), dtype=cur1.dtype, device=cur1.device)
            cur2 = torch.empty((T, B, C), dtype=cur1.dtype, device=cur1.device)
            counts = torch.empty((T, B), dtype=cur1.dtype, device=cur1.device)
            spk = None
            for t0 in range(0, T, K):
                k = min(K, T - t0)
                for t in range(t0, t0 + k):
                    out, cur_t = mem_rec[t], cur1 if static else cur1[t]
                    if t == 0:
                        out.copy_(cur_t)
                    else:
                        membrane_step_(out, mem_rec[t - 1], spk, cur_t, b, th, reset)
                    spk = spk_chunk[t - t0]
                    torch.gt(out, th, out=spk)
                slab = spk_chunk[:k].view(k * B, H)
                torch.addmm(b2, slab, w2t, out=cur2[t0 : t0 + k].view(k * B, C))
                torch.sum(spk_chunk[:k], 2, out=counts[t0 : t0 + k])
        ctx.save_for_backward(mem_rec, w2, tensor_or_none(beta), tensor_or_none(thr))
        ctx.beta_f = None if isinstance(beta, torch.Tensor) else float(beta)
        ctx.thr_f = None if isinstance(thr, torch.Tensor) else float(thr)
        ctx.reset, ctx.surrogate, ctx.static = reset, surrogate, static
        ctx.mark_non_differentiable(counts)
        return cur2, counts

    @staticmethod
    def backward(ctx, g_cur2, _g_counts):
        if g_cur2 is None:
            return (None,) * 9
        with no_autocast(g_cur2.device):
            grads = LIFLinear._backward(ctx, g_cur2)
        return tuple(None if g is None else g.to(d) for g, d in zip(grads, ctx.dtypes)) + grads[3:]

    @staticmethod
    def _backward(ctx, g_cur2):
        mem_rec, w2, beta_t, thr_t = ctx.saved_tensors
        beta = ctx.beta_f if beta_t is None else beta_t.detach()
        thr = ctx.thr_f if thr_t is None else thr_t.detach()
        reset, static = ctx.reset, ctx.static
        T, B, H = mem_rec.shape
        C = w2.shape[0]
        K = LIFLinear.CHUNK
        need_beta, need_thr = ctx.needs_input_grad[3], ctx.needs_input_grad[4]
        g_cur2 = g_cur2.to(mem_rec.dtype).contiguous()
        g_w2 = torch.zeros_like(w2)
        like = dict(dtype=mem_rec.dtype, device=mem_rec.device)
        if static:
            g_cur = torch.zeros((B, H), **like)
            # Two chunk buffers, used alternately, so G[t+1] from the later chunk stays valid.
            g_bufs = [torch.empty((K, B, H), **like) for _ in range(2)]
        else:
            g_cur = torch.empty((T, B, H), **like)  # G itself
        spk_chunk = torch.empty((K, B, H), **like)
        g_beta = torch.zeros((B, H), **like) if need_beta else None
        g_thr = torch.zeros((B, H), **like) if need_thr else None
        g_next = None
        for j, t0 in enumerate(reversed(range(0, T, K))):
            k = min(K, T - t0)
            m = mem_rec[t0 : t0 + k]
            gc = g_bufs[j % 2][:k] if static else g_cur[t0 : t0 + k]
            sc = spk_chunk[:k]
            torch.gt(m, thr, out=sc)
            g2 = g_cur2[t0 : t0 + k].view(k * B, C)
            g_w2.addmm_(g2.t(), sc.view(k * B, H))  # dL/dW2 += dL/dI2^T S1
            torch.mm(g2, w2, out=gc.view(k * B, H))  # dL/dS1 for the chunk's steps
            gc.mul_(ctx.surrogate.derivative(m - thr))  # dL/dS1 * sg'(U1 - thr)
            if need_thr:
                g_thr.sub_(gc.sum(0))
            # Reverse recurrence through the chunk: G[t] += decay * G[t+1] (one op per step).
            for i in range(k - 1, -1, -1):
                t = t0 + i
                g = gc[i]
                if t < T - 1:
                    if reset == "zero":
                        g.addcmul_(g_next * beta, 1 - sc[i])
                    elif isinstance(beta, torch.Tensor):
                        g.addcmul_(g_next, beta)
                    else:
                        g.add_(g_next, alpha=beta)
                g_next = g
            if static:
                g_cur.add_(gc.sum(0))
            if need_beta or (need_thr and reset == "subtract"):
                for i in range(k):
                    t = t0 + i
                    if t == 0:
                        continue
                    prev = mem_rec[t - 1]
                    spk_prev = (prev > thr).to(prev.dtype)
                    if need_beta:
                        g_beta.addcmul_(gc[i], prev * (1 - spk_prev) if reset == "zero" else prev)
                    if need_thr and reset == "subtract":
                        g_thr.addcmul_(gc[i], spk_prev, value=-1)
        g_b2 = g_cur2.sum((0, 1))
        return (
            g_cur,
            g_w2,
            g_b2,
            reduce_to(g_beta, beta_t).to(beta_t.dtype) if need_beta else None,
            reduce_to(g_thr, thr_t).to(thr_t.dtype) if need_thr else None,
            None,
            None,
            None,
            None,
        )


def run(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif_linear"``: ``(cur_out [T, B, C], spike_count [T, B])``."""
    return LIFLinear.apply(
        call.cur, call.weight, call.bias, call.beta, call.threshold, call.num_steps, call.reset, call.surrogate, call.static
    )
