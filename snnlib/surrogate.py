"""Surrogate gradients: the Heaviside spike forward, a smooth derivative backward.

A spiking neuron emits ``S = H(U - U_thr)``, whose derivative is zero everywhere except at the
threshold, where it is infinite; gradient descent cannot learn through it. A *surrogate gradient*
keeps the exact step in the forward pass and substitutes a smooth derivative in the backward pass.

Every surrogate here is

* a ``torch.autograd.Function`` subclass (``ATan``, ``NoSurrogate``, ...) whose ``forward`` is
  exactly the Heaviside step ``H(u) = 1 if u > 0 else 0`` (as in snnTorch: ``u = U - U_thr`` and
  ``H(0) = 0``), and whose ``backward`` multiplies the incoming gradient by the derivative;
* made by a lowercase factory taking its sharpness (``arctan(alpha=2.0)``), returning a
  :class:`Surrogate`: call it on a tensor ``u`` of any shape to get spikes of the same shape; its
  ``.derivative(u)`` and ``.smooth(u)`` are plain functions for plotting.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, Optional, Type, Union

import torch

__all__ = [
    "Surrogate",
    "HeavisideSpike",
    "NoSurrogate",
    "ATan",
    "arctan",
    "no_surrogate",
    "heaviside",
    "get",
    "REGISTRY",
]


def heaviside(u: torch.Tensor) -> torch.Tensor:
    """The spike nonlinearity ``H(u) = 1 if u > 0 else 0``, same shape and dtype as ``u``."""
    return (u > 0).to(u.dtype if u.is_floating_point() else torch.get_default_dtype())


def _check_sharpness(name: str, value: float) -> float:
    if isinstance(value, torch.Tensor):
        value = float(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} (the surrogate's sharpness) must be > 0, got {value}")
    return float(value)


class HeavisideSpike(torch.autograd.Function):
    """Base class: forward is the Heaviside step; subclasses define ``derivative(u, k)``.

    ``apply(u, k)`` takes ``u = U - U_thr`` (any shape) and the sharpness ``k`` and returns spikes
    of ``u``'s shape and dtype; the backward pass returns ``grad * derivative(u, k)``.
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
    r"""Arctan surrogate (Fang et al., 2021), snnTorch's default.

    Forward: ``S = H(u)``. Backward: the derivative of the smooth step
    ``S~(u) = (1/pi) arctan(pi u alpha / 2) + 1/2``, which by the chain rule is
    ``dS~/du = (alpha / 2) / (1 + (pi u alpha / 2)^2)``. (The formula often quoted,
    ``(1/pi) / (1 + (pi u)^2)``, drops the chain-rule factor ``pi alpha / 2``.)
    """

    @staticmethod
    def derivative(u: torch.Tensor, k: float) -> torch.Tensor:
        return (k / 2) / (1 + (math.pi / 2 * k * u) ** 2)

    @staticmethod
    def smooth(u: torch.Tensor, k: float) -> torch.Tensor:
        return torch.atan(math.pi / 2 * k * u) / math.pi + 0.5


class Surrogate:
    """A spike function with a chosen backward pass: ``spk = surrogate(u)`` for ``u = U - U_thr``.

    Attributes:
        name: the surrogate's name (``"arctan"``, ...).
        sharpness: its sharpness parameter (``alpha``, ``slope``, ...); larger is closer to the step.
        function: the ``torch.autograd.Function`` subclass that implements it.
    """

    def __init__(self, name: str, function: Type[HeavisideSpike], sharpness: float, param: str = "alpha"):
        self.name = name
        self.function = function
        self.param = param
        self.sharpness = _check_sharpness(param, sharpness) if function is not NoSurrogate else float(sharpness)

    def __call__(self, u: torch.Tensor) -> torch.Tensor:
        """Spikes ``H(u)`` (same shape as ``u``) whose gradient is this surrogate's derivative."""
        if not isinstance(u, torch.Tensor):
            raise TypeError(f"a surrogate takes a torch.Tensor u = U - U_thr, got {type(u).__name__}")
        return self.function.apply(u, self.sharpness)

    def derivative(self, u: torch.Tensor) -> torch.Tensor:
        """The backward pass's ``dS/du`` at ``u`` (plain function, same shape as ``u``)."""
        return self.function.derivative(torch.as_tensor(u, dtype=torch.get_default_dtype()), self.sharpness)

    def smooth(self, u: torch.Tensor) -> torch.Tensor:
        """The smooth function whose derivative the backward pass uses (for plotting)."""
        return self.function.smooth(torch.as_tensor(u, dtype=torch.get_default_dtype()), self.sharpness)

    def __repr__(self) -> str:
        if self.function is NoSurrogate:
            return "no_surrogate()"
        return f"{self.name}({self.param}={self.sharpness:g})"


def arctan(alpha: float = 2.0) -> Surrogate:
    """Arctan surrogate (default ``alpha=2``, as snnTorch's ``surrogate.atan``); see :class:`ATan`."""
    return Surrogate("arctan", ATan, alpha, "alpha")


def no_surrogate() -> Surrogate:
    """The true derivative of the step (zero): gradients vanish. See :class:`NoSurrogate`."""
    return Surrogate("none", NoSurrogate, 0.0, "k")


#: Factories by name, for ``get("arctan", 2.0)`` and for widgets' drop-downs.
REGISTRY: Dict[str, Callable[..., Surrogate]] = {
    "arctan": arctan,
    "none": no_surrogate,
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
