"""How long the "From ANN to SNN" notebook takes to run, in full or quick mode.

    nice -n 10 python benchmarks/conversion_notebook_time.py --mode full [--root DIR] [--threads 1]
    python benchmarks/conversion_notebook_time.py --mode quick

It executes ``notebooks/06_ann_to_snn.ipynb`` top to bottom in a fresh Jupyter kernel (nbclient, the
notebook's folder as the working directory, outputs discarded) and records the wall time of the
whole run and of its slowest cells, the machine (cores, torch threads), the load average before and
after (``uptime``: other jobs share the CPU and stretch the wall time; the kernel's CPU time,
user + system over all its threads, is what the run costs on an idle machine), the mode and where MNIST was
read from. Full mode (``SNNLIB_QUICK`` unset) reads full MNIST from ``--root`` (exported as
``SNNLIB_DATA``); quick mode sets ``SNNLIB_QUICK=1`` (the bundled subset). Each mode's entry of the
JSON (default ``benchmarks/results/conversion_notebook_time.json``) is replaced, the other kept.
Goals (issue 19): full mode within 20 minutes on a 2-core CPU, quick mode within 1 minute.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, default_mnist_root

NOTEBOOK = ROOT / "notebooks" / "06_ann_to_snn.ipynb"
OUT = ROOT / "benchmarks" / "results" / "conversion_notebook_time.json"
#: The goals, seconds.
GOALS = {"full": 20 * 60, "quick": 60}


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _cell_seconds(cell) -> float:
    t = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return float("nan")
    return (end - start).total_seconds()


def run(mode: str, root, threads: int, timeout: int) -> dict:
    """Execute the notebook once in ``mode``; returns the record of the run."""
    import nbclient
    import nbformat

    env = {k: v for k, v in os.environ.items() if k != "SNNLIB_QUICK"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["OMP_NUM_THREADS"] = str(threads)
    env["MPLBACKEND"] = "Agg"
    if mode == "quick":
        env["SNNLIB_QUICK"] = "1"
    elif root:
        env["SNNLIB_DATA"] = str(root)
    text = NOTEBOOK.read_bytes()
    nb = nbformat.reads(text.decode("utf-8"), 4)
    setup = f"import torch; torch.set_num_threads({threads})"
    nb.cells.insert(0, nbformat.v4.new_code_cell(setup))  # torch's threads, before the notebook's own cells
    probe = (
        "import json, resource; _ru = resource.getrusage(resource.RUSAGE_SELF); "
        'print("TIMING_PROBE " + json.dumps({"num_train": len(tr_y), "num_test": int(n_test), '
        '"kernel_cpu_seconds": _ru.ru_utime + _ru.ru_stime}))'
    )
    nb.cells.append(nbformat.v4.new_code_cell(probe))  # how much data the notebook used
    load_before, uptime_before = os.getloadavg(), _uptime()
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this environment
    try:
        start = time.perf_counter()
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        )
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(old)
    load_after, uptime_after = os.getloadavg(), _uptime()
    probe = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []) if o.get("name") == "stdout")
    used = json.loads(probe.split("TIMING_PROBE ", 1)[1]) if "TIMING_PROBE " in probe else {}
    cells = [
        {"cell": i, "seconds": round(_cell_seconds(c), 2), "first_line": c.source.splitlines()[0][:70] if c.source else ""}
        for i, c in enumerate(nb.cells[1:-1], 1)
        if c.cell_type == "code"
    ]
    slowest = sorted((c for c in cells if c["seconds"] == c["seconds"]), key=lambda c: -c["seconds"])[:6]
    return {
        "mode": mode,
        "seconds": round(seconds, 1),
        "goal_seconds": GOALS[mode],
        "within_goal": seconds <= GOALS[mode],
        "slowest_cells": slowest,
        "data": "bundled subset" if mode == "quick" else f"full MNIST ({root or 'searched'})",
        "kernel_cpu_seconds": round(used["kernel_cpu_seconds"], 1) if "kernel_cpu_seconds" in used else None,
        "num_train_images": used.get("num_train"),
        "num_test_images": used.get("num_test"),
        "torch_threads": threads,
        "cpu_count": os.cpu_count(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": sys.version.split()[0],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "uptime_before": uptime_before,
        "uptime_after": uptime_after,
        "niceness": os.nice(0),
        "notebook_sha256": hashlib.sha256(text).hexdigest(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", choices=sorted(GOALS), default="full")
    p.add_argument("--root", default=default_mnist_root(), help="folder with full MNIST (full mode)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads of the kernel (a shared machine: 1)")
    p.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args(argv)
    from snnlib import _io

    record = run(args.mode, args.root, args.threads, args.timeout)
    print(json.dumps(record, indent=1))
    try:
        old = json.loads(Path(args.out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    runs = dict(old.get("runs", {}))
    runs[args.mode] = record
    _io.atomic_write_json(args.out, {"notebook": str(NOTEBOOK.relative_to(ROOT)), "goals_seconds": GOALS, "runs": runs})
    print(f"wrote {args.out}: {args.mode} mode {record['seconds']:.0f} s (goal {GOALS[args.mode]} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
