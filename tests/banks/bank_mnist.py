"""Banks of the MNIST chapter's exercises: rate decoding and the synaptic operations of layer 2."""

from __future__ import annotations

import numpy as np
import torch
from bank_common import Bank


def _decode_sum(spk):
    return spk.sum(0).argmax(-1)


def _decode_mean(spk):
    return spk.mean(dim=0).argmax(dim=1)


def _decode_numpy(spk):
    return np.asarray(spk).sum(axis=0).argmax(axis=-1)


def _decode_list(spk):
    return [int(c) for c in spk.sum(0).argmax(-1)]


def _decode_float(spk):
    return spk.sum(0).argmax(-1).to(torch.float32)


def _decode_loop(spk):
    _t, B, C = spk.shape
    out = []
    for b in range(B):
        counts = [float(spk[:, b, c].sum()) for c in range(C)]
        out.append(counts.index(max(counts)))
    return torch.tensor(out)


def _ops_sum(spk, fan_out):
    return spk.sum() * fan_out / spk.shape[1]


def _ops_float(spk, fan_out):
    return float(spk.sum()) / spk.shape[1] * fan_out


def _ops_numpy(spk, fan_out):
    return np.float32(np.asarray(spk).sum(axis=(0, 2)).mean() * fan_out)


def _ops_float64(spk, fan_out):
    return (spk.double().sum((0, 2)) * fan_out).mean()


def _ops_per_sample_mean(spk, fan_out):
    return np.mean([float(spk[:, b].sum()) * fan_out for b in range(spk.shape[1])])


BANKS = {
    "check_rate_decoding": Bank(
        kind="function",
        right=[
            ("sum then argmax", _decode_sum),
            ("mean then argmax", _decode_mean),
            ("NumPy", _decode_numpy),
            ("list of ints", _decode_list),
            ("float32 indices", _decode_float),
            ("a loop", _decode_loop),
        ],
        wrong=[
            ("summed over the batch", lambda spk: spk.sum(1).argmax(-1)),
            ("argmax over time", lambda spk: spk.argmax(0)),
            ("the counts", lambda spk: spk.sum(0)),
            ("max value not argmax", lambda spk: spk.sum(0).max(-1).values),
            ("argmin", lambda spk: spk.sum(0).argmin(-1)),
            ("the last step only", lambda spk: spk[-1].argmax(-1)),
            ("first sample only", lambda spk: spk.sum(0)[0].argmax()),
            ("all zeros", lambda spk: torch.zeros(spk.shape[1], dtype=torch.long)),
            ("NaN predictions", lambda spk: torch.full((spk.shape[1],), float("nan"))),
            ("inf predictions", lambda spk: torch.full((spk.shape[1],), float("inf"))),
            ("half-integer predictions", lambda spk: spk.sum(0).argmax(-1) + 0.5),
            ("a boolean mask", lambda spk: spk.sum(0) == spk.sum(0).max(-1, keepdim=True).values),
        ],
    ),
    "check_synaptic_operations": Bank(
        kind="function",
        right=[
            ("tensor sum", _ops_sum),
            ("Python float", _ops_float),
            ("NumPy float32", _ops_numpy),
            ("float64 per-sample mean", _ops_float64),
            ("mean of per-sample counts", _ops_per_sample_mean),
        ],
        wrong=[
            ("spikes, no fan_out", lambda spk, f: spk.sum() / spk.shape[1]),
            ("whole batch", lambda spk, f: spk.sum() * f),
            ("per step", lambda spk, f: spk.sum() * f / spk.shape[1] / spk.shape[0]),
            ("every neuron-step", lambda spk, f: spk.shape[0] * spk.shape[2] * f),
            ("divided by H", lambda spk, f: spk.sum() * f / spk.shape[1] / spk.shape[2]),
            ("divided by T not B", lambda spk, f: spk.sum() * f / spk.shape[0]),
            ("one number per sample", lambda spk, f: spk.sum((0, 2)) * f),
            ("inf", lambda spk, f: float("inf")),
            ("a list of two numbers", lambda spk, f: [1.0, 2.0]),
            ("off by one fan-out", lambda spk, f: spk.sum() * (f + 1) / spk.shape[1]),
        ],
    ),
}
