"""Ken French's daily factor files (Fama & French 1993, 2015; Carhart 1997).

The files from the Kenneth R. French Data Library (e.g. ``F-F_Research_Data_Factors_daily.CSV``,
``F-F_Research_Data_5_Factors_2x3_daily.CSV``, ``F-F_Momentum_Factor_daily.CSV``) have a text
preamble, a header row starting with a comma (``,Mkt-RF,SMB,HML,RF``), one row per day with a
``YYYYMMDD`` date and values in percent, CRLF line ends, and a copyright footer; missing values
are ``-99.99`` or ``-999``. :func:`read_french_factors` returns decimals (percent / 100) indexed
by a DatetimeIndex; :func:`combine_factors` joins several files (FF3 + momentum for
``carhart4``). The momentum column is named ``Mom`` whatever the file calls it (``Mom``,
``MOM``, ``UMD``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

MISSING = (-99.99, -999.0)
_ALIASES = {"mom": "Mom", "umd": "Mom", "mkt-rf": "Mkt-RF", "mkt_rf": "Mkt-RF", "rf": "RF",
            "smb": "SMB", "hml": "HML", "rmw": "RMW", "cma": "CMA"}
_DATE = re.compile(r"^\s*(\d+)\s*,")


def _name(column: str) -> str:
    c = column.strip()
    return _ALIASES.get(c.lower(), c)


def read_french_factors(path: str | os.PathLike) -> pd.DataFrame:
    """Read one daily factor file of the Ken French Data Library into decimals.

    Returns a float64 DataFrame indexed by ``Date`` (DatetimeIndex, ascending), one column per
    factor (``Mkt-RF``, ``SMB``, ``HML``, ``RF``, ``RMW``, ``CMA``, ``Mom``), missing values NaN,
    and the region the file covers in ``attrs["region"]`` (:func:`factor_region`). Only the
    first table of the file is read (the daily files have one). A file in any other layout (no
    header row, monthly dates, a malformed row) is an InputError naming the file.
    """
    path = Path(path)
    lines = _lines(path)
    header_at = next((i for i, line in enumerate(lines) if line.startswith(",")), None)
    if header_at is None:
        raise InputError(f"factor file {path.name}: no header row starting with a comma "
                         f"(expected Ken French's CSV layout, e.g. ',Mkt-RF,SMB,HML,RF')")
    columns = [_name(c) for c in lines[header_at].split(",")[1:]]
    if not columns or any(not c for c in columns):
        raise InputError(f"factor file {path.name}: empty column name in header line {header_at + 1}")
    dates, rows = _first_table(path.name, lines, header_at, len(columns))
    frame = _frame(path.name, dates, rows, columns)
    frame.attrs["region"] = factor_region(path.name, "\n".join(lines[:header_at]))
    return frame


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError(f"factor file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read factor file {path}: {exc.strerror}") from None
    return text.splitlines()


def _first_table(name: str, lines: list[str], header_at: int, n_columns: int) -> tuple[list, list]:
    """The dates (YYYYMMDD text) and values of the table after the header row."""
    dates, rows = [], []
    for number, line in enumerate(lines[header_at + 1:], start=header_at + 2):
        if not line.strip() or not _DATE.match(line):
            if rows:
                break                      # the end of the first table, its footer or the next title
            if not line.strip():
                continue
            raise InputError(f"factor file {name}: line {number} is not a data row: {line.strip()[:40]!r}")
        dates.append(_data_row(name, line, number, n_columns, rows))
    if not rows:
        raise InputError(f"factor file {name}: no data rows after the header")
    return dates, rows


def _data_row(name: str, line: str, number: int, n_columns: int, rows: list) -> str:
    """Append one data row's values to ``rows``; return its date text."""
    parts = [p.strip() for p in line.split(",")]
    if len(parts) != n_columns + 1:
        raise InputError(f"factor file {name}: line {number} has {len(parts) - 1} values, expected {n_columns}")
    if len(parts[0]) != 8:
        raise InputError(f"factor file {name}: date {parts[0]!r} on line {number} is not "
                         f"YYYYMMDD (a monthly or annual file? daily files are needed)")
    try:
        rows.append([float(p) for p in parts[1:]])
    except ValueError:
        raise InputError(f"factor file {name}: non-numeric value on line {number}: {line.strip()[:60]!r}") from None
    return parts[0]


def _frame(name: str, dates: list, rows: list, columns: list) -> pd.DataFrame:
    index = pd.to_datetime(pd.Index(dates), format="%Y%m%d", errors="coerce")
    if index.isna().any():
        bad = dates[int(np.flatnonzero(index.isna())[0])]
        raise InputError(f"factor file {name}: {bad!r} is not a valid YYYYMMDD date")
    values = np.asarray(rows, dtype=float)
    values[np.isin(values, MISSING)] = np.nan
    frame = pd.DataFrame(values / 100.0, index=pd.DatetimeIndex(index, name="Date"), columns=columns)
    if frame.index.has_duplicates:
        raise InputError(f"factor file {name}: duplicate date {frame.index[frame.index.duplicated()][0].date()}")
    return frame.sort_index()


# The regional sets of the Ken French Data Library, as their file names spell them; the US
# research files (``F-F_Research_Data_...``, built from CRSP) are "US".
FACTOR_REGIONS = ("Developed ex US", "Developed", "North America", "Europe", "Japan",
                  "Asia Pacific ex Japan", "Emerging", "US")


def factor_region(file_name: str, preamble: str = "") -> str | None:
    """The region a factor file covers, from its name (``Asia_Pacific_ex_Japan_3_Factors_Daily``)
    or its preamble (``... using the 202408 CRSP database`` is US); None when neither says."""
    name = file_name.replace("_", " ").replace("-", " ").lower()
    for region in FACTOR_REGIONS[:-1]:
        if region.lower() in name:
            return region
    if "crsp" in preamble.lower() or name.startswith("f f research data") or "f f momentum" in name:
        return "US"
    return None


def combine_factors(*frames: pd.DataFrame) -> pd.DataFrame:
    """Join factor tables on their common dates (e.g. FF3 + momentum for ``carhart4``).

    A column present in several tables is taken from the first one.
    """
    if not frames:
        raise InputError("no factor tables to combine")
    out = frames[0]
    for f in frames[1:]:
        new = [c for c in f.columns if c not in out.columns]
        out = out.join(f[new], how="inner")
    regions = {f.attrs.get("region") for f in frames}
    out.attrs["region"] = regions.pop() if len(regions) == 1 else None
    return out


def load_factors(paths) -> pd.DataFrame:
    """Read and combine one or more factor files (see :func:`read_french_factors`)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return combine_factors(*(read_french_factors(p) for p in paths))
