"""The company table shipped with the package, and finding companies and exchange tags in text.

``analysis/events/companies.csv`` has one row per company: ``name``, ``aliases`` (``|``-separated,
matched case-sensitively on word boundaries), ``listings`` (space-separated ``VENUE:TICKER``,
Yahoo tickers, primary listing first; the venue is informational, e.g. OTC vs NYSE), ``listed``
(``true``/``false``: private or delisted companies have no listing), and ``kind``
(``company`` or ``media``: a news agency or publisher cited as the source of a story, as in
"Reuters reported", is a *mention*; a story about it is not). A trade union or a government
body is not a company and is not in the table.

Exchange and benchmark of a listing come from :mod:`analysis.data.exchanges` (``calendar_for`` and
``default_market``): the facts about exchanges live there, once.

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

from ..data.exchanges import TAG_RE, _ONE_TAG, calendar_for, default_market, tag_ticker
from ..errors import AnalysisError


@dataclass(frozen=True)
class Company:
    name: str
    aliases: tuple[str, ...]
    listings: tuple[str, ...]        # Yahoo tickers, primary first
    listed: bool
    kind: str = "company"            # "company" | "media"


def find_tags(text: str) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """Exchange tags in text: ``[(start, end, [(venue, ticker), ...]), ...]``."""
    out = []
    for m in TAG_RE.finditer(text):
        pairs = [(t["venue"].upper(), tag_ticker(t["venue"], t["code"])) for t in _ONE_TAG.finditer(m["body"])]
        out.append((m.start(), m.end(), pairs))
    return out


@functools.lru_cache(maxsize=1)
def company_table() -> tuple[Company, ...]:
    """The curated table ``analysis/events/companies.csv`` (read once)."""
    text = resources.files(__package__).joinpath("companies.csv").read_text(encoding="utf-8")
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
    """``(exchange calendar, default benchmark)`` of a listing, from :mod:`analysis.data.exchanges`.

    ``("", "")`` when timing does not know the suffix (the row is still written; timing will
    report it when the events are timed).
    """
    try:
        return calendar_for(ticker), default_market(ticker)
    except AnalysisError:
        return "", ""
