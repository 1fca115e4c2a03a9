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
  mid-write leaves the previous file intact. Files are created with the user's umask (a cache
  shared by a team stays readable). Download-and-write runs under an exclusive lock file
  (``.lock``, POSIX ``flock``) so two processes filling the cache do not download twice;
  reading takes no lock, so a read-only cache folder serves what it holds.
* **Corruption** (unreadable parquet, page checksum mismatch, missing/inconsistent metadata,
  metadata values of the wrong types) is detected on every read: the file is refetched, or
  CacheError when offline. Never used silently. ``cache list`` reports such entries as bad.
* **Only its own files**: ``entries()`` and ``clear()`` list and delete only files carrying
  the cache's metadata (and its own temporary files); other parquet files are left alone, and a
  readable parquet file without the metadata is never replaced.
* ``offline=True`` (``ANALYSIS_OFFLINE=1``) forbids the network: OfflineError naming the symbol.
  A request without a start (or end) date is served from what is cached, so a cache filled
  with ``fetch --start/--end`` serves a later offline study.
* The network (:mod:`analysis.data.yahoo`): all symbols missing from the cache are fetched in
  batches under one overall deadline; a failure names its cause.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import (CacheError, ConfigError, DataError, DownloadError, InputError, OfflineError, OutputError,
                      UnknownTickerError)
from ..files import describe_os_error, locked
from .prices import PRICE_COLUMNS, PriceSource, date_range_bounds, slice_dates, validate_symbol
from .yahoo import (DOWNLOAD_SETTINGS, UNKNOWN_SYMBOL, Deadline, DownloadResult, failure_message,
                    yfinance_version)

CACHE_FORMAT = 1
META_KEY = b"analysis.cache"
OVERLAP_DAYS = 14
BATCH_SIZE = 50


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
    """Write ``frame`` with ``meta`` to ``path`` atomically (temp file + fsync + os.replace,
    :func:`analysis.files.atomic_open`: permissions from the user's umask); CacheError naming
    the file and the cause (a full disk, a read-only folder) when it cannot be written."""
    import pyarrow as pa

    from ..files import atomic_open
    table = pa.Table.from_pandas(frame, preserve_index=True)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           META_KEY: json.dumps(meta, sort_keys=True).encode()})
    try:
        with atomic_open(path, "wb") as fh:
            _write_parquet(table, fh)
    except OutputError as exc:
        raise CacheError(f"cannot write to the price cache: {exc}") from None


# --------------------------------------------------------------------------------------------
# reading and checking one file

_META_TYPES = {"symbol": str, "adjusted": bool, "rows": int, "fetched_at": str, "yfinance_version": str,
               "covered_end": str}
_META_DATES = ("first_date", "last_date", "covered_start", "covered_end")


def _read_table(path: Path):
    import pyarrow.parquet as pq
    try:
        return pq.read_table(path, page_checksum_verification=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise CacheError(f"cache file {path} is corrupt or truncated: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc


def _metadata(raw) -> dict | None:
    try:
        meta = json.loads(raw.decode()) if raw else None
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == CACHE_FORMAT else None


def _check_meta(meta: dict, path: Path) -> None:
    """CacheError naming the first key whose value has the wrong type (the metadata of a file
    the cache wrote always has these types; anything else is damaged or crafted)."""
    for key, kind in _META_TYPES.items():
        value = meta.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise CacheError(f"cache file {path} has a bad {key!r} in its metadata: {value!r}")
    for key in _META_DATES:
        value = meta.get(key)
        if value is None and key != "covered_end":
            continue
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise CacheError(f"cache file {path} has a bad {key!r} in its metadata: {value!r}")
        try:
            pd.Timestamp(value)
        except (ValueError, OverflowError):
            raise CacheError(f"cache file {path} has a bad {key!r} in its metadata: {value!r}") from None


def _frame_of(table, path: Path, meta: dict) -> pd.DataFrame:
    try:
        frame = table.to_pandas()
    except Exception as exc:  # noqa: BLE001
        raise CacheError(f"cache file {path} cannot be decoded: {exc}") from exc
    if list(frame.columns) != list(PRICE_COLUMNS) or frame.index.name != "Date":
        raise CacheError(f"cache file {path} has unexpected columns {list(frame.columns)}")
    try:
        frame.index = pd.DatetimeIndex(frame.index).as_unit("ns")
        frame = frame.astype("float64")
    except (TypeError, ValueError) as exc:
        raise CacheError(f"cache file {path} has values of the wrong type: {exc}") from None
    n = len(frame)
    first, last = (_day(frame.index[0]), _day(frame.index[-1])) if n else (None, None)
    if (n != meta.get("rows") or first != meta.get("first_date") or last != meta.get("last_date")
            or not frame.index.is_monotonic_increasing or not frame.index.is_unique):
        raise CacheError(f"cache file {path} does not match its metadata "
                         f"(rows {n} vs {meta.get('rows')}, {first}..{last} vs "
                         f"{meta.get('first_date')}..{meta.get('last_date')})")
    return frame


def read_entry(path: Path, symbol: str | None = None, adjusted: bool | None = None) -> Entry:
    """Read and verify one cache file; CacheError naming the file and the problem (damaged
    bytes, no or malformed metadata, metadata of the wrong types, values not matching it)."""
    table = _read_table(path)
    meta = _metadata((table.schema.metadata or {}).get(META_KEY))
    if meta is None:
        raise CacheError(f"cache file {path} has no valid cache metadata")
    if "covered_end" not in meta:
        raise CacheError(f"cache file {path} has no covered range in its metadata")
    _check_meta(meta, path)
    if symbol is not None and meta.get("symbol") != symbol:
        raise CacheError(f"cache file {path} holds {meta.get('symbol')!r}, not {symbol!r}")
    if adjusted is not None and bool(meta.get("adjusted")) != bool(adjusted):
        raise CacheError(f"cache file {path} has adjusted={meta.get('adjusted')}, expected {adjusted}")
    return Entry(Path(path), _frame_of(table, path, meta), meta)


def written_by_cache(path: Path) -> bool | None:
    """True when ``path`` carries this cache's metadata key, False when it is a readable parquet
    file without it (someone else's), None when it cannot be read at all."""
    import pyarrow.parquet as pq
    try:
        schema = pq.read_schema(path)
    except Exception:  # noqa: BLE001 - not parquet, truncated, unreadable
        return None
    return META_KEY in (schema.metadata or {})


def _locked(folder: Path):
    """The cache's lock (only taken to download and write; reading needs none)."""
    folder.mkdir(parents=True, exist_ok=True)
    return locked(folder / ".lock")


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


def _with_overlap(entry: Entry | None, a, b):
    """A missing range extended OVERLAP_DAYS into the cached part, to check the adjustment basis."""
    if entry is None:
        return a, b
    cs, ce = entry.covered
    if cs is not None and b == cs - pd.Timedelta(days=1):
        b = b + pd.Timedelta(days=OVERLAP_DAYS)
    if a is not None and a == ce + pd.Timedelta(days=1):
        a = a - pd.Timedelta(days=OVERLAP_DAYS)
    return a, b


@dataclass
class _Plan:
    """What one fetch needs: the verified entries, the symbols already answered (cached) and the
    ranges to download (``{(start, end): [symbols]}``), and per symbol the range fetched for it."""
    entries: dict[str, Entry | None] = field(default_factory=dict)
    report: dict[str, dict] = field(default_factory=dict)
    ranges: dict[tuple, list[str]] = field(default_factory=dict)
    seg_of: dict[str, tuple] = field(default_factory=dict)

    def jobs(self) -> list[tuple[tuple, list[str]]]:
        return [(seg, group[i:i + BATCH_SIZE]) for seg, group in self.ranges.items()
                for i in range(0, len(group), BATCH_SIZE)]


class CachedYahooSource(PriceSource):
    """Yahoo Finance behind the parquet cache (see the module docstring)."""

    def __init__(self, cache_dir: str | os.PathLike, *, offline: bool = False, adjusted: bool = False,
                 stale: str = "keep", downloader: Callable[..., DownloadResult] | None = None,
                 sleep: Callable[[float], None] = time.sleep, retries: int = 3,
                 today: pd.Timestamp | None = None):
        from .quality import check_stale_setting
        self.folder = Path(cache_dir).expanduser()
        if self.folder.exists() and not self.folder.is_dir():
            raise ConfigError(f"cache folder {self.folder} is a file, not a folder")
        self.offline = bool(offline)
        self.adjusted = bool(adjusted)
        self.stale = check_stale_setting(stale)
        self._downloader = downloader
        self.sleep, self.retries = sleep, retries
        self._today = today
        self.notes: list[str] = []
        adj = "auto-adjusted OHLC" if self.adjusted else "Adj Close as given"
        self.name = f"Yahoo Finance (yfinance {yfinance_version()}, {adj}, cached in folder {self.folder.name})"

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
        except OSError as exc:
            raise CacheError(f"cannot read cache file {path}: {describe_os_error(exc)}") from None

    def _writable(self) -> str | None:
        """Why the cache cannot store downloads (None when it can)."""
        folder = next((p for p in (self.folder, *self.folder.absolute().parents) if p.exists()), None)
        if folder is None or os.access(folder, os.W_OK | os.X_OK):
            return None
        try:
            ro = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):
            ro = False
        return f"cache folder {self.folder} is {'on a read-only file system' if ro else 'not writable'}"

    # ----------------------------------------------------------------- network
    def _download(self, symbols, lo, hi, deadline: Deadline) -> DownloadResult:
        if self._downloader is not None:
            return self._downloader(symbols, lo, hi)
        from .yahoo import download
        return download(symbols, lo, hi, adjusted=self.adjusted, retries=self.retries, sleep=self.sleep,
                        deadline=deadline)

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
        missing (everything when ``refresh``), in batches, under one deadline
        (:func:`analysis.config.deadline`). Returns one row per symbol: ``symbol, status
        (cached|fetched|refetched|failed), rows, first_date, last_date, detail, network`` (True
        when a failure was the network's). A failed symbol does not stop the others.

        Reading needs no lock, so a read-only cache serves what it holds; only downloading
        takes the lock (and the plan is made again under it: another process may have filled
        the cache meanwhile). OfflineError when the network is needed offline; CacheError when
        downloads cannot be stored (read-only folder, full disk).
        """
        names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        if not names:
            raise InputError("no symbols to fetch")
        lo, hi, open_end, today = self._request_range(start, end)
        plan = self._plan(names, lo, hi, refresh=refresh, open_end=open_end)
        why = self._writable() if plan.ranges else None
        if why is not None:         # a read-only cache serves what it holds, as offline
            plan = self._plan(names, lo, hi, refresh=refresh, open_end=open_end, hold=True)
            if plan.ranges:
                raise CacheError(f"{why}: cannot store downloads of {', '.join(plan.seg_of)}; use "
                                 "--cache-dir DIR (or ANALYSIS_CACHE_DIR) for a folder you can write, "
                                 "or --prices-dir DIR for CSV prices")
            self.notes.append(f"{why}: served what it holds")
        if plan.ranges:
            with _locked(self.folder):
                plan = self._plan(names, lo, hi, refresh=refresh, open_end=open_end, quiet=True)
                self._download_and_store(plan, lo, hi, today, refresh=refresh, progress=progress)
        return self._fetch_report(names, plan.report)

    def _request_range(self, start, end):
        lo, hi = date_range_bounds(start, end)
        open_end = hi is None
        today = self.today()
        hi = today if hi is None or hi > today else hi
        if lo is not None and lo > hi:
            raise InputError(f"start date {lo.date()} is in the future (today is {today.date()})")
        return lo, hi, open_end, today

    def _plan(self, names, lo, hi, *, refresh: bool, open_end: bool, quiet: bool = False,
              hold: bool = False) -> _Plan:
        """What is cached and what must be downloaded (see :class:`_Plan`); offline, what the
        cache cannot serve is an OfflineError. ``hold``: serve open-ended requests from what is
        cached, as offline (a read-only cache)."""
        plan = _Plan()
        for s in names:
            entry = self._usable_entry(s, quiet)
            segs = self._refresh_range(entry, lo, hi) if refresh else _segments(entry, lo, hi)
            plan.entries[s] = None if refresh else entry
            if (self.offline or hold) and entry is not None and not refresh:
                segs = self._served_offline(plan, s, entry, segs, lo is None, open_end)
            if not segs:
                plan.report.setdefault(s, {"status": "cached", "detail": ""})
                continue
            if self.offline:
                what = ", ".join(f"{_day(a) or 'start'}..{_day(b)}" for a, b in segs)
                raise OfflineError(f"offline (--offline or ANALYSIS_OFFLINE=1): {s} is not cached for {what}; "
                                   f"read CSV prices with --prices-dir DIR (or ANALYSIS_PRICES_DIR), or run "
                                   f"once online to fill the cache")
            for a, b in segs:
                seg = _with_overlap(plan.entries[s], a, b)
                plan.ranges.setdefault(seg, []).append(s)
                plan.seg_of[s] = seg
        return plan

    def _usable_entry(self, symbol: str, quiet: bool) -> Entry | None:
        """The entry, or None when there is none or (online) it is damaged and will be refetched.
        A readable parquet file without the cache's metadata is never replaced: CacheError."""
        try:
            return self.entry(symbol)
        except CacheError as exc:
            if self.offline:
                raise
            if written_by_cache(self.path_for(symbol)) is False:
                raise CacheError(f"{exc}: the cache did not write this file and will not replace "
                                 "it; move it out of the cache folder") from None
            if not quiet:
                self.notes.append(f"{exc}; refetching")
            return None

    @staticmethod
    def _refresh_range(entry: Entry | None, lo, hi) -> list[tuple]:
        """The whole file again (request and cached range), so it keeps one adjustment basis."""
        a, b = lo, hi
        if entry is not None:
            cs, ce = entry.covered
            a = None if (cs is None or lo is None) else min(cs, lo)
            b = max(ce, hi)
        return [(a, b)]

    @staticmethod
    def _served_offline(plan: _Plan, s: str, entry: Entry, segs, open_start: bool, open_end: bool):
        """Offline, a request with no start (or no end) date is served from the cached start (or
        up to the cached end): the cached history is what there is. The missing ranges left."""
        cs, ce = entry.covered
        left = [(a, b) for a, b in segs
                if not (open_start and a is None) and not (open_end and a is not None and a > ce)]
        if segs and not left:
            sides = [w for w, on in (("from the cached start", open_start and any(a is None for a, _ in segs)),
                                     ("up to the cached end", open_end)) if on]
            plan.report[s] = {"status": "cached", "detail": f"served {' and '.join(sides)}"}
        return left

    def _download_and_store(self, plan: _Plan, lo, hi, today, *, refresh: bool, progress: bool) -> None:
        """Download every planned range in batches (one deadline for all), then merge each
        symbol with its cached part and write it."""
        deadline = Deadline()
        fetched, failed = self._download_jobs(plan.jobs(), deadline, progress)
        for s in plan.entries:
            if s in plan.report:
                continue
            if s in failed:
                plan.report[s] = {"status": "failed", "detail": failed[s][0], "network": failed[s][1]}
                continue
            plan.report[s] = self._store(s, plan.entries[s], fetched[s], plan.seg_of[s], lo, hi, today,
                                         refresh, deadline)

    def _download_jobs(self, jobs, deadline: Deadline, progress: bool):
        fetched: dict[str, list[pd.DataFrame]] = {}
        failed: dict[str, tuple[str, bool]] = {}
        bar = None
        if progress and jobs:
            from ..config import progress as tqdm
            bar = tqdm(total=sum(len(g) for _, g in jobs), unit="symbol", desc="fetch")
        for (a, b), group in jobs:
            res = self._download(group, a, b, deadline)
            for s in group:
                if s in res.frames:
                    fetched.setdefault(s, []).append(res.frames[s])
                else:
                    failed[s] = (res.failed.get(s, "no data returned"), s in res.network)
            if bar is not None:
                bar.update(len(group))
        if bar is not None:
            bar.close()
        return fetched, failed

    def _store(self, s, old: Entry | None, parts, seg, lo, hi, today, refresh: bool, deadline) -> dict:
        """Merge the downloaded bars of ``s`` with its cached part and write the file; the report row."""
        new = pd.concat(parts).sort_index()
        new = new[~new.index.duplicated(keep="last")]
        status = "refetched" if refresh else "fetched"
        if old is None:
            merged, (cov_lo, cov_hi) = new, seg
        else:
            cs, ce = old.covered
            cov_lo, cov_hi = (None if (cs is None or lo is None) else min(cs, lo)), max(ce, hi)
            if _same_basis(old.frame, new):
                merged = pd.concat([old.frame[~old.frame.index.isin(new.index)], new]).sort_index()
            else:   # Yahoo re-based the adjusted history: download the whole union range
                res = self._download([s], cov_lo, cov_hi, deadline)
                if s not in res.frames:
                    return {"status": "failed", "detail": res.failed.get(s, "no data returned"),
                            "network": s in res.network}
                self.notes.append(f"{s}: adjusted prices changed since the cache was filled; refetched")
                merged, status = res.frames[s], "refetched"
        cov_hi = min(cov_hi, today - pd.Timedelta(days=1))
        if cov_lo is not None and cov_hi < cov_lo:
            cov_hi = cov_lo - pd.Timedelta(days=1)
        atomic_write(merged, self.path_for(s), self._meta(s, merged, cov_lo, cov_hi))
        return {"status": status, "detail": ""}

    def _fetch_report(self, names, report: dict) -> pd.DataFrame:
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
                         "detail": r["detail"], "network": bool(r.get("network", False))})
        return pd.DataFrame(rows, columns=["symbol", "status", "rows", "first_date", "last_date", "detail",
                                           "network"])

    # ----------------------------------------------------------------- PriceSource
    @staticmethod
    def _failure(symbol: str, reason: str, network: bool) -> DataError:
        """The error of a symbol Yahoo gave no prices for: UnknownTickerError only when Yahoo
        said it does not know the symbol, else DownloadError (with how to work offline)."""
        cls = UnknownTickerError if not network and UNKNOWN_SYMBOL.search(reason) else DownloadError
        return cls(failure_message(symbol, reason, network))

    def prefetch(self, symbols: Iterable[str]) -> dict[str, str]:
        """Download every symbol not cached yet in one batch, under one deadline (the pipeline
        calls this before loading symbol by symbol); ``{symbol: why it failed}``. Offline,
        nothing is done (each load says what is missing)."""
        if self.offline:
            return {}
        names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        if not names:
            return {}
        try:
            rep = self.fetch(names)
        except DataError:       # the cache itself is in the way: each load says how, per symbol
            return {}
        bad = rep[rep["status"] == "failed"]
        return {s: str(self._failure(s, d, n)) for s, d, n in zip(bad["symbol"], bad["detail"], bad["network"])}

    def load_many(self, symbols, start=None, end=None) -> dict[str, pd.DataFrame]:
        from .quality import apply_stale
        names = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        rep = self.fetch(names, start, end)
        bad = rep[rep["status"] == "failed"]
        if len(bad):
            s, reason, network = bad.iloc[0]["symbol"], bad.iloc[0]["detail"], bool(bad.iloc[0]["network"])
            exc = self._failure(s, reason, network)
            if len(bad) > 1:
                exc = type(exc)(f"{exc} (also failed: {', '.join(bad['symbol'].iloc[1:])})")
            raise exc
        out = {}
        for s in names:
            e = self.entry(s)
            if e is None:   # pragma: no cover - fetch wrote it
                raise CacheError(f"cache file {self.path_for(s)} disappeared after fetching {s}")
            out[s] = slice_dates(apply_stale(e.frame, self.stale), start, end)   # judged on the whole series
        return out

    def load(self, symbol, start=None, end=None) -> pd.DataFrame:
        s = validate_symbol(symbol)
        return self.load_many([s], start, end)[s]

    # ----------------------------------------------------------------- housekeeping
    def _parquet_files(self) -> list[Path]:
        try:
            return sorted(p for p in self.folder.glob("*.parquet") if not p.name.startswith("."))
        except OSError:
            return []

    def entries(self) -> pd.DataFrame:
        """One row per file the cache wrote (by its metadata): symbol, file, status (ok|bad),
        rows, dates, fetch time; a bad entry (damaged bytes, metadata of the wrong types) is a
        row with its reason, never an exception. Files the cache did not write are not listed
        (see :meth:`other_files`)."""
        rows = []
        for path in self._parquet_files():
            ours = written_by_cache(path)
            if ours is False:
                continue
            stem = path.stem
            sym, adjusted = (stem[:-len("@adjusted")], True) if stem.endswith("@adjusted") else (stem, False)
            row = {"symbol": sym, "adjusted": adjusted, "file": path.name, "bytes": path.stat().st_size}
            try:
                m = read_entry(path).meta
                row.update(status="ok", rows=m["rows"], first_date=m["first_date"], last_date=m["last_date"],
                           covered_start=m["covered_start"], covered_end=m["covered_end"],
                           fetched_at=m["fetched_at"], yfinance_version=m["yfinance_version"], detail="")
            except (CacheError, OSError) as exc:
                row.update(status="bad", detail=str(exc))
            rows.append(row)
        cols = ["symbol", "adjusted", "file", "status", "rows", "first_date", "last_date", "covered_start",
                "covered_end", "fetched_at", "yfinance_version", "bytes", "detail"]
        return pd.DataFrame(rows, columns=cols)

    def other_files(self) -> list[Path]:
        """Parquet files in the cache folder that the cache did not write (left alone)."""
        return [p for p in self._parquet_files() if written_by_cache(p) is False]

    def clear(self, symbols: Iterable[str] | None = None) -> list[Path]:
        """Delete the files the cache wrote (all, or those of ``symbols``), bad ones included,
        and its leftover temporary files; files it did not write are never touched."""
        if not self.folder.is_dir():
            return []
        names = None if symbols is None else [validate_symbol(s) for s in symbols]
        if names is None:
            targets = self._parquet_files() + sorted(self.folder.glob(".*.parquet.*.tmp"))
        else:
            targets = [self.folder / f"{s}{suffix}.parquet" for s in names for suffix in ("", "@adjusted")]
        why = self._writable()
        if why is not None:
            raise CacheError(f"{why}: cannot delete cache files")
        removed = []
        with _locked(self.folder):
            for p in targets:
                if p.suffix == ".parquet" and written_by_cache(p) is False:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                    removed.append(p)
        return removed
