"""Writing tables for people: fixed-width text for the terminal, CSV, parquet and JSON files.

Every file goes through :mod:`analysis.files`: written atomically, text cells made
spreadsheet-safe (:func:`analysis.files.neutralise`), inside an output set with a manifest
(:class:`analysis.files.OutputSet`) or, for ``--out FILE``, listed in its folder's manifest
(:func:`output_file`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

TABLE_FORMATS = ("csv", "parquet")


def cell(value) -> str:
    """One value as text: dates as YYYY-MM-DD, times ISO, blanks for missing, true/false."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return f"{value:%Y-%m-%d}"
        return value.isoformat()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def text_cells(series):
    """:func:`cell` of every value of a column, as an object array: a whole column at once for
    tz-naive dates, booleans, numbers and text (100,000 rows in milliseconds), value by value
    for anything else (mixed cells, times with a zone)."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    missing = series.isna().to_numpy()
    out = np.full(len(series), "", dtype=object)
    if pd.api.types.is_datetime64_any_dtype(dtype) and getattr(dtype, "tz", None) is None:
        days = pd.DatetimeIndex(series)
        midnight = np.asarray(days == days.normalize()) & ~missing
        out[midnight] = np.asarray(days[midnight].strftime("%Y-%m-%d"), dtype=object)
        other = ~midnight & ~missing
        out[other] = [v.isoformat() for v in days[other]]
    elif dtype == bool:
        out[:] = np.where(series.to_numpy(dtype=bool), "true", "false")
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        out[:] = ["" if m else str(v) for v, m in zip(series.tolist(), missing)]
    elif (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)) and \
            pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        out[~missing] = series.to_numpy(dtype=object)[~missing]
    else:
        out[:] = [cell(v) for v in series]
    return out


def table_text(frame, columns) -> str:
    """A readable fixed-width table of ``columns`` (dates as YYYY-MM-DD, times ISO, blanks for NA)."""
    shown = frame[[c for c in columns if c in frame.columns]].copy()
    for c in shown.columns:
        shown[c] = text_cells(shown[c])
    return shown.to_string(index=False) if len(shown) else "(none)"


def write_csv(frame, path) -> Path:
    """Write a table as CSV with ISO dates/times, text cells spreadsheet-safe, atomically
    (readable back by ``analysis.events.table.read_events``)."""
    import pandas as pd

    from ..files import atomic_open, map_distinct, neutralise

    out = frame.copy()
    for c in out.columns:
        out[c] = map_distinct(pd.Series(text_cells(out[c]), dtype=object), neutralise, "")
    out.columns = [neutralise(str(c)) for c in out.columns]
    target = Path(path).expanduser()
    with atomic_open(target, "w", newline="") as fh:
        out.to_csv(fh, index=False, lineterminator="\n")
    return target


def write_table(frame, path, fmt: str = "csv", *, date_columns=("date",)) -> Path:
    """A numeric table (abnormal returns, CARs, diagnostics) written fast with pyarrow, atomically.

    ``fmt="csv"``: floats in shortest round-trip form, dates as YYYY-MM-DD, booleans
    true/false, missing values empty, text cells spreadsheet-safe; ``fmt="parquet"``: the same
    table with its types kept (dates as timestamps). ``path`` gets the format's suffix."""
    import pandas as pd
    import pyarrow as pa

    from ..errors import InputError
    from ..files import atomic_path, spreadsheet_safe

    if fmt not in TABLE_FORMATS:
        raise InputError(f"unknown table format {fmt!r} (one of {', '.join(TABLE_FORMATS)})")
    target = Path(path).with_suffix(f".{fmt}")
    table = spreadsheet_safe(frame) if fmt == "csv" else frame
    table = table.copy()
    days = []                            # date columns written by pyarrow as YYYY-MM-DD
    for c in table.columns:
        s = table[c]
        if pd.api.types.is_object_dtype(s.dtype) and pd.api.types.infer_dtype(s, skipna=True) == "string":
            table[c] = s.where(s.notna().to_numpy(), None)     # text already: NA as missing
        elif pd.api.types.is_object_dtype(s.dtype):      # mixed cells: text, NA as missing
            table[c] = s.map(lambda v: None if _missing(v) else v if isinstance(v, str) else cell(v))
        elif fmt == "csv" and pd.api.types.is_datetime64_any_dtype(s.dtype):
            whole = bool((s.dropna() == s.dropna().dt.normalize()).all())
            if whole and getattr(s.dt, "tz", None) is None:
                days.append(c)          # (pandas' strftime: a tenth of a second per 100,000 rows)
            else:
                table[c] = s.dt.strftime("%Y-%m-%d" if whole else "%Y-%m-%dT%H:%M:%S")
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    for c in days:
        j = arrow.schema.get_field_index(c)
        arrow = arrow.set_column(j, c, arrow.column(j).cast(pa.date32()))
    with atomic_path(target) as tmp:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(arrow, tmp)
        else:
            import pyarrow.csv as pacsv

            pacsv.write_csv(arrow, tmp, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return target


def _missing(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def check_output_file(path, *, overwrite: bool = False) -> None:
    """Refuse ``--out FILE`` before any work: a folder, an unwritable place, or an existing
    file the project did not write (unless ``overwrite``)."""
    from ..errors import OutputError
    from ..files import OutputSet

    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputError(f"{target} is a folder: give a file name")
    OutputSet.check(target.parent, overwrite=overwrite, whole_folder=False, names=[target.name])


@contextlib.contextmanager
def output_file(path, *, overwrite: bool = False, command: str = "analysis") -> Iterator[Path]:
    """Yield where to write ``--out FILE``; on success it is renamed into place and listed in
    its folder's manifest, so a later run may replace it; a file of that name the project did
    not write is refused unless ``overwrite``."""
    from ..files import OutputSet

    target = Path(path).expanduser()
    check_output_file(target, overwrite=overwrite)
    with OutputSet(target.parent, overwrite=overwrite, whole_folder=False, command=command) as files:
        yield files.path(target.name)


def jsonable(value):
    """``json.dump``'s default: dates as YYYY-MM-DD, numpy scalars as Python numbers, NaN as null."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def clean(value):
    """NaN/NaT/NA to None and Timestamps to YYYY-MM-DD, so that JSON has no NaN."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value


def write_json(path, payload) -> Path:
    """Write ``payload`` as indented JSON, atomically (a temporary name of its own, renamed)."""
    from ..files import atomic_write_text

    text = json.dumps(payload, indent=2, default=jsonable, allow_nan=False) + "\n"
    return atomic_write_text(path, text)


def emit_text(text: str, out, summary: str, *, overwrite: bool = False, command: str = "analysis") -> None:
    """Write ``text`` to the file ``out`` (see :func:`output_file`: atomically, listed in its
    folder's manifest, a file of that name analysis did not write refused unless ``overwrite``),
    then ``summary`` on standard error; without ``out``, to standard output."""
    import sys

    if not out:
        sys.stdout.write(text)
        return
    with output_file(out, overwrite=overwrite, command=command) as path:
        path.write_text(text, encoding="utf-8")
    print(f"{summary} to {Path(out).expanduser()}", file=sys.stderr)


def say_left_out(study, n_rows: int) -> None:
    """Print how many rows of the events file are not listed subjects of the news, and why
    (:func:`analysis.events.table.left_out_note`); nothing when every row is one."""
    from ..events.table import left_out_note

    note = left_out_note(getattr(study, "left_out", None), n_rows)
    if note:
        print(note)
