"""Batches of a whole data set kept on the device: :class:`Batches` (part of :mod:`snnlib.data`)."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple, Union

import numpy as np
import torch

from .._checks import boolean, choice, describe, integer, positive, real
from .._core import get_device

__all__ = ["Batches", "MNIST_MEAN", "MNIST_STD", "SCALES"]

#: Pixel mean and standard deviation (of pixel/255) over the MNIST training set.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
#: The pixel scalings of :class:`Batches`.
SCALES = ("unit", "standard")


def _epoch_seed(seed: int, epoch: int) -> int:
    """A 63-bit generator seed from (seed, epoch): distinct pairs give unrelated permutations."""
    return int(
        np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(epoch) & 0xFFFFFFFF]).generate_state(2, np.uint64)[0] >> np.uint64(1)
    )


def _check_images(images) -> None:
    # images/labels that are not tensors are a ValueError (not a TypeError): tests/test_data.py asserts it.
    if not isinstance(images, torch.Tensor) or images.dim() < 2:
        got = f"shape {tuple(images.shape)}" if isinstance(images, torch.Tensor) else describe(images)
        raise ValueError(f"images must be a tensor [N, 28, 28] (or [N, ...]), got {got}")
    if images.dtype != torch.uint8:
        raise TypeError(
            f"images must hold uint8 pixels 0..255 [N, 28, 28] (as snnlib.data.load_mnist returns them), got "
            f"dtype {images.dtype}: float images would be divided by 255 again; convert pixels in [0, 1] "
            "with (images * 255).round().to(torch.uint8)"
        )
    if images.shape[0] == 0 or images[0].numel() == 0:
        raise ValueError(f"images must not be empty: expected [N, 28, 28] with N >= 1, got shape {tuple(images.shape)}")


def _check_labels(labels, n: int, num_classes: int) -> None:
    if not isinstance(labels, torch.Tensor) or tuple(labels.shape) != (n,):
        got = f"shape {tuple(labels.shape)}" if isinstance(labels, torch.Tensor) else describe(labels)
        raise ValueError(f"labels must be a tensor [N] with N = {n} (one per image), got {got}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"labels must be an integer tensor [N] (class indices), got dtype {labels.dtype}")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise ValueError(f"labels must be class indices in 0..{num_classes - 1} (num_classes = {num_classes}), got {bad}")


class Batches:
    """Shuffled, normalised batches of a whole data set kept on one device.

    ``images`` ``uint8 [N, 28, 28]`` (or any ``[N, ...]``, pixels 0..255), ``labels`` integer ``[N]``
    (class indices ``0 .. num_classes - 1``): both are moved to ``device`` once. Iterating yields
    ``(x, y)``: ``x`` ``float32 [B, 28, 28]`` on the device (``[B, 784]`` with ``flatten=True``),
    ``y`` ``int64 [B]``. ``scale="unit"``: pixel/255 in [0, 1]; ``"standard"``: (pixel/255 - mean)/std
    with MNIST's 0.1307/0.3081 unless ``mean``/``std`` are given (finite; ``std > 0``).
    Each epoch's order is a permutation seeded by ``(seed, epoch)``; ``set_epoch(e)`` picks it, otherwise
    each new iteration advances the epoch by one (so a resumed run can replay the same order).
    ``drop_last=True`` drops the last, smaller batch.

    Raises:
        ValueError: ``images`` not a tensor ``[N, ...]`` (or empty), ``labels`` not a tensor ``[N]`` or
            outside ``0 .. num_classes - 1``, ``batch_size < 1``, an unknown ``scale``, a negative
            ``seed``, a NaN/inf ``mean`` or ``std``, ``std <= 0``.
        TypeError: images that are not uint8, float labels, a non-integer ``batch_size`` or ``seed``,
            non-boolean flags.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int = 128,
        shuffle: bool = True,
        seed: int = 0,
        device: Union[str, torch.device, None] = None,
        scale: str = "unit",
        drop_last: bool = False,
        flatten: bool = False,
        mean: Optional[float] = None,
        std: Optional[float] = None,
        num_classes: int = 10,
    ):
        _check_images(images)
        num_classes = integer(num_classes, "num_classes", 1)
        _check_labels(labels, images.shape[0], num_classes)
        self.num_classes = num_classes
        self.batch_size = integer(batch_size, "batch_size", 1)
        self.shuffle = boolean(shuffle, "shuffle")
        self.seed = integer(seed, "seed", 0)
        self.scale = choice(scale, "scale", SCALES)
        self.drop_last = boolean(drop_last, "drop_last")
        self.flatten = boolean(flatten, "flatten")
        self.mean = MNIST_MEAN if mean is None else real(mean, "mean")
        self.std = MNIST_STD if std is None else positive(std, "std")
        self.device = get_device(device)
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.int64)
        self._epoch: Optional[int] = None
        self._next_epoch = 0
        self.epoch: Optional[int] = None  # the epoch of the latest iteration

    def __len__(self) -> int:
        n = self.labels.shape[0]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    @property
    def num_samples(self) -> int:
        """How many samples one epoch yields (all N, or fewer with ``drop_last``)."""
        return min(len(self) * self.batch_size, self.labels.shape[0])

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration use epoch ``epoch``'s order (later ones continue from ``epoch + 1``)."""
        self._epoch = integer(epoch, "epoch", 0)

    def order(self, epoch: int) -> torch.Tensor:
        """The permutation ``int64 [N]`` (on the device) that epoch ``epoch`` visits the samples in."""
        epoch = integer(epoch, "epoch", 0)
        n = self.labels.shape[0]
        if not self.shuffle:
            return torch.arange(n, device=self.device)
        gen = torch.Generator().manual_seed(_epoch_seed(self.seed, epoch))
        return torch.randperm(n, generator=gen).to(self.device)

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        """``uint8 [B, ...]`` pixels to ``float32 [B, ...]`` in the chosen scale (and flattened if asked)."""
        if not isinstance(x, torch.Tensor) or x.dtype != torch.uint8 or x.dim() < 1:
            got = f"dtype {x.dtype}, shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) else describe(x)
            raise TypeError(f"x must be a uint8 tensor of pixels [B, ...] (0..255), got {got}")
        x = x.to(torch.float32).div_(255.0)  # in place: one new tensor per batch
        if self.scale == "standard":
            x = x.sub_(self.mean).div_(self.std)
        return x.flatten(1) if self.flatten else x

    def __iter__(self) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
        epoch = self._epoch if self._epoch is not None else self._next_epoch
        self._epoch = None
        self._next_epoch = epoch + 1
        self.epoch = epoch
        order = self.order(epoch)
        for i in range(len(self)):
            idx = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield self.normalise(self.images[idx]), self.labels[idx]

    def __repr__(self) -> str:
        return (
            f"Batches(N={self.labels.shape[0]}, batch_size={self.batch_size}, batches={len(self)}, "
            f"shuffle={self.shuffle}, seed={self.seed}, device={self.device}, scale={self.scale!r})"
        )
