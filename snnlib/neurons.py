r"""Leaky integrate-and-fire neurons: a pure step function and a thin ``nn.Module`` over it.

The discrete LIF neuron of the book (and of snnTorch's ``snn.Leaky``) is

.. math::  U[t+1] = \beta U[t] + I[t+1] - S[t] U_{thr}, \qquad S[t+1] = H(U[t+1] - U_{thr})

where ``I = W X`` is the input current. The reset term uses the *previous* step's spike, computed
from the previous membrane and detached from the gradient, exactly as ``snn.Leaky`` does.

Shapes: one step takes a current ``[B, ...]`` (any shape) and a membrane of the same shape; a
multi-step run takes a time-first current ``[T, B, ...]`` and returns spike and membrane records
``[T, B, ...]``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple, Optional, Tuple, Union

import torch
from torch import nn

from . import surrogate as _surrogate
from ._core import _check_time_first

__all__ = ["LIFParams", "LIFState", "lif_step", "lif_run", "LIF", "RESETS"]

RESETS = ("subtract", "zero", "none")

Number = Union[float, torch.Tensor]


@dataclass(frozen=True)
class LIFParams:
    """Parameters of the discrete LIF neuron.

    Attributes:
        beta: membrane decay per step, in [0, 1] (``beta = exp(-dt/tau)``); float or tensor
            broadcastable to the state.
        threshold: firing threshold ``U_thr`` (> 0).
        reset: ``"subtract"`` (subtract ``U_thr`` after a spike, snnTorch's default), ``"zero"``
            (set the membrane to 0 after a spike) or ``"none"`` (no reset).
        refractory: absolute refractory period in steps (>= 0): after a spike, the neuron neither
            integrates nor fires for this many steps.
    """

    beta: Number = 0.9
    threshold: Number = 1.0
    reset: str = "subtract"
    refractory: int = 0

    def __post_init__(self):
        beta = self.beta
        if isinstance(beta, torch.Tensor):
            if beta.numel() and (bool((beta.detach() < 0).any()) or bool((beta.detach() > 1).any())):
                raise ValueError(f"beta must lie in [0, 1], got values from {float(beta.min())} to {float(beta.max())}")
        elif not isinstance(beta, (int, float)) or isinstance(beta, bool) or not 0 <= beta <= 1:
            raise ValueError(f"beta must be a number in [0, 1] (beta = exp(-dt/tau)), got {beta!r}")
        thr = self.threshold
        if isinstance(thr, torch.Tensor):
            if thr.numel() and bool((thr.detach() <= 0).any()):
                raise ValueError("threshold must be > 0 everywhere")
        elif not isinstance(thr, (int, float)) or isinstance(thr, bool) or not thr > 0:
            raise ValueError(f"threshold must be a number > 0, got {thr!r}")
        if self.reset not in RESETS:
            raise ValueError(f"unknown reset {self.reset!r}: expected one of {RESETS}")
        if not isinstance(self.refractory, int) or isinstance(self.refractory, bool) or self.refractory < 0:
            raise ValueError(f"refractory must be a whole number of steps >= 0, got {self.refractory!r}")


class LIFState(NamedTuple):
    """State of a layer of LIF neurons: membrane ``mem`` and remaining refractory steps ``refrac``.

    Both have the layer's shape ``[B, ...]``; ``refrac`` is ``None`` when no refractory period is used.
    """

    mem: torch.Tensor
    refrac: Optional[torch.Tensor] = None


def _as_state(cur: torch.Tensor, state) -> LIFState:
    if state is None:
        return LIFState(torch.zeros_like(cur), None)
    if isinstance(state, torch.Tensor):
        state = LIFState(state, None)
    if state.mem.shape != cur.shape:
        raise ValueError(
            f"membrane shape {tuple(state.mem.shape)} does not match the input current's shape "
            f"{tuple(cur.shape)}: both must be [B, ...] for one step"
        )
    return state


def lif_step(
    cur: torch.Tensor,
    state: Union[LIFState, torch.Tensor, None],
    params: LIFParams = LIFParams(),
    spike_fn: Optional[_surrogate.Surrogate] = None,
) -> Tuple[torch.Tensor, LIFState]:
    """One step of the discrete LIF neuron: ``(spike, new_state) = lif_step(I[t+1], state[t], params)``.

    ``U[t+1] = beta U[t] + I[t+1] - S[t] U_thr`` for ``reset="subtract"``;
    ``U[t+1] = beta (1 - S[t]) U[t] + I[t+1]`` for ``reset="zero"``; no reset term for ``"none"``;
    then ``S[t+1] = H(U[t+1] - U_thr)``. ``S[t] = H(U[t] - U_thr)`` is recomputed from the previous
    membrane and detached, as in snnTorch's ``snn.Leaky``. During a refractory period the
    membrane is held at its reset value and no spike is emitted.

    Args:
        cur: input current ``I[t+1]``, shape ``[B, ...]``.
        state: ``LIFState`` (or a membrane tensor) of the same shape, or ``None`` to start at rest (0).
        params: :class:`LIFParams`.
        spike_fn: the spike nonlinearity with its surrogate gradient (default arctan, alpha=2).

    Returns:
        ``(spk, state)``: spikes ``[B, ...]`` (0. or 1.) and the new :class:`LIFState`.
    """
    if not isinstance(cur, torch.Tensor):
        raise TypeError(f"cur must be a torch.Tensor of shape [B, ...], got {type(cur).__name__}")
    spike_fn = _surrogate.get(spike_fn)
    state = _as_state(cur, state)
    mem, refrac = state.mem, state.refrac
    beta, thr = params.beta, params.threshold
    if isinstance(beta, torch.Tensor):
        beta = beta.clamp(0, 1)
    reset = _surrogate.heaviside(mem - thr).detach()
    if params.reset == "subtract":
        new_mem = beta * mem + cur - reset * thr
    elif params.reset == "zero":
        new_mem = beta * ((1 - reset) * mem) + cur
    else:
        new_mem = beta * mem + cur
    if params.refractory > 0:
        if refrac is None:
            refrac = torch.zeros_like(cur)
        # Steps still to wait: a spike at the previous step starts a new period.
        refrac = torch.where(reset > 0, torch.full_like(refrac, params.refractory), refrac)
        blocked = refrac > 0
        rest = mem - reset * thr if params.reset == "subtract" else (1 - reset) * mem if params.reset == "zero" else mem
        new_mem = torch.where(blocked, rest.detach() * 0 + torch.where(blocked, rest, new_mem), new_mem)
        spk = spike_fn(new_mem - thr) * (~blocked).to(new_mem.dtype)
        refrac = (refrac - 1).clamp_min(0)
        # Hold the membrane below threshold while blocked, so the next step does not reset again.
        return spk, LIFState(new_mem, refrac)
    spk = spike_fn(new_mem - thr)
    return spk, LIFState(new_mem, None)


def lif_run(
    cur: torch.Tensor,
    params: LIFParams = LIFParams(),
    state: Union[LIFState, torch.Tensor, None] = None,
    spike_fn: Optional[_surrogate.Surrogate] = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Run :func:`lif_step` over a time-first current ``[T, B, ...]``.

    Returns ``(spk_rec, mem_rec)``, each ``[T, B, ...]``: the spikes and membranes after every step.
    """
    _check_time_first(cur, "cur", min_dim=2, shape_doc="[T, B, ...]")
    if cur.shape[0] < 1:
        raise ValueError(f"cur must have at least one time step, got shape {tuple(cur.shape)} ([T, B, ...])")
    if state is not None:
        state = _as_state(cur[0], state)
    spikes, mems = [], []
    for t in range(cur.shape[0]):
        spk, state = lif_step(cur[t], state, params, spike_fn)
        spikes.append(spk)
        mems.append(state.mem)
    return torch.stack(spikes), torch.stack(mems)


class LIF(nn.Module):
    """A layer of leaky integrate-and-fire neurons, called like snnTorch's ``snn.Leaky``.

    ``spk, mem = lif(cur, mem)`` advances one step (``cur`` ``[B, ...]``; ``mem=None`` starts at
    rest); ``spk_rec, mem_rec = lif.run(cur_seq)`` runs a time-first input ``[T, B, ...]``.

    Args:
        beta: decay per step in [0, 1].
        threshold: firing threshold (> 0).
        reset: ``"subtract"``, ``"zero"`` or ``"none"``.
        refractory: absolute refractory period in steps.
        surrogate: a :class:`snnlib.surrogate.Surrogate` or its name; default arctan(alpha=2).
        learn_beta, learn_threshold: make beta / threshold trainable parameters.
    """

    def __init__(
        self,
        beta: Number = 0.9,
        threshold: Number = 1.0,
        reset: str = "subtract",
        refractory: int = 0,
        surrogate: Union[str, _surrogate.Surrogate, None] = None,
        learn_beta: bool = False,
        learn_threshold: bool = False,
    ):
        super().__init__()
        LIFParams(beta, threshold, reset, refractory)  # validate
        beta_t = torch.as_tensor(beta, dtype=torch.get_default_dtype()).clone()
        thr_t = torch.as_tensor(threshold, dtype=torch.get_default_dtype()).clone()
        if learn_beta:
            self.beta = nn.Parameter(beta_t)
        else:
            self.register_buffer("beta", beta_t)
        if learn_threshold:
            self.threshold = nn.Parameter(thr_t)
        else:
            self.register_buffer("threshold", thr_t)
        self.reset = reset
        self.refractory = refractory
        self.spike_fn = _surrogate.get(surrogate)

    @property
    def params(self) -> LIFParams:
        """The current parameters as an :class:`LIFParams` record (tensors, so gradients flow)."""
        return replace(LIFParams(0.5, 1.0, self.reset, self.refractory), beta=self.beta, threshold=self.threshold)

    def forward(self, cur: torch.Tensor, mem: Union[torch.Tensor, LIFState, None] = None):
        """One step: ``cur`` ``[B, ...]``, ``mem`` same shape or ``None``; returns ``(spk, mem)``.

        With a refractory period the state is an :class:`LIFState` and is returned as such.
        """
        spk, state = lif_step(cur, mem, self.params, self.spike_fn)
        if self.refractory > 0:
            return spk, state
        return spk, state.mem

    def run(self, cur: torch.Tensor, mem: Union[torch.Tensor, LIFState, None] = None):
        """All steps of a time-first input ``[T, B, ...]``; returns ``(spk_rec, mem_rec)`` ``[T, B, ...]``."""
        return lif_run(cur, self.params, mem, self.spike_fn)

    def extra_repr(self) -> str:
        return (
            f"beta={self.beta.tolist()}, threshold={self.threshold.tolist()}, reset={self.reset!r}, "
            f"refractory={self.refractory}, surrogate={self.spike_fn!r}"
        )
