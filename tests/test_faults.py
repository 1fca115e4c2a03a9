"""Fault injection (issue 13): never lose a user's file, never a traceback.

Outputs under a full disk (a small tmpfs when running as root, else a patched fsync), kill -9
during each kind of output (CSV, parquet, figure, JSON, HTML, the renames, the manifest), runs
writing into one folder at once, read-only and unwritable folders, crafted cache entries, and
the network path against a local server on loopback that never answers (or answers as a
proxy or as Yahoo would), each bounded in time by a subprocess timeout or the download
deadline. Every user error is one ``error:`` line and exit status 2.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import CacheError, DataError, NotebookError, OutputError
from analysis.files import STAGING, OutputSet, check_output, neutralise, safe_name

ROOT = Path(__file__).resolve().parents[1]
EVENTS = "event_id,ticker,market,event_date,group\nx1,1810.HK,^HSI,2021-03-26,tech\nx2,2333.HK,^HSI,2021-03-26,auto\n"


# ------------------------------------------------------------------------------ helpers

def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its SHA-256 (hidden ones included)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def visible(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))


def one_error_line(err: str, *needles: str) -> str:
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip() and not re.match(r"^\w+: +\d+%\|", ln)]  # progress
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def run_cli(args, monkeypatch, capsys, *, cwd: Path | None = None) -> tuple[int, str, str]:
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    if cwd is not None:
        monkeypatch.chdir(cwd)
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def subprocess_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update({"ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


@pytest.fixture
def events(tmp_path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


@contextlib.contextmanager
def tmpfs(path: Path, size: str, *, read_only: bool = False):
    """A small tmpfs at ``path`` (root only): a full disk or a read-only file system for real."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True)
    if proc.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# ------------------------------------------------------------------------------ files: the pieces

def test_neutralise_cells():
    for text in ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=A1"]:
        assert neutralise(text) == "'" + text
    for value in ["-0.5", "+3e-2", "12", "abc", "", -0.5, 3, None, True]:
        assert neutralise(value) == value


def test_safe_name_keeps_long_names_short_and_distinct():
    a, b = safe_name("g" * 300 + "a"), safe_name("g" * 300 + "b")
    assert len(a) <= 80 and len(b) <= 80 and a != b


def test_atomic_temp_files_follow_the_umask(tmp_path):
    from analysis.files import atomic_write_text

    old = os.umask(0o002)
    try:
        path = atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_output_set_refuses_foreign_files_and_replaces_its_own(tmp_path):
    out = tmp_path / "out"
    with OutputSet(out, command="t") as files:
        files.write_text("a.csv", "1")
        files.write_text("figures/b.png", "2")
    assert check_output(out) == [] and visible(out) == ["a.csv", "figures/b.png"]
    with OutputSet(out, command="t") as files:          # a rerun replaces what it wrote
        files.write_text("a.csv", "3")
    assert (out / "a.csv").read_text() == "3" and check_output(out) == []
    (out / "mine.txt").write_text("keep")
    with pytest.raises(OutputError, match="mine.txt"):
        OutputSet(out)
    with OutputSet(out, overwrite=True) as files:
        files.write_text("a.csv", "4")
    assert (out / "mine.txt").read_text() == "keep"
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING)]


def test_output_set_that_fails_leaves_nothing(tmp_path):
    out = tmp_path / "new" / "deeper"
    with pytest.raises(ValueError):
        with OutputSet(out) as files:
            files.write_text("a.csv", "1")
            raise ValueError("stop")
    assert not (tmp_path / "new").exists()


# ------------------------------------------------------------------------------ --out folders

def test_study_refuses_a_folder_with_the_users_files(tmp_path, prices_dir, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "car.csv").write_text("my own numbers\n")
    (out / "abnormal_returns.csv").write_text("mine too\n")
    before = tree(out)
    args = ["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
            "--prices-dir", prices_dir, "--out", out, "--no-figure"]
    rc, _, err = run_cli(args, monkeypatch, capsys)
    assert rc == 2 and tree(out) == before
    one_error_line(err, str(out), "which analysis did not write", "--overwrite")
    rc, _, err = run_cli(args + ["--overwrite"], monkeypatch, capsys)
    assert rc == 0, err
    assert check_output(out) == []
    rc, _, err = run_cli(args, monkeypatch, capsys)        # its own files: a rerun is fine
    assert rc == 0, err


@pytest.mark.parametrize("case", ["file", "under-a-file", "read-only"])
def test_out_that_cannot_be_a_folder_is_one_line(case, tmp_path, prices_dir, events, monkeypatch, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    out = {"file": blocker, "under-a-file": blocker / "sub", "read-only": tmp_path / "ro"}[case]
    with contextlib.ExitStack() as stack:
        if case == "read-only":
            if IS_ROOT:
                if not stack.enter_context(tmpfs(out, "64k", read_only=True)):
                    pytest.skip("cannot mount a tmpfs here")
            else:
                out.mkdir()
                out.chmod(0o555)
                stack.callback(out.chmod, 0o755)
        for command in (["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
                         "--no-figure"],
                        ["batch", events, "--no-figure"],
                        ["report", "--events", events]):
            rc, _, err = run_cli([*command, "--prices-dir", prices_dir, "--out", out], monkeypatch, capsys)
            assert rc == 2, (command, err)
            one_error_line(err, str(out))
        rc, _, err = run_cli(["notebook", "--run", ROOT / "notebooks" / "02-new-ticker.ipynb", "--out", out],
                             monkeypatch, capsys)
        assert rc == 2
        one_error_line(err, str(out))


def test_report_refuses_a_bad_test_window_before_any_work(tmp_path, prices_dir, events, monkeypatch, capsys):
    rc, _, err = run_cli(["report", "--events", events, "--prices-dir", prices_dir, "--out", tmp_path / "r",
                          "--test-window", "5", "-5"], monkeypatch, capsys)
    assert rc == 2 and not (tmp_path / "r").exists()
    one_error_line(err, "test window [5, -5]")


# ------------------------------------------------------------------------------ full disk

def test_full_disk_is_one_line_and_keeps_the_earlier_set(tmp_path, prices_dir, monkeypatch, capsys):
    disk = tmp_path / "disk"
    args = ["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
            "--prices-dir", prices_dir, "--out", disk / "out"]
    with tmpfs(disk, "160k") as mounted:
        if not mounted:       # not root: the disk fills up at the first fsync
            disk.mkdir(exist_ok=True)
        rc, _, err = run_cli([*args, "--no-figure"], monkeypatch, capsys)
        assert rc == 0, err
        earlier = tree(disk / "out")
        if mounted:
            filler = disk / "filler"
            with contextlib.suppress(OSError), open(filler, "wb") as fh:
                fh.write(b"\0" * 150_000)
        else:
            import analysis.files as files

            def full(path):
                raise OSError(errno.ENOSPC, "No space left on device")
            monkeypatch.setattr(files, "_fsync_file", full)
        rc, _, err = run_cli(args, monkeypatch, capsys)     # with the figure: more than is left
        assert rc == 2
        one_error_line(err, "disk full")
        assert tree(disk / "out") == earlier and check_output(disk / "out") == []


def test_full_disk_while_caching_is_one_line(tmp_path, monkeypatch):
    from analysis.data.cache import CachedYahooSource
    from analysis.data.yahoo import DownloadResult

    dates = pd.bdate_range("2000-01-03", "2021-06-29")       # ~200 KB of parquet: more than the disk
    values = 5.0 + np.random.default_rng(0).random((len(dates), 6))
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(dates, name="Date"),
                         columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"])
    dl = lambda syms, lo, hi: DownloadResult(frames={s: frame.loc[lo:hi] for s in syms})  # noqa: E731
    with tmpfs(tmp_path / "disk", "8k") as mounted:
        if not mounted:
            import analysis.files as files
            monkeypatch.setattr(files, "_fsync_file", lambda p: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
        src = CachedYahooSource(tmp_path / "disk" / "cache", downloader=dl, today=pd.Timestamp("2021-06-30"))
        with pytest.raises(CacheError, match="disk full") as info:
            src.load("1810.HK", "2000-01-03", "2021-06-29")
        assert "\n" not in str(info.value)
        assert not list((tmp_path / "disk" / "cache").glob("*.parquet*"))


# ------------------------------------------------------------------------------ kill -9 during output

KILLER = textwrap.dedent("""
    # Imports the package once, then forks one child per kind of output; each child plants a
    # kill -9 in that kind of write and runs the command. Prints {kind: signal or exit code}.
    import json, os, signal, sys
    import analysis.cli, analysis.core.pipeline, analysis.figures.report, analysis.commands._output
    import matplotlib.figure, pyarrow.csv, pyarrow.parquet, pandas

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def half_then_die(path):
        size = os.path.getsize(path)
        with open(path, "r+b") as fh:
            fh.truncate(max(1, size // 2))
        die()

    def plant(kind):
        import analysis.files as files
        if kind == "csv":                     # pandas tables (aar.csv)
            orig = pandas.DataFrame.to_csv
            def to_csv(self, path=None, *a, **k):
                orig(self, path, *a, **k)
                half_then_die(path)
            pandas.DataFrame.to_csv = to_csv
        elif kind == "parquet":
            orig = pyarrow.parquet.write_table
            def write_table(table, where, *a, **k):
                orig(table, where, *a, **k)
                half_then_die(where)
            pyarrow.parquet.write_table = write_table
        elif kind == "figure":
            # drawn in this process (no figure helper, analysis.figures.worker), which is killed
            os.environ["ANALYSIS_FIGURE_WORKERS"] = "0"
            orig = matplotlib.figure.Figure.savefig
            def savefig(self, path, *a, **k):
                orig(self, path, *a, **k)
                half_then_die(path)
            matplotlib.figure.Figure.savefig = savefig
        elif kind == "json":
            orig = files.atomic_write_bytes
            def atomic_write_bytes(path, data):
                if str(path).endswith("diagnostics.json"):
                    with open(path, "wb") as fh:
                        fh.write(data[: len(data) // 2])
                    die()
                return orig(path, data)
            files.atomic_write_bytes = atomic_write_bytes
        elif kind == "html":
            orig = files.OutputSet.write_bytes
            def write_bytes(self, name, data):
                if name.endswith(".html"):
                    self.path(name).write_bytes(data[: len(data) // 2])
                    die()
                return orig(self, name, data)
            files.OutputSet.write_bytes = write_bytes
        elif kind == "rename":                # inside the commit, after the first rename into place
            real, seen = os.replace, []
            def replace(src, dst):
                real(src, dst)
                if "{staging}" in str(src) and "{staging}" not in str(dst):
                    seen.append(dst)
                    if len(seen) == 2:
                        die()
            os.replace = replace
        elif kind == "manifest":              # the last step: the manifest that says complete
            orig = files.OutputSet._write_manifest
            def write_manifest(self, files_, earlier, *, complete):
                if complete:
                    die()
                return orig(self, files_, earlier, complete=complete)
            files.OutputSet._write_manifest = write_manifest

    children = {}
    for kind, args in json.loads(sys.argv[1]).items():
        pid = os.fork()
        if pid == 0:
            plant(kind)
            os._exit(analysis.cli.main(args))
        children[pid] = kind
    result = {}
    for pid, kind in children.items():
        _, status = os.waitpid(pid, 0)
        result[kind] = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    print(json.dumps(result))
""").replace("{staging}", STAGING)


def _command(kind: str, events: Path, prices_dir: Path, out: Path) -> list[str]:
    if kind == "json":
        return ["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
                "--prices-dir", str(prices_dir), "--out", str(out), "--no-figure"]
    if kind == "html":
        return ["report", "--events", str(events), "--prices-dir", str(prices_dir), "--out", str(out)]
    fmt = ["--format", "parquet"] if kind == "parquet" else []
    figure = [] if kind == "figure" else ["--no-figure"]
    return ["batch", str(events), "--prices-dir", str(prices_dir), "--out", str(out), *fmt, *figure]


KINDS = ["csv", "parquet", "figure", "json", "html", "rename", "manifest"]


def test_kill_9_during_each_kind_of_output(tmp_path, prices_dir, monkeypatch, capsys):
    """Killed while writing a file, the earlier output set is intact, byte for byte; killed
    inside the commit, the manifest says the set is incomplete (never a silent mix)."""
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    events = tmp_path / "one.csv"                  # one event: one figure in each report
    events.write_text("event_id,ticker,market,event_date\nx1,1810.HK,^HSI,2021-03-26\n")
    earlier = {}
    for kind in KINDS:                   # the earlier, complete sets (in this process)
        out = tmp_path / kind
        rc, _, err = run_cli(_command(kind, events, prices_dir, out), monkeypatch, capsys)
        assert rc == 0, err
        earlier[kind] = {k: v for k, v in tree(out).items() if not k.startswith(".")}
        (out / "mine.txt").write_text("a file of the user's, beside the set\n")
    runs = {kind: _command(kind, events, prices_dir, tmp_path / kind) + ["--overwrite"] for kind in KINDS}
    proc = subprocess.run([sys.executable, str(script), json.dumps(runs)], cwd=tmp_path, env=subprocess_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {kind: -9 for kind in KINDS}, proc.stderr[-3000:]
    for kind in KINDS:
        out = tmp_path / kind
        assert (out / "mine.txt").read_text() == "a file of the user's, beside the set\n"
        if kind in ("rename", "manifest"):
            assert "the manifest says the set is incomplete" in check_output(out), kind
        else:
            now = {k: v for k, v in tree(out).items() if not k.startswith(".") and k != "mine.txt"}
            assert now == earlier[kind] and check_output(out) == [], kind
            assert [p for p in out.iterdir() if p.name.startswith(STAGING)], kind   # the killed run's
    # the next run removes the killed run's staging folder and completes the set
    out = tmp_path / "rename"
    rc, _, err = run_cli(_command("rename", events, prices_dir, out) + ["--overwrite"], monkeypatch, capsys)
    assert rc == 0, err
    assert check_output(out) == [] and not [p for p in out.iterdir() if p.name.startswith(STAGING)]


def test_ctrl_c_leaves_the_earlier_set(tmp_path, prices_dir, events, monkeypatch, capsys):
    """Ctrl-C while the tables are written: the earlier set stays, nothing half-written appears."""
    out = tmp_path / "out"
    args = _command("csv", events, prices_dir, out)
    assert run_cli(args, monkeypatch, capsys)[0] == 0
    earlier = tree(out)
    import analysis.commands._output as output

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(output, "write_table", interrupted)
    rc, _, err = run_cli(args, monkeypatch, capsys)
    assert rc == 130 and {k: v for k, v in tree(out).items() if not k.startswith(".")} == \
        {k: v for k, v in earlier.items() if not k.startswith(".")}


# ------------------------------------------------------------------------------ concurrent runs

WRITER = textwrap.dedent("""
    import sys
    from analysis.commands._output import write_json
    from analysis.files import OutputSet
    out, me = sys.argv[1], sys.argv[2]
    for i in range(20):
        with OutputSet(out, command="stress") as files:
            files.write_text("a.csv", f"{me},{i}\\n" * 500)
            files.write_text("figures/b.svg", f"<svg>{me} {i}</svg>")
            write_json(files.path("diagnostics.json"), {"writer": me, "run": i})
""")


def test_concurrent_runs_into_one_folder(tmp_path, prices_dir):
    """Four writers committing 20 output sets each into one folder, and two real ``study`` runs:
    none dies, and the folder ends as one complete set."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    out = tmp_path / "stress"
    procs = [subprocess.Popen([sys.executable, str(script), str(out), str(k)], cwd=tmp_path, env=subprocess_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for k in range(4)]
    study = [sys.executable, "-m", "analysis", "study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date",
             "2021-03-26", "--prices-dir", str(prices_dir), "--out", str(tmp_path / "study"), "--no-figure"]
    procs += [subprocess.Popen(study, cwd=tmp_path, env=subprocess_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errs = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), errs
    for folder, files in ((out, ["a.csv", "diagnostics.json", "figures/b.svg"]),
                          (tmp_path / "study", ["abnormal_returns.csv", "car.csv", "diagnostics.json"])):
        assert check_output(folder) == [] and visible(folder) == files
        assert not [p for p in folder.rglob("*") if p.name.startswith(STAGING) or p.name.endswith(".tmp")]
    last = json.loads((out / "diagnostics.json").read_text())           # one writer's whole set
    assert (out / "a.csv").read_text() == f"{last['writer']},{last['run']}\n" * 500


# ------------------------------------------------------------------------------ spreadsheet injection

def test_formula_cells_are_neutralised_in_every_csv(tmp_path, prices_dir, monkeypatch, capsys):
    evil = "=cmd|' /C calc'!A0"
    path = tmp_path / "events.csv"
    path.write_text("event_id,ticker,market,event_date,group,note\n"
                    f"\"{evil}\",1810.HK,^HSI,2021-03-26,\"{evil}\",+1+1\n"
                    "x2,2333.HK,^HSI,2021-03-26,@SUM(A1),-5\n"
                    "x3,=A1,^HSI,2021-03-26,g,n\n", encoding="utf-8")
    rc, _, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "b", "--no-figure"],
                         monkeypatch, capsys)
    assert rc == 0, err
    rc, _, _ = run_cli(["timing", path, "--out", tmp_path / "timed.csv"], monkeypatch, capsys)
    assert rc == 2                                   # x3's ticker is refused: reported, exit 2
    rc, _, err = run_cli(["check", path, "--out", tmp_path / "flags.csv"], monkeypatch, capsys)
    assert rc == 0, err
    for csv in [*(tmp_path / "b").glob("*.csv"), tmp_path / "timed.csv", tmp_path / "flags.csv"]:
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for col in table.columns:
            for value in table[col]:
                assert not (value[:1] in ("=", "+", "@") or (value.startswith("-") and not _number(value))), \
                    (csv.name, col, value)
    car = pd.read_csv(tmp_path / "b" / "car.csv")
    assert car["car"].dtype == float and (car["car_lo"] < 0).any()   # negative numbers stay numbers
    diag = pd.read_csv(tmp_path / "b" / "diagnostics.csv").set_index("event_id")
    assert "'" + evil in diag.index and diag.loc["x3", "status"] == "skipped"
    assert "'=A1'" in diag.loc["x3", "reason"]


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_extract_evidence_is_neutralised(tmp_path, monkeypatch, capsys):
    news = tmp_path / "news.txt"
    news.write_text("=HYPERLINK(\"http://x\") Xiaomi to build electric cars, March 30, 2021\n", encoding="utf-8")
    rc, _, err = run_cli(["extract", news, "--published", "2021-03-30", "--out", tmp_path / "ev.csv"],
                         monkeypatch, capsys)
    assert rc == 0, err
    table = pd.read_csv(tmp_path / "ev.csv", dtype=str, keep_default_na=False)
    cells = [v for col in table.columns for v in table[col]]
    assert cells and not [v for v in cells if v[:1] in ("=", "+", "@")]
    (tmp_path / "mine.csv").write_text("hand-made\n")
    rc, _, err = run_cli(["extract", news, "--out", tmp_path / "mine.csv"], monkeypatch, capsys)
    assert rc == 2 and (tmp_path / "mine.csv").read_text() == "hand-made\n"
    one_error_line(err, "mine.csv", "--overwrite")


# ------------------------------------------------------------------------------ rows and files of events

def test_bad_rows_are_skipped_with_their_reason(tmp_path, prices_dir, monkeypatch, capsys):
    path = tmp_path / "events.csv"
    path.write_text("ticker,market,event_date,group\n"
                    "1810.HK,^HSI,2021-03-26,tech\n"
                    "2333 HK,^HSI,2021-03-26,auto\n"
                    "1810.HKé,^HSI,2021-03-26,auto\n"
                    f"{'A' * 33},^HSI,2021-03-26,auto\n"
                    "=A1,^HSI,2021-03-26,auto\n"
                    "2333.HK,^HSI,2021-02-30,auto\n"
                    "2333.HK,^HSI,2021-03-26,\n", encoding="utf-8")
    group = "g" * 300           # a group name too long for a file name
    text = path.read_text().replace(",tech\n", f",{group}\n")
    path.write_text(text, encoding="utf-8")
    rc, out, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "b"], monkeypatch, capsys)
    assert rc == 0, err
    assert "7 given, 2 studied, 5 skipped" in out
    for needle in ["'2333 HK'", "'1810.HKé'", "'AAAA", "'=A1'", "'2021-02-30'"]:
        assert needle in out
    diag = pd.read_csv(tmp_path / "b" / "diagnostics.csv")
    assert diag["status"].tolist() == ["ok", "skipped", "skipped", "skipped", "skipped", "skipped", "ok"]
    assert check_output(tmp_path / "b") == []


@pytest.mark.parametrize("content, needle", [
    (None, "is not a regular file"),                                  # /dev/zero
    (b"ticker,event_date\n1810.HK\x00,2021-03-26\n", "NUL bytes"),
    (b"PK\x03\x04\x00\x00\x08\x00", "NUL bytes"),                       # a zip (an .xlsx)
    ("ticker,when\n1810.HK,2021-03-26\n", "needs an 'event_date'"),
])
def test_file_level_problems_refuse_the_file(tmp_path, content, needle, monkeypatch, capsys):
    path = Path("/dev/zero") if content is None else tmp_path / "e.csv"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    rc, _, err = run_cli(["batch", path, "--out", tmp_path / "o"], monkeypatch, capsys)
    assert rc == 2 and not (tmp_path / "o").exists()
    one_error_line(err, needle)


def test_blank_role_column_says_so(tmp_path, prices_dir, monkeypatch, capsys):
    path = tmp_path / "e.csv"
    path.write_text("ticker,event_date,role\n1810.HK,2021-03-26,\n2333.HK,2021-03-26,\n", encoding="utf-8")
    rc, _, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "o"], monkeypatch, capsys)
    assert rc == 2
    line = one_error_line(err, "listed subject", "role")
    assert "no prices" not in line


def test_unknown_suffix_says_what_a_study_can_do(tmp_path, monkeypatch, capsys):
    (tmp_path / "p").mkdir()
    rc, _, err = run_cli(["study", "--ticker", "FOO.XX", "--market", "^HSI", "--event-date", "2021-03-26",
                          "--prices-dir", tmp_path / "p"], monkeypatch, capsys)
    assert rc == 2
    line = one_error_line(err, "'.XX'", "known suffixes")
    assert "pass a calendar name" not in line and "use the symbol of a listing" in line


def test_folder_or_link_loop_named_like_a_price_file(tmp_path, monkeypatch, capsys):
    prices = tmp_path / "p"
    (prices / "A.csv").mkdir(parents=True)
    (prices / "B.csv").symlink_to(prices / "C.csv")
    (prices / "C.csv").symlink_to(prices / "B.csv")
    rc, _, err = run_cli(["study", "--ticker", "A", "--market", "B", "--event-date", "2021-03-26",
                          "--prices-dir", prices], monkeypatch, capsys)
    assert rc == 2
    one_error_line(err, "A.csv is a folder", "B.csv is a symbolic link loop")


@pytest.mark.parametrize("bad", ["1e300", "5e-324"])
def test_extreme_prices_are_one_line_data_errors(tmp_path, bad):
    from analysis.data.prices import read_price_csv

    rows = "".join(f"2021-03-{d:02d},10,10,10,{bad if d == 24 else '10'},10,100\n" for d in range(22, 27))
    path = tmp_path / "X.csv"
    path.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n" + rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # no RuntimeWarning on the way
        with pytest.raises(DataError) as info:
            read_price_csv(path)
    msg = str(info.value)
    assert "\n" not in msg and "X.csv" in msg and "2021-03-24" in msg and "implausible Close" in msg


# ------------------------------------------------------------------------------ notebooks

def _tiny_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("fail = False")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("if fail:\n    raise ValueError('boom')\nprint('fine')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_failed_notebook_rerun_keeps_the_previous_report(tmp_path):
    from analysis.figures.notebook import run_notebook

    src = _tiny_notebook(tmp_path / "tiny.ipynb")
    out = tmp_path / "reports" / "tiny.ipynb"
    paths = run_notebook(src, out, {"fail": False})
    before = {k: p.read_bytes() for k, p in paths.items()}
    with pytest.raises(NotebookError) as info:
        run_notebook(src, out, {"fail": True})
    msg = str(info.value)
    assert "\n" not in msg and "stopped in cell" in msg and "ValueError: boom" in msg
    assert "tiny.failed.ipynb" in msg and "tiny.ipynb is unchanged" in msg
    assert {k: p.read_bytes() for k, p in paths.items()} == before          # report and HTML untouched
    failed = json.loads((tmp_path / "reports" / "tiny.failed.ipynb").read_text())
    assert any(o.get("ename") == "ValueError" for c in failed["cells"] for o in c.get("outputs", []))


def test_notebook_run_on_a_file_that_is_not_a_notebook(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "x.ipynb"
    bad.write_text("print('not json')\n")
    rc, _, err = run_cli(["notebook", "--run", bad, "--out", tmp_path / "r"], monkeypatch, capsys)
    assert rc == 2 and not (tmp_path / "r").exists()
    one_error_line(err, "x.ipynb", "not a Jupyter notebook")


# ------------------------------------------------------------------------------ the cache

@pytest.fixture
def filled_cache(tmp_path, prices_dir):
    """A cache filled the way ``fetch --start/--end`` fills it (the bars of the real snapshot)."""
    from analysis.data.cache import CachedYahooSource
    from analysis.data.prices import read_price_csv
    from analysis.data.yahoo import DownloadResult

    frames = {s: read_price_csv(prices_dir / f"{s}.csv", s) for s in ("1810.HK", "^HSI")}
    dl = lambda syms, lo, hi: DownloadResult(frames={s: frames[s].loc[lo:hi] for s in syms})  # noqa: E731
    src = CachedYahooSource(tmp_path / "cache", downloader=dl, today=pd.Timestamp("2021-07-01"))
    src.fetch(["1810.HK", "^HSI"], "2020-01-01", "2021-06-30")
    return tmp_path / "cache"


def test_cache_files_follow_the_umask(tmp_path):
    from analysis.data.cache import CachedYahooSource
    from analysis.data.yahoo import DownloadResult

    dates = pd.bdate_range("2021-01-04", "2021-03-31")
    frame = pd.DataFrame(np.full((len(dates), 6), 5.0), index=pd.DatetimeIndex(dates, name="Date"),
                         columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"])
    src = CachedYahooSource(tmp_path / "c", today=pd.Timestamp("2021-06-30"),
                            downloader=lambda syms, lo, hi: DownloadResult(frames={s: frame for s in syms}))
    old = os.umask(0o002)              # a team's shared cache: group-writable
    try:
        src.fetch(["1810.HK"], "2021-01-04", "2021-03-31")
    finally:
        os.umask(old)
    assert stat.S_IMODE(src.path_for("1810.HK").stat().st_mode) == 0o664


def test_cache_filled_by_fetch_serves_a_later_offline_study(filled_cache, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ANALYSIS_PRICES_DIR", raising=False)
    rc, out, err = run_cli(["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
                            "--cache-dir", filled_cache, "--offline", "--out", tmp_path / "o", "--no-figure"],
                           monkeypatch, capsys)
    assert rc == 0, err and "day 0: 2021-03-26" in out


def test_read_only_cache_serves_what_it_holds(filled_cache, tmp_path, monkeypatch, capsys):
    from analysis.data.cache import CachedYahooSource

    if not IS_ROOT:        # cannot mount: the folder is said to be unwritable
        monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != filled_cache)
        ro, stack = filled_cache, contextlib.nullcontext(True)
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        if subprocess.run(["mount", "--bind", str(filled_cache), str(ro)]).returncode != 0:
            pytest.skip("cannot bind-mount here")
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True)
        stack = contextlib.ExitStack()
        stack.callback(subprocess.run, ["umount", "-l", str(ro)])
    with stack:
        def network(*a, **k):
            raise AssertionError("the network was used")
        src = CachedYahooSource(ro, downloader=network, today=pd.Timestamp("2021-07-01"))
        frame = src.load("1810.HK")                                   # online, read-only, no lock
        assert frame.index[-1] == pd.Timestamp("2021-06-30")
        assert src.load("^HSI", "2021-01-04", "2021-03-31").index[0] == pd.Timestamp("2021-01-04")
        with pytest.raises(CacheError, match="cannot store downloads"):
            src.load("2333.HK", "2021-01-04", "2021-03-31")
        monkeypatch.delenv("ANALYSIS_PRICES_DIR", raising=False)
        monkeypatch.setenv("ANALYSIS_OFFLINE", "0")
        rc, err = main(["cache", "clear", "--cache-dir", str(ro)]), capsys.readouterr().err
        assert rc == 2
        one_error_line(err, "cannot delete")


def test_cache_dir_that_is_a_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "f").write_text("x")
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "f"))
    monkeypatch.delenv("ANALYSIS_PRICES_DIR", raising=False)
    for args in (["cache", "list"], ["study", "--ticker", "1810.HK", "--event-date", "2021-03-26"]):
        rc, _, err = run_cli(args, monkeypatch, capsys, cwd=tmp_path)
        assert rc == 2
        one_error_line(err, "is a file", "ANALYSIS_CACHE_DIR")


def _crafted(cache: Path, name: str, **changes) -> Path:
    """A copy of the 1810.HK entry whose metadata has ``changes`` (valid-looking JSON)."""
    import pyarrow.parquet as pq

    from analysis.data.cache import META_KEY
    table = pq.read_table(cache / "1810.HK.parquet")
    meta = json.loads(table.schema.metadata[META_KEY])
    meta.update(changes)
    table = table.replace_schema_metadata({**table.schema.metadata, META_KEY: json.dumps(meta).encode()})
    path = cache / name
    pq.write_table(table, path)
    return path


def test_crafted_cache_entries_are_reported_never_raised(filled_cache, monkeypatch, capsys):
    from analysis.data.cache import CachedYahooSource

    _crafted(filled_cache, "2333.HK.parquet", symbol="2333.HK", rows="369")
    _crafted(filled_cache, "0700.HK.parquet", symbol="0700.HK", covered_end=5)
    _crafted(filled_cache, "0005.HK.parquet", symbol=["0005.HK"])
    _crafted(filled_cache, "0001.HK.parquet", symbol="0001.HK", first_date="2020-13-45")
    pd.DataFrame({"x": [1.0]}).to_parquet(filled_cache / "mine.parquet")      # not the cache's
    pd.DataFrame({"x": [1.0]}).to_parquet(filled_cache / "0002.HK.parquet")   # not the cache's either
    src = CachedYahooSource(filled_cache, offline=True)
    table = src.entries().set_index("file")
    assert table.loc["1810.HK.parquet", "status"] == "ok"
    for name, key in [("2333.HK.parquet", "rows"), ("0700.HK.parquet", "covered_end"),
                      ("0005.HK.parquet", "symbol"), ("0001.HK.parquet", "first_date")]:
        assert table.loc[name, "status"] == "bad" and repr(key) in table.loc[name, "detail"]
    assert "mine.parquet" not in table.index and "0002.HK.parquet" not in table.index
    with pytest.raises(CacheError, match="'rows'"):
        src.load("2333.HK")
    rc, out, err = run_cli(["cache", "list", "--cache-dir", filled_cache], monkeypatch, capsys)
    assert rc == 0 and "Traceback" not in err and "BAD" in out and "left alone" in out
    rc, out, err = run_cli(["cache", "clear", "--cache-dir", filled_cache], monkeypatch, capsys)
    assert rc == 0, err
    assert sorted(p.name for p in filled_cache.glob("*.parquet")) == ["0002.HK.parquet", "mine.parquet"]
    online = CachedYahooSource(filled_cache, downloader=lambda *a: pytest.fail("downloaded"))
    with pytest.raises(CacheError, match="did not write this file"):
        online.load("0002.HK")


# ------------------------------------------------------------------------------ the network

class LocalServer:
    """A TCP server on loopback: ``hang`` accepts and never answers; ``yahoo`` answers CONNECT
    (a proxy request for HTTPS) with 403 and ``GET /v8/finance/chart/SYM`` with the status
    given for SYM (404 with Yahoo's "delisted" body, or another status)."""

    def __init__(self, mode: str, statuses: dict[str, int] | None = None):
        self.mode, self.statuses = mode, statuses or {}
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.mode == "yahoo":
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with contextlib.suppress(OSError):
            conn.settimeout(10)
            request = conn.recv(65536).decode("latin-1")
            first = request.split("\r\n", 1)[0]
            if first.startswith("CONNECT"):
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            sym = first.split(" ")[1].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            from urllib.parse import unquote
            code = self.statuses.get(unquote(sym), 503)
            body = json.dumps({"chart": {"result": None, "error": {
                "code": "Not Found" if code == 404 else "Error",
                "description": "No data found, symbol may be delisted"}}}).encode()
            conn.sendall(f"HTTP/1.1 {code} X\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    def close(self):
        self.sock.close()
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.close()


@pytest.fixture
def server():
    made = []

    def make(mode, statuses=None):
        made.append(LocalServer(mode, statuses))
        return made[-1]
    yield make
    for s in made:
        s.close()


def _network_run(tmp_path, proxy: str, args, *, base_url: str | None = None, timeout=60):
    """``python -m analysis ARGS`` online, every request through ``proxy`` (the local server),
    with a short timeout and deadline; yfinance's own caches under tmp_path."""
    env = subprocess_env(ANALYSIS_OFFLINE="0", ANALYSIS_TIMEOUT="0.5", ANALYSIS_DEADLINE="3",
                         HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy, http_proxy=proxy,
                         ALL_PROXY=proxy, NO_PROXY="127.0.0.1" if base_url else "", no_proxy="127.0.0.1" if base_url else "",
                         XDG_CACHE_HOME=tmp_path / "xdg", HOME=tmp_path)
    env.pop("ANALYSIS_PRICES_DIR", None)
    code = "import sys\n"
    if base_url:                   # Yahoo's chart API on the local server (plain HTTP)
        code += ("import yfinance.base as b, yfinance.scrapers.history as h\n"
                 f"b._BASE_URL_ = h._BASE_URL_ = {base_url!r}\n")
    code += "from analysis.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_hanging_proxy_is_bounded_and_named(tmp_path, server):
    hang = server("hang")
    proc = _network_run(tmp_path, hang.url, ["fetch", "1810.HK", "^HSI", "0005.HK", "AAPL", "--start",
                                             "2021-01-04", "--end", "2021-03-31", "--cache-dir", tmp_path / "c"])
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = one_error_line(proc.stderr, "4 of 4 symbols failed", "timed out", hang.url, "--prices-dir",
                          "ANALYSIS_PRICES_DIR", "--offline")
    assert "delisted" not in line and "no timezone" not in line
    assert hang.conns                                   # it did try, through the local server


def test_network_cause_reaches_a_study(tmp_path, server):
    """The pipeline's route (study, batch, report, notebooks): the cause, not 'no prices'."""
    hang = server("hang")
    proc = _network_run(tmp_path, hang.url, ["study", "--ticker", "1810.HK", "--market", "^HSI",
                                             "--event-date", "2021-03-26", "--cache-dir", tmp_path / "c"])
    assert proc.returncode == 2
    one_error_line(proc.stderr, "1810.HK", "^HSI", "timed out", "--prices-dir", "--offline")


def test_earnings_calendar_fetch_is_bounded_and_named(tmp_path, server):
    """`events earnings` asks Yahoo outside yf.download: the same timeout, deadline and cause."""
    hang = server("hang")
    proc = _network_run(tmp_path, hang.url, ["events", "earnings", "1810.HK", "--cache-dir", tmp_path / "c",
                                             "--out", tmp_path / "earnings.csv"])
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = one_error_line(proc.stderr, "cannot fetch earnings dates for 1810.HK", "timed out")
    assert "Traceback" not in proc.stderr and line
    assert hang.conns                                   # it did try, through the local server
    assert not (tmp_path / "earnings.csv").exists()


def test_delisted_only_when_yahoo_says_so(tmp_path, server):
    yahoo = server("yahoo", {"GONE.HK": 404, "BUSY.HK": 503})
    proc = _network_run(tmp_path, yahoo.url, ["fetch", "GONE.HK", "BUSY.HK", "--start", "2021-01-04",
                                              "--end", "2021-03-31", "--cache-dir", tmp_path / "c"],
                        base_url=yahoo.url)
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = one_error_line(proc.stderr, "GONE.HK: Yahoo does not know the symbol (HTTP 404: possibly delisted)",
                          "BUSY.HK: Yahoo answered HTTP 503", "--prices-dir")
    assert line.count("delisted") == 1


def test_network_causes_in_words():
    from curl_cffi.requests import exceptions as cx

    from analysis.data.yahoo import network_cause
    assert "DNS lookup failed" in network_cause(cx.DNSError("Could not resolve host", 6))
    assert "timed out after 20 s" in network_cause(cx.Timeout("Operation timed out", 28), 20)
    assert "proxy" in network_cause(cx.ProxyError("Could not resolve proxy: p", 5))
    assert "cannot connect" in network_cause(cx.ConnectionError("Failed to connect", 7))


# ------------------------------------------------------------------------------ review defects (files2)

def test_an_output_the_user_edited_is_the_users(tmp_path, prices_dir, monkeypatch, capsys):
    """Ownership is by content, not name: a file the project wrote and the user changed since
    (same name, other bytes) is refused without --overwrite, and the message says it was edited."""
    out = tmp_path / "u2"
    args = ["study", "--ticker", "1810.HK", "--market", "^HSI", "--event-date", "2021-03-26",
            "--prices-dir", prices_dir, "--out", out, "--no-figure"]
    assert run_cli(args, monkeypatch, capsys)[0] == 0
    with open(out / "car.csv", "a") as fh:
        fh.write("note\n")
    before = tree(out)
    rc, _, err = run_cli(args, monkeypatch, capsys)
    assert rc == 2 and tree(out) == before
    one_error_line(err, "car.csv", "edited", "--overwrite")
    # a file of the output's own name (--out FILE, a notebook's reports folder) likewise
    folder = tmp_path / "shared"
    with OutputSet(folder, whole_folder=False) as files:
        files.write_text("t.csv", "1\n")
    (folder / "t.csv").write_text("2\n")
    with pytest.raises(OutputError, match="edited"):
        OutputSet.check(folder, whole_folder=False, names=["t.csv"])
    rc, _, err = run_cli(args + ["--overwrite"], monkeypatch, capsys)
    assert rc == 0, err
    assert not (out / "car.csv").read_text().endswith("note\n") and check_output(out) == []


def test_files_of_the_previous_run_go_unless_the_user_owns_them(tmp_path, prices_dir, events, monkeypatch, capsys):
    """A rerun that writes fewer files (no figures now) leaves one run in the folder: the earlier
    run's files it does not write are removed when unchanged; a file the user edited or added stays."""
    out = tmp_path / "b3"
    base = ["batch", events, "--prices-dir", prices_dir, "--out", out, "--formats", "png"]
    assert run_cli(base, monkeypatch, capsys)[0] == 0
    figures = [f for f in visible(out) if f.startswith("aar_caar")]
    assert "aar_caar_auto.png" in figures and "aar_caar_tech.png" in figures
    assert run_cli(base + ["--no-figure"], monkeypatch, capsys)[0] == 0
    assert not [f for f in visible(out) if f.startswith("aar_caar")], visible(out)
    manifest = json.loads((out / ".analysis-manifest.json").read_text())
    assert manifest["earlier"] == {} and set(manifest["files"]) == set(visible(out))
    assert check_output(out) == []
    # figures again, then the user edits one and adds a file of their own: never removed
    assert run_cli(base, monkeypatch, capsys)[0] == 0
    with open(out / "aar_caar_tech.json", "a") as fh:
        fh.write("\n")
    (out / "mine.txt").write_text("mine\n")
    rc, _, err = run_cli(base + ["--no-figure"], monkeypatch, capsys)
    assert rc == 2
    one_error_line(err, "edited")
    assert run_cli(base + ["--no-figure", "--overwrite"], monkeypatch, capsys)[0] == 0
    left = [f for f in visible(out) if f.startswith("aar_caar") or f == "mine.txt"]
    assert left == ["aar_caar_tech.json", "mine.txt"]
    assert "aar_caar_tech.json" not in json.loads((out / ".analysis-manifest.json").read_text())["files"]


def test_figure_names_are_distinct_for_distinct_groups(tmp_path, prices_dir, monkeypatch, capsys):
    """Groups whose names sanitise alike (te/ch, te ch) or differ only in case (tech, Tech: one
    file on a case-insensitive file system) get distinct figure files; plain names stay plain."""
    from analysis.files import figure_stem, figure_stems

    stems = figure_stems("aar_caar", ["tech", "Tech", "te/ch", "te ch", "auto", "1810.HK"])
    assert len({s.casefold() for s in stems.values()}) == 6
    assert stems["auto"] == "aar_caar_auto" and stems["1810.HK"] == "aar_caar_1810.HK"
    assert re.fullmatch(r"aar_caar_te_ch_[0-9a-f]{6}", stems["te/ch"]) and stems["tech"].startswith("aar_caar_tech_")
    assert figure_stem("aar_caar", "te/ch") == stems["te/ch"] and figure_stem("study", "plain") == "study_plain"
    assert figure_stem("study", "x" * 300) != figure_stem("study", "x" * 299)
    assert len(figure_stem("study", "x" * 300)) <= 80 + len("study_")
    path = tmp_path / "ev3.csv"
    path.write_text("event_id,ticker,market,event_date,group\n"
                    "g1,1810.HK,^HSI,2021-03-26,tech\ng2,2333.HK,^HSI,2021-03-26,Tech\n"
                    "g3,1810.HK,^HSI,2021-06-01,te/ch\ng4,2333.HK,^HSI,2021-06-01,te ch\n", encoding="utf-8")
    rc, out, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "b", "--formats", "png"],
                           monkeypatch, capsys)
    assert rc == 0, err
    pngs = [f for f in visible(tmp_path / "b") if f.endswith(".png")]
    assert len(pngs) == 5 and len({f.casefold() for f in pngs}) == 5, pngs
    wrote = out.split("wrote ")[-1].split(" to ")[0].split(", ")
    assert len(wrote) == len(set(wrote))
    groups = {json.loads((tmp_path / "b" / f).with_suffix(".json").read_text()).get("group") for f in pngs}
    assert groups >= {"tech", "Tech", "te/ch", "te ch"}


def test_no_formula_cell_in_excel(tmp_path, prices_dir, monkeypatch, capsys):
    """The Excel writer neutralises text cells as the CSVs do: no cell of results.xlsx is a
    formula (openpyxl data type 'f'), in any sheet; numbers stay numbers."""
    import openpyxl

    from analysis.core.summary import write_excel

    evil = "=cmd|' /C calc'!A0"
    path = tmp_path / "ev2.csv"
    path.write_text("event_id,ticker,market,event_date,group,note\n"
                    f"\"{evil}\",1810.HK,^HSI,2021-03-26,@tech,\"=HYPERLINK(\"\"http://x\"\")\"\n"
                    "-e2,2333.HK,^HSI,2021-03-26,+grp,ok\n", encoding="utf-8")
    rc, _, err = run_cli(["batch", path, "--prices-dir", prices_dir, "--out", tmp_path / "b", "--no-figure",
                          "--xlsx"], monkeypatch, capsys)
    assert rc == 0, err
    book = openpyxl.load_workbook(tmp_path / "b" / "results.xlsx")
    cells = [(ws.title, c) for ws in book for row in ws.iter_rows() for c in row]
    assert not [(t, c.coordinate, c.value) for t, c in cells if c.data_type == "f"]
    texts = {c.value for _, c in cells if isinstance(c.value, str)}
    assert "'" + evil in texts and "'-e2" in texts
    assert {t for t, c in cells if c.value == "'" + evil} >= {"diagnostics", "abnormal_returns", "car"}
    assert any(isinstance(c.value, float) and c.value < 0 for t, c in cells if t == "car")
    write_excel({"t": pd.DataFrame({evil: ["=1+1", "-0.5", "text"], "x": [-1.5, 2.0, 3.0]})}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert [c.data_type for row in ws.iter_rows() for c in row].count("f") == 0
    assert ws["A1"].value == "'" + evil and ws["A2"].value == "'=1+1" and ws["B2"].value == -1.5


def test_notebook_figures_folder_follows_the_output_rules(tmp_path, monkeypatch, capsys):
    """notebook --figures DIR is an output set: a folder holding the user's study.png is refused
    before any run (exit 2, the file untouched)."""
    figs = tmp_path / "myfigs2" / "9988.HK_2023-03-28"
    figs.mkdir(parents=True)
    (figs / "study.png").write_text("user\n")
    rc, _, err = run_cli(["notebook", "--ticker", "9988.HK", "--market", "^HSI", "--event-date", "2023-03-28",
                          "--out", tmp_path / "nb3", "--figures", tmp_path / "myfigs2"], monkeypatch, capsys)
    assert rc == 2 and (figs / "study.png").read_text() == "user\n"
    one_error_line(err, "study.png", "did not write", "--overwrite")
    assert not (tmp_path / "nb3").exists()


def test_refresh_of_a_file_that_is_not_a_notebook(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    rc, _, err = run_cli(["notebook", "--refresh", bad, "--out", tmp_path / "r"], monkeypatch, capsys)
    assert rc == 2 and bad.read_text() == "not json"
    one_error_line(err, "bad.ipynb", "not a Jupyter notebook")


def test_paths_handed_to_a_kernel_never_climb_out_of_the_project(tmp_path, monkeypatch):
    """A relative path outside the project reaches the kernel (and its messages) absolute, not
    as ../../../../tmp/x; inside the project it stays relative to the kernel's folder."""
    from analysis.figures.notebook import kernel_path

    kernel_cwd = ROOT / "notebooks"
    monkeypatch.chdir(tmp_path)
    assert kernel_path("emptyprices", kernel_cwd) == str((tmp_path / "emptyprices").resolve())
    monkeypatch.chdir(ROOT)
    assert kernel_path("figures/x", kernel_cwd) == "../figures/x"


def _figure_notebook(path: Path, *, kernelspec: bool) -> Path:
    """A notebook with figures_dir and fail parameters that writes one 'figure'; with
    ``kernelspec=False`` its metadata names no kernel or language (as some tools save them)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('figures_dir = "figs"\nfail = False')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from pathlib import Path\nPath(figures_dir).mkdir(parents=True, exist_ok=True)\n"
        "Path(figures_dir, 'study.png').write_text('run ' + str(fail))\nprint('figures in', figures_dir)"),
        nbformat.v4.new_code_cell("if fail:\n    raise ValueError('\\x1b[31mboom\\x1b[0m')")]
    if kernelspec:
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_notebook_runs_refreshes_and_fails_cleanly(tmp_path, monkeypatch, capfd):
    """--run without kernelspec metadata runs; its figures appear in the figures folder only when
    the run went through (a failed run leaves them) and the saved notebook names the final folder;
    a failed --refresh is one line with the cell and no colour codes, keeps the notebook as it was
    and its failed run beside it; the kernel's shutdown prints nothing."""
    from analysis.figures.notebook import run_notebooks

    monkeypatch.chdir(tmp_path)
    nb = _figure_notebook(tmp_path / "tiny.ipynb", kernelspec=False)
    rc = main(["notebook", "--run", str(nb), "--out", "reports", "--figures", "figures", "--no-html"])
    out, err = capfd.readouterr()
    assert rc == 0, err
    assert "KeyboardInterrupt" not in err and "Traceback" not in err and "ERROR" not in err, err
    assert (tmp_path / "figures" / "tiny" / "study.png").read_text() == "run False"
    assert check_output(tmp_path / "figures" / "tiny") == []
    saved = (tmp_path / "reports" / "tiny.ipynb").read_text()
    assert STAGING not in saved and "figures/tiny" in saved
    with pytest.raises(NotebookError, match=r"stopped in cell \d+: ValueError: boom \("):
        run_notebooks([nb], reports_dir="reports", figures_dir="figures", parameters={"fail": True}, html=False)
    assert (tmp_path / "figures" / "tiny" / "study.png").read_text() == "run False"     # previous figures kept
    assert STAGING not in (tmp_path / "reports" / "tiny.failed.ipynb").read_text()
    # refresh: a notebook whose default run fails
    failing = _figure_notebook(tmp_path / "fails.ipynb", kernelspec=True)
    text = failing.read_text().replace("fail = False", "fail = True")
    failing.write_text(text)
    capfd.readouterr()
    rc = main(["notebook", "--refresh", str(failing), "--no-html"])
    out, err = capfd.readouterr()
    assert rc == 2 and failing.read_text() == text
    line = one_error_line(err, "fails.ipynb stopped in cell 3: ValueError: boom", "fails.failed.ipynb")
    assert "\x1b" not in line and "[31m" not in line and "KeyboardInterrupt" not in err
    kept = json.loads((tmp_path / "fails.failed.ipynb").read_text())
    assert any(o.get("ename") == "ValueError" for c in kept["cells"] for o in c.get("outputs", []))
