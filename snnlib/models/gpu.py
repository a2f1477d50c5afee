"""GPU: optional compilation of a model (opt-in), with a safe fallback to the eager one.

``torch.compile`` is **off unless asked for**: measured on the chapter's network it was slower than
the eager fast path (graph breaks, recompilations, the first compile inside epoch 1's timing), and
the fast path's custom operators (the ``"triton"`` engine backend) already cut the kernel launches;
CUDA graphs (:mod:`snnlib.train.graphs`) remove the launch overhead that remains.
``benchmarks/gpu_check.sh`` measures it against the eager path on a GPU.
"""

from __future__ import annotations

import warnings
from typing import Optional

import torch
from torch import nn

from .. import _checks

__all__ = ["maybe_compile"]


def maybe_compile(model: nn.Module, device: torch.device, enable: Optional[bool] = None) -> nn.Module:
    """``torch.compile`` the model when ``enable`` is true; return it unchanged otherwise.

    ``enable=None`` (the default) means no: compilation is opt-in. Any error while compiling gives a
    warning and the eager model (the fast path is already correct without compilation). Errors at
    the first call of a compiled model are caught by :func:`snnlib.train.fit`, which falls back the
    same way. ``device`` is where the model runs (kept for the call's signature).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {_checks.describe(model)}")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a torch.device or a device name, got {_checks.describe(device)}")
    try:
        device = torch.device(device)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"device must name a device ('cpu', 'cuda', 'cuda:1', 'mps'), got {device!r}") from err
    if enable is None or not _checks.boolean(enable, "enable"):
        return model
    try:
        return torch.compile(model)
    except Exception as err:  # pragma: no cover - depends on the platform
        warnings.warn(f"torch.compile failed ({type(err).__name__}: {err}); using the eager fast path", stacklevel=2)
        return model
