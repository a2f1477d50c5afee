"""snnlib.neurons.noise: white-noise currents, the CV of the intervals, the Siegert rate, against theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from snnlib import neurons as N

P = N.PhysicalLIFParams()


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---- noisy_current -------------------------------------------------------------------------


def test_noisy_current_shapes_broadcast_time_first():
    assert N.noisy_current(1.0, 2.0, 7, P, gen()).shape == (7,)
    assert N.noisy_current([1.0, 2.0, 3.0], 2.0, 5, P, gen()).shape == (5, 3)
    cur = N.noisy_current(np.linspace(0, 1, 4), np.array([[0.0], [1.0]]), 6, P, gen())
    assert cur.shape == (6, 2, 4)
    assert cur.dtype == torch.get_default_dtype()
    mean = torch.as_tensor(np.linspace(0, 1, 4), dtype=cur.dtype)
    assert torch.equal(cur[:, 0], mean.expand(6, -1))  # sigma 0: exactly the mean


def test_noisy_current_has_the_documented_spread_and_is_reproducible():
    cur = N.noisy_current(torch.zeros(50), 3.0, 4000, P, gen(1))
    expected = 3.0 * math.sqrt(2 * P.tau / P.dt) / P.R
    assert N.noise_std(3.0, P) == pytest.approx(expected)
    assert float(cur.std()) == pytest.approx(expected, rel=0.01)
    assert abs(float(cur.mean())) < 0.01 * expected
    assert torch.equal(cur, N.noisy_current(torch.zeros(50), 3.0, 4000, P, gen(1)))


def test_free_membrane_spread_is_sigma_v():
    # threshold out of reach: the Euler recursion's stationary spread is sigma_V sqrt(2 / (2 - dt/tau))
    q = N.PhysicalLIFParams(V_th=1e6)
    _, v = N.physical_lif_run(N.noisy_current(torch.zeros(100), 2.0, 6000, q, gen(2)), q)
    measured = float(v[1000:].std())
    assert measured == pytest.approx(2.0 * math.sqrt(2 / (2 - q.dt / q.tau)), rel=0.03)
    assert float(v[1000:].mean()) == pytest.approx(q.E_L, abs=0.1)


@pytest.mark.parametrize(
    "args, error",
    [
        ((1.0, -1.0, 5), ValueError),  # negative noise
        ((float("nan"), 1.0, 5), ValueError),
        ((1.0, float("inf"), 5), ValueError),
        ((1.0, 1.0, 2.5), TypeError),  # num_steps not an integer
        ((1.0, 1.0, 0), ValueError),
        (("1", 1.0, 5), TypeError),
        (([1.0, 2.0, 3.0], [1.0, 2.0], 5), ValueError),  # no broadcast
    ],
)
def test_noisy_current_rejects_bad_arguments(args, error):
    with pytest.raises(error):
        N.noisy_current(*args, params=P)


def test_noisy_current_rejects_a_bad_generator_and_params():
    with pytest.raises(TypeError, match="generator"):
        N.noisy_current(1.0, 1.0, 5, P, generator=0)
    with pytest.raises(TypeError, match="params"):
        N.noisy_current(1.0, 1.0, 5, params={"tau": 10})


# ---- isi_cv --------------------------------------------------------------------------------


def test_isi_cv_by_hand():
    spk = torch.zeros(20, 3)
    spk[[0, 2, 6, 8], 0] = 1  # intervals 2, 4, 2: mean 8/3, std sqrt(8/9)
    spk[[1, 5, 9, 13], 1] = 1  # periodic: CV 0
    spk[[3, 7], 2] = 1  # one interval: undefined
    cv = N.isi_cv(spk)
    assert cv.dtype == torch.float64 and cv.shape == (3,)
    assert float(cv[0]) == pytest.approx(math.sqrt(8 / 9) / (8 / 3))
    assert float(cv[1]) == 0.0
    assert math.isnan(float(cv[2]))
    assert float(N.isi_cv(spk, ddof=1)[0]) == pytest.approx(float(torch.tensor([2.0, 4.0, 2.0]).std() / (8 / 3)))


def test_isi_cv_of_a_bernoulli_train_is_sqrt_one_minus_p():
    # geometric intervals: mean 1/p, variance (1-p)/p^2, so CV = sqrt(1 - p): a discretised Poisson process
    for p_spike in (0.02, 0.2, 0.5):
        spk = (torch.rand(200_000, 8, generator=gen(3)) < p_spike).float()
        cv = N.isi_cv(spk)
        np.testing.assert_allclose(cv.numpy(), math.sqrt(1 - p_spike), rtol=0.05)
        assert float(cv.mean()) == pytest.approx(math.sqrt(1 - p_spike), rel=0.015)


def test_isi_cv_keeps_the_trailing_shape_and_checks_its_input():
    assert N.isi_cv(torch.zeros(10, 2, 3)).shape == (2, 3)
    with pytest.raises(ValueError, match="spikes"):
        N.isi_cv(torch.full((5, 2), 0.5))
    with pytest.raises(TypeError):
        N.isi_cv([0, 1, 0, 1])
    with pytest.raises(ValueError, match="ddof"):
        N.isi_cv(torch.zeros(5, 2), ddof=2)


def test_cv_is_zero_without_noise():
    currents = torch.linspace(1.6, 6.0, 12)
    spk, _ = N.physical_lif_run(N.noisy_current(currents, 0.0, 3000, P), P)
    assert spk.sum(0).min() >= 3
    assert float(N.isi_cv(spk).abs().max()) == 0.0


def test_cv_approaches_one_in_the_fluctuation_driven_regime():
    # mean far below threshold, no refractory period: rare, nearly independent crossings
    q = N.PhysicalLIFParams(t_ref=0.0, dt=0.5)
    spk, _ = N.physical_lif_run(N.noisy_current(torch.full((200,), 0.5), 4.0, 20_000, q, gen(4)), q)
    cv = N.isi_cv(spk)
    assert float(spk.sum()) > 2000
    assert 0.85 < float(cv.nanmean()) < 1.1
    # and the strongly mean-driven neuron with the same noise is regular
    spk2, _ = N.physical_lif_run(N.noisy_current(torch.full((20,), 5.0), 4.0, 4000, q, gen(5)), q)
    assert float(N.isi_cv(spk2).nanmean()) < 0.3


# ---- siegert_rate --------------------------------------------------------------------------


def test_siegert_rate_tends_to_the_deterministic_f_i_curve():
    currents = np.linspace(1.8, 8.0, 12)  # away from the rheobase, where the limit is slow
    np.testing.assert_array_equal(N.siegert_rate(currents, 0.0, P), N.analytic_rate(currents, P))
    np.testing.assert_array_equal(N.siegert_rate(currents, 0.0, P, discrete=True), N.euler_rate(currents, P))
    np.testing.assert_allclose(N.siegert_rate(currents, 1e-3, P), N.analytic_rate(currents, P), rtol=1e-4)
    assert N.siegert_rate(1.0, 1e-3, P) == 0.0  # below the rheobase, no noise to speak of: silent
    assert isinstance(N.siegert_rate(2.0, 1.0, P), float)


def test_siegert_rate_grows_with_noise_below_the_rheobase_and_saturates():
    rates = N.siegert_rate(1.2, np.array([0.5, 1.0, 2.0, 4.0, 8.0]), P)
    assert (np.diff(rates) > 0).all() and rates[0] < 1e-3
    strong = N.siegert_rate(200.0, 4.0, P)  # the mean drive dominates: the noise-free rate, below 1/t_ref
    assert strong == pytest.approx(N.analytic_rate(200.0, P), rel=0.01) and strong < 1000 / P.t_ref


def test_siegert_rate_matches_simulation():
    currents = torch.tensor([1.2, 1.6, 2.0, 2.5])
    T = 20_000  # 2 s at dt = 0.1 ms
    spk, _ = N.physical_lif_run(N.noisy_current(currents.expand(30, -1), 3.0, T, P, gen(6)), P)
    rate = (spk.sum(dim=(0, 1)) / (30 * T * P.dt / 1000)).double().numpy()
    continuous = N.siegert_rate(currents, 3.0, P)
    euler = N.siegert_rate(currents, 3.0, P, discrete=True)
    np.testing.assert_allclose(rate, euler, rtol=0.05)  # the Euler simulation, threshold-corrected
    np.testing.assert_allclose(rate, continuous, rtol=0.12)  # the continuous model, a little above
    assert (rate < continuous).all() and (euler < continuous).all()
    assert np.abs(rate - euler).sum() < np.abs(rate - continuous).sum()


def test_siegert_rate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sigma_v"):
        N.siegert_rate(1.0, -1.0)
    with pytest.raises(ValueError, match="odd"):
        N.siegert_rate(1.0, 1.0, points=100)
    with pytest.raises(ValueError):
        N.siegert_rate([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="params"):
        N.siegert_rate(1.0, 1.0, params=None)
    with pytest.raises(TypeError, match="discrete"):
        N.siegert_rate(1.0, 1.0, discrete=1)
