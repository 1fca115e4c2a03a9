"""Rules found through the eleventh held-out set (issue 19, ``tests/data/news-eleventh``) and the
lead's five failure classes after the tenth round. Every sentence here is new (in no held-out
set) and failed on the code before these rules; the ``ordinary`` cases check that a rule does
not reach too far."""

import pytest

from analysis.events.companies import universe
from analysis.events.extract import extract_events
from analysis.events import namecontext


def _rows(text, published="2024-06-05T12:00:00", tz="America/New_York"):
    return extract_events(text, published=published, tz=tz)


def _roles(text, **kw):
    df = _rows(text, **kw)
    return dict(zip(df["ticker"], df["role"]))


def _studied(text, **kw):
    df = _rows(text, **kw)
    return set(df.loc[(df["role"] == "subject") & (df["listed"].astype(str) == "True"), "ticker"])


# --- 1. buildings, venues and shops named after a company -----------------------------------

@pytest.mark.parametrize("text", [
    "The Citigroup Tower in Long Island City was closed on Thursday after a water leak.",
    "Workers at the Comcast Technology Center returned to their desks on Monday.",
    "Fans packed Chase Center on Friday for the season opener.",
    "Police closed the Tesla store on Main Street on Saturday after a protest.",
    "A gas leak forced staff out of the Walmart building in Bentonville on Monday.",
    "The Maersk Tower in Copenhagen will host the conference next spring.",
])
def test_a_building_or_venue_named_after_a_company_is_no_company(text):
    assert _rows(text).empty


@pytest.mark.parametrize("text, ticker", [
    ("Goldman Sachs said on Friday it would cut 3% of its staff.", "GS"),
    ("Nvidia Data Center Revenue Soars 400% as AI Boom Continues", "NVDA"),
    ("Microsoft data center spending rose 20% in the quarter, the company said on Tuesday.", "MSFT"),
    ("Tesla Stores In China Cut Prices Again", "TSLA"),
    ("Apple opened a new store in Mumbai on Tuesday, its first in India.", "AAPL"),
])
def test_ordinary_the_company_with_its_buildings_and_stores_stays_the_company(text, ticker):
    assert ticker in _studied(text)


# --- 2. a customer or supplier in another company's explanation -----------------------------

@pytest.mark.parametrize("text, subject, other", [
    ("Samsung Electronics posted a 12% fall in operating profit on Tuesday, blaming delays in "
     "supplying high-end memory chips to Nvidia.", "005930.KS", "NVDA"),
    ("TSMC said on Thursday revenue rose 40%, helped by strong orders from Apple.", "2330.TW", "AAPL"),
    ("STMicroelectronics cut its forecast on Monday, citing weaker demand from Tesla and other carmakers.",
     "STMPA.PA", "TSLA"),
])
def test_a_customer_in_the_explanation_is_a_mention(text, subject, other):
    roles = _roles(text)
    assert roles[subject] == "subject"
    assert roles[other] == "mention"


def test_ordinary_a_buyer_in_a_deal_is_not_a_customer():
    # selling a stake to a buyer is a deal between two companies, not a delivery to a customer
    assert "GS" in _studied("Intel agreed on Monday to sell its stake in Mobileye to Goldman Sachs.")


# --- 3. investors buying or selling a company --------------------------------------------

@pytest.mark.parametrize("text, ticker", [
    ("Investors dumped Intel on Friday after the chipmaker suspended its dividend, sending the stock down 26%.", "INTC"),
    ("Traders fled Target after the retailer cut its outlook, knocking the shares down 12%.", "TGT"),
    ("Shareholders bailed out of Snowflake after the company's forecast disappointed, sending the stock down 18%.", "SNOW"),
])
def test_investors_selling_an_ordinary_word_company_confirm_it(text, ticker):
    assert ticker in _studied(text)


def test_ordinary_investors_in_a_sentence_without_the_company_give_nothing():
    assert _rows("Investors dumped shares of regional lenders on Friday as bond yields rose.").empty


# --- 4. listings: Nordic, Indian, a debut; letters without a combining accent --------------

def test_letters_without_a_combining_accent_fold():
    assert namecontext.fold("Ørsted") == "Orsted"
    assert namecontext.fold("Æon") == "AEon"
    assert namecontext.spelled_out("Kühne") == "Kuehne"
    assert namecontext.spelled_out("Hermès") == "Hermes"


@pytest.mark.parametrize("name, ticker", [
    ("Ørsted", "ORSTED.CO"), ("Orsted", "ORSTED.CO"), ("Oersted", "ORSTED.CO"),
    ("Reliance Industries", "RELIANCE.NS"), ("Tata Consultancy Services", "TCS.NS"),
    ("HDFC Bank", "HDFCBANK.NS"), ("Infosys", "INFY.NS"), ("CoreWeave", "CRWV"),
    ("Vestas", "VWS.CO"), ("DNB Bank", "DNB.OL"), ("Kühne+Nagel", "KNIN.SW"), ("Estée Lauder", "EL"),
])
def test_home_listings_of_nordic_indian_and_new_companies(name, ticker):
    assert universe().named(name).listings[0] == ticker


def test_an_nse_company_in_a_mumbai_story_is_its_home_listing():
    text = "Reliance Industries shares fell 2% in Mumbai on Tuesday after the conglomerate's profit fell 5%."
    assert _studied(text, published="2024-10-15T11:30", tz="Asia/Kolkata") == {"RELIANCE.NS"}


def test_a_reuters_code_is_the_yahoo_listing():
    assert _studied("Shares in Puma (PUMG.DE) slumped 20% on Thursday after a profit miss.") == {"PUM.DE"}


@pytest.mark.parametrize("text", [
    "Reliance on coal for power generation remains high in the region.",
    "Titan is the only moon with a thick atmosphere.",
    "The physicist Hans Christian Ørsted was born in Rudkøbing.",
    "Elisa and her brother moved to Tampere last year.",
])
def test_ordinary_words_and_people_that_are_nordic_or_indian_names(text):
    assert _rows(text).empty


# --- 5. a person's name that contains a company's name ------------------------------------

@pytest.mark.parametrize("text", [
    "Ford Madox Ford edited The English Review before the war.",
    "Estée Lauder built her cosmetics empire from a single face cream.",
    "Walt Disney drew his first sketches of the mouse in 1928.",
    "Admiral Nelson lost an arm at Santa Cruz de Tenerife.",
])
def test_a_persons_name_is_no_company(text):
    assert _rows(text).empty


@pytest.mark.parametrize("text, ticker", [
    ("Apple hired her as chief operating officer on Monday.", "AAPL"),
    ("Nvidia beat his estimate by a wide margin, the analyst said on Thursday.", "NVDA"),
    ("General Motors and Ford reported higher U.S. sales on Tuesday.", "F"),
    ("Shares of Ford fell 3% after the carmaker cut its outlook.", "F"),
    ("Ford Recalls 100,000 F-150 Trucks Over Brake Fault.", "F"),
])
def test_ordinary_the_company_beside_a_pronoun_or_a_title_case_headline(text, ticker):
    assert ticker in _studied(text)


# --- the eleventh set: moves, previews ----------------------------------------------------

def test_a_company_that_added_a_percentage_moved():
    text = ("Stocks drift as investors weigh jobs data\n\nStocks were mixed on Friday. Amazon.com added 4.1% "
            "after its advertising revenue beat estimates.")
    assert "AMZN" in _studied(text, published="2024-08-02T16:45-04:00")


@pytest.mark.parametrize("text, ticker", [
    ("Kone to report on Tuesday as elevator demand in China stays weak", "KNEBV.HE"),
    ("Sampo shares steady in Helsinki ahead of results next week", "SAMPO.HE"),
])
def test_a_report_to_come_is_a_preview(text, ticker):
    assert _roles(text)[ticker] == "mention"


def test_a_company_with_only_its_date_after_a_report_to_come_is_a_preview():
    roles = _roles("Infosys to report Q3 results on January 16; HDFC Bank on January 22",
                   published="2025-01-10T15:45", tz="Asia/Kolkata")
    assert roles["HDFCBANK.NS"] == "mention" and roles["INFY.NS"] == "mention"


@pytest.mark.parametrize("text, ticker", [
    ("Kone shares jump 6% ahead of results", "KNEBV.HE"),
    ("Kone reports on Thursday a 10% rise in orders", "KNEBV.HE"),
])
def test_ordinary_a_company_moving_before_its_report_is_the_subject(text, ticker):
    assert ticker in _studied(text)


# --- a rival whose own shares moved, in the body -----------------------------------------

_LEAD = ("Kering shares slump 9% after profit warning\n\nPARIS, April 24 (Reuters) - Shares in Kering "
         "(KER.PA) fell 9% on Wednesday after the luxury group warned late on Tuesday that profit would fall.\n\n")


@pytest.mark.parametrize("body, ticker", [
    ("The warning weighed on sentiment towards larger rival LVMH, whose shares fell 1.5%.", "MC.PA"),
    ("Kering's bigger rival Hermès, which reported sales last week, gained 0.4%.", "RMS.PA"),
])
def test_a_rival_whose_own_shares_moved_is_a_subject_of_the_reaction_day(body, ticker):
    df = _rows(_LEAD + body, published="2024-04-24T15:00+02:00", tz="Europe/Paris")
    row = df[df["ticker"] == ticker].iloc[0]
    assert row["role"] == "subject"
    assert str(row["event_date"].date()) == "2024-04-24"


@pytest.mark.parametrize("body, ticker", [
    ("Rivals such as LVMH have also cut forecasts this year.", "MC.PA"),
    ("Rival LVMH reports first-quarter sales next week.", "MC.PA"),
    ("LVMH, whose Sephora chain sells Kering's perfumes, also fell 1.5%.", "MC.PA"),
])
def test_ordinary_a_rival_without_its_own_move_or_not_introduced_as_one_stays_a_mention(body, ticker):
    df = _rows(_LEAD + body, published="2024-04-24T15:00+02:00", tz="Europe/Paris")
    assert df.loc[df["ticker"] == ticker, "role"].iloc[0] == "mention"


# --- a report after the previous close, stated in a later paragraph -----------------------

_WRAP = ("Chip stocks split as Qualcomm jumps and Arista slides\n\n"
         "By the closing bell on Thursday, Nov 7, the Nasdaq had risen 1.5%. Qualcomm jumped 5% after the "
         "chipmaker's forecast beat estimates. Traders dumped Arista Networks, sending the shares down 4% "
         "after the company's forecast disappointed.\n\n"
         "Elsewhere, the dollar firmed.\n\n"
         "{tail}")


def test_a_report_after_the_previous_close_named_later_dates_the_event():
    text = _WRAP.format(tail="Qualcomm and Arista Networks both reported after the close on Wednesday.")
    df = _rows(text, published="2024-11-07T16:45-05:00")
    for ticker in ("QCOM", "ANET"):
        row = df[df["ticker"] == ticker].iloc[0]
        assert row["role"] == "subject"
        assert (str(row["event_date"].date()), row["time_of_day"]) == ("2024-11-06", "after_close")


def test_ordinary_a_report_days_before_is_not_the_move():
    # a report a week earlier is other news: the move stays the publication's day
    text = _WRAP.format(tail="Qualcomm and Arista Networks both reported after the close on Oct. 30.")
    df = _rows(text, published="2024-11-07T16:45-05:00")
    row = df[df["ticker"] == "QCOM"].iloc[0]
    assert str(row["event_date"].date()) == "2024-11-07"


# --- ordinary-word names: a copula or a plain verb is no evidence without business words ----

@pytest.mark.parametrize("text", [
    "Pandora opened the box out of curiosity, the myth says.",
    "Sampo is a magical artefact of Finnish folk poetry.",
    "Orion was the hunter Artemis loved, the story goes.",
])
def test_a_plain_verb_after_an_ordinary_word_is_no_evidence(text):
    assert _rows(text).empty


@pytest.mark.parametrize("text, ticker", [
    ("Pandora opened 40 new stores in China last year.", "PNDORA.CO"),
    ("Apple is the world's most valuable company.", "AAPL"),
    ("Amazon released a new Kindle on Tuesday.", "AMZN"),
])
def test_ordinary_a_plain_verb_with_business_words_keeps_the_company(text, ticker):
    assert ticker in _studied(text)


def test_an_appositive_business_role_confirms_an_ordinary_word_name():
    text = ("Hon Hai said on Thursday that a slow start to iPhone sales at Apple, its biggest customer, "
            "weighed on margins.")
    assert "AAPL" in set(_rows(text, published="2024-11-14T16:00+08:00", tz="Asia/Taipei")["ticker"])


@pytest.mark.parametrize("name, ticker", [
    ("Orion Oyj", "ORNBV.HE"), ("Nibe", "NIBE-B.ST"), ("Vår Energi", "VAR.OL"), ("Netcompany", "NETC.CO"),
    ("Varun Beverages", "VBL.NS"), ("Larsen & Toubro", "LT.NS"), ("Bharti Airtel", "BHARTIARTL.NS"),
])
def test_more_nordic_and_nifty_constituents_are_findable(name, ticker):
    assert universe().named(name).listings[0] == ticker


def test_a_possessive_before_a_plain_noun_needs_a_business_word():
    assert _rows("On clear nights Orion's belt hangs low over the lake.").empty
    # "Orion" alone is also Orion Group in New York: the market named tells them apart (round twelve)
    assert "ORNBV.HE" in _studied("Orion's shares rose 5% in Helsinki after the drugmaker raised its outlook.")
