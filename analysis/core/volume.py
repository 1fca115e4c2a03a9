"""Abnormal trading volume: did trading jump around the event?

The volume of stock i on day t is transformed to ``v_it = log(1 + V_it)`` (``transform="log1p"``,
the default: defined at zero volume) or ``v_it = log(V_it)`` (``transform="log"``, e.g. for a
turnover panel ``V / shares outstanding`` given to :func:`run_volume`). Log volume is close to
normal where raw volume is heavily right-skewed (Ajinkya & Jain 1989; Campbell & Wasley 1996),
so the return machinery applies to it unchanged. The benchmark is estimated over the estimation
window by the engine (:func:`analysis.core.engine.run_engine`, vectorised over events):

.. math::

    v_{it} = \\alpha_i + \\beta_i v_{mt} + e_{it}                 \\quad (\\text{model="market"})

    v_{it} = \\mu_i + e_{it}                                       \\quad (\\text{model="constant_mean"})

with ``v_mt`` the log volume of the event's market (its index, e.g. ^HSI) for the market model
(Campbell & Wasley 1996, eq. 3, on the market's volume; Ajinkya & Jain 1989) and the estimation
mean for the mean-adjusted model. The abnormal log volume is ``AV_it = v_it - E[v_it]`` and
``exp(AV_it)`` says how many times the normal (1 +) volume traded. The standardised abnormal
volume ``AV_it / sd(AV_it)`` uses the prediction-error variance of the fitted model
(Campbell, Lo & MacKinlay 1997, eq. 4.4.8-4.4.9), the cumulative abnormal volume
``CAV_i = sum_{t1..t2} AV_it`` its exact variance (eq. 4.4.12-4.4.14), exactly as for returns
(see :mod:`analysis.core.models`). The cross-event tests are those of
:mod:`analysis.core.statistics` applied to the abnormal log volumes: the cross-sectional t
(``csect_t``), the standardised tests (``patell_z``, ``bmp_t``: Patell 1976; Boehmer, Musumeci
& Poulsen 1991), the rank tests (``corrado_rank_z``, ``grank_t``: Corrado 1989; Campbell &
Wasley 1996 recommend the rank test for volume), the sign tests and Wilcoxon.

Days without a volume. A day with a price but no volume, or with zero volume under
``zero_volume="missing"`` (the default), has no volume observation: Yahoo reports zero volume
for half-day sessions and suspended days, and one log(1 + 0) = 0 among values near 18 would
inflate the estimation variance many times over. Such days are dropped from the estimation
window (the engine's ``exclude``) and their event-window AV is missing (NaN): an event is left
out of a window test when one of its days in the window has no volume, and counted in
``diagnostics`` (``no_volume_estimation``, ``no_volume_event``). ``zero_volume="keep"`` keeps a
zero as ``log(1 + 0) = 0`` (thinly traded stocks, where a day without trades is real
information; Campbell & Wasley 1996). Relative days are the joint trading days (both have a
price) of the stock and the market, as for returns, so day 0 is the same day as in the return
study of the same events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, WindowError
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_MIN_ESTIMATION_OBS,
                       validate_windows)
from .engine import prepare_events as _engine_events
from .engine import run_engine
from .results import EventStudyResult, MeasureResult

VOLUME_MODELS = ("market", "constant_mean")
# the engine's data checks that apply to volume days as to returns (analysis.core.checks)
_ENGINE_CHECKS = ("max_day0_delay", "max_gap", "max_missing_share", "duplicates")
TRANSFORMS = ("log1p", "log")
ZERO_VOLUME = ("missing", "keep")

_MODEL_TEXT = {"market": "market model of log volume on the market's log volume (OLS)",
               "constant_mean": "mean-adjusted log volume (estimation-window mean)"}


def volume_panels(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(prices, volume)``: the ``Adj Close`` and ``Volume`` columns of each loaded frame side
    by side (dates x symbols). A frame without a Volume column has no volume (all NaN)."""
    if not frames:
        return pd.DataFrame(), pd.DataFrame()
    prices = pd.concat({s: f["Adj Close"] for s, f in frames.items()}, axis=1, sort=True).astype(float)
    volume = pd.concat({s: (f["Volume"] if "Volume" in f.columns else pd.Series(np.nan, index=f.index))
                        for s, f in frames.items()}, axis=1, sort=True).astype(float)
    return prices, volume.reindex(prices.index)


def log_volume(volume: pd.DataFrame, *, transform: str = "log1p",
               zero_volume: str = "missing") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(values, missing)``: the transformed volume and where a day has no volume observation.

    ``values`` is ``log(1 + V)`` (``"log1p"``) or ``log(V)`` (``"log"``) wherever V is a
    number (0 where it is not, a placeholder that ``missing`` marks); ``missing`` is true where
    V is NaN or negative, and where V is zero under ``zero_volume="missing"`` (always with
    ``transform="log"``, log 0 being undefined).
    """
    if transform not in TRANSFORMS:
        raise InputError(f"unknown volume transform {transform!r}: use one of {', '.join(TRANSFORMS)}")
    if zero_volume not in ZERO_VOLUME:
        raise InputError(f"zero_volume must be one of {', '.join(ZERO_VOLUME)}, got {zero_volume!r}")
    v = volume.to_numpy(dtype=float)
    missing = ~(v >= 0)                       # NaN and negative
    if zero_volume == "missing" or transform == "log":
        missing |= v == 0
    safe = np.where(missing, 1.0, v)
    values = np.log1p(safe) if transform == "log1p" else np.log(safe)
    values[missing] = 0.0
    return (pd.DataFrame(values, index=volume.index, columns=volume.columns),
            pd.DataFrame(missing, index=volume.index, columns=volume.columns))


def _day_numbers(index) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(index).to_numpy().astype("datetime64[D]").astype(np.int64))


def _missing_lookup(missing: pd.DataFrame):
    """A function ``(symbols (n,), days (n, L)) -> bool (n, L)``: is that symbol's volume
    missing on that day? Vectorised through sorted keys symbol code x day."""
    cols = pd.Index([str(c) for c in missing.columns])
    days = _day_numbers(missing.index)
    r, c = np.nonzero(missing.to_numpy())
    span = np.int64(1 << 32)
    keys = np.sort(c.astype(np.int64) * span + (days[r] + (1 << 31)))

    def lookup(symbols, when):
        code = cols.get_indexer(pd.Index([str(s) for s in symbols]))
        when = np.asarray(when, dtype=np.int64)
        k = code[:, None].astype(np.int64) * span + (when + (1 << 31))
        hit = np.isin(k, keys) if len(keys) else np.zeros(k.shape, dtype=bool)
        return hit & (code[:, None] >= 0) & (when >= 0)

    return lookup


def run_volume(events: pd.DataFrame, volume: pd.DataFrame, *, prices: pd.DataFrame | None = None,
               model: str = "market", estimation_window=DEFAULT_ESTIMATION_WINDOW,
               event_window=DEFAULT_EVENT_WINDOW, min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
               transform: str = "log1p", zero_volume: str = "missing", exclude: pd.DataFrame | None = None,
               source_name: str | None = None, load_errors=None, **checks) -> "VolumeResult":
    """Abnormal log volume of every event at once (see the module docstring).

    ``volume``: wide frame of volumes (dates x symbols: shares traded, or turnover with
    ``transform="log"``); ``prices``: the matching price panel, whose dates with a price make
    the trading calendar of each symbol (default: the dates where the volume is a number, so
    a volume panel alone works). ``model``: ``"market"`` (log volume on the market's log volume)
    or ``"constant_mean"`` (mean-adjusted); windows and ``min_estimation_obs`` as for returns.
    ``exclude`` (``event_id, date``): further estimation dates to drop. The return-only
    settings (``returns_kind``, ``factors``) do not apply and are ignored; the engine's data
    checks (``max_day0_delay``, ``max_gap``, ``max_missing_share``, ``duplicates``) apply to the
    trading days as for returns, except the price-jump check, which has no meaning for volumes
    (a day's volume may be many times the day before's).
    """
    if model not in VOLUME_MODELS:
        raise InputError(f"model {model!r} does not apply to volume: use one of {', '.join(VOLUME_MODELS)}")
    if checks.pop("factors", None) is not None:
        raise InputError("factor models do not apply to volume (model 'market' or 'constant_mean')")
    checks = {k: v for k, v in checks.items() if k in _ENGINE_CHECKS}
    if not isinstance(volume, pd.DataFrame):
        raise InputError(f"volume must be a wide DataFrame (dates x symbols), got {type(volume).__name__}")
    est, evt = validate_windows(estimation_window, event_window)
    if prices is not None:
        volume = volume.reindex(index=prices.index, columns=prices.columns)
    volume = volume.sort_index()
    values, missing = log_volume(volume, transform=transform, zero_volume=zero_volume)
    has_day = (prices.reindex(volume.index).notna() if prices is not None else volume.notna())
    has_day = has_day.reindex(columns=volume.columns, fill_value=False)
    ev = _engine_events(events)
    reasons = dict(load_errors or {})
    panel = values.where(has_day.to_numpy())
    none = (missing | ~has_day).all(axis=0)
    # a day without a price is no trading day of the symbol (not in its joint calendar): only
    # days with a price but no volume are dropped or masked
    missing = missing & has_day
    for sym in panel.columns[none.to_numpy()]:
        reasons.setdefault(str(sym), f"no volume for {sym} (every Volume is zero or missing)"
                           + (": use model='constant_mean'" if model == "market" else ""))
    market_syms = set(ev["market"].dropna().astype(str))
    if model == "constant_mean":
        # the market's volume does not enter: only its trading days matter (placeholder 0)
        for sym in panel.columns:
            if str(sym) in market_syms:
                panel[sym] = np.where(has_day[sym].to_numpy(), 0.0, np.nan)
                missing[sym] = False
                none[sym] = False
        reasons = {s: r for s, r in reasons.items() if s not in market_syms or s in (load_errors or {})}
    panel = panel.loc[:, ~none.to_numpy()]
    if panel.shape[1] == 0:
        raise InputError("no symbol has any volume")
    lookup = _missing_lookup(missing.loc[:, panel.columns])
    drop = _exclusions(ev, missing.loc[:, panel.columns], exclude)
    try:
        inner = run_engine(ev, returns=panel, model=model, estimation_window=est, event_window=evt,
                           min_estimation_obs=min_estimation_obs, exclude=drop, source_name=source_name,
                           load_errors=reasons, jumps="keep", **checks)
    except WindowError as exc:
        raise WindowError(str(exc).replace("returns", "volume days")) from None
    counts = _estimation_gaps(inner, has_day.loc[:, panel.columns], missing.loc[:, panel.columns],
                              uses_market=model == "market")
    return VolumeResult(inner, lookup, counts, volume=volume, model=model, transform=transform,
                        zero_volume=zero_volume, uses_market=model == "market")


def _estimation_gaps(inner: EventStudyResult, has_day: pd.DataFrame, missing: pd.DataFrame, *,
                     uses_market: bool) -> np.ndarray:
    """Per studied event: the days of its estimation window (joint trading days of stock and
    market) that have no volume and were dropped. One pass of array code per (stock, market)
    pair: running counts of the pair's days without volume over its joint calendar."""
    status, (e0, e1) = inner.status, inner.arrays.estimation_window
    ev = status.events
    sel = status.selected
    out = np.zeros(len(sel), dtype=np.int64)
    if not len(sel):
        return out
    days = _day_numbers(has_day.index)
    cols = {str(c): j for j, c in enumerate(has_day.columns)}
    has, miss = has_day.to_numpy(dtype=bool), missing.to_numpy(dtype=bool)
    pairs = pd.DataFrame({"t": ev["ticker"].to_numpy(dtype=object)[sel].astype(str),
                          "m": ev["market"].to_numpy(dtype=object)[sel].astype(str)})
    day0 = status.day0_days[sel]
    for (t, m), rows in pairs.groupby(["t", "m"], sort=False).indices.items():
        jt, jm = cols[t], cols[m]
        joint = has[:, jt] & has[:, jm]
        gap = miss[joint, jt] | (miss[joint, jm] if uses_market else False)
        cum = np.concatenate([[0], np.cumsum(gap)])
        p0 = np.searchsorted(days[joint], day0[rows])
        lo = np.clip(p0 + e0, 0, len(gap))
        hi = np.clip(p0 + e1 + 1, lo, len(gap))
        out[rows] = cum[hi] - cum[lo]
    return out


def _exclusions(ev: pd.DataFrame, missing: pd.DataFrame, exclude) -> pd.DataFrame | None:
    """``event_id, date`` of every day without a volume of the event's stock or (market
    model) market, plus the user's ``exclude``: the engine drops them from the estimation
    windows. One row per (event, missing date of its symbols)."""
    cols = pd.Index([str(c) for c in missing.columns])
    m = missing.to_numpy()
    per_symbol = {cols[j]: missing.index[m[:, j]] for j in np.flatnonzero(m.any(axis=0))}
    parts = []
    for column in ("ticker", "market"):
        sym = ev[column].astype(object).where(ev[column].notna(), None)
        for s, idx in sym.groupby(sym.astype(str), sort=False).groups.items():
            dates = per_symbol.get(str(s))
            if dates is None or not len(dates):
                continue
            ids = ev.loc[idx, "event_id"].to_numpy(dtype=object)
            parts.append(pd.DataFrame({"event_id": np.repeat(ids, len(dates)),
                                       "date": np.tile(dates.to_numpy(), len(ids))}))
    if exclude is not None and len(exclude):
        if not isinstance(exclude, pd.DataFrame) or not {"event_id", "date"} <= set(exclude.columns):
            raise InputError("exclude must be a DataFrame with columns event_id and date")
        parts.append(exclude[["event_id", "date"]])
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True).drop_duplicates()


class VolumeResult(MeasureResult):
    """The abnormal-volume study of a sample: tidy frames, tests and a summary, shaped like
    :class:`~analysis.core.results.EventStudyResult` with volume names.

    - ``abnormal_volume``: one row per event and event-window day: ``volume``,
      ``market_volume``, ``log_volume``, ``market_log_volume``, ``expected_log_volume``,
      ``abnormal_volume`` (AV, in log points), ``volume_ratio`` = exp(AV) (times the normal
      volume), ``av_sd``, ``av_t``, ``av_p`` (Student t, M - k df), ``av_lo``/``av_hi`` (95%
      interval of the day's AV, t with M - k df), ``cav`` (from the start of
      the event window; NaN from a day without volume on), ``cav_sd``, ``cav_lo``, ``cav_hi``;
    - ``cav(windows)``: CAV of every event over each window, its exact sd, t, p, 95% interval;
    - ``aav(window, group)``: average abnormal volume by day and its cumulation, with 95%
      bands from the estimation-window time series (crude dependence adjustment, as ``aar``);
    - ``tests(window, group)``: every cross-event test of :mod:`analysis.core.statistics`;
    - ``diagnostics``: the engine's (status, reason, day 0, M, alpha, beta, s, R^2 of the volume
      model) plus ``no_volume_estimation`` and ``no_volume_event``, the days without a volume
      dropped from each window.

    ``result.engine`` is the engine's result on the log volumes (returns names), ``arrays`` the
    arrays the tests read (event-window days without volume set to NaN).
    """

    measure = "volume"

    def __init__(self, inner: EventStudyResult, missing_lookup, estimation_gaps: np.ndarray, *,
                 volume: pd.DataFrame, model: str, transform: str, zero_volume: str, uses_market: bool):
        notes = getattr(inner.status, "notes", None)
        if notes is not None:            # price-jump notes say nothing about log volumes
            for row in notes.items:
                row[:] = [(code, text) for code, text in row if code != "jump"]
            inner.__dict__.pop("diagnostics", None)
        self.engine = inner
        a = inner.arrays
        tickers = self._selected("ticker")
        markets = self._selected("market")
        evt_days = np.asarray(a.evt_dates)
        no_vol = missing_lookup(tickers, evt_days)
        if uses_market:
            no_vol |= missing_lookup(markets, evt_days)
        self._no_volume_event = no_vol
        self._no_volume_estimation = np.asarray(estimation_gaps)
        evt_ar = np.where(no_vol, np.nan, a.evt_ar) if no_vol.any() else a.evt_ar
        self.arrays = replace(a, evt_ar=evt_ar)
        self.estimates, self.status = inner.estimates, inner.status
        self._volume = volume
        self._uses_market = uses_market
        self.settings = {**inner.settings, "measure": "volume", "model_description": _MODEL_TEXT[model],
                         "volume_transform": transform, "zero_volume": zero_volume,
                         "returns_kind": None, "returns_given": None}
        # the arrays with the days without volume masked, behind the usual result methods
        self._masked = EventStudyResult(self.arrays, inner.estimates, inner.status, self.settings)

    def _selected(self, column: str) -> np.ndarray:
        ev = self.engine.status.events
        return ev[column].to_numpy(dtype=object)[self.engine.status.selected]

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        d = self.engine.diagnostics.copy()
        sel = self.status.selected
        n = len(d)
        est = np.zeros(n, dtype=np.int64)
        evt = np.zeros(n, dtype=np.int64)
        est[sel] = self._no_volume_estimation
        evt[sel] = self._no_volume_event.sum(axis=1)
        ok = d["status"].to_numpy() == "ok"
        d["no_volume_estimation"] = pd.Series(est, index=d.index, dtype="Int64").where(ok, pd.NA)
        d["no_volume_event"] = pd.Series(evt, index=d.index, dtype="Int64").where(ok, pd.NA)
        d["reason"] = d["reason"].astype(str).str.replace("estimation returns", "estimation days with volume") \
            .str.replace("stock returns are constant", "stock volume is constant") \
            .str.replace("market returns are constant", "market volume is constant") \
            .str.replace("have no returns on common dates", "have no volume on common dates")
        d["measure"] = "volume"
        return d

    # ------------------------------------------------------------------ frames
    @cached_property
    def abnormal_volume(self) -> pd.DataFrame:
        f = self._masked.abnormal_returns
        pred = self.estimates.prediction
        expected = pred.expected_target.ravel()
        ar = f["abnormal_return"].to_numpy()
        dates = pd.DatetimeIndex(f["date"])
        out = f[[c for c in ("event_id", "ticker", "market", "group", "relative_day", "date") if c in f]].copy()
        out["volume"] = self._lookup_volume(f["ticker"], dates)
        out["market_volume"] = (self._lookup_volume(f["market"], dates) if self._uses_market
                                else np.nan)
        out["log_volume"] = np.where(np.isnan(ar), np.nan, f["stock_return"].to_numpy())
        out["market_log_volume"] = (np.where(np.isnan(ar), np.nan, f["market_return"].to_numpy())
                                    if self._uses_market else np.nan)
        out["expected_log_volume"] = expected
        out["abnormal_volume"] = ar
        out["volume_ratio"] = np.exp(ar)
        out["av_sd"] = f["ar_sd"].to_numpy()
        out["av_t"] = f["ar_t"].to_numpy()
        out["av_p"] = f["ar_p"].to_numpy()
        q = stats.t.ppf(0.975, np.repeat(self._masked._df(), self.arrays.evt_ar.shape[1]))
        out["av_lo"] = ar - q * out["av_sd"].to_numpy()
        out["av_hi"] = ar + q * out["av_sd"].to_numpy()
        for a, b in (("cav", "car"), ("cav_sd", "car_sd"), ("cav_lo", "car_lo"), ("cav_hi", "car_hi")):
            out[a] = f[b].to_numpy()
        return out

    def _lookup_volume(self, symbols: pd.Series, dates: pd.DatetimeIndex) -> np.ndarray:
        v = self._volume
        col = pd.Index([str(c) for c in v.columns]).get_indexer(symbols.astype(str))
        row = v.index.get_indexer(dates)
        values = v.to_numpy(dtype=float)
        ok = (col >= 0) & (row >= 0)
        out = np.full(len(col), np.nan)
        out[ok] = values[row[ok], col[ok]]
        return out

    def cav(self, windows=None) -> pd.DataFrame:
        """CAV of every event over each window (default windows as ``cars``): ``event_id,
        window_start, window_end, cav, cav_sd, scav, t, p, cav_lo, cav_hi`` (+ ``group``);
        NaN where a day of the window has no volume."""
        c = self._masked.cars(windows)
        return c.rename(columns={"car": "cav", "car_sd": "cav_sd", "scar": "scav",
                                 "car_lo": "cav_lo", "car_hi": "cav_hi"})

    def aav(self, window=None, group=None) -> pd.DataFrame:
        """Average abnormal log volume by relative day, its cumulation (CAAV) and 95% bands
        (crude dependence adjustment: sd from the estimation-window series of the average,
        Brown & Warner 1985): ``relative_day, n, aav, aav_se, aav_lo, aav_hi, caav, ...``."""
        t = self._masked.aar(window, group)
        return t.rename(columns=lambda c: c.replace("aar", "aav").replace("caar", "caav")
                        if c.startswith(("aar", "caar")) else c)

    def tests(self, window=(0, 0), group=None) -> pd.DataFrame:
        """Every cross-event test on the abnormal log volumes over ``window`` (see
        :func:`analysis.core.statistics.run_tests`); events with a day without volume in the
        window are left out of that window."""
        return self._masked.tests(window, group)

    def ols(self, event_id):
        """The statsmodels OLS fit of the event's volume model over its estimation window."""
        return self.engine.ols(event_id)

    # ------------------------------------------------------------------ text
    def summary(self, windows=None) -> str:
        s = self.settings
        lines = [f"Abnormal volume: {s['model_description']}, "
                 f"{'log(1 + volume)' if s['volume_transform'] == 'log1p' else 'log volume'}",
                 f"Estimation window {list(s['estimation_window'])}, event window {list(s['event_window'])} "
                 f"(trading days relative to day 0); minimum {s['min_estimation_obs_used']} estimation days; "
                 f"zero volume: {s['zero_volume']}"]
        lines += self._sample_lines()
        if self.n_ok == 0:
            return "\n".join(lines)
        d = self.diagnostics
        ok = d[d["status"] == "ok"]
        gaps = ok[(ok["no_volume_event"] > 0)]
        if len(gaps):
            lines.append(f"  {len(gaps)} event(s) have event-window days without volume (left out of "
                         f"the windows that contain them)")
        c = self.cav(windows)
        lines += ["", "  CAV window  mean CAV  (x normal)  median CAV  share > 0     N"]
        for (t1, t2), g in c.groupby(["window_start", "window_end"], sort=False):
            v = g["cav"].dropna()
            w = f"[{t1}, {t2}]"
            lines.append(f"  {w:10s} {v.mean():9.4f} {np.exp(v.mean() / (t2 - t1 + 1)):10.2f}x "
                         f"{v.median():11.4f} {(v > 0).mean():10.2f} {len(v):5d}")
        lines += self._test_lines(self._masked._windows(windows)[0])
        lines.append("  (abnormal volume in log points: exp(AV) is the multiple of normal volume; "
                     "(x normal) is per day)")
        return "\n".join(lines)

