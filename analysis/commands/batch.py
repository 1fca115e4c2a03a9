"""``python -m analysis batch EVENTS.csv --out DIR``: a sample of events, every cross-event test.

Reads the events with :func:`analysis.events.read_events` (keeping ``role == subject`` and listed
rows when those columns exist, as written by ``extract``), times them with
:func:`analysis.timing.time_events`, loads each symbol once from the price source, runs
:func:`analysis.engine.run_event_study` and writes ``abnormal_returns.csv``, ``car.csv``,
``aar.csv``, ``tests.csv`` (every test for each CAR window, all events and each group),
``diagnostics.csv`` and the AAR/CAAR figure (PNG + SVG).
"""

from __future__ import annotations

from ._options import add_source_options, add_window_options, car_windows
from .study import add_model_options, factor_table

_TRUE = {"true", "1", "yes", "y", "t"}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help="many events: AR, CAR, AAR/CAAR, every cross-event test, a figure",
        description="Event study of a sample of events (a CSV with ticker, market, event_date...).")
    p.add_argument("events", metavar="EVENTS.csv", help="events table (see analysis.events)")
    add_model_options(p)
    add_window_options(p)
    add_source_options(p)
    p.add_argument("--policy", choices=("next", "previous", "error"), default="next",
                   help="day 0 of an event on a non-trading day (default: next session)")
    p.add_argument("--out", metavar="DIR", required=True, help="output folder")
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    p.set_defaults(func=run)


def select_subjects(events):
    """Rows that are the subject of the news and listed, when extract's columns say so."""
    import pandas as pd

    keep = pd.Series(True, index=events.index)
    if "role" in events.columns:
        keep &= events["role"].astype("string").str.strip().str.lower().eq("subject").fillna(False)
    if "listed" in events.columns:
        listed = events["listed"]
        if listed.dtype != bool:
            listed = listed.astype("string").str.strip().str.lower().isin(_TRUE).fillna(False)
        keep &= listed.astype(bool)
    return events[keep.to_numpy()].reset_index(drop=True)


def load_prices(source, symbols, *, progress: bool = True):
    """Adjusted close of every symbol that loads, as a wide frame; {symbol: reason} for the rest."""
    import pandas as pd
    from tqdm.auto import tqdm

    from ..errors import DataError

    columns, failed = {}, {}
    for symbol in tqdm(symbols, desc="prices", unit="symbol", disable=not progress or len(symbols) < 20):
        try:
            columns[symbol] = source.load(symbol)["Adj Close"]
        except DataError as exc:          # unknown ticker, bad file, failed download
            failed[symbol] = str(exc)
    if not columns:
        return pd.DataFrame(), failed
    return pd.concat(columns, axis=1, sort=True).astype(float), failed


def run(args) -> int:
    import sys
    from pathlib import Path

    import pandas as pd

    from ..core.engine import run_event_study
    from ..errors import EventError
    from ..events.table import read_events
    from ..data.prices import open_source

    events = read_events(args.events)
    n_read = len(events)
    events = select_subjects(events)
    if len(events) < n_read:
        print(f"{n_read - len(events)} of {n_read} rows are not listed subjects of the news: left out")
    try:
        from ..events.timing import time_events
    except ImportError:
        time_events = None
    if time_events is not None:
        events = time_events(events, policy=args.policy)
    factors = factor_table(args, args.model)
    windows = car_windows(args) if args.car else None    # None: the defaults inside the window
    source = open_source(prices_dir=args.prices_dir, cache_dir=args.cache_dir, offline=args.offline)
    symbols = [s for s in pd.unique(pd.concat([events["ticker"], events.get("market", pd.Series(dtype=object))])
                                    .dropna().astype(str)) if s.strip()]
    panel, failed = load_prices(source, symbols)
    for symbol, reason in failed.items():
        print(f"warning: {reason}", file=sys.stderr)
    if panel.empty:
        raise EventError(f"no prices for any symbol of {args.events} ({', '.join(symbols[:5])}...)")
    result = run_event_study(events, prices=panel, model=args.model,
                             estimation_window=tuple(args.estimation), event_window=tuple(args.window),
                             min_estimation_obs=args.min_estimation_obs, factors=factors,
                             returns_kind=args.returns, source_name=getattr(source, "name", None))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    diag = result.diagnostics
    if failed:       # the loader's message says more than "no prices for ticker X"
        for symbol, reason in failed.items():
            hit = (diag["status"] == "skipped") & diag["reason"].str.startswith("no prices for") & \
                ((diag["ticker"] == symbol) | (diag["market"] == symbol))
            diag.loc[hit, "reason"] = reason
    diag.to_csv(out / "diagnostics.csv", index=False, date_format="%Y-%m-%d")
    if result.n_ok == 0:
        reasons = "; ".join(f"{n} {r}" for r, n in result.skipped_reasons().items())
        raise EventError(f"no event could be studied ({reasons}); see {out / 'diagnostics.csv'}")
    cars = result.cars(windows)
    print(result.summary(windows))
    fmt = dict(index=False, float_format="%.12g")
    result.abnormal_returns.to_csv(out / "abnormal_returns.csv", date_format="%Y-%m-%d", **fmt)
    cars.to_csv(out / "car.csv", **fmt)
    aar = [result.aar().assign(group="all")]
    aar += [result.aar(group=g).assign(group=g) for g in result.groups]
    aar = pd.concat(aar, ignore_index=True)
    aar.insert(0, "group", aar.pop("group"))
    aar.to_csv(out / "aar.csv", **fmt)
    used = list(dict.fromkeys(zip(cars["window_start"].tolist(), cars["window_end"].tolist())))
    tests = pd.concat([result.tests_by_group(w) for w in used], ignore_index=True)
    tests.to_csv(out / "tests.csv", **fmt)
    files = ["abnormal_returns.csv", "car.csv", "aar.csv", "tests.csv", "diagnostics.csv"]
    if not args.no_figure:
        try:
            from ..figures.plotting import aar_figure
        except ImportError as exc:
            print(f"warning: figure skipped: {exc}", file=sys.stderr)
        else:
            stem = f"aar_{Path(args.events).stem}"
            files += [Path(p).name for p in aar_figure(result, out_dir=out, stem=stem)]
            for g in result.groups:
                safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(g))
                files += [Path(p).name for p in aar_figure(result, out_dir=out, stem=f"{stem}_{safe}", group=g)]
    print(f"\nwrote {', '.join(files)} to {out}")
    return 0
