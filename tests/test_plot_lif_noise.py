"""snnlib.plot's figures of noise-driven firing: trial rasters and f-I / CV curves under noise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import snnlib as snl

P = snl.plot


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_trial_raster_draws_one_row_per_trial_with_integer_ticks():
    spk = torch.zeros(50, 4)
    spk[[3, 10, 20], 0] = 1
    spk[[5], 3] = 1
    ax = P.plot_trial_raster(spk, dt=0.5)
    ticks = [t for t in ax.get_yticks() if -0.7 <= t <= 3.7]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert ax.get_xlabel() == "time (ms)" and ax.get_ylabel() == "trial"
    x_spikes = np.concatenate([line.get_xdata() for line in ax.lines])
    np.testing.assert_allclose(sorted(x_spikes), [2.0, 3.0, 5.5, 10.5])  # step i is time (i + 1) dt
    assert P.plot_trial_raster(spk).get_xlabel() == "time step $t$"


def test_trial_raster_checks_its_input():
    with pytest.raises(ValueError):
        P.plot_trial_raster(torch.full((5, 2), 0.5))
    with pytest.raises(ValueError):
        P.plot_trial_raster(torch.zeros(5))  # [T, K] expected


def test_noisy_fi_draws_rates_and_cvs_per_noise_level():
    currents = np.linspace(0, 4, 5)
    rates = np.arange(10.0).reshape(2, 5)
    cvs = np.full((2, 5), 0.5)
    cvs[0, 0] = np.nan
    fine = np.linspace(0, 4, 20)
    axes = P.plot_noisy_fi(currents, rates, cvs, [1.0, 4.0], theory=(fine, np.ones((2, 20))), deterministic=(fine, np.zeros(20)))
    assert axes[0].figure.get_figwidth() <= 6.9
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert labels == ["no noise", "$\\sigma_V$ = 1 mV", "$\\sigma_V$ = 4 mV"]
    assert len(axes[1].lines) == 3  # two CV curves and the CV = 1 guide


def test_noisy_fi_checks_shapes():
    with pytest.raises(ValueError, match="rates and cvs"):
        P.plot_noisy_fi([0, 1, 2], np.zeros((2, 3)), np.zeros((2, 2)), [1.0, 2.0])
    with pytest.raises(ValueError, match="sigmas"):
        P.plot_noisy_fi([0, 1, 2], np.zeros((2, 3)), np.zeros((2, 3)), [1.0])
