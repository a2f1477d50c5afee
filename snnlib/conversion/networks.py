"""The two ReLU networks the conversion chapter converts, and a small trainer for them.

* ``"mlp"``: 784-1000-10, the shape of the MNIST chapter's spiking network (inputs ``[B, 784]``);
* ``"cnn"``: conv(1->16, 5x5) - ReLU - avg-pool 2 - conv(16->32, 5x5) - ReLU - avg-pool 2 - flatten -
  linear(512->10) (inputs ``[B, 1, 28, 28]``): average pooling and no batch-norm, so every layer is
  linear followed by a ReLU, which is what conversion needs.

Pixels are scaled to [0, 1] (``scale="unit"`` of :class:`snnlib.data.Batches`) for training and
conversion alike, so the input to the spiking network is a current (or a spike probability) in [0, 1].
"""

from __future__ import annotations

import math
import time
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .. import _checks
from .. import data as _data

__all__ = ["NETWORKS", "make_network", "input_shape", "prepare", "random_shift", "train_ann", "ann_accuracy"]


def _mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 10))


def _cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 5),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Conv2d(16, 32, 5),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(512, 10),
    )


#: Network name -> (constructor, the shape of one input).
NETWORKS: Dict[str, Tuple[Callable[[], nn.Sequential], Tuple[int, ...]]] = {"mlp": (_mlp, (784,)), "cnn": (_cnn, (1, 28, 28))}


def make_network(name: str, seed: int = 0) -> nn.Sequential:
    """A freshly initialised ReLU network ``"mlp"`` or ``"cnn"`` (see the module docstring)."""
    _checks.choice(name, "name", NETWORKS)
    seed = _checks.integer(seed, "seed", 0)
    torch.manual_seed(seed)
    return NETWORKS[name][0]()


def input_shape(name: str) -> Tuple[int, ...]:
    """The shape of one input of network ``name``: ``(784,)`` or ``(1, 28, 28)``."""
    return NETWORKS[_checks.choice(name, "name", NETWORKS)][1]


def prepare(images: torch.Tensor, name: str) -> torch.Tensor:
    """``uint8 [N, 28, 28]`` images -> ``float32 [N, *input_shape(name)]`` with pixels in [0, 1]."""
    _checks.tensor(images, "images", "[N, 28, 28]", ndim=3)
    if images.dtype != torch.uint8:
        raise TypeError(
            f"images must be uint8 pixels [N, 28, 28] (as snnlib.data.load_mnist returns them), got dtype {images.dtype}"
        )
    return (images.to(torch.float32) / 255.0).reshape(images.shape[0], *input_shape(name))


def random_shift(x: torch.Tensor, pixels: int, generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Translate each image of ``x [B, C, H, W]`` by a random whole number of pixels in ``[-pixels, pixels]``.

    The border is filled with zeros (the background of MNIST). Returns a new ``[B, C, H, W]`` tensor.
    """
    _checks.tensor(x, "x", "[B, C, H, W]", ndim=4, dtype="float")
    _checks.host_values(x, "x", "[B, C, H, W]")
    pixels = _checks.integer(pixels, "pixels", 0)
    if pixels == 0:
        return x
    B, C, H, W = x.shape
    padded = F.pad(x, (pixels, pixels, pixels, pixels))
    dy = torch.randint(0, 2 * pixels + 1, (B,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pixels + 1, (B,), generator=generator).to(x.device)
    rows = (dy[:, None] + torch.arange(H, device=x.device))[:, None, :, None].expand(B, C, H, W)
    cols = (dx[:, None] + torch.arange(W, device=x.device))[:, None, None, :].expand(B, C, H, W)
    batch = torch.arange(B, device=x.device)[:, None, None, None].expand(B, C, H, W)
    chan = torch.arange(C, device=x.device)[None, :, None, None].expand(B, C, H, W)
    return padded[batch, chan, rows, cols]


def train_ann(
    net: nn.Sequential,
    images: torch.Tensor,
    labels: torch.Tensor,
    name: str,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    shift: int = 0,
    seed: int = 0,
    log: Optional[Callable[[str], None]] = None,
) -> List[dict]:
    """Train ``net`` in place with Adam (cosine learning-rate decay) and cross-entropy.

    ``images`` ``uint8 [N, 28, 28]`` and ``labels`` ``int64 [N]`` (as :func:`snnlib.data.load_mnist`
    returns them), batched by :class:`snnlib.data.Batches` with pixels in [0, 1]; ``name``
    (``"mlp"``/``"cnn"``) gives the input shape; ``shift`` > 0 translates each training image by up
    to that many pixels (a mild augmentation, for the CNN). Returns one record per epoch
    (``epoch``, ``train_loss``, ``seconds``); ``log`` receives one line per epoch.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {_checks.describe(net)}")
    _checks.integer(shift, "shift", 0)
    epochs = _checks.integer(epochs, "epochs", 1)
    lr = _checks.positive(lr, "lr")
    shape = input_shape(name)
    device = next(net.parameters()).device
    batches = _data.Batches(images, labels, batch_size=batch_size, shuffle=True, seed=seed, device=device, scale="unit")
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    total = epochs * len(batches)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 * (1 + math.cos(math.pi * min(k, total) / total)))
    gen = torch.Generator().manual_seed(int(seed))
    history = []
    net.train()
    for epoch in range(epochs):
        t0, loss_sum, n = time.perf_counter(), 0.0, 0
        for x, y in batches:
            x = x.reshape(x.shape[0], *shape)
            if shift and len(shape) == 3:
                x = random_shift(x, shift, gen)
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss.detach()) * y.shape[0]
            n += y.shape[0]
        rec = {"epoch": epoch + 1, "train_loss": loss_sum / n, "seconds": time.perf_counter() - t0}
        history.append(rec)
        if log is not None:
            log(f"epoch {rec['epoch']}/{epochs}: loss {rec['train_loss']:.4f} ({rec['seconds']:.1f} s)")
    net.eval()
    return history


def ann_accuracy(net: nn.Module, x: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    """The fraction of inputs ``x [N, ...]`` whose largest logit is the label ``labels [N]``, in [0, 1]."""
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {_checks.describe(net)}")
    _checks.tensor(x, "x", "[N, ...]", min_dim=1, dtype="float", finite=True)
    batch_size = _checks.integer(batch_size, "batch_size", 1)
    _checks.tensor(labels, "labels", "[N]", ndim=1, dtype="integer")
    if labels.shape[0] != x.shape[0]:
        raise ValueError(f"labels must have shape [{x.shape[0]}] (one per input), got {tuple(labels.shape)}")
    correct = 0
    net.eval()
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            out = net(x[start : start + batch_size])
            correct += int((out.argmax(1) == labels[start : start + batch_size].to(out.device)).sum())
    return correct / x.shape[0]
