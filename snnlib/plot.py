"""Plotting, kept apart from simulation: every function takes data (tensors or arrays) and an
optional matplotlib ``ax`` (a new figure is made when it is ``None``) and returns the ``ax``.

Sections: common helpers, then one section per chapter.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

__all__ = ["to_numpy", "new_ax", "plot_raster", "plot_membrane"]

#: Colours used across the book.
EXC_COLOR = "#1f77b4"   # excitatory
INH_COLOR = "#d62728"   # inhibitory
SPIKE_COLOR = "black"
THRESHOLD_COLOR = "#7f7f7f"


def to_numpy(x) -> np.ndarray:
    """A tensor (any device, with or without grad) or array as a NumPy array."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def new_ax(ax=None, figsize=(6, 3)):
    """Return ``ax``, or a new axes on a new figure when ``ax`` is ``None``."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _maybe(x: Optional[float], default: float) -> float:
    return default if x is None else x


def _spike_times(spk) -> tuple:
    """Check a time-first spike record ``[T]``, ``[T, N]`` or ``[T, 1, N]`` and return ``(T, [T, N] array)``."""
    s = to_numpy(spk)
    if s.ndim == 1:
        s = s[:, None]
    elif s.ndim == 3 and s.shape[1] == 1:
        s = s[:, 0, :]
    if s.ndim != 2:
        raise ValueError(f"spikes must have shape [T], [T, N] or [T, 1, N] (time first), got shape {tuple(to_numpy(spk).shape)}")
    return s.shape[0], s


def plot_raster(spk, ax=None, dt: float = 1.0, color: str = SPIKE_COLOR, label: str = "neuron", size: float = 120.0):
    """Raster plot of a time-first spike record: one row per neuron, one tick per spike.

    Args:
        spk: spikes, shape ``[T]`` (one neuron), ``[T, N]`` or ``[T, 1, N]`` (one sample of a batch).
        ax: matplotlib axes to draw on (a new figure when ``None``).
        dt: duration of a time step; the x axis is ``t * dt``.

    Returns the ``ax``.
    """
    T, s_arr = _spike_times(spk)
    ax = new_ax(ax)
    t_idx, n_idx = np.nonzero(s_arr)
    ax.scatter(t_idx * dt, n_idx, marker="|", s=size, color=color, linewidths=1.5)
    ax.set_xlim(0, T * dt)
    ax.set_ylim(-0.5, s_arr.shape[1] - 0.5)
    ax.set_ylabel(label)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


def plot_membrane(mem, threshold: Optional[float] = None, spk=None, ax=None, dt: float = 1.0,
                  color: str = EXC_COLOR, label: str = "membrane $U$"):
    """Membrane trace of one neuron, with its threshold (dashed) and its spikes (ticks above).

    Args:
        mem: membrane potential, shape ``[T]`` (or ``[T, 1]`` / ``[T, 1, 1]``: one neuron).
        threshold: firing threshold drawn as a dashed line (omitted when ``None``).
        spk: spikes of the same neuron, same shape as ``mem``, drawn as ticks above the trace.
        ax: matplotlib axes to draw on (a new figure when ``None``).
        dt: duration of a time step; the x axis is ``t * dt``.

    Returns the ``ax``.
    """
    m = to_numpy(mem).astype(float)
    if m.ndim > 1 and int(np.prod(m.shape[1:])) == 1:
        m = m.reshape(m.shape[0])
    if m.ndim != 1:
        raise ValueError(f"mem must be one neuron's trace, shape [T] (time first), got shape {tuple(to_numpy(mem).shape)}")
    ax = new_ax(ax)
    t = np.arange(len(m)) * dt
    ax.plot(t, m, color=color, lw=1.5, label=label)
    top = float(np.max(m)) if len(m) else 1.0
    if threshold is not None:
        ax.axhline(float(threshold), color=THRESHOLD_COLOR, ls="--", lw=1, label="threshold $U_{thr}$")
        top = max(top, float(threshold))
    if spk is not None:
        s_arr = to_numpy(spk).reshape(-1)
        if s_arr.shape[0] != len(m):
            raise ValueError(f"spk must have the same number of steps as mem ({len(m)}), got shape {tuple(to_numpy(spk).shape)}")
        ts = t[s_arr > 0]
        y = top * 1.12 if top > 0 else 1.0
        ax.scatter(ts, np.full(len(ts), y), marker="|", s=120, color=SPIKE_COLOR, linewidths=1.5, label="spikes")
    ax.set_xlim(0, len(m) * dt)
    ax.set_ylabel(label)
    return ax


# =============================================================================================
# Chapter: spike coding
# =============================================================================================




# =============================================================================================
# Chapter: the LIF neuron
# =============================================================================================




# =============================================================================================
# Chapter: neural circuits
# =============================================================================================




# =============================================================================================
# Chapter: surrogate gradients
# =============================================================================================




# =============================================================================================
# Chapter: MNIST on the GPU
# =============================================================================================
