"""Exercises of the neural-circuits chapter."""

from __future__ import annotations

from typing import Callable

import torch

from .core import Feedback, assert_close, checker, failed, passed, run_user

__all__ = ["check_convergent_weights", "check_wta_prediction", "check_edge_contrast"]


@checker
def check_convergent_weights(fn: Callable) -> Feedback:
    """Check a reader's ``fn(n_in, n_out, fan_in, weight) -> [n_in, n_out]`` against
    :func:`snnlib.circuits.convergent_weights` (output ``j`` sums inputs ``j*s .. j*s+fan_in-1``
    modulo ``n_in``, ``s = n_in // n_out``)."""
    from .. import circuits

    for args in ((8, 4, 2, 1.0), (16, 4, 8, 0.5), (6, 3, 3, 0.25), (5, 5, 1, 2.0)):
        got = run_user(fn, *args, what="your convergent_weights")
        expected = circuits.convergent_weights(*args)
        bad = assert_close(
            got,
            expected,
            f"convergent_weights{args}",
            hint="Rows are inputs, columns outputs: W[i, j] = weight if input i feeds output j. "
            "Output j starts at input j * (n_in // n_out) and wraps around (modulo n_in).",
        )
        if bad is not None:
            return bad
    return passed(
        "each output neuron now sums fan_in neighbouring inputs; with fan_in larger than the stride, "
        "every input also diverges onto several outputs."
    )


@checker
def check_wta_prediction(answer: int, drive, inhibition: float = 2.0, seed: int = 0) -> Feedback:
    """Check a prediction of which neuron wins a winner-take-all race.

    ``drive`` ``[N]``: the input spike probability per step of each neuron's inputs; the check runs
    :func:`snnlib.circuits.winner_take_all` (5 inputs per neuron) and compares ``answer`` with the
    neuron that fires after the first 30 steps.
    """
    from .. import circuits

    drive = torch.as_tensor(drive, dtype=torch.get_default_dtype()).flatten()
    n, k = drive.numel(), 5
    if isinstance(answer, bool) or not isinstance(answer, int):
        return failed(f"answer with a neuron index (an int from 0 to {n - 1}), got {answer!r}")
    gen = torch.Generator().manual_seed(int(seed))
    x = circuits.poisson_input(drive.repeat_interleave(k), 300, generator=gen)
    res = circuits.winner_take_all(x, circuits.convergent_weights(n * k, n, k, 0.4), inhibition=inhibition)
    winner = int(circuits.wta_winner(res.spikes["out"], start=30)[0])
    if answer == winner:
        return passed(
            f"neuron {winner} wins: it is driven hardest, reaches threshold first, and its spikes keep "
            "every other neuron below threshold."
        )
    return failed(
        f"neuron {answer} does not win. Which neuron receives the most input spikes per step? "
        "That one reaches threshold first and then silences the rest."
    )


@checker
def check_edge_contrast(fn: Callable) -> Feedback:
    """Check a reader's ``fn(rates, inside, outside) -> float`` (Michelson contrast across an edge)
    against :func:`snnlib.circuits.edge_contrast`."""
    from .. import circuits

    cases = [
        (torch.tensor([0.1, 0.1, 0.3, 0.3]), 2, 1),
        (torch.tensor([0.0, 0.5, 0.5]), 1, 0),
        (torch.tensor([0.2, 0.4, 0.1]), 1, 2),
        (torch.tensor([0.0, 0.0]), 1, 0),
    ]
    for rates, inside, outside in cases:
        got = run_user(fn, rates, inside, outside, what="your edge_contrast")
        expected = circuits.edge_contrast(rates, inside, outside)
        bad = assert_close(
            float(got),
            expected,
            f"edge_contrast({rates.tolist()}, {inside}, {outside})",
            hint="(r_in - r_out) / (r_in + r_out), and 0 when both neurons are silent.",
        )
        if bad is not None:
            return bad
    return passed("contrast 0 means no edge, 1 means only the inside neuron fires.")
