"""Thin-trading models against the market model: betas on a simulated asynchronous pair whose
true beta is known, and on real Hong Kong stocks against an index that closes after them.

    ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python benchmarks/thin_trading.py

Part 1 (synthetic, known beta 1.2): the index's day t is a_t + b_t, where b_t happens after the
stocks' close; stock i's day t is beta_i (a_t + b_{t-1}) + e_it (it sees b a day late), with
var(a) = var(b). OLS on the same-day index return estimates beta var(a) / var(a + b) = beta / 2;
Dimson's sum of slopes and the Scholes-Williams beta are consistent for beta. 500 pairs, one
event each, 250-day estimation windows.

Part 2 (real data): the ``.HK`` stocks of the price folder (2800.HK, a tracker ETF, left out),
one event each at several dates, against ^HSI (same hours) and ^GSPC (New York closes after
Hong Kong: a Hong Kong stock reacts to the S&P 500's day t on its day t + 1). Median beta of the
market model, Dimson (one lag and one lead) and Scholes-Williams, and the median R^2 gain of
Dimson over the market model.

The tables are written between the markers of ``--out`` (docs/validation.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analysis import config  # noqa: E402

from _markers import write_between  # noqa: E402

BEGIN = "<!-- thin-trading models table: begin (written by benchmarks/thin_trading.py) -->"
END = "<!-- thin-trading models table: end -->"
MODELS = ("market", "dimson", "scholes_williams")
EST, EVT = (-250, -11), (-10, 10)
DATES = ("2017-06-30", "2019-06-28", "2021-06-30", "2023-06-30")


def synthetic(n_pairs: int, seed: int, beta: float = 1.2) -> dict:
    from analysis import run_event_study

    rng = np.random.default_rng(seed)
    n_days = 600
    dates = pd.bdate_range("2015-01-01", periods=n_days)
    a, b = rng.normal(0, 0.007, n_days), rng.normal(0, 0.007, n_days)
    betas = beta + rng.normal(0, 0.2, n_pairs)
    r = (a + np.r_[0.0, b[:-1]])[:, None] * betas + rng.normal(0, 0.015, (n_days, n_pairs))
    frame = pd.DataFrame(r, index=dates, columns=[f"S{i:04d}" for i in range(n_pairs)])
    frame["MKT"] = a + b
    events = pd.DataFrame({"ticker": frame.columns[:n_pairs], "market": "MKT",
                           "event_date": dates[rng.integers(280, n_days - 20, n_pairs)]})
    out = {}
    for model in MODELS:
        res = run_event_study(events, frame, model=model, estimation_window=EST, event_window=EVT)
        err = res.diagnostics["beta"].to_numpy() - betas
        out[model] = (float(np.mean(err)), float(np.std(err, ddof=1) / np.sqrt(len(err))),
                      float(np.sqrt(np.mean(err ** 2))))
    return out


def real(prices_dir: Path, exclude=("2800.HK",)) -> dict:
    from analysis.core.pipeline import run_study
    from analysis.data.prices import CsvFolderSource

    stocks = sorted(p.stem for p in prices_dir.glob("*.HK.csv") if p.stem not in exclude)
    source = CsvFolderSource(prices_dir)
    out = {}
    for market in ("^HSI", "^GSPC"):
        events = pd.DataFrame([{"ticker": s, "market": market, "event_date": d} for s in stocks for d in DATES])
        diag = {}
        for model in MODELS:
            study = run_study(events, source=source, model=model, estimation_window=EST, event_window=EVT,
                              progress=False)
            diag[model] = study.result.diagnostics.set_index("event_id")
        ok = np.logical_and.reduce([d["status"] == "ok" for d in diag.values()])
        out[market] = {"n": int(ok.sum()),
                       **{m: float(np.median(d.loc[ok, "beta"])) for m, d in diag.items()},
                       "r2_gain": float(np.median(diag["dimson"].loc[ok, "r2"] - diag["market"].loc[ok, "r2"])),
                       "lag": float(np.median(diag["dimson"].loc[ok, "beta_market_lag1"]))}
    return out


def markdown(syn: dict, rl: dict, *, n_pairs: int, seed: int, seconds: float) -> str:
    lines = [BEGIN, "",
             f"Synthetic asynchronous pairs (true beta 1.2 on average, known per pair; {n_pairs} pairs, "
             f"seed {seed}): beta estimate minus true beta.", "",
             "| model | mean error | its standard error | root mean square error |", "|---|---:|---:|---:|"]
    for m in MODELS:
        mean, se, rmse = syn[m]
        lines.append(f"| `{m}` | {mean:+.3f} | {se:.3f} | {rmse:.3f} |")
    lines += ["", f"Real Hong Kong stocks, one event at each of {', '.join(DATES)} "
              f"(estimation window [{EST[0]}, {EST[1]}]): median beta.", "",
              "| index | events | `market` | `dimson` | `scholes_williams` | Dimson lag-1 slope | "
              "median R^2 gain of `dimson` |", "|---|---:|---:|---:|---:|---:|---:|"]
    for market, r in rl.items():
        lines.append(f"| {market} | {r['n']} | {r['market']:.3f} | {r['dimson']:.3f} | {r['scholes_williams']:.3f} "
                     f"| {r['lag']:.3f} | {r['r2_gain']:+.3f} |")
    lines += ["", f"Command: `ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python "
              f"benchmarks/thin_trading.py --pairs {n_pairs} --seed {seed}` ({seconds:.0f} s)", "", END]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prices-dir", default=None)
    ap.add_argument("--pairs", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1977)
    ap.add_argument("--out", default=str(ROOT / "docs" / "validation.md"))
    args = ap.parse_args(argv)
    prices_dir = config.prices_dir(args.prices_dir)
    if prices_dir is None:
        print("error: no prices folder: pass --prices-dir or set ANALYSIS_PRICES_DIR", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    block = markdown(synthetic(args.pairs, args.seed), real(Path(prices_dir)), n_pairs=args.pairs,
                     seed=args.seed, seconds=time.perf_counter() - t0)
    print(block)
    out = Path(args.out)
    write_between(out, BEGIN, END, block)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
