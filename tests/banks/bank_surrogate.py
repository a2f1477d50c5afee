"""Banks of the surrogate-gradient notebook's exercises (04): right answers in every form, wrong ones
for each common slip."""

from __future__ import annotations

import math

import numpy as np
import torch
from bank_common import Bank

import snnlib as snl

K = 10.0  # the slope of the SuperSpike exercise


# ---- check_surrogate_function: forward H(u), backward grad / (1 + k|u|)^2 ------------------------


def _function(forward, backward, takes_k=False):
    """An autograd Function class from a forward ``u -> spikes`` and a backward ``(u, grad) -> grad``."""

    if takes_k:

        class WithK(torch.autograd.Function):
            @staticmethod
            def forward(ctx, u, k):
                ctx.save_for_backward(u)
                ctx.k = k
                return forward(u)

            @staticmethod
            def backward(ctx, grad_output):
                (u,) = ctx.saved_tensors
                return backward(u, grad_output, ctx.k), None

        return WithK

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u):
            ctx.save_for_backward(u)
            return forward(u)

        @staticmethod
        def backward(ctx, grad_output):
            (u,) = ctx.saved_tensors
            return backward(u, grad_output)

    return Spike


def _step(u):
    return (u > 0).to(u.dtype)


def _superspike(u, g, k=K):
    return g / (1 + k * u.abs()) ** 2


class _StubForward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u):
        raise NotImplementedError("exercise: the forward pass")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("exercise: the backward pass")


class _StubBackward(torch.autograd.Function):
    """Forward written, backward still the stub."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("exercise: the backward pass")


def _detach_trick(u):
    """A plain function: the smooth function's gradient, the step's value."""
    smooth = u / (1 + K * u.abs())  # d/du = 1 / (1 + k|u|)^2
    return smooth + (_step(u) - smooth).detach()


def _right_float64_inside(u, g):
    return (g.double() / (1 + K * u.double().abs()) ** 2).to(g.dtype)


def _nan_backward(u, g):
    return g * torch.full_like(u, math.nan)


def _inf_backward(u, g):
    return g * torch.where(u == 0, torch.full_like(u, math.inf), torch.ones_like(u))


SURROGATE_FUNCTION = Bank(
    kind="function",
    right=[
        ("autograd Function", _function(_step, _superspike)),
        ("Function taking k", _function(_step, lambda u, g, k: g / (1 + k * u.abs()) ** 2, takes_k=True)),
        ("float() forward", _function(lambda u: (u > 0).float().to(u.dtype), _superspike)),
        ("float64 inside", _function(_step, _right_float64_inside)),
        ("torch.heaviside", _function(lambda u: torch.heaviside(u, torch.zeros_like(u)), _superspike)),
        ("plain function, detach trick", _detach_trick),
        ("the library's surrogate", snl.surrogate.fast_sigmoid(K)),
        ("the library's Function, plain function", lambda u: snl.surrogate.FastSigmoid.apply(u, K)),
    ],
    wrong=[
        ("H(0) = 1", _function(lambda u: (u >= 0).to(u.dtype), _superspike)),
        ("smooth forward", _function(lambda u: torch.sigmoid(K * u), _superspike)),
        ("bool forward", _function(lambda u: u > 0, _superspike)),
        ("detached plain function", lambda u: _step(u).detach()),
        ("ignores grad_output", _function(_step, lambda u, g: 1 / (1 + K * u.abs()) ** 2)),
        ("times k", _function(_step, lambda u, g: K * g / (1 + K * u.abs()) ** 2)),
        ("no square", _function(_step, lambda u, g: g / (1 + K * u.abs()))),
        ("u instead of |u|", _function(_step, lambda u, g: g / (1 + K * u) ** 2)),
        ("straight through", _function(_step, lambda u, g: g)),
        ("true derivative 0", _function(_step, lambda u, g: torch.zeros_like(g))),
        ("arctan instead", _function(_step, lambda u, g: g * snl.surrogate.arctan(K).derivative(u))),
        ("wrong slope", _function(_step, lambda u, g: _superspike(u, g, 25.0))),
        ("NaN gradient", _function(_step, _nan_backward)),
        ("inf gradient at 0", _function(_step, _inf_backward)),
        ("forward sums (wrong shape)", _function(lambda u: _step(u).sum(), lambda u, g: g * torch.ones_like(u))),
        ("forward returns a list", lambda u: _step(u).tolist()),
        ("forward returns None", _function(lambda u: None, _superspike)),
        ("backward returns a wrong shape", _function(_step, lambda u, g: _superspike(u, g)[:, :1])),
        ("forward written, backward still the stub", _StubBackward),
        ("a number instead of a function", 3.0),
    ],
)

# ---- check_bptt_gradient: the two-step example ---------------------------------------------------


def _s_prime(u):
    return 1 / (1 + (math.pi * u) ** 2)


def _two_step(w, x1, x2, y1, y2, beta, thr, back=True, reset=False, sign=1.0, scale=1.0, now=True, first=True):
    u1 = w * x1
    s1 = float(u1 > thr)
    u2 = beta * u1 + w * x2 - s1 * thr
    s2 = float(u2 > thr)
    du2 = (x2 if now else 0.0) + (beta * x1 if back else 0.0) + (-thr * _s_prime(u1 - thr) * x1 if reset else 0.0)
    g = (s1 - y1) * _s_prime(u1 - thr) * x1 * (1.0 if first else 0.0) + (s2 - y2) * _s_prime(u2 - thr) * du2
    return sign * scale * g


def _two_step_float32(w, x1, x2, y1, y2, beta, thr):
    t = {k: torch.tensor(v, dtype=torch.float32) for k, v in dict(w=w, x1=x1, x2=x2, beta=beta, thr=thr).items()}
    u1 = t["w"] * t["x1"]
    s1 = (u1 > t["thr"]).float()
    u2 = t["beta"] * u1 + t["w"] * t["x2"] - s1 * t["thr"]
    s2 = (u2 > t["thr"]).float()

    def sp(u):
        return 1 / (1 + (math.pi * u) ** 2)

    return (s1 - y1) * sp(u1 - t["thr"]) * t["x1"] + (s2 - y2) * sp(u2 - t["thr"]) * (t["beta"] * t["x1"] + t["x2"])


def _two_step_autograd(w, x1, x2, y1, y2, beta, thr):
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    cur = wt * torch.tensor([x1, x2], dtype=torch.float64).reshape(2, 1, 1)
    spk, _ = snl.neurons.lif_run(cur, snl.neurons.LIFParams(beta=beta, threshold=thr), None, snl.surrogate.arctan(2.0))
    (0.5 * (spk[0] - y1) ** 2 + 0.5 * (spk[1] - y2) ** 2).sum().backward()
    return wt.grad


BPTT_GRADIENT = Bank(
    kind="function",
    right=[
        ("by hand, float", _two_step),
        ("float32 tensor", _two_step_float32),
        ("NumPy float64", lambda *a: np.float64(_two_step(*a))),
        ("NumPy float32", lambda *a: np.float32(_two_step(*a))),
        ("one-element array", lambda *a: np.array([_two_step(*a)])),
        ("autograd through lif_run (0-d tensor)", _two_step_autograd),
        ("the library", lambda *a: snl.learning.two_step_gradient_by_hand(*a)["total"]),
    ],
    wrong=[
        ("no step back", lambda *a: _two_step(*a, back=False)),
        ("reset attached", lambda *a: _two_step(*a, reset=True)),
        ("sign flipped", lambda *a: _two_step(*a, sign=-1.0)),
        ("snnTorch docs' 1/pi", lambda *a: _two_step(*a, scale=1 / math.pi)),
        ("x2 missing", lambda *a: _two_step(*a, now=False)),
        ("step 1 missing", lambda *a: _two_step(*a, first=False)),
        ("threshold hard-coded to 1", lambda w, x1, x2, y1, y2, beta, thr: _two_step(w, x1, x2, y1, y2, beta, 1.0)),
        ("inf", lambda *a: math.inf),
        ("a vector", lambda *a: np.array([_two_step(*a), 0.0])),
        ("a bool", lambda *a: True),
        ("a tuple of terms", lambda *a: (_two_step(*a), 0.0)),
    ],
)

# ---- check_bptt_recursion: delta[t] = e[t] s'(U[t] - thr) + beta delta[t+1] ----------------------


def _delta(e, mem, beta, thr, carry_surrogate=False, forward_time=False, surrogate=True):
    s = snl.surrogate.arctan(2.0).derivative(mem - thr) if surrogate else torch.ones_like(mem)
    out, carry = torch.zeros_like(e), torch.zeros_like(e[0])
    order = range(e.shape[0]) if forward_time else reversed(range(e.shape[0]))
    for t in order:
        carry = (e[t] + beta * carry) * s[t] if carry_surrogate else e[t] * s[t] + beta * carry
        out[t] = carry
    return out


def _delta_numpy(e, mem, beta, thr):
    e, mem = np.asarray(e), np.asarray(mem)
    s = 1 / (1 + (math.pi * (mem - thr)) ** 2)
    out = np.zeros_like(e)
    carry = np.zeros_like(e[0])
    for t in range(e.shape[0] - 1, -1, -1):
        carry = e[t] * s[t] + beta * carry
        out[t] = carry
    return out


def _delta_matrix(e, mem, beta, thr):
    """The closed form delta[t] = sum_{t' >= t} beta^(t'-t) e[t'] s'(U[t']), as one matrix product."""
    T = e.shape[0]
    t = torch.arange(T, dtype=e.dtype)
    lag = t[None, :] - t[:, None]  # [t, t']
    kernel = torch.where(lag >= 0, beta ** lag.clamp_min(0), torch.zeros_like(lag))
    g = e * snl.surrogate.arctan(2.0).derivative(mem - thr)
    return torch.einsum("ts,sbn->tbn", kernel, g)


BPTT_RECURSION = Bank(
    kind="function",
    right=[
        ("loop backward in time", _delta),
        ("NumPy", _delta_numpy),
        ("closed form, one matrix", _delta_matrix),
        ("as a nested list", lambda *a: _delta(*a).tolist()),
        ("float64 result", lambda *a: _delta(*a).double()),
        ("the library", lambda e, mem, beta, thr: snl.learning.bptt_delta(e, mem, beta, thr)),
    ],
    wrong=[
        ("no memory", lambda e, mem, beta, thr: e * snl.surrogate.arctan(2.0).derivative(mem - thr)),
        ("surrogate on the carry", lambda *a: _delta(*a, carry_surrogate=True)),
        ("forward in time", lambda *a: _delta(*a, forward_time=True)),
        ("no surrogate", lambda *a: _delta(*a, surrogate=False)),
        ("beta squared", lambda e, mem, beta, thr: _delta(e, mem, beta**2, thr)),
        ("summed over the batch", lambda *a: _delta(*a).sum(1)),
        ("last step only", lambda *a: _delta(*a)[-1]),
        ("NaN at the last step", lambda *a: torch.cat([_delta(*a)[:-1], torch.full_like(_delta(*a)[-1:], math.nan)])),
        ("inf", lambda e, *a: torch.full_like(e, math.inf)),
        ("returns e", lambda e, *a: e),
    ],
)

BANKS = {
    "check_surrogate_function": SURROGATE_FUNCTION,
    "check_bptt_gradient": BPTT_GRADIENT,
    "check_bptt_recursion": BPTT_RECURSION,
}
