"""``python -m analysis report --events FILE --out DIR``: one self-contained HTML report."""

from __future__ import annotations

import argparse

from ..windows import DEFAULT_TEST_WINDOW
from ._options import (add_data_options, add_figure_options, add_model_options, add_overwrite_option,
                       add_policy_option, add_source_options, add_window_options, car_windows, figure_settings,
                       source_settings, study_settings)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="study an events CSV and write one self-contained HTML report",
        description="Time the events, run the study and write DIR/report.html (figures embedded, "
                    "tables, settings, diagnostics) with the figures under DIR/figures/.")
    p.add_argument("--events", required=True, metavar="FILE",
                   help="events CSV (ticker and event_date or announced_at; optional event_id, market, group...)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output folder (new, empty, or written by analysis before)")
    add_overwrite_option(p)
    p.add_argument("--title", default=None, help="report title (default: from the events file name)")
    add_model_options(p)
    p.add_argument("--test-window", nargs=2, type=int, metavar=("T1", "T2"), default=DEFAULT_TEST_WINDOW,
                   help="window of the cross-event tests (default: -1 1)")
    add_policy_option(p)
    add_data_options(p)
    p.add_argument("--pdf", action="store_true", help="also write every figure as PDF (as --formats png,svg,pdf)")
    add_figure_options(p)
    add_source_options(p)
    add_window_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..core.pipeline import run_study
    from ..events.table import read_events
    from ..files import OutputSet
    from ..figures.report import write_study_report
    from ..windows import car_windows as check_car_windows, validate_windows, window
    from ._output import say_left_out

    # every setting is checked before any work: a bad window is one line and exit 2, not a
    # warning inside the HTML
    _, event_window = validate_windows(args.estimation, args.window)
    test_window = window(args.test_window, "test window")
    check_car_windows([test_window], event_window)
    check_car_windows(car_windows(args), event_window)
    figure_options = figure_settings(args)
    OutputSet.check(args.out, overwrite=args.overwrite)
    events = read_events(args.events)
    study = run_study(events, **study_settings(args), **source_settings(args))
    say_left_out(study, len(events))
    title = args.title or f"Event study: {Path(args.events).stem}"
    with OutputSet(args.out, overwrite=args.overwrite, command="report") as files:
        path = write_study_report(study, files, title=title, car_windows=car_windows(args),
                                  test_window=test_window, **figure_options)
    print(f"{study.result.n_ok} of {len(study.events)} events studied; report written to {path}")
    return 0
