"""Data sets (:mod:`snnlib.data`): digit grids and class counts."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks
from .base import maybe, new_ax, optional_text, record
from .palette import EXC_COLOR, INH_COLOR, INK_CMAP

__all__ = ["digit_grid", "class_counts"]


def _class_names(class_names, name: str, count: Optional[int] = None):
    if class_names is None:
        return None
    if isinstance(class_names, str) or not hasattr(class_names, "__len__") or not hasattr(class_names, "__getitem__"):
        raise TypeError(f"{name} must be a sequence of names, one per class, got {_checks.describe(class_names)}")
    if count is not None and len(class_names) != count:
        raise ValueError(f"{name} must name each of the {count} classes, got {len(class_names)} names")
    return class_names


def digit_grid(
    images,
    labels=None,
    ncols: int = 10,
    nrows: Optional[int] = None,
    class_names=None,
    ax=None,
    cmap: str = INK_CMAP,
    pad: int = 2,
):
    """Show images ``[N, H, W]`` (uint8 0..255 or floats) as one tiled grid, row by row, on one ``ax``.

    Shows ``nrows * ncols`` images (all of them when ``nrows`` is None); with ``labels`` ``[N]``
    (integers) each tile gets its label (or ``class_names[label]``) written above it. Returns the ``ax``.
    """
    imgs = record(images, "images", "[N, H, W]", ndim=3)
    _checks.integer(ncols, "ncols", 1)
    maybe(_checks.integer, nrows, "nrows", 1)
    _checks.integer(pad, "pad", 0)
    _class_names(class_names, "class_names")
    if labels is not None:
        labs = record(labels, "labels", "[N]", ndim=1, dtype="integer")
        if len(labs) != len(imgs):
            raise ValueError(f"labels must have one label per image ([N] with N = {len(imgs)}), got shape {labs.shape}")
        if class_names is not None and (labs.min() < 0 or labs.max() >= len(class_names)):
            raise ValueError(
                f"labels must be in 0..{len(class_names) - 1} to index class_names, got range {labs.min()}..{labs.max()}"
            )
    n = imgs.shape[0] if nrows is None else min(imgs.shape[0], nrows * ncols)
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
        mosaic[y0 : y0 + h, x0 : x0 + w] = imgs[k]
    wide = class_names is not None
    tile = min(0.8 if wide else 0.55, 6.6 / ncols)  # inches per column: the figure fits a 6.9 in page
    ax = new_ax(ax, figsize=(tile * ncols + 0.3, tile * nrows * step_y / h + 0.3))
    ax.imshow(
        np.ma.masked_invalid(mosaic), cmap=cmap, vmin=min(0.0, float(np.nanmin(mosaic))), vmax=vmax, interpolation="nearest"
    )
    if labels is not None:
        for k in range(n):
            r, c = divmod(k, ncols)
            text = str(class_names[int(labs[k])]) if wide else str(int(labs[k]))
            ax.text(
                pad + c * step_x + w / 2, pad + band + r * step_y - 1, text, color=INH_COLOR, fontsize=8, va="bottom", ha="center"
            )
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return ax


def class_counts(labels, num_classes: int = 10, class_names=None, ax=None, color: str = EXC_COLOR, title: Optional[str] = None):
    """Bar chart of how many items ``labels`` ``[N]`` (ints 0..num_classes-1) has in each class. Returns the ``ax``."""
    labs = record(labels, "labels", "[N]", ndim=1, dtype="integer").astype(np.int64)
    num_classes = _checks.integer(num_classes, "num_classes", 1)
    _class_names(class_names, "class_names", num_classes)
    optional_text(title, "title")
    if labs.min() < 0 or labs.max() >= num_classes:
        raise ValueError(f"labels must be ints in 0..{num_classes - 1}, got range {labs.min()}..{labs.max()}")
    counts = np.bincount(labs, minlength=num_classes)
    ax = new_ax(ax, figsize=(6, 2.5))
    ax.bar(np.arange(num_classes), counts, color=color)
    names = class_names if class_names is not None else [str(c) for c in range(num_classes)]
    ax.set_xticks(np.arange(num_classes))
    ax.set_xticklabels(
        names,
        rotation=45 if max(len(str(x)) for x in names) > 2 else 0,
        ha="right" if max(len(str(x)) for x in names) > 2 else "center",
    )
    ax.set_ylabel("count")
    ax.set_title(title if title is not None else f"{labs.size:,} items")
    return ax
