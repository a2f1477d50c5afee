"""Bank of the STDP chapter's exercises (window, column normalisation, labelling neurons)."""

from __future__ import annotations

import math

import numpy as np
import torch
from bank_common import Bank

import snnlib.plasticity as pl
from snnlib.exercises import stdp

BANKS = {
    "check_stdp_window": Bank(
        kind="function",
        right=[
            ("reference", stdp.stdp_window_solution),
            (
                "float32 tensor",
                lambda d, ap, am, tp, tm: torch.as_tensor(stdp.stdp_window_solution(d, ap, am, tp, tm), dtype=torch.float32),
            ),
            (
                "loop, float32 array",
                lambda d, ap, am, tp, tm: np.array(
                    [ap * math.exp(-x / tp) if x >= 0 else -am * math.exp(x / tm) for x in d], dtype=np.float32
                ),
            ),
        ],
        wrong=[
            ("LTD positive", lambda d, ap, am, tp, tm: np.where(d >= 0, ap * np.exp(-d / tp), am * np.exp(d / tm))),
            ("mirrored", lambda d, ap, am, tp, tm: np.where(d <= 0, ap * np.exp(d / tp), -am * np.exp(-d / tm))),
            ("no depression", lambda d, ap, am, tp, tm: ap * np.exp(-np.abs(d) / tp)),
            ("tau swapped", lambda d, ap, am, tp, tm: np.where(d >= 0, ap * np.exp(-d / tm), -am * np.exp(d / tp))),
            ("zero", lambda d, ap, am, tp, tm: 0.0),
            ("wrong shape", lambda d, ap, am, tp, tm: stdp.stdp_window_solution(d, ap, am, tp, tm)[:-1]),
            ("inf", lambda d, ap, am, tp, tm: np.full(np.shape(d), np.inf)),
        ],
    ),
    "check_normalise_columns": Bank(
        kind="function",
        right=[
            ("tensor", lambda w, total: w / w.sum(0) * total),
            ("float64 NumPy", lambda w, total: (w.double() * total / w.double().sum(0, keepdim=True)).numpy()),
            ("library", lambda w, total: pl.normalise_columns(w, total)),
            ("reference", stdp.normalise_columns_solution),
        ],
        wrong=[
            ("rows", lambda w, total: w / w.sum(1, keepdim=True) * total),
            ("whole matrix", lambda w, total: w / w.sum() * total),
            ("total forgotten", lambda w, total: w / w.sum(0)),
            ("wrong shape", lambda w, total: w[:, :1]),
            ("NaN", lambda w, total: w * float("nan")),
        ],
    ),
    "check_assign_labels": Bank(
        kind="function",
        right=[
            ("reference", stdp.assign_labels_solution),
            ("library", lambda c, y, k: pl.assign_labels(c, y, k)),
            (
                "loop",
                lambda c, y, k: np.array([int(np.argmax([c[y == j, n].mean() for j in range(k)])) for n in range(c.shape[1])]),
            ),
            ("float labels", lambda c, y, k: stdp.assign_labels_solution(c, y, k).astype(np.float32)),
        ],
        wrong=[
            ("sums favour big classes", lambda c, y, k: np.argmax(np.stack([c[y == j].sum(0) for j in range(k)]), 0)),
            ("all zero", lambda c, y, k: np.zeros(c.shape[1])),
            ("most active image", lambda c, y, k: c.argmax(0)),
            ("too short", lambda c, y, k: [0, 1]),
        ],
    ),
}
