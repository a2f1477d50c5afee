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


# --- the multilayer BPTT recursion, by hand, against autograd ------------------------------------


def _stack(sizes, T=15, B=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = (torch.rand(T, B, sizes[0], generator=gen, dtype=torch.float64) < 0.4).double()
    ws = [
        (torch.randn(n_out, n_in, generator=gen, dtype=torch.float64) * 0.9).requires_grad_(True)
        for n_in, n_out in zip(sizes, sizes[1:])
    ]
    y = (torch.rand(T, B, sizes[-1], generator=gen) < 0.3).double()
    return x, ws, y


@pytest.mark.parametrize("name", ["arctan", "fast_sigmoid", "sigmoid", "triangle", "straight_through"])
def test_two_layer_bptt_recursion_equals_autograd(name):
    """delta^l[t] = e^l[t] s'(U^l[t] - thr) + beta delta^l[t+1], e^l = W^(l+1)^T delta^(l+1): a
    two-layer net's weight gradients equal autograd's through snl.neurons.lif_run."""
    x, ws, y = _stack([6, 8, 3])
    rec = L.lif_stack_forward(x, ws, beta=0.85, threshold=1.0, surrogate=name)
    assert [int(s.sum()) > 0 for s in rec.spk] == [True, True]  # both layers fire
    loss = 0.5 * ((rec.spk[-1] - y) ** 2).sum()
    auto = torch.autograd.grad(loss, ws)
    hand = L.bptt_by_hand(x, ws, rec.spk[-1].detach() - y, beta=0.85, threshold=1.0, surrogate=name)
    assert len(hand) == 2
    for a, h in zip(auto, hand):
        assert a.shape == h.shape
        assert float(a.abs().max()) > 0
        torch.testing.assert_close(h, a, rtol=1e-10, atol=1e-12)


def test_three_layer_recursion_and_a_count_loss():
    """Three layers, a loss on the spike counts: the recursion takes dL/dS^L[t] from autograd."""
    x, ws, _ = _stack([5, 7, 6, 2], T=12, seed=3)
    rec = L.lif_stack_forward(x, ws)
    out = rec.spk[-1]
    loss = torch.nn.functional.cross_entropy(out.sum(0), torch.tensor([0, 1, 1]))
    (g_spk,) = torch.autograd.grad(loss, out, retain_graph=True)
    auto = torch.autograd.grad(loss, ws)
    hand = L.bptt_by_hand(x, ws, g_spk)
    for a, h in zip(auto, hand):
        torch.testing.assert_close(h, a, rtol=1e-10, atol=1e-12)


def test_bptt_delta_is_the_unrolled_single_layer_formula():
    """delta[s] = sum_{t >= s} beta^(t - s) e[t] s'(U[t] - thr), the single-layer formula of the text."""
    gen = torch.Generator().manual_seed(0)
    e = torch.randn(9, 2, 3, generator=gen, dtype=torch.float64)
    mem = 1 + 0.5 * torch.randn(9, 2, 3, generator=gen, dtype=torch.float64)
    beta = 0.8
    slope = S.arctan(2.0).derivative(mem - 1.0)
    want = torch.stack([sum(beta ** (t - s) * e[t] * slope[t] for t in range(s, 9)) for s in range(9)])
    torch.testing.assert_close(L.bptt_delta(e, mem, beta, 1.0), want)
    assert L.bptt_delta(e.float(), mem.float(), beta).dtype == torch.float32


def test_stack_and_recursion_check_their_arguments():
    x, ws, _ = _stack([4, 3, 2], T=5)
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        L.lif_stack_forward(x, [ws[0], torch.zeros(2, 4, dtype=torch.float64)])
    with pytest.raises(TypeError, match="weights"):
        L.lif_stack_forward(x, ws[0])
    with pytest.raises(ValueError, match=r"\[T, B, n_0\]"):
        L.lif_stack_forward(x[0], ws)
    with pytest.raises(ValueError, match=r"grad_spk must have shape \[T, B, n_L\]"):
        L.bptt_by_hand(x, ws, torch.zeros(5, 3, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="mem"):
        L.bptt_delta(torch.zeros(4, 2, 3), torch.zeros(4, 2, 2))


# --- the toy network, its losses, the studies ---------------------------------------------------


def test_toy_network_on_the_engine_equals_the_step_loop():
    """ToySNN runs each layer over all steps at once; spikes, membranes and gradients equal a
    loop over snl.neurons.LIF steps."""
    torch.manual_seed(0)
    net = L.ToySNN(2, 16, 2, 12, surrogate="sigmoid")
    x, y = L.toy_dataset(60, "moons")

    def by_steps(x):
        mem1 = mem2 = None
        spikes, mems = [], []
        for _ in range(net.num_steps):
            s1, mem1 = net.lif1(net.fc1(x), mem1)
            s2, mem2 = net.lif2(net.fc2(s1), mem2)
            spikes.append(s2)
            mems.append(mem2)
        return torch.stack(spikes), torch.stack(mems)

    spk, mem = net(x)
    spk_ref, mem_ref = by_steps(x)
    assert torch.equal(spk, spk_ref)
    torch.testing.assert_close(mem, mem_ref)
    for kind in ("membrane", "count"):
        g = torch.autograd.grad(L.spike_loss(spk, mem, y, kind), list(net.parameters()), retain_graph=True)
        g_ref = torch.autograd.grad(L.spike_loss(spk_ref, mem_ref, y, kind), list(net.parameters()), retain_graph=True)
        for a, b in zip(g, g_ref):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    spk_t, _ = net(x.unsqueeze(0).expand(12, *x.shape))  # time-first input
    assert torch.equal(spk_t, spk)


def test_membrane_loss_is_the_mean_over_time_as_the_text_says():
    gen = torch.Generator().manual_seed(0)
    mem = torch.randn(7, 5, 3, generator=gen)
    spk = (mem > 0.5).float()
    y = torch.tensor([0, 2, 1, 1, 0])
    per_step = [torch.nn.functional.cross_entropy(mem[t], y) for t in range(7)]
    torch.testing.assert_close(L.spike_loss(spk, mem, y, "membrane"), torch.stack(per_step).mean())
    torch.testing.assert_close(L.spike_loss(spk, mem, y, "count"), torch.nn.functional.cross_entropy(spk.sum(0), y))


def test_scaled_surrogate_scales_only_the_backward_pass():
    base = S.arctan(2.0)
    quoted = L.scaled_surrogate(base, 1 / math.pi)
    u = torch.linspace(-1, 1, 21, dtype=torch.float64, requires_grad=True)
    assert torch.equal(quoted(u), base(u))
    quoted(u).sum().backward()
    torch.testing.assert_close(u.grad, (1 / math.pi) / (1 + (math.pi * u.detach()) ** 2))  # snnTorch's docstring
    assert quoted.name != base.name and "arctan" in repr(quoted)
    # no engine kernel claims it, so the toy network still uses the scaled derivative
    cur = torch.randn(6, 3, 4, dtype=torch.float64, requires_grad=True)
    spk, _, backend = snl.engine.lif_multistep(cur, 0.9, 1.0, surrogate=quoted)
    assert backend != "cpu"
    spk.sum().backward()
    g_scaled = cur.grad.clone()
    cur.grad = None
    snl.engine.lif_multistep(cur, 0.9, 1.0, surrogate=base, backend="fused").spk.sum().backward()
    torch.testing.assert_close(g_scaled, cur.grad / math.pi)
    with pytest.raises(ValueError, match="factor"):
        L.scaled_surrogate("arctan", 0.0)


def test_adam_cancels_a_constant_factor_on_the_surrogate_and_sgd_does_not():
    x, y = L.toy_dataset(100, "moons", seed=0)
    study = L.scale_study(x, y, "arctan", 1 / math.pi, {"adam": 0.02, "sgd": 0.5}, epochs=4, num_steps=8, loss_kind="count")
    assert set(study.runs) == {"adam", "sgd"} and study.factor == pytest.approx(1 / math.pi)
    assert study.loss_gap("adam") < 1e-3
    assert study.loss_gap("sgd") > 10 * study.loss_gap("adam")
    with pytest.raises(ValueError, match="optimizer"):
        study.loss_gap("rmsprop")


def test_seed_study_records_accuracy_and_silent_outputs():
    x, y = L.toy_dataset(100, "moons", seed=0)
    study = L.seed_study(x, y, {"arctan": "arctan", "none": "none"}, seeds=[0, 1], epochs=2, num_steps=6, loss_kind="count")
    assert study.labels == ("arctan", "none") and study.seeds == (0, 1)
    assert study.accuracy.shape == study.losses.shape == (2, 2, 2)
    assert study.dead.shape == study.dead_peak.shape == study.dead_slope.shape == (2, 2)
    assert 0 <= study.trained("arctan") <= 2 and 0 <= study.mean("none") <= 1 and study.std("none") >= 0
    failed, dead = study.failed_with_dead_output("none")
    assert 0 <= dead <= failed <= 2
    assert study.epochs_to_target("arctan").shape == (2,)
    silent = study.dead > 0
    assert bool(torch.isnan(study.dead_peak[~silent]).all()) and not bool(torch.isnan(study.dead_peak[silent]).any())
    assert bool((study.dead_peak[silent] <= 0).all())  # a silent neuron never crossed threshold
    assert "of 2 seeds" in study.summary("arctan")
    with pytest.raises(ValueError, match="label"):
        study.mean("sigmoid")
    with pytest.raises(ValueError, match="seeds"):
        L.seed_study(x, y, ["arctan"], seeds=[])
    with pytest.raises(TypeError, match="surrogates"):
        L.seed_study(x, y, "arctan")


def test_train_toy_optimizers_and_initial_weights():
    x, y = L.toy_dataset(40, "moons", seed=0)
    run = L.train_toy(x, y, epochs=1, hidden=4, num_steps=3, optimizer="sgd", lr=0.1)
    assert set(run.initial) == {n for n, _ in run.model.named_parameters()}
    assert set(L.OPTIMIZERS) == {"adam", "sgd"}
    with pytest.raises(ValueError, match="optimizer"):
        L.train_toy(x, y, epochs=1, optimizer="lbfgs")
