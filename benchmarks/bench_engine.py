"""Speed and memory of the event-study engine with every cross-event test.

    .venv/bin/python benchmarks/bench_engine.py                 # 1k, 10k, 100k events
    .venv/bin/python benchmarks/bench_engine.py --sizes 100000 300000 --repeat 3
    .venv/bin/python benchmarks/bench_engine.py --memory-events 1000000   # the 1M-event memory target

SYNTHETIC data generated here (i.i.d. normal returns with a market factor on a business-day
calendar, random stock-date events): the script measures speed and memory, not finance.

For each size, in the same process, round after round (the median of ``--repeat`` rounds is
kept for every figure): the fit (``run_event_study``: market model, estimation window
(-260, -11) = 250 days, event window (-10, 10) = 21 days), the eleven classical tests over
(-1, 1) (``grouped_tests(..., classical_only=True)``), all seventeen tests (``run_tests``,
what ``result.tests`` computes: the classical eleven and skew-t, jackknife, Corrado-Zivney
sign, two wild bootstraps and the sign-flip permutation test with 999 draws each), and the
two rank tests on their own (Corrado and GRANK, reading the residuals as the tests do). Only
one result is alive at a time. Events per second = events / the median over the rounds of each
round's (fit + tests) wall time; rank tests / fit = the median over the rounds of each round's
ratio (the two are timed back to back in a round, so a burst of load on the shared machine
hits both alike). The CPU time of the process is printed beside the wall time: CPU / wall says
how many cores the threads got (about 1 on a machine busy with other work, up to the core
count on an idle one).

Then the seventeen tests for a batch's four CAR windows on ``--windows-events`` events: one
``run_tests`` per window against ``run_tests_windows`` (one pass sharing r-bar, the read of the
residuals and the random signs), rounds interleaved, medians; the numbers are checked identical.

Then the straightforward way, one statsmodels OLS per event in a Python loop that predicts
the event window and feeds the same seventeen tests, on ``--loop-events`` events, timed the
same way (median of the same number of rounds); its events per second are compared with the
engine's (a per-event loop costs the same per event at any size, so its rate on a subsample
is its rate at every size). Its abnormal returns and test statistics are checked against the
engine's.

Peak memory: a fresh Python process makes the synthetic data and runs the fit and all
seventeen tests; its peak resident set is its own high-water mark (Linux VmHWM), checked
against ``resource.getrusage(RUSAGE_CHILDREN)`` read here after it ends (run first, while this
process is small: on Linux a child's ru_maxrss also counts the pages of the process that
spawned it).

The machine's CPU model, core count and load average are printed with the table; each
target line prints the measured value, the target and PASS/FAIL.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _machine import machine_line, verdict  # noqa: E402
from analysis import config  # noqa: E402
from analysis import run_event_study  # noqa: E402
from analysis.core.arrays import EventArrays, rows_of  # noqa: E402
from analysis.core import statistics as st  # noqa: E402
from analysis.core.statistics import run_tests, run_tests_windows  # noqa: E402

EST = (-260, -11)
EVT = (-10, 10)
TEST_WINDOW = (-1, 1)
CAR_WINDOWS = [(-1, 1), (0, 0), (-5, 5), (-10, 10)]     # a batch's tests table: one row block per window


def make_data(n_events: int, *, n_stocks: int = 500, n_days: int = 3000, seed: int = 0,
              one_per_stock: bool = False):
    """A returns panel (n_days business days x n_stocks + MKT) and n_events random events
    (``one_per_stock``: event i on stock i, so n_events <= n_stocks)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-04", periods=n_days)
    rm = rng.normal(0.0003, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, n_stocks)
    r = rm[:, None] * beta + rng.normal(0.0, 0.02, (n_days, n_stocks))
    cols = [f"S{i:04d}" for i in range(n_stocks)]
    returns = pd.DataFrame(r, index=dates, columns=cols)
    returns["MKT"] = rm
    day0 = rng.integers(-EST[0] + 1, n_days - EVT[1] - 1, n_events)
    stock = np.arange(n_events) if one_per_stock else rng.integers(0, n_stocks, n_events)
    events = pd.DataFrame({
        "event_id": [f"b{i:06d}" for i in range(n_events)],
        "ticker": np.asarray(cols, dtype=object)[stock],
        "market": "MKT",
        "event_date": dates[day0],
    })
    return returns, events


def fit(returns, events):
    return run_event_study(events, returns, estimation_window=EST, event_window=EVT)


def engine_run(returns, events):
    """The fit and every test, as a user runs them (the memory child runs this)."""
    result = fit(returns, events)
    return result, result.tests(TEST_WINDOW)


class _BlockRatio:
    """``a[rows] / b[rows]`` for the blocks of rows asked for, as the tests' pass computes the
    event-window SARs (never the whole array)."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def __len__(self):
        return len(self.a)

    def __getitem__(self, rows):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(self.a[rows], float) / np.asarray(self.b[rows], float)


def rank_tests(arrays):
    """Corrado and GRANK on their own, reading the arrays as the tests do: the estimation
    residuals (computed when read) and the event-window SARs in blocks of events."""
    ws = st.window_sample(arrays, TEST_WINDOW)
    keep = ws.keep
    codes = np.zeros(int(keep.sum()), dtype=np.intp)
    pick = (lambda x: x) if keep.all() else (lambda x: rows_of(x, keep))
    est = pick(arrays.est_ar)
    evt_sar = _BlockRatio(pick(arrays.evt_ar), pick(arrays.evt_ar_sd))
    return st._rank_tests(est, evt_sar, ws.scar, arrays.columns(*TEST_WINDOW), codes, 1,
                          est_scale=np.asarray(arrays.s)[keep])


def engine_rounds(returns, events, repeat):
    """Median seconds (wall and CPU) of the fit, the 11 classical tests, all 17 tests and the
    two rank tests over ``repeat`` rounds, and the medians of each round's fit + 11 tests,
    fit + 17 tests (``fit+11``, ``fit+17``) and rank tests / fit (``ranks/fit``); one result
    alive at a time. Returns the medians and the number of events studied."""
    parts = ("fit", "classical", "all", "ranks")
    wall = {p: [] for p in parts}
    cpu = {p: [] for p in parts}

    def clock(name, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall[name].append(time.perf_counter() - t0)
        cpu[name].append(time.process_time() - c0)
        return out

    n_ok = 0
    for _ in range(repeat):
        result = None                   # the previous round's result is freed first
        result = clock("fit", lambda: fit(returns, events))
        a = result.arrays
        clock("classical", lambda: st.grouped_tests(a, TEST_WINDOW, classical_only=True))
        clock("all", lambda: run_tests(a, TEST_WINDOW))
        clock("ranks", lambda: rank_tests(a))
        n_ok = result.n_ok
        del a
    del result
    for side in (wall, cpu):
        side["fit+11"] = [f + c for f, c in zip(side["fit"], side["classical"])]
        side["fit+17"] = [f + a for f, a in zip(side["fit"], side["all"])]
        side["ranks/fit"] = [r / f for r, f in zip(side["ranks"], side["fit"])]
    return ({p: float(np.median(v)) for p, v in wall.items()}, {p: float(np.median(v)) for p, v in cpu.items()},
            n_ok)


def timed(fn, repeat):
    """Median wall time and median process CPU time over ``repeat`` runs, and the last output;
    the previous output is freed before the next run."""
    walls, cpus = [], []
    out = None
    for _ in range(repeat):
        out = None
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return (float(np.median(walls)), float(np.median(cpus))), out


def peak_memory(n: int, args) -> tuple[float, float, float]:
    """Peak resident set (MB) of a fresh process that makes the synthetic data, then runs the
    fit and all seventeen tests on ``n`` events: the child's high-water mark (Linux VmHWM, the
    peak of its own image since it started; ru_maxrss elsewhere), the same read here from
    ``getrusage(RUSAGE_CHILDREN)`` after it ends (NaN when an earlier child was larger; on
    Linux it also counts the pages of this process when the child was spawned, so it is run
    while this process is small), and the child's peak with the data alone."""
    code = (
        "import json, resource, sys\n"
        "def peak():\n"
        "    try:\n"
        "        with open('/proc/self/status') as f:\n"
        "            return next(int(x.split()[1]) for x in f if x.startswith('VmHWM')) / 1024\n"
        "    except (OSError, StopIteration):\n"
        "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import bench_engine as b\n"
        f"returns, events = b.make_data({n}, n_stocks={args.stocks}, n_days={args.days}, seed={args.seed}, "
        f"one_per_stock={args.one_per_stock})\n"
        "data = peak()\n"
        "result, tests = b.engine_run(returns, events)\n"
        "assert len(tests) == 17 and result.n_ok > 0\n"
        "print(json.dumps([peak(), data]))\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    own, data = json.loads(done.stdout.strip().splitlines()[-1])
    children = after / 1024 if after > before else float("nan")
    return own, children, data


def statsmodels_loop(returns, events, progress=None):
    """The per-event way: slice each event's windows, fit OLS with statsmodels, predict."""
    import statsmodels.api as sm
    from tqdm import tqdm

    if progress is None:
        progress = sys.stderr.isatty()
    le, lw = EST[1] - EST[0] + 1, EVT[1] - EVT[0] + 1
    n = len(events)
    est_ar = np.empty((n, le))
    evt_ar = np.empty((n, lw))
    evt_sd = np.empty((n, lw))
    est_dates = np.empty((n, le), dtype=np.int64)
    evt_dates = np.empty((n, lw), dtype=np.int64)
    s = np.empty(n)
    car_parts = []
    index = returns.index
    days = index.to_numpy().astype("datetime64[D]").astype(np.int64)
    mkt = returns["MKT"].to_numpy()
    for i, ev in enumerate(tqdm(events.itertuples(index=False), total=n, disable=not progress,
                                desc="statsmodels loop", leave=False)):
        d0 = index.searchsorted(ev.event_date)
        y = returns[ev.ticker].to_numpy()
        e_sl = slice(d0 + EST[0], d0 + EST[1] + 1)
        w_sl = slice(d0 + EVT[0], d0 + EVT[1] + 1)
        x = sm.add_constant(mkt[e_sl])
        fit = sm.OLS(y[e_sl], x).fit()
        est_ar[i] = fit.resid
        xw = sm.add_constant(mkt[w_sl], has_constant="add")
        evt_ar[i] = y[w_sl] - fit.predict(xw)
        cov = fit.cov_params()          # s^2 (X'X)^-1
        evt_sd[i] = np.sqrt(fit.scale + np.einsum("ij,jk,ik->i", xw, cov, xw))
        s[i] = np.sqrt(fit.scale)
        est_dates[i] = days[e_sl]
        evt_dates[i] = days[w_sl]
        car_parts.append((fit.scale, cov, xw))

    def car_variance(t1, t2):
        c = slice(t1 - EVT[0], t2 - EVT[0] + 1)
        out = np.empty(n)
        for i, (s2, cov, xw) in enumerate(car_parts):
            xs = xw[c].sum(axis=0)
            out[i] = s2 * (t2 - t1 + 1) + xs @ cov @ xs
        return out

    arrays = EventArrays(
        event_ids=events["event_id"].to_numpy(dtype=object), estimation_window=EST,
        event_window=EVT, est_ar=est_ar, est_dates=est_dates, evt_ar=evt_ar, evt_ar_sd=evt_sd,
        evt_dates=evt_dates, s=s, m=np.full(n, le), k=2, car_variance=car_variance)
    return arrays, run_tests(arrays, TEST_WINDOW)


def windows_line(data, args) -> None:
    """All seventeen tests for the four CAR windows of a batch: one ``run_tests`` per window
    against ``run_tests_windows`` (one pass sharing what does not depend on the window),
    rounds interleaved, medians of ``--repeat``; the numbers are checked to be identical."""
    returns, events = data
    a = fit(returns, events).arrays
    run_tests_windows(a, CAR_WINDOWS[:1])                     # warm-up
    walls = {"each": [], "one pass": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        each = {w: run_tests(a, w) for w in CAR_WINDOWS}
        walls["each"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        together = run_tests_windows(a, CAR_WINDOWS)
        walls["one pass"].append(time.perf_counter() - t0)
    same = all(each[w].equals(together[w]) for w in CAR_WINDOWS)
    med = {k: float(np.median(v)) for k, v in walls.items()}
    print(f"17 tests for {len(CAR_WINDOWS)} windows {CAR_WINDOWS} on {len(events):,} events: one run_tests per "
          f"window {med['each']:.3f} s, run_tests_windows {med['one pass']:.3f} s "
          f"({med['each'] / med['one pass']:.1f}x; numbers identical: {same})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--loop-events", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds per size and for the loop (median kept)")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    ap.add_argument("--memory-events", type=int, default=None,
                    help="also measure the peak memory at this many events (the target: 1,000,000 in 2 GB)")
    ap.add_argument("--windows-events", type=int, default=5_000,
                    help="events for the four-window tests line (0: skip it)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stocks", type=int, default=500, help="stocks in the panel (default 500)")
    ap.add_argument("--days", type=int, default=3000, help="business days in the panel (default 3000)")
    ap.add_argument("--one-per-stock", action="store_true",
                    help="event i on stock i (a wide panel with one event per stock; needs --stocks >= size)")
    args = ap.parse_args(argv)
    if args.one_per_stock and max(args.sizes) > args.stocks:
        ap.error("--one-per-stock needs --stocks at least the largest size")
    data = (lambda n: make_data(n, n_stocks=args.stocks, n_days=args.days, seed=args.seed,
                                one_per_stock=args.one_per_stock))

    print(f"event-study engine benchmark on SYNTHETIC data: market model, estimation {list(EST)} (250 days), "
          f"event window {list(EVT)} (21 days), tests over {list(TEST_WINDOW)}; median of {args.repeat} "
          "rounds on each side")
    print(machine_line())
    print(f"numpy {np.__version__}, pandas {pd.__version__}; panel: {args.stocks:,} stocks x {args.days:,} "
          "business days" + (", one event per stock" if args.one_per_stock else ", random stock-date events")
          + f"; {config.threads()} threads")
    print("timed, in this one process: fit = analysis.run_event_study(events, returns) (validation, day 0, data "
          "checks, duplicate search, fit, prediction); 11 tests = grouped_tests(..., classical_only=True); 17 "
          "tests = run_tests (result.tests); ranks = Corrado + GRANK alone; panel and events made beforehand, "
          "not timed")
    memory = peak_memory(args.memory_events, args) if args.memory_events else None   # while this process is small
    print()
    cols = [("events", 9), ("fit s", 7), ("11 tests s", 10), ("17 tests s", 10), ("ranks s", 7),
            ("events/s (11)", 13), ("events/s (17)", 13), ("CPU s (17)", 10), ("CPU/wall", 8),
            ("child peak MB", 13)]
    print("| " + " | ".join(f"{c:>{w}}" for c, w in cols) + " |")
    print("|" + "|".join("-" * (w + 1) + ":" for _, w in cols) + "|")
    rows = {}
    for n in args.sizes:
        returns, events = data(n)
        engine_run(returns, events.head(50))               # warm-up (imports, caches)
        wall, cpu, n_ok = engine_rounds(returns, events, args.repeat)
        rss = np.nan if args.no_memory else peak_memory(n, args)[0]     # the child's VmHWM
        rows[n] = (wall, cpu)
        r11 = n / wall["fit+11"]
        r17 = n / wall["fit+17"]
        print(f"| {n:>9,} | {wall['fit']:>7.3f} | {wall['classical']:>10.3f} | {wall['all']:>10.3f} | "
              f"{wall['ranks']:>7.3f} | {r11:>13,.0f} | {r17:>13,.0f} | {cpu['fit+17']:>10.2f} | "
              f"{cpu['fit+17'] / wall['fit+17']:>8.2f} | {rss:>13,.0f} |", flush=True)
        del returns, events
    print(f"(events: given; {n_ok:,} of the last size studied, the others duplicates of a stock-date; "
          "events/s = events / median of the rounds' fit + tests, wall time; CPU/wall: cores the fit + 17 "
          "tests got)")

    if args.windows_events:
        windows_line(data(args.windows_events), args)

    returns, events = data(args.loop_events)
    events = events.drop_duplicates(["ticker", "event_date"])    # the loop has no duplicate check
    n = len(events)
    statsmodels_loop(returns, events.head(20))
    (loop_secs, loop_cpu), (loop_arrays, loop_tests) = timed(lambda: statsmodels_loop(returns, events), args.repeat)
    (eng_secs, eng_cpu), (result, tests) = timed(lambda: engine_run(returns, events), args.repeat)
    diff = np.nanmax(np.abs(np.asarray(result.arrays.evt_ar) - loop_arrays.evt_ar))
    tdiff = np.nanmax(np.abs(tests["statistic"] - loop_tests["statistic"]))
    del result, tests, loop_arrays
    loop_rate = n / loop_secs
    print()
    print(f"statsmodels loop (one sm.OLS per event, then the same 17 tests), {n:,} events: {loop_secs:.3f} s wall, "
          f"{loop_rate:,.0f} events/s ({loop_cpu:.3f} s CPU); the engine on the same {n:,} events: "
          f"{eng_secs:.3f} s ({n / eng_secs:,.0f} events/s), {loop_secs / eng_secs:,.0f}x")
    print(f"engine vs loop on these events: max |AR difference| = {diff:.2e}, max |test statistic difference| "
          f"= {tdiff:.2e}")
    for k, (wall, cpu) in rows.items():
        secs = wall["fit+17"]
        print(f"{k:>9,} events, fit + 17 tests: {k / secs:,.0f} events/s wall = {k / secs / loop_rate:,.0f}x "
              f"the loop's rate; {k / cpu['fit+17']:,.0f} events per CPU second = "
              f"{k / cpu['fit+17'] / (n / loop_cpu):,.0f}x the loop's")
    print()
    for k, (wall, cpu) in rows.items():
        if k >= 100_000:
            r11 = k / wall["fit+11"]
            r17 = k / wall["fit+17"]
            print(f"TARGET {k:,} events: {r11:,.0f} events/s (fit + the 11 classical tests, wall; "
                  f"{k / cpu['fit+11']:,.0f} per CPU second, CPU/wall {cpu['fit+11'] / wall['fit+11']:.2f}), "
                  f"target >= 100,000 {verdict(100_000 / r11, 1.0)}")
            print(f"       {k:,} events: {r17:,.0f} events/s (fit + all 17 tests, for information)")
            print(f"TARGET {k:,} events: rank tests / fit = {wall['ranks/fit']:.2f} wall (median of the rounds' "
                  f"ratios; medians {wall['ranks']:.3f} s / {wall['fit']:.3f} s), target <= 1 "
                  f"{verdict(wall['ranks/fit'], 1.0)}")
            print(f"       {k:,} events: rank tests / fit = {cpu['ranks/fit']:.2f} in CPU time "
                  f"({cpu['ranks']:.3f} s / {cpu['fit']:.3f} s; steadier than wall time on a shared machine), "
                  f"target <= 1 {verdict(cpu['ranks/fit'], 1.0)}")
    if memory is not None:
        own, children, base = memory
        peak = np.nanmax([own, children])
        print(f"TARGET {args.memory_events:,} events, fit + all 17 tests: peak resident {peak / 1024:.2f} GB in a "
              f"fresh process (its VmHWM {own:,.0f} MB, RUSAGE_CHILDREN {children:,.0f} MB; {base:,.0f} MB of it "
              f"Python and the synthetic data), target <= 2 GB {verdict(peak / 1024, 2.0)}")
    print(machine_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
