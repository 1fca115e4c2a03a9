"""Names not in any company table, looked up through Yahoo's search and cached on disk.

Extraction itself never touches the network: it lists the company-like names it could not place
(``result.attrs["unresolved"]``). The ``extract`` command, when online, asks Yahoo's search
(yfinance's ``Search``) about each of them once, keeps the answer (found or not) in
``<cache_dir>/companies/lookup.json`` and extracts again; offline, the names are listed in the
notes. Cached answers are a table of the universe (:func:`analysis.events.companies.cached_companies`), below the curated
and package tables, so a name resolved once is known offline from then on.

A search answer is accepted when it is an equity whose name starts with the words searched for
(legal forms aside) and whose exchange the exchange table knows; a home-market line is preferred
to an over-the-counter one (Yahoo exchange codes ``PNK``, ``OQB``, ``OQX``, ``OEM``, ``OBB``),
which is kept as ``listed=otc``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..data.exchanges import calendar_for, validate_symbol
from ..errors import AnalysisError

OTC_EXCHANGES = frozenset({"PNK", "OQB", "OQX", "OEM", "OBB", "OTC"})
FORMAT = 1


def lookup_file(cache_dir=None) -> Path:
    """Where looked-up names are kept: ``<cache_dir>/companies/lookup.json``."""
    from .. import config

    return config.cache_dir(cache_dir) / "companies" / "lookup.json"


def read_cache(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("names"), dict):
        return {}
    return data["names"]


def write_json(path: Path, payload: dict) -> None:
    """``payload`` as JSON, atomically (:func:`analysis.files.atomic_write_text`: a temporary
    file in the same folder, fsync, renamed into place, permissions from the user's umask)."""
    from ..files import atomic_write_text

    atomic_write_text(path, json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False))


def _words(text: str) -> list[str]:
    from .namecontext import short_name     # its regexes are not needed to find the cache file

    return re.findall(r"\w+", short_name(text).casefold())


def choose_quote(query: str, quotes: Iterable[dict]) -> dict | None:
    """The search answer that is ``query``'s listing (see the module docstring), or None."""
    want = _words(query)
    best = None
    for q in quotes:
        if str(q.get("quoteType", "")).upper() != "EQUITY":
            continue
        name = str(q.get("longname") or q.get("shortname") or "")
        if not want or _words(name)[:len(want)] != want:
            continue
        try:
            symbol = validate_symbol(str(q.get("symbol", "")))
            calendar_for(symbol)
        except AnalysisError:
            continue
        otc = str(q.get("exchange", "")).upper() in OTC_EXCHANGES
        hit = {"symbol": symbol, "name": name, "exchange": str(q.get("exchange", "")), "otc": otc}
        if not otc:
            return hit
        best = best or hit
    return best


def yahoo_search(name: str) -> list[dict]:
    """Yahoo's search answers for a name (yfinance ``Search(...).quotes``)."""
    import yfinance as yf

    from .. import config

    quiet = logging.NullHandler()        # yfinance's own chatter ("Cookie/crumb fetch failed"): a failed
    logger = logging.getLogger("yfinance")      # search leaves the name unresolved, said in the notes
    logger.addHandler(quiet)
    try:
        return list(yf.Search(name, max_results=8, news_count=0, lists_count=0, include_cb=False,
                              recommended=0, raise_errors=True, timeout=config.timeout()).quotes)
    finally:
        logger.removeHandler(quiet)


def lookup_names(names: Iterable[str], *, cache_dir=None, offline: bool | None = None,
                 search: Callable[[str], list[dict]] | None = None) -> tuple[dict[str, str | None], list[str]]:
    """Resolve names through the cache, then (online) Yahoo's search; returns
    ``({name: Yahoo symbol or None}, [names left unresolved])``.

    Offline (argument or ``ANALYSIS_OFFLINE``) only the cache is read. A search that fails (no
    network, an error from Yahoo) leaves the name unresolved and is not cached, so it is asked
    again next time; a search that finds nothing is cached as such.
    """
    from .. import config

    path = lookup_file(cache_dir)
    cache = read_cache(path)
    offline = config.offline(offline)
    search = search or yahoo_search
    found: dict[str, str | None] = {}
    unresolved: list[str] = []
    changed = False
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        if name in cache:
            found[name] = cache[name]["symbol"] if cache[name] else None
            continue
        if offline:
            unresolved.append(name)
            continue
        try:
            hit = choose_quote(name, search(name))
        except Exception:                      # network or service failure: ask again next time
            unresolved.append(name)
            continue
        cache[name] = hit
        changed = True
        found[name] = hit["symbol"] if hit else None
    if changed:
        write_json(path, {"format": FORMAT, "names": cache})
    unresolved += [n for n, s in found.items() if s is None]
    return found, unresolved
