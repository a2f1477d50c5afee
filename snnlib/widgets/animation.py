"""Animations that play anywhere: in JupyterLab after "Run All", in Colab, in the book, offline.

``matplotlib``'s ``anim.to_jshtml()`` links Font Awesome from a CDN for its buttons and leaves its
``<img>`` without a picture until its script has run, which JupyterLab may do while the output is
still detached from the page (after "Run All", outside the visible window): the frame then lays
out at 0x0. :func:`animation` renders every frame to PNG once and returns HTML whose ``<img>``
already shows the first frame at its size (``width``/``height``), with plain-text buttons, a slider
and a small inline script that finds its elements from its own ``<script>`` element; nothing is
loaded from anywhere.

    anim = snl.plot.spike_animation(spikes)
    snl.widgets.animation(anim)      # the cell's value: shown as HTML
"""

from __future__ import annotations

import base64
import html
import io
import secrets
import struct
from typing import Any, List, Optional

from .. import _checks
from .runtime import script_json

__all__ = ["AnimationView", "animation", "animation_frames"]

_BUTTONS = (("first", "\u23ee", "first frame"), ("prev", "\u25c0", "previous frame"), ("play", "\u25b6 play", "play / pause"),
            ("next", "\u25b6\u2009", "next frame"), ("last", "\u23ed", "last frame"))  # fmt: skip

_SCRIPT = """(function () {
  var script = document.currentScript;
  var root = script ? script.parentNode : document.getElementById(UID);
  if (!root) return;
  var img = root.querySelector("img"), slider = root.querySelector("input[type=range]");
  var label = root.querySelector(".snx-anim-frame"), play = root.querySelector("[data-act=play]");
  var frames = FRAMES, i = 0, timer = null;
  function show(k) {
    i = (k + frames.length) % frames.length;
    img.src = "data:image/png;base64," + frames[i];
    slider.value = String(i);
    label.textContent = "frame " + (i + 1) + " / " + frames.length;
    root.setAttribute("data-frame", String(i));
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } play.textContent = "\\u25b6 play"; }
  function start() { stop(); play.textContent = "\\u23f8 pause"; timer = setInterval(function () { show(i + 1); }, INTERVAL); }
  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-act");
      if (act === "play") { if (timer) stop(); else start(); return; }
      stop();
      show(act === "first" ? 0 : act === "last" ? frames.length - 1 : act === "prev" ? i - 1 : i + 1);
    });
  });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  root.setAttribute("data-ready", "1");
})();"""


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(png: bytes):
    """(width, height) in pixels from a PNG's header."""
    if png[:8] != _PNG_SIGNATURE:
        raise ValueError("not a PNG")
    return struct.unpack(">II", png[16:24])


def animation_frames(anim: Any, dpi: int = 100) -> List[bytes]:
    """Every frame of the matplotlib animation ``anim`` as PNG bytes (at ``dpi``), drawn once."""
    from matplotlib.animation import AbstractMovieWriter, Animation

    if not isinstance(anim, Animation):
        raise TypeError(f"anim must be a matplotlib Animation, got {_checks.describe(anim)}")
    dpi = _checks.integer(dpi, "dpi", 10)
    frames: List[bytes] = []

    class _Collect(AbstractMovieWriter):
        def setup(self, fig, outfile, dpi=None):
            super().setup(fig, outfile, dpi=dpi)

        def grab_frame(self, **savefig_kwargs):
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", dpi=self.dpi, **savefig_kwargs)
            frames.append(buf.getvalue())

        def finish(self):
            pass

    anim.save("frames.png", writer=_Collect(fps=5), dpi=dpi)  # the writer writes no file
    if not frames:
        raise ValueError("the animation has no frame")
    return frames


class AnimationView:
    """An animation as self-contained HTML (:attr:`html`; shown by notebooks and the book as it is)."""

    def __init__(self, frames: List[bytes], interval: int = 150, title: str = ""):
        if not isinstance(frames, (list, tuple)):
            raise TypeError(f"frames must be a list of PNG images (bytes), got {_checks.describe(frames)}")
        if not frames:
            raise ValueError("frames must not be empty")
        for i, frame in enumerate(frames):
            if not isinstance(frame, (bytes, bytearray)) or frame[:8] != _PNG_SIGNATURE:
                raise ValueError(f"frames[{i}] must be a PNG image (bytes), got {_checks.describe(frame)}")
        self.frames = [bytes(f) for f in frames]
        self.interval = _checks.integer(interval, "interval", 1)
        self.title = str(title)
        self.width, self.height = _png_size(self.frames[0])

    @property
    def html(self) -> str:
        uid = f"snnlib-anim-{secrets.token_hex(4)}"
        encoded = [base64.b64encode(f).decode("ascii") for f in self.frames]
        alt = html.escape(self.title or "animation", quote=True)
        buttons = "".join(
            f'<button type="button" data-act="{a}" title="{t}" style="font-size:13px;padding:1px 8px;margin-right:4px">{s}</button>'
            for a, s, t in _BUTTONS
        )
        script = _SCRIPT.replace("UID", script_json(uid)).replace("INTERVAL", str(self.interval))
        script = script.replace("FRAMES", script_json(encoded))  # last: base64 could hold the other names
        n = len(self.frames)
        return (
            f'<div class="snnlib-animation" id="{uid}" data-frames="{n}" style="max-width:{self.width}px">'
            f'<img src="data:image/png;base64,{encoded[0]}" width="{self.width}" height="{self.height}" alt="{alt}" '
            f'style="display:block;max-width:100%;height:auto">'
            f'<div style="display:flex;align-items:center;gap:4px;flex-wrap:wrap;margin-top:4px;font-size:13px">{buttons}'
            f'<input type="range" min="0" max="{n - 1}" value="0" step="1" aria-label="frame" style="flex:1;min-width:120px">'
            f'<span class="snx-anim-frame" style="white-space:nowrap">frame 1 / {n}</span></div>'
            f"<script>{script}</script></div>"
        )

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<animation: {len(self.frames)} frames, {self.width}x{self.height} px>"


def animation(anim: Any, dpi: int = 100, interval: Optional[int] = None) -> AnimationView:
    """The matplotlib animation ``anim`` (e.g. :func:`snnlib.plot.spike_animation`) as an offline HTML player.

    ``interval``: milliseconds per frame (default: the animation's own)."""
    frames = animation_frames(anim, dpi)
    if interval is None:
        interval = int(getattr(anim, "_interval", 150) or 150)
    fig = getattr(anim, "_fig", None)
    title = fig._suptitle.get_text() if fig is not None and getattr(fig, "_suptitle", None) is not None else ""
    return AnimationView(frames, interval=interval, title=title)
