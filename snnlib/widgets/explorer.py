"""The explorer: controls -> ``compute`` -> ``plot``, live in Jupyter/Colab and kernel-free in the built book."""

from __future__ import annotations

import json
import secrets
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from .. import _checks
from .controls import Control, Dropdown, Slider, _text, attr
from .display import display_mode
from .runtime import JS_DIR, _read_js, js_source, script_json

__all__ = ["Explorer"]


@dataclass
class Explorer:
    """An interactive figure: controls -> ``compute`` -> ``plot``. See :mod:`snnlib.widgets`.

    Args:
        name: identifier (``"lif"``), used for the page's element ids and tests.
        title: heading shown above the controls.
        controls: the sliders and drop-downs, in display order (distinct names).
        compute: ``compute(**values) -> dict`` of arrays/numbers to draw.
        plot: ``plot(data, fig)`` draws ``data`` into an empty matplotlib figure. It may return an
            *updater*, ``update(new_data) -> bool``, that redraws the same figure for new data by
            changing its artists in place (and returns ``False`` when it cannot, e.g. when the
            number of panels changes): the live explorer then needs no new figure per change.
        figsize: matplotlib figure size in inches (two positive numbers; at most 6.9 wide for the
            book's column).
        view: name of the kernel-free view in ``snnlib/js/explorer.js`` (``None``: the page shows a
            static picture at the default settings instead).
        view_js: a file in ``snnlib/js/`` that defines ``view`` in its own file (``None``: the view is
            one of ``explorer.js``'s); inlined after the shared runtime.
        static_data: ``() -> dict`` of data shipped inline with the kernel-free explorer (images,
            precomputed frames); passed to the JavaScript view.
        description: one or two sentences shown under the title.
        notes: ``notes(values) -> {control name: text}``, a short note shown beside a control (the
            value of the parameter a slider sets, a time constant, ...).
        readout: ``readout(data, values) -> str``, the line of numbers shown under the plot.
        inactive: ``inactive(values) -> {control name: reason}``: the controls that change nothing at
            these values; both versions disable them and show the reason as their note.

    ``notes``, ``readout`` and ``inactive`` are the one definition of that text: the live explorer
    shows them, precomputed frames carry them to the page (:func:`~snnlib.widgets.pack_frames`),
    and the views that compute in the browser (``lif``, ``surrogate``) mirror them in
    ``snnlib/js/explorer.js``, checked character for character by ``tests/test_widgets.py``.
    """

    name: str
    title: str
    controls: List[Control]
    compute: Callable[..., Dict[str, Any]]
    plot: Callable[[Dict[str, Any], Any], None]
    figsize: Tuple[float, float] = (6.9, 4.5)
    view: Optional[str] = None
    view_js: Optional[str] = None
    static_data: Optional[Callable[[], Dict[str, Any]]] = None
    description: str = ""
    notes: Optional[Callable[[Dict[str, Any]], Dict[str, str]]] = None
    readout: Optional[Callable[[Dict[str, Any], Dict[str, Any]], str]] = None
    inactive: Optional[Callable[[Dict[str, Any]], Dict[str, str]]] = None

    def __post_init__(self):
        _text(self.name, "Explorer.name", nonempty=True)
        who = f"Explorer({self.name!r})"
        _text(self.title, f"{who}.title")
        _text(self.description, f"{who}.description")
        if isinstance(self.controls, (str, bytes)) or not isinstance(self.controls, (list, tuple)):
            raise TypeError(f"{who}.controls must be a list of Slider/Dropdown, got {_checks.describe(self.controls)}")
        for i, c in enumerate(self.controls):
            if not isinstance(c, (Slider, Dropdown)):
                raise TypeError(f"{who}.controls[{i}] must be a Slider or a Dropdown, got {_checks.describe(c)}")
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"{who}.controls must have distinct names, got {names}")
        for what in ("compute", "plot"):
            if not callable(getattr(self, what)):
                raise TypeError(f"{who}.{what} must be callable, got {_checks.describe(getattr(self, what))}")
        if not isinstance(self.figsize, (tuple, list)) or len(self.figsize) != 2:
            raise TypeError(f"{who}.figsize must be (width, height) in inches, got {_checks.describe(self.figsize)}")
        for i, x in enumerate(self.figsize):
            _checks.positive(x, f"{who}.figsize[{i}]")
        if self.view is not None:
            _text(self.view, f"{who}.view", nonempty=True)
        if self.view_js is not None:
            _text(self.view_js, f"{who}.view_js", nonempty=True)
            if self.view is None or not (JS_DIR / self.view_js).is_file():
                raise ValueError(f"{who}.view_js must name a file of {JS_DIR} and come with a view, got {self.view_js!r}")
        for what in ("static_data", "notes", "readout", "inactive"):
            fn = getattr(self, what)
            if fn is not None and not callable(fn):
                raise TypeError(f"{who}.{what} must be callable or None, got {_checks.describe(fn)}")

    # -- the data -----------------------------------------------------------------------------
    def defaults(self) -> Dict[str, Any]:
        """The controls' default values, by name."""
        return {c.name: c.value for c in self.controls}

    def values(self, **overrides) -> Dict[str, Any]:
        """Defaults updated with ``overrides``, each checked against its control's range or options."""
        unknown = set(overrides) - {c.name for c in self.controls}
        if unknown:
            raise ValueError(
                f"explorer {self.name!r} has no control(s) {sorted(unknown)}; controls: {[c.name for c in self.controls]}"
            )
        vals = self.defaults()
        by_name = {c.name: c for c in self.controls}
        for k, v in overrides.items():
            vals[k] = by_name[k].check(v)
        return vals

    def update(self, **overrides) -> Dict[str, Any]:
        """The data the explorer draws for these control values (defaults for the rest)."""
        return self.compute(**self.values(**overrides))

    def notes_for(self, values: Dict[str, Any]) -> Dict[str, str]:
        """The note beside each control at these values (an inactive control's reason replaces its note)."""
        notes = dict(self.notes(values)) if self.notes is not None else {}
        notes.update(self.inactive_for(values))
        return notes

    def inactive_for(self, values: Dict[str, Any]) -> Dict[str, str]:
        """The controls that change nothing at these values, with the reason."""
        return dict(self.inactive(values)) if self.inactive is not None else {}

    def readout_for(self, data: Dict[str, Any], values: Dict[str, Any]) -> str:
        """The line of numbers under the plot for ``data`` computed at ``values``."""
        return self.readout(data, values) if self.readout is not None else ""

    def figure(self, **overrides):
        """A matplotlib figure of the explorer at these control values."""
        import matplotlib.pyplot as plt

        data = self.update(**overrides)
        fig = plt.figure(figsize=self.figsize)
        self.plot(data, fig)
        return fig

    # -- live widgets (Jupyter, Colab) ----------------------------------------------------------
    def widget(self):
        """An ipywidgets box (ipywidgets 7 or 8): title, controls with their notes and tooltips, the
        plot, the read-out and a Reset button, as the kernel-free version (:mod:`snnlib.widgets.live`)."""
        from .live import LiveExplorer

        return LiveExplorer(self).box

    # -- kernel-free HTML (the rendered book) -----------------------------------------------------
    def html(self, uid: Optional[str] = None) -> str:
        """Self-contained HTML: controls, an SVG plot and the inlined JavaScript model; no kernel, no network.

        ``uid`` is the root element's id (default: ``snnlib-<name>-<random>``), unique per call so that
        several explorers on one page never clash. Every string placed in the page is escaped, and the
        data inside its ``<script>`` cannot close it. Without a ``view`` it is a static picture instead.
        """
        if uid is not None:
            _text(uid, "uid", nonempty=True)
        if self.view is None:
            return self._static_html()
        uid = uid or f"snnlib-{self.name}-{secrets.token_hex(4)}"
        spec = {"name": self.name, "view": self.view, "controls": [c.spec() for c in self.controls]}
        static = self.static_data() if self.static_data is not None else {}
        controls = "".join(c.html(uid) for c in self.controls)
        own_view = _read_js(self.view_js) if self.view_js else ""
        desc = f'<div class="snx-desc">{attr(self.description)}</div>' if self.description else ""
        return (
            f'<div class="snnlib-explorer tex2jax_ignore mathjax_ignore" id="{attr(uid)}" data-explorer="{attr(self.name)}">'
            f"<style>{_read_js('explorer.css')}</style>"
            f'<div class="snx-title">{attr(self.title)}</div>{desc}'
            f'<div class="snx-controls">{controls}</div>'
            f'<div class="snx-plot"></div><div class="snx-readout"></div>'
            f'<div class="snx-foot"><span>Runs in your browser: no kernel needed.</span>'
            f'<button type="button" class="snx-reset">Reset</button></div>'
            f"<noscript>This explorer needs JavaScript; run the notebook to use it.</noscript>"
            f"<script>(function(){{\n{js_source()}\n{own_view}\nSNNExplorer.mount({script_json(uid)}, {script_json(spec)}, "
            f"{script_json(static)});\n}})();</script></div>"
        )

    def _static_html(self) -> str:
        import base64
        import io

        import matplotlib.pyplot as plt

        fig = self.figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        png = base64.b64encode(buf.getvalue()).decode()
        settings = attr(json.dumps(self.defaults()))
        title = attr(self.title)
        return (
            f'<div class="snnlib-explorer" id="snnlib-{attr(self.name)}" data-defaults="{settings}">'
            f"<p><b>{title}</b> (at its default settings; run the notebook to move the sliders)</p>"
            f'<img alt="{title}" src="data:image/png;base64,{png}"/></div>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        live_mode = display_mode() == "live"
        # Live: the HTML is only a fallback for frontends without widgets; skip precomputing frames for it.
        fallback = self._static_html() if (live_mode and self.static_data is not None) else self.html()
        bundle = {"text/plain": f"<{self.title}: {', '.join(c.name for c in self.controls)}>", "text/html": fallback}
        if live_mode:
            try:
                live = _widget_bundle(self.widget())
            except Exception:  # no ipywidgets or no kernel: the HTML alone
                live = None
            if live:
                bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle


def _widget_bundle(box) -> Dict[str, Any]:
    """The mime bundle that shows the ipywidget ``box``: ipywidgets 8's ``_repr_mimebundle_``, or the
    widget-view bundle ipywidgets 7 (Colab's) displays from its ``_ipython_display_``."""
    import ipywidgets

    major = int(str(ipywidgets.__version__).split(".")[0])
    if "google.colab" in sys.modules and major >= 8:  # Colab shows ipywidgets 8 through its custom widget manager
        from google.colab import output  # type: ignore

        output.enable_custom_widget_manager()
    if hasattr(box, "_repr_mimebundle_"):
        return box._repr_mimebundle_()
    return {
        "text/plain": repr(box),
        "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0, "model_id": box.model_id},
    }
