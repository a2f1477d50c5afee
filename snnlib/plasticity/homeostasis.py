r"""Homeostasis: adaptive thresholds and weight normalisation, the two brakes of unsupervised learning.

* Adaptive threshold: each spike of a neuron raises its threshold by ``theta_plus``, which decays
  back with ``tau_theta``: ``theta[t] = d theta[t-1] + theta_plus s[t]``. A neuron that wins too
  often becomes harder to excite, so others get their turn.
* Column normalisation: the incoming weights of each neuron (one column of ``w`` ``[N_pre, N_post]``)
  are scaled to sum to ``total``, so a neuron can only sharpen its pattern, not grow all its weights.
"""

from __future__ import annotations

import torch

from .. import _checks

__all__ = ["adaptive_threshold_step", "normalise_columns"]


def adaptive_threshold_step(
    theta: torch.Tensor, spikes: torch.Tensor, theta_plus: float = 0.05, decay: float = 1.0
) -> torch.Tensor:
    """``theta`` ``[B, N]`` (or ``[N]``) and ``spikes`` of the same shape -> ``decay * theta + theta_plus * spikes``."""
    theta = _checks.finite_tensor(theta, "theta", "[B, N]", dtype="float")
    _checks.tensor(spikes, "spikes", "[B, N]", dtype="number")
    _checks.host_values(spikes, "spikes", "[B, N]", spikes=True)
    _checks.same_shape(theta, spikes, "theta", "spikes", "[B, N]")
    theta_plus = _checks.real(theta_plus, "theta_plus", 0.0)
    decay = _checks.real(decay, "decay", 0.0, 1.0)
    return decay * theta + theta_plus * spikes.to(theta.dtype)


def normalise_columns(w: torch.Tensor, total: float = 78.0) -> torch.Tensor:
    """``w`` ``[N_pre, N_post]`` (non-negative) scaled so that every column sums to ``total``.

    A column that sums to 0 cannot be scaled: :class:`ValueError`.
    """
    w = _checks.finite_tensor(w, "w", "[N_pre, N_post]", ndim=2, dtype="float")
    total = _checks.positive(total, "total")
    if float(w.min()) < 0:
        raise ValueError(f"w [N_pre, N_post] must be non-negative to be normalised, got a minimum of {float(w.min()):.4g}")
    sums = w.sum(0)
    if bool((sums == 0).any()):
        bad = int((sums == 0).nonzero()[0])
        raise ValueError(f"column {bad} of w [N_pre, N_post] sums to 0 and cannot be scaled to {total:g}")
    return w * (total / sums)
