"""The GPU path, proven on the CPU: no host synchronisation in a step, CUDA-graph bookkeeping, bf16
autocast, the Triton kernels as custom operators that ``torch.compile`` keeps whole.

Without a GPU the Triton kernels run in Triton's interpreter (``TRITON_INTERPRET=1``); the CUDA
graph primitives are replaced by a simulation that replays the recorded step; "no host sync" is
checked by construction (no Python-level read of a tensor's value during a step, and forward and
backward on ``meta`` and fake CUDA tensors, where any data-dependent operation fails). The tests
marked ``cuda`` run the same on a GPU (``benchmarks/gpu_check.sh`` runs them), with
``torch.cuda.set_sync_debug_mode("error")``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest
import torch

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")  # the Triton kernels then run on the CPU, in NumPy

from snnlib import engine as E
from snnlib import models as M
from snnlib import train as T
from snnlib.engine import cpu as K
from snnlib.engine import triton as TR
from snnlib.train import graphs as G

ROOT = Path(__file__).resolve().parent.parent
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (benchmarks/gpu_check.sh)")
interpreted = pytest.mark.skipif(not TR.interpreting(), reason="needs Triton's interpreter (TRITON_INTERPRET=1)")

#: What reads a tensor's value back to Python (on a GPU: waits for the device).
SYNCING = ("item", "tolist", "numpy", "cpu", "__float__", "__int__", "__bool__", "__index__")


def _loss(spk, mem, y):
    return M.membrane_ce_loss(mem, y)


def _setup(seed=0, num_hidden=48, num_steps=6, device="cpu", **model):
    torch.manual_seed(seed)
    net = M.SpikingMLP(num_hidden=num_hidden, num_steps=num_steps, **model).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3, fused=True)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1.0 / (1 + i))
    return net, opt, sched


def _batches(n=9, size=16, last=7, device="cpu", seed=1):
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        b = last if i == n - 1 else size
        out.append(((torch.rand(b, 784, generator=g) * 3).to(device), torch.randint(0, 10, (b,), generator=g).to(device)))
    return out


@contextlib.contextmanager
def _count_reads(calls):
    """Record every call of the :data:`SYNCING` methods of ``torch.Tensor``."""
    saved = {name: getattr(torch.Tensor, name) for name in SYNCING}

    def recorder(name, real):
        def method(self, *args, **kwargs):
            calls.append(name)
            return real(self, *args, **kwargs)

        return method

    try:
        for name, real in saved.items():
            setattr(torch.Tensor, name, recorder(name, real))
        yield calls
    finally:
        for name, real in saved.items():
            setattr(torch.Tensor, name, real)


# ---- no host synchronisation ---------------------------------------------------------------------


@pytest.mark.parametrize("kernel", [False], ids=["fused"])
def test_a_training_step_never_reads_a_tensor_back(monkeypatch, kernel):
    """After the first step, steps (forward, loss, backward, Adam, scheduler) read no value back.

    The path a GPU takes (the fused backend) is checked; the CPU kernel runs on the host anyway and
    checks its buffers' values there (a read of host memory, no device synchronisation).
    """
    monkeypatch.setattr(K, "ENABLED", kernel)
    # The checks that read every value (NaN, 0/1 spikes, class range) run for CPU tensors only and
    # are skipped on an accelerator (snnlib._checks.reads_values): skip them here too, as on a GPU.
    from snnlib import _checks

    monkeypatch.setattr(_checks, "reads_values", lambda x: False)
    net, opt, sched = _setup()
    step = G.TrainStep(net, opt, _loss)
    (x, y), *rest = _batches(4)
    step(x, y)
    calls = []
    with _count_reads(calls):
        for x, y in rest:
            step(x, y)
            sched.step()
    assert calls == [], f"host reads in a training step: {calls}"
    assert net.record(x).hidden_backend == ("cpu" if kernel and K.unavailable() is None else "fused")


def test_forward_and_backward_have_no_data_dependent_operation():
    """On ``meta`` tensors (shapes only) any operation that needs a value fails: the step has none."""
    net = M.SpikingMLP(num_hidden=40, num_steps=5).to("meta")  # the cached floats follow the buffers
    x, y = torch.empty(8, 784, device="meta"), torch.zeros(8, dtype=torch.long, device="meta")
    rec = net.record(x)
    assert (rec.hidden_backend, rec.output_backend) == ("fused", "fused")
    _loss(rec.spk, rec.mem, y).backward()
    assert all(p.grad is not None and p.grad.device.type == "meta" for p in net.parameters())


def test_the_triton_path_on_fake_cuda_tensors():
    """Fake CUDA tensors (no GPU, no data): ``auto`` picks the Triton kernels on CUDA, the model's
    forward (float32 and under bf16 autocast) and the backward operator need no value."""
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode(), torch.device("cuda"):
        net = M.SpikingMLP(num_hidden=64, num_steps=5)
        rec = net.record(torch.rand(8, 784))
        assert (rec.hidden_backend, rec.output_backend) == ("triton", "triton")
        assert rec.mem.shape == (5, 8, 10) and rec.mem.dtype == torch.float32
        mem, g = torch.rand(5, 8, 64), torch.rand(5, 8, 64)
        g_cur, g_beta, _g_thr = torch.ops.snnlib.triton_lif_backward(
            g, None, mem, None, None, 0.95, 1.0, 0, True, 0, 3.14, 1.0, False, False, torch.bfloat16
        )
        assert g_cur.shape == (8, 64) and g_cur.dtype == torch.bfloat16 and g_beta.numel() == 0
    assert E.resolve_backend(torch.empty(5, 2, 4, device="meta")) == "fused"  # auto: Triton on CUDA only


def test_the_model_caches_its_constants_across_moves():
    net = M.SpikingMLP(num_hidden=8, num_steps=3)
    assert net._engine_params("lif1") == (pytest.approx(0.95), 1.0)
    net = net.to(torch.float64)
    assert net._engine_params("lif1")[0] == float(torch.tensor(0.95).double())  # the float32 buffer's value
    net.lif1.beta.fill_(0.5)  # changed in place: read again
    assert net._engine_params("lif1")[0] == 0.5


# ---- CUDA graphs (simulated on the CPU) ----------------------------------------------------------


class SimulatedGraphs:
    """CUDA graphs on the CPU: the capture records the step's body without running it, a replay
    runs it again on the same static tensors."""

    def side_stream(self):
        return contextlib.nullcontext()

    def capture(self, body):
        return body

    def replay(self, graph):
        graph()


def _train(graphs, batches, precision=None):
    net, opt, sched = _setup()
    ops = SimulatedGraphs() if graphs else None
    step = G.TrainStep(net, opt, _loss, graphs=graphs, ops=ops, autocast=precision)
    losses = []
    for x, y in batches:
        losses.append(step(x, y))
        sched.step()
    return torch.stack(losses), net, step


def test_graph_replays_train_exactly_as_eager_steps():
    """Warm-up, capture, replays with a changing learning rate, and a smaller last batch in between."""
    batches = [*_batches(8)[:6], _batches(9)[-1], *_batches(8, seed=2)[:2]]  # 6 full, 1 smaller, 2 full
    l0, n0, s0 = _train(False, batches)
    l1, n1, s1 = _train(True, batches)
    torch.testing.assert_close(l1, l0, rtol=1e-6, atol=1e-6)
    for (name, a), b in zip(n0.named_parameters(), n1.parameters()):
        torch.testing.assert_close(b, a, rtol=1e-6, atol=1e-7, msg=f"{name} differs")
    assert s1.report()["cuda_graphs"] and s1.report()["steps"] == {"eager": 1, "warmup": 3, "graph": 5}
    assert not s0.report()["cuda_graphs"] and s0.report()["steps"]["eager"] == 9
    assert all(isinstance(g["lr"], float) and not g["capturable"] for g in s1.optimizer.param_groups)


def test_graphs_are_for_cuda_only():
    cpu, gpu = torch.device("cpu"), torch.device("cuda")
    assert not G.use_graphs(None, cpu, False, 1) and not G.use_graphs(False, gpu, False, 1)
    assert G.use_graphs(None, gpu, False, 1) and not G.use_graphs(None, gpu, True, 1)
    assert not G.use_graphs(None, gpu, False, 2)
    with pytest.raises(ValueError, match="need a CUDA device"):
        G.use_graphs(True, cpu, False, 1)


def test_fit_records_how_it_trained(tmp_path):
    cfg = T.TrainConfig(epochs=1, source="bundled", device="cpu", max_batches=2, max_test=100, num_steps=5)
    h = T.fit(cfg, progress=False).history
    assert h["world_size"] == 1 and h["precision"] == "float32"
    assert h["step"] == {"cuda_graphs": False, "steps": {"eager": 2, "warmup": 0, "graph": 0}, "fallback": None, "autocast": None}
    with pytest.raises(ValueError, match="cuda_graphs=True"):
        T.fit(cfg, progress=False, cuda_graphs=True)


# ---- bf16 autocast -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["auto", "triton"])
def test_a_bf16_autocast_training_step(backend):
    """A training step under bf16 autocast: float32 membranes and gradients, close to float32."""
    if backend == "triton" and not TR.interpreting():
        pytest.skip("the Triton kernels run on the CPU only in the interpreter")
    batches = _batches(3)[:2]
    net32, _, _ = _setup(backend=backend)
    net16, opt, _ = _setup(backend=backend)
    step = G.TrainStep(net16, opt, _loss, autocast=torch.bfloat16)
    x, _ = batches[0]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        rec = net16.record(x)
    assert rec.mem.dtype == torch.float32 and rec.spk.dtype == torch.bfloat16
    assert rec.hidden_backend == ("fused" if backend == "auto" else "triton")
    loss16 = torch.stack([step(x, y) for x, y in batches])
    loss32 = torch.stack([_loss(*net32(x), y) for x, y in batches[:1]])
    assert torch.isfinite(loss16).all() and loss16.dtype == torch.float32
    assert abs(float(loss16[0]) - float(loss32[0].detach())) < 0.02 * float(loss32[0].detach())
    assert all(p.dtype == torch.float32 and p.grad.dtype == torch.float32 for p in net16.parameters())


def test_fit_in_bf16(tmp_path):
    cfg = T.TrainConfig(epochs=1, source="bundled", device="cpu", max_batches=3, max_test=200, num_steps=6)
    h32 = T.fit(cfg, progress=False).history
    h16 = T.fit(cfg, progress=False, precision="bfloat16").history
    assert h16["precision"] == "bfloat16" and h16["step"]["autocast"] == "bfloat16"
    assert all(abs(a - b) < 0.05 * a for a, b in zip(h32["loss"], h16["loss"]))
    with pytest.raises(ValueError, match="precision must be one of"):
        T.fit(cfg, progress=False, precision="fp8")


# ---- the Triton kernels as custom operators ------------------------------------------------------


@interpreted
def test_the_triton_operator_passes_opcheck():
    """Schema, fake implementation and autograd registration of ``torch.ops.snnlib.triton_lif``."""
    cur = torch.randn(4, 2, 3, requires_grad=True)
    beta = torch.full((2, 3), 0.9, requires_grad=True)
    args = (cur, beta, None, 0.0, 1.0, 4, 0, False, 0, 3.14159, 1.0)
    torch.library.opcheck(torch.ops.snnlib.triton_lif.default, args)


@interpreted
def test_torch_compile_keeps_the_triton_step_in_one_graph():
    """``torch.compile`` (here its ``aot_eager`` backend) sees the kernels as operators: no graph break."""
    torch.manual_seed(0)
    net = M.SpikingMLP(num_hidden=24, num_steps=4, backend="triton")
    x, y = torch.rand(3, 784) * 2, torch.randint(0, 10, (3,))

    def step(x, y):
        return _loss(*net(x), y)

    explained = torch._dynamo.explain(step)(x, y)
    assert (explained.graph_count, explained.graph_break_count) == (1, 0), explained.break_reasons
    compiled = torch.compile(step, backend="aot_eager", fullgraph=True)
    loss = compiled(x, y)
    loss.backward()
    grads = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    eager = step(x, y)
    eager.backward()
    torch.testing.assert_close(loss, eager)
    for a, b in zip(grads, net.parameters()):
        torch.testing.assert_close(a, b.grad)


# ---- on a GPU ------------------------------------------------------------------------------------


@cuda
@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("static", [True, False])
def test_cuda_triton_equals_loop(reset, static):
    torch.manual_seed(0)
    dev = torch.device("cuda")
    shape = (64, 300) if static else (25, 64, 300)
    cur = (torch.randn(shape, device=dev) * 0.8 + 0.5).requires_grad_()
    beta = torch.linspace(0.6, 0.95, 300, device=dev).requires_grad_()
    out = {}
    for backend in ("loop", "triton"):
        cur.grad = beta.grad = None
        spk, mem, _ = E.lif_multistep(cur, beta, 1.0, reset, num_steps=25 if static else None, backend=backend)
        ((spk * torch.linspace(-1, 1, 300, device=dev)).sum() + (mem**2).mean()).backward()
        out[backend] = (spk, mem, cur.grad.clone(), beta.grad.clone())
    (s0, m0, gc0, gb0), (s1, m1, gc1, gb1) = out["loop"], out["triton"]
    assert torch.equal(s0, s1)
    torch.testing.assert_close(m1, m0, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(gc1, gc0, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(gb1, gb0, rtol=1e-4, atol=1e-4)


@cuda
@pytest.mark.parametrize("graphs", [False, True], ids=["eager", "cuda-graph"])
@pytest.mark.parametrize("precision", [None, torch.bfloat16], ids=["float32", "bf16"])
def test_cuda_steps_never_synchronise(graphs, precision):
    """Steady-state steps on CUDA with ``set_sync_debug_mode("error")``: any sync raises."""
    net, opt, sched = _setup(num_hidden=256, num_steps=25, device="cuda")
    step = G.TrainStep(net, opt, _loss, graphs=graphs, autocast=precision)
    batches = _batches(8, size=128, last=128, device="cuda")
    for x, y in batches[:5]:  # warm-up and capture
        step(x, y)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for x, y in batches[5:]:
            step(x, y)
            sched.step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert step.report()["cuda_graphs"] == graphs
    assert net.record(batches[0][0]).hidden_backend == "triton"


@cuda
def test_cuda_graph_step_equals_eager():
    dev = "cuda"
    batches = _batches(8, size=128, last=100, device=dev)
    results = []
    for graphs in (False, True):
        net, opt, _ = _setup(num_hidden=256, num_steps=25, device=dev)
        step = G.TrainStep(net, opt, _loss, graphs=graphs)
        losses = torch.stack([step(x, y) for x, y in batches])
        results.append((losses, [p.detach().clone() for p in net.parameters()], step.report()))
    (l0, p0, _), (l1, p1, r1) = results
    assert r1["cuda_graphs"] and r1["steps"]["graph"] == 4 and r1["steps"]["eager"] == 1
    torch.testing.assert_close(l1, l0, rtol=1e-5, atol=1e-5)
    for a, b in zip(p0, p1):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6)


# ---- the GPU check script --------------------------------------------------------------------------


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU the script measures for minutes")
def test_gpu_check_says_no_gpu_and_exits_quickly(tmp_path):
    env = dict(os.environ, GPU_CHECK_OUT=str(tmp_path / "gpu.json"))
    proc = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "no CUDA GPU" in proc.stdout and not (tmp_path / "gpu.json").exists()
