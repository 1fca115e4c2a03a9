"""Choosing a price source from the settings, and a source over frames already in memory.

:func:`open_source` is the one place that knows every source: the CSV folder
(:class:`~analysis.data.prices.CsvFolderSource`), a parquet dataset of many symbols
(:class:`~analysis.data.parquet.ParquetDatasetSource`, a ``prices_dir`` holding parquet files
and no CSV) and Yahoo Finance behind the parquet cache
(:class:`~analysis.data.cache.CachedYahooSource`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .. import config
from ..errors import UnknownTickerError
from .cache import CachedYahooSource
from .exchanges import validate_symbol
from .parquet import ParquetDatasetSource, is_dataset
from .prices import CsvFolderSource, PriceSource, slice_dates


def open_source(prices_dir=None, cache_dir=None, offline=None, *, stale: str = "keep") -> PriceSource:
    """The configured source: the CSV folder when ``prices_dir`` resolves (argument or
    ``ANALYSIS_PRICES_DIR``; a parquet dataset when that folder holds parquet files and no
    CSV), else Yahoo Finance behind the parquet cache (``cache_dir``),
    with network forbidden when ``offline`` (argument or ``ANALYSIS_OFFLINE``)."""
    folder = config.prices_dir(prices_dir)
    if folder is not None and is_dataset(folder):
        return ParquetDatasetSource(folder, stale=stale)
    if folder is not None:
        return CsvFolderSource(folder, stale=stale)
    return CachedYahooSource(config.cache_dir(cache_dir), offline=config.offline(offline), stale=stale)


class MemorySource(PriceSource):
    """Price frames already loaded (``{symbol: frame}``), served as a source: later steps of a
    study (price limits, figures) read what the study loaded instead of reading files again."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], name: str = "prices in memory"):
        self.frames = dict(frames)
        self.name = name

    def load(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        s = validate_symbol(symbol)
        frame = self.frames.get(s)
        if frame is None:
            frame = next((f for k, f in self.frames.items() if k.upper() == s.upper()), None)
        if frame is None:
            raise UnknownTickerError(f"no prices for {s} in {self.name}")
        return slice_dates(frame, start, end)
