"""What a run measures besides accuracy: the device's name, peak memory, honest timings, a progress bar."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any, Dict, Optional, Union

import torch

from .._checks import boolean, describe, integer
from .._core import get_device

__all__ = ["device_name", "peak_memory", "synchronize", "progress_bar"]

Device = Union[str, torch.device, None]


def device_name(device: Device = None) -> str:
    """A human-readable name of ``device`` (see :func:`snnlib.get_device`): the GPU's name, or the CPU
    model with its core and torch thread counts."""
    device = get_device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu} ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)"


def peak_memory(device: Device = None) -> Dict[str, Any]:
    """Peak memory ``{"kind", "bytes"}``: CUDA's max allocated bytes on a GPU, else the process's max resident set."""
    device = get_device(device)
    if device.type == "cuda":
        return {"kind": "cuda_max_allocated", "bytes": int(torch.cuda.max_memory_allocated(device))}
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"kind": "process_max_rss", "bytes": int(rss * (1 if sys.platform == "darwin" else 1024))}
    except Exception:  # pragma: no cover - platform without resource
        return {"kind": "unknown", "bytes": None}


def synchronize(device: torch.device) -> None:
    """Wait for the GPU's queued work (a no-op elsewhere), so that a timer measures the work itself."""
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a torch.device or a device name, got {describe(device)}")
    device = get_device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def progress_bar(total: int, desc: str, enable: bool) -> Optional[Any]:
    """A tqdm bar of ``total`` steps on stderr, or ``None`` when ``enable`` is false or tqdm is missing."""
    total = integer(total, "total", 0)
    if not isinstance(desc, str):
        raise TypeError(f"desc must be a string, got {describe(desc)}")
    if not boolean(enable, "enable (progress)"):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc=desc, leave=False, file=sys.stderr)
