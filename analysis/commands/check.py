"""``python -m analysis check EVENTS.csv``: confounded, contaminated and clustered events, price limits."""

from __future__ import annotations

import argparse

from ._options import add_overwrite_option, add_policy_option, add_source_options, add_window_options


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "check", help="flag confounded/contaminated events, calendar clustering and price-limit days",
        description="Before a study: flag events whose event window holds other news of the same "
                    "company (confounded) or whose estimation window does (contaminated), counted "
                    "in sessions of each listing's calendar; measure calendar clustering and say "
                    "whether to use the Kolari-Pynnonen adjusted tests; with --price-limits, flag "
                    "A-share event-window days that closed at the daily limit. Only the subjects "
                    "are checked when the table has a role column (as extract writes it).")
    p.add_argument("events", metavar="EVENTS.csv", help="events table (ticker, event_date or announced_at, ...)")
    p.add_argument("--other-dates", metavar="FILE", default=None,
                   help="CSV of other known dates: ticker and/or company, date, kind (earnings, dividend...)")
    add_policy_option(p)
    p.add_argument("--threshold", type=float, default=0.10, metavar="SHARE",
                   help="share of events sharing day 0 above which the sample is clustered (default 0.10)")
    p.add_argument("--price-limits", action="store_true",
                   help="load prices (see price source options) and flag A-share limit-up/down days")
    p.add_argument("--out", metavar="FILE", default=None, help="write the per-event flags as CSV")
    p.add_argument("--exclusions", metavar="FILE", default=None,
                   help="write the estimation-window dates to drop (event_id, date: the sessions -1..+1 "
                        "around each other news item) as CSV")
    add_overwrite_option(p)
    add_window_options(p, car=False, returns=False)
    add_source_options(p)
    p.set_defaults(func=run)
    return p


def _read_other(path):
    from pathlib import Path

    import pandas as pd

    from ..errors import InputError

    target = Path(path).expanduser()
    try:
        return pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"other dates file does not exist: {target}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read other dates file {target}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    import sys

    from ..events.contamination import clustering, confounding, exclusions, limit_flags, validate_other_dates
    from ..events.table import left_out_note, read_events, split_subjects
    from ..events.timing import time_events
    from ._output import check_output_file, output_file, table_text, write_csv

    for target in (args.out, args.exclusions):
        if target:
            check_output_file(target, overwrite=args.overwrite)     # refused before any work
    events = read_events(args.events)
    n_read = len(events)
    events, dropped = split_subjects(events)
    note = left_out_note(dropped, n_read)
    if note:
        print(f"note: {note}", file=sys.stderr)
    other = validate_other_dates(_read_other(args.other_dates)) if args.other_dates else None
    timed = time_events(events, policy=args.policy)
    est, win = tuple(args.estimation), tuple(args.window)

    flags = confounding(timed, other, estimation_window=est, event_window=win)
    print(f"events: {len(timed)}; estimation window {est}, event window {win} (sessions of each "
          "listing's calendar)")
    bad = timed[timed["timing_error"].notna()]
    if len(bad):
        print(f"\ncould not be timed ({len(bad)}):")
        print(table_text(bad, ["event_id", "ticker", "timing_error"]))
    conf = flags[flags["confounded"].fillna(False).astype(bool)]
    print(f"\nconfounded: other news of the company inside the event window ({len(conf)}):")
    print(table_text(conf, ["event_id", "ticker", "day0", "confounded_by"]))
    cont = flags[flags["contaminated"].fillna(False).astype(bool)]
    print(f"\ncontaminated: other news inside the estimation window ({len(cont)}):")
    print(table_text(cont, ["event_id", "ticker", "day0", "contaminated_by"]))
    if len(cont):
        print("(drop those days from the estimation window: --exclusions FILE, or "
              "analysis.events.contamination.exclusions -> run_event_study(exclude=...))")

    c = clustering(timed, event_window=win, threshold=args.threshold)
    print(f"\n{c.summary()}")
    if len(c.by_day0):
        print(table_text(c.by_day0.head(10), ["day0", "n", "event_ids"]))

    if args.price_limits:
        from ..data.sources import open_source

        source = open_source(args.prices_dir, args.cache_dir, args.offline)
        limits = limit_flags(timed, source, event_window=win)
        hits = limits[limits["side"].notna()]
        print(f"\nprice-limit closes in the event window ({len(hits)}; abnormal returns censored):")
        print(table_text(hits, ["event_id", "ticker", "relative_day", "date", "close", "limit_price", "side"]))
        for eid, note in zip(limits.loc[limits["side"].isna(), "event_id"], limits.loc[limits["side"].isna(), "note"]):
            print(f"warning: event {eid}: no price-limit check: {note}", file=sys.stderr)

    if args.out:
        with output_file(args.out, overwrite=args.overwrite, command="check") as path:
            write_csv(flags, path)
        print(f"wrote {len(flags)} rows to {args.out}", file=sys.stderr)
    if args.exclusions:
        dropped = exclusions(timed, other, estimation_window=est, event_window=win)
        with output_file(args.exclusions, overwrite=args.overwrite, command="check") as path:
            write_csv(dropped, path)
        print(f"wrote {len(dropped)} estimation-window dates to drop to {args.exclusions}", file=sys.stderr)
    return 0
