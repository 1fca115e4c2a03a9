"""Abnormal volatility (analysis.core.volatility) against an independent computation: returns
from prices with pandas, the model by statsmodels, the prediction-error covariance
V = I + X*(X'X)^-1 X*' built and inverted explicitly with numpy, the tests from scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import analysis

EST, EVT = (-150, -11), (-4, 4)


def _panel(seed=11, n_days=500, n=12, bump=1.0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2018-01-01", periods=n_days)
    rm = rng.normal(0.0003, 0.01, n_days)
    r = 0.0001 + rm[:, None] * rng.uniform(0.6, 1.4, n) + rng.normal(0, 0.02, (n_days, n))
    day0 = rng.integers(200, 480, n)
    r[day0, np.arange(n)] *= bump                          # event-day variance when bump > 1
    prices = pd.DataFrame(30 * np.exp(np.cumsum(np.log1p(r), axis=0)), index=dates,
                          columns=[f"S{i}" for i in range(n)])
    prices["MKT"] = 100 * np.cumprod(1 + rm)
    prices.iloc[100, 3] = np.nan                          # a gap inside S3's estimation window
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "ticker": prices.columns[:n],
                           "market": "MKT", "event_date": dates[day0]})
    return events, prices


def _reference(events, prices, model):
    out = {}
    for _, e in events.iterrows():
        joint = prices[[e["ticker"], "MKT"]].dropna()
        ret = joint.pct_change().iloc[1:]
        p0 = int(np.searchsorted(ret.index, e["event_date"]))
        est = ret.iloc[max(p0 + EST[0], 0): p0 + EST[1] + 1]
        evt = ret.iloc[p0 + EVT[0]: p0 + EVT[1] + 1]
        if model == "market":
            x, xs = sm.add_constant(est["MKT"].to_numpy()), sm.add_constant(evt["MKT"].to_numpy())
            y, ys = est[e["ticker"]].to_numpy(), evt[e["ticker"]].to_numpy()
        elif model == "constant_mean":
            x, xs = np.ones((len(est), 1)), np.ones((len(evt), 1))
            y, ys = est[e["ticker"]].to_numpy(), evt[e["ticker"]].to_numpy()
        else:                                               # market_adjusted: nothing estimated
            x, xs = np.zeros((len(est), 0)), np.zeros((len(evt), 0))
            y = (est[e["ticker"]] - est["MKT"]).to_numpy()
            ys = (evt[e["ticker"]] - evt["MKT"]).to_numpy()
        if x.shape[1]:
            fit = sm.OLS(y, x).fit()
            ar, s2, cov = ys - xs @ fit.params, fit.scale, np.linalg.inv(x.T @ x)
            df = fit.df_resid
        else:
            ar, s2, cov, df = ys, np.mean(y ** 2), np.zeros((0, 0)), len(y)
        v = np.eye(len(ar)) + xs @ cov @ xs.T
        out[e["event_id"]] = dict(ar=ar, s2=s2, v=v, xs=xs, df=df, est_resid=(y - x @ fit.params) if x.shape[1]
                                  else y)
    return out


def _f(r, cols):
    ar, v = r["ar"][cols], r["v"][np.ix_(cols, cols)]
    return ar @ np.linalg.solve(v, ar) / (len(ar) * r["s2"])


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_ratios_and_f_match_explicit_covariance(model):
    events, prices = _panel()
    res = analysis.run_event_study(events, prices=prices, measure="volatility", model=model,
                                   estimation_window=EST, event_window=EVT)
    ref = _reference(events, prices, model)
    ratios = res.ratios([(0, 0), (-1, 1), (-4, 4)])
    for eid, r in ref.items():
        for (t1, t2), g in ratios[ratios["event_id"] == eid].groupby(["window_start", "window_end"]):
            cols = np.arange(t1 - EVT[0], t2 - EVT[0] + 1)
            row = g.iloc[0]
            f = _f(r, cols)
            np.testing.assert_allclose(row["f"], f, rtol=1e-10)
            np.testing.assert_allclose(row["variance_ratio"], np.mean(r["ar"][cols] ** 2) / r["s2"], rtol=1e-10)
            assert row["df1"] == len(cols) and row["df2"] == r["df"]
            np.testing.assert_allclose(row["p"], stats.f.sf(f, len(cols), r["df"]), rtol=1e-9)
        sar = r["ar"] / np.sqrt(r["s2"] * np.diag(r["v"]))
        rows = res.abnormal_volatility[res.abnormal_volatility["event_id"] == eid]
        np.testing.assert_allclose(rows["sar2"], sar ** 2, rtol=1e-10)


def _rank_z(est_abs, evt_abs, cols):
    """Corrado (1989) rank statistic, written out: U = rank / (T + 1) - 1/2 per event."""
    u = []
    for e, w in zip(est_abs, evt_abs):
        x = np.concatenate([e, w])
        ok = np.isfinite(x)
        ui = np.full(len(x), np.nan)
        ui[ok] = stats.rankdata(x[ok]) / (ok.sum() + 1) - 0.5
        u.append(ui)
    u = np.array(u)
    n = len(u)
    nt = np.isfinite(u).sum(0)
    ubar = np.nanmean(u, axis=0)
    s2 = np.sum(nt / n * ubar ** 2) / np.sum(nt > 0)
    le = est_abs.shape[1]
    return np.sum(ubar[le + cols]) / np.sqrt(len(cols) * s2)


@pytest.mark.parametrize("window", [(0, 0), (-2, 2)])
def test_cross_event_tests_match_scipy_and_formulas(window):
    events, prices = _panel(bump=3.0)
    res = analysis.run_event_study(events, prices=prices, measure="volatility", estimation_window=EST,
                                   event_window=EVT)
    ref = _reference(events, prices, "market")
    cols = np.arange(window[0] - EVT[0], window[1] - EVT[0] + 1)
    u, c, f, d2 = [], [], [], []
    est_abs, evt_abs = [], []
    for r in ref.values():
        sar = r["ar"] / np.sqrt(r["s2"] * np.diag(r["v"]))
        u.append(np.mean(sar[cols] ** 2))
        c.append(r["df"] / (r["df"] - 2))
        f.append(_f(r, cols))
        d2.append(r["df"])
        # the estimation window as the engine holds it: le days, missing days NaN
        e = np.full(EST[1] - EST[0] + 1, np.nan)
        e[-len(r["est_resid"]):] = np.abs(r["est_resid"]) / np.sqrt(r["s2"])
        est_abs.append(e)
        evt_abs.append(np.abs(sar))
    t = res.tests(window)
    want = stats.ttest_1samp(np.array(u) - np.array(c), 0.0)
    np.testing.assert_allclose(t.loc["sar2_t", ["statistic", "p_value"]].astype(float),
                               [want.statistic, want.pvalue], rtol=1e-9)
    x = np.array(u) - np.array(c)                      # Johnson (1978), written out
    m, sd = x.mean(), x.std(ddof=1)
    g = np.mean((x - m) ** 3) / sd ** 3
    tsa = np.sqrt(len(x)) * (m / sd + g * (m / sd) ** 2 / 3 + g / (6 * len(x)))
    np.testing.assert_allclose(t.loc["sar2_skew_t", ["statistic", "p_value"]].astype(float),
                               [tsa, 2 * stats.t.sf(abs(tsa), len(x) - 1)], rtol=1e-9)
    mean, var = stats.f.stats(len(cols), np.array(d2), moments="mv")
    z = np.sum(np.array(f) - mean) / np.sqrt(np.sum(var))
    np.testing.assert_allclose(t.loc["f_sum_z", "statistic"], z, rtol=1e-10)
    np.testing.assert_allclose(t.loc["f_sum_z", "p_value"], 2 * stats.norm.sf(abs(z)), rtol=1e-9)
    # S3's gap: its estimation residual row is shorter; the engine's row has the same values
    got = t.loc["rank_abs_z", "statistic"]
    np.testing.assert_allclose(got, _rank_z(np.array(est_abs), np.array(evt_abs), cols), rtol=1e-10)
    assert (t["n_events"] == len(events)).all()
    # the event days are three times as volatile: the pooled F and the rank test see it
    assert t.loc["f_sum_z", "p_value"] < 0.01 and t.loc["rank_abs_z", "p_value"] < 0.05


def test_groups_by_day_and_summary():
    events, prices = _panel()
    events["group"] = ["a", "b"] * 6
    res = analysis.run_event_study(events, prices=prices, measure="volatility", estimation_window=EST,
                                   event_window=EVT)
    bd = res.by_day()
    x = res.abnormal_volatility.pivot(index="event_id", columns="relative_day", values="sar2")
    np.testing.assert_allclose(bd["mean_sar2"], x.mean().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(bd["se"], x.std(ddof=1).to_numpy() / np.sqrt(12), rtol=1e-10)
    by = res.tests_by_group((0, 0))
    assert set(by["group"]) == {"all", "a", "b"} and (by.query("group == 'a'")["n_events"] == 6).all()
    assert "sar2_t" in res.summary() and "mean VR" in res.summary()
    assert res.engine.n_ok == 12
