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
# network plainly first, check that the library's fast path computes exactly the same thing, train it
# with the snnTorch tutorial's recipe and with ours, compare the implementations on *your* hardware,
# find out where the time goes, and count, layer by layer, the operations and the energy a spiking
# network needs against a conventional network of the same shape.
#
# **Quick mode.** With `SNNLIB_QUICK=1` (used when the book is built) every cell runs a small
# workload: a few batches of training, a few timed steps. Its accuracies and timings show that the
# code works, nothing more: they are **not benchmarks**. Without it the notebook trains the full
# five epochs on full MNIST (a progress bar shows how far it got); the chapter's measured numbers
# come from the scripts in `benchmarks/`.

# %%
# Set-up cell: in Colab (and only there) install snnlib from the book's repository;
# everywhere: import it, seed every generator, and print the versions and the device.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/snn-book/snn-book"], check=True)

import snnlib as snl

device = snl.setup(seed=0)

# %%
import contextlib
import io
import textwrap
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import HTML, display

from snnlib import models as M
from snnlib import train as T

quick = snl.quick_mode()


def say(text):
    """Print ``text`` wrapped to 78 characters."""
    print(textwrap.fill(text, 78))


# Full MNIST if it is here ($SNNLIB_DATA, the cache) or, in full mode, can be
# downloaded; otherwise the small subset bundled with snnlib.
with contextlib.redirect_stdout(io.StringIO()) as found:
    train_x, train_y = snl.data.load_mnist("train", download=not quick)
    test_x, test_y = snl.data.load_mnist("test", download=not quick)
for line in found.getvalue().splitlines():
    say(line)
where = T.measure.device_name(device)
print(f"training images {tuple(train_x.shape)}, "
      f"test images {tuple(test_x.shape)}")
print(f"computing on {where}")



# %% [markdown]
# ## The data
#
# `snl.data.Batches` keeps the whole data set on the device and hands out shuffled batches
# `x` of shape `[B, 28, 28]` (float) and `y` of shape `[B]`. The recipe scales the pixels to
# $[0, 1]$ (`scale="unit"`), as snnTorch's tutorial does: a blank pixel is 0 and drives no
# current.

# %%
recipe = T.TrainConfig()  # the chapter's recipe: the command line's defaults
train = snl.data.Batches(
    train_x, train_y, batch_size=128, device=device, scale=recipe.scale
)
test = snl.data.Batches(
    test_x, test_y, batch_size=1000, shuffle=False, device=device,
    scale=recipe.scale,
)
x, y = next(iter(train))
fig, axes = plt.subplots(1, 8, figsize=(6.9, 1.3))
for ax, img, label in zip(axes, x, y):
    ax.imshow(img.cpu(), cmap="gray")
    ax.set_title(int(label), fontsize=9)
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
print("output spikes", tuple(spk.shape))
print("hidden spikes per sample:", float(hidden_count.sum(0).mean()))
ax = snl.plot.plot_output_spikes(spk, sample=0)
ax.set_title(f"untrained network, digit {int(y[0])}: output spikes", fontsize=9)
plt.show()

# %% [markdown]
# ```{admonition} Think!
# The input current $W_1 x$ is the same at every step. How many of the 25 matrix products
# `plain.fc1(x)` in the loop are really needed?
# ```
#
# <details><summary>Answer</summary>
#
# One. The image and $W_1$ do not change during the 25 steps, so $W_1 x + b_1$ is the same
# product 25 times; compute it once and feed the same current at every step. The fast path below
# does exactly that, and it is the largest single saving: this product is by far the biggest
# operation of the network ($784 \times 1000$ multiply-accumulates per image).
# </details>
#
# ## Decoding
#
# *Rate decoding*: the predicted class is the output neuron that fired most.
#
# **Exercise.** Write `decode(spk_rec)`: given the output spikes `[T, B, C]` (time first), return one
# class index per sample, shape `[B]`. Replace the `raise` line with your code and run the check;
# `snl.exercises.hint("rate_decoding", 1)` (then `2`) gives a hint.

# %%
def decode(spk_rec):
    """Output spikes [T, B, C] -> the class that fired most, [B]."""
    raise NotImplementedError("exercise: write your decoding here")


snl.exercises.check_rate_decoding(decode)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution (read it after trying)
def decode_solution(spk_rec):
    return spk_rec.sum(0).argmax(-1)


snl.exercises.check_rate_decoding(decode_solution, label="reference solution")

# %% [markdown]
# Spike counts are whole numbers, so two classes can tie; `M.predict(spk, mem)` breaks ties with the
# membrane. Our recipe reads out the summed output membrane instead (`M.predict(spk, mem,
# "membrane")`), the quantity the loss trains. The **loss** is the cross-entropy of the output
# membrane at *every* step, summed over steps, $\sum_t \mathrm{CE}(U_2[t], y)$: it pushes the correct
# neuron's membrane up early and keeps it there, which makes it fire most. The spike-rate
# alternative applies the cross-entropy to the spike counts (`M.rate_ce_loss`); its gradient reaches
# the weights only through the surrogate of the output spikes.

# %%
pred = decode_solution(spk)
with torch.no_grad():
    print(
        f"untrained: {float((pred == y).float().mean()):.0%} of the batch right"
        f" | membrane loss {float(M.membrane_ce_loss(mem, y)):.1f}"
        f" | rate loss {float(M.rate_ce_loss(spk, y)):.2f}"
    )

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
    grads[name] = (s.detach(), m.detach(), model.fc1.weight.grad.clone())
(s_p, m_p, g_p), (s_f, m_f, g_f) = grads["plain"], grads["fast"]
print("identical output spikes:", torch.equal(s_p, s_f))
print(f"largest membrane difference: {float((m_p - m_f).abs().max()):.1e}")
rel = (g_p - g_f).abs().max() / g_p.abs().max()
print(f"largest relative difference of dL/dW1: {float(rel):.1e}")


# %% [markdown]
# ## Where the time goes
#
# Count the PyTorch operators (kernels) that one training step of each version dispatches, forward and
# backward, and time the steps (after one untimed warm-up step each).

# %%
def one_step(model):
    model.zero_grad()
    _s, m = model(x)
    M.membrane_ce_loss(m, y).backward()


ops, secs = {}, {}
for name, model in (("plain loop", plain), ("fast path", fast)):
    one_step(model)  # warm-up: first-call costs (kernel compilation, caches)
    ops[name], _ = M.count_dispatched_ops(one_step, model)
    reps = snl.workload(10, 2)
    T.measure.synchronize(device)
    t0 = time.perf_counter()
    for _ in range(reps):
        one_step(model)
    T.measure.synchronize(device)
    secs[name] = (time.perf_counter() - t0) / reps
fig, (a1, a2) = plt.subplots(1, 2, figsize=(6.9, 2.0), sharey=True)
a1.barh(list(ops), list(ops.values()), color=["#7f7f7f", "#1f77b4"])
a1.set_xlabel("PyTorch operations per step", fontsize=9)
a2.barh(list(secs), [1000 * v for v in secs.values()],
        color=["#7f7f7f", "#1f77b4"])
a2.set_xlabel("milliseconds per training step", fontsize=9)
for a in (a1, a2):
    a.tick_params(labelsize=8)
plt.tight_layout()
plt.show()
for name in ops:
    print(f"{name}: {ops[name]} operations, "
          f"{1000 * secs[name]:.1f} ms per step")
say(
    f"Timed on {where}, {reps} steps each"
    + (" (quick mode: a rough look, not a benchmark)." if quick else ".")
)

# %% [markdown]
# Each operation of the plain loop works on a small tensor (`[128, 1000]` at most), so its fixed cost
# (Python, dispatch, autograd bookkeeping, and on a GPU a kernel launch) dominates. The fast path runs
# far fewer operations, and on a GPU `snl.train` also compiles the model to cut the launches further.
#
# ## Training: the snnTorch tutorial's recipe, then ours
#
# `snl.train.fit` trains a `TrainConfig`, evaluates after every epoch and returns a `FitResult`:
# `result.model` is the trained network, `result.history` the run's record in plain numbers (the
# loss at every step, and for each epoch the test accuracy, the hidden spikes per image, the seconds
# and samples/s), the same record `python -m snnlib.train --json` writes. First the recipe of
# snnTorch's tutorial (Adam at a constant $5\cdot10^{-4}$, pixels in $[0, 1]$, the per-step
# membrane loss, the spike-count readout), then ours (`TrainConfig()`'s defaults: warm-up and cosine
# decay of the learning rate from a peak of $2\cdot10^{-3}$, the summed-membrane readout; the
# chapter's ablation shows what each change buys). Same network, same batches.

# %%
run = dict(
    epochs=snl.workload(5, 1),
    max_batches=snl.workload(None, 20),
    device=str(device),
    max_test=snl.workload(None, 1000),
)
results = {}
for name, config in (
    ("snnTorch tutorial", T.recipe_config("snntorch tutorial", **run)),
    ("ours", T.TrainConfig(**run)),
):
    print(f"{name}:")
    results[name] = T.fit(
        config, data=(train, test), progress=not quick, log=True
    )
net = results["ours"].model
history = results["ours"].history
steps_per_epoch = len(history["loss"]) // len(history["epochs"])
fig, (a1, a2) = plt.subplots(1, 2, figsize=(6.9, 2.6))
snl.plot.plot_loss_curve(
    history["loss"], ax=a1, steps_per_epoch=steps_per_epoch, smooth=10
)
snl.plot.plot_accuracy_curves(
    {k: [e["test_accuracy"] for e in r.history["epochs"]]
     for k, r in results.items()}, ax=a2)
for a in (a1, a2):
    a.tick_params(labelsize=8)
    a.xaxis.label.set_size(9)
    a.yaxis.label.set_size(9)
a1.set_title("our recipe: training loss", fontsize=9)
a2.set_title("test accuracy", fontsize=9)
plt.tight_layout()
plt.show()
for name, r in results.items():
    e = r.history["epochs"][-1]
    print(f"{name}: test accuracy {e['test_accuracy']:.2%}, "
          f"{e['hidden_spikes_per_sample']:,.0f} hidden spikes per image")
if quick:
    say("Quick mode: a few batches of training on " + where + ". These "
        "accuracies only show that training works; they are not a benchmark "
        "of the recipes (the chapter's ablation is).")

# %%
xt, yt = next(iter(test))
with torch.no_grad():
    spk, mem = net(xt)
for readout in ("count", "membrane"):
    acc = float((M.predict(spk, mem, readout) == yt).float().mean())
    print(f"test accuracy on this batch, {readout} readout: {acc:.1%}")
ax = snl.plot.plot_output_spikes(spk, sample=0)
ax.set_title(f"trained network, digit {int(yt[0])}", fontsize=9)
plt.show()

# %% [markdown]
# ## The implementations on your hardware
#
# The same network in three implementations, trained side by side on the same batches (alternating,
# so that a busy machine slows them alike): the library's fast path, snnTorch's tutorial loop, and a
# plain PyTorch loop. In full mode each trains one epoch; in quick mode a few batches, after a
# single warm-up batch: enough to see the order of magnitude, **not a benchmark** (the chapter's
# table comes from `benchmarks/throughput.py`, which warms up and repeats the rounds).

# %%
rounds = snl.workload(3, 2)
per_round = snl.workload(max(1, len(train) // rounds), 1)
cmp = T.compare_implementations(
    train, test, batches_per_round=per_round, rounds=rounds,
    eval_batches=snl.workload(None, 1), progress=not quick,
)
n_train = len(train_x)
rows = "".join(
    f"<tr><td>{name}</td>"
    f"<td>{n_train / r['train_samples_per_s']:.1f}</td>"
    f"<td>{len(test_x) / r['eval_samples_per_s']:.2f}</td>"
    f"<td>{r['test_accuracy']:.1%} after {r['trained_samples']} samples"
    "</td></tr>"
    for name, r in cmp["results"].items()
)
note = (
    " Quick mode: a few batches each, not a benchmark." if quick else ""
)
display(HTML(
    "<table><thead><tr><th>implementation</th>"
    "<th>training time per epoch (s)</th><th>evaluation time (s)</th>"
    "<th>test accuracy</th></tr></thead><tbody>" + rows + "</tbody></table>"
    f"<p>Measured on {cmp['device_name']}; training time per epoch = "
    f"{n_train} images / measured samples per second.{note}</p>"
))
ax = snl.plot.plot_throughput(cmp["results"])
ax.figure.set_size_inches(6.9, 2.2)
plt.show()
for k, v in cmp["ratios"].items():
    say(f"{k}: {v:.1f}x on {cmp['device_name']}")

# %% [markdown]
# ## An ANN of the same shape, and the energy argument, layer by layer
#
# A conventional network `784 -> 1000 (ReLU) -> 10` does multiply-accumulates (MACs) in both layers.
# The spiking network computes $W_1 x$ once: the same MACs in the first layer, since the input is an
# analogue image. Its second layer only *adds* a column of $W_2$ when a hidden neuron spikes: one
# accumulate (AC, a *synaptic operation*) per spike and outgoing synapse. But every neuron also updates
# its membrane at every step, $U \leftarrow \beta U + I$ and a comparison with the threshold: one
# multiplication and two additions, $1000 \times 25$ times per image in the hidden layer alone.
# `M.layer_operations` counts all three, layer by layer, and `M.layer_energy` prices them with the
# energy per operation of 45 nm CMOS (Horowitz, ISSCC 2014; 32-bit floating point: an addition 0.9 pJ,
# a multiplication 3.7 pJ). Train the ANN briefly, then count.

# %%
torch.manual_seed(0)
ann = M.ANN().to(device)
opt = torch.optim.Adam(ann.parameters(), 1e-3)
ann_epochs = snl.workload(5, 1)
ann_batches = snl.workload(len(train), 20)
bar = T.measure.progress_bar(ann_epochs * ann_batches, "ANN", not quick)
for epoch in range(ann_epochs):
    train.set_epoch(epoch)
    for i, (xb, yb) in enumerate(train):
        if i >= ann_batches:
            break
        loss = torch.nn.functional.cross_entropy(ann(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if bar is not None:
            bar.update(1)
if bar is not None:
    bar.close()
with torch.no_grad():
    ann_acc = float((ann(xt).argmax(-1) == yt).float().mean())
    hidden = net.hidden_spikes(xt)
counts = M.count_operations(hidden, spk)
layers = M.layer_operations(counts["hidden_spikes"], num_steps=net.num_steps)
scenarios = [
    M.energy_scenario("ANN", layers, "ANN"),
    M.energy_scenario("SNN (ours)", layers, "SNN"),
]
say(
    f"ANN accuracy on the batch {ann_acc:.1%}; hidden spikes per image "
    f"{counts['hidden_spikes']:,.0f} ({counts['hidden_rate']:.1%} of "
    "neuron-steps)"
)
print(f"{'':5s} {'layer':22s} {'MACs':>9s} {'ACs':>8s} {'updates':>8s}"
      f" {'nJ':>7s}")
for sc, net_name in zip(scenarios, ("ANN", "SNN")):
    for r in sc["layers"]:
        print(f"{net_name:5s} {r['layer']:22s} {r['macs']:9,.0f}"
              f" {r['acs']:8,.0f} {r['membrane_updates']:8,.0f}"
              f" {r['energy_nj']['total']:7.1f}")
snl.plot.plot_layer_energy(scenarios)
plt.show()

# %% [markdown]
# ```{admonition} Think!
# An addition costs less than a multiply-accumulate. In the table above, which layer does the
# spiking network make cheaper, which one does it make dearer, and why does the first layer gain
# nothing? What would change if the input were itself a train of spikes?
# ```
#
# <details><summary>Answer</summary>
#
# The cell below prints the numbers for your network. The first layer costs the same MACs in both
# networks, because an analogue image is multiplied by $W_1$ either way, and the spiking network
# adds its hidden neurons' membrane updates (1000 neurons x 25 steps) on top: it is dearer there.
# In the second layer each hidden spike costs 10 additions where the ANN does 10 MACs per hidden
# unit, so the spiking layer is cheaper only below a break-even number of hidden spikes per
# image (printed below). With spikes as input, the first layer would add instead of multiply (one
# addition per input spike and hidden neuron), which pays off below a break-even number of input
# spikes per image (also printed); and on neuromorphic hardware, where a silent neuron costs
# nothing and a membrane update is cheap fixed-point arithmetic next to its memory, the balance
# moves further towards the spiking network. Memory traffic, which dominates on real chips, is not
# counted here at all.
# </details>

# %%
ann_l1, ann_l2 = (r["energy_nj"]["total"] for r in scenarios[0]["layers"])
snn_l1, snn_l2 = (r["energy_nj"]["total"] for r in scenarios[1]["layers"])
pj = M.HOROWITZ_45NM
mac, add = pj["fp32_mult"] + pj["fp32_add"], pj["fp32_add"]
update = M.MEMBRANE_UPDATE["mult"] * pj["fp32_mult"] + 2 * add
# layer 2 breaks even when spikes * 10 additions + 10 x 25 updates = 10,000 MACs
even_hidden = (1000 * 10 * mac - 10 * net.num_steps * update) / (10 * add)
# layer 1 with spiking input: spikes * 1000 additions = 784 x 1000 MACs
even_input = 784 * mac / add
say(
    f"Layer 1: ANN {ann_l1:,.0f} nJ, SNN {snn_l1:,.0f} nJ. Layer 2: ANN "
    f"{ann_l2:.1f} nJ, SNN {snn_l2:.1f} nJ (from {counts['hidden_spikes']:,.0f}"
    f" hidden spikes). Whole network: ANN {scenarios[0]['total_nj']:,.0f} nJ,"
    f" SNN {scenarios[1]['total_nj']:,.0f} nJ per image. Layer 2 of the SNN"
    f" is cheaper than the ANN's below {even_hidden:,.0f} hidden spikes per"
    f" image; spiking input would make layer 1 cheaper below {even_input:,.0f}"
    " input spikes per image."
)


# %% [markdown]
# **Exercise.** Write the count of synaptic operations per image of the second layer, given hidden
# spikes `[T, B, H]` and the number of outgoing synapses per hidden neuron (`fan_out`). One number:
# the mean over the batch. Hints: `snl.exercises.hint("synaptic_operations", 1)`.

# %%
def synaptic_operations(hidden_spikes, fan_out):
    """Hidden spikes [T, B, H], fan-out -> additions per image."""
    raise NotImplementedError("exercise: count the synaptic operations here")


snl.exercises.check_synaptic_operations(synaptic_operations)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution (read it after trying)
def synaptic_operations_solution(hidden_spikes, fan_out):
    return float(hidden_spikes.sum()) * fan_out / hidden_spikes.shape[1]


snl.exercises.check_synaptic_operations(
    synaptic_operations_solution, label="reference solution"
)
print("synaptic operations per image in layer 2 of your trained network:",
      f"{synaptic_operations_solution(hidden, net.num_outputs):,.0f}")

# %% [markdown]
# ## Training on a GPU
#
# In Colab choose **Runtime → Change runtime type → T4 GPU** (or any GPU offered), then run the notebook
# from the top: the set-up cell prints the GPU's name, the data move to it once, and `T.fit` compiles the
# model with `torch.compile` (falling back to the eager fast path, with a warning, if compiling fails).
# From a terminal: `python -m snnlib.train --device cuda --json run.json`; `python -m snnlib.train
# --help` describes every option of the recipe.
#
# ## Try it yourself
#
# 1. **Fashion-MNIST**: `snl.data.load_mnist("train", dataset="fashion-mnist")` gives clothing images of the
#    same shape; pass `dataset="fashion-mnist"` to `T.TrainConfig` and compare the accuracy.
# 2. **Other encodings**: chapter 1's encoders (`snl.encoding`) turn an image into spike trains `[T, B, 784]`;
#    `SpikingMLP` accepts such a time-first input (below, a Bernoulli rate code made by hand). Does
#    accuracy drop, and how many input spikes, hence first-layer additions, does an image then need?
# 3. **Learnable beta and threshold**: `T.TrainConfig(learn_beta=True, learn_threshold=True)` learns one
#    decay and one threshold per neuron. Plot `net.lif1.beta` after training. (On a CPU this runs
#    the fused PyTorch code instead of the C kernel, which only takes fixed parameters: slower.)

# %%
x_seq = torch.bernoulli(
    xt.reshape(len(xt), -1).clamp(0, 1).expand(net.num_steps, -1, -1)
)
with torch.no_grad():
    s_seq, m_seq = net(x_seq)
acc_seq = float((M.predict(s_seq, m_seq, "membrane") == yt).float().mean())
say(
    f"trained on static images, tested on rate-coded spikes: {acc_seq:.1%}; "
    f"{float(x_seq.sum(0).sum(-1).mean()):,.0f} input spikes per image"
)
