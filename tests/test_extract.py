"""Rules of news-text extraction (analysis.events.extract, analysis.events.companies, analysis.events.textdates)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from analysis.data.exchanges import tag_ticker
from analysis.events.companies import company_table, find_names, find_tags
from analysis.errors import AnalysisError, ExtractionError
from analysis.events.extract import COLUMNS, extract_events, split_sentences, to_csv_text
from analysis.events.textdates import find_clock_time, find_dateline, find_dates, resolve_weekday, time_of_day

FRI = dt.date(2021, 3, 26)


def rows(df, *cols):
    return list(df[list(cols)].itertuples(index=False, name=None))


# ----------------------------------------------------------------------------- exchange tags ----

@pytest.mark.parametrize("venue, code, ticker", [
    ("NASDAQ", "BIDU", "BIDU"), ("NYSE", "BABA", "BABA"), ("OTC", "XIACF", "XIACF"),
    ("HKEX", "1810", "1810.HK"), ("HKEX", "5", "0005.HK"), ("HKEX", "01810", "1810.HK"),
    ("SEHK", "00005", "0005.HK"), ("HKEX", "700", "0700.HK"),
    ("SSE", "601633", "601633.SS"), ("SZSE", "000333", "000333.SZ"), ("LSE", "RIO", "RIO.L"),
    ("EPA", "SAN", "SAN.PA"), ("Euronext Paris", "SAN", "SAN.PA"), ("TSX", "TRI", "TRI.TO"),
    ("TYO", "7203", "7203.T"), ("TSE", "7203", "7203.T"), ("ASX", "BHP", "BHP.AX"),
    ("TWSE", "2317", "2317.TW"), ("TPE", "2317", "2317.TW"), ("NYSE", "BRK.B", "BRK-B"),
    ("nasdaq", "msft", "MSFT"),
])
def test_tag_ticker(venue, code, ticker):
    assert tag_ticker(venue, code) == ticker


def test_tag_ticker_unknown_venue():
    with pytest.raises(AnalysisError, match="MOON"):
        tag_ticker("MOON", "X")


def test_find_tags_several_in_one_parenthesis():
    (s, e, pairs), = find_tags("Alibaba (NYSE: BABA, HKEX: 9988) rose")
    assert [t for _, t in pairs] == ["BABA", "9988.HK"]


def test_tagged_ticker_not_in_table_gives_an_event_named_before_the_tag():
    df = extract_events("Shares of Acme Robotics Inc. (NASDAQ: ZQXR) jumped on Tuesday after a bid.",
                        published="2024-05-08")
    assert rows(df, "company", "ticker", "exchange", "market", "role", "listed") == [
        ("Acme Robotics Inc.", "ZQXR", "XNYS", "^GSPC", "subject", True)]
    assert df["event_id"].item() == "a01-ZQXR"


def test_unknown_tag_of_a_known_company_adds_that_listing():
    df = extract_events("Xiaomi (OTC: XIACY) shares jumped.", published="2021-03-26")
    assert df["ticker"].tolist() == ["1810.HK", "XIACF", "XIACY"]
    assert set(df["company"]) == {"Xiaomi"}


def test_hkex_tag_is_padded_and_known():
    df = extract_events("Tencent Holdings (HKEX: 700) shares fell 4% in afternoon trade.", published="2024-03-20")
    assert df["ticker"].tolist() == ["0700.HK", "TCEHY"]
    assert (df["time_of_day"] == "during").all()


# ---------------------------------------------------------------------------- name matching ----

def _names(text):
    return [c.name for _, _, c in find_names(text)]


def test_longest_name_wins():
    assert _names("Great Wall Motor shares rose") == ["Great Wall Motor"]
    assert _names("Alibaba Health Information Technology and Alibaba") == [
        "Alibaba Health Information Technology", "Alibaba Group"]
    assert _names("Google DeepMind CEO") == ["Alphabet"]
    assert _names("Bank of China and China Construction Bank") == ["Bank of China", "China Construction Bank"]


def test_word_boundaries_and_case():
    assert _names("Artificial Intelligence, metadata and teslas") == []
    assert _names("Baidu's shares; NIO-backed; Nio's station") == ["Baidu", "NIO", "NIO"]
    assert _names("a walk on the Great Wall of China") == []


def test_a_company_is_one_row_however_often_it_is_named():
    df = extract_events("Hon Hai Precision Industry, better known as Foxconn, said Foxconn will build cars.",
                        published="2021-03-26")
    assert df["company"].unique().tolist() == ["Hon Hai Precision Industry"]
    assert df["ticker"].tolist() == ["2317.TW", "HNHPF"]


def test_volvo_parent_geely_names_both_once():
    df = extract_events("Baidu said it will partner with Volvo parent Geely.", published="2021-03-26")
    assert df["company"].unique().tolist() == ["Baidu", "Volvo Cars", "Geely Automobile"]


def test_company_table_is_consistent():
    table = company_table()
    names = [c.name for c in table]
    assert len(names) == len(set(names))
    tickers = [t for c in table for t in c.listings]
    assert len(tickers) == len(set(tickers))
    for c in table:
        assert c.listed == bool(c.listings), c.name
        assert c.kind in ("company", "media", "data")
    from analysis.data.exchanges import calendar_for
    for t in tickers:
        calendar_for(t)                    # every listing has a known exchange


def test_hang_seng_constituents_in_the_price_folder_are_in_the_table(prices_dir):
    listed = {t for c in company_table() for t in c.listings}
    hk = {p.stem for p in prices_dir.glob("*.HK.csv")} - {"2800.HK"}     # 2800.HK is an ETF
    assert hk <= listed


# -------------------------------------------------------------------------------- roles ----

def test_private_companies_are_unlisted_rows():
    df = extract_events("TikTok Expands AI Age-Detection Technology Across Europe\n"
                        "Anthropic Appoints Former Microsoft Executive Irina Ghose to Lead India Expansion")
    assert rows(df, "event_id", "company", "ticker", "exchange", "market", "role", "listed") == [
        ("h01-tiktok", "TikTok", "", "", "", "subject", False),
        ("h02-anthropic", "Anthropic", "", "", "", "subject", False),
        ("h02-MSFT", "Microsoft", "MSFT", "XNYS", "^GSPC", "mention", True),
    ]


def test_headline_naming_no_company_is_skipped():
    df = extract_events("One Percent Rule Checklist For Safer Forex Trading Risk")
    assert df.empty and tuple(df.columns) == COLUMNS
    assert df.attrs["skipped"] == [("h01", "One Percent Rule Checklist For Safer Forex Trading Risk")]


def test_lead_is_subject_background_and_see_also_are_mentions():
    text = ("Apple Inc. said on Tuesday it would buy back $110 billion of stock.\n\n"
            "Rival Samsung Electronics reported weaker chip sales last month.\n\n"
            "See Also: Nvidia Shares Slide After Earnings")
    df = extract_events(text, published="2024-05-03")
    got = rows(df.drop_duplicates("company"), "company", "role")
    assert got == [("Apple", "subject"), ("Samsung Electronics", "mention"), ("Nvidia", "mention")]


def test_news_source_is_a_mention_but_a_headline_about_it_is_a_subject():
    df = extract_events("Boeing plans to cut jobs, according to Bloomberg and Reuters reported it too.",
                        published="2024-05-03")
    assert rows(df.drop_duplicates("company"), "company", "role") == [
        ("Boeing", "subject"), ("Bloomberg", "mention"), ("Thomson Reuters", "mention")]
    df = extract_events("Thomson Reuters Raises Outlook as AI Products Gain")
    assert set(df["role"]) == {"subject"} and df["ticker"].tolist() == ["TRI", "TRI.TO"]


def test_title_then_article():
    text = ("Shell Beats Profit Forecasts\n\n"
            "LONDON, May 2, 2024 (Reuters) - Shell plc (LSE: SHEL) reported first-quarter profit above "
            "forecasts on Thursday, while rival BP said its profit fell.\n\n"
            "BP shares fell 2%.")
    df = extract_events(text)
    assert rows(df, "company", "ticker", "role") == [
        ("Shell", "SHEL.L", "subject"), ("Shell", "SHEL", "subject"),
        ("BP", "BP.L", "subject"), ("BP", "BP", "subject")]
    # the dateline anchors "Thursday" (2024-05-02 is a Thursday)
    assert (df["event_date"] == pd.Timestamp("2024-05-02")).all()
    assert (df["date_source"] == "relative weekday").all()
    assert (df["time_of_day"] == "unknown").all()
    assert df["evidence"].iloc[0] == "Shell Beats Profit Forecasts"


# -------------------------------------------------------------------------------- dates ----

@pytest.mark.parametrize("word, anchor, expected", [
    ("Thursday", FRI, dt.date(2021, 3, 25)),
    ("Friday", FRI, FRI),                                   # same day: that day
    ("Saturday", FRI, dt.date(2021, 3, 20)),
    ("Monday", dt.date(2021, 3, 29), dt.date(2021, 3, 29)),
    ("Sunday", dt.date(2021, 3, 29), dt.date(2021, 3, 28)),
])
def test_resolve_weekday(word, anchor, expected):
    assert resolve_weekday(word, anchor) == expected


def test_last_weekday_is_strictly_before():
    (hit,) = find_dates("shares closed lower last Friday", FRI)
    assert hit.date == dt.date(2021, 3, 19)


@pytest.mark.parametrize("sentence", [
    "The companies plan to announce the partnership as soon as early next week.",
    "The two companies reportedly plan to announce their partnership next week.",
    "Xiaomi plans to launch its first EV around 2023.",
    "to produce its first vehicle by the first quarter of 2022.",
    "Baidu said in January it will form an EV company.",
    "The company will report results on Friday.",
    "The deal is expected to close by March 31, 2021.",
    "Shareholders vote next Thursday.",
    "The offer runs until Friday.",
    "The launch is on April 30, 2021.",                     # after the publication date
])
def test_forward_looking_phrases_are_not_event_dates(sentence):
    assert find_dates(sentence, FRI) == []


@pytest.mark.parametrize("sentence, date, source", [
    ("On March 25, 2021, Xiaomi said", dt.date(2021, 3, 25), "explicit"),
    ("On Mar. 24, 2021 the firm said", dt.date(2021, 3, 24), "explicit"),
    ("it said on 24 March 2021", dt.date(2021, 3, 24), "explicit"),
    ("filed on 2021-03-23", dt.date(2021, 3, 23), "explicit"),
    ("announced on March 25", dt.date(2021, 3, 25), "explicit"),
    ("Reuters reported Thursday", dt.date(2021, 3, 25), "relative weekday"),
    ("reported by Reuters on Thursday", dt.date(2021, 3, 25), "relative weekday"),
])
def test_find_dates(sentence, date, source):
    hit = find_dates(sentence, FRI)[0]
    assert (hit.date, hit.source) == (date, source)


def test_weekday_needs_an_anchor():
    assert find_dates("Xiaomi rose on Friday", None) == []
    assert find_dates("On March 25, 2021, Xiaomi said", None)[0].date == dt.date(2021, 3, 25)


@pytest.mark.parametrize("text, date", [
    (" date 2021-03-26 Chinese smartphone maker", FRI),
    ("March 26, 2021 \u2014 Xiaomi said", FRI),
    ("HONG KONG, March 26, 2021 (Reuters) - Xiaomi said", FRI),
    ("HONG KONG, March 26 (Reuters) - Xiaomi said", None),         # no year: cannot be placed
    ("Xiaomi said on March 26, 2021 -", None),
])
def test_find_dateline(text, date):
    assert find_dateline(text)[0] == date


@pytest.mark.parametrize("sentence, label", [
    ("Nvidia reported results after the bell.", "after_close"),
    ("The company said after the close on Tuesday", "after_close"),
    ("shares jumped in after-hours trading", "after_close"),
    ("shares rose 5% after hours", "after_close"),
    ("The statement came before the open.", "before_open"),
    ("Tesla shares fell premarket", "before_open"),
    ("shares were up in pre-market trading", "before_open"),
    ("Xiaomi rose in the afternoon Friday trade", "during"),
    ("shares fell in afternoon trade", "during"),
    ("hit an intraday high", "during"),
    ("Xiaomi said it would build cars", "unknown"),
])
def test_time_words(sentence, label):
    assert time_of_day(sentence) == label


def test_clock_times():
    assert find_clock_time("said at 4:05 p.m. ET", None) == (16, 5, "America/New_York")
    assert find_clock_time("filed at 16:30 HKT", None) == (16, 30, "Asia/Hong_Kong")
    assert find_clock_time("at 9 a.m.", "Asia/Tokyo") == (9, 0, "Asia/Tokyo")
    assert find_clock_time("at 9 a.m.", None) is None
    assert find_clock_time("rose 9 percent to 25.90", "UTC") is None


def test_clock_time_sets_announced_at():
    df = extract_events("Nvidia said at 4:20 p.m. ET on Wednesday that revenue doubled.",
                        published="2024-05-23", tz="America/New_York")
    ts = df["announced_at"].iloc[0]
    assert ts == pd.Timestamp("2024-05-22 16:20", tz="America/New_York")
    assert (df["event_date"] == pd.Timestamp("2024-05-22")).all()
    assert (df["date_source"] == "relative weekday").all()
    # no prior-day guess when a time is given: the time of day is the clock's on the listing's
    # calendar (4:20 p.m. in New York is after the close; round twelve)
    assert (df["time_of_day"] == "after_close").all()


def test_publication_time_dates_but_does_not_time_the_news():
    df = extract_events("Walmart International CEO to Step Down",
                        published="2026-01-15T22:30-05:00", tz="Asia/Hong_Kong")
    assert df["date_source"].item() == "published"
    assert df["event_date"].item() == pd.Timestamp("2026-01-16")        # the date in tz
    assert df["announced_at"].isna().all() and df["time_of_day"].item() == "unknown"


def test_published_is_read_in_tz():
    # 01:00 UTC on the 26th is still the 25th in New York: "Thursday" is then the 25th itself
    df = extract_events("Boeing said Thursday it would cut output.", published="2021-03-26T01:00Z",
                        tz="America/New_York")
    assert df["event_date"].item() == pd.Timestamp("2021-03-25")
    assert df["time_of_day"].item() == "unknown"             # same day as publication: no guess


def test_prior_day_report_is_after_the_close():
    df = extract_events("Boeing said on Thursday it would cut output.", published="2021-03-26")
    assert df["event_date"].item() == pd.Timestamp("2021-03-25")
    assert df["time_of_day"].item() == "after_close"
    df = extract_events("Boeing said on Thursday before the open it would cut output.", published="2021-03-26")
    assert df["time_of_day"].item() == "before_open"         # words in the text win


def test_background_dates_do_not_move_the_event_date():
    text = ("Xiaomi shares rose on Friday.\n\n"
            "Xiaomi said in January it will launch a car around 2023, and on March 1, 2021 it hired staff.")
    df = extract_events(text, published="2021-03-26")
    assert (df["event_date"] == pd.Timestamp("2021-03-26")).all()


def test_sentences_split_but_not_at_abbreviations():
    text = "Baidu Inc. (NASDAQ: BIDU) rose. The U.S. market fell. Mr. Li said so."
    assert split_sentences(text) == ["Baidu Inc. (NASDAQ: BIDU) rose.", "The U.S. market fell.", "Mr. Li said so."]


# ------------------------------------------------------------- other news (generalisation) ----

def test_other_news_japan_tag_and_weekday():
    df = extract_events("TOKYO, May 8, 2024 (Reuters) - Toyota Motor Corp (TYO: 7203) forecast a 20% "
                        "drop in operating profit on Wednesday, sending its shares lower in afternoon trade.")
    assert rows(df, "company", "ticker", "exchange", "market", "role") == [
        ("Toyota Motor", "7203.T", "XTKS", "^N225", "subject"), ("Toyota Motor", "TM", "XNYS", "^GSPC", "subject")]
    assert df["event_date"].iloc[0] == pd.Timestamp("2024-05-08")
    assert df["time_of_day"].iloc[0] == "during"


def test_other_news_headlines_after_the_bell():
    text = ("Nvidia Shares Jump After the Bell as Data-Center Revenue Beats Estimates\n"
            "Microsoft and OpenAI Rework Partnership Terms\n"
            "Oil Prices Slip as Inventories Build")
    df = extract_events(text, published="2024-05-22", tz="America/New_York")
    assert rows(df, "event_id", "ticker", "listed", "time_of_day") == [
        ("h01-NVDA", "NVDA", True, "after_close"),
        ("h02-MSFT", "MSFT", True, "unknown"),
        ("h02-openai", "", False, "unknown"),
    ]
    assert df.attrs["skipped"] == [("h03", "Oil Prices Slip as Inventories Build")]


def test_other_news_cross_listed_bank_and_rival_mention():
    text = ("HSBC Holdings (HKEX: 5) said on Tuesday it would buy back up to $3 billion of shares, "
            "sending its Hong Kong stock up 3%.\n\n"
            "Rival Standard Chartered and Bank of China (Hong Kong) lagged.")
    df = extract_events(text, published="2024-04-30", tz="Asia/Hong_Kong")
    subj = df[df["role"] == "subject"]
    assert subj["ticker"].tolist() == ["0005.HK", "HSBA.L", "HSBC"]
    assert subj["exchange"].tolist() == ["XHKG", "XLON", "XNYS"]
    assert (subj["event_date"] == pd.Timestamp("2024-04-30")).all()
    # "Bank of China (Hong Kong)" is BOC Hong Kong, not its parent Bank of China
    assert set(df.loc[df["role"] == "mention", "company"]) == {"Standard Chartered", "BOC Hong Kong"}


def test_other_news_a_share_limit_up_and_szse_tag():
    df = extract_events("Midea Group (SZSE: 000333) and Kweichow Moutai (SSE: 600519) rose on Monday "
                        "before the open of Hong Kong trading.", published="2024-04-24")
    # Midea's Hong Kong shares (0300.HK) listed on 2024-09-17, after this April news: no row
    assert df["ticker"].tolist() == ["000333.SZ", "600519.SS"]
    assert df["event_date"].tolist() == [pd.Timestamp("2024-04-22")] * 2
    assert df["time_of_day"].tolist() == ["before_open"] * 2


# -------------------------------------------------------------------------- errors, CSV, CLI ----

@pytest.mark.parametrize("kwargs, match", [
    (dict(text="   \n "), "empty"),
    (dict(text="Apple rose.", published="not a date"), "not a date"),
    (dict(text="Apple rose.", tz="Mars/Olympus"), "Mars/Olympus"),
    (dict(text=None), "string"),
])
def test_bad_input_is_an_extraction_error(kwargs, match):
    with pytest.raises(ExtractionError, match=match):
        extract_events(**kwargs)


def test_csv_text_is_iso_and_reads_back():
    df = extract_events("Nvidia said at 4:20 p.m. ET on Wednesday that revenue doubled.\n\n"
                        "OpenAI was not mentioned in the filing.", published="2024-05-23")
    text = to_csv_text(df)
    lines = text.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert "NVDA,XNYS,^GSPC,subject,true,2024-05-22,2024-05-22T16:20:00-04:00,after_close,relative weekday" in lines[1]
    assert ",false," in lines[2]


def test_announced_at_survives_the_csv_round_trip(tmp_path):
    from analysis.events.table import read_events
    from analysis.events.extract import subjects

    df = extract_events("Nvidia said at 4:20 p.m. ET on Wednesday that revenue doubled.", published="2024-05-23")
    path = tmp_path / "events.csv"
    path.write_text(to_csv_text(subjects(df)), encoding="utf-8")
    ev = read_events(path)
    assert ev["announced_at"].item() == pd.Timestamp("2024-05-22 20:20", tz="UTC")


@pytest.fixture
def cli(capsys):
    """Run ``python -m analysis extract ...`` in-process (same entry point as the console script)."""
    from analysis.cli import main

    def run(*args):
        code = main(["extract", *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_cli_stdout_and_warning(tmp_path, cli):
    news = tmp_path / "news.txt"
    news.write_text("Boeing Reaches Tentative Labor Deal With SPEEA Workers\n"
                    "One Percent Rule Checklist For Safer Forex Trading Risk\n", encoding="utf-8")
    code, stdout, stderr = cli(str(news), "--published", "2026-01-15", "--tz", "America/New_York")
    assert code == 0, stderr
    out = stdout.splitlines()
    assert out[0] == ",".join(COLUMNS)
    assert out[1].startswith("h01-BA,Boeing,BA,XNYS,^GSPC,subject,true,2026-01-15,")
    assert len(out) == 2
    assert "warning: h02: no company named" in stderr


def test_cli_out_file(tmp_path, cli):
    news = tmp_path / "news.txt"
    news.write_text("Chevron Set to Expand Venezuela Operations", encoding="utf-8")
    out = tmp_path / "events.csv"
    code, stdout, stderr = cli(str(news), "--out", str(out))
    assert code == 0 and stdout == "" and "wrote 1 rows (1 listed subjects)" in stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("h01-CVX,Chevron,CVX,")


@pytest.mark.parametrize("args, message", [
    (["/no/such/news.txt"], "does not exist"),
    (["NEWS", "--published", "yesterday-ish"], "publication time"),
    (["NEWS", "--tz", "Nowhere/Land"], "unknown time zone"),
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, cli, args, message):
    news = tmp_path / "news.txt"
    news.write_text("Apple rose.", encoding="utf-8")
    code, stdout, stderr = cli(*[str(news) if a == "NEWS" else a for a in args])
    assert code == 2 and stdout == ""
    assert stderr.startswith("error: ") and message in stderr and stderr.count("\n") == 1


def test_headline_list_with_questions_crlf_and_bom():
    text = "\ufeffIs Tesla Overvalued After Its Rally?\r\nApple Unveils New iPad Lineup!\r\n"
    df = extract_events(text)
    assert rows(df, "event_id", "ticker", "role") == [("h01-TSLA", "TSLA", "subject"),
                                                      ("h02-AAPL", "AAPL", "subject")]


def test_article_then_headline_list_numbers_items_separately():
    text = ("Xiaomi shares rose on Friday.\nXiaomi plans to launch its first EV around 2023.\n\n\n"
            "Boeing Reaches Tentative Labor Deal\nWalmart CEO to Step Down\n")
    df = extract_events(text, published="2021-03-26")
    assert df["event_id"].tolist() == ["a01-1810.HK", "a01-XIACF", "h01-BA", "h02-WMT"]


def test_cli_subjects_only_is_readable_as_events(tmp_path, cli, shared_dir):
    from analysis.events.table import read_events

    out = tmp_path / "events.csv"
    seed = shared_dir / "seeds" / "article-xiaomi-and-headlines.txt"
    code, _, stderr = cli(str(seed), "--published", "2026-01-16", "--tz", "America/New_York",
                          "--subjects", "--out", str(out))
    assert code == 0, stderr
    ev = read_events(out)
    # mentions, private companies and over-the-counter lines (XIACF, GWLLF) left out
    assert len(ev) == 25 and "h07-MSFT" not in set(ev["event_id"]) and "a01-XIACF" not in set(ev["event_id"])
    assert set(ev["role"]) == {"subject"} and set(ev["listed"]) == {"true"}


def test_subjects_of_a_frame_read_back_from_csv():
    from analysis.events.extract import subjects

    df = extract_events("Anthropic Appoints Former Microsoft Executive\nBoeing Wins Order")
    back = pd.read_csv(io.StringIO(to_csv_text(df)), dtype=str, keep_default_na=False)
    assert subjects(back)["ticker"].tolist() == subjects(df)["ticker"].tolist() == ["BA"]


def test_news_company_reporting_its_own_results_is_a_subject():
    df = extract_events("Thomson Reuters reported a 5% rise in first-quarter revenue on Thursday.",
                        published="2024-05-02")
    assert set(df["role"]) == {"subject"}
    df = extract_events("Xiaomi plans EVs, Bloomberg News reported on Thursday.", published="2024-05-02")
    assert rows(df.drop_duplicates("company"), "company", "role") == [("Xiaomi", "subject"), ("Bloomberg", "mention")]


def test_dateline_without_year_takes_the_publication_year():
    text = "HONG KONG, March 26 (Reuters) - Xiaomi shares rose 6% on plans to build EVs."
    df = extract_events(text, published="2021-03-26T12:00", tz="Asia/Hong_Kong")
    assert df["date_source"].iloc[0] == "dateline" and df["event_date"].iloc[0] == pd.Timestamp("2021-03-26")
    assert extract_events(text)["date_source"].iloc[0] == "unknown"
    # the dateline text is not part of the evidence
    assert df["evidence"].iloc[0].startswith("Xiaomi shares rose")


def test_month_day_without_year_near_new_year():
    (hit,) = find_dates("Boeing said on Dec. 30 it would", dt.date(2026, 1, 2))
    assert hit.date == dt.date(2025, 12, 30)


def test_prior_day_convention_only_for_recent_reports():
    df = extract_events("Boeing said on Monday it would cut output.", published="2021-03-26")   # 4 days
    assert df["event_date"].item() == pd.Timestamp("2021-03-22")
    assert df["time_of_day"].item() == "unknown"
    df = extract_events("Boeing said on Friday it would cut output.", published="2021-03-29")   # weekend
    assert df["time_of_day"].item() == "after_close"


def test_dateline_with_city_and_state():
    date, end = find_dateline("CUPERTINO, Calif., May 2, 2024 (Reuters) - Apple Inc said")
    assert date == dt.date(2024, 5, 2)
    assert "CUPERTINO, Calif., May 2, 2024 (Reuters) - Apple Inc said"[end:].strip() == "Apple Inc said"


def test_title_on_the_first_line_of_an_article_block():
    text = ("Shell Beats Profit Forecasts\n"
            "Shell plc (LSE: SHEL) reported first-quarter profit above forecasts on Thursday.\n"
            "Rival BP said its profit fell.")
    df = extract_events(text, published="2024-05-02")
    assert rows(df.drop_duplicates("company"), "company", "role") == [("Shell", "subject"), ("BP", "mention")]
    assert df["evidence"].iloc[0] == "Shell Beats Profit Forecasts"
    assert (df["date_source"] == "relative weekday").all()


def test_venue_words_and_money_are_not_companies():
    # "HKEX" and "SAIC" alone are ambiguous (the venue; the US contractor), "$3M" is money
    assert _names("Xiaomi shares on HKEX rose after it raised $3M; SAIC won a contract") == ["Xiaomi"]
    assert _names("3M and Hong Kong Exchanges and Clearing") == ["3M", "Hong Kong Exchanges and Clearing"]


def test_bulleted_and_numbered_headlines():
    df = extract_events("- Boeing Wins Order\n2. Airbus Delays Jet\n\u2022 Oil Slips")
    assert df["event_id"].tolist() == ["h01-BA", "h02-AIR.PA"]
    assert df.attrs["skipped"] == [("h03", "Oil Slips")]
