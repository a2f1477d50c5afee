"""The spike-coding chapter's experiment: every coding scheme on the same images (layer 3).

:func:`compare_schemes` measures each scheme of :data:`snnlib.encoding.SCHEMES` on MNIST digits
(spikes spent, round-trip error over all pixels and over the digit's own pixels, steps to
*reconstruct* the image, error under spike noise); :func:`recognition_curve` measures how fast a
reader can *recognise* the digit (a nearest-class-mean classifier reading only the first ``k``
steps); :func:`noisy_error` is one point of the chapter's noise curves; :func:`prepare` says how
the chapter codes one image with a scheme (its input and settings). Everything about a scheme
comes from the registry (:func:`snnlib.encoding.get_scheme`), so a newly registered scheme takes
part with no change here.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch

from . import _checks, encoding

__all__ = ["prepare", "noisy_error", "compare_schemes", "recognition_curve"]

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


def _check_images(images: torch.Tensor, name: str = "images") -> torch.Tensor:
    _checks.tensor(images, name, _IMAGES, ndim=3, dtype="float", finite=True)
    span = _checks.outside_unit_interval(images)
    if span is not None:
        raise ValueError(
            f"{name} {_IMAGES} must hold intensities in [0, 1], but they span {span}; rescale them (e.g. pixels / 255)"
        )
    return images


_PIXELS = ("all", "digit")


def _mae(scheme: str, spikes: torch.Tensor, x: torch.Tensor, params: dict, pixels: str = "all") -> float:
    """Mean absolute decoding error of one coded image over all pixels, or over the digit's (``x > 0``)."""
    return _per_image_error(encoding.decode(scheme, spikes, **params).unsqueeze(0), x.unsqueeze(0), pixels)


def _prepare_batch(scheme: str, images: torch.Tensor, seed: Optional[int], params: Optional[dict]) -> Tuple[torch.Tensor, dict]:
    """How the chapter codes a batch ``[N, H, W]`` at once: as :func:`prepare` (each image flattened
    to ``[N, H * W]`` for a code across the last axis), one seed for the whole batch."""
    s = encoding.get_scheme(scheme)
    kw = encoding.DEFAULT_PARAMS[scheme] if params is None else dict(params)
    if seed is not None and s.random:
        kw["seed"] = seed
    return (images.reshape(len(images), -1) if s.across_last_axis else images), kw


def _per_image_error(x_hat: torch.Tensor, x: torch.Tensor, pixels: str) -> float:
    """The mean over images of each image's mean absolute error (``[N, ...]`` both)."""
    err = (x_hat - x).abs().reshape(len(x), -1)
    if pixels == "digit":
        on = (x > 0).reshape(len(x), -1)
        keep = on.any(1)
        return ((err * on).sum(1)[keep] / on.sum(1)[keep]).mean().item() if bool(keep.any()) else 0.0
    return err.mean(1).mean().item()


def noisy_error(
    images: torch.Tensor,
    scheme: str,
    num_steps: int = 25,
    p_delete: float = 0.0,
    p_insert: float = 0.0,
    jitter: int = 0,
    seed: int = 0,
    params: Optional[dict] = None,
    pixels: str = "all",
) -> float:
    """Mean decoding error of ``scheme`` over ``images [N, H, W]`` after spike noise: the images are
    coded together as :func:`prepare` says (a random code seeded ``seed``), passed through
    :func:`snnlib.encoding.perturb` (``p_delete``, ``p_insert``, ``jitter``; seeded ``seed + 100``)
    and decoded; each image's mean absolute error over all its pixels (``pixels="all"``) or over
    the digit's own pixels, those with ``x > 0`` (``"digit"``), averaged over the images. A float."""
    _check_images(images)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    seed = _checks.integer(seed, "seed")
    pixels = _checks.choice(pixels, "pixels", _PIXELS)
    x, kw = _prepare_batch(scheme, images, seed, params)
    s = encoding.encode(scheme, x, num_steps, **kw)
    s = encoding.perturb(s, p_delete=p_delete, p_insert=p_insert, jitter=jitter, seed=seed + 100)
    return _per_image_error(encoding.decode(scheme, s, **kw), x, pixels)


_COLUMNS = ("spikes", "mae", "decision", "mae_drop", "mae_jitter", "mae_digit", "mae_drop_digit", "mae_jitter_digit")


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
    * ``decision``: mean :func:`~snnlib.encoding.time_to_decision` (steps, of ``num_steps``): how
      long the decoder takes to *reconstruct* the image (90 % of the way to its final error over
      all pixels), not to recognise it (that is :func:`recognition_curve`);
    * ``mae_drop``: MAE after :func:`~snnlib.encoding.perturb` with ``p_delete`` and ``p_insert``
      (spikes lost and added);
    * ``mae_jitter``: MAE after moving every spike by up to ``jitter`` steps;
    * ``mae_digit``, ``mae_drop_digit``, ``mae_jitter_digit``: the same three errors over the
      digit's own pixels (``x > 0``) only; on MNIST the black background is most of the image,
      so the errors over all pixels are dominated by how well a code leaves it black.

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
        tot = dict.fromkeys(_COLUMNS, 0.0)
        for i, img in enumerate(images):
            x, kw = prepare(scheme, img, seed + i, params.get(scheme))
            s = encoding.encode(scheme, x, num_steps, **kw)
            tot["spikes"] += s.abs().sum().item() / x.numel()
            tot["decision"] += encoding.time_to_decision(scheme, x, s, **kw)
            noisy = encoding.perturb(s, p_delete=p_delete, p_insert=p_insert, seed=seed + 1000 + i)
            moved = encoding.perturb(s, jitter=jitter, seed=seed + 2000 + i)
            for key, train in (("mae", s), ("mae_drop", noisy), ("mae_jitter", moved)):
                tot[key] += _mae(scheme, train, x, kw)
                tot[key + "_digit"] += _mae(scheme, train, x, kw, "digit")
        rows.append({"scheme": scheme, **{k: v / len(images) for k, v in tot.items()}})
    return rows


def _labels(labels: torch.Tensor, name: str, n: int) -> torch.Tensor:
    _checks.tensor(labels, name, "[N]", ndim=1, dtype="integer")
    if labels.shape[0] != n:
        raise ValueError(f"{name} [N] must have one label per image ({n}), got shape {tuple(labels.shape)}")
    if labels.min().item() < 0:
        raise ValueError(f"{name} must hold class indices >= 0, got {labels.min().item()}")
    return labels.long()


def _prefix_features(scheme, images, num_steps, steps, seed, params, batch_size):
    """Yield ``(start, [len(steps), B, H * W])``: each batch's decoded prefixes at every step."""
    for b, start in enumerate(range(0, len(images), batch_size)):
        x, kw = _prepare_batch(scheme, images[start : start + batch_size], seed + b, params)
        spikes = encoding.encode(scheme, x, num_steps, **kw)
        feats = [encoding.decode_prefix(scheme, spikes, k, **kw).reshape(len(x), -1) for k in steps]
        yield start, torch.stack(feats)


def recognition_curve(
    scheme: str,
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    test_images: torch.Tensor,
    test_labels: torch.Tensor,
    num_steps: int = 25,
    steps: Optional[Sequence[int]] = None,
    fraction: float = 0.9,
    seed: int = 0,
    params: Optional[dict] = None,
    batch_size: int = 250,
) -> dict:
    """How fast a reader can *recognise* a digit from the first ``k`` steps of its code.

    For each ``k`` in ``steps`` (default ``1 .. num_steps``; ``num_steps`` is always included) every
    image is coded as :func:`prepare` says, decoded from its first ``k`` steps only
    (:func:`snnlib.encoding.decode_prefix`) and classified by **nearest class mean**: the class
    means are those of the training images' decoded prefixes with the same ``k`` (a classifier
    trained on what it reads), and a test image gets the class whose mean is nearest (Euclidean).

    ``train_images [N, H, W]``, ``test_images [M, H, W]`` (intensities in [0, 1]) with integer
    labels ``[N]``, ``[M]``. Random codes are seeded from ``seed`` (training batches ``seed + b``,
    test batches ``seed + 10000 + b``). Returns a dict:

    * ``scheme``, ``steps`` (list of ``k``), ``accuracy`` (list, test accuracy at each ``k``);
    * ``chance``: the accuracy of always guessing the most common test class;
    * ``final``: the accuracy at ``k = num_steps``;
    * ``decision``: the first ``k`` of ``steps`` whose accuracy closes ``fraction`` of the gap
      between chance and the final accuracy (``num_steps`` when the final is not above chance).
    """
    encoding.get_scheme(scheme)
    _check_images(train_images, "train_images")
    _check_images(test_images, "test_images")
    y_train = _labels(train_labels, "train_labels", len(train_images))
    y_test = _labels(test_labels, "test_labels", len(test_images))
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    fraction = _checks.real(fraction, "fraction", 0.0, 1.0, min_open=True)
    seed = _checks.integer(seed, "seed")
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    if steps is None:
        steps = range(1, num_steps + 1)
    elif isinstance(steps, str) or not isinstance(steps, Sequence):
        raise TypeError(f"steps must be a sequence of step counts, got {_checks.describe(steps)}")
    ks = sorted({_checks.integer(k, "steps[i]", 1, num_steps) for k in steps} | {num_steps})
    n_class = int(max(y_train.max().item(), y_test.max().item())) + 1
    sums = counts = None
    for start, f in _prefix_features(scheme, train_images, num_steps, ks, seed, params, batch_size):
        y = y_train[start : start + f.shape[1]]
        if sums is None:
            sums = torch.zeros(len(ks), n_class, f.shape[2], dtype=torch.float64)
            counts = torch.zeros(n_class, dtype=torch.float64)
        sums.index_add_(1, y, f.double())
        counts.index_add_(0, y, torch.ones(len(y), dtype=torch.float64))
    means = sums / counts.clamp_min(1).view(1, -1, 1)
    means[:, counts == 0] = 1e6  # far from every image: a class not in training is never predicted
    correct = torch.zeros(len(ks), dtype=torch.float64)
    for start, f in _prefix_features(scheme, test_images, num_steps, ks, seed + 10000, params, batch_size):
        d = torch.cdist(f.double(), means)  # [K, B, C]
        y = y_test[start : start + f.shape[1]]
        correct += (d.argmin(-1) == y).sum(-1).double()
    accuracy = (correct / len(y_test)).tolist()
    chance = torch.bincount(y_test).max().item() / len(y_test)
    final = accuracy[-1]
    decision = num_steps
    if final > chance:
        bar = chance + fraction * (final - chance) - 1e-12
        decision = next(k for k, a in zip(ks, accuracy) if a >= bar)
    return {"scheme": scheme, "steps": ks, "accuracy": accuracy, "chance": chance, "final": final, "decision": decision}
