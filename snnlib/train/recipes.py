"""Named training recipes: the snnTorch tutorial's (the reference the chapter reproduces) and ours.

A recipe is the part of a :class:`~snnlib.train.TrainConfig` that decides what is learnt (optimiser,
learning rate and schedule, input scaling, augmentation, loss, readout, neurons), as a dict of
config fields; the rest (epochs, data, device, seed) belongs to the run. ``recipe_config(name,
**run)`` makes the config of a run, e.g. ``recipe_config("snntorch tutorial", epochs=5, seed=1)``.

* ``"snntorch tutorial"``: snnTorch's tutorial 5 :cite:`eshraghian2023training`: Adam at a constant
  5e-4, pixels scaled to [0, 1], the per-step membrane cross-entropy, the spike-count readout,
  batch 128, 25 steps, beta 0.95, arctan surrogate.
* ``"default"``: :class:`TrainConfig`'s defaults, the best row of the chapter's ablation
  (``benchmarks/ablation.py``).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Dict

from .._checks import choice, describe
from .config import TrainConfig

__all__ = ["RECIPE_FIELDS", "RECIPES", "recipe", "recipe_config", "recipe_of"]

#: The config fields a recipe sets (everything about *how* the network learns).
RECIPE_FIELDS = (
    "batch_size",
    "num_steps",
    "optimizer",
    "lr",
    "betas",
    "weight_decay",
    "schedule",
    "warmup_steps",
    "scale",
    "shift",
    "loss",
    "label_smoothing",
    "readout",
    "beta",
    "threshold",
    "learn_beta",
    "learn_threshold",
    "reset",
)


def recipe_of(config: TrainConfig) -> Dict[str, Any]:
    """The recipe fields of ``config`` (JSON values: ``betas`` a list)."""
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {describe(config)}")
    d = config.to_dict()
    return {k: d[k] for k in RECIPE_FIELDS}


_DEFAULT = recipe_of(TrainConfig())

#: Recipe name -> its fields (every name of :data:`RECIPE_FIELDS`).
RECIPES: Dict[str, Dict[str, Any]] = {
    "snntorch tutorial": dict(
        _DEFAULT,
        batch_size=128,
        num_steps=25,
        optimizer="adam",
        lr=5e-4,
        betas=[0.9, 0.999],
        weight_decay=0.0,
        schedule="constant",
        scale="unit",
        shift=0,
        loss="membrane",
        label_smoothing=0.0,
        readout="count",
        beta=0.95,
        threshold=1.0,
        learn_beta=False,
        learn_threshold=False,
        reset="subtract",
    ),
    "default": _DEFAULT,
}


def recipe(name: str) -> Dict[str, Any]:
    """A copy of recipe ``name``'s fields (a key of :data:`RECIPES`)."""
    return dict(RECIPES[choice(name, "name", RECIPES)])


def recipe_config(name: str, **run: Any) -> TrainConfig:
    """The :class:`TrainConfig` of recipe ``name`` with the run's other fields ``run`` (epochs, seed, data...).

    A field of ``run`` that the recipe sets overrides it (so ``recipe_config("default", lr=1e-3)``
    is a variation of the recipe). Unknown fields are a :class:`TypeError`.
    """
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(run) - known)
    if unknown:
        raise TypeError(f"unknown TrainConfig field(s) {unknown}; the fields are {sorted(known)}")
    values = dict(recipe(name), **run)
    values["betas"] = tuple(values["betas"])
    return replace(TrainConfig(), **values)
