"""One self-contained HTML report of a study: settings, figures, tables, diagnostics.

For people who never open a notebook: ``python -m analysis report --events FILE --out DIR``
writes ``DIR/report.html`` (every figure embedded as a base64 PNG, no external file, script,
font or style sheet) and the figures themselves under ``DIR/figures/`` (PNG + SVG + JSON
sidecars, ready to drop into a document).

The report draws and lays out what the result object holds (:class:`analysis.results.EventStudyResult`);
it computes no statistic. :func:`prepare_study` is the thin edge that goes from an events table
to a result: timing (``analysis.timing``), prices (``analysis.prices``), the engine.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import plotting
from ..errors import AnalysisError, InputError

# columns shown as percentages (decimals x 100) wherever they appear in a table
PCT_COLUMNS = {"car", "car_sd", "car_lo", "car_hi", "aar", "aar_se", "aar_lo", "aar_hi", "caar",
               "caar_se", "caar_lo", "caar_hi", "abnormal_return", "ar_sd", "stock_return",
               "market_return", "expected_return", "alpha", "s"}
P_COLUMNS = {"p", "p_value", "ar_p", "car_p"}

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

def _fmt_value(col: str, v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or (v is pd.NaT):
        return ""
    if isinstance(v, (pd.Timestamp, datetime)):
        if pd.isna(v):
            return ""
        ts = pd.Timestamp(v)
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() and ts.tzinfo is None else ts.isoformat()
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if col in PCT_COLUMNS:
            return f"{100 * x:.3f}%"
        if col in P_COLUMNS:
            return f"{x:.4f}" if x >= 1e-4 else f"{x:.1e}"
        return f"{x:.4g}" if abs(x) < 1e4 else f"{x:,.0f}"
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def html_table(df: pd.DataFrame, *, index: bool = False, max_rows: int = 500) -> str:
    """A DataFrame as an HTML table, every cell escaped; percent and p-value columns formatted."""
    if df is None or len(df) == 0:
        return "<p class='meta'>(empty)</p>"
    d = df.reset_index() if index else df
    truncated = len(d) > max_rows
    d = d.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in d.columns)
    body = []
    for row in d.itertuples(index=False, name=None):
        cells = "".join(f"<td>{html.escape(_fmt_value(str(c), v))}</td>" for c, v in zip(d.columns, row))
        body.append(f"<tr>{cells}</tr>")
    note = f"<p class='meta'>first {max_rows} of {len(df)} rows</p>" if truncated else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


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

    skipped = diag[diag["status"] != "ok"] if "status" in diag else diag.iloc[0:0]
    warns = list(parts.warnings)
    if len(skipped):
        reasons = skipped["reason"].fillna("").astype(str).value_counts()
        warns.append(f"{len(skipped)} event(s) skipped: " + "; ".join(f"{r or 'no reason'} ({n})"
                                                                       for r, n in reasons.items()))
    if "day0_shifted" in ok and ok["day0_shifted"].fillna(False).astype(bool).any():
        moved = ok[ok["day0_shifted"].fillna(False).astype(bool)]
        warns.append("day 0 differs from the date asked for in " + ", ".join(
            f"{r.event_id} ({_fmt_value('', r.event_date)} -> {_fmt_value('', r.day0)})"
            for r in moved.itertuples()))
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
        t1, t2 = parts.test_window
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

    out.append("<h2>Diagnostics (one row per event)</h2>")
    out.append(html_table(diag))
    if parts.events is not None:
        out.append("<h2>Events as given and timed</h2>")
        out.append(html_table(parts.events))
    out.append("<h2>Abnormal returns</h2>")
    out.append(html_table(result.abnormal_returns, max_rows=2000))
    try:
        summary = result.summary()
    except Exception:  # noqa: BLE001 - the summary is a courtesy; the tables above carry the numbers
        summary = None
    if summary:
        out.append("<h2>Summary</h2>")
        out.append(f"<pre>{esc(summary)}</pre>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(result, out_dir: str | Path, *, title: str = "Event study",
                 prices: Mapping[str, pd.DataFrame] | None = None, events: pd.DataFrame | None = None,
                 warnings: Iterable[str] = (), marks: Mapping[str, Mapping] | None = None,
                 car_windows=None, test_window: tuple[int, int] = (-1, 1),
                 max_event_figures: int = 12, formats: Sequence[str] = ("png", "svg")) -> Path:
    """Write ``out_dir/report.html`` and its figures under ``out_dir/figures/``; return the HTML path.

    ``prices``: ``{symbol: price frame}`` used for the indexed-price panels and the day-0
    intraday range; ``marks``: ``{event_id: {label: [dates]}}`` (limit days, confounders) passed
    to :func:`analysis.plotting.study_figure`. One study figure per ok event, up to
    ``max_event_figures``; an AAR/CAAR figure when two or more events were studied.
    """
    out = Path(out_dir)
    figdir = out / "figures"
    parts = ReportParts(title=title, warnings=list(warnings), events=events,
                        car_windows=car_windows, test_window=test_window)
    ok = _ok(result)
    if len(ok) >= 2:
        paths = plotting.aar_figure(result, out_dir=figdir, stem="aar_caar", formats=formats)
        parts.figures.append(Figure(f"AAR and CAAR with 95% band, {len(ok)} events", paths[0]))
        for g in _groups(result):
            stem = "aar_caar_" + "".join(c if c.isalnum() else "_" for c in str(g))
            paths = plotting.aar_figure(result, out_dir=figdir, stem=stem, group=g, formats=formats)
            parts.figures.append(Figure(f"AAR and CAAR, group {g}", paths[0]))
    prices = prices or {}
    shown = ok.head(max_event_figures)
    for r in shown.itertuples():
        eid = str(r.event_id)
        px = {"stock": prices.get(r.ticker), "market": prices.get(r.market)}
        stem = "study_" + "".join(c if c.isalnum() or c in "-_." else "_" for c in eid)
        paths = plotting.study_figure(result, eid, prices=px, out_dir=figdir, stem=stem, formats=formats,
                                      marks=(marks or {}).get(eid))
        parts.figures.append(Figure(f"{eid}: {r.ticker} against {r.market}", paths[0]))
    if len(ok) > len(shown):
        parts.warnings.append(f"study figures drawn for the first {len(shown)} of {len(ok)} events")
    parts.day0_bars = _day0_bars(ok, prices)
    html_text = render_html(result, parts)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    path.write_text(html_text, encoding="utf-8")
    return path


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


# --------------------------------------------------------------------------------------------
# events table -> result (the edge used by the `report` command and the notebooks)
# --------------------------------------------------------------------------------------------

@dataclass
class PreparedStudy:
    result: Any
    events: pd.DataFrame            # the timed events table
    prices: dict[str, pd.DataFrame]  # symbol -> price frame (PriceSource.load)
    warnings: list[str]


def prepare_study(events: pd.DataFrame, *, source, policy: str = "next", timed: bool = False,
                  **engine_kwargs) -> PreparedStudy:
    """Time the events, load every symbol's prices from ``source`` and run the engine.

    ``events``: a raw events table (validated by :func:`analysis.events.validate_events`) or,
    with ``timed=True``, the output of :func:`analysis.timing.time_events`. A row whose timing
    fails or whose prices are missing is skipped by the engine with its reason in
    ``diagnostics``; the others go on. ``engine_kwargs`` go to
    :func:`analysis.engine.run_event_study` (``source_name`` defaults to ``source.name``).
    """
    from ..core.engine import run_event_study
    from ..events.table import validate_events
    from ..events.timing import time_events

    warnings: list[str] = []
    if not timed:
        events = time_events(validate_events(events), policy=policy)
    prices: dict[str, pd.DataFrame] = {}
    symbols = [s for s in dict.fromkeys(list(events["ticker"]) + list(events["market"]))
               if isinstance(s, str) and s]
    for sym in symbols:
        try:
            prices[sym] = source.load(sym)
        except AnalysisError as exc:
            warnings.append(f"{sym}: no prices ({exc})")
    if not prices:
        raise InputError("no prices for any symbol of the events table")
    panel = pd.concat({s: f["Adj Close"] for s, f in prices.items()}, axis=1, sort=True)
    engine_kwargs.setdefault("source_name", getattr(source, "name", None))
    result = run_event_study(events, prices=panel, **engine_kwargs)
    return PreparedStudy(result, events, prices, warnings)


def day0_price_moves(prices: pd.DataFrame, day0, *, previous=None) -> dict:
    """Day-0 bar against the previous close: open, high, low and close as % moves.

    The "rose over 9%" of a news story is often the intraday high; the event study uses the
    close. ``prices``: a frame from ``PriceSource.load`` (OHLC on the Close scale, Adj Close for
    the adjustment factor); moves are measured on one scale (the day-0 bar's) by converting the
    previous close with the Adj Close factor, so a dividend between the two days does not show
    up as a move. ``previous``: the date of the previous bar (default: the bar before day 0).
    """
    frame = prices.sort_index()
    day0 = pd.Timestamp(day0)
    if day0 not in frame.index:
        raise InputError(f"no price bar on day 0 {day0:%Y-%m-%d}")
    pos = frame.index.get_loc(day0)
    if previous is None:
        if pos == 0:
            raise InputError(f"no price bar before day 0 {day0:%Y-%m-%d}")
        prev = frame.iloc[pos - 1]
    else:
        prev = frame.loc[pd.Timestamp(previous)]
    bar = frame.loc[day0]
    factor_now = bar["Adj Close"] / bar["Close"]
    factor_prev = prev["Adj Close"] / prev["Close"]
    ref = prev["Close"] * factor_prev / factor_now          # previous close on day 0's scale
    out = {"previous_date": prev.name, "previous_close": float(ref), "day0": day0}
    for col in ("Open", "High", "Low", "Close"):
        out[col.lower()] = float(bar[col])
        out[f"{col.lower()}_pct"] = float(100.0 * (bar[col] / ref - 1.0))
    return out


def sample_warnings(timed: pd.DataFrame, *, estimation_window=(-260, -11), event_window=(-10, 10),
                    other_dates: pd.DataFrame | None = None) -> list[str]:
    """Warnings a sample needs, from :mod:`analysis.contamination`: events confounded by another
    event of the same company inside the event window, estimation windows contaminated by other
    news, and calendar clustering (Kolari & Pynnonen 2010). ``timed``: from ``time_events``."""
    from ..events.contamination import clustering, confounding

    out = []
    conf = confounding(timed, other_dates, estimation_window=estimation_window, event_window=event_window)
    for r in conf[conf["confounded"].fillna(False).astype(bool)].itertuples():
        out.append(f"{r.event_id}: confounded by {r.confounded_by} inside its event window")
    n_cont = int(conf["contaminated"].fillna(False).astype(bool).sum())
    if n_cont:
        out.append(f"{n_cont} event(s) have other news of the same company in their estimation window "
                   f"(drop those days with analysis.contamination.exclusions)")
    ok = timed
    if "timing_error" in timed.columns:
        ok = timed[timed["timing_error"].isna()]
    if len(ok) >= 2:
        clus = clustering(ok, event_window=event_window)
        if clus.clustered:
            out.append(clus.summary())
    return out


def limit_marks(flags: pd.DataFrame) -> dict[str, dict[str, list]]:
    """``{event_id: {"closed limit-up (censored)": [dates], ...}}`` from
    :func:`analysis.contamination.limit_flags`, ready for ``plotting.study_figure(marks=...)``."""
    out: dict[str, dict[str, list]] = {}
    if flags is None or flags.empty:
        return out
    hits = flags.dropna(subset=["side"])
    for (eid, side), g in hits.groupby(["event_id", "side"], sort=False):
        out.setdefault(str(eid), {})[f"closed limit-{side} (censored)"] = list(g["date"])
    return out
