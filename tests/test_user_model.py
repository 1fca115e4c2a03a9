"""A model of the user's own (analysis.core.models.UserModel): the market model written by hand
reproduces model="market" exactly; failures skip only their event, with the reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import run_event_study
from analysis.core.models import UserFit, UserModel

EST, EVT = (-200, -11), (-5, 5)


def ols_market(y, X, X_event):
    """The docstring's example: OLS of R on [1, Rm], covariance s^2 (X'X)^-1."""
    A = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ coef
    s2 = resid @ resid / (len(y) - 2)
    G = np.column_stack([np.ones(len(X_event)), X_event])
    return UserFit(A @ coef, G @ coef, G, s2 * np.linalg.inv(A.T @ A), alpha=coef[0], beta=coef[1])


def _data(n_stocks=25, n_days=600, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2014-01-01", periods=n_days)
    rm = rng.normal(0, 0.01, n_days)
    r = rm[:, None] * rng.uniform(0.5, 1.5, n_stocks) + rng.normal(0, 0.02, (n_days, n_stocks))
    frame = pd.DataFrame(r, index=dates, columns=[f"U{i:02d}" for i in range(n_stocks)])
    frame.iloc[rng.choice(n_days, 15), 3] = np.nan            # a stock with missing days
    frame["MKT"] = rm
    events = pd.DataFrame({"event_id": [f"u{i}" for i in range(n_stocks)], "ticker": frame.columns[:n_stocks],
                           "market": "MKT", "event_date": dates[rng.integers(260, 580, n_stocks)],
                           "group": np.where(np.arange(n_stocks) % 2, "odd", "even")})
    return frame, events


def test_a_user_market_model_reproduces_the_built_in_one():
    frame, events = _data()
    mine = run_event_study(events, frame, model=UserModel("my_market", ols_market), estimation_window=EST,
                           event_window=EVT)
    ref = run_event_study(events, frame, model="market", estimation_window=EST, event_window=EVT)
    assert mine.n_ok == ref.n_ok == len(events)
    pd.testing.assert_frame_equal(mine.abnormal_returns, ref.abnormal_returns, rtol=1e-10, atol=1e-14)
    pd.testing.assert_frame_equal(mine.cars(), ref.cars(), rtol=1e-10, atol=1e-14)
    cols = ["m", "k", "alpha", "beta", "s", "r2", "status", "day0", "estimation_start", "estimation_end"]
    pd.testing.assert_frame_equal(mine.diagnostics[cols], ref.diagnostics[cols], rtol=1e-10, atol=1e-14)
    assert (mine.diagnostics["model"] == "my_market").all()
    for window in ((0, 0), (-1, 1), (-5, 5)):
        pd.testing.assert_frame_equal(mine.tests(window), ref.tests(window), rtol=1e-9, atol=1e-12)
        pd.testing.assert_frame_equal(mine.tests(window, group="odd"), ref.tests(window, group="odd"),
                                      rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(mine.aar(), ref.aar(), rtol=1e-10, atol=1e-14)


def test_a_failing_user_model_skips_only_that_event():
    frame, events = _data(n_stocks=5)

    def sometimes(y, X, X_event):
        if sometimes.calls == 2:
            sometimes.calls += 1
            raise RuntimeError("matrix is singular")
        sometimes.calls += 1
        return ols_market(y, X, X_event)

    sometimes.calls = 0
    res = run_event_study(events, frame, model=UserModel("fragile", sometimes), estimation_window=EST,
                          event_window=EVT)
    d = res.diagnostics
    assert d["status"].tolist() == ["ok", "ok", "skipped", "ok", "ok"]
    assert d["reason"][2] == "user model 'fragile' failed: RuntimeError: matrix is singular"

    def wrong_shape(y, X, X_event):
        out = ols_market(y, X, X_event)
        return UserFit(out.expected[:-1], out.expected_event, out.gradient_event, out.cov_params)

    res = run_event_study(events, frame, model=UserModel("bad", wrong_shape), estimation_window=EST,
                          event_window=EVT)
    assert (res.diagnostics["status"] == "skipped").all()
    assert "returned shapes" in res.diagnostics["reason"][0]


def test_user_model_with_its_own_event_variance_and_offset():
    """Market-adjusted returns with a variance the user supplies: AR = R - Rm, nothing
    estimated (k = 0), Var(AR_t) = the given variance, Var(CAR) = its sum."""
    frame, events = _data(n_stocks=4)

    def adjusted(y, X, X_event):
        lw = len(X_event)
        return UserFit(np.zeros(len(y)), np.zeros(lw), np.zeros((lw, 1)), np.zeros((1, 1)),
                       variance_event=np.full(lw, 0.02 ** 2))

    res = run_event_study(events, frame, model=UserModel("adj", adjusted, regressors=(), k=0, offset="market"),
                          estimation_window=EST, event_window=EVT)
    ref = run_event_study(events, frame, model="market_adjusted", estimation_window=EST, event_window=EVT)
    np.testing.assert_allclose(res.abnormal_returns["abnormal_return"], ref.abnormal_returns["abnormal_return"],
                               atol=1e-15)
    np.testing.assert_allclose(res.abnormal_returns["ar_sd"], 0.02)
    cars = res.cars([(-2, 2)])
    np.testing.assert_allclose(cars["car_sd"], 0.02 * np.sqrt(5))


def test_user_model_errors_in_the_definition():
    from analysis.errors import InputError

    frame, events = _data(n_stocks=5)
    with pytest.raises(InputError, match="fit must be a function"):
        run_event_study(events, frame, model=UserModel("x", fit=None))
    with pytest.raises(InputError, match="offset must be"):
        run_event_study(events, frame, model=UserModel("x", ols_market, offset="cash"))
