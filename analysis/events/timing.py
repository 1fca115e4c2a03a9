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
    needed. Without dates: the library's default range (20 years back, 1 year ahead)."""
    import exchange_calendars as xc

    name = validate_calendar(name)
    real = CALENDAR_ALIASES.get(name, name)
    lo = None if start is None else pd.Timestamp(start).tz_localize(None).normalize() - pd.Timedelta(days=_PAD_DAYS)
    hi = None if end is None else pd.Timestamp(end).tz_localize(None).normalize() + pd.Timedelta(days=_PAD_DAYS)
    cal = _CALENDARS.get(real)
    if cal is not None and (lo is None or lo >= cal.first_session) and (hi is None or hi <= cal.last_session):
        return cal
    if cal is None:
        with _quiet():
            cal = xc.get_calendar(real)  # default range, then widen if asked
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
            with _quiet():
                cal = xc.get_calendar(real, start=new_lo, end=new_hi)
        except Exception as exc:  # exchange_calendars raises its own errors for impossible ranges
            raise CalendarError(f"cannot build calendar {name} for {new_lo.date()}..{new_hi.date()}: {exc}") from exc
    _CALENDARS[real] = cal
    return cal


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
# a whole events table


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


def time_events(events: pd.DataFrame, policy: str = "next", *, calendar: str | None = None) -> pd.DataFrame:
    """The events table with day 0 per listing.

    Adds ``calendar``, ``requested_date``, ``day0``, ``day0_rule``, ``intraday`` and
    ``timing_error`` (NA when fine, else the one-line reason: one bad row never stops the others;
    a row with an ``input_error`` from :func:`analysis.events.table.validate_events` keeps it)
    and fills an empty ``market`` from :func:`default_market`. A non-empty ``calendar`` column in
    the input wins per row; for tickers whose suffix is unknown the ``calendar`` argument is used,
    else an ``exchange`` column holding a calendar name (as ``analysis.events.extract`` writes it).
    """
    from tqdm.auto import tqdm

    if policy not in POLICIES:
        raise InputError(f"unknown timing policy {policy!r} (use one of {', '.join(POLICIES)})")
    if calendar is not None:
        calendar = validate_calendar(calendar)
    if "ticker" not in events.columns:
        raise InputError("events table has no 'ticker' column")
    if "event_date" not in events.columns and "announced_at" not in events.columns:
        raise InputError("events table needs an 'event_date' or 'announced_at' column")

    n = len(events)
    out = events.copy()
    col = lambda c: events[c].tolist() if c in events.columns else [None] * n  # noqa: E731
    tickers, dates, stamps = col("ticker"), col("event_date"), col("announced_at")
    tods, zones, given_cal, markets = col("time_of_day"), col("tz"), col("calendar"), col("market")
    exchanges = col("exchange")  # extract writes the calendar name of the listing here

    cal_names: list = [None] * n
    # a row events.table.validate_events kept with a problem stays untimed, with that reason
    errors: list = [None if _missing(e) else str(e) for e in col("input_error")]
    markets_out = list(markets)
    announcements: list = [None] * n
    for i in range(n):
        if errors[i] is not None:
            continue
        try:
            own = None if _missing(given_cal[i]) else given_cal[i]
            try:
                cal_names[i] = calendar_for(tickers[i], own)
            except CalendarError:
                fallback = calendar
                if fallback is None and not _missing(exchanges[i]) and \
                        str(exchanges[i]).strip().upper() in _calendar_names():
                    fallback = validate_calendar(exchanges[i])
                if fallback is None:
                    raise
                cal_names[i] = fallback
            if _missing(markets[i]):
                try:
                    markets_out[i] = default_market(tickers[i])
                except CalendarError:
                    raise CalendarError(
                        f"no default benchmark for {tickers[i]!r}: fill the market column"
                    ) from None
            announcements[i] = _parse_announcement(stamps[i], zones[i])
        except Exception as exc:  # noqa: BLE001 - user errors go to the row; bugs still surface below
            if not isinstance(exc, (InputError, CalendarError, EventError, ValueError, TypeError)):
                raise
            errors[i] = _message(exc)

    # build each calendar once, over the whole range of its rows
    for name in {c for c, e in zip(cal_names, errors) if c is not None and e is None}:
        days = []
        for i in range(n):
            if cal_names[i] == name and errors[i] is None:
                if announcements[i] is not None:
                    days.append(announcements[i].tz_convert("UTC").tz_localize(None))
                elif not _missing(dates[i]):
                    try:
                        days.append(_as_date(dates[i]))
                    except InputError:
                        pass
        if days:
            try:
                get_calendar(name, min(days), max(days))
            except CalendarError as exc:
                for i in range(n):
                    if cal_names[i] == name:
                        errors[i] = errors[i] or _message(exc)

    requested = [pd.NaT] * n
    day0 = [pd.NaT] * n
    rules: list = [None] * n
    intraday = [False] * n
    for i in tqdm(range(n), desc="timing events", unit="event", disable=n < 2000):
        if errors[i] is not None:
            continue
        try:
            d = resolve_day0(calendar=cal_names[i], event_date=dates[i], announced_at=announcements[i],
                             time_of_day=tods[i], policy=policy)
        except (InputError, CalendarError, EventError) as exc:
            errors[i] = _message(exc)
            continue
        requested[i], day0[i], rules[i], intraday[i] = d.requested, d.day0, d.rule, d.intraday

    index = events.index
    out["market"] = pd.Series(markets_out, index=index, dtype="str")
    out["calendar"] = pd.Series(cal_names, index=index, dtype="str")
    out["requested_date"] = pd.Series(pd.DatetimeIndex(requested).as_unit("ns"), index=index)
    out["day0"] = pd.Series(pd.DatetimeIndex(day0).as_unit("ns"), index=index)
    out["day0_rule"] = pd.Series(rules, index=index, dtype="str")
    out["intraday"] = pd.Series(intraday, index=index, dtype=bool)
    out["timing_error"] = pd.Series(errors, index=index, dtype="str")
    return out


def _message(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
