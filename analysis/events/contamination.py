"""What could contaminate an event sample: other news, calendar clustering, price limits.

* **Confounded / contaminated events** (MacKinlay 1997, section 4; McWilliams & Siegel 1997,
  "Event studies in management research", AMJ 40(3): confounding events must be found and
  removed or controlled). Another event of the same company inside the event window confounds
  the abnormal return; one inside the estimation window contaminates the normal-return model.
  Windows are counted in sessions of the listing's own exchange calendar (``analysis.events.timing``),
  and each other date is placed on that calendar with the same rules as day 0 (a Saturday
  announcement counts on Monday). "Same company" means the same ticker, or the same ``company``
  when both rows name one. Rows of one announcement on different listings (same company, other
  ticker, same requested date) are one event, not confounders of each other.
* **Calendar clustering** (Kolari & Pynnonen 2010, "Event study testing with cross-sectional
  correlation of abnormal returns", RFS 23(11)): events sharing day 0 have cross-correlated
  abnormal returns, and the usual standardized tests over-reject. The sample is called clustered
  when at least ``threshold`` (default 10%) of the events share their day 0 (calendar date) with
  another event; the recommendation is then the Kolari-Pynnonen adjusted tests (``kp_patell_z``,
  ``kp_bmp_t`` in ``analysis.core.statistics``).
* **Price limits** (mainland A-shares): a close at the daily limit censors the return, so the
  abnormal return understates the reaction. Limits: 10% main board, 20% STAR (688, from
  2019-07-22) and ChiNext (300/301, from 2020-08-24), 5% for ST names; the limit price is the
  reference price times (1 +- limit), rounded half-up to the fen, on the raw (unadjusted) close.
  The reference price is the previous close, corrected on ex-rights days with the Adj Close
  factor when one is given (the exchange's own 前收盘价). Not covered: first-days-of-listing rules.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError, InputError
from .table import _missing
from ..data.exchanges import price_limit
from ..windows import DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, window
from .timing import get_calendar, resolve_day0, time_events

CLUSTER_THRESHOLD = 0.10


# ---------------------------------------------------------------------------------------------
# inputs


def _timed(events: pd.DataFrame, policy: str) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"events must be a table (DataFrame), got {type(events).__name__}")
    if {"day0", "calendar", "requested_date", "timing_error"} <= set(events.columns):
        out = events  # already timed by analysis.events.timing.time_events
    else:
        out = time_events(events, policy=policy)
    if "event_id" not in out.columns:
        width = max(4, len(str(len(out))))
        out = out.assign(event_id=[f"e{i + 1:0{width}d}" for i in range(len(out))])
    return out.reset_index(drop=True)


def validate_other_dates(other: pd.DataFrame | None) -> pd.DataFrame:
    """Normalise a table of other known dates (earnings, dividends...).

    Columns: ``ticker`` and/or ``company`` (at least one per row), ``date`` (or ``event_date``),
    optional ``kind`` (default "other"), ``time_of_day``, ``announced_at``.
    """
    cols = ["ticker", "company", "date", "kind", "time_of_day", "announced_at"]
    if other is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    if not isinstance(other, pd.DataFrame):
        raise InputError(f"other dates must be a table (DataFrame), got {type(other).__name__}")
    df = other.rename(columns={c: str(c).strip().lower() for c in other.columns})
    if "date" not in df.columns and "event_date" in df.columns:
        df = df.rename(columns={"event_date": "date"})
    if "date" not in df.columns and "announced_at" not in df.columns:
        raise InputError(f"other dates need a 'date' column (has {list(other.columns)})")
    if "ticker" not in df.columns and "company" not in df.columns:
        raise InputError(f"other dates need a 'ticker' or 'company' column (has {list(other.columns)})")
    rows = [_other_date_row(i, r) for i, r in enumerate(df.to_dict("records"))]
    return pd.DataFrame(rows, columns=cols)


def _text_or_none(value):
    return None if _missing(value) else value


def _other_date_row(i: int, r: dict) -> dict:
    """One row of other dates, normalised; InputError naming the row."""
    ticker = None if _missing(r.get("ticker")) else str(r["ticker"]).strip().upper()
    company = None if _missing(r.get("company")) else str(r["company"]).strip()
    if ticker is None and company is None:
        raise InputError(f"other dates row {i + 1}: no ticker and no company")
    date = r.get("date")
    if not _missing(date):
        try:
            date = pd.Timestamp(date).normalize()
        except (TypeError, ValueError):
            raise InputError(f"other dates row {i + 1}: bad date {r.get('date')!r}") from None
    elif _missing(r.get("announced_at")):
        raise InputError(f"other dates row {i + 1}: no date")
    else:
        date = None
    return {"ticker": ticker, "company": company, "date": date,
            "kind": "other" if _missing(r.get("kind")) else str(r["kind"]).strip(),
            "time_of_day": _text_or_none(r.get("time_of_day")), "announced_at": _text_or_none(r.get("announced_at"))}


def _company(value) -> str | None:
    return None if _missing(value) else " ".join(str(value).casefold().split())


# ---------------------------------------------------------------------------------------------
# overlaps between an event and the other news of the same company


_PAIR_COLUMNS = ["event_id", "ticker", "day0", "other", "kind", "other_date", "other_day0", "relative_day",
                 "calendar", "pos0"]


@dataclasses.dataclass
class _Items:
    """The events and the other news as one list of dated items, indexed by ticker and company."""

    n_ev: int
    labels: np.ndarray          # event id, or the other news' kind
    kinds: np.ndarray           # "event", or the other news' kind
    dates: list
    stamps: list
    tods: list
    ticker: np.ndarray          # upper-case ticker ("" when none)
    requested: np.ndarray       # the date an event asked for (NaT for other news)
    calendar: np.ndarray        # each event's calendar
    timed: np.ndarray           # each event has a day 0
    day0: pd.DatetimeIndex
    by_ticker: dict
    by_company: dict

    @classmethod
    def build(cls, ev: pd.DataFrame, others: pd.DataFrame) -> "_Items":
        n_ev = len(ev)
        get = lambda frame, c: frame[c].tolist() if c in frame.columns else [None] * len(frame)  # noqa: E731
        tickers = [str(t).strip().upper() for t in ev["ticker"]] + [t or "" for t in get(others, "ticker")]
        companies = [_company(c) for c in get(ev, "company")] + [_company(c) for c in get(others, "company")]
        requested = np.full(len(tickers), np.datetime64("NaT", "ns"))
        requested[:n_ev] = pd.DatetimeIndex(ev["requested_date"]).as_unit("ns").to_numpy()
        by_ticker: dict[str, set[int]] = {}
        by_company: dict[str, set[int]] = {}
        for j, (tk, c) in enumerate(zip(tickers, companies)):
            if tk:
                by_ticker.setdefault(tk, set()).add(j)
            if c:
                by_company.setdefault(c, set()).add(j)
        return cls(n_ev, np.array([str(e) for e in ev["event_id"]] + get(others, "kind"), dtype=object),
                   np.array(["event"] * n_ev + get(others, "kind"), dtype=object),
                   get(ev, "event_date") + get(others, "date"), get(ev, "announced_at") + get(others, "announced_at"),
                   get(ev, "time_of_day") + get(others, "time_of_day"), np.array(tickers, dtype=object), requested,
                   ev["calendar"].to_numpy(dtype=object), (ev["timing_error"].isna() & ev["day0"].notna()).to_numpy(),
                   pd.DatetimeIndex(ev["day0"]).as_unit("ns"), by_ticker, by_company)

    def candidates(self, key) -> np.ndarray:
        """Items of the same ticker or the same company as an event's ``(ticker, company)``."""
        found = self.by_ticker.get(key[0], set()) | (self.by_company.get(key[1], set()) if key[1] else set())
        return np.array(sorted(found), dtype=np.int64)

    def place(self, cal, name: str, wanted: np.ndarray):
        """Each wanted item's session position on calendar ``cal`` and the date it asked for;
        events timed on this very calendar keep their day 0 (no second calendar lookup)."""
        sessions = cal.sessions
        pos = np.full(len(self.labels), np.iinfo(np.int64).min // 2, dtype=np.int64)   # undatable: in no window
        placed = np.full(len(self.labels), np.datetime64("NaT", "ns"))
        own = wanted[wanted < self.n_ev]
        own = own[(self.calendar[own] == name) & self.timed[own]]
        pos[own] = sessions.searchsorted(self.day0[own])
        placed[own] = self.requested[own]
        for j in np.setdiff1d(wanted, own, assume_unique=True):
            try:
                d = resolve_day0(calendar=cal, event_date=self.dates[j], announced_at=self.stamps[j],
                                 time_of_day=self.tods[j], policy="next")
            except AnalysisError:
                continue
            pos[j] = sessions.searchsorted(d.day0)
            placed[j] = np.datetime64(d.requested, "ns")
        return pos, placed


def _pairs(ev: pd.DataFrame, others: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """(event, other news of the same company) pairs with the news' session in [lo, hi] relative
    to the event's day 0, on the event's listing calendar. ``ev`` is timed (``_timed``); the
    result also carries ``calendar`` and ``pos0`` (day 0's position in the calendar's sessions)."""
    items = _Items.build(ev, others)
    frames = []
    pad = pd.Timedelta(days=int(max(abs(lo), abs(hi)) * 1.6) + 30)
    ok = ev["timing_error"].isna() & ev["day0"].notna()
    for name, grp in ev[ok].groupby("calendar", sort=False):
        cal = get_calendar(name, grp["day0"].min() - pad, grp["day0"].max() + pad)
        frames.append(_pairs_on(cal, name, grp, ev, items, lo, hi))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _PAIR_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def _pairs_on(cal, name: str, grp: pd.DataFrame, ev: pd.DataFrame, items: _Items, lo: int, hi: int) -> pd.DataFrame:
    """The pairs of the events ``grp`` timed on calendar ``name``."""
    sessions = cal.sessions
    companies = grp["company"].tolist() if "company" in grp.columns else [None] * len(grp)
    keys = [(str(tk).strip().upper(), _company(c)) for tk, c in zip(grp["ticker"], companies)]
    cands = {k: items.candidates(k) for k in set(keys)}
    pos, placed = items.place(cal, name, np.unique(np.concatenate([np.zeros(0, np.int64), *cands.values()])))
    rows = grp.index.to_numpy()
    pos0 = np.asarray(sessions.searchsorted(pd.DatetimeIndex(grp["day0"])), dtype=np.int64)
    hit_at, hit_item, hit_rel = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    by_key: dict = {}
    for i, key in enumerate(keys):
        by_key.setdefault(key, []).append(i)
    for key, members in by_key.items():      # all events of one company against its news at once
        c = cands[key]
        if not len(c):
            continue
        # the same announcement on another listing is the same event, not a confounder
        other_listing = (c < items.n_ev) & (items.ticker[c] != key[0])
        members = np.asarray(members, dtype=np.int64)
        step = max(1, 1_000_000 // len(c))   # bounded memory for a company with very many events
        for k in range(0, len(members), step):
            at = members[k:k + step]
            r = rows[at]
            rel = pos[c][None, :] - pos0[at][:, None]
            keep = (rel >= lo) & (rel <= hi) & (c[None, :] != r[:, None])
            keep &= ~(other_listing[None, :] & (items.requested[c][None, :] == items.requested[r][:, None]))
            i, j = np.nonzero(keep)
            hit_at.append(at[i])
            hit_item.append(c[j])
            hit_rel.append(rel[i, j])
    at, j_idx, rel = (np.concatenate(x) for x in (hit_at, hit_item, hit_rel))
    order = np.argsort(at, kind="stable")    # event by event in the table's order, as before
    at, j_idx, rel = at[order], j_idx[order], rel[order]
    e_idx, p0 = rows[at], pos0[at]
    return pd.DataFrame({
        "event_id": ev["event_id"].to_numpy()[e_idx], "ticker": ev["ticker"].to_numpy()[e_idx],
        "day0": pd.DatetimeIndex(ev["day0"]).as_unit("ns")[e_idx], "other": items.labels[j_idx],
        "kind": items.kinds[j_idx], "other_date": placed[j_idx],
        "other_day0": (sessions[p0 + rel].as_unit("ns") if len(rel) else pd.DatetimeIndex([], dtype="datetime64[ns]")),
        "relative_day": rel.astype(np.int64), "calendar": name, "pos0": p0,
    }, columns=_PAIR_COLUMNS)


def overlaps(events: pd.DataFrame, other_dates: pd.DataFrame | None = None, *,
             estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
             policy: str = "next") -> pd.DataFrame:
    """Every (event, other news) pair whose news falls in the event or the estimation window.

    Columns: ``event_id, ticker, day0, other, kind, other_date, other_day0, relative_day, where``
    (``where`` = "event window" or "estimation window"; ``relative_day`` in sessions of the
    event's listing calendar; ``other`` is the other event's id, or the kind of an other date).
    """
    est = window(estimation_window, "estimation window")
    evw = window(event_window, "event window")
    ev = _timed(events, policy)
    pairs = _pairs(ev, validate_other_dates(other_dates), min(est[0], evw[0]), max(est[1], evw[1]))
    rel = pairs["relative_day"]
    in_event = (rel >= evw[0]) & (rel <= evw[1])
    in_est = (rel >= est[0]) & (rel <= est[1])
    pairs["where"] = np.where(in_event, "event window", "estimation window")
    pairs = pairs[in_event | in_est].drop(columns=["calendar", "pos0"])
    return pairs.sort_values(["event_id", "relative_day"], kind="stable").reset_index(drop=True)


def confounding(events: pd.DataFrame, other_dates: pd.DataFrame | None = None, *,
                estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
                policy: str = "next") -> pd.DataFrame:
    """One row per event: ``event_id, ticker, day0, confounded, confounded_by, contaminated,
    contaminated_by, timing_error``. ``*_by`` lists the other news as ``label (day +k)``;
    flags are NA for events that could not be timed."""
    ev = _timed(events, policy)
    pairs = overlaps(ev, other_dates, estimation_window=estimation_window,
                     event_window=event_window, policy=policy)
    day = " (day " + pd.Series(pairs["relative_day"].to_numpy(np.int64)).map("{:+d}".format).to_numpy(object) + ")"
    other = pairs["other"].astype(str).to_numpy(object)
    dated = other + " " + pd.DatetimeIndex(pairs["other_date"]).strftime("%Y-%m-%d").to_numpy(object)
    text = pairs.assign(txt=np.where(pairs["kind"].to_numpy(object) != "event", dated, other) + day)
    by = {}
    for where in ("event window", "estimation window"):
        part = text[text["where"] == where]
        joined = part.groupby("event_id", sort=False)["txt"].agg("; ".join).to_dict()
        by[where] = pd.Series([joined.get(e, "") for e in ev["event_id"]], index=ev.index, dtype="str")
    timed = (ev["timing_error"].isna() & ev["day0"].notna()).to_numpy()
    out = pd.DataFrame({"event_id": ev["event_id"], "ticker": ev["ticker"], "day0": ev["day0"]})
    for flag, where, col in (("confounded", "event window", "confounded_by"),
                             ("contaminated", "estimation window", "contaminated_by")):
        out[flag] = pd.array(np.where(timed, by[where].to_numpy() != "", None), dtype="boolean")
        out[col] = by[where].to_numpy()
    out["timing_error"] = ev["timing_error"]
    return out[["event_id", "ticker", "day0", "confounded", "confounded_by", "contaminated",
                "contaminated_by", "timing_error"]]


def exclusions(events: pd.DataFrame, other_dates: pd.DataFrame | None = None, *,
               estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
               around=(-1, 1), policy: str = "next") -> pd.DataFrame:
    """Estimation-window dates to drop (``event_id, date``; engine argument ``exclude=``).

    For every other news item of the same company near an event, the sessions ``around`` its own
    day 0 (default -1..+1: leakage the day before, reaction to after-hours news the day after) are
    dropped where they fall inside the event's estimation window, so that the normal-return model
    is fitted on news-free days (MacKinlay 1997, section 4). ``event_window`` is accepted for
    symmetry with :func:`confounding` and only validated: news inside the event window is a
    confounder, reported there, and its ``around`` days are dropped only where they reach into
    the estimation window.
    """
    est = window(estimation_window, "estimation window")
    window(event_window, "event window")
    a1, a2 = window(around, "around")
    ev = _timed(events, policy)
    # news whose `around` sessions can reach into the estimation window
    pairs = _pairs(ev, validate_other_dates(other_dates), est[0] - a2, est[1] - a1)
    offsets = np.arange(a1, a2 + 1)
    frames = [pd.DataFrame({"event_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]")})]
    for name, g in pairs.groupby("calendar", sort=False):
        sessions = get_calendar(name).sessions
        rel = g["relative_day"].to_numpy(np.int64)[:, None] + offsets[None, :]
        pos = g["pos0"].to_numpy(np.int64)[:, None] + rel
        keep = ((rel >= est[0]) & (rel <= est[1]) & (pos >= 0) & (pos < len(sessions))).ravel()
        ids = np.repeat(g["event_id"].to_numpy(), len(offsets))[keep]
        frames.append(pd.DataFrame({"event_id": ids, "date": sessions[pos.ravel()[keep]].as_unit("ns")}))
    out = pd.concat(frames, ignore_index=True).drop_duplicates()
    return out.sort_values(["event_id", "date"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# calendar clustering


@dataclasses.dataclass(frozen=True)
class Clustering:
    """Calendar clustering of a sample (Kolari & Pynnonen 2010)."""

    n_events: int
    n_days: int                    # distinct day-0 dates
    share_same_day0: float         # events sharing day 0 with at least one other event
    largest_cluster: int           # most events on one day 0
    largest_cluster_day0: pd.Timestamp | None
    share_overlapping: float       # events whose event window overlaps another's (calendar dates)
    threshold: float
    clustered: bool
    recommendation: str
    by_day0: pd.DataFrame          # day0, n, event_ids (days with more than one event)
    n_cross_listed: int = 0        # events that are another listing of an announcement in the sample
    # event id -> the other events of the same company and requested date (twin listings, H/A
    # shares: one piece of news counted more than once in a pooled test)
    same_company: dict = dataclasses.field(default_factory=dict)
    # event id -> the other events on its day 0 (filled for every shared day 0)
    same_day0: dict = dataclasses.field(default_factory=dict)

    def summary(self) -> str:
        day = "" if self.largest_cluster_day0 is None else f" on {self.largest_cluster_day0:%Y-%m-%d}"
        return (f"calendar clustering: {self.n_events} events on {self.n_days} distinct day-0 dates; "
                f"{self.share_same_day0:.0%} share day 0 with another event (largest cluster "
                f"{self.largest_cluster}{day}); {self.share_overlapping:.0%} have overlapping event "
                f"windows. {self.recommendation}")

    def __str__(self) -> str:
        return self.summary()


def clustering(events: pd.DataFrame, *, event_window=DEFAULT_EVENT_WINDOW, threshold: float = CLUSTER_THRESHOLD,
               policy: str = "next") -> Clustering:
    """Measure calendar clustering and recommend tests (see the module docstring).

    ``clustered`` when ``share_same_day0 >= threshold`` (10% by default: above that, the
    cross-sectional correlation of abnormal returns biases the Patell/BMP tests materially in
    Kolari & Pynnonen's simulations; the KP adjustment costs nothing when correlation is nil).
    """
    evw = window(event_window, "event window")
    if not 0 <= float(threshold) <= 1:
        raise InputError(f"clustering threshold must be a share in [0, 1], got {threshold!r}")
    ev = _timed(events, policy)
    ok = ev[ev["timing_error"].isna() & ev["day0"].notna()]
    n = len(ok)
    by_day, days = pd.factorize(ok["day0"], sort=True)
    sizes = np.bincount(by_day, minlength=len(days))
    members = _members(ok["event_id"].astype(str).to_numpy(), by_day)    # days shared by several
    multi = pd.DataFrame({"n": sizes[list(members)], "event_ids": [", ".join(m) for m in members.values()]},
                         index=pd.Index(days[list(members)], name="day0"))
    multi = multi.sort_values("n", ascending=False, kind="stable")
    shared = int(multi["n"].sum())
    share = shared / n if n else 0.0
    largest = int(sizes.max()) if n else 0
    largest_day = multi.index[0] if len(multi) else None

    # overlapping event windows in calendar time: each window as [first date, last date]
    starts, ends = [], []
    for name, grp in ok.groupby("calendar", sort=False):
        lo, hi = grp["day0"].min(), grp["day0"].max()
        pad = pd.Timedelta(days=int(max(abs(evw[0]), abs(evw[1])) * 1.6) + 30)
        sessions = get_calendar(name, lo - pad, hi + pad).sessions
        pos = sessions.get_indexer(grp["day0"])
        starts.append(pd.Series(sessions[np.clip(pos + evw[0], 0, len(sessions) - 1)], index=grp.index))
        ends.append(pd.Series(sessions[np.clip(pos + evw[1], 0, len(sessions) - 1)], index=grp.index))
    if n > 1:
        s = pd.concat(starts).loc[ok.index].to_numpy()
        e = pd.concat(ends).loc[ok.index].to_numpy()
        overlap = float((_overlapping(s, e) > 1).mean())
    else:
        overlap = 0.0

    clustered = n > 1 and share >= threshold
    if clustered:
        rec = (f"Clustered ({share:.0%} >= {threshold:.0%} of events share day 0): abnormal returns are "
               "cross-correlated; use the Kolari-Pynnonen adjusted tests (kp_patell_z, kp_bmp_t).")
    else:
        rec = (f"Not clustered ({share:.0%} < {threshold:.0%} of events share day 0): the standard "
               "cross-sectional tests apply.")
    # several listings of one announcement (same company, same requested date) are one piece of
    # news: pooled in a cross-sectional test they count the same reaction more than once
    shared = ok["requested_date"].duplicated(keep=False).to_numpy()   # only there can two be one company
    listed = _listed_companies(ok["ticker"][shared])
    company = [_company(c) or (listed[t] if both else str(t).strip().upper())
               for c, t, both in zip(ok["company"] if "company" in ok.columns else [None] * n, ok["ticker"], shared)]
    announcement = pd.Series(list(zip(company, ok["requested_date"])), index=ok.index)
    cross = int(announcement.duplicated().sum()) if n else 0
    ids = ok["event_id"].astype(str).to_numpy()
    same_company = _others(ids, pd.factorize(announcement)[0])
    same_day0 = _others(ids, pd.factorize(ok["day0"])[0])
    if cross:
        rec += (f" {cross} events are further listings of an announcement already in the sample: "
                "study one listing per company (or per group) in pooled tests.")
    by_day0 = multi.reset_index()[["day0", "n", "event_ids"]]
    return Clustering(n, int(len(days)), share, largest, largest_day, overlap, float(threshold),
                      clustered, rec, by_day0, cross, same_company, same_day0)


def _listed_companies(tickers) -> dict:
    """``{ticker: company}`` for each distinct ticker: the company of a listing in the company
    universe (GOOG and GOOGL: Alphabet), else the ticker itself; the ticker -> company map is
    read from the cache when an earlier process built it (:func:`analysis.events.listings.listing_companies`)."""
    from .listings import listing_companies

    distinct = pd.unique(pd.Series(tickers, dtype=object))
    if not len(distinct):
        return {}
    keys = {ticker: str(ticker).strip().upper() for ticker in distinct}
    try:
        found = listing_companies(keys.values())
    except AnalysisError:                # an unreadable user table: each ticker stands alone
        found = {}
    return {ticker: _company(found[t]) if found.get(t) else t for ticker, t in keys.items()}


def _members(ids: np.ndarray, codes: np.ndarray) -> dict:
    """``{code: [ids of its rows, in row order]}`` for the codes (>= 0) shared by several rows,
    codes ascending: one stable sort, not one scan of the rows per code."""
    valid = np.flatnonzero(codes >= 0)
    if not len(valid):
        return {}
    counts = np.bincount(codes[valid])
    rows = valid[counts[codes[valid]] > 1]
    rows = rows[np.argsort(codes[rows], kind="stable")]
    cut = np.flatnonzero(np.diff(codes[rows])) + 1
    return {int(codes[g[0]]): [str(i) for i in ids[g]] for g in np.split(rows, cut) if len(g)}


def _others(ids: np.ndarray, codes: np.ndarray) -> dict:
    """``{id: (ids of the other rows with the same code)}`` for codes shared by several rows."""
    out: dict = {}
    for members in _members(ids, codes).values():
        for i in members:
            out[i] = tuple(j for j in members if j != i)
    return out


# ---------------------------------------------------------------------------------------------
# daily price limits (mainland A-shares)

def _overlapping(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each interval [s_i, e_i], the number of intervals (itself included) it overlaps:
    ``#{j: s_j <= e_i} - #{j: e_j < s_i}`` (an interval that ends before s_i starts before e_i),
    two binary searches instead of an N x N comparison."""
    return (np.searchsorted(np.sort(starts), ends, side="right")
            - np.searchsorted(np.sort(ends), starts, side="left"))


def _round_half_up(x: np.ndarray) -> np.ndarray:
    """Round to the fen (0.01) half-up, as the exchanges do; the inner round removes float noise."""
    return np.floor(np.round(x * 100.0, 6) + 0.5) / 100.0


def limit_days(prices: pd.DataFrame, symbol: str, *, name: str | None = None) -> pd.DataFrame:
    """Daily limit prices and limit closes of one A-share (raw prices, as from ``PriceSource.load``).

    Returns, indexed by date: ``close``, ``reference`` (previous close, ex-rights corrected with
    the Adj Close factor when the factor changes), ``limit``, ``limit_up``, ``limit_down`` and
    ``at_limit`` ("up", "down" or missing). The first row has no reference and is never flagged.
    """
    if "Close" not in prices.columns:
        raise DataError(f"prices of {symbol} have no Close column")
    close = prices["Close"].astype(float)
    prev = close.shift(1)
    if "Adj Close" in prices.columns:
        factor = prices["Adj Close"].astype(float) / close
        ratio = (factor.shift(1) / factor).fillna(1.0)
        exdate = (ratio - 1).abs() > 1e-6
        # the exchange's reference price is itself quoted in fen
        reference = prev.where(~exdate, pd.Series(_round_half_up((prev * ratio).to_numpy()), index=prev.index))
    else:
        reference = prev
    limits = pd.Series([price_limit(symbol, d, name) for d in prices.index], index=prices.index, dtype=float)
    up = pd.Series(_round_half_up((reference * (1 + limits)).to_numpy()), index=prices.index)
    down = pd.Series(_round_half_up((reference * (1 - limits)).to_numpy()), index=prices.index)
    c = close.round(2)
    at = pd.Series(np.where(c >= up - 1e-9, "up", np.where(c <= down + 1e-9, "down", None)),
                   index=prices.index, dtype="str")
    return pd.DataFrame({"close": close, "reference": reference, "limit": limits,
                         "limit_up": up, "limit_down": down, "at_limit": at})


def _has_limit(ticker: str) -> bool:
    try:
        return price_limit(ticker) is not None
    except AnalysisError:  # unknown exchange: no limit rule
        return False


def limit_flags(events: pd.DataFrame, source, *, event_window=DEFAULT_EVENT_WINDOW,
                names: dict[str, str] | None = None, policy: str = "next") -> pd.DataFrame:
    """Event-window days closed at the daily limit, for events on listings that have limits.

    ``source``: a ``PriceSource`` (raw closes needed: see the module docstring). Relative days
    count the listing's own price bars from the first bar on or after day 0 (as the engine does).
    Returns ``event_id, ticker, relative_day, date, close, limit_price, side, note``; an event
    whose prices cannot be loaded gives one row with ``side`` missing and the reason in ``note``.
    """
    t1, t2 = window(event_window, "event window")
    ev = _timed(events, policy)
    names = {str(k).strip().upper(): v for k, v in (names or {}).items()}
    rows = []
    cols = ["event_id", "ticker", "relative_day", "date", "close", "limit_price", "side", "note"]
    limited = {t: _has_limit(t) for t in dict.fromkeys(str(t).strip().upper() for t in ev["ticker"])}
    keep = np.array([limited[str(t).strip().upper()] for t in ev["ticker"]], dtype=bool)
    for e in ev[keep].to_dict("records"):        # only listings with a daily limit (A-shares)
        if not _missing(e.get("timing_error")) or pd.isna(e.get("day0")):
            continue
        ticker = str(e["ticker"]).strip().upper()
        name = names.get(ticker) or e.get("name") or e.get("company")
        name = None if _missing(name) else str(name)
        day0 = pd.Timestamp(e["day0"])
        pad = pd.Timedelta(days=int(max(abs(t1), abs(t2)) * 1.6) + 30)
        try:
            prices = source.load(ticker, start=day0 - pad, end=day0 + pad)
        except DataError as exc:
            rows.append(dict(zip(cols, [e["event_id"], ticker, pd.NA, pd.NaT, np.nan, np.nan, pd.NA, str(exc)])))
            continue
        table = limit_days(prices, ticker, name=name)
        pos0 = int(table.index.searchsorted(day0))
        if pos0 >= len(table):
            rows.append(dict(zip(cols, [e["event_id"], ticker, pd.NA, pd.NaT, np.nan, np.nan, pd.NA,
                                        f"no prices of {ticker} on or after {day0:%Y-%m-%d}"])))
            continue
        lo, hi = max(pos0 + t1, 1), min(pos0 + t2, len(table) - 1)
        part = table.iloc[lo:hi + 1]
        for k, (date, r) in zip(range(lo - pos0, hi - pos0 + 1), part.iterrows()):
            if pd.notna(r["at_limit"]):
                price = r["limit_up"] if r["at_limit"] == "up" else r["limit_down"]
                rows.append(dict(zip(cols, [e["event_id"], ticker, k, date, r["close"], price,
                                            r["at_limit"], f"closed at the {r['limit']:.0%} limit"])))
    return pd.DataFrame(rows, columns=cols)
