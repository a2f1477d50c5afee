"""The controls of an explorer: sliders and drop-downs, each with a default.

A control's ``name`` is the keyword its value is passed to ``compute`` under; its ``label`` is what
the reader sees. Each control makes its own kernel-free HTML (``html(uid)``, every string escaped),
its spec for the page's JavaScript (``spec()``) and its live ipywidget (``widget()``), and checks a
value set from Python (``check(value)``).
"""

from __future__ import annotations

import html as _html
import math
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence, Union

from .. import _checks

__all__ = ["Slider", "Dropdown", "Control", "attr", "set_tooltip"]


def attr(text: Any) -> str:
    """``text`` escaped for HTML text and for an attribute value in double or single quotes."""
    return _html.escape(str(text), quote=True)


def _text(value: Any, name: str, nonempty: bool = False) -> str:
    """A string (non-empty when ``nonempty``); else a clear :class:`TypeError` / :class:`ValueError`."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {_checks.describe(value)}")
    if nonempty and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _check_identity(control: Any, kind: str) -> str:
    """Check a control's ``name``, ``label`` and ``description``; returns how messages name it."""
    _text(control.name, f"{kind}.name", nonempty=True)
    who = f"{kind}({control.name!r})"
    _text(control.label, f"{who}.label")
    _text(control.description, f"{who}.description")
    return who


def _html_parts(control: Any, uid: str):
    """``control``'s escaped name, label, ``title`` attribute and element id in the explorer whose root id is ``uid``."""
    _text(uid, "uid", nonempty=True)
    name = attr(control.name)
    title = f' title="{attr(control.description)}"' if control.description else ""
    return name, attr(control.label), title, f"{attr(uid)}-{name}"


def set_tooltip(widget: Any, text: str) -> None:
    """Give ``widget`` (an ipywidgets widget) the hover text ``text``: ``tooltip`` in ipywidgets 8,
    ``description_tooltip`` in 7."""
    if not callable(getattr(widget, "has_trait", None)):
        raise TypeError(f"widget must be an ipywidgets widget, got {_checks.describe(widget)}")
    if not text:
        return
    if widget.has_trait("tooltip"):
        widget.tooltip = text
    elif widget.has_trait("description_tooltip"):
        widget.description_tooltip = text


def _with_tooltip(widget: Any, text: str) -> Any:
    """``widget`` with the hover text ``text`` (the control's description), as the page's ``title``."""
    set_tooltip(widget, text)
    return widget


@dataclass
class Slider:
    """A numeric slider: ``name`` is the keyword passed to ``compute``.

    ``min < max``; ``step > 0`` divides ``max - min`` into a whole number of steps and the default
    ``value`` lies on that grid (the page's ``<input type=range>`` snaps to it). With ``integer`` the
    four numbers are integers (a step of at least 1) and values are passed to ``compute`` as ``int``.
    """

    name: str
    label: str
    min: float
    max: float
    step: float
    value: float
    integer: bool = False
    description: str = ""

    def __post_init__(self):
        who = _check_identity(self, "Slider")
        _checks.boolean(self.integer, f"{who}.integer")
        if self.integer:
            lo = _checks.integer(self.min, f"{who}.min")
            hi = _checks.integer(self.max, f"{who}.max")
            step = _checks.integer(self.step, f"{who}.step", 1)
            value = _checks.integer(self.value, f"{who}.value")
        else:
            lo = _checks.real(self.min, f"{who}.min")
            hi = _checks.real(self.max, f"{who}.max")
            step = _checks.positive(self.step, f"{who}.step")
            value = _checks.real(self.value, f"{who}.value")
        if not lo < hi:
            raise ValueError(f"{who}: min must be < max, got min={self.min} and max={self.max}")
        if not lo <= value <= hi:
            raise ValueError(f"{who}: default value {self.value} is outside [{self.min}, {self.max}]")
        for what, x in (("max - min", hi - lo), ("value - min", value - lo)):
            n = x / step
            if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
                raise ValueError(f"{who}: {what} = {x:g} must be a whole number of steps of {self.step}")

    def check(self, value: Any) -> Union[int, float]:
        """``value`` (a number within ``[min, max]``; an integer for an integer slider) as passed to ``compute``."""
        if self.integer:
            out = _checks.integer(value, self.name)
        else:
            out = _checks.real(value, self.name)
        if not self.min - 1e-12 <= out <= self.max + 1e-12:
            raise ValueError(f"{self.name}={value} is outside the slider's range [{self.min}, {self.max}]")
        return out

    def spec(self) -> Dict[str, Any]:
        """The slider as the page's JavaScript reads it."""
        return {
            "name": self.name,
            "kind": "slider",
            "integer": self.integer,
            "value": self.value,
            "min": self.min,
            "max": self.max,
            "step": self.step,
        }

    def html(self, uid: str) -> str:
        """The kernel-free slider (``<input type=range>`` with its read-out) of the explorer whose root id is ``uid``."""
        name, label, title, element_id = _html_parts(self, uid)
        fmt = (lambda x: str(int(x))) if self.integer else (lambda x: repr(float(x)))
        return (
            f'<label class="snx-control"{title}><span class="snx-label">{label}'
            f'<span class="snx-note" data-note="{name}"></span></span>'
            f'<input type="range" data-control="{name}" id="{element_id}" min="{fmt(self.min)}" '
            f'max="{fmt(self.max)}" step="{fmt(self.step)}" value="{fmt(self.value)}" aria-label="{label}">'
            f'<output data-readout="{name}">{fmt(self.value)}</output></label>'
        )

    def widget(self):
        """The live ipywidgets slider."""
        import ipywidgets as w

        cls = w.IntSlider if self.integer else w.FloatSlider
        kwargs = dict(
            min=self.min,
            max=self.max,
            step=self.step,
            value=self.value,
            description=self.label,
            continuous_update=True,
            style={"description_width": "initial"},
            layout=w.Layout(width="95%"),
        )
        if not self.integer:
            kwargs["readout_format"] = ".3g"
        return _with_tooltip(cls(**kwargs), self.description)


@dataclass
class Dropdown:
    """A choice among ``options`` (values passed to ``compute``; ``labels`` shown, default = values).

    ``options`` is a non-empty sequence of distinct values (strings or numbers: they travel to the
    page as JSON); ``value`` is one of them; ``labels``, when given, has one string per option.
    """

    name: str
    label: str
    options: Sequence[Any]
    value: Any
    labels: Optional[Sequence[str]] = None
    description: str = ""

    def __post_init__(self):
        who = _check_identity(self, "Dropdown")
        if isinstance(self.options, (str, bytes)) or not isinstance(self.options, Sequence):
            raise TypeError(f"{who}.options must be a sequence of values, got {_checks.describe(self.options)}")
        if not self.options:
            raise ValueError(f"{who}.options must not be empty")
        for i, o in enumerate(self.options):
            if isinstance(o, bool) or not isinstance(o, (str, int, float)) or (isinstance(o, float) and not math.isfinite(o)):
                raise TypeError(f"{who}.options[{i}] must be a string or a finite number, got {_checks.describe(o)}")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"{who}.options must be distinct, got {list(self.options)}")
        if self.value not in self.options:
            raise ValueError(f"{who}: default {self.value!r} not among {list(self.options)}")
        if self.labels is not None:
            if isinstance(self.labels, str) or not isinstance(self.labels, Sequence):
                raise TypeError(f"{who}.labels must be a sequence of strings or None, got {_checks.describe(self.labels)}")
            if len(self.labels) != len(self.options):
                raise ValueError(f"{who}: {len(self.labels)} labels for {len(self.options)} options")
            for i, lab in enumerate(self.labels):
                _text(lab, f"{who}.labels[{i}]")

    def check(self, value: Any) -> Any:
        """``value`` itself if it is one of ``options``; else a :class:`ValueError` listing them."""
        if isinstance(value, bool) or value not in self.options:
            raise ValueError(f"{self.name}={value!r} is not one of {list(self.options)}")
        return value

    def spec(self) -> Dict[str, Any]:
        """The drop-down as the page's JavaScript reads it."""
        return {"name": self.name, "kind": "dropdown", "options": list(self.options), "value": self.value}

    def html(self, uid: str) -> str:
        """The kernel-free ``<select>`` of the explorer whose root id is ``uid``."""
        name, label, title, element_id = _html_parts(self, uid)
        labels = self.labels or [str(o) for o in self.options]
        opts = "".join(
            f'<option value="{i}"{" selected" if o == self.value else ""}>{attr(lab)}</option>'
            for i, (o, lab) in enumerate(zip(self.options, labels))
        )
        return (
            f'<label class="snx-control"{title}><span class="snx-label">{label}'
            f'<span class="snx-note" data-note="{name}"></span></span>'
            f'<select data-control="{name}" id="{element_id}" aria-label="{label}">{opts}</select>'
            f"<output></output></label>"
        )

    def widget(self):
        """The live ipywidgets drop-down."""
        import ipywidgets as w

        labels = self.labels or [str(o) for o in self.options]
        widget = w.Dropdown(
            options=list(zip(labels, self.options)),
            value=self.value,
            description=self.label,
            style={"description_width": "initial"},
            layout=w.Layout(width="95%"),
        )
        return _with_tooltip(widget, self.description)


Control = Union[Slider, Dropdown]
