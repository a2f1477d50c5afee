"""Plotting, kept apart from simulation: every function takes data (tensors or arrays) and an
optional matplotlib ``ax`` (a new figure is made when it is ``None``) and returns the ``ax``.

Sections: common helpers, then one section per chapter.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

__all__ = ["to_numpy", "new_ax"]

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

__all__ += ["plot_loss_curve", "plot_accuracy_curves", "plot_throughput", "plot_output_spikes"]


def plot_loss_curve(loss, ax=None, steps_per_epoch: Optional[int] = None, smooth: int = 20, label=None):
    """Training loss per step (``loss``: a sequence of floats), with a running mean over ``smooth`` steps.

    With ``steps_per_epoch`` the x axis is in epochs. Returns the ``ax``.
    """
    ax = new_ax(ax)
    y = np.asarray(to_numpy(loss), dtype=float)
    x = np.arange(1, len(y) + 1, dtype=float)
    if steps_per_epoch:
        x = x / steps_per_epoch
    ax.plot(x, y, color="#c7c7c7", lw=0.8)
    if len(y) >= smooth > 1:
        k = np.ones(smooth) / smooth
        ax.plot(x[smooth - 1:], np.convolve(y, k, mode="valid"), color=EXC_COLOR, lw=1.8,
                label=label or f"running mean ({smooth} steps)")
        ax.legend(frameon=False)
    ax.set_xlabel("epoch" if steps_per_epoch else "training step")
    ax.set_ylabel("loss (sum over steps of CE)")
    ax.set_yscale("log")
    return ax


def plot_accuracy_curves(runs, ax=None):
    """Test accuracy after each epoch, one line per run: ``runs`` is ``{label: [acc_epoch1, ...]}`` (in [0, 1])."""
    ax = new_ax(ax)
    for label, accs in runs.items():
        accs = 100 * np.asarray(accs, dtype=float)
        ax.plot(np.arange(1, len(accs) + 1), accs, marker="o", label=str(label))
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax


def plot_throughput(results, ax=None, key: str = "train_samples_per_s"):
    """Horizontal bars of samples/s per implementation; ``results`` is ``{name: {key: value, ...}}``."""
    ax = new_ax(ax, figsize=(6, 0.6 * len(results) + 1))
    names = list(results)
    vals = [results[n][key] for n in names]
    colors = [EXC_COLOR if "fast" in n else THRESHOLD_COLOR for n in names]
    ax.barh(names, vals, color=colors)
    for i, v in enumerate(vals):
        ax.text(v, i, f" {v:,.0f}", va="center")
    ax.invert_yaxis()
    ax.set_xlabel("training samples per second" if key == "train_samples_per_s" else key)
    ax.set_xlim(0, max(vals) * 1.25)
    return ax


def plot_output_spikes(spk_rec, mem_rec=None, sample: int = 0, ax=None):
    """Raster of the output layer's spikes for one sample (``spk_rec`` ``[T, B, C]``), classes on the y axis."""
    ax = new_ax(ax)
    s = to_numpy(spk_rec)[:, sample, :]
    T, C = s.shape
    t_idx, c_idx = np.nonzero(s)
    ax.scatter(t_idx, c_idx, marker="|", s=120, color=SPIKE_COLOR)
    counts = s.sum(0)
    for c in range(C):
        ax.text(T + 0.5, c, f"{int(counts[c])}", va="center", fontsize=8)
    ax.set_yticks(range(C))
    ax.set_ylim(-0.5, C - 0.5)
    ax.set_xlim(-0.5, T + 2)
    ax.set_xlabel("time step")
    ax.set_ylabel("output neuron (class)")
    return ax
