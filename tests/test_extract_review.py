"""Review defects of issue 19's extraction: stated future dates, names that are words, surnames
or places, false notes about unknown names, and yfinance's chatter. The texts here are new,
written for these tests (not the held-out ones in tests/data/news)."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest

from analysis.events.extract import extract_events
from analysis.events.textdates import find_dates, find_scheduled, is_future


def rows(df, *cols):
    return list(df[list(cols)].itertuples(index=False, name=None))


# ------------------------------------------------------------------- stated future dates ----

APR3 = dt.date(2024, 4, 3)


@pytest.mark.parametrize("sentence, date", [
    ("Baidu results due May 14", dt.date(2024, 5, 14)),
    ("JD.com will report results on May 16, after the close", dt.date(2024, 5, 16)),
    ("Alibaba to report results on March 28", dt.date(2025, 3, 28)),      # due: next year's
    ("Meituan is scheduled to report on 2024-05-30", dt.date(2024, 5, 30)),
    ("The launch is on June 30, 2024.", dt.date(2024, 6, 30)),              # after publication
    ("NetEase will publish results on Thursday", dt.date(2024, 4, 4)),     # the coming Thursday
    ("\u7f8e\u56e2\u5c06\u4e8e5\u670814\u65e5\u516c\u5e03\u4e1a\u7ee9", dt.date(2024, 5, 14)),      # 美团将于5月14日公布业绩
])
def test_a_stated_future_date_is_that_date(sentence, date):
    (hit,) = find_scheduled(sentence, APR3)
    assert hit.date == date and hit.source == "scheduled"
    assert find_dates(sentence, APR3) == [] or find_dates(sentence, APR3)[0].date <= APR3


@pytest.mark.parametrize("sentence", [
    "The deal is expected to close by June 30.",          # a deadline
    "The offer runs until May 20.",
    "Shareholders vote next Thursday.",                   # ambiguous week
    "Baidu said on Wednesday it will expand.",            # a past day of speech, no date to come
    "Baidu reported results on March 28.",                # past
])
def test_deadlines_and_past_days_are_not_scheduled(sentence):
    assert find_scheduled(sentence, APR3) == []


@pytest.mark.parametrize("clause, future", [
    ("Baidu to report results", True), ("results due May 14", True),
    ("after the Hong Kong market closes", True), ("will post results", True),
    ("profit beat expectations", False), ("better-than-expected sales", False),
    ("results were better than expected", False), ("reported results after the bell", False),
])
def test_is_future(clause, future):
    assert is_future(clause) is future


def test_headline_with_a_future_date_is_dated_by_it_not_before_publication():
    df = extract_events("Baidu results due May 16 after the close", published="2024-04-03T08:00+08:00")
    assert rows(df.head(1), "event_date", "time_of_day", "date_source") == [
        (pd.Timestamp("2024-05-16"), "after_close", "scheduled")]


def test_year_is_inferred_forward_from_publication():
    df = extract_events("JD.com results due March 7 before the open", published="2024-11-20")
    assert df["event_date"].iloc[0] == pd.Timestamp("2025-03-07")


def test_article_announcing_a_results_date():
    text = ("SHANGHAI, April 3 (Reuters) - JD.com said on Wednesday it will report first-quarter results "
            "on May 16, after the New York market closes.\n\nShares of JD.com rose 2% on Wednesday.")
    df = extract_events(text, published="2024-04-03T10:00+08:00")
    assert rows(df.head(1), "event_date", "time_of_day", "date_source") == [
        (pd.Timestamp("2024-05-16"), "after_close", "scheduled")]


@pytest.mark.parametrize("headline", [
    "Baidu to report results after the bell",
    "Baidu will post results after the close",
    "Baidu expected to report after the bell",
])
def test_future_after_the_bell_is_not_put_before_publication(headline):
    df = extract_events(headline, published="2024-04-03T07:30", tz="America/New_York")
    assert rows(df.head(1), "event_date", "time_of_day") == [(pd.Timestamp("2024-04-03"), "after_close")]


def test_past_after_the_bell_before_the_open_is_still_the_previous_session():
    df = extract_events("Baidu Reported Results After the Bell", published="2024-04-03T07:30",
                        tz="America/New_York")
    assert df["event_date"].iloc[0] == pd.Timestamp("2024-04-02")


@pytest.mark.parametrize("headline", [
    "Baidu to report results after the bell", "Baidu results due May 16", "Baidu will report on Thursday",
    "Baidu to publish results before the open", "Baidu set to report results after the close",
])
def test_future_news_never_precedes_publication(headline):
    df = extract_events(headline, published="2024-04-03T07:30", tz="America/New_York")
    assert (df["event_date"] >= pd.Timestamp("2024-04-03")).all()


def test_the_leads_own_time_is_kept_when_the_body_times_other_news():
    text = ("Xpeng shares slump after delivery warning\n\n"
            "Xpeng (XPEV.N) shares fell 7% on Tuesday after the carmaker cut its delivery forecast "
            "late on Monday.\n\n"
            "Separately, Baidu (HKEX: 9888) said on Tuesday, before the opening bell, that it would buy back shares.")
    for published in (None, "2024-06-05"):
        df = extract_events(text, published=published)
        assert set(df.loc[df["company"].str.contains("XPeng|Xpeng"), "time_of_day"]) == {"after_close"}
    df = extract_events(text, published="2024-06-05")
    xp = df[df["company"].str.contains("XPeng|Xpeng")]
    assert set(xp["event_date"]) == {pd.Timestamp("2024-06-03")}


# ------------------------------------------------------------ names that are words or people ----

@pytest.mark.parametrize("sentence", [
    "Intel agencies shared the report with allies.",
    "Boeing Field runway closed for repairs.",
    "Berkeley students rallied against tuition increases.",
    "Corning town council voted on the budget.",
    "Lincoln Memorial reopens to visitors after repairs.",
    "Sharp drops in temperature are expected overnight.",
    "Ford Madox Brown painting sold at auction.",
    "Dell Curry joined the broadcast team.",
    "Southern Europe faces a heatwave this week.",
    "Tapestry weavers gathered in the old town hall.",
    "Amazon river dolphins are endangered.",
    "Main Street in Springfield was closed for the festival.",
])
def test_new_traps_give_no_company(sentence):
    assert extract_events(sentence, published="2024-06-03").empty


@pytest.mark.parametrize("text, company", [
    ("Intel shares fell 5% on Friday.", "Intel"),
    ("Intel said on Thursday it would cut 15% of its workforce.", "Intel"),
    ("Corning Inc raised its sales forecast.", "Corning"),
    ("Ford Mustang sales rose 10% in May.", "Ford Motor"),
    ("Ford F-150 Lightning production halted", "Ford Motor"),
    ("Boeing Starliner crew return delayed again", "Boeing"),
    ("Xiaomi SU7 orders top 100,000", "Xiaomi"),
    ("Apple Watch sales jumped in China.", "Apple"),
    ("Ford Recalls 1.9 Million Explorer SUVs", "Ford Motor"),            # Title Case headline
    ("State Street Corp said assets rose.", "State Street"),
])
def test_names_with_company_context_are_still_companies(text, company):
    df = extract_events(text, published="2024-06-03")
    assert company in set(df["company"]) and df["role"].iloc[0] == "subject"


# ------------------------------------------------------------------- notes on unknown names ----

@pytest.mark.parametrize("text, unresolved", [
    ("The company's Hong Kong-listed shares (9866.HK) dropped 6%.", []),
    ("Its Shenzhen-listed shares rose.", []),
    ("Nissan Motor shares rose after Nissan said it was in talks.", []),
    ("Frontier Airlines shares jumped.", ["Frontier Airlines"]),
    ("Zorblatt Widgets Cut Its Annual Forecast", ["Zorblatt Widgets"]),
])
def test_unknown_name_notes(text, unresolved):
    df = extract_events(text, published="2024-06-03")
    assert [n for _, n in df.attrs["unresolved"]] == unresolved


def test_yahoo_search_chatter_stays_off_the_terminal(monkeypatch, capsys):
    import yfinance as yf

    from analysis.events.lookup import yahoo_search

    seen = []

    class Failing:
        def __init__(self, *args, **kwargs):
            # a handler on yfinance's logger keeps Python's last-resort handler (standard error) away
            seen.append([type(h) for h in logging.getLogger("yfinance").handlers])
            logging.getLogger("yfinance").warning("Cookie/crumb fetch failed (DNSError), continuing without crumb")
            raise ConnectionError("no network")

    monkeypatch.setattr(yf, "Search", Failing)
    with pytest.raises(ConnectionError):
        yahoo_search("Zorblatt Widgets")
    assert seen == [[logging.NullHandler]]
    assert "crumb" not in capsys.readouterr().err
    assert logging.NullHandler not in [type(h) for h in logging.getLogger("yfinance").handlers]


def test_cli_says_when_the_search_could_not_be_reached(tmp_path, capsys, monkeypatch):
    from analysis.cli import main
    from analysis.events import lookup
    from analysis.events.companies import _universe

    def broken(name):
        raise ConnectionError("no network")

    monkeypatch.setattr(lookup, "yahoo_search", broken)
    monkeypatch.delenv("ANALYSIS_OFFLINE", raising=False)
    news = tmp_path / "news.txt"
    news.write_text("Zorblatt Widgets shares fell 5% on Monday.", encoding="utf-8")
    _universe.cache_clear()
    try:
        code = main(["extract", str(news), "--published", "2024-06-04", "--cache-dir", str(tmp_path)])
    finally:
        _universe.cache_clear()
    err = capsys.readouterr().err
    assert code == 0
    assert "'Zorblatt Widgets'" in err and "could not be reached" in err and "found no listing" not in err


def test_hong_kong_chinese_time_words():
    df = extract_events("\u817e\u8baf\u63a7\u80a15\u670814\u65e5\u6536\u5e02\u540e\u516c\u5e03\u5b63\u5ea6\u4e1a\u7ee9",   # 腾讯控股5月14日收市后公布季度业绩
                        published="2024-04-03T08:00+08:00")
    assert rows(df.head(1), "event_date", "time_of_day", "date_source") == [
        (pd.Timestamp("2024-05-14"), "after_close", "scheduled")]
    df = extract_events("\u5c0f\u7c73\u96c6\u56e24\u67082\u65e5\u5f00\u5e02\u524d\u53d1\u5e03\u516c\u544a",   # 小米集团4月2日开市前发布公告
                        published="2024-04-03T08:00+08:00")
    assert rows(df.head(1), "event_date", "time_of_day") == [(pd.Timestamp("2024-04-02"), "before_open")]
