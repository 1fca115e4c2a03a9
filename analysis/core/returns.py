"""Prices to returns: simple (default) or log, from adjusted close, aligned pairwise.

An event study compares a stock's return with its benchmark's return over the same interval.
When one leg has no price on a date (a suspension, a holiday of one exchange, a gap in a file),
returns are therefore computed over the *joint* dates, the dates where both have a price: the
return on joint date t runs from the previous joint date to t for both legs, so the two returns
always cover the same interval (MacKinlay 1997, sec. 3; Campbell, Lo & MacKinlay 1997, ch. 4).

    simple:  R_t = P_t / P_{t-1} - 1            log:  r_t = ln(P_t / P_{t-1})
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, InputError

RETURN_KINDS = ("simple", "log")


def check_kind(kind: str) -> str:
    if kind not in RETURN_KINDS:
        raise InputError(f"unknown returns kind {kind!r}: use one of {', '.join(RETURN_KINDS)}")
    return kind


def _check_positive(values: np.ndarray, dates, name) -> None:
    bad = ~(values > 0) & ~np.isnan(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"non-positive price {float(values[i])!r} for {name} on {pd.Timestamp(dates[i]).date()}")


def returns_from_values(values: np.ndarray, kind: str = "simple") -> np.ndarray:
    """Returns between consecutive entries of a 1-d array of positive prices (length n - 1).
    A ratio that overflows (a price of 5e-324) is an infinite return, which the engine reports
    as a non-finite return of that date (analysis.core.checks), without a RuntimeWarning."""
    check_kind(kind)
    values = np.asarray(values, dtype=float)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = values[1:] / values[:-1]
        return np.log(ratio) if kind == "log" else ratio - 1.0


def price_returns(prices: pd.Series | pd.DataFrame, kind: str = "simple") -> pd.Series | pd.DataFrame:
    """Returns of each column over its own consecutive available prices.

    A NaN price is skipped (not filled): the return on the next available date runs from the
    last available price. The first available date of a column has no return (NaN). Works on a
    Series or a wide panel (dates x symbols); non-positive prices are a DataError.
    """
    check_kind(kind)
    if isinstance(prices, pd.Series):
        return price_returns(prices.to_frame(), kind).iloc[:, 0]
    out = {}
    for col in prices.columns:
        s = prices[col].astype(float).dropna()
        _check_positive(s.to_numpy(), s.index, col)
        r = pd.Series(np.nan, index=s.index)
        r.iloc[1:] = returns_from_values(s.to_numpy(), kind)
        out[col] = r
    frame = pd.DataFrame(out, columns=prices.columns).reindex(prices.index)
    return frame


def pair_returns(stock: pd.Series, market: pd.Series, kind: str = "simple") -> pd.DataFrame:
    """Stock and market returns over their joint dates (both have a price).

    Returns a frame with columns ``stock`` and ``market`` indexed by the joint dates after the
    first one; both returns on date t run from the previous joint date to t.
    """
    check_kind(kind)
    joint = pd.concat({"stock": stock.astype(float), "market": market.astype(float)}, axis=1).dropna()
    if len(joint) < 2:
        raise DataError(f"{stock.name} and {market.name} have fewer than two dates with prices in common")
    for col, name in (("stock", stock.name), ("market", market.name)):
        _check_positive(joint[col].to_numpy(), joint.index, name)
    values = joint.to_numpy()
    ratio = values[1:] / values[:-1]
    r = np.log(ratio) if kind == "log" else ratio - 1.0
    return pd.DataFrame(r, index=joint.index[1:], columns=["stock", "market"])


def day0_price_moves(prices: pd.DataFrame, day0, *, previous=None) -> dict:
    """Day-0 bar against the previous close: open, high, low and close as % moves.

    The "rose over 9%" of a news story is often the intraday high; the event study uses the
    close. ``prices``: a frame from ``PriceSource.load`` (OHLC on the Close scale, Adj Close for
    the adjustment factor); moves are measured on one scale (the day-0 bar's) by converting the
    previous close with the Adj Close factor, so a dividend between the two days does not show
    up as a move. ``previous``: the date of the previous bar (default: the bar before day 0).
    """
    frame = prices.sort_index()
    day0 = pd.Timestamp(day0)
    if day0 not in frame.index:
        raise InputError(f"no price bar on day 0 {day0:%Y-%m-%d}")
    pos = frame.index.get_loc(day0)
    if previous is None:
        if pos == 0:
            raise InputError(f"no price bar before day 0 {day0:%Y-%m-%d}")
        prev = frame.iloc[pos - 1]
    else:
        prev = frame.loc[pd.Timestamp(previous)]
    bar = frame.loc[day0]
    factor_now = bar["Adj Close"] / bar["Close"]
    factor_prev = prev["Adj Close"] / prev["Close"]
    ref = prev["Close"] * factor_prev / factor_now          # previous close on day 0's scale
    out = {"previous_date": prev.name, "previous_close": float(ref), "day0": day0}
    for col in ("Open", "High", "Low", "Close"):
        out[col.lower()] = float(bar[col])
        out[f"{col.lower()}_pct"] = float(100.0 * (bar[col] / ref - 1.0))
    return out
