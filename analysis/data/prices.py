"""Price sources: the ``PriceSource`` interface, the CSV folder source, ``open_source`` and panels.

Every source returns the same frame (the contract every later step relies on):
a ``DatetimeIndex`` named ``Date`` (tz-naive, midnight, the *exchange-local* trading date,
nanosecond resolution), float64 columns :data:`PRICE_COLUMNS`, sorted ascending, unique dates.

Value policy (one place, shared by the CSV reader and the Yahoo source, see :func:`clean_values`):

* ``Close`` / ``Adj Close`` that are zero, negative or infinite are refused (DataError naming
  the symbol, column, date and value): a return computed from them would be a silent wrong number;
* any price outside :data:`PRICE_RANGE` (1e-10 to 1e12: ``1e300``, the subnormal ``5e-324``)
  is refused the same way: no security trades there, and returns from it overflow;
* ``Open`` / ``High`` / ``Low`` that are zero or negative become NaN: Yahoo writes 0 for a missing
  open (e.g. 2800.HK in 2009) and those columns never feed a return; ``quality.check_prices`` on
  the raw read still reports them;
* empty cells, ``null`` and ``NaN`` are missing values (NaN), reported by ``quality.check_prices``;
* unsorted dates are sorted; a date repeated with identical values is kept once; a date repeated
  with *different* values is refused (DataError naming the dates), since no rule can choose.
  ``CsvFolderSource.check`` reports what the raw file contained before this clean-up.
"""

from __future__ import annotations

import abc
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, InputError, UnknownTickerError
from .exchanges import validate_symbol
from .textfile import not_a_file, read_utf8

PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Adj Close", "Volume")
_OHLC = ("Open", "High", "Low", "Close", "Adj Close")
_STRICT_POSITIVE = ("Close", "Adj Close")
# no real price lies outside this range; values such as 1e300 or 5e-324 (subnormal) are damaged
# data whose returns and variances overflow to inf or lose every digit
PRICE_RANGE = (1e-10, 1e12)
_MISSING_TOKENS = {"", "nan", "null", "none", "na", "n/a", "-"}
# a date cell: YYYY-MM-DD, optionally a wall-clock time and a UTC offset (yfinance history())
_DATE_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s*(?:[+-]\d{2}:?\d{2}|Z|UTC))?$"
)
_MIN_DATE = pd.Timestamp("1800-01-01")
_MAX_DATE = pd.Timestamp("2200-12-31")


# --------------------------------------------------------------------------- symbols

# --------------------------------------------------------------------------- interface

class PriceSource(abc.ABC):
    """Where daily prices come from. ``name`` describes it for figure source lines."""

    name: str = "price source"

    @abc.abstractmethod
    def load(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        """Daily bars of ``symbol`` between ``start`` and ``end`` (inclusive dates)."""

    def load_many(self, symbols: Iterable[str], start=None, end=None) -> dict[str, pd.DataFrame]:
        """``{symbol: frame}``; sources that can batch (Yahoo) override this."""
        return {s: self.load(s, start, end) for s in dict.fromkeys(symbols)}

    def check(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        """Data-quality findings for ``symbol`` (see :func:`analysis.data.quality.check_prices`)."""
        from .quality import check_prices
        return check_prices(self.load(symbol, start, end), symbol)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name}>"


def _bound(value, what: str) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"{what} date is not a date: {value!r}") from exc
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def date_range_bounds(start=None, end=None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Parse ``start``/``end`` (None, text, date) into midnight Timestamps; InputError if inverted."""
    lo, hi = _bound(start, "start"), _bound(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"start date {lo.date()} is after end date {hi.date()}")
    return lo, hi


def slice_dates(frame: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    lo, hi = date_range_bounds(start, end)
    if lo is None and hi is None:
        return frame
    return frame.loc[lo:hi]


# --------------------------------------------------------------------------- values

def clean_values(frame: pd.DataFrame, symbol: str, where: str) -> pd.DataFrame:
    """Apply the value policy of this module (see the module docstring) to a sorted frame."""
    out = frame.copy()
    values = out[list(_OHLC)].to_numpy()
    bad_inf = ~np.isfinite(values) & ~np.isnan(values)
    for col in _STRICT_POSITIVE:
        s = out[col]
        bad = s <= 0
        if bad.any():
            d = s.index[bad.to_numpy()][0]
            raise DataError(f"{where}: non-positive {col} {float(s[d])!r} for {symbol} on {d.date()} "
                            f"({int(bad.sum())} such rows)")
    if bad_inf.any():
        r, c = np.argwhere(bad_inf)[0]
        raise DataError(f"{where}: infinite {_OHLC[c]} {float(values[r, c])!r} for {symbol} on "
                        f"{out.index[r].date()}")
    with np.errstate(invalid="ignore"):
        extreme = (values > PRICE_RANGE[1]) | ((values > 0) & (values < PRICE_RANGE[0]))
    if extreme.any():
        r, c = np.argwhere(extreme)[0]
        raise DataError(f"{where}: implausible {_OHLC[c]} {float(values[r, c])!r} for {symbol} on "
                        f"{out.index[r].date()} (prices must lie between {PRICE_RANGE[0]:g} and "
                        f"{PRICE_RANGE[1]:g}; returns from it would overflow)")
    vol = out["Volume"]
    if (vol < 0).any() or np.isinf(vol.to_numpy()).any():
        d = vol.index[((vol < 0) | np.isinf(vol)).to_numpy()][0]
        raise DataError(f"{where}: invalid Volume {float(vol[d])!r} for {symbol} on {d.date()}")
    for col in ("Open", "High", "Low"):
        out[col] = out[col].where(~(out[col] <= 0))
    return out


def finalize(raw: pd.DataFrame, symbol: str, where: str) -> pd.DataFrame:
    """Raw bars (any order, duplicates allowed) -> the contract frame, or DataError."""
    frame = raw.loc[:, list(PRICE_COLUMNS)].astype("float64")
    frame.index = pd.DatetimeIndex(frame.index).as_unit("ns")
    frame.index.name = "Date"
    frame = frame.sort_index(kind="stable")
    dup = frame.index.duplicated(keep=False)
    if dup.any():
        block = frame[dup]
        # identical repeats are harmless; different values on one date cannot be resolved
        differs = block.groupby(level=0).nunique(dropna=False).gt(1).any(axis=1)
        if differs.any():
            dates = [str(d.date()) for d in differs.index[differs.to_numpy()][:5]]
            raise DataError(f"{where}: {symbol} has conflicting rows for the same date: {', '.join(dates)}")
        frame = frame[~frame.index.duplicated(keep="first")]
    if frame[list(_STRICT_POSITIVE)].isna().all().any():
        col = [c for c in _STRICT_POSITIVE if frame[c].isna().all()][0]
        raise DataError(f"{where}: {symbol} has no {col} values at all")
    return clean_values(frame, symbol, where)


# --------------------------------------------------------------------------- CSV reading

def _canonical(name: str) -> str:
    return re.sub(r"[\s_]+", "", str(name)).lower()


_CANON = {_canonical(c): c for c in (*PRICE_COLUMNS, "Date", "Datetime", "Dividends", "Stock Splits",
                                    "Capital Gains")}
_CANON["adjclose"] = "Adj Close"


def _read_text(path: Path, symbol: str) -> str:
    return read_utf8(path, "price file", error=DataError,
                     missing=UnknownTickerError(f"no prices for {symbol}: {path} does not exist"))


def parse_price_csv(path: str | os.PathLike, symbol: str | None = None) -> pd.DataFrame:
    """Read a price CSV into raw bars: file order kept, duplicates kept, values as written.

    Accepted layouts:

    * the snapshot / classic Yahoo layout ``Date,Open,High,Low,Close,Adj Close,Volume``;
    * a yfinance ``history()`` export: tz-aware ``Date`` such as ``2021-03-26 00:00:00+08:00``,
      no ``Adj Close`` and ``Dividends``/``Stock Splits`` columns. history() prices are already
      adjusted for splits and dividends, so ``Adj Close = Close``. The date is the wall-clock
      (exchange-local) date written in the file, never converted to UTC first;
    * a yfinance ``download()`` export with its ``Price``/``Ticker``/``Date`` header rows.

    A file without ``Adj Close`` that is not a history() export is refused: nothing says whether
    its Close is adjusted. Raises DataError (naming the file and the problem) on anything else.
    """
    path = Path(path)
    symbol = symbol or path.stem
    text = _read_text(path, symbol)
    if "\x00" in text:
        raise DataError(f"price file {path} contains NUL bytes (not a CSV text file)")
    if not text.strip():
        raise DataError(f"price file {path} is empty")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None,
                            skip_blank_lines=True, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"price file {path} is not a valid CSV: {first}") from exc
    if table.empty:
        raise DataError(f"price file {path} is empty")
    table = table.fillna("")          # short rows: the missing trailing cells are empty
    header = [str(h).strip() for h in table.iloc[0].tolist()]
    body = table.iloc[1:]
    line_no = np.arange(2, len(table) + 1)
    # yfinance download() export: Price,<cols>... / Ticker,<sym>... / Date,,,... header rows
    if header and header[0].lower() == "price" and len(body) >= 2:
        second = str(body.iloc[0, 0]).strip().lower()
        third = str(body.iloc[1, 0]).strip().lower()
        if second == "ticker" and third in ("date", "datetime"):
            header = ["Date", *header[1:]]
            body, line_no = body.iloc[2:], line_no[2:]
    names = [_CANON.get(_canonical(h), h) for h in header]
    seen = [n for n in names if names.count(n) > 1]
    if seen:
        raise DataError(f"price file {path} has duplicate columns: {sorted(set(seen))}")
    if "Datetime" in names and "Date" not in names:
        names[names.index("Datetime")] = "Date"
    body = body.set_axis(names, axis=1)
    history_export = "Dividends" in names or "Stock Splits" in names
    needed = ["Date", "Open", "High", "Low", "Close", "Volume"]
    if not history_export:
        needed.insert(5, "Adj Close")
    missing = [c for c in needed if c not in names]
    if missing:
        raise DataError(f"price file {path} is missing columns {missing} (has {header})")
    if body.empty:
        raise DataError(f"price file {path} has a header but no rows")

    raw_dates = body["Date"].str.strip()
    parts = raw_dates.str.extract(_DATE_RE, expand=False)
    parsed = pd.to_datetime(parts, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() | (parsed < _MIN_DATE) | (parsed > _MAX_DATE)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"price file {path}, line {line_no[i]}: unparseable date {raw_dates.iloc[i]!r}")

    cols = {}
    for col in PRICE_COLUMNS:
        if col == "Adj Close" and col not in names:
            continue
        cells = body[col].str.strip()
        missing_cell = cells.str.lower().isin(_MISSING_TOKENS)
        nums = pd.to_numeric(cells.where(~missing_cell), errors="coerce")
        bad = nums.isna() & ~missing_cell
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"price file {path}, line {line_no[i]}: non-numeric {col} {cells.iloc[i]!r}")
        cols[col] = nums.astype("float64").to_numpy()
    if "Adj Close" not in cols:
        cols["Adj Close"] = cols["Close"].copy()     # history() export: already adjusted
    raw = pd.DataFrame({c: cols[c] for c in PRICE_COLUMNS},
                       index=pd.DatetimeIndex(parsed.to_numpy(), name="Date").as_unit("ns"))
    if raw[list(_OHLC)].isna().all(axis=1).all():
        raise DataError(f"price file {path} has no price values at all")
    return raw


def read_price_csv(path: str | os.PathLike, symbol: str | None = None) -> pd.DataFrame:
    """Read and normalise one price CSV into the contract frame (see :func:`parse_price_csv`)."""
    path = Path(path)
    symbol = symbol or path.stem
    return finalize(parse_price_csv(path, symbol), symbol, f"price file {path}")


class CsvFolderSource(PriceSource):
    """A folder of ``<SYMBOL>.csv`` files (e.g. the offline snapshot).

    ``stale="missing"`` turns flat zero-volume bars into missing prices on load
    (see :func:`analysis.data.quality.apply_stale`).
    """

    def __init__(self, folder: str | os.PathLike, *, stale: str = "keep"):
        from .quality import check_stale_setting
        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise DataError(f"prices folder does not exist: {self.folder}")
        self.stale = check_stale_setting(stale)
        self.name = f"CSV folder {self.folder}"
        self._memo: dict[Path, tuple[tuple[int, int], pd.DataFrame]] = {}

    def path_for(self, symbol: str) -> Path:
        s = validate_symbol(symbol)
        exact = self.folder / f"{s}.csv"
        if exact.is_file():
            return exact
        upper = self.folder / f"{s.upper()}.csv"
        if upper.is_file():
            return upper
        for path in (exact, upper):       # there, but not a file: say what it is
            problem = not_a_file(path)
            if problem != "does not exist":
                raise DataError(f"no prices for {s}: price file {path} {problem}")
        raise UnknownTickerError(f"no prices for {s}: {exact} does not exist")

    def load_raw(self, symbol: str) -> pd.DataFrame:
        """The bars as written in the file (file order, duplicates kept): for quality checks."""
        return parse_price_csv(self.path_for(symbol), validate_symbol(symbol))

    def load(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        from .quality import apply_stale
        s = validate_symbol(symbol)
        path = self.path_for(s)
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        hit = self._memo.get(path)
        if hit is not None and hit[0] == stamp:     # a batch loads the same index many times
            frame = hit[1]
        else:
            frame = finalize(parse_price_csv(path, s), s, f"price file {path}")
            self._memo[path] = (stamp, frame)
        # copy-on-write (pandas 3): callers cannot change the memoised frame through the result
        return apply_stale(slice_dates(frame, start, end), self.stale)

    def check(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        """Quality findings on the file as written (before sorting and de-duplication)."""
        from .quality import check_prices
        raw = self.load_raw(symbol)
        lo, hi = date_range_bounds(start, end)
        if lo is not None:
            raw = raw[raw.index >= lo]
        if hi is not None:
            raw = raw[raw.index <= hi]
        return check_prices(raw, validate_symbol(symbol))

    def symbols(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.csv"))


# --------------------------------------------------------------------------- entry points

def load_panel(source: PriceSource, symbols: Iterable[str], start=None, end=None,
               column: str = "Adj Close") -> pd.DataFrame:
    """Wide frame of one price column: union of dates x symbols, NaN where a symbol has no bar."""
    if column not in PRICE_COLUMNS:
        raise InputError(f"unknown price column {column!r} (one of {', '.join(PRICE_COLUMNS)})")
    names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
    if not names:
        raise InputError("no symbols given for the price panel")
    frames = source.load_many(names, start, end)
    panel = pd.concat({s: frames[s][column] for s in names}, axis=1, sort=True)
    panel.index = pd.DatetimeIndex(panel.index).as_unit("ns")
    panel.index.name = "Date"
    panel.columns.name = "symbol"
    return panel.astype("float64")
