"""A plain per-event script (pandas + statsmodels + matplotlib) for the events of a batch.

    python statsmodels_batch.py EVENTS.csv PRICES_DIR OUT_DIR [--figure]

What a careful analyst writes without an event-study package: read each price CSV once, make
each (stock, market) pair's simple returns over their joint dates once, then per event fit the
market model by OLS on days -260..-11 (statsmodels), predict days -10..10, abnormal returns
with the prediction-error variance, their t and p (Student t, M - 2 df), CARs over
[0, 0], [-1, 1], [-5, 5], [-10, 10]; then AAR/CAAR with the crude-dependence-adjustment sd,
a cross-sectional t test of the CARs, and with ``--figure`` one AAR/CAAR PNG. Run by
``benchmarks/bench_peers.py`` with the analysis package's interpreter (same pandas,
statsmodels and matplotlib).
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

events_path, prices_dir, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
figure = "--figure" in sys.argv[4:]
out.mkdir(parents=True, exist_ok=True)
EST, EVT, CARS = (-260, -11), (-10, 10), [(0, 0), (-1, 1), (-5, 5), (-10, 10)]

events = pd.read_csv(events_path, parse_dates=["event_date"])
symbols = sorted(set(events["ticker"]) | set(events["market"]))
prices = {s: pd.read_csv(prices_dir / f"{s}.csv", index_col="Date", parse_dates=True)["Adj Close"]
          for s in symbols}
pairs = {}
ar_rows, car_rows, est_ar = [], [], []
for ev in events.itertuples(index=False):
    key = (ev.ticker, ev.market)
    if key not in pairs:
        joint = pd.concat([prices[ev.ticker], prices[ev.market]], axis=1, keys=["stock", "market"],
                          sort=True).dropna()
        pairs[key] = joint.pct_change().iloc[1:]
    r = pairs[key]
    d0 = r.index.searchsorted(ev.event_date)
    est = r.iloc[d0 + EST[0]:d0 + EST[1] + 1]
    win = r.iloc[d0 + EVT[0]:d0 + EVT[1] + 1]
    fit = sm.OLS(est["stock"], sm.add_constant(est["market"])).fit()
    x = sm.add_constant(win["market"], has_constant="add").to_numpy()
    cov = fit.cov_params().to_numpy()
    ar = win["stock"].to_numpy() - x @ fit.params.to_numpy()
    var = fit.scale + np.einsum("ij,jk,ik->i", x, cov, x)
    t = ar / np.sqrt(var)
    ar_rows.append(pd.DataFrame({
        "event_id": ev.event_id, "relative_day": np.arange(EVT[0], EVT[1] + 1), "date": win.index,
        "abnormal_return": ar, "ar_sd": np.sqrt(var), "ar_t": t,
        "ar_p": 2 * stats.t.sf(np.abs(t), fit.df_resid), "car": np.cumsum(ar)}))
    for t1, t2 in CARS:
        c = slice(t1 - EVT[0], t2 - EVT[0] + 1)
        xs = x[c].sum(axis=0)
        sd = np.sqrt(fit.scale * (t2 - t1 + 1) + xs @ cov @ xs)
        car = ar[c].sum()
        car_rows.append({"event_id": ev.event_id, "window_start": t1, "window_end": t2, "car": car,
                         "car_sd": sd, "t": car / sd, "p": 2 * stats.t.sf(abs(car / sd), fit.df_resid)})
    est_ar.append(fit.resid.to_numpy())

ar = pd.concat(ar_rows, ignore_index=True)
ar.to_csv(out / "abnormal_returns.csv", index=False, date_format="%Y-%m-%d", float_format="%.12g")
cars = pd.DataFrame(car_rows)
cars.to_csv(out / "car.csv", index=False, float_format="%.12g")
aar = ar.groupby("relative_day")["abnormal_return"].mean()
sd = np.std(np.mean(est_ar, axis=0), ddof=1)                      # crude dependence adjustment
band = stats.t.ppf(0.975, len(est_ar[0]) - 1) * sd * np.sqrt(np.arange(1, len(aar) + 1))
caar = aar.cumsum()
pd.DataFrame({"aar": aar, "aar_se": sd, "caar": caar, "caar_lo": caar - band, "caar_hi": caar + band}
             ).to_csv(out / "aar.csv", float_format="%.12g")
w = cars[(cars["window_start"] == -1) & (cars["window_end"] == 1)]["car"]
test = stats.ttest_1samp(w, 0.0)
pd.DataFrame({"test": ["csect_t"], "statistic": [test.statistic], "p_value": [test.pvalue]}
             ).to_csv(out / "tests.csv", index=False)
if figure:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(aar.index, aar * 100, color="0.6", label="AAR")
    ax.plot(caar.index, caar * 100, color="C0", label="CAAR")
    ax.fill_between(caar.index, (caar - band) * 100, (caar + band) * 100, color="C0", alpha=0.2)
    ax.set_xlabel("trading days relative to day 0")
    ax.set_ylabel("abnormal return (%)")
    ax.set_title(f"AAR and CAAR, {len(events)} events")
    ax.legend()
    fig.savefig(out / "aar.png", dpi=100)
print(f"{len(events)} events studied")
