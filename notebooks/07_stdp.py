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
# # Learning without labels: STDP and the Diehl & Cook network
#
# Every network so far learned from labels. Here a network learns MNIST digits **without ever seeing
# a label**: Poisson-coded pixels (the coding chapter) drive conductance-based LIF neurons (the LIF
# chapter) that compete through lateral inhibition (the circuits chapter), and each synapse changes by
# **spike-timing-dependent plasticity** (STDP), a rule that only looks at the spikes on its two sides.
# Labels are used once, at the end, to *name* the neurons. This is the network of Diehl & Cook (2015),
# run by `snnlib.plasticity` (its two populations, excitatory and inhibitory, as in the paper).
#
# Quick mode (`SNNLIB_QUICK=1`) trains on a few hundred bundled images so that the whole notebook runs
# in about a minute; the full-MNIST numbers come from the command line
# `python -m snnlib.plasticity`, whose results are committed in `benchmarks/results/`.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/07_stdp.ipynb)

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
import json
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

import snnlib as snl
import snnlib.plasticity as pl

t_start = time.perf_counter()
x_train, y_train = snl.data.load_mnist("train", source="bundled")
x_test, y_test = snl.data.load_mnist("test", source="bundled")
N_TRAIN = snl.workload(3000, 600)
N_EVAL = snl.workload(1000, 300)
print(f"{N_TRAIN} training images, {N_EVAL} for labelling and {N_EVAL} for testing")

# %% [markdown]
# ## 1. The STDP window
#
# Each synapse keeps two **traces**: $x_\text{pre}$ jumps at a presynaptic spike and decays with
# $\tau_+$, $x_\text{post}$ does the same for the postsynaptic neuron with $\tau_-$. At a post spike
# the weight grows by $A_+ x_\text{pre}$; at a pre spike it shrinks by $A_- x_\text{post}$. For one
# pair of spikes, $\Delta t = t_\text{post} - t_\text{pre}$, this gives the learning window
#
# $$W(\Delta t) = A_+ e^{-\Delta t/\tau_+} \ (\Delta t \ge 0), \qquad W(\Delta t) = -A_- e^{\Delta t/\tau_-} \ (\Delta t < 0).$$
#
# Below, the window **measured** by simulating one spike pair per delay through `pl.stdp_step` is drawn
# on top of the formula. (The chapter draws this figure instead of an interactive explorer.)

# %%
params = pl.STDPParams(dt=1.0)
delays = np.arange(-60, 61, 3)
measured = pl.measure_window(delays, params)
analytic_t = np.linspace(-60, 60, 481)
fig, ax = plt.subplots(figsize=(6.9, 3.0))
ax.axhline(0, color="0.7", lw=0.8)
ax.plot(analytic_t, pl.stdp_window(analytic_t, params), color="C0", label="formula")
ax.plot(delays, measured, "o", color="C3", ms=4, label="measured (simulated pairs)")
ax.set(xlabel="Δt = t_post − t_pre (ms)", ylabel="Δw")
ax.legend(frameon=False)
plt.tight_layout()
plt.show()
print(f"largest difference: {np.abs(measured - pl.stdp_window(delays * params.dt, params)).max():.1e}")

# %% [markdown]
# ## 2. Two neurons
#
# One presynaptic and one postsynaptic neuron, paired 60 times: the post spike comes 5 ms after the pre
# spike (causal) or 5 ms before (anti-causal). The additive rule moves the weight step by step until a
# bound stops it; the multiplicative (soft-bound) rule slows down near the bounds.

# %%
fig, ax = plt.subplots(figsize=(6.9, 3.0))
for rule, style in (("additive", "-"), ("multiplicative", "--")):
    for delay, colour in ((5, "C2"), (-5, "C3")):
        w = pl.pairing_protocol(delay, params=pl.STDPParams(rule=rule, a_plus=0.03, a_minus=0.03))
        ax.plot(np.arange(w.size) / 100, w, style, color=colour, label=f"{rule}, Δt = {delay:+d} ms")
ax.set(xlabel="pairing", ylabel="weight w", ylim=(-0.05, 1.05))
ax.legend(frameon=False, fontsize=9, ncol=2)
plt.tight_layout()
plt.show()


# %% [markdown]
# ### Think!
# Why does the multiplicative rule never quite reach 0 or 1, and what does that do to the distribution
# of many weights?
#
# <details><summary>Answer</summary>
#
# Each step is proportional to the distance to the bound ($w_\max - w$ for growth, $w$ for shrinkage),
# so the weight approaches the bound exponentially and never hits it. With many synapses the additive
# rule pushes weights to the two bounds (a bimodal distribution, competition between inputs); the soft
# bounds give a unimodal distribution (Song, Miller & Abbott 2000).
# </details>

# %% [markdown]
# ### Exercise 1: the window
# Write `stdp_window(delta_t, a_plus, a_minus, tau_plus, tau_minus)` for a NumPy array `delta_t` (ms).

# %%
def stdp_window(delta_t, a_plus, a_minus, tau_plus, tau_minus):
    raise NotImplementedError("your code here")


snl.exercises.check_stdp_window(stdp_window)

# %% tags=["hide-input"]
# Reference solution (read it after trying)
def stdp_window_solution(delta_t, a_plus, a_minus, tau_plus, tau_minus):
    d = np.asarray(delta_t, dtype=float)
    return np.where(d >= 0, a_plus * np.exp(-d / tau_plus), -a_minus * np.exp(d / tau_minus))


snl.exercises.check_stdp_window(stdp_window_solution, label="reference solution")

# %% [markdown]
# ## 3. The Diehl & Cook network
#
# 784 Poisson inputs (up to 63.75 Hz), $N$ excitatory neurons with plastic input weights, $N$
# inhibitory neurons (one per excitatory neuron, inhibiting all the others: a soft winner-take-all).
# Three more ingredients: the **adaptive threshold** $\theta$ of each neuron rises by 0.05 mV per
# spike, so no neuron wins every image; the input weights of each neuron are **normalised** to sum to
# 78 before each image; and an image that evokes fewer than 5 spikes is shown again, louder.

# %%
gen = torch.Generator().manual_seed(0)
net = pl.init_network(100, seed=0)
curve_points = [N_TRAIN // 3, N_TRAIN]
curve, done = [], 0
for stop in curve_points:
    net = pl.train(net, x_train[done:stop], gen, progress=False)
    done = stop
    curve.append(pl.evaluate(net, x_train[:N_EVAL], y_train[:N_EVAL], x_test[:N_EVAL], y_test[:N_EVAL]))
print("accuracy after", dict(zip(curve_points, [round(a, 3) for a in curve])))

# %%
rf = pl.receptive_fields(net).numpy()
fig, axes = plt.subplots(10, 10, figsize=(6.9, 6.9))
for k, ax in enumerate(axes.flat):
    ax.imshow(rf[k], cmap="hot_r", vmin=0, vmax=rf.max())
    ax.set_axis_off()
fig.suptitle("learned receptive fields (input weights) of the 100 excitatory neurons", fontsize=10)
plt.tight_layout()
plt.show()


# %% [markdown]
# ### Exercise 2: normalisation
# Write `normalise(w, total)`: scale each column of `w` `[784, N]` (the inputs of one neuron) to sum to `total`.

# %%
def normalise(w, total):
    raise NotImplementedError("your code here")


snl.exercises.check_normalise_columns(normalise)


# %% tags=["hide-input"]
# Reference solution (read it after trying)
def normalise_solution(w, total):
    return w / w.sum(0, keepdim=True) * total


snl.exercises.check_normalise_columns(normalise_solution, label="reference solution")

# %% [markdown]
# ### Exercise 3: naming the neurons
# Write `assign_labels(counts, labels, num_classes)`: `counts` `[N_images, N_neurons]` spike counts,
# `labels` `[N_images]`; return the class with the highest *mean* response of each neuron.

# %%
def assign_labels(counts, labels, num_classes):
    raise NotImplementedError("your code here")


snl.exercises.check_assign_labels(assign_labels)

# %% tags=["hide-input"]
# Reference solution (read it after trying)
def assign_labels_solution(counts, labels, num_classes):
    means = torch.stack([counts[labels == c].float().mean(0) for c in range(num_classes)])
    return means.argmax(0)


snl.exercises.check_assign_labels(assign_labels_solution, label="reference solution")

# %% [markdown]
#
# (The cells below use the library's `pl.assign_labels`, so Run All works with the stubs untouched.)

# %% [markdown]
# ## 4. What each ingredient does (ablations)
#
# The same training, once without lateral inhibition ($w_{ie} = 0$) and once with fixed thresholds.

# %%
N_ABL = snl.workload(1500, 300)
ablation = {}
for name, kwargs in (("full", {}), ("no inhibition", {"lateral_inhibition": False}),
                     ("no adaptive threshold", {"adaptive_threshold": False})):
    a_net = pl.init_network(100, params=pl.DiehlCookParams(**kwargs), seed=0)
    a_net = pl.train(a_net, x_train[:N_ABL], torch.Generator().manual_seed(0), progress=False)
    counts = pl.responses(a_net, x_train[:N_EVAL], progress=False)
    assignments = pl.assign_labels(counts, y_train[:N_EVAL])
    test_counts = pl.responses(a_net, x_test[:N_EVAL], progress=False)
    ablation[name] = {
        "accuracy": pl.accuracy(pl.predict(test_counts, assignments), y_test[:N_EVAL]),
        "winners": int((counts.sum(0) > 0).sum()),  # neurons that respond at all
    }
for name, r in ablation.items():
    print(f"{name:>22}: accuracy {r['accuracy']:.3f}, neurons that respond {r['winners']}/100")

# %% [markdown]
# ### Think!
# Without the adaptive threshold, how many neurons end up responding, and why does that hurt accuracy?
#
# <details><summary>Answer</summary>
#
# A few neurons that win early keep winning: their weights move towards every digit they see, and the
# others are inhibited before they can learn. With few responding neurons, each must stand for many
# digits, so the labels are poor. The threshold makes a winner pay for each win (homeostasis).
# </details>

# %% [markdown]
# ## 5. Full MNIST, and the supervised network
#
# Measured with `python -m snnlib.plasticity --neurons 100|400 --source full` (one pass over the 60,000
# training images), compared with the surrogate-gradient network of the MNIST chapter.

# %%
results = Path("../benchmarks/results") if Path("../benchmarks/results").exists() else Path("benchmarks/results")
full = {}
for n in (100, 400):
    f = results / f"stdp_{n}.json"
    if f.exists():
        full[n] = json.loads(f.read_text())
supervised = json.loads((results / "accuracy.json").read_text())["runs"][0]["final_test_accuracy"]
for n, r in full.items():
    print(f"STDP, {n} neurons, {r['train_images']} images: {r['accuracy']:.2%} in {r['train_seconds'] / 60:.1f} min")
print(f"supervised (MNIST chapter): {supervised:.2%}")

# %% [markdown]
# ### Think!
# The supervised network is more accurate with fewer parameters. What does the STDP network offer in return?
#
# <details><summary>Answer</summary>
#
# Every weight change uses only information available at the synapse (two traces), no error is sent
# backwards and no label is needed while learning; the learning runs online, one image at a time,
# which is what on-chip learning in neuromorphic hardware needs. The price is accuracy and many neurons:
# the network is a clustering of digits (like k-means with spikes), read out by a vote.
# </details>

# %%
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")
