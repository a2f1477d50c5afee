# %% [markdown]
# # The LIF neuron, hands-on
#
# This notebook goes with the chapter [The LIF neuron](../book/lif_neuron.md). We simulate the
# leaky integrate-and-fire neuron twice: as a physical RC circuit with units (ms, mV, nA), and in
# the unit-free *beta form* that snnTorch and every deep SNN uses. Along the way we check each
# simulation against its exact solution, measure how forward Euler's error depends on the step,
# draw f-I curves, compare the two resets, see what a refractory period does, and drive the
# neuron with noise. Four exercises at the end let you write the pieces yourself.
#
# Everything comes from `snnlib.neurons` (simulation and analytic formulas) and `snnlib.plot`
# (figures); the cells below only choose inputs and parameters. Cells marked as checks (hidden in
# the book) test every comparison the text makes, so the text cannot drift from the numbers.

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
claim = snl.claims.claim
torch.set_default_dtype(torch.float64)  # exact solutions are compared to ~1e-12

# %% [markdown]
# ## The membrane as an RC circuit
#
# The physical model is $\tau \, dV/dt = -(V - E_L) + R I(t)$ with $\tau = RC$, plus a threshold
# $V_{th}$, a reset potential $V_{reset}$ and an absolute refractory period $t_{ref}$.
# `N.PhysicalLIFParams` holds these numbers with their units. Its defaults are round textbook
# values, not a measured cell: $\tau$ is typical of cortical neurons, but $R$ is low for one
# (measured input resistances of cortical pyramidal cells are tens to hundreds of M$\Omega$), so
# $C$ is large and the currents are large. At a fixed $\tau$ only the product $R I$ matters.

# %%
p = N.PhysicalLIFParams()
print(f"tau = {p.tau:g} ms, R = {p.R:g} MOhm, E_L = {p.E_L:g} mV, "
      f"V_th = {p.V_th:g} mV,\nV_reset = {p.V_reset:g} mV, "
      f"t_ref = {p.t_ref:g} ms, dt = {p.dt:g} ms")
print(f"C = tau / R = {p.C:g} nF, g_L = 1 / R = {p.g_L:g} uS, "
      f"rheobase (V_th - E_L) / R = {p.rheobase:g} nA")
print(f"one Euler step is dt = {p.dt:g} ms; "
      f"the refractory period is {p.ref_steps} steps")

# %% [markdown]
# We drive it with three inputs, each 200 ms long (2000 Euler steps of 0.1 ms): a step current, a
# short pulse, and a noisy current that fluctuates around a mean below the rheobase.
# `N.physical_lif_run` takes a time-first current `[T, ...]` in nA and returns spikes and membrane
# potentials of the same shape.

# %%
duration = 200.0  # ms
T = int(duration / p.dt)
t_ms = (torch.arange(T) + 1) * p.dt

step = torch.where(t_ms > 20, 2.0, 0.0)  # 2 nA from 20 ms on
pulse = torch.where((t_ms > 20) & (t_ms <= 25), 8.0, 0.0)  # 8 nA for 5 ms
gen = torch.Generator().manual_seed(1)
noise_per_ms = 1.3 + 1.5 * torch.randn(int(duration), generator=gen)
noisy = noise_per_ms.repeat_interleave(round(1 / p.dt))  # new value every ms

inputs = [("step", step), ("5 ms pulse", pulse), ("noisy", noisy)]
fig, axes = plt.subplots(2, 3, figsize=(6.9, 3.6), sharex=True,
                         gridspec_kw={"height_ratios": [1, 2.2]})
for j, (name, cur) in enumerate(inputs):
    spk, v = N.physical_lif_run(cur, p)
    P.plot_lif_response(cur, v, spk, threshold=p.V_th, dt=p.dt,
                        axes=axes[:, j], unit="mV", cur_unit="nA",
                        title=f"{name}: {int(spk.sum())} spike(s)")
    axes[1, j].set_xlabel("time (ms)")
    axes[0, j].title.set_fontsize("medium")
    if j:
        axes[0, j].set_ylabel("")
        axes[1, j].set_ylabel("")
plt.tight_layout()
plt.show()

# %% [markdown]
# **Think!**
# 1. Held for long, 8 nA would drive $V$ toward $E_L + R I = +15$ mV, far above threshold; the
#    5 ms pulse is cut off long before that, yet it still crosses the threshold once. What is the
#    shortest 8 nA pulse that makes the neuron fire? (Solve the charging curve below for
#    $V(t) = V_{th}$, then try it by changing `pulse`.)
# 2. The noisy current's mean lies below the rheobase: held constant, it would never make the
#    neuron fire. Why does the noisy version fire? What would more noise (larger spread) do to the
#    rate?
#
# <details><summary>Answer</summary>
#
# 1. From rest, $V(t) = E_L + R I (1 - e^{-t/\tau})$ reaches $V_{th}$ at
#    $t = \tau \ln\frac{R I}{R I - (V_{th} - E_L)}$, a small fraction of $\tau$ for $R I$ = 80 mV
#    against a 15 mV climb: `N.time_to_threshold(8.0, p, v0=p.E_L)` gives it in ms. Any pulse
#    longer than that (by a step) fires once; a shorter one leaves the membrane to decay back.
# 2. The membrane follows the current's fluctuations: whenever the current stays well above its
#    mean for a few milliseconds, $V$ climbs above the level a constant current would hold and can
#    reach the threshold. More spread means more such excursions, hence a higher rate: below the
#    rheobase the rate grows with the noise (the section *Noise-driven firing* below measures it).
# </details>

# %% [markdown]
# ## Simulation against the analytic charging curve
#
# Below threshold, under a constant current, the equation is linear and has the exact solution
# $V(t) = V_\infty + (V_0 - V_\infty)\, e^{-t/\tau}$ with $V_\infty = E_L + R I$
# (`N.charging_curve`). The threshold is moved out of reach so that we see the whole curve.

# %%
p_sub = N.PhysicalLIFParams(V_th=0.0, dt=0.5)  # threshold out of reach; coarse
I0 = 1.2
T_sub = int(60 / p_sub.dt)
_, v_sim = N.physical_lif_run(torch.full((T_sub,), I0), p_sub)
t_sub = (np.arange(T_sub) + 1) * p_sub.dt
v_exact = N.charging_curve(t_sub, I0, p_sub)
fig, ax = plt.subplots(figsize=(6.0, 3.0))
P.plot_charging(t_sub, v_sim, v_exact, ax=ax,
                sim_label=f"Euler, dt = {p_sub.dt} ms")
v_inf = p_sub.E_L + p_sub.R * I0
ax.axhline(v_inf, color="grey", ls=":", lw=1)
ax.annotate("$V_\\infty = E_L + R I$", (35, v_inf - 1.2))
ax.axvline(p_sub.tau, color="grey", ls=":", lw=1)
ax.annotate("$t = \\tau$", (p_sub.tau + 1, p_sub.E_L + 1))
plt.show()
gap = np.abs(v_sim.numpy() - v_exact).max()
print(f"largest gap, Euler (dt = {p_sub.dt} ms) vs exact: {gap:.4f} mV")
print(f"at t = tau the membrane has covered {1 - math.exp(-1):.1%} "
      "of the way to V_inf")

# %% [markdown]
# Euler's recursion has its own exact solution, $V[n] = V_\infty + (V_0 - V_\infty)(1 - dt/\tau)^n$
# (`N.euler_charging_curve`): the simulation follows it to rounding error. The gap above is
# therefore entirely the difference between $(1 - dt/\tau)^n$ and $e^{-n\,dt/\tau}$.

# %%
v_euler = N.euler_charging_curve(np.arange(1, T_sub + 1), I0, p_sub)
euler_gap = np.abs(v_sim.numpy() - v_euler).max()
print(f"simulation vs Euler's closed form: max difference {euler_gap:.2e} mV")

# %% tags=["remove-cell"]
claim(euler_gap < 1e-9 < 0.01 < gap,
      "the simulation follows Euler's closed form, not the exact curve")

# %% [markdown]
# ## How accurate is forward Euler?
#
# Forward Euler is a *first-order* method: halving $dt$ should halve the error. We measure the
# largest error over 40 ms for a range of steps and fit the slope of $\log(\text{error})$ against
# $\log(dt)$.

# %%
dts = np.array(snl.workload([1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125],
                            [1.0, 0.5, 0.25, 0.125]))
errors = []
for dt in dts:
    q = N.PhysicalLIFParams(V_th=0.0, dt=float(dt))
    n = round(40.0 / dt)
    _, v = N.physical_lif_run(torch.full((n,), I0), q)
    exact = N.charging_curve((np.arange(n) + 1) * dt, I0, q)
    errors.append(np.abs(v.numpy() - exact).max())
errors = np.array(errors)
slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
print(f"measured slope of log(error) vs log(dt): {slope:.3f} "
      "(first order means 1)")

fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.9))
P.plot_euler_error(dts, errors, ax=axes[0], slope=slope)
ratio = np.linspace(0.01, 1.0, 100)
axes[1].plot(ratio, np.exp(-ratio), label="exact: $e^{-dt/\\tau}$",
             color="black")
axes[1].plot(ratio, 1 - ratio, "--", label="Euler: $1 - dt/\\tau$",
             color=P.EXC_COLOR)
axes[1].set_xlabel("$dt / \\tau$")
axes[1].set_ylabel("decay per step $\\beta$")
axes[1].legend(fontsize="small")
plt.tight_layout()
plt.show()
for r in (0.01, 0.1, 0.5):
    print(f"dt/tau = {r:<4}: Euler beta = {N.beta_euler(r, 1.0):.5f}, "
          f"exact beta = {N.beta_exact(r, 1.0):.5f}")

# %% tags=["remove-cell"]
claim(0.9 < slope < 1.1, "forward Euler is first order")

# %% [markdown]
# **Think!** The two $\beta$ curves agree for $dt \ll \tau$ and part ways as $dt$ approaches
# $\tau$. At $dt = \tau$, Euler's $\beta$ is 0: what does the neuron then remember of its past?
# Why is $\beta = e^{-dt/\tau}$ a better choice when a deep SNN uses a "step" of a whole
# millisecond?
#
# <details><summary>Answer</summary>
#
# With $\beta = 0$ the update is $U[t+1] = R I[t+1]$: the membrane is just the latest input, with no
# memory at all, whereas the true membrane keeps $e^{-1}$ (37%) of its value over one time constant.
# For $dt > \tau$ Euler's $\beta$ would even be negative and the membrane would oscillate. The exact
# $\beta = e^{-dt/\tau}$ is always in $(0, 1)$, and with the input weighted by $(1 - \beta) R$ it is the
# exact solution for an input held constant over the step, whatever $dt$: a coarse step costs
# nothing in accuracy (the check below runs it at $dt = 2\tau$).
# </details>

# %%
dt_ex = 2 * p.tau  # a step of two time constants
b_ex = N.beta_exact(dt_ex, p.tau)
cur_ex = torch.full((10, 1), (1 - b_ex) * p.R * I0)  # (1 - beta) R I
_, u_ex = N.lif_run(cur_ex, N.LIFParams(b_ex, 1e9, "none"))
exact_ex = N.charging_curve(np.arange(1, 11) * dt_ex, I0, p)
exact_gap = np.abs(u_ex[:, 0].numpy() + p.E_L - exact_ex).max()
print(f"exact beta at dt = 2 tau: largest error {exact_gap:.1e} mV")

# %% tags=["remove-cell"]
claim(exact_gap < 1e-9, "the exact beta has no error for a held input")

# %% [markdown]
# ## From physics to the beta form
#
# Measure the membrane from rest ($U = V - E_L$) and write $\beta = 1 - dt/\tau$; one Euler step
# becomes $U[t+1] = \beta U[t] + (1 - \beta) R I[t+1]$. (Strictly, forward Euler would use the
# input at the start of the step, $I[t]$; using the sample $I[t+1]$ treats the input implicitly.
# For an input held constant over each step, as here, $I[t+1]$ is just the value held during the
# step and the two are the same.) Calling the input term $I[t+1]$ (in a network, $W X[t+1]$) and
# adding the reset gives snnTorch's $U[t+1] = \beta U[t] + I[t+1] - S[t] U_{thr}$. The same
# simulation, run both ways:

# %%
beta = p.beta
cur_unitless = (1 - beta) * p.R * step  # what the beta form calls I[t+1], mV
params_b = N.LIFParams(beta=beta, threshold=p.V_th - p.E_L, reset="zero",
                       refractory=p.ref_steps)
spk_b, u_b = N.lif_run(cur_unitless[:, None], params_b)
spk_p, v_p = N.physical_lif_run(step, p)

fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.7))
P.plot_membrane(v_p - p.E_L, spk_p, p.V_th - p.E_L, dt=p.dt, ax=axes[0],
                steps_on_top=False)
axes[0].set_ylabel("$V - E_L$ (mV)")
axes[0].set_xlabel("time (ms)")
axes[0].set_title("physical model", fontsize="medium")
P.plot_membrane(u_b[:, 0], spk_b[:, 0], params_b.threshold, ax=axes[1])
axes[1].set_xlabel("time step $t$")
axes[1].set_ylabel("$U$ (units of $V - E_L$, mV)")
axes[1].set_title(f"beta form, beta = {beta:.3f}", fontsize="medium")
plt.tight_layout()
plt.show()
same = torch.equal(spk_b[:, 0], spk_p)
print(f"identical spike trains: {same}; {int(spk_p.sum())} spikes; "
      f"one step = {p.dt} ms")

# %% tags=["remove-cell"]
differ = (u_b[:, 0] - (v_p - p.E_L)).abs() > 1e-9
claim(same, "the physical model and the beta form spike together")
claim(bool((differ <= (spk_p > 0)).all()),
      "the membranes differ only at the spike steps")

# %% [markdown]
# The spikes coincide. The membranes differ only at the spike steps: the physical model resets
# at once (the trace never shows $V$ above threshold), the beta form keeps $U[t] > U_{thr}$ visible
# for one step and resets at the next update, using the spike $S[t]$ emitted the step before.

# %% [markdown]
# ## f-I curves: simulated against analytic
#
# Under a constant current above the rheobase the neuron fires periodically. The time from
# $V_{reset}$ to $V_{th}$ is $t^* = \tau \ln \frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}$, so
# the rate is $f = 1 / (t_{ref} + t^*)$ (`N.analytic_rate`). At the rheobase itself, and below,
# the rate is 0: there $V_\infty \le V_{th}$ and the membrane never crosses the threshold. We
# simulate a whole range of currents at once (a current of shape `[T, M]`) and estimate each rate
# from the inter-spike intervals.

# %%
currents = torch.linspace(0.0, 6.0, snl.workload(61, 25))
sim_ms = snl.workload(1000.0, 300.0)
T_fi = int(sim_ms / p.dt)
spk_fi, _ = N.physical_lif_run(currents.expand(T_fi, -1).clone(), p)
rate_sim = N.isi_rate(spk_fi, dt=p.dt)
fine = np.linspace(0.0, 6.0, 400)

fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.9))
P.plot_fi_curve(currents, rate_sim, None, ax=axes[0],
                label=f"simulated, dt = {p.dt} ms")
axes[0].plot(fine, N.analytic_rate(fine, p), color="black",
             label="continuous $f(I)$")
axes[0].axvline(p.rheobase, color="grey", ls=":", lw=1)
axes[0].legend(fontsize="small")
axes[0].set_title("physical model", fontsize="medium")
gap_cont = np.abs(rate_sim.numpy() - N.analytic_rate(currents, p)).max()
gap_euler = np.abs(rate_sim.numpy() - N.euler_rate(currents, p)).max()
print(f"largest |simulated - continuous| rate: {gap_cont:.2f} Hz")
print(f"largest |simulated - exact Euler rate|: {gap_euler:.2e} Hz")

# the beta form with reset to zero: exact closed form, in spikes per step
beta_d, thr_d = 0.9, 1.0
cur_d = torch.linspace(0.0, 1.2, snl.workload(61, 25))
T_d = snl.workload(600, 250)
spk_d, _ = N.lif_run(cur_d.expand(T_d, -1).clone(),
                     N.LIFParams(beta_d, thr_d, "zero"))
fine_d = np.linspace(0.0, 1.2, 600)
P.plot_fi_curve(cur_d, N.isi_rate(spk_d), None, ax=axes[1], unit="",
                rate_unit="spikes per step", label="simulated")
axes[1].plot(fine_d, N.discrete_rate(fine_d, beta_d, thr_d), color="black",
             label="closed form $1/n^*$")
axes[1].set_xlabel("input $I$ per step")
axes[1].legend(fontsize="small")
axes[1].set_title(f"beta form, beta = {beta_d}, reset to zero",
                  fontsize="medium")
plt.tight_layout()
plt.show()

# %% tags=["remove-cell"]
claim(gap_euler < 1e-6, "the simulation fires at the exact Euler rate")
claim(N.analytic_rate(p.rheobase, p) == 0.0, "no firing at the rheobase")

# %% [markdown]
# The discrete curve is a staircase: a neuron that needs $n^*$ steps to reach threshold fires
# at $1/n^*$ spikes per step, and $n^*$ is a whole number. Its rheobase is $I = (1-\beta) U_{thr}$,
# where the fixed point $I/(1-\beta)$ reaches the threshold; it fires for every input above it.

# %% [markdown]
# ## Reset by subtraction and reset to zero
#
# Reset to zero forgets how far above threshold the membrane went; reset by subtraction keeps the
# excess. Same input, both resets:

# %%
T_r = 60
gen = torch.Generator().manual_seed(3)
x_r = (0.35 + 0.25 * torch.randn(T_r, 1, generator=gen)).clamp_min(0)
fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.6), sharey=True)
n_spikes = {}
for ax, reset in zip(axes, ["subtract", "zero"]):
    spk_r, mem_r = N.lif_run(x_r, N.LIFParams(0.85, 1.0, reset))
    n_spikes[reset] = int(spk_r.sum())
    P.plot_membrane(mem_r[:, 0], spk_r[:, 0], 1.0, ax=ax)
    ax.set_xlabel("time step $t$")
    ax.set_title(f'reset="{reset}": {n_spikes[reset]} spikes',
                 fontsize="medium")
axes[1].set_ylabel("")
plt.tight_layout()
plt.show()

# %% [markdown]
# Keeping the excess does not mean firing more. Below, the long-run rates under constant inputs
# (the subtract reset has no simple closed form; we simulate it), with the non-leaky neuron,
# $\beta = 1$, for comparison:

# %%
def long_run_rate(cur, beta, reset, steps=T_d):
    """Spikes per step of lif_run under constant inputs cur [M]."""
    spk, _ = N.lif_run(cur.expand(steps, -1).clone(),
                       N.LIFParams(beta, thr_d, reset))
    return N.isi_rate(spk).numpy()


rate_sub = long_run_rate(cur_d, beta_d, "subtract")
rate_zero = long_run_rate(cur_d, beta_d, "zero")
rate_if = long_run_rate(cur_d, 1.0, "subtract")
fig, ax = plt.subplots(figsize=(6.0, 3.0))
ax.plot(cur_d, rate_sub, "o-", ms=3, color=P.EXC_COLOR,
        label=f'"subtract", beta = {beta_d}')
ax.plot(cur_d, rate_zero, "o-", ms=3, color=P.INH_COLOR,
        label=f'"zero", beta = {beta_d}')
ax.plot(cur_d, rate_if, ":", color="black", label='"subtract", beta = 1')
ax.set_xlabel("input $I$ per step")
ax.set_ylabel("spikes per step")
ax.legend(fontsize="small")
plt.tight_layout()
plt.show()
less = (rate_sub < rate_zero - 1e-9) & (rate_zero > 0)
print(f"subtract fires less than zero at {int(less.sum())} of "
      f"{len(cur_d)} inputs;\nin the trace above: "
      f"{n_spikes['subtract']} vs {n_spikes['zero']} spikes")
i55 = torch.tensor([0.55])
print("at I = 0.55: subtract "
      f"{long_run_rate(i55, beta_d, 'subtract', 6000)[0]:.3f}, zero "
      f"{long_run_rate(i55, beta_d, 'zero', 6000)[0]:.3f} spikes per step")

# %% tags=["remove-cell"]
claim(less.sum() >= 2 and n_spikes["subtract"] < n_spikes["zero"],
      "with a leak, subtraction can fire less than zero")
claim(np.abs(rate_if - cur_d.clamp(max=1).numpy()).max() < 1e-2,
      "without a leak, subtraction's rate is I / U_thr")

# %% [markdown]
# **Think!** With `reset="subtract"` the membrane keeps its excess, so you might expect it always
# to fire faster. It does not: look at the update $U[t+1] = \beta U[t] + I - U_{thr}$ right after a
# spike with $U[t]$ just above $U_{thr}$, and compare it with the zero reset's $U[t+1] = I$. Which
# is larger, and why does the decay $\beta$ decide it? Why is the non-leaky neuron ($\beta = 1$)
# the one for which "no input is wasted"?
#
# <details><summary>Answer</summary>
#
# Subtraction leaves $\beta U[t] + I - U_{thr}$, the zero reset $I$; subtraction is lower whenever
# $\beta U[t] < U_{thr}$, i.e. whenever the overshoot was smaller than $U_{thr}(1/\beta - 1)$. The
# reset is applied one step late, after the decay: $\beta U[t] - U_{thr} = \beta (U[t] - U_{thr}) -
# (1 - \beta) U_{thr}$, an extra $(1-\beta) U_{thr}$ removed per spike compared with subtracting at
# once. Under weak and moderate inputs the overshoot is small, so subtraction fires *less* than the
# zero reset (the printout above counts the inputs, e.g. $I = 0.55$); under strong inputs it
# fires more. With $\beta = 1$ the extra term is zero and nothing leaks: every unit of input ends up
# in the spike count, and the rate is $I/U_{thr}$ (the dotted line).
# </details>

# %% [markdown]
# ## The refractory period caps the rate
#
# After a spike the neuron ignores its input for $t_{ref}$: no rate can exceed $1/t_{ref}$. In the
# beta form the refractory period is a whole number $K$ of steps (`refractory=K`), and the rate
# can never exceed $1/(K+1)$ spikes per step.

# %%
fig, axes = plt.subplots(1, 2, figsize=(6.9, 2.9))
big = np.linspace(0.0, 60.0, 400)
for t_ref, colour in [(0.0, "black"), (2.0, P.EXC_COLOR), (5.0, P.INH_COLOR)]:
    q = N.PhysicalLIFParams(t_ref=t_ref)
    axes[0].plot(big, N.analytic_rate(big, q), color=colour,
                 label=f"$t_{{ref}}$ = {t_ref:g} ms")
    if t_ref > 0:
        axes[0].axhline(1000 / t_ref, color=colour, ls=":", lw=1)
axes[0].set_xlabel("input current $I$ (nA)")
axes[0].set_ylabel("rate (Hz)")
axes[0].set_ylim(0, 600)
axes[0].legend(fontsize="small")
axes[0].set_title("dotted: $1/t_{ref}$", fontsize="medium")

Ks = list(range(8))
strong = torch.full((snl.workload(400, 120), 1), 5.0)
max_rate = []
for K in Ks:
    spk_K, _ = N.lif_run(strong, N.LIFParams(0.9, 1.0, "zero", K))
    max_rate.append(float(N.isi_rate(spk_K)[0]))
axes[1].plot(Ks, max_rate, "o", color=P.EXC_COLOR, label="simulated")
axes[1].plot(Ks, [1 / (K + 1) for K in Ks], "-", color="black", lw=1,
             label="$1/(K+1)$")
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
fig, axes = plt.subplots(1, 3, figsize=(6.9, 2.4), sharey=True)
for ax, K in zip(axes, [0, 2, 5]):
    spk_k, mem_k = N.lif_run(x_k, N.LIFParams(0.8, 1.0, "subtract", K))
    P.plot_membrane(mem_k[:, 0], spk_k[:, 0], 1.0, ax=ax)
    for i in torch.nonzero(spk_k[:, 0]).flatten().tolist():
        ax.axvspan(i + 1.5, i + 1.5 + K, color="grey", alpha=0.15, lw=0)
    ax.set_xlabel("time step $t$")
    ax.set_title(f"K = {K}: {int(spk_k.sum())} spikes", fontsize="medium")
    if K:
        ax.set_ylabel("")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Noise-driven firing
#
# A neuron in cortex receives thousands of synaptic inputs: summed, a mean current plus fast
# fluctuations. Their simplest model is white noise (the *diffusion approximation*):
# $\tau\, dV/dt = -(V - E_L) + R I_0 + \sigma_V \sqrt{2\tau}\, \xi(t)$, where, without a threshold,
# $V$ would fluctuate around $E_L + R I_0$ with standard deviation $\sigma_V$.
# `N.noisy_current(I_0, sigma_v, num_steps, p)` makes such a current, time first, for
# `N.physical_lif_run`. Ten trials each, below and above the rheobase, with the same noise:

# %%
sigma_v, trials = 4.0, 10
T_n = int(snl.workload(500.0, 300.0) / p.dt)
gen = torch.Generator().manual_seed(1)
fig, axes = plt.subplots(2, 2, figsize=(6.9, 3.8), sharex=True, sharey="row",
                         gridspec_kw={"height_ratios": [1.4, 1]})
for j, i0 in enumerate([1.0, 3.0]):
    cur_n = N.noisy_current(torch.full((trials,), i0), sigma_v, T_n, p, gen)
    spk_n, v_n = N.physical_lif_run(cur_n, p)  # [T, trials]
    P.plot_membrane(v_n[:, 0], spk_n[:, 0], p.V_th, dt=p.dt, ax=axes[0, j],
                    unit="mV", steps_on_top=False)
    axes[0, j].set_xlabel("")
    axes[0, j].set_title(f"$I_0$ = {i0:g} nA ({int(spk_n.sum())} spikes)",
                         fontsize="medium")
    P.plot_trial_raster(spk_n, dt=p.dt, ax=axes[1, j])
    if j:
        axes[0, j].set_ylabel("")
        axes[1, j].set_ylabel("")
plt.tight_layout()
plt.show()

# %% [markdown]
# Two measures make the difference quantitative: the **rate** against the mean current (the f-I
# curve under noise) and the **coefficient of variation** of the inter-spike intervals,
# $\mathrm{CV} = \mathrm{std}(\mathrm{ISI}) / \mathrm{mean}(\mathrm{ISI})$ (`N.isi_cv`), 0 for a clock
# and 1 for a Poisson process. The lines are the Siegert formula for the mean rate of this model
# (`N.siegert_rate`, see the chapter); `discrete=True` corrects it for the crossings an Euler
# simulation misses between steps.

# %%
sigmas = np.array([0.0, 1.0, 2.0, 4.0])
i_grid = np.linspace(0.0, 4.0, snl.workload(17, 9))
T_fn = int(snl.workload(4000.0, 1500.0) / p.dt)
gen = torch.Generator().manual_seed(0)
spk_fn, _ = N.physical_lif_run(
    N.noisy_current(i_grid, sigmas[:, None], T_fn, p, gen), p)  # [T, S, M]
rate_fn = snl.spikes.firing_rate(spk_fn, dt=p.dt / 1000).numpy()  # Hz
cv_fn = N.isi_cv(spk_fn).numpy()
cv_fn[spk_fn.sum(0).numpy() < 11] = np.nan  # keep runs with >= 10 intervals
fine_n = np.linspace(0.0, 4.0, 121)
axes = P.plot_noisy_fi(
    i_grid, rate_fn[1:], cv_fn[1:], sigmas[1:],
    theory=(fine_n, N.siegert_rate(fine_n, sigmas[1:, None], p,
                                   discrete=True)),
    deterministic=(fine_n, N.analytic_rate(fine_n, p)),
)
for ax in axes:
    ax.axvline(p.rheobase, color="grey", ls=":", lw=1)
plt.tight_layout()
plt.show()
theory_fn = N.siegert_rate(i_grid, sigmas[:, None], p, discrete=True)
ok = theory_fn > 10
dev = np.median(np.abs(rate_fn - theory_fn)[ok] / theory_fn[ok])
print(f"simulated vs Siegert (discrete): median deviation {dev:.1%}\n"
      "(over the points above 10 Hz)")
sub = i_grid < p.rheobase
print("rates below the rheobase, at I_0 =", np.round(i_grid[sub], 2), "nA:")
for s, r in zip(sigmas, rate_fn):
    print(f"  sigma_V = {s:g} mV:", np.round(r[sub], 1), "Hz")

# %% tags=["remove-cell"]
k_sub = np.flatnonzero(sub)[-1]  # the strongest current below the rheobase
claim(rate_fn[0, k_sub] == 0 and rate_fn[-1, k_sub] > 0,
      "noise makes the neuron fire below the rheobase")
claim(dev < 0.05, "the simulation follows the Siegert formula")
claim(np.nanmax(cv_fn[0]) < 1e-12 and np.nanmax(cv_fn[-1]) > 0.5,
      "no noise: CV 0; strong noise at low rates: CV well above 0.5")
claim(all(c[-1] < np.nanmax(c) for c in cv_fn[1:]),
      "the CV falls as the mean drive grows")

# %% [markdown]
# **Think!** Below the rheobase the CV is high and the rate small; far above it the CV is small
# and noise hardly changes the rate. Explain both from the picture of a membrane climbing to its
# threshold. Cortical neurons in vivo often fire irregularly, with CVs near 1: what does that
# suggest about their input?
#
# <details><summary>Answer</summary>
#
# Below the rheobase the mean drive alone never reaches the threshold; each spike waits for a rare,
# large enough fluctuation, and such waits are nearly memoryless, so the intervals are close to
# exponential (CV near 1, as for a Poisson process). Far above it the membrane climbs to threshold
# deterministically in a time set by the mean current; the noise only jitters that climb a little,
# so the intervals are nearly equal (CV small) and their mean, the rate, barely moves. An irregular
# neuron is therefore more likely driven by fluctuations around a mean near or below its threshold
# (for instance balanced excitation and inhibition) than by a strong mean input.
# </details>

# %% [markdown]
# ## Explorer
#
# Every parameter of this chapter in one figure. Drag a slider and the input current, the membrane
# potential $U[t]$ with its threshold, and the output spikes are recomputed at once (shaded steps
# are refractory). In Jupyter or Colab the explorer calls `snl.neurons.lif_run`; on the book's web
# page the same update, $U[t+1] = \beta U[t] + I[t+1] - S[t]\,U_{\rm thr}$ and its reset variants,
# runs in your browser as a small JavaScript model that the test suite checks against `lif_run`
# spike for spike, so the sliders work without a kernel.
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
# **Think!** With $\beta = 1$ the neuron no longer leaks. How does the time to the first spike
# depend on the input amplitude then, and how does that differ from the leaky case, where a small
# enough input never reaches the threshold?
#
# <details><summary>Answer</summary>
#
# Without a leak the membrane is the running sum of the input, $U[n] = n I$, so every positive
# input fires, first at $n^* = \lfloor U_{thr}/I \rfloor + 1$: the latency is inversely proportional
# to the amplitude and there is no rheobase. With a leak the membrane saturates at $I/(1-\beta)$; an
# input at or below $(1-\beta) U_{thr}$ never fires, and just above it the latency grows without
# bound (it is $\ln(1 - U_{thr}(1-\beta)/I) / \ln\beta$, which diverges at the rheobase).
# </details>

# %%
snl.widgets.lif_explorer()

# %% [markdown]
# ## Exercises
#
# Each exercise has a stub for you to complete, a check that tells you what is wrong, hints
# (`snl.exercises.hint("name", 1)`, then `2` for a stronger one) and, right after it, a reference
# solution (collapsed in the book; read it after trying). The rest of the notebook uses the
# reference solutions, so it runs even if you skip an exercise.
#
# ### Exercise 1: the LIF step by hand
#
# Write one update of the discrete LIF neuron: given the current `cur` $= I[t+1]$ and the membrane
# `mem` $= U[t]$ (tensors `[B, N]`), the decay `beta`, the `threshold` and the `reset` name
# (`"subtract"`, `"zero"` or `"none"`), return the spikes $S[t+1]$ and the new membrane $U[t+1]$.
# The reset uses the previous step's spike, $R[t] = H(U[t] - U_{thr})$, with $H(x) = 1$ only if
# $x > 0$. Hints: `snl.exercises.hint("lif_step", 1)`.

# %%
def my_lif_step(cur, mem, beta, threshold, reset):
    # TODO: the reset signal R[t], the new membrane U[t+1], the spike S[t+1]
    raise NotImplementedError("Exercise 1: write the LIF step")


snl.exercises.check_lif_step(my_lif_step)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution (read it after trying)
def lif_step_solution(cur, mem, beta, threshold, reset):
    reset_signal = (mem > threshold).to(mem.dtype)  # R[t]: the previous spike
    if reset == "subtract":
        new_mem = beta * mem + cur - reset_signal * threshold
    elif reset == "zero":
        new_mem = beta * (1 - reset_signal) * mem + cur
    else:
        new_mem = beta * mem + cur
    return (new_mem > threshold).to(mem.dtype), new_mem


snl.exercises.check_lif_step(lif_step_solution, label="reference solution")

# %% [markdown]
# ### Exercise 2: a current for 20 Hz
#
# Find the constant current (nA) at which the default physical neuron fires at 20 Hz. Invert the
# f-I curve by hand: from $f$, get $t^* = 1/f - t_{ref}$, then solve
# $V_{th} = V_\infty + (V_{reset} - V_\infty) e^{-t^*/\tau}$ for $V_\infty = E_L + R I$. (Or search
# numerically with `N.analytic_rate`.) The check accepts a current whose rate is within
# **0.5 Hz** of 20 Hz, on the analytic f-I curve or in the Euler simulation. Just above the
# rheobase the f-I curve is very steep, so that is a narrow window of currents (the check says how
# narrow): compute the current, keep at least three decimals, do not read it off a plot. Hints:
# `snl.exercises.hint("current_for_rate", 1)`.

# %%
my_current = ...  # TODO: your current in nA

snl.exercises.check_current_for_rate(my_current, rate=20.0)

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution: the closed-form inverse, and a bisection to confirm it
t_star = 1000.0 / 20.0 - p.t_ref  # ms from reset to threshold
q = math.exp(-t_star / p.tau)
current_solution = ((p.V_th - q * p.V_reset) / (1 - q) - p.E_L) / p.R
lo, hi = p.rheobase, 20.0
for _ in range(60):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if N.analytic_rate(mid, p) < 20.0 else (lo, mid)
print(f"closed form: {current_solution:.5f} nA; bisection: {lo:.5f} nA")
snl.exercises.check_current_for_rate(current_solution, rate=20.0,
                                     label="reference solution")


# %% [markdown]
# ### Exercise 3: beta from tau
#
# Write `my_beta(dt, tau)` returning the *exact* decay of $\tau\, dU/dt = -U$ over one step $dt$
# (a number; any float type will do). Hints: `snl.exercises.hint("beta", 1)`.

# %%
def my_beta(dt, tau):
    # TODO: the exact fraction of U kept over one step of length dt
    raise NotImplementedError("Exercise 3: write beta(dt, tau)")


snl.exercises.check_beta(my_beta)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution
def beta_solution(dt, tau):
    return math.exp(-dt / tau)  # U(t) = U(0) exp(-t / tau)


print(f"Euler's 1 - dt/tau at dt = 1 ms, tau = 10 ms: {1 - 1 / 10:.5f}; "
      f"exact: {beta_solution(1.0, 10.0):.5f}")
snl.exercises.check_beta(beta_solution, label="reference solution")


# %% [markdown]
# ### Exercise 4: the irregularity of a spike train
#
# Write `my_isi_cv(spk)`: for a spike record `spk` of shape `[T, N]` (0. or 1., time first),
# return the coefficient of variation of each neuron's inter-spike intervals,
# $\mathrm{CV} = \mathrm{std}(\mathrm{ISI}) / \mathrm{mean}(\mathrm{ISI})$, a tensor of shape `[N]`. (Either
# standard deviation, NumPy's or `torch.std`'s, is accepted; every neuron in the check has several
# spikes.) Hints: `snl.exercises.hint("isi_cv", 1)`.

# %%
def my_isi_cv(spk):
    # TODO: for each column, the intervals between spike steps, then std / mean
    raise NotImplementedError("Exercise 4: write the CV of the intervals")


snl.exercises.check_isi_cv(my_isi_cv)


# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Reference solution
def isi_cv_solution(spk):
    cvs = []
    for j in range(spk.shape[1]):
        times = torch.nonzero(spk[:, j]).flatten().double()
        isi = torch.diff(times)  # the intervals, in steps
        cvs.append(isi.std(correction=0) / isi.mean())
    return torch.stack(cvs)


snl.exercises.check_isi_cv(isi_cv_solution, label="reference solution")

# %% [markdown]
# Applied to the noisy runs above (the strongest noise, where every current fired at least 11
# times), it agrees with the library's `N.isi_cv`:

# %%
strong_noise = spk_fn[:, -1]  # [T, M], sigma_V = 4 mV
busy = strong_noise.sum(0) >= 11
mine = isi_cv_solution(strong_noise[:, busy])
gap_cv = float((mine - N.isi_cv(strong_noise[:, busy])).abs().max())
print("CV per current:", np.round(mine.numpy(), 2))
print(f"largest difference from N.isi_cv: {gap_cv:.1e}")

# %% [markdown]
# ## snnlib's `LIF` and snnTorch's `Leaky`
#
# `snl.neurons.LIF` is called like `snntorch.Leaky` and follows it exactly with the same
# defaults: same spikes, same membranes, same gradients (through the arctan surrogate).

# %%
import snntorch as snn

torch.set_default_dtype(torch.float32)
gen = torch.Generator().manual_seed(0)
x = torch.randn(50, 8, 20, generator=gen) * 0.6 + 0.25
for reset in ["subtract", "zero", "none"]:
    ours = N.LIF(beta=0.9, reset=reset)
    theirs = snn.Leaky(beta=0.9, reset_mechanism=reset)
    mem_a, mem_b = None, theirs.reset_mem()
    same_spikes, gap = True, 0.0
    for t in range(x.shape[0]):
        s_a, mem_a = ours(x[t], mem_a)
        s_b, mem_b = theirs(x[t], mem_b)
        same_spikes &= torch.equal(s_a, s_b)
        gap = max(gap, float((mem_a - mem_b).abs().max()))
    print(f"reset={reset!r:11}: identical spikes: {same_spikes}; "
          f"largest membrane difference: {gap:.1e}")

# %% [markdown]
# ## Summary
#
# * The LIF neuron is an RC circuit: $\tau\, dV/dt = -(V - E_L) + R I$, with $\tau = RC$. It fires
#   for every constant current above the rheobase, never at it.
# * One step gives $U[t+1] = \beta U[t] + (1-\beta) R I[t+1]$: with Euler's $\beta = 1 - dt/\tau$
#   the error shrinks in proportion to $dt$; with $\beta = e^{-dt/\tau}$ the step is exact for an
#   input held constant over it.
# * Deep SNNs use the beta form $U[t+1] = \beta U[t] + W X[t+1] - S[t] U_{thr}$; one step is
#   whatever time $dt$ you decide it is, and $\beta$ encodes $dt/\tau$.
# * The f-I curve has exact formulas, for the continuous model and for the beta form with a zero
#   reset; the refractory period caps the rate at $1/t_{ref}$ (or $1/(K+1)$ per step). Reset by
#   subtraction keeps the excess but, with a leak, loses $(1-\beta) U_{thr}$ per spike and can fire
#   less than reset to zero.
# * Noise makes the neuron fire below the rheobase, smooths the f-I curve (the Siegert formula)
#   and makes the spikes irregular: CV near 1 when fluctuations drive the neuron, near 0 when the
#   mean does.
