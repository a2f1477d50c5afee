"""ANN-to-SNN conversion: a trained ReLU network run as integrate-and-fire neurons (layer 3).

The chapter "From ANN to SNN" uses it; every piece is a plain function:

* :mod:`.core`: the neuron step, stages of a ReLU network, data-based normalisation (maximum or
  percentile), weight normalisation and threshold balancing, :func:`convert`;
* :mod:`.networks`: the 784-1000-10 MLP and the small CNN, a trainer and the ANN's accuracy;
* :mod:`.simulate`: running the converted network (analog or rate-coded input, reset by
  subtraction or to zero) and the measurements (accuracy, spikes and synaptic operations against
  the number of steps; ANN activation against SNN rate);
* :mod:`.experiment`: the whole experiment behind ``python -m snnlib.conversion``;
* the checkers of the chapter's exercises are in :mod:`snnlib.exercises.conversion`.
"""

from __future__ import annotations

from .core import (
    BALANCES,
    NORMALISATIONS,
    RESETS,
    ConvertedNetwork,
    Stage,
    activation_scales,
    balance_thresholds,
    convert,
    if_params,
    layer_scale,
    neuron_step,
    normalise_parameters,
    split_stages,
    stage_activations,
)
from .networks import NETWORKS, ann_accuracy, input_shape, make_network, prepare, random_shift, train_ann
from .simulate import INPUTS, Record, accuracy_vs_steps, fan_out, rate_correlation, simulate

__all__ = [
    "BALANCES",
    "NORMALISATIONS",
    "RESETS",
    "INPUTS",
    "NETWORKS",
    "ConvertedNetwork",
    "Stage",
    "Record",
    "activation_scales",
    "balance_thresholds",
    "convert",
    "if_params",
    "layer_scale",
    "neuron_step",
    "normalise_parameters",
    "split_stages",
    "stage_activations",
    "ann_accuracy",
    "input_shape",
    "make_network",
    "prepare",
    "random_shift",
    "train_ann",
    "accuracy_vs_steps",
    "fan_out",
    "rate_correlation",
    "simulate",
]
