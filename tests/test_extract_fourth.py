"""Rules found through the fourth held-out set (tests/data/news-fourth), each tested here on
sentences that are not in the set (issue 19)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.events.companies import read_company_table
from analysis.events.extract import extract_events


def _roles(text, published="2024-06-03", tz=None):
    df = extract_events(text, published=published, tz=tz)
    return dict(zip(df["ticker"], df["role"])), df


def test_bidder_is_a_mention_unless_its_own_shares_moved():
    lead = ("Shares of Spirit Airlines (NYSE: SAVE) jumped 20% on Monday after it received a takeover "
            "offer from JetBlue Airways (NASDAQ: JBLU).")
    roles, _ = _roles(lead, "2022-04-05")
    assert roles == {"SAVE": "subject", "JBLU": "mention"}
    roles, _ = _roles(lead + " JetBlue shares fell 7%.", "2022-04-05")
    assert roles == {"SAVE": "subject", "JBLU": "subject"}
    roles, _ = _roles("Activision Soars as Microsoft Agrees to Buy It for $69 Billion", "2022-01-18")
    assert roles == {"ATVI": "subject", "MSFT": "mention"}


def test_a_bidder_in_news_without_a_share_move_stays_a_subject():
    roles, _ = _roles("Microsoft agreed on Tuesday to buy Activision Blizzard for $68.7 billion.", "2022-01-18")
    assert roles == {"MSFT": "subject", "ATVI": "subject"}


def test_a_company_lifting_other_stocks_is_a_mention():
    roles, _ = _roles("Advantest Jumps as Nvidia Lifts Chip Stocks", "2024-02-22")
    assert roles == {"6857.T": "subject", "NVDA": "mention"}


def test_market_value_moving_is_the_shares_moving():
    roles, df = _roles("Meta Adds $197 Billion in Market Value on Friday, the Biggest Gain in Wall Street History",
                       "2024-02-05T07:30-05:00", "America/New_York")
    row = df[df["ticker"] == "META"].iloc[0]
    assert row["event_date"] == pd.Timestamp("2024-02-02")
    assert row["time_of_day"] != "after_close"          # Friday is the reaction's day, not Thursday's news


def test_a_renamed_ticker_gives_one_row_and_a_note():
    roles, df = _roles("Meta Platforms Inc (NASDAQ: FB) shares fell 26% on Thursday after its first drop in "
                       "daily users.", "2022-02-04")
    assert list(df["ticker"]) == ["META"]
    assert any("written FB" in n and "META used" in n for n in df.attrs["notes"])


def test_a_listing_that_began_after_the_event_gives_no_row():
    _, df = _roles("宁德时代（300750）4月15日晚间披露一季报，净利润同比增长7%", "2024-04-16")
    assert list(df["ticker"]) == ["300750.SZ"]          # the Hong Kong H shares listed on 2025-05-20
    _, df = _roles("宁德时代（300750）7月30日晚间披露半年报", "2025-07-31")
    assert set(df["ticker"]) == {"300750.SZ", "3750.HK"}


def test_listing_since_in_a_user_table(tmp_path):
    good = tmp_path / "c.csv"
    good.write_text("name,aliases,listings\nAcme Widgets,Acme Widgets,NYSE:ACMW@2024-03-01\n")
    df = extract_events("Acme Widgets shares rose 5% on Monday.", published="2024-01-09", companies=str(good))
    assert df.empty or "ACMW" not in set(df["ticker"])
    df = extract_events("Acme Widgets shares rose 5% on Monday.", published="2024-06-04", companies=str(good))
    assert "ACMW" in set(df["ticker"])
    bad = tmp_path / "bad.csv"
    bad.write_text("name,aliases,listings\nAcme Widgets,Acme Widgets,NYSE:ACMW@soon\n")
    with pytest.raises(InputError, match="TICKER@YYYY-MM-DD"):
        read_company_table(bad)


@pytest.mark.parametrize("text", ["南京东路步行街人潮涌动。", "北京东三环今早堵车严重。"])
def test_a_chinese_place_ending_where_a_name_begins_is_no_company(text):
    assert extract_events(text, published="2024-06-03").empty


def test_the_chinese_name_alone_is_still_the_company():
    df = extract_events("京东618大促开启，京东集团股价上涨3%", published="2024-06-03")
    assert "9618.HK" in set(df["ticker"])
