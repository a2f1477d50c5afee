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
# # The LIF neuron, hands-on
#
# This notebook goes with the chapter [The LIF neuron](../book/lif_neuron.md). We simulate the
# leaky integrate-and-fire neuron twice: as a physical RC circuit with units (ms, mV, nA), and in
# the unit-free *beta form* that snnTorch and every deep SNN uses. Along the way we check each
# simulation against its exact solution, measure how forward Euler's error depends on the step,
# draw f-I curves, compare the two resets and see what a refractory period does.
#
# Everything comes from `snnlib.neurons` (simulation and analytic formulas) and `snnlib.plot`
# (figures); the cells below only choose inputs and parameters.

# %% [markdown] tags=["colab-badge", "remove-cell"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/snn-book/snn-book/blob/main/notebooks/02_lif_neuron.ipynb)

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
import numpy as np
import torch

N = snl.neurons
P = snl.plot
torch.set_default_dtype(torch.float64)  # the comparisons with exact solutions below are to ~1e-12

# %% [markdown]
# ## The membrane as an RC circuit
#
# The physical model is $\tau \, dV/dt = -(V - E_L) + R I(t)$ with $\tau = RC$, plus a threshold
# $V_{th}$, a reset potential $V_{reset}$ and an absolute refractory period $t_{ref}$.
# `N.PhysicalLIFParams` holds these numbers with their units; its defaults describe a generic
# cortical neuron.

# %%
p = N.PhysicalLIFParams()
print(p)
print(f"C = tau / R = {p.C:g} nF, g_L = 1 / R = {p.g_L:g} uS, rheobase (V_th - E_L) / R = {p.rheobase:g} nA")
print(f"one Euler step is dt = {p.dt:g} ms; the refractory period is {p.ref_steps} steps")

# %% [markdown]
# We drive it with three inputs, each 200 ms long (2000 Euler steps of 0.1 ms): a step current, a
# short pulse, and a noisy current that fluctuates around a mean below the rheobase. `N.physical_lif_run` takes
# a time-first current `[T, ...]` in nA and returns spikes and membrane potentials of the same shape.

# %%
duration = 200.0  # ms
T = int(duration / p.dt)
t_ms = (torch.arange(T) + 1) * p.dt

step = torch.where(t_ms > 20, 2.0, 0.0)  # 2 nA from 20 ms on
pulse = torch.where((t_ms > 20) & (t_ms <= 25), 8.0, 0.0)  # 8 nA for 5 ms
gen = torch.Generator().manual_seed(1)
noise_per_ms = 1.3 + 1.5 * torch.randn(int(duration), generator=gen)  # mean below the rheobase
noisy = noise_per_ms.repeat_interleave(round(1 / p.dt))  # a new value every millisecond

fig, axes = plt.subplots(2, 3, figsize=(13, 4.2), sharex=True, gridspec_kw={"height_ratios": [1, 2.5]})
for j, (name, cur) in enumerate([("step current", step), ("5 ms pulse", pulse), ("noisy current", noisy)]):
    spk, v = N.physical_lif_run(cur, p)
    P.plot_lif_response(
        cur,
        v,
        spk,
        threshold=p.V_th,
        dt=p.dt,
        axes=axes[:, j],
        unit="mV",
        cur_unit="nA",
        title=f"{name}: {int(spk.sum())} spike(s)",
    )
plt.tight_layout()
plt.show()

# %% [markdown]
# ```{admonition} Think!
# 1. Held for long, 8 nA would drive $V$ toward $E_L + R I = +15$ mV, far above threshold; the
#    5 ms pulse is cut off long before that, yet it still crosses the threshold once. What is the
#    shortest 8 nA pulse that makes the neuron fire? (Solve the charging curve below for
#    $V(t) = V_{th}$, then try it by changing `pulse`.)
# 2. The noisy current's mean lies below the rheobase: held constant, it would never make the
#    neuron fire. Why does the noisy version fire? What would more noise (larger spread) do to the rate?
# ```

# %% [markdown]
# ## Simulation against the analytic charging curve
#
# Below threshold, under a constant current, the equation is linear and has the exact solution
# $V(t) = V_\infty + (V_0 - V_\infty)\, e^{-t/\tau}$ with $V_\infty = E_L + R I$
# (`N.charging_curve`). The threshold is moved out of reach so that we see the whole curve.

# %%
p_sub = N.PhysicalLIFParams(V_th=0.0, dt=0.5)  # no spikes: threshold out of reach; a coarse step
I0 = 1.2
T_sub = int(60 / p_sub.dt)
_, v_sim = N.physical_lif_run(torch.full((T_sub,), I0), p_sub)
t_sub = (np.arange(T_sub) + 1) * p_sub.dt
v_exact = N.charging_curve(t_sub, I0, p_sub)
ax = P.plot_charging(t_sub, v_sim, v_exact, sim_label=f"Euler, dt = {p_sub.dt} ms")
ax.axhline(p_sub.E_L + p_sub.R * I0, color="grey", ls=":", lw=1)
ax.annotate("$V_\\infty = E_L + R I$", (35, p_sub.E_L + p_sub.R * I0 - 1.2))
ax.axvline(p_sub.tau, color="grey", ls=":", lw=1)
ax.annotate("$t = \\tau$", (p_sub.tau + 1, p_sub.E_L + 1))
plt.show()
print(
    f"largest gap between Euler (dt = {p_sub.dt} ms) and the exact curve: {np.abs(v_sim.numpy() - v_exact).max():.4f} mV"
)
print(f"at t = tau the membrane has covered {1 - math.exp(-1):.1%} of the way to V_inf")

# %% [markdown]
# Euler's recursion has its own exact solution, $V[n] = V_\infty + (V_0 - V_\infty)(1 - dt/\tau)^n$
# (`N.euler_charging_curve`): the simulation follows it to rounding error. The gap above is
# therefore entirely the difference between $(1 - dt/\tau)^n$ and $e^{-n\,dt/\tau}$.

# %%
v_euler = N.euler_charging_curve(np.arange(1, T_sub + 1), I0, p_sub)
print(f"simulation vs Euler's closed form: max difference {np.abs(v_sim.numpy() - v_euler).max():.2e} mV")

# %% [markdown]
# ## How accurate is forward Euler?
#
# Forward Euler is a *first-order* method: halving $dt$ should halve the error. We measure the
# largest error over 40 ms for a range of steps and fit the slope of $\log(\text{error})$ against
# $\log(dt)$.

# %%
dts = np.array(snl.workload([1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125], [1.0, 0.5, 0.25, 0.125]))
errors = []
for dt in dts:
    q = N.PhysicalLIFParams(V_th=0.0, dt=float(dt))
    n = round(40.0 / dt)
    _, v = N.physical_lif_run(torch.full((n,), I0), q)
    errors.append(np.abs(v.numpy() - N.charging_curve((np.arange(n) + 1) * dt, I0, q)).max())
errors = np.array(errors)
slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
print(f"measured slope of log(error) vs log(dt): {slope:.3f}  (first order means 1)")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
P.plot_euler_error(dts, errors, ax=axes[0], slope=slope)
ratio = np.linspace(0.01, 1.0, 100)
axes[1].plot(ratio, np.exp(-ratio), label="exact: $\\beta = e^{-dt/\\tau}$", color="black")
axes[1].plot(ratio, 1 - ratio, "--", label="Euler: $\\beta = 1 - dt/\\tau$", color=P.EXC_COLOR)
axes[1].set_xlabel("$dt / \\tau$")
axes[1].set_ylabel("decay per step $\\beta$")
axes[1].legend(fontsize="small")
plt.tight_layout()
plt.show()
for r in (0.01, 0.1, 0.5):
    print(f"dt/tau = {r:<4}: Euler beta = {N.beta_euler(r, 1.0):.5f}, exact beta = {N.beta_exact(r, 1.0):.5f}")

# %% [markdown]
# ```{admonition} Think!
# The two $\beta$ curves agree for $dt \ll \tau$ and part ways as $dt$ approaches $\tau$. At
# $dt = \tau$, Euler's $\beta$ is 0: what does the neuron then remember of its past? Why is
# $\beta = e^{-dt/\tau}$ a better choice when a deep SNN uses a "step" of a whole millisecond?
# ```

# %% [markdown]
# ## From physics to the beta form
#
# Measure the membrane from rest ($U = V - E_L$) and write $\beta = 1 - dt/\tau$; one Euler step
# becomes $U[t+1] = \beta U[t] + (1 - \beta) R I[t+1]$. Calling the input term $I[t+1]$ (in a
# network, $W X[t+1]$) and adding the reset gives snnTorch's
# $U[t+1] = \beta U[t] + I[t+1] - S[t] U_{thr}$. The same simulation, run both ways:

# %%
beta = p.beta
cur_unitless = (1 - beta) * p.R * step  # what the beta form calls I[t+1], in mV
params_b = N.LIFParams(beta=beta, threshold=p.V_th - p.E_L, reset="zero", refractory=p.ref_steps)
spk_b, u_b = N.lif_run(cur_unitless[:, None], params_b)
spk_p, v_p = N.physical_lif_run(step, p)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.2))
P.plot_membrane(v_p - p.E_L, spk_p, p.V_th - p.E_L, dt=p.dt, ax=axes[0], unit="mV")
axes[0].set_title("physical model, time in ms (steps on top)")
P.plot_membrane(u_b[:, 0], spk_b[:, 0], params_b.threshold, ax=axes[1])
axes[1].set_title(f"beta form, beta = {beta:.3f}, time in steps")
plt.tight_layout()
plt.show()
same = torch.equal(spk_b[:, 0], spk_p)
print(f"identical spike trains: {same}; {int(spk_p.sum())} spikes; one step = {p.dt} ms")

# %% [markdown]
# The spikes coincide. The membranes differ only at the spike steps: the physical model resets
# at once (the trace never shows $V$ above threshold), the beta form keeps $U[t] > U_{thr}$ visible
# for one step and resets at the next update, using the spike $S[t]$ emitted the step before.

# %% [markdown]
# ## f-I curves: simulated against analytic
#
# Under a constant current above the rheobase the neuron fires periodically. The time from
# $V_{reset}$ to $V_{th}$ is $t^* = \tau \ln \frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}$, so
# the rate is $f = 1 / (t_{ref} + t^*)$ (`N.analytic_rate`). We simulate a whole range of currents at
# once (a current of shape `[T, M]`) and estimate each rate from the inter-spike intervals.

# %%
currents = torch.linspace(0.0, 6.0, snl.workload(61, 25))
sim_ms = snl.workload(1000.0, 300.0)
T_fi = int(sim_ms / p.dt)
spk_fi, _ = N.physical_lif_run(currents.expand(T_fi, -1).clone(), p)
rate_sim = N.isi_rate(spk_fi, dt=p.dt)
fine = np.linspace(0.0, 6.0, 400)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
P.plot_fi_curve(currents, rate_sim, None, ax=axes[0], label=f"simulation, Euler dt = {p.dt} ms")
axes[0].plot(fine, N.analytic_rate(fine, p), color="black", label="continuous $f(I)$")
axes[0].axvline(p.rheobase, color="grey", ls=":", lw=1)
axes[0].annotate("rheobase", (p.rheobase + 0.05, 5))
axes[0].legend(fontsize="small")
axes[0].set_title("physical model")
print(
    f"largest |simulated - continuous| rate: {np.abs(rate_sim.numpy() - N.analytic_rate(currents, p)).max():.2f} Hz; "
    f"|simulated - exact Euler rate|: {np.abs(rate_sim.numpy() - N.euler_rate(currents, p)).max():.2e} Hz"
)

# the beta form with reset to zero: exact closed form, in spikes per step
beta_d, thr_d = 0.9, 1.0
cur_d = torch.linspace(0.0, 1.2, snl.workload(61, 25))
T_d = snl.workload(600, 250)
spk_d, _ = N.lif_run(cur_d.expand(T_d, -1).clone(), N.LIFParams(beta_d, thr_d, "zero"))
fine_d = np.linspace(0.0, 1.2, 600)
P.plot_fi_curve(
    cur_d, N.isi_rate(spk_d), None, ax=axes[1], unit="", rate_unit="spikes per step", label="simulation (lif_run)"
)
axes[1].plot(fine_d, N.discrete_rate(fine_d, beta_d, thr_d), color="black", label="closed form $1/n^*$")
axes[1].legend(fontsize="small")
axes[1].set_title(f"beta form, beta = {beta_d}, reset to zero")
plt.tight_layout()
plt.show()

# %% [markdown]
# The discrete curve is a staircase: a neuron that needs $n^*$ steps to reach threshold fires
# at $1/n^*$ spikes per step, and $n^*$ is a whole number. Its rheobase is $I = (1-\beta) U_{thr}$,
# where the fixed point $I/(1-\beta)$ reaches the threshold.

# %% [markdown]
# ## Reset by subtraction and reset to zero
#
# Reset to zero forgets how far above threshold the membrane went; reset by subtraction keeps the
# excess. Same input, both resets:

# %%
T_r = 60
gen = torch.Generator().manual_seed(3)
x_r = (0.35 + 0.25 * torch.randn(T_r, 1, generator=gen)).clamp_min(0)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.2), sharey=True)
for ax, reset in zip(axes, ["subtract", "zero"]):
    spk_r, mem_r = N.lif_run(x_r, N.LIFParams(0.85, 1.0, reset))
    P.plot_membrane(mem_r[:, 0], spk_r[:, 0], 1.0, ax=ax)
    ax.set_title(f'reset="{reset}": {int(spk_r.sum())} spikes')
plt.tight_layout()
plt.show()

# %% [markdown]
# How the two resets shape the f-I curve of the beta form (the subtract reset has no simple
# closed form; we simulate it):

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for reset, colour in [("subtract", P.EXC_COLOR), ("zero", P.INH_COLOR)]:
    spk_x, _ = N.lif_run(cur_d.expand(T_d, -1).clone(), N.LIFParams(beta_d, thr_d, reset))
    ax.plot(cur_d, spk_x[T_d // 2 :].mean(0), "o-", ms=3, color=colour, label=f'reset="{reset}"')
ax.plot(fine_d, N.discrete_rate(fine_d, beta_d, thr_d), color="black", lw=1, label="zero: closed form")
ax.set_xlabel("input $I$ per step")
ax.set_ylabel("spikes per step")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ```{admonition} Think!
# With `reset="subtract"` the membrane keeps its excess, so you might expect it always to fire
# faster. For small inputs it is not always so: look at the update $U[t+1] = \beta U[t] + I - U_{thr}$
# right after a spike with $U[t]$ just above $U_{thr}$, and compare it with the zero reset's
# $U[t+1] = I$. Which is larger, and why does the decay $\beta$ decide it?
# ```

# %% [markdown]
# ## The refractory period caps the rate
#
# After a spike the neuron ignores its input for $t_{ref}$: no rate can exceed $1/t_{ref}$. In the
# beta form the refractory period is a whole number $K$ of steps (`refractory=K`), and the rate
# can never exceed $1/(K+1)$ spikes per step.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
big = np.linspace(0.0, 60.0, 400)
for t_ref, colour in [(0.0, "black"), (2.0, P.EXC_COLOR), (5.0, P.INH_COLOR)]:
    q = N.PhysicalLIFParams(t_ref=t_ref)
    axes[0].plot(big, N.analytic_rate(big, q), color=colour, label=f"$t_{{ref}}$ = {t_ref:g} ms")
    if t_ref > 0:
        axes[0].axhline(1000 / t_ref, color=colour, ls=":", lw=1)
axes[0].set_xlabel("input current $I$ (nA)")
axes[0].set_ylabel("rate (Hz)")
axes[0].set_ylim(0, 600)
axes[0].legend(fontsize="small")
axes[0].set_title("continuous model; dotted: $1/t_{ref}$")

Ks = list(range(8))
strong = torch.full((snl.workload(400, 120), 1), 5.0)
max_rate = [float(N.isi_rate(N.lif_run(strong, N.LIFParams(0.9, 1.0, "zero", K))[0])[0]) for K in Ks]
axes[1].plot(Ks, max_rate, "o", color=P.EXC_COLOR, label="simulated, strong input")
axes[1].plot(Ks, [1 / (K + 1) for K in Ks], "-", color="black", lw=1, label="$1/(K+1)$")
axes[1].set_xlabel("refractory period $K$ (steps)")
axes[1].set_ylabel("max rate (spikes per step)")
axes[1].legend(fontsize="small")
plt.tight_layout()
plt.show()

# %% [markdown]
# And what the refractory period does to a membrane trace: during the $K$ steps after a spike the
# input is blocked and no spike is emitted, even if the membrane is above threshold; the membrane
# still decays (and is reset once).

# %%
x_k = torch.full((40, 1), 0.6)
fig, axes = plt.subplots(1, 3, figsize=(13, 2.8), sharey=True)
for ax, K in zip(axes, [0, 2, 5]):
    spk_k, mem_k = N.lif_run(x_k, N.LIFParams(0.8, 1.0, "subtract", K))
    P.plot_membrane(mem_k[:, 0], spk_k[:, 0], 1.0, ax=ax)
    for i in torch.nonzero(spk_k[:, 0]).flatten().tolist():
        ax.axvspan(i + 1.5, i + 1.5 + K, color="grey", alpha=0.15, lw=0)
    ax.set_title(f"refractory = {K} steps: {int(spk_k.sum())} spikes")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Explorer
#
# Every parameter of this chapter in one figure. Drag a slider and the input current, the membrane
# potential $U[t]$ with its threshold, and the output spikes are recomputed at once (shaded steps are
# refractory). In Jupyter or Colab the explorer calls `snl.neurons.lif_run`; on the book's web page the
# same update, $U[t+1] = \beta U[t] + I[t+1] - S[t]\,U_{\rm thr}$ and its reset variants, runs in your
# browser as a small JavaScript model that the test suite checks against `lif_run` spike for spike, so
# the sliders work without a kernel.
#
# Things to try:
#
# - Lower the input amplitude until the neuron stops firing, and compare with the steady state
#   $I/(1-\beta)$ printed under the plot: firing starts when it exceeds the threshold.
# - Switch the reset between *subtract*, *zero* and *none* with a strong input: which one keeps the
#   "extra" charge above threshold, and which one fires on every step?
# - Raise the refractory period with a strong input: the spikes become regular, at most one every
#   $K+1$ steps.
#
# ```{admonition} Think!
# With $\beta = 1$ the neuron no longer leaks. How does the time to the first spike depend on the
# input amplitude then, and how does that differ from the leaky case, where a small enough input
# never reaches the threshold?
# ```

# %%
snl.widgets.lif_explorer()


# %% [markdown]
# ## Exercises
#
# ### Exercise 1: the LIF step by hand
#
# Write one update of the discrete LIF neuron: given the current `cur` $= I[t+1]$ and the membrane
# `mem` $= U[t]$ (tensors `[B, N]`), the decay `beta`, the `threshold` and the `reset` name, return
# the spikes $S[t+1]$ and the new membrane $U[t+1]$. The reset uses the previous step's spike,
# $R[t] = H(U[t] - U_{thr})$, with $H(x) = 1$ only if $x > 0$.
#
# The stub below calls the library so that the notebook runs; replace its body with your own
# update and run the check.

# %%
def my_lif_step(cur, mem, beta, threshold, reset):
    # TODO: replace this line by your own update (decay, input, reset; then the spike)
    spk, state = N.lif_step(cur, mem, N.LIFParams(beta, threshold, reset))
    return spk, state.mem


snl.exercises.check_lif_step(my_lif_step)


# %% [markdown]
# A reference solution (read it after trying):

# %%
def lif_step_by_hand(cur, mem, beta, threshold, reset):
    reset_signal = (mem > threshold).to(mem.dtype)  # R[t]: the previous step's spike
    if reset == "subtract":
        new_mem = beta * mem + cur - reset_signal * threshold
    elif reset == "zero":
        new_mem = beta * (1 - reset_signal) * mem + cur
    else:
        new_mem = beta * mem + cur
    return (new_mem > threshold).to(mem.dtype), new_mem


snl.exercises.check_lif_step(lif_step_by_hand)

# %% [markdown]
# ### Exercise 2: a current for 20 Hz
#
# Find the constant current (nA) at which the default physical neuron fires at 20 Hz. Invert the
# f-I curve by hand: from $f$, get $t^* = 1/f - t_{ref}$, then solve
# $V_{th} = V_\infty + (V_{reset} - V_\infty) e^{-t^*/\tau}$ for $V_\infty = E_L + R I$. (Or search
# numerically with `N.analytic_rate`.) The check simulates your current.

# %%
my_current = 2.0  # TODO: your current in nA

snl.exercises.check_current_for_rate(my_current, rate=20.0)

# %% [markdown]
# A reference solution by bisection on the analytic f-I curve:

# %%
lo, hi = p.rheobase, 20.0
for _ in range(60):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if N.analytic_rate(mid, p) < 20.0 else (lo, mid)
print(f"bisection: {lo:.5f} nA; closed-form inverse N.current_for_rate: {N.current_for_rate(20.0, p):.5f} nA")
snl.exercises.check_current_for_rate(lo, rate=20.0)


# %% [markdown]
# ### Exercise 3: beta from tau
#
# Write `my_beta(dt, tau)` returning the *exact* decay of $\tau\, dU/dt = -U$ over one step $dt$.
# (The stub returns Euler's approximation: see what the check says, then fix it.)

# %%
def my_beta(dt, tau):
    return 1 - dt / tau  # TODO: the exact decay per step


snl.exercises.check_beta(my_beta)

# %% [markdown]
# ## snnlib's `LIF` and snnTorch's `Leaky`
#
# `snl.neurons.LIF` is called like `snntorch.Leaky` and follows it exactly with the same
# defaults: same spikes, same membranes, same gradients (through the arctan surrogate).

# %%
import snntorch as snn

torch.set_default_dtype(torch.float32)
x = torch.randn(50, 8, 20, generator=torch.Generator().manual_seed(0)) * 0.6 + 0.25
for reset in ["subtract", "zero", "none"]:
    ours, theirs = N.LIF(beta=0.9, reset=reset), snn.Leaky(beta=0.9, reset_mechanism=reset)
    mem_a, mem_b = None, theirs.reset_mem()
    same_spikes, gap = True, 0.0
    for t in range(x.shape[0]):
        s_a, mem_a = ours(x[t], mem_a)
        s_b, mem_b = theirs(x[t], mem_b)
        same_spikes &= torch.equal(s_a, s_b)
        gap = max(gap, float((mem_a - mem_b).abs().max()))
    print(f"reset={reset!r:11}: identical spikes: {same_spikes}; largest membrane difference: {gap:.1e}")

# %% [markdown]
# ## Summary
#
# * The LIF neuron is an RC circuit: $\tau\, dV/dt = -(V - E_L) + R I$, with $\tau = RC$.
# * Forward Euler turns it into $U[t+1] = \beta U[t] + (1-\beta) R I[t+1]$ with $\beta = 1 - dt/\tau$;
#   its error shrinks in proportion to $dt$. The exact decay per step is $e^{-dt/\tau}$.
# * Deep SNNs use the beta form $U[t+1] = \beta U[t] + W X[t+1] - S[t] U_{thr}$; one step is
#   whatever time $dt$ you decide it is, and $\beta$ encodes $dt/\tau$.
# * The f-I curve has exact formulas, for the continuous model and for the beta form with a zero
#   reset; the refractory period caps the rate at $1/t_{ref}$ (or $1/(K+1)$ per step).
