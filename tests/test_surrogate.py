"""Surrogate gradients: formulas, snnTorch agreement, the Heaviside forward, BPTT by hand, training."""

from __future__ import annotations

import math

import pytest
import torch

import snnlib as snl
from snnlib import surrogate as S

U = torch.arange(-600, 601, dtype=torch.float64) / 200  # -3..3, with u = 0 exactly at index 600

# The formula each surrogate's backward must equal, written out independently of the library.
FORMULAS = {
    "arctan": (2.0, lambda u, k: (k / 2) / (1 + (math.pi * k * u / 2) ** 2)),
    "fast_sigmoid": (25.0, lambda u, k: 1 / (1 + k * u.abs()) ** 2),
    "sigmoid": (25.0, lambda u, k: k * torch.exp(-k * u) / (1 + torch.exp(-k * u)) ** 2),
    "triangle": (1.0, lambda u, k: torch.where(u.abs() < 1 / k, k * (1 - k * u.abs()), torch.zeros_like(u))),
    "straight_through": (math.inf, lambda u, k: torch.ones_like(u)),
    "none": (None, lambda u, k: torch.zeros_like(u)),
}
SHARPNESS = {
    "arctan": [0.5, 2.0, 7.0],
    "fast_sigmoid": [1.0, 25.0, 100.0],
    "sigmoid": [1.0, 5.0, 25.0],
    "triangle": [0.5, 1.0, 4.0],
    "straight_through": [0.3, 1.0, math.inf],
    "none": [None],
}
CASES = [(name, k) for name, ks in SHARPNESS.items() for k in ks]


def backward_of(sur, u):
    u = u.clone().requires_grad_(True)
    spk = sur(u)
    spk.backward(torch.ones_like(spk))
    return spk.detach(), u.grad


def expected_derivative(name, u, k):
    if name == "straight_through" and math.isfinite(k):
        return (u.abs() <= k).double()
    return FORMULAS[name][1](u, k)


@pytest.mark.parametrize("name,k", CASES)
def test_backward_equals_formula(name, k):
    sur = S.get(name, k)
    _, grad = backward_of(sur, U)
    torch.testing.assert_close(grad, expected_derivative(name, U, k), rtol=1e-10, atol=1e-12)
    # the plain function used for plots is the same thing
    torch.testing.assert_close(sur.derivative(U), expected_derivative(name, U, k), rtol=1e-10, atol=1e-12)
    assert sur.derivative([0.0, 1.0]).dtype == torch.get_default_dtype()


@pytest.mark.parametrize("name,k", CASES)
def test_forward_is_exactly_heaviside(name, k):
    sur = S.get(name, k)
    spk, _ = backward_of(sur, U)
    assert spk.dtype == U.dtype and spk.shape == U.shape
    assert torch.equal(spk, (U > 0).double())
    assert spk[600].item() == 0.0 and U[600].item() == 0.0  # H(0) = 0, as snnTorch
    # float32 and a multi-dimensional shape
    u32 = torch.randn(4, 3, 5)
    assert torch.equal(sur(u32), (u32 > 0).float())


@pytest.mark.parametrize("ours,theirs", [
    ("arctan", lambda k: __import__("snntorch").surrogate.atan(alpha=k)),
    ("fast_sigmoid", lambda k: __import__("snntorch").surrogate.fast_sigmoid(slope=k)),
    ("sigmoid", lambda k: __import__("snntorch").surrogate.sigmoid(slope=k)),
    ("straight_through", lambda k: __import__("snntorch").surrogate.straight_through_estimator()),
])
def test_matches_snntorch(ours, theirs):
    pytest.importorskip("snntorch")
    ks = [math.inf] if ours == "straight_through" else SHARPNESS[ours]
    u = torch.linspace(-2, 2, 801, dtype=torch.float64)
    for k in ks:
        a = u.clone().requires_grad_(True)
        b = u.clone().requires_grad_(True)
        spk_a, spk_b = S.get(ours, k)(a), theirs(k)(b)
        assert torch.equal(spk_a, spk_b.double())
        spk_a.sum().backward()
        spk_b.sum().backward()
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,k", [c for c in CASES if c[0] != "none"])
def test_smooth_is_the_antiderivative_of_derivative(name, k):
    """Central finite differences of .smooth equal .derivative (away from kinks), and smooth(-inf) = 0."""
    sur = S.get(name, k)
    h = 1e-5
    u = torch.linspace(-2.5, 2.5, 501, dtype=torch.float64) + 1e-3  # avoid the kinks at 0, +-1/k, +-w
    fd = (sur.function.smooth(u + h, sur.sharpness) - sur.function.smooth(u - h, sur.sharpness)) / (2 * h)
    torch.testing.assert_close(fd, sur.function.derivative(u, sur.sharpness), rtol=1e-5, atol=1e-6)
    if math.isfinite(sur.sharpness) or name != "straight_through":
        far = sur.function.smooth(torch.tensor(-1e6, dtype=torch.float64), sur.sharpness)
        assert abs(float(far)) < 1e-5


def test_area_under_the_derivative():
    """The area is the step height: 1 for arctan, sigmoid, triangle; 2/k for fast sigmoid."""
    u = torch.linspace(-400, 400, 2_000_001, dtype=torch.float64)
    for sur, area in [(S.arctan(2.0), 1.0), (S.sigmoid(5.0), 1.0), (S.triangle(2.0), 1.0),
                      (S.fast_sigmoid(25.0), 2 / 25), (S.straight_through(0.5), 1.0)]:
        got = float(torch.trapezoid(sur.function.derivative(u, sur.sharpness), u))
        assert got == pytest.approx(area, rel=2e-3), sur


def test_arctan_often_quoted_formula_drops_the_chain_rule_factor():
    """d/du of (1/pi) arctan(pi alpha u / 2) by autograd is (alpha/2)/(1+(pi alpha u/2)^2), not (1/pi)/(1+(pi u)^2)."""
    u = torch.linspace(-1, 1, 201, dtype=torch.float64).requires_grad_(True)
    (torch.atan(math.pi * 2.0 * u / 2) / math.pi).sum().backward()
    torch.testing.assert_close(u.grad, S.arctan(2.0).function.derivative(u.detach(), 2.0))
    quoted = (1 / math.pi) / (1 + (math.pi * u.detach()) ** 2)
    torch.testing.assert_close(u.grad / quoted, torch.full_like(quoted, math.pi))  # off by pi alpha / 2 = pi


@pytest.mark.parametrize("name", [n for n in S.REGISTRY if n != "none"])
@pytest.mark.parametrize("bad", [0, 0.0, -1.0, float("nan"), -math.inf])
def test_bad_sharpness_raises(name, bad):
    with pytest.raises(ValueError, match="sharpness"):
        S.REGISTRY[name](bad)


def test_bad_sharpness_types_and_infinity():
    with pytest.raises(ValueError, match="finite"):
        S.arctan(math.inf)
    with pytest.raises(TypeError):
        S.sigmoid("25")
    with pytest.raises(TypeError):
        S.arctan(True)
    assert S.straight_through(math.inf).sharpness == math.inf
    with pytest.raises(ValueError, match="unknown surrogate"):
        S.get("tanh")
    with pytest.raises(TypeError):
        S.arctan()(1.0)


def test_registry_and_get():
    for name, factory in S.REGISTRY.items():
        sur = factory()
        assert isinstance(sur, S.Surrogate) and sur.name == name
        assert S.get(name) == sur
        if S.DEFAULT_SHARPNESS[name] is not None:
            assert sur.sharpness == S.DEFAULT_SHARPNESS[name]
    assert S.get(None) == S.arctan(2.0)
    assert S.get("sigmoid", 5.0) == S.sigmoid(5.0)
    assert repr(S.fast_sigmoid(25)) == "fast_sigmoid(slope=25)"


def test_no_surrogate_gives_exactly_zero_weight_gradient():
    torch.manual_seed(0)
    x = (torch.rand(30, 4, 8) < 0.3).float()
    fc = torch.nn.Linear(8, 5)
    for sur, zero in [(S.no_surrogate(), True), (S.arctan(), False)]:
        fc.zero_grad()
        lif = snl.neurons.LIF(beta=0.9, surrogate=sur)
        spk, mem = lif.run(fc(x) * 3)
        assert spk.sum() > 0  # the neurons do fire: the gradient vanishes all the same
        spk.sum().backward()
        if zero:
            assert torch.count_nonzero(fc.weight.grad) == 0 and torch.count_nonzero(fc.bias.grad) == 0
        else:
            assert fc.weight.grad.abs().sum() > 0
    flow = S.gradient_flow("none")
    assert float(flow["grad_norm"]) == 0.0
    assert float(S.gradient_flow("arctan")["grad_norm"]) > 0


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
    u1, s1, u2, s2 = S.two_step_forward(W, X1, X2, BETA, THR, S.arctan(2.0))
    assert float(u1) == pytest.approx(1.2) and float(s1) == 1.0
    assert float(u2) == pytest.approx(0.48) and float(s2) == 0.0
    auto = S.two_step_gradient(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0))
    assert auto == pytest.approx(HAND, rel=1e-6)
    terms = S.two_step_gradient_by_hand(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0))
    assert terms["total"] == pytest.approx(HAND, rel=1e-6)
    assert terms["t1"] == pytest.approx(1.5 * SP1) and terms["t2_back"] == pytest.approx(-0.9 * 1.5 * SP2)
    assert terms["reset"] == 0.0
    attached = S.two_step_gradient(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0), detach_reset=False)
    assert attached == pytest.approx(HAND_ATTACHED, rel=1e-6)
    assert S.two_step_gradient_by_hand(W, X1, X2, Y1, Y2, BETA, THR, S.arctan(2.0), detach_reset=False)["total"] == \
        pytest.approx(HAND_ATTACHED, rel=1e-6)


def test_two_step_matches_the_library_lif_neuron():
    """The same two steps run through snl.neurons.lif_run give the same gradient (it detaches the reset)."""
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([X1, X2], dtype=torch.float64).reshape(2, 1, 1)
    spk, mem = snl.neurons.lif_run(w * x, snl.neurons.LIFParams(beta=BETA, threshold=THR), None, S.arctan(2.0))
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
            auto = S.two_step_gradient(w, x1, x2, y1, y2, 0.8, 1.0, name, detach)
            hand = S.two_step_gradient_by_hand(w, x1, x2, y1, y2, 0.8, 1.0, name, detach)["total"]
            assert auto == pytest.approx(hand, rel=1e-6, abs=1e-9)


def test_van_rossum_loss():
    a = torch.zeros(20)
    b = torch.zeros(20)
    a[5], b[6] = 1, 1
    assert float(S.van_rossum_loss(a, a)) == 0.0
    near, far = S.van_rossum_loss(a, b), S.van_rossum_loss(a, torch.zeros(20))
    assert 0 < float(near) < float(far)
    with pytest.raises(ValueError, match=r"\[T, \.\.\.\]"):
        S.van_rossum_loss(a, torch.zeros(19))


def test_neuron_reaches_target_spike_times():
    targets = [12, 30, 47]
    res = S.train_spike_times(targets, T=60, steps=300, seed=0)
    assert res.reached, f"fired at {res.spike_times}, wanted {targets}"
    assert res.spike_times == targets == res.target_times
    assert res.spk_start.nonzero().flatten().tolist() != targets  # it had to learn


def test_no_surrogate_cannot_learn_spike_times():
    res = S.train_spike_times([12, 30, 47], T=60, steps=20, surrogate="none", seed=0)
    assert not res.reached
    assert torch.equal(res.spk, res.spk_start)  # zero gradient: the weights never moved


def test_toy_dataset_and_shapes():
    x, y = S.toy_dataset(50, "moons")
    assert x.shape == (50, 2) and y.shape == (50,) and set(y.tolist()) == {0, 1}
    net = S.ToySNN(T=7, hidden=4)
    spk, mem = net(x)
    assert spk.shape == mem.shape == (7, 50, 2)
    assert S.decode(spk, mem).shape == (50,)
    with pytest.raises(ValueError, match="kind"):
        S.toy_dataset(10, "spirals")
    with pytest.raises(ValueError, match=r"\[T, B, C\]"):
        S.spike_loss(spk[0], mem[0], y)


def test_small_network_learns_the_toy_task():
    x, y = S.toy_dataset(200, "moons", seed=0)
    res = S.train_toy(x, y, "arctan", epochs=8, hidden=16, T=8, lr=0.03)
    assert res.final_accuracy >= 0.8
    assert res.losses[-1] < res.losses[0]
    dead = S.train_toy(x, y, "none", epochs=2, hidden=16, T=8)
    # without a surrogate only the output layer's membrane path learns: the hidden weights never move
    assert dead.model.fc1.weight.grad is None or torch.count_nonzero(dead.model.fc1.weight.grad) == 0


# --- exercise checks ------------------------------------------------------------------------------


def _make_fn(forward, backward):
    class Fn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u):
            ctx.save_for_backward(u)
            return forward(u)

        @staticmethod
        def backward(ctx, grad_output):
            (u,) = ctx.saved_tensors
            return backward(u, grad_output)

    return Fn


def test_check_surrogate_function_accepts_a_right_answer_and_explains_wrong_ones():
    from snnlib.exercises import check_surrogate_function as check

    step = lambda u: (u > 0).to(u.dtype)
    right = _make_fn(step, lambda u, g: g / (1 + 10 * u.abs()) ** 2)
    assert check(right)
    cases = {
        "fires at u = 0": _make_fn(lambda u: (u >= 0).to(u.dtype), lambda u, g: g / (1 + 10 * u.abs()) ** 2),
        "not binary": _make_fn(lambda u: torch.sigmoid(10 * u), lambda u, g: g / (1 + 10 * u.abs()) ** 2),
        "ignores grad_output": _make_fn(step, lambda u, g: 1 / (1 + 10 * u.abs()) ** 2),
        "10 times too large": _make_fn(step, lambda u, g: 10 * g / (1 + 10 * u.abs()) ** 2),
        "straight-through": _make_fn(step, lambda u, g: g),
        "check the formula": _make_fn(step, lambda u, g: g / (1 + 10 * u.abs())),
    }
    for phrase, fn in cases.items():
        fb = check(fn)
        assert not fb and phrase in fb.message, (phrase, fb.message)
    assert not check(lambda u: (u > 0).float())  # a plain function: no gradient flows


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
