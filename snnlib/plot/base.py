"""What every plotting module shares: data in (tensors, arrays or lists), a matplotlib ``ax`` out.

Every plotting function takes its data and an optional ``ax`` (a new figure is made when it is
``None``) and returns the ``ax``. The checks here wrap :mod:`snnlib._checks` for plotting's inputs,
which may be tensors on any device, NumPy arrays or lists: a record's shape is checked (time first,
``[T, ...]``) and the message gives the expected shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import torch

from .. import _checks

__all__ = ["to_numpy", "new_ax"]


def to_numpy(x) -> np.ndarray:
    """A tensor (any device, with or without grad) or array as a NumPy array."""
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"x must be a tensor, an array or a sequence of numbers, got {_checks.describe(x)}")
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def new_ax(ax=None, figsize=(6, 3)):
    """Return ``ax`` (checked to be a matplotlib ``Axes``), or a new axes on a new figure when it is ``None``."""
    if ax is not None:
        return check_ax(ax)
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


# ---------------------------------------------------------------------------------------------
# Argument checks for plotting (private to snnlib.plot)
# ---------------------------------------------------------------------------------------------
def check_ax(ax, name: str = "ax"):
    """``ax`` itself if it is a matplotlib ``Axes``; else a :class:`TypeError`."""
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes or None, got {_checks.describe(ax)}")
    return ax


def check_axes(axes, name: str, count: int):
    """``axes`` itself if it is a sequence (or array) of ``count`` matplotlib ``Axes``."""
    if isinstance(axes, np.ndarray) or (isinstance(axes, Sequence) and not isinstance(axes, str)):
        items = list(axes)
    else:
        raise TypeError(f"{name} must be a sequence of {count} matplotlib Axes or None, got {_checks.describe(axes)}")
    if len(items) != count:
        raise ValueError(f"{name} must be {count} axes, got {len(items)}")
    for i, a in enumerate(items):
        check_ax(a, f"{name}[{i}]")
    return axes


def maybe(check: Callable[..., Any], value: Any, *args, **kwargs) -> Any:
    """``None`` when ``value`` is ``None``, else ``check(value, *args, **kwargs)``."""
    return None if value is None else check(value, *args, **kwargs)


def mapping(value: Any, name: str, what: str) -> Mapping:
    """``value`` itself if it is a mapping (``what`` says of what, for the message)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping {what}, got {_checks.describe(value)}")
    return value


def _tensor(x: Any, name: str, shape: str) -> torch.Tensor:
    """``x`` (a tensor, an array, a list or a number) as a tensor, so that :mod:`snnlib._checks` can check it."""
    if isinstance(x, torch.Tensor):
        return x.detach()
    try:
        return torch.as_tensor(np.asarray(x))
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be a tensor or an array of numbers of shape {shape}, got {_checks.describe(x)}") from None


def record(x: Any, name: str, shape: str, *, ndim: Union[int, Sequence[int], None] = None, dtype: str = "number") -> np.ndarray:
    """``x`` as a NumPy array after checking its number of dimensions (``ndim``) and dtype kind."""
    _checks.tensor(_tensor(x, name, shape), name, shape, ndim=ndim, dtype=dtype)
    return to_numpy(x)


def time_record(
    x: Any, name: str, shape: str = "[T, ...]", *, min_dim: int = 1, ndim: Union[int, Sequence[int], None] = None
) -> np.ndarray:
    """A time-first record ``[T, ...]`` (at least one step) of real numbers, as a NumPy array."""
    t = _tensor(x, name, shape)
    if ndim is not None:
        _checks.tensor(t, name, shape, ndim=ndim, dtype="number")
    _checks.time_first(t, name, shape, min_dim=min_dim, dtype="number")
    return to_numpy(x)


def spike_record(
    x: Any,
    name: str = "spikes",
    shape: str = "[T, ...]",
    *,
    min_dim: int = 1,
    ndim: Union[int, Sequence[int], None] = None,
    signed: bool = False,
) -> np.ndarray:
    """A time-first spike record ``[T, ...]`` of 0/1 (``signed``: -1/0/1) values, as a NumPy array."""
    t = _tensor(x, name, shape)
    if ndim is not None:
        _checks.tensor(t, name, shape, ndim=ndim, dtype="any", nonempty=False)
    _checks.spike_tensor(t, name, shape, min_dim=min_dim, signed=signed)
    return to_numpy(x)


def one_neuron(x: Any, name: str, spikes: bool = False) -> np.ndarray:
    """One neuron's record ``[T]`` (or ``[T, 1]``) as a flat NumPy array ``[T]``."""
    shape = "[T] or [T, 1]"
    arr = spike_record(x, name, shape, ndim=(1, 2)) if spikes else time_record(x, name, shape, ndim=(1, 2))
    if arr.ndim == 2 and arr.shape[1] != 1:
        raise ValueError(f"{name} must be one neuron's record {shape}, got shape {arr.shape}")
    return arr.reshape(-1)


def same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, shape: str = "[M]") -> None:
    """A :class:`ValueError` unless the flat records ``a`` and ``b`` have the same length."""
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} must have the same length ({shape} each), got {len(a)} and {len(b)}")


def optional_text(value: Any, name: str) -> Optional[str]:
    """``value`` if it is a string or ``None``; else a :class:`TypeError`."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None, got {_checks.describe(value)}")
    return value
