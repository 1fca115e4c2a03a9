"""Property-based tests of the readers: whatever comes in, either a valid result or one of the
project's own errors (AnalysisError) with a non-empty one-line message -- never anything else."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import AnalysisError, DataError, InputError
from analysis.events.table import parse_announced_at, read_events
from analysis.data.exchanges import validate_symbol
from analysis.data.prices import PRICE_COLUMNS, CsvFolderSource, date_range_bounds, parse_price_csv

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("props")


def only_project_errors(call, allowed=AnalysisError):
    try:
        return call()
    except allowed as exc:
        msg = str(exc)
        assert msg.strip() and "\n" not in msg
        return None


def check_contract(frame: pd.DataFrame):
    assert list(frame.columns) == list(PRICE_COLUMNS)
    assert (frame.dtypes == "float64").all()
    assert frame.index.name == "Date" and frame.index.tz is None
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert (frame.index == frame.index.normalize()).all()
    assert (frame[["Close", "Adj Close"]].dropna() > 0).all().all()


# ---------------------------------------------------------------- price CSV

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**12).map(str),
    st.sampled_from(["", "null", "NaN", "abc", "1e309", "-0", " 3.5 ", "0x10", '"1,5"', "1.0.0"]),
    st.text(max_size=6),
)
dates = st.one_of(
    st.dates(min_value=pd.Timestamp("1700-01-01").date(), max_value=pd.Timestamp("2300-01-01").date()).map(str),
    st.sampled_from(["2021-03-26 00:00:00+08:00", "2021-03-26T09:30:00-04:00", "2021-02-30", "26/03/2021",
                     "", "yesterday", "2021-03-26Z", "9999-12-31"]),
    st.text(max_size=12),
)
headers = st.lists(st.sampled_from(["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends",
                                    "Stock Splits", "Price", "Ticker", " adj_close ", "x", ""]),
                   min_size=1, max_size=9)


@st.composite
def price_csvs(draw) -> str:
    header = draw(st.one_of(st.just(["Date", *PRICE_COLUMNS]), headers))
    n = draw(st.integers(0, 8))
    rows = []
    for _ in range(n):
        width = draw(st.sampled_from([len(header), len(header), len(header) - 1, len(header) + 1]))
        row = [draw(dates)] + [draw(cells) for _ in range(max(width - 1, 0))]
        rows.append(",".join(row))
    return "\n".join([",".join(header), *rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))


@SETTINGS
@given(text=price_csvs())
def test_price_csv_text_gives_contract_frame_or_data_error(work, text):
    (work / "P.csv").write_text(text, encoding="utf-8")
    frame = only_project_errors(lambda: CsvFolderSource(work).load("P"), allowed=DataError)
    if frame is not None:
        check_contract(frame)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_price_csv_bytes_only_data_errors(work, data):
    (work / "B.csv").write_bytes(data)
    only_project_errors(lambda: parse_price_csv(work / "B.csv", "B"), allowed=DataError)
    frame = only_project_errors(lambda: CsvFolderSource(work).load("B"), allowed=DataError)
    if frame is not None:
        check_contract(frame)


# ---------------------------------------------------------------- events CSV

event_cells = st.one_of(
    st.sampled_from(["1810.HK", "^HSI", "BRK-B", "../x", "", " ", "2021-03-26", "2021-13-01",
                     "2021-03-26 12:00", "2021-03-26T12:00+08:00", "Asia/Hong_Kong", "Mars/Olympus",
                     "after_close", "bmo", "midnight", "e1", '"a,b"', "\t"]),
    st.text(max_size=10),
)
event_headers = st.lists(st.sampled_from(["event_id", "ticker", "market", "event_date", "announced_at",
                                          "time_of_day", "tz", "group", "role", "company", "", " Ticker "]),
                         min_size=1, max_size=8)


@st.composite
def event_csvs(draw) -> str:
    header = draw(event_headers)
    n = draw(st.integers(0, 6))
    rows = [",".join(draw(event_cells) for _ in range(draw(st.integers(0, len(header) + 1)))) for _ in range(n)]
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + "\n".join([",".join(header), *rows]) + "\n"


@SETTINGS
@given(text=event_csvs())
def test_events_text_gives_table_or_input_error(work, text):
    (work / "e.csv").write_text(text, encoding="utf-8")
    table = only_project_errors(lambda: read_events(work / "e.csv"), allowed=InputError)
    if table is not None:
        assert table["event_id"].is_unique and len(table) > 0
        assert list(table.columns[:6]) == ["event_id", "ticker", "market", "event_date", "announced_at",
                                           "time_of_day"]
        # a bad row is kept with a one-line reason; every other row of a user table has a date
        bad = table["input_error"].notna() if "input_error" in table.columns else pd.Series(False, table.index)
        assert all(isinstance(r, str) and r and "\n" not in r for r in table.loc[bad, "input_error"])
        if "role" not in table.columns:
            fine = table[~bad]
            assert (fine["event_date"].notna() | fine["announced_at"].notna()).all()
        for ts in table["announced_at"].dropna():
            assert ts.tzinfo is not None
    strict = only_project_errors(lambda: read_events(work / "e.csv", strict=True), allowed=InputError)
    if strict is not None:                  # strict: the whole table is fine or refused
        assert "input_error" not in strict.columns


@SETTINGS
@given(data=st.binary(max_size=300))
def test_events_bytes_only_input_errors(work, data):
    (work / "b.csv").write_bytes(data)
    only_project_errors(lambda: read_events(work / "b.csv"), allowed=InputError)


# ---------------------------------------------------------------- small parsers

@SETTINGS
@given(symbol=st.one_of(st.text(max_size=40), st.sampled_from(["..", "a/b", "^HSI", "C:\\x", ".", "...", "a\x00"])))
def test_validated_symbols_are_safe_file_names(symbol):
    s = only_project_errors(lambda: validate_symbol(symbol), allowed=InputError)
    if s is not None:
        assert Path(f"{s}.csv").name == f"{s}.csv" and ".." not in s and "/" not in s and "\\" not in s
        assert s.isprintable() and s == s.strip() and s


@SETTINGS
@given(value=st.one_of(st.text(max_size=30), dates), tz=st.one_of(st.none(), st.text(max_size=20),
                                                             st.sampled_from(["UTC", "Asia/Hong_Kong", "../etc"])))
def test_announced_at_parser(value, tz):
    ts = only_project_errors(lambda: parse_announced_at(value, tz), allowed=InputError)
    if ts is not None:
        assert ts.tzinfo is not None


@SETTINGS
@given(start=st.one_of(st.none(), st.text(max_size=20), dates), end=st.one_of(st.none(), st.text(max_size=20), dates))
def test_date_bounds(start, end):
    out = only_project_errors(lambda: date_range_bounds(start, end), allowed=InputError)
    if out is not None and out[0] is not None and out[1] is not None:
        assert out[0] <= out[1]
