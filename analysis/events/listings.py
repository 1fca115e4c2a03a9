"""The ticker -> company map of the company universe (:mod:`analysis.events.companies`), read
from its cache without building the universe: a sample's ``same_company`` check
(:func:`analysis.events.contamination.clustering`) needs the company of each listing, and
building the name index (or importing the extraction rules) for it cost every ``batch`` a
tenth of a second or more."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

_HERE = Path(__file__).parent

TICKERS_FORMAT = 1


def listing_companies(tickers: Iterable[str], companies=None, *, cache_dir=None) -> dict[str, str | None]:
    """``{ticker: name of its company in the universe, or None}`` for each of ``tickers``,
    without building the universe when an earlier process already did for the same tables.

    The whole ticker -> company map of the universe (user tables, curated table, index
    constituents, Yahoo lookups, broad list) is kept in ``<cache>/companies/tickers-*.json``,
    keyed on the size and time of every table file and on the rules' sources; a sample's
    ``same_company`` check (:func:`analysis.events.contamination.clustering`) then reads
    ~20,000 pairs instead of building the name index (0.3 s a process). A cache that cannot be
    read or written is no error: the universe is built as before."""
    import hashlib
    import json

    from .. import config
    from .lookup import lookup_file

    tickers = list(dict.fromkeys(str(t) for t in tickers))
    if not tickers:
        return {}
    user = tuple(str(p) for p in config.companies(companies))
    lookup = lookup_file(cache_dir)
    folder = Path(config.cache_dir(cache_dir))
    key = hashlib.sha256(_tickers_signature(user, lookup).encode()).hexdigest()[:16]
    where = hashlib.sha256(str(_HERE / "companies.py").encode()).hexdigest()[:8]   # one file per installation
    cache = folder / "companies" / f"tickers-{where}-{key}.json"
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        found = data["tickers"] if data.get("key") == key else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        found = None
    if found is None:
        from .companies import universe

        u = universe(companies, cache_dir=cache_dir)
        found = {t: c.name for t, c in u.by_ticker.items()}
        if u.broad is not None:
            for t in u.broad.by_ticker:
                if t not in found:
                    c = u.company(t)
                    found[t] = c.name if c is not None else None
        _write_tickers(cache, key, where, found)
    return {t: found.get(t) for t in tickers}


def _tickers_signature(user: tuple[str, ...], lookup: Path) -> str:
    """Size and time of every file the universe is made of, and the rules' sources."""
    from .packaged import investpy_stocks, tickersymbols_data

    def stat(path) -> str:
        try:
            st = Path(path).stat()
            return f"{path}:{st.st_size}:{st.st_mtime_ns}"
        except (OSError, TypeError):
            return f"{path}:-"

    files = [*user, lookup, _HERE / "companies.csv", _HERE / "companies.py", _HERE / "broad.py",
             _HERE / "namecontext.py", _HERE.parent / "data" / "exchanges.csv", tickersymbols_data(),
             investpy_stocks()]
    return "|".join([str(TICKERS_FORMAT), *(stat(f) for f in files)])


def _write_tickers(cache: Path, key: str, where: str, found: dict) -> None:
    import json

    from ..files import atomic_write_text

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob(f"tickers-{where}-*.json"):      # earlier maps of this installation
            if old != cache:
                old.unlink(missing_ok=True)
        atomic_write_text(cache, json.dumps({"key": key, "tickers": found}, ensure_ascii=False,
                                            separators=(",", ":")))
    except OSError:
        pass
