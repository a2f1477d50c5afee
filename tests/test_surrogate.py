"""snnlib.surrogate: formulas, snnTorch agreement, the Heaviside forward, the registry, bad input."""

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


@pytest.mark.parametrize(
    "ours,theirs",
    [
        ("arctan", lambda k: __import__("snntorch").surrogate.atan(alpha=k)),
        ("fast_sigmoid", lambda k: __import__("snntorch").surrogate.fast_sigmoid(slope=k)),
        ("sigmoid", lambda k: __import__("snntorch").surrogate.sigmoid(slope=k)),
        ("straight_through", lambda k: __import__("snntorch").surrogate.straight_through_estimator()),
    ],
)
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
    for sur, area in [
        (S.arctan(2.0), 1.0),
        (S.sigmoid(5.0), 1.0),
        (S.triangle(2.0), 1.0),
        (S.fast_sigmoid(25.0), 2 / 25),
        (S.straight_through(0.5), 1.0),
    ]:
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


def test_one_registry_names_and_defaults_come_from_it():
    assert S.NAMES == tuple(S.REGISTRY) == ("arctan", "fast_sigmoid", "sigmoid", "triangle", "straight_through", "none")
    assert set(S.DEFAULT_SHARPNESS) == set(S.NAMES)
    assert {
        "arctan": 2.0,
        "fast_sigmoid": 25.0,
        "sigmoid": 25.0,
        "triangle": 1.0,
        "straight_through": math.inf,
        "none": None,
    } == S.DEFAULT_SHARPNESS
    assert S.get(None) == S.get(S.DEFAULT)
    assert S.get("none", 5.0) == S.no_surrogate()  # no sharpness parameter: ignored
    sur = S.arctan(3.0)
    assert S.get(sur) is sur
    with pytest.raises(ValueError, match="sharpness"):
        S.get(sur, 2.0)
    with pytest.raises(TypeError, match="surrogate must be a name"):
        S.get(2.0)
    with pytest.raises(ValueError, match="one of arctan, fast_sigmoid"):
        S.get("atan")


def test_sharpness_of_every_numeric_kind_and_bad_inputs():
    import numpy as np

    assert S.arctan(np.float32(2.0)) == S.arctan(2.0) == S.arctan(2) == S.arctan(torch.tensor(2.0))
    with pytest.raises(TypeError, match="u"):
        S.heaviside([0.5, -0.5])
    assert S.heaviside(torch.tensor([1, 0, -1])).tolist() == [1.0, 0.0, 0.0]
    assert S.arctan()(torch.zeros(0)).shape == (0,)


def test_no_surrogate_gives_exactly_zero_weight_gradient():
    torch.manual_seed(0)
    x = (torch.rand(30, 4, 8) < 0.3).float()
    fc = torch.nn.Linear(8, 5)
    for sur, zero in [(S.no_surrogate(), True), (S.arctan(), False)]:
        fc.zero_grad()
        lif = snl.neurons.LIF(beta=0.9, surrogate=sur)
        spk, _mem = lif.run(fc(x) * 3)
        assert spk.sum() > 0  # the neurons do fire: the gradient vanishes all the same
        spk.sum().backward()
        if zero:
            assert torch.count_nonzero(fc.weight.grad) == 0 and torch.count_nonzero(fc.bias.grad) == 0
        else:
            assert fc.weight.grad.abs().sum() > 0
