"""Brown & Warner (1985) style validation on real Hong Kong prices: size and power of every test.

    ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python benchmarks/brown_warner.py
    .venv/bin/python benchmarks/brown_warner.py --prices-dir ../shared/data/prices --samples 500

Random stock-date events are drawn from the ``.HK`` files of the prices folder (``--exclude``:
2800.HK, an index-tracker ETF, by default) (a stock
uniformly, then one of its trading dates with a full estimation window before it and the event
window after it, within the ^HSI coverage), in samples of ``--n`` (50) events. Each sample is
studied with the market model against ^HSI (estimation window (-260, -11), event window
(-10, 10), the package defaults) and every test of ``analysis.core.statistics`` is applied to day 0:

* size: the share of samples rejecting "mean AR = 0" at 5% (two-sided) with no abnormal return;
* power: the same after adding +0.5%, +1% and +2% to every event's day-0 return.

Adding delta to the day-0 return adds exactly delta to AR_0 (day 0 is outside the estimation
window, so the fitted model and all variances are unchanged); the script therefore adds delta
to the engine's day-0 abnormal returns instead of re-running the engine.

All samples go through one ``run_event_study`` call (the sample is the event's ``group``, and
duplicates across samples are kept: they are independent draws) and the tests are computed for
every sample at once. The table is written to ``--out`` (docs/validation.md by default) between
the markers of that file, or as a new file.

``--thin F`` (e.g. 0.15) runs the thin-trading experiment instead: a share F of each stock's
days, drawn at random, become days without a trade (the price is removed, as when a stock does
not trade), so returns span several sessions; the size of every test is reported with
trade-to-trade returns (Maynes & Rumsey 1993, the package default) and with the naive treatment
of a multi-session return as a one-session return (``trade_to_trade=False``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402
from analysis.errors import AnalysisError, ConfigError  # noqa: E402

MARKET = "^HSI"
EST = (-260, -11)
EVT = (-10, 10)
DELTAS = (0.0, 0.005, 0.01, 0.02)
BEGIN = "<!-- brown-warner table: begin (written by benchmarks/brown_warner.py) -->"
END = "<!-- brown-warner table: end -->"
THIN_BEGIN = "<!-- thin-trading table: begin (written by benchmarks/brown_warner.py --thin) -->"
THIN_END = "<!-- thin-trading table: end -->"


def load_prices(prices_dir: Path, exclude=()) -> pd.DataFrame:
    from analysis.data.prices import CsvFolderSource, load_panel

    source = CsvFolderSource(prices_dir, stale="missing")    # the study's default
    symbols = sorted(p.stem for p in Path(prices_dir).glob("*.HK.csv") if p.stem not in exclude)
    if not symbols:
        raise ConfigError(f"no .HK price files in {prices_dir}")
    return load_panel(source, symbols + [MARKET])


def draw_events(panel: pd.DataFrame, samples: int, n: int, rng, *, est=EST, evt=EVT) -> pd.DataFrame:
    """samples x n random (stock, trading date) events with room for both windows."""
    market = panel[MARKET].dropna()
    stocks = [c for c in panel.columns if c != MARKET]
    candidates = []
    for s in stocks:
        joint = panel[s].dropna().index.intersection(market.index)
        # returns start one date after the first price; keep whole windows inside the data
        lo, hi = -est[0] + 1, len(joint) - evt[1] - 1
        if hi > lo:
            candidates.append((s, joint[lo:hi]))
    stock_idx = rng.integers(0, len(candidates), samples * n)
    tickers, dates = [], []
    for k in stock_idx:
        s, days = candidates[k]
        tickers.append(s)
        dates.append(days[rng.integers(0, len(days))])
    return pd.DataFrame({
        "event_id": [f"bw{i:06d}" for i in range(samples * n)],
        "ticker": tickers, "market": MARKET, "event_date": pd.DatetimeIndex(dates),
        "group": np.repeat(np.arange(samples), n).astype(str),
    })


def rejection_table(result, window=(0, 0)) -> tuple[pd.DataFrame, np.ndarray]:
    from analysis.core.statistics import TEST_NAMES, grouped_tests

    arrays = result.arrays
    codes = pd.Series(arrays.groups).astype(int).to_numpy()
    col = arrays.columns(0, 0).start
    table = {}
    for delta in DELTAS:
        evt = arrays.evt_ar.copy()
        evt[:, col] += delta
        res = grouped_tests(replace(arrays, evt_ar=evt), window, codes)
        table[delta] = {name: float(np.mean(res[name].p_value < 0.05)) for name in TEST_NAMES}
    frame = pd.DataFrame(table).loc[list(TEST_NAMES)]
    sizes = np.bincount(codes)
    return frame, sizes


def markdown(frame: pd.DataFrame, *, samples: int, n: int, sizes, n_stocks: int, seed: int,
             seconds: float, span: tuple[str, str], skipped: int) -> str:
    se = np.sqrt(0.05 * 0.95 / samples)
    head = ("| test | size (no abnormal return) | power +0.5% | power +1% | power +2% |\n"
            "|---|---:|---:|---:|---:|")
    lines = [head]
    for name, row in frame.iterrows():
        cells = [f"{100 * v:.1f}%" for v in row.to_numpy()]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join([
        BEGIN,
        "",
        f"{samples} samples of {n} random stock-date events from {n_stocks} Hong Kong stocks "
        f"(the `.HK` files of the snapshot, the tracker ETF 2800.HK left out) "
        f"(event days {span[0]} to {span[1]}), market model against ^HSI, estimation window "
        f"[{EST[0]}, {EST[1]}], day-0 tests, rejection rate at 5% (two-sided). "
        f"Events studied per sample: min {sizes.min()}, max {sizes.max()} ({skipped} of "
        f"{samples * n} skipped by the engine). Monte Carlo standard error of a 5% rate: "
        f"{100 * se:.2f} points (95% band {100 * (0.05 - 1.96 * se):.1f}%-"
        f"{100 * (0.05 + 1.96 * se):.1f}%). Seed {seed}; {seconds:.0f} s.",
        "",
        *lines,
        "",
        f"Command: `ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python "
        f"benchmarks/brown_warner.py --samples {samples} --n {n} --seed {seed}`",
        "",
        END,
    ])


def thin(panel: pd.DataFrame, share: float, rng) -> pd.DataFrame:
    """A share of each stock's days without a trade (the market untouched)."""
    out = panel.copy()
    for col in out.columns:
        if col != MARKET:
            drop = rng.random(len(out)) < share
            out.loc[drop, col] = np.nan
    return out


def single_event_rates(t2t, naive) -> dict:
    """Share of day-0 single-event t tests rejecting at 5% among the events whose day-0 return
    spans several sessions, and among the others, with and without trade-to-trade returns."""
    out = {}
    d0 = t2t.abnormal_returns.query("relative_day == 0").set_index("event_id")
    n0 = naive.abnormal_returns.query("relative_day == 0").set_index("event_id")
    for label, ids in (("multi", d0.index[d0["sessions"] > 1]), ("one", d0.index[d0["sessions"] == 1])):
        ids = ids.intersection(n0.index)
        out[label] = (len(ids), float((d0.loc[ids, "ar_p"] < 0.05).mean()),
                      float((n0.loc[ids, "ar_p"] < 0.05).mean()))
    return out


def thin_markdown(t2t: pd.DataFrame, naive: pd.DataFrame, single: dict, *, samples, n, share, seed,
                  seconds, skipped) -> str:
    se = np.sqrt(0.05 * 0.95 / samples)
    lines = ["| test | size, trade-to-trade | size, naive one-session returns |", "|---|---:|---:|"]
    for name in t2t.index:
        lines.append(f"| `{name}` | {100 * t2t.loc[name, 0.0]:.1f}% | {100 * naive.loc[name, 0.0]:.1f}% |")
    for label, text in (("multi", "day 0 spans 2 or more sessions"), ("one", "day 0 spans one session")):
        k, a, b = single[label]
        lines.append(f"| single-event t of AR(0), {k} events whose {text} | {100 * a:.1f}% | {100 * b:.1f}% |")
    return "\n".join([
        THIN_BEGIN, "",
        f"{samples} samples of {n} random stock-date events from the Hong Kong stocks of the snapshot, "
        f"{100 * share:.0f}% of each stock's days made days without a trade at random (the market "
        f"untouched), market model against ^HSI, estimation window [{EST[0]}, {EST[1]}], day-0 tests, "
        f"rejection rate at 5% (two-sided); {skipped} of {samples * n} events skipped (thin trading "
        f"beyond max_missing_share, or day 0 moved too far). 95% band of a 5% rate: "
        f"{100 * (0.05 - 1.96 * se):.1f}%-{100 * (0.05 + 1.96 * se):.1f}%. Seed {seed}; {seconds:.0f} s.",
        "", *lines, "",
        f"Command: `ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python benchmarks/brown_warner.py "
        f"--thin {share} --samples {samples} --n {n} --seed {seed}`", "", THIN_END,
    ])


def write(out: Path, block: str, begin: str = BEGIN, end: str = END) -> None:
    if out.exists():
        text = out.read_text()
        if begin in text and end in text:
            before = text[:text.index(begin)]
            after = text[text.index(end) + len(end):]
            out.write_text(before + block + after)
            return
        out.write_text(text.rstrip() + "\n\n" + block + "\n")
        return
    out.write_text("# Validation\n\n" + block + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prices-dir", default=None,
                    help="folder of <SYMBOL>.csv (default $ANALYSIS_PRICES_DIR)")
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--n", type=int, default=50, help="events per sample")
    ap.add_argument("--seed", type=int, default=1985)
    ap.add_argument("--out", default=str(ROOT / "docs" / "validation.md"))
    ap.add_argument("--exclude", nargs="*", default=["2800.HK"],
                    help="symbols left out (default: 2800.HK, an index-tracker ETF, not a stock)")
    ap.add_argument("--thin", type=float, default=None, metavar="SHARE",
                    help="thin-trading experiment: this share of each stock's days without a trade")
    args = ap.parse_args(argv)
    if args.thin is not None:
        return main_thin(args)
    try:
        prices_dir = config.prices_dir(args.prices_dir)
        if prices_dir is None:
            raise ConfigError("no prices folder: pass --prices-dir or set ANALYSIS_PRICES_DIR")
        from analysis import run_event_study

        t0 = time.perf_counter()
        panel = load_prices(prices_dir, set(args.exclude))
        rng = np.random.default_rng(args.seed)
        events = draw_events(panel, args.samples, args.n, rng)
        print(f"{len(events)} events in {args.samples} samples from "
              f"{panel.shape[1] - 1} stocks; running the engine...", flush=True)
        result = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT,
                                 source_name=f"CSV folder {prices_dir.name}", duplicates="keep")
        frame, sizes = rejection_table(result)
        seconds = time.perf_counter() - t0
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    span = (str(events["event_date"].min().date()), str(events["event_date"].max().date()))
    block = markdown(frame, samples=args.samples, n=args.n, sizes=sizes,
                     n_stocks=panel.shape[1] - 1, seed=args.seed, seconds=seconds, span=span,
                     skipped=int(result.n_skipped))
    print(block)
    write(Path(args.out), block)
    print(f"written to {args.out}")
    return 0


def main_thin(args) -> int:
    try:
        prices_dir = config.prices_dir(args.prices_dir)
        if prices_dir is None:
            raise ConfigError("no prices folder: pass --prices-dir or set ANALYSIS_PRICES_DIR")
        from analysis import run_event_study

        t0 = time.perf_counter()
        rng = np.random.default_rng(args.seed)
        panel = thin(load_prices(prices_dir, set(args.exclude)), args.thin, rng)
        events = draw_events(panel, args.samples, args.n, rng)
        print(f"{len(events)} events, {100 * args.thin:.0f}% of days without a trade; running the engine "
              "twice...", flush=True)
        tables, results, skipped = [], [], 0
        for t2t in (True, False):
            result = run_event_study(events, prices=panel, estimation_window=EST, event_window=EVT,
                                     duplicates="keep", trade_to_trade=t2t)
            tables.append(rejection_table(result)[0])
            results.append(result)
            skipped = max(skipped, int(result.n_skipped))
        single = single_event_rates(*results)
        seconds = time.perf_counter() - t0
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    block = thin_markdown(*tables, single, samples=args.samples, n=args.n, share=args.thin, seed=args.seed,
                          seconds=seconds, skipped=skipped)
    print(block)
    write(Path(args.out), block, THIN_BEGIN, THIN_END)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
