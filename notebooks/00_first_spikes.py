# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Your first spikes
#
# Welcome! This first notebook is short. It
#
# 1. checks that your environment works (Python packages, device, quick mode),
# 2. makes a **spike train**, the currency of spiking networks, and draws it as a raster,
# 3. simulates a **leaky integrate-and-fire (LIF) neuron** and draws its membrane trace,
# 4. asks you to write your first function, checked by `snl.exercises`.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/00_first_spikes.ipynb)

# %% [markdown]
# ## Your environment
#
# Every notebook of the book starts with the same **set-up cell** below. In Colab it first
# installs `snnlib`, the book's library, from the book's repository; everywhere it imports it as
# `snl`, seeds every random generator (so that you see the same numbers as the book) and prints
# one line of versions and one line about the device. Run it now (Shift+Enter).
#
# The same information is available as data: `snl.versions()` returns the versions, `device`
# (defined by the set-up cell) is the `torch.device` the notebooks compute on, and
# `snl.quick_mode()` says whether the environment variable `SNNLIB_QUICK=1` asked for small
# workloads. The cell after the set-up cell prints them one per line.

# %%
# Set-up cell. In Colab (and only there) it installs snnlib and snnTorch from
# the book's repository, once per runtime; everywhere it imports snnlib, seeds
# every random generator and prints the versions and the device.
import sys

if "google.colab" in sys.modules:
    import importlib
    import importlib.metadata as md
    import subprocess
    import time

    def installed():
        dists = md.distributions()
        return {(d.metadata["Name"] or "").lower(): d.version for d in dists}

    SNNLIB = "snnlib[colab] @ git+https://github.com/snn-book/snn-book@main"
    before = installed()
    if before.get("snnlib") == "0.2.0" and "snntorch" in before:
        print("snnlib 0.2.0 and snnTorch are installed in this runtime already")
    else:
        print("Installing snnlib and snnTorch with pip ...", flush=True)
        start = time.time()
        pip = [sys.executable, "-m", "pip", "install", "-q", SNNLIB]
        subprocess.run(pip, check=True)
        importlib.invalidate_caches()
        print(f"... done in {time.time() - start:.0f} s")
        after = installed()
        stale = [n for n, v in before.items()
                 if after.get(n) != v and n.replace("-", "_") in sys.modules]
        if stale:
            raise RuntimeError(
                f"pip replaced {stale}, which this runtime had imported "
                "already: choose Runtime > Restart session, then run this "
                "cell again."
            )

import snnlib as snl

device = snl.setup(seed=0)

# %%
import platform

import matplotlib.pyplot as plt
import torch

for name, version in snl.versions().items():
    print(f"{name:>12}: {version if version is not None else 'not installed'}")
print(f"{'platform':>12}: {platform.platform()}")
print(f"{'device':>12}: {device}")
print(f"{'quick mode':>12}: {snl.quick_mode()}")

# %% [markdown]
# Most chapters run comfortably on a laptop's CPU. The chapter *MNIST on the GPU* trains a
# fully connected spiking network (784 inputs, 1000 hidden and 10 output neurons) on 60,000
# images, and is much faster on a GPU. The next cell tells you whether you have one, and how to
# get one if you do not.

# %%
if torch.cuda.is_available():
    props = torch.cuda.get_device_properties(0)
    gib = props.total_memory / 2**30
    print(f"GPU found: {props.name}, {gib:.1f} GiB of memory.")
elif device.type == "mps":
    print("Apple GPU (MPS) found: PyTorch will use it.")
else:
    print("No GPU found: everything will run on the CPU.")
    print("In Colab: Runtime > Change runtime type > choose a GPU,")
    print("then run the notebook again.")

# A first computation on the chosen device: a matrix product.
a = torch.randn(256, 256, device=device)
print(f"computed a {tuple((a @ a).shape)} product on {(a @ a).device}")

# %% [markdown]
# ## A spike train
#
# A spiking neuron communicates with **spikes**: brief, all-or-nothing events. On a computer we
# cut time into steps of length $\Delta t$ and write a neuron's output as a sequence of zeros
# and ones, $S[t] \in \{0, 1\}$: a **spike train**. Below, each of `N` input neurons spikes at
# each step with a small probability `p`, independently of the others. Note the shape: as
# everywhere in this book, **time comes first**, `[T, B, N]` (time steps, batch, neurons).

# %%
T = snl.workload(full=500, quick=200)  # time steps
N = 20  # neurons
p = 0.05  # spike probability per step
dt = 1e-3  # one step = 1 ms

spikes_in = (torch.rand(T, 1, N) < p).float()  # [T, B=1, N]
print(
    f"spike train shape {tuple(spikes_in.shape)} (time, batch, neurons), "
    f"{int(spikes_in.sum())} spikes"
)

fig, ax = plt.subplots(figsize=(6.9, 2.8))
snl.plot.raster(spikes_in[:, 0], ax=ax, dt=dt * 1e3, xlabel="time (ms)")
ax.set(
    ylabel="input neuron",
    title=f"{N} neurons spiking at random, p = {p} per step",
)
plt.show()

# %% [markdown]
# Each row of the raster plot is one neuron, each tick one spike. The picture *is* the data:
# a spike train carries information only in *which* neuron spikes *when*.

# %% [markdown]
# ## A membrane trace
#
# Now a neuron that *receives* spikes. The LIF neuron keeps a membrane potential $U[t]$ of which
# it keeps a fraction $\beta$ from one step to the next (it leaks the fraction $1 - \beta$), adds
# its input current $I[t]$, and spikes (then resets by subtracting the threshold) when it crosses
# the threshold $U_{\mathrm{thr}}$:
#
# $$
# \begin{aligned}
# U[t+1] &= \beta U[t] + I[t+1] - S[t]\, U_{\mathrm{thr}}, \\
# S[t+1] &= H(U[t+1] - U_{\mathrm{thr}}).
# \end{aligned}
# $$
#
# Start with the simplest input, a constant current. `snl.neurons.LIF` is a PyTorch module: one
# call advances the neuron by one step, `spk, mem = lif(cur, mem)`, and `lif.run(cur_seq)` runs
# a whole time-first sequence. The loop below does it step by step, then checks that `run`
# gives the same record.

# %%
lif = snl.neurons.LIF(beta=0.9, threshold=1.0)
steps = 60
current = torch.full((steps, 1, 1), 0.15)  # [T, B, N]: a constant 0.15

mem = None  # None: start at rest, U = 0
spk_steps, mem_steps = [], []
for t in range(steps):
    spk, mem = lif(current[t], mem)  # one step: [B, N] in, [B, N] out
    spk_steps.append(spk)
    mem_steps.append(mem)
spk_rec, mem_rec = torch.stack(spk_steps), torch.stack(mem_steps)

spk_run, mem_run = lif.run(current)
assert torch.equal(spk_rec, spk_run) and torch.allclose(mem_rec, mem_run)
print(
    f"{int(spk_rec.sum())} spikes in {steps} steps; "
    "the step-by-step loop and lif.run agree"
)

fig, ax = plt.subplots(figsize=(6.9, 2.8))
snl.plot.plot_membrane(
    mem_rec[:, 0, 0], threshold=1.0, spk=spk_rec[:, 0, 0], ax=ax
)
ax.set(xlabel="time step", title="LIF neuron, constant input current 0.15")
ax.legend(
    loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False
)
fig.tight_layout()
plt.show()

# %% [markdown]
# ```{admonition} Think!
# :class: tip
# With no threshold, the membrane would approach the value $U^\ast$ at which the leak exactly
# balances the input: $U^\ast = \beta U^\ast + I$, so $U^\ast = I / (1 - \beta)$. For
# $I = 0.15$ and $\beta = 0.9$ that is $1.5$, above the threshold of $1$, so the neuron fires
# regularly. What happens for $I = 0.08$? And for $I = 0.3$: do the spikes come twice as often?
# Predict, then run the next cell.
# ```

# %% [markdown]
# <details><summary>Answer</summary>
#
# For $I = 0.08$ the membrane settles at $U^\ast = 0.08 / 0.1 = 0.8$, below the threshold: the
# neuron never fires. For $I = 0.3$ the spikes come **more** than twice as often (the cell below
# prints the counts and their ratio). Near the threshold the leak removes
# $(1 - \beta) U_{\mathrm{thr}} = 0.1$ per step, so only the excess of the input over 0.1 drives
# the membrane on to the next spike: doubling $I$ from 0.15 to 0.3 quadruples that excess (0.05 to
# 0.2). The rate grows by less than that, but by more than twice: a LIF neuron's rate is not
# proportional to its input.
#
# </details>

# %%
counts = {}
fig, axes = plt.subplots(1, 3, figsize=(6.9, 2.6), sharey=True)
for ax, amp in zip(axes, (0.08, 0.15, 0.3)):
    spk_a, mem_a = lif.run(torch.full((steps, 1, 1), amp))
    counts[amp] = int(spk_a.sum())
    snl.plot.plot_membrane(
        mem_a[:, 0, 0], threshold=1.0, spk=spk_a[:, 0, 0], ax=ax
    )
    ax.set(title=f"I = {amp}: {counts[amp]} spikes", xlabel="time step")
fig.tight_layout()
plt.show()
print(f"spikes in {steps} steps: {counts}")
print(
    f"I = 0.3 gives {counts[0.3] / counts[0.15]:.1f} times as many as I = 0.15"
)

# %% tags=["remove-cell"]
# The answer above, checked against these runs (hidden in the book).
snl.claims.claim(counts[0.08] == 0, "I = 0.08 never fires")
snl.claims.claim(
    counts[0.3] > 2 * counts[0.15],
    "I = 0.3 fires more than twice as often as 0.15",
)

# %% [markdown]
# ## Spikes in, spikes out
#
# A neuron in a network receives spike trains, not constant currents. Each input spike adds
# its synapse's weight $w_i$ to the current: $I[t] = \sum_i w_i S_i[t]$, a matrix product with
# the spike train. Here the `N` random spike trains from above drive one LIF neuron through
# random positive weights.

# %%
weights = torch.rand(N, 1) * 0.12  # [N inputs, 1 neuron]
current_in = spikes_in @ weights  # [T, B, N] @ [N, 1] -> [T, B, 1]
lif_out = snl.neurons.LIF(beta=0.95, threshold=1.0)
spikes_out, mem_out = lif_out.run(current_in)

fig, (ax_in, ax_mem) = plt.subplots(
    2, 1, figsize=(6.9, 4.6), sharex=True, height_ratios=(2, 1.4)
)
snl.plot.raster(spikes_in[:, 0], ax=ax_in, dt=dt * 1e3, xlabel="")
ax_in.set(
    ylabel="input neuron", title=f"{N} input spike trains drive one LIF neuron"
)
snl.plot.plot_membrane(
    mem_out[:, 0, 0],
    threshold=1.0,
    spk=spikes_out[:, 0, 0],
    ax=ax_mem,
    dt=dt * 1e3,
    steps_on_top=False,
)
ax_mem.set(xlabel="time (ms)")
fig.tight_layout()
plt.show()
n_in, n_out = int(spikes_in.sum()), int(spikes_out.sum())
print(f"{n_in} input spikes -> {n_out} output spikes")


# %% [markdown]
# ## Exercise: the firing rate
#
# The simplest summary of a spike train is its **firing rate**: the number of spikes divided by
# the duration of the recording, $r = \frac{1}{T\,\Delta t} \sum_{t=1}^{T} S[t]$. With steps of
# $\Delta t = 1$ ms, the rate comes out in spikes per second (Hz).
#
# Write `firing_rate(spk, dt)`: it takes a time-first spike record `spk` of shape `[T, B, ...]`
# and the step length `dt`, and returns the rate of every neuron, shape `[B, ...]`. Replace the
# `raise NotImplementedError(...)` line of the stub below with your code, then run the cell: the
# check says "not attempted yet" until you do, then whether your rates are right. Stuck? Run
# `snl.exercises.hint("firing_rate", 1)` in a new cell, then `hint("firing_rate", 2)`.


# %%
def firing_rate(spk, dt):
    """Rate of each neuron: spikes [T, B, ...], step length dt -> [B, ...]."""
    # Your code here: replace the next line with your own computation.
    raise NotImplementedError("exercise: compute the rate of every neuron")


snl.exercises.check_firing_rate(firing_rate)


# %% tags=["hide-input"]
# Reference solution (collapsed in the book; try the exercise first).
def firing_rate_solution(spk, dt):
    """Spikes [T, B, ...] -> rates [B, ...]: count over the duration T dt."""
    return spk.sum(0) / (spk.shape[0] * dt)


snl.exercises.check_firing_rate(
    firing_rate_solution, label="reference solution"
)

# %% [markdown]
# Now use the rates (the cells below call the reference solution, so that they run whether or
# not you solved the exercise): the input neurons were built to spike with probability `p` per
# step, so their rates should be close to `p / dt`.

# %%
rates_in = firing_rate_solution(spikes_in, dt)  # [B, N]
rate_out = firing_rate_solution(spikes_out, dt)  # [B, 1]
print(
    f"input rates: mean {rates_in.mean():.1f} Hz "
    f"(expected p / dt = {p / dt:.0f} Hz), "
    f"from {rates_in.min():.0f} to {rates_in.max():.0f} Hz"
)
print(f"output neuron: {rate_out.item():.1f} Hz")

fig, ax = plt.subplots(figsize=(6.9, 2.8))
ax.bar(range(N), rates_in[0], color=snl.plot.EXC_COLOR)
ax.axhline(p / dt, color=snl.plot.THRESHOLD_COLOR, ls="--", label="p / dt")
ax.set(
    xlabel="input neuron",
    ylabel="rate (Hz)",
    title=f"Firing rates over {T * dt * 1e3:.0f} ms",
    xticks=range(0, N, 2),
)
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The measured rates scatter around `p / dt`: with only a few spikes per neuron, a rate
# estimate is noisy.
#
# ```{admonition} Think!
# :class: tip
# How much longer would you have to record to halve that scatter?
# ```

# %% [markdown]
# <details><summary>Answer</summary>
#
# Four times as long. A neuron's spike count over $T$ steps is binomial, with standard deviation
# $\sqrt{T p (1 - p)}$, so the rate estimate (count divided by $T \Delta t$) scatters like
# $1 / \sqrt{T}$: halving the scatter takes $4T$ steps. The next cell measures it on 2000
# neurons.
#
# </details>

# %%
many = 2000  # neurons, to measure the scatter of their rate estimates
scatter = {}
for steps_rec in (T, 4 * T):
    spk_long = (torch.rand(steps_rec, 1, many) < p).float()
    scatter[steps_rec] = firing_rate_solution(spk_long, dt).std().item()
print(
    f"scatter of the rates: {scatter[T]:.1f} Hz over {T} ms, "
    f"{scatter[4 * T]:.1f} Hz over {4 * T} ms "
    f"(ratio {scatter[4 * T] / scatter[T]:.2f})"
)

# %% tags=["remove-cell"]
ratio = scatter[4 * T] / scatter[T]
snl.claims.claim(0.4 < ratio < 0.6, "recording 4x longer halves the scatter")

# %% [markdown]
# The chapter on spike coding comes back to this question.
#
# ## Summary
#
# - A spike train is a time-first tensor of zeros and ones, `[T, B, N]`.
# - A LIF neuron integrates its input current into a leaky membrane and spikes when the
#   membrane crosses the threshold; `snl.neurons.LIF` runs it step by step or over a whole
#   sequence. Its rate is not proportional to its input: below $(1 - \beta) U_{\mathrm{thr}}$ it
#   never fires.
# - Spikes in become a current through the synaptic weights; the neuron turns it into spikes out.
#
# Next in the book: [the data](../book/data.md) (MNIST and Fashion-MNIST, which the later
# chapters use), then [spike coding](../book/spike_coding.md), how real-valued data becomes
# spike trains in the first place.
