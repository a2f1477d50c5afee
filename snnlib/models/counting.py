"""Operation counts: the spiking MLP against the ANN layer by layer, their energy, and dispatched PyTorch operators.

* :func:`count_operations`: per-sample spike and operation counts measured from spike records.
* :func:`layer_operations`: the operations of every layer of both networks per image, as
  :class:`LayerOps` records: multiply-accumulates (MACs), accumulates (ACs, the synaptic operations
  of a spike: an addition) and membrane updates.
* :func:`layer_energy`: those operations priced with a table of energy per operation, by default
  :data:`HOROWITZ_45NM` (Horowitz, ISSCC 2014: 45 nm CMOS at 0.9 V, 32-bit floating point).
* :func:`energy_scenario`: one network's layers with their energy, as plain JSON values (the
  records ``benchmarks/energy.py`` writes and :func:`snnlib.plot.plot_layer_energy` draws).
* :func:`count_dispatched_ops`: the PyTorch operators one call dispatches (the fast path's argument).
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Tuple

import torch

from .. import _checks

__all__ = [
    "count_operations",
    "count_dispatched_ops",
    "HOROWITZ_45NM",
    "LayerOps",
    "layer_operations",
    "layer_energy",
    "energy_scenario",
    "MEMBRANE_UPDATE",
]

#: Energy per arithmetic operation in picojoules, 45 nm CMOS at 0.9 V (Horowitz, "Computing's energy
#: problem (and what we can do about it)", ISSCC 2014, the table of his Figure 1.1.9): 32-bit float
#: addition and multiplication, 32-bit integer addition and multiplication. A MAC is one of each.
#: Memory accesses, which cost far more (an 8 kB SRAM read of 64 bits about 10 pJ), are not included.
HOROWITZ_45NM: Dict[str, float] = {"fp32_add": 0.9, "fp32_mult": 3.7, "int32_add": 0.1, "int32_mult": 3.1}

#: What one membrane update ``U = beta U + I`` and its threshold test cost: one multiplication
#: (``beta U``) and two additions (``+ I``, the comparison with the threshold).
MEMBRANE_UPDATE = {"mult": 1, "add": 2}


class LayerOps(NamedTuple):
    """The operations of one layer of one network, per image."""

    #: ``"ANN"`` or ``"SNN"`` (or a longer label).
    network: str
    #: e.g. ``"layer 1 (784 -> 1000)"``.
    layer: str
    #: multiply-accumulates (a multiplication and an addition each).
    macs: float
    #: accumulates: one addition per spike and outgoing synapse (synaptic operations).
    acs: float
    #: membrane updates (neurons x steps), each :data:`MEMBRANE_UPDATE`.
    membrane_updates: float


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


def layer_operations(
    hidden_spikes: float,
    num_steps: int = 25,
    num_inputs: int = 784,
    num_hidden: int = 1000,
    num_outputs: int = 10,
    input_spikes: Optional[float] = None,
    nonzero_inputs: Optional[float] = None,
) -> List[LayerOps]:
    """The operations per image of every layer of the ANN and the spiking MLP of the same shape.

    ANN (``num_inputs -> num_hidden (ReLU) -> num_outputs``): dense MACs in both layers. SNN:

    * layer 1: with a static analogue image, ``W_1 x`` costs the same MACs as the ANN's, once
      (the fast path computes it once for all steps); with spiking input (``input_spikes`` per
      image given) it costs one AC per input spike and hidden neuron instead. The hidden neurons
      then make ``num_hidden * num_steps`` membrane updates.
    * layer 2: one AC per hidden spike and output neuron (``hidden_spikes`` per image, the
      measured count), and ``num_outputs * num_steps`` membrane updates.

    ``nonzero_inputs`` (nonzero pixels per image): hardware that skips zero inputs then does MACs only
    for those, in both networks' first layer. Returns four :class:`LayerOps` (ANN layers 1, 2, SNN
    layers 1, 2). Biases (at most ``num_hidden + num_outputs * num_steps`` additions) are not counted.
    """
    hidden_spikes = _checks.real(hidden_spikes, "hidden_spikes", 0.0)
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    num_inputs = _checks.integer(num_inputs, "num_inputs", 1)
    num_hidden = _checks.integer(num_hidden, "num_hidden", 1)
    num_outputs = _checks.integer(num_outputs, "num_outputs", 1)
    if input_spikes is not None:
        input_spikes = _checks.real(input_spikes, "input_spikes", 0.0)
    active = float(num_inputs)
    if nonzero_inputs is not None:
        active = _checks.real(nonzero_inputs, "nonzero_inputs", 0.0, float(num_inputs))
    l1 = f"layer 1 ({num_inputs} -> {num_hidden})"
    l2 = f"layer 2 ({num_hidden} -> {num_outputs})"
    snn1_macs, snn1_acs = (active * num_hidden, 0.0) if input_spikes is None else (0.0, input_spikes * num_hidden)
    return [
        LayerOps("ANN", l1, active * num_hidden, 0.0, 0.0),
        LayerOps("ANN", l2, float(num_hidden * num_outputs), 0.0, 0.0),
        LayerOps("SNN", l1, snn1_macs, snn1_acs, float(num_hidden * num_steps)),
        LayerOps("SNN", l2, 0.0, hidden_spikes * num_outputs, float(num_outputs * num_steps)),
    ]


def layer_energy(ops: LayerOps, per_op: Optional[Dict[str, float]] = None, kind: str = "fp32") -> Dict[str, float]:
    """The arithmetic energy of one layer's operations in nanojoules: ``{"macs", "acs",
    "membrane_updates", "total"}``.

    ``per_op``: picojoules per ``"<kind>_add"`` and ``"<kind>_mult"`` (default :data:`HOROWITZ_45NM`);
    ``kind``: ``"fp32"`` or ``"int32"``. A MAC costs a multiplication and an addition, an AC an
    addition, a membrane update :data:`MEMBRANE_UPDATE`.
    """
    if not isinstance(ops, LayerOps):
        raise TypeError(f"ops must be a LayerOps (see layer_operations), got {_checks.describe(ops)}")
    table = HOROWITZ_45NM if per_op is None else per_op
    if not hasattr(table, "keys"):
        raise TypeError(f"per_op must be a mapping operation -> picojoules, got {_checks.describe(table)}")
    kind = _checks.choice(kind, "kind", ("fp32", "int32"))
    try:
        add, mult = float(table[f"{kind}_add"]), float(table[f"{kind}_mult"])
    except KeyError as err:
        raise ValueError(f"per_op must give {kind}_add and {kind}_mult in picojoules, missing {err}") from None
    update = MEMBRANE_UPDATE["mult"] * mult + MEMBRANE_UPDATE["add"] * add
    out = {
        "macs": ops.macs * (add + mult) / 1000.0,
        "acs": ops.acs * add / 1000.0,
        "membrane_updates": ops.membrane_updates * update / 1000.0,
    }
    out["total"] = out["macs"] + out["acs"] + out["membrane_updates"]
    return out


def energy_scenario(
    name: str, layers: List[LayerOps], network: str, description: str = "", per_op: Optional[Dict[str, float]] = None
) -> Dict[str, object]:
    """The layers of ``network`` (``"ANN"`` or ``"SNN"``) among ``layers`` (from :func:`layer_operations`)
    with their energy (:func:`layer_energy`, nanojoules), as plain JSON values:
    ``{"name", "description", "layers": [{"network", "layer", "macs", "acs", "membrane_updates",
    "energy_nj": {...}}], "total_nj"}``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {_checks.describe(name)}")
    rows = [dict(ops._asdict(), energy_nj=layer_energy(ops, per_op)) for ops in layers if ops.network == network]
    if not rows:
        raise ValueError(f"layers hold no layer of network {network!r}; they hold {sorted({o.network for o in layers})}")
    return {
        "name": str(name),
        "description": str(description),
        "layers": rows,
        "total_nj": sum(r["energy_nj"]["total"] for r in rows),
    }
