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

Every problem is an :class:`~analysis.errors.InputError` naming the row (and the file line when
read from a file) and the offending value. A UTF-8 byte-order mark and blanks around names and
values are accepted. A ``role`` column is kept as is: choosing subjects is the caller's job.
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


def _parse_event_date(value, where: str) -> pd.Timestamp:
    if _missing(value):
        return pd.NaT
    if isinstance(value, str):
        m = _DATE_ONLY.match(value.strip())
        if not m:
            raise InputError(f"{where}: bad event_date {value!r} (expected YYYY-MM-DD)")
        try:
            ts = pd.Timestamp(_dt.date.fromisoformat(m.group(1)))
        except ValueError as exc:
            raise InputError(f"{where}: bad event_date {value!r} (not a calendar date)") from exc
    elif isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            raise InputError(f"{where}: event_date {value!r} has a time zone; use announced_at for times")
        if ts != ts.normalize():
            raise InputError(f"{where}: event_date {value!r} has a time of day; use announced_at for times")
    else:
        raise InputError(f"{where}: bad event_date {value!r} (expected YYYY-MM-DD)")
    return ts.normalize()


def _text(value):
    return pd.NA if _missing(value) else str(value).strip()


def _at(prefix: str, fn, *args):
    """``fn(*args)``, its InputError message prefixed with where the value came from."""
    try:
        return fn(*args)
    except InputError as exc:
        raise InputError(f"{prefix}{exc}") from None


def validate_events(df: pd.DataFrame, *, _lines: list[int] | None = None,
                    _origin: str | None = None) -> pd.DataFrame:
    """Check and normalise an events table (see the module docstring); returns a new frame."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"events must be a table (DataFrame), got {type(df).__name__}")
    origin = f"{_origin}: " if _origin else ""
    names = [str(c).strip() for c in df.columns]
    lower = {n.lower(): n for n in names}
    canon = [n.lower() if n.lower() in (*_FIRST, "tz", "group") else n for n in names]
    dup = sorted({n for n in canon if canon.count(n) > 1})
    if dup:
        raise InputError(f"{origin}events table has duplicate columns: {dup}")
    df = df.set_axis(canon, axis=1)
    if "ticker" not in df.columns:
        raise InputError(f"{origin}events table is missing column 'ticker' (has {list(lower.values())})")
    if "event_date" not in df.columns and "announced_at" not in df.columns:
        raise InputError(f"{origin}events table needs an 'event_date' or 'announced_at' column "
                         f"(has {list(lower.values())})")
    if len(df) == 0:
        raise InputError(f"{origin}events table has no rows")

    def where(i: int) -> str:
        line = f" (line {_lines[i]})" if _lines is not None else ""
        return f"{origin}row {i + 1}{line}"

    # An extract table (it has a `role` column) also lists private companies (listed false, no
    # ticker) and news it could not date: those rows are kept, for the caller to select
    # (`select_subjects`) or to report as skipped, instead of failing the whole table.
    extracted = "role" in df.columns
    rows = df.to_dict("records")
    out: dict[str, list] = {c: [] for c in _FIRST}
    for i, r in enumerate(rows):
        t = r.get("ticker")
        unlisted = extracted and str(r.get("listed", "")).strip().lower() in {"false", "0", "no"}
        if _missing(t) and unlisted:
            out["ticker"].append(pd.NA)
        elif _missing(t):
            raise InputError(f"{where(i)}: ticker is empty")
        else:
            out["ticker"].append(_at(f"{where(i)}: ", validate_symbol, str(t)))
        m = r.get("market")
        out["market"].append(pd.NA if _missing(m) else _at(f"{where(i)}: market: ", validate_symbol, str(m)))
        tz = r.get("tz")
        if not _missing(tz):
            _at(f"{where(i)}: ", _zone, tz)
        ed = _parse_event_date(r.get("event_date"), where(i))
        ann = r.get("announced_at")
        if _missing(ann):
            ann_ts = pd.NaT
        else:
            ann_ts = _at(f"{where(i)}: ", parse_announced_at, ann, None if _missing(tz) else str(tz).strip())
        if ed is pd.NaT and ann_ts is pd.NaT and not extracted:
            raise InputError(f"{where(i)}: no event_date and no announced_at for {out['ticker'][-1]}")
        out["event_date"].append(ed)
        out["announced_at"].append(ann_ts)
        tod = r.get("time_of_day")
        key = "" if _missing(tod) else re.sub(r"[\s-]+", "_", str(tod).strip().lower())
        if key not in _TOD_ALIASES:
            raise InputError(f"{where(i)}: bad time_of_day {tod!r} (one of {', '.join(TIMES_OF_DAY)})")
        out["time_of_day"].append(_TOD_ALIASES[key])

    if "event_id" in df.columns:
        ids = []
        for i, v in enumerate(df["event_id"].tolist()):
            if _missing(v):
                raise InputError(f"{where(i)}: event_id is empty")
            ids.append(str(v).strip())
        seen: dict[str, int] = {}
        for i, v in enumerate(ids):
            if v in seen:
                raise InputError(f"{origin}duplicate event_id {v!r} in {where(seen[v])[len(origin):]} "
                                 f"and {where(i)[len(origin):]}")
            seen[v] = i
    else:
        width = max(4, len(str(len(df))))
        ids = [f"e{i + 1:0{width}d}" for i in range(len(df))]
    out["event_id"] = ids

    table = pd.DataFrame({
        "event_id": pd.Series(ids, dtype=object),
        "ticker": pd.Series(out["ticker"], dtype=object),
        "market": pd.Series(out["market"], dtype=object),
        "event_date": pd.DatetimeIndex(out["event_date"]).as_unit("ns"),
        "announced_at": pd.Series(out["announced_at"], dtype=object),
        "time_of_day": pd.Series(out["time_of_day"], dtype=object),
    })
    for c in df.columns:
        if c in _FIRST:
            continue
        table[c] = pd.Series([_text(v) for v in df[c].tolist()], dtype=object)
    return table


def read_events(path: str | os.PathLike) -> pd.DataFrame:
    """Read an events CSV (UTF-8, BOM accepted) and validate it (see :func:`validate_events`)."""
    path = Path(path).expanduser()
    text = read_utf8(path, "events file")
    if "\x00" in text:
        raise InputError(f"events file {path} contains NUL bytes (not a CSV text file)")
    if not text.strip():
        raise InputError(f"events file {path} is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = []
        for row in reader:
            if row and any(cell.strip() for cell in row):
                records.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"events file {path} is not a valid CSV at line {reader.line_num}: {exc}") from exc
    if not records:
        raise InputError(f"events file {path} is empty")
    header = [h.strip() for h in records[0][1]]
    body, lines = [], []
    for line, row in records[1:]:
        if len(row) > len(header):
            raise InputError(f"events file {path}, line {line}: {len(row)} fields but the header has "
                             f"{len(header)}: {','.join(row)!r}")
        body.append(row + [""] * (len(header) - len(row)))
        lines.append(line)
    # unnamed columns (a trailing comma from a spreadsheet) are dropped when empty, else refused
    for j in [j for j, h in enumerate(header) if not h][::-1]:
        filled = [ln for ln, row in zip(lines, body) if row[j].strip()]
        if filled:
            raise InputError(f"events file {path}, line {filled[0]}: value in an unnamed column "
                             f"(position {j + 1}): {body[lines.index(filled[0])][j]!r}")
        header.pop(j)
        for row in body:
            row.pop(j)
    if not header:
        raise InputError(f"events file {path} has no column names")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"events file {path} has duplicate columns: {dup}")
    frame = pd.DataFrame(body, columns=header, dtype=object)
    if frame.empty:
        raise InputError(f"events file {path} has a header but no events")
    return validate_events(frame, _lines=lines, _origin=f"events file {path}")


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
