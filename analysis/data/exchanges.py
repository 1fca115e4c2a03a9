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

# Yahoo symbols: letters, digits and ^ . - = _ & (e.g. ^HSI, BRK-B, 2333.HK, EURUSD=X, GC=F),
# beginning with a letter, a digit or ^ (never =, - ...: a spreadsheet would run "=A1" as a formula)
_SYMBOL_RE = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9^=._&-]{0,31}$")


# ---------------------------------------------------------------------------------------------
# symbols

def validate_symbol(symbol: object) -> str:
    """Return ``symbol`` stripped of surrounding blanks, or raise InputError naming it.

    Refused: non-strings, empty, path separators, ``..``, control characters, and anything
    outside the Yahoo symbol alphabet (letters, digits, ``^ . - = _ &``; at most 32 characters;
    the first a letter, a digit or ``^``, so that no symbol reads as a spreadsheet formula).
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
            f"ticker symbol {symbol!r} is not a valid Yahoo symbol (letters, digits and ^ . - = _ &, "
            "at most 32, beginning with a letter, a digit or ^)"
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


@functools.cache
def _rows() -> dict[str, pd.Series]:
    """Each row of the table, read once (a batch asks for the same few rows many times)."""
    table = _table()
    return {key: table.loc[key] for key in table.index}


@functools.lru_cache(maxsize=65536)
def _row_key(s: str) -> str | None:
    """The table key of a normalised symbol: itself when listed (indices), else its suffix."""
    keys = _rows()
    if s in keys:
        return s
    if not s.startswith("^"):
        suffix = s[s.rindex("."):] if "." in s else ""
        if suffix in keys:
            return suffix
    return None


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
    key = _row_key(s)
    if key is not None:
        return _rows()[key]
    shown = ", ".join(k or "(none = US)" for k in known_suffixes())
    what = "index" if s.startswith("^") else f"suffix {s[s.rindex('.'):]!r}" if "." in s else "symbol"
    raise CalendarError(
        f"unknown exchange for {symbol!r} ({what}): known suffixes are {shown}; use the symbol of "
        "a listing on one of these exchanges, or study it from an events file with a 'calendar' "
        "column naming its exchange_calendars calendar (e.g. XHKG) and a 'market' column"
    )


@functools.cache
def _calendar_names() -> frozenset[str]:
    """The calendar names exchange_calendars knows, and our aliases. Kept in the per-user cache
    folder by library installation (:func:`calendars_version`), so that checking a name does not
    import the library (a fifth of a second) in every process."""
    import json

    path = None
    try:
        from ..config import cache_dir

        path = cache_dir() / "calendars" / f"names_{calendars_version()}.json"
        names = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            return frozenset(names) | frozenset(CALENDAR_ALIASES)
    except Exception:          # no cache yet, or one that cannot be read: ask the library
        pass
    import exchange_calendars as xc

    names = sorted(xc.get_calendar_names())
    if path is not None:
        try:
            from ..files import atomic_write_text

            atomic_write_text(path, json.dumps(names))
        except Exception:
            pass
    return frozenset(names) | frozenset(CALENDAR_ALIASES)


@functools.cache
def calendars_version() -> str:
    """A key of the installed exchange_calendars (size and time of its ``__init__.py``, read
    without importing it): cached calendar facts are kept per installation."""
    import importlib.util

    spec = importlib.util.find_spec("exchange_calendars")
    st = os.stat(spec.origin)
    return f"{st.st_size}-{st.st_mtime_ns}"


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
    return _field(_normalise(symbol), "calendar", symbol)


def default_market(symbol) -> str:
    """Default benchmark index of the listing's exchange (``.HK`` -> ``^HSI``,
    ``.SS`` -> ``000001.SS``, US -> ``^GSPC``)."""
    return _field(_normalise(symbol), "benchmark", symbol)


@functools.lru_cache(maxsize=65536)
def _field_of(normalised: str, column: str) -> str:
    return exchange_row(normalised)[column]


def _field(normalised: str, column: str, symbol) -> str:
    """One column of a symbol's table row, remembered per symbol (a sample repeats its symbols
    and a pandas lookup per event adds up); the error names the symbol as given."""
    try:
        return _field_of(normalised, column)
    except CalendarError:
        exchange_row(symbol)            # raises the error with the symbol as the user wrote it
        raise


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
# symbols as the press writes them: (HKEX: 1810), NASDAQ: NVDA, SEHK:700, (RIVN.O), (000858.SZ)

# exchange tag -> (Yahoo suffix, digits to pad the code to or 0)
_VENUES: dict[str, tuple[str, int]] = {}
for _names, _suffix, _pad in (
    (("NASDAQ", "NASDAQGS", "NASDAQGM", "NASDAQCM", "NYSE", "NYSE AMERICAN", "NYSEAMERICAN", "NYSE ARCA",
      "NYSEARCA", "NYSE MKT", "AMEX", "OTC", "OTCQX", "OTCQB", "OTC MARKETS", "OTCMKTS", "OTC PINK", "PINK",
      "OTCPK"), "", 0),
    (("HKEX", "HKSE", "SEHK", "HKG", "HK"), ".HK", 4),
    (("SSE", "SHA", "SHSE"), ".SS", 6),
    (("SZSE", "SHE"), ".SZ", 6),
    (("LSE", "LON"), ".L", 0),
    (("EPA", "EURONEXT PARIS", "ENXTPA"), ".PA", 0),
    (("TSX",), ".TO", 0),
    (("TYO", "TSE", "TOKYO"), ".T", 4),
    (("ASX",), ".AX", 0),
    (("TWSE", "TPE", "TAI"), ".TW", 4),
    (("TPEX", "GTSM"), ".TWO", 4),
    (("XETRA", "ETR", "FRA"), ".DE", 0),
    (("SIX", "SWX", "VTX"), ".SW", 0),
    (("STO", "OMX", "OMXSTO", "SSME"), ".ST", 0),
    (("AMS", "EURONEXT AMSTERDAM", "ENXTAM"), ".AS", 0),
    (("EBR", "EURONEXT BRUSSELS", "ENXTBR"), ".BR", 0),
    (("BIT", "MIL", "BORSA ITALIANA"), ".MI", 0),
    (("BME", "MCE", "BMAD"), ".MC", 0),
    (("CPH", "OMXCOP"), ".CO", 0),
    (("HEL", "OMXHEX"), ".HE", 0),
    (("OSL", "OB", "OSE"), ".OL", 0),
    (("VIE", "WBAG"), ".VI", 0),
    (("ELI", "EURONEXT LISBON", "ENXTLS"), ".LS", 0),
    (("ISE", "EURONEXT DUBLIN"), ".IR", 0),
    (("WSE", "GPW"), ".WA", 0),
    (("JSE",), ".JO", 0),
    (("KRX", "KOSPI", "KSE"), ".KS", 6),
    (("KOSDAQ",), ".KQ", 6),
    (("SGX",), ".SI", 0),
    (("NSE",), ".NS", 0),
    (("BOM",), ".BO", 0),
    (("NZX", "NZE"), ".NZ", 0),
    (("BMV",), ".MX", 0),
    (("B3", "BVMF"), ".SA", 0),
):
    for _n in _names:
        _VENUES[_n] = (_suffix, _pad)

# Reuters instrument codes (RIC) whose exchange suffix differs from Yahoo's: .O/.OQ (Nasdaq),
# .N (NYSE), .A (NYSE American), .P (NYSE Arca), .K (NYSE consolidated) are US listings without a
# suffix; .S is SIX Swiss (.SW), .I Euronext Dublin (.IR). Every other RIC suffix is Yahoo's.
_RIC_SUFFIX = {".O": "", ".OQ": "", ".N": "", ".A": "", ".P": "", ".K": "", ".S": ".SW", ".I": ".IR"}

# a share class written after a space, as Nordic press writes it: (CPH: NOVO B), (STO: ERIC B)
_CODE = r"[A-Za-z0-9][A-Za-z0-9.\-_]*(?:\s[A-C](?=\s*(?:[)\],;/]|$)))?"
_VENUE_RE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(_VENUES, key=len, reverse=True))
_PAIR = rf"(?:{_VENUE_RE})\s*:\s*{_CODE}"
# (NASDAQ: NVDA), [HKEX: 9988], (HKEX: 1211; SZSE: 002594), and, without brackets, an upper-case
# venue (NASDAQ: NVDA, SEHK:700 in running text)
# venues read without brackets: upper case, long or unambiguous enough ("HK:" or "OB:" in running
# text is no tag), followed by an upper-case code
_BARE_VENUES = ("NASDAQ", "NYSE", "NYSEARCA", "AMEX", "OTC", "OTCQX", "OTCMKTS", "HKEX", "SEHK", "SSE",
                "SZSE", "SHA", "LSE", "LON", "EPA", "TSX", "TYO", "ASX", "TWSE", "XETRA", "ETR", "SIX", "STO",
                "BME", "CPH", "HEL", "OSL", "KRX", "KOSDAQ", "SGX", "NSE", "JSE", "EBR", "AMS", "BIT", "WSE")


@functools.cache
def _press_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """The exchange-tag, one-pair and bare-code patterns, compiled on first use: only text
    extraction reads them, and compiling the venue alternation costs every process ~10 ms."""
    tags = re.compile(
        rf"[(\[]\s*(?P<body>{_PAIR}(?:\s*[,;/]\s*{_PAIR})*)\s*[)\]]"
        rf"|(?<![\w:])(?P<bare>(?-i:(?:{'|'.join(sorted(_BARE_VENUES, key=len, reverse=True))})\s*:\s*"
        rf"[A-Z0-9][A-Z0-9.\-]{{0,11}})(?![\w]))",
        re.IGNORECASE)
    one = re.compile(rf"(?P<venue>{_VENUE_RE})\s*:\s*(?P<code>{_CODE})", re.IGNORECASE)
    # (RIVN.O), (0700.HK), (000858.SZ), (VOWG_p.DE), (NOVO-B.CO): a code with an exchange suffix
    code = re.compile(r"[(\[]\s*(?P<code>[A-Z0-9][A-Za-z0-9\-_]{0,11}\.(?P<suffix>[A-Z]{1,3}))\s*[)\]]")
    return tags, one, code


def tag_ticker(venue: str, code: str) -> str:
    """Yahoo ticker of an exchange tag: ``("HKEX", "1810")`` -> ``1810.HK``; ``("NYSE", "BRK.B")`` -> ``BRK-B``."""
    key = " ".join(venue.upper().split())
    if key not in _VENUES:
        raise AnalysisError(f"unknown exchange tag {venue!r} (known: {', '.join(sorted(_VENUES))})")
    suffix, pad = _VENUES[key]
    code = "-".join(code.strip().upper().rstrip(".").split())     # "NOVO B" -> NOVO-B
    if suffix == "":
        return code.replace(".", "-")
    if code.isdigit() and pad:
        # Hong Kong codes are written 1810, 01810 or 00005: Yahoo uses exactly four digits
        code = str(int(code)).zfill(pad) if suffix == ".HK" else code.zfill(pad)
    elif suffix not in (".HK", ".SS", ".SZ", ".T", ".TW", ".TWO", ".KS", ".KQ"):
        code = code.replace(".", "-")          # share classes: (STO: ERIC.B) -> ERIC-B.ST
    return code + suffix


def code_ticker(code: str) -> str | None:
    """Yahoo ticker of a Reuters code or Yahoo symbol written in the text, or None.

    ``RIVN.O`` -> ``RIVN``; ``BA.N`` -> ``BA``; ``CFR.S`` -> ``CFR.SW``; ``0700.HK`` / ``700.HK``
    -> ``0700.HK``; ``000858.SZ``; ``ERICb.ST`` -> ``ERIC-B.ST``; ``BRKa.N`` -> ``BRK-A``. None when
    the suffix is no exchange the table knows, or for a code Yahoo writes differently that
    cannot be derived (a preferred line such as ``VOWG_p.DE``: the company's own listing is
    found by name instead).
    """
    base, _, suffix = code.strip().rpartition(".")
    suffix = "." + suffix.upper()
    if not base or "_" in base:
        return None
    if suffix in _RIC_SUFFIX:
        suffix = _RIC_SUFFIX[suffix]
    elif suffix not in _table().index:
        return None
    m = re.fullmatch(r"([A-Z0-9]+)([a-z])", base)
    if m:                                      # RIC share class: ERICb -> ERIC-B
        base = f"{m[1]}-{m[2].upper()}"
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9\-]*", base):
        return None
    if suffix == ".HK" and base.isdigit():
        base = str(int(base)).zfill(4)
    return base + suffix


def press_symbols(text: str) -> list[tuple[int, int, list[tuple[str, str | None, str]]]]:
    """Symbols as the press writes them, left to right: ``[(start, end, [(venue, ticker, written)])]``.

    Exchange-prefixed tags (``(NASDAQ: NVDA)``, ``HKEX: 9988``, ``SEHK:700``, ``(BME: ITX)``,
    ``(SHA: 600519)``, several in one bracket), Reuters codes (``(RIVN.O)``, ``(0700.HK)``,
    ``(VOWG_p.DE)``) and Yahoo symbols (``(000858.SZ)``). ``venue`` is the tag's exchange word,
    or ``"CODE"`` for a bare code; ``ticker`` the Yahoo symbol, None when it cannot be derived
    (see :func:`code_ticker`); ``written`` the code as written.
    """
    tags, one, codes = _press_patterns()
    out = []
    for m in tags.finditer(text):
        body = m["body"] or m["bare"]
        pairs = [(t["venue"].upper(), tag_ticker(t["venue"], t["code"]), t["code"]) for t in one.finditer(body)]
        out.append((m.start(), m.end(), pairs))
    taken = [(s, e) for s, e, _ in out]
    for m in codes.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        out.append((m.start(), m.end(), [("CODE", code_ticker(m["code"]), m["code"])]))
    return sorted(out, key=lambda x: x[0])


# ----------------------------------------------------------------- markets named in words ----
# where the press says shares trade, and the words that place a company in a market: a city or an
# exchange ("rose 3% in Frankfurt", "on the NSE", "Hong Kong-listed"), a market's index ("the Nifty
# 50", "the Nikkei"), a currency ("165 billion rupees", "euros") and a nationality ("Finnish
# drugmaker"). Yahoo suffixes of each; the first two kinds are venues ("venue"), the others only
# say where a company is at home ("home").
_EURO = (".DE", ".PA", ".AS", ".BR", ".MI", ".MC", ".HE", ".IR", ".LS", ".VI")
_MARKET_WORDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("",), "venue", r"New\s+York|Wall\s+Street|NYSE|Nasdaq(?!\s+(?:Stockholm|Helsinki|Copenhagen|Nordic|Baltic|Iceland))"
                     r"|S&P\s+500|Dow\s+Jones|Russell\s+2000|U\.?S\.?[- ]listed|American\s+depositary|ADRs?|ADSs?"),
    (("",), "home", r"U\.S\.\s+dollars|US\$|U\.S\.-based"),
    ((".HK",), "venue", r"Hong\s+Kong|Hang\s+Seng|HKEX"),
    ((".HK",), "home", r"HK\$|Hong\s+Kong\s+dollars"),
    ((".SS", ".SZ"), "venue", r"Shanghai|Shenzhen|CSI\s+300"),
    ((".SS", ".SZ", ".HK"), "home", r"yuan|renminbi|Chinese"),
    ((".T",), "venue", r"Tokyo|Nikkei|Topix"),
    ((".T",), "home", r"yen|Japanese"),
    ((".L",), "venue", r"London|FTSE\s+(?:100|250)|LSE"),
    ((".L",), "home", r"pounds|pence|sterling|British"),
    ((".PA",), "venue", r"Paris|CAC\s+40"),
    ((".DE",), "venue", r"Frankfurt|Xetra|DAX|MDAX|SDAX|TecDAX"),
    ((".DE",), "home", r"German"),
    ((".PA",), "home", r"French"),
    ((".AS",), "venue", r"Amsterdam|AEX"),
    ((".AS",), "home", r"Dutch"),
    ((".BR",), "venue", r"Brussels|BEL\s+20"),
    ((".MI",), "venue", r"Milan|FTSE\s+MIB"),
    ((".MI",), "home", r"Italian"),
    ((".MC",), "venue", r"Madrid|IBEX(?:\s+35)?"),
    ((".MC",), "home", r"Spanish"),
    ((".SW",), "venue", r"Zurich|SIX\s+Swiss|Swiss\s+Market\s+Index"),
    ((".SW",), "home", r"Swiss\s+francs|Swiss"),
    ((".ST",), "venue", r"Stockholm|OMX\s+Stockholm(?:\s+30)?|OMXS30"),
    ((".ST",), "home", r"Swedish\s+crowns|kronor|Swedish"),
    ((".OL",), "venue", r"Oslo"),
    ((".OL",), "home", r"Norwegian\s+crowns|Norwegian"),
    ((".CO",), "venue", r"Copenhagen|OMX\s+Copenhagen(?:\s+25)?|C25"),
    ((".CO",), "home", r"Danish\s+crowns|Danish"),
    ((".HE",), "venue", r"Helsinki|OMX\s+Helsinki(?:\s+25)?"),
    ((".HE",), "home", r"Finnish"),
    (_EURO, "home", r"euros?|\u20ac"),
    ((".KS", ".KQ"), "venue", r"Seoul|Kospi|Kosdaq"),
    ((".KS", ".KQ"), "home", r"Korean\s+won|South\s+Korean|Korean"),
    ((".TW", ".TWO"), "venue", r"Taipei|Taiex"),
    ((".TW", ".TWO"), "home", r"Taiwan\s+dollars|Taiwanese|T\$|NT\$"),
    ((".NS", ".BO"), "venue", r"Mumbai|NSE|BSE|Nifty(?:\s+50)?|Sensex|Dalal\s+Street"),
    ((".NS", ".BO"), "home", r"rupees?|Rs\.?(?=\s*\d)|\u20b9|crores?|lakhs?|Indian"),
    ((".AX",), "venue", r"Sydney|ASX(?:\s+200)?"),
    ((".AX",), "home", r"A\$|Australian\s+dollars|Australian"),
    ((".TO",), "venue", r"Toronto|TSX"),
    ((".TO",), "home", r"C\$|Canadian\s+dollars|Canadian"),
    ((".SI",), "venue", r"Singapore|Straits\s+Times"),
    ((".SA",), "venue", r"S[aã]o\s+Paulo|Bovespa|Ibovespa"),
    ((".SA",), "home", r"reais|Brazilian"),
    ((".JO",), "venue", r"Johannesburg"),
    ((".TA",), "venue", r"Tel\s+Aviv"),
    ((".MX",), "venue", r"Mexico\s+City"),
    ((".VI",), "venue", r"Vienna"),
    ((".LS",), "venue", r"Lisbon"),
    ((".IR",), "venue", r"Dublin"),
    ((".WA",), "venue", r"Warsaw"),
    ((".KL",), "venue", r"Kuala\s+Lumpur"),
    ((".BK",), "venue", r"Bangkok"),
    ((".JK",), "venue", r"Jakarta"),
)


@functools.lru_cache(maxsize=1)
def _market_words_pattern() -> tuple[re.Pattern, tuple]:
    groups = "|".join(f"(?P<m{i}>{rx})" for i, (_, _, rx) in enumerate(_MARKET_WORDS))
    return re.compile(rf"(?<![\w$\u20ac])(?:{groups})(?![A-Za-z])"), _MARKET_WORDS


def market_words(text: str) -> list[tuple[int, int, frozenset[str], str]]:
    """Words of ``text`` that place shares or a company in a market: ``[(start, end, Yahoo
    suffixes, kind)]``, ``kind`` ``"venue"`` for a city, an exchange or a market's index ("in
    Frankfurt", "on the NSE", "the Nifty 50", "Hong Kong-listed"; a US listing has suffix ``""``)
    and ``"home"`` for a currency or a nationality ("rupees", "euros", "Finnish")."""
    rx, table = _market_words_pattern()
    out = []
    for m in rx.finditer(text):
        i = int(m.lastgroup[1:])
        suffixes, kind, _ = table[i]
        out.append((m.start(), m.end(), frozenset(suffixes), kind))
    return out
