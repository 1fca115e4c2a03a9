"""Rules written after the first run of the twelfth held-out set (tests/data/news-twelfth,
``python tests/news_eval.py --twelfth``), each tested on sentences of my own, not the set's:
every case under "now" failed on the code before the rule; the "still" cases keep what earlier
rules were written for."""

import pandas as pd
import pytest

from analysis.events.extract import extract_events


def _df(text, published="2024-08-22T12:15-04:00", tz="America/New_York"):
    return extract_events(text, published=published, tz=tz)


def _roles(text, **kw):
    df = _df(text, **kw)
    return dict(zip(df["ticker"], df["role"]))


# --- a bare code written for an exchange outside the US is not the US company of that code ---

@pytest.mark.parametrize("text, wrong", [
    ("Canadian National Railway (TSX: CNR) locked out its workers on Thursday.", "CNR"),
    ("Shares of Acme Mining (ASX: ACM) jumped 12% on Monday.", "ACM"),
])
def test_now_a_foreign_exchanges_code_is_not_a_us_companys(text, wrong):
    assert wrong not in _roles(text)


def test_now_a_name_before_a_symbol_does_not_run_across_another_symbol():
    df = _df("Canadian National Railway (TSX: CNR) and Canadian Pacific Kansas City (TSX: CP) locked out "
             "workers on Thursday.", published="2024-08-22T12:15-04:00", tz="America/Toronto")
    assert set(df["company"]) == {"Canadian National Railway", "Canadian Pacific Kansas City"}


def test_still_a_reuters_code_and_a_us_tag_find_their_company():
    assert _roles("Volkswagen (VOWG_p.DE) shares fell 3% on Monday.")["VOW3.DE"] == "subject"
    assert _roles("Nvidia (NASDAQ: NVDA) rose 4% on Monday.")["NVDA"] == "subject"


# --- a stated clock time gives the time of day on the listing's calendar ---------------------

@pytest.mark.parametrize("text, published, tz, ticker, tod", [
    ("Tesco said on Wednesday, in results released at 0600 GMT, that profit rose.", "2024-04-10T09:30+01:00",
     "Europe/London", "TSCO.L", "before_open"),
    ("Nvidia said at 4:20 p.m. ET on Wednesday that revenue doubled.", "2024-05-23", "America/New_York",
     "NVDA", "after_close"),
    ("Boeing said at 12:01 a.m. Eastern time on Thursday that its machinists had walked out.",
     "2024-09-12T12:00-04:00", "America/New_York", "BA", "before_open"),
    ("Sony said at 1:30 p.m. JST on Tuesday that it would buy back shares.", "2024-05-14T18:00+09:00",
     "Asia/Tokyo", "6758.T", "during"),
])
def test_now_a_clock_time_gives_the_time_of_day(text, published, tz, ticker, tod):
    df = _df(text, published=published, tz=tz)
    row = df[df["ticker"] == ticker].iloc[0]
    assert row["time_of_day"] == tod and not pd.isna(row["announced_at"])


def test_now_the_wires_four_digit_time_with_a_zone_word_is_a_clock():
    from analysis.events.textdates import find_clock_time

    assert find_clock_time("with its annual results at 0600 GMT", None) == (6, 0, "UTC")
    assert find_clock_time("took effect at 12:01 a.m. Eastern time", None) == (0, 1, "America/New_York")
    assert find_clock_time("sales rose 12% in 2024", None) is None         # a year is no clock


# --- the day the news was told, not the day of what it tells is to come -----------------------

@pytest.mark.parametrize("text, ticker, day", [
    ("Nike Chief Executive John Donahoe will retire on Oct. 14, the company said on Thursday.", "NKE",
     "2024-05-30"),
    ("Tesla's finance chief will leave on Friday, the carmaker said on Tuesday.", "TSLA", "2024-06-04"),
])
def test_now_a_statement_dated_before_what_it_announces_dates_the_news(text, ticker, day):
    df = _df(text, published="2024-06-05T12:00-04:00")
    assert df.loc[df["ticker"] == ticker, "event_date"].iloc[0] == pd.Timestamp(day)


def test_still_a_lone_future_date_dates_its_clause():
    df = _df("Apple will launch the phone on Friday.", published="2024-06-05T12:00-04:00")
    assert df["event_date"].iloc[0] == pd.Timestamp("2024-06-07")


# --- traps: an animal named after a company's name, a group of places in apposition -----------

@pytest.mark.parametrize("text", [
    "Sika deer graze on the lawns of the temple in the autumn.",
    "Puma cubs were born at the city zoo last spring.",
    "The Randstad, the ring of cities between Utrecht and The Hague, has the densest rail network.",
])
def test_now_an_animal_or_a_group_of_places_is_no_company(text):
    assert _df(text, published="2024-06-03").empty


@pytest.mark.parametrize("text, ticker", [
    ("Randstad shares fell 4% after the staffing firm cut its outlook.", "RAND.AS"),
    ("Sika shares rose 3% after the chemicals maker raised its guidance.", "SIKA.SW"),
])
def test_still_the_companies_by_their_shares(text, ticker):
    assert _roles(text, published="2024-06-03")[ticker] == "subject"


# --- a delisted listing carries its last day of trading --------------------------------------

def test_now_a_company_delisted_since_is_studied_on_news_from_when_it_traded():
    df = _df("Credit Suisse shares plunged 24% on Monday after the rescue deal.", published="2023-03-20T12:00-04:00")
    assert set(df["ticker"]) == {"CSGN.SW", "CS"} and set(df["role"]) == {"subject"}


def test_still_a_company_delisted_by_the_news_has_no_listing():
    df = _df("UBS said it had completed the integration of Credit Suisse.", published="2024-05-07T12:00-04:00")
    cs = df[df["company"] == "Credit Suisse"]
    assert list(cs["ticker"]) == [""] and list(cs["listed"]) == [False]


def test_now_a_user_table_writes_a_last_day_of_trading(tmp_path):
    from analysis.errors import InputError
    from analysis.events.companies import read_company_table

    table = tmp_path / "co.csv"
    table.write_text("name,aliases,listings\nAcme Widgets,Acme Widgets,NYSE:ACMW~2020-06-30 LSE:ACM.L\n")
    (c,) = read_company_table(table)
    assert c.listed_on("ACMW", "2020-06-30") and not c.listed_on("ACMW", "2020-07-01")
    assert c.listed_on("ACM.L", "2024-01-02") and not c.delisted_by("2024-01-02")
    table.write_text("name,aliases,listings\nAcme Widgets,Acme Widgets,NYSE:ACMW~soon\n")
    with pytest.raises(InputError, match="date after @ or ~"):
        read_company_table(table)


@pytest.mark.parametrize("text, ticker", [
    ("First Republic shares sank 33% on Tuesday as deposits fled.", "FRC"),
    ("Silicon Valley Bank's parent SVB Financial plunged 60% on Thursday.", "SIVB"),
])
def test_now_the_banks_of_2023_are_found_by_their_press_names(text, ticker):
    assert _roles(text, published="2023-03-10T12:00-05:00")[ticker] == "subject"


# --- a sector's move in the lead: the companies the first body paragraph says moved ----------

SECTOR = ("Spanish lenders slide after Madrid extends bank levy\n\n"
          "MADRID, Dec 27 (Reuters) - Spanish bank shares fell on Wednesday after the government said late on "
          "Tuesday, after the market had closed, that it would extend a windfall levy on lenders.\n\n"
          "Banco Santander (BME: SAN) lost 3.1% and BBVA (BME: BBVA) fell 2.8%, while the IBEX 35 index eased 0.4%.\n\n"
          "Portugal's government said in October it had no plans for a similar tax; Deutsche Bank analysts "
          "expect others to follow.")


def test_now_the_body_movers_of_a_sector_lead_are_its_subjects():
    df = _df(SECTOR, published="2023-12-27T17:00+01:00", tz="Europe/Madrid")
    subj = df[(df["role"] == "subject") & (df["listed"].astype(str) == "True")]
    assert {"SAN.MC", "BBVA.MC"} <= set(subj["ticker"])
    san = subj[subj["ticker"] == "SAN.MC"].iloc[0]
    assert (san["event_date"], san["time_of_day"]) == (pd.Timestamp("2023-12-26"), "after_close")
    assert "DBK.DE" not in set(subj["ticker"])                      # an analyst's firm, later


def test_still_a_whole_markets_move_in_the_lead_keeps_the_body_mentions():
    df = _df("Hong Kong stocks surge 4% on stimulus\n\nHONG KONG, Sept 24 (Reuters) - The Hang Seng Index "
             "jumped 4.1% on Tuesday after China's central bank cut rates.\n\nPing An Insurance (2318.HK) gained "
             "7.2% and JD.com (9618.HK) rose 10%.", published="2024-09-24T17:00+08:00", tz="Asia/Hong_Kong")
    assert set(df["role"]) == {"mention"}


def test_still_a_lead_naming_a_company_keeps_the_body_mentions():
    df = _df("Nvidia shares rose 3% on Wednesday after the chipmaker raised its forecast.\n\n"
             "AMD gained 2% and Intel slipped 1%.", published="2024-05-22T17:00-04:00")
    assert dict(zip(df["ticker"], df["role"])) == {"NVDA": "subject", "AMD": "mention"}


# --- a short form set up by a symbol does not begin another name -----------------------------

def test_now_a_short_form_before_another_capitalised_word_is_no_naming():
    roles = _roles("Banco Acme shares fell 5% after the bid collapsed.\n\nBanco Santander (BME: SAN) rose 1%.",
                   published="2023-12-27T17:00+01:00", tz="Europe/Madrid")
    assert roles["SAN.MC"] == "mention"          # "Banco" of "Banco Acme" is not Banco Santander


def test_now_ftse_mib_companies_are_findable():
    from analysis.events.companies import universe

    for name, ticker in [("Banco BPM", "BAMI.MI"), ("BPER Banca", "BPE.MI"), ("Mediobanca", "MB.MI"),
                         ("Leonardo", "LDO.MI"), ("Prysmian", "PRY.MI"), ("Tenaris", "TEN.MI")]:
        assert universe().named(name).listings[0] == ticker
    assert _df("Leonardo da Vinci painted the Mona Lisa.", published="2024-06-03").empty
    assert _df("Hera, the Greek goddess, was worshipped at Samos.", published="2024-06-03").empty


# --- a Chinese name of a group of companies ("药明系") makes each of them a subject -------------

@pytest.mark.parametrize("body, ticker, role", [
    ("药明生物（02269.HK）收跌15%，恒生指数收跌1%。", "2269.HK", "subject"),      # now: one of the group
    ("腾讯控股（00700.HK）收跌1%。", "0700.HK", "mention"),                      # still: not of the group
])
def test_a_chinese_group_name_in_the_title_makes_its_companies_subjects(body, ticker, role):
    text = "药明系港股周四大跌\n\n美国众议院委员会周三通过法案，药明康德（02359.HK）股价周四收跌12%。\n\n" + body
    assert _roles(text, published="2024-03-07T18:00+08:00", tz="Asia/Shanghai")[ticker] == role


# --- news in a market's midday break: each listing's time of day ------------------------------

def test_now_news_in_the_hong_kong_lunch_break_is_before_londons_open():
    text = ("Standard Chartered profit beats forecasts\n\n"
            "HONG KONG, April 30 (Reuters) - Standard Chartered (2888.HK) reported a 5% rise in first-quarter "
            "profit on Tuesday, released during the lunch break in Hong Kong, and said it would buy back shares.")
    df = _df(text, published="2024-04-30T16:45+08:00", tz="Asia/Hong_Kong")
    tod = dict(zip(df["ticker"], df["time_of_day"]))
    assert tod["2888.HK"] == "during" and tod["STAN.L"] == "before_open"
    assert df["announced_at"].isna().all()                  # a break is no clock time


def test_still_no_break_named_no_time():
    df = _df("Standard Chartered (2888.HK) reported a 5% rise in profit on Tuesday.",
             published="2024-04-30T16:45+08:00", tz="Asia/Hong_Kong")
    assert set(df["time_of_day"]) == {"unknown"}
