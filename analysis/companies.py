"""The company table shipped with the package, and finding companies and exchange tags in text.

``analysis/data/companies.csv`` has one row per company: ``name``, ``aliases`` (``|``-separated,
matched case-sensitively on word boundaries), ``listings`` (space-separated ``VENUE:TICKER``,
Yahoo tickers, primary listing first; the venue is informational, e.g. OTC vs NYSE), ``listed``
(``true``/``false``: private or delisted companies have no listing), and ``kind``
(``company`` or ``media``: a news agency or publisher cited as the source of a story, as in
"Reuters reported", is a *mention*; a story about it is not). A trade union or a government
body is not a company and is not in the table.

Exchange and benchmark of a listing come from :mod:`analysis.timing` (``calendar_for`` and
``default_market``): the suffix-to-exchange mapping lives there, once.

Exchange tags such as ``(NASDAQ: BIDU)``, ``(HKEX: 1810)`` / ``(HKEX: 01810)`` (four digits,
``.HK``), ``(SSE: 601633)``, ``(SZSE: 000333)``, ``(LSE: RIO)``, ``(EPA: SAN)``, ``(TSX: TRI)``,
``(TYO: 7203)``, ``(ASX: BHP)``, ``(TWSE: 2317)`` become Yahoo tickers (:func:`tag_ticker`);
several in one parenthesis (``(HKEX: 1211; SZSE: 002594)``) are all read.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from .errors import AnalysisError


@dataclass(frozen=True)
class Company:
    name: str
    aliases: tuple[str, ...]
    listings: tuple[str, ...]        # Yahoo tickers, primary first
    listed: bool
    kind: str = "company"            # "company" | "media"


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


def find_tags(text: str) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """Exchange tags in text: ``[(start, end, [(venue, ticker), ...]), ...]``."""
    out = []
    for m in TAG_RE.finditer(text):
        pairs = [(t["venue"].upper(), tag_ticker(t["venue"], t["code"])) for t in _ONE_TAG.finditer(m["body"])]
        out.append((m.start(), m.end(), pairs))
    return out


@functools.lru_cache(maxsize=1)
def company_table() -> tuple[Company, ...]:
    """The curated table ``analysis/data/companies.csv`` (read once)."""
    text = resources.files("analysis").joinpath("data", "companies.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    out = []
    for r in df.itertuples(index=False):
        listings = tuple(x.split(":", 1)[1] for x in r.listings.split())
        out.append(Company(r.name, tuple(a for a in r.aliases.split("|") if a), listings,
                           r.listed.strip().lower() == "true", r.kind or "company"))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _index() -> tuple[re.Pattern, dict[str, Company], dict[str, Company]]:
    by_alias: dict[str, Company] = {}
    by_ticker: dict[str, Company] = {}
    for c in company_table():
        for a in (c.name, *c.aliases):
            by_alias.setdefault(a, c)
        for t in c.listings:
            by_ticker[t] = c
    names = sorted(by_alias, key=len, reverse=True)          # longest first wins at a position
    alternation = "|".join(re.escape(n) for n in names)
    # word boundaries that also work for names ending in "." or "&" ("J.P. Morgan", "Merck & Co.")
    # ("$3M" is money, not 3M)
    pattern = re.compile(rf"(?<![\w&$\u20ac\u00a3\u00a5])(?:{alternation})(?![\w&])(?!\s+of\s+[A-Z])")
    return pattern, by_alias, by_ticker


def company_by_ticker(ticker: str) -> Company | None:
    return _index()[2].get(ticker)


def find_names(text: str) -> list[tuple[int, int, Company]]:
    """Company names in text: ``[(start, end, company), ...]`` left to right, no overlaps.

    Longest alias first at each position, so "Great Wall Motor" wins over "Great Wall" and
    "Google DeepMind" is one match (Alphabet). A name followed by "of <Capital>" is not a match
    ("Great Wall of China"), unless the longer form is itself an alias ("Bank of China").
    """
    pattern, by_alias, _ = _index()
    return [(m.start(), m.end(), by_alias[m.group(0)]) for m in pattern.finditer(text)]


def listing_venue(ticker: str) -> tuple[str, str]:
    """``(exchange calendar, default benchmark)`` of a listing, from :mod:`analysis.timing`.

    ``("", "")`` when timing does not know the suffix (the row is still written; timing will
    report it when the events are timed).
    """
    from .timing import calendar_for, default_market
    try:
        return calendar_for(ticker), default_market(ticker)
    except AnalysisError:
        return "", ""
