"""The Yahoo source, offline: yfinance 1.7's own download() over a fake per-symbol history().

Helpers (also used by test_cache.py), offline stand-ins for yfinance 1.7 whose frames are built
exactly as yfinance builds them:

``fake_yahoo(monkeypatch, bars)`` replaces ``yfinance.multi.Ticker`` (what ``yf.download`` calls
per symbol) by a fake whose ``history()`` returns what yfinance's ``PriceHistory.history``
returns (tz-aware exchange-zone index named ``Date``, float OHLC + Adj Close, int64 Volume) or
raises; the real ``yf.download`` then concatenates, strips zones and builds the (Price, Ticker)
MultiIndex itself, so the frame our code sees is yfinance's own, not our guess of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yfinance
from yfinance.exceptions import YFRateLimitError

from analysis.errors import DownloadError, InputError
from analysis.data.prices import PRICE_COLUMNS
from analysis.data.yahoo import DOWNLOAD_SETTINGS, YahooSource, download, normalise_download

# ---------------------------------------------------------------- yfinance 1.7 stand-ins

ZONES = {"HK": "Asia/Hong_Kong", "SS": "Asia/Shanghai"}


def zone_of(symbol: str) -> str:
    suffix = symbol.rsplit(".", 1)[-1] if "." in symbol else ""
    return ZONES.get(suffix, "America/New_York" if symbol != "^HSI" else "Asia/Hong_Kong")


def history_frame(symbol: str, dates, close, *, auto_adjust=False, adj_factor=0.9) -> pd.DataFrame:
    """A frame shaped like yfinance 1.7 ``Ticker.history(auto_adjust=..., actions=False)``."""
    idx = pd.DatetimeIndex(pd.to_datetime(list(dates))).tz_localize(zone_of(symbol))
    idx.name = "Date"
    close = np.asarray(close, dtype=float)
    data = {"Open": close * 0.99, "High": close * 1.01, "Low": close * 0.98, "Close": close}
    if not auto_adjust:
        data["Adj Close"] = close * adj_factor
    data["Volume"] = np.arange(1, len(close) + 1, dtype=np.int64) * 1000
    return pd.DataFrame(data, index=idx)


def fake_yahoo(monkeypatch, bars: dict, calls: list | None = None):
    """``bars[symbol]``: a frame (returned, then sliced to [start, end) like Yahoo), an exception
    instance (raised), or a list of those (one per call). Records (symbol, kwargs) in ``calls``."""
    import yfinance.multi as multi

    state = {k: (list(v) if isinstance(v, list) else v) for k, v in bars.items()}

    class FakeTicker:
        def __init__(self, ticker, *a, **k):
            self.ticker = ticker.upper()
            self._price_history = None

        def history(self, **kw):
            if calls is not None:
                calls.append((self.ticker, kw))
            what = state.get(self.ticker)
            if isinstance(what, list):
                what = what.pop(0) if len(what) > 1 else what[0]
            if what is None:
                from yfinance.exceptions import YFTzMissingError
                raise YFTzMissingError(self.ticker)
            if isinstance(what, BaseException):
                raise what
            frame = what
            loc = frame.index.tz_localize(None)
            keep = np.ones(len(frame), dtype=bool)
            if kw.get("start"):
                keep &= loc >= pd.Timestamp(kw["start"])
            if kw.get("end"):
                keep &= loc < pd.Timestamp(kw["end"])
            out = frame[keep]
            if kw.get("auto_adjust") and "Adj Close" in out:
                ratio = out["Adj Close"] / out["Close"]
                out = out.assign(**{c: out[c] * ratio for c in ("Open", "High", "Low", "Close")}) \
                         .drop(columns="Adj Close")
            return out.copy()

    monkeypatch.setattr(multi, "Ticker", FakeTicker)
    return FakeTicker


# ---------------------------------------------------------------- tests

DATES = pd.bdate_range("2021-03-22", "2021-03-31")
CLOSE = np.linspace(20.0, 29.0, len(DATES))


def test_settings_that_change_numbers_are_pinned(monkeypatch):
    calls = []
    fake_yahoo(monkeypatch, {"1810.HK": history_frame("1810.HK", DATES, CLOSE)}, calls)
    download(["1810.HK"], "2021-03-23", "2021-03-26", sleep=lambda s: None)
    (sym, kw), = calls
    assert sym == "1810.HK"
    assert kw["interval"] == "1d" and kw["auto_adjust"] is False and kw["back_adjust"] is False
    assert kw["repair"] is False and kw["actions"] is False and kw["prepost"] is False
    assert kw["rounding"] is False and kw["keepna"] is False
    # our end is inclusive, yfinance's exclusive
    assert kw["start"] == "2021-03-23" and kw["end"] == "2021-03-27"
    assert DOWNLOAD_SETTINGS["ignore_tz"] is True and DOWNLOAD_SETTINGS["group_by"] == "column"


def test_download_keeps_exchange_local_dates_in_a_mixed_zone_batch(monkeypatch):
    us = pd.bdate_range("2021-03-22", "2021-03-26")
    fake_yahoo(monkeypatch, {"1810.HK": history_frame("1810.HK", DATES, CLOSE),
                             "^GSPC": history_frame("^GSPC", us, np.full(len(us), 3900.0))})
    res = download(["1810.HK", "^GSPC"], "2021-03-22", "2021-03-31", sleep=lambda s: None)
    assert not res.failed
    hk, sp = res.frames["1810.HK"], res.frames["^GSPC"]
    for f in (hk, sp):
        assert list(f.columns) == list(PRICE_COLUMNS)
        assert (f.dtypes == "float64").all()
        assert f.index.name == "Date" and f.index.tz is None and f.index.is_unique
        assert (f.index == f.index.normalize()).all()
    # the HK bar of 2021-03-26 (00:00+08:00 = 03-25 16:00 UTC) keeps its local date
    assert pd.Timestamp("2021-03-26") in hk.index
    assert list(hk.index) == list(DATES)
    assert list(sp.index) == list(us)          # union index of the batch: no NaN rows kept
    np.testing.assert_allclose(hk["Close"], CLOSE)
    np.testing.assert_allclose(hk["Adj Close"], CLOSE * 0.9)   # Adj Close as given by Yahoo


def test_adjusted_setting_derives_adj_close_from_auto_adjusted_close(monkeypatch):
    fake_yahoo(monkeypatch, {"1810.HK": history_frame("1810.HK", DATES, CLOSE)})
    res = download(["1810.HK"], None, "2021-03-31", adjusted=True, sleep=lambda s: None)
    f = res.frames["1810.HK"]
    np.testing.assert_allclose(f["Close"], CLOSE * 0.9)        # auto_adjust scales OHLC
    np.testing.assert_allclose(f["Adj Close"], f["Close"])


def test_failed_symbol_is_named_and_others_kept(monkeypatch):
    fake_yahoo(monkeypatch, {"1810.HK": history_frame("1810.HK", DATES, CLOSE), "NOPE": None})
    res = download(["1810.HK", "NOPE"], "2021-03-22", "2021-03-31", sleep=lambda s: None)
    assert list(res.frames) == ["1810.HK"]
    assert "NOPE" in res.failed and "delisted" in res.failed["NOPE"].lower()
    with pytest.raises(DownloadError, match="NOPE"):
        YahooSource(sleep=lambda s: None).load("NOPE", "2021-03-22", "2021-03-31")


def test_empty_frame_without_exception_is_a_download_error(monkeypatch):
    # what yfinance returns when the network is unreachable: an empty frame, no exception
    empty = pd.DataFrame(columns=pd.MultiIndex.from_product([list(PRICE_COLUMNS), ["1810.HK"]],
                                                            names=["Price", "Ticker"]),
                         index=pd.DatetimeIndex([], name="Date"))
    monkeypatch.setattr(yfinance, "download", lambda *a, **k: empty)
    with pytest.raises(DownloadError, match=r"1810\.HK.*no data"):
        YahooSource(sleep=lambda s: None).load("1810.HK", "2021-03-22", "2021-03-31")


def test_rate_limit_is_retried_with_bounded_backoff(monkeypatch):
    good = history_frame("^HSI", DATES, CLOSE * 1000)
    fake_yahoo(monkeypatch, {"^HSI": [YFRateLimitError(), YFRateLimitError(), good],
                             "1810.HK": history_frame("1810.HK", DATES, CLOSE)})
    slept = []
    res = download(["^HSI", "1810.HK"], "2021-03-22", "2021-03-31", sleep=slept.append, backoff=2.0)
    assert slept == [2.0, 4.0]
    assert set(res.frames) == {"^HSI", "1810.HK"} and not res.failed


def test_rate_limit_that_persists_is_reported_after_the_last_attempt(monkeypatch):
    slept = []
    monkeypatch.setattr(yfinance, "download", lambda *a, **k: (_ for _ in ()).throw(YFRateLimitError()))
    res = download(["^HSI"], "2021-03-22", "2021-03-31", sleep=slept.append, retries=3,
                   backoff=10.0, max_delay=25.0)
    assert slept == [10.0, 20.0, 25.0]                      # exponential, capped
    assert "rate-limited" in res.failed["^HSI"] and "4 attempts" in res.failed["^HSI"]


def test_normalise_tz_aware_index_keeps_wall_clock_date():
    idx = pd.DatetimeIndex(["2021-03-25", "2021-03-26"]).tz_localize("Asia/Hong_Kong")
    cols = pd.MultiIndex.from_product([list(PRICE_COLUMNS), ["1810.HK"]], names=["Price", "Ticker"])
    data = pd.DataFrame(np.full((2, 6), 10.0), index=idx.rename("Date"), columns=cols)
    f = normalise_download(data, ["1810.HK"]).frames["1810.HK"]
    assert list(f.index) == [pd.Timestamp("2021-03-25"), pd.Timestamp("2021-03-26")]


def test_normalise_group_by_ticker_and_single_level():
    idx = pd.DatetimeIndex(["2021-03-25", "2021-03-26"], name="Date")
    cols = pd.MultiIndex.from_product([["1810.HK"], list(PRICE_COLUMNS)], names=["Ticker", "Price"])
    data = pd.DataFrame(np.full((2, 6), 10.0), index=idx, columns=cols)
    assert "1810.HK" in normalise_download(data, ["1810.HK"]).frames
    flat = pd.DataFrame(np.full((2, 6), 10.0), index=idx, columns=list(PRICE_COLUMNS))
    assert "1810.HK" in normalise_download(flat, ["1810.HK"]).frames


def test_download_rejects_bad_symbols_before_the_network():
    with pytest.raises(InputError, match=r"\.\./etc"):
        download(["../etc"], sleep=lambda s: None)
