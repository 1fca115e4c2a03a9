"""News text to an events table: one row per listing of every company a text names.

``extract_events(text, published=None, tz=None, companies=None)`` reads an article, a list of headlines (one per
line), or an article followed by a blank-line separated headline list, and returns the columns
:data:`COLUMNS` (issue 4, "Extraction"). The rows feed :func:`analysis.events.timing.time_events` and
the batch command unchanged: tickers are Yahoo symbols, ``exchange`` is the exchange_calendars
name and ``market`` the default benchmark of the listing (both from :mod:`analysis.events.timing`).

Text layout
    Blocks are separated by blank lines. A block of two or more lines none of which ends like a
    sentence (with ``.`` or ``\u2026``; ``?`` and ``!`` end headlines too) and none longer than 30
    words is a headline list (leading bullets and numbers dropped; Chinese text ends sentences
    with 。): each line is one news item
    (``h01``, ``h02``, ... numbered in order across the text). Every other block belongs to an
    article (``a01``, ...); in an article each line is a paragraph. A single unpunctuated line
    opening the text and followed by article text is the article's title (so is an unpunctuated
    first line of an article block); a text that is one unpunctuated line is one headline.
    Consecutive article blocks are one article: separate two articles by a headline list or
    extract them one at a time.

Companies (see :mod:`analysis.events.companies` and :mod:`analysis.events.namecontext`)
    Names from the company universe (user tables, the curated table, the ``pytickersymbols``
    index constituents, names found earlier by Yahoo's search, the broad offline list of
    listed companies that ``investpy`` ships), unless their context makes them
    something else ("Harrison Ford", "Amazon rainforest", "Hang Seng Index"); names that are
    ordinary words ("Apple", "Shell", "Target") count only with corporate evidence somewhere in
    the item. Symbols as the press writes them (``(NASDAQ: NVDA)``, ``SEHK:700``, ``(RIVN.O)``,
    ``(000858.SZ)``; :func:`analysis.data.exchanges.press_symbols`) name their company: known by
    its listing, else the name just before the symbol (a Reuters code of a listing the table has,
    ``(LVMH.PA)`` for MC.PA, is no new listing). A symbol or name no table knows and that looks
    like a company ("Rivian shares", "shares of Acme") is listed in
    ``result.attrs["unresolved"]``; the ``extract`` command looks those up online.

Roles (studies use ``subject`` rows)
    * ``subject``: named in a headline, the article title, or the lead (the first sentence of
      the article body, the one that carries the news);
    * ``mention``: everything else: background paragraphs, rivals listed for context,
      "See Also" / "Read Next" / "Click here" lines, a company named as someone's *former*
      employer ("Former Microsoft Executive"), a news agency or publisher cited as the
      source ("Reuters reported", "according to Bloomberg", "Benzinga's EV Hub"), a company
      the lead names only to compare ("to better compete with Tesla", "such as BYD", "超过特斯拉"),
      and one named only as the leader or backer of another party ("a consortium led by
      BlackRock", "a SoftBank-led group").
    A company is one row per listing per news item, with its strongest role; ``evidence`` is the
    sentence that decided the role. Trade unions and agencies of government are not companies.
    ``listed``: True for home listings and primary (exchange-listed) ADRs, ``"otc"`` for
    over-the-counter lines (kept, not studied by default: :func:`subjects`), False for private
    companies.

Dates and times (see :mod:`analysis.events.textdates` for the phrases)
    The anchor is ``published`` (in ``tz``) when given, else the article's dateline. Every
    clause of the item that states a date, a time of day or a clock time is read, and told
    apart: a clause about the shares moving ("shares fell 8% on Monday") is the *reaction*,
    any other is the *news* ("after a cabin panel blew out late on Friday", "the company
    released the results on Wednesday after the Hong Kong market closed").

    * The event date and time are the news's own: the lead's first dated news clause; a time or
      a date it lacks comes from the first news clause elsewhere in the item about the same event
      (undated, or dated at most :data:`EVENT_WINDOW_DAYS` before the lead's date, and the same
      date as the lead's news when that has one). So the time-of-day statement anywhere in the
      article applies to the event ("pushed out ... hours before the market opened").
    * Without a news date: the reaction's date (``date_source`` that of the reaction's words),
      else the dateline (``dateline``), else the publication date (``published``), else missing
      (``unknown``). Without a news time: the reaction's time when the reaction is that same day
      (shares moving premarket, in afternoon trade or after hours put the news before then).
    * "late on Friday", "Friday evening", "last night", "in extended trade", 盘后 / 晚间 / 昨晚 are
      after the close.
    * Shares that moved "overnight" with no news date moved in the home market's last session
      before the publication, per listing (``date_source`` ``overnight``, time ``during``: an
      Asian morning's "overnight" is the previous New York session; a listing in the
      publication's own market answers the same day). A listing that begins after the news's
      date, by the publication and at most :data:`DEBUT_MAX_DAYS` later, has its first day of
      trading as event date (an offering priced the evening before its debut).
    * The publication time bounds the announcement from above: news "after the bell" dated only
      by a publication made before 09:30 in ``tz`` is the previous weekday's evening (a list
      published at 07:45 New York time that says "after the bell" means the previous session),
      unless it speaks of the future ("to report results after the bell": that day's evening).
    * A stated day of something still to come ("results due May 14 after the close", "said on
      Wednesday it will report on May 16") dates its clause (``date_source`` ``scheduled``; a
      year-less date takes the first year on or after publication). Vague forward phrases ("as
      soon as early next week", "around 2023", "by the first quarter of 2022") and month-only
      background ("said in January") never set a date. An event is put before the publication
      only by a date the text states, or by the bound below for news already past.
    * The lead's own time of day, even undated ("late on Monday"), comes before one from the
      body; a body sentence naming only other companies ("Separately, Tencent said ...") says
      nothing about the item's event.
    * ``announced_at`` is filled only when the text gives a clock time (with a zone word or
      ``tz``); a publication *time* only places the publication date in ``tz``.

    Prior-day convention: news dated one to three days *before* the publication day with no time
    given ("Reuters reported Thursday" in an article published Friday; Friday news in a Monday
    article) is timed ``after_close`` on that date, unless that date is the reaction's (shares
    that moved on Thursday were news by Thursday's session). The outlet reports it as overnight
    news, and the date-only convention (day 0 = that date) would put day 0 a session early on
    every exchange in a later time zone (a New York report on Thursday is Friday in Hong Kong).
    With :mod:`analysis.events.timing` this gives day 0 = the next session on every listing
    (seed: 2021-03-26 on XHKG, XSHG and for the US OTC lines). If the news in fact came during
    the earlier session, the reaction sits on day -1, which the usual (-1, +1) window still
    covers (event-date uncertainty: MacKinlay 1997, section 3; Campbell, Lo & MacKinlay 1997,
    ch. 4.2). The row says so: ``time_of_day`` is ``after_close`` and ``date_source`` keeps
    where the date came from.

Headlines and articles naming no company give no rows; they are listed in
``result.attrs["skipped"]`` as ``(item_id, text)`` pairs (the CLI warns on standard error).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
import re
import zoneinfo
from dataclasses import dataclass, field

import pandas as pd

from ..errors import CalendarError, ExtractionError
from . import broad, namecontext
from .companies import Company, Universe, listing_venue, universe
from .textdates import (find_clock_time, find_dateline, find_dates, find_scheduled, is_future, time_of_day,
                        told_before_future, without_time_words)
from ..data.exchanges import calendar_for, code_ticker, market_words, press_symbols

COLUMNS = ("event_id", "company", "ticker", "exchange", "market", "role", "listed", "event_date",
           "announced_at", "time_of_day", "date_source", "evidence")
PRIOR_DAY_MAX_DAYS = 3      # prior-day convention: reports up to 3 days old (Friday news in a Monday paper)
DEBUT_MAX_DAYS = 3          # an offering priced up to 3 days before its first day of trading (a Friday pricing, a Monday debut)
EVENT_WINDOW_DAYS = 7       # a dated statement in the body is the event's when at most this before the lead's date
DATE_SOURCES = ("explicit", "scheduled", "dateline", "relative weekday", "relative day", "reaction", "overnight",
                "published", "unknown")

_SENTENCE_END = re.compile(r"[.\u2026\u3002][\"'\u201d\u2019)]*$")     # "?" / "!" end headlines too
_BOILERPLATE = re.compile(
    r"^\s*(?:See\s+Also|Read\s+Next|Read\s+More|Also\s+Read|Related(?:\s+Links?)?|Don['\u2019]t\s+Miss|"
    r"Click\s+here|Photo|Image|Source|Disclaimer|Subscribe|Sign\s+up)\b", re.IGNORECASE)
_ABBREV = {"inc.", "corp.", "co.", "ltd.", "plc.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "jr.",
           "sr.", "bros.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.",
           "oct.", "nov.", "dec.", "vs.", "calif.", "corp.,", "approx.", "est.", "dept.", "gov.",
           "sen.", "rep.", "gen.", "s.a.", "n.v.", "a.g."}
_BOUNDARY = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|(?<=[\u3002\uff01\uff1f])")
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
# a data vendor (companies of kind "data": LSEG, FactSet, S&P Global, Morningstar, ...) or a news
# agency named as the source of numbers: "according to LSEG data", "data compiled by FactSet", "Data
# from LSEG showed", "S&P Global Market Intelligence data", "analysts polled by LSEG", "a FactSet
# poll" -- not the vendor's own business ("LSEG's data and analytics unit", "FactSet data revenue")
_DATA_AFTER = re.compile(
    r"^(?:['\u2019]s)?(?:\s+[A-Z][\w&/.-]*){0,3}?\s+(?:data|figures|estimates|polls?|surveys?|consensus|"
    r"calculations|statistics|numbers|tallies|tally|compilations?|analysis|indicators?)\b"
    r"(?!\s+(?:(?:and|&)\s+analytics\s+)?(?:unit|division|business|arm|segment|revenue|sales|subscriptions?|"
    r"products?|platform|centers?|centres?)\b)", re.IGNORECASE)
_DATA_BEFORE = re.compile(
    r"\b(?:(?:data|figures|estimates|numbers|statistics|calculations|forecasts|polls?|surveys?|consensus|"
    r"analysis|analysts|economists|indicators?)\s+(?:[a-z]+\s+){0,2}?(?:from|by|of|at)|according\s+to|citing|per|via|"
    r"(?:polled|surveyed|compiled|tracked|calculated)\s+by)\s+(?:(?:a|an|the)\s+)?$", re.IGNORECASE)
# a company the lead names only to compare ("to better compete with Tesla", "rivals such as BYD",
# a rival bidder: "outbidding Cleveland-Cliffs")
_COMPARED = re.compile(
    r"(?:\bcompet(?:e|es|ing|ition)\s+(?:with|against)|\bsuch\s+as|\blike|\bthan|"
    r"\bversus|\bvs\.?|\bovertak(?:e|es|ing|en)|\bovertook|\bout(?:sold|sells?|selling|paced|paces|bid|bids|bidding|bidded|played|plays|playing|performed|performs|performing)|\bunlike|\b(?:takes?|took|taking|taken)\s+on)\s+"
    r"(?:[\w.'\u2019-]+\s+){0,2}$", re.IGNORECASE)
# the same in Chinese: "营业收入超过特斯拉" (revenue exceeding Tesla's), "对标苹果"
_COMPARED_ZH = re.compile(r"(?:\u8d85\u8fc7|\u8d85\u8d8a|\u8d76\u8d85|\u53cd\u8d85|\u529b\u538b|\u80dc\u8fc7|"
                          r"\u4e0d\u654c|\u843d\u540e\u4e8e|\u5bf9\u6807|\u6bd4\u80a9|\u4e0d\u53ca|\u5ab2\u7f8e|"
                          r"\u8dd1\u8d62|\u8dd1\u8f93|\u76f8\u6bd4|\u5bf9\u6bd4)$")
# "比特斯拉Model 3便宜3万元" (cheaper than Tesla's Model 3): 比 right before the name, a comparative
# word later in the clause
_THAN_ZH = re.compile(r"(?<![\u5bf9\u76f8\u65e0\u5360\u597d])\u6bd4$")
_COMPARATIVE_ZH = re.compile(r"^[^\uff0c\u3002\uff1b,;]{0,20}?(?:\u4fbf\u5b9c|\u8d35|\u9ad8|\u4f4e|\u591a|\u5c11|"
                             r"\u5feb|\u6162|\u5f3a|\u5f31|\u5927|\u5c0f|\u597d|\u5dee|\u66f4|\u8fd8\u8981)")
# a company named as an analyst's firm ("after Barclays downgraded the stock", "Morgan Stanley
# upgraded Tesla", "analysts at Jefferies", "Barclays analyst Tim Long"), as the source of a
# forecast ("Goldman Sachs economists now expect", "Citi's chief economist", "economists at UBS") or as the other side of a
# supply relation ("the main contract chipmaker to Apple and Nvidia", "a key supplier of memory
# chips to Nvidia", "TSMC customer Nvidia", "Apple Supplier Foxconn"): a mention
_ANALYST_AFTER = re.compile(
    r"^(?:['\u2019]s)?\s+(?:(?:(?:chief|senior|lead|top|equity|credit|bank|global|European|Asian|US|U\.S\.)\s+)?(?:analysts?|strategists?|economists?|research)\b|(?:(?:has|have|had)\s+)?"
    # (not the passive of a headline: "Amazon Upgraded to Overweight at Wells Fargo" is the target)
    r"(?:upgrade[sd]?(?!\s+(?:to|by|at)\b)|downgrade[sd]?(?!\s+(?:to|by|at)\b)|upgrading|downgrading|initiat(?:e|es|ed|ing)\s+coverage|"
    r"(?:cut|cuts|raised|raises|lowered|lowers|lifted|lifts)\s+(?:(?:its|their)\s+)?(?:price\s+target|target\s+price|rating)"
    # a Title Case headline's rating change: "UBS Cuts Nestle to Sell", "Bank of America Upgrades Intel to Neutral"
    r"|(?:cut|cuts|raised|raises|lowered|lowers|lifted|lifts|moves|moved)\s+(?:[\w&'\u2019.-]+\s+){1,4}to\s+"
    r"(?:sell|buy|neutral|hold|overweight|underweight|outperform|underperform|equal[- ]weight|market[- ]perform|"
    r"sector[- ]perform|reduce|accumulate))\b"
    r"(?!\s+(?:its|their)\s+(?:forecast|guidance|outlook)))", re.IGNORECASE)
_ANALYST_BEFORE = re.compile(r"\b(?:analysts?|strategists?|economists?)\s+(?:at|from|with)\s+$|"
                             r"\b(?:rating|ratings|downgrade|upgrade)\s+(?:from|by)\s+$|"
                             # "Amazon Upgraded to Overweight at Wells Fargo"
                             r"\b(?:upgraded|downgraded|initiated|reiterated|raised|cut|lowered)\s+(?:to\s+|at\s+|with\s+)?"
                             r"(?:[\w-]+\s+){0,3}(?:at|by)\s+$", re.IGNORECASE)
# the first firms of a list of analysts' firms before their call: "Jefferies and Kotak downgraded the stock"
_ANALYST_LIST_AFTER = re.compile(
    r"^(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)[A-Z][\w.&'\u2019-]*(?:\s+[A-Z][\w.&'\u2019-]*){0,3})+\s+"
    r"(?:(?:has|have|had)\s+)?(?:upgrade[sd]?|downgrade[sd]?|initiat(?:e|ed)\s+coverage|"
    r"(?:cut|raised|lowered|lifted|trimmed)\s+(?:its|their)\s+(?:price\s+targets?|target\s+prices?|ratings?|"
    r"(?:earnings\s+)?estimates|forecasts))\b")
_SUPPLY_BEFORE = re.compile(
    r"\b(?:(?:supplier|suppliers|maker|makers|chipmaker|chipmakers|manufacturer|manufacturers|provider|"
    r"providers|vendor|vendors|assembler|assemblers)\s+(?:of\s+(?:[\w-]+\s+){1,5})?to|customers?|clients?)"
    r"\s+(?:such\s+as\s+|including\s+|like\s+)?(?:[\w.'\u2019&-]+\s+(?:and\s+)?){0,3}$", re.IGNORECASE)
# goods going to a customer or orders coming from one, in a clause explaining another company's
# news: "blaming delays in supplying high-end memory chips to Nvidia", "helped by strong orders from
# Apple", "shipments of racks to Microsoft", "weaker demand from Tesla"
_TRADE_BEFORE = re.compile(
    r"\b(?:(?:suppl(?:y|ying|ied|ies)|ship(?:s|ped|ping|ments?)|deliver(?:s|ed|ing|ies|y)|exports?|exporting|"
    r"sales|selling\s+(?:chips|parts|components|panels|batteries|screens|memory|modules))\s+"
    r"(?:of\s+)?(?:[\w-]+\s+){0,5}?to|(?:orders?|demand|purchases|spending|bookings|business|"
    r"procurement|contracts?)\s+(?:[\w-]+\s+){0,2}?from)\s+(?:the\s+)?(?:[\w.'\u2019&-]+,?\s+(?:and\s+)?){0,3}$",
    re.IGNORECASE)
_SUPPLY_AFTER = re.compile(r"^\s+(?:supplier|suppliers|customer|customers|client|clients|assembler|"
                           r"contractor)\s+[A-Z]", re.IGNORECASE)
# a company whose results are the cause of other shares' move ("Advantest Slips in Tokyo After
# Nvidia Results"): a cause, like a bidder
_RESULTS_CAUSE_BEFORE = re.compile(r"\b(?:after|following|on|as)\s+(?:the\s+)?$", re.IGNORECASE)
_RESULTS_CAUSE_AFTER = re.compile(
    r"^(?:['\u2019]s)?\s+(?:[\w-]+\s+){0,2}?(?:results|earnings|forecast|outlook|guidance|report|sales|data)\b",
    re.IGNORECASE)
# a company named only as the leader or backer of another party ("to a consortium led by BlackRock",
# "a group backed by Tencent"): the party acts, the company is mentioned
_PARTY_OF = re.compile(
    r"\b(?:consortium|group|groups|investors|investor\s+group|fund|funds|syndicate|team|club|alliance|"
    r"joint\s+venture|venture|bidders?)\s+(?:\w+\s+)?(?:led|backed|formed|headed|controlled|managed|"
    r"advised|supported)\s+by\s+(?:the\s+)?$", re.IGNORECASE)
# the rest of a list of names after the first (", Amazon and Intel"), before what the list does
_LIST_TAIL = r"^(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)[A-Z][\w.&'\u2019-]*(?:\s+[A-Z][\w.&'\u2019-]*){0,2})*"
# a lender or adviser named as the source of the money or advice ("with loans from MUFG Bank, Mizuho
# Bank and Sumitomo Mitsui Banking Corp", "a bridge loan from JPMorgan", "advised by Evercore")
_LENDER_BEFORE = re.compile(
    r"\b(?:(?:loans?|lending|financing|credit|borrowings?|bridge\s+(?:loan|facility)|debt)\s+(?:\w+\s+){0,2}?"
    r"(?:from|provided\s+by|arranged\s+by)|(?:advised|underwritten|financed|funded)\s+by)\s+(?:the\s+)?"
    r"(?:[\w.'\u2019&-]+,?\s+(?:and\s+)?){0,6}$", re.IGNORECASE)
# an adviser, underwriter or arranger named before its role ("Goldman Sachs and Morgan Stanley
# advised Seven & i", "JPMorgan acted as financial adviser", "Goldman Sachs led the offering")
_ADVISER_AFTER = re.compile(
    _LIST_TAIL +
    r"\s+(?:(?:advised|advises|(?:is|are|was|were)\s+advising)(?=\s+(?:the\s+)?(?-i:[A-Z])|\s+on\b)|acted\s+as\s+(?:\w+\s+){0,2}?(?:advis[eo]rs?|"
    r"underwriters?|bookrunners?|arrangers?)|underwrote|(?:led|managed|ran)\s+the\s+(?:\w+\s+)?"
    r"(?:offering|listing|IPO|deal|sale|placement))\b", re.IGNORECASE)
_PARTY_OF_AFTER = re.compile(r"^-(?:led|backed|controlled|headed|owned|funded)\b", re.IGNORECASE)  # "a BlackRock-led group"
# a company named only as about to report ("Toyota Motor to Report Quarterly Results Next
# Wednesday", "Apple, Amazon and Intel Due to Report After the Bell Today", "Sony, which reports
# on Friday,"): a preview, no event yet -- a mention (its shares moving, or a body sentence with
# its own news, still make it a subject)
_PREVIEW_AFTER = re.compile(
    _LIST_TAIL +
    r"(?:\s*,\s*(?:which|who|a|an|the)\s[^,;.]{0,80},)?"        # "Advantest, which supplies Nvidia, is set to"
    r"(?:[\s,]+(?:which|that)\s+(?:reports|will\s+report|is\s+due\s+to\s+report)\b"
    # "Shopify said it would report fourth-quarter results on Feb. 11" (the date of a report to come)
    r"|\s+(?:said|says)\s+(?:on\s+\w+\s+)?(?:it|they)\s+(?:would|will)\s+(?:report|post|publish|release|announce)\s+"
    r"(?:(?:its|their)\s+)?(?:[\w-]+\s+){0,2}?(?:results|earnings|figures|numbers)\b(?![^.;]*\band\s+(?!after|before))"
    r"|\s+(?:(?:is|are)\s+)?(?:to|will|(?:set|due|expected|scheduled|slated)\s+to)\s+"
    r"(?:report|post|publish|release|announce)\s+(?:(?:its|their)\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:results|earnings|figures|numbers)\b"
    r"|\s+(?:(?:is|are)\s+)?(?:due|set|scheduled|slated)\s+to\s+report\b"
    # the present tense of a report still to come that day: "Super Micro reports prelim numbers
    # after the close today", "Nike reports earnings tonight"
    r"|\s+reports?\s+(?:[\w-]+\s+){0,3}?(?:results|earnings|figures|numbers)\b"
    # (in the same clause: "reports record earnings, will hold a call later today" has reported)
    r"(?=[^.;,]{0,40}\b(?:today|tonight|tomorrow|later|this\s+(?:evening|afternoon|week))\b)"
    # an earnings calendar: "Microsoft and Meta are due after today's close; Apple and Amazon follow on Thursday"
    r"|\s+(?:will\s+)?follows?\s+(?=(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday)|later|next|tomorrow|"
    r"tonight|after\s+the\s+(?:bell|close)|before\s+the\s+(?:bell|open))\b)"
    # "Microsoft and Meta are due after today's close", "Apple is due on Thursday"
    r"|\s+(?:is|are)\s+due\s+(?=(?:on|after|before|later|next|tomorrow|tonight|this)\b)"
    # "Kone to report on Thursday", "Nike will report after the bell": a day or a time of a report to come
    r"|\s+(?:(?:is|are)\s+)?(?:to|will)\s+report\s+(?=(?:on|next|later|after|before|tomorrow|tonight|this|early|"
    r"late|in\s+(?:January|February|March|April|May|June|July|August|September|October|November|December))\b)"
    # "Sampo, Nordea steady ahead of results next week": waiting for a report, not moving
    r"|\s+(?:(?:shares|stock)\s+)?(?:were\s+|was\s+)?(?:steady|flat|unchanged|little\s+changed|quiet|subdued)\s+(?:[\w-]+\s+){0,3}?ahead\s+of\s+"
    r"(?:(?:its|their)\s+)?(?:[\w-]+\s+){0,2}?(?:results|earnings|figures|numbers|report))", re.IGNORECASE)
# after a report to come, another company with only its date: "Infosys to report on January 16;
# HDFC Bank on January 22"
_SCHEDULE_TAIL = re.compile(r"^\s+on\s+(?:[A-Z][a-z]+\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+day)\s*(?:[.;,]|$)")
_REPORT_BEFORE = re.compile(r"\b(?:to|will|due\s+to)\s+report\b[^.]*;\s*(?:and\s+)?$", re.IGNORECASE)
# a company named as the bidder behind another company's move ("a takeover proposal from U.S.
# lithium producer Albemarle", "rejects Albemarle's bid", "after Alaska Air agreed to buy the
# carrier") or as the cause of other shares' move ("as Nvidia lifts chip stocks"): a subject only
# when the item says its own shares moved too (:func:`_item_companies`)
_CAUSE_BEFORE = re.compile(
    r"\b(?:proposals?|offers?|bids?|approach(?:es)?|overtures?|advances?)\b(?:[^.;]|\.(?=\S)){0,80}?\bfrom\s+(?:the\s+)?"
    r"(?:[\w.'\u2019&-]+\s+){0,4}$", re.IGNORECASE)
_CAUSE_AFTER = re.compile(
    r"^(?:['\u2019]s\s+(?:[\w$.,-]+\s+){0,4}?(?:offer|bid|proposal|approach|overture|advance)s?\b"
    r"|[\s,]*(?:\s(?:Inc|Corp|Co|Ltd|plc|Group|Holdings)\b\.?)?[\s,]*(?:(?:has|had|have|which)\s+)?"
    r"(?:agreed|agrees|offered|offers|proposed|proposes|bid|bids|moved|moves|sought|seeks|plans|planned)\s+"
    r"to\s+(?:buy|acquire|take\s+over|purchase|merge\s+with)\b"
    r"|[\s,]*(?:lifts?|lifted|boosts?|boosted|drags?|dragged|weighs?\s+on|weighed\s+on|buoys?|buoyed|"
    r"sends?|sent|pushe[sd]|hits?)\s+(?:[\w-]+\s+){0,3}?(?:stocks|shares|peers|rivals|suppliers|sector)\b)",
    re.IGNORECASE)
# a company whose shares the lead names as not moving ("...; Netflix was little changed", "while
# Netflix shares were flat"): beside another company's move, a mention (as a cause); alone in
# its sentence ("Netflix shares were little changed after it reported results") still the subject
_UNCHANGED_AFTER = re.compile(
    r"^(?:['\u2019]s)?\s+(?:(?:shares|stock)\s+)?(?:was|were|is|are|closed|ended|traded|held|stayed|remained)\s+"
    r"(?:little\s+changed|barely\s+changed|unchanged|flat|steady|largely\s+flat)\b", re.IGNORECASE)
# the company a product is made for ("reports it would make cars for Xiaomi", "assembles iPhones
# for Apple"): the other side of the news, a subject only when its own shares are said to move
_MADE_FOR = re.compile(
    r"\b(?:make|makes|making|made|build|builds|building|built|produce|produces|producing|produced|"
    r"assemble|assembles|assembling|assembled|manufacture|manufactures|manufacturing|manufactured)\s+"
    r"(?:[\w-]+\s+){0,3}?for\s+(?:the\s+)?$", re.IGNORECASE)
# a company whose statement is the cause of another company's move ("Shares of CrowdStrike rose
# after Delta Air Lines said it would seek damages"): a cause, a subject only when its own shares
# are said to move
_SAID_CAUSE_BEFORE = re.compile(r"\b(?:after|as|when)\s+(?:rival\s+|peer\s+|customer\s+|the\s+)?$", re.IGNORECASE)
_SAID_CAUSE_AFTER = re.compile(
    r"^\s+(?:\w+\s+){0,2}?(?:said|says|announced|announces|warned|warns|disclosed|unveiled|launched|sued|"
    r"rejected|rejects|rebuffed|rebuffs|spurned|spurns|accepted|accepts|"
    r"filed|confirmed|told"
    # a view that moved the shares: "Tesla jumps as Morgan Stanley sees Dojo adding $500 billion"
    r"|sees|saw|expects|expected|predicts|predicted|estimates|estimated|flags|flagged|touts|touted|"
    r"backs|backed|praises|praised|calls|called|turns|turned)\b", re.IGNORECASE)
# a company named aside from the news: introduced as a rival ("Rival BP Reported Tuesday", "smaller
# rival SK Hynix"), placed against the company ("SK Hynix Still Ahead in AI Memory", "... trails
# TSMC"), or whose trouble weighs on another company ("Boeing Strike Weighs on Supplier Spirit
# AeroSystems"): a mention unless the item says its own shares moved (like an owner)
_ASIDE_BEFORE = re.compile(r"\b(?i:rivals?|peers?|competitors?)\s+(?:[a-z][\w.-]*\s+){0,2}$")
_ASIDE_AFTER = re.compile(
    r"^\s+(?:(?i:still|stays?|remains?|is|are|was)\s+)?(?i:ahead|behind|leads?|trails?|lags?)\b(?!\s+(?i:rally|gains|rise|climb))"
    r"|^(?:['\u2019]s)?\s+(?:[\w-]+\s+)?(?i:weighs?\s+on|weighed\s+on|hits?|hurts?|dents?)\s+(?:[\w-]+\s+){0,2}?"
    r"(?i:suppliers?|customers?|rivals?|peers?|partners?)\b")
# a headline clause about a rival ("...; Rival BP Reported Tuesday") dates the rival's news, not the item's
_RIVAL_CLAUSE = re.compile(r"^\s*(?i:rivals?|peers?|competitors?)\s+[A-Z]")
# an owner named before its company's news by "controlled by", "owned by"
_OWNER_BEFORE = re.compile(
    r"\b(?:controlled|owned|majority[- ]owned|part[- ]owned|wholly[- ]owned)\s+by\s+(?:the\s+)?$", re.IGNORECASE)
# a company a person leaves for ("after its chief executive left for Starbucks", "was poached by
# Qualcomm", "defected to Rivian"): the departure moved the first company's shares; the other is
# a cause, a subject only when the item says its own shares moved too
_HIRED_BY = re.compile(
    r"\b(?:leave|left|leaves|leaving|quit|quits|quitting|departed|departs|departing|defected|defects|"
    r"jumped\s+ship|lured\s+away|poached|hired\s+away|recruited)\s+(?:\w+\s+)?(?:for|to|by)\s+(?:the\s+)?"
    r"(?:[\w.'\u2019&-]+\s+){0,2}$", re.IGNORECASE)
# the company a person is hired away from ("Starbucks Names Chipotle's Brian Niccol as CEO", "hired
# Intel's Pat Gelsinger to run"): the other party of the hirer's news, a mention
_HIRED_FROM_BEFORE = re.compile(r"\b(?:names?|named|naming|hires?|hired|hiring|appoints?|appointed|taps?|tapped|"
                                r"poach(?:es|ed)?|picks?|picked|lures?|lured|recruits?|recruited)\s+$", re.IGNORECASE)
_HIRED_FROM_AFTER = re.compile(r"^['\u2019]s?\s+(?:[a-z][\w-]*\s+){0,3}(?:[A-Z][\w.'\u2019-]*\s+){1,3}(?:as|to)\b")
# a headline's second company named as the other side of the news that moved the first one's
# shares ("Nissan Shares Jump on Report of Merger Talks With Honda", "... Weigh Cost of Nissan
# Tie-Up"): a cause, a mention unless the item says its own shares moved
_PARTNER_BEFORE = re.compile(
    r"\b(?:talks|negotiations|tie-?up|merger|deal|partnership|alliance|dispute|combination)\s+with\s+"
    r"(?:the\s+)?(?:[\w.'\u2019&-]+\s+){0,2}$", re.IGNORECASE)
# a partner ending the deal that moved the other side's shares ("Novo Nordisk ends its partnership
# with Hims & Hers; Hims shares sank 35%"): a cause, a mention unless its own shares move
_ENDS_DEAL_AFTER = re.compile(
    r"^\s+(?:(?:said|says)\s+(?:on\s+\w+\s+)?(?:it|they)\s+(?:had|has|have|would|will)\s+|(?:has|had|have|is|will)\s+)?"
    r"(?:ends?|ended|ending|terminat(?:es?|ed|ing)|scrap(?:s|ped|ping)?|cancel(?:s|led|ed|ling)?|sever(?:s|ed)?|"
    r"exit(?:s|ed)?|quit(?:s)?|pull(?:s|ed)?\s+out\s+of|walk(?:s|ed)?\s+away\s+from|cut(?:s)?\s+ties\s+with|"
    r"drop(?:s|ped)?)\s+(?:its|their|a|the)?\s*(?:[\w-]+\s+){0,3}?(?:partnership|collaboration|deal|agreement|"
    r"contract|alliance|tie-?up|relationship|ties|joint\s+venture)s?\b", re.IGNORECASE)
# an investor in a unit of another company ("Tencent to invest EUR1.16bn in a new Ubisoft
# subsidiary", "will take a 25% stake in a new Ubisoft unit"): the unit's parent is the news, the
# investor an owner-to-be, a mention unless its own shares move
_INVESTS_IN_UNIT_AFTER = re.compile(
    r"^\s+(?:(?:is|are|will|would|plans?\s+to|agreed\s+to|agrees\s+to|has\s+agreed\s+to|to)\s+)?"
    r"(?:invest(?:s|ed|ing)?|inject(?:s|ed)?|put(?:s)?|tak(?:e|es|ing)|took|acquir(?:e|es|ed)|buy(?:s)?|bought)\s+"
    r"(?:[^.;]|\.(?=\d)){0,60}?\bin\s+(?:a|an|the)\s+(?:new(?:ly[\s-]created)?\s+)?(?:[A-Z][\w&'\u2019.-]*\s+){1,3}"
    r"(?:unit|subsidiary|division|arm|entity|business|spin-?off|carve-?out)\b")
_PARTNER_AFTER = re.compile(r"^\s+(?:tie-?up|merger|takeover|buyout|bid|offer|deal|partnership|alliance)s?\b",
                            re.IGNORECASE)
# the same in Japanese and Chinese: "ホンダとの経営統合協議" (merger talks with Honda), "与本田的合并谈判"
_PARTNER_AFTER_CJK = re.compile("(?:\u3068\u306e|\u3068|\u7684)?(?:\u7d4c\u55b6\u7d71\u5408|\u7d71\u5408|\u5408\u4f75|"
                                "\u5354\u8b70|\u63d0\u643a|\u4ea4\u6e09|\u8cb7\u53ce|\u5408\u5e76|\u8c08\u5224|\u6536\u8d2d)")
# a company named as an owner of the item's company ("Siemens, which spun off Siemens Energy in
# 2020, still holds a stake", "Hyundai Motor sold part of its stake in the Indian unit", "remains
# the controlling shareholder"): a mention unless the item says its own shares moved
_OWNER_AFTER = re.compile(
    r"^[\s,]*(?:(?:which|that|who)\s+)?(?:(?:still|also|now)\s+)?(?:spun\s+off|spins\s+off|carved\s+out|"
    r"(?:holds|held|owns|owned|retains|retained|keeps|kept)\s+(?:a|an|its|the)\s+(?:[\w%.-]+\s+){0,4}?"
    r"(?:stake|holding|interest)|sold\s+(?:part\s+of\s+|some\s+of\s+|down\s+)?(?:its|a)\s+(?:[\w%.-]+\s+){0,2}?"
    r"(?:stake|holding|shares)|remains\s+the\s+(?:controlling|largest|biggest|majority|main)\s+"
    r"(?:shareholder|owner|investor)"
    # the parent named in apposition to its unit: "Waymo, Alphabet's self-driving unit, agreed ..."
    # (not "Alphabet's cloud unit grew", the parent's own news)
    r"|['\u2019]s\s+(?:[\w-]+\s+){0,3}?(?:unit|subsidiary|division|arm|affiliate)(?=\s*,)"
    # an appositive: "Ping An, its largest shareholder, pushed for ..."
    r"|(?:its|their)\s+(?:single\s+)?(?:largest|biggest|top|major|main|controlling|majority|"
    r"second[- ]largest)\s+(?:shareholder|investor|owner|stakeholder))\b", re.IGNORECASE)
_NAME_BEFORE_TAG = re.compile(       # (a run of spaces is a symbol blanked out: no name crosses it)
    r"((?:[A-Z0-9][\w.&'\u2019\-]*)(?:,?\s{1,2}(?:[A-Z0-9][\w.&'\u2019\-]*|&|of|and|de|la))*)[\s,]*$")
# company-like names no table knows: "Rivian shares", "shares of Acme", "Acme Corp"
_UNKNOWN_NAME = re.compile(
    r"(?:\b[Ss]hares\s+(?:of|in)\s+(?P<a>[A-Z][\w&'\u2019.-]*(?:\s+[A-Z][\w&'\u2019.-]*){0,3}))"
    r"|(?P<b>\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})(?:['\u2019]s)?\s+(?i:shares|stock)\b"
    r"|(?P<c>\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}),?\s+(?:Inc|Corp|Ltd|plc|Holdings|AG|SE|SA|NV|N\.V)\b\.?"
    # "Alaska Airlines flight": a name ending in an industry word is a company's
    r"|(?P<d>\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2}\s+(?:Airlines|Air\s+Lines|Airways|Motors|Pharmaceuticals|"
    r"Therapeutics|Biosciences|Bancorp|Bancshares|Petroleum|Semiconductor|Semiconductors))\b"
    # "Acmetronix wins Nvidia orders": a name that wins another company's orders or contract
    r"|(?P<f>\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})\s+(?i:wins?|won|lands?|landed|secures?|secured|bags?|"
    r"bagged|clinch(?:es|ed)|nabs?|nabbed|snags?|snagged|books?|booked)\s+(?=[^.;]{0,60}?\b(?i:orders?|contracts?)\b)"
    # "Walgreens Slashed Its Annual Profit Forecast": a name that acts on its own figures
    r"|(?P<e>\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})\s+(?i:cut|cuts|slashed|slashes|raised|raises|lifted|"
    r"lifts|lowered|lowers|trimmed|trims|beat|beats|missed|misses|posted|posts|reported|reports)\s+(?i:its|their)\b")
_NOT_A_NAME = frozenset("""
The A An Its Their His Her Our U.S US UK EU China Chinese Hong Kong Japan Japanese Korean European Asian
American British German French Global World Wall Street Nasdaq NYSE Shares Stock Stocks Markets Market
Tech Bank Banks Oil Gold Why What How When Who Which This That These Those Investors Analysts Its
""".split())
# a clause about the market's reaction: shares moving, not the news itself
_SHARES_WORD = re.compile(r"\b(?:shares?|stocks?|ADRs?|stock\s+price|share\s+price|\u80a1\u4ef7|\u80a1\u7968)\b|\u80a1\u4ef7|"
                          + namecontext.JK_SHARE_WORDS, re.IGNORECASE)       # 株価, 株が/株は, 주가
_MOVE_WORD = re.compile(
    r"\b(?:rose|rise|rises|rising|risen|fell|fall|falls|falling|fallen|sunk|jump(?:s|ed)?|slump(?:s|ed)?|surg(?:e|es|ed)|"
    r"soar(?:s|ed)?|plung(?:e|es|ed)|tumbl(?:e|es|ed)|sink(?:s)?|sank|slid(?:e|es)?|climb(?:s|ed)?|"
    r"gain(?:s|ed)?|drop(?:s|ped)?|higher|lower|traded|trading|closed|opened|rall(?:y|ies|ied)|"
    r"slipp?(?:ed|s)?|dipp?(?:ed|s)?|edged|sl(?:a|u)mp|rebound(?:ed|s)?|tank(?:s|ed)?|"
    r"skyrocket(?:s|ed)?|spik(?:e|es|ed)|(?:doubl|tripl|quadrupl|halv)(?:e|es|ed|ing)|"
    # "shares suffered their worst day since 1987", "the stock's biggest one-day drop"
    r"(?:worst|best|biggest|steepest|sharpest|largest)\s+(?:[\w-]+\s+)?(?:day|days|session|week|"
    r"drop|fall|decline|gain|rise|loss|selloff|sell-off))\b"
    # a verb of value with the percentage it moved: "Alphabet added 2.8%", "lost 4%", "shed 3%"
    r"|\b(?:add(?:s|ed)?|lost|los(?:es|ing)|shed(?:s|ding)?|gave\s+up|declined|advanced|retreated)\s+"
    r"(?:(?:as\s+much\s+as|about|nearly|almost|more\s+than|some)\s+)?\d+(?:\.\d+)?\s?(?:%|percent|per\s+cent)|\u5927\u6da8|\u5927\u8dcc|\u6da8\u505c|\u8dcc\u505c|\u4e0a\u6da8|\u4e0b\u8dcc"
    # 收涨 收跌 收高 收低 走高 走低 高开 低开 飙升 暴涨 暴跌 急跌 涨逾 跌逾 (closed up/down, moved higher/lower, ...)
    r"|\u6536\u6da8|\u6536\u8dcc|\u6536\u9ad8|\u6536\u4f4e|\u8d70\u9ad8|\u8d70\u4f4e|\u9ad8\u5f00|\u4f4e\u5f00|"
    r"\u98d9\u5347|\u66b4\u6da8|\u66b4\u8dcc|\u6025\u8dcc|\u6da8\u903e|\u8dcc\u903e"
    # Japanese and Korean: 急騰 急落 ... 大幅高 高値 ..., 급등 급락 상승 하락
    "|" + namecontext.JK_MOVE_WORDS +
    # a cashtag and a signed change: "$PLTR +23%", "$SMCI -18%"
    r"|\$[A-Z]{1,5}\s+[+\u2212-]\d+(?:\.\d+)?\s?%",
    re.IGNORECASE)
_NEWS_WORD = re.compile(
    r"\b(?:said|says|say|announc(?:e|es|ed|ing)|report(?:s|ed)?|post(?:s|ed)|releas(?:e|es|ed)|"
    r"unveil(?:s|ed)?|launch(?:es|ed)?|publish(?:es|ed)?|disclos(?:e|es|ed)|forecast(?:s)?|warn(?:s|ed)?|"
    r"cut(?:s)?|rais(?:e|es|ed)|slash(?:es|ed)?|agree(?:s|d)?|fil(?:e|es|ed)|apologi[sz](?:e|es|ed)|"
    r"declar(?:e|es|ed)|pric(?:e|es|ed)|issu(?:e|es|ed)|confirm(?:s|ed)?|reveal(?:s|ed)?|"
    r"pushed|blew|crashed|grounded|ordered)\b", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(
    r",\s+(?=[a-z])|;\s+|\s+\u2014\s+|\uff0c|\uff1b"
    r"|(?<!\bmuch)(?<!\bmany)(?<!\bwell)(?<!\bsuch)(?<!\bfar)(?<!\bsoon)(?<!\blong)"
    r"\s+(?=(?:after|since|following|as(?!\s+(?:much|many|well|high|low|little|far|long|soon|part|of|if|"
    r"though|such|to|a\s+result)\b)|when|while|before)\s+"
    r"(?!(?:the\s+)?(?:[\w.'\u2019]+\s+){0,3}(?:bell|close|closing|open|opening|hours|markets?|trading|"
    r"session|midnight|dawn|noon)\b|\d{4}\b))", re.IGNORECASE)     # "worst day since 1987 on Tuesday": one clause
_HEADLINE_CLAUSE_SPLIT = re.compile(r"[,;:]\s+(?!\d)|\s+[\u2013\u2014-]\s+|\uff0c|\uff1b|\uff1a")
# in Japanese headlines 、 separates clauses ("日産株が急騰、ホンダとの統合協議の報道受け"); in Chinese it
# separates the items of a list, so only in text with kana
_KANA_CLAUSE_SPLIT = re.compile("\u3001|\u3000")


@dataclass
class _Item:
    """One news item: an article or a headline."""

    id: str
    kind: str                                   # "article" | "headline"
    sentences: list[tuple[str, str]] = field(default_factory=list)   # (sentence, "subject"|"mention"|"boiler")
    dateline: _dt.date | None = None
    text: str = ""
    has_lead: bool = False
    paras: list[int] = field(default_factory=list)      # the paragraph of each sentence (articles)
    named: dict = field(default_factory=dict)          # sentence -> [(position, company name)]
    previews: set = field(default_factory=set)         # companies named only as about to report

    def add(self, sentences, role: str) -> None:
        """Sentences of one new paragraph."""
        n = (self.paras[-1] + 1) if self.paras else 0
        for sentence in sentences:
            self.sentences.append((sentence, role))
            self.paras.append(n)

    def paragraph(self, k: int) -> list[str]:
        """The sentences of the paragraph of sentence ``k``, from ``k`` on."""
        if len(self.paras) != len(self.sentences):
            return [self.sentences[k][0]]
        return [s for j, (s, _) in enumerate(self.sentences) if j >= k and self.paras[j] == self.paras[k]]


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


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks of non-empty lines, bullets and numbers dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for b in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [_BULLET.sub("", ln).strip() for ln in b.splitlines()]
        lines = [ln for ln in lines if ln]
        if lines:
            blocks.append(lines)
    return blocks


class _Layout:
    """Builds the items of a text block by block (see the module docstring, "Text layout")."""

    def __init__(self, anchor: _dt.date | None):
        self.anchor = anchor
        self.items: list[_Item] = []
        self.article: _Item | None = None
        self.n_articles = self.n_headlines = 0

    def headlines(self, block: list[str]) -> None:
        self.article = None
        for line in block:
            self.n_headlines += 1
            self.items.append(_Item(f"h{self.n_headlines:02d}", "headline", [(line, "subject")], text=line))

    def new_article(self) -> _Item:
        self.n_articles += 1
        self.article = _Item(f"a{self.n_articles:02d}", "article")
        self.items.append(self.article)
        return self.article

    def title(self, line: str) -> None:
        self.article.add([line], "subject")
        self.article.text = line

    def lead(self, line: str) -> None:
        """The first body paragraph: dateline, then the lead sentence, then mentions."""
        article = self.article
        dateline, end = find_dateline(line, self.anchor)
        if dateline is not None:
            article.dateline = dateline
            line = line[end:].strip()
        sentences = split_sentences(line)
        if not sentences:            # a dateline on a line of its own
            return
        n = (article.paras[-1] + 1) if article.paras else 0
        article.sentences += [(sentences[0], "subject")] + [(s, "mention") for s in sentences[1:]]
        article.paras += [n] * len(sentences)
        article.text = article.text or sentences[0]
        article.has_lead = True

    def body(self, line: str) -> None:
        role = "boiler" if _BOILERPLATE.match(line) else "mention"
        self.article.add(split_sentences(line), role)

    def article_block(self, block: list[str]) -> None:
        for j, line in enumerate(block):
            if not self.article.sentences and j + 1 < len(block) and _headline_like(line):
                self.title(line)                                  # a title on the first line
            elif not self.article.has_lead:
                self.lead(line)
            else:
                self.body(line)


def split_items(text: str, anchor: _dt.date | None = None) -> list[_Item]:
    """Articles and headlines of a text, in order (see the module docstring for the layout)."""
    blocks = _blocks(text)
    layout = _Layout(anchor)
    for i, block in enumerate(blocks):
        is_list = len(block) >= 2 and all(_headline_like(ln) for ln in block)
        single_title = len(block) == 1 and _headline_like(block[0])
        followed_by_article = i + 1 < len(blocks) and not all(_headline_like(ln) for ln in blocks[i + 1])
        if is_list or (single_title and layout.article is None and not followed_by_article):
            layout.headlines(block)
        elif layout.article is None and single_title:
            layout.new_article()
            layout.title(block[0])
        else:
            if layout.article is None:
                layout.new_article()
            layout.article_block(block)
    return layout.items


# ------------------------------------------------------------------------------- companies ----

@dataclass
class _Found:
    company: Company
    role: str
    evidence: str
    order: tuple[int, int]
    extra: list[str] = field(default_factory=list)
    confirmed: bool = True
    replaced: list[str] = field(default_factory=list)
    own: str = ""                # a body sentence giving the company's own move and news (its timing)
    venues: set = field(default_factory=set)   # Yahoo suffixes of the markets its moves are said to be in


@dataclass
class _Hit:
    pos: int
    company: Company
    flag: str                    # "" | "former" | "source" | "compared" | "analyst" | "supply" | "party" | "preview" | "cause" | "owner" | "aside"
    extra: list[str]
    confirmed: bool = True
    replaced: list[str] = field(default_factory=list)   # "SQ>XYZ": a symbol written for a table's listing


def _adhoc_name(before: str, ticker: str) -> str:
    m = _NAME_BEFORE_TAG.search(before)
    name = m.group(1) if m else ""
    name = re.sub(r"['\u2019]s$", "", name.strip().rstrip(","))
    name = re.sub(r"^(?:(?:Shares|Stock|Units)\s+(?:of|in)|The|Rivals?|Peers?)\s+", "", name)
    return name or ticker


def _flag(masked: str, s: int, e: int, company: Company) -> str:
    if _FORMER.search(masked[max(0, s - 12):s]):
        return "former"
    if company.kind == "media" and (_ATTRIB_AFTER.match(masked[e:e + 30])
                                    or _ATTRIB_BEFORE.search(masked[max(0, s - 20):s])):
        return "source"
    if company.kind in ("media", "data") and (_DATA_AFTER.match(masked[e:e + 80]) or _ATTRIB_AFTER.match(
            masked[e:e + 30]) or _DATA_BEFORE.search(masked[max(0, s - 40):s])):
        return "source"              # a vendor of numbers cited for them: "according to LSEG data"
    return _other_party_flag(masked, s, e) or _cause_flag(masked, s, e)


def _other_party_flag(masked: str, s: int, e: int) -> str:
    """"compared", "analyst", "supply", "party" or "preview": a company named beside the news, always a mention."""
    if _COMPARED.search(masked[max(0, s - 60):s]) or _COMPARED_ZH.search(masked[max(0, s - 6):s]) or \
            (_THAN_ZH.search(masked[max(0, s - 3):s]) and _COMPARATIVE_ZH.match(masked[e:e + 24])):
        return "compared"
    if _analysts_firm(masked, s, e):
        return "analyst"
    if _SUPPLY_BEFORE.search(masked[max(0, s - 90):s]) or _SUPPLY_AFTER.match(masked[e:e + 20]) or \
            _TRADE_BEFORE.search(masked[max(0, s - 90):s]) or namecontext.order_won(masked, s, e):
        return "supply"
    if _PARTY_OF.search(masked[max(0, s - 60):s]) or _PARTY_OF_AFTER.match(masked[e:e + 12]) or \
            _LENDER_BEFORE.search(masked[max(0, s - 120):s]) or _ADVISER_AFTER.match(masked[e:e + 160]) or \
            (_HIRED_FROM_BEFORE.search(masked[max(0, s - 12):s]) and _HIRED_FROM_AFTER.match(masked[e:e + 80])):
        return "party"
    if _PREVIEW_AFTER.match(masked[e:e + 160]) or (
            _SCHEDULE_TAIL.match(masked[e:e + 30]) and _REPORT_BEFORE.search(masked[max(0, s - 120):s])):
        return "preview"
    return ""


def _analysts_firm(masked: str, s: int, e: int) -> bool:
    """An analyst's or economist's firm: "Barclays downgraded", "analysts at Jefferies", every firm
    of a list of them ("analysts at Kotak Institutional Equities and Jefferies", "Jefferies and
    Kotak downgraded the stock")."""
    return bool(_ANALYST_AFTER.match(masked[e:e + 60]) or _ANALYST_BEFORE.search(masked[max(0, s - 40):s])
                or _ANALYST_LIST_AFTER.match(masked[e:e + 160])
                or namecontext.ANALYST_LIST_BEFORE.search(masked[max(0, s - 120):s]))


def _heads_the_item(masked: str, s: int, e: int) -> bool:
    """The name is the subject of the item's first clause ("Boeing rival Airbus wins record
    order", "Apple rival Samsung reports record profit"): introduced as a rival, it does the news."""
    return not re.search(r"[;.:!?\n]", masked[:s]) and bool(namecontext.VERB_AFTER.match(masked[e:e + 40]))


# a company whose own act explains a move the clause gave before it: "Super Micro fell 12% after
# Nvidia shipped fewer chips than expected", "Eli Lilly rose after rival Novo Nordisk reported
# disappointing results", "Nikola fell 11% ..., two days after General Motors agreed to take a stake"
_CAUSE_LINK_BEFORE = re.compile(r"\b(?:after|as|when|following)\s+(?:(?:[a-z][\w-]*|U\.S\.)\s+){0,3}$")
_CAUSE_ACT_AFTER = re.compile(
    r"^(?:\s+(?:(?:also|had|has|have|would|will|could|not|then|abruptly|unexpectedly|"
    r"officially|formally|reportedly|suddenly)\s+)?(?:[a-z]+ed|said|says|cut|cuts|won|wins|sold|sells|took|takes|"
    r"made|makes|struck|strikes|chose|chooses|broke|hit|set|put|bought|buys|began|told|sent|shut|quit|"
    r"lost|pulled|reports|warns|ends|drops|picks|ships|plans|agrees|moved|unveils|launches|sues)\b)")
# (not a possessive: "futures are higher after Nvidia's numbers" is Nvidia's own news moving a market)


# a company named as the place of an incident or as the carrier of the thing it happened to ("after
# a door plug blew out on an Alaska Airlines flight", "grounded Delta Air Lines flights", "a 737 MAX
# flown by American Airlines"): beside another company's move, a cause (a mention unless its own
# shares move)
_SITE_AFTER = re.compile(
    r"^\s+(?:[a-z][\w-]*\s+)?(?:flights?|jets?|planes?|aircraft|airliners?|trains?|ships?|vessels?|tankers?|"
    r"trucks?|buses|bus|stores?|restaurants?|hotels?|warehouses?|refinery|refineries|mines?|rigs?|"
    r"branch(?:es)?|outlets?|plants?|factory|factories|parking\s+lots?|passengers)\b")
_SITE_BEFORE = re.compile(r"\b(?:operated|flown|chartered|leased|run)\s+by\s+(?:the\s+)?$", re.IGNORECASE)


def _incident_site(masked: str, s: int, e: int) -> bool:
    """The place of an incident (:data:`_SITE_AFTER`, :data:`_SITE_BEFORE`) told as the reason of
    a move, not dated apart from it: "after a cabin panel blew out on an Alaska Airlines flight
    late on Friday" (shares fell on Monday) is the airline's own event of Friday evening too."""
    if not (_SITE_AFTER.match(masked[e:e + 40]) or _SITE_BEFORE.search(masked[max(0, s - 24):s])):
        return False
    rest = re.split(r"[,;:.]", masked[e:e + 120])[0]
    return not _WEEKDAY_WORD.search(rest)


_WEEKDAY_WORD = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|overnight)\b")


def _reaction_cause(masked: str, s: int, e: int) -> bool:
    """The name follows a move and a causal link in its clause and does something itself: the cause
    of another company's move (:data:`_CAUSE_LINK_BEFORE`), a mention unless its own shares move."""
    clause = re.split(r"[;:]", masked[:s])[-1]
    link = _CAUSE_LINK_BEFORE.search(clause)
    return bool(link and _MOVE_WORD.search(clause[:link.start()]) and _CAUSE_ACT_AFTER.match(masked[e:e + 60]))


def _acting_cause(masked: str, s: int, e: int) -> bool:
    """The name does what moved the news's company: "as Morgan Stanley sees ...", "after Nvidia's
    results", or an act after a move (:func:`_reaction_cause`)."""
    return (_SAID_CAUSE_BEFORE.search(masked[max(0, s - 20):s]) and _SAID_CAUSE_AFTER.match(masked[e:e + 40])) or \
        (_RESULTS_CAUSE_BEFORE.search(masked[max(0, s - 20):s]) and _RESULTS_CAUSE_AFTER.match(masked[e:e + 40])) or \
        _reaction_cause(masked, s, e)


def _cause_flag(masked: str, s: int, e: int) -> str:
    """"cause", "owner" or "aside": a mention unless the item says its own shares moved (:func:`_bystanders`)."""
    if _CAUSE_BEFORE.search(masked[max(0, s - 120):s]) or _CAUSE_AFTER.match(masked[e:e + 80]) or \
            _PARTNER_BEFORE.search(masked[max(0, s - 60):s]) or _PARTNER_AFTER.match(masked[e:e + 20]) or \
            (_KANA.search(masked) and masked.startswith("\u3068", e) and _PARTNER_AFTER_CJK.match(masked, e)) or \
            _HIRED_BY.search(masked[max(0, s - 60):s]) or _UNCHANGED_AFTER.match(masked[e:e + 48]) or \
            _ENDS_DEAL_AFTER.match(masked[e:e + 100]) or \
            _MADE_FOR.search(masked[max(0, s - 60):s]) or _acting_cause(masked, s, e) or _incident_site(masked, s, e):
        return "cause"
    if _OWNER_AFTER.match(masked[e:e + 100]) or _OWNER_BEFORE.search(masked[max(0, s - 40):s]) or \
            _INVESTS_IN_UNIT_AFTER.match(masked[e:e + 160]):
        return "owner"
    if (_ASIDE_BEFORE.search(masked[max(0, s - 40):s]) and not _heads_the_item(masked, s, e)) \
            or _ASIDE_AFTER.match(masked[e:e + 60]):
        return "aside"
    return ""


def _name_hits(masked: str, u: Universe, tagged: frozenset[str] = frozenset(), tag_starts: tuple = (),
               ambiguous: list | None = None) -> tuple[dict[str, _Hit], list]:
    names = u.find_names(masked, tagged, tag_starts, ambiguous)
    out: dict[str, _Hit] = {}
    for s, e, c, confirmed in names:
        flag = _flag(masked, s, e, c)
        hit = out.get(c.name)
        if hit is None:
            out[c.name] = _Hit(s, c, flag, [], confirmed)
            continue
        if hit.flag and not flag:        # the strongest context wins: a plain naming beats a flag
            hit.flag = ""
        hit.confirmed = hit.confirmed or confirmed
    return out, names


def _tag_company(u: Universe, ticker: str | None, written: str) -> Company | None:
    """The company of a symbol: its Yahoo ticker's, else the code as written (a Reuters code a
    table lists, "VOWG_p.DE") -- but a bare code written for an exchange outside the US is not the
    US company of that symbol ("(TSX: CNR)" is Canadian National Railway, not CONSOL Energy's CNR)."""
    known = u.company(ticker) if ticker else None
    if known is not None:
        return known
    if ticker and _suffix(ticker) and not _suffix(written) and "_" not in written:
        return None
    return u.company(written)


def _tag_owner(u: Universe, names: list, s: int, ticker: str | None, written: str, masked: str) -> Company | None:
    """The company a symbol belongs to: known by its ticker or code, else the name just before it."""
    known = _tag_company(u, ticker, written)
    if known is not None:
        return known
    return next((c for ns, ne, c, _ in names if 0 <= s - ne and _NAME_TAG_GAP.fullmatch(masked[ne:s])), None)


def _suffix(ticker: str) -> str:
    return ticker[ticker.rindex("."):] if "." in ticker else ""


def _further_listing(owner: Company, venue: str, ticker: str | None, written: str) -> str | None:
    """The symbol as a further listing of a known company, or None: a listing or code the table
    has, a Reuters code written for a listing on an exchange the table has (``LVMH.PA`` for
    MC.PA, ``PRTP.PA`` for KER.PA), or an exchange symbol on an exchange where the table already
    has the company's listing (:func:`_replaced_listing`)."""
    if ticker is None or ticker in owner.listings or written in owner.codes:
        return None
    if venue == "CODE" and any(_suffix(t) == _suffix(ticker) for t in owner.listings):
        return None
    if _replaced_listing(owner, venue, ticker):
        return None
    return ticker


def _replaced_listing(owner: Company, venue: str, ticker: str | None) -> str | None:
    """The table's listing of ``owner`` on the exchange of a symbol the text writes differently
    ("Block Inc (NYSE: SQ)" when the table lists Block as XYZ: a ticker renamed since, or another
    share class). The table's symbol is kept, since it is the one prices are served under today,
    and the notes say so; one company gives one row per exchange, never two."""
    if ticker is None or ticker in owner.listings or venue.startswith(("OTC", "PINK")) or venue == "CODE":
        return None
    return next((t for t in owner.listings if t not in owner.otc and _suffix(t) == _suffix(ticker)), None)


# what may stand between a company's name and its symbol: "Block Inc (NYSE: SQ)", "Acme, Corp. (ACME.O)"
_NAME_TAG_GAP = re.compile(r"[\s,]*(?:(?:Inc|Corp|Corporation|Co|Company|Ltd|Limited|plc|PLC|SA|S\.A|AG|SE|NV|N\.V|"
                           r"Holdings|Group)\.?[\s,]*)*")


def _no_company_tag(venue: str, ticker: str | None, written: str, owner: Company | None, names: list) -> bool:
    """A symbol that names no company here: one no table knows and no name stands before ("$AI"),
    or a cashtag of a crypto-asset or commodity ("$ETH up 8%", "$GOLD +2% as yields fall") in a
    sentence that does not name the company listed under it ("Barrick $GOLD jumps 5%" does)."""
    if owner is None:
        return ticker is None or venue == "CASHTAG"
    return venue == "CASHTAG" and written.lstrip("$") in namecontext.ASSET_CASHTAGS and \
        not any(c.name == owner.name for *_, c, _ in names)


def _symbol_hits(masked: str, tags, u: Universe, out: dict[str, _Hit], names: list,
                 same: dict[str, Company] | None = None) -> None:
    for s, e, pairs in tags:
        for venue, ticker, written in pairs:
            owner = _tag_owner(u, names, s, ticker, written, masked)
            if _no_company_tag(venue, ticker, written, owner, names):
                continue
            if owner is not None and same is not None:
                # the name written right before the symbol is the symbol's company, in this item
                # (a table's current name for a renamed listing: "Block Inc (NYSE: SQ)" is not XYZ)
                for _, ne, c, _ in names:
                    if c.name != owner.name and ne <= s and _NAME_TAG_GAP.fullmatch(masked[ne:s]):
                        same[c.name] = owner
            if owner is None:
                before = masked[:s]
                name = _adhoc_name(before, ticker)
                owner = Company(name, (name,), (), True, source="text")
                start = s - len(before) + len(before.rstrip()) - len(name)
                out.setdefault(owner.name, _Hit(max(0, start), owner, "", []))
            hit = out.setdefault(owner.name, _Hit(s, owner, "", []))
            hit.confirmed = True
            if (kept := _replaced_listing(owner, venue, ticker)) and f"{ticker}>{kept}" not in hit.replaced:
                hit.replaced.append(f"{ticker}>{kept}")
            extra = _further_listing(owner, venue, ticker, written)
            if extra and extra not in hit.extra:
                hit.extra.append(extra)
                if venue.startswith(("OTC", "PINK")):
                    hit.extra.append(f"otc:{extra}")


_KANA = re.compile(r"[\u3040-\u30ff]")
# a Tokyo code in brackets in Japanese text: "日産自動車（7201）", "（285A）"
_TOKYO_CODE = re.compile(r"[(\uff08]\s*(?P<code>\d{4}|\d{3}[A-Z])\s*[)\uff09]")
# a code with an exchange suffix in full-width brackets: "（7201.T）", "（0700.HK）"
_WIDE_CODE = re.compile(r"\uff08\s*(?P<code>[A-Z0-9][A-Za-z0-9\-_]{0,11}\.[A-Z]{1,3})\s*\uff09")


# a Bloomberg ticker as brokers' notes write it: "(RR/ LN)", "(LLOY LN)", "(NVDA US)", "(700 HK)",
# "(7203 JT Equity)" -- the market code to the Yahoo suffix (a "/" stands for a "." of the code)
_BLOOMBERG = re.compile(r"\(\s*(?P<code>[A-Z0-9]{1,6}(?:/[A-Z]?)?)\s+(?P<mkt>[A-Z]{2})(?:\s+Equity)?\s*\)")
_BLOOMBERG_MARKETS = {
    "US": "", "UN": "", "UW": "", "UQ": "", "LN": ".L", "HK": ".HK", "JP": ".T", "JT": ".T", "GY": ".DE",
    "GR": ".DE", "FP": ".PA", "NA": ".AS", "SM": ".MC", "IM": ".MI", "SW": ".SW", "SE": ".SW", "AU": ".AX",
    "AT": ".AX", "KS": ".KS", "CN": ".TO", "CT": ".TO", "TT": ".TW", "SS": ".ST", "DC": ".CO", "FH": ".HE",
    "NO": ".OL", "BB": ".BR", "ID": ".IR", "PL": ".LS", "SP": ".SI",
}
# a cashtag of social media: "$PLTR", "$NVDA" (a company only when a table knows the symbol)
_CASHTAG = re.compile(r"(?<![\w$])\$(?P<code>[A-Z]{1,5})(?![\w.])")


def _bloomberg_ticker(code: str, market: str) -> str | None:
    suffix = _BLOOMBERG_MARKETS.get(market)
    if suffix is None:
        return None
    root, _, cls = code.partition("/")
    if suffix == ".HK" and root.isdigit():
        root = root.zfill(4)
    if suffix == "" and cls:
        return f"{root}-{cls}"
    return root + (f"-{cls}" if cls else "") + suffix


def _symbols(sentence: str) -> list[tuple[int, int, list[tuple[str, str | None, str]]]]:
    """Symbols as the press writes them (:func:`analysis.data.exchanges.press_symbols`), and in
    full-width brackets ("（7201.T）"); in Japanese text (kana) four characters in brackets are a
    Tokyo code, as Japanese news writes them ("日産自動車（7201）" -> 7201.T)."""
    out = press_symbols(sentence)
    taken = [(a, b) for a, b, _ in out]
    more = [(m.start(), m.end(), [("CODE", code_ticker(m["code"]), m["code"])]) for m in _WIDE_CODE.finditer(sentence)]
    more += [(m.start(), m.end(), [("BBG", t, m.group(0)[1:-1].strip())]) for m in _BLOOMBERG.finditer(sentence)
             if (t := _bloomberg_ticker(m["code"], m["mkt"]))]
    more += [(m.start(), m.end(), [("CASHTAG", m["code"], m.group(0))]) for m in _CASHTAG.finditer(sentence)]
    if _KANA.search(sentence):
        more += [(m.start(), m.end(), [("TYO", m["code"] + ".T", m["code"])]) for m in _TOKYO_CODE.finditer(sentence)]
    for a, b, pairs in more:
        if not any(a < e and s < b for s, e in taken):
            out.append((a, b, pairs))
            taken.append((a, b))
    return sorted(out, key=lambda x: x[0])


def _companies(sentence: str, u: Universe, tagged: frozenset[str] = frozenset(),
               ambiguous: list | None = None, same: dict[str, Company] | None = None) -> list[_Hit]:
    """Companies in one sentence, left to right (see :class:`_Hit` for the flags); ``tagged``:
    the symbols the whole news item writes (:func:`_item_tags`); ``same`` collects the names
    written right before another company's symbol (that company's, in this item)."""
    tags = _symbols(sentence)
    masked = sentence
    for s, e, _ in tags:
        masked = masked[:s] + " " * (e - s) + masked[e:]
    out, names = _name_hits(masked, u, tagged, tuple(s for s, _, _ in tags), ambiguous)
    _symbol_hits(masked, tags, u, out, names, same)
    return sorted(out.values(), key=lambda h: h.pos)


def _clause_spans(sentence: str, headline: bool) -> list[tuple[int, int]]:
    """``(start, end)`` of the clauses of :func:`_clauses`."""
    splitters = [_CLAUSE_SPLIT, _HEADLINE_CLAUSE_SPLIT] if headline else [_CLAUSE_SPLIT]
    if headline and _KANA.search(sentence):
        splitters.append(_KANA_CLAUSE_SPLIT)
    spans = [(0, len(sentence))]
    for rx in splitters:
        spans = [(a + p, a + q) for a, b in spans
                 for p, q in _split_points(rx, sentence[a:b])]
    return spans


def _split_points(rx: re.Pattern, text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in rx.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _movers(sentence: str, hits: list[_Hit], headline: bool) -> tuple[set[str], list[str]]:
    """``(companies a clause of the sentence says moved, those clauses)`` ("Young Poong shares also rose")."""
    masked = sentence                   # "(NYSE: SAVE)" does not end a clause at its colon
    for a, b, _ in _symbols(sentence):
        masked = masked[:a] + " " * (b - a) + masked[b:]
    spans = [(a, b) for a, b in _clause_spans(masked, headline) if _is_reaction(masked[a:b])]
    return {h.company.name for h in hits if any(a <= h.pos < b for a, b in spans)}, [sentence[a:b] for a, b in spans]


def _first_word_movers(sentence: str, hits: list[_Hit], clauses: list[str]) -> set[str]:
    """Companies a clause about a move names with their shares, by the name the sentence wrote or
    its first word ("Novo Nordisk ends its partnership with Hims & Hers; Hims shares sank 35%",
    "...; Capital One shares fell 2%"): they moved, also when named as the other party of the news."""
    out = set()
    for h in hits:
        written = sentence[h.pos:h.pos + _written_length(sentence, h)].strip()
        forms = "|".join(re.escape(f) for f in {written, *written.split()[:1]} if len(f) >= 3)
        if forms and any(re.search(rf"(?<![\w&-])(?:{forms})(?:['\u2019]s)?\s+(?:shares|stock)\b", c)
                         for c in clauses):
            out.add(h.company.name)
    return out


def _bystanders(item: _Item, per_sentence: list[list[_Hit]]) -> set[str]:
    """Companies named as a bidder or a cause (flag ``cause``) in a sentence that says another
    company's shares moved, or as an owner of the item's company (flag ``owner``), whose own
    shares the item never says moved: mentions."""
    moved: set[str] = set()
    beside: set[str] = set()
    reactions: list[str] = []
    for (sentence, where), hits in zip(item.sentences, per_sentence):
        if where == "boiler":
            continue
        movers, clauses = _movers(sentence, hits, item.kind == "headline")
        # the bidder, cause or partner of a move is not its mover ("Nissan Shares Jump on Report
        # of Merger Talks With Honda": Nissan moved)
        causes = {h.company.name for h in hits if h.flag == "cause"}
        movers = (movers - causes) | _first_word_movers(sentence, hits, clauses)
        moved |= movers
        reactions += [(c, causes) for c in clauses]
        beside |= {h.company.name for h in hits if h.flag == "cause" and (
            movers - {h.company.name} or _reaction_cause(sentence, h.pos, h.pos + _written_length(sentence, h)))}
        beside |= {h.company.name for h in hits if h.flag in ("owner", "aside")}
    # "Young Poong shares also rose" for "MBK Partners and Young Poong Corp (000670.KS)"
    moved |= {n for n in beside if any(_short_name(part) in c for c, causes in reactions if n not in causes
                                       for part in re.split(r"\s+and\s+", n))}
    return beside - moved


# a unit the item names after its parent: "its wind turbine unit Siemens Gamesa"
_UNIT_NAME = re.compile(r"\b(?:unit|units|subsidiary|subsidiaries|division|arm|affiliate)\s+"
                        r"((?:[A-Z][\w&'\u2019-]*)(?:\s+[A-Z][\w&'\u2019-]*){1,3})")


def _longer_names(item: _Item, per_sentence: list[list[_Hit]]) -> list[list[_Hit]]:
    """A company's name that begins a longer name the item establishes as another entity is that
    entity: a name written before a symbol no table knows ("Hyundai Motor India (NSE: HYUNDAI)":
    "Hyundai Motor India falls" is not Hyundai Motor) is that symbol's company; a unit named
    after its parent ("its unit Siemens Gamesa": "Siemens Gamesa, which ..." is not Siemens)
    gives no row of the parent there."""
    ad_hoc = {h.company.name: h.company for hits in per_sentence for h in hits if h.company.source == "text"}
    units = {m[1] for sentence, _ in item.sentences for m in _UNIT_NAME.finditer(sentence)}
    longer = {**{n: None for n in units}, **ad_hoc}
    if not longer:
        return per_sentence
    out = []
    for (sentence, _), hits in zip(item.sentences, per_sentence):
        kept = []
        for h in hits:
            name = next((n for n in longer if n != h.company.name and n not in h.company.aliases
                         and sentence.startswith(n, h.pos) and re.match(r"\W|$", sentence[h.pos + len(n):])), None)
            if name is None:
                kept.append(h)
            elif longer[name] is not None:
                h.company = longer[name]
                kept.append(h)
        out.append(kept)
    return out


def _short_forms(item: _Item, u: Universe, per_sentence: list[list[_Hit]]) -> dict[str, Company]:
    """Shorter forms of the names the item writes right before a known company's symbol:
    "Deckers Outdoor Corp (NYSE: DECK)" and "Whirlpool Corp (NYSE: WHR)" set up "Deckers Outdoor",
    "Deckers" and "Whirlpool" for that company in the rest of the item ("Whirlpool and Zions move",
    "Deckers rose 3%"). The first word alone only when it is no ordinary word, given name or place
    (:func:`analysis.events.broad.usable`)."""
    out: dict[str, Company] = {}
    ad_hoc = {h.company.name: h.company for hits in per_sentence for h in hits if h.company.source == "text"}
    for sentence, _ in item.sentences:
        for s, _, pairs in _symbols(sentence):
            for venue, ticker, written in pairs:
                if venue == "CASHTAG":
                    continue             # "$SOL and $ETH": a cashtag follows no name of its company
                name = _adhoc_name(sentence[:s], ticker or written)
                owner = _tag_company(u, ticker, written) or ad_hoc.get(name)
                if owner is not None:
                    for form in _forms_of(name):
                        out.setdefault(form, owner)
    return out


def _forms_of(name: str) -> list[str]:
    """"Super Micro and Deckers Outdoor Corp" -> ["Deckers Outdoor", "Deckers"]; "Whirlpool Corp" -> ["Whirlpool"]."""
    name = re.split(r"\s+(?:and|&)\s+|,\s+", name)[-1]
    short = _short_name(name)
    if (short == name and " " not in name) or not short[:1].isupper():
        return []
    forms = [short]
    first = short.split()[0]
    # a surname is the company's short form once its full name and symbol are written ("Lloyds
    # Banking Group (LLOY LN)" ... "results from Rolls-Royce and Lloyds")
    if " " in short and len(first) >= 4 and (_plain_word(first) or first in namecontext.SURNAMES):
        forms.append(first)
    return [f for f in forms if f not in _NOT_A_NAME and len(f) >= 3]


def _written_length(sentence: str, h: _Hit) -> int:
    """Length of the name a hit's company is written with at its position (0 when none matches)."""
    return max((len(a) for a in (h.company.name, *h.company.aliases) if sentence.startswith(a, h.pos)), default=0)


def _plain_word(word: str) -> bool:
    """A word that can name a company alone (:func:`analysis.events.broad.usable`); without
    ``wordfreq`` no word can (ordinary words cannot be told apart)."""
    try:
        return broad.usable(word)
    except ImportError:
        return False


def _short_form_hits(item: _Item, u: Universe, per_sentence: list[list[_Hit]]) -> list[list[_Hit]]:
    """Hits of :func:`_short_forms` where a sentence names the company no other way."""
    forms = _short_forms(item, u, per_sentence)
    if not forms:
        return per_sentence
    out = []
    for (sentence, _), hits in zip(item.sentences, per_sentence):
        have = {h.company.name for h in hits}
        hits = list(hits)
        for form, owner in forms.items():
            if owner.name in have:
                continue
            m = re.search(rf"(?<![\w&'\u2019-]){re.escape(form)}(?![\w&-])", sentence)
            if m and _runs_into_other_name(sentence, m.end(), owner):
                m = None             # "Banco BPM" is no short form of "Banco Santander (BME: SAN)"
            if m and not any(h.pos == m.start() or h.pos <= m.start() < h.pos + _written_length(sentence, h)
                             for h in hits):
                hits.append(_Hit(m.start(), owner, _flag(sentence, m.start(), m.end(), owner), []))
                have.add(owner.name)
        out.append(sorted(hits, key=lambda h: h.pos))
    return out


def _runs_into_other_name(sentence: str, end: int, owner: Company) -> bool:
    """A capitalised word follows that is in none of the company's names: the form begins another name."""
    m = re.match(r"[ \t]+([A-Z][\w&'\u2019.-]*)", sentence[end:end + 40])
    return bool(m) and not namecontext.VERB_AFTER.match(sentence[end:end + 40]) and \
        not any(m.group(1) in a.split() for a in (owner.name, *owner.aliases))


def _short_name(name: str) -> str:
    """A name without its legal form: "Young Poong Corp" -> "Young Poong"."""
    return re.sub(r"(?:[\s,]+(?:Inc|Corp|Corporation|Co|Company|Ltd|Limited|plc|PLC|SA|AG|SE|NV|Holdings|Group)\.?)+$",
                  "", name) or name


def _item_tags(item: _Item, u: Universe) -> frozenset[str]:
    """Listings of the companies the item names by a symbol ("(0708.HK)"): a name several
    companies share is none of those (:meth:`Universe.find_names`)."""
    out = set()
    for sentence, _ in item.sentences:
        for _, _, pairs in _symbols(sentence):
            for _, ticker, written in pairs:
                owner = _tag_company(u, ticker, written)
                out.update(owner.listings if owner is not None else ())
                out.update(t for t in (ticker, written) if t)
    return frozenset(out)


# the company's own news as the reason of its move: "after the payments company's revenue missed",
# "after the carrier added more subscribers than expected", "as its forecast disappointed"
_OWN_DESCRIPTOR = (r"(?:its|their)\b|the\s+(?:[\w-]+\s+){0,2}?(?:company|carrier|maker|bank|lender|retailer|insurer|"
                   r"chipmaker|carmaker|automaker|airline|group|firm|operator|provider|producer|miner|developer|"
                   r"brewer|giant|platform|chain)(?:['\u2019]s)?\b")
_OWN_REASON = re.compile(
    rf"\b(?:(?:after|following)\s+(?:[\w$%.,-]+\s+){{0,5}}?(?:{_OWN_DESCRIPTOR}|"
    r"(?:quarterly|annual|first-quarter|second-quarter|third-quarter|fourth-quarter)\s+(?:results|earnings|"
    rf"revenue|profit|sales)\b)|as\s+(?:{_OWN_DESCRIPTOR}))", re.IGNORECASE)


def _own_move(sentence: str, hit: _Hit, hits: list[_Hit]) -> bool:
    """A body sentence of an article that opens with the company, says its shares moved and gives
    its own news as the reason ("Visa fell after the payments company's quarterly revenue missed
    estimates", "AT&T bucked the trend, rising 5% after the carrier added more subscribers"): a
    mover with an event of its own, as in a market wrap; a subject, timed by that sentence. Moving
    with the market ("Nvidia lost 6.8%", "were little changed as investors moved into defensive
    shares") or named after another company stays a mention."""
    alone = {h.company.name for h in hits} == {hit.company.name}       # "AT&T bucked the trend, rising 5%"
    if hit.flag or hits[0] is not hit:
        return False
    # "Investors piled into Micron, lifting the stock 4% after its forecast beat estimates": the only
    # company of the sentence, whose stock a clause says moved
    if sentence[:hit.pos].strip(" \"'\u201c") not in ("", "Shares of") and not (
            alone and _INVESTORS_INTO.search(sentence[:hit.pos])):
        return False
    movers, clauses = _movers(sentence, hits, False)
    lifted = alone and bool(_LIFTING_ITS_STOCK.search(sentence))
    return (hit.company.name in movers or (alone and bool(clauses)) or lifted) and bool(_OWN_REASON.search(sentence)) \
        and not _NOT_MOVING.search(sentence)


# a digest's paragraph about one company or a few ("Goldman Sachs - Shares of the investment bank
# surged 12%", "JPMorgan Chase, Wells Fargo - Bank stocks rallied", a movers list) and a labelled
# entry of a morning note that introduces a company by its symbol ("Company news: Rolls-Royce
# (RR/ LN) posted FY23 profit ...", "Yesterday: HSBC (HSBA LN) fell 8.3% after ...")
_HEADING_SEP = re.compile(r"\s+[-\u2013\u2014]\s+|:\s+")
_LABEL = re.compile(r"^[A-Z][\w'\u2019]*(?:\s+[a-z][\w'\u2019]*){0,2}:\s+")
_NEWS_OR_MOVE_AFTER = re.compile(r"^\s+(?:(?:has|have|had|on\s+[A-Z]\w+day|also|again)\s+)?(\w+)")


def _paragraph_start(item: _Item, k: int) -> int:
    while k > 0 and len(item.paras) == len(item.sentences) and item.paras[k - 1] == item.paras[k]:
        k -= 1
    return k


def _digest_news(item: _Item, k: int, hit: _Hit, hits: list[_Hit]) -> bool:
    """A body paragraph of a digest headed by the company ("Name - text", "Name, Name - text":
    the paragraph says a move or news) or a sentence that opens, after a label of up to three
    words ("Yesterday:", "Company news:"), with the company and its symbol and goes on with a
    verb of news or of a move, in a paragraph that opens with such a label: the company's own
    news, a subject timed by that paragraph."""
    if hit.flag:
        return False
    heading = _digest_heading(item, k, hits)
    if heading is not None:
        return hit in heading
    return _labelled_entry(item, k, hit)


def _digest_heading(item: _Item, k: int, hits: list[_Hit]) -> list[_Hit] | None:
    """The companies heading sentence ``k`` when it opens its paragraph as "Name, Name - text"
    and the paragraph says a move or news; None when it is no such heading."""
    sentence = item.sentences[k][0]
    if k != _paragraph_start(item, k):
        return None
    m = _HEADING_SEP.search(sentence[:120])
    if m is None:
        return None
    heads = [h for h in hits if h.pos < m.start()]
    heading = sentence[:m.start()]
    for h in sorted(heads, key=lambda h: h.pos, reverse=True):
        heading = heading[:h.pos] + heading[h.pos + _written_length(sentence, h):]
    if not heads or re.sub(r"\b(?:and|&)\b|[\s,]", "", heading):
        return None
    if _HEADING_SEP.search(sentence[m.end():]) and m.group(0).strip() in "-\u2013\u2014":
        return None       # "Microsoft - its largest backer - also took part": an aside, no heading
    if _SOURCE_OPENING.match(sentence[m.end():]) or _headings(item) < 2:
        return None       # "Goldman Sachs: Economists at the bank said"; one such line is no digest
    rest = " ".join([sentence[m.end():]] + item.paragraph(k)[1:])
    said = any(_is_reaction(c) for c in _clauses(rest, False)) or bool(_NEWS_WORD.search(rest))
    return heads if said else []


# what a firm's people say is their forecast, not the firm's news
_SOURCE_OPENING = re.compile(r"(?:the\s+(?:bank|firm|broker)['\u2019]s\s+)?(?:economists?|strategists?|analysts?|"
                             r"chief\s+economist)\b", re.IGNORECASE)


def _headings(item: _Item) -> int:
    """How many paragraphs of the item open with a name and a separator (a digest has several)."""
    n = 0
    for k, (sentence, *_) in enumerate(item.sentences):
        if k == _paragraph_start(item, k):
            m = _HEADING_SEP.search(sentence[:120])
            n += m is not None and re.fullmatch(r"[A-Z][\w.&'\u2019-]*(?:[\s,]+(?:and\s+|&\s+)?[A-Z][\w.&'\u2019-]*){0,5}",
                                                sentence[:m.start()].strip()) is not None
    return n


def _labelled_entry(item: _Item, k: int, hit: _Hit) -> bool:
    """Sentence ``k`` opens (after a label) with the company and its symbol, then a verb of news
    or of a move, in a paragraph that opens with a label ("Yesterday: HSBC (HSBA LN) fell 8.3%")."""
    sentence = item.sentences[k][0]
    if not _LABEL.match(item.paragraph(_paragraph_start(item, k))[0]):
        return False
    label = _LABEL.match(sentence)
    if sentence[label.end() if label else 0:hit.pos].strip(" \"'\u201c"):
        return False
    end = hit.pos + _written_length(sentence, hit)
    tag = next((b for a, b, _ in _symbols(sentence) if a >= end and _NAME_TAG_GAP.fullmatch(sentence[end:a])), None)
    w = _NEWS_OR_MOVE_AFTER.match(sentence[tag:tag + 40]) if tag is not None else None
    if w is not None and _COMING_REPORT.match(sentence[tag + w.start(1):tag + w.start(1) + 60]):
        return False      # "Reminder: Cisco (CSCO US) reports after the close": a report to come
    return w is not None and bool(_NEWS_WORD.fullmatch(w[1]) or _MOVE_WORD.fullmatch(w[1]))


# a present-tense report with the session it comes in, and no past news: a preview
_COMING_REPORT = re.compile(r"(?:reports?|posts?|releases?|announces?)\s+(?:[\w-]+\s+){0,3}?"
                            r"(?:after\s+the\s+(?:close|bell)|before\s+the\s+(?:bell|open)|today|tonight|tomorrow)\b",
                            re.IGNORECASE)


# investors acting on a stock: "Investors piled into", "Traders dumped", "Funds rushed to buy"
_INVESTORS_INTO = re.compile(
    r"^[\s\"'\u201c]*(?:(?:On\s+\w+|Meanwhile|Elsewhere),\s+)?(?:[A-Z][a-z]+\s+)?(?:Investors|Traders|Buyers|"
    r"Sellers|Funds|Hedge\s+funds|Shareholders|investors|traders|buyers|sellers|funds|shareholders)\s+"
    r"(?:[a-z]+\s+){0,2}?(?:piled|poured|rushed|flocked|crowded|dumped|sold|bought|fled|snapped\s+up|"
    r"shunned|ditched|unloaded|shed|scooped\s+up|loaded\s+up\s+on|bailed\s+out\s+of)\s+"
    r"(?:(?:back\s+)?(?:into|out\s+of|of|from|to\s+buy|to\s+sell)\s+)?(?:shares\s+(?:of|in)\s+)?$",
    re.IGNORECASE)
_LIFTING_ITS_STOCK = re.compile(
    r"\b(?:lifting|sending|pushing|driving|dragging|knocking|boosting|taking)\s+(?:the|its)\s+(?:stock|shares)\b",
    re.IGNORECASE)
_NOT_MOVING = re.compile(r"\b(?:little\s+changed|unchanged|flat|steady)\b", re.IGNORECASE)


def _item_companies(item: _Item, u: Universe, ambiguous: list | None = None) -> list[_Found]:
    found: dict[str, _Found] = {}
    tagged = _item_tags(item, u)
    same: dict[str, Company] = {}
    per_sentence = [_companies(sentence, u, tagged, ambiguous, same) for sentence, _ in item.sentences]
    for hits in per_sentence:
        for h in hits:
            h.company = same.get(h.company.name, h.company)
    if u.homonyms:
        per_sentence = _resolve_homonyms(item, u, per_sentence, ambiguous)
    for (sentence, _), hits in zip(item.sentences, per_sentence):
        _confirm_lists(sentence, hits)
    per_sentence = _longer_names(item, per_sentence)
    per_sentence = _short_form_hits(item, u, per_sentence)
    item.named = {sentence: [(h.pos, h.company.name) for h in hits if h.confirmed]
                  for (sentence, _), hits in zip(item.sentences, per_sentence)}
    _sources_that_moved(item, per_sentence)
    _add_roles(item, per_sentence, found)
    if item.kind == "article":
        _sector_movers(item, per_sentence, found)
    _group_named(item, per_sentence, found)
    if item.kind == "article":
        _own_dated_moves(item, per_sentence, found)
    _social_post(item, found)
    _move_venues(item, per_sentence, found)
    # a preview's date is its own only where another company is the item's subject
    subjects = {n for n, f in found.items() if f.role == "subject"}
    item.previews = ({h.company.name for hits in per_sentence for h in hits if h.flag == "preview"} - subjects
                     if subjects else set())
    # an ordinary-word name ("Apple", "Shell") counts only when the item confirms it somewhere
    return sorted((f for f in found.values() if f.confirmed), key=lambda f: f.order)


def _homonym(u: Universe, sentence: str, h: _Hit) -> tuple[str, tuple[Company, ...]] | None:
    """``(name, companies)`` when the hit is written with a name several companies share."""
    written = sentence[h.pos:h.pos + _written_length(sentence, h)]
    cands = u.homonyms.get(written)
    return (written, cands) if cands and h.company in cands else None


def _market_pick(cands: tuple[Company, ...], texts: list[str]) -> Company | None:
    """The only candidate listed in the markets ``texts`` name (:func:`analysis.data.exchanges.market_words`):
    venues first ("in Mumbai", "on the NSE", "the Nifty 50"), then currencies and nationalities too
    ("165 billion rupees", "Finnish drugmaker"); None when that does not tell them apart."""
    words = [(suffixes, kind) for t in texts for *_, suffixes, kind in market_words(t)]
    for kinds in (("venue",), ("venue", "home")):
        said = set().union(*(sf for sf, kind in words if kind in kinds)) if words else set()
        fits = [c for c in cands if said & {_suffix(t) for t in c.listings if t not in c.otc}]
        if len(fits) == 1:
            return fits[0]
    return None


def _resolve_homonyms(item: _Item, u: Universe, per_sentence: list[list[_Hit]], ambiguous: list | None) -> list:
    """A name two companies on different exchanges share ("Reliance": Reliance Industries in Mumbai,
    Reliance Inc in New York; "Orion": Orion Oyj in Helsinki, Orion Group in New York) is the one
    the item names otherwise (its full name, its symbol), else the one listed in the markets its
    sentence, then the item, names (:func:`_market_pick`); else no company, and the notes name
    the candidates (never a guess)."""
    named = {h.company.name for (sentence, _), hits in zip(item.sentences, per_sentence) for h in hits
             if _homonym(u, sentence, h) is None}
    out = []
    for (sentence, _), hits in zip(item.sentences, per_sentence):
        kept = []
        for h in hits:
            hom = _homonym(u, sentence, h)
            if hom is not None:
                word, cands = hom
                pick = next((c for c in cands if c.name in named), None) if sum(c.name in named for c in cands) == 1 \
                    else None
                pick = pick or _market_pick(cands, [sentence]) or _market_pick(cands, [s for s, _ in item.sentences])
                if pick is None:
                    if ambiguous is not None and h.confirmed:       # "Reliance on imported crude" says nothing
                        ambiguous.append((word, list(cands)))
                    continue
                h.company = pick
            kept.append(h)
        out.append(kept)
    return out


def _move_venues(item: _Item, per_sentence: list[list[_Hit]], found: dict[str, _Found]) -> None:
    """The markets a company's shares are said to move in ("Siemens shares rose 3% in Frankfurt",
    "Alibaba's Hong Kong-listed shares fell", "Toyota slid 2% in Tokyo"): a venue word in a clause
    about a move belongs to the last company named before it in the clause, else to its first; in
    a clause naming none ("..., and its Shanghai shares gained 10%") to the last one named before
    it in the sentence. A move with no market named counts as the home listing's (None). Only the
    moves of the headline, the title and the lead pick listings: a body sentence about one
    listing ("HSBC's Hong Kong-listed shares closed 2.2% higher" after the lead's news) is a detail
    of an event every listing answers."""
    headline = item.kind == "headline"
    for (sentence, where), hits in zip(item.sentences, per_sentence):
        if where != "subject" or not hits:
            continue
        masked = sentence
        for a, b, _ in _symbols(sentence):
            masked = masked[:a] + " " * (b - a) + masked[b:]
        for a, b in _clause_spans(masked, headline):
            if not _is_reaction(masked[a:b]):
                continue
            inside = [h for h in hits if a <= h.pos < b] or [h for h in hits if h.pos < a][-1:]
            for name, suffixes in _clause_venues(sentence, masked, a, b, inside).items():
                if name in found:
                    found[name].venues |= suffixes or {None}


def _clause_venues(sentence: str, masked: str, a: int, b: int, inside: list[_Hit]) -> dict[str, set[str]]:
    """Company -> the Yahoo suffixes of the venues clause ``masked[a:b]`` names for its move (see
    :func:`_move_venues`); a venue word inside a company's name ("Tokyo" of Tokyo Electron) is none."""
    said: dict[str, set[str]] = {h.company.name: set() for h in inside}
    names = [(h.pos, h.pos + _written_length(sentence, h)) for h in inside]
    for p, _, suffixes, kind in market_words(masked[a:b]):
        if kind != "venue" or any(s <= a + p < e for s, e in names) or not inside:
            continue
        h = next((h for h in reversed(inside) if h.pos < a + p), inside[0])
        said[h.company.name] |= suffixes
    return said


def _sector_movers(item: _Item, per_sentence: list[list[_Hit]], found: dict[str, _Found]) -> None:
    """An article whose title and lead name no company, known or company-like, but say a group's
    shares moved ("Italian bank shares tumbled on Tuesday after the government approved a windfall
    tax"): the companies the
    first body paragraph naming companies names plainly (no flag), in a paragraph that says shares
    moved ("Intesa Sanpaolo fell 8.7% and UniCredit lost 5.9%"), are the movers of that news:
    subjects, timed by the item."""
    lead = [(sentence, hits) for (sentence, where), hits in zip(item.sentences, per_sentence) if where == "subject"]
    if not _sector_lead(lead):
        return
    para = next((item.paras[k] for k, ((_, where), hits) in enumerate(zip(item.sentences, per_sentence))
                 if where == "mention" and hits and len(item.paras) == len(item.sentences)), None)
    body = [(s, hits) for k, ((s, _), hits) in enumerate(zip(item.sentences, per_sentence)) if item.paras[k] == para]
    if para is None or not _any_move(body):
        return
    for sentence, hits in body:
        for h in hits:
            f = found.get(h.company.name)
            if f is not None and not h.flag and f.role != "subject":
                f.role, f.evidence = "subject", sentence


# a Chinese name of a group of companies: "药明系" (the WuXi companies), "阿里系", "恒大系"
_CJK_GROUP = re.compile("([\u4e00-\u9fff]{2,4})\u7cfb(?![\u7edf\u5217\u6570])")     # not 系统, 系列, 系数


def _group_named(item: _Item, per_sentence: list[list[_Hit]], found: dict[str, _Found]) -> None:
    """A headline, title or lead naming a group of companies by the first characters of their
    Chinese names ("药明系港股重挫", the WuXi companies' Hong Kong shares slumped): every company of
    the item whose Chinese name begins with them is a subject ("药明生物" in the body)."""
    prefixes = {m[1] for (sentence, where) in item.sentences if where == "subject"
                for m in _CJK_GROUP.finditer(sentence)}
    if not prefixes:
        return
    for (sentence, _), hits in zip(item.sentences, per_sentence):
        for h in hits:
            f = found.get(h.company.name)
            if f is not None and not h.flag and f.role != "subject" and any(
                    a.startswith(p) and len(a) > len(p) for a in h.company.aliases for p in prefixes):
                f.role, f.evidence = "subject", sentence


# an industry's shares moving: "Italian bank shares tumbled", "chip stocks fell", "lenders slumped" (not a
# whole market's: "Hong Kong stocks surged", "the Hang Seng Index jumped")
_INDUSTRY = (r"bank|banking|chip|semiconductor|tech|technology|property|real\s+estate|oil|energy|mining|insurance|"
             r"airline|auto|car|retail|pharma|drug|biotech|utility|telecom|media|shipping|steel|gaming|casino|solar|"
             r"defen[cs]e|luxury|travel|cruise|homebuilder|financial|brokerage|lithium|coal|gold")
_SECTOR_MOVE = re.compile(
    rf"\b(?:{_INDUSTRY})\s+(?:shares|stocks)\b|\b(?:banks|lenders|insurers|miners|carmakers|automakers|chipmakers|"
    r"airlines|retailers|developers|utilities|brewers|homebuilders|drugmakers|brokers|steelmakers)\s+(?:\w+\s+)?"
    rf"{namecontext.MOVE}\b", re.IGNORECASE)


def _sector_lead(lead: list[tuple[str, list]]) -> bool:
    """The lead names no company and no company-like name ("Banco Acme shares fell" is a company no
    table knows, no sector) and says an industry's shares moved (:data:`_SECTOR_MOVE`)."""
    return bool(lead) and not any(hits for _, hits in lead) and any(_SECTOR_MOVE.search(s) for s, _ in lead) \
        and _any_move(lead) and not any(_candidate_name(m, set()) for s, _ in lead for m in _UNKNOWN_NAME.finditer(s))


def _any_move(sentences: list[tuple[str, list]]) -> bool:
    return any(_is_reaction(c) for s, _ in sentences for c in _clauses(s, False))


def _add_roles(item: _Item, per_sentence: list[list[_Hit]], found: dict[str, _Found]) -> None:
    """Each naming into ``found`` with its role: a subject in a headline, the title or the lead
    unless a flag makes it a mention; a body mover with news of its own a subject too."""
    bystanders = _bystanders(item, per_sentence)
    for k, ((sentence, where), hits) in enumerate(zip(item.sentences, per_sentence)):
        for hit in hits:
            if hit.flag == "preview" and _preview_moved(sentence, hit, hits, item.kind == "headline"):
                hit.flag = ""            # "Toyota will report on Nov. 6, and shares rose 2% on Friday"
            # a bidder or a cause is the subject unless the item says only another company's shares moved
            cause = hit.flag in ("cause", "owner", "aside") and hit.company.name not in bystanders
            role = "subject" if where == "subject" and (not hit.flag or cause) else "mention"
            own = _own_text(item, k, where, hit, hits)
            _add_hit(found, hit, "subject" if own else role, sentence, (k, hit.pos), own)


# a firm named as the source of a forecast or a view: "economists at Goldman Sachs", "Goldman Sachs
# economists", "Citi's chief strategist" (not its calls on a stock: "Barclays downgraded Apple")
_SOURCE_FIRM_AFTER = re.compile(
    r"^(?:['\u2019]s)?\s+(?:(?:chief|senior|lead|top|global|equity|credit|bank|European|Asian|US|U\.S\.)\s+)?"
    r"(?:analysts?|strategists?|economists?)\b", re.IGNORECASE)
# the firm's own shares by an anaphor, moving: "the bank's shares rose 2%", "its stock fell"
_ITS_SHARES = re.compile(
    r"\b(?:its|the\s+(?:bank|lender|firm|broker|brokerage|group|company|investment\s+bank|insurer|asset\s+manager)"
    r"['\u2019]s)\s+(?:own\s+)?(?:shares|stock|share\s+price)\b", re.IGNORECASE)


def _source_firm(sentence: str, h: _Hit) -> bool:
    end = h.pos + _written_length(sentence, h)
    return h.flag == "analyst" and end > h.pos and bool(
        _SOURCE_FIRM_AFTER.match(sentence[end:end + 40])
        or _ANALYST_BEFORE.search(sentence[max(0, h.pos - 30):h.pos])
        or namecontext.ANALYST_LIST_BEFORE.search(sentence[max(0, h.pos - 120):h.pos]))


def _anaphor_moved(text: str) -> bool:
    """``text`` (from after the firm's name, naming no other company) says "its shares" or "the
    bank's shares" moved, in a clause about a move."""
    m = _ITS_SHARES.search(text)
    if m is None:
        return False
    clause = next((text[a:b] for a, b in _clause_spans(text, False) if a <= m.start() < b), "")
    return _is_reaction(clause)


def _sources_that_moved(item: _Item, per_sentence: list[list[_Hit]]) -> None:
    """A firm named as the source of a forecast ("Economists at Goldman Sachs expect two rate
    cuts") that the text then says moved by an anaphor ("; the bank's shares rose 2%", next
    sentence "Its shares fell 1%"), with no other company named in between, is the mover: its
    flag goes (a subject where it is named in the lead). Otherwise it stays a mention."""
    for k, ((sentence, _), hits) in enumerate(zip(item.sentences, per_sentence)):
        for j, h in enumerate(hits):
            if not _source_firm(sentence, h):
                continue
            end = h.pos + _written_length(sentence, h)
            upto = hits[j + 1].pos if j + 1 < len(hits) else len(sentence)
            moved = _anaphor_moved(sentence[end:upto])
            if not moved and j + 1 == len(hits) and k + 1 < len(item.sentences):
                nxt, later = item.sentences[k + 1][0], per_sentence[k + 1]
                moved = _anaphor_moved(nxt[:later[0].pos] if later else nxt)
            if moved:
                h.flag = ""


# a social-media post: a cashtag, an emoji, "lol", "??", a first-person or chat word
_SOCIAL = re.compile(r"(?<![\w$])\$[A-Z]{1,5}\b|[\U0001F300-\U0001FAFF\u2600-\u27BF]|\?\?|"
                     r"\b(?:lol|lmao|imo|tbh|smh|my|I'm|anyone|anybody|we|us|our)\b")
# what makes a post an event: a stated change ("+23%", "up 5%"), a halt, a swing, a move or a
# company's news ("$PLTR +23% after last night's blowout quarter")
_SOCIAL_EVENT = re.compile(r"(?<!\w)[+\u2212-]\d+(?:\.\d+)?\s?%|\b(?:up|down)\s+\d+(?:\.\d+)?\s?%|"
                           r"\bhalted\b|\bswing(?:s|ing)?\s+\d+", re.IGNORECASE)


# a rival whose own shares the body says moved, right after its name (past an aside about it):
# "U.S. rival Ciena, whose shares fell 2%", "Puma's larger rival Adidas, which reported on
# Tuesday, gained 0.5%", "Rival AMD slipped 1%"
_RIVAL_MOVED = re.compile(
    r"^(?:\s*,\s*(?:which|who|that|a|an|the|its)\b[^,;.]{0,100},)?\s*,?\s*(?:whose\s+)?(?:(?:shares|stock)\s+)?"
    rf"(?:also\s+|were\s+|was\s+)?(?:{namecontext.MOVE}|up|down)\s+"
    r"(?:as\s+much\s+as\s+|about\s+|nearly\s+|almost\s+|more\s+than\s+)?(\d+(?:\.\d+)?\s?(?:%|percent))")


def _rival_move(sentence: str, hit: _Hit) -> str:
    """A body company introduced as a rival (flag ``aside`` or ``compared``) whose own shares the sentence says
    moved, right after its name: the move, read as its own text ("Adidas gained 0.5%"; the
    aside's own dates are about something else), else ""."""
    if hit.flag not in ("aside", "compared"):         # "closer competition with U.S. rival Ciena"
        return ""
    end = hit.pos + _written_length(sentence, hit)
    m = _RIVAL_MOVED.match(sentence[end:end + 200]) if end > hit.pos else None
    if m is None:
        return ""
    verb = re.search(r"(\w+)\s+(?:as\s+much\s+as\s+|about\s+|nearly\s+|almost\s+|more\s+than\s+)?\d",
                     m.group(0)).group(1)
    return f"{sentence[hit.pos:end]} shares {verb} {m.group(1)}."


def _own_text(item: _Item, k: int, where: str, hit: _Hit, hits: list[_Hit]) -> str:
    """The text timing a body company with news of its own: the sentence of a mover with its own
    reason (:func:`_own_move`), a rival's own move (:func:`_rival_move`), the paragraph of a
    digest's entry (:func:`_digest_news`), else ""."""
    if where != "mention" or item.kind != "article":
        return ""
    if _own_move(item.sentences[k][0], hit, hits):
        return item.sentences[k][0]
    rival = _rival_move(item.sentences[k][0], hit)
    if rival:
        return rival
    return " ".join(item.paragraph(k)) if _digest_news(item, k, hit, hits) else ""


def _social_post(item: _Item, found: dict[str, _Found]) -> None:
    """A post about a stock with no move and no news in it names no subject. Quoted speech is
    no sign of a post (a wire headline quotes a chief executive's "we" and "our"), nor is a
    headline that opens with a company doing something ("Pfizer wins FDA approval ✅",
    "Walmart to buy Vizio, tells us ...")."""
    if item.kind != "headline" or not _SOCIAL.search(_QUOTED.sub(" ", item.text)) or _social_event(item):
        return
    if any(_opens_with_its_action(item.text, f.company) for f in found.values()):
        return
    for f in found.values():
        f.role = "mention"


_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")


def _opens_with_its_action(text: str, company: Company) -> bool:
    """``text`` opens with one of the company's names followed by a corporate verb ("Amazon to
    acquire", "Pfizer wins", "Nvidia beats")."""
    head = text.lstrip(" \t\"'\u201c\u2018(")
    for name in (company.name, *company.aliases):
        if name and head.startswith(name):
            rest = head[len(name):]
            if namecontext.VERB_AFTER.match(rest) or namecontext.TO_VERB_AFTER.match(rest):
                return True
    return False


def _social_event(item: _Item) -> bool:
    """A post that says the shares moved or gives news (else its companies are only talked about:
    "Palantir at 60x sales and people still call $NVDA expensive", "stuck in line at Starbucks")."""
    text = item.text
    return bool(_SOCIAL_EVENT.search(text) or _NEWS_WORD.search(text)) or _says_moved(item)


_DATED_WORDS = re.compile(
    r"\bon\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\byesterday\b|"
    r"\bon\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b")


def _preview_moved(sentence: str, hit: _Hit, hits: list[_Hit], headline: bool) -> bool:
    """A company about to report whose own shares the sentence says moved: its name in a move
    clause, or a move clause naming no company ("..., and shares rose 2% on Friday")."""
    movers, _ = _movers(sentence, hits, headline)
    if hit.company.name in movers:
        return True
    masked = sentence
    for a, b, _ in _symbols(sentence):
        masked = masked[:a] + " " * (b - a) + masked[b:]
    return any(_is_reaction(masked[a:b]) and not any(a <= h.pos < b for h in hits)
               for a, b in _clause_spans(masked, headline))


def _lead_movers(item: _Item, per_sentence: list[list[_Hit]]) -> set[str]:
    """The first company of each of the lead's clauses about shares moving."""
    movers: set[str] = set()
    for (sentence, where), hits in zip(item.sentences, per_sentence):
        if where != "subject":
            continue
        masked = sentence
        for a, b, _ in _symbols(sentence):
            masked = masked[:a] + " " * (b - a) + masked[b:]
        for a, b in _clause_spans(masked, False):
            inside = sorted((h for h in hits if a <= h.pos < b), key=lambda h: h.pos)
            if inside and _is_reaction(masked[a:b]):
                movers.add(inside[0].company.name)
    return movers


def _dated_own_move(sentence: str, hit: _Hit, hits: list[_Hit]) -> bool:
    """The sentence opens with ``hit`` and a clause dates its shares' move ("U.S. Steel shares had
    jumped 26% on Monday")."""
    if hit.flag or sentence[:hit.pos].strip(" \"'\u201c") not in ("", "Shares of", "Shares in"):
        return False
    movers, clauses = _movers(sentence, hits, False)
    return hit.company.name in movers and any(_DATED_WORDS.search(c) for c in clauses) \
        and not _NOT_MOVING.search(sentence)


def _own_dated_moves(item: _Item, per_sentence: list[list[_Hit]], found: dict[str, _Found]) -> None:
    """A subject of the lead that is not the lead's mover, with a dated share move of its own in
    the body ("Nippon Steel shares fell in Tokyo on Tuesday after it agreed to buy U.S. Steel ..."
    / "U.S. Steel shares had jumped 26% on Monday after the deal was announced before the opening
    bell"): the two companies' shares moved on different days, and that body sentence times the
    second one (as a body mover with news of its own); its sentence no longer times the lead's."""
    lead_movers = _lead_movers(item, per_sentence)
    if not lead_movers:
        return
    for (sentence, where), hits in zip(item.sentences, per_sentence):
        if where != "mention" or not hits:
            continue
        hit = min(hits, key=lambda h: h.pos)
        f = found.get(hit.company.name)
        if f is not None and f.role == "subject" and not f.own and hit.company.name not in lead_movers \
                and _dated_own_move(sentence, hit, hits):
            f.own = sentence


_LIST_GAP = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


def _confirm_lists(sentence: str, hits: list[_Hit]) -> None:
    """Names listed together with a company the sentence names unambiguously are companies too:
    "BP, Shell and TotalEnergies are due to report" (BP and Shell alone need corporate evidence;
    a list of ordinary words only, "Apple, Orange and Banana", confirms nothing)."""
    run: list[_Hit] = []
    for h in sorted(hits, key=lambda h: h.pos):
        if run:
            prev = run[-1]
            end = prev.pos + _written_length(sentence, prev)
            if end <= prev.pos or not _LIST_GAP.fullmatch(sentence[end:h.pos]):
                _confirm_run(run)
                run = []
        run.append(h)
    _confirm_run(run)


def _confirm_run(run: list[_Hit]) -> None:
    if len(run) > 1 and any(h.confirmed for h in run):
        for h in run:
            h.confirmed = True


def _add_hit(found: dict[str, _Found], hit: _Hit, role: str, sentence: str, order: tuple[int, int], own: str) -> None:
    """One naming of a company into the item's companies: its strongest role, its extra listings;
    ``own``: the text that times a body mover with news of its own (else "")."""
    f = found.get(hit.company.name)
    if f is None:
        found[hit.company.name] = _Found(hit.company, role, sentence, order, list(hit.extra),
                                          hit.confirmed, list(hit.replaced), own)
        return
    f.own = f.own or (own if f.role != "subject" else "")
    f.replaced.extend(r for r in hit.replaced if r not in f.replaced)
    f.extra.extend(t for t in hit.extra if t not in f.extra)
    f.confirmed = f.confirmed or hit.confirmed
    if role == "subject" and f.role != "subject":
        f.role, f.evidence = "subject", sentence


def _candidate_name(m: re.Match, known: set[str]) -> str:
    """The company-like name of an :data:`_UNKNOWN_NAME` match, or "" when it is none."""
    name = (m["a"] or m["b"] or m["c"] or m["d"] or m["e"] or m["f"] or "").strip().rstrip(".,")
    words = name.split()
    while words and words[0] in (("The", "A", "An", "Its") if m["d"] else _NOT_A_NAME):
        words = words[1:]
    if not words or re.search(r"-[a-z]+$", words[-1]) or words[-1] in _NOT_A_NAME:
        return ""                        # "Hong Kong-listed shares", "Shenzhen-based firm": no name
    if any(" ".join(words[:k]) in known for k in range(1, len(words))):
        return ""                        # "Nissan Motor" when Nissan is found: the same company
    if any(k.startswith(" ".join(words) + " ") for k in known):
        return ""                        # "Seven" of "shares of Seven & i" when Seven & i is found
    return " ".join(words)


# "a proposal from Canada's Alimentation Couche-Tard", "Germany's Wirecard": a name after a country's
# possessive is a company's when the offline list knows it as listed in a market whose codes are
# not used (only then: "Canada's Prime Minister" is no name to look up)
_COUNTRY_POSSESSIVE = re.compile(
    r"\b(?:Canada|Germany|France|Britain|Switzerland|Italy|Spain|Sweden|Norway|Denmark|Finland|"
    r"Netherlands|Belgium|Austria|Ireland|Poland|Israel|India|Korea|South\s+Korea|Taiwan|Singapore|Brazil|"
    r"Mexico|Chile|Argentina|Indonesia|Malaysia|Thailand|Vietnam|Philippines|Saudi\s+Arabia|Turkey|"
    r"South\s+Africa|Russia)['\u2019]s\s+(?P<name>[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,3})")


# a name moving by a stated percentage ("Wirecard plunges 60%") or after a business word ("German
# payments company Wirecard"): company-like, looked up only among the companies listed where codes are
# not used (a name no list knows there is no company: "Bitcoin jumps 5%", "Powell said")
_FOREIGN_LIKE = re.compile(
    rf"(?P<a>\b[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){{0,2}})\s+(?i:{namecontext.MOVE})\s+(?:[a-z]+\s+)?\d+(?:\.\d+)?\s?"
    r"(?:%|percent)|\b(?:company|firm|lender|bank|insurer|carrier|airline|retailer|maker|chipmaker|carmaker|"
    r"automaker|drugmaker|miner|giant|conglomerate|operator|provider|developer|group)\s+"
    r"(?P<b>[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2})")


def _foreign_like(sentence: str, u: Universe, known: set[str]) -> list[str]:
    """Names of :data:`_FOREIGN_LIKE` and after a country's possessive that the offline list knows
    as companies listed where codes are not used (:meth:`Universe.foreign`)."""
    cands = [m["name"] for m in _COUNTRY_POSSESSIVE.finditer(sentence)]
    cands += [n for m in _FOREIGN_LIKE.finditer(sentence) if (n := m["a"] or m["b"]) and n[:1].isupper()]
    return [n for n in cands if n not in known and not u.named(n) and u.foreign(n) is not None]


def _unknown_names(item: _Item, u: Universe, found: list[_Found]) -> list[str]:
    """Company-like names of the item that no table knows (for the notes and the lookup)."""
    known = {a for f in found for a in (f.company.name, *f.company.aliases)}
    out = []
    for sentence, where in item.sentences:
        if where == "boiler":
            continue
        names = [_candidate_name(m, known) for m in _UNKNOWN_NAME.finditer(sentence)]
        names += _foreign_like(sentence, u, known)
        for name in names:
            if name and name not in known and not u.named(name) and name not in out:
                out.append(name)
    return out


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
    unmoved: bool = False        # dated by the publication, no time, no share move stated
    at: object = None            # an instant a market's time names ("during the lunch break in Hong
                                 # Kong"): each listing's time of day, no announced_at


@dataclass
class _Statement:
    """A clause of the item that says when something happened."""

    date: _dt.date | None
    source: str
    time: str
    clock: tuple[int, int, str] | None
    reaction: bool
    lead: bool
    future: bool = False
    moved_then: bool = False     # the same sentence says the shares moved, with no date of its own
    named: bool = False          # the clause names the company the statements were asked for


def _clauses(sentence: str, headline: bool) -> list[str]:
    parts = _CLAUSE_SPLIT.split(sentence)
    if headline:
        parts = [q for p in parts for q in _HEADLINE_CLAUSE_SPLIT.split(p)]
        if _KANA.search(sentence):
            parts = [q for p in parts for q in _KANA_CLAUSE_SPLIT.split(p)]
    return [p for p in parts if p and p.strip()]


# the market value moving is the shares moving: "added a record $277 billion in market value on
# Thursday", "wiping $55 billion off its market capitalisation", "市值蒸发"
_VALUE_MOVE = re.compile(
    # not a forecast of value: "said Dojo could add $500 billion to its market value"
    r"(?<!\bcould\s)(?<!\bwould\s)(?<!\bmight\s)(?<!\bmay\s)(?<!\bwill\s)(?<!\bcan\s)(?<!\bto\s)"
    r"\b(?:add(?:s|ed|ing)?|gain(?:s|ed|ing)?|los(?:e|es|t|ing)|shed(?:s|ding)?|wip(?:e|es|ed|ing)|"
    r"eras(?:e|es|ed|ing)|knock(?:s|ed|ing)?|sho(?:t|ot|ots)\s+up)\b[^.;]{0,60}?\bmarket\s+"
    r"(?:value|valuation|capitali[sz]ation|cap)\b|\u5e02\u503c(?:\u84b8\u53d1|\u7ffb\u500d|\u5927\u589e|\u7f29\u6c34|"
    r"\u6da8|\u8dcc|\u589e\u52a0|\u51cf\u5c11)", re.IGNORECASE)


def _is_reaction(clause: str) -> bool:
    """A clause about shares moving ("shares fell 8% on Monday", "added $277 billion in market
    value on Thursday"), not about the news itself."""
    clause = without_time_words(clause)
    if _VALUE_MOVE.search(clause):
        return True
    if not _MOVE_WORD.search(clause):
        return False
    return bool(_SHARES_WORD.search(clause)) or not _NEWS_WORD.search(clause)


def _statements(item: _Item, anchor: _dt.date | None, tz: str | None, other_news=None,
                company: str | None = None, names_of=None) -> list[_Statement]:
    """Dated or timed clauses of the item. A clause that states the date of something still to
    come ("will report results on May 14", "results due May 14") is dated by it (``scheduled``);
    ``other_news(sentence)`` is True for a body sentence about other companies only ("Separately,
    Tencent said ..."), which says nothing about this item's event.

    With ``company`` (and ``names_of(sentence) -> [(position, company name)]``): the statements
    about that company in an item with several, clause by clause -- a clause naming only other
    companies says nothing about it ("Merck and Pfizer released their numbers before the bell;
    Microsoft and AMD reported after the close")."""
    out, own = [], []
    headline = item.kind == "headline"
    for sentence, where in item.sentences:
        if where == "boiler":
            continue
        spans = [(a, b) for a, b in _clause_spans(sentence, headline) if sentence[a:b].strip()]
        if headline:
            spans = [(a, b) for a, b in spans if not _RIVAL_CLAUSE.match(sentence[a:b])]
        clauses = [sentence[a:b] for a, b in spans]
        found = _dated_clauses(item, sentence, spans, anchor, tz)
        if found and where == "mention" and other_news is not None and other_news(sentence):
            continue
        # "Twitter Accepts Musk's Offer on Monday; Shares Rise 6%": an undated move in the
        # sentence that dates the news happened that day, so the news came before that close
        moved = any(_is_reaction(c) and _clause_statement(c, anchor, tz) is None for c in clauses)
        if company is None:
            out += [_Statement(*st[:5], where == "subject", st[5], moved and not st[4]) for st, _ in found]
            continue
        mine, rest = _company_statements(sentence, where, spans, found, names_of(sentence), company, moved)
        own += mine
        out += rest
    return own + out


def _dated_clauses(item: _Item, sentence: str, spans: list, anchor, tz: str | None) -> list:
    """``[(statement, span)]`` of the clauses of ``sentence`` that say when (:func:`_clause_statement`),
    a preview's date left out (:func:`_previews_date`), a clause dated by days before a move
    (:func:`_days_before_move`)."""
    found = [(st, (a, b)) for a, b in spans
             if (st := _clause_statement(sentence[a:b], anchor, tz)) and not _previews_date(item, sentence, (a, b), st)]
    return _days_before_move(sentence, spans, found)


# "shares rose 6% on Thursday, a day after the chipmaker posted results": the news "N days" before
# the move's date
_DAYS_BEFORE = re.compile(r"\b(?P<n>a|one|two|three|four|five|the)\s+(?P<trading>trading\s+|business\s+)?days?\s*$",
                          re.IGNORECASE)
_DAY_COUNT = {"a": 1, "one": 1, "the": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _days_before_move(sentence: str, spans: list, found: list) -> list:
    """A clause "after ..." right after "a day" / "two days" / "the day", itself right after a
    dated move ("Nvidia shares rose 6% on Thursday, a day after the chipmaker posted results after
    the closing bell"), is dated that many days before the move (trading days when it says so),
    its time of day its own. Not after another cause ("fell 11% on Thursday after Hindenburg
    accused it, two days after General Motors agreed to take a stake": Thursday's news)."""
    by_span = {span: st for st, span in found}
    out = []
    for i, (a, b) in enumerate(spans):
        st = by_span.get((a, b))
        day = _days_before(sentence, spans[:i], by_span) if re.match(r"(?i)(?:after|following)\b", sentence[a:b]) \
            and (st is None or st[0] is None) else None
        if day is not None:
            st = (day[0], day[1], st[2] if st else "unknown", st[3] if st else None, False, False)
        if st is not None:
            out.append((st, (a, b)))
    return out


def _days_before(sentence: str, before: list, by_span: dict) -> tuple | None:
    """``(date, source)`` N days before the dated move that the clauses ``before`` end with,
    followed only by "N days" (:func:`_days_before_move`), else None."""
    if not before:
        return None
    a, b = before[-1]
    m = _DAYS_BEFORE.search(sentence, a, b)
    if m is None:
        return None
    move_span = before[-2] if m.start() == a and len(before) > 1 else before[-1]
    move = by_span.get(move_span)
    if move is None or not move[4] or move[0] is None or (move_span != before[-1] and sentence[a:m.start()].strip()):
        return None
    n = _DAY_COUNT[m["n"].lower()]
    day = move[0] - _dt.timedelta(days=n)
    if m["trading"]:
        day = move[0]
        for _ in range(n):
            day = _previous_weekday(day)
    return day, move[1]


def _previews_date(item: _Item, sentence: str, span: tuple[int, int], st: tuple) -> bool:
    """A clause dating a report still to come of companies named only as about to report ("Equinor
    is to report on May 2, while Aker BP reported on Tuesday"): their date, no other company's."""
    if not item.previews or not (st[5] or st[1] == "scheduled"):
        return False
    inside = {n for pos, n in item.named.get(sentence) or [] if span[0] <= pos < span[1]}
    return bool(inside) and inside <= item.previews


def _company_statements(sentence: str, where: str, spans: list, found: list, names: list, company: str,
                        moved: bool) -> tuple[list[_Statement], list[_Statement]]:
    """``(the lead's clauses naming the company, the others about it)`` of one sentence
    (:func:`_statements` with a company): a body clause naming only other companies is left out."""
    if names:
        found = _list_clauses(sentence, spans, names, found)
    in_sentence = any(n == company for _, n in names)
    own, out = [], []
    for st, (a, b) in found:
        inside = {n for pos, n in names if a <= pos < b}
        if inside and company not in inside and where == "mention":
            continue                      # a body clause about other companies only
        # about the company: a clause naming it, or naming no company in a sentence that does
        named = company in inside or (not inside and in_sentence)
        (own if company in inside and where == "subject" else out).append(
            _Statement(*st[:5], where == "subject", st[5], moved and not st[4], named))
    return own, out


def _list_clauses(sentence: str, spans: list, names: list, found: list) -> list:
    """The statements of ``sentence`` with a clause that is only a list of names ("Merck", "Pfizer"
    in "Merck, Pfizer, Procter & Gamble and PayPal released ... before the bell") joined to the
    clause that says what they did, so that the statement covers every name of the list."""
    starts = sorted(pos for pos, _ in names)
    merged, start = [], None
    for a, b in spans:
        rest, cut = [], a
        for pos in starts[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]:
            m = _LISTED_NAME.match(sentence, pos, b)
            rest.append(sentence[cut:pos])
            cut = m.end() if m else pos
        rest.append(sentence[cut:b])
        if not _LIST_ONLY.sub("", "".join(rest)):
            start = a if start is None else start          # a list of names only: joined to the next
            continue
        merged.append((a if start is None else start, b))
        start = None
    if start is not None:
        merged.append((start, spans[-1][1]))
    firsts = sorted((p, st) for st, (p, _) in found)     # each clause's statement, by where it starts
    keys = [p for p, _ in firsts]
    out = []
    for a, b in merged:
        k = bisect.bisect_left(keys, a)
        if k < len(keys) and keys[k] < b:
            out.append((firsts[k][1], (a, b)))
    return out


_LISTED_NAME = re.compile(r"[\w.&'\u2019-]+(?:\s+[A-Z][\w.&'\u2019-]*)*")
_LIST_ONLY = re.compile(r"\b(?:and|or)\b|[\s,&]")


# shares that moved "overnight" ("Alphabet Rose Overnight", "AMD slid 10% overnight"): a move in
# the home market's last session before the publication (an Asian morning's "overnight" is the
# previous New York session), not news before an open
_OVERNIGHT_MOVE = re.compile(
    r"\b(?:rose|rallied|jumped|surged|soared|climbed|gained|advanced|fell|dropped|slid|slipped|sank|tumbled|"
    r"plunged|slumped|declined|lost|eased|dipped|edged\s+(?:up|down|higher|lower))\s+"
    r"(?:(?:as\s+much\s+as\s+|about\s+|nearly\s+|almost\s+|more\s+than\s+)?\d+(?:\.\d+)?\s*(?:%|percent)\s+|"
    r"sharply\s+|slightly\s+)?overnight\b", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _clause_statement(clause: str, anchor: _dt.date | None, tz: str | None) -> tuple | None:
    """``(date, source, time, clock, reaction, future)`` of a clause that says when, else None."""
    told = told_before_future(clause, anchor)
    sched = [] if told else find_scheduled(clause, anchor)
    hits = [told] if told else sched or find_dates(clause, anchor)
    if not hits and _OVERNIGHT_MOVE.search(clause):
        return None, "overnight", "during", None, True, False
    tod = time_of_day(clause)
    clock = find_clock_time(clause, tz)
    if not hits and tod == "unknown" and clock is None:
        return None
    date, source = (hits[0].date, hits[0].source) if hits else (None, "unknown")
    future = not told and (bool(sched) or is_future(clause))
    return date, source, tod, clock, _is_reaction(clause) and not future, future


def _lead_reaction(statements: list[_Statement]) -> _Statement | None:
    """The lead's statement about the shares' move, a dated one first."""
    moves = [s for s in statements if s.reaction and s.lead]
    return next((s for s in moves if s.date is not None), moves[0] if moves else None)


def _in_window(s: _Statement, news: _Statement | None, ref: _dt.date | None) -> bool:
    """A body statement about the same event: undated, or dated at most :data:`EVENT_WINDOW_DAYS`
    before the lead's date (and the lead's own news date, when it has one)."""
    if s.date is None or ref is None:
        return True
    if news is not None and news.date is not None and s.date != news.date:
        return False
    return 0 <= (ref - s.date).days <= EVENT_WINDOW_DAYS


def _has_time(s: _Statement) -> bool:
    return s.time != "unknown" or s.clock is not None


def _complete(news: _Statement | None, rest: list[_Statement]) -> _Statement | None:
    """``news`` with the date or time it lacks taken from the first of ``rest`` that has it."""
    for other in rest:
        if news is None or (not _has_time(news) and _has_time(other)) or (news.date is None and other.date is not None) \
                or (news.time == "unknown" and other.time != "unknown"):
            # a clock time ("at 6:45 a.m. local time") is completed by the words of the same
            # event ("before the Zurich market opened")
            news = _merge(news, other)
        if news.date is not None and news.time != "unknown":
            break
    return news


def _event_statement(statements: list[_Statement]) -> tuple[_Statement | None, _Statement | None]:
    """``(the news's own statement, the lead's reaction statement)``: the lead's first dated
    announcement (else its first timed one); a time or date it lacks comes from the lead's other
    announcements, then from the first announcement elsewhere in the item that is about the same
    event (:func:`_in_window`)."""
    lead_news = [s for s in statements if s.lead and not s.reaction]
    reaction = _lead_reaction(statements)
    # the day the news was told before the day of what it tells is still to come ("Joyce will step
    # down on Wednesday, the airline said on Tuesday": Tuesday's news)
    news = next((s for s in lead_news if s.date is not None and not s.future), None) or \
        next((s for s in lead_news if s.date is not None), None) or next(filter(_has_time, lead_news), None)
    if news is not None and news.date is not None and _has_time(news):
        return news, reaction
    return _complete(news, _same_event(statements, lead_news, news, reaction)), reaction


def _same_event(statements: list[_Statement], lead_news: list[_Statement], news: _Statement | None,
                reaction: _Statement | None) -> list[_Statement]:
    """Statements that may complete ``news``: the lead's other announcements (undated or of the
    same date), then the body's about the same event (:func:`_in_window`)."""
    ref = (news.date if news is not None else None) or (reaction.date if reaction is not None else None)
    rest = [s for s in lead_news if s is not news and (s.date is None or news is None or s.date == news.date)]
    return rest + [s for s in statements if not (s.reaction or s.lead) and _in_window(s, news, ref)]


def _merge(first: _Statement | None, other: _Statement) -> _Statement:
    """A dated statement completed by another one's date or time (same event)."""
    if first is None:
        return other
    return _Statement(first.date or other.date, first.source if first.date else other.source,
                      first.time if first.time != "unknown" else other.time, first.clock or other.clock,
                      False, first.lead, first.future or (first.date is None and other.future),
                      first.moved_then or (first.date is None and other.moved_then))


def _reaction_time(news: _Statement, reaction: _Statement | None) -> str:
    """The news's time of day, else the reaction's when it is the same day: shares moving
    premarket, in the session or after hours put the news before then."""
    if news.time != "unknown" or reaction is None:
        return news.time
    if reaction.date is None or news.date is None or reaction.date == news.date:
        return reaction.time
    return "unknown"


def _fallback(news: _Statement | None, reaction: _Statement | None, item: _Item, pub_date) -> _Statement:
    """When the news has no date: the reaction's date, else the dateline, else the publication
    date (else none); the time is the news's own, else the same-day reaction's."""
    if (reaction is not None and reaction.source == "overnight" and pub_date is not None
            and (news is None or (news.date is None and news.time in ("unknown", "before_open")))):
        # dated per listing by :func:`_overnight_session`
        return _Statement(pub_date, "overnight", "during", None, True, True)
    news = news or _Statement(None, "unknown", "unknown", None, False, True)
    if news.date is None:
        for date, source in ((reaction.date if reaction else None, reaction.source if reaction else ""),
                             (item.dateline, "dateline"), (pub_date, "published")):
            if date is not None:
                # reaction=True: the date is the shares' move, so no prior-day convention
                news = _Statement(date, source, news.time, news.clock, reaction is not None and
                                  date is reaction.date, True, news.future)
                break
    return _Statement(news.date, news.source, _reaction_time(news, reaction), news.clock, news.reaction, True,
                      news.future, news.moved_then)


def _previous_weekday(day: _dt.date) -> _dt.date:
    day -= _dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= _dt.timedelta(days=1)
    return day


def _bounded_by_publication(st: _Statement, pub_ts: pd.Timestamp | None) -> _Statement:
    """News "after the bell" dated only by a publication made before that day's open (09:30 in
    the publication's zone) is the previous session's evening -- unless the text speaks of the
    future ("to report results after the bell": this evening), the one case where an event may be
    put before the publication without the text stating its date."""
    if st.source != "published" or st.time != "after_close" or pub_ts is None or st.future:
        return st
    if (pub_ts.hour, pub_ts.minute) >= (9, 30):
        return st
    return _Statement(_previous_weekday(st.date), "published", st.time, st.clock, False, True)


def _announced(st: _Statement) -> object:
    if st.date is None or st.clock is None:
        return pd.NaT
    h, mi, zone = st.clock
    try:
        return pd.Timestamp(_dt.datetime(st.date.year, st.date.month, st.date.day, h, mi)).tz_localize(
            zone, ambiguous="raise", nonexistent="raise")
    except (ValueError, TypeError):
        return pd.NaT


def _when(item: _Item, pub_date, pub_ts, tz: str | None, other_news=None, company: str | None = None,
          names_of=None) -> _When:
    anchor = pub_date or item.dateline
    news, reaction = _event_statement(_statements(item, anchor, tz, other_news, company, names_of))
    st = _bounded_by_publication(_fallback(news, reaction, item, pub_date), pub_ts)
    announced = _announced(st)
    tod = st.time
    if (announced is pd.NaT and tod == "unknown" and anchor is not None and st.date is not None and not st.reaction
            and not st.moved_then and 1 <= (anchor - st.date).days <= PRIOR_DAY_MAX_DAYS
            and st.source in ("explicit", "relative weekday", "relative day")):
        tod = "after_close"          # prior-day convention (module docstring)
    date = pd.Timestamp(st.date) if st.date is not None else pd.NaT
    unmoved = (st.source == "published" and not st.reaction and not st.moved_then and not _says_moved(item)
               and any(_DISCLOSURE.search(sentence) for sentence, where in item.sentences if where == "subject"))
    at = _market_break(item, date) if tod == "unknown" and announced is pd.NaT else None
    return _When(date, announced, tod, st.source, unmoved, at)


# news released in a market's midday break: "released its results during the lunch break in Hong Kong"
_MARKET_BREAK = re.compile(r"\b(?:during|in|over)\s+the\s+(?:lunch(?:time)?|midday|mid-day|noon)\s+(?:trading\s+)?break\b",
                           re.IGNORECASE)


def _market_break(item: _Item, date) -> pd.Timestamp | None:
    """The start of the midday break of the market the item says news came in ("during the lunch
    break in Hong Kong": 12:00 in Hong Kong that day), on that market's calendar; None when the
    item says no such thing, names no market with a break, or the day has no session."""
    if pd.isna(date):
        return None
    for sentence, where in item.sentences:
        m = _MARKET_BREAK.search(sentence) if where != "boiler" else None
        if m is None:
            continue
        markets = [sf for _, _, sf, kind in market_words(sentence[m.end():m.end() + 40]) if kind == "venue"]
        for suffix in sorted(markets[0]) if markets else ():
            cal = _listing_calendar(f"X{suffix}", pd.Timestamp(date))
            day = pd.Timestamp(date)
            if cal is not None and cal.has_break and cal.is_session(day):
                return cal.session_break_start(day)
    return None


# a company's disclosure (results, a forecast, a buyback, a decision), the kind of news
# published within minutes of its release: 決定 発表 修正 決算 自社株買い 공시 결정 발표 公告 公布 宣布 发布 披露
_DISCLOSURE = re.compile(
    r"\b(?:announc(?:e|es|ed)|report(?:s|ed)?|post(?:s|ed)|releas(?:e|es|ed)|forecast|guidance|outlook|"
    r"rais(?:e|es|ed)|cut(?:s)?|lower(?:s|ed)|declar(?:e|es|ed)|approv(?:e|es|ed)|decid(?:e|es|ed)|"
    r"buyback|dividend|results|earnings)\b"
    "|" + namecontext.JK_DISCLOSURE_WORDS + "|\u516c\u544a|\u516c\u5e03|\u5ba3\u5e03|\u53d1\u5e03|\u62ab\u9732",
    re.IGNORECASE)


def _says_moved(item: _Item) -> bool:
    """A clause of the item says shares moved ("Shares Jump 24%", "が大幅高")."""
    headline = item.kind == "headline"
    return any(_is_reaction(c) for sentence, where in item.sentences if where != "boiler"
               for c in _clauses(sentence, headline))


def _after_previous_close(st: _Statement, when: _When) -> bool:
    """A statement of a report after the close of the session before the move ("AMD fell 10.6%"
    on the lead's day; "AMD and Reddit all reported after the close on Tuesday"): the move was
    its reaction, the report is the event."""
    return st.date is not None and not pd.isna(when.event_date) and st.time == "after_close" and \
        _previous_weekday(when.event_date.date()) <= st.date < when.event_date.date()


def _named_time(item: _Item, f: _Found, when: _When, anchor, tz: str | None) -> _When:
    """A body mover's time of day from another clause of the item that names it and says when,
    undated or of its date ("this morning's results from Rolls-Royce and Lloyds were released at
    7.00am, before the market opens")."""
    names_of = item.named.get
    time, clock = "unknown", None
    for st in _statements(item, anchor, tz, None, f.company.name, lambda s: names_of(s) or []):
        # "released at 7.00am, before the market opens": an undated time of day is no future
        if st.reaction or (st.future and st.date is not None) or not st.named or (
                st.time == "unknown" and st.clock is None):
            continue
        if _after_previous_close(st, when):
            merged = _Statement(st.date, st.source, st.time, st.clock, False, True)
            return _When(pd.Timestamp(st.date), _announced(merged), st.time, st.source, when.unmoved)
        if st.date is not None and not pd.isna(when.event_date) and pd.Timestamp(st.date) != when.event_date:
            continue
        time, clock = (st.time if time == "unknown" else time), clock or st.clock
        if time != "unknown" and clock is not None:
            break
    if time == "unknown" and clock is None:
        return when
    merged = _Statement(None if pd.isna(when.event_date) else when.event_date.date(), when.date_source,
                        time, clock, False, True)
    return _When(when.event_date, _announced(merged), time, when.date_source, when.unmoved)


def _own_when(item: _Item, f: _Found, pub_date, pub_ts, tz: str | None) -> _When:
    """The timing of a body mover with news of its own (:func:`_own_move`): its sentence read as
    a lead ("results released before the opening bell on Wednesday"); undated, the move is the
    dateline's or publication's day (the lead's date is another company's news)."""
    alone = _Item(item.id, "article", [(f.own, "subject")], dateline=item.dateline, text=f.own, has_lead=True)
    return _when(alone, pub_date, pub_ts, tz)


# ------------------------------------------------------------------------------------- main ----

def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "company"


# an item about a company's offering: its pricing or its debut
_OFFERING = re.compile(r"\b(?:IPO|initial\s+public\s+offering|(?:share\s+)?offering|priced|prices|pricing|debut|"
                       r"debuts|flotation|(?:stock\s+)?market\s+listing)\b", re.IGNORECASE)


def _debut_day(company: Company, ticker: str, event_date: pd.Timestamp, pub_date,
               offering: bool = False) -> pd.Timestamp | None:
    """The first day of a listing that began after the news's date but by the publication and
    at most :data:`DEBUT_MAX_DAYS` after the news ("priced on Wednesday evening ... jumped 48% in
    their debut on Thursday"): an event cannot come before its shares trade, so that day is day 0.
    An item about the offering (``offering``: its pricing, its debut) published before the first
    day of trading ("CoreWeave prices IPO at $40" on the evening before) is that day's event too.
    None otherwise (CATL's 2024 news and its 2025 Hong Kong line)."""
    start = dict(company.since).get(ticker)
    if start is None or pd.isna(event_date) or pub_date is None:
        return None
    start = pd.Timestamp(start)
    if (start > pd.Timestamp(pub_date) and not offering) or (start - event_date).days > DEBUT_MAX_DAYS:
        return None
    return start


def _pricing_instant(ticker: str, announced, debut: pd.Timestamp):
    """The pricing's time as the debut's announcement when the listing's next session after it is
    the first day of trading ("priced at 9 p.m. on Thursday", debut on Friday), else NaT."""
    if announced is None or pd.isna(announced) or getattr(announced, "tzinfo", None) is None:
        return pd.NaT
    cal = _listing_calendar(ticker, debut)
    if cal is None:
        return pd.NaT
    day = pd.Timestamp(announced.tz_convert(str(cal.tz)).date())
    if not cal.is_session(day):
        nxt = cal.date_to_session(day, direction="next")
    elif announced >= cal.session_close(day):
        nxt = cal.next_session(day)
    else:
        return pd.NaT             # priced during a session: that session is no debut's
    return announced if _naive(nxt) == debut else pd.NaT


def _clock_time_of_day(ticker: str, announced) -> str:
    """The time of day of a stated clock time on the listing's exchange calendar ("at 0600 GMT"
    is before London's open, "12:01 a.m. Eastern time" before Toronto's): ``before_open``,
    ``during`` (a lunch break too) or ``after_close`` of that day's session; ``unknown`` on a day
    with no session or without a calendar."""
    cal = _listing_calendar(ticker, pd.Timestamp(announced.tz_convert("UTC").date()))
    if cal is None:
        return "unknown"
    day = pd.Timestamp(announced.tz_convert(str(cal.tz)).date())
    if not cal.is_session(day):
        return "unknown"
    if announced < cal.session_open(day):
        return "before_open"
    return "during" if announced < cal.session_close(day) else "after_close"


def _listing_calendar(ticker: str, day):
    """The exchange calendar of a listing around ``day`` (:func:`analysis.events.timing.get_calendar`),
    or None when the listing's exchange or that range is unknown."""
    from .timing import get_calendar

    try:
        return get_calendar(calendar_for(ticker), day - pd.Timedelta(days=20), day + pd.Timedelta(days=20))
    except (CalendarError, KeyError, ValueError, TypeError):
        return None


def _overnight_session(ticker: str, pub_ts, pub_day: pd.Timestamp) -> pd.Timestamp:
    """The home market's last session before the publication, for a move "overnight", on the
    listing's exchange calendar (holidays and early closes included): the publication's day in
    the listing's zone when that session had closed by the publication, else the session before
    (a 07:45 Tokyo publication is 18:45 the day before in New York; a 08:00 New York one is
    21:00 the same day in Tokyo; after a US holiday, the session before the holiday). A listing
    in the publication's own market answers in its next session (the move overnight was
    another market's). Without a publication time, the session before the publication day;
    without a calendar for the listing, the weekday rule."""
    day = pd.Timestamp(pub_day).normalize()
    cal = _listing_calendar(ticker, day)
    local = None
    if pub_ts is not None and not pd.isna(pub_ts) and pub_ts.tzinfo is not None and cal is not None:
        local = pub_ts.tz_convert(str(cal.tz))
    if cal is None:
        return pd.Timestamp(_previous_weekday(day.date()))
    if local is not None:
        today = pd.Timestamp(local.date())
        if local.utcoffset() == pub_ts.utcoffset():
            # a listing in the publication's own market: "dragging Tokyo Electron lower in early
            # Tokyo trade" -- today's session (the next one after a holiday)
            return _naive(cal.date_to_session(today, direction="next"))
        if cal.is_session(today) and pub_ts >= cal.session_close(today):
            return today
        return _naive(cal.date_to_session(today - pd.Timedelta(days=1), direction="previous"))
    return _naive(cal.date_to_session(day - pd.Timedelta(days=1), direction="previous"))


def _naive(day) -> pd.Timestamp:
    day = pd.Timestamp(day)
    return day.tz_localize(None) if day.tzinfo is not None else day


def _published_after_close(ticker: str, pub_ts, event_date) -> bool:
    """A publication made after the close of the listing's session on the news's date (on its
    exchange calendar), when the text states neither a time nor a date: fresh news is published
    within minutes, so it came after that session ("삼성전자, 10조원 자사주 매입 결정" at 19:10 Seoul)."""
    if pub_ts is None or pd.isna(pub_ts) or pub_ts.tzinfo is None or pd.isna(event_date):
        return False
    cal = _listing_calendar(ticker, pd.Timestamp(event_date))
    if cal is None:
        return False
    local = pub_ts.tz_convert(str(cal.tz))
    day = pd.Timestamp(local.date())
    return day == pd.Timestamp(event_date) and cal.is_session(day) and pub_ts >= cal.session_close(day)


def _venue_listings(f: _Found, tickers: list[str], otc: set[str]) -> list[str]:
    """The listings of the markets the text says the shares moved in (:func:`_move_venues`), the
    home listing too when a move names no market; all of them when no move names one. The
    over-the-counter lines (never studied by default) stay."""
    named = {v for v in f.venues if v is not None}
    if not named:
        return tickers
    if None in f.venues and tickers:
        named.add(_suffix(tickers[0]))
    kept = [t for t in tickers if _suffix(t) in named]
    return [t for t in tickers if t in kept or t in otc] if kept else tickers


def _rows_for(item: _Item, f: _Found, when: _When, pub_date=None, pub_ts=None) -> list[dict]:
    otc = set(f.company.otc) | {t[4:] for t in f.extra if t.startswith("otc:")}
    tickers = list(f.company.listings) + [t for t in f.extra if not t.startswith("otc:")]
    # the market the text says the shares moved in picks the listing among cross-listings
    # ("Alibaba rose 5% in Hong Kong": 9988.HK, not BABA)
    tickers = _venue_listings(f, tickers, otc)
    common = dict(company=f.company.name, role=f.role, event_date=when.event_date,
                  announced_at=when.announced_at, time_of_day=when.time_of_day,
                  date_source=when.date_source, evidence=f.evidence)
    if not tickers or f.company.delisted_by(when.event_date):
        # a private company, or one whose listings had all ended by the news (Credit Suisse in 2024)
        return [dict(event_id=f"{item.id}-{_slug(f.company.name)}", ticker="", exchange="", market="",
                     listed=False, **common)]
    rows = []
    for t in tickers:
        row = common
        if when.date_source == "overnight":
            row = {**common, "event_date": _overnight_session(t, pub_ts, when.event_date)}
        elif when.unmoved and when.time_of_day == "unknown" and _published_after_close(t, pub_ts, when.event_date):
            row = {**common, "time_of_day": "after_close"}
        elif when.time_of_day == "unknown" and not (pd.isna(when.announced_at) and when.at is None):
            at = when.at if pd.isna(when.announced_at) else when.announced_at
            row = {**common, "time_of_day": _clock_time_of_day(t, at)}
        if not f.company.listed_on(t, row["event_date"]):
            debut = _debut_day(f.company, t, row["event_date"], pub_date, bool(_OFFERING.search(item.text)))
            if debut is None:
                continue             # a listing that began after the event ("3750.HK" for CATL's 2024 news)
            # an offering priced the evening before a debut: the first day of trading is the event,
            # the pricing its announcement when the text gives its time and no session comes between
            row = {**row, "event_date": debut, "time_of_day": "during",
                   "announced_at": _pricing_instant(t, row["announced_at"], debut)}
        exchange, market = listing_venue(t)
        rows.append(dict(event_id=f"{item.id}-{t}", ticker=t, exchange=exchange, market=market,
                         listed="otc" if t in otc else True, **row))
    return rows


def extract_events(text: str, published=None, tz: str | None = None, *, companies=None) -> pd.DataFrame:
    """Events table (columns :data:`COLUMNS`) from an article and/or a headline list.

    ``published``: publication date or time (ISO text, date, datetime, Timestamp), used to resolve
    weekday words and as the fallback event date; ``tz``: IANA zone of the publication (a naive
    ``published`` is read in it; clock times without a zone word are in it). ``companies``: the
    user's company table(s) (a path or paths; default the setting ``ANALYSIS_COMPANIES``) or a
    :class:`~analysis.events.companies.Universe`. Rules: module docstring. ``event_id`` is
    ``<item>-<ticker>`` (``h07-anthropic`` for private companies); ``listed`` is True, False
    (private) or ``"otc"`` (an over-the-counter line, not studied by default);
    ``ticker``/``exchange``/``market`` are empty for private companies.
    ``result.attrs``: ``"skipped"`` (items naming no company, ``(item_id, text)``) and
    ``"unresolved"`` (company-like names no table knows, ``(item_id, name)``) and ``"notes"``
    (said once: the broad company list is not installed, ...; per item: a name several
    companies share that the item does not tell apart, a company listed where the offline list
    has no trustworthy symbol) and ``"foreign"`` (those companies, ``(item_id, name, country,
    isin)``; their names are in ``"unresolved"`` too, for the online lookup).
    Raises ExtractionError for empty text, an unreadable ``published`` or an unknown ``tz``.
    """
    if not isinstance(text, str):
        raise ExtractionError(f"news text must be a string, got {type(text).__name__}")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExtractionError("news text is empty")
    pub_date, pub_ts = parse_published(published, tz)
    u = universe(companies)
    rows, skipped, unresolved, notes, foreign = [], [], [], [], []
    for item in split_items(text, pub_date):
        ambiguous: list = []
        found = _item_companies(item, u, ambiguous)
        groups = {w.casefold() for w, cands in ambiguous if len(cands) > 1 and w.casefold().endswith(" group")}
        unknown = [n for n in _unknown_names(item, u, found) if n.casefold() not in groups]
        unresolved += [(item.id, n) for n in unknown]
        notes += _ambiguity_notes(item, ambiguous, found)
        for name in unknown:            # a company-like name no table knows may be listed where codes are not used
            if (rec := u.foreign(name)) is not None:
                foreign.append((item.id, name, rec["country"], rec["isin"]))
                notes.append(f"{item.id}: {name} ({rec['name']}, {rec['country']}, ISIN {rec['isin']}) is listed "
                             "where the offline company list gives no trustworthy Yahoo symbol: no event; give its "
                             "listing with --companies FILE")
        if not found:
            skipped.append((item.id, item.text or item.sentences[0][0]))
            continue
        # a body mover with news of its own (f.own) has its own timing: its sentence is other news
        subject_names = {f.company.name for f in found if f.role == "subject" and not f.own}

        def other_news(sentence: str, subject_names=subject_names) -> bool:
            # an analyst's note is about the item's company ("Barclays analyst Tim Long said in a
            # note before the opening bell")
            named = {h.company.name for h in _companies(sentence, u) if h.confirmed and h.flag != "analyst"}
            return bool(named) and not named & subject_names

        when = _when(item, pub_date, pub_ts, tz, other_news)
        several = sum(f.role == "subject" for f in found) > 1
        for f in found:
            f_when = _found_when(item, f, when, several, other_news, pub_date, pub_ts, tz)
            for pair in f.replaced:
                written, kept = pair.split(">")
                notes.append(f"{item.id}: {f.company.name} is written {written}; the company tables list it as "
                             f"{kept} on that exchange (renamed since, or another share class): {kept} used")
            rows.extend(_rows_for(item, f, f_when, pub_date, pub_ts))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["event_date"] = pd.to_datetime(df["event_date"]).astype("datetime64[ns]")
    df["announced_at"] = df["announced_at"].astype(object)
    df["listed"] = df["listed"].astype(object)
    df.attrs["skipped"] = skipped
    df.attrs["unresolved"] = unresolved
    df.attrs["notes"] = list(u.notes) + notes
    df.attrs["foreign"] = foreign
    return df


def _found_when(item: _Item, f: _Found, when: _When, several: bool, other_news, pub_date, pub_ts,
                tz: str | None) -> _When:
    """The timing of one company of the item: a body mover's own (its sentence or paragraph, its
    time of day completed by another clause naming it), each subject's own where the item has
    several, else the item's."""
    if f.own:
        own = _own_when(item, f, pub_date, pub_ts, tz)
        if own.time_of_day == "unknown" and pd.isna(own.announced_at):
            own = _named_time(item, f, own, pub_date or item.dateline, tz)
        return own
    if several and f.role == "subject":
        # several subjects: each one's own time and date where the text gives them apart
        own = _when(item, pub_date, pub_ts, tz, other_news, f.company.name, lambda s: item.named.get(s) or [])
        if own.time_of_day == "unknown" and pd.isna(own.announced_at):
            # "Alphabet, AMD and Reddit all reported after the close on Tuesday" in a later paragraph
            own = _named_time(item, f, own, pub_date or item.dateline, tz)
        return own
    return when


def _ambiguity_notes(item: _Item, ambiguous: list, found: list[_Found]) -> list[str]:
    """A name several companies share that the item does not tell apart: said, not guessed."""
    out, seen = [], {f.company.name for f in found}
    for word, cands in ambiguous:
        if len(cands) == 1 and word not in seen:
            # a longer name that continues a company's name (Universe.find_names): another
            # company or a unit of it that no table lists
            seen.add(word)
            c = cands[0]
            out.append(f"{item.id}: {word!r} begins with the name of {c.name} "
                       f"({c.listings[0] if c.listings else 'unlisted'}) but is another company or one of its "
                       "units that the company tables do not list: no event; give its listing with --companies FILE")
            continue
        group = word.casefold().endswith(" group")
        if (word in seen and not group) or any(c.name in seen for c in cands):
            continue                   # another naming in the item resolved it
        seen.add(word)
        which = ", ".join(f"{c.name} ({c.listings[0] if c.listings else 'unlisted'})" for c in cands)
        if group:
            out.append(f"{item.id}: {word!r} is a business group of several listed companies ({which}): no "
                       "listed event; name the member company")
            continue
        out.append(f"{item.id}: {word!r} may be any of {which}: no event; name the company in full or "
                   "give its symbol")
    return out


def _listed_text(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value).strip().lower()
    return {"1": "true", "yes": "true", "0": "false", "no": "false", "": "false"}.get(text, text)


def subjects(events: pd.DataFrame, *, otc: bool = False) -> pd.DataFrame:
    """The rows a study uses: ``role == "subject"`` and ``listed`` true (private companies have no
    prices; over-the-counter lines, ``listed == "otc"``, only with ``otc=True``).

    Accepts the frame of :func:`extract_events` or the same table read back from CSV (``listed``
    as text ``true``/``false``/``otc``).
    """
    keep = {"true", "otc"} if otc else {"true"}
    listed = events["listed"].map(_listed_text).isin(keep)
    out = events[(events["role"].astype(str).str.strip() == "subject") & listed]
    out.attrs = dict(events.attrs)
    return out


def to_csv_text(events: pd.DataFrame) -> str:
    """The events table as CSV text: ISO dates (``YYYY-MM-DD``), ISO times with offset, ``true/false/otc``."""
    out = events.copy()
    out["event_date"] = [d.strftime("%Y-%m-%d") if not pd.isna(d) else "" for d in out["event_date"]]
    out["announced_at"] = [a.isoformat() if not pd.isna(a) else "" for a in out["announced_at"]]
    out["listed"] = [_listed_text(v) for v in out["listed"]]
    return out.to_csv(index=False, lineterminator="\n")
