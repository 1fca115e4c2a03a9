"""``python -m analysis timing EVENTS.csv``: day 0 of every event on its listing's exchange calendar."""

from __future__ import annotations

import argparse

from ._options import add_overwrite_option, add_policy_option

SHOWN = ["event_id", "ticker", "market", "calendar", "announced_at", "time_of_day", "requested_date",
         "day0", "day0_rule"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "timing", help="place each event's day 0 on its exchange calendar",
        description="Resolve day 0 of each event (one row per listing) on the listing's exchange "
                    "calendar: announced_at or event_date + time_of_day, holidays, half days and "
                    "lunch breaks from exchange_calendars. Prints requested and resolved dates; "
                    "--out writes the events table with the timing columns as CSV.")
    p.add_argument("events", metavar="EVENTS.csv", help="events table (ticker, event_date or announced_at, ...)")
    add_policy_option(p)
    p.add_argument("--calendar", metavar="NAME", default=None,
                   help="exchange_calendars name for tickers whose suffix is unknown (e.g. XHKG)")
    p.add_argument("--out", metavar="FILE", default=None, help="write the timed events table as CSV")
    add_overwrite_option(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    import sys

    from ..events.table import read_events
    from ..events.timing import time_events
    from ._output import check_output_file, output_file, table_text, write_csv

    if args.out:
        check_output_file(args.out, overwrite=args.overwrite)     # refused before any work
    timed = time_events(read_events(args.events), policy=args.policy, calendar=args.calendar)
    print(table_text(timed, SHOWN))
    if args.out:
        with output_file(args.out, overwrite=args.overwrite, command="timing") as path:
            write_csv(timed, path)
        print(f"wrote {len(timed)} events to {args.out}", file=sys.stderr)
    failed = timed[timed["timing_error"].notna()]
    for eid, msg in zip(failed["event_id"], failed["timing_error"]):
        print(f"error: event {eid}: {msg}", file=sys.stderr)
    if len(failed):
        print(f"error: {len(failed)} of {len(timed)} events could not be timed", file=sys.stderr)
        return 2
    shifted = int((timed["day0"] != timed["requested_date"]).sum())
    print(f"{len(timed)} events timed; {shifted} moved from the requested date "
          f"(policy {args.policy!r})", file=sys.stderr)
    return 0
