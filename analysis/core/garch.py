"""GARCH(1,1) conditional variances of residual series, through the ``arch`` package.

One function for one series, :func:`conditional_variance`, and its batch form over the rows of
an (N, L) array, :func:`conditional_variances` (with a progress bar). The ``garch`` normal-return
model (:mod:`analysis.core.models`) uses them to standardise abnormal returns; the volatility
measures use them as a benchmark of the conditional variance.

Model (Bollerslev 1986, eq. 1-2), for residuals ``e_t`` with mean zero:

.. math::

    e_t = \\sigma_t z_t,\\quad z_t \\sim N(0, 1),\\qquad
    \\sigma_t^2 = \\omega + \\alpha e_{t-1}^2 + \\beta \\sigma_{t-1}^2,

with omega > 0, alpha, beta >= 0 and alpha + beta < 1 (``arch`` imposes these). The parameters
are the Gaussian maximum-likelihood estimates (arch's SLSQP optimiser). The recursion starts
from the sample mean square of the residuals: ``sigma_0^2 = e_0^2 = mean(e_t^2)`` (arch's
``backcast``). Forecasts from the end T of the series are the conditional expectations

.. math::

    \\sigma^2_{T+1|T} = \\omega + \\alpha e_T^2 + \\beta \\sigma_T^2,\\qquad
    \\sigma^2_{T+h|T} = \\omega + (\\alpha + \\beta)\\, \\sigma^2_{T+h-1|T}\\quad (h \\ge 2)

(Bollerslev 1986, sec. 4; Engle & Bollerslev 1986), i.e. E[e_{T+h}^2 | F_T].

The series is rescaled to unit mean square before the fit (the optimiser works best on numbers
of order one; returns are of order 0.01) and the variances are scaled back; omega scales with
the variance, alpha and beta do not. Missing values (NaN) are dropped: the remaining days are
treated as consecutive.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: fewest observations for a GARCH(1,1) fit (three parameters; below this the likelihood is flat)
MIN_OBS = 30


@dataclass(frozen=True)
class GarchFit:
    """GARCH(1,1) of one series: parameters (in the units of the series), conditional variances
    of the observations given (``in_sample``, NaN where the input was NaN) and the variance
    forecasts for 1..horizon steps after the last observation."""

    omega: float
    alpha: float
    beta: float
    in_sample: np.ndarray
    forecast: np.ndarray
    loglik: float
    converged: bool
    message: str = ""

    @property
    def persistence(self) -> float:
        return self.alpha + self.beta

    @property
    def unconditional(self) -> float:
        """omega / (1 - alpha - beta): the long-run variance the forecasts converge to."""
        p = self.persistence
        return self.omega / (1.0 - p) if p < 1 else np.inf


def conditional_variance(resid_est, horizon: int, *, tol: float = 1e-10) -> GarchFit:
    """Fit GARCH(1,1) with zero mean to ``resid_est`` (1-D, NaN dropped) by maximum likelihood
    (``arch.arch_model(mean="Zero", vol="GARCH", p=1, q=1)``) and forecast the conditional
    variance ``horizon`` steps ahead (see the module docstring for the equations).

    ``converged`` is False (with ``message``) when the optimiser did not converge, or there are
    fewer than :data:`MIN_OBS` observations or no variation; the numbers are then NaN.
    """
    from arch import arch_model

    e = np.asarray(resid_est, dtype=float)
    ok = np.isfinite(e)
    x = e[ok]
    horizon = int(horizon)
    nan = np.full(horizon, np.nan)
    in_sample = np.full(e.shape, np.nan)

    def failed(message):
        return GarchFit(np.nan, np.nan, np.nan, in_sample, nan, np.nan, False, message)

    if len(x) < MIN_OBS:
        return failed(f"GARCH(1,1) needs at least {MIN_OBS} residuals, got {len(x)}")
    ms = float(np.mean(x * x))
    if not ms > 0 or not np.isfinite(ms):
        return failed("GARCH(1,1): the residuals have no variation")
    scale = 1.0 / np.sqrt(ms)
    model = arch_model(x * scale, mean="Zero", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp="off", show_warning=False, backcast=1.0, tol=tol)
    if res.convergence_flag != 0:
        return failed(f"GARCH(1,1) estimation did not converge (optimizer flag {res.convergence_flag})")
    omega, alpha, beta = (float(v) for v in res.params.to_numpy())
    var = np.asarray(res.conditional_volatility, dtype=float) ** 2
    fc = np.asarray(res.forecast(horizon=max(horizon, 1), reindex=False).variance, dtype=float)[-1]
    in_sample[ok] = var / (scale * scale)
    return GarchFit(omega / (scale * scale), alpha, beta, in_sample, fc[:horizon] / (scale * scale),
                    float(res.loglikelihood), True)


@dataclass(frozen=True)
class GarchBatch:
    """:func:`conditional_variance` of every row: parameters (N,), ``in_sample`` (N, L),
    ``forecast`` (N, horizon) and ``failure`` (N,), the reason a row has no fit (None when fit)."""

    omega: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    in_sample: np.ndarray
    forecast: np.ndarray
    failure: np.ndarray


def conditional_variances(resid, horizon: int, *, progress: Callable[[int], object] | None = None,
                          tol: float = 1e-10) -> GarchBatch:
    """GARCH(1,1) of each row of ``resid`` (N, L), NaN marking unused days; ``progress(1)`` is
    called after each row (e.g. a tqdm bar's ``update``)."""
    resid = np.asarray(resid, dtype=float)
    n = len(resid)
    omega, alpha, beta = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    in_sample = np.full(resid.shape, np.nan)
    forecast = np.full((n, int(horizon)), np.nan)
    failure = np.full(n, None, dtype=object)
    for i in range(n):
        g = conditional_variance(resid[i], horizon, tol=tol)
        if g.converged:
            omega[i], alpha[i], beta[i] = g.omega, g.alpha, g.beta
            in_sample[i], forecast[i] = g.in_sample, g.forecast
        else:
            failure[i] = g.message
        if progress is not None:
            progress(1)
    return GarchBatch(omega, alpha, beta, in_sample, forecast, failure)
