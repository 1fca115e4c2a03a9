"""The speed devices give the same numbers as the plain way.

Blocks on threads, integer sort keys for the rank tests, contiguous-slice windows and the
running count that finds day 0 are each checked against a straightforward computation
(scipy's rankdata, numpy's searchsorted, the index-array path of the engine).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import config
from analysis.core import arrays, blocks, checks, engine, statistics
from analysis.errors import ConfigError


# --------------------------------------------------------------------------- threads setting

def test_threads_setting(monkeypatch):
    monkeypatch.setenv("ANALYSIS_THREADS", "3")
    assert config.threads() == 3
    assert config.threads(1) == 1
    monkeypatch.delenv("ANALYSIS_THREADS")
    assert config.threads() >= 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("ANALYSIS_THREADS", bad)
        with pytest.raises(ConfigError, match="ANALYSIS_THREADS"):
            config.threads()


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_sum_blocks_equals_direct_sums(threads):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2500, 7))
    total, count = blocks.sum_blocks(lambda rows: (x[rows].sum(axis=0), np.array([len(x[rows])])),
                                     len(x), size=300, threads=threads)
    np.testing.assert_allclose(total, x.sum(axis=0), rtol=1e-12)
    assert count[0] == len(x)
    (hi,) = blocks.sum_blocks(lambda rows: (x[rows].max(axis=0),), len(x), size=300,
                              threads=threads, combine=np.maximum)
    np.testing.assert_array_equal(hi, x.max(axis=0))


@pytest.mark.parametrize("n_blocks", [3, 7, 8, 13])
def test_sum_blocks_are_the_same_numbers_whatever_thread_takes_a_block(n_blocks):
    """Blocks go to whichever thread is free; the results are combined in a fixed tree over
    the blocks' order: bit for bit the same sums with 1, 2 or 3 threads and any timing, and
    equal to that tree written out (at least 3 blocks of 200 rows: fewer rows are cut into
    one block per thread)."""
    import time

    rng = np.random.default_rng(n_blocks)
    x = rng.normal(size=(n_blocks * 200, 5)) * 10.0 ** rng.integers(-8, 8, (n_blocks * 200, 1))
    parts = blocks.blocks(len(x), 200)
    assert len(parts) == n_blocks

    def slow_first(rows):            # the first blocks finish last: out-of-order results
        if rows.start < 400:
            time.sleep(0.01)
        return (x[rows].sum(axis=0),)

    def tree(lo, hi):                # blocks lo..hi-1 as the sum's tree pairs them
        if hi - lo == 1:
            return x[parts[lo]].sum(axis=0)
        half = 1 << ((hi - lo - 1).bit_length() - 1)
        return tree(lo, lo + half) + tree(lo + half, hi)

    want = tree(0, n_blocks)
    for threads in (1, 2, 3):
        (got,) = blocks.sum_blocks(slow_first, len(x), size=200, threads=threads)
        np.testing.assert_array_equal(got, want)

    def boom(rows):
        if rows.start == 200 * (n_blocks - 1):
            raise ValueError("last block")
        return (x[rows].sum(axis=0),)

    with pytest.raises(ValueError, match="last block"):
        blocks.sum_blocks(boom, len(x), size=200, threads=2)


def test_map_blocks_keeps_order_and_raises():
    assert blocks.map_blocks(lambda i: i * i, range(20), threads=4) == [i * i for i in range(20)]

    def boom(i):
        if i == 7:
            raise ValueError("block 7")
        return i

    with pytest.raises(ValueError, match="block 7"):
        blocks.map_blocks(boom, range(10), threads=2)
    assert blocks.blocks(0) == [slice(0, 0)]
    assert blocks.blocks(5, 2) == [slice(0, 2), slice(2, 4), slice(4, 5)]
    # small inputs: one block per thread, of at least MIN_BLOCK rows
    assert blocks.blocks(1000, 1024, threads=2) == [slice(0, 500), slice(500, 1000)]
    assert blocks.blocks(200, 1024, threads=4) == [slice(0, 128), slice(128, 200)]
    assert blocks.blocks(5000, 1024, threads=2)[0] == slice(0, 1024)


# --------------------------------------------------------------------------- rank keys

@pytest.mark.parametrize("with_nan", [False, True])
def test_sorted_keys_order_values_and_carry_columns(with_nan):
    x = np.array([[0.5, -0.0, 0.0, -2.0, 1e300, -1e300, 7.0, 1e-300, -1e-300, 3.0, -4.0]])
    if with_nan:                       # the integer path also orders infinities
        x[0, [4, 5, 6, 10]] = [np.inf, -np.inf, np.nan, -np.nan]
    orig = x.copy()
    fin = ~np.isnan(x)
    key, bits = statistics._sorted_keys(x, fin if with_nan else None)   # x holds the keys
    order = key & ((1 << bits) - 1)
    got = orig[0, order[0]]
    n_nan = int((~fin).sum())
    assert np.isnan(got[len(got) - n_nan:]).all()
    assert list(got[:len(got) - n_nan]) == sorted(orig[fin])
    # -0.0 and +0.0 are the same value: their high parts tie; so do the NaNs
    hi = key >> bits
    zeros = np.flatnonzero(got == 0.0)
    assert len(zeros) == 2 and hi[0, zeros[0]] == hi[0, zeros[1]]
    if with_nan:
        assert hi[0, -1] == hi[0, -2]


def _brute_rank_sums(est, gsar, evt):
    """Column sums of the centred ranks, computed row by row with scipy's rankdata."""
    n, le = est.shape
    comb = np.concatenate([est, evt], axis=1)
    c = np.zeros(comb.shape[1])
    gr = np.zeros(le + 1)
    for i in range(n):
        ok = ~np.isnan(comb[i])
        r = stats.rankdata(comb[i][ok])
        c[ok] += r / (ok.sum() + 1) - 0.5
        e = np.append(est[i], gsar[i])
        oke = ~np.isnan(e)
        t = (~np.isnan(est[i])).sum() + 1
        re = stats.rankdata(e[oke])
        gr[oke] += re / (t + 1) - 0.5
    return c, gr


@pytest.mark.parametrize("kind", ["continuous", "ties", "one-ulp", "nan", "zeros", "infinite"])
def test_rank_block_equals_rankdata(kind):
    rng = np.random.default_rng(3)
    n, le, lw = 40, 60, 7
    est, evt, gsar = rng.normal(size=(n, le)), rng.normal(size=(n, lw)), rng.normal(size=n)
    if kind == "ties":
        est, evt, gsar = np.round(est, 1), np.round(evt, 1), np.round(gsar, 1)
    if kind == "zeros":          # -0.0 and +0.0 are one value; the GSAR ties an estimation value
        est[:5, 0], est[:5, 1], evt[5:9, 0] = -0.0, 0.0, -0.0
        gsar[10:14] = est[10:14, 7]
    if kind == "one-ulp":        # distinct values closer than the keys resolve: exact ranks
        est[:, 1] = np.nextafter(est[:, 0], np.inf)
        evt[:, 0] = np.nextafter(est[:, 2], -np.inf)
        gsar = np.nextafter(est[:, 3], np.inf)
    if kind == "nan":
        est[rng.random(est.shape) < 0.1] = np.nan
        evt[rng.random(evt.shape) < 0.1] = np.nan
        gsar[:3] = np.nan
        gsar[3:5] = [np.inf, -np.inf]             # infinite values are ranked, not dropped
    if kind == "infinite":       # no NaN: each infinity (first column or not) found after the sort
        est[0, 0], est[1, 0], est[2, 5], est[3, 5], evt[4, 0], gsar[5] = np.inf, -np.inf, np.inf, -np.inf, np.inf, -np.inf
    cs, cc, gs, gc = statistics._rank_block(est, evt, gsar, np.zeros(n, dtype=np.intp), 1)
    c_ref, g_ref = _brute_rank_sums(est, gsar, evt)
    np.testing.assert_allclose(cs[0], c_ref, atol=1e-12)
    np.testing.assert_allclose(gs[0], g_ref, atol=1e-12)
    np.testing.assert_array_equal(cc[0], (~np.isnan(np.concatenate([est, evt], axis=1))).sum(axis=0))
    np.testing.assert_array_equal(gc[0], (~np.isnan(np.column_stack([est, gsar]))).sum(axis=0))
    # per group (and with the estimation values given unscaled plus their scale)
    codes = rng.integers(0, 3, n)
    scale = 2.0 ** rng.integers(-2, 3, n)             # exact: ties stay ties
    cs, cc, gs, gc = statistics._rank_block(est * scale[:, None], evt, gsar, codes, 3, est_scale=scale)
    for j in range(3):
        c_ref, g_ref = _brute_rank_sums(est[codes == j], gsar[codes == j], evt[codes == j])
        np.testing.assert_allclose(cs[j], c_ref, atol=1e-12)
        np.testing.assert_allclose(gs[j], g_ref, atol=1e-12)
        np.testing.assert_array_equal(
            gc[j], (~np.isnan(np.column_stack([est, gsar])[codes == j])).sum(axis=0))


def test_rank_sums_of_a_large_block_equal_the_sums_of_small_blocks():
    # a block too large for one exact packed sum is summed in halves; ties and a second
    # group go along
    rng = np.random.default_rng(11)
    n, le, lw = 17000, 240, 10
    est, evt, gsar = rng.normal(size=(n, le)), rng.normal(size=(n, lw)), rng.normal(size=n)
    est[::997, 3] = est[::997, 5]                      # tied rows, ranked exactly
    codes = (rng.random(n) < 0.3).astype(np.intp)
    whole = statistics._rank_block(est, evt, gsar, codes, 2)
    parts = [statistics._rank_block(est[lo:lo + 1024], evt[lo:lo + 1024], gsar[lo:lo + 1024],
                                    codes[lo:lo + 1024], 2) for lo in range(0, n, 1024)]
    for got, want in zip(whole, (sum(p[i] for p in parts) for i in range(4))):
        # centred sums near 0: the bound is relative to the uncentred sums (about n / 2)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13 * n)


def test_reading_order_is_the_stable_order_of_the_starts():
    # an unstable sort of unique keys (start, row): the stable order, ties by row; kept for the
    # next call on the same residuals
    starts = np.random.default_rng(2).integers(0, 3000, 20000)      # many ties
    res = arrays.FitResiduals(np.zeros(4000), np.zeros((4000, 1)), starts, 5, np.zeros(20000),
                              np.zeros((20000, 1)), np.zeros((20000, 1)))
    got = statistics._reading_order(res, None)
    np.testing.assert_array_equal(got, np.argsort(starts, kind="stable"))
    assert statistics._reading_order(res, None) is got
    sub = np.arange(0, 20000, 3)
    np.testing.assert_array_equal(statistics._reading_order(res, sub), np.argsort(starts[sub], kind="stable"))


def test_tests_do_not_depend_on_threads(monkeypatch):
    from tests.synthetic_events import simulate

    arrays = simulate(3000, seed=5)[0]
    out = {}
    for t in ("1", "2"):
        monkeypatch.setenv("ANALYSIS_THREADS", t)
        out[t] = statistics.run_tests(arrays, (-1, 1))
    pd.testing.assert_frame_equal(out["1"], out["2"], rtol=1e-12)


# --------------------------------------------------------------------------- engine paths

@pytest.mark.parametrize("size_factor", [1, 3, 100])
def test_count_before_equals_searchsorted(size_factor):
    rng = np.random.default_rng(size_factor)
    size = 1000 * size_factor
    flat = np.sort(rng.choice(size, 700, replace=False))
    x = rng.integers(0, size + 1, 300)
    np.testing.assert_array_equal(engine._count_before(flat, x, size), np.searchsorted(flat, x))
    every = np.arange(size)
    np.testing.assert_array_equal(engine._count_before(every, x, size), np.searchsorted(every, x))


def test_windows_are_the_slices():
    v = np.arange(50.0)
    f = np.arange(100.0).reshape(50, 2)
    start = np.array([0, 7, 40])
    np.testing.assert_array_equal(arrays.windows(v, start, 10), [v[s:s + 10] for s in start])
    np.testing.assert_array_equal(arrays.windows(f, start, 10), [f[s:s + 10] for s in start])


def test_window_rows_read_like_the_array():
    v = np.arange(100, dtype=np.int64) * 3
    start = np.array([5, 0, 40, 77])
    full = np.array([v[s:s + 20] for s in start])
    w = arrays.WindowRows(v, start, 20)
    assert w.shape == full.shape and len(w) == 4 and w.dtype == v.dtype
    np.testing.assert_array_equal(np.asarray(w), full)
    np.testing.assert_array_equal(w[2], full[2])
    np.testing.assert_array_equal(w[1:3], full[1:3])
    mask = np.array([True, False, True, True])
    np.testing.assert_array_equal(w[mask], full[mask])
    np.testing.assert_array_equal(w[mask, 3:7], full[mask, 3:7])
    np.testing.assert_array_equal(w[3, 2], full[3, 2])
    sub = arrays.rows_of(w, mask)
    assert isinstance(sub, arrays.WindowRows)
    np.testing.assert_array_equal(np.asarray(sub), full[mask])
    np.testing.assert_array_equal(arrays.rows_of(full, mask), full[mask])
    w[0][:] = -1                                   # a row is a copy: the series is untouched
    assert v[5] == 15
    # everything else acts on the whole array
    np.testing.assert_array_equal(w >= 30, full >= 30)
    np.testing.assert_array_equal(w[full > 100], full[full > 100])
    np.testing.assert_array_equal(w[..., 0], full[..., 0])
    np.testing.assert_array_equal(w[[0, 2], 3], full[[0, 2], 3])
    np.testing.assert_array_equal(w.ravel(), full.ravel())
    assert w.max() == full.max()
    with pytest.raises(ValueError, match="copy"):
        np.asarray(w, copy=False)


def test_constant_rows():
    x = np.array([[1.0, 1, 1, 1, 1], [1, 2, 1, 3, 1], [0, 0, 0, 0, 0], [1, 1, 1, 1, 2]])
    assert list(engine._constant_rows(x)) == [True, False, True, False]
    assert list(engine._constant_rows(x, complete=True)) == [True, False, True, False]


@pytest.mark.parametrize("model", ["market", "market_adjusted", "constant_mean"])
def test_slice_path_equals_index_path(model):
    """Windows read as slices (no exclusions) and through index arrays (an exclusion list that
    removes nothing) give the same fit and abnormal returns."""
    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2020-01-01", periods=400)
    rm = rng.normal(0, 0.01, len(dates))
    returns = pd.DataFrame({"MKT": rm, "A": 0.9 * rm + rng.normal(0, 0.02, len(dates)),
                            "B": 1.2 * rm + rng.normal(0, 0.02, len(dates))}, index=dates)
    returns.iloc[[150, 151, 300], 1] = np.nan                    # gaps in A's series
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(6)],
                           "ticker": ["A", "B", "A", "B", "A", "B"], "market": "MKT",
                           "event_date": dates[[200, 210, 320, 330, 380, 250]]})
    kw = dict(model=model, estimation_window=(-150, -11), event_window=(-5, 5))
    fast = engine.run_engine(events, returns, **kw)
    nothing = pd.DataFrame({"event_id": ["e0"], "date": [pd.Timestamp("1990-01-01")]})
    slow = engine.run_engine(events, returns, exclude=nothing, **kw)
    pd.testing.assert_frame_equal(fast.diagnostics, slow.diagnostics)
    pd.testing.assert_frame_equal(fast.abnormal_returns, slow.abnormal_returns)
    np.testing.assert_array_equal(fast.arrays.est_dates, slow.arrays.est_dates)


# --------------------------------------------------------------------------- r-bar from runs

def _overlapping_study(model, n_events=300, seed=5):
    """Many events on few stocks (their estimation windows overlap heavily), so that the
    residual runs are shorter to sum over than the cells and the runs path is taken."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=300)
    common = rng.normal(0, 0.01, len(dates))             # a shared shock: r-bar clearly > 0
    rm = rng.normal(0.0004, 0.01, len(dates))
    cols = {f"S{j}": rng.uniform(0.5, 1.5) * rm + 0.8 * common + rng.normal(0, 0.015, len(dates))
            for j in range(6)}
    returns = pd.DataFrame({"MKT": rm, **cols}, index=dates)
    day0 = rng.integers(130, 280, n_events)
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(n_events)],
                           "ticker": rng.choice(list(cols), n_events), "market": "MKT",
                           "event_date": dates[day0], "group": rng.choice(["a", "b"], n_events)})
    return engine.run_engine(events, returns, model=model, estimation_window=(-120, -11),
                                  event_window=(-5, 5))


@pytest.mark.parametrize("model", ["market", "market_adjusted", "constant_mean"])
def test_rbar_from_runs_equals_cell_sums(model):
    a = _overlapping_study(model).arrays
    assert a.runs is not None
    codes = (a.groups == "b").astype(np.int64)
    for groups, g in ((None, 1), (codes, 2)):
        c = np.zeros(a.n, dtype=np.int64) if groups is None else groups
        sums = statistics._calendar_sums_runs(a.runs, a.s, a.m.astype(float), a.k, a.est_ar.shape[1], c, g)
        assert sums is not None                                  # the runs path is taken
        fast = statistics.kp_rbar(a.est_ar, a.est_dates, groups, method="identity", runs=a.runs,
                                  s=a.s, m=a.m, k=a.k)
        plain = statistics.kp_rbar(a.est_ar, a.est_dates, groups, method="identity")
        assert np.all(np.asarray(plain) > 0.05)
        np.testing.assert_allclose(fast, plain, rtol=1e-10, atol=1e-13)


def test_rbar_runs_follow_the_tested_subset():
    """Events dropped from a window's tests (and a group's subset) drop out of the runs too."""
    res = _overlapping_study("market")
    a = res.arrays
    b = a.subset(a.groups == "a")
    assert len(b.runs.start) == b.n
    fast = statistics.kp_rbar(b.est_ar, b.est_dates, method="identity", runs=b.runs, s=b.s, m=b.m, k=b.k)
    plain = statistics.kp_rbar(b.est_ar, b.est_dates, method="identity")
    np.testing.assert_allclose(fast, plain, rtol=1e-10)
    whole = res.tests((-1, 1))
    no_runs = statistics.run_tests(dataclasses.replace(a, runs=None), (-1, 1))
    pd.testing.assert_frame_equal(whole, no_runs, check_exact=False, rtol=1e-10)


def test_gapless_returns_read_in_place_equal_the_gathered_series():
    """Returns without a gap are read straight from the panel; one extra date where a stock
    has no return (after every window) sends the same events through the gathering path."""
    rng = np.random.default_rng(8)
    dates = pd.bdate_range("2018-01-01", periods=500)
    rm = rng.normal(0, 0.01, len(dates))
    returns = pd.DataFrame({"MKT": rm, **{f"S{j}": rng.uniform(0.5, 1.5) * rm + rng.normal(0, 0.02, len(dates))
                                          for j in range(4)}}, index=dates)
    day0 = rng.integers(270, 480, 40)
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(40)],
                           "ticker": rng.choice(["S0", "S1", "S2", "S3"], 40),
                           "market": "MKT", "event_date": dates[day0]})
    gapped = pd.concat([returns, pd.DataFrame({"MKT": [0.001], "S0": [np.nan], "S1": [0.0], "S2": [0.0],
                                               "S3": [0.0]}, index=[dates[-1] + pd.offsets.BDay(1)])])
    kw = dict(estimation_window=(-250, -11), event_window=(-10, 10))
    fast = engine.run_engine(events, returns, **kw)
    slow = engine.run_engine(events, gapped, **kw)
    assert fast.n_ok == 40
    pd.testing.assert_frame_equal(fast.diagnostics, slow.diagnostics)
    pd.testing.assert_frame_equal(fast.abnormal_returns, slow.abnormal_returns)
    pd.testing.assert_frame_equal(fast.tests((-1, 1)), slow.tests((-1, 1)))


def test_wide_panel_copies_only_the_rows_windows_reach():
    """Few events per stock on a long panel: only each pair's reachable rows are copied. Same
    results as the gathering path, also for an event whose estimation window starts before the
    data, one on a weekend and ones skipped for the data's ends (same messages)."""
    rng = np.random.default_rng(9)
    dates = pd.bdate_range("2015-01-01", periods=1500)
    rm = rng.normal(0, 0.01, len(dates))
    cols = [f"S{j}" for j in range(30)]
    returns = pd.DataFrame({"MKT": rm, **{c: rng.uniform(0.5, 1.5) * rm + rng.normal(0, 0.02, len(dates))
                                          for c in cols}}, index=dates)
    day0 = list(rng.integers(300, 1400, 24)) + [150, 5, 1495]
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(27)],
                           "ticker": cols[:24] + ["S24", "S25", "S26"],
                           "market": "MKT", "event_date": dates[day0]})
    events.loc[3, "event_date"] = dates[day0[3]] + pd.offsets.Week(weekday=5)   # a Saturday
    extra = pd.DataFrame({"MKT": [0.001], **{c: [0.0] for c in cols}}, index=[dates[-1] + pd.offsets.BDay(1)])
    extra[["S0", "S25", "S26"]] = np.nan                   # the gap; the same data ends for e25, e26
    gapped = pd.concat([returns, extra])
    kw = dict(estimation_window=(-250, -11), event_window=(-10, 10), min_estimation_obs=100)
    fast = engine.run_engine(events, returns, **kw)
    slow = engine.run_engine(events, gapped, **kw)
    assert len(fast.estimates.series.dates) < 0.25 * 27 * len(dates)          # rows, not whole panels
    d = fast.diagnostics.set_index("event_id")
    assert fast.n_ok == 25 and list(d.index[d["status"] == "skipped"]) == ["e25", "e26"]
    assert d.loc["e3", "day0"].day_of_week == 0
    pd.testing.assert_frame_equal(fast.diagnostics, slow.diagnostics)
    pd.testing.assert_frame_equal(fast.abnormal_returns, slow.abnormal_returns)
    pd.testing.assert_frame_equal(fast.tests((-1, 1)), slow.tests((-1, 1)))
    np.testing.assert_array_equal(np.asarray(fast.arrays.est_dates), np.asarray(slow.arrays.est_dates))
    assert fast.ols("e24").nobs == slow.ols("e24").nobs == 140       # window cut by the data start
    # an event window that ends before day 0: day 0 is still among the copied rows
    kw = dict(estimation_window=(-120, -11), event_window=(-6, -3), min_estimation_obs=100)
    fast = engine.run_engine(events.iloc[:24], returns, **kw)
    slow = engine.run_engine(events.iloc[:24], gapped, **kw)
    assert len(fast.estimates.series.dates) < 0.25 * 24 * len(dates)
    pd.testing.assert_frame_equal(fast.diagnostics, slow.diagnostics)
    pd.testing.assert_frame_equal(fast.abnormal_returns, slow.abnormal_returns)


def test_tickers_that_hash_alike_stay_apart():
    col = pd.Series([1, 1.0, "1", True, " 2 ", None], dtype=object)
    assert list(engine._stripped(col)[:5]) == ["1", "1.0", "1", "True", "2"]
    assert pd.isna(engine._stripped(col)[5])


def test_event_with_every_estimation_day_excluded_is_skipped_quietly():
    import warnings

    rng = np.random.default_rng(4)
    dates = pd.bdate_range("2020-01-01", periods=400)
    rm = rng.normal(0, 0.01, len(dates))
    returns = pd.DataFrame({"MKT": rm, "A": rm + rng.normal(0, 0.02, len(dates))}, index=dates)
    events = pd.DataFrame({"event_id": ["e0", "e1"], "ticker": "A", "market": "MKT",
                           "event_date": dates[[300, 350]]})
    exclude = pd.DataFrame({"event_id": "e0", "date": dates[300 - 150:300 - 10]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = engine.run_engine(events, returns, estimation_window=(-150, -11), event_window=(-5, 5),
                                     exclude=exclude)
        res.tests((0, 0))
    d = res.diagnostics.set_index("event_id")
    assert d.loc["e0", "status"] == "skipped" and "too few estimation returns: 0" in d.loc["e0", "reason"]
    assert d.loc["e1", "status"] == "ok"


# --------------------------------------------------------------------------- distributions without scipy.stats

def test_t_and_normal_functions_equal_scipy_stats():
    x = np.r_[-np.inf, -40.0, -3.2, -1e-9, 0.0, 1e-300, 0.5, 1.96, 8.5, 38.0, np.inf, np.nan]
    for df in (1.0, 2.5, 9.0, 98.0, 238.0, 1e6, 0.0, -1.0, np.nan):
        np.testing.assert_array_equal(statistics.t_sf(x, df), stats.t.sf(x, df))
    dfs = np.array([1.0, 3.0, 30.0, 248.0, 0.0, np.nan])
    for q in (0.975, 0.5, 1e-12, 0.0, 1.0):
        np.testing.assert_array_equal(statistics.t_ppf(q, dfs), stats.t.ppf(q, dfs))
    np.testing.assert_array_equal(statistics.norm_sf(x), stats.norm.sf(x))
    assert np.isscalar(statistics.t_ppf(0.975, 10.0)) and statistics.t_ppf(0.975, 10.0) == stats.t.ppf(0.975, 10)


@pytest.mark.parametrize("n", [1, 2, 5, 13, 14, 30, 50, 51, 80, 333])
def test_wilcoxon_without_ties_equals_scipy(n):
    rng = np.random.default_rng(n)
    for shift in (0.0, 0.3, -1.5):
        x = rng.normal(shift, 1.0, n)
        got = statistics._wilcoxon_untied(x)
        want = stats.wilcoxon(x)
        assert got is not None
        assert got[0] == want.statistic and got[1] == want.pvalue, (n, shift, got, want)


def test_wilcoxon_groups_and_ties_equal_scipy():
    rng = np.random.default_rng(7)
    car = rng.normal(0.01, 0.05, 240)
    groups = np.repeat(["a", "b", "c"], [100, 100, 40])
    res = statistics.wilcoxon(car, groups)
    for j, g in enumerate(["a", "b", "c"]):
        want = stats.wilcoxon(car[groups == g])
        assert res.statistic[j] == want.statistic and res.p_value[j] == want.pvalue
    # a zero, or two equal absolute values: scipy decides (zero handling, tie correction)
    for bad in (np.r_[car[:60], 0.0], np.r_[car[:20], car[:3]], np.r_[car[:30], -car[:2]]):
        assert statistics._wilcoxon_untied(bad) is None
        got = statistics.wilcoxon(bad)
        want = stats.wilcoxon(bad)
        assert got.statistic == want.statistic and got.p_value == want.pvalue


@pytest.mark.parametrize("jumps", ["skip", "keep"])
def test_window_checks_of_two_halves_equal_the_whole_series(monkeypatch, jumps):
    # the engine checks a long series in two halves cut where a pair's series starts
    monkeypatch.setenv("ANALYSIS_THREADS", "2")
    rng = np.random.default_rng(4)
    pairs, length = 60, 2500
    total = pairs * length
    g_r = np.append(rng.normal(0, 0.02, total), np.nan)
    g_m = np.append(rng.normal(0, 0.01, total), np.nan)
    g_d = np.append(np.tile(np.arange(length, dtype=np.int64) + 15000, pairs), -1)
    breaks = np.zeros(total + 1, dtype=bool)
    breaks[::length] = True
    g_r[rng.choice(total, 40, replace=False)] = np.nan             # non-finite returns
    g_r[rng.choice(total, 40, replace=False)] = 1.0                 # doubled prices: splits
    spike = rng.choice(np.arange(0, total, length) + length - 3, 10, replace=False)
    g_r[spike], g_r[spike + 1] = 0.8, -0.45                         # undone across a series end
    g_m[length - 1::length] = np.inf                                # the last day of every series
    # windows anywhere in their series, and windows that end on its last day
    base = np.concatenate([p * length + np.append(rng.integers(260, length - 20, 400), length - 11)
                           for p in range(pairs)])
    lo, hi = base - 260, base + 10
    loc = dataclasses.make_dataclass("Loc", ["g_r", "g_m", "g_d", "breaks"])(g_r, g_m, g_d, breaks)
    names = (lambda w: (f"S{w}", "MKT"))
    got = engine._window_problems(loc, lo, hi, names, "simple", jumps)
    want = checks.window_problems(g_r, g_m, g_d, breaks, lo, hi, names, "simple", jumps)
    assert pd.notna(want[0]).sum() > 50 + pairs
    assert list(got[0]) == list(want[0])
    assert list(got[1]) == list(want[1]) and list(got[2]) == list(want[2])


def test_identical_rows_equals_pairwise_comparison():
    from analysis.core.checks import identical_rows

    rng = np.random.default_rng(3)
    ar = rng.normal(size=(300, 5))
    res = rng.normal(size=(300, 40))
    ar[[10, 50, 120, 200]] = ar[7]                  # same event-window ARs ...
    res[[50, 200]] = res[7]                         # ... and the same residuals for two of them
    res[120] = res[10]                              # 120 equals 10 (not 7) in both windows
    ar[30, 2] = res[30, 1] = np.nan
    ar[31], res[31] = ar[30], res[30]               # NaN equal to NaN
    rows = rng.permutation(300)[:250]

    def plain(rows):
        out = np.full(len(rows), -1)
        for i in range(len(rows)):
            for j in range(i):
                if all(np.array_equal(x[rows[i]], x[rows[j]], equal_nan=True) for x in (ar, res)):
                    out[i] = j
                    break
        return out

    for r in (np.arange(300), rows):
        np.testing.assert_array_equal(identical_rows(ar, res, rows=r), plain(r))
    # the engine compares only rows whose first AR another row shares: the same answer
    ar[[60, 61, 62], 0] = ar[7, 0]                  # first AR shared, the rest differs
    ar[[70, 71], 0], ar[71, 1:] = [0.0, -0.0], ar[70, 1:]   # -0.0 is 0.0
    res[71] = res[70]
    ar[[80, 81], 0], ar[81, 1:], res[81] = np.nan, ar[80, 1:], res[80]
    for r in (np.arange(300), rows, np.array([3]), np.arange(0)):
        np.testing.assert_array_equal(engine._identical_windows(ar, res, r), plain(r))
    assert (engine._identical_windows(ar, res, np.arange(300))[[71, 81]] == [70, 80]).all()


def test_first_of_key_equals_unique():
    key = np.random.default_rng(8).integers(0, 50, 400)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    want = np.where(first[inverse] < np.arange(400), first[inverse], -1)
    np.testing.assert_array_equal(engine._first_of_key(key), want)
    assert len(engine._first_of_key(np.zeros(0, dtype=np.int64))) == 0


@pytest.mark.parametrize("pattern", ["few", "alternating", "none", "all", "ends"])
def test_compact_rows_equals_boolean_indexing(pattern):
    rng = np.random.default_rng(11)
    a = rng.normal(size=(5000, 7))
    keep = {"few": rng.random(5000) > 0.01, "alternating": np.arange(5000) % 2 == 0,
            "none": np.zeros(5000, bool), "all": np.ones(5000, bool),
            "ends": np.r_[np.zeros(10, bool), np.ones(4980, bool), np.zeros(10, bool)]}[pattern]
    want = a[keep]
    got = arrays.compact_rows(a.copy(), keep)
    np.testing.assert_array_equal(got, want)
    cut = arrays.compact_rows(a.copy(), keep, shrink=True)         # the array itself, cut to the kept rows
    np.testing.assert_array_equal(cut, want)
    assert cut.flags.owndata or keep.all()
    view = arrays.compact_rows(a.copy()[:, :5], keep, shrink=True)  # not its own memory: a view as before
    np.testing.assert_array_equal(view, want[:, :5])
