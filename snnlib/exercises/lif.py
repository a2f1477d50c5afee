"""Exercises of the LIF chapter: one step by hand, a current for a rate, the exact beta, the CV of intervals.

Each checker follows the rules of :mod:`snnlib.exercises.core`: an untouched stub is *not
attempted*, nothing the reader's code does makes it raise, every correct form passes (float32 or
float64, Python, NumPy or torch numbers), each common slip is named, and no message prints the
expected answer. Progressive hints: ``snl.exercises.hint("lif_step", 1)`` (and ``"current_for_rate"``,
``"beta"``, ``"isi_cv"``).
"""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Tuple

import torch

from .core import Feedback, as_number, as_tensor, assert_close, checker, failed, passed, register_hints, run_user, tolerance

__all__ = ["check_lif_step", "check_current_for_rate", "check_beta", "check_isi_cv"]

register_hints(
    "lif_step",
    "Three parts, in this order: the reset signal R[t] from the membrane you are given, "
    "then the new membrane U[t+1], then the spike S[t+1] from the new membrane.",
    "R[t] = (mem > threshold) as a float. subtract: beta*mem + cur - R*threshold; "
    "zero: beta*(1 - R)*mem + cur; none: beta*mem + cur. Then S = (new_mem > threshold) as a float.",
)
register_hints(
    "current_for_rate",
    "Work backwards: from the rate f, the time from reset to threshold is t* = 1/f - t_ref (in ms: "
    "1000/f - t_ref). Then the charging curve V_th = V_inf + (V_reset - V_inf) exp(-t*/tau) has one "
    "unknown, V_inf = E_L + R I.",
    "With q = exp(-t*/tau): V_inf = (V_th - q V_reset) / (1 - q), and I = (V_inf - E_L) / R. "
    "Or bisect: N.analytic_rate(I, p) grows with I, so halve an interval [rheobase, 20 nA] 50 times.",
)
register_hints(
    "beta",
    "Without input the membrane obeys tau dU/dt = -U. What is its exact solution U(t), and what "
    "fraction U(t + dt) / U(t) of itself does it keep over one step?",
    "U(t) = U(0) exp(-t / tau), so the fraction kept over dt does not depend on t. Use math.exp "
    "(or np.exp / torch.exp) of a negative number.",
)
register_hints(
    "isi_cv",
    "For each neuron (column), find the steps where it spiked, e.g. torch.nonzero(spk[:, j]), and "
    "take their differences (torch.diff): those are its inter-spike intervals.",
    "CV = std(intervals) / mean(intervals), one number per neuron: loop over the columns and "
    "return a tensor of shape [N]. The time before the first spike is not an interval.",
)


# ---- one LIF step ---------------------------------------------------------------------------

_LIF_RULE = (
    "Recall U[t+1] = beta U[t] + I[t+1] - R[t] U_thr (subtract), beta (1 - R[t]) U[t] + I[t+1] (zero), "
    "beta U[t] + I[t+1] (none), with R[t] = H(U[t] - U_thr)."
)


_NEW_SPIKE = (
    "the reset uses the spike of the NEW membrane; it must use the previous step's spike "
    "R[t] = H(U[t] - U_thr), from the membrane passed in"
)
_GE_RESET = "the reset signal uses >=; snnTorch's step is strict, R[t] = 1 only if U[t] > U_thr"
_DECAYED_INPUT = "the decay is applied to the input too: beta multiplies U[t] only, not U[t] + I[t+1]"


def _lif_variants(cur, mem, beta, thr, reset) -> Dict[str, torch.Tensor]:
    """Common wrong versions of the new membrane, to name the reader's mistake."""
    prev = (mem > thr).to(mem.dtype)
    prev_ge = (mem >= thr).to(mem.dtype)
    new = beta * mem + cur
    r_now = (new > thr).to(mem.dtype)
    if reset == "subtract":
        return {
            _NEW_SPIKE: new - r_now * thr,
            "the reset subtracts beta * U_thr; the reset term is not decayed, subtract U_thr itself": beta * (mem - prev * thr)
            + cur,
            "there is no reset term; for reset='subtract' subtract R[t] * U_thr": new,
            _GE_RESET: new - prev_ge * thr,
            _DECAYED_INPUT: beta * (mem + cur) - prev * thr,
        }
    if reset == "zero":
        return {
            _NEW_SPIKE: new * (1 - r_now),
            "the zero reset also removes the input; in beta (1 - R[t]) U[t] + I[t+1] the input still arrives": new * (1 - prev),
            "there is no reset term; for reset='zero' multiply U[t] by 1 - R[t]": new,
            _GE_RESET: beta * (1 - prev_ge) * mem + cur,
            _DECAYED_INPUT: beta * (1 - prev) * (mem + cur),
        }
    return {"reset='none' has no reset term at all, but you reset": new - prev * thr, _DECAYED_INPUT: beta * (mem + cur)}


def _named_slip(got, variants) -> Optional[str]:
    """The name of the first variant (a dict or ``(name, tensor)`` pairs) that ``got`` matches, or ``None``."""
    for why, variant in variants.items() if isinstance(variants, dict) else variants:
        if got.shape == variant.shape and torch.allclose(got, variant.double(), rtol=1e-4, atol=1e-5):
            return why
    return None


@checker
def check_lif_step(fn: Callable, trials: int = 20, seed: int = 0) -> Feedback:
    """Check a hand-written LIF step ``spk, mem = fn(cur, mem, beta, threshold, reset)`` against
    :func:`snnlib.neurons.lif_step` over random inputs and all three resets (``"subtract"``,
    ``"zero"``, ``"none"``).

    ``cur`` and ``mem`` are float32 tensors ``[B, N]``; ``beta`` and ``threshold`` floats; the
    reader's function returns the spikes (0./1., or booleans) and the new membrane, both
    ``[B, N]``. The previous spike is ``H(mem - threshold)`` (snnTorch's convention: the reset uses
    the previous step's spike). Membranes exactly at threshold are included: ``H(0) = 0``.
    """
    from ..neurons import RESETS, LIFParams, lif_step

    gen = torch.Generator().manual_seed(seed)
    for reset in RESETS:
        for trial in range(trials):
            beta = float(torch.rand(1, generator=gen)) * 0.95
            thr = float(torch.tensor(0.5 + float(torch.rand(1, generator=gen)), dtype=torch.float32))  # float32-exact
            cur = torch.randn(4, 6, generator=gen) * 0.6
            mem = torch.randn(4, 6, generator=gen) * 0.8 + 0.6
            if trial == 0:  # membranes exactly at threshold: H(0) = 0
                mem[0, 0], cur[0, 0] = thr, 0.0  # previous membrane at threshold: no reset
                mem[0, 1], cur[0, 1] = 0.0, thr  # new membrane at threshold: no spike
            exp_spk, exp_state = lif_step(cur, mem, LIFParams(beta, thr, reset))
            out = run_user(fn, cur.clone(), mem.clone(), beta, thr, reset, what="your lif step")
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                return failed(
                    f"your function should return a pair (spk, mem), got {type(out).__name__}.", "end with: return spk, new_mem"
                )
            spk, new_mem = out
            where = f"(reset={reset!r}, beta={beta:.3f}, threshold={thr:.3f})"
            got_mem = as_tensor(new_mem, f"the new membrane {where}")
            bad = assert_close(got_mem, exp_state.mem, f"the new membrane {where}", rtol=1e-4, atol=1e-5)
            if bad is not None:
                why = _named_slip(got_mem, _lif_variants(cur, mem, beta, thr, reset))
                if why is not None:
                    return failed(f"{bad.message} It looks like {why}.")
                return failed(bad.message, _LIF_RULE)
            got_spk = as_tensor(spk, f"the spike tensor {where}")
            bad = assert_close(got_spk, exp_spk, f"the spike tensor {where}", atol=1e-6)
            if bad is not None:
                if got_spk.shape == exp_spk.shape and torch.equal(got_spk, (exp_state.mem >= thr).double()):
                    return failed(f"{bad.message} Use a strict test: a spike when U[t+1] > U_thr, not >=.")
                if got_spk.shape == exp_spk.shape and torch.equal(got_spk, (mem > thr).double()):
                    return failed(f"{bad.message} You returned R[t], the previous step's spike; return the new one.")
                return failed(bad.message, "the spike is S[t+1] = 1 if U[t+1] > U_thr else 0, from the NEW membrane.")
    return passed(f"your LIF step matches snnlib.neurons.lif_step for all three resets over {3 * trials} random trials.")


# ---- a current for a rate --------------------------------------------------------------------


def _slip_currents(rate: float, p) -> Dict[str, float]:
    """The currents that the usual slips of the inversion produce (each a named mistake)."""
    from dataclasses import replace

    from ..neurons import current_for_rate

    T = 1000.0 / rate - p.t_ref
    q, q10 = math.exp(-T / p.tau), 10 ** (-T / p.tau)
    v_inf = (p.V_th - q * p.V_reset) / (1 - q)
    return {
        "you left out the refractory period: the climb from reset to threshold lasts t* = 1/f - t_ref": current_for_rate(
            rate, replace(p, t_ref=0.0)
        ),
        "you used log10 (or 10**x) where the charging curve has the natural log (exp)": (
            (p.V_th - q10 * p.V_reset) / (1 - q10) - p.E_L
        )
        / p.R,
        "you stopped at R I = V_inf - E_L; divide by R (MOhm) to get I in nA": v_inf - p.E_L,
        "you forgot E_L: V_inf = E_L + R I, so I = (V_inf - E_L) / R": v_inf / p.R,
    }


@checker
def check_current_for_rate(current, rate: float = 20.0, params=None, tolerance: float = 0.5) -> Feedback:
    """Check that a constant ``current`` (nA) makes the physical LIF fire at ``rate`` Hz, within ``tolerance`` Hz.

    The current passes when its rate on the analytic f-I curve (:func:`snnlib.neurons.analytic_rate`)
    or in the Euler simulation (:func:`snnlib.neurons.euler_rate`, the exact rate of
    :func:`~snnlib.neurons.physical_lif_run`) is within ``tolerance`` Hz of ``rate`` (default
    ±0.5 Hz: a 20 Hz target leaves out the refractory-period slip, which is 0.8 Hz off). Near the
    rheobase the f-I curve is steep, so the window of currents is narrow; the messages say how
    wide. ``params`` defaults to :class:`snnlib.neurons.PhysicalLIFParams()`. Any real number is
    accepted (Python, NumPy, a one-element tensor).
    """
    from ..neurons import PhysicalLIFParams, analytic_rate, current_for_rate, euler_rate

    p = PhysicalLIFParams() if params is None else params
    current = as_number(current, "the current (nA)")
    window = (current_for_rate(rate + tolerance, p) - current_for_rate(rate - tolerance, p)) / 2
    accepts = (
        f"(the check accepts rates within {tolerance:g} Hz of {rate:g} Hz: here a window of about "
        f"±{window:.2g} nA, so compute the current, do not read it off a plot)"
    )
    if current < 0:
        return failed(
            f"a negative current ({current:g} nA) pulls the membrane below rest; it never fires.",
            "did you forget E_L? V_inf = E_L + R I, so I = (V_inf - E_L) / R.",
        )
    if current <= p.rheobase:
        return failed(
            f"at I = {current:g} nA the neuron never fires: the membrane settles at E_L + R I = "
            f"{p.E_L + p.R * current:g} mV, not above the threshold {p.V_th:g} mV. The neuron fires only "
            f"above the rheobase (V_th - E_L) / R = {p.rheobase:g} nA.",
            "the target rate needs a current a little above the rheobase.",
        )
    theory, euler = float(analytic_rate(current, p)), float(euler_rate(current, p))
    if abs(theory - rate) <= tolerance or abs(euler - rate) <= tolerance:
        return passed(
            f"I = {current:.5g} nA fires at {theory:.2f} Hz on the analytic f-I curve and at {euler:.2f} Hz "
            f"in the Euler simulation (dt = {p.dt:g} ms) {accepts}."
        )
    for why, slip in _slip_currents(rate, p).items():
        if abs(current - slip) <= 5e-5 + 1e-6 * abs(slip):  # the slip, computed to four decimals or more
            return failed(f"at I = {current:g} nA the neuron fires at {theory:.2f} Hz, not {rate:g} Hz. It looks like {why}.")
    direction = "increase" if theory < rate else "decrease"
    close = " You are close: keep more decimals." if abs(theory - rate) < 4 * tolerance else ""
    return failed(
        f"at I = {current:g} nA the neuron fires at {theory:.2f} Hz (f-I formula), not {rate:g} Hz: "
        f"{direction} the current {accepts}.{close}",
        "invert f = 1 / (t_ref + tau ln((R I + E_L - V_reset) / (R I + E_L - V_th))) for I.",
    )


# ---- beta from tau ---------------------------------------------------------------------------


def _beta_slips(dt: float, tau: float) -> Dict[str, float]:
    x = dt / tau
    return {
        "that is forward Euler's approximation 1 - dt/tau, the first two terms of a Taylor series; "
        "solve tau dU/dt = -U exactly over one step instead": 1 - x,
        "that is backward (implicit) Euler's 1 / (1 + dt/tau), still an approximation; solve tau dU/dt = -U exactly": 1 / (1 + x),
        "the ratio is upside down (tau/dt where the solution has dt/tau)": math.exp(-1 / x),
        "the sign is wrong: a decay keeps less than all of the membrane, beta < 1": math.exp(x),
        "that is the fraction lost in one step (the input's weight 1 - beta), not the fraction kept": -math.expm1(-x),
        "dt and tau are multiplied; the exponent is their ratio": math.exp(-dt * tau),
    }


@checker
def check_beta(fn: Callable) -> Feedback:
    """Check ``fn(dt, tau)`` returns the *exact* decay per step of ``tau dU/dt = -U``.

    Any real number is accepted (Python or NumPy floats, 0-d or one-element tensors of any float
    dtype), compared with a tolerance that suits its precision (a float32 ``torch.exp`` passes).
    Euler's and backward Euler's approximations, an upside-down ratio, a wrong sign, the lost
    fraction and a product in the exponent are named.
    """
    cases = ((0.5, 20.0), (1.0, 10.0), (0.1, 5.0), (2.0, 3.0), (1.0, 1.0))  # the first tells the slips apart
    for dt, tau in cases:
        raw = run_user(fn, dt, tau, what="your beta function")
        got = as_number(raw, f"your beta for dt={dt}, tau={tau}")
        exp = math.exp(-dt / tau)
        rtol = max(tolerance(raw), 1e-12)
        if abs(got - exp) <= rtol * abs(exp) + 1e-15:
            continue
        for why, slip in _beta_slips(dt, tau).items():
            if abs(got - slip) <= max(rtol, 1e-9) * max(abs(slip), 1e-12) + 1e-12:
                return failed(f"for dt={dt}, tau={tau} your beta is {got:.6g}: {why}.")
        return failed(
            f"for dt={dt}, tau={tau} your beta is {got:.6g}, off by {abs(got - exp) / exp:.1%}.",
            "solve tau dU/dt = -U over one step of length dt: what fraction of U is left?",
        )
    return passed("beta = exp(-dt/tau): the exact decay of the membrane over one step.")


# ---- the CV of the inter-spike intervals ----------------------------------------------------


def _cv_cases(seed: int = 0):
    """Spike trains ``[T, N]`` to test a CV on: random (Bernoulli) neurons, then a periodic and a bursty one."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for T, n, p_spike in ((400, 5, 0.1), (1000, 3, 0.03), (250, 4, 0.3)):
        cases.append((torch.rand(T, n, generator=gen) < p_spike).float())
    last = cases[-1]
    last[:, 0] = 0.0
    last[3::7, 0] = 1.0  # periodic: CV 0
    last[:60, 1] = 0.0
    last[:60:3, 1] = 1.0  # a regular burst, then random spikes
    for spk in cases:
        assert int(spk.sum(0).min()) >= 5  # every neuron has several intervals (ddof = 1 needs three)
    return cases


def _cv_slips(spk) -> List[Tuple[str, torch.Tensor]]:
    """Common wrong CVs of the spike trains ``spk`` ``[T, N]``, each a named mistake (with either ddof)."""
    from ..neurons import isi_cv

    s = spk.double()
    first = "the time before the first spike is not an interval; use only differences of spike times"
    out = []
    for ddof in (0, 1):
        cv = isi_cv(spk, ddof=ddof)
        stds, with_first = [], {0.0: [], -1.0: []}
        for j in range(s.shape[1]):
            t = torch.nonzero(s[:, j]).flatten().double()
            stds.append(torch.diff(t).std(correction=ddof))
            for start, acc in with_first.items():
                isi = torch.diff(torch.cat([torch.full((1,), start, dtype=torch.float64), t]))
                acc.append(isi.std(correction=ddof) / isi.mean())
        out += [
            (
                "you computed the CV of the 0/1 train itself; take the intervals between spikes first",
                s.std(0, correction=ddof) / s.mean(0),
            ),
            ("CV squared: std / mean, not var / mean^2", cv**2),
            ("std and mean are swapped: CV = std(ISI) / mean(ISI)", 1 / cv),
            ("you returned std(ISI) without dividing by mean(ISI)", torch.stack(stds)),
            (first, torch.stack(with_first[0.0])),
            (first, torch.stack(with_first[-1.0])),
        ]
    return out


@checker
def check_isi_cv(fn: Callable) -> Feedback:
    """Check ``fn(spk) -> cv``: spikes ``[T, N]`` (0./1.) in, the CV of each neuron's inter-spike intervals out, ``[N]``.

    Compared with :func:`snnlib.neurons.isi_cv`; either standard deviation (``ddof=0`` as NumPy,
    ``ddof=1`` as ``torch.std``) is accepted. Every neuron in the test trains has at least three
    spikes. Tensors, arrays and lists of any float dtype pass.
    """
    from ..neurons import isi_cv

    for spk in _cv_cases():
        shape = (spk.shape[1],)
        raw = run_user(fn, spk.clone(), what="your isi_cv")
        got = as_tensor(raw, f"your CVs for spikes of shape {tuple(spk.shape)}")
        if tuple(got.shape) != shape:
            if got.numel() == 1:
                return failed(
                    f"for spikes of shape {tuple(spk.shape)} you return one number; expected one CV per neuron, shape {shape}.",
                    "loop over the neurons (columns); do not pool their intervals.",
                )
            return failed(
                f"for spikes of shape {tuple(spk.shape)} (time first, [T, N]) your CVs have shape {tuple(got.shape)}, "
                f"expected {shape}.",
                "the intervals are along dimension 0 (time); one CV per column.",
            )
        best = None
        for ddof in (0, 1):
            bad = assert_close(
                raw if isinstance(raw, torch.Tensor) else got, isi_cv(spk, ddof=ddof), "your result", rtol=1e-5, atol=1e-7
            )
            if bad is None:
                break
            best = bad
        else:
            slip = _named_slip(got, _cv_slips(spk))
            if slip is not None:
                return failed(f"{best.message} It looks like {slip}.")
            return failed(best.message, "CV = std(intervals) / mean(intervals), per neuron.")
    return passed("CV = std(ISI) / mean(ISI), per neuron: periodic trains give 0, random (Bernoulli) ones about sqrt(1 - p).")
