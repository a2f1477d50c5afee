"""Exercises of the first notebook: a firing rate."""

from __future__ import annotations

from typing import Callable

import torch

from .core import Feedback, assert_close, checker, failed, passed, run_user

__all__ = ["firing_rate_solution", "check_firing_rate"]


def firing_rate_solution(spk: torch.Tensor, dt: float) -> torch.Tensor:
    """Reference answer: mean firing rate of each neuron, in spikes per unit of ``dt``'s time.

    Args:
        spk: time-first spike record, shape ``[T, B, ...]`` (0 or 1).
        dt: duration of one time step (e.g. ``1e-3`` for 1 ms steps gives rates in Hz).

    Returns:
        rates, shape ``[B, ...]``: number of spikes divided by the duration ``T * dt``.
    """
    if not isinstance(spk, torch.Tensor) or spk.dim() < 2:
        raise ValueError(f"spk must be a tensor of shape [T, B, ...] (time first), got {getattr(spk, 'shape', type(spk))}")
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt!r}")
    return spk.sum(0) / (spk.shape[0] * dt)


@checker
def check_firing_rate(fn: Callable) -> Feedback:
    """Check a reader's ``fn(spk, dt) -> rates``: spikes ``[T, B, ...]`` in, rates ``[B, ...]`` out.

    Tries several shapes and step sizes, and recognises the usual slips: averaging over the wrong
    axis, forgetting ``dt``, or returning a spike count instead of a rate.
    """
    gen = torch.Generator().manual_seed(1)
    cases = [((200, 3, 4), 1e-3), ((50, 2), 0.5), ((37, 1, 5), 2e-3)]
    for shape, dt in cases:
        spk = (torch.rand(shape, generator=gen) < 0.1).float()
        expected = firing_rate_solution(spk, dt)
        got = run_user(fn, spk.clone(), dt, what="your firing_rate")
        try:
            got_t = torch.as_tensor(got, dtype=torch.float64)
        except Exception:
            return failed(f"firing_rate should return a tensor of shape [B, ...], got {type(got).__name__}.")
        if got_t.shape != expected.shape:
            if got_t.shape == spk.mean(-1).shape and got_t.shape != expected.shape:
                return failed(
                    f"for spikes of shape {shape} the rates should have shape {tuple(expected.shape)} "
                    f"but yours have {tuple(got_t.shape)}: reduce over time, dimension 0 (shapes are [T, B, ...])."
                )
            return failed(
                f"for spikes of shape {shape} (time first, [T, B, ...]) the rates should have shape "
                f"{tuple(expected.shape)}, got {tuple(got_t.shape)}. Sum or average over dimension 0."
            )
        exp64 = expected.double()
        if torch.allclose(got_t, spk.sum(0).double()) and not torch.allclose(got_t, exp64):
            return failed("you returned spike counts: divide by the duration of the recording, T * dt.")
        if torch.allclose(got_t, spk.mean(0).double()) and not torch.allclose(got_t, exp64):
            return failed(f"you returned spikes per step: divide by dt as well (dt = {dt}) to get spikes per unit time.")
        bad = assert_close(
            got_t, exp64, f"the rates for spikes of shape {shape} and dt={dt}", hint="rate = (number of spikes) / (T * dt)."
        )
        if bad is not None:
            return bad
    return passed("rate = spikes / (T * dt), computed over the time axis for every neuron.")
