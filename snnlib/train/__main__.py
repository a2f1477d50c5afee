"""``python -m snnlib.train``: see :mod:`snnlib.train.cli`."""

import sys

from .cli import main

sys.exit(main())
