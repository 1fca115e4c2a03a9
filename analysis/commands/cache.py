"""``python -m analysis cache list|clear``: show or empty the Yahoo price cache."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("cache", help="list or clear the parquet price cache",
                              description="Show the cached symbols (with their dates, fetch time and "
                                          "integrity) or delete cache files.")
    p.add_argument("action", choices=("list", "clear"), help="list the cache, or clear it")
    p.add_argument("symbols", nargs="*", metavar="SYMBOL", help="clear only these symbols")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="parquet cache folder (default: $ANALYSIS_CACHE_DIR, else the per-user cache folder)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from .. import config
    from ..data.cache import CachedYahooSource
    from ..errors import InputError

    source = CachedYahooSource(config.cache_dir(args.cache_dir), offline=True)
    if args.action == "list":
        if args.symbols:
            raise InputError(f"'cache list' takes no symbols, got {' '.join(args.symbols)}")
        table = source.entries()
        if table.empty and not source.other_files():
            print(f"cache {source.folder} is empty")
            return 0
        for r in table.itertuples(index=False):
            if r.status == "ok":
                print(f"{r.symbol:<12} {'adjusted ' if r.adjusted else ''}{r.rows:>6} rows  "
                      f"{r.first_date}..{r.last_date}  covered {r.covered_start or 'start'}..{r.covered_end}  "
                      f"fetched {r.fetched_at}  yfinance {r.yfinance_version}")
            else:
                print(f"{r.symbol:<12} BAD      {r.detail}")
        others = source.other_files()
        print(f"{len(table)} files in {source.folder}"
              + (f"; {len(others)} other files the cache did not write left alone (e.g. {others[0].name})"
                 if others else ""))
        return 0
    removed = source.clear(args.symbols or None)
    others = source.other_files()
    print(f"removed {len(removed)} files from {source.folder}"
          + (f"; {len(others)} files the cache did not write left alone (e.g. {others[0].name})"
             if others else ""))
    return 0
