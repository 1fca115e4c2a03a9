"""Property tests of the window logic: any windows give a valid result or an AnalysisError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.core.pipeline import run_event_study
from analysis.errors import AnalysisError


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2020-01-01", periods=160)
    rm = rng.normal(0, 0.01, len(dates))
    r = 0.8 * rm + rng.normal(0, 0.02, len(dates))
    p = pd.DataFrame({"M": 100 * np.cumprod(1 + rm), "S": 10 * np.cumprod(1 + r)}, index=dates)
    p.loc[dates[[40, 41, 90]], "S"] = np.nan
    return p


days = st.integers(min_value=-200, max_value=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(e1=days, e2=days, w1=days, w2=days, at=st.integers(0, 159), min_obs=st.integers(-5, 120),
       car=st.tuples(days, days))
@example(e1=-60, e2=-11, w1=-5, w2=5, at=100, min_obs=30, car=(-1, 1))         # ok
@example(e1=-60, e2=-11, w1=-5, w2=5, at=10, min_obs=30, car=(0, 0))          # too few returns
@example(e1=-60, e2=-11, w1=-5, w2=50, at=150, min_obs=30, car=(0, 0))        # beyond the data
@example(e1=-60, e2=-11, w1=-5, w2=5, at=100, min_obs=30, car=(-6, 0))        # CAR outside
def test_any_windows_valid_result_or_analysis_error(panel, e1, e2, w1, w2, at, min_obs, car):
    events = pd.DataFrame({"event_id": ["e"], "ticker": ["S"], "market": ["M"],
                           "event_date": [panel.index[at]]})
    try:
        r = run_event_study(events, prices=panel, estimation_window=(e1, e2), event_window=(w1, w2),
                            min_estimation_obs=min_obs)
    except AnalysisError as exc:
        assert "\n" not in str(exc)
        assert not (e1 <= e2 < w1 <= w2 and max(min_obs, 5) <= e2 - e1 + 1 <= len(panel))
        return
    assert e1 <= e2 < w1 <= w2
    d = r.diagnostics.iloc[0]
    if d["status"] == "skipped":
        assert d["reason"] and r.arrays.n == 0 and r.abnormal_returns.empty
        return
    a = r.arrays
    assert a.est_ar.shape == (1, e2 - e1 + 1) and a.evt_ar.shape == (1, w2 - w1 + 1)
    assert k_plus_3_le(d["m"], a.k) and d["m"] <= e2 - e1 + 1 and d["m"] >= min_obs
    ar = r.abnormal_returns
    assert ar["relative_day"].tolist() == list(range(w1, w2 + 1))
    assert ar["date"].is_monotonic_increasing and ar["date"].notna().all()
    assert d["estimation_end"] < ar["date"].iloc[0]
    assert (ar["ar_sd"] > 0).all() and np.isfinite(ar["abnormal_return"]).all()
    valid = a.est_dates[0][a.est_dates[0] >= 0]
    assert (np.diff(valid) > 0).all() and np.isnan(a.est_ar[0][a.est_dates[0] < 0]).all()
    try:
        c = r.cars([car])
    except AnalysisError:
        assert not (w1 <= car[0] <= car[1] <= w2)
    else:
        assert (c["car_sd"] > 0).all()
        j0, j1 = car[0] - w1, car[1] - w1
        assert c["car"].iloc[0] == pytest.approx(ar["abnormal_return"].iloc[j0:j1 + 1].sum(), abs=1e-12)


def k_plus_3_le(m, k):
    return m >= k + 3


def test_window_longer_than_data_is_refused(panel):
    events = pd.DataFrame({"ticker": ["S"], "market": ["M"], "event_date": [panel.index[100]]})
    with pytest.raises(AnalysisError, match="more than the 160 dates"):
        run_event_study(events, prices=panel, estimation_window=(-10_000_000, -11))
