"""The LIF neuron (:mod:`snnlib.neurons`): membrane traces, input currents, charging curves, f-I curves."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks
from .base import check_axes, maybe, new_ax, one_neuron, optional_text, record, same_length, spike_record
from .palette import ACCENT_COLOR, CURRENT_COLOR, EXC_COLOR, INH_COLOR, INK_COLOR, SPIKE_COLOR, THRESHOLD_COLOR

#: Colours of successive noise levels.
_NOISE_COLORS = (EXC_COLOR, CURRENT_COLOR, ACCENT_COLOR, INH_COLOR)

__all__ = [
    "plot_membrane",
    "plot_current",
    "plot_lif_response",
    "plot_charging",
    "plot_euler_error",
    "plot_fi_curve",
    "plot_raster_row",
    "plot_trial_raster",
    "plot_noisy_fi",
]


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


def plot_membrane(
    mem,
    spk=None,
    threshold=None,
    dt: Optional[float] = None,
    ax=None,
    label: Optional[str] = None,
    color: Optional[str] = None,
    unit: str = "",
    spike_height: Optional[float] = None,
    steps_on_top: bool = True,
):
    """Membrane trace with the threshold (dashed) and the spikes (vertical strokes above it).

    Args:
        mem: membrane record ``[T]`` (or ``[T, 1]``), e.g. one neuron of ``lif_run``'s ``mem_rec``.
        spk: spikes ``[T]`` (0 or 1) of the same length, or ``None``.
        threshold: draw this threshold line (scalar), or ``None``.
        dt: the step in ms: time axis in ms (with steps on a top axis), else in steps.
        unit: the membrane's unit for the y label (``"mV"`` for the physical model).
        spike_height: where the spike strokes end (default: a little above the trace and threshold).
    Returns:
        the ``ax``.
    """
    mem = one_neuron(mem, "mem")
    maybe(_checks.real, threshold, "threshold")
    maybe(_checks.positive, dt, "dt")
    optional_text(label, "label")
    maybe(_checks.real, spike_height, "spike_height")
    _checks.boolean(steps_on_top, "steps_on_top")
    s = None
    if spk is not None:
        s = one_neuron(spk, "spk", spikes=True)
        if len(s) != len(mem):
            raise ValueError(f"spk must have the membrane's length {len(mem)} ([T]), got {len(s)}")
    ax = new_ax(ax, figsize=(7, 3))
    x = _time_axis(len(mem), dt, ax, steps_on_top)
    (line,) = ax.plot(x, mem, color=color or EXC_COLOR, label=label, lw=1.5)
    if threshold is not None:
        ax.axhline(float(threshold), color=THRESHOLD_COLOR, ls="--", lw=1, label="threshold" if label is None else None)
    if s is not None:
        idx = np.nonzero(s > 0)[0]
        if len(idx):
            top = spike_height
            if top is None:
                hi = max(float(np.max(mem)), float(threshold) if threshold is not None else -np.inf)
                lo = min(float(np.min(mem)), float(threshold) if threshold is not None else np.inf)
                top = hi + 0.25 * max(hi - lo, 1e-9)
            ax.vlines(x[idx], mem[idx], top, color=line.get_color(), lw=1.2, alpha=0.9)
            ax.plot(x[idx], np.full(len(idx), top), "v", color=SPIKE_COLOR, ms=4, label="spike" if label is None else None)
    ax.set_ylabel(f"membrane potential ({unit})" if unit else "membrane $U$")
    return ax


def plot_current(cur, dt: Optional[float] = None, ax=None, unit: str = "", color: str = CURRENT_COLOR, label=None):
    """The input current ``[T]`` (or ``[T, 1]``) as a step plot (time axis as in :func:`plot_membrane`); returns ``ax``."""
    c = one_neuron(cur, "cur")
    maybe(_checks.positive, dt, "dt")
    ax = new_ax(ax, figsize=(7, 1.8))
    x = _time_axis(len(c), dt, ax, steps_on_top=False)
    ax.step(x, c, where="post" if dt is None else "pre", color=color, lw=1.2, label=label)
    ax.set_ylabel(f"input $I$ ({unit})" if unit else "input $I$")
    return ax


def plot_lif_response(
    cur,
    mem,
    spk,
    threshold=None,
    dt: Optional[float] = None,
    axes=None,
    unit: str = "",
    cur_unit: str = "",
    title: Optional[str] = None,
):
    """Input current (top) and membrane with threshold and spikes (bottom), sharing the time axis.

    ``cur``, ``mem``, ``spk``: ``[T]`` records of one neuron. ``axes``: two axes, or ``None`` for a new
    figure. Returns the two axes.
    """
    c, m = one_neuron(cur, "cur"), one_neuron(mem, "mem")
    same_length(c, m, "cur", "mem", "[T]")
    optional_text(title, "title")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(7, 3.8), sharex=True, gridspec_kw={"height_ratios": [1, 2.5]})
    check_axes(axes, "axes", 2)
    plot_current(cur, dt, axes[0], unit=cur_unit)
    axes[0].set_xlabel("")
    plot_membrane(mem, spk, threshold, dt, axes[1], unit=unit, steps_on_top=False)
    if title:
        axes[0].set_title(title)
    return axes


def plot_charging(
    t,
    simulated,
    analytic,
    threshold=None,
    ax=None,
    unit: str = "mV",
    xlabel: str = "time (ms)",
    sim_label: str = "simulation (Euler)",
    analytic_label: str = "analytic",
):
    """A simulated charging curve (dots) against its analytic solution (line), all three ``[T]``."""
    t = record(t, "t", "[T]", ndim=1)
    sim = record(simulated, "simulated", "[T]", ndim=1)
    exact = record(analytic, "analytic", "[T]", ndim=1)
    same_length(t, sim, "t", "simulated", "[T]")
    same_length(t, exact, "t", "analytic", "[T]")
    maybe(_checks.real, threshold, "threshold")
    ax = new_ax(ax, figsize=(6, 3))
    ax.plot(t, exact, color=INK_COLOR, lw=2, label=analytic_label)
    ax.plot(t, sim, "o", ms=3, color=EXC_COLOR, alpha=0.7, label=sim_label)
    if threshold is not None:
        ax.axhline(float(threshold), color=THRESHOLD_COLOR, ls="--", lw=1, label="threshold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"membrane $V$ ({unit})" if unit else "membrane $U$")
    ax.legend(fontsize="small")
    return ax


def plot_euler_error(dts, errors, ax=None, slope: Optional[float] = None, unit: str = "mV"):
    """Log-log plot of the Euler error ``[M]`` against the step ``dt`` ``[M]`` (ms), with a slope-1 guide line.

    ``slope``: the fitted slope, shown in the legend if given. Returns ``ax``.
    """
    d = record(dts, "dts", "[M]", ndim=1)
    e = record(errors, "errors", "[M]", ndim=1)
    same_length(d, e, "dts", "errors")
    maybe(_checks.real, slope, "slope")
    from matplotlib.ticker import NullFormatter

    ax = new_ax(ax, figsize=(4.5, 3.5))
    lab = "Euler's error" + (f", slope {slope:.2f}" if slope is not None else "")
    ax.loglog(d, e, "o-", color=EXC_COLOR, label=lab)
    guide = e[0] * d / d[0]
    ax.loglog(d, guide, "--", color=THRESHOLD_COLOR, label="slope 1")
    ax.xaxis.set_minor_formatter(NullFormatter())  # no crowded minor labels under the decades
    ax.set_xlabel("time step dt (ms)")
    ax.set_ylabel(f"max error ({unit})")
    ax.legend(fontsize="small")
    return ax


def plot_fi_curve(
    currents,
    rates,
    analytic=None,
    ax=None,
    label: str = "simulation",
    analytic_label: str = "analytic",
    unit: str = "nA",
    rate_unit: str = "Hz",
    color=None,
):
    """An f-I curve: simulated rates (dots) and optionally the analytic curve (line) on the same ``currents``.

    ``currents``, ``rates``, ``analytic``: ``[M]``. Returns ``ax``.
    """
    i = record(currents, "currents", "[M]", ndim=1)
    r = record(rates, "rates", "[M]", ndim=1)
    same_length(i, r, "currents", "rates")
    a = maybe(record, analytic, "analytic", "[M]", ndim=1)
    if a is not None:
        same_length(i, a, "currents", "analytic")
    ax = new_ax(ax, figsize=(5, 3.5))
    if a is not None:
        ax.plot(i, a, "-", color=color or INK_COLOR, lw=1.8, label=analytic_label)
    ax.plot(i, r, "o", ms=4, color=color or EXC_COLOR, alpha=0.8, label=label)
    ax.set_xlabel(f"input current $I$ ({unit})" if unit else "input current $I$")
    ax.set_ylabel(f"firing rate ({rate_unit})")
    ax.legend(fontsize="small")
    return ax


def plot_raster_row(spk, dt: Optional[float] = None, ax=None, y: float = 0.0, color=SPIKE_COLOR, label=None):
    """Spike times of one neuron ``[T]`` (0 or 1) as ticks at height ``y`` (time in steps, or ms with ``dt``)."""
    s = one_neuron(spk, "spk", spikes=True)
    maybe(_checks.positive, dt, "dt")
    _checks.real(y, "y")
    ax = new_ax(ax, figsize=(7, 1.2))
    x = (np.arange(1, len(s) + 1)) * (1 if dt is None else dt)
    idx = np.nonzero(s > 0)[0]
    ax.plot(x[idx], np.full(len(idx), y), "|", color=color, ms=12, mew=1.5, label=label)
    return ax


def plot_trial_raster(spk, dt: Optional[float] = None, ax=None, color=SPIKE_COLOR, label: str = "trial"):
    """Spike times of ``K`` trials (or neurons) ``[T, K]``, one row each, with integer row ticks.

    Time in steps, or in ms when the step ``dt`` (ms) is given. Returns ``ax``.
    """
    s = spike_record(spk, "spk", "[T, K]", ndim=2)
    maybe(_checks.positive, dt, "dt")
    optional_text(label, "label")
    ax = new_ax(ax, figsize=(6, 1.8))
    for k in range(s.shape[1]):
        plot_raster_row(s[:, k], dt, ax, y=float(k), color=color)
    from matplotlib.ticker import MaxNLocator

    ax.set_ylim(-0.7, s.shape[1] - 0.3)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(label)
    ax.set_xlabel("time (ms)" if dt is not None else "time step $t$")
    return ax


def plot_noisy_fi(currents, rates, cvs, sigmas, theory=None, deterministic=None, axes=None):
    """f-I curves (left) and the CV of the inter-spike intervals (right) under ``S`` noise levels.

    Args:
        currents: the mean currents ``[M]`` (nA) of the simulations.
        rates: simulated rates ``[S, M]`` (Hz), one row per noise level.
        cvs: the CVs ``[S, M]`` (NaN where undefined; those points are not drawn).
        sigmas: the ``S`` noise levels (mV), for the legend.
        theory: ``(fine [M'], rates [S, M'])``: a theory's rates as lines, or ``None``.
        deterministic: ``(fine [M'], rates [M'])``: the noise-free f-I curve, or ``None``.
        axes: two axes, or ``None`` for a new figure 6.9 in wide.
    Returns:
        the two axes.
    """
    i = record(currents, "currents", "[M]", ndim=1)
    r = record(rates, "rates", "[S, M]", ndim=2)
    c = record(cvs, "cvs", "[S, M]", ndim=2)
    if r.shape != c.shape or r.shape[1] != len(i):
        raise ValueError(f"rates and cvs must both be [S, M] with M = {len(i)} currents, got {r.shape} and {c.shape}")
    sig = record(sigmas, "sigmas", "[S]", ndim=1)
    if len(sig) != r.shape[0]:
        raise ValueError(f"sigmas must have one value per row of rates ({r.shape[0]}), got {len(sig)}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(6.9, 2.8))
    check_axes(axes, "axes", 2)
    if deterministic is not None:
        fine, det = deterministic
        axes[0].plot(fine, det, color=INK_COLOR, lw=1.2, label="no noise")
    for k, s in enumerate(sig):
        colour = _NOISE_COLORS[k % len(_NOISE_COLORS)]
        if theory is not None:
            axes[0].plot(theory[0], np.asarray(theory[1])[k], color=colour, lw=1, alpha=0.8)
        axes[0].plot(i, r[k], "o", ms=3, color=colour, label=f"$\\sigma_V$ = {s:g} mV")
        axes[1].plot(i, c[k], "o-", ms=3, lw=1, color=colour)
    for ax in axes:
        ax.set_xlabel("mean current $I_0$ (nA)")
    axes[0].set_ylabel("firing rate (Hz)")
    axes[0].legend(fontsize="small")
    axes[1].axhline(1.0, color=THRESHOLD_COLOR, ls=":", lw=1)
    axes[1].set_ylabel("CV of the intervals")
    axes[1].set_ylim(-0.04, 1.25)
    return axes
