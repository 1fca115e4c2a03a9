"""The same event study on a Dask cluster (``dask.distributed``): beyond one machine.

    analysis.run_study(events, client="local:2", out="results")           # LocalCluster, 2 workers
    analysis.run_event_study(events, source=ParquetDatasetSource(path), client="tcp://host:8786")
    python -m analysis batch events.csv --out results --dask local:2

``client`` is a :class:`dask.distributed.Client`, a scheduler address, ``"local"`` (a
``LocalCluster`` with one single-threaded worker process per CPU) or ``"local:N"`` (N workers).
A cluster this module starts is closed when the run ends; a ``Client`` given is left open.

How the study is split (see docs/scaling.md):

1. **Partitions.** Events are split by ticker: every event of a ticker, and the listings of one
   company when the table has a ``company`` column, in one partition of about
   ``partition_events`` events (:func:`partition_rows`). The benchmark (market) series and the
   factor table are read once on the client and broadcast to every worker; each worker reads
   only its partition's tickers from the price source (CSV folder, Yahoo cache, parquet
   dataset). No panel of the whole sample is ever built.
2. **Round 1 (map).** Each partition runs the pipeline's own code on its events
   (:func:`analysis.core.pipeline.run_study` or ``run_event_study``: timing, loading, price
   checks, the engine) and reduces its :class:`~analysis.core.arrays.EventArrays` to the sums of
   :mod:`analysis.core.partials` per (window, group) (the Corrado-Zivney sign sums among
   them); its per-event tables (diagnostics, abnormal returns, CARs) are written as one
   parquet file per partition under ``out``, or returned when no ``out`` is given. Only sums,
   per studied event and window its CAR, SCAR and the date the window starts
   (:class:`EventValues`, 25 bytes) and small per-partition tables (skip counts,
   price-quality findings, limit days) travel back.
3. **Reduce.** The client adds the sums in partition order (deterministic).
4. **Round 2.** GRANK ranks SCAR / sd(SCAR) with the sd of the whole group, known only now:
   each partition is studied again (recomputed rather than kept, so a worker's memory is
   bounded by one partition, not by the sample) and sends the Corrado and GRANK rank sums and,
   for groups of at most ``KP_EXACT_MAX_EVENTS`` tested events, their estimation residuals
   (the exact Kolari-Pynnonen r-bar is a mean over pairs of events).
5. **Finish.** Every test of every window and group is finished on the client: from the
   totals (:func:`analysis.core.partials.finish_tests`), and, for the skewness-corrected t,
   the jackknife and the resampling tests, from the gathered per-event values put back in the
   single-process order of the events (:func:`analysis.core.partials.gathered_tests`, when
   ``tests()`` first asks for them: the resampling tests' draws follow that order, so the
   same seed gives the same draws and p-values). The same numbers as the single-process run,
   to rounding (tests/test_distributed.py: 1e-10).

This module does not import :mod:`analysis.core.pipeline` (the pipeline imports it): the
pipeline hands over its own functions (:class:`Pipeline`).
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..data.exchanges import default_market
from ..data.prices import PriceSource, slice_dates
from ..data.sources import open_source
from ..errors import AnalysisError, ConfigError, DataError, EventError, InputError
from ..events.table import left_out_note, split_subjects, validate_events
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_POLICY, DEFAULT_RESAMPLES,
                       DEFAULT_SEED, car_windows, columns, validate_windows)
from . import partials
from .engine import prepare_events as engine_events
from .results import EventStudyResult, _adjusted, _many_windows, tests_table
from .statistics import _frame
from .summary import ticker_text

#: events per partition (a worker holds one partition at a time per thread)
PARTITION_EVENTS = 20_000
#: partition results a worker keeps between the rounds (bytes; at most a quarter of its memory limit)
KEEP_BYTES = 2 << 30
#: per-event tables, one parquet dataset (a folder of part-NNNNN.parquet files) each under ``out``
TABLES = ("diagnostics", "abnormal_returns", "car")
GROUPINGS = ("all", "group")
_PART = re.compile(r"^part-\d{5}\.parquet$")
_MANIFEST = "_analysis_dataset.json"


class Pipeline(NamedTuple):
    """The functions of :mod:`analysis.core.pipeline` a distributed run calls (on the client and
    on the workers), handed over by the pipeline itself."""

    run_study: Callable
    run_event_study: Callable
    prepare_events: Callable
    needs_timing: Callable
    sample_warnings: Callable
    cluster_notes_of: Callable


# --------------------------------------------------------------------------------------------
# the cluster


@contextlib.contextmanager
def connect(client):
    """A :class:`dask.distributed.Client` for ``client``: itself when it is one (left open),
    else a new client of ``"local"`` / ``"local:N"`` (a LocalCluster of N single-threaded worker
    processes on 127.0.0.1, every port chosen by the system) or of a scheduler address, closed
    (with the LocalCluster) on leaving."""
    from dask.distributed import Client, LocalCluster

    if isinstance(client, Client):
        yield client
        return
    spec = str(client).strip()
    m = re.fullmatch(r"local(?::(\d+))?", spec)
    if m:
        n = int(m.group(1)) if m.group(1) else _cpus()
        if n < 1:
            raise InputError(f"--dask {spec}: the number of local workers must be at least 1")
        # one thread per worker and per array block: the workers are the parallelism; every
        # port (scheduler, workers, the scheduler's HTTP routes) chosen by the system, on
        # 127.0.0.1 only (no dashboard: bokeh is not a dependency)
        env = {"ANALYSIS_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                          scheduler_port=0, host="127.0.0.1", silence_logs=logging.ERROR,
                          env=env) as cluster, Client(cluster) as c:
            yield c
        return
    if not spec:
        raise InputError("give a Dask scheduler address, 'local' or 'local:N'")
    try:
        c = Client(spec, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot reach the Dask scheduler at {spec!r}: {first}") from None
    with c:
        yield c


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _n_workers(client) -> int:
    try:
        return max(1, len(client.scheduler_info()["workers"]))
    except Exception:  # noqa: BLE001 - a client that cannot tell: assume one worker
        return 1


# --------------------------------------------------------------------------------------------
# partitions


def partition_rows(tickers, companies=None, *, size: int = PARTITION_EVENTS,
                   minimum: int = 1) -> list[np.ndarray]:
    """Row numbers of each partition, in input order.

    Every event of a ticker is in one partition (its prices are read once, by one worker);
    with ``companies`` the listings of one company are kept together too (connected tickers),
    so confounding news on another listing is seen. Units are packed largest first onto the
    least loaded of ``max(ceil(N / size), minimum)`` partitions (at most one per unit).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    tickers = pd.Series(np.asarray(tickers, dtype=object)).astype("string").str.strip().str.upper()
    n = len(tickers)
    if n == 0:
        return []
    t_codes, _ = pd.factorize(tickers, use_na_sentinel=True)
    t_codes = np.where(t_codes < 0, t_codes.max() + 1, t_codes)        # no ticker: one unit
    n_t = int(t_codes.max()) + 1
    unit = t_codes
    if companies is not None:
        comp = pd.Series(np.asarray(companies, dtype=object)).astype("string").str.casefold().str.strip()
        comp = comp.where(comp != "")
        c_codes, _ = pd.factorize(comp, use_na_sentinel=True)
        has = c_codes >= 0
        if has.any():
            size_g = n_t + int(c_codes.max()) + 1
            graph = coo_matrix((np.ones(int(has.sum())), (t_codes[has], n_t + c_codes[has])),
                               shape=(size_g, size_g))
            _, labels = connected_components(graph, directed=False)
            unit = pd.factorize(labels[t_codes])[0]
    counts = np.bincount(unit)
    n_parts = int(min(len(counts), max(math.ceil(n / max(int(size), 1)), int(minimum), 1)))
    heap = [(0, p) for p in range(n_parts)]
    part_of_unit = np.empty(len(counts), dtype=np.int64)
    for u in np.argsort(-counts, kind="stable"):
        load, p = heapq.heappop(heap)
        part_of_unit[u] = p
        heapq.heappush(heap, (load + int(counts[u]), p))
    part = part_of_unit[unit]
    return [rows for rows in (np.flatnonzero(part == p) for p in range(n_parts)) if len(rows)]


# --------------------------------------------------------------------------------------------
# prices on the workers


class BroadcastSource(PriceSource):
    """A price source whose benchmark series were read once on the client and broadcast:
    those symbols are served from memory (or fail with the client's reason), every other
    symbol is read from ``base`` by the worker."""

    def __init__(self, base: PriceSource | None, frames: dict, failed: dict):
        self.base, self.frames, self.failed = base, frames, failed
        self.read_frames: dict = {}
        self.read_failed: dict = {}
        self.name = getattr(base, "name", "prices in memory")

    def prefetch(self, symbols: Iterable[str]) -> dict[str, str]:
        """Read ``symbols`` at once where the source can (a parquet dataset: one scan);
        ``{symbol: why it failed}`` as :meth:`analysis.data.cache.CachedYahooSource.prefetch`."""
        read = getattr(self.base, "read", None)
        want = [s for s in dict.fromkeys(symbols) if s not in self.frames and s not in self.failed]
        if read is None or not want:
            return {}
        try:
            frames, failed = read(want)
        except AnalysisError:                  # each symbol is then read (and fails) on its own
            return {}
        self.read_frames.update(frames)
        self.read_failed.update(failed)
        return dict(failed)

    def load(self, symbol: str, start=None, end=None) -> pd.DataFrame:
        for frames in (self.frames, self.read_frames):
            if symbol in frames:
                return slice_dates(frames[symbol], start, end)
        for failed in (self.failed, self.read_failed):
            if symbol in failed:
                raise DataError(failed[symbol])
        if self.base is None:
            raise DataError(f"no prices for {symbol}")
        return self.base.load(symbol, start, end)


def load_frames(source: PriceSource, symbols: Iterable[str]) -> tuple[dict, dict]:
    """``({symbol: frame}, {symbol: why it failed})``, each symbol read once."""
    frames, failed = {}, {}
    for s in dict.fromkeys(symbols):
        try:
            frames[s] = source.load(s)
        except DataError as exc:
            failed[s] = str(exc)
    return frames, failed


def _panel(frames: dict, min_rows: int) -> pd.DataFrame:
    """Adj Close side by side (dates x symbols). A partition's panel has fewer dates than the
    whole sample's; dates where no series has a price change no result, so when the panel is
    shorter than a window (the engine refuses that) it is padded with such empty dates."""
    if not frames:
        return pd.DataFrame()
    panel = pd.concat({s: f["Adj Close"] for s, f in frames.items()}, axis=1, sort=True).astype(float)
    short = min_rows - len(panel)
    if short > 0:
        pad = pd.date_range(end=panel.index[0] - pd.Timedelta(days=1), periods=short, freq="D")
        panel = pd.concat([pd.DataFrame(np.nan, index=pad, columns=panel.columns), panel])
    return panel


# --------------------------------------------------------------------------------------------
# the job and its two rounds (run on the workers)


@dataclass
class Job:
    """What every partition needs to run the same study (pickled once per task)."""

    kind: str                            # "study" (run_study) or "event_study" (run_event_study)
    steps: Pipeline
    settings: dict                       # keyword arguments of the pipeline function
    windows: list[tuple[int, int]]
    groups: dict                         # group label -> code
    source: PriceSource | None = None
    panel_kind: str | None = None        # "prices" / "returns" when a panel is given
    time: bool = False                   # event_study: time the partition first
    out: str | None = None
    tables: tuple[str, ...] = TABLES
    keep_bytes: int = KEEP_BYTES
    run_id: str = ""
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW
    event_window: tuple[int, int] = DEFAULT_EVENT_WINDOW
    min_rows: int = 0

    @property
    def g(self) -> int:
        return max(len(self.groups), 1)


def _study(job: Job, part: pd.DataFrame, shared: dict, panel=None):
    """The pipeline's own study of one partition: (EventStudyResult, Study or None, timed part)."""
    settings = dict(job.settings)
    if shared.get("factors") is not None:
        settings["factors"] = shared["factors"]
    source = BroadcastSource(job.source, shared["frames"], shared["failed"])
    if panel is None:
        source.prefetch(str(t).strip() for t in part["ticker"].dropna())
    if job.kind == "study":
        study = job.steps.run_study(part, source=source, progress=False, subjects_only=False,
                                    other_dates=shared.get("other_dates"), **settings)
        return study.result, study, study.events
    if job.time and "day0" not in part.columns:
        part = job.steps.prepare_events(part, policy=settings.get("policy", DEFAULT_POLICY),
                                        subjects_only=False)
    if panel is None:
        tickers = engine_events(part)
        frames, failed = load_frames(source, list(tickers["ticker"].dropna()) + list(tickers["market"].dropna()))
        settings["load_errors"] = failed
        settings.setdefault("source_name", source.name)
        panel = _panel(frames, job.min_rows)
        if panel.empty:
            panel = pd.DataFrame(np.nan, index=pd.date_range("2000-01-03", periods=max(job.min_rows, 1)),
                                 columns=["(none)"])
    result = job.steps.run_event_study(part, **{job.panel_kind or "prices": panel}, **settings)
    return result, None, part


def _codes(job: Job, arrays) -> dict[str, np.ndarray]:
    n = arrays.n
    out = {"all": np.zeros(n, dtype=np.intp)}
    labels = arrays.groups
    if job.groups:
        out["group"] = np.array([job.groups.get(v, -1) if pd.notna(v) else -1 for v in labels]
                                if labels is not None else np.full(n, -1), dtype=np.intp)
    return out


def _sizes(job: Job, grouping: str) -> int:
    return 1 if grouping == "all" else job.g


def _write(frame: pd.DataFrame, folder: Path, index: int) -> int:
    """One partition's table as ``folder/part-NNNNN.parquet`` (temporary file, then renamed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / f"part-{index:05d}.parquet"
    tmp = folder / f".part-{index:05d}.parquet.{os.getpid()}.tmp"
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return len(frame)


def _tables(job: Job, result, study) -> dict[str, pd.DataFrame]:
    tables = {"diagnostics": result.diagnostics, "abnormal_returns": result.abnormal_returns,
              "car": result.cars(job.windows)}
    if study is not None:
        tables["events"] = study.events
    return {k: v for k, v in tables.items() if k in job.tables}


# Partition results kept on their worker between the two rounds, up to a byte budget per worker
# process; a partition that does not fit is studied again in round 2 (memory stays bounded).
_KEPT: dict = {}


def _result_bytes(result) -> int:
    """About the memory of a partition's result (its arrays and the engine's series)."""
    a, est = result.arrays, result.estimates
    arrays = [a.est_ar, a.evt_ar, a.evt_ar_sd, est.series.stock, est.series.market, est.series.dates,
              est.prediction.dev_cum, est.prediction.ar_var]
    return int(1.3 * sum(getattr(x, "nbytes", 0) for x in arrays))


def _keep(job: Job, index: int, result) -> bool:
    if not job.keep_bytes:
        return False
    from dask.distributed import get_worker

    try:
        worker = get_worker()                  # ValueError when not run by a worker
        budget = min(job.keep_bytes, (worker.memory_manager.memory_limit or 4 * job.keep_bytes) // 4)
    except (ValueError, AttributeError):
        return False
    size = _result_bytes(result)
    if sum(b for _, b in _KEPT.values()) + size > budget:
        return False
    _KEPT[(job.run_id, index)] = (result, size)
    return True


def _kept(job: Job, index: int):
    hit = _KEPT.pop((job.run_id, index), None)
    return None if hit is None else hit[0]


def _forget(run_id: str) -> None:
    """Drop whatever a run left on this worker (run on every worker at the end of a run)."""
    for key in [k for k in _KEPT if k[0] == run_id]:
        del _KEPT[key]


def _worker_address() -> str | None:
    from dask.distributed import get_worker

    try:
        return get_worker().address
    except ValueError:                         # not run by a worker
        return None


def _first_positions(diag: pd.DataFrame) -> dict:
    """Each skip reason (as :meth:`EventStudyResult.skipped_reasons` words it) and the position
    of its first event: ties of the counts keep the input order, as ``value_counts`` does."""
    skipped = (diag["status"] == "skipped").to_numpy()
    prefix = diag["reason"].astype(str)[skipped].str.split(":").str[0]
    pos = np.flatnonzero(skipped)
    out: dict = {}
    for p, r in zip(pos, prefix):
        out.setdefault(r, int(p))
    return out


def _warned(diag: pd.DataFrame) -> dict:
    """The studied events with data warnings (analysis.core.checks): how many, the first four
    (event, details, position) and the count of each code with its first position."""
    if "warnings" not in diag:
        return {"n": 0, "rows": [], "codes": {}}
    hit = ((diag["status"] == "ok") & (diag["warnings"] != "")).to_numpy()
    pos = np.flatnonzero(hit)
    rows = [(e, str(d), int(p)) for e, d, p in zip(diag["event_id"].to_numpy()[pos][:4],
                                                     diag["warning_details"].to_numpy()[pos][:4], pos[:4])]
    codes: dict = {}
    for p, text in zip(pos, diag["warnings"].to_numpy()[pos]):
        for code in str(text).split(","):
            n, first = codes.get(code, (0, int(p)))
            codes[code] = (n + 1, first)
    return {"n": int(hit.sum()), "rows": rows, "codes": codes}


class EventValues(NamedTuple):
    """What a partition sends back per studied event and window (in its studied order): the
    CAR (Wilcoxon, the summary's median; NaN when not computable), whether the event is tested,
    its SCAR and the calendar date the window starts (days since 1970; 0 when not tested): the
    skewness-corrected t, the jackknife (one cluster per start date) and the resampling tests
    (:func:`analysis.core.partials.gathered_tests`). 25 bytes per event and window."""

    car: np.ndarray
    keep: np.ndarray
    scar: np.ndarray
    start: np.ndarray

    @classmethod
    def of(cls, arrays, window, t: "partials.Tested") -> "EventValues":
        n = arrays.n
        car = np.full(n, np.nan)
        with np.errstate(invalid="ignore"):
            car[:] = np.asarray(arrays.evt_ar, float)[:, arrays.columns(*window)].sum(axis=1)
        keep = np.zeros(n, dtype=bool)
        keep[t.rows] = True
        scar = np.full(n, np.nan)
        scar[t.rows] = t.scar
        start = np.zeros(n, dtype=np.int64)
        if len(t.rows):
            start[t.rows] = np.asarray(arrays.evt_dates[t.rows, t.cols.start])
        return cls(car, keep, scar, start)

    @classmethod
    def ordered(cls, parts: list, order: np.ndarray) -> "EventValues":
        """The partitions' values side by side, then in the single-process order."""
        if not parts:
            return cls(np.zeros(0), np.zeros(0, bool), np.zeros(0), np.zeros(0, np.int64))
        return cls(*(np.concatenate(x)[order] for x in zip(*parts)))


def first_round(job: Job, index: int, part: pd.DataFrame, shared: dict, panel=None, notes=None) -> dict:
    """Round 1 on one partition: the study, its sums and its per-event tables. ``notes``: the
    sample's same_company / clustered notes of this partition's studied events when they differ
    from those judged before the run (:func:`_notes_of_the_studied`); the result is not kept."""
    if notes is not None:
        job = replace(job, settings={**job.settings, "cluster_notes": notes}, keep_bytes=0)
    result, study, timed = _study(job, part, shared, panel)
    a = result.arrays
    codes = _codes(job, a)
    diag = result.diagnostics
    skipped = diag[diag["status"] == "skipped"]
    out = {"index": index, "n_given": len(diag), "n_ok": a.n, "k": a.k, "settings": result.settings,
           "shapes": (np.shape(a.est_ar)[1], np.shape(a.evt_ar)[1]),
           "reasons": result.skipped_reasons(), "reason_first": _first_positions(diag),
           "warned": _warned(diag),
           "skipped": skipped[["event_id", "ticker", "reason"]].head(11).assign(
               position=np.flatnonzero((diag["status"] == "skipped").to_numpy())[:11]),
           "first_ok": {}, "aar": {}, "sums": {}, "cars": {}, "group_codes": codes.get("group"),
           "selected": np.asarray(result.status.selected),
           "kept": _keep(job, index, result), "worker": _worker_address(),
           "ids": np.asarray(a.event_ids, dtype=object)}
    if "group" in codes:
        sel = out["selected"]
        for c in np.unique(codes["group"][codes["group"] >= 0]):
            out["first_ok"][int(c)] = int(sel[np.argmax(codes["group"] == c)])
    for grouping, c in codes.items():
        out["aar"][grouping] = partials.AarSums.of(a, c, _sizes(job, grouping))
    medians = partials.row_medians(a)            # the Corrado-Zivney signs' centres, once
    for w in job.windows:
        ws = None
        for grouping, c in codes.items():
            t = partials.tested(a, w, c)
            out["sums"][(w, grouping)] = partials.window_sums(a, t, _sizes(job, grouping), medians)
            if grouping == "all":
                ws = t
        out["cars"][w] = EventValues.of(a, w, ws)
    if study is not None:
        out.update(quality=study.quality, limits=study.limits, failed=study.failed)
    if job.kind == "study" or job.time:
        out["timed"] = timed
    tables = _tables(job, result, study)
    if job.out:
        out["rows"] = {name: _write(frame, Path(job.out) / name, index) for name, frame in tables.items()}
    else:
        out["tables"] = tables
    return out


def second_round(job: Job, index: int, part: pd.DataFrame, shared: dict, plan: dict, panel=None) -> dict:
    """Round 2 on one partition (studied again): rank sums with the sample's sd of SCAR and the
    residuals of the small groups (exact r-bar)."""
    result = _kept(job, index)
    if result is None:
        result, _, _ = _study(job, part, shared, panel)
    a = result.arrays
    codes = _codes(job, a)
    out = {"index": index, "ranks": {}, "small": {}}
    for w in job.windows:
        for grouping, c in codes.items():
            g = _sizes(job, grouping)
            t = partials.tested(a, w, c)
            out["ranks"][(w, grouping)] = partials.rank_sums(a, t, g, plan["scar_var"][(w, grouping)])
            pick = plan["small"][(w, grouping)][t.codes]
            if pick.any():
                dates = np.asarray(a.est_dates[t.rows[pick]])
                out["small"][(w, grouping)] = (t.est_ar[pick], dates, t.codes[pick])
    return out


# --------------------------------------------------------------------------------------------
# running the rounds on the cluster


def _ordered_fold(futures, fold, progress: bool, desc: str):
    """Results of ``futures`` folded in partition order as they complete (sums added in the
    same order on every run); remaining tasks are cancelled when one fails."""
    from dask.distributed import as_completed
    from ..config import progress as tqdm

    pending: dict[int, Any] = {}
    order = {f.key: i for i, f in enumerate(futures)}
    nxt = 0
    bar = tqdm(total=len(futures), desc=desc, unit="partition", disable=not progress)
    try:
        for fut in as_completed(futures):
            res = fut.result()
            fut.release()
            pending[order[fut.key]] = res
            bar.update(1)
            while nxt in pending:
                fold(pending.pop(nxt))
                nxt += 1
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    finally:
        bar.close()


def _pin(worker: str | None) -> dict:
    """Round 2 of a partition goes to the worker that kept its result (another worker, free
    first, studies it again)."""
    return {} if worker is None else {"workers": [worker], "allow_other_workers": True}


def _prepare_out(out, tables) -> Path:
    """The output folder: one sub-folder per table; part files of an earlier run are removed,
    a folder holding anything else is refused (never lose a user's file)."""
    root = Path(out).expanduser()
    for name in tables:
        folder = root / name
        if folder.exists():
            if not folder.is_dir():
                raise InputError(f"{folder} exists and is not a folder")
            foreign = [p.name for p in folder.iterdir() if not (_PART.match(p.name) or p.name == _MANIFEST
                                                                 or p.name.startswith(".part-"))]
            if foreign:
                raise InputError(f"{folder} holds files this program did not write ({foreign[0]}): "
                                 f"choose another --out folder")
            for p in folder.iterdir():
                p.unlink()
        folder.mkdir(parents=True, exist_ok=True)
    return root


def _write_manifest(root: Path, name: str, rows: list[int]) -> None:
    folder = root / name
    payload = {"table": name, "format": "parquet dataset, one file per partition",
               "parts": [f"part-{i:05d}.parquet" for i in range(len(rows))], "rows": rows,
               "total_rows": int(sum(rows))}
    tmp = folder / f".{_MANIFEST}.tmp"
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / _MANIFEST)


@dataclass
class _Totals:
    """The client's running totals of round 1."""

    n_given: int = 0
    n_ok: int = 0
    k: int | None = None
    settings: dict | None = None
    shapes: tuple | None = None
    reasons: list = field(default_factory=list)
    reason_first: dict = field(default_factory=dict)
    warned_n: int = 0
    warned_rows: list = field(default_factory=list)
    warned_codes: dict = field(default_factory=dict)
    warned_parts: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    first_ok: dict = field(default_factory=dict)
    aar: dict = field(default_factory=dict)
    sums: dict = field(default_factory=dict)
    cars: dict = field(default_factory=dict)
    group_codes: list = field(default_factory=list)
    quality: list = field(default_factory=list)
    limits: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    timed: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    selected: list = field(default_factory=list)
    ids: list = field(default_factory=list)
    where: dict = field(default_factory=dict)
    kept: int = 0


def _fold_counts(tot: _Totals, res: dict) -> None:
    """Round 1, one partition: counts, settings and skip reasons."""
    tot.n_given += res["n_given"]
    tot.n_ok += res["n_ok"]
    if tot.settings is None or (tot.n_ok and res["n_ok"] and tot.k is None):
        tot.settings = res["settings"]
    if res["n_ok"] and tot.k is None:
        tot.k = res["k"]
    tot.shapes = tot.shapes or res["shapes"]
    tot.reasons.append(res["reasons"])


def _fold_positions(tot: _Totals, res: dict, base: np.ndarray) -> None:
    """Round 1, one partition: warnings, first positions and selections, as rows of the events
    table (``base``: the partition's rows)."""
    tot.warned_parts[res["index"]] = (res["warned"], base)
    for r, p in res["reason_first"].items():
        tot.reason_first[r] = min(tot.reason_first.get(r, np.iinfo(np.int64).max), int(base[p]))
    tot.skipped.append(res["skipped"].assign(position=base[res["skipped"]["position"].to_numpy()]))
    for c, pos in res["first_ok"].items():
        tot.first_ok[c] = min(tot.first_ok.get(c, np.iinfo(np.int64).max), int(base[pos]))
    tot.selected.append(base[res["selected"]])


def _sum_warned(tot: _Totals) -> None:
    """The warned events of all partitions (counts, first rows, codes with first positions)."""
    tot.warned_n, tot.warned_rows, tot.warned_codes = 0, [], {}
    for i in sorted(tot.warned_parts):
        w, base = tot.warned_parts[i]
        tot.warned_n += w["n"]
        tot.warned_rows += [(e, d, int(base[p])) for e, d, p in w["rows"]]
        for code, (n, p) in w["codes"].items():
            n0, p0 = tot.warned_codes.get(code, (0, np.iinfo(np.int64).max))
            tot.warned_codes[code] = (n0 + n, min(p0, int(base[p])))


def _notes_of_the_studied(job: Job, tot: _Totals, rows) -> dict[int, dict]:
    """``{partition: the notes of its studied events}`` for the partitions whose same_company /
    clustered notes change once the studied events are known. The notes are facts of the
    sample the tests pool (:func:`analysis.core.pipeline.cluster_notes_of` over the studied
    events, as one process judges them); before the run they were judged on every timed event,
    and an event that is then skipped (no prices, too short a history) is no partner of another
    and no member of the clustered share."""
    before = job.settings.get("cluster_notes")
    if job.kind != "study" or before is None or not tot.timed or not tot.ids:
        return {}
    timed = pd.concat(tot.timed, ignore_index=True).iloc[np.argsort(np.concatenate(rows), kind="stable")]
    studied = set(np.concatenate(tot.ids).tolist())
    sample = timed[timed["event_id"].isin(list(studied)).to_numpy()].reset_index(drop=True)
    if len(sample) == len(timed):
        return {}          # every timed event studied: the same sample the notes were judged on
    after = job.steps.cluster_notes_of(sample, job.settings["event_window"])
    changed = {}
    for i, ids in enumerate(tot.ids):
        now = {e: after[e] for e in ids.tolist() if e in after}
        if now != {e: before[e] for e in ids.tolist() if e in before}:
            changed[i] = now
    return changed


def _fold_sums(tot: _Totals, res: dict) -> None:
    """Round 1, one partition: the mergeable sums (AAR, tests) and the gathered CARs."""
    for key, value in res["aar"].items():
        tot.aar[key] = value if key not in tot.aar else tot.aar[key] + value
    for key, value in res["sums"].items():
        tot.sums[key] = value if key not in tot.sums else tot.sums[key] + value
    for w, value in res["cars"].items():
        tot.cars.setdefault(w, []).append(value)
    tot.group_codes.append(res["group_codes"])


def _fold_tables(tot: _Totals, res: dict, i: int) -> None:
    """Round 1, one partition: where its result is kept, its tables and its side frames."""
    tot.where[i] = res["worker"] if res["kept"] else None
    tot.kept += bool(res["kept"])
    tot.ids.append(res["ids"])
    for name in ("quality", "limits"):
        if res.get(name) is not None and len(res[name]):
            getattr(tot, name).append(res[name])
    for s, r in (res.get("failed") or {}).items():
        tot.failed.setdefault(s, r)
    if res.get("timed") is not None:
        tot.timed.append(res["timed"])
    for name, frame in (res.get("tables") or {}).items():
        tot.tables.setdefault(name, []).append(frame)
    for name, n in (res.get("rows") or {}).items():
        tot.rows.setdefault(name, []).append(n)


def _execute(job: Job, parts: list[pd.DataFrame], rows: list[np.ndarray], client, shared: dict,
             panels: list | None, progress: bool) -> tuple["DistributedResult", _Totals]:
    import uuid

    root = _prepare_out(job.out, job.tables) if job.out else None
    if root is not None:
        job.out = str(root)
    job.run_id = uuid.uuid4().hex
    # the job (with its source, whose memo may hold frames) and the broadcast data: once per worker
    shared_f, job_f = client.scatter([shared, job], broadcast=True, hash=False)
    panels = panels or [None] * len(parts)
    tot = _Totals()

    def fold1(res):
        i = res["index"]
        _fold_counts(tot, res)
        _fold_positions(tot, res, rows[i])
        _fold_sums(tot, res)
        _fold_tables(tot, res, i)

    futures = [client.submit(first_round, job_f, i, part, shared_f, panel, pure=False)
               for i, (part, panel) in enumerate(zip(parts, panels))]
    _ordered_fold(futures, fold1, progress, "dask round 1")
    _restudy_with_notes(job, tot, parts, rows, panels, client, shared_f, job_f, progress)
    _sum_warned(tot)
    if root is not None:
        for name, counts in tot.rows.items():
            _write_manifest(root, name, counts)

    plan = {"scar_var": {}, "small": {}}
    for key, w in tot.sums.items():
        plan["scar_var"][key] = w.scar.var()
        plan["small"][key] = partials.small_groups(w.n)
    ranks: dict = {}
    small: dict = {}

    def fold2(res):
        for key, value in res["ranks"].items():
            ranks[key] = value if key not in ranks else ranks[key] + value
        for key, value in res["small"].items():
            small.setdefault(key, []).append(value)

    if tot.n_ok:
        timed = tot.timed if tot.timed else [None] * len(parts)
        futures = [client.submit(second_round, job_f, i, part if t is None else t, shared_f, plan, panel,
                                 pure=False, **_pin(tot.where.get(i)))
                   for i, (part, t, panel) in enumerate(zip(parts, timed, panels))]
        try:
            _ordered_fold(futures, fold2, progress, "dask round 2")
        finally:
            with contextlib.suppress(Exception):
                client.run(_forget, job.run_id)
    shared_f.release()
    job_f.release()
    return DistributedResult._build(job, tot, ranks, small, rows, root), tot


def _restudy_with_notes(job: Job, tot: _Totals, parts, rows, panels, client, shared_f, job_f,
                        progress: bool) -> None:
    """Round 1 again for the partitions whose sample notes change once the studied events are
    known (:func:`_notes_of_the_studied`): their per-event tables (gathered, or their parquet
    files under ``out``, rewritten) and warning counts are replaced; the numbers, which the
    notes do not touch, are the first run's."""
    changed = _notes_of_the_studied(job, tot, rows)
    if not changed:
        return
    timed = tot.timed if len(tot.timed) == len(parts) else [None] * len(parts)

    def refold(res):
        i = res["index"]
        tot.warned_parts[i] = (res["warned"], rows[i])
        for name, frame in (res.get("tables") or {}).items():
            tot.tables[name][i] = frame

    futures = [client.submit(first_round, job_f, i, parts[i] if timed[i] is None else timed[i], shared_f,
                             panels[i], notes=notes, pure=False) for i, notes in changed.items()]
    _ordered_fold(futures, refold, progress, "dask round 1, sample notes")


# --------------------------------------------------------------------------------------------
# the result


class DistributedResult:
    """The result of a distributed run: the statistics of :class:`EventStudyResult` (tests,
    AAR/CAAR, summary) finished on the client from the partitions' sums, and the per-event
    tables either gathered (no ``out``) or written as parquet datasets under ``out`` and read
    only when asked (:meth:`cars`, :attr:`abnormal_returns`, :attr:`diagnostics`)."""

    def __init__(self, settings, windows, groups, tests, aar, values, group_codes, reasons, skipped, n_given,
                 n_ok, tables=None, output: Path | None = None):
        self.settings = settings
        self.windows = list(windows)
        self._groups = groups              # [(label, code)] in order of first studied event
        self._tests = tests                # {(window, grouping): {test: TestResult}} from the sums
        self._aar = aar                    # {grouping: AarSums}
        self._values = values              # {window: EventValues of all studied events, single-process order}
        self._group_codes = group_codes    # their group codes (-1: no group), None without groups
        self._gathered: dict = {}          # {(window, grouping, draws, seed): gathered_tests}
        self._reasons = reasons
        self._skipped = skipped            # the skipped events when at most 10
        self.n_given, self.n_ok = n_given, n_ok
        self._tables = tables
        self.output = output
        self._warning_lines: list[str] = []

    @classmethod
    def _build(cls, job: Job, tot: _Totals, ranks, small, rows, root):
        le, lw = tot.shapes
        k = tot.k if tot.k is not None else 0
        # the studied events in the single-process order (their rows in the events table): the
        # resampling tests give the i-th event of a group the i-th sign of each draw
        order = np.argsort(np.concatenate(tot.selected), kind="stable") if tot.selected else np.zeros(0, np.intp)
        values = {w: EventValues.ordered(parts, order) for w, parts in tot.cars.items()}
        group_codes = np.concatenate(tot.group_codes)[order] if job.groups else None
        tests = {}
        for (w, grouping), sums in tot.sums.items():
            g = len(sums.n)
            r = ranks.get((w, grouping))
            if r is None:
                r = partials.RankSums(np.zeros((g, le + lw)), np.zeros((g, le + lw)),
                                      np.zeros((g, le + 1)), np.zeros((g, le + 1)))
            parts = small.get((w, grouping), [])
            gathered = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                        np.concatenate([p[2] for p in parts])) if parts else None
            rbar = partials.rbar_of(sums.calendar, sums.n, gathered)
            v = values[w]
            codes = _grouping_codes(grouping, len(v.car), group_codes)
            keep = v.keep & (codes >= 0)
            cols = columns(job.event_window, *w)
            tests[(w, grouping)] = partials.finish_tests(sums, r, rbar, k, cols, v.car[keep], codes[keep])
        code_of = {c: label for label, c in job.groups.items()}
        groups = [(code_of[c], c) for c, _ in sorted(tot.first_ok.items(), key=lambda x: x[1])]
        reasons = pd.concat(tot.reasons).groupby(level=0, sort=False).sum() if tot.reasons \
            else pd.Series(dtype=int)
        reasons = reasons.iloc[np.argsort([tot.reason_first.get(r, 0) for r in reasons.index], kind="stable")]
        reasons = reasons.sort_values(ascending=False, kind="stable")
        if len(tot.reasons):
            reasons = reasons.rename_axis(tot.reasons[0].index.name).rename(tot.reasons[0].name)
            reasons.index = reasons.index.astype(tot.reasons[0].index.dtype)
        skipped = pd.concat(tot.skipped, ignore_index=True).sort_values("position", kind="stable")
        tables = None
        if not job.out:
            tables = _ordered_tables(tot, rows, job.windows)
        settings = dict(tot.settings or {})
        settings["dask"] = {"partitions": len(rows), "output": None if root is None else str(root)}
        out = cls(settings, job.windows, groups, tests, tot.aar, values, group_codes, reasons, skipped,
                  tot.n_given, tot.n_ok, tables, root)
        out._warning_lines = _warning_lines(tot)
        return out

    # ---------------------------------------------------------------------------- lookups
    @property
    def n_skipped(self) -> int:
        return self.n_given - self.n_ok

    @property
    def groups(self) -> list:
        """The events' groups (missing groups left out), in order of appearance."""
        return [label for label, _ in self._groups]

    def _grouping(self, group) -> tuple[str, int]:
        if group is None:
            return "all", 0
        for label, code in self._groups:
            if label == group:
                return "group", code
        if not self._groups:
            raise InputError(f"group {group!r} asked for, but the events have no 'group' column")
        raise InputError(f"no studied event in group {group!r} (groups: {', '.join(map(str, self.groups))})")

    def _window(self, window) -> tuple[int, int]:
        (t1, t2), = car_windows([window], self.settings["event_window"])
        if (t1, t2) not in self.windows:
            raise InputError(f"window [{t1}, {t2}] was not computed in this distributed run (windows: "
                             f"{', '.join(f'[{a}, {b}]' for a, b in self.windows)}); pass windows=[...]")
        return t1, t2

    def skipped_reasons(self) -> pd.Series:
        """How many events were skipped for each reason (the reason text up to its first colon)."""
        return self._reasons.copy()

    # ---------------------------------------------------------------------------- statistics
    def tests(self, window=(0, 0), group=None, adjust: str | None = None, *, family: str = "test",
              draws: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> pd.DataFrame:
        """Every cross-event test over ``window`` (one of :attr:`windows`), as
        :meth:`EventStudyResult.tests` (``adjust``, ``family``, ``draws``, ``seed`` too): the
        tests of sums finished in the run, the skewness-corrected t, the jackknife and the
        resampling tests finished here from the gathered CARs and SCARs (the same numbers, and
        with the same seed the same draws, as the single-process run)."""
        if _many_windows(window) or isinstance(group, (list, tuple)):
            return self.tests_table(window if _many_windows(window) else [window],
                                    group if isinstance(group, (list, tuple)) else [group],
                                    adjust=adjust, family=family, draws=draws, seed=seed)
        w = self._window(window)
        grouping, j = self._grouping(group)
        key = (w, grouping, int(draws), int(seed))
        if key not in self._gathered:
            v = self._values[w]
            codes = _grouping_codes(grouping, len(v.car), self._group_codes)
            pick = v.keep & (codes >= 0)
            g = len(self._tests[(w, grouping)]["csect_t"].n_events)
            self._gathered[key] = partials.gathered_tests(v.car[pick], v.scar[pick], v.start[pick], codes[pick],
                                                          g, int(draws), int(seed))
        out = _frame({**self._tests[(w, grouping)], **self._gathered[key]}, j)
        if adjust is not None:
            out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted",
                       _adjusted(out.index.to_numpy(), out["p_value"], adjust, family))
        return out

    #: long frame ``group, test, statistic, p_value, n_events``: all events, then each group
    tests_by_group = EventStudyResult.tests_by_group

    def tests_table(self, windows=None, groups=None, adjust: str | None = None, *, family: str = "test",
                    **resampling) -> pd.DataFrame:
        """Every test for each window and group (default: :attr:`windows`, all events and each
        group), as :meth:`EventStudyResult.tests_table`."""
        windows = self.windows if windows is None else [self._window(w) for w in windows]
        return tests_table(self, windows, groups, adjust, family=family, **resampling)

    def aar(self, window=None, group=None) -> pd.DataFrame:
        """AAR and CAAR by relative day with 95% bands, as :meth:`EventStudyResult.aar`."""
        from scipy import stats

        grouping, j = self._grouping(group)
        sums = self._aar[grouping]
        evt = self.settings["event_window"]
        lo, hi = evt if window is None else car_windows([window], evt)[0]
        c = columns(evt, lo, hi)
        n = sums.evt_cnt[j, c]
        with np.errstate(invalid="ignore", divide="ignore"):
            aar = sums.evt_sum[j, c] / n
        sd, dof = partials.cda_sd_from_sums(sums.est_sum[j:j + 1], sums.est_cnt[j:j + 1])
        sd, dof = float(sd[0]), int(max(dof[0], 0))
        days = np.arange(1, len(aar) + 1)
        caar = np.cumsum(aar)
        caar_se = sd * np.sqrt(days)
        q = stats.t.ppf(0.975, dof) if dof > 0 else np.nan
        return pd.DataFrame({
            "relative_day": np.arange(lo, hi + 1), "n": n.astype(np.int64), "aar": aar, "aar_se": sd,
            "aar_lo": aar - q * sd, "aar_hi": aar + q * sd,
            "caar": caar, "caar_se": caar_se, "caar_lo": caar - q * caar_se, "caar_hi": caar + q * caar_se,
        })

    # ---------------------------------------------------------------------------- per-event tables
    def table(self, name: str) -> pd.DataFrame:
        """A per-event table (``diagnostics``, ``abnormal_returns``, ``car``) in one frame: the
        gathered one, or the parquet dataset read from ``out`` (rows grouped by partition)."""
        if self._tables is not None:
            if name not in self._tables:
                raise InputError(f"no {name!r} table in this run")
            return self._tables[name].copy()
        folder = self.output / name
        if not folder.is_dir():
            raise InputError(f"no {name!r} table was written ({folder} is missing)")
        return pd.read_parquet(folder)

    @property
    def diagnostics(self) -> pd.DataFrame:
        return self.table("diagnostics")

    @property
    def abnormal_returns(self) -> pd.DataFrame:
        return self.table("abnormal_returns")

    def cars(self, windows=None) -> pd.DataFrame:
        """CAR of every event over each window (:meth:`EventStudyResult.cars`)."""
        wanted = [self._window(w) for w in car_windows(windows, self.settings["event_window"])]
        table = self.table("car")
        pick = pd.Series(list(zip(table["window_start"], table["window_end"]))).isin(wanted).to_numpy()
        frame = table[pick]
        order = {w: i for i, w in enumerate(wanted)}
        key = [order[(a, b)] for a, b in zip(frame["window_start"], frame["window_end"])]
        return frame.assign(_w=key).sort_values("_w", kind="stable").drop(columns="_w").reset_index(drop=True)

    # ---------------------------------------------------------------------------- text
    def summary(self, windows=None) -> str:
        """The text of :meth:`EventStudyResult.summary` for a sample, from the gathered CARs."""
        s = self.settings
        lines = [f"Event study: {s['model']} model ({s.get('model_description', '')}), {s['returns_kind']} returns",
                 f"Estimation window {list(s['estimation_window'])}, event window {list(s['event_window'])} "
                 f"(trading days relative to day 0); minimum {s['min_estimation_obs_used']} estimation returns"]
        if s.get("source_name"):
            lines.append(f"Data: {s['source_name']}")
        lines.append(f"Events: {self.n_given} given, {self.n_ok} studied, {self.n_skipped} skipped")
        if self.n_skipped:
            if self.n_given == 1 or self.n_skipped <= 10:
                for r in self._skipped.itertuples():
                    lines.append(f"  skipped {r.event_id} ({ticker_text(r.ticker)}): {r.reason}")
            else:
                for reason, count in self._reasons.items():
                    lines.append(f"  {count:6d} skipped: {reason}")
        lines += self._warning_lines
        if self.n_ok == 0:
            return "\n".join(lines)
        wanted = [self._window(w) for w in car_windows(windows, s["event_window"])]
        lines += ["", "  CAR window   mean CAR  median CAR   share > 0     N"]
        for t1, t2 in wanted:
            car = pd.Series(self._values[(t1, t2)].car)
            lines.append(f"  {f'[{t1}, {t2}]':10s} {car.mean():10.4f} {car.median():11.4f} "
                         f"{(car > 0).mean():11.2f} {len(car):5d}")
        for t1, t2 in wanted[:1]:
            tests = self.tests((t1, t2))
            lines += ["", f"  Tests over [{t1}, {t2}]      statistic    p-value     N"
                      f"   (other windows: result.tests(window), tests.csv)"]
            for name, r in tests.iterrows():
                lines.append(f"  {name:24s} {r['statistic']:10.3f} {r['p_value']:10.4f} {int(r['n_events']):5d}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.settings
        return (f"<DistributedResult {s.get('model')} model, {self.n_ok} events studied, "
                f"{self.n_skipped} skipped, {s['dask']['partitions']} partitions>")


def _grouping_codes(grouping: str, n: int, group_codes) -> np.ndarray:
    """Each studied event's code in a grouping: 0 for all events, else its group's (-1: none)."""
    return np.zeros(n, dtype=np.intp) if grouping == "all" else np.asarray(group_codes, np.intp)


def _warning_lines(tot: _Totals) -> list[str]:
    """The summary's warning lines, as :meth:`EventStudyResult._warning_lines` words them."""
    if not tot.warned_n:
        return []
    rows = sorted(tot.warned_rows, key=lambda r: r[2])
    if tot.warned_n == 1 and tot.n_given == 1:
        return ["Warnings:"] + [f"  {part}" for part in rows[0][1].split("; ")]
    if tot.warned_n <= 3:
        return ["Warnings:"] + [f"  {e}: {part}" for e, d, _ in rows for part in d.split("; ")]
    codes = sorted(tot.warned_codes.items(), key=lambda kv: kv[1][1])
    codes = sorted(codes, key=lambda kv: -kv[1][0])
    return ["Warnings (events studied with each; details in diagnostics):"] + \
        [f"  {n:6d} {code}" for code, (n, _) in codes]


def _ordered_tables(tot: _Totals, rows, windows) -> dict[str, pd.DataFrame]:
    """The gathered per-event tables in input order, as the single-process run gives them."""
    positions = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    studied = pd.Series(np.concatenate(tot.selected) if tot.selected else np.zeros(0, np.int64),
                        index=np.concatenate(tot.ids) if tot.ids else np.zeros(0, object))
    out = {}
    for name, frames in tot.tables.items():
        frame = pd.concat(frames, ignore_index=True)
        if name in ("diagnostics", "events"):
            order = np.argsort(positions, kind="stable")
        else:
            pos = studied.reindex(frame["event_id"].to_numpy()).to_numpy()
            if name == "car":
                w_of = {w: i for i, w in enumerate(windows)}
                order = np.lexsort((pos, [w_of[(a, b)] for a, b in zip(frame["window_start"], frame["window_end"])]))
            else:
                order = np.argsort(pos, kind="stable")
        out[name] = frame.iloc[order].reset_index(drop=True)
    return out


# --------------------------------------------------------------------------------------------
# entry points (called by analysis.core.pipeline)


@dataclass
class DistributedStudy:
    """What :func:`analysis.core.pipeline.run_study` gives on a cluster (the fields of its
    ``Study`` that make sense without the prices on the client): the result, the timed events,
    the symbols that failed to load, the price-quality findings, the limit days and the
    sample's warnings."""

    result: DistributedResult
    events: pd.DataFrame
    failed: dict[str, str]
    quality: pd.DataFrame | None
    limits: pd.DataFrame | None
    warnings: list[str]
    source_name: str | None = None
    left_out: pd.DataFrame | None = None       # rows that are not listed subjects, and why

    @property
    def diagnostics(self) -> pd.DataFrame:
        return self.result.diagnostics

    def __repr__(self) -> str:
        return (f"<DistributedStudy: {self.result.n_ok} of {len(self.events)} events studied, "
                f"{self.result.settings['dask']['partitions']} partitions, {len(self.warnings)} warnings>")


def _options(windows, partition_events, tables, evt):
    windows = car_windows(windows, evt)
    size = PARTITION_EVENTS if partition_events is None else int(partition_events)
    if size < 1:
        raise InputError(f"partition_events must be at least 1, got {partition_events!r}")
    tables = tuple(tables)
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise InputError(f"unknown per-event table {unknown[0]!r} (tables: {', '.join(TABLES)})")
    return windows, size, tables


def _group_codes(values) -> dict:
    labels = pd.unique(pd.Series(np.asarray(values, dtype=object)).dropna().to_numpy(dtype=object))
    return {label: i for i, label in enumerate(labels)}


def _with_markets(table: pd.DataFrame) -> np.ndarray:
    """The market of every row, the exchange's benchmark where none is given."""
    market = table["market"].to_numpy(dtype=object).copy() if "market" in table.columns \
        else np.full(len(table), None, dtype=object)
    tickers = table["ticker"].to_numpy(dtype=object)
    missing = pd.isna(market) | (pd.Series(market, dtype=object).astype("string").str.strip() == "").to_numpy(bool)
    defaults: dict = {}
    for i in np.flatnonzero(missing):
        t = tickers[i]
        if t not in defaults:
            try:
                defaults[t] = default_market(str(t)) if pd.notna(t) else None
            except AnalysisError:
                defaults[t] = None
        market[i] = defaults[t]
    return market


def _shared(source, markets, engine_kwargs, other_dates=None) -> dict:
    """What every worker gets once: the benchmark series, the factor table, exclusions."""
    names = [str(m).strip() for m in pd.unique(pd.Series(markets, dtype=object).dropna())]
    frames, failed = load_frames(source, names) if source is not None else ({}, {})
    if names and source is not None and not frames:
        reasons = "; ".join(f"{s}: {r}" for s, r in list(failed.items())[:3])
        raise EventError(f"no prices for any benchmark of the events ({reasons})")
    return {"frames": frames, "failed": failed, "factors": engine_kwargs.pop("factors", None),
            "other_dates": other_dates}


def run_study_distributed(steps: Pipeline, events: pd.DataFrame, *, client, source=None, prices_dir=None,
                          cache_dir=None, offline=None, policy: str = DEFAULT_POLICY, subjects_only: bool = True,
                          estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
                          other_dates=None, progress: bool = True, windows=None, out=None,
                          partition_events=None, tables=TABLES, keep_bytes=KEEP_BYTES,
                          **engine_kwargs) -> DistributedStudy:
    """:func:`analysis.core.pipeline.run_study` on a cluster (see the module docstring).

    ``windows``: the CAR windows whose tests are computed (default: those of
    :func:`analysis.windows.car_windows`); ``out``: folder for the per-event tables (parquet
    datasets), else they are gathered; ``partition_events``: events per partition;
    ``keep_bytes``: partition results each worker keeps between the rounds (at most a quarter
    of its memory limit; 0: every partition is studied again in round 2).
    """
    est, evt = validate_windows(estimation_window, event_window)
    windows, size, tables = _options(windows, partition_events, tables, evt)
    if source is None:
        source = open_source(prices_dir=prices_dir, cache_dir=cache_dir, offline=offline)
    left_out = (None, None)
    if isinstance(events, pd.DataFrame) and "day0" in events.columns:
        table = events.reset_index(drop=True)
    else:
        # validated here (row numbers of the whole table in messages, ids for every row); each
        # partition is timed on its worker by the pipeline (analysis.core.pipeline.prepare_events)
        table = validate_events(events)
        if subjects_only:
            n_rows = len(table)
            table, dropped = split_subjects(table)
            if table.empty:
                raise InputError(f"no event to study: {left_out_note(dropped, n_rows)}")
            left_out = (left_out_note(dropped, n_rows), dropped)
    shared = _shared(source, _with_markets(table), engine_kwargs, other_dates)
    groups = _group_codes(table["group"]) if "group" in table.columns else {}
    # the sample's same_company / clustered notes are facts of the whole sample, not of a
    # partition: judged here on the events timed on the client (less ticker and day-0
    # duplicates) and handed to every worker; after round 1, when the studied events are known,
    # the partitions whose notes then differ are studied again (_restudy_with_notes)
    notes = steps.cluster_notes_of(steps.prepare_events(table, policy=policy, subjects_only=False), evt)
    settings = dict(policy=policy, estimation_window=est, event_window=evt, cluster_notes=notes, **engine_kwargs)
    job = Job("study", steps, settings, windows, groups, source=source, out=None if out is None else str(out),
              tables=tables, keep_bytes=int(keep_bytes or 0), estimation_window=est, event_window=evt)
    with connect(client) as c:
        rows = partition_rows(table["ticker"], table["company"] if "company" in table.columns else None,
                              size=size, minimum=2 * _n_workers(c))
        parts = [table.iloc[r].reset_index(drop=True) for r in rows]
        result, tot = _execute(job, parts, rows, c, shared, None, progress)
    timed = pd.concat(tot.timed, ignore_index=True).iloc[np.argsort(np.concatenate(rows), kind="stable")] \
        .reset_index(drop=True)
    failed = dict(shared["failed"], **tot.failed)
    symbols = list(dict.fromkeys(pd.concat([timed["ticker"], timed["market"]]).dropna().astype(str).str.strip()))
    rank = {s: i for i, s in enumerate(symbols)}
    failed = dict(sorted(failed.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    warnings = [left_out[0]] if left_out[0] else []
    warnings += [f"{s}: {r}" for s, r in failed.items()]
    diag = result.diagnostics                      # the sample's notes count studied events only
    studied = timed[timed["event_id"].astype(str).isin(diag.loc[diag["status"] == "ok", "event_id"].astype(str))
                    .to_numpy()]
    warnings += steps.sample_warnings(studied, estimation_window=est, event_window=evt, other_dates=other_dates)
    quality = pd.concat(tot.quality, ignore_index=True).drop_duplicates(ignore_index=True) if tot.quality else None
    if quality is not None and "symbol" in quality.columns:
        quality = quality.iloc[np.argsort([rank.get(s, len(rank)) for s in quality["symbol"]], kind="stable")] \
            .reset_index(drop=True)
    limits = pd.concat(tot.limits, ignore_index=True) if tot.limits else None
    return DistributedStudy(result, timed, failed, quality, limits, warnings, getattr(source, "name", None),
                            left_out=left_out[1])


def _with_ids(table: pd.DataFrame, time: bool) -> pd.DataFrame:
    """The event ids the single-process run would give (validate_events / the engine)."""
    if "event_id" in table.columns:
        return table
    width = max(4, len(str(len(table)))) if time else 4
    return table.assign(event_id=[f"e{i + 1:0{width}d}" for i in range(len(table))])


def _panel_slices(panel: pd.DataFrame, rows, tickers: pd.Series, markets) -> list[pd.DataFrame]:
    """Per partition the columns of a given price/return panel its events read."""
    names = {str(x) for x in panel.columns}
    out = []
    for r in rows:
        want = set(map(str, tickers.iloc[r].dropna())) | {str(m) for m in markets[r] if pd.notna(m)}
        out.append(panel[[col for col in panel.columns if str(col) in want & names]])
    return out


def run_event_study_distributed(steps: Pipeline, events: pd.DataFrame, returns=None, *, prices=None, source=None,
                                client, policy: str = DEFAULT_POLICY, progress: bool = True, windows=None,
                                out=None, partition_events=None, tables=TABLES, keep_bytes=KEEP_BYTES,
                                **kwargs) -> DistributedResult:
    """:func:`analysis.core.pipeline.run_event_study` on a cluster: prices from ``source`` (each
    worker reads its tickers) or from a given panel (``returns`` / ``prices``, sliced by
    partition). Other arguments as :func:`run_study_distributed` and ``run_engine``."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"events must be a DataFrame, got {type(events).__name__}")
    given = [name for name, x in (("returns", returns), ("prices", prices), ("source", source)) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one of returns=, prices= and source= (with client=)")
    est, evt = validate_windows(kwargs.pop("estimation_window", DEFAULT_ESTIMATION_WINDOW),
                                kwargs.pop("event_window", DEFAULT_EVENT_WINDOW))
    windows, size, tables = _options(windows, partition_events, tables, evt)
    table = events.reset_index(drop=True)
    time = bool(steps.needs_timing(table))
    table = _with_ids(table, time)
    checked = validate_events(table) if time else engine_events(table)
    markets = _with_markets(checked)
    shared = _shared(source, markets, kwargs)
    groups = _group_codes(checked["group"]) if "group" in checked.columns else {}
    settings = dict(policy=policy, estimation_window=est, event_window=evt, **kwargs)
    panel = returns if returns is not None else prices
    job = Job("event_study", steps, settings, windows, groups, source=source,
              panel_kind=None if panel is None else given[0], time=time,
              out=None if out is None else str(out), tables=tables, keep_bytes=int(keep_bytes or 0),
              estimation_window=est, event_window=evt,
              min_rows=max(est[1] - est[0] + 1, evt[1] - evt[0] + 1))
    with connect(client) as c:
        rows = partition_rows(checked["ticker"], table["company"] if "company" in table.columns else None,
                              size=size, minimum=2 * _n_workers(c))
        parts = [table.iloc[r].reset_index(drop=True) for r in rows]
        panels = None if panel is None else _panel_slices(panel, rows, checked["ticker"], markets)
        result, _ = _execute(job, parts, rows, c, shared, panels, progress)
    return result
