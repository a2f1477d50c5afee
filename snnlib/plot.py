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

__all__ += ["raster", "spike_count_image", "spike_animation", "coding_panel"]


def _flat_time_first(spikes, name: str = "spikes") -> np.ndarray:
    s = to_numpy(spikes)
    if s.ndim < 1 or s.shape[0] < 1:
        raise ValueError(f"{name} must be time-first [T, ...] with T >= 1, got shape {s.shape}")
    return s.reshape(s.shape[0], -1)


def raster(spikes, ax=None, max_neurons: Optional[int] = None, color: str = SPIKE_COLOR, off_color: str = INH_COLOR,
           markersize: Optional[float] = None, title: Optional[str] = None, dt: float = 1.0, active_only: bool = False):
    """Raster plot: a tick at ``(t, neuron)`` for every spike. ``spikes [T, ...]`` (the trailing axes are
    flattened into neurons); off spikes (negative values, delta code) are drawn in ``off_color``.
    ``max_neurons`` keeps the first neurons only; ``active_only`` drops neurons that never spike (the
    y axis then counts active neurons). ``markersize`` defaults to one neuron's height. Returns the ``ax``."""
    s = _flat_time_first(spikes)
    if active_only:
        s = s[:, np.abs(s).sum(0) > 0]
    if max_neurons is not None:
        s = s[:, :max_neurons]
    ax = new_ax(ax, figsize=(6, 3))
    if markersize is None:
        height_pt = ax.get_position().height * ax.figure.get_figheight() * 72
        markersize = float(np.clip(height_pt / max(s.shape[1], 1), 1.5, 4.0))
    t_on, n_on = np.nonzero(s > 0)
    t_off, n_off = np.nonzero(s < 0)
    ax.plot(t_on * dt, n_on, "|", color=color, markersize=markersize, label="on" if len(t_off) else None)
    if len(t_off):
        ax.plot(t_off * dt, n_off, "|", color=off_color, markersize=markersize, label="off")
        ax.legend(loc="upper right", fontsize="small")
    ax.set_xlim(-0.5 * dt, (s.shape[0] - 0.5) * dt)
    ax.set_ylim(-0.5, s.shape[1] - 0.5)
    ax.set_xlabel("time step" if dt == 1.0 else "time")
    ax.set_ylabel("active neuron" if active_only else "neuron")
    if title:
        ax.set_title(title)
    return ax


def spike_count_image(spikes, ax=None, shape=None, cmap: str = "magma", colorbar: bool = True,
                      title: Optional[str] = None, population: str = "argmax"):
    """Image of spike counts ``N = sum_t |s[t]|``. ``spikes [T, H, W]`` or ``[T, N]`` with ``shape=(H, W)``;
    a population code ``[T, H, W, M]`` is shown as the index of each pixel's most active neuron
    (``population="argmax"``) or as the total count (``"sum"``). Returns the ``ax``."""
    s = to_numpy(spikes)
    counts = np.abs(s).sum(0)
    label = "spikes"
    if shape is not None:
        counts = counts.reshape(shape)
    elif counts.ndim == 3:
        if population == "argmax":
            counts, label = counts.argmax(-1), "most active neuron"
        else:
            counts = counts.sum(-1)
    if counts.ndim != 2:
        raise ValueError(f"spike_count_image needs spikes [T, H, W] (or [T, N] with shape=(H, W)), got {s.shape}")
    ax = new_ax(ax, figsize=(3, 3))
    im = ax.imshow(counts, cmap=cmap)
    ax.set_xticks([])
    ax.set_yticks([])
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=label)
    if title:
        ax.set_title(title)
    return ax


def spike_animation(spikes, shape=None, ax=None, interval: int = 150, max_frames: Optional[int] = None,
                    cumulative: bool = True, title: str = "", cmap: str = "magma"):
    """Animate a digit's spikes over time: frame ``t`` shows the spikes at step ``t`` (left, white dots)
    and, with ``cumulative``, the count so far (right). ``spikes [T, H, W]`` or ``[T, N]`` with ``shape``.

    Returns a ``matplotlib.animation.FuncAnimation``; in a notebook show it with
    ``HTML(anim.to_jshtml())`` (works offline). ``max_frames`` keeps the first frames only. The
    figure is closed so that it is not shown twice. With ``ax`` given (one axes), only the spikes are drawn."""
    import matplotlib.pyplot as plt
    from matplotlib import animation

    s = np.abs(to_numpy(spikes))
    if shape is not None:
        s = s.reshape(s.shape[0], *shape)
    if s.ndim == 4:
        s = s.sum(-1)
    if s.ndim != 3:
        raise ValueError(f"spike_animation needs spikes [T, H, W] (or [T, N] with shape=(H, W)), got {to_numpy(spikes).shape}")
    T = s.shape[0] if max_frames is None else min(s.shape[0], int(max_frames))
    made = ax is None
    if made:
        fig, axes = plt.subplots(1, 2 if cumulative else 1, figsize=(6 if cumulative else 3, 3))
        axes = np.atleast_1d(axes)
    else:
        fig, axes = ax.figure, np.array([ax])
        cumulative = False
    now = axes[0].imshow(s[0], cmap="gray", vmin=0, vmax=max(1.0, s.max()))
    axes[0].set_title("spikes at t = 0")
    imgs = [now]
    if cumulative:
        csum = np.cumsum(s, 0)
        acc = axes[1].imshow(csum[0], cmap=cmap, vmin=0, vmax=max(1.0, csum[T - 1].max()))
        axes[1].set_title("count so far")
        imgs.append(acc)
    for a in axes:
        a.set_xticks([])
        a.set_yticks([])
    if title:
        fig.suptitle(title)

    def update(t):
        now.set_data(s[t])
        axes[0].set_title(f"spikes at t = {t}")
        if cumulative:
            acc.set_data(csum[t])
        return imgs

    anim = animation.FuncAnimation(fig, update, frames=T, interval=interval, blit=False)
    if made:
        plt.close(fig)
    return anim


def coding_panel(x, spikes, x_hat, ax=None, shape=None, max_neurons: Optional[int] = None, title: str = ""):
    """One scheme at a glance: input image, raster, spike-count image and decoded image, on 4 axes in
    a row (``ax``: a sequence of 4 axes, or ``None`` for a new figure). ``x [H, W]`` (or ``[N]`` with
    ``shape``), ``spikes [T, ...]``, ``x_hat`` like ``x``. Returns the 4 axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(1, 4, figsize=(12, 2.6), gridspec_kw={"width_ratios": [1, 2.2, 1, 1]})
    if len(ax) != 4:
        raise ValueError(f"coding_panel needs 4 axes, got {len(ax)}")
    img = to_numpy(x) if shape is None else to_numpy(x).reshape(shape)
    rec = to_numpy(x_hat) if shape is None else to_numpy(x_hat).reshape(shape)
    ax[0].imshow(img, cmap="gray", vmin=0, vmax=1)
    ax[0].set_title("input")
    raster(spikes, ax=ax[1], max_neurons=max_neurons, title=title or None, active_only=True)
    sp = to_numpy(spikes)
    per_pixel = sp.reshape(sp.shape[0], *img.shape, -1)
    if per_pixel.shape[-1] == 1:
        per_pixel = per_pixel[..., 0]
    spike_count_image(per_pixel, ax=ax[2], colorbar=False,
                      title="most active neuron" if per_pixel.ndim == 4 else "spike count")
    ax[3].imshow(rec, cmap="gray", vmin=0, vmax=1)
    ax[3].set_title("decoded")
    for a in (ax[0], ax[3]):
        a.set_xticks([])
        a.set_yticks([])
    return ax




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
