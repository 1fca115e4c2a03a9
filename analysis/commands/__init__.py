"""One module per CLI command; see :mod:`analysis.cli`. Shared options live in ``_options``."""
