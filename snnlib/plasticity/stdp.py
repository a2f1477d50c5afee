r"""Pair-based spike-timing-dependent plasticity (STDP) with traces, and its learning window.

At every step, with pre-synaptic trace ``x_pre`` (including this step's pre spikes) and
post-synaptic trace ``x_post`` (before this step's post spikes):

.. math:: \Delta w_{ij} = A_+\, f_+(w_{ij})\, x^{pre}_i\, s^{post}_j \;-\; A_-\, f_-(w_{ij})\, s^{pre}_i\, x^{post}_j

so a pre spike followed ``\Delta t \ge 0`` later by a post spike gives ``A_+ e^{-\Delta t/\tau_+}``
and the reverse order gives ``-A_- e^{\Delta t/\tau_-}``: the learning window of Bi & Poo (1998),
in the form of Song, Miller & Abbott (2000). The rule (a registry) sets ``f_+, f_-``:

* ``"additive"``: ``f_+ = f_- = 1``, weights clipped to ``[0, w_max]`` (hard bounds);
* ``"multiplicative"``: ``f_+ = w_max - w``, ``f_- = w`` (soft bounds: the steps shrink near a
  bound, so weights stay inside ``[0, w_max]`` without clipping while ``A_+, A_- <= 1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Tuple

import numpy as np
import torch

from .. import _checks
from .traces import TRACE_MODES, trace_decay, trace_step

__all__ = ["STDPParams", "STDPState", "RULES", "stdp_init", "stdp_step", "stdp_window", "measure_window", "pairing_protocol"]

#: Weight dependence of potentiation and depression, declared once: name -> (f_plus, f_minus).
RULES = {
    "additive": (lambda w, w_max: torch.ones_like(w), lambda w, w_max: torch.ones_like(w)),
    "multiplicative": (lambda w, w_max: w_max - w, lambda w, w_max: w),
}


@dataclass(frozen=True)
class STDPParams:
    """Amplitudes ``a_plus``, ``a_minus``; time constants ``tau_plus``, ``tau_minus`` and ``dt`` (ms)."""

    a_plus: float = 0.01
    a_minus: float = 0.0105
    tau_plus: float = 20.0
    tau_minus: float = 20.0
    w_max: float = 1.0
    rule: str = "additive"
    trace_mode: str = "add"
    dt: float = 1.0

    def __post_init__(self):
        _checks.real(self.a_plus, "a_plus", 0.0)
        _checks.real(self.a_minus, "a_minus", 0.0)
        for name in ("tau_plus", "tau_minus", "w_max", "dt"):
            _checks.positive(getattr(self, name), name)
        _checks.choice(self.rule, "rule", RULES)
        _checks.choice(self.trace_mode, "trace_mode", TRACE_MODES)


class STDPState(NamedTuple):
    """Traces: ``x_pre`` ``[B, N_pre]`` and ``x_post`` ``[B, N_post]``."""

    x_pre: torch.Tensor
    x_post: torch.Tensor


def stdp_init(batch: int, n_pre: int, n_post: int, dtype=torch.float32) -> STDPState:
    """Zero traces for ``batch`` independent pairs of populations."""
    batch = _checks.integer(batch, "batch", minimum=1)
    n_pre = _checks.integer(n_pre, "n_pre", minimum=1)
    n_post = _checks.integer(n_post, "n_post", minimum=1)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch dtype, got {_checks.describe(dtype)}")
    return STDPState(torch.zeros(batch, n_pre, dtype=dtype), torch.zeros(batch, n_post, dtype=dtype))


def stdp_step(
    w: torch.Tensor, pre: torch.Tensor, post: torch.Tensor, state: STDPState, params: STDPParams = STDPParams()
) -> Tuple[torch.Tensor, STDPState]:
    """One step of STDP: ``w`` ``[N_pre, N_post]`` (or ``[B, N_pre, N_post]``, one matrix per batch row),
    spikes ``pre`` ``[B, N_pre]`` and ``post`` ``[B, N_post]`` -> ``(new w, new state)``.

    With a shared ``[N_pre, N_post]`` matrix the changes of the ``B`` rows are summed. The new
    weights always lie in ``[0, w_max]``.
    """
    if not isinstance(params, STDPParams):
        raise TypeError(f"params must be an STDPParams, got {_checks.describe(params)}")
    w = _checks.finite_tensor(w, "w", "[N_pre, N_post] or [B, N_pre, N_post]", ndim=(2, 3), dtype="float")
    pre = _checks.spike_tensor(pre, "pre", "[B, N_pre]", min_dim=2)
    post = _checks.spike_tensor(post, "post", "[B, N_post]", min_dim=2)
    if not isinstance(state, STDPState):
        raise TypeError(f"state must be an STDPState (see stdp_init), got {_checks.describe(state)}")
    _checks.same_shape(state.x_pre, pre, "state.x_pre", "pre", "[B, N_pre]")
    _checks.same_shape(state.x_post, post, "state.x_post", "post", "[B, N_post]")
    if pre.dim() != 2 or post.dim() != 2 or pre.shape[0] != post.shape[0] or w.shape[-2:] != (pre.shape[1], post.shape[1]):
        raise ValueError(
            f"w must have shape [N_pre, N_post] = [{pre.shape[-1]}, {post.shape[-1]}] (or with a "
            f"batch dimension first) for pre [B, N_pre] {tuple(pre.shape)} and post [B, N_post] "
            f"{tuple(post.shape)}; got w of shape {tuple(w.shape)}"
        )
    if float(w.min()) < 0 or float(w.max()) > params.w_max:
        raise ValueError(
            f"w must lie in [0, w_max={params.w_max:g}], got values from {float(w.min()):.4g} to {float(w.max()):.4g}"
        )
    pre, post = pre.to(w.dtype), post.to(w.dtype)
    d_pre = trace_decay(params.tau_plus, params.dt)
    d_post = trace_decay(params.tau_minus, params.dt)
    x_pre = trace_step(state.x_pre.to(w.dtype), pre, d_pre, params.trace_mode)
    x_post_before = d_post * state.x_post.to(w.dtype)
    f_plus, f_minus = RULES[params.rule]
    ltp = torch.einsum("bi,bj->bij", x_pre, post)
    ltd = torch.einsum("bi,bj->bij", pre, x_post_before)
    if w.dim() == 2:
        ltp, ltd = ltp.sum(0), ltd.sum(0)
    dw = params.a_plus * f_plus(w, params.w_max) * ltp - params.a_minus * f_minus(w, params.w_max) * ltd
    new_w = (w + dw).clamp(0.0, params.w_max)
    x_post = trace_step(state.x_post.to(w.dtype), post, d_post, params.trace_mode)
    return new_w, STDPState(x_pre, x_post)


def _params(params) -> None:
    if not isinstance(params, STDPParams):
        raise TypeError(f"params must be an STDPParams, got {_checks.describe(params)}")


def stdp_window(delta_t, params: STDPParams = STDPParams()) -> np.ndarray:
    r"""The analytic window ``W(\Delta t)``, ``\Delta t = t_post - t_pre`` in ms (array-like -> float array).

    ``A_+ exp(-Δt/τ_+)`` for ``Δt >= 0`` (pre before post, or together: potentiation) and
    ``-A_- exp(Δt/τ_-)`` for ``Δt < 0`` (depression). For the additive rule, at ``w`` away from the bounds.
    """
    _params(params)
    try:
        dt = np.asarray(delta_t, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"delta_t must be numbers (ms), got {_checks.describe(delta_t)}") from err
    if not np.all(np.isfinite(dt)):
        raise ValueError("delta_t must be finite (ms)")
    return np.where(
        dt >= 0, params.a_plus * np.exp(-np.abs(dt) / params.tau_plus), -params.a_minus * np.exp(-np.abs(dt) / params.tau_minus)
    )


def measure_window(delays, params: STDPParams = STDPParams(), w0: float = 0.5) -> np.ndarray:
    """The window measured by simulation: one synapse per delay (in steps, ``t_post - t_pre``), one
    spike pair each, run through :func:`stdp_step`; returns ``Δw`` per delay (float array).

    ``delays`` are whole numbers of steps (``Δt = delay * dt`` ms). The synapses start at ``w0``.
    """
    _params(params)
    delays = np.asarray(delays)
    if delays.ndim != 1 or delays.size == 0 or not np.issubdtype(delays.dtype, np.integer):
        raise TypeError(f"delays must be a non-empty 1-d array of whole numbers of steps, got {_checks.describe(delays)}")
    w0 = _checks.real(w0, "w0", 0.0, params.w_max)
    span = int(np.abs(delays).max())
    num_steps = 2 * span + 2
    b = delays.size
    pre = torch.zeros(num_steps, b, 1, dtype=torch.float64)
    post = torch.zeros(num_steps, b, 1, dtype=torch.float64)
    for k, d in enumerate(delays.tolist()):
        t_pre = span + (0 if d >= 0 else -d)
        pre[t_pre, k, 0] = 1.0
        post[t_pre + d, k, 0] = 1.0
    w = torch.full((b, 1, 1), w0, dtype=torch.float64)
    state = stdp_init(b, 1, 1, dtype=torch.float64)
    for t in range(num_steps):
        w, state = stdp_step(w, pre[t], post[t], state, params)
    return (w.reshape(-1) - w0).numpy()


def pairing_protocol(
    delay: int, num_pairs: int = 60, period: int = 100, params: STDPParams = STDPParams(), w0: float = 0.5
) -> np.ndarray:
    """Two neurons, one synapse: a pre spike every ``period`` steps and a post spike ``delay`` steps
    after it (before it if ``delay < 0``), ``num_pairs`` times. Returns the weight after each step
    (float array ``[num_pairs * period]``): it climbs for ``delay >= 0`` and sinks for ``delay < 0``.
    """
    _params(params)
    delay = _checks.integer(delay, "delay")
    num_pairs = _checks.integer(num_pairs, "num_pairs", minimum=1)
    period = _checks.integer(period, "period", minimum=2 * abs(delay) + 2)
    w0 = _checks.real(w0, "w0", 0.0, params.w_max)
    w = torch.full((1, 1), w0, dtype=torch.float64)
    state = stdp_init(1, 1, 1, dtype=torch.float64)
    out = np.empty(num_pairs * period)
    offset = abs(delay)
    for t in range(num_pairs * period):
        phase = t % period
        pre = torch.tensor([[1.0 if phase == offset else 0.0]], dtype=torch.float64)
        post = torch.tensor([[1.0 if phase == offset + delay else 0.0]], dtype=torch.float64)
        w, state = stdp_step(w, pre, post, state, params)
        out[t] = float(w)
    return out
