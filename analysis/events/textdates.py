"""Date and time phrases in news text: explicit dates, datelines, weekday words, time-of-day words.

Pure functions over strings; :mod:`analysis.events.extract` decides which sentences to ask. Rules:

* explicit dates: ``2021-03-26``, ``date 2021-03-26``, ``March 26, 2021``, ``Mar. 26, 2021``,
  ``26 March 2021``, and ``March 26`` (year of the anchor, only when that is not after it);
* Chinese dates: ``3月25日``, ``2024年3月25日``, weekdays ``周五`` / ``星期五``, and ``昨天`` /
  ``昨晚`` / ``今天``; English ``yesterday``, ``last night``, ``today`` (``relative day``);
* weekday words (``Friday``, ``on Thursday``, ``reported Thursday``) are resolved against the
  anchor (publication) date: the most recent such weekday on or before it; ``last Friday`` is
  the one strictly before it;
* forward-looking phrases are not past event dates (:func:`find_dates`): a date or weekday
  preceded in its clause by ``next``, ``by``, ``until``, ``before``, ``as soon as``, ``will``,
  ``expected``, ``scheduled``, ``due``, ``coming``, ... and any date after the anchor. A stated
  day of something still to come ("results due May 14", "will report on May 16", "to report on
  Thursday", 将于5月14日) is found by :func:`find_scheduled`, its year taken forward from the
  anchor; deadlines and spans ("by", "until", "next week") are no such day. Month-only and
  year-only phrases ("in January", "around 2023", "by the first quarter of 2022") are not parsed
  at all;
* a dateline is a date at the very start of the text (``date 2021-03-26 ...``,
  ``March 26, 2021 -``, ``HONG KONG, March 26 (Reuters) -``);
* time-of-day words: "after the bell/close", "after hours", "post-market", "after the Hong Kong
  market closed", "late on Friday", "Friday evening", "last night", 盘后, 收市后 (Hong Kong), 晚间, 昨晚 ->
  ``after_close``; "before the open/bell", "premarket", "before the market opened", "overnight",
  盘前, 开市前 -> ``before_open``; "in (the) afternoon/morning ... trade", "intraday", "during the
  session", "midday trade", 盘中 -> ``during``; else ``unknown``;
* clock times with a zone word (``4:05 p.m. ET``, ``16:30 HKT``) give an announcement time;
  without a zone word the publication zone is used, and without that none is given.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

MONTHS = {m: i + 1 for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"))}
_MONTH_ABBR = {m[:3]: n for m, n in MONTHS.items()} | {"sept": 9}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH_RE = (r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|"
             r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_ISO = re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])")
_MDY = re.compile(rf"\b{_MONTH_RE}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b")
_DMY = re.compile(rf"\b(?P<d>\d{{1,2}})\s+{_MONTH_RE}\s+(?P<y>(?:19|20)\d{{2}})\b")
_WEEKDAY = re.compile(r"\b(?P<last>last\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")

# words that make a following date/weekday forward-looking (within the same clause)
_FORWARD_NEAR = re.compile(
    r"\b(?:next|coming|upcoming|until|till|by|through|starting|from|before|as\s+soon\s+as)\s+"
    r"(?:the\s+)?(?:early\s+|late\s+|end\s+of\s+|this\s+|on\s+)?$", re.IGNORECASE)
_FORWARD_CLAUSE = re.compile(
    r"(?<![-\w])(?<!than\s)(?<!as\s)"              # "better-than-expected", "than expected" look back
    r"\b(?:will|would|shall|expected|scheduled|due|set\s+to|plans?\s+to|planning\s+to|intends?\s+to)\b"
    r"[^.;:!?,]{0,40}$", re.IGNORECASE)

_DATELINE_ISO = re.compile(r"^\s*(?:date\s*:?\s*)?(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DATELINE_WORDS = re.compile(
    rf"^\s*(?:[A-Z][A-Za-z .'-]{{1,40}},\s*){{0,2}}{_MONTH_RE}\s+(?P<d>\d{{1,2}})(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?"
    r"\s*(?:\((?:Reuters|AP|AFP|Bloomberg|Xinhua|Dow Jones)\)\s*)?[-\u2013\u2014/]")

_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# a market: "the Seoul market", "U.S. stock markets", "trading"; "Wall Street" ("before Wall Street opened")
_MKT = r"(?:(?:the\s+)?(?:[A-Z][\w.]*\s+){0,3}(?:stock\s+)?(?:markets?|exchange|trading|session)|Wall\s+Street)"
_TIME_WORDS = (
    ("after_close", re.compile(
        r"\bafter\s+(?:the\s+)?(?:closing\s+)?bell\b|"
        # "after close", "after the close", "after market close"; not a deal's ("in the first
        # year after close", "two quarters after close", "after the close of the transaction")
        r"(?<!\byear\s)(?<!\byears\s)(?<!\bmonth\s)(?<!\bmonths\s)(?<!\bquarter\s)(?<!\bquarters\s)"
        r"(?<!\bweek\s)(?<!\bweeks\s)(?<!\bday\s)(?<!\bdays\s)\bafter\s+(?:the\s+)?(?:market\s+)?close\b"
        r"(?!\s+of\s+(?:the\s+|this\s+|its\s+)?(?:transaction|deal|acquisition|merger|offer|sale|purchase))|"
        r"\bafter[\s-]hours\b|\bpost[\s-]?market\b|\bafter\s+(?:the\s+)?market(?:s)?\s+closed?\b|"
        rf"\bafter\s+{_MKT}\s+(?:had\s+)?(?:closed|closes|close|ended|ends|finished|finishes)\b|\bafter\s+(?:the\s+)?close\s+of\s+trad|"
        r"\bafter\s+(?:trading|market)\s+hours\b|"
        # "slipped in extended trade", "in extended-hours trading" (not "... before the bell")
        r"\bin\s+extended(?:[\s-]hours?)?\s+trad(?:e|ing)\b(?![^.;]{0,40}\b(?:before|ahead\s+of|pre-?market)\b)|"
        rf"\blate\s+(?:on\s+)?{_WD}\b|\b{_WD}\s+(?:evening|night)\b|\bon\s+{_WD}\s+(?:evening|night)\b|"
        r"\blate\s+(?:yesterday|last\s+night)\b|\blast\s+night\b|"
        r"\u76d8\u540e|\u6536\u76d8\u540e|\u6536\u5e02\u540e|\u95ed\u5e02\u540e|\u665a\u95f4|\u665a\u4e0a|\u6628\u665a|\u4eca\u665a|\u591c\u95f4",
        re.IGNORECASE)),
    ("before_open", re.compile(
        r"\bbefore\s+(?:the\s+)?(?:market\s+)?open(?:ing)?\b|\bbefore\s+(?:the\s+)?(?:opening\s+)?bell\b|"
        r"\bpre[\s-]?market\b|\bbefore\s+(?:the\s+)?markets?\s+open(?:ed|s)?\b|"
        rf"\b(?:before|ahead\s+of)\s+{_MKT}\s+(?:opened|opens|open|began|begins|started|starts)\b|"
        r"\bahead\s+of\s+(?:the\s+)?(?:market\s+)?open(?:ing)?\b|\bbefore\s+(?:trading|markets)\s+(?:began|opened)\b|"
        r"\bovernight\b|\bbefore\s+dawn\b|"
        r"\u76d8\u524d|\u5f00\u76d8\u524d|\u5f00\u5e02\u524d|\u65e9\u76d8\u524d", re.IGNORECASE)),
    ("during", re.compile(
        r"\bin\s+(?:the\s+)?(?:early\s+|late\s+)?(?:morning|afternoon|midday)\s+(?:\w+\s+){0,2}trad(?:e|ing)\b|"
        r"\bintra[\s-]?day\b|\bduring\s+(?:the\s+)?(?:trading\s+)?(?:session|trade|trading)\b|"
        r"\bmidday\s+trad(?:e|ing)\b|\bmid-session\b|\bduring\s+(?:trading|market)\s+hours\b|"
        r"\bwhile\s+(?:the\s+)?markets?\s+(?:was|were)\s+open\b|"
        r"\u76d8\u4e2d|\u5348\u76d8|\u65e9\u76d8|\u5348\u540e", re.IGNORECASE)),
)

ZONE_WORDS = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "HKT": "Asia/Hong_Kong", "GMT": "UTC", "UTC": "UTC", "BST": "Europe/London",
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "CT": "America/Chicago",
    # spelled out: "12:01 a.m. Eastern time"
    "EASTERN TIME": "America/New_York", "PACIFIC TIME": "America/Los_Angeles", "CENTRAL TIME": "America/Chicago",
}
# (case-insensitive only where spelled out: "Eastern time"; "ET" stays a capitalised abbreviation)
_ZONES = "|".join(z.replace(" ", r"\s+") if " " not in z else rf"(?i:{z.replace(' ', chr(92) + 's+')})"
                  for z in sorted(ZONE_WORDS, key=len, reverse=True))
_CLOCK_12 = re.compile(
    # "7:00am", and "7.00am" as the British press writes it
    rf"\b(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<mi>[0-5]\d))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?:\s+(?P<z>{_ZONES})\b)?",
    re.IGNORECASE)
_CLOCK_24 = re.compile(rf"\b(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?:\s*(?:hrs?|h))?(?:\s+(?P<z>{_ZONES})\b)?"
                       # the wire's four digits with a zone word: "at 0600 GMT", "by 0930 GMT" (a year has none)
                       rf"|\b(?P<h4>[01]\d|2[0-3])(?P<mi4>[0-5]\d)\s+(?P<z4>{_ZONES})\b")


@dataclass(frozen=True)
class FoundDate:
    """A date found in a sentence: the date, how it was found, and the matched text."""

    date: _dt.date
    source: str          # "explicit" | "relative weekday" | "relative day"
    text: str


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or _MONTH_ABBR[key[:4] if key == "sept" else key[:3]]


def _safe_date(y: int, m: int, d: int) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def _year_of(month: int, day: int, anchor: _dt.date) -> _dt.date | None:
    """``month day`` without a year: the anchor's year, or the year before when that is at most
    half a year before the anchor (``Dec. 30`` in a January article); None when impossible."""
    this = _safe_date(anchor.year, month, day)
    if this is None or this <= anchor:
        return this
    last = _safe_date(anchor.year - 1, month, day)
    return last if last is not None and (anchor - last).days <= 183 else this


def resolve_weekday(name: str, anchor: _dt.date, *, strictly_before: bool = False) -> _dt.date:
    """The most recent ``name`` weekday on or before ``anchor`` (strictly before when asked)."""
    target = WEEKDAYS.index(name.lower().rstrip("s"))
    back = (anchor.weekday() - target) % 7
    if back == 0 and strictly_before:
        back = 7
    return anchor - _dt.timedelta(days=back)


def _forward(sentence: str, start: int) -> bool:
    before = sentence[max(0, start - 60):start]
    return bool(_FORWARD_NEAR.search(before) or _FORWARD_CLAUSE.search(before))


_ZH_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})\u5e74)?(?P<m>\d{1,2})\u6708(?P<d>\d{1,2})(?:\u65e5|\u53f7)")
_ZH_WEEKDAY = re.compile(r"(?:\u5468|\u661f\u671f|\u793c\u62dc)(?P<wd>[\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u65e5\u5929])")
_ZH_WD = {"\u4e00": 0, "\u4e8c": 1, "\u4e09": 2, "\u56db": 3, "\u4e94": 4, "\u516d": 5, "\u65e5": 6, "\u5929": 6}
# 昨天/昨日/昨晚 (yesterday), 前天 (the day before), 今天/今日/今晚 (today)
_ZH_RELATIVE = re.compile(r"(?P<w>\u6628\u5929|\u6628\u65e5|\u6628\u665a|\u524d\u5929|\u4eca\u5929|\u4eca\u65e5|\u4eca\u665a)")
_ZH_BACK = {"\u6628\u5929": 1, "\u6628\u65e5": 1, "\u6628\u665a": 1, "\u524d\u5929": 2, "\u4eca\u5929": 0, "\u4eca\u65e5": 0,
            "\u4eca\u665a": 0}
_EN_RELATIVE = re.compile(r"\b(?P<w>yesterday|today|last\s+night|tonight)\b", re.IGNORECASE)
_EN_BACK = {"yesterday": 1, "today": 0, "last night": 1, "tonight": 0}


def _calendar_dates(sentence: str, year_of):
    """``(match, date)`` of every calendar date in the sentence (ISO, ``26 March 2021``,
    ``March 26[, 2021]``, ``[2021年]3月26日``); a year-less one is placed by ``year_of(month, day)``
    (None: not placed)."""
    for m in _ISO.finditer(sentence):
        yield m, _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    for m in _DMY.finditer(sentence):
        yield m, _safe_date(int(m["y"]), _month(m["mon"]), int(m["d"]))
    for pattern, month in ((_MDY, lambda m: _month(m["mon"])), (_ZH_DATE, lambda m: int(m["m"]))):
        for m in pattern.finditer(sentence):
            yield m, (_safe_date(int(m["y"]), month(m), int(m["d"])) if m["y"] else year_of(month(m), int(m["d"])))


def _chinese_dates(sentence: str, anchor: _dt.date | None, add) -> None:
    if anchor is None:
        return
    for m in _ZH_WEEKDAY.finditer(sentence):
        add(m, resolve_weekday(WEEKDAYS[_ZH_WD[m["wd"]]], anchor), "relative weekday")
    for m in _ZH_RELATIVE.finditer(sentence):
        add(m, anchor - _dt.timedelta(days=_ZH_BACK[m["w"]]), "relative day")
    for m in _EN_RELATIVE.finditer(sentence):
        add(m, anchor - _dt.timedelta(days=_EN_BACK[" ".join(m["w"].lower().split())]), "relative day")


def find_dates(sentence: str, anchor: _dt.date | None) -> list[FoundDate]:
    """Event-date candidates in one sentence, in text order (forward-looking ones left out).

    Explicit dates need no anchor (except ``March 26`` without a year); weekday words need one
    and are skipped without it. Dates after the anchor are forward-looking and skipped.
    """
    found: list[tuple[int, FoundDate]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, date: _dt.date | None, source: str) -> None:
        if date is None or _forward(sentence, m.start()):
            return
        if anchor is not None and date > anchor:
            return
        if any(a < m.end() and m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), FoundDate(date, source, m.group(0))))

    for m, date in _calendar_dates(sentence, lambda mo, d: _year_of(mo, d, anchor) if anchor else None):
        add(m, date, "explicit")
    if anchor is not None:
        for m in _WEEKDAY.finditer(sentence):
            add(m, resolve_weekday(m["wd"], anchor, strictly_before=bool(m["last"])), "relative weekday")
    _chinese_dates(sentence, anchor, add)
    return [f for _, f in sorted(found, key=lambda x: x[0])]


# an infinitive of a scheduled act in a headline ("Tencent to report results on May 14")
_TO_ACT = re.compile(
    r"\bto\s+(?:report|announce|publish|release|post|unveil|launch|hold|present|list|debut|pay|declare|"
    r"vote|update|give|host|reveal|issue)\b", re.IGNORECASE)
_FUTURE_VERB = re.compile(
    r"\b(?:will|shall|due|scheduled|expected|set\s+to|plans?\s+to|planning\s+to|intends?\s+to|going\s+to)\b"
    r"|\b(?:opens|closes)\b(?!\s+(?:at|up|down|higher|lower))", re.IGNORECASE)


def _future_at(clause: str) -> int | None:
    """Where the clause first speaks of the future, or None (see :func:`is_future`)."""
    plain = re.sub(r"(?<![-\w])(?:than|as)\s+expected\b|\w+-than-expected",
                   lambda m: " " * len(m.group(0)), clause, flags=re.IGNORECASE)
    hits = [m.start() for m in (_FUTURE_VERB.search(plain), _TO_ACT.search(plain)) if m]
    return min(hits) if hits else None


def is_future(clause: str) -> bool:
    """True when a clause speaks of something still to come: "will report", "results due",
    "Tencent to report", "after the market closes" (present tense of a market event)."""
    return _future_at(clause) is not None


# a verb of telling: the day it governs is the day of the news, also when what it tells is still to
# come ("Tesla said on Thursday it will unveil its robotaxi on Oct. 10")
_TELLING = re.compile(r"\b(?:said|says|announced|announces|told|reported|confirmed|disclosed|unveiled|"
                      r"revealed|declared)\b", re.IGNORECASE)


# results still to come are the event a date of theirs announces ("said on Wednesday it will report
# first-quarter results on May 16"): the report is what a study times
_COMING_RESULTS = re.compile(r"\b(?:report|post|publish|release|announce)\s+(?:[\w-]+\s+){0,3}?"
                             r"(?:results|earnings|figures|numbers)\b", re.IGNORECASE)


def told_before_future(clause: str, anchor: _dt.date | None) -> FoundDate | None:
    """The past date of a clause that tells of something still to come, stated before what is to
    come and with a verb of telling before it too: "said on Thursday it will unveil its robotaxi on
    Oct. 10", "S&P Dow Jones Indices said late Friday the company will join the S&P 500 on Sept.
    23" (Thursday, Friday: the day of the news, not the day it speaks of); else None. Results still
    to come keep their date ("said on Wednesday it will report results on May 16")."""
    future_at = _future_at(clause)
    if future_at is None or anchor is None:
        return None
    told = _TELLING.search(clause, 0, future_at)
    if told is None or _COMING_RESULTS.search(clause, future_at):
        return None
    past = [f for f in find_dates(clause[:future_at], anchor)]
    return past[0] if past else None


def _next_on_or_after(month: int, day: int, anchor: _dt.date) -> _dt.date | None:
    for year in (anchor.year, anchor.year + 1):
        d = _safe_date(year, month, day)
        if d is not None and d >= anchor:
            return d
    return None


def _next_weekday(name: str, anchor: _dt.date) -> _dt.date:
    target = WEEKDAYS.index(name.lower().rstrip("s"))
    return anchor + _dt.timedelta(days=(target - anchor.weekday()) % 7)


def find_scheduled(sentence: str, anchor: _dt.date | None) -> list[FoundDate]:
    """Stated dates of something still to come, in text order (``source`` ``"scheduled"``).

    A day-level date (``May 14``, ``May 14, 2024``, ``2024-05-14``, ``5月14日``) in a clause that
    speaks of the future (:func:`is_future`), or any such date after the anchor; a year-less date
    takes the first year that puts it on or after the anchor (the publication: "due May 14" in
    a June article is next May). A weekday ("will report on Thursday") is the next such day on or
    after the anchor. Deadlines and spans ("by", "until", "through", "before", "from", "starting",
    "next", "as soon as") are not dates of an event and are left out.
    """
    future_at = _future_at(sentence)
    future = future_at is not None
    found: list[tuple[int, FoundDate]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, date: _dt.date | None) -> None:
        if date is None or _FORWARD_NEAR.search(sentence[max(0, m.start() - 60):m.start()]):
            return
        after_anchor = anchor is not None and date > anchor
        if not after_anchor and not (future and m.start() > future_at):
            return                  # "said on Wednesday it will ...": Wednesday is no scheduled date
        if any(a < m.end() and m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), FoundDate(date, "scheduled", m.group(0))))

    def year_of(month: int, day: int) -> _dt.date | None:
        if anchor is None:
            return None
        return _next_on_or_after(month, day, anchor) if future else _year_of(month, day, anchor)

    for m, date in _calendar_dates(sentence, year_of):
        add(m, date)
    if anchor is not None and future and not found:
        for m in _WEEKDAY.finditer(sentence):
            if not m["last"] and m.start() > future_at:
                add(m, _next_weekday(m["wd"], anchor))
    return [f for _, f in sorted(found, key=lambda x: x[0])]


def find_dateline(text: str, anchor: _dt.date | None = None) -> tuple[_dt.date | None, int]:
    """Date at the very start of an article and where the rest begins: ``(date, end)``.

    ``(None, 0)`` when the text opens with no dateline. A dateline without a year
    (``HONG KONG, March 26 (Reuters) -``) takes the year from ``anchor`` (the publication date)
    and cannot be placed without one (date None, but its text is still skipped).
    """
    m = _DATELINE_ISO.match(text)
    if m:
        return _safe_date(int(m["y"]), int(m["m"]), int(m["d"])), m.end()
    m = _DATELINE_WORDS.match(text)
    if m and m["y"]:
        return _safe_date(int(m["y"]), _month(m["mon"]), int(m["d"])), m.end()
    if m:
        return (_year_of(_month(m["mon"]), int(m["d"]), anchor) if anchor else None), m.end()
    return None, 0


def without_time_words(sentence: str) -> str:
    """The sentence with its time-of-day phrases blanked ("before the market opened" is no
    statement about shares opening)."""
    for _, pattern in _TIME_WORDS:
        sentence = pattern.sub(" ", sentence)
    return sentence


def time_of_day(sentence: str) -> str:
    """``after_close`` | ``before_open`` | ``during`` | ``unknown`` from the words of a sentence."""
    for label, pattern in _TIME_WORDS:
        if pattern.search(sentence):
            return label
    return "unknown"


def find_clock_time(sentence: str, default_zone: str | None) -> tuple[int, int, str] | None:
    """``(hour, minute, IANA zone)`` of the first clock time in the sentence, or None.

    ``4:05 p.m. ET`` -> (16, 5, "America/New_York"); ``16:30 HKT``; a time without a zone word
    uses ``default_zone`` (the publication's zone) and is None when that is None too.
    """
    hits = []
    for m in _CLOCK_12.finditer(sentence):
        h = int(m["h"]) % 12 + (12 if m["ap"].lower().startswith("p") else 0)
        hits.append((m.start(), h, int(m["mi"] or 0), m["z"]))
    for m in _CLOCK_24.finditer(sentence):
        if any(s <= m.start() < s + 12 for s, *_ in hits):
            continue
        hits.append((m.start(), int(m["h"] or m["h4"]), int(m["mi"] or m["mi4"]), m["z"] or m["z4"]))
    for _, h, mi, z in sorted(hits):
        zone = ZONE_WORDS[" ".join(z.upper().split())] if z else default_zone
        if zone is not None:
            return h, mi, zone
    return None
