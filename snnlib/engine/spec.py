"""What a multi-step LIF backend declares it can run, and what a call asks for.

A backend (:class:`Backend`) implements one or more *operations* (:data:`OPS`): ``"lif"`` (a layer
of LIF neurons over all steps: spikes and membranes) and ``"lif_linear"`` (the same layer followed by
the next layer's synapses, ``I_2[t] = S[t] W^T + b``, fused over time). For each operation it declares
a :class:`Support`: the reset modes, surrogates, kinds of ``beta`` and ``threshold`` (:data:`KINDS`),
refractory period, devices, dtypes and kinds of current (:data:`CURRENTS`) it can run. A call is
summarised by a :class:`Request`; :meth:`Backend.why_not` says, in words, why a backend cannot run
it (or ``None`` when it can). The normalised arguments travel to the backend as a :class:`Call`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, NamedTuple, Optional, Tuple, Union

import torch

from .. import _checks
from ..neurons import RESETS
from ..surrogate import Surrogate

__all__ = ["OPS", "KINDS", "CURRENTS", "FLOAT_DTYPES", "Request", "Call", "Support", "Backend", "kind_of"]

#: The operations a backend may implement.
OPS = ("lif", "lif_linear")

#: How ``beta`` or ``threshold`` is given: a Python number, a tensor without gradient, a tensor that
#: requires grad.
KINDS = ("float", "tensor", "learnable")

#: A time-first current ``[T, B, ...]`` ("time_varying") or one current ``[B, ...]`` for every step ("static").
CURRENTS = ("static", "time_varying")

#: Every floating-point dtype.
FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)

_KIND_TEXT = {"float": "a Python number", "tensor": "a tensor (no gradient)", "learnable": "a tensor that requires grad"}

Number = Union[float, torch.Tensor]


def kind_of(value: Number) -> str:
    """The :data:`KINDS` entry of a ``beta`` or ``threshold`` value."""
    if isinstance(value, torch.Tensor):
        return "learnable" if value.requires_grad else "tensor"
    return "float"


class Request(NamedTuple):
    """What one multi-step call asks of a backend (no tensors: cheap to build and to compare)."""

    op: str
    reset: str
    refractory: int
    surrogate: str
    beta: str
    threshold: str
    device: str
    dtype: torch.dtype
    current: str


class Call(NamedTuple):
    """The checked arguments of a call, as a backend's ``run`` receives them.

    ``cur`` is ``[T, B, ...]`` (``static`` False) or ``[B, ...]`` (``static`` True, the same at each
    of ``num_steps`` steps); ``beta`` (already clamped to [0, 1] when a tensor) and ``threshold`` are
    floats or tensors broadcastable to ``[B, ...]``; ``weight [C, H]`` and ``bias [C]`` are given for
    ``"lif_linear"`` only (then ``cur`` is ``[T, B, H]`` or ``[B, H]``).
    """

    cur: torch.Tensor
    beta: Number
    threshold: Number
    reset: str
    refractory: int
    surrogate: Surrogate
    num_steps: int
    static: bool
    weight: Optional[torch.Tensor] = None
    bias: Optional[torch.Tensor] = None

    def request(self, op: str) -> Request:
        """The :class:`Request` this call makes of operation ``op``."""
        return Request(
            op,
            self.reset,
            self.refractory,
            self.surrogate.name,
            kind_of(self.beta),
            kind_of(self.threshold),
            self.cur.device.type,
            self.cur.dtype,
            "static" if self.static else "time_varying",
        )


def _listed(values) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else str(v).replace("torch.", "") for v in values)


@dataclass(frozen=True)
class Support:
    """One backend's implementation of one operation and what it can run.

    Attributes:
        run: ``run(call) -> (spk [T, B, ...], mem [T, B, ...])`` for ``"lif"``, or
            ``(cur_out [T, B, C], spike_count [T, B])`` for ``"lif_linear"``.
        resets: the reset modes it implements.
        surrogates: the surrogate names it implements (``None``: any :class:`snnlib.surrogate.Surrogate`).
        beta, threshold: the :data:`KINDS` of ``beta`` / ``threshold`` it takes.
        refractory: whether it implements a refractory period (``refractory > 0``).
        devices: the device types it runs on (``None``: any).
        dtypes: the dtypes it computes in.
        currents: the :data:`CURRENTS` it takes.
    """

    run: Callable[[Call], Tuple[torch.Tensor, torch.Tensor]]
    resets: Tuple[str, ...] = RESETS
    surrogates: Optional[Tuple[str, ...]] = None
    beta: Tuple[str, ...] = KINDS
    threshold: Tuple[str, ...] = KINDS
    refractory: bool = False
    devices: Optional[Tuple[str, ...]] = None
    dtypes: Tuple[torch.dtype, ...] = FLOAT_DTYPES
    currents: Tuple[str, ...] = CURRENTS

    def __post_init__(self):
        if not callable(self.run):
            raise TypeError(f"Support.run must be callable (run(call) -> records), got {_checks.describe(self.run)}")
        for name, allowed in (("resets", RESETS), ("beta", KINDS), ("threshold", KINDS), ("currents", CURRENTS)):
            _subset(getattr(self, name), f"Support.{name}", allowed)
        if self.surrogates is not None:
            _subset(self.surrogates, "Support.surrogates", None)
        if self.devices is not None:
            _subset(self.devices, "Support.devices", None)
        _checks.boolean(self.refractory, "Support.refractory")
        if not isinstance(self.dtypes, tuple) or not self.dtypes or not all(isinstance(d, torch.dtype) for d in self.dtypes):
            raise TypeError(f"Support.dtypes must be a non-empty tuple of torch dtypes, got {_checks.describe(self.dtypes)}")

    def why_not(self, request: Request) -> Optional[str]:
        """Why this implementation cannot run ``request`` (``None`` when it can)."""
        if request.reset not in self.resets:
            return f"reset={request.reset!r} is not implemented (only {_listed(self.resets)})"
        if self.surrogates is not None and request.surrogate not in self.surrogates:
            return f"the {request.surrogate!r} surrogate is not implemented (only {_listed(self.surrogates)})"
        for name in ("beta", "threshold"):
            kind, allowed = getattr(request, name), getattr(self, name)
            if kind not in allowed:
                return f"{name} as {_KIND_TEXT[kind]} is not supported (only {' or '.join(_KIND_TEXT[k] for k in allowed)})"
        if request.refractory > 0 and not self.refractory:
            return f"a refractory period (refractory={request.refractory}) is not implemented"
        if self.devices is not None and request.device not in self.devices:
            return f"it does not run on {request.device!r} tensors (only {_listed(self.devices)})"
        if request.dtype not in self.dtypes:
            return f"dtype {_listed([request.dtype])} is not supported (only {_listed(self.dtypes)})"
        if request.current not in self.currents:
            return f"a {request.current.replace('_', '-')} current is not supported (only {_listed(self.currents)})"
        return None


def _always_available() -> Optional[str]:
    return None


def _always_available_for(request: Request) -> Optional[str]:
    return None


def _subset(values, name: str, allowed) -> None:
    """``values`` a non-empty tuple of strings (each one of ``allowed`` unless that is ``None``)."""
    if not isinstance(values, tuple) or not values or not all(isinstance(v, str) for v in values):
        raise TypeError(f"{name} must be a non-empty tuple of names, got {_checks.describe(values)}")
    unknown = [v for v in values if allowed is not None and v not in allowed]
    if unknown:
        raise ValueError(f"{name} holds {unknown}, not among {list(allowed)}")


@dataclass(frozen=True)
class Backend:
    """A multi-step LIF backend: its name, a one-line summary and its operations.

    Attributes:
        name: the value of ``backend=`` that forces it.
        summary: what it is, in one line.
        ops: operation name (:data:`OPS`) -> :class:`Support`.
        unavailable: ``unavailable() -> reason or None``, asked only for a request the backend
            supports (e.g. the C kernel is compiled there, on first use).
        unavailable_for: ``unavailable_for(request) -> reason or None``, the same for a reason that
            depends on the request (e.g. the Triton kernels run on CPU tensors only in Triton's
            interpreter).
        auto_devices: the device types on which ``backend="auto"`` may pick it (``None``: every
            device it supports); a forced backend runs wherever it can.
    """

    name: str
    summary: str
    ops: Mapping[str, Support] = field(default_factory=dict)
    unavailable: Callable[[], Optional[str]] = _always_available
    unavailable_for: Callable[[Request], Optional[str]] = _always_available_for
    auto_devices: Optional[Tuple[str, ...]] = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"Backend.name must be a name such as 'cpu' (an identifier), got {_checks.describe(self.name)}")
        if not isinstance(self.summary, str):
            raise TypeError(f"Backend.summary must be a string, got {_checks.describe(self.summary)}")
        if not isinstance(self.ops, Mapping) or not all(op in OPS and isinstance(s, Support) for op, s in self.ops.items()):
            raise TypeError(f"Backend.ops must map operation names of {OPS} to Support records, got {_checks.describe(self.ops)}")
        if not callable(self.unavailable):
            raise TypeError(
                f"Backend.unavailable must be callable (() -> reason or None), got {_checks.describe(self.unavailable)}"
            )
        if not callable(self.unavailable_for):
            raise TypeError(
                "Backend.unavailable_for must be callable (request -> reason or None), "
                f"got {_checks.describe(self.unavailable_for)}"
            )
        devices = self.auto_devices
        if devices is not None and not (isinstance(devices, tuple) and all(isinstance(d, str) for d in devices)):
            raise TypeError(
                f"Backend.auto_devices must be None or a tuple of device types ('cpu', 'cuda'), got {_checks.describe(devices)}"
            )

    def why_not(self, request: Request) -> Optional[str]:
        """Why this backend cannot run ``request`` here (``None`` when it can)."""
        support = self.ops.get(request.op)
        if support is None:
            return f"it does not implement the {request.op!r} operation"
        return support.why_not(request) or self.unavailable() or self.unavailable_for(request)

    def why_not_auto(self, request: Request) -> Optional[str]:
        """Why ``backend="auto"`` does not pick this backend for ``request`` (``None`` when it may)."""
        if self.auto_devices is not None and request.device not in self.auto_devices:
            return f"'auto' picks it only on {_listed(self.auto_devices)} tensors"
        return self.why_not(request)
