"""What a study checks in the data before it believes a number (issue "Data you can trust").

The engine (:mod:`analysis.core.engine`) calls these on the concatenated joint series of every
(stock, market) pair; each finding either skips an event with a named reason or puts a warning
on it. Warnings are codes with a one-line detail, gathered in :class:`Notes` and shown in
``diagnostics`` (columns ``warnings`` and ``warning_details``), in the printed summaries, the
HTML report and the figure footers:

============================ =================================================================
``multi_day_returns``        returns spanning several sessions (the stock did not trade in
                             between): modelled trade-to-trade (Maynes & Rumsey 1993)
``gap``                      sessions without a trade in the estimation window
``day0_moved``               day 0 is later than the date asked for (the stock, or the market,
                             did not trade on it)
``jump``                     a one-day price ratio that looks like an unadjusted split or a bad
                             price, kept on request (``jumps="keep"``); small split and bonus
                             ratios (3:2 ... 11:10) need the volumes, so the pipeline finds
                             them (:func:`analysis.data.quality.split_suspects`) and the engine
                             reads them (``suspects=``, :func:`suspect_in_windows`)
``stale``                    bars without a trade (flat, zero volume, close unchanged) in the windows
``limit_day``                a close at the daily price limit in the event window (censored)
``foreign_market``           the benchmark trades on another exchange than the stock
``factor_region``            factor data of another region than the stock's exchange
``same_company``             another studied listing of the same company with the same
                             announcement date (twin listings: one piece of news twice)
``clustered``                the sample is calendar-clustered and this event shares its day 0
                             (:func:`analysis.events.contamination.clustering`)
============================ =================================================================

Skips (the event does not enter any test): ``jump`` (by default), non-finite returns, day 0 more
than ``max_day0_delay`` sessions after the date asked for, gaps over ``max_gap`` sessions or a
share of sessions without a trade over ``max_missing_share`` in the estimation window, and
duplicates (the same ticker and day 0, or identical returns in both windows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.quality import describe_jump, jump_mask

JUMP_POLICIES = ("skip", "keep")


@dataclass
class Notes:
    """Per-event warnings (lists of ``(code, detail)``) and extra diagnostics columns.

    Only the events with a warning hold a list (``rows``: event -> list): a list for every
    event cost 45 ms at 100k events (the garbage collector scanning the new objects), more
    than most steps of the fit. ``items`` is the one-list-per-event view."""

    n: int
    rows: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)

    @property
    def items(self) -> list:
        """Each event's list of ``(code, detail)`` (the held list where there is one, so that
        editing it in place edits the notes)."""
        return [self.rows.get(i, []) for i in range(self.n)]

    def add(self, rows, code: str, details) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if isinstance(details, str):
            details = [details] * len(rows)
        held = self.rows
        for r, d in zip(rows.tolist(), details):
            held.setdefault(r, []).append((code, d))

    def column(self, name: str, rows, values, fill=np.nan, dtype=float) -> None:
        """Set a per-event diagnostics column on ``rows`` (others keep ``fill``)."""
        if name not in self.columns:
            self.columns[name] = np.full(self.n, fill, dtype=dtype)
        self.columns[name][np.asarray(rows, dtype=np.int64)] = values

    def _joined(self, text) -> np.ndarray:
        out = np.full(self.n, "", dtype=object)
        for r, row in self.rows.items():
            out[r] = text(row)
        return out

    def codes(self) -> np.ndarray:
        return self._joined(lambda row: ",".join(dict.fromkeys(c for c, _ in row)))

    def details(self) -> np.ndarray:
        return self._joined(lambda row: "; ".join(f"{c}: {d}" for c, d in row))


def check_jump_policy(jumps: str) -> str:
    from ..errors import InputError

    if jumps not in JUMP_POLICIES:
        raise InputError(f"jumps must be 'skip' or 'keep', got {jumps!r}")
    return jumps


def log_ratio(returns: np.ndarray, kind: str) -> np.ndarray:
    """One-day log price ratios from simple or log returns."""
    r = np.asarray(returns, dtype=float)
    if kind == "log":
        return r
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log1p(r)


def flagged_in_windows(flags: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each window [lo_i, hi_i] of indices, the first flagged index in it, or -1."""
    idx = np.flatnonzero(flags)
    if not len(idx) or not len(lo):
        return np.full(len(lo), -1, dtype=np.int64)
    j = np.searchsorted(idx, lo)
    first = idx[np.minimum(j, len(idx) - 1)]
    return np.where((j < len(idx)) & (first <= hi), first, -1)


def series_problems(g_r, g_m, kind: str, breaks: np.ndarray):
    """Flags over the concatenated series (the sentinel at the end excluded): non-finite
    returns of either leg, and jumps of either leg (:func:`analysis.data.quality.jump_mask`).
    The stock's jumps are judged net of the market's move over the same span, so that a
    market-wide crash and rebound (Hong Kong, 15-16 March 2022) is not taken for a bad price;
    a split shifts the stock's level whatever the market does."""
    body = slice(0, len(g_r) - 1)
    r, m = g_r[body], g_m[body]
    nonfinite = ~np.isfinite(r) | ~np.isfinite(m)
    lr_s, lr_m = log_ratio(r, kind), log_ratio(m, kind)
    with np.errstate(invalid="ignore"):
        jump_s = jump_mask(lr_s - np.where(np.isfinite(lr_m), lr_m, 0.0), breaks)
    jump_m = jump_mask(lr_m, breaks)
    return nonfinite, jump_s, jump_m, lr_s, lr_m


def suspect_in_windows(suspects, pairs, g_d: np.ndarray, breaks: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                       keep_hint: bool = True):
    """Events whose windows (positions ``lo``..``hi`` of the concatenated series, dates ``g_d``
    in days) hold a day of ``suspects[(ticker, market)]`` (dates -> price ratio), the first one:
    ``(rows, texts)``. A window is cut at the end of its pair's series (``breaks``: True where
    a series starts)."""
    starts = np.flatnonzero(np.asarray(breaks, dtype=bool))
    last = len(breaks) - 2                       # the sentinel (no date) at the end excluded
    rows, texts = [], []
    for i, pair in enumerate(pairs):
        found = suspects.get(tuple(pair)) if pair is not None else None
        if found is None or not len(found):
            continue
        k = np.searchsorted(starts, lo[i], side="right")
        end = min(int(hi[i]), (int(starts[k]) - 1) if k < len(starts) else last)
        days = pd.DatetimeIndex(found.index).to_numpy().astype("datetime64[D]").astype(np.int64)
        j = np.searchsorted(days, g_d[lo[i]], side="left")
        if j < len(days) and days[j] <= g_d[end]:
            rows.append(i)
            texts.append(jump_text(pair[0], float(np.log(found.iloc[j])), str(np.datetime64(int(days[j]), "D")),
                                   keep_hint))
    return np.asarray(rows, dtype=np.int64), texts


def jump_text(symbol: str, lr: float, day: str, keep_hint: bool) -> str:
    text = f"{symbol} price {describe_jump(float(np.exp(lr)))} on {day}"
    if keep_hint:
        text += (": an unadjusted split or a bad price; fix the prices, or keep the event with "
                 "--jumps keep (jumps='keep')")
    return text


def window_problems(g_r, g_m, g_d, breaks, lo, hi, names, kind: str, jumps: str):
    """The checks of the returns inside windows of the concatenated joint series (sentinel at
    the end): each window ``[lo_i, hi_i]`` (indices; empty when ``lo_i > hi_i``) is refused for
    its first non-finite return of either leg, then for its first jump of the stock (net of the
    market's move) or of the market (:func:`series_problems`). ``g_d``: the date of each return
    (days since 1970); ``names(i)``: ``(stock, market)`` of window i. The engine runs this over
    each event's estimation and event windows; the long-run measures
    (:mod:`analysis.core.holding`) over the holding window.

    Returns ``(reason, warned, warnings)``: per window the skip reason (None when it passes),
    and the windows and texts of the jumps kept with a warning (``jumps="keep"``)."""
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    reason = np.full(len(lo), None, dtype=object)
    warned, warnings = [], []
    if not len(lo):
        return reason, warned, warnings
    nonfinite, jump_s, jump_m, lr_s, lr_m = series_problems(g_r, g_m, kind, breaks)

    def day(i) -> str:
        return str(np.datetime64(int(g_d[i]), "D"))

    bad = flagged_in_windows(nonfinite, lo, hi)
    for w in np.flatnonzero(bad >= 0):
        i = bad[w]
        symbol = names(w)[0] if not np.isfinite(g_r[i]) else names(w)[1]
        reason[w] = f"non-finite return of {symbol} on {day(i)} (a zero, tiny or huge price)"
    for flags, lr, leg in ((jump_s, lr_s, 0), (jump_m, lr_m, 1)):
        first = flagged_in_windows(flags, lo, hi)
        for w in np.flatnonzero((first >= 0) & pd.isna(reason)):
            text = jump_text(names(w)[leg], lr[first[w]], day(first[w]), jumps == "skip")
            if jumps == "skip":
                reason[w] = f"price jump: {text}"
            else:
                warned.append(w)
                warnings.append(text)
    return reason, warned, warnings


def duplicate_of(keys: pd.DataFrame) -> np.ndarray:
    """For each row, the position of the first earlier row with the same keys, or -1."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    codes = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(codes))).groupby(codes).transform("min").to_numpy()
    return np.where(first < np.arange(len(codes)), first, -1)


def identical_rows(*arrays: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """For each of ``rows`` (default: every row), the first earlier one whose values are
    identical in every array (NaN equal to NaN), or -1 (positions within ``rows``).

    A random projection of the first array's rows finds candidates (give the narrowest array
    first: the projection reads only it), an exact comparison of every array confirms them.
    The projection is a sum over each row's columns in one fixed order (not a matrix product,
    whose kernels may sum rows in different orders), so identical rows get identical keys."""
    rows = np.arange(len(arrays[0])) if rows is None else np.asarray(rows)
    n = len(rows)
    if n < 2:
        return np.full(n, -1, dtype=np.int64)
    rng = np.random.default_rng(20240611)
    weights = rng.standard_normal(int(np.prod(np.shape(arrays[0])[1:])))
    key = np.empty(n)
    for lo in range(0, n, 1 << 16):         # in blocks of rows: no full-size temporaries
        a = np.asarray(arrays[0][rows[lo:lo + (1 << 16)]], dtype=float).reshape(-1, len(weights))
        if np.isfinite(a.sum()):                    # the usual case: nothing to replace, no NaN
            key[lo:lo + len(a)] = (a * weights).sum(axis=1) + 0.0
            continue
        key[lo:lo + len(a)] = (np.nan_to_num(a, nan=0.5, posinf=1e300, neginf=-1e300) * weights).sum(axis=1)
        key[lo:lo + len(a)] += np.isnan(a).sum(axis=1) * np.pi
    out = np.full(n, -1, dtype=np.int64)
    same = (lambda i, j: all(np.array_equal(np.asarray(x)[rows[i]], np.asarray(x)[rows[j]], equal_nan=True)
                             for x in arrays))
    # codes in order of first appearance: a row whose code appeared before has an equal key
    codes = pd.factorize(key, use_na_sentinel=False)[0]
    seen = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))
    earlier: dict[int, list[int]] = {}
    for i in np.flatnonzero(codes <= seen):
        group = earlier.setdefault(codes[i], list(np.flatnonzero(codes[:i] == codes[i])))
        out[i] = next((j for j in group if same(i, j)), -1)
        group.append(i)
    return out
