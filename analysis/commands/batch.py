"""``python -m analysis batch EVENTS.csv --out DIR``: a sample of events, every cross-event test.

Reads the events with :func:`analysis.events.table.read_events` and runs the pipeline
(:func:`analysis.core.pipeline.run_study`: listed subjects of an extracted table, timing, each
symbol loaded once, price checks, the engine), then writes ``abnormal_returns.csv``,
``car.csv``, ``aar.csv``, ``tests.csv`` (every test for each CAR window, all events and each
group), ``diagnostics.csv`` and the AAR/CAAR figure (PNG + SVG). ``--measure volume`` or
``--measure volatility`` writes the tables of that measure instead (``commands/_measures.py``).

``--dask ADDRESS|local[:N]`` runs the same study on a Dask cluster
(:mod:`analysis.core.distributed`): the same ``aar.csv``, ``tests.csv`` and figure; the
per-event tables are parquet datasets, one file per partition, in ``diagnostics/``,
``abnormal_returns/`` and ``car/``.
"""

from __future__ import annotations

from ._options import (add_data_options, add_measure_option, add_model_options, add_policy_option,
                       add_source_options, add_window_options, car_windows, source_settings, study_settings)


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
    p.add_argument("--out", metavar="DIR", required=True, help="output folder")
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    p.add_argument("--dask", metavar="ADDRESS|local[:N]", default=None,
                   help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' / "
                        "'local:N' worker processes on this machine; per-event tables are written as "
                        "parquet datasets (docs/scaling.md)")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    from ..core.pipeline import run_study
    from ..errors import EventError
    from ..events.table import read_events

    events = read_events(args.events)
    if args.dask:
        if args.measure != "returns":
            from ..errors import InputError
            raise InputError(f"--measure {args.measure} runs on this machine: --dask is for abnormal returns")
        return _run_distributed(args, events)
    study = run_study(events, **study_settings(args), **source_settings(args), measure=args.measure)
    n_subjects = len(study.events)
    if n_subjects < len(events):
        print(f"{len(events) - n_subjects} of {len(events)} rows are not listed subjects of the news: left out")
    for symbol, reason in study.failed.items():
        print(f"warning: {reason}", file=sys.stderr)
    result = study.result
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result.diagnostics.to_csv(out / "diagnostics.csv", index=False, date_format="%Y-%m-%d")
    if result.n_ok == 0:
        reasons = "; ".join(f"{n} {r}" for r, n in result.skipped_reasons().items())
        raise EventError(f"no event could be studied ({reasons}); see {out / 'diagnostics.csv'}")
    windows = car_windows(args)
    print(result.summary(windows))
    if args.measure != "returns":
        from ._measures import measure_figures, write_measure_tables

        files = write_measure_tables(result, windows, out)
        if not args.no_figure:
            files += measure_figures(result, out, stem=f"{args.measure}_{Path(args.events).stem}")
        print(f"\nwrote {', '.join(files)} to {out}")
        return 0
    files = _write_tables(result, result.cars(windows), out)
    if not args.no_figure:
        files += _figures(result, out, stem=f"aar_{Path(args.events).stem}")
    print(f"\nwrote {', '.join(files)} to {out}")
    return 0


def _write_tables(result, cars, out) -> list[str]:
    import pandas as pd

    fmt = dict(index=False, float_format="%.12g")
    result.abnormal_returns.to_csv(out / "abnormal_returns.csv", date_format="%Y-%m-%d", **fmt)
    cars.to_csv(out / "car.csv", **fmt)
    used = list(dict.fromkeys(zip(cars["window_start"].tolist(), cars["window_end"].tolist())))
    _sample_tables(result, used, out)
    return ["abnormal_returns.csv", "car.csv", "aar.csv", "tests.csv", "diagnostics.csv"]


def _sample_tables(result, windows, out) -> None:
    """aar.csv (all events, then each group) and tests.csv (every test of every window)."""
    import pandas as pd

    fmt = dict(index=False, float_format="%.12g")
    aar = [result.aar().assign(group="all")]
    aar += [result.aar(group=g).assign(group=g) for g in result.groups]
    aar = pd.concat(aar, ignore_index=True)
    aar.insert(0, "group", aar.pop("group"))
    aar.to_csv(out / "aar.csv", **fmt)
    tests = pd.concat([result.tests_by_group(w) for w in windows], ignore_index=True)
    tests.to_csv(out / "tests.csv", **fmt)


def _run_distributed(args, events) -> int:
    """The batch on a Dask cluster: tables of the sample as CSV, per-event tables as parquet."""
    import sys
    from pathlib import Path

    from ..core.pipeline import run_study
    from ..errors import EventError

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    study = run_study(events, client=args.dask, out=out, windows=car_windows(args), **study_settings(args),
                      **source_settings(args))
    for symbol, reason in study.failed.items():
        print(f"warning: {reason}", file=sys.stderr)
    result = study.result
    if result.n_ok == 0:
        reasons = "; ".join(f"{n} {r}" for r, n in result.skipped_reasons().items())
        raise EventError(f"no event could be studied ({reasons}); see {out / 'diagnostics'}")
    print(result.summary(car_windows(args)))
    _sample_tables(result, result.windows, out)
    files = ["aar.csv", "tests.csv", "diagnostics/", "abnormal_returns/", "car/"]
    if not args.no_figure:
        files += _figures(result, out, stem=f"aar_{Path(args.events).stem}")
    print(f"\nwrote {', '.join(files)} to {out} ({result.settings['dask']['partitions']} partitions)")
    return 0


def _figures(result, out, stem: str) -> list[str]:
    from pathlib import Path

    from ..figures.plotting import aar_figure
    from ..files import safe_name

    files = [Path(p).name for p in aar_figure(result, out_dir=out, stem=stem)]
    for g in result.groups:
        name = f"{stem}_{safe_name(g, fallback='group')}"
        files += [Path(p).name for p in aar_figure(result, out_dir=out, stem=name, group=g)]
    return files
