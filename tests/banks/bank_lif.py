"""Banks of the LIF notebook's exercises: one LIF step, a current for 20 Hz, the exact beta, the CV of intervals."""

from __future__ import annotations

import math

import numpy as np
import torch
from bank_common import Bank

from snnlib import neurons as N

# ---- one LIF step ---------------------------------------------------------------------------


def _step_by_hand(cur, mem, beta, threshold, reset):
    r = (mem > threshold).float()
    if reset == "subtract":
        new = beta * mem + cur - r * threshold
    elif reset == "zero":
        new = beta * (1 - r) * mem + cur
    else:
        new = beta * mem + cur
    return (new > threshold).float(), new


def _step_where(cur, mem, beta, threshold, reset):
    spiked = mem > threshold
    if reset == "subtract":
        new = beta * mem + cur - torch.where(spiked, threshold, 0.0)
    elif reset == "zero":
        new = torch.where(spiked, torch.zeros_like(mem), beta * mem) + cur
    else:
        new = beta * mem + cur
    return new > threshold, new  # boolean spikes are a right form too


def _step_float64(cur, mem, beta, threshold, reset):
    spk, new = _step_by_hand(cur.double(), mem.double(), beta, threshold, reset)
    return spk, new


def _step_numpy(cur, mem, beta, threshold, reset):
    c, m = cur.numpy(), mem.numpy()
    r = (m > threshold).astype(np.float32)
    new = {"subtract": beta * m + c - r * threshold, "zero": beta * (1 - r) * m + c, "none": beta * m + c}[reset]
    return (new > threshold).astype(np.float32), new


def _step_library(cur, mem, beta, threshold, reset):
    spk, state = N.lif_step(cur, mem, N.LIFParams(beta, threshold, reset))
    return spk, state.mem


def _step_heaviside(cur, mem, beta, threshold, reset):
    r = torch.heaviside(mem - threshold, torch.zeros(()))
    new = beta * mem * (1 - r if reset == "zero" else 1) + cur - (r * threshold if reset == "subtract" else 0)
    return torch.heaviside(new - threshold, torch.zeros(())), new


def _wrong_step(kind):
    def fn(cur, mem, beta, threshold, reset):
        r = (mem > threshold).float()
        new = beta * mem + cur
        if kind == "reset from the new membrane":
            r = (new > threshold).float()
        if kind == "reset signal with >=":
            r = (mem >= threshold).float()
        if reset == "subtract":
            cut = beta * threshold if kind == "subtract beta * threshold" else threshold
            new = new - (0 if kind == "no reset" else r * cut)
        elif reset == "zero" and kind != "no reset":
            new = beta * (1 - r) * mem + cur
            if kind == "zero reset removes the input too":
                new = (beta * mem + cur) * (1 - r)
        if kind == "input decayed too":
            new = beta * (mem + cur) - (r * threshold if reset == "subtract" else 0)
        spk = (new >= threshold).float() if kind == "spike with >=" else (new > threshold).float()
        if kind == "returns the previous spike":
            spk = (mem > threshold).float()
        if kind == "returns (mem, spk)":
            return new, spk
        if kind == "returns only mem":
            return new
        if kind == "NaN membrane":
            return spk, new * float("nan")
        if kind == "wrong shape":
            return spk, new.sum(0)
        if kind == "None membrane":
            return spk, None
        return spk, new

    return fn


_STEP_SLIPS = [
    "reset from the new membrane",
    "reset signal with >=",
    "subtract beta * threshold",
    "no reset",
    "zero reset removes the input too",
    "input decayed too",
    "spike with >=",
    "returns the previous spike",
    "returns (mem, spk)",
    "returns only mem",
    "NaN membrane",
    "wrong shape",
    "None membrane",
]

# ---- a current for 20 Hz ----------------------------------------------------------------------

_P = N.PhysicalLIFParams()
_EXACT = N.current_for_rate(20.0, _P)


def _bisect(rate_fn):
    lo, hi = _P.rheobase, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if rate_fn(mid, _P) < 20.0 else (lo, mid)
    return lo


def _slip(t_ref=None, log10=False, stop_at_v=False, no_el=False):
    T = 1000.0 / 20.0 - (_P.t_ref if t_ref is None else t_ref)
    q = 10 ** (-T / _P.tau) if log10 else math.exp(-T / _P.tau)
    v_inf = (_P.V_th - q * _P.V_reset) / (1 - q)
    if stop_at_v:
        return v_inf - _P.E_L
    return v_inf / _P.R if no_el else (v_inf - _P.E_L) / _P.R


# ---- the CV of the intervals ----------------------------------------------------------------


def _cv_numpy(spk):
    out = []
    for j in range(spk.shape[1]):
        isi = np.diff(np.flatnonzero(spk[:, j].numpy()))
        out.append(isi.std() / isi.mean())
    return np.array(out)


def _cv_torch_std(spk):  # torch.std is the unbiased (ddof = 1) estimate: also right
    return torch.stack([torch.diff(torch.nonzero(spk[:, j]).flatten().float()).std() for j in range(spk.shape[1])]) / (
        torch.stack([torch.diff(torch.nonzero(spk[:, j]).flatten().float()).mean() for j in range(spk.shape[1])])
    )


def _isi(spk, j):
    return torch.diff(torch.nonzero(spk[:, j]).flatten().double())


BANKS = {
    "check_lif_step": Bank(
        kind="function",
        right=[
            ("by hand", _step_by_hand),
            ("torch.where, boolean spikes", _step_where),
            ("float64", _step_float64),
            ("NumPy", _step_numpy),
            ("the library's lif_step", _step_library),
            ("torch.heaviside", _step_heaviside),
        ],
        wrong=[(kind, _wrong_step(kind)) for kind in _STEP_SLIPS],
    ),
    "check_current_for_rate": Bank(
        kind="value",
        right=[
            ("closed-form inverse", _EXACT),
            ("bisection on the analytic curve", _bisect(N.analytic_rate)),
            ("bisection on the Euler simulation's rate", _bisect(N.euler_rate)),
            ("four decimals", round(_EXACT, 4)),
            ("three decimals", round(_EXACT, 3)),
            ("NumPy float64", np.float64(_EXACT)),
            ("NumPy float32", np.float32(_EXACT)),
            ("0-d tensor", torch.tensor(_EXACT)),
            ("one-element float32 tensor", torch.tensor([_EXACT], dtype=torch.float32)),
        ],
        wrong=[
            ("the stub's 2 nA", 2.0),
            ("two decimals", round(_EXACT, 2)),
            ("the rheobase", _P.rheobase),
            ("no refractory period", _slip(t_ref=0.0)),
            ("log10 for ln", _slip(log10=True)),
            ("stopped at R I", _slip(stop_at_v=True)),
            ("forgot E_L", _slip(no_el=True)),
            ("negative", -1.5),
            ("far too strong", 20.0),
            ("NaN", float("nan")),
            ("inf", float("inf")),
            ("None", None),
            ("a string", "1.5124"),
            ("a bool", True),
            ("two values", [_EXACT, _EXACT]),
            ("an array of shape (2,)", np.array([_EXACT, _EXACT])),
        ],
        call=lambda check, answer: check(answer, rate=20.0),
    ),
    "check_beta": Bank(
        kind="function",
        right=[
            ("math.exp", lambda dt, tau: math.exp(-dt / tau)),
            ("np.exp", lambda dt, tau: np.exp(-dt / tau)),
            ("float32 torch.exp (the issue's case)", lambda dt, tau: torch.exp(torch.tensor(-dt / tau))),
            ("float64 torch.exp", lambda dt, tau: torch.exp(torch.tensor(-dt / tau, dtype=torch.float64))),
            ("NumPy float32", lambda dt, tau: np.exp(np.float32(-dt / tau))),
            ("float16 tensor", lambda dt, tau: torch.exp(torch.tensor(-dt / tau, dtype=torch.float16))),
            ("one-element tensor", lambda dt, tau: torch.exp(torch.tensor([-dt / tau]))),
            ("e to a power", lambda dt, tau: math.e ** (-dt / tau)),
            ("one over exp", lambda dt, tau: 1 / math.exp(dt / tau)),
            ("the library", lambda dt, tau: N.beta_exact(dt, tau)),
        ],
        wrong=[
            ("forward Euler", lambda dt, tau: 1 - dt / tau),
            ("backward Euler", lambda dt, tau: 1 / (1 + dt / tau)),
            ("ratio upside down", lambda dt, tau: math.exp(-tau / dt)),
            ("wrong sign", lambda dt, tau: math.exp(dt / tau)),
            ("the lost fraction", lambda dt, tau: 1 - math.exp(-dt / tau)),
            ("product in the exponent", lambda dt, tau: math.exp(-dt * tau)),
            ("float32 Euler", lambda dt, tau: torch.tensor(1 - dt / tau)),
            ("inf", lambda dt, tau: math.inf),
            ("NaN tensor", lambda dt, tau: torch.tensor(float("nan"))),
            ("two values", lambda dt, tau: [math.exp(-dt / tau)] * 2),
            ("a tensor of shape (2,)", lambda dt, tau: torch.full((2,), math.exp(-dt / tau))),
            ("a bool", lambda dt, tau: True),
            ("a constant", lambda dt, tau: 0.9),
        ],
    ),
    "check_isi_cv": Bank(
        kind="function",
        right=[
            ("the library", lambda spk: N.isi_cv(spk)),
            ("the library, ddof = 1", lambda spk: N.isi_cv(spk, ddof=1)),
            ("NumPy (ddof = 0)", _cv_numpy),
            ("torch.std, float32 (ddof = 1)", _cv_torch_std),
            ("a list", lambda spk: N.isi_cv(spk).tolist()),
        ],
        wrong=[
            ("CV of the 0/1 train", lambda spk: spk.std(0) / spk.mean(0)),
            ("CV squared", lambda spk: N.isi_cv(spk) ** 2),
            ("mean / std", lambda spk: 1 / N.isi_cv(spk)),
            ("std without the mean", lambda spk: torch.stack([_isi(spk, j).std(correction=0) for j in range(spk.shape[1])])),
            ("time before the first spike counted", lambda spk: N.isi_cv(torch.cat([torch.ones(1, spk.shape[1]), spk]))),
            ("pooled over neurons", lambda spk: torch.cat([_isi(spk, j) for j in range(spk.shape[1])]).std() / 10),
            ("over the wrong axis", lambda spk: N.isi_cv(spk.T.contiguous())),
            ("mean interval", lambda spk: torch.stack([_isi(spk, j).mean() for j in range(spk.shape[1])])),
            ("NaN", lambda spk: torch.full((spk.shape[1],), float("nan"))),
            ("zeros", lambda spk: torch.zeros(spk.shape[1])),
        ],
    ),
}
