"""Ken French daily factor files: layout, percent to decimals, missing values, wrong formats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.data.factors import combine_factors, load_factors, read_french_factors

FF3 = ("This file was created by CMPT_ME_BEME_RETS_DAILY using the 202408 CRSP database.\r\n"
       "The Tbill return is the simple daily rate.\r\n\r\n"
       ",Mkt-RF,SMB,HML,RF\r\n"
       "20240102,   -0.71,    0.45,    0.80,   0.021\r\n"
       "20240103,   -1.12,  -99.99,    0.12,   0.021\r\n"
       "20240104,    0.10,   -0.02,   -0.30,   0.021\r\n"
       "\r\n"
       "Copyright 2024 Eugene F. Fama and Kenneth R. French\r\n")
MOM = ("Missing data are indicated by -99.99 or -999.\r\n\r\n"
       ",Mom   \r\n"
       "20240103,   0.56\r\n"
       "20240104,  -0.50\r\n"
       "20240105,   1.17\r\n"
       "\r\nCopyright 2024 Kenneth R. French\r\n")


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


def test_reads_ff3_layout(tmp_path):
    f = read_french_factors(_write(tmp_path, "ff3.CSV", FF3))
    assert list(f.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert isinstance(f.index, pd.DatetimeIndex) and f.index.name == "Date"
    assert list(f.index.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert f.loc["2024-01-02", "Mkt-RF"] == pytest.approx(-0.0071, abs=1e-15)
    assert f.loc["2024-01-02", "RF"] == pytest.approx(0.00021, abs=1e-15)
    assert np.isnan(f.loc["2024-01-03", "SMB"])          # -99.99 is missing
    assert f.dtypes.eq("float64").all()


def test_combine_for_carhart(tmp_path):
    f = load_factors([_write(tmp_path, "ff3.CSV", FF3), _write(tmp_path, "mom.CSV", MOM)])
    assert list(f.columns) == ["Mkt-RF", "SMB", "HML", "RF", "Mom"]      # 'Mom   ' stripped
    assert list(f.index.strftime("%Y-%m-%d")) == ["2024-01-03", "2024-01-04"]   # common dates
    assert f.loc["2024-01-04", "Mom"] == pytest.approx(-0.005)
    assert combine_factors(f).equals(f)


@pytest.mark.parametrize("text, match", [
    ("Date,Mkt-RF,SMB\n2024-01-02,1,2\n", "no header row starting with a comma"),
    (",Mkt-RF,SMB,HML,RF\n202401,   -0.71,    0.45,    0.80,   0.021\n", "not YYYYMMDD"),
    (",Mkt-RF,SMB,HML,RF\n20240102,   -0.71,    0.45\n", "line 2 has 2 values, expected 4"),
    (",Mkt-RF,SMB,HML,RF\n20240102,   -0.71,    abc,    0.80,   0.021\n", "non-numeric value on line 2"),
    (",Mkt-RF,SMB,HML,RF\n20241340,   -0.71,    0.45,    0.80,   0.021\n", "not a valid YYYYMMDD date"),
    (",Mkt-RF,SMB,HML,RF\n\nCopyright\n", "line 3 is not a data row"),
    (",Mkt-RF,SMB,HML,RF\n", "no data rows"),
])
def test_wrong_format_is_input_error(tmp_path, text, match):
    p = _write(tmp_path, "bad.csv", text)
    with pytest.raises(InputError, match=match) as err:
        read_french_factors(p)
    assert "bad.csv" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_french_factors(tmp_path / "nope.CSV")


def test_real_files(shared_dir):
    folder = shared_dir / "data" / "factors"
    ff3 = read_french_factors(folder / "F-F_Research_Data_Factors_daily.CSV")
    ff5 = read_french_factors(folder / "F-F_Research_Data_5_Factors_2x3_daily.CSV")
    mom = read_french_factors(folder / "F-F_Momentum_Factor_daily.CSV")
    assert list(ff3.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert list(ff5.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF"]
    assert list(mom.columns) == ["Mom"]
    assert str(ff3.index[0].date()) == "1926-07-01" and str(ff3.index[-1].date()) == "2024-08-30"
    assert ff3.loc["1926-07-01", "Mkt-RF"] == pytest.approx(0.0010)
    assert ff5.loc["2024-08-30", "CMA"] == pytest.approx(-0.0014)
    assert mom.notna().all().all()                            # no -99.99 in this vintage
    assert ff3.abs().max().max() < 0.25                       # decimals, not percent
