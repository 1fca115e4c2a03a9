"""Cross-sectional regressions of CARs (result.regress) against numpy and statsmodels' array API;
multiple-testing adjustment (tests(adjust=)) against statsmodels.stats.multitest and Holm by
hand; the new test rows in batch output, tests.csv and the HTML report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

from analysis import run_event_study
from analysis.core import statistics as st
from analysis.errors import InputError


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(17)
    n, n_days = 60, 700
    dates = pd.bdate_range("2015-01-01", periods=n_days)
    rm = rng.normal(0, 0.01, n_days)
    size = np.exp(rng.normal(6, 1.2, n))
    sector = rng.choice(["bank", "tech", "energy"], n)
    r = rm[:, None] * rng.uniform(0.6, 1.4, n) + rng.normal(0, 0.02, (n_days, n))
    day0 = rng.integers(300, 650, n)
    # a reaction that grows with log size: the regression has something to find
    r[day0, np.arange(n)] += 0.015 * (np.log(size) - 6)
    frame = pd.DataFrame(r, index=dates, columns=[f"R{i:02d}" for i in range(n)])
    frame["MKT"] = rm
    size[4] = np.nan                                      # a missing characteristic
    events = pd.DataFrame({"event_id": [f"r{i}" for i in range(n)], "ticker": frame.columns[:n],
                           "market": "MKT", "event_date": dates[day0], "size": size, "sector": sector,
                           "group": np.where(np.arange(n) < 30, "first", "second")})
    return run_event_study(events, frame, estimation_window=(-250, -11), event_window=(-5, 5)), events


def _design(events, cars):
    data = events.assign(car=cars).dropna(subset=["size"])
    # statsmodels' order: intercept, sector dummies (bank the base), log size
    x = pd.get_dummies(data["sector"], drop_first=True, dtype=float)
    x.insert(0, "const", 1.0)
    x["log_size"] = np.log(data["size"])
    return data["car"].to_numpy(), x.to_numpy(), data


def test_regress_hc3_matches_numpy(result):
    res, events = result
    fit = res.regress("car ~ np.log(size) + C(sector)", window=(-1, 1), cov_type="HC3")
    cars = res.cars([(-1, 1)])["car"].to_numpy()
    y, x, _ = _design(events, cars)
    assert fit.nobs == len(y) == 59
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    e = y - x @ beta
    h = np.einsum("ij,jk,ik->i", x, np.linalg.inv(x.T @ x), x)
    bread = np.linalg.inv(x.T @ x)
    hc3 = bread @ (x.T * (e / (1 - h)) ** 2) @ x @ bread     # MacKinnon & White (1985) HC3
    np.testing.assert_allclose(fit.params.to_numpy(), beta, rtol=1e-10)
    np.testing.assert_allclose(fit.bse.to_numpy(), np.sqrt(np.diag(hc3)), rtol=1e-10)
    assert list(fit.params.index) == ["Intercept", "C(sector)[T.energy]", "C(sector)[T.tech]", "np.log(size)"]
    assert fit.params["np.log(size)"] > 0 and fit.pvalues["np.log(size)"] < 0.05


def test_regress_clustered_matches_statsmodels_arrays(result):
    res, events = result
    fit = res.regress("car ~ np.log(size)", window=(0, 0), cov_type="cluster", cov_kwds={"groups": "sector"})
    cars = res.cars([(0, 0)])["car"].to_numpy()
    y, x, data = _design(events, cars)
    ref = sm.OLS(y, x[:, [0, 3]]).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(data["sector"])[0]})
    np.testing.assert_allclose(fit.params.to_numpy(), ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.bse.to_numpy(), ref.bse, rtol=1e-10)
    # SCARs and any column of the events table, a group only
    fit = res.regress("scar ~ C(sector)", group="first", cov_type="HC1")
    assert fit.nobs == 30


def test_regress_errors(result):
    res, _ = result
    with pytest.raises(InputError, match="regression formula"):
        res.regress("car ~ no_such_column")
    with pytest.raises(InputError, match="needs cov_kwds"):
        res.regress("car ~ np.log(size)", cov_type="cluster")
    with pytest.raises(InputError, match="not a column"):
        res.regress("car ~ np.log(size)", cov_type="cluster", cov_kwds={"groups": "industry"})


def test_regression_frame_has_every_event_column(result):
    res, events = result
    frame = res.regression_frame((-1, 1))
    assert {"event_id", "car", "car_sd", "scar", "car_t", "car_p", "size", "sector", "market"} <= set(frame.columns)
    assert frame["event_id"].tolist() == events["event_id"].tolist()
    np.testing.assert_allclose(frame["size"], events["size"])


def test_adjusted_p_values_match_statsmodels(result):
    res, _ = result
    wins = [(0, 0), (-1, 1), (-5, 5)]
    table = res.tests(wins, group=[None, "first", "second"], adjust="holm")
    assert len(table) == 3 * 3 * len(st.TEST_NAMES)
    assert list(table.columns) == ["group", "window_start", "window_end", "test", "statistic", "p_value",
                                   "p_adjusted", "n_events", "note"]
    for name, rows in table.groupby("test"):
        assert len(rows) == 9
        np.testing.assert_allclose(rows["p_adjusted"], multipletests(rows["p_value"], method="holm")[1])
    # every row one family, and Benjamini-Hochberg
    all_rows = res.tests(wins, adjust="fdr_bh", family="all")
    np.testing.assert_allclose(all_rows["p_adjusted"], multipletests(all_rows["p_value"], method="fdr_bh")[1])
    # one window and group: each test is its own family, nothing to adjust
    one = res.tests((0, 0), adjust="holm")
    np.testing.assert_array_equal(one["p_adjusted"], one["p_value"])
    by = res.tests_by_group((0, 0), adjust="bonferroni")
    for name, rows in by.groupby("test"):
        np.testing.assert_allclose(rows["p_adjusted"], np.minimum(3 * rows["p_value"], 1.0))


def test_holm_by_hand_and_missing_p_values():
    p = np.array([0.01, 0.04, np.nan, 0.03])
    # Holm on the three present: sorted 0.01, 0.03, 0.04 -> 0.03, 0.06, 0.06
    np.testing.assert_allclose(st.adjust_p_values(p, "holm"), [0.03, 0.06, np.nan, 0.06])
    fam = np.array(["a", "b", "a", "b"])
    np.testing.assert_allclose(st.adjust_p_values(p, "bonferroni", fam), [0.01, 0.08, np.nan, 0.06])
    with pytest.raises(InputError, match="unknown multiple-testing adjustment 'bh'"):
        st.adjust_p_values(p, "bh")


def test_new_rows_in_batch_output_tests_csv_and_report(prices_dir, tmp_path):
    from test_cli_batch import EVENTS
    from test_cli_study import _run

    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    out = tmp_path / "out"
    p = _run(["batch", str(path), "--prices-dir", str(prices_dir), "--out", str(out), "--no-figure",
              "--car", "0", "0", "--car", "-1", "1", "--adjust", "holm"])
    assert p.returncode == 0, p.stderr
    for name in ("skew_t", "jackknife_t", "cz_sign_z", "boot_csect_t", "boot_bmp_t", "permutation_t"):
        assert name in p.stdout
    tests = pd.read_csv(out / "tests.csv")
    assert set(st.TEST_NAMES) == set(tests["test"]) and "p_adjusted" in tests.columns
    for _, rows in tests.groupby("test"):
        ok = rows["p_value"].notna()              # a group of one event has no p-value
        np.testing.assert_allclose(rows.loc[ok, "p_adjusted"], multipletests(rows.loc[ok, "p_value"],
                                                                             method="holm")[1])
        assert rows.loc[~ok, "p_adjusted"].isna().all()
    bad = _run(["batch", str(path), "--prices-dir", str(prices_dir), "--out", str(out), "--adjust", "bh"])
    assert bad.returncode == 2 and "--adjust 'bh'" in bad.stderr and "Traceback" not in bad.stderr


def test_new_rows_in_the_html_report(result):
    from analysis.figures.report import ReportParts, render_html

    res, _ = result
    html = render_html(res, ReportParts(title="t"))           # the page without its figures
    for name in st.TEST_NAMES:
        assert name in html
