"""The one way through a study: an events table and settings in, a :class:`Study` out.

Every entry point goes through here: ``python -m analysis study | batch | report | notebook``,
the notebooks, :func:`run_event_study` and :func:`study`. The steps, each a function a notebook
can call on its own:

1. :func:`prepare_events` validates the table (:func:`analysis.events.table.validate_events`),
   keeps the listed subjects of an extracted table and places day 0 of every row on its
   listing's exchange calendar (:func:`analysis.events.timing.time_events`: ``announced_at``,
   or ``event_date`` + ``time_of_day``, with the non-trading-day ``policy``);
2. :func:`load_prices` reads each symbol once from the price source; bars without a trade
   (flat, zero volume, close unchanged) count as no trade (``stale="missing"``, the default)
   or as prices (``stale="keep"``);
3. :func:`check_prices` runs the data-quality checks on every series;
4. the engine (:func:`analysis.core.engine.run_engine`) computes returns over the joint dates
   of each (stock, market) pair, checks them (:mod:`analysis.core.checks`: trade-to-trade
   returns, day-0 delays, jumps, gaps, duplicates), fits the model and the abnormal returns;
5. price-limit closes in the event windows (listings with daily limits), the sample's
   contamination and clustering notes and the per-event warnings the engine cannot see
   (``stale``, ``limit_day``, ``foreign_market``, ``factor_region``) are gathered for the
   printed output, the report and the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import quality
from ..data.exchanges import calendar_for, default_market, factor_region_fits, region_of
from ..data.prices import PriceSource
from ..data.sources import MemorySource, open_source
from ..errors import AnalysisError, DataError, EventError, InputError
from ..events.contamination import clustering, limit_flags, overlaps
from ..events.table import has_times, left_out_note, split_subjects, validate_events
from ..events.timing import time_events
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_MEASURE, DEFAULT_POLICY,
                       DEFAULT_STALE, MODEL_NAMES, measure as check_measure, validate_windows)
from .engine import run_engine
from .results import EventStudyResult

_TIMED = ("day0", "timing_error")


@dataclass
class Study:
    """Everything one run of the pipeline produced.

    ``result``: the :class:`~analysis.core.results.EventStudyResult`; ``events``: the events as
    validated and timed (one row per listing, with ``day0`` and ``day0_rule``); ``prices``: each
    symbol's price frame, loaded once (``{symbol: frame}``); ``failed``: symbols that could not be
    loaded and why; ``quality``: the findings of :func:`analysis.data.quality.check_prices` for
    every symbol loaded; ``limits``: event-window days that closed at a daily price limit;
    ``warnings``: notes on the sample (rows left out, loading failures, confounded events,
    clustering); ``left_out``: the rows of an extracted table that are not listed subjects of
    the news (``event_id, ticker, reason``; :func:`analysis.events.table.left_out`), never timed
    nor studied.
    """

    result: EventStudyResult
    events: pd.DataFrame
    prices: dict[str, pd.DataFrame]
    failed: dict[str, str] = field(default_factory=dict)
    quality: pd.DataFrame | None = None
    limits: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    source_name: str | None = None
    left_out: pd.DataFrame | None = None

    @property
    def diagnostics(self) -> pd.DataFrame:
        return self.result.diagnostics

    def source(self) -> PriceSource:
        """The prices this study loaded, as a source (no file is read again)."""
        return MemorySource(self.prices, name=self.source_name or "prices in memory")

    def marks(self, event_id=None):
        """Limit closes to mark on a study figure: ``{event_id: {label: [dates]}}``, or the
        marks of one event (``{}`` when it has none)."""
        marks = limit_marks(self.limits)
        return marks if event_id is None else marks.get(str(event_id), {})

    def __repr__(self) -> str:
        return (f"<Study: {self.result.n_ok} of {len(self.events)} events studied, "
                f"{len(self.prices)} price series, {len(self.warnings)} warnings>")


# --------------------------------------------------------------------------------------------
# the steps


def needs_timing(events: pd.DataFrame) -> bool:
    """True when the table says more than a plain date: an ``announced_at`` time or a
    ``time_of_day``, and it has not been timed yet (no ``day0`` column)."""
    if any(c in events.columns for c in _TIMED):
        return False
    if "input_error" in events.columns and events["input_error"].notna().any():
        return True          # rows kept with a problem are skipped with it by the timing step
    if "announced_at" in events.columns and events["announced_at"].notna().any():
        return True
    if "event_date" in events.columns and has_times(events["event_date"]):
        return True          # an announcement time given as event_date: timed like announced_at
    if "time_of_day" in events.columns:
        tod = events["time_of_day"].astype("string").str.strip().str.lower()
        return bool((tod.notna() & ~tod.isin(["", "unknown"])).any())
    return False


def prepare_events(events: pd.DataFrame, *, policy: str = DEFAULT_POLICY,
                   subjects_only: bool = True) -> pd.DataFrame:
    """Validate, keep the listed subjects (when ``extract``'s columns say which) and time the
    events: the table :func:`analysis.events.timing.time_events` returns. A table that is
    already timed (it has ``day0``) is returned as it is. The rows left out, and why:
    :func:`choose_subjects`."""
    return _prepare(events, policy, subjects_only)[0]


def choose_subjects(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(subjects, left out)`` of a validated table (:func:`analysis.events.table.split_subjects`);
    InputError saying why every row was left out when none is a listed subject."""
    kept, dropped = split_subjects(table)
    if kept.empty:
        raise InputError(f"no event to study: {left_out_note(dropped, len(table))}")
    return kept, dropped


def _prepare(events, policy: str, subjects_only: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(events, pd.DataFrame) and "day0" in events.columns:
        return events, None
    table, dropped = validate_events(events), None
    if subjects_only:
        table, dropped = choose_subjects(table)
    return time_events(table, policy=policy), dropped


def symbols_of(events: pd.DataFrame) -> list[str]:
    """The distinct ticker and market symbols of a (timed) events table, in order."""
    columns = [events[c] for c in ("ticker", "market") if c in events.columns]
    values = pd.concat(columns, ignore_index=True) if columns else pd.Series(dtype=object)
    return [s for s in dict.fromkeys(values.dropna().astype(str).str.strip()) if s]


def load_prices(source: PriceSource, symbols: Iterable[str], *,
                progress: bool = True) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Each symbol read once: ``({symbol: frame}, {symbol: why it failed})``."""
    from ..config import progress as tqdm
    from ..config import threads as config_threads

    symbols = list(dict.fromkeys(symbols))
    frames, failed = {}, {}
    prefetch = getattr(source, "prefetch", None)
    if prefetch is not None:      # a network source downloads them all in one batch, one deadline
        failed.update(prefetch(symbols) or {})
    todo = [s for s in symbols if s not in failed]

    def load(symbol):
        try:
            return source.load(symbol), None
        except DataError as exc:          # unknown ticker, bad file, failed download
            return None, str(exc)

    done: dict = {}
    # as many as the source allows and the threads setting (ANALYSIS_THREADS=1: none) gives
    threads = min(int(getattr(source, "threads", 1) or 1), config_threads(), len(todo))
    with tqdm(total=len(todo), desc="prices", unit="symbol", disable=not progress or len(symbols) < 20) as bar:
        if threads > 1:       # files parsed on threads (the source says how many it allows)
            from concurrent.futures import ThreadPoolExecutor, as_completed
            with ThreadPoolExecutor(threads) as pool:
                jobs = {pool.submit(load, s): s for s in todo}
                for job in as_completed(jobs):        # the bar moves on this thread only
                    done[jobs[job]] = job.result()
                    bar.update()
        else:
            for s in todo:
                done[s] = load(s)
                bar.update()
    for symbol in todo:                 # in the symbols' order, however the threads finished
        frame, why = done[symbol]
        if why is None:
            frames[symbol] = frame
        else:
            failed[symbol] = why
    return frames, failed


def price_panel(frames: Mapping[str, pd.DataFrame], column: str = "Adj Close") -> pd.DataFrame:
    """One column of every frame side by side: dates x symbols, NaN where a symbol has no bar."""
    if not frames:
        return pd.DataFrame()
    dates = {s: pd.DatetimeIndex(f.index) for s, f in frames.items()}
    stamps = {s: d.as_unit("ns").asi8 for s, d in dates.items() if d.tz is None}
    if len(stamps) < len(dates) or any((np.diff(t) <= 0).any() for t in stamps.values()):
        return pd.concat({s: f[column] for s, f in frames.items()}, axis=1, sort=True).astype(float)
    # sorted dates without duplicates (the price layer's frames): each column placed at its dates
    # in the sorted union, one array, not pandas' alignment of every series
    union = np.unique(np.concatenate(list(stamps.values())))
    values = np.full((len(union), len(frames)), np.nan)
    for j, (s, f) in enumerate(frames.items()):
        values[np.searchsorted(union, stamps[s]), j] = f[column].to_numpy(dtype="float64", na_value=np.nan)
    index = pd.DatetimeIndex(union.view("datetime64[ns]"), name=_shared_name(dates.values()))
    return pd.DataFrame(values, index=index, columns=pd.Index(list(frames)))


def _shared_name(indexes):
    """The name of every index when they all have the same one (as pandas' union keeps), else None."""
    names = {i.name for i in indexes}
    return names.pop() if len(names) == 1 else None


def check_prices(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Data-quality findings of every series (:func:`analysis.data.quality.check_prices`)."""
    found = quality.check_many(frames)       # one table built once, not one per series
    return found if len(found) else pd.DataFrame(columns=list(quality.QUALITY_COLUMNS))


def split_suspects(timed: pd.DataFrame, frames: Mapping[str, pd.DataFrame]) -> dict:
    """``{(ticker, market): {date: price ratio}}``: the days each studied pair's stock looks like
    an unadjusted small split or bonus issue net of its market
    (:func:`analysis.data.quality.split_suspects`; the engine skips or warns the events whose
    windows hold one, like its other jumps). Pairs as the engine reads them (default markets)."""
    from .engine import prepare_events as engine_events

    ev = engine_events(timed)
    out = {}
    for pair in dict.fromkeys(zip(ev["ticker"], ev["market"])):
        stock, market = (frames.get(str(x)) if pd.notna(x) else None for x in pair)
        if stock is None or market is None or "Adj Close" not in stock or "Adj Close" not in market:
            continue
        found = quality.split_suspects(stock, market)
        if len(found):
            out[(str(pair[0]), str(pair[1]))] = found
    return out


def sample_clustering(timed: pd.DataFrame, event_window=DEFAULT_EVENT_WINDOW):
    """:func:`analysis.events.contamination.clustering` of the events a study pools: those with
    a day 0, less the later of two with the same ticker and day 0 (the engine skips those as
    duplicates); None under two such events or when it cannot be measured."""
    if "day0" not in timed.columns:
        return None
    ok = timed[timed["day0"].notna().to_numpy()]
    if "timing_error" in ok.columns:
        ok = ok[ok["timing_error"].isna().to_numpy()]
    ok = ok[~ok.duplicated(["ticker", "day0"]).to_numpy()]
    if len(ok) < 2:
        return None
    try:
        return clustering(ok, event_window=event_window)
    except AnalysisError:
        return None


def sample_warnings(timed: pd.DataFrame, *, estimation_window=DEFAULT_ESTIMATION_WINDOW,
                    event_window=DEFAULT_EVENT_WINDOW, other_dates: pd.DataFrame | None = None,
                    clus=None) -> list[str]:
    """Notes a sample needs, from :mod:`analysis.events.contamination`: events confounded by
    another event of the same company inside the event window, estimation windows contaminated
    by other news, and calendar clustering (Kolari & Pynnonen 2010; ``clus``: the
    :func:`sample_clustering` of ``timed`` when the caller has it)."""
    out = []
    pairs = overlaps(timed, other_dates, estimation_window=estimation_window, event_window=event_window)
    inside = pairs[(pairs["where"] == "event window").to_numpy()]
    if len(inside):     # one text per pair, joined per event (no per-event frame: 5,000 events in ms)
        day = [f" (day {r:+d})" for r in inside["relative_day"].tolist()]
        dated = pd.DatetimeIndex(inside["other_date"]).strftime("%Y-%m-%d")
        texts = [f"{o}{s}" if k == "event" else f"{o} {d}{s}"
                 for o, k, d, s in zip(inside["other"].tolist(), inside["kind"].tolist(), dated, day)]
        joined: dict = {}
        for eid, text in zip(inside["event_id"].tolist(), texts):
            joined.setdefault(eid, []).append(text)
        out += [f"{eid}: confounded by {'; '.join(t)} inside its event window" for eid, t in joined.items()]
    n_cont = pairs.loc[pairs["where"] == "estimation window", "event_id"].nunique()
    if n_cont:
        out.append(f"{n_cont} event(s) have other news of the same company in their estimation window "
                   f"(drop those days with analysis.events.contamination.exclusions)")
    clus = sample_clustering(timed, event_window) if clus is None else clus
    if clus is not None and clus.clustered:
        out.append(clus.summary())
    return out


def limit_marks(flags: pd.DataFrame | None) -> dict[str, dict[str, list]]:
    """``{event_id: {"closed limit-up (censored)": [dates], ...}}`` from
    :func:`analysis.events.contamination.limit_flags`, ready for ``study_figure(marks=...)``."""
    out: dict[str, dict[str, list]] = {}
    if flags is None or flags.empty:
        return out
    hits = flags.dropna(subset=["side"])
    for (eid, side), g in hits.groupby(["event_id", "side"], sort=False):
        out.setdefault(str(eid), {})[f"closed limit-{side} (censored)"] = list(g["date"])
    return out


# --------------------------------------------------------------------------------------------
# the pipeline


def run_study(events: pd.DataFrame, *, source: PriceSource | None = None, prices_dir=None,
              cache_dir=None, offline=None, policy: str = DEFAULT_POLICY, subjects_only: bool = True,
              estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
              stale: str = DEFAULT_STALE, other_dates: pd.DataFrame | None = None, progress: bool = True,
              client=None, measure: str = DEFAULT_MEASURE, cluster_notes: dict | None = None,
              **engine_kwargs) -> Study:
    """From an events table to a :class:`Study` (the steps in the module docstring).

    ``source``: a :class:`~analysis.data.prices.PriceSource`, else the one the settings give
    (``prices_dir`` / ``cache_dir`` / ``offline``, see :func:`analysis.data.sources.open_source`).
    ``stale``: ``missing`` (default) turns bars without a trade (flat, zero volume, close
    unchanged) into missing prices, so the next return spans the sessions without a trade;
    ``keep`` uses them as prices (a 0% return).
    ``engine_kwargs`` go to :func:`analysis.core.engine.run_engine` (``model``,
    ``min_estimation_obs``, ``factors``, ``returns_kind``, ``exclude``, ``jumps``,
    ``max_day0_delay``, ``max_gap``, ``max_missing_share``). A row that cannot be timed or whose
    prices cannot be loaded is skipped with its reason in ``diagnostics``; the others go on.
    Raises EventError when no price series could be loaded at all.
    ``measure``: ``"returns"`` (abnormal returns), ``"volume"`` (abnormal log volume from the
    frames' Volume, :mod:`analysis.core.volume`) or ``"volatility"`` (:mod:`analysis.core.volatility`,
    ``volatility_benchmark="garch"`` among ``engine_kwargs`` for the GARCH(1,1) benchmark).

    ``cluster_notes``: the ``same_company`` and ``clustered`` warnings of the whole sample
    (default: :func:`cluster_notes_of` the studied events, the sample the tests pool; a
    distributed run computes them once for all its partitions, before it knows which events
    its workers skip: over the events that could be timed, less ticker and day-0 duplicates).

    ``client``: a Dask client, scheduler address, ``"local"`` or ``"local:N"``: the same study
    on a cluster (:func:`analysis.core.distributed.run_study_distributed`, which also takes
    ``windows``, ``out`` and ``partition_events``); abnormal returns only.
    """
    measure = check_measure(measure)
    if client is not None:
        if measure != "returns":
            raise InputError(f"measure {measure!r} runs on this machine: client= is for abnormal returns")
        from .distributed import run_study_distributed
        return run_study_distributed(_steps(), events, client=client, source=source, prices_dir=prices_dir,
                                     cache_dir=cache_dir, offline=offline, policy=policy,
                                     subjects_only=subjects_only, estimation_window=estimation_window,
                                     event_window=event_window, stale=stale, other_dates=other_dates,
                                     progress=progress, **engine_kwargs)
    est, evt = validate_windows(estimation_window, event_window)
    if source is None:
        source = open_source(prices_dir=prices_dir, cache_dir=cache_dir, offline=offline)
    timed, dropped = _prepare(events, policy, subjects_only)
    untimed = timed["timing_error"].notna().to_numpy() if "timing_error" in timed.columns else None
    if untimed is not None and untimed.all():      # every row skipped: say why, load nothing
        reasons = "; ".join(f"{e}: {r}" for e, r in zip(timed["event_id"][:3], timed["timing_error"][:3]))
        raise EventError(f"no event can be studied ({reasons})")
    symbols = symbols_of(timed if untimed is None else timed[~untimed])
    frames, failed = load_prices(source, symbols, progress=progress)
    if not frames:
        raise EventError(f"no prices for any symbol of the events ({_failures_by_cause(failed)})")
    engine_kwargs.setdefault("source_name", getattr(source, "name", None))
    quality.check_stale_setting(stale)
    stale_bars = {s: quality.stale_mask(f) for s, f in frames.items()}
    studied = {s: quality.apply_stale(f, stale, mask=stale_bars[s]) for s, f in frames.items()}
    if measure != "volume" and engine_kwargs.get("suspects") is None:
        engine_kwargs["suspects"] = split_suspects(timed, studied)
    result = run_measure(measure, timed, prices=price_panel(studied), estimation_window=est, event_window=evt,
                         volume=price_panel(studied, "Volume") if measure == "volume" else None,
                         load_errors=failed, **engine_kwargs)
    result.settings["stale"] = stale
    loaded = MemorySource(frames, name=getattr(source, "name", "prices"))
    limits = _limits(timed, loaded, evt)
    sample = studied_events(timed, result)
    clus = sample_clustering(sample, evt)            # one measure for the notes and the warnings
    warn_events(result, stale_bars=stale_bars, stale=stale, limits=limits,
                factors=engine_kwargs.get("factors"),
                cluster_notes=cluster_notes_of(sample, evt, clus=clus) if cluster_notes is None else cluster_notes)
    note = left_out_note(dropped, len(timed) + (0 if dropped is None else len(dropped)))
    warnings = [note] if note else []
    warnings += [f"{s}: {r}" for s, r in failed.items()]
    warnings += sample_warnings(sample, estimation_window=est, event_window=evt, other_dates=other_dates,
                                clus=clus)
    return Study(result=result, events=timed, prices=studied, failed=failed, quality=check_prices(frames),
                 limits=limits, warnings=warnings, source_name=getattr(source, "name", None), left_out=dropped)


def studied_events(timed: pd.DataFrame, result) -> pd.DataFrame:
    """The rows of ``timed`` the result studied (not skipped: a skipped duplicate is not a second
    event of the sample), for the sample's notes."""
    ok = set(map(str, result.event_ids))    # a set look-up per row: pandas' isin on strings is 25x slower
    return timed[np.fromiter((str(e) in ok for e in timed["event_id"].tolist()), bool, len(timed))]


def warn_events(result: EventStudyResult, *, stale_bars=None, stale: str = DEFAULT_STALE, limits=None,
                factors=None, cluster_notes: dict | None = None) -> None:
    """The warnings on studied events that need the price frames or the exchange facts:
    ``stale`` bars in the windows, ``limit_day`` closes in the event window (censored returns),
    a ``foreign_market`` benchmark, factors of another region (``factor_region``) and the
    sample's ``same_company`` and ``clustered`` notes (:func:`cluster_notes_of`)."""
    diag = result.diagnostics
    ok = diag[diag["status"] == "ok"]
    if ok.empty:
        return
    _warn_clustered(result, ok, cluster_notes or {})
    if stale_bars:
        _warn_stale(result, ok, stale_bars, stale)
    if limits is not None and len(limits):
        hits = limits.dropna(subset=["side"])
        for eid, g in hits[hits["event_id"].isin(ok["event_id"])].groupby("event_id", sort=False):
            days = ", ".join(f"{d:%Y-%m-%d} (day {int(k)}, limit-{s})"
                             for d, k, s in zip(g["date"], g["relative_day"], g["side"]))
            result.add_warnings([eid], "limit_day", f"closed at the daily price limit on {days}: "
                                "the return is censored (a lower bound of the reaction)")
    _warn_foreign(result, ok)
    region = getattr(factors, "attrs", {}).get("region") if factors is not None else None
    if factors is not None:
        wrong = [(e, t) for e, t in zip(ok["event_id"], ok["ticker"]) if factor_region_fits(region, t) is False]
        result.add_warnings([e for e, _ in wrong], "factor_region",
                            [f"{region} factors for a stock of {region_of(t)}: use the factor set of the "
                             "stock's region (Ken French's regional files)" for _, t in wrong])


_ROBUST = ("tests robust to cross-correlation: kp_bmp_t or kp_patell_z (Kolari & Pynnonen 2010), "
           "or calendar-time portfolios (analysis.calendar_time)")


def cluster_notes_of(timed: pd.DataFrame, event_window=DEFAULT_EVENT_WINDOW, *, clus=None) -> dict:
    """``{event_id: [(code, detail)]}``: events whose abnormal returns are not independent of
    another event's, from :func:`analysis.events.contamination.clustering` (the facts ``check``
    prints), over the timed events less the later of two with the same ticker and day 0 (the
    engine skips those as duplicates): ``same_company``, another listing of the same company
    (the company universe: GOOG and GOOGL) with the same announcement date, one piece of news
    counted twice; ``clustered``, the sample is calendar-clustered (a share of events sharing
    day 0 at or over the threshold) and this event shares its day 0. Both point to the tests
    robust to cross-correlation."""
    clus = sample_clustering(timed, event_window) if clus is None else clus
    if clus is None:
        return {}
    notes: dict = {}
    for e, others in clus.same_company.items():
        notes.setdefault(e, []).append(
            ("same_company", f"another listing of the same company with the same announcement date in the "
                             f"sample ({', '.join(others)}), one piece of news counted more than once: study "
                             f"one listing per company, or use {_ROBUST}"))
    if clus.clustered:
        for e, others in clus.same_day0.items():
            notes.setdefault(e, []).append(
                ("clustered", f"shares day 0 with {len(others)} other event(s) ({', '.join(others[:5])}"
                              f"{', ...' if len(others) > 5 else ''}), as {clus.share_same_day0:.0%} of the "
                              f"sample do: cross-correlated abnormal returns overstate csect_t, patell_z and "
                              f"bmp_t, use {_ROBUST}"))
    return notes


def _warn_clustered(result, ok: pd.DataFrame, cluster_notes: dict) -> None:
    studied = set(map(str, ok["event_id"].tolist()))
    for code in ("same_company", "clustered"):
        hits = [(e, d) for e, notes in cluster_notes.items() if e in studied for c, d in notes if c == code]
        result.add_warnings([e for e, _ in hits], code, [d for _, d in hits])


def _warn_stale(result, ok: pd.DataFrame, stale_bars, stale: str) -> None:
    """Count each event's bars without a trade between its estimation start and its event
    window's end (one binary search per event on the stock's sorted stale dates)."""
    end = _event_window_end(result)
    how = ("counted as no trade (returns span them)" if stale == "missing"
           else "used as prices (0% returns); --stale missing treats them as no trade")
    ids, texts = [], []
    # three columns as arrays, rows grouped by ticker code (not a groupby over the whole
    # diagnostics frame, which slices its 27 columns, text ones too, once per ticker)
    event_ids = ok["event_id"].to_numpy(dtype=object)
    starts = pd.DatetimeIndex(ok["estimation_start"]).as_unit("ns").to_numpy()
    codes, tickers = pd.factorize(ok["ticker"])
    for code in np.unique(codes[codes >= 0]):
        mask = stale_bars.get(tickers[code])
        if mask is None or not mask.any():
            continue
        rows = np.flatnonzero(codes == code)
        dates = mask.index[mask.to_numpy()].as_unit("ns").to_numpy()
        start = starts[rows]
        stop = np.array([end.get(e, np.datetime64("NaT")) for e in event_ids[rows].tolist()],
                        dtype="datetime64[ns]")
        n = np.searchsorted(dates, stop, side="right") - np.searchsorted(dates, start, side="left")
        n = np.where(pd.isna(start) | pd.isna(stop), 0, n)
        hit = n > 0
        ids += event_ids[rows][hit].tolist()
        texts += [f"{k} bar(s) without a trade (flat, zero volume, close unchanged) in the windows, {how}" for k in n[hit]]
    result.add_warnings(ids, "stale", texts)


def _event_window_end(result: EventStudyResult) -> dict:
    dates = np.asarray(result.arrays.evt_dates)
    if not len(dates):
        return {}
    last = dates[:, -1].astype("datetime64[D]").astype("datetime64[ns]")
    return dict(zip(result.arrays.event_ids, pd.DatetimeIndex(last)))


def _failures_by_cause(failed: Mapping[str, str], most: int = 3) -> str:
    """``{symbol: reason}`` said once per cause: 'A, B and C: DNS lookup failed ...' (a network
    failure names every symbol the same way; the symbol in each reason is left out)."""
    by_cause: dict[str, list[str]] = {}
    for sym, reason in failed.items():
        head, sep, rest = str(reason).partition(f"{sym}: ")
        by_cause.setdefault(rest if sep and len(head) < 60 else str(reason), []).append(sym)
    parts = []
    for cause, syms in list(by_cause.items())[:most]:
        names = ", ".join(syms[:5]) + (f" and {len(syms) - 5} more" if len(syms) > 5 else "")
        parts.append(f"{names}: {cause}")
    if len(by_cause) > most:
        parts.append(f"{len(by_cause) - most} more causes")
    return "; ".join(parts)


def _warn_foreign(result, ok: pd.DataFrame) -> None:
    hint = ("model='dimson' (lagged market returns)" if "dimson" in MODEL_NAMES
            else "a market index of the stock's exchange")
    found = []
    known: dict = {}                     # each distinct symbol's calendar looked up once

    def calendar_of(symbol):
        if symbol not in known:
            try:
                known[symbol] = calendar_for(symbol)
            except AnalysisError:
                known[symbol] = None
        return known[symbol]

    for eid, ticker, market in zip(ok["event_id"].tolist(), ok["ticker"].tolist(), ok["market"].tolist()):
        own, theirs = calendar_of(ticker), calendar_of(market)
        if own is None or theirs is None:
            continue
        if own != theirs:
            try:
                home = default_market(ticker)
            except AnalysisError:
                home = None
            found.append((eid, f"benchmark {market} trades on {theirs}, {ticker} on {own}: same-day returns "
                               f"are out of sync; use {home or 'the exchange index'} or {hint}"))
    if found:
        result.add_warnings([e for e, _ in found], "foreign_market", [d for _, d in found])


def _limits(timed: pd.DataFrame, source: PriceSource, event_window) -> pd.DataFrame | None:
    try:
        return limit_flags(timed, source, event_window=event_window)
    except AnalysisError:
        return None


def run_measure(measure: str, events: pd.DataFrame, returns: pd.DataFrame | None = None, *,
                prices: pd.DataFrame | None = None, volume: pd.DataFrame | None = None,
                volatility_benchmark: str = "constant", **kwargs):
    """The engine for one measure: abnormal returns (:func:`analysis.core.engine.run_engine`),
    abnormal log volume (:func:`analysis.core.volume.run_volume` on ``volume``, the trading
    days those of ``prices`` when given) or abnormal volatility (the engine's abnormal returns
    in a :class:`analysis.core.volatility.VolatilityResult`, against the estimation window's
    constant variance or, ``volatility_benchmark="garch"``, its GARCH(1,1) forecast). A return
    result keeps the panel it read, for measures over other windows (``result.bhar``)."""
    if volatility_benchmark != "constant" and check_measure(measure) != "volatility":
        raise InputError(f"volatility_benchmark={volatility_benchmark!r} is for measure='volatility'")
    if check_measure(measure) == "volume":
        from .volume import run_volume

        if volume is None:
            raise InputError("measure 'volume' needs volume= (a wide frame of volumes, dates x symbols)")
        return run_volume(events, volume, prices=prices, **kwargs)
    result = run_engine(events, returns, prices=prices, **kwargs)
    result.panel, result.panel_kind = (prices, "prices") if prices is not None else (returns, "returns")
    if measure == "volatility":
        from .volatility import VolatilityResult

        return VolatilityResult(result, volatility_benchmark)
    return result


def run_event_study(events: pd.DataFrame, returns: pd.DataFrame | None = None, *,
                    prices: pd.DataFrame | None = None, policy: str = DEFAULT_POLICY, client=None,
                    measure: str = DEFAULT_MEASURE, volume: pd.DataFrame | None = None,
                    **kwargs) -> EventStudyResult:
    """An event study of every event at once, on a given panel of prices or returns.

    ``events`` that carry an announcement time (``announced_at``) or a ``time_of_day`` and have
    not been timed are first placed on their exchange calendars, exactly as
    ``python -m analysis timing`` does (:func:`prepare_events`, with ``policy`` for dates that
    are not trading days); the other arguments, and the rules by which events are skipped, are
    those of :func:`analysis.core.engine.run_engine`. ``measure="volume"`` studies abnormal
    log volume of ``volume`` (dates x symbols, :mod:`analysis.core.volume`; ``prices``, when
    given, set the trading days), ``measure="volatility"`` abnormal volatility
    (:mod:`analysis.core.volatility`; ``volatility_benchmark="garch"`` for the GARCH(1,1)
    conditional variance as the benchmark).

    ``client`` (a Dask client, scheduler address, ``"local"`` or ``"local:N"``): the same study
    on a cluster, prices from the panel or from ``source=`` (each worker reads its tickers):
    :func:`analysis.core.distributed.run_event_study_distributed`; abnormal returns only.
    """
    if client is not None:
        if check_measure(measure) != "returns":
            raise InputError(f"measure {measure!r} runs on this machine: client= is for abnormal returns")
        from .distributed import run_event_study_distributed
        return run_event_study_distributed(_steps(), events, returns, prices=prices, policy=policy,
                                           client=client, **kwargs)
    if isinstance(events, pd.DataFrame) and needs_timing(events):
        events = prepare_events(events, policy=policy, subjects_only=False)
    return run_measure(measure, events, returns, prices=prices, volume=volume, **kwargs)


def _steps():
    """This module's functions, for the distributed run (which does not import this module)."""
    from .distributed import Pipeline
    return Pipeline(run_study, run_event_study, prepare_events, needs_timing, sample_warnings, cluster_notes_of)


def study(ticker: str, market: str | None = None, event_date=None, *, announced_at=None,
          time_of_day=None, source: PriceSource | None = None, prices_dir=None, cache_dir=None,
          offline=None, event_id: str | None = None, policy: str = DEFAULT_POLICY, **kwargs) -> EventStudyResult:
    """One event, prices from a source: the result, or the AnalysisError that says why the event
    could not be studied (EventError, EstimationError, WindowError, UnknownTickerError).

    ``market``: the benchmark (default: the index of the listing's exchange); ``event_date``
    (a date) or ``announced_at`` (a time with its UTC offset); other keyword arguments as
    :func:`run_study`.
    """
    return study_one(ticker, market, event_date, announced_at=announced_at, time_of_day=time_of_day,
                     source=source, prices_dir=prices_dir, cache_dir=cache_dir, offline=offline,
                     event_id=event_id, policy=policy, **kwargs).result


def one_event(ticker: str, market: str | None = None, event_date=None, *, announced_at=None,
              time_of_day=None, event_id: str | None = None) -> pd.DataFrame:
    """A one-row events table (the id defaults to ``<TICKER>_<DATE>``)."""
    if (event_date is None or str(event_date).strip() == "") == (announced_at is None or str(announced_at).strip() == ""):
        raise InputError("give exactly one of an event date and an announcement time")
    row = {"event_id": event_id, "ticker": ticker, "market": market or None}
    if announced_at is not None and str(announced_at).strip():
        row["announced_at"] = announced_at
        when = str(announced_at)[:10]
    else:
        row["event_date"] = event_date
        when = str(pd.Timestamp(event_date).date()) if _is_date(event_date) else str(event_date)
    if time_of_day:
        row["time_of_day"] = time_of_day
    row["event_id"] = event_id or f"{ticker}_{when}"
    return pd.DataFrame([row])


def _is_date(value) -> bool:
    try:
        return pd.notna(pd.Timestamp(value))
    except (TypeError, ValueError):
        return False


def study_one(ticker: str, market: str | None = None, event_date=None, *, announced_at=None,
              time_of_day=None, event_id: str | None = None, **kwargs) -> Study:
    """:func:`run_study` of one event; raises the reason when the event is skipped."""
    events = one_event(ticker, market, event_date, announced_at=announced_at, time_of_day=time_of_day,
                       event_id=event_id)
    kwargs.setdefault("progress", False)
    result_study = run_study(events, subjects_only=False, **kwargs)
    timed = result_study.events
    if timed["timing_error"].notna().iloc[0]:
        raise EventError(f"event {timed['event_id'].iloc[0]}: {timed['timing_error'].iloc[0]}")
    result_study.result.raise_if_skipped(timed["event_id"].iloc[0])
    return result_study
