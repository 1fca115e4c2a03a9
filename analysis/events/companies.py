"""The company universe, and finding companies and exchange symbols in text.

Tables, the first that names a company wins:

1. the user's own tables (``--companies FILE`` on ``extract``; the setting ``ANALYSIS_COMPANIES``,
   several files separated by ``os.pathsep``), in the format below;
2. the curated table shipped with the package, ``analysis/events/companies.csv``: the seed
   companies with their aliases, media companies, private companies, and the Hong Kong,
   mainland China, Taiwan and Korea listings (Hang Seng and HS China Enterprises constituents,
   the largest A-shares, with their H-share/A-share/ADR cross-listings) that (3) lacks;
3. the index constituents that ``pytickersymbols`` ships offline (S&P 500/600, Nasdaq 100, Dow,
   DAX/MDAX/SDAX/TecDAX, CAC 40/Mid 60, FTSE 100, Euro Stoxx 50, IBEX 35, AEX, BEL 20, SMI,
   Nikkei 225, OMX Stockholm 30 and Helsinki 25: about 1,800 companies with Yahoo symbols);
4. names resolved earlier through Yahoo's search and cached on disk (:mod:`analysis.events.lookup`);
5. the broad list of listed companies that ``investpy`` ships offline (about 40,000 lines, a
   snapshot of about 2021-22; :mod:`analysis.events.broad`): only companies whose listings and
   name none of the tables above has, home listings of the United States, Hong Kong, mainland
   China, Japan and Australia; a name of it that is one word or only
   ordinary words needs corporate evidence in the text. Consulted lazily, for the words a text
   contains. Without ``investpy`` the tables above are used and the notes say so once.

Table format (CSV, UTF-8): ``name``, ``aliases`` (``|``-separated, matched case-sensitively on
word boundaries; Chinese aliases anywhere), ``listings`` (space-separated ``VENUE:TICKER``, Yahoo
tickers, home listing first; venue ``OTC`` marks an over-the-counter line; ``@YYYY-MM-DD`` after
a ticker is the first day of a recent listing, ``~YYYY-MM-DD`` the last day of trading of a delisted
one, ``SIX:CSGN.SW~2023-06-09``: news after it gives the company no listing), ``listed``
(``true``/``false``: private or delisted companies have no listing) and ``kind`` (``company``,
``media``: a news agency cited as the source of a story, as in "Reuters reported", is a
*mention*, or ``data``: a data vendor cited as the source of numbers, "according to LSEG data",
"data compiled by FactSet", is a *mention*); optional ``codes`` (``|``-separated codes the press uses that are not Yahoo's, such
as the Reuters code ``VOWG_p.DE``); optional ``former`` (``|``-separated former names with their
symbol and the day they stopped being used, ``Paramount Global (PARA) to 2025-08-07``: each name
is an alias and each symbol a code, so "Paramount Global (NASDAQ: PARA)" in a 2024 article is
today's Paramount Skydance, one row under its current symbol, and the notes name both; a broad
list line under a former symbol is that company). A trade union or a government body is not a
company.

From ``pytickersymbols`` a company keeps its home listing, its New York listing (a primary ADR)
and its over-the-counter lines (marked OTC: kept as ``listed=otc`` rows, not studied by
default); Frankfurt secondary lines and London international order-book lines are left out.
Its aliases are its name and the name without the legal form ("Apple Inc." -> "Apple"); an
alias two package companies share is dropped. Every alias of every table also matches without
its accents ("Hermès" -> "Hermes").

A name found in text is the company unless its context makes it something else, and a name
that is an ordinary word needs corporate evidence (:mod:`analysis.events.namecontext`).
Exchange and benchmark of a listing come from :mod:`analysis.data.exchanges`.
"""

from __future__ import annotations

import bisect
import functools
import io
from collections import Counter
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from ..data.exchanges import calendar_for, default_market, press_symbols, validate_symbol
from ..errors import AnalysisError, InputError
from . import namecontext
from .broad import BUSINESS_WORDS, BroadIndex
from .namecontext import fold as _fold
from .namecontext import short_name

# Chinese, Japanese (kana) and Korean (Hangul) names are matched anywhere in the text: these
# scripts write no spaces between a name and its particles ("삼성전자는", "ソニーGが")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
# shares, results, profit, listing, deals, dividends, president (Japanese; Korean), and the words of a
# share move, of the shares and of a disclosure (namecontext.JK_MOVE_WORDS, JK_SHARE_WORDS,
# JK_DISCLOSURE_WORDS: one home with extract's reaction and disclosure rules)
_JK_COMPANY_NEWS = re.compile("|".join((
    namecontext.JK_MOVE_WORDS, namecontext.JK_SHARE_WORDS, namecontext.JK_DISCLOSURE_WORDS,
    "\u682a|\u696d\u7e3e|\u4e0a\u5834|\u8cb7\u53ce|\u63d0\u643a|\u5408\u4f75|\u7d71\u5408|"
    "\u5229\u76ca|\u8d64\u5b57|\u9ed2\u5b57|\u914d\u5f53|\u793e\u9577|"
    "\u30ea\u30b3\u30fc\u30eb|\u5024\u4e0a\u3052|\u5024\u4e0b\u3052|\u76ca|\u4e88\u60f3|\u58f2\u4e0a|"
    "\u898b\u901a\u3057|\u53d7\u6ce8|\u58f2\u5374|\u64a4\u9000|\u524a\u6e1b|\u767a\u58f2|"
    "\ucd9c\uc2dc|\uc218\uc8fc|\ub9e4\uac01|\uc804\ub9dd|\uc790\uc0ac\uc8fc|\uacc4\uc57d|\ud22c\uc790|"
    "\u81ea\u793e\u682a|\u5951\u7d04|\u6295\u8cc7|"
    "\uc8fc\uc2dd|\uc2e4\uc801|\uc778\uc218|\ud569\ubcd1|\uc0c1\uc7a5|\uc601\uc5c5\uc774\uc775|"
    "\ub9e4\ucd9c|\ubc30\ub2f9|\ub9ac\ucf5c")))
_SHARE_CLASS_US = re.compile(r"^([A-Z]+)\.([A-Z])$")          # BRK.B -> BRK-B
_OTC_VENUES = {"OTC", "OTCMKTS", "OTCQX", "OTCQB", "PINK", "OTC PINK", "OTCPK"}


@dataclass(frozen=True)
class Company:
    name: str
    aliases: tuple[str, ...]
    listings: tuple[str, ...]        # Yahoo tickers, home listing first
    listed: bool
    kind: str = "company"            # "company" | "media" | "data"
    otc: tuple[str, ...] = ()        # listings that are over-the-counter lines
    codes: tuple[str, ...] = ()      # other codes the press writes (Reuters codes)
    source: str = "curated"          # "user" | "curated" | "package" | "broad" | "lookup"
    weak: tuple[str, ...] = ()       # aliases that need corporate evidence in the text (broad table)
    since: tuple[tuple[str, str], ...] = ()   # (ticker, ISO date) of listings that began recently
    small_cap: bool = False          # a constituent of small- and mid-cap indices only (S&P 600, MDAX, ...)
    until: tuple[tuple[str, str], ...] = ()   # (ticker, ISO date) last day of trading of delisted listings

    def listed_on(self, ticker: str, day) -> bool:
        """False for a listing that began after ``day`` (a listing written ``HKEX:3750.HK@2025-05-20``)
        or ended before it (``SIX:CSGN.SW~2023-06-09``: its last day of trading)."""
        if day is None or pd.isna(day):
            return True
        start, end = dict(self.since).get(ticker), dict(self.until).get(ticker)
        return (start is None or pd.Timestamp(start) <= pd.Timestamp(day)) and \
            (end is None or pd.Timestamp(day) <= pd.Timestamp(end))

    def delisted_by(self, day) -> bool:
        """Every listing ended before ``day`` (Credit Suisse after June 2023)."""
        ended = dict(self.until)
        return bool(self.listings) and day is not None and not pd.isna(day) and all(
            t in ended and pd.Timestamp(ended[t]) < pd.Timestamp(day) for t in self.listings)

    def listing_status(self, ticker: str) -> str:
        """``"true"`` for a listing that is studied, ``"otc"`` for an over-the-counter line."""
        return "otc" if ticker in self.otc else "true"


# ------------------------------------------------------------------------------------ tables ----

# a former name: "Paramount Global (PARA) to 2025-08-07" (the symbol may be left out)
_FORMER = re.compile(r"(?P<name>[^()|]+?)\s*(?:\((?P<symbol>[A-Z0-9][A-Z0-9.\-]*)\))?\s+to\s+(?P<day>\d{4}-\d{2}-\d{2})")


def _former(text: str, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names and symbols of the ``former`` column (``|``-separated ``Name (SYMBOL) to YYYY-MM-DD``)."""
    names, symbols = [], []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        m = _FORMER.fullmatch(part)
        if m is None:
            raise InputError(f"{where}: former name {part!r} is not written 'Name (SYMBOL) to YYYY-MM-DD'")
        names.append(m["name"])
        if m["symbol"]:
            symbols.append(m["symbol"])
    return tuple(names), tuple(symbols)


def _rows_to_companies(df: pd.DataFrame, where: str, source: str) -> list[Company]:
    missing = {"name", "listings"} - set(df.columns)
    if missing:
        raise InputError(f"{where}: company table needs columns name and listings (missing {sorted(missing)})")
    out = []
    for i, r in enumerate(df.to_dict("records"), start=2):
        name = str(r.get("name", "")).strip()
        if not name:
            raise InputError(f"{where}, line {i}: company name is empty")
        listings, otc, since, until = [], [], [], []
        for item in str(r.get("listings", "")).split():
            venue, ticker, start, end = _listing_item(item, f"{where}, line {i} ({name})")
            since += [(ticker, start)] if start else []
            until += [(ticker, end)] if end else []
            listings.append(ticker)
            if venue.upper() in _OTC_VENUES:
                otc.append(ticker)
        listed_text = str(r.get("listed", "")).strip().lower()
        listed = bool(listings) if not listed_text else listed_text in ("true", "1", "yes")
        kind = str(r.get("kind", "") or "company").strip() or "company"
        aliases = tuple(a.strip() for a in str(r.get("aliases", "")).split("|") if a.strip())
        codes = tuple(c.strip() for c in str(r.get("codes", "")).split("|") if c.strip())
        names, symbols = _former(str(r.get("former", "")), f"{where}, line {i} ({name})")
        aliases, codes = tuple(dict.fromkeys(aliases + names)), tuple(dict.fromkeys(codes + symbols))
        out.append(Company(name, aliases, tuple(listings), listed and bool(listings), kind, tuple(otc),
                           codes, source, since=tuple(since), until=tuple(until)))
    return out


def _listing_item(item: str, where: str) -> tuple[str, str, str, str]:
    """``(venue, ticker, first day, last day)`` of one listing of a table: ``VENUE:TICKER``, with
    ``@YYYY-MM-DD`` when it began recently ("HKEX:3750.HK@2025-05-20") and ``~YYYY-MM-DD`` on its
    last day of trading when it is delisted ("SIX:CSGN.SW~2023-06-09"); InputError naming ``where``."""
    venue, _, ticker = item.rpartition(":")
    ticker, _, end = ticker.partition("~")
    ticker, _, start = ticker.partition("@")
    try:
        ticker = validate_symbol(ticker)
        calendar_for(ticker)
        start = pd.Timestamp(start).date().isoformat() if start else ""
        end = pd.Timestamp(end).date().isoformat() if end else ""
    except AnalysisError as exc:
        raise InputError(f"{where}: listing {item!r}: {exc}") from None
    except ValueError:
        raise InputError(f"{where}: listing {item!r}: the date after @ or ~ is no date "
                         "(expected TICKER@YYYY-MM-DD or TICKER~YYYY-MM-DD)") from None
    return venue, ticker, start, end


def read_company_table(path: str | os.PathLike, *, source: str = "user") -> tuple[Company, ...]:
    """A company table file (format: module docstring); InputError naming the file and line."""
    from ..data.textfile import read_utf8

    path = Path(path).expanduser()
    text = read_utf8(path, "company table")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"company table {path} is not a valid CSV: {str(exc).splitlines()[0]}") from None
    return tuple(_rows_to_companies(df, f"company table {path}", source))


@functools.lru_cache(maxsize=1)
def company_table() -> tuple[Company, ...]:
    """The curated table ``analysis/events/companies.csv`` (read once)."""
    text = resources.files(__package__).joinpath("companies.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return tuple(_rows_to_companies(df, "companies.csv", "curated"))


def _package_ticker(symbol: str | None) -> str | None:
    if not symbol:
        return None
    symbol = symbol.strip()
    m = _SHARE_CLASS_US.match(symbol)
    if m and "." + m[2] not in _suffixes():
        symbol = f"{m[1]}-{m[2]}"
    suffix = symbol[symbol.rindex("."):] if "." in symbol else ""
    if suffix not in _suffixes() or not re.fullmatch(r"[A-Z0-9][A-Z0-9.\-&]{0,20}", symbol):
        return None
    if symbol.endswith(".L") and re.fullmatch(r"0[A-Z0-9]{3}\.L", symbol):
        return None                                       # London international order book line
    return symbol


def _package_home(entry: dict, venue_of: dict[str, str], us_lines: set[str]) -> str | None:
    """The home listing: the package's symbol, unless it is a bare code of a foreign company
    (an OTC or Frankfurt line mislabelled), else its first line on an exchange the table knows."""
    home = _package_ticker(entry.get("symbol"))
    foreign = venue_of.get(home) == "OTCMKTS" or str(entry.get("country") or "") in _NON_US
    if home is not None and "." not in home and home not in us_lines and foreign:
        home = None
    if home is not None:
        return home
    for yahoo, venue in venue_of.items():
        t = _package_ticker(yahoo) if venue not in ("FRA", "OTCMKTS", "MCX") else None
        if t and "." in t:
            return t
    return None


def _package_listings(entry: dict) -> tuple[list[str], list[str]]:
    """``(listings, otc)`` of one pytickersymbols company: home, New York ADR, OTC lines."""
    venue_of = {s.get("yahoo"): str(s.get("google") or "").split(":", 1)[0]
                for s in entry.get("symbols") or [] if s.get("yahoo")}
    us_lines = {y for y, v in venue_of.items() if v in ("NYSE", "NASDAQ")}
    home = _package_home(entry, venue_of, us_lines)
    if home is None:
        return [], []
    listings = [home]
    listings += [t for y in sorted(us_lines) if (t := _package_ticker(y)) and t not in listings]
    otc = [t for y, v in venue_of.items() if v == "OTCMKTS" and (t := _package_ticker(y)) and t not in listings]
    return listings + otc, otc


_NON_US = frozenset("""United Kingdom|Germany|France|Netherlands|Spain|Switzerland|Sweden|Finland|Japan|
Belgium|Italy|Ireland|Luxembourg|Denmark|Norway|Austria|Portugal|Jersey|Guernsey|Isle of Man|Bermuda|
Canada|Australia|Israel|China|Hong Kong|Taiwan|South Korea|Singapore|Mexico|Brazil|Chile|Russia|
Poland|Czech Republic|Greece|Turkey|South Africa|India""".replace("\n", "").split("|"))


@functools.lru_cache(maxsize=1)
def _suffixes() -> frozenset[str]:
    from ..data.exchanges import known_suffixes

    return frozenset(known_suffixes())


@functools.lru_cache(maxsize=1)
def package_table() -> tuple[Company, ...]:
    """Index constituents shipped by ``pytickersymbols`` (offline), as companies (see the module
    docstring). A declared dependency: its absence is an installation error, not an empty table."""
    from pytickersymbols.indices_data import INDICES

    by_home: dict[str, dict] = {}
    for index_name, index in INDICES.items():
        for entry in index.get("companies", []):
            listings, otc = _package_listings(entry)
            if not listings:
                continue
            slot = by_home.setdefault(listings[0], {"names": [], "listings": [], "otc": [], "indices": set()})
            slot["names"].append(entry["name"])
            slot["indices"].add(index_name)
            slot["listings"] += [t for t in listings if t not in slot["listings"]]
            slot["otc"] += [t for t in otc if t not in slot["otc"]]
    # a first word that begins the names of two companies ("Siemens", "Mitsui", "Nippon") is none's
    firsts = Counter(w for slot in by_home.values()
                     for w in {short_name(n).split()[0] for n in slot["names"] if short_name(n).split()})
    return tuple(_package_company(slot, firsts) for slot in by_home.values())


def _package_company(slot: dict, firsts: Counter) -> Company:
    """One company of :func:`package_table` from its names and listings."""
    names = list(dict.fromkeys(slot["names"]))
    aliases = []
    for n in names:
        for a in (n.strip(), short_name(n)):
            for v in (a, _fold(a)):
                if v and v not in aliases and len(v) >= 2 and v not in BUSINESS_WORDS:
                    aliases.append(v)        # "The Bancorp Inc" -> "Bancorp" is no name
    first = list(dict.fromkeys(f for n in names if (f := first_word_form(short_name(n))) and f not in aliases
                               and firsts[f] == 1))
    return Company(short_name(names[0]), tuple(aliases + first), tuple(slot["listings"]), True, "company",
                   tuple(slot["otc"]), (), "package", tuple(first),
                   small_cap=bool(slot["indices"]) and slot["indices"] <= SMALL_CAP_INDICES)


# pytickersymbols' indices of small and mid caps: a company in these only is known to few readers by
# its first word alone, which other companies the tables do not list often share ("Apogee" of Apogee
# Enterprises and of Apogee Therapeutics, "Cogent" of Cogent Communications and Cogent Biosciences)
SMALL_CAP_INDICES = frozenset({"S&P 600", "MDAX", "SDAX", "CAC Mid 60", "TecDAX"})


# words that end a company's name after its distinctive first word ("Darden Restaurants")
_INDUSTRY_TAIL = (BUSINESS_WORDS - {"Bank", "Banks", "Bancorp", "Bancshares", "Bankshares", "Financial", "Trust",
                                   "Capital", "Gas", "Power", "Utilities", "Global", "International"}) | frozenset("""
Restaurants Hotels Resorts Stores Automotive Airways Cruises Health Labs Laboratories Electronics
Instruments Devices Pharma Biotech Bio Sciences Entertainment Interactive Motor Semiconductor
""".split())


def first_word_form(name: str) -> str | None:
    """The first word of a name whose other words only say the industry ("Darden Restaurants" ->
    "Darden"), when it is no ordinary word, given name or place (:func:`analysis.events.broad.usable`;
    "General Motors", "Texas Instruments" give none): the press writes such companies by that word
    ("Olive Garden owner Darden jumps 15%"). Taken only on strong evidence at the name
    (:func:`analysis.events.namecontext.strong_cue`: "shares of Darden", "Darden jumps 15%"), like
    the broad list's one-word ordinary names; a word frequent in any text (wordfreq Zipf >= 3: "Getty",
    "Zebra", "Motorola") gives none, nor does one that begins two companies' names (checked by
    :func:`package_table`); without ``wordfreq`` none."""
    words = name.split()
    if len(words) < 2 or not all(w in _INDUSTRY_TAIL for w in words[1:]) or not re.fullmatch(r"[A-Z][a-z]{3,}", words[0]):
        return None
    from .broad import _zipf, usable

    try:
        # a word met often in any text ("Getty", "Zebra", "Motorola": Zipf >= 3) names too much else
        return words[0] if usable(words[0]) and _zipf(words[0].lower()) < 3.0 else None
    except ImportError:
        return None


# ----------------------------------------------------------------------------------- universe ----

@dataclass
class Universe:
    """Companies from several tables, indexed for finding them in text (see the module docstring)."""

    companies: tuple[Company, ...]
    by_alias: dict[str, Company] = field(default_factory=dict)
    by_ticker: dict[str, Company] = field(default_factory=dict)
    by_first: dict[str, list[str]] = field(default_factory=dict)
    cjk: list[str] = field(default_factory=list)
    weak: set[str] = field(default_factory=set)       # aliases that need corporate evidence
    homonyms: dict[str, tuple[Company, ...]] = field(default_factory=dict)   # one name, several companies
    notes: tuple[str, ...] = ()                        # said once in the output notes
    broad: BroadIndex | None = None                    # the broad list, consulted last and lazily
    _made: dict[int, Company] = field(default_factory=dict)
    _folded: set[str] = field(default_factory=set)       # aliases of the tables, case-folded
    _strict: dict[str, int] | None = None                # usable strict names (_strict_words)

    @classmethod
    def build(cls, tables: Iterable[Iterable[Company]], broad: BroadIndex | None = None) -> "Universe":
        """Tables in priority order: a company whose listing an earlier table has is left out,
        and so is an alias an earlier table uses. ``broad`` (:class:`analysis.events.broad.BroadIndex`)
        comes last under the same rules, asked only for the names and symbols a text contains
        (its 14,000 companies are not indexed again for every universe)."""
        u = cls((), broad=broad)
        kept: list[Company] = []
        for table in tables:
            u._add_table(table, kept)
        u.companies = tuple(kept)
        u._folded = {a.casefold() for a in u.by_alias}
        # Chinese, Japanese and Korean names longest first: "日産化学" (Nissan Chemical) before "日産"
        for alias in u.by_alias:
            if _CJK.search(alias):
                bisect.insort(u.cjk, alias, key=lambda a: -len(a))
            else:
                m = re.match(r"[\w]+", alias)
                u.by_first.setdefault(m.group(0) if m else alias[:1], []).append(alias)
        return u

    def _add_table(self, table: Iterable[Company], kept: list[Company]) -> None:
        """One table's companies and aliases (see :meth:`build`)."""
        claimed: dict[str, list[Company]] = {}
        for c in table:
            if any(t in self.by_ticker for t in c.listings) or (not c.listings and c.name in self.by_alias):
                continue
            kept.append(c)
            for t in (*c.listings, *c.codes):
                self.by_ticker.setdefault(t, c)
            for a in dict.fromkeys(v for a in (c.name, *c.aliases) for v in (a, _fold(a), _no_stops(a),
                                                                                 namecontext.spelled_out(a))):
                if a not in self.by_alias:
                    claimed.setdefault(a, []).append(c)
        for alias, owners in claimed.items():
            if len({o.name for o in owners}) == 1 or owners[0].source not in ("package", "broad"):
                self.by_alias[alias] = owners[0]     # a package or broad alias two companies share is dropped
                if any(alias in (w, _fold(w)) for w in owners[0].weak):
                    self.weak.add(alias)
                if _on_different_exchanges(owners):
                    # one name, two companies on different exchanges ("Reliance" of Reliance Industries
                    # and of Reliance Inc, "EQT" of EQT AB and EQT Corp): the item's market words
                    # decide (analysis.events.extract); share classes of one exchange stay one name
                    self.homonyms[alias] = tuple(owners)

    def _broad(self, i: int | None) -> Company | None:
        """Row ``i`` of the broad list as a company, unless an earlier table has its name (then it
        is that table's company) or its listing: then the row's names are that company's when its
        first word is one of the company's and its home listing is the company's ("Chipotle" of
        Chipotle Mexican Grill, "Erie Indemnity" for the index list's "Erie Insurance"), else the
        row is none (a symbol another company took since: Career Education's "CECO" is CECO
        Environmental's; an over-the-counter line of a foreign company)."""
        if i is None:
            return None
        c = self._made.get(i)
        if c is None:
            r = self.broad.rows[i]
            c = self._made[i] = Company(r["name"], tuple(r["aliases"]), tuple(r["listings"]), True, "company",
                                        tuple(r["otc"]), (), "broad", tuple(r["weak"]))
        owner = next((self.by_ticker[t] for t in c.listings if t in self.by_ticker), None)
        if owner is not None:
            if c.listings[0] in c.otc or c.listings[0] not in owner.listings:
                return None              # an OTC line of a foreign company ("Amadeus IT Holding SA PK")
            words = {w.casefold() for a in (owner.name, *owner.aliases) for w in re.findall(r"\w+", _fold(a))}
            return owner if _fold(c.name).split()[0].casefold() in words else None
        if c.name.casefold() in self._folded:
            return None                  # "OMRON" (an ADR line) is the tables' "Omron"
        return c

    def company(self, ticker: str) -> Company | None:
        c = self.by_ticker.get(ticker)
        if c is None and self.broad is not None:
            c = self._broad(self.broad.by_ticker.get(ticker))
        return c

    def named(self, name: str) -> Company | None:
        c = self.by_alias.get(name)
        if c is None and self.broad is not None:
            c = self._broad(self.broad.by_alias.get(name))
            if c is None and name in self._strict_words():
                c = self._broad(self.broad.strict[name])
        return c

    def _strict_words(self) -> dict[str, int]:
        """The broad list's one-word ordinary names (:func:`analysis.events.broad.strict_name`)
        that no table's name begins with ("Zoom" is not used when a table knows Zoom Video
        Communications)."""
        if self._strict is None:
            strict = getattr(self.broad, "strict", None) or {}
            self._strict = {w: i for w, i in strict.items() if w not in self.by_first and w not in self.by_alias}
        return self._strict

    def _is_weak(self, alias: str, text: str) -> bool:
        if alias in self.by_alias:
            return alias in self.weak
        return self.broad is not None and (alias in self.broad.weak or (
            alias in self.broad.plain and namecontext.title_case(text)))

    def _candidates(self, text: str) -> tuple[str, ...]:
        """Aliases whose first word is in the text, longest first: the tables', then the broad
        list's that no table claims."""
        words = set(re.findall(r"\w+", text))
        found = {a for w in words for a in self.by_first.get(w, ())}
        if self.broad is not None:
            found |= {a for w in words for a in self.broad.by_first.get(w, ())
                      if a not in self.by_alias and self.named(a) is not None}
            found |= {w for w in words if w in self._strict_words() and self.named(w) is not None}
        return tuple(sorted(found, key=len, reverse=True))

    def find_names(self, text: str, tagged: frozenset[str] = frozenset(), tag_starts: tuple[int, ...] = (),
                   ambiguous: list | None = None) -> list[tuple[int, int, Company, bool]]:
        """Company names in text: ``[(start, end, company, confirmed)]`` left to right, no overlaps.

        Longest alias first at each position ("Great Wall Motor" over "Great Wall"); a name
        followed by "of <Capital>" is not a match ("Great Wall of China") unless the longer form
        is itself an alias ("Bank of China"); a name whose context makes it something else
        (:func:`analysis.events.namecontext.is_something_else`) is left out. ``confirmed`` is
        False for an ordinary-word name without corporate evidence around it.

        A first word that two to four companies of the broad list share ("Evergrande") is
        resolved by :meth:`_shared_first` (``tagged``: symbols the news item writes, whose
        companies it names that way; ``tag_starts``: where symbols begin in ``text``); one that
        stays ambiguous is appended to ``ambiguous`` as ``(word, [companies])``, not guessed.
        """
        candidates = self._candidates(text)
        out = []
        groups = self._business_groups(text, ambiguous)
        out += groups.values()
        if candidates:
            for m in _pattern(candidates).finditer(text):
                if m.start() in groups:
                    continue
                longer = self._longer_entity(text, m.start(), m.end(), m.group(0))
                if longer is not None:
                    self._another_company(text, m.start(), longer, m.group(0), out, ambiguous)
                    continue
                confirmed = self._judge(text, m.start(), m.end(), m.group(0))
                if confirmed is not None:
                    out.append((m.start(), m.end(), self.named(m.group(0)), confirmed))
        for alias in self.cjk:
            for m in re.finditer(re.escape(alias), text):
                if any(s <= m.start() < e for s, e, *_ in out):
                    continue
                if (longer := _CJK_LONGER.match(text, m.end())) is not None:
                    # "日産車体" (Nissan Shatai), "ソニー銀行", "京东物流": another company no table
                    # names this way, or a unit: no row for the shorter name, a note
                    if ambiguous is not None:
                        ambiguous.append((text[m.start():longer.end()], [self.by_alias[alias]]))
                    out.append((m.start(), longer.end(), None, False))
                    continue
                if not namecontext.cjk_something_else(text, m.start(), m.end()):
                    # a Japanese or Korean name, or any name in Japanese text, is the company where
                    # the text speaks of shares, results or deals ("ソニーのテレビを買った": bought a
                    # Sony TV; "日産1000台" is a daily output)
                    sure = not (_KANA_HANGUL.search(alias) or _KANA_HANGUL.search(text)) or \
                        bool(_JK_COMPANY_NEWS.search(text))
                    out.append((m.start(), m.end(), self.by_alias[alias], sure))
        if self.broad is not None and self.broad.shared_first:
            out += self._shared_first(text, out, tagged, tag_starts, ambiguous)
        return sorted((x for x in out if x[2] is not None), key=lambda x: x[0])

    def _business_groups(self, text: str, ambiguous: list | None) -> dict[int, tuple]:
        """Business groups named in ``text`` ("Samsung Group shares fell", "Adani Group stocks", "the
        Tata group"): a word followed by "Group" / "group" that begins the names of several
        companies of the tables, "<word> Group" being no company's name (as "Alibaba Group" and
        "Sony Group" are). The group is none of them: an unlisted company of its own (never
        studied) and a note naming them (a member the item names itself, "Adani Enterprises, the
        group's flagship", is that company): ``{start: (start, end, group, True)}``."""
        starts = {}
        for m in _GROUP.finditer(text):
            word = m["word"]
            if self.named(f"{word} Group") is not None or self.named(word) is not None and \
                    self.named(word).name.endswith(" Group"):
                continue
            cands = self._first_word_companies(word)
            if len(cands) >= 2:
                name = f"{word} Group"
                starts[m.start()] = (m.start(), m.end(), Company(name, (name,), (), False, source="text"), True)
                if ambiguous is not None:
                    ambiguous.append((m.group(0), cands))
        return starts

    def _first_word_companies(self, word: str) -> list[Company]:
        """The companies of the tables (and of the broad list) whose names begin with ``word``."""
        out: dict[str, Company] = {}
        lists = [self.by_first.get(word, ())] + ([self.broad.by_first.get(word, ())] if self.broad else [])
        for aliases in lists:
            for a in aliases:
                if (c := self.named(a)) is not None and c.aliases[0].split()[0] == word:
                    out.setdefault(c.name, c)
        return list(out.values())

    def _longer_entity(self, text: str, start: int, end: int, alias: str) -> tuple[int, Company | None] | None:
        """A longer capitalised name that continues a company's name is another company or a unit
        of it ("Nissan Chemical", "Toyota Gazoo Racing", "Hyundai Motor India", "Reliance
        Power"): ``(end of the longer name, the company of a table or of the broad list whose name
        it is or begins)``, ``(end, None)`` when it is no company the tables know but ends with a
        word of a company's kind (:data:`_ENTITY_TAIL`: Chemical, Power, Racing, Industries, a
        country), else None (the name is the company's: "Toyota Motor Reports", "Nvidia China
        sales", "Microsoft Azure revenue")."""
        run = _continuation(text, end)
        own = self.named(alias)
        for k in range(len(run), 0, -1):
            longer = " ".join([alias] + [w for w, _ in run[:k]])
            other = self._named_by_prefix(longer)
            if other is not None and other.name != own.name:
                return run[k - 1][1], other
        core = [w for w, _ in run]
        while core and core[-1] in _LEGAL_WORDS:
            core.pop()
        if not core or not _ends_a_name(text, run[-1][1]):
            return None
        if core[-1] in _ENTITY_TAIL or _own_shares(text, run[-1][1], core):
            return run[-1][1], None
        return None

    def _named_by_prefix(self, longer: str) -> Company | None:
        """The one company a table or the broad list names ``longer``, or whose name is ``longer``
        followed only by business words ("Nissan Chemical" of Nissan Chemical Industries)."""
        first = longer.split()[0]
        found: dict[str, Company] = {}
        lists = [self.by_first.get(first, ())] + ([self.broad.by_first.get(first, ())] if self.broad else [])
        for aliases in lists:
            for a in aliases:
                if a == longer or (a.startswith(longer + " ") and all(
                        w in BUSINESS_WORDS or w in _LEGAL_WORDS for w in a[len(longer) + 1:].split())):
                    if (c := self.named(a)) is not None:
                        found.setdefault(c.name, c)
        return next(iter(found.values())) if len(found) == 1 else None

    def _another_company(self, text: str, start: int, longer: tuple[int, Company | None], alias: str,
                         out: list, ambiguous: list | None) -> None:
        """The match of :meth:`_longer_entity`: the other company, or no company and a note."""
        end, other = longer
        if other is not None:
            if not namecontext.is_something_else(text, start, end):
                out.append((start, end, other, True))
        elif ambiguous is not None and self.foreign(text[start:end]) is None:
            ambiguous.append((text[start:end], [self.named(alias)]))    # one company: a note of its own

    def _shared_first(self, text: str, out: list, tagged: frozenset[str], tag_starts: tuple[int, ...],
                      ambiguous: list | None) -> list[tuple[int, int, Company, bool]]:
        """A first word several companies' names share ("China Evergrande" when the list has
        Evergrande Real Estate and Evergrande Health Industry): the companies the item names by
        a symbol elsewhere are not it; of the rest, the one whose name has the most of the
        capitalised words around it; it must be the only one left, and no capitalised word
        after it may belong to no candidate ("Evergrande Property Services" is a third
        company). Followed by its own symbol, the symbol decides. A name found this way needs
        corporate evidence, like every one-word name of the broad list."""
        found = []
        for word in set(re.findall(r"[A-Z][a-z]+", text)) & self.broad.shared_first.keys():
            for m in re.finditer(rf"(?<![\w&-]){word}(?![\w&-])", text):
                if any(s <= m.start() < e for s, e, *_ in out) or namecontext.is_something_else(
                        text, m.start(), m.end()):
                    continue
                after = re.match(r"(?:[ \t]+[A-Z][\w'&.-]*)*", text[m.end():])
                run_end = m.end() + after.end()
                if any(0 <= t - run_end <= 3 for t in tag_starts):
                    continue                                  # "... Group (0708.HK)": the symbol decides
                cands = [c for c in self._sharing(word) if not any(t in tagged for t in c.listings)]
                strangers = [w for w in after.group(0).split()
                             if w not in BUSINESS_WORDS and not any(w in c.aliases[0].split() for c in cands)]
                if strangers or not cands:
                    continue                                  # a third company's longer name
                near = set(re.findall(r"[A-Z][\w'&.-]*", text[max(0, m.start() - 30):m.start()])[-2:])
                c = _best_match(cands, near | set(after.group(0).split()))
                if c is not None:
                    found.append((m.start(), m.end(), c, namecontext.has_corporate_cue(text, m.start(), run_end)))
                elif ambiguous is not None:
                    ambiguous.append((word, cands))
        return found

    def _sharing(self, word: str) -> list[Company]:
        """Every company of every table with a name that begins with ``word`` (a broad row an
        earlier table has is that table's company: "Vertex" is Vertex Pharmaceuticals too)."""
        out: dict[str, Company] = {}
        for i in self.broad.shared_first[word]:
            r = self.broad.rows[i]
            c = self._broad(i) or next((k for t in r["listings"] if (k := self.by_ticker.get(t))), None)
            if c is not None:
                out.setdefault(c.name, c)
        for alias in self.by_first.get(word, ()):
            out.setdefault(self.by_alias[alias].name, self.by_alias[alias])
        return list(out.values())

    def foreign(self, name: str) -> dict | None:
        """The company of the broad list at home in a market whose codes are not used
        (:func:`analysis.events.broad.build_foreign`; no Yahoo symbol offline) that a name no
        table knows ("Wirecard", "Korea Zinc Inc") is: ``{"name", "country", "isin", ...}``."""
        if self.broad is None:
            return None
        for n in dict.fromkeys((name, short_name(name), _fold(name))):
            if self.named(n) is None and (rec := self.broad.foreign_named(n)) is not None:
                return rec
        return None


    def _excluded(self, text: str, start: int, end: int, alias: str) -> bool:
        """The words around make the name something else, or (a name of the broad list, or a
        constituent's name of several words, in sentence-case text) the end of a longer name:
        "Swiss National Bank" is not "National Bank" (NBHC)."""
        if namecontext.is_something_else(text, start, end):
            return True
        source = self.by_alias[alias].source if alias in self.by_alias else "broad"
        # an ordinary one-word name of any table ends a longer name too: "Qatalyst Partners" is
        # no Partners Group, "Centerview Partners" neither
        # and so does a surname ("Ford Madox Ford", "Paris Hilton": a person's name)
        ends_longer = (source == "broad" or (source == "package" and " " in alias)
                       or (" " not in alias and (namecontext.is_common_word(alias) or alias in namecontext.SURNAMES)))
        return ends_longer and not namecontext.title_case(text) and namecontext.preceded_by_name(text, start)

    def _generic(self, alias: str) -> bool:
        """A one-word name from a package's list (index constituents, the broad list) that is a
        generic English word ("City" of City Holding): used only on strong evidence at the name,
        as the broad list's one-word ordinary names (:func:`analysis.events.broad.generic_word`,
        :func:`analysis.events.namecontext.strong_cue`)."""
        company = self.named(alias)
        if company is None or company.source not in ("package", "broad"):
            return False
        from .broad import generic_word

        return generic_word(alias)

    def _strong_only(self, alias: str) -> bool:
        """A name taken only on strong evidence at it: a one-word ordinary name of the broad list
        ("Twitter"), a generic word of a package's list ("City", :meth:`_generic`), or the name of
        a stock index or market that is also a company's ("Nasdaq", "Dow":
        :data:`analysis.events.namecontext.MARKET_NAMES`)."""
        if alias not in self.by_alias and self.broad is not None and alias not in self.broad.by_alias:
            return True
        # a package company's first-word form ("Darden" of Darden Restaurants, :func:`first_word_form`)
        package_first = alias in self.weak and self.by_alias[alias].source == "package"
        return (self._generic(alias) or alias in namecontext.MARKET_NAMES or namecontext.period_name(alias)
                or package_first)

    def _other_entity(self, text: str, end: int, alias: str) -> bool:
        """An ordinary-word name followed by an industry word that makes a name no table has
        ("Shell Energy", "Oracle Financial Services", "Delta Energy"), or by a word for a group of
        parties ("sold to an Investor Group", "Mitsubishi Group companies"): that other entity, a
        unit sold, a company of its own or a group, not the company the word alone names ("Meta
        Platforms", "Delta Air Lines", "Partners Group" are tables' names)."""
        m = re.match(r"[ \t]+([A-Z][a-z]+)", text[end:end + 20])
        if not m or m.group(1) not in _UNIT_WORDS:
            return False
        return f"{alias} {m.group(1)}" not in self.by_alias and self.named(f"{alias} {m.group(1)}") is None

    def _shared_first_word(self, alias: str) -> bool:
        """A package company's first-word form (:func:`first_word_form`) that also begins the
        name of another company of a table or of the broad list ("Quanta" of Quanta Services and
        of Quanta Computer, "Otsuka" of Otsuka Holdings and of Otsuka Corp), also one listed where
        codes are not used ("Arcus" of Arcus Biosciences and of Oslo's Arcus ASA): it names neither."""
        own = self.by_alias.get(alias)
        if own is None or own.source != "package" or alias not in self.weak or alias not in own.weak:
            return False
        if any(self.by_alias.get(a) not in (None, own) for a in self.by_first.get(alias, ())):
            return True
        if self.broad is None:
            return False
        mine = set(own.listings) | set(own.otc)
        for a in self.broad.by_first.get(alias, ()):
            i = self.broad.by_alias.get(a)
            if i is not None and not mine & set(self.broad.rows[i]["listings"]):
                return True
        # the same company's own lines abroad ("Infineon Technologies AG NA") begin with its two first words
        own_names = {tuple(_fold(a).split()[:2]) for a in (own.name, *own.aliases) if " " in a}
        return any(tuple(_fold(r["name"]).split()[:2]) not in own_names for r in self.broad.foreign_first(alias))

    def _strong_evidence(self, text: str, start: int, end: int, alias: str) -> bool | None:
        """True on strong evidence at the name (:func:`analysis.events.namecontext.strong_cue`; a
        stated percentage move is none for an index's name: "Nasdaq falls 2%"), else None.

        A package company's first-word form (:func:`first_word_form`) followed by a legal form is
        another company's whole name ("Arcus ASA" is not Arcus Biosciences); and a stated
        percentage move is evidence for the first-word form of a large company only ("Darden jumps
        15%"): a small or mid cap's (:data:`SMALL_CAP_INDICES`: "Apogee", "Cogent", "Arcus") needs
        its symbol after it or its shares named ("Apogee shares rose", "shares of Cogent"), since
        companies no table lists share such words (Apogee Therapeutics, Cogent Biosciences); its
        full name elsewhere in the item names it there anyway."""
        company = self.named(alias)
        first = alias in self.weak and company.source == "package"
        if first and namecontext.legal_form_after(text, end):
            return None
        moves = alias not in namecontext.MARKET_NAMES and not (first and company.small_cap)
        return True if namecontext.strong_cue(text, start, end, company.listings, moves=moves) else None

    def _judge(self, text: str, start: int, end: int, alias: str) -> bool | None:
        """None when the name found at ``text[start:end]`` is something else, else whether it is
        confirmed (see :meth:`find_names`)."""
        if self._excluded(text, start, end, alias) or self._shared_first_word(alias):
            return None
        if self._strong_only(alias):
            # a one-word ordinary name ("Twitter", "City"), a market's name ("Nasdaq", "Dow"):
            # strong evidence at the name, or nothing
            return self._strong_evidence(text, start, end, alias)
        weak = self._is_weak(alias, text)
        one_word_weak = weak and " " not in alias
        if one_word_weak and namecontext.runs_on(text, end):
            return None                          # "Acme Robotics" is not "Acme" of the broad list
        if namecontext.needs_context(alias) and self._other_entity(text, end, alias):
            return None                          # "Shell Energy customers" is not Shell
        common = (namecontext.is_common_word(alias) or weak or namecontext.given_name_first(alias)
                  or namecontext.short_acronym(alias))
        if common and namecontext.after_article(text, start):
            return None
        ask = namecontext.needs_context(alias) or one_word_weak
        longer = namecontext.part_of_longer_name(text, end)
        if longer is not None and ask:           # "Ford Prefect novel": evidence after the whole name
            return namecontext.has_corporate_cue(text, start, longer)
        if longer is not None and namecontext.product_in_sentence(text, start, end, longer):
            return None                          # "crashed Microsoft Windows computers"
        return not common or namecontext.has_corporate_cue(text, start, end)


_ABBREVIATION_STOP = re.compile(r"\b([A-Za-z]{2,})\.(?=\s|$)")


# the last word of a longer name that makes it another company or a unit of the company whose name
# it continues ("Nissan Chemical", "Reliance Power", "Toyota Gazoo Racing", "Hyundai Motor India")
_ENTITY_TAIL = frozenset("""
Industries Industry Chemical Chemicals Power Steel Motor Motors Electric Pharmaceutical Pharmaceuticals
Pharma Securities Insurance Life Bank Financial Capital Trading Shipbuilding Engineering Construction
Realty Properties Racing Logistics Shipping Tsusho Boshoku Vehicle Vehicles Auto Automobile Mining Metals
Cement Textiles Paper Foods Beverages Breweries Airlines Airways Telecom Energy Ventures
India Japan China Korea Indonesia Malaysia Thailand Vietnam Philippines Pakistan Bangladesh Mexico Brazil
Argentina Chile Colombia Peru Nigeria Kenya Egypt Turkey Australia Canada America Americas Europe Germany
France Italy Spain Poland Russia Africa Asia Singapore Taiwan UK Britain
""".split())
_LEGAL_WORDS = frozenset("Inc Corp Corporation Co Company Ltd Limited plc PLC AG SE SA NV AB ASA Group Holdings "
                         "Holding KGaA".split())
# what a company's unit or region is followed by when it is the company's own business: "Apple China
# sales", "Tesla Energy deployments", "Toyota Motor North America plant"
_SEGMENT_AFTER = frozenset("""
sales revenue revenues deliveries deployments business businesses unit units division segment arm operations
operation market markets demand shipments orders growth profit profits earnings results chief head boss
president plant plants factory factories chip chips storage
""".split())


_RUN_STOP = frozenset("in of on at to for from by with and or the a an as after amid over vs".split()) | _SEGMENT_AFTER


def _continuation(text: str, end: int) -> list[tuple[str, int]]:
    """Capitalised words right after a name, with where each ends, up to a verb or the shares
    ("Toyota Gazoo Racing Won": Gazoo, Racing; "Samsung Fire & Marine Insurance": Fire, Marine,
    Insurance); none after a line break or punctuation."""
    out = []
    for m in re.finditer(r"[ \t](?:&[ \t]+)?([A-Z][\w&'\u2019-]*)", text[end:end + 80]):
        if m.start() != (out[-1][1] - end if out else 0) or len(out) >= 4:
            break
        word = m.group(1)
        if namecontext.VERB_AFTER.match(" " + word) or not word.replace("&", "").replace("-", "").isalpha() \
                or word.lower() in _RUN_STOP:
            break
        out.append((word, end + m.end()))
    return out


# a business group: "Samsung Group", "Adani Group stocks", "the Tata group"
_GROUP = re.compile(r"(?<![\w&'\u2019-])(?P<word>[A-Z][\w&'\u2019-]+)\s+[Gg]roup\b(?![\w-])")
# a company's kind written right after a Japanese or Chinese name makes a longer name of another
# company or of a unit ("日産車体", "トヨタ紡織", "日立建機", "ソニー銀行", "日産東京販売", "京东物流"),
# up to two characters of a place or a line of business between ("日産東京販売")
_CJK_LONGER = re.compile(
    "[\u4e00-\u9fff\u30a0-\u30ff]{0,2}?(?:\u8eca\u4f53|\u7d21\u7e54|\u7e54\u6a5f|\u5efa\u6a5f|\u9280\u884c|"
    "\u8a3c\u5238|\u751f\u547d|\u640d\u4fdd|\u4fdd\u967a|\u5316\u5b66|\u5316\u6210|\u91cd\u5de5|\u96fb\u6a5f|"
    "\u96fb\u5de5|\u7269\u6d41|\u901a\u5546|\u5546\u4e8b|\u4e0d\u52d5\u7523|\u88fd\u85ac|\u7cbe\u6a5f|"
    "\u8ca9\u58f2|\u4fe1\u8a17|\u904b\u8f38|\u6d77\u904b|\u88fd\u9244|\u88fd\u4f5c\u6240|"
    "\u30d5\u30a1\u30a4\u30ca\u30f3\u30b9|\u30d5\u30a3\u30ca\u30f3\u30b7\u30e3\u30eb|"
    "\u94f6\u884c|\u8bc1\u5238|\u4fdd\u9669|\u4eba\u5bff|\u5065\u5eb7|\u7269\u6d41|\u5730\u4ea7|\u7f6e\u4e1a)")
# shares written right after a longer name ("Samsung Card shares fell", "Honda Tsushin Co shares"):
# the longer name is a company of its own (not a share class or a market: "Alphabet Class A
# shares", "Alibaba Hong Kong shares")
_SHARES_AFTER = re.compile(r"(?:['\u2019]s)?\s+(?:shares|stock)\b")
_NOT_A_NAME_WORD = re.compile(r"^(?:[A-Z]|Class|Series|ADRs?|ADS|Preferred|Common|Ordinary|Hong|Kong|New|York|"
                              r"London|Tokyo|Paris|Frankfurt|Seoul|Shanghai|Shenzhen|Mumbai|Sydney|Toronto|Zurich|"
                              r"Amsterdam|Milan|Madrid|Stockholm|Copenhagen|Oslo|Helsinki|Taipei|Singapore|US|U\.S\.)$")


def _own_shares(text: str, end: int, core: list[str]) -> bool:
    return bool(_SHARES_AFTER.match(text, end)) and not any(_NOT_A_NAME_WORD.match(w) for w in core)


def _ends_a_name(text: str, end: int) -> bool:
    """The longer name ends there: punctuation, the end, a lower-case word that is no segment of
    the company ("shares", "said"; not "sales"), or (a Title Case headline) its shares or a verb."""
    m = re.match(r"[ \t]+([A-Za-z][\w'\u2019-]*)", text[end:end + 40])
    if m is None:
        return True
    word = m.group(1)
    if word.lower() in _SEGMENT_AFTER:
        return False
    return word[:1].islower() or bool(namecontext.VERB_AFTER.match(" " + word))


# industry words that make a longer name of their own after an ordinary-word name
_UNIT_WORDS = frozenset("""
Energy Financial Bank Capital Partners Ventures Technologies Platforms Motors Airlines Foods Pharma
Industries Entertainment Media Studios Games Health Insurance Properties Realty Resources Solutions
Services Systems Networks Logistics Shipping Group Groups Consortium
""".split())


def _on_different_exchanges(owners: list[Company]) -> bool:
    """Two or more companies whose listings (over-the-counter lines left out) are on no common exchange."""
    def suffixes(c: Company) -> set[str]:
        return {t[t.rindex("."):] if "." in t else "" for t in c.listings if t not in c.otc}

    sets = [suffixes(o) for o in owners]
    return len(owners) > 1 and all(a and b and not a & b for i, a in enumerate(sets) for b in sets[i + 1:])


def _no_stops(alias: str) -> str:
    """The name as the press also writes it, without the full stops of its abbreviations:
    "Warner Bros. Discovery" -> "Warner Bros Discovery" (initials such as "J.P." stay)."""
    return _ABBREVIATION_STOP.sub(r"\1", alias)


def _best_match(cands: list[Company], near: set[str]) -> Company | None:
    """The only candidate, else the one whose name has strictly the most of the words ``near``
    the shared word; None when that does not tell them apart."""
    if len(cands) == 1:
        return cands[0]
    scored = sorted(((len(near & set(c.name.split()[1:] + c.aliases[0].split()[1:])), k) for k, c in
                     enumerate(cands)), reverse=True)
    return cands[scored[0][1]] if scored[0][0] > scored[1][0] else None


@functools.lru_cache(maxsize=64)
def _pattern(aliases: tuple[str, ...]) -> re.Pattern:
    alternation = "|".join(re.escape(a) for a in aliases)
    # word boundaries that also work for names ending in "." or "&" ("J.P. Morgan", "Merck & Co.");
    # "$3M" is money, not 3M
    return re.compile(rf"(?<![\w&$\u20ac\u00a3\u00a5])(?:{alternation})(?![\w&])(?!\s+of\s+[A-Z])")


def _user_paths(paths) -> tuple[str, ...]:
    from .. import config

    return tuple(str(p) for p in config.companies(paths))


def cached_companies(path: Path) -> tuple[Company, ...]:
    """The companies Yahoo's search found earlier (:mod:`analysis.events.lookup`); answers that
    found nothing are left out."""
    from .lookup import read_cache

    out = []
    for query, hit in sorted(read_cache(path).items()):
        if not hit:
            continue
        name = hit.get("name") or query
        aliases = tuple(dict.fromkeys(a for a in (query, name, short_name(name)) if a))
        otc = (hit["symbol"],) if hit.get("otc") else ()
        out.append(Company(short_name(name), aliases, (hit["symbol"],), True, "company", otc, (), "lookup"))
    return tuple(out)


def broad_table(cache_dir: str | None = None) -> tuple[BroadIndex | None, str | None]:
    """``(index, note)`` of the broad list (:mod:`analysis.events.broad`), built once per
    installation, cached in ``<cache_dir>/companies`` and kept in memory; ``note`` says why
    there is none."""
    from .broad import load_index

    return load_index(Path(cache_dir) if cache_dir else None)


@functools.lru_cache(maxsize=8)
def _universe(user: tuple[str, ...], lookup_key: tuple, cache_dir: str | None = None,
              user_stats: tuple = ()) -> Universe:
    tables = [read_company_table(p) for p in user]
    broad, note = broad_table(cache_dir)
    tables += [company_table(), package_table()]
    if lookup_key:
        tables.append(cached_companies(Path(lookup_key[0])))
    u = Universe.build(tables, broad)
    u.notes = (note,) if note else ()
    return u


def universe(companies=None, *, cache_dir=None) -> Universe:
    """The company universe: user tables (``companies``: a path or paths, else the setting
    ``ANALYSIS_COMPANIES``), the curated table, the package table, and names found earlier by
    Yahoo's search in the cache folder (``cache_dir``, else the setting). Built once per set of
    files (with their sizes and times) and cache state."""
    from .. import config
    from .lookup import lookup_file

    if isinstance(companies, Universe):
        return companies
    user = _user_paths(companies)
    cache = lookup_file(cache_dir)
    key = (str(cache), cache.stat().st_mtime_ns) if cache.is_file() else ()
    return _universe(user, key, str(config.cache_dir(cache_dir)), _stats(user))


def _stats(paths) -> tuple:
    """Size and time of each user table: an edited table is read again in the same process."""
    out = []
    for p in paths:
        try:
            st = Path(p).stat()
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def company_by_ticker(ticker: str) -> Company | None:
    return universe().company(ticker)


def find_names(text: str) -> list[tuple[int, int, Company]]:
    """Company names in text, confirmed ones only: ``[(start, end, company)]`` (see
    :meth:`Universe.find_names`)."""
    return [(s, e, c) for s, e, c, ok in universe().find_names(text) if ok]


def find_tags(text: str) -> list[tuple[int, int, list[tuple[str, str | None]]]]:
    """Exchange symbols in text: ``[(start, end, [(venue, ticker), ...]), ...]`` (see
    :func:`analysis.data.exchanges.press_symbols`); ticker None when it cannot be derived."""
    return [(s, e, [(v, t) for v, t, _ in pairs]) for s, e, pairs in press_symbols(text)]


def listing_venue(ticker: str) -> tuple[str, str]:
    """``(exchange calendar, default benchmark)`` of a listing, from :mod:`analysis.data.exchanges`.

    ``("", "")`` when timing does not know the suffix (the row is still written; timing will
    report it when the events are timed).
    """
    try:
        return calendar_for(ticker), default_market(ticker)
    except AnalysisError:
        return "", ""
