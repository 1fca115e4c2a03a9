"""``python -m analysis notebook``: the one-ticker notebook report, or run given notebooks."""

from __future__ import annotations

import argparse

from ._options import (add_figure_options, add_model_options, add_overwrite_option, add_window_options,
                       figure_settings)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "notebook", help="execute the one-ticker notebook (or given notebooks) into reports/ with HTML",
        description="With --ticker: execute notebooks/02-new-ticker.ipynb with papermill into "
                    "reports/<TICKER>_<DATE>.ipynb plus an HTML report, figures under "
                    "figures/<TICKER>_<DATE>/. With --run: execute the given notebooks with their "
                    "default parameters into reports/. With --refresh: execute the given notebooks "
                    "in place (their committed outputs) and write their HTML reports into reports/.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--ticker", help="Yahoo symbol of the stock, e.g. 1810.HK")
    what.add_argument("--run", nargs="+", metavar="NOTEBOOK", help="notebooks to execute as they are")
    what.add_argument("--refresh", nargs="+", metavar="NOTEBOOK",
                      help="notebooks to execute in place, so they open with their outputs (make demo)")
    p.add_argument("--market", default=None,
                   help="benchmark symbol (default: the index of the ticker's exchange)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--event-date", default=None, help="announcement date YYYY-MM-DD")
    when.add_argument("--announced-at", default=None,
                      help="announcement time with offset, e.g. 2021-03-26T12:30+08:00")
    add_model_options(p, factors=False)
    add_window_options(p, car=False, returns=False)
    p.add_argument("--prices-dir", metavar="DIR", default=None,
                   help="folder of <SYMBOL>.csv files (default: $ANALYSIS_PRICES_DIR, else Yahoo via the cache)")
    p.add_argument("--out", metavar="DIR", default="reports", help="executed notebooks and HTML (default: reports)")
    add_overwrite_option(p)
    p.add_argument("--figures", metavar="DIR", default="figures", help="figure folder (default: figures)")
    p.add_argument("--no-html", action="store_true", help="skip the HTML report")
    p.add_argument("--show-code", action="store_true",
                   help="the HTML report opens with the code shown (default: hidden, a tick box shows it)")
    add_figure_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..figures.notebook import as_given, refresh_outputs, run_notebooks, run_study_notebook

    figures = figure_settings(args)
    html = not args.no_html
    if args.refresh:
        done = refresh_outputs(args.refresh, reports_dir=args.out if html else None, show_code=args.show_code,
                               overwrite=args.overwrite)
    elif args.run:
        done = run_notebooks(args.run, reports_dir=args.out, figures_dir=args.figures, html=html,
                             figure_options=figures, show_code=args.show_code, overwrite=args.overwrite)
    else:
        if not (args.event_date or args.announced_at):
            raise InputError("give --event-date or --announced-at with --ticker")
        done = [run_study_notebook(args.ticker, args.market, args.event_date, announced_at=args.announced_at,
                                   estimation_window=args.estimation, event_window=args.window,
                                   model=args.model, min_estimation_obs=args.min_estimation_obs,
                                   prices_dir=args.prices_dir, reports_dir=args.out,
                                   figures_dir=args.figures, html=html, figure_options=figures,
                                   show_code=args.show_code, overwrite=args.overwrite)]
    for d in done:
        print("wrote " + ", ".join(as_given(p) for p in d.values()))
    return 0

