"""Data files that installed packages ship and the company universe reads, found where pip put
them (``importlib.util.find_spec``) without importing the packages: an import costs time in
every command, and ``investpy``'s pulls in its dead network code.

- ``investpy/resources/stocks.csv``: the broad stock list (:mod:`analysis.events.broad`);
- ``pytickersymbols/indices_data.py``: the index constituents (:mod:`analysis.events.companies`).

:mod:`analysis.events.listings` stats both for the signature of its ticker cache, so that
``batch`` reads a sample's company map without importing the extraction rules.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

INVESTPY = "investpy"
_INVESTPY_STOCKS = ("resources", "stocks.csv")


def _package_folder(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def investpy_stocks() -> Path | None:
    """``investpy/resources/stocks.csv`` where pip installed it, or None (not installed)."""
    folder = _package_folder(INVESTPY)
    path = folder.joinpath(*_INVESTPY_STOCKS) if folder is not None else None
    return path if path is not None and path.is_file() else None


def tickersymbols_data() -> Path | None:
    """``pytickersymbols/indices_data.py`` where pip installed it, or None (not installed)."""
    folder = _package_folder("pytickersymbols")
    path = folder / "indices_data.py" if folder is not None else None
    return path if path is not None and path.is_file() else None
