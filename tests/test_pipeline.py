"""The one pipeline (analysis.core.pipeline): every entry point times events the same way, reads
each price file once and runs the price checks."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest

import analysis
from analysis.cli import main
from analysis.core import pipeline
from analysis.data import prices as prices_module
from analysis.data.prices import CsvFolderSource

D = pd.Timestamp

# Announcement times whose day 0 the exchange calendars decide (HKEX: 09:30-12:00, 13:00-16:00;
# Good Friday 2021-04-02, Easter Monday 2021-04-05 and the day after Ching Ming 2021-04-06 closed; NYSE: 09:30-16:00, closed on
# 2021-04-02, 2021-11-25; early close 13:00 on 2021-11-26).
ANNOUNCED = [
    ("hk-before-open", "1810.HK", "2021-03-26T08:00+08:00"),
    ("hk-during", "1810.HK", "2021-03-26T10:15+08:00"),
    ("hk-lunch", "1810.HK", "2021-03-26T12:30+08:00"),
    ("hk-after-close", "1810.HK", "2021-03-25T19:40+08:00"),
    ("hk-easter", "2333.HK", "2021-04-02T09:00+08:00"),
    ("us-evening-seen-from-hk", "2333.HK", "2021-03-25T20:00-04:00"),
    ("us-after-early-close", "TSLA", "2021-11-26T14:00-05:00"),
    ("us-thanksgiving", "BABA", "2021-11-25T08:00-05:00"),
]


def _timing_command(events: pd.DataFrame, tmp_path) -> pd.DataFrame:
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    out = tmp_path / "timed.csv"
    with redirect_stdout(io.StringIO()):
        assert main(["timing", str(path), "--out", str(out)]) == 0
    return pd.read_csv(out, dtype=str)


@pytest.fixture(scope="module")
def panel(prices_dir):
    src = CsvFolderSource(prices_dir)
    symbols = ["1810.HK", "2333.HK", "^HSI", "TSLA", "BABA", "^GSPC"]
    return pd.concat({s: src.load(s)["Adj Close"] for s in symbols}, axis=1, sort=True)


def test_run_event_study_times_announcements_like_the_timing_command(panel, tmp_path):
    events = pd.DataFrame([{"event_id": e, "ticker": t, "announced_at": a} for e, t, a in ANNOUNCED])
    command = _timing_command(events, tmp_path).set_index("event_id")["day0"]
    result = analysis.run_event_study(events, prices=panel, estimation_window=(-120, -11),
                                      event_window=(-5, 5), min_estimation_obs=60)
    diag = result.diagnostics.set_index("event_id")
    # four announcements of 1810.HK land on the same day 0: the later ones are duplicates
    dup = diag["reason"].str.startswith("duplicate of hk-before-open (same ticker and day 0)")
    assert sorted(diag.index[dup]) == ["hk-after-close", "hk-during", "hk-lunch"]
    assert (diag.loc[~dup, "status"] == "ok").all(), diag["reason"]
    got = diag["day0"].dt.strftime("%Y-%m-%d")
    assert got.to_dict() == command.to_dict()
    # the calendar's answers, written out: Easter and Ching Ming move to Wednesday, Thanksgiving to Friday
    assert got["hk-after-close"] == "2021-03-26" and got["hk-easter"] == "2021-04-07"
    assert got["us-thanksgiving"] == "2021-11-26" and got["us-after-early-close"] == "2021-11-29"
    assert got["hk-lunch"] == "2021-03-26" and got["us-evening-seen-from-hk"] == "2021-03-26"
    assert diag.loc["hk-easter", "day0_shifted"] and not diag.loc["hk-during", "day0_shifted"]


def test_run_event_study_times_dates_with_time_of_day(panel, tmp_path):
    events = pd.DataFrame({"event_id": ["a", "b", "c"], "ticker": ["1810.HK", "1810.HK", "TSLA"],
                           "event_date": ["2021-03-25", "2021-04-01", "2021-03-26"],
                           "time_of_day": ["after_close", "after_close", "before_open"]})
    command = _timing_command(events, tmp_path).set_index("event_id")["day0"].to_dict()
    result = analysis.run_event_study(events, prices=panel, estimation_window=(-120, -11),
                                      event_window=(-5, 5), min_estimation_obs=60)
    got = result.diagnostics.set_index("event_id")["day0"].dt.strftime("%Y-%m-%d").to_dict()
    assert got == command == {"a": "2021-03-26", "b": "2021-04-07", "c": "2021-03-26"}


def test_a_saturday_event_is_shifted(panel):
    events = pd.DataFrame({"ticker": ["1810.HK"], "event_date": ["2021-03-27"]})
    d = analysis.run_event_study(events, prices=panel, estimation_window=(-120, -11), event_window=(-5, 5),
                                 min_estimation_obs=60).diagnostics.iloc[0]
    assert d["day0"] == D("2021-03-29") and bool(d["day0_shifted"])


def test_study_command_reads_each_price_file_once(prices_dir, tmp_path, monkeypatch):
    reads = []
    real = prices_module.read_price_csv

    def counting(path, symbol=None):
        reads.append(path.name)
        return real(path, symbol)

    monkeypatch.setattr(prices_module, "read_price_csv", counting)
    with redirect_stdout(io.StringIO()):
        rc = main(["study", "--ticker", "601633.SS", "--market", "000001.SS", "--event-date", "2021-03-26",
                   "--prices-dir", str(prices_dir), "--out", str(tmp_path / "out")])
    assert rc == 0
    assert sorted(reads) == ["000001.SS.csv", "601633.SS.csv"]
    assert (tmp_path / "out" / "study.png").is_file() and (tmp_path / "out" / "estimation.png").is_file()


def test_run_study_checks_prices_and_flags_limits(prices_dir):
    events = pd.DataFrame({"event_id": ["gw"], "ticker": ["601633.SS"], "event_date": ["2021-03-26"]})
    s = pipeline.run_study(events, prices_dir=prices_dir, progress=False)
    assert s.result.n_ok == 1 and s.events["day0"].iloc[0] == D("2021-03-26")
    assert set(s.prices) == {"601633.SS", "000001.SS"}            # the default market was filled in
    assert isinstance(s.quality, pd.DataFrame) and set(s.quality["symbol"]) <= set(s.prices)
    # Great Wall's Shanghai shares closed at the +10% limit on day 0: a censored return
    hit = s.limits.dropna(subset=["side"])
    assert ((hit["relative_day"] == 0) & (hit["side"] == "up")).any()
    assert s.marks("gw") == {"closed limit-up (censored)": list(hit["date"])}


def test_run_study_names_the_loader_s_reason(prices_dir):
    events = pd.DataFrame({"event_id": ["x", "y"], "ticker": ["NOPE.HK", "1810.HK"],
                           "event_date": ["2021-03-26", "2021-03-26"]})
    s = pipeline.run_study(events, prices_dir=prices_dir, progress=False)
    diag = s.diagnostics.set_index("event_id")
    assert diag.loc["y", "status"] == "ok"
    assert "NOPE.HK.csv does not exist" in diag.loc["x", "reason"]
    assert "NOPE.HK" in s.failed and any("NOPE.HK" in w for w in s.warnings)


def test_study_event_date_with_offset_is_timed(prices_dir, tmp_path):
    """After the New York close on 2020-09-22: day 0 is the next session, not the 22nd."""
    with redirect_stdout(io.StringIO()) as out:
        rc = main(["study", "--ticker", "TSLA", "--market", "^GSPC", "--event-date", "2020-09-22T23:00-04:00",
                   "--prices-dir", str(prices_dir), "--out", str(tmp_path / "o"), "--no-figure"])
    assert rc == 0
    assert "day 0: 2020-09-23 (2020-09-22 23:00 XNYS time, after close -> next session" in out.getvalue()


def test_price_panel_is_pandas_alignment_of_the_columns(prices_dir):
    """price_panel places each series at its dates in the sorted union, NaN elsewhere: the same
    frame as pandas' concat of the columns, for real files of different spans, for frames with
    unsorted or repeated dates (pandas' own path) and for an integer column (Volume)."""
    import numpy as np
    import pandas as pd

    from analysis.core.pipeline import price_panel
    from analysis.data.prices import CsvFolderSource

    src = CsvFolderSource(prices_dir)
    frames = {s: src.load(s) for s in ("1810.HK", "^HSI", "601633.SS", "2333.HK")}
    frames["short"] = frames["1810.HK"].iloc[100:140]
    for column in ("Adj Close", "Volume"):
        want = pd.concat({s: f[column] for s, f in frames.items()}, axis=1, sort=True).astype(float)
        pd.testing.assert_frame_equal(price_panel(frames, column), want)
    shuffled = dict(frames, short=frames["short"].iloc[::-1])
    want = pd.concat({s: f["Adj Close"] for s, f in shuffled.items()}, axis=1, sort=True).astype(float)
    pd.testing.assert_frame_equal(price_panel(shuffled), want)
    got = price_panel(frames)
    assert got.index.is_monotonic_increasing and got.index.is_unique
    assert np.isnan(got["short"]).sum() == len(got) - 40


def test_stale_warning_counts_each_events_bars_without_a_trade(prices_dir):
    """The ``stale`` warning of each event counts the stock's bars without a trade from its
    estimation start to the last day of its event window: checked against a direct count on
    the file's bars, for events of two stocks with such bars and one without."""
    import re

    import numpy as np
    import pandas as pd

    from analysis.core.pipeline import run_study
    from analysis.data.prices import CsvFolderSource
    from analysis.data.quality import stale_mask

    src = CsvFolderSource(prices_dir)
    days = {"2333.HK": ["2012-06-01", "2015-03-02", "2019-09-02"], "1810.HK": ["2021-03-26"],
            "0700.HK": ["2016-05-03", "2020-07-02"]}
    events = pd.DataFrame([(f"{t}-{d}", t, "^HSI", d) for t, ds in days.items() for d in ds],
                          columns=["event_id", "ticker", "market", "event_date"])
    study = run_study(events, source=src, progress=False)
    diag = study.result.diagnostics.set_index("event_id")
    ends = np.asarray(study.result.arrays.evt_dates)[:, -1].astype("datetime64[D]")     # day numbers
    last = dict(zip(study.result.arrays.event_ids, ends))
    counted = 0
    for eid, row in diag[diag["status"] == "ok"].iterrows():
        mask = stale_mask(src.load(row["ticker"]))
        bars = mask.index[mask.to_numpy()]
        want = int(((bars >= row["estimation_start"]) & (bars <= pd.Timestamp(last[eid]))).sum())
        found = re.search(r"(\d+) bar\(s\) without a trade", str(row["warning_details"]))
        assert (int(found.group(1)) if found else 0) == want, eid
        counted += want
    assert counted > 0            # the check saw bars to count


def test_price_files_are_read_on_at_most_the_threads_setting(prices_dir, monkeypatch):
    """load_prices reads a CSV folder's files on threads, no more than the source allows and
    the threads setting gives: ANALYSIS_THREADS=1 reads them on the calling thread; the frames
    and failures come back in the symbols' order either way."""
    import threading

    from analysis.core.pipeline import load_prices
    from analysis.data.prices import CsvFolderSource

    symbols = sorted(p.stem for p in prices_dir.glob("*.HK.csv"))[:12] + ["NOSUCH.HK"]

    def threads_used(setting):
        monkeypatch.setenv("ANALYSIS_THREADS", setting)
        seen = set()
        src = CsvFolderSource(prices_dir)
        load = src.load

        def spy(symbol, *a, **k):
            seen.add(threading.current_thread().name)
            return load(symbol, *a, **k)

        monkeypatch.setattr(src, "load", spy)
        frames, failed = load_prices(src, symbols, progress=False)
        assert list(frames) == symbols[:-1] and list(failed) == ["NOSUCH.HK"]
        return seen

    assert threads_used("1") == {threading.current_thread().name}
    pooled = threads_used("3")
    assert len(pooled) <= 3 and threading.current_thread().name not in pooled
