"""The broad company universe: listed companies beyond the index constituents, offline.

Source: the stock list that the PyPI package ``investpy`` (1.0.8, MIT licence, Alvaro Bartolome)
ships as ``investpy/resources/stocks.csv``: 39,952 lines of listed stocks in 90 countries with
country, name, full name, ISIN and the local code, a snapshot of about 2021-22 taken from
Investing.com. The file is read where pip installed it (``importlib.util.find_spec``), without
importing ``investpy`` (its import pulls in its dead network code); nothing is downloaded.

What is used of it (:func:`build_rows`, pure):

* **Countries whose codes are Yahoo codes**: United States (``BRKb`` -> ``BRK-B``; preferred
  shares and units, written with ``_``, are left out), Hong Kong (``0700`` -> ``0700.HK``),
  mainland China A shares (``6xxxxx`` -> ``.SS``, ``0xxxxx``/``3xxxxx`` -> ``.SZ``; B shares
  ``9xxxxx``/``2xxxxx`` and Beijing codes are left out), Japan (four digits -> ``.T``) and
  Australia (``.AX``). Exchange and calendar of each suffix come from
  :mod:`analysis.data.exchanges`. The other countries' codes are often Reuters-style roots
  (Germany ``WDIG`` for ``WDI.DE``, France ``ACCP`` for ``AC.PA``; in the United Kingdom 7 of
  the 61 FTSE 100 companies that pytickersymbols also lists: ``BAES`` for ``BA.L``, ``LSE`` for
  ``LSEG.L``) or do not say the market (Korea KOSPI/KOSDAQ, Taiwan TWSE/TPEx), so they are not
  used: a wrong symbol would be worse than none.
* **Home listing**: the lines of one ISIN are one security; its home line is the one in the
  country of the ISIN's prefix (``US...`` -> United States, ``CN...`` in the Hong Kong list is
  an H share), else, for a company incorporated offshore (Cayman, Bermuda, ...) or in a country
  not used, its line in a used country (a Canadian company's New York line). Lines of the same
  ISIN in other countries' lists (``germany, Alaska Air, ALK``) are never listings. An American
  depositary receipt (``... ADR``) is joined to its home company by name; one whose symbol is
  an over-the-counter code (five letters ending in F or Y) is an OTC line (``listed=otc``), so is
  a foreign company's ordinary-share OTC line in the United States list.
* **Names**: the full name and the short name, each without its legal form and share-class
  marks ("Walgreens Boots Alliance Inc" -> "Walgreens Boots Alliance"; "Faw Car A" -> "Faw
  Car"; an airline "... Air" also "... Airlines"), and the first word alone when no other
  company's name starts with it and it is no ordinary word ("Walgreens"). A name needs corporate evidence in the text (``weak``; see
  :mod:`analysis.events.namecontext`) when it is one word, or when every word of it is an
  ordinary word, a given name, a surname or a place ("Golden Gate", "Silver Lake") with no
  business word ("Airlines", "Bancorp"). A one-word name that is only a business word
  ("Bancorp", "Holdings"), only an ordinary word, given name or place, or an acronym of up to
  four letters ("CSS") is no name -- except that a one-word ordinary name ("Twitter", "Zip") is
  kept as a *strict* name (:func:`strict_name`, :func:`strict_index`), used only on strong
  evidence at the name (:func:`analysis.events.namecontext.strong_cue`).

* **Companies at home where codes are not used** (:func:`build_foreign`): names, country and
  ISIN, no listing; extraction names them in its notes. **A first word two to four companies'
  names share** ("Evergrande") is kept with its companies (:func:`_shared_first`) for
  :meth:`analysis.events.companies.Universe.find_names` to resolve from the item's symbols and
  words, or to name in the notes.

The built table is cached as JSON in ``<cache_dir>/companies/`` under a key made of the file's
path, size and time and of this module's rules (:func:`cache_key`), so it is built once per
installation and rebuilt when the package is upgraded or the rules change.

Limits: a snapshot of about 2021-22 -- later listings are missing (the curated table and the
index constituents cover the large ones; Yahoo's search the rest, online), companies renamed
or delisted since keep their old names and symbols (their events before delisting are still
real; prices may no longer be served).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

from . import namecontext
from .namecontext import fold, short_name
from .packaged import INVESTPY as PACKAGE
from .packaged import investpy_stocks as source_file  # noqa: F401 - tests replace it here

FORMAT = 3

# country of the source list -> ISIN prefixes of the companies at home there
HOME_ISIN = {
    "united states": ("US",),
    "hong kong": ("HK", "CN"),          # CN in the Hong Kong list: H shares
    "china": ("CN",),
    "japan": ("JP",),
    "australia": ("AU",),
}
# order in which an offshore or foreign company's line is taken as its home
_ORDER = ("united states", "hong kong", "australia", "japan", "china")
_OTC_CODE = re.compile(r"^[A-Z]{4}[FY]$")
# share-class and depositary marks, and the list's truncated "Corp" ("Omron Cor")
_MARKS = re.compile(r"(?:\s+(?:ADR|ADS|DRC|SG|O\.N\.|REIT|Pref|Units?|Class\s+[A-C]|[A-C]|Reg|Br|Bearer|Cum|Cor))+$")
_LEGAL_ONLY = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|Ltd\.?|Limited|plc|PLC|AG|SE|"
    r"S\.A\.|SA|N\.V\.|NV|AB|ASA|A/S|Oyj|SpA|KGaA|L\.P\.|LP|LLC))+$")

# a one-word name that is only a business word is no name ("The Bancorp Inc" -> "Bancorp")
BUSINESS_WORDS = frozenset("""
Bancorp Bancshares Bank Banks Bankshares Financial Capital Holdings Holding Group Industries
Technologies Technology Pharmaceuticals Pharmaceutical Therapeutics Biosciences Airlines Motors
Partners Trust Realty Properties Investments Investment Resources Energy Mining Minerals Gold
Oil Gas Petroleum Entertainment Communications Systems Solutions Services Enterprises International
Global Corporation Company Limited Fund Income Acquisition Brands Foods Insurance Healthcare
Medical Networks Software Semiconductor Semiconductors Power Utilities Telecom Media Ventures
Infrastructure Logistics Shipping Metals Steel Chemicals Materials Products Development
""".split())
# a word is ordinary English when it is at least this frequent in wordfreq's English word list
# (Zipf scale: 3.5 = about 3 per million words: "profit", "golden", "chicago", "mccarthy" are;
# "walgreens" (3.1), "peloton" and "wirecard" are not)
COMMON_ZIPF = 3.5


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


def cache_key(path: Path) -> str:
    """Key of the built table: path, size and time of the file (an upgrade of the package
    rewrites it), and the rules (this module's and :mod:`analysis.events.namecontext`'s source,
    the exchange table whose suffixes are used). The package version is not asked here: reading
    package metadata costs 30 ms a process."""
    st = path.stat()
    rules = hashlib.sha256()
    for mod in (__file__, namecontext.__file__, Path(__file__).parents[1] / "data" / "exchanges.csv"):
        rules.update(Path(mod).read_bytes())
    raw = f"{FORMAT}|{path}|{st.st_size}|{st.st_mtime_ns}|{rules.hexdigest()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------- symbols ----

def yahoo_symbol(country: str, code: str) -> str | None:
    """The Yahoo symbol of a line of the source list, or None when its market cannot be known
    (see the module docstring)."""
    code = str(code or "").strip()
    if country == "united states":
        if re.fullmatch(r"[A-Z]{1,5}", code):
            return code
        m = re.fullmatch(r"([A-Z]{1,5})([a-z])", code)          # BRKb -> BRK-B
        return f"{m[1]}-{m[2].upper()}" if m else None
    if country == "hong kong":
        return f"{int(code):04d}.HK" if re.fullmatch(r"\d{1,5}", code) and int(code) > 0 else None
    if country == "china":
        if not re.fullmatch(r"\d{6}", code):
            return None
        if code[0] == "6":
            return f"{code}.SS"                  # Shanghai main board and STAR Market (688/689)
        if code[0] in "03":
            return f"{code}.SZ"                  # Shenzhen main board, SME and ChiNext
        return None                              # B shares (900/200) and Beijing (8/4): not used
    if country == "japan":
        return f"{code}.T" if re.fullmatch(r"\d{4}", code) else None
    if country == "australia":
        return f"{code}.AX" if re.fullmatch(r"[A-Z0-9]{2,5}", code) else None
    return None


def _suffix(ticker: str) -> str:
    return ticker[ticker.rindex("."):] if "." in ticker else ""


def _otc_line(country: str, code: str) -> bool:
    return country == "united states" and bool(_OTC_CODE.match(code))


# --------------------------------------------------------------------------------- names ----

def _clean(name: str) -> str:
    name = re.sub(r"\s+", " ", str(name or "").replace("\u2019", "'")).strip()
    return _MARKS.sub("", name).strip(" ,")


def name_forms(full_name: str, name: str) -> list[str]:
    """Names of a company from its full and short name: without legal form ("Frontier Group
    Holdings"), and without legal form, "Group" and "Holdings" ("Frontier"); an airline named
    "... Air" or "... Air Lines" also as "... Airlines", and a one-word name in capitals of five
    letters or more also with only its first capital ("ANSYS" -> "Ansys"), as the press names it."""
    out = []
    for raw in (full_name, name):
        base = _clean(raw)
        if not base:
            continue
        for form in (_LEGAL_ONLY.sub("", re.sub(r"^The\s+", "", base)).strip(" ,&"), short_name(base)):
            form = _clean(form)
            if form and form not in out:
                out.append(form)
    for form in list(out):                # an airline group's brand: "Alaska Air" -> "Alaska Airlines"
        brand = re.sub(r"\s+Air(?:\s+Lines)?$", " Airlines", form)
        if brand != form and brand not in out:
            out.append(brand)
        # a one-word name the list writes in capitals, as the press writes it: "ANSYS" -> "Ansys"
        if re.fullmatch(r"[A-Z]{5,}", form) and re.search(r"[AEIOUY]", form[1:]) and form.title() not in out:
            out.append(form.title())
    return out


@functools.lru_cache(maxsize=None)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en", wordlist="small")


#: Zipf frequency from which a one-word name taken from a package's list is a generic English
#: word ("City", "First", "General", "United", "Public", about 1 in 100,000 words and more)
#: rather than a brand that is frequent because it is famous ("Boeing" 3.8, "Walmart" 4.0,
#: "Amazon" 4.6, "Apple" 4.8): such a name needs corporate evidence in the text
GENERIC_ZIPF = 5.0


def generic_word(alias: str) -> bool:
    """A one-word name that is among the most frequent English words (:data:`GENERIC_ZIPF`);
    False when the word frequencies (wordfreq) are not installed."""
    w = alias.strip()
    if " " in w or not w.isalpha():
        return False
    try:
        return _zipf(w) >= GENERIC_ZIPF
    except ImportError:
        return False


def _ordinary(word: str) -> bool:
    """An ordinary English word (wordfreq), a given name, a surname, a title or a place of
    :mod:`analysis.events.namecontext`'s lists, or a small word."""
    w = word.strip(".,&'")
    return (not w or _zipf(w) >= COMMON_ZIPF or w in namecontext.GIVEN_NAMES or w in namecontext.SURNAMES
            or w in namecontext.REGIONS or w in namecontext.TITLES or w in namecontext.COMMON_WORD_NAMES
            or w in namecontext.PLACE_BEFORE or w.lower() in namecontext.PLACE_AFTER
            or w.lower() in namecontext.GENERIC_AFTER or w.lower() in _SMALL)


_SMALL = frozenset("of the and & de la le du des del van von for on in at to a an".split())


def usable(alias: str) -> bool:
    """A name worth looking for: two letters or more, not a bare business word, not a lone
    ordinary word, given name or place, not a lone acronym of up to four letters."""
    words = alias.split()
    if len(alias) < 3 or not re.search(r"[A-Za-z]{2}", alias):
        return False
    if len(words) == 1 and (alias in BUSINESS_WORDS or _ordinary(alias) or alias.isdigit()):
        return False
    if len(words) == 1 and alias.isupper() and len(alias) <= 4:
        return False                        # an acronym ("CSS", "IEC") names many things
    return True


def strict_name(alias: str) -> bool:
    """A one-word name that is only an ordinary English word ("Twitter", "Zip", "Match"): no
    alias (:func:`usable` says no), but a name when the text gives strong corporate evidence
    right at it (:func:`analysis.events.namecontext.strong_cue`: its own symbol in parentheses,
    a legal suffix, "shares of X", "X's shares", "X shares rose"). Business words, given names,
    surnames, titles, places and acronyms stay no name at all."""
    w = alias.strip()
    return (len(w) >= 3 and w.isalpha() and w[:1].isupper() and not w.isupper() and " " not in w
            and w not in BUSINESS_WORDS and _zipf(w) >= COMMON_ZIPF and w.lower() not in _SMALL
            and w not in namecontext.GIVEN_NAMES and w not in namecontext.SURNAMES
            and w not in namecontext.REGIONS and w not in namecontext.TITLES
            and w not in namecontext.PLACE_BEFORE and w.lower() not in namecontext.PLACE_AFTER)


_BDR = re.compile(r"^BR[A-Z0-9]{4}BDR")      # a Brazilian depositary receipt (BRTWTRBDR007): not a company


def _first_words(records: list[dict]) -> Counter:
    """First word of every company's name in the whole source list (every country, ADRs left
    out): word -> number of distinct ISINs. A strict name is used only when this is 1 (Zoom
    Corp in Tokyo and Zoom Video Communications in New York are two; Next in Tokyo and Next plc
    in London are two)."""
    seen: dict[str, set[str]] = {}
    for r in records:
        isin = str(r.get("isin", "")).strip().upper()
        full, short = str(r.get("full_name", "")), str(r.get("name", ""))
        if not isin or re.search(r"\bADR\b|\bADS\b|\bGDR\b", full + " " + short) or _BDR.match(isin):
            continue
        for raw in (full, short):
            m = re.match(r"(?:The\s+)?([A-Za-z][\w'&.-]*)", _clean(raw))
            if m:
                seen.setdefault(m.group(1).strip(".,").title() if m.group(1).isupper() else m.group(1).strip(".,"),
                                set()).add(isin)
    return Counter({w: len(isins) for w, isins in seen.items()})


def strict_index(rows: list[dict], firsts: Counter, by_alias: dict[str, int]) -> dict[str, int]:
    """Strict names (:func:`strict_name`) -> row: only a name one company of the whole list
    begins with (``firsts``), that no row uses as an alias, and that one row holds."""
    out: dict[str, int] = {}
    shared: set[str] = set()
    for i, r in enumerate(rows):
        for a in r.get("strict", ()):
            if out.setdefault(a, i) != i:
                shared.add(a)
    taken = {re.match(r"\w+", a).group(0) for a in by_alias if re.match(r"\w+", a)}
    return {a: i for a, i in out.items() if a not in shared and firsts.get(a, 0) <= 1 and a not in taken}


def plain(alias: str) -> bool:
    """Only ordinary and business words ("National Bank", "American Software"): in Title Case
    text, where capitals tell nothing, such a name needs corporate evidence."""
    return all(_ordinary(w) or w.strip(".,&'") in BUSINESS_WORDS for w in alias.split())


def weak(alias: str) -> bool:
    """A name that needs corporate evidence: one word, or only ordinary words and places (a
    business word makes it a company's: "Spirit Airlines", "Golden Gate Capital")."""
    words = alias.split()
    if len(words) == 1:
        return True
    return not any(w.strip(".,&'") in BUSINESS_WORDS for w in words) and all(_ordinary(w) for w in words)


# ----------------------------------------------------------------------------- the table ----

def _records(path: Path) -> list[dict]:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    need = {"country", "name", "full_name", "isin", "symbol"}
    if need - set(df.columns):
        return []
    return df[sorted(need)].to_dict("records")


def build_rows(records: list[dict]) -> list[dict]:
    """Companies of the source list (module docstring): ``[{"name", "aliases", "weak",
    "listings", "otc"}]``, home listing first. Pure: a list of source lines in, rows out."""
    from ..data.exchanges import known_suffixes

    known = set(known_suffixes())                 # every suffix is one the exchange table knows
    by_isin: dict[str, list[dict]] = {}
    adrs = []
    for r in records:
        country = str(r.get("country", "")).strip().lower()
        code = str(r.get("symbol", "")).strip()
        isin = str(r.get("isin", "")).strip().upper()
        if country not in HOME_ISIN or not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}\d", isin):
            continue
        ticker = yahoo_symbol(country, code)
        if ticker is None or _suffix(ticker) not in known:
            continue
        line = dict(country=country, ticker=ticker, otc=_otc_line(country, code), isin=isin,
                    full=str(r.get("full_name", "")), short=str(r.get("name", "")))
        if re.search(r"\bADR\b|\bADS\b", line["full"] + " " + line["short"]):
            adrs.append(line)
        else:
            by_isin.setdefault(isin, []).append(line)
    companies = []
    for isin, lines in by_isin.items():
        home = _home(isin, lines)
        if home is None:
            continue
        listings, otc = [home["ticker"]], []
        for ln in lines:
            if ln is not home and ln["otc"] and ln["ticker"] not in listings:
                listings.append(ln["ticker"])
                otc.append(ln["ticker"])
        if home["otc"]:
            otc.insert(0, home["ticker"])
        companies.append(dict(forms=name_forms(home["full"], home["short"]), listings=listings, otc=otc,
                              name=_display(home), country=home["country"], home_otc=home["otc"]))
    _join_adrs(companies, adrs)
    return _named(_merge_same_name(companies))


def build_foreign(records: list[dict]) -> list[dict]:
    """Companies of the source list at home in a market whose codes are not used (Germany's
    ``WDIG``, Korea's six digits without KOSPI/KOSDAQ, ...): ``[{"name", "aliases", "weak",
    "country", "isin"}]``, no listing. Extraction names them in its notes instead of dropping
    them silently or guessing a symbol. The home country of an ISIN prefix is the country with
    the most lines of that prefix (learnt from the list itself: ``DE`` -> ``germany``); a company with a
    line in a used market, or whose ISIN is a used market's, is left to :func:`build_rows`."""
    used_isins: set[str] = set()
    by_isin: dict[str, list[dict]] = {}
    for r in records:
        country = str(r.get("country", "")).strip().lower()
        isin = str(r.get("isin", "")).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}\d", isin):
            continue
        if country in HOME_ISIN:
            used_isins.add(isin)
            continue
        by_isin.setdefault(isin, []).append(dict(country=country, full=str(r.get("full_name", "")),
                                                 short=str(r.get("name", ""))))
    home_of = _home_countries(by_isin)
    used_prefixes = {p for prefixes in HOME_ISIN.values() for p in prefixes}
    out = []
    for isin, lines in by_isin.items():
        if isin in used_isins or isin[:2] in used_prefixes or re.search(r"\bADR\b|\bADS\b|\bGDR\b",
                                                                         lines[0]["full"]):
            continue
        country = home_of.get(isin[:2])
        home = next((ln for ln in lines if ln["country"] == country), None)
        if home is None:
            continue                      # listed only abroad (a cross-listing): its home is not known
        aliases = [f for f in name_forms(home["full"], home["short"]) if usable(f)]
        if aliases:
            out.append(dict(name=_display(home), aliases=aliases, weak=[a for a in aliases if weak(a)],
                            country=country.title(), isin=isin))
    return out


def _home_countries(by_isin: dict[str, list[dict]]) -> dict[str, str]:
    """ISIN prefix -> the country with the most lines of that prefix (``DE`` -> germany with
    354 lines, not austria with 127)."""
    votes: Counter = Counter((isin[:2], ln["country"]) for isin, lines in by_isin.items() for ln in lines)
    best: dict[str, tuple[int, str]] = {}
    for (prefix, country), n in votes.items():
        if n > best.get(prefix, (0, ""))[0]:
            best[prefix] = (n, country)
    return {prefix: country for prefix, (_, country) in best.items()}


def _merge_same_name(companies: list[dict]) -> list[dict]:
    """One company for lines of one name that are one company: the H share and the A share of
    a mainland company (Hong Kong line first), the share classes of a US company (``LEN`` and
    ``LEN-B``), and a US over-the-counter line of a company at home in another used market
    (Konami's ``KNMCY`` with ``9766.T``). Other companies of one name stay apart, and the name
    is then no alias of any of them (Range Resources in New York and in Sydney)."""
    groups: dict[str, list[dict]] = {}
    for c in companies:
        if c["forms"]:
            groups.setdefault(_key(c["forms"][0]), []).append(c)
    gone: set[int] = set()
    for group in groups.values():
        if len(group) > 1:
            _merge_group(group, gone)
    return [c for c in companies if id(c) not in gone]


def _merge_group(group: list[dict], gone: set[int]) -> None:
    """The merges of :func:`_merge_same_name` within one name's companies."""
    def of(country: str, otc: bool | None = None) -> list[dict]:
        return [c for c in group if c["country"] == country and id(c) not in gone
                and (otc is None or c["home_otc"] == otc)]

    hk, cn = of("hong kong"), of("china")
    if len(hk) == 1 and len(cn) == 1:
        _absorb(hk[0], cn[0], gone)
    foreign = [c for c in group if c["country"] != "united states" and id(c) not in gone]
    us = of("united states", otc=False)
    if len(us) > 1 and not foreign:
        us.sort(key=lambda c: ("-" in c["listings"][0], c["listings"][0]))
        for other in us[1:]:
            _absorb(us[0], other, gone)
    if len(foreign) == 1:
        for other in of("united states", otc=True):
            _absorb(foreign[0], other, gone)


def _absorb(keep: dict, other: dict, gone: set[int]) -> None:
    for t in other["listings"]:
        if t not in keep["listings"]:
            keep["listings"].append(t)
            if t in other["otc"]:
                keep["otc"].append(t)
    gone.add(id(other))


def _home(isin: str, lines: list[dict]) -> dict | None:
    """The home line of one security: in the country of its ISIN, else (a company incorporated
    offshore or in a country not used) its first line in a used country, not an OTC one first."""
    for ln in lines:
        if isin[:2] in HOME_ISIN[ln["country"]]:
            return ln
    if any(isin[:2] in prefixes for prefixes in HOME_ISIN.values()):
        return None                   # at home in a used country whose list lacks it: no home line
    ranked = sorted(lines, key=lambda ln: (ln["otc"], _ORDER.index(ln["country"])))
    return ranked[0] if ranked else None


def _display(line: dict) -> str:
    """The company's name in the events table: the full name without legal form ("New York
    Community Bancorp", "Alaska Air"), else the source's short name."""
    return _clean(short_name(_clean(line["full"]))) or _clean(line["short"])


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", short_name(_clean(name)).lower()).strip()


def _join_adrs(companies: list[dict], adrs: list[dict]) -> None:
    """Depositary receipts: a listing of the home company of the same name (OTC when the code
    says so), else a company of their own. A short name alone joins only a company whose name
    begins with the receipt's full name's first word ("GAP ADR", Grupo Aeroportuario del
    Pacifico's, is no line of Gap Inc)."""
    by_name: dict[str, dict] = {}
    for c in companies:
        if c["forms"]:
            by_name.setdefault(_key(c["forms"][0]), c)
    for a in adrs:
        forms = name_forms(a["full"], a["short"])
        owner = by_name.get(_key(a["full"])) or by_name.get(_key(a["short"]))
        if owner is not None and _key(a["full"]).split()[:1] != _key(owner["forms"][0]).split()[:1]:
            owner = None                 # "GAP ADR" of Grupo Aeroportuario del Pacifico is no Gap Inc line
        if owner is not None:
            if a["ticker"] not in owner["listings"]:
                owner["listings"].append(a["ticker"])
                if a["otc"]:
                    owner["otc"].append(a["ticker"])
        elif forms:
            companies.append(dict(forms=forms, listings=[a["ticker"]], otc=[a["ticker"]] if a["otc"] else [],
                                  name=_display(a), country=a["country"], home_otc=a["otc"]))


def _named(companies: list[dict]) -> list[dict]:
    """Aliases of each company (module docstring); the first word alone when no other company's
    name starts with it and it is no ordinary word ("Walgreens Boots Alliance" -> "Walgreens")."""
    firsts = Counter(f.split()[0] for c in companies for f in {c["forms"][0]} if c["forms"])
    out = []
    for c in companies:
        if not c["forms"]:
            continue
        aliases = [f for f in c["forms"] if usable(f)]
        first = c["forms"][0].split()[0]
        if (len(c["forms"][0].split()) > 1 and firsts[first] == 1 and len(first) >= 4 and first.isalpha()
                and first[:1].isupper() and usable(first) and first not in aliases):
            aliases.append(first)
        row = _row(c, aliases)
        if row is not None:
            out.append(row)
    return out


def _row(c: dict, aliases: list[str]) -> dict | None:
    """A company's row: its aliases, those that need evidence (``weak``), its one-word ordinary
    names (``strict``, :func:`strict_name`); None when it has no name at all."""
    strict = [f for f in c["forms"] if strict_name(f)]
    if not aliases and not strict:
        return None
    # the name is matched too (Universe.build): it must be one of the aliases judged above
    name = c["name"] if c["name"] in aliases else (aliases or strict)[0]
    return dict(name=name, aliases=aliases, weak=[a for a in aliases if weak(a)], listings=c["listings"],
                otc=c["otc"], strict=strict)


class BroadIndex:
    """The broad list's rows indexed for finding names in text: ``by_alias`` (an alias two
    rows share is dropped; accents folded too), ``by_first`` (first word -> aliases),
    ``by_ticker``, ``weak`` (aliases that need corporate evidence) and ``plain`` (aliases of
    ordinary and business words only, which need it in Title Case text). Kept in the cache file
    with the rows, so a process reads it instead of indexing 14,000 companies again."""

    def __init__(self, rows: list[dict], parts: dict | None = None, foreign: list[dict] | None = None,
                 foreign_file: Path | None = None, firsts: Counter | None = None, source: Path | None = None):
        self.rows = rows
        self._foreign = foreign
        self._foreign_file = foreign_file         # read on the first foreign() call (it doubles the cache)
        self._source = source                     # the package's list, when the cache file is gone
        if parts is not None:
            self.by_alias, self.by_first, self.by_ticker = parts["by_alias"], parts["by_first"], parts["by_ticker"]
            self.weak, self.plain = set(parts["weak"]), set(parts["plain"])
            self.shared_first = parts["shared_first"]
            self.strict = parts.get("strict", {})
            return
        self.by_alias: dict[str, int] = {}
        shared: set[str] = set()
        weak_of: dict[str, bool] = {}
        for i, r in enumerate(rows):
            weak_set = set(r["weak"])
            for a in r["aliases"]:
                for v in {a, fold(a)}:
                    if self.by_alias.setdefault(v, i) != i:
                        shared.add(v)
                    weak_of[v] = a in weak_set
        for v in shared:
            del self.by_alias[v]
        self.weak = {a for a in self.by_alias if weak_of[a]}
        self.plain = {a for a in self.by_alias if plain(a)}
        self.by_first: dict[str, list[str]] = {}
        for a in self.by_alias:
            m = re.match(r"\w+", a)
            self.by_first.setdefault(m.group(0) if m else a[:1], []).append(a)
        self.by_ticker: dict[str, int] = {}
        for i, r in enumerate(rows):
            for t in r["listings"]:
                self.by_ticker.setdefault(t, i)
        self.shared_first = _shared_first(rows, self.by_alias)
        # one-word ordinary names ("Twitter"), used only with strong evidence (strict_name)
        self.strict: dict[str, int] = strict_index(rows, firsts or Counter(), self.by_alias)

    def parts(self) -> dict:
        return {"by_alias": self.by_alias, "by_first": self.by_first, "by_ticker": self.by_ticker,
                "weak": sorted(self.weak), "plain": sorted(self.plain), "shared_first": self.shared_first,
                "strict": self.strict}

    @property
    def foreign(self) -> list[dict]:
        """Companies at home where codes are not used (:func:`build_foreign`), read from their
        cache file when first asked for. That file can be gone by then (another process with
        other rules has rebuilt the shared cache and removed it) or unreadable: the list is then
        built again from the package's file (never silently empty)."""
        if self._foreign is None:
            data = None
            try:
                data = json.loads(self._foreign_file.read_text(encoding="utf-8")) if self._foreign_file else None
            except (OSError, ValueError):
                pass
            if not isinstance(data, list) and self._source is not None:
                try:
                    data = build_foreign(_records(self._source))
                except (OSError, ValueError, UnicodeDecodeError):
                    data = None
            self._foreign = data if isinstance(data, list) else []
        return self._foreign

    def foreign_named(self, name: str) -> dict | None:
        """The foreign company of that name (an alias two of them or a used company share is none)."""
        if not hasattr(self, "_foreign_alias"):
            self._foreign_alias = _foreign_index(self.foreign, self.by_alias)
        i = self._foreign_alias.get(name)
        return self.foreign[i] if i is not None else None

    def foreign_first(self, word: str) -> list[dict]:
        """The foreign companies (:meth:`foreign`) whose name begins with ``word`` ("Arcus" of Arcus ASA)."""
        if not hasattr(self, "_foreign_firsts"):
            firsts: dict[str, list[int]] = {}
            for i, r in enumerate(self.foreign):
                for w in {a.split()[0] for a in r["aliases"] if a.split()}:
                    firsts.setdefault(w, []).append(i)
            self._foreign_firsts = firsts
        return [self.foreign[i] for i in self._foreign_firsts.get(word, ())]

    def __len__(self) -> int:
        return len(self.rows)


# a first word that two to this many companies' names share is resolved from the text's other
# words and symbols (Universe.find_names), else named in the notes; a word more companies share
# ("Pacific", "National") is no name at all
SHARED_FIRST_MAX = 4


def _shared_first(rows: list[dict], by_alias: dict[str, int]) -> dict[str, list[int]]:
    """First words of two to :data:`SHARED_FIRST_MAX` companies' names that would otherwise be
    a name ("Evergrande" of Evergrande Real Estate and Evergrande Health Industry): word -> rows."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        words = r["aliases"][0].split() if r["aliases"] else []
        if len(words) > 1:
            groups.setdefault(words[0], []).append(i)
    return {w: ids for w, ids in groups.items()
            if 2 <= len(ids) <= SHARED_FIRST_MAX and w not in by_alias and len(w) >= 4 and w.isalpha()
            and w[:1].isupper() and not w.isupper() and usable(w)}


def _foreign_index(foreign: list[dict], by_alias: dict[str, int]) -> dict[str, int]:
    """Aliases of the foreign companies (an alias two of them share, or a used company's, is
    dropped)."""
    alias: dict[str, int] = {}
    shared: set[str] = set()
    for i, r in enumerate(foreign):
        for a in r["aliases"]:
            for v in {a, fold(a)}:
                if v in by_alias:
                    continue
                if alias.setdefault(v, i) != i:
                    shared.add(v)
    for v in shared:
        del alias[v]
    return alias


_BUILT: dict[str, BroadIndex] = {}


def load_index(cache_dir: Path | None) -> tuple[BroadIndex | None, str | None]:
    """``(index, note)``: the built table, from memory, else from the cache when its key
    matches (module docstring), else built and cached; ``note`` says why there is no broad
    table (package not installed, file unreadable), else None. A cache folder that cannot be
    written is no error."""
    path = source_file()
    if path is None:
        return None, (f"the broad company list ({PACKAGE}) is not installed: companies are found from the "
                      "curated table and the index constituents only")
    try:
        key = cache_key(path)
    except OSError as exc:
        return None, f"the broad company list {path} cannot be read ({exc.strerror or exc})"
    if key in _BUILT:                       # built or read earlier in this process
        return _BUILT[key], None
    # one file per installation (the CSV's path): several virtual environments share the cache
    # folder without removing each other's builds
    where = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    cache = cache_dir / "companies" / f"broad-{where}-{key}.json" if cache_dir is not None else None
    index = _read_cache(cache, key, path) if cache is not None else None
    if index is None:
        if importlib.util.find_spec("wordfreq") is None:
            return None, ("the word frequencies (wordfreq) that tell ordinary words from company names are "
                          "not installed: the broad company list is not used")
        try:
            records = _records(path)
            index = BroadIndex(build_rows(records), foreign=build_foreign(records), firsts=_first_words(records))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            return None, f"the broad company list {path} cannot be read ({exc})"
        if cache is not None:
            _write_cache(cache, key, index)
    _BUILT[key] = index
    return index, None


def load_rows(cache_dir: Path | None) -> tuple[list[dict], str | None]:
    """``(rows, note)`` of :func:`load_index`."""
    index, note = load_index(cache_dir)
    return (index.rows if index is not None else []), note


def _read_cache(cache: Path, key: str, source: Path | None = None) -> BroadIndex | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("key") == key:
            return BroadIndex(data["rows"], data["index"], foreign_file=_foreign_path(cache), source=source)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _foreign_path(cache: Path) -> Path:
    """The foreign companies' file beside the built table (``foreign-<installation>-<key>.json``)."""
    return cache.with_name("foreign-" + cache.name.split("-", 1)[1])


def _write_cache(cache: Path, key: str, index: BroadIndex) -> None:
    from ..files import atomic_write_text

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        where = cache.name.split("-")[1]
        for old in cache.parent.glob(f"broad-{where}-*.json"):      # earlier builds of this installation
            if old != cache:
                old.unlink(missing_ok=True)
        atomic_write_text(cache, json.dumps({"key": key, "source": PACKAGE, "version": _version(),
                                             "rows": index.rows, "index": index.parts()},
                                            ensure_ascii=False, separators=(",", ":")))
        for old in cache.parent.glob(f"foreign-{where}-*.json"):
            if old != _foreign_path(cache):
                old.unlink(missing_ok=True)
        atomic_write_text(_foreign_path(cache), json.dumps(index.foreign, ensure_ascii=False, separators=(",", ":")))
    except OSError:
        pass
