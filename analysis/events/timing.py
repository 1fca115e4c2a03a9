"""Exchange calendars and day 0: when could a listing's price first react to an announcement?

Every rule here follows the timing convention of the event-study literature (MacKinlay 1997,
section 3; Campbell, Lo & MacKinlay 1997, ch. 4.2): day 0 is the first trading session whose
prices can reflect the news, judged on the listing's own exchange calendar. Sessions, holidays,
opening hours, lunch breaks and early closes all come from ``exchange_calendars``; nothing is
hard-coded here except the Yahoo-suffix table ``analysis/data/exchanges.csv``.

Rules (issue 4, "Announcement timing"):

* ``announced_at`` (tz-aware timestamp) is compared in UTC with the calendar's actual open and
  close of the session on the exchange-local date of the announcement (the calendar's
  ``session_open`` / ``session_close``, so half days close early):

  - before the open -> that session;
  - from the open (inclusive) to the close (exclusive) -> that session, flagged ``intraday``
    (a lunch break, e.g. XHKG 12:00-13:00, is still inside the session day);
  - at or after the close -> the next session;
  - on a non-session local date -> the next session (news cannot be priced earlier; the
    ``policy`` applies only to date-only events).

* a date with ``time_of_day``:

  - ``before_open`` / ``during`` / ``unknown`` on a session -> that session (``during`` is
    flagged intraday). ``unknown`` follows the usual convention that the reported date is day 0;
    an after-hours announcement is then priced on day +1, which a (-1, +1) or (0, +1) window
    captures (MacKinlay 1997, section 3);
  - ``after_close`` on a session -> the next session;
  - a non-session date follows ``policy``: ``next`` (default), ``previous`` or ``error``
    (EventError naming the date and calendar).
  - ``time_of_day`` is read against the listing's own session. A date with "after_close" from a
    New York report is therefore placed after the Hong Kong close of that date, which is right
    for the usual case (the US evening is the next Hong Kong morning) but cannot be exact for
    every zone pair: give ``announced_at`` with its offset when the time matters.

Cross-listings: each row of an events table is one listing, timed on its own calendar, so the
H share (2333.HK, XHKG) and the A share (601633.SS, XSHG) of one announcement get their own day 0
and benchmark.
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings

import numpy as np
import pandas as pd

from ..data.exchanges import (CALENDAR_ALIASES, _calendar_names, calendar_for, default_market,
                              validate_calendar)
from ..errors import CalendarError, EventError, InputError
from .table import TIMES_OF_DAY, _missing, parse_announced_at

POLICIES = ("next", "previous", "error")

# padding (calendar days) added around the dates a calendar is built for, so that "next session"
# and "previous session" always exist inside the calendar's range
_PAD_DAYS = 40


# ---------------------------------------------------------------------------------------------
# calendar objects (slow to build: cached per name, widened when a date falls outside)

_CALENDARS: dict[str, object] = {}


@contextlib.contextmanager
def _quiet():
    """Silence exchange_calendars' own pandas deprecation warnings while it builds a calendar."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def get_calendar(name: str, start=None, end=None):
    """A cached ``exchange_calendars`` calendar covering [start, end] (padded), rebuilt wider when
    needed. Without dates: the library's default range (20 years back, 1 year ahead). What is
    returned may be a :class:`_Snapshot` of it (read from the per-user cache), which answers
    everything a calendar does."""
    name = validate_calendar(name)
    real = CALENDAR_ALIASES.get(name, name)
    lo = None if start is None else pd.Timestamp(start).tz_localize(None).normalize() - pd.Timedelta(days=_PAD_DAYS)
    hi = None if end is None else pd.Timestamp(end).tz_localize(None).normalize() + pd.Timedelta(days=_PAD_DAYS)
    cal = _CALENDARS.get(real)
    if cal is None:
        cal = _built(real)               # default range, then widen if asked
    if (lo is None or lo >= cal.first_session) and (hi is None or hi <= cal.last_session):
        _CALENDARS[real] = cal
        return cal
    new_lo = cal.first_session if lo is None else min(lo, cal.first_session)
    new_hi = cal.last_session if hi is None else max(hi, cal.last_session)
    # some calendars only know holidays for a limited span (XSHG: to the end of 2026): clamp, and
    # let dates outside be reported by _check_range
    bound_lo, bound_hi = cal.bound_min(), cal.bound_max()
    if bound_lo is not None and new_lo < bound_lo:
        new_lo = pd.Timestamp(bound_lo)
    if bound_hi is not None and new_hi > bound_hi:
        new_hi = pd.Timestamp(bound_hi)
    if new_lo != cal.first_session or new_hi != cal.last_session:
        try:
            cal = _built(real, new_lo, new_hi)
        except Exception as exc:  # exchange_calendars raises its own errors for impossible ranges
            raise CalendarError(f"cannot build calendar {name} for {new_lo.date()}..{new_hi.date()}: {exc}") from exc
    _CALENDARS[real] = cal
    return cal


class _Snapshot:
    """What day-0 placement reads of a built calendar (sessions, opens, closes, breaks, early
    closes, time zone, first and last session, the library's bounds), kept in the per-user
    cache folder so that a process places its events without importing exchange_calendars or
    building the calendar. Anything else asked of it (``is_session``, ``next_session``, ...)
    is answered by the full calendar, loaded on first use."""

    _KEEP = ("name", "tz", "sessions", "first_session", "last_session", "opens", "closes",
             "break_starts", "break_ends", "early_closes")

    def __init__(self, cal, start=None, end=None):
        for attr in self._KEEP:
            setattr(self, attr, getattr(cal, attr))
        self._bounds = (cal.bound_min(), cal.bound_max())
        self._range = (start, end)

    def bound_min(self):
        return self._bounds[0]

    def bound_max(self):
        return self._bounds[1]

    def __getattr__(self, attr):
        if attr.startswith("__") or attr in ("_range", "_bounds", "_full"):
            raise AttributeError(attr)
        full = self.__dict__.get("_full")
        if full is None:
            full = self.__dict__["_full"] = _built(self.name, *self._range, snapshot=False)
        return getattr(full, attr)

    def __getstate__(self):
        # pandas objects as plain datetime64 arrays (UTC, without the zone): a pickled
        # DatetimeIndex/Series of 6,000 sessions comes back one numpy scalar at a time (a tenth
        # of a second per calendar), plain arrays in microseconds; __setstate__ rebuilds them.
        # The sessions' frequency (a custom business day holding every holiday, a few hundredths
        # of a second to rebuild) is left out: placement never reads it, the full calendar has it
        state = {k: v for k, v in self.__dict__.items() if k != "_full"}
        for attr in ("sessions", "early_closes"):
            index = getattr(self, attr)
            state[attr] = (index.name, index.tz_convert(None).to_numpy() if index.tz is not None else index.to_numpy(),
                           None if index.tz is None else str(index.tz))
        for attr in ("opens", "closes", "break_starts", "break_ends"):
            series = getattr(self, attr)
            tz = getattr(series.dt, "tz", None)
            state[attr] = (series.name, series.index.name,
                           (series.dt.tz_convert(None) if tz is not None else series).to_numpy(),
                           None if tz is None else str(tz))
        return state

    def __setstate__(self, state):
        def index(name, values, tz):
            out = pd.DatetimeIndex(values, name=name)
            return out if tz is None else out.tz_localize("UTC").tz_convert(tz)

        state = dict(state)
        for attr in ("sessions", "early_closes"):
            state[attr] = index(*state[attr])
        for attr in ("opens", "closes", "break_starts", "break_ends"):
            name, index_name, values, tz = state[attr]
            series = pd.Series(values, index=state["sessions"].rename(index_name), name=name)
            state[attr] = series if tz is None else series.dt.tz_localize("UTC").dt.tz_convert(tz)
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"<calendar {self.name} {self.first_session.date()}..{self.last_session.date()}>"


def _built(name: str, start=None, end=None, *, snapshot: bool = True):
    """``exchange_calendars.get_calendar(name, start, end)``, kept in the per-user cache folder.

    Building a calendar (its holiday rules over decades of sessions) takes most of a second, the
    same work in every process: the built calendar is pickled under ``<cache>/calendars/`` by
    calendar, range and library installation (the default range is named by today's date, as the
    library computes it from today), with a :class:`_Snapshot` of it beside (``.sessions.pickle``,
    plain arrays); a process reads the snapshot back in milliseconds (``snapshot=False``: the
    full calendar). A cache that cannot be read or written is rebuilt or skipped silently."""
    import datetime as _dt

    from ..data.exchanges import calendars_version

    span = "default-" + _dt.date.today().isoformat() if start is None and end is None else \
        f"{pd.Timestamp(start).date() if start is not None else 'default'}_" \
        f"{pd.Timestamp(end).date() if end is not None else 'default'}"
    try:
        from ..config import cache_dir

        stem = cache_dir() / "calendars" / f"{name}_{span}_{calendars_version()}"
    except Exception:        # no usable cache folder: build in this process only
        stem = None
    kinds = ("sessions", "full") if snapshot else ("full",)
    for kind in kinds:
        cal = _read_pickle(stem, kind, name)
        if cal is not None:
            if kind == "full" and snapshot:         # a cache from before the sessions file
                _write_pickle(stem, "sessions", _Snapshot(cal, start, end))
            return cal
    import exchange_calendars as xc

    with _quiet():
        cal = xc.get_calendar(name) if start is None and end is None else xc.get_calendar(name, start=start, end=end)
    _write_pickle(stem, "full", cal)
    _write_pickle(stem, "sessions", _Snapshot(cal, start, end))
    return cal


def _read_pickle(stem, kind: str, name: str):
    import pickle

    path = None if stem is None else stem.with_name(f"{stem.name}.{kind}.pickle")
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            cal = pickle.load(fh)
    except Exception:        # a damaged or foreign file: built again
        return None
    return cal if getattr(cal, "name", None) == name else None


def _write_pickle(stem, kind: str, obj) -> None:
    import pickle

    from ..files import atomic_write_bytes

    if stem is None:
        return
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(stem.with_name(f"{stem.name}.{kind}.pickle"),
                           pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# day 0 of one event


@dataclasses.dataclass(frozen=True)
class Day0:
    """Where an announcement lands on a calendar.

    ``requested``: the date asked for (event_date, or the announcement's date in its own zone);
    ``day0``: the session (tz-naive midnight); ``rule``: why; ``intraday``: news arrived during
    that session; ``shifted``: day0 differs from the requested date.
    """

    requested: pd.Timestamp
    day0: pd.Timestamp
    rule: str
    intraday: bool
    shifted: bool


def _as_date(value) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"event_date is not a date: {value!r}") from exc
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _as_instant(value) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"announced_at is not a timestamp: {value!r}") from exc
    if ts.tzinfo is None:
        raise InputError(f"announced_at has no time zone (give an offset or a tz): {value!r}")
    return ts


def _check_range(cal, name: str, day: pd.Timestamp) -> None:
    if day < cal.first_session or day > cal.last_session:
        raise CalendarError(
            f"date {day.date()} is outside the {name} calendar "
            f"({cal.first_session.date()}..{cal.last_session.date()})"
        )


def _calendar_and_name(calendar, day):
    if isinstance(calendar, str):
        return get_calendar(calendar, day, day), validate_calendar(calendar)
    return calendar, getattr(calendar, "name", str(calendar))


def resolve_day0(*, calendar, event_date=None, announced_at=None, time_of_day="unknown",
                 policy: str = "next") -> Day0:
    """Day 0 of one announcement on one exchange calendar (rules in the module docstring).

    ``calendar``: exchange_calendars name (or a calendar object); ``announced_at`` (tz-aware)
    wins over ``event_date`` + ``time_of_day``. ``policy`` (next | previous | error) places a
    date-only event that falls on a non-session day.
    """
    if policy not in POLICIES:
        raise InputError(f"unknown timing policy {policy!r} (use one of {', '.join(POLICIES)})")
    tod = "unknown" if _missing(time_of_day) else str(time_of_day).strip().lower()
    if tod not in TIMES_OF_DAY:
        raise InputError(f"unknown time_of_day {time_of_day!r} (use one of {', '.join(TIMES_OF_DAY)})")

    if not _missing(announced_at):
        return _from_instant(calendar, _as_instant(announced_at))
    if _missing(event_date):
        raise InputError("event has neither event_date nor announced_at")
    return _from_date(calendar, _as_date(event_date), tod, policy)


def _from_instant(calendar, ts: pd.Timestamp) -> Day0:
    requested = ts.tz_localize(None).normalize()
    probe = ts.tz_convert("UTC").tz_localize(None)
    cal, name = _calendar_and_name(calendar, probe)
    local = ts.tz_convert(cal.tz)
    day = local.tz_localize(None).normalize()
    _check_range(cal, name, day)
    when = f"{local:%Y-%m-%d %H:%M} {name} time"
    if not cal.is_session(day):
        day0 = cal.date_to_session(day, direction="next")
        rule, intraday = f"{when}, non-trading day -> next session", False
    else:
        utc = ts.tz_convert("UTC")
        opens, closes = cal.session_open(day), cal.session_close(day)
        if utc < opens:
            day0, rule, intraday = day, f"{when}, before open -> same session", False
        elif utc < closes:
            brk_start, brk_end = cal.session_break_start(day), cal.session_break_end(day)
            in_break = not pd.isna(brk_start) and brk_start <= utc < brk_end
            what = "lunch break" if in_break else "during session"
            day0, rule, intraday = day, f"{when}, {what} -> same session (intraday)", True
        else:
            early = day in cal.early_closes
            close_txt = f"after early close ({closes.tz_convert(cal.tz):%H:%M})" if early else "after close"
            day0 = cal.next_session(day)
            rule, intraday = f"{when}, {close_txt} -> next session", False
    day0 = pd.Timestamp(day0).tz_localize(None) if pd.Timestamp(day0).tzinfo else pd.Timestamp(day0)
    return Day0(requested, day0, rule, intraday, bool(day0 != requested))


def _from_date(calendar, day: pd.Timestamp, tod: str, policy: str) -> Day0:
    cal, name = _calendar_and_name(calendar, day)
    _check_range(cal, name, day)
    if cal.is_session(day):
        if tod == "after_close":
            day0, rule = cal.next_session(day), "after close -> next session"
        else:
            rule = {"before_open": "before open -> same session",
                    "during": "during session -> same session (intraday)",
                    "unknown": "time unknown -> same session"}[tod]
            day0 = day
    elif policy == "error":
        raise EventError(f"{day.date()} is not a {name} trading day (policy 'error')")
    else:
        day0 = cal.date_to_session(day, direction=policy)
        rule = f"non-trading day -> {policy} session"
    day0 = pd.Timestamp(day0)
    if day0.tzinfo is not None:
        day0 = day0.tz_localize(None)
    return Day0(day, day0, rule, tod == "during" and day0 == day, bool(day0 != day))


# ---------------------------------------------------------------------------------------------
# a whole events table: one session lookup per calendar, all its rows at once


def _parse_announcement(value, tz):
    """A tz-aware Timestamp from an events-table cell (strings go through analysis.events.table)."""
    if _missing(value):
        return None
    if isinstance(value, str):
        return parse_announced_at(value, tz=None if _missing(tz) else tz)
    ts = pd.Timestamp(value)
    if ts.tzinfo is None and not _missing(tz):
        ts = ts.tz_localize(str(tz))
    return ts


_ROW_ERRORS = (InputError, CalendarError, EventError, ValueError, TypeError)
_TOD_RULES = {"before_open": "before open -> same session",
              "during": "during session -> same session (intraday)",
              "unknown": "time unknown -> same session"}
_NAT = np.iinfo(np.int64).min


class _Distinct:
    """``fn`` applied once to each distinct tuple of cells (a sample repeats its tickers, dates
    and times; cells are told apart by ``pandas.factorize``, missing ones are one value):
    ``values()`` and ``errors()`` give the results row by row (an error is the one-line message
    of the user error the call raised, else None)."""

    def __init__(self, fn, codes: np.ndarray, distinct: list[tuple]):
        self.codes = codes
        self.value = np.full(len(distinct), None, dtype=object)
        self.error = np.full(len(distinct), None, dtype=object)
        for j, args in enumerate(distinct):
            try:
                self.value[j] = fn(*args)
            except _ROW_ERRORS as exc:
                self.error[j] = _message(exc)

    def then(self, fn) -> _Distinct:
        """``fn`` of each distinct value (None stays None), for the same rows."""
        return _Distinct(lambda v: None if v is None else fn(v), self.codes, [(v,) for v in self.value])

    def values(self) -> np.ndarray:
        return self.value[self.codes]

    def errors(self) -> np.ndarray:
        return self.error[self.codes]

    def numbers(self, fn, fill=_NAT) -> np.ndarray:
        """``fn(value)`` (an int64) of each row's value; ``fill`` where there is none."""
        per = np.array([fill if v is None else fn(v) for v in self.value] + [fill], dtype=np.int64)
        return per[self.codes]


class _Columns:
    """The columns of an events table, each factorized once (a missing column is all None)."""

    def __init__(self, events: pd.DataFrame):
        self.events, self.n = events, len(events)
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def codes(self, column) -> tuple[np.ndarray, np.ndarray]:
        """Row codes and the distinct values of a column (a name, or an array of row values)."""
        if not isinstance(column, str):
            return self._factorize(column)
        if column not in self._codes:
            self._codes[column] = (self._factorize(self.events[column]) if column in self.events.columns
                                   else (np.zeros(self.n, dtype=np.intp), np.array([None], dtype=object)))
        return self._codes[column]

    @staticmethod
    def _factorize(values) -> tuple[np.ndarray, np.ndarray]:
        try:
            codes, uniq = pd.factorize(values, use_na_sentinel=False)
        except TypeError:                   # an unhashable cell: every row on its own
            cells = np.empty(len(values), dtype=object)
            cells[:] = list(values)
            return np.arange(len(values)), cells
        return codes, np.asarray(pd.Index(uniq).astype(object))

    def distinct(self, fn, *columns) -> _Distinct:
        """:class:`_Distinct` of ``fn`` over the columns (names, or arrays of row values)."""
        parts = [self.codes(c) for c in columns]
        if len(parts) == 1:
            codes, uniq = parts[0]
            return _Distinct(fn, codes, [(u,) for u in uniq])
        key = np.zeros(self.n, dtype=np.int64)
        for codes, uniq in parts:
            key = key * max(len(uniq), 1) + codes
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return _Distinct(fn, inverse.reshape(-1), [tuple(u[c[i]] for c, u in parts) for i in first])


def _check_table(events: pd.DataFrame, policy: str, calendar):
    """The arguments of :func:`time_events`; the validated ``calendar`` argument."""
    if policy not in POLICIES:
        raise InputError(f"unknown timing policy {policy!r} (use one of {', '.join(POLICIES)})")
    if "ticker" not in events.columns:
        raise InputError("events table has no 'ticker' column")
    if "event_date" not in events.columns and "announced_at" not in events.columns:
        raise InputError("events table needs an 'event_date' or 'announced_at' column")
    return None if calendar is None else validate_calendar(calendar)


def _row_calendar(ticker, own, exchange, fallback):
    """The calendar of one listing: its own ``calendar`` cell, the ticker's suffix, else the
    ``calendar`` argument, else an ``exchange`` cell holding a calendar name."""
    try:
        return calendar_for(ticker, None if _missing(own) else own)
    except CalendarError:
        if fallback is None and not _missing(exchange) and str(exchange).strip().upper() in _calendar_names():
            fallback = validate_calendar(exchange)
        if fallback is None:
            raise
        return fallback


def _row_market(ticker, market):
    if not _missing(market):
        return market
    try:
        return default_market(ticker)
    except CalendarError:
        raise CalendarError(f"no default benchmark for {ticker!r}: fill the market column") from None


def _time_of_day(value) -> str:
    tod = "unknown" if _missing(value) else str(value).strip().lower()
    if tod not in TIMES_OF_DAY:
        raise InputError(f"unknown time_of_day {value!r} (use one of {', '.join(TIMES_OF_DAY)})")
    return tod


def _event_day(value, stamped: bool) -> pd.Timestamp | None:
    """The event date of a row without an announcement time (midnight)."""
    if stamped:
        return None
    if _missing(value):
        raise InputError("event has neither event_date nor announced_at")
    return _as_date(value)


class _Rows:
    """What each row of an events table says, worked out once per distinct value: calendar,
    market, time of day, announcement (UTC nanoseconds and the date asked for) or event date,
    and the first user error of the row (the order of :func:`resolve_day0`)."""

    def __init__(self, events: pd.DataFrame, calendar):
        cols = _Columns(events)
        cal = cols.distinct(lambda t, own, ex: _row_calendar(t, own, ex, calendar),
                            "ticker", "calendar", "exchange")
        market = cols.distinct(_row_market, "ticker", "market")
        tod = cols.distinct(_time_of_day, "time_of_day")
        parsed = cols.distinct(_parse_announcement, "announced_at", "tz")
        instant = parsed.then(_as_instant)
        self.has_stamp = parsed.numbers(lambda v: 1, fill=0).astype(bool)
        day = cols.distinct(_event_day, "event_date", self.has_stamp)
        self.n, self.calendars, self.markets = cols.n, cal.values(), market.values()
        self.tods = tod.values()
        self.utc = instant.numbers(lambda t: t.value)
        self.asked = instant.numbers(lambda t: t.tz_localize(None).normalize().as_unit("ns").value)
        self.days = day.numbers(lambda t: t.as_unit("ns").value)
        # a row events.table.validate_events kept with a problem stays untimed, with that reason
        codes, uniq = cols.codes("input_error")
        given = np.array([None if _missing(u) else str(u) for u in uniq] + [None], dtype=object)[codes]
        self.errors = _first_errors([given, cal.errors(), market.errors(), parsed.errors(), tod.errors(),
                                     np.where(self.has_stamp, instant.errors(), day.errors())])
        kept = ~_none(given)
        if kept.any():                     # as given: no calendar, no default market
            codes, uniq = cols.codes("market")
            self.calendars[kept] = None
            self.markets[kept] = uniq[codes][kept]

    def of_calendar(self) -> dict[str, np.ndarray]:
        """``{calendar: row numbers}`` of the rows without an error."""
        ok = _none(self.errors)
        names = self.calendars[ok]
        rows = np.flatnonzero(ok)
        return {name: rows[names == name] for name in dict.fromkeys(names)}


def _none(values: np.ndarray) -> np.ndarray:
    """``values[i] is None`` for an object array, as one comparison in C (errors are str or None)."""
    return np.equal(values, None) if len(values) else np.zeros(0, dtype=bool)


def _first_errors(steps: list[np.ndarray]) -> np.ndarray:
    """Row by row, the first error of the steps (None when every step went well)."""
    out = steps[0].copy()
    for errors in steps[1:]:
        empty = _none(out)
        out[empty] = errors[empty]
    return out


def _build_calendars(rows: _Rows) -> dict[str, np.ndarray]:
    """Each calendar built once over the range of its rows: ``{name: row numbers}``."""
    members = rows.of_calendar()
    for name, idx in list(members.items()):
        # announcements count by their UTC date (as resolve_day0 builds its calendar)
        ns = np.where(rows.has_stamp[idx], rows.utc[idx], rows.days[idx])
        lo, hi = pd.Timestamp(ns.min()).normalize(), pd.Timestamp(ns.max()).normalize()
        try:
            get_calendar(name, lo, hi)
        except CalendarError as exc:
            rows.errors[idx] = _message(exc)
            del members[name]
    return members


class _Placed:
    """Day 0 of every row of the table, filled calendar by calendar."""

    def __init__(self, n: int):
        self.requested = np.full(n, _NAT, dtype=np.int64)
        self.day0 = np.full(n, _NAT, dtype=np.int64)
        self.rule = np.full(n, None, dtype=object)
        self.intraday = np.zeros(n, dtype=bool)


def _outside(cal, name: str, days: pd.DatetimeIndex, rows: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """Rows whose date is outside the calendar get the CalendarError of :func:`_check_range`;
    the mask of the others."""
    first, last = cal.first_session, cal.last_session
    out = np.asarray((days < first) | (days > last))
    for j in np.flatnonzero(out):
        errors[rows[j]] = (f"date {days[j].date()} is outside the {name} calendar "
                           f"({first.date()}..{last.date()})")
    return ~out


def _positions(cal, days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Position of the first session on or after each day, and whether the day is a session."""
    sessions = cal.sessions.as_unit("ns").asi8
    pos = np.searchsorted(sessions, days.asi8, side="left")
    is_session = sessions[np.minimum(pos, len(sessions) - 1)] == days.asi8
    return pos, is_session


def _session_at(cal, name, pos, ok, days, rows, errors) -> np.ndarray:
    """The sessions at ``pos`` of the rows ``ok``; a row whose session would lie outside the
    calendar gets an error instead (and is dropped from ``ok``, in place)."""
    sessions = cal.sessions.as_unit("ns").asi8
    beyond = ok & ((pos < 0) | (pos >= len(sessions)))
    for j in np.flatnonzero(beyond):
        errors[rows[j]] = f"no {name} session next to {days[j].date()} in the calendar"
    ok &= ~beyond
    return sessions[np.clip(pos, 0, len(sessions) - 1)]


def _place_dates(cal, name: str, rows: np.ndarray, t: _Rows, policy: str, placed: _Placed) -> None:
    """Date-only rows (the rules of :func:`_from_date`), vectorised over one calendar."""
    days = pd.DatetimeIndex(t.days[rows], dtype="datetime64[ns]")
    tods = t.tods[rows]
    placed.requested[rows] = days.asi8
    ok = _outside(cal, name, days, rows, t.errors)
    pos, is_session = _positions(cal, days)
    after = ok & is_session & (tods == "after_close")
    same = ok & is_session & ~after
    off = ok & ~is_session
    placed.day0[rows[same]] = days.asi8[same]
    placed.rule[rows[same]] = [_TOD_RULES[x] for x in tods[same]]
    nxt = _session_at(cal, name, pos + 1, after, days, rows, t.errors)
    placed.day0[rows[after]] = nxt[after]
    placed.rule[rows[after]] = "after close -> next session"
    if policy == "error":
        for j in np.flatnonzero(off):
            t.errors[rows[j]] = f"{days[j].date()} is not a {name} trading day (policy 'error')"
    else:
        other = _session_at(cal, name, pos - (policy == "previous"), off, days, rows, t.errors)
        placed.day0[rows[off]] = other[off]
        placed.rule[rows[off]] = f"non-trading day -> {policy} session"
    placed.intraday[rows] = (tods == "during") & (placed.day0[rows] == days.asi8)


def _utc_ns(times: pd.Series) -> np.ndarray:
    """UTC instants of a calendar's opens / closes / breaks as int64 nanoseconds (NaT: _NAT)."""
    return pd.DatetimeIndex(times).as_unit("ns").asi8


def _place_instants(cal, name: str, rows: np.ndarray, t: _Rows, placed: _Placed) -> None:
    """Rows with an announcement time (the rules of :func:`_from_instant`), vectorised over one
    calendar: the UTC instant against the session's open, break and close."""
    utc = pd.DatetimeIndex(t.utc[rows], dtype="datetime64[ns]").tz_localize("UTC")
    local = utc.tz_convert(cal.tz)
    days = local.tz_localize(None).normalize().as_unit("ns")
    placed.requested[rows] = t.asked[rows]
    ok = _outside(cal, name, days, rows, t.errors)
    when = np.asarray(local.strftime("%Y-%m-%d %H:%M") + f" {name} time", dtype=object)
    pos, is_session = _positions(cal, days)
    off = ok & ~is_session
    nxt = _session_at(cal, name, pos, off, days, rows, t.errors)
    placed.day0[rows[off]] = nxt[off]
    placed.rule[rows[off]] = [f"{w}, non-trading day -> next session" for w in when[off]]
    on = ok & is_session
    at, ns = pos[on], utc.asi8[on]
    opens, closes = _utc_ns(cal.opens)[at], _utc_ns(cal.closes)[at]
    brk_start, brk_end = _utc_ns(cal.break_starts)[at], _utc_ns(cal.break_ends)[at]
    before, during = ns < opens, (ns >= opens) & (ns < closes)
    in_break = (brk_start != _NAT) & (brk_start <= ns) & (ns < brk_end)
    same = rows[on][before | during]
    placed.day0[same] = days.asi8[on][before | during]
    placed.intraday[rows[on][during]] = True
    what = np.where(in_break, "lunch break", "during session")
    placed.rule[rows[on]] = [f"{w}, before open -> same session" if b else
                             f"{w}, {x} -> same session (intraday)" if d else None
                             for w, b, d, x in zip(when[on], before, during, what)]
    late = on.copy()
    late[on] = ~before & ~during
    _after_close(cal, name, late, pos, days, when, rows, t, placed)


def _after_close(cal, name, late, pos, days, when, rows, t: _Rows, placed: _Placed) -> None:
    """Announcements at or after a session's close (an early close named with its time)."""
    nxt = _session_at(cal, name, pos + 1, late, days, rows, t.errors)
    early = np.asarray(days.isin(cal.early_closes))
    closes = _utc_ns(cal.closes)
    for j in np.flatnonzero(late):
        close = pd.Timestamp(closes[pos[j]], tz="UTC").tz_convert(cal.tz)
        txt = f"after early close ({close:%H:%M})" if early[j] else "after close"
        placed.day0[rows[j]] = nxt[j]
        placed.rule[rows[j]] = f"{when[j]}, {txt} -> next session"


def _timed_table(events: pd.DataFrame, rows: _Rows, placed: _Placed) -> pd.DataFrame:
    """The input table with the timing columns added (NaT / NA on rows with an error)."""
    bad = ~_none(rows.errors)
    placed.requested[bad] = _NAT
    placed.day0[bad] = _NAT
    placed.rule[bad] = None
    placed.intraday[bad] = False
    index = events.index
    out = events.copy()
    out["market"] = _strings(rows.markets, index)
    out["calendar"] = _strings(rows.calendars, index)
    out["requested_date"] = pd.Series(placed.requested.view("datetime64[ns]"), index=index)
    out["day0"] = pd.Series(placed.day0.view("datetime64[ns]"), index=index)
    out["day0_rule"] = _strings(placed.rule, index)
    out["intraday"] = pd.Series(placed.intraday, index=index, dtype=bool)
    out["timing_error"] = _strings(rows.errors, index)
    return out


def _strings(values: np.ndarray, index) -> pd.Series:
    """``pd.Series(values, dtype="str")``, each distinct value converted once (None: NA)."""
    try:
        codes, uniq = pd.factorize(values)
    except TypeError:
        return pd.Series(values, index=index, dtype="str")
    return pd.Series(pd.array(uniq, dtype="str").take(codes, allow_fill=True), index=index)


def time_events(events: pd.DataFrame, policy: str = "next", *, calendar: str | None = None) -> pd.DataFrame:
    """The events table with day 0 per listing.

    Adds ``calendar``, ``requested_date``, ``day0``, ``day0_rule``, ``intraday`` and
    ``timing_error`` (NA when fine, else the one-line reason: one bad row never stops the others;
    a row with an ``input_error`` from :func:`analysis.events.table.validate_events` keeps it)
    and fills an empty ``market`` from :func:`default_market`. A non-empty ``calendar`` column in
    the input wins per row; for tickers whose suffix is unknown the ``calendar`` argument is used,
    else an ``exchange`` column holding a calendar name (as ``analysis.events.extract`` writes it).

    The rules are those of :func:`resolve_day0`, applied to all the rows of one calendar at
    once: each distinct cell is read once, the dates are placed with one ``searchsorted`` in
    the calendar's sessions and the times compared with its opens, breaks and closes as arrays
    (``tests/test_timing.py`` checks every row against :func:`resolve_day0`).
    """
    calendar = _check_table(events, policy, calendar)
    rows = _Rows(events, calendar)
    placed = _Placed(rows.n)
    for name, idx in _build_calendars(rows).items():
        cal = get_calendar(name)
        shown = validate_calendar(name)
        stamped = rows.has_stamp[idx]
        _place_dates(cal, shown, idx[~stamped], rows, policy, placed)
        _place_instants(cal, shown, idx[stamped], rows, placed)
    return _timed_table(events, rows, placed)


def _message(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
