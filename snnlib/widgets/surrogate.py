"""The surrogate-gradient chapter's explorer: the surrogate, its sharpness, and a weight."""

from __future__ import annotations

from typing import Any, Dict

import numpy as np

from .. import _checks
from .. import surrogate as sg
from ..plot.palette import ACCENT_COLOR, GRADIENT_COLOR, MUTED_COLOR, SPIKE_COLOR, ZERO_LINE_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .runtime import _linspace, extent, js_fmt, js_number, js_round

__all__ = ["SURROGATE_U", "SURROGATE_W", "GRAD_EXAMPLE", "SURROGATE_CHOICES", "surrogate_weight_gradient", "surrogate_explorer"]

SURROGATE_U = (-2.0, 2.0, 401)
SURROGATE_W = (0.0, 1.5, 301)
#: The small example whose weight gradient the explorer shows (see ``weightGradient`` in models.js).
GRAD_EXAMPLE = {"beta": 0.9, "threshold": 1.0, "x": 0.5, "num_steps": 20, "target": 4}
#: The explorer's surrogates: every one registered in :data:`snnlib.surrogate.REGISTRY`, in its order
#: (each has a JavaScript twin in ``snnlib/js/models.js``; ``tests/test_widgets.py`` checks it).
SURROGATE_CHOICES = sg.NAMES


def surrogate_weight_gradient(surrogate: str, sharpness: float, w) -> Dict[str, np.ndarray]:
    """Spike count and ``dL/dw`` of the surrogate explorer's example, by autograd through ``lif_run``.

    One LIF neuron (``GRAD_EXAMPLE``: beta, threshold, reset by subtraction) receives the current
    ``w * x`` for ``num_steps`` steps; ``L = (N - target)^2`` with ``N`` its spike count. ``w`` is an
    array of weights ``[W]`` (each a separate neuron: the batch). Returns float64 arrays ``[W]``.
    """
    import torch

    from .. import neurons

    _checks.choice(surrogate, "surrogate", tuple(sg.REGISTRY))
    _checks.positive(sharpness, "sharpness")
    try:
        weights = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"w must be an array of weights [W], got {_checks.describe(w)}") from err
    if weights.ndim != 1 or weights.size == 0 or not np.isfinite(weights).all():
        raise ValueError(f"w must be a non-empty array of finite weights [W], got shape {weights.shape}")
    ex = GRAD_EXAMPLE
    fn = sg.get(surrogate, sharpness)
    wt = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
    cur = (wt * ex["x"]).unsqueeze(0).expand(ex["num_steps"], -1)  # [T, W]
    spk, _ = neurons.lif_run(cur, neurons.LIFParams(beta=ex["beta"], threshold=ex["threshold"]), surrogate=fn)
    count = spk.sum(0)
    loss = (count - ex["target"]) ** 2
    loss.sum().backward()
    return {"grad": wt.grad.detach().numpy().copy(), "count": count.detach().numpy(), "loss": loss.detach().numpy()}


def _surrogate_compute(surrogate, sharpness, weight) -> Dict[str, Any]:
    import torch

    fn = sg.get(surrogate, sharpness)
    u = _linspace(*SURROGATE_U)
    ut = torch.tensor(u, dtype=torch.float64)
    w = _linspace(*SURROGATE_W)
    g = surrogate_weight_gradient(surrogate, sharpness, w)
    at = surrogate_weight_gradient(surrogate, sharpness, [weight])
    return {
        "u": u,
        "smooth": np.asarray(fn.smooth(ut).detach(), dtype=np.float64),
        "derivative": np.asarray(fn.derivative(ut).detach(), dtype=np.float64),
        "heaviside": (u > 0).astype(np.float64),
        "w": w,
        "grad": g["grad"],
        "count": g["count"],
        "loss": g["loss"],
        "at": {"grad": float(at["grad"][0]), "count": float(at["count"][0]), "loss": float(at["loss"][0])},
        "weight": float(weight),
        "example": dict(GRAD_EXAMPLE),
    }


def _surrogate_plot(d, fig):
    """Forward step and smooth function, backward derivative, ``dL/dw`` over the weight; returns the updater."""
    axs = fig.subplots(1, 3)
    axs[0].plot(d["u"], d["heaviside"], color=SPIKE_COLOR, label="H(u) (forward)")
    (smooth,) = axs[0].plot(d["u"], d["smooth"], color=ACCENT_COLOR, ls="--", label="smooth S\u0303(u)")
    axs[0].set_title("Forward, smooth step", fontsize=10, y=1.0)
    axs[0].legend(fontsize=8, loc="upper left")
    (deriv,) = axs[1].plot(d["u"], d["derivative"], color=ACCENT_COLOR)
    axs[1].set_title("Backward dS/du", fontsize=10, y=1.0)
    axs[2].axhline(0, color=ZERO_LINE_COLOR, lw=1)
    (grad,) = axs[2].plot(d["w"], d["grad"], color=GRADIENT_COLOR)
    at_w = axs[2].axvline(d["weight"], color=MUTED_COLOR, ls=":")
    (dot,) = axs[2].plot([d["weight"]], [d["at"]["grad"]], "o", color=GRADIENT_COLOR)
    axs[2].set_title("dL/dw at the weight", fontsize=10, y=1.0)
    for ax, xl in zip(axs, ["u = U - U_thr", "u = U - U_thr", "weight w"]):
        ax.set_xlabel(xl)
    axs[0].set_ylim(-0.15, 1.15)

    def update(d) -> bool:
        smooth.set_ydata(d["smooth"])
        deriv.set_ydata(d["derivative"])
        grad.set_ydata(d["grad"])
        at_w.set_xdata([d["weight"], d["weight"]])
        dot.set_data([d["weight"]], [d["at"]["grad"]])
        axs[1].set_ylim(*extent([d["derivative"], [0.0]], 0.08))
        axs[2].set_ylim(*extent([d["grad"], [0.0]], 0.08))
        return True

    update(d)
    fig.tight_layout()
    return update


def _surrogate_notes(v) -> Dict[str, str]:
    """The parameter the sharpness slider sets for this surrogate (``VIEWS.surrogate.notes`` in explorer.js)."""
    if v["surrogate"] == "none":
        return {"sharpness": "unused"}
    return {"sharpness": f"{sg.get(v['surrogate'], v['sharpness']).param} = {js_fmt(v['sharpness'])}"}


def _surrogate_readout(d, v) -> str:
    """The example, and its spike count and ``dL/dw`` at the chosen weight (``VIEWS.surrogate.readout``)."""
    ex, at = d["example"], d["at"]
    s = js_number
    text = (
        f"Example: one LIF neuron (\u03b2 = {s(ex['beta'])}, threshold {s(ex['threshold'])}) gets w \u00b7 {s(ex['x'])} "
        f"for {s(ex['num_steps'])} steps; loss L = (N \u2212 {s(ex['target'])})\u00b2 on its spike count N. "
        f"At w = {js_fmt(v['weight'])}: N = {s(at['count'])}, dL/dw = {js_fmt(js_round(at['grad'], 4))}"
    )
    return text + (" (the true derivative of the step is zero: nothing to learn from)." if v["surrogate"] == "none" else ".")


def _label(name: str) -> str:
    return name.replace("_", " ") + (" (true derivative: 0)" if name == "none" else "")


def surrogate_explorer() -> Explorer:
    """The surrogate-gradient chapter's explorer: the surrogate, its sharpness, and a weight.

    Shows the forward step with the smooth function behind the surrogate, the backward derivative,
    and the gradient ``dL/dw`` that reaches a weight in a small example (:func:`surrogate_weight_gradient`:
    autograd through :func:`snnlib.neurons.lif_run` with the chosen :mod:`snnlib.surrogate`). Its
    choices are :data:`SURROGATE_CHOICES`, the surrogate module's registry.
    """
    choices = SURROGATE_CHOICES
    controls = [
        Dropdown(
            "surrogate",
            "surrogate",
            choices,
            "arctan" if "arctan" in choices else choices[0],
            labels=[_label(s) for s in choices],
            description="the function whose derivative the backward pass uses in place of the step's",
        ),
        Slider(
            "sharpness",
            "sharpness",
            0.5,
            30.0,
            0.5,
            2.0,
            description="arctan: alpha; fast sigmoid, sigmoid: slope; triangle: sharpness; straight-through: window",
        ),
        Slider("weight", "weight w", 0.0, 1.5, 0.01, 0.25, description="the weight at which dL/dw is read (the dot)"),
    ]
    return Explorer(
        name="surrogate",
        title="Surrogate gradient explorer",
        controls=controls,
        compute=_surrogate_compute,
        plot=_surrogate_plot,
        figsize=(6.9, 2.9),
        view="surrogate",
        description="Forward, the spike is always the step H(u); backward, the surrogate's derivative "
        "decides how much gradient reaches the weight.",
        notes=_surrogate_notes,
        readout=_surrogate_readout,
    )
