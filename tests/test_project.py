"""The project around the book: configuration, README, packaging, scripts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    tomllib = None

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
README = (ROOT / "README.md").read_text()


# ---------------------------------------------------------------------------------------------
# _config.yml
# ---------------------------------------------------------------------------------------------


def test_every_notebook_is_executed_and_errors_fail_the_build():
    ex = CONFIG["execute"]
    assert ex["execute_notebooks"] in ("cache", "force")
    assert ex["allow_errors"] is False
    assert isinstance(ex["timeout"], int) and ex["timeout"] > 0


def test_launch_and_repository_buttons():
    assert CONFIG["launch_buttons"]["colab_url"].startswith("https://colab.research.google.com")
    assert CONFIG["launch_buttons"]["binderhub_url"].startswith("https://mybinder.org")
    assert CONFIG["html"]["use_repository_button"] is True
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", CONFIG["repository"]["url"])


def test_sphinx_config_is_offline():
    sphinx = CONFIG["sphinx"]["config"]
    assert "intersphinx_mapping" not in sphinx, "intersphinx needs the network"
    assert "sphinx.ext.intersphinx" not in (CONFIG["sphinx"].get("extra_extensions") or [])
    path = sphinx["mathjax_path"]
    assert not path.startswith(("http:", "https:", "//")), "MathJax must be vendored, not loaded from a CDN"
    static = [ROOT / p for p in sphinx["html_static_path"]]
    assert any((s / path).is_file() for s in static), f"mathjax_path {path} is not in html_static_path"


def test_vendored_mathjax_is_complete_and_small():
    mj = ROOT / "_vendor" / "mathjax"
    assert (mj / "LICENSE").exists() and "Apache License" in (mj / "LICENSE").read_text()
    fonts = list((mj / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) >= 20
    assert (mj / "input" / "tex" / "extensions" / "boldsymbol.js").exists()
    size = sum(f.stat().st_size for f in mj.rglob("*") if f.is_file())
    assert size < 4 * 2**20, f"vendored MathJax takes {size / 2**20:.1f} MiB"


def test_widget_mime_priorities_prefer_html():
    overrides = CONFIG["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", "application/vnd.jupyter.widget-view+json", 1000] in overrides
    assert ["html", "text/html", 5] in overrides


def test_bibliography_is_configured():
    assert CONFIG["bibtex_bibfiles"] == ["references.bib"]
    bib = (ROOT / "references.bib").read_text()
    for key in ("nunes2022survey", "eshraghian2023training"):
        assert "{" + key + "," in bib


# ---------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------


def _readme_commands() -> list:
    """The shell commands in the README's first code block."""
    block = re.search(r"```(?:bash|sh|console)?\n(.*?)```", README, re.S)
    assert block, "README has no code block"
    return [ln.strip() for ln in block.group(1).splitlines() if ln.strip() and not ln.strip().startswith("#")]


def test_readme_starts_with_exactly_two_commands():
    cmds = _readme_commands()
    assert cmds == ["bash scripts/build_book.sh", "bash scripts/test.sh"], cmds
    first_block = README.index("```")
    assert first_block < 1500, "the two commands must come first in the README"
    for cmd in cmds:
        assert (ROOT / cmd.split()[1]).is_file()


def test_readme_repository_urls_match_the_config():
    url = CONFIG["repository"]["url"].rstrip("/")
    found = set(re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", README))
    found = {u.rstrip(".").removesuffix(".git") for u in found}
    assert found <= {url}, f"README names {found - {url}}, but _config.yml's repository.url is {url}"
    assert url in README


def test_readme_screenshot_exists():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images, "README shows no screenshot"
    for img in images:
        path = ROOT / img
        assert path.is_file() and path.stat().st_size > 10_000, f"README image {img} is missing or empty"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_covers_the_essentials():
    for needle in ("SNNLIB_QUICK=1", "SNNLIB_DATA", "Colab", "jupyter", "CC BY-SA 3.0", "MIT", "_build/html"):
        assert needle.lower() in README.lower(), f"README does not mention {needle}"


# ---------------------------------------------------------------------------------------------
# Packaging: the project installs with pip, with its package data
# ---------------------------------------------------------------------------------------------


def test_package_data_is_declared_and_folders_exist():
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = meta["tool"]["setuptools"]["package-data"]["snnlib"]
    assert "_data/*" in data and "js/*" in data
    for sub in ("_data", "js"):
        assert any((ROOT / "snnlib" / sub).iterdir()), f"snnlib/{sub} is empty: the glob would match nothing"


def test_requirements_pin_torch_and_jupyter_book_1():
    req = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^torch==2\.14\.1$", req, re.M)
    assert re.search(r"^torchvision==0\.29\.1$", req, re.M)
    assert re.search(r"^jupyter-book>=1\.0\.4,<2$", req, re.M)
    assert re.search(r"^-e \.$", req, re.M)


def test_pip_builds_a_wheel_with_the_library(tmp_path):
    """``pip wheel`` of a copy of the project: the wheel has snnlib, its version and its data folders."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "snnlib", src / "snnlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            str(src),
            "-w",
            str(tmp_path / "dist"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list((tmp_path / "dist").glob("snnlib-*.whl"))
    assert len(wheels) == 1
    import snnlib

    assert wheels[0].name.startswith(f"snnlib-{snnlib.__version__}-")
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "snnlib/__init__.py" in names and "snnlib/neurons/__init__.py" in names
    for sub in ("_data", "js"):
        expected = {f"snnlib/{sub}/{p.name}" for p in (ROOT / "snnlib" / sub).iterdir() if p.is_file()}
        assert expected <= set(names), f"the wheel lacks {expected - set(names)}"
    assert not any(n.startswith(("tests/", "notebooks/", "book/")) for n in names)


# ---------------------------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["scripts/build_book.sh", "scripts/test.sh", ".ci/run"])
def test_scripts_are_strict_bash(script):
    text = (ROOT / script).read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(ROOT / script)], check=True)


def test_ci_runs_the_readme_test_command_and_propagates_failure():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci
    assert "|| true" not in ci and "|| :" not in ci
    test_sh = (ROOT / "scripts" / "test.sh").read_text()
    last = [ln for ln in test_sh.splitlines() if ln.strip() and not ln.startswith("#")][-1]
    assert "pytest" in last and "||" not in last, "pytest must be the last command so its exit code is the script's"


def test_references_bib_parses_and_has_the_core_sources():
    from pybtex.database import parse_file

    db = parse_file(str(ROOT / "references.bib"))
    for key in (
        "nunes2022survey",
        "eshraghian2023training",
        "zenke2018superspike",
        "neftci2019surrogate",
        "fang2021incorporating",
        "diehl2015unsupervised",
        "xu2025feelsnn",
        "gerstner2014neuronal",
    ):
        assert key in db.entries, f"references.bib lacks {key}"
