"""The functional core of ANN-to-SNN conversion (layer 3: experiments).

A trained ReLU network ``a_l = ReLU(W_l a_{l-1} + b_l)`` becomes a spiking one by keeping every
weight and replacing each ReLU by integrate-and-fire neurons that run for ``num_steps`` steps. An
IF neuron driven by a constant current ``I`` fires at the rate ``clip(I / U_thr, 0, 1)`` spikes per
step in the limit of many steps (reset by subtraction), which is a clipped ReLU: the SNN's rates
approximate the ANN's activations once each layer is scaled so that its activations fit in [0, 1].

* :func:`if_params` and :func:`neuron_step`: the spiking neuron (IF, or LIF with ``beta < 1``) with
  reset by subtraction or to zero, one step of :func:`snnlib.neurons.lif_step`;
* :func:`split_stages`: a ``nn.Sequential`` ReLU network cut into stages (linear part, then ReLU);
* :func:`layer_scale`, :func:`activation_scales`: data-based normalisation factors ``lambda_l``
  (the maximum, or a percentile such as 99.9 %, of the positive activations on training data);
* :func:`normalise_parameters` (weight normalisation) and :func:`balance_thresholds` (threshold
  balancing): the two equivalent ways to apply the factors, biases included;
* :func:`convert`: all of it, returning a :class:`ConvertedNetwork` that :mod:`.simulate` runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import nn

from .. import _checks
from ..neurons import LIFParams, LIFState, lif_step

__all__ = [
    "RESETS",
    "NORMALISATIONS",
    "BALANCES",
    "if_params",
    "neuron_step",
    "Stage",
    "split_stages",
    "stage_activations",
    "layer_scale",
    "activation_scales",
    "normalise_parameters",
    "balance_thresholds",
    "ConvertedNetwork",
    "convert",
]

#: The resets a converted neuron may use (see :func:`snnlib.neurons.lif_step`).
RESETS = ("subtract", "zero")
#: Normalisation name -> the percentile of the positive activations that sets ``lambda_l``
#: (``None``: no normalisation, ``lambda_l = 1``; 100: the maximum, Diehl et al. 2015).
NORMALISATIONS: Dict[str, Optional[float]] = {"none": None, "max": 100.0, "p99.99": 99.99, "p99.9": 99.9, "p99": 99.0}
#: How the factors are applied: scaled weights and unit thresholds, or raw weights and thresholds.
BALANCES = ("weights", "thresholds")

#: Modules that may stand before a weighted layer inside one stage (they are linear).
_LINEAR_EXTRAS = (nn.AvgPool2d, nn.Flatten, nn.Identity, nn.Dropout)
_WEIGHTED = (nn.Linear, nn.Conv2d)


def if_params(reset: str = "subtract", threshold=1.0, beta: float = 1.0) -> LIFParams:
    """The parameters of a converted neuron: IF (``beta = 1``, the default) or LIF (``beta < 1``).

    ``reset``: ``"subtract"`` (keep the surplus above threshold, Rueckauer et al. 2017) or
    ``"zero"`` (discard it, Diehl et al. 2015). ``threshold``: a number > 0 or a tensor
    broadcastable to the layer's state ``[B, ...]``.
    """
    _checks.choice(reset, "reset", RESETS)
    beta = _checks.real(beta, "beta", 0.0, 1.0)
    if not isinstance(threshold, torch.Tensor):
        threshold = _checks.positive(threshold, "threshold")
    return LIFParams(beta=beta, threshold=threshold, reset=reset)


def neuron_step(cur: torch.Tensor, state: Optional[LIFState], params: LIFParams) -> Tuple[torch.Tensor, LIFState]:
    """One step of a converted layer: ``(spk [B, ...], state) = neuron_step(I [B, ...], state, params)``.

    The membrane integrates the current ``I`` and fires when it exceeds the threshold; the reset
    (by subtraction or to zero) acts at the next step. ``state=None`` starts at rest. This is
    :func:`snnlib.neurons.lif_step`, run without gradients.
    """
    _checks.tensor(cur, "cur", "[B, ...]", dtype="float")
    _checks.host_values(cur, "cur", "[B, ...]")
    with torch.no_grad():
        return lif_step(cur, state, params)


@dataclass
class Stage:
    """One stage of a ReLU network: ``linear`` (pooling/flatten, then one Linear or Conv2d), then a ReLU.

    ``relu`` is False for the last stage (the output layer, whose activations are the logits).
    """

    linear: nn.Sequential
    relu: bool

    @property
    def weighted(self) -> nn.Module:
        """The stage's Linear or Conv2d (its last module)."""
        return self.linear[-1]


def split_stages(ann: nn.Sequential) -> List[Stage]:
    """Cut a ``nn.Sequential`` ReLU network into :class:`Stage` s, one per Linear/Conv2d layer.

    Allowed modules: Linear, Conv2d, ReLU, AvgPool2d, Flatten, Identity, Dropout (ignored at
    conversion). The network must end with a Linear or Conv2d (the output layer, no ReLU) and every
    other weighted layer must be followed by a ReLU. Anything else (max-pooling, batch-norm, other
    activations) raises ``ValueError``: fold it into the weights or replace it first.
    """
    if not isinstance(ann, nn.Sequential):
        raise TypeError(f"ann must be an nn.Sequential of Linear/Conv2d/ReLU/AvgPool2d/Flatten layers, got {type(ann).__name__}")
    stages: List[Stage] = []
    pending: List[nn.Module] = []
    for i, module in enumerate(ann):
        if isinstance(module, _WEIGHTED):
            if stages and not stages[-1].relu:
                raise ValueError(
                    f"ann layer {i} ({type(module).__name__}) follows a weighted layer with no ReLU "
                    "between them: every hidden Linear/Conv2d must be followed by nn.ReLU"
                )
            stages.append(Stage(nn.Sequential(*[m for m in pending if not isinstance(m, nn.Dropout)], module), False))
            pending = []
        elif isinstance(module, nn.ReLU):
            if not stages or stages[-1].relu or pending:
                raise ValueError(f"ann layer {i} (ReLU) must directly follow a Linear or Conv2d layer")
            stages[-1].relu = True
        elif isinstance(module, _LINEAR_EXTRAS):
            pending.append(module)
        else:
            raise ValueError(
                f"ann layer {i} is {type(module).__name__}, which conversion does not handle: use "
                "Linear, Conv2d, ReLU, AvgPool2d and Flatten (fold batch-norm into the weights, "
                "replace max-pooling by average pooling)"
            )
    if not stages:
        raise ValueError("ann has no Linear or Conv2d layer to convert")
    if stages[-1].relu or pending:
        raise ValueError("ann must end with a Linear or Conv2d output layer (the logits, no ReLU after it)")
    return stages


def _stages(stages) -> None:
    if isinstance(stages, (str, bytes)) or not isinstance(stages, Sequence) or not all(isinstance(s, Stage) for s in stages):
        raise TypeError(f"stages must be a sequence of Stage (see split_stages), got {_checks.describe(stages)}")


def _generator(generator) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {_checks.describe(generator)}")


def stage_activations(stages: Sequence[Stage], x: torch.Tensor) -> List[torch.Tensor]:
    """The ANN's activation after every stage for inputs ``x [B, ...]``: a list of ``[B, ...]`` tensors.

    Hidden stages give ``ReLU(W a + b)``, the last gives the logits ``W a + b``.
    """
    _stages(stages)
    _checks.tensor(x, "x", "[B, ...]", min_dim=1, dtype="float", finite=True)
    out = []
    with torch.no_grad():
        h = x
        for stage in stages:
            h = stage.linear(h)
            if stage.relu:
                h = torch.relu(h)
            out.append(h)
    return out


def layer_scale(
    activations: torch.Tensor, percentile: float = 99.9, max_values: int = 4_000_000, generator: Optional[torch.Generator] = None
) -> float:
    """The normalisation factor ``lambda`` of one layer: a percentile of its positive activations.

    ``activations``: any shape (e.g. ``[N, units]`` or ``[N, C, H, W]``); only the values > 0 count
    (a ReLU layer is mostly silent; the zeros would drag a percentile down). ``percentile`` in
    (0, 100]: 100 is the maximum (Diehl et al. 2015), 99.9 ignores the rare largest 0.1 %
    (Rueckauer et al. 2017). When there are more than ``max_values`` positive values a random
    sample of that many is used (``generator`` picks it). A layer with no positive value gets 1.0.
    """
    _checks.tensor(activations, "activations", "[N, ...]", dtype="float", finite=True)
    percentile = _checks.real(percentile, "percentile", 0.0, 100.0, min_open=True)
    max_values = _checks.integer(max_values, "max_values", 1)
    _generator(generator)
    values = activations.detach().reshape(-1)
    values = values[values > 0]
    if values.numel() == 0:
        return 1.0
    if values.numel() > max_values:
        pick = torch.randperm(values.numel(), generator=generator)[:max_values].to(values.device)
        values = values[pick]
    if percentile == 100.0:
        return float(values.max())
    k = max(1, min(values.numel(), round(percentile / 100.0 * values.numel())))
    return float(values.double().kthvalue(k).values)


def activation_scales(
    stages: Sequence[Stage], x: torch.Tensor, normalisation: str = "p99.9", batch_size: int = 500, seed: int = 0
) -> List[float]:
    """``lambda_l`` for every stage from training inputs ``x [N, ...]`` (one float per stage).

    ``normalisation``: a key of :data:`NORMALISATIONS` (``"none"`` gives all ones). The activations
    are computed in batches of ``batch_size``; each layer keeps at most 4,000,000 positive values
    (a random sample, seeded by ``seed``) for its percentile.
    """
    _checks.choice(normalisation, "normalisation", NORMALISATIONS)
    _stages(stages)
    _checks.tensor(x, "x", "[N, ...]", min_dim=1, dtype="float", finite=True)
    batch_size = _checks.integer(batch_size, "batch_size", 1)
    seed = _checks.integer(seed, "seed")
    percentile = NORMALISATIONS[normalisation]
    if percentile is None:
        return [1.0] * len(stages)
    positives: List[List[torch.Tensor]] = [[] for _ in stages]
    for start in range(0, x.shape[0], batch_size):
        for layer, act in enumerate(stage_activations(stages, x[start : start + batch_size])):
            flat = act.reshape(-1)
            positives[layer].append(flat[flat > 0].cpu())
    gen = torch.Generator().manual_seed(int(seed))
    out = []
    for parts in positives:
        values = torch.cat(parts) if parts else torch.zeros(0)
        out.append(layer_scale(values, percentile, generator=gen) if values.numel() else 1.0)
    return out


def _check_parameters(weights, biases, scales) -> int:
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError(
            f"weights must be a non-empty list of tensors (one [out, in] or [out, in, k, k] per layer), "
            f"got {_checks.describe(weights)}"
        )
    n = len(weights)
    if not isinstance(biases, (list, tuple)) or len(biases) != n:
        raise ValueError(f"biases must be a list of {n} tensors [out] (or None), one per layer, got {_checks.describe(biases)}")
    if not isinstance(scales, (list, tuple)) or len(scales) != n:
        raise ValueError(
            f"scales must be a list of {n} positive numbers (lambda_1 .. lambda_{n}), got {_checks.describe(scales)}"
        )
    for i, w in enumerate(weights):
        _checks.tensor(w, f"weights[{i}]", "[out, in, ...]", dtype="float", min_dim=2)
        if biases[i] is not None:
            _checks.tensor(biases[i], f"biases[{i}]", f"[{w.shape[0]}]", dtype="float", ndim=1)
            if biases[i].shape[0] != w.shape[0]:
                raise ValueError(
                    f"biases[{i}] must have shape [{w.shape[0]}] (one per output of weights[{i}]), got {tuple(biases[i].shape)}"
                )
    return n


def normalise_parameters(
    weights: Sequence[torch.Tensor], biases: Sequence[Optional[torch.Tensor]], scales: Sequence[float], input_scale: float = 1.0
) -> Tuple[List[torch.Tensor], List[Optional[torch.Tensor]]]:
    r"""Data-based weight normalisation: ``W_l <- W_l lambda_{l-1} / lambda_l``, ``b_l <- b_l / lambda_l``.

    ``weights``: one tensor per layer (``[out, in]`` or ``[out, in, k, k]``); ``biases``: one ``[out]``
    tensor (or ``None``) per layer; ``scales``: ``lambda_1 .. lambda_L`` (> 0); ``input_scale``:
    ``lambda_0``, the largest input (1 for pixels in [0, 1]). The normalised network computes
    ``a_l / lambda_l`` at every layer, so with thresholds of 1 its rates approximate it. Returns new
    lists of new tensors; the inputs are not changed.
    """
    n = _check_parameters(weights, biases, scales)
    lam = [_checks.positive(input_scale, "input_scale")] + [_checks.positive(s, f"scales[{i}]") for i, s in enumerate(scales)]
    new_w = [weights[i] * (lam[i] / lam[i + 1]) for i in range(n)]
    new_b = [None if biases[i] is None else biases[i] / lam[i + 1] for i in range(n)]
    return new_w, new_b


def balance_thresholds(
    scales: Sequence[float], biases: Sequence[Optional[torch.Tensor]], input_scale: float = 1.0
) -> Tuple[List[float], List[Optional[torch.Tensor]]]:
    r"""Threshold balancing, the equivalent of :func:`normalise_parameters` that keeps the weights.

    Layer ``l`` keeps ``W_l``, takes the threshold ``lambda_l / lambda_{l-1}`` and the bias
    ``b_l / lambda_{l-1}``: its membrane sees the current ``lambda_{l-1}`` times larger than in the
    weight-normalised network and the threshold is that many times higher, so the spikes are the same.
    Returns ``(thresholds, biases)``, one per layer.
    """
    if isinstance(scales, (str, bytes)) or not isinstance(scales, Sequence):
        raise TypeError(f"scales must be a sequence of numbers > 0, one per layer, got {_checks.describe(scales)}")
    lam = [_checks.positive(input_scale, "input_scale")] + [_checks.positive(s, f"scales[{i}]") for i, s in enumerate(scales)]
    if not isinstance(biases, (list, tuple)) or len(biases) != len(scales):
        raise ValueError(
            f"biases must be a list of {len(scales)} tensors (or None), one per layer, got {_checks.describe(biases)}"
        )
    thresholds = [lam[i + 1] / lam[i] for i in range(len(scales))]
    new_b = [None if b is None else b / lam[i] for i, b in enumerate(biases)]
    return thresholds, new_b


@dataclass
class ConvertedNetwork:
    """A spiking network made from a ReLU ANN: one :class:`Stage` and one threshold per layer.

    ``stages``: copies of the ANN's stages with the normalised (or raw) weights; ``thresholds``: the
    firing threshold of each layer; ``scales``: the factors ``lambda_l`` used; ``normalisation`` and
    ``balance``: how they were chosen and applied.
    """

    stages: List[Stage]
    thresholds: List[float]
    scales: List[float]
    normalisation: str
    balance: str

    @property
    def num_layers(self) -> int:
        return len(self.stages)


def convert(
    ann: nn.Sequential,
    x_train: torch.Tensor,
    normalisation: str = "p99.9",
    balance: str = "weights",
    input_scale: float = 1.0,
    batch_size: int = 500,
    seed: int = 0,
) -> ConvertedNetwork:
    """Convert a trained ReLU ``ann`` into a :class:`ConvertedNetwork` (the ANN is not changed).

    ``x_train [N, ...]``: training inputs (as the ANN takes them, e.g. ``[N, 784]`` or
    ``[N, 1, 28, 28]``, in [0, 1]) whose activations set the factors (:func:`activation_scales`);
    ``normalisation``: a key of :data:`NORMALISATIONS`; ``balance``: ``"weights"`` (scaled weights,
    thresholds 1) or ``"thresholds"`` (raw weights, balanced thresholds); ``input_scale``: the
    largest input value ``lambda_0``.
    """
    _checks.choice(balance, "balance", BALANCES)
    _checks.tensor(x_train, "x_train", "[N, ...]", min_dim=1, dtype="float", finite=True)
    _checks.integer(seed, "seed")
    stages = [Stage(copy.deepcopy(s.linear), s.relu) for s in split_stages(ann)]
    for stage in stages:
        stage.linear.eval()
        for p in stage.linear.parameters():
            p.requires_grad_(False)
    scales = activation_scales(stages, x_train, normalisation, batch_size=batch_size, seed=seed)
    weights = [s.weighted.weight.data for s in stages]
    biases = [None if s.weighted.bias is None else s.weighted.bias.data for s in stages]
    if balance == "weights":
        new_w, new_b = normalise_parameters(weights, biases, scales, input_scale)
        thresholds = [1.0] * len(stages)
    else:
        new_w = weights
        thresholds, new_b = balance_thresholds(scales, biases, input_scale)
    for stage, w, b in zip(stages, new_w, new_b):
        stage.weighted.weight.data = w.clone()
        if b is not None:
            stage.weighted.bias.data = b.clone()
    return ConvertedNetwork(stages, thresholds, scales, normalisation, balance)
