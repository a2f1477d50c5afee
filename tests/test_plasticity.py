"""Tests of snnlib.plasticity: traces, STDP and its window, homeostasis, the Diehl & Cook network,
checkpoints, the command line, bad input, and the exercise bank of the STDP chapter."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import snnlib.plasticity as pl
from snnlib.plasticity import network

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ traces


@pytest.mark.parametrize("mode", ["add", "set"])
def test_trace_dynamics(mode):
    d = pl.trace_decay(20.0, 1.0)
    assert d == pytest.approx(math.exp(-1 / 20))
    spikes = torch.zeros(30, 1, 1)
    spikes[[2, 5]] = 1.0
    x = pl.trace_run(spikes, d, mode).reshape(-1)
    assert float(x[1]) == 0.0 and float(x[2]) == 1.0
    assert float(x[4]) == pytest.approx(d**2)
    expected5 = d**3 + 1.0 if mode == "add" else 1.0
    assert float(x[5]) == pytest.approx(expected5)
    assert float(x[29]) == pytest.approx(expected5 * d**24)


# ------------------------------------------------------------------ STDP


@pytest.mark.parametrize("rule", ["additive", "multiplicative"])
def test_window_matches_analytic(rule):
    params = pl.STDPParams(rule=rule, dt=0.5)
    delays = np.arange(-60, 61)
    measured = pl.measure_window(delays, params, w0=0.5)
    analytic = pl.stdp_window(delays * params.dt, params)
    if rule == "multiplicative":  # f+ = w_max - w0 = 0.5, f- = w0 = 0.5
        analytic = analytic * 0.5
    np.testing.assert_allclose(measured, analytic, rtol=1e-9, atol=1e-15)
    assert measured[delays == 0][0] > 0 and measured[delays == -1][0] < 0


@pytest.mark.parametrize("rule", ["additive", "multiplicative"])
def test_weight_bounds_respected(rule):
    params = pl.STDPParams(a_plus=0.5, a_minus=0.5, rule=rule)
    gen = torch.Generator().manual_seed(0)
    w = torch.rand(6, 4, generator=gen)
    state = pl.stdp_init(3, 6, 4)
    for _ in range(300):
        pre = (torch.rand(3, 6, generator=gen) < 0.3).float()
        post = (torch.rand(3, 4, generator=gen) < 0.3).float()
        w, state = pl.stdp_step(w, pre, post, state, params)
        assert float(w.min()) >= 0.0 and float(w.max()) <= params.w_max


def test_pairing_protocol_direction():
    assert pl.pairing_protocol(5)[-1] > 0.9
    assert pl.pairing_protocol(-5)[-1] < 0.1


def test_modules_wrap_functions():
    m = pl.STDP(torch.full((2, 3), 0.5))
    w = m(torch.ones(1, 2), torch.zeros(1, 3))
    assert w.shape == (2, 3)
    tr = pl.Trace(tau=10.0)
    assert float(tr(torch.ones(1, 2))[0, 0]) == 1.0
    th = pl.AdaptiveThreshold(3, theta_plus=0.1)
    assert torch.allclose(th(torch.tensor([1.0, 0.0, 1.0])), torch.tensor([0.1, 0.0, 0.1]))


# ------------------------------------------------------------------ homeostasis


def test_normalisation_keeps_column_sums():
    w = torch.rand(784, 7, generator=torch.Generator().manual_seed(1))
    out = pl.normalise_columns(w, 78.0)
    assert torch.allclose(out.sum(0), torch.full((7,), 78.0), rtol=1e-5)
    assert torch.allclose(out / out.sum(0), w / w.sum(0), rtol=1e-5)


def test_adaptive_threshold_step():
    theta = pl.adaptive_threshold_step(torch.zeros(4), torch.tensor([1.0, 0, 0, 1]), 0.05, 0.5)
    assert torch.allclose(theta, torch.tensor([0.05, 0, 0, 0.05]))


# ------------------------------------------------------------------ the network


@pytest.mark.parametrize("rule", network.STDP_RULES)
@pytest.mark.parametrize("pre_trace", ["set", "add"])
def test_kernel_equals_reference(rule, pre_trace):
    gen = torch.Generator().manual_seed(3)
    image = torch.rand(784, generator=gen) * (torch.rand(784, generator=gen) < 0.3)
    params = pl.DiehlCookParams(stdp_rule=rule, pre_trace=pre_trace)
    a, b = pl.init_network(12, params=params, seed=1), pl.init_network(12, params=params, seed=1)
    for _ in range(2):
        off, idx = pl.input_events(image, 150.0, 300, 0.5, gen)
        ca = network.present_once(a, off, idx, True, True)
        cb = network.present_once(b, off, idx, True, True, reference=True)
        assert ca.tolist() == cb.tolist() and int(ca.sum()) > 0
        assert torch.allclose(a.w, b.w, atol=1e-5) and torch.allclose(a.theta, b.theta)


def test_input_events_rate():
    gen = torch.Generator().manual_seed(0)
    image = torch.full((784,), 0.5)
    off, idx = pl.input_events(image, 63.75, 700, 0.5, gen)
    assert off.shape == (701,) and int(off[-1]) == idx.numel()
    expected = 784 * 0.5 * 63.75 * 0.35
    assert abs(idx.numel() - expected) < 5 * math.sqrt(expected)
    for t in range(0, 700, 50):  # at most one spike per input per step (a Bernoulli process)
        step = idx[off[t] : off[t + 1]]
        assert step.unique().numel() == step.numel()


def _bars(n_per_class=30, seed=0):
    """Four classes of 28x28 images: a horizontal band in one of four places, with noise."""
    gen = torch.Generator().manual_seed(seed)
    images, labels = [], []
    for i in range(4 * n_per_class):
        c = i % 4
        img = torch.rand(28, 28, generator=gen) * 0.1
        img[7 * c : 7 * c + 7, 2:26] = 1.0
        images.append(img)
        labels.append(c)
    return torch.stack(images), torch.tensor(labels)


def test_network_learns_distinct_receptive_fields():
    images, labels = _bars()
    net = pl.init_network(8, seed=0)
    net = pl.train(net, images, torch.Generator().manual_seed(0), progress=False)
    rf = pl.receptive_fields(net)
    band_weight = torch.stack([rf[:, 7 * c : 7 * c + 7].sum((1, 2)) for c in range(4)], 1)  # [N, 4]
    preferred = band_weight.argmax(1)
    assert preferred.unique().numel() == 4, preferred.tolist()
    counts = pl.responses(net, images, progress=False)
    acc = pl.accuracy(pl.predict(counts, pl.assign_labels(counts, labels, 4), 4), labels)
    assert acc > 0.9


def test_assign_and_predict():
    counts = torch.tensor([[5, 0, 0], [0, 4, 0], [6, 1, 0]])
    labels = torch.tensor([1, 0, 1])
    a = pl.assign_labels(counts, labels, 2)
    assert a.tolist() == [1, 0, -1]
    assert pl.predict(counts, a, 2).tolist() == [1, 0, 1]


def test_checkpoint_resume_equals_uninterrupted(tmp_path):
    images, _ = _bars(5)
    ref = pl.train(pl.init_network(4, seed=2), images, torch.Generator().manual_seed(5), progress=False)
    ck = tmp_path / "ck.pt"
    part = pl.train(
        pl.init_network(4, seed=2),
        images[:9],
        torch.Generator().manual_seed(5),
        checkpoint=ck,
        checkpoint_every=4,
        progress=False,
    )
    assert pl.load_checkpoint(ck)[1] == 9
    resumed = pl.train(pl.init_network(4, seed=2), images, torch.Generator(), checkpoint=ck, progress=False)
    assert part is not resumed
    assert torch.equal(resumed.w, ref.w) and torch.equal(resumed.theta, ref.theta)
    obj = torch.load(ck, weights_only=True)
    assert obj["seen"] == len(images)
    with pytest.raises(ValueError, match="another network"):
        pl.train(pl.init_network(5), images, checkpoint=ck, progress=False)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: pl.init_network(0), ValueError, "num_neurons"),
        (lambda: pl.init_network(2.5), TypeError, "num_neurons"),
        (lambda: pl.DiehlCookParams(dt=0.0), ValueError, "dt"),
        (lambda: pl.DiehlCookParams(lateral_inhibition=1), TypeError, "lateral_inhibition"),
        (lambda: pl.STDPParams(rule="hebb"), ValueError, "rule"),
        (lambda: pl.trace_step(torch.zeros(2, 3), torch.zeros(2, 4), 0.9), ValueError, r"\[B, N\]"),
        (lambda: pl.trace_step(torch.zeros(2), torch.zeros(2), 1.5), ValueError, "decay"),
        (lambda: pl.trace_step(torch.zeros(2), torch.zeros(2), 0.5, "mul"), ValueError, "mode"),
        (
            lambda: pl.stdp_step(torch.zeros(3, 3), torch.zeros(1, 2), torch.zeros(1, 3), pl.stdp_init(1, 2, 3)),
            ValueError,
            r"\[N_pre, N_post\]",
        ),
        (
            lambda: pl.stdp_step(torch.full((2, 3), 2.0), torch.zeros(1, 2), torch.zeros(1, 3), pl.stdp_init(1, 2, 3)),
            ValueError,
            "w_max",
        ),
        (
            lambda: pl.stdp_step(torch.zeros(2, 3), torch.full((1, 2), 0.5), torch.zeros(1, 3), pl.stdp_init(1, 2, 3)),
            ValueError,
            "spikes",
        ),
        (lambda: pl.normalise_columns(torch.zeros(4, 2)), ValueError, "sums to 0"),
        (lambda: pl.normalise_columns(np.ones((4, 2))), TypeError, "torch.Tensor"),
        (lambda: pl.measure_window([0.5, 1.0]), TypeError, "delays"),
        (lambda: pl.input_events(torch.ones(784), 63.75, 0, 0.5), ValueError, "num_steps"),
        (lambda: pl.input_events(torch.ones(784), 5000.0, 10, 0.5), ValueError, "rate_hz"),
        (lambda: pl.present("net", torch.ones(784)), TypeError, "DiehlCookNet"),
        (lambda: pl.assign_labels(torch.ones(3, 2), torch.tensor([0, 1]), 2), ValueError, "N_images"),
        (lambda: pl.assign_labels(torch.ones(2, 2), torch.tensor([0, 5]), 2), ValueError, "labels"),
        (lambda: pl.predict(torch.ones(2, 2), torch.tensor([0, 1, 1])), ValueError, "N_neurons"),
        (lambda: pl.flat_images(torch.full((2, 28, 28), 2.0)), ValueError, r"\[0, 1\]"),
        (lambda: pl.run_experiment(10, source="bundled", train_images=10**6, progress=False), ValueError, "train_images"),
        (lambda: pl.run_experiment(10, source="somewhere"), ValueError, "source"),
        (lambda: pl.run_experiment(10, overrides={"theta": 1.0}), ValueError, "unknown parameters"),
        (lambda: pl.run_experiment(10, overrides=[("mu", 1.0)]), TypeError, "overrides"),
        (lambda: pl.DiehlCookParams(stdp_rule="hebb"), ValueError, "stdp_rule"),
        (lambda: pl.DiehlCookParams(pre_trace="sum"), ValueError, "pre_trace"),
        (lambda: pl.DiehlCookParams(tau_post2=0.0), ValueError, "tau_post2"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ command line


def test_quick_cli_on_bundled_subset(tmp_path):
    out = tmp_path / "r.json"
    cmd = [
        sys.executable,
        "-m",
        "snnlib.plasticity",
        "--neurons",
        "20",
        "--source",
        "bundled",
        "--train-images",
        "300",
        "--label-images",
        "300",
        "--test-images",
        "200",
        "--no-progress",
        "--json",
        str(out),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert 0.0 <= result["accuracy"] <= 1.0 and result["accuracy"] > 0.12  # above chance (0.1) after 300 images
    assert result["neurons"] == 20 and result["train_images"] == 300 and result["seconds"] > 0
    bad = subprocess.run([sys.executable, "-m", "snnlib.plasticity", "--neurons", "0"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0 and "--neurons" in bad.stderr


def test_cli_set_converts_and_rejects():
    import argparse

    from snnlib.plasticity import __main__ as cli

    ap = argparse.ArgumentParser()
    got = cli._overrides(ap, ["stdp_rule=triplet", "theta_plus=0.07", "max_repeats=3", "lateral_inhibition=false"])
    assert got == {"stdp_rule": "triplet", "theta_plus": 0.07, "max_repeats": 3, "lateral_inhibition": False}
    for bad in (["theta"], ["nope=1"], ["theta_plus=fast"], ["adaptive_threshold=maybe"]):
        with pytest.raises(SystemExit):
            cli._overrides(ap, bad)


def test_triplet_needs_a_previous_spike():
    # One presentation, triplet rule: a neuron's first spike finds its slow trace at 0, so the
    # triplet potentiation is at most the pair rule's (same events, same start).
    gen = torch.Generator().manual_seed(5)
    image = torch.rand(784, generator=gen) * (torch.rand(784, generator=gen) < 0.3)
    off, idx = pl.input_events(image, 150.0, 200, 0.5, gen)
    nets = {r: pl.init_network(6, params=pl.DiehlCookParams(stdp_rule=r), seed=2) for r in ("pair", "triplet")}
    counts = {r: network.present_once(n, off, idx, True, False) for r, n in nets.items()}
    assert int(counts["pair"].sum()) > 0
    assert not torch.equal(nets["pair"].w, nets["triplet"].w)
    assert float(nets["triplet"].w.sum()) < float(nets["pair"].w.sum())


# The exercise bank of this chapter is tests/banks/bank_stdp.py (run by tests/test_exercise_banks.py).


def test_benchmark_summarises_variants(tmp_path):
    # benchmarks/stdp.py --variants: one row per result JSON, with the settings that differ from the defaults
    import dataclasses

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import stdp as bench
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    params = dataclasses.asdict(pl.DiehlCookParams(theta_plus=0.025))
    base = dict(neurons=100, seed=0, train_images=60000, label_images=10000, test_images=10000)
    run = dict(base, accuracy=0.83, train_seconds=60.0, mean_test_spikes=8.0, params=params)
    (tmp_path / "a.json").write_text(json.dumps(run))
    out = bench.summarise_variants([tmp_path / "a.json"], tmp_path / "v.json")
    assert out["runs"][0]["overrides"] == {"theta_plus": 0.025} and out["runs"][0]["theta_mean_mV"] is None
    assert json.loads((tmp_path / "v.json").read_text())["runs"][0]["accuracy"] == 0.83


def test_validation_images_are_held_out_of_training_and_labelling():
    """``validation_images`` holds out the last training images: training and labelling default to
    the rest, the held-out accuracy is reported beside the test accuracy, and a request that
    leaves nothing to train on is a clear error."""
    from snnlib import data
    from snnlib.plasticity.training import run_experiment

    x_train, _ = data.load_mnist("train", source="bundled")
    n = len(x_train)
    r = run_experiment(10, "bundled", train_images=None, label_images=200, test_images=100, validation_images=200, progress=False)
    assert r["train_images"] == n - 200 and r["validation_images"] == 200
    assert 0.0 <= r["validation_accuracy"] <= 1.0 and 0.0 <= r["accuracy"] <= 1.0
    with pytest.raises(ValueError, match="train_images"):
        run_experiment(10, "bundled", train_images=n - 100, validation_images=200, progress=False)
    with pytest.raises(ValueError, match="validation_images"):
        run_experiment(10, "bundled", validation_images=n, progress=False)
    plain = run_experiment(10, "bundled", train_images=100, label_images=100, test_images=50, progress=False)
    assert "validation_accuracy" not in plain
