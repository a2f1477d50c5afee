"""Neural circuits (:mod:`snnlib.circuits`): circuit diagrams and the stacked rasters of populations."""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np

from .. import _checks
from ..circuits import MOTIFS
from .base import mapping, new_ax, optional_text, time_record
from .palette import EXC_COLOR, INH_COLOR, INPUT_COLOR, KIND_COLORS, PAPER_COLOR, SEPARATOR_COLOR

__all__ = ["MOTIF_NAMES", "circuit_diagram", "population_raster", "INPUT_COLOR"]

#: Every motif :func:`circuit_diagram` draws, with its name: the labels of :data:`snnlib.circuits.MOTIFS`
#: and winner-take-all (lateral inhibition with global connectivity). The diagram's title is the name
#: capitalised; the circuit explorer labels its motifs with these names.
MOTIF_NAMES: Dict[str, str] = {**{name: m.label for name, m in MOTIFS.items()}, "winner_take_all": "winner-take-all"}


def _neuron(ax, xy, kind: str = "excitatory", label: str = "", size: float = 0.38):
    """Draw one neuron (or population): excitatory a blue triangle, inhibitory a red circle, input a grey square."""
    from matplotlib import patches

    x, y = xy
    color = KIND_COLORS[kind]
    if kind == "excitatory":
        shape = patches.RegularPolygon((x, y), 3, radius=size * 1.25, orientation=0, color=color, zorder=3)
    elif kind == "inhibitory":
        shape = patches.Circle((x, y), size, color=color, zorder=3)
    else:
        shape = patches.FancyBboxPatch(
            (x - size * 0.7, y - size * 0.7), size * 1.4, size * 1.4, boxstyle="round,pad=0.02", color=color, zorder=3
        )
    ax.add_patch(shape)
    if label:
        ax.text(x, y, label, ha="center", va="center", color=PAPER_COLOR, fontsize=9, fontweight="bold", zorder=4)


def _connect(ax, a, b, kind: str = "excitatory", rad: float = 0.0, shrink: float = 16, label: str = "", lw: float = 1.8):
    """A connection from ``a`` to ``b``: excitatory a blue arrow, inhibitory a red line ending in a flat bar and dot."""
    from matplotlib.patches import ArrowStyle, FancyArrowPatch

    inhibitory = kind == "inhibitory"
    color = KIND_COLORS[kind]
    style = ArrowStyle("-[", widthB=0.9, lengthB=0.0) if inhibitory else ArrowStyle("-|>", head_length=0.5, head_width=0.3)
    arrow = FancyArrowPatch(
        a,
        b,
        arrowstyle=style,
        connectionstyle=f"arc3,rad={rad}",
        color=color,
        lw=lw,
        shrinkA=shrink,
        shrinkB=shrink,
        mutation_scale=14,
        zorder=2,
    )
    ax.add_patch(arrow)
    if label:
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        # offset the label to the outside of the arc
        dx, dy = b[0] - a[0], b[1] - a[1]
        ax.text(mx - rad * dy * 0.6, my + rad * dx * 0.6 + 0.25, label, ha="center", va="bottom", fontsize=8, color=color)


def _diagram_legend(ax):
    from matplotlib.lines import Line2D

    handles = [
        Line2D([0], [0], marker="^", color=PAPER_COLOR, markerfacecolor=EXC_COLOR, markersize=11, label="excitatory neuron"),
        Line2D([0], [0], marker="o", color=PAPER_COLOR, markerfacecolor=INH_COLOR, markersize=10, label="inhibitory neuron"),
        Line2D([0], [0], marker="s", color=PAPER_COLOR, markerfacecolor=INPUT_COLOR, markersize=9, label="input"),
        Line2D([0], [0], color=EXC_COLOR, lw=1.8, marker=">", markevery=[1], label="excitatory synapse (arrow)"),
        Line2D([0], [0], color=INH_COLOR, lw=1.8, marker="|", markersize=10, markevery=[1], label="inhibitory synapse (bar)"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3, fontsize=8, frameon=False)


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
    _checks.choice(motif, "motif", tuple(MOTIF_NAMES))
    _checks.boolean(legend, "legend")
    optional_text(title, "title")
    ax = new_ax(ax, figsize=(5.5, 3.4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6)
    ax.set_aspect("equal")
    ax.axis("off")
    name = MOTIF_NAMES[motif]
    ax.set_title(name[0].upper() + name[1:] if title is None else title, fontsize=11)
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
            ax.text(5.0, 5.0, "each neuron inhibits its neighbours (strength, reach)", ha="center", fontsize=8, color=INH_COLOR)
        else:
            for i in range(5):
                for j in range(5):
                    if i != j:
                        _connect(ax, (xs[i], 2.8), (xs[j], 2.8), "inhibitory", rad=-0.35 - 0.05 * abs(i - j), shrink=11, lw=0.9)
            ax.text(5.0, 5.5, "every neuron inhibits every other", ha="center", fontsize=8, color=INH_COLOR)
    if legend:
        _diagram_legend(ax)
    return ax


def population_raster(
    spikes, kinds=None, ax=None, batch: int = 0, title: Optional[str] = None, order=None, max_neurons: int = 60
):
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
    mapping(records, "spikes", "name -> spike record [T, N] or [T, B, N] (or a circuit result)")
    kinds = dict(mapping(kinds, "kinds", "name -> kind") if kinds is not None else {})
    for name, kind in kinds.items():
        _checks.choice(kind, f"kinds[{name!r}]", tuple(KIND_COLORS))
    _checks.integer(batch, "batch", 0)
    optional_text(title, "title")
    _checks.integer(max_neurons, "max_neurons", 1)
    names = list(order or records)
    for name in names:
        _checks.choice(name, "order", tuple(records))
    ax = new_ax(ax, figsize=(6.9, 0.5 + 0.9 * len(names)))
    y0, ticks, labels = 0, [], []
    T = 0
    for name in reversed(names):
        s = time_record(records[name], f"spikes[{name!r}]", "[T, N] or [T, B, N]", ndim=(2, 3))
        if s.ndim == 3:
            if batch >= s.shape[1]:
                raise ValueError(f"batch must be < {s.shape[1]}, the batch size of spikes[{name!r}] [T, B, N], got {batch}")
            s = s[:, batch]
        s = s[:, :max_neurons]
        T = max(T, s.shape[0])
        t_idx, n_idx = np.nonzero(s)
        color = KIND_COLORS[kinds.get(name, "excitatory")]
        ax.scatter(t_idx, n_idx + y0, s=4, marker="|", color=color, linewidths=1.0)
        ticks.append(y0 + s.shape[1] / 2)
        labels.append(name)
        y0 += s.shape[1] + 1
        ax.axhline(y0 - 0.5, color=SEPARATOR_COLOR, lw=0.6)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels)
    ax.set_ylim(-1, y0)
    ax.set_xlim(0, max(T, 1))
    ax.set_xlabel("time step")
    if title:
        ax.set_title(title)
    return ax
