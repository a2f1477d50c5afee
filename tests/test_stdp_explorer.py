"""The STDP window explorer: its data are snnlib.plasticity's, its page's curve and text are Python's.

* ``update`` returns :func:`snnlib.plasticity.stdp_window` (times the rule's weight factors) and the
  spike pairs of :func:`snnlib.plasticity.measure_window`, and the area ``A+ f+ tau+ - A- f- tau-``;
* the page's view (``snnlib/js/stdp.js``, run in Node after the runtime it is inlined after) computes
  the same curve, the same simulated pairs, notes, disabled controls and read-out, character for
  character, at many control settings;
* the page in headless Chromium (networking blocked): controls moved, the read-out Python's;
* the live (ipywidgets) explorer: the same text, one figure redrawn in place;
* bad values get clear errors.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import snnlib as snl
from snnlib import plasticity as pl
from snnlib.widgets import stdp as WS
from snnlib.widgets.runtime import _read_js, js_source

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_browser as B  # the browser tests' fixture and helpers

browser = B.browser  # the fixture: headless Chromium, networking blocked

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: the page's view cannot be run")


@pytest.fixture(scope="module")
def ex():
    return snl.widgets.stdp_explorer()


def _cases(ex):
    """Control settings spanning both rules, both signs of Δt and of the area, zero amplitudes and the bounds."""
    out = [ex.defaults()]
    for rule, (ap, am), (tp, tm), w, dt in itertools.product(
        WS.STDP_RULES,
        [(0.01, 0.0105), (0.05, 0.0), (0.0, 0.02), (0.0125, 0.01)],
        [(20, 20), (5, 60)],
        [0.0, 0.37, 1.0],
        [-100, -7, 0, 33],
    ):
        out.append(ex.values(rule=rule, a_plus=ap, a_minus=am, tau_plus=tp, tau_minus=tm, w=w, delta_t=dt))
    return out


# ---------------------------------------------------------------------------------------------
# The data are snnlib.plasticity's
# ---------------------------------------------------------------------------------------------
def test_defaults_are_the_library_defaults(ex):
    p = pl.STDPParams()
    v = ex.defaults()
    assert (v["rule"], v["a_plus"], v["a_minus"], v["tau_plus"], v["tau_minus"]) == (
        p.rule,
        p.a_plus,
        p.a_minus,
        p.tau_plus,
        p.tau_minus,
    )
    assert [c.name for c in ex.controls] == ["rule", "a_plus", "a_minus", "tau_plus", "tau_minus", "w", "delta_t"]
    assert tuple(ex.controls[0].options) == tuple(pl.stdp.RULES) == WS.STDP_RULES
    assert ex.figsize[0] <= 6.9


@pytest.mark.parametrize("i", range(0, 97, 8))
def test_update_is_stdp_window_and_measure_window(ex, i):
    v = _cases(ex)[i]
    d = ex.update(**v)
    params = pl.STDPParams(
        a_plus=v["a_plus"], a_minus=v["a_minus"], tau_plus=v["tau_plus"], tau_minus=v["tau_minus"], rule=v["rule"]
    )
    fp, fm = (1.0, 1.0) if v["rule"] == "additive" else (1.0 - v["w"], v["w"])
    factor = np.where(d["t"] >= 0, fp, fm)
    np.testing.assert_array_equal(d["window"], pl.stdp_window(d["t"], params) * factor)
    assert d["t"][0] == -100 and d["t"][-1] == 100 and d["t"].size == 401
    w0 = WS.ADDITIVE_W0 if v["rule"] == "additive" else v["w"]
    np.testing.assert_array_equal(d["measured"], pl.measure_window(np.asarray(WS.STDP_DOTS), params, w0=w0))
    # the simulated pairs lie on the formula (no bound is hit by one pair)
    on_curve = pl.stdp_window(d["dots"], params) * np.where(d["dots"] >= 0, fp, fm)
    np.testing.assert_allclose(d["measured"], on_curve, rtol=0, atol=1e-15)
    assert d["dw"] == pytest.approx(float(pl.stdp_window([v["delta_t"]], params)[0]) * (fp if v["delta_t"] >= 0 else fm), abs=0)
    assert d["area"] == v["a_plus"] * fp * v["tau_plus"] - v["a_minus"] * fm * v["tau_minus"]


def test_area_is_the_integral_of_the_window(ex):
    """∫Δw dΔt over a wide range, numerically, is A+ f+ τ+ - A- f- τ-."""
    for v in (ex.defaults(), ex.values(rule="multiplicative", w=0.3, tau_minus=35)):
        d = ex.update(**v)
        params = pl.STDPParams(a_plus=v["a_plus"], a_minus=v["a_minus"], tau_plus=v["tau_plus"], tau_minus=v["tau_minus"])
        t = np.linspace(0, 2000, 400001)
        integral = (
            np.trapezoid(pl.stdp_window(t, params), t) * d["f_plus"]
            + np.trapezoid(pl.stdp_window(-t - 1e-12, params), t) * d["f_minus"]
        )
        assert integral == pytest.approx(d["area"], rel=1e-6, abs=1e-9)


def test_readout_notes_and_signs(ex):
    v = ex.defaults()
    text = ex.readout_for(ex.update(**v), v)
    assert text.startswith("At \u0394t = +10 ms (pre before post): \u0394w = +0.006065 (potentiation).")
    assert "= 0.2000 \u2212 0.2100 = \u22120.0100 ms: depression on balance" in text
    assert ex.inactive_for(v) == {"w": WS._W_UNUSED} and ex.notes_for(v) == {"w": WS._W_UNUSED}
    m = ex.values(rule="multiplicative", w=0.3, delta_t=-15)
    text = ex.readout_for(ex.update(**m), m)
    assert "post before pre" in text and "(depression)" in text and "potentiation on balance" in text
    assert ex.notes_for(m) == {"w": "f\u208a = 1 \u2212 w = 0.70, f\u208b = w = 0.30"}
    z = ex.values(a_plus=0.0, a_minus=0.0, delta_t=0)
    assert ex.readout_for(ex.update(**z), z).startswith("At \u0394t = 0 ms (together): \u0394w = 0 (no change).")
    assert ex.readout_for(ex.update(**z), z).endswith("= 0 ms: balanced.")


def test_every_control_changes_what_is_shown(ex):
    base = ex.values(rule="multiplicative", w=0.4)
    d0 = ex.update(**base)
    for c in ex.controls:
        options = c.options if hasattr(c, "options") else [c.min, c.max]
        other = next(o for o in options if o != base[c.name])
        v = dict(base, **{c.name: other})
        d = ex.update(**v)
        changed = ex.readout_for(d, v) != ex.readout_for(d0, base) or not np.array_equal(d["window"], d0["window"])
        assert changed, f"moving {c.name} changes nothing"


# ---------------------------------------------------------------------------------------------
# The page's view computes the same, in Node
# ---------------------------------------------------------------------------------------------
def _js_views(cases):
    """``[data, notes, readout]`` of the page's view for each case, in Node (the cases read from stdin)."""
    runner = (
        "const V = SNNExplorer.VIEWS.stdp, cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const out = cases.map(v => { const d = V.compute(v, {}); return [d, V.notes(v, {}), V.readout(d, v, {})]; });\n"
        "process.stdout.write(JSON.stringify(out));"
    )
    script = "\n".join([js_source(), _read_js("stdp.js"), runner])
    proc = subprocess.run([NODE, "-e", script], input=json.dumps(cases), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@needs_node
def test_page_view_is_python(ex):
    cases = _cases(ex)
    for v, (d, notes, readout) in zip(cases, _js_views(cases)):
        py = ex.update(**v)
        assert readout == ex.readout_for(py, v), v
        assert notes == ex.notes(v), v
        assert d["_inactive"] == ex.inactive_for(v), v
        np.testing.assert_array_equal(d["t"], py["t"])
        np.testing.assert_allclose(d["window"], py["window"], rtol=1e-13, atol=0)
        np.testing.assert_array_equal(d["dots"], py["dots"])
        np.testing.assert_allclose(d["measured"], py["measured"], rtol=1e-12, atol=1e-18)
        for k in ("dw", "f_plus", "f_minus", "ltp_area", "ltd_area", "area", "w0"):
            assert d[k] == pytest.approx(py[k], rel=1e-13, abs=0), (k, v)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
def test_bad_values_get_clear_errors(ex):
    with pytest.raises(ValueError, match="outside the slider's range"):
        ex.update(delta_t=500)
    with pytest.raises(TypeError, match="delta_t must be an integer"):
        ex.update(delta_t=1.5)
    with pytest.raises(ValueError, match="outside the slider's range"):
        ex.update(a_plus=-0.01)
    with pytest.raises(ValueError, match="not one of"):
        ex.update(rule="triplet")
    with pytest.raises(ValueError, match="has no control"):
        ex.update(tau=3)


# ---------------------------------------------------------------------------------------------
# The live explorer and the page
# ---------------------------------------------------------------------------------------------
def test_live_explorer_shows_the_pages_text(ex):
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    from snnlib.widgets.live import LiveExplorer

    live = LiveExplorer(ex)
    fig, axes = live.figure, list(live.figure.axes)
    assert live.controls["w"].disabled
    for name, value in (("delta_t", -20), ("rule", "multiplicative"), ("w", 0.8), ("a_minus", 0.03), ("tau_plus", 40)):
        n = len(live.redraw_seconds)
        live.controls[name].value = value
        assert len(live.redraw_seconds) == n + 1 and "Error" not in live.readout.value
        v = live.values()
        assert ex.readout_for(ex.update(**v), v) in live.readout.value
    assert not live.controls["w"].disabled
    assert live.figure is fig and list(fig.axes) == axes, "a change rebuilt the figure"
    d = ex.update(**live.values())
    curve = next(line for line in fig.axes[0].lines if line.get_label() == "formula")
    np.testing.assert_array_equal(curve.get_ydata(), d["window"])
    live.reset_button.click()
    assert live.values() == ex.defaults() and live.controls["w"].disabled


def test_page_inlines_the_view(ex):
    page = ex.html("u1")
    assert _read_js("stdp.js") in page and page.index(_read_js("stdp.js")) < page.index("SNNExplorer.mount(")
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")


@pytest.mark.browser
def test_page_in_chromium(ex, browser, tmp_path):
    """Controls moved as a reader would: the page's read-out, the disabled w slider and the drawn pairs are Python's."""
    page, blocked, errors, uid = B.open_standalone(browser, tmp_path, ex)

    def check():
        st = B.state(page, uid)
        assert st["data"] is not None, page.get_attribute(f"#{uid}", "data-error")
        v = ex.values(**st["values"])
        assert page.text_content(f"#{uid} .snx-readout") == ex.readout_for(ex.update(**v), v)
        assert page.locator(f"#{uid} [data-control=w]").is_disabled() == (v["rule"] == "additive")
        assert page.locator(f"#{uid} circle.snx-pair").count() == len(WS.STDP_DOTS)
        return v

    assert check() == ex.defaults()
    moves = (("delta_t", "ArrowLeft"), ("rule", 1), ("w", "ArrowRight"), ("a_plus", "ArrowRight"), ("tau_minus", "ArrowLeft"))
    B.walk_controls(page, uid, moves, check, ex.defaults())
    B.close_quiet(page, errors, blocked, uid, tmp_path / "stdp.png")
