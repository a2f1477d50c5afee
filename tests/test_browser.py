"""The kernel-free explorers in a real browser: headless Chromium, networking blocked.

Debian's ``/usr/bin/chromium`` is driven by Python Playwright (no browser download). Every request
that is not a local file is aborted, so whatever the explorers show needs no network. The tests move
each control as a reader would (mouse drag, arrow keys, drop-down choices), wait for the explorer to
redraw, and check that the plotted data (published by the page as ``window.snnlibExplorers[id]``, and
the SVG paths themselves) are snnlib's for the new control values.

* ``test_standalone_page``: a page made of ``Explorer.html()`` outputs (two LIF explorers and the
  surrogate explorer: explorers on one page must not interfere). Fast; no book build.
* ``test_hostile_strings_stay_text``: an explorer whose name, title and element id are hostile HTML and
  script: the page shows them as text, runs no script of theirs (no dialog opens) and still works. Fast.
* ``test_standalone_coding_page`` / ``test_standalone_circuit_page`` (slow: they precompute every
  frame): every control of the coding and circuit explorers, the page's rasters against snnlib's.
* ``test_built_lif_page``: the built book's LIF chapter (``_build/html/notebooks/02_lif_neuron.html``,
  built by the ``built_book`` fixture); saves the screenshot ``book/images/lif_explorer.png`` that the
  README shows.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from snnlib import widgets as W

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SNNLIB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "book" / "images" / "lif_explorer.png"
LIF_PAGE = Path("notebooks") / "02_lif_neuron.html"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (Debian package 'chromium'); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Python package 'playwright' is not installed; browser tests skipped")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


def open_offline(browser, path: Path, width=1280, height=900):
    """Open a local file with every non-file request aborted; returns (page, blocked_urls, errors).

    ``errors`` collects the page's uncaught errors, its console errors (but the "Failed to load resource"
    of an aborted request: those are in ``blocked``) and every dialog (``alert()``) it opens."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    def dialog(d):  # an alert() is a script that should not have run
        errors.append(f"dialog: {d.message}")
        d.dismiss()

    page.route("**/*", route)

    def console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"console: {msg.text}")

    page.on("pageerror", lambda e: errors.append(f"{e.message}\n{e.stack or ''}"))
    page.on("console", console)
    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, blocked, errors


def open_standalone(browser, tmp_path, ex):
    """One explorer alone on a local page, opened offline; returns (page, blocked, errors, its element id)."""
    path = tmp_path / f"{ex.name}.html"
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>" + ex.html() + "</body></html>", encoding="utf-8"
    )
    page, blocked, errors = open_offline(browser, path, width=900)
    (uid,) = explorer_ids(page, ex.name)
    page.wait_for_function("id => window.snnlibExplorers && window.snnlibExplorers[id]", arg=uid, timeout=10_000)
    return page, blocked, errors, uid


def explorer_ids(page, name):
    return page.evaluate(
        "n => Array.from(document.querySelectorAll('.snnlib-explorer[data-explorer=\"' + n + '\"]')).map(e => e.id)", name
    )


def state(page, uid):
    return page.evaluate("id => window.snnlibExplorers && window.snnlibExplorers[id]", uid)


def redraws(page, uid):
    return int(page.get_attribute(f"#{uid}", "data-redraws") or 0)


def wait_settled(page, uid, before):
    """Wait until the explorer redrew after ``before`` redraws and its drawn values are the inputs' values."""
    page.wait_for_function(
        """([id, n]) => {
             const root = document.getElementById(id), st = window.snnlibExplorers[id];
             if (!st || +root.dataset.redraws <= n) return false;
             for (const el of root.querySelectorAll('input[type=range][data-control]')) {
               if (Math.abs(parseFloat(el.value) - st.values[el.dataset.control]) > 1e-12) return false;
             }
             return true;
           }""",
        arg=[uid, before],
        timeout=10_000,
    )
    return state(page, uid)


def open_frames_page(browser, tmp_path, module, needs, make):
    """The standalone page of the explorer ``make()``, which ships precomputed frames:
    ``(explorer, page, blocked, errors, uid)``; skipped where ``module`` or its ``needs`` is missing."""
    mod = pytest.importorskip(module, reason=f"{module} (its chapter) is not here")
    if not hasattr(mod, needs):
        pytest.skip(f"{module}.{needs} is not here")
    ex = make()
    return (ex, *open_standalone(browser, tmp_path, ex))


def shown(page, uid, ex):
    """``(values, data, python)``: the control values and the data the page shows, and
    ``ex.update(**values)``, what Python computes at those values."""
    st = state(page, uid)
    assert st["data"] is not None, page.get_attribute(f"#{uid}", "data-error")
    return st["values"], st["data"], ex.update(**st["values"])


def close_quiet(page, errors, blocked, uid=None, screenshot=None):
    """The page stayed quiet (no error, no blocked request); a screenshot of explorer ``uid`` to
    ``screenshot`` if given; the page closed."""
    assert not errors, errors
    assert not blocked, blocked
    if screenshot is not None:
        page.locator(f"#{uid}").screenshot(path=str(screenshot))
    page.close()


def move_control(page, uid, name, how):
    """Move control ``name`` of explorer ``uid`` and wait for the redraw: a drop-down to the option of
    index ``how`` (an int), a slider by pressing the key ``how``."""
    n = redraws(page, uid)
    control = page.locator(f"#{uid} [data-control={name}]")
    if isinstance(how, int):
        control.select_option(index=how)
    else:
        control.focus()
        control.press(how)
    wait_settled(page, uid, n)


def walk_controls(page, uid, moves, check, values):
    """Each ``(name, how)`` of ``moves`` in turn (:func:`move_control`), then ``check()``, which returns
    the values shown: the moved control's value changed. Returns the last values."""
    for name, how in moves:
        move_control(page, uid, name, how)
        new = check()
        assert new[name] != values[name]
        values = new
    return values


def svg_checks(page, uid, d):
    """The SVG paths drawn are the data: one vertex per step for the membrane, one tick per spike."""
    mem_d = page.get_attribute(f"#{uid} path.snx-mem", "d")
    spk_d = page.get_attribute(f"#{uid} path.snx-spikes", "d") or ""
    assert mem_d.count("M") + mem_d.count("L") == len(d["steps"])
    assert spk_d.count("M") == d["n_spikes"]


def check_lif(page, uid, ex):
    st = state(page, uid)
    assert st is not None, "the explorer published no data"
    v, js = st["values"], st["data"]
    assert not page.get_attribute(f"#{uid}", "data-error"), page.get_attribute(f"#{uid}", "data-error")
    py = ex.update(**v)
    np.testing.assert_array_equal(js["spk"], py["spk"], err_msg=f"page spikes differ from snnlib at {v}")
    np.testing.assert_allclose(js["mem"], py["mem"], rtol=1e-12, atol=1e-12, err_msg=f"page membrane differs at {v}")
    np.testing.assert_array_equal(js["current"], py["current"])
    svg_checks(page, uid, py)
    assert page.text_content(f"#{uid} .snx-readout") == ex.readout_for(py, v), "the read-out is not the live explorer's"
    assert page.text_content(f"#{uid} [data-note=beta]").strip() == f"({ex.notes_for(v)['beta']})"
    return v, py


def drag(page, locator, fraction):
    """Drag a range input's thumb with the mouse to ``fraction`` of its track."""
    box = locator.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    for f in np.linspace(0.5, fraction, 6)[1:]:
        page.mouse.move(box["x"] + box["width"] * f, y)
    page.mouse.up()


LIF_MOVES = [
    # (control, how, argument): a mouse drag for beta, arrow keys for the others, choices for drop-downs
    ("beta", "drag", 0.92),
    ("threshold", "keys", ("ArrowLeft", 6)),
    ("amplitude", "keys", ("ArrowRight", 10)),
    ("refractory", "keys", ("ArrowRight", 4)),
    ("num_steps", "keys", ("ArrowRight", 5)),
    ("reset", "select", "zero"),
    ("input", "select", "noisy"),
    ("reset", "select", "none"),
]


def exercise_lif(page, uid):
    """Move every control of the LIF explorer and check each redraw against snnlib."""
    ex = W.lif_explorer()
    v0, py0 = check_lif(page, uid, ex)
    assert v0 == ex.defaults(), "the page does not start at the explorer's defaults"
    for name, how, arg in LIF_MOVES:
        n = redraws(page, uid)
        control = page.locator(f"#{uid} [data-control={name}]")
        if how == "drag":
            drag(page, control, arg)
        elif how == "keys":
            control.focus()
            for _ in range(arg[1]):
                control.press(arg[0])
        else:
            options = list(next(c for c in ex.controls if c.name == name).options)
            control.select_option(index=options.index(arg))
        wait_settled(page, uid, n)
        v1, py1 = check_lif(page, uid, ex)
        assert v1[name] != v0[name], f"moving {name} did not change its value ({v0[name]})"
        assert {k for k in v1 if v1[k] != v0[k]} == {name}, "another control changed"
        # The plotted data changed as the model says it should.
        drawn = ("mem", "current", "spk", "threshold")
        assert any(not np.array_equal(py1[k], py0[k]) for k in drawn), f"moving {name} changed nothing drawn"
        if name in ("beta", "threshold", "amplitude", "reset"):
            assert not np.array_equal(py1["mem"], py0["mem"]), f"moving {name} did not change the membrane"
        v0, py0 = v1, py1
    assert v0["refractory"] == 4 and v0["reset"] == "none" and v0["input"] == "noisy"
    if py0["n_spikes"] > 1:
        assert (np.diff(py0["spike_times"]) > v0["refractory"]).all()
    # Reset restores the defaults.
    n = redraws(page, uid)
    page.click(f"#{uid} .snx-reset")
    wait_settled(page, uid, n)
    v, _ = check_lif(page, uid, ex)
    assert v == ex.defaults()


def test_standalone_page(browser, tmp_path):
    lif, sur = W.lif_explorer(), W.surrogate_explorer()
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>explorers</title></head>"
        "<body style='max-width:860px;margin:20px auto'>" + lif.html() + sur.html() + lif.html() + "</body></html>"
    )
    path = tmp_path / "explorers.html"
    path.write_text(html, encoding="utf-8")
    page, blocked, errors = open_offline(browser, path, width=900)
    ids = explorer_ids(page, "lif")
    assert len(ids) == 2 and ids[0] != ids[1]
    other_before = state(page, ids[1])
    exercise_lif(page, ids[0])
    assert state(page, ids[1]) == other_before, "moving one explorer changed another on the same page"
    # Surrogate explorer: choose each surrogate, check the drawn derivative against snnlib.
    (sid,) = explorer_ids(page, "surrogate")
    control = page.locator(f"#{sid} [data-control=surrogate]")
    options = list(sur.controls[0].options)
    start = options.index(sur.controls[0].value)
    for i in list(range(start + 1, len(options))) + list(range(start + 1)):  # every choice, default last
        n = redraws(page, sid)
        control.select_option(index=i)
        st = wait_settled(page, sid, n)
        assert st["values"]["surrogate"] == options[i]
        py = sur.update(**st["values"])
        np.testing.assert_allclose(st["data"]["derivative"], py["derivative"], rtol=2e-6, atol=1e-6)
        np.testing.assert_allclose(st["data"]["grad"], py["grad"], rtol=1e-5, atol=1e-6 * max(1, np.abs(py["grad"]).max()))
        assert page.get_attribute(f"#{sid} path.snx-derivative", "d")
    assert not errors, errors
    assert not blocked, f"the explorers made network requests: {blocked}"
    path_png = ROOT / "_build" / "lif_explorer_standalone.png"
    path_png.parent.mkdir(exist_ok=True)
    page.locator(f"#{ids[0]}").screenshot(path=str(path_png))
    page.close()


def test_hostile_strings_stay_text(browser, tmp_path):
    """A hostile explorer name, title and element id are shown as text: no script of theirs runs, and the
    explorer still mounts and redraws."""
    import dataclasses

    evil = 'x" onmouseover="alert(1)'
    uid = "</script><script>alert(2)</script>"
    title = uid + "<img src=x onerror=alert(3)>"
    ex = dataclasses.replace(W.lif_explorer(), name=evil, title=title, description=evil)
    path = tmp_path / "hostile.html"
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>" + ex.html(uid) + "</body></html>", encoding="utf-8"
    )
    page, blocked, errors = open_offline(browser, path, width=900)
    page.wait_for_function("id => window.snnlibExplorers && window.snnlibExplorers[id]", arg=uid, timeout=10_000)
    assert page.evaluate("id => !!document.getElementById(id)", uid)
    assert page.evaluate("id => document.getElementById(id).dataset.explorer", uid) == evil
    assert page.evaluate("id => document.getElementById(id).querySelector('.snx-title').textContent", uid) == title
    assert page.evaluate("() => document.querySelectorAll('script').length") == 1
    assert page.evaluate("() => document.querySelectorAll('img, [onmouseover], [onerror]').length") == 0
    page.mouse.move(200, 40)
    page.mouse.move(300, 200)
    n = page.evaluate("id => +document.getElementById(id).dataset.redraws", uid)
    control = page.locator("[data-control=beta]")
    control.focus()
    control.press("ArrowLeft")
    st = wait_settled(page, uid, n)
    assert st["values"]["beta"] == pytest.approx(0.89)
    np.testing.assert_array_equal(st["data"]["spk"], ex.update(**st["values"])["spk"])
    close_quiet(page, errors, blocked)


@pytest.mark.slow
def test_built_lif_page(browser, built_book):
    page_path = built_book / LIF_PAGE
    if not page_path.exists():
        pytest.skip(f"{LIF_PAGE} is not in the built book (the LIF chapter has not landed)")
    text = page_path.read_text(encoding="utf-8")
    for marker in (
        "application/vnd.jupyter.widget-state+json",
        "@jupyter-widgets/html-manager",
        "embed-amd.js",
        "require.min.js",
    ):
        assert marker not in text, f"the built page depends on ipywidgets' CDN machinery ({marker})"
    page, _blocked, errors = open_offline(browser, page_path)
    ids = explorer_ids(page, "lif")
    assert ids, "no LIF explorer on the built LIF page"
    uid = ids[0]
    root = page.locator(f"#{uid}")
    root.scroll_into_view_if_needed()
    box = root.bounding_box()
    assert box["width"] >= 600, f"the explorer is squeezed to {box['width']}px"
    plot = page.locator(f"#{uid} .snx-plot svg").bounding_box()
    assert plot["x"] >= box["x"] - 1 and plot["x"] + plot["width"] <= box["x"] + box["width"] + 1, "plot overflows"
    exercise_lif(page, uid)
    # Every error counts: the explorer's, the theme's, MathJax's (the page must be quiet).
    assert not errors, errors
    # A reader's view of the explorer after moving a few sliders, for the README.
    ex = W.lif_explorer()
    for name, value in (("refractory", 3), ("amplitude", 0.2)):
        n = redraws(page, uid)
        c = page.locator(f"#{uid} [data-control={name}]")
        c.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", str(value))
        wait_settled(page, uid, n)
    check_lif(page, uid, ex)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    tmp = SCREENSHOT.with_suffix(".tmp.png")
    root.screenshot(path=str(tmp))
    os.replace(tmp, SCREENSHOT)
    page.close()


@pytest.mark.slow
def test_standalone_coding_page(browser, tmp_path):
    ex, page, blocked, errors, uid = open_frames_page(browser, tmp_path, "snnlib.encoding", "encode", W.coding_explorer)

    def check():
        values, d, py = shown(page, uid, ex)
        rec = np.zeros_like(np.asarray(py["spikes"]))
        rec[d["on"]["times"], d["on"]["ids"]] = 1
        rec[d["off"]["times"], d["off"]["ids"]] = -1
        np.testing.assert_array_equal(rec, py["spikes"], err_msg=str(values))
        np.testing.assert_allclose(d["decoded"], np.asarray(py["decoded"]).reshape(-1), atol=0.005 + 1e-9)
        assert d["n_spikes"] == py["n_spikes"]
        assert page.text_content(f"#{uid} .snx-readout") == ex.readout_for(py, values)
        assert ex.notes_for(values)["level"] in page.text_content(f"#{uid} [data-note=level]")
        return values

    v = check()
    assert v == ex.defaults()
    scheme = next(c for c in ex.controls if c.name == "scheme")
    moves = [
        ("scheme", list(scheme.options).index("latency")),
        ("level", "ArrowRight"),
        ("num_steps", "ArrowLeft"),
        ("scheme", list(scheme.options).index("delta")),
        ("digit", 2),
        ("scheme", list(scheme.options).index("burst")),
    ]
    v = walk_controls(page, uid, moves, check, v)
    close_quiet(page, errors, blocked, uid, tmp_path / "coding.png")


@pytest.mark.slow
def test_standalone_circuit_page(browser, tmp_path):
    ex, page, blocked, errors, uid = open_frames_page(browser, tmp_path, "snnlib.circuits", "run_motif", W.circuit_explorer)

    def check():
        values, d, py = shown(page, uid, ex)
        assert d["populations"] == py["populations"]
        for p in py["populations"]:
            rec = np.zeros_like(py["spikes"][p])
            rec[d["pops"][p]["spikes"]["times"], d["pops"][p]["spikes"]["ids"]] = 1
            np.testing.assert_array_equal(rec, py["spikes"][p], err_msg=f"{values} {p}")
            assert d["rates"][p] == pytest.approx(py["rates"][p], abs=1e-6)
        assert page.locator(f"#{uid} rect.snx-rate").count() == len(py["populations"])
        assert page.text_content(f"#{uid} .snx-readout") == ex.readout_for(py, values)
        inactive = ex.inactive_for(values)
        for c in ex.controls:
            assert page.locator(f"#{uid} [data-control={c.name}]").is_disabled() == (c.name in inactive), c.name
        return values

    v = check()
    motif = next(c for c in ex.controls if c.name == "motif")
    moves = [
        ("inhibition", "ArrowRight"),
        ("motif", 2),
        ("inhibition", "ArrowLeft"),
        ("delay", "ArrowRight"),
        ("input_level", "ArrowRight"),
        ("motif", 3),
        ("motif", 1),
    ]
    v = walk_controls(page, uid, moves, check, v)
    assert v["motif"] == list(motif.options)[1]
    move_control(page, uid, "motif", list(motif.options).index("feedforward_excitation"))
    check()
    assert page.locator(f"#{uid} [data-control=inhibition]").is_disabled()
    assert W.CIRCUIT_INACTIVE["feedforward_excitation"]["inhibition"] in page.text_content(f"#{uid} [data-note=inhibition]")
    close_quiet(page, errors, blocked, uid, tmp_path / "circuit.png")


def _tiny_animation(n=5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import animation

    fig, ax = plt.subplots(figsize=(3, 2))
    img = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=n)
    anim = animation.FuncAnimation(fig, lambda t: [img.set_data(np.full((4, 4), t))], frames=n, interval=60)
    plt.close(fig)
    return anim


def test_animation_plays_offline_even_when_inserted_detached(browser, tmp_path):
    """The rate-code animation as JupyterLab shows it after "Run All": the output's HTML is set while
    the cell is off screen (detached), its scripts are re-created, and the node is attached later.
    The first frame is there at its size from the start, the buttons and the slider step through
    the frames, and nothing is loaded from the network (no Font Awesome)."""
    view = W.animation(_tiny_animation(5))
    path = tmp_path / "anim.html"
    path.write_text("<!doctype html><html><head><meta charset='utf-8'></head><body><div id=host></div></body></html>")
    page, blocked, errors = open_offline(browser, path, width=900)
    page.evaluate(
        """html => new Promise(done => {
             const out = document.createElement('div');            // detached, as an off-screen cell
             out.innerHTML = html;                                 // scripts set by innerHTML do not run...
             out.querySelectorAll('script').forEach(old => {       // ...so JupyterLab re-creates them
               const s = document.createElement('script'); s.textContent = old.textContent; old.replaceWith(s);
             });
             setTimeout(() => { document.getElementById('host').appendChild(out); done(); }, 200);
           })""",
        view.html,
    )
    root = page.locator(".snnlib-animation")
    page.wait_for_function("() => document.querySelector('.snnlib-animation').dataset.ready === '1'", timeout=10_000)
    box = page.locator(".snnlib-animation img").bounding_box()
    assert box["width"] == 300 and box["height"] == 200, f"the frame lays out at {box}"
    assert page.evaluate("() => document.querySelector('.snnlib-animation img').naturalWidth") == 300
    first = page.get_attribute(".snnlib-animation img", "src")
    page.click("[data-act=next]")
    assert root.get_attribute("data-frame") == "1" and page.get_attribute(".snnlib-animation img", "src") != first
    page.click("[data-act=last]")
    assert root.get_attribute("data-frame") == "4"
    page.click("[data-act=play]")
    page.wait_for_function("() => document.querySelector('.snnlib-animation').dataset.frame === '1'", timeout=5_000)
    page.click("[data-act=play]")
    page.locator(".snnlib-animation input[type=range]").fill("2")
    assert root.get_attribute("data-frame") == "2"
    assert "frame 3 / 5" in page.text_content(".snnlib-animation .snx-anim-frame")
    assert not errors, errors
    assert not blocked, f"the animation loads from the network: {blocked}"
    page.close()
