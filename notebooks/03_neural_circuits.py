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
# # Neural circuits, hands-on
#
# A network of spiking neurons is built from a few small wiring patterns, or *motifs*. In this
# notebook you build each motif from the LIF neurons of the previous chapter
# (`snl.neurons.lif_step`), run it, and **measure** what it does:
#
# | motif | what it is for | the measurement |
# |---|---|---|
# | feed-forward excitation (convergence) | averaging out independent noise | SNR against the number of converging inputs |
# | feedback inhibition | gain control, fast responses, rhythms | output rate against input rate; synchrony; oscillation power; latency |
# | feed-forward inhibition | precise timing | the window after a stimulus onset in which the output can fire |
# | lateral inhibition | contrast, decorrelation, choice | contrast at a bar's edge; correlation of responses to similar stimuli; winner-take-all |
#
# Every simulation below is a call to `snl.circuits`. Shapes are time first: an input or a spike
# record is `[T, B, N]` (steps, batch of independent trials, neurons). Rates are in spikes per step
# (at 1 ms per step, 0.1 spikes/step is 100 Hz).

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/03_neural_circuits.ipynb)

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

circuits = snl.circuits
gen = torch.Generator().manual_seed(0)  # every input spike train below is drawn from this generator
TRIALS = snl.workload(200, 60)  # trials per condition (fewer in quick mode)
BATCH = snl.workload(16, 4)  # independent networks run side by side

# %% [markdown]
# ## Feed-forward excitation: convergence raises the signal-to-noise ratio
#
# In a feed-forward circuit one layer excites the next. Connections can **converge** (many inputs
# onto one neuron) or **diverge** (one input onto many neurons). `circuits.convergent_weights`
# builds a weight matrix `W` of shape `[N_in, N_out]` in which every output neuron sums `fan_in`
# neighbouring inputs.

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
snl.plot.circuit_diagram("feedforward_excitation", ax=ax)
plt.show()

W = circuits.convergent_weights(n_in=8, n_out=4, fan_in=4, weight=0.5)
print("W, shape [N_in, N_out] =", tuple(W.shape))
print(W)
print("inputs per output (convergence):", (W > 0).sum(0).tolist())
print("outputs per input (divergence): ", (W > 0).sum(1).tolist())

# %% [markdown]
# **The experiment.** Each of `n` input neurons carries the *same* signal: its spike probability per
# step is 0.06 when a stimulus is present and 0.04 when it is not. Each input adds its own,
# independent Bernoulli noise. One LIF output neuron sums the `n` inputs with weight `4 / n` each,
# so its mean drive is the same for every `n`. On each trial we count its output spikes over 100
# steps and ask how well the count separates "stimulus" from "no stimulus":
#
# $$\mathrm{SNR} = \frac{\overline{c}_\text{signal} - \overline{c}_\text{noise}}{\sqrt{(\sigma^2_\text{signal} + \sigma^2_\text{noise})/2}}.$$
#
# Summing `n` independent noises adds their variances (standard deviation grows like $\sqrt n$)
# while the common signal adds coherently (grows like $n$), so the SNR should grow like $\sqrt n$.

# %%
fan_ins = [1, 2, 4, 8, 16, 32, 64]
snr = circuits.convergence_snr(fan_ins, p_signal=0.06, p_noise=0.04, num_steps=100, trials=TRIALS, seed=0)

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(fan_ins, snr, "o-", color=snl.plot.EXC_COLOR, label="LIF output neuron (measured)")
ax.plot(
    fan_ins,
    float(snr[0]) * torch.tensor(fan_ins).double().sqrt(),
    "--",
    color="0.5",
    label=r"$\mathrm{SNR}(1)\,\sqrt{n}$",
)
ax.set_xscale("log", base=2)
ax.set_xlabel("number of converging inputs n")
ax.set_ylabel("SNR (d')")
ax.legend()
plt.show()
for n, s in zip(fan_ins, snr.tolist()):
    print(f"n = {n:3d}: SNR = {s:.2f}")

# %% [markdown]
# What do the output counts look like? With one input, the signal and noise distributions overlap
# almost completely; with 64 they are nearly separate.

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 2.8), sharey=True)
for ax, n in zip(axes, (1, 64)):
    p = torch.tensor([0.06] * TRIALS + [0.04] * TRIALS).reshape(-1, 1).expand(-1, n)
    x = circuits.poisson_input(p, 100, generator=gen)  # [T, 2*TRIALS, n]
    out = circuits.feedforward_excitation(x, circuits.convergent_weights(n, 1, n, 4.0 / n))
    counts = out.spikes["out"].sum(0)[:, 0]  # [2*TRIALS]
    bins = torch.arange(float(counts.max()) + 2) - 0.5
    ax.hist(counts[:TRIALS].numpy(), bins=bins.numpy(), alpha=0.6, color=snl.plot.EXC_COLOR, label="stimulus")
    ax.hist(counts[TRIALS:].numpy(), bins=bins.numpy(), alpha=0.6, color="0.5", label="no stimulus")
    ax.set_title(f"n = {n} converging inputs: SNR {circuits.snr(counts[:TRIALS], counts[TRIALS:]):.2f}")
    ax.set_xlabel("output spikes in 100 steps")
axes[0].set_ylabel("trials")
axes[0].legend()
plt.show()


# %% [markdown]
# ```{admonition} Think!
# 1. The SNR grows like $\sqrt n$ only if the inputs' noise is *independent*. What happens if all
#    inputs share the same noise (for example, they all copy one noisy neuron)? Try it: replace
#    `x` by one input column repeated `n` times.
# 2. Divergence is the mirror image. What could a brain gain by sending one signal to many neurons?
# ```
#
# ### Exercise: build a convergent weight matrix
#
# Write `my_convergent_weights(n_in, n_out, fan_in, weight)` returning `W` of shape `[n_in, n_out]`,
# where output `j` receives the inputs `j*s, j*s+1, ..., j*s+fan_in-1` (indices modulo `n_in`) with
# `s = n_in // n_out`, each with weight `weight`. The stub calls the library until you replace it.

# %%
def my_convergent_weights(n_in, n_out, fan_in, weight):
    # YOUR CODE HERE: replace the next line (hint: start from torch.zeros(n_in, n_out)).
    return circuits.convergent_weights(n_in, n_out, fan_in, weight)


snl.exercises.check_convergent_weights(my_convergent_weights)

# %% [markdown]
# ## Feedback inhibition: gain control, fast responses and rhythm
#
# Excitatory neurons (E) drive inhibitory neurons (I) that project back onto them. Here 40 Poisson
# inputs drive 20 E neurons (each sums 4 inputs), all E neurons drive 5 I neurons, and every I neuron
# inhibits every E neuron; `inhibition` scales the I→E weights and `delay` sets the E→I and I→E
# synaptic delays in steps.

# %%
fig, ax = plt.subplots(figsize=(6, 3.4))
snl.plot.circuit_diagram("feedback_inhibition", ax=ax)
plt.show()


def run_fbi(x, inhibition, delay=1, scale=1.0):
    """The feedback circuit of this section on input spikes x [T, B, 40]."""
    return circuits.feedback_inhibition(
        x,
        circuits.convergent_weights(40, 20, 4, 0.3 * scale),
        torch.full((20, 5), 0.15),
        torch.full((5, 20), 0.5),
        inhibition=inhibition,
        ei_delay=delay,
        ie_delay=delay,
    )


# %% [markdown]
# **Saturation.** Without inhibition the E neurons' rate follows the input until it hits the ceiling
# of one spike per step: the neurons saturate and stop signalling differences between strong inputs.
# With feedback inhibition the response grows more slowly and stays in range.

# %%
levels = torch.linspace(0.02, 0.9, snl.workload(12, 6))
T_RATE = 200
curves = {}
for g in (0.0, 0.5, 1.0, 2.0):
    rates = []
    for p in levels.tolist():
        x = circuits.poisson_input(torch.full((40,), p), T_RATE, batch=BATCH, generator=gen)
        rates.append(float(run_fbi(x, g).spikes["exc"][50:].mean()))
    curves[g] = rates

fig, ax = plt.subplots(figsize=(5, 3.2))
for g, rates in curves.items():
    ax.plot(
        levels,
        rates,
        "o-",
        ms=3,
        label=f"inhibition {g}",
        color=plt.cm.Reds(0.3 + 0.23 * list(curves).index(g)) if g else "0.3",
    )
ax.axhline(1.0, ls=":", color="0.5")
ax.set_xlabel("input spike probability per step")
ax.set_ylabel("E rate (spikes/step)")
ax.legend(fontsize=8)
plt.show()
print(
    f"at the strongest input: E rate {curves[0.0][-1]:.2f} without inhibition, {curves[1.0][-1]:.2f} with inhibition 1"
)

# %% [markdown]
# **Synchrony and rhythm.** The loop E → I → E takes time: the E neurons fire, a few steps later
# the I neurons fire and silence them, the inhibition decays, and the E neurons fire again,
# *together*. The population oscillates (this is the PING mechanism of gamma rhythms). We measure
# synchrony with Golomb's $\chi^2$, the variance of the population's activity divided by the mean
# variance of single neurons (about $1/N$ for independent neurons, 1 for perfect synchrony), and
# oscillation with the share of the population rate's power in its spectral peak.

# %%
T_OSC = snl.workload(400, 250)
x = circuits.poisson_input(torch.full((40,), 0.5), T_OSC, batch=BATCH, generator=gen)
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4), gridspec_kw={"width_ratios": [1, 1, 0.8]})
table = [f"{'circuit':26s} {'E rate':>7s} {'synchrony':>10s} {'peak (cycles/step)':>19s} {'power in peak':>14s}"]
for ax, (g, d) in zip(axes[:2], ((0.0, 3), (1.0, 3))):
    res = run_fbi(x, g, delay=d)
    exc = res.spikes["exc"][50:]
    peak, power = circuits.oscillation_power(exc)
    label = f"inhibition {g}, delay {d}"
    table.append(
        f"{label:26s} {float(exc.mean()):7.3f} {circuits.synchrony(exc, bin=2):10.3f} {peak:19.3f} {power:14.2f}"
    )
    snl.plot.population_raster(
        {"exc": res.spikes["exc"][:200], "inh": res.spikes["inh"][:200]},
        {"exc": "excitatory", "inh": "inhibitory"},
        ax=ax,
        title=label,
    )
    freqs, spectrum = circuits.population_spectrum(exc)
    axes[2].plot(freqs, spectrum, label=label, color=snl.plot.INH_COLOR if g else "0.4")
for d in (1, 5):
    exc = run_fbi(x, 1.0, delay=d).spikes["exc"][50:]
    peak, power = circuits.oscillation_power(exc)
    label = f"inhibition 1.0, delay {d}"
    table.append(
        f"{label:26s} {float(exc.mean()):7.3f} {circuits.synchrony(exc, bin=2):10.3f} {peak:19.3f} {power:14.2f}"
    )
print("\n".join(table))
axes[2].set_xlabel("frequency (cycles per step)")
axes[2].set_ylabel("power of the E population rate")
axes[2].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# The rhythm's period is set by the loop: a longer delay gives a slower rhythm (compare the peak
# frequencies for delays 1, 3 and 5 in the table).
#
# **Fast responses.** Couldn't we avoid saturation simply by using weaker input weights? We could
# match the steady rate, but a weakly driven neuron takes long to charge up to threshold. Feedback
# inhibition lets the input stay strong, so the first spikes come quickly, and only *then* turns
# the gain down. We switch the input on at step 50 and measure the mean latency of each E neuron's
# first spike.

# %%
T_LAT, ONSET = 150, 50
stim = torch.zeros(T_LAT, BATCH, 40)
stim[ONSET:] = 0.5
x = circuits.poisson_input(stim, T_LAT, generator=gen)
fb = run_fbi(x, 1.0).spikes["exc"]
target = float(fb[ONSET + 30 :].mean())
# the weaker input scale (no inhibition) whose steady rate is closest to the inhibited circuit's
scales = torch.linspace(0.15, 1.0, 18).tolist()
weak_runs = {s: run_fbi(x, 0.0, scale=s).spikes["exc"] for s in scales}
best = min(scales, key=lambda s: abs(float(weak_runs[s][ONSET + 30 :].mean()) - target))
weak = weak_runs[best]

fig, ax = plt.subplots(figsize=(6, 3))
t = torch.arange(T_LAT)
ax.plot(t, snl.spikes.population_rate(fb).mean(1), color=snl.plot.INH_COLOR, label="strong input + feedback inhibition")
ax.plot(
    t,
    snl.spikes.population_rate(weak).mean(1),
    color=snl.plot.EXC_COLOR,
    label=f"weak input (x{best:.2f}), no inhibition",
)
ax.axvline(ONSET, ls=":", color="0.5")
ax.set_xlim(ONSET - 10, ONSET + 60)
ax.set_xlabel("time step")
ax.set_ylabel("fraction of E neurons spiking")
ax.legend(fontsize=8)
plt.show()
print(f"steady rate: {target:.3f} (inhibition) vs {float(weak[ONSET + 30 :].mean()):.3f} (weak input)")
print(
    f"first-spike latency: {circuits.first_spike_latency(fb, ONSET):.1f} steps (inhibition) vs "
    f"{circuits.first_spike_latency(weak, ONSET):.1f} steps (weak input)"
)

# %% [markdown]
# ```{admonition} Think!
# 1. Why does the E rate at the strongest input stay *below* saturation with inhibition, however
#    strong the input? (Hint: what would happen to the I neurons if E fired at every step?)
# 2. In the raster with inhibition, the I neurons fire in tight volleys. What sets the gap between
#    two volleys?
# ```
#
# ## Feed-forward inhibition: a window for precise timing
#
# In feed-forward inhibition the input excites the output neurons *and* a population of inhibitory
# neurons, which inhibit the output. The inhibition takes one more synapse, so it arrives a little
# after the excitation: the output can fire only in the short window between the two.

# %%
fig, ax = plt.subplots(figsize=(6, 3.4))
snl.plot.circuit_diagram("feedforward_inhibition", ax=ax)
plt.show()

T_FF, ON = 160, 40
stim = torch.zeros(T_FF, BATCH, 20)
stim[ON:] = 0.1  # 20 inputs switch on at step 40 and stay on
x = circuits.poisson_input(stim, T_FF, generator=gen)
W_EXC, W_INH, W_IO = torch.full((20, 10), 0.2), torch.full((20, 5), 0.25), torch.full((5, 10), 0.6)


def run_ffi(inhibition, inh_delay):
    return circuits.feedforward_inhibition(x, W_EXC, W_INH, W_IO, inhibition=inhibition, inh_delay=inh_delay)


fig, axes = plt.subplots(1, 2, figsize=(12, 3.2))
t = torch.arange(T_FF)
for g, d, colour in ((0.0, 2, "0.4"), (1.0, 2, snl.plot.INH_COLOR), (1.0, 8, "#ff9896")):
    out = run_ffi(g, d).spikes["out"]
    axes[0].plot(t, snl.spikes.population_rate(out).mean(1), color=colour, label=f"inhibition {g}, delay {d}")
axes[0].axvline(ON, ls=":", color="0.5")
axes[0].set_xlim(ON - 10, ON + 60)
axes[0].set_xlabel("time step")
axes[0].set_ylabel("fraction of outputs spiking")
axes[0].legend(fontsize=8)

delays = [1, 2, 3, 4, 6, 8]
windows = [circuits.response_window(run_ffi(1.0, d).spikes["out"], ON) for d in delays]
free_window = circuits.response_window(run_ffi(0.0, 1).spikes["out"], ON)
axes[1].plot(delays, windows, "o-", color=snl.plot.INH_COLOR, label="with feed-forward inhibition")
axes[1].axhline(free_window, ls="--", color="0.4", label="without inhibition")
axes[1].set_yscale("log")
axes[1].set_xlabel("delay of the inhibitory synapse (steps)")
axes[1].set_ylabel("steps until 90% of output spikes")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()
print(
    f"response window without inhibition: {free_window:.0f} steps\n"
    + "\n".join(f"inhibitory delay {d}: window {w:.0f} steps" for d, w in zip(delays, windows))
)

# %% [markdown]
# Without inhibition the output keeps firing for as long as the stimulus lasts; it says *that* there
# is a stimulus but not precisely *when* it started. With feed-forward inhibition the output fires a
# brief volley at the onset, and the length of that window is set by the inhibitory delay, not by the
# membrane time constant.
#
# ```{admonition} Think!
# Feed-forward inhibition makes neurons *coincidence detectors*: inputs must arrive within the window
# to add up. Why might this matter for a neuron that compares the arrival times of sounds at the two
# ears?
# ```
#
# ## Lateral inhibition: contrast, decorrelation and winner-take-all
#
# In lateral inhibition the neurons of one layer inhibit each other. `circuits.lateral_weights(n,
# reach)` gives the inhibition's magnitude between neurons $d$ apart, $e^{-d^2/(2\,\mathrm{reach}^2)}$
# (no self-inhibition); `inhibition` scales it. Twenty neurons, each summing 4 Poisson inputs, see a
# **bar**: their inputs fire with probability 0.2 per step inside the bar (neurons 6–13) and 0.1
# outside.

# %%
fig, ax = plt.subplots(figsize=(6, 3.4))
snl.plot.circuit_diagram("lateral_inhibition", ax=ax)
plt.show()

N, K = 20, 4
W_IN = circuits.convergent_weights(N * K, N, K, 0.35)
bar = circuits.bar_stimulus(N, 6, 14, high=0.2, low=0.1)  # [N]
x_bar = circuits.poisson_input(bar.repeat_interleave(K), 300, batch=BATCH, generator=gen)
strengths = [0.0, 0.25, 0.5, 1.0, 2.0]
profiles = {
    g: snl.spikes.firing_rate(
        circuits.lateral_inhibition(x_bar, W_IN, circuits.lateral_weights(N, 2.0), g).spikes["out"]
    ).mean(0)
    for g in strengths
}
contrast = {g: circuits.edge_contrast(r, inside=6, outside=5) for g, r in profiles.items()}
mach = {g: circuits.edge_enhancement(r, edge=6, center=9) for g, r in profiles.items()}

fig, axes = plt.subplots(1, 2, figsize=(12, 3.2))
for g in (0.0, 0.5, 2.0):
    r = profiles[g]
    axes[0].plot(r / r.max(), "o-", ms=3, label=f"inhibition {g}", color=plt.cm.Reds(0.3 + 0.3 * g) if g else "0.4")
axes[0].plot(bar / bar.max(), "k:", label="input (bar)")
axes[0].set_xlabel("neuron")
axes[0].set_ylabel("rate / max rate")
axes[0].legend(fontsize=8)
axes[1].plot(strengths, list(contrast.values()), "o-", color=snl.plot.INH_COLOR)
axes[1].set_xlabel("lateral inhibition strength")
axes[1].set_ylabel("edge contrast (Michelson)")
plt.tight_layout()
plt.show()
print(
    "\n".join(f"inhibition {g:4}: edge contrast {contrast[g]:.2f}, edge/centre rate {mach[g]:.2f}" for g in strengths)
)

# %% [markdown]
# The edge contrast $(r_\text{in} - r_\text{out}) / (r_\text{in} + r_\text{out})$ between the
# neurons just inside and just outside the bar rises with lateral inhibition. The neuron just inside
# the edge has fewer active neighbours than the one at the centre, so it is inhibited less and fires
# *more*: the response overshoots at the edge (ratio edge/centre above 1), like the Mach bands you
# see at the border between two shades of grey.
#
# **Decorrelation.** Two similar stimuli, bumps of input centred on neurons 8 and 11, evoke similar
# responses. Lateral inhibition sharpens each response, so the two patterns overlap less and are
# easier to tell apart: their correlation falls.

# %%
pos = torch.arange(N, dtype=torch.float32)


def bump(centre):
    return 0.05 + 0.25 * torch.exp(-((pos - centre) ** 2) / (2 * 3.0**2))  # input rate per neuron [N]


xa = circuits.poisson_input(bump(8).repeat_interleave(K), 300, batch=BATCH, generator=gen)
xb = circuits.poisson_input(bump(11).repeat_interleave(K), 300, batch=BATCH, generator=gen)
lines = [f"input patterns: correlation {circuits.pattern_correlation(bump(8), bump(11)):.2f}"]
fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), sharey=False)
for ax, g in zip(axes, (0.0, 2.0)):
    lat = circuits.lateral_weights(N, 2.0)
    ra = snl.spikes.firing_rate(circuits.lateral_inhibition(xa, W_IN, lat, g).spikes["out"]).mean(0)
    rb = snl.spikes.firing_rate(circuits.lateral_inhibition(xb, W_IN, lat, g).spikes["out"]).mean(0)
    corr = circuits.pattern_correlation(ra, rb)
    ax.plot(ra, "o-", ms=3, label="stimulus A", color=snl.plot.EXC_COLOR)
    ax.plot(rb, "s-", ms=3, label="stimulus B", color="#ff7f0e")
    ax.set_title(f"inhibition {g}: correlation {corr:.2f}")
    ax.set_xlabel("neuron")
    lines.append(f"inhibition {g}: output correlation {corr:.2f}")
print("\n".join(lines))
axes[0].set_ylabel("rate (spikes/step)")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# **Winner-take-all.** Make the inhibition global (every neuron inhibits every other) and strong,
# and only one neuron keeps firing: the one driven hardest. It reaches threshold first, and its
# spikes keep all the others below threshold.

# %%
drive = torch.tensor([0.10, 0.14, 0.12, 0.30, 0.16, 0.08])  # input rate of each neuron's 5 inputs
x_wta = circuits.poisson_input(drive.repeat_interleave(5), 300, batch=BATCH, generator=gen)
W_WTA = circuits.convergent_weights(30, 6, 5, 0.4)
lines = []
fig, axes = plt.subplots(1, 2, figsize=(12, 2.8))
for ax, g in zip(axes, (0.0, 2.0)):
    res = circuits.winner_take_all(x_wta, W_WTA, inhibition=g)
    snl.plot.population_raster({"out": res.spikes["out"]}, ax=ax, title=f"global inhibition {g}")
    after = snl.spikes.spike_count(res.spikes["out"], start=30).mean(0)
    lines.append(
        f"inhibition {g}: winner per trial {circuits.wta_winner(res.spikes['out'], start=30).tolist()}; "
        f"spikes per neuron after step 30: {[round(v) for v in after.tolist()]}"
    )
print("\n".join(lines))
plt.tight_layout()
plt.show()

# %% [markdown]
# ```{admonition} Think!
# 1. Try `inhibition=20.0` with a drive where two neurons are nearly equal (e.g. 0.16 and 0.18). Does
#    the most strongly driven neuron always win? What decides the race when inhibition is very
#    strong, and why might a brain (or a neuromorphic chip) want inhibition that is strong but not
#    *too* strong?
# 2. Lateral inhibition with a short reach enhances edges; with a global reach it picks one winner.
#    What would an intermediate reach do to two bars far apart?
# ```
#
# ### Exercise: who wins?
#
# Six neurons receive inputs firing with the probabilities in `drive_ex`. Predict which neuron wins the
# winner-take-all race (an index from 0 to 5) before running the check.

# %%
drive_ex = [0.12, 0.09, 0.15, 0.11, 0.26, 0.14]
my_winner = int(torch.tensor(drive_ex).argmax())  # YOUR ANSWER HERE: replace with your prediction, e.g. my_winner = 0
snl.exercises.check_wta_prediction(my_winner, drive_ex)


# %% [markdown]
# ### Exercise: the contrast measure
#
# Write `my_edge_contrast(rates, inside, outside)`: the Michelson contrast
# $(r_\text{in} - r_\text{out}) / (r_\text{in} + r_\text{out})$ of the rates of the neuron just inside
# and just outside an edge (0 when both are silent). The stub calls the library until you replace it.

# %%
def my_edge_contrast(rates, inside, outside):
    # YOUR CODE HERE: replace the next line.
    return circuits.edge_contrast(rates, inside, outside)


snl.exercises.check_edge_contrast(my_edge_contrast)

# %% [markdown]
# ## Explorer
#
# Choose a motif and set the inhibition strength, the synaptic delay and the input level. The rasters
# show the spikes of every population (grey: input, blue: excitatory, red: inhibitory), the bars their
# mean rates, and the line under the plot the motif's headline measure. In Jupyter or Colab the
# explorer calls `snl.circuits.run_motif`; on the book's web page it shows exactly those simulations,
# precomputed for every setting of the controls, so the sliders work without a kernel.
#
# Things to try:
#
# - Feed-forward inhibition: how does the output's window of firing after the stimulus onset (the
#   `window` under the plot) change as you lengthen the inhibitory path's delay?
# - Feedback inhibition: turn the inhibition up from zero; what happens to the excitatory rate?
# - Lateral inhibition: with strong inhibition, which output neurons keep firing?
#
# ```{admonition} Think!
# Set the inhibition strength to zero. Which motifs become identical to plain feed-forward excitation,
# and why?
# ```

# %%
snl.widgets.circuit_explorer()

# %% [markdown]
# ## Summary
#
# - **Convergence** averages independent noise away: the SNR of a neuron grows like the square root
#   of the number of inputs that share its signal.
# - **Feedback inhibition** is a gain control that keeps neurons out of saturation without slowing
#   their response, and its loop delay makes the population fire in synchronous rhythms.
# - **Feed-forward inhibition** closes a window a few steps after each excitation, so the output marks
#   *when* something happened.
# - **Lateral inhibition** enhances contrast at edges, decorrelates the responses to similar stimuli
#   and, when global and strong, picks a single winner.
