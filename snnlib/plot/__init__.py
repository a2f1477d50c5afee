"""Plotting, kept apart from simulation: every function takes data (tensors or arrays) and an
optional matplotlib ``ax`` (a new figure is made when it is ``None``) and returns the ``ax``.

One module per chapter, all re-exported here (``snl.plot.raster``, ``snl.plot.EXC_COLOR`` ...):

* :mod:`~snnlib.plot.palette`: the book's colours, declared once (also the kernel-free explorers');
* :mod:`~snnlib.plot.base`: ``to_numpy``, ``new_ax`` and the argument checks of plotting;
* :mod:`~snnlib.plot.datasets`: digit grids and class counts (:mod:`snnlib.data`);
* :mod:`~snnlib.plot.coding`: rasters, spike-count images and animations (spike coding);
* :mod:`~snnlib.plot.lif`: membranes, currents, charging and f-I curves (the LIF neuron);
* :mod:`~snnlib.plot.circuits`: circuit diagrams and population rasters (neural circuits);
* :mod:`~snnlib.plot.learning`: surrogates, gradient flow, loss curves (surrogate gradients);
* :mod:`~snnlib.plot.mnist`: training curves, throughput and output spikes (MNIST on the GPU).

Records are time-first (``[T, ...]``); a record of the wrong shape is a ``ValueError`` that gives
the expected shape.
"""

from __future__ import annotations

from . import base, circuits, coding, datasets, learning, lif, mnist, palette  # noqa: F401 (the modules)
from .base import new_ax, to_numpy
from .circuits import MOTIF_NAMES, circuit_diagram, population_raster
from .coding import coding_panel, raster, spike_animation, spike_count_image
from .datasets import class_counts, digit_grid
from .learning import (
    plot_decision_regions,
    plot_gradient_flow,
    plot_loss_curves,
    plot_seed_study,
    plot_spike_targets,
    plot_surrogate,
    plot_unrolled_graph,
)
from .lif import (
    plot_charging,
    plot_current,
    plot_euler_error,
    plot_fi_curve,
    plot_lif_response,
    plot_membrane,
    plot_noisy_fi,
    plot_raster_row,
    plot_trial_raster,
)
from .mnist import plot_accuracy_curves, plot_layer_energy, plot_loss_curve, plot_output_spikes, plot_throughput
from .palette import (
    ACCENT_COLOR,
    BROWSER,
    COUNT_CMAP,
    CURRENT_COLOR,
    DECAY_COLOR,
    EXC_COLOR,
    GRADIENT_COLOR,
    GRAPH_NODE_COLORS,
    IMAGE_CMAP,
    INH_COLOR,
    INK_CMAP,
    INK_COLOR,
    INPUT_COLOR,
    KIND_COLORS,
    MUTED_COLOR,
    PAPER_COLOR,
    RAW_COLOR,
    REFRACTORY_COLOR,
    REGION_COLORS,
    SEPARATOR_COLOR,
    SPIKE_COLOR,
    THRESHOLD_COLOR,
    ZERO_LINE_COLOR,
)

__all__ = [
    "to_numpy",
    "new_ax",
    # palette
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
    # data sets
    "digit_grid",
    "class_counts",
    # spike coding
    "raster",
    "spike_count_image",
    "spike_animation",
    "coding_panel",
    # the LIF neuron
    "plot_membrane",
    "plot_current",
    "plot_lif_response",
    "plot_charging",
    "plot_euler_error",
    "plot_fi_curve",
    "plot_raster_row",
    "plot_trial_raster",
    "plot_noisy_fi",
    # neural circuits
    "MOTIF_NAMES",
    "circuit_diagram",
    "population_raster",
    # surrogate gradients
    "plot_surrogate",
    "plot_gradient_flow",
    "plot_unrolled_graph",
    "plot_seed_study",
    "plot_spike_targets",
    "plot_loss_curves",
    "plot_decision_regions",
    # MNIST
    "plot_loss_curve",
    "plot_accuracy_curves",
    "plot_throughput",
    "plot_layer_energy",
    "plot_output_spikes",
]
