"""Windows in trading days relative to day 0, and every default of a study, in one place.

The estimation window ends before the event window starts (MacKinlay 1997, sec. 3: the event
days must not influence the normal-return parameters). CAR windows lie inside the event window.
The command line (``analysis.commands._options``), the notebooks' runner and the Python API
read their defaults from here. Pure Python (no numpy), so that building the command line's
parser stays fast.
"""

from __future__ import annotations

import numbers

from .errors import InputError, WindowError

DEFAULT_ESTIMATION_WINDOW = (-260, -11)
DEFAULT_EVENT_WINDOW = (-10, 10)
DEFAULT_CAR_WINDOWS = ((0, 0), (-1, 1), (-5, 5), (-10, 10))
DEFAULT_TEST_WINDOW = (-1, 1)
DEFAULT_MIN_ESTIMATION_OBS = 100
DEFAULT_MODEL = "market"
# the normal-return models of analysis.core.models (a test keeps the two in step)
MODEL_NAMES = ("market", "market_adjusted", "constant_mean", "ff3", "carhart4", "ff5", "dimson",
               "scholes_williams", "garch")
# lagged and lead market returns of the thin-trading models (dimson, scholes_williams)
DEFAULT_LAGS = 1
DEFAULT_LEADS = 1
# resampling tests (wild bootstrap, permutation): draws and the seed that makes them repeatable
DEFAULT_RESAMPLES = 999
DEFAULT_SEED = 12345
DEFAULT_RETURNS = "simple"
DEFAULT_POLICY = "next"
# data checks (analysis.core.checks): what a study refuses to believe by default
DEFAULT_JUMPS = "skip"              # an unadjusted split or a bad price in a window: skip the event
DEFAULT_STALE = "missing"           # a flat zero-volume bar is no trade, not a 0% return
DEFAULT_MAX_DAY0_DELAY = 5          # sessions day 0 may lie after the date asked for (no trade)
DEFAULT_MAX_GAP = 20                # sessions in a row without a trade in the estimation window
DEFAULT_MAX_MISSING_SHARE = 0.25    # share of the estimation window's sessions without a trade
GAP_WARNING = 5                     # a run of this many sessions without a trade is worth a `gap` warning
# what a study measures: abnormal returns (the engine), abnormal volume (analysis.core.volume)
# or abnormal volatility (analysis.core.volatility)
MEASURES = ("returns", "volume", "volatility")
DEFAULT_MEASURE = "returns"


def measure(value) -> str:
    """The measure asked for, checked against :data:`MEASURES`."""
    if value not in MEASURES:
        raise InputError(f"unknown measure {value!r}: use one of {', '.join(MEASURES)}")
    return value


def window(value, name: str) -> tuple[int, int]:
    """``(t1, t2)`` as whole numbers with t1 <= t2, or WindowError naming ``name``."""
    try:
        a, b = value
        if float(a) != int(a) or float(b) != int(b):
            raise ValueError
        a, b = int(a), int(b)
    except (TypeError, ValueError):
        raise WindowError(f"{name} must be two whole numbers of trading days (t1, t2), got {value!r}") from None
    if a > b:
        raise WindowError(f"{name} [{a}, {b}] is empty: its start is after its end")
    return a, b


def validate_windows(estimation_window, event_window) -> tuple[tuple[int, int], tuple[int, int]]:
    """Both windows as int pairs; WindowError when empty/inverted or not strictly before."""
    est = window(estimation_window, "estimation window")
    evt = window(event_window, "event window")
    if est[1] >= evt[0]:
        raise WindowError(f"estimation window [{est[0]}, {est[1]}] must end before the event window "
                          f"[{evt[0]}, {evt[1]}] starts")
    return est, evt


def columns(event_window, t1: int, t2: int) -> slice:
    """Columns of the days [t1, t2] in an event-window array; WindowError when not inside."""
    lo, hi = event_window
    if not (lo <= t1 <= t2 <= hi):
        raise WindowError(f"window [{t1}, {t2}] is not inside the event window [{lo}, {hi}]")
    return slice(t1 - lo, t2 - lo + 1)


def car_windows(windows, event_window) -> list[tuple[int, int]]:
    """The CAR windows asked for, checked against the event window. ``None``: the defaults
    :data:`DEFAULT_CAR_WINDOWS` that fit inside the event window (else the whole event window);
    one pair ``(t1, t2)`` is one window."""
    lo, hi = event_window
    if windows is None:
        inside = [w for w in DEFAULT_CAR_WINDOWS if lo <= w[0] and w[1] <= hi]
        return inside or [(lo, hi)]
    if len(windows) == 2 and all(isinstance(x, numbers.Number) for x in windows):
        windows = [windows]
    out = []
    for w in windows:
        try:
            t1, t2 = (int(x) for x in w)
        except (TypeError, ValueError):
            raise WindowError(f"CAR window must be two whole numbers (t1, t2), got {w!r}") from None
        columns(event_window, t1, t2)
        out.append((t1, t2))
    return out
