"""Cross-event tests: each statistic against a plain per-event reference written from the
paper's formula (loops, pandas, scipy), plus invariances that every correct test must show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.core import statistics as st
from analysis.errors import WindowError
from synthetic_events import market_model_arrays, simulate


@pytest.fixture(scope="module")
def sample():
    """40 events, partly overlapping calendars, a few missing estimation days, an effect."""
    arrays, _ = simulate(40, seed=11, le=120, event_window=(-5, 5), delta=0.004)
    rng = np.random.default_rng(5)
    # overlap: event i starts 7 * i days after event 0 (many pairs share >= 30 dates)
    total = 120 + 11
    dates = (np.arange(40)[:, None] * 7 + np.arange(total)[None, :]).astype(np.int64)
    r = np.concatenate([arrays.est_ar, arrays.evt_ar], axis=1)
    common = rng.standard_normal(dates.max() + 1)          # a calendar-date factor: r-bar > 0
    r = np.where(np.isnan(r), 0.0, r) + 0.01 * rng.standard_normal(r.shape) + 0.008 * common[dates]
    rm = 0.01 * rng.standard_normal(r.shape)
    r[rng.random(r.shape) < 0.02] = np.nan
    r[:, 120:] = np.where(np.isnan(r[:, 120:]), 0.001, r[:, 120:])    # full event windows
    return market_model_arrays(r, rm, estimation_window=(-125, -6), event_window=(-5, 5),
                               dates=dates)


# ----------------------------------------------------------------------------- references

def _car(a, t1, t2):
    cols = a.columns(t1, t2)
    return a.evt_ar[:, cols].sum(1), np.sqrt(a.car_variance(t1, t2))


def _ref_rbar(a, min_common=30):
    frame = pd.DataFrame({i: pd.Series(a.est_ar[i], index=a.est_dates[i]).dropna()
                          for i in range(a.n)})
    corr = frame.corr(min_periods=min_common).to_numpy()
    upper = corr[np.triu_indices(a.n, 1)]
    upper = upper[np.isfinite(upper)]
    return upper.mean() if len(upper) else 0.0


def _ref_rank_u(values):
    """U_t = rank / (T + 1) - 1/2 over the non-missing values of one event."""
    ok = np.isfinite(values)
    u = np.full(len(values), np.nan)
    u[ok] = stats.rankdata(values[ok]) / (ok.sum() + 1) - 0.5
    return u


def _ref_rank_z(u_rows, event_cols):
    """Campbell & Wasley (1993) / Cowan (1992) statistic from per-event centred ranks."""
    u = np.array(u_rows)
    n = len(u)
    nt = np.isfinite(u).sum(0)
    ubar = np.array([np.nanmean(u[:, t]) if nt[t] else np.nan for t in range(u.shape[1])])
    days = (nt > 0).sum()
    s2 = sum(nt[t] / n * ubar[t] ** 2 for t in range(u.shape[1]) if nt[t]) / days
    return sum(ubar[t] for t in event_cols) / np.sqrt(len(event_cols) * s2), days


def reference(a, t1, t2):
    car, sd = _car(a, t1, t2)
    scar = car / sd
    n = a.n
    out = {}
    out["csect_t"] = car.mean() / (car.std(ddof=1) / np.sqrt(n))
    aar_est = np.array([np.nanmean(a.est_ar[:, j]) for j in range(a.est_ar.shape[1])])
    cols = a.columns(t1, t2)
    caar = sum(a.evt_ar[:, j].mean() for j in range(cols.start, cols.stop))
    out["cda_t"] = caar / (np.sqrt(t2 - t1 + 1) * aar_est.std(ddof=1))
    var = [(m - a.k) / (m - a.k - 2) for m in a.m]
    out["patell_z"] = scar.sum() / np.sqrt(sum(var))
    out["bmp_t"] = scar.mean() / (scar.std(ddof=1) / np.sqrt(n))
    rbar = _ref_rbar(a)
    out["kp_patell_z"] = out["patell_z"] / np.sqrt(1 + (n - 1) * rbar)
    out["kp_bmp_t"] = out["bmp_t"] * np.sqrt((1 - rbar) / (1 + (n - 1) * rbar))
    est_sar = a.est_ar / a.s[:, None]
    evt_sar = a.evt_ar / a.evt_ar_sd
    u = [_ref_rank_u(np.concatenate([est_sar[i], evt_sar[i]])) for i in range(n)]
    le = est_sar.shape[1]
    out["corrado_rank_z"], _ = _ref_rank_z(u, [le + j for j in range(cols.start, cols.stop)])
    gsar = scar / scar.std(ddof=1)
    ug = [_ref_rank_u(np.concatenate([est_sar[i], [gsar[i]]])) for i in range(n)]
    z, days = _ref_rank_z(ug, [le])
    out["grank_t"] = z * np.sqrt((days - 2) / (days - 1 - z * z))
    w = (car > 0).sum()
    out["sign_z"] = (w - n / 2) / np.sqrt(n / 4)
    phat = np.mean([np.sum(a.est_ar[i] > 0) / np.isfinite(a.est_ar[i]).sum() for i in range(n)])
    out["generalized_sign_z"] = (w - n * phat) / np.sqrt(n * phat * (1 - phat))
    out["wilcoxon"] = stats.wilcoxon(car).statistic
    # skewness-corrected t (Hall 1992): gamma is scipy's adjusted sample skewness
    sk, gam = car.mean() / car.std(ddof=1), stats.skew(car, bias=False)
    out["skew_t"] = np.sqrt(n) * (sk + gam * sk ** 2 / 3 + gam ** 2 * sk ** 3 / 27 + gam / (6 * n))
    out["jackknife_t"] = _ref_jackknife(car, np.asarray(a.evt_dates)[:, cols.start])[0]
    signs = [_ref_signs(np.concatenate([a.est_ar[i], a.evt_ar[i]])) for i in range(n)]
    out["cz_sign_z"], _ = _ref_rank_z(signs, [le + j for j in range(cols.start, cols.stop)])
    out["boot_csect_t"] = out["csect_t"]
    out["boot_bmp_t"] = out["permutation_t"] = out["bmp_t"]
    return out, rbar, days


def _ref_jackknife(x, clusters):
    """Delete-one-cluster jackknife t of the mean, written out with a loop; (t, G)."""
    labels = list(dict.fromkeys(clusters.tolist()))
    loo = np.array([x[clusters != c].mean() for c in labels])
    g = len(labels)
    vj = (g - 1) / g * np.sum((loo - loo.mean()) ** 2)
    return x.mean() / np.sqrt(vj), g


def _ref_signs(values):
    """Corrado-Zivney signs of one event: sign(x - median) over its non-missing values."""
    ok = np.isfinite(values)
    out = np.full(len(values), np.nan)
    out[ok] = np.sign(values[ok] - np.median(values[ok]))
    return out


def _ref_rademacher(n, draws, seed):
    """The documented signs: bits of 64-bit words of np.random.default_rng(seed), little-endian,
    least significant bit first; w = 1 - 2 bit."""
    raw = np.random.default_rng(seed).integers(0, 2 ** 64, size=(draws, -(-n // 64)), dtype=np.uint64)
    bits = np.unpackbits(raw.astype("<u8").view(np.uint8), axis=1, bitorder="little")[:, :n]
    return 1.0 - 2.0 * bits


def _ref_resampled_p(x, draws, seed, center):
    """The resampling p-values written out: draw b multiplies (x - mean x) (wild bootstrap)
    or x (sign flips) by the signs of _ref_rademacher, t* by scipy, p = (1 + #) / (B + 1)."""
    w = _ref_rademacher(len(x), draws, seed)
    t = stats.ttest_1samp(x, 0.0).statistic
    y = x - x.mean() if center else x
    t_star = stats.ttest_1samp(w * y, 0.0, axis=1).statistic
    return (1 + np.sum(np.abs(t_star) >= abs(t))) / (draws + 1)


# ----------------------------------------------------------------------------- tests

@pytest.mark.parametrize("window", [(0, 0), (-1, 1), (-5, 5), (2, 4)])
def test_every_statistic_matches_reference(sample, window):
    ref, _, days = reference(sample, *window)
    got = st.run_tests(sample, window)
    assert list(got.index) == list(st.TEST_NAMES)
    assert list(got.columns) == ["statistic", "p_value", "n_events", "note"]
    assert (got["note"] == "").all()
    for name in st.TEST_NAMES:
        assert got.loc[name, "statistic"] == pytest.approx(ref[name], rel=1e-10, abs=1e-12), name
    assert (got["n_events"] == sample.n).all()
    # p-values from the stated distributions
    n = sample.n
    p = got["p_value"]
    norm2 = lambda z: 2 * stats.norm.sf(abs(z))  # noqa: E731
    t2 = lambda t, df: 2 * stats.t.sf(abs(t), df)  # noqa: E731
    for name in ("patell_z", "kp_patell_z", "corrado_rank_z", "sign_z", "generalized_sign_z"):
        assert p[name] == pytest.approx(norm2(ref[name]), rel=1e-9)
    for name in ("csect_t", "bmp_t", "kp_bmp_t"):
        assert p[name] == pytest.approx(t2(ref[name], n - 1), rel=1e-9)
    assert p["cda_t"] == pytest.approx(t2(ref["cda_t"], sample.est_ar.shape[1] - 1), rel=1e-9)
    assert p["grank_t"] == pytest.approx(t2(ref["grank_t"], days - 2), rel=1e-9)
    assert p["cz_sign_z"] == pytest.approx(norm2(ref["cz_sign_z"]), rel=1e-9)
    assert p["skew_t"] == pytest.approx(t2(ref["skew_t"], n - 1), rel=1e-9)
    assert p["jackknife_t"] == pytest.approx(t2(ref["jackknife_t"], n - 1), rel=1e-9)   # 40 dates
    car, sd = _car(sample, *window)
    for name, x, center in (("boot_csect_t", car, True), ("boot_bmp_t", car / sd, True),
                            ("permutation_t", car / sd, False)):
        assert p[name] == pytest.approx(_ref_resampled_p(x, 999, 12345, center), rel=1e-12), name


def test_t_tests_match_scipy(sample):
    car, sd = _car(sample, -1, 1)
    got = st.run_tests(sample, (-1, 1))
    for name, x in (("csect_t", car), ("bmp_t", car / sd)):
        res = stats.ttest_1samp(x, 0.0)
        assert got.loc[name, "statistic"] == pytest.approx(res.statistic, rel=1e-12)
        assert got.loc[name, "p_value"] == pytest.approx(res.pvalue, rel=1e-10)
    res = stats.wilcoxon(car)
    assert got.loc["wilcoxon", "statistic"] == res.statistic
    assert got.loc["wilcoxon", "p_value"] == pytest.approx(res.pvalue, rel=1e-12)


def test_hand_computed_tiny_example():
    """Three events, CARs 1, 2, 6 (sd 1, 1, 2): every number below is done by hand."""
    car = np.array([1.0, 2.0, 6.0])
    sd = np.array([1.0, 1.0, 2.0])
    # csect: mean 3, sd sqrt(7), t = 3 / (sqrt(7) / sqrt(3))
    assert st.csect_t(car).statistic == pytest.approx(3 / (np.sqrt(7) / np.sqrt(3)))
    # SCAR = 1, 2, 3; Patell with M - k = 12: var 12/10 each
    res = st.patell_z(car / sd, m=np.array([14, 14, 14]), k=2)
    assert res.statistic == pytest.approx(6 / np.sqrt(3 * 1.2))
    # BMP: mean 2, sd 1 -> t = 2 sqrt(3)
    assert st.bmp_t(car / sd).statistic == pytest.approx(2 * np.sqrt(3))
    # KP with r-bar 0.1, N = 3: factor 1.2
    assert st.kp_bmp_t(car / sd, 0.1).statistic == pytest.approx(2 * np.sqrt(3) * np.sqrt(0.9 / 1.2))
    assert st.kp_patell_z(car / sd, np.array([14] * 3), 2, 0.1).statistic == pytest.approx(
        6 / np.sqrt(3.6) / np.sqrt(1.2))
    # sign: w = 3 of 3: z = (3 - 1.5) / sqrt(0.75)
    assert st.sign_z(car).statistic == pytest.approx(1.5 / np.sqrt(0.75))
    # generalized sign: estimation signs 2/4, 1/4, 3/4 -> p_hat = 0.5
    est = np.array([[1, 1, -1, -1], [1, -1, -1, -1], [1, 1, 1, -1.0]])
    assert st.generalized_sign_z(car, est).statistic == pytest.approx(1.5 / np.sqrt(0.75))
    # CDA: estimation AARs 1, 1/3, -1/3, -1 (sd sqrt(20/27)); window AAR (1, 2, 6) mean 3
    res = st.cda_t(est, car[:, None])
    assert res.statistic == pytest.approx(3 / np.sqrt(np.var([1, 1 / 3, -1 / 3, -1], ddof=1)))
    assert res.p_value == pytest.approx(2 * stats.t.sf(res.statistic, 3))


def test_corrado_hand_example():
    """Two events, 3 estimation days + 1 event day, no ties: ranks written out by hand."""
    est = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.1]])
    evt = np.array([[0.9], [0.45]])
    # event 1 ranks (of 4): 2, 1, 3, 4 -> U = r/5 - 1/2 = -.1, -.3, .1, .3
    # event 2 ranks: 4, 2, 1, 3 -> .3, -.1, -.3, .1
    u = np.array([[-.1, -.3, .1, .3], [.3, -.1, -.3, .1]])
    ubar = u.mean(0)
    s = np.sqrt(np.mean(ubar ** 2))
    res = st.corrado_rank_z(est, evt, slice(0, 1))
    assert res.statistic == pytest.approx(ubar[3] / s)


def test_rbar_exact_matches_pandas_pairwise_correlation(sample):
    assert st.kp_rbar(sample.est_ar, sample.est_dates, method="exact") == pytest.approx(
        _ref_rbar(sample), rel=1e-10)
    # fewer than 30 common dates for every pair: r-bar is 0
    a, _ = simulate(10, seed=3, le=120)
    assert st.kp_rbar(a.est_ar, a.est_dates, method="exact") == 0.0


def test_rbar_identity_is_exact_when_dates_are_shared():
    a, reps = simulate(30, 4, seed=4, le=120, rho=0.2, common_date=True)
    exact = st.kp_rbar(a.est_ar, a.est_dates, reps, method="exact")
    ident = st.kp_rbar(a.est_ar, a.est_dates, reps, method="identity")
    np.testing.assert_allclose(ident, exact, rtol=1e-10)
    assert 0.1 < exact.mean() < 0.3           # it measures the injected correlation
    np.testing.assert_allclose(st.kp_rbar(a.est_ar, a.est_dates, reps), exact, rtol=1e-10)


def test_rbar_identity_close_to_exact_with_partial_overlap(sample):
    exact = st.kp_rbar(sample.est_ar, sample.est_dates, method="exact")
    ident = st.kp_rbar(sample.est_ar, sample.est_dates, method="identity")
    assert 0.05 < exact < 0.5                  # the calendar factor is seen
    assert abs(ident - exact) < 0.1 * exact


def test_sign_flip_flips_every_statistic(sample):
    flipped = _transform(sample, -1.0)
    a = st.run_tests(sample, (-1, 1))
    b = st.run_tests(flipped, (-1, 1))
    for name in st.TEST_NAMES:
        if name == "wilcoxon":
            assert b.loc[name, "statistic"] == pytest.approx(a.loc[name, "statistic"])
        elif name == "generalized_sign_z":
            continue          # p_hat becomes 1 - p_hat: covered below
        else:
            assert b.loc[name, "statistic"] == pytest.approx(-a.loc[name, "statistic"], rel=1e-10), name
        assert b.loc[name, "p_value"] == pytest.approx(a.loc[name, "p_value"], rel=1e-8), name
    car, _ = _car(sample, -1, 1)
    est = sample.est_ar
    assert st.generalized_sign_z(-car, -est).statistic == pytest.approx(
        -st.generalized_sign_z(car, est).statistic)


def test_scaling_leaves_every_statistic_unchanged(sample):
    scaled = _transform(sample, 7.5)
    a = st.run_tests(sample, (-2, 3))
    b = st.run_tests(scaled, (-2, 3))
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def _transform(a, c):
    from dataclasses import replace

    base = a.car_variance
    return replace(a, est_ar=c * a.est_ar, evt_ar=c * a.evt_ar, evt_ar_sd=abs(c) * a.evt_ar_sd,
                   s=abs(c) * a.s, car_variance=lambda t1, t2: c * c * base(t1, t2))


def test_groups_equal_separate_runs(sample):
    groups = np.array(["a", "b", "c"] * 13 + ["a"], dtype=object)
    by = st.run_tests_by_group(sample, (-1, 1), groups)
    for g in ("a", "b", "c"):
        alone = st.run_tests(sample.subset(groups == g), (-1, 1))
        pd.testing.assert_frame_equal(by.loc[g], alone, rtol=1e-10)


def test_untestable_events_are_left_out(sample):
    from dataclasses import replace

    evt = sample.evt_ar.copy()
    evt[0, 5] = np.nan                         # event 0 has no AR on day 0
    a = replace(sample, evt_ar=evt)
    got = st.run_tests(a, (-1, 1))
    assert (got["n_events"] == sample.n - 1).all()
    alone = st.run_tests(sample.subset(np.arange(sample.n) != 0), (-1, 1))
    pd.testing.assert_frame_equal(got, alone, rtol=1e-10)
    assert (st.run_tests(a, (2, 5))["n_events"] == sample.n).all()   # other windows keep it


def test_window_outside_event_window_is_an_error(sample):
    with pytest.raises(WindowError, match=r"\[-6, 0\]"):
        st.run_tests(sample, (-6, 0))
    with pytest.raises(WindowError):
        st.run_tests(sample, (2, 1))


def test_ties_get_average_ranks(sample):
    """Rows with tied values (repeated zeros, equal residuals) match the rankdata reference."""
    from dataclasses import replace

    est = sample.est_ar.copy()
    est[3, 10:14] = 0.0
    est[7, 20] = est[7, 40]
    est[7, 5] = np.nan
    tied = replace(sample, est_ar=est)
    ref, _, _ = reference(tied, -1, 1)
    got = st.run_tests(tied, (-1, 1))
    for name in ("corrado_rank_z", "grank_t"):
        assert got.loc[name, "statistic"] == pytest.approx(ref[name], rel=1e-10), name


def test_few_events_give_nan_not_errors():
    a, _ = simulate(1, seed=1, le=60)
    got = st.run_tests(a, (0, 0))
    assert np.isnan(got.loc["csect_t", "statistic"])
    assert np.isnan(got.loc["bmp_t", "p_value"])
    assert (got["n_events"] == 1).all()


def test_cda_sd_matches_the_result_bands(sample):
    """The AAR bands of results.aar() and cda_t use the same crude-dependence sd."""
    from analysis.core.results import aar_sd_cda

    sd, df = st.cda_sd(sample.est_ar)
    want_sd, want_df = aar_sd_cda(sample.est_ar)
    assert sd == pytest.approx(want_sd, rel=1e-12)
    assert df == want_df == sample.est_ar.shape[1] - 1


def test_public_test_functions_equal_run_tests(sample):
    """Each test's own function gives the run_tests number (one formula, one place)."""
    window = (-2, 2)
    got = st.run_tests(sample, window)
    car, sd = _car(sample, *window)
    scar = car / sd
    est_sar = sample.est_ar / sample.s[:, None]
    evt_sar = sample.evt_ar / sample.evt_ar_sd
    rbar = st.kp_rbar(sample.est_ar, sample.est_dates)
    own = {
        "csect_t": st.csect_t(car),
        "cda_t": st.cda_t(sample.est_ar, sample.evt_ar[:, sample.columns(*window)]),
        "patell_z": st.patell_z(scar, sample.m, sample.k),
        "bmp_t": st.bmp_t(scar),
        "kp_patell_z": st.kp_patell_z(scar, sample.m, sample.k, rbar),
        "kp_bmp_t": st.kp_bmp_t(scar, rbar),
        "corrado_rank_z": st.corrado_rank_z(est_sar, evt_sar, sample.columns(*window)),
        "grank_t": st.grank_t(est_sar, scar),
        "sign_z": st.sign_z(car),
        "generalized_sign_z": st.generalized_sign_z(car, sample.est_ar),
        "wilcoxon": st.wilcoxon(car),
        "skew_t": st.skew_t(car),
        "jackknife_t": st.jackknife_t(car, np.asarray(sample.evt_dates)[:, sample.columns(*window).start]),
        "cz_sign_z": st.cz_sign_z(sample.est_ar, sample.evt_ar, sample.columns(*window)),
        "boot_csect_t": st.wild_bootstrap_t(car),
        "boot_bmp_t": st.wild_bootstrap_t(scar),
        "permutation_t": st.permutation_t(scar),
    }
    assert set(own) == set(st.TEST_NAMES)
    for name, res in own.items():
        assert res.statistic == pytest.approx(got.loc[name, "statistic"], rel=1e-12), name
        assert res.p_value == pytest.approx(got.loc[name, "p_value"], rel=1e-10), name
        assert res.n_events == sample.n
