"""Exercises of the first notebook: the firing rate of a spike record."""

from __future__ import annotations

from typing import Callable

import torch

from .core import Feedback, as_tensor, checker, failed, passed, register_hints, require_close, run_user

__all__ = ["check_firing_rate"]

register_hints(
    "firing_rate",
    "A rate is a number of spikes divided by a duration. Which axis of spk [T, B, ...] is time?",
    "Sum over axis 0 (or take the mean over axis 0) and divide by the duration of the record: spk.shape[0] steps of dt each.",
)


def _slip(got: torch.Tensor, spk: torch.Tensor, dt: float) -> str:
    """The name of the common slip that ``got`` (float64, right shape) is, or ``""``."""
    s = spk.double()
    T = s.shape[0]
    slips = (
        (s.sum(0), "you returned spike counts: divide by the duration of the recording, T * dt."),
        (s.mean(0), f"you returned spikes per step: divide by dt as well (here dt = {dt:g}) to get spikes per unit time."),
        (s.mean(0) * dt, "you multiplied by dt: a rate is spikes divided by time, so divide by dt."),
        (s.sum(0) / ((T - 1) * dt), "you divided by (T - 1) dt: the record lasts T steps of dt each."),
        (s.sum(0) / dt, "you divided the count by dt only: divide by the whole duration, T * dt."),
    )
    for wrong, message in slips:
        if torch.allclose(got, wrong, rtol=1e-5, atol=1e-9):
            return message
    return ""


@checker
def check_firing_rate(fn: Callable) -> Feedback:
    """Check a reader's ``fn(spk, dt) -> rates``: spikes ``[T, B, ...]`` in, rates ``[B, ...]`` out.

    Tries several shapes, step sizes and dtypes (float32 and float64 spikes), compares with
    :func:`snnlib.spikes.firing_rate` at the precision of the answer's dtype, and names the usual
    slips: averaging over the wrong axis, forgetting ``dt``, returning a spike count, dividing by
    ``T - 1``.
    """
    from ..spikes import firing_rate

    gen = torch.Generator().manual_seed(1)
    cases = [((200, 3, 4), 1e-3, torch.float32), ((50, 2), 0.5, torch.float64), ((37, 1, 5), 2e-3, torch.float32)]
    for shape, dt, dtype in cases:
        spk = (torch.rand(shape, generator=gen) < 0.1).to(dtype)
        expected = firing_rate(spk.double(), dt=dt)
        got = run_user(fn, spk.clone(), dt, what="your firing_rate")
        where = f"for spikes of shape {shape} ({dtype}) and dt = {dt:g}"
        got_t = as_tensor(got, "your answer")
        if got_t.shape != expected.shape:
            if got_t.shape == spk.shape[:-1] or got_t.numel() == 1:
                return failed(
                    f"{where} the rates should have shape {tuple(expected.shape)}, yours have "
                    f"{tuple(got_t.shape)}: reduce over time only, dimension 0 (shapes are [T, B, ...]).",
                    "spk.sum(0) adds up the spikes of every neuron over time.",
                )
            return failed(
                f"{where} (time first, [T, B, ...]) the rates should have shape {tuple(expected.shape)}, "
                f"got {tuple(got_t.shape)}.",
                "Sum or average over dimension 0.",
            )
        slip = _slip(got_t, spk, dt)
        if slip:
            return failed(f"{where}: {slip}")
        require_close(got, expected, f"the rates {where}", hint="rate = (number of spikes) / (T * dt).")
    return passed("rate = spikes / (T * dt), over the time axis, for every neuron, in any float dtype.")
