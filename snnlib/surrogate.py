r"""Surrogate gradients: the Heaviside spike forward, a smooth derivative backward (layer 1: primitives).

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

The factories are registered once, in :data:`REGISTRY` (name -> factory); :data:`NAMES` lists
them, :data:`DEFAULT_SHARPNESS` is read off the factories' defaults, and :func:`get` resolves a
name, a :class:`Surrogate` or ``None`` (the default, arctan with ``alpha = 2``). The chapter's
experiments that use these surrogates (gradient flow, BPTT by hand, training) are in
:mod:`snnlib.learning`.
"""

from __future__ import annotations

import inspect
import math
from typing import Callable, Dict, Optional, Tuple, Type, Union

import torch

from . import _checks

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
    "NAMES",
    "DEFAULT",
    "DEFAULT_SHARPNESS",
]

_U_SHAPE = "[...] (any shape; u = U - U_thr)"


def heaviside(u: torch.Tensor) -> torch.Tensor:
    """The spike nonlinearity ``H(u) = 1 if u > 0 else 0``: ``u [...] -> [...]``.

    A floating-point ``u`` keeps its dtype; an integer or boolean one gives the default float dtype.
    """
    _checks.tensor(u, "u", _U_SHAPE, nonempty=False, dtype="number")
    return (u > 0).to(u.dtype if u.is_floating_point() else torch.get_default_dtype())


def _check_sharpness(name: str, value, allow_inf: bool = False) -> float:
    """A sharpness parameter: a real number > 0 (``+inf`` only where ``allow_inf``)."""
    return _checks.real(value, f"{name} (the surrogate's sharpness)", 0.0, min_open=True, allow_inf=allow_inf)


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

    Made by the factories (:func:`arctan`, ...) or :func:`get`, rarely directly.

    Attributes:
        name: the surrogate's name (``"arctan"``, ...), its key in :data:`REGISTRY`.
        sharpness: its sharpness parameter (``alpha``, ``slope``, ...); larger is closer to the step
            (for ``straight_through`` it is the window half-width, and may be ``inf``).
        param: the name of the sharpness parameter in the factory.
        function: the ``torch.autograd.Function`` subclass that implements it.
    """

    def __init__(self, name: str, function: Type[HeavisideSpike], sharpness: float, param: str = "alpha"):
        if not isinstance(name, str) or not isinstance(param, str):
            raise TypeError(f"name and param must be strings, got {_checks.describe(name)} and {_checks.describe(param)}")
        if not (isinstance(function, type) and issubclass(function, HeavisideSpike)):
            raise TypeError(f"function must be a subclass of HeavisideSpike, got {_checks.describe(function)}")
        self.name = name
        self.function = function
        self.param = param
        if function is NoSurrogate:
            self.sharpness = _checks.real(sharpness, "sharpness")
        else:
            self.sharpness = _check_sharpness(param, sharpness, allow_inf=function is StraightThrough)

    def __call__(self, u: torch.Tensor) -> torch.Tensor:
        """Spikes ``H(u)`` ``[...]`` (``u``'s shape and dtype) whose gradient is this surrogate's derivative."""
        _checks.tensor(u, "u", _U_SHAPE, nonempty=False)
        return self.function.apply(u, self.sharpness)

    def derivative(self, u) -> torch.Tensor:
        """The backward pass's ``dS/du`` at ``u`` (a tensor, number or list; plain function, ``u``'s shape)."""
        return self.function.derivative(_as_float(u), self.sharpness)

    def smooth(self, u) -> torch.Tensor:
        """The smooth function whose derivative the backward pass uses (for plotting; ``u``'s shape)."""
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


#: The surrogates by name (name -> factory), declared once: :func:`get`, the widgets' drop-downs and
#: the chapter's comparisons all read it.
REGISTRY: Dict[str, Callable[..., Surrogate]] = {
    "arctan": arctan,
    "fast_sigmoid": fast_sigmoid,
    "sigmoid": sigmoid,
    "triangle": triangle,
    "straight_through": straight_through,
    "none": no_surrogate,
}

#: The registered names, in :data:`REGISTRY`'s order.
NAMES: Tuple[str, ...] = tuple(REGISTRY)

#: The surrogate that ``get(None)`` gives.
DEFAULT = "arctan"


def _default_sharpness(factory: Callable[..., Surrogate]) -> Optional[float]:
    params = list(inspect.signature(factory).parameters.values())
    return float(params[0].default) if params else None


#: Each factory's default sharpness, read off its signature (``None`` for ``none``, which has none).
DEFAULT_SHARPNESS: Dict[str, Optional[float]] = {name: _default_sharpness(f) for name, f in REGISTRY.items()}


def get(surrogate: Union[str, Surrogate, None] = None, sharpness: Optional[float] = None) -> Surrogate:
    """Resolve a surrogate given by name (one of :data:`NAMES`), by object, or ``None`` (:data:`DEFAULT`).

    ``sharpness`` (optional) is passed to the named factory; a surrogate without a sharpness
    parameter (``"none"``) ignores it. Passing a :class:`Surrogate` object together with a
    ``sharpness`` is an error (the object has its own).
    """
    if isinstance(surrogate, Surrogate):
        if sharpness is not None:
            raise ValueError(
                f"sharpness is for a surrogate given by name; {surrogate!r} already has one, got sharpness={sharpness!r}"
            )
        return surrogate
    if surrogate is None:
        surrogate = DEFAULT
    if not isinstance(surrogate, str):
        raise TypeError(
            f"surrogate must be a name (one of {', '.join(NAMES)}), a Surrogate or None, got {_checks.describe(surrogate)}"
        )
    if surrogate not in REGISTRY:
        raise ValueError(f"unknown surrogate {surrogate!r}: expected one of {', '.join(NAMES)}")
    factory = REGISTRY[surrogate]
    if sharpness is None or DEFAULT_SHARPNESS[surrogate] is None:
        return factory()
    return factory(sharpness)
