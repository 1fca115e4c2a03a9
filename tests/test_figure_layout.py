"""Figures as a reader sees them: no label over the data (checked geometrically on the drawn
artists of real studies), one colour per meaning in every figure, readable fit labels, the
package style yielding to the user's rcParams, and the export options (formats, dpi, size)."""

from __future__ import annotations

import json

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from analysis.core.pipeline import run_study, study_one
from analysis.figures import plotting

# (ticker, market, day, estimation window): the seed and the two cases of issue 18, where the
# day-0 label used to sit on the market line
CASES = [("1810.HK", "^HSI", "2021-03-26", (-260, -11)),
         ("0388.HK", "^HSI", "2022-08-17", (-260, -11)),
         ("BA", "^GSPC", "2025-10-29", (-200, -11))]


# ------------------------------------------------------------------------------ geometry
# Written here from first principles (Liang-Barsky clipping), independent of the placement code.

def _segment_hits(p, q, rect) -> bool:
    """Does the segment p-q touch the rectangle (x0, y0, x1, y1)?"""
    x0, y0, x1, y1 = rect
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _polyline_hits(points, rect) -> bool:
    pts = [tuple(p) for p in np.asarray(points, dtype=float) if np.all(np.isfinite(p))]
    if len(pts) == 1:
        x, y = pts[0]
        return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]
    return any(_segment_hits(a, b, rect) for a, b in zip(pts[:-1], pts[1:]))


def _grow(rect, by):
    return (rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by)


def _clip(rect, box):
    out = (max(rect[0], box.x0), max(rect[1], box.y0), min(rect[2], box.x1), min(rect[3], box.y1))
    return out if out[0] < out[2] and out[1] < out[3] else None


def _touches_data(ax, rect, renderer) -> list[str]:
    """Names of the data artists of ``ax`` that the rectangle (display coordinates) touches;
    data are clipped to the axes, so only the part of the rectangle inside the axes counts."""
    box = ax.get_window_extent(renderer)
    rect = _clip(rect, box)
    if rect is None:
        return []
    pt = renderer.points_to_pixels(1.0)
    hits = []
    for line in ax.lines:
        xy = line.get_transform().transform(line.get_xydata())
        has_line = line.get_linestyle() not in ("None", "", " ")
        has_marker = line.get_marker() not in (None, "None", "", " ")
        if has_line and _polyline_hits(xy, _grow(rect, pt * line.get_linewidth() / 2)):
            hits.append(f"line {line.get_label()}")
        elif has_marker and any(_polyline_hits([p], _grow(rect, pt * line.get_markersize() / 2)) for p in xy):
            hits.append(f"marker {line.get_label()}")
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            lw = pt * max(coll.get_linewidths()) / 2
            for seg in coll.get_segments():
                if _polyline_hits(coll.get_transform().transform(seg), _grow(rect, lw)):
                    hits.append("line collection")
        elif isinstance(coll, PolyCollection):
            for path in coll.get_paths():
                poly = coll.get_transform().transform_path(path)
                corners = [(rect[0], rect[1]), (rect[2], rect[1]), (rect[0], rect[3]), (rect[2], rect[3])]
                if _polyline_hits(poly.vertices, rect) or any(poly.contains_point(c) for c in corners):
                    hits.append("band")
        elif isinstance(coll, PathCollection):
            for (x, y), size in zip(coll.get_offset_transform().transform(coll.get_offsets()),
                                    np.broadcast_to(coll.get_sizes(), (len(coll.get_offsets()),))):
                if _polyline_hits([(x, y)], _grow(rect, pt * np.sqrt(size) / 2)):
                    hits.append(f"point {coll.get_label()}")
    for patch in ax.patches:
        if not isinstance(patch, Rectangle) or patch.get_width() == 0 or patch.get_height() == 0:
            continue
        ext = patch.get_window_extent(renderer)
        if abs(ext.height - box.height) < 1.5:                  # a shaded day (axvspan): background
            continue
        if ext.x0 < rect[2] and rect[0] < ext.x1 and ext.y0 < rect[3] and rect[1] < ext.y1:
            hits.append("bar")
    return hits


def overlaps(fig) -> list[str]:
    """Every text and legend of the figure that covers a data artist of any axes."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [(f"text {t.get_text()!r}", t.get_window_extent(renderer)) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    boxes += [("legend", ax.get_legend().get_window_extent(renderer)) for ax in fig.axes if ax.get_legend()]
    found = []
    for name, b in boxes:
        for ax in fig.axes:
            for hit in _touches_data(ax, (b.x0, b.y0, b.x1, b.y1), renderer):
                found.append(f"{name} over {hit}")
    return found


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def studies(prices_dir):
    out = {}
    for ticker, market, day, est in CASES:
        out[ticker] = study_one(ticker, market, day, prices_dir=prices_dir, estimation_window=est)
    return out


def _draw(study, marks=None, **kw):
    eid = study.result.event_ids[0]
    d = study.result.diagnostics.iloc[0]
    prices = {"stock": study.prices[d["ticker"]], "market": study.prices[d["market"]]}
    return plotting.draw_study(study.result, eid, prices=prices, marks=marks, **kw)


@pytest.mark.parametrize("ticker", [c[0] for c in CASES])
def test_no_label_covers_data_in_study_figures(studies, ticker):
    fig, info = _draw(studies[ticker])
    assert info["intraday_day0_pct"] is not None
    labels = [t for t in fig.axes[0].texts if t.get_text().startswith("high ")]
    assert len(labels) == 1                              # the day-0 label is drawn ...
    assert overlaps(fig) == []                           # ... and covers nothing, nor does any text


def test_the_check_sees_an_overlap(studies):
    """The geometric check itself: a label put on the market line is reported."""
    fig, _ = _draw(studies["0388.HK"])
    ax = fig.axes[0]
    market = [ln for ln in ax.lines if ln.get_label().endswith("(market)")][0]
    x, y = market.get_xydata()[12]
    ax.text(x, y, "on the line", ha="center", va="center")
    assert any("'on the line' over line ^HSI (market)" in o for o in overlaps(fig))


def test_label_falls_back_to_headroom_when_crowded():
    """With data everywhere the label goes above all of it (the axis grows)."""
    fig, axes = plotting._new_figure(1, 1)
    ax = axes[0, 0]
    for y in np.linspace(0, 10, 41):
        ax.plot([-5, 5], [y, y], color="grey")
    ax.set_xlim(-5, 5)
    ann = plotting.place_label(ax, "high +1.0%\nclose +0.5%", [(0.0, 5.0)], color="black")
    assert ax.get_ylim()[1] > 10 and overlaps(fig) == []
    assert ann.xy[1] == pytest.approx(ax.get_ylim()[1])


def test_no_label_covers_data_in_the_other_figures(studies, prices_dir):
    seed = studies["1810.HK"]
    fig, _ = plotting.draw_estimation(seed.result, seed.result.event_ids[0])
    assert overlaps(fig) == []
    events = pd.DataFrame({"event_id": ["a", "b", "c"], "ticker": ["1810.HK", "2333.HK", "0175.HK"],
                           "market": "^HSI", "event_date": "2021-03-26"})
    sample = run_study(events, prices_dir=prices_dir, progress=False)
    fig, _ = plotting.draw_aar(sample.result)
    assert overlaps(fig) == []
    fig, _ = plotting.draw_listings([(sample.result, e) for e in "abc"])
    assert overlaps(fig) == []


# ------------------------------------------------------------------------------ colours

def _span_colour(fig, label):
    for ax in fig.axes:
        for p in ax.patches:
            if p.get_label() == label:
                return mpl.colors.to_hex(p.get_facecolor()[:3])
    raise AssertionError(f"no shaded day labelled {label!r}")


def test_one_colour_per_meaning(studies):
    seed = studies["1810.HK"]
    eid = seed.result.event_ids[0]
    up, conf = "closed limit-up (censored)", "earnings reaction (confounder)"
    a, _ = _draw(seed, marks={up: ["2021-03-26"], conf: ["2021-03-25"]})
    b, _ = _draw(seed, marks={conf: ["2021-03-25"], up: ["2021-03-26"]})            # other order
    c, _ = plotting.draw_listings([(seed.result, eid, "x", {conf: ["2021-03-25"]}),
                                   (seed.result, eid, "y", {up: ["2021-03-26"]})])
    for fig in (a, b, c):
        assert _span_colour(fig, up) == plotting.LIMIT_UP
        assert _span_colour(fig, conf) == plotting.CONFOUNDER
    est, _ = plotting.draw_estimation(seed.result, eid, limit=0.10)
    limit_lines = [ln for ln in est.axes[0].lines if ln.get_linestyle() == "--"]
    assert limit_lines and {mpl.colors.to_hex(ln.get_color()) for ln in limit_lines} == {plotting.LIMIT_UP}
    other = plotting.mark_colours(["analyst day", "index inclusion"])
    assert other == plotting.mark_colours(["index inclusion", "analyst day"])           # stable
    assert len(set(other.values())) == 2 and not set(other.values()) & {plotting.LIMIT_UP, plotting.CONFOUNDER}


def test_day0_has_one_colour_everywhere(studies):
    seed = studies["1810.HK"]
    fig, _ = _draw(seed)
    day0_lines = [ln for ax in fig.axes for ln in ax.lines if ln.get_linestyle() == "--"]
    assert {mpl.colors.to_hex(ln.get_color()) for ln in day0_lines} == {plotting.DAY0}
    label = [t for t in fig.axes[0].texts if t.get_text().startswith("high ")][0]
    assert mpl.colors.to_hex(label.get_color()) == plotting.DAY0
    ranges = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    assert mpl.colors.to_hex(ranges[0].get_color()[0][:3]) == plotting.DAY0
    assert plotting.AR_NEG != plotting.DAY0 and plotting.AR_POS != plotting.STOCK


# ------------------------------------------------------------------------------ labels, style

@pytest.mark.parametrize("alpha, beta, text", [
    (-0.00004, 1.5123, "\u03b1 = -0.004% a day, \u03b2 = 1.51"),
    (0.002031, 1.19163, "\u03b1 = +0.203% a day, \u03b2 = 1.19"),
    (0.000001, 0.8, "\u03b1 = 0.000% a day, \u03b2 = 0.80"),
])
def test_fit_label_is_readable(alpha, beta, text):
    label = plotting.fit_label(alpha, beta)
    assert label.endswith(text) and "-0.00%" not in label


@pytest.mark.filterwarnings("ignore:constrained_layout not applied")     # 16 pt in 6.5 in: crowded
def test_the_style_yields_to_the_users_rcparams(studies):
    seed = studies["1810.HK"]
    with mpl.rc_context({"font.size": 16}):
        fig, _ = _draw(seed)
        assert mpl.rcParams["font.size"] == 16                  # the user's setting is left alone
    ax = fig.axes[1]
    assert ax.yaxis.label.get_size() == pytest.approx(16)       # axes labels: the user's 16
    assert ax.get_xticklabels()[0].get_size() == pytest.approx(16 * 0.833, rel=0.01)   # "small"
    assert fig.get_suptitle() and fig._suptitle.get_size() == pytest.approx(16 * 1.2)  # "large"
    plain, _ = _draw(seed)
    assert plain.axes[1].yaxis.label.get_size() == pytest.approx(9)    # the package style's size
    with mpl.rc_context({"lines.linewidth": 3.0}):               # the style's is 1.6
        fig, _ = _draw(seed)
    stock = [ln for ln in fig.axes[0].lines if ln.get_label() == "1810.HK"][0]
    assert stock.get_linewidth() == 3.0


# ------------------------------------------------------------------------------ export options

def test_formats_dpi_and_size(studies, tmp_path, monkeypatch):
    from PIL import Image

    seed = studies["1810.HK"]
    eid = seed.result.event_ids[0]
    paths = plotting.study_figure(seed.result, eid, out_dir=tmp_path, formats="png,pdf", dpi=100,
                                  size="8x5")
    assert sorted(p.suffix for p in paths) == [".json", ".pdf", ".png"]
    meta = json.loads((tmp_path / "study.json").read_text())
    assert meta["png_dpi"] == 100 and meta["size_inches"] == [8.0, 5.0]
    with Image.open(tmp_path / "study.png") as im:
        assert round(im.info["dpi"][0]) == 100 and 7.0 <= im.size[0] / 100 <= 8.2
    monkeypatch.setenv("ANALYSIS_FIGURE_FORMATS", "svg")           # the settings' way (notebooks)
    monkeypatch.setenv("ANALYSIS_FIGURE_DPI", "120")
    paths = plotting.aar_figure(seed.result, out_dir=tmp_path / "env")
    assert sorted(p.name for p in paths) == ["aar_caar.json", "aar_caar.png", "aar_caar.svg"]
    with Image.open(tmp_path / "env" / "aar_caar.png") as im:
        assert round(im.info["dpi"][0]) == 120
    from analysis.errors import InputError

    with pytest.raises(InputError, match="tiff"):
        plotting.study_figure(seed.result, eid, out_dir=tmp_path, formats="tiff")
