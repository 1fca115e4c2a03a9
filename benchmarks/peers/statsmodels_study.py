"""A minimal one-event script (pandas + statsmodels + matplotlib): the numbers of
``python -m analysis study`` and one PNG.

    python statsmodels_study.py TICKER MARKET DATE PRICES_DIR OUT_DIR

Reads the two price CSVs, makes simple returns over their joint dates, fits the market model
by OLS on days -260..-11, predicts days -10..10: abnormal returns, their sd with the prediction
error, t and p (Student t, M - 2 df), the CAR and its sd; CARs over [0, 0], [-1, 1], [-5, 5],
[-10, 10]; writes them as CSV and saves one figure (indexed prices above, AR bars and the CAR
with its 95% band below) as a PNG. Run by ``benchmarks/bench_peers.py``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

ticker, market, date = sys.argv[1:4]
prices_dir, out = Path(sys.argv[4]), Path(sys.argv[5])
out.mkdir(parents=True, exist_ok=True)
EST, EVT = (-260, -11), (-10, 10)

px = pd.concat([pd.read_csv(prices_dir / f"{s}.csv", index_col="Date", parse_dates=True)["Adj Close"]
                for s in (ticker, market)], axis=1, keys=["stock", "market"], sort=True).dropna()
r = px.pct_change().iloc[1:]
d0 = r.index.searchsorted(pd.Timestamp(date))
est, win = r.iloc[d0 + EST[0]:d0 + EST[1] + 1], r.iloc[d0 + EVT[0]:d0 + EVT[1] + 1]
fit = sm.OLS(est["stock"], sm.add_constant(est["market"])).fit()
x = sm.add_constant(win["market"], has_constant="add").to_numpy()
cov = fit.cov_params().to_numpy()
ar = win["stock"].to_numpy() - x @ fit.params.to_numpy()
sd = np.sqrt(fit.scale + np.einsum("ij,jk,ik->i", x, cov, x))
t = ar / sd
car = np.cumsum(ar)
car_sd = np.sqrt([fit.scale * (k + 1) + x[:k + 1].sum(0) @ cov @ x[:k + 1].sum(0) for k in range(len(ar))])
q = stats.t.ppf(0.975, fit.df_resid)
pd.DataFrame({"relative_day": np.arange(EVT[0], EVT[1] + 1), "date": win.index, "abnormal_return": ar,
              "ar_sd": sd, "ar_t": t, "ar_p": 2 * stats.t.sf(np.abs(t), fit.df_resid), "car": car,
              "car_sd": car_sd}).to_csv(out / "abnormal_returns.csv", index=False, float_format="%.12g")
rows = []
for t1, t2 in [(0, 0), (-1, 1), (-5, 5), (-10, 10)]:
    c = slice(t1 - EVT[0], t2 - EVT[0] + 1)
    xs = x[c].sum(axis=0)
    s = np.sqrt(fit.scale * (t2 - t1 + 1) + xs @ cov @ xs)
    rows.append({"window_start": t1, "window_end": t2, "car": ar[c].sum(), "car_sd": s,
                 "t": ar[c].sum() / s, "p": 2 * stats.t.sf(abs(ar[c].sum() / s), fit.df_resid)})
pd.DataFrame(rows).to_csv(out / "car.csv", index=False, float_format="%.12g")

fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=False)
span = px.loc[win.index[0]:win.index[-1]]
top.plot(span.index, span / span.iloc[0] * 100, label=[ticker, market])
top.set_ylabel("price (first day = 100)")
top.set_title(f"{ticker} against {market} around {date}")
top.legend()
days = np.arange(EVT[0], EVT[1] + 1)
bottom.bar(days, ar * 100, color="0.6", label="AR")
bottom.plot(days, car * 100, color="C0", label="CAR")
bottom.fill_between(days, (car - q * car_sd) * 100, (car + q * car_sd) * 100, color="C0", alpha=0.2)
bottom.set_xlabel("trading days relative to day 0")
bottom.set_ylabel("abnormal return (%)")
bottom.legend()
fig.savefig(out / f"{ticker}_{date}.png", dpi=100)
print(f"CAR[-1, 1] = {rows[1]['car']:.4f} (t = {rows[1]['t']:.2f})")
