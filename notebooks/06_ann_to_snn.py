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
# # From ANN to SNN, hands-on
#
# This notebook goes with the chapter [From ANN to SNN](../book/ann_to_snn.md). We train an ordinary ReLU
# network (784-1000-10, the shape of the MNIST chapter's spiking network), run the *same weights* with
# integrate-and-fire (IF) neurons, watch it fail, write the data-based normalisation that repairs it, and
# measure the price: accuracy against time steps and spikes.
#
# In quick mode (`SNNLIB_QUICK=1`, as the book's build runs it) everything uses the small MNIST subset
# bundled with snnlib and runs in well under a minute; otherwise the full MNIST set is used if it can be found.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/06_ann_to_snn.ipynb)

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
import matplotlib.pyplot as plt
import torch

from snnlib import conversion as cv

plt.rcParams.update({"font.size": 10})
source = "bundled" if snl.quick_mode() else "auto"
n_test = snl.workload(10000, 200)
steps = snl.workload([8, 16, 32, 64, 128], [8, 16, 32, 64])

# %% [markdown]
# ## 1. One IF neuron is a clipped ReLU
#
# An IF neuron is the LIF neuron with $\beta = 1$. Driven by a constant current $I$ with reset by subtraction it
# fires at the rate $\mathrm{clip}(I / U_{thr}, 0, 1)$ spikes per step, up to an error of $1/T$. Let us check.

# %%
cur = torch.linspace(-0.5, 1.5, 81)
T = 200
for reset in ("subtract", "zero"):
    params = cv.if_params(reset)
    state, count = None, torch.zeros_like(cur)
    for _ in range(T):
        spk, state = cv.neuron_step(cur, state, params)
        count += spk
    plt.plot(cur, count / T, label=f"IF, reset = {reset!r}")
plt.plot(cur, cur.clamp(0, 1), "k--", label="clipped ReLU")
plt.xlabel("input current (threshold 1)")
plt.ylabel("spikes per step")
plt.legend()
plt.show()

# %% [markdown]
# **Think!** Reset to zero falls below the ReLU. Why, and why does it not improve with more steps?
#
# <details><summary>Answer</summary>
#
# At every spike the charge above the threshold is thrown away: an input of 0.6 reaches 1.2 after two steps,
# spikes, and restarts from 0 instead of 0.2, so it fires every second step (0.5) instead of at 0.6. The error is
# systematic, the same at every step, so averaging over more steps does not remove it.
# </details>

# %% [markdown]
# ## 2. Train a ReLU network

# %%
tr_x, tr_y = snl.data.load_mnist("train", source=source)
te_x, te_y = snl.data.load_mnist("test", source=source)
ann = cv.make_network("mlp")
cv.train_ann(ann, tr_x, tr_y, "mlp", epochs=snl.workload(5, 3), log=print)
x_train = cv.prepare(tr_x[:10000], "mlp")
x_test, y_test = cv.prepare(te_x[:n_test], "mlp"), te_y[:n_test]
acc_ann = cv.ann_accuracy(ann, x_test, y_test)
print(f"ANN test accuracy: {100 * acc_ann:.2f} % on {n_test} test images")

# %% [markdown]
# ## 3. Convert without normalisation
#
# Same weights, IF neurons, threshold 1. The ANN's hidden activations are far above 1 spike per step:

# %%
stages = cv.split_stages(ann)
acts = cv.stage_activations(stages, x_train[:2000])
for layer, a in enumerate(acts):
    print(f"layer {layer + 1}: largest activation {a.max():.2f}, 99.9th percentile of the positive ones "
          f"{torch.quantile(a[a > 0][:1_000_000], 0.999):.2f}")
raw = cv.convert(ann, x_train, "none")
print(cv.accuracy_vs_steps(raw, x_test, y_test, steps)["accuracy"])


# %% [markdown]
# ## Exercise 1: the scale of a layer
#
# Write `my_layer_scale(activations, percentile)`: the given percentile (0-100] of the **positive** values of
# `activations` (a tensor of any shape). 100 is the maximum. (Why only the positive ones? A ReLU layer is mostly
# zeros, which would drag a percentile down.)

# %%
def my_layer_scale(activations, percentile):
    # TODO: return the percentile of the activations that are > 0
    raise NotImplementedError("Exercise 1: the scale of a layer")


snl.exercises.check_layer_scale(my_layer_scale)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution (read it after trying)
def layer_scale_reference(activations, percentile):
    positive = activations[activations > 0].double()
    return float(torch.quantile(positive[:10_000_000], percentile / 100.0)) if positive.numel() else 1.0


snl.exercises.check_layer_scale(layer_scale_reference, label="reference solution")


# %% [markdown]
# ## Exercise 2: normalise the network
#
# Write `my_normalise(weights, biases, scales)`: given each layer's weight tensor $W_l$, bias $b_l$ and scale
# $\lambda_l$ (with $\lambda_0 = 1$ for pixels in [0, 1]), return `(new_weights, new_biases)` with
#
# $$W_l \leftarrow W_l \frac{\lambda_{l-1}}{\lambda_l}, \qquad b_l \leftarrow \frac{b_l}{\lambda_l}.$$

# %%
def my_normalise(weights, biases, scales):
    # TODO: return (new_weights, new_biases), two lists with one tensor per layer
    raise NotImplementedError("Exercise 2: normalise the network")


snl.exercises.check_normalise_network(my_normalise)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution (read it after trying)
def normalise_reference(weights, biases, scales):
    lam = [1.0, *list(scales)]
    new_w = [w * lam[i] / lam[i + 1] for i, w in enumerate(weights)]
    new_b = [b / lam[i + 1] for i, b in enumerate(biases)]
    return new_w, new_b


snl.exercises.check_normalise_network(normalise_reference, label="reference solution")

# %% [markdown]
# ## 4. See the accuracy come back
#
# The cell uses your functions if the checkers accept them, else the reference solutions, so it always runs.

# %%
scale_fn = my_layer_scale if snl.exercises.check_layer_scale(my_layer_scale) else layer_scale_reference
norm_fn = my_normalise if snl.exercises.check_normalise_network(my_normalise) else normalise_reference
scales = [scale_fn(a, 99.9) for a in acts]
new_w, new_b = norm_fn([s.weighted.weight.data for s in stages], [s.weighted.bias.data for s in stages], scales)
snn = cv.convert(ann, x_train, "none")  # a copy with thresholds 1 ...
for stage, w, b in zip(snn.stages, new_w, new_b):  # ... that we give your normalised weights
    stage.weighted.weight.data, stage.weighted.bias.data = w.clone(), b.clone()
mine = cv.accuracy_vs_steps(snn, x_test, y_test, steps)
print("scales:", [f"{s:.2f}" for s in scales])
print("accuracy:", {t: f"{100 * a:.2f} %" for t, a in mine["accuracy"].items()})

# %% [markdown]
# ## 5. Normalisation, reset and input against the number of steps

# %%
curves = {}
for norm in ("none", "max", "p99.9"):
    net = cv.convert(ann, x_train, norm)
    for reset in ("subtract", "zero"):
        curves[(norm, reset, "analog")] = cv.accuracy_vs_steps(net, x_test, y_test, steps, reset=reset)
curves[("p99.9", "subtract", "rate")] = cv.accuracy_vs_steps(cv.convert(ann, x_train, "p99.9"), x_test, y_test, steps,
                                                             input="rate")
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
for (norm, reset, inp), res in curves.items():
    a1.plot(steps, [100 * res["accuracy"][t] for t in steps], marker="o", label=f"{norm}, {reset}, {inp}")
    a2.plot(steps, [res["spikes_per_image"][t] for t in steps], marker="o")
a1.axhline(100 * acc_ann, color="k", ls="--", label="ANN")
for ax in (a1, a2):
    ax.set_xscale("log", base=2)
    ax.set_xlabel("time steps T")
a1.set_ylabel("test accuracy (%)")
a2.set_ylabel("spikes per image")
a1.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# **Think!** The 99.9th percentile clips the largest 0.1 % of activations, yet it often beats the maximum at few
# steps. Why?
#
# <details><summary>Answer</summary>
#
# With the maximum, one outlier sets the scale of the whole layer, so typical neurons fire at a small fraction of a
# spike per step and need many steps before their counts resolve their values (the error of a rate is about 1/T).
# The percentile raises typical rates, so a few steps suffice; the price, clipping a few rare activations, costs
# less accuracy than the quantisation it removes.
# </details>
#
# **Think!** Rate-coded input is event-driven all the way down, but needs more steps for the same accuracy. Why?
#
# <details><summary>Answer</summary>
#
# Bernoulli spikes carry the pixel value only on average: a count over T steps has a standard deviation of
# $\sqrt{p(1-p)/T}$, noise the analog current does not have. The network must average it away.
# </details>

# %% [markdown]
# ## 6. Do the rates follow the activations?

# %%
corr = cv.rate_correlation(cv.convert(ann, x_train, "p99.9"), x_test[:100], 64)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
for layer, ax in enumerate(axes):
    ax.scatter(corr["ann"][layer], corr["snn"][layer], s=3, alpha=0.3)
    ax.plot([0, 1], [0, 1], "k--")
    ax.set_title(f"layer {layer + 1}: r = {corr['pearson'][layer]:.3f}")
    ax.set_xlabel("ANN activation / λ")
axes[0].set_ylabel("SNN rate at T = 64")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Going further
#
# - `python -m snnlib.conversion --net cnn --source full --root DIR --json cnn.json` converts the small CNN
#   (convolutions, average pooling, ReLU) with the same code: conversion scales to deeper networks.
# - Try LIF neurons instead of IF: `cv.accuracy_vs_steps(..., beta=0.99)`. What does the leak do to the rates?
# - Threshold balancing: `cv.convert(ann, x_train, "p99.9", balance="thresholds")` keeps the weights and moves
#   the thresholds. Check that the spikes are the same.
