"""The hand-over between the engine (models) and the cross-event statistics.

The engine gathers every event that could be studied into aligned arrays; the statistics
compute every test from these arrays alone, without a Python loop over events. Row i is one
event, the same row in every array. Columns are trading days relative to day 0:
``est_*[:, j]`` is relative day ``estimation_window[0] + j`` and ``evt_*[:, j]`` is relative day
``event_window[0] + j``. A missing day is NaN (floats) or -1 (dates); ``m[i]`` counts the
non-missing estimation returns of event i.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class EventArrays:
    event_ids: np.ndarray          # (N,) object
    estimation_window: tuple[int, int]
    event_window: tuple[int, int]
    est_ar: np.ndarray             # (N, Le) estimation-window residuals (abnormal returns)
    est_dates: np.ndarray          # (N, Le) int64 calendar dates, days since 1970-01-01, -1 missing
    evt_ar: np.ndarray             # (N, Lw) event-window abnormal returns
    evt_ar_sd: np.ndarray          # (N, Lw) sd of each event-window AR (prediction-error corrected)
    evt_dates: np.ndarray          # (N, Lw) int64 calendar dates, -1 missing
    s: np.ndarray                  # (N,) residual standard deviation, sqrt(SSR / (M - k))
    m: np.ndarray                  # (N,) number of estimation returns used
    k: int                         # parameters estimated by the normal-return model
    # exact variance of CAR_i over [t1, t2] (relative days), shape (N,): model-specific
    car_variance: Callable[[int, int], np.ndarray] = field(repr=False)
    groups: np.ndarray | None = None   # (N,) object, the events' `group` (None: no groups)

    @property
    def n(self) -> int:
        return len(self.event_ids)

    def columns(self, t1: int, t2: int) -> slice:
        """Column slice of the event-window arrays covering relative days t1..t2 inclusive."""
        lo, hi = self.event_window
        if not (lo <= t1 <= t2 <= hi):
            from .errors import WindowError
            raise WindowError(f"window [{t1}, {t2}] is not inside the event window [{lo}, {hi}]")
        return slice(t1 - lo, t2 - lo + 1)

    def subset(self, mask: np.ndarray) -> "EventArrays":
        """The same arrays for the events where ``mask`` is true (e.g. one group)."""
        mask = np.asarray(mask, dtype=bool)
        full_variance = self.car_variance

        def car_variance(t1: int, t2: int) -> np.ndarray:
            return full_variance(t1, t2)[mask]

        return EventArrays(
            event_ids=self.event_ids[mask],
            estimation_window=self.estimation_window,
            event_window=self.event_window,
            est_ar=self.est_ar[mask],
            est_dates=self.est_dates[mask],
            evt_ar=self.evt_ar[mask],
            evt_ar_sd=self.evt_ar_sd[mask],
            evt_dates=self.evt_dates[mask],
            s=self.s[mask],
            m=self.m[mask],
            k=self.k,
            car_variance=car_variance,
            groups=None if self.groups is None else self.groups[mask],
        )
