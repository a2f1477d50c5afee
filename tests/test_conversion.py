"""ANN-to-SNN conversion: hand computations, the analytic rate limit, invariances, errors, CLI, exercises."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from snnlib import conversion as cv

ROOT = Path(__file__).resolve().parent.parent


def _tiny():
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.5, 0.5]]))
        net[0].bias.copy_(torch.tensor([0.0, 0.25]))
        net[2].weight.copy_(torch.tensor([[0.5, 0.5]]))
        net[2].bias.zero_()
    return net


def test_tiny_network_against_hand_computation():
    net = _tiny()
    x = torch.tensor([[0.5, 1.0]])
    # ANN: a1 = relu([0.5, 0.75 + 0.25]) = [0.5, 1.0]; a2 = 0.75. Max normalisation on x itself:
    # lambda = [1.0, 0.75]; layer 1 unchanged (1/1), layer 2: W2 * 1.0 / 0.75, b2 / 0.75.
    snn = cv.convert(net, x, "max")
    assert snn.scales == pytest.approx([1.0, 0.75])
    assert torch.allclose(snn.stages[1].weighted.weight, torch.tensor([[0.5, 0.5]]) / 0.75)
    # IF with reset by subtraction, threshold 1, current [0.5, 1.0]: membrane of neuron 0 goes
    # 0.5, 1.0 (not > 1), 1.5 -> spike at step 3, then 1.0, 1.5 -> spike at 5 ...; neuron 1: 1.0, 2.0 -> spike at 2, ...
    rec = cv.simulate(snn, x, [4], reset="subtract")
    hidden = rec.counts[0][0]
    assert hidden.tolist() == [1.0, 3.0]  # neuron 0 fires at step 3; neuron 1 at steps 2, 3, 4
    # The rates approach a1 / lambda1 = [0.5, 1.0]
    long = cv.simulate(snn, x, [400], reset="subtract")
    assert (long.counts[0][0] / 400).tolist() == pytest.approx([0.5, 1.0], abs=0.01)
    assert float(long.counts[1][0, 0] / 400) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_if_rate_is_clipped_relu_over_threshold(reset):
    T = 2000
    thr = 0.8
    cur = torch.linspace(-0.5, 1.2, 35)
    params = cv.if_params(reset, threshold=thr)
    state, count = None, torch.zeros_like(cur)
    for _ in range(T):
        spk, state = cv.neuron_step(cur, state, params)
        count += spk
    want = (cur / thr).clamp(0, 1)
    if reset == "subtract":
        assert torch.allclose(count / T, want, atol=2.0 / T)
    else:  # reset to zero loses the surplus: the rate is 1 / ceil(thr / I), never above the ReLU
        assert bool((count / T <= want + 2.0 / T).all())
        pos = cur > 0
        steps = torch.floor(thr / cur[pos]) + 1  # strict threshold: first step with k I > thr
        assert torch.allclose(count[pos] / T, (1.0 / steps).clamp(max=1.0), atol=2.0 / T)


def test_normalisation_invariant_to_rescaling_weights():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 6), nn.ReLU(), nn.Linear(6, 3))
    x = torch.rand(64, 5)
    scaled = copy.deepcopy(net)
    with torch.no_grad():  # same function: layer 2 times 4, layer 3 divided by 4
        scaled[2].weight.mul_(4.0)
        scaled[2].bias.mul_(4.0)
        scaled[4].weight.div_(4.0)
    for norm in ("max", "p99.9"):
        a, b = cv.convert(net, x, norm), cv.convert(scaled, x, norm)
        for sa, sb in zip(a.stages, b.stages):
            assert torch.allclose(sa.weighted.weight, sb.weighted.weight, rtol=1e-5, atol=1e-6)
            assert torch.allclose(sa.weighted.bias, sb.weighted.bias, rtol=1e-5, atol=1e-6)


def test_threshold_balancing_gives_the_same_spikes():
    torch.manual_seed(1)
    net = cv.make_network("mlp", seed=1)
    x = torch.rand(8, 784)
    a, b = cv.convert(net, x, "max", "weights"), cv.convert(net, x, "max", "thresholds")
    ra, rb = cv.simulate(a, x, [50]), cv.simulate(b, x, [50])
    same = sum(float((ca == cb).float().mean()) for ca, cb in zip(ra.counts, rb.counts)) / 2
    assert same > 0.99  # equal up to float rounding at the threshold


def test_cnn_stages_and_fan_out():
    net = cv.make_network("cnn")
    stages = cv.split_stages(net)
    assert [s.relu for s in stages] == [True, True, False]
    snn = cv.convert(net, torch.rand(16, 1, 28, 28), "p99.9")
    fan = cv.fan_out(snn, torch.rand(1, 1, 28, 28))
    assert fan[0].shape == (1, 28, 28) and float(fan[0].max()) == 16 * 25
    assert float(fan[2].max()) == 10  # a conv-2 spike reaches one pooled unit, then 10 outputs
    rec = cv.simulate(snn, torch.rand(3, 1, 28, 28), [4, 8], input="rate", generator=torch.Generator().manual_seed(0))
    assert rec.scores.shape == (2, 3, 10) and rec.spikes.shape == (2, 3)
    assert float(rec.synops[1]) >= float(rec.synops[0]) > 0


def test_layer_scale_percentile_and_max():
    acts = torch.cat([torch.zeros(1000), torch.arange(1, 1001, dtype=torch.float32)])
    assert cv.layer_scale(acts, 100.0) == 1000.0
    assert cv.layer_scale(acts, 50.0) == 500.0  # zeros are not counted
    assert cv.layer_scale(torch.zeros(5), 99.9) == 1.0


@pytest.mark.parametrize(
    "call, err, words",
    [
        (lambda: cv.if_params("never"), ValueError, "reset"),
        (lambda: cv.if_params("zero", threshold=0), ValueError, "threshold"),
        (lambda: cv.layer_scale(torch.ones(3), 0), ValueError, "percentile"),
        (lambda: cv.layer_scale([1.0, 2.0], 99), TypeError, "activations"),
        (lambda: cv.split_stages(nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))), ValueError, "Sigmoid"),
        (lambda: cv.split_stages(nn.Sequential(nn.Linear(2, 2), nn.ReLU())), ValueError, "output layer"),
        (lambda: cv.split_stages(nn.Linear(2, 2)), TypeError, "nn.Sequential"),
        (lambda: cv.convert(_tiny(), torch.rand(3, 2), "p50"), ValueError, "normalisation"),
        (lambda: cv.normalise_parameters([torch.ones(2, 2)], [torch.ones(2)], [1.0, 2.0]), ValueError, "scales"),
        (lambda: cv.normalise_parameters([torch.ones(2, 2)], [torch.ones(3)], [1.0]), ValueError, "biases[0]"),
        (lambda: cv.normalise_parameters([torch.ones(2, 2)], [torch.ones(2)], [0.0]), ValueError, "scales[0]"),
        (lambda: cv.simulate(cv.convert(_tiny(), torch.rand(3, 2)), torch.rand(3, 2), 2.5), TypeError, "num_steps"),
        (lambda: cv.simulate(cv.convert(_tiny(), torch.rand(3, 2)), torch.rand(3, 2) * 3, 4, input="rate"), ValueError, "[0, 1]"),
        (lambda: cv.simulate(_tiny(), torch.rand(3, 2), 4), TypeError, "ConvertedNetwork"),
        (lambda: cv.make_network("resnet"), ValueError, "name"),
    ],
)
def test_bad_input_gets_clear_errors(call, err, words):
    with pytest.raises(err) as info:
        call()
    assert words in str(info.value)


def test_integers_accept_numpy_and_tensors():
    snn = cv.convert(_tiny(), torch.rand(3, 2))
    for steps in (np.int64(3), torch.tensor(3), [3]):
        assert cv.simulate(snn, torch.rand(2, 2), steps).num_steps == [3]


def test_cli_quick_run_on_bundled_subset(tmp_path):
    out = tmp_path / "conv.json"
    cmd = [
        sys.executable,
        "-m",
        "snnlib.conversion",
        "--net",
        "mlp",
        "--source",
        "bundled",
        "--num-steps",
        "4,8",
        "--epochs",
        "1",
        "--max-test",
        "100",
        "--sweep-test",
        "20",
        "--num-norm",
        "500",
        "--json",
        str(out),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rec = json.loads(out.read_text())
    assert 0 <= rec["ann_accuracy"] <= 1
    assert set(rec["snn_accuracy"]) == {"4", "8"} and all(0 <= v <= 1 for v in rec["snn_accuracy"].values())
    assert set(rec["spikes_per_image"]) == {"4", "8"}
    assert rec["at_surrogate_steps"]["num_steps"] == 25 and 0 <= rec["at_surrogate_steps"]["accuracy"] <= 1
    from snnlib.conversion.experiment import SWEEP

    assert len(rec["sweep"]["rows"]) == len(SWEEP)


def test_cli_rejects_bad_steps():
    from snnlib.conversion.experiment import parse_steps

    assert parse_steps("16,8,8") == [8, 16]
    for bad in ("", "8,x", "0,8"):
        with pytest.raises(ValueError, match="num_steps"):
            parse_steps(bad)


@pytest.mark.parametrize("path", ["benchmarks/results/conversion_mlp.json", "benchmarks/results/conversion_cnn.json"])
def test_committed_results_have_the_documented_fields(path):
    p = ROOT / path
    if not p.exists():
        pytest.skip(f"{path} not generated yet")
    rec = json.loads(p.read_text())
    assert 0 <= rec["ann_accuracy"] <= 1
    assert all(0 <= v <= 1 for v in rec["snn_accuracy"].values())
    assert set(rec["spikes_per_image"]) == set(rec["snn_accuracy"])


def test_committed_notebook_timings_meet_the_goals():
    """benchmarks/conversion_notebook_time.py's record: full mode on full MNIST within 20 minutes, quick within 1."""
    p = ROOT / "benchmarks" / "results" / "conversion_notebook_time.json"
    if not p.exists():
        pytest.skip("benchmarks/results/conversion_notebook_time.json not generated yet")
    runs = json.loads(p.read_text())["runs"]
    full, quick = runs["full"], runs["quick"]
    assert full["num_train_images"] == 60000 and full["num_test_images"] == 10000, "full mode did not read full MNIST"
    assert full["seconds"] <= 20 * 60 and quick["seconds"] <= 60


# The exercise bank of this chapter is tests/banks/bank_conversion.py (run by tests/test_exercise_banks.py).
