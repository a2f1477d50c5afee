"""Exercises of the LIF chapter."""

from __future__ import annotations

import math
from typing import Callable

import torch

from .core import Feedback, assert_close, checker, failed, passed, run_user

__all__ = ["check_lif_step", "check_current_for_rate", "check_beta"]


def _lif_variants(cur, mem, beta, thr, reset):
    """Common wrong versions of the LIF step, to name the reader's mistake."""
    from ..surrogate import heaviside

    prev = heaviside(mem - thr)
    out = {}
    # reset from the NEW membrane (no delay)
    new = beta * mem + cur
    r_now = heaviside(new - thr)
    if reset == "subtract":
        out[
            "the reset uses the spike of the NEW membrane (it must use the previous step's spike, "
            "R[t] = H(U[t] - U_thr), computed from the membrane passed in)"
        ] = new - r_now * thr
        out["the reset subtracts beta * U_thr (the reset term is not decayed: subtract U_thr itself)"] = (
            beta * (mem - prev * thr) + cur
        )
        out["there is no reset term (for reset='subtract' subtract R[t] * U_thr)"] = new
    elif reset == "zero":
        out[
            "the reset uses the spike of the NEW membrane (it must use the previous step's spike, "
            "R[t] = H(U[t] - U_thr), computed from the membrane passed in)"
        ] = new * (1 - r_now)
        out["the zero reset also removes the input: U[t+1] = beta (1 - R[t]) U[t] + I[t+1], the input still arrives"] = (
            beta * mem + cur
        ) * (1 - prev)
        out["there is no reset term (for reset='zero' multiply U[t] by 1 - R[t])"] = new
    out["the threshold test uses >= (snnTorch's step is strict: H(x) = 1 only if x > 0)"] = None
    out["the decay is applied to the input too: U[t+1] = beta (U[t] + I[t+1]) instead of beta U[t] + I[t+1]"] = beta * (
        mem + cur
    ) - (prev * thr if reset == "subtract" else 0)
    return out


@checker
def check_lif_step(fn: Callable, trials: int = 20, seed: int = 0) -> Feedback:
    """Check a hand-written LIF step ``spk, mem = fn(cur, mem, beta, threshold, reset)`` against
    :func:`snnlib.neurons.lif_step` over random inputs and all three resets (``"subtract"``,
    ``"zero"``, ``"none"``).

    ``cur`` and ``mem`` are tensors ``[B, N]``; ``beta`` and ``threshold`` floats; the reader's
    function returns the spikes (0./1.) and the new membrane, both ``[B, N]``. The previous spike
    is ``H(mem - threshold)`` (snnTorch's convention: the reset uses the previous step's spike).
    """
    from ..neurons import RESETS, LIFParams, lif_step

    gen = torch.Generator().manual_seed(seed)
    for reset in RESETS:
        for trial in range(trials):
            beta = float(torch.rand(1, generator=gen)) * 0.95
            thr = 0.5 + float(torch.rand(1, generator=gen))
            cur = torch.randn(4, 6, generator=gen) * 0.6
            mem = torch.randn(4, 6, generator=gen) * 0.8 + 0.6
            if trial == 0:  # include membranes exactly at threshold: H(0) = 0
                mem[0, 0], cur[0, 0] = thr, 0.0  # previous membrane at threshold: no reset
                mem[0, 1], cur[0, 1] = 0.0, thr  # new membrane at threshold: no spike
            exp_spk, exp_state = lif_step(cur, mem, LIFParams(beta, thr, reset))
            try:
                out = run_user(fn, cur.clone(), mem.clone(), beta, thr, reset, what="your lif step")
            except RuntimeError as err:
                return failed(str(err))
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                return failed(f"your function should return a pair (spk, mem), got {type(out).__name__}.")
            spk, new_mem = out
            where = f"(reset={reset!r}, beta={beta:.3f}, threshold={thr:.3f})"
            bad = assert_close(new_mem, exp_state.mem, f"the new membrane {where}", rtol=1e-4, atol=1e-5)
            if bad is not None:
                try:
                    got = torch.as_tensor(new_mem, dtype=torch.float32)
                    for why, variant in _lif_variants(cur, mem, beta, thr, reset).items():
                        if (
                            variant is not None
                            and got.shape == variant.shape
                            and torch.allclose(got, variant, rtol=1e-4, atol=1e-5)
                        ):
                            return failed(f"{bad.message} It looks like {why}.")
                except (TypeError, ValueError, RuntimeError):
                    pass
                return failed(
                    bad.message + " Recall U[t+1] = beta U[t] + I[t+1] - R[t] U_thr (subtract), "
                    "beta (1 - R[t]) U[t] + I[t+1] (zero), beta U[t] + I[t+1] (none), with "
                    "R[t] = H(U[t] - U_thr)."
                )
            bad = assert_close(spk, exp_spk, f"the spike tensor {where}", atol=1e-6)
            if bad is not None:
                got = torch.as_tensor(spk, dtype=torch.float32)
                if torch.equal(got, (exp_state.mem >= thr).float()):
                    return failed(f"{bad.message} Use a strict test: a spike when U[t+1] > U_thr, not >=.")
                return failed(bad.message + " The spike is S[t+1] = 1 if U[t+1] > U_thr else 0, from the NEW membrane.")
    return passed(f"your LIF step matches snnlib.neurons.lif_step for all three resets over {3 * trials} random trials.")


@checker
def check_current_for_rate(current: float, rate: float = 20.0, params=None, tolerance: float = 0.5) -> Feedback:
    """Check that a constant ``current`` (nA) makes the physical LIF fire at ``rate`` Hz (within ``tolerance`` Hz).

    The rate is measured by simulating :func:`snnlib.neurons.physical_lif_run` for 1 s and compared
    with the analytic f-I curve :func:`snnlib.neurons.analytic_rate`; ``params`` defaults to
    :class:`snnlib.neurons.PhysicalLIFParams()`.
    """
    from ..neurons import PhysicalLIFParams, analytic_rate, current_for_rate, physical_lif_run

    p = PhysicalLIFParams() if params is None else params
    try:
        current = float(current)
    except (TypeError, ValueError):
        return failed(f"the current should be a number in nA, got {type(current).__name__}.")
    if current != current:  # NaN
        return failed("the current is NaN.")
    theory = float(analytic_rate(current, p))
    exact = current_for_rate(rate, p)
    if current <= p.rheobase:
        return failed(
            f"at I = {current:g} nA the neuron never fires: the membrane settles at E_L + R I = "
            f"{p.E_L + p.R * current:g} mV, below the threshold {p.V_th:g} mV. The smallest current "
            f"that fires at all (the rheobase) is (V_th - E_L) / R = {p.rheobase:g} nA."
        )
    if abs(theory - rate) > tolerance:
        direction = "increase" if theory < rate else "decrease"
        return failed(
            f"at I = {current:g} nA the neuron fires at {theory:.2f} Hz (f-I formula), not {rate:g} "
            f"Hz: {direction} the current. Hint: invert "
            "f = 1 / (t_ref + tau ln((R I + E_L - V_reset) / (R I + E_L - V_th))) for I."
        )
    duration = 1000.0
    T = round(duration / p.dt)
    spk, _ = physical_lif_run(torch.full((T,), current, dtype=torch.float64), p)
    idx = torch.nonzero(spk).flatten()
    sim = 0.0 if len(idx) < 2 else 1000.0 / (float(torch.diff(idx).double().mean()) * p.dt)
    return passed(
        f"I = {current:.4g} nA gives {sim:.2f} Hz in simulation (dt = {p.dt:g} ms) and "
        f"{theory:.2f} Hz on the analytic f-I curve; the exact inverse is {exact:.4f} nA."
    )


@checker
def check_beta(fn: Callable) -> Feedback:
    """Check ``fn(dt, tau)`` returns the *exact* decay per step of ``tau dU/dt = -U``, ``exp(-dt/tau)``."""
    from ..neurons import beta_euler, beta_exact

    for dt, tau in ((1.0, 10.0), (0.1, 5.0), (2.0, 3.0), (1.0, 1.0), (0.5, 20.0)):
        try:
            got = float(run_user(fn, dt, tau, what="your beta function"))
        except (RuntimeError, TypeError, ValueError) as err:
            return failed(str(err))
        exp = beta_exact(dt, tau)
        if abs(got - exp) > 1e-9:
            if abs(got - beta_euler(dt, tau)) < 1e-9:
                return failed(
                    f"for dt={dt}, tau={tau} you return {got:.6g} = 1 - dt/tau, forward Euler's "
                    f"approximation; the exact decay over one step is exp(-dt/tau) = {exp:.6g}."
                )
            if abs(got - math.exp(-tau / dt)) < 1e-9:
                return failed(f"for dt={dt}, tau={tau} you return exp(-tau/dt); the ratio is upside down.")
            return failed(
                f"for dt={dt}, tau={tau} you return {got:.6g}, expected {exp:.6g}. Solve "
                "tau dU/dt = -U over one step of length dt."
            )
    return passed("beta = exp(-dt/tau): the exact decay of the membrane over one step.")


# =============================================================================================
