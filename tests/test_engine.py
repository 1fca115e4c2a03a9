"""The vectorised engine against a plain per-event statsmodels loop (every model), and its skips.

The reference below is written independently of the engine: pandas to align and index, one
statsmodels WLS per event (trade-to-trade weights 1/n for returns spanning n market sessions;
OLS when every n is 1), prediction variances s^2 n_t + x_t' Cov(b) x_t and the CAR variance from
the matrix formula s^2 sum(n) + 1'X* Cov(b) X*'1 (Campbell, Lo & MacKinlay 1997, ch. 4; Maynes &
Rumsey 1993).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.core.pipeline import run_event_study
from analysis.errors import (EstimationError, EventError, InputError, UnknownTickerError,
                             WindowError)

EST, EVT = (-120, -11), (-5, 5)
FACTORS = {"ff3": ["Mkt-RF", "SMB", "HML"], "carhart4": ["Mkt-RF", "SMB", "HML", "Mom"],
           "ff5": ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    dates = pd.bdate_range("2019-01-01", periods=420)
    f = pd.DataFrame(rng.normal(0, 0.008, (len(dates), 6)), index=dates,
                     columns=["Mkt-RF", "SMB", "HML", "RMW", "CMA", "Mom"])
    f["RF"] = 0.0001 + rng.uniform(0, 1e-5, len(dates))
    f = f.drop(index=dates[[50, 51, 300]])                 # factor days missing
    rm = rng.normal(0.0003, 0.01, len(dates))
    prices = {"MKT": 100 * np.cumprod(1 + rm)}
    for j, name in enumerate(["AAA", "BBB", "CCC"]):
        r = 0.0002 + (0.8 + 0.3 * j) * rm + rng.normal(0, 0.015, len(dates))
        r[: len(f)] += 0.3 * f["SMB"].reindex(dates).fillna(0).to_numpy()[: len(f)]
        prices[name] = 20 * np.cumprod(1 + r)
    prices["FLAT"] = np.full(len(dates), 5.0)
    panel = pd.DataFrame(prices, index=dates)
    panel.loc[dates[[200, 201, 260]], "AAA"] = np.nan     # suspensions
    panel.loc[dates[[230, 305]], "MKT"] = np.nan          # market holiday
    panel.loc[dates[[240]], "BBB"] = np.nan
    return panel, f


def _events(panel):
    d = panel.index
    return pd.DataFrame({
        "event_id": ["a1", "a2", "b1", "c1", "a3", "b2"],
        "ticker": ["AAA", "AAA", "BBB", "CCC", "AAA", "BBB"],
        "market": "MKT",
        "event_date": [d[250], d[200], d[240], d[330] + pd.offsets.Week(weekday=5), d[280], d[380]],
        "group": ["x", "x", "y", "y", "x", "y"],
    })


def reference(panel, factors, ev, model, est=EST, evt=EVT, kind="simple", exclude=()):
    """One event, the slow obvious way: returns over the joint dates, each spanning n market
    sessions (trade-to-trade, Maynes & Rumsey 1993: a weighted least squares fit with weights
    1/n on [n, regressors summed over the span])."""
    joint = panel[[ev.ticker, ev.market]].dropna()
    if kind == "log":
        rets = np.log(joint / joint.shift(1)).iloc[1:]
    else:
        rets = joint.pct_change().iloc[1:]
    rets.columns = ["r", "rm"]
    market_days = panel.index[panel[ev.market].notna()]
    upto = market_days.searchsorted(joint.index, side="right")     # market sessions up to each date
    rets["n"] = np.diff(upto).astype(float)
    if model in FACTORS:
        prev = joint.index[:-1]
        rows = []
        for (t0, t1), n in zip(zip(prev, rets.index), rets["n"]):
            if n > 1:       # a multi-session return: the factors summed over its days
                rows.append(factors.loc[(factors.index > t0) & (factors.index <= t1)].sum(min_count=1)
                            if ((factors.index > t0) & (factors.index <= t1)).any() else factors.iloc[0] * np.nan)
            else:
                rows.append(factors.loc[t1] if t1 in factors.index else factors.iloc[0] * np.nan)
        rets = rets.join(pd.DataFrame(rows, index=rets.index)).dropna()
    p0 = rets.index.searchsorted(pd.Timestamp(ev.event_date))
    e = rets.iloc[max(p0 + est[0], 0): p0 + est[1] + 1]
    e = e[~e.index.isin(pd.DatetimeIndex(list(exclude)))]
    w = rets.iloc[p0 + evt[0]: p0 + evt[1] + 1]
    assert len(w) == evt[1] - evt[0] + 1
    if model == "market_adjusted":
        ar_est = e["r"] - e["rm"]
        s2 = (ar_est ** 2 / e["n"]).sum() / len(e)
        ar = (w["r"] - w["rm"]).to_numpy()
        nw = w["n"].to_numpy()
        return dict(ar=ar, ar_var=s2 * nw, car_var=lambda a, b: s2 * nw[a:b + 1].sum(),
                    m=len(e), k=0, dates=w.index, resid=(ar_est / np.sqrt(e["n"])).to_numpy())
    if model == "market":
        y, x, yw, xw = e["r"], e[["n", "rm"]], w["r"], w[["n", "rm"]]
    elif model == "constant_mean":
        y, x, yw, xw = e["r"], e[["n"]], w["r"], w[["n"]]
    else:
        cols = FACTORS[model]
        y, x = e["r"] - e["RF"], e[["n"] + cols]
        yw, xw = w["r"] - w["RF"], w[["n"] + cols]
    res = sm.WLS(np.asarray(y), np.asarray(x), weights=1.0 / e["n"].to_numpy()).fit()
    xw = np.asarray(xw)
    nw = w["n"].to_numpy()
    cov = res.cov_params()
    ar_var = res.scale * nw + np.einsum("ti,ij,tj->t", xw, cov, xw)

    def car_var(a, b):
        s = xw[a:b + 1].sum(axis=0)
        return res.scale * nw[a:b + 1].sum() + s @ cov @ s

    return dict(ar=np.asarray(yw) - xw @ res.params, ar_var=ar_var, car_var=car_var,
                m=len(e), k=x.shape[1], dates=w.index, res=res, resid=res.wresid)


@pytest.mark.parametrize("model", ["market", "market_adjusted", "constant_mean", "ff3", "carhart4", "ff5"])
def test_engine_agrees_with_statsmodels_loop(data, model):
    panel, factors = data
    events = _events(panel)
    r = run_event_study(events, prices=panel, model=model, estimation_window=EST, event_window=EVT,
                        factors=factors, min_estimation_obs=60)
    assert (r.diagnostics["status"] == "ok").all(), r.diagnostics[["event_id", "reason"]]
    ar = r.abnormal_returns
    cars = r.cars([(0, 0), (-1, 1), (-5, 5), (-2, 3)])
    for ev in events.itertuples():
        ref = reference(panel, factors, ev, model)
        rows = ar[ar["event_id"] == ev.event_id]
        assert list(rows["relative_day"]) == list(range(EVT[0], EVT[1] + 1))
        assert (pd.DatetimeIndex(rows["date"]) == ref["dates"]).all()
        np.testing.assert_allclose(rows["abnormal_return"], ref["ar"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(rows["ar_sd"], np.sqrt(ref["ar_var"]), rtol=1e-10)
        np.testing.assert_allclose(rows["car"], np.cumsum(ref["ar"]), rtol=0, atol=1e-10)
        lw = EVT[1] - EVT[0] + 1
        np.testing.assert_allclose(rows["car_sd"], [np.sqrt(ref["car_var"](0, j)) for j in range(lw)], rtol=1e-10)
        df = ref["m"] - ref["k"]
        from scipy import stats
        t = ref["ar"] / np.sqrt(ref["ar_var"])
        np.testing.assert_allclose(rows["ar_t"], t, rtol=1e-9)
        np.testing.assert_allclose(rows["ar_p"], 2 * stats.t.sf(np.abs(t), df), rtol=1e-8, atol=1e-15)
        q = stats.t.ppf(0.975, df)
        np.testing.assert_allclose(rows["car_hi"] - rows["car"], q * rows["car_sd"], rtol=1e-12)
        np.testing.assert_allclose(rows["expected_return"], rows["stock_return"] - rows["abnormal_return"])
        for (t1, t2), g in cars[cars["event_id"] == ev.event_id].groupby(["window_start", "window_end"]):
            a, b = t1 - EVT[0], t2 - EVT[0]
            assert g["car"].iloc[0] == pytest.approx(ref["ar"][a:b + 1].sum(), abs=1e-10)
            assert g["car_sd"].iloc[0] == pytest.approx(np.sqrt(ref["car_var"](a, b)), rel=1e-10)
            assert g["scar"].iloc[0] == pytest.approx(g["car"].iloc[0] / g["car_sd"].iloc[0], rel=1e-12)
        d = r.diagnostics.set_index("event_id").loc[ev.event_id]
        assert d["m"] == ref["m"] and d["k"] == ref["k"]
        i = list(r.arrays.event_ids).index(ev.event_id)
        np.testing.assert_allclose(r.arrays.est_ar[i][~np.isnan(r.arrays.est_ar[i])], ref["resid"], atol=1e-10)
        if "res" in ref:
            fit = r.ols(ev.event_id)
            np.testing.assert_allclose(fit.params, ref["res"].params, atol=1e-10)
            table = r.fit_table(ev.event_id)           # the same fit without statsmodels
            assert list(table.index) == list(fit.params.index)
            np.testing.assert_allclose(table["params"], fit.params, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(table["bse"], fit.bse, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(table["t"], fit.tvalues, rtol=1e-12, atol=1e-13)
            assert d["s"] == pytest.approx(np.sqrt(ref["res"].scale), rel=1e-10)
            assert d["alpha"] == pytest.approx(ref["res"].params[0], abs=1e-12)
    # the arrays hand-over: same numbers, exact CAR variance
    a = r.arrays
    assert a.k == {"market": 2, "market_adjusted": 0, "constant_mean": 1, "ff3": 4, "carhart4": 5, "ff5": 6}[model]
    c = cars[(cars["window_start"] == -2) & (cars["window_end"] == 3)]
    np.testing.assert_allclose(np.sqrt(a.car_variance(-2, 3)), c["car_sd"], rtol=1e-12)
    assert list(a.groups) == list(events["group"])


def test_returns_input_and_log_returns(data):
    panel, _ = data
    events = _events(panel)
    full = panel.drop(columns="FLAT").dropna()
    r1 = run_event_study(events, prices=full, estimation_window=EST, event_window=EVT)
    r2 = run_event_study(events, full.pct_change().iloc[1:], estimation_window=EST, event_window=EVT)
    np.testing.assert_allclose(r1.abnormal_returns["abnormal_return"], r2.abnormal_returns["abnormal_return"],
                               atol=1e-14)
    r3 = run_event_study(events, prices=panel, returns_kind="log", estimation_window=EST, event_window=EVT)
    for ev in events.itertuples():
        ref = reference(panel, None, ev, "market", kind="log")
        rows = r3.abnormal_returns[r3.abnormal_returns["event_id"] == ev.event_id]
        np.testing.assert_allclose(rows["abnormal_return"], ref["ar"], atol=1e-10)
    assert r3.settings["returns_kind"] == "log"


def test_day0_is_first_joint_date_and_shift_reported(data):
    panel, _ = data
    d = panel.index
    r = run_event_study(_events(panel), prices=panel, estimation_window=EST, event_window=EVT)
    diag = r.diagnostics.set_index("event_id")
    # c1 falls on a Saturday: day 0 is the following Monday
    sat = d[330] + pd.offsets.Week(weekday=5)
    assert sat.day_of_week == 5
    assert diag.loc["c1", "day0"] == d[d > sat][0] == sat + pd.Timedelta(days=2)
    assert bool(diag.loc["c1", "day0_shifted"])
    # a2: AAA suspended on d[200] and d[201] (market traded): day 0 moves to d[202]
    assert diag.loc["a2", "day0"] == d[202] and bool(diag.loc["a2", "day0_shifted"])
    assert diag.loc["a1", "day0"] == d[250] and not bool(diag.loc["a1", "day0_shifted"])
    # a timed day0 column wins over event_date
    ev = _events(panel).assign(day0=[d[260 - 1], pd.NaT, pd.NaT, pd.NaT, pd.NaT, pd.NaT])
    r2 = run_event_study(ev, prices=panel, estimation_window=EST, event_window=EVT)
    assert r2.diagnostics.set_index("event_id").loc["a1", "day0"] == d[259]


def test_bad_events_are_skipped_with_reasons(data):
    panel, _ = data
    d = panel.index
    events = pd.DataFrame({
        "event_id": ["ok", "noticker", "same", "after", "before", "beyond", "few", "flat", "mktgap", "nodate"],
        "ticker": ["AAA", "ZZZ", "MKT", "BBB", "BBB", "BBB", "BBB", "FLAT", "CCC", "CCC"],
        "market": ["MKT"] * 10,
        "event_date": [d[250], d[250], d[250], d[-1] + pd.Timedelta(days=5), d[0] - pd.Timedelta(days=5),
                       d[-3], d[60], d[250], d[230], pd.NaT],
    })
    r = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT, min_estimation_obs=80)
    diag = r.diagnostics.set_index("event_id")
    assert r.event_ids == ["ok", "mktgap"]
    assert diag.loc["ok", "status"] == "ok" and diag.loc["ok", "reason"] == ""
    # the market did not trade on d[230] while CCC did: like a weekend, day 0 is the next
    # joint session, flagged, not a dropped event
    assert diag.loc["mktgap", "day0"] == d[231] and bool(diag.loc["mktgap", "day0_shifted"])
    assert "day0_moved" in diag.loc["mktgap", "warnings"]
    assert "no MKT price on" in diag.loc["mktgap", "warning_details"]
    expected = {
        "noticker": ("no prices for ticker ZZZ", UnknownTickerError),
        "same": ("same symbol", InputError),
        "after": ("after the data", EventError),
        "before": ("before the data", EventError),
        "beyond": ("runs beyond the data", WindowError),
        "few": ("too few estimation returns: 49 < 80", EstimationError),
        "flat": ("constant", EstimationError),
        "nodate": ("no event date", EventError),
    }
    for eid, (text, err) in expected.items():
        assert diag.loc[eid, "status"] == "skipped"
        assert text in diag.loc[eid, "reason"], (eid, diag.loc[eid, "reason"])
        assert "\n" not in diag.loc[eid, "reason"]
        with pytest.raises(err, match=eid):
            r.raise_if_skipped(eid)
    text = r.summary()
    assert "10 given, 2 studied, 8 skipped" in text and "too few estimation returns" in text


def test_exclusions_drop_estimation_days(data):
    panel, _ = data
    events = _events(panel)
    r0 = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT)
    a1 = r0.diagnostics.set_index("event_id").loc["a1"]
    drop = pd.date_range(a1["estimation_start"], periods=30, freq="B")
    exclude = pd.DataFrame({"event_id": "a1", "date": drop})
    r = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT, exclude=exclude,
                        min_estimation_obs=60)
    ev = events.iloc[0]
    ref = reference(panel, None, ev, "market", exclude=drop)
    rows = r.abnormal_returns[r.abnormal_returns["event_id"] == "a1"]
    np.testing.assert_allclose(rows["abnormal_return"], ref["ar"], atol=1e-10)
    np.testing.assert_allclose(rows["ar_sd"], np.sqrt(ref["ar_var"]), rtol=1e-10)
    diag = r.diagnostics.set_index("event_id")
    assert diag.loc["a1", "m"] == ref["m"] < a1["m"]
    assert diag.loc["b1", "m"] == r0.diagnostics.set_index("event_id").loc["b1", "m"]   # others untouched
    assert (r.arrays.est_dates[0][np.isin(r.arrays.est_dates[0],
                                          drop.values.astype("datetime64[D]").astype(np.int64))] == -1).all()


def test_window_and_argument_validation(data):
    panel, factors = data
    ev = _events(panel)
    for est, evt in [((-10, -20), EVT), (EST, (5, -5)), ((-120, 0), (-5, 5)), ((10, 20), (-5, 5)),
                     ((-1.5, -11), EVT)]:
        with pytest.raises(WindowError):
            run_event_study(ev, prices=panel, estimation_window=est, event_window=evt)
    with pytest.raises(WindowError, match="fewer than the 100"):
        run_event_study(ev, prices=panel, estimation_window=(-50, -11), event_window=EVT)
    with pytest.raises(InputError, match="exactly one of"):
        run_event_study(ev, panel, prices=panel)
    with pytest.raises(InputError, match="needs a factor table"):
        run_event_study(ev, prices=panel, model="ff3", estimation_window=EST, event_window=EVT)
    with pytest.raises(InputError, match="no column 'Mom'"):
        run_event_study(ev, prices=panel, model="carhart4", factors=factors.drop(columns="Mom"),
                        estimation_window=EST, event_window=EVT)
    with pytest.raises(InputError, match="not unique"):
        run_event_study(pd.concat([ev, ev]), prices=panel)
    with pytest.raises(InputError, match="unknown returns kind"):
        run_event_study(ev, prices=panel, returns_kind="pct")


def test_results_frames(data):
    panel, _ = data
    r = run_event_study(_events(panel), prices=panel, estimation_window=EST, event_window=EVT)
    cars = r.cars()
    assert list(cars.columns[:10]) == ["event_id", "group", "window_start", "window_end", "car", "car_sd",
                                       "scar", "t", "p", "car_lo"]
    assert sorted(set(zip(cars["window_start"], cars["window_end"]))) == [(-5, 5), (-1, 1), (0, 0)]
    with pytest.raises(WindowError, match="not inside the event window"):
        r.cars([(-10, 10)])
    aar = r.aar()
    ar = r.abnormal_returns
    np.testing.assert_allclose(aar["aar"], ar.groupby("relative_day")["abnormal_return"].mean().to_numpy())
    np.testing.assert_allclose(aar["caar"], np.cumsum(aar["aar"]))
    # CDA sd: sd over the estimation window of the cross-sectional mean residual
    est_aar = np.nanmean(r.arrays.est_ar, axis=0)
    est_aar = est_aar[~np.isnan(est_aar)]
    assert aar["aar_se"].iloc[0] == pytest.approx(est_aar.std(ddof=1), rel=1e-12)
    np.testing.assert_allclose(aar["caar_se"], aar["aar_se"] * np.sqrt(np.arange(1, len(aar) + 1)))
    g = r.aar(group="x", window=(-1, 1))
    assert list(g["relative_day"]) == [-1, 0, 1] and (g["n"] == 3).all()
    assert g["caar"].iloc[0] == pytest.approx(g["aar"].iloc[0])
    with pytest.raises(InputError, match="no studied event in group 'z'"):
        r.aar(group="z")
    tests = r.tests((-1, 1))
    assert {"csect_t", "patell_z", "bmp_t"} <= set(tests.index)
    tg = r.tests_by_group((0, 0))
    assert list(pd.unique(tg["group"])) == ["all", "x", "y"]
    assert r.tests((0, 0), group="x").loc["csect_t", "n_events"] == 3
    s = r.settings
    assert s["model"] == "market" and s["estimation_window"] == EST and s["versions"]["numpy"]
    assert "6 given, 6 studied, 0 skipped" in r.summary()


def test_timing_error_and_default_columns(data):
    panel, _ = data
    d = panel.index
    events = pd.DataFrame({"ticker": ["AAA", "BBB"], "market": ["MKT", "MKT"], "event_date": [d[250], d[250]],
                           "timing_error": [pd.NA, "unknown exchange for 'BBB'"]})
    r = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT)
    diag = r.diagnostics
    assert diag["event_id"].tolist() == ["e0001", "e0002"]          # generated ids
    assert diag["status"].tolist() == ["ok", "skipped"]
    assert diag["reason"].iloc[1] == "timing: unknown exchange for 'BBB'"
    with pytest.raises(EventError, match="unknown exchange"):
        r.raise_if_skipped("e0002")
    with pytest.raises(InputError, match="unknown event_id"):
        r.raise_if_skipped("nope")


def test_returns_input_market_missing_on_event_day(data):
    panel, _ = data
    d = panel.index
    rets = panel[["AAA", "MKT"]].pct_change()
    rets.loc[d[250], "MKT"] = np.nan
    events = pd.DataFrame({"event_id": ["x", "y"], "ticker": "AAA", "market": "MKT", "event_date": [d[250], d[252]]})
    r = run_event_study(events, rets, estimation_window=EST, event_window=EVT)
    diag = r.diagnostics.set_index("event_id")
    # no market return on the date asked for while the stock has one: the next joint day, flagged
    assert diag.loc["x", "status"] == "ok" and diag.loc["x", "day0"] == d[251]
    assert bool(diag.loc["x", "day0_shifted"]) and "no MKT price on" in diag.loc["x", "warning_details"]
    assert diag.loc["y", "status"] == "ok"
