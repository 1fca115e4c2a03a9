"""Notebooks: committed with their outputs (figures and tables show when a notebook is opened,
kept current by `make demo`), paired with their jupytext scripts, free of machine paths; each
one runs offline top to bottom (papermill) and gives what the committed outputs show; the
one-ticker command writes an HTML report to hand in; notebook 02's controls rerun the study."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from analysis.figures import notebook as nbrun
from analysis.figures.paths import machine_paths, scrub_paths

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("*.ipynb"))

# figures each notebook must write (stems; each as .png, .svg and .json), and show
EXPECTED = {
    "01-xiaomi-great-wall-ev": ["study_1810.HK", "study_2333.HK", "study_601633.SS", "listings",
                                "estimation_601633.SS"],
    "02-new-ticker": ["study", "estimation"],
    "03-event-sample": ["aar_caar_us", "aar_caar_us_high", "aar_caar_hk", "listings_hk"],
    "04-volume-and-drift": ["volume_2333.HK", "volume_listings", "bhar_index", "bhar_peers"],
}
# the hook's test for committed outputs (shared/hooks/before-stop)
HOOK_PATH = re.compile(r'"/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+')
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def test_the_notebooks_exist():
    assert [p.stem for p in PAIRS] == sorted(EXPECTED)
    for p in PAIRS:
        assert p.with_suffix(".py").is_file(), f"{p.name} has no paired jupytext script"


def _images(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_committed_with_outputs_and_no_machine_paths(path):
    """Opening a notebook shows its story: every code cell ran, its figures are there, no error,
    no warning, no path of the machine that ran it, nothing that changes on every run."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{path.name} needs exactly one cell tagged 'parameters' (papermill)"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: run `make demo` (cells not run in order)"
    assert sum(_images(c) for c in code) == len(EXPECTED[path.stem]), f"{path.name}: figures missing"
    for c in code:
        for o in c.get("outputs", []):
            assert o["output_type"] != "error", f"{path.name}: an error is saved"
            assert o.get("name") != "stderr", f"{path.name}: a warning is saved: {o.get('text', '')[:200]}"
            assert "application/vnd.jupyter.widget-view+json" not in o.get("data", {})   # no kernel to draw it
        assert "execution" not in c.get("metadata", {})                      # no timestamps
    text = path.read_text(encoding="utf-8")
    assert not HOOK_PATH.findall(text)
    assert machine_paths(text) == []
    assert path.stat().st_size < 900_000, f"{path.name} is {path.stat().st_size} bytes"


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
        assert meta["figure"] == stem and "CSV folder prices" in json.dumps(meta)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str, name: str) -> list[dict]:
    p = _Text()
    p.feed(html)
    return [attrs for tag, attrs in p.tags if tag == name]


def _report_images(html: str) -> list[dict]:
    return [a for a in _tags(html, "img") if (a.get("src") or "").startswith("data:image/png;base64,")]


def _code_shown(html: str) -> bool:
    box = [a for a in _tags(html, "input") if a.get("id") == "analysis-show-code"]
    assert len(box) == 1 and box[0].get("type") == "checkbox"
    return "checked" in box[0]


def _numbers(cell) -> list[str]:
    """The numbers a cell shows (text, stream and HTML tables), in order."""
    out = []
    for o in cell.get("outputs", []):
        texts = [o.get("text", "")]
        data = o.get("data", {})
        if "text/html" in data:
            p = _Text()
            p.feed(data["text/html"])
            texts.append(" ".join(p.parts))
        elif "text/plain" in data and not any(k.startswith("image/") for k in data) \
                and "application/vnd.jupyter.widget-view+json" not in data:
            texts.append(data["text/plain"])
        for t in texts:
            out += NUMBER.findall(t)
    return out


def _same_number(a: str, b: str) -> bool:
    """Equal as printed, or one unit of the last printed digit apart (a rounding flip)."""
    if a == b:
        return True
    x, y = float(a), float(b)
    decimals = len(a.split(".")[1].split("e")[0]) if "." in a else 0
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1.01 * 10 ** -decimals)


def compare_with_committed(committed, executed) -> None:
    """The committed outputs match a fresh run in what matters: the same figures in the same
    cells and the same numbers in every table and printed line."""
    fresh = {c.get("id"): c for c in executed.cells}
    for cell in committed.cells:
        if cell.cell_type != "code":
            continue
        run = fresh[cell.get("id")]
        assert _images(run) == _images(cell), f"cell {cell.source[:60]!r}: figures differ"
        a, b = _numbers(cell), _numbers(run)
        assert len(a) == len(b) and all(_same_number(x, y) for x, y in zip(a, b)), \
            f"cell {cell.source[:60]!r}: numbers differ from a fresh run (run `make demo`): {a[:12]} vs {b[:12]}"


@pytest.mark.slow
@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_notebook_runs_offline_and_matches_its_committed_outputs(path, tmp_path, shared_dir, prices_dir,
                                                                 monkeypatch):
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
    images = _report_images(html)
    assert len(images) == len(EXPECTED[path.stem])                           # figures in the report
    assert all(a["alt"].startswith("Figure: ") for a in images)
    assert not _code_shown(html)
    assert machine_paths(html) == []
    executed = nbformat.read(out["ipynb"], as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    _expect_figures(figures, EXPECTED[path.stem])
    compare_with_committed(nbformat.read(path, as_version=4), executed)
    # the budget is one minute on a quiet 2-core machine; allow for a loaded test run
    assert elapsed < 240, f"{path.name} took {elapsed:.0f} s"


def test_the_comparison_sees_a_changed_number():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", id="a")]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="CAR 0.1381, t 0.93\n")]
    other = nbformat.from_dict(json.loads(json.dumps(nb)))
    compare_with_committed(nb, other)
    other.cells[0].outputs[0]["text"] = "CAR 0.1391, t 0.93\n"
    with pytest.raises(AssertionError, match="numbers differ"):
        compare_with_committed(nb, other)
    other.cells[0].outputs[0]["text"] = "CAR 0.1382, t 0.93\n"              # a rounding flip is fine
    compare_with_committed(nb, other)


def _study_command(tmp_path, prices_dir, *extra):
    env = {**os.environ, "ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "analysis", "notebook", "--ticker", "2333.HK",
                           "--market", "^HSI", "--event-date", "2021-03-26", "--prices-dir", str(prices_dir),
                           "--out", str(tmp_path / "reports"), "--figures", str(tmp_path / "figures"), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_study_command_writes_a_report_to_hand_in(tmp_path, prices_dir):
    from test_report import assert_self_contained

    proc = _study_command(tmp_path, prices_dir, "--formats", "png,pdf", "--dpi", "120")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "over TCP" not in proc.stderr                       # the kernel talks over IPC
    stem = "2333.HK_2021-03-26"
    assert (tmp_path / "reports" / f"{stem}.ipynb").is_file()
    html = (tmp_path / "reports" / f"{stem}.html").read_text(encoding="utf-8")
    figures = tmp_path / "figures" / stem
    _expect_figures_pdf = [figures / f"{s}.{e}" for s in EXPECTED["02-new-ticker"] for e in ("png", "pdf", "json")]
    assert all(f.is_file() for f in _expect_figures_pdf) and not list(figures.glob("*.svg"))
    assert json.loads((figures / "study.json").read_text())["png_dpi"] == 120
    executed = nbformat.read(tmp_path / "reports" / f"{stem}.ipynb", as_version=4)
    assert any("2333.HK" in (c.source or "") for c in executed.cells if "injected-parameters"
               in c.get("metadata", {}).get("tags", []))
    # the report: self-contained, titled, parameters as a table, code hidden, no machine path
    assert_self_contained(html)
    assert "<script src" not in html and "cdnjs" not in html and "unpkg" not in html
    assert "<title>2333.HK against ^HSI: event study around 2021-03-26</title>" in html
    assert "<h1>2333.HK against ^HSI: event study around 2021-03-26</h1>" in html
    assert "celltag_parameters" not in html and "celltag_injected-parameters" not in html
    assert "celltag_report-hide" not in html and "StudyControls" not in html
    assert re.search(r"<th>ticker</th><td>2333.HK</td>", html)
    assert re.search(r"<th>prices_dir</th><td>prices</td>", html)             # the folder's name only
    assert re.search(r"<th>figures_dir</th><td>figures/2333.HK_2021-03-26</td>", html) is None  # tmp: name
    assert re.search(r"<th>figures_dir</th><td>2333.HK_2021-03-26</td>", html)
    assert not _code_shown(html)                                              # unticked: code hidden
    assert len(_report_images(html)) == 2
    assert machine_paths(html) == [] and str(tmp_path) not in html
    assert not re.search(r"\d\.\d{4}e-0[1-3]", html)                         # p = 0.3659, not 3.6591e-01
    # --show-code: the same report, opening with the code shown
    shown = nbrun.export_html(tmp_path / "reports" / f"{stem}.ipynb", tmp_path / "shown.html", show_code=True)
    assert _code_shown(shown.read_text(encoding="utf-8"))


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


def test_paths_handed_to_a_kernel_and_shown_in_a_report(tmp_path):
    kernel_cwd = ROOT / "notebooks"
    assert nbrun.kernel_path("figures/x", kernel_cwd) == os.path.relpath(Path("figures/x").resolve(), kernel_cwd)
    assert nbrun.kernel_path(tmp_path, kernel_cwd) == str(tmp_path)
    assert nbrun.kernel_path("", kernel_cwd) == ""
    assert scrub_paths(f"no prices for X: {tmp_path}/X.csv does not exist") == \
        "no prices for X: X.csv does not exist"
    assert scrub_paths(f"see {ROOT}/figures/a/study.png") == "see figures/a/study.png"
    for text in ("AAR/CAAR", "../figures/x", "https://example.org/a/b", "2021/03/26"):
        assert scrub_paths(text) == text and machine_paths(text) == []


def test_report_settings_from_the_parameters_cells():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A title"),
                nbformat.v4.new_code_cell('ticker = "1810.HK"  # the stock\nevent_date = "2021-03-26"\n'
                                          'prices_dir = ""  # empty: the environment\nwindow = [-10, 10]'),
                nbformat.v4.new_code_cell('ticker = "2333.HK"\nprices_dir = "/somewhere/else/prices"')]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nb.cells[2].metadata["tags"] = ["injected-parameters"]
    rows = nbrun.settings_rows(nb)
    assert rows == [("ticker", "2333.HK", "the stock"), ("event_date", "2021-03-26", ""),
                    ("prices_dir", "prices", "empty: the environment"), ("window", "[-10, 10]", "")]
    assert nbrun.report_title(nb) == "2333.HK: event study around 2021-03-26"
    shown, title, _ = nbrun.report_notebook(nb)
    assert [c.cell_type for c in shown.cells] == ["markdown"] and title.startswith("2333.HK")


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


_KERNEL_NOISE = """
import os
os.write(1, b"KERNEL-OUT fd 1\\n")
os.write(2, b"Traceback (most recent call last): KERNEL-ERR fd 2\\n")
{last}
"""


@pytest.mark.parametrize("dies", [False, True])
@pytest.mark.parametrize("route", ["run", "refresh"])
def test_the_kernel_process_streams_stay_out_of_the_command_output(tmp_path, dies, route):
    """What the kernel process itself writes on its file descriptors 1 and 2 (ipykernel's own
    traceback when its sockets close at shutdown made `notebook`'s one-line error fail in CI)
    goes to a log, not to our stdout/stderr, for a papermill run and an in-place refresh alike;
    when the kernel dies, the error quotes its last line."""
    nb = nbformat.v4.new_notebook()
    last = 'os.write(2, b"segfault-ish: the kernel goes\\n"); os._exit(3)' if dies else "x = 1"
    nb.cells = [nbformat.v4.new_code_cell(_KERNEL_NOISE.format(last=last))]
    path = tmp_path / "noise.ipynb"
    nbformat.write(nb, path)
    call = (f"run_notebook({str(path)!r}, {str(tmp_path / 'out.ipynb')!r}, html=False)" if route == "run"
            else f"refresh_outputs([{str(path)!r}])")
    script = ("import sys\nfrom analysis.errors import AnalysisError\n"
              "from analysis.figures.notebook import refresh_outputs, run_notebook\n"
              f"try:\n    {call}\nexcept AnalysisError as exc:\n    print('error:', exc)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert "KERNEL-" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr, proc
    if dies:
        assert "did not finish" in proc.stdout and "kernel said: segfault-ish: the kernel goes" in proc.stdout
    else:
        assert proc.returncode == 0 and proc.stdout == "", proc
        executed = nbformat.read(tmp_path / "out.ipynb" if route == "run" else path, as_version=4)
        assert executed.cells[0].execution_count == 1


# ------------------------------------------------------------------------------ notebook 02's controls

def test_controls_rerun_the_study_and_redraw(prices_dir):
    from analysis.data.prices import CsvFolderSource
    from analysis.figures.interactive import StudyControls

    c = StudyControls("1810.HK", "^HSI", "2021-03-26", source=CsvFolderSource(prices_dir))
    first = c.output.outputs
    assert c.study.result.event_ids == ["1810.HK_2021-03-26"]
    assert [sorted(o["data"]) for o in first] == [["image/png", "text/plain"], ["text/html", "text/plain"]]
    c.ticker.value, c.when.value = "2333.HK", "2021-03-25T17:00+08:00"         # after the close
    c.event.value, c.model.value = (-5, 5), "market_adjusted"
    c.run.click()
    r = c.study.result
    assert r.event_ids == ["2333.HK_2021-03-25"] and r.settings["model"] == "market_adjusted"
    assert str(r.diagnostics["day0"].iloc[0].date()) == "2021-03-26"       # next session
    assert len(r.abnormal_returns) == 11
    html = c.output.outputs[1]["data"]["text/html"]
    assert "2333.HK" in html and c.output.outputs[0]["data"]["image/png"] != first[0]["data"]["image/png"]
    assert len(c.output.outputs) == 2                                        # redrawn in place
    c.ticker.value = "NOPE.HK"
    c.run.click()
    assert c.study is None and "NOPE.HK" in c.error
    assert "Not studied" in c.output.outputs[0]["data"]["text/html"] and len(c.output.outputs) == 1
    assert "market_adjusted" in c.model.options and "ff3" not in c.model.options   # no factor files here
    bundle = c._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "run this cell" in bundle["text/plain"]
