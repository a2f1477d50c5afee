"""Exercises with feedback: each ``check_*`` function tests a reader's answer and says what is wrong.

A check returns a :class:`Feedback` (truthy when correct) that prints and renders as a coloured
box in a notebook. Checks compare against the library's own functions, so an answer is right
when it computes what the book's code computes.

Modules: :mod:`.core` (the common machinery), then one module per chapter.
"""

from __future__ import annotations

from . import circuits, coding, conversion, core, first_spikes, lif, mnist, stdp, surrogate
from .circuits import *  # noqa: F403
from .coding import *  # noqa: F403
from .conversion import *  # noqa: F403
from .core import *  # noqa: F403
from .first_spikes import *  # noqa: F403
from .lif import *  # noqa: F403
from .mnist import *  # noqa: F403
from .stdp import *  # noqa: F403
from .surrogate import *  # noqa: F403

__all__ = [
    name for module in (core, first_spikes, coding, lif, circuits, surrogate, mnist, conversion, stdp) for name in module.__all__
]
