"""``python -m analysis longrun EVENTS.csv --out DIR``: did the stocks keep drifting after the news?

Buy-and-hold abnormal returns over a long window (default days 1 to 250 after day 0) with the
skewness-adjusted and bootstrapped t of Lyon, Barber & Tsai (1999) (:mod:`analysis.core.bhar`),
and calendar-time portfolios of the same events with their alpha (:mod:`analysis.core.calendar_time`).
The events go through the pipeline (:func:`analysis.core.pipeline.run_study`: timing, each
symbol loaded once, the price checks), and the price checks run again over each event's holding
window (:mod:`analysis.core.holding`: a split-like jump or a non-finite return there skips the
event, ``--jumps keep`` keeps it with a warning; duplicates are judged over the holding window).
Writes ``bhar.csv`` (every event, its BHAR or why not), ``bhar_path.csv`` (mean BHAR after each
day with its band), ``bhar_tests.csv`` (all events and each group), ``calendar_time.csv`` (the
portfolio by period), ``calendar_time_alpha.csv``, ``calendar_time_coefficients.csv``,
``calendar_time_events.csv`` and the figures ``bhar.*`` (``bhar_<group>.*`` per group) and
``calendar_time.*``, as one output set (:class:`analysis.files.OutputSet`: all files or none, a
manifest written last, a folder holding files analysis did not write refused unless
``--overwrite``), text cells spreadsheet-safe (:func:`analysis.commands._output.write_table`).
"""

from __future__ import annotations

from ._options import (add_data_options, add_figure_options, add_overwrite_option, add_policy_option,
                       add_source_options, figure_settings, source_settings)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "longrun", help="long-run drift: buy-and-hold abnormal returns and calendar-time portfolios",
        description="Buy-and-hold abnormal returns (Lyon, Barber & Tsai 1999) and calendar-time portfolio "
                    "alphas (Mitchell & Stafford 2000) of a sample of events.")
    p.add_argument("events", metavar="EVENTS.csv", help="events table (see analysis.events.table)")
    g = p.add_argument_group("buy-and-hold abnormal returns")
    g.add_argument("--window", nargs=2, type=int, metavar=("T1", "T2"), default=(1, 250),
                   help="holding window in trading days after day 0 (default: 1 250, one year)")
    g.add_argument("--benchmark", default="market", metavar="SYMBOL",
                   help="benchmark: 'market' (each event's market, default) or a symbol of the price source")
    g.add_argument("--delisting", choices=("benchmark", "truncate", "skip"), default="benchmark",
                   help="prices ending inside the window: reinvest in the benchmark (default), end both "
                        "legs there, or leave the event out")
    g.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="bootstrap resamples of the skewness-adjusted t (default: 1000)")
    g.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default: 0)")
    c = p.add_argument_group("calendar-time portfolios")
    c.add_argument("--calendar-time", choices=("daily", "monthly", "none"), default="daily",
                   help="portfolio frequency, or none (default: daily)")
    c.add_argument("--ct-window", nargs=2, type=int, metavar=("T1", "T2"), default=None,
                   help="periods held after day 0 (default: the BHAR window for daily, 1 12 for monthly)")
    c.add_argument("--ct-model", choices=("market", "ff3", "carhart4"), default="market",
                   help="regression: the events' market (default) or Fama-French/Carhart factors (--factors)")
    c.add_argument("--factors", nargs="+", metavar="FILE", default=None,
                   help="Ken French daily factor file(s) for ff3/carhart4 (US factors)")
    c.add_argument("--newey-west", nargs="?", type=int, const=-1, default=None, metavar="LAGS",
                   help="Newey-West standard errors (LAGS, default floor(4 (T/100)^(2/9)))")
    c.add_argument("--min-firms", type=int, default=1, metavar="N",
                   help="periods with fewer stocks held are left out of the regression (default: 1)")
    add_source_options(p)
    add_policy_option(p)
    add_data_options(p, estimation=False)
    p.add_argument("--out", metavar="DIR", required=True,
                   help="output folder (new, empty, or written by analysis before)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="tables (BHAR per event, paths, tests, calendar-time portfolio) as CSV (default) or "
                        "parquet (types kept)")
    add_overwrite_option(p)
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    add_figure_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    from ..core.pipeline import load_prices, price_panel, run_study
    from ..data.quality import apply_stale
    from ..data.sources import open_source
    from ..errors import EventError, InputError
    from ..events.table import read_events
    from ..files import OutputSet
    from ._output import say_left_out

    OutputSet.check(args.out, overwrite=args.overwrite)      # refused before any work
    figure_options = figure_settings(args)                   # checked before the study runs
    if args.calendar_time != "none" and args.ct_model != "market" and not args.factors:
        raise InputError(f"--ct-model {args.ct_model} needs a factor table: --factors FILE (Ken French "
                         f"daily factor files)")
    events = read_events(args.events)
    source = open_source(**source_settings(args))
    extra = {}
    if args.benchmark != "market":                 # before the study: a bad symbol fails fast
        extra, failed = load_prices(source, [args.benchmark], progress=False)
        if failed:
            raise EventError(f"benchmark {args.benchmark}: {failed[args.benchmark]}")
    study = run_study(events, source=source, policy=args.policy, stale=args.stale, jumps=args.jumps,
                      max_day0_delay=args.max_day0_delay)
    say_left_out(study, len(events))
    for reason in study.failed.values():
        print(f"warning: {reason}", file=sys.stderr)
    # the benchmark's flat zero-volume bars count as no trade when the study's prices do
    frames = {**{k: apply_stale(f, args.stale) for k, f in extra.items()}, **study.prices}
    bhar = study.result.bhar(tuple(args.window), benchmark=args.benchmark, delisting=args.delisting,
                             prices=price_panel(frames), n_boot=args.bootstrap, seed=args.seed)
    print(bhar.summary())
    ct = _calendar_time(args, study) if bhar.n_ok and args.calendar_time != "none" else None
    out = Path(args.out)
    with OutputSet(out, overwrite=args.overwrite, command="longrun") as files:
        names = _write_bhar(bhar, files.dir, None if args.no_figure else figure_options, args.format)
        if ct is not None:
            names += _write_calendar_time(ct, files.dir, None if args.no_figure else figure_options, args.format)
    if not bhar.n_ok:
        reasons = "; ".join(f"{e}: {r}" for e, r in zip(bhar.table["event_id"][:3], bhar.table["reason"][:3]))
        raise EventError(f"no event has a BHAR ({reasons}); see {out / ('bhar.' + args.format)}")
    print(f"\nwrote {', '.join(names)} to {out}")
    return 0


def _calendar_time(args, study):
    from ..core.calendar_time import calendar_time

    ct = calendar_time(study, frequency=args.calendar_time, window=args.ct_window or (
        tuple(args.window) if args.calendar_time == "daily" else None), model=args.ct_model,
        factors=args.factors, cov_type="nonrobust" if args.newey_west is None else "HAC",
        hac_lags=None if args.newey_west in (None, -1) else args.newey_west, min_firms=args.min_firms)
    print()
    print(ct.summary())
    return ct


def _write_bhar(bhar, out, figure_options, fmt: str = "csv") -> list[str]:
    """bhar.csv (every event), and with a BHAR: bhar_path.csv, bhar_tests.csv (all events, then
    each group) and the figures (all events, then each group); returns the names."""
    from pathlib import Path

    import pandas as pd

    from ..files import figure_stem
    from ._output import write_table

    names = [write_table(bhar.table, out / "bhar", fmt).name]
    if not bhar.n_ok:
        return names
    groups = sorted(bhar.bhar["group"].dropna().unique()) if "group" in bhar.bhar else []
    tests = pd.concat([bhar.tests(group=g).reset_index().assign(group="all" if g is None else g)
                       for g in [None, *groups]], ignore_index=True)
    tests.insert(0, "group", tests.pop("group"))
    names += [write_table(bhar.path(), out / "bhar_path", fmt).name, write_table(tests, out / "bhar_tests", fmt).name]
    if figure_options is not None:
        from ..figures.measures import bhar_figure

        for g in [None, *groups]:
            names += [Path(p).name for p in bhar_figure(bhar, out_dir=out, stem=figure_stem("bhar", g), group=g,
                                                        **figure_options)]
    return names


def _write_calendar_time(ct, out, figure_options, fmt: str = "csv") -> list[str]:
    """The portfolio by period, its alpha and coefficients, the events' periods, the figure."""
    from pathlib import Path

    from ..files import figure_stem
    from ._output import write_table

    names = [write_table(table, out / name, fmt).name for table, name in (
        (ct.portfolio, "calendar_time"), (ct.alphas.reset_index(), "calendar_time_alpha"),
        (ct.coefficients, "calendar_time_coefficients"), (ct.table, "calendar_time_events"))]
    if figure_options is not None:
        from ..figures.measures import calendar_time_figure

        names += [Path(p).name for p in calendar_time_figure(ct, out_dir=out, stem=figure_stem("calendar_time"),
                                                             **figure_options)]
    return names
