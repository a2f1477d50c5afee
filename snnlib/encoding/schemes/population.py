"""Population coding with Gaussian receptive fields: the value is in which neurons fire."""

from __future__ import annotations

from typing import Optional

import torch

from ... import _checks
from ... import spikes as spike_measures
from .._common import bernoulli, make_generator, unit_tensor
from ..registry import Scheme, register

__all__ = ["population_centers", "population_tuning", "population", "population_decode"]


def population_centers(num_neurons: int = 10, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    r"""Preferred values of ``M >= 3`` Gaussian-tuned neurons, spread as in Bohte et al. (2002) so
    the outer two lie just outside ``[low, high]`` (less bias at the edges):
    ``mu_i = low + (2 i - 3) / 2 * (high - low) / (M - 2)``, ``i = 1..M``. ``[M]``."""
    num_neurons = _checks.integer(num_neurons, "num_neurons", minimum=3)
    low = _checks.real(low, "low")
    high = _checks.real(high, "high", low, min_open=True)
    i = torch.arange(1, num_neurons + 1, dtype=torch.float32)
    return low + (2 * i - 3) / 2 * (high - low) / (num_neurons - 2)


def population_tuning(x: torch.Tensor, num_neurons: int = 10, sigma: Optional[float] = None) -> torch.Tensor:
    r"""Gaussian receptive fields: the response of neuron ``j`` to value ``x``,

    .. math:: a_j(x) = \exp\!\left(-\frac{(x - \mu_j)^2}{2 \sigma^2}\right), \qquad
              \sigma = \frac{1}{1.5 (M - 2)} \text{ by default (else } \sigma > 0\text{)}.

    ``x [*shape]`` in [0, 1] ``-> a [*shape, M]`` in (0, 1].
    """
    unit_tensor(x, scheme="population coding")
    mu = population_centers(num_neurons).to(x.device, x.dtype)
    sigma = 1.0 / (1.5 * (mu.numel() - 2)) if sigma is None else _checks.positive(sigma, "sigma")
    return torch.exp(-((x.unsqueeze(-1) - mu) ** 2) / (2 * sigma**2))


def population(
    x: torch.Tensor,
    num_steps: int,
    num_neurons: int = 10,
    sigma: Optional[float] = None,
    gain: float = 1.0,
    generator: Optional[torch.Generator] = None,
    seed: Optional[int] = None,
) -> torch.Tensor:
    r"""Population coding: each value drives ``M`` neurons with Gaussian tuning curves
    (:func:`population_tuning`), and each neuron rate-codes its response:
    ``s_j[t] ~ Bernoulli(gain * a_j(x))`` with ``0 < gain <= 1``.

    ``x [*shape]`` in [0, 1] ``-> spikes [T, *shape, M]`` (one extra, trailing neuron axis).
    """
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    gain = _checks.positive(gain, "gain")
    if gain > 1.0:
        raise ValueError(f"population coding needs gain <= 1 (a_j peaks at 1, gain * a_j is a probability), got {gain}")
    a = population_tuning(x, num_neurons, sigma) * gain
    gen = make_generator(generator, seed, x.device)
    return bernoulli(a.unsqueeze(0).expand(num_steps, *a.shape).contiguous(), gen)


def population_decode(spikes: torch.Tensor, sigma: Optional[float] = None, method: str = "vector") -> torch.Tensor:
    r"""Decode a population code. ``spikes [T, *shape, M]`` (0/1, ``M >= 3`` neurons last) ``-> x_hat [*shape]``.

    * ``"vector"`` (population vector / centre of mass): ``x_hat = sum_j N_j mu_j / sum_j N_j``
      with ``N_j`` the count of neuron ``j``, clamped to [0, 1];
    * ``"ml"``: maximum likelihood over a grid of 501 values for Bernoulli spikes with
      probabilities ``a_j(x)`` (tuning width ``sigma``, as in :func:`population_tuning`; best, slower).

    Inputs with no spikes decode to 0.5 (the prior's middle) with ``"vector"``.
    """
    shape = "[T, *shape, M] (M neurons last)"
    _checks.spike_tensor(spikes, "spikes", shape, min_dim=2)
    method = _checks.choice(method, "method", ("vector", "ml"))
    if sigma is not None:
        _checks.positive(sigma, "sigma")
    M = spikes.shape[-1]
    if M < 3:
        raise ValueError(f"spikes must have shape {shape} with M >= 3 neurons, got shape {tuple(spikes.shape)}")
    counts = spike_measures.spike_count(spikes).to(torch.float32)
    if method == "vector":
        mu = population_centers(M).to(spikes.device)
        total = counts.sum(-1)
        x_hat = (counts * mu).sum(-1) / total.clamp_min(1e-12)
        x_hat = torch.where(total > 0, x_hat, torch.full_like(x_hat, 0.5))
        return x_hat.clamp(0.0, 1.0)
    T = spikes.shape[0]
    grid = torch.linspace(0, 1, 501, device=spikes.device)
    a = population_tuning(grid, M, sigma).clamp(1e-6, 1 - 1e-6)  # [G, M]
    ll = counts @ torch.log(a).T + (T - counts) @ torch.log1p(-a).T  # [*shape, G]
    return grid[ll.argmax(-1)]


register(
    Scheme(
        "population",
        encode=population,
        decode=population_decode,
        order=60,
        rate_like=True,
        default_params={"method": "vector"},
        summary="which neurons of a Gaussian-tuned population fire",
    )
)
