"""Figures in one style, exported as PNG (200 dpi) + SVG (+ PDF) with a JSON sidecar.

Plotting draws what it is given and computes no statistics: abnormal returns, CARs, their
standard deviations and 95% bands, AAR/CAAR and their bands all come from the result object
(:class:`analysis.core.results.EventStudyResult`, see its ``abnormal_returns``, ``aar()``,
``diagnostics`` and ``settings``). The only arithmetic done here is presentation: decimals to
percent, and prices rebased to 100 on day -1.

Every ``*_figure`` function writes files through :func:`export` and returns their paths; the
matching ``draw_*`` function returns the :class:`matplotlib.figure.Figure` for callers (notebooks)
that want to adjust it first. All figures use the style sheet ``analysis/eventstudy.mplstyle``
(6.5 in wide, the width of a report column), carry a title, labelled axes with units, a legend,
and a source line naming the data source and the estimation window.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError, InputError

STYLE = Path(__file__).with_name("eventstudy.mplstyle")
DAY_AXIS = "trading days relative to announcement (day 0)"

# One colour per meaning, the same in every figure of the package.
STOCK = "#1f4e79"          # the stock (lines, the CAR line, event-window points)
MARKET = "#7f7f7f"         # the market index, estimation-window points, event counts
DAY0 = "#c55a11"           # day 0: dashed line, day-0 intraday range, day-0 point and label
AR_POS, AR_NEG = "#6f9fd8", "#e0868a"      # abnormal-return bars: up, down
BAND = "#1f4e79"           # 95% interval of the CAR / CAAR (drawn light)
LIMIT_UP = "#7b1fa2"       # a close at the daily price limit (censored return), and the limit lines
LIMIT_DOWN = "#00838f"
CONFOUNDER = "#b8860b"     # other news of the company (earnings, a second event)
# shaded days: a label's meaning picks its colour (in this order); other labels take one of
# OTHER_MARKS by a stable hash of the label, so a label keeps its colour from figure to figure
MARK_MEANINGS = (("limit-up", LIMIT_UP), ("limit up", LIMIT_UP), ("limit-down", LIMIT_DOWN),
                 ("limit down", LIMIT_DOWN), ("confound", CONFOUNDER), ("earnings", CONFOUNDER))
OTHER_MARKS = ("#2e7d32", "#5d4037", "#c2185b", "#455a64", "#827717")
SOURCE_COLOUR = "#555555"
PNG_COMPRESSION = 3        # zlib level of the PNG files (lossless at any level; 6 is zlib's default)

__all__ = [
    "STYLE", "export", "style", "source_line", "with_warnings", "warning_line",
    "draw_study", "study_figure",
    "draw_aar", "aar_figure",
    "draw_listings", "listings_figure",
    "draw_estimation", "estimation_figure",
]


# --------------------------------------------------------------------------------------------
# style and export
# --------------------------------------------------------------------------------------------

# rcParams that say how matplotlib runs, not how a figure looks: never taken as a user's choice
_NOT_LOOKS = {"backend", "backend_fallback", "interactive", "webagg.port", "webagg.address",
              "webagg.port_retries", "webagg.open_in_browser", "figure.max_open_warning",
              "tk.window_focus", "savefig.directory", "timezone", "date.epoch"}


def _user_rc() -> dict:
    """The rcParams the user (a matplotlibrc, ``plt.style.use`` or ``rcParams[...] = ...``)
    changed from matplotlib's defaults: they win over the package style."""
    import matplotlib as mpl

    out = {}
    defaults = mpl.rcParamsDefault
    for key in list(mpl.rcParams):
        if key in _NOT_LOOKS or key not in defaults:     # (reading "backend" would import pyplot)
            continue
        value = mpl.rcParams[key]
        try:
            same = bool(value == defaults[key])
        except (TypeError, ValueError):          # arrays and the like
            same = str(value) == str(defaults[key])
        if not same:
            out[key] = value
    return out


@contextmanager
def style():
    """The package style (``analysis/figures/eventstudy.mplstyle``) as a context that yields to
    the user's own rcParams: every setting the user changed from matplotlib's defaults is applied
    on top of the style (``rcParams["font.size"] = 16`` gives 16 pt labels, with titles, ticks and
    legends scaled from it: the style gives them relative sizes). Nothing leaks out of the block.
    A setting equal to matplotlib's own default cannot be told from no setting, so the style's
    value stays for it (e.g. ``axes.grid``)."""
    import matplotlib as mpl
    import matplotlib.style as mstyle

    user = _user_rc()
    with mpl.rc_context():
        mstyle.use(str(STYLE))
        mpl.rcParams.update(user)
        yield


def _new_figure(nrows: int = 1, ncols: int = 1, *, height: float | None = None,
                width: float | None = None, size=None, **kw):
    """A figure in the package style with room at the bottom for the source line.

    ``size`` (``(w, h)`` in inches, e.g. from ``--size``) wins over the figure's own ``height``
    and the style's width. Figures are made with :class:`matplotlib.figure.Figure` (not pyplot),
    so none is left open; an Agg canvas is attached so text can be measured before saving.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .. import config

    size = config.figure_size(size)
    with style():
        import matplotlib as mpl

        w, h = mpl.rcParams["figure.figsize"]
        figsize = size or (width or w, height or h)
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False, **kw) if nrows else None
    return fig, axes


def _finish(fig, title: str, source: str) -> None:
    """Title on top, source line in small grey type at the bottom left (never clipped)."""
    with style():
        fig.suptitle(title, x=0.01, ha="left")
        width_in = fig.get_figwidth()
        chars = max(60, int(125 * width_in / 6.5))
        lines = [w for part in source.split("\n") for w in textwrap.wrap(part, chars)]
        # supxlabel takes part in the constrained layout, so the line is never clipped or overlapped
        fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize="x-small", color=SOURCE_COLOUR,
                      linespacing=1.3)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (pd.Timestamp, datetime)):
        return None if pd.isna(value) else value.isoformat()
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if value is pd.NaT or (not isinstance(value, (list, dict)) and pd.api.types.is_scalar(value)
                           and pd.isna(value)):
        return None
    return str(value)


def _freeze_layout(fig):
    """Keep the layout the first saved format computed (constrained layout runs twice per
    save, a third of a figure's time): the figure's layout engine, to restore afterwards."""
    engine = fig.get_layout_engine()
    if engine is not None:
        # None, not "none": matplotlib keeps a placeholder engine for "none", and any engine
        # makes savefig draw the whole figure once before the drawing it saves
        fig.set_layout_engine(None)
        if fig.get_layout_engine() is not None:     # the rc's autolayout gave one: keep the layout
            fig.set_layout_engine("none")
    return engine


def _saved_bbox(fig):
    """The ``bbox_inches`` the next formats are saved with: with ``savefig.bbox: tight`` (the
    package style), the tight box of the figure as the first format drew it, padded by
    ``savefig.pad_inches``, as matplotlib computes it. Passed on, it spares each further format
    the extra draw matplotlib makes to find the box again (a quarter of a figure's time); the
    layout is frozen, so the box is the same up to a fraction of a point of text metrics."""
    import matplotlib as mpl

    pad = mpl.rcParams["savefig.pad_inches"]
    renderer = getattr(fig.canvas, "get_renderer", None)       # an Agg canvas (the package's figures)
    if mpl.rcParams["savefig.bbox"] != "tight" or not isinstance(pad, (int, float)) or renderer is None:
        return None                     # matplotlib's own way
    return fig.get_tightbbox(renderer()).padded(float(pad))


def _thaw_layout(fig, engine) -> None:
    if engine is not None:
        try:
            fig.set_layout_engine(engine)
        except RuntimeError:    # matplotlib refuses a switch after colorbars: the layout stays
            pass


def export(fig, out_dir, stem: str, formats: Sequence[str] | str | None = None,
           metadata: Mapping[str, Any] | None = None, *, dpi: int | None = None,
           _laid_out: bool = False) -> list[Path]:
    """Write ``fig`` to ``out_dir/<stem>.<fmt>`` and a ``<stem>.json`` sidecar; return the paths.

    ``formats``: any of png, svg, pdf (default: ``ANALYSIS_FIGURE_FORMATS``, else PNG and SVG);
    the PNG is always written (reports embed it, notebooks show it). ``dpi``: resolution of the
    PNG (default: ``ANALYSIS_FIGURE_DPI``, else ``savefig.dpi``: 200 in the package style, or the
    user's own). Each file is written atomically (:func:`analysis.files.atomic_path`): a
    temporary name, renamed. Files carry no creation date, so rerunning gives identical SVG/PDF
    bytes. The sidecar holds ``metadata`` (settings, data range, the call that made the figure)
    plus the files and library versions, enough to regenerate the figure.
    ``_laid_out``: the caller drew the figure in its final state just before (a label placed
    where it covers no data): every format reuses that layout and box, no format lays it out again.
    """
    import matplotlib

    from .. import config
    from ..errors import ConfigError

    try:
        wanted = config.figure_formats(formats)
        dpi = config.figure_dpi(dpi)
    except ConfigError as exc:
        raise InputError(str(exc)) from None
    if not stem or any(c in stem for c in "/\\"):
        raise InputError(f"figure stem must be a plain file name, got {stem!r}")
    from ..files import atomic_path, atomic_write_text

    out = Path(out_dir)
    paths = []
    later, engine = None, None
    with style():
        if _laid_out:
            engine = _freeze_layout(fig)
            later = _saved_bbox(fig)
        dpi = dpi or matplotlib.rcParams["savefig.dpi"]
        for fmt in wanted:
            path = out / f"{stem}.{fmt}"
            meta = {"png": {"Software": f"analysis, matplotlib {matplotlib.__version__}"},
                    "svg": {"Date": None},
                    "pdf": {"CreationDate": None, "ModDate": None}}[fmt]
            # PNG: zlib level 3 instead of 6, the same pixels (lossless) in half the time of
            # the encoding, files about 3% larger
            extra = {"pil_kwargs": {"compress_level": PNG_COMPRESSION}} if fmt == "png" else {}
            if later is not None:
                extra["bbox_inches"] = later
            with atomic_path(path) as tmp:      # never a half-written figure under its name
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta, **extra)
            paths.append(path)
            if len(paths) == 1 and len(wanted) > 1 and not _laid_out:
                engine = _freeze_layout(fig)    # the other formats reuse the PNG's layout
                later = _saved_bbox(fig)        # and its box
        _thaw_layout(fig, engine)
    from .. import __version__

    sidecar = {
        "figure": stem,
        "files": [p.name for p in paths],
        "png_dpi": dpi, "size_inches": [round(float(x), 3) for x in fig.get_size_inches()],
        **_jsonable(dict(metadata or {})),
        "versions": {"analysis": __version__, "matplotlib": matplotlib.__version__,
                     "pandas": pd.__version__, "numpy": np.__version__},
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    side = out / f"{stem}.json"
    atomic_write_text(side, json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    paths.append(side)
    return paths


# --------------------------------------------------------------------------------------------
# reading the result (no statistics: selection and lookup only)
# --------------------------------------------------------------------------------------------

def _settings(result) -> dict:
    return dict(getattr(result, "settings", None) or {})


def _window_text(w) -> str:
    if w is None:
        return "?"
    a, b = w
    return f"[{int(a)}, {int(b)}]"


def source_line(result, event_ids: Iterable[str] | None = None) -> str:
    """'Source: <data source>. Market model, estimation window [-260, -11] (M = 250) ...', with
    the drawn events' warnings on a line of their own (:func:`warning_line`).

    Everything comes from ``result.settings`` and ``result.diagnostics``.
    """
    return with_warnings(_source_text(result, event_ids), getattr(result, "diagnostics", None), event_ids)


def _source_text(result, event_ids: Iterable[str] | None = None) -> str:
    """The source line of :func:`source_line` without its warnings."""
    s = _settings(result)
    src = s.get("source_name") or "data source not recorded"
    model = str(s.get("model", "market")).replace("_", "-")
    model = model[:1].upper() + model[1:]
    text = f"Source: {src}. {model} model, estimation window {_window_text(s.get('estimation_window'))}"
    diag = getattr(result, "diagnostics", None)
    if diag is not None and len(diag) and "m" in diag:
        d = diag
        if "status" in d:
            d = d[d["status"] == "ok"]
        if event_ids is not None:
            d = d[d["event_id"].isin(list(event_ids))]
        m = pd.to_numeric(d["m"], errors="coerce").dropna().astype(int)
        if len(m) and m.min() == m.max():
            text += f" (M = {m.iloc[0]} returns)"
        elif len(m) > 1:
            text += f" (M = {m.min()}-{m.max()} returns)"
    text += f" trading days; {s.get('returns_kind', 'simple')} returns from adjusted close."
    return text


def with_warnings(line: str, diag, event_ids=None) -> str:
    """``line`` with the data checks' warnings of the drawn events on a line of its own."""
    warned = warning_line(diag, event_ids)
    return f"{line}\n{warned}" if warned else line


def warning_line(diag, event_ids=None) -> str:
    """The data checks' warning codes of the drawn events, so a figure never hides them.

    One event: ``Warnings for 1810.HK: jump_unexplained (see diagnostics).``; several:
    ``Warnings in 3 of 40 events: stale_prices 2, thin_trading 1 (see diagnostics).``
    """
    if diag is None or not len(diag) or "warnings" not in diag:
        return ""
    d = diag[diag["status"] == "ok"] if "status" in diag else diag
    if event_ids is not None:
        d = d[d["event_id"].isin(list(event_ids))]
    codes = d["warnings"].fillna("").astype(str)
    flagged = codes[codes != ""]
    if flagged.empty:
        return ""
    counts = flagged.str.split(",").explode().str.strip().value_counts(sort=False)
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    if len(d) == 1:
        who = f" for {d['ticker'].iloc[0]}" if "ticker" in d else ""
        return f"Warnings{who}: {', '.join(counts.index)} (see diagnostics)."
    listed = ", ".join(f"{code} {n}" for code, n in counts.items())
    return f"Warnings in {len(flagged)} of {len(d)} events: {listed} (see diagnostics)."


def _event_rows(result, event_id: str) -> pd.DataFrame:
    ar = result.abnormal_returns
    rows = ar[ar["event_id"] == event_id]
    if rows.empty:
        known = list(pd.unique(ar["event_id"]))[:8]
        raise InputError(f"event_id {event_id!r} is not among the studied events ({', '.join(map(str, known))}"
                         f"{', ...' if ar['event_id'].nunique() > 8 else ''})")
    return rows.sort_values("relative_day").reset_index(drop=True)


def _diag_row(result, event_id: str) -> pd.Series | None:
    diag = getattr(result, "diagnostics", None)
    if diag is None or "event_id" not in diag:
        return None
    rows = diag[diag["event_id"] == event_id]
    return None if rows.empty else rows.iloc[0]


def _day0_date(rows: pd.DataFrame) -> pd.Timestamp | None:
    d0 = rows.loc[rows["relative_day"] == 0, "date"]
    return pd.Timestamp(d0.iloc[0]) if len(d0) and pd.notna(d0.iloc[0]) else None


def _range(rows: pd.DataFrame) -> dict:
    dates = pd.to_datetime(rows["date"]).dropna()
    return {"first_date": dates.min() if len(dates) else None,
            "last_date": dates.max() if len(dates) else None,
            "relative_days": [int(rows["relative_day"].min()), int(rows["relative_day"].max())]}


def _marks_to_days(marks, rows: pd.DataFrame) -> tuple[dict[str, list[int]], list]:
    """{label: [relative days]} from {label: dates or relative days}; also what fell outside."""
    if marks is None:
        return {}, []
    if isinstance(marks, pd.DataFrame):      # columns (date|relative_day, label)
        key = "relative_day" if "relative_day" in marks else "date"
        marks = {lab: list(g[key]) for lab, g in marks.groupby("label", sort=False)}
    by_date = {pd.Timestamp(d).normalize(): int(r)
               for d, r in zip(rows["date"], rows["relative_day"]) if pd.notna(d)}
    days = set(int(r) for r in rows["relative_day"])
    out, outside = {}, []
    for label, whens in marks.items():
        if isinstance(whens, (str, int, np.integer, pd.Timestamp, datetime)):
            whens = [whens]
        got = []
        for w in whens:
            if isinstance(w, (int, np.integer)) and not isinstance(w, bool):
                ok = int(w) in days
                rel = int(w)
            else:
                rel = by_date.get(pd.Timestamp(w).normalize())
                ok = rel is not None
            (got.append(rel) if ok else outside.append({"label": label, "when": w}))
        if got:
            out[str(label)] = sorted(set(got))
    return out, outside


def mark_colours(labels: Iterable[str]) -> dict[str, str]:
    """``{label: colour}`` for shaded days: by meaning (limit-up, limit-down, confounder: see
    ``MARK_MEANINGS``), else one of ``OTHER_MARKS`` chosen by a stable hash of the label (the
    next free one when two labels of a figure would share it). The same label gets the same
    colour in every figure."""
    import zlib

    out: dict[str, str] = {}
    for label in labels:
        low = str(label).lower()
        colour = next((c for key, c in MARK_MEANINGS if key in low), None)
        if colour is None:
            start = zlib.crc32(low.encode("utf-8")) % len(OTHER_MARKS)
            taken = set(out.values())
            free = [OTHER_MARKS[(start + j) % len(OTHER_MARKS)] for j in range(len(OTHER_MARKS))]
            colour = next((c for c in free if c not in taken), free[0])
        out[str(label)] = colour
    return out


def _draw_marks(axes, marks: dict[str, list[int]], *, legend_ax=None, order: list[str] | None = None) -> None:
    """Shade marked days, each label in the colour of its meaning (:func:`mark_colours`)."""
    colours = mark_colours(list(dict.fromkeys(list(order or []) + list(marks))))
    for label, rels in marks.items():
        colour = colours[label]
        for j, rel in enumerate(rels):
            for ax in axes:
                span = ax.axvspan(rel - 0.45, rel + 0.45, color=colour, alpha=0.13, lw=0, zorder=0,
                                  label=label if (ax is legend_ax and j == 0) else None)
                span._analysis_span = True          # background shading, not data


def _legend_rank(label: str) -> int:
    """Legend order: returns first, cumulative line next, its band, then everything else."""
    low = label.lower()
    for rank, key in enumerate(("abnormal return", "aar", "ar", "car", "caar")):
        if low == key or low.startswith(key + " ") or low.startswith(key + "("):
            return rank if "95%" not in low else 10
    return 20


def _legend(ax, handles, labels, **kw):
    """A legend in the legend order (:func:`_legend_rank`); the AR bars' entry shows both colours."""
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.patches import Rectangle

    order = sorted(range(len(labels)), key=lambda i: _legend_rank(labels[i]))
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    handles = [(Rectangle((0, 0), 1, 1, color=AR_POS), Rectangle((0, 0), 1, 1, color=AR_NEG))
               if getattr(h, "_analysis_up_down", False) else h for h in handles]
    if handles:
        ax.legend(handles, labels, frameon=False, handlelength=1.6,
                  handler_map={tuple: HandlerTuple(ndivide=None, pad=0)}, **kw)


def _legend_above(ax, ncols: int = 3, **kw) -> None:
    """Legend in one band above the axes (never over the data)."""
    handles, labels = ax.get_legend_handles_labels()
    _legend(ax, handles, labels, loc="lower left", bbox_to_anchor=(0, 1.0),
            ncols=min(ncols, max(len(handles), 1)), borderaxespad=0.1, **kw)


def _ar_bars(ax, rel, values_pct, label: str) -> None:
    """Bars coloured by sign; the legend entry is a two-colour patch (up / down)."""
    from matplotlib.patches import Rectangle

    ax.bar(rel, values_pct, width=0.7, color=np.where(values_pct >= 0, AR_POS, AR_NEG), zorder=2)
    proxy = Rectangle((0, 0), 0, 0, facecolor=AR_POS, lw=0, label=label)
    proxy._analysis_up_down = True   # the legend shows the up and the down colour (see _legend)
    ax.add_patch(proxy)       # zero size at (0, 0): invisible, keeps 0 in view (bars start there)


def _pct_axis(ax) -> None:
    """Percent ticks with the same minus sign as matplotlib's other ticks (the typographic
    minus unless ``axes.unicode_minus`` is off), not a hyphen beside a "−10" day axis."""
    from matplotlib.ticker import Formatter, FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: Formatter.fix_minus(f"{v:g}%")))


def _day_axis(ax, rows: pd.DataFrame, day0: pd.Timestamp | None, nbins: int = 12) -> None:
    from matplotlib.ticker import MaxNLocator

    lo, hi = int(rows["relative_day"].min()), int(rows["relative_day"].max())
    ax.set_xlim(lo - 0.7, hi + 0.7)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True, steps=[1, 2, 5, 10]))
    label = "Trading days relative to announcement"
    if day0 is not None:
        label += f" (day 0 = {day0:%Y-%m-%d})"
    ax.set_xlabel(label)


# --------------------------------------------------------------------------------------------
# labels that never cover data
# --------------------------------------------------------------------------------------------

def _data_paths(ax, renderer):
    """Every drawn data artist of ``ax`` as (path in display coordinates, half its line width in
    pixels, filled?): lines (with their markers), line collections (e.g. the intraday range),
    bars and other patches with an area. Shaded spans (``axvspan``) are background, not data."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.patches import Rectangle
    from matplotlib.path import Path as MplPath

    px = renderer.points_to_pixels(1.0)
    out = []
    for line in ax.lines:
        if not line.get_visible():
            continue
        path = line.get_transform().transform_path(line.get_path())
        half = px * max(line.get_linewidth() if line.get_linestyle() not in ("None", "") else 0,
                        line.get_markersize() if line.get_marker() not in (None, "None", "", " ") else 0) / 2
        out.append((path, half, False))
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, LineCollection):
            lw = float(np.max(coll.get_linewidths())) if len(coll.get_linewidths()) else 1.0
            for p in coll.get_paths():
                out.append((coll.get_transform().transform_path(p), px * lw / 2, False))
        elif isinstance(coll, PolyCollection):
            for p in coll.get_paths():
                out.append((coll.get_transform().transform_path(p), 0.0, True))
        else:                                                   # scatter: a box per point
            offsets = coll.get_offset_transform().transform(coll.get_offsets())
            sizes = coll.get_sizes()
            for k, (x, y) in enumerate(offsets):
                r = px * math.sqrt(float(sizes[k % len(sizes)]) if len(sizes) else 36.0) / 2
                out.append((MplPath([(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r),
                                     (x - r, y - r)]), 0.0, True))
    for patch in ax.patches:
        if not patch.get_visible() or not isinstance(patch, Rectangle):
            continue
        if getattr(patch, "_analysis_span", False) or patch.get_width() == 0 or patch.get_height() == 0:
            continue
        out.append((patch.get_transform().transform_path(patch.get_path()), 0.0, True))
    return out


def _covers_data(bbox, paths, pad: float = 2.0) -> bool:
    """True when ``bbox`` (display coordinates) touches any of the data paths."""
    for path, half, filled in paths:
        box = bbox.expanded(1.0, 1.0).padded(half + pad)
        if len(path.vertices) == 1:
            if box.contains(*path.vertices[0]):
                return True
            continue
        if path.intersects_bbox(box, filled=filled):
            return True
    return False


def place_label(ax, text: str, anchors, *, color, fontsize="small"):
    """An annotation of ``text`` near one of ``anchors`` (data points, tried in order) where its
    box covers no data: to the right or left of the anchor, then further up or down. When no
    place is free, the y axis gets headroom and the label sits above all data. The label takes
    no part in the layout (it sits inside the axes), so the figure is drawn once before placing.
    Returns the annotation."""
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    ann = ax.annotate(text, xy=anchors[0], xytext=(8, 0), textcoords="offset points", color=color,
                      fontsize=fontsize, va="center", ha="left", annotation_clip=False)
    ann.set_in_layout(False)
    paths = _data_paths(ax, renderer)
    inside = ax.get_window_extent(renderer)
    for dy in (0, 10, -10, 20, -20, 30, -30, 45, -45, 60, -60):
        for anchor in anchors:
            for dx, ha in ((8, "left"), (-8, "right")):
                ann.xy = anchor
                ann.set_position((dx, dy))
                ann.set_ha(ha)
                box = ann.get_window_extent(renderer)
                if (box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0
                        and box.y1 <= inside.y1 and not _covers_data(box, paths)):
                    return ann
    # no free place: headroom above the data, the label at the top right of the first anchor
    lo, hi = ax.get_ylim()
    ann.xy = (anchors[0][0], hi)
    ann.set_position((8, -2))
    ann.set_ha("left")
    ann.set_va("top")
    height = ann.get_window_extent(renderer).height
    per_px = (hi - lo) / max(inside.height, 1.0)
    new_hi = hi + (height + 8) * per_px * 1.15
    ax.set_ylim(lo, new_hi)
    ann.xy = (anchors[0][0], new_hi)
    fig.draw_without_rendering()
    return ann


# --------------------------------------------------------------------------------------------
# single event: indexed prices + AR bars / CAR line with 95% band
# --------------------------------------------------------------------------------------------

def _indexed_from_prices(rows: pd.DataFrame, frame: pd.DataFrame, base_date) -> pd.DataFrame | None:
    """Adjusted close (and day-level High/Low/Close on the adjusted scale) rebased to 100."""
    if frame is None or frame.empty or base_date is None:
        return None
    frame = frame.sort_index()
    base = frame["Adj Close"].loc[:base_date].dropna()
    if base.empty:
        return None
    scale = 100.0 / float(base.iloc[-1])
    dates = pd.DatetimeIndex(pd.to_datetime(rows["date"]))
    sub = frame.reindex(dates)
    out = pd.DataFrame({"relative_day": rows["relative_day"].to_numpy(),
                        "index": sub["Adj Close"].to_numpy() * scale})
    have_ohlc = {"High", "Low", "Close"} <= set(frame.columns)
    if have_ohlc:
        adj = (sub["Adj Close"] / sub["Close"]).to_numpy()      # adjustment factor of that day
        out["high"] = sub["High"].to_numpy() * adj * scale
        out["low"] = sub["Low"].to_numpy() * adj * scale
    return out


def _indexed_from_returns(rows: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    """Fallback when no prices are given: the return series cumulated and rebased to 100 on day -1."""
    r = rows[column].astype(float).fillna(0.0).to_numpy()
    level = np.exp(np.cumsum(r)) if kind == "log" else np.cumprod(1.0 + r)
    rel = rows["relative_day"].to_numpy()
    if (rel == -1).any():
        base = level[rel == -1][0]
    else:                                   # window starts at day 0 or later: base before start
        base = 1.0
    return pd.DataFrame({"relative_day": rel, "index": 100.0 * level / base})


def _price_panel(ax1, rows, prices, day0, s, ticker, market):
    """Top panel of :func:`draw_study`: stock and market rebased to 100 on day -1, the day-0 range."""
    rel = rows["relative_day"].to_numpy()
    base_date = None
    if (rel == -1).any():
        base_date = pd.Timestamp(rows.loc[rows["relative_day"] == -1, "date"].iloc[0])
    elif day0 is not None:
        base_date = day0 - pd.Timedelta(days=1)
    stock_ix = _indexed_from_prices(rows, prices.get("stock"), base_date)
    market_ix = _indexed_from_prices(rows, prices.get("market"), base_date)
    basis = "adjusted close"
    if stock_ix is None:
        stock_ix = _indexed_from_returns(rows, "stock_return", s.get("returns_kind", "simple"))
        basis = "cumulated returns"
    if market_ix is None:
        market_ix = _indexed_from_returns(rows, "market_return", s.get("returns_kind", "simple"))
    ax1.plot(stock_ix["relative_day"], stock_ix["index"], color=STOCK, marker="o", ms=3,
             label=f"{ticker}")
    ax1.plot(market_ix["relative_day"], market_ix["index"], color=MARKET, marker="o", ms=2.5,
             label=f"{market} (market)")
    ax1.axhline(100, color="#999999", lw=0.7, ls=":")
    intraday = None
    if "high" in stock_ix and (stock_ix["relative_day"] == 0).any():
        r0 = stock_ix[stock_ix["relative_day"] == 0].iloc[0]
        if np.isfinite(r0["high"]) and np.isfinite(r0["low"]):
            ax1.vlines(0, r0["low"], r0["high"], color=DAY0, lw=5, alpha=0.55, zorder=3,
                       label="day-0 intraday range (low-high)")
            intraday = {"low": r0["low"] - 100, "high": r0["high"] - 100, "close": r0["index"] - 100,
                        "anchors": [(0.0, float(r0["high"])), (0.0, float(r0["low"]))]}
    ax1.set_ylabel(f"Price index, {basis}\n(day -1 = 100)")
    return basis, intraday


def _study_footer(result, event_id, diag) -> str:
    line = source_line(result, [event_id])
    if diag is not None and "day0_shifted" in diag and bool(diag.get("day0_shifted")) \
            and pd.notna(diag.get("event_date")):
        first, sep, rest = line.partition("\n")
        line = f"{first} Day 0 moved from {pd.Timestamp(diag['event_date']):%Y-%m-%d}.{sep}{rest}"
    return line


def draw_study(result, event_id: str, *, prices: Mapping[str, pd.DataFrame | None] | None = None,
               marks=None, title: str | None = None, size=None):
    """Figure of one event: indexed prices (top) and AR bars with the CAR line and band (bottom).

    ``prices``: ``{"stock": frame, "market": frame}`` as returned by ``PriceSource.load``; used for
    the top panel (adjusted close rebased to 100 on day -1) and the day-0 intraday High/Low range
    (shown when OHLC columns are present). Without prices the top panel rebases the stock and
    market returns stored in the result. ``marks``: ``{label: [dates or relative days]}`` (or a
    DataFrame with ``label`` and ``date``/``relative_day``) drawn as shaded days, e.g. limit-up
    days or a confounding earnings release; flags are computed elsewhere (analysis.events.contamination).
    The day-0 label (intraday high and close) is placed where it covers no line, bar or point
    (:func:`place_label`). ``size``: ``(w, h)`` inches (default: 6.5 x 5.6).
    Returns ``(figure, info)`` where ``info`` records the data range for the sidecar.
    """
    rows = _event_rows(result, event_id)
    diag = _diag_row(result, event_id)
    s = _settings(result)
    ticker = str(rows["ticker"].iloc[0]) if "ticker" in rows else event_id
    market = str(rows["market"].iloc[0]) if "market" in rows else "market"
    day0 = _day0_date(rows)
    rel = rows["relative_day"].to_numpy()
    mark_days, outside = _marks_to_days(marks, rows)

    fig, axes = _new_figure(2, 1, height=5.6, size=size, sharex=True,
                            gridspec_kw={"height_ratios": [1, 1.15]})
    ax1, ax2 = axes[:, 0]
    with style():
        # ---- top: indexed prices
        basis, intraday = _price_panel(ax1, rows, prices or {}, day0, s, ticker, market)

        # ---- bottom: AR bars, CAR line, 95% band
        ar = rows["abnormal_return"].astype(float).to_numpy() * 100
        _ar_bars(ax2, rel, ar, "abnormal return (AR)")
        if {"car_lo", "car_hi"} <= set(rows.columns):
            ax2.fill_between(rel, rows["car_lo"].astype(float) * 100, rows["car_hi"].astype(float) * 100,
                             color=BAND, alpha=0.13, lw=0, label="CAR 95% interval", zorder=1)
        ax2.plot(rel, rows["car"].astype(float) * 100, color=STOCK, marker="o", ms=3,
                 label=f"CAR from day {int(rel.min())}", zorder=3)
        ax2.axhline(0, color="#444444", lw=0.7)
        _pct_axis(ax2)
        ax2.set_ylabel(f"Abnormal return vs {market} (%)")
        for ax in (ax1, ax2):
            ax.axvline(0, color=DAY0, lw=1.0, ls="--", zorder=1)
        _draw_marks((ax1, ax2), mark_days, legend_ax=ax2)
        _day_axis(ax2, rows, day0)
        _legend_above(ax1, 3)
        _legend_above(ax2, 3)

        when = f"{day0:%Y-%m-%d}" if day0 is not None else "?"
        title = title or f"{ticker}: abnormal returns around {when}"
        _finish(fig, title, _study_footer(result, event_id, diag))
        if intraday is not None:
            anchors = intraday.pop("anchors")
            place_label(ax1, f"high {intraday['high']:+.1f}%\nclose {intraday['close']:+.1f}%", anchors,
                        color=DAY0)
    info = {"event_id": event_id, "ticker": ticker, "market": market, "day0": day0,
            "data_range": _range(rows), "price_basis": basis, "intraday_day0_pct": intraday,
            "marks": mark_days, "marks_outside_window": outside}
    return fig, info


def study_figure(result, event_id: str, *, prices=None, out_dir, stem: str = "study",
                 formats: Sequence[str] | str | None = None, marks=None, title: str | None = None,
                 dpi: int | None = None, size=None) -> list[Path]:
    """Write the single-event figure (see :func:`draw_study`); returns the written paths.
    ``formats``, ``dpi``, ``size``: see :func:`export` and :func:`draw_study`."""
    fig, info = draw_study(result, event_id, prices=prices, marks=marks, title=title, size=size)
    meta = {"kind": "study", "settings": _settings(result), **info,
            "call": {"function": "analysis.figures.plotting.study_figure", "event_id": event_id,
                     "prices_given": sorted(k for k, v in (prices or {}).items() if v is not None),
                     "marks": marks if not isinstance(marks, pd.DataFrame) else marks.to_dict("records"),
                     "title": title, "stem": stem, "formats": _formats(formats)}}
    # with the day-0 label placed, the figure was just drawn in its final state (place_label)
    return export(fig, out_dir, stem, formats, meta, dpi=dpi, _laid_out=info["intraday_day0_pct"] is not None)


# --------------------------------------------------------------------------------------------
# sample: AAR bars, CAAR line with 95% band, number of events per day
# --------------------------------------------------------------------------------------------

def draw_aar(result, *, group=None, window=None, title: str | None = None, size=None):
    """AAR bars and the CAAR line with its 95% band (top), events per relative day (bottom).

    Everything drawn comes from ``result.aar(window=window, group=group)``.
    """
    table = result.aar(window=window, group=group)
    if table is None or len(table) == 0:
        raise InputError(f"no average abnormal returns to draw (group {group!r})")
    table = table.sort_values("relative_day").reset_index(drop=True)
    rel = table["relative_day"].astype(int).to_numpy()
    fig, axes = _new_figure(2, 1, height=4.9, size=size, sharex=True,
                            gridspec_kw={"height_ratios": [3.2, 1]})
    ax1, ax2 = axes[:, 0]
    n_max = int(pd.to_numeric(table["n"]).max())
    with style():
        aar = table["aar"].astype(float).to_numpy() * 100
        _ar_bars(ax1, rel, aar, "AAR")
        if {"caar_lo", "caar_hi"} <= set(table.columns):
            ax1.fill_between(rel, table["caar_lo"].astype(float) * 100, table["caar_hi"].astype(float) * 100,
                             color=BAND, alpha=0.13, lw=0, label="CAAR 95% interval", zorder=1)
        ax1.plot(rel, table["caar"].astype(float) * 100, color=STOCK, marker="o", ms=3, zorder=3,
                 label=f"CAAR from day {rel.min()}")
        ax1.axhline(0, color="#444444", lw=0.7)
        ax1.axvline(0, color=DAY0, lw=1.0, ls="--")
        _pct_axis(ax1)
        ax1.set_ylabel("Average abnormal return (%)")
        _legend_above(ax1, 3)

        n = pd.to_numeric(table["n"]).to_numpy()
        ax2.bar(rel, n, width=0.7, color=MARKET, zorder=2)
        ax2.set_ylim(0, max(n_max, 1) * 1.25)
        ax2.set_ylabel("Events (N)")
        ax2.axvline(0, color=DAY0, lw=1.0, ls="--")
        if np.unique(n).size == 1:        # above the panel, never over the bars
            ax2.set_title(f"N = {n_max} on every day", loc="right", fontsize="small",
                          fontweight="normal", pad=2)
        _day_axis(ax2, table.assign(date=pd.NaT), None)
        ax2.set_xlabel("Trading days relative to announcement (day 0)")

        label = f" ({group})" if group is not None else ""
        title = title or f"Event sample{label}: AAR and CAAR, {n_max} events"
        _finish(fig, title, source_line(result, _group_ids(result, group)))
    info = {"group": group, "window": window, "n_events_max": n_max,
            "data_range": {"relative_days": [int(rel.min()), int(rel.max())]}}
    diag = getattr(result, "diagnostics", None)
    if diag is not None and "day0" in diag:
        d = pd.to_datetime(diag["day0"], errors="coerce").dropna()
        if len(d):
            info["data_range"].update(first_day0=d.min(), last_day0=d.max())
    return fig, info


def _group_ids(result, group):
    """The event ids of ``group`` (None: every event), for a footer that counts the drawn events."""
    diag = getattr(result, "diagnostics", None)
    if group is None or diag is None or "group" not in diag:
        return None
    return diag.loc[diag["group"] == group, "event_id"].tolist()


def aar_figure(result, *, out_dir, stem: str = "aar_caar", group=None,
               formats: Sequence[str] | str | None = None, window=None, title: str | None = None,
               dpi: int | None = None, size=None) -> list[Path]:
    """Write the AAR/CAAR figure (see :func:`draw_aar`); returns the written paths."""
    fig, info = draw_aar(result, group=group, window=window, title=title, size=size)
    meta = {"kind": "aar", "settings": _settings(result), **info,
            "call": {"function": "analysis.figures.plotting.aar_figure", "group": group, "window": window,
                     "title": title, "stem": stem, "formats": _formats(formats)}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)


# --------------------------------------------------------------------------------------------
# listings of one company side by side (H, A, US ...)
# --------------------------------------------------------------------------------------------

def _items(items) -> list[tuple[Any, str, str, Any]]:
    out = []
    for it in items:
        res, eid, label, marks = (tuple(it) + (None, None))[:4]
        if label is None:
            rows = _event_rows(res, eid)
            label = f"{rows['ticker'].iloc[0]} vs {rows['market'].iloc[0]}"
        out.append((res, eid, str(label), marks))
    if not out:
        raise InputError("listings figure needs at least one (result, event_id) pair")
    return out


def draw_listings(items, *, marks=None, title: str | None = None, size=None):
    """AR bars and CAR with 95% band for several listings of one company, side by side.

    ``items``: sequence of ``(result, event_id)``, ``(result, event_id, label)`` or
    ``(result, event_id, label, marks)``, one per listing (e.g. the H share against ^HSI, the A
    share against 000001.SS). The y axis is shared so the moves compare directly. ``marks``
    (``{label: [dates]}``) apply to every listing, an item's own marks to that listing only.
    """
    items = _items(items)
    k = len(items)
    all_labels = list(dict.fromkeys([str(lab) for _, _, _, own in items
                                     for lab in list((marks or {}).keys()) + list((own or {}).keys())]))
    fig, _ = _new_figure(0, height=3.9, size=size)
    with style():
        gs = fig.add_gridspec(2, k, height_ratios=[1, 13])
        first = fig.add_subplot(gs[1, 0])
        axes = [first] + [fig.add_subplot(gs[1, j], sharey=first) for j in range(1, k)]
        legend_ax = fig.add_subplot(gs[0, :])
        legend_ax.axis("off")
        for ax in axes[1:]:
            ax.tick_params(labelleft=False)
    info = []
    with style():
        for ax, (res, eid, label, own) in zip(axes, items):
            rows = _event_rows(res, eid)
            rel = rows["relative_day"].to_numpy()
            ar = rows["abnormal_return"].astype(float).to_numpy() * 100
            _ar_bars(ax, rel, ar, "AR")
            if {"car_lo", "car_hi"} <= set(rows.columns):
                ax.fill_between(rel, rows["car_lo"].astype(float) * 100, rows["car_hi"].astype(float) * 100,
                                color=BAND, alpha=0.13, lw=0, label="CAR 95% interval", zorder=1)
            ax.plot(rel, rows["car"].astype(float) * 100, color=STOCK, marker="o", ms=2.5, label="CAR", zorder=3)
            ax.axhline(0, color="#444444", lw=0.7)
            ax.axvline(0, color=DAY0, lw=1.0, ls="--")
            md, _ = _marks_to_days({**(marks or {}), **(own or {})}, rows)
            _draw_marks([ax], md, legend_ax=ax, order=all_labels)
            day0 = _day0_date(rows)
            _day_axis(ax, rows, None, nbins=max(4, 12 // k))
            ax.set_xlabel("Trading days from day 0" if k <= 2 else "Days from day 0")
            ax.set_title(label + (f"\nday 0 = {day0:%Y-%m-%d}" if day0 is not None else ""),
                         fontsize="small")
            info.append({"event_id": eid, "label": label, "data_range": _range(rows)})
        _pct_axis(axes[0])
        axes[0].set_ylabel("Abnormal return (%)")
        handles, labels = [], []
        for ax in axes:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
        _legend(legend_ax, handles, labels, loc="center left", ncols=min(len(handles), 3), borderaxespad=0)
        title = title or "Listings side by side: abnormal returns and CAR"
        _finish(fig, title, _listings_footer(items))
    return fig, {"listings": info}


def _listings_footer(items) -> str:
    """One source line per distinct source and model (listings of one study share one), then
    each listing's warnings."""
    sources, warned = [], []
    for res, eid, _, _ in items:
        line = _source_text(res, [eid])
        if line not in sources:
            sources.append(line)
        warned.append(warning_line(getattr(res, "diagnostics", None), [eid]))
    return "\n".join(sources + [w for w in warned if w])


def listings_figure(items, *, out_dir, stem: str = "listings", formats: Sequence[str] | str | None = None,
                    marks=None, title: str | None = None, dpi: int | None = None, size=None) -> list[Path]:
    """Write the side-by-side listings figure (see :func:`draw_listings`)."""
    items = _items(items)
    fig, info = draw_listings(items, marks=marks, title=title, size=size)
    meta = {"kind": "listings", "settings": [_settings(r) for r, _, _, _ in items], **info,
            "call": {"function": "analysis.figures.plotting.listings_figure",
                     "items": [[eid, label, own] for _, eid, label, own in items], "marks": marks,
                     "title": title, "stem": stem, "formats": _formats(formats)}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)


# --------------------------------------------------------------------------------------------
# estimation window: stock vs market returns with the fitted line
# --------------------------------------------------------------------------------------------

def _estimation_data(result, event_id: str):
    """(market returns, stock returns, fitted parameters) of the estimation window: the design
    and coefficients of :meth:`~analysis.core.results.EventStudyResult.ols` without importing
    statsmodels (``fit_table``, the same fit in numpy)."""
    try:
        if hasattr(result, "_estimation_design") and hasattr(result, "fit_table"):
            endog, exog, _ = result._estimation_design(event_id)
            params = result.fit_table(event_id)["params"].to_numpy(dtype=float)
        else:                     # any result with the contract's ols() (a statsmodels fit)
            fit = result.ols(event_id)
            endog, exog, params = fit.model.endog, fit.model.exog, np.asarray(fit.params, dtype=float)
    except AnalysisError as exc:
        raise InputError(f"no estimation-window fit for event {event_id!r}: {exc}") from None
    exog = np.asarray(exog, dtype=float)
    y = np.asarray(endog, dtype=float)
    if exog.ndim != 2 or exog.shape[1] < 2:
        raise InputError(f"event {event_id!r} was not fitted with the market model "
                         f"(model {_settings(result).get('model')!r}); no scatter to draw")
    return exog[:, 1], y, params


def draw_estimation(result, event_id: str, *, limit: float | None = None, title: str | None = None,
                    size=None):
    """Scatter of stock against market returns over the estimation window with the fitted line.

    The line is alpha + beta * Rm with alpha and beta as fitted by the engine (``result.fit_table``);
    the event-window days are overlaid in another colour with day 0 labelled, so a reader sees
    how far the announcement day lies from the estimation-window cloud. ``limit`` (e.g. 0.10 for
    a Shanghai main-board stock) draws the daily price limits: returns piled up there are censored.
    """
    x, y, params = _estimation_data(result, event_id)
    alpha, beta = params[0], params[1]
    rows = _event_rows(result, event_id)
    ticker, market = str(rows["ticker"].iloc[0]), str(rows["market"].iloc[0])
    fig, axes = _new_figure(1, 1, height=4.6, size=size)
    ax = axes[0, 0]
    with style():
        ax.scatter(x * 100, y * 100, s=9, color=MARKET, alpha=0.55, lw=0,
                   label=f"estimation window ({len(x)} d)")
        ev = rows.dropna(subset=["stock_return", "market_return"])
        ax.scatter(ev["market_return"] * 100, ev["stock_return"] * 100, s=16, color=STOCK, zorder=3,
                   label="event window")
        d0 = ev[ev["relative_day"] == 0]
        if len(d0):
            ax.scatter(d0["market_return"] * 100, d0["stock_return"] * 100, s=50, color=DAY0,
                       zorder=4, label="day 0", marker="D")
        allx = np.concatenate([x, ev["market_return"].to_numpy(float)]) * 100
        xs = np.linspace(np.nanmin(allx), np.nanmax(allx), 50)
        ax.plot(xs, alpha * 100 + beta * xs, color=STOCK, lw=1.3, label=fit_label(alpha, beta))
        ax.axhline(0, color="#999999", lw=0.6)
        ax.axvline(0, color="#999999", lw=0.6)
        if limit:
            for sign in (1, -1):
                ax.axhline(sign * limit * 100, color=LIMIT_UP, lw=0.9, ls="--",
                           label=f"price limit \u00b1{limit * 100:g}%" if sign == 1 else None)
        _pct_axis(ax)
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
        ax.set_xlabel(f"{market} daily return (%)")
        ax.set_ylabel(f"{ticker} daily return (%)")
        _legend_above(ax, 2)
        day0 = _day0_date(rows)
        title = title or f"{ticker} against {market}: estimation window" + (
            f" before {day0:%Y-%m-%d}" if day0 is not None else "")
        _finish(fig, title, source_line(result, [event_id]))
    diag = _diag_row(result, event_id)
    rng = {"n_estimation": int(len(x))}
    if diag is not None:
        rng.update(estimation_start=diag.get("estimation_start"), estimation_end=diag.get("estimation_end"))
    return fig, {"event_id": event_id, "ticker": ticker, "market": market, "alpha": alpha,
                 "beta": beta, "data_range": rng}


def fit_label(alpha: float, beta: float) -> str:
    """The fitted line in words a reader can check: ``fit: α = +0.203% a day, β = 1.19`` (alpha
    with three decimals in percent, so a small intercept never reads as "-0.00%")."""
    a = 100 * float(alpha)
    a_text = f"{a:+.3f}%" if abs(a) >= 0.0005 else "0.000%"
    return f"fitted line R = \u03b1 + \u03b2\u00b7Rm: \u03b1 = {a_text} a day, \u03b2 = {float(beta):.2f}"


def estimation_figure(result, event_id: str, *, out_dir, stem: str = "estimation",
                      formats: Sequence[str] | str | None = None, limit: float | None = None,
                      title: str | None = None, dpi: int | None = None, size=None) -> list[Path]:
    """Write the estimation-window scatter (see :func:`draw_estimation`)."""
    fig, info = draw_estimation(result, event_id, limit=limit, title=title, size=size)
    meta = {"kind": "estimation", "settings": _settings(result), **info,
            "call": {"function": "analysis.figures.plotting.estimation_figure", "event_id": event_id, "limit": limit,
                     "title": title, "stem": stem, "formats": _formats(formats)}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)


def _formats(formats) -> list[str]:
    """The formats a call asked for, for the sidecar (None: the settings' default)."""
    from .. import config

    try:
        return list(config.figure_formats(formats))
    except AnalysisError:
        return [str(formats)]
