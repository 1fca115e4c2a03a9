"""Buy-and-hold abnormal returns (BHAR) over long windows, and their tests.

For event i and window ``[t1, t2]`` in trading days after day 0 (e.g. ``(1, 250)``, one year),
the stock is bought at the close of day ``t1 - 1`` and held to the close of day ``t2``:

.. math::

    BHAR_i = \\prod_{t=t1}^{t2} (1 + R_{it}) - \\prod_{t=t1}^{t2} (1 + R_{bt})
           = \\frac{P_{i,t2}}{P_{i,t1-1}} - \\frac{B_{t2}}{B_{t1-1}}

(Barber & Lyon 1997; Lyon, Barber & Tsai 1999, eq. 1), ``P`` the stock's adjusted close and
``B`` the benchmark's level: the event's market index (``benchmark="market"``), another symbol of
the panel, or a reference portfolio given as daily returns (Lyon, Barber & Tsai 1999 use size and
book-to-market reference portfolios). Relative days are counted on the trading days of the
event's market, day 0 being the event study's day 0.

Missing days and delistings. A day inside the window on which the stock has no price (a
suspension, a gap in the file) carries its last price: the buy-and-hold return over the gap is
the ratio of the prices on both sides of it (trade to trade), and the day is counted in
``missing_days``. When the stock's prices end inside the window while the market goes on
(delisting, a suspension to the end of the data, or the end of the stock's file: the data
cannot tell which; no delisting return is known), ``delisting`` decides:
``"benchmark"`` (default) reinvests the last value in the benchmark from the last price on, so
the abnormal return stops growing (the proceeds earn the benchmark; as Lyon, Barber & Tsai
1999 fill a delisted firm's returns with its reference portfolio's); ``"truncate"`` ends both
legs at the last price; ``"skip"`` leaves the event out. Either way the event is flagged
``delisted`` with its ``last_price_date``. A window that runs past the end of the market's data
is not shortened: the event is skipped with that reason.

Tests across the N events (two-sided p-values):

* ``t``: the conventional t, ``mean(BHAR) / (sd(BHAR) / sqrt(N))``, Student t with N - 1 df;
* ``skew_adj_t``: the skewness-adjusted t of Johnson (1978) as used by Lyon, Barber & Tsai
  (1999, eq. 5): ``t_sa = sqrt(N) (S + gamma S^2 / 3 + gamma / (6 N))``, ``S = mean / sd``,
  ``gamma = sum (BHAR_i - mean)^3 / (N sd^3)`` (sd with ddof 1), Student t with N - 1 df;
  long-run BHARs are positively skewed, which biases the conventional t;
* ``boot_skew_adj_t``: the same statistic with its distribution from the bootstrap of Lyon,
  Barber & Tsai (1999, following Sutton 1993): ``n_boot`` (1,000) resamples of size
  ``n_b = N / 4`` drawn with replacement, each giving ``t_sa^b`` with
  ``S^b = (mean^b - mean) / sd^b`` (centred on the sample mean: the null holds in the
  resamples), the critical values of ``t_sa`` the percentiles of the ``t_sa^b``; p =
  2 min(P(t^b <= t_sa), P(t^b >= t_sa)). The resample size ``N / 4`` is LBT's (at least 3);
  it makes the bootstrap distribution match the sample statistic's better than ``N``;
* ``sign_z`` and ``wilcoxon`` on the BHARs (:mod:`analysis.core.statistics`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, WindowError
from . import statistics as st
from .holding import holding_checks, study_events
from .summary import ticker_text

DELISTING = ("benchmark", "truncate", "skip")
DEFAULT_BHAR_WINDOW = (1, 250)
DEFAULT_BOOTSTRAP = 1000
BHAR_TESTS = ("t", "skew_adj_t", "boot_skew_adj_t", "sign_z", "wilcoxon")


def skewness_adjusted_t(x, n=None) -> tuple[float, float, float]:
    """``(t_sa, S, gamma)`` of Lyon, Barber & Tsai (1999, eq. 5) for the sample ``x``
    (see the module docstring); ``n`` the sample size in the formula (default ``len(x)``)."""
    x = np.asarray(x, float)
    n = len(x) if n is None else n
    mean = x.mean()
    sd = x.std(ddof=1)
    s = mean / sd
    gamma = np.sum((x - mean) ** 3) / (len(x) * sd ** 3)
    return float(np.sqrt(n) * (s + gamma * s * s / 3.0 + gamma / (6.0 * n))), float(s), float(gamma)


def bootstrap_skewness_adjusted(x, *, n_boot: int = DEFAULT_BOOTSTRAP, size: int | None = None,
                                seed=0) -> tuple[float, float]:
    """``(t_sa, p)``: the skewness-adjusted t of ``x`` and its bootstrap p-value (Lyon, Barber &
    Tsai 1999), resamples of ``size`` (default ``max(N // 4, 3)``); see :func:`grouped_bhar_tests`."""
    r = grouped_bhar_tests(x, n_boot=n_boot, size=size, seed=seed)["boot_skew_adj_t"]
    return float(r.statistic), float(r.p_value)


def skew_adjusted_t(x, groups=None) -> st.TestResult:
    """The skewness-adjusted t of Johnson (1978) (Lyon, Barber & Tsai 1999, eq. 5), per group:
    ``t_sa = sqrt(n) (S + gamma S^2 / 3 + gamma / (6 n))``, ``S = mean / sd``,
    ``gamma = sum (x - mean)^3 / (n sd^3)`` (sd with ddof 1); two-sided p from Student t with
    n - 1 df. NaN for groups of fewer than three values."""
    x = np.asarray(x, float)
    codes, g = st._codes(groups, len(x))
    n = st._gcount(codes, g)
    small = n < 3
    with np.errstate(invalid="ignore", divide="ignore"):
        mean, var, _ = st._gmean_var(x, codes, g)
        sd = np.sqrt(var)
        s = mean / sd
        gamma = st._gsum((x - mean[codes]) ** 3, codes, g) / (n * sd ** 3)
        t_sa = np.sqrt(n) * (s + gamma * s * s / 3.0 + gamma / (6.0 * n))
    t_sa = np.where(small, np.nan, t_sa)
    p_sa = np.where(small, np.nan, 2.0 * stats.t.sf(np.abs(t_sa), np.where(small, 1, n - 1)))
    return st._result(t_sa, p_sa, n, groups is None)


def grouped_bhar_tests(x, groups=None, *, n_boot: int = DEFAULT_BOOTSTRAP, size: int | None = None,
                       seed=0) -> dict[str, st.TestResult]:
    """Every BHAR test for every group at once: ``{name: TestResult}`` (arrays per group when
    ``groups`` are given, codes or labels per event; scalars otherwise). Groups of fewer than
    three events get NaN.

    The bootstrap draws, for every group at once, ``n_boot`` resamples of ``n_b = size`` or
    ``max(n_g // 4, 3)`` events with replacement (one uniform number per draw, ``floor(u n_g)``
    the event drawn: ``numpy.random.default_rng(seed).random((G, n_boot, max n_b))``);
    resamples of a single repeated value have no statistic and are left out of the p-value.
    """
    x = np.asarray(x, float)
    codes, g = st._codes(groups, len(x))
    n = st._gcount(codes, g)
    small = n < 3
    sa = skew_adjusted_t(x, codes)
    t_sa, p_sa = np.asarray(sa.statistic, float), np.asarray(sa.p_value, float)
    mean = st._gsum(x, codes, g) / np.maximum(n, 1)
    # the bootstrap, every group at once (in chunks of groups that keep the draws small)
    order = np.argsort(codes, kind="stable")
    xs = x[order]
    first = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64)
    nb = (np.full(g, int(size)) if size is not None else np.maximum(n // 4, 3)).astype(np.int64)
    nb = np.where(small, 0, nb)
    width = max(int(nb.max()) if g else 0, 1)
    rng = np.random.default_rng(seed)
    p_boot = np.full(g, np.nan)
    chunk = max(1, 20_000_000 // max(int(n_boot) * width, 1))
    for lo in range(0, g, chunk):
        hi = min(g, lo + chunk)
        u = rng.random((hi - lo, int(n_boot), width))
        idx = first[lo:hi, None, None] + np.floor(u * n[lo:hi, None, None]).astype(np.int64)
        use = np.arange(width)[None, None, :] < nb[lo:hi, None, None]
        draw = np.where(use, xs[np.minimum(idx, len(xs) - 1)] if len(xs) else 0.0, 0.0)
        k = nb[lo:hi, None].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mb = draw.sum(axis=2) / k
            dev = np.where(use, draw - mb[:, :, None], 0.0)
            sdb = np.sqrt((dev * dev).sum(axis=2) / (k - 1))
            sb = (mb - mean[lo:hi, None]) / sdb
            gb = (dev * dev * dev).sum(axis=2) / (k * sdb ** 3)
            tb = np.sqrt(k) * (sb + gb * sb * sb / 3.0 + gb / (6.0 * k))
        fin = np.isfinite(tb)
        cnt = fin.sum(axis=1)
        t0 = t_sa[lo:hi, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            below = (fin & (tb <= t0)).sum(axis=1) / cnt
            above = (fin & (tb >= t0)).sum(axis=1) / cnt
        p = np.minimum(2.0 * np.minimum(below, above), 1.0)
        p_boot[lo:hi] = np.where((cnt > 0) & np.isfinite(t_sa[lo:hi]), p, np.nan)
    scalar = groups is None
    return {"t": st.csect_t(x, None if scalar else codes),
            "skew_adj_t": st._result(t_sa, p_sa, n, scalar),
            "boot_skew_adj_t": st._result(t_sa, p_boot, n, scalar),
            "sign_z": st.sign_z(x, None if scalar else codes),
            "wilcoxon": st.wilcoxon(x, None if scalar else codes)}


def carry(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(carried, last_row)`` of a (rows x columns) array: the last finite value on or before
    each row (NaN before a column's first value), the level carried over days without a price;
    and the row of each column's last finite value (-1 for an empty column)."""
    values = np.asarray(values, dtype=float)
    n_rows = values.shape[0]
    has = np.isfinite(values)
    idx = np.where(has, np.arange(n_rows)[:, None], -1)
    np.maximum.accumulate(idx, axis=0, out=idx)
    carried = np.where(idx >= 0, values[np.maximum(idx, 0), np.arange(values.shape[1])[None, :]], np.nan)
    last_row = np.where(has.any(axis=0), n_rows - 1 - np.argmax(has[::-1], axis=0), -1)
    return carried, last_row


def wealth(panel: pd.DataFrame, kind: str = "prices", returns_kind: str = "simple") -> pd.DataFrame:
    """Levels to compound: prices as they are; returns cumulated into a wealth index from each
    column's first return to its last (a missing return inside that span is a day without a
    price: its level carries over, so the next return covers it)."""
    if kind == "prices":
        return panel.astype(float)
    r = panel.astype(float)
    has = r.notna()
    inside = (has.cumsum() > 0) & (has[::-1].cumsum()[::-1] > 0)   # first to last return
    growth = np.exp(r.fillna(0.0)) if returns_kind == "log" else 1.0 + r.fillna(0.0)
    level = growth.where(inside).cumprod()
    return level.where(inside)


class BHARResult:
    """BHARs of a sample over one window, with their paths, tests and reasons.

    - ``table``: one row per event given: ``event_id, ticker, benchmark, status, reason, day0,
      start_date`` (the close bought), ``end_date``, ``days``, ``stock_days``, ``missing_days``,
      ``delisted``, ``last_price_date``, ``bh_return``, ``bh_benchmark``, ``bhar``,
      ``warnings`` (inside the holding window: a price jump kept, a halt; :mod:`analysis.core.holding`)
      (+ ``group``);
    - ``bhar``: the studied events' rows (status ok);
    - ``path()``: mean BHAR by relative day with a 95% band (cross-sectional sd);
    - ``paths``: the studied events' BHAR after each day (long frame);
    - ``tests(group=None)``: :data:`BHAR_TESTS`;
    - ``summary()``.
    """

    def __init__(self, table: pd.DataFrame, paths: np.ndarray, window: tuple[int, int], settings: dict):
        self.table = table
        self._paths = paths            # (N ok, L): BHAR after each day of the window
        self.window = window
        self.settings = settings

    @property
    def bhar(self) -> pd.DataFrame:
        return self.table[self.table["status"] == "ok"].reset_index(drop=True)

    @property
    def diagnostics(self) -> pd.DataFrame:
        return self.table

    @property
    def n_ok(self) -> int:
        return int((self.table["status"] == "ok").sum())

    @cached_property
    def paths(self) -> pd.DataFrame:
        ok = self.bhar
        t1, t2 = self.window
        n, length = self._paths.shape
        return pd.DataFrame({"event_id": np.repeat(ok["event_id"].to_numpy(dtype=object), length),
                             "relative_day": np.tile(np.arange(t1, t2 + 1), n),
                             "bhar": self._paths.ravel()})

    def _rows(self, group) -> np.ndarray:
        ok = self.bhar
        if group is None:
            return np.ones(len(ok), dtype=bool)
        if "group" not in ok.columns:
            raise InputError(f"group {group!r} asked for, but the events have no 'group' column")
        mask = (ok["group"] == group).to_numpy()
        if not mask.any():
            raise InputError(f"no event with a BHAR in group {group!r}")
        return mask

    def path(self, group=None) -> pd.DataFrame:
        """``relative_day, n, mean_bhar, median_bhar, se, lo, hi``: the mean BHAR after each
        day of the window across events, band mean +- t(0.975, n - 1) sd / sqrt(n)."""
        x = self._paths[self._rows(group)]
        t1, t2 = self.window
        n = np.sum(np.isfinite(x), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nanmean(x, axis=0) if len(x) else np.full(x.shape[1], np.nan)
            sd = np.nanstd(x, axis=0, ddof=1) if len(x) > 1 else np.full(x.shape[1], np.nan)
            se = sd / np.sqrt(n)
            q = stats.t.ppf(0.975, np.where(n > 1, n - 1, np.nan))
        return pd.DataFrame({"relative_day": np.arange(t1, t2 + 1), "n": n, "mean_bhar": mean,
                             "median_bhar": np.nanmedian(x, axis=0) if len(x) else np.nan,
                             "se": se, "lo": mean - q * se, "hi": mean + q * se})

    def tests(self, group=None, *, n_boot: int | None = None, seed=None) -> pd.DataFrame:
        """The tests of mean BHAR = 0 (module docstring), indexed by name: ``statistic,
        p_value, n_events``. ``n_boot``/``seed`` override the bootstrap settings."""
        x = self.bhar["bhar"].to_numpy(dtype=float)[self._rows(group)]
        x = x[np.isfinite(x)]
        res = grouped_bhar_tests(x, np.zeros(len(x), dtype=np.intp), size=self.settings.get("resample_size"),
                                 n_boot=self.settings["n_boot"] if n_boot is None else n_boot,
                                 seed=self.settings["seed"] if seed is None else seed)
        return pd.DataFrame({"statistic": [float(res[k].statistic[0]) if len(x) else np.nan for k in BHAR_TESTS],
                             "p_value": [float(res[k].p_value[0]) if len(x) else np.nan for k in BHAR_TESTS],
                             "n_events": len(x)}, index=pd.Index(BHAR_TESTS, name="test"))

    def summary(self) -> str:
        s = self.settings
        t1, t2 = self.window
        d = self.table
        ok = self.bhar
        lines = [f"Buy-and-hold abnormal returns over [{t1}, {t2}] (trading days of the market after "
                 f"day 0) against {s['benchmark_text']}; delisted: {s['delisting']}",
                 f"Events: {len(d)} given, {len(ok)} with a BHAR, {len(d) - len(ok)} skipped"]
        for _, r in d[d["status"] != "ok"].head(10).iterrows():
            lines.append(f"  skipped {r['event_id']} ({ticker_text(r['ticker'])}): {r['reason']}")
        if len(d) - len(ok) > 10:
            lines.append(f"  ... {len(d) - len(ok) - 10} more (table)")
        if not len(ok):
            return "\n".join(lines)
        n_del = int(ok["delisted"].sum())
        n_miss = int((ok["missing_days"] > 0).sum())
        if n_del:
            lines.append(f"  {n_del} event(s) whose prices end inside the window (delisted, suspended or "
                         f"end of file): {s['delisting_text']}")
        if n_miss:
            lines.append(f"  {n_miss} event(s) with days without a price inside the window "
                         f"({int(ok['missing_days'].sum())} days; price carried, trade to trade)")
        warned = ok.loc[ok["warnings"].fillna("") != "", "warnings"]
        for text in warned.head(5):
            lines.append(f"  warning: {text}")
        if len(warned) > 5:
            lines.append(f"  ... {len(warned) - 5} more events with warnings (table, warnings)")
        if len(ok) == 1:
            r = ok.iloc[0]
            lines.append(f"  {r['event_id']}: stock {r['bh_return']:+.4f}, benchmark {r['bh_benchmark']:+.4f}, "
                         f"BHAR {r['bhar']:+.4f} ({r['start_date']:%Y-%m-%d} to {r['end_date']:%Y-%m-%d})")
            return "\n".join(lines)
        b = ok["bhar"]
        lines.append(f"  mean BHAR {b.mean():+.4f}, median {b.median():+.4f}, share > 0 {(b > 0).mean():.2f}, "
                     f"skewness {stats.skew(b):.2f}")
        lines += ["", "  test                 statistic    p-value     N"]
        for name, r in self.tests().iterrows():
            lines.append(f"  {name:20s} {r['statistic']:10.3f} {r['p_value']:10.4f} {int(r['n_events']):5d}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BHARResult window {list(self.window)}, {self.n_ok} of {len(self.table)} events>"


# --------------------------------------------------------------------------- computing

def _window(window) -> tuple[int, int]:
    from ..windows import window as check

    t1, t2 = check(window, "BHAR window")
    if t1 < 1 - 10_000 or t2 > 10_000:
        raise WindowError(f"BHAR window [{t1}, {t2}] is longer than any price history")
    return t1, t2


def _benchmarks(benchmark, ids: np.ndarray, markets: np.ndarray) -> np.ndarray:
    """The benchmark column name of every event."""
    if isinstance(benchmark, str):
        return markets.copy() if benchmark == "market" else np.full(len(ids), benchmark, dtype=object)
    if isinstance(benchmark, (Mapping, pd.Series)):
        given = dict(benchmark.items())
        out = np.array([given.get(e, given.get(str(e))) for e in ids], dtype=object)
        missing = pd.isna(out)
        out[missing] = markets[missing]
        return out
    raise InputError("benchmark must be 'market', a symbol, a {event_id: symbol} mapping or a Series "
                     f"of daily reference returns, got {type(benchmark).__name__}")


def compute_bhar(events: pd.DataFrame, levels: pd.DataFrame, window=DEFAULT_BHAR_WINDOW, *,
                 delisting: str = "benchmark", benchmark="market",
                 n_boot: int = DEFAULT_BOOTSTRAP, resample_size: int | None = None, seed=0,
                 jumps: str = "skip", duplicates: str = "skip", settings: Mapping | None = None) -> BHARResult:
    """BHARs of every event at once from a panel of levels (prices or wealth indexes).

    ``events``: ``event_id, ticker, market, day0`` (+ ``reason`` why an event has no day 0,
    ``group``); ``benchmark`` as in :meth:`EventStudyResult.bhar` (the names must be columns of
    ``levels``). Every event's window is gathered by index arithmetic on the market's trading
    days (no loop over events); see the module docstring for the rules. The pipeline's price
    checks run over each holding window, for the stock, its market and a benchmark symbol
    (:func:`analysis.core.holding.holding_checks`: ``jumps`` ``"skip"`` or ``"keep"`` with a
    warning; ``duplicates`` ``"skip"`` or ``"keep"``).
    """
    t1, t2 = _window(window)
    if delisting not in DELISTING:
        raise InputError(f"delisting must be one of {', '.join(DELISTING)}, got {delisting!r}")
    n = len(events)
    ids = events["event_id"].to_numpy(dtype=object)
    tickers = events["ticker"].to_numpy(dtype=object)
    markets = events["market"].to_numpy(dtype=object)
    bench = _benchmarks(benchmark, ids, markets)
    day0 = pd.DatetimeIndex(events["day0"])
    reason = (events["reason"].to_numpy(dtype=object).copy() if "reason" in events
              else np.full(n, None, dtype=object))
    reason = np.where(pd.isna(reason) | (reason == ""), None, reason)

    levels = levels.sort_index()
    cols = pd.Index([str(c) for c in levels.columns])
    values = levels.to_numpy(dtype=float)
    has = np.isfinite(values)
    n_rows = len(levels)
    dates = levels.index
    carried, last_row = carry(values)
    cum_has = np.vstack([np.zeros((1, has.shape[1]), dtype=np.int64), np.cumsum(has, axis=0)])

    def col_of(names):
        return cols.get_indexer(pd.Index([str(x) for x in names]))

    c_s, c_m, c_b = col_of(tickers), col_of(markets), col_of(bench)

    def at(index):
        mask = np.zeros(n, dtype=bool)
        mask[index] = True
        return mask

    def skip(mask, text):
        mask = mask & pd.isna(reason)
        if mask.any():
            reason[mask] = [text(i) for i in np.flatnonzero(mask)] if callable(text) else text

    skip(np.asarray(pd.isna(day0)), "no day 0")
    skip(c_s < 0, lambda i: f"no prices for {tickers[i]}")
    skip(c_m < 0, lambda i: f"no prices for market {markets[i]}")
    skip(c_b < 0, lambda i: f"no data for the benchmark {bench[i]}")
    length = t2 - t1 + 1
    rel = np.arange(t1 - 1, t2 + 1)                     # the close bought, then each day held
    rows = np.zeros((n, length + 1), dtype=np.int64)
    ok = pd.isna(reason)
    # the clock: each market's trading days; one pass per market symbol (few), none per event
    for m in np.unique(c_m[ok]):
        ev = np.flatnonzero(ok & (c_m == m))
        mrows = np.flatnonzero(has[:, m])
        k0 = np.searchsorted(dates[mrows], day0[ev])
        on_day = (k0 < len(mrows)) & (dates[mrows[np.minimum(k0, len(mrows) - 1)]] == day0[ev])
        skip(at(ev[~on_day]), lambda i: f"day 0 {day0[i]:%Y-%m-%d} is not a trading day "
                                                           f"of {markets[i]}")
        good = on_day & (k0 + t2 < len(mrows)) & (k0 + t1 - 1 >= 0)
        last = dates[mrows[-1]] if len(mrows) else None
        past = on_day & (k0 + t2 >= len(mrows))
        skip(at(ev[past]),
             lambda i: f"window [{t1}, {t2}] runs past the end of the {markets[i]} data "
                       f"({last:%Y-%m-%d})")
        before = on_day & (k0 + t1 - 1 < 0)
        skip(at(ev[before]),
             lambda i: f"window [{t1}, {t2}] starts before the {markets[i]} data")
        rows[ev[good]] = mrows[k0[good, None] + rel[None, :]]
    jump_warnings = _check_holding(reason, values, dates, rows, (c_s, c_m, c_b), ids, tickers, markets, bench,
                                   day0, jumps, duplicates)
    ok = pd.isna(reason)
    sel = np.flatnonzero(ok)
    r = rows[sel]
    s_lvl = carried[r, c_s[sel, None]]
    b_lvl = carried[r, c_b[sel, None]]
    start_s, start_b = s_lvl[:, 0], b_lvl[:, 0]
    no_start = ~np.isfinite(start_s)
    skip(at(sel[no_start]), lambda i: f"no price of {tickers[i]} at the start of the window")
    no_bench = ~np.isfinite(start_b) | ~np.isfinite(b_lvl[:, -1])
    skip(at(sel[no_bench & ~no_start]),
         lambda i: f"the benchmark {bench[i]} has no data over the window")
    # after the stock's last price (inside the window): delisted, suspended or end of its file
    after = r > last_row[c_s[sel], None]
    delisted = after[:, -1]
    if delisting == "skip":
        skip(at(sel[delisted]),
             lambda i: f"{tickers[i]} has no price after {dates[last_row[c_s[i]]]:%Y-%m-%d}, inside the "
                       f"window (delisting='skip')")
    with np.errstate(invalid="ignore", divide="ignore"):
        gross_s = s_lvl / start_s[:, None]
        gross_b = b_lvl / start_b[:, None]
        if delisted.any():
            j = np.argmax(after, axis=1)                # first day after the last price
            last_pos = np.where(delisted, j - 1, length)
            b_at = np.take_along_axis(gross_b, last_pos[:, None], axis=1)
            s_at = np.take_along_axis(gross_s, last_pos[:, None], axis=1)
            if delisting == "truncate":
                gross_b = np.where(after, b_at, gross_b)
                gross_s = np.where(after, s_at, gross_s)
            else:                                       # proceeds earn the benchmark
                gross_s = np.where(after, s_at * gross_b / b_at, gross_s)
    path = (gross_s - gross_b)[:, 1:]
    # days of the window (after the close bought) on which the stock had no price, before its last
    s_has = has[r[:, 1:], c_s[sel, None]]
    missing = np.sum(~s_has & ~after[:, 1:], axis=1)

    ok = pd.isna(reason)
    keep = ok[sel]
    group = events["group"].to_numpy(dtype=object) if "group" in events else None

    def full(values, fill=np.nan, dtype=float):
        out = np.full(n, fill, dtype=dtype)
        out[sel] = values
        return np.where(ok, out, fill) if dtype is not object else out

    start_dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    end_dates = start_dates.copy()
    start_dates[sel] = dates.to_numpy()[r[:, 0]]
    end_dates[sel] = dates.to_numpy()[r[:, -1]]
    last_dates = start_dates.copy()
    lr = last_row[c_s[sel]]
    last_dates[sel] = np.where(lr >= 0, dates.to_numpy()[np.maximum(lr, 0)], np.datetime64("NaT"))
    stock_days = np.zeros(n, dtype=np.int64)
    stock_days[sel] = (cum_has[np.minimum(r[:, -1], n_rows - 1) + 1, c_s[sel]]
                       - cum_has[r[:, 0] + 1, c_s[sel]])
    table = {"event_id": ids, "ticker": tickers, "market": markets, "benchmark": bench}
    if group is not None and pd.notna(group).any():
        table["group"] = group
    table.update({
        "status": np.where(ok, "ok", "skipped").astype(object),
        "reason": np.where(ok, "", reason).astype(object),
        "day0": day0.to_numpy(),
        "start_date": np.where(ok, start_dates, np.datetime64("NaT")),
        "end_date": np.where(ok, end_dates, np.datetime64("NaT")),
        "days": np.where(ok, length, 0),
        "stock_days": pd.array(np.where(ok, stock_days, 0), dtype="Int64"),
        "missing_days": pd.array(np.where(ok, full(missing, 0, np.int64), 0), dtype="Int64"),
        "delisted": pd.array(np.where(ok, full(delisted, False, bool), False), dtype="boolean"),
        "last_price_date": np.where(ok, last_dates, np.datetime64("NaT")),
        "bh_return": full(gross_s[:, -1] - 1.0),
        "bh_benchmark": full(gross_b[:, -1] - 1.0),
        "bhar": full(path[:, -1]),
        "warnings": np.where(ok, jump_warnings, "").astype(object),
    })
    frame = pd.DataFrame(table)
    for c in ("stock_days", "missing_days", "delisted"):
        frame[c] = frame[c].where(ok, pd.NA)
    text = {"benchmark": "proceeds reinvested in the benchmark after the last price",
            "truncate": "both legs end at the last price", "skip": "left out"}[delisting]
    meta = {"window": (t1, t2), "delisting": delisting, "delisting_text": text, "n_boot": int(n_boot),
            "resample_size": resample_size, "seed": seed,
            "benchmark_text": "each event's market" if isinstance(benchmark, str) and benchmark == "market"
            else (benchmark if isinstance(benchmark, str) else "the benchmark of each event"),
            **dict(settings or {})}
    return BHARResult(frame, path[keep], (t1, t2), meta)


def _check_holding(reason, values, dates, rows, columns, ids, tickers, markets, bench, day0, jumps,
                   duplicates) -> np.ndarray:
    """The pipeline's price checks over each holding window (:func:`analysis.core.holding.holding_checks`):
    a benchmark symbol's (when it is not the market), then the stock's and its market's, then
    duplicates among the events that pass. Sets ``reason`` of the events that fail; returns the
    jump warnings of each event."""
    c_s, c_m, c_b = columns
    other = pd.isna(reason) & (c_b != c_m)
    bench_warnings = np.full(len(reason), "", dtype=object)
    if other.any():
        found, bench_warnings = holding_checks(values, dates, rows, c_b, c_m, ids=ids, tickers=tickers,
                                               stock_names=bench, market_names=markets, check=other, jumps=jumps,
                                               duplicates="keep")
        reason[pd.notna(found)] = found[pd.notna(found)]
    found, warnings = holding_checks(values, dates, rows, c_s, c_m, ids=ids, tickers=tickers, market_names=markets,
                                     day0=day0, check=pd.isna(reason), jumps=jumps, duplicates=duplicates)
    reason[pd.notna(found)] = found[pd.notna(found)]
    return np.array(["; ".join(x for x in pair if x) for pair in zip(warnings, bench_warnings)], dtype=object)


def bhar_of_result(result, window=DEFAULT_BHAR_WINDOW, *, benchmark="market", reference=None,
                   delisting: str = "benchmark", prices: pd.DataFrame | None = None,
                   n_boot: int = DEFAULT_BOOTSTRAP, resample_size: int | None = None, seed=0,
                   jumps: str | None = None, duplicates: str | None = None) -> BHARResult:
    """BHARs of the events of an event-study result (see ``EventStudyResult.bhar``): every
    event with a trusted day 0, including those the return study skipped for lack of estimation
    data (a BHAR needs none), its price checks run again over the holding window
    (:mod:`analysis.core.holding`; ``jumps`` and ``duplicates`` default to the study's settings)."""
    panel = prices if prices is not None else getattr(result, "panel", None)
    if panel is None:
        raise InputError("this result does not keep its prices: pass prices= (dates x symbols), or run it "
                         "with analysis.run_event_study / analysis.run_study")
    kind = "prices" if prices is not None else getattr(result, "panel_kind", "prices")
    levels = wealth(panel, kind, result.settings.get("returns_kind") or "simple")
    if isinstance(benchmark, pd.Series) and isinstance(benchmark.index, pd.DatetimeIndex):
        name = str(benchmark.name) if benchmark.name is not None else "reference"
        reference = benchmark.rename(name).to_frame() if reference is None else reference.assign(**{name: benchmark})
        benchmark = name
    if reference is not None:
        if isinstance(reference, pd.Series):
            reference = reference.to_frame(str(reference.name) if reference.name is not None else "reference")
        if not isinstance(reference, pd.DataFrame) or not isinstance(reference.index, pd.DatetimeIndex):
            raise InputError("reference must be daily returns indexed by dates (a Series or a DataFrame of "
                             "portfolios)")
        clash = [c for c in reference.columns if str(c) in set(map(str, levels.columns))]
        if clash:
            raise InputError(f"reference portfolio {clash[0]!r} has the name of a symbol of the study")
        ref = wealth(reference.sort_index(), "returns")
        # the reference's level on every date of the study: its last value on or before
        union = levels.index.union(ref.index)
        ref = ref.reindex(union).ffill().reindex(levels.index)
        levels = pd.concat([levels, ref.rename(columns=str)], axis=1)
    table = study_events(result)
    settings = result.settings
    return compute_bhar(table, levels, window, delisting=delisting, benchmark=benchmark, n_boot=n_boot,
                        resample_size=resample_size, seed=seed,
                        jumps=settings.get("jumps", "skip") if jumps is None else jumps,
                        duplicates=settings.get("duplicates", "skip") if duplicates is None else duplicates,
                        settings={"source_name": result.settings.get("source_name"),
                                  "levels": kind})
