"""Normal-return models, estimated for many events at once.

Every model is a linear regression of a *target* on regressors over the estimation window,

    target_t = R_t - offset_t = [alpha] + z_t' b + e_t,      expected_t = offset_t + [alpha] + z_t' b,

and the abnormal return is AR_t = R_t - expected_t (Campbell, Lo & MacKinlay 1997, ch. 4;
MacKinlay 1997). With k the number of estimated parameters (intercept included) and M the
number of estimation returns:

| model             | target      | regressors z_t            | intercept | k |
|-------------------|-------------|---------------------------|-----------|---|
| `market`          | R_t         | Rm_t                      | yes       | 2 |
| `market_adjusted` | R_t - Rm_t  | none                      | no        | 0 |
| `constant_mean`   | R_t         | none                      | yes       | 1 |
| `ff3`             | R_t - RF_t  | Mkt-RF, SMB, HML          | yes       | 4 |
| `carhart4`        | R_t - RF_t  | Mkt-RF, SMB, HML, Mom     | yes       | 5 |
| `ff5`             | R_t - RF_t  | Mkt-RF, SMB, HML, RMW, CMA| yes       | 6 |
| `dimson`          | R_t         | Rm_t, Rm_{t-1}, Rm_{t+1}  | yes       | 4 |
| `scholes_williams`| R_t         | Rm_t (beta by SW 1977)    | yes       | 2 |
| `garch`           | R_t         | Rm_t, GARCH(1,1) errors   | yes       | 2 |

(Fama & French 1993; Carhart 1997; Fama & French 2015; Dimson 1979; Scholes & Williams 1977;
Bollerslev 1986.) The thin-trading models take their lagged and lead market returns from the
pair's joint series (one lag and one lead by default: :func:`dimson` and
:func:`scholes_williams` build them with other numbers); ``garch`` is in :mod:`.garch`; a model
of the user's own is a :class:`UserModel` (see its docstring and :func:`fit_predict`).

Variances, one formula for all models, each with its own k:

- residual variance s^2 = SSR / (M - k) (for `market_adjusted`, k = 0: s^2 = sum AR^2 / M,
  the mean being zero under the model, nothing is estimated);
- variance of an event-window AR, corrected for the estimation error of the parameters
  (CLM eq. 4.4.8-4.4.9): Var(AR_t) = s^2 (1 + x_t' (X'X)^-1 x_t), which with an intercept is
  s^2 (1 + 1/M + d_t' Szz^-1 d_t), d_t = z_t - zbar, Szz = sum over the estimation window of
  (z - zbar)(z - zbar)'. For the market model this is s^2 (1 + 1/M + (Rm_t - mean Rm)^2 / Smm)
  (CLM eq. 4.4.9); constant mean: s^2 (1 + 1/M) (CLM 4.4.4); market adjusted: s^2;
- variance of CAR over [t1, t2], L = t2 - t1 + 1 days, the exact variance of a sum of
  prediction errors that share the same estimated parameters (CLM eq. 4.4.12-4.4.14):
  s^2 (L + 1' X* (X'X)^-1 X*' 1) = s^2 (L + L^2/M + D' Szz^-1 D), D = sum_t d_t; for the
  market model s^2 (L + L^2/M + (sum_t (Rm_t - mean Rm))^2 / Smm);
- single-event t statistics use Student t with M - k degrees of freedom (CLM 4.4.17 ff.).

Trade-to-trade returns (Maynes & Rumsey 1993). A return that spans n_t > 1 sessions (the stock
did not trade in between; the market return is compounded over the same span) is modelled as
the sum of n_t daily returns: target_t = n_t alpha + z_t' b + e_t with Var(e_t) = n_t sigma^2.
The fit is weighted least squares with weights 1/n_t, i.e. OLS of target_t / sqrt(n_t) on
[sqrt(n_t), z_t / sqrt(n_t)]. Partialling out the sqrt(n_t) column gives the same centred form
as above with session-weighted means ybar = sum target / S, zbar = sum z / S (S = sum of n_t
over the estimation window, the sessions it covers), centred values (x_t - n_t xbar) / sqrt(n_t)
and residuals reported on the one-session scale, e_t / sqrt(n_t). The prediction-error
variances become Var(AR_t) = s^2 (n_t + n_t^2 / S + d_t' Szz^-1 d_t), d_t = z_t - n_t zbar, and
Var(CAR) = s^2 (N + N^2 / S + D' Szz^-1 D) with N the sessions the CAR window covers; with every
n_t = 1 (the usual case) they are the formulas above.

Computations are batched over events: arrays are (N, L) or (N, L, q) with NaN marking a day
that is not used (missing, excluded); sums are masked and the (q, q) systems are solved as
(N, q, q) stacks. Centering by the estimation means before forming the cross products keeps
the normal equations well conditioned (agreement with statsmodels' QR fit to ~1e-12).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ..errors import InputError
from ..windows import DEFAULT_LAGS, DEFAULT_LEADS
from .arrays import rows_of

MARKET = "market"          # the pair's benchmark return (a regressor or an offset)
RF = "RF"                  # risk-free rate column of a factor table


@dataclass(frozen=True)
class ModelSpec:
    name: str
    regressors: tuple[str, ...]     # MARKET, market_lagJ / market_leadJ, or factor-table columns
    intercept: bool
    offset: str | None              # None, MARKET or RF
    description: str
    # how the parameters are estimated: "ols", "scholes_williams", "garch" or "user"
    estimator: str = "ols"
    # regressors of the estimation when they are not those of the prediction (Scholes-Williams
    # estimates from the lagged and lead market returns, predicts from the market return)
    fit_regressors: tuple[str, ...] = ()
    user: "UserModel | None" = None
    n_params: int | None = None     # k when it is not the number of regressors (+ intercept)

    @property
    def k(self) -> int:
        if self.n_params is not None:
            return self.n_params
        return len(self.regressors) + int(self.intercept)

    @property
    def estimation_regressors(self) -> tuple[str, ...]:
        return self.fit_regressors or self.regressors

    @property
    def shifted_regressors(self) -> tuple[str, ...]:
        """The lagged and lead market regressors used (``market_lag1``, ``market_lead1``, ...)."""
        names = dict.fromkeys(self.regressors + self.fit_regressors)
        return tuple(c for c in names if market_shift(c) not in (None, 0))

    @property
    def lags(self) -> int:
        return max([market_shift(c) for c in self.shifted_regressors if market_shift(c) > 0], default=0)

    @property
    def leads(self) -> int:
        return max([-market_shift(c) for c in self.shifted_regressors if market_shift(c) < 0], default=0)

    @property
    def linear_residuals(self) -> bool:
        """The estimation residuals are ``target - alpha - z @ coef`` over the prediction
        regressors (what :class:`analysis.core.arrays.ResidualRuns` needs)."""
        return self.estimator != "user"

    @property
    def is_ols(self) -> bool:
        """The parameters are the OLS fit of the target on [1, regressors] (``result.ols``)."""
        return self.estimator in ("ols", "garch")

    @property
    def factor_columns(self) -> tuple[str, ...]:
        names = dict.fromkeys(self.regressors + self.fit_regressors)
        cols = [c for c in names if market_shift(c) is None]
        if self.offset == RF:
            cols.append(RF)
        return tuple(cols)

    @property
    def needs_factors(self) -> bool:
        return bool(self.factor_columns)


MODELS: dict[str, ModelSpec] = {
    m.name: m for m in (
        ModelSpec("market", (MARKET,), True, None, "market model R = alpha + beta Rm (OLS)"),
        ModelSpec("market_adjusted", (), False, MARKET, "market-adjusted returns AR = R - Rm"),
        ModelSpec("constant_mean", (), True, None, "constant mean return"),
        ModelSpec("ff3", ("Mkt-RF", "SMB", "HML"), True, RF, "Fama-French three-factor model"),
        ModelSpec("carhart4", ("Mkt-RF", "SMB", "HML", "Mom"), True, RF, "Carhart four-factor model"),
        ModelSpec("ff5", ("Mkt-RF", "SMB", "HML", "RMW", "CMA"), True, RF, "Fama-French five-factor model"),
        ModelSpec("dimson", ("market", "market_lag1", "market_lead1"), True, None,
                  "Dimson (1979) market model: R on Rm_{t-1}, Rm_t, Rm_{t+1} (beta = sum of the slopes)"),
        ModelSpec("scholes_williams", ("market",), True, None,
                  "Scholes-Williams (1977) market model: beta = (b- + b0 + b+) / (1 + 2 rho_m)",
                  estimator="scholes_williams", fit_regressors=("market", "market_lag1", "market_lead1")),
        ModelSpec("garch", ("market",), True, None,
                  "market model with GARCH(1,1) errors (OLS mean, conditional variance forecasts)",
                  estimator="garch"),
    )
}


def market_shift(name: str) -> int | None:
    """How many days a market regressor is shifted: 0 for ``market``, +j for ``market_lagj``
    (Rm_{t-j}), -j for ``market_leadj`` (Rm_{t+j}); None for a factor-table column."""
    if name == MARKET:
        return 0
    for prefix, sign in (("market_lag", 1), ("market_lead", -1)):
        if name.startswith(prefix) and name[len(prefix):].isdigit() and int(name[len(prefix):]) > 0:
            return sign * int(name[len(prefix):])
    return None


def _shifts(lags, leads) -> tuple[str, ...]:
    for what, value in (("lags", lags), ("leads", leads)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value <= 20:
            raise InputError(f"{what} must be a whole number from 0 to 20, got {value!r}")
    return (tuple(f"market_lag{j}" for j in range(1, int(lags) + 1))
            + tuple(f"market_lead{j}" for j in range(1, int(leads) + 1)))


def _days(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def dimson(lags: int = DEFAULT_LAGS, leads: int = DEFAULT_LEADS) -> ModelSpec:
    """The Dimson (1979) model with ``lags`` lagged and ``leads`` lead market returns.

    .. math:: R_t = \\alpha + \\sum_{j=-\\text{lags}}^{\\text{leads}} b_j R_{m,t+j} + e_t,
              \\qquad \\beta_D = \\sum_j b_j

    (Dimson 1979, eq. 10-11: the aggregated-coefficients beta). The fit is OLS on the
    shifted market returns of the pair's joint series; the abnormal return is the residual of
    the same regression on the event days, AR_t = R_t - alpha - sum_j b_j Rm_{t+j}, so the AR
    variance is the exact OLS prediction-error variance of that design (CLM 1997 eq.
    4.4.8-4.4.14, k = 2 + lags + leads). Removing the lagged market moves matters for a
    stock that reacts late to its index (thin trading, or a market that closes after the
    stock's: a Hong Kong stock against ^GSPC); ``beta`` in diagnostics is the sum.
    """
    if (lags, leads) == (1, 1):
        return MODELS["dimson"]
    shifts = _shifts(lags, leads)
    return ModelSpec("dimson", (MARKET,) + shifts, True, None,
                     f"Dimson (1979) market model with {_days(lags, 'lag')} and {_days(leads, 'lead')} "
                     f"(beta = sum of the slopes)")


def scholes_williams(lags: int = DEFAULT_LAGS, leads: int = DEFAULT_LEADS) -> ModelSpec:
    """The Scholes & Williams (1977) model; ``lags``/``leads`` other than 1 give the
    generalisation of Cohen, Hawawini, Maier, Schwartz & Whitcomb (1983):

    .. math:: \\beta_{SW} = \\frac{\\sum_{j} b_j}{1 + \\sum_{k \\le \\text{lags}} \\rho_k
              + \\sum_{k \\le \\text{leads}} \\rho_k}

    with b_j the slope of the simple regression of R_t on Rm_{t+j} (j from -lags to leads)
    and rho_k the k-th autocorrelation of the market return (SW 1977 eq. 14-15 for one lag
    and lead: beta = (b- + b0 + b+) / (1 + 2 rho_m)). See :func:`fit_scholes_williams`.
    """
    if (lags, leads) == (1, 1):
        return MODELS["scholes_williams"]
    if lags + leads == 0:
        raise InputError("the Scholes-Williams model needs at least one lag or lead")
    shifts = _shifts(lags, leads)
    return ModelSpec("scholes_williams", (MARKET,), True, None,
                     f"Scholes-Williams (1977) market model with {_days(lags, 'lag')} and "
                     f"{_days(leads, 'lead')}", estimator="scholes_williams",
                     fit_regressors=(MARKET,) + shifts)


def with_lags(name: str, lags: int | None = None, leads: int | None = None):
    """The model ``name`` with ``lags``/``leads`` (None: the default), for the command line's
    ``--lags``/``--leads``: a :class:`ModelSpec` for the thin-trading models, ``name`` itself
    when neither is given; InputError for a model without lags."""
    if lags is None and leads is None:
        return name
    makers = {"dimson": dimson, "scholes_williams": scholes_williams}
    if name not in makers:
        raise InputError(f"--lags/--leads go with the models {' and '.join(makers)}, not {name!r}")
    return makers[name](DEFAULT_LAGS if lags is None else lags, DEFAULT_LEADS if leads is None else leads)


def get_model(name) -> ModelSpec:
    """The model called ``name`` (see :data:`MODELS`), or ``name`` itself when it is a
    :class:`ModelSpec` (e.g. from :func:`dimson`) or a :class:`UserModel`."""
    if isinstance(name, ModelSpec):
        return name
    if isinstance(name, UserModel):
        return name.spec()
    try:
        return MODELS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown model {name!r}: use one of {', '.join(MODELS)}") from None


@dataclass(frozen=True)
class BatchFit:
    """OLS fits of N events at once (row i = event i)."""

    intercept: bool
    k: int
    m: np.ndarray          # (N,) estimation returns used
    alpha: np.ndarray      # (N,) intercept (0 without one)
    coef: np.ndarray       # (N, q) slopes
    zbar: np.ndarray       # (N, q) estimation means of the regressors (0 without intercept)
    szz_inv: np.ndarray    # (N, q, q) inverse of the (centred) cross-product matrix
    s2: np.ndarray         # (N,) SSR / (M - k)
    r2: np.ndarray         # (N,) centred R^2 (NaN without intercept)
    resid: np.ndarray      # (N, L) estimation residuals, NaN on unused days
    degenerate: np.ndarray  # (N,) regressors collinear/constant or no residual variation
    sessions: np.ndarray | None = None   # (N,) sessions the estimation returns cover (None: = m)
    # model-specific per-event numbers for diagnostics, {name: (N,) array}; the key "failure"
    # holds a reason (str) for rows that could not be estimated, None elsewhere
    extra: dict = field(default_factory=dict)

    @property
    def df(self) -> np.ndarray:
        return self.m - self.k

    @property
    def s_total(self) -> np.ndarray:
        """Sessions covered by the estimation returns (M without multi-session returns)."""
        return self.m if self.sessions is None else self.sessions


def fit(target: np.ndarray, z: np.ndarray, intercept: bool, resid_out: np.ndarray | None = None,
        complete: bool = False, overwrite: bool = False, span: np.ndarray | None = None,
        mean_out: np.ndarray | None = None) -> BatchFit:
    """Masked OLS of ``target`` (N, L) on ``z`` (N, L, q) [+ intercept] for every row at once.

    Days where the target or any regressor is NaN are left out. Rows whose regressors are
    (numerically) collinear or constant, or whose residuals are all zero, are flagged
    ``degenerate`` (their numbers are NaN); the others are unaffected. ``resid_out``: an
    (N, L) array to write the residuals into (saves a copy when fitting in blocks).
    ``complete=True``: the caller knows there is no NaN (every day is used), so the masking
    passes are skipped. ``overwrite=True``: ``target`` and ``z`` are scratch arrays the fit may
    centre in place (saves two copies). ``span``: (N, L) sessions covered by each return
    (trade-to-trade weighting, see the module docstring); None: every return covers one.
    ``mean_out``: an (N,) array that receives each row's estimation mean of the target (with
    an intercept and without ``span``: the engine keeps it to compute the residuals again when
    read, :class:`analysis.core.arrays.FitResiduals`).
    """
    if span is not None:
        return _fit_spans(target, z, intercept, span, resid_out)
    target = np.asarray(target, dtype=float)
    z = np.asarray(z, dtype=float)
    n, length, q = z.shape
    if complete:
        mask = None
        m = np.full(n, length)
    else:
        mask = ~np.isnan(target)
        if q == 1:
            mask &= ~np.isnan(z[:, :, 0])
        elif q:
            mask &= ~np.isnan(z).any(axis=2)
        m = mask.sum(axis=1)
    k = q + int(intercept)
    resid = np.empty((n, length)) if resid_out is None else resid_out
    with np.errstate(invalid="ignore", divide="ignore"):
        if mask is None:
            y, zz = target, z
        else:
            y = np.where(mask, target, 0.0)
            zz = np.where(mask[:, :, None], z, 0.0)
        if intercept:
            ybar = y.sum(axis=1) / m
            if mean_out is not None:
                mean_out[...] = ybar
            zbar = zz.sum(axis=1) / m[:, None]
            if overwrite and mask is None:
                yc = np.subtract(y, ybar[:, None], out=y)
                zc = np.subtract(zz, zbar[:, None, :], out=zz)
            else:
                yc = y - ybar[:, None]
                zc = zz - zbar[:, None, :]
            if mask is not None:
                yc *= mask
                zc *= mask[:, :, None]
        else:
            ybar = np.zeros(n)
            zbar = np.zeros((n, q))
            yc, zc = y, zz
        if q == 1:          # the market model: scalar formulas, no (1, 1) stacks
            x = zc[:, :, 0]
            sxx = np.einsum("nt,nt->n", x, x)
            # sum of the squared (masked) regressor: Sxx + M zbar^2 (a scale for the check)
            raw = sxx + m * zbar[:, 0] ** 2 if intercept else sxx
            degenerate = ~(sxx > 1e-12 * np.maximum(raw, np.finfo(float).tiny))
            safe = np.where(degenerate, 1.0, sxx)
            coef = (np.einsum("nt,nt->n", x, yc) / safe)[:, None]
            szz_inv = (1.0 / safe)[:, None, None]
            np.multiply(x, coef, out=resid)
            np.subtract(yc, resid, out=resid)
        elif q:
            szz = np.einsum("nti,ntj->nij", zc, zc)
            szy = np.einsum("nti,nt->ni", zc, yc)
            # scale-free collinearity check on the correlation form of Szz
            diag = np.einsum("nii->ni", szz)
            raw = diag + m[:, None] * zbar ** 2 if intercept else diag
            tiny = ~(diag > 1e-12 * np.maximum(raw, np.finfo(float).tiny))
            scale = 1.0 / np.sqrt(np.where(tiny, 1.0, diag))
            corr = szz * scale[:, :, None] * scale[:, None, :]
            min_eig = np.linalg.eigvalsh(np.where(tiny[:, :, None] | tiny[:, None, :], np.eye(q), corr))[:, 0]
            degenerate = tiny.any(axis=1) | ~(min_eig > 1e-10)
            safe = np.where(degenerate[:, None, None], np.eye(q), szz)
            szz_inv = np.linalg.inv(safe)
            coef = np.linalg.solve(safe, szy[:, :, None])[:, :, 0]
            np.subtract(yc, np.einsum("nti,ni->nt", zc, coef), out=resid)
        else:
            szz_inv = np.zeros((n, 0, 0))
            coef = np.zeros((n, 0))
            degenerate = np.zeros(n, dtype=bool)
            np.copyto(resid, yc)
        alpha = ybar - np.einsum("ni,ni->n", zbar, coef) if intercept else np.zeros(n)
        ssr = np.einsum("nt,nt->n", resid, resid)
        s2 = ssr / (m - k)
        sst = np.einsum("nt,nt->n", yc, yc)
        r2 = 1.0 - ssr / sst if intercept else np.full(n, np.nan)
        # sum of the squared (masked) target: SST + M ybar^2
        scale_y = sst + m * ybar ** 2 if intercept else sst
    # no residual variation left: a perfect fit or a constant target
    degenerate = degenerate | ~(ssr > 1e-24 * np.maximum(scale_y, 1e-300))
    if mask is not None:
        np.copyto(resid, np.nan, where=~mask)
    return BatchFit(intercept=intercept, k=k, m=m, alpha=alpha, coef=coef, zbar=zbar,
                    szz_inv=szz_inv, s2=s2, r2=r2, resid=resid, degenerate=degenerate)


def _fit_spans(target, z, intercept: bool, span, resid_out) -> BatchFit:
    """Weighted least squares of trade-to-trade returns (module docstring): the centred fit on
    (x_t - n_t xbar) / sqrt(n_t), session-weighted means, residuals e_t / sqrt(n_t)."""
    target = np.asarray(target, dtype=float)
    z = np.asarray(z, dtype=float)
    span = np.asarray(span, dtype=float)
    n, length, q = z.shape
    mask = ~np.isnan(target) & ~np.isnan(span)
    if q:
        mask &= ~np.isnan(z).any(axis=2)
    m = mask.sum(axis=1)
    k = q + int(intercept)
    nspan = np.where(mask, span, 0.0)
    root = np.sqrt(np.where(mask, span, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        sessions = nspan.sum(axis=1)
        y = np.where(mask, target, 0.0)
        zz = np.where(mask[:, :, None], z, 0.0)
        if intercept:
            ybar = y.sum(axis=1) / sessions
            zbar = zz.sum(axis=1) / sessions[:, None]
            yc = (y - nspan * ybar[:, None]) / root
            zc = (zz - nspan[:, :, None] * zbar[:, None, :]) / root[:, :, None]
        else:
            ybar, zbar = np.zeros(n), np.zeros((n, q))
            yc, zc = y / root, zz / root[:, :, None]
        sub = fit(yc, zc, False, complete=True)      # OLS through the origin on the centred values
        resid = np.empty((n, length)) if resid_out is None else resid_out
        np.copyto(resid, sub.resid)
        alpha = ybar - np.einsum("ni,ni->n", zbar, sub.coef) if intercept else np.zeros(n)
        ssr = np.einsum("nt,nt->n", resid, resid)
        s2 = ssr / (m - k)
        sst = np.einsum("nt,nt->n", yc, yc)
        r2 = 1.0 - ssr / sst if intercept else np.full(n, np.nan)
        scale_y = sst + sessions * ybar ** 2 if intercept else sst
    degenerate = sub.degenerate | ~(ssr > 1e-24 * np.maximum(scale_y, 1e-300))
    np.copyto(resid, np.nan, where=~mask)
    return BatchFit(intercept=intercept, k=k, m=m, alpha=alpha, coef=sub.coef, zbar=zbar,
                    szz_inv=sub.szz_inv, s2=s2, r2=r2, resid=resid, degenerate=degenerate,
                    sessions=sessions)


def concat_fits(fits: list[BatchFit], resid: np.ndarray | None = None) -> BatchFit:
    """One BatchFit from fits of consecutive row blocks (the engine fits in blocks of events);
    ``resid``: the full residual array when the blocks wrote into it (``resid_out``)."""
    if len(fits) == 1:
        return fits[0]
    f0 = fits[0]
    cat = (lambda name: np.concatenate([getattr(f, name) for f in fits]))
    resid = resid if resid is not None else cat("resid")
    sessions = None
    if any(f.sessions is not None for f in fits):
        sessions = np.concatenate([np.asarray(f.s_total, dtype=float) for f in fits])
    extra = {key: np.concatenate([f.extra[key] for f in fits]) for key in f0.extra}
    return BatchFit(intercept=f0.intercept, k=f0.k, m=cat("m"), alpha=cat("alpha"), coef=cat("coef"),
                    zbar=cat("zbar"), szz_inv=cat("szz_inv"), s2=cat("s2"), r2=cat("r2"),
                    resid=resid, degenerate=cat("degenerate"), sessions=sessions, extra=extra)


def subset_fit(f: BatchFit, keep: np.ndarray, resid: np.ndarray | None = None) -> BatchFit:
    """The rows ``keep`` of a BatchFit (``resid``: those rows of the residuals, when the caller
    has selected them already)."""
    return replace(f, m=f.m[keep], alpha=f.alpha[keep], coef=f.coef[keep], zbar=f.zbar[keep],
                   szz_inv=f.szz_inv[keep], s2=f.s2[keep], r2=f.r2[keep],
                   resid=f.resid[keep] if resid is None else resid,
                   degenerate=f.degenerate[keep], sessions=None if f.sessions is None else f.sessions[keep],
                   extra={k: v[keep] for k, v in f.extra.items()})


@dataclass(frozen=True)
class Prediction:
    """Event-window abnormal returns and their exact variances for a fitted batch."""

    fit: BatchFit
    expected_target: np.ndarray   # (N, Lw) alpha + z_t' b (the engine's: PredictedRows, computed when read)
    ar: np.ndarray                # (N, Lw)
    ar_var: np.ndarray            # (N, Lw) s^2 (n_t + n_t^2 / S + d_t' Szz^-1 d_t)
    dev_cum: np.ndarray           # (N, Lw + 1, q) cumulative sums of d_t, a leading zero row
    span_cum: np.ndarray | None = None   # (N, Lw + 1) cumulative sessions (None: one per day)

    def _sessions(self, c1, c2) -> np.ndarray | float:
        if self.span_cum is None:
            return np.asarray(c2, dtype=float) - c1 + 1
        return self.span_cum[:, c2 + 1] - self.span_cum[:, c1]

    def car_variance(self, c1: int, c2: int) -> np.ndarray:
        """Exact Var(CAR) over event-window columns c1..c2 inclusive (0-based), shape (N,).

        s^2 (L + [L^2 / M] + D' Szz^-1 D), D = sum of d_t over the window (CLM 4.4.12-4.4.14);
        with multi-session returns L and M count sessions (module docstring).
        """
        f = self.fit
        length = self._sessions(c1, c2)
        d = self.dev_cum[:, c2 + 1] - self.dev_cum[:, c1]
        quad = np.einsum("ni,nij,nj->n", d, f.szz_inv, d)
        extra = length * length / f.s_total if f.intercept else 0.0
        return f.s2 * (length + extra + quad)

    def cumulative_car_variance(self) -> np.ndarray:
        """Var(CAR) from the first event-window column to each column, shape (N, Lw)."""
        f = self.fit
        lw = self.ar.shape[1]
        if self.span_cum is None:
            lengths = np.arange(1, lw + 1, dtype=float)[None, :]
        else:
            lengths = self.span_cum[:, 1:]
        d = self.dev_cum[:, 1:]
        quad = np.einsum("nti,nij,ntj->nt", d, f.szz_inv, d)
        extra = lengths ** 2 / np.asarray(f.s_total, dtype=float)[:, None] if f.intercept else 0.0
        return f.s2[:, None] * (lengths + extra + quad)


def subset_prediction(pred, keep: np.ndarray, fit: BatchFit):
    """The rows ``keep`` of a Prediction (or :class:`GeneralPrediction`), attached to the same
    rows' ``fit``."""
    values = {f.name: getattr(pred, f.name) for f in fields(pred) if f.name != "fit"}
    return type(pred)(fit=fit, **{k: None if v is None else rows_of(v, keep) for k, v in values.items()})


def predict(f: BatchFit, target: np.ndarray, z: np.ndarray, span: np.ndarray | None = None) -> Prediction:
    """Abnormal returns of the event window: target (N, Lw), regressors z (N, Lw, q);
    ``span`` (N, Lw): sessions each return covers (None: one each)."""
    if span is not None:
        return _predict_spans(f, target, z, np.asarray(span, dtype=float))
    target = np.asarray(target, dtype=float)
    z = np.asarray(z, dtype=float)
    n, lw, q = z.shape
    if f.sessions is not None:          # a weighted fit, one-session returns in the window
        return _predict_spans(f, target, z, np.ones((n, lw)))
    expected = f.alpha[:, None] + (np.einsum("nti,ni->nt", z, f.coef) if q else 0.0)
    dev = z - f.zbar[:, None, :] if f.intercept else z
    if q == 1:            # the market model: (Rm_t - mean Rm)^2 / Smm without (1, 1) stacks
        h = dev[:, :, 0] ** 2 * f.szz_inv[:, 0, :]
    elif q:
        h = np.einsum("nti,nij,ntj->nt", dev, f.szz_inv, dev)
    else:
        h = np.zeros((n, lw))
    if f.intercept:
        with np.errstate(divide="ignore"):         # m = 0: an event skipped for no returns
            h = h + 1.0 / f.m[:, None]
    dev_cum = np.concatenate([np.zeros((n, 1, q)), np.cumsum(dev, axis=1)], axis=1)
    return Prediction(fit=f, expected_target=expected, ar=target - expected,
                      ar_var=f.s2[:, None] * (1.0 + h), dev_cum=dev_cum)


def _predict_spans(f: BatchFit, target, z, span) -> Prediction:
    """:func:`predict` for returns covering ``span`` sessions: expected n_t alpha + z_t' b,
    Var(AR_t) = s^2 (n_t + n_t^2 / S + d_t' Szz^-1 d_t), d_t = z_t - n_t zbar."""
    target = np.asarray(target, dtype=float)
    z = np.asarray(z, dtype=float)
    n, lw, q = z.shape
    expected = span * f.alpha[:, None] + (np.einsum("nti,ni->nt", z, f.coef) if q else 0.0)
    dev = z - span[:, :, None] * f.zbar[:, None, :] if f.intercept else z
    h = np.einsum("nti,nij,ntj->nt", dev, f.szz_inv, dev) if q else np.zeros((n, lw))
    if f.intercept:
        with np.errstate(divide="ignore", invalid="ignore"):
            h = h + span ** 2 / np.asarray(f.s_total, dtype=float)[:, None]
    dev_cum = np.concatenate([np.zeros((n, 1, q)), np.cumsum(dev, axis=1)], axis=1)
    span_cum = np.concatenate([np.zeros((n, 1)), np.cumsum(span, axis=1)], axis=1)
    return Prediction(fit=f, expected_target=expected, ar=target - expected,
                      ar_var=f.s2[:, None] * (span + h), dev_cum=dev_cum, span_cum=span_cum)


# --------------------------------------------------------------------------------------------
# models beyond OLS: a general prediction-error variance, Scholes-Williams, GARCH, user models
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GeneralPrediction:
    """Event-window abnormal returns with the variance ``v_t + g_t' C g_t``.

    ``v_t`` is the variance of the model's error on event day t (s^2 for a constant-variance
    model, the conditional variance forecast for GARCH), ``g_t`` the gradient of the predicted
    normal return with respect to the p estimated parameters (the regressor row x_t for a
    linear model) and ``C`` the covariance of the parameter estimates. For a sum of days (a
    CAR), with uncorrelated errors: ``Var(CAR) = sum_t v_t + G' C G``, G = sum_t g_t (the
    estimation error is shared by every day: CLM 1997 eq. 4.4.12-4.4.14 in general form).
    The same interface as :class:`Prediction`.
    """

    fit: BatchFit
    expected_target: np.ndarray   # (N, Lw)
    ar: np.ndarray                # (N, Lw)
    ar_var: np.ndarray            # (N, Lw) v_t + g_t' C g_t
    var_cum: np.ndarray           # (N, Lw + 1) cumulative sums of v_t, a leading zero
    grad_cum: np.ndarray          # (N, Lw + 1, p) cumulative sums of g_t, a leading zero row
    param_cov: np.ndarray         # (N, p, p) C

    def car_variance(self, c1: int, c2: int) -> np.ndarray:
        """Var(CAR) over event-window columns c1..c2 inclusive (0-based), shape (N,)."""
        v = self.var_cum[:, c2 + 1] - self.var_cum[:, c1]
        g = self.grad_cum[:, c2 + 1] - self.grad_cum[:, c1]
        return v + np.einsum("ni,nij,nj->n", g, self.param_cov, g)

    def cumulative_car_variance(self) -> np.ndarray:
        """Var(CAR) from the first event-window column to each column, shape (N, Lw)."""
        g = self.grad_cum[:, 1:]
        return self.var_cum[:, 1:] + np.einsum("nti,nij,ntj->nt", g, self.param_cov, g)


def _general(fit: BatchFit, evt_target, expected, v, g, cov) -> GeneralPrediction:
    n = len(v)
    zero = np.zeros((n, 1))
    with np.errstate(invalid="ignore"):
        ar_var = v + np.einsum("nti,nij,ntj->nt", g, cov, g)
    return GeneralPrediction(fit=fit, expected_target=expected, ar=evt_target - expected, ar_var=ar_var,
                             var_cum=np.concatenate([zero, np.cumsum(v, axis=1)], axis=1),
                             grad_cum=np.concatenate([np.zeros((n, 1, g.shape[2])), np.cumsum(g, axis=1)],
                                                     axis=1),
                             param_cov=cov)


def fit_scholes_williams(target: np.ndarray, z: np.ndarray, names: tuple[str, ...],
                         resid_out: np.ndarray | None = None, span: np.ndarray | None = None) -> BatchFit:
    """Scholes & Williams (1977) alpha and beta of N events at once.

    ``target`` (N, L) stock returns, ``z`` (N, L, q) market returns shifted as ``names`` say
    (``market``, ``market_lagj``, ``market_leadj``: see :func:`market_shift`). Over the days
    where all are present (M of them; the first and last day of a series have no lag or lead):

    * ``b_j`` = slope of the simple OLS regression of R_t on the j-shifted market return;
    * ``rho_k`` = Pearson correlation of Rm_t with its k-shifted value (the k-th
      autocorrelation of the market return), for every shift used;
    * beta = sum_j b_j / (1 + sum_k rho_k) (SW 1977 eq. 14: (b- + b0 + b+) / (1 + 2 rho_m));
    * alpha = mean(R) - beta mean(Rm) over the same days (SW 1977 eq. 15).

    Residuals e_t = R_t - alpha - beta Rm_t, s^2 = SSR / (M - 2).

    Prediction-error variance (conditional on the market returns, as CLM 1997 eq. 4.4.8 for
    OLS). beta is linear in the stock returns, beta = sum_t c_t R_t with
    c_t = sum_j (Rm_{t,j} - mean_j) / S_jj / (1 + sum_k rho_k) (S_jj the centred sum of
    squares of shift j; rho depends on the market only), and sum_t c_t = 0. The prediction
    alpha + beta Rm_t = mean(R) + beta (Rm_t - mean Rm) therefore has the variance
    s^2 (1/M + (Rm_t - mean Rm)^2 sum_t c_t^2), and

        Var(AR_t) = s^2 (1 + 1/M + (Rm_t - mean Rm)^2 C),    C = sum_t c_t^2,
        Var(CAR) = s^2 (L + L^2/M + (sum_t (Rm_t - mean Rm))^2 C),

    the market-model formulas of CLM eq. 4.4.9 and 4.4.14 with 1/S_mm replaced by C (for OLS,
    c_t = (Rm_t - mean Rm) / S_mm and C = 1/S_mm). The returned fit stores C as ``szz_inv``,
    so :func:`predict` applies these formulas unchanged; ``extra`` holds each b_j and rho_k.

    Trade-to-trade returns (``span``: sessions each return covers, see the module docstring):
    every regression and correlation is taken in the weighted, session-centred coordinates of
    the market model's WLS fit, (x_t - n_t xbar) / sqrt(n_t) with session-weighted means; beta
    stays linear in the returns with sum_t c_t n_t = 0, so the variances are those of
    :func:`predict` with spans: s^2 (n_t + n_t^2 / S + d_t^2 C), d_t = Rm_t - n_t mean Rm.
    """
    target = np.asarray(target, dtype=float)
    z = np.asarray(z, dtype=float)
    n, length, q = z.shape
    j0 = names.index(MARKET)
    mask = np.isfinite(target) & np.isfinite(z).all(axis=2)
    if span is not None:
        span = np.asarray(span, dtype=float)
        mask &= np.isfinite(span)
    m = mask.sum(axis=1)
    nspan = np.where(mask, 1.0 if span is None else span, 0.0)
    root = np.sqrt(np.where(mask, 1.0 if span is None else span, 1.0))
    resid = np.empty((n, length)) if resid_out is None else resid_out
    with np.errstate(invalid="ignore", divide="ignore"):
        sessions = nspan.sum(axis=1)
        y = np.where(mask, target, 0.0)
        zz = np.where(mask[:, :, None], z, 0.0)
        ybar = y.sum(axis=1) / sessions
        zbar = zz.sum(axis=1) / sessions[:, None]
        yc = (y - nspan * ybar[:, None]) / root
        zc = (zz - nspan[:, :, None] * zbar[:, None, :]) / root[:, :, None]
        szz = np.einsum("nti,nti->ni", zc, zc)
        raw = szz + sessions[:, None] * zbar ** 2
        tiny = ~(szz > 1e-12 * np.maximum(raw, np.finfo(float).tiny))
        safe = np.where(tiny, 1.0, szz)
        b = np.einsum("nti,nt->ni", zc, yc) / safe
        rho = {}
        for j, name in enumerate(names):
            if j != j0:
                rho[name] = np.einsum("nt,nt->n", zc[:, :, j0], zc[:, :, j]) / np.sqrt(safe[:, j0] * safe[:, j])
        denom = 1.0 + sum(rho.values()) if rho else np.ones(n)
        bad = tiny.any(axis=1) | ~(denom > 0)
        denom = np.where(bad, 1.0, denom)
        beta = b.sum(axis=1) / denom
        alpha = ybar - beta * zbar[:, j0]
        c = (zc / safe[:, None, :]).sum(axis=2) / denom[:, None]
        cc = np.einsum("nt,nt->n", c, c)
        np.subtract(yc, beta[:, None] * zc[:, :, j0], out=resid)      # (R - n alpha - beta Rm) / sqrt(n)
        np.copyto(resid, np.nan, where=~mask)
        e0 = np.where(mask, resid, 0.0)
        ssr = np.einsum("nt,nt->n", e0, e0)
        sst = np.einsum("nt,nt->n", yc, yc)
        s2 = ssr / (m - 2)
        r2 = 1.0 - ssr / sst
    bad |= ~(ssr > 1e-24 * np.maximum(sst + sessions * ybar ** 2, 1e-300))
    extra = {f"beta_{name}": b[:, j] for j, name in enumerate(names)}
    extra.update({f"rho_{name}": r for name, r in rho.items()})
    return BatchFit(intercept=True, k=2, m=m, alpha=alpha, coef=beta[:, None], zbar=zbar[:, [j0]],
                    szz_inv=cc[:, None, None], s2=s2, r2=r2, resid=resid, degenerate=bad,
                    sessions=None if span is None else sessions, extra=extra)


def _fit_predict_garch(est_target, est_z, evt_target, evt_z, *, resid_out=None, complete=False,
                       gap: int = 1, progress=None, est_span=None, evt_span=None):
    """The GARCH(1,1) market model, two steps:

    1. alpha and beta by OLS over the estimation window (the market model's: the abnormal
       returns are the market model's, AR_t = R_t - alpha - beta Rm_t);
    2. GARCH(1,1) by maximum likelihood on the OLS residuals (:func:`analysis.core.garch.
       conditional_variance`), giving the in-sample conditional variances sigma_s^2 and the
       forecasts sigma^2_{t|T} for the event days, h = t - T steps after the last estimation
       day T (``gap`` = first event day - last estimation day).

    Variance of AR_t given the information at T: the error's conditional variance plus the
    estimation error of alpha and beta, Var(AR_t) = sigma^2_{t|T} + g_t' V g_t with
    g_t = (1, Rm_t - mean Rm) and V the heteroskedasticity-exact covariance of the OLS
    estimates (mean R, beta), whose weights are w_s = (1/M, (Rm_s - mean Rm) / S_mm):
    V = sum_s sigma_s^2 w_s w_s' (White 1980, eq. 2 with the GARCH variances in place of
    the squared residuals). The errors are a martingale difference sequence (uncorrelated), so
    Var(CAR) = sum_t sigma^2_{t|T} + G' V G, G = sum_t g_t. The two-step fit keeps the ARs
    of the market model and makes only their standardisation conditional (two-step QML is
    consistent for the GARCH parameters; Bollerslev & Wooldridge 1992 for joint QML).

    Trade-to-trade returns (``est_span``/``evt_span``, sessions n_t per return): the first step
    is the market model's WLS fit, the GARCH runs on its one-session residuals
    e_t / sqrt(n_t) (one step per return), a return of n_t sessions has the error variance
    n_t sigma_t^2, and the weights become w_s = (1/S, d_s / (n_s S_mm)) with d_s = Rm_s - n_s mean Rm,
    g_t = (n_t, Rm_t - n_t mean Rm) (S the sessions of the estimation window).
    """
    from . import garch as _garch

    f = fit(est_target, est_z, True, resid_out=resid_out, complete=complete and est_span is None,
            span=est_span)
    n_evt, lw = evt_target.shape
    res = _garch.conditional_variances(f.resid, gap + lw - 1, progress=progress)
    nt = np.ones((n_evt, lw)) if evt_span is None else np.asarray(evt_span, dtype=float)
    v = nt * res.forecast[:, gap - 1:gap - 1 + lw]
    mask = np.isfinite(f.resid)
    ns = np.where(mask, 1.0 if est_span is None else np.asarray(est_span, dtype=float), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(mask, est_z[:, :, 0] - ns * f.zbar[:, [0]], 0.0)
        sig = np.where(mask, res.in_sample, 0.0) * ns            # Var(y_s) = n_s sigma_s^2
        smm = 1.0 / f.szz_inv[:, 0, 0]
        total = np.asarray(f.s_total, dtype=float)
        c = d / (ns * smm[:, None])
        v00 = sig.sum(axis=1) / (total * total)
        v01 = np.einsum("nt,nt->n", sig, c) / total
        v11 = np.einsum("nt,nt,nt->n", sig, c, c)
    cov = np.stack([np.stack([v00, v01], axis=1), np.stack([v01, v11], axis=1)], axis=1)
    g = np.stack([nt, evt_z[:, :, 0] - nt * f.zbar[:, [0]]], axis=2)
    expected = nt * f.alpha[:, None] + f.coef[:, [0]] * evt_z[:, :, 0]
    failure = res.failure
    # the conditional variances are kept (keys with "_": not diagnostics columns) for the
    # GARCH volatility benchmark, which fits the same residuals with the same horizon
    extra = {"garch_omega": res.omega, "garch_alpha": res.alpha, "garch_beta": res.beta,
             "failure": failure, "_garch_in_sample": res.in_sample, "_garch_forecast": res.forecast}
    f = replace(f, degenerate=f.degenerate | np.array([x is not None for x in failure], dtype=bool),
                extra=extra)
    return f, _general(f, evt_target, expected, v, g, cov)


# --------------------------------------------------------------------------------------------
# a model of the user's own
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserFit:
    """What a :class:`UserModel`'s ``fit`` returns for one event.

    ``expected``: (M,) fitted normal returns (of the target) on the estimation days given;
    ``expected_event``: (Lw,) the normal returns predicted for the event-window days;
    ``gradient_event``: (Lw, p) the derivative of ``expected_event`` with respect to the p
    estimated parameters: for a linear model the regressor rows ``[1, x_t]``;
    ``cov_params``: (p, p) the covariance matrix of the parameter estimates (for OLS
    ``s^2 (X'X)^-1``, e.g. statsmodels' ``cov_params()``);
    ``variance_event``: (Lw,) the variance of the model's error on each event day (None:
    ``s^2 = SSR / (M - k)`` of the estimation residuals, every day);
    ``alpha``, ``beta``: shown in ``diagnostics`` (optional).

    The engine then sets AR_t = R_t - expected_event_t, Var(AR_t) = v_t + g_t' C g_t and
    Var(CAR) = sum v_t + G' C G (see :class:`GeneralPrediction`): the delta-method
    prediction-error variance, exact for a linear model.
    """

    expected: np.ndarray
    expected_event: np.ndarray
    gradient_event: np.ndarray
    cov_params: np.ndarray
    variance_event: np.ndarray | None = None
    alpha: float = np.nan
    beta: float = np.nan


@dataclass(frozen=True)
class UserModel:
    """A normal-return model of the user's own, passed as ``model=`` to ``run_event_study``,
    ``run_study`` or ``study``.

    ``fit(y, X, X_event) -> UserFit`` is called once per event: ``y`` (M,) the target on the
    estimation days that have the target and every regressor, ``X`` (M, q) the regressors on
    those days (columns in the order of ``regressors``), ``X_event`` (Lw, q) the regressors on
    the event-window days. ``regressors``: ``"market"``, ``"market_lag1"``,
    ``"market_lead1"``, ... (the pair's market return, lagged or lead along its joint series)
    or columns of the factor table (``factors=``). ``k``: the number of estimated
    parameters (residual variance s^2 = SSR / (M - k), single-event t with M - k df).
    ``offset``: subtract the market return (``"market"``) or the risk-free rate (``"RF"``)
    from the stock return to form the target. An exception in ``fit``, or non-finite numbers,
    skip that event with the reason in ``diagnostics``.

    Example, the market model written by hand (the tests check it reproduces
    ``model="market"`` exactly)::

        def ols_market(y, X, X_event):
            A = np.column_stack([np.ones(len(y)), X])
            coef, *_ = np.linalg.lstsq(A, y, rcond=None)
            resid = y - A @ coef
            s2 = resid @ resid / (len(y) - 2)
            G = np.column_stack([np.ones(len(X_event)), X_event])
            return UserFit(A @ coef, G @ coef, G, s2 * np.linalg.inv(A.T @ A),
                           alpha=coef[0], beta=coef[1])

        result = run_event_study(events, returns, model=UserModel("my_market", ols_market))
    """

    name: str
    fit: Callable[[np.ndarray, np.ndarray, np.ndarray], UserFit]
    regressors: tuple[str, ...] = (MARKET,)
    k: int = 2
    offset: str | None = None
    description: str = ""

    def spec(self) -> ModelSpec:
        if not callable(self.fit):
            raise InputError(f"user model {self.name!r}: fit must be a function (y, X, X_event) -> UserFit")
        if self.offset not in (None, MARKET, RF):
            raise InputError(f"user model {self.name!r}: offset must be None, 'market' or 'RF'")
        return ModelSpec(str(self.name), tuple(self.regressors), False, self.offset,
                         self.description or f"user model {self.name}", estimator="user", user=self,
                         n_params=int(self.k))


def _fit_predict_user(spec: ModelSpec, est_target, est_z, evt_target, evt_z, *, resid_out=None,
                      progress=None, **_):
    """One call of the user's ``fit`` per event (see :class:`UserModel`)."""
    user = spec.user
    k = spec.k
    n, le = est_target.shape
    lw, q = evt_target.shape[1], est_z.shape[2]
    resid = np.full((n, le), np.nan) if resid_out is None else resid_out
    resid[...] = np.nan
    m = np.zeros(n, dtype=np.int64)
    alpha, beta, s2, r2 = (np.full(n, np.nan) for _ in range(4))
    expected = np.full((n, lw), np.nan)
    v = np.full((n, lw), np.nan)
    g = cov = None
    failure = np.full(n, None, dtype=object)
    for i in range(n):
        if progress is not None:
            progress(1)
        ok = np.isfinite(est_target[i]) & np.isfinite(est_z[i]).all(axis=1)
        m[i] = ok.sum()
        try:
            out, e, s2_i, pred, var, grad, c = _user_fit_one(user, est_target[i, ok], est_z[i, ok], evt_z[i], k, lw)
        except Exception as exc:  # noqa: BLE001 - the user's code: any failure skips this event only
            failure[i] = f"user model {spec.name!r} failed: {type(exc).__name__}: {exc}".splitlines()[0]
            continue
        p = grad.shape[1]
        if g is None:
            g, cov = np.zeros((n, lw, p)), np.zeros((n, p, p))
        elif g.shape[2] != p:
            failure[i] = f"user model {spec.name!r} failed: it returned {p} parameters for this event, " \
                         f"{g.shape[2]} for an earlier one"
            continue
        resid[i, ok] = e
        s2[i] = s2_i
        yc = est_target[i, ok] - est_target[i, ok].mean()
        r2[i] = 1.0 - (e @ e) / (yc @ yc) if yc @ yc > 0 else np.nan
        alpha[i], beta[i] = out.alpha, out.beta
        expected[i], v[i], g[i], cov[i] = pred, var, grad, c
    if g is None:
        g, cov = np.zeros((n, lw, 1)), np.zeros((n, 1, 1))
    degenerate = np.array([x is not None for x in failure], dtype=bool)
    f = BatchFit(intercept=False, k=k, m=m, alpha=alpha, coef=beta[:, None], zbar=np.zeros((n, 1)),
                 szz_inv=np.zeros((n, 1, 1)), s2=s2, r2=r2, resid=resid, degenerate=degenerate,
                 extra={"failure": failure})
    return f, _general(f, evt_target, expected, v, g, cov)


def _user_fit_one(user, y, z, z_event, k: int, lw: int):
    """One event through the user's ``fit``, its output checked: ``(output, residuals, s^2,
    expected event returns, their variance, gradients, parameter covariance)``; ValueError when
    the shapes or the numbers are not usable."""
    m = len(y)
    if m <= k:
        raise ValueError(f"{m} estimation returns for {k} parameters")
    out = user.fit(y, z, z_event)
    fitted = np.asarray(out.expected, dtype=float).reshape(-1)
    pred = np.asarray(out.expected_event, dtype=float).reshape(-1)
    grad = np.asarray(out.gradient_event, dtype=float).reshape(lw, -1)
    c = np.asarray(out.cov_params, dtype=float)
    p = grad.shape[1]
    if fitted.shape != (m,) or pred.shape != (lw,) or c.shape != (p, p):
        raise ValueError(f"returned shapes expected {fitted.shape}, expected_event {pred.shape}, "
                         f"gradient_event {grad.shape}, cov_params {c.shape}; want ({m},), "
                         f"({lw},), ({lw}, p), (p, p)")
    e = y - fitted
    s2 = float(e @ e) / (m - k)
    var = np.full(lw, s2) if out.variance_event is None else np.asarray(out.variance_event, dtype=float).reshape(lw)
    if not (np.isfinite(fitted).all() and np.isfinite(pred).all() and np.isfinite(c).all()
            and np.isfinite(var).all() and s2 > 0):
        raise ValueError("it returned numbers that are not finite (or a zero residual variance)")
    return out, e, s2, pred, var, grad, c


# --------------------------------------------------------------------------------------------
# one entry point for the engine
# --------------------------------------------------------------------------------------------

def fit_predict(spec: ModelSpec, est_target, est_z, evt_target, evt_z, *, resid_out=None,
                complete: bool = False, overwrite: bool = False, gap: int = 1, progress=None,
                est_span=None, evt_span=None, mean_out=None):
    """Fit ``spec`` over the estimation window and predict the event window, for a block of
    events: ``(BatchFit, Prediction | GeneralPrediction)``.

    ``est_z`` holds the model's ``estimation_regressors``, ``evt_z`` its ``regressors``;
    ``gap``: days from the last estimation day to the first event day (GARCH forecasts);
    ``progress(1)`` is called per event by the models fitted one event at a time;
    ``est_span``/``evt_span``: sessions each return covers (None: one each), modelled
    trade-to-trade (module docstring) by every model but a user's, which gets the returns as
    they are (the engine notes it). ``mean_out``: see :func:`fit` (OLS only).
    """
    if spec.estimator == "ols":
        f = fit(est_target, est_z, spec.intercept, resid_out=resid_out, complete=complete, overwrite=overwrite,
                span=est_span, mean_out=mean_out)
        return f, predict(f, evt_target, evt_z, span=evt_span)
    if spec.estimator == "scholes_williams":
        f = fit_scholes_williams(est_target, est_z, spec.estimation_regressors, resid_out=resid_out,
                                 span=est_span)
        return f, predict(f, evt_target, evt_z, span=evt_span)
    if spec.estimator == "garch":
        return _fit_predict_garch(est_target, est_z, evt_target, evt_z, resid_out=resid_out,
                                  complete=complete, gap=gap, progress=progress, est_span=est_span,
                                  evt_span=evt_span)
    if spec.estimator == "user":
        return _fit_predict_user(spec, est_target, est_z, evt_target, evt_z, resid_out=resid_out,
                                 progress=progress)
    raise InputError(f"model {spec.name!r}: unknown estimator {spec.estimator!r}")


def per_event(spec: ModelSpec) -> bool:
    """The model is fitted one event at a time (a progress bar is worth showing)."""
    return spec.estimator in ("garch", "user")


def prediction_arrays(spec: ModelSpec, n: int, lw: int) -> dict[str, np.ndarray]:
    """Empty arrays for the prediction of ``n`` events (filled block by block by the engine)."""
    out = {"expected_target": np.empty((n, lw)), "ar": np.empty((n, lw)), "ar_var": np.empty((n, lw))}
    if spec.estimator in ("ols", "scholes_williams"):
        out["dev_cum"] = np.empty((n, lw + 1, len(spec.regressors)))
    return out


def make_prediction(spec: ModelSpec, fit_: BatchFit, arrays: dict[str, np.ndarray], parts=None,
                    span_cum: np.ndarray | None = None):
    """The prediction of all events from the arrays of :func:`prediction_arrays`; ``parts``:
    the blocks' own predictions, for the arrays whose width is only known after the fit;
    ``span_cum``: cumulative sessions of the event windows (trade-to-trade returns)."""
    if "dev_cum" in arrays:
        return Prediction(fit=fit_, span_cum=span_cum, **arrays)
    extra = {}
    for name in ("var_cum", "grad_cum", "param_cov"):
        pieces = [getattr(p, name) for p in parts]
        width = max(x.shape[-1] for x in pieces) if name != "var_cum" else None
        if width is not None and any(x.shape[-1] != width for x in pieces):
            pieces = [_pad(x, width, name) for x in pieces]
        extra[name] = np.concatenate(pieces)
    return GeneralPrediction(fit=fit_, **arrays, **extra)


def _pad(x, width, name):
    """Blocks of a user model that failed everywhere carry a 1-parameter placeholder."""
    shape = x.shape[:-1] + (width,) if name == "grad_cum" else x.shape[:1] + (width, width)
    return np.zeros(shape)


def model_beta(spec: ModelSpec, f: BatchFit) -> np.ndarray:
    """The model's beta for ``diagnostics``: 1 for market-adjusted returns, the sum of the
    market slopes for Dimson, the Scholes-Williams beta, the first slope otherwise (NaN when
    the model has no slope)."""
    n = len(f.m)
    if spec.offset == MARKET and not spec.regressors:
        return np.ones(n)
    if spec.estimator == "ols" and spec.shifted_regressors:
        cols = [j for j, c in enumerate(spec.regressors) if market_shift(c) is not None]
        return f.coef[:, cols].sum(axis=1)
    return f.coef[:, 0] if f.coef.shape[1] else np.full(n, np.nan)


def diagnostic_columns(spec: ModelSpec, f: BatchFit) -> dict[str, np.ndarray]:
    """Model-specific columns of ``diagnostics`` (beyond alpha, beta and the other loadings):
    the contemporaneous slope of Dimson, each b_j and rho_k of Scholes-Williams, the GARCH
    parameters (not the fit's arrays kept for later, whose keys begin with ``_``)."""
    out = {}
    if spec.estimator == "ols" and spec.shifted_regressors:
        out[f"beta_{MARKET}"] = f.coef[:, 0]
    out.update({k: v for k, v in f.extra.items() if k != "failure" and not k.startswith("_")})
    return out


def beta_description(spec: ModelSpec) -> str:
    """What ``beta`` means for the model, for printed summaries."""
    if spec.estimator == "scholes_williams":
        return "beta is the Scholes-Williams beta; slopes of the simple regressions"
    if spec.estimator == "ols" and spec.shifted_regressors:
        return "beta is the Dimson beta, the sum of the slopes"
    if not spec.regressors:
        return "no estimated slope"
    return f"beta is the loading on {spec.regressors[0]}; other loadings"
