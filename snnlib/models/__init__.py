"""The MNIST chapter's networks, losses and measurements (layer 3: experiments).

* :class:`SpikingMLP` (:mod:`snnlib.models.mlp`): the 784-1000-10 spiking network, as a plain
  per-step loop (``fast=False``) or through the multi-step engine (:mod:`snnlib.engine`, ``fast=True``,
  ``backend=``): same spikes, same gradients to float rounding. :meth:`SpikingMLP.record` returns
  the output records with the hidden spike counts and the backends that ran (:class:`MLPRecord`).
* :class:`ANN`, :class:`TorchReference`, :class:`SnnTorchReference` (:mod:`snnlib.models.reference`):
  the non-spiking network of the same shape, and the plain-PyTorch and snnTorch versions of the
  spiking one, used by the benchmarks.
* :func:`membrane_ce_loss`, :func:`mean_membrane_ce_loss`,
  :func:`summed_membrane_ce_loss`, :func:`rate_ce_loss`, :func:`predict` (:mod:`snnlib.models.losses`).
* :func:`count_operations`, :func:`layer_operations`, :func:`layer_energy` (with the
  :data:`HOROWITZ_45NM` energy table), :func:`count_dispatched_ops` (:mod:`snnlib.models.counting`).
* :func:`maybe_compile` (:mod:`snnlib.models.gpu`): ``torch.compile``, opt-in.

Shapes are time-first: models return ``(spk_rec, mem_rec)`` of the output layer, each ``[T, B, 10]``.
"""

from __future__ import annotations

from .counting import (
    HOROWITZ_45NM,
    MEMBRANE_UPDATE,
    LayerOps,
    count_dispatched_ops,
    count_operations,
    energy_scenario,
    layer_energy,
    layer_operations,
)
from .gpu import maybe_compile
from .losses import READOUTS, mean_membrane_ce_loss, membrane_ce_loss, predict, rate_ce_loss, summed_membrane_ce_loss
from .mlp import MLPRecord, SpikingMLP
from .reference import ANN, ANNRecord, SnnTorchReference, TorchReference

__all__ = [
    "SpikingMLP",
    "MLPRecord",
    "ANN",
    "ANNRecord",
    "TorchReference",
    "SnnTorchReference",
    "membrane_ce_loss",
    "mean_membrane_ce_loss",
    "summed_membrane_ce_loss",
    "rate_ce_loss",
    "predict",
    "READOUTS",
    "count_operations",
    "layer_operations",
    "layer_energy",
    "energy_scenario",
    "LayerOps",
    "HOROWITZ_45NM",
    "MEMBRANE_UPDATE",
    "count_dispatched_ops",
    "maybe_compile",
]
