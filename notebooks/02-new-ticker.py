# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["report-hide"]
# # One ticker, one announcement: a complete single-event study
#
# A parameterised template, three ways to rerun it:
#
# * **here**: the controls at the end of the notebook rerun the study for another ticker, market,
#   date or announcement time, windows or model, and redraw it in place;
# * **all cells**: change the parameters cell below and run all cells;
# * **from a terminal** (papermill fills in the parameters, for one ticker or many):
#
# ```
# make study TICKER=2333.HK MARKET=^HSI DATE=2021-03-26
# python -m analysis notebook --ticker 2333.HK --market ^HSI --event-date 2021-03-26
# ```
#
# The terminal route writes `reports/<TICKER>_<DATE>.ipynb` and an HTML report to hand in, with
# the figures under `figures/<TICKER>_<DATE>/` (`study.*`, `estimation.*`: the names the
# `study` command uses).

# %% [markdown]
# **Method.** Market model fitted by OLS over the estimation window, abnormal returns with
# prediction-error-corrected variances, CARs with their exact variance and Student-t tests with
# M - 2 degrees of freedom (MacKinlay 1997; Campbell, Lo & MacKinlay 1997, ch. 4). Percentages
# are returns in percent; p-values are two-sided.

# %% tags=["parameters"]
ticker = "1810.HK"
market = "^HSI"             # empty: the benchmark index of the listing's exchange
event_date = "2021-03-26"   # announcement date (YYYY-MM-DD) ...
announced_at = ""           # ... or time with offset, e.g. "2021-03-26T12:30+08:00" (wins)
estimation_window = [-260, -11]
event_window = [-10, 10]
model = "market"
min_estimation_obs = 100
prices_dir = ""             # empty: $ANALYSIS_PRICES_DIR, else Yahoo through the parquet cache
figures_dir = ""            # empty: ../figures/<TICKER>_<DATE>

# %%
from pathlib import Path

import pandas as pd

from analysis import run_study
from analysis.core.returns import day0_price_moves
from analysis.core.summary import Table
from analysis.data.sources import open_source
from analysis.figures import plotting
from analysis.figures.notebook import show, study_stem
from analysis.files import figure_stem

stem = study_stem(ticker, event_date, announced_at)
figures = Path(figures_dir or Path("..") / "figures" / stem)
source = open_source(prices_dir or None)
print(f"prices: {source.name}")

# %% [markdown]
# ## The event and its day 0
# Day 0 is the first trading session of the listing's exchange that could react to the news
# (an announcement after the close moves to the next session; a non-trading day to the next one).

# %%
row = {"event_id": stem, "ticker": ticker}
if market:
    row["market"] = market
if announced_at:
    row["announced_at"] = announced_at
else:
    row["event_date"] = event_date
study = run_study(pd.DataFrame([row]), source=source, subjects_only=False, model=model,
                  estimation_window=tuple(estimation_window), event_window=tuple(event_window),
                  min_estimation_obs=min_estimation_obs, progress=False)
timed = study.events
Table(timed[["event_id", "ticker", "market", "requested_date", "day0", "day0_rule", "timing_error"]],
      "Day 0 on the listing's trading calendar")

# %% [markdown]
# ## The study
# The fit over the estimation window, the abnormal return (AR) of each day with its t statistic
# and p-value, and the cumulative abnormal returns (CAR) over the standard windows.

# %%
result = study.result
result.raise_if_skipped(stem)
result.summary()

# %% [markdown]
# ### The normal-return model: statsmodels' OLS fit over the estimation window
# The same numbers as the engine's vectorised fit (coefficients with their standard errors,
# t statistics, p-values and 95% intervals).

# %%
fit = result.ols(stem) if result.settings["k"] > 0 else None
if fit is None:
    print("market-adjusted model: nothing estimated")
else:
    print(fit.summary().tables[1])
    print(f"N = {int(fit.nobs)} returns, R-squared = {fit.rsquared:.4f}, residual sd = {fit.scale ** 0.5:.6f}")

# %% [markdown]
# ## The day-0 bar: intraday range against the close
# News stories often quote the intraday high; the event study measures close to close. Moves in
# percent from the previous close.

# %%
stock_prices = study.prices[ticker]
market_symbol = timed["market"].iloc[0]
day0 = result.diagnostics.set_index("event_id").loc[stem, "day0"]
moves = pd.DataFrame([day0_price_moves(study.prices[s], day0) for s in (ticker, market_symbol)],
                     index=pd.Index([ticker, market_symbol], name="symbol"))
Table(moves[["previous_date", "previous_close", "open_pct", "high_pct", "low_pct", "close_pct"]],
      "Day 0 against the previous close (%)", index=True)

# %% [markdown]
# ## Price limits (mainland A-shares): a close at the limit censors the return

# %%
flags = study.limits
marks = study.marks(stem) or None
if flags is not None and len(flags):
    display(Table(flags, "Closes at the daily price limit"))
else:
    print("no limit days (or no limit rule for this listing)")

# %% [markdown]
# ## Figures
# Indexed prices (100 on day -1) with the day-0 intraday range, abnormal returns with the CAR and
# its 95% interval; then the estimation-window scatter with the fitted market-model line.

# %%
paths = plotting.study_figure(result, stem, prices={"stock": stock_prices, "market": study.prices[market_symbol]},
                              out_dir=figures, stem=figure_stem("study"), marks=marks)
show(paths)

# %%
if fit is not None and result.settings["model"] == "market":
    display(show(plotting.estimation_figure(result, stem, out_dir=figures, stem=figure_stem("estimation"))))
else:
    print("no market-model fit to draw")

# %% [markdown] tags=["report-hide"]
# ## Rerun here
# Change the ticker, the market (empty: the exchange's index), the date or an announcement time
# with its UTC offset, the windows or the model, and press **Run**: the study runs again through
# the same pipeline and the figure and tables below the controls are redrawn in place.

# %% tags=["report-hide"]
from analysis.figures.interactive import StudyControls

controls = StudyControls(ticker, market, announced_at or event_date, source=source, model=model,
                         estimation_window=estimation_window, event_window=event_window,
                         min_estimation_obs=min_estimation_obs)
controls
