"""``python -m analysis longrun EVENTS.csv --out DIR``: did the stocks keep drifting after the news?

Buy-and-hold abnormal returns over a long window (default days 1 to 250 after day 0) with the
skewness-adjusted and bootstrapped t of Lyon, Barber & Tsai (1999) (:mod:`analysis.core.bhar`),
and calendar-time portfolios of the same events with their alpha (:mod:`analysis.core.calendar_time`).
The events go through the pipeline (:func:`analysis.core.pipeline.run_study`: timing, each
symbol loaded once, the price checks). Writes ``bhar.csv`` (every event, its BHAR or why not),
``bhar_path.csv`` (mean BHAR after each day with its band), ``bhar_tests.csv`` (all events and
each group), ``calendar_time.csv`` (the portfolio by period), ``calendar_time_alpha.csv``,
``calendar_time_coefficients.csv``, ``calendar_time_events.csv`` and the two figures.
"""

from __future__ import annotations

from ._options import add_policy_option, add_source_options, source_settings


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
    p.add_argument("--out", metavar="DIR", required=True, help="output folder")
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    import pandas as pd

    from ..core.calendar_time import calendar_time
    from ..core.pipeline import load_prices, price_panel, run_study
    from ..data.quality import apply_stale
    from ..data.sources import open_source
    from ..errors import EventError, InputError
    from ..events.table import read_events
    from ..windows import DEFAULT_STALE
    from ._output import say_left_out

    events = read_events(args.events)
    if args.calendar_time != "none" and args.ct_model != "market" and not args.factors:
        raise InputError(f"--ct-model {args.ct_model} needs a factor table: --factors FILE (Ken French "
                         f"daily factor files)")
    settings = source_settings(args)
    source = open_source(**settings)
    extra = {}
    if args.benchmark != "market":                 # before the study: a bad symbol fails fast
        extra, failed = load_prices(source, [args.benchmark], progress=False)
        if failed:
            raise EventError(f"benchmark {args.benchmark}: {failed[args.benchmark]}")
    study = run_study(events, source=source, policy=args.policy)
    say_left_out(study, len(events))
    for reason in study.failed.values():
        print(f"warning: {reason}", file=sys.stderr)
    # the benchmark's flat zero-volume bars count as no trade, as the study's prices do
    frames = {**{k: apply_stale(f, DEFAULT_STALE) for k, f in extra.items()}, **study.prices}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fmt = dict(index=False, float_format="%.12g")
    stem = Path(args.events).stem
    bhar = study.result.bhar(tuple(args.window), benchmark=args.benchmark, delisting=args.delisting,
                             prices=price_panel(frames), n_boot=args.bootstrap, seed=args.seed)
    bhar.table.to_csv(out / "bhar.csv", date_format="%Y-%m-%d", **fmt)
    files = ["bhar.csv"]
    print(bhar.summary())
    if bhar.n_ok:
        bhar.path().to_csv(out / "bhar_path.csv", **fmt)
        groups = [None] + sorted(bhar.bhar["group"].dropna().unique()) if "group" in bhar.bhar else [None]
        tests = pd.concat([bhar.tests(group=g).reset_index().assign(group="all" if g is None else g)
                           for g in groups], ignore_index=True)
        tests.insert(0, "group", tests.pop("group"))
        tests.to_csv(out / "bhar_tests.csv", **fmt)
        files += ["bhar_path.csv", "bhar_tests.csv"]
        if not args.no_figure:
            from ..figures.measures import bhar_figure

            files += [Path(p).name for p in bhar_figure(bhar, out_dir=out, stem=f"bhar_{stem}")]
    if args.calendar_time != "none":
        ct = calendar_time(study, frequency=args.calendar_time, window=args.ct_window or (
            tuple(args.window) if args.calendar_time == "daily" else None), model=args.ct_model,
            factors=args.factors, cov_type="nonrobust" if args.newey_west is None else "HAC",
            hac_lags=None if args.newey_west in (None, -1) else args.newey_west, min_firms=args.min_firms)
        print()
        print(ct.summary())
        ct.portfolio.to_csv(out / "calendar_time.csv", date_format="%Y-%m-%d", **fmt)
        ct.alphas.reset_index().to_csv(out / "calendar_time_alpha.csv", **fmt)
        ct.coefficients.to_csv(out / "calendar_time_coefficients.csv", **fmt)
        ct.table.to_csv(out / "calendar_time_events.csv", date_format="%Y-%m-%d", **fmt)
        files += ["calendar_time.csv", "calendar_time_alpha.csv", "calendar_time_coefficients.csv",
                  "calendar_time_events.csv"]
        if not args.no_figure:
            from ..figures.measures import calendar_time_figure

            files += [Path(p).name for p in calendar_time_figure(ct, out_dir=out, stem=f"calendar_time_{stem}")]
    print(f"\nwrote {', '.join(files)} to {out}")
    return 0
