"""Whole-process speed: the analysis commands against the tools a user would otherwise use.

    .venv/bin/python benchmarks/bench_peers.py                       # 500 and 5,000 events
    .venv/bin/python benchmarks/bench_peers.py --sizes 500 --repeat 3 --only peers

Every figure is wall time of a whole process (interpreter start, imports, reading the price
CSVs, the study, writing the outputs), measured side by side in one run: each round runs every
command once, in turn, so load on a shared machine hits all sides alike; each side's time is
the median of the same number of rounds (after one untimed warm-up round), and each ratio is
printed with its range over the rounds.

Peers (the same events, windows and price files):

* the PyPI package ``eventstudy`` 0.1a12, installed into its own virtual environment under
  ``--cache`` (outside the repository; skipped with a message when no package index can be
  reached), run by ``peers/eventstudy_batch.py`` as its documentation shows, its loading
  included;
* a plain per-event pandas + statsmodels (+ matplotlib) script, ``peers/statsmodels_batch.py``,
  and for one event ``peers/statsmodels_study.py`` (the numbers of ``study`` and one PNG).

Events: real Hong Kong listings against ^HSI, sampled reproducibly (``--seed``) from the price
files: a listing uniformly, then one of its trading days whose estimation window (-260, -11)
and event window (-10, 10) have prices for the stock and the index on every day of the joint
file the peer reads and no flat zero-volume bar (which the analysis package counts as no
trade), each (listing, day) once: every tool studies every event on the same days, and the
script checks that their average abnormal returns agree.

Steps (``--only steps``): reading the price CSVs against ``pd.read_csv(engine="pyarrow")`` on
the same files (our reader's checks included), ``time_events`` on 100,000 events, and
``python -m analysis --help`` against a bare interpreter start.

Each target line prints the measured ratio (or time), the target and PASS/FAIL. The machine's
CPU model, core count and load average are printed with every table.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from _machine import machine_line, med, median_times, verdict  # noqa: E402

PEER = "eventstudy==0.1a12"
MARKET = "^HSI"
EST, EVT = (-260, -11), (-10, 10)
STUDY = ("1810.HK", "2021-03-26")        # the README's example event
TARGETS = {"batch --no-figure": 0.5, "batch with figure": 0.7, "study with figure": 0.8}


# --------------------------------------------------------------------------- events

def hk_events(prices_dir: Path, n: int, seed: int, exclude=("2800.HK",)) -> pd.DataFrame:
    """``n`` random (Hong Kong listing, trading day) events against ^HSI with whole windows."""
    from analysis.data.prices import CsvFolderSource
    from analysis.data.quality import stale_mask
    from analysis.events.timing import get_calendar

    source = CsvFolderSource(prices_dir)
    symbols = sorted(p.stem for p in prices_dir.glob("*.HK.csv") if p.stem not in exclude)
    frames = {s: source.load(s) for s in [*symbols, MARKET]}
    wide = pd.DataFrame({s: f["Adj Close"] for s, f in frames.items()}).sort_index()
    # a flat zero-volume bar is no trade to the analysis package (trade-to-trade returns) and a
    # price to the peers: windows with one are left out, so that all compute the same numbers
    flat = pd.DataFrame({s: stale_mask(f) for s, f in frames.items()}).reindex(wide.index).fillna(False)
    sessions = get_calendar("XHKG", wide.index[0], wide.index[-1]).sessions
    have = (wide.notna() & ~flat.astype(bool)).to_numpy()
    lo, hi = -EST[0] + 1, EVT[1]                 # prices from day -261 to day +10
    width = lo + hi + 1
    market_ok = np.convolve(have[:, -1], np.ones(width), "valid") == width
    candidates = []
    for j, s in enumerate(symbols):
        ok = (np.convolve(have[:, j], np.ones(width), "valid") == width) & market_ok
        days = wide.index[np.flatnonzero(ok) + lo]
        days = days[days.isin(sessions)]
        if len(days):
            candidates.append((s, days))
    rng = np.random.default_rng(seed)
    rows, seen = [], set()
    while len(rows) < n:                          # distinct (listing, day) pairs
        s, days = candidates[rng.integers(0, len(candidates))]
        day = days[rng.integers(0, len(days))].strftime("%Y-%m-%d")
        if (s, day) not in seen:
            seen.add((s, day))
            rows.append((f"hk{len(rows):05d}", s, MARKET, day))
    return pd.DataFrame(rows, columns=["event_id", "ticker", "market", "event_date"])


# --------------------------------------------------------------------------- the peer's environment

def peer_python(cache: Path) -> Path | None:
    """The interpreter of a virtual environment with ``eventstudy`` 0.1a12 (made on first use
    under ``cache``), or None with a message when it cannot be installed."""
    env = cache / "eventstudy-0.1a12"
    python = env / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import eventstudy"], capture_output=True).returncode == 0:
        return python
    print(f"installing {PEER} into {env} ...", flush=True)
    shutil.rmtree(env, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(env)
    done = subprocess.run([python, "-m", "pip", "install", "--quiet", PEER], capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"skipping the eventstudy column: could not install {PEER} (no package index reachable?): {last}")
        return None
    return python


# --------------------------------------------------------------------------- running commands

class Runner:
    """Runs a command line as its own process, output discarded, each run in a fresh folder."""

    def __init__(self, work: Path):
        self.work, self.count = work, 0
        self.env = {**os.environ, "MPLBACKEND": "Agg"}
        self.env.pop("ANALYSIS_PRICES_DIR", None)
        # bytecode cached as on a user's machine (the warm-up round writes it): a shell that
        # sets PYTHONDONTWRITEBYTECODE would otherwise compile every edited module in every run
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.cpu: dict[str, list[float]] = {}      # CPU seconds (user + system) of each run, by key

    def out(self) -> Path:
        self.count += 1
        return self.work / f"run{self.count:04d}"

    def __call__(self, args_of, key=None):
        def run():
            out = self.out()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run([str(a) for a in args_of(out)], cwd=self.work, env=self.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise RuntimeError(f"{args_of(out)} failed: {done.stderr.strip()[-800:]}")
            if key is not None:
                self.cpu.setdefault(key, []).append(after.ru_utime + after.ru_stime
                                                    - before.ru_utime - before.ru_stime)
            shutil.rmtree(out, ignore_errors=True)
        return run

    def cpu_times(self, key) -> list[float]:
        """CPU seconds of the timed runs of ``key`` (the first, untimed warm-up run left out)."""
        return self.cpu.get(key, [])[1:]


def commands(events: Path, prices: Path, runner: Runner, peer: Path | None, figure: bool, case: str) -> dict:
    py = sys.executable
    fig = [] if figure else ["--no-figure"]
    out = {"analysis": runner(lambda o: [py, "-m", "analysis", "batch", events, "--out", o,
                                         "--prices-dir", prices, *fig], (case, "analysis"))}
    if peer is not None:
        out["eventstudy"] = runner(lambda o: [peer, HERE / "peers" / "eventstudy_batch.py", events, prices, o,
                                              *(["--figure"] if figure else [])], (case, "eventstudy"))
    out["statsmodels script"] = runner(lambda o: [py, HERE / "peers" / "statsmodels_batch.py", events, prices, o,
                                                  *(["--figure"] if figure else [])], (case, "statsmodels script"))
    return out


def study_commands(prices: Path, runner: Runner) -> dict:
    py = sys.executable
    ticker, date = STUDY
    return {
        "analysis": runner(lambda o: [py, "-m", "analysis", "study", "--ticker", ticker, "--market", MARKET,
                                      "--event-date", date, "--out", o, "--prices-dir", prices],
                           ("study", "analysis")),
        "statsmodels script": runner(lambda o: [py, HERE / "peers" / "statsmodels_study.py", ticker, MARKET, date,
                                                prices, o], ("study", "statsmodels script")),
    }


# --------------------------------------------------------------------------- tables

def ratio_line(label: str, ours: list[float], theirs: list[float], target: float) -> str:
    per_round = np.array(ours) / np.array(theirs)
    r = med(ours) / med(theirs)
    return (f"TARGET {label}: {r:.2f} (rounds {per_round.min():.2f}-{per_round.max():.2f}), "
            f"target <= {target} {verdict(r, target)}")


def peers_table(args, prices: Path, work: Path, peer: Path | None) -> list[str]:
    runner = Runner(work)
    rows, targets = [], []
    cases = [("batch --no-figure", n, False) for n in args.sizes] + \
            [("batch with figure", n, True) for n in args.sizes]
    for what, n, figure in cases:
        events = work / f"events_{n}.csv"
        case = f"{what}, {n:,} events"
        times = median_times(commands(events, prices, runner, peer, figure, case), args.repeat)
        rows.append((what, f"{n:,}", times, {k: runner.cpu_times((case, k)) for k in times}))
        for peer_name in [p for p in times if p != "analysis"]:
            targets.append(ratio_line(f"{what}, {n:,} events, analysis / {peer_name}", times["analysis"],
                                      times[peer_name], TARGETS[what]))
        print(f"  done: {what}, {n:,} events", flush=True)
    times = median_times(study_commands(prices, runner), args.repeat)
    rows.append(("study with figure", "1", times, {k: runner.cpu_times(("study", k)) for k in times}))
    targets.append(ratio_line("study with figure, analysis / minimal statsmodels script", times["analysis"],
                              times["statsmodels script"], TARGETS["study with figure"]))
    names = ["analysis", "eventstudy", "statsmodels script"]
    lines = [f"Whole process, wall seconds (median of {args.repeat} rounds; eventstudy = PyPI eventstudy "
             "0.1a12 in its own venv)", machine_line(), "",
             "| command | events | analysis | eventstudy | statsmodels script | analysis / eventstudy "
             "| analysis / script |", "|---|---:|---:|---:|---:|---:|---:|"]
    for what, n, times, _ in rows:
        lines.append(_row(what, n, times, names))
    # on a loaded machine the wall time of a process is mostly waiting for a core: the CPU
    # seconds each side used (user + system, from the same runs) tell the work apart from the wait
    lines += ["", "CPU seconds (user + system) of the same runs, median (information: the targets are wall time)",
              "", "| command | events | analysis | eventstudy | statsmodels script | analysis / eventstudy "
              "| analysis / script |", "|---|---:|---:|---:|---:|---:|---:|"]
    for what, n, _, cpu in rows:
        lines.append(_row(what, n, {k: v for k, v in cpu.items() if v}, names))
    return lines + ["", *targets, machine_line()]


def _row(what: str, n: str, times: dict, names: list[str]) -> str:
    cell = {k: (f"{med(times[k]):.2f}" if k in times else "-") for k in names}
    ratio = {k: (f"{med(times['analysis']) / med(times[k]):.2f}" if k in times else "-") for k in names[1:]}
    return (f"| {what} | {n} | {cell['analysis']} | {cell['eventstudy']} | {cell['statsmodels script']} "
            f"| {ratio['eventstudy']} | {ratio['statsmodels script']} |")


def agreement(work: Path, prices: Path, peer: Path | None) -> str:
    """The three tools' AAR on the 500-event sample agree (same events, days and fit)."""
    py = sys.executable
    ev = work / f"events_{min(ARGS.sizes)}.csv"
    subprocess.run([py, "-m", "analysis", "batch", ev, "--out", work / "check_a", "--prices-dir", prices,
                    "--no-figure"], check=True, capture_output=True, env={**os.environ, "MPLBACKEND": "Agg"})
    subprocess.run([py, HERE / "peers" / "statsmodels_batch.py", ev, prices, work / "check_s"], check=True,
                   capture_output=True)
    ours = pd.read_csv(work / "check_a" / "aar.csv")
    ours = ours[ours["group"] == "all"].set_index("relative_day")
    n = int(ours["n"].max())
    ours = ours["aar"]
    script = pd.read_csv(work / "check_s" / "aar.csv", index_col=0)["aar"]
    text = (f"same numbers ({n} of {min(ARGS.sizes)} events studied by the analysis package): max |AAR "
            f"difference| analysis vs statsmodels script {np.max(np.abs(ours - script)):.1e}")
    if peer is not None:
        subprocess.run([peer, HERE / "peers" / "eventstudy_batch.py", ev, prices, work / "check_e"], check=True,
                       capture_output=True)
        es = pd.read_csv(work / "check_e" / "aar.csv", index_col=0)["AAR"].to_numpy()
        text += f", vs eventstudy {np.max(np.abs(ours.to_numpy() - es)):.1e}"
    return text


def steps_table(args, prices: Path, work: Path) -> list[str]:
    from analysis.data.prices import CsvFolderSource
    from analysis.events.table import validate_events
    from analysis.events.timing import time_events

    symbols = sorted(p.stem for p in prices.glob("*.HK.csv")) + [MARKET]
    paths = [prices / f"{s}.csv" for s in symbols]
    reads = median_times({
        "analysis": lambda: [CsvFolderSource(prices).load(s) for s in symbols],
        "pyarrow": lambda: [pd.read_csv(p, engine="pyarrow") for p in paths],
    }, args.repeat * 5)
    big = pd.read_csv(work / f"events_{max(args.sizes)}.csv")
    big = pd.concat([big] * -(-100_000 // len(big)), ignore_index=True).head(100_000)
    big["event_id"] = [f"t{i:06d}" for i in range(len(big))]
    table = validate_events(big)
    timing = median_times({"time_events": lambda: time_events(table)}, args.repeat)["time_events"]
    py = sys.executable
    starts = median_times({
        "help": lambda: subprocess.run([py, "-m", "analysis", "--help"], capture_output=True, check=True),
        "bare": lambda: subprocess.run([py, "-c", "pass"], capture_output=True, check=True),
    }, args.repeat * 5)
    r_read = med(reads["analysis"]) / med(reads["pyarrow"])
    r_help = med(starts["help"]) / med(starts["bare"])
    t = med(timing)
    return [
        f"Steps (median of the same number of interleaved runs per side)", machine_line(), "",
        "| step | analysis | reference | ratio |", "|---|---:|---:|---:|",
        f"| read {len(paths)} price CSVs (checks included) | {med(reads['analysis']):.3f} s "
        f"| pd.read_csv(engine='pyarrow') {med(reads['pyarrow']):.3f} s | {r_read:.2f} |",
        f"| time_events, 100,000 events | {t:.3f} s | target 1 s | - |",
        f"| python -m analysis --help | {med(starts['help']):.3f} s | python -c pass {med(starts['bare']):.3f} s "
        f"| {r_help:.2f} |", "",
        ratio_line("reading price CSVs, analysis / pd.read_csv(engine='pyarrow')", reads["analysis"],
                   reads["pyarrow"], 1.3),
        f"TARGET time_events on 100,000 events: {t:.3f} s (runs {min(timing):.3f}-{max(timing):.3f}), "
        f"target < 1 s {verdict(t, 1.0)}",
        ratio_line("python -m analysis --help / bare interpreter start", starts["help"], starts["bare"], 2.0),
        machine_line(),
    ]


def main(argv=None) -> int:
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    ap.add_argument("--repeat", type=int, default=5, help="timed rounds per command (default 5)")
    ap.add_argument("--prices-dir", type=Path, default=Path(os.environ.get("ANALYSIS_PRICES_DIR",
                                                                          ROOT.parent / "shared" / "data" / "prices")))
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "ANALYSIS_BENCH_CACHE", Path.home() / ".cache" / "analysis-benchmarks")),
        help="where the peer's virtual environment lives (outside the repository)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=("steps", "peers"), default=None)
    ap.add_argument("--no-eventstudy", action="store_true", help="leave the PyPI package out")
    ARGS = args = ap.parse_args(argv)
    # as on a user's machine, every interpreter may cache its bytecode (the first, untimed
    # round writes it): a process compiling its sources on every start is not what users wait for
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    prices = args.prices_dir.resolve()
    if not (prices / f"{MARKET}.csv").is_file():
        ap.error(f"no {MARKET}.csv in {prices} (give --prices-dir)")
    print(machine_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as tmp:
        work = Path(tmp)
        for n in args.sizes:
            hk_events(prices, n, args.seed).to_csv(work / f"events_{n}.csv", index=False)
        out = []
        if args.only in (None, "steps"):
            out += steps_table(args, prices, work) + [""]
            print("\n".join(out), flush=True)
        if args.only in (None, "peers"):
            peer = None if args.no_eventstudy else peer_python(args.cache)
            print(agreement(work, prices, peer), flush=True)
            lines = peers_table(args, prices, work, peer)
            print("\n".join(lines), flush=True)
    return 0


ARGS = None

if __name__ == "__main__":
    raise SystemExit(main())
