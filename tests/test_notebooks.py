"""Notebooks: committed without outputs, paired with their jupytext scripts, and each one runs
offline top to bottom (papermill) and writes its figures; the one-ticker command works too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis.figures import notebook as nbrun

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("*.ipynb"))

# figures each notebook must write (stems; each as .png, .svg and .json)
EXPECTED = {
    "01-xiaomi-great-wall-ev": ["study_1810.HK", "study_2333.HK", "study_601633.SS", "listings",
                                "estimation_601633.SS"],
    "02-new-ticker": ["study", "estimation"],
    "03-event-sample": ["us_aar_caar", "us_aar_caar_high", "hk_aar_caar", "hk_side_by_side"],
    "04-volume-and-drift": ["volume_2333.HK", "volume_listings", "bhar_index", "bhar_peers"],
}


def test_the_three_notebooks_exist():
    assert [p.stem for p in PAIRS] == sorted(EXPECTED)
    for p in PAIRS:
        assert p.with_suffix(".py").is_file(), f"{p.name} has no paired jupytext script"


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert not nbrun.has_outputs(nb), f"{path.name} has outputs: clear them before committing"
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{path.name} needs exactly one cell tagged 'parameters' (papermill)"


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_paired_script_matches(path):
    """The .ipynb and its percent script hold the same cells (run `jupytext --sync` after edits)."""
    import jupytext

    ipynb = nbformat.read(path, as_version=4)
    script = jupytext.read(path.with_suffix(".py"))
    cells = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert cells(ipynb) == cells(script), f"{path.name} and {path.stem}.py differ: run jupytext --sync"
    formats = ipynb.metadata.get("jupytext", {}).get("formats", "")
    assert "py:percent" in formats, f"{path.name} is not paired (jupytext formats {formats!r})"


def _expect_figures(folder: Path, stems):
    for stem in stems:
        for ext in ("png", "svg", "json"):
            f = folder / f"{stem}.{ext}"
            assert f.is_file() and f.stat().st_size > 0, f"missing figure file {f}"
        meta = json.loads((folder / f"{stem}.json").read_text())
        assert meta["figure"] == stem and "CSV folder" in json.dumps(meta)


@pytest.mark.slow
@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_notebook_runs_offline(path, tmp_path, shared_dir, prices_dir, monkeypatch):
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")        # the kernel inherits this environment
    figures = tmp_path / "figures"
    params = {"shared_dir": str(shared_dir), "prices_dir": str(prices_dir), "figures_dir": str(figures)}
    if path.stem in ("02-new-ticker", "04-volume-and-drift"):
        params.pop("shared_dir")
    start = time.perf_counter()
    out = nbrun.run_notebook(path, tmp_path / path.name, params)
    elapsed = time.perf_counter() - start
    assert out["ipynb"].is_file() and out["html"].is_file()
    html = out["html"].read_text(encoding="utf-8")
    assert "data:image/png;base64" in html                 # figures shown in the export
    executed = nbformat.read(out["ipynb"], as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    _expect_figures(figures, EXPECTED[path.stem])
    # the budget is one minute on a quiet 2-core machine; allow for a loaded test run
    assert elapsed < 180, f"{path.name} took {elapsed:.0f} s"


@pytest.mark.slow
def test_study_command_writes_report_and_figures(tmp_path, prices_dir):
    env = {**os.environ, "ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "analysis", "notebook", "--ticker", "2333.HK",
                           "--market", "^HSI", "--event-date", "2021-03-26", "--prices-dir", str(prices_dir),
                           "--out", str(tmp_path / "reports"), "--figures", str(tmp_path / "figures")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    stem = "2333.HK_2021-03-26"
    assert (tmp_path / "reports" / f"{stem}.ipynb").is_file()
    assert (tmp_path / "reports" / f"{stem}.html").is_file()
    _expect_figures(tmp_path / "figures" / stem, EXPECTED["02-new-ticker"])
    executed = nbformat.read(tmp_path / "reports" / f"{stem}.ipynb", as_version=4)
    assert any("2333.HK" in (c.source or "") for c in executed.cells if "injected-parameters"
               in c.get("metadata", {}).get("tags", []))


def test_notebook_command_needs_a_date(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "analysis", "notebook", "--ticker", "2333.HK"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")


def test_study_stem_and_safe_names():
    assert nbrun.study_stem("1810.HK", "2021-03-26") == "1810.HK_2021-03-26"
    assert nbrun.study_stem("^HSI", None, "2021-03-26T12:30+08:00") == "HSI_2021-03-26"
    from analysis.errors import InputError

    with pytest.raises(InputError):
        nbrun.study_stem("1810.HK", None, None)


@pytest.mark.slow
def test_failing_notebook_is_a_one_line_user_error(tmp_path, prices_dir):
    env = {**os.environ, "ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "analysis", "notebook", "--ticker", "NOPE.HK",
                           "--event-date", "2021-03-26", "--prices-dir", str(prices_dir),
                           "--out", str(tmp_path / "r"), "--figures", str(tmp_path / "f"), "--no-html"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = [l for l in proc.stderr.splitlines() if l.startswith("error: ")]
    assert line and "NOPE.HK" in line[0] and "UnknownTickerError" in line[0]
    assert (tmp_path / "r" / "NOPE.HK_2021-03-26.failed.ipynb").is_file()     # failed run kept, named so
