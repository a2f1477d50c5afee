"""Tools for the book's notebooks: the canonical set-up cell, output stripping, authoring.

    python scripts/notebook_tools.py sync             # every notebook: set-up cell refreshed, outputs stripped,
                                                      # its jupytext twin NAME.md (MyST Markdown) rewritten
    python scripts/notebook_tools.py from-py SRC.py notebooks/NAME.ipynb
                                                      # percent-format script -> notebook (+ set-up cell)
    python scripts/notebook_tools.py check            # exit 1 if a notebook breaks a convention

Two cells of every notebook are generated here, from ``_config.yml``'s ``repository`` (the one
place the repository's address lives) and ``snnlib/_version.py``: the *set-up cell* (the first code
cell: in Colab it installs ``snnlib[colab]``, which brings snnTorch, once per runtime) and the
*badge cell* right after the title (an "Open in Colab" badge, tagged ``colab-badge`` and
``remove-cell``: the book shows launch buttons instead). A percent-format script separates cells with ``# %%`` (code) and
``# %% [markdown]`` (markdown, each line starting with ``# ``); it does not contain the set-up
cell, which is inserted as the first code cell.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from snnlib._io import atomic_write_text

SETUP_MARKER = "# Set-up cell"
#: The Colab badge cell: a markdown cell of this tag (kept out of the book, which has launch buttons).
BADGE_TAG = "colab-badge"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
#: What the set-up cell installs in Colab: snnlib with its ``colab`` extra (snnTorch), from the repository.
INSTALL_EXTRA = "colab"


def book_config(root: Path = ROOT) -> dict:
    """``_config.yml`` of the book at ``root``."""
    return yaml.safe_load((root / "_config.yml").read_text())


def repository_url(root: Path = ROOT) -> str:
    """The repository's URL from ``_config.yml`` (``repository.url``)."""
    return book_config(root)["repository"]["url"].rstrip("/")


def repository_branch(root: Path = ROOT) -> str:
    """The branch the book is published from (``repository.branch``, default ``main``)."""
    return str(book_config(root)["repository"].get("branch") or "main")


def snnlib_version(root: Path = ROOT) -> str:
    """``snnlib.__version__`` read from ``snnlib/_version.py`` (without importing snnlib)."""
    text = (root / "snnlib" / "_version.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def install_requirement(root: Path = ROOT) -> str:
    """The pip requirement the set-up cell installs in Colab: ``snnlib[colab] @ git+URL@BRANCH``."""
    return f"snnlib[{INSTALL_EXTRA}] @ git+{repository_url(root)}@{repository_branch(root)}"


def colab_url(name: str, root: Path = ROOT) -> str:
    """The address that opens ``notebooks/<name>`` (e.g. ``00_first_spikes.ipynb``) in Colab."""
    config = book_config(root)
    base = str(config.get("launch_buttons", {}).get("colab_url") or "https://colab.research.google.com").rstrip("/")
    repo = repository_url(root)
    if not repo.startswith("https://github.com/"):
        raise ValueError(f"Colab opens notebooks from GitHub only; repository.url is {repo}")
    path = repo[len("https://github.com/") :]
    return f"{base}/github/{path}/blob/{repository_branch(root)}/notebooks/{name}"


def setup_cell_source(root: Path = ROOT) -> str:
    """The first code cell of every notebook.

    In Colab (``google.colab`` imported) it installs :func:`install_requirement` with pip, unless this
    runtime already has this version of snnlib and snnTorch; it says what it does and how long it
    took, and stops with a clear message when pip replaced a package the runtime had already
    imported (a restart is needed then). Everywhere it imports snnlib and calls ``snl.setup``.
    """
    version = snnlib_version(root)
    return (
        f"{SETUP_MARKER}. In Colab (and only there) it installs snnlib and snnTorch from\n"
        "# the book's repository, once per runtime; everywhere it imports snnlib, seeds\n"
        "# every random generator and prints the versions and the device.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import importlib\n"
        "    import importlib.metadata as md\n"
        "    import subprocess\n"
        "    import time\n"
        "\n"
        "    def installed():\n"
        "        dists = md.distributions()\n"
        '        return {(d.metadata["Name"] or "").lower(): d.version for d in dists}\n'
        "\n"
        f'    SNNLIB = "{install_requirement(root)}"\n'
        "    before = installed()\n"
        f'    if before.get("snnlib") == "{version}" and "snntorch" in before:\n'
        f'        print("snnlib {version} and snnTorch are installed in this runtime already")\n'
        "    else:\n"
        '        print("Installing snnlib and snnTorch with pip ...", flush=True)\n'
        "        start = time.time()\n"
        '        pip = [sys.executable, "-m", "pip", "install", "-q", SNNLIB]\n'
        "        subprocess.run(pip, check=True)\n"
        "        importlib.invalidate_caches()\n"
        '        print(f"... done in {time.time() - start:.0f} s")\n'
        "        after = installed()\n"
        "        stale = [n for n, v in before.items()\n"
        '                 if after.get(n) != v and n.replace("-", "_") in sys.modules]\n'
        "        if stale:\n"
        "            raise RuntimeError(\n"
        '                f"pip replaced {stale}, which this runtime had imported "\n'
        '                "already: choose Runtime > Restart session, then run this "\n'
        '                "cell again."\n'
        "            )\n"
        "\n"
        "import snnlib as snl\n"
        "\n"
        "device = snl.setup(seed=0)"
    )


def badge_cell_source(name: str, root: Path = ROOT) -> str:
    """The markdown of the "Open in Colab" badge of ``notebooks/<name>``."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(name, root)})"


def is_badge_cell(cell: dict) -> bool:
    return cell["cell_type"] == "markdown" and BADGE_TAG in cell.get("metadata", {}).get("tags", [])


def _badge_name(cell: dict) -> Optional[str]:
    """The notebook file name an existing badge cell links to."""
    src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    m = re.search(r"/notebooks/([^/()\s]+\.ipynb)\)", src)
    return m.group(1) if m else None


def _code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def _markdown_cell(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def new_notebook(cells: list) -> dict:
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def cells_from_percent(text: str) -> list:
    """Split a percent-format script into notebook cells (markdown lines lose their ``# ``)."""
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in body.split("\n"))
            cells.append(_markdown_cell(body))
        elif body.strip():
            cells.append(_code_cell(body))

    for line in text.split("\n"):
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def is_setup_cell(cell: dict) -> bool:
    src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    return cell["cell_type"] == "code" and src.startswith(SETUP_MARKER)


def normalise(nb: dict, root: Path = ROOT, name: Optional[str] = None) -> dict:
    """Strip outputs and execution counts; make the first code cell the canonical set-up cell and the
    cell after the title the Colab badge of ``notebooks/<name>`` (``name`` None: the name the existing
    badge links to; no badge when there is none)."""
    badges = [c for c in nb["cells"] if is_badge_cell(c)]
    if name is None and badges:
        name = _badge_name(badges[0])
    cells = [c for c in nb["cells"] if not is_setup_cell(c) and not is_badge_cell(c)]
    for c in cells:
        if isinstance(c.get("source"), list):
            c["source"] = "".join(c["source"])
        c["source"] = c["source"].strip("\n")  # blank lines around a cell do not survive the text twin
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
        c.get("metadata", {}).pop("execution", None)
        c.pop("id", None)
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, _code_cell(setup_cell_source(root)))
    if name is not None:
        badge = _markdown_cell(badge_cell_source(name, root))
        badge["metadata"] = {"tags": [BADGE_TAG, "remove-cell"]}
        cells.insert(1 if cells and cells[0]["cell_type"] == "markdown" else 0, badge)
    nb["cells"] = cells
    nb["nbformat"], nb["nbformat_minor"] = 4, 4
    nb.setdefault("metadata", {}).pop("widgets", None)
    return nb


def save(nb: dict, path: Path) -> None:
    """Write the notebook ``nb`` to ``path`` and its jupytext twin ``NAME.md`` (MyST Markdown) beside it, atomically."""
    import jupytext

    atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    twin = jupytext.writes(jupytext.reads(json.dumps(nb), fmt="ipynb"), fmt="md:myst")
    atomic_write_text(path.with_suffix(".md"), twin)


def notebooks(root: Path = ROOT) -> list:
    return sorted((root / "notebooks").glob("*.ipynb"))


def main(argv: list) -> int:
    if not argv or argv[0] not in ("sync", "from-py", "check"):
        print(__doc__)
        return 2
    if argv[0] == "from-py":
        src, out = Path(argv[1]), Path(argv[2])
        save(normalise(new_notebook(cells_from_percent(src.read_text())), name=out.name), out)
        print(f"wrote {out}")
        return 0
    bad = 0
    for path in notebooks():
        nb = json.loads(path.read_text())
        fixed = normalise(json.loads(json.dumps(nb)), name=path.name)
        if argv[0] == "sync":
            save(fixed, path)
        elif fixed != nb:
            print(f"{path.relative_to(ROOT)}: not normalised (run: python scripts/notebook_tools.py sync)")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
