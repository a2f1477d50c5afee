"""Exercises of the MNIST chapter: rate decoding, and the synaptic operations of the second layer.

Both checkers try several random cases of different shapes (so that a slip in the axes cannot pass
by accident), accept every correct form (tensors of any real dtype, NumPy arrays, lists, Python and
NumPy scalars) and name the common slips. Progressive hints: ``snl.exercises.hint("rate_decoding", 1)``
and ``hint("synaptic_operations", 1)``.
"""

from __future__ import annotations

from typing import Callable, List, Tuple

import torch

from .core import Feedback, _Stop, as_number, as_tensor, checker, failed, passed, register_hints, require_close, run_user

__all__ = ["check_rate_decoding", "check_synaptic_operations"]

register_hints(
    "rate_decoding",
    "The record is time first, [T, B, C]: count each output neuron's spikes over time, then pick a class per sample.",
    "spk_rec.sum(0) is [B, C], the spike counts; .argmax(-1) of it gives the class index of each sample, shape [B].",
)
register_hints(
    "synaptic_operations",
    "Each hidden spike is delivered to every one of the fan_out output neurons: one addition per spike and synapse.",
    "Total spikes hidden_spikes.sum() times fan_out is the count for the whole batch; divide by the batch size, "
    "hidden_spikes.shape[1].",
)


def _spike_cases() -> List[torch.Tensor]:
    """Random output records ``[T, B, C]`` of distinct sizes, without ties in the spike counts."""
    gen = torch.Generator().manual_seed(5)
    cases = []
    for T, B, C in ((25, 16, 10), (7, 5, 3), (40, 3, 12)):
        rates = torch.rand(1, B, C, generator=gen)
        spk = (torch.rand(T, B, C, generator=gen) < rates).float()
        counts = spk.sum(0)
        unique = (counts == counts.max(-1, keepdim=True).values).sum(-1) == 1
        # break any tie by one extra spike of the first tied class at the last step
        for b in (~unique).nonzero().flatten().tolist():
            c = int(counts[b].argmax())
            t = int((spk[:, b, c] == 0).nonzero()[-1]) if bool((spk[:, b, c] == 0).any()) else None
            if t is None:
                spk[0, b, :] = 0.0
                spk[0, b, c] = 1.0
            else:
                spk[t, b, c] = 1.0
        cases.append(spk)
    return cases


def _indices(got, B: int) -> torch.Tensor:
    """The reader's predictions as an int64 tensor ``[B]``, or a failed check saying what is wrong."""
    t = as_tensor(got, "your predictions")
    if t.dim() == 2 and t.shape[0] == B:
        raise _Stop(
            failed(
                f"your predictions have shape {tuple(t.shape)}: one row per sample, one column per class. "
                "Those look like scores (or counts); return one class index per sample, shape [B].",
                "take the argmax over the class dimension (the last one).",
            )
        )
    if tuple(t.shape) != (B,):
        raise _Stop(
            failed(
                f"expected one class index per sample, shape [B] = ({B},), got shape {tuple(t.shape)}.",
                "sum over time (dim 0 of [T, B, C]), then take the argmax over classes (dim -1).",
            )
        )
    if not bool((t == t.round()).all()):
        raise _Stop(failed("your predictions are not whole numbers: return class indices (0, 1, ..., C - 1)."))
    return t.long()


@checker
def check_rate_decoding(fn: Callable) -> Feedback:
    """Check ``fn(spk_rec) -> predictions``: the class whose output neuron fired most.

    ``spk_rec`` is ``[T, B, C]`` (time first); the answer is one class index per sample, ``[B]``,
    as a tensor (any integer or whole-valued float dtype), a NumPy array or a list. Three records of
    different sizes are tried, each without ties, so any correct method (sum or mean over time,
    NumPy, a loop) passes.
    """
    for spk in _spike_cases():
        T, B, C = spk.shape
        got = run_user(fn, spk.clone(), what="your decoding function")
        pred = _indices(got, B)
        counts = spk.sum(0)
        expected = counts.argmax(-1)
        if torch.equal(pred, expected):
            continue
        if torch.equal(pred, counts.argmin(-1)):
            return failed("you picked the class that fired *least*: the winner is the neuron with the most spikes.")
        if torch.equal(pred, counts.max(-1).values.long()):
            return failed(
                "you returned the largest spike count of each sample, not which class has it.",
                "use argmax (the index), not max (the value).",
            )
        if bool(((pred < 0) | (pred >= C)).any()):
            return failed(
                f"some predictions lie outside 0..{C - 1}: did you return spike counts instead of class indices?",
                "argmax returns the index of the largest value; max returns the value itself.",
            )
        if torch.equal(pred, spk[-1].argmax(-1)) or torch.equal(pred, spk[0].argmax(-1)):
            return failed(
                "your predictions follow a single time step: count the spikes over all the steps first.",
                "sum over dim 0 (time) before the argmax.",
            )
        wrong = int((pred != expected).sum())
        return failed(
            f"for a record of shape [T, B, C] = {[T, B, C]}, {wrong} of {B} predictions are not the class with the most spikes.",
            "sum over time (dim 0), then take the argmax over classes (the last dim).",
        )
    return passed("rate decoding: the class whose neuron fired most wins, for records of three different sizes.")


def _operation_cases() -> List[Tuple[torch.Tensor, int]]:
    gen = torch.Generator().manual_seed(6)
    return [
        ((torch.rand(10, 4, 30, generator=gen) < 0.2).float(), 7),
        ((torch.rand(25, 3, 50, generator=gen) < 0.05).float(), 10),
        ((torch.rand(6, 9, 5, generator=gen) < 0.5).float(), 2),
    ]


@checker
def check_synaptic_operations(fn: Callable) -> Feedback:
    """Check ``fn(hidden_spikes, fan_out) -> synaptic operations per sample``.

    ``hidden_spikes`` ``[T, B, H]`` (0/1), ``fan_out`` the outgoing synapses of each hidden neuron;
    the answer is one number, the mean over the ``B`` samples of (spikes x fan_out), in any scalar form
    (Python or NumPy number, 0-d tensor, float32 or float64). Three cases of different shapes and
    fan-outs are tried, so a slip in the axes or a forgotten factor is recognised.
    """
    for spk, fan_out in _operation_cases():
        T, B, H = spk.shape
        got = run_user(fn, spk.clone(), fan_out, what="your function")
        if isinstance(got, torch.Tensor) and got.numel() == B and B > 1:
            return failed(
                f"you returned {B} numbers, one per sample: the question asks for the mean over the batch.",
                "average over the batch (divide the total by hidden_spikes.shape[1]).",
            )
        value = as_number(got, "your count of synaptic operations")
        spikes = float(spk.sum())
        expected = spikes * fan_out / B
        slips = {
            "you counted spikes, not synaptic operations: each spike reaches fan_out output neurons.": spikes / B,
            "you returned the count for the whole batch: divide by the batch size (dim 1).": spikes * fan_out,
            "you divided by the number of steps too: the count is per image, over all T steps.": expected / T,
            "you counted every neuron at every step, as if every hidden neuron spiked all the time: only spikes cost "
            "an addition.": float(T * H * fan_out),
            "you divided by the number of hidden neurons: the count is per image, over all of them.": expected / H,
        }
        for message, slip in slips.items():
            if abs(slip - expected) > 1e-9 * max(1.0, abs(expected)) and abs(value - slip) <= 1e-6 * max(1.0, abs(slip)):
                return failed(message)
        require_close(
            got,
            expected,
            f"the synaptic operations per sample for spikes of shape {[T, B, H]} and fan_out={fan_out}",
            rtol=1e-6,
            hint="total spikes x fan_out, divided by the batch size.",
        )
    return passed("each spike costs one addition per outgoing synapse; a silent neuron costs nothing.")
