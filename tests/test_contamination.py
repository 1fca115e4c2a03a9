"""Confounded/contaminated events, calendar clustering and A-share price limits (issue 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.events.contamination import (
    clustering,
    confounding,
    exclusions,
    limit_days,
    limit_flags,
    overlaps,
    validate_other_dates,
)
from analysis.data.exchanges import price_limit
from analysis.errors import InputError, WindowError

D = pd.Timestamp


def _events(rows):
    return pd.DataFrame(rows, columns=["event_id", "ticker", "event_date", "company"][: len(rows[0])])


# --- the headline sample ----------------------------------------------------------------------

def test_headline_sample_is_confounded_and_clustered(shared_dir):
    from analysis.events.table import read_events

    events = read_events(shared_dir / "data" / "events" / "headlines-2026-01.csv")
    flags = confounding(events).set_index("event_id")
    confounded = set(flags.index[flags["confounded"].astype(bool)])
    assert confounded == {"h02-GOOGL", "h06-GOOGL", "h14-GOOGL", "h04-BA", "h15-BA", "h09-CVX", "h11-CVX"}
    assert not flags["contaminated"].any()
    assert "h06-GOOGL (day +0)" in flags.loc["h02-GOOGL", "confounded_by"]
    assert flags.loc["h11-CVX", "confounded_by"] == "h09-CVX (day +2)"

    c = clustering(events)
    assert c.clustered and c.share_same_day0 == 1.0 and c.largest_cluster == 4
    assert "Kolari-Pynnonen" in c.recommendation and "kp_bmp_t" in c.summary()


# --- other dates, windows in sessions of the listing calendar -----------------------------------------

def test_other_dates_in_estimation_and_event_windows_counted_in_sessions():
    events = pd.DataFrame({"event_id": ["a"], "ticker": ["AAPL"], "event_date": ["2021-03-26"]})
    other = pd.DataFrame({"ticker": ["aapl", "AAPL", "AAPL", "MSFT"],
                          "date": ["2021-01-27", "2021-03-20", "2020-01-02", "2021-03-25"],
                          "kind": ["earnings", "dividend", "old", "earnings"]})
    pairs = overlaps(events, other)
    # hand count of NYSE sessions: Jan 28-29 (2) + February (19, Presidents Day 15th) + Mar 1-26 (20)
    assert list(pairs["relative_day"]) == [-41, -4]
    assert list(pairs["where"]) == ["estimation window", "event window"]
    # the Saturday dividend date counts on Monday 2021-03-22
    assert pairs["other_day0"].iloc[1] == D("2021-03-22")
    flags = confounding(events, other).iloc[0]
    assert flags["confounded"] and flags["contaminated"]
    assert flags["contaminated_by"] == "earnings 2021-01-27 (day -41)"
    # a narrower estimation window no longer reaches day -41
    assert not confounding(events, other, estimation_window=(-30, -11)).iloc[0]["contaminated"]


def test_exclusions_drop_sessions_around_other_news_inside_the_estimation_window():
    events = pd.DataFrame({"event_id": ["a"], "ticker": ["AAPL"], "event_date": ["2021-03-26"]})
    other = pd.DataFrame({"ticker": ["AAPL", "AAPL", "AAPL"],
                          "date": ["2021-01-27", "2021-03-11", "2021-03-19"], "kind": ["e", "x", "y"]})
    out = exclusions(events, other, estimation_window=(-250, -11), event_window=(-10, 10))
    # 2021-01-27 is day -41: drop -42..-40; 2021-03-11 is day -11: drop -12, -11 (-10 is in the event
    # window); 2021-03-19 is day -5: nothing to drop
    expected = ["2021-01-26", "2021-01-27", "2021-01-28", "2021-03-10", "2021-03-11"]
    assert list(out["date"]) == [D(d) for d in expected] and set(out["event_id"]) == {"a"}
    assert list(out.columns) == ["event_id", "date"]
    only_day = exclusions(events, other, estimation_window=(-250, -11), around=(0, 0))
    assert list(only_day["date"]) == [D("2021-01-27"), D("2021-03-11")]


def test_cross_listings_of_one_announcement_do_not_confound_each_other():
    stamp = "2021-03-25T20:00-04:00"
    events = pd.DataFrame({
        "event_id": ["gwm-h", "gwm-a", "later-a"],
        "ticker": ["2333.HK", "601633.SS", "601633.SS"],
        "company": ["Great Wall Motor", "Great Wall Motor", "great wall  motor"],
        "announced_at": [pd.Timestamp(stamp), pd.Timestamp(stamp), None],
        "event_date": [None, None, "2021-03-31"],
    })
    flags = confounding(events.iloc[:2])
    assert not flags["confounded"].any()
    flags = confounding(events).set_index("event_id")
    # the later A-share news is news of the same company for the H share too (company match)
    assert flags.loc["gwm-h", "confounded_by"] == "later-a (day +3)"   # 03-26 -> 03-31 on XHKG
    assert flags.loc["gwm-a", "confounded_by"] == "later-a (day +3)"   # 03-26 -> 03-31 on XSHG
    assert set(flags.loc["later-a", "confounded_by"].split("; ")) == {"gwm-h (day -3)", "gwm-a (day -3)"}


def test_company_match_for_other_dates_without_ticker():
    events = pd.DataFrame({"event_id": ["x"], "ticker": ["1810.HK"], "company": ["Xiaomi"],
                           "event_date": ["2021-03-26"]})
    other = pd.DataFrame({"company": ["XIAOMI"], "date": ["2021-03-23"], "kind": ["results"]})
    assert confounding(events, other).iloc[0]["confounded_by"] == "results 2021-03-23 (day -3)"


def test_bad_inputs():
    events = pd.DataFrame({"event_id": ["a"], "ticker": ["AAPL"], "event_date": ["2021-03-26"]})
    with pytest.raises(WindowError):
        confounding(events, event_window=(5, -5))
    with pytest.raises(InputError, match="ticker"):
        validate_other_dates(pd.DataFrame({"date": ["2021-01-01"]}))
    with pytest.raises(InputError, match="date"):
        validate_other_dates(pd.DataFrame({"ticker": ["AAPL"]}))
    with pytest.raises(InputError, match="bad date"):
        validate_other_dates(pd.DataFrame({"ticker": ["AAPL"], "date": ["soon"]}))
    bad = pd.DataFrame({"event_id": ["a", "b"], "ticker": ["AAPL", "X.XX"], "event_date": ["2021-03-26"] * 2})
    flags = confounding(bad)
    assert not flags["confounded"].iloc[0]
    assert pd.isna(flags["confounded"].iloc[1]) and "'.XX'" in flags["timing_error"].iloc[1]


# --- clustering -------------------------------------------------------------------------------------

def _spread(n, start="2019-01-07", step=30):
    days = pd.bdate_range(start, periods=n * step)[::step]
    return pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "ticker": [f"T{i}" for i in range(n)],
                         "event_date": days[:n]})


def test_clustering_share_and_threshold():
    spread = _spread(20)
    c = clustering(spread, event_window=(-1, 1))
    assert (c.share_same_day0, c.largest_cluster, c.clustered, c.share_overlapping) == (0.0, 1, False, 0.0)
    assert c.n_days == 20 and c.by_day0.empty
    pair = spread.assign(event_date=spread["event_date"].where(spread.index != 1, spread["event_date"][0]))
    c = clustering(pair, event_window=(-1, 1))
    assert c.share_same_day0 == pytest.approx(2 / 20) and c.clustered  # threshold 10% is inclusive
    assert c.largest_cluster == 2 and c.largest_cluster_day0 == D("2019-01-07")
    assert list(c.by_day0["event_ids"]) == ["e0, e1"]
    assert not clustering(pair, event_window=(-1, 1), threshold=0.2).clustered
    # windows (-1, 1) of events two sessions apart overlap in calendar time, 30 sessions apart not
    near = spread.assign(event_date=spread["event_date"].where(spread.index != 1, D("2019-01-09")))
    c = clustering(near, event_window=(-1, 1))
    assert c.share_same_day0 == 0 and c.share_overlapping == pytest.approx(2 / 20)
    with pytest.raises(InputError):
        clustering(spread, threshold=2)


# --- price limits --------------------------------------------------------------------------------

@pytest.mark.parametrize("symbol, date, name, limit", [
    ("601633.SS", "2021-03-26", None, 0.10),
    ("000001.SZ", "2021-03-26", None, 0.10),       # Ping An Bank, a stock (000001.SS is the index)
    ("688981.SS", "2021-03-26", None, 0.20),       # STAR market
    ("300750.SZ", "2020-08-21", None, 0.10),       # ChiNext before the 2020-08-24 reform
    ("300750.SZ", "2020-08-24", None, 0.20),
    ("301001.SZ", "2021-03-26", None, 0.20),
    ("600000.SS", "2021-03-26", "*ST Foo", 0.05),
    ("600000.SS", "2021-03-26", "ST康美", 0.05),
    ("600000.SS", "2021-03-26", "FIRST STEEL", 0.10),  # "ST" inside words does not count
    ("300001.SZ", "2021-03-26", "ST Bar", 0.20),   # ChiNext ST names keep 20% after the reform
    ("000001.SS", "2021-03-26", None, None),       # index
    ("2333.HK", "2021-03-26", None, None),
    ("AAPL", "2021-03-26", None, None),
])
def test_price_limit_rules(symbol, date, name, limit):
    assert price_limit(symbol, date, name) == limit


def _bars(closes, adj=None, start="2021-03-22"):
    index = pd.DatetimeIndex(pd.bdate_range(start, periods=len(closes)), name="Date")
    closes = np.asarray(closes, dtype=float)
    frame = pd.DataFrame({c: closes for c in ("Open", "High", "Low", "Close")}, index=index)
    frame["Adj Close"] = closes if adj is None else np.asarray(adj, dtype=float)
    frame["Volume"] = 1.0
    return frame


def test_limit_price_is_rounded_half_up_to_the_fen():
    # 10.05 * 1.1 = 11.055 -> 11.06 ; 10.05 * 0.9 = 9.045 -> 9.05 (half-up, not banker's)
    def second(close, **kw):
        return limit_days(_bars([10.05, close]), "600000.SS", **kw).iloc[1]

    assert (second(11.06)["limit_up"], second(11.06)["limit_down"]) == (11.06, 9.05)
    assert second(11.06)["at_limit"] == "up" and pd.isna(second(11.05)["at_limit"])
    assert second(9.05)["at_limit"] == "down" and pd.isna(second(9.06)["at_limit"])
    assert pd.isna(limit_days(_bars([10.05]), "600000.SS")["at_limit"].iloc[0])  # no reference
    st = limit_days(_bars([10.00, 10.50]), "600000.SS", name="*ST Foo")
    assert st["at_limit"].iloc[1] == "up" and st["limit_up"].iloc[1] == 10.50


def test_ex_rights_day_uses_the_adjusted_reference_price():
    # 1.00 cash dividend: reference 20.00 - 1.00 = 19.00, limit-up 20.90 (not 22.00)
    closes = [20.00, 20.90]
    adj = [19.00, 20.90]           # Adj Close factor 0.95 before the ex-date, 1 on it
    assert limit_days(_bars(closes, adj), "600000.SS")["at_limit"].iloc[1] == "up"
    no_adj = _bars(closes).drop(columns="Adj Close")
    out = limit_days(no_adj, "600000.SS")
    assert pd.isna(out["at_limit"].iloc[1]) and out["limit_up"].iloc[1] == 22.00


def test_great_wall_a_share_limit_up_on_2021_03_26(prices_dir):
    from analysis.data.prices import CsvFolderSource

    source = CsvFolderSource(prices_dir)
    stamp = pd.Timestamp("2021-03-25T20:00-04:00")
    events = pd.DataFrame({"event_id": ["gwm-a", "gwm-h"], "ticker": ["601633.SS", "2333.HK"],
                           "announced_at": [stamp, stamp]})
    flags = limit_flags(events, source, event_window=(-5, 5))
    day0 = flags[flags["relative_day"] == 0]
    assert list(day0["event_id"]) == ["gwm-a"] and day0["side"].iloc[0] == "up"
    assert day0["date"].iloc[0] == D("2021-03-26")
    assert day0["close"].iloc[0] == 30.95 and day0["limit_price"].iloc[0] == 30.95  # 28.14 * 1.1
    assert (flags["ticker"] == "601633.SS").all()  # Hong Kong has no daily limit


# --- the check command --------------------------------------------------------------------------

def test_check_command_on_the_headline_sample(shared_dir, tmp_path, capsys):
    from analysis.cli import main

    out = tmp_path / "flags.csv"
    assert main(["check", str(shared_dir / "data" / "events" / "headlines-2026-01.csv"),
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "confounded: other news of the company inside the event window (7)" in text
    assert "Kolari-Pynnonen" in text
    flags = pd.read_csv(out)
    assert flags["confounded"].dtype == bool and int(flags["confounded"].sum()) == 7


def test_check_command_other_dates_and_price_limits(prices_dir, tmp_path, capsys):
    from analysis.cli import main

    events = tmp_path / "gwm.csv"
    events.write_text("event_id,ticker,announced_at\ngwm-h,2333.HK,2021-03-25T20:00-04:00\n"
                      "gwm-a,601633.SS,2021-03-25T20:00-04:00\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("ticker,date,kind\n601633.SS,2021-01-29,results\n2333.HK,2021-03-30,results\n",
                     encoding="utf-8")
    dropped = tmp_path / "exclude.csv"
    assert main(["check", str(events), "--other-dates", str(other), "--price-limits",
                 "--prices-dir", str(prices_dir), "--window", "-5", "5", "--exclusions", str(dropped)]) == 0
    text = capsys.readouterr().out
    # 2021-01-29 is day -35 of the A share: sessions 01-28, 01-29, 02-01 dropped
    assert pd.read_csv(dropped).values.tolist() == [["gwm-a", "2021-01-28"], ["gwm-a", "2021-01-29"],
                                                    ["gwm-a", "2021-02-01"]]
    assert "results 2021-03-30 (day +2)" in text and "results 2021-01-29 (day -35)" in text
    line = [ln for ln in text.splitlines() if "30.95" in ln]
    assert len(line) == 1 and line[0].split()[-1] == "up" and "2021-03-26" in line[0]


def test_overlaps_agree_with_a_brute_force_count():
    from analysis.events.timing import get_calendar, time_events

    rng = np.random.default_rng(7)
    days = pd.bdate_range("2018-01-01", "2020-12-31")
    n = 150
    events = pd.DataFrame({"event_id": [f"e{i}" for i in range(n)],
                           "ticker": rng.choice(["AAPL", "0700.HK", "601633.SS"], n),
                           "event_date": rng.choice(days, n),
                           "time_of_day": rng.choice(["unknown", "after_close"], n)})
    timed = time_events(events)
    pairs = overlaps(timed, estimation_window=(-120, -11), event_window=(-5, 5))
    for i in range(0, n, 10):
        e = timed.iloc[i]
        sessions = get_calendar(e["calendar"]).sessions
        others = timed[(timed["ticker"] == e["ticker"]) & (timed.index != i)]
        rel = np.array([sessions.get_loc(d) - sessions.get_loc(e["day0"]) for d in others["day0"]])
        expected = sorted(r for r in rel if -120 <= r <= -11 or -5 <= r <= 5)
        assert sorted(pairs.loc[pairs["event_id"] == e["event_id"], "relative_day"]) == expected


def test_clustering_counts_cross_listings_of_one_announcement():
    stamp = pd.Timestamp("2021-03-25T20:00-04:00")
    events = pd.DataFrame({"event_id": ["h", "a", "x"], "ticker": ["2333.HK", "601633.SS", "1810.HK"],
                           "company": ["Great Wall Motor", "Great Wall Motor", "Xiaomi"],
                           "announced_at": [stamp] * 3})
    c = clustering(events)
    assert c.n_cross_listed == 1 and "further listings" in c.recommendation
    assert c.same_company == {"h": ("a",), "a": ("h",)}
    # without a company column the company universe knows both listings are Great Wall Motor
    bare = clustering(events.drop(columns="company"))
    assert bare.n_cross_listed == 1 and bare.same_company == c.same_company
    unknown = events.drop(columns="company").assign(ticker=["ZZZA", "ZZZB", "ZZZC"])
    assert clustering(unknown).n_cross_listed == 0 and clustering(unknown).same_company == {}
    assert set(clustering(unknown).same_day0) == {"h", "a", "x"}       # all three share day 0


def test_exclusions_feed_the_engine(prices_dir):
    from analysis.core.pipeline import run_event_study
    from analysis.data.prices import CsvFolderSource, load_panel
    from analysis.events.timing import time_events

    stamp = pd.Timestamp("2021-03-25T20:00-04:00")
    events = time_events(pd.DataFrame({"event_id": ["gwm-a", "gwm-h"], "ticker": ["601633.SS", "2333.HK"],
                                       "announced_at": [stamp, stamp]}))
    other = pd.DataFrame({"ticker": ["601633.SS"], "date": ["2021-01-29"], "kind": ["results"]})
    panel = load_panel(CsvFolderSource(prices_dir), ["601633.SS", "2333.HK", "000001.SS", "^HSI"])
    base = run_event_study(events, prices=panel).diagnostics.set_index("event_id")["m"]
    dropped = run_event_study(events, prices=panel, exclude=exclusions(events, other)).diagnostics
    m = dropped.set_index("event_id")["m"]
    assert m["gwm-a"] == base["gwm-a"] - 3 and m["gwm-h"] == base["gwm-h"]


def test_listing_companies_cache_agrees_with_the_universe_and_follows_the_tables(tmp_path, monkeypatch):
    """The ticker -> company map that same_company reads is the universe's own answer (curated,
    index constituents, broad list, unknown), is read from the cache by a later call without
    building the universe, and is rebuilt when a user table changes (a new cross-listing)."""
    from analysis.events import companies as co
    from analysis.events.listings import listing_companies

    cache = tmp_path / "cache"
    tickers = ["2333.HK", "601633.SS", "GOOG", "GOOGL", "1810.HK", "ZZZZ.HK"]
    broad = co.universe().broad
    if broad is not None:                     # a ticker only the broad list knows
        tickers.append(next(t for t in broad.by_ticker if co.universe().by_ticker.get(t) is None))
    u = co.universe(cache_dir=cache)
    want = {t: (u.company(t).name if u.company(t) is not None else None) for t in tickers}
    assert listing_companies(tickers, cache_dir=cache) == want
    assert want["2333.HK"] == want["601633.SS"] and want["GOOG"] == want["GOOGL"] and want["ZZZZ.HK"] is None
    assert len(list((cache / "companies").glob("tickers-*.json"))) == 1

    def no_build(*args, **kwargs):
        raise AssertionError("the universe was built although the cache holds the map")

    monkeypatch.setattr(co, "universe", no_build)
    assert listing_companies(tickers, cache_dir=cache) == want
    monkeypatch.undo()

    table = tmp_path / "mine.csv"             # a user table makes two unknown tickers one company
    table.write_text("name,aliases,listings,listed,kind,codes\nZeta Widgets,Zeta Widgets,XNYS:ZZZA ZZZB,true,company,\n")
    monkeypatch.setenv("ANALYSIS_COMPANIES", str(table))
    mine = listing_companies(["ZZZA", "ZZZB"], cache_dir=cache)
    assert mine["ZZZA"] == mine["ZZZB"] == "Zeta Widgets"
    table.write_text(table.read_text().replace("ZZZA ZZZB", "ZZZA"))
    assert listing_companies(["ZZZA", "ZZZB"], cache_dir=cache)["ZZZB"] is None
    assert len(list((cache / "companies").glob("tickers-*.json"))) == 1      # earlier maps removed
