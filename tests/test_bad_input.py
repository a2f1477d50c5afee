"""The bad-input grid (issue 18): every public entry point, one bad argument at a time.

Every callable in the ``__all__`` of every public snnlib module (:func:`grid_harness.entry_points`;
a new one joins the grid as soon as it is exported) is called with a valid example
(``tests/grid_valid.py``) in which one argument is replaced by each bad value that applies to it
(NaN, inf, wrong types, shapes and dtypes, out-of-range numbers, empty tensors, zero or negative
counts, spikes that are not 0/1: :func:`grid_harness.bad_values`). A case is

* **clear** when the call raises a ``TypeError`` or ``ValueError`` whose message names the argument,
* **unclear** when it raises anything else, or an error that does not name the argument,
* **silent** when it is accepted.

The grid fails on a single silent acceptance, on less than 95% clear cases, on fewer than 3,000
cases, on an entry point whose required arguments have no valid example, and on a valid example
that does not run. ``python tests/test_bad_input.py`` prints the counts and every case that is not
clear.
"""

from __future__ import annotations

import collections
import inspect
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List, NamedTuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grid_harness as H
from grid_valid import METHODS, VALID

MIN_CASES = 3000
MIN_CLEAR = 0.95


class Case(NamedTuple):
    entry: str
    argument: str
    label: str
    verdict: str
    detail: str


def _targets() -> Dict[str, Any]:
    found, _ = H.entry_points()
    targets = {name: (fn, VALID.get(name, H.Entry())) for name, fn in found.items()}
    targets.update(METHODS)
    return targets


TARGETS = _targets()


def _invoke(fn, sig: inspect.Signature, kwargs: Dict[str, Any], entry: H.Entry):
    if entry.call is not None:
        return entry.call(fn, kwargs)
    positional = [kwargs.pop(p.name) for p in sig.parameters.values() if p.kind is p.POSITIONAL_ONLY and p.name in kwargs]
    return fn(*positional, **kwargs)


def _parameters(sig: inspect.Signature) -> List[inspect.Parameter]:
    return [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"]


def missing_examples(name: str) -> List[str]:
    fn, entry = TARGETS[name]
    given = entry.valid()
    return [p.name for p in _parameters(H.signature(fn)) if p.default is p.empty and p.name not in given]


def run_entry(name: str) -> List[Case]:
    """Every case of one entry point (its valid example is run first)."""
    import matplotlib.pyplot as plt

    fn, entry = TARGETS[name]
    sig, hints = H.signature(fn), H.type_hints(fn)
    cases = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if entry.check_valid:
                verdict, detail = H.judge(lambda: _invoke(fn, sig, entry.valid(), entry), "-")
                if verdict != "silent":
                    return [Case(name, "-", "the valid example", "invalid", detail)]
            base = entry.valid()
            for param in _parameters(sig):
                value = base.get(param.name, param.default)
                if value is param.empty:
                    continue
                for label, bad in H.bad_values(param, value, hints, entry, name):

                    def call(param=param, bad=bad):
                        kwargs = entry.valid()
                        kwargs[param.name] = bad
                        return _invoke(fn, sig, kwargs, entry)

                    propagate = param.name in entry.propagate and label in ("nan", "inf", "-inf")
                    verdict, detail = H.judge(call, param.name, entry.names.get(param.name, ()), propagate)
                    cases.append(Case(name, param.name, label, verdict, detail))
        finally:
            plt.close("all")
    return cases


@pytest.fixture(scope="module")
def grid() -> List[Case]:
    return [case for name in sorted(TARGETS) if not missing_examples(name) for case in run_entry(name)]


def test_every_entry_point_has_a_valid_example():
    missing = {name: args for name in sorted(TARGETS) if (args := missing_examples(name))}
    assert not missing, (
        "entry points whose required arguments have no valid example in tests/grid_valid.py "
        f"(add an Entry(valid=lambda: dict(...))): {missing}"
    )


def test_every_valid_example_runs(grid):
    bad = [f"{c.entry}: {c.detail}" for c in grid if c.verdict == "invalid"]
    assert not bad, "valid examples that do not run:\n" + "\n".join(bad)


def test_no_bad_input_is_accepted_silently(grid):
    silent = [f"{c.entry}({c.argument}=<{c.label}>)" for c in grid if c.verdict == "silent"]
    assert not silent, f"{len(silent)} bad inputs accepted silently:\n" + "\n".join(silent)


def test_the_grid_is_large_and_its_errors_clear(grid):
    counts = collections.Counter(c.verdict for c in grid if c.verdict != "invalid")
    total = sum(counts.values())
    print(f"\nbad-input grid: {total} cases over {len({c.entry for c in grid})} entry points: {dict(counts)}")
    assert total >= MIN_CASES, f"only {total} cases"
    unclear = [f"{c.entry}({c.argument}=<{c.label}>): {c.detail}" for c in grid if c.verdict == "unclear"]
    share = counts["clear"] / total
    assert share >= MIN_CLEAR, f"{share:.1%} clear (< {MIN_CLEAR:.0%}); unclear cases:\n" + "\n".join(unclear)


if __name__ == "__main__":  # the counts and every case that is not clear
    all_cases = [case for name in sorted(TARGETS) if not missing_examples(name) for case in run_entry(name)]
    for case in all_cases:
        if case.verdict != "clear":
            print(f"{case.verdict:8s} {case.entry}({case.argument}=<{case.label}>): {case.detail}")
    print(collections.Counter(c.verdict for c in all_cases))
