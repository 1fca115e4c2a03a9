"""The holding window of the long-run measures: which of the study's skips hold for it, and the
pipeline's price checks over it.

A buy-and-hold abnormal return (:mod:`analysis.core.bhar`) or a calendar-time portfolio
(:mod:`analysis.core.calendar_time`) reads an event's prices over its holding window (from the
close bought, day ``t1 - 1``, to day ``t2``: a year for ``(1, 250)``), not over the estimation
and event windows of the return study. So, for every event:

* the study's skips about the event itself hold: no day 0 (timing, no prices, a non-positive
  price in the series, ...) and day 0 more than ``max_day0_delay`` sessions after the date asked
  for (:func:`study_events`);
* the study's checks of the data run again, over the holding window (:func:`holding_checks`):
  a non-finite return, and a one-day price ratio that looks like an unadjusted split or a bad
  price, of the stock net of its market or of the market
  (:func:`analysis.core.checks.window_problems`, on the joint trading days of the stock and its
  market, as in the engine) skip the event with the study's reason, or with ``jumps="keep"``
  leave a ``jump`` warning;
* a halt (``GAP_WARNING`` sessions or more without a trade) inside the holding window is a
  ``gap`` warning: the price is carried, the return across it is trade to trade (a buy-and-hold
  investor holds through it), so the event stays;
* duplicates are judged over the holding window: the later of two events with the same ticker
  and day 0, or with identical stock and market returns over their holding windows, is skipped
  as ``duplicate of <event_id>`` (``duplicates="keep"`` keeps them). Two events whose returns
  agree over the study's windows but not over the holding window are not duplicates here;
* the study's estimation-window skips (too few returns, gaps, thin trading, a constant series)
  do not hold: neither measure fits a model per event (the BHAR's benchmark is a price level,
  the calendar-time regression a time series of the portfolio).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..windows import GAP_WARNING
from .checks import check_jump_policy, duplicate_of, identical_rows, window_problems

#: skip reasons of the return study that hold for any measure of the event: day 0 itself is not
#: to be trusted (set by the engine's day-0 delay check, analysis.core.engine._day0_delays)
DAY0_SKIPS = ("no trade for ",)


def study_events(result) -> pd.DataFrame:
    """The events of an event-study result for a long-run measure: ``event_id, ticker, market,
    day0`` (the study's day 0), ``reason`` (why the event has none: the study's reason when it
    has no day 0 or its day 0 is not to be trusted, :data:`DAY0_SKIPS`; else None) and ``group``
    when the events have one."""
    status = result.status
    ev = status.events
    day0 = pd.to_datetime(np.asarray(status.day0_days, dtype=np.int64).astype("datetime64[D]"))
    located = np.asarray(pd.notna(day0))
    given = np.asarray(status.reason, dtype=object)
    day0_bad = np.array([isinstance(r, str) and r.startswith(DAY0_SKIPS) for r in given], dtype=bool)
    reason = np.where(located & ~day0_bad, None, np.where(pd.isna(given), "no day 0", given))
    table = pd.DataFrame({"event_id": ev["event_id"].to_numpy(dtype=object),
                          "ticker": ev["ticker"].to_numpy(dtype=object),
                          "market": ev["market"].to_numpy(dtype=object), "day0": day0,
                          "reason": reason})
    if "group" in ev and ev["group"].notna().any():
        table["group"] = ev["group"].to_numpy(dtype=object)
    return table


def _carried_start(values: np.ndarray, first_rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The last finite value of column ``cols[i]`` on or before row ``first_rows[i]`` (NaN when
    none): the level bought at the start of a window the stock did not trade on."""
    out = np.full(len(cols), np.nan)
    for c in np.unique(cols):
        at = np.flatnonzero(cols == c)
        col = values[:, c]
        fin = np.flatnonzero(np.isfinite(col))
        k = np.searchsorted(fin, first_rows[at], side="right") - 1
        out[at] = np.where(k >= 0, col[fin[np.maximum(k, 0)]], np.nan)
    return out


def holding_checks(values: np.ndarray, dates, rows: np.ndarray, stock_col: np.ndarray, market_col: np.ndarray, *,
                   ids, tickers, stock_names=None, market_names, day0=None, check=None, jumps: str = "skip",
                   duplicates: str = "skip") -> tuple[np.ndarray, np.ndarray]:
    """The pipeline's price checks over every event's holding window, all events at once.

    ``values``: prices, dates x symbols (NaN where a symbol has no bar); ``dates`` their dates;
    ``rows``: (events x W) rows of ``values`` of each event's holding window in order, the close
    bought first, ``-1`` after the window's end; ``stock_col`` / ``market_col``: each event's
    columns. ``check``: the events to check (default all; the others are left alone).
    ``stock_names``: the symbol named in a reason for the stock leg (default ``tickers``; a
    benchmark's check passes its names). ``day0``: with ``duplicates="skip"``, the events with the
    same ticker and day 0 are duplicates.

    Returns ``(reason, warnings)``: per event the skip reason (None when it passes) and the
    warning text (``"jump: ..."`` kept, ``"gap: ..."`` a halt; ``""`` when none). See the module
    docstring for the rules.
    """
    jumps = check_jump_policy(jumps)
    if duplicates not in ("skip", "keep"):
        from ..errors import InputError
        raise InputError(f"duplicates must be 'skip' or 'keep', got {duplicates!r}")
    n, width = rows.shape
    reason = np.full(n, None, dtype=object)
    warnings = np.full(n, "", dtype=object)
    sel = np.flatnonzero(np.ones(n, dtype=bool) if check is None else np.asarray(check, dtype=bool))
    if not len(sel) or width == 0:
        return reason, warnings
    ids = np.asarray(ids, dtype=object)
    tickers = np.asarray(tickers, dtype=object)
    stock_names = tickers if stock_names is None else np.asarray(stock_names, dtype=object)
    market_names = np.asarray(market_names, dtype=object)
    r = rows[sel]
    inside = r >= 0
    rr = np.maximum(r, 0)
    cs, cm = stock_col[sel], market_col[sel]
    raw_s, raw_m = values[rr, cs[:, None]], values[rr, cm[:, None]]
    # the joint trading days of the stock and its market inside the window (as the engine's
    # joint series), the close bought always: its level carried when the stock did not trade then
    lvl_s, lvl_m = raw_s.copy(), raw_m.copy()
    lvl_s[:, 0] = np.where(np.isnan(raw_s[:, 0]), _carried_start(values, rr[:, 0], cs), raw_s[:, 0])
    lvl_m[:, 0] = np.where(np.isnan(raw_m[:, 0]), _carried_start(values, rr[:, 0], cm), raw_m[:, 0])
    joint = inside & ~np.isnan(raw_s) & ~np.isnan(raw_m)
    joint[:, 0] = inside[:, 0] & ~np.isnan(lvl_s[:, 0]) & ~np.isnan(lvl_m[:, 0])
    # a non-positive price has no return: the return into it is non-finite (refused, dated)
    with np.errstate(invalid="ignore"):
        lvl_s = np.where(np.isnan(lvl_s) | (lvl_s > 0), lvl_s, np.nan)
        lvl_m = np.where(np.isnan(lvl_m) | (lvl_m > 0), lvl_m, np.nan)
    count = joint.sum(axis=1)
    flat_s, flat_m = lvl_s[joint], lvl_m[joint]
    days = np.asarray(pd.DatetimeIndex(dates).to_numpy().astype("datetime64[D]").astype(np.int64))
    flat_d = days[rr][joint]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        g_r = flat_s[1:] / flat_s[:-1] - 1.0
        g_m = flat_m[1:] / flat_m[:-1] - 1.0
    # a return between two joint days of one window (none into a window's first level)
    owner = np.repeat(np.arange(len(sel)), count)
    keep = owner[1:] == owner[:-1]
    g_r, g_m, g_d = g_r[keep], g_m[keep], flat_d[1:][keep]
    n_ret = np.maximum(count - 1, 0)
    lo = np.concatenate([[0], np.cumsum(n_ret)[:-1]]).astype(np.int64)
    hi = lo + n_ret - 1
    breaks = np.zeros(len(g_r) + 1, dtype=bool)
    breaks[lo[n_ret > 0]] = True
    found, warned, texts = window_problems(np.append(g_r, np.nan), np.append(g_m, np.nan), np.append(g_d, -1),
                                           breaks, lo, hi,
                                           lambda w: (stock_names[sel[w]], market_names[sel[w]]), "simple", jumps)
    reason[sel] = found
    for w, text in zip(warned, texts):
        i = sel[w]
        warnings[i] = "; ".join(x for x in (warnings[i], f"jump: {text}, inside the holding window") if x)
    longest = _longest_gap(joint)
    for w in np.flatnonzero(longest >= GAP_WARNING):
        i = sel[w]
        warnings[i] = "; ".join(x for x in (warnings[i], f"gap: no trade for {int(longest[w])} sessions in a row "
                                            f"inside the holding window (price carried: the return across it "
                                            f"is trade to trade)") if x)
    if duplicates == "skip":
        ok = np.flatnonzero(pd.isna(reason[sel]))
        _duplicates(reason, sel[ok], ids, tickers, day0, lvl_s[ok], lvl_m[ok], inside[ok])
    return reason, warnings


def _longest_gap(joint: np.ndarray) -> np.ndarray:
    """Per row, the longest run of days without a joint price between two with one (a halt,
    not the end of the stock's prices)."""
    rows, cols = np.nonzero(joint)
    out = np.zeros(len(joint), dtype=np.int64)
    if len(rows) > 1:
        same = rows[1:] == rows[:-1]
        np.maximum.at(out, rows[1:][same], (np.diff(cols) - 1)[same])
    return out


def _duplicates(reason, events, ids, tickers, day0, lvl_s, lvl_m, inside) -> None:
    """Among ``events`` (that passed the checks), the later of two with the same ticker and day
    0, or with identical stock and market returns over their holding windows (the levels over
    the level bought), is a duplicate of the first."""
    if len(events) < 2:
        return
    if day0 is not None:
        keys = pd.DataFrame({"ticker": tickers[events], "day0": pd.DatetimeIndex(day0)[events]})
        first = duplicate_of(keys)
        dup = first >= 0
        reason[events[dup]] = [f"duplicate of {ids[events[j]]} (same ticker and day 0)" for j in first[dup]]
        left = np.flatnonzero(~dup)
    else:
        left = np.arange(len(events))
    with np.errstate(invalid="ignore", divide="ignore"):
        gross_s = np.where(inside, lvl_s / lvl_s[:, :1], np.nan)
        gross_m = np.where(inside, lvl_m / lvl_m[:, :1], np.nan)
    twins = identical_rows(gross_s, gross_m, rows=left)
    hit = twins >= 0
    reason[events[left[hit]]] = [f"duplicate of {ids[events[left[j]]]} (identical returns over the holding window)"
                                 for j in twins[hit]]
