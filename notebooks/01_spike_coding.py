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
# # Spike coding, hands-on
#
# A spiking network reads and writes spike trains, so before any network runs we must turn numbers
# (pixel intensities, sensor readings) into spikes, and spikes back into numbers. This notebook puts
# seven codes side by side on a real MNIST digit: **rate**, **latency** (time to first spike),
# **rank order**, **phase**, **burst**, **population** and **delta** coding. Every encoder in
# `snl.encoding` returns a time-first tensor `[T, *x.shape]`, and every one has a matching decoder,
# so we can measure how much of the input survives the trip, how many spikes it costs and how fast
# a reader can decide. The explanation page of this chapter has the theory; here we experiment.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/01_spike_coding.ipynb)

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
from IPython.display import HTML

E = snl.encoding
T = 25  # time steps per input, used throughout
images, labels = snl.data.load_mnist("test", source="auto")
digit = images[0].float() / 255  # [28, 28], intensities in [0, 1]
print(f"digit label {labels[0].item()}, {int((digit > 0).sum())} of {digit.numel()} pixels are not black")

# %% [markdown]
# ## One digit, seven codes
#
# `snl.encoding.encode(scheme, x, num_steps, **params)` runs any scheme and `decode(scheme, spikes,
# **params)` inverts it. Each row below shows the input, the raster (one row per neuron that spikes
# at least once; at most 150 rows), the number of spikes per pixel and the decoded image. The settings are the
# book's defaults, `snl.encoding.DEFAULT_PARAMS`; `snl.coding_study.prepare` hands them out, with a seed
# for the random codes.

# %%
fig, axes = plt.subplots(
    len(E.SCHEMES), 4, figsize=(12, 2.4 * len(E.SCHEMES)), gridspec_kw={"width_ratios": [1, 2.4, 1, 1]}
)
codes = {}
for row, scheme in zip(axes, E.SCHEMES):
    x, params = snl.coding_study.prepare(
        scheme, digit, seed=0
    )  # rank order gets the flattened digit: it ranks all pixels
    spikes = E.encode(scheme, x, T, **params)
    x_hat = E.decode(scheme, spikes, **params).reshape(28, 28)
    codes[scheme] = spikes
    snl.plot.coding_panel(
        digit, spikes, x_hat, ax=row, max_neurons=150, title=f"{scheme}: {int(spikes.abs().sum())} spikes"
    )
fig.tight_layout()

# %% [markdown]
# The same information, very different spike trains: the rate code fires throughout the window,
# the latency and rank-order codes fire each bright pixel exactly once, the phase code repeats once
# per cycle of an 8-step oscillation, the burst code packs its spikes at the start, the population
# code spends ten neurons per pixel (the count image shows each pixel's most active neuron) and the
# delta code fires on and off spikes while the digit fades in.
#
# Here is the rate code as a movie: each frame is one time step.

# %%
anim = snl.plot.spike_animation(codes["rate"], max_frames=snl.workload(T, 6), title="rate code over time")
HTML(anim.to_jshtml())

# %% [markdown]
# ```{admonition} Think!
# Which of the seven codes would you pick for a chip that pays energy per spike? Which for a
# reader that must decide after the first few steps? Count the spikes in the titles above.
# ```
#
# ## Rate coding: Bernoulli spikes
#
# A rate code fires at every step with probability $p = g\,x$: $s[t] \sim \mathrm{Bernoulli}(g x)$.
# Written by hand it is one comparison with uniform noise; the library's `rate` does the same and
# adds input checks and seeding.

# %%
gen = torch.Generator().manual_seed(1)
by_hand = (torch.rand(2000, 28, 28, generator=gen) < digit).float()  # s[t] = 1 when u[t] < x
library = E.rate(digit, 2000, seed=1)
print(
    f"mean |count rate - intensity|: by hand {(by_hand.mean(0) - digit).abs().mean():.4f}, "
    f"library {(library.mean(0) - digit).abs().mean():.4f}"
)

# %% [markdown]
# The spike count $N = \sum_t s[t]$ is binomial, $N \sim \mathrm{Binomial}(T, x)$: its mean is
# $T x$ and its standard deviation $\sqrt{T x (1 - x)}$. Plotting each pixel's count against its
# intensity shows both: the counts scatter around the line $N = T x$, most widely at $x = 1/2$.

# %%
x_pix = digit.flatten()
counts = snl.spikes.spike_count(E.rate(x_pix, T, seed=2))
grid = torch.linspace(0, 1, 101)
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5))
ax[0].plot(x_pix, counts + 0.15 * torch.randn(counts.shape, generator=gen), ".", alpha=0.4, label="pixels (jittered)")
ax[0].plot(grid, T * grid, "k-", label="$N = Tx$")
ax[0].fill_between(
    grid,
    T * grid - 2 * (T * grid * (1 - grid)).sqrt(),
    T * grid + 2 * (T * grid * (1 - grid)).sqrt(),
    color="gray",
    alpha=0.25,
    label=r"$\pm 2\sqrt{Tx(1-x)}$",
)
ax[0].set(xlabel="intensity x", ylabel=f"spike count in T = {T}", title="rate code: count against intensity")
ax[0].legend(fontsize="small")

# unbiasedness: the estimate N/T over many repeats, for growing T
x0 = torch.full((snl.workload(20000, 4000),), 0.3)  # one intensity, many independent repeats
Ts = [4, 8, 16, 32, 64, 128, 256]
means, stds = [], []
for n in Ts:
    est = E.rate_decode(E.rate(x0, n, seed=n))
    means.append(est.mean().item())
    stds.append(est.std().item())
ax[1].errorbar(Ts, means, yerr=stds, fmt="o", capsize=3, label="mean ± std of $N/T$")
ax[1].axhline(0.3, color="k", lw=1, label="true intensity 0.3")
ax[1].set(xscale="log", xlabel="T (steps)", ylabel="estimate", title="unbiased, error bars shrink")
ax[1].legend(fontsize="small")
fig.tight_layout()

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.loglog(Ts, stds, "o", label="measured std")
ax.loglog(Ts, [(0.3 * 0.7 / n) ** 0.5 for n in Ts], "k--", label=r"$\sqrt{x(1-x)/T}$")
ax.set(xlabel="T (steps)", ylabel="std of N/T", title="error falls like $1/\\sqrt{T}$")
ax.legend()
print("mean estimates:", [round(m, 3) for m in means])

# %% [markdown]
# The mean sits on the true value for every $T$ (the count rate is *unbiased*) and the spread falls
# as $1/\sqrt{T}$: to halve the error you need four times as many steps (and spikes).
#
# ### Three ways to read a rate
#
# A "rate" can be an average over **time** (the count rate $N/T$ of one neuron in one trial), over
# **repeated trials** (the spike density or PSTH, at each moment) or over a **population** of
# neurons (the population activity, at each moment). The three functions below (`snl.spikes.firing_rate`,
# `snl.encoding.density_rate` and `snl.spikes.population_rate`) compute them from one set of spikes: 50 repeats of a 100-neuron population whose firing probability rises and falls.

# %%
steps = torch.arange(100)
drive = 0.1 + 0.6 * torch.exp(-(((steps - 50) / 12.0) ** 2))  # p(t), [T]
trials = torch.bernoulli(drive.view(-1, 1, 1).expand(100, 50, 100), generator=gen)  # [T, R=50, N=100]
fig, ax = plt.subplots(1, 3, figsize=(13, 3))
snl.plot.raster(trials[:, 0, :40], ax=ax[0], title="one trial, 40 neurons")
ax[1].bar(range(40), snl.spikes.firing_rate(trials[:, 0, :40]), color="gray")
ax[1].set(xlabel="neuron", ylabel="N/T", title="count rate (time average)")
ax[2].plot(E.density_rate(trials[:, :, 0], window=5), label="density: neuron 0, 50 trials")
ax[2].plot(snl.spikes.population_rate(trials[:, 0]), alpha=0.7, label="population: trial 0, 100 neurons")
ax[2].plot(drive, "k--", label="true p(t)")
ax[2].set(xlabel="time step", ylabel="rate (spikes/step)", title="density and population rates")
ax[2].legend(fontsize="small")
fig.tight_layout()

# %% [markdown]
# The count rate loses the time course (it is one number per neuron), while the density and the
# population rate follow $p(t)$. Only the population rate is available to a brain in a single trial.
#
# ```{admonition} Think!
# A neuron firing at 10 Hz emits about 2 spikes in the 250 ms a person needs to recognise an
# image. How precise can a count-rate estimate from one neuron be in that time? What would the
# brain need instead?
# ```
#
# ## Latency coding: the time to first spike
#
# Feed the intensity as a constant current into an RC circuit (a leaky integrator with no
# spikes yet): $\tau\,dV/dt = -V + x$, so $V(t) = x(1 - e^{-t/\tau})$. The neuron fires when $V$
# reaches the threshold $V_{th}$, at $t = \tau \ln\frac{x}{x - V_{th}}$: bright inputs first, and
# inputs below threshold never. `rc_membrane` gives $V(t)$ and `first_spike_time(V, threshold)`
# finds $\min\{t \ge 0 \mid V(t) \ge V_{th}\}$; both agree with the formula.

# %%
tau, v_th = 5.0, 0.25
xs = torch.tensor([0.3, 0.5, 1.0])
V = E.rc_membrane(xs, 300, tau=tau, dt=0.05)  # [300, 3], 15 time units
t_sim = E.first_spike_time(V, threshold=v_th) * 0.05
t_formula = E.latency_time(xs, tau=tau, threshold=v_th)
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5))
for i, xi in enumerate(xs.tolist()):
    (line,) = ax[0].plot(torch.arange(300) * 0.05, V[:, i], label=f"x = {xi}")
    ax[0].axvline(t_formula[i], color=line.get_color(), ls=":")
ax[0].axhline(v_th, color="gray", ls="--", label="threshold")
ax[0].set(xlabel="time", ylabel="V(t)", title="RC circuit charging to threshold")
ax[0].legend(fontsize="small")
print(
    "first crossing, simulated:",
    [round(v, 2) for v in t_sim.tolist()],
    " formula:",
    [round(v, 2) for v in t_formula.tolist()],
)

grid = torch.linspace(0, 1, 201)
ax[1].plot(
    grid, E.latency_time(grid, tau=5.0, threshold=0.01, num_steps=T, normalize=True), label="log (RC), normalised"
)
ax[1].plot(
    grid,
    E.latency_time(grid, tau=5.0, threshold=0.01, num_steps=T, normalize=True, linear=True),
    label="linear, normalised",
)
ax[1].plot(x_pix, E.first_spike_time(E.latency(x_pix, T, normalize=True)), "k.", ms=3, label="digit pixels (log)")
ax[1].set(xlabel="intensity x", ylabel="first-spike step", title=f"time to first spike (T = {T})")
ax[1].legend(fontsize="small")
fig.tight_layout()

# %% [markdown]
# Normalising the logarithmic code to the window makes the slowest possible input (just above
# threshold) fire on the last step. The logarithm then squeezes every reasonably bright pixel into
# the first steps, and every background pixel (below threshold, treated as just above it) lands on
# the last step. The histogram shows this clustering; the **linear** code spreads the spikes over
# the window, and **dropping the background** removes the useless last-step spikes.

# %%
variants = {
    "log, normalised": dict(normalize=True),
    "linear, normalised": dict(linear=True, normalize=True),
    "linear + background dropped": dict(linear=True, normalize=True, drop_background=True),
}
fig, ax = plt.subplots(2, 3, figsize=(13, 6))
for j, (name, kw) in enumerate(variants.items()):
    s = E.latency(digit, T, **kw)
    t_first = E.first_spike_time(s)
    ax[0, j].hist(t_first[torch.isfinite(t_first)].flatten(), bins=range(T + 1), color="gray")
    ax[0, j].set(yscale="log", xlabel="first-spike step", ylabel="pixels", title=f"{name}: {int(s.sum())} spikes")
    snl.plot.raster(s, ax=ax[1, j], active_only=True)
    err = (E.latency_decode(s, **{k: v for k, v in kw.items() if k != "drop_background"}) - digit).abs().mean()
    ax[1, j].set_title(f"round-trip MAE {err:.4f}")
fig.tight_layout()

# %% [markdown]
# ```{admonition} Think!
# The dropped background pixels decode to 0, which is exactly right for MNIST. When would dropping
# them be wrong? (Hint: a dark object on a bright background.)
# ```
#
# ## Rank order, phase and burst codes
#
# **Rank order** keeps only the order in which inputs fire. With at least as many steps as inputs
# every input gets its own step and the order is recovered exactly; with fewer, inputs share steps.
# The decoder cannot know the values, only the ranks: given the distribution of intensities (here:
# the digit's own sorted pixel values), it recovers the image exactly.

# %%
x_small = digit[10:18, 10:18].flatten()  # 64 pixels
exact = E.rank_order(x_small, 64)
ranks = E.rank_order_ranks(exact)
true_ranks = torch.argsort(torch.argsort(torch.where(x_small > 0, x_small, -1.0), descending=True, stable=True))
print("ranks recovered exactly (T = 64):", bool(torch.equal(ranks[x_small > 0], true_ranks[x_small > 0])))
s_rank = codes["rank_order"]
for name, kw in {
    "linear in rank": {},
    "Thorpe m^r, m = 0.99": {"modulation": 0.99},
    "known intensity distribution": {"values": digit.flatten()},
}.items():
    print(f"rank-order decoding, {name:>30}: MAE {(E.rank_order_decode(s_rank, **kw) - x_pix).abs().mean():.4f}")

# %% [markdown]
# **Phase coding** locks every spike to a background oscillation (period $P$): an input fires once per
# cycle at step $k = \mathrm{round}((1 - x)(P - 1))$ of the cycle, so bright inputs fire near the
# oscillation's peak. **Burst coding** puts the value in a burst's length and tightness:
# $N_s = \lceil N_{max} x \rceil$ spikes, $\mathrm{ISI} = \lceil -(T_{max} - T_{min}) x + T_{max} \rceil$ steps apart.

# %%
levels = torch.tensor([1.0, 0.75, 0.5, 0.25, 0.1])
fig, ax = plt.subplots(1, 2, figsize=(12, 3.2))
s_phase = E.phase(levels, 32, period=8)
snl.plot.raster(s_phase, ax=ax[0], markersize=12)
osc_ax = ax[0].twinx()
osc_ax.plot(torch.arange(32), E.oscillation(32, 8), color="tab:blue", alpha=0.5)
osc_ax.set_ylabel(r"oscillation $\cos(2\pi t / P)$", color="tab:blue")
ax[0].set(yticks=range(5), yticklabels=[f"x={v:g}" for v in levels.tolist()], title="phase code (P = 8)")
ax[0].set_ylim(-0.5, 4.5)
s_burst = E.burst(levels, 20)
snl.plot.raster(s_burst, ax=ax[1], markersize=12)
n_s, isi = E.burst_params(levels)
ax[1].set(
    yticks=range(5),
    yticklabels=[f"x={v:g}: {n} spikes, ISI {i}" for v, n, i in zip(levels.tolist(), n_s.tolist(), isi.tolist())],
    title="burst code ($N_{max}$ = 5, $T_{min}$ = 2, $T_{max}$ = 6)",
)
fig.tight_layout()
print("phase decoded:", [round(v, 3) for v in E.phase_decode(s_phase, period=8).tolist()])
print("burst decoded:", [round(v, 3) for v in E.burst_decode(s_burst).tolist()])

# %% [markdown]
# ## Population coding
#
# A population of $M$ neurons with Gaussian tuning curves $a_j(x) = \exp(-(x - \mu_j)^2 / 2\sigma^2)$
# covers the range of $x$; each neuron rate-codes its own response. The population vector reads the
# value back as the count-weighted mean of the preferred values, $\hat x = \sum_j N_j \mu_j / \sum_j N_j$;
# a maximum-likelihood decoder does better, especially near the edges.

# %%
grid = torch.linspace(0, 1, 201)
tuning = E.population_tuning(grid, 10)  # [201, 10]
reps = snl.workload(40, 8)
x_rep = grid.repeat(reps, 1)  # [reps, 201]
s_pop = E.population(x_rep, T, seed=3)  # [T, reps, 201, 10]
fig, ax = plt.subplots(1, 2, figsize=(11, 3.2))
ax[0].plot(grid, tuning)
ax[0].set(xlabel="x", ylabel="$a_j(x)$", title="Gaussian receptive fields (M = 10)")
for method in ("vector", "ml"):
    err = (E.population_decode(s_pop, method=method) - x_rep).abs().mean(0)
    ax[1].plot(grid, err, label=f"{method}: mean {err.mean():.3f}")
ax[1].set(xlabel="x", ylabel="|error|", title=f"decoding error (T = {T}, {reps} repeats)")
ax[1].legend()
fig.tight_layout()

# %% [markdown]
# ## Delta modulation: spikes on change
#
# Event cameras and cochlear models do not send values, they send *changes*. A delta modulator keeps
# the receiver's estimate and fires an **on** spike (+1) when the signal has risen by a threshold
# $\theta$ above it, an **off** spike (-1) when it has fallen by $\theta$. The receiver integrates:
# $\hat x[t] = \theta \sum_{t' \le t} s[t']$. Comparing only consecutive samples (snnTorch's
# `spikegen.delta`, `mode="difference"`) misses slow drifts.

# %%
t_axis = torch.linspace(0, 1, 200)
signal = (0.5 + 0.3 * torch.sin(2 * torch.pi * 3 * t_axis) + 0.4 * t_axis)[:, None]  # [T=200, 1]
fig, ax = plt.subplots(1, 2, figsize=(12, 3.2))
for j, mode in enumerate(("tracking", "difference")):
    s = E.delta(signal, threshold=0.05, mode=mode)
    ax[j].plot(t_axis, signal[:, 0], "k", label="signal")
    if mode == "tracking":
        ax[j].step(t_axis, E.delta_decode(s, threshold=0.05)[:, 0], where="post", label="reconstruction")
    on, off = (s[:, 0] > 0).nonzero().flatten(), (s[:, 0] < 0).nonzero().flatten()
    ax[j].plot(t_axis[on], torch.full((len(on),), -0.05), "|", color="k", ms=8, label=f"{len(on)} on")
    ax[j].plot(t_axis[off], torch.full((len(off),), -0.12), "|", color="tab:red", ms=8, label=f"{len(off)} off")
    ax[j].set(xlabel="time", title=f"delta modulation, mode = {mode!r}")
    ax[j].legend(fontsize="small", ncol=2)
fig.tight_layout()

# %% [markdown]
# ## Robustness to noise
#
# Real spike trains are noisy: spikes go missing, spurious spikes appear and timing jitters. We
# corrupt each code with `snl.encoding.perturb` and decode (`snl.coding_study.noisy_error`). Left: each spike is deleted with
# probability $p$ and each empty bin gains a spurious spike with probability $p / 20$. Right: every
# spike moves by up to $j$ steps. The error is the mean absolute error over all pixels of several digits.

# %%
n_img = snl.workload(16, 3)
batch = images[:n_img].float() / 255
levels_p = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
levels_j = [0, 1, 2, 3]
# per image: encode (book's settings), perturb, decode; the mean absolute error over the batch
noisy_error = snl.coding_study.noisy_error

fig, ax = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True)
for scheme in E.SCHEMES:
    ax[0].plot(
        levels_p, [noisy_error(batch, scheme, T, p_delete=p, p_insert=p / 20) for p in levels_p], "o-", label=scheme
    )
    ax[1].plot(levels_j, [noisy_error(batch, scheme, T, jitter=j) for j in levels_j], "o-", label=scheme)
ax[0].set(xlabel="deletion probability p (insertion p/20)", ylabel="decode MAE", title="lost and spurious spikes")
ax[1].set(xlabel="jitter (steps)", title="timing jitter")
ax[1].legend(fontsize="small")
fig.tight_layout()

# %% [markdown]
# Codes that spread a value over many spikes (rate, population, and to a lesser degree burst) lose a
# little with every deleted spike; codes that put everything into one spike (latency, rank order)
# lose the whole value with it, and a spurious early spike overrides the true one. Timing jitter is
# the opposite story: counts do not care when a spike comes, single-spike timing codes do. Robust
# SNNs therefore build robustness into the encoding itself (FEEL-SNN, for example, uses a frequency
# encoding of the input; see the explanation page).
#
# ```{admonition} Think!
# The brain seems to use both: fast, sparse timing codes for the first feed-forward sweep, and
# rates over populations where reliability matters. Which parts of the plots support that split?
# ```

# %% [markdown]
# ## Explorer
#
# Pick a coding scheme, the number of time steps $T$, the scheme's main parameter (its gain, time
# constant, threshold, period or burst length, named beside the slider) and a digit. The raster shows
# every input's spikes over time (red: the *off* spikes of delta modulation; for the population code,
# the neurons of the digit's middle row), and the two images the digit and what the matching decoder
# reads back from the spikes. In Jupyter or Colab the explorer calls `snl.encoding.encode` and
# `snl.encoding.decode`; on the book's web page it shows exactly those results, precomputed for every
# setting of the controls, so the sliders work without a kernel.
#
# Things to try:
#
# - Rate coding with few steps: how noisy is the decoded digit, and how does it improve with $T$?
# - Latency (log) against latency (linear, background dropped): where do the spikes crowd together?
# - Count the spikes each scheme spends on the same digit (the number above the raster).
#
# ```{admonition} Think!
# Which schemes would still let a downstream neuron recognise the digit after only the first few
# steps, and which need the whole window?
# ```

# %%
snl.widgets.coding_explorer()


# %% [markdown]
# ## Exercises
#
# ### Exercise 1: a Bernoulli rate encoder
#
# Write `my_rate_encoder(x, num_steps, generator=None)` that returns spikes `[num_steps, *x.shape]`
# with $s[t] \sim \mathrm{Bernoulli}(x)$, drawn with `generator`. The check runs it for 4000 steps
# and tests the mean of every intensity against a binomial bound, and the seeding.

# %%
def my_rate_encoder(x, num_steps, generator=None):
    # YOUR CODE HERE: replace the reference solution below with your own Bernoulli draw.
    return snl.encoding.rate(x, num_steps, generator=generator)  # reference solution


snl.exercises.check_rate_encoder(my_rate_encoder)


# %% [markdown]
# ### Exercise 2: the latency law
#
# Solve $x(1 - e^{-t/\tau}) = V_{th}$ for $t$ and write `my_latency_time(x, tau, threshold)` for
# intensities above threshold.

# %%
def my_latency_time(x, tau, threshold):
    # YOUR CODE HERE: replace the reference solution below with the formula.
    return snl.encoding.latency_time(x, tau=tau, threshold=threshold)  # reference solution


snl.exercises.check_latency_time(my_latency_time)


# %% [markdown]
# ### Exercise 3: decode the first spike time
#
# Write `my_first_spike_time(spikes)` returning, for spikes `[T, N]`, the first step with a spike
# of every neuron, and `inf` for silent neurons. (Hint: `torch.where` and `.min(0)`.)

# %%
def my_first_spike_time(spikes):
    # YOUR CODE HERE: replace the reference solution below.
    return snl.encoding.first_spike_time(spikes)  # reference solution


snl.exercises.check_first_spike_time(my_first_spike_time)

# %% [markdown]
# ## Summary
#
# * Every code here is a pair: `encode(scheme, x, T)` gives `[T, *x.shape]` spikes, `decode` reads them back.
# * Rate codes are unbiased and robust but need many spikes; their error shrinks only as $1/\sqrt{T}$.
# * Latency and rank-order codes use one spike per input and answer early, but lose everything with
#   that spike; the logarithmic RC law clusters spikes, the linear law with background dropping fixes it.
# * Phase, burst, population and delta codes trade spikes, speed and robustness in between.
