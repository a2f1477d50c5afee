"""Losses and readouts of the spiking MLP: from output records ``[T, B, C]`` to a loss or a class."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F

from .. import _checks

__all__ = ["membrane_ce_loss", "mean_membrane_ce_loss", "summed_membrane_ce_loss", "rate_ce_loss", "predict", "READOUTS"]

#: The readouts of :func:`predict`.
READOUTS = ("count", "membrane")


def _records(rec: torch.Tensor, y: torch.Tensor, name: str, spikes: bool = False) -> None:
    _checks.tensor(rec, name, "[T, B, C]", ndim=3, dtype="float")
    _checks.host_values(rec, name, "[T, B, C]", spikes=spikes)
    _checks.tensor(y, "y", "[B] (class indices)", ndim=1, dtype="integer")
    if y.shape != rec.shape[1:2]:
        raise ValueError(f"{name} must be [T, B, C] and y [B], got {tuple(rec.shape)} and {tuple(y.shape)}")
    if _checks.reads_values(y) and (int(y.min()) < 0 or int(y.max()) >= rec.shape[2]):
        raise ValueError(
            f"y must hold class indices in 0..{rec.shape[2] - 1} (C = {rec.shape[2]}), got {int(y.min())}..{int(y.max())}"
        )


def _smoothing(label_smoothing: float) -> float:
    return _checks.real(label_smoothing, "label_smoothing", 0.0, 1.0, max_open=True)


def membrane_ce_loss(mem_rec: torch.Tensor, y: torch.Tensor, label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy on the output membrane at every step, summed over steps: ``sum_t CE(U[t], y)``.

    ``mem_rec`` ``[T, B, C]``, ``y`` ``[B]`` (class indices). Computed as one call over ``T*B`` rows.
    ``label_smoothing`` in [0, 1): the target gives that much probability to the classes evenly
    (as :func:`torch.nn.functional.cross_entropy`), so the network is not pushed towards
    ever larger membrane differences.
    """
    _records(mem_rec, y, "mem_rec")
    T, B, C = mem_rec.shape
    ce = F.cross_entropy(mem_rec.reshape(T * B, C), y.repeat(T), label_smoothing=_smoothing(label_smoothing))
    return ce * T


def mean_membrane_ce_loss(mem_rec: torch.Tensor, y: torch.Tensor, label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy on the output membrane averaged over steps, ``CE(mean_t U[t], y)``: the quantity
    the membrane readout ranks (``mem_rec`` ``[T, B, C]``, ``y`` ``[B]``; ``label_smoothing`` as in
    :func:`membrane_ce_loss`). Unlike the per-step loss it does not ask for the right answer at
    every step, only on average."""
    _records(mem_rec, y, "mem_rec")
    return F.cross_entropy(mem_rec.mean(0), y, label_smoothing=_smoothing(label_smoothing))


def summed_membrane_ce_loss(mem_rec: torch.Tensor, y: torch.Tensor, label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy on the output membrane summed over steps, ``CE(sum_t U[t], y)`` (``[T, B, C]``,
    ``y`` ``[B]``): the membrane readout's score itself as the logits, ``T`` times sharper than
    :func:`mean_membrane_ce_loss` (``label_smoothing`` as in :func:`membrane_ce_loss`)."""
    _records(mem_rec, y, "mem_rec")
    return F.cross_entropy(mem_rec.sum(0), y, label_smoothing=_smoothing(label_smoothing))


def rate_ce_loss(spk_rec: torch.Tensor, y: torch.Tensor, label_smoothing: float = 0.0) -> torch.Tensor:
    """The spike-rate alternative: cross-entropy on the spike counts ``sum_t S[t]`` (``[T, B, C]``, ``y`` ``[B]``;
    ``label_smoothing`` as in :func:`membrane_ce_loss`)."""
    _records(spk_rec, y, "spk_rec", spikes=True)
    return F.cross_entropy(spk_rec.sum(0), y, label_smoothing=_smoothing(label_smoothing))


def predict(spk_rec: torch.Tensor, mem_rec: Optional[torch.Tensor] = None, readout: str = "count") -> torch.Tensor:
    """Class predictions ``[B]`` from the output records ``[T, B, C]``.

    ``readout="count"``: the class that fired most (rate decoding); ties go to the higher summed
    membrane when ``mem_rec`` is given. ``"membrane"``: the highest summed membrane.
    """
    _checks.choice(readout, "readout", READOUTS)
    _checks.tensor(spk_rec, "spk_rec", "[T, B, C]", ndim=3, dtype="number")
    _checks.host_values(spk_rec, "spk_rec", "[T, B, C]", spikes=True)
    if mem_rec is not None:
        _checks.tensor(mem_rec, "mem_rec", "[T, B, C]", ndim=3, dtype="float")
        _checks.host_values(mem_rec, "mem_rec", "[T, B, C]")
        _checks.same_shape(spk_rec, mem_rec, "spk_rec", "mem_rec", "[T, B, C]")
    if readout == "count":
        score = spk_rec.sum(0)
        if mem_rec is not None:
            # Break ties by the membrane: counts are whole numbers, the tie-breaker lies in (0, 1).
            score = score + torch.sigmoid(mem_rec.mean(0)) * 0.5
        return score.argmax(-1)
    if mem_rec is None:
        raise ValueError("readout='membrane' needs mem_rec [T, B, C]")
    return mem_rec.sum(0).argmax(-1)
