r"""Backpropagation through time with surrogate gradients: how much gradient flows, and BPTT by hand.

* :func:`gradient_flow`: the gradient that one LIF layer passes back to its input weights with a
  given surrogate (zero without one), for the chapter's plots;
* the two-step example, one neuron with one weight over two steps, whose gradient the chapter
  derives by hand: :func:`two_step_forward`, :func:`two_step_gradient` (autograd) and
  :func:`two_step_gradient_by_hand` (the formula, term by term).

One neuron, one weight ``w``, inputs ``x1, x2``, targets ``y1, y2``, starting at rest (``U[0] = 0``)::

    U[1] = w x1                              S[1] = H(U[1] - thr)
    U[2] = beta U[1] + w x2 - S[1] thr       S[2] = H(U[2] - thr)     (S[1] detached in the reset)
    L = 1/2 (S[1] - y1)^2 + 1/2 (S[2] - y2)^2

With ``s'`` the surrogate derivative::

    dL/dw = (S[1] - y1) s'(U[1] - thr) x1                       (t = 1, s = 1)
          + (S[2] - y2) s'(U[2] - thr) (x2 + beta x1)            (t = 2: s = 2 and one step back, s = 1)

If the reset were not detached, ``dU[2]/dw`` would gain the term ``- thr s'(U[1] - thr) x1``.

For a stack of LIF layers (:func:`lif_stack_forward`), :func:`bptt_by_hand` computes every
weight's gradient from the multilayer BPTT recursion, with ``delta^l[t] = dL/dU^l[t]``::

    e^l[t]     = dL/dS^l[t] (direct, output layer)  or  W^(l+1)^T delta^(l+1)[t] (hidden layer)
    delta^l[t] = e^l[t] s'(U^l[t] - thr) + beta delta^l[t+1]          (delta^l[T+1] = 0)
    dL/dW^l    = sum_t delta^l[t] S^(l-1)[t]^T                        (S^0 = the input X)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import torch

from .. import _checks
from .. import neurons as _neurons
from .. import surrogate as _surrogate

__all__ = [
    "GradientFlowResult",
    "gradient_flow",
    "TwoStepForward",
    "two_step_forward",
    "two_step_gradient",
    "two_step_gradient_by_hand",
    "LIFStackRecord",
    "lif_stack_forward",
    "bptt_delta",
    "bptt_by_hand",
]

SurrogateLike = Union[str, _surrogate.Surrogate, None]


@dataclass(frozen=True)
class GradientFlowResult:
    """What :func:`gradient_flow` returns (all tensors, detached).

    Attributes:
        u: a grid of ``u = U - U_thr`` ``[401]`` on -2..2, with ``smooth`` and ``derivative``, the
            surrogate's smooth step and backward derivative on it ``[401]``.
        mem, spk: the membranes and spikes ``[T, n_neurons]``.
        grad_mem: ``dL/dU[t]``, the gradient reaching each step's membrane ``[T, n_neurons]``.
        grad_w: ``dL/dW`` ``[n_neurons, n_inputs]``; ``grad_norm`` its Frobenius norm (0-d).
    """

    u: torch.Tensor
    smooth: torch.Tensor
    derivative: torch.Tensor
    mem: torch.Tensor
    spk: torch.Tensor
    grad_mem: torch.Tensor
    grad_w: torch.Tensor
    grad_norm: torch.Tensor


def gradient_flow(
    surrogate: SurrogateLike,
    sharpness: Optional[float] = None,
    num_steps: int = 50,
    n_inputs: int = 20,
    n_neurons: int = 10,
    beta: float = 0.9,
    seed: int = 0,
) -> GradientFlowResult:
    """The gradient that flows through one LIF layer with a given surrogate (pure; for plots and explorers).

    A fixed random input ``x`` ``[T, 1, n_inputs]`` (``T = num_steps``) drives ``n_neurons`` LIF
    neurons through weights ``W`` ``[n_neurons, n_inputs]``; the loss is the total spike count (so
    ``dL/dS[t] = 1`` everywhere) and we backpropagate through time. ``surrogate`` and
    ``sharpness`` are resolved by :func:`snnlib.surrogate.get`. Returns a :class:`GradientFlowResult`.
    """
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    n_inputs = _checks.integer(n_inputs, "n_inputs", 1)
    n_neurons = _checks.integer(n_neurons, "n_neurons", 1)
    seed = _checks.integer(seed, "seed", 0)
    params = _neurons.LIFParams(beta=beta, threshold=1.0)
    sur = _surrogate.get(surrogate, sharpness)
    gen = torch.Generator().manual_seed(seed)
    x = (torch.rand(num_steps, 1, n_inputs, generator=gen) < 0.2).float()
    w = (torch.randn(n_neurons, n_inputs, generator=gen) * 0.5).requires_grad_(True)
    state, spikes, mems = None, [], []
    for t in range(num_steps):
        spk, state = _neurons.lif_step(x[t] @ w.T, state, params, surrogate=sur)
        state.mem.retain_grad()
        spikes.append(spk)
        mems.append(state.mem)
    torch.stack(spikes).sum().backward()
    grad_mem = torch.stack([m.grad if m.grad is not None else torch.zeros_like(m) for m in mems])[:, 0]
    u = torch.linspace(-2, 2, 401)
    return GradientFlowResult(
        u=u,
        smooth=sur.smooth(u),
        derivative=sur.derivative(u),
        mem=torch.stack(mems)[:, 0].detach(),
        spk=torch.stack(spikes)[:, 0].detach(),
        grad_mem=grad_mem.detach(),
        grad_w=w.grad.detach().clone(),
        grad_norm=w.grad.norm().detach(),
    )


# ---- the two-step example ---------------------------------------------------------------------


class TwoStepForward(NamedTuple):
    """The two-step example's forward pass (0-d tensors, differentiable in ``w``)."""

    u1: torch.Tensor
    s1: torch.Tensor
    u2: torch.Tensor
    s2: torch.Tensor


def _two_step_args(x1, x2, beta, threshold, detach_reset):
    return (
        _checks.real(x1, "x1"),
        _checks.real(x2, "x2"),
        _checks.real(beta, "beta", 0.0, 1.0),
        _checks.positive(threshold, "threshold"),
        _checks.boolean(detach_reset, "detach_reset"),
    )


def two_step_forward(
    w, x1: float, x2: float, beta: float = 0.9, threshold: float = 1.0, surrogate: SurrogateLike = None, detach_reset: bool = True
) -> TwoStepForward:
    """The two-step example's forward pass: ``(U1, S1, U2, S2)`` as a :class:`TwoStepForward`.

    ``U1 = w x1``, ``U2 = beta U1 + w x2 - S1 thr`` (``S1`` detached in the reset unless
    ``detach_reset=False``), ``S_t = H(U_t - thr)`` with the surrogate's backward pass. ``w`` is a
    number or a one-element tensor (keep ``requires_grad`` on it to differentiate).
    """
    x1, x2, beta, threshold, detach_reset = _two_step_args(x1, x2, beta, threshold, detach_reset)
    if isinstance(w, torch.Tensor):
        _checks.tensor(w, "w", "[] (one weight)", dtype="float", finite=True)
        if w.numel() != 1:
            raise ValueError(f"w must be one weight, shape [] or [1], got shape {tuple(w.shape)}")
    else:
        w = torch.tensor(_checks.real(w, "w"), dtype=torch.get_default_dtype())
    sur = _surrogate.get(surrogate)
    u1 = w * x1
    s1 = sur(u1 - threshold)
    reset = s1.detach() if detach_reset else s1
    u2 = beta * u1 + w * x2 - reset * threshold
    s2 = sur(u2 - threshold)
    return TwoStepForward(u1, s1, u2, s2)


def two_step_gradient(
    w: float,
    x1: float,
    x2: float,
    y1: float,
    y2: float,
    beta: float = 0.9,
    threshold: float = 1.0,
    surrogate: SurrogateLike = None,
    detach_reset: bool = True,
) -> float:
    """``dL/dw`` of the two-step example by autograd (BPTT), ``L = sum_t (S_t - y_t)^2 / 2``, in float64."""
    y1, y2 = _checks.real(y1, "y1"), _checks.real(y2, "y2")
    w_t = torch.tensor(_checks.real(w, "w"), dtype=torch.float64, requires_grad=True)
    _, s1, _, s2 = two_step_forward(w_t, x1, x2, beta, threshold, surrogate, detach_reset)
    loss = 0.5 * (s1 - y1) ** 2 + 0.5 * (s2 - y2) ** 2
    loss.backward()
    return float(w_t.grad)


def two_step_gradient_by_hand(
    w: float,
    x1: float,
    x2: float,
    y1: float,
    y2: float,
    beta: float = 0.9,
    threshold: float = 1.0,
    surrogate: SurrogateLike = None,
    detach_reset: bool = True,
) -> Dict[str, float]:
    """``dL/dw`` of the two-step example from the hand-derived formula, term by term.

    Returns ``{"t1": ..., "t2_now": ..., "t2_back": ..., "reset": ..., "total": ...}`` (floats): the
    contribution of step 1, of step 2 through its own input ``x2``, of step 2 through the
    membrane's memory of step 1 (``beta x1``: one step back in time), and (non-zero only when
    ``detach_reset=False``) of the reset path ``-thr s'(U1 - thr) x1``.
    """
    x1, x2, beta, threshold, detach_reset = _two_step_args(x1, x2, beta, threshold, detach_reset)
    w, y1, y2 = _checks.real(w, "w"), _checks.real(y1, "y1"), _checks.real(y2, "y2")
    sur = _surrogate.get(surrogate)

    def d(u: float) -> float:
        return float(sur.derivative(torch.tensor(u, dtype=torch.float64)))

    u1 = w * x1
    s1 = 1.0 if u1 - threshold > 0 else 0.0
    u2 = beta * u1 + w * x2 - s1 * threshold
    s2 = 1.0 if u2 - threshold > 0 else 0.0
    g1 = (s1 - y1) * d(u1 - threshold)
    g2 = (s2 - y2) * d(u2 - threshold)
    terms = {
        "t1": g1 * x1,
        "t2_now": g2 * x2,
        "t2_back": g2 * beta * x1,
        "reset": 0.0 if detach_reset else g2 * (-threshold) * d(u1 - threshold) * x1,
    }
    terms["total"] = sum(terms.values())
    return terms


# ---- a stack of LIF layers: the multilayer recursion ------------------------------------------


class LIFStackRecord(NamedTuple):
    """What :func:`lif_stack_forward` returns: per layer ``l = 1..L``, ``[T, B, n_l]`` each."""

    spk: List[torch.Tensor]
    mem: List[torch.Tensor]


def _stack_args(x, weights, beta, threshold):
    _checks.time_first(x, "x", "[T, B, n_0]", min_dim=3, dtype="float", finite=True)
    if x.dim() != 3:
        raise ValueError(f"x must have shape [T, B, n_0], got shape {tuple(x.shape)}")
    if isinstance(weights, torch.Tensor) or not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError(f"weights must be a non-empty list of [n_l, n_(l-1)] tensors, got {_checks.describe(weights)}")
    n_prev = x.shape[-1]
    for i, w in enumerate(weights):
        _checks.tensor(w, f"weights[{i}]", "[n_l, n_(l-1)]", ndim=2, dtype="float")
        if w.shape[1] != n_prev:
            raise ValueError(f"weights[{i}] must have shape [n_{i + 1}, {n_prev}], got shape {tuple(w.shape)}")
        n_prev = w.shape[0]
    return _neurons.LIFParams(beta=beta, threshold=threshold)


def lif_stack_forward(
    x: torch.Tensor, weights: Sequence[torch.Tensor], beta: float = 0.9, threshold: float = 1.0, surrogate: SurrogateLike = None
) -> LIFStackRecord:
    """A stack of LIF layers without biases: ``I^l[t] = W^l S^(l-1)[t]``, ``S^0 = x``.

    ``x`` ``[T, B, n_0]``; ``weights`` ``[W^1 [n_1, n_0], W^2 [n_2, n_1], ...]``; every layer is
    :func:`snnlib.neurons.lif_run` (reset by subtraction, detached). Differentiable in the weights.
    Returns a :class:`LIFStackRecord`.
    """
    params = _stack_args(x, weights, beta, threshold)
    sur = _surrogate.get(surrogate)
    spikes, mems, s = [], [], x
    for w in weights:
        s, m = _neurons.lif_run(s @ w.T, params, None, sur)
        spikes.append(s)
        mems.append(m)
    return LIFStackRecord(spikes, mems)


def bptt_delta(
    e: torch.Tensor, mem: torch.Tensor, beta: float = 0.9, threshold: float = 1.0, surrogate: SurrogateLike = None
) -> torch.Tensor:
    """One layer's step of the BPTT recursion: ``delta[t] = dL/dU[t]`` ``[T, B, n]``.

    ``e`` ``[T, B, n]`` is the gradient reaching the layer's spikes, ``dL/dS[t]``; ``mem`` (same
    shape) its membranes ``U[t]``. Backward in time, with the reset detached::

        delta[T-1] = e[T-1] s'(U[T-1] - thr)
        delta[t]   = e[t] s'(U[t] - thr) + beta delta[t+1]

    (the membrane at ``t`` reaches the loss through its own spike and, decayed by ``beta``,
    through the next membrane). ``e`` and ``mem`` must be finite. Returns ``delta`` in ``e``'s dtype.
    """
    shape = "[T, B, n]"
    _checks.tensor(e, "e", shape, ndim=3, dtype="float", finite=True)
    _checks.tensor(mem, "mem", shape, ndim=3, dtype="float", finite=True)
    _checks.same_shape(e, mem, "e", "mem", shape)
    beta = _checks.real(beta, "beta", 0.0, 1.0)
    threshold = _checks.positive(threshold, "threshold")
    slope = _surrogate.get(surrogate).derivative(mem.to(e.dtype) - threshold)
    delta = torch.zeros_like(e)
    carry = torch.zeros_like(e[0])
    for t in reversed(range(e.shape[0])):
        carry = e[t] * slope[t] + beta * carry
        delta[t] = carry
    return delta


def bptt_by_hand(
    x: torch.Tensor,
    weights: Sequence[torch.Tensor],
    grad_spk: torch.Tensor,
    beta: float = 0.9,
    threshold: float = 1.0,
    surrogate: SurrogateLike = None,
) -> List[torch.Tensor]:
    """Every ``dL/dW^l`` of a :func:`lif_stack_forward` stack, from the multilayer BPTT recursion.

    ``grad_spk`` ``[T, B, n_L]`` is the loss's direct gradient on the output spikes,
    ``dL/dS^L[t]`` (finite; for ``L = sum_t sum_k (S_k[t] - Y_k[t])^2 / 2`` it is ``S^L - Y``). Going
    down the layers, with ``delta^l[t] = dL/dU^l[t]`` from :func:`bptt_delta`::

        e^L[t]     = grad_spk[t];      e^l[t] = delta^(l+1)[t] W^(l+1)   (l < L)
        delta^l[t] = e^l[t] s'(U^l[t] - thr) + beta delta^l[t+1]
        dL/dW^l    = sum_t delta^l[t]^T S^(l-1)[t]

    No autograd is used (the forward pass runs without a graph). Returns the gradients
    ``[dW^1, dW^2, ...]``, each of its weight's shape.
    """
    _stack_args(x, weights, beta, threshold)
    sur = _surrogate.get(surrogate)
    with torch.no_grad():
        rec = lif_stack_forward(x, [w.detach() for w in weights], beta, threshold, sur)
        out_shape = tuple(rec.spk[-1].shape)
        _checks.tensor(grad_spk, "grad_spk", f"[T, B, n_L] = {list(out_shape)}", ndim=3, dtype="float", finite=True)
        if tuple(grad_spk.shape) != out_shape:
            raise ValueError(f"grad_spk must have shape [T, B, n_L] = {list(out_shape)}, got shape {tuple(grad_spk.shape)}")
        inputs = [x, *rec.spk[:-1]]  # S^(l-1) for each layer
        grads: List[torch.Tensor] = [torch.empty(0)] * len(weights)
        e = grad_spk.to(x.dtype)
        for layer in reversed(range(len(weights))):
            delta = bptt_delta(e, rec.mem[layer], beta, threshold, sur)
            grads[layer] = torch.einsum("tbi,tbj->ij", delta, inputs[layer])
            e = delta @ weights[layer].detach()  # dL/dS^(l-1)[t], for the layer below
    return grads
