"""Inputs and connectivity of the circuits: Poisson spike trains, bar stimuli and weight matrices.

Spike trains are time-first ``[T, B, N]``; weight matrices are ``[N_source, N_target]`` and hold
non-negative magnitudes (a projection's sign says whether it excites or inhibits).
"""

from __future__ import annotations

import numbers
from typing import Callable, Dict, Optional

import torch

from .. import _checks

__all__ = ["poisson_input", "bar_stimulus", "convergent_weights", "divergent_weights", "lateral_weights"]

Tensor = torch.Tensor

_RATES_SHAPE = "[], [N], [B, N] or [T, B, N]"


def poisson_input(rates, num_steps: int, batch: int = 1, generator: Optional[torch.Generator] = None) -> Tensor:
    """Bernoulli ("discrete Poisson") spike trains: at each step each neuron spikes with probability ``rate``.

    Args:
        rates: spike probability per step, in [0, 1]: a number, a ``[N]`` or ``[B, N]`` tensor
            (constant in time) or a ``[T, B, N]`` tensor (time-varying, ``T = num_steps``).
        num_steps: number of steps ``T`` (>= 1).
        batch: batch size ``B`` when ``rates`` has no batch dimension.
        generator: a ``torch.Generator`` that makes the draw reproducible (``None``: torch's global one).

    Returns:
        spikes ``[T, B, N]`` of 0. and 1.
    """
    num_steps = _checks.integer(num_steps, "num_steps", 1)
    batch = _checks.integer(batch, "batch", 1)
    if isinstance(rates, numbers.Real) and not isinstance(rates, bool):
        p = torch.tensor(_checks.real(rates, "rates"), dtype=torch.get_default_dtype())
    else:
        _checks.tensor(rates, "rates", _RATES_SHAPE, ndim=(0, 1, 2, 3), dtype="number", finite=True)
        p = rates.to(torch.get_default_dtype())
    if bool((p < 0).any()) or bool((p > 1).any()):
        raise ValueError(
            f"rates must be spike probabilities per step in [0, 1], got values from {float(p.min()):g} to {float(p.max()):g}"
        )
    if p.dim() == 0:
        p = p.reshape(1, 1, 1).expand(num_steps, batch, 1)
    elif p.dim() == 1:
        p = p.reshape(1, 1, -1).expand(num_steps, batch, -1)
    elif p.dim() == 2:
        p = p.unsqueeze(0).expand(num_steps, -1, -1)
    elif p.shape[0] != num_steps:
        raise ValueError(f"time-varying rates must have shape [T, B, N] with T = num_steps = {num_steps}, got {tuple(p.shape)}")
    return torch.bernoulli(p.contiguous(), generator=generator)


def bar_stimulus(n: int, start: int, stop: int, high: float, low: float = 0.0) -> Tensor:
    """A bar on a line of ``n`` neurons: rate ``high`` for neurons ``start .. stop-1``, ``low`` elsewhere; ``[n]``."""
    n = _checks.integer(n, "n", 1)
    start = _checks.integer(start, "start", 0)
    stop = _checks.integer(stop, "stop", 0)
    if not start < stop <= n:
        raise ValueError(f"need 0 <= start < stop <= n for a bar, got start={start}, stop={stop}, n={n}")
    high = _checks.real(high, "high", 0.0)
    low = _checks.real(low, "low", 0.0)
    rates = torch.full((n,), low)
    rates[start:stop] = high
    return rates


def _fan_weights(many: int, few: int, fan: int, weight: float, names) -> Tensor:
    """The one builder behind convergence and divergence: ``[many, few]``.

    Column ``j`` (a unit of the ``few`` side) is joined to the ``fan`` units ``j*s .. j*s+fan-1``
    (modulo ``many``) of the ``many`` side, ``s = many // few`` (at least 1), each with ``weight``.
    ``names`` = (name of ``many``, name of ``few``, name of ``fan``, what the ``many`` units are),
    for the messages.
    """
    many_name, few_name, fan_name, units = names
    many = _checks.integer(many, many_name, 1)
    few = _checks.integer(few, few_name, 1)
    fan = _checks.integer(fan, fan_name, 1)
    weight = _checks.real(weight, "weight", 0.0)
    if fan > many:
        raise ValueError(f"{fan_name} ({fan}) cannot exceed the number of {units} {many_name} ({many})")
    stride = max(many // few, 1)
    rows = (torch.arange(fan)[:, None] + torch.arange(few)[None, :] * stride) % many  # [fan, few]
    w = torch.zeros(many, few)
    w[rows, torch.arange(few).expand(fan, -1)] = weight
    return w


def convergent_weights(n_in: int, n_out: int, fan_in: int, weight: float = 1.0) -> Tensor:
    """Convergent connections: each output neuron sums ``fan_in`` neighbouring inputs.

    Output ``j`` receives the inputs ``j*s, j*s+1, ..., j*s+fan_in-1`` (indices modulo ``n_in``),
    with ``s = n_in // n_out`` the stride (at least 1), each with weight ``weight``. With
    ``fan_in > s`` neighbouring outputs share inputs, so each input also *diverges* onto several
    outputs.

    Returns:
        weights ``[n_in, n_out]``.
    """
    return _fan_weights(n_in, n_out, fan_in, weight, ("n_in", "n_out", "fan_in", "inputs"))


def divergent_weights(n_in: int, n_out: int, fan_out: int, weight: float = 1.0) -> Tensor:
    """Divergent connections: each input projects onto ``fan_out`` neighbouring output neurons.

    Input ``i`` projects onto outputs ``i*s, ..., i*s+fan_out-1`` (modulo ``n_out``) with
    ``s = n_out // n_in`` (at least 1), each with weight ``weight``: the mirror image (transpose)
    of :func:`convergent_weights` with inputs and outputs swapped.

    Returns:
        weights ``[n_in, n_out]``.
    """
    return _fan_weights(n_out, n_in, fan_out, weight, ("n_out", "n_in", "fan_out", "outputs")).T.contiguous()


def _gaussian(d: Tensor, reach: float) -> Tensor:
    return torch.exp(-(d**2) / (2 * reach**2)) if reach > 0 else torch.zeros_like(d)


#: Lateral profiles: name -> magnitude as a function of the distance ``d`` ``[n, n]`` and the reach.
_PROFILES: Dict[str, Callable[[Tensor, float], Tensor]] = {
    "gaussian": _gaussian,
    "box": lambda d, reach: (d <= reach).to(d.dtype),
    "global": lambda d, reach: torch.ones_like(d),
}


def lateral_weights(n: int, reach: float = 2.0, profile: str = "gaussian") -> Tensor:
    """Magnitudes of lateral inhibition within a line of ``n`` neurons, no self-connection; ``[n, n]``.

    ``profile="gaussian"``: ``exp(-d^2 / (2 reach^2))`` for neurons ``d`` apart; ``"box"``: 1 for
    ``0 < d <= reach``; ``"global"``: 1 between every pair (``reach`` ignored), the
    winner-take-all connectivity. The diagonal is 0; the peak magnitude is 1 (scale it with the
    motif's ``inhibition``).
    """
    n = _checks.integer(n, "n", 1)
    reach = _checks.real(reach, "reach", 0.0)
    profile = _checks.choice(profile, "profile", _PROFILES)
    idx = torch.arange(n, dtype=torch.get_default_dtype())
    d = (idx[:, None] - idx[None, :]).abs()
    w = _PROFILES[profile](d, reach)
    w.fill_diagonal_(0.0)
    return w
