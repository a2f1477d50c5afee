"""Spike coding (:mod:`snnlib.encoding`): rasters, spike-count images, animations, one scheme at a glance."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks
from .base import check_ax, check_axes, maybe, new_ax, optional_text, record, spike_record
from .palette import COUNT_CMAP, IMAGE_CMAP, INH_COLOR, SPIKE_COLOR

__all__ = ["raster", "spike_count_image", "spike_animation", "coding_panel"]

_SPIKES = "[T, ...] (time first; values -1, 0 or 1)"
_IMAGE_SPIKES = "[T, H, W] (or [T, N] with shape=(H, W))"


def _image_shape(shape, name: str = "shape"):
    """``shape`` itself if it is ``(H, W)``, two integers >= 1 (or ``None``)."""
    if shape is None:
        return None
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"{name} must be an image shape (H, W) or None, got {_checks.describe(shape)}")
    for i, n in enumerate(shape):
        _checks.integer(n, f"{name}[{i}]", 1)
    return shape


def raster(
    spikes,
    ax=None,
    max_neurons: Optional[int] = None,
    color: str = SPIKE_COLOR,
    off_color: str = INH_COLOR,
    markersize: Optional[float] = None,
    title: Optional[str] = None,
    dt: float = 1.0,
    active_only: bool = False,
    xlabel: Optional[str] = None,
):
    """Raster plot: a tick at ``(t, neuron)`` for every spike. ``spikes [T, ...]`` (the trailing axes are
    flattened into neurons); off spikes (negative values, delta code) are drawn in ``off_color``.
    ``max_neurons`` keeps the first neurons only; ``active_only`` drops neurons that never spike (the
    y axis then counts active neurons). ``markersize`` defaults to one neuron's height. Time runs in
    steps of ``dt`` (``xlabel`` names it: default "time step" for ``dt = 1``, else "time"); the
    neuron axis has integer ticks only. Returns the ``ax``."""
    s = spike_record(spikes, "spikes", _SPIKES, signed=True)
    s = s.reshape(s.shape[0], -1)
    maybe(_checks.integer, max_neurons, "max_neurons", 1)
    maybe(_checks.positive, markersize, "markersize")
    optional_text(title, "title")
    _checks.positive(dt, "dt")
    _checks.boolean(active_only, "active_only")
    optional_text(xlabel, "xlabel")
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
    ax.set_xlabel(xlabel if xlabel is not None else ("time step" if dt == 1.0 else "time"))
    ax.set_ylabel("active neuron" if active_only else "neuron")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    if title:
        ax.set_title(title)
    return ax


def spike_count_image(
    spikes,
    ax=None,
    shape=None,
    cmap: str = COUNT_CMAP,
    colorbar: bool = True,
    title: Optional[str] = None,
    population: str = "argmax",
):
    """Image of spike counts ``N = sum_t |s[t]|``. ``spikes [T, H, W]`` or ``[T, N]`` with ``shape=(H, W)``;
    a population code ``[T, H, W, M]`` is shown as the index of each pixel's most active neuron
    (``population="argmax"``) or as the total count (``"sum"``). Returns the ``ax``."""
    s = spike_record(spikes, "spikes", _IMAGE_SPIKES, signed=True)
    _image_shape(shape)
    _checks.boolean(colorbar, "colorbar")
    optional_text(title, "title")
    _checks.choice(population, "population", ("argmax", "sum"))
    counts = np.abs(s).sum(0)
    label = "spikes"
    if shape is not None:
        if counts.size != shape[0] * shape[1]:
            raise ValueError(
                f"spikes {_IMAGE_SPIKES} must have H * W = {shape[0] * shape[1]} neurons per step "
                f"for shape={tuple(shape)}, got shape {s.shape}"
            )
        counts = counts.reshape(shape)
    elif counts.ndim == 3:
        if population == "argmax":
            counts, label = counts.argmax(-1), "most active neuron"
        else:
            counts = counts.sum(-1)
    if counts.ndim != 2:
        raise ValueError(f"spike_count_image needs spikes {_IMAGE_SPIKES} or a population code [T, H, W, M], got shape {s.shape}")
    ax = new_ax(ax, figsize=(3, 3))
    im = ax.imshow(counts, cmap=cmap)
    ax.set_xticks([])
    ax.set_yticks([])
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=label)
    if title:
        ax.set_title(title)
    return ax


def spike_animation(
    spikes,
    shape=None,
    ax=None,
    interval: int = 150,
    max_frames: Optional[int] = None,
    cumulative: bool = True,
    title: str = "",
    cmap: str = COUNT_CMAP,
):
    """Animate a digit's spikes over time: frame ``t`` shows the spikes at step ``t`` (left, white dots)
    and, with ``cumulative``, the count so far (right). ``spikes [T, H, W]`` or ``[T, N]`` with ``shape``
    (a population code ``[T, H, W, M]`` is summed over its neurons).

    Returns a ``matplotlib.animation.FuncAnimation``; in a notebook show it with
    ``HTML(anim.to_jshtml())`` (works offline). ``max_frames`` keeps the first frames only. The
    figure is closed so that it is not shown twice. With ``ax`` given (one axes), only the spikes are drawn."""
    import matplotlib.pyplot as plt
    from matplotlib import animation

    raw = spike_record(spikes, "spikes", _IMAGE_SPIKES, signed=True)
    _image_shape(shape)
    maybe(check_ax, ax)
    _checks.integer(interval, "interval", 1)
    maybe(_checks.integer, max_frames, "max_frames", 1)
    _checks.boolean(cumulative, "cumulative")
    optional_text(title, "title")
    s = np.abs(raw)
    if shape is not None:
        if s[0].size != shape[0] * shape[1]:
            raise ValueError(
                f"spikes {_IMAGE_SPIKES} must have H * W = {shape[0] * shape[1]} neurons per step "
                f"for shape={tuple(shape)}, got shape {raw.shape}"
            )
        s = s.reshape(s.shape[0], *shape)
    if s.ndim == 4:
        s = s.sum(-1)
    if s.ndim != 3:
        raise ValueError(f"spike_animation needs spikes {_IMAGE_SPIKES}, got shape {raw.shape}")
    T = s.shape[0] if max_frames is None else min(s.shape[0], int(max_frames))
    made = ax is None
    if made:
        fig, axes = plt.subplots(1, 2 if cumulative else 1, figsize=(6 if cumulative else 3, 3))
        axes = np.atleast_1d(axes)
    else:
        fig, axes = ax.figure, np.array([ax])
        cumulative = False
    now = axes[0].imshow(s[0], cmap=IMAGE_CMAP, vmin=0, vmax=max(1.0, s.max()))
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
    ``shape``), ``spikes [T, ...]`` (``[T, H, W]``, or ``[T, H, W, M]`` for a population code),
    ``x_hat`` like ``x``. Returns the 4 axes."""
    import matplotlib.pyplot as plt

    _image_shape(shape)
    img_shape = "[H, W] (or [N] with shape=(H, W))"
    img = record(x, "x", img_shape, ndim=(1, 2) if shape is not None else 2)
    rec = record(x_hat, "x_hat", img_shape, ndim=(1, 2) if shape is not None else 2)
    if shape is not None:
        img, rec = img.reshape(shape), rec.reshape(shape)
    if img.shape != rec.shape:
        raise ValueError(f"x and x_hat must have the same shape {img_shape}, got {img.shape} and {rec.shape}")
    sp = spike_record(spikes, "spikes", _SPIKES, signed=True)
    if sp[0].size % img.size:
        raise ValueError(
            f"spikes must have a whole number of neurons per pixel of x ({img.size} pixels): "
            f"expected shape [T, H, W] or [T, H, W, M], got shape {sp.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(1, 4, figsize=(6.9, 1.8), gridspec_kw={"width_ratios": [1, 2.2, 1, 1]})
    check_axes(ax, "ax", 4)
    ax[0].imshow(img, cmap=IMAGE_CMAP, vmin=0, vmax=1)
    ax[0].set_title("input")
    raster(spikes, ax=ax[1], max_neurons=max_neurons, title=title or None, active_only=True)
    per_pixel = sp.reshape(sp.shape[0], *img.shape, -1)
    if per_pixel.shape[-1] == 1:
        per_pixel = per_pixel[..., 0]
    spike_count_image(per_pixel, ax=ax[2], colorbar=False, title="most active neuron" if per_pixel.ndim == 4 else "spike count")
    ax[3].imshow(rec, cmap=IMAGE_CMAP, vmin=0, vmax=1)
    ax[3].set_title("decoded")
    for a in (ax[0], ax[3]):
        a.set_xticks([])
        a.set_yticks([])
    return ax
