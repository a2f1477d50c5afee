"""The bad-input grid's machinery: enumerate every public entry point, derive its bad values, judge a call.

Read by ``tests/test_bad_input.py``; the valid example of every entry point is in
``tests/grid_valid.py``. Nothing here is collected by pytest.

* :func:`entry_points` walks every public module of snnlib (no ``_`` in its dotted name) and
  takes every callable of its ``__all__`` (each object once), so a new function or class is in the
  grid as soon as it is exported. Records (NamedTuples), exceptions and autograd ``Function``
  classes are not entry points; :data:`EXCLUDED` lists the few others and why.
* :func:`bad_values` derives, for one argument of a valid call, the values that must be refused:
  from the valid value's kind (bool, int, float, choice string, tensor, array, object), the
  argument's name (counts, probabilities, positive quantities, spike records) and the entry's
  overrides (``Entry.allow``, ``Entry.bad``, ``Entry.ranges``).
* :func:`judge` runs one call: ``"clear"`` (a ``TypeError``/``ValueError`` whose message names the
  argument), ``"unclear"`` (any other error, or one that does not name it) or ``"silent"``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import re
import typing
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

import snnlib

#: Not entry points of the grid, with the reason (a qualified name, or a module prefix ending in ".").
EXCLUDED: Dict[str, str] = {
    "snnlib.exercises.": "checkers and their helpers judge a student's answer and never raise on it "
    "(tests/test_exercise_banks.py drives them with right and wrong answers)",
    "snnlib.plasticity.checks.": "exercise checkers and reference solutions of the STDP chapter (never raise on an answer)",
    "snnlib.conversion.checks.": "exercise checkers and reference solutions of the conversion chapter",
    "snnlib.train.cli.config_from_args": "takes argparse's Namespace, which the command line's parser makes (tests/test_train.py)",
    "snnlib.train.compare.lockstep": "trains two implementations side by side (minutes); its arguments are in the grid "
    "through the functions it calls",
    "snnlib.train.compare.train_implementation": "a whole training run of one implementation (benchmarks/reference.py)",
    "snnlib.models.counting.energy_scenario": "assembles a record from layer_energy results (in the grid)",
    "snnlib.plot.mnist.plot_layer_energy": "draws energy_scenario records",
    "snnlib.train.cli.main": "a command line: argparse answers a bad option with exit status 2 (tests/test_train.py)",
    "snnlib.conversion.experiment.main": "a command line (argparse, exit status 2)",
    "snnlib.plasticity.training.run_experiment": "the chapter's whole experiment (minutes); its arguments "
    "are those of the functions it calls, which are in the grid",
    "snnlib.conversion.experiment.run_experiment": "the chapter's whole experiment (minutes); its parts are in the grid",
    "snnlib.encoding.registry.register": "mutates the scheme registry (tests/test_encoding.py)",
    "snnlib.encoding.registry.unregister": "mutates the scheme registry (tests/test_encoding.py)",
    "snnlib.encoding.registry.discover": "imports modules by package name (tests/test_encoding.py)",
    "snnlib.engine.build.load_library": "compiles and loads C code (tests/test_safety.py drives it with damaged caches)",
    "snnlib.engine.cpu.run": "backend hook, takes the checked Call of snnlib.engine.lif_multistep",
    "snnlib.engine.cpu.run_linear": "backend hook, takes the checked Call of lif_multistep_linear",
    "snnlib.engine.fused.run": "backend hook, takes the checked Call of lif_multistep",
    "snnlib.engine.fused_linear.run": "backend hook, takes the checked Call of lif_multistep_linear",
    "snnlib.engine.loop.run": "backend hook, takes the checked Call of lif_multistep",
    "snnlib.engine.loop.run_linear": "backend hook, takes the checked Call of lif_multistep_linear",
    "snnlib.engine.triton.run": "backend hook, takes the checked Call of lif_multistep",
    "snnlib.engine.triton.run_linear": "backend hook, takes the checked Call of lif_multistep_linear",
    "snnlib.models.counting.count_dispatched_ops": "runs any function under a dispatch counter; its arguments are the function's",
    "snnlib.widgets.frames.cached": "a decorator",
    # result records: what functions return (their fields were checked by the function that made them)
    "snnlib.circuits.experiments.MotifRun": "a result record (returned by run_motif)",
    "snnlib.circuits.network.CircuitResult": "a result record (returned by simulate)",
    "snnlib.circuits.motifs.Motif": "a registry record, declared once per motif in snnlib.circuits.motifs",
    "snnlib.conversion.core.ConvertedNetwork": "a result record (returned by convert)",
    "snnlib.conversion.core.Stage": "a result record (returned by split_stages)",
    "snnlib.conversion.simulate.Record": "a result record (returned by simulate)",
    "snnlib.learning.bptt.GradientFlowResult": "a result record (returned by gradient_flow)",
    "snnlib.learning.spike_times.SpikeTimeResult": "a result record (returned by train_spike_times)",
    "snnlib.learning.toy.ToyTrainResult": "a result record (returned by train_toy)",
    "snnlib.train.loop.FitResult": "a result record (returned by fit)",
    "snnlib.learning.study.SeedStudy": "a result record (returned by seed_study)",
    "snnlib.learning.study.ScaleStudy": "a result record (returned by scale_study)",
}


def _excluded(qualname: str) -> Optional[str]:
    for key, why in EXCLUDED.items():
        if qualname == key or (key.endswith(".") and qualname.startswith(key)):
            return why
    return None


def _public_modules() -> List[Any]:
    mods = [snnlib]
    for info in pkgutil.walk_packages(snnlib.__path__, "snnlib."):
        if info.name.endswith("__main__") or any(part.startswith("_") for part in info.name.split(".")):
            continue
        mods.append(importlib.import_module(info.name))
    return mods


def qualified(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def entry_points() -> Tuple[Dict[str, Any], Dict[str, str]]:
    """``({qualified name: callable}, {qualified name: why excluded})`` over every public ``__all__``."""
    found, skipped = {}, {}
    for mod in _public_modules():
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name, None)
            if not callable(obj) or not getattr(obj, "__module__", "").startswith("snnlib"):
                continue
            if inspect.isclass(obj):
                if issubclass(obj, BaseException):
                    continue
                if issubclass(obj, tuple) and hasattr(obj, "_fields"):
                    continue  # a record (NamedTuple): what functions return
                if issubclass(obj, torch.autograd.Function):
                    continue  # reached through .apply by the checked functions
            key = qualified(obj)
            why = _excluded(key)
            if why is not None:
                skipped[key] = why
            else:
                found.setdefault(key, obj)
    return found, skipped


# ---------------------------------------------------------------------------------------------
# What a valid call looks like, and what is bad for each argument
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Entry:
    """One entry point's description for the grid.

    Attributes:
        valid: ``() -> {argument: value}``: a valid call (fresh values each time); arguments left out
            take their defaults, which are perturbed too.
        call: ``(fn, kwargs) -> result`` when the entry is not called as ``fn(**kwargs)`` (a method of an
            instance made by ``valid``, positional-only arguments).
        allow: argument -> labels of :func:`bad_values` that are valid for it (documented, e.g.
            ``{"x": {"nan"}}``), or ``"*"`` for an argument the grid must leave alone (a free text).
        bad: argument -> extra ``(label, value)`` pairs that must be refused.
        ranges: argument -> ``(minimum, maximum)`` of a number (``None``: unbounded).
        names: argument -> other words a clear message may use for it.
        check_valid: run the valid call once first (False for entries with side effects).
        propagate: arguments in which NaN/inf may be accepted because it propagates to the output
            (a per-step primitive on the training hot path): such a case is ``"propagated"`` when
            the output holds NaN/inf, and ``"silent"`` when the output looks fine.
    """

    valid: Callable[[], Dict[str, Any]] = dict
    call: Optional[Callable[[Callable, Dict[str, Any]], Any]] = None
    allow: Dict[str, Any] = dataclasses.field(default_factory=dict)
    bad: Dict[str, List[Tuple[str, Any]]] = dataclasses.field(default_factory=dict)
    ranges: Dict[str, Tuple[Optional[float], Optional[float]]] = dataclasses.field(default_factory=dict)
    names: Dict[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    check_valid: bool = True
    propagate: Sequence[str] = ()


#: Argument names of counts (integers >= 1).
COUNTS = re.compile(
    r"^(num_.*|n_.*|n|.*_size|batch|batches_per_round|epochs|trials|rounds|repeats|max_.*|side|hidden|period|"
    r"total_steps|steps_per_epoch|fan_in|fan_out|chunk|ncols|nrows|num_classes|window|width|bin|level|"
    r"n_cases|num_pairs|checkpoint_every|num_norm|sweep_test|smooth|t_max|interval)$"
)
#: Argument names of integers >= 0.
NONNEGATIVE_INTS = re.compile(
    r"^(refractory|delay|.*_delay|warmup_steps|warmup|start|onset|jitter|t|t_min|step|epoch|shift|pixels|"
    r"pad|sample|stop|inside|outside|edge|center|need_bytes|older_than_s|pos|index|seen|first|u0)$"
)
#: Argument names of numbers in [0, 1].
PROBABILITIES = re.compile(r"^(beta|p|p_.*|prob.*|fraction|noise_fraction|percentile_fraction)$")
#: Argument names of numbers > 0.
POSITIVES = re.compile(
    r"^(threshold|thr|tau|tau_.*|dt|lr|std|alpha|slope|sharpness|gain|sigma|total|total_weight|w_max|"
    r"t_present|scale|input_scale|rate_hz|max_rate|tolerance|epsilon)$"
)
#: Argument names of numbers >= 0.
NONNEGATIVES = re.compile(r"^(weight_decay|high|p_delete|p_insert|inhibition|theta_plus|a_plus|a_minus|jitter|noise|rate)$")
#: Argument names of string choices (anything else that is a str is free text, left alone).
CHOICES = re.compile(
    r"^(reset|scheme|mode|kind|readout|schedule|scale|source|dataset|split|backend|metric|method|profile|rule|"
    r"trace_mode|normalisation|balance|input|op|population|loss|loss_kind|net|motif|what|shape|surrogate|"
    r"expected|readout|view|device|name)$"
)
#: Argument names of spike records (entries must be 0 or 1).
SPIKES = re.compile(r"^(spikes|spk|spk_rec|spk_start|pre|post|hidden_spikes|output_spikes|spikes_in)$")

STR_CHOICE_BAD = [("unknown choice", "no-such-choice"), ("int for a choice", 3)]

#: Bad values that are valid for whole families of entry points, with why: (entry prefix, argument
#: or None for every argument, labels).
FAMILY_ALLOWS: List[Tuple[str, Optional[str], frozenset, str]] = [
    ("snnlib.plot.", None, frozenset({"nan", "inf", "-inf", "nan in a sequence"}), "matplotlib draws NaN/inf as a gap"),
    ("snnlib.encoding.", "x", frozenset({"0-d tensor"}), "encoders take x of any shape, a scalar too"),
]


def family_allows(qualname: str, name: str) -> frozenset:
    out: frozenset = frozenset()
    for prefix, arg, labels, _why in FAMILY_ALLOWS:
        if qualname.startswith(prefix) and arg in (None, name):
            out = out | labels
    return out


def _optional(param: inspect.Parameter, hints: Dict[str, Any]) -> bool:
    if param.default is None:
        return True
    hint = hints.get(param.name)
    return hint is not None and type(None) in typing.get_args(hint)


#: The lower bound of a number that must be > 0.
POSITIVE = "positive"


def _int_range(name: str, entry: Entry):
    if name in entry.ranges:
        return entry.ranges[name]
    if COUNTS.match(name):
        return (1, None)
    if NONNEGATIVE_INTS.match(name):
        return (0, None)
    return (None, None)


def _float_range(name: str, entry: Entry):
    if name in entry.ranges:
        return entry.ranges[name]
    if PROBABILITIES.match(name):
        return (0.0, 1.0)
    if POSITIVES.match(name):
        return (POSITIVE, None)
    if NONNEGATIVES.match(name):
        return (0.0, None)
    return (None, None)


def _out_of_range(low, high, integer: bool) -> List[Tuple[str, Any]]:
    """Values just outside ``[low, high]`` (``low`` may be :data:`POSITIVE`: > 0)."""
    one = 1 if integer else 1.0
    out: List[Tuple[str, Any]] = []
    if low == POSITIVE:
        out += [("zero (must be > 0)", 0 * one), ("negative (must be > 0)", -one)]
    elif low is not None:
        if integer and low >= 1:
            out += [("zero count", low - 1), ("negative count", -1)]
        else:
            out.append(("below its range", low - (1 if integer else 0.5)))
    if high is not None:
        out.append(("above its range", high + (1 if integer else 0.5)))
    return out


def _tensor_bad(name: str, x: torch.Tensor) -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = [("str for a tensor", "not a tensor")]
    if x.dim() >= 1:
        out.append(("0-d tensor", x.reshape(-1)[0].clone() if x.numel() else torch.tensor(0.0)))
        if x.shape[0] > 0:
            out.append(("empty tensor", x[:0].clone()))
    if x.is_floating_point() and x.numel():
        for label, v in (("nan", float("nan")), ("inf", float("inf"))):
            y = x.detach().clone()
            y.reshape(-1)[0] = v
            out.append((label, y))
    if x.dtype != torch.bool and not x.is_complex():
        out.append(("complex dtype", x.detach().to(torch.complex64)))
    if not x.is_floating_point() and x.dtype != torch.bool and x.numel():
        out.append(("float dtype for integers", x.detach().double() + 0.5))
    if SPIKES.match(name) and x.numel():
        for label, v in (("spike 0.5", 0.5), ("spike 2", 2.0)):
            y = x.detach().clone().to(torch.float32)
            y.reshape(-1)[0] = v
            out.append((label, y))
    return out


def bad_values(
    param: inspect.Parameter, value: Any, hints: Dict[str, Any], entry: Entry, qualname: str = ""
) -> List[Tuple[str, Any]]:
    """The bad ``(label, value)`` pairs for argument ``param`` whose valid value is ``value``."""
    name = param.name
    allowed = entry.allow.get(name, set())
    if allowed == "*":
        return []
    allowed = set(allowed) | family_allows(qualname, name)
    out: List[Tuple[str, Any]] = []
    none_ok = _optional(param, hints)
    if isinstance(value, (bool, np.bool_)):
        out += [("str for a bool", "yes"), ("int for a bool", 2)]
    elif isinstance(value, (int, np.integer)):
        out += [("float for an int", 2.5), ("str for an int", "3"), ("nan for an int", float("nan"))]
        out += _out_of_range(*_int_range(name, entry), integer=True)
    elif isinstance(value, (float, np.floating)):
        out += [("nan", float("nan")), ("inf", float("inf")), ("-inf", float("-inf")), ("str for a number", "x")]
        out += _out_of_range(*_float_range(name, entry), integer=False)
    elif isinstance(value, str):
        if not CHOICES.match(name) and name not in entry.bad:
            return []  # free text (a title, a label, a unit): anything printable is fine
        if CHOICES.match(name):
            out += STR_CHOICE_BAD
    elif isinstance(value, torch.Tensor):
        out += _tensor_bad(name, value)
    elif isinstance(value, np.ndarray):
        out += [("str for an array", "not an array")]
        if value.dtype.kind == "f" and value.size:
            y = value.copy()
            y.reshape(-1)[0] = np.nan
            out.append(("nan", y))
    elif isinstance(value, (list, tuple)):
        out += [("str for a sequence", "not a sequence")]
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            out.append(("nan in a sequence", type(value)([float("nan"), *list(value[1:])])))
    elif value is None:
        hint = hints.get(name)
        args = set(typing.get_args(hint)) if hint is not None else set()
        if int in args:
            out += [("float for an int", 2.5), ("str for an int", "3")]
            out += _out_of_range(*_int_range(name, entry), integer=True)
        elif float in args:
            out += [("nan", float("nan")), ("str for a number", "x")]
            out += _out_of_range(*_float_range(name, entry), integer=False)
        elif bool in args:
            out += [("str for a bool", "yes"), ("int for a bool", 2)]
        elif args & {torch.Generator}:
            out += [("str for a generator", "gen"), ("int for a generator", 7)]
        elif args & {torch.Tensor}:
            out += [("str for a tensor", "not a tensor")]
    else:  # an object: a model, a config, a record, a callable, a generator
        out += [("str for an object", "not an object"), ("int for an object", 3)]
    if not none_ok and value is not None:
        out.append(("None", None))
    out += entry.bad.get(name, [])
    return [(label, v) for label, v in out if label not in allowed]


# ---------------------------------------------------------------------------------------------
# Running and judging one call
# ---------------------------------------------------------------------------------------------


def names_argument(message: str, name: str, aliases: Iterable[str] = ()) -> bool:
    """Whether ``message`` names the argument ``name`` (or one of ``aliases``) as a word."""
    for word in (name, name.replace("_", " "), *aliases):
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", message, flags=re.IGNORECASE):
            return True
    return False


def nonfinite(result: Any) -> bool:
    """Whether ``result`` (tensors, arrays, numbers, tuples, dicts, records) holds NaN or inf."""
    if isinstance(result, torch.Tensor):
        return (result.is_floating_point() or result.is_complex()) and not bool(torch.isfinite(result).all())
    if isinstance(result, np.ndarray):
        return result.dtype.kind in "fc" and not bool(np.isfinite(result).all())
    if isinstance(result, float):
        return not math.isfinite(result)
    if isinstance(result, dict):
        return any(nonfinite(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return any(nonfinite(v) for v in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return any(nonfinite(getattr(result, f.name)) for f in dataclasses.fields(result))
    return False


def judge(call: Callable[[], Any], name: str, aliases: Iterable[str] = (), propagate: bool = False) -> Tuple[str, str]:
    """``(verdict, detail)``: ``"clear"``, ``"unclear"``, ``"silent"`` or, with ``propagate``,
    ``"propagated"`` (accepted, and the output holds NaN/inf); see the module's description."""
    try:
        result = call()
    except (TypeError, ValueError) as err:
        text = str(err)
        if names_argument(text, name, aliases):
            return "clear", f"{type(err).__name__}: {text[:160]}"
        return "unclear", f"{type(err).__name__} without naming {name!r}: {text[:200]}"
    except Exception as err:
        return "unclear", f"{type(err).__name__}: {str(err)[:200]}"
    if propagate and nonfinite(result):
        return "propagated", "accepted; the output holds NaN/inf"
    return "silent", "accepted"


def signature(fn: Callable) -> inspect.Signature:
    return inspect.signature(fn)


def type_hints(fn: Callable) -> Dict[str, Any]:
    target = fn.__init__ if inspect.isclass(fn) else fn
    try:
        return typing.get_type_hints(target)
    except Exception:
        return {}


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
