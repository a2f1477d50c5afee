"""Colab as a student meets it: the set-up cell, the "Open in Colab" badges, and a simulated Colab.

Fast tests (no execution): every notebook carries the badge and the canonical set-up cell, both
derived from ``_config.yml``; the set-up cell's install logic (install once, say so, time it, stop
with a restart message when pip replaced a package the runtime had loaded) runs against a fake pip;
every module a notebook (or snnlib) imports is in Colab or in what the set-up cell installs.

The simulation (``-m slow``): a fresh virtual environment under ``_build/.colab-sim/`` holding only
what Colab preinstalls (:data:`COLAB_PACKAGES`: torch, torchvision, NumPy, matplotlib, ipywidgets
7.7.1, the kernel), and a stub ``google.colab`` imported when the kernel starts, as Colab's is. The
set-up cell's ``pip install "snnlib[colab] @ git+URL"`` is pointed at a wheel of this checkout; then
every notebook runs top to bottom in quick mode in that kernel, as "Run all" does, and must raise
nothing. The first notebook installs snnlib and snnTorch; the others find them installed (one
runtime). The explorers run live there, on ipywidgets 7.

torch and torchvision (several GB with their CUDA libraries) are not unpacked again: when this
interpreter has the pinned versions, the venv links them, and every distribution they require, from
this interpreter's site-packages (``pip`` in the venv sees them installed, as in Colab); otherwise
pip installs them. The venv is kept between runs (a stamp file names what it holds);
``python tests/test_colab.py`` builds it and runs the notebooks outside pytest, printing the times.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import notebook_tools

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    tomllib = None

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Hidden: the book build's scan of its source folder (glob "**", which follows links) skips it.
SIM_DIR = ROOT / "_build" / ".colab-sim"

#: What the simulated Colab runtime has before the set-up cell runs (pip requirement strings).
#: Colab preinstalls far more; these are what the book could rely on without installing it.
COLAB_PACKAGES = ("torch==2.14.1", "torchvision==0.29.1", "numpy", "matplotlib", "ipywidgets==7.7.1", "ipykernel")
#: Top-level modules Colab provides (its preinstalled packages and what they bring).
COLAB_MODULES = {"torch", "triton", "torchvision", "numpy", "matplotlib", "ipywidgets", "IPython", "ipykernel", "PIL", "google"}
#: The stub of Colab's own module: enough for what snnlib and the notebooks call.
GOOGLE_COLAB_STUB = {
    "google/colab/__init__.py": '"""Stub of Colab\'s google.colab (tests/test_colab.py)."""\nfrom . import output  # noqa: F401\n',
    "google/colab/output.py": (
        '"""Stub of google.colab.output."""\n\nCALLS = []\n\n\n'
        "def enable_custom_widget_manager():\n"
        '    CALLS.append("enable_custom_widget_manager")\n'
    ),
}


def source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def pyproject() -> dict:
    if tomllib is None:  # pragma: no cover
        pytest.skip("tomllib needs Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


# ---------------------------------------------------------------------------------------------
# The badge and the set-up cell come from _config.yml
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_its_colab_badge(path):
    nb = json.loads(path.read_text())
    badges = [i for i, c in enumerate(nb["cells"]) if notebook_tools.is_badge_cell(c)]
    assert badges == [1], f"{path.name}: one badge cell, right after the title (run scripts/notebook_tools.py sync)"
    cell = nb["cells"][1]
    url = notebook_tools.colab_url(path.name, ROOT)
    assert url == (
        "https://colab.research.google.com/github/"
        + notebook_tools.repository_url(ROOT).split("github.com/")[1]
        + f"/blob/{notebook_tools.repository_branch(ROOT)}/notebooks/{path.name}"
    )
    assert f"]({url})" in source(cell), f"{path.name}: the badge does not open this notebook"
    assert "remove-cell" in cell["metadata"]["tags"], "the book shows launch buttons instead: the badge stays out"


def test_badge_and_setup_cell_follow_the_repository_url(tmp_path):
    """Change the one URL in _config.yml: the badge, the set-up cell's install and the launch buttons follow."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "snnlib").mkdir()
    shutil.copy(ROOT / "snnlib" / "_version.py", tmp_path / "snnlib" / "_version.py")
    text = (tmp_path / "_config.yml").read_text()
    url = notebook_tools.repository_url(ROOT)
    (tmp_path / "_config.yml").write_text(text.replace(url, "https://github.com/someone/fork"))
    assert "git+https://github.com/someone/fork@" in notebook_tools.setup_cell_source(tmp_path)
    assert "/github/someone/fork/blob/" in notebook_tools.badge_cell_source("x.ipynb", tmp_path)
    nb = notebook_tools.normalise(notebook_tools.new_notebook([notebook_tools._markdown_cell("# T")]), tmp_path, "x.ipynb")
    assert [notebook_tools.is_badge_cell(c) for c in nb["cells"]] == [False, True, False]


def test_setup_cell_installs_the_colab_extra_which_brings_snntorch():
    extras = pyproject()["project"]["optional-dependencies"]
    assert notebook_tools.INSTALL_EXTRA in extras
    assert any(re.match(r"snntorch\b", r) for r in extras[notebook_tools.INSTALL_EXTRA])
    cell = notebook_tools.setup_cell_source(ROOT)
    assert f'"{notebook_tools.install_requirement(ROOT)}"' in cell
    assert notebook_tools.install_requirement(ROOT).startswith(f"snnlib[{notebook_tools.INSTALL_EXTRA}] @ git+")
    assert f'"{notebook_tools.snnlib_version(ROOT)}"' in cell
    import snnlib

    assert notebook_tools.snnlib_version(ROOT) == snnlib.__version__
    assert max(len(line) for line in cell.split("\n")) <= 80


def test_snnlib_accepts_colabs_ipywidgets_7():
    """No upgrade of Colab's preinstalled ipywidgets 7 (it would need a runtime restart)."""
    from packaging.requirements import Requirement

    deps = {Requirement(r).name: Requirement(r) for r in pyproject()["project"]["dependencies"]}
    assert deps["ipywidgets"].specifier.contains("7.7.1"), deps["ipywidgets"]


class _Dist:
    def __init__(self, name, version):
        self.metadata = {"Name": name}
        self.version = version


def _run_setup_cell(monkeypatch, installed: dict, after: dict, loaded=()):
    """Execute the set-up cell's Colab branch with a fake pip; returns (printed text, pip calls, error)."""
    import builtins
    import io
    import types

    state = {"dists": dict(installed)}
    calls = []

    def fake_run(cmd, check=False, **kwargs):
        calls.append(cmd)
        state["dists"] = dict(after)
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(md, "distributions", lambda: [_Dist(n, v) for n, v in state["dists"].items()])
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    for name in loaded:
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    cell = notebook_tools.setup_cell_source(ROOT)
    colab_part = cell.split("\nimport snnlib as snl")[0]  # the rest is the same everywhere
    out = io.StringIO()
    monkeypatch.setattr(builtins, "print", lambda *a, **k: out.write(" ".join(map(str, a)) + "\n"))
    try:
        exec(compile(colab_part, "setup-cell", "exec"), {"__name__": "__main__"})
        err = None
    except RuntimeError as e:
        err = e
    monkeypatch.undo()
    return out.getvalue(), calls, err


def test_setup_cell_installs_once_and_says_so(monkeypatch):
    version = notebook_tools.snnlib_version(ROOT)
    text, calls, err = _run_setup_cell(monkeypatch, {"torch": "2.9"}, {"torch": "2.9", "snnlib": version, "snntorch": "0.9"})
    assert err is None and len(calls) == 1
    assert calls[0][-1] == notebook_tools.install_requirement(ROOT) and calls[0][1:4] == ["-m", "pip", "install"]
    assert "Installing snnlib and snnTorch" in text and re.search(r"done in \d+ s", text), text
    # The same runtime again: nothing to install.
    text, calls, err = _run_setup_cell(monkeypatch, {"snnlib": version, "snntorch": "0.9"}, {})
    assert err is None and calls == [] and "installed in this runtime already" in text, text
    # An older snnlib in the runtime: installed again.
    _, calls, _ = _run_setup_cell(monkeypatch, {"snnlib": "0.0.1", "snntorch": "0.9"}, {"snnlib": version, "snntorch": "0.9"})
    assert len(calls) == 1


def test_setup_cell_asks_for_a_restart_when_pip_replaced_a_loaded_package(monkeypatch):
    version = notebook_tools.snnlib_version(ROOT)
    after = {"snnlib": version, "snntorch": "0.9", "fakewidgets": "8.0", "notloaded": "2"}
    _, _, err = _run_setup_cell(monkeypatch, {"fakewidgets": "7.7.1", "notloaded": "1"}, after, loaded=["fakewidgets"])
    assert err is not None and "Restart session" in str(err) and "fakewidgets" in str(err) and "notloaded" not in str(err)


# ---------------------------------------------------------------------------------------------
# Every import is satisfied in Colab
# ---------------------------------------------------------------------------------------------


def _imported_modules(code: str, skip_guarded: bool) -> set:
    """Top-level names of the modules ``code`` imports (absolute imports; with ``skip_guarded``, not
    those inside a ``try`` that handles ImportError)."""
    tree = ast.parse(code)
    guarded = set()
    if skip_guarded:
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                h.type is not None and any(n in ast.dump(h.type) for n in ("ImportError", "ModuleNotFoundError", "Exception"))
                for h in node.handlers
            ):
                guarded |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    names = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _provided_by_snnlib_colab() -> set:
    """Top-level modules of snnlib's dependencies and of its colab extra (as installed here)."""
    from packaging.requirements import Requirement

    meta = pyproject()["project"]
    reqs = [Requirement(r).name for r in meta["dependencies"] + meta["optional-dependencies"][notebook_tools.INSTALL_EXTRA]]
    top = {"snnlib"}
    for name in reqs:
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            top.add(name.replace("-", "_"))
            continue
        top |= set((dist.read_text("top_level.txt") or "").split())
        for f in dist.files or []:
            first = f.parts[0]
            if first in ("..", "__pycache__") or first.endswith((".dist-info", ".egg-info", ".pth", ".libs", ".data")):
                continue
            top.add(first[:-3] if first.endswith(".py") else first)
    return top


def test_every_import_is_in_colab_or_installed_by_the_setup_cell():
    allowed = set(sys.stdlib_module_names) | COLAB_MODULES | _provided_by_snnlib_colab()
    problems = []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        code = "\n".join(
            "\n".join(ln for ln in source(c).split("\n") if not ln.lstrip().startswith(("%", "!")))
            for c in nb["cells"]
            if c["cell_type"] == "code"
        )
        problems += [f"{path.name}: import {m}" for m in sorted(_imported_modules(code, False) - allowed)]
    for path in sorted((ROOT / "snnlib").rglob("*.py")):
        problems += [f"{path.relative_to(ROOT)}: import {m}" for m in sorted(_imported_modules(path.read_text(), True) - allowed)]
    assert not problems, "not in Colab and not installed by the set-up cell (add it to the colab extra):\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The simulated Colab
# ---------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_closure(names) -> dict:
    """Every distribution installed here that ``names`` need (extras included): key -> Distribution."""
    from packaging.requirements import Requirement

    seen, todo = {}, [(n, ()) for n in names]
    while todo:
        name, extras = todo.pop()
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        key = _key(name)
        new_extras = set(extras) - seen.get(key, (None, set()))[1]
        if key in seen and not new_extras:
            continue
        seen[key] = (dist, seen.get(key, (None, set()))[1] | set(extras))
        for r in dist.requires or []:
            req = Requirement(r)
            envs = [{"extra": e} for e in ("", *extras)]
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                todo.append((req.name, tuple(req.extras)))
    return {k: d for k, (d, _) in seen.items()}


def _link_preinstalled(site: Path, pins) -> bool:
    """Link the pinned distributions (and all they require) from this interpreter into ``site``.

    Returns False (nothing linked) when this interpreter lacks one of the pinned versions."""
    from packaging.requirements import Requirement

    reqs = [Requirement(p) for p in pins]
    for r in reqs:
        try:
            if not r.specifier.contains(md.version(r.name).split("+")[0]):
                return False
        except md.PackageNotFoundError:
            return False
    for key, dist in _requirement_closure([r.name for r in reqs]).items():
        if key in ("pip", "setuptools", "wheel"):
            continue  # the venv has its own
        base = Path(dist.locate_file(""))
        for top in sorted({f.parts[0] for f in dist.files or [] if f.parts[0] not in ("..", "__pycache__")}):
            target, link = base / top, site / top
            if target.exists() and not (link.exists() or link.is_symlink()):
                link.symlink_to(target)
    return True


def _pip(python: Path, *args, timeout=1800):
    proc = subprocess.run([str(python), "-m", "pip", *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def colab_runtime(sim: Path = SIM_DIR) -> dict:
    """Build (or reuse) the simulated Colab runtime under ``sim``; returns its paths.

    ``venv``: the virtual environment with only :data:`COLAB_PACKAGES`; ``kernels``: a folder
    holding its kernelspec ``colab-sim``; ``ipython``: the IPYTHONDIR whose start-up file imports
    the stub ``google.colab``; ``seconds``: how long the build took (0 when reused)."""
    venv, stamp = sim / "venv", sim / "venv.stamp"
    python = venv / "bin" / "python"
    spec = json.dumps({"packages": COLAB_PACKAGES, "python": sys.version, "stub": GOOGLE_COLAB_STUB}, sort_keys=True)
    start = time.time()
    built = False
    if not (stamp.exists() and stamp.read_text() == spec and python.exists()):
        shutil.rmtree(venv, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=600)
        site = Path(
            subprocess.run(
                [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        _link_preinstalled(site, [p for p in COLAB_PACKAGES if p.startswith(("torch==", "torchvision=="))])
        _pip(python, "install", "-q", *COLAB_PACKAGES)
        for rel, text in GOOGLE_COLAB_STUB.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text(text)
        stamp.write_text(spec)
        built = True
    # Each run starts as a fresh Colab runtime: no snnlib, no snnTorch.
    _pip(python, "uninstall", "-q", "-y", "snnlib", "snntorch")
    kernels = sim / "kernels" / "colab-sim"
    kernels.mkdir(parents=True, exist_ok=True)
    ipython = sim / "ipython"
    startup = ipython / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-google-colab.py").write_text("import google.colab  # as in Colab, loaded when the kernel starts\n")
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (simulated Colab)",
                "language": "python",
            }
        )
    )
    return {
        "venv": venv,
        "python": python,
        "kernels": sim / "kernels",
        "ipython": ipython,
        "seconds": time.time() - start,
        "built": built,
    }


def snnlib_wheel(sim: Path = SIM_DIR) -> Path:
    """A wheel of this checkout (what ``pip install git+URL`` builds from the repository)."""
    out = sim / "wheels"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    build = sim / "wheel-build"
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(ROOT, build, ignore=shutil.ignore_patterns("_build", "build", ".git", "*.egg-info", "__pycache__", ".venv"))
    _pip(Path(sys.executable), "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(build))
    shutil.rmtree(build, ignore_errors=True)
    (wheel,) = out.glob("snnlib-*.whl")
    return wheel


def pointed_at(nb: dict, wheel: Path) -> dict:
    """``nb`` with its set-up cell installing ``wheel`` instead of the repository."""
    for cell in nb["cells"]:
        if notebook_tools.is_setup_cell(cell):
            src = source(cell)
            target = notebook_tools.install_requirement(ROOT)
            assert target in src
            cell["source"] = src.replace(target, f"snnlib[{notebook_tools.INSTALL_EXTRA}] @ {wheel.as_uri()}")
            return nb
    raise AssertionError("no set-up cell")


def run_in_colab(paths, runtime: dict, wheel: Path, timeout: int = 900):
    """Run every notebook of ``paths`` top to bottom in the simulated runtime; returns [(name, nb, seconds)]."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SNNLIB_", "JPY_", "VIRTUAL_ENV", "MPL"))}
    env.update(
        SNNLIB_QUICK="1", IPYTHONDIR=str(runtime["ipython"]), PATH=f"{runtime['venv'] / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    )
    ksm = KernelSpecManager(kernel_dirs=[str(runtime["kernels"])])
    results = []
    for path in paths:
        nb = pointed_at(nbformat.read(str(path), as_version=4), wheel)
        km = KernelManager(kernel_name="colab-sim", kernel_spec_manager=ksm)
        client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
        start = time.time()
        client.execute(env=env, cwd=str(path.parent))
        results.append((path.name, nb, time.time() - start))
    return results


def _outputs_text(nb, cell_index) -> str:
    out = []
    for o in nb.cells[cell_index].get("outputs", []):
        out.append(o.get("text", "") if o.get("output_type") == "stream" else json.dumps(o.get("data", {}))[:2000])
    return "".join(out)


@pytest.mark.slow
def test_every_notebook_runs_in_a_simulated_colab():
    nbclient = pytest.importorskip("nbclient")
    start = time.time()
    try:
        runtime = colab_runtime()
        wheel = snnlib_wheel()
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        if "Could not find a version" in str(err) or "No matching distribution" in str(err):
            pytest.skip(f"Colab's packages cannot be installed here (offline?): {err}")
        raise
    setup_s = time.time() - start
    try:
        results = run_in_colab(NOTEBOOKS, runtime, wheel)
    except nbclient.exceptions.CellExecutionError as err:
        pytest.fail(f"a notebook fails in the simulated Colab:\n{str(err)[-4000:]}")
    timings = {name: round(s, 1) for name, _, s in results}
    report = {
        "setup_s": round(setup_s, 1),
        "venv_built": runtime["built"],
        "notebooks_s": timings,
        "total_s": round(time.time() - start, 1),
    }
    (SIM_DIR / "timings.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"simulated Colab: {report}")
    for i, (name, nb, _) in enumerate(results):
        setup = next(j for j, c in enumerate(nb.cells) if notebook_tools.is_setup_cell(c))
        text = _outputs_text(nb, setup)
        if i == 0:
            assert "Installing snnlib and snnTorch" in text and re.search(r"done in \d+ s", text), f"{name}: {text}"
        else:
            assert "installed in this runtime already" in text, f"{name}: installed again in the same runtime: {text}"
        assert "| Colab |" in text, f"{name}: snl.setup did not see Colab: {text}"
        views = [
            o for c in nb.cells for o in c.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]
        if any("_explorer()" in source(c) for c in nb.cells if c.cell_type == "code"):
            assert views, f"{name}: the explorer is not live in Colab"
            state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
            models = {m["model_name"] for m in state.values()}
            assert {"ImageModel", "ButtonModel"} <= models, f"{name}: the live explorer lacks its picture or Reset: {models}"
            texts = [str(m["state"].get("value", "")) for m in state.values() if m["model_name"] == "HTMLModel"]
            assert not [t for t in texts if "Error:" in t], f"{name}: the live explorer shows an error: {texts}"
            assert any("=" in t or "spikes" in t for t in texts), f"{name}: the live explorer shows no read-out"
    versions = _pip(runtime["python"], "list", "--format=json").stdout
    installed = {d["name"].lower(): d["version"] for d in json.loads(versions)}
    assert installed["ipywidgets"] == "7.7.1", "the set-up cell upgraded Colab's ipywidgets (a restart would be needed)"
    assert "snntorch" in installed


if __name__ == "__main__":  # build the runtime and run every notebook (or those named), printing the times
    t0 = time.time()
    rt = colab_runtime()
    whl = snnlib_wheel()
    print(f"runtime ready in {time.time() - t0:.0f} s (built: {rt['built']}); wheel {whl.name}")
    chosen = [p for p in NOTEBOOKS if not sys.argv[1:] or p.stem in sys.argv[1:] or p.name in sys.argv[1:]]
    for nb_name, _, seconds in run_in_colab(chosen, rt, whl):
        print(f"{nb_name}: {seconds:.0f} s")
    print(f"total {time.time() - t0:.0f} s")
