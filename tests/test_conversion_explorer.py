"""The "From ANN to SNN" explorer: its data are the committed results, its page's text is Python's.

* the grid it embeds equals ``benchmarks/results/conversion_<net>.json`` (the sweep), number for number;
* ``update`` returns the JSON's accuracies, the ANN's, the gap and the spikes at every grid point;
* the page's view (``snnlib/js/conversion.js``, run in Node with the runtime it is inlined after)
  computes the same data, notes, disabled controls and read-outs, character for character, at every
  grid point;
* the page in headless Chromium (networking blocked): every control moved, the read-out Python's;
* the live (ipywidgets) explorer: the same text, one figure redrawn in place, stops shown as labels;
* bad results and bad values get clear errors.
"""

from __future__ import annotations

import copy
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from snnlib.widgets import conversion as WC
from snnlib.widgets.frames import frame_grid
from snnlib.widgets.runtime import _read_js, js_source, script_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_browser as B  # the browser tests' fixture and helpers

browser = B.browser  # the fixture: headless Chromium, networking blocked
open_standalone, redraws, state = B.open_standalone, B.redraws, B.state

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: the page's view cannot be run")


@pytest.fixture(scope="module")
def results():
    found = WC.conversion_results()
    if "mlp" not in found:
        pytest.skip("benchmarks/results/conversion_mlp.json is not here")
    return found


@pytest.fixture(scope="module")
def ex(results):
    return WC.conversion_explorer(results)


def _all_values(ex):
    names = [c.name for c in ex.controls]
    return [ex.values(**dict(zip(names, combo))) for combo in frame_grid(ex)]


def _row(record, norm, reset):
    return next(
        r
        for r in record["sweep"]["rows"]
        if (r["normalisation"], r["reset"], r.get("input", "analog")) == (norm, reset, "analog")
    )


# ---------------------------------------------------------------------------------------------
# The data are the JSON's
# ---------------------------------------------------------------------------------------------
def test_embedded_grid_equals_the_json(results, ex):
    grid = ex.static_data()
    assert grid == WC.conversion_grid(results)
    assert script_json(grid) in ex.html(), "the page does not embed the grid"
    for net, record in results.items():
        g = grid["results"][net]
        sweep = record["sweep"]
        assert g["ann_accuracy"] == sweep["ann_accuracy"] and g["num_test"] == sweep["num_test"]
        analog = [r for r in sweep["rows"] if r.get("input", "analog") == "analog"]
        assert sum(len(v) for v in g["curves"].values()) == len(analog), "a row of the sweep is missing"
        for row in analog:
            c = g["curves"][row["normalisation"]][row["reset"]]
            assert c["accuracy"] == [row["accuracy"][str(t)] for t in g["num_steps"]]
            assert c["spikes"] == [row["spikes_per_image"][str(t)] for t in g["num_steps"]]
        for norm in g["curves"]:
            if norm in record["scales"]:
                assert g["scales"][norm] == record["scales"][norm]
    assert [p["name"] for p in grid["percentiles"]] == ["p99", "p99.9", "p99.99", "max"]


def test_update_reads_the_json_at_every_point(results, ex):
    grid = ex.static_data()
    for v in _all_values(ex):
        d = ex.update(**v)
        record = results[v["net"]]
        norm = "none" if v["method"] == "none" else grid["percentiles"][v["percentile"]]["name"]
        t = grid["num_steps"][v["steps"]]
        row = _row(record, norm, v["reset"])
        assert (d["normalisation"], d["T"]) == (norm, t)
        assert d["accuracy"] == row["accuracy"][str(t)]
        assert d["ann_accuracy"] == record["sweep"]["ann_accuracy"]
        assert d["gap_points"] == pytest.approx(100 * (row["accuracy"][str(t)] - record["sweep"]["ann_accuracy"]))
        assert d["spikes_per_image"] == row["spikes_per_image"][str(t)]
        np.testing.assert_array_equal(d["curves"][norm], [row["accuracy"][str(s)] for s in grid["num_steps"]])


def test_readout_and_controls(ex):
    v = ex.defaults()
    assert (v["method"], v["net"], v["reset"]) == ("percentile", "mlp", "subtract")
    text = ex.readout_for(ex.update(**v), v)
    assert "99.9th percentile" in text and "T = 16" in text and "gap " in text and "points" in text
    assert ex.notes_for(v)["percentile"].startswith("\u03bb = ")
    none = ex.values(method="none")
    assert ex.inactive_for(none) == {"percentile": WC.NO_PERCENTILE}
    assert ex.notes_for(none) == {"percentile": WC.NO_PERCENTILE}
    assert ex.readout_for(ex.update(**none), none).startswith("784-1000-10 MLP, no normalisation")
    assert ex.figsize[0] <= 6.9
    steps = next(c for c in ex.controls if c.name == "steps")
    assert list(steps.stops) == [str(t) for t in ex.static_data()["num_steps"]]
    assert '<output data-readout="steps">16</output>' in steps.html("u")


def test_a_results_file_with_one_percentile_has_no_percentile_slider(results):
    rec = copy.deepcopy(results["mlp"])
    rec["sweep"]["rows"] = [r for r in rec["sweep"]["rows"] if r["normalisation"] in ("none", "p99.9")]
    ex = WC.conversion_explorer({"mlp": rec})
    assert [c.name for c in ex.controls] == ["net", "reset", "method", "steps"]
    v = ex.defaults()
    assert "99.9th percentile" in ex.readout_for(ex.update(**v), v) and ex.inactive_for(ex.values(method="none")) == {}
    rec["sweep"]["rows"] = [r for r in rec["sweep"]["rows"] if r["normalisation"] == "none"]
    ex = WC.conversion_explorer({"mlp": rec})
    assert next(c for c in ex.controls if c.name == "method").options == ["none"]


# ---------------------------------------------------------------------------------------------
# The page's view computes the same, in Node
# ---------------------------------------------------------------------------------------------
def _js_views(grid, cases):
    script = (
        js_source()
        + "\n"
        + _read_js("conversion.js")
        + r""";
    let data = '';
    process.stdin.on('data', c => data += c);
    process.stdin.on('end', () => {
      const req = JSON.parse(data), V = SNNExplorer.VIEWS.conversion, S = req.grid;
      process.stdout.write(JSON.stringify(req.cases.map(v => {
        const d = V.compute(v, S); return [d, V.notes(v, S), V.readout(d, v, S)];
      })));
    });"""
    )
    proc = subprocess.run(
        [NODE, "-e", script], input=json.dumps({"grid": grid, "cases": cases}), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@needs_node
def test_page_view_is_python_at_every_grid_point(ex):
    cases = _all_values(ex)
    grid = ex.static_data()
    for v, (d, notes, readout) in zip(cases, _js_views(grid, cases)):
        py = ex.update(**v)
        assert readout == ex.readout_for(py, v), v
        assert notes == ex.notes(v), v
        assert d["_inactive"] == ex.inactive_for(v), v
        assert (d["normalisation"], d["T"], d["accuracy"], d["spikes_per_image"]) == (
            py["normalisation"],
            py["T"],
            py["accuracy"],
            py["spikes_per_image"],
        )
        assert d["gap_points"] == pytest.approx(py["gap_points"], abs=1e-12)
        assert d["curves"] == {k: c.tolist() for k, c in py["curves"].items()}


@needs_node
def test_page_view_prints_signs_and_roundings_as_python(results):
    """Gaps of both signs, exact zeros and halves: the page's rounding is Python's."""
    rec = copy.deepcopy(results["mlp"])
    sweep = rec["sweep"]
    sweep["ann_accuracy"] = 0.975
    accs = [0.9749, 0.975, 0.97505, 0.9751, 0.12345, 1.0]
    for row in sweep["rows"]:
        row["accuracy"] = {t: accs[i % len(accs)] for i, t in enumerate(row["accuracy"])}
        row["spikes_per_image"] = {t: 0.5 + i for i, t in enumerate(row["spikes_per_image"])}
    ex = WC.conversion_explorer({"mlp": rec})
    cases = _all_values(ex)
    for v, (_, notes, readout) in zip(cases, _js_views(ex.static_data(), cases)):
        assert readout == ex.readout_for(ex.update(**v), v), v
        assert notes == ex.notes(v)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
def _bad(results, edit):
    rec = copy.deepcopy(results["mlp"])
    edit(rec)
    return {"mlp": rec}


def _set_first_accuracy(value):
    def edit(rec):
        rec["sweep"]["rows"][0]["accuracy"]["8"] = value

    return edit


@pytest.mark.parametrize(
    "make,error,match",
    [
        (lambda r: "conversion_mlp.json", TypeError, "results must be a mapping"),
        (lambda r: {}, ValueError, "results is empty"),
        (lambda r: {"resnet": r["mlp"]}, ValueError, "unknown networks"),
        (lambda r: {"mlp": 3}, TypeError, r"results\['mlp'\] must be a record"),
        (lambda r: _bad(r, lambda x: x.pop("sweep")), ValueError, "no 'sweep'"),
        (lambda r: _bad(r, _set_first_accuracy(float("nan"))), ValueError, r"accuracy in \[0, 1\]"),
        (lambda r: _bad(r, _set_first_accuracy(97.7)), ValueError, r"accuracy in \[0, 1\]"),
        (lambda r: _bad(r, _set_first_accuracy("0.9")), ValueError, r"accuracy in \[0, 1\]"),
        (lambda r: _bad(r, lambda x: x["sweep"]["rows"][0]["accuracy"].pop("8")), ValueError, "step counts"),
        (lambda r: _bad(r, lambda x: x["sweep"]["rows"][1].update(normalisation="p42")), ValueError, "not one of"),
        (lambda r: _bad(r, lambda x: x["sweep"]["rows"][1].update(reset="none")), ValueError, "not one of"),
        (lambda r: _bad(r, lambda x: x["sweep"]["rows"].append(x["sweep"]["rows"][0])), ValueError, "repeats"),
        (lambda r: _bad(r, lambda x: x["sweep"].update(ann_accuracy=-0.1)), ValueError, "ann_accuracy"),
        (lambda r: _bad(r, lambda x: x["sweep"].update(num_test=0)), ValueError, "num_test"),
        (lambda r: _bad(r, lambda x: x["sweep"]["rows"].pop(0)), ValueError, "same resets"),
    ],
)
def test_bad_results_get_clear_errors(results, make, error, match):
    with pytest.raises(error, match=match):
        WC.conversion_explorer(make(results))


def test_networks_must_sweep_the_same_grid(results):
    rec = copy.deepcopy(results["mlp"])
    rec["sweep"]["rows"] = [r for r in rec["sweep"]["rows"] if r["normalisation"] != "p99"]
    with pytest.raises(ValueError, match="must sweep the same"):
        WC.conversion_grid({"mlp": results["mlp"], "cnn": rec})


def test_bad_files_and_values_get_clear_errors(tmp_path, ex):
    with pytest.raises(TypeError, match="paths must be a mapping"):
        WC.conversion_results(["a.json"])
    with pytest.raises(TypeError, match=r"paths\['mlp'\] must be a path"):
        WC.conversion_results({"mlp": 3})
    with pytest.raises(FileNotFoundError, match=r"python -m snnlib\.conversion"):
        WC.conversion_results({"mlp": tmp_path / "missing.json"})
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        WC.conversion_results({"mlp": tmp_path / "bad.json"})
    with pytest.raises(ValueError, match="outside the slider's range"):
        ex.update(steps=99)
    with pytest.raises(TypeError, match="steps must be an integer"):
        ex.update(steps=1.5)
    with pytest.raises(ValueError, match="not one of"):
        ex.update(net="resnet")
    with pytest.raises(ValueError, match="one per stop"):
        WC.StopSlider("s", "s", 0, 3, 1, 0, integer=True, stops=["a", "b"])
    with pytest.raises(TypeError, match=r"stops\[1\] must be a non-empty string"):
        WC.StopSlider("s", "s", 0, 1, 1, 0, integer=True, stops=["a", ""])


# ---------------------------------------------------------------------------------------------
# The live explorer
# ---------------------------------------------------------------------------------------------
def test_live_explorer_shows_the_pages_text(ex):
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    from snnlib.widgets.live import LiveExplorer

    live = LiveExplorer(ex)
    fig, axes = live.figure, list(live.figure.axes)
    steps = live.controls["steps"]
    assert steps.label == "16" and steps.value == ex.defaults()["steps"], "the live slider shows the stop's label"
    for name, value in (
        ("steps", 4),
        ("percentile", 3),
        ("reset", "zero"),
        ("net", "cnn" if "cnn" in ex.static_data()["nets"] else "mlp"),
    ):
        n = len(live.redraw_seconds)
        live.controls[name].value = value
        assert len(live.redraw_seconds) == n + 1 and "Error" not in live.readout.value
        v = live.values()
        assert ex.readout_for(ex.update(**v), v).replace("\u03bb", "") in live.readout.value.replace("\u03bb", "")
    assert live.figure is fig and list(fig.axes) == axes, "a change rebuilt the figure"
    chosen = next(line for line in fig.axes[0].lines if line.get_label() == "chosen")
    d = ex.update(**live.values())
    np.testing.assert_allclose(chosen.get_ydata(), 100 * d["curves"][d["normalisation"]])
    live.controls["method"].value = "none"
    assert live.controls["percentile"].disabled and WC.NO_PERCENTILE.split(":")[0] in live.notes["percentile"].value
    live.reset_button.click()
    assert live.values() == ex.defaults() and not live.controls["percentile"].disabled


# ---------------------------------------------------------------------------------------------
# The page in a browser
# ---------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_page_in_chromium(ex, browser, tmp_path):
    """Every control moved as a reader would (arrow keys, choices): the page's read-out, the stop shown
    beside the slider, the disabled percentile and the drawn curves are the Python explorer's."""
    page, blocked, errors, uid = open_standalone(browser, tmp_path, ex)

    def check():
        st = state(page, uid)
        assert st["data"] is not None, page.get_attribute(f"#{uid}", "data-error")
        v = ex.values(**st["values"])
        py = ex.update(**v)
        assert page.text_content(f"#{uid} .snx-readout") == ex.readout_for(py, v)
        assert st["data"]["accuracy"] == py["accuracy"] and st["data"]["T"] == py["T"]
        assert page.text_content(f"#{uid} output[data-readout=steps]") == str(py["T"])
        assert page.locator(f"#{uid} [data-control=percentile]").is_disabled() == (v["method"] == "none")
        assert page.locator(f"#{uid} path.snx-curve").count() == len(py["curves"])
        return v

    v = check()
    assert v == ex.defaults()
    for name, how in (("steps", "ArrowRight"), ("percentile", "ArrowRight"), ("reset", 1), ("net", 1), ("method", 1)):
        n = redraws(page, uid)
        control = page.locator(f"#{uid} [data-control={name}]")
        _ = control.select_option(index=how) if isinstance(how, int) else control.press(how)  # press focuses it
        B.wait_settled(page, uid, n)
        v1 = check()
        assert v1[name] != v[name], name
        v = v1
    assert not errors, errors
    assert not blocked, blocked
    page.close()


def test_every_control_changes_what_is_shown(ex):
    base = ex.defaults()
    d0 = ex.update(**base)
    for c in ex.controls:
        options = c.options if hasattr(c, "options") else list(range(c.min, c.max + 1))
        shown = {ex.readout_for(ex.update(**dict(base, **{c.name: o})), ex.values(**dict(base, **{c.name: o}))) for o in options}
        assert len(shown) == len(options), f"moving {c.name} does not change the read-out"
    assert d0["T"] == 16


def test_grid_values_match_frame_grid(ex):
    """The grid the tests walk is every combination of the controls (the frames' grid)."""
    sizes = [len(c.options) if hasattr(c, "options") else len(c.stops) for c in ex.controls]
    assert len(frame_grid(ex)) == int(np.prod(sizes)) == len(list(itertools.product(*[range(s) for s in sizes])))
