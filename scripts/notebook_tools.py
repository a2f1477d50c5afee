"""Tools for the book's notebooks: the canonical set-up cell, output stripping, authoring.

    python scripts/notebook_tools.py sync             # every notebook: set-up cell refreshed, outputs stripped,
                                                      # its jupytext twin NAME.py rewritten
    python scripts/notebook_tools.py from-py SRC.py notebooks/NAME.ipynb
                                                      # percent-format script -> notebook (+ set-up cell)
    python scripts/notebook_tools.py check            # exit 1 if a notebook breaks a convention

The set-up cell is generated from ``_config.yml``'s ``repository.url``, the one place the
repository's address lives. A percent-format script separates cells with ``# %%`` (code) and
``# %% [markdown]`` (markdown, each line starting with ``# ``); it does not contain the set-up
cell, which is inserted as the first code cell.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from snnlib._io import atomic_write_text

SETUP_MARKER = "# Set-up cell"


def repository_url(root: Path = ROOT) -> str:
    """The repository's URL from ``_config.yml`` (``repository.url``)."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


def setup_cell_source(root: Path = ROOT) -> str:
    """The first code cell of every notebook."""
    url = repository_url(root)
    return (
        f"{SETUP_MARKER}: in Colab (and only there) install snnlib from the book's repository;\n"
        "# everywhere: import it, seed every generator, and print the versions and the device.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "git+{url}"], check=True)\n'
        "\n"
        "import snnlib as snl\n"
        "\n"
        "device = snl.setup(seed=0)"
    )


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


def normalise(nb: dict, root: Path = ROOT) -> dict:
    """Strip outputs and execution counts; make the first code cell the canonical set-up cell."""
    cells = [c for c in nb["cells"] if not is_setup_cell(c)]
    for c in cells:
        if isinstance(c.get("source"), list):
            c["source"] = "".join(c["source"])
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
        c.get("metadata", {}).pop("execution", None)
        c.pop("id", None)
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, _code_cell(setup_cell_source(root)))
    nb["cells"] = cells
    nb["nbformat"], nb["nbformat_minor"] = 4, 4
    nb.setdefault("metadata", {}).pop("widgets", None)
    return nb


def save(nb: dict, path: Path) -> None:
    """Write the notebook ``nb`` to ``path`` and its jupytext twin ``NAME.py`` beside it, atomically."""
    import jupytext

    atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    twin = jupytext.writes(jupytext.reads(json.dumps(nb), fmt="ipynb"), fmt="py:percent")
    atomic_write_text(path.with_suffix(".py"), twin)


def notebooks(root: Path = ROOT) -> list:
    return sorted((root / "notebooks").glob("*.ipynb"))


def main(argv: list) -> int:
    if not argv or argv[0] not in ("sync", "from-py", "check"):
        print(__doc__)
        return 2
    if argv[0] == "from-py":
        src, out = Path(argv[1]), Path(argv[2])
        save(normalise(new_notebook(cells_from_percent(src.read_text()))), out)
        print(f"wrote {out}")
        return 0
    bad = 0
    for path in notebooks():
        nb = json.loads(path.read_text())
        fixed = normalise(json.loads(json.dumps(nb)))
        if argv[0] == "sync":
            save(fixed, path)
        elif fixed != nb:
            print(f"{path.relative_to(ROOT)}: not normalised (run: python scripts/notebook_tools.py sync)")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
