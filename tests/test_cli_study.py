"""``python -m analysis study`` through a subprocess: files, numbers, user errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from analysis.files import safe_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(args, cwd=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    env.update({"MPLBACKEND": "Agg", "ANALYSIS_OFFLINE": "1", "PYTHONPATH": ROOT})
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def test_safe_name():
    assert safe_name("^HSI") == "HSI"
    assert safe_name("1810.HK") == "1810.HK"
    assert safe_name("BRK/B") == "BRK_B"


def test_study_writes_tables_json_and_figure(prices_dir, tmp_path):
    out = tmp_path / "seed"
    p = _run(["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
              "--prices-dir", str(prices_dir), "--out", str(out), "--car", "0", "0", "--car", "-1", "1"])
    assert p.returncode == 0, p.stderr
    assert "beta = " in p.stdout and "day 0 2021-03-26" in p.stdout and "M = 250" in p.stdout
    ar = pd.read_csv(out / "abnormal_returns.csv")
    for col in ["relative_day", "date", "stock_return", "market_return", "expected_return", "abnormal_return",
                "ar_sd", "ar_t", "ar_p", "car", "car_sd", "car_lo", "car_hi"]:
        assert col in ar.columns
    assert len(ar) == 21 and ar["relative_day"].tolist() == list(range(-10, 11))
    assert ar.loc[ar["relative_day"] == 0, "stock_return"].iloc[0] == pytest.approx(25.40 / 23.90 - 1, abs=1e-6)
    car = pd.read_csv(out / "car.csv")
    assert list(car.columns[:6]) == ["window_start", "window_end", "car", "car_sd", "car_t", "car_p"]
    assert car[["window_start", "window_end"]].values.tolist() == [[0, 0], [-1, 1]]
    assert car["car"].iloc[0] == pytest.approx(ar.loc[ar["relative_day"] == 0, "abnormal_return"].iloc[0], abs=1e-9)
    d = json.loads((out / "diagnostics.json").read_text())
    assert d["event"]["day0"] == "2021-03-26" and d["event"]["estimation_start"] == "2020-03-09"  # XHKG session -260
    assert d["settings"]["estimation_window"] == [-260, -11] and d["settings"]["model"] == "market"
    assert d["fit"]["m"] == 250 and d["fit"]["df"] == 248 and "market_return" in d["fit"]["standard_errors"]
    assert "CSV folder" in d["data_source"] and d["versions"]["numpy"]
    if "warnings" not in d:          # the figures, named as the notebook route names them
        assert (out / "study.png").stat().st_size > 10_000
        assert (out / "study.svg").exists() and (out / "estimation.png").exists()
        assert set(d["files"]) >= {"study.png", "study.svg", "study.json", "estimation.png"}


def test_study_default_out_and_options(prices_dir, tmp_path):
    p = _run(["study", "--ticker", "2333.HK", "--market", "^HSI", "--event-date", "2021-03-27",
              "--prices-dir", str(prices_dir), "--estimation", "-200", "-21", "--window", "-5", "5",
              "--returns", "log", "--model", "market_adjusted", "--no-figure"], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "figures" / "2333.HK_2021-03-27"
    assert "shifted" in p.stdout
    ar = pd.read_csv(out / "abnormal_returns.csv")
    assert ar["relative_day"].tolist() == list(range(-5, 6))
    assert ar["date"].iloc[5] == "2021-03-29"
    d = json.loads((out / "diagnostics.json").read_text())
    assert d["settings"]["returns_kind"] == "log" and d["settings"]["k"] == 0
    car = pd.read_csv(out / "car.csv")
    assert car[["window_start", "window_end"]].values.tolist() == [[0, 0], [-1, 1], [-5, 5]]


@pytest.mark.parametrize("args, message", [
    (["--event-date", "2021-03-26", "--estimation", "-10", "-20"], "is empty"),
    (["--event-date", "2021-03-26", "--car", "-20", "20"], "not inside the event window"),
    (["--event-date", "not-a-date"], "not a date"),
    (["--event-date", "2021-03-26", "--model", "ff3"], "needs --factors"),
    (["--event-date", "2021-03-26", "--prices-dir", "/nonexistent/prices"], "does not exist"),
])
def test_study_user_errors_in_process(prices_dir, tmp_path, capsys, args, message):
    """The same CLI entry point in-process (fast); the subprocess path is tested below."""
    from analysis.cli import main
    code = main(["study", "--ticker", "1810.HK", "--market", "^HSI", "--prices-dir", str(prices_dir),
                 "--out", str(tmp_path / "o"), "--no-figure", *args])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and message in err, err


def test_study_user_error_exit_2_one_line(prices_dir, tmp_path):
    p = _run(["study", "--ticker", "1810.HK", "--market", "^HSI", "--prices-dir", str(prices_dir),
              "--out", str(tmp_path / "o"), "--no-figure", "--event-date", "2020-02-03"])
    assert p.returncode == 2
    assert p.stderr.startswith("error: ") and p.stderr.count("\n") == 1, p.stderr
    assert "too few estimation returns" in p.stderr and "Traceback" not in p.stderr


def test_study_unknown_ticker(prices_dir, tmp_path):
    p = _run(["study", "--ticker", "0000.HK", "--market", "^HSI", "--event-date", "2021-03-26",
              "--prices-dir", str(prices_dir), "--out", str(tmp_path / "o"), "--no-figure"])
    assert p.returncode == 2 and "0000.HK" in p.stderr and "Traceback" not in p.stderr


def test_study_factor_model_in_process(shared_dir, prices_dir, tmp_path, capsys):
    from analysis.cli import main
    f = shared_dir / "data" / "factors"
    out = tmp_path / "tsla"
    code = main(["study", "--ticker", "TSLA", "--market", "^GSPC", "--event-date", "2022-10-20",
                 "--model", "carhart4", "--factors", str(f / "F-F_Research_Data_Factors_daily.CSV"),
                 str(f / "F-F_Momentum_Factor_daily.CSV"), "--prices-dir", str(prices_dir),
                 "--out", str(out), "--no-figure"])
    text = capsys.readouterr().out
    assert code == 0 and "carhart4" in text and "other loadings: SMB" in text
    d = json.loads((out / "diagnostics.json").read_text())
    assert d["fit"]["k"] == 5 and d["fit"]["df"] == d["fit"]["m"] - 5
    assert set(d["fit"]["params"]) == {"const", "Mkt-RF", "SMB", "HML", "Mom"}
    assert len(d["settings"]["factor_files"]) == 2
    ar = pd.read_csv(out / "abnormal_returns.csv")
    # expected = RF + alpha + loadings . factors, so AR = R - expected
    assert (ar["stock_return"] - ar["expected_return"] - ar["abnormal_return"]).abs().max() < 1e-11
