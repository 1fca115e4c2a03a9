"""Writing tables for people: fixed-width text for the terminal, CSV and JSON files."""

from __future__ import annotations

import json
import os
from pathlib import Path


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


def table_text(frame, columns) -> str:
    """A readable fixed-width table of ``columns`` (dates as YYYY-MM-DD, times ISO, blanks for NA)."""
    shown = frame[[c for c in columns if c in frame.columns]].copy()
    for c in shown.columns:
        shown[c] = [cell(v) for v in shown[c]]
    return shown.to_string(index=False) if len(shown) else "(none)"


def write_csv(frame, path) -> None:
    """Write a table as CSV with ISO dates/times (readable back by ``analysis.events.table.read_events``)."""
    from ..errors import InputError

    out = frame.copy()
    for c in out.columns:
        out[c] = [cell(v) for v in out[c]]
    target = Path(path).expanduser()
    try:
        out.to_csv(target, index=False, lineterminator="\n")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


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


def write_json(path, payload) -> None:
    """Write ``payload`` as indented JSON through a temporary file renamed into place."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, default=jsonable, allow_nan=False)
        fh.write("\n")
    os.replace(tmp, path)


def emit_text(text: str, out, summary: str) -> None:
    """Write ``text`` to the file ``out`` (then ``summary`` on standard error), else to standard
    output; InputError when the file cannot be written."""
    import sys

    from ..errors import InputError

    if not out:
        sys.stdout.write(text)
        return
    target = Path(out).expanduser()
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"{summary} to {target}", file=sys.stderr)
