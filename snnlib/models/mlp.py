r"""The spiking MLP of the MNIST chapter: a plain per-step version and a fast path that computes the same.

The network (784-1000-10 LIF neurons, 25 steps, the image presented as a constant input current at
every step):

.. math::  I_1 = W_1 x, \quad U_1[t] = \beta U_1[t-1] + I_1 - S_1[t-1] U_{thr}, \quad
           I_2[t] = W_2 S_1[t], \quad U_2[t] = \beta U_2[t-1] + I_2[t] - S_2[t-1] U_{thr}.

* ``fast=False`` loops over time with :class:`snnlib.neurons.LIF` one step at a time:
  ``fc1 -> lif1 -> fc2 -> lif2`` per step, as snnTorch's tutorial does (:meth:`SpikingMLP.forward_plain`).
* ``fast=True`` (the default) uses three facts (:meth:`SpikingMLP.forward_fast`): the input is the
  same at every step, so ``W_1 x`` is computed once; the LIF recurrence is elementwise, so the
  hidden layer's whole time loop and the output synapses are one call of
  :func:`snnlib.engine.lif_multistep_linear` with a hand-written backward pass; and the output
  layer's steps are one :func:`snnlib.engine.lif_multistep` call. The engine picks its backend
  (``backend=``): on a CPU a C kernel, elsewhere the fused PyTorch code.
"""

from __future__ import annotations

from typing import Any, Dict, NamedTuple, Tuple, Union

import numpy as np
import torch
from torch import nn

from .. import _checks
from .. import engine as _engine
from .. import surrogate as _surrogate
from ..neurons import LIF, RESETS

__all__ = ["SpikingMLP", "MLPRecord"]


class MLPRecord(NamedTuple):
    """What :meth:`SpikingMLP.record` returns: the output records and what the hidden layer did."""

    #: output spikes ``[T, B, num_outputs]``.
    spk: torch.Tensor
    #: output membranes ``[T, B, num_outputs]``.
    mem: torch.Tensor
    #: hidden spikes per step and sample ``[T, B]`` (no gradient), e.g. to count operations.
    hidden_count: torch.Tensor
    #: the engine backend of the hidden layer and output synapses (``"plain"`` for ``fast=False``).
    hidden_backend: str
    #: the engine backend of the output layer (``"plain"`` for ``fast=False``).
    output_backend: str


class SpikingMLP(nn.Module):
    """784-1000-10 network of LIF neurons driven by a static image (the chapter's network).

    ``spk_rec, mem_rec = model(x)``: ``x`` is ``[B, 28, 28]`` or ``[B, 784]`` (the same input at every
    step) or a time-first ``[T, B, 784]`` sequence (e.g. Poisson spikes); outputs are the output
    layer's spikes and membranes, ``[T, B, num_outputs]``. :meth:`record` returns them together with
    the hidden spike counts and the backends that ran (:class:`MLPRecord`).

    Args:
        num_inputs, num_hidden, num_outputs: layer sizes (default 784, 1000, 10).
        num_steps: time steps ``T`` (default 25).
        beta, threshold, reset: LIF parameters of both layers (defaults 0.95, 1.0, "subtract").
        alpha: arctan surrogate sharpness (default 2).
        learn_beta, learn_threshold: learn one beta / threshold per neuron.
        fast: use the fast path (default); ``False`` is the per-step loop with :class:`snnlib.neurons.LIF`.
        backend: the engine backend of the fast path, ``"auto"`` or a name of
            :data:`snnlib.engine.REGISTRY`; a forced backend that cannot run the model raises a
            ValueError at the first call.
        surrogate: a :class:`snnlib.surrogate.Surrogate` or its name instead of arctan(``alpha``)
            (then leave ``alpha`` at 2).
    """

    def __init__(
        self,
        num_inputs: int = 784,
        num_hidden: int = 1000,
        num_outputs: int = 10,
        num_steps: int = 25,
        beta: float = 0.95,
        threshold: float = 1.0,
        reset: str = "subtract",
        alpha: float = 2.0,
        learn_beta: bool = False,
        learn_threshold: bool = False,
        fast: bool = True,
        backend: str = "auto",
        surrogate: Union[str, _surrogate.Surrogate, None] = None,
    ):
        super().__init__()
        self.num_inputs = _checks.integer(num_inputs, "num_inputs", minimum=1)
        self.num_hidden = _checks.integer(num_hidden, "num_hidden", minimum=1)
        self.num_outputs = _checks.integer(num_outputs, "num_outputs", minimum=1)
        self.num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
        beta = _checks.probability(beta, "beta")
        threshold = _checks.positive(threshold, "threshold")
        self.reset = _checks.choice(reset, "reset", RESETS)
        self.alpha = _checks.positive(alpha, "alpha")
        learn_beta = _checks.boolean(learn_beta, "learn_beta")
        learn_threshold = _checks.boolean(learn_threshold, "learn_threshold")
        self.fast = _checks.boolean(fast, "fast")
        self.backend = _checks.choice(backend, "backend", _engine.BACKENDS)
        if not self.fast and self.backend != "auto":
            raise ValueError(
                f"backend={backend!r} chooses the engine of the fast path, but fast=False runs the "
                "per-step loop: leave backend='auto' or set fast=True"
            )
        if surrogate is not None and self.alpha != 2.0:
            raise ValueError(
                f"alpha={alpha!r} is the arctan surrogate's sharpness: with surrogate={surrogate!r} "
                "give the sharpness in the surrogate itself and leave alpha at 2"
            )
        self.surrogate = _surrogate.get(surrogate) if surrogate is not None else _surrogate.get("arctan", self.alpha)
        self.fc1 = nn.Linear(self.num_inputs, self.num_hidden)
        self.fc2 = nn.Linear(self.num_hidden, self.num_outputs)
        # The hidden and the output layer: the same neurons, one beta / threshold per neuron when learnt.
        self.lif1, self.lif2 = (
            LIF(
                _per_neuron(beta, n, learn_beta),
                _per_neuron(threshold, n, learn_threshold),
                self.reset,
                surrogate=self.surrogate,
                learn_beta=learn_beta,
                learn_threshold=learn_threshold,
            )
            for n in (self.num_hidden, self.num_outputs)
        )
        # (tensor, its version counter, its value for the engine): a uniform buffer is read once, not
        # every call, so a training step never waits for the device (no host synchronisation).
        self._engine_cache: Dict[str, tuple] = {}
        for key, value in zip(_ENGINE_PARAMS, (beta, threshold) * 2):
            t = self._engine_tensor(key)
            if not t.requires_grad:  # the float a read of the buffer would give, without reading it
                self._engine_cache[key] = (t, _version(t), _rounded(value, t.dtype))

    def _flat_input(self, x: torch.Tensor) -> Tuple[torch.Tensor, bool]:
        """Returns ``(x, static)``: ``[B, num_inputs]`` (static) or ``[T, B, num_inputs]``."""
        shapes = f"[B, 28, 28], [B, {self.num_inputs}] or [T, B, {self.num_inputs}] (time first)"
        _checks.tensor(x, "x", shapes)
        if not x.is_floating_point():
            hint = " (uint8 pixels: pass them through snnlib.data.Batches, or x.float() / 255)" if x.dtype == torch.uint8 else ""
            raise TypeError(f"x must be a floating-point tensor of shape {shapes}, got dtype {x.dtype}{hint}")
        _checks.host_values(x, "x", shapes)
        if x.dim() == 2 and x.shape[1] == self.num_inputs:
            return x, True
        if x.dim() == 3 and x.shape[1] * x.shape[2] == self.num_inputs:
            return x.reshape(x.shape[0], -1), True
        if x.dim() == 3 and x.shape[2] == self.num_inputs:
            if x.shape[0] != self.num_steps:
                raise ValueError(
                    f"a time-first input [T, B, {self.num_inputs}] must have T = num_steps = "
                    f"{self.num_steps}, got shape {tuple(x.shape)}"
                )
            return x, False
        raise ValueError(f"x must have shape {shapes}, got {tuple(x.shape)}")

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``[B, 28, 28]``/``[B, 784]``/``[T, B, 784]`` -> ``(spk_rec, mem_rec)`` ``[T, B, 10]``."""
        rec = self.record(x)
        return rec.spk, rec.mem

    def record(self, x: torch.Tensor) -> MLPRecord:
        """:meth:`forward` with the hidden spike counts and the backends: an :class:`MLPRecord`."""
        return self.forward_fast(x) if self.fast else self.forward_plain(x)

    def forward_plain(self, x: torch.Tensor) -> MLPRecord:
        """The per-step loop, as the chapter explains it first (and as snnTorch's tutorial writes it)."""
        x, static = self._flat_input(x)
        mem1 = mem2 = None
        spk1_rec, spk2_rec, mem2_rec = [], [], []
        for t in range(self.num_steps):
            cur1 = self.fc1(x if static else x[t])
            spk1, mem1 = self.lif1(cur1, mem1)
            cur2 = self.fc2(spk1)
            spk2, mem2 = self.lif2(cur2, mem2)
            spk1_rec.append(spk1)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        count = torch.stack(spk1_rec).detach().sum(-1)
        return MLPRecord(torch.stack(spk2_rec), torch.stack(mem2_rec), count, "plain", "plain")

    def forward_fast(self, x: torch.Tensor) -> MLPRecord:
        """Same result as :meth:`forward_plain`, computed with few, large operations.

        ``W_1 x`` once (static input; all steps at once for a time-first input ``[T, B, 784]``),
        then the hidden layer and the output synapses fused over time
        (:func:`snnlib.engine.lif_multistep_linear`), then the output layer's whole time loop in one
        call (:func:`snnlib.engine.lif_multistep`).
        """
        cur, params, options = self._hidden_layer(x)
        hidden = _engine.lif_multistep_linear(cur, self.fc2.weight, self.fc2.bias, *params, **options)
        beta2, thr2 = self._engine_params("lif2")
        out = _engine.lif_multistep(hidden.cur, beta2, thr2, self.reset, surrogate=self.surrogate, backend=self.backend)
        return MLPRecord(out.spk, out.mem, hidden.count, hidden.backend, out.backend)

    @torch.no_grad()
    def hidden_spikes(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden layer's spikes ``[T, B, num_hidden]`` for input ``x`` (no gradient), e.g. for a raster plot."""
        cur, params, options = self._hidden_layer(x)
        return _engine.lif_multistep(cur, *params, **options).spk

    def _hidden_layer(self, x: torch.Tensor) -> Tuple[torch.Tensor, tuple, Dict[str, Any]]:
        """The hidden layer's engine call for input ``x``: its current ``W_1 x`` (``[B, num_hidden]``
        for a static input, else ``[T, B, num_hidden]``), ``(beta, threshold, reset)`` and the
        keyword arguments (``num_steps``, ``surrogate``, ``backend``)."""
        x, static = self._flat_input(x)
        params = (*self._engine_params("lif1"), self.reset)
        options = dict(num_steps=self.num_steps if static else None, surrogate=self.surrogate, backend=self.backend)
        return self.fc1(x), params, options

    def _engine_params(self, name: str):
        """``(beta, threshold)`` of layer ``name`` as the engine takes them: a learnt parameter as it is,
        a uniform buffer as a float (read once and cached until the buffer changes), else the tensor."""
        return tuple(self._engine_value(key, self._engine_tensor(key)) for key in (f"{name}.beta", f"{name}.threshold"))

    def _engine_tensor(self, key: str) -> torch.Tensor:
        layer, attr = key.split(".")
        return getattr(getattr(self, layer), attr)

    def _apply(self, fn, *args, **kwargs):
        """``.to()``, ``.cuda()``, ``.half()``...: the cached floats follow the moved buffers, so the
        first step on the new device does not read them back from it."""
        out = super()._apply(fn, *args, **kwargs)
        for key, (old, version, value) in list(self._engine_cache.items()):
            new = self._engine_tensor(key)
            moved = new is not old and isinstance(value, float) and _version(old) == version is not None
            if moved and not new.requires_grad and new.is_floating_point() and new.shape == old.shape:
                # the float the engine would read from the converted buffer (rounded to its dtype)
                self._engine_cache[key] = (new, _version(new), _rounded(value, new.dtype))
        return out

    def _engine_value(self, key: str, t: torch.Tensor):
        if t.requires_grad:
            return t
        hit = self._engine_cache.get(key)
        if torch.compiler.is_compiling():  # a compiled graph guards on the tensor, not its version
            if hit is not None and hit[0] is t:
                return hit[2]
            return t
        version = _version(t)
        if version is not None and hit is not None and hit[0] is t and hit[1] == version:
            return hit[2]
        flat = t.reshape(-1)
        value = float(flat[0]) if bool((flat == flat[0]).all()) else t
        if version is not None:
            self._engine_cache[key] = (t, version, value)
        return value


#: The engine parameters of the two layers (keys of the float cache), beta and threshold alternating.
_ENGINE_PARAMS = ("lif1.beta", "lif1.threshold", "lif2.beta", "lif2.threshold")


def _rounded(value: float, dtype: torch.dtype) -> float:
    """``value`` rounded to ``dtype`` (as a buffer of that dtype holds it), computed on the host."""
    if dtype == torch.bfloat16:  # round to nearest even on the upper 16 bits of the float32
        bits = np.array(value, dtype=np.float32).view(np.uint32)
        bits = ((bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)) << np.uint32(16)
        return float(bits.view(np.float32))
    numpy = {torch.float16: np.float16, torch.float32: np.float32}.get(dtype, np.float64)
    return float(numpy(value))


def _version(t: torch.Tensor):
    """``t``'s version counter (bumped by every in-place change), ``None`` for an inference tensor."""
    try:
        return t._version
    except RuntimeError:  # an inference tensor has no version counter: read it every time
        return None


def _per_neuron(value: float, n: int, learn: bool):
    return torch.full((n,), float(value)) if learn else float(value)
