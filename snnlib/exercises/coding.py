"""Exercises of the spike-coding chapter: a Bernoulli encoder, the latency law, the first spike
time and the Fano factor."""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import torch

from .core import (
    Feedback,
    _cpu_tensor,
    _Stop,
    as_tensor,
    assert_close,
    checker,
    failed,
    passed,
    register_hints,
    require_close,
    run_user,
)

__all__ = ["check_rate_encoder", "check_latency_time", "check_first_spike_time", "check_fano_factor"]

register_hints(
    "rate_encoder",
    "At every step, every input fires with probability x, independently of the other steps and "
    "of the other inputs. Which torch function draws 0/1 with a given probability?",
    "Expand x to shape [num_steps, *x.shape] and draw torch.bernoulli(p, generator=generator) "
    "(or compare torch.rand(num_steps, *x.shape, generator=generator) with x).",
)
register_hints(
    "latency_time",
    "Set V(t) = x (1 - exp(-t / tau)) equal to the threshold and solve for t: isolate the exponential first.",
    "exp(-t / tau) = 1 - threshold / x, so t = -tau ln(1 - threshold / x) = tau ln(x / (x - threshold)).",
)
register_hints(
    "first_spike_time",
    "Give every step with a spike its own time t, every step without one the time inf, and take the smallest over time (axis 0).",
    "t = torch.arange(T).unsqueeze(1); torch.where(spikes > 0, t, inf).min(0).values "
    "(min(0) returns values and indices: keep .values).",
)
register_hints(
    "fano_factor",
    "The Fano factor compares the spread of the counts with their mean, over the repeats (axis 0).",
    "counts.var(0) / counts.mean(0): the variance, not the standard deviation, over the mean.",
)


def _spike_values(spikes: torch.Tensor, what: str) -> torch.Tensor:
    """Stop the check unless ``spikes`` (float64) holds only 0 and 1."""
    if not bool(((spikes == 0) | (spikes == 1)).all()):
        raise _Stop(failed(f"{what} should hold only 0 and 1 (a spike or none at each step).", "Draw 0/1 with torch.bernoulli."))
    return spikes


def _encode(fn, x: torch.Tensor, num_steps: int, seed: int) -> torch.Tensor:
    """Run the reader's encoder and return its spikes as float64 ``[T, *x.shape]`` (or stop)."""
    got = run_user(fn, x.clone(), num_steps, torch.Generator().manual_seed(seed), what="your rate encoder")
    spikes = as_tensor(got, "your spike train")
    want = (num_steps, *x.shape)
    if tuple(spikes.shape) != want:
        if tuple(spikes.shape) == (*x.shape, num_steps):
            raise _Stop(failed(f"your spikes have shape {tuple(spikes.shape)}: time must come first, [T, *x.shape] = {want}."))
        raise _Stop(
            failed(
                f"for x of shape {tuple(x.shape)} and num_steps = {num_steps} the spikes should have shape "
                f"[T, *x.shape] = {want}, got {tuple(spikes.shape)}.",
                "Expand x to [num_steps, *x.shape] before drawing, one draw per step and input.",
            )
        )
    return _spike_values(spikes, "your spike train")


@checker
def check_rate_encoder(fn: Callable) -> Feedback:
    """Check a Bernoulli rate encoder ``fn(x, num_steps, generator) -> spikes [T, *x.shape]``.

    Tests the distribution, not only the mean: for ``T = 4000`` steps the count rate of every
    intensity lies within 5 binomial standard deviations of ``x``; the spike counts of 256
    inputs at ``x = 0.5`` and 256 at ``x = 0.2``, in windows of 40 steps, vary as binomial counts
    do (variance ``40 x (1 - x)``, within 0.6..1.5 of it: a regular encoder has almost none); the
    spikes of one step do not predict the next (lag-1 correlation below 0.05); different
    inputs are independent (the variance of the number of inputs firing together is that of
    independent draws); and the spikes come from the generator (same seed, same spikes).
    """
    x = torch.tensor([[0.0, 0.1, 0.25], [0.5, 0.8, 1.0]])
    T = 4000
    spikes = _encode(fn, x, T, 1)
    est = spikes.mean(0)
    x64 = x.double()
    bound = 5 * torch.sqrt(x64 * (1 - x64) / T) + 1e-9
    if torch.allclose(est, 1 - x64, atol=0.05) and not torch.allclose(est, x64, atol=0.05):
        return failed(
            "inputs fire with probability 1 - x instead of x: bright inputs should fire most.",
            "A spike is a draw u < x, not u > x.",
        )
    off = (est - x64).abs() > bound
    if off.any():
        i = tuple(int(v) for v in off.nonzero()[0])
        return failed(
            f"for intensity {x[i].item():g} the fraction of steps with a spike is {est[i].item():.3f}, further than "
            f"5 standard deviations ({bound[i].item():.3f}) from the intensity: each step should spike with "
            "probability exactly x."
        )
    x2 = torch.cat([torch.full((256,), 0.5), torch.full((256,), 0.2)])
    s2 = _encode(fn, x2, 400, 2)
    windows = s2.reshape(10, 40, 512).sum(1)  # spike counts in 10 windows of 40 steps, [10, 512]
    for half, p in ((slice(0, 256), 0.5), (slice(256, 512), 0.2)):
        ratio = windows[:, half].var(0).mean().item() / (40 * p * (1 - p))
        if ratio < 0.6:
            return failed(
                f"the spike counts of inputs at x = {p:g} are too regular: in windows of 40 steps their variance is "
                f"{ratio:.2f} of a Bernoulli code's (the Fano factor is too small). The spikes must be random draws, "
                "not a regular pattern.",
                "Draw each spike at random, independently at every step.",
            )
        if ratio > 1.5:
            return failed(
                f"the spike counts of inputs at x = {p:g} vary {ratio:.2f} times as much as a Bernoulli code's: "
                "the spikes of different steps are not independent.",
                "Draw a new, independent spike at every step.",
            )
    a, b = s2[:-1] - s2.mean(0), s2[1:] - s2.mean(0)
    lag1 = ((a * b).mean(0) / (s2.var(0, correction=0) + 1e-12)).mean().item()
    if abs(lag1) > 0.05:
        return failed(
            f"each step's spikes predict the next step's (correlation {lag1:.2f} between consecutive steps): "
            "a Bernoulli code draws every step independently."
        )
    together = s2[:, :256].sum(1).var().item() / (256 * 0.25)
    if together > 1.5:
        return failed(
            f"inputs with the same intensity fire together: the number firing at once varies {together:.1f} times "
            "as much as for independent inputs. Did you draw one random number per step for all inputs?",
            "Draw one random number per step *and* per input: torch.rand(num_steps, *x.shape).",
        )
    again = _encode(fn, x, 50, 7)
    if not torch.equal(again, _encode(fn, x, 50, 7)):
        return failed("two calls with generators seeded alike gave different spikes: draw with generator=generator.")
    if torch.equal(again, _encode(fn, x, 50, 8)):
        return failed("different seeds gave identical spikes: draw the spikes with the generator you are given.")
    return passed(
        "the spike rate of every intensity is right, the counts vary as binomial counts do, steps and inputs are "
        "independent, and the spikes are reproducible from a seed."
    )


def _latency_slip(got: torch.Tensor, x: torch.Tensor, tau: float, thr: float) -> str:
    slips = (
        (tau * (1 - x), "that is the linear code t = tau (1 - x); this exercise asks for the RC-circuit (log) law."),
        (tau * torch.log((x - thr) / x), "your times are negative: the logarithm is upside down, ln(x / (x - threshold))."),
        (torch.log(x / (x - thr)), "your times are missing the factor tau (time is measured in units of tau)."),
        (tau * torch.log10(x / (x - thr)), "you used log10: the exponential's inverse is the natural logarithm, torch.log."),
        (tau * torch.log(x / thr), "t = tau ln(x / threshold) is not it: solve x (1 - exp(-t / tau)) = threshold again."),
        (-tau * torch.log(thr / x), "t = tau ln(x / threshold) is not it: solve x (1 - exp(-t / tau)) = threshold again."),
    )
    for wrong, message in slips:
        if got.shape == wrong.shape and torch.allclose(got, wrong, rtol=1e-4, atol=1e-9):
            return message
    return ""


@checker
def check_latency_time(fn: Callable) -> Feedback:
    """Check ``fn(x, tau, threshold) -> t``: the RC-circuit firing time ``t = tau ln(x / (x - threshold))``
    for intensities above the threshold (relative tolerance 1e-5, or the answer's dtype's)."""
    from ..encoding import latency_time

    x = torch.linspace(0.05, 1.0, 20, dtype=torch.float64)
    for tau, thr in ((5.0, 0.01), (2.0, 0.04)):
        got = run_user(fn, x.clone(), tau, thr, what="your latency formula")
        what = f"t for tau = {tau:g}, threshold = {thr:g}"
        got_t = as_tensor(got, what, shape=x.shape)
        slip = _latency_slip(got_t, x, tau, thr)
        if slip:
            return failed(slip)
        expected = latency_time(x, tau=tau, threshold=thr)
        require_close(got, expected, what, rtol=1e-5, hint="Solve V(t) = x (1 - exp(-t / tau)) = threshold for t.")
    return passed("t = tau ln(x / (x - V_th)): brighter inputs reach the threshold sooner, logarithmically.")


def _times(answer, n: int) -> torch.Tensor:
    """The reader's first spike times as a float64 tensor ``[n]``; inf allowed, NaN not (or stop)."""
    if isinstance(answer, tuple) and hasattr(answer, "values") and hasattr(answer, "indices"):
        raise _Stop(
            failed(
                "you returned the pair that .min(0) gives (values and indices): return only the times.",
                "Take .values of the result of .min(0).",
            )
        )
    if answer is None or isinstance(answer, (str, bytes, tuple)):
        raise _Stop(failed(f"return a tensor of first spike times, shape [N] = [{n}], got {type(answer).__name__}."))
    t = _cpu_tensor(answer)
    if t is None:
        raise _Stop(failed(f"return a tensor of first spike times, shape [N] = [{n}], got {type(answer).__name__}."))
    t = t.to(torch.float64)
    if tuple(t.shape) != (n,):
        raise _Stop(
            failed(
                f"the first spike times should have shape [N] = [{n}] (one per neuron of spikes [T, N]), got {tuple(t.shape)}.",
                "Take the minimum over time, axis 0.",
            )
        )
    if bool(torch.isnan(t).any()):
        raise _Stop(failed("your answer contains NaN: a neuron that never spikes should get inf."))
    return t


def _select(answer, times: torch.Tensor, mask: torch.Tensor):
    """``answer[mask]`` in the answer's own dtype (for the tolerance), or ``times[mask]``."""
    if isinstance(answer, torch.Tensor):
        return answer.detach().cpu()[mask]
    if isinstance(answer, np.ndarray):
        return answer[mask.numpy()]
    return times[mask]


def _first_spike_case(T: int, N: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    spikes = (torch.rand(T, N, generator=g) < 0.15).float()
    spikes[:, 0] = 0.0  # a silent neuron
    spikes[0, 1] = 1.0  # one firing at t = 0
    spikes[:, 2] = 0.0
    spikes[T - 1, 2] = 1.0  # one firing only at the last step
    spikes[:, 3] = 0.0
    spikes[[2, 5], 3] = 1.0  # one firing twice
    return spikes


def _silent_slip(value: float, T: int) -> str:
    if value == 0:
        return "a neuron that never spikes gets 0 (argmax of an all-zero column is 0): give it inf."
    if value == T:
        return f"a neuron that never spikes gets T = {T}: give it inf (it never fires, not at the end)."
    if value == -1:
        return "a neuron that never spikes gets -1: give it inf, so that 'earlier' still means 'smaller'."
    return f"neuron 0 never spikes, so its first spike time should be inf, got {value:g}."


@checker
def check_first_spike_time(fn: Callable) -> Feedback:
    """Check ``fn(spikes) -> t_first``: for ``spikes [T, N]`` the first step with a spike of each
    neuron, ``min{t | s[t] = 1}``, and ``inf`` for a neuron that never spikes. Every real dtype is
    accepted (inf needs a floating-point one)."""
    from ..encoding import first_spike_time

    for T, N, seed in ((12, 7, 3), (30, 9, 4)):
        spikes = _first_spike_case(T, N, seed)
        got = run_user(fn, spikes.clone(), what="your first-spike-time decoder")
        t = _times(got, N)
        expected = first_spike_time(spikes).double()
        silent = torch.isinf(expected)
        if not bool(torch.isinf(t[silent]).all()):
            return failed(_silent_slip(t[silent][~torch.isinf(t[silent])][0].item(), T))
        if bool((torch.isinf(t) & ~silent).any()):
            i = int(torch.nonzero(torch.isinf(t) & ~silent)[0, 0])
            return failed(f"neuron {i} spikes, but your time for it is inf.", "Look for the smallest t with spikes[t] == 1.")
        fired = ~silent
        tf, ef = t[fired], expected[fired]
        if torch.equal(tf, ef + 1):
            return failed("your times are one step late: time steps are counted from 0, t = 0, 1, ..., T - 1.")
        last = (T - 1 - torch.flip(spikes, [0]).argmax(0)).double()[fired]
        if torch.equal(tf, last) and not torch.equal(tf, ef):
            return failed("those are the last spike times: the code is in the first spike.", "Take the minimum over time.")
        hint = "Look for the smallest t with spikes[t] == 1 (time is axis 0)."
        require_close(_select(got, t, fired), ef, "the first spike times", hint=hint)
    return passed("t_spike = min{t | s[t] = 1}, and inf for a neuron that stays silent.")


def _fano_case(seed: int, R: int = 300) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    p = torch.tensor([0.05, 0.2, 0.5, 0.8])
    counts = torch.bernoulli(p.expand(R, 40, 4).contiguous(), generator=g).sum(1)  # [R, 4]
    regular = torch.full((R, 1), 20.0)  # a perfectly regular neuron: Fano factor 0
    return torch.cat([counts, regular], 1)


def _fano_slip(got: torch.Tensor, counts: torch.Tensor) -> Optional[str]:
    c = counts.double()
    mean, var = c.mean(0), c.var(0)
    slips = (
        (var.sqrt() / mean, "you divided the standard deviation by the mean: that is the CV, the Fano factor uses the variance."),
        (var / mean**2, "you divided the variance by the squared mean (that is CV squared): divide by the mean itself."),
        (mean / var, "your ratio is upside down: variance over mean, not mean over variance."),
        (var, "you returned the variance only: divide it by the mean count."),
    )
    for wrong, message in slips:
        ok = torch.isfinite(wrong) & torch.isfinite(got)
        if got.shape == wrong.shape and bool(ok.any()) and torch.allclose(got[ok], wrong[ok], rtol=1e-4, atol=1e-9):
            return message
    return None


@checker
def check_fano_factor(fn: Callable) -> Feedback:
    """Check ``fn(counts) -> F``: the Fano factor ``Var[N] / E[N]`` of spike counts ``[R, N]`` over the
    ``R`` repeats (axis 0), one value per neuron ``[N]``. The unbiased (``R - 1``) and the plain
    (``R``) variance are both accepted; float32 and float64 counts are tried."""
    for seed, dtype in ((5, torch.float32), (6, torch.float64)):
        counts = _fano_case(seed).to(dtype)
        got = run_user(fn, counts.clone(), what="your Fano factor")
        n = counts.shape[1]
        got_t = as_tensor(got, "your answer")
        if tuple(got_t.shape) != (n,):
            return failed(
                f"for counts of shape {tuple(counts.shape)} ([R repeats, N neurons]) the Fano factors should have "
                f"shape [N] = [{n}], got {tuple(got_t.shape)}.",
                "Take the variance and the mean over the repeats, axis 0.",
            )
        slip = _fano_slip(got_t, counts)
        if slip:
            return failed(slip)
        c = counts.double()
        R = c.shape[0]
        unbiased = c.var(0) / c.mean(0)
        plain = unbiased * (R - 1) / R
        if assert_close(got, plain, "the Fano factors", rtol=1e-5, atol=1e-9) is None:
            continue
        require_close(got, unbiased, "the Fano factors", rtol=1e-5, atol=1e-9, hint="F = counts.var(0) / counts.mean(0).")
    return passed("F = Var[N] / E[N] over the repeats: near 1 - p for Bernoulli spikes, 0 for a regular neuron.")
