"""The layers of snnlib hold: no upward import, no import cycle, modules of one idea each."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from snnlib._layers import LAYERS, layer_of

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "snnlib"
MAX_LINES = 600


def _modules() -> Dict[str, Path]:
    """Dotted module name (``snnlib.encoding.rate``) -> file, for every .py file of the package."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, name: str) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(module: str, path: Path, known: Set[str]) -> List[Tuple[str, int]]:
    """Every snnlib module that ``module`` imports (anywhere in the file), with its line number."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    # Imports under `if TYPE_CHECKING:` never run (they are for editors and type checkers only).
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "snnlib" or alias.name.startswith("snnlib."):
                    found.append((alias.name, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = _resolve(module, is_package, node.level, node.module or "")
            elif node.module and (node.module == "snnlib" or node.module.startswith("snnlib.")):
                target = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, node.lineno))
    # only real modules: 'snnlib.x.y' where y is a function resolves to 'snnlib.x'
    out = []
    for name, line in found:
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in known and name != module:
            out.append((name, line))
    return out


def _component(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


MODULES = _modules()
GRAPH = {m: _imports(m, p, set(MODULES)) for m, p in MODULES.items()}


def test_every_component_is_declared_in_a_layer():
    undeclared = []
    for module in MODULES:
        try:
            layer_of(_component(module))
        except KeyError:
            undeclared.append(module)
    assert not undeclared, f"declare these in snnlib/_layers.py LAYERS: {undeclared}"


def test_no_module_imports_a_higher_layer():
    bad = []
    for module, imports in GRAPH.items():
        mine = layer_of(_component(module))
        for target, line in imports:
            theirs = layer_of(_component(target))
            if theirs > mine:
                bad.append(
                    f"{MODULES[module].relative_to(ROOT)}:{line} ({LAYERS[mine][0]}) imports {target} ({LAYERS[theirs][0]})"
                )
    assert not bad, "upward imports:\n" + "\n".join(bad)


def _find_cycle(graph: Dict[str, List[Tuple[str, int]]]):
    colour: Dict[str, int] = {}
    stack: List[str] = []

    def visit(node):
        colour[node] = 1
        stack.append(node)
        for nxt, _ in graph.get(node, ()):
            if colour.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in colour:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = 2
        return None

    for node in graph:
        if node not in colour:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle():
    # A package's __init__ re-exporting its own submodules is not a cycle when the submodules do
    # not import the package back; any other loop is.
    cycle = _find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert _find_cycle({"a": [("b", 1)], "b": [("c", 1)], "c": [("a", 1)]}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": [("b", 1)], "b": [], "c": [("a", 1)]}) is None


def test_the_import_reader_sees_imports_inside_functions(tmp_path):
    f = tmp_path / "mod.py"
    f.write_text(
        "if TYPE_CHECKING:\n    from . import widgets\ndef f():\n    from . import plot\n    from .encoding import rate\n"
    )
    known = {"snnlib", "snnlib.plot", "snnlib.widgets", "snnlib.encoding", "snnlib.encoding.rate", "snnlib.mod"}
    assert sorted(t for t, _ in _imports("snnlib.mod", f, known)) == ["snnlib.encoding.rate", "snnlib.plot"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_sized_to_one_idea(module):
    n = len(MODULES[module].read_text().splitlines())
    assert n <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)} has {n} lines (at most {MAX_LINES}): split it"
