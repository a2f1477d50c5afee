"""Thin ``nn.Module`` wrappers over the functional core (state kept in buffers, reset with ``reset()``)."""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from .. import _checks
from .homeostasis import adaptive_threshold_step
from .stdp import STDPParams, STDPState, stdp_init, stdp_step
from .traces import TRACE_MODES, trace_decay, trace_step

__all__ = ["Trace", "STDP", "AdaptiveThreshold"]


class Trace(nn.Module):
    """A trace with time constant ``tau`` (ms): ``forward(spikes [B, N]) -> trace [B, N]``."""

    def __init__(self, tau: float = 20.0, dt: float = 1.0, mode: str = "add"):
        super().__init__()
        self.decay = trace_decay(tau, dt)
        self.mode = _checks.choice(mode, "mode", TRACE_MODES)
        self.trace: Optional[torch.Tensor] = None

    def reset(self) -> None:
        self.trace = None

    def forward(self, spikes: torch.Tensor) -> torch.Tensor:
        if self.trace is None or self.trace.shape != spikes.shape:
            self.trace = torch.zeros(spikes.shape, dtype=torch.get_default_dtype())
        self.trace = trace_step(self.trace, spikes, self.decay, self.mode)
        return self.trace


class STDP(nn.Module):
    """Plastic weights ``w`` ``[N_pre, N_post]``: ``forward(pre [B, N_pre], post [B, N_post]) -> w``."""

    def __init__(self, w: torch.Tensor, params: Optional[STDPParams] = None):
        super().__init__()
        _checks.finite_tensor(w, "w", "[N_pre, N_post]", ndim=2, dtype="float")
        if params is not None and not isinstance(params, STDPParams):
            raise TypeError(f"params must be an STDPParams or None, got {_checks.describe(params)}")
        self.register_buffer("w", w.detach().clone())
        self.params = params if params is not None else STDPParams()
        self.state: Optional[STDPState] = None

    def reset(self) -> None:
        self.state = None

    def forward(self, pre: torch.Tensor, post: torch.Tensor) -> torch.Tensor:
        if self.state is None or self.state.x_pre.shape != pre.shape:
            self.state = stdp_init(pre.shape[0], self.w.shape[0], self.w.shape[1], dtype=self.w.dtype)
        self.w, self.state = stdp_step(self.w, pre, post, self.state, self.params)
        return self.w


class AdaptiveThreshold(nn.Module):
    """Thresholds that rise by ``theta_plus`` at each spike: ``forward(spikes [N]) -> theta [N]``."""

    def __init__(self, num_neurons: int, theta_plus: float = 0.05, decay: float = 1.0):
        super().__init__()
        self.register_buffer("theta", torch.zeros(_checks.integer(num_neurons, "num_neurons", 1)))
        self.theta_plus = _checks.real(theta_plus, "theta_plus", 0.0)
        self.decay = _checks.real(decay, "decay", 0.0, 1.0)

    def forward(self, spikes: torch.Tensor) -> torch.Tensor:
        self.theta = adaptive_threshold_step(self.theta, spikes, self.theta_plus, self.decay)
        return self.theta
