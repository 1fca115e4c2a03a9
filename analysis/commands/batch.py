"""``python -m analysis batch EVENTS.csv --out DIR``: a sample of events, every cross-event test.

Reads the events with :func:`analysis.events.table.read_events` and runs the pipeline
(:func:`analysis.core.pipeline.run_study`: listed subjects of an extracted table, timing, each
symbol loaded once, price checks, the engine), then writes ``abnormal_returns.csv``,
``car.csv``, ``aar.csv``, ``tests.csv`` (every test for each CAR window, all events and each
group), ``diagnostics.csv``, the AAR/CAAR figures ``aar_caar.*`` (``aar_caar_<group>.*`` per
group) and, with ``--xlsx``, every table in ``results.xlsx`` (one sheet each), as one output set
(:class:`analysis.files.OutputSet`: all files or none, a manifest written last). With
``--format parquet`` the per-event tables (abnormal returns, CARs, diagnostics) are parquet
files that keep their types. ``--measure volume`` or ``--measure volatility`` writes the tables
of that measure instead (``commands/_measures.py``); ``--volatility-benchmark garch`` measures
volatility against the GARCH(1,1) forecast of each event's conditional variance.

``--dask ADDRESS|local[:N]`` runs the same study on a Dask cluster
(:mod:`analysis.core.distributed`): the same ``aar.csv``, ``tests.csv`` and figure; the
per-event tables are parquet datasets, one file per partition, in ``diagnostics/``,
``abnormal_returns/`` and ``car/``.
"""

from __future__ import annotations

from ._options import (add_data_options, add_figure_options, add_measure_option, add_model_options,
                       add_overwrite_option, add_policy_option, add_source_options, add_window_options, car_windows,
                       figure_settings, measure_settings, source_settings, study_settings)
from ._output import TABLE_FORMATS, say_left_out


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help="many events: AR, CAR, AAR/CAAR, every cross-event test, a figure",
        description="Event study of a sample of events (a CSV with ticker, market, event_date...).")
    p.add_argument("events", metavar="EVENTS.csv", help="events table (see analysis.events.table)")
    add_model_options(p)
    add_window_options(p)
    add_source_options(p)
    add_policy_option(p)
    add_data_options(p)
    add_measure_option(p)
    p.add_argument("--out", metavar="DIR", required=True,
                   help="output folder (new, empty, or written by analysis before)")
    add_overwrite_option(p)
    p.add_argument("--format", choices=TABLE_FORMATS, default="csv",
                   help="per-event tables (abnormal returns, CARs, diagnostics) as CSV (default) or "
                        "parquet (types kept)")
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    p.add_argument("--dask", metavar="ADDRESS|local[:N]", default=None,
                   help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' / "
                        "'local:N' worker processes on this machine; per-event tables are written as "
                        "parquet datasets (docs/scaling.md)")
    p.add_argument("--adjust", metavar="METHOD", default=None,
                   help="multiple-testing adjustment of each test's p-values over the CAR windows and "
                        "groups in tests.csv (column p_adjusted): holm, fdr_bh, bonferroni, ... "
                        "(statsmodels.stats.multitest)")
    p.add_argument("--xlsx", action="store_true",
                   help="also write every table into DIR/results.xlsx, one sheet per table")
    add_figure_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..figures.worker import FigureWorkers
    from ..files import OutputSet

    OutputSet.check(args.out, overwrite=args.overwrite)      # refused before any work
    # the AAR/CAAR figures are drawn by a helper process, started now: it imports matplotlib
    # while this one imports the pipeline and runs the study, and draws while the tables are
    # written (the same files, in the same staging folder)
    with FigureWorkers(0 if args.no_figure or args.dask or args.measure != "returns" else 1) as workers:
        return _run(args, workers)


def _run(args, workers) -> int:
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from ..errors import EventError
    from ..events.table import read_events
    from ..files import OutputSet
    from ._output import write_table
    from ..core.pipeline import run_study

    if args.adjust is not None:
        from ..core.statistics import ADJUST_METHODS
        from ..errors import InputError

        if args.adjust not in ADJUST_METHODS:
            raise InputError(f"--adjust {args.adjust!r}: use one of {', '.join(ADJUST_METHODS)}")
    figure_options = figure_settings(args)          # checked before the study runs
    if args.xlsx and args.measure != "returns":
        from ..errors import InputError
        raise InputError(f"--xlsx writes the abnormal-return tables; --measure {args.measure} writes CSV only")
    measure = measure_settings(args)                # checked before the study runs
    events = read_events(args.events)
    if args.dask:
        if args.measure != "returns":
            from ..errors import InputError
            raise InputError(f"--measure {args.measure} runs on this machine: --dask is for abnormal returns")
        return _run_distributed(args, events, figure_options)
    study = run_study(events, **study_settings(args), **source_settings(args), **measure)
    say_left_out(study, len(events))
    for symbol, reason in study.failed.items():
        print(f"warning: {reason}", file=sys.stderr)
    result = study.result
    out = Path(args.out)
    windows = car_windows(args)
    names: list[str] = []
    with OutputSet(out, overwrite=args.overwrite, command="batch") as files:
        try:
            if result.n_ok and args.measure == "returns" and not args.no_figure:
                _submit_figures(workers, result, files.dir, **figure_options)
            # the diagnostics are written by a thread (pyarrow's writer works without the
            # interpreter lock) while this one goes on; leaving the block waits for it
            with ThreadPoolExecutor(1) as writer:
                diagnostics = writer.submit(write_table, result.diagnostics, files.dir / "diagnostics",
                                            args.format)
                if result.n_ok:
                    names = _write_outputs(args, result, windows, files.dir, figure_options, workers,
                                           summary=lambda: print(result.summary(windows)))
                diagnostics = diagnostics.result().name
        except BaseException:
            workers.close()         # no worker writes on while the staging folder is removed
            raise
    if result.n_ok == 0:
        reasons = "; ".join(f"{n} {r}" for r, n in result.skipped_reasons().items())
        raise EventError(f"no event could be studied ({reasons}); see {out / diagnostics}")
    print(f"\nwrote {', '.join(names + [diagnostics])} to {out}")
    return 0


def _write_outputs(args, result, windows, out, figure_options, workers, summary=None) -> list[str]:
    """The tables and figures of the measure asked for (abnormal returns by default); the
    figures from ``workers`` (submitted by :func:`_submit_figures`); ``summary()`` (printing
    it) is called first, or while the per-event tables are written (:func:`_write_tables`)."""
    from pathlib import Path

    from ..files import figure_stem

    if args.measure != "returns":
        from ._measures import measure_figures, write_measure_tables

        if summary is not None:
            summary()
        names = write_measure_tables(result, windows, out, args.format)
        return names + ([] if args.no_figure else measure_figures(result, out, stem=figure_stem(args.measure),
                                                                   **figure_options))
    names = _write_tables(result, result.cars(windows), out, args.format, args.adjust, summary)
    if args.xlsx:
        names.append(result.to_excel(out / "results.xlsx", windows).name)
    if args.no_figure:
        return names
    return names + [Path(p).name for paths in workers.wait() for p in paths]


def _write_tables(result, cars, out, fmt: str = "csv", adjust=None, summary=None) -> list[str]:
    """abnormal_returns, car (written by a thread: pyarrow's writer works without the
    interpreter lock, 100,000 rows of floats in a few tenths of a second) while this thread calls
    ``summary()`` and computes and writes aar.csv and tests.csv (:func:`_sample_tables`)."""
    from concurrent.futures import ThreadPoolExecutor

    from ._output import write_table

    ar = result.abnormal_returns                  # built here: the thread only writes frames
    with ThreadPoolExecutor(1) as writer:         # leaving waits for it, on an error too
        per_event = [writer.submit(write_table, ar, out / "abnormal_returns", fmt),
                     writer.submit(write_table, cars, out / "car", fmt)]
        used = list(dict.fromkeys(zip(cars["window_start"].tolist(), cars["window_end"].tolist())))
        # the tests of every window in one pass per group, for the summary and tests.csv alike
        # (the summary's day-0 tests alone would be a second pass over the residuals)
        prefetch = getattr(result, "prefetch_tests", None)
        if prefetch is not None:
            prefetch(used, [None, *result.groups])
        if summary is not None:
            summary()
        _sample_tables(result, used, out, adjust)
        names = [f.result().name for f in per_event]
    return names + ["aar.csv", "tests.csv"]


def _sample_tables(result, windows, out, adjust=None) -> None:
    """aar.csv (all events, then each group) and tests.csv (every test of every window;
    ``adjust``: p-values adjusted over the windows and groups beside the raw ones)."""
    import pandas as pd

    from ..core.results import tests_table
    from ..files import spreadsheet_safe

    fmt_csv = dict(index=False, float_format="%.12g")
    aar = [result.aar().assign(group="all")]
    aar += [result.aar(group=g).assign(group=g) for g in result.groups]
    aar = pd.concat(aar, ignore_index=True)
    aar.insert(0, "group", aar.pop("group"))
    spreadsheet_safe(aar).to_csv(out / "aar.csv", **fmt_csv)
    tests = tests_table(result, windows, adjust=adjust)
    spreadsheet_safe(tests).to_csv(out / "tests.csv", **fmt_csv)


def _run_distributed(args, events, figure_options) -> int:
    """The batch on a Dask cluster: tables of the sample as CSV, per-event tables as parquet."""
    import sys
    from pathlib import Path

    from ..core.pipeline import run_study
    from ..errors import EventError, InputError

    if args.xlsx:
        raise InputError("--xlsx goes without --dask: a cluster's per-event tables are parquet datasets "
                         "(an Excel sheet holds at most 1,048,576 rows)")
    from ..files import OutputSet

    out = Path(args.out)
    # the workers write the per-event datasets into the staging folder (on a cluster it must be a
    # folder every worker sees, as --out is): all files appear together, with a manifest, or none
    with OutputSet(out, overwrite=args.overwrite, command="batch") as files:
        study = run_study(events, client=args.dask, out=files.dir, windows=car_windows(args),
                          **study_settings(args), **source_settings(args))
        say_left_out(study, len(events))
        for symbol, reason in study.failed.items():
            print(f"warning: {reason}", file=sys.stderr)
        result = study.result
        # the datasets were written into the staging folder; the record names where they end up
        result.settings["dask"]["output"] = str(out)
        names = ["diagnostics/"]
        if result.n_ok:
            print(result.summary(car_windows(args)))
            _sample_tables(result, result.windows, files.dir, args.adjust)
            names = ["aar.csv", "tests.csv", "diagnostics/", "abnormal_returns/", "car/"]
            if not args.no_figure:                # drawn here (no helper process beside a cluster)
                from ..figures.worker import FigureWorkers

                with FigureWorkers(0) as here:
                    _submit_figures(here, result, files.dir, **figure_options)
                    names += [Path(p).name for paths in here.wait() for p in paths]
    if result.n_ok == 0:             # the diagnostics dataset is kept: it says why
        reasons = "; ".join(f"{n} {r}" for r, n in result.skipped_reasons().items())
        raise EventError(f"no event could be studied ({reasons}); see {out / 'diagnostics'}")
    print(f"\nwrote {', '.join(names)} to {out} ({result.settings['dask']['partitions']} partitions)")
    return 0


def _submit_figures(workers, result, out, **options) -> None:
    """The AAR/CAAR figures (all events, then each group), handed to ``workers`` (:class:`analysis.figures.worker.FigureWorkers`)
    with a snapshot of what they draw; :meth:`~analysis.figures.worker.FigureWorkers.wait` gives their paths."""
    from ..figures.worker import FigureData
    from ..files import figure_stem, figure_stems

    data = FigureData(result, groups=[None, *result.groups])
    workers.submit("aar_figure", data, out_dir=out, stem=figure_stem("aar_caar"), **options)
    stems = figure_stems("aar_caar", result.groups)         # distinct names, case-insensitively
    for g in result.groups:
        workers.submit("aar_figure", data, out_dir=out, stem=stems[g], group=g, **options)
