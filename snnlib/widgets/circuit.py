"""The neural-circuits chapter's explorer: motif, inhibition strength, delay, input level."""

from __future__ import annotations

from typing import Any, Dict

import numpy as np

from ..plot.circuits import MOTIF_NAMES
from ..plot.palette import KIND_COLORS, SPIKE_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .frames import cached, pack_frames, sparse_spikes
from .runtime import js_fmt, js_round

__all__ = ["CIRCUIT_STEPS", "CIRCUIT_INACTIVE", "circuit_explorer"]

#: The length of every run the explorer shows.
CIRCUIT_STEPS = 200


def _numpy(x) -> np.ndarray:
    return np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x)


def _circuit_compute(motif, inhibition, delay, input_level) -> Dict[str, Any]:
    from .. import circuits

    run = circuits.run_motif(motif, float(inhibition), int(delay), float(input_level), num_steps=CIRCUIT_STEPS, seed=0)
    return {
        "motif": motif,
        "populations": list(run.populations),
        "kinds": dict(run.kinds),
        "spikes": {k: _numpy(v) for k, v in run.spikes.items()},
        "rates": {k: float(v) for k, v in run.rates.items()},
        "neuron_rates": {k: _numpy(v) for k, v in run.neuron_rates.items()},
        "summary": {k: float(v) for k, v in run.summary.items()},
        "num_steps": CIRCUIT_STEPS,
    }


def _circuit_pack(d):
    # The input spikes depend only on (motif, input level, seed): shipped once per pair (see circuit_explorer).
    return {
        "populations": d["populations"],
        "kinds": d["kinds"],
        "spikes": {k: sparse_spikes(v) for k, v in d["spikes"].items() if k != "input"},
        "rates": {k: round(v, 6) for k, v in d["rates"].items()},
        "neuron_rates": {k: np.round(v, 4).tolist() for k, v in d["neuron_rates"].items()},
        "summary": {k: (None if not np.isfinite(v) else round(v, 6)) for k, v in d["summary"].items()},
    }


def _circuit_plot(d, fig):
    """A raster per population and their mean rates; returns the updater (in place while the
    populations stay the same, else ``False``: a new motif needs new panels)."""
    from matplotlib.ticker import MaxNLocator

    pops = list(d["populations"])
    sizes = [d["spikes"][p].shape[1] for p in pops]
    colors = [KIND_COLORS.get(d["kinds"][p], SPIKE_COLOR) for p in pops]
    gs = fig.add_gridspec(len(pops), 2, width_ratios=[3.4, 1], height_ratios=[max(s, 4) for s in sizes])
    rasters = []
    for i, p in enumerate(pops):
        ax = fig.add_subplot(gs[i, 0])
        rasters.append(ax.scatter([], [], s=4, marker="|", c=colors[i]))
        ax.set_xlim(0, d["num_steps"])
        ax.set_ylim(sizes[i] - 0.5, -0.5)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.set_ylabel(p)
        if i < len(pops) - 1:
            ax.set_xticklabels([])
    ax.set_xlabel("time step")
    axr = fig.add_subplot(gs[:, 1])
    bars = axr.barh(range(len(pops)), [0.0] * len(pops), color=colors)
    axr.set_yticks(range(len(pops)), pops)
    axr.invert_yaxis()
    axr.set_xlabel("rate (spikes/step)")
    title = fig.suptitle("", fontsize=11)

    def update(d) -> bool:
        if list(d["populations"]) != pops or [d["spikes"][p].shape[1] for p in pops] != sizes:
            return False
        for raster, p in zip(rasters, pops):
            t, n = np.nonzero(d["spikes"][p])
            raster.set_offsets(np.column_stack([t, n]) if t.size else np.zeros((0, 2)))
        rates = [d["rates"][p] for p in pops]
        for bar, r in zip(bars, rates):
            bar.set_width(r)
        axr.set_xlim(0, max(max(rates) * 1.15, 0.05))
        title.set_text(MOTIF_NAMES.get(d["motif"], d["motif"]))
        return True

    update(d)
    fig.tight_layout()
    return update


#: The controls a motif ignores, with the reason (the explorer disables them; the tests check that
#: every other control changes the motif's run and that these change nothing).
CIRCUIT_INACTIVE: Dict[str, Dict[str, str]] = {"feedforward_excitation": {"inhibition": "no inhibition in this motif"}}


def _circuit_inactive(v) -> Dict[str, str]:
    return dict(CIRCUIT_INACTIVE.get(v["motif"], {}))


def _circuit_readout(d, v) -> str:
    """The motif's headline measures (``run_motif``'s summary), three decimals."""
    parts = []
    for k, x in d["summary"].items():
        shown = "n/a" if x is None or not np.isfinite(x) else js_fmt(js_round(x, 3))
        parts.append(f"{k.replace('_', ' ')} = {shown}")
    return "; ".join(parts)


def circuit_explorer() -> Explorer:
    """The neural-circuits chapter's explorer: motif, inhibition strength, delay, input level.

    Its motifs are :data:`snnlib.circuits.MOTIFS`, named by :data:`snnlib.plot.MOTIF_NAMES`; its data
    come from :func:`snnlib.circuits.run_motif` (seeded Poisson input). In the book it ships snnlib's
    results for every grid point (4 motifs x 5 strengths x 3 delays x 3 input levels), precomputed,
    so the page draws exactly the library's rasters and rates with no kernel.
    """
    from .. import circuits

    motifs = list(circuits.MOTIFS)
    unnamed = [m for m in motifs if m not in MOTIF_NAMES]
    if unnamed:
        raise ValueError(f"snnlib.circuits.MOTIFS has motifs without a name in snnlib.plot.MOTIF_NAMES: {unnamed}")
    labels = {m: MOTIF_NAMES[m] for m in motifs}
    # It opens on the first motif in which every control does something.
    first = next((m for m in motifs if not CIRCUIT_INACTIVE.get(m)), motifs[0])
    controls = [
        Dropdown(
            "motif",
            "motif",
            motifs,
            first,
            labels=[labels[m] for m in motifs],
            description="the circuit: who excites and who inhibits whom",
        ),
        Slider("inhibition", "inhibition strength", 0.0, 2.0, 0.5, 1.0, description="the scale of every inhibitory weight"),
        Slider(
            "delay",
            "synaptic delay (steps)",
            1,
            5,
            2,
            3,  # feed-forward inhibition then lets the output fire for a few steps after the onset
            integer=True,
            description="the delay of the motif's key connection (the inhibitory path, the loop or the lateral links)",
        ),
        Slider(
            "input_level",
            "input level (spike probability per step)",
            0.1,
            0.5,
            0.2,
            0.3,
            description="each input neuron's chance of a spike per step",
        ),
    ]
    ex = Explorer(
        name="circuit",
        title="Neural circuit explorer",
        controls=controls,
        compute=_circuit_compute,
        plot=_circuit_plot,
        figsize=(6.9, 4.4),
        view="circuit",
        readout=_circuit_readout,
        inactive=_circuit_inactive,
        description="Pick a motif and turn the inhibition up or down: the rasters show every population's "
        "spikes, the bars their mean rates.",
    )

    def static():
        inputs = {}
        levels = next(c for c in controls if c.name == "input_level")
        n_levels = round((levels.max - levels.min) / levels.step) + 1
        for mi, m in enumerate(motifs):
            for li in range(n_levels):
                lvl = round(levels.min + li * levels.step, 10)
                d = ex.update(motif=m, input_level=lvl)
                inputs[f"{mi}|{li}"] = sparse_spikes(d["spikes"]["input"])
        return pack_frames(ex, _circuit_pack, {"inputs": inputs, "labels": labels})

    ex.static_data = cached(static)
    return ex
