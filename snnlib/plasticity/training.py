"""Training the Diehl & Cook network, labelling its neurons and measuring its accuracy.

:func:`train` shows images one after the other with learning on (a tqdm bar, checkpoints written
atomically every ``checkpoint_every`` images, resumed from where they stopped); :func:`responses`
records spike counts with learning off; :func:`assign_labels` gives each neuron the class it
responds to most; :func:`predict` votes with the mean response of each class's neurons;
:func:`run_experiment` does all of it on MNIST and returns the numbers the command line writes.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Optional, Union

import torch

from .. import _checks, _io
from .. import data as _data
from .._core import one_cpu_thread
from .network import DiehlCookNet, DiehlCookParams, init_network, present

__all__ = [
    "train",
    "responses",
    "assign_labels",
    "predict",
    "accuracy",
    "save_checkpoint",
    "load_checkpoint",
    "run_experiment",
    "SOURCES",
    "flat_images",
    "evaluate",
]

SOURCES = ("auto", "full", "bundled")
CHECKPOINT_VERSION = 1


def flat_images(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``[N, 28, 28]`` (or float in [0, 1]) -> float32 intensities ``[N, 784]`` in [0, 1]."""
    return _flat(images, "images")


def _flat(images: torch.Tensor, name: str) -> torch.Tensor:
    images = _checks.tensor(images, name, "[N, 28, 28]", min_dim=2)
    flat = images.reshape(images.shape[0], -1)
    if flat.dtype == torch.uint8:
        return flat.float() / 255.0
    if not images.is_floating_point():
        raise TypeError(f"{name} must be uint8 pixels or float intensities in [0, 1] [N, 28, 28], got dtype {images.dtype}")
    flat = _checks.finite_tensor(flat.float(), name, "[N, 28, 28]")
    if float(flat.min()) < 0 or float(flat.max()) > 1:
        raise ValueError(f"{name} must be uint8 pixels or float intensities in [0, 1] of shape [N, 28, 28]")
    return flat


def _net_and_generator(net, generator) -> None:
    if not isinstance(net, DiehlCookNet):
        raise TypeError(f"net must be a DiehlCookNet (see init_network), got {_checks.describe(net)}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {_checks.describe(generator)}")


def _bar(total: int, desc: str, progress: bool, initial: int = 0):
    from tqdm.auto import tqdm

    progress = _checks.boolean(progress, "progress")
    return tqdm(total=total, initial=initial, desc=desc, disable=not progress, unit="img", mininterval=2.0)


def save_checkpoint(path, net: DiehlCookNet, seen: int, generator: torch.Generator) -> Path:
    """Write ``net``, the number of images seen and the random state to ``path`` atomically.

    Everything is a tensor or a plain Python value, so :func:`load_checkpoint` reads it with
    ``torch.load(..., weights_only=True)``: nothing on disk can run code.
    """
    if generator is None:
        raise TypeError("generator must be the torch.Generator of the run, got None")
    _net_and_generator(net, generator)
    seen = _checks.integer(seen, "seen", 0)
    obj = {
        "version": CHECKPOINT_VERSION,
        "w": net.w,
        "theta": net.theta,
        "seen": int(seen),
        "rng": generator.get_state(),
        "params": dataclasses.asdict(net.params),
    }
    return _io.atomic_write(path, lambda fh: torch.save(obj, fh))


def load_checkpoint(path):
    """``(net, seen, rng_state)`` from a file written by :func:`save_checkpoint`."""
    obj = torch.load(Path(path), map_location="cpu", weights_only=True)
    if not isinstance(obj, dict) or obj.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"{path} is not a snnlib.plasticity checkpoint (version {CHECKPOINT_VERSION})")
    net = DiehlCookNet(obj["w"].contiguous(), obj["theta"].contiguous(), DiehlCookParams(**obj["params"]))
    return net, int(obj["seen"]), obj["rng"]


def train(
    net: DiehlCookNet,
    images: torch.Tensor,
    generator: Optional[torch.Generator] = None,
    checkpoint: Union[str, Path, None] = None,
    checkpoint_every: int = 5000,
    resume: bool = True,
    progress: bool = True,
) -> DiehlCookNet:
    """Show each image of ``images`` (``[N, 28, 28]``) once, in order, with learning on.

    With ``checkpoint``, the state is saved there every ``checkpoint_every`` images and at the end;
    with ``resume`` and an existing file, training continues after the images it had seen (the
    random state too, so a resumed run equals an uninterrupted one). Returns the trained network
    (the one from the checkpoint when resuming).
    """
    _net_and_generator(net, generator)
    flat = flat_images(images)
    checkpoint_every = _checks.integer(checkpoint_every, "checkpoint_every", minimum=1)
    resume = _checks.boolean(resume, "resume")
    generator = generator if generator is not None else torch.Generator().manual_seed(0)
    start = 0
    if checkpoint is not None and resume and Path(checkpoint).exists():
        loaded, start, rng = load_checkpoint(checkpoint)
        if loaded.w.shape != net.w.shape or loaded.params != net.params:
            raise ValueError(
                f"checkpoint {checkpoint} holds another network (shape {tuple(loaded.w.shape)}, or other "
                f"parameters) than net (shape {tuple(net.w.shape)}); delete it or pass resume=False"
            )
        net = loaded
        generator.set_state(rng)
    with one_cpu_thread(), _bar(len(flat), "STDP training", progress, initial=start) as bar:
        for i in range(start, len(flat)):
            present(net, flat[i], learn=True, generator=generator)
            bar.update(1)
            if checkpoint is not None and ((i + 1) % checkpoint_every == 0 or i + 1 == len(flat)):
                save_checkpoint(checkpoint, net, i + 1, generator)
    return net


def responses(
    net: DiehlCookNet,
    images: torch.Tensor,
    generator: Optional[torch.Generator] = None,
    progress: bool = True,
    desc: str = "responses",
) -> torch.Tensor:
    """Spike counts ``[N_images, N_neurons]`` (int64) with learning and threshold adaptation off."""
    _net_and_generator(net, generator)
    flat = flat_images(images)
    generator = generator if generator is not None else torch.Generator().manual_seed(1)
    out = torch.zeros(len(flat), net.num_neurons, dtype=torch.int64)
    with one_cpu_thread(), _bar(len(flat), desc, progress) as bar:
        for i in range(len(flat)):
            out[i] = present(net, flat[i], learn=False, generator=generator)
            bar.update(1)
    return out


def _counts_labels(counts, labels, num_classes: int):
    counts = _checks.tensor(counts, "counts", "[N_images, N_neurons]", ndim=2, dtype="number")
    labels = _checks.tensor(labels, "labels", "[N_images]", ndim=1, dtype="integer")
    if labels.shape[0] != counts.shape[0]:
        raise ValueError(
            f"counts [N_images, N_neurons] and labels [N_images] must have the same N_images, got "
            f"{counts.shape[0]} and {labels.shape[0]}"
        )
    num_classes = _checks.integer(num_classes, "num_classes", minimum=1)
    if int(labels.min()) < 0 or int(labels.max()) >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes - 1}], got values from {int(labels.min())} to {int(labels.max())}")
    return counts.double(), labels.long(), num_classes


def assign_labels(counts: torch.Tensor, labels: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """Each neuron's class: the one with its highest mean spike count; ``-1`` for a neuron that never fired.

    ``counts`` ``[N_images, N_neurons]``, ``labels`` ``[N_images]`` -> ``[N_neurons]`` (int64).
    """
    counts, labels, num_classes = _counts_labels(counts, labels, num_classes)
    onehot = torch.nn.functional.one_hot(labels, num_classes).double()  # [N_images, C]
    per_class = onehot.T @ counts / onehot.sum(0).clamp_min(1.0)[:, None]  # [C, N_neurons]
    out = per_class.argmax(0)
    out[counts.sum(0) == 0] = -1
    return out


def predict(counts: torch.Tensor, assignments: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """The class whose neurons respond most on average: ``[N_images, N_neurons]`` -> ``[N_images]`` (int64)."""
    counts = _checks.tensor(counts, "counts", "[N_images, N_neurons]", ndim=2, dtype="number").double()
    assignments = _checks.tensor(assignments, "assignments", "[N_neurons]", ndim=1, dtype="integer")
    if assignments.shape[0] != counts.shape[1]:
        raise ValueError(
            f"assignments [N_neurons] must have N_neurons = {counts.shape[1]} (counts' second "
            f"dimension), got shape {tuple(assignments.shape)}"
        )
    num_classes = _checks.integer(num_classes, "num_classes", minimum=1)
    onehot = torch.zeros(counts.shape[1], num_classes, dtype=torch.float64)
    ok = assignments >= 0
    onehot[ok.nonzero().reshape(-1), assignments[ok].long()] = 1.0
    size = onehot.sum(0)
    score = counts @ onehot / size.clamp_min(1.0)
    score[:, size == 0] = -1.0  # a class without neurons is never predicted
    return score.argmax(1)


def accuracy(predicted: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of ``predicted`` ``[N]`` equal to ``labels`` ``[N]`` (in [0, 1])."""
    predicted = _checks.tensor(predicted, "predicted", "[N]", ndim=1, dtype="integer")
    labels = _checks.tensor(labels, "labels", "[N]", ndim=1, dtype="integer")
    _checks.same_shape(predicted, labels, "predicted", "labels", "[N]")
    return float((predicted.long() == labels.long()).double().mean())


def run_experiment(
    num_neurons: int = 100,
    source: str = "auto",
    root=None,
    train_images: Optional[int] = None,
    label_images: Optional[int] = None,
    test_images: Optional[int] = None,
    seed: int = 0,
    lateral_inhibition: bool = True,
    adaptive_threshold: bool = True,
    checkpoint: Union[str, Path, None] = None,
    progress: bool = True,
    overrides: Optional[dict] = None,
    validation_images: Optional[int] = None,
) -> dict:
    """Train on the first ``train_images`` training images (default: all), label the neurons on the
    first ``label_images`` (default: ``min(train_images, 10000)``) with learning off, test on the
    first ``test_images`` test images (default: all). Returns a dict of plain numbers (the JSON of
    the command line): ``accuracy`` in [0, 1], ``neurons``, ``train_images``, ``seconds`` ...,
    and ``params``, every parameter of the network. ``overrides`` (``{name: value}``) replaces
    parameters of :class:`DiehlCookParams` (e.g. ``{"stdp_rule": "triplet"}``).

    ``validation_images`` (``V``, for choosing parameters without looking at the test set): the
    last ``V`` training images are held out (never trained on, never used for labelling; training
    then defaults to the first ``60000 - V``) and the result's ``validation_accuracy`` is measured on
    them, beside the test ``accuracy``.
    """
    num_neurons = _checks.integer(num_neurons, "num_neurons", minimum=1)
    source = _checks.choice(source, "source", SOURCES)
    seed = _checks.integer(seed, "seed")
    overrides = {} if overrides is None else overrides
    if not isinstance(overrides, dict):
        raise TypeError(f"overrides must be a dict {{parameter: value}} or None, got {_checks.describe(overrides)}")
    names = {f.name for f in dataclasses.fields(DiehlCookParams)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"overrides: unknown parameters {unknown}; DiehlCookParams has {sorted(names)}")
    x_train, y_train = _data.load_mnist("train", source=source, root=root)
    x_test, y_test = _data.load_mnist("test", source=source, root=root)
    full = len(x_train) == 60000

    def _count(value, name, default, available):
        value = default if value is None else _checks.integer(value, name, minimum=1)
        if value > available:
            raise ValueError(f"{name}={value} but the {'full' if full else 'bundled'} set has only {available}")
        return value

    n_val = 0 if validation_images is None else _count(validation_images, "validation_images", 0, len(x_train) - 1)
    usable = len(x_train) - n_val
    n_train = _count(train_images, "train_images", usable, usable)
    n_label = _count(label_images, "label_images", min(n_train, 10000), usable)
    n_test = _count(test_images, "test_images", len(x_test), len(x_test))
    params = DiehlCookParams(
        lateral_inhibition=_checks.boolean(lateral_inhibition, "lateral_inhibition"),
        adaptive_threshold=_checks.boolean(adaptive_threshold, "adaptive_threshold"),
    )
    params = dataclasses.replace(params, **overrides)
    net = init_network(num_neurons, params=params, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    net = train(net, x_train[:n_train], gen, checkpoint=checkpoint, progress=progress)
    t_train = time.perf_counter() - t0
    gen_eval = torch.Generator().manual_seed(seed + 1)
    c_label = responses(net, x_train[:n_label], gen_eval, progress, "labelling")
    assignments = assign_labels(c_label, y_train[:n_label])
    c_test = responses(net, x_test[:n_test], gen_eval, progress, "testing")
    acc = accuracy(predict(c_test, assignments), y_test[:n_test])
    extra = {}
    if n_val:
        c_val = responses(net, x_train[usable:], gen_eval, progress, "validating")
        extra = {"validation_images": n_val, "validation_accuracy": accuracy(predict(c_val, assignments), y_train[usable:])}
    seconds = time.perf_counter() - t0
    return {
        "accuracy": acc,
        **extra,
        "neurons": num_neurons,
        "train_images": n_train,
        "label_images": n_label,
        "test_images": n_test,
        "source": "full" if full else "bundled",
        "seed": seed,
        "lateral_inhibition": params.lateral_inhibition,
        "adaptive_threshold": params.adaptive_threshold,
        "train_seconds": t_train,
        "seconds": seconds,
        "classes_covered": int(torch.unique(assignments[assignments >= 0]).numel()),
        "silent_neurons": int((assignments < 0).sum()),
        "mean_test_spikes": float(c_test.sum(1).double().mean()),
        "threads": 1,
        "theta_mean_mV": float(net.theta.mean()),
        "theta_max_mV": float(net.theta.max()),
        "params": dataclasses.asdict(params),
    }


def evaluate(
    net: DiehlCookNet,
    label_images: torch.Tensor,
    label_labels: torch.Tensor,
    test_images: torch.Tensor,
    test_labels: torch.Tensor,
    seed: int = 1,
    progress: bool = False,
) -> float:
    """Label the neurons on ``label_images`` ``[N, 28, 28]``, then the accuracy in [0, 1] on ``test_images``."""
    _net_and_generator(net, None)
    for name, images, labels in (("label", label_images, label_labels), ("test", test_images, test_labels)):
        _flat(images, f"{name}_images")
        _checks.tensor(labels, f"{name}_labels", "[N]", ndim=1, dtype="integer")
    _checks.boolean(progress, "progress")
    gen = torch.Generator().manual_seed(_checks.integer(seed, "seed"))
    assignments = assign_labels(responses(net, label_images, gen, progress, "labelling"), label_labels)
    return accuracy(predict(responses(net, test_images, gen, progress, "testing"), assignments), test_labels)
