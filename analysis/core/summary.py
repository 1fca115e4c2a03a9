"""Tables for people: the summary of a result as text, HTML and LaTeX, and the Excel workbook.

:class:`Table` is a DataFrame with a title and the house formatting (returns in percent,
p-values with four decimals or in scientific notation below 0.0001, t statistics with two
decimals, dates as YYYY-MM-DD, booleans as yes/no); :class:`Summary` is what
``result.summary()`` returns, modelled on statsmodels' ``Summary``: ``print(summary)`` and
``as_text()`` give the plain-text summary, ``as_html()`` (also ``_repr_html_``, so JupyterLab
shows tables) and ``as_latex()`` give the same content as tables. :func:`write_excel` writes
every table of a result into one workbook, one sheet per table, numbers kept as numbers.

Nothing here computes a statistic: the numbers come from the result's frames
(``diagnostics``, ``abnormal_returns``, ``cars()``, ``aar()``, ``tests()``).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

# columns shown as percentages (decimals x 100) wherever they appear in a table
PCT_COLUMNS = frozenset({
    "car", "car_sd", "car_lo", "car_hi", "aar", "aar_se", "aar_lo", "aar_hi", "caar", "caar_se",
    "caar_lo", "caar_hi", "abnormal_return", "ar_sd", "stock_return", "market_return",
    "expected_return", "alpha", "s", "mean_car", "median_car", "bh_return", "bh_benchmark", "bhar",
    "mean_bhar", "median_bhar"})
P_COLUMNS = frozenset({"p", "p_value", "ar_p", "car_p", "av_p", "cav_p"})
T_COLUMNS = frozenset({"t", "ar_t", "car_t", "scar", "statistic", "av_t", "cav_t", "f"})

# column headings in tables meant for reading (files keep the column names)
LABELS = {
    "relative_day": "day", "stock_return": "R", "market_return": "Rm", "expected_return": "E[R]",
    "abnormal_return": "AR", "ar_sd": "sd(AR)", "ar_t": "t(AR)", "ar_p": "p(AR)", "car": "CAR",
    "car_sd": "sd(CAR)", "car_lo": "CAR 95% low", "car_hi": "CAR 95% high", "scar": "SCAR",
    "window_start": "from", "window_end": "to", "p_value": "p", "n_events": "N", "r2": "R²",
    "aar": "AAR", "aar_se": "se(AAR)", "caar": "CAAR", "caar_se": "se(CAAR)", "mean_car": "mean CAR",
    "median_car": "median CAR", "share_positive": "share > 0", "m": "M", "n": "N",
    "estimation_start": "estimation from", "estimation_end": "estimation to", "day0": "day 0",
}

TABLE_CSS = (".analysis-summary table{border-collapse:collapse;font-variant-numeric:tabular-nums;"
             "margin:.4rem 0 1rem}.analysis-summary th,.analysis-summary td{padding:.15rem .5rem;"
             "text-align:right;border-bottom:1px solid #e4e4e4}.analysis-summary caption{text-align:left;"
             "font-weight:bold;padding:.3rem 0}.analysis-summary .meta{color:#555;font-size:.9em}")


def ticker_text(value) -> str:
    """A ticker as a skip line shows it: 'no valid ticker' when the row had none it could use."""
    return "no valid ticker" if value is None or (isinstance(value, float) and value != value) or \
        str(value).strip() in ("", "<NA>", "nan") else str(value)


def format_value(column: str, value) -> str:
    """One cell as people read it: percent columns x 100 with '%', p-values with four decimals
    (scientific below 0.0001), t statistics with two decimals, dates YYYY-MM-DD, yes/no."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        return _format_time(value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _format_float(column, float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(column, v) for v in value) + "]"
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _format_time(value) -> str:
    if pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() and ts.tzinfo is None else ts.isoformat()


def _format_float(column: str, x: float) -> str:
    if math.isnan(x):
        return ""
    if column in PCT_COLUMNS:
        return f"{100 * x:.3f}%"
    if column in P_COLUMNS:
        return f"{x:.4f}" if x >= 1e-4 else f"{x:.1e}"
    if column in T_COLUMNS:
        return f"{x:.2f}"
    if x.is_integer() and abs(x) < 1e9:
        return str(int(x))
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "²": r"$^2$"}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))


@dataclass
class Table:
    """A DataFrame with a title and a note, shown with the house formatting (see module)."""

    frame: pd.DataFrame
    title: str = ""
    note: str = ""
    index: bool = False
    max_rows: int = 2000

    def _shown(self) -> pd.DataFrame:
        d = self.frame.reset_index() if self.index else self.frame
        return d.head(self.max_rows)

    def cells(self) -> pd.DataFrame:
        """The table as strings, formatted column by column (column names unchanged)."""
        d = self._shown()
        return pd.DataFrame({c: [format_value(str(c), v) for v in d[c]] for c in d.columns},
                            index=range(len(d)), columns=d.columns)

    def headings(self) -> list[str]:
        return [LABELS.get(str(c), str(c)) for c in self._shown().columns]

    def _truncated(self) -> str:
        n = len(self.frame)
        return f"first {self.max_rows} of {n} rows" if n > self.max_rows else ""

    def as_text(self) -> str:
        if self.frame is None or len(self.frame) == 0:
            body = "(empty)"
        else:
            body = self.cells().set_axis(self.headings(), axis=1).to_string(index=False)
        parts = [self.title] if self.title else []
        parts += [body] + [t for t in (self._truncated(), self.note) if t]
        return "\n".join(parts)

    def as_html(self) -> str:
        esc = html.escape
        cap = f"<caption>{esc(self.title)}</caption>" if self.title else ""
        if self.frame is None or len(self.frame) == 0:
            return f"<table>{cap}</table><p class='meta'>(empty)</p>"
        head = "".join(f"<th>{esc(h)}</th>" for h in self.headings())
        rows = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>"
                       for r in self.cells().itertuples(index=False, name=None))
        notes = "".join(f"<p class='meta'>{esc(t)}</p>" for t in (self._truncated(), self.note) if t)
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{notes}"

    def as_latex(self) -> str:
        """A ``table`` environment with a booktabs ``tabular`` (``\\usepackage{booktabs}``)."""
        cells = self.cells() if self.frame is not None and len(self.frame) else pd.DataFrame()
        ncol = max(len(cells.columns), 1)
        align = "l" + "r" * (ncol - 1)
        lines = [r"\begin{table}[htbp]", r"\centering"]
        if self.title:
            lines.append(rf"\caption{{{latex_escape(self.title)}}}")
        lines += [rf"\begin{{tabular}}{{{align}}}", r"\toprule",
                  " & ".join(latex_escape(h) for h in self.headings()) + r" \\", r"\midrule"]
        lines += [" & ".join(latex_escape(v) for v in r) + r" \\"
                  for r in cells.itertuples(index=False, name=None)]
        lines += [r"\bottomrule", r"\end{tabular}"]
        for t in (self._truncated(), self.note):
            if t:
                lines.append(rf"\par\footnotesize {latex_escape(t)}")
        lines.append(r"\end{table}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<div class='analysis-summary'><style>{TABLE_CSS}</style>{self.as_html()}</div>"

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()


@dataclass
class Summary:
    """What ``result.summary()`` returns: the text summary plus the same content as tables.

    ``str(summary)`` / ``print(summary)`` / ``as_text()``: the plain-text summary (as printed by
    the commands); ``as_html()`` and ``_repr_html_``: header lines and tables for JupyterLab and
    reports; ``as_latex()``: the tables for a paper. ``tables`` are :class:`Table` objects,
    ``tables[i].frame`` the underlying numbers.
    """

    text: str
    header: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @classmethod
    def of(cls, result, windows=None) -> Summary:
        text = result.summary_text(windows)
        header = text.split("\n\n", 1)[0].splitlines()
        return cls(text=text, header=header, tables=summary_tables(result, windows))

    def as_text(self) -> str:
        return self.text

    def as_html(self) -> str:
        esc = html.escape
        head = "<br>".join(esc(line.strip()) for line in self.header)
        return (f"<div class='analysis-summary'><p class='meta'>{head}</p>"
                + "".join(t.as_html() for t in self.tables) + "</div>")

    def as_latex(self) -> str:
        head = "\n".join(f"% {line.strip()}" for line in self.header)
        return head + "\n" + "\n\n".join(t.as_latex() for t in self.tables) + "\n"

    def _repr_html_(self) -> str:
        return f"<style>{TABLE_CSS}</style>" + self.as_html()

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __contains__(self, item: str) -> bool:
        return item in self.text

    def __eq__(self, other) -> bool:
        """Equal to another summary or to a string with the same text (code that compared the
        summary strings keeps working)."""
        if isinstance(other, Summary):
            return self.text == other.text
        if isinstance(other, str):
            return self.text == other
        return NotImplemented

    __hash__ = None


# --------------------------------------------------------------------------------------------
# the tables of a result


def _ok(diagnostics: pd.DataFrame) -> pd.DataFrame:
    return diagnostics[diagnostics["status"] == "ok"] if "status" in diagnostics else diagnostics


def summary_tables(result, windows=None) -> list[Table]:
    """The tables of ``result.summary()``: skipped events; for one event its fit, the abnormal
    returns by day and the CARs; for a sample the CARs by window and every test over the first
    window."""
    from ..errors import AnalysisError

    diag = result.diagnostics
    out = []
    skipped = diag[diag["status"] != "ok"] if "status" in diag else diag.iloc[0:0]
    if len(skipped):
        out.append(Table(skipped[["event_id", "ticker", "reason"]].reset_index(drop=True),
                         "Events skipped"))
    ok = _ok(diag)
    if len(ok) == 0:
        return out
    cars = result.cars(windows)
    if len(ok) == 1:
        d = ok.iloc[0]
        fit = {"event": d["event_id"], "ticker": d["ticker"], "market": d["market"], "day0": d["day0"],
               "estimation_start": d["estimation_start"], "estimation_end": d["estimation_end"],
               "m": d["m"], "df": int(d["m"]) - int(d["k"])}
        fit.update({k: d[k] for k in ("alpha", "beta", "s", "r2") if k in d and pd.notna(d[k])})
        fit.update({c: d[c] for c in d.index if str(c).startswith("beta_")})
        rows = pd.DataFrame({"quantity": [LABELS.get(k, k) for k in fit],
                             "value": [format_value(k, v) for k, v in fit.items()]})
        out.append(Table(rows, "Fit over the estimation window",
                         note="alpha and s per day; M estimation returns, df = M - k"))
        ar = result.abnormal_returns[["relative_day", "date", "stock_return", "market_return",
                                      "expected_return", "abnormal_return", "ar_sd", "ar_t", "ar_p",
                                      "car"]]
        out.append(Table(ar.reset_index(drop=True), "Abnormal returns by day",
                         note="t from Student t with M - k df; CAR cumulated from the first day"))
        c = cars[["window_start", "window_end", "car", "car_sd", "t", "p", "car_lo", "car_hi"]]
        out.append(Table(c.reset_index(drop=True), "Cumulative abnormal returns",
                         note="exact CAR variance (Campbell, Lo & MacKinlay 1997, ch. 4)"))
        return out
    by = cars.groupby(["window_start", "window_end"], sort=False)["car"]
    agg = pd.DataFrame({"mean_car": by.mean(), "median_car": by.median(),
                        "share_positive": by.apply(lambda s: float((s > 0).mean())),
                        "n": by.size()}).reset_index()
    out.append(Table(agg, "CARs by window"))
    t1, t2 = int(cars["window_start"].iloc[0]), int(cars["window_end"].iloc[0])
    try:
        tests = result.tests((t1, t2)).rename_axis("test")
        out.append(Table(tests, f"Cross-event tests over [{t1}, {t2}]", index=True))
    except AnalysisError as exc:
        out.append(Table(pd.DataFrame(), f"Cross-event tests over [{t1}, {t2}]", note=str(exc)))
    return out


# --------------------------------------------------------------------------------------------
# Excel


def _settings_frame(settings: Mapping) -> pd.DataFrame:
    rows = []
    for k, v in (settings or {}).items():
        if isinstance(v, Mapping):
            v = ", ".join(f"{a} {b}" for a, b in v.items())
        elif isinstance(v, (list, tuple)):
            v = "[" + ", ".join(map(str, v)) + "]"
        rows.append({"setting": k, "value": "" if v is None else str(v) if not isinstance(v, (int, float)) else v})
    return pd.DataFrame(rows, columns=["setting", "value"])


def workbook_tables(result, windows=None) -> dict[str, pd.DataFrame]:
    """``{sheet name: frame}`` of every table of a result (the sheets of :func:`write_excel`)."""
    from ..errors import AnalysisError

    sheets = {"settings": _settings_frame(getattr(result, "settings", {}))}
    sheets["diagnostics"] = result.diagnostics
    if result.n_ok:
        sheets["abnormal_returns"] = result.abnormal_returns
        cars = result.cars(windows)
        sheets["car"] = cars
        if result.n_ok >= 2:
            sheets["aar"] = result.aar()
            used = list(dict.fromkeys(zip(cars["window_start"].tolist(), cars["window_end"].tolist())))
            try:
                sheets["tests"] = pd.concat([result.tests_by_group(w) for w in used], ignore_index=True)
            except AnalysisError as exc:
                sheets["tests"] = pd.DataFrame({"note": [str(exc)]})
    return sheets


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates without time zone (Excel has none), nullable types as plain values."""
    out = {}
    for c in frame.columns:
        s = frame[c]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        elif s.dtype == object:
            s = s.map(lambda v: v.isoformat() if isinstance(v, pd.Timestamp) and v.tzinfo else v)
        elif isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and s.dtype.kind in "biu":
            s = s.astype(object).where(s.notna(), None)       # Int64, boolean: NA as an empty cell
        out[c] = s
    return pd.DataFrame(out, index=frame.index)


EXCEL_MAX_ROWS = 1_048_575          # an Excel sheet has 1,048,576 rows, one is the header


def _sheets(tables: Mapping[str, pd.DataFrame]):
    """``(sheet name, frame)``: a table longer than a sheet continues on ``name (2)``, ..."""
    for name, frame in tables.items():
        n = max(1, -(-len(frame) // EXCEL_MAX_ROWS))
        for k in range(n):
            part = frame.iloc[k * EXCEL_MAX_ROWS:(k + 1) * EXCEL_MAX_ROWS]
            label = str(name) if k == 0 else f"{str(name)[:25]} ({k + 1})"
            yield label[:31], part


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """One sheet per table (numbers stay numbers: percent and p-value columns get an Excel number
    format, dates show as YYYY-MM-DD); header bold and frozen; a table longer than a sheet goes
    on in ``name (2)``, ``name (3)``... Text cells a spreadsheet would run as a formula
    (``=cmd|' /C calc'!A0`` from an events file) get a leading ``'``, as in every CSV
    (:func:`analysis.files.spreadsheet_safe`), so no cell is a formula. Written to a temporary
    file in the same folder and renamed into place (:func:`analysis.files.atomic_path`), so a
    failed write leaves no half file."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from ..errors import InputError
    from ..files import atomic_path, spreadsheet_safe

    target = Path(path).expanduser()
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"Excel output must end in .xlsx, got {target.name!r}")
    with atomic_path(target) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for sheet, frame in _sheets(tables):
                frame = spreadsheet_safe(frame)
                _excel_ready(frame).to_excel(writer, sheet_name=sheet, index=False)
                ws = writer.sheets[sheet]
                ws.freeze_panes = "A2"
                for j, col in enumerate(frame.columns, start=1):
                    ws.cell(row=1, column=j).font = Font(bold=True)
                    fmt = ("0.000%" if col in PCT_COLUMNS else "0.0000" if col in P_COLUMNS
                           else "0.00" if col in T_COLUMNS else None)
                    if pd.api.types.is_datetime64_any_dtype(frame[col]):
                        fmt = "yyyy-mm-dd"
                    if fmt:
                        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                            cell.number_format = fmt
                    width = max([len(str(col))] + [len(format_value(str(col), v)) for v in frame[col].head(200)])
                    ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
    return target


def result_to_excel(result, path, windows=None) -> Path:
    """:func:`write_excel` of :func:`workbook_tables` (``result.to_excel(path)``)."""
    return write_excel(workbook_tables(result, windows), path)
