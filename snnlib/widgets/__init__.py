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
:func:`coding_explorer`, :func:`circuit_explorer`,
:func:`conversion_explorer`, :func:`stdp_explorer`; a notebook cell ends with that call.

How an explorer shows itself (:func:`display_mode`): ``"html"``, self-contained HTML
(``Explorer.html()``: ``<input type=range>`` / ``<select>`` controls, an SVG plot and the inlined
JavaScript; no kernel, no network, no widget state: what the built book shows), or ``"live"``,
ipywidgets driving the Python ``compute``/``plot`` (Jupyter, Colab, VS Code). The mode is chosen
automatically; ``SNNLIB_WIDGETS=live`` or ``html`` (or :func:`set_display_mode`) forces one.

The package, one module per idea (everything public is re-exported here: ``snl.widgets.X``):

* :mod:`~snnlib.widgets.controls`: :class:`Slider`, :class:`Dropdown`;
* :mod:`~snnlib.widgets.display`: the display mode;
* :mod:`~snnlib.widgets.runtime`: the JavaScript bundled from ``snnlib/js/`` and its Python mirrors;
* :mod:`~snnlib.widgets.explorer`: :class:`Explorer`;
* :mod:`~snnlib.widgets.live`: the live (ipywidgets) version of an explorer;
* :mod:`~snnlib.widgets.frames`: precomputed frames for explorers whose model runs only in Python;
* :mod:`~snnlib.widgets.animation`: :func:`animation`, a matplotlib animation as an offline HTML player;
* one module per explorer, named as it is: :mod:`~snnlib.widgets.lif`, :mod:`~snnlib.widgets.surrogate`,
  :mod:`~snnlib.widgets.coding`, :mod:`~snnlib.widgets.circuit`,
  :mod:`~snnlib.widgets.conversion`, :mod:`~snnlib.widgets.stdp`.
"""

from __future__ import annotations

from .animation import AnimationView, animation, animation_frames
from .circuit import CIRCUIT_INACTIVE, CIRCUIT_STEPS, circuit_explorer
from .coding import CODING_DIGITS, CODING_SCHEMES, CodingChoice, coding_explorer, coding_params
from .controls import Control, Dropdown, Slider
from .conversion import conversion_explorer, conversion_results
from .display import MODE_ENV, MODES, display_mode, set_display_mode
from .explorer import Explorer
from .frames import frame_grid, frame_key, pack_frames, unpack_frames
from .lif import INPUT_LABELS, INPUT_ONSET, LIF_INPUTS, NOISE_SEED, RESET_LABELS, lif_explorer, lif_input
from .live import LiveExplorer
from .runtime import JS_DIR, JS_FILES, _linspace, _read_js, js_fmt, js_round, js_source, mulberry32  # noqa: F401 (_read_js, _linspace: tests)
from .stdp import stdp_explorer
from .surrogate import GRAD_EXAMPLE, SURROGATE_CHOICES, SURROGATE_U, SURROGATE_W, surrogate_explorer, surrogate_weight_gradient

__all__ = [
    "stdp_explorer",
    "conversion_explorer",
    "conversion_results",
    "Slider",
    "Dropdown",
    "Control",
    "Explorer",
    "display_mode",
    "set_display_mode",
    "MODES",
    "MODE_ENV",
    "js_source",
    "JS_DIR",
    "JS_FILES",
    "mulberry32",
    "frame_grid",
    "frame_key",
    "pack_frames",
    "unpack_frames",
    "LiveExplorer",
    "js_fmt",
    "js_round",
    "animation",
    "AnimationView",
    "animation_frames",
    # the LIF explorer
    "lif_input",
    "lif_explorer",
    "INPUT_ONSET",
    "NOISE_SEED",
    "LIF_INPUTS",
    "INPUT_LABELS",
    "RESET_LABELS",
    # the surrogate explorer
    "surrogate_explorer",
    "surrogate_weight_gradient",
    "SURROGATE_CHOICES",
    "SURROGATE_U",
    "SURROGATE_W",
    "GRAD_EXAMPLE",
    # the coding explorer
    "coding_explorer",
    "coding_params",
    "CodingChoice",
    "CODING_SCHEMES",
    "CODING_DIGITS",
    # the circuit explorer
    "circuit_explorer",
    "CIRCUIT_STEPS",
    "CIRCUIT_INACTIVE",
]
