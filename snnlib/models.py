r"""The spiking MLP of the MNIST chapter: a plain per-step version and a fast path that computes the same.

The network is the reference of the chapter (784-1000-10 LIF neurons, 25 steps, the image presented
as a constant input current at every step):

.. math::  I_1 = W_1 x, \quad U_1[t] = \beta U_1[t-1] + I_1 - S_1[t-1] U_{thr}, \quad
           I_2[t] = W_2 S_1[t], \quad U_2[t] = \beta U_2[t-1] + I_2[t] - S_2[t-1] U_{thr}.

Two ways to compute it, same numbers:

* :class:`SpikingMLP` with ``fast=False`` loops over time with :class:`snnlib.neurons.LIF` one step
  at a time: ``fc1 -> lif1 -> fc2 -> lif2`` per step, as snnTorch's tutorial does. Each step launches
  a dozen small operations and autograd records every one of them.
* ``fast=True`` (the default) uses three facts: the input is the same at every step, so ``W_1 x`` is
  computed once; the LIF recurrence is elementwise, so the whole time loop is one
  :func:`lif_multistep` call whose backward pass is written by hand (one fused operation per step);
  and the output layer's currents for all steps are one matrix product ``[T*B, 1000] x [1000, 10]``.
  On a CPU, the hidden layer and the output synapses run as one fused C kernel
  (:mod:`snnlib._cpu_kernel`, compiled on first use; the PyTorch code here is the fallback).

Shapes are time-first: models return ``(spk_rec, mem_rec)`` of the output layer, each ``[T, B, 10]``.

Also here: :class:`ANN` (the non-spiking network of the same shape, for comparison), the losses
(:func:`membrane_ce_loss`, :func:`rate_ce_loss`), readouts (:func:`predict`) and operation counts
(:func:`count_operations`). Reference implementations used by the benchmarks (snnTorch's tutorial
network and a plain-PyTorch loop) are :class:`SnnTorchReference` and :class:`TorchReference`.
"""

from __future__ import annotations

import math
import warnings
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from . import _cpu_kernel
from . import surrogate as _surrogate
from .neurons import LIF, RESETS

__all__ = [
    "lif_multistep",
    "lif_multistep_static",
    "SpikingMLP",
    "ANN",
    "TorchReference",
    "SnnTorchReference",
    "membrane_ce_loss",
    "rate_ce_loss",
    "predict",
    "count_operations",
    "count_dispatched_ops",
    "maybe_compile",
]

Number = Union[float, torch.Tensor]


# =============================================================================================
# The multi-step LIF function with a hand-written backward pass
# =============================================================================================


def _membrane_step_(out: torch.Tensor, prev: torch.Tensor, spk_prev: torch.Tensor, cur: torch.Tensor,
                    beta: Number, thr: Number, reset: str, thr_is_float: bool) -> None:
    """``out <- beta * U[t-1] + I[t] - S[t-1] * thr`` (or the zero / no reset), in place.

    The same operations in the same order as :func:`snnlib.neurons.lif_step`, so the spikes that
    follow are bit-identical to the per-step loop. All tensors ``[B, ...]``.
    """
    torch.mul(prev, beta, out=out)
    if reset == "zero":
        out.mul_(1 - spk_prev)
    out.add_(cur)
    if reset == "subtract":
        if thr_is_float:
            out.sub_(spk_prev, alpha=thr)
        else:
            out.addcmul_(spk_prev, thr, value=-1)


def _lif_forward(cur: torch.Tensor, num_steps: int, beta: Number, thr: Number, reset: str,
                 static: bool) -> Tuple[torch.Tensor, torch.Tensor]:
    """Spike and membrane records ``[T, B, ...]`` of LIF neurons driven by ``cur``.

    ``cur`` is ``[T, B, ...]``, or ``[B, ...]`` when ``static`` (the same current at every step).
    Same arithmetic, in the same order, as :func:`snnlib.neurons.lif_step` (``beta * U``, plus
    ``I``, minus the reset term from the previous step's spike), so the spikes are bit-identical;
    written in place into preallocated records, four small operations per step. The spike of step
    ``t`` is computed once and reused as the reset of step ``t + 1``.
    """
    shape = tuple(cur.shape) if static else tuple(cur.shape[1:])
    mem_rec = torch.empty((num_steps,) + shape, dtype=cur.dtype, device=cur.device)
    spk_rec = torch.empty_like(mem_rec)
    thr_is_float = not isinstance(thr, torch.Tensor)
    for t in range(num_steps):
        cur_t = cur if static else cur[t]
        out = mem_rec[t]
        if t == 0:
            out.copy_(cur_t)  # the membrane starts at rest: beta * 0 + I - 0 = I
        else:
            _membrane_step_(out, mem_rec[t - 1], spk_rec[t - 1], cur_t, beta, thr, reset, thr_is_float)
        torch.gt(out, thr, out=spk_rec[t])
    return spk_rec, mem_rec


class _LIFMultiStep(torch.autograd.Function):
    """All ``T`` steps of a LIF layer in one autograd node (arctan surrogate).

    Forward: the recurrence of :func:`_lif_forward`; spikes ``S[t] = H(U[t] - thr)``.
    Backward (the reset is detached, as in snnTorch): with ``G[t] = dL/dU[t]``,

    ``G[t] = dL/dU[t]|direct + dL/dS[t] * sg(U[t] - thr) + decay[t] * G[t+1]``,

    where ``decay = beta`` (subtract/none) or ``beta * (1 - S[t])`` (zero reset), and
    ``sg(u) = (alpha/2) / (1 + (pi/2 alpha u)^2)``. One reverse loop, a few in-place operations per
    step on cache-sized slices. Saves only the membrane record (spikes are recomputed from it).
    """

    @staticmethod
    def forward(ctx, cur, beta, thr, num_steps: int, reset: str, alpha: float, static: bool):
        ctx.set_materialize_grads(False)
        b = beta.detach() if isinstance(beta, torch.Tensor) else beta
        th = thr.detach() if isinstance(thr, torch.Tensor) else thr
        ctx.kernel = (not static and reset == "subtract" and not isinstance(b, torch.Tensor)
                      and not isinstance(th, torch.Tensor) and _cpu_kernel.available(cur))
        with torch.no_grad():
            if ctx.kernel:  # the same recurrence as one C loop (CPU; see _cpu_kernel)
                spk_rec, mem_rec = _cpu_kernel.lif_fwd(cur.detach(), b, th)
            else:
                spk_rec, mem_rec = _lif_forward(cur.detach(), num_steps, b, th, reset, static)
        ctx.save_for_backward(mem_rec, beta if isinstance(beta, torch.Tensor) else None,
                              thr if isinstance(thr, torch.Tensor) else None)
        ctx.beta_f = None if isinstance(beta, torch.Tensor) else float(beta)
        ctx.thr_f = None if isinstance(thr, torch.Tensor) else float(thr)
        ctx.reset, ctx.alpha, ctx.static = reset, alpha, static
        return spk_rec, mem_rec

    @staticmethod
    def backward(ctx, g_spk, g_mem):
        mem_rec, beta_t, thr_t = ctx.saved_tensors
        beta = ctx.beta_f if beta_t is None else beta_t.detach()
        thr = ctx.thr_f if thr_t is None else thr_t.detach()
        alpha, reset = ctx.alpha, ctx.reset
        if g_spk is None and g_mem is None:
            return None, None, None, None, None, None, None
        if ctx.kernel:
            return _cpu_kernel.lif_bwd(mem_rec, g_spk, g_mem, beta, thr, alpha), None, None, None, None, None, None
        T = mem_rec.shape[0]
        need_beta, need_thr = ctx.needs_input_grad[1], ctx.needs_input_grad[2]
        k2c = (math.pi / 2 * alpha) ** 2 / (alpha / 2)  # sg(u) = 1 / (2/alpha + k2c * u^2)
        inv_c = torch.tensor(2 / alpha, dtype=mem_rec.dtype, device=mem_rec.device)
        G = torch.empty_like(mem_rec)
        u = torch.empty_like(mem_rec[0])
        g_cur = torch.zeros_like(mem_rec[0]) if ctx.static else None
        g_thr_spk = torch.zeros_like(mem_rec[0]) if need_thr else None
        for t in range(T - 1, -1, -1):
            g = G[t]
            if g_spk is not None:
                torch.sub(mem_rec[t], thr, out=u)
                torch.addcmul(inv_c, u, u, value=k2c, out=u)
                torch.div(g_spk[t], u, out=g)  # dL/dS * sg(U - thr)
                if need_thr:
                    g_thr_spk.sub_(g)
                if g_mem is not None:
                    g.add_(g_mem[t])
            else:
                g.copy_(g_mem[t])
            if t < T - 1:
                if reset == "zero":
                    keep = (mem_rec[t] <= thr).to(g.dtype)
                    g.addcmul_(G[t + 1] * beta, keep)
                elif isinstance(beta, torch.Tensor):
                    g.addcmul_(G[t + 1], beta)
                else:
                    g.add_(G[t + 1], alpha=beta)
            if g_cur is not None:
                g_cur.add_(g)
        if g_cur is None:
            g_cur = G
        g_beta = g_thr = None
        if need_beta:
            # dU[t]/dbeta = U[t-1] (times (1 - S[t-1]) for zero reset); U[-1] = 0.
            prev = mem_rec[:-1]
            if reset == "zero":
                prev = prev * (prev <= thr).to(prev.dtype)
            g_beta = _reduce_to((G[1:] * prev).sum(0), beta_t)
        if need_thr:
            # Through the spike: dS[t]/dthr = -sg(U[t] - thr) (accumulated above); through the
            # subtractive reset: dU[t]/dthr = -S[t-1].
            gt = g_thr_spk
            if reset == "subtract":
                gt = gt - (G[1:] * (mem_rec[:-1] > thr).to(G.dtype)).sum(0)
            g_thr = _reduce_to(gt, thr_t)
        return g_cur, g_beta, g_thr, None, None, None, None


def _reduce_to(g: torch.Tensor, like: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    """Sum a per-neuron gradient ``[B, ...]`` down to the parameter's shape (scalar or ``[...]``)."""
    if like is None:
        return None
    if like.dim() == 0:
        return g.sum().reshape(())
    return g.sum_to_size(like.shape)


def lif_multistep(
    cur: torch.Tensor,
    beta: Number = 0.95,
    threshold: Number = 1.0,
    reset: str = "subtract",
    alpha: float = 2.0,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """All time steps of a layer of LIF neurons in one call, with a hand-written backward pass.

    Computes exactly what a loop of :func:`snnlib.neurons.lif_step` with the arctan surrogate
    computes (the same spikes, the same gradients to float rounding), but records a single
    autograd node, saves only the membranes, and runs its backward as one fused operation per step.

    Args:
        cur: input current, time-first ``[T, B, ...]`` (for a current that is the same at every
            step use :func:`lif_multistep_static`).
        beta: decay in [0, 1]: a float, or a tensor (scalar or per neuron) that may require grad.
        threshold: firing threshold > 0: a float or a tensor that may require grad.
        reset: ``"subtract"``, ``"zero"`` or ``"none"``.
        alpha: sharpness of the arctan surrogate.

    Returns:
        ``(spk_rec, mem_rec)``, each ``[T, B, ...]``.
    """
    if not isinstance(cur, torch.Tensor) or cur.dim() < 2:
        raise ValueError(f"cur must be a tensor of shape [T, B, ...] (time first), got {getattr(cur, 'shape', type(cur))}")
    if reset not in RESETS:
        raise ValueError(f"unknown reset {reset!r}: expected one of {RESETS}")
    if isinstance(beta, torch.Tensor):
        beta = beta.clamp(0, 1)
    return _LIFMultiStep.apply(cur, beta, threshold, int(cur.shape[0]), reset, float(alpha), False)


def lif_multistep_static(cur: torch.Tensor, num_steps: int, beta: Number = 0.95, threshold: Number = 1.0,
                         reset: str = "subtract", alpha: float = 2.0) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`lif_multistep` for a current ``[B, ...]`` that is the same at every one of ``num_steps`` steps.

    Returns ``(spk_rec, mem_rec)``, each ``[T, B, ...]``; the current's gradient is summed over time.
    """
    if not isinstance(cur, torch.Tensor) or cur.dim() < 1:
        raise ValueError(f"cur must be a static current tensor [B, ...], got {getattr(cur, 'shape', type(cur))}")
    if num_steps < 1:
        raise ValueError(f"num_steps must be >= 1, got {num_steps}")
    if reset not in RESETS:
        raise ValueError(f"unknown reset {reset!r}: expected one of {RESETS}")
    if isinstance(beta, torch.Tensor):
        beta = beta.clamp(0, 1)
    return _LIFMultiStep.apply(cur, beta, threshold, int(num_steps), reset, float(alpha), True)


class _HiddenToOutput(torch.autograd.Function):
    """The hidden LIF layer and the output layer's synapses, fused over time: ``I_1 [B, H]`` -> ``I_2 [T, B, C]``.

    For a static hidden current ``I_1`` (the same at every step), runs the hidden LIF recurrence and
    computes ``I_2[t] = S_1[t] W_2^T + b_2`` inside the same loop, so each step's hidden slice
    ``[B, H]`` stays in cache. Saves only the hidden membranes ``[T, B, H]``; the backward pass runs
    the reverse recurrence and, step by step, ``dL/dS_1[t] = dL/dI_2[t] W_2`` and
    ``dL/dW_2 += dL/dI_2[t]^T S_1[t]``: two passes over ``[T, B, H]`` memory in all, against a dozen
    for separate operations. Same arithmetic as the per-step loop (identical spikes).
    Returns ``(cur2 [T, B, C], hidden spike count [T, B])``.
    """

    #: steps per chunk: the output synapses run on ``[CHUNK*B, H]`` slabs that stay in cache.
    CHUNK = 5

    @staticmethod
    def forward(ctx, cur1, w2, b2, beta, thr, num_steps: int, reset: str, alpha: float):
        ctx.set_materialize_grads(False)
        b = beta.detach() if isinstance(beta, torch.Tensor) else beta
        th = thr.detach() if isinstance(thr, torch.Tensor) else thr
        cur1, w2, b2 = cur1.detach(), w2.detach(), b2.detach()
        T, (B, H), C = num_steps, cur1.shape, w2.shape[0]
        K = _HiddenToOutput.CHUNK
        w2t = w2.t()
        use_kernel = (reset == "subtract" and not isinstance(b, torch.Tensor) and not isinstance(th, torch.Tensor)
                      and _cpu_kernel.available(cur1, w2, b2))
        if use_kernel:
            # The fused C kernel (CPU): all steps of a batch row in cache, the output synapses summed over
            # the neurons that spiked; saves only I_1 (the backward pass recomputes the rest). See _cpu_kernel.
            cur2, counts = _cpu_kernel.fwd(cur1, w2, b2, T, b, th)
            ctx.save_for_backward(cur1, w2)
            ctx.kernel, ctx.beta_f, ctx.thr_f, ctx.alpha, ctx.num_steps = True, float(b), float(th), alpha, T
            ctx.mark_non_differentiable(counts)
            return cur2, counts
        with torch.no_grad():
            mem_rec = torch.empty((T, B, H), dtype=cur1.dtype, device=cur1.device)
            spk_chunk = torch.empty((K, B, H), dtype=cur1.dtype, device=cur1.device)
            cur2 = torch.empty((T, B, C), dtype=cur1.dtype, device=cur1.device)
            counts = torch.empty((T, B), dtype=cur1.dtype, device=cur1.device)
            thr_is_float = not isinstance(th, torch.Tensor)
            spk = None
            for t0 in range(0, T, K):
                k = min(K, T - t0)
                for t in range(t0, t0 + k):
                    out = mem_rec[t]
                    if t == 0:
                        out.copy_(cur1)
                    else:
                        _membrane_step_(out, mem_rec[t - 1], spk, cur1, b, th, reset, thr_is_float)
                    spk = spk_chunk[t - t0]
                    torch.gt(out, th, out=spk)
                slab = spk_chunk[:k].view(k * B, H)
                torch.addmm(b2, slab, w2t, out=cur2[t0:t0 + k].view(k * B, C))
                torch.sum(spk_chunk[:k], 2, out=counts[t0:t0 + k])
        ctx.save_for_backward(mem_rec, w2, beta if isinstance(beta, torch.Tensor) else None,
                              thr if isinstance(thr, torch.Tensor) else None)
        ctx.beta_f = None if isinstance(beta, torch.Tensor) else float(beta)
        ctx.thr_f = None if isinstance(thr, torch.Tensor) else float(thr)
        ctx.reset, ctx.alpha, ctx.kernel = reset, alpha, False
        ctx.mark_non_differentiable(counts)
        return cur2, counts

    @staticmethod
    def backward(ctx, g_cur2, _g_counts):
        if g_cur2 is None:
            return (None,) * 8
        if ctx.kernel:
            cur1, w2 = ctx.saved_tensors
            g_cur, g_w2 = _cpu_kernel.bwd(cur1, g_cur2, w2, ctx.num_steps, ctx.beta_f, ctx.thr_f, ctx.alpha)
            return g_cur, g_w2, g_cur2.sum((0, 1)), None, None, None, None, None
        mem_rec, w2, beta_t, thr_t = ctx.saved_tensors
        beta = ctx.beta_f if beta_t is None else beta_t.detach()
        thr = ctx.thr_f if thr_t is None else thr_t.detach()
        alpha, reset = ctx.alpha, ctx.reset
        T, B, H = mem_rec.shape
        C = w2.shape[0]
        K = _HiddenToOutput.CHUNK
        need_beta, need_thr = ctx.needs_input_grad[3], ctx.needs_input_grad[4]
        k2c = (math.pi / 2 * alpha) ** 2 / (alpha / 2)  # sg(u) = 1 / (2/alpha + k2c * u^2)
        inv_c = torch.tensor(2 / alpha, dtype=mem_rec.dtype, device=mem_rec.device)
        g_cur2 = g_cur2.contiguous()
        g_w2 = torch.zeros_like(w2)
        g_cur = torch.zeros_like(mem_rec[0])
        # Two chunk buffers, used alternately, so G[t+1] from the later chunk stays valid.
        g_bufs = [torch.empty((K, B, H), dtype=mem_rec.dtype, device=mem_rec.device) for _ in range(2)]
        spk_chunk = torch.empty_like(g_bufs[0])
        u = torch.empty_like(g_bufs[0])
        g_beta = torch.zeros_like(mem_rec[0]) if need_beta else None
        g_thr = torch.zeros_like(mem_rec[0]) if need_thr else None
        g_next = None
        for j, t0 in enumerate(reversed(range(0, T, K))):
            k = min(K, T - t0)
            m = mem_rec[t0:t0 + k]
            gc, sc, uc = g_bufs[j % 2][:k], spk_chunk[:k], u[:k]
            torch.gt(m, thr, out=sc)
            g2 = g_cur2[t0:t0 + k].view(k * B, C)
            g_w2.addmm_(g2.t(), sc.view(k * B, H))  # dL/dW2 += dL/dI2^T S1
            torch.mm(g2, w2, out=gc.view(k * B, H))  # dL/dS1 for the chunk's steps
            # Surrogate for the whole chunk: dL/dS1 * sg(U1 - thr), sg = 1 / (2/alpha + k2c (U1 - thr)^2).
            torch.sub(m, thr, out=uc)
            torch.addcmul(inv_c, uc, uc, value=k2c, out=uc)
            gc.div_(uc)
            if need_thr:
                g_thr.sub_(gc.sum(0))
            # Reverse recurrence through the chunk: G[t] += decay * G[t+1] (one op per step).
            for i in range(k - 1, -1, -1):
                t = t0 + i
                if t == T - 1:
                    g_next = gc[i]
                    continue
                g = gc[i]
                if reset == "zero":
                    g.addcmul_(g_next * beta, 1 - sc[i])
                elif isinstance(beta, torch.Tensor):
                    g.addcmul_(g_next, beta)
                else:
                    g.add_(g_next, alpha=beta)
                g_next = g
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
        return (g_cur, g_w2, g_b2, _reduce_to(g_beta, beta_t) if need_beta else None,
                _reduce_to(g_thr, thr_t) if need_thr else None, None, None, None)


# =============================================================================================
# The spiking MLP
# =============================================================================================


class SpikingMLP(nn.Module):
    """784-1000-10 network of LIF neurons driven by a static image (the chapter's network).

    ``spk_rec, mem_rec = model(x)``: ``x`` is ``[B, 28, 28]`` or ``[B, 784]`` (the same input at every
    step) or a time-first ``[T, B, 784]`` sequence (e.g. Poisson spikes); outputs are the output
    layer's spikes and membranes, ``[T, B, num_outputs]``.

    Args:
        num_inputs, num_hidden, num_outputs: layer sizes (default 784, 1000, 10).
        num_steps: time steps ``T`` (default 25).
        beta, threshold, reset: LIF parameters of both layers (defaults 0.95, 1.0, "subtract").
        alpha: arctan surrogate sharpness (default 2).
        learn_beta, learn_threshold: learn one beta / threshold per neuron.
        fast: use the fast path (default); ``False`` is the per-step loop with :class:`snnlib.neurons.LIF`.
    """

    def __init__(self, num_inputs: int = 784, num_hidden: int = 1000, num_outputs: int = 10, num_steps: int = 25,
                 beta: float = 0.95, threshold: float = 1.0, reset: str = "subtract", alpha: float = 2.0,
                 learn_beta: bool = False, learn_threshold: bool = False, fast: bool = True):
        super().__init__()
        if num_steps < 1:
            raise ValueError(f"num_steps must be >= 1, got {num_steps}")
        self.num_inputs, self.num_hidden, self.num_outputs = num_inputs, num_hidden, num_outputs
        self.num_steps, self.reset, self.alpha, self.fast = num_steps, reset, float(alpha), fast
        self.fc1 = nn.Linear(num_inputs, num_hidden)
        self.fc2 = nn.Linear(num_hidden, num_outputs)
        spike_fn = _surrogate.arctan(alpha)
        self.lif1 = LIF(_per_neuron(beta, num_hidden, learn_beta), _per_neuron(threshold, num_hidden, learn_threshold),
                        reset, surrogate=spike_fn, learn_beta=learn_beta, learn_threshold=learn_threshold)
        self.lif2 = LIF(_per_neuron(beta, num_outputs, learn_beta),
                        _per_neuron(threshold, num_outputs, learn_threshold),
                        reset, surrogate=spike_fn, learn_beta=learn_beta, learn_threshold=learn_threshold)
        #: hidden-layer spikes of the last forward pass ``[T, B, num_hidden]`` (for counting operations).
        self.last_hidden_spikes: Optional[torch.Tensor] = None
        #: hidden spike count per step and sample ``[T, B]`` of the last forward pass.
        self.last_hidden_count: Optional[torch.Tensor] = None

    def _flat_input(self, x: torch.Tensor) -> Tuple[torch.Tensor, bool]:
        """Returns ``(x, static)``: ``[B, num_inputs]`` (static) or ``[T, B, num_inputs]``."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a tensor [B, 28, 28], [B, {self.num_inputs}] or [T, B, {self.num_inputs}]")
        if x.dim() == 2 and x.shape[1] == self.num_inputs:
            return x, True
        if x.dim() == 3 and x.shape[1] * x.shape[2] == self.num_inputs:
            return x.reshape(x.shape[0], -1), True
        if x.dim() == 3 and x.shape[2] == self.num_inputs:
            if x.shape[0] != self.num_steps:
                raise ValueError(f"a time-first input [T, B, {self.num_inputs}] must have T = num_steps = "
                                 f"{self.num_steps}, got shape {tuple(x.shape)}")
            return x, False
        raise ValueError(f"x must have shape [B, 28, 28], [B, {self.num_inputs}] or [T, B, {self.num_inputs}] "
                         f"(time first), got {tuple(x.shape)}")

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``[B, 28, 28]``/``[B, 784]``/``[T, B, 784]`` -> ``(spk_rec, mem_rec)`` ``[T, B, 10]``."""
        x, static = self._flat_input(x)
        if self.fast:
            return self.forward_fast(x, static)
        return self.forward_plain(x, static)

    def forward_plain(self, x: torch.Tensor, static: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
        """The per-step loop, as the chapter explains it first (and as snnTorch's tutorial writes it)."""
        mem1 = mem2 = None
        spk1_rec, spk2_rec, mem2_rec = [], [], []
        for t in range(self.num_steps):
            cur1 = self.fc1(x if static else x[t])
            spk1, mem1 = self.lif1(cur1, mem1)
            cur2 = self.fc2(spk1)
            spk2, mem2 = self.lif2(cur2, mem2)
            spk1_rec.append(spk1)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        self.last_hidden_spikes = torch.stack(spk1_rec).detach()
        self.last_hidden_count = self.last_hidden_spikes.sum(-1)
        return torch.stack(spk2_rec), torch.stack(mem2_rec)

    def forward_fast(self, x: torch.Tensor, static: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
        """Same result as :meth:`forward_plain`, computed with few, large operations.

        ``W_1 x`` once (static input), then the hidden layer and the output synapses fused over time
        (:class:`_HiddenToOutput`), then the output LIF layer's whole time loop in one call. A
        time-first input ``[T, B, 784]`` takes ``fc1`` on all steps at once and :func:`lif_multistep`.
        """
        T, B = self.num_steps, x.shape[-2]
        beta1, thr1 = self._lif_args(self.lif1)
        if static:
            cur1 = self.fc1(x)  # [B, H], once
            cur2, counts = _HiddenToOutput.apply(cur1, self.fc2.weight, self.fc2.bias, beta1, thr1, T, self.reset,
                                                 self.alpha)
            self.last_hidden_spikes = None
            self.last_hidden_count = counts
        else:
            cur1 = self.fc1(x)  # [T, B, H]
            spk1, _ = _LIFMultiStep.apply(cur1, beta1, thr1, T, self.reset, self.alpha, False)
            cur2 = self.fc2(spk1.reshape(T * B, self.num_hidden)).reshape(T, B, self.num_outputs)
            self.last_hidden_spikes = spk1.detach()
            self.last_hidden_count = self.last_hidden_spikes.sum(-1)
        return _LIFMultiStep.apply(cur2, *self._lif_args(self.lif2), T, self.reset, self.alpha, False)

    @torch.no_grad()
    def hidden_spikes(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden layer's spikes ``[T, B, num_hidden]`` for input ``x`` (no gradient), e.g. for a raster plot."""
        x, static = self._flat_input(x)
        beta1, thr1 = self._lif_args(self.lif1)
        if isinstance(beta1, torch.Tensor):
            beta1 = beta1.detach()
        if isinstance(thr1, torch.Tensor):
            thr1 = thr1.detach()
        spk, _ = _lif_forward(self.fc1(x), self.num_steps, beta1, thr1, self.reset, static)
        return spk

    @staticmethod
    def _lif_args(lif: LIF):
        beta, thr = lif.beta, lif.threshold
        if isinstance(beta, nn.Parameter):
            beta = beta.clamp(0, 1)
        elif beta.dim() == 0 or bool((beta == beta.flatten()[0]).all()):
            beta = float(beta.flatten()[0])
        if not isinstance(thr, nn.Parameter) and (thr.dim() == 0 or bool((thr == thr.flatten()[0]).all())):
            thr = float(thr.flatten()[0])
        return beta, thr


def _per_neuron(value: float, n: int, learn: bool):
    return torch.full((n,), float(value)) if learn else float(value)


# =============================================================================================
# Comparison network and reference implementations
# =============================================================================================


class ANN(nn.Module):
    """The non-spiking network of the same shape: ``784 -> 1000 (ReLU) -> 10``; ``x`` ``[B, 28, 28]`` -> logits ``[B, 10]``.

    ``last_hidden`` keeps the hidden activations ``[B, 1000]`` of the last call (to count operations).
    """

    def __init__(self, num_inputs: int = 784, num_hidden: int = 1000, num_outputs: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(num_inputs, num_hidden)
        self.fc2 = nn.Linear(num_hidden, num_outputs)
        self.last_hidden: Optional[torch.Tensor] = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.fc1(x.reshape(x.shape[0], -1)))
        self.last_hidden = h.detach()
        return self.fc2(h)


class _RefATan(torch.autograd.Function):
    """The arctan surrogate written from scratch, as a plain-PyTorch tutorial would (alpha = 2)."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).float()

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad * 1.0 / (1 + (math.pi * u) ** 2)


class TorchReference(nn.Module):
    """The reference network as a plain-PyTorch per-step loop (no library): ``x`` ``[B, 28, 28]`` -> ``[T, B, 10]`` twice."""

    def __init__(self, num_steps: int = 25, beta: float = 0.95, num_hidden: int = 1000):
        super().__init__()
        self.num_steps, self.beta = num_steps, beta
        self.fc1 = nn.Linear(784, num_hidden)
        self.fc2 = nn.Linear(num_hidden, 10)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        mem1 = torch.zeros(x.shape[0], self.fc1.out_features, device=x.device)
        mem2 = torch.zeros(x.shape[0], 10, device=x.device)
        spk2_rec, mem2_rec = [], []
        for _ in range(self.num_steps):
            reset1 = (mem1 > 1.0).float().detach()
            mem1 = self.beta * mem1 + self.fc1(x) - reset1
            spk1 = _RefATan.apply(mem1 - 1.0)
            reset2 = (mem2 > 1.0).float().detach()
            mem2 = self.beta * mem2 + self.fc2(spk1) - reset2
            spk2 = _RefATan.apply(mem2 - 1.0)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        return torch.stack(spk2_rec), torch.stack(mem2_rec)


class SnnTorchReference(nn.Module):
    """snnTorch's tutorial network (``snn.Leaky(beta=0.95)``, arctan): ``x`` ``[B, 28, 28]`` -> ``[T, B, 10]`` twice.

    Needs the ``snntorch`` package (imported when the model is made).
    """

    def __init__(self, num_steps: int = 25, beta: float = 0.95, num_hidden: int = 1000):
        super().__init__()
        import snntorch as snn
        from snntorch import surrogate as ssur

        self.num_steps = num_steps
        self.fc1 = nn.Linear(784, num_hidden)
        self.lif1 = snn.Leaky(beta=beta, spike_grad=ssur.atan())
        self.fc2 = nn.Linear(num_hidden, 10)
        self.lif2 = snn.Leaky(beta=beta, spike_grad=ssur.atan())

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        mem1 = self.lif1.init_leaky()
        mem2 = self.lif2.init_leaky()
        spk2_rec, mem2_rec = [], []
        for _ in range(self.num_steps):
            cur1 = self.fc1(x)
            spk1, mem1 = self.lif1(cur1, mem1)
            cur2 = self.fc2(spk1)
            spk2, mem2 = self.lif2(cur2, mem2)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        return torch.stack(spk2_rec, dim=0), torch.stack(mem2_rec, dim=0)


# =============================================================================================
# Losses, readout, operation counts
# =============================================================================================


def membrane_ce_loss(mem_rec: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on the output membrane at every step, summed over steps: ``sum_t CE(U[t], y)``.

    ``mem_rec`` ``[T, B, C]``, ``y`` ``[B]`` (class indices). Computed as one call over ``T*B`` rows.
    """
    if mem_rec.dim() != 3 or y.shape != mem_rec.shape[1:2]:
        raise ValueError(f"mem_rec must be [T, B, C] and y [B], got {tuple(mem_rec.shape)} and {tuple(y.shape)}")
    T, B, C = mem_rec.shape
    return F.cross_entropy(mem_rec.reshape(T * B, C), y.repeat(T)) * T


def rate_ce_loss(spk_rec: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The spike-rate alternative: cross-entropy on the spike counts ``sum_t S[t]`` (``[T, B, C]``, ``y`` ``[B]``)."""
    if spk_rec.dim() != 3 or y.shape != spk_rec.shape[1:2]:
        raise ValueError(f"spk_rec must be [T, B, C] and y [B], got {tuple(spk_rec.shape)} and {tuple(y.shape)}")
    return F.cross_entropy(spk_rec.sum(0), y)


def predict(spk_rec: torch.Tensor, mem_rec: Optional[torch.Tensor] = None, readout: str = "count") -> torch.Tensor:
    """Class predictions ``[B]`` from the output records ``[T, B, C]``.

    ``readout="count"``: the class that fired most (rate decoding); ties go to the higher summed
    membrane when ``mem_rec`` is given. ``"membrane"``: the highest summed membrane.
    """
    if readout == "count":
        score = spk_rec.sum(0)
        if mem_rec is not None:
            # Break ties by the membrane: counts are whole numbers, the tie-breaker lies in (0, 1).
            score = score + torch.sigmoid(mem_rec.mean(0)) * 0.5
        return score.argmax(-1)
    if readout == "membrane":
        if mem_rec is None:
            raise ValueError("readout='membrane' needs mem_rec [T, B, C]")
        return mem_rec.sum(0).argmax(-1)
    raise ValueError(f"unknown readout {readout!r}: expected 'count' or 'membrane'")


def count_operations(hidden_spikes: torch.Tensor, output_spikes: torch.Tensor, num_inputs: int = 784,
                     nonzero_inputs: Optional[torch.Tensor] = None) -> Dict[str, float]:
    """Operations per sample of the spiking MLP versus the ANN of the same shape.

    A spike of a hidden neuron costs one synaptic operation (an addition, no multiply) per outgoing
    synapse (10); the first layer sees a static analogue image, so it costs multiply-accumulates,
    but only once per sample (the fast path computes ``W_1 x`` once). The ANN costs
    ``784*1000 + 1000*10`` multiply-accumulates per sample.

    Args:
        hidden_spikes: ``[T, B, H]``; output_spikes: ``[T, B, C]``.
        nonzero_inputs: optional ``[B]`` count of nonzero pixels (MACs in layer 1 can skip zeros).

    Returns:
        a dict of per-sample means: ``hidden_spikes``, ``output_spikes``, ``snn_synops`` (layer-2
        additions), ``snn_macs`` (layer-1 MACs, once), ``ann_macs``.
    """
    T, B, H = hidden_spikes.shape
    C = output_spikes.shape[-1]
    hs = float(hidden_spikes.sum()) / B
    out = {
        "hidden_spikes": hs,
        "output_spikes": float(output_spikes.sum()) / B,
        "hidden_rate": hs / (T * H),
        "snn_synops": hs * C,
        "snn_macs": float(num_inputs * H) if nonzero_inputs is None else float(nonzero_inputs.float().mean()) * H,
        "ann_macs": float(num_inputs * H + H * C),
    }
    return out


def count_dispatched_ops(fn, *args, **kwargs) -> Tuple[int, Dict[str, int]]:
    """Run ``fn(*args, **kwargs)`` and count the PyTorch operators it dispatches (forward and backward).

    Returns ``(total, per_operator)``. Each operator is a separate kernel (a launch on a GPU) with a
    fixed cost; this is the per-step overhead that the fast path removes.
    """
    from torch.utils._python_dispatch import TorchDispatchMode

    counts: Dict[str, int] = {}

    class _Count(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = str(func.overloadpacket.__name__)
            counts[name] = counts.get(name, 0) + 1
            return func(*args, **(kwargs or {}))

    with _Count():
        fn(*args, **kwargs)
    return sum(counts.values()), counts


# =============================================================================================
# GPU: optional compilation, safe fallback
# =============================================================================================


def maybe_compile(model: nn.Module, device: torch.device, enable: Optional[bool] = None) -> nn.Module:
    """``torch.compile`` the model on CUDA (to cut launch overhead); return it unchanged elsewhere.

    ``enable=None`` compiles only on CUDA. Any error while compiling gives a warning and the eager
    model (the fast path is already correct without compilation). Errors at the first call of a
    compiled model are caught by :func:`snnlib.train.fit`, which falls back the same way.
    """
    if enable is None:
        enable = torch.device(device).type == "cuda"
    if not enable:
        return model
    try:
        return torch.compile(model)
    except Exception as err:  # pragma: no cover - depends on the platform
        warnings.warn(f"torch.compile failed ({type(err).__name__}: {err}); using the eager fast path", stacklevel=2)
        return model
