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


def _tiny_book(path, code: str, page_code: str = ""):
    """A copy of the book's configuration (and its extension) with one page and one notebook running ``code``.

    The notebook is ``notebooks/00_tiny.ipynb`` (normalised as the book's: badge and set-up cells);
    with ``page_code`` the explanation page ``book/tiny.md`` (its chapter page) executes that code too."""
    path.mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", path / "_config.yml")
    shutil.copy(ROOT / "references.bib", path / "references.bib")
    shutil.copytree(ROOT / "_ext", path / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    for static in yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"].get("html_static_path", []):
        (path / static).mkdir()
    (path / "book").mkdir()
    (path / "notebooks").mkdir()
    (path / "book" / "intro.md").write_text("# Intro\n\nA tiny book.\n")
    cells = notebook_tools.cells_from_percent(f"# %% [markdown]\n# # Tiny\n\n# %%\n{code}\n")
    nb = notebook_tools.normalise(notebook_tools.new_notebook(cells), ROOT, "00_tiny.ipynb")
    (path / "notebooks" / "00_tiny.ipynb").write_text(json.dumps(nb))
    chapters = "  - file: notebooks/00_tiny\n"
    if page_code:
        kernel = "---\nkernelspec:\n  name: python3\n  display_name: Python 3\nfile_format: mystnb\n---\n"
        (path / "book" / "tiny.md").write_text(f"{kernel}\n# Tiny page\n\n```{{code-cell}} python\n{page_code}\n```\n")
        chapters = "  - file: book/tiny\n" + chapters
    (path / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nchapters:\n{chapters}")
    return path


def _build(path, quick: bool = True):
    env = dict(os.environ, SNNLIB_QUICK="1" if quick else "0")
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


# ---------------------------------------------------------------------------------------------
# Quick and full builds never share executed outputs; launch buttons; no Thebe, no CDN
# ---------------------------------------------------------------------------------------------

NONCE = re.compile(r"workload: (quick|full) ([0-9a-f]{32})")


def test_quick_and_full_builds_never_share_executed_outputs(tmp_path):
    """Build full, then quick, then full again: the quick pages were executed in quick mode (a new
    nonce) and the second full build shows the first one's outputs again (each mode its own cache)."""
    code = 'import uuid\n\nprint("workload:", "quick" if snl.quick_mode() else "full", uuid.uuid4().hex)'
    book = _tiny_book(tmp_path / "modes", code, page_code="import uuid\nprint('workload:', 'page', uuid.uuid4().hex)")
    html = book / "_build" / "html"

    def build_and_read(quick):
        proc = _build(book, quick=quick)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
        m = NONCE.search((html / "notebooks" / "00_tiny.html").read_text())
        assert m, "the tiny notebook's output is not on its page"
        return m.groups()

    full = build_and_read(False)
    assert full[0] == "full"
    quick = build_and_read(True)
    assert quick[0] == "quick", "the quick build shows the full build's outputs"
    assert quick[1] != full[1], "the quick page was not executed"
    page = (html / "notebooks" / "00_tiny.html").read_text()
    assert "quick mode (SNNLIB_QUICK=1)" in page, "the set-up cell's report does not say quick mode"
    assert (book / "_build" / ".jupyter_cache" / "quick").is_dir() and (book / "_build" / ".jupyter_cache" / "full").is_dir()
    again = build_and_read(False)
    assert again == full, "the second full build did not reuse the full cache"
    _check_tiny_pages(html)


def _launch_urls(page: str) -> list:
    return re.findall(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]*)"', page)


def _check_tiny_pages(html):
    """The tiny book's pages: launch buttons open notebooks, no Thebe or CDN assets, a default theme mode,
    and the notebook's Colab badge stays out of the book."""
    nb_page = (html / "notebooks" / "00_tiny.html").read_text()
    md_page = (html / "book" / "tiny.html").read_text()
    intro = (html / "book" / "intro.html").read_text()
    assert any(u.endswith("notebooks/00_tiny.ipynb") for u in _launch_urls(nb_page)), _launch_urls(nb_page)
    urls = _launch_urls(md_page)
    assert urls and all("notebooks/00_tiny.ipynb" in u for u in urls), f"book/tiny.md's launch buttons: {urls}"
    assert not any(u.endswith(".md") or ".md?" in u or ".md&" in u for u in urls)
    assert not _launch_urls(intro), "a page without code got launch buttons"
    for name, page in (("notebook", nb_page), ("page", md_page), ("intro", intro)):
        assert "THEBE_JS_URL" not in page and "thebe" not in page.lower(), f"{name}: Thebe assets are still there"
        assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', page), f"{name} loads a remote resource"
        assert 'localStorage.getItem("mode") || "light"' in page, f"{name}: no default theme mode"
    assert "colab-badge.svg" not in nb_page, "the Colab badge cell is shown in the book"
