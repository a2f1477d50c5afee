"""One module per coding scheme.

Each module defines a scheme's encoder and decoder (and their helpers), lists its public names in
``__all__`` and registers the scheme with :func:`snnlib.encoding.registry.register`.
:mod:`snnlib.encoding` imports every module here (modules whose name starts with ``_`` excepted)
and re-exports their ``__all__``: adding a scheme is one new file here and its test.
"""
