"""Figures drawn by helper processes (analysis.figures.worker): the same bytes as drawn in the
command's process, errors raised where the command waits, a dead worker replaced by drawing here."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.core.pipeline import run_study
from analysis.errors import InputError
from analysis.figures import plotting
from analysis.figures.worker import FigureData, FigureWorkers

EVENTS = pd.DataFrame({"event_id": ["a", "b", "c"], "ticker": ["1810.HK", "0700.HK", "2333.HK"],
                       "market": ["^HSI"] * 3, "event_date": ["2021-03-26", "2021-03-26", "2021-06-01"],
                       "group": ["tech", "tech", "auto"]})


@pytest.fixture(autouse=True)
def workers_whatever_the_load(monkeypatch):
    monkeypatch.setenv("ANALYSIS_FIGURE_WORKERS", "2")


@pytest.fixture(scope="module")
def study(prices_dir):
    return run_study(EVENTS, prices_dir=prices_dir, progress=False)


def _same_files(here, there):
    """The same files, byte for byte (the JSON sidecars but for when they were written)."""
    assert sorted(p.name for p in here) == sorted(p.name for p in there)
    for a, b in zip(sorted(here), sorted(there)):
        if a.suffix == ".json":
            ja, jb = json.loads(a.read_text()), json.loads(b.read_text())
            ja.pop("written_at"), jb.pop("written_at")
            assert ja == jb, a.name
        else:
            assert a.read_bytes() == b.read_bytes(), a.name


def test_workers_write_the_files_drawn_here(study, tmp_path):
    result = study.result
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    prices = {"stock": study.prices["1810.HK"], "market": study.prices["^HSI"]}
    expected = [plotting.aar_figure(result, out_dir=here, stem="aar"),
                plotting.aar_figure(result, out_dir=here, stem="aar_tech", group="tech"),
                plotting.study_figure(result, "a", prices=prices, out_dir=here, stem="study"),
                plotting.estimation_figure(result, "a", out_dir=here, stem="estimation")]
    samples = FigureData(result, groups=[None, "tech"])
    one = FigureData(result, event_id="a", estimation=True)
    with FigureWorkers(2) as workers:
        assert len(workers._idle) == 2
        workers.submit("aar_figure", samples, out_dir=there, stem="aar")
        workers.submit("aar_figure", samples, out_dir=there, stem="aar_tech", group="tech")
        workers.submit("study_figure", one, "a", prices=prices, out_dir=there, stem="study")
        workers.submit("estimation_figure", one, "a", out_dir=there, stem="estimation")
        got = workers.wait()
    assert [[p.name for p in paths] for paths in got] == [[p.name for p in paths] for paths in expected]
    _same_files(list(here.iterdir()), list(there.iterdir()))


def test_an_error_in_a_worker_is_raised_by_wait(study, tmp_path):
    with FigureWorkers(1) as workers:
        workers.submit("aar_figure", FigureData(study.result, groups=[None]), out_dir=tmp_path, stem="x",
                       formats="bmp")
        with pytest.raises(InputError, match="bmp"):
            workers.wait()
    assert not list(tmp_path.iterdir())


def test_a_dead_worker_is_replaced_by_drawing_here(study, tmp_path, monkeypatch):
    workers = FigureWorkers(1)
    for proc in workers._idle:          # a worker that dies before it answers
        proc.kill()
    (tmp_path / ".aar.png.0123abcd.tmp").write_bytes(b"half a PNG")    # as if it died writing
    workers.submit("aar_figure", FigureData(study.result, groups=[None]), out_dir=tmp_path, stem="aar")
    (paths,) = workers.wait()
    workers.close()
    assert sorted(p.name for p in paths) == ["aar.json", "aar.png", "aar.svg"]
    assert all(p.exists() for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aar.json", "aar.png", "aar.svg"]


def test_no_worker_when_switched_off(study, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_FIGURE_WORKERS", "0")
    with FigureWorkers(2) as workers:
        assert workers._idle == []
        workers.submit("aar_figure", FigureData(study.result, groups=[None]), out_dir=tmp_path, stem="aar")
        (paths,) = workers.wait()
    assert (tmp_path / "aar.png").exists() and len(paths) == 3


def test_a_snapshot_draws_only_what_it_holds(study):
    data = FigureData(study.result, groups=[None])
    pd.testing.assert_frame_equal(data.aar(), study.result.aar())
    with pytest.raises(InputError, match="tech"):
        data.aar(group="tech")


def test_workers_only_on_spare_cores(monkeypatch):
    from analysis.figures import worker

    monkeypatch.delenv("ANALYSIS_FIGURE_WORKERS")
    monkeypatch.setattr(worker, "cores", lambda: 2)
    for load, want in ((0.2, 2), (1.0, 1), (1.6, 0), (3.0, 0)):
        monkeypatch.setattr(worker.os, "getloadavg", lambda: (load, load, load))
        assert worker.workers_wanted(2) == want
    monkeypatch.setattr(worker, "cores", lambda: 1)
    monkeypatch.setattr(worker.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert worker.workers_wanted(2) == 0
    monkeypatch.setenv("ANALYSIS_FIGURE_WORKERS", "1")
    assert worker.workers_wanted(2) == 1


def test_the_setting_is_a_whole_number(monkeypatch):
    from analysis import config
    from analysis.errors import ConfigError

    monkeypatch.setenv("ANALYSIS_FIGURE_WORKERS", "many")
    with pytest.raises(ConfigError, match="ANALYSIS_FIGURE_WORKERS"):
        config.figure_workers()
    monkeypatch.setenv("ANALYSIS_FIGURE_WORKERS", "-1")
    with pytest.raises(ConfigError, match=">= 0"):
        config.figure_workers()
    monkeypatch.delenv("ANALYSIS_FIGURE_WORKERS")
    assert config.figure_workers() is None and config.figure_workers(3) == 3


def test_png_compression_keeps_the_pixels(study, tmp_path, monkeypatch):
    """The PNG is written at zlib level 3 (faster than 6): lossless, the same pixels."""
    import numpy as np
    from PIL import Image

    drawn = []
    for level in (6, plotting.PNG_COMPRESSION):
        monkeypatch.setattr(plotting, "PNG_COMPRESSION", level)
        out = tmp_path / str(level)
        out.mkdir()
        plotting.aar_figure(study.result, out_dir=out, stem="aar", formats="png")
        with Image.open(out / "aar.png") as im:
            drawn.append(np.asarray(im).copy())
    assert np.array_equal(*drawn)
