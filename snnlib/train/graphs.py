"""One training step, eager or replayed from a CUDA graph: :class:`TrainStep`.

A step is: zero the gradients, forward, loss, backward, optimiser step (the learning-rate scheduler
runs outside, between steps). Eagerly, every operation of it is launched from Python, one after the
other; on a GPU at batch 128 launching them takes longer than running them. A **CUDA graph** records
the kernels of one whole step once and replays them with one call: no Python, no launch overhead,
no host synchronisation in between. What that needs, and how :class:`TrainStep` provides it:

* **Static shapes and addresses.** The graph reads its input from, and writes its loss into, tensors
  allocated once (``x``, ``y`` and the loss); each step copies the batch in, replays, and copies the
  loss out. The graph is made for the shape of the first batch; a batch of another shape (the last,
  smaller one of an epoch) runs eagerly, writing its gradients into the same gradient tensors, so
  every sample is trained on exactly as in eager training (nothing padded, nothing dropped).
* **No host synchronisation** in the step (a capture fails on one): the model and the engine cache
  their constants as Python floats; the losses are checked between steps, not inside them.
* **Warm-up.** The first ``warmup`` steps (3) run eagerly on a side stream (lazy initialisation,
  the optimiser's state, Triton's compilation happen there); the next one is captured and replayed.
* **The optimiser inside the graph.** Adam runs captured with its learning rate in a device tensor
  (``capturable``), refilled from the scheduler's float before each replay; between replays the
  optimiser's groups hold floats again, so its state dict and checkpoints are those of eager training.
* **Fallback.** If the capture fails, a warning says why and every later step runs eagerly; a
  compiled model that fails falls back to the eager model the same way.

On the CPU (or with ``graphs=False``) every step is eager. The graph primitives come from an object
(:class:`CudaGraphs` by default), so the tests replace them with a simulation that replays the
recorded step on the CPU and check that the bookkeeping (static buffers, learning rate, the
smaller batch) trains exactly as eager steps do.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, ContextManager, Dict, Iterator, List, Optional

import torch

from .. import _checks as C

__all__ = ["TrainStep", "CudaGraphs", "use_graphs"]

LossFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


class CudaGraphs:
    """The CUDA-graph primitives :class:`TrainStep` uses (one object, so that tests can simulate them)."""

    def __init__(self):
        self._stream = None

    @contextlib.contextmanager
    def side_stream(self) -> Iterator[None]:
        """Run the block on a side stream (where warm-up steps must run before a capture)."""
        if self._stream is None:
            self._stream = torch.cuda.Stream()
        self._stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(self._stream):
            yield
        torch.cuda.current_stream().wait_stream(self._stream)

    def capture(self, body: Callable[[], None]) -> Any:
        """A graph of the kernels ``body()`` launches (captured, not run)."""
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            body()
        return graph

    def replay(self, graph: Any) -> None:
        """Run the captured kernels once more."""
        graph.replay()


def use_graphs(requested: Optional[bool], device: torch.device, compiled: bool, world_size: int) -> bool:
    """Whether a run uses CUDA graphs: ``requested`` (``None``: yes on CUDA), never for a compiled
    model (``torch.compile`` has its own) or several processes (see :mod:`snnlib.train.distributed`).

    Raises ValueError for ``requested=True`` where graphs cannot be used, and TypeError/ValueError
    for arguments of the wrong kind (``requested`` True, False or None; ``device`` a
    ``torch.device``; ``compiled`` True or False; ``world_size`` an integer >= 1).
    """
    if requested is not None and not isinstance(requested, bool):  # a run's cuda_graphs
        raise TypeError(f"requested (cuda_graphs) must be True, False or None, got {C.describe(requested)}")
    if not isinstance(device, torch.device):
        raise TypeError(f"device must be a torch.device, got {C.describe(device)}")
    C.boolean(compiled, "compiled")
    world_size = C.integer(world_size, "world_size", 1)
    why = None
    if device.type != "cuda":
        why = f"CUDA graphs need a CUDA device (this run is on {device})"
    elif compiled:
        why = "a compiled model is not captured again (torch.compile has its own CUDA graphs)"
    elif world_size > 1:
        why = f"CUDA graphs are not combined with distributed training (world size {world_size})"
    if requested and why is not None:
        raise ValueError(f"cuda_graphs=True: {why}")
    return why is None and requested is not False


class TrainStep:
    """``loss = step(x, y)``: one training step (see the module's description); returns the loss, detached.

    Args:
        module: the model (an ``nn.Module``); its parameters are the optimiser's.
        optimizer: the optimiser (Adam in :func:`snnlib.train.build`).
        loss_fn: ``loss_fn(spk, mem, y)`` on the output records ``[T, B, C]`` and labels ``[B]``.
        eager: what an eager step calls (default ``module``; a ``DistributedDataParallel`` wrapper).
        forward: what a step calls first (default ``eager``; a compiled model, replaced by ``eager``
            with a warning if it fails).
        autocast: ``None`` or the dtype of ``torch.autocast`` (``torch.bfloat16``) for forward and loss.
        graphs: replay the step from a CUDA graph (see :func:`use_graphs`).
        warmup: eager steps before the capture.
        ops: the graph primitives (default :class:`CudaGraphs`).

    ``step(x, y, weight)`` scales the loss's gradient by ``weight`` (a Python float; the distributed
    loop's share of the global batch). :meth:`report` says how the steps ran.
    """

    def __init__(
        self,
        module: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        loss_fn: LossFn,
        *,
        eager: Optional[Callable] = None,
        forward: Optional[Callable] = None,
        autocast: Optional[torch.dtype] = None,
        graphs: bool = False,
        warmup: int = 3,
        ops: Any = None,
    ):
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"module must be a torch.nn.Module, got {C.describe(module)}")
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {C.describe(optimizer)}")
        for value, name in ((loss_fn, "loss_fn"), (eager, "eager"), (forward, "forward")):
            if not callable(value) and not (value is None and name != "loss_fn"):
                raise TypeError(f"{name} must be a callable, got {C.describe(value)}")
        if autocast is not None and not isinstance(autocast, torch.dtype):
            raise TypeError(f"autocast must be None or a torch.dtype (torch.bfloat16), got {C.describe(autocast)}")
        self.module, self.optimizer, self.loss_fn = module, optimizer, loss_fn
        self.eager = module if eager is None else eager
        self.forward = self.eager if forward is None else forward
        self.autocast = autocast
        self.graphs = C.boolean(graphs, "graphs")
        self.warmup = C.integer(warmup, "warmup", 0)
        self.ops = CudaGraphs() if ops is None and self.graphs else ops
        self.device = next(module.parameters()).device
        self.fallback: Optional[str] = None
        self.counts = {"eager": 0, "warmup": 0, "graph": 0}
        self._graph = None
        self._key = None
        self._static: Dict[str, torch.Tensor] = {}
        self._lrs: List[torch.Tensor] = []

    def report(self) -> Dict[str, Any]:
        """How the steps ran: ``cuda_graphs`` (graphs requested and captured), ``steps`` (eager,
        warm-up and graph replays), ``fallback`` (why graphs or compilation were abandoned, or None),
        ``autocast`` (the dtype's name or None)."""
        return {
            "cuda_graphs": self._graph is not None,
            "steps": dict(self.counts),
            "fallback": self.fallback,
            "autocast": None if self.autocast is None else str(self.autocast).replace("torch.", ""),
        }

    def __call__(self, x: torch.Tensor, y: torch.Tensor, weight: float = 1.0) -> torch.Tensor:
        if not self.graphs or self.fallback is not None:
            return self._eager_step(x, y, weight)
        key = (tuple(x.shape), tuple(y.shape), x.dtype, y.dtype, float(weight))
        if self._key is None:
            self._key = key
        if key != self._key:  # another shape (the last batch): eager, into the graph's gradients
            self.counts["eager"] += 1
            return self._eager_step(x, y, weight) if self._graph is None else self._eager_into_graph(x, y, weight)
        if self._graph is not None:
            return self._replay(x, y)
        if self.counts["warmup"] < self.warmup:
            self.counts["warmup"] += 1
            with self.ops.side_stream():
                return self._eager_step(x, y, weight, count=False)
        try:
            self._capture(x, y, weight)
        except Exception as err:  # pragma: no cover - depends on the GPU and the model
            self._abandon(f"CUDA graph capture failed ({type(err).__name__}: {err})")
            return self._eager_step(x, y, weight)
        return self._replay(x, y)

    # -- eager -------------------------------------------------------------------------------------

    def _autocast(self, cache: bool = True) -> ContextManager:
        if self.autocast is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast, cache_enabled=cache)

    def _loss(self, model: Callable, x: torch.Tensor, y: torch.Tensor, cache: bool = True) -> torch.Tensor:
        with self._autocast(cache):
            spk, mem = model(x)
            return self.loss_fn(spk, mem, y)

    def _eager_step(self, x, y, weight: float, count: bool = True) -> torch.Tensor:
        if count:
            self.counts["eager"] += 1
        self.optimizer.zero_grad(set_to_none=True)
        try:
            loss = self._loss(self.forward, x, y)
            _backward(loss, weight)
        except Exception as err:
            if self.forward is self.eager:
                raise
            # The compiled model failed (forward or backward): warn once, continue eagerly.
            warnings.warn(f"compiled model failed ({type(err).__name__}: {err}); using the eager fast path", stacklevel=3)
            self.fallback, self.forward = f"torch.compile failed ({type(err).__name__})", self.eager
            self.optimizer.zero_grad(set_to_none=True)
            loss = self._loss(self.forward, x, y)
            _backward(loss, weight)
        self.optimizer.step()
        return loss.detach()

    def _eager_into_graph(self, x, y, weight: float) -> torch.Tensor:
        """An eager step that leaves the gradient tensors (which the graph writes) in place."""
        params = [p for g in self.optimizer.param_groups for p in g["params"] if p.requires_grad]
        loss = self._loss(self.module, x, y)
        grads = torch.autograd.grad(loss * weight if weight != 1.0 else loss, params, allow_unused=True)
        for p, g in zip(params, grads):
            if g is None:
                p.grad.zero_()
            else:
                p.grad.copy_(g)
        self.optimizer.step()
        return loss.detach()

    # -- CUDA graph ----------------------------------------------------------------------------------

    def _capture(self, x, y, weight: float) -> None:
        self._static = {"x": x.clone(), "y": y.clone(), "loss": torch.zeros((), dtype=torch.float32, device=x.device)}
        self._lrs = [torch.tensor(float(g["lr"]), dtype=torch.float32, device=x.device) for g in self.optimizer.param_groups]
        self.optimizer.zero_grad(set_to_none=True)  # the captured backward allocates the gradients itself

        def body():
            # Zeroes nothing while capturing (the gradients are None); zeroes them in a simulated replay.
            self.optimizer.zero_grad(set_to_none=False)
            loss = self._loss(self.module, self._static["x"], self._static["y"], cache=False)
            _backward(loss, weight)
            with self._tensor_lr():
                self.optimizer.step()
            self._static["loss"].copy_(loss.detach())

        self._graph = self.ops.capture(body)

    @contextlib.contextmanager
    def _tensor_lr(self) -> Iterator[None]:
        """The optimiser's groups with the learning rate in a device tensor, as a captured step needs."""
        groups = self.optimizer.param_groups
        saved = [(g["lr"], g.get("capturable", False)) for g in groups]
        for g, lr in zip(groups, self._lrs):
            g["lr"], g["capturable"] = lr, True
        try:
            yield
        finally:
            for g, (lr, capturable) in zip(groups, saved):
                g["lr"], g["capturable"] = lr, capturable

    def _replay(self, x, y) -> torch.Tensor:
        self.counts["graph"] += 1
        self._static["x"].copy_(x)
        self._static["y"].copy_(y)
        for lr, g in zip(self._lrs, self.optimizer.param_groups):
            lr.fill_(g["lr"])  # the scheduler's float: a fill kernel, no synchronisation
        self.ops.replay(self._graph)
        return self._static["loss"].clone()

    def _abandon(self, reason: str) -> None:
        warnings.warn(f"{reason}; training continues eagerly", stacklevel=3)
        self.fallback, self._graph = reason, None
        self.optimizer.zero_grad(set_to_none=True)


def _backward(loss: torch.Tensor, weight: float) -> None:
    (loss * weight if weight != 1.0 else loss).backward()
