"""Options shared by several commands, so that a setting has one flag (and one default) everywhere.

Defaults come from :mod:`analysis.windows`; this module imports nothing heavy, so that
``python -m analysis --help`` stays fast.
"""

from __future__ import annotations

import argparse

from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_JUMPS, DEFAULT_LAGS,
                       DEFAULT_LEADS, DEFAULT_MAX_DAY0_DELAY, DEFAULT_MAX_GAP, DEFAULT_MAX_MISSING_SHARE,
                       DEFAULT_MEASURE, DEFAULT_MIN_ESTIMATION_OBS, DEFAULT_MODEL, DEFAULT_POLICY,
                       DEFAULT_RETURNS, DEFAULT_STALE, MEASURES, MODEL_NAMES)

POLICIES = ("next", "previous", "error")


def _pair(w) -> str:
    return f"{w[0]} {w[1]}"


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """--prices-dir / --cache-dir / --offline: where prices come from (see analysis.config)."""
    g = parser.add_argument_group("price source")
    g.add_argument("--prices-dir", metavar="DIR", default=None,
                   help="folder of <SYMBOL>.csv files (default: $ANALYSIS_PRICES_DIR, else Yahoo via the cache)")
    g.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="parquet cache for Yahoo downloads (default: $ANALYSIS_CACHE_DIR, else the per-user "
                        "cache folder)")
    g.add_argument("--offline", action="store_true", default=None,
                   help="never touch the network (also ANALYSIS_OFFLINE=1)")


def add_cache_options(parser: argparse.ArgumentParser) -> None:
    """--cache-dir / --offline for commands that cache what they look up (not prices)."""
    parser.add_argument("--cache-dir", metavar="DIR", default=None,
                        help="cache folder (default: $ANALYSIS_CACHE_DIR or data/cache)")
    parser.add_argument("--offline", action="store_true", default=None,
                        help="never touch the network (also ANALYSIS_OFFLINE=1)")


def add_window_options(parser: argparse.ArgumentParser, *, car: bool = True, returns: bool = True) -> None:
    """--estimation / --window / --car / --returns / --min-estimation-obs."""
    g = parser.add_argument_group("windows (trading days relative to day 0)")
    g.add_argument("--estimation", nargs=2, type=int, metavar=("T1", "T2"), default=DEFAULT_ESTIMATION_WINDOW,
                   help=f"estimation window (default: {_pair(DEFAULT_ESTIMATION_WINDOW)})")
    g.add_argument("--window", nargs=2, type=int, metavar=("T1", "T2"), default=DEFAULT_EVENT_WINDOW,
                   help=f"event window (default: {_pair(DEFAULT_EVENT_WINDOW)})")
    if car:
        g.add_argument("--car", nargs=2, type=int, action="append", metavar=("T1", "T2"), default=None,
                       help="CAR window, repeatable (default: 0 0, -1 1, -5 5, -10 10, those inside the "
                            "event window)")
    if returns:
        g.add_argument("--returns", choices=("simple", "log"), default=DEFAULT_RETURNS,
                       help=f"return definition (default: {DEFAULT_RETURNS})")
    g.add_argument("--min-estimation-obs", type=int, default=DEFAULT_MIN_ESTIMATION_OBS, metavar="N",
                   help=f"fewest estimation returns accepted (default: {DEFAULT_MIN_ESTIMATION_OBS})")


def add_model_options(parser: argparse.ArgumentParser, *, factors: bool = True) -> None:
    """--model / --factors."""
    g = parser.add_argument_group("normal-return model")
    g.add_argument("--model", choices=MODEL_NAMES, default=DEFAULT_MODEL,
                   help=f"normal-return model (default: {DEFAULT_MODEL})")
    g.add_argument("--lags", type=int, default=None, metavar="N",
                   help=f"dimson / scholes_williams: lagged market returns (default: {DEFAULT_LAGS})")
    g.add_argument("--leads", type=int, default=None, metavar="N",
                   help=f"dimson / scholes_williams: lead market returns (default: {DEFAULT_LEADS})")
    if factors:
        g.add_argument("--factors", nargs="+", metavar="FILE", default=None,
                       help="Ken French daily factor file(s) for ff3/carhart4/ff5 (carhart4: the 3-factor "
                            "and the momentum file)")


def add_overwrite_option(parser: argparse.ArgumentParser) -> None:
    """--overwrite: write into an output folder (or over a file) the project did not write."""
    parser.add_argument("--overwrite", action="store_true",
                        help="write even where files analysis did not write are in the way (files of "
                             "the same name are replaced; others are left alone)")


def add_figure_options(parser: argparse.ArgumentParser) -> None:
    """--formats / --dpi / --size: how figures are written (see analysis.config)."""
    g = parser.add_argument_group("figures")
    g.add_argument("--formats", metavar="LIST", default=None,
                   help="figure files, any of png,svg,pdf (default: $ANALYSIS_FIGURE_FORMATS or png,svg; "
                        "the PNG is always written)")
    g.add_argument("--dpi", metavar="N", default=None,
                   help="PNG resolution in dots per inch (default: $ANALYSIS_FIGURE_DPI or 200)")
    g.add_argument("--size", metavar="WxH", default=None,
                   help="figure size in inches, e.g. 6.5x4 (default: $ANALYSIS_FIGURE_SIZE or each figure's own, "
                        "6.5 in wide)")


def figure_settings(args: argparse.Namespace) -> dict:
    """The figure options, checked, as keyword arguments of the ``*_figure`` functions of
    :mod:`analysis.figures.plotting` (``formats``, ``dpi``, ``size``)."""
    from .. import config

    formats = getattr(args, "formats", None)
    if getattr(args, "pdf", False):                      # report --pdf, kept as a short form
        formats = ",".join(list(config.figure_formats(formats)) + ["pdf"])
    return {"formats": config.figure_formats(formats), "dpi": config.figure_dpi(getattr(args, "dpi", None)),
            "size": config.figure_size(getattr(args, "size", None))}


def add_policy_option(parser: argparse.ArgumentParser) -> None:
    """--policy: day 0 of a date-only event on a non-trading day."""
    parser.add_argument("--policy", choices=POLICIES, default=DEFAULT_POLICY,
                        help="date-only events on a non-trading day: next session (default), previous "
                             "session, or error")


def add_data_options(parser: argparse.ArgumentParser, *, estimation: bool = True) -> None:
    """--stale / --jumps / --max-day0-delay / --max-gap / --max-missing-share: what the study
    refuses to believe (see analysis.core.checks). ``estimation=False``: without the two checks
    of the estimation window (--max-gap, --max-missing-share), for measures that fit no model
    per event (``longrun``)."""
    g = parser.add_argument_group("data checks")
    g.add_argument("--stale", choices=("missing", "keep"), default=DEFAULT_STALE,
                   help="flat zero-volume bars with an unchanged close: no trade (missing, default) or prices (keep)")
    g.add_argument("--jumps", choices=("skip", "keep"), default=DEFAULT_JUMPS,
                   help="a split-like or bad-price jump in an event's windows: skip the event (default) "
                        "or keep it with a warning")
    g.add_argument("--max-day0-delay", type=int, default=DEFAULT_MAX_DAY0_DELAY, metavar="N",
                   help=f"sessions day 0 may lie after the date asked for when the stock did not trade "
                        f"(default: {DEFAULT_MAX_DAY0_DELAY})")
    if not estimation:
        return
    g.add_argument("--max-gap", type=int, default=DEFAULT_MAX_GAP, metavar="N",
                   help=f"longest run of sessions without a trade in the estimation window (default: "
                        f"{DEFAULT_MAX_GAP})")
    g.add_argument("--max-missing-share", type=float, default=DEFAULT_MAX_MISSING_SHARE, metavar="X",
                   help=f"largest share of the estimation window's sessions without a trade (default: "
                        f"{DEFAULT_MAX_MISSING_SHARE})")


def add_measure_option(parser: argparse.ArgumentParser) -> None:
    """--measure: abnormal returns, abnormal volume or abnormal volatility."""
    parser.add_argument("--measure", choices=MEASURES, default=DEFAULT_MEASURE,
                        help="what to study: returns (default), volume (abnormal log volume, "
                             "analysis.core.volume) or volatility (analysis.core.volatility)")
    parser.add_argument("--volatility-benchmark", choices=("constant", "garch"), default="constant",
                        help="--measure volatility: the event-window variance against the estimation "
                             "window's constant residual variance (default) or its GARCH(1,1) conditional "
                             "variance forecast (arch)")


def measure_settings(args: argparse.Namespace) -> dict:
    """--measure and --volatility-benchmark as keyword arguments of
    :func:`analysis.core.pipeline.run_study`; the benchmark with another measure is a one-line error."""
    benchmark = getattr(args, "volatility_benchmark", "constant")
    if benchmark != "constant" and args.measure != "volatility":
        from ..errors import InputError
        raise InputError(f"--volatility-benchmark {benchmark} is for --measure volatility")
    return {"measure": args.measure, **({"volatility_benchmark": benchmark} if benchmark != "constant" else {})}


def car_windows(args: argparse.Namespace) -> list[tuple[int, int]] | None:
    """The --car windows, or None: the defaults that fit the event window (analysis.windows)."""
    return [tuple(w) for w in args.car] if args.car else None


def source_settings(args: argparse.Namespace) -> dict:
    """The price-source options as keyword arguments of :func:`analysis.core.pipeline.run_study`."""
    return {"prices_dir": args.prices_dir, "cache_dir": args.cache_dir, "offline": args.offline}


def study_settings(args: argparse.Namespace) -> dict:
    """Model and window options as keyword arguments of :func:`analysis.core.pipeline.run_study`
    (the factor files are read here, once)."""
    settings = {"model": args.model, "estimation_window": tuple(args.estimation),
                "event_window": tuple(args.window), "min_estimation_obs": args.min_estimation_obs,
                "returns_kind": getattr(args, "returns", DEFAULT_RETURNS),
                "policy": getattr(args, "policy", DEFAULT_POLICY)}
    for name in ("stale", "jumps", "max_day0_delay", "max_gap", "max_missing_share"):
        if hasattr(args, name):
            settings[name] = getattr(args, name)
    settings["factors"] = factor_table(getattr(args, "factors", None), args.model)
    lags, leads = getattr(args, "lags", None), getattr(args, "leads", None)
    if lags is not None or leads is not None:
        from ..core.models import with_lags

        settings["model"] = with_lags(args.model, lags, leads)
    return settings


def factor_table(files, model: str):
    """The factor table the model needs, read from the given files (None for other models)."""
    from ..core.models import get_model
    from ..data.factors import load_factors
    from ..errors import InputError

    if not get_model(model).needs_factors:
        return None
    if not files:
        raise InputError(f"model {model!r} needs --factors FILE (Ken French daily factor files)")
    return load_factors(files)
