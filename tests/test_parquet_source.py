"""The parquet dataset price source gives exactly the frames of the CSV folder it was written from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.parquet import ParquetDatasetSource, is_dataset, write_dataset
from analysis.data.prices import CsvFolderSource
from analysis.data.sources import open_source
from analysis.errors import DataError, UnknownTickerError


@pytest.fixture(scope="module")
def snapshot(prices_dir, tmp_path_factory):
    """Every symbol of the real snapshot, as CSV frames and as a parquet dataset of 4 files."""
    src = CsvFolderSource(prices_dir)
    frames = {s: src.load(s) for s in src.symbols()}
    path = write_dataset(frames, tmp_path_factory.mktemp("prices"), files=4)
    return frames, path


def test_every_symbol_reads_back_as_the_csv_frame(snapshot):
    frames, path = snapshot
    source = open_source(prices_dir=path)
    assert isinstance(source, ParquetDatasetSource) and is_dataset(path)
    assert source.symbols() == sorted(frames)
    got, failed = source.read(list(frames) + ["NOPE.HK"])
    assert set(failed) == {"NOPE.HK"}
    for s, frame in frames.items():
        pd.testing.assert_frame_equal(got[s], frame, obj=s)
    pd.testing.assert_frame_equal(source.load("0700.HK", "2021-03-01", "2021-03-31"),
                                  frames["0700.HK"].loc["2021-03-01":"2021-03-31"])
    with pytest.raises(UnknownTickerError, match="NOPE.HK"):
        source.load("NOPE.HK")


def test_rows_the_value_policy_changes_or_refuses(tmp_path):
    """Unsorted rows, a zero open (becomes missing), a repeated identical row (kept once), a
    negative close (refused, naming the symbol): the same answers as the CSV reader."""
    days = pd.bdate_range("2022-01-03", periods=5, name="Date").as_unit("ns")
    good = pd.DataFrame({"Open": [1.0, 0.0, 1.2, 1.3, 1.4], "High": 2.0, "Low": 0.5, "Close": 1.5,
                         "Adj Close": [1.5, 1.6, 1.7, 1.8, 1.9], "Volume": 10.0}, index=days)
    messy = pd.concat([good.iloc[::-1], good.iloc[[2]]])
    bad = good.assign(Close=[1.5, -1.0, 1.5, 1.5, 1.5])
    path = write_dataset({"AAA": messy, "BBB": bad, "CCC": good.assign(Open=1.0)}, tmp_path / "d")
    frames, failed = ParquetDatasetSource(path).read(["AAA", "BBB", "CCC"])
    assert list(frames["AAA"].index) == list(days) and np.isnan(frames["AAA"]["Open"].iloc[1])
    assert "non-positive Close" in failed["BBB"] and "BBB" in failed["BBB"]
    pd.testing.assert_frame_equal(frames["CCC"], good.assign(Open=1.0).astype(float), check_freq=False)
    with pytest.raises(DataError, match="BBB"):
        ParquetDatasetSource(path).load("BBB")


def test_a_dataset_without_adjusted_closes_is_refused(tmp_path):
    pd.DataFrame({"symbol": ["A"], "Date": [pd.Timestamp("2022-01-03")], "Close": [1.0]}) \
        .to_parquet(tmp_path / "x.parquet")
    with pytest.raises(DataError, match="Adj Close"):
        ParquetDatasetSource(tmp_path).load("A")
