"""Abnormal volume (analysis.core.volume): every number against a per-event statsmodels fit of
log(1 + V), written here from the formulas, on a synthetic panel with zero-volume days, a gap in
a stock's prices and a market zero; and on the real snapshot against the CSV files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import analysis
from analysis.errors import InputError

EST, EVT = (-120, -11), (-5, 5)


def _panel(seed=5, n_days=420):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=n_days)
    names = ["S1", "S2", "S3", "S4"]
    lvm = rng.normal(16.0, 0.3, n_days)
    vol = {"MKT": np.round(np.exp(lvm))}
    price = {"MKT": 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n_days)))}
    for j, s in enumerate(names):
        lv = 2.0 + 0.7 * lvm + rng.normal(0, 0.4, n_days) + 0.2 * j
        vol[s] = np.round(np.exp(lv))
        price[s] = 20 * np.exp(np.cumsum(rng.normal(0, 0.02, n_days)))
    volume = pd.DataFrame(vol, index=dates)
    prices = pd.DataFrame(price, index=dates)
    # zero volume: S1 on three estimation days and one event day; the market on one day
    volume.iloc[[200, 230, 250], 1] = 0.0
    volume.iloc[302, 1] = 0.0
    volume.iloc[260, 0] = 0.0
    # S2 has no price (no trading day at all) on two days: not a day of its calendar
    prices.iloc[[240, 241], 2] = np.nan
    volume.iloc[[240, 241], 2] = np.nan
    # S4 lists late: no price and no volume before row 60 (days of no calendar, not gaps)
    prices.iloc[:60, 4] = np.nan
    volume.iloc[:60, 4] = np.nan
    events = pd.DataFrame({"event_id": ["a", "b", "c", "d"], "ticker": names, "market": "MKT",
                           "event_date": dates[[300, 320, 280, 380]]})
    return events, prices, volume


def _reference(events, prices, volume, zero_missing=True, model="market"):
    """Per event: (AV, sd, dates, fit) from statsmodels on the joint price days."""
    out = {}
    for _, e in events.iterrows():
        s, m = e["ticker"], e["market"]
        joint = prices.index[prices[s].notna() & prices[m].notna()]
        p0 = int(np.searchsorted(joint, e["event_date"]))
        est_days = joint[max(p0 + EST[0], 0): p0 + EST[1] + 1]
        evt_days = joint[p0 + EVT[0]: p0 + EVT[1] + 1]
        vs, vm = volume[s], volume[m]
        bad = (vs == 0) | (vm == 0) if zero_missing else pd.Series(False, index=vs.index)
        if model == "constant_mean":
            bad = (vs == 0) if zero_missing else bad
        use = est_days[~bad.reindex(est_days).to_numpy()]
        y = np.log1p(vs.reindex(use))
        if model == "market":
            x = sm.add_constant(np.log1p(vm.reindex(use)).to_numpy())
            xe = sm.add_constant(np.log1p(vm.reindex(evt_days)).to_numpy(), has_constant="add")
        else:
            x = np.ones((len(use), 1))
            xe = np.ones((len(evt_days), 1))
        fit = sm.OLS(y.to_numpy(), x).fit()
        pred = fit.get_prediction(xe)
        av = np.log1p(vs.reindex(evt_days)).to_numpy() - pred.predicted_mean
        av[bad.reindex(evt_days).to_numpy()] = np.nan
        out[e["event_id"]] = dict(av=av, sd=pred.se_obs, dates=evt_days, fit=fit, xe=xe,
                                  n_missing_est=int(bad.reindex(est_days).sum()))
    return out


@pytest.fixture(scope="module")
def data():
    return _panel()


@pytest.mark.parametrize("model", ["market", "constant_mean"])
def test_abnormal_volume_matches_statsmodels(data, model):
    events, prices, volume = data
    res = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume", model=model,
                                   estimation_window=EST, event_window=EVT)
    ref = _reference(events, prices, volume, model=model)
    av = res.abnormal_volume
    assert res.n_ok == 4
    for eid, r in ref.items():
        rows = av[av["event_id"] == eid]
        assert list(rows["date"]) == list(r["dates"])
        np.testing.assert_allclose(rows["abnormal_volume"], r["av"], rtol=0, atol=1e-10, equal_nan=True)
        np.testing.assert_allclose(rows["av_sd"], r["sd"], rtol=1e-10)
        np.testing.assert_allclose(rows["volume_ratio"], np.exp(r["av"]), rtol=1e-10, equal_nan=True)
        d = res.diagnostics.set_index("event_id").loc[eid]
        assert d["m"] == r["fit"].nobs
        np.testing.assert_allclose(d["alpha"], r["fit"].params[0], rtol=1e-10)
        assert d["no_volume_estimation"] == r["n_missing_est"]
        assert d["no_volume_event"] == int(np.isnan(r["av"]).sum())
        # CAV over [-2, 2] and its exact variance: L s^2 + 1'X* Cov(b) X*'1
        c = res.cav([(-2, 2)]).set_index("event_id").loc[eid]
        sl = slice(3, 8)
        xs = r["xe"][sl].sum(axis=0)
        var = 5 * r["fit"].scale + xs @ r["fit"].cov_params() @ xs
        np.testing.assert_allclose(c["cav_sd"], np.sqrt(var), rtol=1e-10)
        np.testing.assert_allclose(c["cav"], np.sum(r["av"][sl]), rtol=1e-10, equal_nan=True)


def test_event_day_without_volume_leaves_the_event_out_of_that_window_only(data):
    events, prices, volume = data
    res = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume",
                                   estimation_window=EST, event_window=EVT)
    ref = _reference(events, prices, volume)
    # S1 (event a, day 0 = row 300) has no volume on day +2
    row = res.abnormal_volume.query("event_id == 'a' and relative_day == 2")
    assert np.isnan(row["abnormal_volume"].iloc[0]) and row["volume"].iloc[0] == 0
    assert res.tests((0, 0))["n_events"].iloc[0] == 4
    t = res.tests((-1, 3))
    assert (t["n_events"] == 3).all()
    # the cross-sectional t over [-1, 3] is scipy's t test of the three CAVs
    cavs = [np.sum(r["av"][4:9]) for k, r in ref.items() if k != "a"]
    want = stats.ttest_1samp(cavs, 0.0)
    np.testing.assert_allclose(t.loc["csect_t", "statistic"], want.statistic, rtol=1e-10)
    np.testing.assert_allclose(t.loc["csect_t", "p_value"], want.pvalue, rtol=1e-9)


def test_day0_is_the_return_study_day0(data):
    events, prices, volume = data
    moved = events.assign(event_date=prices.index[[240, 320, 280, 380]])   # S1 on a date S2 lacks
    moved.loc[1, "event_date"] = prices.index[240]                       # S2: no price that day
    ret = analysis.run_event_study(moved, prices=prices, estimation_window=EST, event_window=EVT)
    vol = analysis.run_event_study(moved, prices=prices, volume=volume, measure="volume",
                                   estimation_window=EST, event_window=EVT)
    pd.testing.assert_series_equal(ret.diagnostics["day0"], vol.diagnostics["day0"])
    assert vol.diagnostics.loc[1, "day0"] == prices.index[242]


def test_keep_zero_volume_uses_log1p_of_zero(data):
    events, prices, volume = data
    res = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume",
                                   zero_volume="keep", estimation_window=EST, event_window=EVT)
    ref = _reference(events, prices, volume, zero_missing=False)
    for eid, r in ref.items():
        rows = res.abnormal_volume[res.abnormal_volume["event_id"] == eid]
        np.testing.assert_allclose(rows["abnormal_volume"], r["av"], atol=1e-10)
    assert (res.diagnostics["no_volume_estimation"] == 0).all()


def test_log_transform_for_a_turnover_panel(data):
    events, prices, volume = data
    turnover = volume / 1e9
    a = analysis.run_event_study(events, prices=prices, volume=turnover, measure="volume", transform="log",
                                 estimation_window=EST, event_window=EVT)
    # log turnover = log volume - log(shares): the same abnormal volume as log volume
    b = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume", transform="log",
                                 estimation_window=EST, event_window=EVT)
    np.testing.assert_allclose(a.abnormal_volume["abnormal_volume"], b.abnormal_volume["abnormal_volume"],
                               atol=1e-10, equal_nan=True)


def test_market_without_volume_is_a_reason_and_constant_mean_works(data):
    events, prices, volume = data
    volume = volume.assign(MKT=0.0)
    res = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume",
                                   estimation_window=EST, event_window=EVT)
    assert res.n_ok == 0
    assert res.diagnostics["reason"].str.contains("no volume for MKT").all()
    ok = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume",
                                  model="constant_mean", estimation_window=EST, event_window=EVT)
    assert ok.n_ok == 4


def test_bad_settings_are_one_line_errors(data):
    events, prices, volume = data
    for kw in ({"model": "ff3"}, {"transform": "sqrt"}, {"zero_volume": "drop"}):
        with pytest.raises(InputError):
            analysis.run_event_study(events, prices=prices, volume=volume, measure="volume", **kw)
    with pytest.raises(InputError, match="needs volume="):
        analysis.run_event_study(events, prices=prices, measure="volume")
    with pytest.raises(InputError, match="unknown measure"):
        analysis.run_event_study(events, prices=prices, measure="turnover")


def test_summary_and_aav(data):
    events, prices, volume = data
    res = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume",
                                   estimation_window=EST, event_window=EVT)
    text = res.summary()
    assert "Abnormal volume" in text and "csect_t" in text and "CAV window" in text
    aav = res.aav()
    assert list(aav.columns[:4]) == ["relative_day", "n", "aav", "aav_se"]
    day0 = res.abnormal_volume.query("relative_day == 0")["abnormal_volume"]
    np.testing.assert_allclose(aav.loc[aav["relative_day"] == 0, "aav"].iloc[0], day0.mean(), rtol=1e-12)


def test_real_prices_pipeline(prices_dir):
    """1810.HK and 2333.HK against ^HSI around 2021-03-26: day 0 as in the return study, and
    AV_0 = log(1 + V_0) - a - b log(1 + Vm_0) with a, b from statsmodels on the CSV files."""
    events = pd.DataFrame({"event_id": ["x", "g"], "ticker": ["1810.HK", "2333.HK"], "market": "^HSI",
                           "event_date": "2021-03-26"})
    vol = analysis.run_study(events, prices_dir=prices_dir, measure="volume", progress=False)
    ret = analysis.run_study(events, prices_dir=prices_dir, progress=False)
    assert list(vol.result.diagnostics["day0"]) == list(ret.result.diagnostics["day0"])
    from analysis.data.quality import apply_stale

    src = analysis.CsvFolderSource(prices_dir)
    m = src.load("^HSI")
    # the trading days: bars with a price, flat zero-volume bars counted as no trade (the
    # pipeline's default, stale="missing"), as in the return study
    traded = (lambda f: apply_stale(f, "missing")["Adj Close"].dropna().index)
    for eid, t in (("x", "1810.HK"), ("g", "2333.HK")):
        s = src.load(t)
        joint = traded(s).intersection(traded(m))
        p0 = int(np.searchsorted(joint, pd.Timestamp("2021-03-26")))
        est = joint[p0 - 260: p0 - 10]
        est = est[(s.loc[est, "Volume"] > 0).to_numpy() & (m.loc[est, "Volume"] > 0).to_numpy()]
        fit = sm.OLS(np.log1p(s.loc[est, "Volume"]).to_numpy(),
                     sm.add_constant(np.log1p(m.loc[est, "Volume"]).to_numpy())).fit()
        d0 = joint[p0]
        want = np.log1p(s.loc[d0, "Volume"]) - fit.params[0] - fit.params[1] * np.log1p(m.loc[d0, "Volume"])
        got = vol.result.abnormal_volume.query("event_id == @eid and relative_day == 0")
        np.testing.assert_allclose(got["abnormal_volume"].iloc[0], want, rtol=1e-10)
        assert got["volume"].iloc[0] == s.loc[d0, "Volume"]
