"""``python -m analysis study``: one event, market model (or another), summary + tables + figure.

Writes to ``--out`` (default ``figures/<TICKER>_<DATE>/``): ``abnormal_returns.csv``,
``car.csv``, ``diagnostics.json`` (every setting, the fit, the resolved dates, the data source,
package versions) and the study figure (PNG + SVG) through :func:`analysis.plotting.study_figure`.
"""

from __future__ import annotations

import argparse
import re

from ._options import add_source_options, add_window_options, car_windows

MODEL_CHOICES = ("market", "market_adjusted", "constant_mean", "ff3", "carhart4", "ff5")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """--model / --factors (shared by study and batch)."""
    g = parser.add_argument_group("normal-return model")
    g.add_argument("--model", choices=MODEL_CHOICES, default="market",
                   help="normal-return model (default: market)")
    g.add_argument("--factors", nargs="+", metavar="FILE", default=None,
                   help="Ken French daily factor file(s) for ff3/carhart4/ff5 (carhart4: the 3-factor "
                        "and the momentum file)")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "study", help="one-event study: AR, CAR, t-tests, tables and a figure",
        description="Event study of one stock around one date against a market index.")
    p.add_argument("--ticker", required=True, help="Yahoo symbol of the stock, e.g. 1810.HK")
    p.add_argument("--market", default=None,
                   help="Yahoo symbol of the benchmark, e.g. ^HSI (default: the exchange's index)")
    p.add_argument("--event-date", required=True, metavar="YYYY-MM-DD", help="date of the event")
    add_model_options(p)
    add_window_options(p)
    add_source_options(p)
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: figures/<TICKER>_<DATE>/)")
    p.add_argument("--no-figure", action="store_true", help="write the tables only")
    p.set_defaults(func=run)


def safe_name(symbol: str) -> str:
    """A symbol usable as a folder name: ^HSI -> HSI, BRK/B -> BRK_B."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(symbol).strip()).strip("._")
    return name or "event"


def factor_table(args, model: str):
    """The factor table asked for on the command line (None for non-factor models)."""
    from ..errors import InputError
    from ..data.factors import load_factors
    from ..core.models import get_model

    spec = get_model(model)
    if not spec.needs_factors:
        return None
    if not args.factors:
        raise InputError(f"model {model!r} needs --factors FILE (Ken French daily factor files)")
    return load_factors(args.factors)


def write_json(path, payload) -> None:
    import json
    import os

    import numpy as np
    import pandas as pd

    def default(value):
        if isinstance(value, (pd.Timestamp,)):
            return None if pd.isna(value) else value.strftime("%Y-%m-%d")
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return None if np.isnan(value) else float(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.ndarray):
            return value.tolist()
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, (set, tuple)):
            return list(value)
        return str(value)

    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, default=default, allow_nan=False)
        fh.write("\n")
    os.replace(tmp, path)


def _clean(value):
    """NaN/NaT/NA to None so that json has no NaN."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value


def run(args) -> int:
    from pathlib import Path

    import pandas as pd

    from ..core.engine import prepare_events, study
    from ..data.prices import open_source

    market = args.market
    if market is None:
        from ..events.timing import default_market
        market = default_market(args.ticker)
    date = prepare_events(pd.DataFrame({"ticker": [args.ticker], "event_date": [args.event_date]}))[
        "event_date"].iloc[0]
    if pd.isna(date):
        from ..errors import InputError
        raise InputError(f"--event-date {args.event_date!r} is not a date")
    source = open_source(prices_dir=args.prices_dir, cache_dir=args.cache_dir, offline=args.offline)
    factors = factor_table(args, args.model)
    windows = car_windows(args) if args.car else None    # None: the defaults inside the window
    result = study(args.ticker, market, date, source=source, model=args.model,
                   estimation_window=tuple(args.estimation), event_window=tuple(args.window),
                   min_estimation_obs=args.min_estimation_obs, factors=factors,
                   returns_kind=args.returns)
    cars = result.cars(windows)               # validates the CAR windows before writing anything
    print(result.summary(windows))

    stem = f"{safe_name(args.ticker)}_{date:%Y-%m-%d}"
    out = Path(args.out) if args.out else Path("figures") / stem
    out.mkdir(parents=True, exist_ok=True)
    event_id = result.event_ids[0]
    ar = result.abnormal_returns.drop(columns=["event_id"])
    ar.to_csv(out / "abnormal_returns.csv", index=False, date_format="%Y-%m-%d", float_format="%.12g")
    car = cars.drop(columns=["event_id", "scar"]).rename(columns={"t": "car_t", "p": "car_p"})
    car.insert(car.columns.get_loc("car_p") + 1, "t", car["car_t"])
    car.insert(car.columns.get_loc("t") + 1, "p", car["car_p"])
    car.to_csv(out / "car.csv", index=False, float_format="%.12g")

    d = result.diagnostics.iloc[0]
    fit = result.ols(event_id) if result.arrays.k else None
    rows = result.abnormal_returns
    fit_info = {key: _clean(d[key]) for key in ("alpha", "beta", "s", "r2", "m", "k")}
    fit_info["df"] = int(d["m"]) - int(d["k"])
    if fit is not None:
        fit_info["params"] = {k: float(v) for k, v in fit.params.items()}
        fit_info["standard_errors"] = {k: float(v) for k, v in fit.bse.items()}
        fit_info["t"] = {k: float(v) for k, v in fit.tvalues.items()}
    files = ["abnormal_returns.csv", "car.csv", "diagnostics.json"]
    figure_error = None
    if not args.no_figure:
        try:
            from ..figures.plotting import study_figure
        except ImportError as exc:            # plotting not installed yet: tables only
            figure_error = f"figure skipped: {exc}"
        else:
            prices = {"stock": source.load(args.ticker), "market": source.load(market)}
            paths = study_figure(result, event_id, prices=prices, out_dir=out, stem=stem)
            files += [Path(p).name for p in paths]
    payload = {
        "command": "study",
        "event": {
            "event_id": event_id, "ticker": args.ticker, "market": market,
            "event_date": _clean(d["event_date"]), "day0": _clean(d["day0"]),
            "day0_shifted": bool(d["day0_shifted"]),
            "day0_rule": result.settings["day0_rule"],
            "estimation_start": _clean(d["estimation_start"]), "estimation_end": _clean(d["estimation_end"]),
            "event_window_start": _clean(pd.Timestamp(rows["date"].iloc[0])),
            "event_window_end": _clean(pd.Timestamp(rows["date"].iloc[-1])),
        },
        "settings": {**{k: v for k, v in result.settings.items() if k != "versions"},
                     "car_windows": [[int(a), int(b)] for a, b in
                                     cars[["window_start", "window_end"]].to_numpy()],
                     "factor_files": [str(Path(f).resolve()) for f in (args.factors or [])]},
        "fit": fit_info,
        "car": [{k: _clean(v) for k, v in r.items()} for r in car.to_dict("records")],
        "data_source": result.settings.get("source_name"),
        "versions": result.settings["versions"],
        "files": files,
    }
    if figure_error:
        payload["warnings"] = [figure_error]
    write_json(out / "diagnostics.json", payload)
    print(f"\nwrote {', '.join(files)} to {out}")
    if figure_error:
        import sys
        print(f"warning: {figure_error}", file=sys.stderr)
    return 0
