"""Calendar-time portfolios (analysis.core.calendar_time): the portfolio rebuilt date by date with
plain pandas lookups (written here), its regression by statsmodels, Newey-West standard errors by
numpy from the Bartlett-kernel formula; daily and monthly, equal and value weights, the market
model and Fama-French factors; and the entry point on the real snapshot."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import analysis
from analysis.core.calendar_time import calendar_time_portfolio, newey_west_lags
from analysis.errors import InputError, WindowError


def _panel(seed=8, n_days=700, n=25):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2016-01-04", periods=n_days)
    rm = rng.normal(0.0003, 0.01, n_days)
    r = 0.0002 + rm[:, None] * rng.uniform(0.5, 1.5, n) + rng.normal(0, 0.02, (n_days, n))
    prices = pd.DataFrame(20 * np.exp(np.cumsum(np.log1p(r), axis=0)), index=dates,
                          columns=[f"S{i:02d}" for i in range(n)])
    prices["MKT"] = 100 * np.cumprod(1 + rm)
    prices.iloc[300:305, 3] = np.nan                       # a suspension
    prices.iloc[500:, 4] = np.nan                          # prices end (delisting)
    day0 = rng.integers(20, 600, n)
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "ticker": prices.columns[:n],
                           "market": "MKT", "day0": dates[day0], "size": rng.uniform(1, 10, n)})
    events.loc[n - 1, "ticker"] = "S00"                    # a second event of S00
    factors = pd.DataFrame({"Mkt-RF": rm - 0.0001, "SMB": rng.normal(0, 0.005, n_days),
                            "HML": rng.normal(0, 0.005, n_days), "RF": np.full(n_days, 0.0001)}, index=dates)
    return events, prices, factors


def _portfolio(events, prices, window, frequency, value_col=None):
    """Period by period: (dates, portfolio returns, number of firms), by plain lookups."""
    t1, t2 = window
    mdates = prices["MKT"].dropna().index
    if frequency == "daily":
        cal = mdates
    else:
        cal = pd.DatetimeIndex(pd.Series(mdates, index=mdates).groupby(mdates.to_period("M")).max().to_numpy())
    side = "right" if frequency == "daily" else "left"
    k0 = np.searchsorted(cal, pd.DatetimeIndex(events["day0"]), side=side) - (frequency == "daily")
    series = {t: prices[t].dropna() for t in events["ticker"]}
    out_r, out_n = [], []
    for k in range(1, len(cal)):
        members = {}
        for i, (tkr, w) in enumerate(zip(events["ticker"], events[value_col] if value_col else [1.0] * len(k0))):
            if k0[i] + t1 <= k <= k0[i] + t2:
                members.setdefault(tkr, []).append(w)
        rets, ws = [], []
        for tkr, w in members.items():
            s = series[tkr]
            j_before = np.searchsorted(s.index, cal[k - 1], side="right") - 1
            j_now = np.searchsorted(s.index, cal[k], side="right") - 1
            if j_before < 0 or s.index[-1] <= cal[k - 1]:
                continue
            rets.append(s.iloc[j_now] / s.iloc[j_before] - 1)
            ws.append(np.mean(w))
        out_n.append(len(rets))
        out_r.append(np.average(rets, weights=ws) if rets else np.nan)
    return cal[1:], np.array(out_r), np.array(out_n)


def _nw_se(x, resid, lags):
    """Newey-West (1987) covariance, Bartlett weights, no small-sample factor."""
    u = x * resid[:, None]
    s = u.T @ u
    for j in range(1, lags + 1):
        g = u[j:].T @ u[:-j]
        s += (1 - j / (lags + 1)) * (g + g.T)
    xx = np.linalg.inv(x.T @ x)
    cov = xx @ s @ xx
    return np.sqrt(np.diag(cov))


@pytest.fixture(scope="module")
def data():
    return _panel()


@pytest.mark.parametrize("frequency, window", [("daily", (1, 120)), ("monthly", (1, 6))])
def test_equal_weighted_alpha_matches_a_plain_rebuild(data, frequency, window):
    events, prices, _ = data
    res = calendar_time_portfolio(events, prices, window=window, frequency=frequency)
    dates, rp, n = _portfolio(events, prices, window, frequency)
    ok = n > 0
    port = res.portfolio
    assert list(port["date"]) == list(dates[ok])
    np.testing.assert_allclose(port["portfolio_return"], rp[ok], rtol=1e-10)
    assert list(port["n_firms"]) == list(n[ok])
    cal = prices["MKT"].dropna()
    cal = cal if frequency == "daily" else cal.groupby(cal.index.to_period("M")).last()
    rm = (cal / cal.shift(1) - 1).to_numpy()[1:][ok]
    fit = sm.OLS(rp[ok], sm.add_constant(rm)).fit()
    a = res.alphas.loc["equal"]
    np.testing.assert_allclose([a["alpha"], a["se"], a["t"], a["p"]],
                               [fit.params[0], fit.bse[0], fit.tvalues[0], fit.pvalues[0]], rtol=1e-9)


def test_newey_west_matches_the_bartlett_formula(data):
    events, prices, _ = data
    res = calendar_time_portfolio(events, prices, window=(1, 120), cov_type="HAC", hac_lags=5)
    p = res.portfolio
    x = np.column_stack([np.ones(len(p)), p["Mkt-RF"]])
    fit = res.fits["equal"]
    se = _nw_se(x, fit.resid.to_numpy(), 5)
    np.testing.assert_allclose(fit.bse.to_numpy(), se, rtol=1e-10)
    assert res.settings["hac_lags"] == 5
    default = calendar_time_portfolio(events, prices, window=(1, 120), cov_type="HAC")
    assert default.settings["hac_lags"] == newey_west_lags(len(p)) == int(4 * (len(p) / 100) ** (2 / 9))


def test_value_weights_from_an_events_column_and_a_frame(data):
    events, prices, _ = data
    res = calendar_time_portfolio(events, prices, window=(1, 120), weights="size")
    assert list(res.alphas.index) == ["equal", "value"]
    dates, rp, n = _portfolio(events, prices, (1, 120), "daily", value_col="size")
    vw = res.portfolio.query("weighting == 'value'")
    np.testing.assert_allclose(vw["portfolio_return"], rp[n > 0], rtol=1e-10)
    # market values as a frame: the previous day's value weights the day's return
    mv = prices.iloc[:, :25] * 1e6
    res2 = calendar_time_portfolio(events, prices, window=(1, 120), weights=mv, weighting="value")
    p = res2.portfolio.set_index("date")
    d = p.index[50]
    k = prices.index.get_loc(d)
    members = [t for t in dict.fromkeys(events["ticker"])
               if any(((events["ticker"] == t) & (events["day0"] < d) &
                       (prices.index[np.minimum(prices.index.get_indexer(events["day0"]) + 120, len(prices) - 1)]
                        >= d)).to_numpy())]
    r = prices[members].iloc[k] / prices[members].iloc[k - 1] - 1
    w = mv[members].iloc[k - 1]
    ok = r.notna() & w.notna()
    np.testing.assert_allclose(p.loc[d, "portfolio_return"], np.average(r[ok], weights=w[ok]), rtol=1e-10)


def test_ff3_factors_daily_and_monthly(data):
    events, prices, factors = data
    for frequency, window in (("daily", (1, 120)), ("monthly", (1, 6))):
        res = calendar_time_portfolio(events, prices, window=window, frequency=frequency, model="ff3",
                                      factors=factors)
        p = res.portfolio
        if frequency == "daily":
            f = factors.reindex(p["date"])
        else:
            g = (1 + factors).groupby(factors.index.to_period("M")).prod() - 1
            mkt = (1 + factors["Mkt-RF"] + factors["RF"]).groupby(factors.index.to_period("M")).prod() - 1
            g["Mkt-RF"] = mkt - g["RF"]
            f = g.reindex(pd.DatetimeIndex(p["date"]).to_period("M"))
        np.testing.assert_allclose(p[["Mkt-RF", "SMB", "HML"]].to_numpy(), f[["Mkt-RF", "SMB", "HML"]].to_numpy(),
                                   rtol=1e-10)
        np.testing.assert_allclose(p["rf"], f["RF"], rtol=1e-10)
        fit = sm.OLS(p["portfolio_return"] - f["RF"].to_numpy(),
                     sm.add_constant(f[["Mkt-RF", "SMB", "HML"]].to_numpy())).fit()
        np.testing.assert_allclose(res.alphas.loc["equal", "t"], fit.tvalues.iloc[0], rtol=1e-9)


def test_bad_settings(data):
    events, prices, factors = data
    with pytest.raises(InputError, match="market values"):
        calendar_time_portfolio(events, prices, weighting="value")
    with pytest.raises(InputError, match="factor table"):
        calendar_time_portfolio(events, prices, model="ff3")
    with pytest.raises(WindowError):
        calendar_time_portfolio(events, prices, window=(0, 10))
    with pytest.raises(InputError, match="one market"):
        calendar_time_portfolio(events.assign(market=["MKT", "X"] * 12 + ["MKT"]), prices)


def test_entry_point_on_real_prices(prices_dir):
    """analysis.calendar_time from an events table: timing, prices through the pipeline steps;
    the delisted A share's file ends inside its window; an unknown ticker is left out."""
    events = pd.DataFrame({"event_id": ["x", "g", "nope"], "ticker": ["1810.HK", "2333.HK", "0000.HK"],
                           "market": "^HSI", "event_date": ["2021-03-26", "2021-06-01", "2021-03-26"]})
    res = analysis.calendar_time(events, prices_dir=prices_dir, window=(1, 60), progress=False)
    t = res.table.set_index("event_id")
    assert t.loc["nope", "status"] == "left out" and "0000.HK" in t.loc["nope", "reason"]
    assert t.loc["x", "periods"] == 60
    assert res.portfolio["n_firms"].max() == 2
    assert "alpha" in res.summary()


@pytest.mark.parametrize("frequency, window", [("daily", (1, 120)), ("monthly", (1, 6))])
def test_a_split_in_a_holding_window_leaves_the_event_out(data, frequency, window):
    """An unadjusted 1:4 reverse split inside one event's holding window: that event is left
    out with the pipeline's reason (its +300% never enters the portfolio); the portfolio is
    the plain rebuild of the other events. With jumps="keep" it stays in, with a warning."""
    events, prices, _ = data
    t1, t2 = window
    res = calendar_time_portfolio(events, prices, window=window, frequency=frequency)
    row = res.table.set_index("event_id").loc["e5"]
    at = prices.index.get_loc(row["first_period"]) + 3
    p = prices.copy()
    p.iloc[at:, 5] = p.iloc[at:, 5] * 4
    split = calendar_time_portfolio(events, p, window=window, frequency=frequency)
    t = split.table.set_index("event_id")
    assert t.loc["e5", "status"] == "left out"
    assert re.match(rf"price jump: S05 price x[34]\.\d+ \(an unadjusted 1:4 reverse split\?\) on "
                    rf"{p.index[at]:%Y-%m-%d}: ", t.loc["e5", "reason"]), t.loc["e5", "reason"]
    others = events[events["event_id"] != "e5"]
    dates, rp, n = _portfolio(others, p, window, frequency)
    ok = n > 0
    np.testing.assert_allclose(split.portfolio["portfolio_return"], rp[ok], rtol=1e-10)
    assert split.portfolio["portfolio_return"].max() < 0.5
    kept = calendar_time_portfolio(events, p, window=window, frequency=frequency, jumps="keep")
    k = kept.table.set_index("event_id")
    assert k.loc["e5", "status"] == "ok" and "1:4 reverse split" in k.loc["e5", "warnings"]
    assert kept.portfolio["portfolio_return"].max() > 0.1


def test_twin_events_enter_the_portfolio_once(data):
    """A copy of a stock's file under another ticker, with an event on the same day: the copy is
    a duplicate over the holding window and left out (else one stock counts twice)."""
    events, prices, _ = data
    p = prices.assign(COPY=prices["S07"])
    twin = pd.concat([events, events.iloc[[7]].assign(event_id="copy", ticker="COPY")], ignore_index=True)
    res = calendar_time_portfolio(twin, p, window=(1, 120))
    t = res.table.set_index("event_id")
    assert t.loc["copy", "reason"] == "duplicate of e7 (identical returns over the holding window)"
    base = calendar_time_portfolio(events, prices, window=(1, 120))
    np.testing.assert_allclose(res.alphas["alpha"], base.alphas["alpha"], rtol=1e-12)
    both = calendar_time_portfolio(twin, p, window=(1, 120), duplicates="keep")
    assert both.table.set_index("event_id").loc["copy", "status"] == "ok"


def test_rows_that_are_not_listed_subjects_are_named_in_the_summary(prices_dir):
    """An extracted table (role, listed) through analysis.calendar_time: the mention and the
    OTC line are not studied, and the summary says so with their ids (not silently dropped)."""
    events = pd.DataFrame({"event_id": ["s", "m", "o"], "ticker": ["1810.HK", "2333.HK", "XIACY"],
                           "market": "^HSI", "event_date": "2021-03-26",
                           "role": ["subject", "mention", "subject"], "listed": ["yes", "yes", "otc"]})
    res = analysis.calendar_time(events, prices_dir=prices_dir, window=(1, 60), progress=False)
    assert list(res.table["event_id"]) == ["s"]
    text = res.summary()
    line = next(x for x in text.splitlines() if "left out (not listed subjects" in x)
    assert line.strip().startswith("2 of 3 rows left out") and "(m)" in line and "(o)" in line
