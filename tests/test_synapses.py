"""Synapses and the neurons they drive: snnTorch's Synaptic, exactly; conductances, bounded.

* exponential traces against their closed form;
* ``snnlib.neurons.Synaptic`` against ``snntorch.Synaptic`` (spikes, synaptic current, membrane,
  gradients) for every reset where the two agree, and the one difference (``reset="zero"``)
  pinned down exactly;
* the conductance step against the closed-form solution and a fine Euler integration;
* the bound: a conductance-based membrane never leaves ``[e_inh, e_exc]`` (hypothesis), alone and
  in every motif of :mod:`snnlib.circuits`, while current-based inhibition drives it far below.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snnlib import circuits as c
from snnlib import neurons as N
from snnlib import synapses as S

snn = pytest.importorskip("snntorch")

RESETS = N.RESETS


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------------------------
# Exponential traces
# --------------------------------------------------------------------------------------------


def test_trace_impulse_response_is_alpha_to_the_t():
    x = torch.zeros(12, 1, 2)
    x[0] = torch.tensor([1.0, 2.0])
    tr = S.trace_run(x, 0.7)
    t = torch.arange(12, dtype=torch.float32)
    torch.testing.assert_close(tr[:, 0, 0], 0.7**t)
    torch.testing.assert_close(tr[:, 0, 1], 2 * 0.7**t)


def test_decay_factor():
    assert S.decay_factor(0) == 0.0 and S.decay_factor(math.inf) == 1.0
    assert S.decay_factor(5.0) == pytest.approx(math.exp(-0.2))
    with pytest.raises(ValueError, match="tau"):
        S.decay_factor(-1.0)
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor"):
        S.trace_step([1.0], None, 0.5)
    with pytest.raises(ValueError, match=r"trace must have the shape of x \[B, \.\.\.\]"):
        S.trace_step(torch.zeros(2, 3), torch.zeros(3, 2), 0.5)
    with pytest.raises(ValueError, match=r"alpha .* \[0, 1\]"):
        S.trace_step(torch.zeros(2), None, 1.5)


# --------------------------------------------------------------------------------------------
# Synaptic vs snntorch.Synaptic
# --------------------------------------------------------------------------------------------


def run_snntorch(neuron, x):
    syn = mem = None
    out = ([], [], [])
    for t in range(x.shape[0]):
        spk, syn, mem = neuron(x[t], syn, mem)
        for rec, v in zip(out, (spk, syn, mem)):
            rec.append(v)
    return tuple(torch.stack(r) for r in out)


@pytest.mark.parametrize("reset", ["subtract", "none"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synaptic_matches_snntorch_exactly(reset, seed):
    g = gen(seed)
    alpha = float(torch.rand(1, generator=g)) * 0.9
    beta = float(torch.rand(1, generator=g)) * 0.9 + 0.05
    x = torch.randn(50, 3, 6, generator=g) * 0.5 + 0.2
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    w = torch.randn(50, 3, 6, generator=g)
    ours = N.Synaptic(alpha, beta, reset=reset).run(x1)
    ref = run_snntorch(snn.Synaptic(alpha=alpha, beta=beta, reset_mechanism=reset), x2)
    for a, b in zip(ours, ref):  # spikes, synaptic current, membrane: bit for bit
        assert torch.equal(a, b)
    assert ours[0].sum() > 0
    # the same surrogate gradient (arctan, alpha 2) through the whole run
    ((ours[0] * w).sum() + (ours[2] * w).pow(2).sum()).backward()
    ((ref[0] * w).sum() + (ref[2] * w).pow(2).sum()).backward()
    torch.testing.assert_close(x1.grad, x2.grad)


def test_synaptic_one_step_call_matches_snntorch():
    x = torch.randn(30, 2, 4, generator=gen(5)) + 0.3
    ours, ref = N.Synaptic(0.6, 0.85), snn.Synaptic(alpha=0.6, beta=0.85)
    s1 = m1 = None
    syn2, mem2 = ref.reset_mem()
    for t in range(30):
        spk1, s1, m1 = ours(x[t], s1, m1)
        spk2, syn2, mem2 = ref(x[t], syn2, mem2)
        assert torch.equal(spk1, spk2) and torch.equal(s1, syn2) and torch.equal(m1, mem2)


def test_synaptic_per_neuron_parameters_match_snntorch():
    g = gen(7)
    alpha, beta = torch.rand(5, generator=g) * 0.9, torch.rand(5, generator=g) * 0.8 + 0.1
    x = torch.rand(40, 2, 5, generator=g)
    ours = N.synaptic_run(x, N.SynapticParams(alpha, beta))
    ref = run_snntorch(snn.Synaptic(alpha=alpha, beta=beta), x)
    assert all(torch.equal(a, b) for a, b in zip(ours, ref))


def test_synaptic_zero_reset_is_leaky_zero_on_the_synaptic_current():
    """snnTorch's Synaptic clears the whole new membrane; ours (as snn.Leaky) only the old one."""
    x = torch.rand(60, 3, 5, generator=gen(8)) * 0.6
    spk, syn, mem = N.synaptic_run(x, N.SynapticParams(0.7, 0.9, reset="zero"))
    _, ref_syn, ref_mem = run_snntorch(snn.Synaptic(alpha=0.7, beta=0.9, reset_mechanism="zero"), x)
    torch.testing.assert_close(syn[0], ref_syn[0])
    # ours = snn.Leaky(reset zero) driven by snnTorch's own synaptic current
    leaky = snn.Leaky(beta=0.9, reset_mechanism="zero")
    m = leaky.reset_mem()
    for t in range(60):
        s_t, m = leaky(syn[t], m)
        assert torch.equal(s_t, spk[t]) and torch.equal(m, mem[t])
    # and the documented difference, exactly: the two agree until the first spike, where
    # snnTorch sets U[t+1] = 0 and we keep U[t+1] = I_syn[t+1]
    first = int(torch.nonzero(spk.sum((1, 2)))[0])
    assert torch.equal(mem[: first + 1], ref_mem[: first + 1]) and torch.equal(syn, ref_syn)
    after = spk[first] > 0
    assert torch.all(ref_mem[first + 1][after] == 0)
    torch.testing.assert_close(mem[first + 1][after], syn[first + 1][after])


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("K", [0, 2])
def test_synaptic_with_alpha_zero_is_the_lif_neuron(reset, K):
    x = torch.randn(50, 2, 4, generator=gen(9)) * 0.6 + 0.3
    spk, syn, mem = N.synaptic_run(x, N.SynapticParams(0.0, 0.85, 1.0, reset, K))
    ref_spk, ref_mem = N.lif_run(x, N.LIFParams(0.85, 1.0, reset, K))
    assert torch.equal(spk, ref_spk) and torch.equal(mem, ref_mem) and torch.equal(syn, x)


def test_synaptic_checks_its_arguments():
    with pytest.raises(ValueError, match="alpha"):
        N.SynapticParams(alpha=1.5)
    with pytest.raises(TypeError, match="params must be a SynapticParams"):
        N.synaptic_step(torch.zeros(2), None, N.LIFParams())
    with pytest.raises(ValueError, match=r"\[T, B, \.\.\.\]"):
        N.synaptic_run(torch.zeros(5), N.SynapticParams())
    with pytest.raises(TypeError, match="SynapticState"):
        N.synaptic_step(torch.zeros(2), torch.zeros(2))


# --------------------------------------------------------------------------------------------
# Conductance synapses: exact integration, and the bound
# --------------------------------------------------------------------------------------------


def test_conductance_step_is_the_closed_form_solution():
    beta, ge, gi, u0 = 0.9, 0.3, 0.2, 0.4
    lam = -math.log(beta) + ge + gi
    u_inf = (ge * S.E_EXC + gi * S.E_INH) / lam
    u = torch.tensor([u0], dtype=torch.float64)
    g_e, g_i = torch.tensor([ge], dtype=torch.float64), torch.tensor([gi], dtype=torch.float64)
    for n in range(1, 30):
        u = S.conductance_step(u, g_e, g_i, beta)
        assert float(u) == pytest.approx(u_inf + (u0 - u_inf) * math.exp(-lam * n), rel=1e-12)


def test_conductance_step_matches_a_fine_euler_integration_of_the_ode():
    beta, ge, gi, u0 = 0.8, 0.5, 1.5, 0.9
    lam_l = -math.log(beta)
    u, n = u0, 100_000
    for _ in range(n):  # dU/dt = -lam_L U - g_e (U - E_e) - g_i (U - E_i), over one step
        u += (-lam_l * u - ge * (u - S.E_EXC) - gi * (u - S.E_INH)) / n
    exact = S.conductance_step(
        torch.tensor([u0], dtype=torch.float64), torch.tensor([ge]).double(), torch.tensor([gi]).double(), beta
    )
    assert float(exact) == pytest.approx(u, abs=1e-4)


def test_conductance_limits():
    u = torch.tensor([0.3, -0.2], dtype=torch.float64)
    zero = torch.zeros(2, dtype=torch.float64)
    torch.testing.assert_close(S.conductance_step(u, zero, zero, 0.9), 0.9 * u)  # leak only
    torch.testing.assert_close(S.conductance_step(u, zero, zero, 1.0), u)  # no leak, no input
    torch.testing.assert_close(S.conductance_step(u, zero, zero, 0.0), zero)  # infinitely fast leak
    huge = torch.full((2,), 1e9, dtype=torch.float64)
    torch.testing.assert_close(S.conductance_step(u, zero, huge, 0.9), torch.full((2,), S.E_INH, dtype=torch.float64))
    torch.testing.assert_close(S.conductance_step(u, huge, zero, 0.9), torch.full((2,), S.E_EXC, dtype=torch.float64))


def test_reversal_potentials_from_millivolts():
    assert math.isclose(S.E_EXC, 3.5) and math.isclose(S.E_INH, -0.5)
    assert S.reversal(-70.0) == 0.0 and S.reversal(-50.0) == 1.0
    with pytest.raises(ValueError, match="e_inh"):
        S.SynapseParams(e_inh=0.2)
    with pytest.raises(ValueError, match="e_exc"):
        S.SynapseParams(e_exc=-1.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        S.SynapseParams(kind="chemical")
    with pytest.raises(ValueError, match="tau_inh"):
        S.SynapseParams(tau_inh=-2.0)
    with pytest.raises(ValueError, match="never fire"):
        N.conductance_lif_step(torch.zeros(2), torch.zeros(2), None, N.LIFParams(threshold=4.0))


def test_every_synapse_kind_drives_a_neuron():
    assert set(N.SYNAPTIC_DRIVES) == set(S.KINDS)


_FLOATS = st.floats(0.0, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    beta=st.floats(0.0, 1.0),
    threshold=st.floats(0.05, 3.0),
    reset=st.sampled_from(RESETS),
    refractory=st.integers(0, 3),
    e_inh=st.floats(-5.0, -0.01),
    e_exc=st.floats(3.2, 20.0),
    u0=st.floats(0.0, 1.0),
    scale=st.sampled_from([0.01, 1.0, 100.0, 1e4]),
    seed=st.integers(0, 2**16),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_conductance_membrane_stays_between_the_reversal_potentials(
    beta, threshold, reset, refractory, e_inh, e_exc, u0, scale, seed, dtype
):
    g = gen(seed)
    T, shape = 40, (3, 5)
    g_exc = torch.rand(T, *shape, generator=g, dtype=dtype) ** 3 * scale  # bursts of strong input
    g_inh = torch.rand(T, *shape, generator=g, dtype=dtype) ** 3 * scale
    u_start = e_inh + u0 * (threshold - e_inh)  # anywhere between e_inh and the threshold
    state = N.LIFState(torch.full(shape, u_start, dtype=dtype))
    params = N.LIFParams(beta, threshold, reset, refractory)
    _, mem = N.conductance_lif_run(g_exc, g_inh, params, e_exc, e_inh, state)
    assert bool(torch.isfinite(mem).all())
    tol = 4 * float(torch.finfo(dtype).eps) * max(abs(e_inh), abs(e_exc))  # the bounds rounded to the dtype
    assert float(mem.min()) >= e_inh - tol and float(mem.max()) <= e_exc + tol


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    motif=st.sampled_from(["feedforward_inhibition", "feedback_inhibition", "lateral_inhibition"]),
    inhibition=st.floats(0.0, 50.0),
    level=st.floats(0.0, 1.0),
    delay=st.integers(1, 5),
    tau_exc=st.floats(0.0, 10.0),
    tau_inh=st.floats(0.0, 20.0),
    seed=st.integers(0, 1000),
)
def test_every_motif_is_bounded_with_conductance_synapses(motif, inhibition, level, delay, tau_exc, tau_inh, seed):
    syn = S.SynapseParams("conductance", tau_exc, tau_inh)
    run = c.run_motif(motif, inhibition, delay, level, num_steps=60, seed=seed, synapses=syn)
    for name, mem in run.mems.items():
        assert float(mem.min()) >= syn.e_inh and float(mem.max()) <= syn.e_exc, (name, float(mem.min()), float(mem.max()))


def test_current_inhibition_is_unbounded_conductance_inhibition_is_not():
    """The same strong inhibition: current synapses drive the membrane far below E_inh."""
    x = c.poisson_input(torch.full((20,), 0.3), 120, batch=2, generator=gen(11))
    args = (torch.full((20, 10), 0.2), torch.full((20, 5), 0.25), torch.full((5, 10), 0.6))
    low = {
        kind: c.feedforward_inhibition(x, *args, inhibition=2.0, synapses=S.SynapseParams(kind)).mem_range()[0]
        for kind in S.KINDS
    }
    assert low["current"] < 5 * S.E_INH and low["conductance"] >= S.E_INH, low
