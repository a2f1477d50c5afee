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
# 2. compare the surrogate shapes,
# 3. check backpropagation through time (BPTT) against a derivation by hand, for one neuron over
#    two steps and for a stack of layers,
# 4. train a single neuron to fire at chosen times, and a small network to classify a 2-D toy set,
# 5. compare the surrogates over several training runs, not one,
# 6. write your own surrogate as a `torch.autograd.Function`, derive gradients by hand, and vary
#    the surrogate's sharpness (the exercises).
#
# The explanation is in the chapter [Surrogate gradients](../book/surrogate_gradients.md); the code
# lives in `snl.surrogate` (the spike functions), `snl.learning` (the small experiments) and
# `snl.plot`. Each exercise starts as a stub for you to fill in; its reference solution is in the
# collapsed cell below it, and the notebook runs to the end without any exercise done.

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
import math

import matplotlib.pyplot as plt
import torch

S = snl.surrogate  # the spike functions and their surrogate gradients
L = snl.learning  # the chapter's experiments
claim = snl.claims.claim  # hidden cells check the text's claims with it

# %% [markdown]
# ## 1. The gradient vanishes with the true derivative
#
# A layer of 10 LIF neurons receives random input spikes through weights $W$. We make sure the
# neurons fire, take the total spike count as the loss, and ask autograd for
# $\partial L/\partial W$. With `no_surrogate()` the backward pass uses the true derivative of the
# step, $\partial S/\partial U = 0$; with `arctan()` it uses a smooth stand-in. The forward pass,
# and so the spikes, are identical.

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
    nonzero = int(torch.count_nonzero(W.grad))
    print(f"{sur!r:>16}: {int(spk.sum())} spikes, "
          f"|dL/dW| = {W.grad.norm():.4f}, "
          f"non-zero entries: {nonzero} of {W.numel()}")

# %% [markdown]
# Same spikes, but with the true derivative every entry of the gradient is exactly zero: gradient
# descent would never move the weights. `snl.learning.gradient_flow` runs the same experiment and
# also records $\partial L/\partial U[t]$, the gradient that reaches the membrane at each time
# step.

# %%
flows = {repr(S.get(name)): L.gradient_flow(name) for name in S.NAMES}
for label, flow in flows.items():
    print(f"{label:>28}: |dL/dW| = {float(flow.grad_norm):8.4f}")
snl.plot.plot_gradient_flow(flows)
plt.show()
ste = flows[repr(S.straight_through())].grad_mem.abs().sum(1)  # [T]
beta, T = 0.9, ste.shape[0]
print(f"straight-through: sum_i |dL/dU_i[t]| = {float(ste[0]):.2f} at t = 0, "
      f"{float(ste[-1]):.2f} at the last step")
print(f"10 (1 - beta^T) / (1 - beta) = {10 * (1 - beta**T) / (1 - beta):.2f}")

# %% tags=["remove-cell"]
claim(abs(float(ste[0]) - 10 * (1 - beta**T) / (1 - beta)) < 1e-3,
      "straight-through: the gradient at t = 0 is 10 (1 - beta^T)/(1 - beta)")
claim(abs(float(ste[-1]) - 10) < 1e-6, "straight-through: 10 at the last step")

# %% [markdown]
# ```{admonition} Think!
# The loss is the total spike count, so $\partial L/\partial S[t] = 1$ at every step, and
# $\partial L/\partial U[t] = \tilde S'(U[t]-U_{thr}) + \beta\,\partial L/\partial U[t+1]$: each
# membrane affects its own spike and, through the decay, every later one. Why is the gradient
# smallest at the last step? For the straight-through estimator ($\tilde S' = 1$) and 10 neurons,
# what value should the curve approach far from the end? (Hint: $1 + \beta + \beta^2 + \dots$)
# ```

# %% [markdown]
# <details><summary>Answer</summary>
#
# The last membrane influences only its own spike; every earlier one also influences all later
# spikes through the decay, so its gradient collects $1 + \beta + \dots + \beta^{T-1-t}$ terms.
# With $\tilde S' = 1$ and 10 neurons the sum at $t$ is $10\,(1-\beta^{T-t})/(1-\beta)$: 10 at the
# last step, approaching $10/(1-\beta) = 100$ far from the end (the values printed under the
# figure). The other surrogates give less, because $\tilde S' < 1$ for membranes away from the
# threshold.
# </details>

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
# The sharpness parameter trades locality for reach: a sharp surrogate passes gradient mostly to
# neurons whose membrane is close to threshold.

# %%
snl.plot.plot_surrogate([S.arctan(a) for a in (0.5, 2.0, 8.0)])
plt.tight_layout()
plt.show()
for a in (0.5, 2.0, 8.0):
    sur = S.arctan(a)
    peak, far = float(sur.derivative(0.0)), float(sur.derivative(1.0))
    print(f"{sur!r}: peak dS/du = {peak:.2f}, at u = 1: {far:.4f}")

# %% [markdown]
# ```{admonition} Think!
# snnTorch's documentation writes the arctan surrogate as
# $\frac{1}{\pi}\frac{1}{1+(\pi U\alpha/2)^2}$. Check numerically (with `torch.autograd.grad` on
# `torch.atan`) that the derivative of $\frac{1}{\pi}\arctan(\pi U \alpha/2)$ is
# $\frac{\alpha/2}{1+(\pi U\alpha/2)^2}$ instead. By what factor do the two differ at
# $\alpha = 2$? Does the factor change training with Adam?
# ```

# %% tags=["hide-input"]
u = torch.linspace(-1, 1, 201, dtype=torch.float64, requires_grad=True)
(grad,) = torch.autograd.grad((torch.atan(math.pi * u) / math.pi).sum(), u)
u = u.detach()
documented = (1 / math.pi) / (1 + (math.pi * u) ** 2)
print(f"max |autograd - (alpha/2)/(1+(pi u alpha/2)^2)| at alpha = 2: "
      f"{float((grad - 1 / (1 + (math.pi * u) ** 2)).abs().max()):.1e}")
print(f"autograd / documented: {float((grad / documented).mean()):.6f}"
      f" (pi = {math.pi:.6f})")

# %% [markdown]
# <details><summary>Answer</summary>
#
# The chain rule multiplies the derivative of $\arctan$ by $dz/du = \pi\alpha/2$; the documented
# formula drops that factor, so it is $\pi\alpha/2$ times smaller: $\pi$ at $\alpha = 2$ (printed
# above). snnTorch's code computes the correct one. Under Adam a constant factor on the
# surrogate cancels, because Adam divides each parameter's gradient by its running size; with
# plain SGD, clipping, weight decay or a loss mixing terms with and without surrogates it does
# not. The chapter measures both.
# </details>

# %% [markdown]
# ## 3. BPTT by hand
#
# ### The two-step example
#
# One neuron, one weight $w$, two inputs, starting at rest:
#
# $$U_1 = w x_1,\qquad S_1 = H(U_1 - U_{thr}),$$
#
# $$U_2 = \beta U_1 + w x_2 - S_1 U_{thr},\qquad S_2 = H(U_2 - U_{thr}),$$
#
# $$L = \tfrac12 (S_1 - y_1)^2 + \tfrac12 (S_2 - y_2)^2 .$$
#
# The weight is shared by both steps, so the chain rule sums over every path from $w$ to $L$.
# With $s'$ the surrogate derivative and the reset detached,
#
# $$
# \begin{aligned}
# \frac{dL}{dw} ={}& \underbrace{(S_1-y_1)\,s'(U_1-U_{thr})\,x_1}_{t=1}
# + \underbrace{(S_2-y_2)\,s'(U_2-U_{thr})\,x_2}_{t=2,\ s=2} \\
# &+ \underbrace{(S_2-y_2)\,s'(U_2-U_{thr})\,\beta x_1}_{t=2,\ s=1:\ \text{one step back}} .
# \end{aligned}
# $$
#
# We write it out by hand and compare with autograd.

# %%
w, x1, x2, beta, thr, y1, y2 = 0.8, 1.5, 0.5, 0.9, 1.0, 0.0, 1.0


def s_prime(u, alpha=2.0):
    """arctan surrogate derivative, written by hand."""
    return (alpha / 2) / (1 + (math.pi * alpha * u / 2) ** 2)


U1 = w * x1
S1 = float(thr < U1)
U2 = beta * U1 + w * x2 - S1 * thr
S2 = float(thr < U2)
by_hand = ((S1 - y1) * s_prime(U1 - thr) * x1
           + (S2 - y2) * s_prime(U2 - thr) * (x2 + beta * x1))
autograd = L.two_step_gradient(w, x1, x2, y1, y2, beta, thr, S.arctan(2.0))
print(f"U1 = {U1:.3f} (S1 = {S1:g}), U2 = {U2:.3f} (S2 = {S2:g})")
print(f"dL/dw by hand:     {by_hand:.8f}")
print(f"dL/dw by autograd: {autograd:.8f}")
terms = L.two_step_gradient_by_hand(w, x1, x2, y1, y2, beta, thr)
print("terms:", {k: round(v, 6) for k, v in terms.items()})
assert abs(by_hand - autograd) < 1e-6

# %% [markdown]
# The same number comes out of the library's LIF neuron, which detaches the reset as snnTorch
# does. Attaching the reset adds the path $S_1 \to U_2$ with weight $-U_{thr}$:

# %%
wt = torch.tensor(w, requires_grad=True)
cur = wt * torch.tensor([x1, x2]).reshape(2, 1, 1)  # [T=2, B=1, 1]
params = snl.neurons.LIFParams(beta=beta, threshold=thr)
spk, mem = snl.neurons.lif_run(cur, params)
(0.5 * (spk[0] - y1) ** 2 + 0.5 * (spk[1] - y2) ** 2).sum().backward()
print(f"snl.neurons.lif_run:       {float(wt.grad):.8f}")
attached = L.two_step_gradient(w, x1, x2, y1, y2, beta, thr, detach_reset=False)
print(f"reset attached (autograd): {attached:.8f}")

# %% tags=["remove-cell"]
claim(abs(attached) > abs(autograd), "the reset term makes the gradient larger")
claim(S1 == 1.0 and y1 == 0.0, "the first spike is unwanted")

# %% [markdown]
# ```{admonition} Think!
# Here $S_1 = 1$ but $y_1 = 0$: the loss wants the first spike gone. With the reset attached,
# removing the first spike would also *remove* a reset and so raise $U_2$, which the loss wants.
# Does the reset term make the gradient larger or smaller in magnitude here? Why might a path
# whose gradient depends on two surrogate factors at once be a poor guide in general?
# ```

# %% [markdown]
# <details><summary>Answer</summary>
#
# Larger (the two values printed above): the reset path adds
# $(S_2-y_2)\,s'(U_2-U_{thr})\,(-U_{thr})\,s'(U_1-U_{thr})\,x_1 > 0$ here, in the same direction
# as the first term. In general that path pretends that a small change of $U_1$ changes the spike
# $S_1$ a little, and so the reset a little, although the real reset is all or nothing; it
# multiplies two approximations, and near threshold it makes the factor carried from $U[t]$ to
# $U[t+1]$, $\beta - U_{thr}\,s'(U[t]-U_{thr})$, small or negative, cutting or flipping the
# gradient through time around every spike.
# </details>

# %% [markdown]
# ### Several layers
#
# In a stack of LIF layers, layer $l$ is driven by the spikes of the layer below,
# $I^l[t] = W^l S^{l-1}[t]$ ($S^0$ is the input). With $\delta^l[t] = \partial L/\partial U^l[t]$
# and $e^l[t] = \partial L/\partial S^l[t]$, the chain rule gives (the chapter derives it)
#
# $$e^{\text{out}}[t] = \frac{\partial L}{\partial S^{\text{out}}[t]},\qquad
# e^{l}[t] = \big(W^{l+1}\big)^{\top} \delta^{l+1}[t],$$
#
# $$\delta^l[t] = e^l[t]\, s'(U^l[t] - U_{thr}) + \beta\, \delta^l[t+1],\qquad
# \frac{\partial L}{\partial W^l} = \sum_t \delta^l[t]\,\big(S^{l-1}[t]\big)^{\top}.$$
#
# `snl.learning.bptt_by_hand` runs this recursion without autograd. For a two-layer network:

# %%
gen = torch.Generator().manual_seed(0)
x_in = (torch.rand(20, 4, 5, generator=gen, dtype=torch.float64) < 0.4).double()
weights = [torch.randn(8, 5, generator=gen, dtype=torch.float64),
           torch.randn(3, 8, generator=gen, dtype=torch.float64)]
weights = [w_.requires_grad_(True) for w_ in weights]
target = (torch.rand(20, 4, 3, generator=gen) < 0.3).double()
rec = L.lif_stack_forward(x_in, weights)  # spikes, membranes per layer
loss = 0.5 * ((rec.spk[-1] - target) ** 2).sum()
auto = torch.autograd.grad(loss, weights)
hand = L.bptt_by_hand(x_in, weights, rec.spk[-1].detach() - target)
for name, a, h in zip(("W1", "W2"), auto, hand):
    print(f"dL/d{name}: max |autograd - recursion| = "
          f"{float((a - h).abs().max()):.1e}")

# %% [markdown]
# ## 4. A single neuron trained to fire at target times
#
# Fifty frozen random input spike trains drive one LIF neuron. We train its 50 input weights so
# that it fires exactly at the target times, with the van Rossum distance (both spike trains
# filtered by a decaying exponential, then compared) as the loss and the arctan surrogate
# carrying the gradient.

# %%
targets = [12, 30, 47]
result = L.train_spike_times(targets, num_steps=60,
                             max_iterations=snl.workload(500, 300))
print(f"reached the targets exactly: {result.reached} after "
      f"{result.iterations} optimiser steps")
print(f"target times: {result.target_times}; "
      f"spikes after training: {result.spike_times}")
fig, axes = plt.subplots(2, 1, figsize=(6.9, 5.0))
snl.plot.plot_spike_targets(result, ax=axes[0])
snl.plot.plot_loss_curves({"van Rossum": result.losses}, ax=axes[1])
axes[1].set_xlabel("optimiser step")
plt.tight_layout()
plt.show()

# %% [markdown]
# Without a surrogate the same training cannot start: the weights never move.

# %%
stuck = L.train_spike_times(targets, num_steps=60, max_iterations=20,
                            surrogate="none")
unchanged = torch.equal(stuck.spk, stuck.spk_start)
print(f"no surrogate: reached = {stuck.reached}; "
      f"spikes unchanged = {unchanged}")

# %% [markdown]
# ## 5. A small network trained by BPTT
#
# Two interleaved half-moons, a 2-D two-class toy set. Each point is presented as a constant
# input current for $T = 20$ steps to 32 hidden LIF neurons, which drive 2 output LIF neurons
# (`snl.learning.ToySNN`). The loss is the cross-entropy of the output membranes at every step,
# averaged over the steps; the prediction is the output neuron that fires most
# (`snl.learning.predict_class`).

# %%
x, y = L.toy_dataset(400, "moons", seed=0)
TRAIN = dict(epochs=30, hidden=32, num_steps=20)  # every training run below
run = L.train_toy(x, y, "arctan", **TRAIN)
print(f"after {TRAIN['epochs']} epochs: loss {run.final_loss:.3f}, "
      f"training accuracy {run.final_accuracy:.1%}")
fig, axes = plt.subplots(1, 3, figsize=(6.9, 2.6))
snl.plot.plot_loss_curves({"loss": run.losses}, ax=axes[0])
snl.plot.plot_loss_curves({"accuracy": run.accuracies}, ax=axes[1],
                          ylabel="training accuracy")
snl.plot.plot_decision_regions(run.model, x, y, ax=axes[2])
axes[2].set_title("")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. The surrogates compared over several runs
#
# With the membrane loss above, part of the gradient reaches the output weights without passing
# through any spike. To compare surrogates we put the loss on the spike *count* (the rate code):
# cross-entropy of $\sum_t S[t]$, so that every gradient must pass through the surrogates. One
# training run per surrogate would be an anecdote: the result depends on the initial weights. So
# `snl.learning.seed_study` trains each surrogate from several seeds (10 in the full run, 3 in
# quick mode), same data and number of epochs; each dot is one seed, hollow when an output neuron
# ended silent (it never fires on any input).

# %%
SHAPES = [S.arctan(), S.fast_sigmoid(), S.sigmoid(), S.triangle(),
          S.straight_through(), S.sigmoid(5.0), S.triangle(0.5)]
seeds = snl.workload(range(10), range(3))
study = L.seed_study(x, y, SHAPES, seeds=seeds, loss_kind="count", **TRAIN)
snl.plot.plot_seed_study(study)
plt.tight_layout()
plt.show()
for label in study.labels:
    print(study.summary(label))

# %% tags=["remove-cell"]
arctan, fast, sig, tri, ste, sig_wide, tri_wide = study.labels
n = len(study.seeds)
for lab in (arctan, fast, ste, sig_wide, tri_wide):
    claim(study.trained(lab) == n, f"{lab} trains from every seed")
for lab in (sig, tri):
    claim(1 <= study.trained(lab) < n, f"{lab} trains from some seeds only")
    failed, dead = study.failed_with_dead_output(lab)
    claim(failed == dead, f"every failed run of {lab} has a silent output")

# %% [markdown]
# ```{admonition} Think!
# Did any surrogate with a real derivative get stuck near chance, and from how many seeds?
# Compare the shapes in section 2: how much gradient does each give an output neuron that never
# fires, whose membrane stays well below threshold? What would you change to rescue it?
# ```

# %% [markdown]
# <details><summary>Answer</summary>
#
# Sigmoid(25) and triangle(1) train from some seeds only (the counts are printed above), and
# every one of their failed runs ends with a silent output neuron. Its membrane sits far below
# threshold, where sigmoid(25)'s derivative is vanishingly small (it decays like
# $e^{-25|u|}$) and triangle(1)'s is exactly 0 beyond $|u| = 1$: the neuron gets no gradient, so
# nothing brings it back. Arctan and the fast sigmoid have heavy tails (they decay like
# $1/u^2$), so even a silent neuron gets a little gradient. Widening the surrogate rescues both:
# sigmoid(5) and triangle(0.5) train from every seed. (Other remedies: initial weights that make
# every neuron fire, or the membrane loss of section 5, which reaches the output neurons without
# a spike.)
# </details>

# %% [markdown]
# ```{admonition} Think!
# With no surrogate and the spike-count loss nothing can move. Would that still be true with the
# membrane loss of section 5? Which layer's weights would move, and which would not?
# ```

# %% tags=["hide-input"]
dead = L.train_toy(x, y, "none", epochs=3, hidden=32, num_steps=20)
for name in ("fc1.weight", "fc2.weight"):
    after = dict(dead.model.named_parameters())[name].detach()
    moved = after - dead.initial[name]
    print(f"no surrogate, membrane loss: {name} moved by up to "
          f"{float(moved.abs().max()):.3g}")

# %% tags=["remove-cell"]
params_after = dict(dead.model.named_parameters())
claim(torch.equal(params_after["fc1.weight"], dead.initial["fc1.weight"]),
      "without a surrogate the hidden weights never move")
claim(not torch.equal(params_after["fc2.weight"], dead.initial["fc2.weight"]),
      "the output weights move through the membrane loss")

# %% [markdown]
# <details><summary>Answer</summary>
#
# The output weights move: the membrane loss reaches them through the output membranes, with no
# spike on the way. The hidden weights do not (printed above: they moved by exactly 0): their
# gradient must cross the output layer's input, i.e. the hidden spikes, whose true derivative is
# 0. The network then trains only a linear readout of fixed random spike trains.
# </details>

# %% [markdown]
# ## Explorer
#
# Choose a surrogate and its sharpness. Left: the forward pass is always the step $H(u)$ (black);
# the dashed curve is the smooth function whose derivative the backward pass uses. Middle: that
# derivative, $dS/du$. Right: the gradient $dL/dw$ that reaches a weight in a small example, one
# LIF neuron driven by $w \cdot x$ for a few steps with the loss $L = (N - N_{\rm target})^2$ on
# its spike count $N$; move the weight slider to read it at one point. In Jupyter or Colab the
# explorer differentiates through `snl.neurons.lif_run` with autograd; on the book's web page the
# same numbers come from a small JavaScript model (checked against autograd by the test suite),
# so the sliders work without a kernel.
#
# Things to try:
#
# - Pick *none* (the true derivative): the gradient is zero for every weight.
# - Make the arctan or sigmoid surrogate sharper: the derivative gets taller and narrower, and the
#   gradient reaches the weight only when the membrane passes close to the threshold.
# - Compare *triangle* and *straight through*: where does each one give no gradient at all?
#
# ```{admonition} Think!
# The gradient curve jumps wherever the spike count $N$ changes. Why does the loss, a step
# function of $w$, still get a useful descent direction from the surrogate?
# ```

# %% [markdown]
# <details><summary>Answer</summary>
#
# The surrogate gradient is the exact gradient of a smoothed network, in which each spike is
# replaced by the smooth step $\tilde S(U - U_{thr})$. That smoothed count rises steadily with
# $w$ where the true count jumps, so its slope says in which direction $w$ must move to add or
# remove a spike, and it is largest where a membrane passes close to the threshold, i.e. where a
# spike is about to appear or vanish. The jumps come from the factors $S - y$, which use the
# real (stepped) spikes.
# </details>

# %%
snl.widgets.surrogate_explorer()


# %% [markdown]
# ## Exercises
#
# Each exercise has a stub to complete, a check, progressive hints
# (`print(snl.exercises.hint("surrogate_function", 1))`, then 2 and 3) and, in the collapsed cell
# under the check, the reference solution with its check.
#
# ### Exercise 1: a surrogate as an autograd Function
#
# Implement SuperSpike's fast sigmoid with slope $k = 10$: the forward pass is the exact step
# $H(u)$ ($H(0) = 0$, same dtype as `u`); the backward pass multiplies the incoming gradient by
# $1/(1+k|u|)^2$. Replace the two `raise` lines with your code. (Hints:
# `snl.exercises.hint("surrogate_function", level)`.)

# %%
class MySuperSpike(torch.autograd.Function):
    k = 10.0

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        raise NotImplementedError("exercise: return the exact step H(u)")

    @staticmethod
    def backward(ctx, grad_output):
        # the u saved by forward: (u,) = ctx.saved_tensors
        raise NotImplementedError("exercise: return grad_output * dS/du")


snl.exercises.check_surrogate_function(MySuperSpike, expected="fast_sigmoid",
                                       sharpness=10.0)


# %% tags=["hide-input"]
# Reference solution
class MySuperSpikeSolution(torch.autograd.Function):
    k = 10.0

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        (u,) = ctx.saved_tensors
        k = MySuperSpikeSolution.k
        return grad_output / (1 + k * u.abs()) ** 2


snl.exercises.check_surrogate_function(
    MySuperSpikeSolution, expected="fast_sigmoid", sharpness=10.0,
    label="reference solution")


# %% [markdown]
# ### Exercise 2: the two-step gradient by hand
#
# Write `dL/dw` of the two-step example (section 3) as a function of its inputs, using the arctan
# surrogate with $\alpha = 2$, $s'(u) = 1/(1+(\pi u)^2)$, and the detached reset. The check
# compares it with autograd at 50 random settings and tells you which path is missing if it
# differs. (Hints: `snl.exercises.hint("bptt_gradient", level)`.)

# %%
def my_two_step_gradient(w, x1, x2, y1, y2, beta, thr):
    raise NotImplementedError("exercise: derive dL/dw by hand")


snl.exercises.check_bptt_gradient(my_two_step_gradient)


# %% tags=["hide-input"]
# Reference solution
def my_two_step_gradient_solution(w, x1, x2, y1, y2, beta, thr):
    def sp(u):
        return 1 / (1 + (math.pi * u) ** 2)

    u1 = w * x1
    s1 = float(u1 > thr)
    u2 = beta * u1 + w * x2 - s1 * thr
    s2 = float(u2 > thr)
    return ((s1 - y1) * sp(u1 - thr) * x1
            + (s2 - y2) * sp(u2 - thr) * (beta * x1 + x2))


snl.exercises.check_bptt_gradient(my_two_step_gradient_solution,
                                  label="reference solution")


# %% [markdown]
# ### Exercise 3: one layer of the BPTT recursion
#
# Write the backward sweep in time of one layer (section 3, several layers): given
# `e[t]` $= \partial L/\partial S[t]$ and the membranes `mem[t]` $= U[t]$, both `[T, B, n]`,
# return `delta[t]` $= \partial L/\partial U[t]$ with
# $\delta[t] = e[t]\, s'(U[t] - U_{thr}) + \beta\, \delta[t+1]$ ($\delta[T] = 0$ beyond the last
# step) and the arctan surrogate ($\alpha = 2$, `S.arctan(2.0).derivative`). (Hints:
# `snl.exercises.hint("bptt_recursion", level)`.)

# %%
def my_delta(e, mem, beta, threshold):
    raise NotImplementedError("exercise: the recursion, backward in time")


snl.exercises.check_bptt_recursion(my_delta)


# %% tags=["hide-input"]
# Reference solution
def my_delta_solution(e, mem, beta, threshold):
    slope = S.arctan(2.0).derivative(mem - threshold)
    delta = torch.zeros_like(e)
    carry = torch.zeros_like(e[0])
    for t in reversed(range(e.shape[0])):
        carry = e[t] * slope[t] + beta * carry
        delta[t] = carry
    return delta


snl.exercises.check_bptt_recursion(my_delta_solution,
                                   label="reference solution")

# %% [markdown]
# ### Exercise 4: sharpness
#
# Re-run the study of section 6 with `S.arctan(a)` for `a` in `(0.5, 2, 8, 32)` (same data,
# seeds and spike-count loss). Does any sharpness fail from some seed, as sigmoid(25) did? Which
# reaches 90% accuracy in the fewest epochs (`study.epochs_to_target(label)`)? At its peak
# arctan(32) is sharper than sigmoid(25) ($\alpha/2 = 16$ against $k/4 = 6.25$): why does it not
# fail like sigmoid(25)? (Compare their derivatives one unit below threshold.)

# %% tags=["hide-input"]
# Reference solution
SHARP = [S.arctan(a) for a in (0.5, 2.0, 8.0, 32.0)]
sweep = L.seed_study(x, y, SHARP, seeds=seeds, loss_kind="count", **TRAIN)
speed = {}
for label in sweep.labels:
    speed[label] = float(sweep.epochs_to_target(label).mean())
    print(sweep.summary(label), f"| epochs to 90%: {speed[label]:.1f}")
for sur in (S.arctan(32.0), S.sigmoid(25.0)):
    print(f"{sur!r}: derivative at u = -1: {float(sur.derivative(-1.0)):.2e}")

# %% tags=["remove-cell"]
for label in sweep.labels:
    claim(sweep.trained(label) == len(sweep.seeds),
          f"{label} trains from every seed")
ordered = [speed[label] for label in sweep.labels]
claim(all(a <= b for a, b in zip(ordered, ordered[1:])),
      "the sharper the arctan, the more epochs to 90%")
claim(ordered[0] < ordered[-1],
      "the flattest arctan is faster than the sharpest")
claim(float(S.arctan(32.0).derivative(-1.0))
      > 1e6 * float(S.sigmoid(25.0).derivative(-1.0)),
      "arctan(32) reaches far below threshold, sigmoid(25) does not")

# %% [markdown]
# <details><summary>Answer</summary>
#
# No sharpness of arctan fails: every one trains from every seed (the table above). The flattest,
# $\alpha = 0.5$, reaches 90% in the fewest epochs on average, and the sharper the surrogate, the
# more epochs it needs. So neither "flat" nor "sharp" arctan does badly here; sharp only costs
# speed. Arctan(32) does not fail like sigmoid(25) because of its tails: one unit below threshold
# its derivative is millions of times larger than sigmoid(25)'s (printed above), so a silent
# neuron still receives gradient. What decides whether training can fail is how far the
# surrogate reaches, not its peak.
# </details>
