"""Options shared by several commands, so that a setting has one flag everywhere."""

from __future__ import annotations

import argparse


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """--prices-dir / --cache-dir / --offline: where prices come from (see analysis.config)."""
    g = parser.add_argument_group("price source")
    g.add_argument("--prices-dir", metavar="DIR", default=None,
                   help="folder of <SYMBOL>.csv files (default: $ANALYSIS_PRICES_DIR, else Yahoo via the cache)")
    g.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="parquet cache for Yahoo downloads (default: $ANALYSIS_CACHE_DIR or data/cache)")
    g.add_argument("--offline", action="store_true", default=None,
                   help="never touch the network (also ANALYSIS_OFFLINE=1)")


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """--estimation / --window / --car / --returns / --min-estimation-obs."""
    g = parser.add_argument_group("windows (trading days relative to day 0)")
    g.add_argument("--estimation", nargs=2, type=int, metavar=("T1", "T2"), default=(-260, -11),
                   help="estimation window (default: -260 -11)")
    g.add_argument("--window", nargs=2, type=int, metavar=("T1", "T2"), default=(-10, 10),
                   help="event window (default: -10 10)")
    g.add_argument("--car", nargs=2, type=int, action="append", metavar=("T1", "T2"), default=None,
                   help="CAR window, repeatable (default: 0 0, -1 1, -5 5, -10 10)")
    g.add_argument("--returns", choices=("simple", "log"), default="simple",
                   help="return definition (default: simple)")
    g.add_argument("--min-estimation-obs", type=int, default=100, metavar="N",
                   help="fewest estimation returns accepted (default: 100)")


def car_windows(args: argparse.Namespace) -> list[tuple[int, int]] | None:
    """The --car windows, or None: the defaults that fit the event window (analysis.windows)."""
    return [tuple(w) for w in args.car] if args.car else None
