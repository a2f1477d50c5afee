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
# # Training a spiking network on MNIST
#
# In this notebook you train the chapter's network, 784 inputs, 1000 leaky integrate-and-fire (LIF)
# neurons and 10 output LIF neurons, for 25 time steps, on handwritten digits. You will write the
# network plainly first, check that the library's fast path computes exactly the same thing, train it,
# compare it with snnTorch and with a plain PyTorch loop on *your* hardware, find out where the time
# goes, and count the operations a spiking network needs against a conventional network of the same shape.
#
# In quick mode (`SNNLIB_QUICK=1`, used when the book is built) everything runs on the small bundled
# subset for a few batches; without it the notebook trains the full five epochs on full MNIST.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/05_mnist_gpu.ipynb)

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
import time

import matplotlib.pyplot as plt
import torch

from snnlib import models as M
from snnlib import train as T

source = "bundled" if snl.quick_mode() else "auto"
train_x, train_y = snl.data.load_mnist("train", source=source)
test_x, test_y = snl.data.load_mnist("test", source=source)
print(f"training images {tuple(train_x.shape)}, test images {tuple(test_x.shape)}, device {device}")

# %% [markdown]
# ## The data
#
# `snl.data.Batches` keeps the whole data set on the device and hands out shuffled batches
# `x` of shape `[B, 28, 28]` (float) and `y` of shape `[B]`. The recipe standardises the pixels with
# MNIST's mean and standard deviation (`scale="standard"`).

# %%
train = snl.data.Batches(train_x, train_y, batch_size=128, device=device, scale="standard")
test = snl.data.Batches(test_x, test_y, batch_size=1000, shuffle=False, device=device, scale="standard")
x, y = next(iter(train))
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, img, label in zip(axes, x, y):
    ax.imshow(img.cpu(), cmap="gray")
    ax.set_title(int(label))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## The network, written plainly
#
# At every one of the $T = 25$ steps the same image drives the hidden layer through $W_1$; the hidden
# spikes drive the output layer through $W_2$:
#
# $$I_1 = W_1 x + b_1,\quad U_1[t] = \beta U_1[t-1] + I_1 - S_1[t-1]\,U_{thr},\quad S_1[t] = H(U_1[t] - U_{thr})$$
# $$U_2[t] = \beta U_2[t-1] + W_2 S_1[t] + b_2 - S_2[t-1]\,U_{thr},\quad S_2[t] = H(U_2[t] - U_{thr})$$
#
# `SpikingMLP(fast=False)` is exactly this loop, one step at a time, with `snl.neurons.LIF` (look at
# `forward_plain` in `snnlib/models/mlp.py`). It returns the output spikes and membranes, each `[T, B, 10]`;
# `record(x)` returns them with the hidden layer's spike count per step and sample.

# %%
torch.manual_seed(0)
plain = M.SpikingMLP(fast=False).to(device)
spk, mem, hidden_count = plain.record(x)[:3]
print("output spikes", tuple(spk.shape), "| hidden spikes per sample:", float(hidden_count.sum(0).mean()))
snl.plot.plot_output_spikes(spk, sample=0)
plt.title(f"untrained network, digit {int(y[0])}: output spikes (counts on the right)")
plt.show()


# %% [markdown]
# ```{admonition} Think!
# The input current $W_1 x$ is the same at every step. How many of the 25 matrix products
# `plain.fc1(x)` in the loop are really needed?
# ```
#
# ## Decoding and the loss
#
# *Rate decoding*: the predicted class is the output neuron that fired most. Write it: sum the spikes over
# time (dim 0 of `[T, B, C]`) and take the class with the largest count.

# %%
def decode(spk_rec):
    # TODO: replace the library call by your own one-liner (sum over time, argmax over classes).
    return M.predict(spk_rec)


snl.exercises.check_rate_decoding(decode)

# %% [markdown]
# Spike counts are whole numbers, so two classes can tie; `M.predict(spk, mem)` breaks ties with the
# membrane. The **loss** of the recipe is the cross-entropy of the output membrane at *every* step,
# summed over steps, $\sum_t \mathrm{CE}(U_2[t], y)$: it pushes the correct neuron's membrane up
# early and keeps it there, which makes it fire most. The spike-rate alternative applies the
# cross-entropy to the spike counts (`M.rate_ce_loss`); its gradient reaches the weights only
# through the surrogate of the output spikes.

# %%
with torch.no_grad():
    print("membrane loss:", float(M.membrane_ce_loss(mem, y)), "| rate loss:", float(M.rate_ce_loss(spk, y)))

# %% [markdown]
# ## The fast path computes the same
#
# `SpikingMLP()` (fast by default) computes $W_1 x$ once, runs the hidden layer's 25 steps and the output
# synapses in one fused function with a hand-written backward pass, and the output layer's steps in one
# more call. Same weights, same input: the spikes must be identical and the gradients equal to float rounding.

# %%
fast = M.SpikingMLP().to(device)
fast.load_state_dict(plain.state_dict())
grads = {}
for name, model in (("plain", plain), ("fast", fast)):
    model.zero_grad()
    s, m = model(x)
    M.membrane_ce_loss(m, y).backward()
    grads[name] = (s, m, model.fc1.weight.grad.clone())
print("identical output spikes:", torch.equal(grads["plain"][0], grads["fast"][0]))
print("largest membrane difference:", float((grads["plain"][1] - grads["fast"][1]).abs().max()))
rel = (grads["plain"][2] - grads["fast"][2]).abs().max() / grads["plain"][2].abs().max()
print(f"largest relative difference of dL/dW1: {float(rel):.1e}")


# %% [markdown]
# ## Where the time goes
#
# Count the PyTorch operators (kernels) that one training step of each version dispatches, forward and
# backward, and time the steps.

# %%
def one_step(model):
    model.zero_grad()
    _s, m = model(x)
    M.membrane_ce_loss(m, y).backward()


ops, secs = {}, {}
for name, model in (("plain loop", plain), ("fast path", fast)):
    one_step(model)
    ops[name], _ = M.count_dispatched_ops(one_step, model)
    t0 = time.perf_counter()
    reps = snl.workload(3, 1)
    for _ in range(reps):
        one_step(model)
    secs[name] = (time.perf_counter() - t0) / reps
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 2.4))
a1.barh(list(ops), list(ops.values()), color=["#7f7f7f", "#1f77b4"])
a1.set_xlabel("PyTorch operations per training step")
a2.barh(list(secs), [1000 * v for v in secs.values()], color=["#7f7f7f", "#1f77b4"])
a2.set_xlabel("milliseconds per training step")
plt.tight_layout()
plt.show()
print({k: f"{v} ops" for k, v in ops.items()}, {k: f"{1000 * v:.1f} ms" for k, v in secs.items()})

# %% [markdown]
# Each operation of the plain loop works on a small tensor (`[128, 1000]` at most), so its fixed cost
# (Python, dispatch, autograd bookkeeping, and on a GPU a kernel launch) dominates. The fast path runs
# far fewer operations, and on a GPU `snl.train` also compiles the model to cut the launches further.
#
# ## Training
#
# `snl.train.fit` trains with the recipe (Adam, lr $2\cdot10^{-3}$ with warm-up and cosine decay,
# standardised input, membrane loss, summed-membrane readout), evaluates after every epoch and returns
# a `FitResult`: `result.model` is the trained network, `result.history` the run's record in plain
# numbers (the loss at every step, and for each epoch the test accuracy of both readouts, the seconds
# and samples/s), the same record `python -m snnlib.train --json` writes.
# Pass `checkpoint="runs/mnist"` to save after every epoch and `resume=True` to continue an interrupted run.

# %%
config = T.TrainConfig(
    epochs=snl.workload(5, 1),
    max_batches=snl.workload(None, 20),
    source=source,
    device=str(device),
    max_test=snl.workload(None, 1000),
)
result = T.fit(config, data=(train, test), progress=False, log=True)
history = result.history
steps_per_epoch = len(history["loss"]) // len(history["epochs"])
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3))
snl.plot.plot_loss_curve(history["loss"], ax=a1, steps_per_epoch=steps_per_epoch, smooth=10)
snl.plot.plot_accuracy_curves({"fast path": [e["test_accuracy"] for e in history["epochs"]]}, ax=a2)
plt.tight_layout()
plt.show()
net = result.model

# %%
xt, yt = next(iter(test))
with torch.no_grad():
    spk, mem = net(xt)
for readout in ("count", "membrane"):
    print(
        f"test accuracy on this batch, {readout} readout: {float((M.predict(spk, mem, readout) == yt).float().mean()):.1%}"
    )
snl.plot.plot_output_spikes(spk, sample=0)
plt.title(f"trained network, digit {int(yt[0])}")
plt.show()

# %% [markdown]
# ## The reference table on your hardware
#
# The same network in three implementations, trained side by side on the same batches (alternating,
# so that a busy machine slows them alike): the library's fast path, snnTorch's tutorial loop, and a
# plain PyTorch loop. In quick mode each trains a few batches; in full mode one full epoch each.

# %%
rounds = snl.workload(3, 2)
per_round = snl.workload(max(1, len(train) // rounds), 1)
cmp = T.compare_implementations(
    train, test, batches_per_round=per_round, rounds=rounds, eval_batches=snl.workload(None, 1), progress=False
)
n_train = len(train_x)
from IPython.display import HTML, display

rows = "".join(
    f"<tr><td>{name}</td><td>{n_train / r['train_samples_per_s']:.1f}</td>"
    f"<td>{len(test_x) / r['eval_samples_per_s']:.2f}</td>"
    f"<td>{r['test_accuracy']:.1%} after {r['trained_samples']} samples</td></tr>"
    for name, r in cmp["results"].items()
)
display(
    HTML(
        "<table><thead><tr><th>implementation</th><th>training time per epoch (s)</th>"
        "<th>evaluation time (s)</th><th>test accuracy</th></tr></thead><tbody>" + rows + "</tbody></table>"
        f"<p>Measured on {cmp['device_name']}; training time per epoch = {n_train} images / measured "
        "samples per second.</p>"
    )
)
snl.plot.plot_throughput(cmp["results"])
plt.show()
print({k: f"{v:.1f}x" for k, v in cmp["ratios"].items()})

# %% [markdown]
# ## An ANN of the same shape, and the energy argument
#
# A conventional network `784 -> 1000 (ReLU) -> 10` does $784\cdot1000 + 1000\cdot10$ multiply-accumulates
# (MACs) per image. The spiking network computes $W_1 x$ once (the same MACs for the first layer), but its
# second layer only *adds* a column of $W_2$ when a hidden neuron spikes: one synaptic operation (an addition)
# per spike and outgoing synapse. Train the ANN briefly and count.

# %%
torch.manual_seed(0)
ann = M.ANN().to(device)
opt = torch.optim.Adam(ann.parameters(), 1e-3)
for epoch in range(snl.workload(5, 1)):
    train.set_epoch(epoch)
    for i, (xb, yb) in enumerate(train):
        if i >= snl.workload(len(train), 20):
            break
        loss = torch.nn.functional.cross_entropy(ann(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
with torch.no_grad():
    ann_acc = float((ann(xt).argmax(-1) == yt).float().mean())
    hidden = net.hidden_spikes(xt)
    out_spk, _ = net(xt)
counts = M.count_operations(hidden, out_spk)
print(
    f"ANN accuracy on the batch {ann_acc:.1%}; hidden spikes per image {counts['hidden_spikes']:.0f} "
    f"({counts['hidden_rate']:.1%} of neuron-steps)"
)
fig, ax = plt.subplots(figsize=(6, 2.2))
labels = ["ANN: MACs (both layers)", "SNN: MACs (layer 1, once)", "SNN: additions (layer 2)"]
values = [counts["ann_macs"], counts["snn_macs"], counts["snn_synops"]]
ax.barh(labels, values, color=["#7f7f7f", "#1f77b4", "#2ca02c"])
ax.set_xlabel("operations per image")
plt.show()


# %% [markdown]
# ```{admonition} Think!
# An addition costs far less energy than a multiply-accumulate on neuromorphic hardware. Why does the
# first layer gain nothing here, and what would change if the input were itself a train of spikes?
# ```
#
# Exercise: write the count of synaptic operations per image of the second layer, given hidden spikes
# `[T, B, H]` and the number of outgoing synapses per hidden neuron (`fan_out`).

# %%
def synaptic_operations(hidden_spikes, fan_out):
    # TODO: replace by your own: every spike costs fan_out additions; average over the batch (dim 1).
    return M.count_operations(hidden_spikes, hidden_spikes[..., :fan_out])["hidden_spikes"] * fan_out


snl.exercises.check_synaptic_operations(synaptic_operations)

# %% [markdown]
# ## Training on a GPU
#
# In Colab choose **Runtime → Change runtime type → T4 GPU** (or any GPU offered), then run the notebook
# from the top: the set-up cell prints the GPU's name, the data move to it once, and `T.fit` compiles the
# model with `torch.compile` (falling back to the eager fast path, with a warning, if compiling fails).
# From a terminal: `python -m snnlib.train --device cuda --json run.json`.
#
# ## Try it yourself
#
# 1. **Fashion-MNIST**: `snl.data.load_mnist("train", dataset="fashion-mnist")` gives clothing images of the
#    same shape; pass `dataset="fashion-mnist"` to `T.TrainConfig` and compare the accuracy.
# 2. **Other encodings**: chapter 1's encoders (`snl.encoding`) turn an image into spike trains `[T, B, 784]`;
#    `SpikingMLP` accepts such a time-first input (below, a Bernoulli rate code made by hand). Does
#    accuracy drop, and how many more operations does layer 1 then need?
# 3. **Learnable beta and threshold**: `T.TrainConfig(learn_beta=True, learn_threshold=True)` learns one
#    decay and one threshold per neuron. Plot `net.lif1.beta` after training.

# %%
x_seq = (torch.rand(25, *xt.shape[:1], 784, device=device) < (xt.reshape(len(xt), -1) * 0.3081 + 0.1307)).float()
with torch.no_grad():
    s_seq, m_seq = net(x_seq)
print(
    f"trained on static images, tested on rate-coded spikes: {float((M.predict(s_seq, m_seq) == yt).float().mean()):.1%}"
)
