"""Exercises of the surrogate-gradient chapter."""

from __future__ import annotations

import torch

from .core import checker, failed, passed

__all__ = ["check_surrogate_function", "check_bptt_gradient"]


def _apply_user_fn(fn, u, k):
    """Call a reader's autograd Function (class with ``.apply``) or plain function as ``f(u)`` or ``f(u, k)``."""
    call = fn.apply if hasattr(fn, "apply") else fn
    try:
        return call(u)
    except TypeError:
        return call(u, k)


@checker
def check_surrogate_function(fn, expected: str = "fast_sigmoid", sharpness: float = 10.0):
    """Check a reader's spike function with a surrogate gradient (a ``torch.autograd.Function``).

    ``fn.apply(u)`` (or ``fn.apply(u, sharpness)``) must return the exact Heaviside step
    ``H(u) = 1 if u > 0 else 0`` (same shape and dtype as ``u``, ``H(0) = 0``), and its backward
    pass must multiply the incoming gradient by the derivative of ``snnlib.surrogate.get(expected,
    sharpness)`` (for the default: ``1 / (1 + 10 |u|)^2``), at many points ``u``.
    """
    from .. import surrogate as _s

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


@checker
def check_bptt_gradient(fn, n_cases: int = 50):
    """Check a reader's hand-derived gradient of the chapter's two-step example.

    ``fn(w, x1, x2, y1, y2, beta, threshold)`` must return ``dL/dw`` (a float) for
    ``U1 = w x1``, ``U2 = beta U1 + w x2 - S1 thr`` (reset detached),
    ``S_t = H(U_t - thr)``, ``L = sum_t (S_t - y_t)^2 / 2``, with the arctan surrogate (alpha = 2),
    ``s'(u) = 1 / (1 + (pi u)^2)``. Compared with autograd at ``n_cases`` random settings.
    """
    from .. import learning as _learning
    from .. import surrogate as _s

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
