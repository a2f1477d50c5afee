"""Distributed training: two CPU processes over gloo (``torchrun``, localhost) train what one does.

The batch size is the global batch; each process trains its part of every batch, weighted by its
share, so two processes equal one to float rounding, also through a checkpoint and a resume.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from snnlib import train as T
from snnlib.train.distributed import SINGLE, World

ROOT = Path(__file__).resolve().parent.parent

#: A small run: batch 127 splits 63 / 64 (unequal parts: the weights matter), constant schedule so
#: that a run resumed with more epochs is the longer run.
RUN = dict(batch_size=127, num_steps=8, schedule="constant", source="bundled", device="cpu", seed=3, max_batches=3, max_test=300)


def _flags(**kw):
    flags = []
    for key, value in kw.items():
        flags += [f"--{key.replace('_', '-')}", str(value)]
    return flags


def test_a_world_splits_every_global_batch():
    batches = [(torch.arange(14.0).reshape(7, 2), torch.arange(7)), (torch.zeros(4, 2), torch.arange(4))]
    parts = [list(World(rank, 2).batches(batches)) for rank in range(2)]
    for b, (x, y) in enumerate(batches):
        assert torch.equal(torch.cat([p[b][0] for p in parts]), x) and torch.equal(torch.cat([p[b][1] for p in parts]), y)
        # the shares of the mean loss add up to one, and each process counts the global batch
        assert sum(p[b][2] / 2 for p in parts) == pytest.approx(1.0) and {p[b][3] for p in parts} == {len(y)}
    assert [p[0][1].tolist() for p in parts] == [[0, 1, 2], [3, 4, 5, 6]]
    assert next(iter(SINGLE.batches(batches)))[2:] == (1.0, 7)
    with pytest.raises(ValueError, match="cannot be split over 8 processes"):
        list(World(0, 8).batches(batches))
    loss = torch.tensor(2.0)
    assert SINGLE.share(loss, 1.0) is loss and SINGLE.sum(loss) is loss


@pytest.mark.slow  # two torchrun launches of two processes: about 40 s on a busy 2-core machine
def test_two_processes_equal_one_with_checkpoint_and_resume(tmp_path):
    """``torchrun --nproc_per_node=2 -m snnlib.train``: 1 epoch with a checkpoint, then resumed to 2,
    against one process training 2 epochs in this process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "snnlib.train"]
    common = [*_flags(**RUN), "--threads", "1", "--quiet", "--checkpoint", str(tmp_path / "ck")]
    for epochs, extra, name in ((1, [], "one.json"), (2, ["--resume"], "two.json")):
        cmd = [*torchrun, *common, "--epochs", str(epochs), *extra, "--json", str(tmp_path / name)]
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
        assert proc.stdout.count("done: test accuracy") == 1, "only rank 0 reports"
    first, both = (json.loads((tmp_path / n).read_text()) for n in ("one.json", "two.json"))
    assert first["world_size"] == both["world_size"] == 2 and both["completed"]

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        single = T.fit(T.TrainConfig(epochs=2, **RUN), progress=False)
    finally:
        torch.set_num_threads(threads)
    assert single.history["world_size"] == 1
    torch.testing.assert_close(torch.tensor(both["loss"]), torch.tensor(single.history["loss"]), rtol=1e-5, atol=1e-5)
    assert both["loss"][:3] == first["loss"]
    assert [e["test_accuracy"] for e in both["epochs"]] == [e["test_accuracy"] for e in single.history["epochs"]]
    saved = torch.load(tmp_path / "ck" / "last.pt", weights_only=False)
    assert saved["epoch"] == 1
    for name, value in single.model.state_dict().items():
        torch.testing.assert_close(saved["model"][name], value, rtol=1e-4, atol=1e-4, msg=f"{name} differs")
