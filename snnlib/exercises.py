"""Exercises with feedback: each ``check_*`` function tests a reader's answer and says what is wrong.

A check returns a :class:`Feedback` (truthy when correct) that prints and renders as a coloured
box in a notebook. Checks compare against the library's own functions, so an answer is right
when it computes what the book's code computes.

Sections: common machinery, then one section per chapter.
"""

from __future__ import annotations

import html as _html
import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch

__all__ = ["Feedback", "passed", "failed", "assert_close", "firing_rate_solution", "check_firing_rate"]


@dataclass
class Feedback:
    """The outcome of a check: ``ok`` and a message for the reader."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("✅ Correct! " if self.ok else "❌ Not yet. ") + self.message

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, border = ("#e6f4ea", "#34a853") if self.ok else ("#fdecea", "#d93025")
        head = "✅ Correct!" if self.ok else "❌ Not yet."
        return (
            f'<div style="background:{colour};border-left:4px solid {border};padding:0.5em 1em;">'
            f"<b>{head}</b> {_html.escape(self.message)}</div>"
        )


def passed(message: str = "") -> Feedback:
    return Feedback(True, message)


def failed(message: str) -> Feedback:
    return Feedback(False, message)


def assert_close(
    got: Any, expected: Any, what: str, rtol: float = 1e-5, atol: float = 1e-6, hint: str = ""
) -> Optional[Feedback]:
    """``None`` if ``got`` matches ``expected`` (shape and values), else a :class:`Feedback` saying how not."""
    try:
        got_t = torch.as_tensor(got, dtype=torch.float64)
    except Exception:
        return failed(f"{what} should be a number or tensor, got {type(got).__name__}. {hint}".strip())
    exp_t = torch.as_tensor(expected, dtype=torch.float64)
    if got_t.shape != exp_t.shape:
        return failed(f"{what} has shape {tuple(got_t.shape)}, expected {tuple(exp_t.shape)}. {hint}".strip())
    if not torch.allclose(got_t, exp_t, rtol=rtol, atol=atol):
        err = (got_t - exp_t).abs().max().item()
        return failed(f"{what} differs from the expected value by up to {err:.3g}. {hint}".strip())
    return None


def _run_user(fn: Callable, *args, what: str = "your function") -> Any:
    try:
        return fn(*args)
    except Exception as err:  # the reader's code raised: say so plainly
        raise RuntimeError(f"{what} raised {type(err).__name__}: {err}") from err


# =============================================================================================
# Introduction (notebook 00): the firing rate of a spike train
# =============================================================================================


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
        got = _run_user(fn, spk.clone(), dt, what="your firing_rate")
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


# =============================================================================================
# Chapter: spike coding
# =============================================================================================

__all__ += ["check_rate_encoder", "check_latency_time", "check_first_spike_time"]


def check_rate_encoder(fn: Callable) -> Feedback:
    """Check a Bernoulli rate encoder ``fn(x, num_steps, generator=None) -> spikes [T, *x.shape]``.

    Statistical check: for ``T = 4000`` steps the spike-count rate of every intensity must lie
    within 5 binomial standard deviations, ``5 sqrt(x (1 - x) / T)``, of ``x``; shape, 0/1 values
    and seeding (same seed, same spikes; different seed, different spikes) are checked too."""
    x = torch.tensor([[0.0, 0.1, 0.25], [0.5, 0.8, 1.0]])
    T = 4000
    gen = torch.Generator().manual_seed(1)
    spikes = _run_user(fn, x, T, gen, what="your rate encoder")
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
    again = _run_user(fn, x, 50, torch.Generator().manual_seed(7), what="your rate encoder")
    same = _run_user(fn, x, 50, torch.Generator().manual_seed(7), what="your rate encoder")
    other = _run_user(fn, x, 50, torch.Generator().manual_seed(8), what="your rate encoder")
    if not torch.equal(again, same):
        return failed("two calls with generators seeded alike gave different spikes: pass generator= to torch.bernoulli.")
    if torch.equal(again, other):
        return failed("different seeds gave identical spikes: draw the spikes with the generator you are given.")
    return passed(
        f"the spike rate of every intensity is within 5 binomial standard deviations after {T} steps, "
        "and the spikes are reproducible from a seed."
    )


def check_latency_time(fn: Callable) -> Feedback:
    """Check ``fn(x, tau, threshold) -> t``: the RC-circuit firing time ``t = tau ln(x / (x - threshold))``
    for intensities above the threshold (exact to 1e-5 relative)."""
    from . import encoding

    x = torch.linspace(0.05, 1.0, 20, dtype=torch.float64)
    for tau, thr in ((5.0, 0.01), (2.0, 0.04)):
        got = _run_user(fn, x, tau, thr, what="your latency formula")
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


def check_first_spike_time(fn: Callable) -> Feedback:
    """Check ``fn(spikes) -> t_first``: for ``spikes [T, N]`` the first step with a spike,
    ``min{t | s[t] = 1}``, and ``inf`` for neurons that never spike."""
    from . import encoding

    g = torch.Generator().manual_seed(3)
    spikes = (torch.rand(12, 7, generator=g) < 0.15).float()
    spikes[:, 0] = 0.0  # a silent neuron
    spikes[0, 1] = 1.0  # one firing at t = 0
    got = _run_user(fn, spikes.clone(), what="your first-spike-time decoder")
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


# =============================================================================================
# Chapter: the LIF neuron
# =============================================================================================

__all__ += ["check_lif_step", "check_current_for_rate", "check_beta"]


def _lif_variants(cur, mem, beta, thr, reset):
    """Common wrong versions of the LIF step, to name the reader's mistake."""
    from .surrogate import heaviside

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


def check_lif_step(fn: Callable, trials: int = 20, seed: int = 0) -> Feedback:
    """Check a hand-written LIF step ``spk, mem = fn(cur, mem, beta, threshold, reset)`` against
    :func:`snnlib.neurons.lif_step` over random inputs and all three resets (``"subtract"``,
    ``"zero"``, ``"none"``).

    ``cur`` and ``mem`` are tensors ``[B, N]``; ``beta`` and ``threshold`` floats; the reader's
    function returns the spikes (0./1.) and the new membrane, both ``[B, N]``. The previous spike
    is ``H(mem - threshold)`` (snnTorch's convention: the reset uses the previous step's spike).
    """
    from .neurons import RESETS, LIFParams, lif_step

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
                out = _run_user(fn, cur.clone(), mem.clone(), beta, thr, reset, what="your lif step")
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


def check_current_for_rate(current: float, rate: float = 20.0, params=None, tolerance: float = 0.5) -> Feedback:
    """Check that a constant ``current`` (nA) makes the physical LIF fire at ``rate`` Hz (within ``tolerance`` Hz).

    The rate is measured by simulating :func:`snnlib.neurons.physical_lif_run` for 1 s and compared
    with the analytic f-I curve :func:`snnlib.neurons.analytic_rate`; ``params`` defaults to
    :class:`snnlib.neurons.PhysicalLIFParams()`.
    """
    from .neurons import PhysicalLIFParams, analytic_rate, current_for_rate, physical_lif_run

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


def check_beta(fn: Callable) -> Feedback:
    """Check ``fn(dt, tau)`` returns the *exact* decay per step of ``tau dU/dt = -U``, ``exp(-dt/tau)``."""
    from .neurons import beta_euler, beta_exact

    for dt, tau in ((1.0, 10.0), (0.1, 5.0), (2.0, 3.0), (1.0, 1.0), (0.5, 20.0)):
        try:
            got = float(_run_user(fn, dt, tau, what="your beta function"))
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
# Chapter: neural circuits
# =============================================================================================


def check_convergent_weights(fn: Callable) -> Feedback:
    """Check a reader's ``fn(n_in, n_out, fan_in, weight) -> [n_in, n_out]`` against
    :func:`snnlib.circuits.convergent_weights` (output ``j`` sums inputs ``j*s .. j*s+fan_in-1``
    modulo ``n_in``, ``s = n_in // n_out``)."""
    from . import circuits

    for args in ((8, 4, 2, 1.0), (16, 4, 8, 0.5), (6, 3, 3, 0.25), (5, 5, 1, 2.0)):
        got = _run_user(fn, *args, what="your convergent_weights")
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


def check_wta_prediction(answer: int, drive, inhibition: float = 2.0, seed: int = 0) -> Feedback:
    """Check a prediction of which neuron wins a winner-take-all race.

    ``drive`` ``[N]``: the input spike probability per step of each neuron's inputs; the check runs
    :func:`snnlib.circuits.winner_take_all` (5 inputs per neuron) and compares ``answer`` with the
    neuron that fires after the first 30 steps.
    """
    from . import circuits

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


def check_edge_contrast(fn: Callable) -> Feedback:
    """Check a reader's ``fn(rates, inside, outside) -> float`` (Michelson contrast across an edge)
    against :func:`snnlib.circuits.edge_contrast`."""
    from . import circuits

    cases = [
        (torch.tensor([0.1, 0.1, 0.3, 0.3]), 2, 1),
        (torch.tensor([0.0, 0.5, 0.5]), 1, 0),
        (torch.tensor([0.2, 0.4, 0.1]), 1, 2),
        (torch.tensor([0.0, 0.0]), 1, 0),
    ]
    for rates, inside, outside in cases:
        got = _run_user(fn, rates, inside, outside, what="your edge_contrast")
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


__all__ += ["check_convergent_weights", "check_wta_prediction", "check_edge_contrast"]


# =============================================================================================
# Chapter: surrogate gradients
# =============================================================================================

__all__ += ["check_surrogate_function", "check_bptt_gradient"]


def _apply_user_fn(fn, u, k):
    """Call a reader's autograd Function (class with ``.apply``) or plain function as ``f(u)`` or ``f(u, k)``."""
    call = fn.apply if hasattr(fn, "apply") else fn
    try:
        return call(u)
    except TypeError:
        return call(u, k)


def check_surrogate_function(fn, expected: str = "fast_sigmoid", sharpness: float = 10.0):
    """Check a reader's spike function with a surrogate gradient (a ``torch.autograd.Function``).

    ``fn.apply(u)`` (or ``fn.apply(u, sharpness)``) must return the exact Heaviside step
    ``H(u) = 1 if u > 0 else 0`` (same shape and dtype as ``u``, ``H(0) = 0``), and its backward
    pass must multiply the incoming gradient by the derivative of ``snnlib.surrogate.get(expected,
    sharpness)`` (for the default: ``1 / (1 + 10 |u|)^2``), at many points ``u``.
    """
    from . import surrogate as _s

    ref = _s.get(expected, sharpness)
    u = torch.cat([torch.linspace(-2, 2, 401), torch.tensor([0.0, 1e-7, -1e-7])]).reshape(-1, 1)
    u = torch.cat([u, 0.5 * u], 1)  # [405, 2]: the function must keep shapes
    x = u.clone().requires_grad_(True)
    try:
        out = _apply_user_fn(fn, x, sharpness)
    except Exception as err:
        return failed(f"calling your function raised {type(err).__name__}: {err}")
    if not isinstance(out, torch.Tensor):
        return failed(f"your forward should return a tensor, got {type(out).__name__}")
    if out.shape != u.shape:
        return failed(
            f"your forward returned shape {tuple(out.shape)} for an input of shape {tuple(u.shape)}: "
            "return a spike for every element"
        )
    if out.dtype != u.dtype:
        return failed(f"your forward returned dtype {out.dtype}; return the input's dtype (e.g. (u > 0).to(u.dtype))")
    step = (u > 0).to(u.dtype)
    if not torch.equal(out.detach(), step):
        bad = out.detach() != step
        where = u[bad][:3].tolist()
        if torch.equal(out.detach(), (u >= 0).to(u.dtype)):
            return failed("your forward fires at u = 0; the book (and snnTorch) use H(0) = 0: spike only when u > 0")
        if not torch.all((out.detach() == 0) | (out.detach() == 1)):
            return failed(
                "your forward is not binary: the forward pass must be the exact step (0 or 1), "
                "the smooth function belongs only in the backward pass"
            )
        return failed(f"your forward is not the Heaviside step, e.g. at u = {where}")
    if not out.requires_grad:
        return failed(
            "no gradient flows through your function's output: did you return a detached tensor "
            "from a plain function instead of an autograd.Function?"
        )
    gen = torch.Generator().manual_seed(0)
    grad_out = torch.rand(u.shape, generator=gen) + 0.5
    try:
        out.backward(grad_out)
    except Exception as err:
        return failed(f"your backward raised {type(err).__name__}: {err}")
    if x.grad is None:
        return failed("your backward returned no gradient for u")
    want = grad_out * ref.derivative(u)
    if torch.allclose(x.grad, want, rtol=1e-4, atol=1e-6):
        return passed(f"forward is H(u) and backward is {ref!r}'s derivative at {u.numel()} points.")
    if torch.allclose(x.grad, ref.derivative(u), rtol=1e-4, atol=1e-6):
        return failed(
            "your backward returns the surrogate derivative but ignores grad_output: "
            "multiply by the gradient arriving from above (chain rule)"
        )
    if torch.allclose(x.grad, grad_out * ref.derivative(u) * sharpness, rtol=1e-4, atol=1e-6):
        return failed(
            f"your backward is {sharpness:g} times too large: the SuperSpike derivative has no "
            "chain-rule factor k, 1/(1 + k|u|)^2 peaks at 1"
        )
    if torch.allclose(x.grad, grad_out, rtol=1e-4, atol=1e-6):
        return failed(
            "your backward passes the gradient straight through (derivative 1): that is the "
            "straight-through estimator, not the surrogate asked for"
        )
    err = (x.grad - want).abs().max().item()
    i = int((x.grad - want).abs().argmax())
    return failed(
        f"your backward differs from grad_output * {ref!r}.derivative(u) by up to {err:.3g} "
        f"(at u = {u.flatten()[i].item():.3g}); check the formula"
    )


def check_bptt_gradient(fn, n_cases: int = 50):
    """Check a reader's hand-derived gradient of the chapter's two-step example.

    ``fn(w, x1, x2, y1, y2, beta, threshold)`` must return ``dL/dw`` (a float) for
    ``U1 = w x1``, ``U2 = beta U1 + w x2 - S1 thr`` (reset detached),
    ``S_t = H(U_t - thr)``, ``L = sum_t (S_t - y_t)^2 / 2``, with the arctan surrogate (alpha = 2),
    ``s'(u) = 1 / (1 + (pi u)^2)``. Compared with autograd at ``n_cases`` random settings.
    """
    from . import learning as _learning
    from . import surrogate as _s

    gen = torch.Generator().manual_seed(0)
    sur = _s.arctan(2.0)
    wrong_no_back = wrong_reset = 0
    for _ in range(n_cases):
        w, x1, x2 = (torch.rand(3, generator=gen) * 2).tolist()
        beta = 0.5 + 0.5 * float(torch.rand(1, generator=gen))
        y1, y2 = (torch.rand(2, generator=gen) < 0.5).float().tolist()
        thr = 1.0
        want = _learning.two_step_gradient(w, x1, x2, y1, y2, beta, thr, sur)
        try:
            got = fn(w, x1, x2, y1, y2, beta, thr)
            got = float(got)
        except Exception as err:
            return failed(f"your function raised {type(err).__name__} at w={w:.3g}, x1={x1:.3g}, x2={x2:.3g}: {err}")
        if abs(got - want) <= 1e-5 + 1e-4 * abs(want):
            continue
        terms = _learning.two_step_gradient_by_hand(w, x1, x2, y1, y2, beta, thr, sur, detach_reset=False)
        if abs(got - (terms["total"] - terms["t2_back"] - terms["reset"])) < 1e-6 + 1e-4 * abs(want):
            wrong_no_back += 1
        elif abs(got - terms["total"]) < 1e-6 + 1e-4 * abs(want):
            wrong_reset += 1
        msg = (
            f"at w={w:.3g}, x1={x1:.3g}, x2={x2:.3g}, y=({y1:g}, {y2:g}), beta={beta:.3g} you return "
            f"{got:.6g}, autograd gives {want:.6g}. "
        )
        if wrong_no_back:
            msg += (
                "Your value misses the path one step back in time: U2 depends on w also through "
                "beta U1, so dU2/dw = beta x1 + x2."
            )
        elif wrong_reset:
            msg += "Your value includes the reset path -thr s'(U1 - thr) x1, but the reset is detached."
        else:
            msg += "Write dL/dw = sum_t (S_t - y_t) s'(U_t - thr) dU_t/dw and check each factor."
        return failed(msg)
    return passed(f"your hand-derived dL/dw equals BPTT's at {n_cases} random settings.")


# =============================================================================================
# Chapter: MNIST on the GPU
# =============================================================================================

__all__ += ["check_rate_decoding", "check_synaptic_operations"]


def check_rate_decoding(fn: Callable) -> Feedback:
    """Check ``fn(spk_rec) -> predictions``: the class whose output neuron fired most (``spk_rec`` ``[T, B, C]``)."""
    gen = torch.Generator().manual_seed(5)
    spk = (torch.rand(25, 16, 10, generator=gen) < torch.rand(1, 16, 10, generator=gen)).float()
    counts = spk.sum(0)
    keep = (counts == counts.max(-1, keepdim=True).values).sum(-1) == 1  # samples without ties
    spk = spk[:, keep]
    got = _run_user(fn, spk, what="your decoding function")
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


def check_synaptic_operations(fn: Callable) -> Feedback:
    """Check ``fn(hidden_spikes, fan_out) -> synaptic operations per sample`` (``hidden_spikes`` ``[T, B, H]``)."""
    gen = torch.Generator().manual_seed(6)
    spk = (torch.rand(10, 4, 30, generator=gen) < 0.2).float()
    expected = float(spk.sum()) / 4 * 10
    got = _run_user(fn, spk, 10, what="your function")
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
