"""The layers of snnlib, declared once (read by ``tests/test_architecture.py`` and CONTRIBUTING.md).

A module may import modules of its own layer or of a layer below, never one above; and no two
modules may import each other, directly or through others (the test reads every ``import``
statement, those inside functions included, and fails on an upward import or a cycle).

Each entry is a *component*: a top-level module (``snnlib/data.py``) or a package
(``snnlib/encoding/``) with everything inside it. A new module is added to the layer it belongs
to here, or the architecture test fails.
"""

from __future__ import annotations

from typing import Dict, Tuple

#: Layer number -> (name, components), from the bottom up.
LAYERS: Dict[int, Tuple[str, Tuple[str, ...]]] = {
    0: ("foundation", ("__init__", "_version", "_checks", "_env", "_io", "_core", "_layers", "claims")),
    1: ("primitives", ("surrogate", "neurons", "synapses", "spikes", "encoding", "data")),
    2: ("engines", ("engine",)),
    3: ("experiments", ("models", "train", "circuits", "learning", "coding_study", "conversion", "plasticity")),
    4: ("presentation", ("plot", "widgets", "exercises")),
}


def layer_of(component: str) -> int:
    """The layer number of a component (``"encoding"``, ``"_checks"`` ...); KeyError if undeclared."""
    for number, (_, components) in LAYERS.items():
        if component in components:
            return number
    raise KeyError(f"snnlib component {component!r} is not declared in snnlib._layers.LAYERS")
