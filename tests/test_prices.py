"""CSV folder source, value policy, panels and open_source."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, DataError, InputError, UnknownTickerError
from analysis.data.exchanges import validate_symbol
from analysis.data.prices import PRICE_COLUMNS, CsvFolderSource, load_panel, parse_price_csv, read_price_csv
from analysis.data.sources import open_source

SNAPSHOT = "Date,Open,High,Low,Close,Adj Close,Volume\n"


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_contract(frame):
    assert list(frame.columns) == list(PRICE_COLUMNS)
    assert (frame.dtypes == "float64").all()
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "Date"
    assert frame.index.tz is None and frame.index.unit == "ns"
    assert (frame.index == frame.index.normalize()).all()
    assert frame.index.is_monotonic_increasing and frame.index.is_unique


@pytest.mark.parametrize("symbol", ["1810.HK", "2333.HK", "^HSI", "601633.SS", "^GSPC", "000001.SS",
                                    "SPY", "2800.HK"])
def test_real_snapshot_files_read(prices_dir, symbol):
    src = CsvFolderSource(prices_dir)
    f = src.load(symbol)
    assert_contract(f)
    raw = pd.read_csv(prices_dir / f"{symbol}.csv")          # independent plain read
    assert len(f) == len(raw)
    np.testing.assert_array_equal(f["Adj Close"].to_numpy(), raw["Adj Close"].to_numpy())
    assert f.index[0] == pd.Timestamp(raw["Date"].iloc[0])


def test_xiaomi_reference_values(prices_dir):
    f = CsvFolderSource(prices_dir).load("1810.HK", "2021-03-25", "2021-03-26")
    assert f["Close"].round(2).tolist() == [23.90, 25.40]
    assert list(f.index) == [pd.Timestamp("2021-03-25"), pd.Timestamp("2021-03-26")]


def test_zero_open_in_real_data_becomes_missing(prices_dir):
    # 2800.HK has Open = 0 on 19 days of 2009 (Yahoo's filler); Close is fine
    src = CsvFolderSource(prices_dir)
    f = src.load("2800.HK", "2009-01-02", "2009-01-02")
    assert np.isnan(f["Open"].iloc[0]) and f["Close"].iloc[0] == pytest.approx(15.18)
    checks = src.check("2800.HK")
    row = checks[checks.check == "non_positive_price"].iloc[0]
    assert row.n == 19 and "Open" in row.detail


def test_history_export_keeps_local_date_and_sets_adj_close(tmp_path):
    text = ("Date,Open,High,Low,Close,Volume,Dividends,Stock Splits\n"
            "2021-03-25 00:00:00+08:00,24.0,24.5,23.5,23.9,100,0.0,0.0\n"
            "2021-03-26 00:00:00+08:00,24.0,25.6,23.8,25.4,200,0.0,0.0\n")
    f = read_price_csv(write(tmp_path, "1810.HK.csv", text), "1810.HK")
    assert_contract(f)
    # 2021-03-26 00:00+08:00 is 2021-03-25 in UTC: the local date must win
    assert list(f.index) == [pd.Timestamp("2021-03-25"), pd.Timestamp("2021-03-26")]
    np.testing.assert_array_equal(f["Adj Close"], f["Close"])


def test_history_export_with_daylight_saving_offsets(tmp_path):
    text = ("Date,Open,High,Low,Close,Volume,Dividends,Stock Splits,Capital Gains\n"
            "2021-03-12 00:00:00-05:00,1,1,1,1,1,0,0,0\n"
            "2021-03-15 00:00:00-04:00,2,2,2,2,1,0,0,0\n")
    f = read_price_csv(write(tmp_path, "SPY.csv", text))
    assert list(f.index) == [pd.Timestamp("2021-03-12"), pd.Timestamp("2021-03-15")]


def test_download_export_with_price_ticker_header_rows(tmp_path):
    text = ("Price,Adj Close,Close,High,Low,Open,Volume\n"
            "Ticker,^HSI,^HSI,^HSI,^HSI,^HSI,^HSI\n"
            "Date,,,,,,\n"
            "2021-03-25,27899.6,27899.6,28000.0,27800.0,27900.0,100\n"
            "2021-03-26,28336.4,28336.4,28400.0,28200.0,28300.0,200\n")
    f = read_price_csv(write(tmp_path, "^HSI.csv", text))
    assert f.loc["2021-03-26", "Open"] == 28300.0 and f.loc["2021-03-26", "Adj Close"] == 28336.4


def test_bom_blanks_and_null_cells(tmp_path):
    text = "\ufeff Date , Open,High,Low,Close,Adj Close,Volume\n2021-03-25,1,1,1,1,1,1\n2021-03-26,null,2,2,2,2,\n"
    f = read_price_csv(write(tmp_path, "X.csv", text))
    assert np.isnan(f.loc["2021-03-26", "Open"]) and np.isnan(f.loc["2021-03-26", "Volume"])


def test_unsorted_dates_are_sorted_and_reported(tmp_path):
    text = SNAPSHOT + "2021-03-26,2,2,2,2,2,1\n2021-03-25,1,1,1,1,1,1\n"
    src = CsvFolderSource(write(tmp_path, "X.csv", text).parent)
    f = src.load("X")
    assert list(f["Close"]) == [1.0, 2.0]
    assert "unsorted_dates" in set(src.check("X").check)


def test_identical_duplicate_rows_are_kept_once_and_reported(tmp_path):
    text = SNAPSHOT + "2021-03-25,1,1,1,1,1,1\n2021-03-25,1,1,1,1,1,1\n2021-03-26,2,2,2,2,2,1\n"
    src = CsvFolderSource(write(tmp_path, "X.csv", text).parent)
    assert len(src.load("X")) == 2
    assert "duplicate_dates" in set(src.check("X").check)


def test_conflicting_duplicate_rows_are_refused(tmp_path):
    text = SNAPSHOT + "2021-03-25,1,1,1,1,1,1\n2021-03-25,1,1,1,1.5,1.5,1\n"
    with pytest.raises(DataError, match="conflicting rows.*2021-03-25"):
        read_price_csv(write(tmp_path, "X.csv", text))


def test_stale_setting_turns_flat_zero_volume_bars_into_missing(tmp_path):
    text = SNAPSHOT + "2021-12-23,1,2,0.5,1.5,1.5,9\n2021-12-24,1.5,1.5,1.5,1.5,1.5,0\n2021-12-27,1,2,1,1.6,1.6,9\n"
    folder = write(tmp_path, "X.csv", text).parent
    kept = CsvFolderSource(folder).load("X")
    miss = CsvFolderSource(folder, stale="missing").load("X")
    assert kept.loc["2021-12-24", "Adj Close"] == 1.5
    assert miss.loc["2021-12-24", ["Open", "High", "Low", "Close", "Adj Close"]].isna().all()
    assert miss.loc["2021-12-24", "Volume"] == 0 and len(miss) == 3
    with pytest.raises(ConfigError, match="'drop'"):
        CsvFolderSource(folder, stale="drop")


def test_stale_missing_on_real_hk_half_day(prices_dir):
    src = CsvFolderSource(prices_dir, stale="missing")
    st = src.check("2333.HK")          # suspension bars: flat, no volume, close unchanged
    day = st[st.check == "stale_bar"].iloc[0].first_date
    assert np.isnan(src.load("2333.HK", day, day)["Adj Close"].iloc[0])
    # a half-day session's flat zero-volume bar whose close moved is a price, also when a slice
    # starts on it (the previous close is read from the whole series)
    half = pd.Timestamp("2022-01-31")
    assert src.load("1810.HK", half, half)["Adj Close"].notna().all()


def test_symbol_validation():
    for ok in ["^HSI", "BRK-B", "2333.HK", "EURUSD=X", "GC=F", " 1810.HK "]:
        assert validate_symbol(ok) == ok.strip()
    for bad, why in [("", "empty"), ("  ", "empty"), ("a/b", "path separator"), ("a\\b", "path separator"),
                     ("..", "'..'"), ("A..B", "'..'"), ("A\nB", "control"), ("A\x00", "control"),
                     ("A B", "not a valid"), (None, "text"), ("X" * 40, "not a valid")]:
        with pytest.raises(InputError, match=why):
            validate_symbol(bad)


def test_unknown_ticker_names_symbol_and_folder(tmp_path):
    tmp_path.joinpath("A.csv").write_text(SNAPSHOT + "2021-03-25,1,1,1,1,1,1\n")
    with pytest.raises(UnknownTickerError, match=r"NOPE\.HK.*NOPE\.HK\.csv"):
        CsvFolderSource(tmp_path).load("NOPE.HK")


def test_case_insensitive_symbol_lookup(tmp_path):
    write(tmp_path, "BHP.csv", SNAPSHOT + "2021-03-25,1,1,1,1,1,1\n")
    assert len(CsvFolderSource(tmp_path).load("bhp")) == 1


def test_load_panel_is_a_union_with_nan(tmp_path):
    write(tmp_path, "A.csv", SNAPSHOT + "2021-03-25,1,1,1,1,1,1\n2021-03-26,2,2,2,2,2,1\n")
    write(tmp_path, "B.csv", SNAPSHOT + "2021-03-26,3,3,3,3,3,1\n2021-03-29,4,4,4,4,4,1\n")
    p = load_panel(CsvFolderSource(tmp_path), ["A", "B", "A"])
    assert list(p.columns) == ["A", "B"] and p.index.name == "Date"
    assert list(p.index) == list(pd.to_datetime(["2021-03-25", "2021-03-26", "2021-03-29"]))
    assert np.isnan(p.loc["2021-03-29", "A"]) and np.isnan(p.loc["2021-03-25", "B"])
    assert load_panel(CsvFolderSource(tmp_path), ["A"], column="Volume").iloc[0, 0] == 1.0
    with pytest.raises(InputError, match="'Price'"):
        load_panel(CsvFolderSource(tmp_path), ["A"], column="Price")
    with pytest.raises(InputError, match="start date 2021-03-29 is after end date 2021-03-25"):
        load_panel(CsvFolderSource(tmp_path), ["A"], "2021-03-29", "2021-03-25")


def test_open_source_prefers_the_prices_folder(tmp_path, monkeypatch, prices_dir):
    monkeypatch.setenv("ANALYSIS_PRICES_DIR", str(prices_dir))
    src = open_source()
    assert isinstance(src, CsvFolderSource) and src.folder == prices_dir
    monkeypatch.delenv("ANALYSIS_PRICES_DIR")
    from analysis.data.cache import CachedYahooSource
    src = open_source(cache_dir=tmp_path, offline=True)
    assert isinstance(src, CachedYahooSource) and "Yahoo Finance" in src.name and src.offline
    with pytest.raises(ConfigError, match="does not exist"):
        open_source(prices_dir=tmp_path / "nope")


def test_parse_keeps_file_order_and_duplicates(tmp_path):
    text = SNAPSHOT + "2021-03-26,2,2,2,2,2,1\n2021-03-25,1,1,1,1,1,1\n2021-03-26,2,2,2,2,2,1\n"
    raw = parse_price_csv(write(tmp_path, "X.csv", text))
    assert [d.day for d in raw.index] == [26, 25, 26]


# ---------------------------------------------------------------- the fast reader against the general one

def _outcome(fn):
    """The frame a reader returns, or the message of the DataError it raises."""
    try:
        return fn()
    except DataError as exc:
        return str(exc)


def _same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
    else:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert a.index.unit == b.index.unit == "ns"


def test_fast_reader_equals_general_reader_on_every_real_file(prices_dir):
    from analysis.data import prices as mod

    files = sorted(prices_dir.glob("*.csv"))
    # the cell-by-cell reader is slow: compared on a spread of the files (indexes, the longest)
    compared = {"^HSI", "^GSPC", "000001.SS", "601633.SS", "2800.HK", "1810.HK", "SPY", "BABA"}
    fast_used = 0
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        fast = mod._parse_plain(text)
        fast_used += fast is not None
        if path.stem in compared:
            general = mod._parse_general(text, path)
            if fast is not None:
                _same(fast, general)
            read = mod.read_price_csv(path)
            _same(mod.finalize(general, path.stem, f"price file {path}"), read)
            # the values are the decimal text's nearest doubles (Python's float(), independent)
            cells = pd.read_csv(path, dtype=str, keep_default_na=False)
            if cells["Date"].is_monotonic_increasing and (cells["Close"] != "").all():
                expect = np.array([float(x) for x in cells["Close"]])
                np.testing.assert_array_equal(read["Close"].to_numpy(), expect)
    assert fast_used >= len(files) - 2          # the snapshot layout takes the fast path


ROW = "2021-03-25,{},1,1,{},1,7\n2021-03-26,2,2,2,2,2,1\n"


@pytest.mark.parametrize("cell", [
    "1.5", " 1.5", "1.5 ", "+1.5", ".5", "1.", "1e3", "1E-3", "0", "-1", "inf", "-inf", "Infinity",
    "nan", "NaN", "-nan", "NULL", "null", "None", "n/a", "N/A", "-", "", "abc", "1,5", '"1.5"', "0x10",
    "1_000", "True", "1e999", "99999999999999999999999", "1e300", "5e-324",
])
def test_fast_reader_equals_general_reader_cell_by_cell(tmp_path, cell):
    from analysis.data import prices as mod

    text = SNAPSHOT + ROW.format(cell, cell if cell not in ("", "-") else 1)
    path = write(tmp_path, "X.csv", text)
    fast = mod._parse_plain(text)
    general = _outcome(lambda: mod._parse_general(text, path))
    if fast is not None:
        _same(fast, general)
    _same(_outcome(lambda: read_price_csv(path)), _outcome(lambda: mod.finalize(general, "X", f"price file {path}"))
          if not isinstance(general, str) else general)


@pytest.mark.parametrize("date", [
    "2021-03-25", "2021-3-25", "2021-03-5", " 2021-03-25", "2021-03-25 ", "2021-02-29", "2020-02-29",
    "2021-13-01", "2021-00-10", "2021-04-31", "1799-12-31", "1800-01-01", "2200-12-31", "2201-01-01",
    "2021-03-25 00:00:00+08:00", "2021/03/25", "20210325", "２０２１-03-25", "2021-03-25T00:00",
])
def test_fast_reader_equals_general_reader_date_by_date(tmp_path, date):
    from analysis.data import prices as mod

    text = SNAPSHOT + f"{date},1,1,1,1,1,1\n2021-03-26,2,2,2,2,2,1\n"
    path = write(tmp_path, "X.csv", text)
    fast = mod._parse_plain(text)
    general = _outcome(lambda: mod._parse_general(text, path))
    if fast is not None:
        _same(fast, general)
    elif date == "2021-03-25":
        raise AssertionError("a plain date must take the fast path")


@pytest.mark.parametrize("text", [
    SNAPSHOT,                                                  # no rows
    SNAPSHOT + "2021-03-25,1,1,1,1,1\n",                       # short row
    SNAPSHOT + "2021-03-25,1,1,1,1,1,1,1\n",                   # long row
    SNAPSHOT + "\n2021-03-25,1,1,1,1,1,1\n\n2021-03-26,2,2,2,2,2,1\r\n",
    SNAPSHOT.replace("\n", "\r\n") + "2021-03-25,1,1,1,1,1,1\r\n",
    SNAPSHOT + "2021-03-26,1,1,1,1,1,1\n2021-03-25,1,1,1,1,1,1\n2021-03-26,1,1,1,1,1,1\n",
    SNAPSHOT + "2021-03-25,1,1,1,0,1,1\n",
    SNAPSHOT + "2021-03-25,0,-1,1,1,1,1\n",
    SNAPSHOT + "2021-03-25,1,1,1,1,1,-5\n",
])
def test_fast_reader_equals_general_reader_on_odd_files(tmp_path, text):
    from analysis.data import prices as mod

    path = write(tmp_path, "X.csv", text)
    fast = mod._parse_plain(text)
    general = _outcome(lambda: mod._parse_general(text, path))
    if fast is not None:
        _same(fast, general)
        _same(_outcome(lambda: mod.finalize(fast, "X", "w")), _outcome(lambda: mod.finalize(general, "X", "w")))
