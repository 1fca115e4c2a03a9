"""Settings that decide where files go: the parquet cache lives in the per-user cache folder
unless ANALYSIS_CACHE_DIR or --cache-dir says otherwise, never in the working folder."""

from __future__ import annotations

from pathlib import Path

from analysis import config


def test_cache_dir_default_is_the_user_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    path = config.cache_dir()
    assert path.is_absolute()
    assert path == tmp_path / "xdg" / "analysis"           # platformdirs on Linux honours XDG
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    assert config.cache_dir() == path                      # not relative to the working folder


def test_cache_dir_environment_and_argument_win(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "env"))
    assert config.cache_dir() == tmp_path / "env"
    assert config.cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", "")
    assert config.cache_dir() == config.default_cache_dir()


def test_opening_the_default_source_writes_nothing_in_the_working_folder(tmp_path, monkeypatch):
    """The issue: a notebook run without settings left notebooks/data/cache/.lock behind."""
    from analysis.data.sources import open_source
    from analysis.errors import AnalysisError

    for name in ("ANALYSIS_CACHE_DIR", "ANALYSIS_PRICES_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    source = open_source(offline=True)
    try:
        source.load("1810.HK")                             # offline, nothing cached: an error
    except AnalysisError:
        pass
    assert list(work.iterdir()) == []
    assert Path(source.folder) == tmp_path / "xdg" / "analysis"


def test_source_names_hold_no_machine_path(prices_dir, tmp_path):
    """Source names go into figure footers, reports and notebooks: kind and folder name only."""
    from analysis.data.cache import CachedYahooSource
    from analysis.data.prices import CsvFolderSource

    assert CsvFolderSource(prices_dir).name == "CSV folder prices"
    cached = CachedYahooSource(tmp_path / "my-cache", offline=True).name
    assert cached.startswith("Yahoo Finance (") and "folder my-cache" in cached
    assert str(tmp_path) not in cached and "/" not in cached
