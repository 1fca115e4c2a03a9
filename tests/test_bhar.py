"""Buy-and-hold abnormal returns (analysis.core.bhar): every BHAR against a plain per-event
computation from the prices (pandas lookups, written here), with days without a price, a
stock whose prices end inside the window under each delisting rule, a window past the data, a
reference portfolio given as returns; the tests against formulas written out here (Lyon,
Barber & Tsai 1999) and scipy; and one year of 1810.HK against the CSV files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis
from analysis.core import bhar as bh
from analysis.errors import InputError

EST, EVT = (-120, -11), (-3, 3)
W = (1, 60)


def _panel(seed=3, n_days=400, n=10):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2017-01-02", periods=n_days)
    rm = rng.normal(0.0004, 0.01, n_days)
    r = rm[:, None] + rng.normal(0.0002, 0.02, (n_days, n))
    prices = pd.DataFrame(10 * np.exp(np.cumsum(np.log1p(r), axis=0)), index=dates,
                          columns=[f"S{i}" for i in range(n)])
    prices["MKT"] = 50 * np.cumprod(1 + rm)
    prices["ALT"] = 80 * np.cumprod(1 + rm * 0.5 + rng.normal(0, 0.004, n_days))
    day0 = rng.integers(150, 330, n)
    day0[7] = 370                                         # its window runs past the data
    prices.iloc[day0[2] + 5: day0[2] + 9, 2] = np.nan     # S2: four days without a price
    prices.iloc[day0[4] + 30:, 4] = np.nan                # S4: prices end inside the window
    prices.iloc[day0[5] + 10, 5] = np.nan                 # S5: one more missing day
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "ticker": prices.columns[:n],
                           "market": "MKT", "event_date": dates[day0],
                           "group": ["x", "y"] * (n // 2)})
    return events, prices


def _last_on_or_before(series: pd.Series, when):
    s = series.loc[:when].dropna()
    return (s.iloc[-1], s.index[-1]) if len(s) else (np.nan, None)


def _reference(events, prices, day0, window=W, delisting="benchmark", bench="MKT", bench_levels=None):
    """{event_id: (bhar, stock, benchmark, delisted, missing, start, end)} or None (skipped)."""
    t1, t2 = window
    clock = prices["MKT"].dropna().index
    levels = prices[bench] if bench_levels is None else bench_levels
    out = {}
    for (_, e), d0 in zip(events.iterrows(), day0):
        k0 = clock.get_loc(d0)
        if k0 + t2 >= len(clock):
            out[e["event_id"]] = None
            continue
        start, end = clock[k0 + t1 - 1], clock[k0 + t2]
        s = prices[e["ticker"]]
        p0, _ = _last_on_or_before(s, start)
        b0, _ = _last_on_or_before(levels, start)
        b1, _ = _last_on_or_before(levels, end)
        last_date = s.dropna().index[-1]
        delisted = last_date < end
        window_days = clock[k0 + t1: k0 + t2 + 1]
        missing = int(sum(1 for d in window_days if d <= last_date and np.isnan(s.get(d, np.nan))))
        if not delisted:
            p1, _ = _last_on_or_before(s, end)
            gross_s, gross_b = p1 / p0, b1 / b0
        else:
            p_last, _ = _last_on_or_before(s, end)
            stop = clock[clock <= last_date][-1]          # the last clock day with the stock's price
            b_stop, _ = _last_on_or_before(levels, stop)
            if delisting == "truncate":
                gross_s, gross_b = p_last / p0, b_stop / b0
            elif delisting == "benchmark":
                gross_s, gross_b = p_last / p0 * b1 / b_stop, b1 / b0
            else:
                out[e["event_id"]] = None
                continue
        out[e["event_id"]] = (gross_s - gross_b, gross_s - 1, gross_b - 1, delisted, missing, start, end)
    return out


@pytest.fixture(scope="module")
def study():
    events, prices = _panel()
    res = analysis.run_event_study(events, prices=prices, estimation_window=EST, event_window=EVT)
    return events, prices, res


@pytest.mark.parametrize("delisting", ["benchmark", "truncate", "skip"])
def test_bhar_matches_plain_computation(study, delisting):
    events, prices, res = study
    day0 = res.diagnostics["day0"]
    b = res.bhar(W, delisting=delisting)
    ref = _reference(events, prices, day0, delisting=delisting)
    table = b.table.set_index("event_id")
    for eid, r in ref.items():
        row = table.loc[eid]
        if r is None:
            assert row["status"] == "skipped" and row["reason"]
            continue
        assert row["status"] == "ok", row["reason"]
        np.testing.assert_allclose([row["bhar"], row["bh_return"], row["bh_benchmark"]], r[:3], rtol=1e-10)
        assert bool(row["delisted"]) == r[3] and row["missing_days"] == r[4]
        assert row["start_date"] == r[5] and row["end_date"] == r[6]
    assert "runs past the end of the MKT data" in table.loc["e7", "reason"]
    assert table.loc["e2", "missing_days"] == 4
    if delisting == "skip":
        assert "delisting='skip'" in table.loc["e4", "reason"]
    else:
        assert bool(table.loc["e4", "delisted"])


def test_path_is_the_bhar_after_each_day(study):
    events, prices, res = study
    b = res.bhar(W)
    day0 = res.diagnostics["day0"]
    for h in (1, 17, 60):
        ref = _reference(events, prices, day0, window=(1, h))
        vals = np.array([v[0] for k, v in ref.items() if v is not None and k != "e7"])
        p = b.path().set_index("relative_day").loc[h]
        np.testing.assert_allclose(p["mean_bhar"], vals.mean(), rtol=1e-10)
        np.testing.assert_allclose(p["se"], vals.std(ddof=1) / np.sqrt(len(vals)), rtol=1e-10)
    last = b.paths.query("relative_day == 60").set_index("event_id")["bhar"]
    np.testing.assert_allclose(last.to_numpy(), b.bhar.set_index("event_id").loc[last.index, "bhar"], rtol=1e-12)


def test_symbol_and_reference_portfolio_benchmarks(study):
    events, prices, res = study
    day0 = res.diagnostics["day0"]
    alt = res.bhar(W, benchmark="ALT")
    ref = _reference(events, prices, day0, bench="ALT")
    got = alt.table.set_index("event_id")
    for eid, r in ref.items():
        if r is not None:
            np.testing.assert_allclose(got.loc[eid, "bhar"], r[0], rtol=1e-10)
    # the same benchmark given as daily returns of a reference portfolio (one day left out of
    # the series: its level carries, so the next return must cover both days to agree)
    rets = prices["ALT"].pct_change().dropna().rename("ALTR")
    via_returns = res.bhar(W, benchmark=rets)
    np.testing.assert_allclose(via_returns.bhar["bhar"], alt.bhar["bhar"], rtol=1e-10)
    mapping = {e: ("ALT" if i % 2 else "MKT") for i, e in enumerate(events["event_id"])}
    mixed = res.bhar(W, benchmark=mapping).table.set_index("event_id")
    assert mixed.loc["e1", "benchmark"] == "ALT" and mixed.loc["e0", "benchmark"] == "MKT"
    np.testing.assert_allclose(mixed.loc["e1", "bhar"], got.loc["e1", "bhar"], rtol=1e-12)
    with pytest.raises(InputError):
        res.bhar(W, benchmark=3)


def test_returns_panel_gives_the_same_bhar(study):
    events, prices, res = study
    returns = prices.apply(lambda c: c.dropna().pct_change()).reindex(prices.index)
    r2 = analysis.run_event_study(events, returns=returns, estimation_window=EST, event_window=EVT)
    a, b = res.bhar(W).table, r2.bhar(W).table
    ok = a["status"] == "ok"
    np.testing.assert_allclose(a.loc[ok, "bhar"], b.loc[ok, "bhar"], rtol=1e-10)


def _skew_t(x, n=None):
    n = len(x) if n is None else n
    m, sd = np.mean(x), np.std(x, ddof=1)
    s = m / sd
    g = np.mean((x - m) ** 3) / sd ** 3
    return np.sqrt(n) * (s + g * s ** 2 / 3 + g / (6 * n))


def test_tests_match_formulas_and_a_plain_bootstrap(study):
    events, prices, res = study
    b = res.bhar(W, n_boot=500, seed=42)
    x = b.bhar["bhar"].to_numpy()
    t = b.tests()
    want = stats.ttest_1samp(x, 0.0)
    np.testing.assert_allclose(t.loc["t", ["statistic", "p_value"]].astype(float), [want.statistic, want.pvalue],
                               rtol=1e-9)
    tsa = _skew_t(x)
    np.testing.assert_allclose(t.loc["skew_adj_t", "statistic"], tsa, rtol=1e-10)
    np.testing.assert_allclose(t.loc["skew_adj_t", "p_value"], 2 * stats.t.sf(abs(tsa), len(x) - 1), rtol=1e-9)
    # the bootstrap, one resample at a time with the same draws
    rng = np.random.default_rng(42)
    nb = max(len(x) // 4, 3)
    idx = np.floor(rng.random((500, nb)) * len(x)).astype(int)
    tb = []
    for row in idx:
        y = x[row]
        if y.std() == 0:                      # a resample of one value: no statistic, left out
            continue
        s = (y.mean() - x.mean()) / y.std(ddof=1)
        g = np.mean((y - y.mean()) ** 3) / y.std(ddof=1) ** 3
        tb.append(np.sqrt(nb) * (s + g * s ** 2 / 3 + g / (6 * nb)))
    tb = np.array(tb)
    assert 400 < len(tb) < 500
    p = 2 * min(np.mean(tb <= tsa), np.mean(tb >= tsa))
    np.testing.assert_allclose(t.loc["boot_skew_adj_t", "p_value"], p, rtol=1e-12)
    np.testing.assert_allclose(t.loc["wilcoxon", "p_value"], stats.wilcoxon(x).pvalue, rtol=1e-9)
    assert (t["n_events"] == len(x)).all()
    g = b.tests(group="x")
    assert g["n_events"].iloc[0] == (b.bhar["group"] == "x").sum()


def test_skewness_adjustment_corrects_a_skewed_sample():
    """Skewness pulls the t statistic: for a positively skewed sample with mean zero, the
    adjusted t is above the conventional one (the correction terms are positive)."""
    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 1, 200)
    x = x - x.mean() + 0.01
    t_sa, s, g = bh.skewness_adjusted_t(x)
    assert g > 1 and t_sa > np.sqrt(len(x)) * s
    np.testing.assert_allclose(t_sa, _skew_t(x), rtol=1e-12)


def test_result_without_prices_needs_them(study):
    events, prices, res = study
    from analysis.core.engine import run_engine

    bare = run_engine(events, prices=prices, estimation_window=EST, event_window=EVT)
    with pytest.raises(InputError, match="prices="):
        bare.bhar(W)
    np.testing.assert_allclose(bare.bhar(W, prices=prices).bhar["bhar"], res.bhar(W).bhar["bhar"])


def test_events_skipped_by_the_return_study_still_get_a_bhar():
    """A listing too young for an estimation window has a day 0 and a BHAR."""
    events, prices = _panel()
    young = events.assign(event_date=prices.index[[60] + [200] * 9])
    res = analysis.run_event_study(young, prices=prices, estimation_window=EST, event_window=EVT)
    assert res.diagnostics.loc[0, "status"] == "skipped"
    assert res.bhar(W).table.loc[0, "status"] == "ok"


def test_one_year_of_xiaomi_against_the_csv(prices_dir):
    s = analysis.run_study(pd.DataFrame({"ticker": ["1810.HK", "601633.SS"], "market": ["^HSI", "000001.SS"],
                                         "event_date": "2021-03-26"}), prices_dir=prices_dir, progress=False)
    b = s.result.bhar((1, 250))
    src = analysis.CsvFolderSource(prices_dir)
    x, hsi = src.load("1810.HK")["Adj Close"], src.load("^HSI")["Adj Close"]
    clock = hsi.index
    k0 = clock.get_loc(pd.Timestamp("2021-03-26"))
    end = clock[k0 + 250]
    row = b.table.iloc[0]
    assert row["end_date"] == end
    want = x[end] / x["2021-03-26"] - hsi[end] / hsi["2021-03-26"]
    np.testing.assert_allclose(row["bhar"], want, rtol=1e-10)
    # the A share's file ends 2022-01-14, inside its year: flagged, proceeds in the index
    a = b.table.iloc[1]
    assert bool(a["delisted"]) and a["last_price_date"] == pd.Timestamp("2022-01-14")
    assert "prices end inside the window" in b.summary()


def test_grouped_tests_equal_separate_runs():
    """All groups at once: the same statistics as each group alone (the bootstrap's draws
    differ, its p-value is a probability)."""
    rng = np.random.default_rng(9)
    x = rng.lognormal(0, 0.5, 90) - 1.1
    codes = np.repeat([0, 1, 2], [40, 30, 20])
    res = bh.grouped_bhar_tests(x, codes, n_boot=300, seed=1)
    for j in range(3):
        one = bh.grouped_bhar_tests(x[codes == j], n_boot=300, seed=1)
        for name in ("t", "skew_adj_t", "sign_z", "wilcoxon"):
            np.testing.assert_allclose(res[name].statistic[j], one[name].statistic, rtol=1e-12)
            np.testing.assert_allclose(res[name].p_value[j], one[name].p_value, rtol=1e-12)
        assert 0 <= res["boot_skew_adj_t"].p_value[j] <= 1
    assert list(res["t"].n_events) == [40, 30, 20]


def test_a_duplicate_event_is_left_out_as_in_the_return_study(study):
    events, prices, _ = study
    twice = pd.concat([events, events.iloc[[3]].assign(event_id="again")], ignore_index=True)
    res = analysis.run_event_study(twice, prices=prices, estimation_window=EST, event_window=EVT)
    t = res.bhar(W).table.set_index("event_id")
    assert t.loc["again", "status"] == "skipped" and t.loc["again", "reason"].startswith("duplicate of e3")
    assert t.loc["e3", "status"] == "ok"


def test_a_split_like_jump_in_the_holding_window_is_a_warning(study):
    events, prices, _ = study
    p = prices.copy()
    d0 = p.index.get_loc(analysis.run_event_study(events, prices=p, estimation_window=EST,
                                                  event_window=EVT).diagnostics.loc[6, "day0"])
    p.iloc[d0 + 30:, 6] = p.iloc[d0 + 30:, 6] / 10          # an unadjusted 10:1 split on day 30
    res = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT)
    t = res.bhar(W).table.set_index("event_id")
    assert t.loc["e6", "status"] == "ok" and "10:1 split" in t.loc["e6", "warnings"]
    assert (t.drop(index="e6")["warnings"].fillna("") == "").all()
