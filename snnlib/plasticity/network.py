r"""The Diehl & Cook (2015) network: one presentation of one image, in C (fast) or in PyTorch (reference).

784 Poisson inputs (one per pixel) project with plastic weights ``W`` ``[784, N]`` onto ``N``
excitatory conductance-based LIF neurons with adaptive thresholds. Each excitatory neuron drives
one inhibitory neuron (weight ``w_ei``), and each inhibitory neuron inhibits every excitatory
neuron except the one that drove it (weight ``w_ie``): the two populations of the paper, which
make the network a soft winner-take-all. Parameters are the paper's (and its published code's):
``dt = 0.5 ms``, 350 ms per image, input rates up to 63.75 Hz, raised by 31.875 Hz and the image
shown again while fewer than 5 excitatory spikes arrive.

Learning (when ``learn=True``): before each image every column of ``W`` (the incoming weights of
one neuron) is scaled to sum to ``norm_total = 78``; at each input spike ``w -= nu_pre * x_post``
(clipped at 0) and at each excitatory spike ``w += nu_post * x_pre`` (clipped at ``w_max``), with
nearest-spike traces (set to 1 at a spike, decaying with 20 ms). The threshold of a neuron rises
by ``theta_plus`` at each of its spikes (homeostasis) and decays with ``tau_theta = 1e7 ms``.

``stdp_rule`` chooses the learning rule (see :data:`STDP_RULES`): the pair rule above (default),
the triplet rule of the paper's published code, or the offset rule of its methods text;
``pre_trace="add"`` makes the presynaptic trace grow by 1 at each spike instead of being set to 1.

Simplification, stated: the 150 ms rest between images is replaced by resetting the state (the
traces and conductances would decay to ~0 in that time anyway; the membrane potential only
mostly, with its 100 ms time constant). The code's random input delays (0-10 ms) are left out.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Optional, Tuple

import torch

from .. import _checks
from . import _kernel

__all__ = [
    "DiehlCookParams",
    "DiehlCookNet",
    "init_network",
    "input_events",
    "present",
    "present_once",
    "present_reference",
    "PARAM_ORDER",
    "STDP_RULES",
]


@dataclass(frozen=True)
class DiehlCookParams:
    """Parameters of the network (times in ms, potentials in mV, rates in Hz; the paper's values)."""

    dt: float = 0.5
    t_present: float = 350.0
    t_rest: float = 150.0
    tau_e: float = 100.0
    v_rest_e: float = -65.0
    v_reset_e: float = -65.0
    v_thresh_e: float = -52.0
    refrac_e: float = 5.0
    tau_i: float = 10.0
    v_rest_i: float = -60.0
    v_reset_i: float = -45.0
    v_thresh_i: float = -40.0
    refrac_i: float = 2.0
    e_exc: float = 0.0
    e_inh: float = -100.0
    tau_ge: float = 1.0
    tau_gi: float = 2.0
    w_ei: float = 10.4
    w_ie: float = 17.0
    nu_pre: float = 1e-4
    nu_post: float = 1e-2
    tau_pre: float = 20.0
    tau_post: float = 20.0
    w_max: float = 1.0
    theta_plus: float = 0.05
    tau_theta: float = 1e7
    norm_total: float = 78.0
    stdp_rule: str = "pair"
    tau_post2: float = 40.0
    x_tar: float = 0.4
    mu: float = 0.2
    pre_trace: str = "set"
    max_rate: float = 63.75
    rate_step: float = 31.875
    min_spikes: int = 5
    max_repeats: int = 10
    lateral_inhibition: bool = True
    adaptive_threshold: bool = True

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type in ("bool", bool):
                _checks.boolean(value, f.name)
            elif f.name == "stdp_rule":
                _checks.choice(value, f.name, STDP_RULES)
            elif f.name == "pre_trace":
                _checks.choice(value, f.name, ("set", "add"))
            elif f.name in ("min_spikes", "max_repeats"):
                _checks.integer(value, f.name, minimum=0)
            elif f.name.startswith(("v_", "e_")):
                _checks.real(value, f.name)
            else:
                _checks.real(value, f.name, minimum=0.0, min_open=f.name in ("dt", "t_present") or f.name.startswith("tau"))

    @property
    def num_steps(self) -> int:
        """Steps per presentation, ``round(t_present / dt)``."""
        return max(1, round(self.t_present / self.dt))


#: The order of the numbers handed to the C kernel (see ``_kernel._SOURCE``).
PARAM_ORDER = (
    "dt_tau_e",
    "v_rest_e",
    "v_reset_e",
    "v_thresh_e",
    "ref_e",
    "dt_tau_i",
    "v_rest_i",
    "v_reset_i",
    "v_thresh_i",
    "ref_i",
    "e_exc",
    "e_inh",
    "d_ge",
    "d_gi",
    "w_ei",
    "w_ie",
    "nu_pre",
    "nu_post",
    "d_post",
    "w_max",
    "theta_plus",
    "norm_total",
    "rule",
    "d_post2",
    "x_tar",
    "mu",
    "pre_add",
)

#: The learning rules of the network (``DiehlCookParams.stdp_rule``): ``"pair"`` (the paper's
#: pre-and-post rule: depression ``nu_pre * x_post`` at each input spike, potentiation
#: ``nu_post * x_pre`` at each excitatory spike), ``"triplet"`` (the paper's published code: the
#: potentiation is also multiplied by a second, slower postsynaptic trace ``x_post2``
#: (``tau_post2``) read just before the spike), ``"offset"`` (the rule of the paper's methods text:
#: only at an excitatory spike, ``nu_post * (x_pre - x_tar) * (w_max - w) ** mu``, no depression at
#: input spikes).
STDP_RULES = ("pair", "triplet", "offset")


def _derived(p: DiehlCookParams) -> dict:
    """The per-step constants of both implementations (decay factors, refractory steps)."""
    return {
        "dt_tau_e": p.dt / p.tau_e,
        "v_rest_e": p.v_rest_e,
        "v_reset_e": p.v_reset_e,
        "v_thresh_e": p.v_thresh_e,
        "ref_e": round(p.refrac_e / p.dt),
        "dt_tau_i": p.dt / p.tau_i,
        "v_rest_i": p.v_rest_i,
        "v_reset_i": p.v_reset_i,
        "v_thresh_i": p.v_thresh_i,
        "ref_i": round(p.refrac_i / p.dt),
        "e_exc": p.e_exc,
        "e_inh": p.e_inh,
        "d_ge": math.exp(-p.dt / p.tau_ge),
        "d_gi": math.exp(-p.dt / p.tau_gi),
        "w_ei": p.w_ei,
        "w_ie": p.w_ie if p.lateral_inhibition else 0.0,
        "nu_pre": p.nu_pre,
        "nu_post": p.nu_post,
        "d_post": math.exp(-p.dt / p.tau_post),
        "w_max": p.w_max,
        "theta_plus": p.theta_plus,
        "norm_total": p.norm_total,
        "rule": STDP_RULES.index(p.stdp_rule),
        "d_post2": math.exp(-p.dt / p.tau_post2),
        "x_tar": p.x_tar,
        "mu": p.mu,
        "pre_add": int(p.pre_trace == "add"),
    }


@dataclass
class DiehlCookNet:
    """The learned state: weights ``w`` ``[784, N]`` (float32), thresholds ``theta`` ``[N]`` (mV), parameters."""

    w: torch.Tensor
    theta: torch.Tensor
    params: DiehlCookParams

    def __post_init__(self):
        _checks.finite_tensor(self.w, "w", "[N_in, N] (float32)", ndim=2, dtype="float")
        _checks.finite_tensor(self.theta, "theta", "[N] (float32)", ndim=1, dtype="float")
        if self.w.dtype != torch.float32 or self.theta.dtype != torch.float32 or self.theta.shape[0] != self.w.shape[1]:
            raise ValueError(
                f"w must be float32 [N_in, N] and theta float32 [N] with the same N, got w {self.w.dtype} "
                f"{tuple(self.w.shape)} and theta {self.theta.dtype} {tuple(self.theta.shape)}"
            )
        if not isinstance(self.params, DiehlCookParams):
            raise TypeError(f"params must be a DiehlCookParams, got {_checks.describe(self.params)}")

    @property
    def num_neurons(self) -> int:
        return int(self.w.shape[1])


def init_network(
    num_neurons: int, num_inputs: int = 784, params: Optional[DiehlCookParams] = None, seed: int = 0
) -> DiehlCookNet:
    """A fresh network: weights uniform in ``[0.003, 0.303]`` (the paper's code), thresholds 0."""
    num_neurons = _checks.integer(num_neurons, "num_neurons", minimum=1)
    num_inputs = _checks.integer(num_inputs, "num_inputs", minimum=1)
    seed = _checks.integer(seed, "seed")
    if params is None:
        params = DiehlCookParams()
    elif not isinstance(params, DiehlCookParams):
        raise TypeError(f"params must be a DiehlCookParams, got {_checks.describe(params)}")
    gen = torch.Generator().manual_seed(seed)
    w = (torch.rand(num_inputs, num_neurons, generator=gen) + 0.01) * 0.3
    return DiehlCookNet(w.contiguous(), torch.zeros(num_neurons), params)


def _check_net(net) -> DiehlCookNet:
    if not isinstance(net, DiehlCookNet):
        raise TypeError(f"net must be a DiehlCookNet (see init_network), got {_checks.describe(net)}")
    return net


def input_events(
    image: torch.Tensor, rate_hz: float, num_steps: int, dt: float, generator: Optional[torch.Generator] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Poisson (Bernoulli per step) input spikes of one image as an event list.

    Args:
        image: intensities in [0, 1], shape ``[784]`` (any shape; flattened).
        rate_hz: the rate of a pixel of intensity 1; ``dt`` in ms.

    Returns:
        ``(off, idx)``, int32: ``idx[off[t]:off[t + 1]]`` are the inputs that spike at step ``t``
        (``off`` ``[num_steps + 1]``). Only non-zero pixels are drawn (sparse input).
    """
    image = _checks.finite_tensor(image, "image", "[784]", dtype="float").reshape(-1)
    num_steps = _checks.integer(num_steps, "num_steps", minimum=1)
    p_max = _checks.positive(rate_hz, "rate_hz") * _checks.positive(dt, "dt") / 1000.0
    nz = torch.nonzero(image > 0).reshape(-1)
    p = image[nz].double() * p_max
    if nz.numel() == 0 or float(p.max()) > 1.0:
        if nz.numel() == 0:
            return torch.zeros(num_steps + 1, dtype=torch.int32), torch.zeros(0, dtype=torch.int32)
        raise ValueError(
            f"rate_hz * dt must stay <= 1000 (a spike probability per step <= 1), got rate_hz={rate_hz:g}, dt={dt:g}"
        )
    # A Bernoulli process per pixel, drawn as geometric intervals between spikes: only about
    # T * p numbers per pixel instead of T (the same law as snnlib.encoding.rate, much faster).
    mean = num_steps * float(p.max())
    k = int(mean + 6.0 * math.sqrt(mean) + 8)
    log_q = torch.log1p(-p.clamp_max(1.0 - 1e-12))
    times = torch.zeros(nz.numel(), 0, dtype=torch.float64)
    last = torch.full((nz.numel(),), -1.0, dtype=torch.float64)
    while bool((last < num_steps).any()):
        u = 1.0 - torch.rand(nz.numel(), k, dtype=torch.float64, generator=generator)
        gaps = torch.floor(torch.log(u) / log_q[:, None]) + 1.0
        gaps = torch.where(p[:, None] >= 1.0, torch.ones_like(gaps), gaps)
        block = last[:, None] + torch.cumsum(gaps, 1)
        times = torch.cat([times, block], 1)
        last = block[:, -1]
    pix, _ = torch.nonzero(times < num_steps, as_tuple=True)
    t = times[times < num_steps].long()
    order = torch.argsort(t, stable=True)
    t, k = t[order], pix[order]
    off = torch.zeros(num_steps + 1, dtype=torch.int64)
    off[1:] = torch.cumsum(torch.bincount(t, minlength=num_steps), 0)
    return off.to(torch.int32), nz[k].to(torch.int32)


def present_reference(net: DiehlCookNet, off: torch.Tensor, idx: torch.Tensor, learn: bool, adapt: bool) -> torch.Tensor:
    """One presentation in PyTorch, step by step (updates ``net.w`` and ``net.theta`` in place).

    Same operations in the same order as the C kernel; returns the spike counts ``[N]`` (int64).
    """
    net = _check_net(net)
    off, idx = _kernel.check_events(off, idx, net.w.shape[0])
    learn, adapt = _checks.boolean(learn, "learn"), _checks.boolean(adapt, "adapt")
    c = _derived(net.params)
    w, theta = net.w, net.theta
    n_in, n = w.shape
    num_steps = off.numel() - 1
    if learn and c["norm_total"] > 0:
        sums = w.sum(0)
        w.mul_(torch.where(sums > 0, c["norm_total"] / sums.clamp_min(1e-30), torch.ones_like(sums)))
    z = lambda: torch.zeros(n)
    v, vi = torch.full((n,), c["v_rest_e"]), torch.full((n,), c["v_rest_i"])
    ge, gi, gei, xpost, xpost2 = z(), z(), z(), z(), z()
    refr, refri = torch.zeros(n, dtype=torch.int64), torch.zeros(n, dtype=torch.int64)
    xpre = torch.zeros(n_in)  # set to 1 (or, with pre_trace='add', raised by 1) at a spike
    d_pre = math.exp(-net.params.dt / net.params.tau_pre)
    counts = torch.zeros(n, dtype=torch.int64)
    for t in range(num_steps):
        ge.mul_(c["d_ge"]), gi.mul_(c["d_gi"]), gei.mul_(c["d_ge"]), xpost.mul_(c["d_post"])
        xpost2.mul_(c["d_post2"])
        xpre.mul_(d_pre)
        active = idx[off[t] : off[t + 1]].long()
        for i in active.tolist():  # one row at a time, like the kernel (an input may repeat: no)
            ge.add_(w[i])
            if learn:
                xpre[i] = xpre[i] + 1.0 if c["pre_add"] else 1.0
            if learn and c["rule"] != 2:
                w[i] = (w[i] - c["nu_pre"] * xpost).clamp_min(0.0)
        free = refr == 0
        refr = torch.where(free, refr, refr - 1)
        g = 1.0 + ge + gi
        vinf = (c["v_rest_e"] + ge * c["e_exc"] + gi * c["e_inh"]) / g
        a = (c["dt_tau_e"] * g).clamp_max(1.0)
        v = torch.where(free, v + a * (vinf - v), v)
        spk = free & (v > c["v_thresh_e"] + theta)
        if bool(spk.any()):
            v = torch.where(spk, torch.full_like(v, c["v_reset_e"]), v)
            refr = torch.where(spk, torch.full_like(refr, c["ref_e"]), refr)
            counts += spk.long()
            gei += spk.float() * c["w_ei"]
            if adapt:
                theta += spk.float() * c["theta_plus"]
            if learn:
                cols = spk.nonzero().reshape(-1)
                if c["rule"] == 2:  # the offset rule, soft-bounded by (w_max - w) ** mu
                    room = (c["w_max"] - w[:, cols]).clamp_min(0.0) ** c["mu"]
                    dw = c["nu_post"] * (xpre[:, None] - c["x_tar"]) * room
                    w[:, cols] = (w[:, cols] + dw).clamp(0.0, c["w_max"])
                else:  # pair, or triplet (times the slow trace before this spike)
                    f = xpost2[cols] if c["rule"] == 1 else torch.ones(cols.numel())
                    dw = c["nu_post"] * xpre[:, None] * f[None, :]
                    w[:, cols] = (w[:, cols] + dw).clamp_max(c["w_max"])
                xpost[spk] = 1.0
                xpost2[spk] = 1.0
        free_i = refri == 0
        refri = torch.where(free_i, refri, refri - 1)
        g = 1.0 + gei
        vinf = (c["v_rest_i"] + gei * c["e_exc"]) / g
        a = (c["dt_tau_i"] * g).clamp_max(1.0)
        vi = torch.where(free_i, vi + a * (vinf - vi), vi)
        spk_i = free_i & (vi > c["v_thresh_i"])
        if bool(spk_i.any()):
            vi = torch.where(spk_i, torch.full_like(vi, c["v_reset_i"]), vi)
            refri = torch.where(spk_i, torch.full_like(refri, c["ref_i"]), refri)
            gi = gi - spk_i.float() * c["w_ie"] + c["w_ie"] * float(spk_i.sum())
    return counts


def present_once(
    net: DiehlCookNet, off: torch.Tensor, idx: torch.Tensor, learn: bool, adapt: bool, reference: bool = False
) -> torch.Tensor:
    """One presentation of an event list (C kernel, or the PyTorch reference); spike counts ``[N]``."""
    net = _check_net(net)
    off, idx = _kernel.check_events(off, idx, net.w.shape[0])
    learn, adapt = _checks.boolean(learn, "learn"), _checks.boolean(adapt, "adapt")
    lib = None if _checks.boolean(reference, "reference") else _kernel.library()
    if lib is None:
        return present_reference(net, off, idx, learn, adapt)
    c = _derived(net.params)
    p = torch.tensor([float(c[k]) for k in PARAM_ORDER], dtype=torch.float64)
    n_in, n = net.w.shape
    if not (net.w.is_contiguous() and net.w.dtype == torch.float32):
        raise ValueError("net.w must be a contiguous float32 tensor of shape [784, N]")
    off, idx = off.contiguous(), idx.contiguous()
    num_steps = off.numel() - 1
    table = torch.exp(-torch.arange(num_steps + 1, dtype=torch.float64) * net.params.dt / net.params.tau_pre)
    table = table.float()
    counts = torch.zeros(n, dtype=torch.int32)
    total = lib.dc_present(
        n_in,
        n,
        num_steps,
        off.data_ptr(),
        idx.data_ptr(),
        net.w.data_ptr(),
        net.theta.data_ptr(),
        counts.data_ptr(),
        p.data_ptr(),
        int(learn),
        int(adapt),
        table.data_ptr(),
    )
    if total < 0:
        raise MemoryError("the Diehl & Cook kernel could not allocate its work buffers")
    return counts.long()


def present(
    net: DiehlCookNet,
    image: torch.Tensor,
    learn: bool = True,
    generator: Optional[torch.Generator] = None,
    reference: bool = False,
) -> torch.Tensor:
    """Show one image (intensities in [0, 1], ``[784]``) as in the paper; spike counts ``[N]`` (int64).

    Repeats with the input rate raised by ``rate_step`` while fewer than ``min_spikes`` excitatory
    spikes arrive (at most ``max_repeats`` times). With ``learn``, STDP and the adaptive threshold
    (if ``params.adaptive_threshold``) change ``net`` in place; thresholds then decay by
    ``exp(-(t_present + t_rest) / tau_theta)`` per presentation.
    """
    net = _check_net(net)
    learn = _checks.boolean(learn, "learn")
    _checks.tensor(image, "image", f"[{net.w.shape[0]}]", dtype="float")
    if image.numel() != net.w.shape[0]:
        raise ValueError(f"image must have {net.w.shape[0]} pixels (the network's inputs), got shape {tuple(image.shape)}")
    p = net.params
    adapt = learn and p.adaptive_threshold
    rate = p.max_rate
    for _ in range(p.max_repeats + 1):
        off, idx = input_events(image, rate, p.num_steps, p.dt, generator)
        counts = present_once(net, off, idx, learn, adapt, reference=reference)
        if adapt:
            net.theta.mul_(math.exp(-(p.t_present + p.t_rest) / p.tau_theta))
        if int(counts.sum()) >= p.min_spikes:
            break
        rate += p.rate_step
    return counts
