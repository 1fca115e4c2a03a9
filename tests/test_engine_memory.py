"""The engine's memory devices give the same numbers as holding every array.

Estimation residuals computed when read (:class:`analysis.core.arrays.FitResiduals`) equal the
fit's own residuals bit for bit; a study with them gives the same abnormal returns and tests as
a study that holds the residuals; rows compacted in place equal boolean indexing; the
resampling tests' tables of subset sums cut into pieces give the sums of the explicit sign
matrix.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.core import arrays, engine, models, statistics
from analysis.core.pipeline import run_event_study


def _series(q: int, length: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 0.01, (length, q))
    y = 0.0003 + z @ rng.uniform(0.5, 1.5, q) + rng.normal(0.0, 0.02, length)
    return y, z


@pytest.mark.parametrize("q,intercept", [(0, True), (0, False), (1, True), (1, False), (3, True)])
def test_fit_residuals_equal_the_fit_bit_for_bit(q, intercept):
    y, z = _series(q)
    le = 250
    start = np.random.default_rng(1).integers(0, len(y) - le, 700)
    yw, zw = arrays.windows(y, start, le).copy(), arrays.windows(z, start, le)
    ybar = yw.sum(axis=1) / np.full(len(start), le) if intercept else np.zeros(len(start))
    fit = models.fit(yw.copy(), zw.copy(), intercept, complete=True, overwrite=True)
    lazy = arrays.FitResiduals(y, z, start, le, ybar, fit.zbar, fit.coef)
    np.testing.assert_array_equal(np.asarray(lazy), fit.resid)
    np.testing.assert_array_equal(lazy[5], fit.resid[5])
    np.testing.assert_array_equal(lazy[-1], fit.resid[-1])
    np.testing.assert_array_equal(lazy[10:20], fit.resid[10:20])
    mask = np.arange(len(start)) % 3 == 0
    np.testing.assert_array_equal(lazy[mask], fit.resid[mask])
    np.testing.assert_array_equal(lazy[:, 7], fit.resid[:, 7])
    np.testing.assert_array_equal(np.asarray(arrays.rows_of(lazy, mask)), fit.resid[mask])
    assert isinstance(arrays.rows_of(lazy, mask), arrays.FitResiduals)
    assert lazy.shape == fit.resid.shape and len(lazy) == len(start)
    with pytest.raises(TypeError, match="cannot be assigned"):
        lazy[0, 0] = 1.0


def test_fit_writes_the_target_means_it_centres_with():
    y, z = _series(1)
    start = np.random.default_rng(2).integers(0, len(y) - 250, 300)
    yw, zw = arrays.windows(y, start, 250).copy(), arrays.windows(z, start, 250)
    means = np.full(len(start), np.nan)
    models.fit(yw.copy(), zw.copy(), True, complete=True, overwrite=True, mean_out=means)
    np.testing.assert_array_equal(means, yw.sum(axis=1) / np.full(len(start), 250))


@pytest.mark.parametrize("q,intercept", [(0, True), (0, False), (1, True), (1, False), (3, True)])
def test_predicted_rows_equal_predict_bit_for_bit(q, intercept):
    y, z = _series(q)
    le, lw = 250, 21
    start = np.random.default_rng(3).integers(0, len(y) - le - lw, 700)
    fit = models.fit(arrays.windows(y, start, le).copy(), arrays.windows(z, start, le).copy(), intercept,
                     complete=True, overwrite=True)
    zw = arrays.windows(z, start + le, lw)
    pred = models.predict(fit, arrays.windows(y, start + le, lw), zw[..., 0][..., None] if q == 1 else zw)
    want = np.broadcast_to(pred.expected_target, pred.ar.shape)
    lazy = arrays.PredictedRows(z, start + le, lw, fit.alpha, fit.coef)
    np.testing.assert_array_equal(np.asarray(lazy), want)
    np.testing.assert_array_equal(lazy[7], want[7])
    mask = np.arange(len(start)) % 4 == 1
    np.testing.assert_array_equal(np.asarray(arrays.rows_of(lazy, mask)), want[mask])
    assert isinstance(arrays.rows_of(lazy, mask), arrays.PredictedRows)
    sub = models.subset_prediction(dataclasses.replace(pred, expected_target=lazy), mask, fit)
    assert isinstance(sub.expected_target, arrays.PredictedRows)
    np.testing.assert_array_equal(np.asarray(sub.expected_target), want[mask])


def _panel_and_events(n_events: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2012-01-02", periods=900)
    rm = rng.normal(0.0003, 0.01, len(dates))
    cols = {f"S{i}": 0.0002 + rng.uniform(0.5, 1.5) * rm + rng.normal(0, 0.02, len(dates)) for i in range(12)}
    returns = pd.DataFrame(cols, index=dates)
    returns["MKT"] = rm
    day0 = rng.integers(300, 880, n_events)
    stock = rng.integers(0, 12, n_events)
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(n_events)],
                           "ticker": [f"S{j}" for j in stock], "market": "MKT",
                           "event_date": dates[day0], "group": np.where(stock % 2 == 0, "even", "odd")})
    dup = events.iloc[[5, 9]].assign(event_id=["dup5", "dup9"])          # skipped as duplicates
    return returns, pd.concat([events, dup], ignore_index=True)


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_study_with_computed_residuals_equals_study_holding_them(monkeypatch, model):
    returns, events = _panel_and_events(3000)
    kw = dict(model=model, estimation_window=(-260, -11), event_window=(-10, 10))
    lazy = run_event_study(events, returns, **kw)
    assert isinstance(lazy.arrays.est_ar, arrays.FitResiduals)
    assert lazy.n_skipped >= 2
    monkeypatch.setattr(engine, "_lazy_residuals", lambda *a: False)
    held = run_event_study(events, returns, **kw)
    assert isinstance(held.arrays.est_ar, np.ndarray)
    np.testing.assert_array_equal(np.asarray(lazy.arrays.est_ar), held.arrays.est_ar)
    np.testing.assert_array_equal(lazy.arrays.evt_ar, held.arrays.evt_ar)
    assert list(lazy.arrays.event_ids) == list(held.arrays.event_ids)
    for window in [(-1, 1), (0, 0), (-10, 10)]:
        pd.testing.assert_frame_equal(lazy.tests(window), held.tests(window), rtol=1e-13)
        pd.testing.assert_frame_equal(lazy.tests(window, group="even"), held.tests(window, group="even"),
                                      rtol=1e-13)
    pd.testing.assert_frame_equal(lazy.aar(), held.aar(), rtol=1e-13)


@pytest.mark.parametrize("model", ["market", "ff3", "constant_mean", "market_adjusted"])
def test_expected_returns_computed_when_read_equal_the_held_ones(monkeypatch, model):
    """The engine's expected returns (PredictedRows, rows kept after skipped duplicates) are
    the numbers of a study that holds them, bit for bit."""
    returns, events = _panel_and_events(1500)
    rng = np.random.default_rng(9)
    factors = pd.DataFrame(rng.normal(0, 0.005, (len(returns), 4)), index=returns.index,
                           columns=["Mkt-RF", "SMB", "HML", "RF"])
    factors["RF"] = 0.0001
    kw = dict(model=model, estimation_window=(-260, -11), event_window=(-10, 10),
              factors=factors if model == "ff3" else None)
    lazy = run_event_study(events, returns, **kw)
    assert isinstance(lazy.estimates.prediction.expected_target, arrays.PredictedRows)
    assert lazy.n_skipped >= 2
    monkeypatch.setattr(engine, "_lazy_expected", lambda *a: (lambda fitted: None))
    held = run_event_study(events, returns, **kw)
    assert isinstance(held.estimates.prediction.expected_target, np.ndarray)
    want = np.broadcast_to(held.estimates.prediction.expected_target, held.arrays.evt_ar.shape)
    np.testing.assert_array_equal(np.asarray(lazy.estimates.prediction.expected_target), want)
    np.testing.assert_array_equal(lazy.arrays.evt_ar, held.arrays.evt_ar)
    pd.testing.assert_frame_equal(lazy.abnormal_returns, held.abnormal_returns)


@pytest.mark.parametrize("pattern", ["first", "blocks", "random"])
def test_compact_rows_of_3d_arrays_in_small_blocks(pattern):
    rng = np.random.default_rng(5)
    a = rng.normal(size=(1000, 4, 2))
    keep = {"first": np.arange(1000) > 0, "blocks": (np.arange(1000) // 37) % 2 == 0,
            "random": rng.random(1000) > 0.3}[pattern]
    np.testing.assert_array_equal(arrays.compact_rows(a.copy(), keep, block=64), a[keep])


def test_sign_sums_in_pieces_equal_the_sign_matrix(monkeypatch):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(203, 3))
    draws, seed = 50, 7
    bits = np.unpackbits(statistics.sign_bytes(len(x), draws, seed), axis=1, bitorder="little")[:, :len(x)]
    want = (1.0 - 2.0 * bits) @ x
    whole = statistics._sign_sums(x, draws, seed)
    monkeypatch.setattr(statistics, "_TABLE_RUNS", 4)              # 8 tables of 4 runs of 8 events
    pieces = statistics._sign_sums(x, draws, seed)
    np.testing.assert_allclose(whole, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pieces, want, rtol=1e-12, atol=1e-12)


def test_cz_signs_from_one_partition_equal_np_median():
    rng = np.random.default_rng(4)
    for width in (271, 270):
        est, evt = rng.normal(size=(300, width - 21)), rng.normal(size=(300, 21))
        est[7, :5] = np.median(np.concatenate([est[7], evt[7]]))     # values at the median
        x = np.concatenate([est, evt], axis=1)
        signs = np.sign(x - np.median(x, axis=1)[:, None])
        for g, codes in ((1, np.zeros(300, np.intp)), (3, np.arange(300) % 3)):
            sums, counts = statistics._cz_block(est, evt, codes, g)
            np.testing.assert_array_equal(sums, np.stack([signs[codes == j].sum(axis=0) for j in range(g)]))
            np.testing.assert_array_equal(counts, np.stack([np.full(width, (codes == j).sum()) for j in range(g)]))


def test_root_rows_are_the_square_roots():
    v = np.random.default_rng(8).uniform(0.1, 2.0, (500, 21))
    r = arrays.RootRows(v)
    np.testing.assert_array_equal(np.asarray(r), np.sqrt(v))
    np.testing.assert_array_equal(r[3], np.sqrt(v[3]))
    np.testing.assert_array_equal(r[:, 4], np.sqrt(v[:, 4]))
    np.testing.assert_array_equal(np.ones(21) / r, 1.0 / np.sqrt(v))
    np.testing.assert_array_equal(np.asarray(arrays.rows_of(r, v[:, 0] > 1)), np.sqrt(v[v[:, 0] > 1]))
    assert r.shape == (500, 21) and r.nbytes == v.nbytes
