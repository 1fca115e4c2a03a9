"""Rules found through the fifth held-out set (tests/data/news-fifth), and the strict use of
one-word company names that are ordinary English words, each tested here on sentences that
are not in the set (issue 19)."""

from __future__ import annotations

from collections import Counter

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
