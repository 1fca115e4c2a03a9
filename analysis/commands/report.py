"""``python -m analysis report --events FILE --out DIR``: one self-contained HTML report."""

from __future__ import annotations

import argparse

from ._options import add_source_options, add_window_options, car_windows

MODELS = ("market", "market_adjusted", "constant_mean", "ff3", "carhart4", "ff5")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="study an events CSV and write one self-contained HTML report",
        description="Time the events, run the study and write DIR/report.html (figures embedded, "
                    "tables, settings, diagnostics) with the figures under DIR/figures/.")
    p.add_argument("--events", required=True, metavar="FILE",
                   help="events CSV (ticker and event_date or announced_at; optional event_id, market, group...)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--title", default=None, help="report title (default: from the events file name)")
    p.add_argument("--model", choices=MODELS, default="market", help="normal-return model (default: market)")
    p.add_argument("--factors", metavar="FILE", default=None, help="Ken French daily factor CSV (factor models)")
    p.add_argument("--test-window", nargs=2, type=int, metavar=("T1", "T2"), default=(-1, 1),
                   help="window of the cross-event tests (default: -1 1)")
    p.add_argument("--policy", choices=("next", "previous", "error"), default="next",
                   help="event on a non-trading day: next session (default), previous, or error")
    p.add_argument("--pdf", action="store_true", help="also write every figure as PDF")
    add_source_options(p)
    add_window_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..events.table import read_events
    from ..data.prices import open_source
    from ..figures.report import prepare_study, write_report

    events = read_events(args.events)
    source = open_source(prices_dir=args.prices_dir, cache_dir=args.cache_dir, offline=args.offline)
    factors = None
    if args.factors:
        from ..data.factors import read_french_factors
        factors = read_french_factors(args.factors)
    prepared = prepare_study(events, source=source, policy=args.policy, model=args.model,
                             estimation_window=tuple(args.estimation), event_window=tuple(args.window),
                             min_estimation_obs=args.min_estimation_obs, returns_kind=args.returns,
                             factors=factors)
    from ..events.contamination import limit_flags
    from ..figures.report import limit_marks, sample_warnings

    windows = dict(estimation_window=tuple(args.estimation), event_window=tuple(args.window))
    warnings = prepared.warnings + sample_warnings(prepared.events, **windows)
    marks = limit_marks(limit_flags(prepared.events, source, event_window=tuple(args.window)))
    title = args.title or f"Event study: {Path(args.events).stem}"
    path = write_report(prepared.result, args.out, title=title, prices=prepared.prices,
                        events=prepared.events, warnings=warnings, marks=marks,
                        car_windows=car_windows(args), test_window=tuple(args.test_window),
                        formats=("png", "svg", "pdf") if args.pdf else ("png", "svg"))
    diag = prepared.result.diagnostics
    n_ok = int((diag["status"] == "ok").sum())
    print(f"{n_ok} of {len(diag)} events studied; report written to {path}")
    return 0
