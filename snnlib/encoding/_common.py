"""What every coding scheme shares: input checks in one wording, and the seeded random draws.

Private to :mod:`snnlib.encoding` (its public :func:`make_generator` is re-exported there). The
checks build on :mod:`snnlib._checks`; the two below word their messages for coding schemes:

* :func:`unit_tensor`: a floating-point tensor of intensities in ``[0, 1]`` (never clipped;
  the range test is :func:`snnlib._checks.outside_unit_interval`);
* :func:`probability`: a real number in ``[0, 1]``, with a message that says "probability".
"""

from __future__ import annotations

from typing import Optional

import torch

from .. import _checks


def float_tensor(x, name: str = "x", shape: str = "[*shape]", **kwargs) -> torch.Tensor:
    """A non-empty floating-point tensor without NaN or inf (``kwargs``: ``ndim``/``min_dim`` of
    :func:`snnlib._checks.tensor`). Returns ``x``."""
    try:
        _checks.tensor(x, name, shape, dtype="float", finite=True, **kwargs)
    except TypeError as err:
        if isinstance(x, torch.Tensor):  # an integer or bool tensor: say how to convert it
            raise TypeError(f"{err}; e.g. images.float() / 255") from None
        raise
    return x


def unit_tensor(x, name: str = "x", scheme: str = "this scheme", shape: str = "[*shape]", **kwargs) -> torch.Tensor:
    """:func:`float_tensor` whose values all lie in ``[0, 1]`` (intensities). Returns ``x``."""
    float_tensor(x, name, shape, **kwargs)
    span = _checks.outside_unit_interval(x)
    if span is not None:
        raise ValueError(
            f"{scheme} needs intensities in [0, 1], but {name} spans {span}; "
            "rescale it (e.g. pixels / 255); values are never clipped silently"
        )
    return x


def probability(value, name: str) -> float:
    """A real number in ``[0, 1]``, as a ``float``."""
    p = _checks.real(value, name)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return p


def make_generator(
    generator: Optional[torch.Generator] = None, seed: Optional[int] = None, device=None
) -> Optional[torch.Generator]:
    """The random generator a seeded encoder uses: ``generator`` itself, a new one seeded with
    ``seed`` (an integer, on ``device``, the CPU by default), or ``None`` (the global generator)
    when neither is given. Giving both is an error."""
    if generator is not None and seed is not None:
        raise ValueError("give either generator= or seed=, not both")
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {_checks.describe(generator)}")
        return generator
    if seed is not None:
        seed = _checks.integer(seed, "seed")
        dev = torch.device(device) if device is not None else torch.device("cpu")
        return torch.Generator(device=dev).manual_seed(seed)
    return None


def bernoulli(p: torch.Tensor, generator: Optional[torch.Generator]) -> torch.Tensor:
    """``torch.bernoulli(p)`` drawn on the generator's device, then moved to ``p``'s: the same
    spikes from the same seed whatever device ``p`` is on."""
    if generator is not None and generator.device != p.device:
        return torch.bernoulli(p.to(generator.device), generator=generator).to(p.device)
    return torch.bernoulli(p, generator=generator)
