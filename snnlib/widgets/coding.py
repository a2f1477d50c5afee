"""The spike-coding chapter's explorer: scheme, number of steps, the scheme's parameter, digit."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, NamedTuple, Tuple

import numpy as np

from .. import _checks
from ..plot.palette import INH_COLOR, INK_CMAP, SPIKE_COLOR
from .controls import Dropdown, Slider
from .explorer import Explorer
from .frames import cached, pack_frames, sparse_spikes
from .runtime import js_fmt, js_number, js_round

__all__ = ["CodingChoice", "CODING_SCHEMES", "CODING_DIGITS", "coding_params", "coding_explorer"]


class CodingChoice(NamedTuple):
    """One choice of the coding explorer: a scheme of :data:`snnlib.encoding.SCHEMES` with fixed
    parameters, and the parameter its ``level`` slider sets (to one of three values)."""

    label: str
    scheme: str
    fixed: Dict[str, Any]
    param: str
    levels: Tuple[Any, Any, Any]


#: The explorer's choices, by key: each names a scheme of :data:`snnlib.encoding.SCHEMES` (checked
#: by :func:`coding_explorer`), every scheme is offered (checked by the tests), the latency code twice.
CODING_SCHEMES: Dict[str, CodingChoice] = {
    "rate": CodingChoice("rate (Bernoulli)", "rate", {"seed": 0}, "gain", (0.25, 0.5, 1.0)),
    "latency": CodingChoice("latency (RC, log)", "latency", {"normalize": True}, "tau", (2.0, 5.0, 10.0)),
    "latency_linear": CodingChoice(
        "latency (linear, background dropped)",
        "latency",
        {"linear": True, "normalize": True, "drop_background": True},
        "threshold",
        (0.01, 0.1, 0.3),
    ),
    "rank_order": CodingChoice("rank order", "rank_order", {}, "threshold", (0.0, 0.2, 0.5)),
    "phase": CodingChoice("phase", "phase", {}, "period", (4, 8, 16)),
    "burst": CodingChoice("burst", "burst", {}, "n_max", (2, 3, 5)),
    "population": CodingChoice("population (Gaussian fields)", "population", {"seed": 0}, "gain", (0.25, 0.5, 1.0)),
    "delta": CodingChoice("delta modulation (fade-in)", "delta", {}, "threshold", (0.05, 0.1, 0.2)),
}
#: Indices of the bundled MNIST test digits the coding explorer offers.
CODING_DIGITS = (0, 1, 3)


def _check_schemes() -> None:
    """Every choice names a scheme of ``snnlib.encoding.SCHEMES`` (the tests check that every scheme is offered)."""
    from .. import encoding

    unknown = sorted({c.scheme for c in CODING_SCHEMES.values()} - set(encoding.SCHEMES))
    if unknown:
        raise ValueError(
            f"CODING_SCHEMES names schemes that snnlib.encoding.SCHEMES lacks: {unknown}; "
            f"expected schemes among {encoding.SCHEMES}"
        )


@lru_cache(maxsize=1)
def _coding_images():
    from .. import data

    images, labels = data.load_mnist("test", source="bundled")
    return images, labels


def coding_params(scheme: str, level: int) -> Tuple[str, Dict[str, Any]]:
    """``(encoding scheme, params)`` of the coding explorer's ``scheme`` choice at ``level`` (1, 2 or 3)."""
    if scheme not in CODING_SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}: expected one of {list(CODING_SCHEMES)}")
    level = _checks.integer(level, "level", 1, 3)
    choice = CODING_SCHEMES[scheme]
    return choice.scheme, {**choice.fixed, choice.param: choice.levels[level - 1]}


def _coding_compute(scheme, num_steps, level, digit) -> Dict[str, Any]:
    import torch

    from .. import encoding

    images, labels = _coding_images()
    x = images[int(digit)].to(torch.float64) / 255
    name, params = coding_params(scheme, level)
    T = int(num_steps)
    out = {"x": x.numpy(), "label": int(labels[int(digit)]), "scheme": scheme, "params": params, "error": None}
    try:
        spikes = encoding.encode(name, x, T, **params)
        decoded = encoding.decode(name, spikes, **params)
    except ValueError as err:  # e.g. a burst that does not fit in T steps
        out.update(
            spikes=np.zeros((T, 784)), decoded=np.zeros((28, 28)), n_spikes=0, mae=float("nan"), rows="pixels", error=str(err)
        )
        return out
    if name == "population":
        # [T, 28, 28, M]: show the middle row's 28 pixels, each with its M neurons.
        rec = spikes[:, 14].reshape(T, -1)
        rows = f"neurons of row 14 ({spikes.shape[-1]} per pixel)"
    else:
        rec = spikes.reshape(T, -1)
        rows = "pixels (row by row)"
    out.update(
        spikes=rec.numpy(),
        decoded=decoded.detach().numpy(),
        n_spikes=int((spikes != 0).sum()),
        mae=float((decoded - x).abs().mean()),
        rows=rows,
    )
    return out


def _coding_pack(d):
    return {
        **sparse_spikes(d["spikes"]),
        "decoded": np.round(np.asarray(d["decoded"]) * 100).astype(int).reshape(-1).tolist(),
        "n_spikes": d["n_spikes"],
        "mae": None if not np.isfinite(d["mae"]) else round(d["mae"], 6),
        "rows": d["rows"],
        "error": d["error"],
    }


def _coding_plot(d, fig):
    """The raster of every input's spikes, the digit and the decoded image; returns the updater."""
    from matplotlib.ticker import MaxNLocator

    gs = fig.add_gridspec(2, 3, width_ratios=[3.2, 1, 1])
    ax = fig.add_subplot(gs[:, 0])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    on = ax.scatter([], [], s=1.5, c=SPIKE_COLOR, marker="|")
    off = ax.scatter([], [], s=1.5, c=INH_COLOR, marker="|")
    ax.set_xlabel("time step")
    title = ax.set_title("", fontsize=10, y=1.0)
    images, titles = [], []
    for k in range(2):
        a = fig.add_subplot(gs[k, 1:])
        images.append(a.imshow(np.zeros((28, 28)), cmap=INK_CMAP, vmin=0, vmax=1))
        titles.append(a.set_title("", fontsize=10, y=1.0))
        a.axis("off")

    def update(d) -> bool:
        sp = np.asarray(d["spikes"])
        for scatter, mask in ((on, sp > 0), (off, sp < 0)):
            t, n = np.nonzero(mask)
            scatter.set_offsets(np.column_stack([t, n]) if t.size else np.zeros((0, 2)))
        ax.set_xlim(-0.5, sp.shape[0] - 0.5)
        ax.set_ylim(sp.shape[1], -1)
        ax.set_ylabel(d["rows"])
        title.set_text(f"{CODING_SCHEMES[d['scheme']].label}: {d['n_spikes']} spikes")
        images[0].set_data(np.asarray(d["x"]))
        images[1].set_data(np.asarray(d["decoded"]))
        titles[0].set_text(f"input (a {d['label']})")
        titles[1].set_text("decoded" if d["error"] else f"decoded (MAE {d['mae']:.3f})")
        return True

    update(d)
    fig.tight_layout()
    return update


def _coding_notes(v) -> Dict[str, str]:
    """The value the level slider sets: the scheme's parameter at that level."""
    choice = CODING_SCHEMES[v["scheme"]]
    return {"level": f"{choice.param} = {js_number(choice.levels[int(v['level']) - 1])}"}


def _coding_readout(d, v) -> str:
    """Spike count and the decoded image's error (or why the code does not fit in T steps)."""
    if d["error"]:
        return str(d["error"])
    text = f"{d['n_spikes']} spikes; mean absolute error of the decoded image: {js_fmt(js_round(d['mae'], 3))}"
    return text + (" (red marks: the off spikes of delta modulation)." if CODING_SCHEMES[v["scheme"]].scheme == "delta" else ".")


def coding_explorer() -> Explorer:
    """The spike-coding chapter's explorer: scheme, number of steps, gain/time constant, digit.

    Its data come from :func:`snnlib.encoding.encode` / :func:`~snnlib.encoding.decode` on bundled MNIST
    test digits (random codes seeded). In the book the explorer ships these results precomputed for
    every grid point (``pack_frames``: 8 schemes x 4 lengths x 3 levels x 3 digits), so the page shows
    exactly snnlib's spikes with no kernel.
    """
    _check_schemes()
    images, labels = _coding_images()
    controls = [
        Dropdown(
            "scheme",
            "coding scheme",
            list(CODING_SCHEMES),
            "rate",
            labels=[v.label for v in CODING_SCHEMES.values()],
            description="how a pixel's brightness becomes spikes (snl.encoding)",
        ),
        Slider("num_steps", "number of steps T", 10, 40, 10, 30, integer=True, description="the length of the spike train"),
        Slider(
            "level",
            "code parameter, level 1-3",
            1,
            3,
            1,
            2,
            integer=True,
            description="the scheme's main parameter: low, middle or high (the note with the slider gives its value)",
        ),
        Dropdown(
            "digit",
            "digit",
            list(CODING_DIGITS),
            CODING_DIGITS[0],
            labels=[f"a {int(labels[i])} (test image {i})" for i in CODING_DIGITS],
            description="the MNIST test digit to encode",
        ),
    ]
    ex = Explorer(
        name="coding",
        title="Spike coding explorer",
        controls=controls,
        compute=_coding_compute,
        plot=_coding_plot,
        figsize=(6.9, 3.6),
        view="coding",
        notes=_coding_notes,
        readout=_coding_readout,
        description="Choose a code: the raster shows every input's spikes over time, the images the digit "
        "and what a decoder reads back from the spikes.",
    )

    def static():
        digits = {str(i): np.round(images[i].numpy() / 255 * 100).astype(int).reshape(-1).tolist() for i in CODING_DIGITS}
        levels = {k: {"param": v.param, "values": list(v.levels), "label": v.label} for k, v in CODING_SCHEMES.items()}
        return pack_frames(
            ex, _coding_pack, {"digits": digits, "levels": levels, "labels": {str(i): int(labels[i]) for i in CODING_DIGITS}}
        )

    ex.static_data = cached(static)
    return ex
