"""HTML report: one self-contained file (figures embedded, no external src/href), all sections."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.core import pipeline, returns
from analysis.errors import InputError
from analysis.figures import report
from fake_result import make_fake_prices, make_fake_result

ROOT = Path(__file__).resolve().parents[1]


class _Refs(HTMLParser):
    """Collects every URL-bearing attribute and the tags that could load something."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "data", "poster", "srcset", "action", "xlink:href"):
                self.refs.append((tag, name, value or ""))


def assert_self_contained(text: str) -> list[str]:
    p = _Refs()
    p.feed(text)
    external = [r for r in p.refs if not (r[2].startswith("data:") or r[2].startswith("#"))]
    assert not external, f"external references: {external[:3]}"
    assert "link" not in p.tags and "iframe" not in p.tags
    assert "@import" not in text and "url(http" not in text
    return [v for _, n, v in p.refs if n == "src"]


def test_render_is_self_contained(tmp_path):
    result = make_fake_result(3)
    prices = {"TST0": make_fake_prices(result, "e0001")["stock"], "^MKT": make_fake_prices(result)["market"]}
    path = report.write_report(result, tmp_path, title="Fake <sample> & co", prices=prices,
                               warnings=["cluster: TST0 twice within 3 days"],
                               marks={"e0001": {"limit-up": [0]}})
    assert path == tmp_path / "report.html"
    text = path.read_text(encoding="utf-8")
    srcs = assert_self_contained(text)
    # 1 AAR figure + one study figure per ok event (3), each an embedded PNG
    assert len(srcs) == 4 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert base64.b64decode(srcs[0].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Fake &lt;sample&gt; &amp; co" in text and "<sample>" not in text      # escaped
    for section in ("Warnings", "Settings", "Figures", "Cumulative abnormal returns per event",
                    "Cross-event tests, window [-1, 1]", "Average abnormal returns by day",
                    "Diagnostics (one row per event)", "Abnormal returns", "Summary"):
        assert f"<h2>{section}</h2>" in text
    assert "cluster: TST0 twice within 3 days" in text
    assert "1 event(s) skipped: event date after the last price (1)" in text
    assert "csect_t" in text and "synthetic test data (no market data)" in text
    figs = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert "aar_caar.png" in figs and "study_e0001.svg" in figs and "study_e0003.json" in figs


def test_single_event_has_no_cross_event_section(tmp_path):
    result = make_fake_result(1)
    text = report.write_report(result, tmp_path).read_text()
    assert "Cross-event tests" not in text and "aar_caar" not in text
    assert len(assert_self_contained(text)) == 1


def test_table_formats_percent_and_escapes():
    import pandas as pd

    html = report.html_table(pd.DataFrame({"event_id": ["<x>"], "car": [0.0123456], "p": [0.00001],
                                           "t": [2.5]}))
    assert "&lt;x&gt;" in html and "1.235%" in html and "1.0e-05" in html and "2.5" in html


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg",
                                          **(env or {})}, timeout=300)


def test_report_command_on_real_prices(tmp_path, prices_dir):
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,market,event_date\n"
                      "xiaomi,1810.HK,^HSI,2021-03-26\n"
                      "gwm_h,2333.HK,^HSI,2021-03-26\n"
                      "late,0700.HK,^HSI,2030-01-02\n"
                      "nodata,XIACF,^GSPC,2021-03-26\n")
    out = tmp_path / "rep"
    proc = _cli("report", "--events", str(events), "--out", str(out), "--prices-dir", str(prices_dir),
                "--formats", "png", "--size", "7x5")
    assert proc.returncode == 0, proc.stderr
    assert "2 of 4 events studied" in proc.stdout
    text = (out / "report.html").read_text()
    assert len(assert_self_contained(text)) == 3          # AAR + two study figures
    assert "1810.HK" in text and "late" in text and "skipped" in text
    from analysis.figures.paths import machine_paths

    assert machine_paths(text) == [] and str(prices_dir) not in text       # no path of this machine
    assert "<h2>Day 0: intraday range against the close</h2>" in text
    assert (out / "figures" / "study_xiaomi.png").is_file()
    assert not list((out / "figures").glob("*.svg"))                     # --formats png
    import json

    assert json.loads((out / "figures" / "aar_caar.json").read_text())["size_inches"] == [7.0, 5.0]


def test_report_command_user_error(tmp_path):
    proc = _cli("report", "--events", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_day0_price_moves_on_real_prices(prices_dir):
    """The '9% jump' was the intraday high: checked against the raw CSV read with the csv module."""
    import csv

    from analysis.data.prices import CsvFolderSource

    rows = {r["Date"]: r for r in csv.DictReader((prices_dir / "1810.HK.csv").open())}
    prev, bar = rows["2021-03-25"], rows["2021-03-26"]
    moves = returns.day0_price_moves(CsvFolderSource(prices_dir).load("1810.HK"), "2021-03-26")
    assert moves["previous_close"] == pytest.approx(float(prev["Close"]))
    assert moves["high_pct"] == pytest.approx(100 * (float(bar["High"]) / float(prev["Close"]) - 1))
    assert moves["close_pct"] == pytest.approx(100 * (float(bar["Close"]) / float(prev["Close"]) - 1))
    assert 9.0 < moves["high_pct"] < 9.5 and 6.0 < moves["close_pct"] < 6.5


def test_day0_price_moves_uses_one_price_scale():
    """A dividend between day -1 and day 0 (Adj Close factor change) is not a move."""
    import pandas as pd

    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="Date")
    frame = pd.DataFrame({"Open": [10.0, 9.5], "High": [10.0, 9.9], "Low": [10.0, 9.4],
                          "Close": [10.0, 9.5], "Adj Close": [9.5, 9.5], "Volume": [1.0, 1.0]}, index=idx)
    moves = returns.day0_price_moves(frame, "2024-01-03")       # 0.5 paid out: unchanged in value
    assert moves["close_pct"] == pytest.approx(0.0) and moves["previous_close"] == pytest.approx(9.5)
    with pytest.raises(InputError):
        returns.day0_price_moves(frame, "2024-01-02")


def test_limit_marks_and_sample_warnings():
    import pandas as pd

    flags = pd.DataFrame({"event_id": ["a", "a", "b"], "ticker": "601633.SS", "relative_day": [0, 1, 0],
                          "date": pd.to_datetime(["2021-03-26", "2021-03-29", "2021-03-26"]),
                          "close": 1.0, "limit_price": 1.0, "side": ["up", "up", pd.NA], "note": ""})
    assert pipeline.limit_marks(flags) == {"a": {"closed limit-up (censored)": list(flags["date"][:2])}}
    assert pipeline.limit_marks(flags.iloc[0:0]) == {}
    from analysis.events.timing import time_events

    events = pd.DataFrame({"event_id": ["g1", "g2", "m1"], "ticker": ["GOOGL", "GOOGL", "MSFT"],
                           "market": "^GSPC", "event_date": ["2026-01-15", "2026-01-16", "2026-01-16"]})
    warns = pipeline.sample_warnings(time_events(events))
    assert any(w.startswith("g1: confounded by g2") for w in warns)
    assert any("calendar clustering" in w for w in warns)
    assert not any(w.startswith("m1") for w in warns)
