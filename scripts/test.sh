#!/usr/bin/env bash
# Set up and run the whole test suite (the README's second command). Installs the Python
# requirements, Debian's Chromium (for the browser tests) and Debian's Fashion-MNIST (for the data
# tests of the second data set), then runs pytest: the tests build the
# book in quick mode (warnings as errors, every notebook executed) and check it.
# Extra arguments go to pytest (e.g. -m "not slow" for the fast tests only).
# The exit status is pytest's: non-zero when a test fails, 5 when no test was collected.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements.txt
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >/dev/null \
      || echo "warning: could not install chromium; the browser tests will be skipped" >&2
  else
    echo "warning: no chromium and no root apt-get; the browser tests will be skipped" >&2
  fi
fi
if [ ! -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dataset-fashion-mnist) \
      >/dev/null || echo "warning: could not install dataset-fashion-mnist; its data tests will be skipped" >&2
  fi
fi
export SNNLIB_QUICK=1
# Kernels and tests import this checkout's snnlib even if another copy is installed.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -m pytest "$@"
