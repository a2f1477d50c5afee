"""The ``"loop"`` backend: the reference, a Python loop over :func:`snnlib.neurons.lif_step`.

It is the definition the other backends are tested against, and it runs every configuration:
every reset, a refractory period, any surrogate, float or tensor (learnable or not) ``beta`` and
``threshold``, any device and floating dtype, static or time-varying current. Autograd records
every step (a dozen small operations each), so it is the slowest.
"""

from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F

from ..neurons import LIFParams, lif_step
from .spec import Backend, Call, Support

__all__ = ["run", "run_linear", "BACKEND"]


def run(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif"``: ``(spk_rec, mem_rec)``, each ``[T, B, ...]``, one :func:`lif_step` per step."""
    params = LIFParams(call.beta, call.threshold, call.reset, call.refractory)
    state = None
    spikes, mems = [], []
    for t in range(call.num_steps):
        spk, state = lif_step(call.cur if call.static else call.cur[t], state, params, call.surrogate)
        spikes.append(spk)
        mems.append(state.mem)
    return torch.stack(spikes), torch.stack(mems)


def run_linear(call: Call) -> Tuple[torch.Tensor, torch.Tensor]:
    """Operation ``"lif_linear"``: :func:`run`, then the synapses ``S[t] W^T + b``.

    Returns ``(cur_out [T, B, C], spike_count [T, B])``.
    """
    spk, _ = run(call)
    return F.linear(spk, call.weight, call.bias), spk.detach().sum(-1)


BACKEND = Backend(
    name="loop",
    summary="reference: a Python loop over snnlib.neurons.lif_step (every configuration, slowest)",
    ops={"lif": Support(run, refractory=True), "lif_linear": Support(run_linear, refractory=True)},
)
