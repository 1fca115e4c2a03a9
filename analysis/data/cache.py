"""Parquet cache in front of the Yahoo source: reruns from disk, network only for what is missing.

One file per symbol and adjustment setting, ``<cache_dir>/<SYMBOL>.parquet`` (``<SYMBOL>@adjusted``
for ``adjusted=True``); a symbol is validated first, so the name is always a safe file name.
Each file carries its metadata in the parquet schema metadata (key ``analysis.cache``): source,
adjusted, symbol, first/last date, row count, the *covered* request range, fetch time, yfinance
version and the pinned download settings.

* **Only what is missing** is fetched: a request outside the covered range downloads the missing
  part(s) only. Each missing part is extended :data:`OVERLAP_DAYS` into the covered range and the
  overlapping Close / Adj Close are compared with the cached ones: Yahoo rescales Adj Close of the
  whole history after every dividend, so if the overlap differs the whole range is downloaded
  again instead of splicing two adjustment bases (a silent wrong return otherwise).
* The covered range ends yesterday at the latest, so today's (possibly intraday) bar is fetched
  again next time.
* **Atomic writes**: temporary file in the cache folder, fsync, ``os.replace``; a process killed
  mid-write leaves the previous file intact. Fetch-and-write runs under an exclusive lock file
  (``.lock``, POSIX ``flock``) so two processes filling the cache do not download twice.
* **Corruption** (unreadable parquet, page checksum mismatch, missing/inconsistent metadata) is
  detected on every read: the file is refetched, or CacheError when offline. Never used silently.
* ``offline=True`` (``ANALYSIS_OFFLINE=1``) forbids the network: OfflineError naming the symbol.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CacheError, DownloadError, InputError, OfflineError, UnknownTickerError
from .prices import PRICE_COLUMNS, PriceSource, date_range_bounds, slice_dates, validate_symbol
from .yahoo import DOWNLOAD_SETTINGS, DownloadResult, yfinance_version

CACHE_FORMAT = 1
META_KEY = b"analysis.cache"
OVERLAP_DAYS = 14
BATCH_SIZE = 50
_UNKNOWN = ("delisted", "not found", "no timezone", "YFTzMissingError", "YFPricesMissingError",
            "no data found", "symbol may be")


@dataclass(frozen=True)
class Entry:
    """A cached file: its bars and metadata."""
    path: Path
    frame: pd.DataFrame
    meta: dict

    @property
    def covered(self) -> tuple[pd.Timestamp | None, pd.Timestamp]:
        cs = self.meta.get("covered_start")
        return (pd.Timestamp(cs) if cs else None, pd.Timestamp(self.meta["covered_end"]))


def _day(ts) -> str | None:
    return None if ts is None else pd.Timestamp(ts).strftime("%Y-%m-%d")


def _write_parquet(table, fh) -> None:
    """Write the parquet bytes to an open file (a seam for the killed-mid-write test)."""
    import pyarrow.parquet as pq
    pq.write_table(table, fh, write_page_checksum=True)


def atomic_write(frame: pd.DataFrame, path: Path, meta: dict) -> None:
    """Write ``frame`` with ``meta`` to ``path`` atomically (temp file + fsync + os.replace)."""
    import pyarrow as pa
    table = pa.Table.from_pandas(frame, preserve_index=True)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           META_KEY: json.dumps(meta, sort_keys=True).encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_parquet(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):   # make the rename durable (POSIX); best effort
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def read_entry(path: Path, symbol: str | None = None, adjusted: bool | None = None) -> Entry:
    """Read and verify one cache file; CacheError naming the file and the problem."""
    import pyarrow.parquet as pq
    try:
        table = pq.read_table(path, page_checksum_verification=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise CacheError(f"cache file {path} is corrupt or truncated: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
    raw = (table.schema.metadata or {}).get(META_KEY)
    try:
        meta = json.loads(raw.decode()) if raw else None
    except (ValueError, UnicodeDecodeError):
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
        raise CacheError(f"cache file {path} has no valid cache metadata")
    if symbol is not None and meta.get("symbol") != symbol:
        raise CacheError(f"cache file {path} holds {meta.get('symbol')!r}, not {symbol!r}")
    if adjusted is not None and bool(meta.get("adjusted")) != bool(adjusted):
        raise CacheError(f"cache file {path} has adjusted={meta.get('adjusted')}, expected {adjusted}")
    try:
        frame = table.to_pandas()
    except Exception as exc:  # noqa: BLE001
        raise CacheError(f"cache file {path} cannot be decoded: {exc}") from exc
    if list(frame.columns) != list(PRICE_COLUMNS) or frame.index.name != "Date":
        raise CacheError(f"cache file {path} has unexpected columns {list(frame.columns)}")
    frame.index = pd.DatetimeIndex(frame.index).as_unit("ns")
    frame = frame.astype("float64")
    n = len(frame)
    first, last = (_day(frame.index[0]), _day(frame.index[-1])) if n else (None, None)
    if (n != meta.get("rows") or first != meta.get("first_date") or last != meta.get("last_date")
            or not frame.index.is_monotonic_increasing or not frame.index.is_unique):
        raise CacheError(f"cache file {path} does not match its metadata "
                         f"(rows {n} vs {meta.get('rows')}, {first}..{last} vs "
                         f"{meta.get('first_date')}..{meta.get('last_date')})")
    if "covered_end" not in meta:
        raise CacheError(f"cache file {path} has no covered range in its metadata")
    return Entry(Path(path), frame, meta)


@contextlib.contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: atomic replace still protects the files
        yield
        return
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _segments(entry: Entry | None, lo, hi) -> list[tuple[pd.Timestamp | None, pd.Timestamp]]:
    """Missing request ranges given the cached coverage (``None`` start = from the beginning)."""
    if entry is None:
        return [(lo, hi)]
    cs, ce = entry.covered
    out = []
    if cs is not None and (lo is None or lo < cs):
        out.append((lo, cs - pd.Timedelta(days=1)))
    if hi > ce:
        out.append((ce + pd.Timedelta(days=1), hi))
    return out


def _same_basis(old: pd.DataFrame, new: pd.DataFrame) -> bool:
    common = old.index.intersection(new.index)
    if len(common) == 0:
        return True
    a = old.loc[common, ["Close", "Adj Close"]].to_numpy()
    b = new.loc[common, ["Close", "Adj Close"]].to_numpy()
    return bool(np.allclose(a, b, rtol=1e-6, atol=0.0, equal_nan=True))


class CachedYahooSource(PriceSource):
    """Yahoo Finance behind the parquet cache (see the module docstring)."""

    def __init__(self, cache_dir: str | os.PathLike, *, offline: bool = False, adjusted: bool = False,
                 stale: str = "keep", downloader: Callable[..., DownloadResult] | None = None,
                 sleep: Callable[[float], None] = time.sleep, retries: int = 3,
                 today: pd.Timestamp | None = None):
        from .quality import check_stale_setting
        self.folder = Path(cache_dir).expanduser()
        self.offline = bool(offline)
        self.adjusted = bool(adjusted)
        self.stale = check_stale_setting(stale)
        self._downloader = downloader
        self.sleep, self.retries = sleep, retries
        self._today = today
        self.notes: list[str] = []
        adj = "auto-adjusted OHLC" if self.adjusted else "Adj Close as given"
        self.name = f"Yahoo Finance (yfinance {yfinance_version()}, {adj}, cached in {self.folder})"

    # ----------------------------------------------------------------- files
    def path_for(self, symbol: str) -> Path:
        s = validate_symbol(symbol)
        return self.folder / f"{s}{'@adjusted' if self.adjusted else ''}.parquet"

    def today(self) -> pd.Timestamp:
        if self._today is not None:
            return pd.Timestamp(self._today).normalize()
        return pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()

    def entry(self, symbol: str) -> Entry | None:
        """The verified cache entry, None when absent; CacheError when damaged."""
        s = validate_symbol(symbol)
        path = self.path_for(s)
        try:
            return read_entry(path, s, self.adjusted)
        except FileNotFoundError:
            return None

    # ----------------------------------------------------------------- network
    def _download(self, symbols, lo, hi) -> DownloadResult:
        if self._downloader is not None:
            return self._downloader(symbols, lo, hi)
        from .yahoo import download
        return download(symbols, lo, hi, adjusted=self.adjusted, retries=self.retries, sleep=self.sleep)

    def _meta(self, symbol, frame, covered_start, covered_end) -> dict:
        return {
            "format": CACHE_FORMAT, "source": "Yahoo Finance via yfinance", "symbol": symbol,
            "adjusted": self.adjusted, "rows": len(frame),
            "first_date": _day(frame.index[0]) if len(frame) else None,
            "last_date": _day(frame.index[-1]) if len(frame) else None,
            "covered_start": _day(covered_start), "covered_end": _day(covered_end),
            "fetched_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
            "yfinance_version": yfinance_version(),
            "settings": {k: v for k, v in DOWNLOAD_SETTINGS.items() if k not in ("progress", "threads", "timeout")}
                        | {"auto_adjust": self.adjusted},
        }

    def fetch(self, symbols: Iterable[str], start=None, end=None, *, refresh: bool = False,
              progress: bool = False) -> pd.DataFrame:
        """Make sure the cache covers ``[start, end]`` for every symbol; download only what is
        missing (everything when ``refresh``), in batches. Returns one row per symbol:
        ``symbol, status (cached|fetched|refetched|failed), rows, first_date, last_date, detail``.
        A failed symbol does not stop the others. OfflineError when the network is needed offline.
        """
        names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        if not names:
            raise InputError("no symbols to fetch")
        lo, hi = date_range_bounds(start, end)
        open_end = hi is None
        today = self.today()
        hi = today if hi is None or hi > today else hi
        if lo is not None and lo > hi:
            raise InputError(f"start date {lo.date()} is in the future (today is {today.date()})")
        report: dict[str, dict] = {}
        # offline nothing is written, so nothing needs the lock (nor creates the folder)
        with (contextlib.nullcontext() if self.offline else _locked(self.folder)):
            entries: dict[str, Entry | None] = {}
            plan: dict[tuple, list[str]] = {}
            seg_of: dict[str, tuple] = {}      # the (one) range fetched for a symbol without a usable file
            for s in names:
                try:
                    entries[s] = self.entry(s)
                except CacheError as exc:
                    if self.offline:
                        raise
                    self.notes.append(f"{exc}; refetching")
                    entries[s] = None
                if refresh:
                    # the whole file again (request and cached range), so it keeps one adjustment basis
                    a, b = lo, hi
                    if entries[s] is not None:
                        cs, ce = entries[s].covered
                        a = None if (cs is None or lo is None) else min(cs, lo)
                        b = max(ce, hi)
                    entries[s] = None
                    segs = [(a, b)]
                else:
                    segs = _segments(entries[s], lo, hi)
                if not segs:
                    report[s] = {"status": "cached", "detail": ""}
                    continue
                if self.offline and open_end and entries[s] is not None and all(
                        a is not None and a > entries[s].covered[1] for a, _ in segs):
                    # no end date asked for: offline, the cached history is what there is
                    report[s] = {"status": "cached", "detail": "offline: served up to the cached end"}
                    continue
                if self.offline:
                    what = ", ".join(f"{_day(a) or 'start'}..{_day(b)}" for a, b in segs)
                    raise OfflineError(f"offline (ANALYSIS_OFFLINE=1): {s} is not cached for {what}")
                for a, b in segs:     # overlap into the cached part to check the adjustment basis
                    if entries[s] is not None:
                        cs, ce = entries[s].covered
                        if cs is not None and b == cs - pd.Timedelta(days=1):
                            b = b + pd.Timedelta(days=OVERLAP_DAYS)
                        if a is not None and a == ce + pd.Timedelta(days=1):
                            a = a - pd.Timedelta(days=OVERLAP_DAYS)
                    plan.setdefault((a, b), []).append(s)
                    seg_of[s] = (a, b)
            jobs = [(seg, group[i:i + BATCH_SIZE]) for seg, group in plan.items()
                    for i in range(0, len(group), BATCH_SIZE)]
            fetched: dict[str, list[pd.DataFrame]] = {}
            failed: dict[str, str] = {}
            bar = None
            if progress and jobs:
                from tqdm.auto import tqdm
                bar = tqdm(total=sum(len(g) for _, g in jobs), unit="symbol", desc="fetch")
            for (a, b), group in jobs:
                res = self._download(group, a, b)
                for s in group:
                    if s in res.frames:
                        fetched.setdefault(s, []).append(res.frames[s])
                    else:
                        failed[s] = res.failed.get(s, "no data returned")
                if bar is not None:
                    bar.update(len(group))
            if bar is not None:
                bar.close()
            for s in names:
                if s in report:
                    continue
                if s in failed:
                    report[s] = {"status": "failed", "detail": failed[s]}
                    continue
                old = entries[s]
                new = pd.concat(fetched[s]).sort_index()
                new = new[~new.index.duplicated(keep="last")]
                status = "refetched" if refresh else "fetched"
                if old is not None:
                    cs, ce = old.covered
                    if not _same_basis(old.frame, new):
                        # Yahoo re-based the adjusted history: download the whole union range
                        full_lo = None if (cs is None or lo is None) else min(cs, lo)
                        res = self._download([s], full_lo, max(ce, hi))
                        if s not in res.frames:
                            report[s] = {"status": "failed", "detail": res.failed.get(s, "no data returned")}
                            continue
                        self.notes.append(f"{s}: adjusted prices changed since the cache was filled; refetched")
                        merged, cov_lo, status = res.frames[s], full_lo, "refetched"
                    else:
                        merged = pd.concat([old.frame[~old.frame.index.isin(new.index)], new]).sort_index()
                        cov_lo = None if (cs is None or lo is None) else min(cs, lo)
                    cov_hi = max(ce, hi)
                else:
                    merged, (cov_lo, cov_hi) = new, seg_of[s]
                cov_hi = min(cov_hi, today - pd.Timedelta(days=1))
                if cov_lo is not None and cov_hi < cov_lo:
                    cov_hi = cov_lo - pd.Timedelta(days=1)
                atomic_write(merged, self.path_for(s), self._meta(s, merged, cov_lo, cov_hi))
                report[s] = {"status": status, "detail": ""}
        rows = []
        for s in names:
            r = report[s]
            try:
                e = self.entry(s) if r["status"] != "failed" else None
            except CacheError:
                e = None
            f = e.frame if e is not None else None
            rows.append({"symbol": s, "status": r["status"], "rows": 0 if f is None else len(f),
                         "first_date": f.index[0] if f is not None and len(f) else pd.NaT,
                         "last_date": f.index[-1] if f is not None and len(f) else pd.NaT,
                         "detail": r["detail"]})
        return pd.DataFrame(rows, columns=["symbol", "status", "rows", "first_date", "last_date", "detail"])

    # ----------------------------------------------------------------- PriceSource
    def load_many(self, symbols, start=None, end=None) -> dict[str, pd.DataFrame]:
        from .quality import apply_stale
        names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        rep = self.fetch(names, start, end)
        bad = rep[rep["status"] == "failed"]
        if len(bad):
            s, reason = bad.iloc[0]["symbol"], bad.iloc[0]["detail"]
            others = f" (also failed: {', '.join(bad['symbol'].iloc[1:])})" if len(bad) > 1 else ""
            cls = UnknownTickerError if any(k.lower() in reason.lower() for k in _UNKNOWN) else DownloadError
            raise cls(f"Yahoo Finance has no prices for {s}: {reason}{others}")
        out = {}
        for s in names:
            e = self.entry(s)
            if e is None:   # pragma: no cover - fetch wrote it
                raise CacheError(f"cache file {self.path_for(s)} disappeared after fetching {s}")
            out[s] = apply_stale(slice_dates(e.frame, start, end), self.stale)
        return out

    def load(self, symbol, start=None, end=None) -> pd.DataFrame:
        s = validate_symbol(symbol)
        return self.load_many([s], start, end)[s]

    # ----------------------------------------------------------------- housekeeping
    def entries(self) -> pd.DataFrame:
        """One row per cache file: symbol, file, status (ok|corrupt), rows, dates, fetch time."""
        rows = []
        for path in sorted(self.folder.glob("*.parquet")) if self.folder.is_dir() else []:
            stem = path.stem
            sym, adjusted = (stem[:-len("@adjusted")], True) if stem.endswith("@adjusted") else (stem, False)
            row = {"symbol": sym, "adjusted": adjusted, "file": path.name, "bytes": path.stat().st_size}
            try:
                e = read_entry(path)
                m = e.meta
                row.update(status="ok", rows=m["rows"], first_date=m["first_date"], last_date=m["last_date"],
                           covered_start=m["covered_start"], covered_end=m["covered_end"],
                           fetched_at=m["fetched_at"], yfinance_version=m["yfinance_version"], detail="")
            except CacheError as exc:
                row.update(status="corrupt", detail=str(exc))
            rows.append(row)
        cols = ["symbol", "adjusted", "file", "status", "rows", "first_date", "last_date", "covered_start",
                "covered_end", "fetched_at", "yfinance_version", "bytes", "detail"]
        return pd.DataFrame(rows, columns=cols)

    def clear(self, symbols: Iterable[str] | None = None) -> list[Path]:
        """Delete cache files (all, or those of ``symbols``) and leftover temporary files."""
        if not self.folder.is_dir():
            return []
        removed = []
        names = None if symbols is None else [validate_symbol(s) for s in symbols]
        with _locked(self.folder):
            if names is None:
                targets = list(self.folder.glob("*.parquet")) + list(self.folder.glob(".*.parquet.*.tmp"))
            else:
                targets = [self.folder / f"{s}{suffix}.parquet" for s in names for suffix in ("", "@adjusted")]
            for p in targets:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                    removed.append(p)
        return removed
