"""The events table: reading a CSV, validating, normalising.

Normalised table (one row per event, the order of the input kept):

============== =================================================================================
``event_id``   text; generated ``e0001``, ``e0002``, ... when the column is absent; unique
``ticker``     Yahoo symbol (validated by :func:`analysis.data.exchanges.validate_symbol`)
``market``     benchmark symbol, or missing (``pd.NA``): ``analysis.events.timing`` fills the default
``event_date`` tz-naive midnight Timestamp (``NaT`` allowed when ``announced_at`` is given)
``announced_at`` tz-aware Timestamp (object column, zones may differ between rows) or ``NaT``
``time_of_day`` ``before_open`` | ``during`` | ``after_close`` | ``unknown`` (default)
``tz``, ``group`` and any other column: kept (text, blanks stripped, empty -> missing)
============== =================================================================================

A problem of the whole table or file (not a CSV, a missing required column...) is an
:class:`~analysis.errors.InputError`. A problem of one row (a malformed ticker, a bad date...)
keeps the row with its reason in an ``input_error`` column naming the row, the file line and
the offending value: the timing step leaves it untimed with that reason and a study skips it,
the other rows go on (``strict=True`` raises instead). A UTF-8 byte-order mark and blanks
around names and values are accepted. A ``role`` column is kept as is: choosing subjects is the
caller's job. A missing ``group`` is no group.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import re
import zoneinfo
from pathlib import Path

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


def _parse_event_date(value) -> pd.Timestamp:
    if _missing(value):
        return pd.NaT
    if isinstance(value, str):
        m = _DATE_ONLY.match(value.strip())
        if not m:
            raise InputError(f"bad event_date {value!r} (expected YYYY-MM-DD)")
        try:
            ts = pd.Timestamp(_dt.date.fromisoformat(m.group(1)))
        except ValueError as exc:
            raise InputError(f"bad event_date {value!r} (not a calendar date)") from exc
    elif isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            raise InputError(f"event_date {value!r} has a time zone; use announced_at for times")
        if ts != ts.normalize():
            raise InputError(f"event_date {value!r} has a time of day; use announced_at for times")
    else:
        raise InputError(f"bad event_date {value!r} (expected YYYY-MM-DD)")
    return ts.normalize()


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


def _row(r: dict, extracted: bool) -> tuple[dict, str | None]:
    """One row's normalised values and its problem (None when fine). A field that cannot be
    read is left missing; the first problem found is the row's reason."""
    values = {"ticker": pd.NA, "market": pd.NA, "event_date": pd.NaT, "announced_at": pd.NaT,
              "time_of_day": "unknown"}
    steps = (("ticker", lambda: _ticker(r, extracted)),
             ("market", lambda: pd.NA if _missing(r.get("market"))
              else _at("market: ", validate_symbol, str(r.get("market")))),
             ("event_date", lambda: _parse_event_date(r.get("event_date"))),
             ("announced_at", lambda: _announced(r)),
             ("time_of_day", lambda: _time_of_day(r.get("time_of_day"))))
    error = None if _missing(r.get(ROW_ERROR)) else str(r.get(ROW_ERROR)).strip()
    for key, step in steps:
        try:
            values[key] = step()
        except InputError as exc:
            error = error or str(exc)
    if error is None and values["event_date"] is pd.NaT and values["announced_at"] is pd.NaT \
            and not extracted:
        error = f"no event_date and no announced_at for {values['ticker']}"
    return values, error


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
    rows = [_row(r, extracted) for r in df.to_dict("records")]
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
            table[c] = pd.Series([_text(v) for v in df[c].tolist()], dtype=object)
    if any(r is not None for r in reasons):
        table[ROW_ERROR] = pd.Series([pd.NA if r is None else r for r in reasons], dtype=object)
    return table


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
    return validate_events(frame, strict=strict, _lines=lines, _origin=f"events file {path}")


_TRUE = {"true", "1", "yes", "y", "t"}


def select_subjects(events: pd.DataFrame) -> pd.DataFrame:
    """Rows that are the subject of the news and listed, when ``extract``'s ``role`` and
    ``listed`` columns say so (a table without them is returned whole). Over-the-counter lines
    (``listed`` = ``otc``) are not selected."""
    keep = pd.Series(True, index=events.index)
    if "role" in events.columns:
        keep &= events["role"].astype("string").str.strip().str.lower().eq("subject").fillna(False)
    if "listed" in events.columns:
        listed = events["listed"]
        if listed.dtype != bool:
            listed = listed.astype("string").str.strip().str.lower().isin(_TRUE).fillna(False)
        keep &= listed.astype(bool)
    return events[keep.to_numpy()].reset_index(drop=True)
