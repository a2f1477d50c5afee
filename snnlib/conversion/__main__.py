"""``python -m snnlib.conversion``: train, convert and measure (see :mod:`snnlib.conversion.experiment`)."""

from .experiment import main

if __name__ == "__main__":
    raise SystemExit(main())
