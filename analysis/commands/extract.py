"""``python -m analysis extract FILE``: news text (article and/or headline list) to an events CSV."""

from __future__ import annotations

import argparse

from ._options import add_cache_options, add_overwrite_option
from ._output import emit_text


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "extract", help="turn news text into an events table (one row per listing)",
        description="Read an article, a list of headlines (one per line) or both, and write the events "
                    "table (event_id, company, ticker, exchange, market, role, listed, event_date, "
                    "announced_at, time_of_day, date_source, evidence) as CSV. Studies use the "
                    "rows with role 'subject' and listed 'true'. Headlines naming no company are "
                    "reported on standard error.")
    p.add_argument("file", metavar="FILE", help="UTF-8 text file ('-' reads standard input)")
    p.add_argument("--published", metavar="TS", default=None,
                   help="publication date or time, ISO (2021-03-26 or 2021-03-25T20:15-04:00); "
                        "resolves weekday words such as 'Thursday'")
    p.add_argument("--tz", metavar="ZONE", default=None,
                   help="IANA time zone of the publication (e.g. America/New_York)")
    p.add_argument("--out", metavar="FILE", default=None, help="write the CSV here instead of standard output")
    add_overwrite_option(p)
    p.add_argument("--subjects", action="store_true",
                   help="write only the listed subjects (the rows a study uses; readable by 'batch' as is)")
    p.add_argument("--companies", metavar="FILE", action="append", default=None,
                   help="your own company table (CSV: name, aliases, listings, listed, kind), repeatable; "
                        "also ANALYSIS_COMPANIES. Names not in any table are looked up with Yahoo's search "
                        "when online (cached), else listed as notes")
    add_cache_options(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from ..data.textfile import read_utf8
    from ..events.extract import subjects, to_csv_text
    from ..files import spreadsheet_safe
    from ._output import check_output_file

    if args.out:
        check_output_file(args.out, overwrite=args.overwrite)     # refused before any work
    if args.file == "-":
        text = sys.stdin.read()
    else:
        text = read_utf8(Path(args.file).expanduser(), "news file")
    events = _extract(text, args)
    for item_id, headline in events.attrs.get("skipped", []):
        print(f"warning: {item_id}: no company named, no event: {headline}", file=sys.stderr)
    n_subject = len(subjects(events))
    if args.subjects:
        events = subjects(events)
        if events.empty:
            print("warning: no listed subject company found: the events table is empty", file=sys.stderr)
    # news text may begin with '=' or '+': cells a spreadsheet would run are neutralised
    emit_text(to_csv_text(spreadsheet_safe(events)), args.out,
              f"wrote {len(events)} rows ({n_subject} listed subjects)", overwrite=args.overwrite,
              command="extract")
    return 0


def _extract(text: str, args: argparse.Namespace):
    """Extract; names no table knows are looked up (online, cached) and the text read again with
    them; those left unresolved are listed as notes on standard error."""
    import sys

    from .. import config
    from ..events.companies import universe
    from ..events.extract import extract_events
    from ..events.lookup import lookup_names

    def run_once():
        known = universe(args.companies, cache_dir=args.cache_dir)
        return extract_events(text, published=args.published, tz=args.tz, companies=known)

    events = run_once()
    for note in events.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    names = [name for _, name in events.attrs.get("unresolved", [])]
    if not names:
        return events
    offline = config.offline(args.offline)
    found, left = lookup_names(names, cache_dir=args.cache_dir, offline=offline)
    if any(found.values()):
        events = run_once()
    explained = {name for _, name, *_ in events.attrs.get("foreign", [])}     # its note names the country
    for name in left:
        if name in explained:
            continue
        why = ("offline" if offline else "Yahoo's search found no listing" if name in found
               else "Yahoo's search could not be reached; asked again next time")
        print(f"note: {name!r} is in no company table ({why}): no event; add it with --companies FILE",
              file=sys.stderr)
    return events
