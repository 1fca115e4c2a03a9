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
from numpy.lib.stride_tricks import sliding_window_view


@dataclass(frozen=True)
class EventArrays:
    event_ids: np.ndarray          # (N,) object
    estimation_window: tuple[int, int]
    event_window: tuple[int, int]
    est_ar: np.ndarray             # (N, Le) estimation-window residuals (abnormal returns)
    est_dates: "np.ndarray | WindowRows"   # (N, Le) int64 days since 1970-01-01, -1 missing
    evt_ar: np.ndarray             # (N, Lw) event-window abnormal returns
    evt_ar_sd: np.ndarray          # (N, Lw) sd of each event-window AR (prediction-error corrected)
    evt_dates: "np.ndarray | WindowRows"   # (N, Lw) int64 calendar dates, -1 missing
    s: np.ndarray                  # (N,) residual standard deviation, sqrt(SSR / (M - k))
    m: np.ndarray                  # (N,) number of estimation returns used
    k: int                         # parameters estimated by the normal-return model
    # exact variance of CAR_i over [t1, t2] (relative days), shape (N,): model-specific
    car_variance: Callable[[int, int], np.ndarray] = field(repr=False)
    groups: np.ndarray | None = None   # (N,) object, the events' `group` (None: no groups)
    # the estimation residuals as runs of a shared series, when every window is complete (the
    # engine's usual case): lets r-bar use sums over the series instead of over every cell
    runs: "ResidualRuns | None" = field(default=None, repr=False)
    # (N, Lw) market sessions each event-window return spans (None: one each): trade-to-trade
    # returns of a stock that did not trade every session (Maynes & Rumsey 1993)
    evt_sessions: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.event_ids)

    def columns(self, t1: int, t2: int) -> slice:
        """Column slice of the event-window arrays covering relative days t1..t2 inclusive."""
        lo, hi = self.event_window
        if not (lo <= t1 <= t2 <= hi):
            from ..errors import WindowError
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
            est_ar=rows_of(self.est_ar, mask),
            est_dates=rows_of(self.est_dates, mask),
            evt_ar=self.evt_ar[mask],
            evt_ar_sd=self.evt_ar_sd[mask],
            evt_dates=rows_of(self.evt_dates, mask),
            s=self.s[mask],
            m=self.m[mask],
            k=self.k,
            car_variance=car_variance,
            groups=None if self.groups is None else self.groups[mask],
            runs=None if self.runs is None else self.runs.subset(mask),
            evt_sessions=None if self.evt_sessions is None else self.evt_sessions[mask],
        )


@dataclass(frozen=True)
class ResidualRuns:
    """Estimation residuals written as runs of one shared series (the engine's usual case).

    Row i of ``est_ar`` is ``e_ij = target[start_i + j] - alpha_i - z[start_i + j] @ coef_i`` for
    j = 0..L-1, every day present, on the dates ``dates[start_i + j]``: the linear model of
    event i applied to a contiguous run of its (ticker, market) pair's joint series, all pairs
    concatenated. Sums over the events covering a date then follow from running sums over the
    series (O(N + T), T the series length) instead of a pass over the N x L residuals.
    """

    target: np.ndarray      # (T,) the model's target (stock return, or its excess return)
    z: np.ndarray           # (T, q) the model's regressors
    dates: np.ndarray       # (T,) int64 days since 1970-01-01, -1 where no date
    start: np.ndarray       # (N,) series index of each event's first estimation day
    alpha: np.ndarray       # (N,) intercepts (0 without one)
    coef: np.ndarray        # (N, q) slopes
    intercept: bool         # the model has an intercept (the residuals have mean 0)

    def subset(self, mask: np.ndarray) -> "ResidualRuns":
        return ResidualRuns(self.target, self.z, self.dates, self.start[mask], self.alpha[mask],
                            self.coef[mask], self.intercept)


def windows(values: np.ndarray, start: np.ndarray, length: int, out: np.ndarray | None = None) -> np.ndarray:
    """Rows ``values[start_i : start_i + length]`` (along the first axis) as an (N, length, ...)
    array: copies of contiguous slices, much faster than gathering by an index array.
    ``out``: an array of the result's shape to copy into (returned)."""
    if len(start) == 0:
        return np.empty((0, length) + values.shape[1:], dtype=values.dtype) if out is None else out
    if values.ndim == 1:
        view = sliding_window_view(values, length)[start]
        if out is None:
            return view
        out[...] = view          # (np.take(..., out=) would copy the whole window view first)
        return out
    view = np.moveaxis(sliding_window_view(values, length, axis=0)[start], -1, 1)   # (N, length, q)
    if out is None:
        return np.ascontiguousarray(view)
    out[...] = view
    return out


class LazyRows(np.lib.mixins.NDArrayOperatorsMixin):
    """An (N, L) array whose rows are computed when read, not held in memory: an event
    study's per-event, per-day arrays of a million events are gigabytes each. ``np.asarray``
    computes every row (in blocks); indexing by an event (or a slice or 1-D selection of
    events) computes only those rows, and ``x[:, j]`` only one column; :func:`rows_of`
    selects rows without computing them. Operators, numpy functions and array attributes
    compute all rows and act on that array. Subclasses give :meth:`_read` (the rows of an
    index array or slice, a new array) and :meth:`rows` (the same kind of object for a
    subset of rows); they hold ``start``, one entry per row."""

    start: np.ndarray
    length: int
    ndim = 2
    _fields = ("start", "length")

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.start), self.length)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        """The bytes this object holds (its rows are not held)."""
        return sum(int(getattr(getattr(self, name), "nbytes", 0)) for name in self._fields)

    def _read(self, sel) -> np.ndarray:               # pragma: no cover - abstract
        raise NotImplementedError

    def rows(self, key) -> "LazyRows":                # pragma: no cover - abstract
        raise NotImplementedError

    def _column(self, j: int) -> np.ndarray:
        return self._read(slice(None))[:, j]

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError(f"{type(self).__name__} are computed when read: an array of them is always a copy")
        n = len(self)
        if n <= 4 * 1024:
            out = self._read(slice(None))
        else:
            out = np.empty(self.shape, dtype=self.dtype)
            for lo in range(0, n, 4 * 1024):
                out[lo:lo + 4 * 1024] = self._read(slice(lo, lo + 4 * 1024))
        return out if dtype is None else out.astype(dtype, copy=False)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(np.asarray(x) if isinstance(x, LazyRows) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __getattr__(self, name):                       # ravel, T, max, ...: on the array
        if name.startswith("__") or name in self._fields:
            raise AttributeError(name)
        return getattr(np.asarray(self), name)

    def __setitem__(self, key, value):
        raise TypeError(f"{type(self).__name__} are computed when read and cannot be assigned to: "
                        f"take np.array(x) first")

    def __getitem__(self, key):
        rows, rest = (key[0], key[1:]) if isinstance(key, tuple) and key else (key, ())
        if isinstance(rows, (int, np.integer)):        # one event's row
            i = int(rows)
            i = i + len(self) if i < 0 else i
            if not 0 <= i < len(self):
                raise IndexError(f"row {rows} out of range for {len(self)} rows")
            return self._read(np.array([i]))[0][rest]
        if (isinstance(rows, slice) and rows == slice(None) and len(rest) == 1
                and isinstance(rest[0], (int, np.integer))):
            return self._column(int(rest[0]) % self.length)   # one column of every row
        if isinstance(rows, slice) or (isinstance(rows, (list, np.ndarray)) and np.ndim(rows) == 1):
            sel = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else rows
            return self._read(sel)[(slice(None),) + rest]
        return np.asarray(self)[key]                   # anything else: on the whole array


class WindowRows(LazyRows):
    """An (N, L) array of windows ``values[start_i : start_i + L]`` of a 1-D series, read only
    when used (:class:`LazyRows`): the engine's calendar dates of every event and day (N x L
    int64, 200 MB for 100k events) are needed by few computations."""

    _fields = ("values", "start", "length")

    def __init__(self, values: np.ndarray, start: np.ndarray, length: int):
        self.values, self.start, self.length = values, np.asarray(start), int(length)

    @property
    def dtype(self):
        return self.values.dtype

    def _read(self, sel) -> np.ndarray:
        return windows(self.values, self.start[sel], self.length)

    def _column(self, j: int) -> np.ndarray:
        return self.values[self.start + j]

    def rows(self, key) -> "WindowRows":
        return WindowRows(self.values, self.start[key], self.length)


class FitResiduals(LazyRows):
    """The estimation residuals of linear models fitted on complete windows of a shared series,
    computed when read (:class:`LazyRows`) instead of held: 2 KB per event for a 250-day
    window, 2 GB for a million events.

    Row i over the days p = start_i .. start_i + L - 1 of the series is computed with the
    operations of the engine's fit (:func:`analysis.core.models.fit`, complete windows):
    ``(y_p - ybar_i) - (z_p - zbar_i) @ coef_i`` with ``ybar_i``, ``zbar_i`` the estimation
    means, so that every number equals the residual the fit computed (bit for bit; checked in
    ``tests/test_fast_paths.py``).
    """

    _fields = ("target", "z", "start", "length", "ybar", "zbar", "coef")

    def __init__(self, target: np.ndarray, z: np.ndarray, start: np.ndarray, length: int,
                 ybar: np.ndarray, zbar: np.ndarray, coef: np.ndarray):
        self.target, self.z = target, z                  # (T,), (T, q)
        self.start, self.length = np.asarray(start), int(length)
        self.ybar, self.zbar, self.coef = ybar, zbar, coef   # (N,), (N, q), (N, q)

    dtype = np.dtype(float)

    def _read(self, sel) -> np.ndarray:
        start = self.start[sel]
        y = windows(self.target, start, self.length)             # a new array (one copy)
        yc = np.subtract(y, self.ybar[sel][:, None], out=y)
        q = self.z.shape[1]
        if q == 0:
            return yc
        coef = self.coef[sel]
        if q == 1:                                       # models.fit's market-model path
            x = windows(self.z[:, 0], start, self.length)
            np.subtract(x, self.zbar[sel][:, 0][:, None], out=x)
            r = np.multiply(x, coef, out=x)
            return np.subtract(yc, r, out=r)
        zc = windows(self.z, start, self.length)
        zc = np.subtract(zc, self.zbar[sel][:, None, :], out=zc)
        return np.subtract(yc, np.einsum("nti,ni->nt", zc, coef), out=yc)

    def rows(self, key) -> "FitResiduals":
        return FitResiduals(self.target, self.z, self.start[key], self.length, self.ybar[key],
                            self.zbar[key], self.coef[key])


class PredictedRows(LazyRows):
    """The normal returns predicted for the event windows, ``alpha_i + z_p' coef_i`` over the
    days p = start_i .. start_i + L - 1 of a shared series of regressors, computed when read
    (:class:`LazyRows`) instead of held: 168 bytes per event for a 21-day window, 168 MB for a
    million events, read by few computations (``expected_target`` of an OLS prediction). Each
    row is computed with the operations of :func:`analysis.core.models.predict`, so that every
    number equals the one it computed (checked in ``tests/test_fast_paths.py``)."""

    _fields = ("z", "start", "length", "alpha", "coef")
    dtype = np.dtype(float)

    def __init__(self, z: np.ndarray, start: np.ndarray, length: int, alpha: np.ndarray, coef: np.ndarray):
        self.z = z                                       # (T, q)
        self.start, self.length = np.asarray(start), int(length)
        self.alpha, self.coef = alpha, coef              # (N,), (N, q)

    def _read(self, sel) -> np.ndarray:
        start = self.start[sel]
        alpha = self.alpha[sel][:, None]
        if self.z.shape[1] == 0:
            return np.repeat(alpha + 0.0, self.length, axis=1)
        z = windows(self.z, start, self.length)          # (n, L, q)
        return alpha + np.einsum("nti,ni->nt", z, self.coef[sel])

    def rows(self, key) -> "PredictedRows":
        return PredictedRows(self.z, self.start[key], self.length, self.alpha[key], self.coef[key])


class RootRows(LazyRows):
    """``np.sqrt(variance)`` of an (N, L) array of variances, computed when read
    (:class:`LazyRows`): the event-window ARs' standard deviations beside their variances."""

    _fields = ("variance",)
    dtype = np.dtype(float)

    def __init__(self, variance: np.ndarray):
        self.variance = variance

    @property
    def shape(self) -> tuple[int, int]:
        return self.variance.shape

    @property
    def length(self) -> int:
        return self.variance.shape[1]

    def _read(self, sel) -> np.ndarray:
        return np.sqrt(self.variance[sel])

    def _column(self, j: int) -> np.ndarray:
        return np.sqrt(self.variance[:, j])

    def rows(self, key) -> "RootRows":
        return RootRows(self.variance[key])


def rows_of(x, key):
    """``x[key]`` for an array; the same rows, still unread, for :class:`LazyRows`."""
    return x.rows(key) if isinstance(x, LazyRows) else x[key]


def compact_rows(a: np.ndarray, keep: np.ndarray, block: int = 4096, shrink: bool = False) -> np.ndarray:
    """``a[keep]`` (a boolean mask over the rows) written over ``a``'s own first rows and
    returned as the view ``a[:k]``: no second copy of a large array (a copy doubled the peak
    memory of a sample with skipped events). ``a`` is overwritten: only for arrays nothing
    else reads afterwards. The kept rows move ``block`` rows at a time (a block's kept rows
    are gathered, then written at or before where the block starts), so the temporary memory
    is one block whatever the mask.

    ``shrink``: ``a`` itself is cut to its first k rows (``ndarray.resize``: the memory of the
    other rows goes back to the system; a third of a 1M-event sample of random stock-dates are
    duplicates) and returned, when it owns its memory. Only for an array of which no view
    exists (a view would point at freed memory); other references see the k rows."""
    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return a
    dst = 0
    for lo in range(0, len(a), block):
        k = keep[lo:lo + block]
        if k.all():
            if dst != lo:
                a[dst:dst + len(k)] = a[lo:lo + len(k)]    # dst < lo: numpy handles the overlap
            dst += len(k)
        else:
            part = a[lo:lo + len(k)][k]                      # a copy: safe to write anywhere
            a[dst:dst + len(part)] = part
            dst += len(part)
    if shrink and a.flags.owndata and a.flags.c_contiguous:
        a.resize((dst,) + a.shape[1:], refcheck=False)
        return a
    return a[:dst]
