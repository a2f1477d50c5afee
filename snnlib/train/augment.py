"""Data augmentation of the training batches: small random shifts of the digits.

A handwritten digit moved by a pixel or two is the same digit; showing the network such copies
teaches it that position carries no class information, which a fully connected network cannot
know on its own (it sees every pixel as a separate input). :func:`random_shift` moves each image
of a batch by its own random offset of at most ``max_shift`` pixels in each direction, filling the
uncovered border with the background value; :class:`Shifter` draws the offsets of one epoch from a
generator seeded by ``(seed, epoch)``, so a resumed run sees the same shifts as an uninterrupted one.
Only training batches are shifted; the test set never is.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

from .._checks import describe, integer, real, tensor

__all__ = ["random_shift", "Shifter"]


def random_shift(x: torch.Tensor, max_shift: int, generator: Optional[torch.Generator] = None, fill: float = 0.0) -> torch.Tensor:
    """Each image of ``x`` ``[B, H, W]`` moved by its own random offset in ``[-max_shift, max_shift]``
    along each axis (uniform, independent); the border it uncovers takes the value ``fill``.

    Returns a new tensor ``[B, H, W]`` of the same dtype and device; ``max_shift=0`` returns ``x``
    itself. ``generator``: a :class:`torch.Generator` on ``x``'s device (default: torch's global one).
    """
    tensor(x, "x", "[B, H, W]", ndim=3, dtype="float")
    max_shift = integer(max_shift, "max_shift", 0)
    fill = real(fill, "fill")
    if max_shift == 0:
        return x
    B, H, W = x.shape
    s = max_shift
    padded = F.pad(x, (s, s, s, s), value=fill)
    offsets = torch.randint(0, 2 * s + 1, (B, 2), generator=generator, device=x.device)
    rows = torch.arange(H, device=x.device)[None, :] + offsets[:, :1]  # [B, H]
    cols = torch.arange(W, device=x.device)[None, :] + offsets[:, 1:]  # [B, W]
    batch = torch.arange(B, device=x.device)[:, None, None]
    return padded[batch, rows[:, :, None], cols[:, None, :]]


class Shifter:
    """The random shifts of one training epoch: ``shifter(x)`` is :func:`random_shift` of ``x``.

    Args:
        max_shift: the largest shift in pixels (0: ``shifter(x)`` returns ``x``).
        seed, epoch: seed the offsets, so that the same (seed, epoch) gives the same shifts.
        device: the device of the batches.
        fill: the value of the uncovered border (the background: 0 for unit-scaled pixels).
    """

    def __init__(self, max_shift: int, seed: int, epoch: int, device, fill: float = 0.0):
        self.max_shift = integer(max_shift, "max_shift", 0)
        seed, epoch = integer(seed, "seed", 0), integer(epoch, "epoch", 0)
        self.fill = real(fill, "fill")
        if not isinstance(device, (str, torch.device)):
            raise TypeError(f"device must be a torch.device or its name, got {describe(device)}")
        try:
            device = torch.device(device)
        except RuntimeError:
            raise ValueError(f"device must name a torch device such as 'cpu' or 'cuda:0', got {device!r}") from None
        state = np.random.SeedSequence([seed, epoch, 0x5F1F7]).generate_state(1, np.uint64)[0] >> np.uint64(1)
        self.generator = torch.Generator(device=device).manual_seed(int(state))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``[B, 28, 28]`` (or flattened ``[B, 784]``) shifted, same shape; ``x`` itself when ``max_shift`` is 0."""
        if self.max_shift == 0:
            return x
        if x.dim() == 2 and x.shape[1] == 784:
            return random_shift(x.reshape(-1, 28, 28), self.max_shift, self.generator, self.fill).reshape(x.shape)
        return random_shift(x, self.max_shift, self.generator, self.fill)
