"""Speed of the event-study engine: events per second with every cross-event test.

    .venv/bin/python benchmarks/bench_engine.py                 # 1k, 10k, 100k events
    .venv/bin/python benchmarks/bench_engine.py --sizes 1000 10000 --repeat 3

For each size: ``run_event_study`` (market model, estimation window (-260, -11) = 250 days,
event window (-10, 10) = 21 days) followed by ``result.tests((-1, 1))`` (all eleven tests),
wall and CPU time (best of ``--repeat``), events per second and the peak memory traced by tracemalloc
(numpy buffers included) in a separate run. Then the same study done the straightforward way,
one statsmodels OLS per event in a Python loop, on ``--loop-events`` events, and the speed-up.
The loop's abnormal returns are checked against the engine's (max abs difference printed).

Synthetic data generated here (i.i.d. normal returns on a business-day calendar): the script
measures speed, not finance.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    """Best wall time and best process CPU time over ``repeat`` runs, and the last output.

    On a shared machine the CPU time (time.process_time) is the steadier figure: it does not
    count the time other processes hold the cores.
    """
    wall = cpu = np.inf
    out = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return (wall, cpu), out


def peak_memory(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


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
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per size (best kept)")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
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
          f"event window {list(EVT)} (21 days), all 11 tests over {list(TEST_WINDOW)}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}")
    print(f"panel: {args.stocks:,} stocks x {args.days:,} business days"
          + (", one event per stock" if args.one_per_stock else ", random stock-date events"))
    print()
    header = (f"{'method':<22}{'events':>9}{'wall s':>9}{'events/s':>11}{'CPU s':>9}{'events/CPU s':>14}"
              f"{'peak MB':>9}")
    print(header)
    print("-" * len(header))
    rows = {}
    for n in args.sizes:
        returns, events = data(n)
        engine_run(returns, events.head(50))               # warm-up (imports, caches)
        (secs, cpu), (result, tests) = timed(lambda: engine_run(returns, events), args.repeat)
        peak = np.nan if args.no_memory else peak_memory(lambda: engine_run(returns, events)) / 2**20
        rows[n] = (secs, cpu)
        print(f"{'engine + all tests':<22}{result.n_ok:>9,}{secs:>9.3f}{n / secs:>11,.0f}{cpu:>9.3f}"
              f"{n / cpu:>14,.0f}{peak:>9.0f}")
        del result, tests

    n = args.loop_events
    returns, events = data(n)
    (loop_secs, loop_cpu), (loop_arrays, loop_tests) = timed(lambda: statsmodels_loop(returns, events), 1)
    print(f"{'statsmodels loop':<22}{n:>9,}{loop_secs:>9.3f}{n / loop_secs:>11,.0f}{loop_cpu:>9.3f}"
          f"{n / loop_cpu:>14,.0f}{'':>9}")
    result, tests = engine_run(returns, events)
    diff = np.nanmax(np.abs(result.arrays.evt_ar - loop_arrays.evt_ar))
    tdiff = np.nanmax(np.abs(tests["statistic"] - loop_tests["statistic"]))
    print()
    if n in rows:
        print(f"speed-up over the statsmodels loop at {n:,} events: {loop_secs / rows[n][0]:,.0f}x wall, "
              f"{loop_cpu / rows[n][1]:,.0f}x CPU")
    for k, (secs, cpu) in rows.items():
        print(f"{k:>9,} events: {k / secs:,.0f} events/s wall ({k / secs / (n / loop_secs):,.0f}x the loop), "
              f"{k / cpu:,.0f} events per CPU second ({k / cpu / (n / loop_cpu):,.0f}x the loop)")
    print(f"engine vs loop: max |AR difference| = {diff:.2e}, max |test statistic difference| = {tdiff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
