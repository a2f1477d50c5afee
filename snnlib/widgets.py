"""Interactive explorers: one definition, live in Jupyter/Colab and kernel-free in the built book.

An :class:`Explorer` is made of

* ``controls``: sliders and drop-downs (:class:`Slider`, :class:`Dropdown`), each with a default;
* ``compute(**values) -> dict``: a pure function of the control values returning the data to draw
  (arrays), built on the same ``snnlib`` functions the chapter's text uses;
* ``plot(data, fig) -> None``: draws that data with matplotlib (plotting apart from simulation).

``explorer.update(**values)`` returns exactly the data a figure shows, so tests check explorers
without a browser. Displayed in a notebook, an explorer is live ipywidgets; in the rendered book,
where no kernel runs, the same explorer renders as HTML (see :meth:`Explorer.html`).

Each chapter's explorer is made by one call here (``lif_explorer()``, ``coding_explorer()``, ...).
"""

from __future__ import annotations

import base64
import html as _html
import io
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

__all__ = ["Slider", "Dropdown", "Explorer"]


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
        if not self.min - 1e-12 <= value <= self.max + 1e-12:
            raise ValueError(f"{self.name}={value} is outside the slider's range [{self.min}, {self.max}]")
        return int(round(value)) if self.integer else float(value)

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

    def widget(self):
        import ipywidgets as w

        labels = self.labels or [str(o) for o in self.options]
        return w.Dropdown(options=list(zip(labels, self.options)), value=self.value, description=self.label,
                          style={"description_width": "initial"})


Control = Union[Slider, Dropdown]


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
        js_model: name of the kernel-free model for the book (``None``: a static image is shown).
    """

    name: str
    title: str
    controls: List[Control]
    compute: Callable[..., Dict[str, Any]]
    plot: Callable[[Dict[str, Any], Any], None]
    figsize: Tuple[float, float] = (9.0, 4.5)
    js_model: Optional[str] = None
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

        interactive = w.interactive_output(redraw, widgets)
        del interactive
        controls = w.GridBox(list(widgets.values()),
                             layout=w.Layout(grid_template_columns="repeat(2, 50%)"))
        return w.VBox([w.HTML(f"<b>{_html.escape(self.title)}</b>"), controls, out])

    # -- kernel-free HTML (the rendered book) -----------------------------------------------------
    def html(self) -> str:
        """HTML that shows the explorer without a kernel: a picture at the default values."""
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
        bundle = {"text/plain": f"<{self.title}: {', '.join(c.name for c in self.controls)}>",
                  "text/html": self.html()}
        try:
            live = self.widget()._repr_mimebundle_()
        except Exception:  # no ipywidgets or no kernel: the HTML alone
            live = None
        if live:
            bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle
