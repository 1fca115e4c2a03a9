"""``batch --measure volume|volatility`` and ``longrun`` through a subprocess on the real snapshot:
the tables written agree with the Python API, bad rows are skipped with their reason, user
errors are one line with exit status 2."""

from __future__ import annotations

import json
import shutil

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
    for f in ("bhar_path.csv", "calendar_time.csv", "calendar_time_events.csv", "bhar.png", "bhar_tech.png",
              "calendar_time.png", ".analysis-manifest.json"):
        assert (out / f).is_file(), f
    assert sorted(json.loads((out / ".analysis-manifest.json").read_text())["files"]) == sorted(
        f.name for f in out.iterdir() if not f.name.startswith("."))


def test_longrun_user_errors(prices_dir, events_file, tmp_path):
    p = _run(["longrun", str(events_file), "--prices-dir", str(prices_dir), "--out", str(tmp_path),
              "--benchmark", "NOPE.HK"])
    assert p.returncode == 2 and p.stderr.strip().splitlines()[-1].startswith("error: benchmark NOPE.HK")
    p = _run(["longrun", str(events_file), "--prices-dir", str(prices_dir), "--out", str(tmp_path),
              "--ct-model", "ff3"])
    assert p.returncode == 2 and "needs a factor table" in p.stderr and "Traceback" not in p.stderr


def _split_copies(prices_dir, folder):
    """A price folder for a known answer: ^HSI, 0005.HK and 0011.HK as they are; 1001.HK a copy
    of 0005.HK with an unadjusted 3:1 split on 2023-04-20 (prices from then on a third) and
    1002.HK a copy of 0011.HK with an unadjusted 1:4 reverse split on 2022-11-01 (times 4)."""
    folder.mkdir()
    for sym in ("^HSI", "0005.HK", "0011.HK"):
        shutil.copy(prices_dir / f"{sym}.csv", folder / f"{sym}.csv")
    for new, old, day, factor in (("1001.HK", "0005.HK", "2023-04-20", 1 / 3), ("1002.HK", "0011.HK", "2022-11-01", 4)):
        f = pd.read_csv(prices_dir / f"{old}.csv")
        after = pd.to_datetime(f["Date"]) >= day
        for c in ("Open", "High", "Low", "Close", "Adj Close"):
            f.loc[after, c] = f.loc[after, c] * factor
        f.to_csv(folder / f"{new}.csv", index=False)
    return folder


LONG_EVENTS = """event_id,ticker,market,event_date
l1,1001.HK,^HSI,2022-06-01
l0,0005.HK,^HSI,2022-06-01
l2,1002.HK,^HSI,2022-06-01
l3,0011.HK,^HSI,2022-06-01
"""


def test_longrun_checks_the_prices_of_the_holding_window(prices_dir, tmp_path):
    """Unadjusted splits inside the year held: both events are skipped by the BHAR and left out
    of the calendar-time portfolio with the pipeline's reason (no +300% day in the portfolio);
    0005.HK is no duplicate of its copy 1001.HK (the returns differ over the holding window),
    so the portfolio and BHARs are those of the two clean events. --jumps keep: kept, warned."""
    folder = _split_copies(prices_dir, tmp_path / "prices")
    events = tmp_path / "evl.csv"
    events.write_text(LONG_EVENTS)
    out = tmp_path / "lr"
    p = _run(["longrun", str(events), "--prices-dir", str(folder), "--out", str(out), "--no-figure",
              "--bootstrap", "50"])
    assert p.returncode == 0, p.stderr
    b = pd.read_csv(out / "bhar.csv", keep_default_na=False).set_index("event_id")
    assert list(b["status"]) == ["skipped", "ok", "skipped", "ok"]
    assert b.loc["l1", "reason"].startswith("price jump: 1001.HK price x0.33")
    assert "3:1 split" in b.loc["l1", "reason"] and "2023-04-20" in b.loc["l1", "reason"]
    assert b.loc["l2", "reason"].startswith("price jump: 1002.HK price x4.") and "2022-11-01" in b.loc["l2", "reason"]
    ct = pd.read_csv(out / "calendar_time_events.csv", keep_default_na=False).set_index("event_id")
    assert list(ct["status"]) == ["left out", "ok", "left out", "ok"]
    assert ct.loc["l1", "reason"] == b.loc["l1", "reason"] and ct.loc["l2", "reason"] == b.loc["l2", "reason"]
    port = pd.read_csv(out / "calendar_time.csv")
    clean = analysis.calendar_time(pd.read_csv(events).iloc[[1, 3]], prices_dir=folder, window=(1, 250),
                                   progress=False)
    np.testing.assert_allclose(port["portfolio_return"], clean.portfolio["portfolio_return"], rtol=1e-12)
    assert port["portfolio_return"].abs().max() < 0.2
    kept = tmp_path / "kept"
    p = _run(["longrun", str(events), "--prices-dir", str(folder), "--out", str(kept), "--no-figure",
              "--bootstrap", "50", "--jumps", "keep", "--calendar-time", "none"])
    assert p.returncode == 0, p.stderr
    k = pd.read_csv(kept / "bhar.csv", keep_default_na=False).set_index("event_id")
    assert (k["status"] == "ok").all() and "3:1 split" in k.loc["l1", "warnings"]
    assert "warning: jump: 1001.HK" in p.stdout


def test_longrun_output_rules(prices_dir, tmp_path):
    """A folder with the user's bhar.csv is refused (file untouched) unless --overwrite; --out a
    file is one line; text cells that a spreadsheet would run are neutralised, booleans are
    true/false; a second run into its own folder replaces its files."""
    events = tmp_path / "evl2.csv"
    events.write_text('event_id,ticker,market,event_date\n"=HYPERLINK(1)",0005.HK,^HSI,2022-06-01\n'
                      "+x,0011.HK,^HSI,2022-06-01\n")
    mine = tmp_path / "lr2"
    mine.mkdir()
    (mine / "bhar.csv").write_text("mine\n")
    args = ["longrun", str(events), "--prices-dir", str(prices_dir), "--no-figure", "--bootstrap", "50",
            "--calendar-time", "none"]
    p = _run([*args, "--out", str(mine)])
    assert p.returncode == 2 and "bhar.csv" in p.stderr and p.stderr.count("\n") == 1, p.stderr
    assert (mine / "bhar.csv").read_text() == "mine\n"
    (tmp_path / "afile").write_text("x")
    p = _run([*args, "--out", str(tmp_path / "afile")])
    assert p.returncode == 2 and "is a file" in p.stderr and "Traceback" not in p.stderr
    p = _run([*args, "--out", str(mine), "--overwrite"])
    assert p.returncode == 0, p.stderr
    text = (mine / "bhar.csv").read_text()
    b = pd.read_csv(mine / "bhar.csv", keep_default_na=False, dtype=str)
    assert list(b["event_id"]) == ["'=HYPERLINK(1)", "'+x"]
    assert set(b["delisted"]) == {"false"} and "False" not in text
    p = _run([*args, "--out", str(mine)])       # its own files, by the manifest: replaced
    assert p.returncode == 0, p.stderr


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
    # the same numbers as the API's (the plumbing), to the GARCH fit's precision rather than 1e-9:
    # the optimizer stops when the likelihood changes by less than 1e-10, which on a flat
    # likelihood leaves the parameters free in their sixth digit, and a last-bit difference of a
    # residual between two processes (BLAS threads) can stop it one iteration apart (seen once)
    np.testing.assert_allclose(got.loc[want.index, "statistic"], want["statistic"], rtol=1e-6)
    bad = _run(["batch", str(events_file), "--prices-dir", str(prices_dir), "--out", str(tmp_path / "x"),
                "--volatility-benchmark", "garch"])
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
    assert "--volatility-benchmark garch is for --measure volatility" in bad.stderr


def test_tables_as_parquet(prices_dir, events_file, tmp_path):
    """--format parquet: longrun's and the measures' tables are parquet files holding the same
    numbers as the CSVs of the same run (types kept: day 0 a timestamp, not text)."""
    base = ["--prices-dir", str(prices_dir), "--no-figure"]
    lr = ["longrun", str(events_file), *base, "--window", "1", "120", "--bootstrap", "50"]
    for fmt in ("csv", "parquet"):
        p = _run([*lr, "--out", str(tmp_path / f"lr_{fmt}"), "--format", fmt])
        assert p.returncode == 0, p.stderr
    for name in ("bhar", "bhar_path", "bhar_tests", "calendar_time", "calendar_time_alpha",
                 "calendar_time_coefficients", "calendar_time_events"):
        got = pd.read_parquet(tmp_path / "lr_parquet" / f"{name}.parquet")
        want = pd.read_csv(tmp_path / "lr_csv" / f"{name}.csv")
        assert not (tmp_path / "lr_parquet" / f"{name}.csv").exists()
        assert list(got.columns) == list(want.columns), name
        num = [c for c in want.select_dtypes("number").columns if want[c].notna().any()]  # not all-blank text
        np.testing.assert_allclose(got[num].to_numpy(float), want[num].to_numpy(float), rtol=1e-12, err_msg=name)
    assert pd.api.types.is_datetime64_any_dtype(pd.read_parquet(tmp_path / "lr_parquet" / "bhar.parquet")["day0"])
    ms = ["batch", str(events_file), *base, "--measure", "volume", "--car", "-1", "1"]
    for fmt in ("csv", "parquet"):
        p = _run([*ms, "--out", str(tmp_path / f"v_{fmt}"), "--format", fmt])
        assert p.returncode == 0, p.stderr
    for name in ("abnormal_volume", "cav", "aav", "tests"):
        got = pd.read_parquet(tmp_path / "v_parquet" / f"{name}.parquet")
        want = pd.read_csv(tmp_path / "v_csv" / f"{name}.csv")
        num = [c for c in want.select_dtypes("number").columns if want[c].notna().any()]  # not all-blank text
        np.testing.assert_allclose(got[num].to_numpy(float), want[num].to_numpy(float), rtol=1e-12, err_msg=name)
