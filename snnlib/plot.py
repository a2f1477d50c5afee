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

__all__ += ["plot_membrane", "plot_current", "plot_lif_response", "plot_charging", "plot_euler_error",
            "plot_fi_curve", "plot_raster_row"]


def _time_axis(n: int, dt: Optional[float], ax, steps_on_top: bool = True):
    """x values for records of ``n`` steps (record ``i`` is after step ``i + 1``), in ms when ``dt`` is given."""
    steps = np.arange(1, n + 1)
    if dt is None:
        ax.set_xlabel("time step $t$ (one step = one update)")
        return steps
    ax.set_xlabel(f"time (ms); one step = {dt:g} ms")
    if steps_on_top and not getattr(ax, "_snnlib_steps_axis", False):
        top = ax.secondary_xaxis("top", functions=(lambda t: t / dt, lambda k: k * dt))
        top.set_xlabel("step", fontsize="small")
        top.tick_params(labelsize="small")
        ax._snnlib_steps_axis = True
    return steps * dt


def plot_membrane(mem, spk=None, threshold=None, dt: Optional[float] = None, ax=None, label: Optional[str] = None,
                  color: Optional[str] = None, unit: str = "", spike_height: Optional[float] = None,
                  steps_on_top: bool = True):
    """Membrane trace with the threshold (dashed) and the spikes (vertical strokes above it).

    Args:
        mem: membrane record ``[T]`` (or ``[T, 1]``), e.g. one neuron of ``lif_run``'s ``mem_rec``.
        spk: spikes ``[T]`` of the same length, or ``None``.
        threshold: draw this threshold line (scalar), or ``None``.
        dt: the step in ms: time axis in ms (with steps on a top axis), else in steps.
        unit: the membrane's unit for the y label (``"mV"`` for the physical model).
        spike_height: where the spike strokes end (default: a little above the trace and threshold).
    Returns:
        the ``ax``.
    """
    ax = new_ax(ax, figsize=(7, 3))
    mem = to_numpy(mem).reshape(len(to_numpy(mem)), -1)
    if mem.shape[1] != 1:
        raise ValueError(f"plot_membrane draws one neuron: mem must be [T] or [T, 1], got {mem.shape}")
    mem = mem[:, 0]
    x = _time_axis(len(mem), dt, ax, steps_on_top)
    line, = ax.plot(x, mem, color=color or EXC_COLOR, label=label, lw=1.5)
    if threshold is not None:
        ax.axhline(float(threshold), color=THRESHOLD_COLOR, ls="--", lw=1,
                   label="threshold" if label is None else None)
    if spk is not None:
        s = to_numpy(spk).reshape(-1)
        if len(s) != len(mem):
            raise ValueError(f"spk must have the membrane's length {len(mem)} ([T]), got {len(s)}")
        idx = np.nonzero(s > 0)[0]
        if len(idx):
            top = spike_height
            if top is None:
                hi = max(float(np.max(mem)), float(threshold) if threshold is not None else -np.inf)
                lo = min(float(np.min(mem)), float(threshold) if threshold is not None else np.inf)
                top = hi + 0.25 * max(hi - lo, 1e-9)
            ax.vlines(x[idx], mem[idx], top, color=line.get_color(), lw=1.2, alpha=0.9)
            ax.plot(x[idx], np.full(len(idx), top), "v", color=SPIKE_COLOR, ms=4,
                    label="spike" if label is None else None)
    ax.set_ylabel(f"membrane potential ({unit})" if unit else "membrane $U$")
    return ax


def plot_current(cur, dt: Optional[float] = None, ax=None, unit: str = "", color: str = "#2ca02c", label=None):
    """The input current ``[T]`` as a step plot (time axis as in :func:`plot_membrane`); returns ``ax``."""
    ax = new_ax(ax, figsize=(7, 1.8))
    c = to_numpy(cur).reshape(-1)
    x = _time_axis(len(c), dt, ax, steps_on_top=False)
    ax.step(x, c, where="post" if dt is None else "pre", color=color, lw=1.2, label=label)
    ax.set_ylabel(f"input $I$ ({unit})" if unit else "input $I$")
    return ax


def plot_lif_response(cur, mem, spk, threshold=None, dt: Optional[float] = None, axes=None, unit: str = "",
                      cur_unit: str = "", title: Optional[str] = None):
    """Input current (top) and membrane with threshold and spikes (bottom), sharing the time axis.

    ``cur``, ``mem``, ``spk``: ``[T]`` records of one neuron. ``axes``: two axes, or ``None`` for a new
    figure. Returns the two axes.
    """
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(7, 3.8), sharex=True, gridspec_kw={"height_ratios": [1, 2.5]})
    plot_current(cur, dt, axes[0], unit=cur_unit)
    axes[0].set_xlabel("")
    plot_membrane(mem, spk, threshold, dt, axes[1], unit=unit, steps_on_top=False)
    if title:
        axes[0].set_title(title)
    return axes


def plot_charging(t, simulated, analytic, threshold=None, ax=None, unit: str = "mV", xlabel: str = "time (ms)",
                  sim_label: str = "simulation (Euler)", analytic_label: str = "analytic"):
    """A simulated charging curve (dots) against its analytic solution (line), same ``t`` ``[T]``."""
    ax = new_ax(ax, figsize=(6, 3))
    t = to_numpy(t).reshape(-1)
    ax.plot(t, to_numpy(analytic).reshape(-1), color="black", lw=2, label=analytic_label)
    ax.plot(t, to_numpy(simulated).reshape(-1), "o", ms=3, color=EXC_COLOR, alpha=0.7, label=sim_label)
    if threshold is not None:
        ax.axhline(float(threshold), color=THRESHOLD_COLOR, ls="--", lw=1, label="threshold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"membrane $V$ ({unit})" if unit else "membrane $U$")
    ax.legend(fontsize="small")
    return ax


def plot_euler_error(dts, errors, ax=None, slope: Optional[float] = None, unit: str = "mV"):
    """Log-log plot of the Euler error against the step ``dt`` (ms), with a slope-1 guide line.

    ``slope``: the fitted slope, shown in the legend if given. Returns ``ax``.
    """
    ax = new_ax(ax, figsize=(4.5, 3.5))
    d, e = to_numpy(dts).reshape(-1), to_numpy(errors).reshape(-1)
    lab = "max |Euler - exact|" + (f" (fitted slope {slope:.2f})" if slope is not None else "")
    ax.loglog(d, e, "o-", color=EXC_COLOR, label=lab)
    guide = e[0] * d / d[0]
    ax.loglog(d, guide, "--", color=THRESHOLD_COLOR, label="slope 1 (error $\\propto$ dt)")
    ax.set_xlabel("time step dt (ms)")
    ax.set_ylabel(f"max error ({unit})")
    ax.legend(fontsize="small")
    return ax


def plot_fi_curve(currents, rates, analytic=None, ax=None, label: str = "simulation",
                  analytic_label: str = "analytic", unit: str = "nA", rate_unit: str = "Hz", color=None):
    """An f-I curve: simulated rates (dots) and optionally the analytic curve (line) on the same ``currents``.

    ``currents``, ``rates``, ``analytic``: ``[M]``. Returns ``ax``.
    """
    ax = new_ax(ax, figsize=(5, 3.5))
    i = to_numpy(currents).reshape(-1)
    if analytic is not None:
        ax.plot(i, to_numpy(analytic).reshape(-1), "-", color=color or "black", lw=1.8, label=analytic_label)
    ax.plot(i, to_numpy(rates).reshape(-1), "o", ms=4, color=color or EXC_COLOR, alpha=0.8, label=label)
    ax.set_xlabel(f"input current $I$ ({unit})" if unit else "input current $I$")
    ax.set_ylabel(f"firing rate ({rate_unit})")
    ax.legend(fontsize="small")
    return ax


def plot_raster_row(spk, dt: Optional[float] = None, ax=None, y: float = 0.0, color=SPIKE_COLOR, label=None):
    """Spike times of one neuron ``[T]`` as ticks at height ``y`` (time in steps, or ms with ``dt``)."""
    ax = new_ax(ax, figsize=(7, 1.2))
    s = to_numpy(spk).reshape(-1)
    x = (np.arange(1, len(s) + 1)) * (1 if dt is None else dt)
    idx = np.nonzero(s > 0)[0]
    ax.plot(x[idx], np.full(len(idx), y), "|", color=color, ms=12, mew=1.5, label=label)
    return ax





# =============================================================================================
# Chapter: neural circuits
# =============================================================================================

INPUT_COLOR = "#7f7f7f"  # input lines in circuit diagrams and rasters
_KIND_COLOR = {"input": INPUT_COLOR, "excitatory": EXC_COLOR, "inhibitory": INH_COLOR}


def _neuron(ax, xy, kind: str = "excitatory", label: str = "", size: float = 0.38):
    """Draw one neuron (or population): excitatory a blue triangle, inhibitory a red circle, input a grey square."""
    from matplotlib import patches

    x, y = xy
    color = _KIND_COLOR[kind]
    if kind == "excitatory":
        shape = patches.RegularPolygon((x, y), 3, radius=size * 1.25, orientation=0, color=color, zorder=3)
    elif kind == "inhibitory":
        shape = patches.Circle((x, y), size, color=color, zorder=3)
    else:
        shape = patches.FancyBboxPatch((x - size * 0.7, y - size * 0.7), size * 1.4, size * 1.4,
                                       boxstyle="round,pad=0.02", color=color, zorder=3)
    ax.add_patch(shape)
    if label:
        ax.text(x, y, label, ha="center", va="center", color="white", fontsize=9, fontweight="bold", zorder=4)


def _connect(ax, a, b, kind: str = "excitatory", rad: float = 0.0, shrink: float = 16, label: str = "",
             lw: float = 1.8):
    """A connection from ``a`` to ``b``: excitatory a blue arrow, inhibitory a red line ending in a flat bar and dot."""
    from matplotlib.patches import ArrowStyle, FancyArrowPatch

    inhibitory = kind == "inhibitory"
    color = INH_COLOR if inhibitory else (INPUT_COLOR if kind == "input" else EXC_COLOR)
    style = ArrowStyle("-[", widthB=0.9, lengthB=0.0) if inhibitory else ArrowStyle("-|>", head_length=0.5, head_width=0.3)
    arrow = FancyArrowPatch(a, b, arrowstyle=style, connectionstyle=f"arc3,rad={rad}", color=color, lw=lw,
                            shrinkA=shrink, shrinkB=shrink, mutation_scale=14, zorder=2)
    ax.add_patch(arrow)
    if label:
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        # offset the label to the outside of the arc
        dx, dy = b[0] - a[0], b[1] - a[1]
        ax.text(mx - rad * dy * 0.6, my + rad * dx * 0.6 + 0.25, label, ha="center", va="bottom", fontsize=8, color=color)


def _diagram_legend(ax):
    from matplotlib.lines import Line2D

    handles = [
        Line2D([0], [0], marker="^", color="w", markerfacecolor=EXC_COLOR, markersize=11, label="excitatory neuron"),
        Line2D([0], [0], marker="o", color="w", markerfacecolor=INH_COLOR, markersize=10, label="inhibitory neuron"),
        Line2D([0], [0], marker="s", color="w", markerfacecolor=INPUT_COLOR, markersize=9, label="input"),
        Line2D([0], [0], color=EXC_COLOR, lw=1.8, marker=">", markevery=[1], label="excitatory synapse (arrow)"),
        Line2D([0], [0], color=INH_COLOR, lw=1.8, marker="|", markersize=10, markevery=[1], label="inhibitory synapse (bar)"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3, fontsize=7.5, frameon=False)


def circuit_diagram(motif: str, ax=None, legend: bool = True, title: Optional[str] = None):
    """Draw the circuit diagram of a motif.

    Args:
        motif: ``"feedforward_excitation"`` (convergence and divergence), ``"feedforward_inhibition"``,
            ``"feedback_inhibition"``, ``"lateral_inhibition"`` or ``"winner_take_all"``.
        ax: axes to draw on (new figure if ``None``).
        legend: add the legend of symbols (excitatory: blue triangle and arrow; inhibitory: red
            circle and flat bar).
        title: axes title (default: the motif's name).

    Returns:
        the axes.
    """
    names = {
        "feedforward_excitation": "Feed-forward excitation",
        "feedforward_inhibition": "Feed-forward inhibition",
        "feedback_inhibition": "Feedback inhibition",
        "lateral_inhibition": "Lateral inhibition",
        "winner_take_all": "Winner-take-all",
    }
    if motif not in names:
        raise ValueError(f"unknown motif {motif!r}: expected one of {tuple(names)}")
    ax = new_ax(ax, figsize=(5.5, 3.4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(names[motif] if title is None else title, fontsize=11)
    if motif == "feedforward_excitation":
        out = (3.4, 3.0)
        for y in (1.2, 2.4, 3.6, 4.8):
            _neuron(ax, (0.8, y), "input")
            _connect(ax, (0.8, y), out, "excitatory", shrink=12)
        _neuron(ax, out, "excitatory", "E")
        ax.text(2.1, 0.2, "convergence\n(many to one)", ha="center", fontsize=8.5)
        src = (6.4, 3.0)
        _neuron(ax, src, "input")
        for y in (1.2, 2.4, 3.6, 4.8):
            _connect(ax, src, (9.0, y), "excitatory", shrink=12)
            _neuron(ax, (9.0, y), "excitatory")
        ax.text(7.7, 0.2, "divergence\n(one to many)", ha="center", fontsize=8.5)
    elif motif == "feedforward_inhibition":
        inp, inh, out = (1.0, 3.4), (4.6, 1.4), (8.2, 3.4)
        _neuron(ax, inp, "input", "in")
        _neuron(ax, inh, "inhibitory", "I")
        _neuron(ax, out, "excitatory", "E")
        _connect(ax, inp, out, "excitatory", label="direct excitation")
        _connect(ax, inp, inh, "excitatory")
        _connect(ax, inh, out, "inhibitory")
        ax.text(7.2, 1.3, "delayed\ninhibition", ha="center", fontsize=8, color=INH_COLOR)
    elif motif == "feedback_inhibition":
        inp, exc, inh = (1.0, 3.0), (4.6, 3.0), (8.2, 3.0)
        _neuron(ax, inp, "input", "in")
        _neuron(ax, exc, "excitatory", "E")
        _neuron(ax, inh, "inhibitory", "I")
        _connect(ax, inp, exc, "excitatory")
        _connect(ax, exc, inh, "excitatory", rad=-0.45, label="")
        _connect(ax, inh, exc, "inhibitory", rad=-0.45)
        ax.text(6.4, 4.6, "E excites I", ha="center", fontsize=8, color=EXC_COLOR)
        ax.text(6.4, 1.1, "I inhibits E", ha="center", fontsize=8, color=INH_COLOR)
    else:
        xs = [1.4 + 1.8 * i for i in range(5)]
        for x in xs:
            _neuron(ax, (x, 0.8), "input")
            _connect(ax, (x, 0.8), (x, 2.6), "excitatory", shrink=10)
            _neuron(ax, (x, 2.8), "excitatory")
        if motif == "lateral_inhibition":
            for i in range(4):
                _connect(ax, (xs[i], 2.8), (xs[i + 1], 2.8), "inhibitory", rad=-0.4, shrink=15, lw=1.4)
                _connect(ax, (xs[i + 1], 2.8), (xs[i], 2.8), "inhibitory", rad=0.8, shrink=15, lw=1.4)
            ax.text(5.0, 5.0, "each neuron inhibits its neighbours (strength, reach)", ha="center", fontsize=8,
                    color=INH_COLOR)
        else:
            for i in range(5):
                for j in range(5):
                    if i != j:
                        _connect(ax, (xs[i], 2.8), (xs[j], 2.8), "inhibitory", rad=-0.35 - 0.05 * abs(i - j),
                                 shrink=11, lw=0.9)
            ax.text(5.0, 5.5, "every neuron inhibits every other", ha="center", fontsize=8, color=INH_COLOR)
    if legend:
        _diagram_legend(ax)
    return ax


def population_raster(spikes, kinds=None, ax=None, batch: int = 0, title: Optional[str] = None,
                      order=None, max_neurons: int = 60):
    """Spike rasters of several populations stacked in one axes, coloured by kind.

    Args:
        spikes: a mapping name -> spike record ``[T, N]`` or ``[T, B, N]`` (batch entry ``batch`` is
            drawn), or a :class:`snnlib.circuits.CircuitResult` / :class:`snnlib.circuits.MotifRun`
            (its input is drawn too).
        kinds: name -> ``"input"``, ``"excitatory"`` or ``"inhibitory"`` (colour: grey, blue, red);
            taken from the result when one is given.
        ax: axes (new figure if ``None``).
        batch: batch entry to draw for ``[T, B, N]`` records.
        title: axes title.
        order: population names from top to bottom (default: the mapping's order).
        max_neurons: draw at most this many neurons per population (the first ones).

    Returns:
        the axes.
    """
    records = spikes
    if hasattr(spikes, "spikes") and hasattr(spikes, "kinds"):
        kinds = dict(spikes.kinds) if kinds is None else kinds
        records = dict(spikes.spikes)
        if "input" not in records and hasattr(spikes, "input"):
            records = {"input": spikes.input, **records}
            kinds = {"input": "input", **kinds}
    kinds = dict(kinds or {})
    names = list(order or records)
    ax = new_ax(ax, figsize=(7, 0.5 + 0.9 * len(names)))
    y0, ticks, labels = 0, [], []
    T = 0
    for name in reversed(names):
        s = to_numpy(records[name])
        if s.ndim == 3:
            s = s[:, batch]
        if s.ndim != 2:
            raise ValueError(f"spikes[{name!r}] must be [T, N] or [T, B, N], got shape {s.shape}")
        s = s[:, :max_neurons]
        T = max(T, s.shape[0])
        t_idx, n_idx = np.nonzero(s)
        color = _KIND_COLOR.get(kinds.get(name, "excitatory"), EXC_COLOR)
        ax.scatter(t_idx, n_idx + y0, s=4, marker="|", color=color, linewidths=1.0)
        ticks.append(y0 + s.shape[1] / 2)
        labels.append(name)
        y0 += s.shape[1] + 1
        ax.axhline(y0 - 0.5, color="0.85", lw=0.6)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels)
    ax.set_ylim(-1, y0)
    ax.set_xlim(0, max(T, 1))
    ax.set_xlabel("time step")
    if title:
        ax.set_title(title)
    return ax


__all__ += ["circuit_diagram", "population_raster", "INPUT_COLOR"]




# =============================================================================================
# Chapter: surrogate gradients
# =============================================================================================

__all__ += ["plot_surrogate", "plot_gradient_flow", "plot_unrolled_graph", "plot_spike_targets",
            "plot_loss_curves", "plot_decision_regions"]


def _surrogate_list(surrogates):
    from . import surrogate as _s

    if surrogates is None:
        surrogates = [_s.REGISTRY[name]() for name in _s.REGISTRY if name != "none"]
    if not isinstance(surrogates, (list, tuple)):
        surrogates = [surrogates]
    return [_s.get(s) for s in surrogates]


def plot_surrogate(surrogates=None, u_range=(-2.0, 2.0), axes=None, n: int = 801):
    """Two panels: each surrogate's smooth function beside the Heaviside step (left) and its
    derivative, the backward pass's ``dS/du`` (right), against ``u = U - U_thr``.

    ``surrogates``: a :class:`snnlib.surrogate.Surrogate`, a name, or a list of them (default: all
    of :data:`snnlib.surrogate.REGISTRY` but ``none``). ``axes``: two axes, or ``None`` for a new
    figure. Returns the two axes.
    """
    import matplotlib.pyplot as plt

    surs = _surrogate_list(surrogates)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    u = torch.linspace(float(u_range[0]), float(u_range[1]), n)
    ax_f, ax_d = axes
    ax_f.plot(to_numpy(u), to_numpy((u > 0).float()), color=SPIKE_COLOR, lw=2.5, label="Heaviside $H(u)$")
    ax_d.axvline(0, color=SPIKE_COLOR, lw=2.5, label=r"$H'(u)$: 0, and $\infty$ at 0")
    ax_d.axhline(0, color=SPIKE_COLOR, lw=2.5)
    for sur in surs:
        ax_f.plot(to_numpy(u), to_numpy(sur.smooth(u)), lw=1.5, label=repr(sur))
        ax_d.plot(to_numpy(u), to_numpy(sur.derivative(u)), lw=1.5, label=repr(sur))
    ax_f.set(xlabel=r"$u = U - U_{thr}$", ylabel=r"$S$ and smooth $\tilde S(u)$", title="forward: step; smooth stand-in")
    ax_d.set(xlabel=r"$u = U - U_{thr}$", ylabel=r"$\partial \tilde S / \partial u$", title="backward: surrogate derivative")
    ax_f.set_ylim(-0.15, 1.25)
    top = max(float(sur.derivative(u).max()) for sur in surs) if surs else 1.0
    ax_d.set_ylim(-0.05 * top, 1.15 * top)
    ax_d.legend(fontsize=8, loc="upper right")
    ax_f.legend(fontsize=8, loc="upper left")
    return axes


def plot_gradient_flow(flows, ax=None, what: str = "grad_mem"):
    """Gradient magnitude reaching each time step, one line per surrogate (log scale).

    ``flows``: ``{label: result}`` from :func:`snnlib.learning.gradient_flow`; ``what`` is
    ``"grad_mem"`` (``|dL/dU[t]|`` summed over neurons, ``[T]``). Exactly-zero gradients (no
    surrogate) are drawn as a flat line at the bottom, labelled "0".
    """
    ax = new_ax(ax, (7, 3))
    floor = None
    for label, flow in flows.items():
        g = to_numpy(getattr(flow, what)).reshape(getattr(flow, what).shape[0], -1)
        mag = np.abs(g).sum(1)
        if not np.any(mag > 0):
            floor = label
            continue
        ax.semilogy(np.arange(len(mag)), np.where(mag > 0, mag, np.nan), lw=1.5, label=label)
    if floor is not None:
        lo = ax.get_ylim()[0] if ax.lines else 1e-6
        ax.axhline(lo, color=SPIKE_COLOR, ls="--", lw=1.5, label=f"{floor}: exactly 0")
    ax.set(xlabel="time step $t$", ylabel=r"$\sum_i |\partial L / \partial U_i[t]|$", title="gradient reaching each step")
    ax.legend(fontsize=8)
    return ax


def plot_unrolled_graph(T: int = 3, ax=None):
    """Draw the computational graph of one LIF neuron unrolled over ``T`` steps (``T`` in 2..5).

    Nodes: inputs ``X[t]``, currents ``I[t] = W X[t]``, membranes ``U[t]`` and spikes ``S[t]``;
    edges: the shared weight ``W``, the decay ``beta`` (``U[t] -> U[t+1]``, the implicit
    recurrence), the threshold non-linearity, and the reset ``S[t] -> U[t+1]`` of weight
    ``-U_thr`` (dashed: detached from the gradient). Loss terms ``L[t]`` sit on top.
    """
    from matplotlib.patches import Circle

    if not 2 <= T <= 5:
        raise ValueError(f"T must be between 2 and 5 steps to draw, got {T}")
    dx, r = 2.0, 0.3
    ax = new_ax(ax, (1.05 * (dx * T + 2.75), 5.1))
    rows = {"X": 0.0, "I": 1.0, "U": 2.0, "S": 3.0, "L": 4.0}
    colors = {"X": "#dddddd", "I": "#c6dbef", "U": "#9ecae1", "S": "#fdd0a2", "L": "#e5f5e0"}

    def node(kind, t):
        return np.array([t * dx, rows[kind]])

    def arrow(a, b, text="", color="k", ls="-", text_at=0.5, text_offset=(0, 0), fs=10):
        a, b = np.asarray(a, float), np.asarray(b, float)
        d = (b - a) / np.linalg.norm(b - a)
        ax.annotate("", xy=b - d * r, xytext=a + d * r, zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.4, ls=ls, shrinkA=0, shrinkB=0, mutation_scale=14))
        if text:
            m = a + text_at * (b - a) + np.asarray(text_offset)
            ax.text(m[0], m[1], text, fontsize=fs, color=color, ha="center", va="center", zorder=5,
                    bbox=dict(fc="white", ec="none", pad=0.3))

    for t in range(1, T + 1):
        for kind in rows:
            x, y = node(kind, t)
            ax.add_patch(Circle((x, y), r, fc=colors[kind], ec="k", zorder=3))
            ax.text(x, y, f"${kind}[{t}]$", ha="center", va="center", fontsize=10, zorder=4)
        arrow(node("X", t), node("I", t), "$W$", color=EXC_COLOR, text_offset=(0.28, 0))
        arrow(node("I", t), node("U", t), "$+1$", text_offset=(0.28, 0))
        arrow(node("U", t), node("S", t), "$H$", text_offset=(0.25, 0))
        arrow(node("S", t), node("L", t))
        if t < T:
            arrow(node("U", t), node("U", t + 1), r"$\beta$", color="#2ca02c", text_at=0.3, text_offset=(0, -0.22))
            arrow(node("S", t), node("U", t + 1), r"$-U_{thr}$", color=INH_COLOR, ls="--", text_at=0.62,
                  text_offset=(0.05, 0.2), fs=9)
    arrow(node("U", 1) - np.array([1.3, 0]), node("U", 1), r"$\beta$", color="#2ca02c", text_at=0.4, text_offset=(0, -0.22))
    ax.text(node("U", 1)[0] - 1.45, rows["U"], "$U[0]$", ha="right", va="center", fontsize=10)
    right = node("X", T)[0] + 0.55
    ax.text(right, rows["L"], r"$L = \sum_t L[t]$", fontsize=11, va="center")
    ax.text(right, rows["S"], "$S[t] = H(U[t] - U_{thr})$", fontsize=9, va="center")
    ax.text(right, rows["U"] + 0.5, "dashed: reset,\ndetached from\nthe gradient", fontsize=9, va="center", color=INH_COLOR)
    ax.text(right, rows["X"], "the same $W$\nat every step", fontsize=9, va="center", color=EXC_COLOR)
    ax.set_xlim(node("X", 1)[0] - 2.3, right + 1.9)
    ax.set_ylim(-0.45, 4.45)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_spike_targets(result, ax=None):
    """A :class:`snnlib.learning.SpikeTimeResult`: target times, output spikes before and after
    training, and the trained membrane potential. Returns the ``ax``."""
    ax = new_ax(ax, (8, 3))
    t = np.arange(result.target.shape[0])
    ax.plot(t, to_numpy(result.mem), color=EXC_COLOR, lw=1.2, label="membrane after training")
    ax.axhline(1.0, color=THRESHOLD_COLOR, ls="--", lw=1, label="threshold")
    for tt in result.target_times:
        ax.axvline(tt, color="#2ca02c", alpha=0.35, lw=6)
    ax.plot([], [], color="#2ca02c", alpha=0.35, lw=6, label="target times")
    before, after = to_numpy(result.spk_start), to_numpy(result.spk)
    ax.plot(t[before > 0], np.full((before > 0).sum(), 1.6), "|", color=THRESHOLD_COLOR, ms=14, mew=2, label="spikes before")
    ax.plot(t[after > 0], np.full((after > 0).sum(), 1.9), "|", color=SPIKE_COLOR, ms=14, mew=2, label="spikes after")
    ax.set(xlabel="time step", ylabel="$U$", title="one neuron trained to fire at target times")
    ax.set_ylim(top=2.1)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_loss_curves(curves, ax=None, ylabel: str = "loss", log: bool = False):
    """Curves ``{label: sequence}`` against the epoch / step index, on one ``ax``."""
    ax = new_ax(ax, (6, 3))
    for label, ys in curves.items():
        ys = to_numpy(torch.as_tensor(ys))
        ax.plot(np.arange(1, len(ys) + 1), ys, lw=1.5, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=ylabel)
    if len(curves) > 1:
        ax.legend(fontsize=8)
    return ax


def plot_decision_regions(model, x, y, ax=None, n: int = 120):
    """A 2-D classifier's decision regions (``model(points [B, 2]) -> (spk, mem) [T, B, C]``) with the data."""
    from . import learning as _learning

    ax = new_ax(ax, (4, 4))
    xn, yn = to_numpy(x), to_numpy(y)
    lo, hi = xn.min(0) - 0.3, xn.max(0) + 0.3
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.get_default_dtype())
    with torch.no_grad():
        spk, mem = model(grid)
        pred = to_numpy(_learning.predict_class(spk, mem)).reshape(gx.shape)
    ax.contourf(gx, gy, pred, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fdd0a2"], alpha=0.8)
    ax.scatter(xn[yn == 0, 0], xn[yn == 0, 1], s=8, color=EXC_COLOR, label="class 0")
    ax.scatter(xn[yn == 1, 0], xn[yn == 1, 1], s=8, color="#ff7f0e", label="class 1")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="decision regions")
    ax.legend(fontsize=7, loc="lower right")
    return ax




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
