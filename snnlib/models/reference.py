"""The networks the spiking MLP is compared with: an ANN of the same shape and two reference SNNs.

:class:`ANN` is the non-spiking network (784-1000-10, ReLU); :class:`TorchReference` is the spiking
network as a plain-PyTorch per-step loop (no library), :class:`SnnTorchReference` is snnTorch's
tutorial network. The benchmarks time them against :class:`snnlib.models.SpikingMLP`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .. import _checks

__all__ = ["ANN", "ANNRecord", "TorchReference", "SnnTorchReference"]


class ANNRecord(NamedTuple):
    """What :meth:`ANN.record` returns."""

    #: the output logits ``[B, num_outputs]``.
    logits: torch.Tensor
    #: the hidden activations ``[B, num_hidden]`` (no gradient), e.g. to count operations.
    hidden: torch.Tensor


class ANN(nn.Module):
    """The non-spiking network of the same shape: ``784 -> 1000 (ReLU) -> 10``; ``x`` ``[B, 28, 28]`` -> logits ``[B, 10]``.

    :meth:`record` also returns the hidden activations ``[B, 1000]`` (to count operations).
    """

    def __init__(self, num_inputs: int = 784, num_hidden: int = 1000, num_outputs: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(
            _checks.integer(num_inputs, "num_inputs", minimum=1), _checks.integer(num_hidden, "num_hidden", minimum=1)
        )
        self.fc2 = nn.Linear(num_hidden, _checks.integer(num_outputs, "num_outputs", minimum=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.record(x).logits

    def record(self, x: torch.Tensor) -> ANNRecord:
        """``x`` ``[B, 28, 28]`` or ``[B, 784]`` -> :class:`ANNRecord` ``(logits [B, 10], hidden [B, 1000])``."""
        _checks.tensor(x, "x", "[B, 28, 28] or [B, 784]", min_dim=2)
        h = F.relu(self.fc1(x.reshape(x.shape[0], -1)))
        return ANNRecord(self.fc2(h), h.detach())


class _RefATan(torch.autograd.Function):
    """The arctan surrogate written from scratch, as a plain-PyTorch tutorial would (alpha = 2)."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).float()

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad * 1.0 / (1 + (math.pi * u) ** 2)


class TorchReference(nn.Module):
    """The reference network as a plain-PyTorch per-step loop (no library): ``x`` ``[B, 28, 28]`` -> ``[T, B, 10]`` twice."""

    def __init__(self, num_steps: int = 25, beta: float = 0.95, num_hidden: int = 1000):
        super().__init__()
        self.num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
        self.beta = _checks.probability(beta, "beta")
        num_hidden = _checks.integer(num_hidden, "num_hidden", minimum=1)
        self.fc1 = nn.Linear(784, num_hidden)
        self.fc2 = nn.Linear(num_hidden, 10)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        mem1 = torch.zeros(x.shape[0], self.fc1.out_features, device=x.device)
        mem2 = torch.zeros(x.shape[0], 10, device=x.device)
        spk2_rec, mem2_rec = [], []
        for _ in range(self.num_steps):
            reset1 = (mem1 > 1.0).float().detach()
            mem1 = self.beta * mem1 + self.fc1(x) - reset1
            spk1 = _RefATan.apply(mem1 - 1.0)
            reset2 = (mem2 > 1.0).float().detach()
            mem2 = self.beta * mem2 + self.fc2(spk1) - reset2
            spk2 = _RefATan.apply(mem2 - 1.0)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        return torch.stack(spk2_rec), torch.stack(mem2_rec)


class SnnTorchReference(nn.Module):
    """snnTorch's tutorial network (``snn.Leaky(beta=0.95)``, arctan): ``x`` ``[B, 28, 28]`` -> ``[T, B, 10]`` twice.

    Needs the ``snntorch`` package (imported when the model is made).
    """

    def __init__(self, num_steps: int = 25, beta: float = 0.95, num_hidden: int = 1000):
        super().__init__()
        import snntorch as snn
        from snntorch import surrogate as ssur

        self.num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
        beta = _checks.probability(beta, "beta")
        num_hidden = _checks.integer(num_hidden, "num_hidden", minimum=1)
        self.fc1 = nn.Linear(784, num_hidden)
        self.lif1 = snn.Leaky(beta=beta, spike_grad=ssur.atan())
        self.fc2 = nn.Linear(num_hidden, 10)
        self.lif2 = snn.Leaky(beta=beta, spike_grad=ssur.atan())

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        mem1 = self.lif1.init_leaky()
        mem2 = self.lif2.init_leaky()
        spk2_rec, mem2_rec = [], []
        for _ in range(self.num_steps):
            cur1 = self.fc1(x)
            spk1, mem1 = self.lif1(cur1, mem1)
            cur2 = self.fc2(spk1)
            spk2, mem2 = self.lif2(cur2, mem2)
            spk2_rec.append(spk2)
            mem2_rec.append(mem2)
        return torch.stack(spk2_rec, dim=0), torch.stack(mem2_rec, dim=0)
