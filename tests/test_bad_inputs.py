"""The bad-input catalogue (issue 6): every case asserts the error type, a one-line message
naming the problem AND the offending value, and that nothing on disk changed; CLI cases also
assert exit status 2 and no traceback.

Engine cases go through ``analysis.core.engine.study`` over a tmp folder of synthetic CSVs (random
walks with a fixed seed: only the error matters, never a number) and, when the ``study`` command
exists, through ``python -m analysis study`` subprocesses.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import (AnalysisError, CacheError, ConfigError, DataError, EstimationError,
                             EventError, InputError, OfflineError, UnknownTickerError, WindowError)
from analysis.events.table import read_events, validate_events
from analysis.data.prices import CsvFolderSource, read_price_csv
from analysis.data.sources import open_source

ROOT = Path(__file__).resolve().parents[1]
HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
GOOD_ROWS = "2021-03-25,1,1,1,1,1,1\n2021-03-26,2,2,2,2,2,1\n"


# ------------------------------------------------------------------------------ helpers

def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


@contextlib.contextmanager
def unchanged(root: Path):
    before = snapshot(root)
    yield
    assert snapshot(root) == before, "files changed on disk"


def expect(root: Path, error: type[AnalysisError], needles: list[str], call):
    """``call()`` raises exactly ``error`` (or a subclass), one line naming every needle."""
    with unchanged(root):
        with pytest.raises(error) as info:
            call()
    msg = str(info.value)
    assert msg and "\n" not in msg
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"
    return msg


def cli(root: Path, args: list[str], needles: list[str], *, subprocess_run: bool = True, monkeypatch=None,
        capsys=None):
    """``python -m analysis ARGS`` exits 2 with one ``error:`` line naming every needle.

    ``subprocess_run=False`` calls ``analysis.cli.main`` in this process (same code path, no
    interpreter start-up): any exception other than an AnalysisError would escape and fail the test.
    """
    if subprocess_run:
        env = {**os.environ, "ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg"}
        env.pop("ANALYSIS_PRICES_DIR", None)
        with unchanged(root):
            proc = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=120)
        rc, stderr = proc.returncode, proc.stderr
    else:
        from analysis.cli import main
        monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
        monkeypatch.delenv("ANALYSIS_PRICES_DIR", raising=False)
        monkeypatch.chdir(root)
        with unchanged(root):
            rc = main(args)
        stderr = capsys.readouterr().err
    assert rc == 2, (rc, stderr)
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def events_file(tmp_path: Path, content: str | bytes, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def price_file(folder: Path, symbol: str, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{symbol}.csv"
    path.write_text(content, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ events CSV

EVENT_CASES = [
    # id, file content, error, needles (problem, value)
    ("missing-ticker-column", "symbol,event_date\n1810.HK,2021-03-26\n", InputError,
     ["missing column 'ticker'", "symbol"]),
    ("missing-date-columns", "ticker,when\n1810.HK,2021-03-26\n", InputError,
     ["needs an 'event_date' or 'announced_at'", "when"]),
    ("bad-date-month-13", "ticker,event_date\n1810.HK,2021-13-45\n", InputError,
     ["bad event_date", "'2021-13-45'", "row 1 (line 2)"]),
    ("bad-date-format", "ticker,event_date\n1810.HK,2021-03-26\n2333.HK,26/03/2021\n", InputError,
     ["bad event_date", "'26/03/2021'", "row 2 (line 3)"]),
    ("bad-date-feb-30", "ticker,event_date\n1810.HK,2021-02-30\n", InputError,
     ["not a calendar date", "'2021-02-30'"]),
    ("unknown-time-zone", "ticker,announced_at,tz\n1810.HK,2021-03-26 12:00,Asia/Hongkong_Typo\n", InputError,
     ["unknown time zone", "'Asia/Hongkong_Typo'", "row 1"]),
    ("announced-without-zone", "ticker,announced_at\n1810.HK,2021-03-26 12:00\n", InputError,
     ["no UTC offset", "'2021-03-26 12:00'"]),
    ("duplicate-event-ids", "event_id,ticker,event_date\na1,1810.HK,2021-03-26\na1,2333.HK,2021-03-26\n",
     InputError, ["duplicate event_id", "'a1'", "row 1", "row 2"]),
    ("empty-file", "", InputError, ["is empty", "events.csv"]),
    ("blank-lines-only", "\n  \n\n", InputError, ["is empty", "events.csv"]),
    ("header-only", "ticker,event_date\n", InputError, ["no events", "events.csv"]),
    ("latin-1-bytes", "ticker,event_date,city\n1810.HK,2021-03-26,Zürich\n".encode("latin-1"), InputError,
     ["not UTF-8", "b'\\xfc'", "line 2"]),
    ("utf-16", "ticker,event_date\n1810.HK,2021-03-26\n".encode("utf-16"), InputError,
     ["not UTF-8", "b'\\xff'"]),
    ("ticker-path-traversal", "ticker,event_date\n../../etc/passwd,2021-03-26\n", InputError,
     ["path separator", "'../../etc/passwd'", "row 1"]),
    ("ticker-empty", "ticker,event_date\n ,2021-03-26\n", InputError, ["ticker is empty", "row 1 (line 2)"]),
    ("ticker-control-char", "ticker,event_date\n\"18\x0710.HK\",2021-03-26\n", InputError,
     ["control character", "'18\\x0710.HK'"]),
    ("bad-time-of-day", "ticker,event_date,time_of_day\n1810.HK,2021-03-26,midnight\n", InputError,
     ["bad time_of_day", "'midnight'"]),
    ("too-many-fields", "ticker,event_date\n1810.HK,2021-03-26,extra\n", InputError,
     ["line 2", "3 fields", "'1810.HK,2021-03-26,extra'"]),
    ("no-date-at-all", "ticker,event_date,announced_at\n1810.HK,,\n", InputError,
     ["no event_date and no announced_at", "1810.HK"]),
    ("duplicate-columns", "ticker,event_date,ticker\n1810.HK,2021-03-26,2333.HK\n", InputError,
     ["duplicate columns", "'ticker'"]),
    ("nul-bytes", b"ticker,event_date\n1810.HK\x00,2021-03-26\n", InputError, ["NUL bytes", "events.csv"]),
]


# problems of one row: the row is kept with its reason (input_error), the others go on; with
# strict=True the file is refused as before
ROW_LEVEL = {"bad-date-month-13", "bad-date-format", "bad-date-feb-30", "unknown-time-zone",
             "announced-without-zone", "duplicate-event-ids", "ticker-path-traversal", "ticker-empty",
             "ticker-control-char", "bad-time-of-day", "no-date-at-all"}


@pytest.mark.parametrize("case, content, error, needles", EVENT_CASES, ids=[c[0] for c in EVENT_CASES])
def test_events_csv(tmp_path, case, content, error, needles):
    path = events_file(tmp_path, content)
    if case not in ROW_LEVEL:
        expect(tmp_path, error, needles, lambda: read_events(path))
        return
    expect(tmp_path, error, needles, lambda: read_events(path, strict=True))
    with unchanged(tmp_path):
        table = read_events(path)
    bad = table["input_error"].dropna()
    assert len(bad) == 1 and len(table) - len(bad) == table["input_error"].isna().sum()
    msg = bad.iloc[0]
    assert "\n" not in msg and msg.startswith("line ")
    for needle in needles:
        if not needle.startswith("row "):
            assert needle in msg, (needle, msg)


def test_events_file_that_does_not_exist(tmp_path):
    expect(tmp_path, InputError, ["does not exist", "nope.csv"], lambda: read_events(tmp_path / "nope.csv"))


def test_extra_whitespace_and_bom_are_accepted(tmp_path):
    path = events_file(tmp_path, "\ufeff  ticker , event_date \n  1810.HK  ,  2021-03-26 \n\n")
    with unchanged(tmp_path):
        ev = read_events(path)
    assert ev.ticker.tolist() == ["1810.HK"] and ev.event_date.iloc[0] == pd.Timestamp("2021-03-26")


def test_validate_events_rejects_a_non_table(tmp_path):
    expect(tmp_path, InputError, ["must be a table", "list"], lambda: validate_events([1, 2]))


# ------------------------------------------------------------------------------ price files

PRICE_CASES = [
    ("nan-prices", HEADER + "2021-03-25,1,1,1,,,1\n2021-03-26,2,2,2,nan,NaN,1\n", DataError,
     ["no Close values at all", "X.csv"]),
    ("inf-price", HEADER + "2021-03-25,1,1,1,1,1,1\n2021-03-26,2,2,2,inf,2,1\n", DataError,
     ["infinite Close", "inf", "2021-03-26"]),
    ("zero-close", HEADER + "2021-03-25,1,1,1,1,1,1\n2021-03-26,2,2,2,0,0,1\n", DataError,
     ["non-positive Close", "0.0", "2021-03-26"]),
    ("negative-adj-close", HEADER + "2021-03-25,1,1,1,1,-1.5,1\n", DataError,
     ["non-positive Adj Close", "-1.5", "2021-03-25"]),
    ("negative-volume", HEADER + "2021-03-25,1,1,1,1,1,-5\n", DataError, ["invalid Volume", "-5.0", "2021-03-25"]),
    ("missing-columns", "Date,Open,High,Low,Close,Volume\n2021-03-25,1,1,1,1,1\n", DataError,
     ["missing columns", "'Adj Close'", "X.csv"]),
    ("unparseable-date", HEADER + "2021-03-25,1,1,1,1,1,1\nyesterday,1,1,1,1,1,1\n", DataError,
     ["unparseable date", "'yesterday'", "line 3"]),
    ("non-numeric", HEADER + "2021-03-25,1,1,1,abc,1,1\n", DataError, ["non-numeric Close", "'abc'", "line 2"]),
    ("empty-price-file", "", DataError, ["is empty", "X.csv"]),
    ("header-without-rows", HEADER, DataError, ["no rows", "X.csv"]),
    ("ragged-row", HEADER + "2021-03-25,1,1,1,1,1,1\n2021-03-26,1,1,1,1,1,1,9,9\n", DataError,
     ["not a valid CSV", "X.csv"]),
    ("conflicting-duplicate-dates", HEADER + "2021-03-25,1,1,1,1,1,1\n2021-03-25,1,1,1,2,2,1\n", DataError,
     ["conflicting rows", "2021-03-25"]),
]


@pytest.mark.parametrize("content, error, needles", [c[1:] for c in PRICE_CASES],
                         ids=[c[0] for c in PRICE_CASES])
def test_price_csv(tmp_path, content, error, needles):
    price_file(tmp_path / "prices", "X", content)
    expect(tmp_path, error, needles, lambda: CsvFolderSource(tmp_path / "prices").load("X"))


def test_price_file_not_utf8(tmp_path):
    (tmp_path / "X.csv").write_bytes((HEADER + "2021-03-25,1,1,1,1,1,1\n").encode() + b"\xff\xfe")
    expect(tmp_path, DataError, ["not UTF-8", "X.csv", "b'\\xff'"], lambda: read_price_csv(tmp_path / "X.csv"))


def test_unknown_ticker(tmp_path):
    price_file(tmp_path / "prices", "A", HEADER + GOOD_ROWS)
    expect(tmp_path, UnknownTickerError, ["no prices for NOPE.HK", str(tmp_path / "prices")],
           lambda: CsvFolderSource(tmp_path / "prices").load("NOPE.HK"))


def test_symbol_with_path_separator_is_refused_before_any_file_access(tmp_path):
    price_file(tmp_path / "prices", "A", HEADER + GOOD_ROWS)
    expect(tmp_path, InputError, ["path separator", "'../A'"],
           lambda: CsvFolderSource(tmp_path / "prices").load("../A"))


def test_prices_folder_that_does_not_exist(tmp_path):
    expect(tmp_path, ConfigError, ["prices folder does not exist", "missing-folder"],
           lambda: open_source(prices_dir=tmp_path / "missing-folder"))
    expect(tmp_path, DataError, ["prices folder does not exist", "missing-folder"],
           lambda: CsvFolderSource(tmp_path / "missing-folder"))


def test_bad_offline_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_OFFLINE", "maybe")
    monkeypatch.delenv("ANALYSIS_PRICES_DIR", raising=False)
    expect(tmp_path, ConfigError, ["ANALYSIS_OFFLINE", "'maybe'"], lambda: open_source(cache_dir=tmp_path))


def test_inverted_date_range(tmp_path):
    price_file(tmp_path / "prices", "A", HEADER + GOOD_ROWS)
    expect(tmp_path, InputError, ["after end date", "2021-03-26", "2021-03-01"],
           lambda: CsvFolderSource(tmp_path / "prices").load("A", "2021-03-26", "2021-03-01"))


# ------------------------------------------------------------------------------ cache

def test_offline_and_not_cached(tmp_path):
    from analysis.data.cache import CachedYahooSource
    expect(tmp_path, OfflineError, ["offline", "1810.HK", "2021-03-01..2021-03-31", "--prices-dir"],
           lambda: CachedYahooSource(tmp_path, offline=True).load("1810.HK", "2021-03-01", "2021-03-31"))


def test_corrupt_cache_file_offline(tmp_path):
    from analysis.data.cache import CachedYahooSource
    (tmp_path / "1810.HK.parquet").write_bytes(b"PAR1 truncated")
    expect(tmp_path, CacheError, ["corrupt or truncated", "1810.HK.parquet"],
           lambda: CachedYahooSource(tmp_path, offline=True).load("1810.HK", "2021-03-01", "2021-03-31"))


# ------------------------------------------------------------------------------ CLI (subprocess)

def test_cli_fetch_bad_symbol(tmp_path):
    cli(tmp_path, ["fetch", "1810.HK", "../etc/passwd", "--cache-dir", str(tmp_path / "c")],
        ["path separator", "'../etc/passwd'"])


def test_cli_fetch_offline_not_cached(tmp_path, monkeypatch, capsys):
    (tmp_path / "c").mkdir()
    cli(tmp_path, ["fetch", "^HSI", "--start", "2021-03-01", "--end", "2021-03-31", "--cache-dir", str(tmp_path / "c")],
        ["offline", "^HSI", "2021-03-01..2021-03-31"], subprocess_run=False, monkeypatch=monkeypatch, capsys=capsys)


def test_cli_fetch_bad_date(tmp_path, monkeypatch, capsys):
    cli(tmp_path, ["fetch", "^HSI", "--start", "2021-13-01", "--cache-dir", str(tmp_path / "c")],
        ["start date is not a date", "'2021-13-01'"], subprocess_run=False, monkeypatch=monkeypatch, capsys=capsys)


def test_cli_cache_clear_bad_symbol(tmp_path, monkeypatch, capsys):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "A.parquet").write_bytes(b"keep me")
    cli(tmp_path, ["cache", "clear", "..", "--cache-dir", str(tmp_path / "c")],
        ["contains '..'", "'..'"], subprocess_run=False, monkeypatch=monkeypatch, capsys=capsys)


def test_cli_report_with_bad_events_file(tmp_path, monkeypatch, capsys):
    price_file(tmp_path / "prices", "A", HEADER + GOOD_ROWS)
    events = events_file(tmp_path, "event_id,ticker,date\nx,A,2021-03-26\n")
    cli(tmp_path, ["report", "--events", str(events), "--out", str(tmp_path / "out"),
                   "--prices-dir", str(tmp_path / "prices")], ["needs an 'event_date' or 'announced_at'", "date"],
        subprocess_run=False, monkeypatch=monkeypatch, capsys=capsys)


def test_cli_batch_with_bad_events_file(tmp_path):
    events = events_file(tmp_path, "ticker,event_date\n1810.HK,2021-02-30\n")
    cli(tmp_path, ["batch", str(events), "--out", str(tmp_path / "out")], ["bad event_date", "'2021-02-30'"])


def test_cli_missing_prices_folder(tmp_path, monkeypatch, capsys):
    events = events_file(tmp_path, "ticker,event_date\nA,2021-03-26\n")
    cli(tmp_path, ["report", "--events", str(events), "--out", str(tmp_path / "out"),
                   "--prices-dir", str(tmp_path / "no-such-folder")],
        ["prices folder does not exist", "no-such-folder"], subprocess_run=False, monkeypatch=monkeypatch,
        capsys=capsys)


# ------------------------------------------------------------------------------ engine cases

N_DAYS = 400
DATES = pd.bdate_range("2020-01-01", periods=N_DAYS)
EVENT = DATES[330]


def write_bars(folder: Path, symbol: str, close, dates=DATES):
    close = np.asarray(close, dtype=float)
    pd.DataFrame({"Date": dates.strftime("%Y-%m-%d"), "Open": close, "High": close, "Low": close,
                  "Close": close, "Adj Close": close, "Volume": 100}).to_csv(folder / f"{symbol}.csv", index=False)


@pytest.fixture
def synthetic(tmp_path) -> Path:
    """Synthetic prices: MKT and STK random walks, CONST a constant-return stock, MKTHOLE = MKT
    without the event day."""
    folder = tmp_path / "prices"
    folder.mkdir()
    rng = np.random.default_rng(7)
    mkt = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, N_DAYS)))
    write_bars(folder, "MKT", mkt)
    write_bars(folder, "STK", 50 * np.exp(np.cumsum(rng.normal(0, 0.012, N_DAYS))))
    write_bars(folder, "CONST", 10 * 1.001 ** np.arange(N_DAYS))
    keep = DATES != EVENT
    write_bars(folder, "MKTHOLE", mkt[keep], DATES[keep])
    return folder


def run_study(folder, ticker="STK", market="MKT", event_date=EVENT, **kw):
    from analysis.core.pipeline import study
    return study(ticker, market, event_date, source=CsvFolderSource(folder), **kw)


ENGINE_CASES = [
    ("event-before-data", dict(event_date="2019-01-02"), EventError, ["before the data", "2019-01-02"]),
    ("event-after-data", dict(event_date="2030-01-02"), EventError, ["after the data", "2030-01-02"]),
    ("estimation-overlaps-event-window", dict(estimation_window=(-100, 0)), WindowError,
     ["must end before the event window", "[-100, 0]"]),
    ("estimation-after-event-window", dict(estimation_window=(20, 200)), WindowError,
     ["must end before the event window", "[20, 200]"]),
    ("inverted-event-window", dict(event_window=(5, -5)), WindowError, ["is empty", "[5, -5]"]),
    ("inverted-estimation-window", dict(estimation_window=(-11, -260)), WindowError, ["is empty", "[-11, -260]"]),
    ("event-window-beyond-data", dict(event_window=(-10, 100)), WindowError,
     ["runs beyond the data", "[-10, 100]"]),
    ("constant-returns", dict(ticker="CONST"), EstimationError, ["cannot be estimated", "CONST"]),
    ("unknown-ticker", dict(ticker="NOPE"), UnknownTickerError, ["no prices for NOPE", "NOPE.csv"]),
    ("too-few-estimation-returns", dict(event_date=DATES[60]), AnalysisError, ["STK", "100"]),
]


@pytest.mark.parametrize("kw, error, needles", [c[1:] for c in ENGINE_CASES], ids=[c[0] for c in ENGINE_CASES])
def test_engine_study(synthetic, kw, error, needles):
    expect(synthetic.parent, error, needles, lambda: run_study(synthetic, **kw))


def test_engine_market_equal_to_ticker(synthetic):
    expect(synthetic.parent, InputError, ["same symbol as the ticker", "STK"],
           lambda: run_study(synthetic, market="STK"))


def test_engine_non_positive_price_in_a_panel(tmp_path):
    from analysis.core.pipeline import run_event_study
    prices = pd.DataFrame({"STK": np.linspace(10, 20, 300), "MKT": np.linspace(100, 120, 300)},
                          index=pd.bdate_range("2020-01-01", periods=300))
    prices.iloc[100, 0] = 0.0
    events = pd.DataFrame({"event_id": ["e1"], "ticker": ["STK"], "market": ["MKT"],
                           "event_date": [prices.index[280]]})
    # a batch skips the event with the reason; asking for that event raises it
    expect(tmp_path, DataError, ["non-positive price", "0.0", "STK", str(prices.index[100].date())],
           lambda: run_event_study(events, prices=prices, estimation_window=(-200, -11)).raise_if_skipped("e1"))


STUDY_CLI = (ROOT / "analysis" / "commands" / "study.py").exists()


@pytest.mark.skipif(not STUDY_CLI, reason="the `study` command (helper E) does not exist yet")
@pytest.mark.parametrize("extra, needles, sub", [
    (["--ticker", "NOPE", "--market", "MKT", "--event-date", str(EVENT.date())], ["no prices for NOPE"], True),
    (["--ticker", "STK", "--market", "MKT", "--event-date", "2030-01-02"], ["after the data", "2030-01-02"], False),
    (["--ticker", "STK", "--market", "MKT", "--event-date", str(EVENT.date()), "--window", "5", "-5"],
     ["is empty", "[5, -5]"], False),
    (["--ticker", "STK", "--market", "MKT", "--event-date", str(EVENT.date()), "--estimation", "-100", "0"],
     ["must end before the event window", "[-100, 0]"], False),
    (["--ticker", "CONST", "--market", "MKT", "--event-date", str(EVENT.date())], ["cannot be estimated"], False),
    (["--ticker", "../STK", "--market", "MKT", "--event-date", str(EVENT.date())],
     ["path separator", "'../STK'"], False),
    (["--ticker", "STK", "--market", "MKT", "--event-date", "2021-02-30"], ["2021-02-30"], False),
], ids=["unknown-ticker", "after-data", "inverted-window", "overlapping-windows", "constant-returns",
        "bad-symbol", "impossible-date"])
def test_cli_study(synthetic, extra, needles, sub, monkeypatch, capsys):
    cli(synthetic.parent, ["study", *extra, "--prices-dir", str(synthetic), "--out", str(synthetic.parent / "out")],
        needles, subprocess_run=sub, monkeypatch=monkeypatch, capsys=capsys)


# ------------------------------------------------------------------------------ factor files (helper E's reader)

FACTOR_CASES = [
    ("no-header-row", "Date,Mkt-RF,SMB,HML,RF\n20210326,0.1,0.2,0.3,0.01\n", ["no header row", "F.csv"]),
    ("bad-date", "Preamble\n,Mkt-RF,SMB,HML,RF\n2021-03-26,0.1,0.2,0.3,0.01\n",
     ["not a data row", "2021-03-26", "F.csv"]),
    ("non-numeric", "Preamble\n,Mkt-RF,SMB,HML,RF\n20210326,0.1,abc,0.3,0.01\n", ["non-numeric", "F.csv"]),
    ("no-rows", "Preamble\n,Mkt-RF,SMB,HML,RF\n", ["no data rows", "F.csv"]),
    ("impossible-date", "Preamble\n,Mkt-RF,SMB,HML,RF\n20210230,0.1,0.2,0.3,0.01\n", ["'20210230'", "F.csv"]),
]


@pytest.mark.parametrize("content, needles", [c[1:] for c in FACTOR_CASES], ids=[c[0] for c in FACTOR_CASES])
def test_factor_file_in_the_wrong_format(tmp_path, content, needles):
    factors = pytest.importorskip("analysis.data.factors")
    path = events_file(tmp_path, content, name="F.csv")
    expect(tmp_path, InputError, needles, lambda: factors.read_french_factors(path))


def test_cli_report_with_a_factor_file_in_the_wrong_format(synthetic, monkeypatch, capsys):
    root = synthetic.parent
    bad = events_file(root, "Date,Mkt-RF,SMB,HML,RF\n20210326,0.1,0.2,0.3,0.01\n", name="F.csv")
    events = events_file(root, f"ticker,market,event_date\nSTK,MKT,{EVENT.date()}\n")
    cli(root, ["report", "--events", str(events), "--out", str(root / "out"), "--model", "ff3",
               "--factors", str(bad), "--prices-dir", str(synthetic)],
        ["no header row", "F.csv"], subprocess_run=False, monkeypatch=monkeypatch, capsys=capsys)


# ------------------------------------------------------------------------------ a batch with some bad events

@pytest.mark.skipif(not (ROOT / "analysis" / "commands" / "batch.py").exists(),
                    reason="the `batch` command (helper E) does not exist yet")
def test_batch_finishes_with_the_good_events_and_lists_the_bad_ones(synthetic, monkeypatch, capsys):
    from analysis.cli import main
    root = synthetic.parent
    day = EVENT.date()
    events = events_file(root, "event_id,ticker,market,event_date\n"
                               f"good,STK,MKT,{day}\n"
                               f"unknown,NOPE,MKT,{day}\n"
                               f"late,STK,MKT,2030-01-02\n"
                               f"flat,CONST,MKT,{day}\n"
                               f"hole,STK,MKTHOLE,{day}\n")
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    monkeypatch.chdir(root)
    rc = main(["batch", str(events), "--out", str(root / "out"), "--prices-dir", str(synthetic), "--no-figure"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "Traceback" not in captured.err
    diag = pd.read_csv(root / "out" / "diagnostics.csv").set_index("event_id")
    assert diag.loc["good", "status"] == "ok"
    # no market price on the date asked for: like a weekend, the next joint session, flagged
    assert diag.loc["hole", "status"] == "ok" and "day0_moved" in diag.loc["hole", "warnings"]
    assert (diag.drop(index=["good", "hole"])["status"] == "skipped").all()
    reasons = diag["reason"].fillna("")
    assert "NOPE" in reasons["unknown"]
    assert "after the data" in reasons["late"] and "2030-01-02" in reasons["late"]
    assert "cannot be estimated" in reasons["flat"]
    assert "no MKTHOLE price on" in diag.loc["hole", "warning_details"]
    ar = pd.read_csv(root / "out" / "abnormal_returns.csv")
    assert set(ar["event_id"]) == {"good", "hole"}
