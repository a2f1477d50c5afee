"""Learning without labels: STDP, homeostasis and the Diehl & Cook (2015) network.

Functional core (pure functions of tensors), one file per idea:

* :mod:`.traces`: ``trace_step``/``trace_run`` (all-to-all "add" or nearest-spike "set" traces);
* :mod:`.stdp`: pair-based STDP (``stdp_step``, additive or multiplicative rule), the analytic
  window ``stdp_window`` and the one measured from simulated pairs, ``measure_window``;
* :mod:`.homeostasis`: adaptive thresholds and column normalisation of the weights;
* :mod:`.network`: one presentation of an image to the Diehl & Cook network (a C kernel, or
  the PyTorch reference; learning rule ``"pair"``, ``"triplet"`` or ``"offset"``, see
  ``STDP_RULES``); :mod:`.training`: training, checkpoints, labelling, accuracy;
* :mod:`.modules`: thin ``nn.Module`` wrappers (the chapter's exercises are in :mod:`snnlib.exercises.stdp`).

Command line: ``python -m snnlib.plasticity --neurons 400 --source full --json out.json``
(``--set NAME=VALUE`` changes a parameter of :class:`DiehlCookParams`).
"""

from __future__ import annotations

from .homeostasis import adaptive_threshold_step, normalise_columns
from .modules import STDP, AdaptiveThreshold, Trace
from .network import DiehlCookNet, DiehlCookParams, init_network, input_events, present, present_reference
from .stdp import RULES, STDPParams, STDPState, measure_window, pairing_protocol, stdp_init, stdp_step, stdp_window
from .traces import TRACE_MODES, trace_decay, trace_run, trace_step
from .training import (
    accuracy,
    assign_labels,
    evaluate,
    flat_images,
    load_checkpoint,
    predict,
    responses,
    run_experiment,
    save_checkpoint,
    train,
)

__all__ = [
    "adaptive_threshold_step",
    "normalise_columns",
    "STDP",
    "AdaptiveThreshold",
    "Trace",
    "DiehlCookNet",
    "DiehlCookParams",
    "init_network",
    "input_events",
    "present",
    "present_reference",
    "RULES",
    "STDPParams",
    "STDPState",
    "measure_window",
    "pairing_protocol",
    "stdp_init",
    "stdp_step",
    "stdp_window",
    "TRACE_MODES",
    "trace_decay",
    "trace_run",
    "trace_step",
    "accuracy",
    "assign_labels",
    "flat_images",
    "load_checkpoint",
    "predict",
    "responses",
    "run_experiment",
    "save_checkpoint",
    "train",
    "evaluate",
    "receptive_fields",
]


def receptive_fields(net: DiehlCookNet, side: int = 28):
    """The weights of each neuron as an image: ``[N, side, side]`` float tensor (a view of ``net.w``)."""
    from .. import _checks

    if not isinstance(net, DiehlCookNet):
        raise TypeError(f"net must be a DiehlCookNet, got {_checks.describe(net)}")
    side = _checks.integer(side, "side", 1)
    if side * side != net.w.shape[0]:
        raise ValueError(f"side must satisfy side * side = {net.w.shape[0]} (the network's inputs), got {side}")
    return net.w.T.reshape(net.num_neurons, side, side)
