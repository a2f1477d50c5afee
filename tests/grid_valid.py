"""Valid examples of every entry point of the bad-input grid (``tests/test_bad_input.py``).

``VALID[qualified name]`` is a :class:`grid_harness.Entry`: ``valid`` returns a fresh valid call
(arguments left out take their defaults, and are perturbed too); ``allow``/``bad``/``ranges``/
``names`` adjust the bad values derived for an argument (see :func:`grid_harness.bad_values`);
every ``allow`` says why. ``METHODS`` adds methods of classes (the forward passes), which no
``__all__`` lists. Examples are small: the whole grid runs in about a minute.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np
import torch
from grid_harness import Entry

import snnlib as snl
from snnlib import (
    circuits,
    coding_study,
    conversion,
    data,
    encoding,
    engine,
    learning,
    models,
    neurons,
    plot,
    spikes,
    train,
    widgets,
)
from snnlib import plasticity as pl
from snnlib import surrogate as sg
from snnlib.engine import cpu
from snnlib.train import checkpoint as ck

P = "snnlib."


def spk(*shape, p: float = 0.3, seed: int = 0) -> torch.Tensor:
    """Random 0/1 float spikes of ``shape``."""
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(shape, generator=g) < p).float()


def rnd(*shape, seed: int = 0, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return low + (high - low) * torch.rand(shape, generator=g)


def images(n: int = 4) -> torch.Tensor:
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


def labels(n: int = 4) -> torch.Tensor:
    return torch.arange(n) % 10


def tiny_config(**kw) -> train.TrainConfig:
    base = dict(epochs=1, source="bundled", device="cpu", max_batches=1, max_test=50, num_steps=2, batch_size=16)
    base.update(kw)
    return train.TrainConfig(**base)


_CACHE: Dict[str, Any] = {}


def once(key: str, make):
    """A value built once per session (bundled batches, a converted network): read-only in the grid."""
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


def batches():
    return once("batches", lambda: train.load_data(tiny_config(), "cpu"))


def mlp():
    return models.SpikingMLP(num_inputs=784, num_hidden=8, num_outputs=10, num_steps=3)


def trio():
    cfg = tiny_config()
    return train.build(cfg, 2, "cpu")


def converted():
    def make():
        ann = conversion.make_network("mlp")
        return conversion.convert(ann, rnd(64, 784), batch_size=64)

    return once("converted", make)


def dc_net():
    return pl.init_network(4, num_inputs=784, seed=0)


def dc_presentation():
    """A presentation's arguments: two input events (inputs 3 and 5, at steps 0 and 1)."""
    off, idx = torch.tensor([0, 1, 2], dtype=torch.int32), torch.tensor([3, 5], dtype=torch.int32)
    return dict(net=dc_net(), off=off, idx=idx, learn=False, adapt=False)


def ckpt_state():
    model, opt, sched = trio()
    return train.checkpoint.training_state(model, opt, sched, 0, tiny_config(), {"loss": []})


def explorer():
    return once("explorer", widgets.lif_explorer)


def _scheme():
    return encoding.get_scheme("rate")


def seed_result():
    def make():
        return learning.seed_study(
            rnd(8, 2), labels(8) % 2, ["arctan"], seeds=(0,), epochs=1, hidden=4, num_steps=3, batch_size=4
        )

    return once("seed_study", make)


def train_step_args():
    module = torch.nn.Linear(4, 2)
    return dict(module=module, optimizer=torch.optim.SGD(module.parameters(), lr=0.1), loss_fn=torch.nn.functional.cross_entropy)


def tiny_animation():
    return plot.spike_animation(spikes=spk(4, 4, 4), max_frames=2)


def tooltip_widget():
    import ipywidgets

    return ipywidgets.Button()


ALL_TEXT = "*"  # the argument is free text or a label: left alone

VALID: Dict[str, Entry] = {
    # -- the package root -------------------------------------------------------------------------
    P + "_core.workload": Entry(lambda: dict(full=5, quick=1), allow={"full": ALL_TEXT, "quick": ALL_TEXT}),
    P + "_core.setup": Entry(lambda: dict(seed=0, device="cpu", verbose=False)),
    P + "_core.get_device": Entry(lambda: dict(device="cpu")),
    P + "claims.claim": Entry(lambda: dict(condition=True, statement="a claim"), allow={"condition": ALL_TEXT}),
    # -- data -------------------------------------------------------------------------------------
    P + "data.batches.Batches": Entry(lambda: dict(images=images(8), labels=labels(8), batch_size=4, device="cpu")),
    P + "data.load_mnist": Entry(lambda: dict(split="test", source="bundled")),
    P + "data.load_full": Entry(lambda: dict(split="test", root="/nonexistent", download=False), check_valid=False),
    P + "data.load_bundled": Entry(lambda: dict(split="test")),
    P + "data.load_bundled_indexed": Entry(lambda: dict(split="test")),
    P + "data.search_dirs": Entry(lambda: dict(root="/tmp")),
    # -- spikes -----------------------------------------------------------------------------------
    P + "spikes.firing_rate": Entry(lambda: dict(spikes=spk(6, 2, 3))),
    P + "spikes.population_rate": Entry(lambda: dict(spikes=spk(6, 2, 3)), ranges={"dim": (None, None)}),
    P + "spikes.spike_count": Entry(lambda: dict(spikes=spk(6, 2, 3))),
    # -- surrogate --------------------------------------------------------------------------------
    P + "surrogate.Surrogate": Entry(lambda: dict(name="arctan", function=sg.ATan, sharpness=2.0), allow={"name": ALL_TEXT}),
    P + "surrogate.heaviside": Entry(  # elementwise, hot path: H(inf) = 1; H(NaN) = 0 as in snnTorch and every backend
        lambda: dict(u=rnd(5, low=-1)), allow={"u": {"0-d tensor", "empty tensor", "inf", "nan"}}
    ),
    P + "surrogate.get": Entry(lambda: dict(surrogate="arctan", sharpness=2.0)),
    P + "surrogate.straight_through": Entry(lambda: dict(window=1.0), allow={"window": {"inf"}}),  # inf: the default
    # -- neurons ----------------------------------------------------------------------------------
    P + "neurons.lif.lif_step": Entry(  # one step on the hot path: elementwise, NaN propagates to the membrane
        lambda: dict(cur=rnd(2, 3), state=None), allow={"cur": {"0-d tensor", "empty tensor"}}, propagate=("cur",)
    ),
    P + "neurons.lif.lif_run": Entry(lambda: dict(cur=rnd(5, 2, 3))),
    P + "neurons.physical.beta_euler": Entry(lambda: dict(dt=0.1, tau=10.0)),
    P + "neurons.physical.beta_exact": Entry(lambda: dict(dt=0.1, tau=10.0)),
    P + "neurons.physical.tau_from_beta": Entry(lambda: dict(beta=0.9)),
    P + "neurons.physical.physical_lif_run": Entry(lambda: dict(cur=rnd(20, 2, low=1.0, high=3.0))),
    P + "neurons.physical.physical_lif_step": Entry(  # refrac: NaN/inf propagates to the membrane
        lambda: dict(cur=rnd(2, 3), v=torch.full((2, 3), -65.0), refrac=torch.zeros(2, 3)), propagate=("refrac",)
    ),
    P + "neurons.analytic.analytic_rate": Entry(lambda: dict(current=2.0)),
    P + "neurons.analytic.charging_curve": Entry(lambda: dict(t=np.linspace(0, 10, 5), current=1.0)),
    P + "neurons.analytic.current_for_rate": Entry(lambda: dict(rate=20.0)),
    P + "neurons.analytic.discrete_charging_curve": Entry(lambda: dict(n=np.arange(5), cur=0.1, beta=0.9)),
    P + "neurons.analytic.discrete_rate": Entry(lambda: dict(cur=0.3, beta=0.9)),
    P + "neurons.analytic.discrete_steps_to_threshold": Entry(lambda: dict(cur=0.3, beta=0.9)),
    P + "neurons.analytic.euler_charging_curve": Entry(lambda: dict(n=np.arange(5), current=1.0)),
    P + "neurons.analytic.euler_rate": Entry(lambda: dict(current=2.0)),
    P + "neurons.analytic.first_spike_step": Entry(lambda: dict(ratio=np.array([0.5, 0.2]), beta=0.9)),
    P + "neurons.analytic.isi_rate": Entry(lambda: dict(spk=spk(20, 3, p=0.5))),
    P + "neurons.analytic.time_to_threshold": Entry(lambda: dict(current=2.0)),
    # -- encoding ---------------------------------------------------------------------------------
    P + "encoding.registry.Scheme": Entry(
        lambda: dict(name="grid_test", encode=encoding.rate, decode=encoding.rate_decode), allow={"summary": ALL_TEXT}
    ),
    P + "encoding.registry.encode": Entry(lambda: dict(scheme="rate", x=rnd(4), num_steps=5)),
    P + "encoding.registry.decode": Entry(lambda: dict(scheme="rate", spikes=spk(5, 4))),
    P + "encoding.registry.get_scheme": Entry(lambda: dict(name="rate"), names={"name": ["scheme"]}),
    P + "encoding.measures.decode_prefix": Entry(lambda: dict(scheme="rate", spikes=spk(5, 4), t=2)),
    P + "encoding.measures.round_trip_error": Entry(lambda: dict(scheme="rate", x=rnd(4), num_steps=5)),
    P + "encoding.measures.time_to_decision": Entry(lambda: dict(scheme="rate", x=rnd(4), spikes=spk(5, 4))),
    P + "encoding.noise.perturb": Entry(lambda: dict(spikes=spk(6, 4), p_delete=0.1, p_insert=0.1, jitter=1, seed=0)),
    P + "encoding._common.make_generator": Entry(lambda: dict(seed=0)),
    P + "encoding.schemes.burst.burst": Entry(lambda: dict(x=rnd(4), num_steps=30)),
    P + "encoding.schemes.burst.burst_decode": Entry(lambda: dict(spikes=encoding.burst(rnd(4), 30))),
    P + "encoding.schemes.burst.burst_params": Entry(lambda: dict(x=rnd(4))),
    P + "encoding.schemes.delta.delta": Entry(lambda: dict(signal=rnd(10, 3))),
    P + "encoding.schemes.delta.delta_decode": Entry(lambda: dict(spikes=spk(10, 3))),
    P + "encoding.schemes.latency.first_spike_time": Entry(  # threshold: any membrane level; fill: inf by default
        lambda: dict(record=spk(6, 4)), ranges={"threshold": (None, None)}, allow={"fill": {"inf", "-inf"}}
    ),
    P + "encoding.schemes.latency.latency": Entry(lambda: dict(x=rnd(4), num_steps=10)),
    P + "encoding.schemes.latency.latency_decode": Entry(lambda: dict(spikes=encoding.latency(rnd(4), 10))),
    P + "encoding.schemes.latency.latency_time": Entry(lambda: dict(x=rnd(4))),
    P + "encoding.schemes.latency.rc_membrane": Entry(lambda: dict(x=rnd(4), num_steps=10)),
    P + "encoding.schemes.phase.oscillation": Entry(lambda: dict(num_steps=16)),
    P + "encoding.schemes.phase.phase": Entry(lambda: dict(x=rnd(4), num_steps=16), ranges={"threshold": (None, None)}),
    P + "encoding.schemes.phase.phase_decode": Entry(lambda: dict(spikes=encoding.phase(rnd(4), 16))),
    P + "encoding.schemes.phase.phase_offset": Entry(lambda: dict(x=rnd(4))),
    P + "encoding.schemes.population.population": Entry(lambda: dict(x=rnd(4), num_steps=10, seed=0)),
    P + "encoding.schemes.population.population_decode": Entry(lambda: dict(spikes=spk(10, 4, 10, p=0.5))),
    P + "encoding.schemes.population.population_tuning": Entry(lambda: dict(x=rnd(4))),
    P + "encoding.schemes.rank_order.rank_order": Entry(
        lambda: dict(x=rnd(2, 4), num_steps=6), ranges={"threshold": (None, None)}
    ),
    P + "encoding.schemes.rank_order.rank_order_decode": Entry(lambda: dict(spikes=encoding.rank_order(rnd(2, 4), 6))),
    P + "encoding.schemes.rank_order.rank_order_ranks": Entry(lambda: dict(spikes=encoding.rank_order(rnd(2, 4), 6))),
    P + "encoding.schemes.rate.density_rate": Entry(lambda: dict(spikes=spk(5, 10, 3))),
    P + "encoding.schemes.rate.rate": Entry(lambda: dict(x=rnd(4), num_steps=5, seed=0)),
    P + "encoding.schemes.rate.rate_decode": Entry(lambda: dict(spikes=spk(5, 4))),
    # -- engine -----------------------------------------------------------------------------------
    P + "engine.lif_multistep": Entry(lambda: dict(cur=rnd(5, 2, 3, high=2.0))),
    P + "engine.lif_multistep_linear": Entry(lambda: dict(cur=rnd(5, 2, 6, high=2.0), weight=rnd(3, 6), bias=rnd(3))),
    P + "engine.resolve_backend": Entry(lambda: dict(op="lif"), call=lambda fn, kw: fn(rnd(4, 2, 3), **kw)),
    P + "engine.spec.kind_of": Entry(lambda: dict(value=0.9), allow={"value": ALL_TEXT}),
    P + "engine.spec.Support": Entry(lambda: dict(run=engine.loop.run)),
    P + "engine.spec.Backend": Entry(
        lambda: dict(name="grid", summary="a test backend"),
        allow={"summary": ALL_TEXT},
        bad={"name": [("not a name", "no such")]},
    ),
    P + "engine.build.entry_paths": Entry(
        lambda: dict(folder=__import__("pathlib").Path("/tmp"), name="k", source=b"int x;", flags=["-O2"])
    ),
    P + "engine.cpu.lif_fwd": Entry(
        lambda: dict(cur=rnd(4, 2, 3, high=2.0), num_steps=4, beta=0.9, thr=1.0, reset="subtract", static=False)
    ),
    P + "engine.cpu.lif_bwd": Entry(
        lambda: dict(
            mem=rnd(4, 2, 3), g_spk=rnd(4, 2, 3), g_mem=None, beta=0.9, thr=1.0, reset="subtract", surrogate=(0, 1.0, 2.5)
        ),
        propagate=("g_spk", "g_mem"),  # the backward pass: NaN in a gradient propagates to dL/dI
    ),
    P + "engine.cpu.fwd": Entry(
        lambda: dict(
            cur=rnd(2, 6, high=2.0), w2=rnd(3, 6), b2=rnd(3), num_steps=4, beta=0.9, thr=1.0, reset="subtract", static=True
        )
    ),
    P + "engine.cpu.bwd": Entry(
        lambda: dict(
            cur=rnd(2, 6, high=2.0),
            g2=rnd(4, 2, 3),
            w2=rnd(3, 6),
            num_steps=4,
            beta=0.9,
            thr=1.0,
            reset="subtract",
            surrogate=(0, 1.0, 2.5),
            static=True,
        ),
        propagate=("g2",),  # the backward pass: NaN in a gradient propagates to dL/dI and dL/dW
    ),
    # -- models -----------------------------------------------------------------------------------
    P + "models.mlp.SpikingMLP": Entry(lambda: dict(num_hidden=8, num_steps=3)),
    P + "models.reference.ANN": Entry(lambda: dict(num_hidden=8)),
    P + "models.reference.SnnTorchReference": Entry(lambda: dict(num_hidden=8, num_steps=3)),
    P + "models.reference.TorchReference": Entry(lambda: dict(num_hidden=8, num_steps=3)),
    P + "models.counting.count_operations": Entry(
        lambda: dict(hidden_spikes=spk(3, 2, 8), output_spikes=spk(3, 2, 10), nonzero_inputs=torch.tensor([100.0, 200.0]))
    ),
    P + "models.gpu.maybe_compile": Entry(lambda: dict(model=mlp(), device=torch.device("cpu"))),
    P + "models.losses.membrane_ce_loss": Entry(lambda: dict(mem_rec=rnd(3, 4, 10), y=labels(4))),
    P + "models.losses.rate_ce_loss": Entry(lambda: dict(spk_rec=spk(3, 4, 10), y=labels(4))),
    P + "models.losses.predict": Entry(lambda: dict(spk_rec=spk(3, 4, 10), mem_rec=rnd(3, 4, 10))),
    # -- train ------------------------------------------------------------------------------------
    P + "train.config.TrainConfig": Entry(lambda: dict(epochs=1), allow={"root": ALL_TEXT, "checkpoint": ALL_TEXT}),
    P + "train.loop.fit": Entry(
        lambda: dict(config=tiny_config(), progress=False, data=batches()), allow={"json_path": ALL_TEXT}
    ),
    P + "train.loop.build": Entry(lambda: dict(config=tiny_config(), steps_per_epoch=2, device="cpu")),
    P + "train.loop.evaluate": Entry(lambda: dict(model=mlp(), batches=batches()[1], max_batches=1)),
    P + "train.loop.load_data": Entry(lambda: dict(config=tiny_config(), device="cpu")),
    P + "train.measure.progress_bar": Entry(lambda: dict(total=3, desc="grid", enable=False), allow={"desc": ALL_TEXT}),
    P + "train.measure.synchronize": Entry(lambda: dict(device=torch.device("cpu"))),
    P + "train.measure.device_name": Entry(lambda: dict(device="cpu")),
    P + "train.measure.peak_memory": Entry(lambda: dict(device="cpu")),
    P + "train.schedule.constant": Entry(lambda: dict(step=0, total_steps=10, warmup_steps=2), ranges={"total_steps": (0, None)}),
    P + "train.schedule.cosine": Entry(lambda: dict(step=0, total_steps=10, warmup_steps=2), ranges={"total_steps": (0, None)}),
    P + "train.schedule.lr_factor": Entry(
        lambda: dict(schedule="cosine", total_steps=10, warmup_steps=2), ranges={"total_steps": (0, None)}
    ),
    P + "train.compare.compare_implementations": Entry(
        lambda: dict(
            train_batches=batches()[0],
            test_batches=batches()[1],
            names=["snnlib fast path"],
            batches_per_round=1,
            rounds=1,
            warmup=0,
            num_steps=2,
            eval_batches=1,
            progress=False,
        )
    ),
    P + "train.checkpoint.checkpoint_file": Entry(lambda: dict(folder="/tmp/grid")),
    P + "train.checkpoint.checkpoint_bytes": Entry(lambda: dict(state={"model": {}})),
    P + "train.checkpoint.save_checkpoint": Entry(lambda: dict(path="/tmp/grid-ck/x.pt", state={"model": {}})),
    P + "train.checkpoint.load_checkpoint": Entry(lambda: dict(path="/nonexistent/x.pt"), check_valid=False),
    P + "train.checkpoint.nonfinite_entries": Entry(lambda: dict(state={"model": {"w": torch.ones(2)}})),
    P + "train.checkpoint.set_rng_state": Entry(lambda: dict(state=ck.rng_state())),
    P + "train.checkpoint.training_state": Entry(
        lambda: dict(zip(("model", "optimizer", "scheduler"), trio()), epoch=0, config=tiny_config(), history={})
    ),
    P + "train.checkpoint.check_resumable": Entry(lambda: dict(state=ckpt_state(), config=tiny_config(), path="/tmp/x.pt")),
    P + "train.checkpoint.restore": Entry(
        lambda: dict(state=ckpt_state(), **dict(zip(("model", "optimizer", "scheduler"), trio())))
    ),
    # -- circuits ---------------------------------------------------------------------------------
    P + "circuits.connectivity.bar_stimulus": Entry(lambda: dict(n=10, start=3, stop=6, high=0.5, low=0.1)),
    P + "circuits.connectivity.convergent_weights": Entry(lambda: dict(n_in=6, n_out=3, fan_in=2)),
    P + "circuits.connectivity.divergent_weights": Entry(lambda: dict(n_in=3, n_out=6, fan_out=2)),
    P + "circuits.connectivity.lateral_weights": Entry(lambda: dict(n=5)),
    P + "circuits.connectivity.poisson_input": Entry(
        lambda: dict(rates=torch.full((4,), 0.2), num_steps=5),
        allow={"rates": {"0-d tensor"}},  # one rate for one neuron
    ),
    P + "circuits.experiments.convergence_snr": Entry(
        lambda: dict(fan_ins=[1, 2], num_steps=20, trials=5), names={"fan_ins": ["fan_in"]}
    ),
    P + "circuits.experiments.run_motif": Entry(
        lambda: dict(motif="lateral_inhibition", inhibition=1.0, delay=1, input_level=0.5, num_steps=20)
    ),
    P + "circuits.measures.edge_contrast": Entry(lambda: dict(rates=rnd(8), inside=2, outside=3)),
    P + "circuits.measures.edge_enhancement": Entry(lambda: dict(rates=rnd(8) + 0.1, edge=2, center=4)),
    P + "circuits.measures.first_spike_latency": Entry(lambda: dict(spikes=spk(10, 2, 4, p=0.5))),
    P + "circuits.measures.oscillation_power": Entry(lambda: dict(spikes=spk(32, 2, 4, p=0.5)), ranges={"width": (0, None)}),
    P + "circuits.measures.pattern_correlation": Entry(lambda: dict(a=rnd(6), b=rnd(6, seed=1))),
    P + "circuits.measures.population_spectrum": Entry(lambda: dict(spikes=spk(16, 2, 4, p=0.5))),
    P + "circuits.measures.response_window": Entry(lambda: dict(spikes=spk(10, 2, 4, p=0.5), onset=1)),
    P + "circuits.measures.snr": Entry(lambda: dict(signal=rnd(20) + 1.0, noise=rnd(20, seed=1))),
    P + "circuits.measures.synchrony": Entry(lambda: dict(spikes=spk(10, 2, 4, p=0.5))),
    P + "circuits.measures.wta_winner": Entry(lambda: dict(spikes=spk(10, 2, 4, p=0.5))),
    P + "circuits.motifs.feedforward_excitation": Entry(lambda: dict(inputs=spk(10, 1, 4), weights=rnd(4, 3))),
    P + "circuits.motifs.feedforward_inhibition": Entry(
        lambda: dict(inputs=spk(10, 1, 4), w_exc=rnd(4, 3), w_inh=rnd(4, 2), w_inh_out=rnd(2, 3)),
        names={"inh_delay": ["delay of inh->out"]},
    ),
    P + "circuits.motifs.feedback_inhibition": Entry(
        lambda: dict(inputs=spk(10, 1, 4), w_in=rnd(4, 3), w_ei=rnd(3, 2), w_ie=rnd(2, 3)),
        names={"ei_delay": ["delay of exc->inh"], "ie_delay": ["delay of inh->exc"]},
    ),
    P + "circuits.motifs.lateral_inhibition": Entry(
        lambda: dict(inputs=spk(10, 1, 4), w_in=rnd(4, 4), lateral=rnd(4, 4)), names={"lateral_delay": ["delay of out->out"]}
    ),
    P + "circuits.motifs.winner_take_all": Entry(
        lambda: dict(inputs=spk(10, 1, 4), w_in=rnd(4, 4)), names={"lateral_delay": ["delay of out->out"]}
    ),
    P + "circuits.network.Projection": Entry(
        lambda: dict(source="input", target="out", weight=rnd(4, 3)), allow={"source": ALL_TEXT, "target": ALL_TEXT}
    ),
    P + "circuits.network.simulate": Entry(
        lambda: dict(
            inputs=spk(10, 1, 4),
            populations={"out": (3, neurons.LIFParams())},
            projections=[circuits.Projection("input", "out", rnd(4, 3))],
        ),
        allow={"motif": ALL_TEXT},  # a label stored in the result
    ),
    # -- coding study -----------------------------------------------------------------------------
    P + "coding_study.compare_schemes": Entry(lambda: dict(images=rnd(2, 4, 4), num_steps=8, schemes=["rate", "latency"])),
    P + "coding_study.noisy_error": Entry(lambda: dict(images=rnd(2, 4, 4), scheme="rate", num_steps=8)),
    P + "coding_study.prepare": Entry(lambda: dict(scheme="rate", image=rnd(4, 4), seed=0)),
    # -- learning ---------------------------------------------------------------------------------
    P + "learning.bptt.gradient_flow": Entry(lambda: dict(surrogate="arctan", num_steps=5, n_inputs=3, n_neurons=2)),
    P + "learning.bptt.two_step_forward": Entry(lambda: dict(w=0.8, x1=1.0, x2=0.5), allow={"x1": {"below its range"}}),
    P + "learning.bptt.two_step_gradient": Entry(lambda: dict(w=0.8, x1=1.0, x2=0.5, y1=1.0, y2=0.0)),
    P + "learning.bptt.two_step_gradient_by_hand": Entry(lambda: dict(w=0.8, x1=1.0, x2=0.5, y1=1.0, y2=0.0)),
    P + "learning.spike_times.spike_time_inputs": Entry(lambda: dict(num_steps=10, n_inputs=4)),
    P + "learning.spike_times.train_spike_times": Entry(
        lambda: dict(target_times=[3, 7], num_steps=10, n_inputs=4, max_iterations=2),
        ranges={"max_iterations": (0, None)},  # 0 iterations: the untrained neuron
    ),
    P + "learning.spike_times.van_rossum_loss": Entry(lambda: dict(spk=spk(10, 3), target=spk(10, 3, seed=1))),
    P + "learning.toy.ToySNN": Entry(lambda: dict(hidden=4, num_steps=3)),
    P + "learning.toy.predict_class": Entry(lambda: dict(spk=spk(3, 4, 2), mem=rnd(3, 4, 2))),
    P + "learning.toy.spike_loss": Entry(lambda: dict(spk=spk(3, 4, 2), mem=rnd(3, 4, 2), y=labels(4) % 2)),
    P + "learning.toy.toy_dataset": Entry(lambda: dict(n=10)),
    P + "learning.toy.train_toy": Entry(
        lambda: dict(x=rnd(8, 2), y=labels(8) % 2, epochs=1, hidden=4, num_steps=3, batch_size=4)
    ),
    # -- conversion -------------------------------------------------------------------------------
    P + "conversion.core.activation_scales": Entry(
        lambda: dict(stages=converted().stages, x=rnd(16, 784), batch_size=16), allow={"normalisation": ALL_TEXT}
    ),
    P + "conversion.core.balance_thresholds": Entry(lambda: dict(scales=[1.0, 2.0], biases=[torch.zeros(3), None])),
    P + "conversion.core.convert": Entry(
        lambda: dict(ann=conversion.make_network("mlp"), x_train=rnd(16, 784), batch_size=16), allow={"normalisation": ALL_TEXT}
    ),
    P + "conversion.core.if_params": Entry(lambda: dict(threshold=1.0)),
    P + "conversion.core.layer_scale": Entry(lambda: dict(activations=rnd(50)), allow={"activations": {"0-d tensor"}}),
    P + "conversion.core.neuron_step": Entry(  # elementwise
        lambda: dict(cur=rnd(2, 3), state=None, params=conversion.if_params()), allow={"cur": {"0-d tensor"}}
    ),
    P + "conversion.core.normalise_parameters": Entry(
        lambda: dict(weights=[rnd(3, 4), rnd(2, 3)], biases=[torch.zeros(3), None], scales=[1.0, 2.0])
    ),
    P + "conversion.core.split_stages": Entry(lambda: dict(ann=conversion.make_network("mlp"))),
    P + "conversion.core.stage_activations": Entry(lambda: dict(stages=converted().stages, x=rnd(4, 784))),
    P + "conversion.experiment.parse_steps": Entry(lambda: dict(text="8,16")),
    P + "conversion.networks.ann_accuracy": Entry(
        lambda: dict(net=conversion.make_network("mlp"), x=rnd(4, 784), labels=labels(4))
    ),
    P + "conversion.networks.input_shape": Entry(lambda: dict(name="mlp")),
    P + "conversion.networks.make_network": Entry(lambda: dict(name="mlp")),
    P + "conversion.networks.prepare": Entry(lambda: dict(images=images(4), name="mlp")),
    P + "conversion.networks.random_shift": Entry(lambda: dict(x=rnd(2, 1, 28, 28), pixels=2)),
    P + "conversion.networks.train_ann": Entry(
        lambda: dict(net=conversion.make_network("mlp"), images=images(8), labels=labels(8), name="mlp", epochs=1, batch_size=8)
    ),
    P + "conversion.simulate.accuracy_vs_steps": Entry(
        lambda: dict(net=converted(), x=rnd(4, 784), labels=labels(4), num_steps=[2, 4], batch_size=4)
    ),
    P + "conversion.simulate.fan_out": Entry(  # only the shape of sample is used
        lambda: dict(net=converted(), sample=rnd(1, 784)), allow={"sample": {"nan", "inf"}}
    ),
    P + "conversion.simulate.rate_correlation": Entry(lambda: dict(net=converted(), x=rnd(4, 784), num_steps=4)),
    P + "conversion.simulate.simulate": Entry(lambda: dict(net=converted(), x=rnd(4, 784), num_steps=[2, 4])),
    # -- plasticity -------------------------------------------------------------------------------
    P + "plasticity.homeostasis.adaptive_threshold_step": Entry(lambda: dict(theta=torch.zeros(4), spikes=spk(4))),
    P + "plasticity.homeostasis.normalise_columns": Entry(lambda: dict(w=rnd(6, 3))),
    P + "plasticity.modules.AdaptiveThreshold": Entry(lambda: dict(num_neurons=4)),
    P + "plasticity.modules.STDP": Entry(lambda: dict(w=rnd(4, 3))),
    P + "plasticity.modules.Trace": Entry(lambda: dict(tau=20.0)),
    P + "plasticity.network.DiehlCookParams": Entry(  # documented: w_max, max_rate >= 0, max_repeats >= 0
        lambda: dict(), ranges={"w_max": (0.0, None), "max_rate": (0.0, None), "max_repeats": (0, None)}
    ),
    P + "plasticity.network.DiehlCookNet": Entry(lambda: dict(w=rnd(784, 4), theta=torch.zeros(4), params=pl.DiehlCookParams())),
    P + "plasticity.network.init_network": Entry(lambda: dict(num_neurons=4)),
    P + "plasticity.network.input_events": Entry(  # image of any shape (flattened)
        lambda: dict(image=rnd(784), rate_hz=63.75, num_steps=20, dt=0.5), allow={"image": {"0-d tensor"}}
    ),
    P + "plasticity.network.present": Entry(lambda: dict(net=dc_net(), image=rnd(784), learn=False)),
    P + "plasticity.network.present_once": Entry(lambda: dc_presentation()),
    P + "plasticity.network.present_reference": Entry(lambda: dc_presentation()),
    P + "plasticity.receptive_fields": Entry(lambda: dict(net=dc_net())),
    P + "plasticity.stdp.STDPParams": Entry(lambda: dict()),
    P + "plasticity.stdp.measure_window": Entry(lambda: dict(delays=[-5, 5])),
    P + "plasticity.stdp.pairing_protocol": Entry(  # delay < 0: post before pre
        lambda: dict(delay=5, num_pairs=3, period=20), ranges={"delay": (None, None)}
    ),
    P + "plasticity.stdp.stdp_init": Entry(lambda: dict(batch=1, n_pre=4, n_post=3)),
    P + "plasticity.stdp.stdp_step": Entry(lambda: dict(w=rnd(4, 3), pre=spk(1, 4), post=spk(1, 3), state=pl.stdp_init(1, 4, 3))),
    P + "plasticity.stdp.stdp_window": Entry(lambda: dict(delta_t=np.array([-5.0, 5.0]))),
    P + "plasticity.traces.trace_decay": Entry(lambda: dict(tau=20.0)),
    P + "plasticity.traces.trace_run": Entry(lambda: dict(spikes=spk(6, 1, 3), decay=0.9)),
    P + "plasticity.traces.trace_step": Entry(lambda: dict(trace=torch.zeros(1, 3), spikes=spk(1, 3), decay=0.9)),
    P + "plasticity.training.accuracy": Entry(lambda: dict(predicted=labels(4), labels=labels(4))),
    P + "plasticity.training.assign_labels": Entry(  # mean counts may be fractional
        lambda: dict(counts=torch.randint(0, 5, (6, 4)), labels=labels(6)), allow={"counts": {"float dtype for integers"}}
    ),
    P + "plasticity.training.evaluate": Entry(
        lambda: dict(net=dc_net(), label_images=images(2), label_labels=labels(2), test_images=images(2), test_labels=labels(2))
    ),
    P + "plasticity.training.flat_images": Entry(lambda: dict(images=images(2))),
    P + "plasticity.training.load_checkpoint": Entry(lambda: dict(path="/nonexistent/dc.pt"), check_valid=False),
    P + "plasticity.training.predict": Entry(  # mean counts may be fractional
        lambda: dict(counts=torch.randint(0, 5, (6, 4)), assignments=labels(4)), allow={"counts": {"float dtype for integers"}}
    ),
    P + "plasticity.training.responses": Entry(lambda: dict(net=dc_net(), images=images(2), progress=False)),
    P + "plasticity.training.save_checkpoint": Entry(
        lambda: dict(path="/tmp/grid-dc/x.pt", net=dc_net(), seen=0, generator=torch.Generator())
    ),
    P + "plasticity.training.train": Entry(lambda: dict(net=dc_net(), images=images(1), progress=False)),
    # -- plot -------------------------------------------------------------------------------------
    P + "plot.base.to_numpy": Entry(  # a converter: any array is fine
        lambda: dict(x=rnd(3)), allow={"x": {"0-d tensor", "empty tensor", "complex dtype"}}
    ),
    P + "plot.base.new_ax": Entry(lambda: dict(figsize=(3, 2)), allow={"figsize": {"None"}}, names={"figsize": ["figure size"]}),
    P + "plot.circuits.circuit_diagram": Entry(lambda: dict(motif="lateral_inhibition")),
    P + "plot.circuits.population_raster": Entry(lambda: dict(spikes={"out": spk(10, 1, 4)}), ranges={"batch": (0, None)}),
    P + "plot.coding.coding_panel": Entry(lambda: dict(x=rnd(4, 4), spikes=spk(5, 4, 4), x_hat=rnd(4, 4))),
    P + "plot.coding.raster": Entry(lambda: dict(spikes=spk(10, 4))),
    P + "plot.coding.spike_animation": Entry(lambda: dict(spikes=spk(4, 4, 4), max_frames=2)),
    P + "plot.coding.spike_count_image": Entry(lambda: dict(spikes=spk(5, 4, 4))),
    P + "plot.datasets.class_counts": Entry(lambda: dict(labels=labels(20))),
    P + "plot.datasets.digit_grid": Entry(lambda: dict(images=images(3)), allow={"images": {"float dtype for integers"}}),
    P + "plot.learning.plot_decision_regions": Entry(
        lambda: dict(model=learning.ToySNN(hidden=4, num_steps=3), x=rnd(6, 2), y=labels(6) % 2, n=8),
        allow={"y": {"float dtype for integers"}},
    ),
    P + "plot.learning.plot_gradient_flow": Entry(
        lambda: dict(flows={"arctan": learning.gradient_flow("arctan", num_steps=5, n_inputs=3, n_neurons=2)})
    ),
    P + "plot.learning.plot_loss_curves": Entry(lambda: dict(curves={"a": [1.0, 0.5]})),
    P + "plot.learning.plot_spike_targets": Entry(
        lambda: dict(result=learning.train_spike_times([3, 7], num_steps=10, n_inputs=4, max_iterations=1))
    ),
    P + "plot.learning.plot_surrogate": Entry(lambda: dict(n=11)),
    P + "plot.learning.plot_unrolled_graph": Entry(lambda: dict(T=3)),
    P + "plot.lif.plot_charging": Entry(lambda: dict(t=np.arange(5.0), simulated=np.arange(5.0), analytic=np.arange(5.0))),
    P + "plot.lif.plot_current": Entry(lambda: dict(cur=rnd(10))),
    P + "plot.lif.plot_euler_error": Entry(
        lambda: dict(dts=np.array([0.1, 0.2]), errors=np.array([0.01, 0.02])), ranges={"slope": (None, None)}
    ),
    P + "plot.lif.plot_fi_curve": Entry(lambda: dict(currents=np.array([1.0, 2.0]), rates=np.array([0.0, 10.0]))),
    P + "plot.lif.plot_lif_response": Entry(lambda: dict(cur=rnd(10), mem=rnd(10), spk=spk(10)), allow={"spk": {"None"}}),
    P + "plot.lif.plot_membrane": Entry(
        lambda: dict(mem=rnd(10), spk=spk(10), threshold=1.0), ranges={"threshold": (None, None)}
    ),
    P + "plot.lif.plot_raster_row": Entry(lambda: dict(spk=spk(10))),
    P + "plot.mnist.plot_accuracy_curves": Entry(lambda: dict(runs={"a": [0.5, 0.7]})),
    P + "plot.mnist.plot_loss_curve": Entry(lambda: dict(loss=[1.0, 0.8, 0.5], smooth=2)),
    P + "plot.mnist.plot_output_spikes": Entry(lambda: dict(spk_rec=spk(3, 2, 10))),
    P + "plot.mnist.plot_throughput": Entry(lambda: dict(results={"a": {"train_samples_per_s": 100.0}})),
    # -- widgets ----------------------------------------------------------------------------------
    P + "widgets.coding.coding_params": Entry(lambda: dict(scheme="rate", level=1), ranges={"level": (1, 3)}),
    P + "widgets.controls.Dropdown": Entry(
        lambda: dict(name="d", label="D", options=["a", "b"], value="a"),
        allow={"name": ALL_TEXT, "label": ALL_TEXT, "description": ALL_TEXT},
    ),
    P + "widgets.controls.Slider": Entry(
        lambda: dict(name="s", label="S", min=0.0, max=1.0, step=0.5, value=0.5),
        allow={"name": ALL_TEXT, "label": ALL_TEXT, "description": ALL_TEXT},
        ranges={"min": (None, None), "max": (None, None), "value": (None, None), "step": ("positive", None)},
    ),
    P + "widgets.controls.attr": Entry(lambda: dict(text="x"), allow={"text": ALL_TEXT}),
    P + "widgets.display.set_display_mode": Entry(
        lambda: dict(mode="html"), call=lambda fn, kw: _restoring_display(fn, kw), names={"mode": ["display mode"]}
    ),
    P + "widgets.explorer.Explorer": Entry(
        lambda: dict(name="grid", title="Grid", controls=[], compute=dict, plot=lambda d, f: None, figsize=(3.0, 2.0)),
        allow={"name": ALL_TEXT, "title": ALL_TEXT, "description": ALL_TEXT},
    ),
    P + "widgets.frames.frame_grid": Entry(lambda: dict(explorer=_one_frame_explorer())),
    P + "widgets.frames.frame_key": Entry(lambda: dict(explorer=_one_frame_explorer(), values={"a": 2})),
    P + "widgets.frames.pack_frames": Entry(
        lambda: dict(explorer=_one_frame_explorer(), pack=lambda d: {"v": 1}), check_valid=True
    ),
    P + "widgets.frames.sparse_spikes": Entry(lambda: dict(spikes=spk(5, 3).numpy())),
    P + "widgets.frames.unpack_frames": Entry(
        lambda: dict(static=widgets.frames.pack_frames(_one_frame_explorer(), lambda d: {"v": 1}))
    ),
    P + "widgets.lif.lif_input": Entry(
        lambda: dict(shape="step", amplitude=1.0, num_steps=10), allow={"amplitude": {"below its range"}}
    ),
    P + "widgets.runtime.mulberry32": Entry(lambda: dict(seed=1, n=4), ranges={"n": (0, None)}),
    P + "widgets.runtime.script_json": Entry(lambda: dict(obj={"a": 1}), allow={"obj": ALL_TEXT}),
    P + "widgets.surrogate.surrogate_weight_gradient": Entry(
        lambda: dict(surrogate="arctan", sharpness=2.0, w=np.array([0.5, 1.0]))
    ),
    # -- entry points added after the grid (spike statistics, noise, synapses, studies, widgets) ---
    P + "coding_study.recognition_curve": Entry(
        lambda: dict(
            scheme="rate",
            train_images=rnd(8, 4, 4),
            train_labels=labels(8) % 2,
            test_images=rnd(4, 4, 4, seed=1),
            test_labels=labels(4) % 2,
            num_steps=3,
            batch_size=4,
        )
    ),
    P + "encoding.measures.prefix_errors": Entry(lambda: dict(scheme="rate", x=rnd(4), spikes=spk(3, 4))),
    P + "encoding.schemes.rate.bernoulli_fano": Entry(lambda: dict(p=0.3)),
    P + "encoding.schemes.rate.bernoulli_isi_cv": Entry(lambda: dict(p=0.3)),
    P + "encoding.schemes.rate.bernoulli_isi_pmf": Entry(  # k [*shape]: any shape, one interval too
        lambda: dict(k=torch.arange(1, 5), p=0.3), allow={"k": {"0-d tensor"}}
    ),
    P + "learning.bptt.bptt_by_hand": Entry(
        lambda: dict(x=spk(3, 2, 4), weights=[rnd(5, 4), rnd(3, 5, seed=1)], grad_spk=rnd(3, 2, 3))
    ),
    P + "learning.bptt.bptt_delta": Entry(lambda: dict(e=rnd(3, 2, 4), mem=rnd(3, 2, 4, seed=1))),
    P + "learning.bptt.lif_stack_forward": Entry(lambda: dict(x=spk(3, 2, 4), weights=[rnd(5, 4), rnd(3, 5, seed=1)])),
    P + "learning.study.scale_study": Entry(
        lambda: dict(x=rnd(8, 2), y=labels(8) % 2, epochs=1, hidden=4, num_steps=3, batch_size=4)
    ),
    P + "learning.study.scaled_surrogate": Entry(lambda: dict(surrogate="arctan", factor=0.5)),
    P + "learning.study.seed_study": Entry(
        lambda: dict(
            x=rnd(8, 2), y=labels(8) % 2, surrogates=["arctan"], seeds=(0,), epochs=1, hidden=4, num_steps=3, batch_size=4
        ),
        names={"seeds": ["seed"]},  # "each seed must be an integer >= 0" names the argument's items
    ),
    P + "neurons.noise.noise_std": Entry(lambda: dict(sigma_v=1.0)),
    P + "neurons.noise.noisy_current": Entry(lambda: dict(current=1.0, sigma_v=1.0, num_steps=5)),
    P + "neurons.noise.siegert_rate": Entry(lambda: dict(current=2.0, sigma_v=1.0, points=101)),
    P + "neurons.synaptic.conductance_lif_run": Entry(lambda: dict(g_exc=rnd(3, 2, 4), g_inh=rnd(3, 2, 4, seed=1))),
    P + "neurons.synaptic.conductance_lif_step": Entry(  # one step (elementwise): NaN propagates to the membrane
        lambda: dict(g_exc=rnd(2, 4), g_inh=rnd(2, 4, seed=1), state=None),
        allow={"g_inh": {"0-d tensor"}},  # one inhibitory conductance broadcasts to the layer
        propagate=("g_exc", "g_inh"),
    ),
    P + "neurons.synaptic.synaptic_run": Entry(lambda: dict(cur=rnd(3, 2, 4))),
    P + "neurons.synaptic.synaptic_step": Entry(  # one step on the hot path, as lif_step: elementwise, NaN propagates
        lambda: dict(cur=rnd(2, 4), state=None), allow={"cur": {"0-d tensor", "empty tensor"}}, propagate=("cur",)
    ),
    # alpha = 0 is documented: no synaptic memory, the plain LIF neuron (alpha in [0, 1])
    P + "neurons.synaptic.Synaptic": Entry(ranges={"alpha": (0.0, 1.0)}),
    P + "neurons.synaptic.SynapticParams": Entry(ranges={"alpha": (0.0, 1.0)}),
    P + "plot.learning.plot_seed_study": Entry(lambda: dict(study=seed_result())),
    P + "plot.lif.plot_noisy_fi": Entry(
        lambda: dict(currents=torch.linspace(0.0, 3.0, 4), rates=rnd(2, 4), cvs=rnd(2, 4, seed=1), sigmas=[1.0, 2.0])
    ),
    P + "plot.lif.plot_trial_raster": Entry(lambda: dict(spk=spk(10, 3))),
    P + "spikes.fano_factor": Entry(lambda: dict(counts=torch.tensor([[1.0, 2.0], [3.0, 2.0], [2.0, 4.0]]))),
    P + "spikes.interspike_intervals": Entry(lambda: dict(spikes=spk(10, 3, p=0.5))),
    P + "spikes.isi_cv": Entry(lambda: dict(spikes=spk(20, 3, p=0.5))),
    P + "synapses.conductance.check_reversals": Entry(lambda: dict(e_exc=3.5, e_inh=-0.5)),
    P + "synapses.conductance.conductance_from_efficacy": Entry(
        lambda: dict(efficacy=rnd(4), e_rev=3.5),
        allow={"efficacy": {"0-d tensor"}},  # one weight is a weight
    ),
    P + "synapses.conductance.conductance_step": Entry(
        lambda: dict(mem=rnd(2, 4), g_exc=rnd(2, 4, seed=1), g_inh=rnd(2, 4, seed=2), beta=0.9),
        allow={"g_exc": {"0-d tensor"}, "g_inh": {"0-d tensor"}},  # a conductance broadcasts to mem
        propagate=("mem", "g_exc", "g_inh"),  # a per-step primitive of the hot path
    ),
    P + "synapses.conductance.reversal": Entry(lambda: dict(e_mv=0.0)),
    P + "synapses.params.SynapseParams": Entry(  # tau = 0 is documented: an instantaneous synapse (INSTANT_CURRENT)
        ranges={"tau_exc": (0.0, None), "tau_inh": (0.0, None)}
    ),
    P + "synapses.exponential.decay_factor": Entry(
        lambda: dict(tau=5.0),
        allow={"tau": {"inf", "zero (must be > 0)"}},  # documented: 0 -> no trace, inf -> no decay
    ),
    P + "synapses.exponential.trace_run": Entry(
        lambda: dict(x=spk(3, 2, 4), alpha=0.8),
        allow={"alpha": {"zero (must be > 0)"}},  # alpha = 0: a trace with no memory
    ),
    P + "synapses.exponential.trace_step": Entry(
        lambda: dict(x=spk(2, 4), trace=None, alpha=0.8),
        allow={"x": {"0-d tensor", "empty tensor"}, "alpha": {"zero (must be > 0)"}},  # elementwise; alpha = 0: no memory
        propagate=("x",),  # a per-step primitive of the hot path
    ),
    P + "train.graphs.TrainStep": Entry(train_step_args),
    P + "train.graphs.use_graphs": Entry(lambda: dict(requested=None, device=torch.device("cpu"), compiled=False, world_size=1)),
    P + "widgets.animation.AnimationView": Entry(
        lambda: dict(frames=once("frames", lambda: widgets.animation_frames(tiny_animation()))), allow={"title": ALL_TEXT}
    ),
    P + "widgets.animation.animation": Entry(lambda: dict(anim=tiny_animation())),
    P + "widgets.animation.animation_frames": Entry(lambda: dict(anim=tiny_animation())),
    P + "widgets.controls.set_tooltip": Entry(lambda: dict(widget=tooltip_widget(), text="a tip"), allow={"text": ALL_TEXT}),
    P + "widgets.live.LiveExplorer": Entry(lambda: dict(explorer=explorer())),
    P + "widgets.runtime.extent": Entry(lambda: dict(arrays=[rnd(4)])),
    P + "widgets.runtime.js_fmt": Entry(lambda: dict(v=1.5)),
    P + "widgets.runtime.js_number": Entry(lambda: dict(x=1.5)),
    P + "widgets.runtime.js_round": Entry(lambda: dict(x=1.25, digits=1)),
}


def _restoring_display(fn, kwargs):
    before = widgets.display_mode()
    try:
        return fn(**kwargs)
    finally:
        widgets.set_display_mode(None if before == "auto" else before)


def _one_frame_explorer():
    return widgets.Explorer(
        name="one",
        title="One",
        controls=[widgets.Dropdown("a", "A", options=[1, 2], value=1)],
        compute=lambda a: {"a": a},
        plot=lambda d, f: None,
        figsize=(3.0, 2.0),
    )


def _method(cls_name: str, fn, make, **entry) -> Tuple[Any, Entry]:
    """A method entry: ``make()`` builds the instance, the grid perturbs the method's arguments."""
    return fn, Entry(call=lambda f, kw: getattr(make(), fn.__name__)(**kw), **entry)


METHODS: Dict[str, Tuple[Any, Entry]] = {
    "snnlib.models.mlp.SpikingMLP.forward": _method(
        "SpikingMLP", models.SpikingMLP.forward, mlp, valid=lambda: dict(x=rnd(2, 784))
    ),
    "snnlib.models.mlp.SpikingMLP.forward(plain)": _method(
        "SpikingMLP",
        models.SpikingMLP.forward,
        lambda: models.SpikingMLP(num_hidden=8, num_steps=3, fast=False),
        valid=lambda: dict(x=rnd(2, 784)),
    ),
    "snnlib.models.mlp.SpikingMLP.hidden_spikes": _method(
        "SpikingMLP", models.SpikingMLP.hidden_spikes, mlp, valid=lambda: dict(x=rnd(2, 784))
    ),
    "snnlib.neurons.lif.LIF.forward": _method(  # one step on the hot path: elementwise, NaN propagates
        "LIF",
        neurons.LIF.forward,
        neurons.LIF,
        valid=lambda: dict(cur=rnd(2, 3), mem=None),
        allow={"cur": {"0-d tensor", "empty tensor"}},
        propagate=("cur",),
    ),
    "snnlib.data.batches.Batches.set_epoch": _method(
        "Batches", data.Batches.set_epoch, lambda: data.Batches(images(4), labels(4), device="cpu"), valid=lambda: dict(epoch=1)
    ),
    "snnlib.data.batches.Batches.order": _method(
        "Batches", data.Batches.order, lambda: data.Batches(images(4), labels(4), device="cpu"), valid=lambda: dict(epoch=1)
    ),
    "snnlib.data.batches.Batches.normalise": _method(
        "Batches",
        data.Batches.normalise,
        lambda: data.Batches(images(4), labels(4), device="cpu"),
        valid=lambda: dict(x=images(2)),
        allow={"x": {"empty tensor"}},  # an empty batch normalises to an empty batch
    ),
    "snnlib.learning.toy.ToySNN.forward": _method(
        "ToySNN", learning.ToySNN.forward, lambda: learning.ToySNN(hidden=4, num_steps=3), valid=lambda: dict(x=rnd(4, 2))
    ),
    "snnlib.widgets.explorer.Explorer.html": _method("Explorer", widgets.Explorer.html, explorer, valid=lambda: dict(uid="x1")),
    "snnlib.widgets.controls.Slider.check": _method(  # messages name the slider ("s"), the value's name in compute
        "Slider",
        widgets.Slider.check,
        lambda: widgets.Slider("s", "S", 0.0, 1.0, 0.5, 0.5),
        valid=lambda: dict(value=0.5),
        names={"value": ["s"]},
    ),
}

# issue 15 (the MNIST chapter's recipe, energy and comparisons)
VALID.update(
    {
        P + "models.losses.mean_membrane_ce_loss": Entry(lambda: dict(mem_rec=rnd(3, 4, 10), y=labels(4))),
        P + "models.losses.summed_membrane_ce_loss": Entry(lambda: dict(mem_rec=rnd(3, 4, 10), y=labels(4))),
        P + "models.counting.layer_operations": Entry(lambda: dict(hidden_spikes=2800.0)),
        P + "models.counting.layer_energy": Entry(lambda: dict(ops=models.counting.layer_operations(2800.0)[0])),
        P + "train.augment.random_shift": Entry(
            lambda: dict(x=rnd(2, 28, 28), max_shift=1),
            # 0 switches the augmentation off (documented); x is a training batch on the hot path, whose
            # data were checked when loaded (a NaN may be shifted out of the frame, so it need not propagate)
            allow={"max_shift": {"zero count"}, "x": {"nan", "inf", "-inf"}},
        ),
        P + "train.augment.Shifter": Entry(
            lambda: dict(max_shift=1, seed=0, epoch=0, device="cpu"), allow={"max_shift": {"zero count"}}
        ),
        P + "train.recipes.recipe": Entry(lambda: dict(name="default")),
        P + "train.recipes.recipe_config": Entry(lambda: dict(name="default")),
        P + "train.recipes.recipe_of": Entry(lambda: dict(config=train.TrainConfig())),
    }
)

# names used only by some entries (keep the imports honest for the linter)
_ = (snl, coding_study, plot, spikes, cpu, _scheme)
