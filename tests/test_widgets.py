"""Explorers without a browser: the data they draw is snnlib's, and the JavaScript model agrees with snnlib.

The kernel-free explorers of the rendered book run ``snnlib/js/models.js`` in the reader's browser.
Here that same file runs in Node and must give the same spikes as ``snnlib`` exactly and the same
membranes to float tolerance, for many parameter combinations (every reset mode, refractory periods).
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import torch

import snnlib as snl
from snnlib import widgets as W
from snnlib.neurons import LIFParams, lif_run

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: the JavaScript model cannot be run")

DISPATCH = r"""
function snnDispatch(M, req) {
  if (req.fn === 'smooth' || req.fn === 'derivative') {
    return req.cases.map(c => c.u.map(u => M.SURROGATES[c.name][req.fn](u, c.k)));
  } else if (req.fn === 'weightGradient') {
    return req.cases.map(c => c.w.map(w => M.weightGradient(c.name, c.k, w)));
  } else if (req.fn === 'mulberry32') {
    return req.cases.map(c => { const r = M.mulberry32(c.seed); return Array.from({length: c.n}, r); });
  } else if (req.fn === 'lifRun') {
    return req.cases.map(c => M.lifRun(c.cur, c.params));
  } else if (req.fn === 'surrogateNames') {
    return Object.keys(M.SURROGATES);
  }
  return req.cases.map(v => M[req.fn](v));
}
"""

NODE_RUNNER = (
    DISPATCH
    + r"""
const M = require(process.argv[1]);
let data = '';
process.stdin.on('data', c => data += c);
process.stdin.on('end', () => process.stdout.write(JSON.stringify(snnDispatch(M, JSON.parse(data)))));
"""
)


@pytest.fixture(scope="module")
def js():
    """``js(fn, cases)``: call ``fn`` of snnlib/js/models.js on each case, in Node, or else in headless Chromium."""
    if NODE is not None:

        def run(fn, cases=()):
            proc = subprocess.run(
                [NODE, "-e", NODE_RUNNER, str(W.JS_DIR / "models.js")],
                input=json.dumps({"fn": fn, "cases": list(cases)}),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert proc.returncode == 0, f"node failed:\n{proc.stderr}"
            return json.loads(proc.stdout)

        yield run
        return
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("neither node nor playwright is installed: the JavaScript model cannot be run")
    import os

    if not os.path.exists(chromium):
        pytest.skip("neither node nor Chromium is installed: the JavaScript model cannot be run")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=W._read_js("models.js") + DISPATCH)

        def run(fn, cases=()):
            return page.evaluate("req => snnDispatch(SNNModels, req)", {"fn": fn, "cases": list(cases)})

        yield run
        browser.close()


def reference_lif(cur, beta, threshold, reset, refractory):
    """LIF_SEMANTICS written out plainly (independent of both snnlib and the JavaScript)."""
    U, prev, left, mem, spk = 0.0, 0.0, 0, [], []
    for i in cur:
        R = prev
        if R > 0 and refractory > 0:
            left = refractory
        blocked = left > 0
        i = 0.0 if blocked else i
        if reset == "subtract":
            U = beta * U + i - R * threshold
        elif reset == "zero":
            U = beta * ((1 - R) * U) + i
        else:
            U = beta * U + i
        S = 1.0 if (not blocked and U - threshold > 0) else 0.0
        if blocked:
            left -= 1
        mem.append(U)
        spk.append(S)
        prev = S
    return np.array(spk), np.array(mem)


# ---------------------------------------------------------------------------------------------
# LIF explorer: the data drawn is the library's
# ---------------------------------------------------------------------------------------------
LIF_CASES = [
    dict(),
    dict(beta=0.8, threshold=0.5, amplitude=0.3),
    dict(reset="zero", amplitude=0.25, input="noisy"),
    dict(reset="none", amplitude=0.2, num_steps=60),
    dict(beta=1.0, threshold=1.5, amplitude=0.1, input="ramp"),
    dict(beta=0.5, amplitude=0.6, input="pulse", num_steps=300),
    dict(amplitude=0.0),
]
REFRACTORY_CASES = [
    dict(refractory=3, amplitude=0.4),
    dict(refractory=5, reset="zero", amplitude=0.5, input="noisy"),
    dict(refractory=1, reset="none", amplitude=0.3),
    dict(refractory=20, beta=0.95, amplitude=0.6, threshold=0.3),
]


@pytest.mark.parametrize("case", LIF_CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "defaults")
def test_lif_update_is_the_library_trace(case):
    ex = W.lif_explorer()
    d = ex.update(**case)
    v = ex.values(**case)
    T = v["num_steps"]
    cur = torch.tensor(W.lif_input(v["input"], v["amplitude"], T), dtype=torch.float64).reshape(T, 1)
    spk, mem = lif_run(cur, LIFParams(v["beta"], v["threshold"], v["reset"], v["refractory"]))
    np.testing.assert_array_equal(d["spk"], spk[:, 0].numpy())
    np.testing.assert_array_equal(d["mem"], mem[:, 0].numpy())
    np.testing.assert_array_equal(d["current"], cur[:, 0].numpy())
    assert d["n_spikes"] == int(spk.sum())
    np.testing.assert_array_equal(d["spike_times"], np.flatnonzero(spk[:, 0].numpy()) + 1)
    assert d["steps"].shape == (T,) and d["threshold"] == v["threshold"]
    # The float32 library (the chapter's default dtype) draws the same membrane to float tolerance.
    _, mem32 = lif_run(cur.float(), LIFParams(v["beta"], v["threshold"], v["reset"], v["refractory"]))
    if np.array_equal(spk[:, 0].numpy(), _[:, 0].numpy()):
        np.testing.assert_allclose(d["mem"], mem32[:, 0].numpy(), atol=1e-4)


def test_lif_explorer_has_the_controls_the_chapter_needs():
    ex = W.lif_explorer()
    names = [c.name for c in ex.controls]
    assert names == ["beta", "threshold", "amplitude", "input", "reset", "refractory", "num_steps"]
    reset = next(c for c in ex.controls if c.name == "reset")
    assert tuple(reset.options) == ("subtract", "zero", "none")
    with pytest.raises(ValueError, match="outside the slider's range"):
        ex.update(beta=1.5)
    with pytest.raises(ValueError, match="no control"):
        ex.update(tau=3)
    with pytest.raises(ValueError, match="not one of"):
        ex.update(reset="hard")


def test_lif_input_shapes():
    cur = W.lif_input("step", 0.2, 50)
    assert (cur[: W.INPUT_ONSET] == 0).all() and (cur[W.INPUT_ONSET :] == 0.2).all()
    pulse = W.lif_input("pulse", 0.2, 50)
    assert pulse.sum() == pytest.approx(0.2 * 20) and pulse[-1] == 0
    ramp = W.lif_input("ramp", 0.3, 31)
    assert ramp[0] == 0 and ramp[-1] == pytest.approx(0.3) and (np.diff(ramp) > 0).all()
    noisy = W.lif_input("noisy", 0.2, 4000)[W.INPUT_ONSET :]
    assert abs(noisy.mean() - 0.2) < 0.01 and noisy.min() >= 0 and noisy.max() < 0.4
    with pytest.raises(ValueError, match="unknown input shape"):
        W.lif_input("sine", 0.2, 10)


def test_steady_state_and_spike_free_below_threshold():
    ex = W.lif_explorer()
    # The input alone settles at I / (1 - beta); below threshold there is no spike and U approaches it.
    d = ex.update(beta=0.9, amplitude=0.09, threshold=1.0, num_steps=300)
    assert d["n_spikes"] == 0
    assert d["mem"][-1] == pytest.approx(0.09 / (1 - 0.9), rel=1e-6)
    t = np.arange(300 - W.INPUT_ONSET)
    np.testing.assert_allclose(d["mem"][W.INPUT_ONSET :], 0.9 * (1 - 0.9 ** (t + 1)), rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# The JavaScript model against snnlib (Node)
# ---------------------------------------------------------------------------------------------
def test_js_random_stream_is_pythons(js):
    got = js("mulberry32", [{"seed": 1, "n": 500}, {"seed": 12345, "n": 50}])
    np.testing.assert_array_equal(got[0], W.mulberry32(1, 500))
    np.testing.assert_array_equal(got[1], W.mulberry32(12345, 50))


def _lif_grid(refractory_values, per_combo=6, seed=0):
    """Every (input shape, reset, refractory) combination, each with ``per_combo`` random settings."""
    rng = np.random.default_rng(seed)
    ex = W.lif_explorer()
    cases = []
    for i, r, k in itertools.product(W.LIF_INPUTS, ("subtract", "zero", "none"), refractory_values):
        for _ in range(per_combo):
            cases.append(
                ex.values(
                    beta=float(rng.choice([0.5, 0.8, 0.9, 0.95, 1.0, round(rng.uniform(0.5, 1), 2)])),
                    threshold=float(rng.choice([0.3, 1.0, 1.7, round(rng.uniform(0.1, 2), 2)])),
                    amplitude=float(rng.choice([0.05, 0.15, 0.45, round(rng.uniform(0, 0.6), 2)])),
                    input=i,
                    reset=r,
                    refractory=k,
                    num_steps=120,
                )
            )
    return cases


def _compare_js_lif(js, cases):
    ex = W.lif_explorer()
    results = js("lif", cases)
    assert len(results) == len(cases)
    n_spikes = 0
    for v, out in zip(cases, results):
        py = ex.update(**v)
        np.testing.assert_array_equal(out["current"], py["current"], err_msg=f"input differs at {v}")
        np.testing.assert_array_equal(out["spk"], py["spk"], err_msg=f"JS spikes differ from snnlib at {v}")
        np.testing.assert_allclose(out["mem"], py["mem"], rtol=1e-12, atol=1e-12, err_msg=f"JS membrane differs at {v}")
        np.testing.assert_array_equal(out["spike_times"], py["spike_times"])
        np.testing.assert_array_equal(out["blocked"], py["blocked"], err_msg=f"refractory steps differ at {v}")
        n_spikes += py["n_spikes"]
    assert n_spikes > 300  # the grid exercises firing, not just silence


def test_js_lif_matches_snnlib_without_refractory(js):
    _compare_js_lif(js, _lif_grid([0]))


def test_js_lif_matches_snnlib_with_refractory(js):
    _compare_js_lif(js, _lif_grid([1, 4]) + [W.lif_explorer().values(**c) for c in REFRACTORY_CASES])


def test_js_lif_implements_the_agreed_semantics(js):
    """JS against LIF_SEMANTICS written out in Python (independently of snnlib), incl. random inputs."""
    rng = np.random.default_rng(0)
    cases, refs = [], []
    for reset, K in itertools.product(("subtract", "zero", "none"), (0, 1, 2, 5)):
        for _ in range(4):
            cur = rng.uniform(-0.2, 0.9, size=80).tolist()
            beta, thr = float(rng.uniform(0.6, 1.0)), float(rng.uniform(0.4, 1.5))
            cases.append({"cur": cur, "params": {"beta": beta, "threshold": thr, "reset": reset, "refractory": K}})
            refs.append(reference_lif(cur, beta, thr, reset, K))
    for c, out, (spk, mem) in zip(cases, js("lifRun", cases), refs):
        np.testing.assert_array_equal(out["spk"], spk, err_msg=str(c["params"]))
        np.testing.assert_allclose(out["mem"], mem, rtol=1e-12, atol=1e-12)
        K = c["params"]["refractory"]
        times = np.flatnonzero(spk)
        assert (np.diff(times) > K).all(), "a spike fell inside a refractory period"


# ---------------------------------------------------------------------------------------------
# Surrogate explorer
# ---------------------------------------------------------------------------------------------
def test_every_library_surrogate_has_a_js_twin(js):
    js_names = set(js("surrogateNames"))
    missing = set(snl.surrogate.REGISTRY) - js_names
    assert not missing, f"surrogates in snnlib.surrogate.REGISTRY without a JavaScript twin in models.js: {sorted(missing)}"


def _library_surrogates():
    return [s for s in W.SURROGATE_CHOICES if s in snl.surrogate.REGISTRY]


@pytest.mark.parametrize("sharpness", [0.5, 2.0, 10.0, 25.0])
def test_js_surrogates_match_snnlib(js, sharpness):
    u = W._linspace(*W.SURROGATE_U)
    names = _library_surrogates()
    cases = [{"name": n, "k": sharpness, "u": u.tolist()} for n in names]
    ut = torch.tensor(u, dtype=torch.float64)
    for n, d_js, s_js in zip(names, js("derivative", cases), js("smooth", cases)):
        fn = snl.surrogate.get(n, sharpness)
        d_py = np.asarray(fn.derivative(ut), dtype=np.float64)
        np.testing.assert_allclose(
            d_js, d_py, rtol=2e-6, atol=1e-6 * max(1.0, float(np.abs(d_py).max())), err_msg=f"{n} derivative differs"
        )
        np.testing.assert_allclose(
            s_js, np.asarray(fn.smooth(ut), dtype=np.float64), rtol=2e-6, atol=1e-6, err_msg=f"{n} smooth function differs"
        )
        # The backward pass of the autograd Function is the derivative the explorer draws.
        x = ut.clone().requires_grad_(True)
        fn(x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), d_py, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("sharpness", [1.0, 4.0])
def test_js_weight_gradient_matches_autograd(js, sharpness):
    w = W._linspace(*W.SURROGATE_W)
    names = _library_surrogates()
    results = js("weightGradient", [{"name": n, "k": sharpness, "w": w.tolist()} for n in names])
    for n, js in zip(names, results):
        py = W.surrogate_weight_gradient(n, sharpness, w)
        np.testing.assert_array_equal([r["count"] for r in js], py["count"], err_msg=f"{n}: spike counts differ")
        grad = np.array([r["grad"] for r in js])
        np.testing.assert_allclose(
            grad, py["grad"], rtol=1e-5, atol=1e-6 * max(1.0, float(np.abs(py["grad"]).max())), err_msg=f"{n}: dL/dw differs"
        )
        if n == "none":
            assert (grad == 0).all()
        else:
            assert np.abs(grad).max() > 0


def test_surrogate_update_and_no_gradient_without_surrogate():
    ex = W.surrogate_explorer()
    d = ex.update()
    assert d["u"].shape == (401,) and d["w"].shape == (301,)
    np.testing.assert_array_equal(d["heaviside"], (d["u"] > 0).astype(float))
    assert d["at"]["grad"] == pytest.approx(W.surrogate_weight_gradient("arctan", 2.0, [0.25])["grad"][0])
    none = ex.update(surrogate="none")
    assert (none["grad"] == 0).all() and (none["derivative"] == 0).all()


# ---------------------------------------------------------------------------------------------
# The kernel-free HTML and how explorers display
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [W.lif_explorer, W.surrogate_explorer])
def test_html_is_self_contained(make):
    ex = make()
    a, b = ex.html(), ex.html()
    assert a != b  # fresh ids: several explorers on one page never clash
    for c in ex.controls:
        tag = 'type="range"' if isinstance(c, W.Slider) else "<select"
        assert f'data-control="{c.name}"' in a and tag in a
    low = a.lower()
    for bad in ("<script src", 'src="http', "src='http", "unpkg", "cdn.", "require.js", "widget-state", "@import"):
        assert bad not in low, f"explorer HTML refers to {bad!r}: it must work offline"
    assert W._read_js("models.js") in a and W._read_js("explorer.js") in a
    assert a.count("</script>") == 1 and "</script" not in a[a.index("<script>") + 8 : a.rindex("</script>")]


def test_display_mode(monkeypatch):
    monkeypatch.delenv("SNNLIB_WIDGETS", raising=False)
    ex = W.lif_explorer()
    W.set_display_mode("html")
    try:
        bundle = ex._repr_mimebundle_()
        assert set(bundle) == {"text/plain", "text/html"}
        W.set_display_mode("live")
        assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()
    finally:
        W.set_display_mode(None)
    # Live mode does not precompute a frames explorer's data for its HTML fallback.
    frames = W.Explorer(
        "f",
        "frames",
        [W.Slider("a", "a", 0, 1, 0.5, 0)],
        compute=lambda a: {"a": a},
        plot=lambda d, fig: fig.add_subplot(111).plot([d["a"]]),
        view="lif",
        static_data=lambda: pytest.fail("frames precomputed in live mode"),
    )
    W.set_display_mode("live")
    try:
        assert "<img" in frames._repr_mimebundle_()["text/html"]
    finally:
        W.set_display_mode(None)
    monkeypatch.setenv("SNNLIB_WIDGETS", "html")
    assert W.display_mode() == "html"
    monkeypatch.setenv("SNNLIB_WIDGETS", "bogus")
    with pytest.raises(ValueError, match="SNNLIB_WIDGETS"):
        W.display_mode()
    with pytest.raises(ValueError):
        W.set_display_mode("svg")


def test_figure_draws(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for make in (W.lif_explorer, W.surrogate_explorer):
        fig = make().figure()
        fig.savefig(tmp_path / "x.png")
        assert len(fig.axes) == 3
        plt.close(fig)


def _execute(tmp_path, source, env=None):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    import os

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(W.__file__)))
    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = root + (os.pathsep + saved["PYTHONPATH"] if saved.get("PYTHONPATH") else "")
    os.environ.pop("SNNLIB_WIDGETS", None)
    os.environ.update(env or {})
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


@pytest.mark.slow
def test_executed_notebook_keeps_no_widget_state(tmp_path):
    """As in the book build (nbclient, no frontend): the explorer is HTML only and no widget state is saved,
    so myst-nb adds no CDN widget scripts to the page."""
    nb = _execute(tmp_path, "import snnlib as snl\nsnl.widgets.lif_explorer()")
    out = nb.cells[0].outputs
    assert len(out) == 1 and "text/html" in out[0]["data"], out
    assert "application/vnd.jupyter.widget-view+json" not in out[0]["data"]
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    assert not state.get("state"), "widget state was saved: myst-nb would add CDN widget scripts to the page"


@pytest.mark.slow
def test_live_widgets_in_a_kernel(tmp_path):
    """Where a frontend is detected (here forced), the explorer is live ipywidgets whose output is the matplotlib figure."""
    nb = _execute(tmp_path, "import snnlib as snl\nsnl.widgets.lif_explorer()", env={"SNNLIB_WIDGETS": "live"})
    (out,) = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in out["data"] and "text/html" in out["data"]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {m["model_name"] for m in state.values()}
    assert {"FloatSliderModel", "IntSliderModel", "DropdownModel", "ImageModel", "ButtonModel", "HTMLModel"} <= models
    html = " ".join(str(m["state"].get("value", "")) for m in state.values() if m["model_name"] == "HTMLModel")
    assert "spikes in 150 steps" in html, "the live explorer shows no read-out"
    assert "\u03c4 = 9.5 steps" in html, "the live explorer shows no note beside the decay"


# ---------------------------------------------------------------------------------------------
# Coding explorer: precomputed frames are snnlib's spikes
# ---------------------------------------------------------------------------------------------
def _needs_encoding():
    enc = pytest.importorskip("snnlib.encoding", reason="snnlib.encoding (the spike-coding chapter) is not here")
    if not hasattr(enc, "encode"):
        pytest.skip("snnlib.encoding.encode is not here")
    pytest.importorskip("snnlib.data", reason="snnlib.data is not here")
    return enc


def frame_spikes(f):
    """Rebuild a frame's spike record [T, N] (values -1/0/1) from its gap lists, as the page does."""
    rec = np.zeros((f["N"], f["T"]))
    rec.reshape(-1)[np.cumsum(f["on"]).astype(int)] = 1
    rec.reshape(-1)[np.cumsum(f["off"]).astype(int)] = -1
    return rec.T


@pytest.fixture(scope="module")
def coding():
    _needs_encoding()
    ex = W.coding_explorer()
    return ex, W.unpack_frames(ex.static_data())


def test_coding_update_is_the_library(coding):
    enc = _needs_encoding()
    ex, _ = coding
    images, _labels = snl.data.load_mnist("test", source="bundled")
    for case in [
        dict(),
        dict(scheme="latency", level=3),
        dict(scheme="delta", num_steps=40, digit=W.CODING_DIGITS[-1]),
        dict(scheme="population", level=1),
    ]:
        v = ex.values(**case)
        d = ex.update(**case)
        x = images[v["digit"]].double() / 255
        name, params = W.coding_params(v["scheme"], v["level"])
        spikes = enc.encode(name, x, v["num_steps"], **params)
        np.testing.assert_array_equal(d["decoded"], enc.decode(name, spikes, **params).numpy())
        assert d["n_spikes"] == int((spikes != 0).sum())
        assert d["mae"] == pytest.approx(float((enc.decode(name, spikes, **params) - x).abs().mean()))


@pytest.mark.slow
def test_coding_frames_are_the_updates(coding):
    ex, payload = coding
    grid = W.frame_grid(ex)
    assert len(payload["frames"]) == len(grid) == 8 * 4 * 3 * len(W.CODING_DIGITS)
    names = [c.name for c in ex.controls]
    rng = np.random.default_rng(0)
    for i in rng.choice(len(grid), size=12, replace=False):
        v = dict(zip(names, grid[i]))
        d = ex.update(**v)
        f = payload["frames"][W.frame_key(ex, v)]
        np.testing.assert_array_equal(frame_spikes(f), d["spikes"], err_msg=str(v))
        np.testing.assert_allclose(np.array(f["decoded"]) / 100, np.asarray(d["decoded"]).reshape(-1), atol=0.005 + 1e-9)
        assert f["n_spikes"] == d["n_spikes"] and f["error"] == d["error"]
    assert len(ex.html()) < 400_000, "the coding explorer's page payload grew too large"


# ---------------------------------------------------------------------------------------------
# Circuit explorer: precomputed frames are run_motif's
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def circuit():
    circ = pytest.importorskip("snnlib.circuits", reason="snnlib.circuits (the circuits chapter) is not here")
    if not hasattr(circ, "run_motif"):
        pytest.skip("snnlib.circuits.run_motif is not here")
    ex = W.circuit_explorer()
    return ex, W.unpack_frames(ex.static_data())


@pytest.mark.slow
def test_circuit_frames_are_run_motif(circuit):
    ex, payload = circuit
    circ = snl.circuits
    grid = W.frame_grid(ex)
    assert len(payload["frames"]) == len(grid)
    names = [c.name for c in ex.controls]
    rng = np.random.default_rng(1)
    for i in rng.choice(len(grid), size=8, replace=False):
        v = dict(zip(names, grid[i]))
        run = circ.run_motif(v["motif"], v["inhibition"], v["delay"], v["input_level"], num_steps=W.CIRCUIT_STEPS, seed=0)
        d = ex.update(**v)
        key = W.frame_key(ex, v)
        f = payload["frames"][key]
        assert f["populations"] == list(run.populations)
        for p in run.populations:
            rec = payload["inputs"][key.split("|")[0] + "|" + key.split("|")[3]] if p == "input" else f["spikes"][p]
            np.testing.assert_array_equal(frame_spikes(rec), run.spikes[p].numpy(), err_msg=f"{v} {p}")
            np.testing.assert_array_equal(d["spikes"][p], run.spikes[p].numpy())
            assert f["rates"][p] == pytest.approx(float(run.rates[p]), abs=1e-6)
    assert len(ex.html()) < 400_000


@needs_node
def test_inlined_runtime_loads_and_computes_without_a_dom():
    """The exact script an explorer inlines (models + plotting + views) parses and its views compute in Node."""
    script = (
        W.js_source()
        + r"""
    ;const v = {beta: 0.9, threshold: 1.0, amplitude: 0.15, input: "step", reset: "subtract", refractory: 2, num_steps: 80};
    const d = SNNExplorer.VIEWS.lif.compute(v);
    const s = SNNExplorer.VIEWS.surrogate.compute({surrogate: "sigmoid", sharpness: 5, weight: 0.3});
    process.stdout.write(JSON.stringify({spk: d.spk, readout: SNNExplorer.VIEWS.lif.readout(d, v),
                                         grad: s.at.grad, notes: SNNExplorer.VIEWS.lif.notes(v)}));
    """
    )
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    ex = W.lif_explorer()
    py = ex.update(beta=0.9, threshold=1.0, amplitude=0.15, refractory=2, num_steps=80)
    np.testing.assert_array_equal(out["spk"], py["spk"])
    assert f"{py['n_spikes']} spikes in 80 steps" in out["readout"]
    assert "9.5 steps" in out["notes"]["beta"]
    g = W.surrogate_weight_gradient("sigmoid", 5.0, [0.3])["grad"][0] if "sigmoid" in snl.surrogate.REGISTRY else out["grad"]
    assert out["grad"] == pytest.approx(g, rel=1e-6, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Registries: the explorers offer what the library registers
# ---------------------------------------------------------------------------------------------
def test_surrogate_choices_are_the_library_registry():
    assert tuple(snl.surrogate.REGISTRY) == W.SURROGATE_CHOICES
    assert tuple(W.surrogate_explorer().controls[0].options) == W.SURROGATE_CHOICES


def test_coding_choices_are_the_encoding_schemes():
    enc = _needs_encoding()
    assert {c.scheme for c in W.CODING_SCHEMES.values()} == set(enc.SCHEMES), (
        "every scheme of snnlib.encoding.SCHEMES needs a choice in the coding explorer, and no other"
    )
    for key, choice in W.CODING_SCHEMES.items():
        assert len(choice.levels) == 3, key
        assert W.coding_params(key, 2) == (choice.scheme, {**choice.fixed, choice.param: choice.levels[1]})


def test_circuit_motifs_are_named():
    circ = pytest.importorskip("snnlib.circuits")
    assert set(circ.MOTIFS) <= set(snl.plot.MOTIF_NAMES)


def test_lif_resets_are_the_library_resets():
    reset = next(c for c in W.lif_explorer().controls if c.name == "reset")
    assert tuple(reset.options) == tuple(snl.neurons.RESETS)


# ---------------------------------------------------------------------------------------------
# Arguments are checked
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        (("a", "a", 1, 1, 0.1, 1), {}, ValueError, "min must be < max"),
        (("a", "a", 1, 0, 0.1, 1), {}, ValueError, "min must be < max"),
        (("a", "a", 0, 1, 0, 0), {}, ValueError, r"step must be a number > 0"),
        (("a", "a", 0, 1, -0.5, 0), {}, ValueError, r"step must be a number > 0"),
        (("a", "a", 0, 1, 0.1, 2), {}, ValueError, "outside"),
        (("a", "a", 0, 1, 0.3, 0), {}, ValueError, "whole number of steps"),
        (("a", "a", 0, 1, 0.5, 0.2), {}, ValueError, "whole number of steps"),
        (("a", "a", 0, float("nan"), 0.5, 0), {}, ValueError, "NaN"),
        (("a", "a", 0, 1, 0.5, "0"), {}, TypeError, "value must be a real number"),
        (("n", "n", 1, 5, 1, 2.5), {"integer": True}, TypeError, "value must be an integer"),
        (("n", "n", 1, 5, 0, 2), {"integer": True}, ValueError, "step must be an integer >= 1"),
        ((3, "a", 0, 1, 0.5, 0), {}, TypeError, "Slider.name must be a string"),
        (("", "a", 0, 1, 0.5, 0), {}, ValueError, "Slider.name must not be empty"),
        (("a", None, 0, 1, 0.5, 0), {}, TypeError, "label must be a string"),
        (("a", "a", 0, 1, 0.5, 0), {"integer": 1}, TypeError, "integer must be True or False"),
    ],
)
def test_slider_checks_its_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        W.Slider(*args, **kwargs)


def test_slider_and_dropdown_check_values():
    s = W.Slider("n", "n", 1, 5, 1, 2, integer=True)
    assert s.check(np.int64(3)) == 3 and type(s.check(np.int64(3))) is int
    assert s.check(torch.tensor(4)) == 4
    with pytest.raises(TypeError, match="n must be an integer"):
        s.check(2.5)
    with pytest.raises(TypeError):
        s.check(True)
    with pytest.raises(ValueError, match="outside the slider's range"):
        s.check(6)
    f = W.Slider("x", "x", 0.0, 1.0, 0.1, 0.5)
    assert f.check(1) == 1.0 and type(f.check(1)) is float
    with pytest.raises(ValueError, match="NaN"):
        f.check(float("nan"))
    with pytest.raises(TypeError, match="x must be a real number"):
        f.check("0.5")
    d = W.Dropdown("d", "d", [0, 1], 1)
    with pytest.raises(ValueError, match="not one of"):
        d.check(True)
    with pytest.raises(ValueError, match="not one of"):
        d.check(2)


@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        (("d", "d", ["a", "a"], "a"), {}, ValueError, "distinct"),
        (("d", "d", [], None), {}, ValueError, "must not be empty"),
        (("d", "d", "ab", "a"), {}, TypeError, "options must be a sequence"),
        (("d", "d", [[1], [2]], [1]), {}, TypeError, r"options\[0\] must be a string or a finite number"),
        (("d", "d", ["a", "b"], "c"), {}, ValueError, "not among"),
        (("d", "d", ["a", "b"], "a"), {"labels": ["x"]}, ValueError, "1 labels for 2 options"),
        (("d", "d", ["a", "b"], "a"), {"labels": ["x", 2]}, TypeError, r"labels\[1\] must be a string"),
    ],
)
def test_dropdown_checks_its_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        W.Dropdown(*args, **kwargs)


def _explorer_kwargs(**changes):
    kwargs = dict(
        name="e", title="t", controls=[W.Slider("a", "a", 0, 1, 0.5, 0)], compute=lambda a: {"a": a}, plot=lambda d, fig: None
    )
    kwargs.update(changes)
    return kwargs


@pytest.mark.parametrize(
    "changes,error,match",
    [
        (dict(name=""), ValueError, "Explorer.name must not be empty"),
        (dict(title=None), TypeError, "title must be a string"),
        (dict(controls=[W.Slider("a", "a", 0, 1, 0.5, 0), W.Dropdown("a", "a", ["x"], "x")]), ValueError, "distinct names"),
        (dict(controls=["a"]), TypeError, "Slider or a Dropdown"),
        (dict(controls=W.Slider("a", "a", 0, 1, 0.5, 0)), TypeError, "list of Slider/Dropdown"),
        (dict(compute=None), TypeError, "compute must be callable"),
        (dict(plot="plot"), TypeError, "plot must be callable"),
        (dict(figsize=(0, 3)), ValueError, r"figsize\[0\] must be a number > 0"),
        (dict(figsize=5), TypeError, "figsize must be"),
        (dict(view=""), ValueError, "view must not be empty"),
        (dict(static_data={"a": 1}), TypeError, "static_data must be callable"),
    ],
)
def test_explorer_checks_its_arguments(changes, error, match):
    W.Explorer(**_explorer_kwargs())
    with pytest.raises(error, match=match):
        W.Explorer(**_explorer_kwargs(**changes))


def test_explorer_overrides_and_helpers_are_checked():
    ex = W.lif_explorer()
    with pytest.raises(TypeError, match="num_steps must be an integer"):
        ex.update(num_steps=100.5)
    with pytest.raises(ValueError, match="NaN"):
        ex.update(beta=float("nan"))
    with pytest.raises(TypeError, match="uid must be a string"):
        ex.html(5)
    with pytest.raises(ValueError, match="uid must not be empty"):
        ex.html("")
    with pytest.raises(ValueError, match="num_steps must be an integer >= 1"):
        W.lif_input("step", 0.2, 0)
    with pytest.raises(ValueError, match="amplitude must be finite"):
        W.lif_input("step", float("inf"), 10)
    with pytest.raises(ValueError, match="level must be an integer >= 1 and <= 3"):
        W.coding_params("rate", 4)
    with pytest.raises(ValueError, match="surrogate must be one of"):
        W.surrogate_weight_gradient("bogus", 1.0, [0.1])
    with pytest.raises(ValueError, match="sharpness must be a number > 0"):
        W.surrogate_weight_gradient("arctan", -1.0, [0.1])
    with pytest.raises(ValueError, match=r"w must be a non-empty array of finite weights \[W\]"):
        W.surrogate_weight_gradient("arctan", 1.0, [[0.1]])
    with pytest.raises(ValueError, match="missing"):
        W.frame_key(ex, {"beta": 0.9})
    with pytest.raises(TypeError, match="explorer must be an Explorer"):
        W.frame_grid("lif")
    with pytest.raises(TypeError, match="static must be pack_frames' result"):
        W.unpack_frames({"frames": {}})
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        W.mulberry32(1, -1)


# ---------------------------------------------------------------------------------------------
# Safety: strings placed in the page are escaped, data in the <script> cannot close it
# ---------------------------------------------------------------------------------------------
EVIL_NAME = 'x" onmouseover="alert(1)'
EVIL_UID = "</script><script>alert(1)</script>"
EVIL_TEXT = "<img src=x onerror=alert(1)><!--"
PAGE_TAGS = {
    "div",
    "style",
    "label",
    "span",
    "input",
    "output",
    "select",
    "option",
    "button",
    "noscript",
    "script",
    "p",
    "b",
    "img",
}


class _Page:
    """The start tags (with attributes) and the script texts of an HTML fragment, as a browser's tokenizer sees them."""

    def __init__(self, text):
        from html.parser import HTMLParser

        self.tags, self.scripts = [], []
        page = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                page.tags.append((tag, dict(attrs)))

            def handle_data(self, data):
                if self.lasttag == "script" and page.tags and page.tags[-1][0] == "script":
                    page.scripts.append(data)

        p = Parser(convert_charrefs=True)
        p.feed(text)
        p.close()

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def _mount_arguments(script):
    """The three JSON arguments of the script's ``SNNExplorer.mount(uid, spec, static)`` call, as JavaScript reads them."""
    text = script[script.rindex("SNNExplorer.mount(") + len("SNNExplorer.mount(") :]
    text = text.replace("<\\!--", "<!--")  # a JavaScript string reads "\!" as "!"
    dec, out, i = json.JSONDecoder(), [], 0
    for _ in range(3):
        value, i = dec.raw_decode(text, i)
        out.append(value)
        i = text.index(",", i) + 1 if len(out) < 3 else i
        while text[i] == " ":
            i += 1
    return out


def _evil_explorer(view="lif"):
    controls = [
        W.Slider(EVIL_NAME, EVIL_NAME + EVIL_TEXT, 0, 1, 0.5, 0, description=EVIL_NAME),
        W.Dropdown(
            "d" + EVIL_NAME,
            EVIL_TEXT,
            [EVIL_UID, "b" + EVIL_NAME],
            "b" + EVIL_NAME,
            labels=[EVIL_UID, EVIL_NAME],
            description=EVIL_TEXT,
        ),
    ]
    return W.Explorer(
        EVIL_NAME,
        EVIL_UID + EVIL_TEXT,
        controls,
        compute=lambda **v: {},
        plot=lambda d, fig: fig.add_subplot(111).plot([0, 1]),
        view=view,
        description=EVIL_UID + EVIL_NAME,
    )


def _assert_inert(page):
    assert {t for t, _ in page.tags} <= PAGE_TAGS, page.tags
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], f"<{tag}> got an event handler: {attrs}"
        assert tag != "img" or attrs["src"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("uid", [EVIL_UID, EVIL_NAME, "plain-id"])
def test_hostile_strings_come_out_inert(uid):
    ex = _evil_explorer()
    text = ex.html(uid)
    page = _Page(text)
    _assert_inert(page)
    assert [t for t, _ in page.tags].count("script") == 1 and len(page.scripts) == 1
    script = page.scripts[0]
    assert "</script" not in script.lower() and "<!--" not in script
    # What the reader sees, and what the JavaScript finds, is the text itself.
    (root,) = page.find("div", id=uid)
    assert root["data-explorer"] == EVIL_NAME
    (slider,) = page.find("input", **{"data-control": EVIL_NAME})
    assert slider["id"] == f"{uid}-{EVIL_NAME}" and slider["aria-label"] == EVIL_NAME + EVIL_TEXT
    assert page.find("span", **{"data-note": EVIL_NAME}) and page.find("output", **{"data-readout": EVIL_NAME})
    (select,) = page.find("select", **{"data-control": "d" + EVIL_NAME})
    assert select["aria-label"] == EVIL_TEXT
    assert page.find("label", title=EVIL_NAME) and page.find("label", title=EVIL_TEXT)
    got_uid, spec, static = _mount_arguments(script)
    assert got_uid == uid and static == {}
    assert spec["name"] == EVIL_NAME and [c["name"] for c in spec["controls"]] == [EVIL_NAME, "d" + EVIL_NAME]
    assert spec["controls"][1]["options"] == [EVIL_UID, "b" + EVIL_NAME]
    assert EVIL_UID not in text and EVIL_NAME not in text and EVIL_TEXT not in text


def test_hostile_strings_in_the_static_picture_come_out_inert():
    import matplotlib

    matplotlib.use("Agg")
    page = _Page(_evil_explorer(view=None).html(EVIL_UID))
    _assert_inert(page)
    assert not page.scripts
    (root,) = page.find("div", id="snnlib-" + EVIL_NAME)
    assert json.loads(root["data-defaults"]) == {EVIL_NAME: 0, "d" + EVIL_NAME: "b" + EVIL_NAME}
    assert page.find("img", alt=EVIL_UID + EVIL_TEXT)


def test_script_json_cannot_close_the_script():
    text = W.runtime.script_json({"a": "</script><!-- </SCRIPT>", "b": ["<\u2028>"]})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text.replace("<\\!--", "<!--")) == {"a": "</script><!-- </SCRIPT>", "b": ["<\u2028>"]}


def test_the_page_draws_with_the_palette():
    from snnlib.plot import palette

    src = W.js_source()
    assert src.startswith("var SNNPalette = ")
    assert json.loads(src[len("var SNNPalette = ") : src.index(";\n")]) == palette.BROWSER


# ---------------------------------------------------------------------------------------------
# One definition of the text around the plot: notes, read-outs, inactive controls
# ---------------------------------------------------------------------------------------------
def _js_text(view: str, cases: list) -> list:
    """``[notes, readout]`` of ``VIEWS[view]`` for each values dict, computed by the page's own script in Node."""
    script = (
        W.js_source()
        + r""";
    let data = '';
    process.stdin.on('data', c => data += c);
    process.stdin.on('end', () => {
      const req = JSON.parse(data), V = SNNExplorer.VIEWS[req.view];
      process.stdout.write(JSON.stringify(req.cases.map(v => { const d = V.compute(v); return [V.notes(v), V.readout(d, v)]; })));
    });"""
    )
    proc = subprocess.run(
        [NODE, "-e", script], input=json.dumps({"view": view, "cases": cases}), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _grid_sample(ex, n, seed):
    """``n`` random points of the explorer's control grid (each control drawn on its own), and the defaults."""
    rng = np.random.default_rng(seed)

    def draw(c):
        if isinstance(c, W.Slider):
            k = int(rng.integers(0, round((c.max - c.min) / c.step) + 1))
            return int(c.min + k * c.step) if c.integer else round(c.min + k * c.step, 10)
        return c.options[int(rng.integers(0, len(c.options)))]

    return [ex.values(**{c.name: draw(c) for c in ex.controls}) for _ in range(n)] + [ex.defaults()]


@needs_node
@pytest.mark.parametrize("make", [W.lif_explorer, W.surrogate_explorer], ids=["lif", "surrogate"])
def test_js_notes_and_readouts_are_pythons_character_for_character(make):
    ex = make()
    cases = _grid_sample(ex, 40, 3)
    if ex.name == "lif":  # the corner cases of the text: no spike, one spike, no leak, a zero decay constant
        cases += [ex.values(amplitude=0.0), ex.values(beta=1.0), ex.values(amplitude=0.11, num_steps=20), ex.values(beta=0.5)]
    else:
        cases += [ex.values(surrogate=s, sharpness=k) for s in W.SURROGATE_CHOICES for k in (0.5, 30.0)]
    for v, (notes, readout) in zip(cases, _js_text(ex.name, cases)):
        assert notes == ex.notes_for(v), v
        assert readout == ex.readout_for(ex.update(**v), v), v


def test_js_number_printing_is_mirrored():
    cases = [
        0,
        -0.0,
        1,
        1.5,
        0.1,
        0.123456789,
        12345.0,
        0.0005,
        -2.5,
        9.5,
        100.0,
        0.000123456,
        2.0000005,
        1e-7,
        0.30000000000000004,
    ]
    if NODE is None:
        pytest.skip("node is not installed")
    script = "function fmt(v) " + W._read_js("plot.js").split("function fmt(v) ")[1].split("\n  }\n")[0] + "\n  }\n"
    script += f"process.stdout.write(JSON.stringify({json.dumps(cases)}.map(fmt).concat([Math.round(2.5), Math.round(-2.5)])))"
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out[:-2] == [W.js_fmt(v) for v in cases]
    assert out[-2:] == [W.js_round(2.5), W.js_round(-2.5)]


def test_frames_carry_the_python_text(coding):
    ex, payload = coding
    for v in _grid_sample(ex, 6, 4):
        f = payload["frames"][W.frame_key(ex, v)]
        d = ex.update(**v)
        assert f["_readout"] == ex.readout_for(d, v) and f["_readout"]
        assert f["_notes"] == ex.notes_for(v) and "level" in f["_notes"]
        assert f["_inactive"] == {}


def test_every_circuit_control_does_something_or_is_disabled():
    """At the defaults, moving a control through its range changes the motif's run unless the explorer
    marks it inactive for that motif (with a reason), and then it changes nothing; the explorer opens
    on a motif where every control is active."""
    ex = W.circuit_explorer()
    assert not ex.inactive_for(ex.defaults()), "the circuit explorer opens on a motif with a control that does nothing"
    for motif in next(c for c in ex.controls if c.name == "motif").options:
        base = ex.values(motif=motif)
        d0 = ex.update(**base)
        inactive = ex.inactive_for(base)
        assert set(inactive) <= {c.name for c in ex.controls} and all(inactive.values())
        for c in ex.controls:
            if c.name == "motif":
                continue
            values = [c.min + k * c.step for k in range(round((c.max - c.min) / c.step) + 1)]
            runs = [ex.update(**dict(base, **{c.name: int(x) if c.integer else round(x, 10)})) for x in values]
            changed = any(not np.array_equal(d0["spikes"][p], d1["spikes"][p]) for d1 in runs for p in d0["populations"])
            if c.name in inactive:
                assert not changed, f"{motif}: {c.name} is marked inactive but changes the run"
            else:
                assert changed, f"{motif}: moving {c.name} changes nothing; mark it in CIRCUIT_INACTIVE"


# ---------------------------------------------------------------------------------------------
# The live explorer: same text as the page, one figure reused, Reset, tooltips
# ---------------------------------------------------------------------------------------------
def _live(make):
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    return W.LiveExplorer(make())


def test_live_explorer_shows_the_pages_text_and_resets():
    live = _live(W.lif_explorer)
    ex = live.explorer
    fig = live.figure
    first_png = live.image.value
    assert first_png[:4] == b"\x89PNG"
    for name, value in (("amplitude", 0.3), ("refractory", 3), ("reset", "zero"), ("num_steps", 60)):
        n = len(live.redraw_seconds)
        live.controls[name].value = value
        assert len(live.redraw_seconds) == n + 1, f"changing {name} did not redraw once"
    v = live.values()
    assert v["amplitude"] == pytest.approx(0.3) and v["num_steps"] == 60
    d = ex.update(**v)
    assert ex.readout_for(d, v) in live.readout.value
    assert "\u03c4 = 9.5 steps" in live.notes["beta"].value
    assert live.figure is fig, "a new figure per change"
    mem_line = next(line for line in fig.axes[1].lines if line.get_label() == "membrane U[t]")
    np.testing.assert_array_equal(mem_line.get_ydata(), d["mem"])
    assert len(fig.axes[2].collections[0].get_segments()) == d["n_spikes"]
    assert live.image.value != first_png
    n = len(live.redraw_seconds)
    live.reset_button.click()
    assert live.values() == ex.defaults() and len(live.redraw_seconds) == n + 1, "Reset: the defaults, in one redraw"
    tips = {c.name: c.description for c in ex.controls if c.description}
    assert tips and all(c.description for c in ex.controls), "every control has a tooltip"
    for name, text in tips.items():
        w = live.controls[name]
        assert (w.tooltip if w.has_trait("tooltip") else w.description_tooltip) == text


def test_live_circuit_explorer_disables_what_does_nothing():
    pytest.importorskip("snnlib.circuits")
    live = _live(W.circuit_explorer)
    assert not any(w.disabled for w in live.controls.values())
    n_axes = len(live.figure.axes)
    live.controls["motif"].value = "feedforward_excitation"
    assert live.controls["inhibition"].disabled
    assert W.CIRCUIT_INACTIVE["feedforward_excitation"]["inhibition"] in live.notes["inhibition"].value
    assert len(live.figure.axes) != n_axes or live.figure.axes, "the panels follow the motif"
    live.controls["motif"].value = "feedback_inhibition"
    assert not live.controls["inhibition"].disabled and live.notes["inhibition"].value == ""
    assert "Error" not in live.readout.value and live.readout.value


@pytest.mark.parametrize("make", [W.lif_explorer, W.surrogate_explorer, W.coding_explorer, W.circuit_explorer])
def test_every_explorer_fits_the_column_and_updates_in_place(make):
    if make is W.coding_explorer:
        _needs_encoding()
    live = _live(make)
    ex = live.explorer
    assert ex.figsize[0] <= 6.9, f"{ex.name}: the figure is wider than the book's column"
    fig = live.figure
    axes = list(fig.axes)
    slider = next(c for c in ex.controls if isinstance(c, W.Slider))
    live.controls[slider.name].value = slider.max if live.values()[slider.name] != slider.max else slider.min
    assert live.figure is fig and list(fig.axes) == axes, f"{ex.name}: moving {slider.name} rebuilt the figure"
    assert "Error" not in live.readout.value


# ---------------------------------------------------------------------------------------------
# The offline animation player
# ---------------------------------------------------------------------------------------------
def _small_animation(n=4):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import animation

    fig, ax = plt.subplots(figsize=(3, 2))
    img = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=n)
    fig.suptitle("tiny movie")

    def update(t):
        img.set_data(np.full((4, 4), t))
        return [img]

    anim = animation.FuncAnimation(fig, update, frames=n, interval=80)
    plt.close(fig)
    return anim


def test_animation_player_is_offline_and_shows_its_first_frame():
    view = W.animation(_small_animation(4))
    html = view.html
    assert len(view.frames) == 4 and view.frames[0] != view.frames[-1]
    assert "http" not in html and "font-awesome" not in html.lower() and "<link" not in html
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" width="300" height="200"', html), html[:300]
    assert 'alt="tiny movie"' in html and 'data-frames="4"' in html
    assert view._repr_html_().startswith('<div class="snnlib-animation"')
    with pytest.raises(TypeError, match="matplotlib Animation"):
        W.animation("not an animation")
