"""Surrogate-gradient learning (:mod:`snnlib.surrogate`): surrogates, gradient flow, the unrolled graph,
trained spike times, loss curves and decision regions."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from .. import _checks
from .base import check_axes, mapping, new_ax, record, to_numpy
from .palette import (
    ACCENT_COLOR,
    CURRENT_COLOR,
    DECAY_COLOR,
    EXC_COLOR,
    GRAPH_NODE_COLORS,
    INH_COLOR,
    INK_COLOR,
    PAPER_COLOR,
    REGION_COLORS,
    SPIKE_COLOR,
    THRESHOLD_COLOR,
)

__all__ = [
    "plot_surrogate",
    "plot_gradient_flow",
    "plot_unrolled_graph",
    "plot_spike_targets",
    "plot_loss_curves",
    "plot_decision_regions",
    "plot_seed_study",
]


def _surrogate_list(surrogates):
    from .. import surrogate as _s

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
    figure 6.9 in wide with one legend under both panels. Returns the two axes.
    """
    import matplotlib.pyplot as plt

    surs = _surrogate_list(surrogates)
    if not isinstance(u_range, (tuple, list)) or len(u_range) != 2:
        raise TypeError(f"u_range must be a pair (low, high), got {_checks.describe(u_range)}")
    low = _checks.real(u_range[0], "u_range[0]")
    _checks.real(u_range[1], "u_range[1]", low, min_open=True)
    _checks.integer(n, "n", 2)
    legend_ax = None
    if axes is None:  # a figure for the column: the two panels, and one legend under both
        rows = 1 + (len(surs) + 1 + 2) // 3
        fig = plt.figure(figsize=(6.9, 2.7 + 0.2 * rows))
        grid = fig.add_gridspec(2, 2, height_ratios=[2.7, 0.2 * rows + 0.1])
        axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])]
        legend_ax = fig.add_subplot(grid[1, :])
        legend_ax.axis("off")
    check_axes(axes, "axes", 2)
    u = torch.linspace(float(u_range[0]), float(u_range[1]), n)
    ax_f, ax_d = axes
    ax_f.plot(to_numpy(u), to_numpy((u > 0).float()), color=SPIKE_COLOR, lw=2.5, label=r"$H(u)$; $H'(u) = 0$ ($\infty$ at 0)")
    ax_d.axvline(0, color=SPIKE_COLOR, lw=2.5)
    ax_d.axhline(0, color=SPIKE_COLOR, lw=2.5)
    for sur in surs:
        ax_f.plot(to_numpy(u), to_numpy(sur.smooth(u)), lw=1.5, label=repr(sur))
        ax_d.plot(to_numpy(u), to_numpy(sur.derivative(u)), lw=1.5)
    ax_f.set(xlabel=r"$u = U - U_{thr}$", ylabel=r"$S$ and smooth $\tilde S(u)$")
    ax_d.set(xlabel=r"$u = U - U_{thr}$", ylabel=r"$\partial \tilde S / \partial u$")
    ax_f.set_title("forward: step; smooth stand-in", fontsize=10)
    ax_d.set_title("backward: surrogate derivative", fontsize=10)
    ax_f.set_ylim(-0.15, 1.25)
    top = max(float(sur.derivative(u).max()) for sur in surs) if surs else 1.0
    ax_d.set_ylim(-0.05 * top, 1.15 * top)
    # one legend for both panels (same colours): under them, or in the left panel for given axes
    if legend_ax is not None:
        handles, labels = ax_f.get_legend_handles_labels()
        legend_ax.legend(handles, labels, fontsize=8, loc="center", ncol=3, frameon=False)
    else:
        ax_f.legend(fontsize=8, loc="upper left")
    return axes


def plot_gradient_flow(flows, ax=None, what: str = "grad_mem"):
    """Gradient magnitude reaching each time step, one line per surrogate (log scale).

    ``flows``: ``{label: result}`` from :func:`snnlib.learning.gradient_flow`; ``what`` is
    ``"grad_mem"`` (``|dL/dU[t]|`` summed over neurons, ``[T]``). Exactly-zero gradients (no
    surrogate) are drawn as a flat line at the bottom, labelled "0".
    """
    mapping(flows, "flows", "label -> gradient_flow(...) result")
    for label, flow in flows.items():
        if not dataclasses.is_dataclass(flow):
            raise TypeError(f"flows[{label!r}] must be a snnlib.learning.GradientFlowResult, got {_checks.describe(flow)}")
        _checks.choice(what, "what", tuple(f.name for f in dataclasses.fields(flow)))
        record(getattr(flow, what), f"flows[{label!r}].{what}", "[T, ...]")
    ax = new_ax(ax, (6.9, 3))
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

    _checks.integer(T, "T", 2, 5)
    dx, r = 2.0, 0.3
    width = dx * T + 4.2  # data units, from the U[0] label to the notes on the right
    ax = new_ax(ax, (6.9, min(6.9 * 4.9 / width, 4.5)))
    rows = {"X": 0.0, "I": 1.0, "U": 2.0, "S": 3.0, "L": 4.0}

    def node(kind, t):
        return np.array([t * dx, rows[kind]])

    def arrow(a, b, text="", color=INK_COLOR, ls="-", text_at=0.5, text_offset=(0, 0), fs=10):
        a, b = np.asarray(a, float), np.asarray(b, float)
        d = (b - a) / np.linalg.norm(b - a)
        ax.annotate(
            "",
            xy=b - d * r,
            xytext=a + d * r,
            zorder=2,
            arrowprops=dict(arrowstyle="-|>", color=color, lw=1.4, ls=ls, shrinkA=0, shrinkB=0, mutation_scale=14),
        )
        if text:
            m = a + text_at * (b - a) + np.asarray(text_offset)
            ax.text(
                m[0],
                m[1],
                text,
                fontsize=fs,
                color=color,
                ha="center",
                va="center",
                zorder=5,
                bbox=dict(fc=PAPER_COLOR, ec="none", pad=0.3),
            )

    for t in range(1, T + 1):
        for kind in rows:
            x, y = node(kind, t)
            ax.add_patch(Circle((x, y), r, fc=GRAPH_NODE_COLORS[kind], ec=INK_COLOR, zorder=3))
            ax.text(x, y, f"${kind}[{t}]$", ha="center", va="center", fontsize=10, zorder=4)
        arrow(node("X", t), node("I", t), "$W$", color=EXC_COLOR, text_offset=(0.28, 0))
        arrow(node("I", t), node("U", t), "$+1$", text_offset=(0.28, 0))
        arrow(node("U", t), node("S", t), "$H$", text_offset=(0.25, 0))
        arrow(node("S", t), node("L", t))
        if t < T:
            arrow(node("U", t), node("U", t + 1), r"$\beta$", color=DECAY_COLOR, text_at=0.3, text_offset=(0, -0.22))
            arrow(
                node("S", t),
                node("U", t + 1),
                r"$-U_{thr}$",
                color=INH_COLOR,
                ls="--",
                text_at=0.62,
                text_offset=(0.05, 0.2),
                fs=9,
            )
    arrow(node("U", 1) - np.array([1.3, 0]), node("U", 1), r"$\beta$", color=DECAY_COLOR, text_at=0.4, text_offset=(0, -0.22))
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
    training, and the trained membrane potential (records ``[T]``). Returns the ``ax``."""
    missing = [a for a in ("target", "target_times", "mem", "spk", "spk_start") if not hasattr(result, a)]
    if missing:
        raise TypeError(
            f"result must be a snnlib.learning.SpikeTimeResult (with {', '.join(missing)}), got {_checks.describe(result)}"
        )
    ax = new_ax(ax, (6.9, 3))
    t = np.arange(result.target.shape[0])
    ax.plot(t, to_numpy(result.mem), color=EXC_COLOR, lw=1.2, label="membrane after training")
    ax.axhline(1.0, color=THRESHOLD_COLOR, ls="--", lw=1, label="threshold")
    for tt in result.target_times:
        ax.axvline(tt, color=CURRENT_COLOR, alpha=0.35, lw=6)
    ax.plot([], [], color=CURRENT_COLOR, alpha=0.35, lw=6, label="target times")
    before, after = to_numpy(result.spk_start), to_numpy(result.spk)
    ax.plot(t[before > 0], np.full((before > 0).sum(), 1.6), "|", color=THRESHOLD_COLOR, ms=14, mew=2, label="spikes before")
    ax.plot(t[after > 0], np.full((after > 0).sum(), 1.9), "|", color=SPIKE_COLOR, ms=14, mew=2, label="spikes after")
    ax.set(xlabel="time step", ylabel="$U$", title="one neuron trained to fire at target times")
    ax.set_ylim(top=2.1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_loss_curves(curves, ax=None, ylabel: str = "loss", log: bool = False):
    """Curves ``{label: sequence [E]}`` against the epoch / step index, on one ``ax``."""
    mapping(curves, "curves", "label -> sequence of values [E]")
    for label, ys in curves.items():
        record(ys, f"curves[{label!r}]", "[E]", ndim=1)
    _checks.boolean(log, "log")
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
    """A 2-D classifier's decision regions (``model(points [B, 2]) -> (spk, mem) [T, B, C]``) with the data
    ``x [B, 2]`` and its labels ``y [B]`` (0 or 1), on an ``n`` x ``n`` grid."""
    from .. import learning as _learning

    if not callable(model):
        raise TypeError(f"model must be callable (points [B, 2] -> (spk, mem) [T, B, C]), got {_checks.describe(model)}")
    xn = record(x, "x", "[B, 2]", ndim=2)
    yn = record(y, "y", "[B]", ndim=1)
    if xn.shape[1] != 2 or len(yn) != len(xn):
        raise ValueError(f"x must be [B, 2] and y [B] for the same B, got shapes {xn.shape} and {yn.shape}")
    _checks.integer(n, "n", 2)
    ax = new_ax(ax, (3.4, 3.4))
    lo, hi = xn.min(0) - 0.3, xn.max(0) + 0.3
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.get_default_dtype())
    with torch.no_grad():
        spk, mem = model(grid)
        pred = to_numpy(_learning.predict_class(spk, mem)).reshape(gx.shape)
    ax.contourf(gx, gy, pred, levels=[-0.5, 0.5, 1.5], colors=list(REGION_COLORS), alpha=0.8)
    ax.scatter(xn[yn == 0, 0], xn[yn == 0, 1], s=8, color=EXC_COLOR, label="class 0")
    ax.scatter(xn[yn == 1, 0], xn[yn == 1, 1], s=8, color=ACCENT_COLOR, label="class 1")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="decision regions")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_seed_study(study, ax=None):
    """A :class:`snnlib.learning.SeedStudy`: each surrogate's final accuracy, one dot per seed.

    One row per surrogate (``study.labels``); dots are seeds (hollow when an output neuron ended
    silent), the bar is the mean, the dashed line ``study.target``. Returns the ``ax``.
    """
    missing = [a for a in ("labels", "seeds", "accuracy", "dead", "target") if not hasattr(study, a)]
    if missing:
        raise TypeError(f"study must be a snnlib.learning.SeedStudy (with {', '.join(missing)}), got {_checks.describe(study)}")
    labels = list(study.labels)
    ax = new_ax(ax, (6.9, 0.34 * len(labels) + 1.0))
    final = to_numpy(study.accuracy[:, :, -1])  # [S, R]
    dead = to_numpy(study.dead) > 0
    jitter = np.linspace(-0.18, 0.18, final.shape[1]) if final.shape[1] > 1 else np.zeros(1)
    for i in range(len(labels)):
        rows = i + jitter
        ax.scatter(final[i][~dead[i]], rows[~dead[i]], s=18, color=EXC_COLOR, zorder=3)
        ax.scatter(final[i][dead[i]], rows[dead[i]], s=18, facecolors="none", edgecolors=INH_COLOR, zorder=3)
        ax.plot([final[i].mean()] * 2, [i - 0.3, i + 0.3], color=INK_COLOR, lw=2)
    ax.scatter([], [], s=18, color=EXC_COLOR, label="one seed")
    ax.scatter([], [], s=18, facecolors="none", edgecolors=INH_COLOR, label="one seed, an output neuron silent")
    ax.plot([], [], color=INK_COLOR, lw=2, label="mean over seeds")
    ax.axvline(study.target, color=THRESHOLD_COLOR, ls="--", lw=1)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=9)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0.0, 1.02)
    ax.set_xlabel(f"final training accuracy ({len(study.seeds)} seeds; dashed: {study.target:.0%})")
    ax.legend(fontsize=8, loc="lower left")
    return ax
