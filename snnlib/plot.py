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
