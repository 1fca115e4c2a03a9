"""Calendar-time portfolios: the long-run abnormal return as the intercept of a time series.

Each calendar period (trading day, or month) ``tau``, the portfolio holds the stocks whose event
lies ``t1..t2`` periods before (window ``(1, 250)`` trading days, or ``(1, 12)`` months): a stock
is in the portfolio from the period after its day 0 for the length of the window (Jaffe 1974;
Mandelker 1974; Fama 1998; Mitchell & Stafford 2000). A stock with several events is held once
while any of its windows is open. The portfolio's return

.. math::

    R_{p\\tau} = \\sum_i w_{i\\tau} R_{i\\tau}, \\qquad w_{i\\tau} = 1 / n_\\tau \\ (\\text{equal})
    \\ \\text{or}\\ MV_{i,\\tau-1} / \\sum_j MV_{j,\\tau-1} \\ (\\text{value})

is regressed on the factors by OLS (statsmodels),

.. math::

    R_{p\\tau} - R_{f\\tau} = a + b (R_{m\\tau} - R_{f\\tau}) [+ s SMB_\\tau + h HML_\\tau + u UMD_\\tau] + e_\\tau,

and the intercept ``a`` (Jensen's alpha) is the mean abnormal return per period of a stock in
its window; its t statistic tests it against zero, with ordinary or Newey-West (1987) standard
errors (``cov_type="HAC"``, Bartlett kernel, no small-sample factor, statsmodels; default lag
``floor(4 (T/100)^(2/9))``, Newey & West 1994). Because every period is one observation, the test is robust to the
cross-sectional dependence of events that overlap in calendar time, which is the point of the
method (Mitchell & Stafford 2000, sec. IV).

``model="market"``: the events' market index (one symbol, e.g. ^HSI) as ``R_m``, with a risk-free
rate only when ``rf`` is given (else ``R_f = 0``: a Jensen regression on raw returns; say so when
you report it). ``model="ff3"`` / ``"carhart4"``: ``Mkt-RF``, ``SMB``, ``HML`` (and ``Mom``) and
``RF`` from a Ken French factor table (:func:`analysis.data.factors.load_factors`); those are US
factors, for US listings. Monthly factors are compounded from the daily ones
(``prod(1 + f_d) - 1``; the excess market as ``prod(1 + Mkt-RF + RF) - prod(1 + RF)``), an
approximation of the library's monthly files for the long-short factors; daily factors are
compounded the same way over the days between two calendar dates (one day when the calendars
agree, e.g. US factors and a US market; none, and the period is left out, when they do not).

Stock returns are close-to-close over consecutive calendar periods from the adjusted close, the
last price on or before each period's end carried over days without a price (trade to trade); a
stock contributes nothing before its first price or after its last (delisting or end of its
data). Value weights need market values: ``weights`` a frame of market values (dates x tickers;
the value at the end of the previous period weights a period's return) or the name of an events
column with one value per event.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, WindowError
from .bhar import carry
from .holding import holding_checks, study_events

FREQUENCIES = ("daily", "monthly")
CT_MODELS = {"market": ("Mkt-RF",), "ff3": ("Mkt-RF", "SMB", "HML"),
             "carhart4": ("Mkt-RF", "SMB", "HML", "Mom")}
DEFAULT_CT_WINDOW = {"daily": (1, 250), "monthly": (1, 12)}


def newey_west_lags(t: int) -> int:
    """Newey & West (1994) rule of thumb, ``floor(4 (T / 100)^(2/9))``."""
    return int(np.floor(4.0 * (t / 100.0) ** (2.0 / 9.0)))


def period_returns(values: np.ndarray, cal_rows: np.ndarray) -> np.ndarray:
    """Returns of every column over consecutive calendar periods ending at ``cal_rows``: the
    last price on or before each period's end over the one before (trade to trade). A column
    has a return in a period when it has a price before the period and one after the previous
    period's end: the period in which its prices end gets the return up to its last price,
    later periods none (NaN)."""
    carried, last_row = carry(values)
    level = carried[cal_rows]
    out = np.full(level.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[1:] = level[1:] / level[:-1] - 1.0
    out[1:][~(last_row[None, :] > cal_rows[:-1, None])] = np.nan
    return out


def _compound(frame: pd.DataFrame, keys) -> pd.DataFrame:
    return (1.0 + frame).groupby(keys).prod(min_count=1) - 1.0


class CalendarTimeResult:
    """The calendar-time portfolio(s) of a sample and their factor regressions.

    - ``alphas``: one row per weighting: ``alpha`` (per period), ``se``, ``t``, ``p``,
      ``periods``, ``mean_firms``, ``r2``, ``cov_type``, and the alpha per year;
    - ``coefficients``: every coefficient of every regression (long frame);
    - ``portfolio``: one row per weighting and period: ``date``, ``n_firms``,
      ``portfolio_return``, ``rf``, ``excess_return``, the factors, ``abnormal`` (alpha +
      residual), ``cumulative_abnormal`` and ``cumulative_alpha`` (k alpha after k periods) with
      its 95% band ``cumulative_alpha_lo/hi`` (k (alpha -+ q se), q from t(T - K), normal for HAC);
    - ``fits``: ``{weighting: statsmodels results}``; ``table``: every event, the periods it
      spent in the portfolio or why it never did; ``summary()``.
    """

    def __init__(self, portfolio: pd.DataFrame, fits: dict, table: pd.DataFrame, settings: dict):
        self.portfolio = portfolio
        self.fits = fits
        self.table = table
        self.settings = settings

    @property
    def diagnostics(self) -> pd.DataFrame:
        return self.table

    @cached_property
    def alphas(self) -> pd.DataFrame:
        per_year = 252 if self.settings["frequency"] == "daily" else 12
        rows = []
        for w, fit in self.fits.items():
            p = self.portfolio[self.portfolio["weighting"] == w]
            rows.append({"weighting": w, "alpha": float(fit.params["const"]), "se": float(fit.bse["const"]),
                         "t": float(fit.tvalues["const"]), "p": float(fit.pvalues["const"]),
                         "periods": int(fit.nobs), "mean_firms": float(p["n_firms"].mean()),
                         "r2": float(fit.rsquared), "cov_type": fit.cov_type,
                         "alpha_per_year": float((1.0 + fit.params["const"]) ** per_year - 1.0)})
        return pd.DataFrame(rows).set_index("weighting")

    @cached_property
    def coefficients(self) -> pd.DataFrame:
        parts = []
        for w, fit in self.fits.items():
            parts.append(pd.DataFrame({"weighting": w, "term": fit.params.index, "coef": fit.params.to_numpy(),
                                       "se": fit.bse.to_numpy(), "t": fit.tvalues.to_numpy(),
                                       "p": fit.pvalues.to_numpy()}))
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        s = self.settings
        t1, t2 = s["window"]
        unit = "trading days" if s["frequency"] == "daily" else "months"
        lines = [f"Calendar-time portfolios: {s['frequency']}, stocks held {t1}..{t2} {unit} after day 0; "
                 f"{s['model_text']}; {s['cov_text']}",
                 f"Events: {len(self.table)} given, {int((self.table['status'] == 'ok').sum())} in the "
                 f"portfolio at least once"]
        bad = self.table[self.table["status"] != "ok"]
        for _, r in bad.head(10).iterrows():
            lines.append(f"  left out {r['event_id']} ({r['ticker']}): {r['reason']}")
        if len(bad) > 10:
            lines.append(f"  ... {len(bad) - 10} more (table)")
        if s.get("dropped"):
            lines.append(f"  {s['dropped']}")
        if s.get("left_out"):            # rows of an extracted table that are not listed subjects
            lines.append(f"  {s['left_out']}")
        lines += ["", "  weighting      alpha       se        t        p  periods  mean firms  alpha/yr"]
        for w, r in self.alphas.iterrows():
            lines.append(f"  {w:9s} {r['alpha']:10.6f} {r['se']:8.6f} {r['t']:8.3f} {r['p']:8.4f} "
                         f"{int(r['periods']):8d} {r['mean_firms']:11.1f} {r['alpha_per_year']:+9.4f}")
        lines.append(f"  (alpha per {'trading day' if s['frequency'] == 'daily' else 'month'}, "
                     f"compounded to a year in the last column)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<CalendarTimeResult {self.settings['frequency']} {self.settings['model']}, "
                f"{', '.join(self.fits)}>")


def calendar_time_portfolio(events: pd.DataFrame, prices: pd.DataFrame, *, window=None,
                            frequency: str = "daily", model: str = "market", factors: pd.DataFrame | None = None,
                            market: str | None = None, rf: pd.Series | None = None, weights=None,
                            weighting=None, cov_type: str = "nonrobust", hac_lags: int | None = None,
                            min_firms: int = 1, jumps: str = "skip", duplicates: str = "skip",
                            settings: Mapping | None = None) -> CalendarTimeResult:
    """Calendar-time portfolios from timed events and a price panel (see the module docstring).

    ``events``: ``event_id, ticker, market, day0`` (+ ``reason`` for an event that cannot be
    placed, and the ``weights`` column when named); ``prices``: adjusted closes, dates x
    symbols, with the market's column. ``weighting``: ``"equal"``, ``"value"`` or both (default:
    both when ``weights`` is given, else equal). Periods with fewer than ``min_firms`` stocks
    are left out of the regression. The pipeline's price checks run over each event's holding
    window (the market's trading days from the end of the period before the first one held to
    the end of the last; :func:`analysis.core.holding.holding_checks`): an event that fails
    them is left out with the reason (``jumps="keep"``: kept, the jump in ``warnings``), and so
    is a duplicate (``duplicates="keep"`` keeps them).
    """
    import statsmodels.api as sm

    t1, t2, weighting, factor_cols = _checked_options(frequency, model, window, cov_type, weighting, weights,
                                                      factors)

    n = len(events)
    ids = events["event_id"].to_numpy(dtype=object)
    tickers = events["ticker"].astype(object).to_numpy()
    reason = (events["reason"].to_numpy(dtype=object).copy() if "reason" in events
              else np.full(n, None, dtype=object))
    reason = np.where(pd.isna(reason) | (reason == ""), None, reason)
    market, cols, values, dates, mrows, cal_rows, cal = _calendar(events, reason, prices, market, frequency)
    day0 = pd.DatetimeIndex(events["day0"])
    c_s = cols.get_indexer(pd.Index([str(t) for t in tickers]))
    no_prices = (c_s < 0) & pd.isna(reason)
    reason[no_prices] = [f"no prices for {t}" for t in tickers[no_prices]]
    no_day = pd.isna(day0) & pd.isna(reason)
    reason[np.asarray(no_day)] = "no day 0"
    ok = pd.isna(reason)
    d0 = day0[ok].to_numpy()
    if frequency == "daily":
        k0 = np.searchsorted(cal.to_numpy(), d0, side="right") - 1
    else:
        k0 = np.searchsorted(cal.to_numpy(), d0, side="left")      # the month holding day 0
    first = k0 + t1
    last_k = np.minimum(k0 + t2, len(cal) - 1)
    outside = first > len(cal) - 1
    idx_ok = np.flatnonzero(ok)
    reason[idx_ok[outside]] = f"the window starts after the end of the {market} data ({cal[-1]:%Y-%m-%d})"
    live = ~outside
    ev_rows, ev_first, ev_last = idx_ok[live], first[live], last_k[live]
    # the pipeline's price checks over each holding window, on the market's trading days
    warnings = np.full(n, "", dtype=object)
    if len(ev_rows):
        c_m = np.full(n, cols.get_loc(market), dtype=np.int64)
        found, warned = holding_checks(values, dates, _holding_rows(n, ev_rows, ev_first, ev_last, cal_rows, mrows),
                                       c_s, c_m, ids=ids, tickers=tickers, market_names=np.full(n, market, object),
                                       day0=day0, check=np.isin(np.arange(n), ev_rows), jumps=jumps,
                                       duplicates=duplicates)
        warnings[ev_rows] = warned[ev_rows]
        failed = pd.notna(found[ev_rows])
        reason[ev_rows[failed]] = found[ev_rows[failed]]
        ev_rows, ev_first, ev_last = ev_rows[~failed], ev_first[~failed], ev_last[~failed]
    ok = pd.isna(reason)
    # returns of every stock on the calendar: ratio of carried prices at consecutive periods
    used = np.unique(c_s[ev_rows]) if len(ev_rows) else np.zeros(0, dtype=np.int64)
    ret = period_returns(values[:, used], cal_rows)
    # active events per (period, stock): +1 at the first period, -1 after the last
    local = np.searchsorted(used, c_s[ev_rows])
    active = np.zeros((len(cal) + 1, len(used)))
    np.add.at(active, (ev_first, local), 1.0)
    np.add.at(active, (ev_last + 1, local), -1.0)
    active = np.cumsum(active, axis=0)[:-1]
    member = (active > 0.5) & np.isfinite(ret)
    n_firms = member.sum(axis=1)
    # the periods each event spent in the portfolio (its stock had a return)
    cm = np.vstack([np.zeros((1, len(used))), np.cumsum(member, axis=0)])
    spent = cm[ev_last + 1, local] - cm[ev_first, local]
    periods = np.zeros(n, dtype=np.int64)
    periods[ev_rows] = spent.astype(np.int64)
    never = ok & (periods == 0)
    reason[never] = "no return of the stock inside the window (no price there)"
    ok = pd.isna(reason)

    port = {}
    r0 = np.where(member, ret, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if "equal" in weighting:
            port["equal"] = r0.sum(axis=1) / n_firms
        if "value" in weighting:
            mv = _value_weights(weights, events, ev_rows, local, ev_first, ev_last, cal, len(used),
                                [cols[j] for j in used])
            w = np.where(member & np.isfinite(mv) & (mv > 0), mv, 0.0)
            port["value"] = (w * r0).sum(axis=1) / w.sum(axis=1)

    # the right-hand side on the calendar
    rhs, rf_series, text = _factors(model, factor_cols, frequency, cal, cal_rows, values[:, cols.get_loc(market)],
                                    factors, rf, market)
    frames, fits = [], {}
    dropped = []
    for wname, rp in port.items():
        frame, fits[wname], lags, n_thin, n_nofactor = _regress_portfolio(
            wname, rp, cal, n_firms, rf_series, rhs, factor_cols, min_firms, cov_type, hac_lags)
        frames.append(frame)
        if n_thin or n_nofactor:
            dropped.append(f"{wname}: {n_thin} period(s) with fewer than {min_firms} firms and {n_nofactor} "
                           f"without factor data left out")
    portfolio = pd.concat(frames, ignore_index=True)
    first_dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    last_dates = first_dates.copy()
    first_dates[ev_rows] = cal.to_numpy()[ev_first]
    last_dates[ev_rows] = cal.to_numpy()[ev_last]
    table = pd.DataFrame({"event_id": ids, "ticker": tickers, "day0": day0.to_numpy(),
                          "status": np.where(ok, "ok", "left out").astype(object),
                          "reason": np.where(ok, "", reason).astype(object),
                          "first_period": np.where(ok, first_dates, np.datetime64("NaT")),
                          "last_period": np.where(ok, last_dates, np.datetime64("NaT")),
                          "periods": np.where(ok, periods, 0),
                          "warnings": np.where(ok, warnings, "").astype(object)})
    cov_text = ("OLS standard errors" if cov_type == "nonrobust"
                else f"Newey-West standard errors, {lags} lags")
    meta = {"frequency": frequency, "window": (t1, t2), "model": model, "model_text": text, "market": market,
            "weighting": list(port), "cov_type": cov_type, "hac_lags": lags, "cov_text": cov_text,
            "min_firms": int(min_firms), "dropped": "; ".join(dropped), **dict(settings or {})}
    return CalendarTimeResult(portfolio, fits, table, meta)


def _checked_options(frequency, model, window, cov_type, weighting, weights, factors):
    """The options of :func:`calendar_time_portfolio`, checked: ``(t1, t2, weighting, factor columns)``."""
    if frequency not in FREQUENCIES:
        raise InputError(f"frequency must be one of {', '.join(FREQUENCIES)}, got {frequency!r}")
    if model not in CT_MODELS:
        raise InputError(f"calendar-time model must be one of {', '.join(CT_MODELS)}, got {model!r}")
    from ..windows import window as check_window

    t1, t2 = check_window(DEFAULT_CT_WINDOW[frequency] if window is None else window, "calendar-time window")
    if t1 < 1:
        raise WindowError(f"calendar-time window [{t1}, {t2}] must start after day 0 (t1 >= 1): the portfolio "
                          f"holds stocks after their events")
    if cov_type not in ("nonrobust", "HAC"):
        raise InputError(f"cov_type must be 'nonrobust' or 'HAC' (Newey-West), got {cov_type!r}")
    weighting = (("equal", "value") if weights is not None else ("equal",)) if weighting is None else \
        ((weighting,) if isinstance(weighting, str) else tuple(weighting))
    for w in weighting:
        if w not in ("equal", "value"):
            raise InputError(f"weighting must be 'equal' or 'value', got {w!r}")
    if "value" in weighting and weights is None:
        raise InputError("value weights need market values: weights= (a frame of market values, dates x "
                         "tickers, or the name of an events column)")
    factor_cols = CT_MODELS[model]
    if model != "market":
        if factors is None:
            raise InputError(f"model {model!r} needs a factor table (factors=, analysis.data.factors.load_factors)")
        missing = [c for c in factor_cols + ("RF",) if c not in factors.columns]
        if missing:
            raise InputError(f"factor table has no column {missing[0]!r} needed by model {model!r}")

    return t1, t2, weighting, factor_cols


def _regress_portfolio(wname, rp, cal, n_firms, rf_series, rhs, factor_cols, min_firms, cov_type, hac_lags):
    """One weighting's excess returns on the factors (statsmodels OLS, Newey-West optional):
    ``(frame with abnormal and cumulative-alpha columns, fit, lags, periods too thin, periods
    without factors)``."""
    import statsmodels.api as sm

    frame = pd.DataFrame({"date": cal, "n_firms": n_firms, "portfolio_return": rp, "rf": rf_series})
    for c in factor_cols:
        frame[c] = rhs[c]
    usable = (frame["n_firms"] >= max(int(min_firms), 1)) & frame[["portfolio_return", "rf", *factor_cols]] \
        .notna().all(axis=1)
    usable.iloc[0] = False                        # the first period has no return
    n_thin = int(((frame["n_firms"] > 0) & (frame["n_firms"] < min_firms)).sum())
    n_nofactor = int(((frame["n_firms"] >= max(min_firms, 1)) & frame[list(factor_cols) + ["rf"]]
                      .isna().any(axis=1)).sum())
    frame["excess_return"] = frame["portfolio_return"] - frame["rf"]
    frame = frame[usable].reset_index(drop=True)
    if len(frame) < len(factor_cols) + 3:
        raise InputError(f"calendar-time regression ({wname}) has {len(frame)} periods with stocks in "
                         f"the portfolio: too few")
    x = sm.add_constant(frame[list(factor_cols)], has_constant="add")
    ols = sm.OLS(frame["excess_return"], x)
    if cov_type == "HAC":
        lags = newey_west_lags(len(frame)) if hac_lags is None else int(hac_lags)
        fit = ols.fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    else:
        lags = None
        fit = ols.fit()
    frame["abnormal"] = fit.params["const"] + fit.resid.to_numpy()
    frame["cumulative_abnormal"] = np.cumsum(frame["abnormal"].to_numpy())
    # alpha cumulated over the periods so far, with its 95% band (k alpha +- k q se)
    k = np.arange(1, len(frame) + 1)
    q = stats.norm.ppf(0.975) if cov_type == "HAC" else stats.t.ppf(0.975, fit.df_resid)
    a, se = float(fit.params["const"]), float(fit.bse["const"])
    frame["cumulative_alpha"] = k * a
    frame["cumulative_alpha_lo"] = k * (a - q * se)
    frame["cumulative_alpha_hi"] = k * (a + q * se)
    frame.insert(0, "weighting", wname)
    return frame, fit, lags, n_thin, n_nofactor


def _calendar(events, reason, prices, market, frequency):
    """The market of the portfolio and its calendar: ``(market, columns, values, dates, rows the
    market trades, rows that end a period, period end dates)``."""
    n = len(events)
    if market is None:
        ms = pd.unique(events.loc[pd.isna(reason), "market"].dropna().astype(str)) if n else []
        if len(ms) != 1:
            raise InputError("calendar-time portfolios need one market calendar: the events have markets "
                             f"{', '.join(map(str, ms)) or '(none)'}; give market=")
        market = ms[0]
    prices = prices.sort_index()
    cols = pd.Index([str(c) for c in prices.columns])
    if market not in cols:
        raise InputError(f"no prices for the market {market}")
    values = prices.to_numpy(dtype=float)
    dates = prices.index
    mrows = np.flatnonzero(np.isfinite(values[:, cols.get_loc(market)]))
    if frequency == "daily":
        cal_rows = mrows
    else:
        month = dates[mrows].to_period("M")
        last = np.r_[month[1:] != month[:-1], True]
        cal_rows = mrows[last]
    cal = dates[cal_rows]
    return market, cols, values, dates, mrows, cal_rows, cal


def _holding_rows(n, ev_rows, ev_first, ev_last, cal_rows, mrows) -> np.ndarray:
    """(n x W) rows of the prices each event's holding window reads: the market's trading days
    from the end of the period before its first one (the first period's, when there is none
    before) to the end of its last; -1 past the end and for the other events."""
    lo = np.searchsorted(mrows, cal_rows[np.maximum(ev_first - 1, 0)])
    hi = np.searchsorted(mrows, cal_rows[ev_last])
    width = int((hi - lo).max()) + 1
    k = lo[:, None] + np.arange(width)[None, :]
    out = np.full((n, width), -1, dtype=np.int64)
    out[ev_rows] = np.where(k <= hi[:, None], mrows[np.minimum(k, len(mrows) - 1)], -1)
    return out


def _value_weights(weights, events, ev_rows, local, ev_first, ev_last, cal, n_used, used_names):
    """Market value of each used stock at the end of the previous period (T x S)."""
    if isinstance(weights, str):
        if weights not in events.columns:
            raise InputError(f"weights column {weights!r} is not in the events table")
        w = pd.to_numeric(events[weights], errors="coerce").to_numpy(dtype=float)[ev_rows]
        total = np.zeros((len(cal) + 1, n_used))
        count = np.zeros((len(cal) + 1, n_used))
        good = np.isfinite(w) & (w > 0)
        np.add.at(total, (ev_first[good], local[good]), w[good])
        np.add.at(total, (ev_last[good] + 1, local[good]), -w[good])
        np.add.at(count, (ev_first[good], local[good]), 1.0)
        np.add.at(count, (ev_last[good] + 1, local[good]), -1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.cumsum(total, axis=0)[:-1] / np.cumsum(count, axis=0)[:-1]
    if isinstance(weights, pd.DataFrame):
        mv = weights.reindex(columns=used_names).astype(float).sort_index()
        carried = mv.reindex(mv.index.union(cal)).ffill().reindex(cal).to_numpy()
        out = np.full(carried.shape, np.nan)
        out[1:] = carried[:-1]                          # the previous period's value
        return out
    raise InputError("weights must be a frame of market values (dates x tickers) or an events column name")


def _factors(model, factor_cols, frequency, cal, cal_rows, market_values, factors, rf, market):
    """The regressors and the risk-free rate on the calendar, and a description."""
    t = len(cal)

    def on_calendar(frame: pd.DataFrame) -> pd.DataFrame:
        """Daily rows compounded over each calendar period: the days after the previous
        calendar date up to this one (one day when the calendars agree; NaN when none)."""
        frame = frame.sort_index()
        k = np.searchsorted(cal.to_numpy(), frame.index.to_numpy(), side="left")
        inside = k < t
        out = _compound(frame[inside], k[inside]).reindex(np.arange(t))
        out.index = cal
        return out

    rf_series = np.zeros(t)
    if model == "market":
        rm = period_returns(market_values[:, None], cal_rows)[:, 0]
        if rf is not None:
            if not isinstance(rf, pd.Series) or not isinstance(rf.index, pd.DatetimeIndex):
                raise InputError("rf must be a Series of daily risk-free returns indexed by dates")
            rf_series = on_calendar(rf.astype(float).to_frame("RF"))["RF"].to_numpy()
            text = f"market model on {market} with the risk-free rate given"
        else:
            text = f"market model on {market}, no risk-free rate (raw returns)"
        return {"Mkt-RF": rm - rf_series}, rf_series, text
    f = factors[list(factor_cols) + ["RF"]].astype(float)
    mkt = (f["Mkt-RF"] + f["RF"]).to_frame("Mkt")
    g = on_calendar(pd.concat([f, mkt], axis=1))
    g["Mkt-RF"] = g["Mkt"] - g["RF"]
    text = {"ff3": "Fama-French three factors", "carhart4": "Carhart four factors"}[model]
    return {c: g[c].to_numpy() for c in factor_cols}, g["RF"].to_numpy(), f"{text} (factor table)"


def calendar_time(events, *, window=None, frequency: str = "daily", model: str = "market", factors=None,
                  market: str | None = None, rf: pd.Series | None = None, weights=None, weighting=None,
                  cov_type: str = "nonrobust", hac_lags: int | None = None, min_firms: int = 1,
                  source=None, prices_dir=None, cache_dir=None, offline=None, policy: str | None = None,
                  subjects_only: bool = True, stale: str | None = None, jumps: str | None = None,
                  duplicates: str | None = None, progress: bool = True) -> CalendarTimeResult:
    """Calendar-time portfolios of an events table (or of a :class:`~analysis.core.pipeline.Study`).

    The events go through the pipeline (:func:`analysis.core.pipeline.run_study`: validated,
    timed, each symbol loaded once, flat zero-volume bars counted as no trade unless
    ``stale="keep"``; a Study's are used as it read them); each event's day 0 is the study's and
    the study's skips about the event itself hold, its price checks run again over the holding
    window (:mod:`analysis.core.holding`; ``jumps`` and ``duplicates`` default to the study's
    settings). ``factors``: a factor table or Ken French file path(s) (read by
    :func:`analysis.data.factors.load_factors`); the other arguments as
    :func:`calendar_time_portfolio`.
    """
    from ..data.factors import load_factors
    from ..events.table import left_out_note
    from ..windows import DEFAULT_POLICY, DEFAULT_STALE
    from .pipeline import Study, load_prices, price_panel, run_study

    ran_study = not isinstance(events, Study)
    if ran_study:
        checks = {} if jumps is None else {"jumps": jumps}
        events = run_study(events, source=source, prices_dir=prices_dir, cache_dir=cache_dir, offline=offline,
                           policy=policy or DEFAULT_POLICY, subjects_only=subjects_only,
                           stale=stale or DEFAULT_STALE, progress=progress, **checks)
    study = events
    frames = dict(study.prices)
    if market and market not in frames:          # a market none of the events has
        from ..data.quality import apply_stale
        from ..data.sources import open_source

        source = source or open_source(prices_dir=prices_dir, cache_dir=cache_dir, offline=offline)
        extra, _ = load_prices(source, [market], progress=False)
        frames.update({k: apply_stale(f, study.result.settings.get("stale") or DEFAULT_STALE)
                       for k, f in extra.items()})
    if factors is not None and not isinstance(factors, pd.DataFrame):
        factors = load_factors(factors)
    table = study_events(study.result)
    given = study.result.status.given
    if given is None:
        given = study.result.status.events
    if isinstance(weights, str) and weights in given.columns:
        table[weights] = given[weights].to_numpy()
    settings = study.result.settings
    # rows the study left out (not listed subjects): said here when this call ran the study (a
    # Study passed in has its own left_out, reported by whoever ran it)
    left_out = study.left_out if ran_study else None
    note = left_out_note(left_out, len(table) + (0 if left_out is None else len(left_out)))
    return calendar_time_portfolio(table, price_panel(frames), window=window, frequency=frequency, model=model,
                                   factors=factors, market=market, rf=rf, weights=weights, weighting=weighting,
                                   cov_type=cov_type, hac_lags=hac_lags, min_firms=min_firms,
                                   jumps=settings.get("jumps", "skip") if jumps is None else jumps,
                                   duplicates=settings.get("duplicates", "skip") if duplicates is None else duplicates,
                                   settings={"source_name": study.source_name, "left_out": note})
