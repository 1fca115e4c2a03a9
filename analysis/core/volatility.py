"""Abnormal volatility: did the event make the stock's returns more variable?

The normal-return model is fitted over the estimation window by the engine
(:func:`analysis.core.engine.run_engine`); its abnormal returns ``AR_it`` in the event window are
compared with the residual variance ``s_i^2 = SSR_i / (M_i - k)`` of the estimation window. With
``sd(AR_it) = s_i sqrt(1 + x_t' (X'X)^-1 x_t)`` the prediction-error standard deviation
(Campbell, Lo & MacKinlay 1997, eq. 4.4.8-4.4.9), ``SAR_it = AR_it / sd(AR_it)`` is Student t
with ``df_i = M_i - k`` degrees of freedom under the null of normal errors with unchanged
variance, so

.. math::

    E[SAR_{it}^2] = c_i = \\frac{df_i}{df_i - 2}.

Per event and window ``[t1, t2]`` (``L`` days, ``AR`` the vector of the window's abnormal
returns, ``X*`` the window's regressors with the intercept, ``X`` the estimation design):

* the variance ratio ``VR_i = sum_t AR_it^2 / (L s_i^2)``: the event-window variance of the
  abnormal returns over the estimation-window residual variance (the sipemu ``VolatilityModel``
  reports its daily form ``r_t^2 / var - 1``);
* the exact variance-ratio test ``F_i = AR' V^-1 AR / (L s_i^2)``, ``V = I + X* (X'X)^-1 X*'``
  the covariance of the window's prediction errors over sigma^2. Under normality the numerator
  is ``sigma^2 chi^2_L`` and independent of ``s_i^2``, so ``F_i ~ F(L, M_i - k)`` exactly: the
  predictive test of Chow (1960), which rejects when the event window does not fit the model,
  variance or mean. ``V^-1`` is applied through the Woodbury identity on the k x k system
  ``(X'X + X*'X*)`` (in the centred parameterisation ``X'X = diag(M, Szz)``).

Across events (``N`` events, window ``[t1, t2]``):

* ``sar2_t``: the cross-sectional test of squared standardised abnormal returns, Beaver's (1968)
  U statistic (``U_it = AR_it^2 / s_i^2``, here with the prediction-error variance) averaged over
  the window, ``U_i = (1/L) sum_t SAR_it^2``, tested against its null mean:
  ``t = mean(U_i - c_i) / (sd(U_i - c_i) / sqrt(N))``, Student t with N - 1 df (Landsman &
  Maydew 2002 use the same statistic for earnings announcements). Robust to event-induced
  dispersion of U across firms; but U is skewed (chi-square with one df for one day under
  normality), and with few events the t statistic is too: at N = 25 the test rejects 10% of the
  time at 5% on normal returns (docs/validation.md, section 5, also says why it is kept as is);
* ``sar2_skew_t``: the same mean tested with the skewness-adjusted t of Johnson (1978) (as
  Lyon, Barber & Tsai 1999 for BHARs, :func:`analysis.core.bhar.skew_adjusted_t`), which
  corrects most of that;
* ``f_sum_z``: the events' F statistics pooled as a Patell-type sum:
  ``z = sum_i (F_i - E F_i) / sqrt(sum_i Var F_i)`` with ``E F = d2 / (d2 - 2)`` and
  ``Var F = 2 d2^2 (d1 + d2 - 2) / (d1 (d2 - 2)^2 (d2 - 4))`` (``d1 = L``, ``d2 = M_i - k``),
  standard normal for many independent events;
* ``rank_abs_z``: the rank test of Corrado (1989) (Corrado & Zivney 1992 standardised ranks,
  :func:`analysis.core.statistics.corrado_rank_z`) applied to the absolute standardised abnormal
  returns ``|e_it / s_i|`` (estimation window) and ``|SAR_it|`` (event window): a volatility
  increase moves the event days to the top ranks. Nonparametric: well specified with fat tails.

GARCH(1,1) benchmark (``VolatilityResult(..., benchmark="garch")``, i.e.
``run_event_study(..., measure="volatility", volatility_benchmark="garch")`` or ``batch --measure
volatility --volatility-benchmark garch``; the default ``"constant"`` is everything above).
The constant ``s_i^2`` is replaced by the conditional variance the estimation window forecasts
for each event day: GARCH(1,1) is fitted by Gaussian (quasi) maximum likelihood to the
estimation-window residuals ``e_is`` of the normal-return model (:func:`analysis.core.garch.
conditional_variances`, the one home of the likelihood; Bollerslev 1986), and
``sigma^2_{it|T}`` is its forecast ``h = t - T`` steps after the last estimation day ``T``. The
variance of the abnormal return given the information at ``T`` is the error's conditional
variance plus the estimation error of the normal return's parameters:

.. math::

    V^G_{it} = n_{it}\\,\\sigma^2_{it|T} + P_{it},\\qquad
    P_{it} = \\widehat{Var}(AR_{it}) - n_{it}\\, v_{it},

with ``n_it`` the sessions the return spans (1 unless trade-to-trade) and ``P_it`` the
engine's own parameter term (its ``ar_sd^2`` less its error variance ``v_it``: ``s_i^2`` for the
constant-variance models, the same GARCH forecast for ``model="garch"``, whose ``V^G`` is then
its ``ar_sd^2``). Per event and day the **GARCH variance ratio**

.. math::

    G_{it} = AR_{it}^2 / V^G_{it},\\qquad E[G_{it}] = 1

under the null (conditionally normal errors whose variance follows the estimated GARCH; the
estimation error of the GARCH parameters is ignored, as in Savickas 2003, and is of order
1/M). Over a window ``G_i = (1/L) sum_t G_it``. This is the volatility benchmark of
Bialkowski, Gottschalk & Wisniewski (2008), abnormal volatility measured against the GARCH
forecast instead of a constant variance, and the GARCH standardisation of Savickas (2003,
``AR_it / sqrt(h_it)``) applied to the second moment. Across events:

* ``garch_sar2_t``: ``t = mean(G_i - 1) / (sd(G_i - 1) / sqrt(N))``, Student t with N - 1 df
  (Beaver's U with the GARCH variance, as ``sar2_t``);
* ``garch_sar2_skew_t``: the same mean with Johnson's (1978) skewness-adjusted t.

There is no GARCH rank test: ranking ``|AR_it| / sqrt(V^G_it)`` (forecasts 10-20 steps ahead)
among the in-sample ``|e_is| / sigma_is`` (one step ahead) compares two differently shaped
distributions (a multi-step standardised residual is a scale mixture, fatter-tailed with a
lower median) even under the null; on real Hong Kong data such a rank test rejected 11% of
the time at 5% over days -2..2 and 19% over -5..5 (200 samples of 50 events, docs/validation.md
section 5). The moment tests only need ``E[G_it] = 1``, which holds at every horizon.

An event whose GARCH fit fails (fewer than :data:`analysis.core.garch.MIN_OBS` residuals, no
variation, the optimiser not converging) keeps its constant-benchmark numbers; its GARCH
numbers are NaN, the reason is in ``diagnostics["garch_failure"]`` and a ``garch_failed``
warning, and the GARCH tests leave it out (their ``n_events`` says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ..windows import car_windows
from . import statistics as st
from .bhar import skew_adjusted_t
from .results import EventStudyResult, MeasureResult

VOLATILITY_TESTS = ("sar2_t", "sar2_skew_t", "f_sum_z", "rank_abs_z")
#: the benchmark of the event-window variance: the estimation window's constant residual
#: variance, or the GARCH(1,1) conditional variance forecast from it
VOLATILITY_BENCHMARKS = ("constant", "garch")
#: the cross-event tests added by ``benchmark="garch"``
GARCH_TESTS = ("garch_sar2_t", "garch_sar2_skew_t")
#: one day's GARCH ratio above this is significant at 5% on its own: AR / sqrt(V^G) is standard
#: normal under the null, its square chi-square with one df (upper 5% point, 3.841)
GARCH_RATIO_CRITICAL = float(stats.chi2.ppf(0.95, 1))


def check_benchmark(benchmark) -> str:
    """``benchmark`` if it is one of :data:`VOLATILITY_BENCHMARKS`, else a one-line InputError."""
    if benchmark not in VOLATILITY_BENCHMARKS:
        from ..errors import InputError
        raise InputError(f"volatility benchmark {benchmark!r}: use one of {', '.join(VOLATILITY_BENCHMARKS)}")
    return benchmark


@dataclass(frozen=True)
class GarchBenchmark:
    """The GARCH(1,1) benchmark of every studied event (row i = event i of the arrays; see the
    module docstring): parameters (N,), in-sample conditional variances ``est_variance``
    (N, Le, one session, NaN on missing days), the forecasts ``sigma2`` (N, Lw) = n_t
    sigma^2_{t|T}, ``ar_var`` (N, Lw) = V^G = sigma2 + P, and ``failure`` (N,) the reason an
    event has no fit (None when fitted)."""

    omega: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    est_variance: np.ndarray
    sigma2: np.ndarray
    ar_var: np.ndarray
    failure: np.ndarray


def garch_benchmark(result: EventStudyResult, *, progress: bool = True) -> GarchBenchmark:
    """Fit GARCH(1,1) to each event's estimation residuals (``result.arrays.est_ar``) and
    forecast the event window: column j of the event window (relative day ``evt0 + j``) is
    ``evt0 - est1 + j`` steps after the last estimation day. A progress bar for 20 events or
    more. A user model (``UserModel``) is refused: its error variance is its own, so the
    parameter term P cannot be told apart from it."""
    from ..config import progress as tqdm

    from . import garch as _garch

    a = result.arrays
    spec = result.estimates.spec
    if spec.estimator == "user":
        from ..errors import InputError
        raise InputError("the GARCH volatility benchmark needs a built-in normal-return model, not a user model")
    (_, est1), (evt0, evt1) = a.estimation_window, a.event_window
    gap, lw = evt0 - est1, evt1 - evt0 + 1
    fit = _model_garch(result, gap + lw - 1)
    if fit is None:
        with tqdm(total=a.n, desc="GARCH(1,1) benchmark", unit="event", disable=not progress or a.n < 20) as bar:
            fit = _garch.conditional_variances(a.est_ar, gap + lw - 1, progress=bar.update)
    h = fit.forecast[:, gap - 1:gap - 1 + lw]
    n_t = np.ones_like(h) if a.evt_sessions is None else np.asarray(a.evt_sessions, dtype=float)
    sigma2 = n_t * h
    error_var = sigma2 if spec.estimator == "garch" else n_t * (a.s ** 2)[:, None]
    ar_var = sigma2 + (a.evt_ar_sd ** 2 - error_var)
    return GarchBenchmark(fit.omega, fit.alpha, fit.beta, fit.in_sample, sigma2, ar_var, fit.failure)


def _model_garch(result: EventStudyResult, horizon: int):
    """The GARCH(1,1) fits of ``model="garch"`` (:func:`analysis.core.models._fit_predict_garch`),
    when the model has made them: the same function of the same residuals (the fit's, which
    are ``arrays.est_ar``) with the same horizon, so the benchmark does not fit every event a
    second time. None otherwise."""
    from .garch import GarchBatch

    f = result.estimates.fit
    extra = f.extra
    if result.estimates.spec.estimator != "garch" or "_garch_forecast" not in extra:
        return None
    forecast = extra["_garch_forecast"]
    if forecast.shape != (result.arrays.n, horizon) or f.resid is not result.arrays.est_ar:
        return None
    return GarchBatch(extra["garch_omega"], extra["garch_alpha"], extra["garch_beta"],
                      extra["_garch_in_sample"], forecast, extra["failure"])


@dataclass(frozen=True)
class _Design:
    """The event-window regressors in the centred parameterisation, per studied event."""

    d: np.ndarray          # (N, Lw, k): [1 (with an intercept), z_t - zbar]
    a_diag: np.ndarray     # (N, k, k): X'X in the same parameterisation, diag(M, Szz)


def _design(result: EventStudyResult) -> _Design:
    """``X*`` of every event window and ``X'X`` of the estimation window, centred so that
    ``X'X = diag(M, Szz)`` (with an intercept); the fit's ``szz_inv`` is inverted back."""
    est = result.estimates
    fit = est.fit
    lo, hi = result.arrays.event_window
    lw = hi - lo + 1
    _, z = est.series.design_slices(est.evt_start, lw)
    z = np.asarray(z, dtype=float)
    n, _, q = z.shape
    parts, blocks = [], []
    if fit.intercept:
        parts.append(np.ones((n, lw, 1)))
        blocks.append(fit.m.astype(float))
    if q:
        dz = z - fit.zbar[:, None, :] if fit.intercept else z
        parts.append(dz)
    d = np.concatenate(parts, axis=2) if parts else np.zeros((n, lw, 0))
    k = d.shape[2]
    a = np.zeros((n, k, k))
    j = 0
    if fit.intercept:
        a[:, 0, 0] = fit.m
        j = 1
    if q:
        a[:, j:, j:] = np.linalg.inv(fit.szz_inv)
    return _Design(d=d, a_diag=a)


def f_statistics(ar: np.ndarray, d: np.ndarray, a: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """``F_i = AR_i' V_i^-1 AR_i / (L s_i^2)`` with ``V = I + D A^-1 D'`` for every event at once.

    ``ar`` (N, L) abnormal returns of the window, ``d`` (N, L, k) its regressors, ``a`` (N, k, k)
    the estimation ``X'X`` in the same parameterisation, ``s2`` (N,). Woodbury:
    ``V^-1 = I - D (A + D'D)^-1 D'``.
    """
    ar = np.asarray(ar, dtype=float)
    length = ar.shape[1]
    ss = np.einsum("nt,nt->n", ar, ar)
    if d.shape[2]:
        b = a + np.einsum("nti,ntj->nij", d, d)
        u = np.einsum("nti,nt->ni", d, ar)
        quad = np.einsum("ni,ni->n", u, np.linalg.solve(b, u[:, :, None])[:, :, 0])
    else:
        quad = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ss - quad) / (length * s2)


def _f_moments(d1, d2):
    """Mean and variance of F(d1, d2); NaN where undefined (d2 <= 2, d2 <= 4)."""
    d1 = np.asarray(d1, float)
    d2 = np.asarray(d2, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(d2 > 2, d2 / (d2 - 2), np.nan)
        var = np.where(d2 > 4, 2 * d2 ** 2 * (d1 + d2 - 2) / (d1 * (d2 - 2) ** 2 * (d2 - 4)), np.nan)
    return mean, var


def sar2_t(u, c, groups=None) -> st.TestResult:
    """Cross-sectional t of ``U_i - c_i`` (see the module docstring): ``U_i`` the mean squared
    SAR of event i over the window, ``c_i = df_i / (df_i - 2)`` its null mean."""
    return st.csect_t(np.asarray(u, float) - np.asarray(c, float), groups)


def f_sum_z(f, d1, d2, groups=None) -> st.TestResult:
    """Pooled F statistics, ``z = sum (F_i - E F_i) / sqrt(sum Var F_i)``, standard normal
    (per group when ``groups`` are given, as the tests of :mod:`analysis.core.statistics`)."""
    mean, var = _f_moments(d1, d2)
    f = np.asarray(f, float)
    codes, g = st._codes(groups, len(f))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = st._gsum(f - mean, codes, g) / np.sqrt(st._gsum(var, codes, g))
    n = st._gcount(codes, g)
    z, p = st._normal(z)
    return st._result(z, p, n, groups is None)


def garch_tests(result: "VolatilityResult", c: slice, codes) -> dict[str, st.TestResult]:
    """The GARCH-benchmark tests over the event-window columns ``c`` (module docstring), per
    group code; events without a fit or with a missing day in the window are left out."""
    u = np.mean(result._garch_ratio[:, c], axis=1)
    keep = np.isfinite(u)
    codes = np.asarray(codes)[keep]
    return {"garch_sar2_t": st.csect_t(u[keep] - 1.0, codes),
            "garch_sar2_skew_t": skew_adjusted_t(u[keep] - 1.0, codes)}


def grouped_volatility_tests(result: "VolatilityResult", window, groups=None) -> dict[str, st.TestResult]:
    """Every volatility test for every group at once: ``{name: TestResult of arrays (G,)}``
    (``groups``: codes 0..G-1 or labels per event; None: one group). Events whose window has
    a missing day or whose df <= 4 are left out; with the GARCH benchmark its tests
    (:data:`GARCH_TESTS`) follow, without the events whose fit failed."""
    a = result.arrays
    (t1, t2), = result._windows([window])
    c = a.columns(t1, t2)
    out = _constant_tests(result, c, t2 - t1 + 1, groups)
    if result.benchmark == "garch":
        out.update(garch_tests(result, c, st._codes(groups, a.n)[0]))
    return out


def _constant_tests(result: "VolatilityResult", c: slice, length: int, groups) -> dict[str, st.TestResult]:
    a = result.arrays
    sar = result._sar[:, c]
    u = np.mean(sar ** 2, axis=1)
    df2 = result._df()
    f = f_statistics(a.evt_ar[:, c], result._design.d[:, c], result._design.a_diag, a.s ** 2)
    keep = np.isfinite(u) & np.isfinite(f) & (df2 > 4)
    codes, _ = st._codes(groups, a.n)
    codes = codes[keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        est_abs = np.abs(np.asarray(a.est_ar, float)[keep] / a.s[keep, None])
    return {"sar2_t": sar2_t(u[keep], result._c()[keep], codes),
            "sar2_skew_t": skew_adjusted_t(u[keep] - result._c()[keep], codes),
            "f_sum_z": f_sum_z(f[keep], length, df2[keep], codes),
            "rank_abs_z": st.corrado_rank_z(est_abs, np.abs(result._sar[keep]), c, codes)}


class VolatilityResult(MeasureResult):
    """The abnormal-volatility study of a sample (see the module docstring for every formula).

    - ``abnormal_volatility``: one row per event and event-window day: ``abnormal_return``,
      ``ar_sd``, ``sar``, ``sar2`` (= SAR^2, the day's variance ratio against the prediction
      variance), ``expected_sar2`` (df / (df - 2)) and ``sar2_critical`` (t(0.975, df)^2, the
      two-sided 5% point of one day's SAR^2);
    - ``ratios(windows)``: per event and window ``variance_ratio``, the exact ``f`` with its
      ``df1, df2`` and p-value (upper tail: more variance than the model);
    - ``by_day(window, group)``: mean SAR^2 across events by relative day, 95% band from the
      cross-sectional sd, and its null mean;
    - ``tests(window, group)``: :data:`VOLATILITY_TESTS`;
    - ``diagnostics`` the engine's; ``engine`` the return study (``abnormal_returns``, ``tests()``
      of the mean), ``arrays`` its arrays.

    ``benchmark="garch"`` (module docstring) adds ``garch_sigma2`` (the error's conditional
    variance forecast), ``garch_ar_var`` (V^G) and ``garch_ratio`` (AR^2 / V^G) to
    ``abnormal_volatility``, ``garch_ratio`` (the window's mean) to ``ratios``, the
    :data:`GARCH_TESTS` to ``tests``, ``garch_omega, garch_alpha, garch_beta,
    garch_persistence, garch_failure`` to ``diagnostics`` (a ``garch_failed`` warning on an event
    without a fit), and ``by_day`` and the figure show the GARCH ratio (``by_day(benchmark=
    "constant")`` the SAR^2). ``garch``: the :class:`GarchBenchmark` (given, it is not refitted).
    """

    measure = "volatility"

    def __init__(self, inner: EventStudyResult, benchmark: str = "constant", *, garch: GarchBenchmark | None = None,
                 progress: bool = True):
        self.engine = inner
        self.arrays = inner.arrays
        self.estimates, self.status = inner.estimates, inner.status
        self.benchmark = check_benchmark(benchmark)
        self.settings = {**inner.settings, "measure": "volatility", "volatility_benchmark": self.benchmark}
        self.garch = None
        if self.benchmark == "garch":
            self.garch = garch if garch is not None else garch_benchmark(inner, progress=progress)
            failed = [(e, r) for e, r in zip(self.arrays.event_ids, self.garch.failure) if r is not None]
            if failed and garch is None:
                self.add_warnings([e for e, _ in failed], "garch_failed",
                                  [f"{r}: no GARCH benchmark for this event" for _, r in failed])

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        d = self.engine.diagnostics.assign(measure="volatility")
        if self.garch is None:
            return d
        g = self.garch
        row = {e: i for i, e in enumerate(self.arrays.event_ids)}
        pos = np.array([row.get(e, -1) for e in d["event_id"]], dtype=np.intp)
        has = pos >= 0

        def full(values):
            return np.where(has, np.asarray(values, dtype=float)[pos], np.nan)

        cols = {"garch_omega": full(g.omega), "garch_alpha": full(g.alpha), "garch_beta": full(g.beta),
                "garch_persistence": full(g.alpha + g.beta),
                "garch_failure": np.array([g.failure[i] or "" if i >= 0 else "" for i in pos], dtype=object)}
        d = d.drop(columns=[c for c in cols if c in d])      # model="garch": the same fit, shown once
        at = d.columns.get_loc("warnings") if "warnings" in d else len(d.columns)
        for j, (name, values) in enumerate(cols.items()):
            d.insert(at + j, name, values)
        return d

    def bhar(self, window=(1, 250), **kwargs):
        """Buy-and-hold abnormal returns of the same events (see ``EventStudyResult.bhar``)."""
        return self.engine.bhar(window, **kwargs)

    # ------------------------------------------------------------------ quantities
    def _df(self) -> np.ndarray:
        return (self.arrays.m - self.arrays.k).astype(float)

    def _c(self) -> np.ndarray:
        df = self._df()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(df > 2, df / (df - 2), np.nan)

    @cached_property
    def _sar(self) -> np.ndarray:
        a = self.arrays
        with np.errstate(invalid="ignore", divide="ignore"):
            return a.evt_ar / a.evt_ar_sd

    @property
    def _garch_ratio(self) -> np.ndarray:
        """(N, Lw) AR^2 / V^G (NaN without a GARCH fit); from the current arrays."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.arrays.evt_ar ** 2 / self.garch.ar_var

    @cached_property
    def _design(self) -> _Design:
        return _design(self.engine)

    def _windows(self, windows) -> list[tuple[int, int]]:
        return car_windows(windows, self.arrays.event_window)

    @cached_property
    def abnormal_volatility(self) -> pd.DataFrame:
        f = self.engine.abnormal_returns
        cols = [c for c in ("event_id", "ticker", "market", "group", "relative_day", "date",
                            "stock_return", "market_return", "abnormal_return", "ar_sd") if c in f]
        out = f[cols].copy()
        sar = self._sar.ravel()
        out["sar"] = sar
        out["sar2"] = sar * sar
        out["expected_sar2"] = np.repeat(self._c(), self._sar.shape[1])
        # SAR^2 above this is significant at 5% on its own (SAR is t with df_i degrees of freedom)
        out["sar2_critical"] = np.repeat(stats.t.ppf(0.975, np.where(self._df() > 0, self._df(), np.nan)) ** 2,
                                         self._sar.shape[1])
        if self.garch is not None:
            out["garch_sigma2"] = self.garch.sigma2.ravel()
            out["garch_ar_var"] = self.garch.ar_var.ravel()
            out["garch_ratio"] = self._garch_ratio.ravel()
        return out

    def ratios(self, windows=None) -> pd.DataFrame:
        """Per event and window: ``event_id, window_start, window_end, days, variance_ratio,
        f, df1, df2, p`` (+ ``group``); p = P(F(df1, df2) > f)."""
        a = self.arrays
        s2 = a.s ** 2
        df2 = self._df()
        parts = []
        for t1, t2 in self._windows(windows):
            c = a.columns(t1, t2)
            ar = a.evt_ar[:, c]
            length = t2 - t1 + 1
            with np.errstate(invalid="ignore", divide="ignore"):
                vr = np.einsum("nt,nt->n", ar, ar) / (length * s2)
            f = f_statistics(ar, self._design.d[:, c], self._design.a_diag, s2)
            part = {"event_id": a.event_ids}
            if a.groups is not None:
                part["group"] = a.groups
            part.update({"window_start": t1, "window_end": t2, "days": length, "variance_ratio": vr,
                         "f": f, "df1": length, "df2": df2,
                         "p": stats.f.sf(f, length, np.where(df2 > 0, df2, np.nan))})
            if self.garch is not None:
                part["garch_ratio"] = np.mean(self._garch_ratio[:, c], axis=1)
            parts.append(pd.DataFrame(part))
        return pd.concat(parts, ignore_index=True)

    def _subset(self, group) -> np.ndarray:
        a = self.arrays
        if group is None:
            return np.ones(a.n, dtype=bool)
        self.engine._subset(group)                  # the same errors for unknown groups
        return a.groups == group

    def by_day(self, window=None, group=None, benchmark: str | None = None) -> pd.DataFrame:
        """Mean SAR^2 across events by relative day: ``relative_day, n, mean_sar2, se, lo, hi,
        expected``; the band is mean +- t(0.975, n - 1) sd / sqrt(n) (cross-sectional sd),
        ``expected`` the mean of c_i = df_i / (df_i - 2) (about 1). ``benchmark`` (default: the
        result's): ``"garch"`` gives the same columns for the GARCH ratio AR^2 / V^G, expected 1."""
        a = self.arrays
        lo, hi = a.event_window if window is None else self._windows([window])[0]
        c = a.columns(lo, hi)
        keep = self._subset(group)
        garch = check_benchmark(benchmark or self.benchmark) == "garch"
        if garch and self.garch is None:
            from ..errors import InputError
            raise InputError("by_day(benchmark='garch') needs a study run with volatility_benchmark='garch'")
        x = self._garch_ratio[keep][:, c] if garch else self._sar[keep][:, c] ** 2
        n = np.sum(np.isfinite(x), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(x, axis=0) / n
            sd = np.sqrt(np.nansum((x - mean) ** 2, axis=0) / (n - 1))
            se = sd / np.sqrt(n)
            q = stats.t.ppf(0.975, np.where(n > 1, n - 1, np.nan))
        return pd.DataFrame({"relative_day": np.arange(lo, hi + 1), "n": n, "mean_sar2": mean, "se": se,
                             "lo": mean - q * se, "hi": mean + q * se,
                             "expected": 1.0 if garch else
                             float(np.nanmean(self._c()[keep])) if keep.any() else np.nan})

    def tests(self, window=(0, 0), group=None) -> pd.DataFrame:
        """The cross-event volatility tests over ``window``, indexed by test name
        (:data:`VOLATILITY_TESTS`, then :data:`GARCH_TESTS` with the GARCH benchmark), columns
        ``statistic, p_value, n_events`` (two-sided). Events whose window has a missing day or
        whose df <= 4 (GARCH tests: without a fit) are left out."""
        keep = self._subset(group)
        res = grouped_volatility_tests(self, window, np.where(keep, 0, 1))
        return pd.DataFrame({"statistic": [float(r.statistic[0]) for r in res.values()],
                             "p_value": [float(r.p_value[0]) for r in res.values()],
                             "n_events": [int(r.n_events[0]) for r in res.values()]},
                            index=pd.Index(list(res), name="test"))

    # ------------------------------------------------------------------ text
    def summary(self, windows=None) -> str:
        s = self.settings
        lines = [f"Abnormal volatility: {s['model']} model ({s.get('model_description', '')}), "
                 f"{s['returns_kind']} returns",
                 f"Estimation window {list(s['estimation_window'])}, event window {list(s['event_window'])} "
                 f"(trading days relative to day 0)"]
        lines += self._sample_lines()
        if self.n_ok == 0:
            return "\n".join(lines)
        r = self.ratios(windows)
        lines += ["", "  window      mean VR  median VR  share F p<0.05     N"]
        for (t1, t2), g in r.groupby(["window_start", "window_end"], sort=False):
            w = f"[{t1}, {t2}]"
            lines.append(f"  {w:10s} {g['variance_ratio'].mean():8.2f} {g['variance_ratio'].median():10.2f} "
                         f"{(g['p'] < 0.05).mean():16.2f} {g['f'].notna().sum():5d}")
        if self.garch is not None:
            lines += ["", "  GARCH(1,1) benchmark (conditional variance forecast from the estimation window)",
                      "  window    mean GARCH ratio  median     N"]
            for (t1, t2), g in r.groupby(["window_start", "window_end"], sort=False):
                lines.append(f"  {f'[{t1}, {t2}]':10s} {g['garch_ratio'].mean():16.2f} {g['garch_ratio'].median():7.2f} "
                             f"{g['garch_ratio'].notna().sum():5d}")
            failed = [(e, f) for e, f in zip(self.arrays.event_ids, self.garch.failure) if f is not None]
            if failed:
                lines.append(f"  {len(failed)} event(s) without a GARCH fit, left out of the GARCH tests "
                             f"(diagnostics: garch_failure, warning garch_failed):")
                lines += [f"    {e}: {f}" for e, f in failed[:10]]
                if len(failed) > 10:
                    lines.append(f"    ... {len(failed) - 10} more")
        lines += self._test_lines(self._windows(windows)[0])
        lines.append("  (VR: event-window variance of the abnormal returns over the estimation-window "
                     "residual variance; F: exact predictive test, F(L, M - k)"
                     + ("; GARCH ratio: AR^2 over its GARCH(1,1) conditional variance)" if self.garch is not None
                        else ")"))
        return "\n".join(lines)
