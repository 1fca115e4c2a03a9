"""A small stand-in with exactly the attributes of the EventStudyResult contract (schemas.md).

Plotting and report tests use it so they check drawing and writing, not the engine. Numbers are
synthetic (seeded normal draws), never market data; the AR/CAR columns are filled with simple
placeholders of the right shape because plotting must draw what it is given, whatever it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

EVENT_WINDOW = (-5, 5)
ESTIMATION_WINDOW = (-130, -11)


def _dates(n: int, start="2021-01-04") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n)


@dataclass
class FakeResult:
    abnormal_returns: pd.DataFrame
    diagnostics: pd.DataFrame
    settings: dict
    _aar: pd.DataFrame
    _fits: dict = field(default_factory=dict)
    _tests: pd.DataFrame | None = None

    def aar(self, window=None, group=None):
        return self._aar

    def cars(self, windows=None):
        rows = []
        for eid, g in self.abnormal_returns.groupby("event_id"):
            for w in windows or [(0, 0), (-1, 1)]:
                sel = g[(g.relative_day >= w[0]) & (g.relative_day <= w[1])]
                rows.append({"event_id": eid, "window_start": w[0], "window_end": w[1],
                             "car": sel.abnormal_return.sum(), "car_sd": 0.01, "scar": 1.0,
                             "t": 1.0, "p": 0.3})
        return pd.DataFrame(rows)

    def tests(self, window=(-1, 1), group=None):
        return self._tests

    def ols(self, event_id):
        if event_id not in self._fits:
            from analysis.errors import InputError
            raise InputError(f"no fit for event {event_id!r}")
        return self._fits[event_id]

    def summary(self):
        return "fake summary\nevents: 2 ok"


def make_fake_result(n_events: int = 2, seed: int = 0) -> FakeResult:
    rng = np.random.default_rng(seed)
    lo, hi = EVENT_WINDOW
    elo, ehi = ESTIMATION_WINDOW
    n_total = ehi - elo + 1 + (hi - lo + 1) + 20
    dates = _dates(n_total + 40)
    ar_rows, diag_rows, fits = [], [], {}
    for i in range(n_events):
        eid = f"e{i + 1:04d}"
        ticker = f"TST{i}"
        day0_pos = 10 + (ehi - elo + 1) + (-ehi) + i * 3
        rel = np.arange(lo, hi + 1)
        d = dates[day0_pos + rel]
        rm = rng.normal(0, 0.01, rel.size)
        r = 0.0002 + 1.1 * rm + rng.normal(0, 0.015, rel.size)
        r[rel == 0] += 0.06
        exp_r = 0.0002 + 1.1 * rm
        ar = r - exp_r
        car = np.cumsum(ar)
        sd = np.full(rel.size, 0.015)
        car_sd = 0.015 * np.sqrt(np.arange(1, rel.size + 1))
        ar_rows.append(pd.DataFrame({
            "event_id": eid, "ticker": ticker, "market": "^MKT", "relative_day": rel, "date": d,
            "stock_return": r, "market_return": rm, "expected_return": exp_r,
            "abnormal_return": ar, "ar_sd": sd, "ar_t": ar / sd, "ar_p": 0.5,
            "car": car, "car_sd": car_sd, "car_lo": car - 1.97 * car_sd, "car_hi": car + 1.97 * car_sd,
        }))
        x = rng.normal(0, 0.01, ehi - elo + 1)
        y = 0.0002 + 1.1 * x + rng.normal(0, 0.015, x.size)
        fit = sm.OLS(y, sm.add_constant(x)).fit()
        fits[eid] = fit
        diag_rows.append({
            "event_id": eid, "ticker": ticker, "market": "^MKT", "event_date": d[rel == 0][0],
            "day0": d[rel == 0][0], "day0_shifted": False, "status": "ok", "reason": "",
            "m": x.size, "alpha": fit.params[0], "beta": fit.params[1],
            "s": float(np.sqrt(fit.mse_resid)), "r2": fit.rsquared,
            "estimation_start": dates[day0_pos + elo], "estimation_end": dates[day0_pos + ehi],
            "model": "market",
        })
    diag_rows.append({"event_id": "e9999", "ticker": "BAD", "market": "^MKT",
                      "event_date": pd.Timestamp("2030-01-01"), "day0": pd.NaT, "day0_shifted": False,
                      "status": "skipped", "reason": "event date after the last price", "m": 0,
                      "alpha": np.nan, "beta": np.nan, "s": np.nan, "r2": np.nan,
                      "estimation_start": pd.NaT, "estimation_end": pd.NaT, "model": "market"})
    abn = pd.concat(ar_rows, ignore_index=True)
    g = abn.groupby("relative_day")
    aar = pd.DataFrame({"relative_day": np.arange(lo, hi + 1)})
    aar["n"] = g.size().to_numpy()
    aar["aar"] = g["abnormal_return"].mean().to_numpy()
    aar["aar_se"] = 0.01
    aar["aar_lo"] = aar["aar"] - 0.02
    aar["aar_hi"] = aar["aar"] + 0.02
    aar["caar"] = aar["aar"].cumsum()
    aar["caar_se"] = 0.01 * np.sqrt(np.arange(1, len(aar) + 1))
    aar["caar_lo"] = aar["caar"] - 1.96 * aar["caar_se"]
    aar["caar_hi"] = aar["caar"] + 1.96 * aar["caar_se"]
    tests = pd.DataFrame({"statistic": [2.1, 1.9], "p_value": [0.04, 0.06], "n_events": [n_events] * 2},
                         index=pd.Index(["csect_t", "bmp_t"], name="test"))
    settings = {"model": "market", "estimation_window": ESTIMATION_WINDOW, "event_window": EVENT_WINDOW,
                "returns_kind": "simple", "min_estimation_obs": 100,
                "source_name": "synthetic test data (no market data)"}
    return FakeResult(abn, pd.DataFrame(diag_rows), settings, aar, fits, tests)


def make_fake_prices(result: FakeResult, event_id: str = "e0001") -> dict:
    """OHLC frames (PriceSource.load shape) consistent with the fake result's returns."""
    rows = result.abnormal_returns.query("event_id == @event_id")
    dates = pd.DatetimeIndex(pd.to_datetime(rows["date"]), name="Date")
    out = {}
    for key, col in (("stock", "stock_return"), ("market", "market_return")):
        close = 50.0 * np.cumprod(1 + rows[col].to_numpy())
        frame = pd.DataFrame({"Open": close * 0.99, "High": close * 1.03, "Low": close * 0.98,
                              "Close": close, "Adj Close": close, "Volume": 1e6}, index=dates)
        out[key] = frame.astype("float64")
    return out
