"""Rules found through the fifth held-out set (tests/data/news-fifth), and the strict use of
one-word company names that are ordinary English words, each tested here on sentences that
are not in the set (issue 19)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

import pytest

from analysis.events import broad, namecontext
from analysis.events.companies import universe
from analysis.events.extract import extract_events

needs_broad = pytest.mark.skipif(broad.source_file() is None, reason="the broad list (investpy) is not installed")


def _roles(text, published="2022-04-26", tz=None):
    df = extract_events(text, published=published, tz=tz)
    return dict(zip(df["ticker"], df["role"])), df


# --- one-word ordinary names (broad.strict_name, namecontext.strong_cue) ---------------------

@needs_broad
@pytest.mark.parametrize("text", [
    "Shares of Twitter rose 5% on Monday after the board met.",
    "Twitter shares fell 3% in early trade after the report.",
    "Twitter Inc said on Monday it had adopted a shareholder rights plan.",
    "Twitter's shares jumped 6% to their highest in a year.",
    "Twitter (NYSE: TWTR) reported quarterly revenue above estimates.",
])
def test_an_ordinary_word_name_with_strong_evidence_is_the_company(text):
    roles, _ = _roles(text)
    assert roles == {"TWTR": "subject"}


@needs_broad
@pytest.mark.parametrize("text", [
    "A twitter of birds rose from the hedge at dawn.",
    "Twitter said on Monday it would review the offer.",      # only weak evidence: no row
    "Birdwatchers heard the Twitter of Sparrows by the lake.",
    "Please write your Zip code in the box.",
    "Match point went to the Spaniard after a long rally.",
    "Zip lines and Rope courses opened at the park.",
    "Crane operators went on strike at the port.",           # Crane: no strong evidence
    "Fluent speakers of Spanish were asked to help.",
])
def test_an_ordinary_word_name_without_strong_evidence_gives_nothing(text):
    assert extract_events(text, published="2022-04-26").empty


def test_strong_cue_forms():
    s = "Twitter (NYSE: TWTR) rose."
    assert namecontext.strong_cue(s, 0, 7, ("TWTR",))
    assert not namecontext.strong_cue("Twitter (NYSE: FB) rose.", 0, 7, ("TWTR",))   # not its symbol
    assert namecontext.strong_cue("Zip Co fell.", 0, 3)
    assert namecontext.strong_cue("shares of Zip fell.", 10, 13)
    assert namecontext.strong_cue("Zip's stock fell.", 0, 3)
    assert namecontext.strong_cue("Zip shares slumped 9%.", 0, 3)
    assert not namecontext.strong_cue("Zip shares a code with the town.", 0, 3)
    assert not namecontext.strong_cue("Zip said it would cut jobs.", 0, 3)
    assert not namecontext.strong_cue("Zip code", 0, 3)


def test_strict_names_are_one_ordinary_word_only():
    assert broad.strict_name("Twitter") and broad.strict_name("Match")
    assert not broad.strict_name("Holdings")          # a business word
    assert not broad.strict_name("Michael")           # a given name
    assert not broad.strict_name("Walgreens")         # not ordinary: an alias already
    assert not broad.strict_name("IBM") and not broad.strict_name("Sea Ltd")


def test_a_strict_name_two_companies_begin_with_is_not_used():
    rows = [dict(aliases=[], weak=[], strict=["Zoom"], listings=["6694.T"], otc=[]),
            dict(aliases=["Twittering Labs"], weak=[], strict=["Twitter"], listings=["TWTR"], otc=[]),
            dict(aliases=[], weak=[], strict=["Twitter"], listings=["TWT2"], otc=[]),
            dict(aliases=[], weak=[], strict=["Match"], listings=["MTCH"], otc=[])]
    firsts = Counter({"Zoom": 2, "Twitter": 1, "Match": 1})      # Zoom Corp and Zoom Video Communications
    index = broad.strict_index(rows, firsts, {"Twittering Labs": 1})
    assert index == {"Match": 3}                                  # Twitter: two rows hold it


@needs_broad
def test_zoom_is_two_companies_so_the_word_alone_gives_nothing():
    assert extract_events("Zoom shares fell 10% after the forecast.", published="2022-08-23").empty
    assert "Zoom" not in universe()._strict_words()


# --- rules found through the fifth held-out set ----------------------------------------------

def test_an_owner_of_the_company_is_a_mention_unless_its_own_shares_moved():
    lead = ("Shares of Kenvue (NYSE: KVUE) rose 22% in their market debut on Thursday, and Johnson & Johnson, "
            "which spun off the consumer health unit, retains a stake of about 90%")
    roles, _ = _roles(lead + ".", "2023-05-04")
    assert roles == {"KVUE": "subject", "JNJ": "mention"}
    roles, _ = _roles(lead + "; Johnson & Johnson shares fell 1%.", "2023-05-04")
    assert roles == {"KVUE": "subject", "JNJ": "subject"}
    roles, _ = _roles("Arm Holdings (NASDAQ: ARM) jumped 25% in its debut on Thursday after SoftBank Group "
                      "sold part of its stake in the offering.", "2023-09-14")
    assert roles == {"ARM": "subject", "9984.T": "mention"}


def test_the_other_party_of_the_news_that_moved_a_share_is_a_mention():
    roles, _ = _roles("Spirit Airlines (NYSE: SAVE) Shares Soar on Report of Merger Talks With JetBlue Airways",
                      "2022-04-05")
    assert roles == {"SAVE": "subject", "JBLU": "mention"}
    roles, _ = _roles("Toyota (TYO: 7203) Shares Fall as Investors Weigh Cost of Tesla Tie-Up", "2024-01-11")
    assert roles == {"7203.T": "subject", "TM": "subject", "TSLA": "mention"}       # TM: its ADR


def test_a_name_that_begins_a_longer_name_the_item_sets_up_is_that_entity():
    # a unit named after its parent
    text = ("Shares in Siemens Energy (ETR: ENR) fell 5% on Tuesday because of its unit Siemens Mobility Services. "
            "Siemens Mobility Services has made losses for years.")
    roles, _ = _roles(text, "2023-06-27")
    assert "SIE.DE" not in roles and roles["ENR.DE"] == "subject"
    # a name written before a symbol no table knows
    roles, df = _roles("Samsung Biologics India (NSE: SBIN1) fell 3% on its debut on Monday. Samsung Biologics "
                       "India said demand was strong.", "2024-10-21")
    assert "005930.KS" not in roles


def test_a_tokyo_code_in_brackets_in_japanese_text():
    roles, _ = _roles("トヨタ自動車（7203）株が上昇、決算を好感", "2024-05-09")
    assert roles["7203.T"] == "subject" and set(roles) <= {"7203.T", "TM"}       # TM: its New York ADR
    roles, _ = _roles("ソニーグループ（6758.T）の株価が下落", "2024-05-14")
    assert roles["6758.T"] == "subject" and set(roles) <= {"6758.T", "SONY"}
    assert _roles("深圳（7203）", "2024-05-09")[0] == {}          # no kana: no Tokyo code


def test_an_undated_move_in_the_sentence_that_dates_the_news_is_that_day():
    _, df = _roles("Pfizer Agrees to Buy Seagen on Monday; Shares Rise 14%", "2023-03-14T18:00-04:00",
                   "America/New_York")
    row = df[df["ticker"] == "SGEN"].iloc[0] if "SGEN" in set(df["ticker"]) else df.iloc[0]
    assert row["event_date"] == pd.Timestamp("2023-03-13") and row["time_of_day"] == "unknown"
    _, df = _roles("Pfizer agreed to buy Seagen on Monday.", "2023-03-14T18:00-04:00", "America/New_York")
    assert set(df["time_of_day"]) == {"after_close"}               # the prior-day convention still holds


@pytest.mark.parametrize("text", [
    "They walked down Nokia Road to the harbour.",
    "The Tesla coil in the lab crackled all afternoon.",
    "Collectors paid a fortune for old Fender guitars and Yamaha pianos.",
    "My uncle bought a used Toyota from his neighbour.",
    "Ford and Chase are common surnames in Yorkshire.",
    "Nokia is a town in Finland near Tampere.",
])
def test_traps_of_the_fifth_kind(text):
    assert extract_events(text, published="2024-06-03").empty
