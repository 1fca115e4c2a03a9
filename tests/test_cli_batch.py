"""``python -m analysis batch`` through a subprocess on the real snapshot."""

from __future__ import annotations

import json

import pandas as pd

from analysis.events.table import select_subjects
from test_cli_study import _run

EVENTS = """event_id,ticker,market,event_date,group,role,listed
x1,1810.HK,^HSI,2021-03-26,tech,subject,true
x2,2333.HK,^HSI,2021-03-26,auto,subject,true
x3,0700.HK,^HSI,2021-03-27,tech,subject,True
x4,NOPE.HK,^HSI,2021-03-26,auto,subject,true
x5,0175.HK,,2021-06-01,auto,subject,yes
x6,0001.HK,^HSI,2021-06-01,auto,counterparty,true
x7,0002.HK,^HSI,2021-06-01,auto,subject,false
x8,0003.HK,^HSI,2020-06-01,auto,subject,true
"""


def test_select_subjects():
    df = pd.DataFrame({"ticker": list("abcd"), "role": ["subject", "Subject ", "object", None],
                       "listed": ["true", "false", "true", "true"]})
    assert select_subjects(df)["ticker"].tolist() == ["a"]
    assert len(select_subjects(df.drop(columns=["role", "listed"]))) == 4


def test_batch_writes_every_table(prices_dir, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    out = tmp_path / "out"
    p = _run(["batch", str(path), "--prices-dir", str(prices_dir), "--out", str(out),
              "--car", "0", "0", "--car", "-1", "1", "--xlsx", "--formats", "png,pdf", "--dpi", "100"])
    assert p.returncode == 0, p.stderr
    assert "2 of 8 rows left out (not listed subjects of the news)" in p.stdout
    assert "6 given, 4 studied, 2 skipped" in p.stdout
    raw = (out / "diagnostics.csv").read_text()
    assert ",false," in raw and "False" not in raw and "True" not in raw     # booleans one way
    diag = pd.read_csv(out / "diagnostics.csv").set_index("event_id")
    assert diag.loc["x4", "status"] == "skipped" and "NOPE.HK" in diag.loc["x4", "reason"]
    assert "too few estimation returns" in diag.loc["x8", "reason"]
    assert diag.loc["x5", "market"] == "^HSI"                 # filled from the exchange
    assert diag.loc["x3", "day0"] == "2021-03-29"             # Saturday -> Monday
    ar = pd.read_csv(out / "abnormal_returns.csv")
    assert set(ar["event_id"]) == {"x1", "x2", "x3", "x5"} and len(ar) == 4 * 21
    car = pd.read_csv(out / "car.csv")
    assert len(car) == 8 and {"scar", "t", "p", "group"} <= set(car.columns)
    aar = pd.read_csv(out / "aar.csv")
    assert set(aar["group"]) == {"all", "tech", "auto"}
    assert aar.loc[aar["group"] == "all", "n"].eq(4).all()
    tests = pd.read_csv(out / "tests.csv")
    assert {"csect_t", "bmp_t", "patell_z", "wilcoxon"} <= set(tests["test"])
    assert set(tests["group"]) == {"all", "tech", "auto"}
    assert set(zip(tests["window_start"], tests["window_end"])) == {(0, 0), (-1, 1)}
    if "figure skipped" not in p.stderr:
        assert (out / "aar_caar.png").exists() and (out / "aar_caar.pdf").exists()
        assert not (out / "aar_caar.svg").exists() and (out / "aar_caar_tech.png").exists()
        assert json.loads((out / "aar_caar.json").read_text())["png_dpi"] == 100
    book = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert list(book) == ["settings", "diagnostics", "abnormal_returns", "car", "aar", "tests"]
    assert len(book["abnormal_returns"]) == 4 * 21 and len(book["car"]) == 8


def test_batch_user_errors(prices_dir, tmp_path):
    p = _run(["batch", str(tmp_path / "missing.csv"), "--prices-dir", str(prices_dir), "--out", str(tmp_path)])
    assert p.returncode == 2 and p.stderr.startswith("error: ") and "Traceback" not in p.stderr
    path = tmp_path / "e.csv"
    path.write_text("ticker,market,event_date\n1810.HK,^HSI,2020-01-10\n")
    p = _run(["batch", str(path), "--prices-dir", str(prices_dir), "--out", str(tmp_path / "o"), "--no-figure"])
    assert p.returncode == 2 and "no event could be studied" in p.stderr
    assert (tmp_path / "o" / "diagnostics.csv").exists()
    for bad in (["--formats", "png,tiff"], ["--dpi", "lots"], ["--size", "6.5by4"], ["--dask", "local", "--xlsx"]):
        p = _run(["batch", str(path), "--prices-dir", str(prices_dir), "--out", str(tmp_path / "b"), *bad])
        assert p.returncode == 2 and p.stderr.startswith("error: ") and p.stderr.count("\n") == 1, p.stderr
