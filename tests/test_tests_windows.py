"""Several windows' tests in one pass (``run_tests_windows`` / ``grouped_tests_windows``) give
exactly the numbers of one ``run_tests`` / ``grouped_tests`` call per window, and the sign sums
of columns put side by side equal the sums of each column alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.core import statistics as st
from synthetic_events import simulate

WINDOWS = [(-1, 1), (0, 0), (-3, 3), (0, 0), (-5, 2)]


def test_windows_in_one_pass_equal_one_call_per_window():
    arrays, _ = simulate(60, seed=3, le=80, event_window=(-5, 5), delta=0.004)
    got = st.run_tests_windows(arrays, WINDOWS, draws=199, seed=5)
    assert list(got) == [(-1, 1), (0, 0), (-3, 3), (-5, 2)]          # each window once, in order
    for w, frame in got.items():
        pd.testing.assert_frame_equal(frame, st.run_tests(arrays, w, draws=199, seed=5), check_exact=True)


def test_windows_testing_different_events_and_groups():
    """A window whose CAR is missing for some events tests fewer events (its own pass over
    the residuals); per-group results equal the single-window calls, small groups included
    (the permutation test's complete enumeration)."""
    arrays, reps = simulate(14, 4, seed=8, le=60, event_window=(-4, 4), delta=0.003)
    evt = np.array(arrays.evt_ar, dtype=float)
    evt[::5, 6] = np.nan                        # day +2 missing for every fifth event
    arrays = replace(arrays, evt_ar=evt)
    codes = reps.copy()
    codes[:5] = 4                               # a group of five events: 2^5 sign changes enumerated
    windows = [(0, 0), (0, 2), (-4, 4), (-2, 1)]
    many = st.grouped_tests_windows(arrays, windows, codes, draws=299, seed=11)
    for w in windows:
        one = st.grouped_tests(arrays, w, codes, draws=299, seed=11)
        assert set(many[w]) == set(one) == set(st.TEST_NAMES)
        for name in st.TEST_NAMES:
            for field in ("statistic", "p_value", "n_events"):
                np.testing.assert_array_equal(getattr(many[w][name], field), getattr(one[name], field),
                                              err_msg=f"{w} {name} {field}")
    assert many[(0, 2)]["csect_t"].n_events.sum() < many[(0, 0)]["csect_t"].n_events.sum()


@pytest.mark.parametrize("n", [3, 17, 250, 2051])
def test_sign_sums_of_columns_side_by_side_equal_each_column_alone(n, monkeypatch):
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 7))
    together = st._sign_sums(x, 301, 9)
    alone = np.hstack([st._sign_sums(x[:, [c]], 301, 9) for c in range(7)])
    np.testing.assert_array_equal(together, alone)
    # against the signs written out: w_bi = 1 - 2 bit_bi (sign_bytes)
    bits = np.unpackbits(st.sign_bytes(n, 301, 9), axis=1, bitorder="little")[:, :n]
    np.testing.assert_allclose(together, (1.0 - 2.0 * bits) @ x, rtol=1e-12, atol=1e-12)
    monkeypatch.setattr(st, "_RESAMPLE_BLOCK", 500)            # small blocks of draws and runs
    np.testing.assert_array_equal(st._sign_sums(x, 301, 9)[:, 2], together[:, 2])


def test_a_results_tests_table_computes_its_windows_in_one_pass(monkeypatch):
    """``EventStudyResult.tests_table`` fills the tests cache with one pass per group over
    all its windows: the same table as one ``tests`` call per window and group."""
    from analysis import run_event_study
    from analysis.core import results

    rng = np.random.default_rng(4)
    dates = pd.bdate_range("2015-01-05", periods=700)
    rm = rng.normal(0.0003, 0.01, len(dates))
    returns = pd.DataFrame({f"S{i}": 0.9 * rm + rng.normal(0, 0.02, len(dates)) for i in range(12)}, index=dates)
    returns["MKT"] = rm
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(40)],
                           "ticker": [f"S{i % 12}" for i in range(40)], "market": "MKT",
                           "event_date": dates[300 + 9 * np.arange(40)],
                           "group": np.where(np.arange(40) % 2, "a", "b")})

    def study():
        return run_event_study(events, returns, estimation_window=(-120, -11), event_window=(-5, 5))

    windows = [(-1, 1), (0, 0), (-5, 5)]
    with monkeypatch.context() as m:                 # the reference: tests() per window and group
        m.setattr(results.EventStudyResult, "prefetch_tests", lambda self, *a, **k: None)
        separate = results.tests_table(study(), windows, draws=199, seed=3)

    def one_window(*args, **kwargs):
        raise AssertionError("run_tests called: the windows were not computed in one pass")

    monkeypatch.setattr(st, "run_tests", one_window)
    pd.testing.assert_frame_equal(results.tests_table(study(), windows, draws=199, seed=3), separate,
                                  check_exact=True)                   # as batch calls it
    pd.testing.assert_frame_equal(study().tests_table(windows, draws=199, seed=3), separate, check_exact=True)
    assert len(separate) == 3 * 3 * len(st.TEST_NAMES)
