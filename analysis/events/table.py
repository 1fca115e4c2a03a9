"""The events table: reading a CSV, validating, normalising.

Normalised table (one row per event, the order of the input kept):

============== =================================================================================
``event_id``   text; generated ``e0001``, ``e0002``, ... when the column is absent; unique
``ticker``     Yahoo symbol (validated by :func:`analysis.data.exchanges.validate_symbol`)
``market``     benchmark symbol, or missing (``pd.NA``): ``analysis.events.timing`` fills the default
``event_date`` tz-naive midnight Timestamp (``NaT`` allowed when ``announced_at`` is given)
``announced_at`` tz-aware Timestamp (object column, zones may differ between rows) or ``NaT``
``time_of_day`` ``before_open`` | ``during`` | ``after_close`` | ``unknown`` (default)
``tz``, ``group`` text (blanks stripped, empty -> missing)
other columns  kept with their types (``size``, ``sector``, ...: characteristics for
               ``result.regress``): a numeric, date or boolean column of a DataFrame as it is, a
               text column with blanks stripped and empty -> missing. A CSV file has no types:
               :func:`read_events` reads a column whose every filled cell is a number as numbers
               (unless one is a zero-padded code such as ``0700``, kept as text) and one whose
               every filled cell is an ISO date (``YYYY-MM-DD``) as dates
============== =================================================================================

An ``event_date`` that carries a time with its UTC offset (``2024-04-23T16:05-04:00``, or a
tz-aware Timestamp), or a wall-clock time together with a ``tz`` column, is an announcement time:
it is read as ``announced_at`` and timed like one (the same path as ``study --event-date``).

A problem of the whole table or file (not a CSV, a missing required column...) is an
:class:`~analysis.errors.InputError`. A problem of one row (a malformed ticker, a bad date...)
keeps the row with its reason in an ``input_error`` column naming the row, the file line and
the offending value: the timing step leaves it untimed with that reason and a study skips it,
the other rows go on (``strict=True`` raises instead). A UTF-8 byte-order mark and blanks
around names and values are accepted. A ``role`` column is kept as is: choosing subjects is the
caller's job (:func:`select_subjects`, with :func:`left_out` saying why each other row is not
studied). A missing ``group`` is no group.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import re
import zoneinfo
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..data.exchanges import validate_symbol
from ..data.textfile import read_utf8

TIMES_OF_DAY = ("before_open", "during", "after_close", "unknown")
_TOD_ALIASES = {
    "before_open": "before_open", "beforeopen": "before_open", "pre_market": "before_open",
    "premarket": "before_open", "bmo": "before_open", "before_market_open": "before_open",
    "during": "during", "intraday": "during", "during_session": "during", "during_trading": "during",
    "after_close": "after_close", "afterclose": "after_close", "post_market": "after_close",
    "postmarket": "after_close", "amc": "after_close", "after_market_close": "after_close",
    "unknown": "unknown", "": "unknown",
}
_FIRST = ("event_id", "ticker", "market", "event_date", "announced_at", "time_of_day")
ROW_ERROR = "input_error"     # a row's problem, kept for the caller (see validate_events)
_DATE_ONLY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")   # midnight allowed
_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE)


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _zone(tz: str) -> zoneinfo.ZoneInfo:
    name = str(tz).strip()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise InputError(f"unknown time zone {tz!r} (expected an IANA name such as Asia/Hong_Kong)") from exc


def parse_announced_at(value, tz: str | None = None) -> pd.Timestamp:
    """Announcement time as a tz-aware Timestamp.

    ``value``: ISO text with a UTC offset (``2021-03-26T12:05:00+08:00``, ``...Z``), or local
    wall-clock text (``2021-03-26 12:05``) together with an IANA zone ``tz``; a datetime/Timestamp
    works the same way. With both an offset and ``tz`` the instant is kept and shown in ``tz``.
    A wall-clock time without a zone, an unknown zone, or a time that does not exist / is
    ambiguous in the zone (daylight-saving changes) is an InputError naming the value.
    """
    if _missing(value):
        raise InputError(f"announced_at is empty: {value!r}")
    zone = _zone(tz) if not _missing(tz) else None
    if isinstance(value, str):
        text = value.strip()
        if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
            raise InputError(f"announced_at is not an ISO date-time (YYYY-MM-DD HH:MM[+HH:MM]): {value!r}")
        try:
            ts = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError) as exc:
            raise InputError(f"announced_at is not a valid date-time: {value!r}") from exc
    elif isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise InputError(f"announced_at is not a valid date-time: {value!r}") from exc
    else:
        raise InputError(f"announced_at must be text or a datetime, got {value!r}")
    if ts is pd.NaT:
        raise InputError(f"announced_at is not a valid date-time: {value!r}")
    if ts.tzinfo is None:
        if zone is None:
            raise InputError(f"announced_at {value!r} has no UTC offset and no tz is given")
        try:
            ts = ts.tz_localize(zone, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError) as exc:   # pytz/zoneinfo ambiguous or nonexistent time
            raise InputError(f"announced_at {value!r} does not exist or is ambiguous in {tz}") from exc
    elif zone is not None:
        ts = ts.tz_convert(zone)
    return ts


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")


def _is_local_midnight(ts: pd.Timestamp) -> bool:
    return ts == ts.normalize()


def _date_is_time(value, tz) -> bool:
    """True when an ``event_date`` value is an announcement time: text with a time and a UTC
    offset (or a wall-clock time with ``tz``), a tz-aware datetime, or a naive one with a time
    and ``tz``. A time at local midnight is a date. InputError for a time with no zone at all."""
    if isinstance(value, str):
        text = value.strip()
        if _DATE_ONLY.match(text) or not _TIME.match(text):
            return False
        zoned = bool(_OFFSET.search(text))
        try:
            ts = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError):
            return zoned or tz is not None        # parse_announced_at names the bad value
    elif isinstance(value, (pd.Timestamp, _dt.datetime)) and not pd.isna(value):
        ts = pd.Timestamp(value)
        zoned = ts.tzinfo is not None
    else:
        return False
    if _is_local_midnight(ts):
        return False
    if not zoned and tz is None:
        raise InputError(f"event_date {value!r} has a time but no UTC offset (write e.g. "
                         "2024-04-23T16:05-04:00, or give the zone in a tz column)")
    return True


def _parse_event_date(value) -> pd.Timestamp:
    if _missing(value):
        return pd.NaT
    if isinstance(value, str):
        m = _DATE_ONLY.match(value.strip())
        if not m:
            ts = _midnight(value.strip())
            if ts is None:
                raise InputError(f"bad event_date {value!r}: not a date (YYYY-MM-DD) nor a time with its "
                                 "UTC offset (2024-04-23T16:05-04:00)")
            return ts
        try:
            ts = pd.Timestamp(_dt.date.fromisoformat(m.group(1)))
        except ValueError as exc:
            raise InputError(f"bad event_date {value!r} (not a calendar date)") from exc
    elif isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        ts = pd.Timestamp(value)
        if ts != ts.normalize():
            raise InputError(f"event_date {value!r} has a time of day but no zone; give it with its "
                             "UTC offset or a tz column, or use announced_at")
        ts = ts.tz_localize(None) if ts.tzinfo is not None else ts    # a zoned midnight is that date
    else:
        raise InputError(f"bad event_date {value!r} (expected YYYY-MM-DD)")
    return ts.normalize()


def _midnight(text: str) -> pd.Timestamp | None:
    """The date of a text that is a local midnight with an offset (``2024-04-23T00:00+08:00``)."""
    if not (_TIME.match(text) and _OFFSET.search(text)):
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return None
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None and _is_local_midnight(ts) else None


def _when(r: dict) -> tuple:
    """``(event_date, announced_at)`` of a row. An ``event_date`` that is a time (see
    :func:`_date_is_time`) is the announcement time, timed like ``announced_at``; given with an
    ``announced_at`` too, the two must be the same instant."""
    date, tz = r.get("event_date"), r.get("tz")
    tz = None if _missing(tz) else str(tz).strip()
    announced = _announced(r)
    if _missing(date) or not _date_is_time(date, tz):
        return _parse_event_date(date), announced
    try:
        stamp = parse_announced_at(date, tz)
    except InputError as exc:
        raise InputError(str(exc).replace("announced_at", "event_date", 1)) from None
    if announced is not pd.NaT and announced != stamp:
        raise InputError(f"event_date {date!r} is a time and announced_at {r.get('announced_at')!r} another: "
                         "give the announcement time once, in announced_at")
    return pd.NaT, stamp


def event_when(value, tz: str | None = None) -> tuple:
    """``(event_date, announced_at)`` of one ``event_date`` value as an events table reads it:
    a date, or an announcement time (a time with its UTC offset, or a wall-clock time in ``tz``);
    InputError naming the value otherwise. ``study --event-date`` reads its value with this."""
    return _when({"event_date": value, "tz": tz})


def has_times(dates: pd.Series) -> bool:
    """True when a column of event dates holds a time of day (text such as
    ``2024-04-23T16:05-04:00`` or timestamps that are not midnight): such a table needs timing."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dates.dtype):
        values = dates.dropna()
        return bool(len(values)) and bool((values != values.dt.normalize()).any())
    if dates.dtype == object or pd.api.types.is_string_dtype(dates.dtype):
        text = dates.dropna().astype(str).str.strip()
        timed = text.str.match(_TIME.pattern) & ~text.str.match(_DATE_ONLY.pattern)
        if timed.any():
            return True
        stamps = [v for v in dates.dropna() if isinstance(v, (pd.Timestamp, _dt.datetime))]
        return any(pd.Timestamp(v) != pd.Timestamp(v).normalize() for v in stamps)
    return False


def _text(value):
    return pd.NA if _missing(value) else str(value).strip()


def _at(prefix: str, fn, *args):
    """``fn(*args)``, its InputError message prefixed with where the value came from."""
    try:
        return fn(*args)
    except InputError as exc:
        raise InputError(f"{prefix}{exc}") from None


# --------------------------------------------------------------------------------------------
# validation, step by step: the table's columns, each row's values, the event ids

def _table_columns(df, origin: str) -> pd.DataFrame:
    """The table with canonical column names; InputError for a problem of the whole table."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"events must be a table (DataFrame), got {type(df).__name__}")
    names = [str(c).strip() for c in df.columns]
    canon = [n.lower() if n.lower() in (*_FIRST, "tz", "group", ROW_ERROR) else n for n in names]
    dup = sorted({n for n in canon if canon.count(n) > 1})
    if dup:
        raise InputError(f"{origin}events table has duplicate columns: {dup}")
    df = df.set_axis(canon, axis=1)
    if "ticker" not in df.columns:
        raise InputError(f"{origin}events table is missing column 'ticker' (has {names})")
    if "event_date" not in df.columns and "announced_at" not in df.columns:
        raise InputError(f"{origin}events table needs an 'event_date' or 'announced_at' column (has {names})")
    if len(df) == 0:
        raise InputError(f"{origin}events table has no rows")
    return df


def _ticker(r: dict, extracted: bool):
    t = r.get("ticker")
    if _missing(t):
        # an extract table lists private companies (listed false, no ticker): kept, for the
        # caller to select (select_subjects) instead of failing the table
        if extracted and str(r.get("listed", "")).strip().lower() in {"false", "0", "no"}:
            return pd.NA
        raise InputError("ticker is empty")
    return validate_symbol(str(t))


def _announced(r: dict):
    ann, tz = r.get("announced_at"), r.get("tz")
    if not _missing(tz):
        _zone(tz)
    if _missing(ann):
        return pd.NaT
    return parse_announced_at(ann, None if _missing(tz) else str(tz).strip())


def _time_of_day(value) -> str:
    key = "" if _missing(value) else re.sub(r"[\s-]+", "_", str(value).strip().lower())
    if key not in _TOD_ALIASES:
        raise InputError(f"bad time_of_day {value!r} (one of {', '.join(TIMES_OF_DAY)})")
    return _TOD_ALIASES[key]


_DEFAULTS = {"ticker": pd.NA, "market": pd.NA, "event_date": pd.NaT, "announced_at": pd.NaT,
             "time_of_day": "unknown"}


def _calls(fn, columns: list[list]) -> tuple[list, list]:
    """``fn(*cells)`` of every row, called once per distinct tuple of cells (a sample repeats
    its tickers, markets and dates): the values and the InputError messages (None when fine).
    Cells are told apart by type and value (1, 1.0 and True stay three), unhashable ones row
    by row."""
    done: dict = {}
    values, errors = [], []
    for args in zip(*columns):
        key = tuple((type(a), a) for a in args)
        try:
            hit = done.get(key)
        except TypeError:           # an unhashable cell
            key, hit = None, None
        if hit is None:
            try:
                hit = (fn(*args), None)
            except InputError as exc:
                hit = (None, str(exc))
            if key is not None:
                done[key] = hit
        values.append(hit[0])
        errors.append(hit[1])
    return values, errors


class _Rows:
    """Every row's normalised values and problem, each step over the distinct cells (the steps
    and their order: ticker, market, the date or announcement time, time_of_day)."""

    def __init__(self, cols: dict, n: int, extracted: bool):
        get = lambda c: cols.get(c, [None] * n)    # noqa: E731 - a missing column is all None
        steps = {
            "ticker": _calls(lambda t, listed: _ticker({"ticker": t, "listed": listed}, extracted),
                             [get("ticker"), get("listed")]),
            "market": _calls(lambda m: pd.NA if _missing(m) else _at("market: ", validate_symbol, str(m)),
                             [get("market")]),
            ("event_date", "announced_at"): _calls(
                lambda d, tz, a: _when({"event_date": d, "tz": tz, "announced_at": a}),
                [get("event_date"), get("tz"), get("announced_at")]),
            "time_of_day": _calls(_time_of_day, [get("time_of_day")]),
        }
        self.steps, self.given, self.extracted = steps, get(ROW_ERROR), extracted

    def row(self, i: int) -> tuple[dict, str | None]:
        values = dict(_DEFAULTS)
        given = self.given[i]
        error = None if _missing(given) else str(given).strip()
        for key, (vals, errs) in self.steps.items():
            if errs[i] is None and isinstance(key, tuple):
                values.update(zip(key, vals[i]))
            elif errs[i] is None:
                values[key] = vals[i]
            else:
                error = error or errs[i]
        if error is None and values["event_date"] is pd.NaT and values["announced_at"] is pd.NaT \
                and not self.extracted:
            error = f"no event_date and no announced_at for {values['ticker']}"
        return values, error


def _cells(df: pd.DataFrame) -> dict:
    """Each column's cells as Python values (numpy scalars boxed, as ``to_dict("records")``)."""
    import numpy as np

    return {c: [v.item() if isinstance(v, np.generic) and not isinstance(v, (np.datetime64, np.timedelta64))
                else v for v in df[c].tolist()] for c in df.columns}


def _event_ids(df: pd.DataFrame, where, errors: list) -> list[str]:
    """The event ids: given ones stripped, else ``e0001``...; an empty or repeated id is the
    row's problem (recorded in ``errors``) and the row gets a stand-in id ``<id>@row<N>``."""
    if "event_id" not in df.columns:
        width = max(4, len(str(len(df))))
        return [f"e{i + 1:0{width}d}" for i in range(len(df))]
    ids, seen = [], {}
    for i, v in enumerate(df["event_id"].tolist()):
        text = "" if _missing(v) else str(v).strip()
        if not text:
            errors[i] = errors[i] or "event_id is empty"
        elif text in seen:
            errors[i] = errors[i] or f"duplicate event_id {text!r} (also in {where(seen[text])})"
        else:
            seen[text] = i
            ids.append(text)
            continue
        ids.append(f"{text}@row{i + 1}")
    return ids


def validate_events(df: pd.DataFrame, *, strict: bool = False, _lines: list[int] | None = None,
                    _origin: str | None = None) -> pd.DataFrame:
    """Check and normalise an events table (see the module docstring); returns a new frame.

    Problems of the table (not a table, duplicate or missing columns, no rows) raise
    InputError. A problem of one row (a bad ticker, market, date, time, zone or time of day; an
    empty or repeated event_id) does not stop the others: the row is kept, its unreadable
    values missing, with its one-line reason (``line L: ...`` when read from a file) in the ``input_error``
    column, which is present only when some row has one. :func:`analysis.events.timing.time_events`
    leaves such a row untimed with that reason, so a study skips it with the reason.
    ``strict=True`` raises InputError for the first bad row instead.
    """
    origin = f"{_origin}: " if _origin else ""
    df = _table_columns(df, origin)

    def where(i: int) -> str:
        return f"row {i + 1}" + (f" (line {_lines[i]})" if _lines is not None else "")

    extracted = "role" in df.columns
    table = _Rows(_cells(df), len(df), extracted)
    rows = [table.row(i) for i in range(len(df))]
    errors = [e for _, e in rows]
    ids = _event_ids(df, where, errors)
    if strict:
        bad = next((i for i, e in enumerate(errors) if e is not None), None)
        if bad is not None:
            raise InputError(f"{origin}{where(bad)}: {errors[bad]}")
    # the row is named by the caller (event id, row number); the file line is said here
    reasons = [None if e is None else f"line {_lines[i]}: {e}" if _lines is not None and
               not e.startswith("line ") else e for i, e in enumerate(errors)]
    return _normalised(df, rows, ids, reasons)


def _normalised(df: pd.DataFrame, rows: list, ids: list[str], reasons: list) -> pd.DataFrame:
    """The output table: the normalised columns first, the others as text, then ``input_error``."""
    def col(key):
        return pd.Series([v[key] for v, _ in rows], dtype=object)

    table = pd.DataFrame({
        "event_id": pd.Series(ids, dtype=object), "ticker": col("ticker"), "market": col("market"),
        "event_date": pd.DatetimeIndex([v["event_date"] for v, _ in rows]).as_unit("ns"),
        "announced_at": col("announced_at"), "time_of_day": col("time_of_day"),
    })
    for c in df.columns:
        if c not in _FIRST and c != ROW_ERROR:
            table[c] = _kept(df[c], text=c in _TEXT_COLUMNS)
    if any(r is not None for r in reasons):
        table[ROW_ERROR] = pd.Series([pd.NA if r is None else r for r in reasons], dtype=object)
    return table


# columns that are labels whatever they look like (never read as numbers or dates)
_TEXT_COLUMNS = frozenset({"tz", "group", "role", "listed", "company", "exchange", "calendar",
                           "date_source", "evidence"})


def _kept(column: pd.Series, text: bool = False) -> pd.Series:
    """A user's column as given: numbers, dates and booleans keep their dtype (characteristics
    for ``result.regress``); text and mixed cells are stripped, blanks missing. ``text``: the
    column is a label (``group``, ``tz``, ...), always text."""
    column = column.reset_index(drop=True)
    if not text and column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
        return column
    return pd.Series([_text(v) if text or isinstance(v, str) or _missing(v) else v for v in column.tolist()],
                     dtype=object)


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_PADDED = re.compile(r"^[+-]?0\d")


def _typed(column: pd.Series) -> pd.Series:
    """A CSV column (text) as numbers when every filled cell is a number and none a zero-padded
    code (``0700``, ``007``), as dates when every filled cell is an ISO date, else as it is."""
    filled = column[[not _missing(v) for v in column.tolist()]].astype(str).str.strip()
    if filled.empty:
        return column
    if filled.str.match(_NUMBER.pattern).all() and not filled.str.match(_PADDED.pattern).any():
        return pd.to_numeric(column.where([not _missing(v) for v in column.tolist()]), errors="coerce")
    if filled.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        dates = pd.to_datetime(column.where([not _missing(v) for v in column.tolist()]), format="%Y-%m-%d",
                               errors="coerce")
        if dates.notna().sum() == len(filled):
            return dates.astype("datetime64[ns]")
    return column


def bad_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The rows :func:`validate_events` kept with a problem (``event_id``, ``ticker``, ``input_error``)."""
    if ROW_ERROR not in events.columns:
        return events.iloc[0:0]
    return events[events[ROW_ERROR].notna().to_numpy()]


# --------------------------------------------------------------------------------------------
# reading a CSV file, step by step

def _csv_records(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` of every non-blank CSV record; InputError when the text is not CSV."""
    if "\x00" in text:
        raise InputError(f"events file {path} contains NUL bytes (not a CSV text file)")
    if not text.strip():
        raise InputError(f"events file {path} is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                records.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"events file {path} is not a valid CSV at line {reader.line_num}: {exc}") from exc
    if not records:
        raise InputError(f"events file {path} is empty")
    return records


def _body(records, header: list[str], path: Path) -> tuple[list[list[str]], list[int]]:
    """The data rows padded to the header's width, and their line numbers."""
    body, lines = [], []
    for line, row in records:
        if len(row) > len(header):
            raise InputError(f"events file {path}, line {line}: {len(row)} fields but the header has "
                             f"{len(header)}: {','.join(row)!r}")
        body.append(row + [""] * (len(header) - len(row)))
        lines.append(line)
    return body, lines


def _drop_unnamed(header: list[str], body, lines, path: Path) -> None:
    """Unnamed columns (a trailing comma from a spreadsheet) are dropped when empty, else refused."""
    for j in [j for j, h in enumerate(header) if not h][::-1]:
        filled = [ln for ln, row in zip(lines, body) if row[j].strip()]
        if filled:
            raise InputError(f"events file {path}, line {filled[0]}: value in an unnamed column "
                             f"(position {j + 1}): {body[lines.index(filled[0])][j]!r}")
        header.pop(j)
        for row in body:
            row.pop(j)


def read_events(path: str | os.PathLike, *, strict: bool = False) -> pd.DataFrame:
    """Read an events CSV (UTF-8, BOM accepted) and validate it (see :func:`validate_events`:
    a bad row is kept with its reason in ``input_error``; ``strict=True`` refuses the file).

    File-level problems always refuse the file (InputError naming it): not a text file (a
    folder, a device such as /dev/zero, NUL bytes, not UTF-8), not a CSV, no header or no rows,
    a row with more fields than the header, duplicate or missing required columns."""
    path = Path(path).expanduser()
    text = read_utf8(path, "events file")
    records = _csv_records(text, path)
    header = [h.strip() for h in records[0][1]]
    body, lines = _body(records[1:], header, path)
    _drop_unnamed(header, body, lines, path)
    if not header:
        raise InputError(f"events file {path} has no column names")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"events file {path} has duplicate columns: {dup}")
    frame = pd.DataFrame(body, columns=header, dtype=object)
    if frame.empty:
        raise InputError(f"events file {path} has a header but no events")
    for c in frame.columns:                       # the user's characteristics, typed
        if c.strip().lower() not in (*_FIRST, ROW_ERROR, *_TEXT_COLUMNS):
            frame[c] = _typed(frame[c])
    return validate_events(frame, strict=strict, _lines=lines, _origin=f"events file {path}")


_TRUE = {"true", "1", "yes", "y", "t"}


def left_out(events: pd.DataFrame) -> pd.Series:
    """Why each row is not a listed subject of the news (NA for a row that is), when
    ``extract``'s ``role`` and ``listed`` columns are present (a table without them: all NA).

    Only ``role`` = ``subject`` and ``listed`` true are studied. A blank ``role`` or ``listed``
    cell is not taken for either: the row is left out with the reason ``role is blank`` /
    ``listed is blank`` (write ``subject`` / ``true`` to study it), as ``extract``'s own
    :func:`analysis.events.extract.subjects` reads a blank ``listed`` as not listed.
    Over-the-counter lines (``listed`` = ``otc``) are left out."""
    reasons = pd.Series(pd.NA, index=events.index, dtype=object)
    if "role" in events.columns:
        role = events["role"].astype("string").str.strip()
        blank = role.isna() | role.eq("")
        other = ~blank & ~role.str.lower().eq("subject")
        reasons[blank.to_numpy()] = "role is blank (write subject to study the row)"
        reasons[other.fillna(False).to_numpy()] = [f"not a subject of the news: role {r}" for r in role[other.fillna(False)]]
    if "listed" in events.columns:
        listed = events["listed"]
        if listed.dtype == bool:
            text = listed.map({True: "true", False: "false"}).astype("string")
        else:
            text = listed.astype("string").str.strip().str.lower()
        free = reasons.isna().to_numpy()
        blank = (text.isna() | text.eq("")).to_numpy() & free
        no = (~text.isin(_TRUE).fillna(False)).to_numpy() & free & ~blank
        reasons[blank] = "listed is blank (write true to study the row)"
        reasons[no] = ["over-the-counter line (listed otc)" if v == "otc" else f"not a listed company (listed {v})"
                       for v in text[no]]
    return reasons


def split_subjects(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(subjects, left out)``: the rows :func:`select_subjects` keeps, and the others as
    ``event_id, ticker, reason`` (:func:`left_out`), both in input order."""
    reasons = left_out(events)
    out = reasons.notna().to_numpy()
    rows = events[out]
    ids = (rows["event_id"].to_numpy(dtype=object) if "event_id" in rows.columns
           else np.array([f"row {i + 1}" for i in np.flatnonzero(out)], dtype=object))
    dropped = pd.DataFrame({"event_id": ids, "ticker": rows["ticker"].to_numpy(dtype=object),
                            "reason": reasons[out].to_numpy(dtype=object)})
    return events[~out].reset_index(drop=True), dropped


def left_out_note(dropped: pd.DataFrame | None, n_rows: int) -> str | None:
    """One line for the rows :func:`split_subjects` left out: '2 of 3 rows left out (not
    listed subjects of the news): 1 not a subject of the news: role mention (r2); 1 role is
    blank ... (r1)', or None when none was."""
    if dropped is None or dropped.empty:
        return None
    parts = []
    for reason, g in dropped.groupby("reason", sort=False):
        ids = [str(e) for e in g["event_id"]]
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        parts.append(f"{len(ids)} {reason} ({shown})")
    return (f"{len(dropped)} of {n_rows} rows left out (not listed subjects of the news): "
            + "; ".join(parts))


def select_subjects(events: pd.DataFrame) -> pd.DataFrame:
    """Rows that are the subject of the news and listed, when ``extract``'s ``role`` and
    ``listed`` columns say so (a table without them is returned whole; the rules and the
    reason for every other row: :func:`left_out`)."""
    return split_subjects(events)[0]
