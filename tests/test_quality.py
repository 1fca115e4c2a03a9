"""Data-quality checks: each finding with its dates, on synthetic bars whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.data.quality import QUALITY_COLUMNS, apply_stale, check_prices, stale_mask


def bars(dates, close, volume=None, **cols):
    idx = pd.DatetimeIndex(pd.to_datetime(dates), name="Date")
    close = np.asarray(close, dtype=float)
    f = pd.DataFrame({"Open": close * 0.99, "High": close * 1.02, "Low": close * 0.97, "Close": close,
                      "Adj Close": close, "Volume": np.full(len(close), 100.0) if volume is None else volume},
                     index=idx)
    for k, v in cols.items():
        f[k.replace("_", " ")] = np.asarray(v, dtype=float)
    return f


def only(found, check):
    rows = found[found.check == check]
    assert len(rows) >= 1, found
    return rows


def test_clean_series_has_no_findings():
    f = bars(pd.bdate_range("2021-01-04", periods=30), np.linspace(10, 12, 30))
    out = check_prices(f, "X")
    assert list(out.columns) == list(QUALITY_COLUMNS) and out.empty


def test_unsorted_and_duplicate_dates_on_a_raw_read():
    f = bars(["2021-01-05", "2021-01-04", "2021-01-06", "2021-01-06"], [1, 1, 1, 1])
    out = check_prices(f, "X")
    r = only(out, "unsorted_dates").iloc[0]
    assert r.first_date == pd.Timestamp("2021-01-04") and r.n == 1
    d = only(out, "duplicate_dates").iloc[0]
    assert d.first_date == d.last_date == pd.Timestamp("2021-01-06") and d.n == 1
    assert (out.symbol == "X").all()


def test_missing_non_positive_and_infinite_prices():
    f = bars(pd.bdate_range("2021-01-04", periods=5), [1, 1, 1, 1, 1])
    f.loc["2021-01-05", "Adj Close"] = np.nan
    f.loc["2021-01-06", "Close"] = 0.0
    f.loc["2021-01-07", "Close"] = -1.0
    f.loc["2021-01-08", "Open"] = np.inf
    out = check_prices(f, "X")
    m = only(out, "missing_price").iloc[0]
    assert m.first_date == pd.Timestamp("2021-01-05") and "Adj Close" in m.detail
    npos = only(out, "non_positive_price").iloc[0]
    assert (npos.first_date, npos.last_date, npos.n) == (pd.Timestamp("2021-01-06"), pd.Timestamp("2021-01-07"), 2)
    assert only(out, "non_finite_price").iloc[0].first_date == pd.Timestamp("2021-01-08")


def test_gap_longer_than_ten_calendar_days():
    f = bars(["2021-01-04", "2021-01-14", "2021-01-26", "2021-01-27"], [1, 1, 1, 1])
    g = only(check_prices(f, "X"), "gap")
    assert len(g) == 1            # 10 days is not a gap, 12 days is
    assert (g.iloc[0].first_date, g.iloc[0].last_date, g.iloc[0].n) == (
        pd.Timestamp("2021-01-14"), pd.Timestamp("2021-01-26"), 12)
    assert len(check_prices(f, "X", max_gap_days=5).query("check == 'gap'")) == 2


def test_stale_bars_and_the_stale_setting():
    f = bars(pd.bdate_range("2021-12-22", periods=4), [10, 10.5, 10.5, 11], volume=[5.0, 5.0, 0.0, 5.0])
    f.loc["2021-12-24", ["Open", "High", "Low", "Close", "Adj Close"]] = 10.5
    s = only(check_prices(f, "X"), "stale_bar").iloc[0]
    assert s.first_date == pd.Timestamp("2021-12-24") and s.n == 1
    assert stale_mask(f).sum() == 1
    out = apply_stale(f, "missing")
    assert out.loc["2021-12-24", "Adj Close"] != out.loc["2021-12-24", "Adj Close"]   # NaN
    assert out.loc["2021-12-23", "Adj Close"] == 10.5 and len(out) == 4
    assert apply_stale(f, "keep") is f
    with pytest.raises(ConfigError, match="'nan'"):
        apply_stale(f, "nan")


def test_zero_volume_alone_is_not_stale():
    f = bars(pd.bdate_range("2021-01-04", periods=3), [1, 2, 3], volume=[0.0, 0.0, 0.0])
    assert "stale_bar" not in set(check_prices(f, "X").check)


def test_extreme_single_day_returns():
    f = bars(pd.bdate_range("2021-01-04", periods=5), [10, 16, 15, 7, 7.1])
    e = only(check_prices(f, "X"), "extreme_return")
    assert list(e.first_date) == [pd.Timestamp("2021-01-05"), pd.Timestamp("2021-01-07")]
    assert "+60.0%" in e.iloc[0].detail and "-53.3%" in e.iloc[1].detail
    assert check_prices(f, "X", max_abs_return=0.7).query("check == 'extreme_return'").empty


def test_close_outside_high_low():
    f = bars(pd.bdate_range("2021-01-04", periods=3), [1, 1, 1])
    f.loc["2021-01-05", "Close"] = 5.0
    assert only(check_prices(f, "X"), "ohlc_inconsistent").iloc[0].first_date == pd.Timestamp("2021-01-05")


def test_real_hk_half_day_filler_bars_are_found(prices_dir):
    from analysis.data.prices import CsvFolderSource
    out = CsvFolderSource(prices_dir).check("0001.HK")
    s = only(out, "stale_bar").iloc[0]
    # SOURCES.md: 9 rows with Volume 0, mostly flat bars; only the one whose close repeats the
    # day before is a bar without a trade (the others are half-day sessions whose close moved)
    raw = pd.read_csv(prices_dir / "0001.HK.csv", parse_dates=["Date"])
    flat = raw[(raw.Open == raw.High) & (raw.High == raw.Low) & (raw.Low == raw.Close) & (raw.Volume == 0)]
    assert len(flat) == 9
    same = flat[flat.Close.to_numpy() == raw.Close.shift(1)[flat.index].to_numpy()]
    assert s.n == len(same) == 1 and s.first_date == same.Date.min() and s.last_date == same.Date.max()


def test_real_suspension_gaps_found(prices_dir):
    from analysis.data.prices import CsvFolderSource
    g = only(CsvFolderSource(prices_dir).check("601633.SS"), "gap")
    starts = set(g.first_date.dt.strftime("%Y-%m-%d"))
    assert {"2015-06-18", "2017-09-28", "2020-01-23"} <= starts


def test_flat_zero_volume_bar_whose_close_moved_traded():
    """Issue 12: no trade is zero volume *with an unchanged price*. A half-day session's bar
    (flat, Volume 0) whose close moved from the day before is a price, not a stale bar; a
    suspension's bars repeat the last close (also across a missing close) and stay stale."""
    f = bars(pd.bdate_range("2022-01-26", periods=6), [10, 10, 10.24, 10.24, np.nan, 10.24],
             volume=[5.0, 5.0, 0.0, 0.0, 0.0, 0.0])
    for c in ("Open", "High", "Low"):
        f[c] = f["Close"]
    assert stale_mask(f).tolist() == [False, False, False, True, False, True]
    # the raw Close decides: an ex-dividend factor moving the Adj Close alone is still no trade
    g = f.copy()
    g["Adj Close"] = g["Close"] * np.array([0.9, 0.9, 0.9, 1.0, 1.0, 1.0])
    assert stale_mask(g).tolist() == stale_mask(f).tolist()
    found = only(check_prices(f, "X"), "stale_bar").iloc[0]
    assert found.n == 2 and found.first_date == pd.Timestamp("2022-01-31")


def test_real_half_day_sessions_are_not_stale(prices_dir):
    """0700.HK on Lunar New Year's Eve 2022 (2022-01-31): flat, Volume 0, close +2.4% (a traded
    half-day); 2333.HK's suspension bars repeat their close and stay stale."""
    from analysis.data.prices import CsvFolderSource

    src = CsvFolderSource(prices_dir)
    tencent = src.load("0700.HK")
    day = pd.Timestamp("2022-01-31")
    assert tencent.loc[day, "Volume"] == 0 and tencent.loc[day, "Open"] == tencent.loc[day, "Close"]
    assert not stale_mask(tencent)[day]
    assert not only_if(check_prices(tencent, "0700.HK"), "stale_bar")
    gw = src.load("2333.HK")
    assert stale_mask(gw).sum() >= 20


def only_if(found, check):
    return len(found[found.check == check]) > 0


def test_small_split_rule_closed_form():
    """small_split_mask on a series of known robust sd s (|r| = s / 1.4826 everywhere but the
    tested days): near a small factor, >= 10 s with quiet turnover, or >= 25 s alone."""
    from analysis.data.quality import robust_scale, small_split_mask

    base = np.tile([0.01, -0.01], 50)
    s = robust_scale(base)
    assert s == pytest.approx(0.014826)
    lr = base.copy()
    lr[[10, 20, 30, 40, 60]] = [np.log(1 / 1.5), np.log(1.25), np.log(1.1), np.log(1.5) + 0.04, -0.35]
    turnover = np.ones(len(lr))
    turnover[20] = 3.0                     # a trading surge on the 5:4-sized move
    out = small_split_mask(lr, turnover)
    # 3:2 (27 s, quiet) yes; 5:4 with a surge and 15 s: no; 11:10 is 6.4 s: no;
    # 3:2 plus 0.04 (> 2 s from the factor): no; -0.35 is near no factor: no
    assert np.flatnonzero(out).tolist() == [10]
    turnover[20] = 1.0
    assert np.flatnonzero(small_split_mask(lr, turnover)).tolist() == [10, 20]
    assert np.flatnonzero(small_split_mask(lr, None)).tolist() == [10]      # 27 s alone


def test_turnover_ratio_at_given_bars_is_the_rolling_median_ratio(prices_dir):
    """turnover_ratio(at=...) gives, bar by bar, the whole series' rolling-median ratio: on real
    files (zero-volume bars, the first 20 bars without a base) and on a series with gaps."""
    from analysis.data.prices import CsvFolderSource
    from analysis.data.quality import TURNOVER_MIN, turnover_ratio

    src = CsvFolderSource(prices_dir)
    for symbol in ("2333.HK", "0700.HK", "601633.SS"):
        f = src.load(symbol)
        close, volume = f["Close"].to_numpy(), f["Volume"].to_numpy()
        whole = turnover_ratio(close, volume)
        at = np.r_[0, 5, TURNOVER_MIN - 1, TURNOVER_MIN, TURNOVER_MIN + 1, 61, 300, len(f) - 1]
        np.testing.assert_array_equal(turnover_ratio(close, volume, at=at), whole[at])
        assert np.isnan(whole[:TURNOVER_MIN]).all() and np.isfinite(whole[300])
    rng = np.random.default_rng(3)
    close, volume = rng.uniform(1, 2, 400), rng.integers(0, 5, 400).astype(float)   # many zero volumes
    volume[100:190] = 0                                  # a halt: no base for a while after it
    whole = turnover_ratio(close, volume)
    np.testing.assert_array_equal(turnover_ratio(close, volume, at=np.arange(400)), whole)
    assert np.isnan(whole[190:200]).any()


def test_no_small_split_on_real_adjusted_files(prices_dir):
    """Every real stock file, net of its exchange's index: no day looks like a small split
    (the false-positive count of the rule on real adjusted data is zero)."""
    from analysis.data.exchanges import default_market
    from analysis.data.prices import CsvFolderSource
    from analysis.data.quality import split_suspects

    src = CsvFolderSource(prices_dir)
    checked = 0
    for path in sorted(prices_dir.glob("*.csv")):
        sym = path.stem
        try:
            market = default_market(sym)
        except Exception:
            continue
        if market == sym or not (prices_dir / f"{market}.csv").exists():
            continue
        found = split_suspects(src.load(sym), src.load(market))
        assert found.empty, (sym, found)
        checked += 1
    assert checked >= 90
