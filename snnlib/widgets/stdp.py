"""The "Learning without labels" chapter's explorer: the STDP learning window, recomputed as you move it.

Its controls are the parameters of :class:`snnlib.plasticity.STDPParams`: the rule (a choice of
:data:`snnlib.plasticity.stdp.RULES`: additive, or multiplicative with soft bounds), the amplitudes
``A+`` and ``A-``, the time constants ``tau+`` and ``tau-`` (ms), the weight ``w`` (the
multiplicative window scales with ``w_max - w`` and ``w``; the additive one does not depend on it),
and a delay ``Δt = t_post - t_pre`` (ms). It draws the window ``Δw(Δt)`` of
:func:`snnlib.plasticity.stdp_window` (times the rule's weight factors), the dots of
:func:`snnlib.plasticity.measure_window` (one simulated spike pair per delay, through
:func:`snnlib.plasticity.stdp_step`), marks the chosen ``Δt`` and reads out ``Δw`` there, its sign
and the window's area ``∫Δw dΔt = A+ f+ τ+ - A- f- τ-`` (``f± = 1`` for the additive rule): the net
change that uncorrelated pre and post firing drives, potentiation on balance when positive.

The page's view, ``snnlib/js/stdp.js``, recomputes the same curve, simulates the same spike pairs and
writes the same notes and read-out, character for character (``tests/test_stdp_explorer.py``).
"""

from __future__ import annotations

from typing import Any, Dict

import numpy as np
import torch

from ..plasticity import STDPParams, measure_window, stdp_window
from ..plasticity.stdp import RULES
from ..plot.palette import ACCENT_COLOR, EXC_COLOR, INH_COLOR, MUTED_COLOR, SPIKE_COLOR, ZERO_LINE_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .runtime import _linspace, extent, js_round

__all__ = ["STDP_SPAN", "STDP_DOTS", "STDP_RULES", "stdp_explorer"]

#: The delays drawn: ``(lo, hi, points)`` in ms for the curve (``Δt = t_post - t_pre``).
STDP_SPAN = (-100.0, 100.0, 401)
#: The measured delays (whole steps of ``dt = 1`` ms): one simulated spike pair each.
STDP_DOTS = tuple(range(-100, 101, 10))
#: The rules the explorer offers: every one of the library's registry, in its order.
STDP_RULES = tuple(RULES)
#: The weight the additive rule's pairs start from (away from the hard bounds, where its window holds).
ADDITIVE_W0 = 0.5
_W_UNUSED = "additive: \u0394w does not depend on w"


def _factors(rule: str, w: float, w_max: float) -> tuple:
    """The rule's weight factors ``(f+, f-)`` at ``w``, from the library's registry."""
    f_plus, f_minus = RULES[rule]
    wt = torch.tensor(w, dtype=torch.float64)
    return float(f_plus(wt, w_max)), float(f_minus(wt, w_max))


def _compute(rule, a_plus, a_minus, tau_plus, tau_minus, w, delta_t) -> Dict[str, Any]:
    params = STDPParams(a_plus=a_plus, a_minus=a_minus, tau_plus=tau_plus, tau_minus=tau_minus, rule=rule)
    fp, fm = _factors(rule, w, params.w_max)
    t = _linspace(*STDP_SPAN)
    dots = np.asarray(STDP_DOTS, dtype=np.int64)
    w0 = ADDITIVE_W0 if rule == "additive" else float(w)

    def window(x):
        x = np.asarray(x, dtype=np.float64)
        return stdp_window(x, params) * np.where(x >= 0, fp, fm)

    ltp, ltd = a_plus * fp * tau_plus, a_minus * fm * tau_minus
    return {
        "t": t,
        "window": window(t),
        "dots": dots.astype(np.float64) * params.dt,
        "measured": measure_window(dots, params, w0=w0),
        "delta_t": float(delta_t),
        "dw": float(window([delta_t])[0]),
        "f_plus": fp,
        "f_minus": fm,
        "ltp_area": ltp,
        "ltd_area": ltd,
        "area": ltp - ltd,
        "w0": w0,
    }


def _fixed(x: float, digits: int) -> str:
    """``(Math.round(x * 10**d) / 10**d).toFixed(d)``, as the page prints it."""
    return f"{js_round(x, digits):.{digits}f}"


def _signed(x: float, digits: int) -> str:
    """``x`` with its sign (``+``, or the minus sign ``\u2212``) and ``digits`` decimals; ``0`` when it rounds to zero."""
    s = _fixed(abs(x), digits)
    if float(s) == 0:
        return "0"
    return ("\u2212" if x < 0 else "+") + s


def _effect(dw: float) -> str:
    return "potentiation" if dw > 0 else "depression" if dw < 0 else "no change"


def _order(delta_t: float) -> str:
    return "pre before post" if delta_t > 0 else "post before pre" if delta_t < 0 else "together"


def _balance(area: float) -> str:
    if area > 0:
        return "potentiation on balance (LTP wins)"
    if area < 0:
        return "depression on balance (LTD wins)"
    return "balanced"


def _readout(d: Dict[str, Any], v: Dict[str, Any]) -> str:
    """The line under the plot (``readout`` of ``snnlib/js/stdp.js``, character for character)."""
    formula = (
        "A\u208a\u03c4\u208a \u2212 A\u208b\u03c4\u208b"
        if v["rule"] == "additive"
        else "A\u208a(1 \u2212 w)\u03c4\u208a \u2212 A\u208bw\u03c4\u208b"
    )
    return (
        f"At \u0394t = {_signed(d['delta_t'], 0)} ms ({_order(d['delta_t'])}): \u0394w = {_signed(d['dw'], 6)} "
        f"({_effect(d['dw'])}). Area \u222b\u0394w d\u0394t = {formula} = {_fixed(d['ltp_area'], 4)} \u2212 "
        f"{_fixed(d['ltd_area'], 4)} = {_signed(d['area'], 4)} ms: {_balance(d['area'])}."
    )


def _notes(v: Dict[str, Any]) -> Dict[str, str]:
    """The weight factors beside the w slider (``notes`` of stdp.js)."""
    if v["rule"] == "additive":
        return {}
    w = v["w"]
    return {"w": f"f\u208a = 1 \u2212 w = {_fixed(1.0 - w, 2)}, f\u208b = w = {_fixed(w, 2)}"}


def _inactive(v: Dict[str, Any]) -> Dict[str, str]:
    return {"w": _W_UNUSED} if v["rule"] == "additive" else {}


def _plot(d, fig):
    """The window (LTP shaded blue, LTD red), the measured pairs as dots, the chosen Δt; returns the updater."""
    ax = fig.add_subplot(1, 1, 1)
    ax.axhline(0, color=ZERO_LINE_COLOR, lw=1)
    ax.axvline(0, color=ZERO_LINE_COLOR, lw=1)
    (curve,) = ax.plot(d["t"], d["window"], color=SPIKE_COLOR, lw=1.8, label="formula")
    (dots,) = ax.plot(d["dots"], d["measured"], "o", color=ACCENT_COLOR, ms=4, label="simulated pairs")
    at = ax.axvline(d["delta_t"], color=MUTED_COLOR, ls=":", lw=1.2)
    (dot,) = ax.plot([d["delta_t"]], [d["dw"]], "o", color=EXC_COLOR, ms=8, zorder=5, label="at \u0394t")
    fills = []
    ax.set_xlabel("\u0394t = t_post \u2212 t_pre (ms)")
    ax.set_ylabel("weight change \u0394w")
    ax.set_xlim(d["t"][0], d["t"][-1])
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False, borderaxespad=0.2)

    def update(d) -> bool:
        while fills:
            fills.pop().remove()
        t, win = d["t"], d["window"]
        fills.append(ax.fill_between(t, 0, win, where=t >= 0, color=EXC_COLOR, alpha=0.18, lw=0))
        fills.append(ax.fill_between(t, 0, win, where=t < 0, color=INH_COLOR, alpha=0.18, lw=0))
        curve.set_ydata(win)
        dots.set_ydata(d["measured"])
        at.set_xdata([d["delta_t"], d["delta_t"]])
        dot.set_data([d["delta_t"]], [d["dw"]])
        ax.set_ylim(*extent([win, d["measured"], [0.0]], 0.08))
        return True

    update(d)
    fig.tight_layout()
    return update


def stdp_explorer() -> Explorer:
    """The STDP chapter's explorer: the learning window of :class:`snnlib.plasticity.STDPParams`.

    Controls: ``rule`` (:data:`STDP_RULES`), ``a_plus``, ``a_minus``, ``tau_plus``, ``tau_minus``
    (ms), ``w`` (used by the multiplicative rule; disabled for the additive one) and ``delta_t`` (ms).
    ``update(**values)`` returns the curve ``t`` / ``window`` (``[401]``), the measured pairs ``dots`` /
    ``measured`` (``[21]``), ``dw`` at ``delta_t``, the factors ``f_plus``, ``f_minus`` and the areas
    ``ltp_area``, ``ltd_area`` and ``area = ltp_area - ltd_area`` (ms).
    """
    p = STDPParams()
    controls = [
        Dropdown(
            "rule",
            "rule",
            STDP_RULES,
            p.rule,
            description="additive: steps of fixed size (hard bounds); multiplicative: "
            "potentiation scales with w_max \u2212 w, depression with w (soft bounds)",
        ),
        Slider(
            "a_plus", "A\u208a (potentiation)", 0.0, 0.05, 0.0005, p.a_plus, description="the window's height at \u0394t = 0+"
        ),
        Slider(
            "a_minus", "A\u208b (depression)", 0.0, 0.05, 0.0005, p.a_minus, description="the window's depth at \u0394t = 0\u2212"
        ),
        Slider(
            "tau_plus",
            "\u03c4\u208a (ms)",
            5,
            60,
            1,
            int(p.tau_plus),
            integer=True,
            description="how fast potentiation falls off",
        ),
        Slider(
            "tau_minus",
            "\u03c4\u208b (ms)",
            5,
            60,
            1,
            int(p.tau_minus),
            integer=True,
            description="how fast depression falls off",
        ),
        Slider("w", "weight w", 0.0, 1.0, 0.01, 0.5, description="the synapse's weight (w_max = 1): the soft bounds' factors"),
        Slider(
            "delta_t",
            "\u0394t = t_post \u2212 t_pre (ms)",
            -100,
            100,
            1,
            10,
            integer=True,
            description="the delay read out (the dot)",
        ),
    ]
    return Explorer(
        name="stdp",
        title="STDP window explorer",
        controls=controls,
        compute=_compute,
        plot=_plot,
        figsize=(6.9, 3.0),
        view="stdp",
        view_js="stdp.js",
        description="Pre before post strengthens the synapse, post before pre weakens it: move the "
        "amplitudes and time constants and watch the balance of the two sides.",
        notes=_notes,
        readout=_readout,
        inactive=_inactive,
    )
