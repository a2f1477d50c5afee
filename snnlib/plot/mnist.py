"""MNIST on the GPU (:mod:`snnlib.models`, :mod:`snnlib.train`): training curves, throughput, output spikes,
the energy per layer."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks
from .base import check_axes, mapping, maybe, new_ax, optional_text, record, spike_record, to_numpy
from .palette import ACCENT_COLOR, CURRENT_COLOR, EXC_COLOR, RAW_COLOR, SPIKE_COLOR, THRESHOLD_COLOR

__all__ = ["plot_loss_curve", "plot_accuracy_curves", "plot_throughput", "plot_output_spikes", "plot_layer_energy"]

#: The kinds of operation of :func:`snnlib.models.layer_energy`, their labels and colours.
_OPERATIONS = (
    ("macs", "multiply-accumulates", THRESHOLD_COLOR),
    ("acs", "additions (synaptic operations)", CURRENT_COLOR),
    ("membrane_updates", "membrane updates", ACCENT_COLOR),
)


def plot_loss_curve(loss, ax=None, steps_per_epoch: Optional[int] = None, smooth: int = 20, label=None):
    """Training loss per step (``loss``: a sequence of floats ``[S]``), with a running mean over ``smooth`` steps.

    With ``steps_per_epoch`` the x axis is in epochs. Returns the ``ax``.
    """
    y = np.asarray(record(loss, "loss", "[S]", ndim=1), dtype=float)
    maybe(_checks.integer, steps_per_epoch, "steps_per_epoch", 1)
    _checks.integer(smooth, "smooth", 1)
    optional_text(label, "label")
    ax = new_ax(ax)
    x = np.arange(1, len(y) + 1, dtype=float)
    if steps_per_epoch:
        x = x / steps_per_epoch
    ax.plot(x, y, color=RAW_COLOR, lw=0.8)
    if len(y) >= smooth > 1:
        k = np.ones(smooth) / smooth
        ax.plot(
            x[smooth - 1 :],
            np.convolve(y, k, mode="valid"),
            color=EXC_COLOR,
            lw=1.8,
            label=label or f"running mean ({smooth} steps)",
        )
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel("epoch" if steps_per_epoch else "training step")
    ax.set_ylabel("loss (sum over steps of CE)")
    ax.set_yscale("log")
    return ax


def plot_accuracy_curves(runs, ax=None):
    """Test accuracy after each epoch, one line per run: ``runs`` is ``{label: [acc_epoch1, ...]}`` (in [0, 1])."""
    mapping(runs, "runs", "label -> accuracies [E] (in [0, 1])")
    for label, accs in runs.items():
        a = record(accs, f"runs[{label!r}]", "[E]", ndim=1)
        if a.min() < 0 or a.max() > 1:
            raise ValueError(f"runs[{label!r}] must hold accuracies in [0, 1], got range {a.min()}..{a.max()}")
    ax = new_ax(ax)
    for label, accs in runs.items():
        accs = 100 * np.asarray(accs, dtype=float)
        ax.plot(np.arange(1, len(accs) + 1), accs, marker="o", label=str(label))
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_throughput(results, ax=None, key: str = "train_samples_per_s"):
    """Horizontal bars of samples/s per implementation; ``results`` is ``{name: {key: value, ...}}``."""
    mapping(results, "results", "name -> {key: value}")
    if not results:
        raise ValueError("results must name at least one implementation, got an empty mapping")
    for name, row in results.items():
        mapping(row, f"results[{name!r}]", "key -> value")
        _checks.choice(key, "key", tuple(row))
        _checks.real(row[key], f"results[{name!r}][{key!r}]", 0.0)
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


def plot_output_spikes(spk_rec, sample: int = 0, ax=None):
    """Raster of the output layer's spikes for one sample (``spk_rec`` ``[T, B, C]``), classes on the y axis,
    with each class's spike count on the right."""
    spikes = spike_record(spk_rec, "spk_rec", "[T, B, C]", ndim=3)
    _checks.integer(sample, "sample", 0, spikes.shape[1] - 1)
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


def plot_layer_energy(scenarios, axes=None):
    """The arithmetic energy per image of each layer, one panel per layer, one bar per network.

    ``scenarios``: records of :func:`snnlib.models.energy_scenario` (``{"name", "layers": [{"layer",
    "energy_nj": {"macs", "acs", "membrane_updates"}}]}``), all with the same layers. Each bar is
    stacked by kind of operation (MACs, additions, membrane updates) and labelled with its total in
    nJ; each panel has its own scale (the first layer costs about a hundred times the second).
    ``axes``: one matplotlib Axes per layer (default: a new figure 6.9 inches wide). Returns the axes.
    """
    if isinstance(scenarios, (str, bytes)) or not hasattr(scenarios, "__len__") or not len(scenarios):
        raise TypeError("scenarios must be a non-empty list of energy_scenario records")
    for i, sc in enumerate(scenarios):
        mapping(sc, f"scenarios[{i}]", "an energy_scenario record")
        if "name" not in sc or "layers" not in sc or not sc["layers"]:
            raise ValueError(f"scenarios[{i}] must have a name and layers (see snnlib.models.energy_scenario)")
    layers = [row["layer"] for row in scenarios[0]["layers"]]
    for i, sc in enumerate(scenarios):
        if [row["layer"] for row in sc["layers"]] != layers:
            raise ValueError(f"scenarios[{i}] has layers {[r['layer'] for r in sc['layers']]}, expected {layers}")
    if axes is None:
        import matplotlib.pyplot as plt

        _fig, axes = plt.subplots(1, len(layers), figsize=(6.9, 0.45 * len(scenarios) + 1.4), sharey=True)
        axes = np.atleast_1d(axes)
    check_axes(axes, "axes", len(layers))
    names = [str(sc["name"]) for sc in scenarios]
    y = np.arange(len(names))
    for j, (ax, layer) in enumerate(zip(axes, layers)):
        left = np.zeros(len(names))
        for key, label, colour in _OPERATIONS:
            vals = np.array([float(sc["layers"][j]["energy_nj"][key]) for sc in scenarios])
            ax.barh(y, vals, left=left, color=colour, label=label if j == 0 else None, height=0.6)
            left += vals
        for k, total in enumerate(left):
            ax.text(total, k, f" {total:,.0f}" if total >= 10 else f" {total:.1f}", va="center", fontsize=8)
        ax.set_xlim(0, left.max() * 1.35)
        ax.set_title(layer, fontsize=9)
        ax.set_xlabel("energy per image (nJ)", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels(names, fontsize=8)
    axes[0].invert_yaxis()
    axes[0].figure.legend(loc="lower center", ncol=3, frameon=False, fontsize=8, bbox_to_anchor=(0.5, -0.02))
    axes[0].figure.tight_layout(rect=(0, 0.08, 1, 1))
    return axes
