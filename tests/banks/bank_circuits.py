"""Banks of the neural-circuits exercises (notebook 03): convergence, the conductance step, the
winner-take-all prediction, the edge contrast."""

from __future__ import annotations

import math

import numpy as np
import torch
from bank_common import Bank

import snnlib as snl

# ---- convergent weights ---------------------------------------------------------------------


def _conv_loop(n_in, n_out, fan_in, weight):
    w = torch.zeros(n_in, n_out)
    s = max(n_in // n_out, 1)
    for j in range(n_out):
        for k in range(fan_in):
            w[(j * s + k) % n_in, j] = weight
    return w


def _conv_numpy(n_in, n_out, fan_in, weight):
    w = np.zeros((n_in, n_out))
    s = max(n_in // n_out, 1)
    rows = (np.arange(fan_in)[:, None] + s * np.arange(n_out)[None, :]) % n_in
    w[rows, np.arange(n_out)[None, :]] = weight
    return w


def _conv_lists(n_in, n_out, fan_in, weight):
    return _conv_loop(n_in, n_out, fan_in, weight).double().tolist()


def _conv_no_wrap(n_in, n_out, fan_in, weight):
    w = torch.zeros(n_in, n_out)
    s = max(n_in // n_out, 1)
    for j in range(n_out):
        for k in range(fan_in):
            if j * s + k < n_in:
                w[j * s + k, j] = weight
    return w


def _conv_stride_fan(n_in, n_out, fan_in, weight):
    w = torch.zeros(n_in, n_out)
    for j in range(n_out):
        for k in range(fan_in):
            w[(j * fan_in + k) % n_in, j] = weight
    return w


def _conv_int(n_in, n_out, fan_in, weight):
    return _conv_loop(n_in, n_out, fan_in, weight).to(torch.int64)


# ---- conductance step -------------------------------------------------------------------------


def _cond_exact(mem, g_exc, g_inh, beta, e_exc, e_inh):
    lam = -math.log(beta) + g_exc + g_inh
    u_inf = (g_exc * e_exc + g_inh * e_inh) / lam
    return u_inf + (mem - u_inf) * torch.exp(-lam)


def _cond_numpy(mem, g_exc, g_inh, beta, e_exc, e_inh):
    m, ge, gi = (np.asarray(x) for x in (mem, g_exc, g_inh))
    lam = -np.log(beta) + ge + gi
    return m * np.exp(-lam) + (ge * e_exc + gi * e_inh) * (1 - np.exp(-lam)) / lam


def _cond_float32(mem, g_exc, g_inh, beta, e_exc, e_inh):
    return _cond_exact(mem.float(), g_exc.float(), g_inh.float(), beta, e_exc, e_inh)


def _cond_euler(mem, g_exc, g_inh, beta, e_exc, e_inh):
    return mem + math.log(beta) * mem - g_exc * (mem - e_exc) - g_inh * (mem - e_inh)


def _cond_no_leak(mem, g_exc, g_inh, beta, e_exc, e_inh):
    lam = g_exc + g_inh
    u_inf = (g_exc * e_exc + g_inh * e_inh) / lam
    return u_inf + (mem - u_inf) * torch.exp(-lam)


def _cond_decay_beta(mem, g_exc, g_inh, beta, e_exc, e_inh):
    lam = -math.log(beta) + g_exc + g_inh
    u_inf = (g_exc * e_exc + g_inh * e_inh) / lam
    return u_inf + (mem - u_inf) * beta


def _cond_sign(mem, g_exc, g_inh, beta, e_exc, e_inh):
    return _cond_exact(mem, g_exc, g_inh, beta, e_exc, -e_inh)


def _cond_current(mem, g_exc, g_inh, beta, e_exc, e_inh):
    return beta * mem + g_exc * e_exc + g_inh * e_inh


# ---- winner-take-all --------------------------------------------------------------------------

DRIVE = [0.12, 0.09, 0.15, 0.11, 0.26, 0.14]  # the notebook's drive_ex


def _wta(check, answer):
    return check(answer, DRIVE)


# ---- edge contrast ----------------------------------------------------------------------------


def _contrast(rates, inside, outside):
    a, b = float(rates[inside]), float(rates[outside])
    return 0.0 if a + b == 0 else (a - b) / (a + b)


def _contrast_tensor(rates, inside, outside):
    total = rates[inside] + rates[outside]
    return torch.where(total > 0, (rates[inside] - rates[outside]) / total.clamp_min(1e-30), torch.zeros(()))


def _contrast_numpy(rates, inside, outside):
    r = np.asarray(rates, dtype=np.float64)
    return np.float64(0.0) if r[inside] + r[outside] == 0 else (r[inside] - r[outside]) / (r[inside] + r[outside])


def _contrast_nan(rates, inside, outside):
    a, b = float(rates[inside]), float(rates[outside])
    return (a - b) / (a + b) if a + b else math.nan


BANKS = {
    "check_convergent_weights": Bank(
        kind="function",
        right=[
            ("loops", _conv_loop),
            ("the library's function", snl.circuits.convergent_weights),
            ("NumPy, vectorised", _conv_numpy),
            ("float64", lambda *a: _conv_loop(*a).double()),
            ("nested lists", _conv_lists),
        ],
        wrong=[
            ("transposed", lambda *a: _conv_loop(*a).T),
            ("no wrap-around", _conv_no_wrap),
            ("stride fan_in", _conv_stride_fan),
            ("weight ignored (ones)", lambda *a: (_conv_loop(*a) > 0).float()),
            ("integer dtype", _conv_int),
            ("boolean matrix", lambda *a: _conv_loop(*a) > 0),
            ("all connected", lambda n_in, n_out, f, w: torch.full((n_in, n_out), w)),
            ("wrong shape", lambda n_in, n_out, f, w: torch.zeros(n_out, n_out)),
            ("NaN entries", lambda *a: _conv_loop(*a) * math.nan),
            ("inf entries", lambda *a: torch.where(_conv_loop(*a) > 0, math.inf, 0.0)),
        ],
    ),
    "check_conductance_step": Bank(
        kind="function",
        right=[
            ("exact, U_inf form", _cond_exact),
            ("the library's function", snl.synapses.conductance_step),
            ("NumPy, decay and drive form", _cond_numpy),
            ("float32", _cond_float32),
        ],
        wrong=[
            ("forward Euler", _cond_euler),
            ("leak left out of Lambda", _cond_no_leak),
            ("decay by beta only", _cond_decay_beta),
            ("wrong sign of e_inh", _cond_sign),
            ("current-based update", _cond_current),
            ("membrane unchanged", lambda mem, *a: mem),
            ("wrong shape (mean)", lambda *a: _cond_exact(*a).mean()),
            ("NaN", lambda *a: _cond_exact(*a) * math.nan),
            ("inf", lambda *a: _cond_exact(*a) / 0.0),
        ],
    ),
    "check_wta_prediction": Bank(
        kind="value",
        call=_wta,
        right=[
            ("int", 4),
            ("NumPy int64 (np.argmax)", np.argmax(DRIVE)),
            ("NumPy int32", np.int32(4)),
            ("0-d int64 tensor (argmax)", torch.tensor(DRIVE).argmax()),
            ("one-element tensor", torch.tensor([4])),
            ("integral float", 4.0),
        ],
        wrong=[
            ("the first neuron", 0),
            ("counted from 1", 5),
            ("second strongest", 2),
            ("weakest", 1),
            ("negative", -1),
            ("out of range", 6),
            ("not whole", 4.5),
            ("string", "4"),
            ("None", None),
            ("bool", True),
            ("NaN", math.nan),
            ("inf", math.inf),
            ("a list", [4]),
            ("two indices", torch.tensor([4, 2])),
        ],
    ),
    "check_edge_contrast": Bank(
        kind="function",
        right=[
            ("Python floats", _contrast),
            ("the library's function", snl.circuits.edge_contrast),
            ("0-d tensor", _contrast_tensor),
            ("NumPy float64", _contrast_numpy),
            ("float32 tensor", lambda r, i, o: _contrast_tensor(r.float(), i, o).float()),
        ],
        wrong=[
            ("not normalised", lambda r, i, o: float(r[i] - r[o])),
            ("inside and outside swapped", lambda r, i, o: _contrast(r, o, i)),
            ("divided by the max", lambda r, i, o: float(r[i] - r[o]) / max(float(r.max()), 1e-12)),
            ("ratio of rates", lambda r, i, o: float(r[i]) / max(float(r[o]), 1e-12)),
            ("absolute value", lambda r, i, o: abs(_contrast(r, i, o))),
            ("NaN when both silent", _contrast_nan),
            ("the whole rate vector", lambda r, i, o: r),
            ("inf", lambda r, i, o: math.inf),
        ],
    ),
}
