"""``python -m analysis fetch SYMBOL... --start DATE --end DATE``: fill the Yahoo price cache."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "fetch", help="download daily prices from Yahoo Finance into the parquet cache",
        description="Download daily prices of SYMBOLs from Yahoo Finance into the parquet cache "
                    "(only the part not cached yet, unless --refresh). Symbols that fail are "
                    "listed by name; the others are cached.")
    p.add_argument("symbols", nargs="+", metavar="SYMBOL", help="Yahoo symbols, e.g. 1810.HK ^HSI")
    p.add_argument("--start", metavar="DATE", default=None, help="first date YYYY-MM-DD (default: all history)")
    p.add_argument("--end", metavar="DATE", default=None, help="last date YYYY-MM-DD, inclusive (default: today)")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="parquet cache folder (default: $ANALYSIS_CACHE_DIR, else the per-user cache folder)")
    p.add_argument("--refresh", action="store_true", help="download the whole range again")
    p.add_argument("--adjusted", action="store_true",
                   help="auto-adjusted OHLC (yfinance auto_adjust=True; Adj Close = Close) in a separate cache file")
    p.add_argument("--offline", action="store_true", default=None,
                   help="never touch the network (also ANALYSIS_OFFLINE=1): only report what is cached")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    import sys

    from .. import config
    from ..data.cache import CachedYahooSource
    from ..data.prices import date_range_bounds, validate_symbol
    from ..data.yahoo import OFFLINE_HINT
    from ..errors import DownloadError

    symbols = [validate_symbol(s) for s in args.symbols]
    date_range_bounds(args.start, args.end)
    source = CachedYahooSource(config.cache_dir(args.cache_dir), offline=config.offline(args.offline),
                               adjusted=args.adjusted)
    report = source.fetch(symbols, args.start, args.end, refresh=args.refresh, progress=True)
    for note in source.notes:
        print(f"note: {note}", file=sys.stderr)
    for r in report.itertuples(index=False):
        span = f"{r.first_date.date()}..{r.last_date.date()}" if r.rows else "-"
        print(f"{r.symbol:<12} {r.status:<10} {r.rows:>6} rows  {span}" + (f"  {r.detail}" if r.detail else ""))
    failed = report[report["status"] == "failed"]
    if len(failed):
        hint = f"; {OFFLINE_HINT}" if failed["network"].any() else ""
        by_reason: dict[str, list[str]] = {}          # one cause shared by many symbols is said once
        for s, d in zip(failed["symbol"], failed["detail"]):
            by_reason.setdefault(d, []).append(s)
        raise DownloadError(f"{len(failed)} of {len(report)} symbols failed: "
                            + "; ".join(f"{', '.join(syms)}: {d}" for d, syms in by_reason.items()) + hint)
    print(f"cache: {source.folder}")
    return 0
