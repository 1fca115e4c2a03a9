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
import functools
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
_RATE_LIMIT = re.compile(r"YFRateLimitError|rate.?limit|too many requests|HTTP 429", re.IGNORECASE)
# what Yahoo (through yfinance) says about a symbol it does not know
UNKNOWN_SYMBOL = re.compile(r"delisted|not found|no timezone|YFTzMissingError|YFPricesMissingError|"
                            r"no data found|symbol may be|HTTP 404", re.IGNORECASE)
# the hint every network failure carries: how to work without the network
OFFLINE_HINT = ("to work without the network, read CSV prices with --prices-dir DIR (or "
                "ANALYSIS_PRICES_DIR), or use what the cache holds with --offline")


def yfinance_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:   # the installed distribution's version, without importing yfinance (slow)
        return version("yfinance")
    except PackageNotFoundError:  # pragma: no cover - yfinance is a dependency
        return "not installed"


@dataclass
class DownloadResult:
    """Frames of the symbols that came back and ``{symbol: reason}`` of those that did not;
    ``network``: the failed symbols whose reason is the network (timeout, DNS, proxy, HTTP
    status), not an answer from Yahoo about the symbol."""
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    network: set[str] = field(default_factory=set)


class Deadline:
    """The time left for one download (or one cache fill) of any number of symbols."""

    def __init__(self, seconds: float | None = None):
        from .. import config
        self.seconds = config.deadline(seconds)
        self.ends = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.ends - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.left() <= 0

    def __str__(self) -> str:
        return f"the overall deadline of {self.seconds:g} s (ANALYSIS_DEADLINE)"


# --------------------------------------------------------------------------------------------
# the network edge: every request bounded by the timeout and the deadline, every failure kept


def proxy_in_use() -> str | None:
    """The proxy yfinance's requests go through (yfinance's setting, else the environment)."""
    import os
    try:
        from yfinance.config import YfConfig
        given = YfConfig.network.proxy
    except Exception:  # noqa: BLE001 - an older yfinance without the setting
        given = None
    if isinstance(given, dict):
        given = given.get("https") or given.get("http")
    if given:
        return str(given)
    for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        if os.environ.get(name, "").strip():
            return os.environ[name].strip()
    return None


# libcurl error codes (curl_cffi's ``exc.code``) and exception class names, by cause
_CURL_CODES = {5: "proxy", 6: "dns", 7: "connect", 28: "timeout", 35: "tls", 58: "tls", 59: "tls", 60: "tls"}
_CLASS_NAMES = {"ProxyError": "proxy", "DNSError": "dns", "Timeout": "timeout", "ReadTimeout": "timeout",
                "ConnectTimeout": "timeout", "SSLError": "tls", "CertificateVerifyError": "tls",
                "ConnectionError": "connect"}


def _cause_kind(exc: BaseException, text: str, proxy: str | None) -> str:
    if "deadline" in text:
        return "deadline"
    kind = _CURL_CODES.get(int(getattr(exc, "code", 0) or 0)) or _CLASS_NAMES.get(type(exc).__name__)
    if proxy and kind != "timeout" and ("CONNECT" in text or "proxy" in text.lower()):
        return "proxy"
    if kind is None and "timed out" in text.lower():
        return "timeout"
    return kind or "other"


def _curl_text(text: str) -> str:
    """curl's message without its boilerplate ('Failed to perform, curl: (6) ... See https://curl.se/...')."""
    text = re.sub(r"\s*See https?://curl\.se/\S*.*$", "", text)
    text = re.sub(r"^Failed to perform,\s*curl:\s*\(\d+\)\s*", "", text)
    return text.rstrip(" .") or text


def network_cause(exc: BaseException, timeout: float | None = None) -> str:
    """A network failure in words: DNS, timeout, proxy, refused connection, TLS, deadline."""
    text = _curl_text(" ".join(str(exc).split()))
    proxy = proxy_in_use()
    via = f" through the proxy {proxy}" if proxy else ""
    after = f" after {timeout:g} s (ANALYSIS_TIMEOUT)" if timeout else ""
    return {
        "deadline": text,
        "proxy": f"the proxy {proxy or ''} failed: {text}",
        "dns": f"DNS lookup failed (no name resolution for Yahoo's servers): {text}",
        "timeout": f"the request timed out{after}{via}",
        "tls": f"TLS error talking to Yahoo{via}: {text}",
        "connect": f"cannot connect to Yahoo{via}: {text}",
    }.get(_cause_kind(exc, text, proxy), f"network error{via}: {type(exc).__name__}: {text}")


def _symbol_of(url: str, wanted: Iterable[str]) -> str | None:
    """The requested symbol a Yahoo URL is about (``/v8/finance/chart/^HSI``), if any."""
    from urllib.parse import unquote, urlsplit
    last = unquote(urlsplit(str(url)).path).rstrip("/").rsplit("/", 1)[-1].upper()
    return next((s for s in wanted if s.upper() == last), None)


@dataclass
class _Journal:
    """What the session saw about each requested symbol (HTTP statuses, the last network
    failure) and the failures of requests about no symbol (cookie, crumb)."""
    wanted: list[str]
    timeout: float
    status: dict[str, list[int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    first: str | None = None

    def response(self, url, code: int) -> None:
        sym = _symbol_of(url, self.wanted)
        if sym is not None:
            self.status.setdefault(sym, []).append(int(code))

    def failure(self, url, exc: BaseException) -> None:
        cause = network_cause(exc, self.timeout)
        if "deadline" in cause and self.first:       # say what used the time up
            cause = f"{cause}; before it: {self.first}"
        elif "deadline" not in cause and not self.first:
            self.first = cause
        sym = _symbol_of(url, self.wanted)
        if sym is None:
            self.general.append(cause)
        else:
            self.errors[sym] = cause

    def not_found(self, sym: str) -> bool:
        """Yahoo answered 404 about ``sym`` (it does not know the symbol)."""
        return 404 in self.status.get(sym, [])

    def cause(self, sym: str) -> str | None:
        """The network reason ``sym`` failed, or None when Yahoo's own answer stands: a page
        about the symbol, or HTTP 404 (Yahoo saying it does not know the symbol)."""
        codes = self.status.get(sym, [])
        if any(c < 400 or c == 404 for c in codes):
            return None
        if 429 in codes:
            return "rate-limited by Yahoo (HTTP 429 Too Many Requests)"
        if codes:
            return f"Yahoo answered HTTP {codes[-1]}"
        return self.errors.get(sym) or (self.general[-1] if self.general else None)


@functools.cache
def _session_class():
    """A curl_cffi session whose every request is bounded by the timeout and the time left,
    and which notes what happened (None when yfinance runs without curl_cffi)."""
    try:
        from curl_cffi import requests as curl
    except ImportError:  # pragma: no cover - curl_cffi is a yfinance dependency
        return None

    class BoundedSession(curl.Session):
        def __init__(self, timeout: float, deadline: Deadline, journal: _Journal):
            super().__init__(impersonate="chrome")
            self.bound_timeout, self.deadline, self.journal = timeout, deadline, journal

        def request(self, method, url, *args, **kwargs):
            left = self.deadline.left()
            if left <= 0:
                exc = curl.exceptions.Timeout(f"{self.deadline} passed before this request")
                self.journal.failure(url, exc)
                raise exc
            kwargs["timeout"] = max(0.05, min(self.bound_timeout, left))
            try:
                response = super().request(method, url, *args, **kwargs)
            except curl.exceptions.RequestException as exc:
                if self.deadline.passed:
                    exc = curl.exceptions.Timeout(f"{self.deadline} passed")
                self.journal.failure(url, exc)
                raise exc from None
            self.journal.response(url, response.status_code)
            return response

    return BoundedSession


def bounded_session(symbols, timeout: float | None = None, seconds: float | None = None):
    """``(session, journal)`` for a yfinance call outside ``yf.download`` (e.g. the earnings
    calendar): every request bounded by the timeout (:func:`analysis.config.timeout`) and the
    overall deadline (:func:`analysis.config.deadline`); ``journal.cause(symbol)`` names a
    network failure. The session is None when yfinance runs without curl_cffi."""
    from .. import config
    bound = config.timeout(timeout)
    journal = _Journal([str(s) for s in symbols], bound)
    session_class = _session_class()
    session = session_class(bound, Deadline(seconds), journal) if session_class is not None else None
    return session, journal


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


# --------------------------------------------------------------------------------------------
# normalising what yfinance returns


def _symbol_columns(data: pd.DataFrame, sym: str, n_symbols: int) -> pd.DataFrame | None:
    """The columns of ``sym`` in a yfinance frame (MultiIndex in either level order, or the
    single-level frame of a one-symbol download), or None."""
    cols = data.columns
    if not isinstance(cols, pd.MultiIndex):
        return data if n_symbols == 1 else None
    names = list(cols.names)
    lvl = names.index("Ticker") if "Ticker" in names else None
    if lvl is None:  # unnamed levels: find the one holding the symbol
        lvl = next((i for i in range(cols.nlevels)
                    if sym.upper() in {str(v).upper() for v in cols.get_level_values(i)}), None)
    if lvl is None:
        return None
    keys = {str(v).upper(): v for v in cols.get_level_values(lvl)}
    return data.xs(keys[sym.upper()], axis=1, level=lvl) if sym.upper() in keys else None


def _contract_frame(sub: pd.DataFrame, sym: str, adjusted: bool) -> tuple[pd.DataFrame | None, str | None]:
    """One symbol's columns as the contract frame, or the reason it cannot be."""
    sub = sub.loc[:, ~sub.columns.duplicated()]
    if adjusted and "Close" in sub:
        sub = sub.assign(**{"Adj Close": sub["Close"]})
    missing = [c for c in PRICE_COLUMNS if c not in sub.columns]
    if missing:
        return None, f"Yahoo download lacks columns {missing}"
    sub = sub[list(PRICE_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    sub = sub[sub[["Open", "High", "Low", "Close", "Adj Close"]].notna().any(axis=1)]
    if sub.empty:
        return None, "Yahoo returned no rows"
    idx = pd.DatetimeIndex(sub.index)
    if idx.tz is not None:
        idx = idx.tz_localize(None)      # keep the exchange-local wall-clock date
    sub = sub.set_axis(idx.normalize(), axis=0)
    sub = sub[~sub.index.duplicated(keep="last")]
    return finalize(sub, sym, "Yahoo download"), None


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
    for sym in symbols:
        sub = _symbol_columns(data, sym, len(symbols))
        if sub is None:
            out.failed[sym] = "no columns for this symbol in the Yahoo download"
            continue
        frame, reason = _contract_frame(sub, sym, adjusted)
        if frame is None:
            out.failed[sym] = reason
        else:
            out.frames[sym] = frame
    return out


# --------------------------------------------------------------------------------------------
# downloading


def _download_kwargs(lo, hi, adjusted: bool, timeout: float) -> dict:
    kwargs = dict(DOWNLOAD_SETTINGS, auto_adjust=bool(adjusted), timeout=timeout)
    kwargs["start"] = None if lo is None else lo.strftime("%Y-%m-%d")
    kwargs["end"] = None if hi is None else (hi + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    if lo is None:
        kwargs["period"] = "max"
    return kwargs


def _attempt(todo: list[str], kwargs: dict, adjusted: bool, deadline: Deadline) -> DownloadResult:
    """One ``yf.download`` of ``todo``: the frames, and each failure with its cause (the
    network's when the session saw one, else what yfinance logged, else ours)."""
    import yfinance as yf
    from yfinance.exceptions import YFRateLimitError

    journal = _Journal(todo, kwargs["timeout"])
    session_class = _session_class()
    if session_class is not None:
        kwargs = dict(kwargs, session=session_class(kwargs["timeout"], deadline, journal))
    handler = _Capture()
    logger = logging.getLogger("yfinance")
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
    for sym in list(batch.failed):
        cause = journal.cause(sym)
        if cause is not None:
            batch.failed[sym] = cause
            batch.network.add(sym)
        elif handler.errors.get(sym.upper()):
            batch.failed[sym] = handler.errors[sym.upper()]
        if journal.not_found(sym) and not UNKNOWN_SYMBOL.search(batch.failed[sym]):
            batch.failed[sym] = "Yahoo does not know the symbol (HTTP 404: possibly delisted)"
    return batch


def download(symbols: Iterable[str], start=None, end=None, *, adjusted: bool = False,
             retries: int = 3, backoff: float = 2.0, max_delay: float = 60.0,
             sleep: Callable[[float], None] = time.sleep, timeout: float | None = None,
             deadline: Deadline | float | None = None) -> DownloadResult:
    """Download daily bars of several symbols in one yfinance batch.

    Every request takes at most ``timeout`` seconds (:func:`analysis.config.timeout`) and the
    whole call, retries and back-off included, at most ``deadline`` (seconds, or a
    :class:`Deadline` shared by several calls; :func:`analysis.config.deadline`). Symbols that
    fail are returned in ``failed`` with the cause: Yahoo's own answer ("possibly delisted")
    only when Yahoo gave one, else the network's (timeout, DNS, proxy, HTTP status; those
    symbols are also in ``network``). Rate-limited symbols are retried up to ``retries`` times
    after ``backoff * 2**k`` seconds (at most ``max_delay``, never past the deadline). Nothing
    here raises for one bad symbol.
    """
    from .. import config

    wanted = list(dict.fromkeys(validate_symbol(s) for s in symbols))
    if not wanted:
        raise InputError("no symbols to download")
    lo, hi = date_range_bounds(start, end)
    if not isinstance(deadline, Deadline):
        deadline = Deadline(deadline)
    kwargs = _download_kwargs(lo, hi, adjusted, config.timeout(timeout))
    result, todo = DownloadResult(), wanted
    for attempt in range(retries + 1):
        batch = _attempt(todo, kwargs, adjusted, deadline)
        result.frames.update({s: slice_dates(f, lo, hi) for s, f in batch.frames.items()})
        result.failed.update(batch.failed)
        result.network = (result.network | batch.network) - set(batch.frames)
        for s in batch.frames:
            result.failed.pop(s, None)
        limited = [s for s, r in batch.failed.items() if _RATE_LIMIT.search(r)]
        delay = min(max_delay, backoff * 2 ** attempt)
        if not limited or attempt == retries or delay >= deadline.left():
            break
        sleep(delay)
        todo = limited
    for s, r in list(result.failed.items()):
        if _RATE_LIMIT.search(r) and not r.startswith("rate-limited by Yahoo after"):
            result.failed[s] = f"rate-limited by Yahoo after {attempt + 1} attempts ({r})"
            result.network.add(s)
    return result


def failure_message(symbol: str, reason: str, network: bool) -> str:
    """``Yahoo Finance has no prices for SYM: reason`` (with :data:`OFFLINE_HINT` after a
    network failure)."""
    hint = f"; {OFFLINE_HINT}" if network else ""
    return f"Yahoo Finance has no prices for {symbol}: {reason}{hint}"


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
            hint = f"; {OFFLINE_HINT}" if res.network else ""
            raise DownloadError("Yahoo download failed for "
                                + "; ".join(f"{s}: {r}" for s, r in res.failed.items()) + hint)
        return {s: apply_stale(f, self.stale) for s, f in res.frames.items()}

    def load(self, symbol, start=None, end=None) -> pd.DataFrame:
        s = validate_symbol(symbol)
        return self.load_many([s], start, end)[s]
