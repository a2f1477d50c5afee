"""Bank of the first notebook's exercise: the firing rate of a spike record."""

from __future__ import annotations

import numpy as np
import torch
from bank_common import Bank


def _right_sum(spk, dt):
    return spk.sum(0) / (spk.shape[0] * dt)


def _right_mean(spk, dt):
    return spk.float().mean(dim=0) / dt


def _right_numpy(spk, dt):
    return np.asarray(spk).mean(axis=0) / dt


def _right_float32(spk, dt):
    return (spk.to(torch.float32).sum(0) / (spk.shape[0] * dt)).to(torch.float32)


BANKS = {
    "check_firing_rate": Bank(
        kind="function",
        right=[
            ("sum over T / (T dt)", _right_sum),
            ("mean / dt", _right_mean),
            ("NumPy", _right_numpy),
            ("float32", _right_float32),
        ],
        wrong=[
            ("spike counts", lambda spk, dt: spk.sum(0)),
            ("spikes per step, no dt", lambda spk, dt: spk.mean(0)),
            ("wrong axis", lambda spk, dt: spk.mean(-1) / dt),
            ("times dt", lambda spk, dt: spk.mean(0) * dt),
            ("all neurons pooled", lambda spk, dt: spk.mean() / dt),
            ("inf everywhere", lambda spk, dt: torch.full(spk.shape[1:], float("inf"))),
            ("off by one in T", lambda spk, dt: spk.sum(0) / ((spk.shape[0] - 1) * dt)),
        ],
    )
}
