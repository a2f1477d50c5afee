"""snnlib.neurons: analytic solutions, Euler's order, f-I curves, snnTorch equivalence, refractoriness, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from snnlib import neurons as N
from snnlib import surrogate

snn = pytest.importorskip("snntorch")

RESETS = ["subtract", "zero", "none"]


def run_leaky(ref, x):
    """snnTorch's snn.Leaky over a [T, B, N] input, returning stacked spikes and membranes."""
    mem = ref.reset_mem()
    spikes, mems = [], []
    for t in range(x.shape[0]):
        spk, mem = ref(x[t], mem)
        spikes.append(spk)
        mems.append(mem)
    return torch.stack(spikes), torch.stack(mems)


def isi_steps(spk_1d):
    idx = torch.nonzero(spk_1d).flatten()
    return torch.diff(idx)


# ---------------------------------------------------------------------------------------------
# Charging curve and Euler's order
# ---------------------------------------------------------------------------------------------


def test_physical_simulation_matches_analytic_charging_curve_below_threshold():
    p = N.PhysicalLIFParams(dt=0.02, V_th=0.0)  # threshold out of reach
    current = 1.2  # nA: V_inf = -65 + 12 = -53 mV
    T = int(40 / p.dt)
    spk, v = N.physical_lif_run(torch.full((T,), current, dtype=torch.float64), p)
    assert spk.sum() == 0
    t = (torch.arange(T, dtype=torch.float64) + 1) * p.dt
    exact = N.charging_curve(t, current, p)
    assert np.abs(v.numpy() - exact).max() < 0.02  # mV, at dt = 0.02 ms
    # and the Euler recursion's own closed form holds to rounding error
    euler = N.euler_charging_curve(np.arange(1, T + 1), current, p)
    assert np.abs(v.numpy() - euler).max() < 1e-9


def test_discrete_simulation_matches_discrete_charging_curve():
    for beta in (0.0, 0.5, 0.93, 1.0):
        cur = torch.full((40, 1), 0.05, dtype=torch.float64)
        spk, mem = N.lif_run(cur, N.LIFParams(beta, threshold=100.0, reset="none"))
        closed = N.discrete_charging_curve(np.arange(1, 41), 0.05, beta)
        assert spk.sum() == 0
        np.testing.assert_allclose(mem[:, 0].numpy(), closed, rtol=1e-12, atol=1e-12)


def test_euler_beta_form_equals_physical_euler():
    # U[t+1] = beta U[t] + (1 - beta) R I with beta = 1 - dt/tau is the physical Euler step (from E_L = 0).
    p = N.PhysicalLIFParams(E_L=0.0, V_reset=0.0, V_th=1e9, dt=0.5)
    current = 0.7
    T = 60
    _, v = N.physical_lif_run(torch.full((T,), current, dtype=torch.float64), p)
    cur = torch.full((T, 1), (1 - p.beta) * p.R * current, dtype=torch.float64)
    _, mem = N.lif_run(cur, N.LIFParams(p.beta, threshold=1e9, reset="none"))
    np.testing.assert_allclose(mem[:, 0].numpy(), v.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mem[:, 0].numpy(), p.R * current * (1 - p.beta ** np.arange(1, T + 1)), rtol=1e-12)


def euler_max_error(dt: float) -> float:
    p = N.PhysicalLIFParams(dt=dt, V_th=0.0)
    T = round(40.0 / dt)
    _, v = N.physical_lif_run(torch.full((T,), 1.0, dtype=torch.float64), p)
    t = (np.arange(T) + 1) * dt
    return float(np.abs(v.numpy() - N.charging_curve(t, 1.0, p)).max())


def test_euler_error_shrinks_linearly_with_dt():
    dts = np.array([0.8, 0.4, 0.2, 0.1, 0.05])
    errs = np.array([euler_max_error(dt) for dt in dts])
    assert np.all(np.diff(errs) < 0)
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert 0.9 < slope < 1.1, slope


def test_beta_helpers():
    assert N.beta_euler(1.0, 10.0) == pytest.approx(0.9)
    assert N.beta_exact(1.0, 10.0) == pytest.approx(math.exp(-0.1))
    assert N.tau_from_beta(N.beta_exact(0.5, 7.0), 0.5) == pytest.approx(7.0)
    # Euler's beta is below the exact one, and they agree to first order in dt/tau
    for r in (0.5, 0.1, 0.01):
        e, x = N.beta_euler(r, 1.0), N.beta_exact(r, 1.0)
        assert e < x and x - e == pytest.approx(r**2 / 2, rel=0.5)


# ---------------------------------------------------------------------------------------------
# f-I curves
# ---------------------------------------------------------------------------------------------


def test_physical_simulated_rates_match_exact_euler_rate_and_continuous_f_i_curve():
    p = N.PhysicalLIFParams(dt=0.05)
    currents = torch.tensor([1.0, 1.6, 2.0, 3.0, 5.0, 10.0], dtype=torch.float64)
    T = int(200 / p.dt)
    spk, _ = N.physical_lif_run(currents.expand(T, -1).clone(), p)
    exact_euler = N.euler_rate(currents, p)
    for j in range(len(currents)):
        isi = isi_steps(spk[:, j])
        if exact_euler[j] == 0:
            assert spk[:, j].sum() == 0
            continue
        assert torch.all(isi == isi[0]), "constant current: periodic spikes"
        assert 1000.0 / (float(isi[0]) * p.dt) == pytest.approx(exact_euler[j], rel=1e-9)
    # Euler's rate tends to the continuous f-I curve (error of order dt)
    cont = N.analytic_rate(currents, p)
    assert cont[0] == 0 and N.analytic_rate(p.rheobase * 0.999, p) == 0
    on = cont > 0
    np.testing.assert_allclose(exact_euler[on], cont[on], rtol=0.05)
    fine = N.euler_rate(currents, N.PhysicalLIFParams(dt=0.001))
    np.testing.assert_allclose(fine[on], cont[on], rtol=0.002)
    assert N.analytic_rate(1e6, p) == pytest.approx(1000.0 / p.t_ref, rel=1e-3)


def test_current_for_rate_inverts_the_f_i_curve():
    p = N.PhysicalLIFParams()
    for rate in (10.0, 20.0, 100.0, 400.0):
        assert N.analytic_rate(N.current_for_rate(rate, p), p) == pytest.approx(rate, rel=1e-9)
    with pytest.raises(ValueError, match="maximum"):
        N.current_for_rate(1000.0 / p.t_ref, p)


@pytest.mark.parametrize("K", [0, 1, 3])
@pytest.mark.parametrize("beta", [0.0, 0.7, 0.95, 1.0])
def test_discrete_zero_reset_rate_matches_closed_form(beta, K):
    currents = torch.tensor([0.013, 0.041, 0.083, 0.21, 0.55, 1.5], dtype=torch.float64)
    T = 400
    spk, _ = N.lif_run(currents.expand(T, -1).clone(), N.LIFParams(beta, 1.0, "zero", K))
    n_star = N.discrete_steps_to_threshold(currents, beta, 1.0)
    rate = N.discrete_rate(currents, beta, 1.0, K)
    for j in range(len(currents)):
        idx = torch.nonzero(spk[:, j]).flatten()
        if not np.isfinite(n_star[j]):
            assert len(idx) == 0 and rate[j] == 0
            continue
        assert int(idx[0]) + 1 == n_star[j]  # spk_rec[t] is S[t+1]
        assert torch.all(torch.diff(idx) == int(n_star[j]) + K)
        assert 1.0 / (int(n_star[j]) + K) == pytest.approx(rate[j])
    assert N.discrete_rate(0.2, 0.9, 1.0, 0, dt=1.0) == pytest.approx(1000.0 * N.discrete_rate(0.2, 0.9, 1.0))


# ---------------------------------------------------------------------------------------------
# snnTorch equivalence
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lif_matches_snntorch_leaky(reset, seed):
    g = torch.Generator().manual_seed(seed)
    beta = float(torch.rand(1, generator=g)) * 0.9 + 0.05
    x = torch.randn(40, 3, 7, generator=g) * 0.7 + 0.3
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    w = torch.randn(40, 3, 7, generator=g)
    s1, m1 = N.LIF(beta, reset=reset).run(x1)
    s2, m2 = run_leaky(snn.Leaky(beta=beta, reset_mechanism=reset), x2)
    assert torch.equal(s1, s2)
    torch.testing.assert_close(m1, m2)
    ((s1 * w).sum() + (m1 * w).pow(2).sum()).backward()
    ((s2 * w).sum() + (m2 * w).pow(2).sum()).backward()
    torch.testing.assert_close(x1.grad, x2.grad)
    assert s1.sum() > 0


@pytest.mark.parametrize("reset", RESETS)
def test_one_step_call_matches_snntorch(reset):
    torch.manual_seed(3)
    x = torch.randn(25, 2, 5) + 0.3
    lif, ref = N.LIF(0.85, reset=reset), snn.Leaky(beta=0.85, reset_mechanism=reset)
    mem1, mem2 = None, ref.reset_mem()
    for t in range(25):
        s1, mem1 = lif(x[t], mem1)
        s2, mem2 = ref(x[t], mem2)
        assert torch.equal(s1, s2)
        torch.testing.assert_close(mem1, mem2)


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("seed", [0, 1])
def test_learn_beta_and_threshold_gradients_match_snntorch(reset, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(30, 4, 6, generator=g) * 0.8 + 0.3
    lif = N.LIF(0.8, threshold=0.9, reset=reset, learn_beta=True, learn_threshold=True)
    ref = snn.Leaky(beta=0.8, threshold=0.9, reset_mechanism=reset, learn_beta=True, learn_threshold=True)
    s1, m1 = lif.run(x)
    s2, m2 = run_leaky(ref, x)
    assert torch.equal(s1, s2)
    (s1.sum() + m1.pow(2).sum()).backward()
    (s2.sum() + m2.pow(2).sum()).backward()
    assert isinstance(lif.beta, torch.nn.Parameter) and lif.beta.grad is not None
    assert lif.beta.grad.abs() > 0 and lif.threshold.grad.abs() > 0
    torch.testing.assert_close(lif.beta.grad, ref.beta.grad)
    torch.testing.assert_close(lif.threshold.grad, ref.threshold.grad)


def test_learn_beta_gradient_matches_finite_differences_through_the_membrane():
    torch.manual_seed(0)
    x = torch.rand(20, 2, 3, dtype=torch.float64) * 0.2
    lif = N.LIF(0.7, threshold=50.0, reset="none", learn_beta=True).double()
    _, mem = lif.run(x)
    mem.sum().backward()

    def loss(b):
        return float(N.lif_run(x, N.LIFParams(b, 50.0, "none"))[1].sum())

    fd = (loss(0.7 + 1e-6) - loss(0.7 - 1e-6)) / 2e-6
    assert float(lif.beta.grad) == pytest.approx(fd, rel=1e-6)


# ---------------------------------------------------------------------------------------------
# Refractory period
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("K", [1, 2, 5])
def test_no_spike_inside_a_refractory_period(reset, K):
    torch.manual_seed(K)
    x = torch.rand(200, 8) * 1.5  # strong drive: would often fire on consecutive steps
    spk, _mem = N.lif_run(x, N.LIFParams(0.9, 1.0, reset, K))
    free, _ = N.lif_run(x, N.LIFParams(0.9, 1.0, reset, 0))
    assert spk.sum() > 0
    assert (isi_steps(free[:, 0]) == 1).any() or reset == "zero"
    for j in range(8):
        assert torch.all(isi_steps(spk[:, j]) > K)


def test_refractory_semantics_step_by_step():
    # threshold 1, beta 0.5, constant input 0.8, K = 2, subtract
    x = torch.full((8, 1), 0.8, dtype=torch.float64)
    spk, mem = N.lif_run(x, N.LIFParams(0.5, 1.0, "subtract", 2))
    u, s, blocked_left, prev = 0.0, [], 0, 0.0
    expected = []
    for _ in range(8):
        left = 2 if prev else blocked_left
        blocked = left > 0
        u = 0.5 * u + (0.0 if blocked else 0.8) - prev * 1.0
        out = 0.0 if blocked else float(u > 1.0)
        expected.append(u)
        s.append(out)
        prev, blocked_left = out, max(left - 1, 0)
    np.testing.assert_allclose(mem[:, 0].numpy(), expected)
    assert spk[:, 0].tolist() == s
    assert spk[:, 0].tolist() == [0, 1, 0, 0, 0, 1, 0, 0]


def test_refractory_blocks_output_even_above_threshold_and_no_double_reset():
    # huge input: the membrane stays above threshold while blocked, but emits nothing and is reset once
    x = torch.full((6, 1), 5.0)
    spk, mem = N.lif_run(x, N.LIFParams(1.0, 1.0, "subtract", 2))
    assert spk[:, 0].tolist() == [1, 0, 0, 1, 0, 0]
    assert mem[:, 0].tolist() == [5.0, 4.0, 4.0, 9.0, 8.0, 8.0]


def test_refractory_zero_is_identical_to_no_refractory():
    torch.manual_seed(0)
    x = torch.randn(60, 3, 4) + 0.4
    for reset in RESETS:
        a = N.lif_run(x, N.LIFParams(0.9, 1.0, reset, 0))
        b = run_leaky(snn.Leaky(beta=0.9, reset_mechanism=reset), x)
        assert torch.equal(a[0], b[0]) and torch.allclose(a[1], b[1])


def test_refractory_one_step_calls_equal_run():
    torch.manual_seed(1)
    x = torch.rand(50, 2, 3) * 1.2
    lif = N.LIF(0.9, refractory=3)
    state, spikes = None, []
    for t in range(50):
        s, state = lif.step(x[t], state)
        assert isinstance(state, N.LIFState)
        spikes.append(s)
    assert torch.equal(torch.stack(spikes), lif.run(x)[0])


def test_refractory_period_caps_the_rate():
    x = torch.full((300, 1), 10.0)
    for K in (0, 1, 4):
        spk, _ = N.lif_run(x, N.LIFParams(0.9, 1.0, "zero", K))
        assert float(spk.mean()) == pytest.approx(1 / (K + 1), abs=0.01)


def test_physical_refractory_period_in_ms():
    p = N.PhysicalLIFParams(t_ref=5.0, dt=0.1)
    spk, v = N.physical_lif_run(torch.full((3000,), 50.0), p)  # very strong drive
    isi = isi_steps(spk)
    assert torch.all(isi * p.dt > p.t_ref - 1e-9)
    idx = torch.nonzero(spk).flatten()
    for i in idx[:-1]:
        assert torch.all(v[i : i + p.ref_steps + 1] == p.V_reset)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: N.LIFParams(beta=1.2), r"\[0, 1\]"),
        (lambda: N.LIFParams(beta=-0.1), r"\[0, 1\]"),
        (lambda: N.LIFParams(beta=torch.tensor([0.5, 1.5])), r"\[0, 1\]"),
        (lambda: N.LIF(beta=2.0), r"\[0, 1\]"),
        (lambda: N.LIFParams(threshold=0.0), "threshold"),
        (lambda: N.LIFParams(reset="soft"), "reset must be one of 'subtract', 'zero', 'none'"),
        (lambda: N.LIF(reset="soft"), "reset must be one of"),
        (lambda: N.LIFParams(refractory=-1), "refractory"),
        (lambda: N.PhysicalLIFParams(tau=-1.0), "tau"),
        (lambda: N.PhysicalLIFParams(dt=-0.1), "dt"),
        (lambda: N.PhysicalLIFParams(dt=0.0), "dt"),
        (lambda: N.PhysicalLIFParams(t_ref=-2.0), "t_ref"),
        (lambda: N.PhysicalLIFParams(dt=20.0), "dt <= tau"),
        (lambda: N.PhysicalLIFParams(V_reset=-40.0), "V_reset"),
        (lambda: N.PhysicalLIFParams.from_circuit(C=-1.0), "C"),
        (lambda: N.beta_euler(2.0, 1.0), "dt <= tau"),
        (lambda: N.beta_exact(1.0, -5.0), "tau"),
        (lambda: N.tau_from_beta(1.5), r"\[0, 1\]"),
        (lambda: N.discrete_rate(0.5, 0.9, refractory=-1), "refractory"),
        (lambda: N.current_for_rate(-3.0), "rate"),
    ],
)
def test_bad_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_shapes_raise_with_expected_shape():
    with pytest.raises(ValueError, match=r"\[B, \.\.\.\]"):
        N.lif_step(torch.zeros(3, 4), torch.zeros(3, 5))
    with pytest.raises(ValueError, match=r"\[T, B, \.\.\.\]"):
        N.lif_run(torch.zeros(5))
    with pytest.raises(ValueError, match=r"\[B, \.\.\.\]"):
        N.lif_run(torch.zeros(5, 3, 4), state=torch.zeros(3, 2))
    with pytest.raises(ValueError, match="shape"):
        N.LIF()(torch.zeros(2, 3), torch.zeros(3, 2))
    with pytest.raises(TypeError, match=r"\[B, \.\.\.\]"):
        N.lif_step([0.1, 0.2], None)
    with pytest.raises(ValueError, match=r"\[T, \.\.\.\]"):
        N.physical_lif_run(torch.zeros(()))
    with pytest.raises(ValueError, match="shape"):
        N.physical_lif_step(torch.zeros(3), torch.zeros(4), torch.zeros(3))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: N.LIFParams(refractory=1.5), "refractory must be an integer"),
        (lambda: N.LIFParams(refractory=True), "refractory must be an integer"),
        (lambda: N.LIFParams(beta="0.9"), "beta"),
        (lambda: N.LIFParams(beta=torch.tensor([1, 0])), "beta"),
        (lambda: N.LIF(learn_beta=1), "learn_beta"),
        (lambda: N.PhysicalLIFParams(tau="10"), "tau"),
        (lambda: N.lif_step(torch.zeros(3), None, params=0.9), "LIFParams"),
        (lambda: N.lif_step(torch.zeros(3, dtype=torch.long), None), r"floating-point tensor of shape \[B, \.\.\.\]"),
        (lambda: N.lif_step(torch.zeros(3), None, surrogate=2.0), "surrogate"),
        (lambda: N.physical_lif_run(torch.zeros(5), params=N.LIFParams()), "PhysicalLIFParams"),
        (lambda: N.discrete_rate(0.5, 0.9, refractory=2.0), "refractory"),
        (lambda: N.isi_rate([0, 1, 0]), r"\[T, \.\.\.\]"),
    ],
)
def test_bad_types_raise(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: N.LIFParams(beta=float("nan")), "beta"),
        (lambda: N.LIFParams(beta=torch.tensor([0.5, float("nan")])), "finite"),
        (lambda: N.LIFParams(threshold=float("inf")), "threshold"),
        (lambda: N.LIFParams(threshold=torch.tensor([1.0, -1.0])), "threshold"),
        (lambda: N.PhysicalLIFParams(E_L=float("nan")), "E_L"),
        (lambda: N.tau_from_beta(float("nan")), "beta"),
        (lambda: N.lif_run(torch.full((4, 2), float("nan"))), "finite"),
        (lambda: N.physical_lif_run(torch.zeros(4), v0=float("inf")), "v0"),
        (lambda: N.analytic_rate([1.0, float("nan")]), "finite"),
        (lambda: N.charging_curve([0.0, 1.0], float("nan")), "current"),
        (lambda: N.discrete_charging_curve([1, 2], 0.1, float("nan")), "beta"),
        (lambda: N.isi_rate(torch.full((5, 2), 0.5)), "0 or 1"),
        (lambda: N.isi_rate(torch.zeros(5, 2), dt=0.0), "dt"),
    ],
)
def test_nan_and_out_of_range_values_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_integers_of_every_kind_are_accepted_and_stored_as_python_numbers():
    for k in (3, np.int64(3), np.int32(3), torch.tensor(3)):
        p = N.LIFParams(0.9, 1.0, "zero", k)
        assert p.refractory == 3 and type(p.refractory) is int
        assert N.LIF(refractory=k).refractory == 3
    p = N.LIFParams(np.float32(0.5), np.float64(2.0))
    assert type(p.beta) is float and type(p.threshold) is float and p.beta == 0.5
    assert N.discrete_rate(0.5, 0.9, refractory=np.int64(2)) == N.discrete_rate(0.5, 0.9, refractory=2)
    assert type(N.PhysicalLIFParams(tau=np.int64(10)).tau) is float


def test_lif_run_and_step_take_the_surrogate_by_name_or_object():
    x = (torch.rand(10, 2, 3) + 0.2).requires_grad_()
    s, _ = N.lif_run(x, N.LIFParams(0.9), surrogate="none")
    s.sum().backward()
    assert torch.all(x.grad == 0)
    a = N.lif_step(x[0], None, surrogate=surrogate.sigmoid(5.0))[0]
    b = N.lif_step(x[0], None, surrogate="sigmoid")[0]
    assert torch.equal(a, b)
    assert N.LIF(surrogate="triangle").surrogate == surrogate.triangle()


def test_forward_returns_the_membrane_tensor_and_step_the_full_state():
    torch.manual_seed(0)
    x = torch.rand(20, 2, 3)
    lif = N.LIF(0.9)
    mem, state = None, None
    for t in range(20):
        s1, mem = lif(x[t], mem)
        s2, state = lif.step(x[t], state)
        assert type(mem) is torch.Tensor and isinstance(state, N.LIFState)
        assert torch.equal(s1, s2) and torch.equal(mem, state.mem)


def test_forward_with_a_refractory_period_points_at_step():
    lif = N.LIF(0.9, refractory=2)
    with pytest.raises(ValueError, match=r"lif\.step\(cur, state\)"):
        lif(torch.zeros(2, 3))
    with pytest.raises(TypeError, match=r"lif\.step"):
        N.LIF(0.9)(torch.zeros(2, 3), N.LIFState(torch.zeros(2, 3)))
    # step and run carry the refractory counter
    x = torch.full((6, 1), 5.0)
    state, spikes = None, []
    for t in range(6):
        s, state = N.LIF(1.0, refractory=2).step(x[t], state)
        spikes.append(s)
    assert torch.stack(spikes)[:, 0].tolist() == [1, 0, 0, 1, 0, 0]


def test_shape_messages_are_time_first():
    with pytest.raises(ValueError, match=r"\[T, B, \.\.\.\] \(at least 2 dimensions\), got shape \(5,\)"):
        N.lif_run(torch.zeros(5))
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3, 4\).*\[B, \.\.\.\]"):
        N.lif_run(torch.zeros(5, 3, 4), state=torch.zeros(3, 2))


# ---------------------------------------------------------------------------------------------
# Misc properties
# ---------------------------------------------------------------------------------------------


def test_every_public_name_is_reexported_by_the_package():
    import importlib
    import pkgutil

    modules = [
        importlib.import_module(f"snnlib.neurons.{m.name}")
        for m in pkgutil.iter_modules(N.__path__)
        if not m.name.startswith("_")
    ]
    assert {"lif", "physical", "analytic", "noise"} <= {m.__name__.rsplit(".", 1)[1] for m in modules}
    for module in modules:
        for name in module.__all__:
            assert getattr(N, name) is getattr(module, name), name
    assert sorted(N.__all__) == sorted(name for module in modules for name in module.__all__)
    # the names of the flat module, with the two renames (one name for one idea)
    old = [
        "RESETS",
        "LIFParams",
        "LIFState",
        "lif_step",
        "lif_run",
        "LIF",
        "beta_euler",
        "beta_exact",
        "tau_from_beta",
        "PhysicalLIFParams",
        "physical_lif_step",
        "physical_lif_run",
        "charging_curve",
        "time_to_threshold",
        "current_for_rate",
        "euler_charging_curve",
        "discrete_charging_curve",
        "discrete_steps_to_threshold",
        "discrete_rate",
        "first_spike_step",
        "isi_rate",
    ]
    assert set(old) | {"analytic_rate", "euler_rate"} <= set(N.__all__)
    assert not hasattr(N, "firing_rate") and not hasattr(N, "euler_firing_rate")


def test_from_circuit_and_derived_quantities():
    p = N.PhysicalLIFParams.from_circuit(C=0.2, g_L=0.01)  # 200 pF, 10 nS
    assert p.tau == pytest.approx(20.0) and pytest.approx(100.0) == p.R
    assert pytest.approx(0.2) == p.C and p.g_L == pytest.approx(0.01)
    assert p.rheobase == pytest.approx(0.15)
    assert N.time_to_threshold(p.rheobase * 0.99, p) == math.inf


def test_time_to_threshold_matches_charging_curve():
    p = N.PhysicalLIFParams()
    t = N.time_to_threshold(2.0, p)
    assert N.charging_curve(t, 2.0, p, v0=p.V_reset) == pytest.approx(p.V_th)


def test_surrogate_is_used_for_the_backward_pass():
    x = (torch.rand(10, 2, 3) + 0.2).requires_grad_()
    s, _ = N.LIF(0.9, surrogate=surrogate.no_surrogate()).run(x)
    s.sum().backward()
    assert torch.all(x.grad == 0)


# ---------------------------------------------------------------------------------------------
# The chapter's exercises
# ---------------------------------------------------------------------------------------------


def _hand_step(cur, mem, beta, thr, reset, strict=True, delayed=True):
    new = beta * mem + cur
    r = surrogate.heaviside(mem - thr) if delayed else surrogate.heaviside(new - thr)
    if reset == "subtract":
        m = beta * mem + cur - r * thr if delayed else new - r * thr
    elif reset == "zero":
        m = beta * (1 - r) * mem + cur if delayed else new * (1 - r)
    else:
        m = new
    return ((m > thr) if strict else (m >= thr)).float(), m


def test_check_lif_step_accepts_the_right_answer_and_names_mistakes():
    from snnlib import exercises as E

    assert E.check_lif_step(_hand_step)
    fb = E.check_lif_step(lambda *a: _hand_step(*a, strict=False))
    assert not fb and "strict" in fb.message
    fb = E.check_lif_step(lambda *a: _hand_step(*a, delayed=False))
    assert not fb and "previous step" in fb.message
    fb = E.check_lif_step(lambda *a: 1 / 0)
    assert not fb and "ZeroDivisionError" in fb.message


def test_check_current_for_rate_and_check_beta():
    from snnlib import exercises as E

    assert E.check_current_for_rate(N.current_for_rate(20.0), 20.0)
    assert not E.check_current_for_rate(1.0, 20.0)  # below rheobase
    fb = E.check_current_for_rate(3.0, 20.0)
    assert not fb and "decrease" in fb.message
    assert E.check_beta(lambda dt, tau: math.exp(-dt / tau))
    fb = E.check_beta(lambda dt, tau: 1 - dt / tau)
    assert not fb and "Euler" in fb.message


def test_isi_rate():
    spk = torch.zeros(20, 3)
    spk[[2, 6, 10, 14], 0] = 1
    spk[5, 1] = 1
    r = N.isi_rate(spk)
    assert r.tolist() == [0.25, 0.0, 0.0]
    assert N.isi_rate(spk, dt=0.5)[0] == pytest.approx(500.0)


def test_lif_plots_draw_the_library_traces():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from snnlib import plot as P

    spk, mem = N.lif_run(torch.full((30, 1), 0.3), N.LIFParams(0.9, 1.0))
    ax = P.plot_membrane(mem[:, 0], spk[:, 0], 1.0, dt=0.5)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), mem[:, 0].numpy())
    np.testing.assert_allclose(ax.lines[0].get_xdata(), (np.arange(30) + 1) * 0.5)
    with pytest.raises(ValueError, match=r"\[T\]"):
        P.plot_membrane(mem[:, 0], spk[:10, 0], 1.0)
    axes = P.plot_lif_response(torch.full((30,), 0.3), mem[:, 0], spk[:, 0], 1.0)
    assert len(axes) == 2
    ax = P.plot_fi_curve([0.0, 1.0], [0.0, 2.0], [0.0, 2.1])
    ax = P.plot_euler_error([0.1, 0.2], [1.0, 2.0], slope=1.0)
    ax = P.plot_charging([1.0, 2.0], [0.1, 0.2], [0.1, 0.21], threshold=0.5)
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# Statements of the chapter: the exact beta, the rheobase, what reset by subtraction does
# ---------------------------------------------------------------------------------------------


def test_exact_beta_is_exact_for_an_input_held_over_each_step():
    # U(t + dt) = e^{-dt/tau} U(t) + (1 - e^{-dt/tau}) R I: no error at any dt, unlike Euler's beta
    for dt in (0.1, 2.0, 10.0, 25.0):
        p = N.PhysicalLIFParams(dt=min(dt, 10.0), V_th=0.0)
        beta = N.beta_exact(dt, p.tau)
        steps = np.arange(1, 31)
        cur = torch.full((30, 1), (1 - beta) * p.R * 1.2, dtype=torch.float64)
        _, mem = N.lif_run(cur, N.LIFParams(beta, threshold=1e9, reset="none"))
        exact = N.charging_curve(steps * dt, 1.2, p) - p.E_L
        np.testing.assert_allclose(mem[:, 0].numpy(), exact, rtol=1e-12, atol=1e-12)


def test_no_spike_at_the_rheobase_and_spikes_just_above():
    p = N.PhysicalLIFParams()
    spk, v = N.physical_lif_run(torch.full((20_000,), p.rheobase, dtype=torch.float64), p)
    assert spk.sum() == 0 and float(v.max()) <= p.V_th
    assert N.analytic_rate(p.rheobase, p) == 0.0 and N.euler_rate(p.rheobase, p) == 0.0
    spk, _ = N.physical_lif_run(torch.full((20_000,), 1.001 * p.rheobase, dtype=torch.float64), p)
    assert spk.sum() > 0
    # the discrete rheobase (1 - beta) U_thr: the fixed point equals the threshold and is never crossed
    rheo = (1 - 0.9) * 1.0
    spk, _ = N.lif_run(torch.full((20_000, 1), rheo, dtype=torch.float64), N.LIFParams(0.9, 1.0, "zero"))
    assert spk.sum() == 0 and math.isinf(N.discrete_steps_to_threshold(rheo, 0.9, 1.0))


def test_resistance_and_current_enter_only_as_their_product():
    cur = 4 * torch.rand(3000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    spk_a, v_a = N.physical_lif_run(cur, N.PhysicalLIFParams())
    spk_b, v_b = N.physical_lif_run(cur / 10, N.PhysicalLIFParams(R=100.0))
    assert torch.equal(spk_a, spk_b) and float((v_a - v_b).abs().max()) < 1e-9


def test_delayed_subtract_reset_removes_an_extra_one_minus_beta_threshold():
    beta, thr, cur = 0.8, 1.0, torch.tensor([[0.3]], dtype=torch.float64)
    mem = torch.tensor([[1.1]], dtype=torch.float64)  # above threshold: a spike was emitted
    _, state = N.lif_step(cur, mem, N.LIFParams(beta, thr, "subtract"))
    subtract_then_decay = beta * (mem - thr) + cur
    assert torch.allclose(state.mem, subtract_then_decay - (1 - beta) * thr, rtol=0, atol=1e-15)


def long_run_rate(cur, beta, reset, T=6000):
    spk, _ = N.lif_run(torch.as_tensor(cur, dtype=torch.float64).expand(T, -1).clone(), N.LIFParams(beta, 1.0, reset))
    return N.isi_rate(spk).numpy()


def test_subtract_reset_wastes_input_with_a_leak_and_none_without():
    cur = [0.15, 0.2, 0.3, 0.55, 0.7, 0.8]
    # beta = 1: the spike count tracks the integrated input, rate I / U_thr
    np.testing.assert_allclose(long_run_rate(cur, 1.0, "subtract"), cur, atol=2e-3)
    sub, zero = long_run_rate(cur, 0.9, "subtract"), long_run_rate(cur, 0.9, "zero")
    assert (sub < np.asarray(cur) - 1e-3).all()  # a leak: below I / U_thr everywhere
    assert sub[3] == pytest.approx(0.457, abs=2e-3) and zero[3] == pytest.approx(0.5)  # I = 0.55
    assert (sub[:4] < zero[:4]).all()  # weak and moderate input: subtraction fires LESS than zero
    assert (sub[4:] > zero[4:]).all()  # stronger input: more
