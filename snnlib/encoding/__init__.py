"""Spike coding: turn numbers into spike trains and back (layer 1: primitives).

Every encoder returns a **time-first** spike tensor ``[T, *x.shape]`` (``T = num_steps``; the
population code adds one trailing neuron axis, ``[T, *x.shape, M]``), with float values 0/1
(delta modulation: -1/0/+1 for off/on spikes). Every decoder takes such a tensor and returns an
estimate ``x_hat`` of the input, shape ``x.shape``. Random encoders accept ``generator=`` (a
``torch.Generator``) or ``seed=`` (an int) so that their spikes are reproducible.

The schemes, in :data:`SCHEMES` order (``get_scheme(name).summary`` says what carries the value):
rate (:func:`rate`), latency (:func:`latency`), rank order (:func:`rank_order`), phase
(:func:`phase`), burst (:func:`burst`), population (:func:`population`) and delta modulation
(:func:`delta`), each with its decoder (``rate_decode``, ...).

Layout: :mod:`.registry` holds the one table of schemes (:class:`Scheme`, :func:`register`) and
dispatches :func:`encode` / :func:`decode` through it; each module of :mod:`.schemes` defines one
scheme and registers it, and is found and imported here, its ``__all__`` re-exported: a new
scheme is one new file in ``snnlib/encoding/schemes/`` plus its test. :mod:`.measures` has
:func:`round_trip_error`, :func:`decode_prefix`, :func:`prefix_errors` and
:func:`time_to_decision`; :mod:`.noise`
has :func:`perturb`. Spike counts and rates of any record are in :mod:`snnlib.spikes`; the
chapter's comparison of the schemes is :func:`snnlib.coding_study.compare_schemes`.

Bad input raises a ``TypeError`` or ``ValueError`` that says what was expected; nothing is
silently clipped.
"""

from __future__ import annotations

from ._common import make_generator
from .measures import decode_prefix, prefix_errors, round_trip_error, time_to_decision
from .noise import perturb
from .registry import DEFAULT_PARAMS, SCHEMES, Scheme, decode, discover, encode, get_scheme, register, unregister

__all__ = [
    "SCHEMES",
    "DEFAULT_PARAMS",
    "Scheme",
    "register",
    "unregister",
    "get_scheme",
    "discover",
    "encode",
    "decode",
    "make_generator",
    "round_trip_error",
    "decode_prefix",
    "prefix_errors",
    "time_to_decision",
    "perturb",
]


def _export_schemes() -> None:
    """Import every scheme module and re-export its ``__all__`` here (a clash is an error)."""
    for module in discover(f"{__name__}.schemes"):
        for name in module.__all__:
            if name in globals():
                raise ImportError(f"{module.__name__} exports {name!r}, which snnlib.encoding already has")
            globals()[name] = getattr(module, name)
            __all__.append(name)


_export_schemes()
