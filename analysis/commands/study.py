"""``python -m analysis study``: one event, market model (or another), summary + tables + figure.

Writes to ``--out`` (default ``figures/<TICKER>_<DATE>/``): ``abnormal_returns.csv``,
``car.csv``, ``diagnostics.json`` (every setting, the fit, the resolved dates, the data source,
package versions) and the figures ``study.*`` (:func:`analysis.figures.plotting.study_figure`)
and, for the market model, ``estimation.*``: the same files, by the same names, as the notebook
route (``python -m analysis notebook --ticker ...``) writes into that folder.
The study itself is :func:`analysis.core.pipeline.study_one` (each price file read once).
"""

from __future__ import annotations


from ._options import (add_data_options, add_figure_options, add_model_options, add_overwrite_option,
                       add_policy_option, add_source_options, add_window_options, car_windows, figure_settings,
                       source_settings, study_settings)

TIMES_OF_DAY = ("before_open", "during", "after_close", "unknown")
FIGURE_WORKERS = 1          # the event figure in a helper, the estimation scatter here, side by side


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "study", help="one-event study: AR, CAR, t-tests, tables and a figure",
        description="Event study of one stock around one date against a market index.")
    p.add_argument("--ticker", required=True, help="Yahoo symbol of the stock, e.g. 1810.HK")
    p.add_argument("--market", default=None,
                   help="Yahoo symbol of the benchmark, e.g. ^HSI (default: the exchange's index)")
    p.add_argument("--event-date", required=True, metavar="DATE|TIME",
                   help="date of the event (YYYY-MM-DD), or the announcement time with its UTC offset "
                        "(2020-09-22T23:00-04:00), placed on the listing's calendar like announced_at")
    p.add_argument("--time-of-day", choices=TIMES_OF_DAY, default=None,
                   help="when on the event date the news came out (default: unknown = that session)")
    add_model_options(p)
    add_window_options(p)
    add_policy_option(p)
    add_data_options(p)
    add_source_options(p)
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: figures/<TICKER>_<DATE>/); new, empty, or written by "
                        "analysis before")
    add_overwrite_option(p)
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    add_figure_options(p)
    p.set_defaults(func=run)


def when_given(value: str) -> dict:
    """``--event-date`` as ``{"event_date": ...}`` or, for a time with an offset,
    ``{"announced_at": ...}``, read as an events table reads ``event_date``
    (:func:`analysis.events.table.event_when`); InputError for anything else."""
    import pandas as pd

    from ..errors import InputError
    from ..events.table import event_when

    text = str(value).strip()
    try:
        date, stamp = event_when(text)
    except InputError as exc:
        raise InputError(f"--event-date: {exc}") from None
    if stamp is not pd.NaT:
        return {"announced_at": text}
    if date is pd.NaT:
        raise InputError("--event-date is empty")
    return {"event_date": text}


def run(args) -> int:
    from ..figures.worker import FigureWorkers

    # the event's figure is drawn by a helper process, started now: it imports matplotlib while
    # this one imports the pipeline and runs the study, then draws it while this one draws the
    # estimation scatter (the same files, in the same staging folder). Measured: one helper beats
    # two (each helper imports pandas and matplotlib again; the scatter is the smaller figure)
    with FigureWorkers(0 if args.no_figure else FIGURE_WORKERS) as workers:
        return _run(args, workers)


def _run(args, workers) -> int:
    from pathlib import Path

    from ..files import OutputSet, safe_name

    when = when_given(args.event_date)
    if args.time_of_day and "announced_at" in when:
        from ..errors import InputError
        raise InputError("--time-of-day goes with a date; a time with offset already says when")
    if args.out:
        OutputSet.check(args.out, overwrite=args.overwrite)     # refused before any work
    settings = study_settings(args)
    figure_options = figure_settings(args)          # checked before the study runs
    from ..core.pipeline import study_one

    study = study_one(args.ticker, args.market, time_of_day=args.time_of_day, **when,
                      **settings, **source_settings(args))
    result = study.result
    windows = car_windows(args)
    cars = result.cars(windows)               # validates the CAR windows before writing anything
    print(day0_line(study))
    print(result.summary(windows))
    stem = f"{safe_name(args.ticker)}_{result.diagnostics['requested_date'].iloc[0]:%Y-%m-%d}"
    out = Path(args.out) if args.out else Path("figures") / stem
    with OutputSet(out, overwrite=args.overwrite, command="study") as files:
        try:
            if not args.no_figure:
                _figure(study, files.dir, workers, **figure_options)
            names = _write_tables(result, cars, files.dir)
            if not args.no_figure:
                names += [Path(p).name for paths in workers.wait() for p in paths]
        except BaseException:
            workers.close()         # no worker writes on while the staging folder is removed
            raise
        names.append("diagnostics.json")
        _write_diagnostics(study, cars, args, files.path("diagnostics.json"), names)
    print(f"\nwrote {', '.join(names)} to {out}")
    return 0


def day0_line(study) -> str:
    """The header's day 0: the session the study used (the engine's, which is later than the
    calendar's when the market or the stock did not trade that day) and how it was chosen."""
    import pandas as pd

    timed = study.events.iloc[0]
    d = study.result.diagnostics.iloc[0]
    used, placed = pd.Timestamp(d["day0"]), pd.Timestamp(timed["day0"])
    how = f"{timed['day0_rule']}; {timed['calendar']} calendar"
    if pd.isna(used) or used == placed:
        return f"day 0: {placed:%Y-%m-%d} ({how})"
    moved = [part.split(": ", 1)[1].split(": day 0 is")[0]
             for part in str(d.get("warning_details") or "").split("; ") if part.startswith("day0_moved: ")]
    why = moved[0] if moved else "the stock and the market did not both trade that day"
    return f"day 0: {used:%Y-%m-%d} (the calendar gave {placed:%Y-%m-%d}: {how}; moved later: {why})"


def _write_tables(result, cars, out) -> list[str]:
    from ..files import spreadsheet_safe

    ar = result.abnormal_returns.drop(columns=["event_id"])
    ar = spreadsheet_safe(ar)
    ar.to_csv(out / "abnormal_returns.csv", index=False, date_format="%Y-%m-%d", float_format="%.12g")
    car = cars.drop(columns=["event_id", "scar"]).rename(columns={"t": "car_t", "p": "car_p"})
    car.insert(car.columns.get_loc("car_p") + 1, "t", car["car_t"])
    car.insert(car.columns.get_loc("t") + 1, "p", car["car_p"])
    spreadsheet_safe(car).to_csv(out / "car.csv", index=False, float_format="%.12g")
    return ["abnormal_returns.csv", "car.csv"]


def _figure(study, out, workers, **options) -> None:
    """Hand the figures to ``workers`` (:class:`analysis.figures.worker.FigureWorkers`, drawn
    in this process when it has none): the event's figure and, for the market model, the
    estimation-window scatter; ``workers.wait()`` gives their paths."""
    from ..figures.worker import FigureData
    from ..files import figure_stem

    result = study.result
    event_id = result.event_ids[0]
    d = result.diagnostics.iloc[0]
    prices = {"stock": study.prices.get(d["ticker"]), "market": study.prices.get(d["market"])}
    market_model = result.settings["model"] == "market"
    data = FigureData(result, event_id=event_id, estimation=market_model)
    workers.submit("study_figure", data, event_id, prices=prices, out_dir=out, stem=figure_stem("study"),
                   marks=study.marks(event_id), **options)
    if market_model:
        workers.submit("estimation_figure", data, event_id, out_dir=out, stem=figure_stem("estimation"),
                       **options)


def _write_diagnostics(study, cars, args, path, files) -> None:
    from pathlib import Path

    import pandas as pd

    from ._output import clean, write_json

    result = study.result
    d = result.diagnostics.iloc[0]
    event_id = result.event_ids[0]
    rows = result.abnormal_returns
    fit_info = {key: clean(d[key]) for key in ("alpha", "beta", "s", "r2", "m", "k")}
    fit_info["df"] = int(d["m"]) - int(d["k"])
    if result.arrays.k and result.estimates.spec.is_ols:
        fit = result.fit_table(event_id)           # the OLS numbers without importing statsmodels
        fit_info["params"] = {k: float(v) for k, v in fit["params"].items()}
        fit_info["standard_errors"] = {k: float(v) for k, v in fit["bse"].items()}
        fit_info["t"] = {k: float(v) for k, v in fit["t"].items()}
    timed = study.events.iloc[0]
    car = cars.drop(columns=["event_id", "scar"])
    payload = {
        "command": "study",
        "event": {
            "event_id": event_id, "ticker": d["ticker"], "market": d["market"],
            "event_date": clean(d["event_date"]), "announced_at": clean(timed.get("announced_at")),
            "requested_date": clean(d["requested_date"]), "day0": clean(d["day0"]),
            "day0_shifted": bool(d["day0_shifted"]), "day0_rule": timed["day0_rule"],
            "calendar": timed["calendar"],
            "estimation_start": clean(d["estimation_start"]), "estimation_end": clean(d["estimation_end"]),
            "event_window_start": clean(pd.Timestamp(rows["date"].iloc[0])),
            "event_window_end": clean(pd.Timestamp(rows["date"].iloc[-1])),
        },
        "settings": {**{k: v for k, v in result.settings.items() if k != "versions"},
                     "car_windows": [[int(a), int(b)] for a, b in
                                     cars[["window_start", "window_end"]].drop_duplicates().to_numpy()],
                     "factor_files": [Path(f).name for f in (args.factors or [])]},
        "fit": fit_info,
        "car": [{k: clean(v) for k, v in r.items()} for r in car.to_dict("records")],
        "data_source": result.settings.get("source_name"),
        "warnings": study.warnings,
        "versions": result.settings["versions"],
        "files": files,
    }
    write_json(path, payload)
