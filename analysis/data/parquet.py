"""Prices of many symbols in one parquet dataset (long format), read symbol by symbol.

A dataset is a parquet file or a folder of them (any layout pyarrow reads: plain files,
``symbol=XXX/`` hive folders, files written by pandas, pyarrow, dask or Spark), one row per
(symbol, date):

    symbol, Date, Open, High, Low, Close, Adj Close, Volume

``symbol`` and ``Date`` can be named otherwise (``symbol_column``, ``date_column``);
``Close`` and ``Adj Close`` are required (nothing else says whether a close is adjusted),
``Open``/``High``/``Low``/``Volume`` may be absent (missing values). Dates are the
exchange-local trading dates (a tz-aware timestamp gives its wall-clock date). Every frame goes
through the same value policy as a CSV file (:func:`analysis.data.prices.finalize`).

Reading a few symbols reads only their rows: the filter ``symbol in (...)`` skips hive folders
and, in a file sorted by symbol, the row groups of other symbols (parquet statistics). This is
how a worker of a distributed study reads its partition's tickers
(:mod:`analysis.core.distributed`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, UnknownTickerError
from .exchanges import validate_symbol
from .prices import PRICE_COLUMNS, PriceSource, date_range_bounds, finalize

_OPTIONAL = ("Open", "High", "Low", "Volume")


def is_dataset(folder: str | os.PathLike) -> bool:
    """True for a folder holding parquet files (or ``key=value`` hive folders) and no CSV file."""
    folder = Path(folder)
    if not folder.is_dir() or any(folder.glob("*.csv")):
        return False
    return any(folder.glob("*.parquet")) or any(p.is_dir() and "=" in p.name for p in folder.iterdir())


def _symbol_values(names, sym_type):
    """The symbols as an arrow array of the dataset's symbol type (dictionary columns: their values)."""
    import pyarrow as pa

    values = pa.array(names, type=pa.string())
    if pa.types.is_dictionary(sym_type):
        sym_type = sym_type.value_type
    if not (pa.types.is_string(sym_type) or pa.types.is_large_string(sym_type)):
        values = values.cast(sym_type)
    return values


class ParquetDatasetSource(PriceSource):
    """Daily prices from a parquet dataset (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, *, symbol_column: str = "symbol", date_column: str = "Date",
                 stale: str = "keep"):
        from .quality import check_stale_setting
        self.path = Path(path).expanduser()
        if not self.path.exists():
            raise DataError(f"prices dataset does not exist: {self.path}")
        self.symbol_column, self.date_column = symbol_column, date_column
        self.stale = check_stale_setting(stale)
        self.name = f"parquet dataset {self.path}"
        self._ds = None

    def __getstate__(self):                      # the opened dataset is not sent to workers
        state = dict(self.__dict__)
        state["_ds"] = None
        return state

    def dataset(self):
        import pyarrow.dataset as ds

        if self._ds is None:
            try:
                self._ds = ds.dataset(str(self.path), format="parquet", partitioning="hive",
                                      exclude_invalid_files=False, ignore_prefixes=[".", "_"])
            except (OSError, ValueError) as exc:
                raise DataError(f"prices dataset {self.path} cannot be read: {exc}") from None
            names = set(self._ds.schema.names)
            need = [c for c in (self.symbol_column, self.date_column, "Close", "Adj Close") if c not in names]
            if need:
                raise DataError(f"prices dataset {self.path} has no column {need[0]!r} "
                                f"(has {', '.join(sorted(names))})")
        return self._ds

    def read(self, symbols: Iterable[str], start=None, end=None) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """``({symbol: frame}, {symbol: why not})`` for ``symbols``, in one scan of the dataset."""
        frames, errors = self._read(symbols, start, end)
        return frames, {s: str(e) for s, e in errors.items()}

    def _read(self, symbols, start=None, end=None) -> tuple[dict[str, pd.DataFrame], dict[str, DataError]]:
        import pyarrow as pa
        import pyarrow.dataset as ds

        names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        if not names:
            return {}, {}
        data = self.dataset()
        schema = data.schema
        expr = ds.field(self.symbol_column).isin(_symbol_values(names, schema.field(self.symbol_column).type))
        lo, hi = date_range_bounds(start, end)
        cols = [self.symbol_column, self.date_column] + [c for c in PRICE_COLUMNS if c in schema.names]
        try:
            table = data.to_table(columns=cols, filter=expr)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise DataError(f"prices dataset {self.path} cannot be read: {exc}") from None
        frame = self._dated(table.to_pandas())
        symbols_of_rows = frame.pop(self.symbol_column).astype(str).to_numpy(dtype=object)
        frames, failed = _split(frame, symbols_of_rows, self.name)
        for s in names:
            if s not in frames and s not in failed:
                failed[s] = UnknownTickerError(f"no prices for {s} in {self.name}")
        frames = {s: frames[s] for s in names if s in frames}
        frames = {s: _stale(f, self.stale) for s, f in frames.items()}   # judged on the whole series
        if lo is not None or hi is not None:
            frames = {s: f.loc[lo:hi] for s, f in frames.items()}
        return frames, failed

    def _dated(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows indexed by their (naive, midnight) date, every optional price column present."""
        dates = pd.to_datetime(frame[self.date_column])
        if isinstance(dates.dtype, pd.DatetimeTZDtype):
            dates = dates.dt.tz_localize(None)
        frame = frame.drop(columns=[self.date_column]).set_index(pd.DatetimeIndex(dates.dt.normalize()))
        for c in _OPTIONAL:
            if c not in frame.columns:
                frame[c] = np.nan
        return frame

    def load(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        return self.load_many([symbol], start, end)[validate_symbol(symbol)]

    def load_many(self, symbols, start=None, end=None) -> dict[str, pd.DataFrame]:
        frames, errors = self._read(symbols, start, end)
        if errors:
            raise next(iter(errors.values()))
        return frames

    def symbols(self) -> list[str]:
        col = self.dataset().to_table(columns=[self.symbol_column])[self.symbol_column]
        return sorted(map(str, pd.unique(col.to_pandas())))


def _split(frame: pd.DataFrame, symbols: np.ndarray, where: str) -> tuple[dict, dict]:
    """The rows of many symbols (dates as index) to ``{symbol: contract frame}`` and
    ``{symbol: DataError}``. The value policy is :func:`analysis.data.prices.finalize`'s: a
    symbol with anything it would change or refuse (a repeated date, a non-positive or
    infinite close, a zero open/high/low, a bad volume, no close at all) goes through
    ``finalize`` itself; the others, sorted, are already what it returns and are cut out of
    the sorted table directly (no per-symbol pandas work)."""
    frames, failed = {}, {}
    if not len(frame):
        return frames, failed
    codes, uniq = pd.factorize(symbols)
    days = frame.index.to_numpy(dtype="datetime64[ns]")
    order = np.lexsort((days, codes))
    codes, days = codes[order], days[order]
    values = frame[list(PRICE_COLUMNS)].to_numpy(dtype=float)[order]
    close, ohl, vol = values[:, [3, 4]], values[:, :3], values[:, 5]
    with np.errstate(invalid="ignore"):
        bad = ((close <= 0) | np.isinf(close)).any(axis=1) | ((ohl <= 0) | np.isinf(ohl)).any(axis=1) \
            | (vol < 0) | np.isinf(vol)
    bad[1:] |= (codes[1:] == codes[:-1]) & (days[1:] == days[:-1])
    g = len(uniq)
    trouble = np.bincount(codes, weights=bad, minlength=g) > 0
    trouble |= (np.bincount(codes, weights=~np.isnan(close[:, 0]), minlength=g) == 0) \
        | (np.bincount(codes, weights=~np.isnan(close[:, 1]), minlength=g) == 0)
    bounds = np.searchsorted(codes, np.arange(g + 1))
    index = pd.DatetimeIndex(days, name="Date").as_unit("ns")
    for j, sym in enumerate(uniq):
        a, b = bounds[j], bounds[j + 1]
        if trouble[j]:
            raw = pd.DataFrame(values[a:b], index=index[a:b], columns=list(PRICE_COLUMNS))
            try:
                frames[sym] = finalize(raw, sym, where)
            except DataError as exc:
                failed[sym] = exc
        else:
            frames[sym] = pd.DataFrame(values[a:b], index=index[a:b], columns=list(PRICE_COLUMNS))
    return frames, failed


def _stale(frame: pd.DataFrame, stale: str) -> pd.DataFrame:
    from .quality import apply_stale
    return apply_stale(frame, stale)


def write_dataset(frames: dict[str, pd.DataFrame], path: str | os.PathLike, *, files: int = 1,
                  symbol_column: str = "symbol") -> Path:
    """Write ``{symbol: price frame}`` as a parquet dataset readable by :class:`ParquetDatasetSource`:
    ``files`` files ``part-NNNNN.parquet``, rows sorted by symbol and date, one row group per
    symbol (so that a filter on symbols skips the others)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    names = sorted(frames)
    for j, chunk in enumerate(np.array_split(np.array(names, dtype=object), max(1, int(files)))):
        if not len(chunk):
            continue
        tmp = path / f".part-{j:05d}.parquet.tmp"
        writer = None
        try:
            for s in chunk:
                f = frames[s].reset_index()
                f.insert(0, symbol_column, s)
                table = pa.Table.from_pandas(f.rename(columns={f.columns[1]: "Date"}), preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table, row_group_size=max(len(f), 1))
        finally:
            if writer is not None:
                writer.close()
        os.replace(tmp, path / f"part-{j:05d}.parquet")
    return path
