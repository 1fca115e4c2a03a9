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
    #: how many :meth:`load` calls may run at once on threads (a source whose reading is done
    #: outside the interpreter lock, by pyarrow, and whose state is safe to share sets it > 1)
    threads: int = 1

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

def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_strict_positive(values: np.ndarray, dates: pd.DatetimeIndex, symbol: str, where: str) -> None:
    """Close / Adj Close that are zero or negative (-inf included) are refused."""
    for col in _STRICT_POSITIVE:
        v = values[:, PRICE_COLUMNS.index(col)]
        bad = v <= 0
        if bad.any():
            i = _first_bad(bad)
            raise DataError(f"{where}: non-positive {col} {float(v[i])!r} for {symbol} on {dates[i].date()} "
                            f"({int(bad.sum())} such rows)")


def _check_finite(values: np.ndarray, dates: pd.DatetimeIndex, symbol: str, where: str) -> None:
    """An infinite price, or a negative or infinite Volume, is refused."""
    prices = values[:, :len(_OHLC)]
    bad_inf = np.isinf(prices)
    if bad_inf.any():
        r, c = np.argwhere(bad_inf)[0]
        raise DataError(f"{where}: infinite {_OHLC[c]} {float(prices[r, c])!r} for {symbol} on "
                        f"{dates[r].date()}")
    with np.errstate(invalid="ignore"):
        extreme = (prices > PRICE_RANGE[1]) | ((prices > 0) & (prices < PRICE_RANGE[0]))
    if extreme.any():
        r, c = np.argwhere(extreme)[0]
        raise DataError(f"{where}: implausible {_OHLC[c]} {float(prices[r, c])!r} for {symbol} on "
                        f"{dates[r].date()} (prices must lie between {PRICE_RANGE[0]:g} and "
                        f"{PRICE_RANGE[1]:g}; returns from it would overflow)")
    vol = values[:, PRICE_COLUMNS.index("Volume")]
    bad = (vol < 0) | np.isinf(vol)
    if bad.any():
        i = _first_bad(bad)
        raise DataError(f"{where}: invalid Volume {float(vol[i])!r} for {symbol} on {dates[i].date()}")


def clean_values(frame: pd.DataFrame, symbol: str, where: str) -> pd.DataFrame:
    """Apply the value policy of this module (see the module docstring) to a sorted frame of
    :data:`PRICE_COLUMNS`; a new frame (the input is not changed)."""
    if list(frame.columns) != list(PRICE_COLUMNS):
        frame = frame.loc[:, list(PRICE_COLUMNS)]
    return _apply_policy(frame.to_numpy(dtype="float64", copy=True), frame.index, symbol, where)


def _apply_policy(values: np.ndarray, dates: pd.DatetimeIndex, symbol: str, where: str) -> pd.DataFrame:
    """The value policy on the (n, 6) array of a sorted frame (changed in place): the contract
    frame, or DataError."""
    _check_strict_positive(values, dates, symbol, where)
    _check_finite(values, dates, symbol, where)
    ohl = values[:, :3]                                # Open, High, Low
    ohl[ohl <= 0] = np.nan
    return pd.DataFrame(values, index=dates, columns=_COLUMNS.copy())


def _check_not_empty(values: np.ndarray, symbol: str, where: str) -> None:
    """A Close or Adj Close column without a single value is refused."""
    strict = values[:, [PRICE_COLUMNS.index(c) for c in _STRICT_POSITIVE]]
    empty = np.isnan(strict).all(axis=0)
    if empty.any():
        raise DataError(f"{where}: {symbol} has no {_STRICT_POSITIVE[_first_bad(empty)]} values at all")


def _contract_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """float64 :data:`PRICE_COLUMNS` on a nanosecond ``DatetimeIndex`` named ``Date`` (the
    frame itself when it already is one, as the CSV reader's frames are)."""
    frame = raw if list(raw.columns) == list(PRICE_COLUMNS) else raw.loc[:, list(PRICE_COLUMNS)]
    if not all(dt == np.float64 for dt in frame.dtypes):
        frame = frame.astype("float64")
    index = frame.index
    if not (isinstance(index, pd.DatetimeIndex) and index.unit == "ns" and index.name == "Date"):
        frame = frame.set_axis(pd.DatetimeIndex(index, name="Date").as_unit("ns"), axis=0)
    return frame


def _sorted_unique(frame: pd.DataFrame, symbol: str, where: str) -> pd.DataFrame:
    """Dates sorted; a date repeated with identical values kept once; different values refused."""
    if frame.index.is_monotonic_increasing and frame.index.is_unique:
        return frame                                   # the usual file: nothing to do
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
    return frame


def finalize(raw: pd.DataFrame, symbol: str, where: str) -> pd.DataFrame:
    """Raw bars (any order, duplicates allowed) -> the contract frame, or DataError."""
    frame = _sorted_unique(_contract_frame(raw), symbol, where)
    values = frame.to_numpy(dtype="float64", copy=True)
    _check_not_empty(values, symbol, where)
    return _apply_policy(values, frame.index, symbol, where)


# --------------------------------------------------------------------------- CSV reading

def _canonical(name: str) -> str:
    return re.sub(r"[\s_]+", "", str(name)).lower()


_CANON = {_canonical(c): c for c in (*PRICE_COLUMNS, "Date", "Datetime", "Dividends", "Stock Splits",
                                    "Capital Gains")}
_CANON["adjclose"] = "Adj Close"
# the header of the snapshot / classic Yahoo layout, read by the fast path
_PLAIN_HEADER = "Date," + ",".join(PRICE_COLUMNS)
_COLUMNS = pd.Index(PRICE_COLUMNS)                # copied into each frame (cheaper than a new Index)
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9])      # positions of the digits in YYYY-MM-DD


def _read_text(path: Path, symbol: str) -> str:
    text = read_utf8(path, "price file", error=DataError,
                     missing=UnknownTickerError(f"no prices for {symbol}: {path} does not exist"))
    if "\x00" in text:
        raise DataError(f"price file {path} contains NUL bytes (not a CSV text file)")
    if not text.strip():
        raise DataError(f"price file {path} is empty")
    return text


def _plain_dates(dates) -> pd.DatetimeIndex | None:
    """The dates of a snapshot-layout file (pyarrow's string column of the ``Date`` cells): every
    one written exactly ``YYYY-MM-DD`` (a real calendar date inside the accepted range), else
    None. Ten bytes per cell, so the digits are checked on the column's buffer as one (n, 10)
    array."""
    import pyarrow as pa

    dates = dates.combine_chunks() if isinstance(dates, pa.ChunkedArray) else dates
    n = len(dates)
    if n == 0 or dates.null_count or dates.offset:
        return None
    offsets = np.frombuffer(dates.buffers()[1], dtype=np.int32, count=n + 1)
    if offsets[0] != 0 or offsets[-1] != 10 * n or not (np.diff(offsets) == 10).all():
        return None
    cells = np.frombuffer(dates.buffers()[2], dtype=np.uint8, count=10 * n).reshape(n, 10).astype(np.int32) - 48
    digits = cells[:, _DIGITS]                                           # '-' is -3
    if not ((digits >= 0) & (digits <= 9)).all() or not (cells[:, [4, 7]] == -3).all():
        return None
    year = ((cells[:, 0] * 10 + cells[:, 1]) * 10 + cells[:, 2]) * 10 + cells[:, 3]
    month, day = cells[:, 5] * 10 + cells[:, 6], cells[:, 8] * 10 + cells[:, 9]
    if not ((month >= 1) & (month <= 12) & (day >= 1)).all():
        return None
    first = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = first.astype("datetime64[D]") + (day - 1)
    if (days.astype("datetime64[M]") != first).any():          # e.g. 2021-02-30
        return None
    if year.min() < _MIN_DATE.year or year.max() > _MAX_DATE.year:
        return None
    return pd.DatetimeIndex(days.astype("datetime64[ns]"), name="Date")


def _arrow_options():
    """pyarrow CSV options of the fast path: the seven snapshot columns, numbers as float64,
    dates as text (checked by :func:`_plain_dates`), no cell read as missing (a missing cell
    is a parse error, and the general path names it)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {"Date": pa.string(), **{c: pa.float64() for c in PRICE_COLUMNS}}
    return (pacsv.ReadOptions(use_threads=True),
            pacsv.ParseOptions(newlines_in_values=False),
            pacsv.ConvertOptions(column_types=types, include_columns=["Date", *PRICE_COLUMNS],
                                 null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False))


def _plain_arrays(text: str) -> tuple[np.ndarray, pd.DatetimeIndex] | None:
    """The fast path: a file in the snapshot layout (``Date,Open,...,Volume`` header, one
    ``YYYY-MM-DD`` date and six numbers on every line, no empty cell) read by pyarrow's CSV
    reader in one call: the (n, 6) float64 values and the dates. None when the file is anything
    else (then :func:`_parse_general` reads it, and names any problem)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if text.partition("\n")[0].rstrip("\r") != _PLAIN_HEADER:
        return None
    try:
        table = pacsv.read_csv(pa.py_buffer(text.encode("utf-8")), *_arrow_options())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError, TypeError):
        return None
    if table.num_rows == 0 or table.column_names != ["Date", *PRICE_COLUMNS]:
        return None
    values = np.empty((table.num_rows, len(PRICE_COLUMNS)), dtype="float64")
    for j, c in enumerate(PRICE_COLUMNS):
        values[:, j] = table.column(c).to_numpy()
    if np.isnan(values).any():          # a NaN cell: the general path reads its token
        return None
    dates = _plain_dates(table.column("Date"))
    return None if dates is None else (values, dates)


def _parse_plain(text: str) -> pd.DataFrame | None:
    """:func:`_plain_arrays` as raw bars (a frame), or None."""
    arrays = _plain_arrays(text)
    return None if arrays is None else pd.DataFrame(arrays[0], index=arrays[1], columns=_COLUMNS.copy())


def _read_cells(text: str, path: Path) -> pd.DataFrame:
    """Every cell as text (no header row taken), or DataError when the text is not a CSV."""
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None,
                            skip_blank_lines=True, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"price file {path} is not a valid CSV: {first}") from exc
    if table.empty:
        raise DataError(f"price file {path} is empty")
    return table.fillna("")          # short rows: the missing trailing cells are empty


def _header_rows(table: pd.DataFrame) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """The header, the body rows and their line numbers; a yfinance download() export's
    ``Price,<cols>`` / ``Ticker,<sym>`` / ``Date,,,`` header rows become one header."""
    header = [str(h).strip() for h in table.iloc[0].tolist()]
    body = table.iloc[1:]
    line_no = np.arange(2, len(table) + 1)
    if header and header[0].lower() == "price" and len(body) >= 2:
        second = str(body.iloc[0, 0]).strip().lower()
        third = str(body.iloc[1, 0]).strip().lower()
        if second == "ticker" and third in ("date", "datetime"):
            header = ["Date", *header[1:]]
            body, line_no = body.iloc[2:], line_no[2:]
    return header, body, line_no


def _column_names(header: list[str], path: Path) -> list[str]:
    """Canonical column names (``adj_close`` -> ``Adj Close``); DataError on duplicates."""
    names = [_CANON.get(_canonical(h), h) for h in header]
    seen = [n for n in names if names.count(n) > 1]
    if seen:
        raise DataError(f"price file {path} has duplicate columns: {sorted(set(seen))}")
    if "Datetime" in names and "Date" not in names:
        names[names.index("Datetime")] = "Date"
    return names


def _check_columns(names: list[str], header: list[str], body: pd.DataFrame, path: Path) -> None:
    """The columns a layout needs are there, and there is at least one row."""
    history_export = "Dividends" in names or "Stock Splits" in names
    needed = ["Date", "Open", "High", "Low", "Close", "Volume"]
    if not history_export:
        needed.insert(5, "Adj Close")
    missing = [c for c in needed if c not in names]
    if missing:
        raise DataError(f"price file {path} is missing columns {missing} (has {header})")
    if body.empty:
        raise DataError(f"price file {path} has a header but no rows")


def _parse_dates(cells: pd.Series, line_no: np.ndarray, path: Path) -> pd.DatetimeIndex:
    """Date cells (a date, optionally a wall-clock time and offset: the written date is kept)."""
    raw_dates = cells.str.strip()
    parts = raw_dates.str.extract(_DATE_RE, expand=False)
    parsed = pd.to_datetime(parts, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() | (parsed < _MIN_DATE) | (parsed > _MAX_DATE)
    if bad.any():
        i = _first_bad(bad.to_numpy())
        raise DataError(f"price file {path}, line {line_no[i]}: unparseable date {raw_dates.iloc[i]!r}")
    return pd.DatetimeIndex(parsed.to_numpy(), name="Date").as_unit("ns")


def _parse_numbers(cells: pd.Series, col: str, line_no: np.ndarray, path: Path) -> np.ndarray:
    """Number cells; missing tokens (empty, null, NaN, ...) are NaN; anything else is refused."""
    cells = cells.str.strip()
    missing_cell = cells.str.lower().isin(_MISSING_TOKENS)
    nums = pd.to_numeric(cells.where(~missing_cell), errors="coerce")
    bad = nums.isna() & ~missing_cell
    if bad.any():
        i = _first_bad(bad.to_numpy())
        raise DataError(f"price file {path}, line {line_no[i]}: non-numeric {col} {cells.iloc[i]!r}")
    return nums.astype("float64").to_numpy()


def _parse_general(text: str, path: Path) -> pd.DataFrame:
    """Any accepted layout (see :func:`parse_price_csv`), cell by cell, with line numbers in errors."""
    table = _read_cells(text, path)
    header, body, line_no = _header_rows(table)
    names = _column_names(header, path)
    body = body.set_axis(names, axis=1)
    _check_columns(names, header, body, path)
    dates = _parse_dates(body["Date"], line_no, path)
    cols = {col: _parse_numbers(body[col], col, line_no, path) for col in PRICE_COLUMNS if col in names}
    if "Adj Close" not in cols:
        cols["Adj Close"] = cols["Close"].copy()     # history() export: already adjusted
    raw = pd.DataFrame({c: cols[c] for c in PRICE_COLUMNS}, index=dates)
    if raw[list(_OHLC)].isna().all(axis=1).all():
        raise DataError(f"price file {path} has no price values at all")
    return raw


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

    A file in the snapshot layout whose cells are all plain numbers and ``YYYY-MM-DD`` dates is
    read in one call of pyarrow's CSV reader (:func:`_parse_plain`); every other file goes cell by
    cell (:func:`_parse_general`). Both give the same frame (``tests/test_prices.py``).
    """
    path = Path(path)
    text = _read_text(path, symbol or path.stem)
    fast = _parse_plain(text)
    return fast if fast is not None else _parse_general(text, path)


def read_price_csv(path: str | os.PathLike, symbol: str | None = None) -> pd.DataFrame:
    """Read and normalise one price CSV into the contract frame (see :func:`parse_price_csv`).

    A snapshot-layout file whose dates are already sorted and unique goes from pyarrow's
    arrays to the contract frame directly (the same checks, one frame built)."""
    path = Path(path)
    symbol = symbol or path.stem
    where = f"price file {path}"
    text = _read_text(path, symbol)
    arrays = _plain_arrays(text)
    if arrays is not None and (np.diff(arrays[1].asi8) > 0).all():
        values, dates = arrays
        _check_not_empty(values, symbol, where)
        return _apply_policy(values, dates, symbol, where)
    raw = _parse_plain(text) if arrays is not None else _parse_general(text, path)
    return finalize(raw, symbol, where)


class CsvFolderSource(PriceSource):
    """A folder of ``<SYMBOL>.csv`` files (e.g. the offline snapshot).

    ``stale="missing"`` turns flat zero-volume bars into missing prices on load
    (see :func:`analysis.data.quality.apply_stale`).
    """

    threads = 4         # pyarrow parses each file without the interpreter lock

    def __init__(self, folder: str | os.PathLike, *, stale: str = "keep"):
        from .quality import check_stale_setting
        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise DataError(f"prices folder does not exist: {self.folder}")
        self.stale = check_stale_setting(stale)
        self.name = f"CSV folder {self.folder.resolve().name}"    # no machine path in figures
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
            frame = read_price_csv(path, s)
            self._memo[path] = (stamp, frame)
        # copy-on-write (pandas 3): callers cannot change the memoised frame through the result
        return slice_dates(apply_stale(frame, self.stale), start, end)   # stale judged on the whole series

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
