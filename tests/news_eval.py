"""Held-out evaluation of news extraction on ``tests/data/news`` (issue 19).

The texts there (wire-style articles and headline lists about real, well-known corporate events,
with their true dates) and the expected events beside each (``<name>.csv``) were written before
the extraction was tuned for issue 19, and were not changed afterwards. ``index.csv`` gives each
text's publication time and zone. ``traps-heldout.txt`` is a list of sentences in which a
company name is something else (a person, a place, a fruit, an index): none may give a row.

Scores (``python tests/news_eval.py`` prints them):

* subjects found: an expected subject counts when a row of that news item is a listed subject
  with the expected home listing (the first of ``tickers``);
* false subjects: listed subject rows (``listed`` true, so studied) whose ticker is not a listing
  of an expected subject of that item (an OTC line emitted as listed counts here);
* dates / times / day 0: on the found home-listing row, ``event_date`` and ``time_of_day``
  where the expected CSV states them, and day 0 on the home listing's exchange calendar
  (:func:`analysis.events.timing.time_events`) where it states one;
* mentions found: an expected mention appears in the item with any role (by ticker, or by
  name for a private company);
* traps: trap sentences that give no row at all.

``python tests/news_eval.py --broad`` scores the second held-out set, ``tests/data/news-broad``
(texts about companies outside the index constituents, and ``traps.txt``: ordinary sentences
full of capitalised words), written before the broad company universe was built.

``python tests/news_eval.py --third`` scores the third held-out set, ``tests/data/news-third``
(wire texts and headline lists of 2022-2025 about a European mid cap quoted by its Reuters
code, a French mid cap quoted ``EPA: UBI``, Korean, Japanese and Hong Kong companies, US small
caps, companies named by ordinary words such as Snap and Target, announcement and reaction on
different days, Chinese headlines; and ``traps.txt``), committed before the extraction was
changed for it.

``python tests/news_eval.py --fourth`` scores the fourth held-out set, ``tests/data/news-fourth``
(a Brazilian company with its New York ADR, an Australian miner as ``ASX: LTR``, a Tokyo debut
under a new letter code ``285A.T``, a Hong Kong debut of a Shenzhen-listed company, a takeover
with both shares moving and banks as advisers, US companies named by ordinary words (Gap, Visa,
Block), a governor who shares a company's name, results after Thursday's close moving shares on
Friday, Chinese headlines with codes; and 30 new ``traps.txt``), also committed before the
extraction was changed for it. ``python tests/news_eval.py --fifth`` scores the fifth,
``tests/data/news-fifth`` (a London profit warning as ``LSE: BRBY``, a Frankfurt one as ``ETR:
ENR`` with a delisted unit, Copenhagen with a ``0930 GMT`` time, a Mumbai debut as ``NSE:
HYUNDAI``, a short seller's target, a spin-off where parent and new company both trade, results
compared with rivals, Twitter named by one ordinary word, Japanese headlines, a Chinese
``公告`` of an A+H company before a holiday; 30 new ``traps.txt``), committed before the
extraction was changed for it. ``python tests/news_eval.py --sixth`` scores the sixth,
``tests/data/news-sixth`` (news naming three or more listed companies of which one or two moved:
an S&P 500 change where added and removed companies move, an analyst's downgrade, a lawsuit by
a regulator and one between three companies, a regulator fining a bank with rivals named, a
Japanese joint venture, a chipmaker with its customers and rivals, a memory supplier to Nvidia,
a Chinese product launch compared with a rival's, a US/Japan/Hong Kong/Taiwan headline list;
30 new ``traps.txt``), committed before the extraction was changed for it. ``python
tests/news_eval.py --seventh`` scores the seventh, ``tests/data/news-seventh`` (a company's own
press release with an advisers section and forward-looking boilerplate, a market wrap naming
movers and non-movers, Chinese paragraphs about Hong Kong/Shanghai listed companies with
``09988.HK``-style codes, Japanese headlines, products and places that carry a company's name
("Microsoft Windows", "Apple Music", "Google Maps", "Tesla Model Y", "Ford Foundation"),
companies by former names (Twitter, "Facebook parent", Paramount Global), takeovers with bidder
and target, a debut of a company in no table; 31 new ``traps.txt``), committed before the
extraction was changed for it. A key row with role ``noted`` is a listed company no table knows,
named without a symbol: it must be named in the item's notes and give no row. ``python
tests/news_eval.py --eighth`` scores the eighth, ``tests/data/news-eighth`` (European companies in
wire style quoted as ``ASML.AS``, ``EPA: MC``, ``CPH: NOVO B``, ``LSE: BP.``, a regulator's fine and a
judge's ruling, an analyst's upgrade, an earnings-season wrap with reporters and companies due to
report, Hong Kong/China and Korea stories, a bankruptcy with delisting, an index change where
added and removed companies move, a European headline list with several companies a line; 30
new ``traps.txt``: teams, foundations, people, places, products, "X-style", "X effect"),
committed before the extraction was changed for it. ``python tests/news_eval.py --ninth`` scores the
ninth, ``tests/data/news-ninth`` (Japanese companies in wire style with Tokyo codes, Australian
companies quoted ``ASX: CBA`` and a dual listing, Canadian cross-listings, mainland A-shares with
Shanghai/Shenzhen times, IPO days in New York and Tokyo, a dividend and buyback, a CEO departure,
profit warnings before the open in London and after the close in Tokyo, an Asian morning headline
list with "overnight" US moves, lenders, advisers, customers and suppliers; 30 new ``traps.txt``:
rivers, people, "X Cup", "X Prize", songs, films, ships, stadiums, brand-as-adjective), committed
before the extraction was changed for it. ``python tests/news_eval.py --tenth`` scores the tenth,
``tests/data/news-tenth`` (a long Bloomberg-style article with many bystanders: analysts' banks,
rivals that moved in sympathy, customers, an index; a London broker's morning note with
Bloomberg codes ``RR/ LN``; a midday movers list; a Chinese paragraph and Korean and Japanese
headlines; an earnings scorecard whose times of day are stated in a later paragraph; social
media posts with cashtags; a company named by one word ("Shares of Carnival"); a Fed story where
banks are only sources of forecasts; a product with an article ("A Tesla Cybertruck"); a private
bidder and a former name; a delisted company; 32 new ``traps.txt``), committed before the
extraction was changed for it. ``python tests/news_eval.py --eleventh`` scores the eleventh,
``tests/data/news-eleventh`` (Nordic companies quoted ``ORSTED.CO``, ``HEL: NOKIA`` and by name with
``Ø``; Indian companies in a Mumbai article and a headline list; European names with accents
(L'Oréal, Nestlé, Hermès, Kühne+Nagel) and a Reuters code ``PUMG.DE``; a Nasdaq debut; a takeover
with both sides; profit warnings after the close with the reaction next day; a US market wrap in
which investors dump or pile into companies, with times of day in a later paragraph; customers and
suppliers in explanatory clauses; buildings, venues and stores named after companies; a Hong Kong
debut in Chinese; 31 new ``traps.txt``: venues, people named like companies, Nordic and Indian
company names that are ordinary words), committed before the extraction was changed for it.
``python tests/news_eval.py --twelfth`` scores the twelfth, ``tests/data/news-twelfth`` (companies
quoted on exchanges the earlier sets touched little: ``BIT: ISP`` and ``UCG.MI`` in Milan, ``BME:
GRF`` in Madrid, ``AMS: PHIA``, ``TSX: CNR``/``TSX: CP``/``TSX: BCE``, ``ASX: QAN``, ``TWSE: 2330``,
``SGX: D05`` and ``SIX: ROG`` as bystanders, an A-share ``603259.SH`` beside its H share in a Chinese
paragraph; event kinds: a CEO's exit announced on a Sunday with the reaction on Monday, a windfall
tax announced after Monday's close, a regulator's draft rules, results released during the Hong
Kong lunch break (before the London open of the home listing), a short seller's report, a recall
settlement, a rail lockout at 12:01 a.m. Eastern, a dividend cut, an earthquake before the Taipei
open, an FDA approval, a cyberattack's cost given at 0600 GMT, a bankruptcy of a private company
whose listed investors are only bystanders, a crash in India before the New York open, an index
reconstitution after Friday's close, a headline list about a weekend rescue; 33 new ``traps.txt``:
venues, places, rivers, films, plants, people, an index and Chinese words that carry a company's
name), committed before the extraction was changed for it.
``python tests/news_eval.py --thirteenth`` scores the thirteenth, ``tests/data/news-thirteenth``
(an earnings story with consensus "according to LSEG data" and results after the bell; a Title
Case headline list of a global selloff with movers in New York, Tokyo ("during Asian hours") and
Amsterdam and companies due to report; a Hong Kong wrap with ``0388.HK``-style codes, movers,
laggards and a suspended developer, the measures announced at ``0100 GMT`` before the open; a US
mid cap takeover whose target is named by its short name (Capri) with the bidder's shares falling;
a Japanese article about a buyback and merger talks announced after Monday's Tokyo close; a Korean
chaebol affiliate's debut ``373220.KS``; an Indian debut ``NSE: SWIGGY``; ``SIX: CFR`` with
sympathy movers in Paris; a Canadian miner ``TSX: TECK.B`` rejecting a bid from ``LSE: GLEN``
before the open; a Brazilian company with its ADR after a Friday disaster on a Sao Paulo holiday
and a Monday reaction; a trial readout after the US close moving ``BIIB``, ``TYO: 4523`` and a
Stockholm biotech ``STO: BIOA B`` with sympathy movers; a retailer's guidance cut before the bell
in pre-market trading; a short seller's report; S&P 500 additions and deletions after Friday's
close with a Labor Day Monday and a company left out; an announcement at a Saturday annual meeting
with the reaction on Monday; a London profit warning at ``0700 GMT``; 33 new ``traps.txt``: sports
teams and tournaments named after companies, people, places, animals, a unit, a cosmetic, indexes,
and Chinese, Korean and Japanese words that carry a company's name), committed before the
extraction was changed for it.
``--set DIR`` scores any folder of the same layout (``index.csv``, the texts
with their ``.csv`` beside them, and ``traps.txt``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

NEWS = Path(__file__).resolve().parent / "data" / "news"
# a second held-out set (issue 19, broad universe): companies that are not index members in
# pytickersymbols (mid caps, delisted, foreign mid caps) and ordinary sentences full of capitalised
# words; written before the broad company universe was built or tuned
NEWS_BROAD = NEWS.parent / "news-broad"
# a third held-out set, written and committed before the extraction was changed for it
NEWS_THIRD = NEWS.parent / "news-third"
# a fourth held-out set, written and committed before the extraction was changed for it
NEWS_FOURTH = NEWS.parent / "news-fourth"
# a fifth held-out set, written and committed before the extraction was changed for it
NEWS_FIFTH = NEWS.parent / "news-fifth"
# a sixth held-out set, written and committed before the extraction was changed for it
NEWS_SIXTH = NEWS.parent / "news-sixth"
# a seventh held-out set, written and committed before the extraction was changed for it
NEWS_SEVENTH = NEWS.parent / "news-seventh"
# an eighth held-out set, written and committed before the extraction was changed for it
NEWS_EIGHTH = NEWS.parent / "news-eighth"
# a ninth held-out set, written and committed before the extraction was changed for it
NEWS_NINTH = NEWS.parent / "news-ninth"
# a tenth held-out set, written and committed before the extraction was changed for it
NEWS_TENTH = NEWS.parent / "news-tenth"
# an eleventh held-out set, written and committed before the extraction was changed for it
NEWS_ELEVENTH = NEWS.parent / "news-eleventh"
# a twelfth held-out set, written and committed before the extraction was changed for it
NEWS_TWELFTH = NEWS.parent / "news-twelfth"
# a thirteenth held-out set, written and committed before the extraction was changed for it
NEWS_THIRTEENTH = NEWS.parent / "news-thirteenth"


@dataclass
class Score:
    subjects: int = 0
    subjects_found: int = 0
    false_subjects: list = field(default_factory=list)
    dates: int = 0
    dates_right: int = 0
    times: int = 0
    times_right: int = 0
    day0s: int = 0
    day0s_right: int = 0
    mentions: int = 0
    mentions_found: int = 0
    noted: int = 0
    noted_found: int = 0
    traps: int = 0
    traps_clean: int = 0
    misses: list = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"subjects found   {self.subjects_found}/{self.subjects}",
            f"false subjects   {len(self.false_subjects)}",
            f"dates right      {self.dates_right}/{self.dates}",
            f"times right      {self.times_right}/{self.times}",
            f"day 0 right      {self.day0s_right}/{self.day0s}",
            f"mentions found   {self.mentions_found}/{self.mentions}",
            f"noted, no row    {self.noted_found}/{self.noted}",
            f"traps clean      {self.traps_clean}/{self.traps}",
        ]


def _listed_true(value) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


def _day0(row: pd.Series):
    from analysis.events.timing import time_events

    timed = time_events(pd.DataFrame([row]).reset_index(drop=True))
    return timed["day0"].iloc[0]


def score_file(name: str, published: str, tz: str, score: Score, folder: Path = NEWS) -> None:
    from analysis.events.extract import extract_events

    text = (folder / name).read_text(encoding="utf-8")
    expected = pd.read_csv(folder / name.replace(".txt", ".csv"), dtype=str, keep_default_na=False)
    df = extract_events(text, published=published, tz=tz)
    item_of = df["event_id"].str.split("-", n=1).str[0]
    for item, exp in expected.groupby("item", sort=False):
        got = df[item_of == item]
        studied = got[(got["role"] == "subject") & got["listed"].map(_listed_true)]
        subj = exp[exp["role"] == "subject"]
        allowed = {t for ts in subj["tickers"] for t in ts.split()}
        for r in studied.itertuples():
            if r.ticker not in allowed:
                score.false_subjects.append(f"{name}:{item}:{r.ticker} ({r.company})")
        for e in subj.itertuples():
            score.subjects += 1
            home = e.tickers.split()[0]
            hit = studied[studied["ticker"] == home]
            if hit.empty:
                score.misses.append(f"{name}:{item}: subject {e.company} ({home}) not found")
                score.dates += not _blank(e.event_date)         # a missed subject's date is wrong too
                score.times += not _blank(e.time_of_day)
                score.day0s += not _blank(e.day0)
                continue
            score.subjects_found += 1
            row = hit.iloc[0]
            if not _blank(e.event_date):
                score.dates += 1
                ok = not pd.isna(row["event_date"]) and row["event_date"] == pd.Timestamp(e.event_date)
                score.dates_right += ok
                if not ok:
                    score.misses.append(f"{name}:{item}: {home} event_date {row['event_date']} != {e.event_date}")
            if not _blank(e.time_of_day):
                score.times += 1
                ok = row["time_of_day"] == e.time_of_day
                score.times_right += ok
                if not ok:
                    score.misses.append(f"{name}:{item}: {home} time_of_day {row['time_of_day']} != {e.time_of_day}")
            if not _blank(e.day0):
                score.day0s += 1
                day0 = _day0(row)
                ok = not pd.isna(day0) and day0 == pd.Timestamp(e.day0)
                score.day0s_right += ok
                if not ok:
                    score.misses.append(f"{name}:{item}: {home} day0 {day0} != {e.day0}")
        for e in exp[exp["role"] == "mention"].itertuples():
            score.mentions += 1
            tickers = e.tickers.split()
            if tickers:
                ok = bool(set(got["ticker"]) & set(tickers))
            else:
                ok = got["company"].str.contains(e.company, regex=False).any()
            score.mentions_found += ok
            if not ok:
                score.misses.append(f"{name}:{item}: mention {e.company} not found")
    for e in exp_noted(expected):
        # a listed company no table knows, named without a symbol: it must be named in the notes
        # (attrs "unresolved"/"notes") of its item, and give no row (never an invented listing)
        score.noted += 1
        said = [n for i, n in df.attrs.get("unresolved", []) if i == e.item]
        said += [n for n in df.attrs.get("notes", []) if n.startswith(f"{e.item}:")]
        rows = df[(item_of == e.item) & df["company"].str.contains(e.company, regex=False)]
        ok = any(e.company in n or n in e.company for n in said) and rows.empty
        score.noted_found += ok
        if not ok:
            score.misses.append(f"{name}:{e.item}: {e.company} not noted (or given a row)")
    for item in sorted(set(item_of) - set(expected["item"])):
        got = df[item_of == item]
        for r in got[(got["role"] == "subject") & got["listed"].map(_listed_true)].itertuples():
            score.false_subjects.append(f"{name}:{item}:{r.ticker} ({r.company})")


def exp_noted(expected: pd.DataFrame):
    return expected[expected["role"] == "noted"].itertuples()


def score_traps(path: Path, score: Score) -> None:
    from analysis.events.extract import extract_events

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        score.traps += 1
        df = extract_events(line, published="2024-06-03")
        if df.empty:
            score.traps_clean += 1
        else:
            score.misses.append(f"trap: {line} -> {sorted(set(df['company']))}")


def evaluate(traps: str = "traps-heldout.txt", folder: Path = NEWS) -> Score:
    score = Score()
    index = pd.read_csv(folder / "index.csv", dtype=str, keep_default_na=False)
    for r in index.itertuples():
        score_file(r.file, r.published, r.tz, score, folder)
    score_traps(folder / traps, score)
    return score


if __name__ == "__main__":
    # python tests/news_eval.py [TRAPS]      the first held-out set (traps-heldout.txt by default)
    # python tests/news_eval.py --broad      the second held-out set (tests/data/news-broad)
    # python tests/news_eval.py --third      the third held-out set (tests/data/news-third)
    # python tests/news_eval.py --fourth     the fourth held-out set (tests/data/news-fourth)
    # python tests/news_eval.py --fifth      the fifth held-out set (tests/data/news-fifth)
    # python tests/news_eval.py --sixth      the sixth held-out set (tests/data/news-sixth)
    # python tests/news_eval.py --seventh    the seventh held-out set (tests/data/news-seventh)
    # python tests/news_eval.py --eighth     the eighth held-out set (tests/data/news-eighth)
    # python tests/news_eval.py --ninth      the ninth held-out set (tests/data/news-ninth)
    # python tests/news_eval.py --tenth      the tenth held-out set (tests/data/news-tenth)
    # python tests/news_eval.py --eleventh   the eleventh held-out set (tests/data/news-eleventh)
    # python tests/news_eval.py --twelfth    the twelfth held-out set (tests/data/news-twelfth)
    # python tests/news_eval.py --thirteenth the thirteenth held-out set (tests/data/news-thirteenth)
    # python tests/news_eval.py --set DIR    any folder of the same layout (traps.txt)
    args = sys.argv[1:]
    if args[:1] == ["--broad"]:
        s = evaluate("traps.txt", NEWS_BROAD)
    elif args[:1] == ["--third"]:
        s = evaluate("traps.txt", NEWS_THIRD)
    elif args[:1] == ["--fourth"]:
        s = evaluate("traps.txt", NEWS_FOURTH)
    elif args[:1] == ["--fifth"]:
        s = evaluate("traps.txt", NEWS_FIFTH)
    elif args[:1] == ["--sixth"]:
        s = evaluate("traps.txt", NEWS_SIXTH)
    elif args[:1] == ["--seventh"]:
        s = evaluate("traps.txt", NEWS_SEVENTH)
    elif args[:1] == ["--eighth"]:
        s = evaluate("traps.txt", NEWS_EIGHTH)
    elif args[:1] == ["--ninth"]:
        s = evaluate("traps.txt", NEWS_NINTH)
    elif args[:1] == ["--tenth"]:
        s = evaluate("traps.txt", NEWS_TENTH)
    elif args[:1] == ["--eleventh"]:
        s = evaluate("traps.txt", NEWS_ELEVENTH)
    elif args[:1] == ["--twelfth"]:
        s = evaluate("traps.txt", NEWS_TWELFTH)
    elif args[:1] == ["--thirteenth"]:
        s = evaluate("traps.txt", NEWS_THIRTEENTH)
    elif args[:1] == ["--set"] and len(args) == 2:
        s = evaluate("traps.txt", Path(args[1]))
    else:
        s = evaluate(*args)
    print("\n".join(s.lines()))
    for f in s.false_subjects:
        print("false subject:", f)
    for m in s.misses:
        print(m)
