"""Exercises of the spike-coding chapter."""

from __future__ import annotations

from typing import Callable

import torch

from .core import Feedback, assert_close, checker, failed, passed, run_user

__all__ = ["check_rate_encoder", "check_latency_time", "check_first_spike_time"]


@checker
def check_rate_encoder(fn: Callable) -> Feedback:
    """Check a Bernoulli rate encoder ``fn(x, num_steps, generator=None) -> spikes [T, *x.shape]``.

    Statistical check: for ``T = 4000`` steps the spike-count rate of every intensity must lie
    within 5 binomial standard deviations, ``5 sqrt(x (1 - x) / T)``, of ``x``; shape, 0/1 values
    and seeding (same seed, same spikes; different seed, different spikes) are checked too."""
    x = torch.tensor([[0.0, 0.1, 0.25], [0.5, 0.8, 1.0]])
    T = 4000
    gen = torch.Generator().manual_seed(1)
    spikes = run_user(fn, x, T, gen, what="your rate encoder")
    if not isinstance(spikes, torch.Tensor):
        return failed(f"return a torch.Tensor of spikes, got {type(spikes).__name__}")
    if tuple(spikes.shape) != (T, *x.shape):
        return failed(
            f"spikes should be time-first, shape [T, *x.shape] = {(T, *x.shape)}; got {tuple(spikes.shape)}. "
            "Hint: expand x to [num_steps, *x.shape] before drawing."
        )
    if not bool(((spikes == 0) | (spikes == 1)).all()):
        return failed("spikes should be 0 or 1 only (a Bernoulli draw); use torch.bernoulli on the probabilities.")
    est = spikes.float().mean(0)
    bound = 5 * torch.sqrt(x * (1 - x) / T) + 1e-9
    bad = (est - x).abs() > bound
    if bad.any():
        i = tuple(int(v) for v in bad.nonzero()[0])
        return failed(
            f"for intensity {x[i].item():g} the spike rate N/T is {est[i].item():.3f}, further than 5 standard "
            f"deviations ({bound[i].item():.3f}) from it: the spike probability per step should equal the intensity."
        )
    again = run_user(fn, x, 50, torch.Generator().manual_seed(7), what="your rate encoder")
    same = run_user(fn, x, 50, torch.Generator().manual_seed(7), what="your rate encoder")
    other = run_user(fn, x, 50, torch.Generator().manual_seed(8), what="your rate encoder")
    if not torch.equal(again, same):
        return failed("two calls with generators seeded alike gave different spikes: pass generator= to torch.bernoulli.")
    if torch.equal(again, other):
        return failed("different seeds gave identical spikes: draw the spikes with the generator you are given.")
    return passed(
        f"the spike rate of every intensity is within 5 binomial standard deviations after {T} steps, "
        "and the spikes are reproducible from a seed."
    )


@checker
def check_latency_time(fn: Callable) -> Feedback:
    """Check ``fn(x, tau, threshold) -> t``: the RC-circuit firing time ``t = tau ln(x / (x - threshold))``
    for intensities above the threshold (exact to 1e-5 relative)."""
    from .. import encoding

    x = torch.linspace(0.05, 1.0, 20, dtype=torch.float64)
    for tau, thr in ((5.0, 0.01), (2.0, 0.04)):
        got = run_user(fn, x, tau, thr, what="your latency formula")
        expected = encoding.latency_time(x, tau=tau, threshold=thr)
        bad = assert_close(
            got,
            expected,
            f"t for tau={tau}, threshold={thr}",
            rtol=1e-5,
            atol=1e-7,
            hint="Solve V(t) = x (1 - exp(-t / tau)) = threshold for t.",
        )
        if bad is not None:
            t = torch.as_tensor(got, dtype=torch.float64)
            if t.shape == x.shape and torch.allclose(t, tau * (1 - x), rtol=1e-4):
                return failed("that is the linear code t = tau (1 - x); this exercise asks for the RC-circuit (log) law.")
            return bad
    return passed("t = tau ln(x / (x - V_th)): brighter inputs reach the threshold sooner, logarithmically.")


@checker
def check_first_spike_time(fn: Callable) -> Feedback:
    """Check ``fn(spikes) -> t_first``: for ``spikes [T, N]`` the first step with a spike,
    ``min{t | s[t] = 1}``, and ``inf`` for neurons that never spike."""
    from .. import encoding

    g = torch.Generator().manual_seed(3)
    spikes = (torch.rand(12, 7, generator=g) < 0.15).float()
    spikes[:, 0] = 0.0  # a silent neuron
    spikes[0, 1] = 1.0  # one firing at t = 0
    got = run_user(fn, spikes.clone(), what="your first-spike-time decoder")
    expected = encoding.first_spike_time(spikes)
    got_t = torch.as_tensor(got, dtype=torch.float64)
    if got_t.shape == expected.shape and not torch.isinf(got_t[0]):
        return failed(f"neuron 0 never spikes, so its first spike time should be inf, got {got_t[0].item():g}.")
    bad = assert_close(
        torch.nan_to_num(got_t, posinf=1e9),
        torch.nan_to_num(expected.double(), posinf=1e9),
        "the first spike times",
        hint="Look for the smallest t with spikes[t] == 1 (time is axis 0).",
    )
    return bad or passed("t_spike = min{t | s[t] = 1}, inf when a neuron stays silent.")
