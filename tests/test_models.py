"""Batched OLS and prediction-error variances against statsmodels and the closed forms (CLM 1997 ch. 4)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from analysis.core import models
from analysis.errors import InputError


def _batch(n=6, le=120, lw=11, q=1, seed=0, missing=True):
    rng = np.random.default_rng(seed)
    z_est = rng.normal(0.0, 0.01, (n, le, q))
    z_evt = rng.normal(0.0, 0.01, (n, lw, q))
    b = rng.normal(1.0, 0.3, (n, q))
    y_est = 0.0005 + np.einsum("nti,ni->nt", z_est, b) + rng.normal(0, 0.02, (n, le))
    y_evt = 0.0005 + np.einsum("nti,ni->nt", z_evt, b) + rng.normal(0, 0.02, (n, lw))
    if missing:   # a few unusable days per event, different for each
        for i in range(n):
            y_est[i, rng.choice(le, size=i + 1, replace=False)] = np.nan
    return y_est, z_est, y_evt, z_evt


@pytest.mark.parametrize("q", [1, 3, 5])
def test_fit_and_prediction_agree_with_statsmodels(q):
    y_est, z_est, y_evt, z_evt = _batch(q=q, seed=q)
    f = models.fit(y_est, z_est, intercept=True)
    pred = models.predict(f, y_evt, z_evt)
    for i in range(y_est.shape[0]):
        ok = ~np.isnan(y_est[i])
        res = sm.OLS(y_est[i, ok], sm.add_constant(z_est[i, ok])).fit()
        assert f.m[i] == ok.sum()
        np.testing.assert_allclose(np.r_[f.alpha[i], f.coef[i]], res.params, rtol=0, atol=1e-12)
        assert f.s2[i] == pytest.approx(res.scale, rel=1e-11)
        assert f.r2[i] == pytest.approx(res.rsquared, rel=1e-10)
        np.testing.assert_allclose(f.resid[i, ok], res.resid, atol=1e-13)
        assert np.isnan(f.resid[i, ~ok]).all()
        x_evt = sm.add_constant(z_evt[i], has_constant="add")
        p = res.get_prediction(x_evt)
        np.testing.assert_allclose(pred.ar[i], y_evt[i] - p.predicted_mean, atol=1e-13)
        # prediction-error-corrected sd = statsmodels' se_obs (CLM eq. 4.4.8)
        np.testing.assert_allclose(np.sqrt(pred.ar_var[i]), p.se_obs, rtol=1e-10)
        # exact CAR variance = s^2 L + 1' X* Cov(b) X*' 1 for every window (CLM eq. 4.4.12-4.4.14)
        for c1, c2 in [(0, 0), (2, 5), (0, y_evt.shape[1] - 1)]:
            xs = x_evt[c1:c2 + 1].sum(axis=0)
            expected = res.scale * (c2 - c1 + 1) + xs @ res.cov_params() @ xs
            assert pred.car_variance(c1, c2)[i] == pytest.approx(expected, rel=1e-10)


def test_market_model_closed_forms():
    """s^2(1 + 1/M + (Rm_t - mean)^2/Smm) and s^2(L + L^2/M + (sum(Rm_t - mean))^2/Smm)."""
    y_est, z_est, y_evt, z_evt = _batch(q=1, missing=False)
    f = models.fit(y_est, z_est, intercept=True)
    pred = models.predict(f, y_evt, z_evt)
    rm, rme = z_est[:, :, 0], z_evt[:, :, 0]
    m = rm.shape[1]
    mean = rm.mean(axis=1, keepdims=True)
    smm = ((rm - mean) ** 2).sum(axis=1, keepdims=True)
    beta = ((rm - mean) * (y_est - y_est.mean(axis=1, keepdims=True))).sum(axis=1, keepdims=True) / smm
    alpha = y_est.mean(axis=1, keepdims=True) - beta * mean
    s2 = ((y_est - alpha - beta * rm) ** 2).sum(axis=1, keepdims=True) / (m - 2)
    np.testing.assert_allclose(pred.ar_var, s2 * (1 + 1 / m + (rme - mean) ** 2 / smm), rtol=1e-11)
    lw = rme.shape[1]
    cum = pred.cumulative_car_variance()
    for L in (1, 3, lw):
        d = (rme[:, :L] - mean).sum(axis=1, keepdims=True)
        closed = (s2 * (L + L * L / m + d ** 2 / smm))[:, 0]
        np.testing.assert_allclose(pred.car_variance(0, L - 1), closed, rtol=1e-11)
        np.testing.assert_allclose(cum[:, L - 1], closed, rtol=1e-11)


def test_constant_mean_and_market_adjusted_variances():
    y_est, z_est, y_evt, z_evt = _batch(q=1, missing=False)
    m = y_est.shape[1]
    # constant mean: s^2 = sample variance, Var(AR) = s^2 (1 + 1/M), Var(CAR) = s^2 (L + L^2/M)
    f = models.fit(y_est, np.zeros(y_est.shape + (0,)), intercept=True)
    pred = models.predict(f, y_evt, np.zeros(y_evt.shape + (0,)))
    s2 = y_est.var(axis=1, ddof=1)
    assert f.k == 1
    np.testing.assert_allclose(f.s2, s2, rtol=1e-12)
    np.testing.assert_allclose(pred.ar, y_evt - y_est.mean(axis=1, keepdims=True), atol=1e-14)
    np.testing.assert_allclose(pred.ar_var, np.repeat((s2 * (1 + 1 / m))[:, None], y_evt.shape[1], 1))
    np.testing.assert_allclose(pred.car_variance(0, 4), s2 * (5 + 25 / m), rtol=1e-12)
    # market adjusted (target already R - Rm): nothing estimated, k = 0, s^2 = sum AR^2 / M
    f = models.fit(y_est, np.zeros(y_est.shape + (0,)), intercept=False)
    pred = models.predict(f, y_evt, np.zeros(y_evt.shape + (0,)))
    assert f.k == 0
    np.testing.assert_allclose(f.s2, (y_est ** 2).sum(axis=1) / m, rtol=1e-12)
    np.testing.assert_array_equal(pred.ar, y_evt)
    np.testing.assert_allclose(pred.car_variance(2, 4), 3 * f.s2, rtol=1e-12)


def test_exact_recovery_of_known_alpha_beta():
    """Noise orthogonal to [1, Rm] by construction: OLS returns alpha and beta exactly."""
    rng = np.random.default_rng(7)
    m = 200
    rm = rng.normal(0, 0.012, m)
    x = np.column_stack([np.ones(m), rm])
    e = rng.normal(0, 0.015, m)
    e -= x @ np.linalg.lstsq(x, e, rcond=None)[0]          # residualise: X'e = 0
    y = 0.0007 + 1.35 * rm + e
    f = models.fit(y[None], rm[None, :, None], intercept=True)
    assert f.alpha[0] == pytest.approx(0.0007, abs=1e-15)
    assert f.coef[0, 0] == pytest.approx(1.35, rel=1e-12)
    assert f.s2[0] == pytest.approx(e @ e / (m - 2), rel=1e-12)


def test_degenerate_rows_flagged_others_unaffected():
    y_est, z_est, y_evt, z_evt = _batch(n=4, q=2, missing=False)
    z_est = z_est.copy()
    z_est[1, :, 1] = 0.003                    # constant regressor
    z_est[2, :, 1] = 2.0 * z_est[2, :, 0]     # collinear regressors
    y_est = y_est.copy()
    y_est[3] = 0.001 + 0.5 * z_est[3, :, 0] + 0.2 * z_est[3, :, 1]   # perfect fit
    f = models.fit(y_est, z_est, intercept=True)
    assert f.degenerate.tolist() == [False, True, True, True]
    res = sm.OLS(y_est[0], sm.add_constant(z_est[0])).fit()
    np.testing.assert_allclose(np.r_[f.alpha[0], f.coef[0]], res.params, atol=1e-12)


def test_model_specs():
    assert {name: m.k for name, m in models.MODELS.items()} == {
        "market": 2, "market_adjusted": 0, "constant_mean": 1, "ff3": 4, "carhart4": 5, "ff5": 6,
        "dimson": 4, "scholes_williams": 2, "garch": 2}
    assert models.get_model("ff3").factor_columns == ("Mkt-RF", "SMB", "HML", "RF")
    assert not models.get_model("market").needs_factors
    with pytest.raises(InputError, match="unknown model 'capm'"):
        models.get_model("capm")


def test_model_names_of_the_command_line_are_the_registry():
    """analysis.windows.MODEL_NAMES (the --model choices, kept free of numpy) lists exactly the
    models of analysis.core.models.MODELS, in the same order."""
    from analysis.windows import MODEL_NAMES

    assert tuple(MODEL_NAMES) == tuple(models.MODELS)
