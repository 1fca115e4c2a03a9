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
# # Xiaomi and Great Wall Motor, 26 March 2021: what the "9% jump" really was
#
# The seed article says Xiaomi's stock "rose over 9 percent in the afternoon Friday trade" after a
# report that it would build electric vehicles in a Great Wall Motor factory; Great Wall's Hong
# Kong shares "soared over 15 percent" and its Shanghai shares "gained by their maximum 10 percent
# daily limit". This notebook checks each claim against the prices, with evidence:
#
# 1. extract the events from the seed texts and place them on each listing's trading calendar;
# 2. run a market-model event study for 1810.HK and 2333.HK against ^HSI and for 601633.SS
#    against 000001.SS (MacKinlay 1997; Campbell, Lo & MacKinlay 1997, ch. 4);
# 3. read the numbers: intraday high against close, the abnormal return against the market's own
#    move, the earnings release the session before as a confounder, the Shanghai limit-up day as a
#    censored return, and significance against each stock's own volatility.
#
# Seeds and prices are read from the settings (`shared_dir`, `prices_dir`, or the environment
# variables `ANALYSIS_SHARED_DIR`, `ANALYSIS_PRICES_DIR` that `make lab` sets); nothing is copied.

# %% tags=["parameters"]
shared_dir = ""        # empty: $ANALYSIS_SHARED_DIR (../shared beside the clone)
prices_dir = ""        # empty: $ANALYSIS_PRICES_DIR, else Yahoo through the parquet cache
figures_dir = "../figures/01-xiaomi-great-wall-ev"
estimation_window = [-260, -11]
event_window = [-10, 10]

# %%
from pathlib import Path

import pandas as pd

from analysis import config, run_study
from analysis.core.returns import day0_price_moves
from analysis.core.summary import Table
from analysis.data.sources import open_source
from analysis.events.contamination import confounding
from analysis.events.extract import extract_events, subjects
from analysis.figures import plotting
from analysis.figures.notebook import show
from analysis.files import figure_stem

pd.set_option("display.max_colwidth", 60)
seeds = config.shared_dir(shared_dir or None) / "seeds"
source = open_source(prices_dir or None)
figures = Path(figures_dir)
print(f"prices: {source.name}")

# %% [markdown]
# ## 1. The claims, as the seed texts state them

# %%
story = (seeds / "article-xiaomi-and-headlines.txt").read_text(encoding="utf-8")
print("\n".join(story.splitlines()[:2]))
benzinga = (seeds / "article-xiaomi-great-wall-benzinga.txt").read_text(encoding="utf-8")
print("\n" + benzinga.strip().splitlines()[0][:400])

# %% [markdown]
# ## 2. Events extracted from the text
# The Benzinga article is dated 2021-03-26 and says Reuters reported the plan on *Thursday*
# (25 March). The extractor resolves the weekday against the publication date and lists every
# listing of each company; the subjects of the story are Xiaomi and Great Wall Motor. The study
# below keeps the listings with prices in the source (the US over-the-counter lines XIACF and
# GWLLF have none in the snapshot, and are skipped with that reason).

# %%
extracted = extract_events(benzinga)
subj = subjects(extracted)
Table(subj[["event_id", "company", "ticker", "market", "role", "event_date", "time_of_day", "date_source",
            "evidence"]], "Events extracted from the Benzinga article")

# %% [markdown]
# ## 3. The study: market model, estimation window [-260, -11], event window [-10, 10]
# One call runs the whole pipeline: day 0 of each listing on its exchange calendar, each price
# series read once and checked, the market model, abnormal returns and tests.

# %%
study = run_study(subj, source=source, estimation_window=tuple(estimation_window),
                  event_window=tuple(event_window))
result = study.result
timed = study.events[study.events["event_id"].isin(result.event_ids)].reset_index(drop=True)
result.summary()

# %% [markdown]
# Day 0 is Friday 26 March 2021 on both exchanges: the report came out on Thursday after the Hong
# Kong and Shanghai closes, so the first session that could react is Friday's.

# %%
Table(timed[["event_id", "ticker", "market", "calendar", "requested_date", "day0", "day0_rule"]],
      "Day 0 of each listing")

# %%
Table(result.diagnostics[["event_id", "ticker", "market", "day0", "status", "m", "alpha", "beta", "s", "r2"]],
      "Market-model fit of each listing", note="alpha and s per day")

# %% [markdown]
# ## 4. Intraday high against the close on day 0
# The "over 9 percent" was Xiaomi's intraday high; the stock closed 6.3% above Thursday's close.
# Great Wall's Hong Kong shares touched +15.4% and closed +10.4%; the Shanghai shares opened
# almost flat and closed at the +10% limit. An event study measures close to close.

# %%
day0 = pd.Timestamp("2021-03-26")
symbols = list(dict.fromkeys(list(timed["ticker"]) + list(timed["market"])))
moves = pd.DataFrame([day0_price_moves(study.prices[s], day0) for s in symbols],
                     index=pd.Index(symbols, name="symbol"))
Table(moves[["previous_close", "open_pct", "high_pct", "low_pct", "close_pct"]],
      "Day 0 against the previous close (%)", index=True)

# %% [markdown]
# ## 5. The abnormal return: the move beyond what the market explains
# AR = R - (alpha + beta Rm). On 26 March the Hang Seng rose 1.6% and the Shanghai Composite
# 1.6%; with betas above 1 part of each stock's move is the market's. The t statistic divides AR
# by its prediction-error-corrected standard deviation, so it measures the move against the
# stock's own volatility over the estimation year (Student t, M - 2 degrees of freedom).

# %%
ar = result.abnormal_returns
Table(ar.loc[ar["relative_day"] == 0, ["event_id", "date", "stock_return", "market_return", "expected_return",
                                       "abnormal_return", "ar_sd", "ar_t", "ar_p"]],
      "Day 0: return, expected return and abnormal return")

# %%
Table(result.cars([(0, 0), (-1, 1), (0, 1), (-10, 10)]).drop(columns=["scar"]), "CARs of each listing")

# %% [markdown]
# **Reading the numbers.** Each day-0 abnormal return is judged against the stock's own daily
# noise (the residual standard deviation s of its market model, about 3-4% a day for these
# stocks): the same percentage move can be ordinary for one stock and exceptional for another.

# %%
d0 = ar[ar["relative_day"] == 0].merge(result.diagnostics[["event_id", "s"]], on="event_id")
for r in d0.itertuples():
    verdict = "significant at 5%" if r.ar_p < 0.05 else "not significant at 5%"
    print(f"{r.ticker}: return {r.stock_return:+.1%}, market model expects {r.expected_return:+.1%} "
          f"given the index's {r.market_return:+.1%}; AR {r.abnormal_return:+.1%} = "
          f"{r.abnormal_return / r.s:.1f} daily residual sd (s = {r.s:.1%}); t = {r.ar_t:.2f}, "
          f"p = {r.ar_p:.3f}: {verdict}")

# %% [markdown]
# ## 6. Confounder: Xiaomi's results, the session before day 0
# Xiaomi reported its annual results in the same week (the seed article: "reporting quarterly
# revenue below market estimates"), with the price reaction on 2021-03-25, the session before
# day 0. Any window that includes day -1 mixes the two pieces of news; the [-1, +1] CAR of Xiaomi
# is not a clean measure of the EV report. The contamination module flags it.

# %%
other_news = pd.DataFrame([{"ticker": "1810.HK", "company": "Xiaomi", "date": "2021-03-25",
                            "kind": "earnings release"}])
Table(confounding(timed, other_news, estimation_window=tuple(estimation_window),
                  event_window=tuple(event_window)), "Other news inside the windows")

# %% [markdown]
# ## 7. Shanghai: a limit-up close censors the return
# Mainland A-shares may not close more than 10% from the previous close (main board). 601633.SS
# closed exactly at the limit on day 0, so its observed return (+10.0%) is a lower bound of the
# reaction: demand at the limit was not filled, and part of the move spills into the next day.
# The AR of a limit day understates the news; treat it as censored.

# %%
Table(study.limits, "Event-window days that closed at the daily limit")

# %% [markdown]
# ## 8. Figures
# Each listing: indexed prices (100 on day -1) with the day-0 intraday range, abnormal returns with
# the CAR and its 95% interval. Shaded days: Xiaomi's earnings reaction (confounder) and the
# Shanghai limit-up closes (censored returns).

# %%
marks = {eid: dict(study.marks(eid)) for eid in timed["event_id"]}   # limit-up closes (censored)
for eid, ticker in zip(timed["event_id"], timed["ticker"]):
    if ticker == "1810.HK":
        marks[eid]["earnings reaction (confounder)"] = ["2021-03-25"]
paths = {}
for eid, ticker, mkt in zip(timed["event_id"], timed["ticker"], timed["market"]):
    paths[eid] = plotting.study_figure(result, eid, prices={"stock": study.prices[ticker],
                                                            "market": study.prices[mkt]},
                                       out_dir=figures, stem=figure_stem("study", ticker), marks=marks[eid] or None)
show(paths[timed["event_id"].iloc[0]])

# %%
show(paths[timed["event_id"].iloc[1]])

# %%
show(paths[timed["event_id"].iloc[2]])

# %% [markdown]
# ### The listings side by side (shared scale)

# %%
items = [(result, eid, f"{t} vs {m}", marks[eid] or None)
         for eid, t, m in zip(timed["event_id"], timed["ticker"], timed["market"])]
show(plotting.listings_figure(items, out_dir=figures, stem=figure_stem("listings"),
                              title="Xiaomi and Great Wall Motor listings, report of 25 March 2021"))

# %% [markdown]
# ### Estimation window: the Shanghai shares pile up at the limit
# The scatter of 601633.SS against the Shanghai Composite shows the returns stopped at +-10%
# during the estimation year as well: the limit censors the data the model is fitted on.

# %%
sh = timed.loc[timed["ticker"] == "601633.SS", "event_id"].iloc[0]
show(plotting.estimation_figure(result, sh, out_dir=figures, stem=figure_stem("estimation", "601633.SS"),
                               limit=0.10))

# %% [markdown]
# ### The statsmodels fit behind Xiaomi's market model

# %%
xm = timed.loc[timed["ticker"] == "1810.HK", "event_id"].iloc[0]
fit = result.ols(xm)
print(fit.summary().tables[1])
print(f"N = {int(fit.nobs)} returns, R-squared = {fit.rsquared:.4f}, residual sd = {fit.scale ** 0.5:.6f}")

# %% [markdown]
# ## What the numbers say
# * The "9% jump" was Xiaomi's intraday high; the close-to-close return was 6.3%, of which the
#   market model attributes roughly 2 points to the Hang Seng's own rise.
# * Great Wall's Hong Kong shares had the biggest abnormal move (about 8.0%, t about 2.2); the
#   Shanghai shares hit the limit, so their measured abnormal return is a floor, not an estimate.
# * Xiaomi's results reaction falls on day -1: windows that include it are confounded.
# * Against each stock's own volatility over the previous year, Xiaomi's move is not significant
#   (t about 1.4) while Great Wall's two listings are, just, at 5%: significance needs the t
#   statistic, not the headline percentage.
