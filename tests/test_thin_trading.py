"""Thin-trading models (Dimson 1979, Scholes & Williams 1977): the engine against independent
per-event computations (statsmodels OLS, numpy), and the bias they remove on a simulated
asynchronous pair whose true beta is known.

The reference builds each pair's joint series with pandas (dates where stock and market both
have a return), shifts the market along it (``shift(1)``: the previous joint date) and fits one
event at a time. The prediction-error variances are checked without the closed forms: every
estimator here is linear in the stock returns, so its weights W (event days x estimation days)
are found by applying it to unit vectors, and Var(AR_t) = s^2 (1 + (W W')_tt),
Var(CAR) = s^2 (L + 1' W W' 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis import run_event_study
from analysis.core import models
from analysis.errors import InputError

EST, EVT = (-150, -11), (-5, 5)


def _panel(n_stocks=12, n_days=420, seed=0, beta=1.2, gaps=True):
    """Asynchronous pairs: the market's day t = a_t + b_t (b after the stocks' close); stock
    i's day t = beta_i (a_t + b_{t-1}) + e_it, a thinly traded stock sees b a day late."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2016-01-04", periods=n_days)
    a = rng.normal(0, 0.007, n_days)
    b = rng.normal(0, 0.007, n_days)
    betas = beta + rng.normal(0, 0.2, n_stocks)
    b_late = np.r_[0.0, b[:-1]]
    r = (a + b_late)[:, None] * betas[None, :] + rng.normal(0, 0.015, (n_days, n_stocks))
    frame = pd.DataFrame(r, index=dates, columns=[f"S{i:02d}" for i in range(n_stocks)])
    frame["MKT"] = a + b
    if gaps:                       # missing stock days: joint series differ from the calendar
        for i in range(0, n_stocks, 3):
            frame.iloc[rng.choice(n_days, 8, replace=False), i] = np.nan
    return frame, betas


def _events(frame, seed=1):
    rng = np.random.default_rng(seed)
    stocks = [c for c in frame.columns if c != "MKT"]
    day = rng.integers(170, len(frame) - 20, len(stocks))
    return pd.DataFrame({"event_id": [f"x{i}" for i in range(len(stocks))], "ticker": stocks,
                         "market": "MKT", "event_date": frame.index[day]})


def _joint(frame, ticker, date, lags=1, leads=1):
    """The pair's joint series with shifted market columns, and day 0's position in it."""
    j = frame[[ticker, "MKT"]].dropna().rename(columns={ticker: "r", "MKT": "m"})
    for k in range(1, lags + 1):
        j[f"lag{k}"] = j["m"].shift(k)
    for k in range(1, leads + 1):
        j[f"lead{k}"] = j["m"].shift(-k)
    p0 = int(np.searchsorted(j.index, pd.Timestamp(date)))
    est = j.iloc[p0 + EST[0]:p0 + EST[1] + 1]
    evt = j.iloc[p0 + EVT[0]:p0 + EVT[1] + 1]
    return est, evt


def _variances_from_weights(predict, est_r, s2, length):
    """Var(AR_t) and Var(CAR) over every prefix from the weights of a linear estimator."""
    m = len(est_r)
    w = np.column_stack([predict(np.eye(m)[s]) for s in range(m)])       # (Lw, M)
    ar_var = s2 * (1.0 + np.einsum("ts,ts->t", w, w))
    cum = np.cumsum(w, axis=0)
    car_var = s2 * (np.arange(1, length + 1) + np.einsum("ts,ts->t", cum, cum))
    return ar_var, car_var


def test_dimson_matches_statsmodels_event_by_event():
    frame, _ = _panel()
    events = _events(frame)
    res = run_event_study(events, frame, model="dimson", estimation_window=EST, event_window=EVT)
    assert res.n_ok == len(events)
    diag = res.diagnostics.set_index("event_id")
    ar = res.abnormal_returns
    for _, e in events.iterrows():
        est, evt = _joint(frame, e["ticker"], e["event_date"])
        cols = ["m", "lag1", "lead1"]
        ok = est[cols].notna().all(axis=1)
        fit = sm.OLS(est.loc[ok, "r"], sm.add_constant(est.loc[ok, cols])).fit()
        d = diag.loc[e["event_id"]]
        assert d["m"] == ok.sum() and d["k"] == 4
        assert d["beta"] == pytest.approx(fit.params[cols].sum(), rel=1e-10)
        assert d["beta_market"] == pytest.approx(fit.params["m"], rel=1e-10)
        assert d["beta_market_lag1"] == pytest.approx(fit.params["lag1"], rel=1e-10)
        assert d["beta_market_lead1"] == pytest.approx(fit.params["lead1"], rel=1e-10)
        assert d["alpha"] == pytest.approx(fit.params["const"], rel=1e-9, abs=1e-14)
        assert d["s"] ** 2 == pytest.approx(fit.scale, rel=1e-10)
        x_evt = sm.add_constant(evt[cols], has_constant="add")
        pred = fit.get_prediction(x_evt)
        mine = ar[ar["event_id"] == e["event_id"]]
        np.testing.assert_allclose(mine["abnormal_return"], evt["r"] - pred.predicted_mean, atol=1e-13)
        np.testing.assert_allclose(mine["ar_sd"], pred.se_obs, rtol=1e-10)
        xs = np.cumsum(x_evt.to_numpy(), axis=0)
        car_var = fit.scale * np.arange(1, len(evt) + 1) + np.einsum("ti,ij,tj->t", xs, fit.cov_params(), xs)
        np.testing.assert_allclose(mine["car_sd"] ** 2, car_var, rtol=1e-10)


def _sw_reference(est, evt, lags=1, leads=1):
    """Scholes-Williams from the paper's recipe with statsmodels simple regressions."""
    shifts = ["m"] + [f"lag{k}" for k in range(1, lags + 1)] + [f"lead{k}" for k in range(1, leads + 1)]
    ok = est[shifts].notna().all(axis=1)
    e = est[ok]
    m_t = e["m"].to_numpy()

    def estimate(r):
        slopes = [sm.OLS(r, sm.add_constant(e[c].to_numpy())).fit().params[1] for c in shifts]
        rhos = [np.corrcoef(m_t, e[c].to_numpy())[0, 1] for c in shifts[1:]]
        beta = sum(slopes) / (1 + sum(rhos))
        alpha = r.mean() - beta * m_t.mean()
        return alpha, beta, slopes, rhos

    r = e["r"].to_numpy()
    alpha, beta, slopes, rhos = estimate(r)
    resid = r - alpha - beta * m_t
    s2 = resid @ resid / (len(r) - 2)

    def predict(y):
        a, b, _, _ = estimate(y)
        return a + b * evt["m"].to_numpy()

    ar = evt["r"].to_numpy() - predict(r)
    ar_var, car_var = _variances_from_weights(predict, r, s2, len(evt))
    return dict(alpha=alpha, beta=beta, slopes=slopes, rhos=rhos, s2=s2, m=len(r), ar=ar, ar_var=ar_var,
                car_var=car_var)


@pytest.mark.parametrize("lags,leads", [(1, 1), (2, 1)])
def test_scholes_williams_matches_the_papers_recipe(lags, leads):
    frame, _ = _panel(n_stocks=6, seed=lags)
    events = _events(frame, seed=lags)
    model = models.scholes_williams(lags, leads)
    res = run_event_study(events, frame, model=model, estimation_window=EST, event_window=EVT)
    assert res.n_ok == len(events)
    diag = res.diagnostics.set_index("event_id")
    ar = res.abnormal_returns
    for _, e in events.iterrows():
        est, evt = _joint(frame, e["ticker"], e["event_date"], lags, leads)
        ref = _sw_reference(est, evt, lags, leads)
        d = diag.loc[e["event_id"]]
        assert d["m"] == ref["m"] and d["k"] == 2
        assert d["beta"] == pytest.approx(ref["beta"], rel=1e-10)
        assert d["alpha"] == pytest.approx(ref["alpha"], rel=1e-9, abs=1e-14)
        assert d["beta_market"] == pytest.approx(ref["slopes"][0], rel=1e-10)
        assert d["beta_market_lag1"] == pytest.approx(ref["slopes"][1], rel=1e-10)
        assert d["rho_market_lag1"] == pytest.approx(ref["rhos"][0], rel=1e-10)
        assert d["s"] ** 2 == pytest.approx(ref["s2"], rel=1e-10)
        mine = ar[ar["event_id"] == e["event_id"]]
        np.testing.assert_allclose(mine["abnormal_return"], ref["ar"], atol=1e-13)
        # the variance derived in fit_scholes_williams equals the linear estimator's exact one
        np.testing.assert_allclose(mine["ar_sd"] ** 2, ref["ar_var"], rtol=1e-9)
        np.testing.assert_allclose(mine["car_sd"] ** 2, ref["car_var"], rtol=1e-9)
    cars = res.cars([(-1, 1)])
    want = res.arrays.car_variance(-1, 1)
    np.testing.assert_allclose(cars["car_sd"] ** 2, want, rtol=1e-12)


def test_dimson_variance_is_the_linear_estimators():
    """The OLS closed forms (statsmodels above) and the weights check agree for Dimson too."""
    frame, _ = _panel(n_stocks=3, seed=5)
    events = _events(frame, seed=5)
    res = run_event_study(events, frame, model="dimson", estimation_window=EST, event_window=EVT)
    ar = res.abnormal_returns
    e = events.iloc[0]
    est, evt = _joint(frame, e["ticker"], e["event_date"])
    cols = ["m", "lag1", "lead1"]
    ok = est[cols].notna().all(axis=1)
    x = sm.add_constant(est.loc[ok, cols]).to_numpy()
    xe = sm.add_constant(evt[cols], has_constant="add").to_numpy()
    r = est.loc[ok, "r"].to_numpy()

    def predict(y):
        return xe @ np.linalg.lstsq(x, y, rcond=None)[0]

    resid = r - x @ np.linalg.lstsq(x, r, rcond=None)[0]
    ar_var, car_var = _variances_from_weights(predict, r, resid @ resid / (len(r) - 4), len(evt))
    mine = ar[ar["event_id"] == e["event_id"]]
    np.testing.assert_allclose(mine["ar_sd"] ** 2, ar_var, rtol=1e-9)
    np.testing.assert_allclose(mine["car_sd"] ** 2, car_var, rtol=1e-9)


def test_gapless_and_gappy_panels_give_the_same_numbers():
    """A panel without gaps takes the engine's gapless path (whole rows, or only the rows the
    windows reach, which must include the lag and lead days); adding an unused column with a
    gap forces the general path: same results."""
    frame, _ = _panel(n_stocks=8, n_days=900, seed=7, gaps=False)
    rng = np.random.default_rng(2)
    stocks = [c for c in frame.columns if c != "MKT"]
    # few events in a long panel: the gapless path copies only the rows the windows reach
    events = pd.DataFrame({"ticker": stocks, "market": "MKT",
                           "event_date": frame.index[rng.integers(200, 260, len(stocks))]})
    gappy = frame.copy()
    gappy["UNUSED"] = 0.01
    gappy.iloc[5, -1] = np.nan
    for model in ("dimson", "scholes_williams"):
        a = run_event_study(events, frame, model=model, estimation_window=EST, event_window=EVT)
        b = run_event_study(events, gappy, model=model, estimation_window=EST, event_window=EVT)
        pd.testing.assert_frame_equal(a.abnormal_returns, b.abnormal_returns, rtol=1e-12)
        pd.testing.assert_frame_equal(a.diagnostics, b.diagnostics, rtol=1e-12)
        assert (a.diagnostics["m"] == EST[1] - EST[0] + 1).all()


def test_series_ends_lag_and_lead():
    """At the start of a pair's series the first estimation day has no lagged market return
    (left out of the fit); an event window whose lead runs past the data is skipped with its
    reason, not given a NaN abnormal return."""
    frame, _ = _panel(n_stocks=2, n_days=300, seed=3, gaps=False)
    first_possible = frame.index[-EST[0]]          # the estimation window starts at the first return
    events = pd.DataFrame({"event_id": ["early", "late"], "ticker": ["S00", "S01"], "market": "MKT",
                           "event_date": [first_possible, frame.index[-1 - EVT[1]]]})
    res = run_event_study(events, frame, model="dimson", estimation_window=EST, event_window=EVT,
                          min_estimation_obs=100)
    d = res.diagnostics.set_index("event_id")
    assert d.loc["early", "status"] == "ok"
    assert d.loc["early", "m"] == EST[1] - EST[0]          # one day fewer: no lag on the first
    assert d.loc["late", "status"] == "skipped"
    assert "1 day(s) after the event window" in d.loc["late", "reason"]
    plain = run_event_study(events, frame, model="market", estimation_window=EST, event_window=EVT)
    assert (plain.diagnostics["status"] == "ok").all()
    sw = run_event_study(events, frame, model="scholes_williams", estimation_window=EST, event_window=EVT)
    assert (sw.diagnostics["status"] == "ok").all()        # SW predicts from Rm_t alone


def test_model_constructors():
    assert models.dimson() is models.MODELS["dimson"]
    spec = models.dimson(lags=2, leads=0)
    assert spec.regressors == ("market", "market_lag1", "market_lag2") and spec.k == 4
    assert (spec.lags, spec.leads) == (2, 0)
    sw = models.scholes_williams(lags=3, leads=2)
    assert sw.k == 2 and sw.regressors == ("market",) and (sw.lags, sw.leads) == (3, 2)
    assert models.market_shift("market_lead12") == -12 and models.market_shift("SMB") is None
    with pytest.raises(InputError, match="lags must be a whole number"):
        models.dimson(lags=-1)
    with pytest.raises(InputError, match="at least one lag or lead"):
        models.scholes_williams(0, 0)


def test_thin_trading_models_remove_the_bias_of_the_market_model():
    """Asynchronous pair with a known beta: the stock sees the market's late part b_t a day
    late, so OLS on the same-day market return estimates beta var(a) / var(a + b) = beta / 2;
    Dimson's sum of slopes and the Scholes-Williams beta are consistent for beta (Dimson 1979,
    sec. 3; Scholes & Williams 1977, sec. 3). 200 stocks, one event each, true betas known."""
    frame, betas = _panel(n_stocks=200, n_days=700, seed=11, beta=1.2, gaps=False)
    events = _events(frame, seed=12)
    est = {}
    for model in ("market", "dimson", "scholes_williams"):
        res = run_event_study(events, frame, model=model, estimation_window=(-250, -11), event_window=EVT)
        assert res.n_ok == 200
        est[model] = res.diagnostics["beta"].to_numpy() - betas
    # the bias and its standard error over the 200 pairs
    bias = {k: (v.mean(), v.std(ddof=1) / np.sqrt(len(v))) for k, v in est.items()}
    half = betas.mean() / 2
    assert abs(bias["market"][0] + half) < 4 * bias["market"][1]        # about -0.6: beta / 2
    for model in ("dimson", "scholes_williams"):
        mean, se = bias[model]
        assert abs(mean) < 4 * se and se < 0.02, (model, mean, se)
    # and their abnormal returns are standardised correctly: sd(AR_0 / sd(AR_0)) about 1
    res = run_event_study(events, frame, model="dimson", estimation_window=(-250, -11), event_window=EVT)
    ar0 = res.abnormal_returns.query("relative_day == 0")
    z = ar0["abnormal_return"] / ar0["ar_sd"]
    assert abs(z.std() - 1.0) < 0.15


def _thin_prices(n_stocks=4, n_days=420, seed=21):
    """Prices of thinly traded stocks (missing closes: the stock did not trade) and a market
    with every session: the engine's returns run trade-to-trade, some over several sessions."""
    frame, _ = _panel(n_stocks=n_stocks, n_days=n_days, seed=seed, gaps=False)
    prices = np.exp(frame.cumsum()) * 10.0
    rng = np.random.default_rng(seed)
    for c in prices.columns[:-1]:
        prices.loc[prices.index[rng.random(n_days) < 0.08], c] = np.nan
    return prices


def _trade_to_trade(prices, ticker, date, lags=1, leads=1):
    """The pair's trade-to-trade series: returns between the stock's trading days, the market
    compounded over the same sessions, the sessions n_t; shifted market; day 0's position."""
    both = prices[[ticker, "MKT"]]
    traded = both[ticker].notna()
    sessions = np.cumsum(both["MKT"].notna().to_numpy())
    j = both[traded].copy()
    j["n"] = np.diff(np.r_[0, sessions[traded.to_numpy()]])
    j["r"] = j[ticker] / j[ticker].shift(1) - 1
    j["m"] = j["MKT"] / j["MKT"].shift(1) - 1
    j = j.iloc[1:]
    for k in range(1, lags + 1):
        j[f"lag{k}"] = j["m"].shift(k)
    for k in range(1, leads + 1):
        j[f"lead{k}"] = j["m"].shift(-k)
    p0 = int(np.searchsorted(j.index, pd.Timestamp(date)))
    return j.iloc[p0 + EST[0]:p0 + EST[1] + 1], j.iloc[p0 + EVT[0]:p0 + EVT[1] + 1]


def test_scholes_williams_with_trade_to_trade_returns():
    """Multi-session returns: each simple regression is the WLS of R_t on [n_t, shifted Rm]
    with weights 1/n_t (statsmodels), rho the correlation of the WLS-partialled market returns;
    the variances equal the linear estimator's, Var(y_s) = n_s sigma^2."""
    prices = _thin_prices()
    events = _events(prices.drop(columns=[]), seed=4).iloc[:3]
    res = run_event_study(events, prices=prices, model="scholes_williams", estimation_window=EST,
                          event_window=EVT)
    assert res.n_ok == 3
    assert res.diagnostics["est_multi_day"].gt(0).all()
    diag = res.diagnostics.set_index("event_id")
    ar = res.abnormal_returns
    for _, e in events.iterrows():
        est, evt = _trade_to_trade(prices, e["ticker"], e["event_date"])
        cols = ["m", "lag1", "lead1"]
        est = est[est[cols + ["r"]].notna().all(axis=1)]
        n_s, r = est["n"].to_numpy(float), est["r"].to_numpy()
        w = 1 / n_s

        def partial(x):            # x partialled on the n column by WLS: the weighted centred values
            return sm.WLS(x, n_s[:, None], weights=w).fit().resid / np.sqrt(n_s)

        def estimate(y):
            slopes = [sm.WLS(y, np.column_stack([n_s, est[c]]), weights=w).fit().params[1] for c in cols]
            zc = {c: partial(est[c].to_numpy()) for c in cols}
            rhos = [zc["m"] @ zc[c] / np.sqrt((zc["m"] @ zc["m"]) * (zc[c] @ zc[c])) for c in cols[1:]]
            beta = sum(slopes) / (1 + sum(rhos))
            alpha = y.sum() / n_s.sum() - beta * est["m"].sum() / n_s.sum()
            return alpha, beta

        alpha, beta = estimate(r)
        d = diag.loc[e["event_id"]]
        assert d["beta"] == pytest.approx(beta, rel=1e-9)
        assert d["alpha"] == pytest.approx(alpha, rel=1e-8, abs=1e-14)
        resid = (r - n_s * alpha - beta * est["m"].to_numpy()) / np.sqrt(n_s)
        s2 = resid @ resid / (len(r) - 2)
        assert d["s"] ** 2 == pytest.approx(s2, rel=1e-9)
        n_e, m_e = evt["n"].to_numpy(float), evt["m"].to_numpy()

        def predict(y):
            a, b = estimate(y)
            return n_e * a + b * m_e

        mine = ar[ar["event_id"] == e["event_id"]]
        np.testing.assert_allclose(mine["abnormal_return"], evt["r"].to_numpy() - predict(r), atol=1e-13)
        wts = np.column_stack([predict(np.eye(len(r))[s]) for s in range(len(r))])    # (Lw, M)
        var = s2 * (n_e + np.einsum("ts,s,ts->t", wts, n_s, wts))
        np.testing.assert_allclose(mine["ar_sd"] ** 2, var, rtol=1e-8)
        cum = np.cumsum(wts, axis=0)
        car = s2 * (np.cumsum(n_e) + np.einsum("ts,s,ts->t", cum, n_s, cum))
        np.testing.assert_allclose(mine["car_sd"] ** 2, car, rtol=1e-8)
