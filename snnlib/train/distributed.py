"""Training on several processes with PyTorch's DistributedDataParallel: :func:`init` and :class:`World`.

::

    torchrun --nproc_per_node=2 -m snnlib.train --epochs 5 --json runs/ddp.json

``torchrun`` starts ``N`` processes; :func:`snnlib.train.fit` notices (``torch.distributed`` was
launched by it) and trains with one process per GPU (``cuda:LOCAL_RANK``, NCCL) or, on CPUs, one per
process over gloo. The run is the same run as on one process:

* **The batch size is the global batch.** Every process iterates the same shuffled global batches
  (same seed, same permutation) and trains on its contiguous part of each: process ``r`` of ``N``
  takes samples ``[r n / N, (r + 1) n / N)`` of a batch of ``n``. Its loss is weighted by its share,
  ``n_r N / n``, so that DDP's average of the gradients is the gradient of the global batch's mean
  loss, and the result equals one process with the same batch size to float rounding.
* **One record.** The per-step losses are summed over processes (one all-reduce at each check of
  the losses, not every step on a GPU), so every process sees the global loss and stops at the same
  step if it diverges. Only rank 0 prints, writes the checkpoint and the JSON record, which states
  the ``world_size``; every process resumes from the same checkpoint.
* Evaluation runs on every process over the whole test set (the parameters are the same
  everywhere); buffers (the LIF constants) are not re-broadcast each step.

Without ``torchrun`` (a notebook, ``python -m snnlib.train``) :func:`init` returns a world of one
and nothing of this runs.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Tuple, Union

import torch

from .. import _checks as C
from .._core import get_device

__all__ = ["World", "SINGLE", "init", "launched", "main_process"]


def launched() -> bool:
    """Whether this process was started by ``torchrun`` (``torch.distributed.run``)."""
    return torch.distributed.is_available() and torch.distributed.is_torchelastic_launched()


def main_process() -> bool:
    """Whether this process is rank 0 of ``torchrun`` (or not started by it): the one that prints."""
    return not launched() or os.environ.get("RANK", "0") == "0"  # RANK: set by torchrun


@dataclass(frozen=True)
class World:
    """This process's place among the training processes (a world of one by default).

    Attributes:
        rank, size: this process's rank and the number of processes.
        backend: the process group's backend (``"nccl"``, ``"gloo"``, ``"mpi"``, ``"ucc"``,
            ``"xccl"``, or per device as ``"cpu:gloo,cuda:nccl"``), ``""`` for one process.
        owner: this module made the process group (and :meth:`close` destroys it).

    Raises:
        TypeError, ValueError: a rank outside ``[0, size)``, a size below 1, an unknown backend.
    """

    rank: int = 0
    size: int = 1
    backend: str = ""
    owner: bool = False

    def __post_init__(self) -> None:
        size = C.integer(self.size, "size", 1)
        C.integer(self.rank, "rank", 0, size - 1)
        if not isinstance(self.backend, str):
            raise TypeError(f"backend must be a process-group backend name (str), got {C.describe(self.backend)}")
        if self.backend:  # "gloo", or per device "cpu:gloo,cuda:nccl"
            for part in self.backend.split(","):
                C.choice(part.split(":")[-1], "backend", BACKENDS)
        C.boolean(self.owner, "owner")

    @property
    def main(self) -> bool:
        """Whether this is rank 0 (the one that prints and writes)."""
        return self.rank == 0

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """``model`` in ``DistributedDataParallel`` (several processes), else unchanged."""
        if self.size == 1:
            return model
        device = next(model.parameters()).device
        ids = [device.index] if device.type == "cuda" else None
        ddp = torch.nn.parallel.DistributedDataParallel
        # The buffers (the LIF constants) are the same everywhere: never re-broadcast them per step.
        quiet = {"forward_sync_buffers": False} if "forward_sync_buffers" in inspect.signature(ddp).parameters else {}
        return ddp(model, device_ids=ids, **(quiet or {"broadcast_buffers": False}))

    def batches(self, batches: Iterable) -> Iterator[Tuple[torch.Tensor, torch.Tensor, float, int]]:
        """``(x, y, weight, n)`` per global batch ``(x, y)`` of ``n`` samples: this process's part and
        its loss weight ``n_r * size / n`` (``(x, y, 1.0, n)`` for one process)."""
        for x, y in batches:
            n = int(y.shape[0])
            if self.size == 1:
                yield x, y, 1.0, n
                continue
            lo, hi = self.rank * n // self.size, (self.rank + 1) * n // self.size
            if hi == lo:
                raise ValueError(
                    f"a batch of {n} samples cannot be split over {self.size} processes: choose a batch "
                    f"size (and a data size) whose batches all hold at least {self.size} samples"
                )
            yield x[lo:hi], y[lo:hi], (hi - lo) * self.size / n, n

    def share(self, loss: torch.Tensor, weight: float) -> torch.Tensor:
        """This process's part of the global batch's mean loss (``loss`` itself for one process)."""
        return loss if self.size == 1 else loss * (weight / self.size)

    def sum(self, values: torch.Tensor) -> torch.Tensor:
        """``values`` summed over the processes (all-reduce; unchanged for one process)."""
        if self.size > 1:
            values = values.clone()
            torch.distributed.all_reduce(values)
        return values

    def close(self) -> None:
        """Destroy the process group if :func:`init` made it."""
        if self.owner and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


#: The process-group backends torch.distributed knows (a World's ``backend``).
BACKENDS = ("gloo", "nccl", "mpi", "ucc", "xccl")

#: The world of one process.
SINGLE = World()


def init(device: Union[str, torch.device, None] = "auto") -> Tuple[World, torch.device]:
    """``(world, device)`` of this process: joins (or makes, under ``torchrun``) the process group.

    ``device`` is the run's device name (``"auto"`` or ``None``, ``"cpu"``, ``"cuda"``...). Under ``torchrun``
    ``"auto"`` and ``"cuda"`` mean this process's GPU, ``cuda:LOCAL_RANK`` (NCCL), and ``"cpu"`` the
    CPU (gloo); the MPS device is not supported. Without it, a world of one on
    :func:`snnlib.get_device`'s device.
    """
    dist = torch.distributed
    if not (dist.is_available() and (dist.is_initialized() or launched())):
        return SINGLE, get_device(device)
    wanted = get_device(device)
    if wanted.type == "cuda":
        if wanted.index is None:
            wanted = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))  # set by torchrun
        torch.cuda.set_device(wanted)
    owner = not dist.is_initialized()
    if owner:
        dist.init_process_group("nccl" if wanted.type == "cuda" else "gloo")
    world = World(dist.get_rank(), dist.get_world_size(), str(dist.get_backend()), owner)
    return world, wanted
