"""The broad offline company universe (issue 19, :mod:`analysis.events.broad`): Yahoo symbols per
country, the home listing of a cross-listed company, names and the evidence they need, the cache,
the path without the source package, and the second held-out news set."""

from __future__ import annotations

import pytest

from analysis.data.exchanges import calendar_for
from analysis.events import broad, companies
from analysis.events.extract import extract_events

pytestmark = pytest.mark.skipif(broad.source_file() is None, reason="investpy (the broad list) is not installed")


def rows(df, *cols):
    return list(df[list(cols)].itertuples(index=False, name=None))


# ------------------------------------------------------------------------------- symbols ----

@pytest.mark.parametrize("country, code, ticker, calendar", [
    ("united states", "ALK", "ALK", "XNYS"),
    ("united states", "BRKb", "BRK-B", "XNYS"),          # share class
    ("united states", "EP_pc", None, None),               # preferred share: not used
    ("hong kong", "0700", "0700.HK", "XHKG"),
    ("hong kong", "5", "0005.HK", "XHKG"),
    ("china", "600519", "600519.SS", "XSHG"),
    ("china", "688981", "688981.SS", "XSHG"),             # STAR Market is Shanghai
    ("china", "000858", "000858.SZ", "XSHE"),
    ("china", "300750", "300750.SZ", "XSHE"),             # ChiNext is Shenzhen
    ("china", "900901", None, None),                      # Shanghai B share
    ("china", "200002", None, None),                      # Shenzhen B share
    ("china", "830799", None, None),                      # Beijing
    ("japan", "4967", "4967.T", "XTKS"),
    ("united kingdom", "BAES", None, None),               # Reuters-style root of BA.L: not used
    ("australia", "Z1P", "Z1P.AX", "XASX"),
    ("germany", "WDIG", None, None),                      # Reuters-style root, not Yahoo's WDI.DE
    ("south korea", "005930", None, None),                # KOSPI or KOSDAQ: not known
    ("taiwan", "2330", None, None),                       # TWSE or TPEx: not known
])
def test_yahoo_symbol_per_country(country, code, ticker, calendar):
    assert broad.yahoo_symbol(country, code) == ticker
    if ticker is not None:
        assert calendar_for(ticker) == calendar


def _line(country, name, full, isin, symbol):
    return dict(country=country, name=name, full_name=full, isin=isin, symbol=symbol)


def test_home_listing_of_a_cross_listed_company():
    """The lines of one ISIN are one company at home in the ISIN's country; foreign lines of
    other countries are never listings; a US OTC line of a foreign company and an OTC ADR are
    kept as OTC lines of the home company; an H share (CN ISIN in the Hong Kong list) is a home
    listing; a Canadian company's New York line is its listing when Canada is not used."""
    out = broad.build_rows([
        _line("germany", "Alaska Air", "Alaska Air Group Inc SG", "US0116591092", "ALK"),
        _line("mexico", "Alaska Air", "Alaska Air Group Inc", "US0116591092", "ALK"),
        _line("united states", "Alaska Air", "Alaska Air Group Inc", "US0116591092", "ALK"),
        _line("japan", "Sample Motor", "Sample Motor Corp.", "JP3000000001", "7999"),
        _line("united states", "Sample Motor", "Sample Motor Corp", "JP3000000001", "SMPMF"),
        _line("united states", "Sample Motor ADR", "Sample Motor Corp ADR", "US0000000019", "SMPMY"),
        _line("hong kong", "Great Sample Motor", "Great Sample Motor Co Ltd", "CNE000000002", "2999"),
        _line("united states", "Maple Sample", "Maple Sample Mining Corp", "CA0000000003", "MPSM"),
        _line("germany", "Maple Sample", "Maple Sample Mining Corp", "CA0000000003", "MPS"),
    ])
    by_name = {r["name"]: r for r in out}
    assert by_name["Alaska Air"]["listings"] == ["ALK"] and by_name["Alaska Air"]["otc"] == []
    assert "Alaska Airlines" in by_name["Alaska Air"]["aliases"]        # an airline group's brand
    assert by_name["Sample Motor"]["listings"] == ["7999.T", "SMPMF", "SMPMY"]
    assert by_name["Sample Motor"]["otc"] == ["SMPMF", "SMPMY"]
    assert by_name["Great Sample Motor"]["listings"] == ["2999.HK"]
    assert by_name["Maple Sample Mining"]["listings"] == ["MPSM"]
    assert len(out) == 4


def test_lines_of_one_name_that_are_one_company_are_merged():
    """H and A shares of a mainland company (Hong Kong first), US share classes, and a US OTC
    line of a company at home elsewhere are one company; two companies of one name in two
    markets stay apart, and their name is no alias of either (it names neither for sure)."""
    out = broad.build_rows([
        _line("hong kong", "Sample Motor H", "Sample Motor Co Ltd", "CNE100000001", "2999"),
        _line("china", "Sample Motor A", "Sample Motor Co Ltd", "CNE000000001", "601999"),
        _line("united states", "Lennar", "Lennar Corp", "US5260571048", "LEN"),
        _line("united states", "Lennar B", "Lennar Corp", "US5260573028", "LENb"),
        _line("japan", "Konami", "Konami Holdings Corp", "JP3300200007", "9766"),
        _line("united states", "Konami", "Konami Holdings Corp", "US50046R1014", "KNMCY"),
        _line("united states", "Range Resources", "Range Resources Corp", "US75281A1097", "RRC"),
        _line("australia", "Range Resources", "Range Resources Ltd", "AU000000RRS3", "RRS"),
    ])
    by_first = {r["listings"][0]: r for r in out}
    assert by_first["2999.HK"]["listings"] == ["2999.HK", "601999.SS"]
    assert by_first["LEN"]["listings"] == ["LEN", "LEN-B"]
    assert by_first["9766.T"]["listings"] == ["9766.T", "KNMCY"] and by_first["9766.T"]["otc"] == ["KNMCY"]
    assert "RRC" in by_first and "RRS.AX" in by_first
    index = broad.BroadIndex(out)
    assert "Range Resources" not in index.by_alias and index.rows[index.by_alias["Konami"]]["listings"][0] == "9766.T"


def test_names_without_legal_form_and_which_need_evidence():
    out = broad.build_rows([
        _line("united states", "Walgreens Boots", "Walgreens Boots Alliance Inc", "US9314271084", "WBA"),
        _line("united states", "Bancorp", "The Bancorp Inc", "US05969A1051", "TBBK"),
        _line("united states", "Golden Gate", "Golden Gate Inc", "US0000000027", "GGTX"),
        _line("china", "Faw Car A", "Faw Car Co Ltd", "CNE000000R85", "000800"),
    ])
    by_ticker = {r["listings"][0]: r for r in out}
    wba = by_ticker["WBA"]
    assert wba["aliases"][:2] == ["Walgreens Boots Alliance", "Walgreens Boots"]
    assert "Walgreens" in wba["aliases"] and wba["weak"] == ["Walgreens"]    # a one-word name needs evidence
    assert "TBBK" not in by_ticker                      # "Bancorp" alone is no name
    assert by_ticker["GGTX"]["weak"] == ["Golden Gate"]    # ordinary words only: needs evidence
    assert by_ticker["000800.SZ"]["aliases"] == ["Faw Car"]


@pytest.mark.parametrize("name, listings", [
    ("Alaska Air", ("ALK",)),                          # not the Frankfurt or Mexico lines
    ("New York Community Bancorp", ("NYCB",)),
    ("Evergrande Health Industry", ("0708.HK",)),     # China Evergrande Group (3333.HK): now curated
    ("Faw Car", ("000800.SZ",)),
    ("Kobayashi Pharmaceutical", ("4967.T",)),
    ("MakeMyTrip", ("MMYT",)),                          # an Indian company listed only in New York (Infosys: now curated, INFY.NS first)
])
def test_known_listings_of_the_real_list(name, listings):
    c = companies.universe().named(name)
    assert c is not None and c.listings == listings and c.source == "broad"


@pytest.mark.parametrize("text, ticker", [
    ("Shares of Peloton Interactive fell 10% on Thursday.", "PTON"),
    ("Walgreens cut its annual profit forecast on Thursday.", "WBA"),
    ("Kobayashi Pharmaceutical said on Friday it would recall three supplements.", "4967.T"),
    ("A cabin panel blew out on an Alaska Airlines flight on Friday.", "ALK"),
])
def test_broad_list_names_are_found(text, ticker):
    df = extract_events(text, published="2024-05-02")
    assert ticker in set(df["ticker"])


@pytest.mark.parametrize("text", [
    "We walked past a Walgreens on the corner of Main Street.",       # no corporate evidence
    "Shares of Acme Robotics jumped after the bid.",                   # another, longer name
    "The Golden Gate was shrouded in fog.",
    "American Software Makers Struggle With Tariffs",                  # Title Case: ordinary words only
    "The Swiss National Bank cut its policy rate on Thursday.",        # the end of a longer name
    "Most widgets have been ported to CSS nodes.",                     # a lone acronym
])
def test_broad_list_names_need_evidence(text):
    df = extract_events(text, published="2024-05-02")
    assert not {"WBA", "ACU", "AMSWA", "NBHC", "2304.T"} & set(df["ticker"])
    assert "Golden Gate" not in set(df["company"])


def test_ordinary_word_names_with_evidence_are_found():
    df = extract_events("Shares of American Software rose 5% after results on Thursday.", published="2024-05-02")
    assert "AMSWA" in set(df["ticker"])


@pytest.mark.parametrize("country, isin, suffix", [("united states", "US", ""), ("japan", "JP", ".T")])
def test_symbols_agree_with_the_index_constituents(country, isin, suffix):
    """The list's codes mapped to Yahoo symbols against pytickersymbols' Yahoo symbols of the same
    companies (matched by name): they agree for at least 95% (the rest: symbols changed since the
    2021-22 snapshot, AAXN -> AXON, or two companies of one name)."""
    import re

    import pandas as pd
    from pytickersymbols.indices_data import INDICES

    from analysis.events.namecontext import short_name

    def key(name):
        return re.sub(r"[^a-z0-9]+", " ", short_name(name).lower()).strip()

    known: dict[str, set] = {}
    for index in INDICES.values():
        for e in index.get("companies", []):
            for s in e.get("symbols") or []:
                y = s.get("yahoo") or ""
                if y and (y.endswith(suffix) if suffix else "." not in y):
                    known.setdefault(key(e["name"]), set()).add(y)
    df = pd.read_csv(broad.source_file(), dtype=str, keep_default_na=False)
    lines = df[(df["country"] == country) & (df["isin"].str[:2] == isin)]
    verdicts = [broad.yahoo_symbol(country, r.symbol) in known[key(r.full_name)]
                for r in lines.itertuples() if key(r.full_name) in known]
    assert len(verdicts) > 100 and sum(verdicts) / len(verdicts) >= 0.95


# --------------------------------------------------------------------------------- cache ----

def _fake_source(tmp_path, monkeypatch, lines):
    src = tmp_path / "stocks.csv"
    src.write_text("country,name,full_name,tag,isin,id,currency,symbol\n" + "\n".join(lines) + "\n",
                   encoding="utf-8")
    monkeypatch.setattr(broad, "source_file", lambda: src)
    monkeypatch.setattr(broad, "_BUILT", {})
    return src


def test_cache_is_written_read_and_rebuilt_when_the_source_changes(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    src = _fake_source(tmp_path, monkeypatch,
                       ["united states,Zorblax Robotics,Zorblax Robotics Inc,z,US0000000035,1,USD,ZRBX"])
    rows, note = broad.load_rows(cache)
    assert note is None and [r["listings"] for r in rows] == [["ZRBX"]]
    files = list((cache / "companies").glob("broad-*.json"))
    assert len(files) == 1

    monkeypatch.setattr(broad, "_BUILT", {})
    monkeypatch.setattr(broad, "build_rows", lambda records: pytest.fail("built again instead of read"))
    assert broad.load_rows(cache)[0] == rows                     # read from the cache

    monkeypatch.undo()
    src = _fake_source(tmp_path, monkeypatch,
                       ["united states,Quillnet Systems,Quillnet Systems Inc,q,US0000000043,2,USD,QLNT"])
    rows2, _ = broad.load_rows(cache)
    assert [r["listings"] for r in rows2] == [["QLNT"]]          # the source changed: built again
    new = list((cache / "companies").glob("broad-*.json"))
    assert len(new) == 1 and new != files                        # the stale build is removed
    assert src.is_file()


def test_installations_sharing_a_cache_folder_keep_their_builds(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for sub in ("a", "b"):
        _fake_source(tmp_path / sub, monkeypatch, ["japan,Zappa,Zappa Co Ltd,z,JP0000000001,1,JPY,9998"])
        broad.load_rows(cache)
    assert len(list((cache / "companies").glob("broad-*.json"))) == 2


def test_foreign_list_removed_by_another_process_is_built_again(tmp_path, monkeypatch):
    """The foreign companies are read from their cache file when first asked for. Another
    process with other rules sharing the cache folder may have rebuilt it and removed that file
    in between: the list is then built from the package's file again, never silently empty."""
    cache = tmp_path / "cache"
    _fake_source(tmp_path, monkeypatch, ["germany,Zorbwerk,Zorbwerk AG,z,DE0000000017,1,EUR,ZRW",
                                         "united states,Zorblax Robotics,Zorblax Robotics Inc,z,US0000000035,2,USD,ZRBX"])
    built, _ = broad.load_index(cache)
    assert [f["name"] for f in built.foreign] == ["Zorbwerk"]
    monkeypatch.setattr(broad, "_BUILT", {})
    index, _ = broad.load_index(cache)                           # from the cache, foreign not read yet
    assert index is not built and index._foreign is None
    for f in (cache / "companies").glob("foreign-*.json"):
        f.unlink()                                               # removed by the other process
    assert index.foreign == built.foreign


def test_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    _fake_source(tmp_path, monkeypatch, ["japan,Zappa,Zappa Co Ltd,z,JP0000000001,1,JPY,9998"])
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    rows, note = broad.load_rows(blocker)                 # a file where the folder should be
    assert note is None and rows[0]["listings"] == ["9998.T"]


# ---------------------------------------------------------------- without the source package ----

def test_without_wordfreq_the_broad_list_is_not_used(tmp_path, monkeypatch):
    """The ordinary-word test needs wordfreq: without it no broad table is built (no name would
    be judged), and the note says why."""
    _fake_source(tmp_path, monkeypatch, ["japan,Zappa,Zappa Co Ltd,z,JP0000000001,1,JPY,9998"])
    real = broad.importlib.util.find_spec
    monkeypatch.setattr(broad.importlib.util, "find_spec", lambda name, *a: None if name == "wordfreq" else real(name, *a))
    index, note = broad.load_index(tmp_path / "cache")
    assert index is None and "wordfreq" in note


def test_without_the_broad_list_extraction_works_and_says_so_once(tmp_path, monkeypatch, capsys):
    from analysis.cli import main

    monkeypatch.setattr(broad, "source_file", lambda: None)
    monkeypatch.setattr(broad, "_BUILT", {})
    companies._universe.cache_clear()
    try:
        df = extract_events("Apple Inc. shares rose 3% on Monday. Peloton Interactive said it would cut jobs.",
                            published="2024-05-06")
        assert "AAPL" in set(df["ticker"]) and "PTON" not in set(df["ticker"])
        assert len(df.attrs["notes"]) == 1 and "investpy" in df.attrs["notes"][0]
        news = tmp_path / "news.txt"
        news.write_text("Apple shares rose 3% on Monday.\n", encoding="utf-8")
        assert main(["extract", str(news), "--published", "2024-05-06", "--offline",
                     "--cache-dir", str(tmp_path)]) == 0
        err = capsys.readouterr().err
        assert err.count("investpy") == 1 and "Traceback" not in err
    finally:
        companies._universe.cache_clear()


# ----------------------------------------------------------------- second held-out set ----

def test_second_held_out_news_set():
    """tests/data/news-broad, written before the broad universe was built (tests/news_eval.py
    --broad); the floors are the scores reached: Wirecard (Germany's codes are not used: named in
    the notes with its country) is missed, and Frontier Group listed after the list's snapshot.
    China Evergrande (the list names it "Evergrande Real Estate", beside Evergrande Health
    Industry) is found since the item's "(0708.HK)" tells the two apart."""
    from news_eval import NEWS_BROAD, evaluate

    s = evaluate("traps.txt", NEWS_BROAD)
    assert not s.false_subjects, s.false_subjects
    assert (s.subjects_found, s.subjects) >= (6, 7)
    assert s.dates_right >= 6 and s.times_right == s.times == 2 and s.day0s_right >= 6
    assert s.traps_clean == s.traps == 30
