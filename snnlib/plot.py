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


# ---------------------------------------------------------------------------------------------
# Data (snnlib.data): digit grids and class counts
# ---------------------------------------------------------------------------------------------

__all__ += ["digit_grid", "class_counts"]

def digit_grid(images, labels=None, ncols: int = 10, nrows: Optional[int] = None, class_names=None,
               ax=None, cmap: str = "gray_r", pad: int = 2):
    """Show images ``[N, H, W]`` (uint8 0..255 or floats) as one tiled grid, row by row, on one ``ax``.

    Shows ``nrows * ncols`` images (all of them when ``nrows`` is None); with ``labels`` ``[N]`` each
    tile gets its label (or ``class_names[label]``) written above it. Returns the ``ax``.
    """
    imgs = to_numpy(images)
    if imgs.ndim != 3:
        raise ValueError(f"images must be [N, H, W], got shape {imgs.shape}")
    n = imgs.shape[0] if nrows is None else min(imgs.shape[0], nrows * ncols)
    if n == 0:
        raise ValueError("images is empty: nothing to show")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    h, w = imgs.shape[1:]
    band = 0 if labels is None else max(h // 3, 6)  # room for the label above each tile
    vmax = 255.0 if imgs.dtype == np.uint8 else max(float(imgs.max()), 1e-12)
    step_y, step_x = h + pad + band, w + pad
    mosaic = np.full((nrows * step_y + pad, ncols * step_x + pad), np.nan)
    for k in range(n):
        r, c = divmod(k, ncols)
        y0, x0 = pad + band + r * step_y, pad + c * step_x
        mosaic[y0:y0 + h, x0:x0 + w] = imgs[k]
    wide = class_names is not None
    ax = new_ax(ax, figsize=((0.8 if wide else 0.55) * ncols + 0.3, 0.55 * nrows * step_y / h + 0.3))
    ax.imshow(np.ma.masked_invalid(mosaic), cmap=cmap, vmin=min(0.0, float(np.nanmin(mosaic))), vmax=vmax,
              interpolation="nearest")
    if labels is not None:
        labs = to_numpy(labels)
        for k in range(n):
            r, c = divmod(k, ncols)
            text = str(class_names[int(labs[k])]) if wide else str(int(labs[k]))
            ax.text(pad + c * step_x + w / 2, pad + band + r * step_y - 1, text, color=INH_COLOR,
                    fontsize=6 if wide else 7, va="bottom", ha="center")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return ax


def class_counts(labels, num_classes: int = 10, class_names=None, ax=None, color: str = EXC_COLOR,
                 title: Optional[str] = None):
    """Bar chart of how many items ``labels`` ``[N]`` (ints 0..num_classes-1) has in each class. Returns the ``ax``."""
    labs = to_numpy(labels).astype(np.int64).ravel()
    if labs.size and (labs.min() < 0 or labs.max() >= num_classes):
        raise ValueError(f"labels must be ints in 0..{num_classes - 1}, got range {labs.min()}..{labs.max()}")
    counts = np.bincount(labs, minlength=num_classes)
    ax = new_ax(ax, figsize=(6, 2.5))
    ax.bar(np.arange(num_classes), counts, color=color)
    names = class_names if class_names is not None else [str(c) for c in range(num_classes)]
    ax.set_xticks(np.arange(num_classes))
    ax.set_xticklabels(names, rotation=45 if max(len(str(x)) for x in names) > 2 else 0,
                       ha="right" if max(len(str(x)) for x in names) > 2 else "center")
    ax.set_ylabel("count")
    ax.set_title(title if title is not None else f"{labs.size:,} items")
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
