"""The book builds (quick mode, warnings as errors, every notebook executed) and every page is there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml
from conftest import JUPYTER_BOOK
from test_notebooks import ROOT, notebook_tools, toc_files

pytestmark = pytest.mark.slow


def test_index_exists(built_book):
    assert (built_book / "index.html").exists()


def test_a_page_for_every_toc_entry(built_book):
    for entry in toc_files():
        assert (built_book / (entry + ".html")).exists(), f"no page for {entry}"


def test_no_page_shows_a_traceback(built_book):
    for page in built_book.rglob("*.html"):
        text = page.read_text(errors="replace")
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
        assert not re.search(r"\w+Error: ", re.sub(r"<[^>]+>", "", text)) or "ansi-red" not in text, page.name


def test_every_notebook_page_shows_executed_outputs(built_book):
    """Each notebook was executed at build time: its page shows the set-up cell's report."""
    for entry in toc_files():
        if entry.startswith("notebooks/"):
            text = (built_book / (entry + ".html")).read_text(errors="replace")
            assert "device:" in text and "seed 0" in text, f"{entry}: the set-up cell's output is missing"


def test_math_is_served_locally(built_book):
    """MathJax comes from the book's own _static folder, never from a CDN."""
    assert (built_book / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
    assert (built_book / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff").exists()
    for page in built_book.rglob("*.html"):
        text = page.read_text(errors="replace")
        assert "cdn.jsdelivr.net/npm/mathjax" not in text, f"{page.name} loads MathJax from a CDN"
    intro = (built_book / "book" / "intro.html").read_text()
    assert re.search(r'src="[./]*_static/mathjax/tex-mml-chtml\.js', intro), "intro.html does not load the vendored MathJax"


# ---------------------------------------------------------------------------------------------
# Negative test: a notebook that raises fails the build (allow_errors is false)
# ---------------------------------------------------------------------------------------------


def _tiny_book(path, code: str):
    """A copy of the book's configuration with one page and one notebook running ``code``."""
    path.mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", path / "_config.yml")
    shutil.copy(ROOT / "references.bib", path / "references.bib")
    for static in yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"].get("html_static_path", []):
        (path / static).mkdir()
    (path / "book").mkdir()
    (path / "notebooks").mkdir()
    (path / "book" / "intro.md").write_text("# Intro\n\nA tiny book.\n")
    cells = notebook_tools.cells_from_percent(f"# %% [markdown]\n# # Tiny\n\n# %%\n{code}\n")
    (path / "notebooks" / "tiny.ipynb").write_text(json.dumps(notebook_tools.new_notebook(cells)))
    (path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: notebooks/tiny\n")
    return path


def _build(path):
    env = dict(os.environ, SNNLIB_QUICK="1")
    cmd = [*JUPYTER_BOOK, "build", str(path), "-W", "-n", "--keep-going"]
    return subprocess.run(cmd, cwd=path, env=env, capture_output=True, text=True, timeout=600)


def test_a_notebook_that_raises_fails_the_build(tmp_path):
    good = _build(_tiny_book(tmp_path / "good", 'print("fine")'))
    assert good.returncode == 0, "control: the tiny book should build\n" + (good.stdout + good.stderr)[-3000:]
    bad = _build(_tiny_book(tmp_path / "bad", 'raise RuntimeError("boom in a notebook")'))
    log = bad.stdout + bad.stderr
    assert bad.returncode != 0, "a notebook that raises did not fail the build"
    assert "Executing notebook failed" in log, log[-3000:]
    reports = list((tmp_path / "bad" / "_build" / "html" / "reports").rglob("*.err.log"))
    assert reports and "boom in a notebook" in reports[0].read_text(), "the notebook's traceback was not reported"


# ---------------------------------------------------------------------------------------------
# In a browser: the introduction's equations are typeset by the vendored MathJax, with no network
# ---------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (scripts/test.sh installs Debian's)")
def test_equations_render_offline_in_chromium(built_book, tmp_path):
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=15000",
        "--dump-dom",
        (built_book / "book" / "intro.html").as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    dom = proc.stdout
    assert "<mjx-container" in dom, "MathJax did not typeset the introduction's equations"
    assert dom.count("<mjx-container") >= 10
    assert "<mjx-merror" not in dom, "MathJax reports a TeX error"
