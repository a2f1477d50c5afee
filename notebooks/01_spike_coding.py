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
# A spiking network reads and writes spike trains, so before any network runs we must turn
# numbers (pixel intensities, sensor readings) into spikes, and spikes back into numbers. This
# notebook puts seven codes side by side on a real MNIST digit: **rate**, **latency** (time to
# first spike), **rank order**, **phase**, **burst**, **population** and **delta** coding.
# Every encoder in `snl.encoding` returns a time-first tensor `[T, *x.shape]`, and every one
# has a matching decoder, so we can measure how much of the input survives the trip, how many
# spikes it costs, how it stands up to noise, and how fast a reader can *reconstruct* the image
# or *recognise* the digit. The explanation page of this chapter has the theory; here we
# experiment.

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
images, labels = snl.data.load_mnist("test", source="bundled")
digit = images[0].float() / 255  # [28, 28], intensities in [0, 1]
n_ink = int((digit > 0).sum())
label0 = labels[0].item()
print(f"digit label {label0}: {n_ink} of {digit.numel()} pixels not black")

# %% [markdown]
# The notebook uses the small subset of real MNIST bundled with `snnlib`
# (`source="bundled"`), so that its numbers are the same on every computer.
#
# ## One digit, seven codes
#
# `snl.encoding.encode(scheme, x, num_steps, **params)` runs any scheme and
# `decode(scheme, spikes, **params)` inverts it. Each row below shows the input, the raster (one
# row per input that spikes at least once; at most 150 rows), the number of spikes per pixel and
# the decoded image. The settings are the book's defaults, `snl.encoding.DEFAULT_PARAMS`;
# `snl.coding_study.prepare` hands them out, with a seed for the random codes (and flattens the
# digit for rank order, which ranks all pixels together).

# %%
fig, axes = plt.subplots(
    len(E.SCHEMES),
    4,
    figsize=(6.9, 1.55 * len(E.SCHEMES)),
    gridspec_kw={"width_ratios": [1, 2.4, 1, 1]},
)
codes = {}
for row, scheme in zip(axes, E.SCHEMES):
    x, params = snl.coding_study.prepare(scheme, digit, seed=0)
    spikes = E.encode(scheme, x, T, **params)
    x_hat = E.decode(scheme, spikes, **params).reshape(28, 28)
    codes[scheme] = spikes
    snl.plot.coding_panel(
        digit,
        spikes,
        x_hat,
        ax=row,
        max_neurons=150,
        title=f"{scheme}: {int(spikes.abs().sum())} spikes",
    )
    for a in row:
        a.title.set_fontsize(9)
    if scheme != E.SCHEMES[0]:  # name the columns once, on the first row
        keep = (row[2],) if scheme == "population" else ()
        for a in {row[0], row[2], row[3]} - set(keep):
            a.set_title("")
    if scheme != E.SCHEMES[-1]:
        row[1].set_xlabel("")
fig.tight_layout()

# %% [markdown]
# The same information, very different spike trains: the rate code fires throughout the window,
# the latency and rank-order codes fire each bright pixel exactly once, the phase code repeats
# once per cycle of an 8-step oscillation, the burst code packs its spikes at the start, the
# population code spends ten neurons per pixel (the count image shows each pixel's most active
# neuron) and the delta code fires on and off spikes while the digit fades in.
#
# Here is the rate code as a movie: each frame is one time step.

# %%
anim = snl.plot.spike_animation(
    codes["rate"], max_frames=snl.workload(T, 6), title="rate code over time"
)
snl.widgets.animation(anim)

# %% [markdown]
# ```{admonition} Think!
# Which of the seven codes would you pick for a chip that pays energy per spike? Which for a
# reader that must decide after the first few steps? Count the spikes in the titles above (the
# next cell lists them).
# ```

# %%
spent = {s: int(codes[s].abs().sum()) for s in E.SCHEMES}
for s in sorted(spent, key=spent.get):
    print(
        f"{s:>11}: {spent[s]:6d} spikes, {spent[s] / n_ink:5.1f} per ink pixel"
    )

# %% tags=["remove-cell"]
cheap = sorted(spent, key=spent.get)[:2]
snl.claims.claim(
    set(cheap) == {"latency", "rank_order"},
    "latency and rank order spend the fewest spikes",
)
snl.claims.claim(
    max(spent, key=spent.get) == "population",
    "the population code spends the most spikes",
)

# %% [markdown]
# <details><summary>Answer</summary>
#
# For energy: the latency and rank-order codes, about one spike per ink pixel and none for the
# background (the list above); the population code is the most expensive, since ten neurons per
# pixel fire throughout the window, on the background too. For a quick decision the answer
# depends on what "decide" means: reconstructing every pixel's value or recognising the digit.
# The section *How fast can a reader decide?* below measures both, and the cheapest codes are
# not the fastest to recognise.
#
# </details>
#
# ## Rate coding: Bernoulli spikes
#
# A rate code fires at every step with probability $p = g\,x$:
# $s[t] \sim \mathrm{Bernoulli}(g x)$. Written by hand it is one comparison with uniform noise;
# the library's `rate` does the same and adds input checks and seeding.

# %%
gen = torch.Generator().manual_seed(1)
by_hand = (torch.rand(2000, 28, 28, generator=gen) < digit).float()
library = E.rate(digit, 2000, seed=1)
err_hand = (by_hand.mean(0) - digit).abs().mean()
err_lib = (library.mean(0) - digit).abs().mean()
print("mean |count rate - intensity| over 2000 steps:")
print(f"  by hand {err_hand:.4f}, library {err_lib:.4f}")

# %% [markdown]
# The spike count $N = \sum_t s[t]$ is binomial, $N \sim \mathrm{Binomial}(T, x)$: its mean is
# $T x$ and its standard deviation $\sqrt{T x (1 - x)}$. Plotting each pixel's count against its
# intensity shows both: the counts scatter around the line $N = T x$, most widely at
# $x = 1/2$. On the right, the count rate $N/T$ of one intensity, over many independent
# repeats, for growing $T$.

# %%
x_pix = digit.flatten()
counts = snl.spikes.spike_count(E.rate(x_pix, T, seed=2))
grid = torch.linspace(0, 1, 101)
band = 2 * (T * grid * (1 - grid)).sqrt()
fig, ax = plt.subplots(1, 2, figsize=(6.9, 3))
jitter = 0.15 * torch.randn(counts.shape, generator=gen)
ax[0].plot(x_pix, counts + jitter, ".", alpha=0.4, label="pixels (jittered)")
ax[0].plot(grid, T * grid, "k-", label="$N = Tx$")
ax[0].fill_between(
    grid,
    T * grid - band,
    T * grid + band,
    color="gray",
    alpha=0.25,
    label=r"$\pm 2\sqrt{Tx(1-x)}$",
)
ax[0].set(xlabel="intensity x", ylabel=f"spike count in T = {T}")
ax[0].set_title("count against intensity", fontsize=10)
ax[0].legend(fontsize="small")

x0 = torch.full(
    (snl.workload(20000, 4000),), 0.3
)  # one intensity, many repeats
Ts = [4, 8, 16, 32, 64, 128, 256]
means, stds = [], []
for n in Ts:
    est = E.rate_decode(E.rate(x0, n, seed=n))
    means.append(est.mean().item())
    stds.append(est.std().item())
ax[1].errorbar(
    Ts, means, yerr=stds, fmt="o", capsize=3, label="mean ± std of N/T"
)
ax[1].axhline(0.3, color="k", lw=1, label="true intensity 0.3")
ax[1].set(xscale="log", xlabel="T (steps)", ylabel="estimate")
ax[1].set_title("unbiased, error bars shrink", fontsize=10)
ax[1].legend(fontsize="small")
fig.tight_layout()

fig, ax = plt.subplots(figsize=(4.5, 3))
ax.loglog(Ts, stds, "o", label="measured std")
ax.loglog(
    Ts, [(0.3 * 0.7 / n) ** 0.5 for n in Ts], "k--", label=r"$\sqrt{x(1-x)/T}$"
)
ax.set(
    xlabel="T (steps)",
    ylabel="std of N/T",
    title=r"error falls like $1/\sqrt{T}$",
)
ax.legend()
fig.tight_layout()
print("mean estimates:", [round(m, 3) for m in means])

# %% tags=["remove-cell"]
snl.claims.claim(
    all(
        abs(m - 0.3) < 4 * s / len(x0) ** 0.5 + 1e-9
        for m, s in zip(means, stds)
    ),
    "the count rate is unbiased for every T",
)
ratio_4x = stds[Ts.index(64)] / stds[Ts.index(16)]
snl.claims.claim(
    0.45 < ratio_4x < 0.55, "four times the steps halve the error"
)

# %% [markdown]
# The mean sits on the true value for every $T$ (the count rate is *unbiased*) and the spread
# falls as $1/\sqrt{T}$: to halve the error you need four times as many steps (and spikes).
#
# ### The Bernoulli code is a discretised Poisson process
#
# Think of a neuron that fires at $r$ spikes per second, simulated in steps of $\Delta t$: at
# each step it spikes with probability $p = r\,\Delta t$, independently of the past. That is the
# Bernoulli code, and as $\Delta t \to 0$ it becomes a **Poisson process**, the standard model
# of irregular cortical firing. Two numbers describe how irregular a spike train is:
#
# - the **Fano factor** of the spike count $N$ in a window, $F = \mathrm{Var}[N] / E[N]$. For
#   Bernoulli spikes $N \sim \mathrm{Binomial}(T, p)$, so $F = T p (1-p) / (T p) = 1 - p$, in
#   any window; a Poisson process has $F = 1$, a perfectly regular neuron $F = 0$;
# - the **coefficient of variation** of the interspike intervals, $CV = \mathrm{std} / \mathrm{mean}$.
#   The wait for the next spike is geometric, $P(\mathrm{ISI} = k) = (1-p)^{k-1} p$, with mean
#   $1/p$ and variance $(1-p)/p^2$, so $CV = \sqrt{1-p}$; a Poisson process (exponential
#   intervals) has $CV = 1$, a regular neuron $CV = 0$.
#
# `snl.spikes.fano_factor` and `snl.spikes.isi_cv` measure them;
# `snl.encoding.bernoulli_fano(p)` and `bernoulli_isi_cv(p)` give the analytic values.

# %%
probs = torch.tensor([0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8])
repeats = snl.workload(2000, 400)
s_rep = E.rate(probs.expand(repeats, len(probs)).contiguous(), 50, seed=4)
fano = snl.spikes.fano_factor(s_rep.sum(0))  # counts [R, 7]: over the repeats
s_long = E.rate(probs, snl.workload(100_000, 20_000), seed=5)
cv = snl.spikes.isi_cv(s_long).float()
isi = snl.spikes.interspike_intervals(s_long[:, 2])  # p = 0.1
k = torch.arange(1, 41)

fig, ax = plt.subplots(1, 2, figsize=(6.9, 3))
ax[0].plot(probs, fano, "o", label="Fano factor, measured")
ax[0].plot(probs, cv, "s", label="ISI CV, measured")
pp = torch.linspace(0.01, 0.9, 100)
ax[0].plot(pp, E.bernoulli_fano(pp), "k-", lw=1, label="$1 - p$")
ax[0].plot(pp, E.bernoulli_isi_cv(pp), "k--", lw=1, label=r"$\sqrt{1 - p}$")
ax[0].axhline(1.0, color="gray", lw=0.8, ls=":")
ax[0].set(xlabel="spike probability per step p", ylabel="F, CV", ylim=(0, 1.1))
ax[0].set_title("irregularity of Bernoulli spikes", fontsize=10)
ax[0].legend(fontsize="small", loc="lower left")
hist = torch.stack([(isi == v).float().mean() for v in k])
ax[1].bar(k, hist, color="0.7", label="measured, p = 0.1")
ax[1].plot(k, E.bernoulli_isi_pmf(k, 0.1), "k.-", lw=1, label="geometric")
ax[1].set(xlabel="interspike interval (steps)", ylabel="probability")
ax[1].set_title("interval distribution", fontsize=10)
ax[1].legend(fontsize="small")
fig.tight_layout()
for p_i, f_i, c_i in zip(probs.tolist(), fano.tolist(), cv.tolist()):
    print(
        f"p = {p_i:4.2f}: F = {f_i:.3f} (1 - p = {1 - p_i:.2f}), "
        f"CV = {c_i:.3f} (sqrt(1 - p) = {(1 - p_i) ** 0.5:.3f})"
    )

# %% tags=["remove-cell"]
snl.claims.claim(
    torch.allclose(fano, 1 - probs, atol=0.12), "the Fano factor is 1 - p"
)
snl.claims.claim(
    torch.allclose(cv, (1 - probs).sqrt(), atol=0.06),
    "the ISI CV is sqrt(1 - p)",
)

# %% [markdown]
# For a neuron firing at 20 Hz the probability per step is $p = 20\,\mathrm{Hz} \cdot \Delta t$.
# With 1 ms steps it is close to Poisson; with coarse steps of 10 ms the train is visibly more
# regular (the next cell prints both), because a Bernoulli train can never fire twice in one
# step. Recorded cortical neurons often have Fano factors and CVs near 1, one reason the
# Poisson model is popular; a LIF neuron driven by a constant current fires regularly
# ($CV = 0$), and needs noisy input to look irregular.

# %%
for dt_ms in (10.0, 1.0, 0.1):
    p20 = 20.0 * dt_ms / 1000  # 20 Hz, steps of dt_ms milliseconds
    print(
        f"20 Hz in steps of {dt_ms:4} ms: p = {p20:.3f}, "
        f"F = {E.bernoulli_fano(p20):.3f}, CV = {E.bernoulli_isi_cv(p20):.3f}"
    )

# %% [markdown]
# ### Three ways to read a rate
#
# A "rate" can be an average over **time** (the count rate $N/T$ of one neuron in one trial),
# over **repeated trials** (the spike density or PSTH, at each moment) or over a
# **population** of neurons (the population activity, at each moment). The three functions
# below (`snl.spikes.firing_rate`, `snl.encoding.density_rate` and
# `snl.spikes.population_rate`) compute them from one set of spikes: 50 repeats of a
# 100-neuron population whose firing probability rises and falls.

# %%
steps = torch.arange(100)
drive = 0.1 + 0.6 * torch.exp(-(((steps - 50) / 12.0) ** 2))  # p(t), [T]
p_trials = drive.view(-1, 1, 1).expand(100, 50, 100)
trials = torch.bernoulli(p_trials, generator=gen)  # [T, R=50, N=100]
count_rate = snl.spikes.firing_rate(trials[:, 0])  # [N]: one number per neuron
density = E.density_rate(trials[:, :, 0], window=5)  # [T]: neuron 0, 50 trials
pop = snl.spikes.population_rate(trials[:, 0])  # [T]: trial 0, 100 neurons

fig, ax = plt.subplots(1, 3, figsize=(6.9, 2.8))
snl.plot.raster(trials[:, 0, :40], ax=ax[0], title="one trial, 40 neurons")
ax[1].bar(range(40), count_rate[:40], color="gray")
ax[1].set(xlabel="neuron", ylabel="N/T", title="count rate")
ax[2].plot(density, label="density (neuron 0, 50 trials)")
ax[2].plot(pop, alpha=0.7, label="population (trial 0, 100 neurons)")
ax[2].plot(drive, "k--", label="true p(t)")
ax[2].set(
    xlabel="time step", ylabel="spikes/step", title="density, population"
)
for a in ax:
    a.title.set_fontsize(10)
handles = ax[2].get_legend_handles_labels()
fig.legend(
    *handles, loc="lower center", ncol=2, fontsize="small", frameon=False
)
fig.tight_layout(rect=(0, 0.16, 1, 1))
err_count = (count_rate[0] - drive).abs().mean().item()
err_pop = (pop - drive).abs().mean().item()
err_density = (density - drive).abs().mean().item()
print(f"mean |rate - p(t)|: count rate of one neuron {err_count:.3f},")
print(f"population {err_pop:.3f}, density {err_density:.3f}")

# %% tags=["remove-cell"]
snl.claims.claim(
    err_pop < err_count and err_density < err_count,
    "population and density rates follow p(t), a count rate does not",
)

# %% [markdown]
# The count rate loses the time course (it is one number per neuron), while the density and
# the population rate follow $p(t)$. All three can be read by a brain in some form, but not
# equally fast: the count rate of one neuron needs a long window of one trial, the density
# needs many repeats of the same stimulus (an experimenter's tool, or a reader that waits), and
# the population rate follows a changing rate within a single trial, at the cost of many
# neurons.
#
# ```{admonition} Think!
# A neuron firing at 10 Hz emits on average 2.5 spikes in the 250 ms a person may take to
# recognise an image. How precise can a count-rate estimate from one neuron be in that time?
# What would the brain need instead?
# ```

# %%
rate_hz, window_s = 10.0, 0.25
mean_count = rate_hz * window_s
rel_error = 1 / mean_count**0.5  # Poisson: std = sqrt(mean), Fano factor 1
n_for_10pct = (rel_error / 0.1) ** 2  # neurons to pool for a 10 % error
print(
    f"expected count {mean_count:.1f} spikes, relative error {rel_error:.0%}"
)
print(f"neurons to pool for a 10 % error: {n_for_10pct:.0f}")

# %% [markdown]
# <details><summary>Answer</summary>
#
# Very imprecise. With Poisson-like firing (Fano factor 1) the variance of the count equals its
# mean, so its standard deviation is the square root of 2.5 spikes: more than half of the
# count itself (the cell above computes it). To bring the error down to 10 % by counting, a
# reader would have to pool the spikes of a few dozen similar neurons (the cell computes how
# many), that is read a population rate, or read information that needs no counting, such as
# which neurons fire first.
#
# </details>
#
# ## Latency coding: the time to first spike
#
# Feed the intensity as a constant current into an RC circuit (a leaky integrator with no
# spikes yet): $\tau\,dV/dt = -V + x$, so $V(t) = x(1 - e^{-t/\tau})$. The neuron fires when
# $V$ reaches the threshold $V_{th}$, at $t = \tau \ln\frac{x}{x - V_{th}}$: bright inputs
# first, and inputs below threshold never. `rc_membrane` gives $V(t)$ and
# `first_spike_time(V, threshold)` finds $\min\{t \ge 0 \mid V(t) \ge V_{th}\}$; both agree
# with the formula.

# %%
tau, v_th = 5.0, 0.25
xs = torch.tensor([0.3, 0.5, 1.0])
V = E.rc_membrane(xs, 300, tau=tau, dt=0.05)  # [300, 3], 15 time units
t_sim = E.first_spike_time(V, threshold=v_th) * 0.05
t_formula = E.latency_time(xs, tau=tau, threshold=v_th)
fig, ax = plt.subplots(1, 2, figsize=(6.9, 3))
for i, xi in enumerate(xs.tolist()):
    (line,) = ax[0].plot(
        torch.arange(300) * 0.05, V[:, i], label=f"x = {xi:g}"
    )
    ax[0].axvline(t_formula[i], color=line.get_color(), ls=":")
ax[0].axhline(v_th, color="gray", ls="--", label="threshold")
ax[0].set(xlabel="time", ylabel="V(t)")
ax[0].set_title("RC circuit charging to threshold", fontsize=10)
ax[0].legend(fontsize="small")
print("first crossing, simulated:", [round(v, 2) for v in t_sim.tolist()])
print("                 formula:", [round(v, 2) for v in t_formula.tolist()])

grid = torch.linspace(0, 1, 201)
law = dict(tau=5.0, threshold=0.01, num_steps=T, normalize=True)
ax[1].plot(grid, E.latency_time(grid, **law), label="log (RC), normalised")
ax[1].plot(
    grid, E.latency_time(grid, linear=True, **law), label="linear, normalised"
)
t_digit = E.first_spike_time(E.latency(x_pix, T, normalize=True))
ax[1].plot(x_pix, t_digit, "k.", ms=3, label="digit pixels (log)")
ax[1].set(xlabel="intensity x", ylabel="first-spike step")
ax[1].set_title(f"time to first spike (T = {T})", fontsize=10)
ax[1].legend(fontsize="small")
fig.tight_layout()

# %% [markdown]
# Normalising the logarithmic code to the window makes the slowest possible input (just above
# threshold) fire on the last step. The logarithm then squeezes every reasonably bright pixel
# into the first steps, and every background pixel (below threshold, treated as just above it)
# lands on the last step. The histogram shows this clustering; the **linear** code spreads the
# spikes over the window, and **dropping the background** removes the useless last-step spikes.

# %%
variants = {
    "log": dict(normalize=True),
    "linear": dict(linear=True, normalize=True),
    "linear, no background": dict(
        linear=True, normalize=True, drop_background=True
    ),
}
fig, ax = plt.subplots(2, 3, figsize=(6.9, 4.6))
for j, (name, kw) in enumerate(variants.items()):
    s = E.latency(digit, T, **kw)
    t_first = E.first_spike_time(s)
    ax[0, j].hist(
        t_first[torch.isfinite(t_first)].flatten(),
        bins=range(T + 1),
        color="gray",
    )
    ax[0, j].set(yscale="log", xlabel="first-spike step", ylabel="pixels")
    ax[0, j].set_title(f"{name}:\n{int(s.sum())} spikes", fontsize=9)
    snl.plot.raster(s, ax=ax[1, j], active_only=True)
    err = (E.decode("latency", s, **kw) - digit).abs().mean()
    ax[1, j].set_title(f"round-trip MAE {err:.4f}", fontsize=9)
fig.tight_layout()

# %% [markdown]
# ```{admonition} Think!
# The dropped background pixels decode to 0, which is exactly right for MNIST. When would
# dropping them be wrong, or wasteful? (Hint: a dark object on a bright background, and spikes
# that get lost.)
# ```

# %%
inverted = 1 - digit  # a dark digit on a bright background
no_bg = variants["linear, no background"]
spikes_digit = int(E.latency(digit, T, **no_bg).sum())
spikes_inverted = int(E.latency(inverted, T, **no_bg).sum())
print(f"latency code without background: {spikes_digit} spikes for the digit,")
print(f"{spikes_inverted} for the inverted digit")

# %% tags=["remove-cell"]
snl.claims.claim(
    spikes_inverted > 3 * spikes_digit,
    "the inverted digit costs several times the spikes",
)

# %% [markdown]
# <details><summary>Answer</summary>
#
# The decoder reads silence as "below threshold", so dropping is right only where silence
# means dark. For a dark digit on a bright page the background is bright: every background
# pixel fires and the digit is the silence, so the code spends most of its spikes on the page
# (the cell above counts several times as many) and the image is better inverted first. And
# once spikes can be lost, a bright pixel whose one spike is deleted decodes as 0, exactly like
# background: the reader cannot tell "dark" from "lost".
#
# </details>
#
# ## Rank order, phase and burst codes
#
# **Rank order** keeps only the order in which inputs fire. With at least as many steps as
# inputs every input gets its own step and the order is recovered exactly; with fewer, inputs
# share steps. The decoder cannot know the values, only the ranks: given the distribution of
# intensities (here: the digit's own sorted pixel values), it recovers the image exactly.

# %%
x_small = digit[10:18, 10:18].flatten()  # 64 pixels
exact = E.rank_order(x_small, 64)
ranks = E.rank_order_ranks(exact)
bright = torch.where(x_small > 0, x_small, -1.0)
true_ranks = torch.argsort(torch.argsort(bright, descending=True, stable=True))
fired = x_small > 0
same = torch.equal(ranks[fired], true_ranks[fired])
print("ranks recovered exactly (T = 64):", bool(same))
s_rank = codes["rank_order"]
decoders = {
    "linear in rank": {},
    "Thorpe m^r, m = 0.99": {"modulation": 0.99},
    "known intensity distribution": {"values": digit.flatten()},
}
for name, kw in decoders.items():
    mae = (E.rank_order_decode(s_rank, **kw) - x_pix).abs().mean()
    print(f"rank-order decoding, {name:>28}: MAE {mae:.4f}")

# %% [markdown]
# **Phase coding** locks every spike to a background oscillation (period $P$): an input fires
# once per cycle at step $k = \mathrm{round}((1 - x)(P - 1))$ of the cycle, so bright inputs
# fire near the oscillation's peak. **Burst coding** puts the value in a burst's length and
# tightness: $N_s = \lceil N_{max} x \rceil$ spikes,
# $\mathrm{ISI} = \lceil -(T_{max} - T_{min}) x + T_{max} \rceil$ steps apart.

# %%
levels = torch.tensor([1.0, 0.75, 0.5, 0.25, 0.1])
fig, ax = plt.subplots(2, 1, figsize=(6.9, 4.6))
s_phase = E.phase(levels, 32, period=8)
snl.plot.raster(s_phase, ax=ax[0], markersize=12)
osc_ax = ax[0].twinx()
osc_ax.plot(
    torch.arange(32), E.oscillation(32, 8), color="tab:blue", alpha=0.5
)
osc_ax.set_ylabel(r"$\cos(2\pi t / P)$", color="tab:blue")
ax[0].set(
    yticks=range(5),
    yticklabels=[f"x = {v:g}" for v in levels.tolist()],
    ylabel="",
    xlabel="",
    title="phase code (P = 8)",
)
ax[0].set_ylim(-0.5, 4.5)
s_burst = E.burst(levels, 20)
snl.plot.raster(s_burst, ax=ax[1], markersize=12)
n_s, isi_b = E.burst_params(levels)
ticks = [
    f"x = {v:g}: {n} spikes, ISI {i}"
    for v, n, i in zip(levels.tolist(), n_s.tolist(), isi_b.tolist())
]
ax[1].set(
    yticks=range(5),
    yticklabels=ticks,
    ylabel="",
    title="burst code ($N_{max}$ = 5, $T_{min}$ = 2, $T_{max}$ = 6)",
)
fig.tight_layout()
print(
    "phase decoded:",
    [round(v, 3) for v in E.phase_decode(s_phase, period=8).tolist()],
)
print(
    "burst decoded:", [round(v, 3) for v in E.burst_decode(s_burst).tolist()]
)

# %% [markdown]
# ## Population coding
#
# A population of $M$ neurons with Gaussian tuning curves
# $a_j(x) = \exp(-(x - \mu_j)^2 / 2\sigma^2)$ covers the range of $x$; here each neuron
# rate-codes its own response. The population vector reads the value back as the
# count-weighted mean of the preferred values, $\hat x = \sum_j N_j \mu_j / \sum_j N_j$; a
# maximum-likelihood decoder does better, especially near the edges.

# %%
grid = torch.linspace(0, 1, 201)
tuning = E.population_tuning(grid, 10)  # [201, 10]
reps = snl.workload(40, 8)
x_rep = grid.repeat(reps, 1)  # [reps, 201]
s_pop = E.population(x_rep, T, seed=3)  # [T, reps, 201, 10]
fig, ax = plt.subplots(1, 2, figsize=(6.9, 3))
ax[0].plot(grid, tuning)
ax[0].set(xlabel="x", ylabel="$a_j(x)$")
ax[0].set_title("Gaussian receptive fields (M = 10)", fontsize=10)
for method in ("vector", "ml"):
    err = (E.population_decode(s_pop, method=method) - x_rep).abs().mean(0)
    ax[1].plot(grid, err, label=f"{method}: mean {err.mean():.3f}")
ax[1].set(xlabel="x", ylabel="|error|")
ax[1].set_title(f"decoding error (T = {T}, {reps} repeats)", fontsize=10)
ax[1].legend(fontsize="small")
fig.tight_layout()

# %% [markdown]
# ## Delta modulation: spikes on change
#
# Event cameras and cochlear models do not send values, they send *changes*. A delta modulator
# keeps the receiver's estimate and fires an **on** spike (+1) when the signal has risen by a
# threshold $\theta$ above it, an **off** spike (-1) when it has fallen by $\theta$. The
# receiver integrates: $\hat x[t] = \theta \sum_{t' \le t} s[t']$. Comparing only consecutive
# samples (snnTorch's `spikegen.delta`, `mode="difference"`) misses slow drifts.

# %%
t_axis = torch.linspace(0, 1, 200)
wave = 0.3 * torch.sin(2 * torch.pi * 3 * t_axis)
signal = (0.5 + wave + 0.4 * t_axis)[:, None]  # [T=200, 1]
fig, ax = plt.subplots(2, 1, figsize=(6.9, 4.6), sharex=True)
for j, mode in enumerate(("tracking", "difference")):
    s = E.delta(signal, threshold=0.05, mode=mode)
    ax[j].plot(t_axis, signal[:, 0], "k", label="signal")
    if mode == "tracking":
        rec = E.delta_decode(s, threshold=0.05)[:, 0]
        ax[j].step(t_axis, rec, where="post", label="reconstruction")
    on = (s[:, 0] > 0).nonzero().flatten()
    off = (s[:, 0] < 0).nonzero().flatten()
    ax[j].plot(
        t_axis[on],
        torch.full((len(on),), -0.05),
        "|",
        color="k",
        ms=8,
        label=f"{len(on)} on",
    )
    ax[j].plot(
        t_axis[off],
        torch.full((len(off),), -0.12),
        "|",
        color="tab:red",
        ms=8,
        label=f"{len(off)} off",
    )
    ax[j].set_title(f"delta modulation, mode = {mode!r}", fontsize=10)
    ax[j].legend(fontsize="small", ncol=2, loc="upper left")
ax[1].set_xlabel("time")
fig.tight_layout()

# %% [markdown]
# ## Robustness to noise
#
# Real spike trains are noisy: spikes go missing, spurious spikes appear and timing jitters. We
# corrupt each code with `snl.encoding.perturb` and decode (`snl.coding_study.noisy_error`).
# Left: each spike is deleted with probability $p$ and each empty bin gains a spurious spike
# with probability $p / 20$. Right: every spike moves by up to $j$ steps. The top row is the
# mean absolute error over all pixels of a few digits; most MNIST pixels are black background,
# so the bottom row repeats it over the digits' own pixels (those with $x > 0$), where the
# information is.

# %%
n_img = snl.workload(16, 3)
batch = images[:n_img].float() / 255
levels_p = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
levels_j = [0, 1, 2, 3]
noisy_error = snl.coding_study.noisy_error
curves = {}  # (pixels, noise, scheme) -> errors at each level
for pixels in ("all", "digit"):
    for scheme in E.SCHEMES:
        curves[pixels, "drop", scheme] = [
            noisy_error(
                batch, scheme, T, p_delete=p, p_insert=p / 20, pixels=pixels
            )
            for p in levels_p
        ]
        curves[pixels, "jitter", scheme] = [
            noisy_error(batch, scheme, T, jitter=j, pixels=pixels)
            for j in levels_j
        ]

fig, ax = plt.subplots(2, 2, figsize=(6.9, 5.6), sharex="col")
for r, pixels in enumerate(("all", "digit")):
    for scheme in E.SCHEMES:
        ax[r, 0].plot(
            levels_p, curves[pixels, "drop", scheme], "o-", ms=3, label=scheme
        )
        ax[r, 1].plot(levels_j, curves[pixels, "jitter", scheme], "o-", ms=3)
    ax[r, 0].set_ylabel(f"MAE, {pixels} pixels")
ax[0, 0].set_title("lost and spurious spikes", fontsize=10)
ax[0, 1].set_title("timing jitter", fontsize=10)
ax[1, 0].set_xlabel("deletion probability p (insertion p/20)")
ax[1, 1].set_xlabel("jitter (steps)")
ax[1, 1].set_xticks(levels_j)
fig.legend(
    *ax[0, 0].get_legend_handles_labels(),
    loc="lower center",
    ncol=4,
    fontsize="small",
    frameon=False,
)
fig.tight_layout(rect=(0, 0.08, 1, 1))


def change(pixels, noise, level, scheme):
    """How much the error grows from no noise to the given level."""
    levs = levels_p if noise == "drop" else levels_j
    errs = curves[pixels, noise, scheme]
    return errs[levs.index(level)] - errs[0]


jit = {s: change("digit", "jitter", 2, s) for s in E.SCHEMES}
drop = {s: curves["digit", "drop", s][levels_p.index(0.2)] for s in E.SCHEMES}
print("error growth with ±2 steps of jitter (digit pixels):")
for s in sorted(jit, key=jit.get, reverse=True):
    print(
        f"  {s:>11}: {curves['digit', 'jitter', s][0]:.3f} -> "
        f"{curves['digit', 'jitter', s][2]:.3f}"
    )
print("error with p = 0.2 deleted (digit pixels):")
for s in sorted(drop, key=drop.get):
    print(f"  {s:>11}: {drop[s]:.3f}")
rate_all = curves["all", "drop", "rate"][2]
rate_digit = curves["digit", "drop", "rate"][2]
print(
    f"rate code at p = 0.2: all pixels {rate_all:.3f}, digit {rate_digit:.3f}"
)

# %% tags=["remove-cell"]
worst = sorted(jit, key=jit.get, reverse=True)
snl.claims.claim(
    set(worst[:2]) == {"phase", "burst"},
    "phase and burst degrade most with jitter",
)
snl.claims.claim(
    all(abs(jit[s]) < 1e-6 for s in ("rate", "population", "delta")),
    "jitter does not change the rate, population and delta errors",
)
snl.claims.claim(
    0 < jit["latency"] < jit["phase"] / 2
    and jit["rank_order"] < jit["latency"],
    "latency and rank order lose far less to jitter than phase",
)
best = sorted(drop, key=drop.get)
snl.claims.claim(
    set(best[:2]) == {"population", "phase"},
    "population and phase lose least to deleted spikes",
)
snl.claims.claim(
    drop["rank_order"] == max(drop.values()),
    "rank order loses most to deleted spikes",
)
snl.claims.claim(
    rate_digit > 2 * rate_all, "all-pixel errors hide the digit's errors"
)

# %% [markdown]
# The two rows tell different stories, and the bottom one is the honest one: the all-pixel
# error mostly measures how well a code keeps the black background black (a spurious spike on
# a black pixel is an error there; the rate code's error on the digit's pixels is several times
# its all-pixel error).
#
# **Lost spikes.** Deleting a fraction $p$ of a rate code's spikes lowers every count by that
# fraction, so every bright pixel comes back darker; a latency or rank-order code instead loses
# a fraction $p$ of its pixels entirely and keeps the others exact. Rank order suffers most,
# because a lost spike also shifts the rank, and so the value, of every later input. The
# population code loses least: the population vector is a ratio of counts, and a deletion that
# thins all ten neurons alike leaves it unchanged. The phase code repeats its spike in every
# cycle, so one lost spike still leaves the others.
#
# **Timing jitter.** Counts do not care when a spike comes, so rate, population and delta
# codes do not change at all. The codes that degrade most are **phase** and **burst**, which
# put the value into a spike's position within a short cycle (8 steps) or into the gaps
# between spikes (2 to 6 steps): a shift of two steps is a large part of either. The
# single-spike latency and rank-order codes spread their values over the whole 25-step window
# (rank order only keeps an order), so the same shift moves their values far less.
#
# Robust SNNs therefore choose or learn their input encoding with noise in mind. FEEL-SNN, for
# example, replaces the usual direct input (the same image at every step) by a frequency
# encoding: at each time step the network sees the image filtered to a different band of
# spatial frequencies, which suppresses noise outside the bands (see the explanation page).
#
# ```{admonition} Think!
# The brain seems to use both: fast, sparse timing codes for the first feed-forward sweep, and
# rates over populations where reliability matters. Which parts of the plots support that
# split?
# ```
#
# <details><summary>Answer</summary>
#
# The single-spike codes are the cheapest (the spike counts at the top) and stand up well to
# small timing jitter, but every lost spike takes a pixel's whole value with it (rank order
# worst). The counting codes are blind to jitter, and the population code is also the most
# robust to lost spikes, at the highest spike cost. A sweep that must be fast and cheap suits
# timing; a readout that must be reliable suits populations of counting neurons. The next
# section adds speed to the picture.
#
# </details>

# %% [markdown]
# ## How fast can a reader decide?
#
# "Deciding early" can mean two different things, and the codes rank differently on them:
#
# - **reconstruction**: how many steps a decoder needs before its estimate of every pixel is
#   close to its final one (`snl.encoding.time_to_decision`: the first step that closes 90 % of
#   the gap between knowing nothing and the final error, over all pixels);
# - **recognition**: how many steps a reader needs to tell *which digit* it is
#   (`snl.coding_study.recognition_curve`). Here the reader is a nearest-class-mean classifier
#   on the decoded first $k$ steps: for each $k$ it averages the decoded prefixes of training
#   digits per class, and names a test digit by the nearest class average. Its decision time
#   is the first $k$ that closes 90 % of the gap between chance and its final accuracy.
#
# Both are measured on the bundled MNIST subset (training digits for the class averages, test
# digits to classify).

# %%
x_train, y_train = snl.data.load_mnist("train", source="bundled")
x_test, y_test = snl.data.load_mnist("test", source="bundled")


def first_of_each_class(x, y, n):
    """The first n images of each class, intensities in [0, 1]."""
    idx = torch.cat([torch.nonzero(y == c)[:n, 0] for c in range(10)])
    return x[idx].float() / 255, y[idx]


train = first_of_each_class(x_train, y_train, snl.workload(100, 10))
test = first_of_each_class(x_test, y_test, snl.workload(50, 5))
ks = [1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25]
recog = {
    s: snl.coding_study.recognition_curve(
        s, *train, *test, num_steps=T, steps=ks
    )
    for s in E.SCHEMES
}
recon = {}
for s in E.SCHEMES:  # reconstruction: time_to_decision on the test digits
    times = []
    for img in test[0][: snl.workload(20, 5)]:
        x, kw = snl.coding_study.prepare(s, img, seed=0)
        times.append(E.time_to_decision(s, x, E.encode(s, x, T, **kw), **kw))
    recon[s] = sum(times) / len(times)

fig, ax = plt.subplots(figsize=(6.9, 3.2))
for s in E.SCHEMES:
    ax.plot(recog[s]["steps"], recog[s]["accuracy"], "o-", ms=3, label=s)
ax.axhline(recog["rate"]["chance"], color="gray", ls=":", label="chance")
ax.set(
    xlabel="steps read k",
    ylabel="test accuracy",
    title="recognising the digit from the first k steps",
)
ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.tight_layout()
print(
    f"{'scheme':>11} {'reconstruct':>11} {'recognise':>9} {'at k=1':>7} "
    f"{'final':>6}"
)
for s in E.SCHEMES:
    r = recog[s]
    print(
        f"{s:>11} {recon[s]:11.1f} {r['decision']:9d} "
        f"{r['accuracy'][0]:7.2f} {r['final']:6.2f}"
    )

# %% tags=["remove-cell"]
dec = {s: recog[s]["decision"] for s in E.SCHEMES}
snl.claims.claim(
    dec["rank_order"] == max(dec.values()),
    "rank order is the slowest to recognise",
)
snl.claims.claim(
    dec["rate"] <= 2 and dec["rate"] < dec["latency"],
    "the rate code is recognised within two steps, before the latency code",
)
snl.claims.claim(
    all(dec[s] <= recon[s] for s in E.SCHEMES),
    "recognition never takes longer than reconstruction",
)
snl.claims.claim(
    all(dec[s] < recon[s] / 3 for s in ("burst", "delta")),
    "burst and delta: recognised in a fraction of the reconstruction time",
)
first = recog["rate"]["accuracy"][0]
snl.claims.claim(
    first >= recog["rate"]["final"] - 0.05, "one rate step is nearly enough"
)
snl.claims.claim(
    recon["rate"] < recon["latency"] < recon["rank_order"],
    "reconstruction: rate, then latency, then rank order",
)
snl.claims.claim(
    all(recon[s] <= T / 4 for s in ("population", "rate", "phase"))
    and all(recon[s] >= 0.8 * T for s in ("rank_order", "delta")),
    "reconstruction: population, rate, phase fast; rank order, delta slow",
)
fast = max(dec[s] for s in ("rate", "burst", "population"))
snl.claims.claim(
    fast <= 2
    and max(dec["phase"], dec["delta"]) <= 5 < dec["rank_order"]
    and dec["latency"] > fast,
    "recognition: rate, burst, population first; phase, delta soon; "
    "latency later; rank order last",
)

# %% [markdown]
# Recognition never takes longer than reconstruction, and for the burst and delta codes only a
# fraction of it: a reader does not need every pixel's value to name the digit. To reconstruct
# the image, the population, rate and phase codes settle within a quarter of the window, while
# rank order and delta need almost all of it. For recognition the order is not the one the
# slogan "timing codes answer early" suggests. The rate code is recognised almost from its first step: one step of it is a
# noisy black-and-white copy of the whole digit (every ink pixel fires with probability $x$),
# and the *pattern across many inputs* is what recognition needs. The latency code's first
# steps carry only the brightest pixels, and the rank-order code needs most of its window,
# because its early steps hold only a few inputs each. The speed argument for timing codes is
# about one neuron, which cannot count in a few milliseconds; with hundreds of inputs read at
# once, a rate code is read across the population, not over time.
#
# ## Explorer
#
# Pick a coding scheme, the number of time steps $T$, the scheme's main parameter (its gain,
# time constant, threshold, period or burst length, named beside the slider) and a digit. The
# raster shows every input's spikes over time (red: the *off* spikes of delta modulation; for
# the population code, the neurons of the digit's middle row), and the two images the digit
# and what the matching decoder reads back from the spikes. In Jupyter or Colab the explorer
# calls `snl.encoding.encode` and `snl.encoding.decode`; on the book's web page it shows
# exactly those results, precomputed for every setting of the controls, so the sliders work
# without a kernel.
#
# Things to try:
#
# - Rate coding with few steps: how noisy is the decoded digit, and how does it improve with
#   $T$?
# - Latency (log) against latency (linear, background dropped): where do the spikes crowd
#   together?
# - Count the spikes each scheme spends on the same digit (the number above the raster).
#
# ```{admonition} Think!
# Which schemes would still let a downstream neuron recognise the digit after only the first
# few steps, and which need the whole window?
# ```
#
# <details><summary>Answer</summary>
#
# The recognition measure of the previous section answers it: the rate, burst and population
# codes are recognised within their first step or two, phase and delta within a few steps (the
# delta code's digit fades in), latency a little later, and rank order needs most of the
# window. Reconstructing every pixel takes longer for all of them (the table above).
#
# </details>

# %%
snl.widgets.coding_explorer()

# %% [markdown]
# ## Exercises
#
# Each exercise is a function stub: replace its `raise NotImplementedError(...)` line with your
# code and run the cell. The check says "not attempted yet" until then, and then what is right
# or wrong. `snl.exercises.hint(name, 1)` gives a first hint, `hint(name, 2)` a stronger one.
# The reference solution follows each exercise (collapsed in the book); the notebook uses it
# afterwards, so it runs whether or not you did the exercises.
#
# ### Exercise 1: a Bernoulli rate encoder
#
# Write `my_rate_encoder(x, num_steps, generator=None)` that returns spikes
# `[num_steps, *x.shape]` with $s[t] \sim \mathrm{Bernoulli}(x)$, drawn with `generator`. The
# check runs it for thousands of steps and tests the distribution: the rate of every
# intensity, the variability of the counts, the independence of steps and of inputs, and the
# seeding. (Hints: `snl.exercises.hint("rate_encoder", 1)`.)


# %%
def my_rate_encoder(x, num_steps, generator=None):
    # Your code here: replace the next line.
    raise NotImplementedError("exercise: draw Bernoulli spikes")


snl.exercises.check_rate_encoder(my_rate_encoder)


# %% tags=["hide-input"]
# Reference solution (collapsed in the book; try the exercise first).
def rate_encoder_solution(x, num_steps, generator=None):
    p = x.expand(num_steps, *x.shape).contiguous()  # [T, *x.shape]
    return torch.bernoulli(p, generator=generator)


snl.exercises.check_rate_encoder(
    rate_encoder_solution, label="reference solution"
)


# %% [markdown]
# ### Exercise 2: the latency law
#
# Solve $x(1 - e^{-t/\tau}) = V_{th}$ for $t$ and write `my_latency_time(x, tau, threshold)`
# for intensities above threshold. (Hints: `snl.exercises.hint("latency_time", 1)`.)


# %%
def my_latency_time(x, tau, threshold):
    # Your code here: replace the next line with the formula.
    raise NotImplementedError("exercise: the firing time of the RC circuit")


snl.exercises.check_latency_time(my_latency_time)


# %% tags=["hide-input"]
# Reference solution (collapsed in the book; try the exercise first).
def latency_time_solution(x, tau, threshold):
    return tau * torch.log(x / (x - threshold))


snl.exercises.check_latency_time(
    latency_time_solution, label="reference solution"
)


# %% [markdown]
# ### Exercise 3: decode the first spike time
#
# Write `my_first_spike_time(spikes)` returning, for spikes `[T, N]`, the first step with a
# spike of every neuron, and `inf` for silent neurons. (Hints:
# `snl.exercises.hint("first_spike_time", 1)`.)


# %%
def my_first_spike_time(spikes):
    # Your code here: replace the next line.
    raise NotImplementedError("exercise: the first step with a spike")


snl.exercises.check_first_spike_time(my_first_spike_time)


# %% tags=["hide-input"]
# Reference solution (collapsed in the book; try the exercise first).
def first_spike_time_solution(spikes):
    t = torch.arange(spikes.shape[0], dtype=torch.float32).unsqueeze(1)
    times = torch.where(spikes > 0, t, torch.tensor(float("inf")))
    return times.min(0).values


snl.exercises.check_first_spike_time(
    first_spike_time_solution, label="reference solution"
)


# %% [markdown]
# ### Exercise 4: the Fano factor
#
# Write `my_fano_factor(counts)`: for spike counts `[R, N]` of $N$ neurons over $R$ repeats,
# return the Fano factor $\mathrm{Var}[N] / E[N]$ of every neuron, shape `[N]`. Then use it on
# your encoder: the Fano factor of Bernoulli counts should be close to $1 - p$. (Hints:
# `snl.exercises.hint("fano_factor", 1)`.)


# %%
def my_fano_factor(counts):
    # Your code here: replace the next line.
    raise NotImplementedError("exercise: variance over mean, over the repeats")


snl.exercises.check_fano_factor(my_fano_factor)


# %% tags=["hide-input"]
# Reference solution (collapsed in the book; try the exercise first).
def fano_factor_solution(counts):
    return counts.var(0) / counts.mean(0)


snl.exercises.check_fano_factor(
    fano_factor_solution, label="reference solution"
)

# %%
p_test = torch.tensor([0.1, 0.5, 0.9])
gen_f = torch.Generator().manual_seed(0)
many = p_test.expand(500, 3).contiguous()  # 500 repeats of three intensities
counts_f = rate_encoder_solution(many, 40, gen_f).sum(0)  # [500, 3]
print(
    "Fano factors:",
    [round(v, 3) for v in fano_factor_solution(counts_f).tolist()],
)
print("1 - p:       ", [round(v, 3) for v in (1 - p_test).tolist()])

# %% [markdown]
# ## Summary
#
# * Every code here is a pair: `encode(scheme, x, T)` gives `[T, *x.shape]` spikes, `decode`
#   reads them back.
# * Rate codes are unbiased, blind to timing jitter and expensive; their error shrinks only as
#   $1/\sqrt{T}$. The Bernoulli rate code is a discretised Poisson process: Fano factor
#   $1 - p$, interval CV $\sqrt{1 - p}$, both tending to 1 as the steps get finer.
# * Latency and rank-order codes use about one spike per bright input and are the cheapest;
#   the logarithmic RC law clusters spikes, the linear law with background dropping fixes it.
#   Every lost spike takes a value with it.
# * Speed depends on the question: to reconstruct the image, the population, rate and phase
#   codes settle within a quarter of the window, rank order and delta need almost all of it; to
#   recognise the digit, codes that show the whole digit in every step (rate, burst,
#   population) are read almost at once, and rank order is the slowest.
# * Jitter hurts phase and burst codes most; lost spikes hurt rank order most and the
#   population code least. Judge errors on the digit's pixels, not on the black background.
