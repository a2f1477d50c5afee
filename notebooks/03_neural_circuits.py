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
# notebook you build each motif from the LIF neurons of the previous chapter, joined by synapses
# that behave like real ones, run it, and **measure** what it does:
#
# | motif | what it is for | the measurement |
# |---|---|---|
# | feed-forward excitation (convergence) | averaging out independent noise | SNR against the number of converging inputs |
# | feedback inhibition | gain control, fast responses, rhythms | output rate against input rate; latency; synchrony; the rhythm's period |
# | feed-forward inhibition | precise timing | the window after a stimulus onset in which the output fires |
# | lateral inhibition | contrast, decorrelation, choice | contrast at a bar's edge; correlation of responses, against a test-retest control; winner-take-all |
#
# Every simulation below is a call to `snl.circuits`. Shapes are time first: an input or a spike
# record is `[T, B, N]` (steps, batch of independent trials, neurons). Rates are in spikes per step
# (at 1 ms per step, 0.1 spikes/step is 100 Hz). Membrane potentials are in thresholds above rest
# (rest 0, threshold 1).

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
import numpy as np
import torch
from matplotlib.ticker import MaxNLocator

circuits, syn = snl.circuits, snl.synapses
claim = snl.claims.claim  # checks a sentence of the text against the data
gen = torch.Generator().manual_seed(0)  # draws every input spike train
TRIALS = snl.workload(200, 60)  # trials per condition (fewer in quick mode)
BATCH = snl.workload(16, 4)  # independent networks run side by side

# %% [markdown]
# ## The synapses
#
# A spike reaches the next neuron through a synapse, and the circuits of this chapter use synapses
# with two properties of real ones (`snl.synapses`):
#
# - **Their currents decay.** Each neuron keeps an excitatory and an inhibitory *synaptic trace*,
#   $x[t] = \alpha\,x[t-1] + (1-\alpha)\,(\text{weighted spikes arriving at } t)$ with
#   $\alpha = e^{-1/\tau}$: $\tau_\text{exc} = 2$ and $\tau_\text{inh} = 5$ steps. One spike's trace
#   sums to its weight, whatever $\tau$.
# - **They have reversal potentials.** A synapse opens a conductance $g$ whose current $g(E - U)$
#   pulls the membrane towards $E$: $E_\text{exc} = 3.5$ (0 mV) and $E_\text{inh} = -0.5$ (-80 mV),
#   for a rest of -70 mV and a threshold of -50 mV. Weights are *efficacies*, $g = w/|E|$: one spike
#   moves a membrane at rest by about $w$.
#
# With conductances held over one step, the membrane's equation
# $dU/dt = -\lambda_L U - g_e (U - E_\text{exc}) - g_i (U - E_\text{inh})$, $\lambda_L = -\ln\beta$,
# has an exact solution over the step,
#
# $$U[t+1] = U_\infty + (U[t] - U_\infty)\,e^{-\Lambda},\qquad \Lambda = \lambda_L + g_e + g_i,
# \qquad U_\infty = \frac{g_e E_\text{exc} + g_i E_\text{inh}}{\Lambda},$$
#
# which keeps $U$ between $E_\text{inh}$ and $E_\text{exc}$. The simplest models instead add the
# weight to the membrane for one step (`syn.INSTANT_CURRENT`). Here is what one excitatory and one
# inhibitory spike do to a neuron at rest, with the two kinds of synapse:

# %%
T_PSP = 40
x = torch.zeros(T_PSP, 1, 2)
x[5, 0, 0] = 1.0  # an excitatory spike at step 5
x[20, 0, 1] = 1.0  # an inhibitory spike at step 20
populations = {"out": (1, circuits.EXC_PARAMS)}
projections = [
    circuits.Projection("input", "out", torch.tensor([[0.5], [0.0]]), 0, +1),
    circuits.Projection("input", "out", torch.tensor([[0.0], [0.5]]), 0, -1),
]
fig, ax = plt.subplots(figsize=(6.9, 2.6))
for name, s, colour in (
    ("instant current", syn.INSTANT_CURRENT, "0.4"),
    ("conductance, decaying", syn.SYNAPSES, snl.plot.INH_COLOR),
):
    res = circuits.simulate(x, populations, projections, synapses=s)
    ax.plot(res.mems["out"][:, 0, 0], "o-", ms=3, color=colour, label=name)
ax.axhline(0, color="0.8", lw=0.8)
ax.set_xlabel("time step")
ax.set_ylabel("membrane U (thresholds)")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise: the conductance step
#
# Write `my_conductance_step(mem, g_exc, g_inh, beta, e_exc, e_inh)`: the membrane after one step of
# the equation above, for tensors `mem`, `g_exc`, `g_inh` of shape `[B, N]` and a number
# `0 < beta < 1`. Stuck? `snl.exercises.hint("conductance_step", 1)` gives a first hint, level 2 a
# stronger one.

# %%
def my_conductance_step(mem, g_exc, g_inh, beta, e_exc, e_inh):
    raise NotImplementedError("exercise: write the exact conductance step")


snl.exercises.check_conductance_step(my_conductance_step)


# %% tags=["hide-input"]
# Reference solution (read it after trying)
def my_conductance_step_solution(mem, g_exc, g_inh, beta, e_exc, e_inh):
    total = -np.log(beta) + g_exc + g_inh  # Lambda
    u_inf = (g_exc * e_exc + g_inh * e_inh) / total
    return u_inf + (mem - u_inf) * torch.exp(-total)


snl.exercises.check_conductance_step(my_conductance_step_solution,
                                     label="reference solution")

# %% [markdown]
# ```{admonition} Think!
# Forward Euler would update the membrane by $U + (-\lambda_L U - g_e (U - E_\text{exc}) -
# g_i (U - E_\text{inh}))$. What does it do to a membrane at rest hit by an inhibitory conductance
# $g_i = 5$?
# ```
#
# <details><summary>Answer</summary>
#
# It overshoots: one Euler step from $U = 0$ gives $U = -g_i (0 - E_\text{inh}) = 5 \times (-0.5)$,
# far below $E_\text{inh}$, and the next step overshoots back; the cell below computes both updates.
# The exact step moves the membrane only part of the way towards $U_\infty$, which lies above
# $E_\text{inh}$, so it can never cross it.
# </details>

# %%
rest, g_big = torch.zeros(1, 1), torch.full((1, 1), 5.0)
euler = rest + (np.log(0.9) * rest - g_big * (rest - syn.E_INH))
exact = syn.conductance_step(rest, torch.zeros(1, 1), g_big, 0.9)
print(f"Euler: U = {float(euler):.2f}, exact: U = {float(exact):.3f} "
      f"(E_inh = {syn.E_INH})")

# %% tags=["remove-cell"]
claim(float(euler) < syn.E_INH <= float(exact),
      "Euler overshoots E_inh, the exact step does not")

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
snr = circuits.convergence_snr(fan_ins, p_signal=0.06, p_noise=0.04,
                               num_steps=100, trials=TRIALS, seed=0)

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(fan_ins, snr, "o-", color=snl.plot.EXC_COLOR,
        label="LIF output neuron (measured)")
ax.plot(fan_ins, float(snr[0]) * torch.tensor(fan_ins).double().sqrt(),
        "--", color="0.5", label=r"$\mathrm{SNR}(1)\,\sqrt{n}$")
ax.set_xscale("log", base=2)
ax.set_xlabel("number of converging inputs n")
ax.set_ylabel("SNR (d')")
ax.legend(fontsize=8)
plt.show()
for n, s in zip(fan_ins, snr.tolist()):
    print(f"n = {n:3d}: SNR = {s:.2f}")

# %% tags=["remove-cell"]
claim(float(snr[-1]) > 4 * float(snr[0]), "the SNR grows with convergence")

# %% [markdown]
# What do the output counts look like? With one input, the signal and noise distributions overlap
# almost completely; with 64 they are nearly separate.

# %%
fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.8), sharey=True)
for ax, n in zip(axes, (1, 64)):
    p = torch.tensor([0.06] * TRIALS + [0.04] * TRIALS).reshape(-1, 1)
    x = circuits.poisson_input(p.expand(-1, n), 100, generator=gen)
    w = circuits.convergent_weights(n, 1, n, 4.0 / n)
    counts = circuits.feedforward_excitation(x, w).spikes["out"].sum(0)[:, 0]
    bins = (torch.arange(float(counts.max()) + 2) - 0.5).numpy()
    ax.hist(counts[:TRIALS].numpy(), bins=bins, alpha=0.6,
            color=snl.plot.EXC_COLOR, label="stimulus")
    ax.hist(counts[TRIALS:].numpy(), bins=bins, alpha=0.6, color="0.5",
            label="no stimulus")
    s = circuits.snr(counts[:TRIALS], counts[TRIALS:])
    ax.set_title(f"n = {n}: SNR {s:.2f}", fontsize=10)
    ax.set_xlabel("output spikes in 100 steps")
axes[0].set_ylabel("trials")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ```{admonition} Think!
# 1. The SNR grows like $\sqrt n$ only if the inputs' noise is *independent*. What happens if all
#    inputs share the same noise (for example, they all copy one noisy neuron)?
# 2. Divergence is the mirror image. What could a brain gain by sending one signal to many neurons?
# ```
#
# <details><summary>Answer</summary>
#
# 1. Nothing is gained. Summing $n$ copies of one noisy input multiplies the signal *and* the noise
#    by $n$, so their ratio does not change. With weights $4/n$ the output neuron even receives
#    exactly the same current as with one input of weight 4: the cell below measures the same SNR
#    for 1 and 64 shared inputs.
# 2. Each of the many neurons can combine the signal with different other inputs and compute
#    something different with it, in parallel; and the signal survives the loss or the noise of any
#    one of them. Divergence followed by convergence is how populations carry signals.
# </details>

# %%
p = torch.tensor([0.06] * TRIALS + [0.04] * TRIALS).reshape(-1, 1)
one = circuits.poisson_input(p, 100, generator=gen)  # [T, 2*TRIALS, 1]
shared = {}
for n in (1, 64):
    x = one.expand(-1, -1, n).contiguous()  # n copies of the same train
    w = circuits.convergent_weights(n, 1, n, 4.0 / n)
    counts = circuits.feedforward_excitation(x, w).spikes["out"].sum(0)[:, 0]
    shared[n] = circuits.snr(counts[:TRIALS], counts[TRIALS:])
print(f"shared noise: SNR {shared[1]:.2f} with 1 input, {shared[64]:.2f} "
      "with 64")

# %% tags=["remove-cell"]
claim(abs(shared[64] - shared[1]) < 0.05 * abs(shared[1]) + 1e-9,
      "shared noise gains nothing from convergence")

# %% [markdown]
# ### Exercise: build a convergent weight matrix
#
# Write `my_convergent_weights(n_in, n_out, fan_in, weight)` returning `W` of shape `[n_in, n_out]`,
# where output `j` receives the inputs `j*s, j*s+1, ..., j*s+fan_in-1` (indices modulo `n_in`) with
# `s = max(n_in // n_out, 1)`, each with weight `weight`. Stuck?
# `snl.exercises.hint("convergent_weights", 1)` (then level 2).

# %%
def my_convergent_weights(n_in, n_out, fan_in, weight):
    raise NotImplementedError("exercise: build W of shape [n_in, n_out]")


snl.exercises.check_convergent_weights(my_convergent_weights)


# %% tags=["hide-input"]
# Reference solution (read it after trying)
def my_convergent_weights_solution(n_in, n_out, fan_in, weight):
    W = torch.zeros(n_in, n_out)
    s = max(n_in // n_out, 1)
    for j in range(n_out):
        for k in range(fan_in):
            W[(j * s + k) % n_in, j] = weight
    return W


snl.exercises.check_convergent_weights(my_convergent_weights_solution,
                                       label="reference solution")

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


def run_fbi(x, inhibition, delay=1, scale=1.0, synapses=syn.SYNAPSES):
    """The feedback circuit of this section on input spikes x [T, B, 40]."""
    return circuits.feedback_inhibition(
        x,
        circuits.convergent_weights(40, 20, 4, 0.3 * scale),
        torch.full((20, 5), 0.15),
        torch.full((5, 20), 0.5),
        inhibition=inhibition,
        ei_delay=delay,
        ie_delay=delay,
        synapses=synapses,
    )


# %% [markdown]
# **Saturation.** Without inhibition the E neurons' rate climbs with the input towards the ceiling
# of one spike per step, where it stops signalling differences between strong inputs. With feedback
# inhibition the response grows more slowly and stays in range.

# %%
levels = torch.linspace(0.02, 0.9, snl.workload(12, 6))
T_RATE = 200
curves = {}
for g in (0.0, 0.5, 1.0, 2.0):
    rates = []
    for p in levels.tolist():
        x = circuits.poisson_input(torch.full((40,), p), T_RATE, batch=BATCH,
                                   generator=gen)
        rates.append(float(run_fbi(x, g).spikes["exc"][50:].mean()))
    curves[g] = rates

fig, ax = plt.subplots(figsize=(5, 3.2))
for i, (g, rates) in enumerate(curves.items()):
    colour = plt.cm.Reds(0.3 + 0.23 * i) if g else "0.3"
    ax.plot(levels, rates, "o-", ms=3, label=f"inhibition {g}", color=colour)
ax.axhline(1.0, ls=":", color="0.5")
ax.set_xlabel("input spike probability per step")
ax.set_ylabel("E rate (spikes/step)")
ax.legend(fontsize=8)
plt.show()
print(f"at the strongest input: E rate {curves[0.0][-1]:.2f} without "
      f"inhibition, {curves[1.0][-1]:.2f} with inhibition 1")

# %% tags=["remove-cell"]
claim(all(curves[g][-1] < curves[0.0][-1] for g in (0.5, 1.0, 2.0)),
      "feedback inhibition keeps the E rate below the uninhibited one")
claim(curves[2.0][-1] < curves[0.5][-1], "stronger inhibition, lower rate")

# %% [markdown]
# **Synchrony and rhythm.** The loop E → I → E takes time: the E neurons fire, a few steps later
# the I neurons fire and silence them, the inhibition decays, and the E neurons fire again,
# *together*. The population oscillates (this is the PING mechanism of gamma rhythms). We measure
# synchrony with Golomb's $\chi^2$, the variance of the population's activity divided by the mean
# variance of single neurons (about $1/N$ for independent neurons, 1 for perfect synchrony), and
# oscillation with the share of the population rate's power in its spectral peak; the peak's
# frequency gives the rhythm's period.

# %%
T_OSC = snl.workload(500, 300)
x = circuits.poisson_input(torch.full((40,), 0.5), T_OSC, batch=BATCH,
                           generator=gen)
fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.8), sharey=True)
for ax, g in zip(axes, (0.0, 1.0)):
    res = run_fbi(x, g, delay=3)
    snl.plot.population_raster(
        {"exc": res.spikes["exc"][:200], "inh": res.spikes["inh"][:200]},
        {"exc": "excitatory", "inh": "inhibitory"},
        ax=ax,
        title=f"inhibition {g}, delay 3",
    )
plt.tight_layout()
plt.show()

period = {}
print(f"{'circuit':24s} {'E rate':>6s} {'sync':>5s} {'power':>5s} "
      f"{'period':>6s}")
for g, d, tau in ((0.0, 3, 5.0), (1.0, 1, 5.0), (1.0, 3, 5.0), (1.0, 5, 5.0),
                  (1.0, 3, 10.0), (1.0, 3, 2.0)):
    s = syn.SynapseParams("conductance", 2.0, tau)
    exc = run_fbi(x, g, delay=d, synapses=s).spikes["exc"][50:]
    peak, power = circuits.oscillation_power(exc)
    period[g, d, tau] = 1 / peak
    label = "no inhibition" if g == 0 else f"delay {d}, tau_inh {tau:g}"
    print(f"{label:24s} {float(exc.mean()):6.3f} "
          f"{circuits.synchrony(exc, bin=2):5.2f} {power:5.2f} {1 / peak:6.1f}")

# %% tags=["remove-cell"]
claim(period[1.0, 1, 5.0] < period[1.0, 3, 5.0] < period[1.0, 5, 5.0],
      "a longer delay gives a slower rhythm")
claim(period[1.0, 3, 2.0] < period[1.0, 3, 5.0] < period[1.0, 3, 10.0],
      "slower inhibitory decay gives a slower rhythm")

# %% [markdown]
# The rhythm's period is set by the loop *and* by the synapses: a longer delay gives a slower rhythm,
# and so does a slower decay of the inhibitory synapses (compare the periods for delays 1, 3 and 5,
# and for $\tau_\text{inh}$ = 2, 5 and 10 at delay 3). Each period is several steps longer than the
# loop's delay $2d$: after a volley the E neurons wait for the inhibition to wear off.
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
# the weaker input scale (no inhibition) whose steady rate is closest
scales = torch.linspace(0.15, 1.0, 18).tolist()
weak_runs = {s: run_fbi(x, 0.0, scale=s).spikes["exc"] for s in scales}
best = min(scales,
           key=lambda s: abs(float(weak_runs[s][ONSET + 30:].mean()) - target))
weak = weak_runs[best]

fig, ax = plt.subplots(figsize=(6, 3))
t = torch.arange(T_LAT)
ax.plot(t, snl.spikes.population_rate(fb).mean(1), color=snl.plot.INH_COLOR,
        label="strong input + feedback inhibition")
ax.plot(t, snl.spikes.population_rate(weak).mean(1), color=snl.plot.EXC_COLOR,
        label=f"weak input (x{best:.2f}), no inhibition")
ax.axvline(ONSET, ls=":", color="0.5")
ax.set_xlim(ONSET - 10, ONSET + 60)
ax.set_xlabel("time step")
ax.set_ylabel("fraction of E neurons spiking")
ax.legend(fontsize=8)
plt.show()
latency = {"inhibition": circuits.first_spike_latency(fb, ONSET),
           "weak": circuits.first_spike_latency(weak, ONSET)}
print(f"steady rate: {target:.3f} (inhibition) vs "
      f"{float(weak[ONSET + 30 :].mean()):.3f} (weak input)")
print(f"first-spike latency: {latency['inhibition']:.1f} steps (inhibition) "
      f"vs {latency['weak']:.1f} steps (weak input)")

# %% tags=["remove-cell"]
claim(latency["inhibition"] < latency["weak"],
      "strong input with inhibition responds faster than weak input")

# %% [markdown]
# ```{admonition} Think!
# 1. Why does the E rate at the strongest input stay *below* saturation with inhibition, however
#    strong the input? (Hint: what would happen to the I neurons if E fired at every step?)
# 2. In the raster with inhibition, the I neurons fire in tight volleys. What sets the gap between
#    two volleys?
# ```
#
# <details><summary>Answer</summary>
#
# 1. If E fired at every step, it would drive the I neurons hard, and their inhibition would pull
#    every E membrane towards $E_\text{inh}$ and stop it firing. The rate settles where E fires just
#    enough to recruit the inhibition that holds it there, far below the ceiling (the printed rates
#    at the strongest input above).
# 2. The loop's delay ($2d$ steps from E to I and back) plus the time the E neurons need, after a
#    volley, for the inhibitory conductance to decay and their input to bring them back to
#    threshold: the table above shows the period growing with the delay and with $\tau_\text{inh}$.
# </details>
#
# ## Feed-forward inhibition: a window for precise timing
#
# In feed-forward inhibition the input excites the output neurons *and* a population of inhibitory
# neurons, which inhibit the output. The inhibition takes one more synapse, so it arrives a little
# after the excitation: the output can fire only in the window between the two. We switch on 20
# inputs at step 40 and count the steps until the output has fired 90% of its spikes (the
# *window*), with three synapse models: instantaneous current synapses (unbounded membrane),
# conductance synapses that act for one step only (bounded, instant), and this chapter's decaying
# conductance synapses.

# %%
fig, ax = plt.subplots(figsize=(6, 3.4))
snl.plot.circuit_diagram("feedforward_inhibition", ax=ax)
plt.show()

T_FF, ON = 160, 40
stim = torch.zeros(T_FF, BATCH, 20)
stim[ON:] = 0.1  # 20 inputs switch on at step 40 and stay on
x = circuits.poisson_input(stim, T_FF, generator=gen)
W_EXC, W_INH = torch.full((20, 10), 0.2), torch.full((20, 5), 0.25)
W_IO = torch.full((5, 10), 0.6)
MODELS = {
    "instant current": syn.INSTANT_CURRENT,
    "bounded, instant": syn.SynapseParams("conductance", 0.0, 0.0),
    "bounded, decaying": syn.SYNAPSES,
}


def run_ffi(inhibition, inh_delay, model="bounded, decaying"):
    return circuits.feedforward_inhibition(
        x, W_EXC, W_INH, W_IO, inhibition=inhibition, inh_delay=inh_delay,
        synapses=MODELS[model])


delays = [1, 2, 4, 8]
windows, lowest = {}, {}
for model in MODELS:
    free = run_ffi(0.0, 1, model).spikes["out"]
    windows[model, 0] = circuits.response_window(free, ON)
    for d in delays:
        res = run_ffi(1.0, d, model)
        windows[model, d] = circuits.response_window(res.spikes["out"], ON)
        lowest[model, d] = res.mem_range()[0]

fig, ax = plt.subplots(figsize=(5, 3.2))
for model, colour in zip(MODELS, ("0.4", "#ff9896", snl.plot.INH_COLOR)):
    ax.plot(delays, [windows[model, d] for d in delays], "o-",
            color=colour, label=model)
ax.axhline(windows["bounded, decaying", 0], ls="--", color="0.6",
           label="no inhibition")
ax.set_yscale("log")
ax.set_xlabel("delay of the inhibitory synapse (steps)")
ax.set_ylabel("window (steps)")
ax.legend(fontsize=8)
plt.show()
print(f"{'synapses':18s} {'none':>5s}"
      + "".join(f" {f'd={d}':>5s}" for d in delays) + "   lowest membrane")
for model in MODELS:
    print(f"{model:18s} {windows[model, 0]:5.0f}"
          + "".join(f" {windows[model, d]:5.0f}" for d in delays)
          + f"   {min(lowest[model, d] for d in delays):6.2f}")

# %% tags=["remove-cell"]
w_dec = [windows["bounded, decaying", d] for d in delays]
claim(w_dec[-1] < 0.2 * windows["bounded, decaying", 0]
      and w_dec[0] < w_dec[-1],
      "decaying bounded inhibition: a brief window, longer for longer delays")
claim(min(windows["bounded, instant", d] for d in delays)
      > 0.6 * windows["bounded, instant", 0],
      "bounded instantaneous inhibition closes no window")
claim(min(lowest["instant current", d] for d in delays) < 4 * syn.E_INH,
      "current synapses drive the membrane far below E_inh")

# %% [markdown]
# Without inhibition the output keeps firing for as long as the stimulus lasts. With instantaneous
# current synapses the inhibition drives the membranes far below any real reversal potential (the
# last column) and leaves a brief volley at the onset. Bounded at $E_\text{inh}$ but still
# instantaneous, the inhibition no longer closes the window: the output escapes between the
# inhibitory spikes. With decaying inhibitory synapses the inhibitory conductance sums over
# successive spikes and holds the output near $E_\text{inh}$: the brief volley at the onset comes
# back, and it is longer for longer inhibitory delays.
#
# ```{admonition} Think!
# Feed-forward inhibition makes neurons *coincidence detectors*: inputs must arrive within the window
# to add up. Why might this matter for a neuron that compares the arrival times of sounds at the two
# ears?
# ```
#
# <details><summary>Answer</summary>
#
# A sound from one side reaches one ear a little before the other, by far less than a membrane
# time constant. A neuron that receives one input from each ear and sums them only within a narrow
# window fires when the two arrive together and not otherwise, so a set of such neurons with
# different delays on their inputs tells where the sound came from. A slow, leaky integrator would
# add the two inputs whatever their timing and lose that information.
# </details>
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
LAT = circuits.lateral_weights(N, 2.0)
bar = circuits.bar_stimulus(N, 6, 14, high=0.2, low=0.1)  # [N]
x_bar = circuits.poisson_input(bar.repeat_interleave(K), 300, batch=BATCH,
                               generator=gen)
strengths = [0.0, 0.25, 0.5, 1.0, 2.0]
profiles = {
    g: snl.spikes.firing_rate(
        circuits.lateral_inhibition(x_bar, W_IN, LAT, g).spikes["out"]
    ).mean(0)
    for g in strengths
}
contrast = {g: circuits.edge_contrast(r, inside=6, outside=5)
            for g, r in profiles.items()}

fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.8))
for g in (0.0, 0.5, 2.0):
    colour = plt.cm.Reds(0.3 + 0.3 * g) if g else "0.4"
    axes[0].plot(profiles[g], "o-", ms=3, label=f"inhibition {g}", color=colour)
axes[0].axvspan(5.5, 13.5, color="0.92", zorder=0)
axes[0].set_yscale("log")
axes[0].set_xlabel("neuron")
axes[0].set_ylabel("rate (spikes/step)")
axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0].legend(fontsize=8)
axes[1].plot(strengths, list(contrast.values()), "o-", color=snl.plot.INH_COLOR)
axes[1].set_xlabel("lateral inhibition strength")
axes[1].set_ylabel("edge contrast")
plt.tight_layout()
plt.show()
print(f"{'inhibition':>10s} {'contrast':>8s} {'edge':>6s} {'centre':>6s} "
      f"{'ends':>6s} {'backgr.':>7s}")
for g, r in profiles.items():
    print(f"{g:10.2f} {contrast[g]:8.2f} {float(r[6]):6.3f} "
          f"{float(r[8:12].mean()):6.3f} {float(r[[0, 19]].mean()):6.3f} "
          f"{float(r[[1, 2, 3, 4, 15, 16, 17, 18]].mean()):7.3f}")
print("(rates in spikes per step)")

# %% tags=["remove-cell"]
r0, r2 = profiles[0.0], profiles[2.0]
claim(all(contrast[g] > contrast[0.0] for g in strengths[1:]),
      "lateral inhibition raises the edge contrast")
claim(float(r2[6]) > float(r2[8:12].mean()),
      "the edge fires more than the centre")
claim(float(r2[[0, 19]].mean())
      > 1.5 * float(r2[[1, 2, 3, 4, 15, 16, 17, 18]].mean()),
      "the ends of the line fire more than the background: false edges")

# %% [markdown]
# The edge contrast $(r_\text{in} - r_\text{out}) / (r_\text{in} + r_\text{out})$ between the
# neurons just inside and just outside the bar rises as soon as there is lateral inhibition. The
# neuron just inside the edge has fewer active neighbours than the one at the centre, so it is
# inhibited less and fires *more*: the response overshoots at the edge, like the Mach bands you see
# at the border between two shades of grey. The same rule makes two side effects (printed above):
# the bar's interior is hollowed out, and the neurons at the two ends of the line, with neighbours on
# one side only, fire more than the rest of the background, two false edges where the stimulus has
# none.
#
# **Decorrelation, with a control.** Two similar stimuli, bumps of input centred on neurons 8 and 11
# (A and B), evoke similar responses, and lateral inhibition makes them less alike. But sparse
# responses are also noisier: we therefore show stimulus A twice, with fresh noise (A and A'), and
# compare the A-B correlation with this *test-retest* correlation, the most two responses can share.

# %%
pos = torch.arange(N, dtype=torch.float32)


def bump(centre):
    """Input rate per neuron [N]: a bump of width 3 on a low background."""
    return 0.05 + 0.25 * torch.exp(-((pos - centre) ** 2) / (2 * 3.0**2))


DEC_TRIALS = 32  # enough for the test-retest control, also in quick mode
xa, xb, xa2 = (
    circuits.poisson_input(bump(c).repeat_interleave(K), 300,
                           batch=DEC_TRIALS, generator=gen)
    for c in (8, 11, 8)
)
corr = circuits.pattern_correlation
print(f"input patterns A, B: correlation {corr(bump(8), bump(11)):.2f}")
dec = {}
fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.8), sharey=True)
for ax, g in zip(axes, (0.0, 1.0)):
    ra, rb, ra2 = (
        snl.spikes.firing_rate(
            circuits.lateral_inhibition(xi, W_IN, LAT, g).spikes["out"])
        for xi in (xa, xb, xa2)
    )
    single = sum(corr(ra[i], ra2[i]) for i in range(DEC_TRIALS)) / DEC_TRIALS
    ra, rb, ra2 = ra.mean(0), rb.mean(0), ra2.mean(0)
    dec[g] = (corr(ra, rb), corr(ra, ra2), single)
    ax.plot(ra, "o-", ms=3, label="A", color=snl.plot.EXC_COLOR)
    ax.plot(ra2, "o--", ms=3, label="A again", color="0.5")
    ax.plot(rb, "s-", ms=3, label="B", color="#ff7f0e")
    ax.set_title(f"inhibition {g}", fontsize=10)
    ax.set_xlabel("neuron")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    print(f"inhibition {g}: corr(A, B) {dec[g][0]:.2f}, test-retest "
          f"{dec[g][1]:.2f} (single trials: {single:.2f})")
axes[0].set_ylabel("rate (spikes/step)")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% tags=["remove-cell"]
claim(dec[1.0][0] < dec[0.0][0] - 0.1, "inhibition lowers the A-B correlation")
claim(dec[1.0][2] < 0.6 * dec[0.0][2],
      "inhibition also lowers the single-trial test-retest correlation")
claim(dec[1.0][0] / dec[1.0][1] < 0.9 * dec[0.0][0] / dec[0.0][1],
      "relative to test-retest, the averaged responses are decorrelated")

# %% [markdown]
# Lateral inhibition lowers the correlation between A and B, and it also lowers the test-retest
# correlation, most of all on single trials: part of the "decorrelation" is noise. Relative to the
# test-retest ceiling, the averaged responses to A and B are still less alike with inhibition than
# without.
#
# **Winner-take-all.** Make the inhibition global (every neuron inhibits every other) and strong,
# and only one neuron keeps firing: the one driven hardest. It reaches threshold first, and its
# spikes keep all the others below threshold.

# %%
# input spike probability of each neuron's 5 inputs
drive = torch.tensor([0.10, 0.14, 0.12, 0.30, 0.16, 0.08])
x_wta = circuits.poisson_input(drive.repeat_interleave(5), 300, batch=BATCH,
                               generator=gen)
W_WTA = circuits.convergent_weights(30, 6, 5, 0.4)
fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.6), sharey=True)
for ax, g in zip(axes, (0.0, 2.0)):
    res = circuits.winner_take_all(x_wta, W_WTA, inhibition=g)
    snl.plot.population_raster({"out": res.spikes["out"]}, ax=ax,
                               title=f"global inhibition {g}")
    after = snl.spikes.spike_count(res.spikes["out"], start=30).mean(0)
    print(f"inhibition {g}: winner per trial "
          f"{circuits.wta_winner(res.spikes['out'], start=30).tolist()}\n"
          f"   spikes per neuron after step 30: "
          f"{[round(v) for v in after.tolist()]}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ```{admonition} Think!
# 1. Make two neurons nearly equal (drive 0.16 and 0.18) and try `inhibition=2.0` and `20.0`. Does
#    the most strongly driven neuron always win? What decides the race, and why might a brain (or a
#    neuromorphic chip) want inhibition that is strong but not *too* strong?
# 2. Lateral inhibition with a short reach enhances edges; with a global reach it picks one winner.
#    What would an intermediate reach do to two bars far apart?
# ```
#
# <details><summary>Answer</summary>
#
# 1. No: the cell below runs many trials, and the neuron with drive 0.18 wins only part of them.
#    With close drives the race is decided by which neuron happens to reach threshold first, that
#    is by the input noise of the first few steps; once it fires, its inhibition locks the others
#    out. Inhibition that is strong but not overwhelming lets the neurons integrate their input a
#    little longer before one silences the rest (a decision based on more evidence), and lets a
#    clearly stronger input take over later.
# 2. Each bar's neurons inhibit only neighbours within the reach. Bars farther apart than the reach
#    do not interact: both are kept, each with enhanced edges. Bars within reach of each other
#    compete, and the stronger one suppresses the weaker: a local winner-take-all.
# </details>

# %%
close = torch.tensor([0.10, 0.14, 0.12, 0.18, 0.16, 0.08])
RACES = snl.workload(32, 12)
x_close = circuits.poisson_input(close.repeat_interleave(5), 300, batch=RACES,
                                 generator=gen)
won = {}
for g in (2.0, 20.0):
    spk = circuits.winner_take_all(x_close, W_WTA, inhibition=g).spikes["out"]
    won[g] = float((circuits.wta_winner(spk, start=30) == 3).float().mean())
    print(f"inhibition {g:4}: neuron 3 (drive 0.18) wins {won[g]:.0%} of "
          f"{RACES} races")

# %% tags=["remove-cell"]
claim(all(1 / 6 < w < 1 for w in won.values()),
      "with close drives the strongest neuron wins often, not always")

# %% [markdown]
# ### Exercise: who wins?
#
# Six neurons receive inputs firing with the probabilities in `drive_ex`. Predict which neuron wins the
# winner-take-all race (an index from 0 to 5) before running the check: replace `...` by your
# answer. Stuck? `snl.exercises.hint("wta_prediction", 1)`.

# %%
drive_ex = [0.12, 0.09, 0.15, 0.11, 0.26, 0.14]
my_winner = ...  # YOUR ANSWER HERE: a neuron index, e.g. my_winner = 0
snl.exercises.check_wta_prediction(my_winner, drive_ex)

# %% tags=["hide-input"]
# Reference solution (read it after trying)
my_winner_solution = int(np.argmax(drive_ex))  # the most strongly driven neuron
snl.exercises.check_wta_prediction(my_winner_solution, drive_ex,
                                   label="reference solution")


# %% [markdown]
# ### Exercise: the contrast measure
#
# Write `my_edge_contrast(rates, inside, outside)`: the Michelson contrast
# $(r_\text{in} - r_\text{out}) / (r_\text{in} + r_\text{out})$ of the rates (a tensor `[N]`) of the
# neuron just inside and just outside an edge, and 0 when both are silent. Stuck?
# `snl.exercises.hint("edge_contrast", 1)`.

# %%
def my_edge_contrast(rates, inside, outside):
    raise NotImplementedError("exercise: compute the Michelson contrast")


snl.exercises.check_edge_contrast(my_edge_contrast)


# %% tags=["hide-input"]
# Reference solution (read it after trying)
def my_edge_contrast_solution(rates, inside, outside):
    r_in, r_out = float(rates[inside]), float(rates[outside])
    if r_in + r_out == 0:
        return 0.0
    return (r_in - r_out) / (r_in + r_out)


snl.exercises.check_edge_contrast(my_edge_contrast_solution,
                                  label="reference solution")

# %% [markdown]
# ## Explorer
#
# Choose a motif and set the inhibition strength, the synaptic delay and the input level. The rasters
# show the spikes of every population (grey: input, blue: excitatory, red: inhibitory), the bars their
# mean rates, and the line under the plot the motif's headline measure. In Jupyter or Colab the
# explorer calls `snl.circuits.run_motif` (with this chapter's synapses); on the book's web page it
# shows exactly those simulations, precomputed for every setting of the controls, so the sliders work
# without a kernel.
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
#
# <details><summary>Answer</summary>
#
# All of them: with `inhibition=0` every inhibitory weight is 0, so the inhibitory neurons may still
# fire but change nothing, and the output (or E) population receives exactly the excitation of its
# input. The cell after the explorer checks it spike for spike for the feedback circuit.
# </details>

# %%
snl.widgets.circuit_explorer()

# %%
x = circuits.poisson_input(torch.full((40,), 0.3), 100, batch=2, generator=gen)
w_in = circuits.convergent_weights(40, 20, 4, 0.3)
same = torch.equal(run_fbi(x, 0.0).spikes["exc"],
                   circuits.feedforward_excitation(x, w_in).spikes["out"])
print("feedback circuit without inhibition == feed-forward excitation:", same)

# %% tags=["remove-cell"]
claim(same, "without inhibition the feedback circuit is feed-forward "
      "excitation")

# %% [markdown]
# ## Summary
#
# - **Synapses** with reversal potentials keep every membrane between $E_\text{inh}$ and
#   $E_\text{exc}$; synaptic currents that decay make inhibition last beyond one step.
# - **Convergence** averages independent noise away: the SNR of a neuron grows like the square root
#   of the number of inputs that share its signal (shared noise gains nothing).
# - **Feedback inhibition** is a gain control that keeps neurons out of saturation without slowing
#   their response, and it makes the population fire in synchronous rhythms whose period grows with
#   the loop's delay and with the decay time of inhibition.
# - **Feed-forward inhibition** with bounded synapses needs lasting inhibition to close a window
#   after the onset; then the output marks *when* something happened.
# - **Lateral inhibition** enhances contrast at edges (with false edges where the layer ends),
#   decorrelates the responses to similar stimuli beyond the test-retest noise and, when global and
#   strong, picks a single winner.
