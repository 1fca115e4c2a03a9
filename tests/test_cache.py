"""The parquet cache: served from disk, only missing ranges fetched, atomic, corruption detected."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from test_yahoo import fake_yahoo, history_frame

from analysis.data.cache import META_KEY, CachedYahooSource, read_entry
from analysis.cli import main
from analysis.errors import CacheError, DownloadError, InputError, OfflineError, UnknownTickerError

ROOT = Path(__file__).resolve().parents[1]
TODAY = pd.Timestamp("2021-06-30")
DATES = pd.bdate_range("2021-01-04", "2021-06-29")
CLOSE = 20.0 + np.cumsum(np.sin(np.arange(len(DATES))))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def yahoo(monkeypatch):
    calls: list = []
    bars = {"1810.HK": history_frame("1810.HK", DATES, CLOSE),
            "^HSI": history_frame("^HSI", DATES, CLOSE * 1000, adj_factor=1.0),
            "BRK-B": history_frame("BRK-B", DATES, CLOSE * 10),
            "2333.HK": history_frame("2333.HK", DATES, CLOSE / 4)}
    fake_yahoo(monkeypatch, bars, calls)
    return bars, calls


def source(tmp_path, **kw) -> CachedYahooSource:
    return CachedYahooSource(tmp_path / "cache", today=TODAY, sleep=lambda s: None, **kw)


def test_rerun_is_served_from_disk(tmp_path, yahoo):
    _, calls = yahoo
    src = source(tmp_path)
    a = src.load("1810.HK", "2021-02-01", "2021-03-31")
    n = len(calls)
    b = source(tmp_path).load("1810.HK", "2021-02-01", "2021-03-31")
    c = source(tmp_path, offline=True).load("1810.HK", "2021-02-15", "2021-03-01")
    assert len(calls) == n == 1
    pd.testing.assert_frame_equal(a, b)
    assert a.index[0] == pd.Timestamp("2021-02-01") and a.index[-1] == pd.Timestamp("2021-03-31")
    np.testing.assert_allclose(a["Adj Close"], CLOSE[(DATES >= "2021-02-01") & (DATES <= "2021-03-31")] * 0.9)
    assert c.index[0] == pd.Timestamp("2021-02-15")


def test_metadata_is_stored_in_the_parquet_schema(tmp_path, yahoo):
    src = source(tmp_path)
    src.load("^HSI", "2021-02-01", "2021-03-31")
    meta = json.loads(pq.read_schema(src.path_for("^HSI")).metadata[META_KEY])
    assert meta["source"].startswith("Yahoo Finance") and meta["adjusted"] is False
    assert meta["first_date"] == "2021-02-01" and meta["last_date"] == "2021-03-31"
    assert meta["covered_start"] == "2021-02-01" and meta["covered_end"] == "2021-03-31"
    assert meta["yfinance_version"] == __import__("yfinance").__version__
    assert pd.Timestamp(meta["fetched_at"]).tzinfo is not None
    assert meta["settings"]["auto_adjust"] is False and meta["settings"]["repair"] is False


def test_only_the_missing_range_is_fetched(tmp_path, yahoo):
    _, calls = yahoo
    src = source(tmp_path)
    src.load("1810.HK", "2021-02-01", "2021-03-31")
    calls.clear()
    f = src.load("1810.HK", "2021-02-01", "2021-04-30")
    (sym, kw), = calls
    # missing part 04-01..04-30, extended 14 days back into the cached part to compare prices
    assert kw["start"] == "2021-03-18" and kw["end"] == "2021-05-01"
    assert f.index[-1] == pd.Timestamp("2021-04-30") and f.index.is_unique
    calls.clear()
    src.load("1810.HK", "2021-01-15", "2021-04-30")
    (sym, kw), = calls
    assert kw["start"] == "2021-01-15" and kw["end"] == "2021-02-15"   # 01-31 + 14 days, exclusive
    meta = read_entry(src.path_for("1810.HK")).meta
    assert (meta["covered_start"], meta["covered_end"]) == ("2021-01-15", "2021-04-30")


def test_changed_adjustment_basis_refetches_the_whole_range(tmp_path, monkeypatch):
    calls: list = []
    first = history_frame("1810.HK", DATES, CLOSE, adj_factor=0.9)
    rebased = history_frame("1810.HK", DATES, CLOSE, adj_factor=0.8)   # a dividend since
    fake_yahoo(monkeypatch, {"1810.HK": [first, rebased]}, calls)
    src = source(tmp_path)
    src.load("1810.HK", "2021-02-01", "2021-03-31")
    f = src.load("1810.HK", "2021-02-01", "2021-04-30")
    assert len(calls) == 3 and calls[-1][1]["start"] == "2021-02-01"
    np.testing.assert_allclose(f["Adj Close"] / f["Close"], 0.8)      # one basis, never spliced
    assert any("adjusted prices changed" in n for n in src.notes)


def test_covered_range_stops_before_today(tmp_path, yahoo):
    src = source(tmp_path)
    src.load("1810.HK", "2021-06-01", None)
    assert read_entry(src.path_for("1810.HK")).meta["covered_end"] == "2021-06-29"


def test_offline_forbids_network(tmp_path, yahoo):
    _, calls = yahoo
    with pytest.raises(OfflineError, match=r"1810\.HK.*2021-02-01\.\.2021-03-31"):
        source(tmp_path, offline=True).load("1810.HK", "2021-02-01", "2021-03-31")
    source(tmp_path).load("1810.HK", "2021-02-01", "2021-03-31")
    n = len(calls)
    with pytest.raises(OfflineError, match=r"1810\.HK.*2021-04-01"):
        source(tmp_path, offline=True).load("1810.HK", "2021-02-01", "2021-04-30")
    # no end asked: offline serves what is cached
    assert source(tmp_path, offline=True).load("1810.HK", "2021-02-01").index[-1] == pd.Timestamp("2021-03-31")
    assert len(calls) == n


def test_env_offline_reaches_the_source(tmp_path, monkeypatch, yahoo):
    from analysis.data.sources import open_source
    monkeypatch.delenv("ANALYSIS_PRICES_DIR", raising=False)
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "c"))
    src = open_source()
    assert isinstance(src, CachedYahooSource) and src.offline and src.folder == tmp_path / "c"
    with pytest.raises(OfflineError, match="BRK-B"):
        src.load("BRK-B", "2021-02-01", "2021-03-31")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_corrupt_file_is_refetched_online_and_reported_offline(tmp_path, yahoo, damage):
    _, calls = yahoo
    src = source(tmp_path)
    good = src.load("1810.HK", "2021-02-01", "2021-03-31")
    path = src.path_for("1810.HK")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a parquet file at all")
    else:  # flip bytes inside the first data page: the page checksum catches it
        b = bytearray(data)
        for i in range(40, 48):
            b[i] ^= 0xFF
        path.write_bytes(bytes(b))
    with pytest.raises(CacheError, match=r"1810\.HK\.parquet"):
        source(tmp_path, offline=True).load("1810.HK", "2021-02-01", "2021-03-31")
    n = len(calls)
    again = source(tmp_path).load("1810.HK", "2021-02-01", "2021-03-31")
    assert len(calls) == n + 1
    pd.testing.assert_frame_equal(good, again)


def test_file_without_metadata_is_not_used(tmp_path, yahoo):
    src = source(tmp_path)
    frame = src.load("1810.HK", "2021-02-01", "2021-03-31")
    frame.to_parquet(src.path_for("1810.HK"))          # valid parquet, no cache metadata
    with pytest.raises(CacheError, match="no valid cache metadata"):
        source(tmp_path, offline=True).load("1810.HK", "2021-02-01", "2021-03-31")


def test_batch_failure_is_named_and_the_rest_cached(tmp_path, monkeypatch):
    fake_yahoo(monkeypatch, {"1810.HK": history_frame("1810.HK", DATES, CLOSE), "ZZZZ.HK": None})
    src = source(tmp_path)
    rep = src.fetch(["1810.HK", "ZZZZ.HK"], "2021-02-01", "2021-03-31")
    assert dict(zip(rep.symbol, rep.status)) == {"1810.HK": "fetched", "ZZZZ.HK": "failed"}
    assert src.path_for("1810.HK").exists() and not src.path_for("ZZZZ.HK").exists()
    with pytest.raises(UnknownTickerError, match=r"ZZZZ\.HK"):
        src.load("ZZZZ.HK", "2021-02-01", "2021-03-31")


def test_cache_file_names_are_safe(tmp_path, yahoo):
    src = source(tmp_path)
    src.load_many(["^HSI", "BRK-B", "2333.HK"], "2021-02-01", "2021-02-26")
    names = sorted(p.name for p in (tmp_path / "cache").glob("*.parquet"))
    assert names == ["2333.HK.parquet", "BRK-B.parquet", "^HSI.parquet"]
    for bad in ["../x", "a/b", "", "A\x00B", ".."]:
        with pytest.raises(InputError):
            src.path_for(bad)


def test_adjusted_variant_lives_in_its_own_file(tmp_path, yahoo):
    a = source(tmp_path).load("1810.HK", "2021-02-01", "2021-02-26")
    b = source(tmp_path, adjusted=True).load("1810.HK", "2021-02-01", "2021-02-26")
    np.testing.assert_allclose(a["Adj Close"], b["Adj Close"])
    assert (tmp_path / "cache" / "1810.HK@adjusted.parquet").exists()


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np, pandas as pd
    import analysis.data.cache as cache
    from analysis.data.cache import CachedYahooSource
    from analysis.data.yahoo import DownloadResult

    def dying_writer(table, fh):           # write part of the file, then die without cleanup
        import io, pyarrow.parquet as pq
        buf = io.BytesIO(); pq.write_table(table, buf)
        fh.write(buf.getvalue()[: len(buf.getvalue()) // 3]); fh.flush(); os.fsync(fh.fileno())
        os.kill(os.getpid(), signal.SIGKILL)

    cache._write_parquet = dying_writer
    dates = pd.bdate_range("1990-01-01", "2021-06-29")
    big = pd.DataFrame(np.full((len(dates), 6), 5.0), index=pd.DatetimeIndex(dates, name="Date"),
                       columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"])
    dl = lambda syms, lo, hi: DownloadResult(frames={s: big.loc[lo:hi] for s in syms})
    src = CachedYahooSource(sys.argv[1], downloader=dl, today=pd.Timestamp("2021-06-30"))
    src.fetch(["1810.HK"], "1990-01-01", "2021-06-29", refresh=True)
""")


def test_process_killed_mid_write_leaves_the_old_file_intact(tmp_path, yahoo):
    src = source(tmp_path)
    old = src.load("1810.HK", "2021-02-01", "2021-03-31")
    path = src.path_for("1810.HK")
    before = sha(path)
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "cache")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    assert sha(path) == before
    leftovers = list((tmp_path / "cache").glob(".1810.HK.parquet.*.tmp"))
    assert len(leftovers) == 1                       # the partial temp file, never the real name
    pd.testing.assert_frame_equal(source(tmp_path, offline=True).load("1810.HK", "2021-02-01", "2021-03-31"), old)
    assert list(source(tmp_path).entries()["symbol"]) == ["1810.HK"]
    source(tmp_path).clear()
    assert not list((tmp_path / "cache").iterdir()) or [p.name for p in (tmp_path / "cache").iterdir()] == [".lock"]


CONCURRENT = textwrap.dedent("""
    import sys, time
    import numpy as np, pandas as pd
    from analysis.data.cache import CachedYahooSource
    from analysis.data.yahoo import DownloadResult
    dates = pd.bdate_range("2000-01-03", "2021-06-29")
    frame = pd.DataFrame(np.tile(np.arange(1.0, len(dates) + 1)[:, None], 6),
                         index=pd.DatetimeIndex(dates, name="Date"),
                         columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"])
    def dl(syms, lo, hi):
        print("download", flush=True); time.sleep(0.3)
        return DownloadResult(frames={s: frame.loc[lo:hi] for s in syms})
    src = CachedYahooSource(sys.argv[1], downloader=dl, today=pd.Timestamp("2021-06-30"))
    for _ in range(3):
        src.load_many(["1810.HK", "^HSI"], "2000-01-03", "2021-06-29")
""")


def test_two_processes_filling_the_cache_at_once(tmp_path):
    script = tmp_path / "fill.py"
    script.write_text(CONCURRENT)
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path / "cache")], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    # the lock serialises fetch-and-write: the second process finds the data cached
    assert sum(o.count("download") for o, _ in outs) == 1
    for s in ("1810.HK", "^HSI"):
        e = read_entry(tmp_path / "cache" / f"{s}.parquet", s)
        assert len(e.frame) == len(pd.bdate_range("2000-01-03", "2021-06-29"))


def test_cli_fetch_list_and_clear(tmp_path, yahoo, capsys):
    cache = tmp_path / "cache"
    assert main(["fetch", "1810.HK", "^HSI", "--start", "2021-02-01", "--end", "2021-03-31",
                 "--cache-dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "1810.HK" in out and "fetched" in out and "^HSI" in out
    assert main(["cache", "list", "--cache-dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "2 files" in out and "2021-02-01..2021-03-31" in out
    assert main(["cache", "clear", "^HSI", "--cache-dir", str(cache)]) == 0
    assert [p.name for p in cache.glob("*.parquet")] == ["1810.HK.parquet"]
    assert main(["cache", "clear", "--cache-dir", str(cache)]) == 0
    assert not list(cache.glob("*.parquet"))


def test_cli_fetch_reports_failed_symbols_with_status_2(tmp_path, monkeypatch, capsys):
    fake_yahoo(monkeypatch, {"1810.HK": history_frame("1810.HK", DATES, CLOSE), "NOPE": None})
    rc = main(["fetch", "1810.HK", "NOPE", "--start", "2021-02-01", "--end", "2021-03-31",
               "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert rc == 2 and "NOPE" in err and "Traceback" not in err
    assert (tmp_path / "c" / "1810.HK.parquet").exists()


def test_download_error_class_for_network_failures(tmp_path, monkeypatch):
    fake_yahoo(monkeypatch, {"1810.HK": ConnectionError("connection refused")})
    with pytest.raises(DownloadError, match=r"1810\.HK.*connection refused"):
        source(tmp_path).load("1810.HK", "2021-02-01", "2021-03-31")


def test_refresh_refetches_the_whole_file_and_keeps_its_range(tmp_path, yahoo):
    _, calls = yahoo
    src = source(tmp_path)
    src.load("1810.HK", "2021-02-01", "2021-03-31")
    calls.clear()
    rep = src.fetch(["1810.HK"], "2021-03-01", "2021-03-15", refresh=True)
    assert rep.status.tolist() == ["refetched"]
    (sym, kw), = calls
    assert kw["start"] == "2021-02-01" and kw["end"] == "2021-04-01"     # cached range kept, one basis
    meta = read_entry(src.path_for("1810.HK")).meta
    assert (meta["covered_start"], meta["covered_end"]) == ("2021-02-01", "2021-03-31")
    with pytest.raises(OfflineError, match="1810.HK"):
        source(tmp_path, offline=True).fetch(["1810.HK"], "2021-03-01", "2021-03-15", refresh=True)
