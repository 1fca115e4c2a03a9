"""Sufficient statistics of the cross-event tests: sums over a part of the sample that add up.

A sample split into partitions (events by ticker, :mod:`analysis.core.distributed`) gives for
each partition the sums below; the partitions' sums are added and the tests of
:mod:`analysis.core.statistics` are finished from the totals, with the same formula as there
(each finishing step names the function it mirrors), except those of :func:`gathered_tests`. ``tests/test_distributed.py`` checks every
statistic against the single-process :func:`analysis.core.statistics.run_tests` to 1e-10.

What one partition gives, per tested window and per group (``G`` groups, ``Le`` estimation
days, ``L`` days in the window):

* counts, and the mean and centred sum of squares of CAR and SCAR (Chan, Golub & LeVeque
  1983 update: ``M2 = M2_a + M2_b + delta^2 n_a n_b / n``, exact up to rounding, no
  cancellation): cross-sectional t and BMP t;
* ``sum SCAR`` and ``sum (M_i - k) / (M_i - k - 2)``: Patell z;
* column sums and counts of the estimation residuals (G, Le) and of the window's ARs (G, L):
  the crude dependence adjustment;
* positive CARs and the sum of each event's share of positive residuals: sign tests;
* per (group, calendar date) the sum of standardised residuals and the number of events, per
  group the number of residuals: Kolari-Pynnonen r-bar by the calendar-sum identity;
* per (group, day) sums and counts of the signs ``sign(AR_it - median_i)`` over the
  estimation and event window: the Corrado-Zivney sign test;
* second round, once the cross-sectional sd of SCAR of every group is known (GRANK ranks
  ``SCAR / sd``): per (group, day) sums and counts of the centred standardised ranks of
  Corrado and GRANK.

The N CARs (Wilcoxon), the residuals of groups of at most ``KP_EXACT_MAX_EVENTS`` events
(exact r-bar) and, for the skewness-corrected t, the jackknife and the resampling tests, each
tested event's CAR, SCAR and window start date cannot be summed; the caller gathers them
(:func:`gathered_tests` finishes those tests from them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .arrays import EventArrays, rows_of
from .blocks import blocks, map_blocks, sum_blocks
from .statistics import (KP_EXACT_MAX_EVENTS, TestResult, _cda_sd, _col_sums, _div, _kp_factor, _normal, _patell_var, _rank_block,
                         _rank_stat_sums, _resampled_t, _standardise_rows, _student, jackknife_t, kp_rbar, skew_t,
                         window_sample, wilcoxon)

#: (group, date) keys of the calendar sums: group * DATE_SPAN + days since 1970
DATE_SPAN = np.int64(1) << 32


def _bincount(codes, weights, g):
    return np.bincount(codes, weights=np.asarray(weights, float), minlength=g)


# --------------------------------------------------------------------------- building blocks

@dataclass(frozen=True)
class Moments:
    """Per group: count, mean, centred sum of squares ``M2`` and largest absolute value."""

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    absmax: np.ndarray

    @classmethod
    def of(cls, x, codes, g) -> "Moments":
        x = np.asarray(x, float)
        n = np.bincount(codes, minlength=g).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, _bincount(codes, x, g) / np.where(n > 0, n, 1.0), 0.0)
        absmax = np.zeros(g)
        finite = np.isfinite(x)
        np.maximum.at(absmax, codes[finite], np.abs(x[finite]))
        return cls(n, mean, _bincount(codes, (x - mean[codes]) ** 2, g), absmax)

    def __add__(self, other: "Moments") -> "Moments":
        n = self.n + other.n
        share = np.where(n > 0, other.n / np.where(n > 0, n, 1.0), 0.0)
        delta = other.mean - self.mean
        return Moments(n, self.mean + delta * share, self.m2 + other.m2 + delta * delta * self.n * share,
                       np.maximum(self.absmax, other.absmax))

    def var(self) -> np.ndarray:
        """Sample variance (ddof 1) as ``_gmean_var`` gives it: 0 when it is only the rounding
        noise of identical values (below ``(32 eps max|x|)^2``), NaN for fewer than two values."""
        var = _div(self.m2, self.n - 1.0)
        var = np.where(var <= (32 * np.finfo(float).eps * self.absmax) ** 2, 0.0, var)
        return np.where(self.n > 1, var, np.nan)

    def t(self) -> tuple[np.ndarray, np.ndarray]:
        """``mean / (sd / sqrt(n))`` and its p-value, Student t with n - 1 df (:func:`csect_t`)."""
        mean = np.where(self.n > 0, self.mean, np.nan)
        return _student(_div(mean, np.sqrt(self.var() / self.n)), self.n - 1)


@dataclass(frozen=True)
class CalendarSums:
    """Sums over the events of each (group, calendar date) of the standardised estimation
    residuals ``u`` (``s1``) and the number of events with a residual (``nd``), keyed by
    ``group * DATE_SPAN + date``; per group the number of standardised residuals (``sum_sq``,
    the sum of u^2). The input of :func:`analysis.core.statistics._rbar_identity`."""

    keys: np.ndarray
    s1: np.ndarray
    nd: np.ndarray
    sum_sq: np.ndarray

    @classmethod
    def of(cls, est_ar, est_dates, codes, g) -> "CalendarSums":
        """The usable cells are the finite residuals with a date (as ``_Valid``); each row is
        standardised over its own cells (:func:`_standardise_rows`)."""
        est_ar = np.asarray(est_ar, float)
        dates = np.asarray(est_dates, dtype=np.int64)
        u, okb = _standardise_rows(est_ar, np.isfinite(est_ar) & (dates >= 0))
        sum_sq = _bincount(codes, okb.sum(axis=1), g)
        rows, cols = np.nonzero(okb)
        if not len(rows):
            empty = np.zeros(0)
            return cls(np.zeros(0, np.int64), empty, empty, sum_sq)
        d = dates[rows, cols]
        lo, hi = int(d.min()), int(d.max())
        span = hi - lo + 1
        if g * span <= 4 * len(rows) + 100_000:      # dense calendar: one bincount
            key = codes[rows].astype(np.int64) * span + (d - lo)
            s1 = np.bincount(key, weights=u[rows, cols], minlength=g * span)
            nd = np.bincount(key, minlength=g * span).astype(float)
            hit = np.flatnonzero(nd)
            keys = (hit // span) * DATE_SPAN + lo + hit % span
            return cls(keys.astype(np.int64), s1[hit], nd[hit], sum_sq)
        keys, inverse = np.unique(codes[rows].astype(np.int64) * DATE_SPAN + d, return_inverse=True)
        return cls(keys, np.bincount(inverse, weights=u[rows, cols]),
                   np.bincount(inverse).astype(float), sum_sq)

    def __add__(self, other: "CalendarSums") -> "CalendarSums":
        keys, inverse = np.unique(np.concatenate([self.keys, other.keys]), return_inverse=True)
        return CalendarSums(keys, np.bincount(inverse, weights=np.concatenate([self.s1, other.s1])),
                            np.bincount(inverse, weights=np.concatenate([self.nd, other.nd])),
                            self.sum_sq + other.sum_sq)

    def rbar(self) -> np.ndarray:
        """Per group, r-bar by the calendar-sum identity (:func:`_rbar_identity`):
        ``(sum_d s1_d^2 - sum u^2) / sum_d (n_d^2 - n_d)``, 0 when no pair shares a date."""
        g = len(self.sum_sq)
        group = (self.keys // DATE_SPAN).astype(np.intp)
        num = _bincount(group, self.s1 * self.s1, g) - self.sum_sq
        den = _bincount(group, self.nd * self.nd - self.nd, g)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def cda_sd_from_sums(est_sum, est_cnt):
    """Crude-dependence-adjustment sd of the AAR and its df per group from the column sums and
    counts of the estimation residuals (:func:`analysis.core.statistics.cda_sd`): the
    one-process function itself, so both runs share it."""
    return _cda_sd(est_sum, est_cnt)


def _add(a, b):
    """Field by field: arrays add, Moments and CalendarSums merge."""
    return type(a)(**{f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(a)})


# --------------------------------------------------------------------------- AAR and CAAR

@dataclass(frozen=True)
class AarSums:
    """Per group, over every studied event (not only those tested in a window): the event
    window's AR column sums and non-missing counts (G, Lw) and the estimation residuals'
    column sums and counts (G, Le): what :meth:`EventStudyResult.aar` reads."""

    n: np.ndarray
    evt_sum: np.ndarray
    evt_cnt: np.ndarray
    est_sum: np.ndarray
    est_cnt: np.ndarray

    @classmethod
    def of(cls, arrays: EventArrays, codes, g) -> "AarSums":
        pick = codes >= 0
        c = codes[pick]
        evt = np.asarray(arrays.evt_ar, float)[pick]
        est = np.asarray(arrays.est_ar, float)[pick]
        lw = evt.shape[1]
        key = (c[:, None] * lw + np.arange(lw)[None, :]).ravel()
        present = ~np.isnan(evt)
        evt_sum = np.bincount(key, weights=np.where(present, evt, 0.0).ravel(), minlength=g * lw)
        evt_cnt = np.bincount(key, weights=present.ravel().astype(float), minlength=g * lw)
        est_sum, est_cnt = _col_sums(est, c, g) if len(c) else (np.zeros((g, est.shape[1])),) * 2
        return cls(np.bincount(c, minlength=g).astype(float), evt_sum.reshape(g, lw),
                   evt_cnt.reshape(g, lw), est_sum, est_cnt)

    __add__ = _add


# --------------------------------------------------------------------------- one window

@dataclass(frozen=True)
class WindowSums:
    """The sums of one window and one grouping (see the module docstring)."""

    n: np.ndarray
    car: Moments
    scar: Moments
    scar_sum: np.ndarray
    patell_var: np.ndarray
    est_sum: np.ndarray
    est_cnt: np.ndarray
    win_sum: np.ndarray
    win_cnt: np.ndarray
    span_sum: np.ndarray        # sessions spanned by the window's ARs (trade-to-trade returns)
    span_cnt: np.ndarray
    multi: np.ndarray           # (1,): partitions with multi-session returns (0: every AR one session)
    positive: np.ndarray
    positive_share: np.ndarray
    calendar: CalendarSums
    cz_sum: np.ndarray          # Corrado-Zivney signs per (group, day): estimation + event window
    cz_cnt: np.ndarray

    __add__ = _add


@dataclass(frozen=True)
class Tested:
    """The events of one partition tested in a window, in one grouping: their rows among the
    studied events, group codes, CARs, SCARs and estimation residuals."""

    rows: np.ndarray
    codes: np.ndarray
    cols: slice
    car: np.ndarray
    scar: np.ndarray
    window_ar: np.ndarray
    est_ar: np.ndarray


def tested(arrays: EventArrays, window, codes_all) -> Tested:
    """The events tested in ``window`` (:func:`analysis.core.statistics.window_sample`) whose
    group code is not negative (a negative code: the event is in no group of this grouping)."""
    ws = window_sample(arrays, window)
    keep = ws.keep & (np.asarray(codes_all) >= 0)
    sel = keep[ws.keep]
    est = np.asarray(arrays.est_ar, float)
    cols = arrays.columns(*(int(x) for x in window))
    return Tested(np.flatnonzero(keep), np.asarray(codes_all)[keep].astype(np.intp), cols, ws.car[sel],
                  ws.scar[sel], ws.window_ar[sel], est if keep.all() else est[keep])


def row_medians(arrays: EventArrays) -> np.ndarray:
    """Each studied event's median abnormal return over the estimation and the whole event
    window (missing days left out): the centre of the Corrado-Zivney signs, as
    :func:`analysis.core.statistics.cz_sign_z` takes it. One pass per partition; every window
    then needs only ``sign(AR_it - median_i)``."""
    est, evt = arrays.est_ar, arrays.evt_ar

    def block(rows):
        x = np.concatenate([np.asarray(est[rows], float), np.asarray(evt[rows], float)], axis=1)
        if not len(x):
            return np.zeros(0)
        with np.errstate(invalid="ignore"):
            return np.median(x, axis=1) if np.isfinite(x.sum()) else np.nanmedian(x, axis=1)

    return np.concatenate(map_blocks(block, blocks(arrays.n)))


def cz_sums(arrays: EventArrays, t: Tested, g: int, medians=None) -> tuple[np.ndarray, np.ndarray]:
    """Per-group column sums and counts (G, Le + Lw) of the Corrado-Zivney signs
    ``sign(AR_it - median_i)`` of the tested events ``t`` over the estimation and event window
    (:func:`analysis.core.statistics.cz_sign_z`); ``medians``: :func:`row_medians` of the
    partition (computed when not given). The signs are -1, 0 or 1: their sums are exact, in
    any order."""
    le, lw = np.shape(arrays.est_ar)[1], np.shape(arrays.evt_ar)[1]
    if not len(t.codes):
        return np.zeros((g, le + lw)), np.zeros((g, le + lw))
    med = (row_medians(arrays) if medians is None else np.asarray(medians, float))[t.rows]
    evt = np.asarray(arrays.evt_ar, float)[t.rows]
    with np.errstate(invalid="ignore"):
        signs = np.sign(np.concatenate([t.est_ar, evt], axis=1) - med[:, None])
    return _col_sums(signs, t.codes, g)


def window_sums(arrays: EventArrays, t: Tested, g: int, medians=None) -> WindowSums:
    """The first-round sums of the tested events ``t`` (:func:`tested`), ``g`` groups;
    ``medians``: the partition's :func:`row_medians` (computed when not given)."""
    c = t.codes
    m = np.asarray(arrays.m, float)[t.rows]
    est = t.est_ar
    sessions = getattr(arrays, "evt_sessions", None)
    spans = np.ones(t.window_ar.shape) if sessions is None else np.asarray(sessions, float)[t.rows][:, t.cols]
    spans = np.where(np.isfinite(t.window_ar), spans, np.nan)
    if len(c):
        est_sum, est_cnt = _col_sums(est, c, g)
        win_sum, win_cnt = _col_sums(t.window_ar, c, g)
        span_sum, span_cnt = _col_sums(spans, c, g)
    else:
        est_sum = est_cnt = np.zeros((g, est.shape[1]))
        win_sum = win_cnt = span_sum = span_cnt = np.zeros((g, t.window_ar.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):     # generalized_sign_z's p_hat terms
        share = np.count_nonzero(est > 0, axis=1) / np.isfinite(est).sum(axis=1)
    dates = np.asarray(rows_of(arrays.est_dates, t.rows)) if len(c) else np.zeros(est.shape, np.int64)
    cz_sum, cz_cnt = cz_sums(arrays, t, g, medians)
    return WindowSums(
        n=np.bincount(c, minlength=g).astype(float),
        car=Moments.of(t.car, c, g), scar=Moments.of(t.scar, c, g),
        scar_sum=_bincount(c, t.scar, g), patell_var=_bincount(c, _patell_var(m, arrays.k), g),
        est_sum=est_sum, est_cnt=est_cnt, win_sum=win_sum, win_cnt=win_cnt, span_sum=span_sum,
        span_cnt=span_cnt, multi=np.array([0.0 if sessions is None else 1.0]),
        positive=_bincount(c, t.car > 0, g), positive_share=_bincount(c, share, g),
        calendar=CalendarSums.of(est, dates, c, g), cz_sum=cz_sum, cz_cnt=cz_cnt)


@dataclass(frozen=True)
class RankSums:
    """Second round: per (group, day) sums and counts of the centred standardised ranks of
    Corrado (estimation + event window, (G, Le + Lw)) and GRANK (estimation + GSAR, (G, Le + 1))."""

    c_sum: np.ndarray
    c_cnt: np.ndarray
    g_sum: np.ndarray
    g_cnt: np.ndarray

    __add__ = _add


def rank_sums(arrays: EventArrays, t: Tested, g: int, scar_var) -> RankSums:
    """Rank sums of the tested events ``t``; ``scar_var``: per group, the cross-sectional
    variance of SCAR over the *whole* sample (the first round's total), by which GRANK scales
    SCAR (``GSAR = SCAR / sd``, :func:`analysis.core.statistics.grank_t`)."""
    le, lw = np.shape(arrays.est_ar)[1], np.shape(arrays.evt_ar)[1]
    if not len(t.codes):
        return RankSums(np.zeros((g, le + lw)), np.zeros((g, le + lw)), np.zeros((g, le + 1)),
                        np.zeros((g, le + 1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        evt_sar = np.asarray(arrays.evt_ar)[t.rows] / np.asarray(arrays.evt_ar_sd)[t.rows]
    gsar = _div(t.scar, np.sqrt(np.asarray(scar_var, float))[t.codes])
    s = np.asarray(arrays.s, float)[t.rows]
    c = t.codes
    return RankSums(*sum_blocks(lambda rows: _rank_block(t.est_ar[rows], evt_sar[rows], gsar[rows], c[rows],
                                                         g, s[rows]), len(c)))


# --------------------------------------------------------------------------- finishing

def small_groups(n) -> np.ndarray:
    """Groups whose r-bar is the exact mean pairwise correlation (1 to ``KP_EXACT_MAX_EVENTS``
    tested events, :func:`analysis.core.statistics.kp_rbar`): their residuals are gathered."""
    n = np.asarray(n)
    return (n > 0) & (n <= KP_EXACT_MAX_EVENTS)


def rbar_of(calendar: CalendarSums, n, small=None) -> np.ndarray:
    """r-bar per group as :func:`analysis.core.statistics.kp_rbar` (``method="auto"``) gives it:
    the calendar-sum identity for large groups; for the :func:`small_groups`, ``small`` =
    (residuals, their dates, group codes) of *all* their tested events, gathered from the
    partitions, and ``kp_rbar`` on them (exact, or the identity when they share their dates)."""
    out = calendar.rbar()
    if small is not None and len(small[2]):
        est, dates, codes = small
        exact = np.zeros(len(out))
        found = np.atleast_1d(kp_rbar(est, dates, np.asarray(codes, np.intp), method="auto"))
        exact[:len(found)] = found
        out = np.where(small_groups(n), exact, out)
    return out


def finish_tests(w: WindowSums, ranks: RankSums, rbar, k: int, cols: slice, cars, codes) -> dict[str, TestResult]:
    """The tests of :data:`analysis.core.statistics.TEST_NAMES` per group from the totals: all
    but those of :func:`gathered_tests`.

    ``rbar``: r-bar per group (identity from ``w.calendar`` or exact from gathered residuals);
    ``cars``/``codes``: the gathered CARs of the tested events and their groups (Wilcoxon).
    Each line follows the function of :mod:`analysis.core.statistics` it is named after.
    """
    n = w.n
    g = len(n)
    ni = n.astype(int)
    rbar = np.asarray(rbar, float)
    le = w.est_sum.shape[1]
    out = {"csect_t": TestResult(*w.car.t(), ni)}
    sd, df = cda_sd_from_sums(w.est_sum, w.est_cnt)
    caar = np.sum(_div(w.win_sum, w.win_cnt), axis=1)
    n_win = np.sum(_div(w.span_sum, w.span_cnt), axis=1) if w.multi[0] > 0 else w.win_sum.shape[1]
    out["cda_t"] = TestResult(*_student(_div(caar, np.sqrt(n_win) * sd), df), ni)
    patell = _div(w.scar_sum, np.sqrt(w.patell_var))
    out["patell_z"] = TestResult(*_normal(patell), ni)
    bmp, bmp_p = w.scar.t()
    out["bmp_t"] = TestResult(bmp, bmp_p, ni)
    out["kp_patell_z"] = TestResult(*_normal(_div(patell, np.sqrt(_kp_factor(rbar, n)))), ni)
    out["kp_bmp_t"] = TestResult(*_student(bmp * np.sqrt(_div(1.0 - rbar, _kp_factor(rbar, n))), n - 1), ni)
    event_cols = np.arange(le, ranks.c_sum.shape[1])[cols]
    cz, _ = _rank_stat_sums(ranks.c_sum, ranks.c_cnt, n, event_cols)
    gz, days = _rank_stat_sums(ranks.g_sum, ranks.g_cnt, n, np.array([le]))
    with np.errstate(invalid="ignore"):
        gt = gz * np.sqrt(_div(days - 2.0, days - 1.0 - gz * gz))
    out["corrado_rank_z"] = TestResult(*_normal(cz), ni)
    out["grank_t"] = TestResult(*_student(gt, days - 2.0), ni)
    out["sign_z"] = TestResult(*_normal(_div(w.positive - 0.5 * n, np.sqrt(0.25 * n))), ni)
    phat = _div(w.positive_share, n)
    out["generalized_sign_z"] = TestResult(
        *_normal(_div(w.positive - n * phat, np.sqrt(n * phat * (1.0 - phat)))), ni)
    codes = np.asarray(codes, np.intp)
    res = wilcoxon(np.asarray(cars, float), codes) if len(codes) else None
    stat, p, cnt = np.full(g, np.nan), np.full(g, np.nan), np.zeros(g, int)
    if res is not None:
        j = len(res.statistic)
        stat[:j], p[:j], cnt[:j] = res.statistic, res.p_value, res.n_events
    out["wilcoxon"] = TestResult(stat, p, cnt)
    z, _ = _rank_stat_sums(w.cz_sum, w.cz_cnt, n, np.arange(le, w.cz_sum.shape[1])[cols])     # cz_sign_z
    out["cz_sign_z"] = TestResult(*_normal(z), ni)
    return out


#: the tests finished from gathered per-event values (:func:`gathered_tests`)
GATHERED_TESTS = ("skew_t", "jackknife_t", "boot_csect_t", "boot_bmp_t", "permutation_t")


def gathered_tests(car, scar, clusters, codes, g: int, draws: int, seed: int) -> dict[str, TestResult]:
    """The skewness-corrected t, the jackknife t and the three resampling tests per group from
    the gathered values of the tested events: CAR, SCAR and the calendar date the window starts
    (the jackknife's cluster), group codes 0..g-1, **in the order of the single-process run**
    (the resampling tests give the i-th event of a group the i-th sign of each draw). The calls
    of :func:`analysis.core.statistics.grouped_tests` (its ``_more_tests``): the three
    resampling tests share one draw of the signs, ``draws`` and ``seed`` as there."""
    car, scar = np.asarray(car, float), np.asarray(scar, float)
    codes = np.asarray(codes, np.intp)
    boot_c, boot_b, perm = _resampled_t([car, scar, scar], codes, g, int(draws), int(seed),
                                        center=[True, True, False], exact_small=[False, False, True])
    return {"skew_t": skew_t(car, codes), "jackknife_t": jackknife_t(car, np.asarray(clusters), codes),
            "boot_csect_t": TestResult(*boot_c[:2], boot_c[2].astype(int)),
            "boot_bmp_t": TestResult(*boot_b[:2], boot_b[2].astype(int)),
            "permutation_t": TestResult(*perm[:2], perm[2].astype(int))}
