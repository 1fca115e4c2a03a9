"""Every row of an events table through the pipeline: user columns keep their types (a
regression on ``size`` works through every route), rows that are not listed subjects are
counted with their reason, an ``event_date`` with a time is timed like ``announced_at``, and
``study`` says the day 0 it used. Real prices of the shared snapshot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.core.pipeline import price_panel, run_event_study, run_study
from analysis.errors import InputError
from analysis.events.table import left_out, read_events, select_subjects, validate_events
from test_faults import one_error_line, run_cli

HK = pd.DataFrame({
    "event_id": [f"g{i}" for i in range(1, 9)],
    "ticker": ["0700.HK", "9988.HK", "0005.HK", "0016.HK", "0388.HK", "0011.HK", "0001.HK", "0002.HK"],
    "market": "^HSI",
    "event_date": ["2022-03-23", "2023-03-28", "2023-05-03", "2023-05-03", "2023-05-03", "2023-05-03",
                   "2023-05-03", "2023-05-03"],
    "size": [10, 20, 30, 40, 50, 60, 70, 80],
    "sector": ["a", "a", "b", "b", "c", "c", "a", "b"],
})


def write(tmp_path, text, name="events.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ols_by_numpy(frame: pd.DataFrame) -> np.ndarray:
    """Intercept, sector b, sector c, log size: the OLS coefficients by least squares."""
    x = np.column_stack([np.ones(len(frame)), frame["sector"].eq("b"), frame["sector"].eq("c"),
                         np.log(frame["size"].astype(float))]).astype(float)
    return np.linalg.lstsq(x, frame["car"].to_numpy(float), rcond=None)[0]


# ------------------------------------------------------------------------------------ types

def test_csv_columns_are_typed_like_read_csv_but_codes_stay_text(tmp_path):
    text = ("ticker,event_date,size,ratio,code,filed,sector,group\n"
            "1810.HK,2021-03-26,10,0.5,0700,2021-03-01,tech,1\n"
            "2333.HK,2021-03-26,,-1e-3,0011,,auto,2\n")
    ev = read_events(write(tmp_path, text))
    assert ev["size"].dtype.kind == "f" and ev["size"].iloc[0] == 10 and np.isnan(ev["size"].iloc[1])
    assert ev["ratio"].tolist() == [0.5, -0.001]
    assert ev["code"].tolist() == ["0700", "0011"]                 # zero-padded codes are labels
    assert ev["filed"].dtype == "datetime64[ns]" and pd.isna(ev["filed"].iloc[1])
    assert ev["sector"].tolist() == ["tech", "auto"]
    assert ev["group"].tolist() == ["1", "2"]                      # a group is a label, always text


def test_dataframe_columns_keep_their_dtypes():
    raw = HK.assign(flag=[True, False] * 4, when=pd.Timestamp("2020-01-02"), weight=np.linspace(0, 1, 8),
                    note=[" x ", "", None, "y", "z", "w", "v", "u"])
    ev = validate_events(raw)
    assert ev["size"].dtype == np.int64 and ev["weight"].dtype == float and ev["flag"].dtype == bool
    assert ev["when"].dtype.kind == "M"
    assert ev["note"].iloc[0] == "x" and pd.isna(ev["note"].iloc[1]) and pd.isna(ev["note"].iloc[2])


def test_regress_on_size_through_run_study_csv_and_run_event_study(prices_dir, tmp_path):
    """The README's regression: before, ``size`` became text, so ``np.log(size)`` failed and
    ``car ~ size`` fitted one dummy per value."""
    study = run_study(HK, prices_dir=prices_dir, progress=False)
    assert study.events["size"].dtype.kind in "iuf"
    fit = study.result.regress("car ~ np.log(size) + C(sector)", window=(-1, 1), cov_type="HC3")
    assert list(fit.params.index) == ["Intercept", "C(sector)[T.b]", "C(sector)[T.c]", "np.log(size)"]
    frame = study.result.regression_frame((-1, 1))
    np.testing.assert_allclose(fit.params.to_numpy(), ols_by_numpy(frame), rtol=1e-10, atol=1e-14)
    assert list(study.result.regress("car ~ size").params.index) == ["Intercept", "size"]   # one slope

    # the same file read from CSV
    path = write(tmp_path, HK.to_csv(index=False))
    from_csv = run_study(read_events(path), prices_dir=prices_dir, progress=False).result
    np.testing.assert_allclose(from_csv.regress("car ~ np.log(size) + C(sector)").params, fit.params,
                               rtol=1e-12)

    # run_event_study on a panel, events with announcement times (timed by the pipeline)
    timed = HK.drop(columns="event_date").assign(
        announced_at=[f"{d}T08:00+08:00" for d in HK["event_date"]])      # before the Hong Kong open
    panel = run_event_study(timed, prices=price_panel(study.prices))
    assert panel.regression_frame()["size"].dtype.kind in "iuf"
    np.testing.assert_allclose(panel.regress("car ~ np.log(size) + C(sector)").params, fit.params, rtol=1e-12)


# ------------------------------------------------------------------------------- rows left out

ROLES = ("event_id,ticker,market,event_date,role,listed\n"
         "r1,0005.HK,^HSI,2023-05-03,,\n"
         "r4,0016.HK,^HSI,2023-05-03,subject,true\n"
         "r2,0011.HK,^HSI,2023-05-03,mention,true\n"
         "r3,0388.HK,^HSI,2023-05-03,subject,\n"
         "r5,0001.HK,^HSI,2023-05-03,Subject,otc\n")


def test_every_row_left_out_has_its_reason():
    ev = validate_events(pd.read_csv(__import__("io").StringIO(ROLES), dtype=str, keep_default_na=False))
    assert left_out(ev).tolist() == [
        "role is blank (write subject to study the row)", pd.NA,
        "not a subject of the news: role mention", "listed is blank (write true to study the row)",
        "over-the-counter line (listed otc)"]
    assert select_subjects(ev)["event_id"].tolist() == ["r4"]
    assert left_out(ev.drop(columns=["role", "listed"])).isna().all()


def test_batch_and_run_study_account_for_every_row(prices_dir, tmp_path, monkeypatch, capsys):
    path = write(tmp_path, ROLES)
    rc, out, _ = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "o", "--no-figure"],
                         monkeypatch, capsys)
    assert rc == 0
    line = next(ln for ln in out.splitlines() if "left out" in ln)
    assert line.startswith("4 of 5 rows left out (not listed subjects of the news): ")
    assert "1 role is blank (write subject to study the row) (r1)" in line
    assert "1 not a subject of the news: role mention (r2)" in line
    assert "1 listed is blank (write true to study the row) (r3)" in line
    assert "1 over-the-counter line (listed otc) (r5)" in line
    study = run_study(read_events(path), prices_dir=prices_dir, progress=False)
    assert study.left_out["event_id"].tolist() == ["r1", "r2", "r3", "r5"]
    assert study.warnings[0] == line                   # the report shows the study's warnings
    assert len(study.events) + len(study.left_out) == 5


def test_no_subject_at_all_says_why_each_row_was_left_out(tmp_path, prices_dir, monkeypatch, capsys):
    path = write(tmp_path, "ticker,event_date,role\n1810.HK,2021-03-26,\n2333.HK,2021-03-26,mention\n")
    rc, _, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "o"], monkeypatch, capsys)
    assert rc == 2
    one_error_line(err, "no event to study: 2 of 2 rows left out", "1 role is blank", "role mention")


def test_report_and_longrun_say_the_rows_left_out(prices_dir, tmp_path, monkeypatch, capsys):
    path = write(tmp_path, ROLES)
    rc, out, _ = run_cli(["report", "--events", path, "--prices-dir", prices_dir, "--out", tmp_path / "r"],
                         monkeypatch, capsys)
    assert rc == 0 and out.startswith("4 of 5 rows left out (not listed subjects of the news): ")
    assert "4 of 5 rows left out" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    rc, out, _ = run_cli(["longrun", path, "--prices-dir", prices_dir, "--out", tmp_path / "l", "--no-figure",
                          "--window", "1", "20"], monkeypatch, capsys)
    assert rc == 0 and out.startswith("4 of 5 rows left out (not listed subjects of the news): ")


@pytest.mark.slow
def test_batch_on_dask_says_the_rows_left_out(prices_dir, tmp_path, monkeypatch, capsys):
    path = write(tmp_path, ROLES)
    rc, out, _ = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "o", "--no-figure",
                          "--dask", "local:1"], monkeypatch, capsys)
    assert rc == 0 and "4 of 5 rows left out (not listed subjects of the news)" in out


# ----------------------------------------------------------------------- times in event_date

def test_event_date_with_offset_is_an_announcement_time(tmp_path):
    text = ("event_id,ticker,event_date,announced_at,tz\n"
            "a,1810.HK,2021-03-26T16:30+08:00,,\n"
            "b,1810.HK,,2021-03-26T16:30+08:00,\n"
            "c,1810.HK,2021-03-26 16:30,,Asia/Hong_Kong\n"
            "d,1810.HK,2021-03-26T00:00+08:00,,\n"
            "e,1810.HK,2021-03-26T16:30+08:00,2021-03-26T09:00+08:00,\n")
    ev = read_events(write(tmp_path, text))
    stamp = pd.Timestamp("2021-03-26T16:30+08:00")
    assert [ev["announced_at"].iloc[i] == stamp for i in range(3)] == [True, True, True]
    assert ev["event_date"].iloc[:3].isna().all()
    assert ev["event_date"].iloc[3] == pd.Timestamp("2021-03-26") and pd.isna(ev["announced_at"].iloc[3])
    assert "give the announcement time once, in announced_at" in ev["input_error"].iloc[4]
    with pytest.raises(InputError, match="has a time but no UTC offset"):
        validate_events(pd.DataFrame({"ticker": ["1810.HK"], "event_date": [pd.Timestamp("2021-03-26 16:30")]}),
                        strict=True)


def test_batch_python_api_and_panel_time_an_event_date_like_announced_at(prices_dir, tmp_path, monkeypatch,
                                                                         capsys):
    """16:30 in Hong Kong is after the close: day 0 is the next session, 2021-03-29 (a Monday),
    whichever column holds the time; before, batch refused it and run_event_study truncated it."""
    rows = []
    for column in ("event_date", "announced_at"):
        path = write(tmp_path, f"event_id,ticker,market,{column}\nx,1810.HK,^HSI,2021-03-26T16:30+08:00\n",
                     name=f"{column}.csv")
        rc, _, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / column,
                              "--no-figure"], monkeypatch, capsys)
        assert rc == 0, err
        rows.append(pd.read_csv(tmp_path / column / "car.csv"))
        diag = pd.read_csv(tmp_path / column / "diagnostics.csv")
        assert diag["day0"].tolist() == ["2021-03-29"] and diag["requested_date"].tolist() == ["2021-03-26"]
    pd.testing.assert_frame_equal(rows[0], rows[1])

    one = analysis.study("1810.HK", "^HSI", "2021-03-26T16:30+08:00", prices_dir=prices_dir)
    assert one.diagnostics["day0"].iloc[0] == pd.Timestamp("2021-03-29")
    study = run_study(pd.DataFrame({"ticker": ["1810.HK"], "event_date": ["2021-03-26"]}),
                      prices_dir=prices_dir, progress=False)
    panel = price_panel(study.prices)
    timed = run_event_study(pd.DataFrame({"ticker": ["1810.HK"], "market": ["^HSI"],
                                          "event_date": ["2021-03-26T16:30+08:00"]}), prices=panel)
    assert timed.diagnostics["day0"].iloc[0] == pd.Timestamp("2021-03-29")


# ------------------------------------------------------------------------- the study header

def test_study_header_says_the_day0_it_used_and_why_it_moved(prices_dir, tmp_path, monkeypatch, capsys):
    """2023-07-04: Hong Kong trades, New York is closed; the joint session is 2023-07-05."""
    rc, out, err = run_cli(["study", "--ticker", "0700.HK", "--market", "^GSPC", "--event-date", "2023-07-04",
                            "--prices-dir", prices_dir, "--out", tmp_path / "o", "--no-figure"], monkeypatch, capsys)
    assert rc == 0, err
    first = out.splitlines()[0]
    assert first.startswith("day 0: 2023-07-05 (the calendar gave 2023-07-04: ")
    assert "moved later: no ^GSPC price on 2023-07-04 while 0700.HK traded" in first
    saved = json.loads((tmp_path / "o" / "diagnostics.json").read_text())
    assert saved["event"]["day0"] == "2023-07-05" and saved["event"]["day0_shifted"] is True

    rc, out, _ = run_cli(["study", "--ticker", "0700.HK", "--event-date", "2023-07-04", "--prices-dir", prices_dir,
                          "--out", tmp_path / "p", "--no-figure"], monkeypatch, capsys)
    assert rc == 0 and out.splitlines()[0] == "day 0: 2023-07-04 (time unknown -> same session; XHKG calendar)"
