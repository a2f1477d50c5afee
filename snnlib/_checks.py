"""Argument checks shared by every module of snnlib (layer 0: imports nothing from snnlib).

One rule for each kind of value, so that every public function says the same thing about the same
mistake:

* **integers** (:func:`integer`) accept Python ints, NumPy integers and 0-d integer tensors;
  they reject ``bool``, floats (``2.5`` and also ``2.0``) and anything else;
* **reals** (:func:`real`) accept Python and NumPy numbers and 0-d (or one-element) tensors; they
  reject ``bool``, NaN and infinities unless the caller documents that it allows them;
* **tensors** (:func:`tensor`, :func:`time_first`, :func:`spike_tensor`) are checked for type,
  number of dimensions, dtype kind and finiteness, and every message gives the expected shape,
  time first (``[T, B, ...]``);
* **choices** (:func:`choice`) list the accepted values.

Every message names the argument, what was expected and what arrived: ``num_steps must be an
integer >= 1, got 2.5 (float)``. Type mistakes raise :class:`TypeError`, value mistakes
:class:`ValueError`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

import numpy as np
import torch

__all__ = [
    "describe",
    "integer",
    "real",
    "positive",
    "probability",
    "boolean",
    "choice",
    "instance",
    "tensor",
    "time_first",
    "spike_tensor",
    "finite_tensor",
    "outside_unit_interval",
    "same_shape",
    "broadcasts_to",
    "reads_values",
    "host_values",
]


def describe(value: Any) -> str:
    """A short description of ``value`` for an error message: its repr (cut short) and its type."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _bounds_text(minimum, maximum, min_open: bool, max_open: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(
            f"{'>' if min_open else '>='} {minimum:g}" if isinstance(minimum, float) else f"{'>' if min_open else '>='} {minimum}"
        )
    if maximum is not None:
        parts.append(
            f"{'<' if max_open else '<='} {maximum:g}" if isinstance(maximum, float) else f"{'<' if max_open else '<='} {maximum}"
        )
    return " and ".join(parts)


def _check_bounds(x, name: str, kind: str, minimum, maximum, min_open: bool, max_open: bool, original) -> None:
    low = minimum is not None and (x <= minimum if min_open else x < minimum)
    high = maximum is not None and (x >= maximum if max_open else x > maximum)
    if low or high:
        raise ValueError(f"{name} must be {kind} {_bounds_text(minimum, maximum, min_open, max_open)}, got {describe(original)}")


def integer(value: Any, name: str, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    """Return ``value`` as a Python ``int`` after checking it is an integer in ``[minimum, maximum]``.

    Accepts ``int``, NumPy integers and 0-d integer tensors. Rejects ``bool`` and every float (also
    ``2.0``: a step count is a count). Raises :class:`TypeError` for the wrong kind of value and
    :class:`ValueError` when it is out of range.
    """
    kind = "an integer"
    if (
        isinstance(value, torch.Tensor)
        and value.dim() == 0
        and not value.is_floating_point()
        and not value.is_complex()
        and value.dtype != torch.bool
    ):
        out = int(value.item())
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        bounds = _bounds_text(minimum, maximum, False, False)
        raise TypeError(f"{name} must be {kind}{' ' + bounds if bounds else ''}, got {describe(value)}")
    else:
        out = int(value)
    _check_bounds(out, name, kind, minimum, maximum, False, False, value)
    return out


def real(
    value: Any,
    name: str,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    *,
    min_open: bool = False,
    max_open: bool = False,
    allow_inf: bool = False,
    allow_nan: bool = False,
) -> float:
    """Return ``value`` as a Python ``float`` after checking it is a real number in range.

    Accepts ints, floats, NumPy numbers and tensors with exactly one element. Rejects ``bool``,
    strings and other objects (:class:`TypeError`), NaN and +-inf unless ``allow_nan`` /
    ``allow_inf`` (:class:`ValueError`), and values outside ``[minimum, maximum]`` (open ends with
    ``min_open`` / ``max_open``).
    """
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex() and value.dtype != torch.bool:
        out = float(value.detach().reshape(()).item())
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        bounds = _bounds_text(minimum, maximum, min_open, max_open)
        raise TypeError(f"{name} must be a real number{' ' + bounds if bounds else ''}, got {describe(value)}")
    else:
        out = float(value)
    if math.isnan(out) and not allow_nan:
        raise ValueError(f"{name} must be a number, got NaN")
    if math.isinf(out) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {out}")
    if not math.isnan(out):
        _check_bounds(out, name, "a number", minimum, maximum, min_open, max_open, value)
    return out


def positive(value: Any, name: str, *, allow_inf: bool = False) -> float:
    """A finite real number ``> 0`` (see :func:`real`)."""
    return real(value, name, 0.0, min_open=True, allow_inf=allow_inf)


def probability(value: Any, name: str) -> float:
    """A real number in ``[0, 1]`` (see :func:`real`)."""
    return real(value, name, 0.0, 1.0)


def boolean(value: Any, name: str) -> bool:
    """``True`` or ``False`` (also NumPy's ``bool_``); anything else is a :class:`TypeError`."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {describe(value)}")


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """``value`` itself if it is one of ``options``; otherwise a :class:`ValueError` listing them."""
    options = tuple(options)
    if isinstance(value, str) or not isinstance(value, (list, dict, set, torch.Tensor, np.ndarray)):
        try:
            if value in options:
                return value
        except TypeError:
            pass
    listed = ", ".join(repr(o) for o in options)
    raise ValueError(f"{name} must be one of {listed}; got {describe(value)}")


def instance(value: Any, name: str, cls: Union[type, Tuple[type, ...]], what: str) -> Any:
    """``value`` itself if it is an instance of ``cls``; otherwise a :class:`TypeError`.

    ``what`` names the expected type as the message says it, article included
    (``"an LIFParams"``, ``"a snnlib.synapses.SynapseParams"``).
    """
    if isinstance(value, cls):
        return value
    raise TypeError(f"{name} must be {what}, got {describe(value)}")


DTypeKind = str  # "float", "integer", "bool", "number" or "any"


def _dtype_ok(x: torch.Tensor, kind: DTypeKind) -> bool:
    if kind == "any":
        return True
    if kind == "float":
        return x.is_floating_point()
    if kind == "integer":
        return not x.is_floating_point() and not x.is_complex() and x.dtype != torch.bool
    if kind == "bool":
        return x.dtype == torch.bool
    if kind == "number":
        return not x.is_complex() and x.dtype != torch.bool
    raise ValueError(f"unknown dtype kind {kind!r}")  # pragma: no cover - programming error


_KIND_TEXT = {"float": "a floating-point", "integer": "an integer", "bool": "a boolean", "number": "a real-valued", "any": "a"}


def tensor(
    x: Any,
    name: str,
    shape: str,
    *,
    ndim: Union[int, Sequence[int], None] = None,
    min_dim: Optional[int] = None,
    dtype: DTypeKind = "any",
    finite: bool = False,
    nonempty: bool = True,
) -> torch.Tensor:
    """Check that ``x`` is a tensor of the documented ``shape`` (a string such as ``"[T, B, N]"``).

    ``ndim`` (one number or a few) or ``min_dim`` constrain the number of dimensions; ``dtype`` the
    kind of dtype; ``finite`` rejects NaN and inf; ``nonempty`` rejects tensors with no element.
    Returns ``x`` unchanged.
    """
    if not isinstance(x, torch.Tensor):
        hint = f"; convert it with torch.as_tensor({name})" if isinstance(x, (list, tuple, np.ndarray)) else ""
        raise TypeError(f"{name} must be a torch.Tensor of shape {shape}, got {describe(x)}{hint}")
    if ndim is not None:
        dims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.dim() not in dims:
            raise ValueError(
                f"{name} must have shape {shape} ({' or '.join(map(str, dims))} dimensions), got shape {tuple(x.shape)}"
            )
    if min_dim is not None and x.dim() < min_dim:
        raise ValueError(f"{name} must have shape {shape} (at least {min_dim} dimensions), got shape {tuple(x.shape)}")
    if not _dtype_ok(x, dtype):
        raise TypeError(f"{name} must be {_KIND_TEXT[dtype]} tensor of shape {shape}, got dtype {x.dtype}")
    if nonempty and x.numel() == 0:
        raise ValueError(f"{name} must not be empty: expected shape {shape}, got shape {tuple(x.shape)}")
    if finite and x.numel() and (x.is_floating_point() or x.is_complex()) and not bool(torch.isfinite(x).all()):
        bad = "NaN" if bool(torch.isnan(x).any()) else "inf"
        raise ValueError(f"{name} must be finite, but it contains {bad} (shape {shape})")
    return x


def finite_tensor(x: Any, name: str, shape: str, **kwargs) -> torch.Tensor:
    """:func:`tensor` with ``finite=True``: no NaN, no inf."""
    return tensor(x, name, shape, finite=True, **kwargs)


def time_first(x: Any, name: str, shape: str = "[T, B, ...]", min_dim: int = 2, **kwargs) -> torch.Tensor:
    """A time-first record ``[T, ...]`` with at least one time step (and ``min_dim`` dimensions)."""
    tensor(x, name, shape, min_dim=min_dim, **kwargs)
    if x.shape[0] < 1:
        raise ValueError(
            f"{name} must have at least one time step: expected shape {shape} (time first), got shape {tuple(x.shape)}"
        )
    return x


def spike_tensor(
    x: Any, name: str = "spikes", shape: str = "[T, B, ...]", min_dim: int = 1, signed: bool = False
) -> torch.Tensor:
    """A time-first spike record whose every entry is 0 or 1 (or -1, 0, 1 when ``signed``).

    Any real dtype is accepted (bool, integer or float spikes); returns ``x`` unchanged.
    """
    time_first(x, name, shape, min_dim=min_dim, dtype="any", nonempty=False)
    if x.is_complex():
        raise TypeError(f"{name} must hold spikes (0 or 1) of shape {shape}, got dtype {x.dtype}")
    if x.numel() and x.dtype != torch.bool:
        values = x.detach()
        ok = (values == 0) | (values == 1)
        if signed:
            ok = ok | (values == -1)
        if not bool(ok.all()):
            bad = values[~ok].reshape(-1)[0].item()
            allowed = "-1, 0 or 1" if signed else "0 or 1"
            raise ValueError(f"{name} must hold spikes ({allowed}) of shape {shape}, but it contains {bad!r}")
    return x


def outside_unit_interval(x: torch.Tensor) -> Optional[str]:
    """``"[min, max]"`` of ``x``'s values when some lie outside ``[0, 1]`` (intensities), else ``None``.

    The caller words the error (what needs intensities, and how to rescale); ``x`` is never clipped.
    """
    lo, hi = x.min().item(), x.max().item()
    if lo < 0.0 or hi > 1.0:
        return f"[{lo:.4g}, {hi:.4g}]"
    return None


def same_shape(a: torch.Tensor, b: torch.Tensor, name_a: str, name_b: str, shape: str) -> Tuple[int, ...]:
    """Raise a :class:`ValueError` unless ``a`` and ``b`` have the same shape (documented as ``shape``)."""
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{name_a} and {name_b} must have the same shape {shape}, got {tuple(a.shape)} and {tuple(b.shape)}")
    return tuple(a.shape)


def broadcasts_to(x: torch.Tensor, target: torch.Tensor, name: str, target_name: str, shape: str) -> None:
    """Raise a :class:`ValueError` unless ``x`` broadcasts to the shape of ``target`` (``shape``)
    without changing it: ``x`` may be a scalar or have ones where ``target`` does not."""
    xs, ts = tuple(x.shape), tuple(target.shape)
    # Right-aligned, each of x's sizes must be 1 or the target's (what torch broadcasting allows,
    # without growing the target); a plain loop, since this runs at every step of a simulation.
    ok = len(xs) <= len(ts) and all(a == 1 or a == b for a, b in zip(reversed(xs), reversed(ts)))
    if not ok:
        raise ValueError(
            f"{name} must broadcast to the shape of {target_name} {shape} = {tuple(target.shape)}, got shape {tuple(x.shape)}"
        )


def reads_values(x: torch.Tensor) -> bool:
    """Whether checks may read the values of ``x``: only for CPU tensors, and never while
    ``torch.compile`` traces (a read would break its graph). On an accelerator a read would stall
    the device on every step of a training loop, so such checks are skipped there."""
    compiling = getattr(getattr(torch, "compiler", None), "is_compiling", lambda: False)()
    return x.device.type == "cpu" and not compiling


def host_values(x: torch.Tensor, name: str, shape: str, *, finite: bool = True, spikes: bool = False) -> torch.Tensor:
    """Checks that read every value of a tensor already checked by :func:`tensor`: no NaN or inf
    (``finite``), only 0 and 1 (``spikes``). They run for CPU tensors; on an accelerator they are
    skipped, because reading the values back would stall the device on every call of a training
    step (there, NaN propagates to the loss, which the training loop checks). Returns ``x``.
    """
    if not x.numel() or not reads_values(x):
        return x
    if spikes:
        return spike_tensor(x, name, shape, min_dim=1) if x.dim() else x
    if finite and (x.is_floating_point() or x.is_complex()) and not bool(torch.isfinite(x).all()):
        bad = "NaN" if bool(torch.isnan(x).any()) else "inf"
        raise ValueError(f"{name} must be finite, but it contains {bad} (shape {shape})")
    return x
