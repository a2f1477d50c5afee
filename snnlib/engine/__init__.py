r"""Multi-step LIF engines: one LIF semantics (:func:`snnlib.neurons.lif_step`), several backends.

A layer of LIF neurons over all ``T`` steps, as one call::

    spk, mem, backend = engine.lif_multistep(cur)                 # cur [T, B, ...]
    rec = engine.lif_multistep(cur, num_steps=25)                 # cur [B, ...], the same at every step
    rec = engine.lif_multistep_linear(cur, W, b, num_steps=25)    # the layer and the next synapses

Every backend computes the per-step semantics of :func:`snnlib.neurons.lif_step` (snnTorch's
``snn.Leaky``): the same spikes, and the same gradients to float rounding. They differ in speed and
in what they support (:data:`REGISTRY`, in order of preference):

* ``"triton"`` (:mod:`snnlib.engine.triton`): one Triton kernel per layer and direction, with a
  hand-written backward pass (CUDA; ``"auto"`` picks it on CUDA only; on the CPU it runs in Triton's
  interpreter, for the tests);
* ``"cpu"`` (:mod:`snnlib.engine.cpu`): a C kernel compiled on first use (CPU, float32/float64,
  float ``beta`` and ``threshold``, the surrogates of :data:`snnlib.engine.cpu.SURROGATES`);
* ``"fused"`` (:mod:`snnlib.engine.fused`): one autograd node per layer with a hand-written backward
  pass for any surrogate, on any device (everything but a refractory period);
* ``"loop"`` (:mod:`snnlib.engine.loop`): the reference, a Python loop over ``lif_step``; every
  configuration, slowest.

``backend="auto"`` (the default) runs the first backend of :data:`REGISTRY` that supports the call;
a forced backend that cannot run it raises a :class:`ValueError` that says why (never a silent
switch). Every call returns the name of the backend that ran; :func:`resolve_backend` says which
one a call would run without running it. Each backend declares what it supports in a
:class:`snnlib.engine.spec.Support` per operation (:data:`OPS`): adding a backend (say, a Triton
GPU kernel) is one module defining ``BACKEND`` and one entry in :data:`REGISTRY`.

Shapes are time-first: currents ``[T, B, ...]`` (or ``[B, ...]`` with ``num_steps``), records
``[T, B, ...]``. Every argument is checked; a current, weight or bias holding NaN or inf is a
:class:`ValueError` for CPU tensors (on an accelerator the values are not read back, which would
stall it: NaN then propagates to the records).

**Mixed precision.** The ``"fused"`` and ``"triton"`` backends keep the membrane state, the
surrogate and every sum in float32 when the current is bfloat16 or float16 (as ``torch.autocast``
makes it): the spikes come in the current's dtype, the membranes in float32. Under autocast,
:func:`lif_multistep_linear` takes float32 synapses and computes ``S[t] W^T + b`` in the autocast
dtype, as ``F.linear`` would.
"""

from __future__ import annotations

import inspect
from typing import Dict, NamedTuple, Optional, Union

import torch

from .. import _checks
from .. import surrogate as _surrogate
from ..neurons import RESETS
from . import _ops, cpu, fused, loop
from . import triton as _triton
from .spec import OPS, Backend, Call, Request, Support

__all__ = [
    "lif_multistep",
    "lif_multistep_linear",
    "resolve_backend",
    "LIFRecord",
    "LinearRecord",
    "REGISTRY",
    "BACKENDS",
    "OPS",
    "Backend",
    "Support",
    "Request",
]

#: The backends, by name, in order of preference (``backend="auto"`` takes the first that can run a call).
REGISTRY: Dict[str, Backend] = {b.name: b for b in (_triton.BACKEND, cpu.BACKEND, fused.BACKEND, loop.BACKEND)}

#: The accepted values of ``backend=``.
BACKENDS = ("auto", *tuple(REGISTRY))

Number = Union[float, torch.Tensor]


class LIFRecord(NamedTuple):
    """What :func:`lif_multistep` returns."""

    #: spikes ``[T, B, ...]`` (0. or 1.; their gradient is the surrogate's).
    spk: torch.Tensor
    #: membranes after every step ``[T, B, ...]``.
    mem: torch.Tensor
    #: the backend that ran (a key of :data:`REGISTRY`).
    backend: str


class LinearRecord(NamedTuple):
    """What :func:`lif_multistep_linear` returns."""

    #: the next layer's synaptic current ``S[t] W^T + b``, ``[T, B, C]``.
    cur: torch.Tensor
    #: the LIF layer's spikes per step and sample ``[T, B]`` (no gradient).
    count: torch.Tensor
    #: the backend that ran (a key of :data:`REGISTRY`).
    backend: str


def _parameter(value, name: str, cur: torch.Tensor, shape, check) -> Number:
    """``beta`` / ``threshold``: a checked float, or a tensor on ``cur``'s device and dtype, broadcastable to ``shape``."""
    if not isinstance(value, torch.Tensor):
        return check(value, name)
    # A float32 parameter drives a bf16/float16 current (autocast leaves parameters in float32).
    mixed = cur.dtype in _ops.LOW_PRECISION and value.dtype == torch.float32
    if value.device != cur.device or (value.dtype != cur.dtype and not mixed):
        raise TypeError(
            f"{name} must be a float or a tensor on cur's device and of its dtype ({cur.device}, "
            f"{cur.dtype}; float32 for a bfloat16/float16 current), got {_checks.describe(value)} on {value.device}"
        )
    try:
        ok = torch.broadcast_shapes(value.shape, shape) == torch.Size(shape)
    except RuntimeError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} must be a number or a tensor broadcastable to the neurons' shape "
            f"{list(shape)} ([B, ...]), got shape {tuple(value.shape)}"
        )
    return value


def _call(cur, beta, threshold, reset, refractory, num_steps, surrogate, weight=None, bias=None) -> Call:
    static = num_steps is not None
    if static:
        num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
        _checks.tensor(cur, "cur", "[B, ...] (a static current, with num_steps)", min_dim=1, dtype="float")
        shape = tuple(cur.shape)
    else:
        _checks.time_first(
            cur, "cur", "[T, B, ...] (time first; pass num_steps for a static current [B, ...])", min_dim=2, dtype="float"
        )
        num_steps, shape = int(cur.shape[0]), tuple(cur.shape[1:])
    _checks.host_values(cur, "cur", "[T, B, ...]" if not static else "[B, ...]")
    beta = _parameter(beta, "beta", cur, shape, _checks.probability)
    if isinstance(beta, torch.Tensor):
        beta = beta.clamp(0, 1)  # as snnTorch (a learnt beta may leave [0, 1])
    threshold = _parameter(threshold, "threshold", cur, shape, _checks.positive)
    return Call(
        cur=cur,
        beta=beta,
        threshold=threshold,
        reset=_checks.choice(reset, "reset", RESETS),
        refractory=_checks.integer(refractory, "refractory", minimum=0),
        surrogate=_surrogate.get(surrogate),
        num_steps=num_steps,
        static=static,
        weight=weight,
        bias=bias,
    )


def _resolve(request: Request, backend: str) -> str:
    _checks.choice(backend, "backend", BACKENDS)
    if backend != "auto":
        reason = REGISTRY[backend].why_not(request)
        if reason is not None:
            picked = _resolve(request, "auto")
            raise ValueError(
                f"backend={backend!r} cannot run this call: {reason}; backend='auto' would run "
                f"{picked!r} (see snnlib.engine.REGISTRY)"
            )
        return backend
    reasons = []
    for name, b in REGISTRY.items():
        reason = b.why_not_auto(request)
        if reason is None:
            return name
        reasons.append(f"{name}: {reason}")
    raise ValueError("no backend can run this call: " + "; ".join(reasons))  # pragma: no cover - loop runs all


def lif_multistep(
    cur: torch.Tensor,
    beta: Number = 0.95,
    threshold: Number = 1.0,
    reset: str = "subtract",
    *,
    refractory: int = 0,
    num_steps: Optional[int] = None,
    surrogate: Union[str, _surrogate.Surrogate, None] = None,
    backend: str = "auto",
) -> LIFRecord:
    """All time steps of a layer of LIF neurons in one call: :func:`snnlib.neurons.lif_run`'s numbers, faster.

    Args:
        cur: input current, time-first ``[T, B, ...]``; or, with ``num_steps``, a static current
            ``[B, ...]`` that drives every one of the ``num_steps`` steps (its gradient is summed over time).
        beta: decay per step in [0, 1]: a number, or a tensor (scalar or per neuron, broadcastable to
            ``[B, ...]``, on ``cur``'s device and of its dtype) that may require grad; a tensor is
            clamped to [0, 1] as in snnTorch.
        threshold: firing threshold > 0: a number or such a tensor.
        reset: ``"subtract"``, ``"zero"`` or ``"none"`` (:data:`snnlib.neurons.RESETS`).
        refractory: absolute refractory period in steps (>= 0; only the ``"loop"`` backend has one).
        num_steps: ``None`` for a time-first ``cur``; the number of steps for a static ``cur``.
        surrogate: a :class:`snnlib.surrogate.Surrogate` or its name (default arctan, alpha = 2).
        backend: ``"auto"`` or a name of :data:`REGISTRY` (see :data:`BACKENDS`).

    Returns:
        :class:`LIFRecord` ``(spk, mem, backend)``: spikes and membranes ``[T, B, ...]`` and the name
        of the backend that ran.

    Raises:
        ValueError: a forced ``backend`` cannot run this call (the message says why), or a bad argument.
    """
    call = _call(cur, beta, threshold, reset, refractory, num_steps, surrogate)
    name = _resolve(call.request("lif"), backend)
    spk, mem = REGISTRY[name].ops["lif"].run(call)
    return LIFRecord(spk, mem, name)


def lif_multistep_linear(
    cur: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    beta: Number = 0.95,
    threshold: Number = 1.0,
    reset: str = "subtract",
    *,
    refractory: int = 0,
    num_steps: Optional[int] = None,
    surrogate: Union[str, _surrogate.Surrogate, None] = None,
    backend: str = "auto",
) -> LinearRecord:
    """A LIF layer and the next layer's synapses, fused over time: ``I [.., B, H]`` -> ``S[t] W^T + b [T, B, C]``.

    The same as ``F.linear(lif_multistep(cur, ...).spk, weight, bias)``, without ever storing the
    spikes (the backward pass recomputes what it needs): the hidden layer of
    :class:`snnlib.models.SpikingMLP`.

    Args:
        cur: the LIF layer's current ``[T, B, H]``, or ``[B, H]`` with ``num_steps`` (static).
        weight: the synapses to the next layer ``[C, H]``; bias: ``[C]`` (both on ``cur``'s device and of its dtype).
        beta, threshold, reset, refractory, num_steps, surrogate, backend: as :func:`lif_multistep`.

    Returns:
        :class:`LinearRecord` ``(cur, count, backend)``: the next layer's current ``[T, B, C]``, the
        LIF layer's spike count per step and sample ``[T, B]`` and the backend that ran.
    """
    ndim = 2 if num_steps is not None else 3
    shape = "[B, H] (static, with num_steps)" if ndim == 2 else "[T, B, H]"
    _checks.tensor(cur, "cur", shape, ndim=ndim, dtype="float")
    _checks.tensor(weight, "weight", "[C, H]", ndim=2, dtype="float")
    _checks.tensor(bias, "bias", "[C]", ndim=1, dtype="float")
    if weight.shape[1] != cur.shape[-1] or bias.shape[0] != weight.shape[0]:
        raise ValueError(
            f"weight must be [C, H] and bias [C] for cur {shape} with H = {cur.shape[-1]}, got weight "
            f"{tuple(weight.shape)} and bias {tuple(bias.shape)}"
        )
    autocast = _ops.autocast_dtype(cur.device) is not None  # then the synapses are cast as F.linear would
    for name, x in (("weight", weight), ("bias", bias)):
        _checks.host_values(x, name, "[C, H]" if name == "weight" else "[C]")
        if x.device != cur.device or (x.dtype != cur.dtype and not autocast):
            raise TypeError(
                f"{name} must be on cur's device and of its dtype ({cur.device}, {cur.dtype}), got {x.device}, {x.dtype}"
            )
    call = _call(cur, beta, threshold, reset, refractory, num_steps, surrogate, weight, bias)
    name = _resolve(call.request("lif_linear"), backend)
    out, count = REGISTRY[name].ops["lif_linear"].run(call)
    return LinearRecord(out, count, name)


def resolve_backend(*args, op: str = "lif", **kwargs) -> str:
    """The backend that :func:`lif_multistep` (``op="lif"``) or :func:`lif_multistep_linear`
    (``op="lif_linear"``) would run, without running it.

    Takes :func:`lif_multistep`'s arguments (``cur``, ``beta``, ... ``backend``) and raises the same
    :class:`ValueError` for a forced backend that cannot run the call. (It may compile the C
    kernel, on first use.)
    """
    _checks.choice(op, "op", OPS)
    try:
        bound = _SIGNATURE.bind(*args, **kwargs)
    except TypeError as err:
        raise TypeError(f"resolve_backend takes lif_multistep's arguments: {err}") from None
    bound.apply_defaults()
    a = bound.arguments
    call = _call(a["cur"], a["beta"], a["threshold"], a["reset"], a["refractory"], a["num_steps"], a["surrogate"])
    return _resolve(call.request(op), a["backend"])


_SIGNATURE = inspect.signature(lif_multistep)
