"""Real-data regression test: 1810.HK against ^HSI around 2021-03-26 (the seed study).

The expected numbers are computed here independently with plain numpy from the CSV files
(csv module + numpy; no pandas, no package code): flat zero-volume bars left out (no trade),
joint dates, simple returns of Adj Close, the market sessions each return spans, day 0, weighted
least squares (Maynes & Rumsey 1993; plain OLS when every span is one), the prediction-error-
corrected AR variance and the exact CAR variance (MacKinlay 1997; Campbell, Lo & MacKinlay 1997,
eqs. 4.4.6-4.4.14).
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from scipy import stats

import analysis
from analysis.errors import EstimationError, EventError, UnknownTickerError, WindowError


def _adj_close(path, drop_stale=False):
    """{date: Adj Close}, {date: Close}; ``drop_stale``: without bars of no trade (Open = High =
    Low = Close, Volume 0 and Close equal to the last close before: the study's default)."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if drop_stale:
        kept, last = [], None
        for r in rows:
            flat = r["Open"] == r["High"] == r["Low"] == r["Close"] and float(r["Volume"] or 0) == 0
            if not (flat and (last is None or float(r["Close"]) == last)):
                kept.append(r)
            if r["Close"] not in ("", "null"):
                last = float(r["Close"])
        rows = kept
    return {r["Date"]: float(r["Adj Close"]) for r in rows if r["Adj Close"] not in ("", "null")}, \
        {r["Date"]: float(r["Close"]) for r in rows if r["Close"] not in ("", "null")}


def _expected(prices_dir, ticker="1810.HK", market="^HSI", date="2021-03-26", est=(-260, -11), evt=(-10, 10)):
    """Trade-to-trade (Maynes & Rumsey 1993): a return over joint dates that spans n sessions of
    the market is fitted by weighted least squares (weights 1/n, design [n, Rm]); its AR variance
    is s^2 (n + x' (X'WX)^-1 x)."""
    s, _ = _adj_close(prices_dir / f"{ticker}.csv", drop_stale=True)
    m, _ = _adj_close(prices_dir / f"{market}.csv", drop_stale=True)
    market_days = sorted(m)
    dates = sorted(set(s) & set(m))
    ps = np.array([s[d] for d in dates])
    pm = np.array([m[d] for d in dates])
    sessions_upto = np.searchsorted(np.array(market_days), np.array(dates), side="right")
    n = np.diff(sessions_upto).astype(float)
    r, rm, dates = ps[1:] / ps[:-1] - 1, pm[1:] / pm[:-1] - 1, dates[1:]
    p0 = next(i for i, d in enumerate(dates) if d >= date)
    e = slice(p0 + est[0], p0 + est[1] + 1)
    w = slice(p0 + evt[0], p0 + evt[1] + 1)
    x = np.column_stack([n[e], rm[e]])
    root = np.sqrt(n[e])
    coef, *_ = np.linalg.lstsq(x / root[:, None], r[e] / root, rcond=None)
    resid = (r[e] - x @ coef) / root
    big_m = len(resid)
    s2 = resid @ resid / (big_m - 2)
    inv = np.linalg.inv((x / root[:, None]).T @ (x / root[:, None]))
    xw = np.column_stack([n[w], rm[w]])
    ar = r[w] - xw @ coef
    ar_var = s2 * (n[w] + np.einsum("ti,ij,tj->t", xw, inv, xw))
    cum = np.cumsum(xw, axis=0)
    car_var = s2 * (np.cumsum(n[w]) + np.einsum("ti,ij,tj->t", cum, inv, cum))
    return dict(dates=dates[w], alpha=coef[0], beta=coef[1], s2=s2, m=big_m, ar=ar, ar_var=ar_var,
                car=np.cumsum(ar), car_var=car_var, est_dates=(dates[e][0], dates[e][-1]),
                r=r[w], rm=rm[w], spans=n[e], inv=inv, xw=xw, nw=n[w])


@pytest.fixture(scope="module")
def seed(prices_dir):
    return analysis.study("1810.HK", "^HSI", "2021-03-26", prices_dir=prices_dir), _expected(prices_dir)


def test_seed_prices_sanity(prices_dir):
    _, close = _adj_close(prices_dir / "1810.HK.csv")
    assert close["2021-03-25"] == pytest.approx(23.90, abs=1e-5)
    assert close["2021-03-26"] == pytest.approx(25.40, abs=1e-5)
    assert close["2021-03-26"] / close["2021-03-25"] - 1 == pytest.approx(0.063, abs=5e-4)


def test_seed_study_matches_plain_numpy(seed):
    result, exp = seed
    d = result.diagnostics.iloc[0]
    assert d["status"] == "ok" and str(d["day0"].date()) == "2021-03-26" and not d["day0_shifted"]
    assert d["m"] == exp["m"] == 250
    assert d["alpha"] == pytest.approx(exp["alpha"], abs=1e-12)
    assert d["beta"] == pytest.approx(exp["beta"], rel=1e-10)
    assert d["s"] ** 2 == pytest.approx(exp["s2"], rel=1e-10)
    assert str(d["estimation_start"].date()) == exp["est_dates"][0]
    assert str(d["estimation_end"].date()) == exp["est_dates"][1]
    ar = result.abnormal_returns
    assert [str(x.date()) for x in ar["date"]] == exp["dates"]
    np.testing.assert_allclose(ar["stock_return"], exp["r"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(ar["market_return"], exp["rm"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(ar["abnormal_return"], exp["ar"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ar["ar_sd"] ** 2, exp["ar_var"], rtol=1e-10)
    np.testing.assert_allclose(ar["car"], exp["car"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ar["car_sd"] ** 2, exp["car_var"], rtol=1e-10)
    t = exp["ar"] / np.sqrt(exp["ar_var"])
    np.testing.assert_allclose(ar["ar_t"], t, rtol=1e-9)
    np.testing.assert_allclose(ar["ar_p"], 2 * stats.t.sf(np.abs(t), 248), rtol=1e-8)
    day0 = ar[ar["relative_day"] == 0].iloc[0]
    assert day0["stock_return"] == pytest.approx(25.40 / 23.90 - 1, abs=1e-6)   # +6.3%
    cars = result.cars([(0, 0), (-1, 1), (-10, 10)]).set_index(["window_start", "window_end"])
    assert (exp["spans"] > 1).sum() == 0            # its half-day sessions' flat bars moved: prices
    for t1, t2 in [(0, 0), (-1, 1), (-10, 10)]:
        a, b = t1 + 10, t2 + 10
        # the exact CAR variance over [t1, t2]: s^2 (sum n + S' (X'WX)^-1 S), S = sum of x_t
        s = exp["xw"][a:b + 1].sum(axis=0)
        var = exp["s2"] * (exp["nw"][a:b + 1].sum() + s @ exp["inv"] @ s)
        assert cars.loc[(t1, t2), "car"] == pytest.approx(exp["ar"][a:b + 1].sum(), abs=1e-10)
        assert cars.loc[(t1, t2), "car_sd"] ** 2 == pytest.approx(var, rel=1e-10)
        assert cars.loc[(t1, t2), "t"] == pytest.approx(exp["ar"][a:b + 1].sum() / np.sqrt(var), rel=1e-9)


def test_seed_ols_is_statsmodels(seed):
    result, exp = seed
    fit = result.ols("1810.HK_2021-03-26")
    assert fit.nobs == 250
    assert fit.params.iloc[1] == pytest.approx(exp["beta"], rel=1e-10)
    assert fit.scale == pytest.approx(exp["s2"], rel=1e-10)
    text = result.summary()
    assert "day 0 2021-03-26" in text and "M = 250" in text and "beta = " in text


def test_single_event_errors(prices_dir):
    with pytest.raises(EstimationError, match="too few estimation returns"):
        analysis.study("1810.HK", "^HSI", "2020-02-03", prices_dir=prices_dir)
    with pytest.raises(EventError, match="after the data"):
        analysis.study("1810.HK", "^HSI", "2030-01-02", prices_dir=prices_dir)
    with pytest.raises(WindowError, match="beyond the data"):
        analysis.study("1810.HK", "^HSI", "2025-04-25", prices_dir=prices_dir)
    with pytest.raises(UnknownTickerError):
        analysis.study("0000.HK", "^HSI", "2021-03-26", prices_dir=prices_dir)
    with pytest.raises(WindowError, match="must end before"):
        analysis.study("1810.HK", "^HSI", "2021-03-26", prices_dir=prices_dir, estimation_window=(-100, 0))
