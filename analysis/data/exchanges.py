"""Facts about exchanges, in one place: symbol rules, suffix -> exchange calendar, time zone,
default benchmark index, daily price limits, and the venue tags the press writes.

The table ``analysis/data/exchanges.csv`` (package data) has one row per Yahoo suffix (``.HK``;
``""`` for US listings) or exact index symbol (``^HSI``, ``000001.SS``): ``exchange``,
``calendar`` (an ``exchange_calendars`` name), ``tz``, ``benchmark`` and the price-limit columns
``limit``, ``limit_growth``, ``growth_prefixes`` and ``limit_st``. Everything else in the package
(timing, companies, contamination, prices, the pipeline's warnings) asks this module.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
import unicodedata

import pandas as pd

from ..errors import AnalysisError, CalendarError, InputError

# Yahoo symbols: letters, digits and ^ . - = _ & (e.g. ^HSI, BRK-B, 2333.HK, EURUSD=X, GC=F)
_SYMBOL_RE = re.compile(r"^[A-Za-z0-9^=._&-]{1,32}$")


# ---------------------------------------------------------------------------------------------
# symbols

def validate_symbol(symbol: object) -> str:
    """Return ``symbol`` stripped of surrounding blanks, or raise InputError naming it.

    Refused: non-strings, empty, path separators, ``..``, control characters, and anything
    outside the Yahoo symbol alphabet (letters, digits, ``^ . - = _ &``; at most 32 characters).
    A valid symbol is also a safe file name (``^HSI.csv``, ``BRK-B.parquet``).
    """
    if not isinstance(symbol, str):
        raise InputError(f"ticker symbol must be text, got {symbol!r}")
    s = symbol.strip()
    if not s:
        raise InputError(f"ticker symbol is empty: {symbol!r}")
    if any(unicodedata.category(c).startswith("C") for c in s):
        raise InputError(f"ticker symbol contains a control character: {symbol!r}")
    if "/" in s or "\\" in s or os.sep in s:
        raise InputError(f"ticker symbol contains a path separator: {symbol!r}")
    if ".." in s or set(s) == {"."}:
        raise InputError(f"ticker symbol contains '..': {symbol!r}")
    if not _SYMBOL_RE.match(s):
        raise InputError(
            f"ticker symbol {symbol!r} is not a valid Yahoo symbol (letters, digits and ^ . - = _ &, at most 32)"
        )
    return s



# exchange_calendars has no Shenzhen calendar: SZSE keeps the Shanghai sessions (one CSRC holiday
# schedule, same 09:30-11:30 / 13:00-15:00 hours), so XSHE is served by XSHG.
CALENDAR_ALIASES = {"XSHE": "XSHG"}


# ---------------------------------------------------------------------------------------------
# the exchange table (package data)


@functools.cache
def _table() -> pd.DataFrame:
    path = importlib.resources.files(__package__) / "exchanges.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return table.set_index("key")


def exchange_table() -> pd.DataFrame:
    """The shipped table: key (Yahoo suffix such as ``.HK``, ``""`` for US, or an exact index
    symbol such as ``^HSI``), exchange, calendar, tz, benchmark and the price-limit columns."""
    return _table().reset_index()


def known_suffixes() -> list[str]:
    """Yahoo suffixes the table knows (``""`` = no suffix = US listing, OTC included)."""
    return sorted(k for k in _table().index if k == "" or k.startswith("."))


def _normalise(symbol) -> str:
    if symbol is None or (not isinstance(symbol, str) and pd.isna(symbol)):
        raise InputError("empty ticker")
    text = str(symbol).strip().upper()
    if not text:
        raise InputError("empty ticker")
    return text


def exchange_row(symbol) -> pd.Series:
    """The table row of a Yahoo symbol: an exact entry (indices such as ^HSI, 000001.SS) wins over
    its suffix; no suffix means a US listing (XNYS, OTC too). Raises CalendarError otherwise."""
    s = _normalise(symbol)
    table = _table()
    if s in table.index:
        return table.loc[s]
    if not s.startswith("^"):
        suffix = s[s.rindex("."):] if "." in s else ""
        if suffix in table.index:
            return table.loc[suffix]
    shown = ", ".join(k or "(none = US)" for k in known_suffixes())
    what = "index" if s.startswith("^") else f"suffix {s[s.rindex('.'):]!r}" if "." in s else "symbol"
    raise CalendarError(
        f"unknown exchange for {symbol!r} ({what}): known suffixes are {shown}; "
        "pass a calendar name (exchange_calendars, e.g. XHKG) to use another exchange"
    )


@functools.cache
def _calendar_names() -> frozenset[str]:
    import exchange_calendars as xc

    return frozenset(xc.get_calendar_names()) | frozenset(CALENDAR_ALIASES)


def validate_calendar(name) -> str:
    """The calendar name, upper-cased, if exchange_calendars (or our alias XSHE) knows it."""
    text = str(name).strip().upper() if name is not None else ""
    if text not in _calendar_names():
        raise CalendarError(f"unknown exchange calendar {name!r} (see exchange_calendars.get_calendar_names())")
    return text


def calendar_for(symbol, calendar: str | None = None) -> str:
    """exchange_calendars name of a Yahoo symbol's listing: ``1810.HK`` -> ``XHKG``,
    ``601633.SS`` -> ``XSHG``, ``AAPL`` -> ``XNYS``. A given ``calendar`` wins (validated)."""
    if calendar is not None and str(calendar).strip():
        return validate_calendar(calendar)
    return exchange_row(symbol)["calendar"]


def default_market(symbol) -> str:
    """Default benchmark index of the listing's exchange (``.HK`` -> ``^HSI``,
    ``.SS`` -> ``000001.SS``, US -> ``^GSPC``)."""
    return exchange_row(symbol)["benchmark"]


# ---------------------------------------------------------------------------------------------
# regions (of the Ken French factor sets) of each exchange calendar

_CALENDAR_REGION = {
    "XNYS": "US", "XNAS": "US", "XTSE": "Canada",
    "XTKS": "Japan",
    "XHKG": "Asia Pacific ex Japan", "XASX": "Asia Pacific ex Japan", "XNZE": "Asia Pacific ex Japan",
    "XSES": "Asia Pacific ex Japan",
    "XLON": "Europe", "XPAR": "Europe", "XETR": "Europe", "XAMS": "Europe", "XBRU": "Europe",
    "XMIL": "Europe", "XMAD": "Europe", "XSWX": "Europe", "XSTO": "Europe", "XCSE": "Europe",
    "XHEL": "Europe", "XOSL": "Europe", "XDUB": "Europe", "XLIS": "Europe", "XWBO": "Europe",
    "XSHG": "Emerging", "XSHE": "Emerging", "XKRX": "Emerging", "XTAI": "Emerging", "XBOM": "Emerging",
    "BVMF": "Emerging", "XMEX": "Emerging",
}
# which stock regions each factor set covers (Fama & French 2012, 2017 regional factors)
_FACTOR_COVERS = {
    "US": {"US"}, "North America": {"US", "Canada"}, "Europe": {"Europe"}, "Japan": {"Japan"},
    "Asia Pacific ex Japan": {"Asia Pacific ex Japan"}, "Emerging": {"Emerging"},
    "Developed": {"US", "Canada", "Europe", "Japan", "Asia Pacific ex Japan"},
    "Developed ex US": {"Canada", "Europe", "Japan", "Asia Pacific ex Japan"},
}


def region_of(symbol) -> str | None:
    """The region of a listing's exchange (``1810.HK`` -> ``Asia Pacific ex Japan``), None when
    the exchange is unknown."""
    try:
        return _CALENDAR_REGION.get(calendar_for(symbol))
    except AnalysisError:
        return None


def factor_region_fits(factor_region: str | None, symbol) -> bool | None:
    """Whether factors of ``factor_region`` cover the listing's exchange; None when either
    region is unknown."""
    stock = region_of(symbol)
    if factor_region is None or stock is None or factor_region not in _FACTOR_COVERS:
        return None
    return stock in _FACTOR_COVERS[factor_region]


# ---------------------------------------------------------------------------------------------
# daily price limits (mainland A-shares)

_ST = re.compile(r"(?<![A-Za-z])\*?S\*?T(?![A-Za-z])")


def price_limit(symbol: str, date=None, name: str | None = None) -> float | None:
    """Daily price limit (a fraction) of a listing on ``date``, or None when it has none.

    From ``analysis/data/exchanges.csv``: ``limit`` (main board), ``limit_growth`` for codes
    listed in ``growth_prefixes`` (``prefix:since``), ``limit_st`` when ``name`` marks an ST
    ("special treatment") stock such as "ST Kangmei" or "*ST ...". Indices have no limit.
    """
    row = exchange_row(symbol)
    if not row["limit"]:
        return None
    code = str(symbol).strip().upper().split(".")[0]
    when = None if date is None else pd.Timestamp(date)
    for spec in row["growth_prefixes"].split():
        prefix, _, since = spec.partition(":")
        if code.startswith(prefix) and (when is None or not since or when >= pd.Timestamp(since)):
            return float(row["limit_growth"])
    if name and _ST.search(str(name)):
        return float(row["limit_st"])
    return float(row["limit"])



# ---------------------------------------------------------------------------------------------
# exchange tags as the press writes them: (HKEX: 1810), (NASDAQ: NIO)

# exchange tag -> (Yahoo suffix, digits to pad the code to or 0)
_VENUES: dict[str, tuple[str, int]] = {}
for _names, _suffix, _pad in (
    (("NASDAQ", "NASDAQGS", "NASDAQGM", "NASDAQCM", "NYSE", "NYSE AMERICAN", "NYSEAMERICAN", "NYSE ARCA",
      "NYSEARCA", "AMEX", "OTC", "OTCQX", "OTCQB", "OTC MARKETS", "OTCMKTS", "OTC PINK", "PINK"), "", 0),
    (("HKEX", "HKSE", "SEHK", "HKG", "HK"), ".HK", 4),
    (("SSE", "SHA", "SHSE"), ".SS", 6),
    (("SZSE", "SHE"), ".SZ", 6),
    (("LSE", "LON"), ".L", 0),
    (("EPA", "EURONEXT PARIS", "ENXTPA"), ".PA", 0),
    (("TSX",), ".TO", 0),
    (("TYO", "TSE", "TOKYO"), ".T", 4),
    (("ASX",), ".AX", 0),
    (("TWSE", "TPE", "TAI"), ".TW", 4),
    (("XETRA", "ETR", "FRA"), ".DE", 0),
    (("SIX", "SWX"), ".SW", 0),
    (("STO", "OMX"), ".ST", 0),
    (("AMS",), ".AS", 0),
    (("KRX", "KOSPI"), ".KS", 6),
):
    for _n in _names:
        _VENUES[_n] = (_suffix, _pad)

_VENUE_RE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(_VENUES, key=len, reverse=True))
TAG_RE = re.compile(
    rf"\(\s*(?P<body>(?:{_VENUE_RE})\s*:\s*[A-Za-z0-9.\-]+(?:\s*[,;]\s*(?:{_VENUE_RE})\s*:\s*[A-Za-z0-9.\-]+)*)\s*\)",
    re.IGNORECASE)
_ONE_TAG = re.compile(rf"(?P<venue>{_VENUE_RE})\s*:\s*(?P<code>[A-Za-z0-9.\-]+)", re.IGNORECASE)


def tag_ticker(venue: str, code: str) -> str:
    """Yahoo ticker of an exchange tag: ``("HKEX", "1810")`` -> ``1810.HK``; ``("NYSE", "BRK.B")`` -> ``BRK-B``."""
    key = " ".join(venue.upper().split())
    if key not in _VENUES:
        raise AnalysisError(f"unknown exchange tag {venue!r} (known: {', '.join(sorted(_VENUES))})")
    suffix, pad = _VENUES[key]
    code = code.strip().upper().rstrip(".")
    if suffix == "":
        return code.replace(".", "-")
    if code.isdigit() and pad:
        # Hong Kong codes are written 1810, 01810 or 00005: Yahoo uses exactly four digits
        code = str(int(code)).zfill(pad) if suffix == ".HK" else code.zfill(pad)
    return code + suffix


