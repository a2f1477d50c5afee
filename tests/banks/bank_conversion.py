"""Bank of the conversion chapter's exercises (a layer's scale, data-based normalisation)."""

from __future__ import annotations

import numpy as np
import torch
from bank_common import Bank

from snnlib.exercises import conversion


def _scale_numpy(acts, pct):
    a = np.asarray(acts, dtype=np.float64)
    return np.percentile(a[a > 0], pct)


def _norm_loop(w, b, s):
    lam = [1.0, *list(s)]
    return [w[i] * lam[i] / lam[i + 1] for i in range(len(w))], [b[i] / lam[i + 1] for i in range(len(b))]


def _norm_numpy(w, b, s):
    lam = np.array([1.0, *list(s)])
    return (
        [np.asarray(wi) * lam[i] / lam[i + 1] for i, wi in enumerate(w)],
        [np.asarray(bi, dtype=np.float32) / lam[i + 1] for i, bi in enumerate(b)],
    )


def _norm_inplace(w, b, s):
    prev = 1.0
    for i, lam in enumerate(s):
        w[i].mul_(prev / lam)
        b[i].div_(lam)
        prev = lam
    return w, b


BANKS = {
    "check_layer_scale": Bank(
        kind="function",
        right=[
            ("reference", conversion.layer_scale_solution),
            ("NumPy", _scale_numpy),
            ("float32 tensor", lambda a, p: torch.quantile(a[a > 0].float(), p / 100.0)),
            ("nearest rank", lambda a, p: float(np.percentile(a.numpy()[a.numpy() > 0], p, method="nearest"))),
        ],
        wrong=[
            ("always the maximum", lambda a, p: float(a.max())),
            ("zeros included", lambda a, p: float(np.percentile(a.numpy(), p))),
            ("mean", lambda a, p: float(a.mean())),
            ("a tensor of 3", lambda a, p: torch.ones(3)),
            ("inf", lambda a, p: float("inf")),
            ("fraction, not percent", lambda a, p: float(torch.quantile(a[a > 0].double(), p / 1000.0))),
        ],
    ),
    "check_normalise_network": Bank(
        kind="function",
        right=[
            ("reference", conversion.normalise_network_solution),
            ("loop", _norm_loop),
            ("NumPy", _norm_numpy),
            ("in place", _norm_inplace),
            ("tuple", lambda w, b, s: tuple(_norm_loop(w, b, s))),
        ],
        wrong=[
            (
                "divided by lambda_l only",
                lambda w, b, s: ([wi / s[i] for i, wi in enumerate(w)], [bi / s[i] for i, bi in enumerate(b)]),
            ),
            ("biases untouched", lambda w, b, s: (_norm_loop(w, b, s)[0], b)),
            (
                "ratio upside down",
                lambda w, b, s: ([wi * ([1.0, *s])[i + 1] / ([1.0, *s])[i] for i, wi in enumerate(w)], _norm_loop(w, b, s)[1]),
            ),
            ("weights only", lambda w, b, s: _norm_loop(w, b, s)[0]),
            ("transposed", lambda w, b, s: ([wi.T for wi in _norm_loop(w, b, s)[0]], _norm_loop(w, b, s)[1])),
            ("two layers", lambda w, b, s: (_norm_loop(w, b, s)[0][:2], _norm_loop(w, b, s)[1])),
        ],
    ),
}
