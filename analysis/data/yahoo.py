"""Yahoo Finance through yfinance 1.x, with every setting that changes the numbers pinned.

``yfinance.download`` is always called with :data:`DOWNLOAD_SETTINGS`:

* ``interval="1d"``, ``prepost=False``: daily regular-session bars;
* ``auto_adjust=False``, ``back_adjust=False`` (default, ``adjusted=False``): OHLC are Yahoo's
  split-adjusted prices and ``Adj Close`` is Yahoo's split- *and* dividend-adjusted close, the
  column returns are computed from. With ``adjusted=True`` the call uses ``auto_adjust=True``
  (OHLC scaled by Adj Close / Close, as history() does), yfinance then returns no ``Adj Close``
  and we set ``Adj Close = Close``. Either way Adj Close carries the total-return adjustment;
  the choice is recorded in the cache metadata and in the source name;
* ``repair=False``: no silent "repair" of prices by heuristics; ``rounding=False``;
* ``keepna=False``, ``actions=False``: no dividend/split columns, rows without prices dropped;
* ``ignore_tz=True``: yfinance strips the zone of each listing's *own* index, so a daily bar keeps
  its exchange-local date (with ``False`` a Hong Kong bar would be converted into the New York
  zone of a mixed batch and move to the previous day). We also strip any zone ourselves;
* ``group_by="column"``, ``multi_level_index=True``: always (Price, Ticker) MultiIndex columns;
* ``start``/``end`` explicit; our ``end`` is inclusive, yfinance's exclusive, so we pass end + 1 day.
  With no start, ``period="max"``.

yfinance does not raise for a failed symbol inside ``download``: it logs
``['SYM']: <error>`` on the ``yfinance`` logger and returns NaN columns (an empty frame when the
network is unreachable). We capture that log, so a failure is reported by name with its reason,
and retry rate-limited symbols (``YFRateLimitError``) with bounded exponential back-off.
"""

from __future__ import annotations

import ast
import logging
import re
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..errors import DownloadError, InputError
from .prices import PRICE_COLUMNS, PriceSource, date_range_bounds, finalize, slice_dates, validate_symbol

DOWNLOAD_SETTINGS = dict(
    interval="1d", prepost=False, auto_adjust=False, back_adjust=False, repair=False,
    rounding=False, keepna=False, actions=False, ignore_tz=True, group_by="column",
    multi_level_index=True, progress=False, threads=True, timeout=30,
)
_RATE_LIMIT = re.compile(r"YFRateLimitError|rate.?limit|too many requests", re.IGNORECASE)


def yfinance_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:   # the installed distribution's version, without importing yfinance (slow)
        return version("yfinance")
    except PackageNotFoundError:  # pragma: no cover - yfinance is a dependency
        return "not installed"


@dataclass
class DownloadResult:
    """Frames of the symbols that came back and ``{symbol: reason}`` of those that did not."""
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class _Capture(logging.Handler):
    """Collects yfinance's ``['A', 'B']: reason`` error lines into ``{symbol: reason}``."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.errors: dict[str, str] = {}

    def emit(self, record):
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a logging handler must never raise
            return
        m = re.match(r"^\s*(\[.*?\])\s*:\s*(.*)$", msg, re.DOTALL)
        if m:
            try:
                syms = ast.literal_eval(m.group(1))
            except (ValueError, SyntaxError):
                return
            for s in syms if isinstance(syms, (list, tuple)) else [syms]:
                self.errors[str(s).upper()] = m.group(2).strip().splitlines()[0]
            return
        m = re.match(r"^\s*\$?([A-Za-z0-9^=._&-]+):\s*(.*)$", msg)
        if m:
            self.errors.setdefault(m.group(1).upper(), m.group(2).strip())


def normalise_download(data: pd.DataFrame | None, symbols: Iterable[str], *,
                       adjusted: bool = False) -> DownloadResult:
    """Split a ``yfinance.download`` frame into one contract frame per symbol.

    Handles (Price, Ticker) MultiIndex columns (either level order), single-level columns for a
    one-symbol download, tz-aware indexes (the wall-clock date is kept, never converted to UTC)
    and the all-NaN columns yfinance leaves for a failed symbol.
    """
    symbols = list(dict.fromkeys(symbols))
    out = DownloadResult()
    if data is None or not isinstance(data, pd.DataFrame) or data.empty:
        out.failed = {s: "Yahoo returned no data (empty frame; network unreachable or unknown symbol)"
                      for s in symbols}
        return out
    cols = data.columns
    for sym in symbols:
        sub = None
        if isinstance(cols, pd.MultiIndex):
            names = list(cols.names)
            lvl = names.index("Ticker") if "Ticker" in names else None
            if lvl is None:  # unnamed levels: find the one holding the symbol
                lvl = next((i for i in range(cols.nlevels)
                            if sym.upper() in {str(v).upper() for v in cols.get_level_values(i)}), None)
            if lvl is not None:
                keys = {str(v).upper(): v for v in cols.get_level_values(lvl)}
                if sym.upper() in keys:
                    sub = data.xs(keys[sym.upper()], axis=1, level=lvl)
        elif len(symbols) == 1:
            sub = data
        if sub is None:
            out.failed[sym] = "no columns for this symbol in the Yahoo download"
            continue
        sub = sub.loc[:, ~sub.columns.duplicated()]
        if adjusted:
            sub = sub.assign(**{"Adj Close": sub["Close"]}) if "Close" in sub else sub
        missing = [c for c in PRICE_COLUMNS if c not in sub.columns]
        if missing:
            out.failed[sym] = f"Yahoo download lacks columns {missing}"
            continue
        sub = sub[list(PRICE_COLUMNS)].apply(pd.to_numeric, errors="coerce")
        sub = sub[sub[["Open", "High", "Low", "Close", "Adj Close"]].notna().any(axis=1)]
        if sub.empty:
            out.failed[sym] = "Yahoo returned no rows"
            continue
        idx = pd.DatetimeIndex(sub.index)
        if idx.tz is not None:
            idx = idx.tz_localize(None)      # keep the exchange-local wall-clock date
        sub = sub.set_axis(idx.normalize(), axis=0)
        sub = sub[~sub.index.duplicated(keep="last")]
        out.frames[sym] = finalize(sub, sym, "Yahoo download")
    return out


def download(symbols: Iterable[str], start=None, end=None, *, adjusted: bool = False,
             retries: int = 3, backoff: float = 2.0, max_delay: float = 60.0,
             sleep: Callable[[float], None] = time.sleep) -> DownloadResult:
    """Download daily bars of several symbols in one yfinance batch.

    Symbols that fail are returned in ``failed`` with the reason (the others are kept);
    rate-limited symbols are retried up to ``retries`` times after ``backoff * 2**k`` seconds
    (at most ``max_delay``), then reported. Nothing here raises for one bad symbol.
    """
    import yfinance as yf
    from yfinance.exceptions import YFRateLimitError

    wanted = list(dict.fromkeys(validate_symbol(s) for s in symbols))
    if not wanted:
        raise InputError("no symbols to download")
    lo, hi = date_range_bounds(start, end)
    kwargs = dict(DOWNLOAD_SETTINGS, auto_adjust=bool(adjusted))
    kwargs["start"] = None if lo is None else lo.strftime("%Y-%m-%d")
    kwargs["end"] = None if hi is None else (hi + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    if lo is None:
        kwargs["period"] = "max"
    result = DownloadResult()
    todo = wanted
    logger = logging.getLogger("yfinance")
    for attempt in range(retries + 1):
        handler = _Capture()
        logger.addHandler(handler)
        try:
            with warnings.catch_warnings():   # yfinance's own pandas deprecation noise
                warnings.simplefilter("ignore")
                data = yf.download(todo, **kwargs)
            batch = normalise_download(data, todo, adjusted=adjusted)
        except YFRateLimitError as exc:
            batch = DownloadResult(failed={s: f"YFRateLimitError: {exc}" for s in todo})
        except (DownloadError, InputError):
            raise
        except Exception as exc:  # noqa: BLE001 - the network edge: report, do not crash
            batch = DownloadResult(failed={s: f"{type(exc).__name__}: {exc}" for s in todo})
        finally:
            logger.removeHandler(handler)
        for sym, reason in list(batch.failed.items()):
            logged = handler.errors.get(sym.upper())
            if logged:
                batch.failed[sym] = logged
        result.frames.update({s: slice_dates(f, lo, hi) for s, f in batch.frames.items()})
        limited = [s for s, r in batch.failed.items() if _RATE_LIMIT.search(r)]
        for s, r in batch.failed.items():
            result.failed[s] = r
        for s in batch.frames:
            result.failed.pop(s, None)
        if not limited or attempt == retries:
            break
        sleep(min(max_delay, backoff * 2 ** attempt))
        todo = limited
    for s, r in list(result.failed.items()):
        if _RATE_LIMIT.search(r):
            result.failed[s] = f"rate-limited by Yahoo after {retries + 1} attempts ({r})"
    return result


class YahooSource(PriceSource):
    """Yahoo Finance without a cache (every load touches the network)."""

    def __init__(self, *, adjusted: bool = False, stale: str = "keep", sleep=time.sleep, retries: int = 3):
        from .quality import check_stale_setting
        self.adjusted = bool(adjusted)
        self.stale = check_stale_setting(stale)
        self.sleep, self.retries = sleep, retries
        self.name = f"Yahoo Finance (yfinance {yfinance_version()}, {self.adjustment})"

    @property
    def adjustment(self) -> str:
        return "auto-adjusted OHLC" if self.adjusted else "Adj Close as given"

    def download(self, symbols, start=None, end=None) -> DownloadResult:
        return download(symbols, start, end, adjusted=self.adjusted, retries=self.retries, sleep=self.sleep)

    def load_many(self, symbols, start=None, end=None) -> dict[str, pd.DataFrame]:
        from .quality import apply_stale
        res = self.download(symbols, start, end)
        if res.failed:
            raise DownloadError("Yahoo download failed for " + "; ".join(f"{s}: {r}" for s, r in res.failed.items()))
        return {s: apply_stale(f, self.stale) for s, f in res.frames.items()}

    def load(self, symbol, start=None, end=None) -> pd.DataFrame:
        s = validate_symbol(symbol)
        return self.load_many([s], start, end)[s]
