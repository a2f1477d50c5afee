"""In-place PyTorch pieces shared by the fused backend's autograd functions (no autograd here)."""

from __future__ import annotations

import contextlib
from typing import ContextManager, Optional, Tuple, Union

import torch

Number = Union[float, torch.Tensor]

#: Dtypes whose membranes and sums the fused backends keep in float32.
LOW_PRECISION = (torch.bfloat16, torch.float16)


def autocast_dtype(device: torch.device) -> Optional[torch.dtype]:
    """The dtype ``torch.autocast`` casts to on ``device``'s type now, or ``None`` (autocast off, or a
    device type autocast does not know, such as ``meta``)."""
    try:
        if torch.is_autocast_enabled(device.type):
            return torch.get_autocast_dtype(device.type)
    except RuntimeError:
        pass
    return None


def no_autocast(device: torch.device) -> ContextManager:
    """A context with autocast off on ``device``'s type (a no-op when it is off already)."""
    if autocast_dtype(device) is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, enabled=False)


def state_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype of the membrane state and sums for currents of ``dtype``: float32 for bf16/float16."""
    return torch.float32 if dtype in LOW_PRECISION else dtype


def membrane_step_(
    out: torch.Tensor, prev: torch.Tensor, spk_prev: torch.Tensor, cur: torch.Tensor, beta: Number, thr: Number, reset: str
) -> None:
    """``out <- beta * U[t-1] + I[t] - S[t-1] * thr`` (or the zero / no reset), in place.

    The same operations in the same order as :func:`snnlib.neurons.lif_step`, so the spikes that
    follow are bit-identical to the per-step loop. All tensors ``[B, ...]``.
    """
    torch.mul(prev, beta, out=out)
    if reset == "zero":
        out.mul_(1 - spk_prev)
    out.add_(cur)
    if reset == "subtract":
        if isinstance(thr, torch.Tensor):
            out.addcmul_(spk_prev, thr, value=-1)
        else:
            out.sub_(spk_prev, alpha=thr)


def lif_forward(
    cur: torch.Tensor, num_steps: int, beta: Number, thr: Number, reset: str, static: bool
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Spike and membrane records ``[T, B, ...]`` of LIF neurons driven by ``cur`` (no gradient).

    ``cur`` is ``[T, B, ...]``, or ``[B, ...]`` when ``static`` (the same current at every step).
    Written in place into preallocated records, four small operations per step; the spike of step
    ``t`` is computed once and reused as the reset of step ``t + 1``.
    """
    shape = tuple(cur.shape) if static else tuple(cur.shape[1:])
    mem_rec = torch.empty((num_steps, *shape), dtype=cur.dtype, device=cur.device)
    spk_rec = torch.empty_like(mem_rec)
    for t in range(num_steps):
        cur_t = cur if static else cur[t]
        out = mem_rec[t]
        if t == 0:
            out.copy_(cur_t)  # the membrane starts at rest: beta * 0 + I - 0 = I
        else:
            membrane_step_(out, mem_rec[t - 1], spk_rec[t - 1], cur_t, beta, thr, reset)
        torch.gt(out, thr, out=spk_rec[t])
    return spk_rec, mem_rec


def reduce_to(g: torch.Tensor, like: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    """Sum a per-neuron gradient ``[B, ...]`` down to the parameter's shape (scalar or broadcastable)."""
    if like is None:
        return None
    if like.dim() == 0:
        return g.sum().reshape(())
    return g.sum_to_size(like.shape)


def detached(x: Number) -> Number:
    """A tensor detached from the graph, a number unchanged."""
    return x.detach() if isinstance(x, torch.Tensor) else x


def tensor_or_none(x: Number) -> Optional[torch.Tensor]:
    """``x`` if it is a tensor (to save for the backward pass), else ``None``."""
    return x if isinstance(x, torch.Tensor) else None
