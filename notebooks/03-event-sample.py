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
# # An event sample: the January 2026 headlines, and a Hong Kong sample
#
# One announcement is an anecdote; this notebook studies samples. Two of them:
#
# * **US headlines, January 2026**: the listed companies in the seed headline list, with the
#   announcement dates researched in `data/events/headlines-2026-01.csv` (one source URL per
#   row), each against the S&P 500 (^GSPC).
# * **Hong Kong, 26 March 2021**: the Xiaomi / Great Wall Motor report and two Hong Kong-listed
#   rival carmakers on the same day (Geely 0175.HK, BYD 1211.HK): does the news move the rivals?
#   These are real dates of a real report; the rivals' "event" is that report, not news of their own.
#
# For each sample: timing onto the exchange calendar, the warnings the sample needs (same-company
# events within days, calendar clustering, the 19 January 2026 US holiday), AAR/CAAR with a 95%
# band, every cross-event test, and results per group.
#
# **Shorter estimation window for the US sample.** The US price files start on 2025-02-28, about
# 220 sessions before the events, so the default [-260, -11] does not fit: we use [-200, -11]
# with at least 150 estimation returns, and say so in every figure's source line.

# %% tags=["parameters"]
shared_dir = ""        # empty: $ANALYSIS_SHARED_DIR (../shared beside the clone)
prices_dir = ""        # empty: $ANALYSIS_PRICES_DIR, else Yahoo through the parquet cache
figures_dir = "../figures/03-event-sample"
us_estimation_window = [-200, -11]
us_min_estimation_obs = 150
hk_estimation_window = [-260, -11]
event_window = [-10, 10]
test_windows = [[0, 0], [-1, 1], [0, 5]]

# %%
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.core.pipeline import prepare_events, run_study
from analysis.core.summary import Table
from analysis.data.sources import open_source
from analysis.events.contamination import clustering, confounding, exclusions, overlaps
from analysis.events.table import read_events, validate_events
from analysis.figures import plotting
from analysis.figures.notebook import show
from analysis.files import figure_stem

pd.set_option("display.max_colwidth", 50)
shared = config.shared_dir(shared_dir or None)
source = open_source(prices_dir or None)
figures = Path(figures_dir)
print(f"prices: {source.name}")

# %% [markdown]
# ## Part 1: US headlines of January 2026
# ### The events and their day 0

# %%
events = read_events(shared / "data" / "events" / "headlines-2026-01.csv")
timed = prepare_events(events)
Table(timed[["event_id", "company", "ticker", "requested_date", "time_of_day", "day0", "day0_rule", "confidence"]],
      "The events and their day 0")

# %% [markdown]
# Walmart's filing came after the close on Thursday 15 January (day 0: Friday 16). The Union
# Pacific / Norfolk Southern ruling came after the close on Friday 16 January, and Monday
# 19 January 2026 was a US market holiday (Martin Luther King Jr. Day): their day 0 is Tuesday
# 20 January, not the Monday.

# %%
Table(timed[timed["day0"] != timed["requested_date"]][["event_id", "requested_date", "day0", "day0_rule"]],
      "Events whose day 0 is not the date given")

# %% [markdown]
# ### Warnings this sample needs
# **Same company, several events within days.** Alphabet appears three times (14-16 January),
# Boeing and Chevron twice. Each such event lies inside the others' event windows: their
# abnormal returns are confounded with each other and the events are not independent.

# %%
overlap = overlaps(timed, estimation_window=tuple(us_estimation_window), event_window=tuple(event_window))
Table(overlap[overlap["where"] == "event window"][["event_id", "ticker", "other", "relative_day"]],
      "Another event of the same company inside the event window")

# %%
conf = confounding(timed, estimation_window=tuple(us_estimation_window), event_window=tuple(event_window))
Table(conf[["event_id", "ticker", "day0", "confounded", "confounded_by"]], "Confounded events")

# %% [markdown]
# **Calendar clustering.** All events fall within one week, several on the same day 0: their
# abnormal returns share market-wide shocks and are cross-correlated, so the standard Patell and
# BMP tests over-reject. The Kolari-Pynnonen adjusted versions (`kp_patell_z`, `kp_bmp_t`)
# correct for the average residual correlation (Kolari & Pynnonen 2010).

# %%
clus = clustering(timed, event_window=tuple(event_window))
print(clus.summary())
Table(clus.by_day0, "Events per day 0")

# %% [markdown]
# ### The study
# Market model against ^GSPC, estimation window [-200, -11], at least 150 returns. Groups: how
# firmly each date is established (`confidence` column of the events file: high / medium).

# %%
us_events = timed.assign(group=timed["confidence"])
us = run_study(us_events, source=source, estimation_window=tuple(us_estimation_window),
               event_window=tuple(event_window), min_estimation_obs=us_min_estimation_obs,
               exclude=exclusions(timed, estimation_window=tuple(us_estimation_window),
                                  event_window=tuple(event_window))).result
us.summary()

# %%
Table(us.diagnostics[["event_id", "ticker", "day0", "status", "reason", "m", "alpha", "beta", "s", "r2"]],
      "Market-model fit of each event", note="alpha and s per day")

# %% [markdown]
# ### AAR and CAAR with 95% band and the number of events per day

# %%
show(plotting.aar_figure(us, out_dir=figures, stem=figure_stem("aar_caar", "us"),
                         title="January 2026 headlines (US): AAR and CAAR against ^GSPC"))

# %% [markdown]
# ### Every test, for each window
# csect_t (Brown & Warner 1985), cda_t (Brown & Warner 1980, 1985), patell_z (Patell 1976),
# bmp_t (Boehmer, Musumeci & Poulsen 1991), kp_* (Kolari & Pynnonen 2010), corrado_rank_z
# (Corrado 1989; Corrado & Zivney 1992), grank_t (Kolari & Pynnonen 2011), sign_z and
# generalized_sign_z (Cowan 1992), wilcoxon (signed ranks of the CARs).

# %%
every = pd.concat([us.tests(window=(a, b)).rename_axis("test").reset_index().assign(window=f"[{a}, {b}]")
                   for a, b in test_windows], ignore_index=True)
Table(every[["test", "window", "statistic", "p_value", "n_events"]], "Every test for each window")

# %% [markdown]
# ### Per group (date confidence)

# %%
Table(us.tests_by_group(window=(0, 0)), "Day-0 tests, all events and each group")

# %%
show(plotting.aar_figure(us, group="high", out_dir=figures, stem=figure_stem("aar_caar", "us_high"),
                         title="January 2026 headlines, firmly dated events only"))

# %% [markdown]
# ### Without the confounded events
# Dropping every event with another event of the same company in its event window leaves the
# clean part of the sample; compare the day-0 tests.

# %%
clean_ids = set(conf.loc[~conf["confounded"].fillna(True).astype(bool), "event_id"])
clean = run_study(us_events[us_events["event_id"].isin(clean_ids)], source=source,
                  estimation_window=tuple(us_estimation_window), event_window=tuple(event_window),
                  min_estimation_obs=us_min_estimation_obs).result
print(f"clean events: {sorted(clean_ids)}")
Table(clean.tests(window=(0, 0)), "Day-0 tests, clean events only", index=True) if clean.n_ok >= 2 \
    else "fewer than two clean events"

# %% [markdown]
# ## Part 2: Hong Kong, 26 March 2021: the deal parties and their rivals
# The Reuters report on Xiaomi building EVs with Great Wall Motor came out on Thursday
# 25 March 2021 after the Hong Kong close (see notebook 01). Deal parties: Xiaomi (1810.HK) and
# Great Wall Motor (2333.HK); rivals: Geely (0175.HK, named in the Benzinga article) and BYD
# (1211.HK), the Hong Kong-listed carmakers with prices in the snapshot.

# %%
hk_events = validate_events(pd.DataFrame({
    "event_id": ["xiaomi", "greatwall", "geely", "byd"],
    "ticker": ["1810.HK", "2333.HK", "0175.HK", "1211.HK"],
    "market": "^HSI",
    "event_date": "2021-03-25",
    "time_of_day": "after_close",
    "group": ["deal party", "deal party", "rival", "rival"],
}))
hk_timed = prepare_events(hk_events)
Table(hk_timed[["event_id", "ticker", "group", "requested_date", "day0", "day0_rule"]], "Hong Kong events")

# %% [markdown]
# Every event has the same day 0: the sample is fully clustered. The adjusted tests matter here
# more than anywhere; with four events, every test has little power.

# %%
print(clustering(hk_timed, event_window=tuple(event_window)).summary())

# %%
hk = run_study(hk_timed, source=source, estimation_window=tuple(hk_estimation_window),
               event_window=tuple(event_window)).result
Table(hk.cars([(0, 0), (-1, 1), (0, 5)]).drop(columns=["scar"]), "CARs of each event")

# %%
Table(hk.tests_by_group(window=(0, 0)), "Day-0 tests, all events and each group")

# %%
show(plotting.aar_figure(hk, out_dir=figures, stem=figure_stem("aar_caar", "hk"),
                         title="Hong Kong, report of 25 March 2021: AAR and CAAR, all four"))

# %%
show(plotting.listings_figure([(hk, e) for e in hk_timed["event_id"]], out_dir=figures,
                              stem=figure_stem("listings", "hk"),
                              title="Deal parties and rivals on 26 March 2021"))

# %% [markdown]
# ## Summary
# * The US headline sample is small, clustered in one week and partly confounded (the same
#   company several times within days): read the Kolari-Pynnonen and rank tests, and the clean
#   subsample, before any conclusion.
# * The 19 January 2026 holiday moves after-close Friday announcements to Tuesday.
# * In Hong Kong the deal parties moved on day 0; whether the rivals did is in the per-group
#   table. With one common day 0 the cross-sectional tests cannot separate the news from a
#   sector-wide move: the adjusted tests and the small N both say "little evidence".
