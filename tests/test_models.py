"""The fast path computes what the plain per-step loop computes: same spikes, same gradients."""

from __future__ import annotations

import math

import pytest
import torch

from snnlib import models as M
from snnlib import neurons as N


def _run(model, x, y, fast):
    model.fast = fast
    model.zero_grad()
    spk, mem = model(x)
    loss = M.membrane_ce_loss(mem, y) + 0.1 * spk.sum()
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    return spk.detach(), mem.detach(), model.last_hidden_count.detach(), grads


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("beta,threshold,learn", [(0.95, 1.0, False), (0.7, 0.5, False), (0.9, 0.8, True)])
def test_fast_path_equals_plain_loop(dtype, reset, beta, threshold, learn):
    torch.manual_seed(0)
    model = M.SpikingMLP(num_hidden=64, num_steps=9, beta=beta, threshold=threshold, reset=reset,
                         learn_beta=learn, learn_threshold=learn).to(dtype)
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


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
def test_lif_multistep_matches_lif_run(reset):
    torch.manual_seed(1)
    cur = (torch.randn(11, 5, 7, dtype=torch.float64) * 0.8 + 0.4).requires_grad_()
    beta = torch.full((7,), 0.85, dtype=torch.float64, requires_grad=True)
    thr = torch.full((7,), 0.9, dtype=torch.float64, requires_grad=True)
    w = torch.randn(11, 5, 7, dtype=torch.float64)
    spk0, mem0 = N.lif_run(cur, N.LIFParams(beta, thr, reset))
    ((spk0 * w).sum() + (mem0 ** 2).sum()).backward()
    g0 = [t.grad.clone() for t in (cur, beta, thr)]
    for t in (cur, beta, thr):
        t.grad = None
    spk1, mem1 = M.lif_multistep(cur, beta, thr, reset)
    ((spk1 * w).sum() + (mem1 ** 2).sum()).backward()
    assert torch.equal(spk0, spk1)
    torch.testing.assert_close(mem1, mem0)
    for a, b in zip(g0, (cur.grad, beta.grad, thr.grad)):
        torch.testing.assert_close(b, a)


def test_lif_multistep_static_equals_repeated_current():
    torch.manual_seed(2)
    cur = (torch.randn(4, 6, dtype=torch.float64) + 0.5).requires_grad_()
    w = torch.randn(8, 4, 6, dtype=torch.float64)
    spk0, mem0 = M.lif_multistep(cur.expand(8, 4, 6), 0.9, 1.0)
    (spk0 * w).sum().backward()
    g0 = cur.grad.clone()
    cur.grad = None
    spk1, mem1 = M.lif_multistep_static(cur, 8, 0.9, 1.0)
    (spk1 * w).sum().backward()
    assert torch.equal(spk0, spk1)
    torch.testing.assert_close(cur.grad, g0)


def test_surrogate_gradient_is_arctan_alpha2():
    # One neuron, one step: dS/dI = (alpha/2) / (1 + (pi/2 alpha (I - thr))^2) with alpha = 2.
    cur = torch.tensor([[0.7]], dtype=torch.float64, requires_grad=True)
    spk, _ = M.lif_multistep_static(cur, 1, 0.95, 1.0)
    spk.sum().backward()
    expected = 1.0 / (1 + (math.pi * (0.7 - 1.0)) ** 2)
    assert cur.grad.item() == pytest.approx(expected, rel=1e-12)


def test_time_first_input_fast_equals_plain():
    torch.manual_seed(3)
    model = M.SpikingMLP(num_hidden=32, num_steps=6)
    x = (torch.rand(6, 5, 784) < 0.3).float()  # e.g. Poisson spikes, [T, B, 784]
    y = torch.randint(0, 10, (5,))
    s0, m0, _, g0 = _run(model, x, y, fast=False)
    s1, m1, _, g1 = _run(model, x, y, fast=True)
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
    assert P.plot_throughput({"snnlib fast path": {"train_samples_per_s": 10.0},
                              "x": {"train_samples_per_s": 1.0}}) is not None
    assert E.check_rate_decoding(lambda s: s.sum(0).argmax(-1))
    assert not E.check_rate_decoding(lambda s: s.sum(1).argmax(-1))
    assert E.check_synaptic_operations(lambda s, f: s.sum() / s.shape[1] * f)
    assert not E.check_synaptic_operations(lambda s, f: s.sum() * f)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("num_hidden,num_outputs,threads", [(203, 10, 1), (96, 7, 1), (203, 10, 2)])
def test_cpu_kernel_equals_eager_fast_path(monkeypatch, dtype, num_hidden, num_outputs, threads):
    """The fused C kernel (snnlib._cpu_kernel) computes what the eager fast path computes.

    Covers the explicit-SIMD path (10 outputs) with a neuron count that is not a multiple of the
    vector width, the generic path (7 outputs), and rows split over two threads.
    """
    from snnlib import _cpu_kernel as K

    if K.load() is None:
        pytest.skip("no C compiler: the eager path is used (tested above)")
    torch.manual_seed(4)
    model = M.SpikingMLP(num_hidden=num_hidden, num_outputs=num_outputs, num_steps=13).to(dtype)
    x = torch.rand(37, 784, dtype=dtype) * 2 - 0.5
    y = torch.randint(0, num_outputs, (37,))
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        monkeypatch.setattr(K, "ENABLED", True)
        s1, m1, c1, g1 = _run(model, x, y, fast=True)
        monkeypatch.setattr(K, "ENABLED", False)
        s0, m0, c0, g0 = _run(model, x, y, fast=True)
    finally:
        torch.set_num_threads(old)
    assert torch.equal(c0, c1), "hidden spike counts differ"
    assert c0.sum() > 0 and s0.sum() > 0, "test is vacuous: no spikes"
    assert torch.equal(s0, s1), "output spikes differ"
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(m1, m0, rtol=tol, atol=tol)
    for name in g0:
        scale = g0[name].abs().max().clamp_min(1e-12)
        err = (g1[name] - g0[name]).abs().max() / scale
        assert err < tol, f"gradient of {name} differs by {err:.2e}"


def test_cpu_kernel_falls_back_without_compiler(monkeypatch, tmp_path):
    """No C compiler: one warning, then the eager path gives the same spikes as the plain loop."""
    from snnlib import _cpu_kernel as K

    monkeypatch.setattr(K, "_lib", None)
    monkeypatch.setattr(K, "_tried", False)
    monkeypatch.setattr(K, "ENABLED", True)
    monkeypatch.setenv("SNNLIB_CACHE", str(tmp_path))
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    monkeypatch.setattr(K.shutil, "which", lambda name: None)
    torch.manual_seed(5)
    model = M.SpikingMLP(num_hidden=32, num_steps=5)
    x = torch.rand(4, 784)
    with pytest.warns(UserWarning, match="fused CPU kernel is unavailable"):
        spk, _ = model(x)
    assert K.load() is None
    model.fast = False
    assert torch.equal(spk, model(x)[0])
