"""Exercises of the MNIST chapter."""

from __future__ import annotations

from typing import Callable

import torch

from .core import Feedback, assert_close, checker, failed, passed, run_user

__all__ = ["check_rate_decoding", "check_synaptic_operations"]


@checker
def check_rate_decoding(fn: Callable) -> Feedback:
    """Check ``fn(spk_rec) -> predictions``: the class whose output neuron fired most (``spk_rec`` ``[T, B, C]``)."""
    gen = torch.Generator().manual_seed(5)
    spk = (torch.rand(25, 16, 10, generator=gen) < torch.rand(1, 16, 10, generator=gen)).float()
    counts = spk.sum(0)
    keep = (counts == counts.max(-1, keepdim=True).values).sum(-1) == 1  # samples without ties
    spk = spk[:, keep]
    got = run_user(fn, spk, what="your decoding function")
    got = torch.as_tensor(got)
    if got.shape != (spk.shape[1],):
        return failed(
            f"expected one class index per sample, shape [B] = ({spk.shape[1]},), got {tuple(got.shape)}. "
            "Sum the spikes over time (dim 0), then take the argmax over classes (dim -1)."
        )
    expected = spk.sum(0).argmax(-1)
    if not torch.equal(got.long(), expected):
        if torch.equal(got.long(), spk.sum(1).argmax(-1)[: got.shape[0]]):
            return failed("you summed over the batch; time is dim 0 ([T, B, C]).")
        return failed("some predictions differ from the class with the most spikes. Sum over time (dim 0) first.")
    return passed("rate decoding: the class with the highest spike count wins.")


@checker
def check_synaptic_operations(fn: Callable) -> Feedback:
    """Check ``fn(hidden_spikes, fan_out) -> synaptic operations per sample`` (``hidden_spikes`` ``[T, B, H]``)."""
    gen = torch.Generator().manual_seed(6)
    spk = (torch.rand(10, 4, 30, generator=gen) < 0.2).float()
    expected = float(spk.sum()) / 4 * 10
    got = run_user(fn, spk, 10, what="your function")
    bad = assert_close(
        got,
        expected,
        "synaptic operations per sample",
        rtol=1e-6,
        hint="Each hidden spike travels to every one of the fan_out output neurons: "
        "total spikes x fan_out, divided by the batch size.",
    )
    if bad is not None:
        return bad
    return passed("each spike costs one addition per outgoing synapse; silent neurons cost nothing.")
