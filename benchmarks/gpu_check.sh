#!/usr/bin/env bash
# The GPU check of the MNIST chapter: on a machine with a CUDA GPU, in about five minutes and with
# nothing installed from the network, it
#   1. runs the CUDA tests (the Triton kernels against the loop, no host synchronisation in a step,
#      CUDA-graph steps equal to eager ones, bf16),
#   2. measures training samples/s of every variant of the library's path, the snnTorch reference
#      and the plain-PyTorch reference side by side (benchmarks/gpu.py),
#   3. times 5 epochs of the recipe at batch 128, a test pass after each, with peak GPU memory,
# and writes benchmarks/results/gpu.json (GPU_CHECK_OUT=FILE writes it elsewhere), which
# book/gpu.md renders. On a machine without a CUDA GPU it says so and exits 0 at once.
#
#   bash benchmarks/gpu_check.sh            # from the repository root (or anywhere)
set -u
cd "$(dirname "$0")/.." || exit 1
OUT="${GPU_CHECK_OUT:-benchmarks/results/gpu.json}"
PY="${PYTHON:-python3}"

no_gpu() {
  echo "gpu_check: no CUDA GPU on this machine ($1): nothing to measure, $OUT left as it is."
  exit 0
}
command -v nvidia-smi >/dev/null 2>&1 || no_gpu "no nvidia-smi"
nvidia-smi -L >/dev/null 2>&1 || no_gpu "nvidia-smi sees no GPU"
"$PY" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null \
  || no_gpu "torch.cuda.is_available() is False"

export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export SNNLIB_DOWNLOAD=0 PIP_NO_INDEX=1 TRITON_INTERPRET=0   # offline; real Triton kernels
nvidia-smi -L
"$PY" -c "import torch, triton; print('torch', torch.__version__, 'CUDA', torch.version.cuda, 'triton', triton.__version__)"

# 1. the CUDA tests (their outcome goes into the JSON)
TESTS_JSON="$(mktemp)"
start=$(date +%s)
timeout 150 "$PY" -m pytest -q -p no:cacheprovider tests/test_gpu_path.py \
  tests/test_engine.py::test_auto_reports_the_backend_it_ran -m "not slow" -x 2>&1 | tee "$TESTS_JSON.log" | tail -15
status=${PIPESTATUS[0]}
"$PY" - "$TESTS_JSON" "$status" "$(( $(date +%s) - start ))" <<'EOF'
import json, sys
path, status, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tail = open(path + ".log").read().strip().splitlines()[-1:]
json.dump({"command": "pytest tests/test_gpu_path.py (CUDA)", "returncode": status, "seconds": seconds,
           "summary": tail[0] if tail else ""}, open(path, "w"))
EOF

# 2. and 3. the measurements
timeout 240 "$PY" benchmarks/gpu.py --json "$OUT" --tests-json "$TESTS_JSON"
bench=$?
rm -f "$TESTS_JSON" "$TESTS_JSON.log"
echo "gpu_check: tests exit status $status, measurements exit status $bench, $(( $(date +%s) - start )) s in all"
[ "$status" -eq 0 ] && [ "$bench" -eq 0 ]
