"""Exercises of the neural-circuits chapter: convergence, the conductance step, the winner, the edge.

Each checker compares with the library's own definition (:mod:`snnlib.circuits`,
:mod:`snnlib.synapses`) and recognises the usual slips. The winner-take-all check judges a
prediction against the drives themselves (the most strongly driven neuron, any of them on a tie),
never against one noisy simulation, which it only reports.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, List

import numpy as np
import torch

from .core import Feedback, _Stop, as_number, as_tensor, checker, failed, passed, register_hints, require_close, run_user

__all__ = ["check_convergent_weights", "check_conductance_step", "check_wta_prediction", "check_edge_contrast"]

register_hints(
    "convergent_weights",
    "Start from W = torch.zeros(n_in, n_out): rows are inputs, columns are outputs. Output j gets fan_in "
    "consecutive inputs, starting at input j * s with the stride s = n_in // n_out.",
    "for j in range(n_out): for k in range(fan_in): W[(j * s + k) % n_in, j] = weight; the modulo makes the "
    "last outputs wrap around to the first inputs.",
)
register_hints(
    "conductance_step",
    "Over one step the membrane relaxes exponentially towards U_inf, the weighted mean of the rest (0, weight "
    "lambda_L = -ln beta), E_exc (weight g_exc) and E_inh (weight g_inh), at the total rate Lambda.",
    "Lambda = -ln(beta) + g_exc + g_inh; U_inf = (g_exc E_exc + g_inh E_inh) / Lambda; "
    "U[t+1] = U_inf + (U[t] - U_inf) exp(-Lambda).",
)
register_hints(
    "wta_prediction",
    "The neurons race to threshold; the first to fire inhibits all the others. Which one charges fastest?",
    "The neuron whose inputs fire with the highest probability: the index of the largest entry (counting from 0).",
)
register_hints(
    "edge_contrast",
    "Michelson contrast: the difference of the two rates divided by their sum.",
    "(r[inside] - r[outside]) / (r[inside] + r[outside]), and return 0 when both rates are 0 (0 / 0).",
)


def _matrix(got, what: str) -> torch.Tensor:
    """A weight matrix answer: any float tensor, array or list; integer and boolean ones are a slip."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and not (
        (isinstance(got, torch.Tensor) and got.is_floating_point())
        or (isinstance(got, np.ndarray) and np.issubdtype(got.dtype, np.floating))
    ):
        raise _Stop(
            failed(
                f"{what} has dtype {dtype}: weights such as 0.25 need a floating-point matrix.",
                "start from torch.zeros(n_in, n_out), which is float32.",
            )
        )
    return as_tensor(got, what)


def _no_wrap(n_in, n_out, fan_in, weight) -> torch.Tensor:
    s = max(n_in // n_out, 1)
    w = torch.zeros(n_in, n_out, dtype=torch.float64)
    for j in range(n_out):
        for k in range(fan_in):
            if j * s + k < n_in:
                w[j * s + k, j] = weight
    return w


@checker
def check_convergent_weights(fn: Callable) -> Feedback:
    """Check a reader's ``fn(n_in, n_out, fan_in, weight) -> [n_in, n_out]`` against
    :func:`snnlib.circuits.convergent_weights` (output ``j`` sums inputs ``j*s .. j*s+fan_in-1``
    modulo ``n_in``, ``s = n_in // n_out``)."""
    from .. import circuits

    cases = ((8, 4, 2, 1.0), (16, 4, 8, 0.5), (6, 3, 3, 0.25), (5, 5, 1, 2.0), (10, 3, 4, 0.4), (3, 6, 2, 1.5))
    for args in cases:
        what = f"convergent_weights{args}"
        got = _matrix(run_user(fn, *args, what="your convergent_weights"), f"your {what}")
        expected = circuits.convergent_weights(*args).double()
        n_in, n_out, fan_in, weight = args
        if got.shape == (n_out, n_in) and got.shape != expected.shape:
            return failed(
                f"your {what} has shape {tuple(got.shape)}: rows are inputs and columns outputs, [n_in, n_out].",
                "W[i, j] is the weight from input i to output j.",
            )
        if got.shape == expected.shape:
            if torch.equal((got != 0), (expected != 0)) and not torch.allclose(got, expected):
                return failed(
                    f"your {what} connects the right pairs with the wrong value.", "every connection has the weight `weight`."
                )
            if torch.allclose(got, _no_wrap(*args)) and not torch.allclose(got, expected):
                return failed(
                    f"in your {what} the last outputs get fewer than fan_in inputs.",
                    "indices run modulo n_in: past the last input, wrap around to input 0.",
                )
            if torch.allclose(got.sum(0), torch.full((n_out,), fan_in * weight, dtype=torch.float64)) and not torch.allclose(
                got, expected
            ):
                return failed(
                    f"in your {what} every output has fan_in inputs, but not the right ones.",
                    "output j starts at input j * (n_in // n_out) (a stride of at least 1).",
                )
        require_close(
            got,
            expected,
            f"your {what}",
            rtol=1e-6,
            hint="rows are inputs, columns outputs: W[i, j] = weight if input i feeds output j. Output j starts at "
            "input j * (n_in // n_out) and wraps around (modulo n_in).",
        )
    return passed(
        "each output neuron now sums fan_in neighbouring inputs; with fan_in larger than the stride, "
        "every input also diverges onto several outputs."
    )


def _euler(mem, g_exc, g_inh, beta, e_exc, e_inh):
    return mem + (math.log(beta) * mem - g_exc * (mem - e_exc) - g_inh * (mem - e_inh))


@checker
def check_conductance_step(fn: Callable) -> Feedback:
    """Check ``fn(mem, g_exc, g_inh, beta, e_exc, e_inh) -> U[t+1]`` (tensors ``[B, N]``, ``0 < beta < 1``)
    against the exact update :func:`snnlib.synapses.conductance_step`."""
    from .. import synapses

    gen = torch.Generator().manual_seed(3)
    cases = []
    for beta, scale, e_exc, e_inh in ((0.9, 0.2, 3.5, -0.5), (0.8, 3.0, 3.5, -0.5), (0.95, 20.0, 5.0, -1.0)):
        mem = torch.rand(3, 4, generator=gen, dtype=torch.float64) * 1.4 - 0.4
        g_exc = torch.rand(3, 4, generator=gen, dtype=torch.float64) * scale
        g_inh = torch.rand(3, 4, generator=gen, dtype=torch.float64) * scale
        cases.append((mem, g_exc, g_inh, beta, e_exc, e_inh))
    for mem, g_exc, g_inh, beta, e_exc, e_inh in cases:
        what = f"your step with beta={beta}, conductances up to {float(max(g_exc.max(), g_inh.max())):.2g}"
        args = (mem.clone(), g_exc.clone(), g_inh.clone(), beta, e_exc, e_inh)
        got = as_tensor(run_user(fn, *args, what="your conductance_step"), what)
        expected = synapses.conductance_step(mem, g_exc, g_inh, beta, e_exc, e_inh)
        if got.shape == expected.shape and not torch.allclose(got, expected, rtol=1e-5, atol=1e-9):
            if torch.allclose(got, _euler(mem, g_exc, g_inh, beta, e_exc, e_inh), rtol=1e-5, atol=1e-9):
                return failed(
                    f"{what}: that is one forward-Euler step, not the exact solution over the step.",
                    "with large conductances Euler overshoots the reversal potentials; solve the linear ODE "
                    "over the step instead (an exponential relaxation towards U_inf).",
                )
            if bool((got < e_inh - 1e-9).any()) or bool((got > e_exc + 1e-9).any()):
                return failed(
                    f"{what} leaves the interval [e_inh, e_exc] between the reversal potentials.",
                    "the exact solution lies between U[t] and U_inf, a weighted mean of 0, e_exc and e_inh.",
                )
        require_close(
            got,
            expected,
            what,
            rtol=1e-5,
            atol=1e-9,
            hint="Lambda = -ln(beta) + g_exc + g_inh, U_inf = (g_exc e_exc + g_inh e_inh) / Lambda, "
            "U[t+1] = U_inf + (U[t] - U_inf) exp(-Lambda).",
        )
    return passed(
        "the membrane relaxes towards U_inf, a weighted mean of the rest and the two reversal potentials, so it "
        "can never be pushed below e_inh, however strong the inhibition."
    )


def _drives(drive) -> torch.Tensor:
    d = torch.as_tensor(np.asarray(drive.detach().cpu() if isinstance(drive, torch.Tensor) else drive, dtype=np.float64))
    if d.dim() != 1 or d.numel() < 2 or not bool(torch.isfinite(d).all()) or bool((d < 0).any() or (d > 1).any()):
        raise _Stop(failed(f"drive must list at least 2 spike probabilities in [0, 1] (shape [N]), got {drive!r}"))
    return d


def _index(answer, n: int) -> int:
    """A neuron index from any integer form (int, NumPy integer, 0-d or one-element tensor, integral float)."""
    value = answer
    if isinstance(value, torch.Tensor) and value.dtype == torch.bool:
        raise _Stop(failed("answer with a neuron index (an integer), got a boolean tensor."))
    if isinstance(value, str) or value is None or isinstance(value, (bool, np.bool_)):
        raise _Stop(failed(f"answer with a neuron index (an integer from 0 to {n - 1}), got {value!r}."))
    if isinstance(value, (list, tuple)):
        raise _Stop(failed(f"answer with one neuron index (an integer from 0 to {n - 1}), got a {type(value).__name__}."))
    x = as_number(value, "your answer")
    if not float(x).is_integer():
        raise _Stop(failed(f"a neuron index is a whole number from 0 to {n - 1}, got {x:g}."))
    k = int(x)
    if not 0 <= k < n:
        raise _Stop(failed(f"there are {n} neurons, numbered 0 to {n - 1}; {k} is not one of them."))
    return k


def _simulate_race(drive: torch.Tensor, inhibition: float, seed: int) -> torch.Tensor:
    from .. import circuits

    n, k = drive.numel(), 5
    gen = torch.Generator().manual_seed(seed)
    x = circuits.poisson_input(drive.float().repeat_interleave(k), 300, generator=gen)
    res = circuits.winner_take_all(x, circuits.convergent_weights(n * k, n, k, 0.4), inhibition=inhibition)
    return res.spikes["out"][30:, 0].sum(0)  # spikes per neuron after the first 30 steps, [N]


@checker
def check_wta_prediction(answer, drive, inhibition: float = 2.0, seed: int = 0) -> Feedback:
    """Check a prediction of which neuron wins a winner-take-all race.

    ``drive`` ``[N]`` (list, array or tensor): the input spike probability per step of each neuron's
    inputs. The right answer is the most strongly driven neuron (any of them when several share the
    largest drive), as an int, a NumPy integer, a 0-d or one-element tensor. The check then runs
    :func:`snnlib.circuits.winner_take_all` (5 inputs per neuron, ``inhibition``, ``seed``) and
    reports who fired after the first 30 steps.
    """
    d = _drives(drive)
    k = _index(answer, d.numel())
    best: List[int] = torch.nonzero(d == d.max()).flatten().tolist()
    if k not in best:
        order = torch.argsort(d, descending=True).tolist()
        if k == best[0] + 1 and d.numel() > k:
            return failed(f"neuron {k} does not win.", "indices count from 0: the first neuron is neuron 0.")
        if k == order[len(best)]:
            return failed(f"close: neuron {k} is driven hard, but one neuron is driven harder.", "compare the drives again.")
        return failed(
            f"neuron {k} does not win.",
            "which neuron's inputs fire most often? It reaches threshold first and then silences the rest.",
        )
    counts = _simulate_race(d, float(inhibition), int(seed))
    total = float(counts.sum())
    share = float(counts[k]) / total if total else 0.0
    if total and int(counts.argmax()) == k:
        tail = f"in the simulation it fired {share:.0%} of the spikes after step 30."
    else:
        tail = "with drives this close the noise of one simulation can let another neuron win a run."
    tie = " (it shares the largest drive with another neuron: either answer is right.)" if len(best) > 1 else ""
    return passed(
        f"neuron {k} is driven hardest, reaches threshold first, and its spikes keep every other neuron below "
        f"threshold{tie}; {tail}"
    )


def _contrast_cases():
    return [
        (torch.tensor([0.1, 0.1, 0.3, 0.3]), 2, 1),
        (torch.tensor([0.0, 0.5, 0.5]), 1, 0),
        (torch.tensor([0.2, 0.4, 0.1]), 1, 2),
        (torch.tensor([0.05, 0.2, 0.15, 0.0]), 1, 3),
        (torch.tensor([0.3, 0.1, 0.05]), 2, 0),  # inside weaker: a negative contrast
        (torch.tensor([0.0, 0.0]), 1, 0),  # both silent
    ]


@checker
def check_edge_contrast(fn: Callable) -> Feedback:
    """Check a reader's ``fn(rates, inside, outside) -> float`` (Michelson contrast across an edge)
    against :func:`snnlib.circuits.edge_contrast`; ``rates`` is a float32 tensor ``[N]``."""
    from .. import circuits

    for rates, inside, outside in _contrast_cases():
        what = f"edge_contrast({[round(v, 2) for v in rates.tolist()]}, inside={inside}, outside={outside})"
        raw = run_user(fn, rates.clone(), inside, outside, what="your edge_contrast")
        silent = float(rates[inside] + rates[outside]) == 0
        got = _number(raw, what, silent)
        expected = circuits.edge_contrast(rates, inside, outside)
        a, b = float(rates[inside]), float(rates[outside])
        if not silent and not math.isclose(got, expected, rel_tol=1e-5, abs_tol=1e-9):
            if math.isclose(got, -expected, rel_tol=1e-5, abs_tol=1e-9):
                return failed(f"your {what} has the wrong sign.", "inside minus outside, not the other way round.")
            if math.isclose(got, a - b, rel_tol=1e-5, abs_tol=1e-9):
                return failed(f"your {what} is not normalised.", "divide the difference by the sum of the two rates.")
        require_close(got, expected, f"your {what}", rtol=1e-5, atol=1e-9, hint="(r_in - r_out) / (r_in + r_out).")
    return passed("contrast 0 means no edge, 1 means only the inside neuron fires, -1 only the outside one.")


def _is_nan(raw) -> bool:
    """True for a NaN in any scalar form (float, NumPy float, one-element float tensor)."""
    if isinstance(raw, torch.Tensor):
        return raw.numel() == 1 and raw.is_floating_point() and bool(torch.isnan(raw).all())
    if isinstance(raw, (numbers.Real, np.floating)) and not isinstance(raw, (bool, np.bool_)):
        return math.isnan(float(raw))
    return False


def _number(raw, what: str, silent: bool) -> float:
    """The contrast as a float; NaN on two silent neurons gets its own hint."""
    if silent and _is_nan(raw):
        raise _Stop(failed(f"your {what} is NaN: 0 / 0 when both neurons are silent.", "return 0 when r_in + r_out == 0."))
    return as_number(raw, f"your {what}")
