"""Exercises of the surrogate-gradient chapter (notebook 04).

* :func:`check_surrogate_function`: a spike function with a surrogate gradient (an autograd
  ``Function`` or a plain function), forward and backward;
* :func:`check_bptt_gradient`: the two-step example's ``dL/dw``, derived by hand;
* :func:`check_bptt_recursion`: one layer's step of the multilayer BPTT recursion,
  ``delta[t] = e[t] s'(U[t] - thr) + beta delta[t+1]``.

Each compares with the library (:mod:`snnlib.surrogate`, :mod:`snnlib.learning`), names the
common slips, and never shows the expected values. Progressive hints:
``snl.exercises.hint("surrogate_function", 1)``, ``"bptt_gradient"``, ``"bptt_recursion"``.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Dict, Optional

import torch

from .core import Feedback, _Stop, as_number, as_tensor, assert_close, checker, failed, passed, register_hints, run_user

__all__ = ["check_surrogate_function", "check_bptt_gradient", "check_bptt_recursion"]

register_hints(
    "surrogate_function",
    "forward returns the exact step as floats: (u > 0).to(u.dtype); save u with ctx.save_for_backward(u).",
    "backward gets dL/dS (grad_output) and returns dL/du = grad_output * dS/du, where dS/du is the "
    "surrogate's derivative at the saved u.",
    "for SuperSpike with slope k: return grad_output / (1 + k * u.abs()) ** 2 (no extra factor k).",
)
register_hints(
    "bptt_gradient",
    "write dL/dw = sum_t (S_t - y_t) s'(U_t - thr) dU_t/dw, with s'(u) = 1 / (1 + (pi u)^2).",
    "dU_1/dw = x1; U_2 = beta U_1 + w x2 - S_1 thr, and the reset S_1 is detached, so dU_2/dw = beta x1 + x2.",
    "compute U_1, S_1 = float(U_1 > thr), U_2, S_2 first (the forward pass), then the two terms.",
)
register_hints(
    "bptt_recursion",
    "go backward in time: start at the last step t = T - 1, where nothing comes from the future.",
    "delta[t] = e[t] * s'(mem[t] - threshold) + beta * delta[t + 1]: the surrogate multiplies only "
    "e[t], the carried term is only decayed.",
    "s = snl.surrogate.arctan(2.0).derivative(mem - threshold); then a loop for t in reversed(range(T)) "
    "with carry = e[t] * s[t] + beta * carry; delta[t] = carry.",
)


# ---- Exercise: a surrogate as an autograd Function ----------------------------------------------


def _wants_sharpness(fn: Any) -> bool:
    """True when ``fn`` (an autograd Function class or a plain function) takes a second argument."""
    target = fn.forward if isinstance(fn, type) and issubclass(fn, torch.autograd.Function) else fn
    try:
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return False
    if target is not fn:  # forward(ctx, u, ...): drop ctx
        params = params[1:]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    return len(required) >= 2


def _spike_function(fn: Any) -> Callable:
    if isinstance(fn, type) and issubclass(fn, torch.autograd.Function):
        return fn.apply
    if not callable(fn):
        raise _Stop(failed(f"your answer should be an autograd Function class or a function, got {type(fn).__name__}."))
    return fn


def _backward_slips(grad_out, ref, u, sharpness: float) -> Dict[str, torch.Tensor]:
    """Common wrong backward passes, to name the reader's mistake (all float64)."""
    from .. import surrogate as _s

    d = ref.derivative(u)
    slips = {
        "your backward returns the surrogate derivative but ignores grad_output: multiply by the "
        "gradient arriving from above (chain rule)": d,
        "your backward passes the gradient straight through (derivative 1): that is the "
        "straight-through estimator, not the surrogate asked for": grad_out,
        "your backward is the true derivative of the step (0): no gradient would flow": torch.zeros_like(u),
        "your backward uses the arctan surrogate's derivative, not the one asked for": grad_out
        * _s.arctan(sharpness).derivative(u),
    }
    if ref.name == "fast_sigmoid":
        k = sharpness
        slips[
            f"your backward is {k:g} times too large: the SuperSpike derivative 1/(1 + k|u|)^2 has no "
            "chain-rule factor k (it peaks at 1)"
        ] = grad_out * d * k
        slips["your backward misses the square: the SuperSpike derivative is 1/(1 + k|u|)^2"] = grad_out / (1 + k * u.abs())
    return slips


@checker
def check_surrogate_function(fn, expected: str = "fast_sigmoid", sharpness: float = 10.0) -> Feedback:
    """Check a reader's spike function with a surrogate gradient.

    ``fn`` is a ``torch.autograd.Function`` subclass (called as ``fn.apply(u)``, or
    ``fn.apply(u, sharpness)`` when its ``forward`` takes a second argument) or a plain function
    of ``u`` (or ``u, sharpness``). On float32 and float64 inputs ``u`` (``[404, 2]``, including
    ``u = 0``), the forward pass must return the exact Heaviside step ``H(u) = 1 if u > 0 else 0``
    (floats, ``u``'s shape, ``H(0) = 0``), and the backward pass must multiply the incoming
    gradient by the derivative of ``snnlib.surrogate.get(expected, sharpness)`` (for the default:
    ``1 / (1 + 10 |u|)^2``).
    """
    from .. import surrogate as _s

    ref = _s.get(expected, sharpness)
    call = _spike_function(fn)
    extra = (float(sharpness),) if _wants_sharpness(fn) else ()
    grid = torch.cat([torch.linspace(-2, 2, 401, dtype=torch.float64), torch.tensor([0.0, 1e-4, -1e-4], dtype=torch.float64)])
    grid = torch.stack([grid, 0.5 * grid], 1)  # [404, 2]: the function must keep shapes
    gen = torch.Generator().manual_seed(0)
    grad_out = torch.rand(grid.shape, generator=gen, dtype=torch.float64) + 0.5
    for dtype in (torch.float32, torch.float64):
        u = grid.to(dtype)
        x = u.clone().requires_grad_(True)
        out = run_user(call, x, *extra, what="your spike function")
        bad = _check_forward(out, u)
        if bad is not None:
            return bad
        if not out.requires_grad:
            return failed(
                "no gradient flows through your function's output: it returns a tensor detached from u "
                "(a plain function needs an autograd Function, or the trick smooth + (step - smooth).detach()).",
                "see snl.exercises.hint('surrogate_function', 1)",
            )
        try:
            out.backward(grad_out.to(dtype))
        except NotImplementedError:
            return failed(
                "your forward works, but your backward still raises NotImplementedError: write it.",
                "see snl.exercises.hint('surrogate_function', 2)",
            )
        except Exception as err:
            return failed(
                f"your backward raised {type(err).__name__}: {err}", "backward must return one gradient per input of forward."
            )
        if x.grad is None:
            return failed("your backward returned no gradient for u (None).", "return grad_output * dS/du.")
        want = grad_out * ref.derivative(grid)
        where = f"the gradient for a {str(dtype).replace('torch.', '')} input"
        bad = assert_close(x.grad, want, where, rtol=1e-5, atol=1e-7)
        if bad is None:
            continue
        got = x.grad.detach().double()
        if got.shape == grid.shape:
            pos = grid >= 0
            if torch.allclose(got[pos], want[pos], rtol=1e-4, atol=1e-6) and not torch.allclose(
                got[~pos], want[~pos], rtol=1e-4, atol=1e-6, equal_nan=True
            ):
                return failed(
                    "your backward is right for u >= 0 but not for u < 0: the surrogate derivative is symmetric in u (use |u|).",
                    "see snl.exercises.hint('surrogate_function', 3)",
                )
            for why, slip in _backward_slips(grad_out, ref, grid, float(sharpness)).items():
                if torch.allclose(got, slip, rtol=1e-4, atol=1e-6, equal_nan=True):
                    return failed(why + ".", "see snl.exercises.hint('surrogate_function', 2)")
        return failed(
            bad.message + f" Check the formula of {ref!r}'s derivative.", "see snl.exercises.hint('surrogate_function', 3)"
        )
    return passed(
        f"the forward is H(u) and the backward is {ref!r}'s derivative times the incoming gradient, in float32 and float64."
    )


def _check_forward(out: Any, u: torch.Tensor) -> Optional[Feedback]:
    if not isinstance(out, torch.Tensor):
        return failed(f"your forward should return a tensor, got {type(out).__name__}.")
    if tuple(out.shape) != tuple(u.shape):
        return failed(
            f"your forward returned shape {tuple(out.shape)} for an input of shape {tuple(u.shape)}: "
            "return one spike per element."
        )
    if not out.is_floating_point():
        return failed(
            f"your forward returned dtype {out.dtype}; spikes must be floats so that gradients can flow: (u > 0).to(u.dtype)."
        )
    got, step = out.detach().double(), (u > 0).double()
    if torch.equal(got, step):
        return None
    if torch.equal(got, (u >= 0).double()):
        return failed("your forward fires at u = 0; the book (and snnTorch) use H(0) = 0: spike only when u > 0.")
    if not bool(((got == 0) | (got == 1)).all()):
        return failed(
            "your forward is not binary: the forward pass must be the exact step (0 or 1); "
            "the smooth function belongs only in the backward pass."
        )
    return failed(
        "your forward is not the Heaviside step H(u) = 1 if u > 0 else 0.", "see snl.exercises.hint('surrogate_function', 1)"
    )


# ---- Exercise: the two-step gradient by hand ----------------------------------------------------


def _two_step_slips(terms: Dict[str, float]) -> Dict[str, float]:
    """Common wrong versions of the two-step gradient (``terms`` from the library, reset attached)."""
    total = terms["t1"] + terms["t2_now"] + terms["t2_back"]
    return {
        "your value misses the path one step back in time: U2 depends on w also through beta U1, so dU2/dw = beta x1 + x2": total
        - terms["t2_back"],
        "your value includes the reset path -thr s'(U1 - thr) x1, but the reset is detached": total + terms["reset"],
        "your value has the wrong sign: dL/dS_t = S_t - y_t (not y_t - S_t)": -total,
        "your value is 1/pi of BPTT's: s'(u) = 1 / (1 + (pi u)^2) has no factor 1/pi (the formula in snnTorch's "
        "documentation drops the chain-rule factor)": total / math.pi,
        "your value misses step 2's own input: dU2/dw = beta x1 + x2, the x2 is missing": total - terms["t2_now"],
        "your value misses the loss at step 1, (S1 - y1) s'(U1 - thr) x1": total - terms["t1"],
    }


@checker
def check_bptt_gradient(fn, n_cases: int = 50) -> Feedback:
    """Check a reader's hand-derived gradient of the chapter's two-step example.

    ``fn(w, x1, x2, y1, y2, beta, threshold)`` must return ``dL/dw`` (a number: Python, NumPy or a
    one-element tensor, any float dtype) for ``U1 = w x1``, ``U2 = beta U1 + w x2 - S1 thr``
    (reset detached), ``S_t = H(U_t - thr)``, ``L = sum_t (S_t - y_t)^2 / 2``, with the arctan
    surrogate (alpha = 2), ``s'(u) = 1 / (1 + (pi u)^2)``. Compared with autograd at ``n_cases``
    random settings (thresholds between 0.5 and 1.5).
    """
    from .. import learning as _learning
    from .. import surrogate as _s

    gen = torch.Generator().manual_seed(0)
    sur = _s.arctan(2.0)
    for _ in range(n_cases):
        w, x1, x2 = (torch.rand(3, generator=gen, dtype=torch.float64) * 2).tolist()
        beta = 0.5 + 0.5 * float(torch.rand(1, generator=gen, dtype=torch.float64))
        thr = 0.5 + float(torch.rand(1, generator=gen, dtype=torch.float64))
        y1, y2 = (torch.rand(2, generator=gen) < 0.5).double().tolist()
        want = _learning.two_step_gradient(w, x1, x2, y1, y2, beta, thr, sur)
        got = as_number(run_user(fn, w, x1, x2, y1, y2, beta, thr), "your dL/dw")
        tol = 1e-5 + 1e-4 * abs(want)
        if abs(got - want) <= tol:
            continue
        where = f"at w={w:.3g}, x1={x1:.3g}, x2={x2:.3g}, y=({y1:g}, {y2:g}), beta={beta:.3g}, thr={thr:.3g}"
        terms = _learning.two_step_gradient_by_hand(w, x1, x2, y1, y2, beta, thr, sur, detach_reset=False)
        for why, slip in _two_step_slips(terms).items():
            if abs(got - slip) <= tol:
                return failed(f"{where}: {why}.", "see snl.exercises.hint('bptt_gradient', 2)")
        if abs(want) < 1e-12:
            off = f"is {got:.3g}, but here S_t = y_t at both steps: every term has the factor S_t - y_t = 0"
        else:
            off = f"differs from BPTT's by {abs(got - want) / abs(want):.1%}"
        return failed(
            f"{where}: your dL/dw {off}.",
            "write dL/dw = sum_t (S_t - y_t) s'(U_t - thr) dU_t/dw and check each factor "
            "(snl.exercises.hint('bptt_gradient', 1)).",
        )
    return passed(f"your hand-derived dL/dw equals BPTT's at {n_cases} random settings.")


# ---- Exercise: one layer's step of the multilayer recursion -------------------------------------


def _recursion_slips(e: torch.Tensor, slope: torch.Tensor, beta: float) -> Dict[str, torch.Tensor]:
    """Common wrong recursions (float64), to name the reader's mistake."""

    def scan(step, reverse=True):
        out, carry = torch.zeros_like(e), torch.zeros_like(e[0])
        order = reversed(range(e.shape[0])) if reverse else range(e.shape[0])
        for t in order:
            carry = step(t, carry)
            out[t] = carry
        return out

    return {
        "your delta has no memory: the membrane at t also reaches the loss through U[t+1], add beta * delta[t + 1]": e * slope,
        "your recursion applies the surrogate to the carried term too: delta[t] = e[t] s'(U[t] - thr) + beta delta[t+1], "
        "only e[t] passes through the spike": scan(lambda t, c: (e[t] + beta * c) * slope[t]),
        "your recursion runs forward in time: delta[t] collects from the future, delta[t + 1], not from delta[t - 1]": scan(
            lambda t, c: e[t] * slope[t] + beta * c, reverse=False
        ),
        "your recursion has no surrogate factor: the gradient reaches U[t] through the spike, e[t] * s'(U[t] - thr)": scan(
            lambda t, c: e[t] + beta * c
        ),
        "your recursion decays the new term too: delta[t] = e[t] s'(U[t] - thr) + beta delta[t+1], beta only on the "
        "carried term": scan(lambda t, c: beta * (e[t] * slope[t] + c)),
    }


@checker
def check_bptt_recursion(fn, trials: int = 4) -> Feedback:
    """Check a reader's step of the multilayer BPTT recursion for one layer.

    ``fn(e, mem, beta, threshold)`` gets ``e = dL/dS[t]`` and the membranes ``mem = U[t]`` (both
    ``[T, B, n]``, float32 or float64) and must return ``delta[t] = dL/dU[t]`` ``[T, B, n]`` (a
    tensor, array or nested list) with the arctan surrogate (alpha = 2)::

        delta[T-1] = e[T-1] s'(U[T-1] - thr);   delta[t] = e[t] s'(U[t] - thr) + beta delta[t+1]

    Compared with :func:`snnlib.learning.bptt_delta` over ``trials`` random settings.
    """
    from .. import learning as _learning
    from .. import surrogate as _s

    sur = _s.arctan(2.0)
    gen = torch.Generator().manual_seed(0)
    for trial in range(trials):
        dtype = torch.float32 if trial % 2 == 0 else torch.float64
        T, B, n = 12, 3, 4
        beta = 0.5 + 0.45 * float(torch.rand(1, generator=gen))
        thr = 0.75 + 0.5 * float(torch.rand(1, generator=gen))
        e = torch.randn(T, B, n, generator=gen, dtype=torch.float64)
        mem = thr + 0.6 * torch.randn(T, B, n, generator=gen, dtype=torch.float64)
        want = _learning.bptt_delta(e, mem, beta, thr, sur)
        got = run_user(fn, e.to(dtype).clone(), mem.to(dtype).clone(), beta, thr, what="your recursion")
        what = f"delta for {str(dtype).replace('torch.', '')} inputs [T, B, n] = [{T}, {B}, {n}]"
        got_t = as_tensor(got, "your delta")
        bad = assert_close(got_t, want, what, rtol=1e-5, atol=1e-7)
        if bad is None:
            continue
        if got_t.shape == want.shape:
            slope = sur.derivative(mem - thr)
            for why, slip in _recursion_slips(e, slope, beta).items():
                if torch.allclose(got_t, slip, rtol=1e-4, atol=1e-6):
                    return failed(why + ".", "see snl.exercises.hint('bptt_recursion', 2)")
        return failed(bad.message, "see snl.exercises.hint('bptt_recursion', 1)")
    return passed(f"your recursion equals snnlib.learning.bptt_delta over {trials} random layers (float32 and float64).")
