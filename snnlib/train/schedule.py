"""The learning-rate schedules of a run: linear warm-up then cosine decay to zero (the recipe), or constant.

Each schedule is a function ``factor(step, total_steps, warmup_steps)`` giving the multiplier of the base
learning rate before optimiser step ``step`` (0-based); :data:`SCHEDULES` names them, and
:func:`lr_factor` turns one into the single-argument function ``torch.optim.lr_scheduler.LambdaLR`` calls.
"""

from __future__ import annotations

import math
from typing import Callable, Dict

from .._checks import choice, integer

__all__ = ["SCHEDULES", "cosine", "constant", "lr_factor"]


def _steps(step, total_steps, warmup_steps):
    return integer(step, "step", 0), integer(total_steps, "total_steps", 0), integer(warmup_steps, "warmup_steps", 0)


def cosine(step: int, total_steps: int, warmup_steps: int) -> float:
    """Linear warm-up over ``min(warmup_steps, total_steps // 4)`` steps (at least one), then cosine to 0."""
    step, total_steps, warmup_steps = _steps(step, total_steps, warmup_steps)
    warm = max(1, min(warmup_steps, total_steps // 4))
    if step < warm:
        return (step + 1) / warm
    progress = min(1.0, (step - warm) / max(1, total_steps - warm))
    return 0.5 * (1 + math.cos(math.pi * progress))


def constant(step: int, total_steps: int, warmup_steps: int) -> float:
    """The base learning rate at every step (no warm-up)."""
    _steps(step, total_steps, warmup_steps)
    return 1.0


#: Schedule name -> ``factor(step, total_steps, warmup_steps)``.
SCHEDULES: Dict[str, Callable[[int, int, int], float]] = {"cosine": cosine, "constant": constant}


def lr_factor(schedule: str, total_steps: int, warmup_steps: int) -> Callable[[int], float]:
    """``factor(step)`` of ``schedule`` (a name in :data:`SCHEDULES`) for a run of ``total_steps`` steps."""
    function = SCHEDULES[choice(schedule, "schedule", SCHEDULES)]
    total_steps = integer(total_steps, "total_steps", 0)
    warmup_steps = integer(warmup_steps, "warmup_steps", 0)

    def factor(step: int) -> float:
        return function(step, total_steps, warmup_steps)

    return factor
