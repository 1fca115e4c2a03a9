"""Figures of the measures (analysis.figures.measures): files and sidecars written, titles,
labelled axes and source lines, and no statistics computed in the plotting code."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.core.calendar_time import calendar_time_portfolio
from analysis.errors import InputError
from analysis.figures import measures as fm
from test_bhar import _panel as bhar_panel


def _panel():
    """The BHAR tests' synthetic panel (eight stocks and MKT), with lognormal volumes."""
    events, prices = bhar_panel(seed=2, n_days=500, n=8)
    prices = prices.drop(columns="ALT").ffill()
    rng = np.random.default_rng(2)
    volume = pd.DataFrame(np.round(np.exp(rng.normal(14, 0.4, prices.shape))), index=prices.index,
                          columns=prices.columns)
    return events.drop(columns="group"), prices, volume


@pytest.fixture(scope="module")
def results():
    events, prices, volume = _panel()
    kw = dict(prices=prices, estimation_window=(-150, -11), event_window=(-5, 5), source_name="synthetic")
    vol = analysis.run_event_study(events, volume=volume, measure="volume", **kw)
    vola = analysis.run_event_study(events, measure="volatility", **kw)
    bhar = vola.bhar((1, 120))
    ct = calendar_time_portfolio(events.assign(day0=vola.diagnostics["day0"]), prices, window=(1, 120),
                                 weights=pd.DataFrame(1.0, index=prices.index, columns=prices.columns),
                                 settings={"source_name": "synthetic"})
    return vol, vola, bhar, ct


def _check(paths, kind):
    names = {Path(p).suffix for p in paths}
    assert {".png", ".svg", ".json"} <= names
    meta = json.loads(Path([p for p in paths if str(p).endswith(".json")][0]).read_text())
    assert meta["kind"] == kind and meta["figure"]
    svg = Path([p for p in paths if str(p).endswith(".svg")][0]).read_text()
    assert "Source: synthetic" in svg
    return meta


def _axes_labelled(fig):
    for ax in fig.axes:
        if ax.get_visible() and ax.has_data():
            assert ax.get_ylabel()
    assert fig.get_suptitle()


def test_every_figure(tmp_path, results):
    vol, vola, bhar, ct = results
    _check(fm.volume_figure(vol, out_dir=tmp_path, stem="v"), "volume")
    _check(fm.volatility_figure(vola, out_dir=tmp_path, stem="s"), "volatility")
    meta = _check(fm.bhar_figure(bhar, out_dir=tmp_path, stem="b"), "bhar")
    assert meta["n_events"] == bhar.n_ok
    meta = _check(fm.calendar_time_figure(ct, out_dir=tmp_path, stem="c"), "calendar_time")
    assert meta["weighting"] == ["equal", "value"]
    for fig, info in (fm.draw_volume(vol, event_id="e1"), fm.draw_volatility(vola, event_id="e2")):
        _axes_labelled(fig)
        assert info["event_id"] in ("e1", "e2")


def test_unknown_event_or_weighting_is_a_user_error(tmp_path, results):
    vol, vola, bhar, ct = results
    with pytest.raises(InputError):
        fm.draw_volume(vol, event_id="nope")
    with pytest.raises(InputError):
        fm.draw_volatility(vola, event_id="nope")
    with pytest.raises(InputError):
        fm.draw_calendar_time(ct, weighting="cap")


def test_the_bands_drawn_are_the_results():
    """The volume figure draws exp(AAV) - 1 and the interval from ``aav()`` (no new numbers)."""
    events, prices, volume = _panel()
    vol = analysis.run_event_study(events, prices=prices, volume=volume, measure="volume",
                                   estimation_window=(-150, -11), event_window=(-5, 5))
    fig, _ = fm.draw_volume(vol)
    bars = [p.get_height() for p in fig.axes[0].patches if p.get_width() > 0]
    np.testing.assert_allclose(bars, 100 * np.expm1(vol.aav()["aav"]), rtol=1e-12)


def test_measure_figures_compute_no_statistics():
    """Like the plotting module: nothing estimated here (no statistics module imported, no
    estimator called), only the results' numbers drawn."""
    tree = ast.parse(Path(fm.__file__).read_text())
    nodes = list(ast.walk(tree))
    modules = {(n.module or "").split(".")[-1] for n in nodes if isinstance(n, ast.ImportFrom)}
    modules |= {a.name.split(".")[0] for n in nodes if isinstance(n, ast.Import) for a in n.names}
    estimators = {"std", "var", "mean", "fit", "sem", "ppf", "cdf", "sf", "quantile", "lstsq", "polyfit"}
    calls = {n.func.attr for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert not modules & {"scipy", "statsmodels", "statistics", "models", "engine", "results"}, modules
    assert not calls & (estimators | {"corr", "cov"}), calls & estimators
