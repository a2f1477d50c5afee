"""The spike-coding chapter's experiment: every coding scheme on the same images (layer 3).

:func:`compare_schemes` measures each scheme of :data:`snnlib.encoding.SCHEMES` on MNIST digits
(spikes spent, round-trip error, steps to a decision, error under spike noise);
:func:`noisy_error` is one point of the chapter's noise curves; :func:`prepare` says how the
chapter codes one image with a scheme (its input and settings). Everything about a scheme comes
from the registry (:func:`snnlib.encoding.get_scheme`), so a newly registered scheme takes part
with no change here.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch

from . import _checks, encoding

__all__ = ["prepare", "noisy_error", "compare_schemes"]

_IMAGES = "[N, H, W]"


def prepare(
    scheme: str, image: torch.Tensor, seed: Optional[int] = None, params: Optional[dict] = None
) -> Tuple[torch.Tensor, dict]:
    """How the chapter codes one image ``[H, W]`` (intensities in [0, 1]) with ``scheme``.

    Returns ``(x, params)``: ``x`` is the image, flattened to ``[H * W]`` for a code across the last
    axis (rank order ranks all the pixels together); ``params`` is ``params`` (default
    :data:`snnlib.encoding.DEFAULT_PARAMS` ``[scheme]``), plus ``seed=seed`` for a random code
    when ``seed`` is given.
    """
    s = encoding.get_scheme(scheme)
    _checks.tensor(image, "image", "[H, W]", ndim=2, dtype="float", finite=True)
    kw = encoding.DEFAULT_PARAMS[scheme] if params is None else dict(params)
    if seed is not None and s.random:
        kw["seed"] = _checks.integer(seed, "seed")
    return (image.flatten() if s.across_last_axis else image), kw


def _check_images(images: torch.Tensor) -> torch.Tensor:
    _checks.tensor(images, "images", _IMAGES, ndim=3, dtype="float", finite=True)
    lo, hi = images.min().item(), images.max().item()
    if lo < 0.0 or hi > 1.0:
        raise ValueError(
            f"images {_IMAGES} must hold intensities in [0, 1], but they span [{lo:.4g}, {hi:.4g}]; "
            "rescale them (e.g. pixels / 255)"
        )
    return images


def _mae(scheme: str, spikes: torch.Tensor, x: torch.Tensor, params: dict) -> float:
    return (encoding.decode(scheme, spikes, **params) - x).abs().mean().item()


def noisy_error(
    images: torch.Tensor,
    scheme: str,
    num_steps: int = 25,
    p_delete: float = 0.0,
    p_insert: float = 0.0,
    jitter: int = 0,
    seed: int = 0,
    params: Optional[dict] = None,
) -> float:
    """Mean decoding error of ``scheme`` over ``images [N, H, W]`` after spike noise: image ``i`` is
    coded as :func:`prepare` says (random codes seeded ``seed + i``), passed through
    :func:`snnlib.encoding.perturb` (``p_delete``, ``p_insert``, ``jitter``; seeded
    ``seed + 100 + i``) and decoded; the mean absolute error over all pixels. A float."""
    _check_images(images)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    seed = _checks.integer(seed, "seed")
    err = 0.0
    for i, img in enumerate(images):
        x, kw = prepare(scheme, img, seed + i, params)
        s = encoding.encode(scheme, x, num_steps, **kw)
        s = encoding.perturb(s, p_delete=p_delete, p_insert=p_insert, jitter=jitter, seed=seed + 100 + i)
        err += _mae(scheme, s, x, kw)
    return err / len(images)


def compare_schemes(
    images: torch.Tensor,
    num_steps: int = 25,
    schemes: Optional[Sequence[str]] = None,
    params: Optional[Dict[str, dict]] = None,
    p_delete: float = 0.2,
    p_insert: float = 0.01,
    jitter: int = 1,
    seed: int = 0,
) -> List[dict]:
    """Compare coding schemes on images ``[N, H, W]`` (intensities in [0, 1]); one dict per scheme
    (``schemes``: names, default every registered one, in :data:`~snnlib.encoding.SCHEMES` order):

    * ``spikes``: mean number of spikes per input value (pixel), ``sum |s| / (N H W)``;
    * ``mae``: round-trip mean absolute error over all pixels;
    * ``decision``: mean :func:`~snnlib.encoding.time_to_decision` (steps, of ``num_steps``);
    * ``mae_drop``: MAE after :func:`~snnlib.encoding.perturb` with ``p_delete`` and ``p_insert``
      (spikes lost and added);
    * ``mae_jitter``: MAE after moving every spike by up to ``jitter`` steps.

    ``params`` replaces a scheme's settings (default :data:`~snnlib.encoding.DEFAULT_PARAMS`).
    Each image is coded as :func:`prepare` says; random codes and noise are seeded from ``seed``,
    so the numbers are reproducible.
    """
    _check_images(images)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    seed = _checks.integer(seed, "seed")
    _checks.integer(jitter, "jitter", minimum=0)
    if schemes is None:
        schemes = tuple(encoding.SCHEMES)
    elif isinstance(schemes, str) or not isinstance(schemes, Sequence):
        raise TypeError(f"schemes must be a sequence of scheme names, got {_checks.describe(schemes)}")
    for name in schemes:
        encoding.get_scheme(name)
    params = {} if params is None else params
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict {{scheme: settings}}, got {_checks.describe(params)}")
    stray = set(params) - set(schemes)
    if stray:
        raise ValueError(f"params names scheme(s) {sorted(stray)} that are not compared; schemes: {list(schemes)}")
    rows = []
    for scheme in schemes:
        tot = {"spikes": 0.0, "mae": 0.0, "decision": 0.0, "mae_drop": 0.0, "mae_jitter": 0.0}
        for i, img in enumerate(images):
            x, kw = prepare(scheme, img, seed + i, params.get(scheme))
            s = encoding.encode(scheme, x, num_steps, **kw)
            tot["spikes"] += s.abs().sum().item() / x.numel()
            tot["mae"] += _mae(scheme, s, x, kw)
            tot["decision"] += encoding.time_to_decision(scheme, x, s, **kw)
            noisy = encoding.perturb(s, p_delete=p_delete, p_insert=p_insert, seed=seed + 1000 + i)
            tot["mae_drop"] += _mae(scheme, noisy, x, kw)
            moved = encoding.perturb(s, jitter=jitter, seed=seed + 2000 + i)
            tot["mae_jitter"] += _mae(scheme, moved, x, kw)
        rows.append({"scheme": scheme, **{k: v / len(images) for k, v in tot.items()}})
    return rows
