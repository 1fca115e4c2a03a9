"""Failure classes a second red-team review left open on issue 19: day 0 when the announcement
and the reaction are on different days, business groups, a team's or brand's possessive before a
person, a company named as the place of an incident, longer names that are other companies, and
a stake in another company's unit or a partner ending a deal. Each class has sentences written
for these rules (real companies, plausible wording) that failed before them; the ``ordinary``
cases check that a rule does not reach too far."""

import pytest

from analysis.events.extract import extract_events
from analysis.events.timing import time_events

NY = "America/New_York"
MUMBAI = "Asia/Kolkata"


def _rows(text, published="2024-06-10T12:00:00-04:00", tz=NY):
    return extract_events(text, published=published, tz=tz)


def _roles(text, **kw):
    df = _rows(text, **kw)
    return dict(zip(df["ticker"].where(df["ticker"] != "", df["company"]), df["role"]))


def _studied(text, **kw):
    df = _rows(text, **kw)
    return set(df.loc[(df["role"] == "subject") & (df["listed"].astype(str) == "True"), "ticker"])


def _notes(text, **kw):
    return " ".join(_rows(text, **kw).attrs["notes"])


def _when(text, ticker, published, tz=NY):
    """``(event_date, time_of_day, day 0)`` of the ticker's row."""
    df = _rows(text, published=published, tz=tz)
    row = time_events(df[df["ticker"] == ticker].reset_index(drop=True)).iloc[0]
    return str(row["event_date"].date()), row["time_of_day"], str(row["day0"].date())


# --- 1. announcement and reaction on different days ------------------------------------------

@pytest.mark.parametrize("text, ticker, published, tz, expected", [
    ("Nvidia shares rose 6% on Thursday, a day after the chipmaker posted results after the closing bell.",
     "NVDA", "2024-05-23T15:00:00-04:00", NY, ("2024-05-22", "after_close", "2024-05-23")),
    ("Infosys shares fell 5% on Friday, a day after the company cut its revenue forecast after market hours.",
     "INFY.NS", "2024-01-12T15:00:00+05:30", MUMBAI, ("2024-01-11", "after_close", "2024-01-12")),
    ("Shares of Tata Consultancy Services rose 3% on Monday, three days after the company reported quarterly "
     "results after market hours.", "TCS.NS", "2024-04-15T15:00:00+05:30", MUMBAI,
     ("2024-04-12", "after_close", "2024-04-15")),
    ("Wipro shares rose 4% on Monday, a trading day after the IT company reported results after market hours.",
     "WIPRO.NS", "2024-07-22T15:00:00+05:30", MUMBAI, ("2024-07-19", "after_close", "2024-07-22")),
    ("Nike shares sank 20% on Friday, the day after the company cut its forecast after the bell.",
     "NKE", "2024-06-28T15:00:00-04:00", NY, ("2024-06-27", "after_close", "2024-06-28")),
])
def test_1_the_news_days_before_a_dated_move(text, ticker, published, tz, expected):
    assert _when(text, ticker, published, tz) == expected


@pytest.mark.parametrize("text, ticker, published, expected", [
    ("Shares of Palantir rose 14% on Monday after S&P Dow Jones Indices said late Friday the company will "
     "join the S&P 500 on Sept. 23.", "PLTR", "2024-09-09T12:00:00-04:00",
     ("2024-09-06", "after_close", "2024-09-09")),
    ("Shares of Super Micro Computer jumped 18% on Monday after S&P Dow Jones Indices said on Friday evening "
     "that the server maker will join the S&P 500 before the open on March 18.", "SMCI",
     "2024-03-04T12:00:00-05:00", ("2024-03-01", "after_close", "2024-03-04")),
    ("Coinbase shares jumped 24% on Tuesday after S&P Dow Jones Indices said late Monday that the crypto "
     "exchange will join the S&P 500 on May 19.", "COIN", "2025-05-13T12:00:00-04:00",
     ("2025-05-12", "after_close", "2025-05-13")),
    ("Tesla shares fell 8% on Friday after Bloomberg reported on Thursday that the company will delay its "
     "robotaxi unveiling to Oct. 10.", "TSLA", "2024-07-12T12:00:00-04:00", ("2024-07-11", "after_close", "2024-07-12")),
])
def test_1_a_scheduled_date_is_not_the_announcement(text, ticker, published, expected):
    assert _when(text, ticker, published) == expected


@pytest.mark.parametrize("text, ticker, published, date", [
    ("Tesla said on Thursday it will unveil its robotaxi on Oct. 10.", "TSLA", "2024-07-12T12:00:00-04:00",
     "2024-07-11"),
    ("Apple said on Monday it will hold its annual developer conference from June 10 to June 14.", "AAPL",
     "2024-03-26T12:00:00-04:00", "2024-03-25"),
    ("Microsoft said on Tuesday it will pay a quarterly dividend of 75 cents a share on March 14.", "MSFT",
     "2023-11-28T17:00:00-05:00", "2023-11-28"),
])
def test_1_the_day_told_is_the_news_not_the_day_it_speaks_of(text, ticker, published, date):
    assert _when(text, ticker, published)[0] == date


@pytest.mark.parametrize("text, ticker, published, expected", [
    ("Meta Platforms shares jumped 20% on Thursday after the company reported results after the bell on "
     "Wednesday.", "META", "2024-02-01T15:00:00-05:00", ("2024-01-31", "after_close", "2024-02-01")),
    ("Palantir will join the S&P 500 on Sept. 23, S&P Dow Jones Indices said on Friday after the close.",
     "PLTR", "2024-09-06T18:30:00-04:00", ("2024-09-06", "after_close", "2024-09-09")),
    ("Walmart will report its quarterly results on May 16, the retailer said on Monday.", "WMT",
     "2024-04-15T12:00:00-04:00", ("2024-04-15", "unknown", "2024-04-15")),
])
def test_1_ordinary_dates_stated_in_the_text_stay(text, ticker, published, expected):
    assert _when(text, ticker, published) == expected


# --- 3. a team's or brand's possessive before a person ---------------------------------------

@pytest.mark.parametrize("text", [
    "Ferrari's Charles Leclerc won in Monaco on Sunday.",
    "BMW's Sheldon van der Linde won the race at the Nurburgring.",
    "Honda's Marc Marquez crashed in practice.",
    "Ferrari's Carlos Sainz finished second in Melbourne.",
    "Toyota's Sebastien Ogier won the Rally of Portugal on Sunday.",
    "Porsche's Pascal Wehrlein won the race in Mexico City.",
    "Nissan's Oliver Rowland won in Sao Paulo on Saturday.",
])
def test_3_a_possessive_before_a_competitor_is_a_team(text):
    assert _roles(text) == {}


@pytest.mark.parametrize("text", [
    "Red Bull's Max Verstappen took pole position in Suzuka.",
    "Mercedes' Lewis Hamilton finished third in Silverstone.",
])
def test_3_ordinary_teams_that_gave_nothing_still_give_nothing(text):
    assert _roles(text) == {}


@pytest.mark.parametrize("text, ticker", [
    ("Ferrari's shares rose 3% in Milan.", "RACE.MI"),
    ("Ferrari's chief executive said demand remained strong.", "RACE.MI"),
    ("Renault's Luca de Meo said the carmaker would cut costs.", "RNO.PA"),
    ("Toyota's Akio Toyoda took the stage in Tokyo to apologise for the certification scandal.", "7203.T"),
    ("Ferrari's Charles Leclerc won in Monaco; Ferrari shares rose 2% on Monday.", "RACE.MI"),
])
def test_3_ordinary_the_company_itself_stays(text, ticker):
    assert ticker in _studied(text), _roles(text)


# --- 4. a company named as the place of an incident ------------------------------------------

@pytest.mark.parametrize("text, mover, site", [
    ("Boeing shares fell after a door plug blew out on an Alaska Airlines flight.", "BA", "ALK"),
    ("CrowdStrike shares tumbled after a faulty update grounded Delta Air Lines flights.", "CRWD", "DAL"),
    ("Boeing fell 3% after an engine cover fell off a Southwest Airlines plane during takeoff.", "BA", "LUV"),
    ("Boeing shares slid after a wheel fell off a United Airlines jet shortly after takeoff from San Francisco.",
     "BA", "UAL"),
    ("Boeing shares dropped 2% after a 737 MAX flown by American Airlines returned to the airport.", "BA", "AAL"),
    ("Apple shares fell 2% after a fire broke out at a Foxconn factory in Zhengzhou.", "AAPL", "2317.TW"),
    ("Nvidia fell 3% after an earthquake halted production at a TSMC plant in Taiwan.", "NVDA", "2330.TW"),
])
def test_4_the_place_of_an_incident_is_a_mention(text, mover, site):
    roles = _roles(text)
    assert roles.get(mover) == "subject", roles
    assert roles.get(site) == "mention", roles


@pytest.mark.parametrize("text, both", [
    ("Boeing shares fell after a door plug blew out on an Alaska Airlines flight, and Alaska Air shares fell 3%.",
     {"BA", "ALK"}),
    ("Alaska Air shares fell 5% after a door plug blew out on one of its flights; Boeing shares fell 8%.",
     {"BA", "ALK"}),
    ("Alaska Airlines flights resumed on Monday after the grounding.", {"ALK"}),
    # the incident dated apart from the move is the airline's own event too (first held-out set's key)
    ("Boeing shares fell 8% on Monday after a door panel blew out on an Alaska Airlines jet late on Friday.",
     {"BA", "ALK"}),
])
def test_4_ordinary_a_site_whose_shares_move_or_that_is_the_news_stays(text, both):
    assert both <= _studied(text), _roles(text)


# --- 6. a stake in another company's unit; a partner ending a deal ---------------------------

@pytest.mark.parametrize("text, subject, other", [
    ("Tencent to invest EUR1.16bn in a new Ubisoft subsidiary.", "UBI.PA", "0700.HK"),
    ("Tencent will take a 25% stake in a new Ubisoft unit that will own Assassin's Creed, the French publisher "
     "said on Thursday.", "UBI.PA", "0700.HK"),
    ("Novo Nordisk ends its partnership with Hims & Hers; Hims shares sank 35%.", "HIMS", "NOVO-B.CO"),
    ("Walmart ends its partnership with Capital One; Capital One shares fell 2%.", "COF", "WMT"),
    ("Disney ended its distribution deal with Charter Communications; Charter shares fell 3%.", "CHTR", "DIS"),
    ("Siemens said it would end its joint venture agreement with Valeo; Valeo shares fell 4%.", "VLEEY", "SIE.DE"),
])
def test_6_the_investor_or_the_partner_leaving_is_a_mention(text, subject, other):
    roles = _roles(text, published="2025-03-27T12:00:00+01:00", tz="Europe/Paris")
    assert roles.get(subject) == "subject", roles
    assert roles.get(other) == "mention", roles


@pytest.mark.parametrize("text, both", [
    ("Novo Nordisk ends its partnership with Hims & Hers; Hims shares sank 35% and Novo shares fell 1%.",
     {"HIMS", "NOVO-B.CO"}),
    ("Tencent shares rose 2% after it agreed to take a stake in a new Ubisoft unit.", {"0700.HK", "UBI.PA"}),
    ("Apollo will take a 49% stake in a new Intel unit that owns its factory in Ireland.", {"INTC"}),
])
def test_6_ordinary_an_investor_or_partner_whose_shares_move_stays(text, both):
    assert both <= _studied(text), _roles(text)


# --- 5. longer names that are other companies ------------------------------------------------

TOKYO, SEOUL, SHANGHAI = "Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai"


@pytest.mark.parametrize("text, tz, shorter", [
    ("日産車体の株価が急落した。", TOKYO, "7201.T"),
    ("日産車体は湘南工場での生産を終了すると発表した。", TOKYO, "7201.T"),
    ("トヨタ紡織の株価が上昇した。", TOKYO, "7203.T"),
    ("日立建機の株価が上昇した。", TOKYO, "6501.T"),
    ("ソニー銀行は預金金利を引き上げると発表した。", TOKYO, "6758.T"),
    ("京东物流股价上涨5%。", SHANGHAI, "JD"),
    ("Samsung Card shares fell 2% after the company cut its dividend.", SEOUL, "005930.KS"),
    ("Samsung Electro-Mechanics shares rose 2%.", SEOUL, "005930.KS"),
    ("Honda Tsushin shares fell 3%.", TOKYO, "7267.T"),
    ("Hitachi Zosen shares rose 6%.", TOKYO, "6501.T"),
])
def test_5_a_longer_name_in_no_table_gives_no_row_of_the_shorter(text, tz, shorter):
    published = "2024-06-10T12:00:00+09:00"
    roles = _roles(text, published=published, tz=tz)
    assert shorter not in roles, roles
    assert "begins with the name of" in _notes(text, published=published, tz=tz) or \
        "no trustworthy Yahoo symbol" in _notes(text, published=published, tz=tz)


@pytest.mark.parametrize("text, tz, ticker", [
    ("Samsung SDI shares fell 4% after the battery maker cut its forecast.", SEOUL, "006400.KS"),
    ("Hyundai Mobis shares fell 3% after the parts maker posted weaker profit.", SEOUL, "012330.KS"),
    ("Tata Steel shares fell 3% after the company reported a loss in Europe.", MUMBAI, "TATASTEEL.NS"),
    ("日産化学の株価が上昇した。", TOKYO, "4021.T"),
    ("日産の株価が上昇した。", TOKYO, "7201.T"),
    ("Alphabet Class A shares rose 2%.", NY, "GOOGL"),
    ("Alibaba Hong Kong shares fell 3%.", NY, "9988.HK"),
    ("小米汽车的交付量创新高，小米股价上涨5%。", SHANGHAI, "1810.HK"),
])
def test_5_ordinary_names_of_their_own_and_share_lines_stay(text, tz, ticker):
    assert ticker in _studied(text, published="2024-06-10T12:00:00+09:00", tz=tz)


# --- 2. business groups ----------------------------------------------------------------------

@pytest.mark.parametrize("text, tz, group", [
    ("Adani Group stocks plunged after the Hindenburg report.", MUMBAI, "Adani Group"),
    ("Shares of Adani Group companies tumbled on Friday after U.S. short seller Hindenburg Research alleged "
     "stock manipulation.", MUMBAI, "Adani Group"),
    ("Tata group shares rallied after the conglomerate said it would list Tata Capital.", MUMBAI, "Tata group"),
    ("Reliance Group stocks fell after the regulator barred Anil Ambani from the market.", MUMBAI, "Reliance Group"),
    ("Samsung Group shares fell after Lee Jae-yong was indicted.", "Asia/Seoul", "Samsung Group"),
    ("LG Group shares fell after the chairman died.", "Asia/Seoul", "LG Group"),
])
def test_2_a_bare_business_group_gives_a_note_not_a_guess(text, tz, group):
    published = "2024-06-10T12:00:00+05:30"
    assert _studied(text, published=published, tz=tz) == set()
    assert f"'{group}' is a business group" in _notes(text, published=published, tz=tz)


@pytest.mark.parametrize("text, tz, ticker", [
    ("Toyota Industries shares rose 5% after a report of a buyout by Toyota group companies.", "Asia/Tokyo", "6201.T"),
])
def test_2_a_group_beside_its_named_member_is_no_other_member(text, tz, ticker):
    assert _studied(text, published="2024-06-10T12:00:00+09:00", tz=tz) == {ticker}


@pytest.mark.parametrize("text, tz, ticker", [
    ("Adani Enterprises, the group's flagship, fell 20% after Hindenburg Research accused the Adani Group of fraud.",
     MUMBAI, "ADANIENT.NS"),
    ("Adani Group stocks fell on Thursday after U.S. prosecutors charged Gautam Adani with bribery; flagship "
     "Adani Enterprises sank 23%.", MUMBAI, "ADANIENT.NS"),
    ("Adani Group's flagship Adani Enterprises fell 20% on Friday.", MUMBAI, "ADANIENT.NS"),
    ("Stocks of the Tata group rose on Monday, led by Tata Motors.", MUMBAI, "TATAMOTORS.NS"),
    ("Alibaba Group shares rose 3%.", NY, "BABA"),
    ("Sony Group shares rose 2%.", "Asia/Tokyo", "6758.T"),
    ("BMW Group said deliveries rose 5%.", NY, "BMW.DE"),
    ("Renault Group shares fell 4%.", NY, "RNO.PA"),
])
def test_2_ordinary_a_named_member_or_a_company_called_group_stays(text, tz, ticker):
    assert ticker in _studied(text, published="2024-06-10T12:00:00+05:30", tz=tz)
