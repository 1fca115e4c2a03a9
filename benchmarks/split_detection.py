"""How often the small-split check (``analysis.data.quality.split_suspects``) finds an unadjusted
3:2, 4:3, 5:4, 6:5 or 11:10 split, and how often it flags a real day.

    ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python benchmarks/split_detection.py

False positives: every stock file of the prices folder, net of its exchange's index, as the
study reads it (a day flagged there would skip the real events around it). Detection: the same
files with a factor applied from ``--days`` random days on (every price divided by the factor,
or multiplied for the reverse split, volume unchanged, as in the review's synthetic file).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from analysis.data.exchanges import default_market
from analysis.data.prices import CsvFolderSource
from analysis.data.quality import SMALL_SPLITS, split_suspects

PRICES = ("Open", "High", "Low", "Close", "Adj Close")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=4, help="random split days per stock, factor and direction")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    src = CsvFolderSource(os.environ.get("ANALYSIS_PRICES_DIR", "../shared/data/prices"))
    rng = np.random.default_rng(args.seed)
    flagged, stocks = [], 0
    found = {f: [0, 0] for f in SMALL_SPLITS}
    for sym in src.symbols():
        try:
            market = default_market(sym)
        except Exception:
            continue
        if market == sym or market not in src.symbols():
            continue
        frame, index = src.load(sym), src.load(market)
        stocks += 1
        flagged += [(sym, str(d.date())) for d in split_suspects(frame, index).index]
        for a, b in SMALL_SPLITS:
            for sign in (1, -1):
                for day in rng.choice(np.arange(80, len(frame) - 5), args.days, replace=False):
                    g = frame.copy()
                    for c in PRICES:
                        v = g[c].to_numpy(dtype=float).copy()
                        v[day:] /= (a / b) ** sign
                        g[c] = v
                    found[(a, b)][0] += int(frame.index[day] in split_suspects(g, index).index)
                    found[(a, b)][1] += 1
    print(f"real files: {stocks} stocks net of their index, {len(flagged)} days flagged {flagged}")
    print("found: " + ", ".join(f"{a}:{b} {h}/{n} = {h / n:.0%}" for (a, b), (h, n) in found.items()))


if __name__ == "__main__":
    main()
