"""snnlib.plot: one palette for every figure and page, and plotting functions that check their data."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import snnlib as snl
from snnlib.plot import palette

P = snl.plot
PKG = Path(snl.__file__).resolve().parent


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# One palette
# ---------------------------------------------------------------------------------------------
COLOUR_LITERAL = re.compile(
    r"""["']#[0-9a-fA-F]{3,8}["']|\b(?:color|colors|c|fc|ec|facecolor|edgecolor|markerfacecolor|cmap)"""
    r"""\s*=\s*["'](?!none["'])[^"']*["']"""
)  # "none" (no colour) is allowed


def test_every_colour_comes_from_the_palette():
    """No colour is written down outside snnlib/plot/palette.py: not in plotting, widgets or the page's JavaScript."""
    files = sorted((PKG / "plot").glob("*.py")) + sorted((PKG / "widgets").glob("*.py")) + sorted((PKG / "js").glob("*.js"))
    found = []
    for f in files:
        if f.name == "palette.py":
            continue
        for i, line in enumerate(f.read_text().splitlines(), 1):
            for m in COLOUR_LITERAL.finditer(line):
                found.append(f"{f.relative_to(PKG)}:{i}: {m.group(0)}")
    assert not found, "colours outside the palette:\n" + "\n".join(found)


def test_the_palette_is_reexported_and_complete():
    for name in palette.__all__:
        assert getattr(P, name) is getattr(palette, name)
    assert (P.EXC_COLOR, P.INH_COLOR, P.SPIKE_COLOR, P.THRESHOLD_COLOR) == ("#1f77b4", "#d62728", "black", "#7f7f7f")
    assert set(P.KIND_COLORS) == {"input", "excitatory", "inhibitory"}
    assert palette.BROWSER["kinds"] == P.KIND_COLORS
    for key in (
        "exc",
        "inh",
        "spike",
        "threshold",
        "current",
        "accent",
        "gradient",
        "refractory",
        "muted",
        "zero",
        "grid",
        "text",
        "frame",
        "background",
    ):
        assert isinstance(palette.BROWSER[key], str), key


def test_every_public_name_is_exported():
    assert len(P.__all__) == len(set(P.__all__))
    modules = (palette, P.base, P.datasets, P.coding, P.lif, P.circuits, P.learning, P.mnist)
    assert set(P.__all__) == {n for m in modules for n in m.__all__}
    for name in P.__all__:
        assert hasattr(P, name), name


# ---------------------------------------------------------------------------------------------
# Arguments are checked, shapes in the messages
# ---------------------------------------------------------------------------------------------
SPIKES = (torch.rand(20, 2, 6, generator=torch.Generator().manual_seed(0)) < 0.3).float()


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: P.raster(torch.rand(5, 3) + 0.5), ValueError, r"spikes must hold spikes .* \[T, \.\.\.\]"),
        (lambda: P.raster([[0, 1], [1, 0]], max_neurons=0), ValueError, "max_neurons must be an integer >= 1"),
        (lambda: P.raster(SPIKES, dt=0), ValueError, "dt must be a number > 0"),
        (lambda: P.raster(SPIKES, active_only=1), TypeError, "active_only must be True or False"),
        (lambda: P.raster("spikes"), TypeError, r"spikes must be a tensor or an array of numbers of shape \[T, \.\.\.\]"),
        (lambda: P.raster(torch.zeros(0, 3)), ValueError, "at least one time step"),
        (lambda: P.spike_count_image(SPIKES[:, 0], shape=(2, 2)), ValueError, r"H \* W = 4"),
        (lambda: P.spike_count_image(SPIKES, population="max"), ValueError, "population must be one of"),
        (lambda: P.spike_animation(SPIKES[:, 0], shape=(2, 3), interval=0), ValueError, "interval must be an integer >= 1"),
        (lambda: P.spike_animation(torch.zeros(3, 4)), ValueError, r"\[T, H, W\]"),
        (
            lambda: P.coding_panel(torch.rand(2, 3), SPIKES[:, 0], torch.rand(2, 3), ax=[None] * 3),
            ValueError,
            "ax must be 4 axes, got 3",
        ),
        (lambda: P.coding_panel(torch.rand(2, 3), SPIKES[:, 0], torch.rand(3, 2)), ValueError, "same shape"),
        (lambda: P.coding_panel(torch.rand(2, 2), SPIKES[:, 0], torch.rand(2, 2)), ValueError, "whole number of neurons"),
        (lambda: P.plot_membrane(torch.rand(10, 3)), ValueError, r"mem must be one neuron's record \[T\] or \[T, 1\]"),
        (lambda: P.plot_membrane(torch.rand(10, 2, 2)), ValueError, r"mem must have shape \[T\] or \[T, 1\]"),
        (lambda: P.plot_membrane(torch.rand(10), torch.rand(10) + 2), ValueError, "spk must hold spikes"),
        (lambda: P.plot_membrane(torch.rand(10), dt=-1.0), ValueError, "dt must be a number > 0"),
        (lambda: P.plot_current(torch.rand(10, 2)), ValueError, r"cur must be one neuron's record \[T\]"),
        (
            lambda: P.plot_lif_response(torch.rand(10), torch.rand(9), torch.zeros(9)),
            ValueError,
            "cur and mem must have the same length",
        ),
        (lambda: P.plot_charging([1.0, 2.0], [0.1], [0.1, 0.2]), ValueError, "t and simulated must have the same length"),
        (lambda: P.plot_euler_error([0.1, 0.2], [1.0]), ValueError, "dts and errors"),
        (lambda: P.plot_fi_curve([0.0, 1.0], [0.0, 1.0], [0.0]), ValueError, "currents and analytic"),
        (lambda: P.plot_raster_row(torch.rand(10)), ValueError, "spk must hold spikes"),
        (lambda: P.digit_grid(torch.zeros(3, 4, 4), torch.zeros(2, dtype=torch.long)), ValueError, "one label per image"),
        (lambda: P.digit_grid(torch.zeros(3, 4, 4), torch.zeros(3)), TypeError, "labels must be an integer tensor"),
        (lambda: P.digit_grid(torch.zeros(3, 4, 4), ncols=0), ValueError, "ncols must be an integer >= 1"),
        (lambda: P.class_counts(torch.tensor([0, 10])), ValueError, r"labels must be ints in 0\.\.9"),
        (lambda: P.class_counts(torch.tensor([0, 1]), class_names=["a"]), ValueError, "name each of the 10 classes"),
        (lambda: P.circuit_diagram("recurrent"), ValueError, "motif must be one of"),
        (
            lambda: P.population_raster({"E": torch.zeros(10)}),
            ValueError,
            r"spikes\['E'\] must have shape \[T, N\] or \[T, B, N\]",
        ),
        (lambda: P.population_raster({"E": torch.zeros(10, 2, 3)}, batch=2), ValueError, "batch must be < 2"),
        (lambda: P.population_raster({"E": torch.zeros(10, 3)}, {"E": "exc"}), ValueError, r"kinds\['E'\] must be one of"),
        (lambda: P.population_raster({"E": torch.zeros(10, 3)}, order=["I"]), ValueError, "order must be one of"),
        (lambda: P.population_raster([torch.zeros(10, 3)]), TypeError, "spikes must be a mapping"),
        (lambda: P.plot_surrogate(u_range=(1.0, -1.0)), ValueError, r"u_range\[1\] must be a number > 1"),
        (lambda: P.plot_surrogate(n=1), ValueError, "n must be an integer >= 2"),
        (lambda: P.plot_unrolled_graph(7), ValueError, "T must be an integer >= 2 and <= 5"),
        (
            lambda: P.plot_gradient_flow({"a": snl.learning.gradient_flow("arctan", num_steps=5)}, what="grad_x"),
            ValueError,
            "what must be one of",
        ),
        (lambda: P.plot_gradient_flow({"a": {"grad_mem": torch.zeros(5, 2)}}), TypeError, "GradientFlowResult"),
        (lambda: P.plot_spike_targets(object()), TypeError, "SpikeTimeResult"),
        (lambda: P.plot_loss_curves([1.0, 2.0]), TypeError, "curves must be a mapping"),
        (lambda: P.plot_decision_regions(None, torch.zeros(4, 2), torch.zeros(4)), TypeError, "model must be callable"),
        (lambda: P.plot_decision_regions(lambda p: p, torch.zeros(4, 3), torch.zeros(4)), ValueError, r"x must be \[B, 2\]"),
        (lambda: P.plot_loss_curve(torch.rand(10), smooth=0), ValueError, "smooth must be an integer >= 1"),
        (lambda: P.plot_loss_curve(torch.rand(2, 5)), ValueError, r"loss must have shape \[S\]"),
        (lambda: P.plot_accuracy_curves({"a": [50.0, 90.0]}), ValueError, r"accuracies in \[0, 1\]"),
        (lambda: P.plot_throughput({"a": {"samples": 1.0}}), ValueError, "key must be one of"),
        (lambda: P.plot_throughput({}), ValueError, "at least one"),
        (lambda: P.plot_output_spikes(SPIKES[:, 0]), ValueError, r"spk_rec must have shape \[T, B, C\]"),
        (lambda: P.plot_output_spikes(SPIKES, sample=2), ValueError, "sample must be an integer >= 0 and <= 1"),
        (lambda: P.raster(SPIKES, ax="left"), TypeError, "ax must be a matplotlib Axes"),
    ],
)
def test_plotting_checks_its_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_plots_accept_arrays_lists_and_tensors():
    s = SPIKES[:, 0]
    for rec in (s, s.numpy(), s.tolist(), s.bool()):
        ax = P.raster(rec)
        assert len(ax.lines[0].get_xdata()) == int(s.sum())
    delta = s - torch.roll(s, 1, 0) * (1 - s)
    ax = P.raster(delta)
    assert len(ax.lines) == 2
    ax = P.population_raster(
        {"input": np.abs(np.random.default_rng(0).normal(size=(20, 4))), "E": SPIKES},
        {"input": "input", "E": "excitatory"},
        batch=1,
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["E", "input"]
    axes = P.coding_panel(torch.rand(2, 3), SPIKES[:, 0], torch.rand(2, 3))
    assert len(axes) == 4
    assert P.plot_output_spikes(SPIKES, sample=1) is not None
    assert P.plot_membrane(np.linspace(0, 1, 20), np.zeros((20, 1))) is not None
