"""Scale of the distributed study: events per second and memory per worker on a LocalCluster.

    .venv/bin/python benchmarks/bench_dask.py                               # 5,000 stocks x 25 years
    .venv/bin/python benchmarks/bench_dask.py --stocks 500 --years 5 --sizes 20000 200000

SYNTHETIC DATA (speed and memory, not finance): a universe of ``--stocks`` stocks and a market
index over ``--years`` years of business days, prices from i.i.d. normal returns with a
market factor, written once as a parquet dataset (symbol, Date, Close, Adj Close) in a cache
folder outside the repository (``--data``, default ``~/.cache/analysis-bench``) and reused.
Events are random (stock, date) pairs.

For each size in ``--sizes``: ``run_event_study(events, source=ParquetDatasetSource(...),
client=<LocalCluster>)`` on a fresh ``LocalCluster(--workers, 1 thread each)``, market model,
estimation window (-260, -11), event window (-10, 10), all seventeen tests over (-1, 1), per-event
tables (diagnostics, CARs) written as parquet datasets into a temporary folder, partitions of
``--partition`` events, every partition studied again in round 2 (``keep_bytes=0``: memory per
worker bounded by a partition). Printed: wall time, events/s, the peak resident memory of each
worker process (``ru_maxrss``) and of the client. Then, for the sizes up to ``--single-max``,
the same study in one process (a separate Python process: the panel of every stock loaded,
``run_event_study(prices=panel)``), its wall time and peak memory, and the ratio. The tests of
the two runs are compared (largest difference printed).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EST = (-260, -11)
EVT = (-10, 10)
WINDOW = (-1, 1)


def cpu_text() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    mem = ""
    try:
        total = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
        mem = f", {total:.0f} GB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} CPUs{mem}; load average {load}"


def universe(folder: Path, stocks: int, years: int, seed: int = 0) -> Path:
    """The synthetic price dataset (written once, reused when its parameters match)."""
    from analysis.data.parquet import write_dataset

    path = folder / f"universe-{stocks}x{years}y-seed{seed}"
    marker = path / "_bench.json"
    if marker.is_file():
        return path
    shutil.rmtree(path, ignore_errors=True)
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2000-01-03", periods=years * 252)
    n = len(dates)
    rm = rng.normal(0.0003, 0.01, n)
    market = 1000 * np.exp(np.cumsum(rm))
    frames = {"MKT": pd.DataFrame({"Close": market, "Adj Close": market}, index=dates.rename("Date"))}
    t0 = time.perf_counter()
    for i in range(stocks):
        r = rng.uniform(0.5, 1.5) * rm + rng.normal(0.0, 0.02, n)
        p = 20 * np.exp(np.cumsum(r))
        frames[f"S{i:05d}"] = pd.DataFrame({"Close": p, "Adj Close": p}, index=dates.rename("Date"))
    write_dataset(frames, path, files=max(1, stocks // 100))
    marker.write_text(json.dumps({"stocks": stocks, "years": years, "seed": seed, "days": n,
                                  "synthetic": True}) + "\n")
    print(f"wrote the synthetic universe ({stocks} stocks x {n} days) to {path} in "
          f"{time.perf_counter() - t0:.0f} s")
    return path


def make_events(n_events: int, stocks: int, years: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2000-01-03", periods=years * 252)
    day0 = rng.integers(-EST[0] + 5, len(dates) - EVT[1] - 5, n_events)
    return pd.DataFrame({"event_id": np.char.add("b", np.arange(n_events).astype(str)).astype(object),
                         "ticker": np.char.add("S", np.char.zfill(rng.integers(0, stocks, n_events)
                                                                 .astype(str), 5)).astype(object),
                         "market": "MKT", "event_date": dates[day0]})


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0      # Linux: kB


def _warm() -> None:
    """Import the package on a worker before timing (the one-process run imports it before too)."""
    import scipy.stats  # noqa: F401

    import analysis.core.distributed  # noqa: F401
    import analysis.core.pipeline  # noqa: F401
    import analysis.data.parquet  # noqa: F401


def run_dask(data: Path, events: pd.DataFrame, workers: int, partition: int) -> dict:
    from dask.distributed import Client, LocalCluster

    from analysis import run_event_study
    from analysis.data.parquet import ParquetDatasetSource

    env = {"ANALYSIS_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                          scheduler_port=0, host="127.0.0.1", silence_logs=logging.ERROR, env=env) as cluster, \
                Client(cluster) as client:
            client.run(_warm)
            t0 = time.perf_counter()
            result = run_event_study(events, source=ParquetDatasetSource(data), client=client, windows=[WINDOW],
                                     estimation_window=EST, event_window=EVT, out=out,
                                     tables=("diagnostics", "car"), partition_events=partition, keep_bytes=0,
                                     progress=False)
            tests = result.tests(WINDOW)        # the gathered tests are finished here (timed, as in one process)
            wall = time.perf_counter() - t0
            peaks = client.run(_peak_rss_mb)
        return {"wall": wall, "workers_mb": sorted(peaks.values()), "n_ok": result.n_ok,
                "partitions": result.settings["dask"]["partitions"], "tests": tests,
                "disk_mb": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def single(data: str, n_events: int, stocks: int, years: int) -> None:
    """One process: the Adj Close panel of every stock, then run_event_study (prints JSON)."""
    from analysis import run_event_study
    from analysis.data.parquet import ParquetDatasetSource

    events = make_events(n_events, stocks, years)
    t0 = time.perf_counter()
    src = ParquetDatasetSource(data)
    table = src.dataset().to_table(columns=["symbol", "Date", "Adj Close"]).to_pandas()
    panel = table.pivot(index="Date", columns="symbol", values="Adj Close")
    del table
    result = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT)
    tests = result.tests(WINDOW)
    cars = result.cars([WINDOW])
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": wall, "peak_mb": _peak_rss_mb(), "n_ok": result.n_ok, "rows": len(cars),
                      "tests": tests.reset_index().to_dict("list")}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stocks", type=int, default=5000)
    ap.add_argument("--years", type=int, default=25)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partition", type=int, default=20_000, help="events per partition")
    ap.add_argument("--single-max", type=int, default=500_000,
                    help="largest size also run in one process (memory permitting)")
    ap.add_argument("--data", default=str(Path.home() / ".cache" / "analysis-bench"))
    ap.add_argument("--single", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    data = universe(Path(args.data).expanduser(), args.stocks, args.years)
    if args.single is not None:
        single(str(data), args.single, args.stocks, args.years)
        return 0
    print(f"Machine: {cpu_text()}")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"SYNTHETIC universe: {args.stocks} stocks x {args.years} years of business days ({data}); "
          f"market model, estimation {list(EST)}, event window {list(EVT)}, tests over {list(WINDOW)}; "
          f"{args.workers} workers x 1 thread, {args.partition} events per partition, round 2 recomputed")
    print()
    print(f"{'events':>10} {'parts':>5} {'dask s':>8} {'events/s':>9} {'worker peak MB':>18} {'client MB':>9} "
          f"{'1-proc s':>9} {'1-proc MB':>9} {'speed-up':>8} {'max |diff|':>10}")
    for n in args.sizes:
        events = make_events(n, args.stocks, args.years)
        d = run_dask(data, events, args.workers, args.partition)
        del events
        line = (f"{n:>10,} {d['partitions']:>5} {d['wall']:>8.1f} {n / d['wall']:>9,.0f} "
                f"{' / '.join(f'{m:,.0f}' for m in d['workers_mb']):>18} {_peak_rss_mb():>9,.0f}")
        if n <= args.single_max:
            p = subprocess.run([sys.executable, __file__, "--single", str(n), "--stocks", str(args.stocks),
                                "--years", str(args.years), "--data", args.data], capture_output=True, text=True)
            if p.returncode == 0:
                s = json.loads(p.stdout.strip().splitlines()[-1])
                one = pd.DataFrame(s["tests"]).set_index("test")
                diff = float(np.nanmax(np.abs(one[["statistic", "p_value"]].to_numpy()
                                              - d["tests"][["statistic", "p_value"]].to_numpy())))
                line += f" {s['wall']:>9.1f} {s['peak_mb']:>9,.0f} {s['wall'] / d['wall']:>8.2f} {diff:>10.1e}"
            else:
                line += f"   one process failed: {p.stderr.strip().splitlines()[-1][:60]}"
        else:
            line += f" {'(not run: above --single-max)':>40}"
        print(line, flush=True)
    print(f"\nPer-event tables written as parquet datasets and removed. Machine after the runs: {cpu_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
