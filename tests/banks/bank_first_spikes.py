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


def _right_float64(spk, dt):
    return spk.double().mean(0) / dt


def _right_loop(spk, dt):
    """Neuron by neuron, in plain Python: a list of lists (or a list) of floats."""
    T = spk.shape[0]
    flat = spk.reshape(T, -1)
    rates = [sum(float(v) for v in flat[:, j]) / (T * dt) for j in range(flat.shape[1])]
    return torch.tensor(rates).reshape(spk.shape[1:])


def _right_library(spk, dt):
    import snnlib as snl

    return snl.spikes.firing_rate(spk, dt=dt)


def _right_hz_in_steps(spk, dt):
    """The count over the duration, written with the duration first."""
    duration = spk.shape[0] * dt
    return torch.count_nonzero(spk, dim=0) / duration


def _wrong_list_of_tensors(spk, dt):
    return [spk.mean(0)]


BANKS = {
    "check_firing_rate": Bank(
        kind="function",
        right=[
            ("sum over T / (T dt)", _right_sum),
            ("mean / dt", _right_mean),
            ("NumPy", _right_numpy),
            ("float32", _right_float32),
            ("float64", _right_float64),
            ("plain Python loop", _right_loop),
            ("snl.spikes.firing_rate", _right_library),
            ("count_nonzero / duration", _right_hz_in_steps),
        ],
        wrong=[
            ("spike counts", lambda spk, dt: spk.sum(0)),
            ("spikes per step, no dt", lambda spk, dt: spk.mean(0)),
            ("wrong axis", lambda spk, dt: spk.mean(-1) / dt),
            ("times dt", lambda spk, dt: spk.mean(0) * dt),
            ("all neurons pooled", lambda spk, dt: spk.mean() / dt),
            ("inf everywhere", lambda spk, dt: torch.full(spk.shape[1:], float("inf"))),
            ("NaN everywhere", lambda spk, dt: torch.full(spk.shape[1:], float("nan"))),
            ("off by one in T", lambda spk, dt: spk.sum(0) / ((spk.shape[0] - 1) * dt)),
            ("count / dt", lambda spk, dt: spk.sum(0) / dt),
            ("rate of the first neuron only", lambda spk, dt: spk[:, 0].mean(0) / dt),
            ("first step only", lambda spk, dt: spk[0] / dt),
            ("a complex tensor", lambda spk, dt: (spk.mean(0) / dt).to(torch.complex64)),
            ("a list holding a tensor", _wrong_list_of_tensors),
            ("a string", lambda spk, dt: "20 Hz"),
        ],
    )
}
