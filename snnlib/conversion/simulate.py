"""Running a converted network, and the measurements of the chapter (layer 3: experiments).

* :func:`simulate`: one batch through a :class:`~.core.ConvertedNetwork` for up to ``T`` steps, with
  the analog input (a constant current) or rate-coded spikes (:func:`snnlib.encoding.rate`), and
  the class scores, spike counts and synaptic operations read at several step counts in one run;
* :func:`accuracy_vs_steps`: the accuracy (and spikes and synaptic operations per image) against
  the number of steps, over a whole test set;
* :func:`rate_correlation`: each layer's ANN activation ``a_l / lambda_l`` against the SNN's firing
  rate, and their Pearson correlation (the diagnostic plot of Rueckauer et al. 2017);
* :func:`fan_out`: how many synapses each neuron's spike drives (for synaptic operations).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Dict, List, Optional

import torch

from .. import _checks
from ..encoding import rate
from .core import ConvertedNetwork, if_params, neuron_step

__all__ = ["INPUTS", "Record", "fan_out", "simulate", "accuracy_vs_steps", "rate_correlation"]

#: How the image enters the first layer: pixels as a constant current, or as Bernoulli spikes.
INPUTS = ("analog", "rate")


def _check_steps(num_steps) -> List[int]:
    if isinstance(num_steps, (list, tuple)):
        if not num_steps:
            raise ValueError("num_steps must be a step count >= 1 or a non-empty list of them, got []")
        steps = [_checks.integer(t, "num_steps", 1) for t in num_steps]
    else:
        steps = [_checks.integer(num_steps, "num_steps", 1)]
    return sorted(set(steps))


@dataclass
class Record:
    """What :func:`simulate` read at each step count ``num_steps[k]`` (``K`` of them) for a batch of ``B``.

    ``scores [K, B, classes]``: output spike counts plus ``sigmoid(U / U_thr)`` (< 1, so the membrane
    only breaks ties); ``spikes [K, layers]``: spikes summed over the batch, per layer (the input
    spikes not included); ``synops [K]``: synaptic operations summed over the batch (each spike
    times its fan-out, input spikes included when the input is rate-coded); ``counts``: per layer,
    each neuron's spike count at the last step count, ``[B, ...]``.
    """

    num_steps: List[int]
    scores: torch.Tensor
    spikes: torch.Tensor
    synops: torch.Tensor
    counts: List[torch.Tensor]


def _structural(linear: torch.nn.Module) -> torch.nn.Module:
    """A copy of a stage's linear part with every non-zero weight set to 1 and no bias."""
    out = copy.deepcopy(linear)
    with torch.no_grad():
        for m in out.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
                m.weight.copy_((m.weight != 0).to(m.weight.dtype))
                if m.bias is not None:
                    m.bias.zero_()
    return out


def _net(net) -> None:
    if not isinstance(net, ConvertedNetwork):
        raise TypeError(f"net must be a ConvertedNetwork (from snnlib.conversion.convert), got {_checks.describe(net)}")


def fan_out(net: ConvertedNetwork, sample: torch.Tensor, chunk: int = 512) -> List[torch.Tensor]:
    """For each layer's input, how many synapses a unit drives: a list of ``[*unit_shape]`` tensors.

    Entry ``l`` has the shape of the input to stage ``l`` (for ``l = 0`` one image of ``sample [1, ...]``,
    later the spikes of layer ``l - 1``) and counts the outputs of stage ``l`` that one unit reaches
    through non-zero weights (pooling then a convolution included). Computed exactly, from the
    rows of the stage's structural Jacobian, ``chunk`` rows at a time.
    """
    _net(net)
    _checks.tensor(sample, "sample", "[1, ...]", min_dim=1, dtype="float")
    chunk = _checks.integer(chunk, "chunk", 1)
    out = []
    h = sample[:1]
    for stage in net.stages:
        ones = _structural(stage.linear)
        unit_shape = tuple(h.shape[1:])
        with torch.no_grad():
            n_out = ones(torch.zeros_like(h)).numel()
        counts = torch.zeros(unit_shape)
        for first in range(0, n_out, chunk):
            rows = torch.arange(first, min(first + chunk, n_out))
            x = torch.zeros((rows.numel(), *unit_shape), device=h.device, requires_grad=True)
            y = ones(x).reshape(rows.numel(), -1)
            pick = torch.zeros_like(y)
            pick[torch.arange(rows.numel()), rows.to(y.device)] = 1.0
            (grad,) = torch.autograd.grad(y, x, pick)
            counts += (grad > 0).sum(0).to(counts.dtype).cpu()
        out.append(counts.to(h.device))
        with torch.no_grad():
            h = stage.linear(h)
    return out


def simulate(
    net: ConvertedNetwork,
    x: torch.Tensor,
    num_steps,
    reset: str = "subtract",
    input: str = "analog",
    beta: float = 1.0,
    generator: Optional[torch.Generator] = None,
    fanouts: Optional[List[torch.Tensor]] = None,
) -> Record:
    """Run the spiking network on inputs ``x [B, ...]`` (in [0, 1]) and read it at every step count.

    ``num_steps``: one count ``T`` or a list of them (read in one run of ``max(T)`` steps);
    ``reset``: ``"subtract"`` or ``"zero"``; ``input``: ``"analog"`` (``x`` is a constant current
    into the first layer) or ``"rate"`` (Bernoulli spikes of probability ``x`` at every step, from
    :func:`snnlib.encoding.rate`, drawn with ``generator``); ``beta``: 1 for IF neurons, < 1 for a
    leak. Biases are a constant current at every step. ``fanouts``: from :func:`fan_out` (computed
    here when omitted). Returns a :class:`Record`.
    """
    _net(net)
    _checks.tensor(x, "x", "[B, ...]", min_dim=1, dtype="float", finite=True)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {_checks.describe(generator)}")
    steps = _check_steps(num_steps)
    _checks.choice(input, "input", INPUTS)
    if input == "rate" and (float(x.min()) < 0 or float(x.max()) > 1):
        raise ValueError(
            f"x must lie in [0, 1] for rate-coded input (spike probabilities), got values in "
            f"[{float(x.min()):.3g}, {float(x.max()):.3g}]"
        )
    params = [if_params(reset, thr, beta) for thr in net.thresholds]
    if fanouts is None:
        fanouts = fan_out(net, x[:1])
    n_layers = net.num_layers
    states = [None] * n_layers
    counts: List[Optional[torch.Tensor]] = [None] * n_layers
    syn = torch.zeros((), dtype=torch.float64)
    scores, spikes, synops = [], [], []
    stop = set(steps)
    with torch.no_grad():
        for t in range(1, steps[-1] + 1):
            h = x if input == "analog" else rate(x, 1, generator=generator)[0]
            if input == "rate":
                syn += float((h * fanouts[0]).sum())
            for layer, stage in enumerate(net.stages):
                spk, states[layer] = neuron_step(stage.linear(h), states[layer], params[layer])
                counts[layer] = spk if counts[layer] is None else counts[layer] + spk
                if layer + 1 < n_layers:
                    syn += float((spk * fanouts[layer + 1]).sum())
                h = spk
            if t in stop:
                mem = states[-1].mem
                scores.append(
                    counts[-1].reshape(x.shape[0], -1) + torch.sigmoid(mem.reshape(x.shape[0], -1) / net.thresholds[-1])
                )
                spikes.append(torch.stack([c.sum() for c in counts]))
                synops.append(syn.clone())
    return Record(steps, torch.stack(scores), torch.stack(spikes).double(), torch.stack(synops), list(counts))


def accuracy_vs_steps(
    net: ConvertedNetwork,
    x: torch.Tensor,
    labels: torch.Tensor,
    num_steps,
    reset: str = "subtract",
    input: str = "analog",
    beta: float = 1.0,
    batch_size: int = 500,
    seed: int = 0,
) -> Dict[str, Dict[int, float]]:
    """Accuracy of the spiking network on ``x [N, ...]`` / ``labels [N]`` at every step count.

    Returns ``{"accuracy": {T: fraction}, "spikes_per_image": {T: spikes}, "synops_per_image": {T: ops},
    "layer_spikes_per_image": {T: [per layer]}}``. The other arguments are those of :func:`simulate`
    (``seed`` seeds the rate-coded input).
    """
    _net(net)
    _checks.tensor(labels, "labels", "[N]", ndim=1, dtype="integer")
    _checks.tensor(x, "x", "[N, ...]", min_dim=1, dtype="float", finite=True)
    if labels.shape[0] != x.shape[0]:
        raise ValueError(f"labels must have shape [{x.shape[0]}] (one per input), got {tuple(labels.shape)}")
    batch_size = _checks.integer(batch_size, "batch_size", 1)
    steps = _check_steps(num_steps)
    gen = torch.Generator(device=x.device).manual_seed(_checks.integer(seed, "seed", 0))
    fanouts = fan_out(net, x[:1])
    correct = torch.zeros(len(steps), dtype=torch.float64)
    spikes = torch.zeros(len(steps), net.num_layers, dtype=torch.float64)
    synops = torch.zeros(len(steps), dtype=torch.float64)
    for start in range(0, x.shape[0], batch_size):
        xb, yb = x[start : start + batch_size], labels[start : start + batch_size]
        rec = simulate(net, xb, steps, reset, input, beta, gen, fanouts)
        correct += (rec.scores.argmax(-1) == yb.to(rec.scores.device)).sum(-1).double().cpu()
        spikes += rec.spikes.cpu()
        synops += rec.synops
    n = x.shape[0]
    return {
        "accuracy": {t: float(correct[k] / n) for k, t in enumerate(steps)},
        "spikes_per_image": {t: float(spikes[k].sum() / n) for k, t in enumerate(steps)},
        "synops_per_image": {t: float(synops[k] / n) for k, t in enumerate(steps)},
        "layer_spikes_per_image": {t: [float(v / n) for v in spikes[k]] for k, t in enumerate(steps)},
    }


def rate_correlation(
    net: ConvertedNetwork,
    x: torch.Tensor,
    num_steps: int,
    reset: str = "subtract",
    input: str = "analog",
    max_points: int = 2000,
    seed: int = 0,
) -> Dict[str, list]:
    """Each layer's normalised ANN activation against the SNN's firing rate after ``num_steps`` steps.

    For inputs ``x [B, ...]``: the ANN activation of layer ``l`` divided by its threshold scale
    (``a_l / lambda_l`` for weight normalisation; for the output layer the positive part of the
    logits, since a rate cannot be negative), the value an ideal rate would take, and the rate
    ``count / T`` of the same neuron. Returns ``{"pearson": [r per layer], "ann": [[values] per layer],
    "snn": [[values] per layer]}`` with at most ``max_points`` sampled neurons per layer (seeded).
    """
    T = _checks.integer(num_steps, "num_steps", 1)
    max_points = _checks.integer(max_points, "max_points", 1)
    seed = _checks.integer(seed, "seed")
    _net(net)
    _checks.tensor(x, "x", "[B, ...]", min_dim=1, dtype="float", finite=True)
    rec = simulate(net, x, T, reset, input, generator=torch.Generator(device=x.device).manual_seed(seed))
    gen = torch.Generator().manual_seed(int(seed))
    out: Dict[str, list] = {"pearson": [], "ann": [], "snn": []}
    with torch.no_grad():
        h = x
        for layer, stage in enumerate(net.stages):
            h = stage.linear(h)
            if stage.relu:
                h = torch.relu(h)
            ideal = (torch.relu(h) / net.thresholds[layer]).reshape(-1).double().cpu()
            rates = (rec.counts[layer] / T).reshape(-1).double().cpu()
            both = torch.stack([ideal, rates])
            r = torch.corrcoef(both)[0, 1] if ideal.std() > 0 and rates.std() > 0 else torch.tensor(float("nan"))
            pick = torch.randperm(ideal.numel(), generator=gen)[:max_points]
            out["pearson"].append(float(r))
            out["ann"].append([round(float(v), 5) for v in ideal[pick]])
            out["snn"].append([round(float(v), 5) for v in rates[pick]])
    return out
