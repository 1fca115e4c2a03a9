"""Data-quality checks on daily prices: report, never silently repair.

:func:`check_prices` takes any bar frame with the price columns -- also a *raw* read whose dates
may be unsorted or repeated (``CsvFolderSource.check`` passes the file as written) -- and returns
one row per finding with the dates involved, so the finding can go into a study's diagnostics.

Checks (``check`` column):

=====================  =====================================================================
``unsorted_dates``     a date earlier than the row before it (file order)
``duplicate_dates``    a date that appears more than once
``missing_price``      NaN in Open/High/Low/Close/Adj Close (one finding per column)
``non_positive_price`` zero or negative price (one finding per column)
``non_finite_price``   +-inf price
``ohlc_inconsistent``  Close or Open outside [Low, High]
``gap``                more than ``max_gap_days`` calendar days between consecutive bars
``stale_bar``          flat zero-volume bar: Open = High = Low = Close and Volume = 0 (Yahoo's
                       filler on Hong Kong half-day sessions); ``stale="missing"`` drops their prices
``extreme_return``     single-day |Adj Close return| > ``max_abs_return`` (default 50%)
=====================  =====================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError

QUALITY_COLUMNS = ("symbol", "check", "first_date", "last_date", "n", "detail")
STALE_SETTINGS = ("keep", "missing")
_PRICES = ("Open", "High", "Low", "Close", "Adj Close")


def _row(symbol, check, dates, n, detail) -> dict:
    dates = pd.DatetimeIndex(dates)
    return {"symbol": symbol, "check": check,
            "first_date": dates.min() if len(dates) else pd.NaT,
            "last_date": dates.max() if len(dates) else pd.NaT,
            "n": int(n), "detail": detail}


def _few(dates, k: int = 5) -> str:
    dates = pd.DatetimeIndex(dates)
    shown = ", ".join(str(d.date()) for d in dates[:k])
    return shown + (f" (+{len(dates) - k} more)" if len(dates) > k else "")


def stale_mask(frame: pd.DataFrame) -> pd.Series:
    """True on flat zero-volume bars (Open = High = Low = Close, Volume = 0)."""
    o, h, lo, c, v = (frame[k] for k in ("Open", "High", "Low", "Close", "Volume"))
    return (o == h) & (h == lo) & (lo == c) & (v == 0)


def check_stale_setting(stale: str) -> str:
    if stale not in STALE_SETTINGS:
        raise ConfigError(f"stale must be 'keep' or 'missing', got {stale!r}")
    return stale


def apply_stale(frame: pd.DataFrame, stale: str = "keep") -> pd.DataFrame:
    """``stale="missing"``: prices of flat zero-volume bars become NaN (the row stays, so the
    bar shows as missing, not as a zero return); ``"keep"`` returns the frame unchanged."""
    if check_stale_setting(stale) == "keep" or frame.empty:
        return frame
    mask = stale_mask(frame).to_numpy()
    if not mask.any():
        return frame
    out = frame.copy()
    out.loc[mask, list(_PRICES)] = np.nan
    return out


def check_prices(frame: pd.DataFrame, symbol: str, *, max_gap_days: int = 10,
                 max_abs_return: float = 0.5) -> pd.DataFrame:
    """Quality findings for one symbol's bars: DataFrame with :data:`QUALITY_COLUMNS`."""
    rows: list[dict] = []
    idx = pd.DatetimeIndex(frame.index)
    if len(idx) > 1:
        back = np.flatnonzero(idx[1:] < idx[:-1]) + 1
        if len(back):
            rows.append(_row(symbol, "unsorted_dates", idx[back], len(back),
                             f"{len(back)} dates earlier than the row before: {_few(idx[back])}"))
    dup = idx[idx.duplicated(keep="first")].unique()
    if len(dup):
        rows.append(_row(symbol, "duplicate_dates", dup, len(dup), f"repeated dates: {_few(dup)}"))

    for col in _PRICES:
        if col not in frame:
            continue
        v = frame[col].to_numpy(dtype="float64")
        for check, mask, word in (("missing_price", np.isnan(v), "missing"),
                                  ("non_positive_price", v <= 0, "non-positive"),
                                  ("non_finite_price", np.isinf(v), "infinite")):
            if mask.any():
                rows.append(_row(symbol, check, idx[mask], mask.sum(),
                                 f"{col}: {mask.sum()} {word} values on {_few(idx[mask])}"))
    if {"Open", "High", "Low", "Close"} <= set(frame.columns):
        o, h, lo, c = (frame[k].to_numpy(dtype="float64") for k in ("Open", "High", "Low", "Close"))
        with np.errstate(invalid="ignore"):
            bad = (c > h) | (c < lo) | ((o > h) & (o > 0)) | ((o < lo) & (o > 0))
        if bad.any():
            rows.append(_row(symbol, "ohlc_inconsistent", idx[bad], bad.sum(),
                             f"Open or Close outside [Low, High] on {_few(idx[bad])}"))

    # the remaining checks need a time-ordered series of distinct dates
    clean = frame[~idx.duplicated(keep="first")].sort_index()
    cidx = pd.DatetimeIndex(clean.index)
    if len(cidx) > 1:
        days = (cidx[1:] - cidx[:-1]).days.to_numpy()
        for i in np.flatnonzero(days > max_gap_days):
            rows.append(_row(symbol, "gap", [cidx[i], cidx[i + 1]], days[i],
                             f"{days[i]} calendar days between {cidx[i].date()} and {cidx[i + 1].date()}"))
    if {"Open", "High", "Low", "Close", "Volume"} <= set(clean.columns):
        st = stale_mask(clean).to_numpy()
        if st.any():
            rows.append(_row(symbol, "stale_bar", cidx[st], st.sum(),
                             f"{st.sum()} flat zero-volume bars (O=H=L=C, Volume 0) on {_few(cidx[st])}"))
    if "Adj Close" in clean:
        p = clean["Adj Close"].to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            r = p[1:] / p[:-1] - 1.0
        for i in np.flatnonzero(np.abs(r) > max_abs_return):
            rows.append(_row(symbol, "extreme_return", [cidx[i + 1]], 1,
                             f"Adj Close return {r[i]:+.1%} on {cidx[i + 1].date()} "
                             f"({p[i]:g} -> {p[i + 1]:g})"))
    out = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    out["first_date"] = pd.to_datetime(out["first_date"])
    out["last_date"] = pd.to_datetime(out["last_date"])
    out["n"] = out["n"].astype("int64")
    return out
