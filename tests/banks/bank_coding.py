"""Banks of the spike-coding chapter's exercises: a Bernoulli rate encoder, the latency law, the
first spike time and the Fano factor."""

from __future__ import annotations

import math

import numpy as np
import torch
from bank_common import Bank

# ---------------------------------------------------------------------------------------------
# check_rate_encoder: fn(x, num_steps, generator) -> spikes [num_steps, *x.shape]
# ---------------------------------------------------------------------------------------------


def _enc_bernoulli(x, num_steps, generator=None):
    return torch.bernoulli(x.expand(num_steps, *x.shape).contiguous(), generator=generator)


def _enc_uniform(x, num_steps, generator=None):
    return (torch.rand(num_steps, *x.shape, generator=generator) < x).float()


def _enc_bool(x, num_steps, generator=None):
    return torch.rand((num_steps, *x.shape), generator=generator) < x


def _enc_library(x, num_steps, generator=None):
    import snnlib as snl

    return snl.encoding.rate(x, num_steps, generator=generator)


def _enc_float64(x, num_steps, generator=None):
    p = x.double().unsqueeze(0).repeat(num_steps, *([1] * x.dim()))
    return torch.bernoulli(p, generator=generator)


def _enc_numpy(x, num_steps, generator=None):
    u = torch.rand(num_steps, *x.shape, generator=generator).numpy()
    return (u < x.numpy()).astype(np.float32)


def _enc_loop(x, num_steps, generator=None):
    return torch.stack([torch.bernoulli(x, generator=generator) for _ in range(num_steps)])


def _enc_wrong_one_minus(x, num_steps, generator=None):
    return (torch.rand(num_steps, *x.shape, generator=generator) > x).float()


def _enc_wrong_regular(x, num_steps, generator=None):
    """Fires exactly x * t spikes by step t: the right mean, no variability."""
    t = torch.arange(1, num_steps + 1, dtype=x.dtype).view(-1, *([1] * x.dim()))
    return torch.floor(t * x) - torch.floor((t - 1) * x)


def _enc_wrong_regular_jittered_phase(x, num_steps, generator=None):
    """A regular train with a random phase per input: still no count variability."""
    phase = torch.rand(x.shape, generator=generator)
    t = torch.arange(1, num_steps + 1, dtype=x.dtype).view(-1, *([1] * x.dim()))
    return torch.floor(t * x + phase) - torch.floor((t - 1) * x + phase)


def _enc_wrong_one_draw(x, num_steps, generator=None):
    return torch.bernoulli(x, generator=generator).expand(num_steps, *x.shape).clone()


def _enc_wrong_shared_uniform(x, num_steps, generator=None):
    u = torch.rand(num_steps, *([1] * x.dim()), generator=generator)
    return (u < x).float()


def _enc_wrong_pairs(x, num_steps, generator=None):
    """One draw per pair of steps, repeated: spikes correlated in time."""
    half = (num_steps + 1) // 2
    s = torch.bernoulli(x.expand(half, *x.shape).contiguous(), generator=generator)
    return s.repeat_interleave(2, dim=0)[:num_steps]


def _enc_wrong_no_generator(x, num_steps, generator=None):
    return torch.bernoulli(x.expand(num_steps, *x.shape).contiguous())


def _enc_wrong_time_last(x, num_steps, generator=None):
    return torch.bernoulli(x.unsqueeze(-1).expand(*x.shape, num_steps).contiguous(), generator=generator)


def _enc_wrong_intensities(x, num_steps, generator=None):
    return x.expand(num_steps, *x.shape).clone()


def _enc_wrong_gain(x, num_steps, generator=None):
    return torch.bernoulli(0.9 * x.expand(num_steps, *x.shape), generator=generator)


def _enc_wrong_one_step(x, num_steps, generator=None):
    return torch.bernoulli(x, generator=generator)


def _enc_wrong_counts(x, num_steps, generator=None):
    """Binomial counts per step instead of 0/1 spikes."""
    return torch.bernoulli(x.expand(num_steps, *x.shape).contiguous(), generator=generator) * 2


def _enc_wrong_fixed_seed(x, num_steps, generator=None):
    g = torch.Generator().manual_seed(0)
    return torch.bernoulli(x.expand(num_steps, *x.shape).contiguous(), generator=g)


# ---------------------------------------------------------------------------------------------
# check_latency_time: fn(x, tau, threshold) -> t
# ---------------------------------------------------------------------------------------------


def _lat_list(x, tau, th):
    return [tau * math.log(v / (v - th)) for v in x.tolist()]


def _lat_numpy(x, tau, th):
    xn = x.numpy()
    return tau * np.log(xn / (xn - th))


def _lat_float32(x, tau, th):
    x32 = x.float()
    return tau * torch.log(x32 / (x32 - th))


def _lat_library(x, tau, th):
    import snnlib as snl

    return snl.encoding.latency_time(x, tau=tau, threshold=th)


# ---------------------------------------------------------------------------------------------
# check_first_spike_time: fn(spikes [T, N]) -> t_first [N]
# ---------------------------------------------------------------------------------------------


def _fst_where(spikes):
    T = spikes.shape[0]
    t = torch.arange(T, dtype=torch.float32).unsqueeze(1).expand_as(spikes)
    return torch.where(spikes > 0, t, torch.full_like(t, math.inf)).min(0).values


def _fst_argmax(spikes):
    first = spikes.argmax(0).double()
    return torch.where(spikes.sum(0) > 0, first, torch.full_like(first, math.inf))


def _fst_loop(spikes):
    out = []
    for j in range(spikes.shape[1]):
        hits = [t for t in range(spikes.shape[0]) if spikes[t, j] == 1]
        out.append(float(hits[0]) if hits else float("inf"))
    return out


def _fst_numpy(spikes):
    s = spikes.numpy()
    first = np.argmax(s > 0, axis=0).astype(np.float64)
    return np.where(s.any(axis=0), first, np.inf)


def _fst_cumsum(spikes):
    """Steps before the first spike: the number of steps whose cumulative count is still 0."""
    before = (spikes.cumsum(0) == 0).sum(0).float()
    return torch.where(before < spikes.shape[0], before, torch.full_like(before, math.inf))


def _fst_library(spikes):
    import snnlib as snl

    return snl.encoding.first_spike_time(spikes)


def _fst_wrong_min_tuple(spikes):
    T = spikes.shape[0]
    t = torch.arange(T, dtype=torch.float32).unsqueeze(1).expand_as(spikes)
    return torch.where(spikes > 0, t, torch.full_like(t, math.inf)).min(0)


def _fst_wrong_last(spikes):
    T = spikes.shape[0]
    last = (T - 1 - torch.flip(spikes, [0]).argmax(0)).float()
    return torch.where(spikes.sum(0) > 0, last, torch.full_like(last, math.inf))


def _fst_wrong_plus_one(spikes):
    return _fst_where(spikes) + 1


def _fst_wrong_silent_T(spikes):
    t = _fst_where(spikes)
    return torch.where(torch.isinf(t), torch.full_like(t, spikes.shape[0]), t)


def _fst_wrong_silent_minus_one(spikes):
    t = _fst_where(spikes)
    return torch.where(torch.isinf(t), torch.full_like(t, -1.0), t)


def _fst_wrong_silent_nan(spikes):
    t = _fst_where(spikes)
    return torch.where(torch.isinf(t), torch.full_like(t, math.nan), t)


def _fst_wrong_time_axis(spikes):
    T = spikes.shape[1]
    t = torch.arange(T, dtype=torch.float32).unsqueeze(0).expand_as(spikes)
    return torch.where(spikes > 0, t, torch.full_like(t, math.inf)).min(1).values


def _fst_wrong_count(spikes):
    return spikes.sum(0)


# ---------------------------------------------------------------------------------------------
# check_fano_factor: fn(counts [R, N]) -> F [N]
# ---------------------------------------------------------------------------------------------


def _fano_numpy(counts):
    c = counts.numpy()
    return c.var(axis=0) / c.mean(axis=0)  # NumPy's default: the plain (R) variance


def _fano_by_hand(counts):
    R = counts.shape[0]
    mean = counts.sum(0) / R
    return ((counts - mean) ** 2).sum(0) / (R - 1) / mean


def _fano_library(counts):
    import snnlib as snl

    return snl.spikes.fano_factor(counts)


def _fano_float64(counts):
    c = counts.double()
    return torch.var(c, dim=0, unbiased=True) / c.mean(0)


BANKS = {
    "check_rate_encoder": Bank(
        kind="function",
        right=[
            ("torch.bernoulli on the expanded x", _enc_bernoulli),
            ("uniform noise below x", _enc_uniform),
            ("bool spikes", _enc_bool),
            ("snl.encoding.rate", _enc_library),
            ("float64 probabilities", _enc_float64),
            ("NumPy float32 spikes", _enc_numpy),
            ("one Bernoulli draw per step, stacked", _enc_loop),
        ],
        wrong=[
            ("probability 1 - x", _enc_wrong_one_minus),
            ("regular train with the right rate", _enc_wrong_regular),
            ("regular train with random phases", _enc_wrong_regular_jittered_phase),
            ("one draw repeated over time", _enc_wrong_one_draw),
            ("one uniform per step shared by all inputs", _enc_wrong_shared_uniform),
            ("one draw per pair of steps", _enc_wrong_pairs),
            ("ignores the generator", _enc_wrong_no_generator),
            ("a fixed seed of its own", _enc_wrong_fixed_seed),
            ("time last", _enc_wrong_time_last),
            ("intensities, not spikes", _enc_wrong_intensities),
            ("gain 0.9", _enc_wrong_gain),
            ("one step only", _enc_wrong_one_step),
            ("2s instead of 1s", _enc_wrong_counts),
            ("NaN spikes", lambda x, n, g=None: torch.full((n, *x.shape), math.nan)),
            ("inf spikes", lambda x, n, g=None: torch.full((n, *x.shape), math.inf)),
        ],
    ),
    "check_latency_time": Bank(
        kind="function",
        right=[
            ("tau ln(x / (x - th))", lambda x, tau, th: tau * torch.log(x / (x - th))),
            ("-tau ln(1 - th / x)", lambda x, tau, th: -tau * torch.log(1 - th / x)),
            ("tau log1p(th / (x - th))", lambda x, tau, th: tau * torch.log1p(th / (x - th))),
            ("-tau log1p(-th / x)", lambda x, tau, th: -tau * torch.log1p(-th / x)),
            ("a list of floats (math.log)", _lat_list),
            ("NumPy", _lat_numpy),
            ("float32", _lat_float32),
            ("snl.encoding.latency_time", _lat_library),
        ],
        wrong=[
            ("linear law", lambda x, tau, th: tau * (1 - x)),
            ("logarithm upside down", lambda x, tau, th: tau * torch.log((x - th) / x)),
            ("no tau", lambda x, tau, th: torch.log(x / (x - th))),
            ("log10", lambda x, tau, th: tau * torch.log10(x / (x - th))),
            ("ln(x / th)", lambda x, tau, th: tau * torch.log(x / th)),
            ("tau / ln", lambda x, tau, th: tau / torch.log(x / (x - th))),
            ("exp instead of log", lambda x, tau, th: tau * torch.exp(-x / th)),
            ("rounded to steps", lambda x, tau, th: torch.round(tau * torch.log(x / (x - th)))),
            ("a scalar", lambda x, tau, th: tau * math.log(2.0)),
            ("inf", lambda x, tau, th: torch.full_like(x, math.inf)),
            ("wrong shape", lambda x, tau, th: (tau * torch.log(x / (x - th))).unsqueeze(0)),
        ],
    ),
    "check_first_spike_time": Bank(
        kind="function",
        right=[
            ("where + min(0).values", _fst_where),
            ("argmax, inf for silent", _fst_argmax),
            ("Python loop, a list", _fst_loop),
            ("NumPy", _fst_numpy),
            ("cumsum: steps before the first spike", _fst_cumsum),
            ("snl.encoding.first_spike_time", _fst_library),
        ],
        wrong=[
            ("the (values, indices) pair of min(0)", _fst_wrong_min_tuple),
            ("argmax only (0 for silent)", lambda s: s.argmax(0).float()),
            ("last spike time", _fst_wrong_last),
            ("one step late", _fst_wrong_plus_one),
            ("T for silent", _fst_wrong_silent_T),
            ("-1 for silent", _fst_wrong_silent_minus_one),
            ("NaN for silent", _fst_wrong_silent_nan),
            ("minimum over the neuron axis", _fst_wrong_time_axis),
            ("spike counts", _fst_wrong_count),
            ("inf everywhere", lambda s: torch.full((s.shape[1],), math.inf)),
            ("a tuple", lambda s: tuple(_fst_where(s).tolist())),
        ],
    ),
    "check_fano_factor": Bank(
        kind="function",
        right=[
            ("var(0) / mean(0)", lambda c: c.var(0) / c.mean(0)),
            ("NumPy (plain variance)", _fano_numpy),
            ("by hand, R - 1", _fano_by_hand),
            ("snl.spikes.fano_factor", _fano_library),
            ("float64", _fano_float64),
            ("plain variance in torch", lambda c: c.var(0, correction=0) / c.mean(0)),
        ],
        wrong=[
            ("std / mean (the CV)", lambda c: c.std(0) / c.mean(0)),
            ("var / mean squared", lambda c: c.var(0) / c.mean(0) ** 2),
            ("mean / var", lambda c: c.mean(0) / c.var(0)),
            ("variance only", lambda c: c.var(0)),
            ("over the neurons", lambda c: c.var(1) / c.mean(1)),
            ("one number for all neurons", lambda c: c.var() / c.mean()),
            ("1 - mean", lambda c: 1 - c.mean(0) / 40),
            ("NaN", lambda c: torch.full((c.shape[1],), math.nan)),
        ],
    ),
}
