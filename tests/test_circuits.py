"""Tests of snnlib.circuits: the motifs do what the chapter says they do, measured."""

from __future__ import annotations

import math
import time

import pytest
import torch

from snnlib import circuits as c
from snnlib import spikes
from snnlib import synapses as S
from snnlib.neurons import conductance_lif_run, lif_run


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------------------------
# Inputs and connectivity
# --------------------------------------------------------------------------------------------


def test_poisson_input_rate_shape_and_seed():
    x = c.poisson_input(torch.tensor([0.1, 0.5]), 4000, batch=3, generator=gen(1))
    assert x.shape == (4000, 3, 2)
    assert set(x.unique().tolist()) <= {0.0, 1.0}
    rate = x.mean((0, 1))
    assert abs(float(rate[0]) - 0.1) < 0.01 and abs(float(rate[1]) - 0.5) < 0.02
    assert torch.equal(x, c.poisson_input(torch.tensor([0.1, 0.5]), 4000, batch=3, generator=gen(1)))


def test_convergent_and_divergent_weights():
    w = c.convergent_weights(16, 4, 8, 0.5)
    assert w.shape == (16, 4)
    assert torch.all((w > 0).sum(0) == 8)  # every output sums 8 inputs
    assert torch.all((w > 0).sum(1) == 2)  # so every input diverges onto 2 outputs
    assert set(w.unique().tolist()) == {0.0, 0.5}
    d = c.divergent_weights(2, 6, 3)
    assert torch.equal(d, torch.tensor([[1.0, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]]))


def test_lateral_weights_profiles():
    g = c.lateral_weights(7, 2.0)
    assert torch.all(g.diagonal() == 0) and torch.allclose(g, g.T)
    assert math.isclose(float(g[3, 4]), math.exp(-1 / 8), rel_tol=1e-6)
    assert float(g[3, 5]) < float(g[3, 4])
    assert torch.equal(c.lateral_weights(4, profile="global"), torch.ones(4, 4) - torch.eye(4))
    assert torch.equal(c.lateral_weights(5, 1, profile="box")[0], torch.tensor([0.0, 1, 0, 0, 0]))


# --------------------------------------------------------------------------------------------
# Feed-forward excitation: matches a hand-written LIF run; convergence raises the SNR
# --------------------------------------------------------------------------------------------


def test_feedforward_excitation_is_lif_on_the_weighted_input():
    x = c.poisson_input(torch.full((6,), 0.3), 80, batch=2, generator=gen())
    w = torch.rand(6, 3, generator=gen(2))
    # instantaneous current synapses: exactly lif_run on the weighted input (the chapter's first model)
    res = c.feedforward_excitation(x, w, synapses=S.INSTANT_CURRENT)
    spk, mem = lif_run(x @ w, c.EXC_PARAMS)
    assert res.spikes["out"].shape == (80, 2, 3)
    assert torch.equal(res.spikes["out"], spk) and torch.allclose(res.mems["out"], mem)
    # the default synapses: a decaying trace (sums to w per spike), then the conductance LIF
    syn = S.SYNAPSES
    a = syn.alpha_exc
    trace = S.trace_run((1 - a) * (x @ w), a)
    spk, mem = conductance_lif_run(trace / syn.e_exc, torch.zeros_like(trace), c.EXC_PARAMS, syn.e_exc, syn.e_inh)
    res = c.feedforward_excitation(x, w)
    assert torch.equal(res.spikes["out"], spk) and torch.allclose(res.mems["out"], mem)
    assert res.synapses == syn


def test_a_spike_through_a_decaying_synapse_sums_to_its_weight():
    x = torch.zeros(200, 1, 1)
    x[0] = 1.0
    syn = S.SynapseParams("current", tau_exc=5.0)
    res = c.feedforward_excitation(x, torch.full((1, 1), 0.5), params=c.EXC_PARAMS.__class__(1.0, 10.0, "none"), synapses=syn)
    # no leak (beta 1), no spike: the membrane ends at the total charge, the weight
    assert float(res.mems["out"][-1, 0, 0]) == pytest.approx(0.5, rel=1e-5)
    assert float(res.mems["out"][0, 0, 0]) == pytest.approx(0.5 * (1 - math.exp(-1 / 5)), rel=1e-5)


def test_snr_grows_with_convergence():
    fan_ins = [1, 4, 16, 64]
    s = c.convergence_snr(fan_ins, trials=100, num_steps=100, seed=0)
    assert torch.all(s[1:] > s[:-1]), s
    assert float(s[-1]) > 3 * float(s[0])  # about sqrt(64) = 8 times for independent noise


def test_snr_definition():
    assert c.snr([2.0, 4.0], [0.0, 2.0]) == pytest.approx(2 / math.sqrt(2))
    assert c.snr([1.0, 1.0], [1.0, 1.0]) == 0.0


# --------------------------------------------------------------------------------------------
# Inhibition strength 0: every motif is exactly its excitatory part alone
# --------------------------------------------------------------------------------------------


def test_zero_inhibition_is_the_excitatory_part_alone():
    x = c.poisson_input(torch.full((12,), 0.2), 120, batch=3, generator=gen(3))
    w = c.convergent_weights(12, 6, 4, 0.4)
    ref = c.feedforward_excitation(x, w)
    ffi = c.feedforward_inhibition(x, w, torch.full((12, 3), 0.3), torch.ones(3, 6), inhibition=0.0)
    fbi = c.feedback_inhibition(x, w, torch.full((6, 3), 0.3), torch.ones(3, 6), inhibition=0.0)
    lat = c.lateral_inhibition(x, w, c.lateral_weights(6, 2.0), inhibition=0.0)
    for name, res, pop in (("ffi", ffi, "out"), ("fbi", fbi, "exc"), ("lateral", lat, "out")):
        assert torch.equal(res.spikes[pop], ref.spikes["out"]), name
        assert torch.equal(res.mems[pop], ref.mems["out"]), name
    # ... and with inhibition the motifs do differ (the test above can fail)
    assert not torch.equal(
        c.feedback_inhibition(x, w, torch.full((6, 3), 0.3), torch.ones(3, 6)).spikes["exc"], ref.spikes["out"]
    )


# --------------------------------------------------------------------------------------------
# Feedback inhibition: rate falls monotonically, saturation prevented, synchrony rises
# --------------------------------------------------------------------------------------------


def _fbi(x, g, d=1):
    return c.feedback_inhibition(
        x,
        c.convergent_weights(40, 20, 4, 0.3),
        torch.full((20, 5), 0.15),
        torch.full((5, 20), 0.5),
        inhibition=g,
        ei_delay=d,
        ie_delay=d,
    )


def test_feedback_inhibition_rate_falls_monotonically():
    x = c.poisson_input(torch.full((40,), 0.3), 200, batch=4, generator=gen(4))
    rates = [float(_fbi(x, g).spikes["exc"].mean()) for g in (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)]
    assert all(a > b for a, b in zip(rates, rates[1:])), rates


def test_feedback_inhibition_prevents_saturation_and_synchronises():
    x = c.poisson_input(torch.full((40,), 0.9), 250, batch=2, generator=gen(5))
    free, inhibited = _fbi(x, 0.0, 3), _fbi(x, 1.0, 3)
    assert float(free.spikes["exc"][50:].mean()) > 0.6  # near its ceiling
    assert float(inhibited.spikes["exc"][50:].mean()) < 0.3
    assert c.synchrony(inhibited.spikes["exc"][50:], 2) > 3 * c.synchrony(free.spikes["exc"][50:], 2)
    assert c.oscillation_power(inhibited.spikes["exc"][50:])[1] > 3 * c.oscillation_power(free.spikes["exc"][50:])[1]


# --------------------------------------------------------------------------------------------
# Feed-forward inhibition: a timing window that grows with the inhibitory delay
# --------------------------------------------------------------------------------------------


def _ffi_windows(synapses, delays=(1, 4, 8)):
    T, onset = 160, 40
    stim = torch.zeros(T, 10, 20)
    stim[onset:] = 0.1
    x = c.poisson_input(stim, T, generator=gen(6))
    args = (torch.full((20, 10), 0.2), torch.full((20, 5), 0.25), torch.full((5, 10), 0.6))

    def window(g, d=1):
        out = c.feedforward_inhibition(x, *args, inhibition=g, inh_delay=d, synapses=synapses).spikes["out"]
        return c.response_window(out, onset)

    return [window(1.0, d) for d in delays], window(0.0), T - onset


def test_feedforward_inhibition_opens_a_timing_window():
    # the default synapses: bounded, decaying inhibition closes a window after the onset
    windows, free, after = _ffi_windows(S.SYNAPSES)
    assert windows[0] < windows[1] < windows[2] < 0.2 * free, (windows, free)
    assert free > 0.8 * after
    # so do instantaneous current synapses (unbounded)...
    windows, free, after = _ffi_windows(S.INSTANT_CURRENT)
    assert windows[0] < windows[1] < windows[2] < 0.2 * free, (windows, free)


def test_bounded_instantaneous_inhibition_closes_no_window():
    # ...but bounded at E_inh and instantaneous, the inhibition no longer silences the output
    windows, free, after = _ffi_windows(S.SynapseParams("conductance", 0.0, 0.0))
    assert min(windows) > 0.8 * after, (windows, free)


# --------------------------------------------------------------------------------------------
# Lateral inhibition: contrast rises; strong global inhibition is winner-take-all
# --------------------------------------------------------------------------------------------


def test_contrast_rises_with_lateral_inhibition():
    n, k = 20, 4
    stim = c.bar_stimulus(n, 6, 14, 0.2, 0.1).repeat_interleave(k)
    x = c.poisson_input(stim, 300, batch=8, generator=gen(7))
    w_in, lat = c.convergent_weights(n * k, n, k, 0.35), c.lateral_weights(n, 2.0)
    contrast = []
    for g in (0.0, 0.25, 0.5, 1.0, 2.0):
        rates = spikes.firing_rate(c.lateral_inhibition(x, w_in, lat, inhibition=g).spikes["out"])
        contrast.append(c.edge_contrast(rates, 6, 5))
    assert all(a < b for a, b in zip(contrast, contrast[1:])), contrast


def test_strong_lateral_inhibition_is_winner_take_all():
    n, k, T = 6, 5, 300
    drive = torch.tensor([0.10, 0.14, 0.12, 0.30, 0.16, 0.08])
    x = c.poisson_input(drive.repeat_interleave(k), T, batch=4, generator=gen(8))
    w_in = c.convergent_weights(n * k, n, k, 0.4)
    free = c.winner_take_all(x, w_in, inhibition=0.0).spikes["out"]
    assert (free[50:].sum((0, 1)) > 0).sum() == n  # without inhibition all fire
    spk = c.winner_take_all(x, w_in, inhibition=2.0).spikes["out"]
    after = spk[30:].sum(0)  # [B, N] after a short transient
    assert torch.all(after[:, 3] > 10)
    assert float(after[:, 3].sum()) >= 0.95 * float(after.sum())  # the others (nearly) silent
    assert torch.equal(c.wta_winner(spk, start=30), torch.full((4,), 3))


# --------------------------------------------------------------------------------------------
# Delays shift spikes by exactly the delay
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 3, 7])
def test_delay_shifts_spikes_exactly(d):
    x = c.poisson_input(torch.full((8,), 0.3), 60, batch=2, generator=gen(9))
    w = c.convergent_weights(8, 4, 4, 0.5)
    s0 = c.feedforward_excitation(x, w, delay=0).spikes["out"]
    sd = c.feedforward_excitation(x, w, delay=d).spikes["out"]
    assert torch.equal(sd[d:], s0[:-d]) and torch.all(sd[:d] == 0)
    # the whole feed-forward inhibition motif shifts too when both input delays shift
    args = (w, torch.full((8, 2), 0.3), torch.ones(2, 4))
    f0 = c.feedforward_inhibition(x, *args, delay=0)
    fd = c.feedforward_inhibition(x, *args, delay=d)
    for pop in ("inh", "out"):
        assert torch.equal(fd.spikes[pop][d:], f0.spikes[pop][:-d])


@pytest.mark.parametrize("synapses", [S.INSTANT_CURRENT, S.SynapseParams("conductance", 0.0, 4.0)])
def test_feedback_delay_sets_the_first_inhibition(synapses):
    # One input spike at step 0 makes exc fire at 0; inh fires ei_delay later; exc feels it ie_delay after that.
    x = torch.zeros(20, 1, 1)
    x[0, 0, 0] = 1.0
    w = torch.full((1, 1), 2.5 if synapses.kind == "conductance" else 2.0)
    w_ie = torch.full((1, 1), 5.0 if synapses.kind == "conductance" else 1.0)
    res = c.feedback_inhibition(x, w, w, w_ie, ei_delay=2, ie_delay=3, synapses=synapses)
    assert res.spikes["exc"][:, 0, 0].nonzero().flatten().tolist() == [0]
    assert res.spikes["inh"][:, 0, 0].nonzero().flatten().tolist() == [2]
    mem = res.mems["exc"][:, 0, 0]
    assert float(mem[5]) < 0 and float(mem[4]) >= 0  # inhibition arrives at 2 + 3 = 5


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def test_synchrony_limits():
    one = c.poisson_input(torch.full((1,), 0.2), 2000, generator=gen(10))
    same = one.expand(-1, -1, 50).contiguous()
    assert c.synchrony(same) == pytest.approx(1.0)
    indep = c.poisson_input(torch.full((50,), 0.2), 2000, generator=gen(11))
    assert c.synchrony(indep) == pytest.approx(1 / 50, rel=0.3)


def test_oscillation_power_finds_a_rhythm():
    t = torch.arange(400, dtype=torch.float32)
    p = 0.2 * (1 + torch.sin(2 * math.pi * t / 20))  # a 0.05 cycles/step rhythm
    rhythmic = c.poisson_input(p.reshape(400, 1, 1).expand(-1, 1, 20), 400, generator=gen(13))
    f, frac = c.oscillation_power(rhythmic)
    assert f == pytest.approx(0.05, abs=0.003) and frac > 0.3
    noise = c.poisson_input(torch.full((10,), 0.05), 400, generator=gen(12))
    assert c.oscillation_power(noise)[1] < frac


def test_window_latency_contrast_winner():
    s = torch.zeros(20, 1, 2)
    s[5, 0, 0] = s[6, 0, 1] = s[15, 0, 0] = 1
    assert c.response_window(s, 5, fraction=0.6) == 2.0
    assert c.response_window(s, 5, fraction=1.0) == 11.0
    assert c.first_spike_latency(s, 5) == 0.5
    assert math.isnan(c.response_window(torch.zeros(5, 1, 1), 0))
    assert c.edge_contrast(torch.tensor([0.1, 0.3]), 1, 0) == pytest.approx(0.5)
    assert c.edge_contrast(torch.zeros(2), 1, 0) == 0.0
    assert c.pattern_correlation([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert c.wta_winner(torch.zeros(5, 2, 3)).tolist() == [-1, -1]


# --------------------------------------------------------------------------------------------
# run_motif: the explorer's entry point
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("motif", c.MOTIFS)
def test_run_motif_fields_and_reproducibility(motif):
    r = c.run_motif(motif, 1.0, 2, 0.2, num_steps=120, seed=3)
    assert r.populations[0] == "input" and set(r.populations) == set(r.spikes) == set(r.kinds)
    assert set(r.mems) == set(r.populations) - {"input"}
    for name in r.populations:
        assert r.spikes[name].shape[0] == 120 and r.spikes[name].dim() == 2
        assert r.rates[name] == pytest.approx(float(r.spikes[name].mean()))
        assert r.neuron_rates[name].shape == (r.spikes[name].shape[1],)
    assert r.stimulus.shape == r.spikes["input"].shape
    assert r.summary and all(isinstance(v, float) for v in r.summary.values())
    again = c.run_motif(motif, 1.0, 2, 0.2, num_steps=120, seed=3)
    assert all(torch.equal(r.spikes[k], again.spikes[k]) for k in r.spikes)


def test_run_motif_is_fast_and_inhibition_matters():
    t = time.perf_counter()
    for motif in c.MOTIFS:
        c.run_motif(motif, 1.0, 2, 0.2)
    assert (time.perf_counter() - t) / len(c.MOTIFS) < 1.0  # about 0.05 s each on an idle CPU
    free = c.run_motif("feedback_inhibition", 0.0, 2, 0.5)
    inhibited = c.run_motif("feedback_inhibition", 2.0, 2, 0.5)
    assert inhibited.rates["exc"] < free.rates["exc"]
    assert (
        c.run_motif("lateral_inhibition", 2.0, 1, 0.2).summary["edge_contrast"]
        > c.run_motif("lateral_inhibition", 0.0, 1, 0.2).summary["edge_contrast"]
    )


# --------------------------------------------------------------------------------------------
# Bad input raises clear errors
# --------------------------------------------------------------------------------------------


def test_bad_inputs_raise():
    x = torch.zeros(10, 1, 4)
    with pytest.raises(ValueError, match=r"\[N_in, N_out\] = \[4, \?\]"):
        c.feedforward_excitation(x, torch.ones(5, 2))
    with pytest.raises(ValueError, match=r"\[N_inh, N_out\] = \[3, 2\]"):
        c.feedforward_inhibition(x, torch.ones(4, 2), torch.ones(4, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"\[T, B, N_in\]"):
        c.feedforward_excitation(torch.zeros(10, 4), torch.ones(4, 2))
    with pytest.raises(ValueError, match="non-negative"):
        c.feedforward_excitation(x, -torch.ones(4, 2))
    with pytest.raises(ValueError, match=">= 0"):
        c.feedforward_excitation(-torch.ones(10, 1, 4), torch.ones(4, 2))
    with pytest.raises(ValueError, match="delay"):
        c.feedforward_excitation(x, torch.ones(4, 2), delay=-1)
    with pytest.raises(ValueError, match="delay >= 1"):
        c.lateral_inhibition(x, torch.eye(4), c.lateral_weights(4), lateral_delay=0)
    with pytest.raises(ValueError, match="num_steps"):
        c.poisson_input(0.1, -5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        c.poisson_input(1.5, 5)
    with pytest.raises(ValueError, match="fan_in"):
        c.convergent_weights(4, 2, -1)
    with pytest.raises(ValueError, match="fan_in"):
        c.convergent_weights(4, 2, 9)
    with pytest.raises(ValueError, match="inhibition"):
        c.feedback_inhibition(x, torch.ones(4, 2), torch.ones(2, 1), torch.ones(1, 2), inhibition=-1.0)
    with pytest.raises(TypeError, match="n_in must be an integer"):
        c.convergent_weights(4.5, 2, 2)
    with pytest.raises(ValueError, match="unknown motif"):
        c.run_motif("recurrent", 1.0, 1, 0.1)
    with pytest.raises(ValueError, match="input_level"):
        c.run_motif("lateral_inhibition", 1.0, 1, 2.0)
    with pytest.raises(ValueError, match="delay"):
        c.run_motif("lateral_inhibition", 1.0, 0, 0.1)
    with pytest.raises(ValueError, match=r"\[T, B, N\]"):
        c.synchrony(torch.zeros(10, 3))
    with pytest.raises(ValueError, match="sign"):
        c.Projection("input", "out", torch.ones(1, 1), sign=2)


def test_checks_name_the_argument_and_the_time_first_shape():
    x = torch.zeros(10, 1, 4)
    with pytest.raises(TypeError, match=r"weights must be a torch.Tensor of shape \[N_in, N_out\]"):
        c.feedforward_excitation(x, [[1.0, 0.0]] * 4)
    with pytest.raises(ValueError, match=r"inputs must be finite"):
        c.feedforward_excitation(torch.full((10, 1, 4), float("nan")), torch.ones(4, 2))
    with pytest.raises(ValueError, match=r"spikes must hold spikes .* \[T, B, N\]"):
        c.synchrony(torch.full((10, 1, 3), 0.5))
    with pytest.raises(ValueError, match=r"onset must be an integer >= 0 and <= 9"):
        c.response_window(torch.zeros(10, 1, 2), 10)
    with pytest.raises(ValueError, match=r"inside must be an integer >= 0 and <= 1"):
        c.edge_contrast(torch.tensor([0.1, 0.3]), 2, 0)
    with pytest.raises(TypeError, match=r"num_steps must be an integer"):
        c.poisson_input(0.1, 5.0)
    with pytest.raises(ValueError, match=r"profile must be one of"):
        c.lateral_weights(4, profile="mexican hat")


# --------------------------------------------------------------------------------------------
# One registry of motifs; one definition of rates; the package re-exports its modules
# --------------------------------------------------------------------------------------------


def test_the_motif_registry():
    assert list(c.MOTIFS) == ["feedforward_excitation", "feedforward_inhibition", "feedback_inhibition", "lateral_inhibition"]
    for name, spec in c.MOTIFS.items():
        assert isinstance(spec, c.Motif) and spec.name == name
        assert spec.build is getattr(c, name) and spec.label and spec.description
        run = c.run_motif(name, 1.0, 1, 0.2, num_steps=40)
        assert (
            run.motif == name
            and run.populations[1:] == c.MOTIFS[name].explore(1.0, 1, 0.2, 40, gen(), **spec.explorer).result.populations
        )


def test_divergence_is_the_mirror_of_convergence():
    for n_in, n_out, fan in ((2, 6, 3), (3, 7, 2), (5, 5, 4), (4, 2, 2)):
        assert torch.equal(c.divergent_weights(n_in, n_out, fan, 0.3), c.convergent_weights(n_out, n_in, fan, 0.3).T)
    with pytest.raises(ValueError, match="fan_out"):
        c.divergent_weights(2, 3, 4)


def test_rates_come_from_snnlib_spikes():
    x = c.poisson_input(torch.full((6,), 0.3), 50, batch=2, generator=gen(14))
    res = c.feedforward_excitation(x, c.convergent_weights(6, 3, 2, 0.6))
    out = res.spikes["out"]
    assert torch.equal(res.rate("out", start=10), spikes.firing_rate(out, start=10))
    assert torch.allclose(spikes.firing_rate(out, start=10), out[10:].double().mean(0).float())
    assert not hasattr(c, "firing_rate") and not hasattr(c, "spike_counts") and not hasattr(c, "population_rate")


def test_the_package_reexports_every_public_name():
    from snnlib.circuits import connectivity, experiments, measures, motifs, network

    names = [n for m in (connectivity, network, motifs, measures, experiments) for n in m.__all__]
    assert names == c.__all__ and all(hasattr(c, n) for n in names)


# --------------------------------------------------------------------------------------------
# Exercise checks accept the right answer and reject wrong ones
# --------------------------------------------------------------------------------------------


def test_exercise_checks():
    import numpy as np

    from snnlib import exercises as ex

    assert ex.check_convergent_weights(c.convergent_weights)
    assert not ex.check_convergent_weights(lambda a, b, f, w: c.convergent_weights(a, b, f, w).T)
    assert not ex.check_convergent_weights(lambda a, b, f, w: torch.full((a, b), w))
    assert ex.check_edge_contrast(c.edge_contrast)
    assert not ex.check_edge_contrast(lambda r, i, o: float(r[i] - r[o]))
    assert ex.check_conductance_step(S.conductance_step)
    # winner-take-all: judged on the drives (every integer form), not on one noisy run
    for right in (1, np.int64(1), torch.tensor(1), torch.tensor([0.1, 0.3, 0.2]).argmax()):
        assert ex.check_wta_prediction(right, [0.1, 0.3, 0.2])
    assert not ex.check_wta_prediction(2, [0.1, 0.3, 0.2])
    assert not ex.check_wta_prediction("one", [0.1, 0.3, 0.2])
    tie = [0.2, 0.3, 0.3, 0.1]
    assert ex.check_wta_prediction(1, tie) and ex.check_wta_prediction(2, tie) and not ex.check_wta_prediction(0, tie)
    near = [0.16, 0.161, 0.1, 0.05]  # a correct argmax is accepted whoever wins one simulated race
    assert all(ex.check_wta_prediction(1, near, seed=s) for s in range(4))
    assert not any(ex.check_wta_prediction(0, near, seed=s) for s in range(4))
    # never the expected answer in a failure message
    assert "1" not in ex.check_wta_prediction(0, [0.1, 0.3, 0.2]).message.replace("neuron 0", "")


def test_exercise_hints_are_progressive():
    from snnlib import exercises as ex

    for name in ("convergent_weights", "conductance_step", "wta_prediction", "edge_contrast"):
        first, second = ex.hint(name, 1), ex.hint(name, 2)
        assert first.startswith("Hint 1 of 2") and second.startswith("Hint 2 of 2") and first != second
