"""``python -m analysis events earnings TICKER``: Yahoo's earnings calendar to an events table, offline.

The fixture tests/data/yahoo/earnings-NVDA.csv has the shape yfinance documents for
``Ticker.get_earnings_dates()`` (yfinance/base.py, ``_get_earnings_dates_using_scrape``): a frame
indexed by ``Earnings Date`` (tz-aware, America/New_York, to the hour) with the columns
``EPS Estimate``, ``Reported EPS`` and ``Surprise(%)``. The dates are Nvidia's public results
dates (after the New York close); the EPS columns are left empty (no figures invented); the
2023-11-21 row carries Yahoo's midnight placeholder ("no time given") to test that rule, and the
2027 row is a scheduled announcement still to come.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.events.earnings import cache_file, earnings_events, load_earnings_dates

FIXTURE = Path(__file__).resolve().parent / "data" / "yahoo" / "earnings-NVDA.csv"
NOW = pd.Timestamp("2026-11-30", tz="UTC")


def yfinance_frame() -> pd.DataFrame:
    df = pd.read_csv(FIXTURE)
    index = pd.to_datetime(df.pop("Earnings Date"), utc=True).dt.tz_convert("America/New_York")
    df.index = pd.DatetimeIndex(index, name="Earnings Date")
    return df


def test_earnings_dates_become_timed_events():
    from analysis.events.timing import time_events

    ev = earnings_events(yfinance_frame(), "NVDA", now=NOW)
    assert ev["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-11-21", "2024-02-21", "2024-05-22", "2024-08-28", "2024-11-20"]          # the 2027 one is to come
    assert ev["time_of_day"].tolist() == ["unknown"] + ["after_close"] * 4
    assert pd.isna(ev["announced_at"].iloc[0])                                          # midnight: no time
    assert ev["announced_at"].iloc[2] == pd.Timestamp("2024-05-22 16:00", tz="America/New_York")
    assert set(ev["role"]) == {"subject"} and ev["company"].iloc[0] == "Nvidia"
    timed = time_events(ev)
    assert timed["day0"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-11-21", "2024-02-22", "2024-05-23", "2024-08-29", "2024-11-21"]
    assert earnings_events(yfinance_frame(), "NVDA", since="2024-06-01", now=NOW)["event_date"].min() \
        == pd.Timestamp("2024-08-28")


def test_cache_is_written_and_read_offline(tmp_path):
    calls = []

    def fetch(ticker):
        calls.append(ticker)
        return yfinance_frame()
    first = load_earnings_dates("NVDA", cache_dir=tmp_path, offline=False, fetch=fetch)
    assert cache_file("NVDA", tmp_path).is_file() and calls == ["NVDA"]
    again = load_earnings_dates("NVDA", cache_dir=tmp_path, offline=True, fetch=fetch)
    assert calls == ["NVDA"]
    pd.testing.assert_index_equal(first.index, again.index)
    assert list(again.index) == list(yfinance_frame().index)


def test_cli_offline_from_cache_and_errors(tmp_path, capsys, monkeypatch):
    from analysis.cli import main
    from analysis.events import earnings

    monkeypatch.setattr(earnings, "fetch_earnings_dates", lambda ticker, limit=100: yfinance_frame())
    monkeypatch.delenv("ANALYSIS_OFFLINE", raising=False)
    assert main(["events", "earnings", "NVDA", "--cache-dir", str(tmp_path), "--since", "2024-01-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("event_id,company,ticker,exchange,market,role,listed,event_date,announced_at")
    assert out[1].startswith("NVDA-earnings-2024-02-21,Nvidia,NVDA,XNYS,^GSPC,subject,true,2024-02-21,"
                             "2024-02-21T16:00:00-05:00,after_close")
    monkeypatch.setattr(earnings, "fetch_earnings_dates", None)       # the network is not used again
    target = tmp_path / "nvda.csv"
    assert main(["events", "earnings", "NVDA", "--cache-dir", str(tmp_path), "--offline", "--out", str(target)]) == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) >= 5
    capsys.readouterr()
    assert main(["events", "earnings", "AAPL", "--cache-dir", str(tmp_path), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no cached earnings dates for AAPL") and err.count("\n") == 1
    assert main(["events", "earnings", "NVDA", "--since", "last year", "--cache-dir", str(tmp_path)]) == 2


@pytest.mark.parametrize("bad", ["../x", "", "A/B"])
def test_bad_ticker_is_one_line(bad, tmp_path, capsys):
    from analysis.cli import main

    assert main(["events", "earnings", bad, "--cache-dir", str(tmp_path), "--offline"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
