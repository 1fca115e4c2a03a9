"""The event-study engine: windows of every event gathered into arrays, models applied at once.

Day 0 of an event is the first *joint* trading date (stock and market both have a return) on or
after its date: the ``day0`` column from :func:`analysis.events.timing.time_events` when present, else
``event_date``. Windows are in joint trading days relative to day 0 (MacKinlay 1997; Campbell,
Lo & MacKinlay 1997, ch. 4). The joint return series of all (ticker, market) pairs are built
at once and concatenated; each event's day 0 is found by a running count over them and its
windows, contiguous runs of its pair's series, are copied as slices. There is no Python loop
over events or pairs: the fit runs over blocks of events (on threads, see
:mod:`analysis.core.blocks`).

A bad event is skipped, with a one-line reason in ``diagnostics``, and the others go on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from .. import config
from ..data.exchanges import default_market
from ..errors import (AnalysisError, DataError, EstimationError, EventError, InputError,
                      UnknownTickerError, WindowError)
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_JUMPS, DEFAULT_MAX_DAY0_DELAY,
                       DEFAULT_MAX_GAP, DEFAULT_MAX_MISSING_SHARE, DEFAULT_MIN_ESTIMATION_OBS, GAP_WARNING,
                       columns, validate_windows)
from . import models as _models
from .arrays import (EventArrays, FitResiduals, LazyRows, PredictedRows, ResidualRuns, RootRows, WindowRows,
                     compact_rows, rows_of, windows)
from .blocks import blocks, map_blocks, scratch
from .checks import Notes, check_jump_policy, duplicate_of, identical_rows, suspect_in_windows, window_problems
from .results import Estimates, EventStatus, EventStudyResult
from .returns import check_kind, returns_from_values

# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------


def _to_days(values) -> np.ndarray:
    """Timestamps (tz-naive) to int64 days since 1970-01-01; NaT -> INT64 min."""
    return np.asarray(pd.DatetimeIndex(values).to_numpy().astype("datetime64[D]").astype(np.int64))


_NAT = np.iinfo(np.int64).min


def _dates_column(events: pd.DataFrame, column: str) -> pd.Series:
    raw = events[column]
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        parsed = raw.dt.tz_localize(None)
    else:
        parsed = pd.to_datetime(raw, errors="coerce", format="mixed") if raw.dtype == object else \
            pd.to_datetime(raw, errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
    missing = parsed.isna()
    bad = missing & raw.notna() & (raw.astype(str).str.strip() != "") if missing.any() else missing
    if bad.any():
        value = raw[bad].iloc[0]
        raise InputError(f"{column} {value!r} is not a date")
    return parsed.dt.normalize().astype("datetime64[ns]")


def prepare_events(events: pd.DataFrame) -> pd.DataFrame:
    """The columns the engine needs: event_id, ticker, market, event_date, start (date searched
    from: timed ``day0`` when present, else ``event_date``), group, timing_error."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"events must be a DataFrame, got {type(events).__name__}")
    if "ticker" not in events.columns:
        raise InputError("events table has no 'ticker' column")
    if "event_date" not in events.columns and "day0" not in events.columns:
        raise InputError("events table needs an 'event_date' (or a timed 'day0') column")
    n = len(events)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    if "event_id" in events.columns:
        col = events["event_id"]
        ids = (col.to_numpy(dtype=object) if isinstance(col.dtype, pd.StringDtype) and not col.hasnans
               else col.astype(str).to_numpy(dtype=object))
        if len(set(ids)) < len(ids):
            dup = pd.Index(ids).duplicated()
            raise InputError(f"event_id {ids[dup][0]!r} is not unique")
    else:
        ids = np.array([f"e{i:04d}" for i in range(1, n + 1)], dtype=object)
    obj = (lambda values: pd.Series(np.asarray(values, dtype=object), dtype=object))
    out["event_id"] = obj(ids)
    out["ticker"] = obj(_stripped(events["ticker"]))
    market = (_stripped(events["market"], empty_is_missing=True) if "market" in events.columns
              else np.full(n, pd.NA, dtype=object))
    missing = pd.isna(market)
    if missing.any():
        market[missing] = [_default_market(t) for t in out["ticker"][missing]]
    out["market"] = obj(market)
    event_date = (_dates_column(events, "event_date") if "event_date" in events.columns
                  else pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns]"))
    out["event_date"] = event_date.to_numpy()
    start = event_date
    if "day0" in events.columns:
        day0 = _dates_column(events, "day0")
        start = day0.where(day0.notna(), event_date)
    out["start"] = start.to_numpy()
    requested = event_date
    if "requested_date" in events.columns:             # timed: the date the announcement asked for
        given = _dates_column(events, "requested_date")
        requested = given.where(given.notna(), event_date)
    out["requested_date"] = requested.to_numpy()
    none = np.full(n, None, dtype=object)
    out["group"] = obj(events["group"].to_numpy(dtype=object) if "group" in events.columns else none)
    if "timing_error" in events.columns:
        te = events["timing_error"]
        given = (te.notna() & (te.astype(str).str.strip() != "")).to_numpy(dtype=bool)
        out["timing_error"] = obj(np.where(given, te.to_numpy(dtype=object), None))
    else:
        out["timing_error"] = obj(none)
    return out


def _default_market(ticker):
    """The benchmark of the ticker's exchange, or missing when there is no ticker or no rule."""
    if pd.isna(ticker):
        return pd.NA
    try:
        return default_market(ticker)
    except AnalysisError:
        return pd.NA


def _stripped(column: pd.Series, empty_is_missing: bool = False) -> np.ndarray:
    """The column as stripped strings (object array, pd.NA where missing, and where empty with
    ``empty_is_missing``); each distinct value is converted once (tickers repeat)."""
    if not isinstance(column.dtype, pd.StringDtype) and \
            pd.api.types.infer_dtype(column, skipna=True) != "string":
        column = column.astype("string")           # 1, 1.0 and True are different tickers
    codes, uniq = pd.factorize(column)
    text = pd.Series(uniq, dtype=object).astype("string").str.strip().to_numpy(dtype=object)
    if empty_is_missing:
        text[text == ""] = pd.NA
    text = np.append(text, pd.NA)                       # code -1: missing
    return text[codes]


def _panel(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{name} must be a wide DataFrame (dates x symbols), got {type(frame).__name__}")
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        try:
            index = pd.DatetimeIndex(pd.to_datetime(index))
        except (TypeError, ValueError):
            raise InputError(f"{name} must be indexed by dates") from None
    if index.tz is not None:
        index = index.tz_localize(None)
    index = index.normalize()
    if index.has_duplicates:
        raise DataError(f"{name} has duplicate dates, e.g. {index[index.duplicated()][0].date()}")
    if frame.columns.has_duplicates:
        raise InputError(f"{name} has the column {frame.columns[frame.columns.duplicated()][0]!r} twice")
    frame = frame.set_axis(index, axis=0)
    if not index.is_monotonic_increasing:
        frame = frame.sort_index()
    try:
        return frame.astype(float)
    except (TypeError, ValueError):
        raise InputError(f"{name} has non-numeric values") from None


# --------------------------------------------------------------------------------------------
# the joint series of every (ticker, market) pair
# --------------------------------------------------------------------------------------------

@dataclass
class _Skips:
    """Per-event status: reason (None when fine) and the matching error class."""

    reason: np.ndarray
    error: np.ndarray
    skipped: np.ndarray

    @classmethod
    def new(cls, n: int) -> "_Skips":
        return cls(np.full(n, None, dtype=object), np.full(n, None, dtype=object), np.zeros(n, dtype=bool))

    def ok(self) -> np.ndarray:
        return ~self.skipped

    def set(self, rows, reasons, error) -> None:
        """Skip ``rows`` (the first reason given to an event wins)."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if not len(rows):
            return
        if isinstance(reasons, str):
            reasons = [reasons] * len(rows)
        reasons = np.asarray(reasons, dtype=object)
        new = ~self.skipped[rows]
        rows = rows[new]
        self.reason[rows] = reasons[new]
        self.error[rows] = error
        self.skipped[rows] = True


def _fmt_day(d: int) -> str:
    return str(np.datetime64(int(d), "D"))


def _first_bad_price(values: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Row of the first non-positive price of each column, -1 where there is none."""
    bad = has & ~(values > 0)
    return np.where(bad.any(axis=0), bad.argmax(axis=0), -1)


def _count_before(sorted_flat: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """For each x, the number of entries of ``sorted_flat`` (distinct, increasing, in
    [0, size)) smaller than x: a binary search, done as a running count over the flat range
    (one pass, no random access) when that range is not much longer than the needles."""
    if len(sorted_flat) == size:                   # every flat index is present
        return np.minimum(x, size)
    if size > 50 * (len(x) + len(sorted_flat)):
        return np.searchsorted(sorted_flat, x)
    member = np.zeros(size, dtype=np.int32)
    member[sorted_flat] = 1
    before = np.empty(size + 1, dtype=np.int64)
    before[0] = 0
    np.cumsum(member, out=before[1:])
    return before[np.minimum(x, size)]


@dataclass
class _Located:
    """The concatenated joint series (sentinel at the end) and where each event sits in them."""

    g_r: np.ndarray
    g_m: np.ndarray
    g_f: np.ndarray | None
    g_d: np.ndarray
    g_n: np.ndarray | None        # sessions each return covers (None: one each, or unknown)
    breaks: np.ndarray            # True where a pair's series starts
    base: np.ndarray              # per event: index of day 0 (-1: not located)
    pos: np.ndarray               # per event: day 0's position in its pair's series
    start_days: np.ndarray        # per event: the date day 0 was searched from
    pair_names: tuple             # per event: (ticker, market) of its pair, None when skipped


def _market_sessions(has: np.ndarray, m_col: np.ndarray):
    """Running count of each pair's market sessions over the panel's rows: ``count(p, r)`` is
    the number of rows <= r on which the pair's market has a value (0 for r < 0)."""
    rows, which = np.unique(m_col, return_inverse=True)
    cum = np.cumsum(has[rows], axis=1, dtype=np.int64)

    def count(pair, row):
        row = np.asarray(row)
        return np.where(row >= 0, cum[which[pair], np.maximum(row, 0)], 0)

    return count


def _compound_factors(factors: pd.DataFrame, factor_cols, d_prev: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Factor returns summed over the factor table's days in (d_prev, d] (a multi-session
    return's regressors: the linear model of n daily returns); NaN when a day is missing."""
    table = factors[list(factor_cols)]
    fdays = _to_days(table.index)
    vals = table.to_numpy(dtype=float)
    cum = np.vstack([np.zeros((1, vals.shape[1])), np.cumsum(np.nan_to_num(vals), axis=0)])
    nan = np.concatenate([[0], np.cumsum(np.isnan(vals).any(axis=1))])
    lo, hi = np.searchsorted(fdays, d_prev, side="right"), np.searchsorted(fdays, d, side="right")
    out = cum[hi] - cum[lo]
    out[(nan[hi] - nan[lo]) > 0] = np.nan
    return out


def _locate(events: pd.DataFrame, skips: _Skips, panel: pd.DataFrame, from_prices: bool, kind: str,
            factors: pd.DataFrame | None, factor_cols: tuple[str, ...], est, evt, notes=None,
            max_day0_delay: int | None = None, margin=(0, 0)) -> _Located:
    """Concatenate the joint series of every (ticker, market) pair used and find each event's
    day 0 in it, with array code for all pairs and events at once.

    The joint series of a pair is its dates where both legs have a value (and, for factor
    models, the factor table too); from prices, the returns run between consecutive joint dates
    (see :mod:`analysis.core.returns`), each spanning the market sessions between them. Returns
    the concatenated stock, market, factor, date and span arrays (a missing-day sentinel at the
    end), each event's index of day 0 in them (``base``, -1 when not located), its position
    inside its pair's series and the event start days. ``margin``: (lags, leads) of market
    returns the model reads around its windows (kept when only some rows are copied).
    """
    start = events["start"].to_numpy()
    start_days = np.where(pd.isna(start), _NAT, start.astype("datetime64[D]").astype(np.int64))
    pairs = _Pairs.build(events, skips, panel, from_prices, factor_cols)
    bad_pair = pairs.skip_bad_prices(skips) if from_prices else np.zeros(pairs.n, dtype=bool)
    joint = _joint_series(pairs, bad_pair, from_prices, kind, factors, factor_cols)
    empty = np.flatnonzero((joint.pair_length == 0) & ~bad_pair)
    if len(empty):
        where = "on common dates"
        if factor_cols:
            fdates = factors.index[factors[list(factor_cols)].notna().all(axis=1)]
            span = f"{fdates[0].date()} to {fdates[-1].date()}" if len(fdates) else "empty"
            where = f"on dates covered by the factor table ({span})"
        pairs.skip(skips, empty, lambda q: f"{pairs.pair_t[q]} and {pairs.pair_m[q]} have no returns {where}",
                   DataError)
    day0 = _find_day0(pairs, joint, start_days, skips, notes, evt, max_day0_delay, factor_cols)
    return _assemble(pairs, joint, day0, len(events), start_days, (est[0] - margin[0], est[1]),
                     (evt[0], evt[1] + margin[1]), factor_cols)


@dataclass
class _Pairs:
    """The events' (ticker, market) pairs and their rows in the panel (symbols x dates)."""

    codes: np.ndarray           # (n_events,) pair of each event; -1: already skipped
    pair_t: np.ndarray
    pair_m: np.ndarray
    t_col: np.ndarray           # each pair's stock and market row in ``values``
    m_col: np.ndarray
    used: np.ndarray            # panel columns of ``values``
    days: np.ndarray
    all_values: np.ndarray      # symbols x dates, C-contiguous
    values: np.ndarray | None   # the used rows (None on the gapless path)
    has: np.ndarray | None
    gapless: bool
    from_prices: bool

    @property
    def n(self) -> int:
        return len(self.pair_t)

    @classmethod
    def build(cls, events, skips: _Skips, panel, from_prices: bool, factor_cols) -> "_Pairs":
        tickers = events["ticker"].to_numpy(dtype=object)
        markets = events["market"].to_numpy(dtype=object)
        ok = skips.ok()
        codes = np.full(len(events), -1, dtype=np.int64)
        ct, ut = pd.factorize(tickers[ok])
        cm, um = pd.factorize(markets[ok])
        codes[ok], upairs = pd.factorize(ct.astype(np.int64) * max(len(um), 1) + cm)
        n_pairs = len(upairs)
        pair_t = np.asarray(ut, dtype=object)[upairs // max(len(um), 1)]
        pair_m = np.asarray(um, dtype=object)[upairs % max(len(um), 1)]
        names = pd.Index([str(c) for c in panel.columns])
        used, local = np.unique(np.concatenate([names.get_indexer(pair_t), names.get_indexer(pair_m)]),
                                return_inverse=True)
        days = _to_days(panel.index)
        # symbols by dates, one row per symbol (a pair's series is read sequentially): for a
        # frame of one float block, a view of its memory
        all_values = np.ascontiguousarray(panel.to_numpy(dtype=float).T)
        # given returns without a gap in any used symbol: each pair's series is the whole panel
        # (a row sum is NaN when the row has a NaN; +inf and -inf together also give NaN and send
        # the panel down the general path, which handles them the same way)
        gapless = (n_pairs > 0 and not from_prices and not factor_cols
                   and not np.isnan(all_values.sum(axis=1)[used]).any())
        values = has = None
        if not gapless:
            values = all_values[used] if n_pairs else np.zeros((0, len(days)))
            has = ~np.isnan(values)
        return cls(codes, pair_t, pair_m, local[:n_pairs], local[n_pairs:], used, days, all_values,
                   values, has, gapless, from_prices)

    def skip(self, skips: _Skips, pairs, reason_of, error) -> None:
        """Skip the events of ``pairs`` (one pass over the events), reason_of(pair) each."""
        if len(pairs):
            reasons = {int(q): reason_of(q) for q in pairs}
            hit = np.flatnonzero(np.isin(self.codes, pairs))
            skips.set(hit, [reasons[int(q)] for q in self.codes[hit]], error)

    def skip_bad_prices(self, skips: _Skips) -> np.ndarray:
        """A non-positive price skips that pair's events only; returns the bad pairs."""
        first_bad = _first_bad_price(self.values.T, self.has.T)
        bad_pair = (first_bad[self.t_col] >= 0) | (first_bad[self.m_col] >= 0)

        def reason(q):
            c, sym = ((self.t_col[q], self.pair_t[q]) if first_bad[self.t_col[q]] >= 0
                      else (self.m_col[q], self.pair_m[q]))
            i = first_bad[c]
            return f"non-positive price {float(self.values[c, i])!r} for {sym} on {_fmt_day(self.days[i])}"

        self.skip(skips, np.flatnonzero(bad_pair), reason, DataError)
        return bad_pair


@dataclass
class _Joint:
    """The joint series of all pairs, pair after pair (before the sentinel is appended)."""

    fi: np.ndarray | None       # flat index pair * n_days + row of every element (None: gapless)
    g_r: np.ndarray | None
    g_m: np.ndarray | None
    g_d: np.ndarray | None
    g_n: np.ndarray | None
    f: np.ndarray | None
    pair_offset: np.ndarray
    pair_length: np.ndarray
    date_at: object             # series index -> day
    sessions: object            # (pair, row) -> market sessions up to the row (None: gapless)


def _joint_series(pairs: _Pairs, bad_pair, from_prices: bool, kind: str, factors, factor_cols) -> _Joint:
    """The joint series of all pairs: `fi` holds the flat index pair * n_days + row of every
    element, increasing, so counting the entries below pair * n_days + row finds any date's
    position. On the gapless path (given returns, no gap) every pair's series is the whole
    panel: day 0 is found on the panel's dates; the series are copied later (_gapless_series)."""
    days, n_days, n_pairs = pairs.days, len(pairs.days), pairs.n
    if pairs.gapless:
        return _Joint(None, None, None, None, None, None, np.arange(n_pairs, dtype=np.int64) * n_days,
                      np.full(n_pairs, n_days, dtype=np.int64), (lambda i: days[i % n_days]), None)
    values, has, t_col, m_col = pairs.values, pairs.has, pairs.t_col, pairs.m_col
    joint = has[t_col] & has[m_col]
    joint[bad_pair] = False
    fi = np.flatnonzero(joint)
    dense = len(fi) == n_pairs * n_days             # no gaps anywhere: fi is 0, 1, 2, ...
    pick = (lambda cols: values[cols].ravel() if dense else values[cols].ravel()[fi])
    rs, rm = pick(t_col), pick(m_col)
    sessions = _market_sessions(has, m_col)
    spans = prev_row = None
    if from_prices:
        rs, rm = returns_from_values(rs, kind), returns_from_values(rm, kind)
        same = (fi[1:] // n_days) == (fi[:-1] // n_days)   # a pair's first joint date: no return
        prev_row = (fi[:-1] % n_days)[same]
        rs, rm, fi = rs[same], rm[same], fi[1:][same]
        # trade-to-trade: the market sessions each return spans (Maynes & Rumsey 1993)
        spans = (sessions(fi // n_days, fi % n_days) - sessions(fi // n_days, prev_row)).astype(float)
    row = fi % n_days
    f = None
    if factor_cols:
        dates = pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"))
        f = factors.reindex(dates)[list(factor_cols)].to_numpy(dtype=float)[row]
        if spans is not None and (spans > 1).any():
            multi = spans > 1
            f[multi] = _compound_factors(factors, factor_cols, days[prev_row[multi]], days[row[multi]])
        keep = ~np.isnan(f).any(axis=1)
        rs, rm, f, fi, row = rs[keep], rm[keep], f[keep], fi[keep], row[keep]
        spans = None if spans is None else spans[keep]
    d = days[row]
    pair_offset = np.searchsorted(fi, np.arange(n_pairs + 1) * n_days)
    # concatenated, with a sentinel (missing day) at the end
    return _Joint(fi, np.append(rs, np.nan), np.append(rm, np.nan), np.append(d, -1),
                  None if spans is None else np.append(spans, np.nan), f, pair_offset[:-1],
                  np.diff(pair_offset), d.__getitem__, sessions)


@dataclass
class _Day0:
    ev: np.ndarray              # events located in a pair
    p: np.ndarray               # their pairs
    p0c: np.ndarray             # day 0's position in the pair's series
    inside: np.ndarray          # day 0 inside the data


def _find_day0(pairs: _Pairs, joint: _Joint, start_days, skips: _Skips, notes, evt, max_day0_delay,
               factor_cols) -> _Day0:
    """Day 0: the first joint date on or after the start, for all events at once; events before
    or after the data, with a window beyond it, or whose stock did not trade for too long are
    skipped; a market closed while the stock traded moves day 0 like a weekend (flagged)."""
    days, n_days = pairs.days, len(pairs.days)
    size = pairs.n * n_days
    ev = np.flatnonzero((pairs.codes >= 0) & skips.ok())
    p = pairs.codes[ev]
    off, length = joint.pair_offset[p], joint.pair_length[p]
    s = start_days[ev]
    r_s = np.searchsorted(days, s)                  # first panel row on or after the start
    flat = p * n_days + r_s
    p0 = (np.minimum(flat, size) if joint.fi is None else _count_before(joint.fi, flat, size)) - off
    date_at = joint.date_at
    first, last = date_at(off), date_at(off + length - 1)
    after = p0 >= length
    skips.set(ev[after], [f"event date {_fmt_day(x)} is after the data (last joint date of "
                          f"{pairs.pair_t[q]} and {pairs.pair_m[q]}: {_fmt_day(y)})"
                          for x, q, y in zip(s[after], p[after], last[after])], EventError)
    before = s < first
    skips.set(ev[before], [f"event date {_fmt_day(x)} is before the data (first joint return of "
                           f"{pairs.pair_t[q]} and {pairs.pair_m[q]}: {_fmt_day(y)})"
                           for x, q, y in zip(s[before], p[before], first[before])], EventError)
    inside = ~after & ~before
    p0c = np.minimum(p0, length - 1)
    found = _Day0(ev, p, p0c, inside)
    if not pairs.gapless and notes is not None:
        closed = _market_closed(pairs, joint, found, s, r_s, notes, factor_cols)
        _day0_delays(pairs, joint, found, s, r_s, closed, skips, notes, max_day0_delay)
    beyond = inside & ((p0c + evt[0] < 0) | (p0c + evt[1] >= length))
    skips.set(ev[beyond], [f"event window [{evt[0]}, {evt[1]}] around day 0 {_fmt_day(date_at(o + q))} runs "
                           f"beyond the data ({_fmt_day(a)} to {_fmt_day(b)})"
                           for o, q, a, b in zip(off[beyond], p0c[beyond], first[beyond], last[beyond])],
              WindowError)
    return found


def _market_closed(pairs: _Pairs, joint: _Joint, found: _Day0, s, r_s, notes, factor_cols) -> np.ndarray:
    """Events asked for a day the stock traded but the market (or the factor table) has no
    value: like a weekend, day 0 is the next joint session (a warning), not a dropped event."""
    days, has, p = pairs.days, pairs.has, found.p
    off = joint.pair_offset[p]
    moved = found.inside & (joint.date_at(off + found.p0c) != s)
    r0 = np.minimum(r_s, max(len(days) - 1, 0))
    stock_has = has[pairs.t_col[p], r0]
    if pairs.from_prices:
        stock_has &= r0 > has.argmax(axis=1)[pairs.t_col[p]]      # its first price has no return
    gap = moved & (days[r0] == s) & stock_has
    if gap.any():
        market_has = has[pairs.m_col[p[gap]], r0[gap]]
        whats = [("no factor data" if factor_cols and h else f"no {pairs.pair_m[q]} price")
                 for q, h in zip(p[gap], market_has)]
        notes.add(found.ev[gap], "day0_moved",
                  [f"{w} on {_fmt_day(x)} while {pairs.pair_t[q]} traded: day 0 is the next joint session "
                   f"{_fmt_day(joint.date_at(o + c))}"
                   for w, x, q, o, c in zip(whats, s[gap], p[gap], off[gap], found.p0c[gap])])
    return gap


def _day0_delays(pairs: _Pairs, joint: _Joint, found: _Day0, s, r_s, closed, skips: _Skips, notes,
                 max_day0_delay) -> None:
    """Sessions of the market between the date asked for and day 0 (the stock did not trade):
    reported per event, warned about, and over ``max_day0_delay`` the event is skipped."""
    ev, p, p0c, inside = found.ev, found.p, found.p0c, found.inside
    off = joint.pair_offset[p]
    day0_row = np.searchsorted(pairs.days, joint.date_at(off + p0c))
    delay = np.where(inside, joint.sessions(p, day0_row - 1) - joint.sessions(p, r_s - 1), 0)
    notes.column("day0_delay", ev, delay, fill=0, dtype=np.int64)
    halted = inside & ~closed & (delay > 0)
    late = halted & (delay > (max_day0_delay if max_day0_delay is not None else np.inf))
    skips.set(ev[late], [f"no trade for {k} sessions after the date asked for ({_fmt_day(x)}): day 0 "
                         f"would be {_fmt_day(joint.date_at(o + c))}" for k, x, o, c in
                         zip(delay[late], s[late], off[late], p0c[late])], EventError)
    kept = halted & ~late
    notes.add(ev[kept], "day0_moved", [f"no trade for {k} session(s) after {_fmt_day(x)}: day 0 is "
                                       f"{_fmt_day(joint.date_at(o + c))}" for k, x, o, c in
                                       zip(delay[kept], s[kept], off[kept], p0c[kept])])


def _assemble(pairs: _Pairs, joint: _Joint, found: _Day0, n: int, start_days, est, evt, factor_cols) -> _Located:
    """The concatenated series and each located event's day 0 in them."""
    pos = np.full(n, -1, dtype=np.int64)
    base = np.full(n, -1, dtype=np.int64)
    located, pair_of, row0 = found.ev[found.inside], found.p[found.inside], found.p0c[found.inside]
    if pairs.gapless:
        g_r, g_m, g_d, first_row, offset = _gapless_series(pairs.all_values, pairs.days,
                                                           pairs.used[pairs.t_col], pairs.used[pairs.m_col],
                                                           pair_of, row0, est[0], evt[1])
        pos[located] = row0 - first_row[pair_of]
        base[located] = offset[pair_of] + pos[located]
        g_n = None
        breaks = np.zeros(len(g_d), dtype=bool)
        breaks[offset[offset < len(g_d) - 1]] = True
    else:
        g_r, g_m, g_d, g_n = joint.g_r, joint.g_m, joint.g_d, joint.g_n
        pos[located] = row0
        base[located] = joint.pair_offset[pair_of] + row0
        breaks = np.zeros(len(g_d), dtype=bool)
        breaks[joint.pair_offset[joint.pair_length > 0]] = True
    g_f = np.concatenate([joint.f, np.full((1, len(factor_cols)), np.nan)]) if factor_cols else None
    pair = np.full(n, -1, dtype=np.int64)
    pair[found.ev] = found.p
    return _Located(g_r, g_m, g_f, g_d, g_n, breaks, base, pos, start_days,
                    _PairNames(pair, pairs.pair_t, pairs.pair_m))


class _PairNames:
    """Per event the (ticker, market) of its pair, None when it has none: looked up when
    asked for (only skipped events' reasons need them), not a tuple per event."""

    def __init__(self, pair: np.ndarray, tickers, markets):
        self.pair, self.tickers, self.markets = pair, tickers, markets

    def __len__(self) -> int:
        return len(self.pair)

    def __getitem__(self, e):
        q = int(self.pair[e])
        return None if q < 0 else (self.tickers[q], self.markets[q])


def _gapless_series(values, days, t_rows, m_rows, pair_of, row0, est_start, evt_end):
    """The series of pairs without a gap (each is the whole panel), concatenated with a
    missing-day sentinel at the end; returns them and each pair's first row and offset.

    Whole rows are copied (one take per leg) unless the located events' windows reach less
    than a quarter of the panel (a wide panel with few events per stock): then each pair gets
    only its rows from its earliest estimation start to its latest event-window end or day 0,
    whichever is later, gathered at once. ``values``: symbols x dates, C-contiguous;
    ``t_rows``/``m_rows``: each pair's stock and market row; ``pair_of``/``row0``: each
    located event's pair and day-0 row.
    """
    n_pairs, n_days = len(t_rows), len(days)
    first = np.zeros(n_pairs, dtype=np.int64)
    length = np.full(n_pairs, n_days, dtype=np.int64)
    if len(pair_of):
        lo = np.full(n_pairs, n_days, dtype=np.int64)
        hi = np.full(n_pairs, -1, dtype=np.int64)
        np.minimum.at(lo, pair_of, np.maximum(row0 + est_start, 0))
        np.maximum.at(hi, pair_of, np.minimum(row0 + max(evt_end, 0), n_days - 1))   # day 0 too
        span = np.maximum(hi - lo + 1, 0)
        if 4 * span.sum() < n_pairs * n_days:
            first, length = np.minimum(lo, n_days), span
    offset = np.zeros(n_pairs, dtype=np.int64)
    np.cumsum(length[:-1], out=offset[1:])
    total = int(length.sum())
    g_r, g_m, g_d = np.empty(total + 1), np.empty(total + 1), np.empty(total + 1, dtype=np.int64)
    if total == n_pairs * n_days:
        for out, rows in ((g_r, t_rows), (g_m, m_rows)):
            np.take(values, rows, axis=0, out=out[:total].reshape(n_pairs, n_days), mode="clip")
        g_d[:total].reshape(n_pairs, n_days)[...] = days
    else:
        row = np.arange(total) - np.repeat(offset - first, length)
        pair = np.repeat(np.arange(n_pairs), length)
        flat = values.ravel()
        np.take(flat, t_rows[pair] * n_days + row, out=g_r[:total], mode="clip")
        np.take(flat, m_rows[pair] * n_days + row, out=g_m[:total], mode="clip")
        np.take(days, row, out=g_d[:total], mode="clip")
    g_r[total], g_m[total], g_d[total] = np.nan, np.nan, -1
    return g_r, g_m, g_d, first, offset


def _exclusion_mask(exclude, event_ids: np.ndarray, est_dates: np.ndarray) -> np.ndarray:
    """True where (event, estimation date) is listed in ``exclude`` (columns event_id, date)."""
    if exclude is None or len(exclude) == 0:
        return np.zeros(est_dates.shape, dtype=bool)
    if not isinstance(exclude, pd.DataFrame) or not {"event_id", "date"} <= set(exclude.columns):
        raise InputError("exclude must be a DataFrame with columns event_id and date")
    row_of = pd.Index(event_ids.astype(str))
    rows = row_of.get_indexer(exclude["event_id"].astype(str))
    dates = pd.to_datetime(exclude["date"], errors="coerce")
    if dates.isna().any():
        raise InputError(f"exclude has a date that is not a date: {exclude['date'][dates.isna()].iloc[0]!r}")
    keep = rows >= 0
    d = _to_days(dates[keep].dt.normalize())
    span = np.int64(1 << 32)
    keys = rows[keep].astype(np.int64) * span + (d + (1 << 31))
    grid = np.arange(len(event_ids), dtype=np.int64)[:, None] * span + (est_dates + (1 << 31))
    return np.isin(grid, keys) & (est_dates != -1)


# --------------------------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------------------------

def run_engine(events: pd.DataFrame, returns: pd.DataFrame | None = None, *,
               prices: pd.DataFrame | None = None, model: str = "market",
               estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
               min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS, factors: pd.DataFrame | None = None,
               returns_kind: str = "simple", exclude: pd.DataFrame | None = None,
               source_name: str | None = None, load_errors=None, jumps: str = DEFAULT_JUMPS,
               max_day0_delay: int = DEFAULT_MAX_DAY0_DELAY, max_gap: int = DEFAULT_MAX_GAP,
               max_missing_share: float = DEFAULT_MAX_MISSING_SHARE, duplicates: str = "skip",
               trade_to_trade: bool = True, suspects=None):
    """Run an event study of every event at once and return an :class:`EventStudyResult`.

    events: DataFrame with ``event_id`` (generated when absent), ``ticker``, ``market``,
        ``event_date`` and optionally ``day0`` (from :func:`analysis.events.timing.time_events`; wins over
        event_date), ``group`` and ``timing_error`` (a non-empty value skips the event).
    returns / prices: a wide DataFrame, trading dates x symbols (exactly one of them). Prices are
        turned into ``returns_kind`` returns over the joint dates of each (ticker, market) pair;
        a return that spans several sessions of the market (the stock did not trade) is
        modelled trade-to-trade (Maynes & Rumsey 1993, see :mod:`analysis.core.models`). Given
        returns are used as they are, on the dates where both legs have one.
    model: ``market`` (default), ``market_adjusted``, ``constant_mean``, ``ff3``, ``carhart4``,
        ``ff5`` (see :mod:`analysis.core.models`); factor models need ``factors``, a date-indexed
        frame in decimals as returned by :func:`analysis.data.factors.read_french_factors`.
    estimation_window, event_window: (t1, t2) in trading days relative to day 0; the estimation
        window must end before the event window starts.
    min_estimation_obs: fewest estimation returns accepted (never fewer than k + 3, so that the
        Patell variance (M - k) / (M - k - 2) is defined).
    exclude: DataFrame ``event_id, date``: estimation-window dates dropped before the fit
        (e.g. from :func:`analysis.events.contamination.exclusions`).
    load_errors: ``{symbol: message}`` of symbols the price source could not load: the message
        is the skip reason of their events.
    jumps: ``skip`` (default) an event whose windows hold a one-day price ratio that looks like
        an unadjusted split or a bad price (:func:`analysis.data.quality.jump_mask`), or
        ``keep`` it with a warning.
    max_day0_delay: sessions day 0 may lie after the date asked for because the stock did not
        trade; beyond, the event is skipped ("no trade for N sessions after the date asked for").
    max_gap, max_missing_share: an estimation window with a run of more than ``max_gap``
        sessions without a trade, or a larger share of such sessions, is skipped.
    duplicates: ``skip`` (default) the later of two events with the same ticker and day 0 or
        identical returns in both windows; ``keep`` them (a simulation that batches independent
        samples as groups draws the same stock-date in different samples).
    suspects: ``{(ticker, market): Series of one-day price ratios by date}``: days the price
        checks call unadjusted small splits or bonus issues
        (:func:`analysis.data.quality.split_suspects`, which needs the volumes the panel lacks);
        an event with one in its windows is skipped or warned as a ``jump``.
    trade_to_trade: False treats every return over joint dates as a one-session return (the
        plain market model of most packages; kept for comparisons: it understates the variance
        of multi-session returns).

    The checks, their warnings and skip reasons are listed in :mod:`analysis.core.checks`.
    """
    spec = _models.get_model(model)
    est, evt = validate_windows(estimation_window, event_window)
    kind = check_kind(returns_kind)
    jumps = check_jump_policy(jumps)
    if duplicates not in ("skip", "keep"):
        raise InputError(f"duplicates must be 'skip' or 'keep', got {duplicates!r}")
    min_obs = _min_obs(min_estimation_obs, spec, est)
    if (returns is None) == (prices is None):
        raise InputError("give exactly one of returns= and prices= (a wide frame, dates x symbols)")
    from_prices = prices is not None
    panel = _panel(prices if from_prices else returns, "prices" if from_prices else "returns")
    for (a, b), what in ((est, "estimation"), (evt, "event")):
        if b - a + 1 > len(panel):
            raise WindowError(f"{what} window [{a}, {b}] has {b - a + 1} days, more than the "
                              f"{len(panel)} dates in the data")
    factor_cols = spec.factor_columns
    factors = _factor_table(spec, factors)

    ev = prepare_events(events)
    skips, notes = _Skips.new(len(ev)), Notes(len(ev))
    _skip_unusable(ev, skips, panel, from_prices, load_errors)
    loc = _locate(ev, skips, panel, from_prices, kind, factors, factor_cols, est, evt, notes=notes,
                  max_day0_delay=int(max_day0_delay), margin=(spec.lags, spec.leads))
    _scan_series(loc, skips, notes, kind, est, evt, jumps, suspects)
    if not trade_to_trade:
        loc.g_n = None
    shifted = _shifted_market(loc.g_m, loc.breaks, spec)
    _lead_room(loc, skips, spec, evt)
    fitted, pred, cand, est_dates, est_span, all_complete = _fit_events(
        ev, loc, skips, notes, spec, est, evt, min_obs, exclude, max_gap, max_missing_share, shifted)
    sel, fitted, pred, est_dates, est_span = _select(ev, loc, skips, cand, fitted, pred, est_dates,
                                                    est_span, duplicates == "skip")
    series = _Series(loc.g_r, loc.g_m, loc.g_f, loc.g_d, spec, factor_cols, loc.g_n, shifted)
    runs = None
    if all_complete and spec.linear_residuals and (loc.g_n is None or not (loc.g_n[:-1] > 1).any()):
        target, z = _design(spec, factor_cols, loc.g_r, loc.g_m, loc.g_f, shifted)
        runs = ResidualRuns(target=target, z=z, dates=loc.g_d, start=loc.base[sel] + est[0],
                            alpha=fitted.alpha, coef=fitted.coef, intercept=spec.intercept)
    base = loc.base
    status = EventStatus(events=ev, reason=skips.reason, error=skips.error, selected=sel,
                         day0_days=np.where(base >= 0, loc.g_d[np.maximum(base, 0)], _NAT),
                         start_days=loc.start_days, est_span=est_span, notes=notes, given=events)
    estimates = Estimates(spec=spec, fit=fitted, prediction=pred, series=series, est_base=base[sel],
                          evt_start=base[sel] + evt[0])
    settings = dict(model=spec.name, model_description=spec.description, k=spec.k,
                    estimation_window=est, event_window=evt, returns_kind=kind,
                    returns_given=not from_prices, min_estimation_obs=int(min_estimation_obs),
                    min_estimation_obs_used=min_obs, factors=list(factor_cols),
                    source_name=source_name, jumps=jumps, max_day0_delay=int(max_day0_delay),
                    max_gap=int(max_gap), max_missing_share=float(max_missing_share),
                    duplicates=duplicates, trade_to_trade=bool(trade_to_trade),
                    day0_rule="first joint trading date on or after the event date (timed day0 "
                    "when given)", versions=_versions())
    arrays = _event_arrays(ev, sel, estimates, est_dates, runs, est, evt)
    return EventStudyResult(arrays, estimates, status, settings)


def _min_obs(min_estimation_obs, spec, est) -> int:
    try:
        min_obs = int(min_estimation_obs)
    except (TypeError, ValueError):
        raise InputError(f"min_estimation_obs must be a whole number, got {min_estimation_obs!r}") from None
    le = est[1] - est[0] + 1
    min_obs = max(min_obs, spec.k + 3)
    if min_obs > le:
        raise WindowError(f"estimation window [{est[0]}, {est[1]}] has {le} days, fewer than the "
                          f"{min_obs} estimation returns required (min_estimation_obs)")
    return min_obs


def _factor_table(spec, factors):
    factor_cols = spec.factor_columns
    if not factor_cols:
        return factors
    if factors is None:
        raise InputError(f"model {spec.name!r} needs a factor table (factors=, e.g. from "
                         f"analysis.data.factors.read_french_factors)")
    missing = [c for c in factor_cols if c not in factors.columns]
    if missing:
        raise InputError(f"factor table has no column {missing[0]!r} needed by model {spec.name!r} "
                         f"(it has {', '.join(map(str, factors.columns))})")
    return _panel(factors, "factors")


def _skip_unusable(ev, skips: _Skips, panel, from_prices: bool, load_errors) -> None:
    """Events that cannot be located at all: timing errors, missing symbols or dates."""
    n = len(ev)
    te = ev["timing_error"].to_numpy(dtype=object)
    has_te = pd.notna(te)
    skips.set(np.flatnonzero(has_te), [f"timing: {v}" for v in te[has_te]], EventError)
    tickers = ev["ticker"].to_numpy(dtype=object)
    markets = ev["market"].to_numpy(dtype=object)
    # symbols compared through codes of their distinct values (-1: missing, as pd.isna)
    codes, symbols = pd.factorize(np.concatenate([tickers, markets]))
    code_t, code_m = codes[:n], codes[n:]
    no_ticker = code_t < 0
    skips.set(np.flatnonzero(no_ticker), "no ticker given", InputError)
    no_market = code_m < 0
    skips.set(np.flatnonzero(no_market), "no market given (and no default for the ticker)", InputError)
    cols = set(map(str, panel.columns))
    known = np.array([str(x) in cols for x in symbols] + [False], dtype=bool)   # [-1]: missing
    what = "prices" if from_prices else "returns"
    said = dict(load_errors or {})              # the loader's own message says more
    miss_t = ~no_ticker & ~known[code_t]
    skips.set(np.flatnonzero(miss_t), [said.get(t, f"no {what} for ticker {t}") for t in tickers[miss_t]],
              UnknownTickerError)
    miss_m = ~no_market & ~known[code_m]
    skips.set(np.flatnonzero(miss_m), [said.get(m, f"no {what} for market {m}") for m in markets[miss_m]],
              UnknownTickerError)
    same = ~no_ticker & ~no_market & (code_t == code_m)
    skips.set(np.flatnonzero(same), [f"market {m} is the same symbol as the ticker" for m in markets[same]],
              InputError)
    no_date = pd.isna(ev["start"]).to_numpy()
    skips.set(np.flatnonzero(no_date), "no event date", EventError)


def _scan_series(loc: _Located, skips: _Skips, notes: Notes, kind: str, est, evt, jumps: str,
                 suspects=None) -> None:
    """Non-finite returns and price jumps inside each located event's windows
    (:func:`analysis.core.checks.window_problems`), and the ``suspects`` days of its pair
    (:func:`analysis.core.checks.suspect_in_windows`)."""
    ev = np.flatnonzero(skips.ok() & (loc.base >= 0))
    if not len(ev):
        return
    lo = loc.base[ev] + np.maximum(est[0], -loc.pos[ev])
    hi = loc.base[ev] + evt[1]
    reason, warned, texts = _window_problems(loc, lo, hi, lambda w: loc.pair_names[ev[w]], kind, jumps)
    bad = pd.notna(reason)
    skips.set(ev[bad], reason[bad], DataError)
    notes.add(ev[np.asarray(warned, dtype=np.int64)], "jump", texts)
    if suspects:
        ok = skips.ok()[ev]
        rows, texts = suspect_in_windows(suspects, [loc.pair_names[e] for e in ev[ok]], loc.g_d, loc.breaks,
                                         lo[ok], hi[ok], keep_hint=jumps == "skip")
        if jumps == "skip":
            skips.set(ev[ok][rows], [f"price jump: {x}" for x in texts], DataError)
        else:
            notes.add(ev[ok][rows], "jump", texts)


def _window_problems(loc: _Located, lo, hi, names, kind: str, jumps: str):
    """:func:`analysis.core.checks.window_problems` over the located series; a long series
    with ``jumps="skip"`` (no warnings, whose order would change) is cut in two where a pair's
    series starts and the halves are checked on two threads. Every window lies inside its
    pair's series, so in one half; the element at the cut ends the first half as its sentinel
    (never read as a return: the checks stop where a series starts)."""
    body = len(loc.g_r) - 1
    starts = np.flatnonzero(loc.breaks[:body])
    if jumps != "skip" or body < 100_000 or len(starts) < 2 or config.threads() < 2:
        return window_problems(loc.g_r, loc.g_m, loc.g_d, loc.breaks, lo, hi, names, kind, jumps)
    cut = int(starts[min(max(int(np.searchsorted(starts, body // 2)), 1), len(starts) - 1)])
    first = hi < cut
    parts = [(slice(0, cut + 1), np.flatnonzero(first), 0), (slice(cut, None), np.flatnonzero(~first), cut)]

    def check(part):
        span, rows, offset = part
        return window_problems(loc.g_r[span], loc.g_m[span], loc.g_d[span], loc.breaks[span],
                               lo[rows] - offset, hi[rows] - offset, lambda w: names(rows[w]), kind, jumps)

    reason = np.full(len(lo), None, dtype=object)
    for (_, rows, _), (got, _, _) in zip(parts, map_blocks(check, parts)):
        reason[rows] = got
    return reason, [], []


def _fit_events(ev, loc: _Located, skips: _Skips, notes: Notes, spec, est, evt, min_obs, exclude,
                max_gap, max_missing_share, shifted=None):
    """Fit every candidate event in blocks (on threads) and predict its event window."""
    le, lw = est[1] - est[0] + 1, evt[1] - evt[0] + 1
    base, pos = loc.base, loc.pos
    g_r, g_m, g_f, g_d, g_n = loc.g_r, loc.g_m, loc.g_f, loc.g_d, loc.g_n
    factor_cols = spec.factor_columns
    # Gather the windows of every candidate event by index arithmetic into the concatenated
    # series; missing days point at the sentinel (NaN return, date -1) at its end. Too few
    # estimation returns is known before gathering (windows are contiguous in joint days).
    cand = np.flatnonzero(skips.ok())
    m_max = np.clip(est[1] - np.maximum(est[0], -pos[cand]) + 1, 0, le)
    few = m_max < min_obs
    skips.set(cand[few], [f"too few estimation returns: {x} < {min_obs} in window [{est[0]}, {est[1]}]"
                          for x in m_max[few]], EstimationError)
    cand = cand[~few]
    sentinel = len(g_d) - 1
    est_rel = np.arange(est[0], est[1] + 1)
    shifted = shifted or {}
    series = _Series(g_r, g_m, g_f, g_d, spec, factor_cols, g_n, shifted)
    ids = ev["event_id"].to_numpy(dtype=object)
    exclude = None if exclude is None or len(exclude) == 0 else exclude

    # fit in blocks of events: the temporaries stay small (speed and memory); per block also
    # the checks (number of returns, constant series) and the estimation-window dates
    has_market = _models.MARKET in spec.regressors
    n_c = len(cand)
    # every estimation window a complete run of its pair's series (the usual case): its dates
    # are read from the series when needed, not copied for every event and day
    all_complete = exclude is None and bool((pos[cand] + est[0] >= 0).all())
    est_dates = (WindowRows(g_d, base[cand] + est[0], le) if all_complete
                 else np.empty((n_c, le), dtype=np.int64))
    resid = _Residuals(_lazy_residuals(spec, all_complete, g_n, shifted), n_c, le, spec.intercept)

    def fit_block(block: slice):
        rows = cand[block]
        # every window inside its pair's series (the usual case): contiguous slices, no
        # missing day; otherwise index arrays with the missing days on the sentinel
        complete = exclude is None and bool((pos[rows] + est[0] >= 0).all())
        # the block's windows gathered by index go into per-thread scratch buffers
        shape = (len(rows), le)
        if complete:
            start = base[rows] + est[0]
            # a gathered window is a new array already: no second copy into a scratch buffer
            take = (lambda values, out=None: windows(values, start, le))
        else:
            idx = base[rows, None] + est_rel[None, :]
            valid = (pos[rows, None] + est_rel[None, :]) >= 0
            if exclude is not None:
                valid &= ~_exclusion_mask(exclude, ids[rows], g_d[np.where(valid, idx, sentinel)])
            idx = np.where(valid, idx, sentinel)
            take = (lambda values, out=None: np.take(values, idx, axis=0, out=out, mode="clip"))
        if not all_complete:
            d = est_dates[block]
            d[...] = take(g_d)
        est_span_n = _multi_session(take(g_n)) if g_n is not None else None
        evt_span_n = _multi_session(windows(g_n, base[rows] + evt[0], lw)) if g_n is not None else None
        r, rm = take(g_r, out=scratch("fit.r", shape)), take(g_m, out=scratch("fit.rm", shape))
        const_r = _constant_rows(r, complete)
        const_m = _constant_rows(rm, complete) if has_market else None
        lagged = {c: take(v) for c, v in shifted.items()}
        est_target, est_z = _design(spec, factor_cols, r, rm, take(g_f) if factor_cols else None, lagged,
                                    spec.estimation_regressors)
        # lagged/lead market returns are missing at the ends of a pair's series
        fit_complete = complete and (not lagged or bool(np.isfinite(est_z.sum())))
        # the fit may overwrite the scratch windows, not the series (_design may return views);
        # event windows lie inside their pair's series (checked in _locate): slices
        fit, block_pred = _models.fit_predict(spec, est_target, est_z,
                                              *series.design_slices(base[rows] + evt[0], lw),
                                              resid_out=resid.out(block, shape),
                                              complete=fit_complete, overwrite=True,
                                              gap=evt[0] - est[1], progress=None if bar is None else bar.update,
                                              est_span=None if user else est_span_n,
                                              evt_span=None if user else evt_span_n,
                                              mean_out=resid.means(block))
        for name, values in predicted.items():
            values[block] = getattr(block_pred, name)
        keep_part(block.start, block_pred)
        if span_cum is not None:
            own = getattr(block_pred, "span_cum", None)
            span_cum[block] = own if own is not None else np.arange(lw + 1, dtype=float)[None, :]
        gaps = _gap_stats(est_span_n, evt_span_n, len(rows))
        if complete:
            return fit, np.full(len(rows), le), const_r, const_m, g_d[start], g_d[start + le - 1], gaps
        first = d[np.arange(len(d)), valid.argmax(axis=1)]
        return fit, valid.sum(axis=1), const_r, const_m, first, d.max(axis=1), gaps  # dates increase

    predicted = _models.prediction_arrays(spec, n_c, lw)
    design = functools.cache(lambda: _design(spec, factor_cols, g_r, g_m, g_f, shifted))   # the whole series'
    expected = _lazy_expected(spec, g_n, predicted, design, base[cand] + evt[0], lw)
    user = spec.estimator == "user"             # a user's model gets the returns as they are
    span_cum = np.empty((n_c, lw + 1)) if g_n is not None and "dev_cum" in predicted else None
    parts = {}
    # a general prediction's own arrays (make_prediction); the others' are in `predicted`
    keep_part = (lambda key, value: None) if "dev_cum" in predicted else parts.__setitem__
    bar = _progress(spec, n_c)
    try:
        fits, m, const_r, const_m, est_first, est_last, gaps = zip(*map_blocks(fit_block, blocks(n_c)))
    finally:
        if bar is not None:
            bar.close()
    fitted = resid.attach(_models.concat_fits(list(fits), resid.held), design, base[cand] + est[0])
    expected(fitted)
    pred = _models.make_prediction(spec, fitted, predicted, [parts[k] for k in sorted(parts)], span_cum)
    del fits, parts
    m = np.concatenate(m)
    few = m < min_obs                                    # after exclusions
    skips.set(cand[few], [f"too few estimation returns: {x} < {min_obs} in window [{est[0]}, {est[1]}]"
                          f" after exclusions" for x in m[few]], EstimationError)
    skips.set(cand[np.concatenate(const_r)], "stock returns are constant in the estimation window",
              EstimationError)
    if has_market:
        skips.set(cand[np.concatenate(const_m)], "market returns are constant in the estimation window",
                  EstimationError)
    failure = fitted.extra.get("failure")
    if failure is not None:
        failed = np.flatnonzero(pd.notna(failure))
        skips.set(cand[failed], list(failure[failed]), EstimationError)
    skips.set(cand[fitted.degenerate], "the model cannot be estimated: regressors are collinear or the "
                                       "fit is perfect in the estimation window", EstimationError)
    if g_n is not None:
        gaps = np.concatenate(gaps)
        _gap_checks(cand, gaps, skips, notes, max_gap, max_missing_share, user_model=spec.name if user else None)
    est_span = (np.concatenate(est_first), np.concatenate(est_last)) if est_first else \
        (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return fitted, pred, cand, est_dates, est_span, all_complete


def _lazy_expected(spec, spans, predicted: dict, design, start: np.ndarray, lw: int):
    """An OLS prediction of one-session returns gets its expected returns computed when read
    (:class:`PredictedRows`; few read them), not held: their array leaves ``predicted``, and
    the function returned puts them back from the fit (a no-op for the other models)."""
    if spec.estimator != "ols" or spans is not None:
        return lambda fitted: None
    del predicted["expected_target"]

    def attach(fitted) -> None:
        predicted["expected_target"] = PredictedRows(design()[1], start, lw, fitted.alpha, fitted.coef)

    return attach


class _Residuals:
    """Where the fit's estimation residuals go: an (N, Le) array (``held``), or, when they can
    be computed again when read (``lazy``), each block's scratch buffer, keeping only the
    estimation mean of the target per event (:class:`FitResiduals`)."""

    def __init__(self, lazy: bool, n: int, le: int, intercept: bool):
        self.lazy, self.le, self.intercept = lazy, le, intercept
        self.held = np.empty((0, le)) if lazy else np.empty((n, le))
        self.ybar = np.zeros(n) if lazy else None

    def out(self, block: slice, shape) -> np.ndarray:
        return scratch("fit.resid", shape) if self.lazy else self.held[block]

    def means(self, block: slice) -> np.ndarray | None:
        """Where :func:`analysis.core.models.fit` writes the block's estimation means of the
        target (None: not kept)."""
        return self.ybar[block] if self.lazy and self.intercept else None

    def attach(self, fitted, design, start: np.ndarray):
        """``fitted`` with its residuals: computed when read from the series ``design()``."""
        if not self.lazy:
            return fitted
        target, z = design()
        return replace(fitted, resid=FitResiduals(target, z, start, self.le, self.ybar, fitted.zbar, fitted.coef))


def _lazy_residuals(spec, all_complete: bool, spans, shifted) -> bool:
    """Can the estimation residuals be computed again when read (:class:`FitResiduals`)? For
    OLS on the prediction regressors over complete windows of one-session returns (the fit's
    plain path, :func:`analysis.core.models.fit` with ``complete=True``)."""
    return (all_complete and spec.estimator == "ols" and not shifted
            and spec.estimation_regressors == spec.regressors
            and (spans is None or not (spans[:-1] > 1).any()))


def _multi_session(span: np.ndarray) -> np.ndarray | None:
    """The spans of a block's windows, or None when every return covers one session."""
    with np.errstate(invalid="ignore"):
        return span if (span > 1).any() else None


_GAP_FIELDS = ("est_multi_day", "est_missing_sessions", "est_longest_gap", "est_sessions", "evt_multi_day")


def _gap_stats(est_span, evt_span, n) -> np.ndarray:
    """(n, 5): multi-session returns, sessions without a trade, the longest run of them and the
    sessions covered in the estimation window; multi-session returns in the event window."""
    out = np.zeros((n, len(_GAP_FIELDS)))
    if est_span is not None:
        s = np.nan_to_num(est_span, nan=0.0)
        out[:, 0] = (s > 1).sum(axis=1)
        out[:, 1] = np.maximum(s - 1, 0).sum(axis=1)
        out[:, 2] = np.maximum(s.max(axis=1) - 1, 0)
        out[:, 3] = s.sum(axis=1)
    else:
        out[:, 3] = np.nan            # one session per return: filled in by the caller
    if evt_span is not None:
        out[:, 4] = (np.nan_to_num(evt_span, nan=0.0) > 1).sum(axis=1)
    return out


def _gap_checks(cand, gaps: np.ndarray, skips: _Skips, notes: Notes, max_gap, max_missing_share,
                user_model: str | None = None) -> None:
    """Report multi-session returns and gaps per event; skip estimation windows with a gap over
    ``max_gap`` sessions or a share of sessions without a trade over ``max_missing_share``.
    ``user_model``: the name of a user's model, which gets multi-session returns as they are."""
    multi, missing, longest, sessions, evt_multi = gaps.T
    for name, values in zip(_GAP_FIELDS[:3] + _GAP_FIELDS[4:], (multi, missing, longest, evt_multi)):
        notes.column(name, cand, values.astype(np.int64), fill=0, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(sessions > 0, missing / sessions, 0.0)
    notes.column("est_missing_share", cand, share, fill=0.0)
    long_gap = longest > max_gap
    skips.set(cand[long_gap], [f"gap in the estimation window: no trade for {int(g)} sessions in a row "
                               f"(more than {max_gap}; see max_gap)" for g in longest[long_gap]], EstimationError)
    thin = share > max_missing_share
    skips.set(cand[thin], [f"thin trading: no trade on {x:.0%} of the estimation window's sessions (more "
                           f"than {max_missing_share:.0%}; see max_missing_share)" for x in share[thin]],
              EstimationError)
    est_multi = multi > 0
    gap = longest >= GAP_WARNING
    notes.add(cand[gap], "gap", [f"no trade for {int(g)} sessions in a row in the estimation window "
                                 f"({int(s)} sessions without a trade in all)"
                                 for s, g in zip(missing[gap], longest[gap])])
    anywhere = est_multi | (evt_multi > 0)
    how = ("modelled trade-to-trade" if user_model is None else
           f"the user model {user_model!r} gets them as one-session returns")
    notes.add(cand[anywhere], "multi_day_returns",
              [f"{int(a)} estimation and {int(b)} event-window returns span several sessions "
               f"({how})" for a, b in zip(multi[anywhere], evt_multi[anywhere])])


def _select(ev, loc: _Located, skips: _Skips, cand, fitted, pred, est_dates, est_span, dedupe: bool):
    """Skip duplicates among the fitted events and keep the studied rows of every array."""
    ok = skips.ok()[cand]
    rows = np.flatnonzero(ok)
    if dedupe and len(rows) > 1:
        _skip_duplicates(ev, loc, skips, cand, rows, fitted, pred)
    keep = skips.ok()[cand]
    sel = cand[keep]
    est_span = (est_span[0][keep], est_span[1][keep])
    if not keep.all():
        fitted = _subset_fit(fitted, keep)
        pred = _subset_prediction(pred, keep, fitted)
        est_dates = rows_of(est_dates, keep)
    return sel, fitted, pred, est_dates, est_span


def _skip_duplicates(ev, loc: _Located, skips: _Skips, cand, rows, fitted, pred) -> None:
    """The same ticker and day 0 twice, or two events with identical returns in both windows
    (a copied file, two copies of one event), never enter the tests twice: the later one is
    skipped as a duplicate of the first."""
    events = cand[rows]
    ids = ev["event_id"].to_numpy(dtype=object)
    first = _same_ticker_day0(ev, loc, events)
    dup = first >= 0
    skips.set(events[dup], [f"duplicate of {ids[events[j]]} (same ticker and day 0)" for j in first[dup]],
              EventError)
    left = ~dup
    twins = _identical_windows(pred.ar, fitted.resid, rows[left])
    hit = twins >= 0
    src = events[left]
    skips.set(src[hit], [f"duplicate of {ids[src[j]]} (identical returns in both windows)" for j in twins[hit]],
              EventError)


def _same_ticker_day0(ev, loc: _Located, events: np.ndarray) -> np.ndarray:
    """:func:`analysis.core.checks.duplicate_of` of the events' (ticker, day 0): each event's
    ticker from its pair's (one code per distinct ticker of the few pairs, not a hash of every
    event's string) and day 0 as one integer key, the first of each key by a stable sort."""
    day0 = loc.g_d[loc.base[events]]
    pair = loc.pair_names.pair[events]
    if not len(events) or (pair < 0).any():
        return duplicate_of(pd.DataFrame({"ticker": ev["ticker"].to_numpy(dtype=object)[events], "day0": day0}))
    ticker = pd.factorize(np.asarray(loc.pair_names.tickers, dtype=object))[0]
    key = ticker[pair].astype(np.int64) * (int(day0.max() - day0.min()) + 1) + (day0 - day0.min())
    return _first_of_key(key)


def _first_of_key(key: np.ndarray) -> np.ndarray:
    """For each entry, the position of the first earlier entry with the same key, or -1
    (codes of a hash table in order of first appearance: no sort)."""
    codes = pd.factorize(key, use_na_sentinel=False)[0]
    at = np.arange(len(key))
    first = np.empty(codes.max(initial=-1) + 1, dtype=np.int64)
    first[codes[::-1]] = at[::-1]                   # the last write of a code is its first entry
    first = first[codes]
    return np.where(first < at, first, -1)


def _identical_windows(ar, resid, rows: np.ndarray) -> np.ndarray:
    """``identical_rows(ar, resid, rows=rows)`` reading the residuals (held or computed when
    read) only of the rows whose event-window ARs equal another's: two rows identical in both
    windows are identical in the first, so the answer is the same. Only rows whose first AR
    equals another row's can be identical: the others are not compared at all."""
    if len(rows) > 1:
        head = np.asarray(ar[:, 0], float)[rows] + 0.0        # -0.0 as +0.0, as the comparison
        shared = np.flatnonzero(pd.Series(head).duplicated(keep=False).to_numpy())   # NaN equal to NaN
        if len(shared) < len(rows):
            out = np.full(len(rows), -1, dtype=np.int64)
            if len(shared) > 1:
                found = _identical_windows(ar, resid, rows[shared])
                out[shared] = np.where(found >= 0, shared[np.maximum(found, 0)], -1)
            return out
    by_ar = identical_rows(ar, rows=rows)
    hit = np.flatnonzero(by_ar >= 0)
    if not len(hit):
        return by_ar
    sub = np.unique(np.concatenate([hit, by_ar[hit]]))
    picked = rows[sub]
    found = identical_rows(np.asarray(ar)[picked], resid[picked])
    out = np.full(len(rows), -1, dtype=np.int64)
    out[sub] = np.where(found >= 0, sub[np.maximum(found, 0)], -1)
    return out


def _subset_prediction(pred, keep: np.ndarray, fit):
    """The rows ``keep`` of a prediction (:func:`analysis.core.models.subset_prediction`),
    compacted in place and cut to the kept rows (no second copy of its (N, Lw) arrays and no
    memory held for the skipped rows; nothing else reads them and no view of them exists),
    one array per thread."""
    values = {f.name: getattr(pred, f.name) for f in fields(pred) if f.name != "fit"}
    names = [k for k, v in values.items() if v is not None and not isinstance(v, LazyRows)]
    done = map_blocks(lambda name: compact_rows(values[name], keep, shrink=True), names)
    values.update(zip(names, done))
    values.update({k: v.rows(keep) for k, v in values.items() if isinstance(v, LazyRows)})
    return type(pred)(fit=fit, **values)


def _event_arrays(ev: pd.DataFrame, sel: np.ndarray, estimates: Estimates, est_dates, runs,
                  est: tuple[int, int], evt: tuple[int, int]) -> EventArrays:
    """The hand-over to the statistics: ARs, their sds, dates and the CAR variance of any window."""
    pred, fit = estimates.prediction, estimates.fit

    def car_variance(t1: int, t2: int) -> np.ndarray:
        c = columns(evt, t1, t2)
        return pred.car_variance(c.start, c.stop - 1)

    group = ev["group"].to_numpy(dtype=object)
    return EventArrays(
        event_ids=ev["event_id"].to_numpy(dtype=object)[sel],
        estimation_window=est, event_window=evt,
        est_ar=fit.resid, est_dates=est_dates, evt_ar=pred.ar, evt_ar_sd=RootRows(pred.ar_var),
        evt_dates=WindowRows(estimates.series.dates, estimates.evt_start, evt[1] - evt[0] + 1),
        s=np.sqrt(fit.s2), m=fit.m.astype(np.int64), k=fit.k, car_variance=car_variance,
        groups=group[sel] if pd.notna(group).any() else None, runs=runs,
        evt_sessions=_event_sessions(estimates.series, estimates.evt_start, evt[1] - evt[0] + 1))


def _event_sessions(series, evt_start, lw) -> np.ndarray | None:
    """(N, Lw) sessions of the event-window returns, None when every one covers a session."""
    if series.spans is None:
        return None
    spans = windows(series.spans, evt_start, lw)
    return spans.astype(float) if (spans > 1).any() else None


@dataclass(frozen=True)
class _Series:
    """The joint return series of all pairs, concatenated, with a missing-day sentinel at the end."""

    stock: np.ndarray       # (T + 1,)
    market: np.ndarray      # (T + 1,)
    factors: np.ndarray | None  # (T + 1, f)
    dates: np.ndarray       # (T + 1,) int64 days since 1970, -1 for the sentinel
    spec: _models.ModelSpec
    factor_cols: tuple[str, ...]
    spans: np.ndarray | None = None   # (T + 1,) sessions each return covers (None: one each)
    # lagged/lead market returns along each pair's series, {"market_lag1": (T + 1,), ...}
    shifted: dict = field(default_factory=dict)

    def estimation_index(self, base: int, est_dates_row: np.ndarray, estimation_window) -> np.ndarray:
        """Indices of one event's estimation days (sentinel where the day is not used)."""
        rel = np.arange(estimation_window[0], estimation_window[1] + 1)
        return np.where(est_dates_row >= 0, base + rel, len(self.dates) - 1)

    def design_slices(self, start: np.ndarray, length: int):
        """Model target and regressors of the days ``start_i .. start_i + length - 1``."""
        f = windows(self.factors, start, length) if self.factor_cols else None
        return _design(self.spec, self.factor_cols, windows(self.stock, start, length),
                       windows(self.market, start, length), f,
                       {c: windows(v, start, length) for c, v in self.shifted.items()})

    def design(self, idx: np.ndarray):
        """Model target and regressors of the days ``idx`` (any shape): see _design."""
        f = self.factors[idx] if self.factor_cols else None
        return _design(self.spec, self.factor_cols, self.stock[idx], self.market[idx], f,
                       {c: v[idx] for c, v in self.shifted.items()})


def _constant_rows(x: np.ndarray, complete: bool = False) -> np.ndarray:
    """Rows of an (N, L) array whose non-NaN values are all equal. ``complete``: the array has
    no NaN, so only rows whose first, middle and last values agree are checked in full."""
    if not complete:
        return np.fmax.reduce(x, axis=1) == np.fmin.reduce(x, axis=1)
    first = x[:, 0]
    maybe = np.flatnonzero((x[:, -1] == first) & (x[:, x.shape[1] // 2] == first))
    out = np.zeros(len(x), dtype=bool)
    out[maybe] = (x[maybe] == first[maybe, None]).all(axis=1)
    return out


def _design(spec, factor_cols, r, rm, f, shifted=None, regressors=None):
    """Target (N, L) and regressors (N, L, q) of the model from stock, market, factor arrays;
    ``shifted``: the lagged/lead market arrays by name; ``regressors``: other columns than the
    model's prediction regressors (Scholes-Williams estimates from shifted returns)."""
    regressors = spec.regressors if regressors is None else regressors
    if spec.offset == _models.MARKET:
        target = r - rm
    elif spec.offset == _models.RF:
        target = r - f[..., factor_cols.index(_models.RF)]
    else:
        target = r                          # no copy (the engine's fit centres its scratch windows)
    if regressors == (_models.MARKET,):
        return target, rm[..., None]        # a view, no stacking
    zs = [rm if c == _models.MARKET else shifted[c] if c in (shifted or {}) else f[..., factor_cols.index(c)]
          for c in regressors]
    z = np.stack(zs, axis=-1) if zs else np.zeros(r.shape + (0,))
    return target, z


def _shifted_market(market: np.ndarray, breaks: np.ndarray, spec) -> dict[str, np.ndarray]:
    """The market returns the model reads j days before (``market_lagj``) or after
    (``market_leadj``) each day of its pair's joint series: the series shifted by j within each
    pair's run (``breaks`` marks where a run starts), NaN where the shift leaves the run (the
    first j days of a pair have no lag, its last j days no lead) and at the sentinel."""
    out = {}
    total = len(market) - 1
    starts = np.flatnonzero(breaks[:total])
    ends = np.append(starts[1:], total)
    for name in spec.shifted_regressors:
        j = _models.market_shift(name)
        a = abs(j)
        x = np.full(total + 1, np.nan)
        if a < total:
            if j > 0:
                x[a:total] = market[:total - a]
            else:
                x[:total - a] = market[a:total]
        # the first (lag) or last (lead) a days of every run come from another pair: NaN
        edge = (starts if j > 0 else ends - a)[:, None] + np.arange(a)[None, :]
        inside = (edge >= starts[:, None]) & (edge < ends[:, None])
        x[edge[inside]] = np.nan
        out[name] = x
    return out


def _lead_room(loc: _Located, skips: _Skips, spec, evt) -> None:
    """Skip the events whose event window needs lead market returns beyond the end of their
    pair's series (a model that predicts from ``market_leadj``)."""
    leads = max([-_models.market_shift(c) for c in spec.regressors if (_models.market_shift(c) or 0) < 0],
                default=0)
    ev = np.flatnonzero(skips.ok() & (loc.base >= 0))
    if not leads or not len(ev):
        return
    total = len(loc.g_d) - 1
    starts = np.flatnonzero(loc.breaks[:total])
    ends = np.append(starts[1:], total)
    pair = np.searchsorted(starts, loc.base[ev], side="right") - 1
    short = loc.base[ev] + evt[1] + leads >= ends[pair]
    skips.set(ev[short], [f"the {spec.name} model needs the market return ({loc.pair_names[e][1]}) {leads} "
                          f"day(s) after the event window [{evt[0]}, {evt[1]}]: beyond the data"
                          for e in ev[short]], WindowError)


def _progress(spec, n: int):
    """A progress bar for the models fitted one event at a time (None for the others)."""
    if not _models.per_event(spec):
        return None
    from ..config import progress as tqdm

    return tqdm(total=n, desc=f"{spec.name} fits", unit="event", disable=n < 20)


def _subset_fit(f, keep):
    resid = rows_of(f.resid, keep) if isinstance(f.resid, LazyRows) else compact_rows(f.resid, keep)
    return _models.subset_fit(f, keep, resid=resid)


@functools.lru_cache(maxsize=1)
def _versions_cached() -> tuple:
    import platform
    from importlib import metadata

    from .. import __version__
    out = {"analysis": __version__, "python": platform.python_version()}
    for name in ("numpy", "pandas", "scipy", "statsmodels"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return tuple(out.items())


def _versions() -> dict:
    """Versions of the package, Python and the numerical libraries (read once per process)."""
    return dict(_versions_cached())
