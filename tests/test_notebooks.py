"""Conventions every notebook and page follows (no execution here; tests/test_book.py builds)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import notebook_tools  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = sorted((ROOT / "book").glob("*.md"))


def toc_files() -> list:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def test_there_are_notebooks_and_pages():
    assert NOTEBOOKS and PAGES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} cell {i} has outputs: strip them (scripts/notebook_tools.py sync)"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_setup_cell(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cell"
    assert source(code[0]) == notebook_tools.setup_cell_source(ROOT), (
        f"{path.name}: the first code cell is not the canonical set-up cell (scripts/notebook_tools.py sync)"
    )
    assert notebook_tools.repository_url(ROOT) in source(code[0])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_snnlib(path):
    nb = json.loads(path.read_text())
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    assert re.search(r"^import snnlib as snl$", text, re.M), f"{path.name} does not import snnlib"
    assert "os.environ" not in text or "SNNLIB_QUICK" not in text, (
        f"{path.name} reads SNNLIB_QUICK itself: use snl.quick_mode() or snl.workload()"
    )


def test_every_notebook_and_page_is_in_the_toc():
    listed = set(toc_files())
    for path in NOTEBOOKS + PAGES:
        rel = str(path.relative_to(ROOT).with_suffix(""))
        assert rel in listed, f"{rel} is not listed in _toc.yml"


def test_toc_lists_no_missing_file():
    for entry in toc_files():
        assert any((ROOT / (entry + ext)).exists() for ext in (".md", ".ipynb")), f"_toc.yml lists missing {entry}"


def test_notebook_code_passes_the_linter():
    """Extract every notebook's code cells into a module and run ruff on it."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in NOTEBOOKS:
            nb = json.loads(path.read_text())
            cells = [source(c) for c in nb["cells"] if c["cell_type"] == "code"]
            # IPython magics and shell escapes are not Python.
            cells = ["\n".join("# " + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in c.split("\n")) for c in cells]
            (Path(tmp) / (path.stem + ".py")).write_text("\n\n".join(cells) + "\n")
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
             "--ignore", "E501,B018", tmp],
            capture_output=True, text=True,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_notebook_tools_detects_outputs(tmp_path):
    """The check the tests above rely on does fail on a notebook with outputs."""
    nb = notebook_tools.normalise(notebook_tools.new_notebook(notebook_tools.cells_from_percent("# %%\nx = 1\n")))
    nb["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    nb["cells"][-1]["execution_count"] = 3
    fixed = notebook_tools.normalise(json.loads(json.dumps(nb)))
    assert fixed != nb and fixed["cells"][-1]["outputs"] == []


def test_library_tests_and_scripts_pass_the_linter():
    dirs = [str(ROOT / d) for d in ("snnlib", "tests", "scripts", "benchmarks") if (ROOT / d).exists()]
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), *dirs],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
