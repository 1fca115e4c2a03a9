"""Failure classes an independent reviewer found with 205 sentences of their own
(/work/review/redteam, issue 19): data vendors as sources, everyday short names of listed
companies, longer names that continue a company's name, teams and numbered models, and German,
Japanese and Chinese forms. Each class has the reviewer's minimal case and variants written for
these rules; the ``ordinary`` cases check that a rule does not reach too far."""

import pytest

from analysis.events.extract import extract_events
from analysis.events.timing import time_events


def _rows(text, published="2024-06-10T12:00:00-04:00", tz="America/New_York"):
    return extract_events(text, published=published, tz=tz)


def _roles(text, **kw):
    df = _rows(text, **kw)
    return dict(zip(df["ticker"].where(df["ticker"] != "", df["company"]), df["role"]))


def _studied(text, **kw):
    df = _rows(text, **kw)
    return set(df.loc[(df["role"] == "subject") & (df["listed"].astype(str) == "True"), "ticker"])


def _day0(text, ticker, published, tz):
    df = _rows(text, published=published, tz=tz)
    timed = time_events(df[df["ticker"] == ticker].reset_index(drop=True))
    return str(timed["day0"].iloc[0].date())


# --- A. a data vendor named as the source of numbers is a source -----------------------------

@pytest.mark.parametrize("text, vendor", [
    ("Analysts had expected revenue of $5.1 billion, according to LSEG data.", "LSEG.L"),     # reviewer
    ("Revenue rose 12% to $4.2 billion, above the $4.1 billion expected by analysts according to data "
     "compiled by FactSet.", "FDS"),                                                            # reviewer
    ("Data from LSEG showed foreign investors sold $2 billion of Indian shares last week.", "LSEG.L"),
    ("LSEG data showed net inflows of $3 billion into equity funds in the week.", "LSEG.L"),
    ("Analysts expect a quarterly profit of $2.1 billion, according to Refinitiv.", "LSEG.L"),
    ("Short interest rose to 5% of the free float, according to S&P Global Market Intelligence data.", "SPGI"),
    ("Morningstar data showed outflows of $10 billion from active funds in May.", "MORN"),
    ("Analysts polled by LSEG had expected earnings of $1.20 a share.", "LSEG.L"),
    ("The average estimate compiled by LSEG I/B/E/S was $1.20 a share.", "LSEG.L"),
    ("Analysts expected sales of $3 billion, according to Visible Alpha.", "Visible Alpha"),
    ("Bloomberg data showed the yen at its weakest level since 1990.", "Bloomberg"),
])
def test_a_data_vendor_cited_for_numbers_is_a_source(text, vendor):
    roles = _roles(text)
    assert roles.get(vendor) == "mention", roles
    assert not _studied(text)


def test_a_data_vendor_beside_the_companys_results_is_a_source():
    roles = _roles("Nike reported quarterly revenue of $12.6 billion, below estimates of $12.9 billion, "
                   "according to LSEG data.", published="2024-06-27T17:30:00-04:00")
    assert roles == {"NKE": "subject", "LSEG.L": "mention"}


@pytest.mark.parametrize("text, ticker", [
    ("LSEG shares fell 5% after the exchange operator reported lower revenue.", "LSEG.L"),
    ("LSEG reported a 7% rise in first-half revenue on Thursday.", "LSEG.L"),
    ("LSEG's data and analytics unit grew revenue 5% in the quarter, the company said.", "LSEG.L"),
    ("FactSet raised its annual revenue forecast on Thursday.", "FDS"),
    ("Morningstar shares jumped 8% after the company reported results.", "MORN"),
    ("S&P Global raised its annual profit forecast on Tuesday.", "SPGI"),
])
def test_ordinary_a_data_vendors_own_news_keeps_it_the_subject(text, ticker):
    assert ticker in _studied(text)


# --- B. everyday short names of listed companies --------------------------------------------

@pytest.mark.parametrize("text, tickers", [
    ("Chevron to Buy Hess for $53 Billion", {"CVX", "HES"}),                                 # reviewer
    ("Cisco Systems to buy Splunk for $28 billion in cash", {"CSCO", "SPLK"}),
    ("Broadcom agreed to buy VMware for about $61 billion in cash and stock, the companies said on Thursday.",
     {"AVGO", "VMW"}),
    ("Nokia to Buy Infinera for $2.3 Billion to Expand in Optical Networking", {"NOKIA.HE", "NOK", "INFN"}),
    ("Synopsys to buy Ansys for $35 billion", {"SNPS", "ANSS"}),
    ("Capital One to Buy Discover Financial for $35 Billion", {"COF", "DFS"}),
    ("Johnson & Johnson to buy Abiomed for $16.6 billion", {"JNJ", "ABMD"}),
    ("Oracle agreed to buy Cerner for $28.3 billion in cash.", {"ORCL", "CERN"}),
    ("Microsoft to buy Nuance for $16 billion", {"MSFT", "NUAN"}),
])
def test_the_target_of_a_deal_is_a_company(text, tickers):
    assert _studied(text) == tickers


@pytest.mark.parametrize("text, ticker", [
    ("Chipotle shares fell 7.5% on Tuesday after the burrito chain said Chief Executive Brian Niccol "
     "would leave to run Starbucks.", "CMG"),                                                   # reviewer
    ("Chipotle said on Wednesday it would raise menu prices.", "CMG"),
    ("Shares of Chipotle rose 3% after the company beat estimates.", "CMG"),
    ("Shares of Erie Indemnity rose 5%.", "ERIE"),                                              # reviewer
    ("Erie Indemnity shares jumped 10% on Friday.", "ERIE"),
    ("Ansys shares rose 5% after the company beat estimates.", "ANSS"),
    ("Shares of Gap rose 5% after the retailer raised its forecast.", "GAP"),                  # reviewer
    ("Gap shares jumped 15% on Friday after the retailer raised its annual sales forecast.", "GAP"),
    ("Manchester United shares fell 5% after the club reported a wider loss.", "MANU"),         # reviewer
    ("Canadian Pacific Kansas City shares rose 2%.", "CP.TO"),                                 # reviewer
    ("Canadian Pacific Railway completed its $31 billion takeover of Kansas City Southern.", "CP.TO"),
    ("China Evergrande Group shares were suspended in Hong Kong.", "3333.HK"),                 # reviewer
    ("China Evergrande Group was ordered to liquidate by a Hong Kong court on Monday.", "3333.HK"),
])
def test_everyday_short_names_of_listed_companies(text, ticker):
    assert ticker in _studied(text)


def test_a_company_listed_after_the_list_was_made_is_curated():
    assert _studied("Hims & Hers shares plunged 30% on Monday.", published="2025-06-23T16:30:00-04:00") == {"HIMS"}
    assert _studied("Shares of Kioxia Holdings rose 10% in their Tokyo Stock Exchange debut on Wednesday.",
                    published="2024-12-18T16:00:00+09:00", tz="Asia/Tokyo") == {"285A.T"}


def test_ansys_is_not_the_south_african_company_of_that_name():
    df = _rows("Ansys shares rose 5% after the company beat estimates.")
    assert not any("South Africa" in n for n in df.attrs["notes"])


def test_a_written_former_symbol_is_the_tables_listing_and_no_other_company():
    # the broad list joined Grupo Aeroportuario del Pacifico's "GAP ADR" (PAC) to Gap Inc
    df = _rows("Gap Inc (NYSE: GPS) shares jumped 15% after the retailer raised its forecast.")
    assert set(df["ticker"]) == {"GAP"}
    assert any("GPS" in n for n in df.attrs["notes"])


def test_a_depositary_receipt_joins_a_company_only_by_a_name_of_its_own():
    from analysis.events.broad import build_rows

    records = [
        dict(country="united states", name="Gap", full_name="Gap Inc", isin="US3647601083", symbol="GPS"),
        dict(country="united states", name="GAP ADR", full_name="Grupo Aeroportuario del Pacifico SAB De CV ADR",
             isin="US4005061019", symbol="PAC"),
        dict(country="united states", name="Toyota ADR", full_name="Toyota Motor Corp ADR",
             isin="US8923313071", symbol="TM"),
        dict(country="japan", name="Toyota Motor", full_name="Toyota Motor Corp", isin="JP3633400001", symbol="7203"),
    ]
    by_home = {r["listings"][0]: r for r in build_rows(records)}
    assert by_home["GPS"]["listings"] == ["GPS"]
    assert "PAC" in by_home and "Gap" not in by_home["PAC"]["aliases"]
    assert by_home["7203.T"]["listings"] == ["7203.T", "TM"]


@pytest.mark.parametrize("text, tickers", [
    ("Lockheed Martin, RTX and Northrop Grumman rose as investors bet on higher defence spending.",
     {"LMT", "RTX", "NOC"}),                                                                    # reviewer
    ("Lockheed Martin, Boeing and Northrop Grumman fell after the Pentagon cut its budget.", {"LMT", "BA", "NOC"}),
    ("Shares of Lockheed Martin, Honeywell and General Dynamics rose on Monday.", {"LMT", "HON", "GD"}),
])
def test_a_list_after_a_name_ending_in_a_given_name(text, tickers):
    assert _studied(text) == tickers


def test_the_company_a_person_is_hired_from_is_a_mention():
    roles = _roles("Starbucks Names Chipotle's Brian Niccol as CEO; Shares Soar 24%",
                   published="2024-08-13T16:15:00-04:00")
    assert roles == {"SBUX": "subject", "CMG": "mention"}
    roles = _roles("Intel hired Qualcomm's chief technology officer Jim Smith as its new CTO.")
    assert roles == {"INTC": "subject", "QCOM": "mention"}


# --- C. a longer name that continues a company's name ---------------------------------------

@pytest.mark.parametrize("text, ticker, not_it, kw", [
    ("Nissan Chemical raised its annual profit forecast.", "4021.T", "7201.T", {}),           # reviewer
    ("Toyota Industries to Be Taken Private in $33 Billion Deal", "6201.T", "7203.T", {}),    # reviewer
    ("Toyota Industries Shares Jump on Buyout Report", "6201.T", "7203.T", {}),
    ("Reliance Power shares hit the upper circuit after the company cut its debt.", "RPOWER.NS", "RELIANCE.NS",
     dict(published="2024-06-10T16:00:00+05:30", tz="Asia/Kolkata")),                         # reviewer
    ("Hyundai Motor India shares fell 7% in their market debut in Mumbai on Tuesday after India's "
     "biggest-ever IPO.", "HYUNDAI.NS", "005380.KS",
     dict(published="2024-10-22T16:00:00+05:30", tz="Asia/Kolkata")),                         # reviewer
    ("Mitsubishi Heavy Industries shares jumped 5% on defence orders.", "7011.T", "8058.T", {}),
    ("Nissan Chemical shares rose 4% after the company raised its dividend.", "4021.T", "7201.T", {}),
])
def test_a_longer_name_that_is_a_listed_company_is_that_company(text, ticker, not_it, kw):
    studied = _studied(text, **kw)
    assert ticker in studied and not_it not in studied


@pytest.mark.parametrize("text, company", [
    ("Toyota Gazoo Racing won the 24 Hours of Le Mans in 2022.", "Toyota Motor"),              # reviewer
    ("Toyota Motor North America said it would recall 1 million vehicles.", "Toyota Motor"),
    ("JPMorgan Chase Bank agreed to lend the developer $1 billion.", "JPMorgan Chase"),
    ("Samsung Heavy Industries shares fell 3% on Tuesday.", None),   # named in the notes as a Korean company
])
def test_a_longer_name_no_table_lists_is_no_subject_and_a_note(text, company):
    df = _rows(text)
    assert df.empty
    if company is not None:
        assert any(company in n and "another company or one of its units" in n for n in df.attrs["notes"])
    else:
        assert df.attrs["notes"]


@pytest.mark.parametrize("text, ticker", [
    ("Toyota Motor Reports Record Annual Profit", "7203.T"),
    ("Tesla Energy deployments doubled in the quarter, the company said.", "TSLA"),
    ("Tesla Stores In China Cut Prices Again", "TSLA"),
    ("Honda Motor and Nissan Motor said on Monday they had started formal talks to merge.", "7201.T"),
    ("Lawson was taken private by KDDI and Mitsubishi Corp earlier this year.", "8058.T"),
])
def test_ordinary_the_companys_own_longer_forms_stay_the_company(text, ticker):
    assert ticker in _studied(text)


# --- D. teams, drivers' teams and numbered models --------------------------------------------

@pytest.mark.parametrize("text", [
    "Ferrari's Charles Leclerc won the Monaco Grand Prix on Sunday, ahead of McLaren's Oscar Piastri.",  # reviewer
    "Ferrari won the Monaco Grand Prix on Sunday.",
    "Ferrari driver Charles Leclerc won the Monaco Grand Prix.",
    "Toyota won the 24 Hours of Le Mans for the fifth straight year.",
    "Porsche took pole position for the Daytona 24 Hours.",
    "Porsche won the 24 Hours of Daytona on Sunday.",
    "Mercedes driver George Russell took pole position in Montreal.",
    "Manchester United beat Liverpool 2-1 at Old Trafford on Sunday.",
])
def test_a_team_named_after_its_maker_or_owner_is_no_subject(text):
    assert not _studied(text)


@pytest.mark.parametrize("text", [
    "The Boeing 787 Dreamliner landed safely in Doha after a bird strike.",                     # reviewer
    "An Airbus A320 of IndiGo skidded off the runway in Mumbai.",                               # reviewer
    "He still carries the Nokia 3310 phone he bought in 2000.",
    "A Boeing 777 carrying 300 passengers diverted to Anchorage.",
    "The Airbus A380 touched down in Sydney on Friday.",
])
def test_a_numbered_model_is_one_thing_the_company_made(text):
    assert not _studied(text)


@pytest.mark.parametrize("text, ticker", [
    ("Ferrari shares rose 3% on Monday after Charles Leclerc won the Monaco Grand Prix.", "RACE.MI"),
    ("Ferrari won a record order for its new sports car.", "RACE.MI"),
    ("Toyota led gains among automakers on Monday.", "7203.T"),
    ("Boeing's 737 MAX deliveries lifted its shares.", "BA"),
    ("The Boeing 737 MAX was grounded worldwide after the second crash.", "BA"),
    ("A Boeing 737 MAX 9 jet lost a door plug mid-flight on Friday.", "BA"),
    ("Airbus A320 production hit a record in May.", "AIR.PA"),
])
def test_ordinary_the_makers_own_news_keeps_it_the_subject(text, ticker):
    assert ticker in _studied(text)


# --- E. German, Japanese and Chinese forms ---------------------------------------------------

_BERLIN = dict(published="2024-11-14T17:45:00+01:00", tz="Europe/Berlin")
_TOKYO = dict(published="2024-12-18T15:30:00+09:00", tz="Asia/Tokyo")


@pytest.mark.parametrize("text, ticker", [
    ("Bayer-Aktie bricht nach Glyphosat-Urteil in den USA ein", "BAYN.DE"),                     # reviewer
    ("SAP-Aktie auf Rekordhoch", "SAP.DE"),                                                   # reviewer
    ("Aktie von Bayer bricht ein", "BAYN.DE"),                                                # reviewer
    ("Siemens-Aktie steigt nach Zahlen", "SIE.DE"),
    ("Volkswagen-Aktie stürzt nach Abgasskandal um 17 Prozent ab", "VOW3.DE"),
    ("Aktie von Puma bricht nach Gewinnwarnung ein", "PUM.DE"),
    ("Die Papiere von Siemens legten 3 Prozent zu.", "SIE.DE"),
])
def test_german_forms_of_the_shares(text, ticker):
    assert ticker in _studied(text, **_BERLIN)


def test_ordinary_a_name_particle_still_makes_a_person():
    assert _rows("Leonardo da Vinci painted the Mona Lisa.").empty


@pytest.mark.parametrize("text, subject, mention", [
    ("日産株が急騰、ホンダとの経営統合協議を好感", "7201.T", "7267.T"),                               # reviewer
    ("日産自動車株が急騰、ホンダとの経営統合協議を好感", "7201.T", "7267.T"),
    ("日産株が急騰", "7201.T", None),
    ("三菱自動車株が急騰", "7211.T", None),                                                       # reviewer
    ("日産化学、通期利益予想を上方修正", "4021.T", None),
    ("マツダ株が反発", "7261.T", None),
    ("ファナック、通期予想を下方修正", "6954.T", None),
    ("三菱重工株が急伸、防衛費増額を好感", "7011.T", None),
])
def test_everyday_japanese_names_of_nikkei_companies(text, subject, mention):
    roles = _roles(text, **_TOKYO)
    assert roles.get(subject) == "subject", roles
    assert {t for t, r in roles.items() if r == "subject" and t.endswith(".T")} == {subject}
    if mention:
        assert roles.get(mention) == "mention"


@pytest.mark.parametrize("text", [
    "この工場は日産1000トンの能力がある。",          # a daily output
    "任天堂のゲームを買った。",                    # bought a Nintendo game
])
def test_ordinary_a_japanese_name_without_company_news_is_no_subject(text):
    assert not _studied(text, **_TOKYO)


@pytest.mark.parametrize("text, ticker, published, tz, day0", [
    ("腾讯控股宣布回购股份", "0700.HK", "2024-03-20T18:00:00+08:00", "Asia/Hong_Kong", "2024-03-21"),   # reviewer
    ("贵州茅台发布年报，净利润同比增长15%", "600519.SS", "2024-04-02T20:00:00+08:00", "Asia/Shanghai", "2024-04-03"),
    ("小米集团发布2024年第四季度业绩", "1810.HK", "2025-03-18T19:00:00+08:00", "Asia/Hong_Kong", "2025-03-19"),
    ("阿里巴巴宣布拆分为六大业务集团", "9988.HK", "2023-03-28T20:00:00+08:00", "Asia/Hong_Kong", "2023-03-29"),
    # 15 May 2024 is a Hong Kong holiday: the next session is the 16th
    ("腾讯控股披露一季度业绩", "0700.HK", "2024-05-14T18:00:00+08:00", "Asia/Hong_Kong", "2024-05-16"),
])
def test_a_chinese_disclosure_published_after_the_close_is_the_next_sessions(text, ticker, published, tz, day0):
    assert _day0(text, ticker, published, tz) == day0


def test_ordinary_a_chinese_disclosure_during_the_session_is_that_days():
    assert _day0("阿里巴巴宣布拆分为六大业务集团", "9988.HK", "2023-03-28T11:00:00+08:00", "Asia/Hong_Kong") == "2023-03-28"
