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
# # Surrogate gradients, hands-on
#
# A spiking neuron's output is a step function of its membrane potential, and the derivative of a
# step is zero almost everywhere. In this notebook you will
#
# 1. watch the gradient vanish with the true derivative and flow with a surrogate,
# 2. compare the surrogate shapes and see how each one trains a small network,
# 3. check backpropagation through time (BPTT) against a derivation by hand,
# 4. train a single neuron to fire at chosen times, and a small network to classify a 2-D toy set,
# 5. write your own surrogate as a `torch.autograd.Function`.
#
# The explanation is in the chapter [Surrogate gradients](../book/surrogate_gradients.md); the code
# lives in `snl.surrogate` (the spike functions), `snl.learning` (the small experiments) and `snl.plot`.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/04_surrogate_gradients.ipynb)

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

S = snl.surrogate  # the spike functions and their surrogate gradients
L = snl.learning  # the chapter's experiments

# %% [markdown]
# ## 1. The gradient vanishes with the true derivative
#
# A layer of 10 LIF neurons receives random input spikes through weights $W$. We make sure the
# neurons fire, take the total spike count as the loss, and ask autograd for $\partial L/\partial W$.
# With `no_surrogate()` the backward pass uses the true derivative of the step, $\partial S/\partial U = 0$;
# with `arctan()` it uses a smooth stand-in. The forward pass, and so the spikes, are identical.

# %%
torch.manual_seed(0)
x = (torch.rand(50, 1, 20) < 0.2).float()  # [T, B, inputs]: random input spikes
W0 = torch.randn(10, 20) * 0.5

for sur in [S.no_surrogate(), S.arctan()]:
    W = W0.clone().requires_grad_(True)
    lif = snl.neurons.LIF(beta=0.9, surrogate=sur)
    spk, mem = lif.run(x @ W.T)  # [T, B, 10]
    loss = spk.sum()
    loss.backward()
    print(
        f"{sur!r:>16}: {int(spk.sum())} spikes, |dL/dW| = {W.grad.norm():.4f}, "
        f"non-zero entries: {int(torch.count_nonzero(W.grad))} of {W.numel()}"
    )

# %% [markdown]
# Same spikes, but with the true derivative every entry of the gradient is exactly zero: gradient
# descent would never move the weights. `snl.learning.gradient_flow` runs the same experiment and
# also records $\partial L/\partial U[t]$, the gradient that reaches the membrane at each time step.

# %%
flows = {repr(S.get(name)): L.gradient_flow(name) for name in S.NAMES}
for label, flow in flows.items():
    print(f"{label:>26}: |dL/dW| = {float(flow.grad_norm):8.4f}")
snl.plot.plot_gradient_flow(flows)
plt.show()

# %% [markdown]
# ```{admonition} Think!
# The loss is the total spike count, so $\partial L/\partial S[t] = 1$ at every step, and
# $\partial L/\partial U[t] = \tilde S'(U[t]-U_{thr}) + \beta\,\partial L/\partial U[t+1]$: each membrane
# affects its own spike and, through the decay, every later one. Why is the gradient smallest at the
# last step? For the straight-through estimator ($\tilde S' = 1$) and 10 neurons, what value should
# the curve approach far from the end? (Hint: $1 + \beta + \beta^2 + \dots$)
# ```

# %% [markdown]
# ## 2. The surrogate shapes
#
# Every surrogate keeps the exact step $H(u)$ forward (left, black) and uses the derivative of a
# smooth stand-in backward (right). Arctan, sigmoid and triangle are derivatives of smooth steps
# that climb from 0 to 1 (area 1); SuperSpike's fast sigmoid peaks at 1 and has area $2/k$; the
# straight-through estimator is flat.

# %%
snl.plot.plot_surrogate()
plt.tight_layout()
plt.show()

# %% [markdown]
# The sharpness parameter trades locality for reach: a sharp surrogate only passes gradient for
# neurons whose membrane is close to threshold.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
snl.plot.plot_surrogate([S.arctan(a) for a in (0.5, 2.0, 8.0)], axes=axes)
plt.tight_layout()
plt.show()
for a in (0.5, 2.0, 8.0):
    sur = S.arctan(a)
    peak, far = float(sur.derivative(0.0)), float(sur.derivative(1.0))
    print(f"{sur!r}: peak dS/du = {peak:.2f}, at u = 1: {far:.4f}")

# %% [markdown]
# ```{admonition} Think!
# The often-quoted arctan surrogate is $\frac{1}{\pi}\frac{1}{1+(\pi U)^2}$. Check numerically (with
# `torch.autograd.grad` on `torch.atan`) that the derivative of $\frac{1}{\pi}\arctan(\pi U \alpha/2)$ is
# $\frac{\alpha/2}{1+(\pi U\alpha/2)^2}$ instead. By what factor do the two differ at $\alpha = 2$?
# ```

# %% [markdown]
# ## 3. BPTT by hand: the two-step example
#
# One neuron, one weight $w$, two inputs, starting at rest:
#
# $$U_1 = w x_1,\quad S_1 = H(U_1 - U_{thr}),\qquad U_2 = \beta U_1 + w x_2 - S_1 U_{thr},\quad S_2 = H(U_2 - U_{thr}),$$
#
# $$L = \tfrac12 (S_1 - y_1)^2 + \tfrac12 (S_2 - y_2)^2 .$$
#
# The weight is shared by both steps, so the chain rule sums over every path from $w$ to $L$. With
# $s'$ the surrogate derivative and the reset detached,
#
# $$\frac{dL}{dw} = \underbrace{(S_1-y_1)\,s'(U_1-U_{thr})\,x_1}_{t=1} + \underbrace{(S_2-y_2)\,s'(U_2-U_{thr})\,x_2}_{t=2,\ s=2} + \underbrace{(S_2-y_2)\,s'(U_2-U_{thr})\,\beta x_1}_{t=2,\ s=1:\ \text{one step back}} .$$
#
# We write it out by hand and compare with autograd.

# %%
import math

w, x1, x2, beta, thr, y1, y2 = 0.8, 1.5, 0.5, 0.9, 1.0, 0.0, 1.0


def s_prime(u, alpha=2.0):
    """arctan surrogate derivative, written by hand."""
    return (alpha / 2) / (1 + (math.pi * alpha * u / 2) ** 2)


U1 = w * x1
S1 = float(thr < U1)
U2 = beta * U1 + w * x2 - S1 * thr
S2 = float(thr < U2)
by_hand = (S1 - y1) * s_prime(U1 - thr) * x1 + (S2 - y2) * s_prime(U2 - thr) * (x2 + beta * x1)
autograd = L.two_step_gradient(w, x1, x2, y1, y2, beta, thr, S.arctan(2.0))
print(f"U1 = {U1:.3f} (S1 = {S1:g}), U2 = {U2:.3f} (S2 = {S2:g})")
print(f"dL/dw by hand:     {by_hand:.8f}")
print(f"dL/dw by autograd: {autograd:.8f}")
terms = L.two_step_gradient_by_hand(w, x1, x2, y1, y2, beta, thr)
print("terms:", {k: round(v, 6) for k, v in terms.items()})
assert abs(by_hand - autograd) < 1e-6

# %% [markdown]
# The same number comes out of the library's LIF neuron, which detaches the reset as snnTorch does.
# Attaching the reset adds the path $S_1 \to U_2$ with weight $-U_{thr}$:

# %%
wt = torch.tensor(w, requires_grad=True)
cur = wt * torch.tensor([x1, x2]).reshape(2, 1, 1)  # [T=2, B=1, 1]
spk, mem = snl.neurons.lif_run(cur, snl.neurons.LIFParams(beta=beta, threshold=thr))
(0.5 * (spk[0] - y1) ** 2 + 0.5 * (spk[1] - y2) ** 2).sum().backward()
print(f"snl.neurons.lif_run:       {float(wt.grad):.8f}")
attached = L.two_step_gradient(w, x1, x2, y1, y2, beta, thr, detach_reset=False)
print(f"reset attached (autograd): {attached:.8f}")

# %% [markdown]
# ```{admonition} Think!
# Here $S_1 = 1$ but $y_1 = 0$: the loss wants the first spike gone. With the reset attached, removing
# the first spike would also *remove* a reset and so raise $U_2$, which the loss wants. Does the
# reset term make the gradient larger or smaller in magnitude here? Why might a path whose gradient
# depends on two surrogate factors at once be a poor guide in general?
# ```

# %% [markdown]
# ## 4. A single neuron trained to fire at target times
#
# Fifty frozen random input spike trains drive one LIF neuron. We train its 50 input weights so that
# it fires exactly at the target times, with the van Rossum distance (both spike trains filtered by
# a decaying exponential, then compared) as the loss and the arctan surrogate carrying the gradient.

# %%
targets = [12, 30, 47]
result = L.train_spike_times(targets, num_steps=60, max_iterations=snl.workload(500, 300))
print(f"reached the targets exactly: {result.reached} after {result.iterations} optimiser steps")
print(f"target times: {result.target_times}; spikes after training: {result.spike_times}")
fig, axes = plt.subplots(1, 2, figsize=(12, 3), gridspec_kw={"width_ratios": [3, 1]})
snl.plot.plot_spike_targets(result, ax=axes[0])
snl.plot.plot_loss_curves({"van Rossum": result.losses}, ax=axes[1])
axes[1].set_xlabel("optimiser step")
plt.tight_layout()
plt.show()

# %% [markdown]
# Without a surrogate the same training cannot start: the weights never move.

# %%
stuck = L.train_spike_times(targets, num_steps=60, max_iterations=20, surrogate="none")
unchanged = torch.equal(stuck.spk, stuck.spk_start)
print(f"no surrogate: reached = {stuck.reached}; spikes unchanged = {unchanged}")

# %% [markdown]
# ## 5. A small network trained by BPTT
#
# Two interleaved half-moons, a 2-D two-class toy set. Each point is presented as a constant input
# current for $T$ steps to 32 hidden LIF neurons, which drive 2 output LIF neurons
# (`snl.learning.ToySNN`). The loss is the cross-entropy of the output membranes at every step;
# the prediction is the output neuron that fires most (`snl.learning.predict_class`).

# %%
x, y = L.toy_dataset(snl.workload(400, 200), "moons", seed=0)
epochs = snl.workload(30, 8)
run = L.train_toy(x, y, "arctan", epochs=epochs, hidden=32, num_steps=snl.workload(20, 8))
print(f"after {epochs} epochs: loss {run.final_loss:.3f}, training accuracy {run.final_accuracy:.1%}")
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
snl.plot.plot_loss_curves({"loss": run.losses}, ax=axes[0])
snl.plot.plot_loss_curves({"accuracy": run.accuracies}, ax=axes[1], ylabel="training accuracy")
snl.plot.plot_decision_regions(run.model, x, y, ax=axes[2])
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. The surrogates compared on a training run
#
# With the membrane loss above, part of the gradient reaches the output weights without passing
# through any spike. To compare surrogates we therefore put the loss on the spike *count* (the rate
# code): cross-entropy of $\sum_t S[t]$, so that every gradient must pass through the surrogates.
# Same network, data, initial weights and number of epochs, once per surrogate (default sharpness each).

# %%
num_steps = snl.workload(20, 8)
runs = {}
for name in S.NAMES:
    runs[name] = L.train_toy(x, y, name, epochs=epochs, hidden=32, num_steps=num_steps, loss_kind="count")
for name, r in runs.items():
    print(f"{name:>16}: final loss {r.final_loss:.3f}, accuracy {r.final_accuracy:.1%}")
print(f"(arctan with the membrane loss, section 5: accuracy {run.final_accuracy:.1%})")
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
names = list(runs)
axes[0].bar(names, [runs[n].final_accuracy for n in names], color="#9ecae1")
axes[0].axhline(0.5, color="k", ls=":", lw=1)
axes[0].set(ylabel="final training accuracy", ylim=(0, 1), title="spike-count loss")
axes[0].tick_params(axis="x", rotation=30)
snl.plot.plot_loss_curves({n: r.losses for n, r in runs.items()}, ax=axes[1])
plt.tight_layout()
plt.show()

# %% [markdown]
# ```{admonition} Think!
# Did any surrogate with a real derivative get stuck near chance? Compare the shapes in section 2:
# how much gradient does each give a hidden neuron whose membrane sits 0.3 below threshold, or an
# output neuron that never fires? What would you change to rescue it?
# ```
#
# ```{admonition} Think!
# With no surrogate the loss curve is flat: no weight moves. Would that still be true with the
# membrane loss of section 5? Which layer's weights would move, and which would not? (Try it:
# `L.train_toy(x, y, "none", epochs=epochs)`.)
# ```

# %% [markdown]
# ## Explorer
#
# Choose a surrogate and its sharpness. Left: the forward pass is always the step $H(u)$ (black); the
# dashed curve is the smooth function whose derivative the backward pass uses. Middle: that derivative,
# $dS/du$. Right: the gradient $dL/dw$ that reaches a weight in a small example, one LIF neuron driven
# by $w \cdot x$ for a few steps with the loss $L = (N - N_{\rm target})^2$ on its spike count $N$; move
# the weight slider to read it at one point. In Jupyter or Colab the explorer differentiates through
# `snl.neurons.lif_run` with autograd; on the book's web page the same numbers come from a small
# JavaScript model (checked against autograd by the test suite), so the sliders work without a kernel.
#
# Things to try:
#
# - Pick *none* (the true derivative): the gradient is zero for every weight.
# - Make the arctan or sigmoid surrogate sharper: the derivative gets taller and narrower, and the
#   gradient reaches the weight only when the membrane passes close to the threshold.
# - Compare *triangle* and *straight through*: where does each one give no gradient at all?
#
# ```{admonition} Think!
# The gradient curve jumps wherever the spike count $N$ changes. Why does the loss, a step function
# of $w$, still get a useful descent direction from the surrogate?
# ```

# %%
snl.widgets.surrogate_explorer()


# %% [markdown]
# ## Exercises
#
# ### Exercise 1: a surrogate as an autograd Function
#
# Implement SuperSpike's fast sigmoid with slope $k = 10$: the forward pass is the exact step
# $H(u)$ ($H(0) = 0$, same dtype as `u`); the backward pass multiplies the incoming gradient by
# $1/(1+k|u|)^2$. Replace the two marked lines with your own code (they call the library so that the
# notebook runs as given).

# %%
class MySuperSpike(torch.autograd.Function):
    k = 10.0

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return S.heaviside(u)  # <- replace: return the exact step, (u > 0) as u's dtype

    @staticmethod
    def backward(ctx, grad_output):
        (u,) = ctx.saved_tensors
        # <- replace the next line with your formula
        return grad_output * S.fast_sigmoid(MySuperSpike.k).derivative(u)


snl.exercises.check_surrogate_function(MySuperSpike, expected="fast_sigmoid", sharpness=10.0)


# %% [markdown]
# ### Exercise 2: the two-step gradient by hand
#
# Write `dL/dw` of the two-step example (section 3) as a function of its inputs, using the arctan
# surrogate with $\alpha = 2$, $s'(u) = 1/(1+(\pi u)^2)$, and the detached reset. The check compares it
# with autograd at 50 random settings and tells you which path is missing if it differs.

# %%
def my_two_step_gradient(w, x1, x2, y1, y2, beta, thr):
    # <- replace with your own derivation; this line asks the library
    return L.two_step_gradient_by_hand(w, x1, x2, y1, y2, beta, thr)["total"]


snl.exercises.check_bptt_gradient(my_two_step_gradient)

# %% [markdown]
# ### Exercise 3: sharpness
#
# Re-run section 6 with `S.arctan(a)` for `a` in `(0.5, 2, 8, 32)`. Which value trains best in the
# given number of epochs, and why do both very flat and very sharp surrogates do worse?
