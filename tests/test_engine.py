"""Every multi-step LIF backend computes the loop backend's numbers, for every configuration it declares.

One matrix: backend x operation x reset x surrogate x static/time-varying current x float/tensor/
learnable beta and threshold x float32/float64. Spikes must be equal, membranes and gradients (of
the current, beta, threshold and the synapses) equal to float rounding. What a backend does not
declare must raise a ValueError that says why when the backend is forced.

The ``"triton"`` backend runs here in Triton's interpreter on the CPU (``TRITON_INTERPRET=1``, set
below before its kernels are first defined) unless a CUDA GPU is present; its CUDA runs are in
``tests/test_gpu_path.py``.
"""

from __future__ import annotations

import itertools
import math
import os
from typing import NamedTuple

import numpy as np
import pytest
import torch

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")  # the Triton kernels then run on the CPU, in NumPy

from snnlib import engine as E
from snnlib import models as M
from snnlib import neurons as N
from snnlib import surrogate as S
from snnlib.engine import cpu as K
from snnlib.engine.spec import Request

#: Every registered surrogate (by name).
SURROGATES = sorted(getattr(S, "REGISTRY", {})) or ["arctan", "fast_sigmoid", "sigmoid", "triangle", "straight_through", "none"]
KIND_PAIRS = [("float", "float"), ("tensor", "float"), ("float", "tensor"), ("learnable", "learnable")]
T, B, N_LIF, H, C = 6, 3, 5, 19, 10


class Config(NamedTuple):
    op: str
    reset: str
    surrogate: str
    current: str
    beta: str
    threshold: str
    dtype: torch.dtype

    def request(self) -> Request:
        return Request(self.op, self.reset, 0, self.surrogate, self.beta, self.threshold, "cpu", self.dtype, self.current)

    def __str__(self) -> str:
        return "-".join(
            [
                self.op,
                self.reset,
                self.surrogate,
                self.current,
                f"beta={self.beta}",
                f"thr={self.threshold}",
                str(self.dtype).replace("torch.", ""),
            ]
        )


CONFIGS = [
    Config(op, reset, sg, current, bk, tk, dtype)
    for op, reset, sg, current, (bk, tk), dtype in itertools.product(
        E.OPS, N.RESETS, SURROGATES, ("static", "time_varying"), KIND_PAIRS, (torch.float32, torch.float64)
    )
]
OTHERS = [name for name in E.REGISTRY if name != "loop"]


def _declared(backend: str, cfg: Config) -> bool:
    support = E.REGISTRY[backend].ops.get(cfg.op)
    return support is not None and support.why_not(cfg.request()) is None


SUPPORTED = [(b, c) for b in OTHERS for c in CONFIGS if _declared(b, c)]
UNSUPPORTED = [(b, c) for b in OTHERS for c in CONFIGS if not _declared(b, c)]


def _skip_unavailable(backend: str, request: Request = None) -> None:
    b = E.REGISTRY[backend]
    reason = b.unavailable() or (b.unavailable_for(request) if request is not None else None)
    if reason is not None:
        pytest.skip(f"backend {backend!r} is unavailable here: {reason}")


def _inputs(cfg: Config, seed: int = 0):
    """Leaf tensors and the call's keyword arguments for ``cfg`` (fresh, so gradients start at None)."""
    g = torch.Generator().manual_seed(seed)
    dt = cfg.dtype
    n = H if cfg.op == "lif_linear" else N_LIF
    shape = (B, n) if cfg.current == "static" else (T, B, n)
    cur = (torch.randn(shape, generator=g, dtype=dt) * 0.8 + 0.5).requires_grad_()
    leaves = {"cur": cur}
    values = {"beta": (0.85, torch.linspace(0.6, 0.95, n, dtype=dt)), "threshold": (0.9, torch.linspace(0.7, 1.2, n, dtype=dt))}
    kwargs = {}
    for name, (number, tensor) in values.items():
        kind = getattr(cfg, name)
        if kind == "float":
            kwargs[name] = number
        else:
            kwargs[name] = tensor.clone().requires_grad_(kind == "learnable")
            if kind == "learnable":
                leaves[name] = kwargs[name]
    if cfg.op == "lif_linear":
        leaves["weight"] = (torch.randn(C, H, generator=g, dtype=dt) * 0.4).requires_grad_()
        leaves["bias"] = (torch.randn(C, generator=g, dtype=dt) * 0.1).requires_grad_()
    weights = [torch.randn((T, B, C if cfg.op == "lif_linear" else n), generator=g, dtype=dt) for _ in range(2)]
    return leaves, kwargs, weights


def _run(backend: str, cfg: Config):
    leaves, kwargs, (w1, w2) = _inputs(cfg)
    steps = T if cfg.current == "static" else None
    common = dict(reset=cfg.reset, num_steps=steps, surrogate=cfg.surrogate, backend=backend, **kwargs)
    if cfg.op == "lif":
        spk, mem, ran = E.lif_multistep(leaves["cur"], **common)
        loss = (spk * w1).sum() + (mem * w2).sum()
        outputs = (spk, mem)
    else:
        out, count, ran = E.lif_multistep_linear(leaves["cur"], leaves["weight"], leaves["bias"], **common)
        loss = (out * w1).sum() + (out**2 * w2).sum()
        outputs = (count, out)
    assert ran == backend
    loss.backward()
    return [o.detach() for o in outputs], {k: v.grad for k, v in leaves.items()}


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # the interpreter's NumPy sigmoid
@pytest.mark.parametrize("backend,cfg", SUPPORTED, ids=[f"{b}-{c}" for b, c in SUPPORTED])
def test_backend_equals_loop(backend, cfg):
    _skip_unavailable(backend, cfg.request())
    (s0, m0), g0 = _run("loop", cfg)
    (s1, m1), g1 = _run(backend, cfg)
    most = s0.numel() * (H if cfg.op == "lif_linear" else 1)
    assert 0 < s0.sum() < most, "test is vacuous: no spikes or only spikes"
    assert torch.equal(s0, s1), "spikes (spike counts for lif_linear) differ"
    tol = 1e-5 if cfg.dtype == torch.float32 else 1e-12
    torch.testing.assert_close(m1, m0, rtol=tol, atol=tol)
    assert set(g0) == set(g1)
    for name in g0:
        assert g1[name] is not None, f"no gradient for {name}"
        scale = g0[name].abs().max().clamp_min(1e-12 if cfg.surrogate != "none" else 1.0)
        err = float((g1[name] - g0[name]).abs().max() / scale)
        assert err < (2e-5 if cfg.dtype == torch.float32 else 1e-11), f"gradient of {name} differs by {err:.2e}"


@pytest.mark.parametrize("backend,cfg", UNSUPPORTED, ids=[f"{b}-{c}" for b, c in UNSUPPORTED])
def test_forced_backend_refuses_what_it_does_not_declare(backend, cfg):
    _skip_unavailable(backend)
    leaves, kwargs, _ = _inputs(cfg)
    steps = T if cfg.current == "static" else None
    common = dict(reset=cfg.reset, num_steps=steps, surrogate=cfg.surrogate, backend=backend, **kwargs)
    with pytest.raises(ValueError, match=rf"backend='{backend}' cannot run this call: .*auto' would run"):
        if cfg.op == "lif":
            E.lif_multistep(leaves["cur"], **common)
        else:
            E.lif_multistep_linear(leaves["cur"], leaves["weight"], leaves["bias"], **common)


def test_refusals_name_the_reason():
    cur = torch.rand(4, 2, 3)
    cases = [
        (dict(backend="cpu", surrogate="sigmoid"), "'sigmoid' surrogate is not implemented"),
        (dict(backend="cpu", beta=torch.full((3,), 0.9)), "beta as a tensor"),
        (dict(backend="cpu", threshold=torch.ones(3, requires_grad=True)), "threshold as a tensor that requires grad"),
        (dict(backend="fused", refractory=2), "refractory period"),
        (dict(backend="cpu", refractory=1), "refractory period"),
    ]
    for kwargs, reason in cases:
        with pytest.raises(ValueError, match=reason):
            E.lif_multistep(cur, **kwargs)
    with pytest.raises(ValueError, match="dtype float16 is not supported"):
        E.lif_multistep(cur.half(), backend="cpu")
    with pytest.raises(ValueError, match="dtype float64 is not supported"):
        E.lif_multistep(cur.double(), backend="triton")
    with pytest.raises(ValueError, match="refractory period"):
        E.lif_multistep(cur, refractory=1, backend="triton")
    with pytest.raises(ValueError, match="backend must be one of"):
        E.lif_multistep(cur, backend="triton-someday")


@pytest.mark.parametrize("reset", N.RESETS)
@pytest.mark.parametrize("refractory", [0, 1, 3])
def test_loop_backend_is_lif_run(reset, refractory):
    torch.manual_seed(7)
    cur = torch.randn(12, 4, 6, dtype=torch.float64) * 0.8 + 0.5
    spk0, mem0 = N.lif_run(cur, N.LIFParams(0.9, 1.0, reset, refractory))
    spk1, mem1, ran = E.lif_multistep(cur, 0.9, 1.0, reset, refractory=refractory, backend="loop")
    assert ran == "loop" and torch.equal(spk0, spk1) and torch.equal(mem0, mem1)
    assert E.lif_multistep(cur, 0.9, 1.0, reset, refractory=refractory).backend == "loop" if refractory else True


def test_auto_reports_the_backend_it_ran():
    cur = torch.rand(5, 2, 4)
    fast = "cpu" if K.unavailable() is None else "fused"
    assert E.lif_multistep(cur).backend == fast == E.resolve_backend(cur)
    assert E.lif_multistep(cur, torch.full((4,), 0.9)).backend == "fused"
    assert E.lif_multistep(cur, surrogate="sigmoid").backend == "fused"
    assert E.lif_multistep(cur, refractory=2).backend == "loop" == E.resolve_backend(cur, refractory=2)
    w, b = torch.rand(3, 4), torch.rand(3)
    rec = E.lif_multistep_linear(cur[0], w, b, num_steps=5)
    assert rec.backend == fast == E.resolve_backend(cur[0], num_steps=5, op="lif_linear")
    assert rec.cur.shape == (5, 2, 3) and rec.count.shape == (5, 2)
    assert ("auto", *tuple(E.REGISTRY)) == E.BACKENDS and E.BACKENDS[-1] == "loop"


def test_bad_arguments_raise_clear_errors():
    cur = torch.rand(5, 2, 4)
    with pytest.raises(ValueError, match=r"\[T, B, \.\.\.\]"):
        E.lif_multistep(torch.rand(5))
    with pytest.raises(TypeError, match="num_steps must be an integer"):
        E.lif_multistep(cur[0], num_steps=2.5)
    assert E.lif_multistep(cur[0], num_steps=np.int64(3)).spk.shape == (3, 2, 4)
    with pytest.raises(ValueError, match="beta must be"):
        E.lif_multistep(cur, 1.5)
    with pytest.raises(ValueError, match="threshold must be"):
        E.lif_multistep(cur, 0.9, 0.0)
    with pytest.raises(ValueError, match="broadcastable"):
        E.lif_multistep(cur, torch.full((3,), 0.9))
    with pytest.raises(TypeError, match="dtype"):
        E.lif_multistep(cur, torch.full((4,), 0.9, dtype=torch.float64))
    with pytest.raises(ValueError, match="reset must be one of"):
        E.lif_multistep(cur, reset="soft")
    with pytest.raises(ValueError, match=r"weight must be \[C, H\]"):
        E.lif_multistep_linear(cur, torch.rand(3, 5), torch.rand(3))


# ---- moved from tests/test_models.py -----------------------------------------------------------


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
def test_lif_multistep_matches_lif_run(reset):
    torch.manual_seed(1)
    cur = (torch.randn(11, 5, 7, dtype=torch.float64) * 0.8 + 0.4).requires_grad_()
    beta = torch.full((7,), 0.85, dtype=torch.float64, requires_grad=True)
    thr = torch.full((7,), 0.9, dtype=torch.float64, requires_grad=True)
    w = torch.randn(11, 5, 7, dtype=torch.float64)
    spk0, mem0 = N.lif_run(cur, N.LIFParams(beta, thr, reset))
    ((spk0 * w).sum() + (mem0**2).sum()).backward()
    g0 = [t.grad.clone() for t in (cur, beta, thr)]
    for t in (cur, beta, thr):
        t.grad = None
    spk1, mem1, _ = E.lif_multistep(cur, beta, thr, reset)
    ((spk1 * w).sum() + (mem1**2).sum()).backward()
    assert torch.equal(spk0, spk1)
    torch.testing.assert_close(mem1, mem0)
    for a, b in zip(g0, (cur.grad, beta.grad, thr.grad)):
        torch.testing.assert_close(b, a)


def test_lif_multistep_static_equals_repeated_current():
    torch.manual_seed(2)
    cur = (torch.randn(4, 6, dtype=torch.float64) + 0.5).requires_grad_()
    w = torch.randn(8, 4, 6, dtype=torch.float64)
    spk0, _mem0, _ = E.lif_multistep(cur.expand(8, 4, 6), 0.9, 1.0)
    (spk0 * w).sum().backward()
    g0 = cur.grad.clone()
    cur.grad = None
    spk1, _mem1, _ = E.lif_multistep(cur, 0.9, 1.0, num_steps=8)
    (spk1 * w).sum().backward()
    assert torch.equal(spk0, spk1)
    torch.testing.assert_close(cur.grad, g0)


@pytest.mark.parametrize("backend", list(E.REGISTRY))
def test_surrogate_gradient_is_arctan_alpha2(backend):
    # One neuron, one step: dS/dI = (alpha/2) / (1 + (pi/2 alpha (I - thr))^2) with alpha = 2.
    double = torch.float64 in E.REGISTRY[backend].ops["lif"].dtypes
    dtype = torch.float64 if double else torch.float32
    cur = torch.tensor([[0.7]], dtype=dtype, requires_grad=True)
    _skip_unavailable(backend, Request("lif", "subtract", 0, "arctan", "float", "float", "cpu", dtype, "static"))
    spk, _, _ = E.lif_multistep(cur, 0.95, 1.0, num_steps=1, backend=backend)
    spk.sum().backward()
    expected = 1.0 / (1 + (math.pi * (0.7 - 1.0)) ** 2)
    assert cur.grad.item() == pytest.approx(expected, rel=1e-12 if double else 1e-6)


def _run_model(model, x, y, fast):
    model.fast = fast
    model.zero_grad()
    rec = model.record(x)
    loss = M.membrane_ce_loss(rec.mem, y) + 0.1 * rec.spk.sum()
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    return rec.spk.detach(), rec.mem.detach(), rec.hidden_count.detach(), grads, rec


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "num_hidden,num_outputs,threads,static", [(203, 10, 1, True), (96, 7, 1, True), (203, 10, 2, True), (203, 10, 1, False)]
)
def test_cpu_kernel_equals_eager_fast_path(monkeypatch, dtype, num_hidden, num_outputs, threads, static):
    """The C kernel (snnlib.engine.cpu) computes what the fused PyTorch backend computes.

    Covers the explicit-SIMD path (10 outputs) with a neuron count that is not a multiple of the
    vector width, the generic path (7 outputs), rows split over two threads, a time-first input.
    """
    if K.load() is None:
        pytest.skip("no C compiler: the eager path is used (tested above)")
    torch.manual_seed(4)
    model = M.SpikingMLP(num_hidden=num_hidden, num_outputs=num_outputs, num_steps=13).to(dtype)
    x = torch.rand(37, 784, dtype=dtype) * 2 - 0.5
    if not static:
        x = torch.rand(13, 37, 784, dtype=dtype) * 2 - 0.5
    y = torch.randint(0, num_outputs, (37,))
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        monkeypatch.setattr(K, "ENABLED", True)
        s1, m1, c1, g1, r1 = _run_model(model, x, y, fast=True)
        monkeypatch.setattr(K, "ENABLED", False)
        s0, m0, c0, g0, r0 = _run_model(model, x, y, fast=True)
    finally:
        torch.set_num_threads(old)
    assert (r1.hidden_backend, r1.output_backend) == ("cpu", "cpu")
    assert (r0.hidden_backend, r0.output_backend) == ("fused", "fused")
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
    monkeypatch.setattr(K, "_lib", None)
    monkeypatch.setattr(K, "_tried", False)
    monkeypatch.setattr(K, "_error", None)
    monkeypatch.setattr(K, "ENABLED", True)
    monkeypatch.setenv("SNNLIB_CACHE", str(tmp_path))
    monkeypatch.setattr(K.shutil, "which", lambda name: None)
    torch.manual_seed(5)
    model = M.SpikingMLP(num_hidden=32, num_steps=5)
    x = torch.rand(4, 784)
    with pytest.warns(UserWarning, match="fused CPU kernel is unavailable"):
        rec = model.record(x)
    spk = rec.spk
    assert K.load() is None
    assert (rec.hidden_backend, rec.output_backend) == ("fused", "fused")
    with pytest.raises(ValueError, match="no C compiler found"):
        E.lif_multistep(torch.rand(3, 2, 4), backend="cpu")
    model.fast = False
    assert torch.equal(spk, model(x)[0])


def test_device_is_part_of_the_request():
    cur = torch.empty(5, 2, 4, device="meta")  # shapes and dtypes only: nothing is computed
    assert E.resolve_backend(cur) == "fused"
    with pytest.raises(ValueError, match="does not run on 'meta' tensors"):
        E.resolve_backend(cur, backend="cpu")


def test_the_c_source_ships_as_package_data():
    tomllib = pytest.importorskip("tomllib")
    root = K.SOURCE.parent.parent.parent
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["snnlib"]
    assert "engine/*.c" in data and K.SOURCE.is_file()
