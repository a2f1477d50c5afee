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
import notebook_tools

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = sorted((ROOT / "book").glob("*.md"))


def toc_files(root: Path = ROOT) -> list:
    """Every file the toc of ``root`` lists (root page first), without extensions."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
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


# ---------------------------------------------------------------------------------------------
# The checks, as functions of a notebook (dict) or a folder, so that they are tested on fixtures too
# ---------------------------------------------------------------------------------------------


def output_problems(nb: dict, name: str = "notebook") -> list:
    """Why ``nb`` is not committed clean: code cells with outputs or execution counts."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"{name} cell {i} has outputs: strip them (scripts/notebook_tools.py sync)")
            if cell.get("execution_count") is not None:
                problems.append(f"{name} cell {i} has an execution count (scripts/notebook_tools.py sync)")
    return problems


def imports_snnlib(nb: dict) -> bool:
    """True when a code cell has the line ``import snnlib as snl``."""
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    return re.search(r"^import snnlib as snl$", text, re.M) is not None


def reads_quick_variable(nb: dict) -> bool:
    """True when the notebook reads SNNLIB_QUICK itself instead of asking snl.quick_mode()."""
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    return "SNNLIB_QUICK" in text and ("os.environ" in text or "getenv" in text)


def missing_from_toc(root: Path) -> list:
    """Notebooks and book pages under ``root`` that ``root/_toc.yml`` does not list."""
    listed = set(toc_files(root))
    paths = sorted((root / "notebooks").glob("*.ipynb")) + sorted((root / "book").glob("*.md"))
    return [str(p.relative_to(root).with_suffix("")) for p in paths if str(p.relative_to(root).with_suffix("")) not in listed]


def missing_toc_targets(root: Path) -> list:
    """Entries of ``root/_toc.yml`` with no ``.md`` or ``.ipynb`` file."""
    return [e for e in toc_files(root) if not any((root / (e + ext)).exists() for ext in (".md", ".ipynb"))]


def lint_problems(notebooks: list) -> str:
    """Ruff's report on the code cells of ``notebooks`` (empty when clean)."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in notebooks:
            nb = json.loads(Path(path).read_text())
            cells = [source(c) for c in nb["cells"] if c["cell_type"] == "code"]
            # IPython magics and shell escapes are not Python.
            cells = ["\n".join("# " + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in c.split("\n")) for c in cells]
            (Path(tmp) / (Path(path).stem + ".py")).write_text("\n\n".join(cells) + "\n")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--no-cache",
                "--config",
                str(ROOT / "pyproject.toml"),
                "--ignore",
                "E501,B018",
                tmp,
            ],
            capture_output=True,
            text=True,
        )
        return "" if proc.returncode == 0 else proc.stdout + proc.stderr


# ---------------------------------------------------------------------------------------------
# The repository's notebooks and pages follow the conventions
# ---------------------------------------------------------------------------------------------


def test_there_are_notebooks_and_pages():
    assert NOTEBOOKS and PAGES
    assert ROOT / "notebooks" / "00_first_spikes.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    problems = output_problems(json.loads(path.read_text()), path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_normalised(path):
    """What `notebook_tools.py check` enforces: canonical set-up cell, no outputs, no cell ids."""
    nb = json.loads(path.read_text())
    assert notebook_tools.normalise(json.loads(json.dumps(nb))) == nb, (
        f"{path.name} is not normalised: run python scripts/notebook_tools.py sync"
    )


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
def test_notebook_starts_with_one_title(path):
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and source(first).startswith("# "), f"{path.name} must start with a '# Title' cell"
    titles = [ln for c in nb["cells"] if c["cell_type"] == "markdown" for ln in source(c).split("\n") if re.match(r"^# \S", ln)]
    assert len(titles) == 1, f"{path.name} has {len(titles)} H1 titles: {titles}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_snnlib(path):
    nb = json.loads(path.read_text())
    assert imports_snnlib(nb), f"{path.name} does not import snnlib"
    assert not reads_quick_variable(nb), f"{path.name} reads SNNLIB_QUICK itself: use snl.quick_mode() or snl.workload()"


def test_every_notebook_and_page_is_in_the_toc():
    missing = missing_from_toc(ROOT)
    assert not missing, f"not listed in _toc.yml: {missing}"


def test_toc_lists_no_missing_file():
    missing = missing_toc_targets(ROOT)
    assert not missing, f"_toc.yml lists missing files: {missing}"


def test_toc_starts_with_the_introduction():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["root"] == "book/intro"
    assert toc_files(ROOT)[1] == "notebooks/00_first_spikes"


def test_notebook_code_passes_the_linter():
    """Extract every notebook's code cells into a module and run ruff on it."""
    report = lint_problems(NOTEBOOKS)
    assert not report, report


def test_library_tests_and_scripts_pass_the_linter():
    dirs = [str(ROOT / d) for d in ("snnlib", "tests", "scripts", "benchmarks") if (ROOT / d).exists()]
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), *dirs],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_library_tests_and_scripts_are_formatted():
    dirs = [str(ROOT / d) for d in ("snnlib", "tests", "scripts", "benchmarks") if (ROOT / d).exists()]
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), *dirs],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, "run `ruff format .`:\n" + proc.stdout + proc.stderr


def test_every_notebook_has_a_text_twin_that_agrees():
    """Each notebook is paired (jupytext) with a MyST Markdown twin that reviewers read."""
    import jupytext

    problems = []
    for nb_path in NOTEBOOKS:
        twin = nb_path.with_suffix(".md")
        if not twin.exists():
            problems.append(f"{twin.name} is missing: run python scripts/notebook_tools.py sync")
            continue
        a, b = jupytext.read(nb_path), jupytext.read(twin)
        cells_a = [(c.cell_type, c.source) for c in a.cells]
        cells_b = [(c.cell_type, c.source) for c in b.cells]
        if cells_a != cells_b:
            problems.append(f"{nb_path.name} and {twin.name} disagree: run jupytext --sync {nb_path.name}")
    assert not problems, "\n".join(problems)


def test_notebook_tools_check_passes():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "notebook_tools.py"), "check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------------------------------------
# Negative tests: each check above does catch a bad notebook (temporary fixtures, never the real ones)
# ---------------------------------------------------------------------------------------------


def _fixture_notebook(code: str = "x = 1\n") -> dict:
    body = "# %% [markdown]\n# # A title\n\n# %%\n" + code
    return notebook_tools.normalise(notebook_tools.new_notebook(notebook_tools.cells_from_percent(body)))


def test_a_clean_fixture_passes_every_check():
    nb = _fixture_notebook()
    assert output_problems(nb) == []
    assert imports_snnlib(nb)  # the set-up cell imports it
    assert not reads_quick_variable(nb)


def test_outputs_are_caught():
    nb = _fixture_notebook()
    nb["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    assert any("has outputs" in p for p in output_problems(nb))
    nb = _fixture_notebook()
    nb["cells"][-1]["execution_count"] = 3
    assert any("execution count" in p for p in output_problems(nb))


def test_notebook_tools_strips_outputs():
    nb = _fixture_notebook()
    nb["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    nb["cells"][-1]["execution_count"] = 3
    fixed = notebook_tools.normalise(json.loads(json.dumps(nb)))
    assert fixed != nb and output_problems(fixed) == []


def test_a_notebook_without_snnlib_is_caught():
    nb = notebook_tools.new_notebook(notebook_tools.cells_from_percent("# %% [markdown]\n# # T\n\n# %%\nimport torch\n"))
    assert not imports_snnlib(nb)
    nb = notebook_tools.new_notebook(notebook_tools.cells_from_percent("# %%\n# import snnlib as snl\nimport snnlib\n"))
    assert not imports_snnlib(nb)  # a comment or another spelling does not count


def test_reading_the_quick_variable_is_caught():
    nb = _fixture_notebook('import os\nquick = os.environ.get("SNNLIB_QUICK") == "1"\n')
    assert reads_quick_variable(nb)


def test_a_notebook_missing_from_the_toc_is_caught(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "book").mkdir()
    for name in ("00_a", "01_b"):
        (tmp_path / "notebooks" / f"{name}.ipynb").write_text(json.dumps(_fixture_notebook()))
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: notebooks/00_a\n      - file: book/gone\n"
    )
    assert missing_from_toc(tmp_path) == ["notebooks/01_b"]
    assert missing_toc_targets(tmp_path) == ["book/gone"]


def test_a_lint_error_is_caught(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps(_fixture_notebook("import os\nx = undefined_name\n")))
    report = lint_problems([path])
    assert "F401" in report and "F821" in report
    path.write_text(json.dumps(_fixture_notebook("%matplotlib inline\nx = 1\n")))
    assert lint_problems([path]) == ""  # magics are not linted
