"""One self-contained HTML report of a study: settings, figures, tables, diagnostics.

For people who never open a notebook: ``python -m analysis report --events FILE --out DIR``
writes ``DIR/report.html`` (every figure embedded as a base64 PNG, no external file, script,
font or style sheet) and the figures themselves under ``DIR/figures/`` (PNG + SVG + JSON
sidecars, ready to drop into a document).

The report draws and lays out what the result object holds (:class:`analysis.core.results.EventStudyResult`);
it computes no statistic: the study comes from the pipeline (:func:`analysis.core.pipeline.run_study`)
and :func:`write_study_report` lays out what it holds.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import plotting
from .paths import scrub_paths
from ..core.returns import day0_price_moves
from ..core.summary import Table, format_value
from ..errors import AnalysisError
from ..files import figure_stem, figure_stems

CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#666;font-size:.85rem}
table{border-collapse:collapse;font-size:.8rem;margin:.6rem 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e4e4e4;padding:.2rem .5rem;text-align:right;vertical-align:top}
th{background:#f4f6f8;text-align:center}td:first-child,th:first-child{text-align:left}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
.warn{background:#fff6e5;border-left:4px solid #e0a030;padding:.4rem .8rem;margin:.4rem 0;font-size:.9rem}
pre{background:#f7f7f7;padding:.8rem;overflow-x:auto;font-size:.75rem}
.sig{font-weight:bold}
"""


# --------------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------------

def html_table(df: pd.DataFrame, *, index: bool = False, max_rows: int = 500) -> str:
    """A DataFrame as an HTML table, every cell escaped; percent and p-value columns formatted
    (:class:`analysis.core.summary.Table`)."""
    if df is None or len(df) == 0:
        return "<p class='meta'>(empty)</p>"
    return Table(df, index=index, max_rows=max_rows).as_html()


def embed_png(path: str | Path, alt: str) -> str:
    """``<img>`` with the PNG inlined as base64 (the report stays one file)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(alt, quote=True)}' src='data:image/png;base64,{data}'>"


def _settings_table(settings: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for k, v in settings.items():
        if isinstance(v, Mapping):
            v = ", ".join(f"{a} {b}" for a, b in v.items())
        elif isinstance(v, (list, tuple)):
            v = str(list(v)) if all(isinstance(x, (int, float, np.integer)) for x in v) else ", ".join(map(str, v))
        rows.append({"setting": k, "value": v})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------

@dataclass
class Figure:
    caption: str
    png: Path


@dataclass
class ReportParts:
    """Everything that goes into a report besides the result itself."""

    title: str = "Event study"
    figures: list[Figure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    events: pd.DataFrame | None = None
    car_windows: Sequence[tuple[int, int]] | None = None
    test_window: tuple[int, int] = (-1, 1)
    day0_bars: pd.DataFrame | None = None


def _ok(result) -> pd.DataFrame:
    d = result.diagnostics
    return d[d["status"] == "ok"] if "status" in d else d


def _groups(result) -> list:
    arrays = getattr(result, "arrays", None)
    groups = getattr(arrays, "groups", None) if arrays is not None else None
    if groups is None:
        return []
    vals = [g for g in pd.unique(pd.Series(groups)) if pd.notna(g) and str(g) != ""]
    return sorted(vals, key=str) if len(vals) > 1 else []


def _warning_items(diag, ok, given) -> list[str]:
    """The report's warnings: those given, the skipped events by reason, moved day 0s and
    each studied event's data-check warnings (the first 50)."""
    skipped = diag[diag["status"] != "ok"] if "status" in diag else diag.iloc[0:0]
    warns = list(given)
    if len(skipped):
        reasons = skipped["reason"].fillna("").astype(str).value_counts()
        warns.append(f"{len(skipped)} event(s) skipped: " + "; ".join(f"{r or 'no reason'} ({n})"
                                                                       for r, n in reasons.items()))
    if "day0_shifted" in ok and ok["day0_shifted"].fillna(False).astype(bool).any():
        moved = ok[ok["day0_shifted"].fillna(False).astype(bool)]
        warns.append("day 0 differs from the date asked for in " + ", ".join(
            f"{r.event_id} ({format_value('', r.event_date)} -> {format_value('', r.day0)})"
            for r in moved.itertuples()))
    if "warning_details" in ok:
        flagged = ok[ok["warning_details"].fillna("").astype(str) != ""]
        warns += [f"{r.event_id}: {r.warning_details}" for r in flagged.head(50).itertuples()]
        if len(flagged) > 50:
            warns.append(f"... and {len(flagged) - 50} more events with warnings (see the diagnostics table)")
    return warns


def _sample_sections(result, test_window) -> list[str]:
    """Cross-event tests (all events, then each group) and the AAR table, as HTML."""
    esc = html.escape
    out = []
    t1, t2 = test_window
    out.append(f"<h2>Cross-event tests, window [{t1}, {t2}]</h2>")
    try:
        out.append(html_table(result.tests(window=(t1, t2)), index=True))
        for g in _groups(result):
            out.append(f"<h3>group {esc(str(g))}</h3>")
            out.append(html_table(result.tests(window=(t1, t2), group=g), index=True))
    except AnalysisError as exc:
        out.append(f"<div class='warn'>{esc(str(exc))}</div>")
    out.append("<h2>Average abnormal returns by day</h2>")
    try:
        out.append(html_table(result.aar()))
    except AnalysisError as exc:
        out.append(f"<div class='warn'>{esc(str(exc))}</div>")
    return out


def render_html(result, parts: ReportParts) -> str:
    """The report as one HTML string (no external resources)."""
    from .. import __version__

    esc = html.escape
    diag = result.diagnostics
    ok = _ok(result)
    n_ok, n_all = len(ok), len(diag)
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
           f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
           f"<title>{esc(parts.title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{esc(parts.title)}</h1>",
           f"<p class='meta'>analysis {esc(__version__)} &middot; written "
           f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC &middot; {n_ok} of {n_all} events studied</p>"]

    warns = _warning_items(diag, ok, parts.warnings)
    if warns:
        out.append("<h2>Warnings</h2>")
        out += [f"<div class='warn'>{esc(w)}</div>" for w in warns]

    out.append("<h2>Settings</h2>")
    out.append(html_table(_settings_table(getattr(result, "settings", {}) or {})))

    if parts.figures:
        out.append("<h2>Figures</h2>")
        for f in parts.figures:
            out.append(f"<figure>{embed_png(f.png, f.caption)}<figcaption>{esc(f.caption)} "
                       f"(file: figures/{esc(f.png.name)}, SVG and JSON beside it)</figcaption></figure>")

    if parts.day0_bars is not None and len(parts.day0_bars):
        out.append("<h2>Day 0: intraday range against the close</h2>")
        out.append("<p class='meta'>Moves in % from the previous close (same price scale). News "
                   "stories often quote the intraday high; the study measures close to close.</p>")
        out.append(html_table(parts.day0_bars))

    out.append("<h2>Cumulative abnormal returns per event</h2>")
    try:
        cars = result.cars(parts.car_windows)
    except AnalysisError as exc:
        cars = None
        out.append(f"<div class='warn'>{esc(str(exc))}</div>")
    if cars is not None:
        out.append("<p class='meta'>CAR, its exact standard deviation, standardised CAR, "
                   "Student-t statistic and two-sided p-value (M - k degrees of freedom).</p>")
        out.append(html_table(cars))

    if n_ok >= 2:
        out += _sample_sections(result, parts.test_window)

    out.append("<h2>Diagnostics (one row per event)</h2>")
    out.append(html_table(diag))
    if parts.events is not None:
        out.append("<h2>Events as given and timed</h2>")
        out.append(html_table(parts.events))
    out.append("<h2>Abnormal returns</h2>")
    out.append(html_table(result.abnormal_returns, max_rows=2000))
    try:
        summary = str(result.summary())
    except Exception:  # noqa: BLE001 - the summary is a courtesy; the tables above carry the numbers
        summary = None
    if summary:
        out.append("<h2>Summary</h2>")
        out.append(f"<pre>{esc(summary)}</pre>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(result, out_dir, *, title: str = "Event study",
                 prices: Mapping[str, pd.DataFrame] | None = None, events: pd.DataFrame | None = None,
                 warnings: Iterable[str] = (), marks: Mapping[str, Mapping] | None = None,
                 car_windows=None, test_window: tuple[int, int] = (-1, 1),
                 max_event_figures: int = 12, formats: Sequence[str] | str | None = None,
                 dpi: int | None = None, size=None, overwrite: bool = False) -> Path:
    """Write ``out_dir/report.html`` and its figures under ``out_dir/figures/``; return the HTML path.

    ``prices``: ``{symbol: price frame}`` used for the indexed-price panels and the day-0
    intraday range; ``marks``: ``{event_id: {label: [dates]}}`` (limit days, confounders) passed
    to :func:`analysis.figures.plotting.study_figure`. One study figure per ok event, up to
    ``max_event_figures``; an AAR/CAAR figure when two or more events were studied.
    ``formats``, ``dpi``, ``size``: how the figure files are written
    (:func:`analysis.figures.plotting.export`); the report embeds the PNGs.

    ``out_dir``: a folder, or an :class:`analysis.files.OutputSet` the caller commits. Into a
    folder, the report and its figures are one output set (:class:`~analysis.files.OutputSet`):
    they appear together or not at all, and a file of the same name the project did not write
    is refused unless ``overwrite``.
    """
    import contextlib

    from ..files import OutputSet

    given = isinstance(out_dir, OutputSet)
    with (contextlib.nullcontext(out_dir) if given else
          OutputSet(out_dir, overwrite=overwrite, whole_folder=False, command="report")) as files:
        html_text = _report_html(result, files.dir, title=title, prices=prices, events=events,
                                 warnings=warnings, marks=marks, car_windows=car_windows,
                                 test_window=test_window, max_event_figures=max_event_figures,
                                 figure_options={"formats": formats, "dpi": dpi, "size": size})
        files.write_text("report.html", html_text)
    return files.folder / "report.html"


def _report_html(result, out: Path, *, title, prices, events, warnings, marks, car_windows, test_window,
                 max_event_figures, figure_options) -> str:
    """Draw the figures under ``out/figures`` and return the report's HTML."""
    figdir = out / "figures"
    parts = ReportParts(title=title, warnings=list(warnings), events=events,
                        car_windows=car_windows, test_window=test_window)
    ok = _ok(result)
    if len(ok) >= 2:
        paths = plotting.aar_figure(result, out_dir=figdir, stem=figure_stem("aar_caar"), **figure_options)
        parts.figures.append(Figure(f"AAR and CAAR with 95% band, {len(ok)} events", paths[0]))
        stems = figure_stems("aar_caar", _groups(result))        # distinct names, case-insensitively
        for g in _groups(result):
            paths = plotting.aar_figure(result, out_dir=figdir, stem=stems[g], group=g,
                                        **figure_options)
            parts.figures.append(Figure(f"AAR and CAAR, group {g}", paths[0]))
    prices = prices or {}
    shown = ok.head(max_event_figures)
    stems = figure_stems("study", [str(e) for e in shown["event_id"]])
    for r in shown.itertuples():
        eid = str(r.event_id)
        px = {"stock": prices.get(r.ticker), "market": prices.get(r.market)}
        paths = plotting.study_figure(result, eid, prices=px, out_dir=figdir, stem=stems[eid],
                                      marks=(marks or {}).get(eid), **figure_options)
        parts.figures.append(Figure(f"{eid}: {r.ticker} against {r.market}", paths[0]))
    if len(ok) > len(shown):
        parts.warnings.append(f"study figures drawn for the first {len(shown)} of {len(ok)} events")
    parts.day0_bars = _day0_bars(ok, prices)
    return scrub_paths(render_html(result, parts))      # skip reasons may name files


def _day0_bars(ok: pd.DataFrame, prices: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    rows = []
    for r in ok.itertuples():
        for role, sym in (("stock", r.ticker), ("market", r.market)):
            frame = prices.get(sym)
            if frame is None or pd.isna(r.day0):
                continue
            try:
                m = day0_price_moves(frame, r.day0)
            except AnalysisError:
                continue
            rows.append({"event_id": r.event_id, "symbol": sym, "role": role, "day0": m["day0"],
                         "previous close": m["previous_close"], "open %": m["open_pct"],
                         "high %": m["high_pct"], "low %": m["low_pct"], "close %": m["close_pct"]})
    return pd.DataFrame(rows) if rows else None


def write_study_report(study, out_dir: str | Path, **kwargs) -> Path:
    """:func:`write_report` of a :class:`analysis.core.pipeline.Study`: its result, the prices it
    loaded, the timed events, its warnings and its limit-day marks."""
    kwargs.setdefault("warnings", study.warnings)
    return write_report(study.result, out_dir, prices=study.prices, events=study.events,
                        marks=study.marks(), **kwargs)
