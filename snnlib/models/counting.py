"""Operation counts: synaptic operations of the spiking MLP against the ANN, and dispatched PyTorch operators."""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import torch

from .. import _checks

__all__ = ["count_operations", "count_dispatched_ops"]


def count_operations(
    hidden_spikes: torch.Tensor, output_spikes: torch.Tensor, num_inputs: int = 784, nonzero_inputs: Optional[torch.Tensor] = None
) -> Dict[str, float]:
    """Operations per sample of the spiking MLP versus the ANN of the same shape.

    A spike of a hidden neuron costs one synaptic operation (an addition, no multiply) per outgoing
    synapse (10); the first layer sees a static analogue image, so it costs multiply-accumulates,
    but only once per sample (the fast path computes ``W_1 x`` once). The ANN costs
    ``784*1000 + 1000*10`` multiply-accumulates per sample.

    Args:
        hidden_spikes: ``[T, B, H]``; output_spikes: ``[T, B, C]``.
        num_inputs: the input size (784).
        nonzero_inputs: optional ``[B]`` count of nonzero pixels (MACs in layer 1 can skip zeros).

    Returns:
        a dict of per-sample means: ``hidden_spikes``, ``output_spikes``, ``hidden_rate``,
        ``snn_synops`` (layer-2 additions), ``snn_macs`` (layer-1 MACs, once), ``ann_macs``.
    """
    for name, rec, shape in (("hidden_spikes", hidden_spikes, "[T, B, H]"), ("output_spikes", output_spikes, "[T, B, C]")):
        _checks.tensor(rec, name, shape, ndim=3, dtype="number")
        _checks.host_values(rec, name, shape, spikes=True)
    num_inputs = _checks.integer(num_inputs, "num_inputs", minimum=1)
    T, B, H = hidden_spikes.shape
    C = output_spikes.shape[-1]
    if output_spikes.shape[:2] != (T, B):
        raise ValueError(
            f"hidden_spikes [T, B, H] and output_spikes [T, B, C] must share T and B, got "
            f"{tuple(hidden_spikes.shape)} and {tuple(output_spikes.shape)}"
        )
    hs = float(hidden_spikes.sum()) / B
    if nonzero_inputs is not None:
        _checks.tensor(nonzero_inputs, "nonzero_inputs", "[B]", ndim=1, dtype="number")
        _checks.host_values(nonzero_inputs, "nonzero_inputs", "[B]")
        if nonzero_inputs.shape[0] != B or bool((nonzero_inputs < 0).any()) or bool((nonzero_inputs > num_inputs).any()):
            raise ValueError(
                f"nonzero_inputs must hold B = {B} counts in 0..num_inputs = {num_inputs}, got shape "
                f"{tuple(nonzero_inputs.shape)} with values {float(nonzero_inputs.min()):g}..{float(nonzero_inputs.max()):g}"
            )
    return {
        "hidden_spikes": hs,
        "output_spikes": float(output_spikes.sum()) / B,
        "hidden_rate": hs / (T * H),
        "snn_synops": hs * C,
        "snn_macs": float(num_inputs * H) if nonzero_inputs is None else float(nonzero_inputs.float().mean()) * H,
        "ann_macs": float(num_inputs * H + H * C),
    }


def count_dispatched_ops(fn, *args, **kwargs) -> Tuple[int, Dict[str, int]]:
    """Run ``fn(*args, **kwargs)`` and count the PyTorch operators it dispatches (forward and backward).

    Returns ``(total, per_operator)``. Each operator is a separate kernel (a launch on a GPU) with a
    fixed cost; this is the per-step overhead that the fast path removes.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {_checks.describe(fn)}")
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
