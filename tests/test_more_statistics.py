"""The tests added to the classical eleven: skewness-corrected t, jackknife t, Corrado-Zivney sign
test, wild bootstrap and sign-flip permutation tests. References are written independently
(loops, itertools, scipy); the resampling tests agree with independently drawn resamples to
their Monte Carlo error and with the complete enumeration where it is small."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from analysis.core import statistics as st
from synthetic_events import market_model_arrays, simulate


def test_skew_t_hand_example():
    """x = 1, 2, 6: mean 3, s = sqrt(7), S = 3/sqrt(7); sum (x - 3)^3 = -8 - 1 + 27 = 18,
    gamma = 3 * 18 / (2 * 1 * 7^1.5)."""
    x = np.array([1.0, 2.0, 6.0])
    s, gamma = 3 / np.sqrt(7), 3 * 18 / (2 * 7 ** 1.5)
    want = np.sqrt(3) * (s + gamma * s ** 2 / 3 + gamma ** 2 * s ** 3 / 27 + gamma / 18)
    res = st.skew_t(x)
    assert res.statistic == pytest.approx(want, rel=1e-12)
    assert res.p_value == pytest.approx(2 * stats.t.sf(want, 2), rel=1e-12)
    assert np.isnan(st.skew_t(x[:2]).statistic)
    # symmetric data: gamma = 0 and the statistic is the plain t
    y = np.array([-1.0, 0.5, 2.0, 3.5, 5.0])
    res, ref = st.skew_t(y), stats.ttest_1samp(y, 0)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)


def test_jackknife_with_clustered_dates_against_a_loop():
    """40 events on 10 dates (4 per date, sharing a date factor): the delete-a-date jackknife
    against the loop; with 40 dates it is the cross-sectional t."""
    rng = np.random.default_rng(8)
    le, lw = 100, 5
    day = np.repeat(np.arange(10), 4) * 3
    dates = day[:, None] + np.arange(le + lw)[None, :]
    factor = rng.normal(0, 0.01, dates.max() + 1)
    r = 0.02 * rng.standard_normal((40, le + lw)) + factor[dates]
    rm = 0.01 * rng.standard_normal((40, le + lw))
    a = market_model_arrays(r, rm, estimation_window=(-100, -1), event_window=(0, 4), dates=dates)
    got = st.run_tests(a, (0, 2))
    car = a.evt_ar[:, :3].sum(1)
    clusters = a.evt_dates[:, 0]
    labels = np.unique(clusters)
    loo = np.array([car[clusters != c].mean() for c in labels])
    vj = 9 / 10 * np.sum((loo - loo.mean()) ** 2)
    t = car.mean() / np.sqrt(vj)
    assert got.loc["jackknife_t", "statistic"] == pytest.approx(t, rel=1e-10)
    assert got.loc["jackknife_t", "p_value"] == pytest.approx(2 * stats.t.sf(abs(t), 9), rel=1e-9)
    # all on one date: nothing to delete
    one = st.jackknife_t(car, np.zeros(40))
    assert np.isnan(one.statistic) and one.n_events == 40
    # one event per cluster: exactly the cross-sectional t
    assert st.jackknife_t(car, np.arange(40)).statistic == pytest.approx(st.csect_t(car).statistic, rel=1e-12)


def test_cz_sign_hand_example():
    """Two events, 3 estimation days + 1 event day. Event 1: 0.1, -0.2, 0.3, 0.9, median 0.2,
    signs -, -, +, +; event 2: 0.5, 0.4, -0.1, 0.45, median 0.425, signs +, -, -, +.
    Gbar = 0, -1, 0, 1; S^2 = (0 + 1 + 0 + 1) / 4; z = 1 / sqrt(0.5)."""
    est = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.1]])
    evt = np.array([[0.9], [0.45]])
    res = st.cz_sign_z(est, evt, slice(0, 1))
    assert res.statistic == pytest.approx(1 / np.sqrt(0.5), rel=1e-12)
    # a value at the median has sign 0 (odd number of days)
    res = st.cz_sign_z(np.array([[1.0, 2.0, 3.0, 5.0]]), np.array([[4.0]]), slice(0, 1))
    # signs -, -, 0, +, +  -> S^2 = 4/5, z = 1 / sqrt(0.8)
    assert res.statistic == pytest.approx(1 / np.sqrt(0.8), rel=1e-12)


def test_cz_sign_is_robust_to_skewed_abnormal_returns():
    """Right-skewed abnormal returns with mean 0 and median below 0: the sign test of the
    CARs (share of positive CARs against 1/2) rejects the true null; the Corrado-Zivney test,
    which splits each event's returns at their own median, does not."""
    rng = np.random.default_rng(3)
    n, le, lw = 400, 120, 5
    e = rng.exponential(0.01, (n, le + lw)) - 0.01          # mean 0, median -0.0031
    rm = rng.normal(0, 0.01, (n, le + lw))
    a = market_model_arrays(e + rm, rm, estimation_window=(-120, -1), event_window=(0, 4))
    got = st.run_tests(a, (0, 0))
    assert got.loc["sign_z", "p_value"] < 1e-3            # the CARs' median is below 0
    assert got.loc["cz_sign_z", "p_value"] > 0.01


def test_wild_bootstrap_matches_independent_draws_to_monte_carlo_error():
    """The same test with weights drawn another way (rng.choice, another seed) and many more
    draws: the p-values differ by no more than their Monte Carlo errors allow."""
    arrays, _ = simulate(30, seed=21, le=120, event_window=(-5, 5), delta=0.006)
    car = arrays.evt_ar[:, 5]
    ours = st.wild_bootstrap_t(car)
    rng = np.random.default_rng(777)
    big = 20000
    w = rng.choice([-1.0, 1.0], size=(big, len(car)))
    t = stats.ttest_1samp(car, 0).statistic
    t_star = stats.ttest_1samp(w * (car - car.mean()), 0, axis=1).statistic
    p_ref = np.mean(np.abs(t_star) >= abs(t))
    se = np.sqrt(p_ref * (1 - p_ref) / 999) + np.sqrt(p_ref * (1 - p_ref) / big)
    assert 0.005 < p_ref < 0.5                         # a p-value with real Monte Carlo error
    assert abs(ours.p_value - p_ref) < 4 * se + 1 / 1000
    assert ours.statistic == pytest.approx(t, rel=1e-12)
    # another seed: another p-value, within the same error
    other = st.wild_bootstrap_t(car, seed=99)
    assert other.p_value != ours.p_value
    assert abs(other.p_value - p_ref) < 4 * se + 1 / 1000
    # and the same seed the same p-value
    assert st.wild_bootstrap_t(car).p_value == ours.p_value


def test_wild_bootstrap_counts_flat_draws_as_extreme_and_needs_ten_events():
    """A draw whose signed values are all equal has t* = +-inf (it beats any |t|), never NaN:
    with N = 10 and centred values +-d (5 each), the exact share of sign vectors with
    |t*| >= |t| is computed by enumeration here; below ten events the p-value is NaN with a
    note (two events: t* is 0 or infinite, so the p-value was 1/1000 or 1/2 by rounding)."""
    assert st._t_from_sums(np.array([0.1]), np.array([0.02 + 1e-18]), 2)[0] == np.inf
    assert st._t_from_sums(np.array([-0.1]), np.array([0.02 - 1e-18]), 2)[0] == -np.inf
    assert st._t_from_sums(np.array([1e-20]), np.array([0.02]), 2)[0] == pytest.approx(0.0, abs=1e-15)
    x = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1]) + 0.05
    t_obs = stats.ttest_1samp(x, 0).statistic
    y = x - x.mean()
    signs = np.array(list(itertools.product([-1.0, 1.0], repeat=len(x))))
    ys = signs * y
    sd = ys.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = np.where(sd > 1e-12, np.sqrt(len(x)) * ys.mean(axis=1) / np.where(sd > 1e-12, sd, 1), np.inf)
    p_exact = np.mean(np.abs(t_star) >= abs(t_obs))
    assert p_exact > 0                                   # the two all-equal draws at least
    ours = st.wild_bootstrap_t(x, draws=4999)
    se = np.sqrt(p_exact * (1 - p_exact) / 4999)
    assert abs(ours.p_value - p_exact) < 4 * se + 1 / 5000
    two = st.wild_bootstrap_t([0.1, 0.3])
    assert np.isnan(two.p_value) and two.statistic == pytest.approx(2.0)
    assert "too few events for a wild bootstrap" in st.test_note("boot_csect_t", two.statistic, 2, two.p_value)
    assert st.permutation_t([0.1, 0.3]).p_value == 0.5   # exact: 2 of 4 sign changes reach |t| = 2


def test_permutation_test_is_exact_for_small_samples():
    """N = 8: all 2^8 sign changes are enumerated (itertools), p = share with |t| at least
    the observed."""
    x = np.array([0.8, 1.9, -0.4, 2.5, 0.3, 1.1, -0.2, 1.6])
    t = stats.ttest_1samp(x, 0).statistic
    flips = [stats.ttest_1samp(x * np.array(s), 0).statistic for s in itertools.product([1, -1], repeat=8)]
    want = np.mean(np.abs(flips) >= abs(t) * (1 - 1e-12))
    res = st.permutation_t(x)
    assert res.p_value == pytest.approx(want, rel=1e-12)
    assert res.p_value >= 1 / 256
    assert res.statistic == pytest.approx(t, rel=1e-12)


def test_permutation_test_monte_carlo_agrees_with_enumeration():
    """N = 12 (4096 sign changes): 999 random changes agree with the enumeration to the
    Monte Carlo error."""
    rng = np.random.default_rng(5)
    x = rng.normal(0.5, 1.0, 12)
    t = stats.ttest_1samp(x, 0).statistic
    signs = np.array(list(itertools.product([1.0, -1.0], repeat=12)))
    exact = np.mean(np.abs(stats.ttest_1samp(signs * x, 0, axis=1).statistic) >= abs(t) * (1 - 1e-12))
    res = st.permutation_t(x)
    assert abs(res.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / 999) + 1 / 1000


def test_resampling_tests_have_the_right_size_under_the_null():
    """200 null samples of 30 events: each resampling test rejects at 5% about 5% of the time
    (binomial band for 200 samples, 95%: 2%-8%), and the p-values of the continuous ones are
    uniform (KS; the sign test's are discrete)."""
    arrays, reps = simulate(30, 200, seed=31, le=120, event_window=(-2, 2))
    res = st.grouped_tests(arrays, (0, 0), reps)
    for name in ("boot_csect_t", "boot_bmp_t", "permutation_t", "skew_t", "cz_sign_z"):
        rate = np.mean(res[name].p_value < 0.05)
        assert 0.02 <= rate <= 0.08, (name, rate)
        if name != "cz_sign_z":
            assert stats.kstest(res[name].p_value, "uniform").pvalue > 0.001, name


def test_resampling_blocks_do_not_change_the_draws(monkeypatch):
    """The sums over the signs are computed in blocks of draws and columns (bounded memory):
    any block size gives the same p-values as the whole matrix at once."""
    arrays, reps = simulate(23, 7, seed=41, le=60, event_window=(-2, 2), delta=0.01)
    whole = st.grouped_tests(arrays, (0, 0), reps)
    monkeypatch.setattr(st, "_RESAMPLE_BLOCK", 700)
    small = st.grouped_tests(arrays, (0, 0), reps)
    for name in ("boot_csect_t", "boot_bmp_t", "permutation_t"):
        np.testing.assert_array_equal(small[name].p_value, whole[name].p_value)
        # and the shared draw equals each test's own function
    own = st.wild_bootstrap_t(st.window_sample(arrays, (0, 0)).car, reps)
    np.testing.assert_array_equal(own.p_value, whole["boot_csect_t"].p_value)
