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

# %% [markdown]
# # One ticker, one announcement: a complete single-event study
#
# A parameterised template. Change the cell below and run all cells, or run it for another ticker
# from a terminal (papermill fills in the parameters):
#
# ```
# make study TICKER=2333.HK MARKET=^HSI DATE=2021-03-26
# python -m analysis notebook --ticker 2333.HK --market ^HSI --event-date 2021-03-26
# ```
#
# Both write `reports/<TICKER>_<DATE>.ipynb` and `.html`, with the figures under
# `figures/<TICKER>_<DATE>/`. Method: market model fitted by OLS over the estimation window,
# abnormal returns with prediction-error-corrected variances, CARs with their exact variance and
# Student-t tests with M - 2 degrees of freedom (MacKinlay 1997; Campbell, Lo & MacKinlay 1997, ch. 4).

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
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="IProgress not found")   # tqdm without ipywidgets

import pandas as pd

from analysis import run_study
from analysis.core.returns import day0_price_moves
from analysis.data.sources import open_source
from analysis.figures import plotting
from analysis.figures.notebook import show, study_stem

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 30)
pd.set_option("display.precision", 4)
stem = study_stem(ticker, event_date, announced_at)
figures = Path(figures_dir or Path("..") / "figures" / stem)
source = open_source(prices_dir or None)
print(f"prices: {source.name}\nfigures: {figures}")

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
timed[["event_id", "ticker", "market", "requested_date", "day0", "day0_rule", "timing_error"]]

# %% [markdown]
# ## The study

# %%
result = study.result
result.raise_if_skipped(stem)
print(result.summary())

# %% [markdown]
# ### Abnormal returns by day (t and p from Student t with M - k degrees of freedom)

# %%
ar = result.abnormal_returns
ar[["relative_day", "date", "stock_return", "market_return", "expected_return", "abnormal_return",
    "ar_sd", "ar_t", "ar_p", "car", "car_lo", "car_hi"]]

# %% [markdown]
# ### The normal-return model: statsmodels' OLS fit over the estimation window

# %%
fit = result.ols(stem) if result.settings["k"] > 0 else None
print(fit.summary() if fit is not None else "market-adjusted model: nothing estimated")

# %% [markdown]
# ## The day-0 bar: intraday range against the close
# News stories often quote the intraday high; the event study measures close to close.

# %%
stock_prices = study.prices[ticker]
market_symbol = timed["market"].iloc[0]
day0 = result.diagnostics.set_index("event_id").loc[stem, "day0"]
moves = pd.DataFrame([day0_price_moves(study.prices[s], day0) for s in (ticker, market_symbol)],
                     index=[ticker, market_symbol])
moves[["previous_date", "previous_close", "open_pct", "high_pct", "low_pct", "close_pct"]]

# %% [markdown]
# ## Price limits (mainland A-shares): a close at the limit censors the return

# %%
flags = study.limits
marks = study.marks(stem) or None
flags if flags is not None and len(flags) else "no limit days (or no limit rule for this listing)"

# %% [markdown]
# ## Figures
# Indexed prices (100 on day -1) with the day-0 intraday range, abnormal returns with the CAR and
# its 95% interval; then the estimation-window scatter with the fitted market-model line.

# %%
paths = plotting.study_figure(result, stem, prices={"stock": stock_prices, "market": study.prices[market_symbol]},
                              out_dir=figures, stem="study", marks=marks)
show(paths)

# %%
(show(plotting.estimation_figure(result, stem, out_dir=figures, stem="estimation"))
 if fit is not None and result.settings["model"] == "market" else "no market-model fit to draw")

# %% [markdown]
# ## CARs over the standard windows

# %%
result.cars()
