"""Failure classes a red-team probe left open on issue 19 (/work/review/redteam): a company that
explains another company's move (a cause) made a subject, and analyst actions written as Title
Case headlines. Each class has the reviewer's case and variants written for these rules; the
``ordinary`` cases check that a rule does not reach too far."""

import pytest

from analysis.events.extract import extract_events


def _rows(text, published="2024-06-10T12:00:00-04:00", tz="America/New_York"):
    return extract_events(text, published=published, tz=tz)


def _roles(text, **kw):
    df = _rows(text, **kw)
    return dict(zip(df["ticker"].where(df["ticker"] != "", df["company"]), df["role"]))


def _studied(text, **kw):
    df = _rows(text, **kw)
    return set(df.loc[(df["role"] == "subject") & (df["listed"].astype(str) == "True"), "ticker"])


# --- 1. a company that explains someone else's move is a mention -----------------------------

@pytest.mark.parametrize("text, mover, cause", [
    ("Eli Lilly shares rose 2% after rival Novo Nordisk reported disappointing trial results.",
     "LLY", "NOVO-B.CO"),                                                                       # reviewer
    ("Super Micro fell 12% after Nvidia shipped fewer Blackwell chips than expected.", "SMCI", "NVDA"),  # reviewer
    ("Shares of Hims & Hers tumbled after Novo Nordisk ended their partnership.", "HIMS", "NOVO-B.CO"),  # reviewer
    ("Delta Air Lines shares fell 3% after rival United Airlines posted weaker-than-expected bookings.",
     "DAL", "UAL"),
    ("Broadcom slid 5% after Microsoft dropped its order for custom chips.", "AVGO", "MSFT"),
    ("Shares of Walgreens dropped 6% after Amazon expanded its pharmacy delivery service.", "WBA", "AMZN"),
    ("Ford shares rose 4% after peer General Motors raised its annual profit forecast.", "F", "GM"),
    ("Intel gained 3% after Microsoft picked the chipmaker to build a custom processor.", "INTC", "MSFT"),
])
def test_1_a_cause_of_another_company_move_is_a_mention(text, mover, cause):
    roles = _roles(text)
    assert roles.get(mover) == "subject", roles
    assert roles.get(cause) == "mention", roles


@pytest.mark.parametrize("text, cause", [
    ("Nikola fell 11% after short seller Hindenburg accused it of fraud, two days after General Motors "
     "agreed to take an 11% stake in the company.", "GM"),                                     # reviewer
    ("Shares of Acme Widgets Corp tumbled after Novo Nordisk ended their partnership.", "NOVO-B.CO"),
    ("Tiny Robotics Co fell 30% after Nvidia cancelled a supply contract.", "NVDA"),
    ("Shares of Little Bakery Inc jumped after Walmart agreed to stock its bread.", "WMT"),
])
def test_1_the_cause_stays_a_mention_when_the_mover_is_in_no_table(text, cause):
    assert _roles(text).get(cause) == "mention", _roles(text)


@pytest.mark.parametrize("text, both", [
    ("Eli Lilly shares rose 2% after rival Novo Nordisk reported disappointing trial results, "
     "sending Novo Nordisk shares down 9%.", {"LLY", "NOVO-B.CO"}),
    ("Super Micro fell 12% after Nvidia shipped fewer chips than expected; Nvidia shares fell 4%.",
     {"SMCI", "NVDA"}),
])
def test_1_ordinary_a_cause_whose_own_shares_move_is_a_subject(text, both):
    assert both <= _studied(text), _roles(text)


# --- 2. analyst actions in Title Case headlines ----------------------------------------------

@pytest.mark.parametrize("text, target, broker", [
    ("Morgan Stanley Raises Price Target on Eli Lilly to $1,100", "LLY", "MS"),               # reviewer
    ("Wells Fargo Upgrades Amazon to Overweight", "AMZN", "WFC"),                              # reviewer
    ("Amazon Upgraded to Overweight at Wells Fargo", "AMZN", "WFC"),                           # reviewer
    ("UBS Cuts Nestle to Sell", "NESN.SW", "UBSG.SW"),                                         # reviewer
    ("Bank of America Upgrades Intel to Neutral", "INTC", "BAC"),                              # reviewer
    ("Goldman Sachs Downgrades Nike to Neutral", "NKE", "GS"),
    ("Citigroup Lifts Price Target on Nvidia to $150", "NVDA", "C"),
    ("Nike Downgraded to Sell at JPMorgan", "NKE", "JPM"),
    ("JPMorgan Initiates Coverage of Tesla With Underweight Rating", "TSLA", "JPM"),
])
def test_2_a_title_case_analyst_action_is_about_its_target(text, target, broker):
    roles = _roles(text, published="2025-03-03T09:00-05:00")
    assert roles.get(target) == "subject", roles
    assert roles.get(broker, "mention") == "mention", roles


@pytest.mark.parametrize("text", [
    "Analysts at Jefferies and UBS said the sell-off in luxury stocks was overdone.",           # reviewer
    "Analysts at Goldman Sachs, Morgan Stanley and Citigroup said the rally in bank stocks had further to run.",
    "Strategists at JPMorgan and Barclays said European equities looked cheap.",
])
def test_2_brokers_quoted_as_sources_are_no_subject(text):
    assert _studied(text) == set(), _roles(text)
