"""The live explorer: ipywidgets controls driving the Python ``compute`` and ``plot`` (Jupyter, Colab).

It shows what the kernel-free version shows, from the same definition (:class:`~snnlib.widgets.Explorer`):
the title and description, each control with its label, its tooltip (the control's ``description``)
and its note (``Explorer.notes``), the plot, the read-out under it (``Explorer.readout``) and a
Reset button; a control that changes nothing at the current values (``Explorer.inactive``) is
disabled, its note saying why.

Speed: the figure is made once (a plain ``matplotlib.figure.Figure`` on the Agg canvas, outside
pyplot) and laid out once; each change calls the plot's *updater* (the function ``plot`` returns),
which moves the existing artists, and sends the new PNG to an ``ipywidgets.Image``. Only when the
updater cannot redraw in place (the number of panels changes) is the figure cleared and drawn
again. ``benchmarks/explorer_latency.py`` measures the time per change in a real kernel.
Works with ipywidgets 7 (Colab's) and 8 (JupyterLab 4's).
"""

from __future__ import annotations

import html
import io
import time
from typing import Any, Callable, Dict, List, Optional

from .. import _checks
from .controls import set_tooltip

__all__ = ["LiveExplorer"]

#: What the live explorer reads of an :class:`~snnlib.widgets.Explorer` (which it cannot import:
#: the explorer imports this module to show itself).
_EXPLORER_ATTRS = ("controls", "compute", "plot", "figsize", "title", "description")

#: The pixel density of the live figure (the inline backend's): 100 dpi, a 6.9-inch figure is 690 px.
LIVE_DPI = 100


def _note_html(text: str) -> str:
    return f'<span style="color:#666;font-size:12px">{html.escape(text)}</span>' if text else ""


class LiveExplorer:
    """The ipywidgets version of ``explorer``; its widget is :attr:`box`.

    :attr:`redraw_seconds` collects the time of every redraw (compute, draw, PNG), for benchmarks.
    """

    def __init__(self, explorer: Any):
        import ipywidgets as w
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        missing = [a for a in _EXPLORER_ATTRS if not hasattr(explorer, a)]
        if missing:
            raise TypeError(
                f"explorer must be an snnlib.widgets.Explorer (without {', '.join(missing)}), got {_checks.describe(explorer)}"
            )
        self.explorer = explorer
        self.redraw_seconds: List[float] = []
        self.controls = {c.name: c.widget() for c in explorer.controls}
        self.notes = {c.name: w.HTML(value="") for c in explorer.controls}
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.readout = w.HTML(value="")
        self.reset_button = w.Button(description="Reset", layout=w.Layout(width="auto"))
        set_tooltip(self.reset_button, "Back to the explorer's default settings")
        self.figure = Figure(figsize=explorer.figsize, dpi=LIVE_DPI)
        FigureCanvasAgg(self.figure)
        self._updater: Optional[Callable[[Dict[str, Any]], Any]] = None
        self._holding = False
        for widget in self.controls.values():
            widget.observe(self._changed, names="value")
        self.reset_button.on_click(lambda _button: self.reset())

        cells = [w.VBox([self.controls[c.name], self.notes[c.name]]) for c in explorer.controls]
        grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="0px 16px"))
        desc = f'<div style="color:#444">{html.escape(explorer.description)}</div>' if explorer.description else ""
        header = w.HTML(value=f"<b>{html.escape(explorer.title)}</b>{desc}")
        foot = w.HBox(
            [w.HTML(value=_note_html("Runs in this notebook's kernel.")), self.reset_button],
            layout=w.Layout(justify_content="space-between", align_items="center"),
        )
        self.box = w.VBox([header, grid, self.image, self.readout, foot])
        self.redraw()

    # -- values ------------------------------------------------------------------------------------
    def values(self) -> Dict[str, Any]:
        """The controls' current values, checked (and typed) as ``compute`` receives them."""
        return self.explorer.values(**{name: widget.value for name, widget in self.controls.items()})

    def reset(self) -> None:
        """Every control back to its default, then one redraw."""
        self._holding = True
        try:
            for c in self.explorer.controls:
                self.controls[c.name].value = c.value
        finally:
            self._holding = False
        self.redraw()

    def _changed(self, _change) -> None:
        if not self._holding:
            self.redraw()

    # -- drawing -----------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Recompute the data at the current values and show the new picture, notes and read-out."""
        start = time.perf_counter()
        ex = self.explorer
        try:
            values = self.values()
            inactive = ex.inactive_for(values)
            notes = ex.notes_for(values)
            data = ex.compute(**values)
            self._draw(data)
            readout = ex.readout_for(data, values)
        except Exception as err:  # shown to the reader, as the page shows its errors
            inactive, notes, readout = {}, {}, f"Error: {err}"
        for name, widget in self.controls.items():
            widget.disabled = name in inactive
            self.notes[name].value = _note_html(notes.get(name, ""))
        self.readout.value = f'<div style="font-size:13px">{html.escape(readout)}</div>'
        self.redraw_seconds.append(time.perf_counter() - start)

    def _draw(self, data: Dict[str, Any]) -> None:
        fig = self.figure
        if self._updater is None or self._updater(data) is False:
            fig.clear()
            self._updater = self.explorer.plot(data, fig)
        buf = io.BytesIO()
        fig.canvas.print_png(buf, pil_kwargs={"compress_level": 1})  # fast to encode, a little larger
        self.image.value = buf.getvalue()
