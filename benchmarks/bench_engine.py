"""Speed of the event-study engine: events per second with every cross-event test.

    .venv/bin/python benchmarks/bench_engine.py                 # 1k, 10k, 100k events
    .venv/bin/python benchmarks/bench_engine.py --sizes 1000 10000 --repeat 3
    .venv/bin/python benchmarks/bench_engine.py --memory-events 1000000   # the 1M-event memory target

For each size: ``run_event_study`` (market model, estimation window (-260, -11) = 250 days,
event window (-10, 10) = 21 days) followed by ``result.tests((-1, 1))`` (all eleven tests),
wall and CPU time (median of ``--repeat`` runs), events per second, the time of the fit
(``run_event_study``) and of the two rank tests (Corrado and GRANK, the costliest tests), and
the peak memory of a separate fresh process (tracemalloc, numpy buffers included, and the
process's peak resident size). Then the same study done the straightforward way, one
statsmodels OLS per event in a Python loop, on ``--loop-events`` events, timed the same way
(median of the same number of runs), and the speed-up. The loop's abnormal returns and test
statistics are checked against the engine's (max abs difference printed). The machine's CPU
model, core count and load average are printed with the table; each target line prints the
measured value, the target and PASS/FAIL.

Synthetic data generated here (i.i.d. normal returns on a business-day calendar): the script
measures speed, not finance.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _machine import machine_line, verdict  # noqa: E402
from analysis import run_event_study  # noqa: E402
from analysis.core.arrays import EventArrays  # noqa: E402
from analysis.core.statistics import run_tests  # noqa: E402

EST = (-260, -11)
EVT = (-10, 10)
TEST_WINDOW = (-1, 1)


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


def engine_run(returns, events):
    result = run_event_study(events, returns, estimation_window=EST, event_window=EVT)
    tests = result.tests(TEST_WINDOW)
    return result, tests


def timed(fn, repeat):
    """Median wall time and median process CPU time over ``repeat`` runs, and the last output.

    Every side of a comparison is timed this way with the same ``repeat``. On a shared machine
    the CPU time (time.process_time) is the steadier figure: it does not count the time other
    processes hold the cores.
    """
    walls, cpus = [], []
    out = None
    for _ in range(repeat):
        out = None                      # the previous result is freed before the next run
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return (float(np.median(walls)), float(np.median(cpus))), out


def peak_memory(n: int, args) -> tuple[float, float]:
    """Peak memory (MB traced by tracemalloc, MB peak resident) of engine + all tests on ``n``
    events, in a fresh process that holds nothing else."""
    code = (
        "import json, resource, sys, tracemalloc\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import bench_engine as b\n"
        f"returns, events = b.make_data({n}, n_stocks={args.stocks}, n_days={args.days}, seed={args.seed}, "
        f"one_per_stock={args.one_per_stock})\n"
        "tracemalloc.start()\n"
        "b.engine_run(returns, events)\n"
        "traced = tracemalloc.get_traced_memory()[1]\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps([traced / 2**20, rss / 2**20]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    traced, rss = json.loads(done.stdout.strip().splitlines()[-1])
    return traced, rss


def fit_and_ranks(returns, events, repeat):
    """Median seconds of the fit (run_event_study) and of the Corrado + GRANK rank tests."""
    from analysis.core import statistics as st

    (fit_s, _), result = timed(lambda: run_event_study(events, returns, estimation_window=EST,
                                                         event_window=EVT), repeat)
    a = result.arrays
    ws = st.window_sample(a, TEST_WINDOW)
    codes = np.zeros(int(ws.keep.sum()), dtype=np.intp)
    with np.errstate(invalid="ignore", divide="ignore"):
        evt_sar = a.evt_ar[ws.keep] / a.evt_ar_sd[ws.keep]
    (rank_s, _), _ = timed(lambda: st._rank_tests(a.est_ar[ws.keep], evt_sar, ws.scar,
                                                  a.columns(*TEST_WINDOW), codes, 1, est_scale=a.s[ws.keep]),
                           repeat)
    return fit_s, rank_s


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--loop-events", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per size and for the loop (median kept)")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    ap.add_argument("--memory-events", type=int, default=None,
                    help="also measure the peak memory at this many events (the target: 1,000,000 in 2 GB)")
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

    print(f"event-study engine benchmark: market model, estimation {list(EST)} (250 days), "
          f"event window {list(EVT)} (21 days), all 11 tests over {list(TEST_WINDOW)}; "
          f"median of {args.repeat} runs on each side")
    print(machine_line())
    print(f"numpy {np.__version__}, pandas {pd.__version__}; panel: {args.stocks:,} stocks x {args.days:,} "
          "business days" + (", one event per stock" if args.one_per_stock else ", random stock-date events"))
    print()
    header = (f"| {'method':<20} | {'events':>9} | {'wall s':>7} | {'events/s':>9} | {'CPU s':>7} | "
              f"{'fit s':>6} | {'ranks s':>7} | {'traced MB':>9} | {'peak RSS MB':>11} |")
    print(header)
    print("|" + "|".join("-" * (len(c)) + (":" if i else "") for i, c in enumerate(header.split("|")[1:-1])) + "|")
    rows = {}
    for n in args.sizes:
        returns, events = data(n)
        engine_run(returns, events.head(50))               # warm-up (imports, caches)
        (secs, cpu), (result, tests) = timed(lambda: engine_run(returns, events), args.repeat)
        n_ok = result.n_ok
        del result, tests
        fit_s, rank_s = fit_and_ranks(returns, events, args.repeat)
        traced, rss = (np.nan, np.nan) if args.no_memory else peak_memory(n, args)
        rows[n] = (secs, cpu, fit_s, rank_s, traced)
        print(f"| {'engine + all tests':<20} | {n_ok:>9,} | {secs:>7.3f} | {n / secs:>9,.0f} | {cpu:>7.3f} | "
              f"{fit_s:>6.3f} | {rank_s:>7.3f} | {traced:>9.0f} | {rss:>11.0f} |", flush=True)

    n = args.loop_events
    returns, events = data(n)
    statsmodels_loop(returns, events.head(20))
    (loop_secs, loop_cpu), (loop_arrays, loop_tests) = timed(lambda: statsmodels_loop(returns, events), args.repeat)
    print(f"| {'statsmodels loop':<20} | {n:>9,} | {loop_secs:>7.3f} | {n / loop_secs:>9,.0f} | {loop_cpu:>7.3f} | "
          f"{'':>6} | {'':>7} | {'':>9} | {'':>11} |")
    result, tests = engine_run(returns, events)
    diff = np.nanmax(np.abs(result.arrays.evt_ar - loop_arrays.evt_ar))
    tdiff = np.nanmax(np.abs(tests["statistic"] - loop_tests["statistic"]))
    del result, tests, loop_arrays
    print()
    for k, (secs, cpu, *_) in rows.items():
        print(f"{k:>9,} events: {k / secs:,.0f} events/s wall ({k / secs / (n / loop_secs):,.0f}x the loop), "
              f"{k / cpu:,.0f} events per CPU second ({k / cpu / (n / loop_cpu):,.0f}x the loop)")
    print(f"engine vs loop: max |AR difference| = {diff:.2e}, max |test statistic difference| = {tdiff:.2e}")
    print()
    for k, (secs, cpu, fit_s, rank_s, traced) in rows.items():
        if k >= 100_000:
            print(f"TARGET {k:,} events: {k / secs:,.0f} events/s (engine + all tests), target >= 100,000 "
                  f"{verdict(100_000 / (k / secs), 1.0)}")
            print(f"TARGET {k:,} events: rank tests / fit = {rank_s / fit_s:.2f} ({rank_s:.3f} s / {fit_s:.3f} s), "
                  f"target <= 1 {verdict(rank_s / fit_s, 1.0)}")
    if args.memory_events:
        traced, rss = peak_memory(args.memory_events, args)
        print(f"TARGET {args.memory_events:,} events with all tests: peak {traced / 1024:.2f} GB traced "
              f"({rss / 1024:.2f} GB peak resident), target <= 2 GB {verdict(max(traced, rss) / 1024, 2.0)}")
    print(machine_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
