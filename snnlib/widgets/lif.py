"""The LIF chapter's membrane explorer: decay, threshold, input, reset, refractory period, length."""

from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from .. import _checks
from ..plot.palette import CURRENT_COLOR, EXC_COLOR, REFRACTORY_COLOR, SPIKE_COLOR, THRESHOLD_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .runtime import extent, js_fmt, js_round, mulberry32

__all__ = ["INPUT_ONSET", "NOISE_SEED", "LIF_INPUTS", "INPUT_LABELS", "RESET_LABELS", "lif_input", "lif_explorer"]

INPUT_ONSET = 10  # the input switches on after this many steps
NOISE_SEED = 1
#: The input currents the explorer offers, with their labels (``lifInput`` in ``snnlib/js/models.js``
#: computes the same currents).
INPUT_LABELS = {"step": "step (on at t = 11)", "pulse": "pulse (step, then off)", "ramp": "ramp", "noisy": "noisy step"}
LIF_INPUTS = tuple(INPUT_LABELS)
#: How the explorer labels each reset of :data:`snnlib.neurons.RESETS`.
RESET_LABELS = {"subtract": "subtract the threshold", "zero": "reset to zero", "none": "no reset"}


def lif_input(shape: str, amplitude: float, num_steps: int) -> np.ndarray:
    """The LIF explorer's input current ``I[1..T]`` as a float64 array ``[T]``.

    ``"step"``: ``amplitude`` from step 11 on (0 before); ``"pulse"``: the same, switched off again
    half-way through the remaining steps; ``"ramp"``: ``amplitude * k / (T - 1)`` for ``k = 0..T-1``;
    ``"noisy"``: ``amplitude * 2u`` (``u`` uniform in [0, 1), seeded, mean ``amplitude``) from step 11 on.
    """
    if shape not in LIF_INPUTS:
        raise ValueError(f"unknown input shape {shape!r}: expected one of {LIF_INPUTS}")
    amp = _checks.real(amplitude, "amplitude")
    T = _checks.integer(num_steps, "num_steps", 1)
    k = np.arange(T)
    if shape == "step":
        cur = np.where(k >= INPUT_ONSET, amp, 0.0)
    elif shape == "pulse":
        stop = INPUT_ONSET + (T - INPUT_ONSET) // 2
        cur = np.where((k >= INPUT_ONSET) & (k < stop), amp, 0.0)
    elif shape == "ramp":
        cur = np.array([amp * i / (T - 1) if T > 1 else 0.0 for i in range(T)])
    else:
        u = mulberry32(NOISE_SEED, T)
        cur = np.where(k >= INPUT_ONSET, amp * (2 * u), 0.0)
    return cur.astype(np.float64)


def _lif_compute(beta, threshold, amplitude, input, reset, refractory, num_steps) -> Dict[str, Any]:
    import torch

    from .. import neurons

    T = int(num_steps)
    cur = lif_input(input, amplitude, T)
    params = neurons.LIFParams(beta=float(beta), threshold=float(threshold), reset=reset, refractory=int(refractory))
    spk, mem = neurons.lif_run(torch.tensor(cur, dtype=torch.float64).reshape(T, 1), params)
    spk = spk[:, 0].detach().numpy()
    mem = mem[:, 0].detach().numpy()
    K = int(refractory)
    blocked = np.zeros(T)
    for j in np.flatnonzero(spk):
        blocked[j + 1 : j + 1 + K] = 1.0
    times = np.flatnonzero(spk) + 1
    return {
        "steps": np.arange(1, T + 1),
        "current": cur,
        "mem": mem,
        "spk": spk,
        "blocked": blocked,
        "spike_times": times,
        "n_spikes": len(times),
        "threshold": float(threshold),
    }


def _blocked_boxes(d) -> list:
    """One rectangle (x from step - 0.5 to step + 0.5, the axes' full height) per refractory step."""
    return [[(t - 0.5, 0.0), (t + 0.5, 0.0), (t + 0.5, 1.0), (t - 0.5, 1.0)] for t in d["steps"][d["blocked"] > 0]]


def _lif_plot(d, fig):
    """Input current, membrane with threshold and refractory steps, output spikes; returns the updater."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    axs = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.6, 0.6]})
    (cur,) = axs[0].step(d["steps"], d["current"], where="mid", color=CURRENT_COLOR)
    axs[0].set_ylabel("input I")
    axs[0].set_title("Input current", loc="left", fontsize=10, y=1.0)
    shade = PolyCollection([], facecolor=REFRACTORY_COLOR, linewidth=0, transform=axs[1].get_xaxis_transform())
    axs[1].add_collection(shade)
    (mem,) = axs[1].plot(d["steps"], d["mem"], color=EXC_COLOR, label="membrane U[t]")
    thr = axs[1].axhline(d["threshold"], color=THRESHOLD_COLOR, ls="--", label="threshold")
    axs[1].set_ylabel("membrane U")
    axs[1].set_title("Membrane potential", loc="left", fontsize=10, y=1.0)
    refractory = Patch(color=REFRACTORY_COLOR, label="refractory steps")
    spikes = axs[2].vlines([], 0.1, 0.9, color=SPIKE_COLOR)
    axs[2].set_yticks([])
    axs[2].set_ylim(0, 1)
    axs[2].set_xlabel("time step t")
    title = axs[2].set_title("", loc="left", fontsize=10, y=1.0)

    def update(d) -> bool:
        T = len(d["steps"])
        cur.set_data(d["steps"], d["current"])
        mem.set_data(d["steps"], d["mem"])
        thr.set_ydata([d["threshold"], d["threshold"]])
        boxes = _blocked_boxes(d)
        shade.set_verts(boxes)
        spikes.set_segments([[(t, 0.1), (t, 0.9)] for t in d["spike_times"]])
        axs[2].set_xlim(0, T + 1)
        axs[0].set_ylim(*extent([d["current"], [0.0]], 0.12))
        axs[1].set_ylim(*extent([d["mem"], [0.0, d["threshold"] * 1.15]], 0.06))
        handles = [mem, thr] + ([refractory] if boxes else [])
        axs[1].legend(handles=handles, loc="upper right", fontsize=8)
        title.set_text(f"Output spikes ({d['n_spikes']})")
        return True

    update(d)
    fig.tight_layout()
    return update


def _lif_notes(v) -> Dict[str, str]:
    """The note beside the decay slider: the membrane time constant (``VIEWS.lif.notes`` in explorer.js)."""
    beta = float(v["beta"])
    tau = "\u221e" if beta >= 1 else js_fmt(js_round(-1 / math.log(beta) * 10) / 10) if beta > 0 else "0"
    return {"beta": f"\u03c4 = {tau} steps"}


def _lif_readout(d, v) -> str:
    """Spike count, first spike, mean interval and the input's steady state (``VIEWS.lif.readout``)."""
    n, T = int(d["n_spikes"]), len(d["steps"])
    times = [int(t) for t in d["spike_times"]]
    text = f"{n} spike{'' if n == 1 else 's'} in {T} steps"
    if times:
        text += f"; first spike at t = {times[0]}"
    if n > 1:
        text += f"; mean interval {js_fmt(js_round((times[-1] - times[0]) / (n - 1), 2))} steps"
    if T - INPUT_ONSET > 0 and v["input"] == "step" and v["beta"] < 1:
        steady = js_round(v["amplitude"] / (1 - v["beta"]), 3)
        text += f"; steady state of the input alone I/(1\u2212\u03b2) = {js_fmt(steady)}"
    return text


def lif_explorer() -> Explorer:
    """The LIF chapter's membrane explorer: decay, threshold, input, reset, refractory period, length.

    Its data (``update(**values)``) comes from :func:`snnlib.neurons.lif_run` (float64) driven by
    :func:`lif_input`; the kernel-free twin runs ``snnlib/js/models.js``'s ``lifRun``, which implements
    the same update (``U[t+1] = beta U[t] + I[t+1] - S[t] U_thr`` and its variants, with an absolute
    refractory period).
    """
    from .. import neurons

    controls = [
        Slider(
            "beta",
            "decay per step \u03b2",
            0.5,
            1.0,
            0.01,
            0.9,
            description="beta = exp(-dt/tau): the fraction of the membrane potential kept each step",
        ),
        Slider(
            "threshold", "threshold U_thr", 0.1, 2.0, 0.05, 1.0, description="the membrane potential at which the neuron spikes"
        ),
        Slider("amplitude", "input amplitude", 0.0, 0.6, 0.01, 0.15, description="the input current I once it is on"),
        Dropdown(
            "input",
            "input current",
            LIF_INPUTS,
            "step",
            labels=[INPUT_LABELS[i] for i in LIF_INPUTS],
            description="the shape of the input current I[t] over time",
        ),
        Dropdown(
            "reset",
            "reset after a spike",
            neurons.RESETS,
            "subtract",
            labels=[RESET_LABELS.get(r, r) for r in neurons.RESETS],
            description="what a spike does to the membrane potential",
        ),
        Slider(
            "refractory",
            "refractory period (steps)",
            0,
            20,
            1,
            0,
            integer=True,
            description="steps after a spike during which the neuron ignores its input (shaded)",
        ),
        Slider("num_steps", "number of steps", 20, 300, 10, 150, integer=True, description="the length of the simulation"),
    ]
    return Explorer(
        name="lif",
        title="LIF membrane explorer",
        controls=controls,
        compute=_lif_compute,
        plot=_lif_plot,
        figsize=(6.9, 4.8),
        view="lif",
        description="Drag a slider: the membrane U[t], the threshold and the output spikes are recomputed at once.",
        notes=_lif_notes,
        readout=_lif_readout,
    )
