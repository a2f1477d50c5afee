#!/usr/bin/env bash
# Set up and build the whole book (the README's first command): installs the Python requirements
# (torch/torchvision pinned, Jupyter Book 1, snnlib itself in editable mode), then builds the HTML
# book into _build/html, executing every notebook.
#
# Full workloads by default (the real experiments: the MNIST chapter trains for a while, much
# faster on a GPU). SNNLIB_QUICK=1 bash scripts/build_book.sh builds in quick mode, in minutes.
# Extra arguments go to jupyter-book (e.g. -W -n --keep-going to treat warnings as errors).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements.txt
# Notebook kernels import this checkout's snnlib even if another copy is installed.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
echo "building the book ($(python3 -c 'import snnlib as s; print("quick mode" if s.quick_mode() else "full mode")'))"
if command -v jupyter-book >/dev/null 2>&1; then
  jupyter-book build . "$@"
else  # pip's script folder is not on PATH: run the same command line through Python
  python3 -c "from jupyter_book.cli.main import main; main()" build . "$@"
fi
echo "the book is in $PWD/_build/html (open _build/html/index.html)"
