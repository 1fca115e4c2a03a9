"""Regressions a review of the seventh and eighth rounds found (issue 19): rules written for
the held-out sets that reached too far on ordinary headlines. Every sentence is new (in no
held-out set); each case failed on the code before these fixes."""

import pandas as pd
import pytest

from analysis.events.extract import extract_events
from analysis.events.timing import time_events


def _roles(text, published="2025-05-07T12:00:00", tz="America/New_York"):
    df = extract_events(text, published=published, tz=tz)
    return dict(zip(df["ticker"], df["role"])), df


@pytest.mark.parametrize("text, ticker", [
    ("Nvidia will report first-quarter results after close on Wednesday.", "NVDA"),
    ("Salesforce is due to report after close on Wednesday.", "CRM"),
])
def test_a_bare_after_close_is_after_the_market_close(text, ticker):
    _, df = _roles(text)
    row = df[df["ticker"] == ticker].iloc[0]
    assert row["time_of_day"] == "after_close"
    day0 = time_events(df[df["ticker"] == ticker])["day0"].iloc[0]
    assert day0 == pd.Timestamp("2025-05-08")          # the next session, not Wednesday's


def test_a_deals_close_is_still_no_market_close():
    _, df = _roles("Cisco expects the deal to add to gross margin in the first year after close.")
    assert (df["time_of_day"] != "after_close").all()
    _, df = _roles("Broadcom said its margins will rise in the two quarters after close of the transaction.")
    assert (df["time_of_day"] != "after_close").all()


@pytest.mark.parametrize("text, ticker", [
    ("BP to cut 4,700 jobs in cost-cutting drive", "BP"),
    ("GE to split into three companies", "GE"),
    ("Netflix to raise prices for some plans", "NFLX"),
    ("Uber to buy Delivery Hero's Foodpanda Taiwan unit for $950 million", "UBER"),
    ("Lyft to buy FreeNow from BMW and Mercedes for $197 million", "LYFT"),
])
def test_a_headline_name_followed_by_to_and_a_corporate_verb_is_the_company(text, ticker):
    roles, _ = _roles(text)
    assert roles.get(ticker) == "subject"


def test_to_and_a_verb_is_no_evidence_for_a_generic_use():
    roles, _ = _roles("Blood pressure readings and BP monitors are cheaper this year.")
    assert "BP" not in roles


@pytest.mark.parametrize("text, ticker", [
    ("Nike Jordan brand sales jump as basketball fans return", "NKE"),
    ("Coca-Cola Zero Sugar sales rose in the quarter as football fans stocked up", "KO"),
])
def test_a_brand_in_a_sentence_about_sport_fans_is_still_the_company(text, ticker):
    roles, _ = _roles(text)
    assert roles.get(ticker) == "subject"


def test_a_sponsors_team_with_a_score_is_still_no_company():
    roles, _ = _roles("Red Bull Salzburg beat Bayer Leverkusen 2-1 in the Champions League on Tuesday.")
    assert "BAYN.DE" not in roles


@pytest.mark.parametrize("text, subject", [
    ("Boeing rival Airbus wins record 500-jet order from IndiGo", "AIR.PA"),
    ("Apple rival Samsung reports record profit", "005930.KS"),
])
def test_a_company_introduced_as_a_rival_that_does_the_news_is_a_subject(text, subject):
    roles, _ = _roles(text)
    assert roles.get(subject) == "subject"


def test_a_rival_that_does_nothing_stays_a_mention():
    roles, _ = _roles("Nike Beats Forecasts; Rival Lululemon Reported Thursday")
    assert roles == {"NKE": "subject", "LULU": "mention"}


def test_charged_customers_is_no_evidence():
    roles, _ = _roles("The airline charged Visa cardholders a 2% surcharge.")
    assert "V" not in roles


def test_a_regulator_charging_a_company_is_still_evidence():
    roles, _ = _roles("The SEC charged Visa with misleading investors, and its shares fell 3%.")
    assert roles.get("V") == "subject"


def test_a_weekday_before_after_close_keeps_the_market_close():
    _, df = _roles("Nvidia said on Tuesday after close that it would buy a software maker.")
    assert set(df["time_of_day"]) == {"after_close"}

