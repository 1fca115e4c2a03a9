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
# # Xiaomi and Great Wall Motor, 26 March 2021: did trading jump, and did the stocks keep drifting?
#
# Notebook 01 measured the day-0 abnormal returns of the seed story (Xiaomi to build electric
# vehicles in a Great Wall Motor factory, reported on Thursday 25 March 2021 after the Hong Kong
# and Shanghai closes). Two other questions analysts ask about the same news:
#
# 1. **Did trading jump?** Abnormal volume: each listing's log(1 + volume) against a market model
#    of log volume on its index's log volume, estimated over the year before (Ajinkya & Jain 1989;
#    Campbell & Wasley 1996), with the event-window days' abnormal volume and its t statistic.
# 2. **Did the stocks keep drifting for a year?** Buy-and-hold abnormal returns from the close of
#    day 0 to day 250 (Barber & Lyon 1997; Lyon, Barber & Tsai 1999) against each listing's index,
#    and against a reference portfolio of peers built here from their prices.
#
# Listings: 1810.HK and 2333.HK against ^HSI, 601633.SS against 000001.SS; day 0 is Friday
# 26 March 2021 (notebook 01). Prices are read from the settings (`prices_dir`, or
# `ANALYSIS_PRICES_DIR` that `make lab` sets); nothing is copied.

# %% tags=["parameters"]
prices_dir = ""        # empty: $ANALYSIS_PRICES_DIR, else Yahoo through the parquet cache
figures_dir = "../figures/04-volume-and-drift"
estimation_window = [-260, -11]
event_window = [-10, 10]
bhar_window = [1, 250]

# %%
from pathlib import Path

import pandas as pd

from analysis import run_study
from analysis.core.summary import Table
from analysis.data.sources import open_source
from analysis.figures import measures
from analysis.figures.notebook import show

source = open_source(prices_dir or None)
figures = Path(figures_dir)
print(f"prices: {source.name}")

events = pd.DataFrame({"event_id": ["1810.HK", "2333.HK", "601633.SS"],
                       "ticker": ["1810.HK", "2333.HK", "601633.SS"],
                       "market": ["^HSI", "^HSI", "000001.SS"],
                       "event_date": "2021-03-26"})
Table(events, "The events")

# %% [markdown]
# ## 1. Abnormal volume
# One call of the pipeline with `measure="volume"`: the same timing and day 0 as the return study,
# each price file read once, the volume model fitted for all three listings at once. Days with a
# zero or missing volume (Yahoo reports zero on half-day sessions) are left out of the estimation
# window; `no_volume_estimation` counts them. Flat zero-volume bars (no trade at all) are not
# trading days of the stock, as in the return study (`stale="missing"`, the default).

# %%
volume = run_study(events, source=source, measure="volume", estimation_window=tuple(estimation_window),
                   event_window=tuple(event_window), progress=False).result
print(volume.summary([(0, 0), (0, 2), (-1, 1)]))

# %%
vd = volume.diagnostics
Table(vd[["event_id", "day0", "m", "beta", "r2", "no_volume_estimation"]]
      .assign(alpha_log=vd["alpha"], s_log=vd["s"]), "Volume model of each listing",
      note="alpha_log and s_log: log points of volume a day")

# %% [markdown]
# Around day 0, `volume_ratio = exp(AV)` is the multiple of the volume the model expected given
# the index's own volume that day; `av_t` divides AV by its prediction-error sd (Student t with
# M - 2 df).

# %%
av = volume.abnormal_volume
Table(av[av["relative_day"].between(-1, 3)][["event_id", "relative_day", "date", "volume", "volume_ratio",
                                             "av_t", "av_p"]], "Abnormal volume around day 0")

# %% [markdown]
# On day 0 Great Wall's H shares traded 2.4 times their normal volume, Xiaomi 1.7 times and the
# Shanghai A shares 1.6 times (and 1.7 times again on day 1). None of these is significant on its
# own at 5%: a listing's daily log volume varies by about half a log point around its model
# (`s` from 0.48 to 0.58), so one day needs 2.6 to 3.1 times its normal volume to stand out. The A shares closed
# at their +10% limit on day 0: trading stops at the limit, which caps the volume of the very day
# the news was priced (notebook 01 flags that day as censored).

# %%
paths = measures.volume_figure(volume, event_id="2333.HK", out_dir=figures, stem="volume_2333.HK")
show(paths)

# %%
paths = measures.volume_figure(volume, out_dir=figures, stem="volume_listings")
show(paths)

# %% [markdown]
# ## 2. Abnormal volatility on the news
# The same listings with `measure="volatility"`: the day-0 squared standardised abnormal return
# and the exact predictive F test of each window (Chow 1960) against the estimation-window
# variance of the market-model residuals.

# %%
volatility = run_study(events, source=source, measure="volatility", estimation_window=tuple(estimation_window),
                       event_window=tuple(event_window), progress=False).result
Table(volatility.ratios([(0, 0), (-1, 1)]), "Variance ratios and their F tests")

# %% [markdown]
# Great Wall's day-0 abnormal return had 4.8 times (H shares) and 4.3 times (A shares) the variance
# of a normal day, each significant at 5% on its own (F(1, 248), p = 0.031 and 0.039); Xiaomi's
# 1.9 times is not. The A share's day-0 return is censored at the +10% limit, so its true surprise
# was larger still.

# %% [markdown]
# ## 3. One year later: buy-and-hold abnormal returns against the index
# `result.bhar((1, 250))` buys each listing at the close of day 0 and holds it for 250 trading
# days of its market; the benchmark is held the same way. The Shanghai file of the snapshot ends
# on 2022-01-14, inside the A share's year: the event is kept, flagged `delisted` with its last
# price date, and from then on its value earns the index (`delisting="benchmark"`, the default;
# `"truncate"` and `"skip"` are the alternatives).

# %%
bhar = volatility.bhar(tuple(bhar_window))
print(bhar.summary())
Table(bhar.table[["event_id", "benchmark", "start_date", "end_date", "bh_return", "bh_benchmark", "bhar",
                  "delisted", "last_price_date", "missing_days"]], "Buy-and-hold returns against the index")

# %% [markdown]
# A year after the report both Hong Kong listings had lost more than the Hang Seng Index, which
# itself fell 22%: Xiaomi (-45%) by 23 points, Great Wall's H shares (-42%) by 20. The A shares
# were about 40 points ahead of the Shanghai Composite when their prices end in the snapshot.
# With three events the cross-event tests say nothing (they are printed above for completeness;
# the skewness-adjusted and bootstrapped t of Lyon, Barber & Tsai 1999 are meant for samples of
# dozens of events or more). The path shows when the gaps opened: Great Wall's H and A shares ran
# far ahead of their indexes through the second half of 2021 (by up to about 80 and 115 points,
# with the Chinese electric-vehicle rally), and the H shares gave it all back by March 2022.

# %%
paths = measures.bhar_figure(bhar, out_dir=figures, stem="bhar_index",
                             title="One year after the report: buy-and-hold abnormal returns against the index")
show(paths)

# %% [markdown]
# ## 4. Against a reference portfolio of peers
# An index is a crude benchmark for one stock (Barber & Lyon 1997 recommend reference portfolios of
# similar firms). Here we build two equal-weighted daily-rebalanced portfolios from the snapshot's
# prices: Hong Kong-listed carmakers for Great Wall (Geely 0175.HK, BYD 1211.HK) and large Hong Kong
# internet platforms for Xiaomi (Tencent 0700.HK, Alibaba 9988.HK, Meituan 3690.HK). They go to
# `bhar` as daily returns (`reference=`), and `benchmark` says which event uses which; the A shares
# keep their index.

# %%
peers = {"HK autos": ["0175.HK", "1211.HK"], "HK internet": ["0700.HK", "9988.HK", "3690.HK"]}
reference = pd.DataFrame({
    name: pd.concat({s: source.load(s)["Adj Close"].pct_change() for s in symbols}, axis=1).mean(axis=1)
    for name, symbols in peers.items()})
peer_bhar = volatility.bhar(tuple(bhar_window), reference=reference,
                            benchmark={"1810.HK": "HK internet", "2333.HK": "HK autos"})
Table(peer_bhar.table[["event_id", "benchmark", "bh_return", "bh_benchmark", "bhar"]],
      "Buy-and-hold returns against the peer portfolios")

# %% [markdown]
# Against its peers Great Wall's H shares did even worse than against the index: the carmakers
# lost 10% over the year where Great Wall lost 42%, a shortfall of 32 points. Xiaomi's shortfall
# all but disappears (-2 points): the internet platforms lost 43% in the 2021-22 sell-off of
# Chinese technology shares, so Xiaomi's year was its sector's, not its own.

# %%
paths = measures.bhar_figure(peer_bhar, out_dir=figures, stem="bhar_peers",
                             title="One year after the report: buy-and-hold abnormal returns against peers")
show(paths)
