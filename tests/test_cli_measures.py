"""``batch --measure volume|volatility`` and ``longrun`` through a subprocess on the real snapshot:
the tables written agree with the Python API, bad rows are skipped with their reason, user
errors are one line with exit status 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis
from test_cli_study import _run

EVENTS = """event_id,ticker,market,event_date,group
x1,1810.HK,^HSI,2021-03-26,tech
x2,2333.HK,^HSI,2021-03-26,auto
x3,0700.HK,^HSI,2021-03-27,tech
x4,NOPE.HK,^HSI,2021-03-26,auto
x5,0175.HK,,2021-06-01,auto
"""


@pytest.fixture(scope="module")
def events_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ev") / "events.csv"
    path.write_text(EVENTS)
    return path


@pytest.mark.parametrize("measure, files", [
    ("volume", ["abnormal_volume.csv", "cav.csv", "aav.csv", "tests.csv", "diagnostics.csv"]),
    ("volatility", ["abnormal_volatility.csv", "variance_ratios.csv", "volatility_by_day.csv", "tests.csv",
                    "diagnostics.csv"]),
])
def test_batch_measure(prices_dir, events_file, tmp_path, measure, files):
    out = tmp_path / measure
    p = _run(["batch", str(events_file), "--prices-dir", str(prices_dir), "--out", str(out), "--measure", measure,
              "--car", "0", "0", "--car", "-1", "1", "--no-figure"])
    assert p.returncode == 0, p.stderr
    assert "5 given, 4 studied, 1 skipped" in p.stdout
    for f in files:
        assert (out / f).is_file(), f
    diag = pd.read_csv(out / "diagnostics.csv").set_index("event_id")
    assert "NOPE.HK" in diag.loc["x4", "reason"] and (diag["measure"] == measure).all()
    tests = pd.read_csv(out / "tests.csv")
    assert set(tests["group"]) == {"all", "tech", "auto"}
    assert set(zip(tests["window_start"], tests["window_end"])) == {(0, 0), (-1, 1)}
    api = analysis.run_study(pd.read_csv(events_file), prices_dir=prices_dir, measure=measure, progress=False)
    want = api.result.tests((-1, 1))
    got = tests[(tests["group"] == "all") & (tests["window_start"] == -1)].set_index("test")
    np.testing.assert_allclose(got.loc[want.index, "statistic"], want["statistic"], rtol=1e-9)


def test_longrun(prices_dir, events_file, tmp_path):
    out = tmp_path / "lr"
    p = _run(["longrun", str(events_file), "--prices-dir", str(prices_dir), "--out", str(out), "--window", "1", "120",
              "--newey-west", "--bootstrap", "200"])
    assert p.returncode == 0, p.stderr
    b = pd.read_csv(out / "bhar.csv").set_index("event_id")
    assert b.loc["x4", "status"] == "skipped" and (b.drop(index="x4")["status"] == "ok").all()
    api = analysis.run_study(pd.read_csv(events_file), prices_dir=prices_dir, progress=False).result.bhar((1, 120))
    np.testing.assert_allclose(b.loc[api.bhar["event_id"], "bhar"], api.bhar["bhar"], rtol=1e-9)
    tests = pd.read_csv(out / "bhar_tests.csv")
    assert set(tests["group"]) == {"all", "tech", "auto"} and "boot_skew_adj_t" in set(tests["test"])
    alpha = pd.read_csv(out / "calendar_time_alpha.csv")
    assert alpha["cov_type"].iloc[0] == "HAC"
    for f in ("bhar_path.csv", "calendar_time.csv", "calendar_time_events.csv", "bhar_events.png",
              "calendar_time_events.png"):
        assert (out / f).is_file(), f


def test_longrun_user_errors(prices_dir, events_file, tmp_path):
    p = _run(["longrun", str(events_file), "--prices-dir", str(prices_dir), "--out", str(tmp_path),
              "--benchmark", "NOPE.HK"])
    assert p.returncode == 2 and p.stderr.strip().splitlines()[-1].startswith("error: benchmark NOPE.HK")
    p = _run(["longrun", str(events_file), "--prices-dir", str(prices_dir), "--out", str(tmp_path),
              "--ct-model", "ff3"])
    assert p.returncode == 2 and "needs a factor table" in p.stderr and "Traceback" not in p.stderr


def test_batch_volatility_garch_benchmark(prices_dir, events_file, tmp_path):
    """--volatility-benchmark garch: the GARCH columns, ratios and tests, equal to the API's;
    with another measure a one-line error before any work."""
    out = tmp_path / "garch"
    p = _run(["batch", str(events_file), "--prices-dir", str(prices_dir), "--out", str(out), "--measure",
              "volatility", "--volatility-benchmark", "garch", "--car", "-1", "1", "--no-figure"])
    assert p.returncode == 0, p.stderr
    assert "GARCH(1,1) benchmark" in p.stdout
    diag = pd.read_csv(out / "diagnostics.csv", keep_default_na=False).set_index("event_id")
    assert (diag.loc[["x1", "x2", "x3"], "garch_failure"] == "").all()
    assert pd.to_numeric(diag.loc[["x1", "x2", "x3"], "garch_beta"]).notna().all()
    assert "garch_ratio" in pd.read_csv(out / "abnormal_volatility.csv").columns
    assert "garch_ratio" in pd.read_csv(out / "variance_ratios.csv").columns
    tests = pd.read_csv(out / "tests.csv")
    api = analysis.run_study(pd.read_csv(events_file), prices_dir=prices_dir, measure="volatility",
                             volatility_benchmark="garch", progress=False)
    want = api.result.tests((-1, 1))
    got = tests[(tests["group"] == "all") & (tests["window_start"] == -1)].set_index("test")
    assert {"garch_sar2_t", "garch_sar2_skew_t"} <= set(got.index)
    np.testing.assert_allclose(got.loc[want.index, "statistic"], want["statistic"], rtol=1e-9)
    bad = _run(["batch", str(events_file), "--prices-dir", str(prices_dir), "--out", str(tmp_path / "x"),
                "--volatility-benchmark", "garch"])
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
    assert "--volatility-benchmark garch is for --measure volatility" in bad.stderr
