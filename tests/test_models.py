"""The fast path computes what the plain per-step loop computes: same spikes, same gradients."""

from __future__ import annotations

import pytest
import torch

from snnlib import models as M


def _run(model, x, y, fast):
    model.fast = fast
    model.zero_grad()
    spk, mem, count, _, _ = model.record(x)
    loss = M.membrane_ce_loss(mem, y) + 0.1 * spk.sum()
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    return spk.detach(), mem.detach(), count.detach(), grads


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("beta,threshold,learn", [(0.95, 1.0, False), (0.7, 0.5, False), (0.9, 0.8, True)])
def test_fast_path_equals_plain_loop(dtype, reset, beta, threshold, learn):
    torch.manual_seed(0)
    model = M.SpikingMLP(
        num_hidden=64, num_steps=9, beta=beta, threshold=threshold, reset=reset, learn_beta=learn, learn_threshold=learn
    ).to(dtype)
    x = torch.rand(12, 28, 28, dtype=dtype) * 2 - 0.5
    y = torch.randint(0, 10, (12,))
    s0, m0, c0, g0 = _run(model, x, y, fast=False)
    s1, m1, c1, g1 = _run(model, x, y, fast=True)
    assert torch.equal(s0, s1), "output spikes differ"
    assert torch.equal(c0, c1), "hidden spike counts differ"
    assert c0.sum() > 0 and s0.sum() > 0, "test is vacuous: no spikes"
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(m1, m0, rtol=tol, atol=tol)
    assert set(g0) == set(g1)
    for name in g0:
        scale = g0[name].abs().max().clamp_min(1e-12)
        err = (g1[name] - g0[name]).abs().max() / scale
        assert err < (1e-5 if dtype == torch.float32 else 1e-12), f"gradient of {name} differs by {err:.2e}"


def test_time_first_input_fast_equals_plain():
    torch.manual_seed(3)
    model = M.SpikingMLP(num_hidden=32, num_steps=6)
    x = (torch.rand(6, 5, 784) < 0.3).float()  # e.g. Poisson spikes, [T, B, 784]
    y = torch.randint(0, 10, (5,))
    s0, _m0, _, g0 = _run(model, x, y, fast=False)
    s1, _m1, _, g1 = _run(model, x, y, fast=True)
    assert torch.equal(s0, s1)
    for name in g0:
        torch.testing.assert_close(g1[name], g0[name], rtol=1e-5, atol=1e-6)


def test_matches_snntorch_reference():
    pytest.importorskip("snntorch")
    torch.manual_seed(4)
    ref = M.SnnTorchReference(num_steps=10, num_hidden=40)
    ours = M.SpikingMLP(num_hidden=40, num_steps=10)
    ours.fc1.load_state_dict(ref.fc1.state_dict())
    ours.fc2.load_state_dict(ref.fc2.state_dict())
    x = torch.rand(7, 28, 28) * 3
    s0, m0 = ref(x)
    s1, m1 = ours(x)
    assert torch.equal(s0, s1)
    torch.testing.assert_close(m1, m0)


def test_bad_shapes_raise_clear_errors():
    model = M.SpikingMLP(num_hidden=8, num_steps=3)
    with pytest.raises(ValueError, match=r"\[B, 28, 28\]"):
        model(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="T = num_steps"):
        model(torch.zeros(4, 2, 784))
    with pytest.raises(ValueError, match=r"\[T, B"):
        M.membrane_ce_loss(torch.zeros(3, 10), torch.zeros(3, dtype=torch.long))


def test_predict_and_operation_counts():
    spk = torch.zeros(4, 2, 3)
    spk[:, 0, 1] = 1
    spk[:2, 1, 2] = 1
    spk[:2, 1, 0] = 1
    mem = torch.zeros(4, 2, 3)
    mem[:, 1, 0] = 0.5  # breaks the tie of sample 1 in favour of class 0
    assert M.predict(spk, mem).tolist() == [1, 0]
    ops = M.count_operations(torch.ones(4, 2, 5), spk, num_inputs=6)
    assert ops["hidden_spikes"] == 20 and ops["snn_synops"] == 60
    assert ops["ann_macs"] == 6 * 5 + 5 * 3


def test_fast_path_dispatches_far_fewer_operators():
    x = torch.rand(8, 28, 28)
    counts = {}
    for fast in (False, True):
        model = M.SpikingMLP(num_hidden=20, fast=fast)
        counts[fast], per_op = M.count_dispatched_ops(lambda m=model: m(x)[1].sum().backward())
        assert sum(per_op.values()) == counts[fast]
    assert counts[True] < counts[False] / 2


def test_plots_and_checks_run():
    import matplotlib

    matplotlib.use("Agg")
    import snnlib.exercises as E
    import snnlib.plot as P

    spk = (torch.rand(25, 3, 10) < 0.3).float()
    assert P.plot_output_spikes(spk) is not None
    assert P.plot_loss_curve(torch.rand(50) + 1, steps_per_epoch=10) is not None
    assert P.plot_accuracy_curves({"a": [0.9, 0.95]}) is not None
    assert P.plot_throughput({"snnlib fast path": {"train_samples_per_s": 10.0}, "x": {"train_samples_per_s": 1.0}}) is not None
    assert E.check_rate_decoding(lambda s: s.sum(0).argmax(-1))
    assert not E.check_rate_decoding(lambda s: s.sum(1).argmax(-1))
    assert E.check_synaptic_operations(lambda s, f: s.sum() / s.shape[1] * f)
    assert not E.check_synaptic_operations(lambda s, f: s.sum() * f)


@pytest.mark.parametrize("backend", ["loop", "fused", "cpu"])
@pytest.mark.parametrize("static", [True, False])
def test_every_backend_gives_the_plain_spikes(backend, static):
    from snnlib.engine import REGISTRY

    reason = REGISTRY[backend].unavailable()
    if reason is not None:
        pytest.skip(reason)
    torch.manual_seed(6)
    model = M.SpikingMLP(num_hidden=48, num_steps=7, backend=backend)
    x = torch.rand(9, 784) * 2 - 0.5 if static else (torch.rand(7, 9, 784) < 0.4).float()
    y = torch.randint(0, 10, (9,))
    s0, m0, c0, g0 = _run(model, x, y, fast=False)
    s1, m1, c1, g1 = _run(model, x, y, fast=True)
    rec = model.record(x)
    assert (rec.hidden_backend, rec.output_backend) == (backend, backend)
    assert torch.equal(s0, s1) and torch.equal(c0, c1)
    assert c0.sum() > 0 and s0.sum() > 0, "test is vacuous: no spikes"
    torch.testing.assert_close(m1, m0, rtol=1e-5, atol=1e-5)
    for name in g0:
        torch.testing.assert_close(g1[name], g0[name], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(model.hidden_spikes(x).sum(-1), c0)


def test_records_and_backend_choice():
    x = torch.rand(3, 28, 28)
    model = M.SpikingMLP(num_hidden=16, num_steps=4)
    rec = model.record(x)
    assert isinstance(rec, M.MLPRecord) and rec.hidden_count.shape == (4, 3)
    assert all(torch.equal(a, b) for a, b in zip(model(x), rec[:2]))
    model.fast = False
    assert model.record(x).hidden_backend == "plain"
    learnt = M.SpikingMLP(num_hidden=16, num_steps=4, learn_beta=True)
    assert learnt.record(x).hidden_backend == "fused"  # a learnt beta: not the C kernel
    with pytest.raises(ValueError, match="backend='cpu' cannot run this call: beta as a tensor"):
        M.SpikingMLP(num_hidden=16, num_steps=4, learn_beta=True, backend="cpu")(x)
    ann = M.ANN(num_hidden=12)
    logits, hidden = ann.record(x)
    assert logits.shape == (3, 10) and hidden.shape == (3, 12) and torch.equal(ann(x), logits)


def test_constructor_arguments_are_checked():
    import numpy as np

    assert M.SpikingMLP(num_hidden=np.int64(8), num_steps=np.int64(3)).num_steps == 3
    for kwargs, err in [
        (dict(num_steps=2.5), TypeError),
        (dict(num_steps=0), ValueError),
        (dict(num_hidden=True), TypeError),
        (dict(beta=1.5), ValueError),
        (dict(threshold=-1.0), ValueError),
        (dict(reset="soft"), ValueError),
        (dict(fast="yes"), TypeError),
        (dict(backend="gpu"), ValueError),
        (dict(fast=False, backend="fused"), ValueError),
        (dict(surrogate="sigmoid", alpha=3.0), ValueError),
    ]:
        with pytest.raises(err):
            M.SpikingMLP(num_hidden=8, **kwargs)


def test_uniform_buffers_are_read_once_and_followed_when_changed():
    torch.manual_seed(8)
    model = M.SpikingMLP(num_hidden=16, num_steps=6)
    x = torch.rand(4, 784) * 2
    assert model._engine_params("lif1") == pytest.approx((0.95, 1.0), rel=1e-7)
    assert model._engine_cache["lif1.beta"][0] is model.lif1.beta  # read once, until the buffer changes
    with torch.no_grad():
        model.lif1.beta.fill_(0.5)
        model.lif2.threshold.fill_(0.25)
    assert model._engine_params("lif1") == (0.5, 1.0) and model._engine_params("lif2")[1] == 0.25
    fast = model(x)[0]
    model.fast = False
    assert torch.equal(fast, model(x)[0])
