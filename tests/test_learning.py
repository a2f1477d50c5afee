"""snnlib.learning: gradient flow, BPTT by hand over two steps, spike-time and toy-set training."""

from __future__ import annotations

import math

import pytest
import torch

import snnlib as snl
from snnlib import learning as L
from snnlib import surrogate as S


def test_gradient_flow_is_zero_without_a_surrogate():
    flow = L.gradient_flow("none")
    assert isinstance(flow, L.GradientFlowResult)
    assert float(flow.grad_norm) == 0.0
    assert float(L.gradient_flow("arctan").grad_norm) > 0
    f = L.gradient_flow("sigmoid", 5.0, num_steps=12, n_inputs=4, n_neurons=3)
    assert f.mem.shape == f.spk.shape == f.grad_mem.shape == (12, 3) and f.grad_w.shape == (3, 4)
    assert f.u.shape == f.smooth.shape == f.derivative.shape == (401,)
    with pytest.raises(TypeError, match="num_steps"):
        L.gradient_flow("arctan", num_steps=2.5)


# --- BPTT, two steps, by hand -------------------------------------------------------------------
#
# One neuron, weight w, inputs x1, x2, beta, threshold thr, U[0] = 0, arctan surrogate with alpha = 2,
# so s'(u) = 1 / (1 + (pi u)^2).
#   U1 = w x1,                          S1 = H(U1 - thr)
#   U2 = beta U1 + w x2 - S1 thr,       S2 = H(U2 - thr)        (S1 detached in the reset)
#   L  = (S1 - y1)^2 / 2 + (S2 - y2)^2 / 2
# Chain rule, summing over every path from w to L (the weight is shared by both steps):
#   dL/dw = (S1 - y1) s'(U1 - thr) dU1/dw + (S2 - y2) s'(U2 - thr) dU2/dw
#   dU1/dw = x1;   dU2/dw = beta dU1/dw + x2 = beta x1 + x2     (the reset path is cut)
#
# Worked numbers: w = 0.8, x1 = 1.5, x2 = 0.5, beta = 0.9, thr = 1, y1 = 0, y2 = 1.
#   U1 = 1.2 -> S1 = 1;   U2 = 0.9 * 1.2 + 0.4 - 1 = 0.48 -> S2 = 0
#   s'(U1 - thr) = s'(0.2)   = 1 / (1 + (0.2 pi)^2)
#   s'(U2 - thr) = s'(-0.52) = 1 / (1 + (0.52 pi)^2)
#   dL/dw = (1 - 0) s'(0.2) * 1.5 + (0 - 1) s'(-0.52) * (0.9 * 1.5 + 0.5)
#         = 1.5 / (1 + 0.04 pi^2) - 1.85 / (1 + 0.2704 pi^2)
# With the reset attached, dU2/dw gains -thr s'(U1 - thr) x1, adding (0 - 1) * s'(-0.52) * (-1.5 s'(0.2)).
W, X1, X2, BETA, THR, Y1, Y2 = 0.8, 1.5, 0.5, 0.9, 1.0, 0.0, 1.0
SP1 = 1 / (1 + (0.2 * math.pi) ** 2)
SP2 = 1 / (1 + (0.52 * math.pi) ** 2)
HAND = 1.5 * SP1 - 1.85 * SP2
HAND_ATTACHED = HAND + (-1.0) * SP2 * (-1.5 * SP1)


def test_two_step_bptt_equals_hand_derivation():
    u1, s1, u2, s2 = L.two_step_forward(W, X1, X2, BETA, THR, S.arctan(2.0))
    assert float(u1) == pytest.approx(1.2) and float(s1) == 1.0
    assert float(u2) == pytest.approx(0.48) and float(s2) == 0.0
    auto = L.two_step_gradient(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0))
    assert auto == pytest.approx(HAND, rel=1e-6)
    terms = L.two_step_gradient_by_hand(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0))
    assert terms["total"] == pytest.approx(HAND, rel=1e-6)
    assert terms["t1"] == pytest.approx(1.5 * SP1) and terms["t2_back"] == pytest.approx(-0.9 * 1.5 * SP2)
    assert terms["reset"] == 0.0
    attached = L.two_step_gradient(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0), detach_reset=False)
    assert attached == pytest.approx(HAND_ATTACHED, rel=1e-6)
    assert L.two_step_gradient_by_hand(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0), detach_reset=False)["total"] == pytest.approx(
        HAND_ATTACHED, rel=1e-6
    )


def test_two_step_matches_the_library_lif_neuron():
    """The same two steps run through snl.neurons.lif_run give the same gradient (it detaches the reset)."""
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([X1, X2], dtype=torch.float64).reshape(2, 1, 1)
    spk, _mem = snl.neurons.lif_run(w * x, snl.neurons.LIFParams(beta=BETA, threshold=THR), None, S.arctan(2.0))
    loss = 0.5 * (spk[0] - Y1) ** 2 + 0.5 * (spk[1] - Y2) ** 2
    loss.sum().backward()
    assert float(w.grad) == pytest.approx(HAND, rel=1e-6)


@pytest.mark.parametrize("name", ["arctan", "fast_sigmoid", "sigmoid", "triangle", "straight_through"])
def test_two_step_hand_formula_for_every_surrogate(name):
    gen = torch.Generator().manual_seed(1)
    for _ in range(20):
        w, x1, x2 = (torch.rand(3, generator=gen) * 2).tolist()
        y1, y2 = (torch.rand(2, generator=gen) < 0.5).float().tolist()
        for detach in (True, False):
            auto = L.two_step_gradient(w, x1, x2, y1, y2, 0.8, 1.0, name, detach)
            hand = L.two_step_gradient_by_hand(w, x1, x2, y1, y2, 0.8, 1.0, name, detach)["total"]
            assert auto == pytest.approx(hand, rel=1e-6, abs=1e-9)


def test_van_rossum_loss():
    a = torch.zeros(20)
    b = torch.zeros(20)
    a[5], b[6] = 1, 1
    assert float(L.van_rossum_loss(a, a)) == 0.0
    near, far = L.van_rossum_loss(a, b), L.van_rossum_loss(a, torch.zeros(20))
    assert 0 < float(near) < float(far)
    with pytest.raises(ValueError, match=r"\[T, \.\.\.\]"):
        L.van_rossum_loss(a, torch.zeros(19))


def test_neuron_reaches_target_spike_times():
    targets = [12, 30, 47]
    res = L.train_spike_times(targets, num_steps=60, max_iterations=300, seed=0)
    assert res.reached, f"fired at {res.spike_times}, wanted {targets}"
    assert res.spike_times == targets == res.target_times
    assert res.spk_start.nonzero().flatten().tolist() != targets  # it had to learn


def test_no_surrogate_cannot_learn_spike_times():
    res = L.train_spike_times([12, 30, 47], num_steps=60, max_iterations=20, surrogate="none", seed=0)
    assert not res.reached
    assert torch.equal(res.spk, res.spk_start)  # zero gradient: the weights never moved


def test_toy_dataset_and_shapes():
    x, y = L.toy_dataset(50, "moons")
    assert x.shape == (50, 2) and y.shape == (50,) and set(y.tolist()) == {0, 1}
    net = L.ToySNN(num_steps=7, hidden=4)
    spk, mem = net(x)
    assert spk.shape == mem.shape == (7, 50, 2)
    assert L.predict_class(spk, mem).shape == (50,)
    with pytest.raises(ValueError, match="kind"):
        L.toy_dataset(10, "spirals")
    with pytest.raises(ValueError, match=r"\[T, B, C\]"):
        L.spike_loss(spk[0], mem[0], y)


def test_small_network_learns_the_toy_task():
    x, y = L.toy_dataset(200, "moons", seed=0)
    res = L.train_toy(x, y, "arctan", epochs=8, hidden=16, num_steps=8, lr=0.03)
    assert res.final_accuracy >= 0.8
    assert res.losses[-1] < res.losses[0]
    dead = L.train_toy(x, y, "none", epochs=2, hidden=16, num_steps=8)
    # without a surrogate only the output layer's membrane path learns: the hidden weights never move
    assert dead.model.fc1.weight.grad is None or torch.count_nonzero(dead.model.fc1.weight.grad) == 0


def test_results_have_one_type_and_separate_fields():
    fwd = L.two_step_forward(0.8, 1.5, 0.5)
    assert isinstance(fwd, L.TwoStepForward) and float(fwd.u1) == pytest.approx(1.2)
    res = L.train_spike_times([5], num_steps=10, max_iterations=3, seed=0)
    assert isinstance(res, L.SpikeTimeResult) and res.iterations == len(res.losses) <= 3
    x, y = L.toy_dataset(40, "xor", seed=1)
    run = L.train_toy(x, y, epochs=1, hidden=4, num_steps=3)
    assert isinstance(run, L.ToyTrainResult) and isinstance(run.model, L.ToySNN)
    assert len(run.losses) == len(run.accuracies) == 1
    assert run.model.num_steps == 3
    assert L.predict_class(torch.zeros(3, 2, 4)).dtype == torch.long


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: L.toy_dataset(1), ValueError, "n must be an integer >= 2"),
        (lambda: L.toy_dataset(10, noise=-0.1), ValueError, "noise"),
        (lambda: L.ToySNN(num_steps=0), ValueError, "num_steps"),
        (lambda: L.ToySNN()(torch.zeros(5, 3)), ValueError, r"\[B, n_in\]"),
        (
            lambda: L.spike_loss(torch.zeros(3, 2, 2), torch.zeros(3, 2, 2), torch.zeros(2, dtype=torch.long), "mse"),
            ValueError,
            "kind",
        ),
        (
            lambda: L.spike_loss(torch.zeros(3, 2, 2), torch.zeros(3, 2, 2), torch.zeros(4, dtype=torch.long)),
            ValueError,
            r"\[B\]",
        ),
        (lambda: L.predict_class(torch.zeros(3, 2, 2), torch.zeros(3, 2, 3)), ValueError, r"\[T, B, C\]"),
        (lambda: L.train_toy(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long)), ValueError, r"\[n\]"),
        (lambda: L.train_toy(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), epochs=0), ValueError, "epochs"),
        (lambda: L.train_spike_times([70], num_steps=60), ValueError, "target_times"),
        (lambda: L.train_spike_times([1.5]), TypeError, "target_times"),
        (lambda: L.spike_time_inputs(rate=0.0), ValueError, "rate"),
        (lambda: L.van_rossum_loss(torch.zeros(5), torch.zeros(5), tau=0), ValueError, "tau"),
        (lambda: L.two_step_forward(0.8, 1.5, 0.5, beta=1.5), ValueError, "beta"),
        (lambda: L.two_step_gradient(0.8, 1.5, 0.5, 0.0, 1.0, detach_reset="yes"), TypeError, "detach_reset"),
        (lambda: L.gradient_flow("arctan", num_steps=0), ValueError, "num_steps"),
    ],
)
def test_bad_input_raises(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_check_bptt_gradient_spots_the_missing_paths():
    from snnlib.exercises import check_bptt_gradient as check

    def sp(u):
        return 1 / (1 + (math.pi * u) ** 2)

    def grad(w, x1, x2, y1, y2, beta, thr, back=True, reset=False):
        u1 = w * x1
        s1 = float(u1 > thr)
        u2 = beta * u1 + w * x2 - s1 * thr
        s2 = float(u2 > thr)
        du2 = x2 + (beta * x1 if back else 0.0) + (-thr * sp(u1 - thr) * x1 if reset else 0.0)
        return (s1 - y1) * sp(u1 - thr) * x1 + (s2 - y2) * sp(u2 - thr) * du2

    assert check(grad)
    fb = check(lambda *a: grad(*a, back=False))
    assert not fb and "one step back" in fb.message
    fb = check(lambda *a: grad(*a, reset=True))
    assert not fb and "reset" in fb.message
