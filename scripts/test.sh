#!/usr/bin/env bash
# Set up and run the whole test suite (the README's second command). Installs the Python
# requirements and Debian's Chromium for the browser test, builds the book in quick mode (inside
# the tests), then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements.txt
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
      || echo "warning: could not install chromium; the browser tests will be skipped" >&2
  fi
fi
export SNNLIB_QUICK=1
python3 -m pytest "$@"
