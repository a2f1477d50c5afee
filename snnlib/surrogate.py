r"""Surrogate gradients: the Heaviside spike forward, a smooth derivative backward.

A spiking neuron emits ``S = H(U - U_thr)``, whose derivative is zero everywhere except at the
threshold, where it is infinite; gradient descent cannot learn through it. A *surrogate gradient*
keeps the exact step in the forward pass and substitutes a smooth derivative in the backward pass.

Every surrogate here is

* a ``torch.autograd.Function`` subclass (``ATan``, ``FastSigmoid``, ``Sigmoid``, ``Triangle``,
  ``StraightThrough``, ``NoSurrogate``) whose ``forward`` is exactly the Heaviside step
  ``H(u) = 1 if u > 0 else 0`` (as in snnTorch: ``u = U - U_thr`` and ``H(0) = 0``), and whose
  ``backward`` multiplies the incoming gradient by the surrogate derivative;
* made by a lowercase factory taking its sharpness (``arctan(alpha=2.0)``,
  ``fast_sigmoid(slope=25)``, ...), returning a :class:`Surrogate`: call it on a tensor ``u`` of
  any shape to get spikes of the same shape; its ``.derivative(u)`` is the backward pass's
  ``dS/du`` and ``.smooth(u)`` the function whose derivative that is (its antiderivative, 0 at
  ``u -> -inf``), both plain functions for plotting.

| name               | factory                         | backward ``dS/du``                          | area |
|--------------------|---------------------------------|---------------------------------------------|------|
| ``arctan``         | ``arctan(alpha=2)``             | ``(alpha/2) / (1 + (pi alpha u / 2)^2)``    | 1    |
| ``fast_sigmoid``   | ``fast_sigmoid(slope=25)``      | ``1 / (1 + k |u|)^2``                       | 2/k  |
| ``sigmoid``        | ``sigmoid(slope=25)``           | ``k sig(k u) (1 - sig(k u))``               | 1    |
| ``triangle``       | ``triangle(sharpness=1)``       | ``k max(0, 1 - k |u|)``                     | 1    |
| ``straight_through``| ``straight_through(window=inf)``| ``1 if |u| <= window else 0``              | 2 w  |
| ``none``           | ``no_surrogate()``              | ``0``                                       | 0    |

The "area" is the integral of the derivative over all ``u``: the height of the step that the
smooth function climbs. A surrogate of area 1 is the derivative of a smoothed Heaviside step.

The second half of the module holds the chapter's small experiments (two-step BPTT example,
a neuron trained to fire at target times, a small network trained on a 2-D toy set), so that
the notebook and the tests call the same code. Shapes are time-first, ``[T, B, ...]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type, Union

import torch
from torch import nn

__all__ = [
    "Surrogate",
    "HeavisideSpike",
    "NoSurrogate",
    "ATan",
    "FastSigmoid",
    "Sigmoid",
    "Triangle",
    "StraightThrough",
    "arctan",
    "fast_sigmoid",
    "sigmoid",
    "triangle",
    "straight_through",
    "no_surrogate",
    "heaviside",
    "get",
    "REGISTRY",
    "DEFAULT_SHARPNESS",
    "gradient_flow",
    "two_step_forward",
    "two_step_gradient",
    "two_step_gradient_by_hand",
    "van_rossum_loss",
    "SpikeTimeResult",
    "spike_time_inputs",
    "train_spike_times",
    "toy_dataset",
    "ToySNN",
    "spike_loss",
    "decode",
    "TrainResult",
    "train_toy",
]


def heaviside(u: torch.Tensor) -> torch.Tensor:
    """The spike nonlinearity ``H(u) = 1 if u > 0 else 0``, same shape and dtype as ``u``."""
    return (u > 0).to(u.dtype if u.is_floating_point() else torch.get_default_dtype())


def _check_sharpness(name: str, value: float, allow_inf: bool = False) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError(f"{name} must be a single number, got a tensor of shape {tuple(value.shape)}")
        value = float(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{name} (the surrogate's sharpness) must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not (allow_inf and value > 0)):
        raise ValueError(f"{name} (the surrogate's sharpness) must be a finite number > 0, got {value}")
    if value <= 0:
        raise ValueError(f"{name} (the surrogate's sharpness) must be > 0, got {value}")
    return value


class HeavisideSpike(torch.autograd.Function):
    """Base class: forward is the Heaviside step; subclasses define ``derivative(u, k)``.

    ``apply(u, k)`` takes ``u = U - U_thr`` (any shape) and the sharpness ``k`` and returns spikes
    of ``u``'s shape and dtype; the backward pass returns ``grad * derivative(u, k)``.
    Subclasses also define ``smooth(u, k)``, the antiderivative of ``derivative`` that is 0 at
    ``u -> -inf`` (for plots and finite-difference checks).
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def forward(ctx, u: torch.Tensor, k: float) -> torch.Tensor:
        ctx.save_for_backward(u)
        ctx.k = k
        return heaviside(u)

    @classmethod
    def backward(cls, ctx, grad_output: torch.Tensor):
        (u,) = ctx.saved_tensors
        return grad_output * cls.derivative(u, ctx.k), None


class NoSurrogate(HeavisideSpike):
    """The true derivative of the step: zero everywhere (we ignore the Dirac spike at ``u = 0``).

    Forward ``S = H(u)``; backward ``dS/du = 0``. With it no gradient reaches the weights: the
    demonstration of why spiking networks need surrogates.
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        return torch.zeros_like(u)

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        return heaviside(u)


class ATan(HeavisideSpike):
    r"""Arctan surrogate (Fang et al., 2021), snnTorch's default (``surrogate.atan``).

    Forward: ``S = H(u)``. Backward: the derivative of the smooth step

    .. math:: \tilde S(u) = \frac{1}{\pi}\arctan\!\Big(\frac{\pi \alpha u}{2}\Big) + \frac12 .

    With ``z = pi alpha u / 2`` and ``d arctan(z)/dz = 1/(1+z^2)``, the chain rule gives

    .. math:: \frac{d\tilde S}{du} = \frac{1}{\pi}\,\frac{1}{1+z^2}\,\frac{dz}{du}
              = \frac{1}{\pi}\,\frac{1}{1+z^2}\,\frac{\pi\alpha}{2}
              = \frac{\alpha/2}{1 + (\pi \alpha u / 2)^2},

    which is what snnTorch computes. The formula often quoted, ``(1/pi) / (1 + (pi u)^2)``,
    drops the chain-rule factor ``dz/du = pi alpha / 2`` (and sets ``alpha = 2``): it is the
    derivative with respect to ``z``, not ``u``, and its area is ``1/pi`` instead of 1. The peak at
    ``u = 0`` is ``alpha / 2``; the area under the derivative is 1 for every ``alpha``.
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        return (k / 2) / (1 + (math.pi / 2 * k * u) ** 2)

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        return torch.atan(math.pi / 2 * k * u) / math.pi + 0.5


class FastSigmoid(HeavisideSpike):
    r"""Fast-sigmoid surrogate of SuperSpike (Zenke & Ganguli, 2018), as snnTorch's ``fast_sigmoid``.

    Forward: ``S = H(u)``. Backward:

    .. math:: \frac{dS}{du} \approx \frac{1}{(1 + k|u|)^2}

    with slope ``k`` (default 25). This is the derivative of the fast sigmoid ``f(x) = x/(1+|x|)``
    evaluated at ``x = k u`` *without* the chain-rule factor ``k``: its peak is 1 for every slope and
    its area is ``2/k``. It is the exact derivative of ``S~(u) = 1/k + u / (1 + k|u|)``, a step of
    height ``2/k`` (what ``.smooth`` returns). Larger ``k``: narrower and smaller gradients.
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        return 1.0 / (1 + k * u.abs()) ** 2

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        return 1.0 / k + u / (1 + k * u.abs())


class Sigmoid(HeavisideSpike):
    r"""Sigmoid surrogate (Neftci, Mostafa & Zenke, 2019), as snnTorch's ``surrogate.sigmoid``.

    Forward: ``S = H(u)``. Backward: the derivative of the logistic step
    ``S~(u) = sigma(k u) = 1 / (1 + exp(-k u))``,

    .. math:: \frac{d\tilde S}{du} = k\,\sigma(k u)\,\big(1 - \sigma(k u)\big),

    with slope ``k`` (default 25): peak ``k/4`` at ``u = 0``, area 1.
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        s = torch.sigmoid(k * u)
        return k * s * (1 - s)

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        return torch.sigmoid(k * u)


class Triangle(HeavisideSpike):
    r"""Triangle (piecewise-linear) surrogate (Esser et al., 2016; Bellec et al., 2018).

    Forward: ``S = H(u)``. Backward: a triangle of half-width ``1/k`` and peak ``k``,

    .. math:: \frac{dS}{du} \approx k\,\max\big(0,\ 1 - k|u|\big),

    so its area is 1 and it is zero once ``|u| >= 1/k``. With ``k = 1`` and ``u`` measured in units
    of the threshold this is Bellec et al.'s pseudo-derivative ``max(0, 1 - |U - U_thr| / U_thr)``
    (before their damping factor 0.3). ``S~`` is the piecewise-quadratic step that climbs from 0 at
    ``u = -1/k`` to 1 at ``u = 1/k``.

    (snnTorch's ``surrogate.triangular`` is a different function: ``+U_thr`` below threshold and
    ``-U_thr`` above, for every ``u``, so it is not compared here.)
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        return k * torch.clamp(1 - k * u.abs(), min=0)

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        x = torch.clamp(k * u, -1.0, 1.0)
        # integral of (1 - |x|) from -1 to x: (x + 1)^2 / 2 for x < 0, 1 - (1 - x)^2 / 2 for x >= 0
        return torch.where(x < 0, (x + 1) ** 2 / 2, 1 - (1 - x) ** 2 / 2)


class StraightThrough(HeavisideSpike):
    r"""Straight-through estimator (Bengio, Léonard & Courville, 2013).

    Forward: ``S = H(u)``. Backward: the gradient passes through unchanged inside a window,

    .. math:: \frac{dS}{du} \approx \begin{cases} 1 & |u| \le w \\ 0 & |u| > w \end{cases}

    The sharpness parameter is the window half-width ``w`` (default ``inf``: derivative 1
    everywhere, which is snnTorch's ``straight_through_estimator``); note that here a *smaller*
    ``w`` is the more local choice. ``S~(u) = clamp(u, -w, w) + w`` (with ``w = inf``: ``S~ = u``,
    shifted so that ``S~(0) = 1/2``), a ramp of height ``2w``.
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        if math.isinf(k):
            return torch.ones_like(u)
        return (u.abs() <= k).to(u.dtype)

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        if math.isinf(k):
            return u + 0.5
        return torch.clamp(u, -k, k) + k


def _as_float(u) -> torch.Tensor:
    """``u`` as a floating tensor (a float tensor keeps its dtype; numbers, lists, ints become the default dtype)."""
    u = torch.as_tensor(u)
    return u if u.is_floating_point() else u.to(torch.get_default_dtype())


class Surrogate:
    """A spike function with a chosen backward pass: ``spk = surrogate(u)`` for ``u = U - U_thr``.

    Attributes:
        name: the surrogate's name (``"arctan"``, ...), its key in :data:`REGISTRY`.
        sharpness: its sharpness parameter (``alpha``, ``slope``, ...); larger is closer to the step
            (for ``straight_through`` it is the window half-width).
        param: the name of the sharpness parameter in the factory.
        function: the ``torch.autograd.Function`` subclass that implements it.
    """

    def __init__(self, name: str, function: Type[HeavisideSpike], sharpness: float, param: str = "alpha"):
        self.name = name
        self.function = function
        self.param = param
        if function is NoSurrogate:
            self.sharpness = float(sharpness)
        else:
            self.sharpness = _check_sharpness(param, sharpness, allow_inf=function is StraightThrough)

    def __call__(self, u: torch.Tensor) -> torch.Tensor:
        """Spikes ``H(u)`` (same shape as ``u``) whose gradient is this surrogate's derivative."""
        if not isinstance(u, torch.Tensor):
            raise TypeError(f"a surrogate takes a torch.Tensor u = U - U_thr, got {type(u).__name__}")
        return self.function.apply(u, self.sharpness)

    def derivative(self, u: torch.Tensor) -> torch.Tensor:
        """The backward pass's ``dS/du`` at ``u`` (plain function, same shape as ``u``)."""
        return self.function.derivative(_as_float(u), self.sharpness)

    def smooth(self, u: torch.Tensor) -> torch.Tensor:
        """The smooth function whose derivative the backward pass uses (for plotting)."""
        return self.function.smooth(_as_float(u), self.sharpness)

    def __repr__(self) -> str:
        if self.function is NoSurrogate:
            return "no_surrogate()"
        return f"{self.name}({self.param}={self.sharpness:g})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Surrogate) and (self.function, self.sharpness) == (other.function, other.sharpness)

    def __hash__(self) -> int:
        return hash((self.function, self.sharpness))


def arctan(alpha: float = 2.0) -> Surrogate:
    """Arctan surrogate (default ``alpha=2``, as snnTorch's ``surrogate.atan``); see :class:`ATan`."""
    return Surrogate("arctan", ATan, alpha, "alpha")


def fast_sigmoid(slope: float = 25.0) -> Surrogate:
    """Fast sigmoid / SuperSpike, ``1/(1+slope|u|)^2`` (as snnTorch's); see :class:`FastSigmoid`."""
    return Surrogate("fast_sigmoid", FastSigmoid, slope, "slope")


def sigmoid(slope: float = 25.0) -> Surrogate:
    """Sigmoid, ``slope sig(slope u)(1 - sig(slope u))`` (as snnTorch's); see :class:`Sigmoid`."""
    return Surrogate("sigmoid", Sigmoid, slope, "slope")


def triangle(sharpness: float = 1.0) -> Surrogate:
    """Triangle of half-width ``1/sharpness`` and area 1; see :class:`Triangle`."""
    return Surrogate("triangle", Triangle, sharpness, "sharpness")


def straight_through(window: float = math.inf) -> Surrogate:
    """Straight-through: derivative 1 for ``|u| <= window`` (default everywhere); see :class:`StraightThrough`."""
    return Surrogate("straight_through", StraightThrough, window, "window")


def no_surrogate() -> Surrogate:
    """The true derivative of the step (zero): gradients vanish. See :class:`NoSurrogate`."""
    return Surrogate("none", NoSurrogate, 0.0, "k")


#: Factories by name, for ``get("arctan", 2.0)`` and for widgets' drop-downs.
REGISTRY: Dict[str, Callable[..., Surrogate]] = {
    "arctan": arctan,
    "fast_sigmoid": fast_sigmoid,
    "sigmoid": sigmoid,
    "triangle": triangle,
    "straight_through": straight_through,
    "none": no_surrogate,
}

#: Each factory's default sharpness (``none`` has none).
DEFAULT_SHARPNESS: Dict[str, Optional[float]] = {
    "arctan": 2.0,
    "fast_sigmoid": 25.0,
    "sigmoid": 25.0,
    "triangle": 1.0,
    "straight_through": math.inf,
    "none": None,
}


def get(surrogate: Union[str, Surrogate, None] = None, sharpness: Optional[float] = None) -> Surrogate:
    """Resolve a surrogate given by name (``"arctan"``), object, or ``None`` (the default, arctan(2))."""
    if surrogate is None:
        return arctan() if sharpness is None else arctan(sharpness)
    if isinstance(surrogate, Surrogate):
        return surrogate
    if isinstance(surrogate, str):
        if surrogate not in REGISTRY:
            raise ValueError(f"unknown surrogate {surrogate!r}: expected one of {sorted(REGISTRY)}")
        factory = REGISTRY[surrogate]
        return factory() if sharpness is None or surrogate == "none" else factory(sharpness)
    raise TypeError(f"surrogate must be a name, a Surrogate or None, got {type(surrogate).__name__}")


# =============================================================================================
# Gradient flow: how much gradient reaches the input weights
# =============================================================================================


def gradient_flow(
    surrogate: Union[str, Surrogate, None],
    sharpness: Optional[float] = None,
    T: int = 50,
    n_inputs: int = 20,
    n_neurons: int = 10,
    beta: float = 0.9,
    seed: int = 0,
) -> Dict[str, torch.Tensor]:
    """The gradient that flows through one LIF layer with a given surrogate (pure; for plots and explorers).

    A fixed random input ``x`` ``[T, 1, n_inputs]`` drives ``n_neurons`` LIF neurons through
    weights ``W`` ``[n_neurons, n_inputs]``; the loss is the total spike count (so
    ``dL/dS[t] = 1`` everywhere) and we backpropagate through time.

    Returns a dict of tensors: ``u`` (a grid of ``u = U - U_thr``), ``smooth`` and ``derivative``
    on it (``[401]``), ``mem`` ``[T, n_neurons]``, ``spk`` ``[T, n_neurons]``, ``grad_mem``
    ``[T, n_neurons]`` (``dL/dU[t]``: the gradient reaching each step's membrane),
    ``grad_w`` ``[n_neurons, n_inputs]`` and the scalar ``grad_norm`` (Frobenius norm of ``grad_w``).
    """
    from . import neurons

    if T < 1 or n_inputs < 1 or n_neurons < 1:
        raise ValueError(f"T, n_inputs and n_neurons must be >= 1, got {T}, {n_inputs}, {n_neurons}")
    sur = get(surrogate, sharpness)
    gen = torch.Generator().manual_seed(seed)
    x = (torch.rand(T, 1, n_inputs, generator=gen) < 0.2).float()
    w = (torch.randn(n_neurons, n_inputs, generator=gen) * 0.5).requires_grad_(True)
    params = neurons.LIFParams(beta=beta, threshold=1.0)
    state, spikes, mems = None, [], []
    for t in range(T):
        spk, state = neurons.lif_step(x[t] @ w.T, state, params, sur)
        state.mem.retain_grad()
        spikes.append(spk)
        mems.append(state.mem)
    loss = torch.stack(spikes).sum()
    loss.backward()
    grad_mem = torch.stack([m.grad if m.grad is not None else torch.zeros_like(m) for m in mems])[:, 0]
    u = torch.linspace(-2, 2, 401)
    return {
        "u": u,
        "smooth": sur.smooth(u),
        "derivative": sur.derivative(u),
        "mem": torch.stack(mems)[:, 0].detach(),
        "spk": torch.stack(spikes)[:, 0].detach(),
        "grad_mem": grad_mem.detach(),
        "grad_w": w.grad.detach().clone(),
        "grad_norm": w.grad.norm().detach(),
    }


# =============================================================================================
# The two-step example: BPTT by hand and by autograd
# =============================================================================================
#
# One neuron, one weight w, inputs x1, x2, targets y1, y2, starting at rest (U[0] = 0):
#     U[1] = w x1                              S[1] = H(U[1] - thr)
#     U[2] = beta U[1] + w x2 - S[1] thr       S[2] = H(U[2] - thr)     (S[1] detached in the reset)
#     L = 1/2 (S[1] - y1)^2 + 1/2 (S[2] - y2)^2
# With s'(.) the surrogate derivative:
#     dL/dw = (S[1] - y1) s'(U[1] - thr) x1                       (t = 1, s = 1)
#           + (S[2] - y2) s'(U[2] - thr) (x2 + beta x1)            (t = 2: s = 2 and one step back, s = 1)
# If the reset were not detached, dU[2]/dw would gain the term - thr s'(U[1] - thr) x1.


def two_step_forward(w, x1, x2, beta=0.9, threshold=1.0, surrogate=None, detach_reset=True):
    """The two-step example's forward pass: ``(U1, S1, U2, S2)`` as tensors (differentiable in ``w``).

    ``U1 = w x1``, ``U2 = beta U1 + w x2 - S1 thr`` (``S1`` detached in the reset unless
    ``detach_reset=False``), ``S_t = H(U_t - thr)`` with the surrogate's backward pass.
    """
    sur = get(surrogate)
    w = _as_float(w)
    u1 = w * x1
    s1 = sur(u1 - threshold)
    reset = s1.detach() if detach_reset else s1
    u2 = beta * u1 + w * x2 - reset * threshold
    s2 = sur(u2 - threshold)
    return u1, s1, u2, s2


def two_step_gradient(w, x1, x2, y1, y2, beta=0.9, threshold=1.0, surrogate=None, detach_reset=True) -> float:
    """``dL/dw`` of the two-step example by autograd (BPTT), ``L = sum_t (S_t - y_t)^2 / 2``."""
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    _, s1, _, s2 = two_step_forward(w_t, x1, x2, beta, threshold, surrogate, detach_reset)
    loss = 0.5 * (s1 - y1) ** 2 + 0.5 * (s2 - y2) ** 2
    loss.backward()
    return float(w_t.grad)


def two_step_gradient_by_hand(w, x1, x2, y1, y2, beta=0.9, threshold=1.0, surrogate=None,
                              detach_reset=True) -> Dict[str, float]:
    """``dL/dw`` of the two-step example from the hand-derived formula, term by term.

    Returns ``{"t1": ..., "t2_now": ..., "t2_back": ..., "reset": ..., "total": ...}``: the
    contribution of step 1, of step 2 through its own input ``x2``, of step 2 through the
    membrane's memory of step 1 (``beta x1``: one step back in time), and (only when
    ``detach_reset=False``) of the reset path ``-thr s'(U1 - thr) x1``.
    """
    sur = get(surrogate)
    d = lambda u: float(sur.derivative(torch.tensor(float(u), dtype=torch.float64)))
    u1 = w * x1
    s1 = 1.0 if u1 - threshold > 0 else 0.0
    u2 = beta * u1 + w * x2 - s1 * threshold
    s2 = 1.0 if u2 - threshold > 0 else 0.0
    g1 = (s1 - y1) * d(u1 - threshold)
    g2 = (s2 - y2) * d(u2 - threshold)
    terms = {"t1": g1 * x1, "t2_now": g2 * x2, "t2_back": g2 * beta * x1,
             "reset": 0.0 if detach_reset else g2 * (-threshold) * d(u1 - threshold) * x1}
    terms["total"] = sum(terms.values())
    return terms


# =============================================================================================
# A single neuron trained to fire at target times
# =============================================================================================


def van_rossum_loss(spk: torch.Tensor, target: torch.Tensor, tau: float = 5.0) -> torch.Tensor:
    """Van Rossum distance: both spike trains ``[T, ...]`` filtered by ``exp(-t/tau)``, then half the
    summed squared difference. A spike one step late costs little, a missing spike a lot."""
    if spk.shape != target.shape:
        raise ValueError(f"spk and target must have the same shape [T, ...], got {tuple(spk.shape)} and {tuple(target.shape)}")
    if tau <= 0:
        raise ValueError(f"tau must be > 0, got {tau}")
    T = spk.shape[0]
    t = torch.arange(T, dtype=spk.dtype, device=spk.device)
    lag = t[:, None] - t[None, :]
    kernel = torch.where(lag >= 0, torch.exp(-lag.clamp_min(0) / tau), torch.zeros_like(lag))  # [T, T]
    trace = torch.tensordot(kernel, spk - target, dims=1)  # [T, ...]
    return 0.5 * (trace ** 2).sum()


@dataclass
class SpikeTimeResult:
    """What :func:`train_spike_times` returns.

    ``inputs`` ``[T, n_inputs]``, ``target`` and ``spk``/``mem`` ``[T]`` (after training), ``spk_start``
    ``[T]`` (before), ``weights`` ``[n_inputs]``, ``losses`` per step, ``reached`` (the output equals
    the target spike train exactly) and ``steps`` (optimiser steps taken).
    """

    inputs: torch.Tensor
    target: torch.Tensor
    weights: torch.Tensor
    spk: torch.Tensor
    mem: torch.Tensor
    spk_start: torch.Tensor
    losses: List[float]
    reached: bool
    steps: int

    @property
    def spike_times(self) -> List[int]:
        return [int(t) for t in torch.nonzero(self.spk).flatten()]

    @property
    def target_times(self) -> List[int]:
        return [int(t) for t in torch.nonzero(self.target).flatten()]


def spike_time_inputs(T: int = 60, n_inputs: int = 50, rate: float = 0.05, seed: int = 0) -> torch.Tensor:
    """Frozen random (Bernoulli) input spike trains ``[T, n_inputs]`` with firing probability ``rate`` per step."""
    if not 0 < rate <= 1:
        raise ValueError(f"rate is a probability per step in (0, 1], got {rate}")
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(T, n_inputs, generator=gen) < rate).float()


def _single_neuron(inputs, w, beta, threshold, sur):
    from . import neurons

    cur = (inputs @ w).reshape(-1, 1)  # [T, 1]
    spk, mem = neurons.lif_run(cur.unsqueeze(-1), neurons.LIFParams(beta=beta, threshold=threshold), None, sur)
    return spk[:, 0, 0], mem[:, 0, 0]


def train_spike_times(
    target_times: Sequence[int],
    T: int = 60,
    n_inputs: int = 50,
    rate: float = 0.05,
    beta: float = 0.9,
    threshold: float = 1.0,
    surrogate: Union[str, Surrogate, None] = None,
    steps: int = 500,
    lr: float = 0.02,
    tau: float = 3.0,
    seed: int = 0,
) -> SpikeTimeResult:
    """Train the input weights of one LIF neuron so that it fires exactly at ``target_times``.

    Frozen random input spike trains (:func:`spike_time_inputs`) drive the neuron through weights
    ``w`` ``[n_inputs]``; the loss is the van Rossum distance between its output spike train and
    the target train (:func:`van_rossum_loss`), minimised with Adam through the surrogate
    gradient. Training stops as soon as the output equals the target spike train exactly.
    """
    times = sorted(int(t) for t in target_times)
    if any(t < 0 or t >= T for t in times):
        raise ValueError(f"target_times must lie in [0, T) = [0, {T}), got {list(target_times)}")
    sur = get(surrogate)
    inputs = spike_time_inputs(T, n_inputs, rate, seed)
    target = torch.zeros(T)
    target[times] = 1.0
    gen = torch.Generator().manual_seed(seed + 1)
    w = (torch.rand(n_inputs, generator=gen) * 0.2).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    with torch.no_grad():
        spk_start, _ = _single_neuron(inputs, w, beta, threshold, sur)
    losses: List[float] = []
    for _ in range(steps):
        spk, _ = _single_neuron(inputs, w, beta, threshold, sur)
        if torch.equal(spk.detach(), target):
            break
        loss = van_rossum_loss(spk, target, tau)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    with torch.no_grad():
        spk, mem = _single_neuron(inputs, w, beta, threshold, sur)
    reached = bool(torch.equal(spk, target))
    return SpikeTimeResult(inputs, target, w.detach().clone(), spk, mem, spk_start, losses, reached, len(losses))


# =============================================================================================
# A small network trained by BPTT on a 2-D toy set
# =============================================================================================


def toy_dataset(n: int = 400, kind: str = "moons", noise: float = 0.1, seed: int = 0) -> Tuple[torch.Tensor, torch.Tensor]:
    """A 2-D, two-class toy set: ``(x [n, 2], y [n])`` (``y`` in {0, 1}, long).

    ``kind="moons"``: two interleaved half circles; ``"circles"``: a disc inside a ring;
    ``"xor"``: the four quadrants. Gaussian ``noise`` is added; inputs are roughly in [-1.5, 1.5].
    """
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    t = torch.rand(n, generator=gen) * math.pi
    if kind == "moons":
        x = torch.stack([torch.cos(t), torch.sin(t)], 1)
        x[y == 1] = torch.stack([1 - torch.cos(t[y == 1]), 0.5 - torch.sin(t[y == 1])], 1)
        x = (x - torch.tensor([0.5, 0.25])) * torch.tensor([1.0, 1.5])
    elif kind == "circles":
        r = torch.where(y == 0, torch.full((n,), 0.5), torch.full((n,), 1.2))
        x = torch.stack([r * torch.cos(2 * t), r * torch.sin(2 * t)], 1)
    elif kind == "xor":
        x = torch.rand(n, 2, generator=gen) * 2 - 1
        y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()
    else:
        raise ValueError(f"unknown kind {kind!r}: expected 'moons', 'circles' or 'xor'")
    x = x + noise * torch.randn(n, 2, generator=gen)
    return x, y.long()


class ToySNN(nn.Module):
    """Two LIF layers, ``n_in -> hidden -> n_out``, run for ``T`` steps on a constant input current.

    ``forward(x)`` takes a batch ``[B, n_in]`` (a static input, presented as the same current at every
    step) or a time-first input ``[T, B, n_in]``, and returns ``(spk_out, mem_out)`` ``[T, B, n_out]``.
    """

    def __init__(self, n_in: int = 2, hidden: int = 32, n_out: int = 2, T: int = 20, beta: float = 0.9,
                 surrogate: Union[str, Surrogate, None] = None):
        super().__init__()
        from . import neurons

        if T < 1:
            raise ValueError(f"T must be >= 1, got {T}")
        self.T = T
        self.fc1 = nn.Linear(n_in, hidden)
        self.lif1 = neurons.LIF(beta=beta, surrogate=surrogate)
        self.fc2 = nn.Linear(hidden, n_out)
        self.lif2 = neurons.LIF(beta=beta, surrogate=surrogate)

    def forward(self, x: torch.Tensor):
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.T, *x.shape)
        elif x.dim() != 3:
            raise ValueError(f"x must be [B, n_in] or time-first [T, B, n_in], got shape {tuple(x.shape)}")
        mem1 = mem2 = None
        spk_rec, mem_rec = [], []
        for t in range(x.shape[0]):
            spk1, mem1 = self.lif1(self.fc1(x[t]), mem1)
            spk2, mem2 = self.lif2(self.fc2(spk1), mem2)
            spk_rec.append(spk2)
            mem_rec.append(mem2)
        return torch.stack(spk_rec), torch.stack(mem_rec)


def spike_loss(spk: torch.Tensor, mem: torch.Tensor, y: torch.Tensor, kind: str = "membrane") -> torch.Tensor:
    """Classification loss on an output layer's records ``spk, mem`` ``[T, B, C]``, labels ``y`` ``[B]``.

    ``"membrane"``: cross-entropy of the membrane potentials as logits at every step, averaged over
    time (every step pushes the right neuron's membrane up). ``"count"``: cross-entropy of the spike
    counts ``sum_t S[t]`` as logits (the rate code; gradient only through the surrogate).
    """
    if spk.dim() != 3 or spk.shape != mem.shape:
        raise ValueError(f"spk and mem must both be [T, B, C], got {tuple(spk.shape)} and {tuple(mem.shape)}")
    if kind == "membrane":
        T, B, C = mem.shape
        return nn.functional.cross_entropy(mem.reshape(T * B, C), y.repeat(T))
    if kind == "count":
        return nn.functional.cross_entropy(spk.sum(0), y)
    raise ValueError(f"unknown loss kind {kind!r}: expected 'membrane' or 'count'")


def decode(spk: torch.Tensor, mem: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Predicted class ``[B]`` from output records ``[T, B, C]``: the neuron that fired most
    (rate decoding); ties (e.g. no spikes at all) are broken by the summed membrane potential."""
    if spk.dim() != 3:
        raise ValueError(f"spk must be [T, B, C], got {tuple(spk.shape)}")
    score = spk.sum(0)
    if mem is not None:
        m = mem.sum(0)
        # a tie-breaker smaller than one spike
        score = score + 0.5 * torch.sigmoid(m - m.mean(-1, keepdim=True))
    return score.argmax(-1)


@dataclass
class TrainResult:
    """What :func:`train_toy` returns: the model, per-epoch ``losses`` and ``accuracies`` (train set)."""

    model: ToySNN
    losses: List[float] = field(default_factory=list)
    accuracies: List[float] = field(default_factory=list)

    @property
    def final_loss(self) -> float:
        return self.losses[-1]

    @property
    def final_accuracy(self) -> float:
        return self.accuracies[-1]


def train_toy(
    x: torch.Tensor,
    y: torch.Tensor,
    surrogate: Union[str, Surrogate, None] = None,
    epochs: int = 100,
    hidden: int = 32,
    T: int = 20,
    lr: float = 0.02,
    loss_kind: str = "membrane",
    batch_size: int = 100,
    seed: int = 0,
) -> TrainResult:
    """Train a :class:`ToySNN` on ``(x [n, 2], y [n])`` by BPTT with Adam; returns a :class:`TrainResult`.

    Each epoch runs over shuffled mini-batches; the recorded loss is the epoch's mean and the
    accuracy is measured on the whole set with :func:`decode` after the epoch.
    """
    if x.dim() != 2 or y.shape != x.shape[:1]:
        raise ValueError(f"x must be [n, n_in] and y [n], got {tuple(x.shape)} and {tuple(y.shape)}")
    torch.manual_seed(seed)
    n_out = int(y.max()) + 1
    model = ToySNN(x.shape[1], hidden, max(n_out, 2), T, surrogate=surrogate)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    result = TrainResult(model)
    for _ in range(epochs):
        perm = torch.randperm(x.shape[0], generator=gen)
        total = 0.0
        for i in range(0, x.shape[0], batch_size):
            idx = perm[i:i + batch_size]
            spk, mem = model(x[idx])
            loss = spike_loss(spk, mem, y[idx], loss_kind)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        result.losses.append(total / x.shape[0])
        with torch.no_grad():
            spk, mem = model(x)
            result.accuracies.append(float((decode(spk, mem) == y).float().mean()))
    return result
