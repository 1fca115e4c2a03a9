"""GARCH(1,1): analysis.core.garch against an independent maximum-likelihood fit (scipy) and the
variance recursion written out in numpy; the ``garch`` model's abnormal returns and variances
against a per-event numpy computation (OLS market model, sandwich covariance of the estimates)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from analysis import run_event_study
from analysis.core import garch

EST, EVT = (-250, -11), (-5, 5)


def _garch_series(n, omega=0.05, alpha=0.1, beta=0.85, seed=0, scale=0.01):
    rng = np.random.default_rng(seed)
    e = np.zeros(n)
    s2 = omega / (1 - alpha - beta)
    prev = s2
    for t in range(n):
        s2 = omega + alpha * prev + beta * s2
        e[t] = np.sqrt(s2) * rng.standard_normal()
        prev = e[t] ** 2
    return e * scale


def _recursion(e, omega, alpha, beta, backcast):
    """sigma_t^2 = omega + alpha e_{t-1}^2 + beta sigma_{t-1}^2, both started at the backcast."""
    s2 = np.empty(len(e))
    prev_e2, prev_s2 = backcast, backcast
    for t in range(len(e)):
        s2[t] = omega + alpha * prev_e2 + beta * prev_s2
        prev_e2, prev_s2 = e[t] ** 2, s2[t]
    return s2


def _forecast(e_last, s2_last, omega, alpha, beta, horizon):
    out = np.empty(horizon)
    out[0] = omega + alpha * e_last ** 2 + beta * s2_last
    for h in range(1, horizon):
        out[h] = omega + (alpha + beta) * out[h - 1]
    return out


def _scipy_mle(e):
    """Gaussian GARCH(1,1) likelihood maximised by scipy (several starts), same scaling and
    start of the recursion as the module: data scaled to unit mean square, backcast 1."""
    scale = 1 / np.sqrt(np.mean(e * e))
    x = e * scale

    def nll(p):
        s2 = _recursion(x, *p, backcast=1.0)
        return 0.5 * np.sum(np.log(2 * np.pi) + np.log(s2) + x * x / s2)

    cons = ({"type": "ineq", "fun": lambda p: 0.99999 - p[1] - p[2]},)
    best = None
    for start in ([0.05, 0.05, 0.9], [0.1, 0.1, 0.8], [0.3, 0.2, 0.5]):
        r = optimize.minimize(nll, start, method="SLSQP", constraints=cons,
                              bounds=[(1e-8, 10), (0, 1), (0, 1)], options={"ftol": 1e-14, "maxiter": 1000})
        if best is None or r.fun < best.fun:
            best = r
    omega, alpha, beta = best.x
    return omega / scale ** 2, alpha, beta, -best.fun, scale


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_garch_fit_agrees_with_an_independent_likelihood_maximisation(seed):
    e = _garch_series(500, seed=seed)
    g = garch.conditional_variance(e, horizon=15)
    assert g.converged
    omega, alpha, beta, loglik, scale = _scipy_mle(e)
    # the same maximum: log-likelihoods (of the scaled data) equal to the optimisers' tolerance
    assert g.loglik == pytest.approx(loglik, abs=1e-5)
    assert g.alpha == pytest.approx(alpha, abs=2e-3)
    assert g.beta == pytest.approx(beta, abs=2e-3)
    assert g.omega == pytest.approx(omega, rel=2e-2)


def test_garch_variances_follow_the_recursion_exactly():
    e = _garch_series(300, seed=4)
    e[[10, 50]] = np.nan                    # missing days are dropped (treated as consecutive)
    g = garch.conditional_variance(e, horizon=12)
    x = e[np.isfinite(e)]
    s2 = _recursion(x, g.omega, g.alpha, g.beta, backcast=np.mean(x * x))
    np.testing.assert_allclose(g.in_sample[np.isfinite(e)], s2, rtol=1e-10)
    assert np.isnan(g.in_sample[[10, 50]]).all()
    fc = _forecast(x[-1], s2[-1], g.omega, g.alpha, g.beta, 12)
    np.testing.assert_allclose(g.forecast, fc, rtol=1e-10)
    # the forecasts approach the unconditional variance omega / (1 - alpha - beta)
    assert abs(g.forecast[-1] - g.unconditional) < abs(g.forecast[0] - g.unconditional)


def test_garch_fails_with_a_reason():
    g = garch.conditional_variance(np.full(20, 0.01), horizon=3)
    assert not g.converged and "at least 30" in g.message and np.isnan(g.forecast).all()
    g = garch.conditional_variance(np.zeros(100), horizon=3)
    assert not g.converged and "no variation" in g.message
    batch = garch.conditional_variances(np.vstack([_garch_series(200, seed=1), np.zeros(200)]), 4)
    assert batch.failure[0] is None and "no variation" in batch.failure[1]
    assert np.isfinite(batch.forecast[0]).all() and np.isnan(batch.forecast[1]).all()


def _panel(n_stocks=6, n_days=500, seed=3):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", periods=n_days)
    rm = rng.normal(0, 0.01, n_days)
    cols = {f"S{i}": 0.0003 + rng.uniform(0.6, 1.4) * rm + _garch_series(n_days, seed=10 + i, scale=0.012)
            for i in range(n_stocks)}
    frame = pd.DataFrame(cols, index=dates)
    frame["MKT"] = rm
    day = rng.integers(300, 480, n_stocks)
    events = pd.DataFrame({"event_id": [f"g{i}" for i in range(n_stocks)], "ticker": list(cols),
                           "market": "MKT", "event_date": dates[day]})
    return frame, events


def test_garch_model_against_a_per_event_computation():
    """ARs are the market model's; Var(AR_t) = sigma^2_{t|T} + x_t' V x_t and Var(CAR) =
    sum sigma^2_{t|T} + X' V X with V = (X'X)^-1 X' diag(sigma_s^2) X (X'X)^-1 (raw [1, Rm]
    coordinates here, centred ones in the module)."""
    frame, events = _panel()
    est, evt = (-250, -21), (-5, 5)               # a gap of 15 days: forecasts 16..26 steps ahead
    res = run_event_study(events, frame, model="garch", estimation_window=est, event_window=evt)
    plain = run_event_study(events, frame, model="market", estimation_window=est, event_window=evt)
    assert res.n_ok == len(events)
    ar, ar_plain = res.abnormal_returns, plain.abnormal_returns
    np.testing.assert_array_equal(ar["abnormal_return"], ar_plain["abnormal_return"])
    diag = res.diagnostics.set_index("event_id")
    for _, e in events.iterrows():
        p0 = frame.index.get_loc(e["event_date"])
        r_est = frame[e["ticker"]].to_numpy()[p0 + est[0]:p0 + est[1] + 1]
        m_est = frame["MKT"].to_numpy()[p0 + est[0]:p0 + est[1] + 1]
        m_evt = frame["MKT"].to_numpy()[p0 + evt[0]:p0 + evt[1] + 1]
        x = np.column_stack([np.ones(len(m_est)), m_est])
        xtx_inv = np.linalg.inv(x.T @ x)
        coef = xtx_inv @ x.T @ r_est
        # the engine's residuals are numpy's; the GARCH fit is given the engine's own (the
        # optimiser's stopping point moves by ~1e-7 with a change of 1e-16 in its input)
        resid = res.arrays.est_ar[res.event_ids.index(e["event_id"])]
        np.testing.assert_allclose(resid, r_est - x @ coef, atol=1e-14)
        g = garch.conditional_variance(resid, horizon=evt[1] - est[1])
        d = diag.loc[e["event_id"]]
        assert (d["garch_omega"], d["garch_alpha"], d["garch_beta"]) == pytest.approx(
            (g.omega, g.alpha, g.beta), rel=1e-12)
        v = xtx_inv @ (x.T * g.in_sample) @ x @ xtx_inv
        xe = np.column_stack([np.ones(len(m_evt)), m_evt])
        fc = g.forecast[evt[0] - est[1] - 1:]
        want = fc + np.einsum("ti,ij,tj->t", xe, v, xe)
        mine = ar[ar["event_id"] == e["event_id"]]
        np.testing.assert_allclose(mine["ar_sd"] ** 2, want, rtol=1e-10)
        xs = np.cumsum(xe, axis=0)
        car = np.cumsum(fc) + np.einsum("ti,ij,tj->t", xs, v, xs)
        np.testing.assert_allclose(mine["car_sd"] ** 2, car, rtol=1e-10)
    tests = res.tests((0, 0))
    assert (tests["n_events"] == len(events)).all()


NOT_CONVERGED = "GARCH(1,1) estimation did not converge (optimizer flag 9)"


def fail_garch_fit(monkeypatch, call: int) -> None:
    """Make the ``call``-th GARCH fit (1-based) report non-convergence; the others are real."""
    real = garch.conditional_variance
    calls = []

    def flaky(resid, horizon, **kw):
        calls.append(1)
        if len(calls) == call:
            return garch.GarchFit(np.nan, np.nan, np.nan, np.full(np.shape(resid), np.nan),
                                  np.full(horizon, np.nan), np.nan, False, NOT_CONVERGED)
        return real(resid, horizon, **kw)

    monkeypatch.setattr(garch, "conditional_variance", flaky)


def test_garch_failure_skips_the_event_with_its_reason(monkeypatch):
    frame, events = _panel(n_stocks=3)
    fail_garch_fit(monkeypatch, 2)
    res = run_event_study(events, frame, model="garch", estimation_window=EST, event_window=EVT)
    d = res.diagnostics
    assert d["status"].tolist() == ["ok", "skipped", "ok"]
    assert d["reason"][1] == NOT_CONVERGED


def test_garch_model_with_trade_to_trade_returns():
    """Multi-session returns: the mean is the WLS market model (y_t = n_t alpha + beta Rm_t,
    weights 1/n_t), the GARCH runs on its one-session residuals, Var(AR_t) = n_t sigma^2_{t|T}
    + x_t' V x_t with x_t = (n_t, Rm_t) and V = (X'WX)^-1 X'W Omega W X (X'WX)^-1,
    Omega = diag(n_s sigma_s^2): raw coordinates, written out with numpy."""
    frame, events = _panel(n_stocks=3, seed=8)
    prices = np.exp(frame.cumsum()) * 20.0
    rng = np.random.default_rng(2)
    for c in prices.columns[:-1]:
        prices.loc[prices.index[rng.random(len(prices)) < 0.06], c] = np.nan
    res = run_event_study(events, prices=prices, model="garch", estimation_window=EST, event_window=EVT)
    assert res.n_ok == 3 and res.diagnostics["est_multi_day"].gt(0).all()
    ar = res.abnormal_returns
    for i, e in enumerate(events.itertuples()):
        both = prices[[e.ticker, "MKT"]]
        traded = both[e.ticker].notna().to_numpy()
        sessions = np.cumsum(both["MKT"].notna().to_numpy())
        j = both[traded]
        n_all = np.diff(sessions[traded])
        r_all = (j[e.ticker].to_numpy()[1:] / j[e.ticker].to_numpy()[:-1]) - 1
        m_all = (j["MKT"].to_numpy()[1:] / j["MKT"].to_numpy()[:-1]) - 1
        dates = j.index[1:]
        p0 = int(np.searchsorted(dates, e.event_date))
        est_i, evt_i = slice(p0 + EST[0], p0 + EST[1] + 1), slice(p0 + EVT[0], p0 + EVT[1] + 1)
        n_s, y, z = n_all[est_i].astype(float), r_all[est_i], m_all[est_i]
        x = np.column_stack([n_s, z])
        wx = x / n_s[:, None]
        bread = np.linalg.inv(x.T @ wx)
        coef = bread @ wx.T @ y
        resid = (y - x @ coef) / np.sqrt(n_s)
        k = res.event_ids.index(e.event_id)
        np.testing.assert_allclose(res.arrays.est_ar[k], resid, atol=1e-13)
        g = garch.conditional_variance(res.arrays.est_ar[k], horizon=EVT[1] - EST[1])
        v = bread @ (wx.T * (n_s * g.in_sample)) @ wx @ bread
        n_e, m_e = n_all[evt_i].astype(float), m_all[evt_i]
        xe = np.column_stack([n_e, m_e])
        fc = n_e * g.forecast[EVT[0] - EST[1] - 1:]
        mine = ar[ar["event_id"] == e.event_id]
        np.testing.assert_allclose(mine["abnormal_return"], r_all[evt_i] - xe @ coef, atol=1e-13)
        np.testing.assert_allclose(mine["ar_sd"] ** 2, fc + np.einsum("ti,ij,tj->t", xe, v, xe), rtol=1e-9)
        xs = np.cumsum(xe, axis=0)
        np.testing.assert_allclose(mine["car_sd"] ** 2, np.cumsum(fc) + np.einsum("ti,ij,tj->t", xs, v, xs),
                                   rtol=1e-9)
