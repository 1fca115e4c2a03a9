"""Synthetic event samples whose properties are known by construction (no market data).

``market_model_arrays`` fits the market model by numpy (closed forms, Campbell, Lo & MacKinlay
1997, ch. 4) and returns the :class:`analysis.core.arrays.EventArrays` the statistics consume:

    beta = sum (Rm - mean Rm)(R - mean R) / Smm,  alpha = mean R - beta mean Rm,
    s^2 = SSR / (M - 2),  Var AR_t = s^2 (1 + 1/M + (Rm_t - mean Rm)^2 / Smm),
    Var CAR(t1, t2) = s^2 (L + L^2 / M + (sum_t (Rm_t - mean Rm))^2 / Smm).

``simulate`` draws replications x events of iid normal returns (optionally with a common
factor in the residuals and one common event date per replication) in one batch.
"""

from __future__ import annotations

import numpy as np

from analysis.core.arrays import EventArrays


def market_model_arrays(r, rm, *, estimation_window=(-250, -11), event_window=(-10, 10),
                        dates=None, groups=None, event_ids=None) -> EventArrays:
    """EventArrays of the market model fitted row by row; ``r``/``rm`` are (N, Le + Lw).

    The first Le columns are the estimation window, the last Lw the event window. ``dates``
    (N, Le + Lw) int day numbers; default: event i on its own consecutive dates (no overlap
    between events).
    """
    r = np.asarray(r, float)
    rm = np.asarray(rm, float)
    n = r.shape[0]
    le = estimation_window[1] - estimation_window[0] + 1
    lw = event_window[1] - event_window[0] + 1
    assert r.shape == rm.shape == (n, le + lw)
    if dates is None:
        dates = np.arange(n)[:, None] * (le + lw) + np.arange(le + lw)[None, :]
    dates = np.asarray(dates, np.int64)
    er, erm = r[:, :le], rm[:, :le]
    ok = np.isfinite(er) & np.isfinite(erm)
    m = ok.sum(axis=1)
    er0, erm0 = np.where(ok, er, 0.0), np.where(ok, erm, 0.0)
    mr, mm = er0.sum(1) / m, erm0.sum(1) / m
    dm = np.where(ok, erm - mm[:, None], 0.0)
    smm = (dm ** 2).sum(1)
    beta = (dm * np.where(ok, er - mr[:, None], 0.0)).sum(1) / smm
    alpha = mr - beta * mm
    ar = r - alpha[:, None] - beta[:, None] * rm
    est_ar = np.where(ok, ar[:, :le], np.nan)
    s = np.sqrt((est_ar ** 2).sum(1, where=ok) / (m - 2))
    evt_ar = ar[:, le:]
    devt = rm[:, le:] - mm[:, None]
    evt_ar_sd = s[:, None] * np.sqrt(1 + 1 / m[:, None] + devt ** 2 / smm[:, None])
    lo = event_window[0]

    def car_variance(t1, t2):
        d = devt[:, t1 - lo:t2 - lo + 1].sum(1)
        length = t2 - t1 + 1
        return s ** 2 * (length + length ** 2 / m + d ** 2 / smm)

    est_dates = np.where(ok, dates[:, :le], -1)
    return EventArrays(
        event_ids=np.asarray(event_ids if event_ids is not None
                             else [f"e{i:05d}" for i in range(n)], dtype=object),
        estimation_window=tuple(estimation_window), event_window=tuple(event_window),
        est_ar=est_ar, est_dates=est_dates, evt_ar=evt_ar, evt_ar_sd=evt_ar_sd,
        evt_dates=dates[:, le:], s=s, m=m, k=2, car_variance=car_variance,
        groups=None if groups is None else np.asarray(groups, dtype=object),
    )


def simulate(n_events, n_reps=1, *, seed=0, le=250, event_window=(-10, 10), sigma=0.02,
             sigma_m=0.01, beta=1.0, delta=0.0, rho=0.0, common_date=False):
    """(arrays, replication codes) for ``n_reps`` samples of ``n_events`` events each.

    Returns R = beta Rm + e with Rm ~ N(0, sigma_m^2) and e ~ N(0, sigma^2), iid over days;
    ``delta`` is added to every event's day-0 return. ``rho``: residual correlation within a
    replication through a common factor, e = sigma (sqrt(rho) f_t + sqrt(1 - rho) u_it).
    ``common_date``: all events of a replication share their calendar dates and market returns
    (event-date clustering); otherwise each event has its own dates and market.
    """
    rng = np.random.default_rng(seed)
    lw = event_window[1] - event_window[0] + 1
    total = le + lw
    n = n_events * n_reps
    reps = np.repeat(np.arange(n_reps), n_events)
    if common_date:
        rm = rng.normal(0.0, sigma_m, (n_reps, total))[reps]
        dates = np.broadcast_to(np.arange(total, dtype=np.int64), (n, total))
    else:
        # each event on its own dates, no overlap inside a replication (replications reuse them)
        rm = rng.normal(0.0, sigma_m, (n, total))
        local = np.tile(np.arange(n_events), n_reps)
        dates = (local[:, None] * total + np.arange(total)[None, :]).astype(np.int64)
    u = rng.standard_normal((n, total))
    if rho:
        f = rng.standard_normal((n_reps, total))[reps]
        u = np.sqrt(rho) * f + np.sqrt(1.0 - rho) * u
    r = beta * rm + sigma * u
    r[:, le - event_window[0]] += delta
    arrays = market_model_arrays(r, rm, estimation_window=(event_window[0] - le, event_window[0] - 1),
                                 event_window=event_window, dates=dates)
    return arrays, reps


def simulate_date_clusters(n_reps, *, seed=0, dates=10, per_date=5, rho=0.2, le=250,
                           event_window=(-5, 5), sigma=0.02, sigma_m=0.01):
    """(arrays, replication codes): ``n_reps`` samples of ``dates`` x ``per_date`` events.

    Every event on a calendar day shares that day's market return and residual factor
    (correlation ``rho`` between any two events' residuals on the same day); the events of a
    date share their whole calendar, and dates are 3 days apart, so the events of one date
    share their day-0 shock and different dates do not (partial event-date clustering).
    R = Rm + e as in :func:`simulate`.
    """
    rng = np.random.default_rng(seed)
    lw = event_window[1] - event_window[0] + 1
    total = le + lw
    n = dates * per_date
    day = (np.repeat(np.arange(dates), per_date) * 3)[:, None] + np.arange(total)[None, :]
    span = int(day.max()) + 1
    r, rm = np.empty((n_reps * n, total)), np.empty((n_reps * n, total))
    for k in range(n_reps):
        f = rng.standard_normal(span)
        u = np.sqrt(rho) * f[day] + np.sqrt(1.0 - rho) * rng.standard_normal((n, total))
        m = rng.normal(0.0, sigma_m, span)[day]
        r[k * n:(k + 1) * n] = m + sigma * u
        rm[k * n:(k + 1) * n] = m
    arrays = market_model_arrays(r, rm, estimation_window=(event_window[0] - le, event_window[0] - 1),
                                 event_window=event_window, dates=np.tile(day, (n_reps, 1)))
    return arrays, np.repeat(np.arange(n_reps), n)
