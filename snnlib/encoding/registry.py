"""The registry of coding schemes, declared once, and the dispatch through it.

A coding scheme is a :class:`Scheme`: a name, an encoder ``(x, num_steps, **params) -> spikes``,
a decoder ``(spikes, **params) -> x_hat`` and a few facts the generic measures need. Each module
of :mod:`snnlib.encoding.schemes` defines one scheme's functions and calls :func:`register` once;
:func:`discover` imports every such module. :func:`encode`, :func:`decode`, :data:`SCHEMES` and
:data:`DEFAULT_PARAMS` read the registry, so a new scheme is one new module (and its test).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Mapping, Optional, Sequence

import torch

from .. import _checks

__all__ = ["Scheme", "register", "unregister", "get_scheme", "discover", "SCHEMES", "DEFAULT_PARAMS", "encode", "decode"]


def _keyword_names(fn: Callable, skip: int, what: str) -> FrozenSet[str]:
    """The parameters of ``fn`` after its first ``skip`` positional ones (named, no ``*args``/``**kw``)."""
    params = list(inspect.signature(fn).parameters.values())
    if len(params) < skip:
        raise TypeError(f"the {what} must take {skip} positional argument(s) first, got {fn!r}")
    rest = params[skip:]
    bad = [p.name for p in rest if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if bad:
        raise TypeError(f"the {what} must name its parameters (no *args/**kwargs), got {bad} in {fn!r}")
    return frozenset(p.name for p in rest)


@dataclass(frozen=True, eq=False)
class Scheme:
    """One coding scheme: an encoder-decoder pair and what the generic measures need to know
    (frozen; two schemes are equal only when they are the same object).

    Attributes:
        name: the name :func:`encode` and :func:`decode` take (a Python identifier).
        encode: ``(x [*shape], num_steps, **params) -> spikes [T, *shape]`` (or with trailing axes).
        decode: ``(spikes, **params) -> x_hat [*shape]``, the same shape as the encoder's ``x``.
        summary: what carries the value, in a few words (for listings).
        default_params: the chapter's settings (:data:`DEFAULT_PARAMS`), valid for both sides.
        order: position in :data:`SCHEMES` (the chapter's order); equal orders sort by name.
        rate_like: the decoder estimates from any number of steps, so :func:`~snnlib.encoding.decode_prefix`
            decodes ``spikes[:t]``; otherwise the decoder is defined on the whole window and the
            unseen steps count as silent.
        across_last_axis: the code relates the values along the last axis of ``x`` (rank order);
            an experiment on images flattens each image so that all its pixels are coded together.
        encode_params, decode_params: the keyword parameters of each side; read from the
            functions' signatures when not given.
    """

    name: str
    encode: Callable[..., torch.Tensor]
    decode: Callable[..., torch.Tensor]
    summary: str = ""
    default_params: Mapping[str, Any] = field(default_factory=dict)
    order: int = 1000
    rate_like: bool = False
    across_last_axis: bool = False
    encode_params: Optional[FrozenSet[str]] = None
    decode_params: Optional[FrozenSet[str]] = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"a scheme's name must be a Python identifier, got {_checks.describe(self.name)}")
        for side in ("encode", "decode"):
            if not callable(getattr(self, side)):
                raise TypeError(f"scheme {self.name!r}: {side} must be callable, got {_checks.describe(getattr(self, side))}")
        enc = (
            _keyword_names(self.encode, 2, f"encoder of {self.name!r}")
            if self.encode_params is None
            else frozenset(self.encode_params)
        )
        dec = (
            _keyword_names(self.decode, 1, f"decoder of {self.name!r}")
            if self.decode_params is None
            else frozenset(self.decode_params)
        )
        object.__setattr__(self, "encode_params", enc)
        object.__setattr__(self, "decode_params", dec)
        if not isinstance(self.default_params, Mapping):
            raise TypeError(
                f"scheme {self.name!r}: default_params must be a mapping, got {_checks.describe(self.default_params)}"
            )
        unknown = set(self.default_params) - enc - dec
        if unknown:
            raise ValueError(f"scheme {self.name!r}: default_params names {sorted(unknown)}, which neither side takes")
        object.__setattr__(self, "default_params", MappingProxyType(dict(self.default_params)))
        _checks.integer(self.order, "order")
        _checks.boolean(self.rate_like, "rate_like")
        _checks.boolean(self.across_last_axis, "across_last_axis")

    @property
    def random(self) -> bool:
        """Whether the encoder draws random spikes (it takes ``seed=``)."""
        return "seed" in self.encode_params


#: name -> Scheme: the one table of coding schemes.
_REGISTRY: Dict[str, Scheme] = {}


def register(scheme: Scheme) -> Scheme:
    """Add ``scheme`` to the registry (its name must be new) and return it."""
    if not isinstance(scheme, Scheme):
        raise TypeError(f"register takes a Scheme, got {_checks.describe(scheme)}")
    if scheme.name in _REGISTRY:
        raise ValueError(f"a coding scheme named {scheme.name!r} is already registered")
    _REGISTRY[scheme.name] = scheme
    return scheme


def unregister(name: str) -> Scheme:
    """Remove a scheme from the registry (tests, experiments) and return it."""
    scheme = get_scheme(name)
    del _REGISTRY[scheme.name]
    return scheme


def _ordered() -> List[Scheme]:
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.name))


def get_scheme(name: str) -> Scheme:
    """The registered :class:`Scheme` called ``name``."""
    names = ", ".join(s.name for s in _ordered())
    if not isinstance(name, str):
        raise TypeError(f"scheme must be a scheme's name (one of {names}), got {_checks.describe(name)}")
    if name not in _REGISTRY:
        raise ValueError(f"unknown scheme {name!r}; choose one of {names}")
    return _REGISTRY[name]


def discover(package: str) -> List[ModuleType]:
    """Import every module of ``package`` (a dotted name) whose name does not start with ``_``, in
    alphabetical order, so that each registers its scheme; return the modules."""
    pkg = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{package}.{name}") for name in names]


class _SchemeNames(Sequence):
    """The registered scheme names in the chapter's order: a live, read-only view of the registry."""

    def _names(self):
        return tuple(s.name for s in _ordered())

    def __getitem__(self, index):
        return self._names()[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name in _REGISTRY

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, (tuple, list, _SchemeNames)) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._names())


class _DefaultParams(Mapping):
    """scheme name -> a fresh dict of its :attr:`Scheme.default_params` (a live view of the registry)."""

    def __getitem__(self, name) -> dict:
        if name not in _REGISTRY:
            raise KeyError(name)
        return dict(_REGISTRY[name].default_params)

    def __iter__(self) -> Iterator[str]:
        return iter(SCHEMES)

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __repr__(self) -> str:
        return repr({name: self[name] for name in self})


#: The scheme names :func:`encode` and :func:`decode` accept, in the chapter's order
#: (a read-only sequence that follows the registry).
SCHEMES = _SchemeNames()

#: The settings the book uses to compare the schemes on MNIST (T = 25 steps): one dict per scheme,
#: valid for both :func:`encode` and :func:`decode` (a read-only mapping that follows the registry).
DEFAULT_PARAMS = _DefaultParams()


def _split(scheme: Scheme, params: dict, side: str) -> dict:
    """The params one side (``"encode"`` or ``"decode"``) takes; names neither side knows are an error."""
    enc, dec = scheme.encode_params, scheme.decode_params
    unknown = set(params) - enc - dec
    if unknown:
        raise TypeError(
            f"{scheme.name}: unknown parameter(s) {sorted(unknown)}; encode takes {sorted(enc)}, decode takes {sorted(dec)}"
        )
    keep = enc if side == "encode" else dec
    return {k: v for k, v in params.items() if k in keep}


def encode(scheme: str, x: torch.Tensor, num_steps: int, **params) -> torch.Tensor:
    """Encode ``x`` with a named scheme: ``x [*shape] -> spikes [T, *shape]`` (``T = num_steps``;
    the population code adds a trailing neuron axis, ``[T, *shape, M]``).

    ``params`` are the scheme encoder's keyword parameters (see each encoder: ``rate``,
    ``latency``, ...). :func:`decode` accepts the same dict and ignores what it does not need, so
    one dict drives both; a name neither side takes is a ``TypeError``.
    """
    s = get_scheme(scheme)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    return s.encode(x, num_steps, **_split(s, params, "encode"))


def decode(scheme: str, spikes: torch.Tensor, **params) -> torch.Tensor:
    """Decode spikes made by :func:`encode` with the same scheme: ``spikes [T, *x.shape] -> x_hat [*x.shape]``
    (``population``: ``[T, *x.shape, M] -> [*x.shape]``). Encoder-only parameters (``generator``,
    ``seed``, ``drop_background``, ...) are accepted and ignored."""
    s = get_scheme(scheme)
    _checks.time_first(spikes, "spikes", "[T, *x.shape]", min_dim=1, nonempty=False)
    return s.decode(spikes, **_split(s, params, "decode"))
