"""The LIF chapter's membrane explorer: decay, threshold, input, reset, refractory period, length."""

from __future__ import annotations

from typing import Any, Dict

import numpy as np

from .. import _checks
from ..plot.palette import CURRENT_COLOR, EXC_COLOR, REFRACTORY_COLOR, SPIKE_COLOR, THRESHOLD_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .runtime import mulberry32

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


def _lif_plot(d, fig):
    axs = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.6, 0.6]})
    axs[0].step(d["steps"], d["current"], where="mid", color=CURRENT_COLOR)
    axs[0].set_ylabel("input I")
    axs[0].set_title("Input current", loc="left", fontsize=10)
    for j in np.flatnonzero(d["blocked"]):
        axs[1].axvspan(d["steps"][j] - 0.5, d["steps"][j] + 0.5, color=REFRACTORY_COLOR, lw=0)
    axs[1].plot(d["steps"], d["mem"], color=EXC_COLOR, label="membrane U[t]")
    axs[1].axhline(d["threshold"], color=THRESHOLD_COLOR, ls="--", label="threshold")
    axs[1].set_ylabel("membrane U")
    axs[1].legend(loc="upper right", fontsize=8)
    axs[1].set_title("Membrane potential", loc="left", fontsize=10)
    axs[2].vlines(d["spike_times"], 0.1, 0.9, color=SPIKE_COLOR)
    axs[2].set_yticks([])
    axs[2].set_ylim(0, 1)
    axs[2].set_xlim(0, len(d["steps"]) + 1)
    axs[2].set_xlabel("time step t")
    axs[2].set_title(f"Output spikes ({d['n_spikes']})", loc="left", fontsize=10)
    fig.tight_layout()


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
        Slider("threshold", "threshold U_thr", 0.1, 2.0, 0.05, 1.0),
        Slider("amplitude", "input amplitude", 0.0, 0.6, 0.01, 0.15),
        Dropdown("input", "input current", LIF_INPUTS, "step", labels=[INPUT_LABELS[i] for i in LIF_INPUTS]),
        Dropdown(
            "reset", "reset after a spike", neurons.RESETS, "subtract", labels=[RESET_LABELS.get(r, r) for r in neurons.RESETS]
        ),
        Slider("refractory", "refractory period (steps)", 0, 20, 1, 0, integer=True),
        Slider("num_steps", "number of steps", 20, 300, 10, 150, integer=True),
    ]
    return Explorer(
        name="lif",
        title="LIF membrane explorer",
        controls=controls,
        compute=_lif_compute,
        plot=_lif_plot,
        figsize=(9.0, 6.0),
        view="lif",
        description="Drag a slider: the membrane U[t], the threshold and the output spikes are recomputed at once.",
    )
