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
``stale_bar``          bar without a trade: Open = High = Low = Close, Volume = 0 and Close
                       unchanged from the previous close (:func:`stale_flags`);
                       ``stale="missing"`` drops their prices
``extreme_return``     single-day |Adj Close return| > ``max_abs_return`` (default 50%)
``jump``               a one-day Adj Close ratio that looks like an unadjusted split or a bad
                       price rather than a return (see :func:`jump_mask`)
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
    dates = np.asarray(dates, dtype="datetime64[ns]")
    dates = dates[~np.isnat(dates)]
    return {"symbol": symbol, "check": check,
            "first_date": dates.min() if len(dates) else np.datetime64("NaT", "ns"),
            "last_date": dates.max() if len(dates) else np.datetime64("NaT", "ns"),
            "n": int(n), "detail": detail}


def _few(dates, k: int = 5) -> str:
    dates = np.asarray(dates, dtype="datetime64[ns]")
    shown = ", ".join(np.datetime_as_string(dates[:k], unit="D"))
    return shown + (f" (+{len(dates) - k} more)" if len(dates) > k else "")


def _day(date) -> str:
    return str(np.datetime_as_string(np.datetime64(date, "ns"), unit="D"))


def columns_of(frame: pd.DataFrame, names) -> dict[str, np.ndarray]:
    """``{name: float64 array}`` of the ``names`` the frame has: one array of the whole frame
    when all its columns are numbers (the price layer's frames: a view, no copy), columns
    sliced from it (a tenth of the time of reading them one by one, 86 series a batch)."""
    names = [c for c in names if c in frame.columns]
    if frame.columns.is_unique and all(t.kind in "fiu" for t in frame.dtypes):
        values = frame.to_numpy(dtype="float64")
        return {c: values[:, frame.columns.get_loc(c)] for c in names}
    return {c: frame[c].to_numpy(dtype="float64") for c in names}


def stale_mask(frame: pd.DataFrame) -> pd.Series:
    """True on bars without a trade (:func:`stale_flags`) of a time-ordered frame."""
    col = columns_of(frame, ("Open", "High", "Low", "Close", "Volume"))
    o, h, lo, c, v = (col[k] for k in ("Open", "High", "Low", "Close", "Volume"))
    return pd.Series(stale_flags(o, h, lo, c, v), index=frame.index)   # numpy: 86 series in a batch


def stale_flags(o, h, lo, c, v) -> np.ndarray:
    """No trade: a flat bar (Open = High = Low = Close), Volume 0 and the *raw* Close equal to the
    last close before it (the first bar has none to compare: flat and zero volume suffice).

    A flat zero-volume bar whose close moved is a session that traded without a volume figure
    (Yahoo's bars of Hong Kong half-day sessions, e.g. 0700.HK on 2022-01-31, +2.4%): its close is a
    price. The raw Close, not the Adj Close, is compared: a dividend's adjustment factor changes
    the Adj Close on its ex-date whether or not the stock traded, while the quoted close of a
    day without a trade is the previous one, unchanged."""
    c = np.asarray(c, dtype="float64")
    last = np.maximum.accumulate(np.where(np.isnan(c), 0, np.arange(len(c))))   # last non-missing close
    prev = np.concatenate([[np.nan], c[last][:-1]])
    unchanged = (c == prev) | np.isnan(prev)
    return (o == h) & (h == lo) & (lo == c) & (v == 0) & unchanged


def check_stale_setting(stale: str) -> str:
    if stale not in STALE_SETTINGS:
        raise ConfigError(f"stale must be 'keep' or 'missing', got {stale!r}")
    return stale


def apply_stale(frame: pd.DataFrame, stale: str = "keep", mask=None) -> pd.DataFrame:
    """``stale="missing"``: prices of flat zero-volume bars become NaN (the row stays, so the
    bar shows as missing, not as a zero return); ``"keep"`` returns the frame unchanged.
    ``mask``: the frame's :func:`stale_mask` when the caller has it."""
    if check_stale_setting(stale) == "keep" or frame.empty:
        return frame
    mask = np.asarray(stale_mask(frame) if mask is None else mask, dtype=bool)
    if not mask.any():
        return frame
    if list(frame.columns) == list(_PRICES) + ["Volume"] and (frame.dtypes == "float64").all():
        values = frame.to_numpy(dtype="float64", copy=True)     # the contract frame: one block
        values[mask, :len(_PRICES)] = np.nan
        return pd.DataFrame(values, index=frame.index, columns=frame.columns)
    out = frame.copy()
    for col in _PRICES:                  # column by column in numpy (a .loc assignment is slow)
        out[col] = np.where(mask, np.nan, out[col].to_numpy(dtype="float64"))
    return out


# Split and reverse-split factors seen in practice (n-for-1 and 1-for-n); 3-for-2 is left out:
# a 50% move is a plausible reaction, and 3:2 splits are rare enough to be caught by users.
SPLIT_FACTORS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 16, 20, 25, 30, 40, 50, 100, 200, 500, 1000)
_LOG_FACTORS = np.log(np.array(SPLIT_FACTORS, dtype=float))
SPLIT_TOLERANCE = np.log(1.05)      # |log ratio - log factor|: a split day's own move is small
SPLIT_MIN = np.log(1.8)             # smaller one-day moves are never called splits
HUGE = np.log(5.0)                  # x5 or /5 in one day: not a return a study can believe
SPIKE = np.log(1.5)                 # a move this large that is undone within REVERT_DAYS ...
REVERT_DAYS = 5
REVERT_SHARE = 0.2                  # ... to within 20% of its size is a bad price


def jump_mask(log_ratio: np.ndarray, breaks: np.ndarray | None = None) -> np.ndarray:
    """Returns that are data errors rather than reactions: True where the one-day log price
    ratio ``r_t``

    * is near a split factor: ``|r_t| >= log 1.8`` and ``| |r_t| - log f | <= log 1.05`` for a
      factor f in :data:`SPLIT_FACTORS` (an unadjusted split or reverse split), or
    * is huge: ``|r_t| >= log 5``, or
    * is a spike undone within five returns: ``|r_t| >= log 1.5`` and, for some j <= 5,
      ``|r_t + r_{t+1} + ... + r_{t+j}| <= 0.2 |r_t|`` with one of those returns at least half as
      large as ``r_t`` (a bad tick, not a slow decline).

    ``breaks``: True where a new series starts (the look-ahead stops there). Non-finite ratios
    are left to the caller (they are errors of their own kind).
    """
    lr = np.asarray(log_ratio, dtype=float)
    a = np.abs(lr)
    out = np.zeros(len(a), dtype=bool)
    with np.errstate(invalid="ignore"):
        # every rule needs |r_t| >= log 1.5 (SPIKE < SPLIT_MIN < HUGE): two passes over the
        # series find those few returns, the rules run on them alone
        moved = np.flatnonzero(a >= SPIKE)
        am = a[moved]
        finite = np.isfinite(am)
        big = am >= SPLIT_MIN                      # the distance to a split factor matters only there
        near = np.zeros(len(am), dtype=bool)
        near[big] = np.min(np.abs(am[big, None] - _LOG_FACTORS[None, :]), axis=1) <= SPLIT_TOLERANCE
        flagged = finite & ((big & near) | (am >= HUGE))
        out[moved] = flagged
        candidates = moved[finite & ~flagged]
    for i in candidates:
        total, biggest = lr[i], 0.0
        for j in range(i + 1, min(i + 1 + REVERT_DAYS, len(lr))):
            if breaks is not None and breaks[j]:
                break
            total += lr[j]
            biggest = max(biggest, abs(lr[j]))
            if abs(total) <= REVERT_SHARE * a[i] and biggest >= 0.5 * a[i]:
                out[i] = True
                break
    return out


# Splits and bonus issues whose one-day ratio is also a plausible return (3:2, 4:3, 5:4 and the
# bonus issues 1-for-5 and 1-for-10 as (new, old) shares; their inverses are reverse splits):
# a ratio near one of them is a split only with more evidence (:func:`small_split_mask`).
SMALL_SPLITS = ((3, 2), (4, 3), (5, 4), (6, 5), (11, 10))
_LOG_SMALL = np.log(np.array([a / b for a, b in SMALL_SPLITS]))
SMALL_Z = 10.0                      # the move, in robust sd of the series' one-day log ratios ...
SMALL_Z_ALONE = 25.0                # ... and a move no return of the series comes near
QUIET_TURNOVER = 2.0                # value traded at most twice its median of the
TURNOVER_DAYS, TURNOVER_MIN = 60, 20  # previous 60 traded sessions (at least 20 of them)


def robust_scale(log_ratio: np.ndarray) -> float:
    """1.4826 x the median absolute one-day log ratio: the sd of a normal series, not moved by
    the jumps being looked for."""
    a = np.abs(np.asarray(log_ratio, dtype=float))
    a = a[np.isfinite(a)]
    return float(1.4826 * np.median(a)) if len(a) else np.nan


def small_split_mask(log_ratio: np.ndarray, turnover: np.ndarray | None = None,
                     scale: float | None = None) -> np.ndarray:
    """One-day log price ratios that are unadjusted small splits or bonus issues
    (:data:`SMALL_SPLITS`, either direction): True where, with ``s`` the robust sd of the series
    (:func:`robust_scale`) and ``f`` the nearest small factor,

    .. math:: \\big|\\,|r_t| - \\log f\\big| \\le \\min(2s, \\log 1.05)
              \\;\\text{and}\\; \\big(|r_t| \\ge 25 s \\;\\text{or}\\;
              (|r_t| \\ge 10 s \\;\\text{and}\\; \\text{turnover}_t \\le 2)\\big)

    (the day's own move beyond the factor is an ordinary one). ``turnover``: the day's value
    traded over its median of the previous sessions (:func:`turnover_ratio`): a split reprices
    the stock without the trading surge of news that moves a price by a third. On the real
    files of ../shared (103 stocks net of their index) the rule flags no day; on those files
    with a factor applied at random days it finds 3:2 81%, 4:3 79%, 5:4 70%, 6:5 54% and
    11:10 5% of them (``benchmarks/split_detection.py``; a 10% move is an ordinary return for
    most stocks: not detectable from prices)."""
    lr = np.asarray(log_ratio, dtype=float)
    s = robust_scale(lr) if scale is None else float(scale)
    out = np.zeros(len(lr), dtype=bool)
    if not np.isfinite(s) or s <= 0:
        return out
    a = np.abs(lr)
    with np.errstate(invalid="ignore"):
        cand = np.flatnonzero(np.isfinite(a) & (a >= SMALL_Z * s))
        if not len(cand):
            return out
        near = _near_small(a[cand], s)
        quiet = np.zeros(len(cand), dtype=bool) if turnover is None else \
            np.asarray(turnover, dtype=float)[cand] <= QUIET_TURNOVER
        out[cand] = near & ((a[cand] >= SMALL_Z_ALONE * s) | quiet)
    return out


def _near_small(a: np.ndarray, s: float) -> np.ndarray:
    """|log ratios| ``a`` within min(2 s, log 1.05) of a small split factor."""
    return np.min(np.abs(a[:, None] - _LOG_SMALL[None, :]), axis=1) <= min(2 * s, SPLIT_TOLERANCE)


def turnover_ratio(close, volume, at=None) -> np.ndarray:
    """Each bar's value traded (Close x Volume) over its median of the previous
    :data:`TURNOVER_DAYS` bars with a volume (NaN with fewer than :data:`TURNOVER_MIN`, or none).

    ``at``: positions of the bars wanted (the ratios of those bars only, in that order): the
    median of each one's own 60 previous bars, the same numbers as the whole series' rolling
    median at those bars, without computing it for every bar (a split check needs a handful)."""
    value = np.asarray(close, dtype=float) * np.asarray(volume, dtype=float)
    value = np.where(value > 0, value, np.nan)
    if at is None:
        base = pd.Series(value).rolling(TURNOVER_DAYS, min_periods=TURNOVER_MIN).median().shift(1).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            return value / base
    at = np.asarray(at, dtype=np.int64)
    base = np.full(len(at), np.nan)
    for k, i in enumerate(at.tolist()):
        prior = value[max(i - TURNOVER_DAYS, 0):i]
        prior = prior[np.isfinite(prior)]
        if len(prior) >= TURNOVER_MIN:
            base[k] = np.median(prior)
    with np.errstate(invalid="ignore", divide="ignore"):
        return value[at] / base


def split_suspects(stock: pd.DataFrame, market: pd.DataFrame | None = None) -> pd.Series:
    """Dates on which the stock's Adj Close looks like an unadjusted small split or bonus issue
    (:func:`small_split_mask`), judged net of the market's move over the same span (the returns
    run between the dates both series have a price): ``{date: the stock's one-day price ratio}``.
    Cheap when nothing is near: the turnover is computed only for candidate days."""
    p = stock["Adj Close"].to_numpy(dtype="float64")
    ok = np.isfinite(p) & (p > 0)
    idx = pd.DatetimeIndex(stock.index)
    if market is not None:
        pm = market["Adj Close"].reindex(idx).to_numpy(dtype="float64")
        ok &= np.isfinite(pm) & (pm > 0)
    rows = np.flatnonzero(ok)
    empty = pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    if len(rows) < 3:
        return empty
    lr_s = np.diff(np.log(p[rows]))
    net = lr_s - np.diff(np.log(pm[rows])) if market is not None else lr_s
    s = robust_scale(net)
    if not np.isfinite(s) or not (np.abs(net) >= SMALL_Z * s).any():
        return empty
    turnover = None
    if {"Close", "Volume"} <= set(stock.columns):
        # needed only where it decides: a move of 10 to 25 robust sd near a small factor
        a = np.abs(net)
        with np.errstate(invalid="ignore"):
            cand = np.flatnonzero((a >= SMALL_Z * s) & (a < SMALL_Z_ALONE * s))
        cand = cand[_near_small(a[cand], s)]
        turnover = np.full(len(net), np.nan)
        turnover[cand] = turnover_ratio(stock["Close"].to_numpy(), stock["Volume"].to_numpy(), at=rows[1:][cand])
    hit = small_split_mask(net, turnover, s)
    return pd.Series(np.exp(lr_s[hit]), index=idx[rows[1:][hit]])


def describe_jump(ratio: float) -> str:
    """``x0.100 (a 10:1 split?)`` style text for a flagged one-day price ratio."""
    lr = abs(np.log(ratio))
    k = int(np.argmin(np.abs(_LOG_FACTORS - lr)))
    if lr >= SPLIT_MIN and abs(_LOG_FACTORS[k] - lr) <= SPLIT_TOLERANCE:
        f = SPLIT_FACTORS[k]
        kind = f"an unadjusted {f}:1 split?" if ratio < 1 else f"an unadjusted 1:{f} reverse split?"
        return f"x{ratio:.4g} ({kind})"
    k = int(np.argmin(np.abs(_LOG_SMALL - lr)))
    if lr < SPLIT_MIN and abs(_LOG_SMALL[k] - lr) <= SPLIT_TOLERANCE:
        a, b = SMALL_SPLITS[k]
        bonus = f" or 1-for-{b // (a - b)} bonus issue"
        kind = f"an unadjusted {a}:{b} split{bonus}?" if ratio < 1 else f"an unadjusted {b}:{a} reverse split?"
        return f"x{ratio:.4g} ({kind})"
    return f"x{ratio:.4g}"


def check_prices(frame: pd.DataFrame, symbol: str, *, max_gap_days: int = 10,
                 max_abs_return: float = 0.5) -> pd.DataFrame:
    """Quality findings for one symbol's bars: DataFrame with :data:`QUALITY_COLUMNS`."""
    return findings_table(findings(frame, symbol, max_gap_days=max_gap_days, max_abs_return=max_abs_return))


def check_many(frames, *, max_gap_days: int = 10, max_abs_return: float = 0.5) -> pd.DataFrame:
    """:func:`check_prices` of every ``{symbol: frame}``, as one table (built once, not per series)."""
    rows: list[dict] = []
    for symbol, frame in frames.items():
        rows += findings(frame, symbol, max_gap_days=max_gap_days, max_abs_return=max_abs_return)
    return findings_table(rows)


def findings_table(rows: list[dict]) -> pd.DataFrame:
    """The findings of :func:`findings` as a DataFrame with :data:`QUALITY_COLUMNS`."""
    out = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    out["first_date"] = pd.to_datetime(out["first_date"])
    out["last_date"] = pd.to_datetime(out["last_date"])
    out["n"] = out["n"].astype("int64")
    return out


def findings(frame: pd.DataFrame, symbol: str, *, max_gap_days: int = 10,
             max_abs_return: float = 0.5) -> list[dict]:
    """The rows of :func:`check_prices` (each column read once, dates as int64 nanoseconds)."""
    dates = pd.DatetimeIndex(frame.index).as_unit("ns")
    d = dates.asi8
    col = columns_of(frame, (*_PRICES, "Volume"))
    rows = _order_findings(symbol, dates, d)
    rows += _value_findings(symbol, dates, col)
    # the remaining checks need a time-ordered series of distinct dates
    if len(d) > 1 and not (d[1:] > d[:-1]).all():
        keep = ~dates.duplicated(keep="first")
        order = np.argsort(d[keep], kind="stable")
        col = {c: v[keep][order] for c, v in col.items()}
        dates = dates[keep][order]
        d = dates.asi8
    rows += _series_findings(symbol, dates, col, max_gap_days, max_abs_return)
    return rows


def _order_findings(symbol, dates: pd.DatetimeIndex, d: np.ndarray) -> list[dict]:
    """Dates earlier than the row before, repeated dates."""
    rows: list[dict] = []
    if len(d) > 1 and (d[1:] > d[:-1]).all():
        return rows
    if len(d) > 1:
        back = np.flatnonzero(d[1:] < d[:-1]) + 1
        if len(back):
            rows.append(_row(symbol, "unsorted_dates", dates[back], len(back),
                             f"{len(back)} dates earlier than the row before: {_few(dates[back])}"))
    dup = dates[dates.duplicated(keep="first")].unique()
    if len(dup):
        rows.append(_row(symbol, "duplicate_dates", dup, len(dup), f"repeated dates: {_few(dup)}"))
    return rows


def _value_findings(symbol, dates: pd.DatetimeIndex, col: dict) -> list[dict]:
    """Missing, non-positive and infinite prices; Open or Close outside [Low, High]."""
    rows: list[dict] = []
    idx = dates.to_numpy()
    for name in _PRICES:
        if name not in col:
            continue
        v = col[name]
        for check, mask, word in (("missing_price", np.isnan(v), "missing"),
                                  ("non_positive_price", v <= 0, "non-positive"),
                                  ("non_finite_price", np.isinf(v), "infinite")):
            if mask.any():
                rows.append(_row(symbol, check, idx[mask], mask.sum(),
                                 f"{name}: {mask.sum()} {word} values on {_few(idx[mask])}"))
    if {"Open", "High", "Low", "Close"} <= set(col):
        o, h, lo, c = (col[k] for k in ("Open", "High", "Low", "Close"))
        with np.errstate(invalid="ignore"):
            bad = (c > h) | (c < lo) | ((o > h) & (o > 0)) | ((o < lo) & (o > 0))
        if bad.any():
            rows.append(_row(symbol, "ohlc_inconsistent", idx[bad], bad.sum(),
                             f"Open or Close outside [Low, High] on {_few(idx[bad])}"))
    return rows


def _series_findings(symbol, dates: pd.DatetimeIndex, col: dict, max_gap_days: int,
                     max_abs_return: float) -> list[dict]:
    """Gaps, flat zero-volume bars, extreme returns and jumps of the time-ordered series."""
    rows: list[dict] = []
    idx = dates.to_numpy()
    if len(idx) > 1:
        days = np.diff(dates.asi8) // (86_400 * 10**9)
        for i in np.flatnonzero(days > max_gap_days):
            rows.append(_row(symbol, "gap", idx[i:i + 2], days[i],
                             f"{days[i]} calendar days between {_day(idx[i])} and {_day(idx[i + 1])}"))
    if {"Open", "High", "Low", "Close", "Volume"} <= set(col):
        o, h, lo, c, v = (col[k] for k in ("Open", "High", "Low", "Close", "Volume"))
        st = stale_flags(o, h, lo, c, v)
        if st.any():
            rows.append(_row(symbol, "stale_bar", idx[st], st.sum(),
                             f"{st.sum()} bars without a trade (O=H=L=C, Volume 0, Close unchanged) on "
                             f"{_few(idx[st])}"))
    if "Adj Close" in col:
        p = col["Adj Close"]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = p[1:] / p[:-1] - 1.0
        for i in np.flatnonzero(np.abs(r) > max_abs_return):
            rows.append(_row(symbol, "extreme_return", idx[i + 1:i + 2], 1,
                             f"Adj Close return {r[i]:+.1%} on {_day(idx[i + 1])} "
                             f"({p[i]:g} -> {p[i + 1]:g})"))
        ok = np.isfinite(p[1:]) & np.isfinite(p[:-1]) & (p[1:] > 0) & (p[:-1] > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.where(ok, np.log(p[1:] / p[:-1]), np.nan)
        for i in np.flatnonzero(jump_mask(lr)):
            rows.append(_row(symbol, "jump", idx[i + 1:i + 2], 1,
                             f"Adj Close {describe_jump(p[i + 1] / p[i])} on {_day(idx[i + 1])} "
                             f"({p[i]:g} -> {p[i + 1]:g})"))
    return rows
