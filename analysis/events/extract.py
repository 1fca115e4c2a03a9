"""News text to an events table: one row per listing of every company a text names.

``extract_events(text, published=None, tz=None)`` reads an article, a list of headlines (one per
line), or an article followed by a blank-line separated headline list, and returns the columns
:data:`COLUMNS` (issue 4, "Extraction"). The rows feed :func:`analysis.events.timing.time_events` and
the batch command unchanged: tickers are Yahoo symbols, ``exchange`` is the exchange_calendars
name and ``market`` the default benchmark of the listing (both from :mod:`analysis.events.timing`).

Text layout
    Blocks are separated by blank lines. A block of two or more lines none of which ends like a
    sentence (with ``.`` or ``\u2026``; ``?`` and ``!`` end headlines too) and none longer than 30
    words is a headline list (leading bullets and numbers dropped): each line is one news item
    (``h01``, ``h02``, ... numbered in order across the text). Every other block belongs to an
    article (``a01``, ...); in an article each line is a paragraph. A single unpunctuated line
    opening the text and followed by article text is the article's title (so is an unpunctuated
    first line of an article block); a text that is one unpunctuated line is one headline.
    Consecutive article blocks are one article: separate two articles by a headline list or
    extract them one at a time.

Roles (studies use ``subject`` rows)
    * ``subject``: named in a headline, the article title, or the lead (the first sentence of
      the article body, the one that carries the news);
    * ``mention``: everything else: background paragraphs, rivals listed for context,
      "See Also" / "Read Next" / "Click here" lines, a company named as someone's *former*
      employer ("Former Microsoft Executive"), and a news agency or publisher cited as the
      source ("Reuters reported", "according to Bloomberg", "Benzinga's EV Hub").
    A company is one row per listing per news item, with its strongest role; ``evidence`` is the
    sentence that decided the role. Trade unions and agencies of government are not companies.

Dates and times (see :mod:`analysis.events.textdates` for the phrases)
    The anchor is ``published`` (in ``tz``) when given, else the article's dateline. The event
    date is the first non-forward-looking date in the title/lead (``explicit`` or ``relative
    weekday``, the latter needing an anchor), else the dateline (``dateline``), else the
    publication date (``published``), else missing (``unknown``). Forward-looking phrases
    ("as soon as early next week", "around 2023", "by the first quarter of 2022") and month-only
    background ("said in January") never set it. ``time_of_day`` comes from time words in the
    title/lead. ``announced_at`` is filled only when the text gives a clock time (in the title or
    lead, with a zone word or ``tz``); a publication *time* only places the publication date in
    ``tz`` (it bounds the announcement from above but does not date it).

    Prior-day convention: news dated one to three days *before* the publication day with no time
    given ("Reuters reported Thursday" in an article published Friday; Friday news in a Monday
    article) is timed ``after_close`` on that date. The outlet reports it as overnight news, and
    the date-only convention (day 0 = that date) would put day 0 a session early on every
    exchange in a later time zone (a New York report on Thursday is Friday in Hong Kong). With
    :mod:`analysis.events.timing` this gives day 0 = the next session on every listing (seed: 2021-03-26
    on XHKG, XSHG and for the US OTC lines). If the news in fact came during the earlier session,
    the reaction sits on day -1, which the usual (-1, +1) window still covers (event-date
    uncertainty: MacKinlay 1997, section 3; Campbell, Lo & MacKinlay 1997, ch. 4.2). The row says
    so: ``time_of_day`` is ``after_close`` and ``date_source`` keeps where the date came from.

Headlines and articles naming no company give no rows; they are listed in
``result.attrs["skipped"]`` as ``(item_id, text)`` pairs (the CLI warns on standard error).
"""

from __future__ import annotations

import datetime as _dt
import re
import zoneinfo
from dataclasses import dataclass, field

import pandas as pd

from .companies import Company, company_by_ticker, find_names, find_tags, listing_venue
from ..errors import ExtractionError
from .textdates import find_clock_time, find_dateline, find_dates, time_of_day

COLUMNS = ("event_id", "company", "ticker", "exchange", "market", "role", "listed", "event_date",
           "announced_at", "time_of_day", "date_source", "evidence")
PRIOR_DAY_MAX_DAYS = 3      # prior-day convention: reports up to 3 days old (Friday news in a Monday paper)
DATE_SOURCES = ("explicit", "dateline", "relative weekday", "published", "unknown")

_SENTENCE_END = re.compile(r"[.\u2026][\"'\u201d\u2019)]*$")     # "?" / "!" end headlines too
_BOILERPLATE = re.compile(
    r"^\s*(?:See\s+Also|Read\s+Next|Read\s+More|Also\s+Read|Related(?:\s+Links?)?|Don['\u2019]t\s+Miss|"
    r"Click\s+here|Photo|Image|Source|Disclaimer|Subscribe|Sign\s+up)\b", re.IGNORECASE)
_ABBREV = {"inc.", "corp.", "co.", "ltd.", "plc.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "jr.",
           "sr.", "bros.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.",
           "oct.", "nov.", "dec.", "vs.", "calif.", "corp.,", "approx.", "est.", "dept.", "gov.",
           "sen.", "rep.", "gen.", "s.a.", "n.v.", "a.g."}
_BOUNDARY = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014]\s+|\d{1,3}[.)]\s+)")
_FORMER = re.compile(r"(?:\b(?:former|ex)\s+|\bex-)$", re.IGNORECASE)
# "Reuters reported Thursday", "(Reuters)", "Benzinga's EV Hub" -- but not "Thomson Reuters reported a
# 5% rise in revenue", where the company reports its own results
_ATTRIB_AFTER = re.compile(
    r"^(?:\s+News)?(?:['\u2019]s\s+\w+\s+Hub|\)|\s+(?:first\s+)?(?:reported|reports|wrote|writes|cited)\b"
    r"(?!\s+(?:a|an|its|the|higher|lower|record|net|quarterly|annual|first|second|third|fourth|full|"
    r"revenue|profit|earnings|sales|results|\d)\b))", re.IGNORECASE)
_ATTRIB_BEFORE = re.compile(r"(?:\b(?:according\s+to|told|citing|per|via|by|to)\s+(?:the\s+)?|\()$",
                            re.IGNORECASE)
_NAME_BEFORE_TAG = re.compile(
    r"((?:[A-Z0-9][\w.&'\u2019\-]*)(?:,?\s+(?:[A-Z0-9][\w.&'\u2019\-]*|&|of|and|de|la))*)[\s,]*$")


@dataclass
class _Item:
    """One news item: an article or a headline."""

    id: str
    kind: str                                   # "article" | "headline"
    sentences: list[tuple[str, str]] = field(default_factory=list)   # (sentence, "subject"|"mention"|"boiler")
    dateline: _dt.date | None = None
    text: str = ""
    has_lead: bool = False


# ---------------------------------------------------------------------------------- layout ----

def _headline_like(line: str) -> bool:
    return bool(line) and not _SENTENCE_END.search(line) and len(line.split()) <= 30


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph; abbreviations ("Inc.", "U.S.", "Co.") do not end a sentence."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(paragraph):
        before = paragraph[start:m.start() + 1].split()
        last = before[-1].lower() if before else ""
        if last in _ABBREV or re.fullmatch(r"(?:[a-z]\.){1,3}", last):
            continue
        out.append(paragraph[start:m.start() + len(m.group(0)) - len(m.group(0).lstrip("\"'\u201d\u2019)"))].strip())
        start = m.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def split_items(text: str, anchor: _dt.date | None = None) -> list[_Item]:
    """Articles and headlines of a text, in order (see the module docstring for the layout)."""
    blocks = [[_BULLET.sub("", ln).strip() for ln in b.splitlines() if _BULLET.sub("", ln).strip()]
              for b in re.split(r"\n[ \t\u00a0]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))]
    blocks = [b for b in blocks if b]
    items: list[_Item] = []
    article: _Item | None = None
    n_articles = n_headlines = 0

    def headline(line: str) -> None:
        nonlocal n_headlines
        n_headlines += 1
        items.append(_Item(f"h{n_headlines:02d}", "headline", [(line, "subject")], text=line))

    for i, block in enumerate(blocks):
        is_list = len(block) >= 2 and all(_headline_like(ln) for ln in block)
        single_title = len(block) == 1 and _headline_like(block[0])
        followed_by_article = i + 1 < len(blocks) and not all(_headline_like(ln) for ln in blocks[i + 1])
        if is_list or (single_title and article is None and not followed_by_article):
            article = None
            for line in block:
                headline(line)
            continue
        if article is None:
            n_articles += 1
            article = _Item(f"a{n_articles:02d}", "article")
            items.append(article)
            if single_title:
                article.sentences.append((block[0], "subject"))          # the title
                article.text = block[0]
                continue
        for j, line in enumerate(block):
            if not article.sentences and j + 1 < len(block) and _headline_like(line):
                article.sentences.append((line, "subject"))          # a title on the first line
                article.text = line
                continue
            if not article.has_lead:
                # first body paragraph: dateline, then the lead sentence
                dateline, end = find_dateline(line, anchor)
                if dateline is not None:
                    article.dateline = dateline
                    line = line[end:].strip()
                sentences = split_sentences(line)
                if not sentences:            # a dateline on a line of its own
                    continue
                article.sentences.append((sentences[0], "subject"))
                article.text = article.text or sentences[0]
                article.has_lead = True
                article.sentences.extend((s, "mention") for s in sentences[1:])
                continue
            role = "boiler" if _BOILERPLATE.match(line) else "mention"
            article.sentences.extend((s, role) for s in split_sentences(line))
    return items


# ------------------------------------------------------------------------------- companies ----

@dataclass
class _Found:
    company: Company
    role: str
    evidence: str
    order: tuple[int, int]
    extra: list[str] = field(default_factory=list)


def _adhoc_name(before: str, ticker: str) -> str:
    m = _NAME_BEFORE_TAG.search(before)
    name = m.group(1) if m else ""
    name = re.sub(r"['\u2019]s$", "", name.strip().rstrip(","))
    name = re.sub(r"^(?:(?:Shares|Stock|Units)\s+of|The|Rivals?|Peers?)\s+", "", name)
    return name or ticker


def _companies(sentence: str) -> list[tuple[int, Company, str, list[str]]]:
    """Companies in one sentence: ``(position, company, context_flag, extra_tickers)``.

    ``context_flag`` is ``"former"`` or ``"source"`` when the name is a former employer or a
    cited news source, else ``""``.
    """
    tags = find_tags(sentence)
    masked = sentence
    for s, e, _ in tags:
        masked = masked[:s] + " " * (e - s) + masked[e:]
    names = find_names(masked)
    out: dict[str, list] = {}
    for s, e, c in names:
        flag = ""
        if _FORMER.search(masked[max(0, s - 12):s]):
            flag = "former"
        elif c.kind == "media" and (_ATTRIB_AFTER.match(masked[e:e + 30])
                                    or _ATTRIB_BEFORE.search(masked[max(0, s - 20):s])):
            flag = "source"
        if c.name in out:
            # the strongest context wins: a plain naming beats "former"/"source"
            if out[c.name][2] and not flag:
                out[c.name][2] = ""
            continue
        out[c.name] = [s, c, flag, []]
    for s, e, pairs in tags:
        for _venue, ticker in pairs:
            known = company_by_ticker(ticker)
            if known is not None:
                if known.name not in out:
                    out[known.name] = [s, known, "", []]
                continue
            # an unknown ticker: it belongs to the name just before the tag, if that is a company
            owner = next((c for ns, ne, c in names if 0 <= s - ne <= 3), None)
            if owner is None:
                before = masked[:s]
                name = _adhoc_name(before, ticker)
                owner = Company(name, (name,), (), True)
                start = s - len(before) + len(before.rstrip()) - len(name)
                out.setdefault(owner.name, [max(0, start), owner, "", []])
            entry = out.setdefault(owner.name, [s, owner, "", []])
            if ticker not in entry[1].listings and ticker not in entry[3]:
                entry[3].append(ticker)
    return sorted(((v[0], v[1], v[2], v[3]) for v in out.values()), key=lambda v: v[0])


def _item_companies(item: _Item) -> list[_Found]:
    found: dict[str, _Found] = {}
    for k, (sentence, where) in enumerate(item.sentences):
        for pos, company, flag, extra in _companies(sentence):
            role = "subject" if where == "subject" and not flag else "mention"
            f = found.get(company.name)
            if f is None:
                found[company.name] = _Found(company, role, sentence, (k, pos), list(extra))
                continue
            f.extra.extend(t for t in extra if t not in f.extra)
            if role == "subject" and f.role != "subject":
                f.role, f.evidence = "subject", sentence
    return sorted(found.values(), key=lambda f: f.order)


# ------------------------------------------------------------------------------------ dates ----

def _zone(tz: str | None) -> zoneinfo.ZoneInfo | None:
    if tz is None or (isinstance(tz, str) and not tz.strip()):
        return None
    try:
        return zoneinfo.ZoneInfo(str(tz).strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ExtractionError(f"unknown time zone {tz!r} (expected an IANA name such as America/New_York)") from None


def parse_published(published, tz: str | None = None) -> tuple[_dt.date | None, pd.Timestamp | None]:
    """``(publication date in tz, publication instant or None when only a date was given)``."""
    zone = _zone(tz)
    if published is None or (isinstance(published, str) and not published.strip()):
        return None, None
    if isinstance(published, _dt.date) and not isinstance(published, _dt.datetime):
        return published, None
    text = published.strip() if isinstance(published, str) else published
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        raise ExtractionError(f"cannot read the publication time {published!r} "
                              "(expected ISO such as 2021-03-26 or 2021-03-25T20:15-04:00)") from None
    if ts is pd.NaT:
        raise ExtractionError(f"cannot read the publication time {published!r}")
    if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return ts.date(), None
    if ts.tzinfo is None:
        if zone is None:
            return ts.date(), None           # a wall-clock time without a zone places nothing
        try:
            ts = ts.tz_localize(zone, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError):
            raise ExtractionError(f"publication time {published!r} does not exist or is ambiguous in {tz}") from None
    elif zone is not None:
        ts = ts.tz_convert(zone)
    return ts.date(), ts


@dataclass(frozen=True)
class _When:
    event_date: pd.Timestamp
    announced_at: object
    time_of_day: str
    date_source: str


def _when(item: _Item, pub_date, tz: str | None) -> _When:
    anchor = pub_date or item.dateline
    lead = [s for s, where in item.sentences if where == "subject"]
    date, source = None, "unknown"
    for s in lead:
        hits = find_dates(s, anchor)
        if hits:
            date, source = hits[0].date, hits[0].source
            break
    if date is None and item.dateline is not None:
        date, source = item.dateline, "dateline"
    if date is None and pub_date is not None:
        date, source = pub_date, "published"
    tod = next((t for t in (time_of_day(s) for s in lead) if t != "unknown"), "unknown")
    announced = pd.NaT
    if date is not None:
        clock = next((c for c in (find_clock_time(s, tz) for s in lead) if c), None)
        if clock is not None:
            h, mi, zone = clock
            try:
                announced = pd.Timestamp(_dt.datetime(date.year, date.month, date.day, h, mi)).tz_localize(
                    zone, ambiguous="raise", nonexistent="raise")
            except (ValueError, TypeError):
                announced = pd.NaT
        if (announced is pd.NaT and tod == "unknown" and anchor is not None
                and 1 <= (anchor - date).days <= PRIOR_DAY_MAX_DAYS and source in ("explicit", "relative weekday")):
            tod = "after_close"          # prior-day convention (module docstring)
    return _When(pd.Timestamp(date) if date is not None else pd.NaT, announced, tod, source)


# ------------------------------------------------------------------------------------- main ----

def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "company"


def extract_events(text: str, published=None, tz: str | None = None) -> pd.DataFrame:
    """Events table (columns :data:`COLUMNS`) from an article and/or a headline list.

    ``published``: publication date or time (ISO text, date, datetime, Timestamp), used to resolve
    weekday words and as the fallback event date; ``tz``: IANA zone of the publication (a naive
    ``published`` is read in it; clock times without a zone word are in it). Rules: module
    docstring. ``event_id`` is ``<item>-<ticker>`` (``h07-anthropic`` for private companies);
    ``listed`` is a bool; ``ticker``/``exchange``/``market`` are empty for private companies.
    Items naming no company: ``result.attrs["skipped"]``, a list of ``(item_id, text)``.
    Raises ExtractionError for empty text, an unreadable ``published`` or an unknown ``tz``.
    """
    if not isinstance(text, str):
        raise ExtractionError(f"news text must be a string, got {type(text).__name__}")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExtractionError("news text is empty")
    pub_date, _ = parse_published(published, tz)
    rows, skipped = [], []
    for item in split_items(text, pub_date):
        found = _item_companies(item)
        if not found:
            skipped.append((item.id, item.text or item.sentences[0][0]))
            continue
        when = _when(item, pub_date, tz)
        for f in found:
            tickers = list(f.company.listings) + f.extra
            common = dict(company=f.company.name, role=f.role, event_date=when.event_date,
                          announced_at=when.announced_at, time_of_day=when.time_of_day,
                          date_source=when.date_source, evidence=f.evidence)
            if not tickers:
                rows.append(dict(event_id=f"{item.id}-{_slug(f.company.name)}", ticker="", exchange="",
                                 market="", listed=False, **common))
                continue
            for t in tickers:
                exchange, market = listing_venue(t)
                rows.append(dict(event_id=f"{item.id}-{t}", ticker=t, exchange=exchange, market=market,
                                 listed=True, **common))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["event_date"] = pd.to_datetime(df["event_date"]).astype("datetime64[ns]")
    df["announced_at"] = df["announced_at"].astype(object)
    df["listed"] = df["listed"].astype(bool)
    df.attrs["skipped"] = skipped
    return df


def subjects(events: pd.DataFrame) -> pd.DataFrame:
    """The rows a study uses: ``role == "subject"`` and ``listed`` (private companies have no prices).

    Accepts the frame of :func:`extract_events` or the same table read back from CSV (``listed``
    as text ``true``/``false``).
    """
    listed = events["listed"]
    if listed.dtype != bool:
        listed = listed.astype(str).str.strip().str.lower().isin(("true", "1", "yes"))
    out = events[(events["role"].astype(str).str.strip() == "subject") & listed]
    out.attrs = dict(events.attrs)
    return out


def to_csv_text(events: pd.DataFrame) -> str:
    """The events table as CSV text: ISO dates (``YYYY-MM-DD``), ISO times with offset, ``true/false``."""
    out = events.copy()
    out["event_date"] = [d.strftime("%Y-%m-%d") if not pd.isna(d) else "" for d in out["event_date"]]
    out["announced_at"] = [a.isoformat() if not pd.isna(a) else "" for a in out["announced_at"]]
    out["listed"] = ["true" if v else "false" for v in out["listed"]]
    return out.to_csv(index=False, lineterminator="\n")
