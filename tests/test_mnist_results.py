"""The MNIST chapter's committed results agree with the code: the ablation's best row is the CLI default,
the energy per layer follows from the operation counts, and the benchmark scripts run end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from snnlib import models as M
from snnlib import train as T

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "benchmarks"))


def _json(name):
    path = RESULTS / name
    if not path.exists():
        pytest.skip(f"{path} is not committed yet")
    return json.loads(path.read_text())


def test_the_ablation_starts_at_the_reference_and_ends_at_the_default():
    import ablation

    recipes = ablation.row_recipes()
    assert ablation.ROWS[0]["name"] == "reference" and recipes["reference"] == T.recipe("snntorch tutorial")
    assert recipes[ablation.best_row()] == T.recipe("default"), "the CLI defaults must be the ablation's best row"
    for row in ablation.ROWS[1:]:
        base = recipes[row["base"]]
        changed = {k for k in base if base[k] != recipes[row["name"]][k]}
        assert changed == set(row["fields"]) and changed, f"row {row['name']!r} must change exactly its fields"
    kept = [r for r in ablation.ROWS if r["kept"]]
    for prev, row in zip(kept, kept[1:]):
        assert row["base"] == prev["name"], "the kept rows form one chain from the reference to the default"


def test_committed_ablation_matches_the_rows():
    import ablation

    rec = _json("ablation.json")
    recipes = ablation.row_recipes()
    assert [r["name"] for r in rec["rows"]] == [r["name"] for r in ablation.ROWS]
    assert rec["best_row"] == ablation.best_row() and rec["default_recipe"] == T.recipe("default")
    for row in rec["rows"]:
        assert row["recipe"] == recipes[row["name"]], f"row {row['name']!r} was run with another recipe"
        if row["runs"]:
            accs = [r["final_test_accuracy"] for r in row["runs"]]
            assert row["summary"]["mean_accuracy"] == pytest.approx(sum(accs) / len(accs))
    best = {r["name"]: r for r in rec["rows"]}[rec["best_row"]]
    assert [r["seed"] for r in best["runs"]] == [0, 1, 2]


def test_energy_per_layer_follows_from_the_counts():
    ops = M.layer_operations(2000.0, num_steps=25)
    assert [(o.network, o.macs, o.acs, o.membrane_updates) for o in ops] == [
        ("ANN", 784000.0, 0.0, 0.0),
        ("ANN", 10000.0, 0.0, 0.0),
        ("SNN", 784000.0, 0.0, 25000.0),
        ("SNN", 0.0, 20000.0, 250.0),
    ]
    e = M.layer_energy(ops[3])
    assert e["acs"] == pytest.approx(20000 * 0.9 / 1000) and e["membrane_updates"] == pytest.approx(250 * 5.5 / 1000)
    assert M.layer_energy(ops[0])["total"] == pytest.approx(784000 * 4.6 / 1000)
    spiking = M.layer_operations(2000.0, input_spikes=300.0, nonzero_inputs=150.0)
    assert spiking[2].macs == 0 and spiking[2].acs == 300.0 * 1000 and spiking[0].macs == 150.0 * 1000
    sc = M.energy_scenario("SNN", ops, "SNN")
    assert sc["total_nj"] == pytest.approx(sum(M.layer_energy(o)["total"] for o in ops[2:]))
    with pytest.raises(ValueError, match="network"):
        M.energy_scenario("x", ops, "CNN")
    with pytest.raises(ValueError, match="hidden_spikes"):
        M.layer_operations(-1.0)
    with pytest.raises(ValueError, match="int32_add"):
        M.layer_energy(ops[0], {"fp32_add": 1.0}, kind="int32")


def test_committed_energy_matches_the_ablation():
    energy, ablation = _json("energy.json"), _json("ablation.json")
    rows = {r["name"]: r for r in ablation["rows"]}
    assert energy["hidden_spikes"]["ours"] == pytest.approx(rows[ablation["best_row"]]["summary"]["mean_hidden_spikes"])
    assert energy["hidden_spikes"]["reference"] == pytest.approx(rows["reference"]["summary"]["mean_hidden_spikes"])
    assert energy["per_op_pj"] == M.HOROWITZ_45NM
    for sc in energy["scenarios"]:
        assert sc["total_nj"] == pytest.approx(sum(r["energy_nj"]["total"] for r in sc["layers"]))


def test_plot_layer_energy_draws_one_panel_per_layer():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ops = M.layer_operations(1500.0)
    axes = __import__("snnlib").plot.plot_layer_energy(
        [M.energy_scenario("ANN", ops, "ANN"), M.energy_scenario("SNN", ops, "SNN")]
    )
    assert len(axes) == 2 and axes[0].figure.get_size_inches()[0] <= 6.9
    plt.close("all")
    with pytest.raises(ValueError, match="layers"):
        __import__("snnlib").plot.plot_layer_energy([{"name": "a", "layers": []}])


@pytest.mark.slow
def test_ablation_energy_and_reference_scripts_run(tmp_path):
    """The three scripts run end to end on the bundled subset with tiny settings."""
    abl, energy, ref = tmp_path / "ablation.json", tmp_path / "energy.json", tmp_path / "reference.json"
    common = ["--source", "bundled", "--threads", "1"]
    tiny = ["--seeds", "0", "--epochs", "1", "--max-batches", "2"]
    for args in (
        ["ablation.py", "--rows", "reference", "readout", *tiny, "--json", str(abl)],
        ["energy.py", "--ablation", str(abl), "--source", "bundled", "--ours", "readout", "--json", str(energy)],
        ["reference.py", *tiny, "--lockstep-steps", "2", "--ablation", str(abl), "--json", str(ref)],
    ):
        extra = common if args[0] != "energy.py" else []
        proc = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / args[0]), *args[1:], *extra],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = {r["name"]: r for r in json.loads(abl.read_text())["rows"]}
    assert [r["seed"] for r in rows["reference"]["runs"]] == [0] and not rows["schedule"]["runs"]
    assert len(json.loads(energy.read_text())["scenarios"]) == 6
    rec = json.loads(ref.read_text())
    assert rec["lockstep"][0]["initial_weights_equal"] and rec["lockstep"][0]["max_relative_loss_difference"] < 1e-4
    assert 0 <= rec["snntorch_runs"][0]["final_test_accuracy"] <= 1
    assert torch.__version__ == rec["torch"]
