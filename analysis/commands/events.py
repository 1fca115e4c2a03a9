"""``python -m analysis events earnings TICKER [--since D]``: events from Yahoo's earnings calendar."""

from __future__ import annotations

import argparse

from ._options import add_cache_options, add_overwrite_option
from ._output import emit_text


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "events", help="events tables from sources other than news text (earnings calendar)",
        description="Make an events table without news text.")
    sub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    e = sub.add_parser(
        "earnings", help="a company's past earnings announcements (Yahoo's earnings calendar)",
        description="Turn Yahoo's earnings calendar for TICKER (yfinance get_earnings_dates) into an events "
                    "table: one row per past announcement, with its time (announced_at) when Yahoo gives one "
                    "and where it falls on the listing's exchange calendar (time_of_day). The answer is "
                    "cached (<cache_dir>/earnings/TICKER.json) and read offline.")
    e.add_argument("ticker", metavar="TICKER", help="Yahoo symbol, e.g. NVDA, 0700.HK")
    e.add_argument("--since", metavar="D", default=None, help="only announcements on or after this date (YYYY-MM-DD)")
    e.add_argument("--refresh", action="store_true", help="ask Yahoo again even when cached")
    e.add_argument("--out", metavar="FILE", default=None, help="write the CSV here instead of standard output")
    add_overwrite_option(e)
    add_cache_options(e)
    e.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    import sys

    from ..events.earnings import earnings_events, load_earnings_dates, parse_since
    from ..events.extract import to_csv_text
    from ..files import spreadsheet_safe
    from ._output import check_output_file

    if args.out:
        check_output_file(args.out, overwrite=args.overwrite)     # refused before any work
    since = parse_since(args.since)
    frame = load_earnings_dates(args.ticker, cache_dir=args.cache_dir, offline=args.offline, refresh=args.refresh)
    events = earnings_events(frame, args.ticker, since=since)
    if events.empty:
        print(f"warning: no past earnings announcements for {args.ticker}"
              + (f" since {since:%Y-%m-%d}" if since is not None else ""), file=sys.stderr)
    emit_text(to_csv_text(spreadsheet_safe(events)), args.out, f"wrote {len(events)} earnings events for {args.ticker}",
              overwrite=args.overwrite, command="events")
    return 0
