"""Spike coding (snnlib.encoding, snnlib.coding_study): statistics, exact formulas, round trips,
seeding, the scheme registry, errors."""

from __future__ import annotations

import math
import sys
import textwrap

import numpy as np
import pytest
import torch

import snnlib as snl

E = snl.encoding


@pytest.fixture(scope="module")
def digit():
    images, _ = snl.data.load_mnist("test", source="bundled")
    return images[0].float() / 255


# ---------------------------------------------------------------------------------------------
# rate coding
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_rate_count_mean_within_binomial_bound(gain):
    x = torch.linspace(0, 1, 11)
    T = 3000
    spikes = E.rate(x, T, gain=gain, seed=0)
    assert spikes.shape == (T, 11)
    assert set(spikes.unique().tolist()) <= {0.0, 1.0}
    p = gain * x
    # N ~ Binomial(T, p): |N/T - p| <= 5 sqrt(p(1-p)/T) fails with probability < 1e-6 per value
    assert ((spikes.mean(0) - p).abs() <= 5 * torch.sqrt(p * (1 - p) / T) + 1e-12).all()
    assert torch.allclose(E.rate_decode(spikes, gain=gain), spikes.mean(0) / gain)


def test_rate_error_shrinks_like_one_over_sqrt_T():
    x = torch.full((4000,), 0.3)
    errs = [(E.rate_decode(E.rate(x, T, seed=1)) - x).std().item() for T in (16, 64, 256)]
    for T, err in zip((16, 64, 256), errs):
        assert err == pytest.approx(math.sqrt(0.3 * 0.7 / T), rel=0.1)


def test_rate_readings():
    s = torch.zeros(10, 4, 3)
    s[::2, :, 0] = 1  # neuron 0 fires every other step in every run
    s[0, :2, 1] = 1  # neuron 1 fires at t = 0 in half of the runs
    assert torch.allclose(snl.spikes.firing_rate(s[:, 0], dt=0.5), torch.tensor([1.0, 0.2, 0.0]))
    rho = E.density_rate(s, dt=1.0)
    assert rho.shape == (10, 3) and rho[0, 1] == 0.5 and rho[1, 0] == 0
    assert torch.allclose(E.density_rate(s, window=2)[1:, 0], torch.full((9,), 0.5))
    pop = snl.spikes.population_rate(s.permute(0, 2, 1), dim=1)  # [T, N=3, R=4]
    assert pop.shape == (10, 4) and torch.allclose(pop[0], torch.tensor([2 / 3, 2 / 3, 1 / 3, 1 / 3]))


def test_rate_matches_snntorch_statistics():
    spikegen = pytest.importorskip("snntorch.spikegen")
    x = torch.tensor([0.2, 0.7])
    ours = E.rate(x, 4000, seed=0).mean(0)
    torch.manual_seed(0)
    theirs = spikegen.rate(x, num_steps=4000).mean(0)
    assert torch.allclose(ours, theirs, atol=0.04)


# ---------------------------------------------------------------------------------------------
# latency
# ---------------------------------------------------------------------------------------------


def test_latency_formula_exact_and_monotone():
    x = torch.linspace(0.02, 1.0, 50, dtype=torch.float64)
    t = E.latency_time(x, tau=5.0, threshold=0.01)
    assert torch.allclose(t, 5.0 * torch.log(x / (x - 0.01)))
    assert (t[1:] < t[:-1]).all()  # brighter fires earlier
    lin = E.latency_time(x, tau=5.0, threshold=0.01, linear=True)
    assert torch.allclose(lin, 5.0 * (1 - x))
    spikes = E.latency(x, 40, tau=5.0, threshold=0.01)
    first = E.first_spike_time(spikes)
    fired = torch.isfinite(first)
    assert torch.equal(first[fired], torch.round(t[fired]).to(first.dtype))
    assert (spikes.sum(0) <= 1).all()
    assert (first[fired][1:] <= first[fired][:-1]).all()
    short = E.first_spike_time(E.latency(x, 3, tau=5.0, threshold=0.01))
    assert not torch.isfinite(short[0]) and short[-1] == 0  # t(0.02) = 3.47 lies beyond a 3-step window


def test_latency_rc_circuit_crosses_at_formula():
    x = torch.tensor([0.3, 0.6, 1.0], dtype=torch.float64)
    V = E.rc_membrane(x, 10000, tau=5.0, dt=0.001)  # 10 time units; t(0.3) = 8.96
    t_cross = E.first_spike_time(V, threshold=0.25) * 0.001
    assert torch.allclose(t_cross, E.latency_time(x, tau=5.0, threshold=0.25), atol=0.0011)


LATENCY_VARIANTS = [
    dict(),
    dict(normalize=True),
    dict(linear=True),
    dict(linear=True, normalize=True),
    dict(normalize=True, drop_background=True),
    dict(linear=True, normalize=True, drop_background=True),
]


@pytest.mark.parametrize("kw", LATENCY_VARIANTS)
def test_latency_matches_snntorch(kw, digit):
    spikegen = pytest.importorskip("snntorch.spikegen")
    snn_kw = dict(kw)
    clip = snn_kw.pop("drop_background", False)
    tau = 5.0 if kw.get("normalize") or kw.get("linear") else 0.8
    ours = E.latency(digit, 25, tau=tau, threshold=0.01, **kw)
    theirs = spikegen.latency(digit, num_steps=25, tau=tau, threshold=0.01, clip=clip, **snn_kw)
    assert torch.equal(ours, theirs)


def test_latency_background_dropped_and_linear_spreads(digit):
    log = E.latency(digit, 25, normalize=True)
    assert (log.sum(0) == 1).all()  # background crowds onto the last step
    assert log[-1].sum() == (digit < 0.01).sum()
    lin = E.latency(digit, 25, linear=True, normalize=True, drop_background=True)
    assert lin[:, digit < 0.01].sum() == 0
    assert (lin.sum((1, 2)) > 0).sum() > (log.sum((1, 2)) > 0).sum()  # linear uses more distinct steps


# ---------------------------------------------------------------------------------------------
# round trips (stated errors)
# ---------------------------------------------------------------------------------------------

ROUND_TRIPS = [
    # scheme, num_steps, params, bound on the MAE over a uniform grid of 201 intensities
    ("rate", 2000, dict(seed=0), 0.02),
    ("latency", 100, dict(linear=True, normalize=True), 0.5 / 99 + 1e-6),
    ("latency", 200, dict(tau=5.0, threshold=0.2), 0.075),  # log code: coarse for bright inputs (t(1) = 1.1 steps)
    ("phase", 24, dict(period=12, threshold=-1.0), 0.5 / 11 + 1e-6),
    ("burst", 25, dict(), 0.06),
    ("population", 400, dict(seed=0, method="ml"), 0.02),
    ("population", 400, dict(seed=0), 0.05),
    ("delta", 50, dict(threshold=0.05), 0.05),
]


@pytest.mark.parametrize("scheme,T,kw,bound", ROUND_TRIPS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROUND_TRIPS)])
def test_round_trip_within_stated_error(scheme, T, kw, bound):
    x = torch.linspace(0, 1, 201)
    assert E.round_trip_error(scheme, x, T, **kw) <= bound


def test_rank_order_recovers_order():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 40, generator=g)
    spikes = E.rank_order(x, 40)
    assert spikes.shape == (40, 3, 40) and (spikes.sum(0) == 1).all()
    ranks = E.rank_order_ranks(spikes)
    expected = torch.argsort(torch.argsort(x, dim=-1, descending=True), dim=-1)
    assert torch.equal(ranks, expected)
    # with the value distribution known, decoding is exact
    assert torch.allclose(E.rank_order_decode(spikes[:, 0], values=x[0]), x[0])
    # fewer steps than inputs: order kept between steps
    coarse = E.rank_order_ranks(E.rank_order(x, 8))
    assert (torch.sign(coarse[:, :, None] - coarse[:, None, :]) * torch.sign(x[:, None, :] - x[:, :, None]) >= 0).all()


def test_rank_order_silent_below_threshold():
    x = torch.tensor([0.0, 0.5, 0.2, 0.0, 0.9])
    s = E.rank_order(x, 5)
    assert torch.equal(E.rank_order_ranks(s), torch.tensor([-1, 1, 2, -1, 0]))
    assert torch.allclose(E.rank_order_decode(s), torch.tensor([0.0, 2 / 3, 1 / 3, 0.0, 1.0]))


# ---------------------------------------------------------------------------------------------
# phase and burst: counts and timings from their formulas
# ---------------------------------------------------------------------------------------------


def test_phase_spikes_at_formula_phase():
    x = torch.tensor([1.0, 0.75, 0.5, 0.25, 0.05])
    P, T = 8, 30
    s = E.phase(x, T, period=P)
    k = torch.round((1 - x) * (P - 1)).long()
    for i in range(len(x)):
        times = s[:, i].nonzero().flatten()
        assert (times % P == k[i]).all()
        assert len(times) == (T - 1 - k[i].item()) // P + 1
    assert torch.allclose(E.phase_decode(s, period=P), 1 - k / (P - 1))
    assert E.oscillation(T, P)[P].item() == pytest.approx(1.0)


def test_burst_counts_and_intervals():
    x = torch.tensor([0.0, 0.1, 0.3, 0.5, 0.9, 1.0])
    n_max, t_min, t_max = 5, 2, 6
    s = E.burst(x, 20, n_max, t_min, t_max)
    n_expected = torch.ceil(n_max * x - 1e-6)
    assert torch.equal(s.sum(0), n_expected)
    for i in range(len(x)):
        times = s[:, i].nonzero().flatten()
        if len(times) >= 2:
            isi = math.ceil(-(t_max - t_min) * x[i].item() + t_max - 1e-6)
            assert (times.diff() == isi).all() and times[0] == 0
    assert E.burst_span() == 13
    with pytest.raises(ValueError, match="num_steps >= 13"):
        E.burst(x, 12)


def test_delta_polarity_and_snntorch():
    sig = torch.tensor([0.0, 0.3, 0.3, 0.1, 0.1, 0.5])[:, None]
    s = E.delta(sig, threshold=0.15, mode="difference")
    assert s.flatten().tolist() == [0, 1, 0, -1, 0, 1]
    spikegen = pytest.importorskip("snntorch.spikegen")
    assert torch.equal(s, spikegen.delta(sig, threshold=0.15, off_spike=True))
    ramp = torch.linspace(0, 1, 50)[:, None]
    tr = E.delta(ramp, threshold=0.1)
    assert tr.sum() >= 9 and (tr >= 0).all()  # slow drift: caught by tracking, not by differences
    assert E.delta(ramp, threshold=0.1, mode="difference").sum() == 0
    assert (E.delta_decode(tr, 0.1) - ramp).abs().max() <= 0.1 + 1e-6


# ---------------------------------------------------------------------------------------------
# dispatcher, seeding, noise, decision time
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", E.SCHEMES)
def test_dispatcher_shapes(scheme, digit):
    x = digit.flatten() if scheme == "rank_order" else digit
    params = dict(E.DEFAULT_PARAMS[scheme], **({"seed": 0} if scheme in ("rate", "population") else {}))
    s = E.encode(scheme, x, 25, **params)
    extra = (10,) if scheme == "population" else ()
    assert s.shape == (25, *x.shape, *extra)
    assert E.decode(scheme, s, **params).shape == x.shape  # decode accepts (and ignores) encoder-only params
    assert 1 <= E.time_to_decision(scheme, x, s, **params) <= 25


def test_seeding_reproduces_spikes():
    x = torch.rand(5, 6, generator=torch.Generator().manual_seed(0))
    for fn in (E.rate, E.population):
        assert torch.equal(fn(x, 20, seed=3), fn(x, 20, seed=3))
        assert not torch.equal(fn(x, 20, seed=3), fn(x, 20, seed=4))
        assert torch.equal(
            fn(x, 20, generator=torch.Generator().manual_seed(5)), fn(x, 20, generator=torch.Generator().manual_seed(5))
        )
    s = E.rate(x, 20, seed=0)
    assert torch.equal(E.perturb(s, 0.2, 0.1, 1, seed=2), E.perturb(s, 0.2, 0.1, 1, seed=2))


def test_perturb():
    s = torch.zeros(100, 50)
    s[::10] = 1
    assert torch.equal(E.perturb(s), s)
    kept = E.perturb(s, p_delete=0.5, seed=0).sum() / s.sum()
    assert 0.4 < kept < 0.6
    jit = E.perturb(s, jitter=2, seed=0)
    assert jit.sum() == s.sum() and not torch.equal(jit, s)  # reflected at the ends: none lost
    signed = E.perturb(-s, p_insert=0.2, seed=0)
    assert (signed > 0).any() and (signed < 0).any()


BAD = [
    (lambda: E.rate(torch.tensor([0.5, 1.2]), 10), ValueError, r"\[0, 1\]"),
    (lambda: E.rate(torch.tensor([-0.1]), 10), ValueError, r"\[0, 1\]"),
    (lambda: E.rate(torch.tensor([0.8]), 10, gain=2.0), ValueError, "gain"),
    (lambda: E.rate([0.5], 10), TypeError, "torch.Tensor"),
    (lambda: E.rate(torch.tensor([1, 0]), 10), TypeError, "floating"),
    (lambda: E.rate(torch.tensor([0.5]), 0), ValueError, "num_steps must be an integer >= 1"),
    (lambda: E.rate(torch.tensor([0.5]), 2.5), TypeError, "num_steps"),
    (lambda: E.rate(torch.tensor([0.5]), 5, seed=1, generator=torch.Generator()), ValueError, "not both"),
    (lambda: E.latency(torch.tensor([1.5]), 10), ValueError, r"\[0, 1\]"),
    (lambda: E.latency(torch.tensor([0.5]), 10, threshold=0.0), ValueError, "threshold > 0"),
    (lambda: E.latency_time(torch.tensor([0.5]), normalize=True), ValueError, "num_steps"),
    (lambda: E.phase(torch.tensor([2.0]), 10), ValueError, r"\[0, 1\]"),
    (lambda: E.phase(torch.tensor([0.5]), 10, period=1), ValueError, "period"),
    (lambda: E.population(torch.tensor([0.5]), 10, num_neurons=2), ValueError, "num_neurons"),
    (lambda: E.population_decode(torch.zeros(5)), ValueError, r"\[T, \*shape, M\]"),
    (lambda: E.delta(torch.tensor(0.5)), ValueError, r"\[T, \.\.\.\]"),
    (lambda: E.density_rate(torch.zeros(5)), ValueError, r"\[T, R, \*shape\]"),
    (lambda: E.encode("morse", torch.tensor([0.5]), 10), ValueError, "unknown scheme"),
    (lambda: E.encode("rate", torch.tensor([0.5]), 10, tau=3), TypeError, "unknown parameter"),
    (lambda: E.encode("delta", torch.zeros(5, 2), 10, time_series=True), ValueError, r"\[T, \.\.\.\] with T = num_steps"),
    (lambda: E.decode("rate", "spikes"), TypeError, r"\[T, \*x.shape\]"),
    (lambda: E.perturb(torch.zeros(4, 2), p_delete=1.5), ValueError, "probability"),
    # one rule for every argument (snnlib._checks)
    (lambda: E.rate(torch.tensor([0.5]), np.int64(0)), ValueError, "num_steps must be an integer >= 1"),
    (lambda: E.encode("rate", torch.tensor([0.5]), 2.0), TypeError, "num_steps must be an integer"),
    (lambda: E.rate(torch.tensor([float("nan")]), 10), ValueError, "NaN"),
    (lambda: E.rate(torch.tensor([0.5]), 10, gain=float("nan")), ValueError, "gain"),
    (lambda: E.latency(torch.tensor([0.5]), 10, tau=float("inf")), ValueError, "tau must be finite"),
    (lambda: E.latency(torch.tensor([0.5]), 10, drop_background=1), TypeError, "True or False"),
    (lambda: E.rate_decode(torch.full((3, 2), 2.0)), ValueError, r"0 or 1\) of shape \[T, \*shape\]"),
    (lambda: E.latency_decode(-torch.ones(3, 2)), ValueError, "0 or 1"),
    (lambda: E.decode("phase", torch.full((3, 2), 0.5)), ValueError, "0 or 1"),
    (lambda: E.delta_decode(torch.full((3, 2), 2.0)), ValueError, "-1, 0 or 1"),
    (lambda: E.decode("delta", torch.zeros(3, 2), time_series=True), ValueError, "delta_decode"),
    (lambda: E.rank_order_decode(torch.zeros(3, 2), values=torch.ones(2), modulation=0.5), ValueError, "not both"),
    (lambda: E.encode(3, torch.tensor([0.5]), 10), TypeError, "scheme must be"),
    (lambda: E.decode_prefix("rate", torch.zeros(4, 2), 5), ValueError, "t must be an integer >= 1 and <= 4"),
    (lambda: E.time_to_decision("rate", torch.zeros(2), torch.zeros(4, 2), fraction=0.0), ValueError, "fraction"),
    (lambda: E.perturb(torch.zeros(4, 2), jitter=1.5), TypeError, "jitter"),
    (lambda: E.round_trip_error("rate", torch.zeros(2), 4, metric="max"), ValueError, "metric"),
    (lambda: snl.coding_study.compare_schemes(torch.zeros(2, 4)), ValueError, r"\[N, H, W\]"),
    (lambda: snl.coding_study.compare_schemes(torch.zeros(1, 2, 2), schemes="rate"), TypeError, "sequence"),
]


@pytest.mark.parametrize("call,exc,msg", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_raises_clearly(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_integer_arguments_accept_numpy_and_0d_tensors():
    x = torch.tensor([0.2, 0.9])
    for n in (np.int64(6), torch.tensor(6)):
        assert torch.equal(E.rate(x, n, seed=np.int64(1)), E.rate(x, 6, seed=1))
        assert E.encode("phase", x, n).shape == (6, 2)
    assert E.decode_prefix("rate", E.rate(x, 6, seed=0), np.int64(3)).shape == (2,)


def test_perturb_keeps_one_spike_per_bin():
    s = E.rate(torch.full((400,), 0.8), 25, seed=0)  # dense trains: moved spikes collide
    moved = E.perturb(s, jitter=2, seed=1)
    assert set(moved.unique().tolist()) <= {0.0, 1.0}  # a spike train again, decodable
    assert torch.equal(moved.sum(0), s.sum(0))  # no spike lost to jitter
    assert not torch.equal(moved, s)
    signed = E.delta(torch.rand(30, 50, generator=torch.Generator().manual_seed(0)), threshold=0.1)
    moved = E.perturb(signed, jitter=3, seed=2)
    assert torch.equal(moved.abs().sum(0), signed.abs().sum(0)) and torch.equal(moved.sum(0), signed.sum(0))
    assert E.decode("rate", moved.abs()).shape == (50,)


# ---------------------------------------------------------------------------------------------
# the registry: one module per scheme
# ---------------------------------------------------------------------------------------------


def test_registry_holds_every_scheme_module():
    import pkgutil

    import snnlib.encoding.schemes as pkg

    modules = [m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")]
    assert sorted(E.SCHEMES) == sorted(modules)  # one module, one scheme (named alike)
    assert E.SCHEMES == ("rate", "latency", "rank_order", "phase", "burst", "population", "delta")
    for name in E.SCHEMES:
        scheme = E.get_scheme(name)
        assert set(E.DEFAULT_PARAMS[name]) <= scheme.encode_params | scheme.decode_params
        assert scheme.random == (name in ("rate", "population"))
    assert E.get_scheme("latency").encode_params == {"tau", "threshold", "linear", "normalize", "drop_background", "epsilon"}
    with pytest.raises(ValueError, match="already registered"):
        E.register(E.get_scheme("rate"))
    E.DEFAULT_PARAMS["latency"]["tau"] = 1.0  # a fresh dict each time: the registry is unchanged
    assert "tau" not in E.DEFAULT_PARAMS["latency"]


SQUARE_MODULE = '''
"""A test-only scheme, defined and registered in one module: a pixel above `level` fires at every step."""
import torch

from snnlib.encoding.registry import Scheme, register

__all__ = ["square", "square_decode"]


def square(x, num_steps, level=0.5):
    return (x > level).to(x.dtype).expand(num_steps, *x.shape).clone()


def square_decode(spikes, value=1.0):
    return value * spikes.to(torch.float32).mean(0)


register(Scheme("square", encode=square, decode=square_decode, rate_like=True, default_params={"level": 0.3}))
'''


def test_a_new_scheme_is_one_new_module(tmp_path, monkeypatch, digit):
    pkg = tmp_path / "extra_schemes"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "square.py").write_text(textwrap.dedent(SQUARE_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        (module,) = E.discover("extra_schemes")  # what snnlib.encoding does with its schemes/ folder
        assert module.__all__ == ["square", "square_decode"]
        assert E.SCHEMES[-1] == "square" and len(E.SCHEMES) == 8 and "square" in E.SCHEMES
        assert E.DEFAULT_PARAMS["square"] == {"level": 0.3}
        s = E.encode("square", digit, 5, level=0.3, value=2.0)  # one dict drives both sides
        assert s.shape == (5, 28, 28)
        assert torch.equal(E.decode("square", s, level=0.3, value=2.0), 2.0 * (digit > 0.3).float())
        assert E.round_trip_error("square", digit, 5, level=0.0) == pytest.approx((1.0 * (digit > 0) - digit).abs().mean().item())
        assert E.time_to_decision("square", digit, s) == 1
        with pytest.raises(TypeError, match="unknown parameter"):
            E.encode("square", digit, 5, tau=2.0)
        rows = snl.coding_study.compare_schemes(digit[None], num_steps=13, schemes=["burst", "square"])
        assert [r["scheme"] for r in rows] == ["burst", "square"] and rows[1]["decision"] == 1
    finally:
        E.unregister("square")
        for name in ("extra_schemes.square", "extra_schemes"):
            sys.modules.pop(name, None)
    assert "square" not in E.SCHEMES and len(E.SCHEMES) == 7
    with pytest.raises(ValueError, match="unknown scheme 'square'"):
        E.decode("square", s)


def test_compare_schemes_rows(digit):
    rows = snl.coding_study.compare_schemes(digit[None], num_steps=25, seed=0)
    assert [r["scheme"] for r in rows] == list(E.SCHEMES)
    by = {r["scheme"]: r for r in rows}
    assert by["rate"]["mae_jitter"] == pytest.approx(by["rate"]["mae"])  # jitter keeps every count
    assert by["latency"]["spikes"] < by["rate"]["spikes"] < by["population"]["spikes"]
    assert snl.coding_study.compare_schemes(digit[None], schemes=["rate"], seed=0) == rows[:1]
    x, kw = snl.coding_study.prepare("rank_order", digit, seed=3)
    assert x.shape == (784,) and kw == {}
    assert snl.coding_study.prepare("rate", digit, seed=3)[1] == {"seed": 3}
    err = snl.coding_study.noisy_error(digit[None], "latency", p_delete=0.5)
    assert err > snl.coding_study.noisy_error(digit[None], "latency")
    # errors over the digit's own pixels: the background (x = 0) left out
    on = digit > 0
    x_hat = E.decode("rate", E.encode("rate", digit, 25, seed=0), seed=0)
    assert by["rate"]["mae_digit"] == pytest.approx((x_hat - digit).abs()[on].mean().item(), rel=1e-6)
    assert by["rate"]["mae_digit"] > by["rate"]["mae"]  # most pixels are black and decoded exactly
    assert snl.coding_study.noisy_error(digit[None], "rate", pixels="digit") == pytest.approx(by["rate"]["mae_digit"])
    with pytest.raises(ValueError, match="pixels must be one of"):
        snl.coding_study.noisy_error(digit[None], "rate", pixels="ink")


def test_prefix_errors_and_time_to_decision(digit):
    kw = E.DEFAULT_PARAMS["latency"]
    s = E.encode("latency", digit, 25, **kw)
    e = E.prefix_errors("latency", digit, s, **kw)
    assert e.shape == (25,) and e.dtype == torch.float64
    # a latency code's prefix error only falls: every step adds pixels, exactly decoded
    assert bool((e[1:] <= e[:-1] + 1e-12).all())
    assert e[-1].item() == pytest.approx(E.round_trip_error("latency", digit, 25, **kw), abs=1e-6)
    assert torch.equal(E.prefix_errors("latency", digit, s, steps=[3, 1], **kw), e[[2, 0]])
    empty = (E.decode("latency", torch.zeros_like(s), **kw) - digit).abs().mean().item()
    t = E.time_to_decision("latency", digit, s, **kw)
    bar = e[-1].item() + 0.1 * (empty - e[-1].item())
    assert e[t - 1] <= bar + 1e-9 and (t == 1 or e[t - 2] > bar)
    with pytest.raises(ValueError, match="steps"):
        E.prefix_errors("latency", digit, s, steps=[26], **kw)


def _two_class_images():
    """Class 0: the left half bright; class 1: the right half bright (with some noise)."""
    g = torch.Generator().manual_seed(0)
    imgs = torch.rand(40, 8, 8, generator=g) * 0.2
    labels = torch.arange(40) % 2
    imgs[labels == 0, :, :4] += 0.8
    imgs[labels == 1, :, 4:] += 0.8
    return imgs, labels


@pytest.mark.parametrize("scheme", ["rate", "latency", "rank_order"])
def test_recognition_curve_reads_prefixes(scheme):
    imgs, labels = _two_class_images()
    r = snl.coding_study.recognition_curve(scheme, imgs[:20], labels[:20], imgs[20:], labels[20:], num_steps=10, steps=[1, 3])
    assert r["scheme"] == scheme and r["steps"] == [1, 3, 10] and len(r["accuracy"]) == 3
    assert r["chance"] == 0.5 and r["final"] == r["accuracy"][-1] == 1.0
    assert r["decision"] in r["steps"]
    again = snl.coding_study.recognition_curve(scheme, imgs[:20], labels[:20], imgs[20:], labels[20:], num_steps=10, steps=[1, 3])
    assert again == r  # seeded: reproducible


def test_recognition_curve_decision_and_errors():
    imgs, labels = _two_class_images()
    # the delta code's image fades in over the first steps: its decision is the first step that
    # closes 90 % of the gap between chance and the final accuracy
    r = snl.coding_study.recognition_curve("delta", imgs[:20], labels[:20], imgs[20:], labels[20:], num_steps=6)
    assert r["steps"] == [1, 2, 3, 4, 5, 6]
    bar = r["chance"] + 0.9 * (r["final"] - r["chance"])
    k = r["decision"]
    assert r["accuracy"][k - 1] >= bar - 1e-12 and all(a < bar for a in r["accuracy"][: k - 1])
    with pytest.raises(ValueError, match="one label per image"):
        snl.coding_study.recognition_curve("rate", imgs, labels[:3], imgs, labels)
    with pytest.raises(TypeError, match="integer tensor"):
        snl.coding_study.recognition_curve("rate", imgs, labels.float(), imgs, labels)
    with pytest.raises(ValueError, match="steps"):
        snl.coding_study.recognition_curve("rate", imgs, labels, imgs, labels, num_steps=5, steps=[0])


# ---------------------------------------------------------------------------------------------
# plots and exercise checks of this chapter
# ---------------------------------------------------------------------------------------------


def test_plots_take_an_ax_and_animation_has_frames(digit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = E.delta(torch.stack([digit * (t + 1) / 5 for t in range(5)] + [digit * 0.2] * 3), threshold=0.1)
    _fig, ax = plt.subplots(1, 2)
    assert snl.plot.raster(s, ax=ax[0], active_only=True) is ax[0]
    assert len(ax[0].lines) == 2  # on and off spikes
    assert snl.plot.spike_count_image(s, ax=ax[1]) is ax[1]
    anim = snl.plot.spike_animation(E.rate(digit, 10, seed=0), max_frames=4)
    html = anim.to_jshtml()  # renders offline: 4 frames embedded
    assert html.count("frames[") >= 4 and "frames[4]" not in html
    with pytest.raises(ValueError, match=r"\[T, H, W\]"):
        snl.plot.spike_count_image(torch.zeros(3, 2, 2, 2, 2))
    plt.close("all")


def test_exercise_checks_accept_right_and_reject_wrong_answers():
    ex = snl.exercises
    assert ex.check_rate_encoder(lambda x, n, g=None: torch.bernoulli(x.expand(n, *x.shape).contiguous(), generator=g))
    assert not ex.check_rate_encoder(lambda x, n, g=None: torch.bernoulli(0.9 * x.expand(n, *x.shape), generator=g))
    assert not ex.check_rate_encoder(lambda x, n, g=None: torch.bernoulli(x.expand(n, *x.shape)))  # ignores the seed
    assert ex.check_latency_time(lambda x, tau, th: tau * torch.log(x / (x - th)))
    wrong = ex.check_latency_time(lambda x, tau, th: tau * (1 - x))
    assert not wrong and "linear" in wrong.message
    assert ex.check_first_spike_time(E.first_spike_time)
    assert not ex.check_first_spike_time(lambda s: s.argmax(0).float())
    # a failed check is falsy: it must never turn into a pass (the old `return bad or passed(...)`)
    late = ex.check_first_spike_time(lambda s: E.first_spike_time(s) + 1)
    assert late.status == "failed" and not late
    assert ex.check_first_spike_time(lambda s: torch.full((s.shape[1],), math.inf)).status == "failed"


@pytest.mark.parametrize("stream", range(12))
def test_rate_encoder_check_passes_a_right_encoder_on_any_random_stream(stream):
    """The statistical check must not reject a right answer because of its particular draws."""

    def encoder(x, num_steps, generator=None):
        g = torch.Generator().manual_seed(1000 * stream + generator.initial_seed())
        return torch.rand(num_steps, *x.shape, generator=g) < x

    assert snl.exercises.check_rate_encoder(encoder).status == "passed"


def test_hints_are_progressive():
    for name in ("firing_rate", "rate_encoder", "latency_time", "first_spike_time", "fano_factor"):
        first, second = snl.exercises.hint(name, 1), snl.exercises.hint(name, 2)
        assert first.startswith("Hint 1 of 2") and second.startswith("Hint 2 of 2")
