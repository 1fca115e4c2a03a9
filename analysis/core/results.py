"""The result of an event study: tidy frames, CARs, AAR/CAAR, cross-event tests, a summary.

Built by :func:`analysis.run_event_study`; every number comes from the arrays the engine
computed (:class:`analysis.core.arrays.EventArrays`), so the frames are views of one computation.

- ``abnormal_returns``: one row per event and event-window day. ``car`` cumulates from the start
  of the event window, ``car_sd`` is its exact sd (CLM 1997 eq. 4.4.12-4.4.14, see
  :mod:`analysis.core.models`) and ``car_lo``/``car_hi`` the 95% interval from Student t with M - k
  degrees of freedom. ``ar_t``/``ar_p``: AR / sd(AR) and its two-sided Student-t p-value, M - k df.
- ``cars(windows)``: CAR_i, its exact sd, SCAR_i = CAR_i / sd(CAR_i) (= the single-event t) and
  the two-sided p-value from Student t with M_i - k df.
- ``aar()``: AAR_t = mean_i AR_it and CAAR; the band uses the *crude dependence adjustment*
  (Brown & Warner 1980, 1985): the sd of the AAR is the time-series sd of the AAR over the
  estimation window, S(AAR) = sqrt(sum_tau (AAR_tau - mean AAR)^2 / (T - 1)), so it reflects
  cross-sectional correlation of the events and works for a single event too; the CAAR over
  L days has sd sqrt(L) S(AAR); 95% bands from Student t with T - 1 df (the df of ``cda_t``).
- ``tests(window, group)``: every cross-event test from :func:`analysis.core.statistics.run_tests`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..windows import DEFAULT_RESAMPLES, DEFAULT_SEED, car_windows
from .arrays import EventArrays, windows
from .models import beta_description, diagnostic_columns, model_beta
from ..errors import AnalysisError, InputError
from .statistics import student_t, t_ppf
from .summary import ticker_text

_EPOCH = np.datetime64("1970-01-01", "D")
# per-event data diagnostics (analysis.core.checks), in this order after the fit columns
DATA_COLUMNS = ("day0_delay", "est_multi_day", "est_missing_sessions", "est_longest_gap",
                "est_missing_share", "evt_multi_day")


def _days_to_ts(days: np.ndarray) -> np.ndarray:
    """int64 days since 1970 (-1 or INT64 min: missing) to datetime64[ns] (NaT)."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    return np.where((days == -1) | (days == np.iinfo(np.int64).min), np.datetime64("NaT", "ns"), out)


@dataclass(frozen=True)
class Estimates:
    """What the engine fitted, one row per studied event: the model, the fit over the estimation
    window, the event-window prediction, the concatenated joint series and where each event's
    windows start in them (:class:`analysis.core.engine.Series`)."""

    spec: Any
    fit: Any
    prediction: Any
    series: Any
    est_base: np.ndarray        # index of day 0 in the series
    evt_start: np.ndarray       # index of the first event-window day in the series


@dataclass(frozen=True)
class EventStatus:
    """Every event given, in input order: the prepared table, why an event was skipped (reason and
    error class, None when studied), the rows studied, day 0 and the date asked for (int days
    since 1970), the first/last estimation date of each studied event and the table as given
    (row i of ``given`` is row i of ``events``)."""

    events: pd.DataFrame
    reason: np.ndarray
    error: np.ndarray
    selected: np.ndarray
    day0_days: np.ndarray
    start_days: np.ndarray
    est_span: tuple[np.ndarray, np.ndarray]
    notes: Any = None           # analysis.core.checks.Notes: warnings and extra columns per event
    given: pd.DataFrame | None = None     # the events table as given to the engine (every column)


class EventStudyResult:
    """See the module docstring; built by :func:`analysis.run_event_study` from three parts:
    the arrays the statistics read (:class:`EventArrays`), the engine's :class:`Estimates` and
    the :class:`EventStatus` of every event given, plus the settings of the run."""

    #: the panel the study read (prices, or the given returns) and which of the two, set by
    #: :func:`analysis.core.pipeline.run_measure`: measures over other windows (``bhar``) read it
    panel: pd.DataFrame | None = None
    panel_kind: str = "prices"

    def __init__(self, arrays: EventArrays, estimates: Estimates, status: EventStatus, settings: dict):
        self.arrays = arrays
        self.estimates = estimates
        self.status = status
        self.settings = settings

    @cached_property
    def _index(self) -> dict:
        return {e: i for i, e in enumerate(self.arrays.event_ids)}

    @cached_property
    def _all_index(self) -> dict:
        return {e: i for i, e in enumerate(self.status.events["event_id"].to_numpy(dtype=object))}

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        """One row per event: status ok/skipped, the reason, day 0, M, alpha, beta, s, R^2."""
        return self._diagnostics()

    def _diagnostics(self) -> pd.DataFrame:
        day0_days, start_days, est_span = self.status.day0_days, self.status.start_days, self.status.est_span
        ev, sel, f, spec = self.status.events, self.status.selected, self.estimates.fit, self.estimates.spec
        n = len(ev)
        ok = np.zeros(n, dtype=bool)
        ok[sel] = True
        reason = self.status.reason

        def full(values, fill=np.nan, dtype=float):
            out = np.full(n, fill, dtype=dtype)
            out[sel] = values
            return out

        day0 = _days_to_ts(day0_days)
        start = _days_to_ts(start_days)
        requested = ev["requested_date"].to_numpy() if "requested_date" in ev else ev["event_date"].to_numpy()
        first, last = est_span                     # first/last estimation date used
        if spec.name == "market_adjusted":
            alpha, beta = np.zeros(len(sel)), np.ones(len(sel))
        else:
            alpha = f.alpha
            beta = model_beta(spec, f)
        d = {
            "event_id": ev["event_id"].to_numpy(dtype=object),
            "ticker": ev["ticker"].to_numpy(dtype=object),
            "market": ev["market"].to_numpy(dtype=object),
            "event_date": ev["event_date"].to_numpy(),
            "requested_date": requested,
            "requested_day0": start,
            "day0": day0,
            "day0_shifted": pd.array(np.where(pd.isna(day0) | pd.isna(requested), pd.NA, day0 != requested),
                                     dtype="boolean"),
            "status": np.where(ok, "ok", "skipped").astype(object),
            "reason": np.where(ok, "", reason).astype(object),
            "m": pd.array(np.where(ok, full(f.m, 0, np.int64), 0), dtype="Int64"),
            "k": spec.k,
            "alpha": full(alpha),
            "beta": full(beta),
            "s": full(np.sqrt(f.s2)),
            "r2": full(f.r2),
            "estimation_start": _days_to_ts(full(first, -1, np.int64)),
            "estimation_end": _days_to_ts(full(last, -1, np.int64)),
            "model": spec.name,
        }
        frame = pd.DataFrame(d)
        frame["m"] = frame["m"].mask(~ok)
        for j, name in enumerate(spec.regressors[1:], start=1):
            frame[f"beta_{name}"] = full(f.coef[:, j])
        for name, values in diagnostic_columns(spec, f).items():
            frame[name] = full(values)
        notes = self.status.notes
        if notes is not None:
            for name in DATA_COLUMNS:
                values = notes.columns.get(name)
                frame[name] = values if values is not None else (0.0 if name == "est_missing_share" else 0)
            frame["warnings"] = notes.codes()
            frame["warning_details"] = notes.details()
        group = ev["group"].to_numpy(dtype=object)
        if pd.notna(group).any():
            frame.insert(3, "group", group)
        return frame

    def add_warnings(self, event_ids, code: str, details) -> None:
        """Put a warning (a code and a one-line detail per event) on events of this result;
        used by the pipeline for what the engine cannot see (limit days, foreign markets...)."""
        notes = self.status.notes
        if notes is None or not len(event_ids):
            return
        rows = [self._all_index[e] for e in event_ids]
        notes.add(rows, code, details)
        self.__dict__.pop("diagnostics", None)

    # ---------------------------------------------------------------------------- lookups
    @property
    def event_ids(self) -> list[str]:
        """Ids of the events studied (status ok), in input order."""
        return list(self.arrays.event_ids)

    @property
    def n_ok(self) -> int:
        return self.arrays.n

    @property
    def n_skipped(self) -> int:
        return len(self.status.events) - self.arrays.n

    def _sessions(self) -> np.ndarray:
        """(N, Lw) market sessions each event-window return spans (1 unless the stock did not
        trade: trade-to-trade returns, see analysis.core.models)."""
        spans = getattr(self.estimates.series, "spans", None)
        if spans is None:
            return np.ones(self.arrays.evt_ar.shape, dtype=np.int64)
        return self._evt_window(spans).astype(np.int64)

    def _evt_window(self, series: np.ndarray) -> np.ndarray:
        """(N, Lw) event-window values of a concatenated series (:class:`engine._Series`)."""
        lo, hi = self.arrays.event_window
        return windows(series, self.estimates.evt_start, hi - lo + 1)

    def _row(self, event_id) -> int:
        if event_id in self._index:
            return self._index[event_id]
        if event_id in self._all_index:
            j = self._all_index[event_id]
            raise self.status.error[j](f"event {event_id}: {self.status.reason[j]}")
        raise InputError(f"unknown event_id {event_id!r}")

    def raise_if_skipped(self, event_id) -> None:
        """Raise the AnalysisError matching the reason the event was skipped (no-op when ok)."""
        if event_id not in self._index:
            self._row(event_id)

    def _df(self) -> np.ndarray:
        return (self.arrays.m - self.arrays.k).astype(float)

    # ---------------------------------------------------------------------------- frames
    @cached_property
    def abnormal_returns(self) -> pd.DataFrame:
        """Long frame: one row per studied event and event-window day (see module docstring)."""
        a = self.arrays
        n, lw = a.evt_ar.shape
        lo = a.event_window[0]
        df = self._df()[:, None]
        ar, sd = a.evt_ar, a.evt_ar_sd
        t, p = student_t(ar, sd, df)
        car = np.cumsum(ar, axis=1)
        car_sd = np.sqrt(self.estimates.prediction.cumulative_car_variance())
        q = _t975(df)
        rep = (lambda x: np.repeat(np.asarray(x, dtype=object), lw))
        rows = self.status.selected
        frame = {
            "event_id": rep(a.event_ids),
            "ticker": rep(self.status.events["ticker"].to_numpy(dtype=object)[rows]),
            "market": rep(self.status.events["market"].to_numpy(dtype=object)[rows]),
        }
        if a.groups is not None:
            frame["group"] = rep(a.groups)
        frame.update({
            "relative_day": np.tile(np.arange(lo, lo + lw), n),
            "date": _days_to_ts(np.asarray(a.evt_dates).ravel()),
            "sessions": self._sessions().ravel(),
            "stock_return": self._evt_window(self.estimates.series.stock).ravel(),
            "market_return": self._evt_window(self.estimates.series.market).ravel(),
            "expected_return": (self._evt_window(self.estimates.series.stock) - ar).ravel(),
            "abnormal_return": ar.ravel(),
            "ar_sd": sd.ravel(),
            "ar_t": t.ravel(),
            "ar_p": p.ravel(),
            "car": car.ravel(),
            "car_sd": car_sd.ravel(),
            "car_lo": (car - q * car_sd).ravel(),
            "car_hi": (car + q * car_sd).ravel(),
        })
        return pd.DataFrame(frame)

    def _windows(self, windows) -> list[tuple[int, int]]:
        return car_windows(windows, self.arrays.event_window)

    def cars(self, windows=None) -> pd.DataFrame:
        """CAR of every event over each window: ``event_id, window_start, window_end, car, car_sd,
        scar, t, p, car_lo, car_hi`` (+ ``group``). Default windows: [0,0], [-1,1], [-5,5],
        [-10,10] (those inside the event window). t = SCAR, p two-sided from Student t, M - k df."""
        a = self.arrays
        df = self._df()
        q = _t975(df)
        parts = []
        for t1, t2 in self._windows(windows):
            c = a.columns(t1, t2)
            car = a.evt_ar[:, c].sum(axis=1)
            sd = np.sqrt(a.car_variance(t1, t2))
            t, p = student_t(car, sd, df)
            part = {"event_id": a.event_ids}
            if a.groups is not None:
                part["group"] = a.groups
            part.update({"window_start": t1, "window_end": t2, "car": car, "car_sd": sd, "scar": t,
                         "t": t, "p": p, "car_lo": car - q * sd, "car_hi": car + q * sd})
            parts.append(pd.DataFrame(part))
        return pd.concat(parts, ignore_index=True)

    def _subset(self, group) -> EventArrays:
        a = self.arrays
        if group is None:
            return a
        if a.groups is None:
            raise InputError(f"group {group!r} asked for, but the events have no 'group' column")
        mask = pd.Series(a.groups, dtype=object).eq(group).to_numpy(dtype=bool)   # a missing group is no group
        if not mask.any():
            known = ", ".join(map(str, pd.unique(a.groups)))
            raise InputError(f"no studied event in group {group!r} (groups: {known})")
        return a.subset(mask)

    @property
    def groups(self) -> list:
        """The events' groups (missing groups left out), in order of appearance."""
        a = self.arrays
        return [] if a.groups is None else [g for g in pd.unique(a.groups) if pd.notna(g)]

    def aar(self, window=None, group=None) -> pd.DataFrame:
        """AAR and CAAR by relative day with 95% bands (crude dependence adjustment, see module).

        Columns ``relative_day, n, aar, aar_se, aar_lo, aar_hi, caar, caar_se, caar_lo, caar_hi``;
        ``window`` (t1, t2) restricts the days and the CAAR cumulates from t1 (default: the
        event window); ``group``: only the events of that group.
        """
        a = self._subset(group)
        lo, hi = a.event_window if window is None else self._windows([window])[0]
        c = a.columns(lo, hi)
        ar = a.evt_ar[:, c]
        n = np.sum(~np.isnan(ar), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            aar = np.nansum(ar, axis=0) / n
        sd, dof = aar_sd_cda(a.est_ar)
        days = np.arange(1, len(aar) + 1)
        caar = np.cumsum(aar)
        caar_se = sd * np.sqrt(days)
        q = t_ppf(0.975, dof) if dof > 0 else np.nan
        return pd.DataFrame({
            "relative_day": np.arange(lo, hi + 1), "n": n, "aar": aar, "aar_se": sd,
            "aar_lo": aar - q * sd, "aar_hi": aar + q * sd,
            "caar": caar, "caar_se": caar_se, "caar_lo": caar - q * caar_se, "caar_hi": caar + q * caar_se,
        })

    def tests(self, window=(0, 0), group=None, adjust: str | None = None, *, family: str = "test",
              draws: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> pd.DataFrame:
        """Every cross-event test over ``window`` (t1, t2), indexed by test name, columns
        ``statistic, p_value, n_events`` (:func:`analysis.core.statistics.run_tests`).

        ``window`` may be a list of windows and ``group`` a list of groups (None in it: all
        events): the answer is then the long frame of :meth:`tests_table`. ``adjust``: a
        multiple-testing method of ``statsmodels.stats.multitest`` ("holm", "fdr_bh", ...,
        :data:`analysis.core.statistics.ADJUST_METHODS`) adds ``p_adjusted`` beside
        ``p_value``; the family of a p-value is, with ``family="test"``, the same test over
        the windows and groups asked for (one window and group: nothing to adjust for), with
        ``family="all"`` every row. ``draws``/``seed``: the resampling tests'.
        """
        if _many_windows(window) or isinstance(group, (list, tuple)):
            return self.tests_table(window if _many_windows(window) else [window],
                                    group if isinstance(group, (list, tuple)) else [group],
                                    adjust=adjust, family=family, draws=draws, seed=seed)
        from .statistics import run_tests
        (t1, t2), = self._windows([window])
        cache = self.__dict__.setdefault("_tests_cache", {})
        key = _tests_key(t1, t2, group, draws, seed)
        if key not in cache:
            cache[key] = run_tests(self._subset(group), (t1, t2), draws=int(draws), seed=int(seed))
        out = cache[key].copy()
        if adjust is not None:
            out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted",
                       _adjusted(out.index.to_numpy(), out["p_value"], adjust, family))
        return out

    def bhar(self, window=(1, 250), *, benchmark="market", reference=None, delisting: str = "benchmark",
             prices: pd.DataFrame | None = None, n_boot: int = 1000, resample_size: int | None = None,
             seed=0, jumps: str | None = None, duplicates: str | None = None):
        """Buy-and-hold abnormal returns of the events over ``window`` (trading days after day
        0, default one year), with the skewness-adjusted and bootstrapped tests of Lyon, Barber &
        Tsai (1999): a :class:`analysis.core.bhar.BHARResult` (``table``, ``path()``,
        ``tests()``, ``summary()``). ``benchmark``: ``"market"`` (each event's market), a symbol
        of the panel, ``{event_id: symbol}``, or a Series of daily reference-portfolio returns;
        ``reference``: a DataFrame of reference-portfolio returns whose columns ``benchmark``
        may name; ``delisting``: ``"benchmark"``, ``"truncate"`` or ``"skip"``; ``prices``: a
        panel to use instead of the one the study read; ``jumps`` / ``duplicates``: the price
        checks over the holding window (default: the study's settings, :mod:`analysis.core.holding`).
        See :mod:`analysis.core.bhar`."""
        from .bhar import bhar_of_result

        return bhar_of_result(self, window, benchmark=benchmark, reference=reference, delisting=delisting,
                              prices=prices, n_boot=n_boot, resample_size=resample_size, seed=seed,
                              jumps=jumps, duplicates=duplicates)

    def tests_by_group(self, window=(0, 0), adjust: str | None = None, *, family: str = "test",
                       **resampling) -> pd.DataFrame:
        """Long frame ``group, test, statistic, p_value, n_events``: all events, then each group
        (``adjust``: ``p_adjusted`` over the groups, see :meth:`tests`)."""
        return tests_table(self, [tuple(window)], None, adjust, family=family, **resampling)

    def tests_table(self, windows=None, groups=None, adjust: str | None = None, *, family: str = "test",
                    **resampling) -> pd.DataFrame:
        """Every test for each window and group: :func:`tests_table` (default windows: the CAR
        windows; default groups: all events and each group)."""
        return tests_table(self, self._windows(windows), groups, adjust, family=family, **resampling)

    def prefetch_tests(self, windows, groups, draws: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> None:
        """Compute ahead the tests of several windows, one pass per group
        (:func:`analysis.core.statistics.run_tests_windows`: r-bar, the residuals and the random
        signs shared), into the cache that :meth:`tests` reads: the same numbers as one
        :meth:`tests` call per window."""
        from .statistics import run_tests_windows

        cache = self.__dict__.setdefault("_tests_cache", {})
        windows = self._windows(windows)                    # checked as tests() checks them
        for group in groups:
            todo = [w for w in windows if _tests_key(*w, group, draws, seed) not in cache]
            if len(todo) > 1:
                got = run_tests_windows(self._subset(group), todo, draws=int(draws), seed=int(seed))
                for (t1, t2), frame in got.items():
                    cache[_tests_key(t1, t2, group, draws, seed)] = frame

    # ---------------------------------------------------------------------------- regression
    def regression_frame(self, window=(-1, 1), group=None) -> pd.DataFrame:
        """One row per studied event: ``event_id, car, car_sd, scar, car_t, car_p`` over
        ``window`` and every column of the events table as given (``size``, ``sector``, ...;
        a column named like one of the CAR columns is overridden by it)."""
        (t1, t2), = self._windows([window])
        cars = self.cars([(t1, t2)]).drop(columns=["window_start", "window_end", "t", "car_lo", "car_hi"])
        cars = cars.rename(columns={"p": "car_p"})
        cars.insert(cars.columns.get_loc("car_p"), "car_t", cars["scar"])
        given = self.status.given
        if given is not None and len(given) == len(self.status.events):
            extra = given.iloc[self.status.selected].reset_index(drop=True)
            extra = extra[[c for c in extra.columns if c not in cars.columns]]
            cars = pd.concat([cars.reset_index(drop=True), extra], axis=1)
        if group is not None:
            cars = cars[self._group_mask(group)].reset_index(drop=True)
        return cars

    def _group_mask(self, group) -> np.ndarray:
        self._subset(group)                       # the error for an unknown group
        return np.asarray(self.arrays.groups == group, dtype=bool)

    def regress(self, formula: str, window=(-1, 1), cov_type: str = "HC3", cov_kwds: dict | None = None,
                group=None, **fit_kwargs):
        """Cross-sectional regression of CARs on event characteristics: statsmodels OLS through
        its formula API (``statsmodels.formula.api.ols``), e.g.
        ``result.regress("car ~ np.log(size) + C(sector)", window=(-1, 1), cov_type="HC3")``.

        The data are :meth:`regression_frame` (``car``, ``scar``, ... and every column of the
        events table); rows with a missing value in the formula are dropped by statsmodels.
        ``cov_type``: any of statsmodels' (``"nonrobust"``, ``"HC0"``-``"HC3"`` (White 1980;
        MacKinnon & White 1985), ``"cluster"``, ``"HAC"``, ...); for ``"cluster"`` give
        ``cov_kwds={"groups": "sector"}`` (a column name, or one label per studied event).
        Returns the statsmodels results object (``.summary()``, ``.params``, ``.bse``, ...).
        """
        import statsmodels.formula.api as smf

        data = self.regression_frame(window, group)
        env = _formula_env()
        try:
            model = smf.ols(formula, data=data, eval_env=env)
        except Exception as exc:  # noqa: BLE001 - patsy/formulaic raise many kinds; say which
            raise InputError(f"regression formula {formula!r}: {str(exc).splitlines()[0]}") from None
        kwds = dict(cov_kwds or {})
        if cov_type == "cluster":
            groups = kwds.get("groups")
            if groups is None:
                raise InputError("cov_type='cluster' needs cov_kwds={'groups': COLUMN}")
            if isinstance(groups, str):
                if groups not in data.columns:
                    raise InputError(f"cluster column {groups!r} is not a column of the events table")
                groups = data[groups]
            else:
                groups = pd.Series(np.asarray(groups), index=data.index)
            rows = model.data.row_labels
            kwds["groups"] = pd.factorize(groups.loc[rows])[0] if rows is not None else pd.factorize(groups)[0]
        return model.fit(cov_type=cov_type, cov_kwds=kwds or None, **fit_kwargs)

    # ---------------------------------------------------------------------------- statsmodels
    def _estimation_design(self, event_id):
        """(endog, exog, weights) of the event's estimation window as :meth:`ols` fits it:
        ``const`` first, or, when some returns span several sessions (trade-to-trade), the
        ``sessions`` column n with weights 1/n (None: ordinary least squares)."""
        i = self._row(event_id)
        spec, series = self.estimates.spec, self.estimates.series
        if spec.k == 0:
            raise InputError(f"model {spec.name!r} estimates no parameters: no OLS fit to show")
        if not spec.is_ols:
            raise InputError(f"model {spec.name!r} is not an OLS fit: its parameters are in diagnostics")
        idx = series.estimation_index(self.estimates.est_base[i], self.arrays.est_dates[i],
                                      self.arrays.estimation_window)
        y, z = series.design(idx)
        mask = ~np.isnan(y) & ~np.isnan(z).any(axis=1)
        names = [r if r != "market" else "market_return" for r in spec.regressors]
        exog = pd.DataFrame(z[mask], columns=names, index=_days_to_ts(self.arrays.est_dates[i][mask]))
        endog = pd.Series(y[mask], index=exog.index, name="excess_return" if spec.offset == "RF"
                          else "stock_return")
        span = None if getattr(series, "spans", None) is None else series.spans[idx][mask]
        if span is None or not (span > 1).any():
            exog.insert(0, "const", 1.0)
            return endog, exog, None
        exog.insert(0, "sessions", span)
        return endog, exog, 1.0 / span

    def ols(self, event_id):
        """The statsmodels fit of the event's estimation window (target on [const, regressors]).

        Same numbers as the engine's vectorised fit; for ``market_adjusted`` nothing is estimated
        and an InputError is raised. When some estimation returns span several sessions
        (trade-to-trade), it is the weighted fit ``WLS(target, [n, regressors], weights=1/n)``
        and the constant's column is the sessions ``n``. Imports statsmodels; :meth:`fit_table`
        gives the coefficients, standard errors and t without it.
        """
        import statsmodels.api as sm

        endog, exog, weights = self._estimation_design(event_id)
        if weights is None:
            return sm.OLS(endog, exog).fit()
        return sm.WLS(endog, exog, weights=weights).fit()

    def fit_table(self, event_id) -> pd.DataFrame:
        """The estimation-window fit of one event without statsmodels: columns ``params``,
        ``bse`` and ``t`` indexed by regressor (``const`` first, or ``sessions`` for a weighted
        trade-to-trade fit), the numbers :meth:`ols` gives as ``params``, ``bse`` and ``tvalues``
        (tests/test_engine.py, tests/test_data_trust.py).

        .. math:: \\hat\\beta = (X'WX)^{-1} X'Wy, \\quad
                  \\widehat{\\mathrm{Var}}(\\hat\\beta) = s^2 (X'WX)^{-1}, \\quad
                  s^2 = \\frac{e'We}{M - k}

        with W = I (ordinary least squares; Campbell, Lo & MacKinlay 1997, eq. 4.4.5-4.4.8) or
        W = diag(1/n) for returns spanning n sessions (weighted least squares).
        """
        endog, exog, weights = self._estimation_design(event_id)
        root_w = np.ones(len(endog)) if weights is None else np.sqrt(np.asarray(weights, dtype=float))
        x = exog.to_numpy(dtype=float) * root_w[:, None]      # WLS: rows scaled by sqrt(weight)
        y = endog.to_numpy(dtype=float) * root_w
        params, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ params
        dof = len(y) - x.shape[1]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = np.linalg.pinv(x.T @ x) * (resid @ resid / dof)
            bse = np.sqrt(np.diag(cov))
            t = params / bse
        return pd.DataFrame({"params": params, "bse": bse, "t": t}, index=exog.columns)

    # ---------------------------------------------------------------------------- text
    def skipped_reasons(self) -> pd.Series:
        """How many events were skipped for each reason (the reason text up to its first colon)."""
        d = self.diagnostics
        r = d.loc[d["status"] == "skipped", "reason"].astype(str)
        return r.str.split(":").str[0].value_counts()

    def summary(self, windows=None):
        """The summary as an object (:class:`analysis.core.summary.Summary`): ``print()`` shows the
        text, ``as_html()``/``as_latex()`` the same as tables, and JupyterLab displays it as HTML."""
        from .summary import Summary
        return Summary.of(self, windows)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def to_excel(self, path, windows=None):
        """Every table in one workbook, one sheet each (:func:`analysis.core.summary.write_excel`)."""
        from .summary import result_to_excel
        return result_to_excel(self, path, windows)

    def to_latex(self, windows=None) -> str:
        """The summary tables as LaTeX (booktabs)."""
        return self.summary(windows).as_latex()

    def summary_text(self, windows=None) -> str:
        s = self.settings
        lines = []
        add = lines.append
        add(f"Event study: {s['model']} model ({s.get('model_description', '')}), "
            f"{s['returns_kind']} returns")
        add(f"Estimation window {list(s['estimation_window'])}, event window {list(s['event_window'])} "
            f"(trading days relative to day 0); minimum {s['min_estimation_obs_used']} estimation returns")
        if s.get("source_name"):
            add(f"Data: {s['source_name']}")
        n = len(self.diagnostics)
        add(f"Events: {n} given, {self.n_ok} studied, {self.n_skipped} skipped")
        if self.n_skipped:
            d = self.diagnostics[self.diagnostics["status"] == "skipped"]
            if n == 1 or len(d) <= 10:
                for _, r in d.iterrows():
                    add(f"  skipped {r['event_id']} ({ticker_text(r['ticker'])}): {r['reason']}")
            else:
                for reason, count in self.skipped_reasons().items():
                    add(f"  {count:6d} skipped: {reason}")
        lines += self._warning_lines()
        if self.n_ok == 0:
            return "\n".join(lines)
        if self.n_ok == 1:
            lines += self._single_summary(windows)
        else:
            lines += self._multi_summary(windows)
        return "\n".join(lines)

    def _warning_lines(self) -> list[str]:
        """Warnings on the studied events (analysis.core.checks): each one for a single event,
        a count per code for a sample."""
        d = self.diagnostics
        if "warnings" not in d:
            return []
        ok = d[(d["status"] == "ok") & (d["warnings"] != "")]
        if ok.empty:
            return []
        if len(ok) == 1 and len(d) == 1:
            return ["Warnings:"] + [f"  {part}" for part in str(ok["warning_details"].iloc[0]).split("; ")]
        if len(ok) <= 3:
            return ["Warnings:"] + [f"  {r.event_id}: {part}" for r in ok.itertuples()
                                    for part in str(r.warning_details).split("; ")]
        codes = ok["warnings"].str.split(",").explode().value_counts()
        return ["Warnings (events studied with each; details in diagnostics):"] + \
            [f"  {n:6d} {code}" for code, n in codes.items()]

    def _single_summary(self, windows) -> list[str]:
        d = self.diagnostics[self.diagnostics["status"] == "ok"].iloc[0]
        eid = self.arrays.event_ids[0]
        k = self.arrays.k
        lines = ["", f"Event {eid}: {d['ticker']} against {d['market']}"]
        shift = " (shifted from the date asked for)" if bool(d["day0_shifted"]) else ""
        lines.append(f"  date asked {pd.Timestamp(d['requested_date']).date()}, day 0 "
                     f"{pd.Timestamp(d['day0']).date()}{shift}")
        lines.append(f"  estimation {pd.Timestamp(d['estimation_start']).date()} to "
                     f"{pd.Timestamp(d['estimation_end']).date()}: M = {int(d['m'])} returns, "
                     f"k = {k}, df = {int(d['m']) - k}")
        fit = [f"alpha = {d['alpha']:.6f}", f"beta = {d['beta']:.4f}", f"s = {d['s']:.6f}"]
        if pd.notna(d["r2"]):
            fit.append(f"R^2 = {d['r2']:.4f}")
        lines.append("  " + ", ".join(fit))
        loadings = [f"{c[5:]} {d[c]:.4f}" for c in d.index if c.startswith("beta_")]
        if loadings:
            lines.append(f"  ({beta_description(self.estimates.spec)}: {', '.join(loadings)})")
        others = [f"{c} {d[c]:.4g}" for c in diagnostic_columns(self.estimates.spec, self.estimates.fit)
                  if not c.startswith("beta_")]
        if others:
            lines.append(f"  ({', '.join(others)})")
        ar = self.abnormal_returns
        lines += ["", "  day        date    stock   market expected       AR    sd(AR)      t      p"
                  "      CAR"]
        for _, r in ar.iterrows():
            lines.append(f"  {int(r['relative_day']):3d}  {pd.Timestamp(r['date']).date()} "
                         f"{r['stock_return']:8.4f} {r['market_return']:8.4f} {r['expected_return']:8.4f} "
                         f"{r['abnormal_return']:8.4f} {r['ar_sd']:9.5f} {r['ar_t']:6.2f} {r['ar_p']:6.3f} "
                         f"{r['car']:8.4f}")
        lines += ["", "  CAR window       CAR    sd(CAR)      t      p   95% interval"]
        for _, r in self.cars(windows).iterrows():
            w = f"[{int(r['window_start'])}, {int(r['window_end'])}]"
            lines.append(f"  {w:10s} {r['car']:8.4f} {r['car_sd']:10.5f} {r['t']:6.2f} {r['p']:6.3f}   "
                         f"[{r['car_lo']:.4f}, {r['car_hi']:.4f}]")
        lines.append("  (returns as decimals; t from Student t with M - k df; exact CAR variance, "
                     "Campbell, Lo & MacKinlay 1997, ch. 4)")
        return lines

    def _multi_summary(self, windows) -> list[str]:
        c = self.cars(windows)
        lines = ["", "  CAR window   mean CAR  median CAR   share > 0     N"]
        for (t1, t2), g in c.groupby(["window_start", "window_end"], sort=False):
            w = f"[{t1}, {t2}]"
            lines.append(f"  {w:10s} {g['car'].mean():10.4f} {g['car'].median():11.4f} "
                         f"{(g['car'] > 0).mean():11.2f} {len(g):5d}")
        for t1, t2 in self._windows(windows)[:1]:    # the first window; result.tests(w) for the others
            try:
                tests = self.tests((t1, t2))
            except AnalysisError as exc:
                lines.append(f"  tests over [{t1}, {t2}]: {exc}")
                continue
            lines += ["", f"  Tests over [{t1}, {t2}]      statistic    p-value     N"
                      f"   (other windows: result.tests(window), tests.csv)"]
            for name, r in tests.iterrows():
                lines.append(f"  {name:24s} {r['statistic']:10.3f} {r['p_value']:10.4f} {int(r['n_events']):5d}")
        return lines

    def __repr__(self) -> str:
        s = self.settings
        return (f"<EventStudyResult {s['model']} model, {self.n_ok} events studied, "
                f"{self.n_skipped} skipped, event window {list(s['event_window'])}>")


def tests_table(result, windows, groups=None, adjust: str | None = None, *, family: str = "test",
                **resampling) -> pd.DataFrame:
    """Every test of ``result`` (anything with ``tests(window, group)`` and ``groups``) for each
    window and group: long frame ``group, window_start, window_end, test, statistic, p_value,
    n_events, ...``, window after window, all events (group "all") first. ``groups``: default
    all events and each group. ``adjust``/``family`` as in :meth:`EventStudyResult.tests`: by
    default each test's p-values are adjusted over the windows and groups of the table (column
    ``p_adjusted`` beside ``p_value``)."""
    groups = [None] + list(result.groups) if groups is None else list(groups)
    prefetch = getattr(result, "prefetch_tests", None)       # all windows in one pass per group
    if prefetch is not None:
        prefetch(list(windows), groups, **resampling)
    parts = []
    for t1, t2 in windows:
        for g in groups:
            t = result.tests((t1, t2), group=g, **resampling).rename_axis("test").reset_index()
            t.insert(0, "group", "all" if g is None else g)
            t.insert(1, "window_start", t1)
            t.insert(2, "window_end", t2)
            parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    if adjust is not None:
        out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted",
                   _adjusted(out["test"].to_numpy(), out["p_value"], adjust, family))
    return out


def _t975(df):
    """``t_ppf(0.975, df)`` computed once per distinct df (events share a few estimation
    lengths; Student t's quantile is an iterative solve, 0.3 s for 5,000 values)."""
    df = np.asarray(df, dtype=float)
    u, inv = np.unique(df, return_inverse=True)
    return np.asarray(t_ppf(0.975, u)).reshape(-1)[inv].reshape(df.shape)


def _tests_key(t1, t2, group, draws, seed) -> tuple:
    """The key of one window's and group's tests in a result's ``_tests_cache``."""
    return (t1, t2, group) if (draws, seed) == (DEFAULT_RESAMPLES, DEFAULT_SEED) else \
        (t1, t2, group, int(draws), int(seed))


def _many_windows(window) -> bool:
    """A list of windows (pairs) rather than one pair."""
    return isinstance(window, (list, tuple)) and len(window) > 0 and \
        all(isinstance(w, (list, tuple)) for w in window)


def _adjusted(tests, p_values, method: str, family: str) -> np.ndarray:
    """Adjusted p-values, each test one family (``family="test"``) or all rows one (``"all"``)."""
    from .statistics import adjust_p_values

    if family not in ("test", "all"):
        raise InputError(f"family must be 'test' or 'all', got {family!r}")
    return adjust_p_values(np.asarray(p_values, dtype=float), method, None if family == "all" else tests)


def _formula_env() -> dict:
    """The names a regression formula may use: those of the code that called ``regress``
    (its functions and variables), and ``np`` for numpy when it has none."""
    import inspect

    frame = inspect.currentframe().f_back.f_back        # regress's caller
    try:
        env = {**frame.f_globals, **frame.f_locals} if frame is not None else {}
    finally:
        del frame
    env.setdefault("np", np)
    return env


def aar_sd_cda(est_ar: np.ndarray) -> tuple[float, int]:
    """Crude dependence adjustment sd of the AAR and its df: :func:`analysis.core.statistics.cda_sd`."""
    from .statistics import cda_sd

    sd, dof = cda_sd(np.asarray(est_ar, dtype=float))
    return float(sd), int(dof)


class MeasureResult:
    """A measure computed from an engine result (abnormal volume, abnormal volatility): its
    events, their status, skip reasons and warnings are those of ``self.engine`` (an
    :class:`EventStudyResult`); subclasses give the measure's frames, ``tests()`` and summary."""

    engine: EventStudyResult
    measure = ""

    @property
    def event_ids(self) -> list[str]:
        return self.engine.event_ids

    @property
    def n_ok(self) -> int:
        return self.engine.n_ok

    @property
    def n_skipped(self) -> int:
        return self.engine.n_skipped

    @property
    def groups(self) -> list:
        return self.engine.groups

    def raise_if_skipped(self, event_id) -> None:
        self.engine.raise_if_skipped(event_id)

    def skipped_reasons(self) -> pd.Series:
        return self.engine.skipped_reasons()

    def add_warnings(self, event_ids, code: str, details) -> None:
        """Put a warning on events (as :meth:`EventStudyResult.add_warnings`)."""
        self.engine.add_warnings(event_ids, code, details)
        self.__dict__.pop("diagnostics", None)

    # every test of the measure for all events, then each group (the measure's own tests())
    tests_by_group = EventStudyResult.tests_by_group

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} {self.settings['model']} model, {self.n_ok} events studied, "
                f"{self.n_skipped} skipped, event window {list(self.settings['event_window'])}>")

    def _test_lines(self, window) -> list[str]:
        """The measure's tests over ``window``, one line each."""
        t1, t2 = window
        lines = ["", f"  Tests over [{t1}, {t2}]      statistic    p-value     N"]
        for name, r in self.tests((t1, t2)).iterrows():
            lines.append(f"  {name:24s} {r['statistic']:10.3f} {r['p_value']:10.4f} {int(r['n_events']):5d}")
        return lines

    def _sample_lines(self) -> list[str]:
        """The data source, events given/studied/skipped and the first ten skip reasons."""
        s, d = self.settings, self.diagnostics
        lines = [f"Data: {s['source_name']}"] if s.get("source_name") else []
        lines.append(f"Events: {len(d)} given, {self.n_ok} studied, {self.n_skipped} skipped")
        skipped = d[d["status"] == "skipped"]
        lines += [f"  skipped {r['event_id']} ({ticker_text(r['ticker'])}): {r['reason']}" for _, r in skipped.head(10).iterrows()]
        if len(skipped) > 10:
            lines.append(f"  ... {len(skipped) - 10} more (diagnostics)")
        return lines
