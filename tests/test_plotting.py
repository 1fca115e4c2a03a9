"""Figures: every figure function writes PNG + SVG (+ PDF) + JSON, in the package style, with a
title, labelled axes, a legend and a source line; plotting draws what it is given (no statistics)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from analysis.figures import plotting
from analysis.errors import InputError
from fake_result import make_fake_prices, make_fake_result


@pytest.fixture(scope="module")
def result():
    return make_fake_result(3)


def _svg(paths) -> str:
    return next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")


def _check_files(paths, stem, pdf=False):
    names = sorted(p.name for p in paths)
    want = sorted([f"{stem}.png", f"{stem}.svg", f"{stem}.json"] + ([f"{stem}.pdf"] if pdf else []))
    assert names == want
    for p in paths:
        assert p.stat().st_size > 0
    png = next(p for p in paths if p.suffix == ".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(png) as im:
        dpi = im.info.get("dpi")
        width_in = im.size[0] / 200
    assert dpi is not None and round(dpi[0]) == 200
    assert 5.5 <= width_in <= 7.2, f"figure is {width_in:.2f} in wide, not report-column width"
    meta = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    assert meta["figure"] == stem and "call" in meta and "versions" in meta
    return meta


def test_study_figure_with_ohlc(tmp_path, result):
    prices = make_fake_prices(result, "e0001")
    paths = plotting.study_figure(result, "e0001", prices=prices, out_dir=tmp_path, stem="s",
                                  formats=("png", "svg", "pdf"),
                                  marks={"limit-up day": [0], "earnings release": ["1999-01-01"]})
    meta = _check_files(paths, "s", pdf=True)
    svg = _svg(paths)
    assert "TST0: abnormal returns around" in svg                       # title
    assert "Trading days relative to announcement" in svg                # x label with unit
    assert "Abnormal return vs ^MKT (%)" in svg and "(day -1 = 100)" in svg
    assert "Source: synthetic test data" in svg and "estimation window [-130, -11]" in svg
    assert "day-0 intraday range" in svg and "CAR 95% interval" in svg   # legend entries
    assert "limit-up day" in svg
    # the day-0 range is the OHLC High/Low rebased to the day -1 close (presentation only)
    rows = result.abnormal_returns.query("event_id == 'e0001'").set_index("relative_day")
    base = prices["stock"]["Adj Close"].loc[rows.loc[-1, "date"]]
    high = prices["stock"]["High"].loc[rows.loc[0, "date"]]
    assert meta["intraday_day0_pct"]["high"] == pytest.approx(100 * high / base - 100)
    assert meta["marks"] == {"limit-up day": [0]}
    assert meta["marks_outside_window"][0]["label"] == "earnings release"
    assert meta["settings"]["estimation_window"] == [-130, -11]
    assert meta["data_range"]["relative_days"] == [-5, 5]


def test_study_figure_draws_the_given_car_band(tmp_path, result):
    """The band drawn is exactly car_lo..car_hi of the result (x100), not recomputed."""
    fig, _ = plotting.draw_study(result, "e0002")
    ax = fig.axes[1]
    band = [c for c in ax.collections if c.get_label() == "CAR 95% interval"][0]
    ys = band.get_paths()[0].vertices[:, 1]
    rows = result.abnormal_returns.query("event_id == 'e0002'")
    assert np.nanmax(ys) == pytest.approx(rows["car_hi"].max() * 100)
    assert np.nanmin(ys) == pytest.approx(rows["car_lo"].min() * 100)
    line = [l for l in ax.lines if l.get_label().startswith("CAR")][0]
    np.testing.assert_allclose(line.get_ydata(), rows["car"].to_numpy() * 100)


def test_study_figure_without_prices_uses_returns(tmp_path, result):
    paths = plotting.study_figure(result, "e0002", out_dir=tmp_path, stem="np")
    meta = _check_files(paths, "np")
    assert meta["price_basis"] == "cumulated returns" and meta["intraday_day0_pct"] is None
    fig, _ = plotting.draw_study(result, "e0002")
    stock = fig.axes[0].lines[0]
    rel = np.asarray(stock.get_xdata())
    assert stock.get_ydata()[rel == -1][0] == pytest.approx(100.0)


def test_unknown_event_is_a_user_error(tmp_path, result):
    with pytest.raises(InputError, match="nope"):
        plotting.study_figure(result, "nope", out_dir=tmp_path, stem="x")


def test_aar_figure(tmp_path, result):
    paths = plotting.aar_figure(result, out_dir=tmp_path, stem="aar", formats=("png", "svg", "pdf"))
    meta = _check_files(paths, "aar", pdf=True)
    svg = _svg(paths)
    for text in ("AAR and CAAR", "Average abnormal return (%)", "Events (N)", "CAAR 95% interval",
                 "Trading days relative to announcement", "Source: synthetic test data"):
        assert text in svg
    assert meta["n_events_max"] == 3


def test_listings_figure(tmp_path):
    result = make_fake_result(3)
    d = result.diagnostics
    result.diagnostics = d.assign(warnings=np.where(d["event_id"] == "e0002", "stale", ""))
    paths = plotting.listings_figure([(result, "e0001", "H share", {"limit-up": [0]}), (result, "e0002")],
                                     out_dir=tmp_path, stem="lst")
    meta = _check_files(paths, "lst")
    svg = _svg(paths)
    assert "H share" in svg and "TST1 vs ^MKT" in svg and "Abnormal return (%)" in svg
    assert "limit-up" in svg and "Source: synthetic test data" in svg
    # listings of one study: one source line, then each listing's warnings
    assert svg.count("Source: synthetic test data") == 1 and "Warnings for TST1: stale" in svg
    assert [x["event_id"] for x in meta["listings"]] == ["e0001", "e0002"]


def test_estimation_figure(tmp_path, result):
    paths = plotting.estimation_figure(result, "e0001", out_dir=tmp_path, stem="est")
    meta = _check_files(paths, "est")
    svg = _svg(paths)
    assert "^MKT daily return (%)" in svg and "TST0 daily return (%)" in svg and "fitted line R =" in svg
    fit = result.ols("e0001")
    assert meta["alpha"] == pytest.approx(fit.params[0]) and meta["beta"] == pytest.approx(fit.params[1])


def test_export_formats_and_errors(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().plot([0, 1])
    paths = plotting.export(fig, tmp_path / "new", "f", formats=("svg",), metadata={"x": np.int64(3)})
    assert sorted(p.suffix for p in paths) == [".json", ".png", ".svg"]   # PNG + SVG always
    assert json.loads((tmp_path / "new" / "f.json").read_text())["x"] == 3
    with pytest.raises(InputError, match="tiff"):
        plotting.export(fig, tmp_path, "f", formats=("tiff",))
    with pytest.raises(InputError):
        plotting.export(fig, tmp_path, "a/b")


def test_svg_is_reproducible(tmp_path, result):
    a = plotting.study_figure(result, "e0001", out_dir=tmp_path / "a", stem="s")
    b = plotting.study_figure(result, "e0001", out_dir=tmp_path / "b", stem="s")
    assert _svg(a) == _svg(b)


def test_style_sheet_is_package_data():
    assert plotting.STYLE.is_file()
    import matplotlib as mpl

    with plotting.style():
        assert mpl.rcParams["savefig.dpi"] == 200
        assert mpl.rcParams["figure.figsize"][0] == pytest.approx(6.5)


def test_plotting_computes_no_statistics():
    """plotting imports no statistics/model code and calls no estimators (it draws what it gets)."""
    src = Path(plotting.__file__).read_text()
    tree = ast.parse(src)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0] if node.level == 0 else node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
    assert not imported & {"scipy", "statsmodels", "statistics", "models", "engine", "results"}
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute)}
    assert not called & {"std", "var", "mean", "fit", "sem", "ppf", "cdf", "sf", "quantile",
                         "lstsq", "polyfit", "corr", "cov"}


def test_percent_ticks_use_the_axes_minus_sign():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    plotting._pct_axis(ax)
    fmt = ax.yaxis.get_major_formatter()
    assert fmt(-40, 0) == "\u221240%" and fmt(12.5, 1) == "12.5%"     # like the day axis's "−10"
