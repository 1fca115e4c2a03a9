"""Events without text: a company's earnings announcements from Yahoo's earnings calendar.

``yfinance.Ticker(symbol).get_earnings_dates(limit)`` returns a frame indexed by
``Earnings Date`` (tz-aware, America/New_York, to the hour as Yahoo's calendar page shows it:
"May 22, 2024 at 4 PM EDT") with the columns ``EPS Estimate``, ``Reported EPS`` and
``Surprise(%)``. :func:`earnings_events` turns it into an events table (the columns of
:data:`analysis.events.extract.COLUMNS` plus the three figures), one row per past announcement:

* ``announced_at``: the announcement time; a time of exactly midnight is Yahoo's placeholder for
  "time not given" and is left out (the date still counts);
* ``time_of_day``: where that instant falls on the listing's exchange calendar (before the open,
  during the session, after the close; :func:`analysis.events.timing.resolve_day0`), else
  ``unknown``;
* ``event_date``: the announcement's date in the exchange's time zone;
* announcements still to come (no reported EPS and a date after ``now``) are left out.

:func:`load_earnings_dates` keeps each symbol's answer in ``<cache_dir>/earnings/<SYMBOL>.json``
(atomic writes), so the command works offline on what it fetched before.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..data.exchanges import exchange_row, validate_symbol
from ..errors import DownloadError, InputError, OfflineError
from .companies import listing_venue, universe
from .extract import COLUMNS
from .lookup import write_json

FIGURES = ("EPS Estimate", "Reported EPS", "Surprise(%)")
EXTRA_COLUMNS = ("eps_estimate", "eps_reported", "surprise_pct")
FORMAT = 1


def _time_of_day(ticker: str, ts: pd.Timestamp, calendar: str) -> str:
    from .timing import resolve_day0

    day = resolve_day0(calendar=calendar, announced_at=ts)
    if day.intraday:
        return "during"
    return "after_close" if day.day0 > day.requested else "before_open"


def _number(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out


def _evidence(figures: list[float]) -> str:
    said = [f"{label} {value:g}" for label, value in zip(("EPS estimate", "reported EPS", "surprise %"), figures)
            if not pd.isna(value)]
    return "earnings announcement (Yahoo earnings calendar)" + (": " + ", ".join(said) if said else "")


def earnings_events(frame: pd.DataFrame | None, ticker: str, *, since=None, now=None) -> pd.DataFrame:
    """Events table of a symbol's past earnings announcements (see the module docstring)."""
    ticker = validate_symbol(ticker)
    calendar, market = listing_venue(ticker)
    tz = exchange_row(ticker)["tz"] if calendar else "America/New_York"
    known = universe().company(ticker)
    company = known.name if known is not None else ticker
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    since = pd.Timestamp(since) if since is not None else None
    rows = []
    for stamp, rec in ([] if frame is None else frame.sort_index().iterrows()):
        ts = pd.Timestamp(stamp)
        ts = ts.tz_localize("America/New_York") if ts.tzinfo is None else ts
        reported = _number(rec.get("Reported EPS"))
        if pd.isna(reported) and ts > now:
            continue                                     # still to come
        local = ts.tz_convert(tz)
        date = pd.Timestamp(local.date())
        if since is not None and date < since:
            continue
        timed = not (ts.hour == 0 and ts.minute == 0)    # midnight: Yahoo gives no time
        tod = _time_of_day(ticker, ts, calendar) if timed and calendar else "unknown"
        figures = [_number(rec.get(c)) for c in FIGURES]
        rows.append(dict(
            event_id=f"{ticker}-earnings-{date:%Y-%m-%d}", company=company, ticker=ticker, exchange=calendar,
            market=market, role="subject", listed=True, event_date=date,
            announced_at=ts if timed else pd.NaT, time_of_day=tod, date_source="yahoo earnings calendar",
            evidence=_evidence(figures),
            **dict(zip(EXTRA_COLUMNS, figures))))
    out = pd.DataFrame(rows, columns=[*COLUMNS, *EXTRA_COLUMNS])
    out["event_date"] = pd.to_datetime(out["event_date"]).astype("datetime64[ns]")
    out["announced_at"] = out["announced_at"].astype(object)
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------- cache ----

def cache_file(ticker: str, cache_dir=None) -> Path:
    from .. import config

    return config.cache_dir(cache_dir) / "earnings" / f"{validate_symbol(ticker)}.json"


def _to_records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    out = []
    for stamp, rec in frame.iterrows():
        out.append({"date": pd.Timestamp(stamp).isoformat(),
                    **{c: (None if pd.isna(_number(rec.get(c))) else _number(rec.get(c))) for c in FIGURES}})
    return out


def _from_records(records: list[dict]) -> pd.DataFrame:
    index = pd.to_datetime([r["date"] for r in records], utc=True).tz_convert("America/New_York")
    index.name = "Earnings Date"
    return pd.DataFrame({c: [r.get(c) for r in records] for c in FIGURES}, index=index).astype(float)


def fetch_earnings_dates(ticker: str, limit: int = 100) -> pd.DataFrame | None:
    """Yahoo's earnings calendar for a symbol (yfinance ``get_earnings_dates``), every request
    bounded by the timeout and the deadline of a price download (``ANALYSIS_TIMEOUT``,
    ``ANALYSIS_DEADLINE``); a network failure is raised in words (timeout, DNS, proxy, TLS)."""
    import yfinance as yf

    from ..data.yahoo import bounded_session

    session, journal = bounded_session([ticker])
    quiet = logging.NullHandler()              # yfinance's own retry chatter; the cause is raised below
    logger = logging.getLogger("yfinance")
    logger.addHandler(quiet)
    try:
        frame = yf.Ticker(ticker, session=session).get_earnings_dates(limit=limit)
        if frame is None or len(frame) == 0:          # yfinance may log a network failure and return None
            cause = journal.cause(ticker) or (journal.general[-1] if journal.general else None)
            if cause is not None:
                raise ConnectionError(cause)
        return frame
    except ConnectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - the network edge: name the cause when there is one
        cause = journal.cause(ticker)
        if cause is None and journal.general:
            cause = journal.general[-1]
        if cause is None:
            raise
        raise ConnectionError(cause) from exc
    finally:
        logger.removeHandler(quiet)


def load_earnings_dates(ticker: str, *, cache_dir=None, offline: bool | None = None, refresh: bool = False,
                        fetch: Callable[[str], pd.DataFrame | None] | None = None) -> pd.DataFrame:
    """The symbol's earnings dates: from the cache, else (online) from Yahoo, then cached.

    ``refresh`` asks Yahoo again even when cached. Offline without a cached answer:
    OfflineError naming the symbol; a failed download: DownloadError.
    """
    from .. import config

    path = cache_file(ticker, cache_dir)
    if path.is_file() and not refresh:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if payload.get("format") == FORMAT:
                return _from_records(payload["rows"])
        except (OSError, ValueError, KeyError, TypeError):
            pass                                           # unreadable: fetched again below
    if config.offline(offline):
        raise OfflineError(f"no cached earnings dates for {ticker} and offline (run once online)")
    try:
        frame = (fetch or fetch_earnings_dates)(ticker)
    except Exception as exc:                                # yfinance raises many kinds
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DownloadError(f"cannot fetch earnings dates for {ticker}: {reason}") from None
    if frame is None or len(frame) == 0:
        raise DownloadError(f"Yahoo has no earnings dates for {ticker}")
    write_json(path, {"format": FORMAT, "symbol": ticker, "fetched": _dt.datetime.now(_dt.timezone.utc).isoformat(),
                  "rows": _to_records(frame)})
    return _from_records(_to_records(frame))


def parse_since(text) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(_dt.date.fromisoformat(str(text).strip()))
    except ValueError:
        raise InputError(f"--since must be a date YYYY-MM-DD, got {text!r}") from None
