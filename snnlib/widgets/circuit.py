"""The neural-circuits chapter's explorer: motif, inhibition strength, delay, input level."""

from __future__ import annotations

from typing import Any, Dict

import numpy as np

from ..plot.circuits import MOTIF_NAMES
from ..plot.palette import KIND_COLORS, SPIKE_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .frames import cached, pack_frames, sparse_spikes

__all__ = ["CIRCUIT_STEPS", "circuit_explorer"]

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
    pops = d["populations"]
    sizes = [d["spikes"][p].shape[1] for p in pops]
    colors = [KIND_COLORS.get(d["kinds"][p], SPIKE_COLOR) for p in pops]
    gs = fig.add_gridspec(len(pops), 2, width_ratios=[3.4, 1], height_ratios=[max(s, 4) for s in sizes])
    for i, p in enumerate(pops):
        ax = fig.add_subplot(gs[i, 0])
        t, n = np.nonzero(d["spikes"][p])
        ax.scatter(t, n, s=4, marker="|", c=colors[i])
        ax.set_xlim(0, d["num_steps"])
        ax.set_ylim(sizes[i] - 0.5, -0.5)
        ax.set_ylabel(p)
        if i < len(pops) - 1:
            ax.set_xticklabels([])
    ax.set_xlabel("time step")
    axr = fig.add_subplot(gs[:, 1])
    axr.barh(range(len(pops)), [d["rates"][p] for p in pops], color=colors)
    axr.set_yticks(range(len(pops)), pops)
    axr.invert_yaxis()
    axr.set_xlabel("rate (spikes/step)")
    fig.suptitle(MOTIF_NAMES.get(d["motif"], d["motif"]), fontsize=11)
    fig.tight_layout()


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
    controls = [
        Dropdown("motif", "motif", motifs, motifs[0], labels=[labels[m] for m in motifs]),
        Slider("inhibition", "inhibition strength", 0.0, 2.0, 0.5, 1.0),
        Slider("delay", "synaptic delay (steps)", 1, 5, 2, 1, integer=True),
        Slider("input_level", "input level (spike probability per step)", 0.1, 0.5, 0.2, 0.3),
    ]
    ex = Explorer(
        name="circuit",
        title="Neural circuit explorer",
        controls=controls,
        compute=_circuit_compute,
        plot=_circuit_plot,
        figsize=(10.0, 5.5),
        view="circuit",
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
