"""Interactive explorers: one definition, live in Jupyter/Colab and kernel-free in the built book.

An :class:`Explorer` is made of

* ``controls``: sliders and drop-downs (:class:`Slider`, :class:`Dropdown`), each with a default;
* ``compute(**values) -> dict``: a pure function of the control values returning the data to draw
  (arrays), built on the same ``snnlib`` functions the chapter's text uses;
* ``plot(data, fig) -> None``: draws that data with matplotlib (plotting apart from simulation);
* ``view``: the name of its kernel-free twin in ``snnlib/js/explorer.js``, which recomputes the same
  data in the reader's browser with a JavaScript model of the same equations (``snnlib/js/models.js``)
  and draws it as SVG.

``explorer.update(**values)`` returns exactly the data a figure shows, so tests check explorers
without a browser (and ``tests/test_widgets.py`` checks the JavaScript model against ``snnlib`` in
Node). Each chapter's explorer is made by one call: :func:`lif_explorer`, :func:`surrogate_explorer`,
:func:`coding_explorer`, :func:`circuit_explorer`; a notebook cell ends with that call.

How an explorer shows itself (:func:`display_mode`):

* ``"html"``: self-contained HTML (``Explorer.html()``): ``<input type=range>`` / ``<select>`` controls,
  an SVG plot and the inlined JavaScript. It needs no kernel, no network and no widget state, so it is
  what the built book shows (the book build executes notebooks with no frontend attached: no live
  widget is created then, so no widget state is saved and myst-nb adds no CDN widget scripts).
* ``"live"``: ipywidgets driving the Python ``compute``/``plot`` (Jupyter, Colab, VS Code), with the
  HTML as the fallback representation.

The mode is chosen automatically; set ``SNNLIB_WIDGETS=live`` or ``html`` (or call
:func:`set_display_mode`) to force one.
"""

from __future__ import annotations

import html as _html
import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = [
    "Slider",
    "Dropdown",
    "Explorer",
    "display_mode",
    "set_display_mode",
    "js_source",
    "mulberry32",
    "lif_input",
    "lif_explorer",
    "surrogate_explorer",
    "coding_explorer",
    "circuit_explorer",
    "frame_grid",
    "frame_key",
    "pack_frames",
    "unpack_frames",
    "MODES",
]

JS_DIR = Path(__file__).resolve().parent / "js"
#: The JavaScript files inlined into every kernel-free explorer, in load order.
JS_FILES = ("models.js", "plot.js", "explorer.js")
MODES = ("live", "html")
MODE_ENV = "SNNLIB_WIDGETS"


# =============================================================================================
# Controls
# =============================================================================================
@dataclass
class Slider:
    """A numeric slider: ``name`` is the keyword passed to ``compute``."""

    name: str
    label: str
    min: float
    max: float
    step: float
    value: float
    integer: bool = False
    description: str = ""

    def __post_init__(self):
        if not self.min <= self.value <= self.max:
            raise ValueError(f"slider {self.name!r}: default {self.value} outside [{self.min}, {self.max}]")
        if self.step <= 0:
            raise ValueError(f"slider {self.name!r}: step must be > 0, got {self.step}")

    def check(self, value: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{self.name} must be a number, got {value!r}")
        if not self.min - 1e-12 <= value <= self.max + 1e-12:
            raise ValueError(f"{self.name}={value} is outside the slider's range [{self.min}, {self.max}]")
        return int(round(value)) if self.integer else float(value)

    def spec(self) -> Dict[str, Any]:
        return {"name": self.name, "kind": "slider", "integer": self.integer, "value": self.value,
                "min": self.min, "max": self.max, "step": self.step}

    def html(self, uid: str) -> str:
        fmt = (lambda x: str(int(x))) if self.integer else (lambda x: repr(float(x)))
        title = f' title="{_html.escape(self.description)}"' if self.description else ""
        return (
            f'<label class="snx-control"{title}><span class="snx-label">{_html.escape(self.label)}'
            f'<span class="snx-note" data-note="{self.name}"></span></span>'
            f'<input type="range" data-control="{self.name}" id="{uid}-{self.name}" min="{fmt(self.min)}" '
            f'max="{fmt(self.max)}" step="{fmt(self.step)}" value="{fmt(self.value)}" aria-label="{_html.escape(self.label)}">'
            f'<output data-readout="{self.name}">{fmt(self.value)}</output></label>'
        )

    def widget(self):
        import ipywidgets as w

        cls = w.IntSlider if self.integer else w.FloatSlider
        kwargs = dict(min=self.min, max=self.max, step=self.step, value=self.value, description=self.label,
                      continuous_update=True, style={"description_width": "initial"},
                      layout=w.Layout(width="95%"))
        if not self.integer:
            kwargs["readout_format"] = ".3g"
        return cls(**kwargs)


@dataclass
class Dropdown:
    """A choice among ``options`` (values passed to ``compute``; ``labels`` shown, default = values)."""

    name: str
    label: str
    options: Sequence[Any]
    value: Any
    labels: Optional[Sequence[str]] = None
    description: str = ""

    def __post_init__(self):
        if self.value not in self.options:
            raise ValueError(f"dropdown {self.name!r}: default {self.value!r} not among {list(self.options)}")
        if self.labels is not None and len(self.labels) != len(self.options):
            raise ValueError(f"dropdown {self.name!r}: {len(self.labels)} labels for {len(self.options)} options")

    def check(self, value: Any) -> Any:
        if value not in self.options:
            raise ValueError(f"{self.name}={value!r} is not one of {list(self.options)}")
        return value

    def spec(self) -> Dict[str, Any]:
        return {"name": self.name, "kind": "dropdown", "options": list(self.options), "value": self.value}

    def html(self, uid: str) -> str:
        labels = self.labels or [str(o) for o in self.options]
        opts = "".join(
            f'<option value="{i}"{" selected" if o == self.value else ""}>{_html.escape(lab)}</option>'
            for i, (o, lab) in enumerate(zip(self.options, labels))
        )
        title = f' title="{_html.escape(self.description)}"' if self.description else ""
        return (
            f'<label class="snx-control"{title}><span class="snx-label">{_html.escape(self.label)}</span>'
            f'<select data-control="{self.name}" id="{uid}-{self.name}" aria-label="{_html.escape(self.label)}">{opts}</select>'
            f"<output></output></label>"
        )

    def widget(self):
        import ipywidgets as w

        labels = self.labels or [str(o) for o in self.options]
        return w.Dropdown(options=list(zip(labels, self.options)), value=self.value, description=self.label,
                          style={"description_width": "initial"})


Control = Union[Slider, Dropdown]


# =============================================================================================
# Display mode: live ipywidgets only where a frontend can show them
# =============================================================================================
_MODE_OVERRIDE: Optional[str] = None
_BUILD_MARKERS = ("jupyter-book", "jupyter_book", "sphinx-build", "sphinx/cmd", "myst_nb", "nbconvert", "papermill")


def set_display_mode(mode: Optional[str]) -> None:
    """Force how explorers show themselves: ``"live"`` (ipywidgets), ``"html"`` (kernel-free) or ``None`` (auto)."""
    global _MODE_OVERRIDE
    if mode is not None and mode not in MODES:
        raise ValueError(f"display mode must be one of {MODES} or None, got {mode!r}")
    _MODE_OVERRIDE = mode


def _ancestor_cmdlines(depth: int = 4) -> List[str]:
    """Command lines of this process's parent, grandparent, ... (Linux ``/proc`` only; else ``[]``)."""
    out, pid = [], os.getppid()
    for _ in range(depth):
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if pid <= 1:
            break
    return out


def _building_book() -> bool:
    """True when a book build / batch executor (jupyter-book, sphinx, nbconvert, papermill) runs this kernel."""
    return any(marker in cmd for cmd in _ancestor_cmdlines() for marker in _BUILD_MARKERS)


def display_mode() -> str:
    """``"live"`` where a notebook frontend shows ipywidgets, else ``"html"`` (the kernel-free explorer).

    Order: :func:`set_display_mode`, then ``$SNNLIB_WIDGETS`` (``live``/``html``); a book build or a
    batch executor (no frontend attached) gives ``"html"``; Colab, a Jupyter server session
    (``$JPY_SESSION_NAME``) or VS Code give ``"live"``; anything else ``"html"`` (which is
    interactive too, in any frontend that runs the output's JavaScript).
    """
    if _MODE_OVERRIDE is not None:
        return _MODE_OVERRIDE
    env = os.environ.get(MODE_ENV, "").strip().lower()
    if env:
        if env not in MODES:
            raise ValueError(f"${MODE_ENV} must be one of {MODES}, got {env!r}")
        return env
    if _building_book():
        return "html"
    if "google.colab" in sys.modules or os.environ.get("JPY_SESSION_NAME") or os.environ.get("VSCODE_PID"):
        return "live"
    return "html"


# =============================================================================================
# The explorer
# =============================================================================================
@lru_cache(maxsize=None)
def _read_js(name: str) -> str:
    return (JS_DIR / name).read_text(encoding="utf-8")


def js_source() -> str:
    """The JavaScript runtime inlined into every kernel-free explorer (models, plotting, views)."""
    return "\n".join(_read_js(name) for name in JS_FILES)




def _script_json(obj: Any) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


@dataclass
class Explorer:
    """An interactive figure: controls -> ``compute`` -> ``plot``. See the module docstring.

    Args:
        name: identifier (``"lif"``), used for the page's element ids and tests.
        title: heading shown above the controls.
        controls: the sliders and drop-downs, in display order.
        compute: ``compute(**values) -> dict`` of arrays/numbers to draw.
        plot: ``plot(data, fig)`` draws ``data`` into a matplotlib figure.
        figsize: matplotlib figure size in inches.
        view: name of the kernel-free view in ``snnlib/js/explorer.js`` (``None``: the page shows a
            static picture at the default settings instead).
        static_data: ``() -> dict`` of data shipped inline with the kernel-free explorer (images,
            precomputed frames); passed to the JavaScript view.
        description: one or two sentences shown under the title.
    """

    name: str
    title: str
    controls: List[Control]
    compute: Callable[..., Dict[str, Any]]
    plot: Callable[[Dict[str, Any], Any], None]
    figsize: Tuple[float, float] = (9.0, 4.5)
    view: Optional[str] = None
    static_data: Optional[Callable[[], Dict[str, Any]]] = None
    description: str = ""
    _fixed: Dict[str, Any] = field(default_factory=dict)

    # -- the data -----------------------------------------------------------------------------
    def defaults(self) -> Dict[str, Any]:
        """The controls' default values, by name."""
        return {c.name: c.value for c in self.controls}

    def values(self, **overrides) -> Dict[str, Any]:
        """Defaults updated with ``overrides``, each checked against its control's range."""
        unknown = set(overrides) - {c.name for c in self.controls}
        if unknown:
            raise ValueError(f"explorer {self.name!r} has no control(s) {sorted(unknown)}; "
                             f"controls: {[c.name for c in self.controls]}")
        vals = self.defaults()
        by_name = {c.name: c for c in self.controls}
        for k, v in overrides.items():
            vals[k] = by_name[k].check(v)
        return vals

    def update(self, **overrides) -> Dict[str, Any]:
        """The data the explorer draws for these control values (defaults for the rest)."""
        return self.compute(**self.values(**overrides))

    def figure(self, **overrides):
        """A matplotlib figure of the explorer at these control values."""
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=self.figsize)
        self.plot(self.update(**overrides), fig)
        return fig

    # -- live widgets (Jupyter, Colab) ----------------------------------------------------------
    def widget(self):
        """An ipywidgets box: the controls above an output that redraws on every change."""
        import ipywidgets as w
        import matplotlib.pyplot as plt
        from IPython.display import display

        widgets = {c.name: c.widget() for c in self.controls}
        out = w.Output()

        def redraw(**values):
            with out:
                out.clear_output(wait=True)
                fig = plt.figure(figsize=self.figsize)
                self.plot(self.compute(**values), fig)
                display(fig)
                plt.close(fig)

        w.interactive_output(redraw, widgets)
        controls = w.GridBox(list(widgets.values()),
                             layout=w.Layout(grid_template_columns="repeat(2, 50%)"))
        return w.VBox([w.HTML(f"<b>{_html.escape(self.title)}</b>"), controls, out])

    # -- kernel-free HTML (the rendered book) -----------------------------------------------------
    def html(self, uid: Optional[str] = None) -> str:
        """Self-contained HTML: controls, an SVG plot and the inlined JavaScript model; no kernel, no network.

        ``uid`` is the root element's id (default: ``snnlib-<name>-<random>``), unique per call so that
        several explorers on one page never clash. Without a ``view`` it is a static picture instead.
        """
        if self.view is None:
            return self._static_html()
        uid = uid or f"snnlib-{self.name}-{secrets.token_hex(4)}"
        spec = {"name": self.name, "view": self.view, "controls": [c.spec() for c in self.controls]}
        static = self.static_data() if self.static_data is not None else {}
        controls = "".join(c.html(uid) for c in self.controls)
        desc = f'<div class="snx-desc">{_html.escape(self.description)}</div>' if self.description else ""
        return (
            f'<div class="snnlib-explorer tex2jax_ignore mathjax_ignore" id="{uid}" data-explorer="{self.name}">'
            f"<style>{_read_js('explorer.css')}</style>"
            f'<div class="snx-title">{_html.escape(self.title)}</div>{desc}'
            f'<div class="snx-controls">{controls}</div>'
            f'<div class="snx-plot"></div><div class="snx-readout"></div>'
            f'<div class="snx-foot"><span>Runs in your browser: no kernel needed.</span>'
            f'<button type="button" class="snx-reset">Reset</button></div>'
            f"<noscript>This explorer needs JavaScript; run the notebook to use it.</noscript>"
            f"<script>(function(){{\n{js_source()}\nSNNExplorer.mount({json.dumps(uid)}, {_script_json(spec)}, "
            f"{_script_json(static)});\n}})();</script></div>"
        )

    def _static_html(self) -> str:
        import base64
        import io

        import matplotlib.pyplot as plt

        fig = self.figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
        plt.close(fig)
        png = base64.b64encode(buf.getvalue()).decode()
        settings = _html.escape(json.dumps(self.defaults()))
        return (
            f'<div class="snnlib-explorer" id="snnlib-{self.name}" data-defaults="{settings}">'
            f"<p><b>{_html.escape(self.title)}</b> (at its default settings; run the notebook to move the sliders)</p>"
            f'<img alt="{_html.escape(self.title)}" src="data:image/png;base64,{png}"/></div>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        live_mode = display_mode() == "live"
        # Live: the HTML is only a fallback for frontends without widgets; skip precomputing frames for it.
        fallback = self._static_html() if (live_mode and self.static_data is not None) else self.html()
        bundle = {"text/plain": f"<{self.title}: {', '.join(c.name for c in self.controls)}>", "text/html": fallback}
        if live_mode:
            try:
                if "google.colab" in sys.modules:  # Colab shows ipywidgets 8 through its custom widget manager
                    from google.colab import output  # type: ignore

                    output.enable_custom_widget_manager()
                live = self.widget()._repr_mimebundle_()
            except Exception:  # no ipywidgets or no kernel: the HTML alone
                live = None
            if live:
                bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle


# =============================================================================================
# Shared helpers (mirrored exactly in snnlib/js/models.js)
# =============================================================================================
def mulberry32(seed: int, n: int) -> np.ndarray:
    """``n`` uniform numbers in [0, 1) from the mulberry32 generator (the same stream as the JavaScript's)."""
    m = 0xFFFFFFFF

    def imul(a: int, b: int) -> int:
        return (a * b) & m

    a = seed & m
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        a = (a + 0x6D2B79F5) & m
        t = imul(a ^ (a >> 15), a | 1)
        t = ((t + imul(t ^ (t >> 7), t | 61)) & m) ^ t
        out[i] = ((t ^ (t >> 14)) & m) / 4294967296
    return out


def _linspace(lo: float, hi: float, n: int) -> np.ndarray:
    """``lo + (hi - lo) * i / (n - 1)``, operation for operation as the JavaScript computes it."""
    return np.array([lo + (hi - lo) * i / (n - 1) for i in range(n)], dtype=np.float64)


# =============================================================================================
# Chapter: the LIF neuron — membrane explorer
# =============================================================================================
INPUT_ONSET = 10   # the input switches on after this many steps
NOISE_SEED = 1
LIF_INPUTS = ("step", "pulse", "ramp", "noisy")


def lif_input(shape: str, amplitude: float, num_steps: int) -> np.ndarray:
    """The LIF explorer's input current ``I[1..T]`` as a float64 array ``[T]``.

    ``"step"``: ``amplitude`` from step 11 on (0 before); ``"pulse"``: the same, switched off again
    half-way through the remaining steps; ``"ramp"``: ``amplitude * k / (T - 1)`` for ``k = 0..T-1``;
    ``"noisy"``: ``amplitude * 2u`` (``u`` uniform in [0, 1), seeded, mean ``amplitude``) from step 11 on.
    """
    if shape not in LIF_INPUTS:
        raise ValueError(f"unknown input shape {shape!r}: expected one of {LIF_INPUTS}")
    T = int(num_steps)
    if T < 1:
        raise ValueError(f"num_steps must be >= 1, got {num_steps}")
    k = np.arange(T)
    amp = float(amplitude)
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


def _lif_compute(beta, threshold, amplitude, input, reset, refractory, num_steps):
    import torch

    from . import neurons

    T = int(num_steps)
    cur = lif_input(input, amplitude, T)
    params = neurons.LIFParams(beta=float(beta), threshold=float(threshold), reset=reset, refractory=int(refractory))
    spk, mem = neurons.lif_run(torch.tensor(cur, dtype=torch.float64).reshape(T, 1), params)
    spk = spk[:, 0].detach().numpy()
    mem = mem[:, 0].detach().numpy()
    K = int(refractory)
    blocked = np.zeros(T)
    for j in np.flatnonzero(spk):
        blocked[j + 1:j + 1 + K] = 1.0
    times = np.flatnonzero(spk) + 1
    return {"steps": np.arange(1, T + 1), "current": cur, "mem": mem, "spk": spk, "blocked": blocked,
            "spike_times": times, "n_spikes": int(len(times)), "threshold": float(threshold)}


def _lif_plot(d, fig):
    from .plot import EXC_COLOR, SPIKE_COLOR, THRESHOLD_COLOR

    axs = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.6, 0.6]})
    axs[0].step(d["steps"], d["current"], where="mid", color="#2ca02c")
    axs[0].set_ylabel("input I")
    axs[0].set_title("Input current", loc="left", fontsize=10)
    for j in np.flatnonzero(d["blocked"]):
        axs[1].axvspan(d["steps"][j] - 0.5, d["steps"][j] + 0.5, color="#f1e4fb", lw=0)
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
    controls = [
        Slider("beta", "decay per step \u03b2", 0.5, 1.0, 0.01, 0.9,
               description="beta = exp(-dt/tau): the fraction of the membrane potential kept each step"),
        Slider("threshold", "threshold U_thr", 0.1, 2.0, 0.05, 1.0),
        Slider("amplitude", "input amplitude", 0.0, 0.6, 0.01, 0.15),
        Dropdown("input", "input current", LIF_INPUTS, "step",
                 labels=["step (on at t = 11)", "pulse (step, then off)", "ramp", "noisy step"]),
        Dropdown("reset", "reset after a spike", ("subtract", "zero", "none"), "subtract",
                 labels=["subtract the threshold", "reset to zero", "no reset"]),
        Slider("refractory", "refractory period (steps)", 0, 20, 1, 0, integer=True),
        Slider("num_steps", "number of steps", 20, 300, 10, 150, integer=True),
    ]
    return Explorer(
        name="lif", title="LIF membrane explorer", controls=controls, compute=_lif_compute, plot=_lif_plot,
        figsize=(9.0, 6.0), view="lif",
        description="Drag a slider: the membrane U[t], the threshold and the output spikes are recomputed at once.",
    )


# =============================================================================================
# Chapter: surrogate gradients — surrogate explorer
# =============================================================================================
SURROGATE_U = (-2.0, 2.0, 401)
SURROGATE_W = (0.0, 1.5, 301)
#: The small example whose weight gradient the explorer shows (see ``weightGradient`` in models.js).
GRAD_EXAMPLE = {"beta": 0.9, "threshold": 1.0, "x": 0.5, "num_steps": 20, "target": 4}
SURROGATE_CHOICES = ("arctan", "fast_sigmoid", "sigmoid", "triangle", "straight_through", "none")


def surrogate_weight_gradient(surrogate: str, sharpness: float, w) -> Dict[str, np.ndarray]:
    """Spike count and ``dL/dw`` of the surrogate explorer's example, by autograd through ``lif_run``.

    One LIF neuron (``GRAD_EXAMPLE``: beta, threshold, reset by subtraction) receives the current
    ``w * x`` for ``num_steps`` steps; ``L = (N - target)^2`` with ``N`` its spike count. ``w`` is an
    array of weights ``[W]`` (each a separate neuron: the batch). Returns float64 arrays ``[W]``.
    """
    import torch

    from . import neurons
    from . import surrogate as sg

    ex = GRAD_EXAMPLE
    fn = sg.get(surrogate, sharpness)
    wt = torch.tensor(np.asarray(w, dtype=np.float64), dtype=torch.float64, requires_grad=True)
    cur = (wt * ex["x"]).unsqueeze(0).expand(ex["num_steps"], -1)            # [T, W]
    spk, _ = neurons.lif_run(cur, neurons.LIFParams(beta=ex["beta"], threshold=ex["threshold"]), surrogate=fn)
    count = spk.sum(0)
    loss = (count - ex["target"]) ** 2
    loss.sum().backward()
    return {"grad": wt.grad.detach().numpy().copy(), "count": count.detach().numpy(), "loss": loss.detach().numpy()}


def _surrogate_compute(surrogate, sharpness, weight):
    import torch

    from . import surrogate as sg

    fn = sg.get(surrogate, sharpness)
    u = _linspace(*SURROGATE_U)
    ut = torch.tensor(u, dtype=torch.float64)
    w = _linspace(*SURROGATE_W)
    g = surrogate_weight_gradient(surrogate, sharpness, w)
    at = surrogate_weight_gradient(surrogate, sharpness, [weight])
    return {"u": u, "smooth": np.asarray(fn.smooth(ut).detach(), dtype=np.float64),
            "derivative": np.asarray(fn.derivative(ut).detach(), dtype=np.float64),
            "heaviside": (u > 0).astype(np.float64), "w": w, "grad": g["grad"], "count": g["count"], "loss": g["loss"],
            "at": {"grad": float(at["grad"][0]), "count": float(at["count"][0]), "loss": float(at["loss"][0])},
            "weight": float(weight), "example": dict(GRAD_EXAMPLE)}


def _surrogate_plot(d, fig):
    axs = fig.subplots(1, 3)
    axs[0].plot(d["u"], d["heaviside"], color="black", label="H(u) (forward)")
    axs[0].plot(d["u"], d["smooth"], color="#ff7f0e", ls="--", label="smooth S\u0303(u)")
    axs[0].set_title("Forward and smooth step", fontsize=10)
    axs[0].legend(fontsize=8)
    axs[1].plot(d["u"], d["derivative"], color="#ff7f0e")
    axs[1].set_title("Backward dS/du", fontsize=10)
    axs[2].axhline(0, color="#bbbbbb", lw=1)
    axs[2].plot(d["w"], d["grad"], color="#9467bd")
    axs[2].axvline(d["weight"], color="#666666", ls=":")
    axs[2].plot([d["weight"]], [d["at"]["grad"]], "o", color="#9467bd")
    axs[2].set_title("dL/dw reaching the weight", fontsize=10)
    for ax, xl in zip(axs, ["u = U - U_thr", "u = U - U_thr", "weight w"]):
        ax.set_xlabel(xl)
    fig.tight_layout()


def surrogate_explorer() -> Explorer:
    """The surrogate-gradient chapter's explorer: the surrogate, its sharpness, and a weight.

    Shows the forward step with the smooth function behind the surrogate, the backward derivative,
    and the gradient ``dL/dw`` that reaches a weight in a small example (:func:`surrogate_weight_gradient`:
    autograd through :func:`snnlib.neurons.lif_run` with the chosen :mod:`snnlib.surrogate`).
    """
    from . import surrogate as sg

    available = [s for s in SURROGATE_CHOICES if s in sg.REGISTRY]
    controls = [
        Dropdown("surrogate", "surrogate", available, "arctan" if "arctan" in available else available[0],
                 labels=[s.replace("_", " ") + (" (true derivative: 0)" if s == "none" else "") for s in available]),
        Slider("sharpness", "sharpness", 0.5, 30.0, 0.5, 2.0,
               description="arctan: alpha; fast sigmoid, sigmoid: slope; triangle: sharpness; straight-through: window"),
        Slider("weight", "weight w", 0.0, 1.5, 0.01, 0.25),
    ]
    return Explorer(
        name="surrogate", title="Surrogate gradient explorer", controls=controls, compute=_surrogate_compute,
        plot=_surrogate_plot, figsize=(11.0, 3.6), view="surrogate",
        description="Forward, the spike is always the step H(u); backward, the surrogate's derivative "
                    "decides how much gradient reaches the weight.",
    )


# =============================================================================================
# Precomputed frames: explorers whose model is random or large ship snnlib's results inline
# =============================================================================================
def frame_grid(explorer: Explorer) -> List[Tuple[Any, ...]]:
    """Every combination of the explorer's control values (slider grid points, drop-down options)."""
    import itertools

    axes = []
    for c in explorer.controls:
        if isinstance(c, Slider):
            n = int(round((c.max - c.min) / c.step))
            vals = [c.min + i * c.step for i in range(n + 1)]
            axes.append([int(round(v)) if c.integer else round(float(v), 10) for v in vals])
        else:
            axes.append(list(c.options))
    return list(itertools.product(*axes))


def frame_key(explorer: Explorer, values: Dict[str, Any]) -> str:
    """The frame's key: each control's index in its grid, joined by ``"|"`` (the JavaScript builds the same)."""
    parts = []
    for c in explorer.controls:
        v = values[c.name]
        if isinstance(c, Slider):
            parts.append(str(int(round((v - c.min) / c.step))))
        else:
            parts.append(str(list(c.options).index(v)))
    return "|".join(parts)


def pack_frames(explorer: Explorer, pack: Callable[[Dict[str, Any]], Dict[str, Any]],
                extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Compute ``pack(explorer.update(**values))`` at every grid point; return ``{"zlib": base64}`` for the page.

    The JSON ``{"frames": {key: packed}, **extra}`` is zlib-compressed and base64-encoded; the page
    inflates it with the browser's ``DecompressionStream`` (no library, no network).
    """
    import base64
    import zlib

    names = [c.name for c in explorer.controls]
    frames = {}
    for combo in frame_grid(explorer):
        values = dict(zip(names, combo))
        frames[frame_key(explorer, values)] = pack(explorer.update(**values))
    blob = json.dumps({"frames": frames, **(extra or {})}, separators=(",", ":")).encode()
    return {"zlib": base64.b64encode(zlib.compress(blob, 9)).decode("ascii")}


def unpack_frames(static: Dict[str, Any]) -> Dict[str, Any]:
    """The inverse of :func:`pack_frames` (for tests)."""
    import base64
    import zlib

    return json.loads(zlib.decompress(base64.b64decode(static["zlib"])))


def _sparse_spikes(spikes: np.ndarray) -> Dict[str, Any]:
    """A spike record ``[T, N]`` (values -1/0/1) as the gaps between flat indices ``n * T + t`` (neuron-major)
    of its on and off spikes (small numbers that compress well; the page sums them back)."""
    T, N = spikes.shape
    flat = np.asarray(spikes).T.reshape(-1)

    def gaps(idx):
        return np.diff(idx, prepend=0).tolist()

    return {"T": int(T), "N": int(N), "on": gaps(np.flatnonzero(flat > 0)), "off": gaps(np.flatnonzero(flat < 0))}


# =============================================================================================
# Chapter: spike coding — coding explorer
# =============================================================================================
#: Explorer's scheme choices: (label, encoding scheme, fixed parameters, (level parameter, 3 values)).
CODING_SCHEMES = {
    "rate": ("rate (Bernoulli)", "rate", {"seed": 0}, ("gain", (0.25, 0.5, 1.0))),
    "latency": ("latency (RC, log)", "latency", {"normalize": True}, ("tau", (2.0, 5.0, 10.0))),
    "latency_linear": ("latency (linear, background dropped)", "latency",
                       {"linear": True, "normalize": True, "drop_background": True}, ("threshold", (0.01, 0.1, 0.3))),
    "rank_order": ("rank order", "rank_order", {}, ("threshold", (0.0, 0.2, 0.5))),
    "phase": ("phase", "phase", {}, ("period", (4, 8, 16))),
    "burst": ("burst", "burst", {}, ("n_max", (2, 3, 5))),
    "population": ("population (Gaussian fields)", "population", {"seed": 0}, ("gain", (0.25, 0.5, 1.0))),
    "delta": ("delta modulation (fade-in)", "delta", {}, ("threshold", (0.05, 0.1, 0.2))),
}
#: Indices of the bundled MNIST test digits the coding explorer offers.
CODING_DIGITS = (0, 1, 3)


@lru_cache(maxsize=1)
def _coding_images():
    from . import data

    images, labels = data.load_mnist("test", source="bundled")
    return images, labels


def coding_params(scheme: str, level: int) -> Tuple[str, Dict[str, Any]]:
    """``(encoding scheme, params)`` of the coding explorer's ``scheme`` choice at ``level`` (1, 2 or 3)."""
    if scheme not in CODING_SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}: expected one of {list(CODING_SCHEMES)}")
    _, name, fixed, (pname, levels) = CODING_SCHEMES[scheme]
    return name, {**fixed, pname: levels[int(level) - 1]}


def _coding_compute(scheme, num_steps, level, digit):
    import torch

    from . import encoding

    images, labels = _coding_images()
    x = images[int(digit)].to(torch.float64) / 255
    name, params = coding_params(scheme, level)
    T = int(num_steps)
    out = {"x": x.numpy(), "label": int(labels[int(digit)]), "scheme": scheme, "params": params, "error": None}
    try:
        spikes = encoding.encode(name, x, T, **params)
        decoded = encoding.decode(name, spikes, **params)
    except ValueError as err:  # e.g. a burst that does not fit in T steps
        out.update(spikes=np.zeros((T, 784)), decoded=np.zeros((28, 28)), n_spikes=0, mae=float("nan"),
                   rows="pixels", error=str(err))
        return out
    if name == "population":
        # [T, 28, 28, M]: show the middle row's 28 pixels, each with its M neurons.
        rec = spikes[:, 14].reshape(T, -1)
        rows = f"neurons of row 14 ({spikes.shape[-1]} per pixel)"
    else:
        rec = spikes.reshape(T, -1)
        rows = "pixels (row by row)"
    out.update(spikes=rec.numpy(), decoded=decoded.detach().numpy(), n_spikes=int((spikes != 0).sum()),
               mae=float((decoded - x).abs().mean()), rows=rows)
    return out


def _coding_pack(d):
    return {**_sparse_spikes(d["spikes"]), "decoded": np.round(np.asarray(d["decoded"]) * 100).astype(int).reshape(-1).tolist(),
            "n_spikes": d["n_spikes"], "mae": None if not np.isfinite(d["mae"]) else round(d["mae"], 6),
            "rows": d["rows"], "error": d["error"]}


def _coding_plot(d, fig):
    gs = fig.add_gridspec(2, 3, width_ratios=[3.2, 1, 1])
    ax = fig.add_subplot(gs[:, 0])
    sp = np.asarray(d["spikes"])
    t_on, n_on = np.nonzero(sp > 0)
    t_off, n_off = np.nonzero(sp < 0)
    ax.scatter(t_on, n_on, s=1.5, c="black", marker="|")
    ax.scatter(t_off, n_off, s=1.5, c="#d62728", marker="|")
    ax.set_xlim(-0.5, sp.shape[0] - 0.5)
    ax.set_ylim(sp.shape[1], -1)
    ax.set_xlabel("time step")
    ax.set_ylabel(d["rows"])
    ax.set_title(f"{CODING_SCHEMES[d['scheme']][0]}: {d['n_spikes']} spikes", fontsize=10)
    for k, (img, title) in enumerate([(d["x"], f"input (a {d['label']})"), (d["decoded"], f"decoded (MAE {d['mae']:.3f})")]):
        a = fig.add_subplot(gs[k, 1:])
        a.imshow(np.asarray(img), cmap="gray_r", vmin=0, vmax=1)
        a.set_title(title, fontsize=10)
        a.axis("off")
    fig.tight_layout()


def coding_explorer() -> Explorer:
    """The spike-coding chapter's explorer: scheme, number of steps, gain/time constant, digit.

    Its data come from :func:`snnlib.encoding.encode` / :func:`~snnlib.encoding.decode` on bundled MNIST
    test digits (random codes seeded). In the book the explorer ships these results precomputed for
    every grid point (``pack_frames``: 8 schemes x 4 lengths x 3 levels x 3 digits), so the page shows
    exactly snnlib's spikes with no kernel.
    """
    images, labels = _coding_images()
    controls = [
        Dropdown("scheme", "coding scheme", list(CODING_SCHEMES), "rate", labels=[v[0] for v in CODING_SCHEMES.values()]),
        Slider("num_steps", "number of steps T", 10, 40, 10, 30, integer=True),
        Slider("level", "code parameter, level 1-3", 1, 3, 1, 2, integer=True,
               description="the scheme's main parameter: low, middle or high (its value is shown beside the label)"),
        Dropdown("digit", "digit", list(CODING_DIGITS), CODING_DIGITS[0],
                 labels=[f"a {int(labels[i])} (test image {i})" for i in CODING_DIGITS]),
    ]
    ex = Explorer(name="coding", title="Spike coding explorer", controls=controls, compute=_coding_compute,
                  plot=_coding_plot, figsize=(10.0, 4.6), view="coding",
                  description="Choose a code: the raster shows every input's spikes over time, the images the digit "
                              "and what a decoder reads back from the spikes.")

    def static():
        digits = {str(i): np.round(images[i].numpy() / 255 * 100).astype(int).reshape(-1).tolist() for i in CODING_DIGITS}
        levels = {k: {"param": v[3][0], "values": list(v[3][1]), "label": v[0]} for k, v in CODING_SCHEMES.items()}
        return pack_frames(ex, _coding_pack, {"digits": digits, "levels": levels,
                                              "labels": {str(i): int(labels[i]) for i in CODING_DIGITS}})

    ex.static_data = _cache_static(static)
    return ex


def _cache_static(fn: Callable[[], Dict[str, Any]]) -> Callable[[], Dict[str, Any]]:
    cache: Dict[str, Any] = {}

    def wrapper():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    return wrapper


# =============================================================================================
# Chapter: neural circuits — circuit explorer
# =============================================================================================
CIRCUIT_STEPS = 200
CIRCUIT_LABELS = {
    "feedforward_excitation": "feed-forward excitation",
    "feedforward_inhibition": "feed-forward inhibition",
    "feedback_inhibition": "feedback inhibition",
    "lateral_inhibition": "lateral inhibition",
}


def _circuit_compute(motif, inhibition, delay, input_level):
    from . import circuits

    run = circuits.run_motif(motif, float(inhibition), int(delay), float(input_level), num_steps=CIRCUIT_STEPS, seed=0)
    return {
        "motif": motif,
        "populations": list(run.populations),
        "kinds": dict(run.kinds),
        "spikes": {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v) for k, v in run.spikes.items()},
        "rates": {k: float(v) for k, v in run.rates.items()},
        "neuron_rates": {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
                         for k, v in run.neuron_rates.items()},
        "summary": {k: float(v) for k, v in run.summary.items()},
        "num_steps": CIRCUIT_STEPS,
    }


def _circuit_pack(d):
    # The input spikes depend only on (motif, input level, seed): shipped once per pair (see circuit_explorer).
    return {"populations": d["populations"], "kinds": d["kinds"],
            "spikes": {k: _sparse_spikes(v) for k, v in d["spikes"].items() if k != "input"},
            "rates": {k: round(v, 6) for k, v in d["rates"].items()},
            "neuron_rates": {k: np.round(v, 4).tolist() for k, v in d["neuron_rates"].items()},
            "summary": {k: (None if not np.isfinite(v) else round(v, 6)) for k, v in d["summary"].items()}}


_KIND_COLORS = {"input": "#7f7f7f", "excitatory": "#1f77b4", "inhibitory": "#d62728"}


def _circuit_plot(d, fig):
    pops = d["populations"]
    sizes = [d["spikes"][p].shape[1] for p in pops]
    gs = fig.add_gridspec(len(pops), 2, width_ratios=[3.4, 1], height_ratios=[max(s, 4) for s in sizes])
    for i, p in enumerate(pops):
        ax = fig.add_subplot(gs[i, 0])
        t, n = np.nonzero(d["spikes"][p])
        ax.scatter(t, n, s=4, marker="|", c=_KIND_COLORS.get(d["kinds"][p], "black"))
        ax.set_xlim(0, d["num_steps"])
        ax.set_ylim(sizes[i] - 0.5, -0.5)
        ax.set_ylabel(p)
        if i < len(pops) - 1:
            ax.set_xticklabels([])
    ax.set_xlabel("time step")
    axr = fig.add_subplot(gs[:, 1])
    axr.barh(range(len(pops)), [d["rates"][p] for p in pops], color=[_KIND_COLORS.get(d["kinds"][p], "k") for p in pops])
    axr.set_yticks(range(len(pops)), pops)
    axr.invert_yaxis()
    axr.set_xlabel("rate (spikes/step)")
    fig.suptitle(CIRCUIT_LABELS.get(d["motif"], d["motif"]), fontsize=11)
    fig.tight_layout()


def circuit_explorer() -> Explorer:
    """The neural-circuits chapter's explorer: motif, inhibition strength, delay, input level.

    Its data come from :func:`snnlib.circuits.run_motif` (seeded Poisson input). In the book it ships
    snnlib's results for every grid point (4 motifs x 5 strengths x 3 delays x 3 input levels),
    precomputed, so the page draws exactly the library's rasters and rates with no kernel.
    """
    from . import circuits

    motifs = [m for m in circuits.MOTIFS]
    controls = [
        Dropdown("motif", "motif", motifs, motifs[0], labels=[CIRCUIT_LABELS.get(m, m) for m in motifs]),
        Slider("inhibition", "inhibition strength", 0.0, 2.0, 0.5, 1.0),
        Slider("delay", "synaptic delay (steps)", 1, 5, 2, 1, integer=True),
        Slider("input_level", "input level (spike probability per step)", 0.1, 0.5, 0.2, 0.3),
    ]
    ex = Explorer(name="circuit", title="Neural circuit explorer", controls=controls, compute=_circuit_compute,
                  plot=_circuit_plot, figsize=(10.0, 5.5), view="circuit",
                  description="Pick a motif and turn the inhibition up or down: the rasters show every population's "
                              "spikes, the bars their mean rates.")

    def static():
        inputs = {}
        levels = next(c for c in controls if c.name == "input_level")
        n_levels = int(round((levels.max - levels.min) / levels.step)) + 1
        for mi, m in enumerate(motifs):
            for li in range(n_levels):
                lvl = round(levels.min + li * levels.step, 10)
                d = ex.update(motif=m, input_level=lvl)
                inputs[f"{mi}|{li}"] = _sparse_spikes(d["spikes"]["input"])
        return pack_frames(ex, _circuit_pack, {"inputs": inputs, "labels": CIRCUIT_LABELS})

    ex.static_data = _cache_static(static)
    return ex
