"""Buy-and-hold abnormal returns (analysis.core.bhar): every BHAR against a plain per-event
computation from the prices (pandas lookups, written here), with days without a price, a
stock whose prices end inside the window under each delisting rule, a window past the data, a
reference portfolio given as returns; the tests against formulas written out here (Lyon,
Barber & Tsai 1999) and scipy; and one year of 1810.HK against the CSV files."""

from __future__ import annotations

import re

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


def _with_split(prices, column, at, factor=10):
    p = prices.copy()
    p.iloc[at:, column] = p.iloc[at:, column] / factor      # an unadjusted split on row `at`
    return p


def test_a_split_in_the_holding_window_skips_the_event_with_the_study_reason(study):
    """An unadjusted 10:1 split on day 30 of the holding window: skipped (never a BHAR of -0.9),
    with the reason the return study gives for the same split inside its event window."""
    events, prices, res = study
    d0 = prices.index.get_loc(res.diagnostics.loc[6, "day0"])
    p = _with_split(prices, 6, d0 + 30)
    t = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT).bhar(W).table
    t = t.set_index("event_id")
    assert t.loc["e6", "status"] == "skipped" and np.isnan(t.loc["e6", "bhar"])
    assert re.match(rf"price jump: S6 price x0\.1\d* \(an unadjusted 10:1 split\?\) on "
                    rf"{prices.index[d0 + 30]:%Y-%m-%d}: ", t.loc["e6", "reason"]), t.loc["e6", "reason"]
    assert (t.drop(index="e6")["status"] == res.bhar(W).table.set_index("event_id").drop(index="e6")["status"]).all()
    # the same split on day 2, inside the study's event window too: the same reason in both
    p2 = _with_split(prices, 6, d0 + 2)
    r2 = analysis.run_event_study(events, prices=p2, estimation_window=EST, event_window=EVT)
    assert r2.bhar(W).table.loc[6, "reason"] == r2.diagnostics.loc[6, "reason"]
    assert r2.diagnostics.loc[6, "reason"].startswith("price jump: S6 price x0.") and "10:1 split" in r2.diagnostics.loc[6, "reason"]


def test_a_kept_jump_is_a_warning_and_compounds(study):
    """jumps='keep' (the study's setting, or the call's): the event keeps its BHAR, compounded
    through the jump as the plain computation does, with the jump in its warnings."""
    events, prices, res = study
    d0 = prices.index.get_loc(res.diagnostics.loc[6, "day0"])
    p = _with_split(prices, 6, d0 + 30)
    kept = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT, jumps="keep")
    for table in (kept.bhar(W).table,
                  analysis.run_event_study(events, prices=p, estimation_window=EST,
                                           event_window=EVT).bhar(W, jumps="keep").table):
        t = table.set_index("event_id")
        assert t.loc["e6", "status"] == "ok" and "10:1 split" in t.loc["e6", "warnings"]
        want = _reference(events, p, pd.DatetimeIndex(kept.diagnostics["day0"]))["e6"][0]
        np.testing.assert_allclose(t.loc["e6", "bhar"], want, rtol=1e-10)
        assert (t.drop(index="e6")["warnings"].fillna("") == "").all()


def test_a_market_jump_and_a_tiny_price_in_the_holding_window(study):
    """The market halving in a day (an unadjusted split of the index) skips every event holding
    across it, and no other; a price of 5e-324 (an
    infinite return) skips its event as a non-finite return, named with the date."""
    events, prices, res = study
    day0 = pd.DatetimeIndex(res.diagnostics["day0"])
    p = prices.copy()
    crash = p.index.get_loc(day0[0]) + 40
    p.iloc[crash:, p.columns.get_loc("MKT")] = p.iloc[crash:, p.columns.get_loc("MKT")] / 2
    t = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT).bhar(W).table
    clock = p.index
    held = [(clock.get_loc(d) + 1 <= crash <= clock.get_loc(d) + W[1]) for d in day0]
    for i, row in t.iterrows():
        if held[i] and res.bhar(W).table.loc[i, "status"] == "ok":
            # the stock net of the market is checked first (as in the engine): either leg names the day
            assert re.match(rf"price jump: (S\d|MKT) price x[\d.]+ on {clock[crash]:%Y-%m-%d}", row["reason"]), \
                row["reason"]
        else:
            assert row["status"] == res.bhar(W).table.loc[i, "status"]
    assert sum(held) >= 2
    p = prices.copy()
    tiny = prices.index.get_loc(day0[3]) + 20
    p.iloc[tiny, 3] = 5e-324
    t = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT).bhar(W).table
    assert t.loc[3, "status"] == "skipped"
    assert t.loc[3, "reason"] == f"non-finite return of S3 on {prices.index[tiny + 1]:%Y-%m-%d} (a zero, tiny or huge price)"


def test_duplicates_are_judged_over_the_holding_window(study):
    """Twins over the study's windows whose holding windows differ both get a BHAR; events whose
    holding windows are identical but whose estimation windows differ are duplicates here."""
    events, prices, res = study
    d0 = prices.index.get_loc(res.diagnostics.loc[1, "day0"])
    rng = np.random.default_rng(1)
    p = prices.copy()
    # T1: S1 to day 5, then its own path (the study sees twins, the holding window does not)
    drift = np.r_[np.ones(d0 + 6), np.cumprod(1 + rng.normal(0, 0.01, len(p) - d0 - 6))]
    p["T1"] = p["S1"] * drift
    # U1: its own path before day -20, S1's returns from then on (the holding window is S1's)
    p["U1"] = p["S1"] * np.r_[np.cumprod(1 + rng.normal(0, 0.02, d0 - 20)), np.ones(len(p) - d0 + 20)]
    more = pd.concat([events, events.iloc[[1, 1]].assign(event_id=["twin", "late"], ticker=["T1", "U1"])],
                     ignore_index=True)
    r = analysis.run_event_study(more, prices=p, estimation_window=EST, event_window=EVT)
    d = r.diagnostics.set_index("event_id")
    assert d.loc["twin", "reason"] == "duplicate of e1 (identical returns in both windows)"
    assert d.loc["late", "status"] == "ok"
    t = r.bhar(W).table.set_index("event_id")
    assert t.loc["twin", "status"] == "ok" and t.loc["e1", "status"] == "ok"
    assert t.loc["late", "reason"] == "duplicate of e1 (identical returns over the holding window)"
    assert r.bhar(W, duplicates="keep").table.set_index("event_id").loc["late", "status"] == "ok"


def test_a_late_day0_skips_the_bhar_too(study):
    """Day 0 more than max_day0_delay sessions after the date asked for (the stock did not
    trade): the study's reason holds for the BHAR."""
    events, prices, res = study
    d0 = prices.index.get_loc(res.diagnostics.loc[8, "day0"])
    p = prices.copy()
    p.iloc[d0:d0 + 8, 8] = np.nan
    r = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT)
    reason = r.diagnostics.loc[8, "reason"]
    assert reason.startswith("no trade for 8 sessions")
    assert r.bhar(W).table.loc[8, "reason"] == reason


def test_a_halt_in_the_holding_window_is_a_gap_warning(study):
    """30 sessions without a trade inside the holding window: the event keeps its BHAR (the
    price carried across the halt, as the plain computation does) with a `gap` warning."""
    events, prices, res = study
    d0 = prices.index.get_loc(res.diagnostics.loc[9, "day0"])
    p = prices.copy()
    p.iloc[d0 + 10:d0 + 40, 9] = np.nan
    t = analysis.run_event_study(events, prices=p, estimation_window=EST, event_window=EVT).bhar(W).table
    assert t.loc[9, "status"] == "ok"
    assert t.loc[9, "warnings"] == ("gap: no trade for 30 sessions in a row inside the holding window (price "
                                    "carried: the return across it is trade to trade)")
    want = _reference(events, p, pd.DatetimeIndex(res.diagnostics["day0"]))["e9"]
    np.testing.assert_allclose(t.loc[9, "bhar"], want[0], rtol=1e-10)
    assert t.loc[9, "missing_days"] == want[4] == 30
