"""Spike-train statistics against their analytic values: the Bernoulli rate code as a discretised
Poisson process (Fano factor 1 - p, geometric intervals with CV sqrt(1 - p), the Poisson limit),
and the measures of snnlib.spikes on hand-made trains."""

from __future__ import annotations

import math

import pytest
import torch

import snnlib as snl

E, S = snl.encoding, snl.spikes
P = torch.tensor([0.02, 0.1, 0.3, 0.6, 0.9])


def _bernoulli(p: torch.Tensor, num_steps: int, seed: int) -> torch.Tensor:
    return E.rate(p, num_steps, seed=seed)  # [T, len(p)]


def test_fano_of_bernoulli_counts_is_one_minus_p():
    R, window = 4000, 50
    spikes = E.rate(P.expand(R, len(P)).contiguous(), window, seed=0)  # [window, R, 5]
    counts = spikes.sum(0)  # [R, 5]: independent repeats
    fano = S.fano_factor(counts)
    # the sample variance of R counts has relative std ~ sqrt(2 / R) (a little more for skewed counts)
    assert torch.allclose(fano, E.bernoulli_fano(P), rtol=6 * math.sqrt(2 / R))
    assert torch.allclose(S.fano_factor(counts, unbiased=False), fano * (R - 1) / R)


def test_fano_in_windows_of_one_long_train():
    spikes = _bernoulli(P, 200_000, seed=1)
    windows = spikes.reshape(-1, 100, len(P)).sum(1)  # 2000 windows of 100 steps
    assert torch.allclose(S.fano_factor(windows), 1 - P, rtol=0.2)


def test_isi_of_bernoulli_spikes_is_geometric_with_cv_sqrt_one_minus_p():
    spikes = _bernoulli(P, 100_000, seed=2)
    cv = S.isi_cv(spikes)
    assert cv.shape == P.shape
    assert torch.allclose(cv, E.bernoulli_isi_cv(P).double(), rtol=0.05)
    isi = S.interspike_intervals(spikes[:, 2])  # p = 0.3
    k = torch.arange(1, 8)
    hist = torch.stack([(isi == v).float().mean() for v in k])
    assert torch.allclose(hist, E.bernoulli_isi_pmf(k, 0.3), atol=0.01)
    assert isi.float().mean().item() == pytest.approx(1 / 0.3, rel=0.03)


def test_poisson_limit_fano_and_cv_tend_to_one():
    """A 20 Hz neuron: the finer the steps, the closer its statistics come to a Poisson process."""
    rate_hz, duration = 20.0, 2000.0  # seconds of simulated firing
    for dt in (1e-2, 1e-3):
        p = rate_hz * dt
        spikes = E.rate(torch.tensor([p]), int(duration / dt), seed=3)
        cv = S.isi_cv(spikes).item()
        assert cv == pytest.approx(math.sqrt(1 - p), abs=0.03)
        counts = spikes.reshape(-1, int(1 / dt), 1).sum(1)  # counts per second
        assert S.fano_factor(counts).item() == pytest.approx(1 - p, abs=0.12)
    assert E.bernoulli_fano(20 * 1e-4).item() == pytest.approx(1.0, abs=3e-3)
    assert E.bernoulli_isi_cv(20 * 1e-4).item() == pytest.approx(1.0, abs=2e-3)


def test_regular_train_and_hand_made_intervals():
    regular = torch.zeros(100, 2)
    regular[::5, 0] = 1  # every 5 steps
    regular[[3, 10, 12, 16], 1] = 1  # intervals 7, 2 and 4
    assert S.interspike_intervals(regular).tolist() == [5] * 19 + [7, 2, 4]
    cv = S.isi_cv(regular)
    assert cv.dtype == torch.float64 and cv[0].item() == 0.0
    intervals = torch.tensor([7.0, 2.0, 4.0], dtype=torch.float64)
    plain = intervals.std(correction=0) / intervals.mean()
    assert cv[1].item() == pytest.approx(plain.item())
    unbiased = S.isi_cv(regular, ddof=1)
    assert unbiased[1].item() == pytest.approx((intervals.std() / intervals.mean()).item())
    counts = regular.reshape(10, 10, 2).sum(1)
    assert S.fano_factor(counts)[0].item() == 0.0


def test_isi_cv_shapes_nan_and_off_spikes():
    s = torch.zeros(20, 2, 3)
    s[[1, 4, 9], 0, 0] = 1  # 2 intervals: a CV
    s[[2, 6], 1, 2] = 1  # 1 interval: NaN (ddof = 0 needs 2 intervals)
    s[[0, 5, 10], 1, 1] = -1  # off spikes of a delta code count too
    cv = S.isi_cv(s)
    assert cv.shape == (2, 3)
    assert torch.isfinite(cv[0, 0]) and cv[1, 1].item() == 0.0
    assert torch.isnan(cv[1, 2]) and torch.isnan(cv[0, 1])
    assert torch.isnan(S.isi_cv(s, ddof=1)[0, 0])  # 2 intervals: too few for ddof = 1
    assert S.fano_factor(torch.zeros(5, 2)).isnan().all()  # 0 / 0 for silent neurons


@pytest.mark.parametrize(
    "call, exc, msg",
    [
        (lambda: S.fano_factor(torch.ones(1, 3)), ValueError, "at least 2 repeats"),
        (lambda: S.fano_factor([1, 2, 3]), TypeError, r"counts must be a torch.Tensor"),
        (lambda: S.fano_factor(torch.ones(4, 3), dim=2), ValueError, "dim"),
        (lambda: S.isi_cv(torch.full((5, 2), 0.5)), ValueError, "0 or 1"),
        (lambda: S.isi_cv(torch.zeros(5, 2), ddof=2), ValueError, "ddof"),
        (lambda: E.bernoulli_fano(0.0), ValueError, r"\(0, 1\]"),
        (lambda: E.bernoulli_isi_cv(torch.tensor([0.5, 1.5])), ValueError, r"\(0, 1\]"),
        (lambda: E.bernoulli_isi_pmf(torch.tensor([0, 1]), 0.5), ValueError, ">= 1"),
        (lambda: E.bernoulli_isi_pmf(torch.tensor([1, 2]), torch.tensor([0.5, 0.2])), ValueError, "one probability"),
    ],
)
def test_bad_input_raises_clearly(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()
