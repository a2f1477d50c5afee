"""The book's colours, declared once.

Every colour a figure of :mod:`snnlib.plot` or :mod:`snnlib.widgets` draws with comes from here,
and so do the colours of the kernel-free explorers: :data:`BROWSER` is inlined into every
explorer's page (``snnlib.widgets.runtime.js_source``) as the JavaScript object ``SNNPalette``
that ``snnlib/js/plot.js`` and ``snnlib/js/explorer.js`` draw with.
"""

from __future__ import annotations

from typing import Dict

__all__ = [
    "EXC_COLOR",
    "INH_COLOR",
    "SPIKE_COLOR",
    "THRESHOLD_COLOR",
    "INPUT_COLOR",
    "CURRENT_COLOR",
    "ACCENT_COLOR",
    "GRADIENT_COLOR",
    "DECAY_COLOR",
    "REFRACTORY_COLOR",
    "MUTED_COLOR",
    "ZERO_LINE_COLOR",
    "RAW_COLOR",
    "SEPARATOR_COLOR",
    "REGION_COLORS",
    "GRAPH_NODE_COLORS",
    "KIND_COLORS",
    "INK_COLOR",
    "PAPER_COLOR",
    "IMAGE_CMAP",
    "INK_CMAP",
    "COUNT_CMAP",
    "BROWSER",
]

#: Excitatory neurons and synapses; the main trace of a figure (membranes, curves, bars).
EXC_COLOR = "#1f77b4"
#: Inhibitory neurons and synapses; off spikes (delta code); annotations.
INH_COLOR = "#d62728"
#: Spikes (raster ticks, spike markers) and the Heaviside step.
SPIKE_COLOR = "black"
#: Threshold lines; "before" and slower results.
THRESHOLD_COLOR = "#7f7f7f"
#: Input lines and input populations in circuit diagrams and rasters.
INPUT_COLOR = "#7f7f7f"
#: Input currents; target times.
CURRENT_COLOR = "#2ca02c"
#: The decay ``beta`` in the unrolled graph (the colour of input currents).
DECAY_COLOR = CURRENT_COLOR
#: A second series: the surrogate's smooth function and derivative; class 1.
ACCENT_COLOR = "#ff7f0e"
#: Gradients reaching a weight.
GRADIENT_COLOR = "#9467bd"
#: Refractory steps (shaded).
REFRACTORY_COLOR = "#f1e4fb"
#: Markers of the current setting (a weight's position) and secondary text.
MUTED_COLOR = "#666666"
#: The zero line of a gradient.
ZERO_LINE_COLOR = "#bbbbbb"
#: Raw values under a running mean (the loss per step).
RAW_COLOR = "#c7c7c7"
#: Lines between the populations of a stacked raster.
SEPARATOR_COLOR = "0.85"
#: The decision regions of classes 0 and 1.
REGION_COLORS = ("#c6dbef", "#fdd0a2")
#: The nodes of the unrolled computational graph: inputs, currents, membranes, spikes, losses.
GRAPH_NODE_COLORS: Dict[str, str] = {"X": "#dddddd", "I": "#c6dbef", "U": "#9ecae1", "S": "#fdd0a2", "L": "#e5f5e0"}
#: Outlines, arrows and exact (analytic) curves.
INK_COLOR = "black"
#: Text on coloured shapes, label boxes, the page's background.
PAPER_COLOR = "#ffffff"
#: Images of intensities in [0, 1] (white = 1).
IMAGE_CMAP = "gray"
#: Digits drawn as ink (black = 1).
INK_CMAP = "gray_r"
#: Spike counts.
COUNT_CMAP = "magma"
#: A population's colour by its kind (``snnlib.circuits`` results' ``kinds``).
KIND_COLORS: Dict[str, str] = {"input": INPUT_COLOR, "excitatory": EXC_COLOR, "inhibitory": INH_COLOR}

#: The kernel-free explorers' colours by role (``SNNPalette`` in the page's JavaScript): the roles
#: above, plus the page's own axes (``grid``, ``text``, ``frame``, ``background``).
BROWSER: Dict[str, object] = {
    "exc": EXC_COLOR,
    "inh": INH_COLOR,
    "spike": SPIKE_COLOR,
    "threshold": THRESHOLD_COLOR,
    "current": CURRENT_COLOR,
    "accent": ACCENT_COLOR,
    "gradient": GRADIENT_COLOR,
    "refractory": REFRACTORY_COLOR,
    "muted": MUTED_COLOR,
    "zero": ZERO_LINE_COLOR,
    "grid": "#e6e6e6",
    "text": "#222222",
    "frame": "#999999",
    "background": PAPER_COLOR,
    "kinds": dict(KIND_COLORS),
}
