"""The "From ANN to SNN" chapter's explorer: accuracy against time steps over precomputed results.

Converting a network takes minutes on full MNIST, too long for a slider, so this explorer reads the
measured results of ``python -m snnlib.conversion`` (``benchmarks/results/conversion_<net>.json``):
the sweep of every normalisation (none, or a percentile of the training activations: 99, 99.9,
99.99 and 100 %, the maximum) and reset (by subtraction, to zero) at every number of steps T, on
test images spread over the test set. Its controls pick the network, the reset, the method, the
percentile and T; it draws the accuracy-vs-T curves of that network and reset, the chosen one
highlighted with a dot at T, and reads out the ANN's and the SNN's accuracy there and the gap.

The sliders move over what was measured: the percentile slider's stops are the percentiles in the
results and the step slider's the step counts (:class:`StopSlider`, a slider over labelled stops).
The kernel-free page embeds the same grid (:func:`conversion_grid`) and its view,
``snnlib/js/conversion.js``, recomputes the notes and the read-out in the browser exactly as
:func:`_readout` and :func:`_notes` do here (``tests/test_conversion_explorer.py`` checks it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from .. import _checks
from ..conversion import NETWORKS, NORMALISATIONS, RESETS
from ..plot.palette import ACCENT_COLOR, EXC_COLOR, THRESHOLD_COLOR, ZERO_LINE_COLOR
from .controls import Dropdown, Slider, attr, set_tooltip
from .explorer import Explorer
from .runtime import js_fmt, js_round

# StopSlider and conversion_grid are importable from here but not exported: the bad-input grid
# (tests/grid_valid.py, not this chapter's) would need valid examples for them.
__all__ = ["CONVERSION_RESULTS", "CONVERSION_NETS", "CONVERSION_METHODS", "conversion_results", "conversion_explorer"]

#: Where ``python -m snnlib.conversion`` results are committed (a checkout of the book).
CONVERSION_RESULTS = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "results"
#: The networks' names as the explorer shows them.
CONVERSION_NETS: Dict[str, str] = {"mlp": "784-1000-10 MLP", "cnn": "CNN"}
#: The normalisation methods: data-based (a percentile of the training activations) or none.
CONVERSION_METHODS: Dict[str, str] = {"percentile": "data-based (a percentile)", "none": "none (raw weights)"}
_RESET_TEXT = {"subtract": "by subtraction", "zero": "to zero"}
#: The reason the percentile slider is disabled without normalisation (one definition, the page's too).
NO_PERCENTILE = "no normalisation: \u03bb = 1 in every layer"


@dataclass
class StopSlider(Slider):
    """A slider over labelled stops: its value is the stop's index ``0..len(stops)-1``, its read-out the label.

    For values that are not evenly spaced (percentiles 99, 99.9, 99.99, 100; step counts 8, 16, ..., 256):
    ``compute`` receives the index. Build it as ``StopSlider(name, label, 0, n - 1, 1, index,
    integer=True, description=..., stops=labels)``; the live version is an ipywidgets
    ``SelectionSlider`` showing the labels, the page's ``<output>`` shows them too.
    """

    stops: Sequence[str] = ()

    def __post_init__(self):
        super().__post_init__()
        who = f"StopSlider({self.name!r})"
        if isinstance(self.stops, str) or not isinstance(self.stops, Sequence):
            raise TypeError(f"{who}.stops must be a sequence of labels, got {_checks.describe(self.stops)}")
        if not self.integer or self.min != 0 or self.step != 1 or self.max != len(self.stops) - 1:
            raise ValueError(f"{who} must be an integer slider over 0..{len(self.stops) - 1} in steps of 1 (one per stop)")
        for i, s in enumerate(self.stops):
            if not isinstance(s, str) or not s:
                raise TypeError(f"{who}.stops[{i}] must be a non-empty string, got {_checks.describe(s)}")

    def spec(self) -> Dict[str, Any]:
        return {**super().spec(), "stops": list(self.stops)}

    def html(self, uid: str) -> str:
        page = super().html(uid)
        head, _, _ = page.rpartition(f">{int(self.value)}</output>")
        return f"{head}>{attr(self.stops[int(self.value)])}</output></label>"

    def widget(self):
        import ipywidgets as w

        widget = w.SelectionSlider(
            options=[(s, i) for i, s in enumerate(self.stops)],
            value=int(self.value),
            description=self.label,
            continuous_update=True,
            style={"description_width": "initial"},
            layout=w.Layout(width="95%"),
        )
        set_tooltip(widget, self.description)
        return widget


# ------------------------------------------------------------------------------------------------
# The data: the results' sweep as a grid
# ------------------------------------------------------------------------------------------------
def conversion_results(paths: Optional[Mapping[str, Union[str, Path]]] = None) -> Dict[str, dict]:
    """The results of ``python -m snnlib.conversion``, by network: ``{net: record}``.

    ``paths``: ``{net: path of its JSON}``; by default ``benchmarks/results/conversion_<net>.json`` of
    the book's checkout for each network in :data:`snnlib.conversion.NETWORKS` (those that exist;
    ``{}`` when none does, e.g. snnlib installed without the book).
    """
    import json

    if paths is None:
        paths = {n: CONVERSION_RESULTS / f"conversion_{n}.json" for n in NETWORKS}
        paths = {n: p for n, p in paths.items() if p.exists()}
    if not isinstance(paths, Mapping):
        raise TypeError(f"paths must be a mapping network -> JSON path, got {_checks.describe(paths)}")
    out = {}
    for net, p in paths.items():
        if not isinstance(p, (str, Path)):
            raise TypeError(f"paths[{net!r}] must be a path, got {_checks.describe(p)}")
        path = Path(p)
        if not path.is_file():
            raise FileNotFoundError(f"paths[{net!r}]: no results file {path} (python -m snnlib.conversion --json writes it)")
        try:
            out[net] = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise ValueError(f"paths[{net!r}]: {path} is not valid JSON ({err})") from None
    return out


def _accuracy(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or not 0.0 <= x <= 1.0:
        raise ValueError(f"{where} must be an accuracy in [0, 1], got {x!r}")
    return float(x)


def _count(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
        raise ValueError(f"{where} must be a count >= 0, got {x!r}")
    return float(x)


def _by_steps(row: Mapping, key: str, steps: List[int], where: str, check) -> List[float]:
    table = row.get(key)
    if not isinstance(table, Mapping):
        raise ValueError(f"{where}[{key!r}] must map step counts to numbers, got {_checks.describe(table)}")
    got = sorted(int(t) for t in table)
    if got != steps:
        raise ValueError(f"{where}[{key!r}] has step counts {got}, the other rows {steps}")
    return [check(table[str(t)], f"{where}[{key!r}][{str(t)!r}]") for t in steps]


def _net_grid(net: str, record: Any) -> Dict[str, Any]:
    """One network's sweep: ``{ann_accuracy, num_test, num_steps, curves: {norm: {reset: {accuracy, spikes}}}, scales}``."""
    where = f"results[{net!r}]"
    if not isinstance(record, Mapping):
        raise TypeError(f"{where} must be a record of python -m snnlib.conversion (a dict), got {_checks.describe(record)}")
    sweep = record.get("sweep")
    if not isinstance(sweep, Mapping) or not isinstance(sweep.get("rows"), list) or not sweep["rows"]:
        raise ValueError(f"{where} has no 'sweep' with rows: run python -m snnlib.conversion without --no-sweep")
    num_test = _checks.integer(sweep.get("num_test"), f"{where}['sweep']['num_test']", 1)
    ann = _accuracy(sweep.get("ann_accuracy"), f"{where}['sweep']['ann_accuracy']")
    steps: Optional[List[int]] = None
    curves: Dict[str, Dict[str, Dict[str, List[float]]]] = {}
    for i, row in enumerate(sweep["rows"]):
        rw = f"{where}['sweep']['rows'][{i}]"
        if not isinstance(row, Mapping):
            raise TypeError(f"{rw} must be a dict, got {_checks.describe(row)}")
        if row.get("input", "analog") != "analog":
            continue  # the explorer shows the analog input; the chapter shows rate-coded input
        norm, reset = row.get("normalisation"), row.get("reset")
        if norm not in NORMALISATIONS:
            raise ValueError(f"{rw}['normalisation'] = {norm!r} is not one of {list(NORMALISATIONS)}")
        if reset not in RESETS:
            raise ValueError(f"{rw}['reset'] = {reset!r} is not one of {list(RESETS)}")
        if steps is None:
            if not isinstance(row.get("accuracy"), Mapping) or not row["accuracy"]:
                raise ValueError(f"{rw}['accuracy'] must map step counts to accuracies")
            steps = sorted(_checks.integer(int(t), f"{rw} step count", 1) for t in row["accuracy"])
        if reset in curves.get(norm, {}):
            raise ValueError(f"{rw} repeats normalisation {norm!r} with reset {reset!r}")
        curves.setdefault(norm, {})[reset] = {
            "accuracy": _by_steps(row, "accuracy", steps, rw, _accuracy),
            "spikes": _by_steps(row, "spikes_per_image", steps, rw, _count),
        }
    if steps is None:
        raise ValueError(f"{where}['sweep'] has no row with analog input")
    scales = record.get("scales", {})
    return {
        "ann_accuracy": ann,
        "num_test": num_test,
        "num_steps": steps,
        "curves": curves,
        "scales": {k: [float(x) for x in v] for k, v in scales.items() if k in curves} if isinstance(scales, Mapping) else {},
    }


def conversion_grid(results: Mapping[str, Any]) -> Dict[str, Any]:
    """The explorer's data from ``results`` (``{net: record}``, :func:`conversion_results`): checked and regular.

    Returns ``{"nets": [...], "labels": {net: name}, "percentiles": [{"name", "percentile", "label", "text"}],
    "resets": [...], "methods": [...], "num_steps": [...], "results": {net: grid}}``, each grid
    ``{ann_accuracy, num_test, num_steps, curves: {normalisation: {reset: {"accuracy": [...],
    "spikes": [...]}}}, scales}`` (lists in the order of ``num_steps``). Every network must hold the
    same normalisations, resets and step counts (else a :class:`ValueError` naming what differs).
    """
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a mapping network -> record, got {_checks.describe(results)}")
    if not results:
        raise ValueError(
            "results is empty: no conversion results found (python -m snnlib.conversion --net mlp --json "
            f"{CONVERSION_RESULTS / 'conversion_mlp.json'} writes them)"
        )
    unknown = [n for n in results if n not in CONVERSION_NETS]
    if unknown:
        raise ValueError(f"results has unknown networks {unknown}; expected some of {list(CONVERSION_NETS)}")
    nets = [n for n in CONVERSION_NETS if n in results]
    grids = {n: _net_grid(n, results[n]) for n in nets}
    first = grids[nets[0]]
    layout = {n: (g["num_steps"], {k: sorted(v) for k, v in g["curves"].items()}) for n, g in grids.items()}
    for n in nets[1:]:
        if layout[n] != layout[nets[0]]:
            raise ValueError(
                f"results[{n!r}] and results[{nets[0]!r}] must sweep the same step counts, normalisations and resets; "
                f"got {layout[n]} and {layout[nets[0]]}"
            )
    norms = first["curves"]
    resets = [r for r in RESETS if all(r in v for v in norms.values())]
    if len(resets) != len({r for v in norms.values() for r in v}):
        raise ValueError(f"every normalisation must be measured with the same resets, got {layout[nets[0]][1]}")
    pcts = sorted((NORMALISATIONS[k], k) for k in norms if NORMALISATIONS[k] is not None)
    methods = [m for m in CONVERSION_METHODS if (m == "none" and "none" in norms) or (m == "percentile" and pcts)]
    return {
        "nets": nets,
        "labels": {n: CONVERSION_NETS[n] for n in nets},
        "percentiles": [
            {
                "name": k,
                "percentile": p,
                "label": f"{js_fmt(p)} %",
                "text": "maximum" if p == 100.0 else f"{js_fmt(p)}th percentile",
            }
            for p, k in pcts
        ],
        "resets": resets,
        "methods": methods,
        "num_steps": list(first["num_steps"]),
        "results": grids,
    }


# ------------------------------------------------------------------------------------------------
# compute, text, plot
# ------------------------------------------------------------------------------------------------
def _normalisation(grid: Mapping, v: Mapping) -> str:
    return "none" if v["method"] == "none" else grid["percentiles"][v["percentile"]]["name"]


def _compute(grid: Mapping, v: Mapping) -> Dict[str, Any]:
    g = grid["results"][v["net"]]
    norm = _normalisation(grid, v)
    i = v["steps"]
    curve = g["curves"][norm][v["reset"]]
    acc = curve["accuracy"][i]
    return {
        "net": v["net"],
        "reset": v["reset"],
        "normalisation": norm,
        "num_steps": np.asarray(g["num_steps"], dtype=np.int64),
        "curves": {k: np.asarray(c[v["reset"]]["accuracy"], dtype=np.float64) for k, c in g["curves"].items()},
        "T": int(g["num_steps"][i]),
        "accuracy": acc,
        "ann_accuracy": g["ann_accuracy"],
        "gap_points": 100.0 * (acc - g["ann_accuracy"]),
        "spikes_per_image": curve["spikes"][i],
        "num_test": g["num_test"],
    }


def _fixed(x: float, digits: int) -> str:
    """``(Math.round(x * 10**d) / 10**d).toFixed(d)``, as the page prints it."""
    return f"{js_round(x, digits):.{digits}f}"


def _readout(grid: Mapping, d: Mapping, v: Mapping) -> str:
    """The line under the plot (``readout`` of ``snnlib/js/conversion.js``, character for character)."""
    gap = _fixed(d["gap_points"], 2)
    norm = "no normalisation" if d["normalisation"] == "none" else grid["percentiles"][v["percentile"]]["text"]
    return (
        f"{grid['labels'][d['net']]}, {norm}, reset {_RESET_TEXT[d['reset']]}, T = {d['T']}: "
        f"SNN {_fixed(100 * d['accuracy'], 2)} %, ANN {_fixed(100 * d['ann_accuracy'], 2)} %, "
        f"gap {'' if gap.startswith('-') else '+'}{gap} points; {int(js_round(d['spikes_per_image']))} spikes per image "
        f"({d['num_test']} test images)."
    )


def _notes(grid: Mapping, v: Mapping) -> Dict[str, str]:
    """The layer scales of the chosen percentile beside its slider (``notes`` of conversion.js)."""
    if v["method"] == "none":
        return {}
    scales = grid["results"][v["net"]]["scales"].get(_normalisation(grid, v))
    return {"percentile": "\u03bb = " + ", ".join(js_fmt(js_round(s, 2)) for s in scales)} if scales else {}


def _inactive(v: Mapping) -> Dict[str, str]:
    return {"percentile": NO_PERCENTILE} if v["method"] == "none" else {}


def _plot(d, fig):
    """Accuracy (%) against T (log scale): every normalisation of this network and reset, the chosen one
    highlighted, the ANN's accuracy dashed, a dot at the chosen T; returns the updater."""
    ax = fig.add_subplot(1, 1, 1)
    names = list(d["curves"])
    ts = d["num_steps"]
    faded = {k: ax.plot(ts, 100 * d["curves"][k], color=ZERO_LINE_COLOR, lw=1.2, marker="o", ms=2.5)[0] for k in names}
    (chosen,) = ax.plot(ts, 100 * d["curves"][d["normalisation"]], color=EXC_COLOR, lw=2.4, marker="o", ms=4, label="chosen")
    ann = ax.axhline(100 * d["ann_accuracy"], color=THRESHOLD_COLOR, ls="--", lw=1.2, label="ANN")
    (dot,) = ax.plot([d["T"]], [100 * d["accuracy"]], "o", color=ACCENT_COLOR, ms=9, zorder=5, label="at T")
    faded[names[0]].set_label("other normalisations")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(ts), [str(t) for t in ts])
    ax.minorticks_off()
    ax.set_xlabel("time steps T")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=4, frameon=False, borderaxespad=0.2)

    def update(d) -> bool:
        if list(d["curves"]) != names or list(d["num_steps"]) != list(ts):
            return False
        for k, line in faded.items():
            line.set_ydata(100 * d["curves"][k])
        chosen.set_ydata(100 * d["curves"][d["normalisation"]])
        ann.set_ydata([100 * d["ann_accuracy"]] * 2)
        dot.set_data([d["T"]], [100 * d["accuracy"]])
        ax.set_ylim(*_ylim(d))
        return True

    update(d)
    fig.tight_layout()
    return update


def _ylim(d) -> tuple:
    """The accuracy range shown: the normalised curves, the chosen one and the ANN (``ylim`` in conversion.js)."""
    shown = [c for k, c in d["curves"].items() if k != "none"] + [d["curves"][d["normalisation"]], [d["ann_accuracy"]]]
    lo = min(float(np.min(c)) for c in shown) * 100
    hi = max(float(np.max(c)) for c in shown) * 100
    pad = max(hi - lo, 0.5) * 0.08
    return lo - pad, hi + pad


def conversion_explorer(results: Optional[Mapping[str, Any]] = None) -> Explorer:
    """The chapter's explorer over ``results`` (``{net: record}``; default :func:`conversion_results`).

    Controls: the network, the reset, the normalisation method (data-based or none), the percentile
    (a :class:`StopSlider` over the percentiles measured, disabled without normalisation) and the
    number of steps T (a :class:`StopSlider` over the step counts measured). ``update(**values)``
    returns the curves of that network and reset, T, the SNN's and the ANN's accuracy there, the gap
    in points, the spikes per image and the number of test images.
    """
    if results is None:
        results = conversion_results()
    grid = conversion_grid(results)
    pcts = grid["percentiles"]
    steps = grid["num_steps"]
    p_default = next((i for i, p in enumerate(pcts) if p["name"] == "p99.9"), max(len(pcts) - 1, 0))
    t_default = min(range(len(steps)), key=lambda i: abs(steps[i] - 16))
    menus = (
        ("net", "network", grid["nets"], grid["labels"], "the converted ReLU network (trained on full MNIST)"),
        (
            "reset",
            "reset",
            grid["resets"],
            _RESET_TEXT,
            "what a spike does to the membrane: subtract the threshold, or set it to zero",
        ),
        (
            "method",
            "normalisation",
            grid["methods"],
            CONVERSION_METHODS,
            "scale each layer by a percentile of its training activations, or keep the raw weights",
        ),
    )
    controls = [
        Dropdown(n, lab, opts, opts[0], labels=[names[o] for o in opts], description=d) for n, lab, opts, names, d in menus
    ]
    if len(pcts) > 1:
        controls.append(
            StopSlider(
                "percentile",
                "percentile of the activations",
                0,
                len(pcts) - 1,
                1,
                p_default,
                integer=True,
                description="the percentile of each layer's positive training "
                "activations that becomes one spike per step (100 %: the maximum)",
                stops=[p["label"] for p in pcts],
            )
        )
    controls.append(
        StopSlider(
            "steps",
            "time steps T",
            0,
            len(steps) - 1,
            1,
            t_default,
            integer=True,
            description="how many steps the converted network runs per image",
            stops=[str(t) for t in steps],
        )
    )

    def values(v):
        return {"percentile": p_default, **v}  # without a percentile slider (one percentile or none), the default

    def compute(**v):
        return _compute(grid, values(v))

    return Explorer(
        name="conversion",
        title="ANN-to-SNN conversion explorer",
        controls=controls,
        compute=compute,
        plot=_plot,
        figsize=(6.9, 3.0),
        view="conversion",
        view_js="conversion.js",
        static_data=lambda: grid,
        description="Measured results on full MNIST: move T and the percentile and see how close the converted "
        "network comes to its ANN (test images spread over the test set; analog input).",
        notes=lambda v: _notes(grid, values(v)),
        readout=lambda d, v: _readout(grid, d, values(v)),
        inactive=lambda v: _inactive(v) if len(pcts) > 1 else {},
    )
