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

(Fama & French 1993; Carhart 1997; Fama & French 2015.)

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

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

MARKET = "market"          # the pair's benchmark return (a regressor or an offset)
RF = "RF"                  # risk-free rate column of a factor table


@dataclass(frozen=True)
class ModelSpec:
    name: str
    regressors: tuple[str, ...]     # MARKET or factor-table columns
    intercept: bool
    offset: str | None              # None, MARKET or RF
    description: str

    @property
    def k(self) -> int:
        return len(self.regressors) + int(self.intercept)

    @property
    def factor_columns(self) -> tuple[str, ...]:
        cols = [c for c in self.regressors if c != MARKET]
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
    )
}


def get_model(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
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

    @property
    def df(self) -> np.ndarray:
        return self.m - self.k

    @property
    def s_total(self) -> np.ndarray:
        """Sessions covered by the estimation returns (M without multi-session returns)."""
        return self.m if self.sessions is None else self.sessions


def fit(target: np.ndarray, z: np.ndarray, intercept: bool, resid_out: np.ndarray | None = None,
        complete: bool = False, overwrite: bool = False, span: np.ndarray | None = None) -> BatchFit:
    """Masked OLS of ``target`` (N, L) on ``z`` (N, L, q) [+ intercept] for every row at once.

    Days where the target or any regressor is NaN are left out. Rows whose regressors are
    (numerically) collinear or constant, or whose residuals are all zero, are flagged
    ``degenerate`` (their numbers are NaN); the others are unaffected. ``resid_out``: an
    (N, L) array to write the residuals into (saves a copy when fitting in blocks).
    ``complete=True``: the caller knows there is no NaN (every day is used), so the masking
    passes are skipped. ``overwrite=True``: ``target`` and ``z`` are scratch arrays the fit may
    centre in place (saves two copies). ``span``: (N, L) sessions covered by each return
    (trade-to-trade weighting, see the module docstring); None: every return covers one.
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
    return BatchFit(intercept=f0.intercept, k=f0.k, m=cat("m"), alpha=cat("alpha"), coef=cat("coef"),
                    zbar=cat("zbar"), szz_inv=cat("szz_inv"), s2=cat("s2"), r2=cat("r2"),
                    resid=resid, degenerate=cat("degenerate"), sessions=sessions)


@dataclass(frozen=True)
class Prediction:
    """Event-window abnormal returns and their exact variances for a fitted batch."""

    fit: BatchFit
    expected_target: np.ndarray   # (N, Lw) alpha + z_t' b
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


def subset_prediction(pred: Prediction, keep: np.ndarray, fit: BatchFit) -> Prediction:
    """The rows ``keep`` of a Prediction, attached to the same rows' ``fit``."""
    return Prediction(fit=fit, expected_target=pred.expected_target[keep], ar=pred.ar[keep],
                      ar_var=pred.ar_var[keep], dev_cum=pred.dev_cum[keep],
                      span_cum=None if pred.span_cum is None else pred.span_cum[keep])


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
