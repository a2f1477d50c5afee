"""The SNN book's own Sphinx extension (``_config.yml``: ``sphinx.local_extensions``).

1. **Launch buttons open notebooks.** sphinx-book-theme gives every page that executes code a
   Colab/Binder button pointing at the page's own source. An explanation page ``book/<name>.md``
   has no set-up cell, and Colab cannot open Markdown: its buttons open the chapter's notebook,
   ``notebooks/NN_<name>.ipynb``, instead; a page without such a notebook gets no launch buttons.
2. **No Thebe.** The book does not use Thebe (``launch_buttons.thebe`` is off), but sphinx-thebe,
   which Jupyter Book always loads, puts its configuration script on every page twice (the console
   error "redeclaration of const THEBE_JS_URL") with the address of a CDN: both copies, its script
   and its style sheet are removed.
3. **Code fits the column.** ``static/snnbook.css`` sets code and outputs in 13 px monospace, so that
   a line of 80 characters (the book's limit) fits the text column at the default width.
4. **Quick and full builds never share executed outputs.** jupyter-cache keys a notebook on its
   code, not on ``SNNLIB_QUICK``; the execution cache therefore lives in one folder per mode
   (``_build/.jupyter_cache/quick`` or ``.../full``, unless ``execute.cache`` names one), and the
   config value ``snnbook_workload`` (compared by Sphinx between builds) makes a build in the other
   mode read and execute every page again instead of keeping the other mode's pages.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

__all__ = ["setup", "workload", "chapter_notebook"]

LAUNCH_GROUP = "launch-buttons"
THEBE_MARKERS = ("THEBE_JS_URL", "sphinx-thebe", "x-thebe-config", "kernelName = ")


def workload() -> str:
    """``"quick"`` or ``"full"``: the mode the notebooks run in (``snnlib.quick_mode()``)."""
    import snnlib

    return "quick" if snnlib.quick_mode() else "full"


def _config_inited(app, config) -> None:
    mode = workload()
    config.snnbook_workload = mode
    if not config.nb_execution_cache_path:
        config.nb_execution_cache_path = str(Path(app.outdir).parent / ".jupyter_cache" / mode)


def chapter_notebook(srcdir: Path, pagename: str):
    """``notebooks/NN_<name>.ipynb`` for the page ``book/<name>`` (relative to ``srcdir``), or None."""
    stem = Path(pagename).name
    matches = sorted(Path(srcdir, "notebooks").glob(f"[0-9][0-9]_{stem}.ipynb"))
    return matches[0].relative_to(srcdir).as_posix() if matches else None


def _launch_buttons(app, pagename, templatename, context, doctree) -> None:
    buttons = context.get("header_buttons")
    source = app.env.doc2path(pagename, base=False) if pagename in app.env.all_docs else None
    if not buttons or source is None or str(source).endswith(".ipynb"):
        return
    groups = [b for b in buttons if isinstance(b, dict) and b.get("label") == LAUNCH_GROUP]
    if not groups:
        return
    notebook = chapter_notebook(Path(app.srcdir), pagename)
    for group in groups:
        if notebook is None:
            buttons.remove(group)
            continue
        own = Path(source).as_posix()
        for button in group["buttons"]:
            button["url"] = button["url"].replace(own, notebook)
            button["tooltip"] = f"{button.get('tooltip', 'Launch')}: the chapter's notebook"
        group["tooltip"] = "Run the chapter's notebook"


def _drop_thebe_assets(app, pagename, templatename, context, doctree) -> None:
    def thebe(asset) -> bool:
        text = " ".join(str(x) for x in (asset, getattr(asset, "filename", ""), getattr(asset, "attributes", {}).get("body", "")))
        return any(m in text for m in THEBE_MARKERS)

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not thebe(a)]


def _drop_thebe_config(app, doctree, docname) -> None:
    for node in list(doctree.findall(nodes.raw)):
        if any(m in node.astext() for m in THEBE_MARKERS):
            node.parent.remove(node)


STATIC = Path(__file__).resolve().parent / "static"


def _add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.add_config_value("snnbook_workload", "full", "env", [str])
    app.connect("builder-inited", _add_static)
    app.add_css_file("snnbook.css")
    # After sphinx-book-theme's handlers (priority 501) and sphinx-thebe's (500).
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("html-page-context", _launch_buttons, priority=600)
    app.connect("html-page-context", _drop_thebe_assets, priority=600)
    app.connect("doctree-resolved", _drop_thebe_config, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
