r"""The discrete LIF neuron (snnTorch's ``snn.Leaky``, plus an absolute refractory period).

.. math::  U[t+1] = \beta U[t] + I[t+1] - R[t] U_{thr}, \qquad S[t+1] = H(U[t+1] - U_{thr}),

with the reset signal ``R[t] = S[t]`` (the previous step's spike, detached from the gradient); the
semantics, agreed for the whole book and followed by the JavaScript explorer, are spelt out in
:mod:`snnlib.neurons`. :func:`lif_step` is the pure step function of ``(input, state, params)``,
:func:`lif_run` its loop over a time-first input ``[T, B, ...]``, and :class:`LIF` the thin
``nn.Module`` over both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple, Union

import torch
from torch import nn

from .. import _checks
from .. import surrogate as _surrogate
from . import _validate
from ._validate import Number

__all__ = ["RESETS", "LIFParams", "LIFState", "lif_step", "lif_run", "LIF"]

#: The reset mechanisms of the discrete model.
RESETS = ("subtract", "zero", "none")

SurrogateLike = Union[str, _surrogate.Surrogate, None]

_STEP_SHAPE = "[B, ...]"
_RUN_SHAPE = "[T, B, ...]"


@dataclass(frozen=True)
class LIFParams:
    """Parameters of the discrete LIF neuron (checked on construction; numbers are stored as Python numbers).

    Attributes:
        beta: membrane decay per step, in [0, 1] (``beta = exp(-dt/tau)`` or ``1 - dt/tau``); a number
            or a float tensor broadcastable to the state ``[B, ...]``.
        threshold: firing threshold ``U_thr`` (> 0); number or float tensor.
        reset: ``"subtract"`` (subtract ``U_thr`` after a spike, snnTorch's default), ``"zero"``
            (set the membrane to 0 after a spike) or ``"none"`` (no reset).
        refractory: absolute refractory period ``K`` in steps (an integer >= 0: Python, NumPy or a
            0-d tensor): after a spike at step ``t``, the input is blocked and no spike is emitted at
            steps ``t+1 ... t+K``.
    """

    beta: Number = 0.9
    threshold: Number = 1.0
    reset: str = "subtract"
    refractory: int = 0

    def __post_init__(self):
        object.__setattr__(self, "beta", _validate.beta(self.beta))
        object.__setattr__(self, "threshold", _validate.threshold(self.threshold))
        _checks.choice(self.reset, "reset", RESETS)
        object.__setattr__(self, "refractory", _checks.integer(self.refractory, "refractory", 0))


class LIFState(NamedTuple):
    """State of a layer of discrete LIF neurons, each field of the layer's shape ``[B, ...]``.

    Attributes:
        mem: membrane potential ``U[t]``.
        refrac: refractory steps still to wait *not counting* a spike at step ``t`` (``None`` = 0).
        spk: the spike emitted at step ``t``, ``S[t]`` (detached; ``None`` means "recompute it as
            ``H(U[t] - U_thr)``", which is what a bare membrane tensor, as in snnTorch, implies).
    """

    mem: torch.Tensor
    refrac: Optional[torch.Tensor] = None
    spk: Optional[torch.Tensor] = None


def _as_state(cur: torch.Tensor, state) -> LIFState:
    if state is None:
        zeros = torch.zeros_like(cur)
        return LIFState(zeros, None, zeros)  # at rest, no previous spike
    if isinstance(state, torch.Tensor):
        state = LIFState(state)
    _checks.instance(state, "state", LIFState, f"an LIFState, a membrane tensor {_STEP_SHAPE} or None")
    for name, x in (("membrane", state.mem), ("refractory counter", state.refrac), ("previous spike", state.spk)):
        if x is None:
            continue
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"the state's {name} must be a tensor {_STEP_SHAPE}, got {_checks.describe(x)}")
        if x.shape != cur.shape:
            raise ValueError(
                f"the state's {name} has shape {tuple(x.shape)}, the input current {tuple(cur.shape)}: "
                f"both must be {_STEP_SHAPE} for one step"
            )
    return state


def _check_params(params) -> None:
    _checks.instance(params, "params", LIFParams, "an LIFParams")


def _previous_spike(state: LIFState, thr) -> torch.Tensor:
    """``R[t]``: the spike emitted at the previous step (detached), recomputed from ``U[t]`` if not kept."""
    prev = state.spk if state.spk is not None else _surrogate.heaviside(state.mem - thr)
    return prev.detach()


def _refractory_left(state: LIFState, prev: torch.Tensor, K: int, like: torch.Tensor) -> Optional[torch.Tensor]:
    """Steps of the refractory period left at this step (a spike at ``t`` starts one), or ``None`` when ``K == 0``.

    The neuron ignores its input where the result is ``> 0``.
    """
    if K <= 0:
        return None
    left = state.refrac if state.refrac is not None else torch.zeros_like(like)
    return torch.where(prev > 0, torch.full_like(left, K), left)


def _emit(spike: _surrogate.Surrogate, mem: torch.Tensor, thr, left: Optional[torch.Tensor]) -> Tuple[torch.Tensor, LIFState]:
    """The spike of the new membrane ``mem`` (none while refractory) and the new :class:`LIFState`."""
    spk = spike(mem - thr)
    if left is None:
        return spk, LIFState(mem, None, spk.detach())
    spk = spk * (~(left > 0)).to(spk.dtype)
    return spk, LIFState(mem, (left - 1).clamp_min(0), spk.detach())


def _update(cur: torch.Tensor, state: LIFState, params: LIFParams, spike: _surrogate.Surrogate) -> Tuple[torch.Tensor, LIFState]:
    """The step itself, on checked arguments (``state`` an :class:`LIFState` of ``cur``'s shape)."""
    mem = state.mem
    beta, thr = params.beta, params.threshold
    if isinstance(beta, torch.Tensor):
        beta = beta.clamp(0, 1)  # as snnTorch (a learnt beta may leave [0, 1])
    prev = _previous_spike(state, thr)
    left = _refractory_left(state, prev, params.refractory, cur)
    if left is not None:
        cur = torch.where(left > 0, torch.zeros_like(cur), cur)

    if params.reset == "subtract":
        new_mem = beta * mem + cur - prev * thr
    elif params.reset == "zero":
        new_mem = beta * ((1 - prev) * mem) + cur
    else:
        new_mem = beta * mem + cur

    return _emit(spike, new_mem, thr, left)


def lif_step(
    cur: torch.Tensor,
    state: Union[LIFState, torch.Tensor, None],
    params: LIFParams = LIFParams(),
    surrogate: SurrogateLike = None,
) -> Tuple[torch.Tensor, LIFState]:
    r"""One step of the discrete LIF neuron: ``(S[t+1], state[t+1]) = lif_step(I[t+1], state[t], params)``.

    With the reset signal ``R[t] = S[t]`` (the spike emitted at the previous step, detached):

    * ``"subtract"``: ``U[t+1] = beta U[t] + I[t+1] - R[t] U_thr``
    * ``"zero"``:     ``U[t+1] = beta (1 - R[t]) U[t] + I[t+1]``
    * ``"none"``:     ``U[t+1] = beta U[t] + I[t+1]``

    then ``S[t+1] = H(U[t+1] - U_thr)`` (forward: strict step; backward: the surrogate's derivative).
    With ``params.refractory = K > 0``, during the ``K`` steps after a spike the input is replaced
    by 0 and ``S[t+1] = 0`` (the membrane still decays; the reset applies on the first of them).

    Args:
        cur: input current ``I[t+1]``, a floating-point tensor of shape ``[B, ...]`` (not scanned
            for NaN here, once per step; :func:`lif_run` checks its whole input once).
        state: :class:`LIFState`, a bare membrane tensor of the same shape (then ``S[t]`` is taken
            as ``H(U[t] - U_thr)``, as in snnTorch, and the neuron is not refractory), or ``None`` to
            start at rest with no spike.
        params: :class:`LIFParams`.
        surrogate: the spike function's surrogate gradient: a :class:`snnlib.surrogate.Surrogate`,
            its name, or ``None`` for the default (arctan, ``alpha = 2``).

    Returns:
        ``(spk, state)``: spikes ``[B, ...]`` (0. or 1.) and the new :class:`LIFState` (whose
        ``spk`` is the detached spike, whose ``refrac`` is ``None`` when ``K = 0``).
    """
    _checks.tensor(cur, "cur", _STEP_SHAPE, dtype="float", nonempty=False)
    _check_params(params)
    return _update(cur, _as_state(cur, state), params, _surrogate.get(surrogate))


def lif_run(
    cur: torch.Tensor,
    params: LIFParams = LIFParams(),
    state: Union[LIFState, torch.Tensor, None] = None,
    surrogate: SurrogateLike = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Run :func:`lif_step` over a time-first current ``[T, B, ...]`` (at least 2 dims: ``[T, N]`` is fine).

    ``cur`` (floating point, finite) holds ``cur[t] = I[t+1]``, the current that drives step ``t``;
    the state (an :class:`LIFState`, a membrane tensor ``[B, ...]`` or ``None``) starts at rest unless
    given, and ``surrogate`` is as for :func:`lif_step`. Returns ``(spk_rec, mem_rec)``, each
    ``[T, B, ...]``: the spikes and membranes after every step (``mem_rec[t] = U[t+1]``,
    ``spk_rec[t] = S[t+1]``).

    This is the pure function behind the membrane explorer: e.g. a step current of amplitude
    ``A`` is ``cur = torch.full((steps, 1), A)``.
    """
    _checks.time_first(cur, "cur", _RUN_SHAPE, min_dim=2, dtype="float", finite=True)
    _check_params(params)
    spike = _surrogate.get(surrogate)
    state = _as_state(cur[0], state)
    spikes, mems = [], []
    for t in range(cur.shape[0]):
        spk, state = _update(cur[t], state, params, spike)
        spikes.append(spk)
        mems.append(state.mem)
    return torch.stack(spikes), torch.stack(mems)


class LIF(nn.Module):
    """A layer of discrete LIF neurons, called like snnTorch's ``snn.Leaky`` (same defaults).

    * ``spk, mem = lif(cur, mem)`` advances one step, as snnTorch: ``cur`` ``[B, ...]``, ``mem`` a
      membrane tensor of the same shape or ``None`` (at rest); it returns the spikes and the
      membrane tensor, always. A bare membrane cannot carry a refractory counter, so with
      ``refractory > 0`` this call raises a ``ValueError`` that points at :meth:`step`.
    * ``spk, state = lif.step(cur, state)`` advances one step with the full :class:`LIFState`
      (refractory counter and emitted spike included): the call to use with ``refractory > 0``.
    * ``spk_rec, mem_rec = lif.run(cur_seq)`` runs a time-first input ``[T, B, ...]``.

    Args:
        beta: decay per step in [0, 1] (number or float tensor, e.g. one per neuron).
        threshold: firing threshold (> 0).
        reset: ``"subtract"``, ``"zero"`` or ``"none"``.
        refractory: absolute refractory period in steps (integer >= 0).
        surrogate: a :class:`snnlib.surrogate.Surrogate` or its name; default arctan(alpha=2).
        learn_beta, learn_threshold: make beta / threshold trainable ``nn.Parameter`` s (as
            snnTorch, beta is clamped to [0, 1] in the update).
    """

    def __init__(
        self,
        beta: Number = 0.9,
        threshold: Number = 1.0,
        reset: str = "subtract",
        refractory: int = 0,
        surrogate: SurrogateLike = None,
        learn_beta: bool = False,
        learn_threshold: bool = False,
    ):
        super().__init__()
        checked = LIFParams(beta, threshold, reset, refractory)
        learn_beta = _checks.boolean(learn_beta, "learn_beta")
        learn_threshold = _checks.boolean(learn_threshold, "learn_threshold")
        dtype = torch.get_default_dtype()
        beta_t = beta.detach().clone().to(dtype) if isinstance(beta, torch.Tensor) else torch.tensor(checked.beta)
        thr_t = threshold.detach().clone().to(dtype) if isinstance(threshold, torch.Tensor) else torch.tensor(checked.threshold)
        if learn_beta:
            self.beta = nn.Parameter(beta_t)
        else:
            self.register_buffer("beta", beta_t)
        if learn_threshold:
            self.threshold = nn.Parameter(thr_t)
        else:
            self.register_buffer("threshold", thr_t)
        self.reset = checked.reset
        self.refractory = checked.refractory
        self.surrogate = _surrogate.get(surrogate)

    @property
    def params(self) -> LIFParams:
        """The current parameters as an :class:`LIFParams` (tensors, so gradients reach them).

        Not re-validated: a learnt beta outside [0, 1] is clamped in the update, as in snnTorch.
        """
        p = LIFParams(0.5, 1.0, self.reset, self.refractory)
        object.__setattr__(p, "beta", self.beta)
        object.__setattr__(p, "threshold", self.threshold)
        return p

    def forward(self, cur: torch.Tensor, mem: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """One step, as snnTorch: ``cur`` ``[B, ...]`` and ``mem`` (same shape, or ``None``) -> ``(spk, mem)``.

        Raises ``ValueError`` when ``refractory > 0`` (use :meth:`step`) and ``TypeError`` for an
        :class:`LIFState` (also :meth:`step`'s).
        """
        if self.refractory > 0:
            raise ValueError(
                f"LIF(refractory={self.refractory}): spk, mem = lif(cur, mem) passes only the membrane tensor, which "
                "cannot carry the refractory counter; use spk, state = lif.step(cur, state) (an LIFState), "
                "or lif.run(cur) for a whole time-first input [T, B, ...]"
            )
        if mem is not None and not isinstance(mem, torch.Tensor):
            raise TypeError(
                f"mem must be a membrane tensor {_STEP_SHAPE} or None, got {_checks.describe(mem)}; "
                "for the full LIFState use spk, state = lif.step(cur, state)"
            )
        spk, state = lif_step(cur, mem, self.params, self.surrogate)
        return spk, state.mem

    def step(self, cur: torch.Tensor, state: Union[LIFState, torch.Tensor, None] = None) -> Tuple[torch.Tensor, LIFState]:
        """One step with the full state: ``cur`` ``[B, ...]``, ``state`` as for :func:`lif_step` -> ``(spk, LIFState)``."""
        return lif_step(cur, state, self.params, self.surrogate)

    def run(self, cur: torch.Tensor, state: Union[LIFState, torch.Tensor, None] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """All steps of a time-first input ``[T, B, ...]``; returns ``(spk_rec, mem_rec)`` ``[T, B, ...]``."""
        return lif_run(cur, self.params, state, self.surrogate)

    def extra_repr(self) -> str:
        return (
            f"beta={self.beta.tolist()}, threshold={self.threshold.tolist()}, reset={self.reset!r}, "
            f"refractory={self.refractory}, surrogate={self.surrogate!r}"
        )
