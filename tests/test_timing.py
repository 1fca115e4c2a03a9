"""Day 0 on exchange calendars (analysis.events.timing): issue 4, "Announcement timing" and "Cross-listings".

Expected sessions are facts of the exchanges' published calendars (HKEX 2021 Easter closure,
SSE Qingming 2021-04-05, NYSE day after Thanksgiving early close at 13:00, US DST switches on
2021-03-14 and 2021-11-07), not outputs of the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import CalendarError, EventError, InputError
from analysis.data.exchanges import calendar_for, default_market, exchange_table, known_suffixes
from analysis.events.timing import resolve_day0, time_events

D = pd.Timestamp


# --- suffix -> calendar / benchmark -----------------------------------------------------------

@pytest.mark.parametrize("symbol, calendar", [
    ("2333.HK", "XHKG"), ("1810.HK", "XHKG"), ("601633.SS", "XSHG"), ("000333.SZ", "XSHE"),
    ("7203.T", "XTKS"), ("HSBA.L", "XLON"), ("MC.PA", "XPAR"), ("BHP.AX", "XASX"),
    ("2330.TW", "XTAI"), ("RY.TO", "XTSE"), ("AAPL", "XNYS"), ("XIACF", "XNYS"), ("brk-b", "XNYS"),
    ("^HSI", "XHKG"), ("^GSPC", "XNYS"), ("000001.SS", "XSHG"),
])
def test_calendar_for_known_symbols(symbol, calendar):
    assert calendar_for(symbol) == calendar


@pytest.mark.parametrize("symbol, market", [
    ("2333.HK", "^HSI"), ("601633.SS", "000001.SS"), ("GOOGL", "^GSPC"), ("XIACF", "^GSPC"),
    ("000001.SZ", "399001.SZ"), ("7203.T", "^N225"), ("RY.TO", "^GSPTSE"),
])
def test_default_market(symbol, market):
    assert default_market(symbol) == market


def test_unknown_suffix_lists_known_ones_unless_calendar_given():
    with pytest.raises(CalendarError) as info:
        calendar_for("ABC.XX")
    message = str(info.value)
    assert "'.XX'" in message and ".HK" in message and ".SS" in message and "\n" not in message
    with pytest.raises(CalendarError):
        calendar_for("^NOPE")
    assert calendar_for("ABC.XX", calendar="xhkg") == "XHKG"
    with pytest.raises(CalendarError, match="NOTACAL"):
        calendar_for("ABC.XX", calendar="NOTACAL")


def test_exchange_table_zones_match_exchange_calendars():
    import exchange_calendars as xc

    from analysis.data.exchanges import CALENDAR_ALIASES

    # the calendar classes carry their zone: no need to build 25 calendars (slow) here
    factories = xc.calendar_utils.global_calendar_dispatcher._calendar_factories
    table = exchange_table()
    assert {".HK", ".SS", ".SZ", ".T", ".L", ".PA", ".AX", ".TW", ""} <= set(known_suffixes())
    for row in table.itertuples():
        factory = factories[CALENDAR_ALIASES.get(row.calendar, row.calendar)]
        assert str(factory.tz) == row.tz, row.key
        assert calendar_for(row.benchmark) == row.calendar, row.key  # benchmark trades on the same calendar


# --- announced_at: compared in UTC with the calendar's open and close -------------------------

@pytest.mark.parametrize("calendar", ["XHKG", "XSHG", "XNYS"])
def test_seed_timing_evening_new_york_is_next_day(calendar):
    d = resolve_day0(calendar=calendar, announced_at="2021-03-25T20:00-04:00")
    assert d.day0 == D("2021-03-26") and d.requested == D("2021-03-25")
    assert d.shifted and not d.intraday
    expected = "after close" if calendar == "XNYS" else "before open"
    assert expected in d.rule


def test_hong_kong_easter_closure():
    for day in ["2021-04-02", "2021-04-03", "2021-04-04", "2021-04-05", "2021-04-06"]:
        d = resolve_day0(calendar="XHKG", event_date=day)
        assert d.day0 == D("2021-04-07"), day
        assert d.rule == "non-trading day -> next session"
    # after the close on Thursday 2021-04-01 (16:30 HKT): first session after Easter
    d = resolve_day0(calendar="XHKG", announced_at="2021-04-01T16:30+08:00")
    assert d.day0 == D("2021-04-07")
    assert resolve_day0(calendar="XHKG", event_date="2021-04-04", policy="previous").day0 == D("2021-04-01")


def test_shanghai_qingming_holiday():
    assert resolve_day0(calendar="XSHG", event_date="2021-04-05").day0 == D("2021-04-06")
    assert resolve_day0(calendar="XSHG", event_date="2021-04-05", policy="previous").day0 == D("2021-04-02")
    # Hong Kong is closed on 2021-04-06 (Easter Monday observed) while Shanghai trades
    assert resolve_day0(calendar="XSHG", event_date="2021-04-06").day0 == D("2021-04-06")
    assert resolve_day0(calendar="XSHE", event_date="2021-04-05").day0 == D("2021-04-06")


@pytest.mark.parametrize("stamp, day0, intraday", [
    # 09:00 New York time is before the 09:30 open on both sides of each switch
    ("2021-03-12T09:00", "2021-03-12", False), ("2021-03-15T09:00", "2021-03-15", False),
    ("2021-11-05T09:00", "2021-11-05", False), ("2021-11-08T09:00", "2021-11-08", False),
    ("2021-03-15T09:30", "2021-03-15", True), ("2021-03-15T16:00", "2021-03-16", False),
])
def test_new_york_local_times_across_dst(stamp, day0, intraday):
    ts = pd.Timestamp(stamp).tz_localize("America/New_York")
    d = resolve_day0(calendar="XNYS", announced_at=ts)
    assert (d.day0, d.intraday) == (D(day0), intraday)


@pytest.mark.parametrize("stamp, intraday", [
    ("2021-03-12T14:00Z", False),  # EST: 09:00 local, before the open
    ("2021-03-15T14:00Z", True),   # EDT: 10:00 local, during the session
    ("2021-11-05T14:00Z", True),   # EDT
    ("2021-11-08T14:00Z", False),  # EST again
])
def test_fixed_utc_time_before_open_in_winter_during_session_in_summer(stamp, intraday):
    d = resolve_day0(calendar="XNYS", announced_at=stamp)
    assert d.day0 == D(stamp[:10]) and d.intraday is intraday
    assert ("during session" in d.rule) is intraday


def test_half_day_counts_its_early_close():
    after = resolve_day0(calendar="XNYS", announced_at="2021-11-26T14:00-05:00")
    assert after.day0 == D("2021-11-29") and "early close (13:00)" in after.rule
    during = resolve_day0(calendar="XNYS", announced_at="2021-11-26T12:59-05:00")
    assert during.day0 == D("2021-11-26") and during.intraday
    regular = resolve_day0(calendar="XNYS", announced_at="2021-11-24T14:00-05:00")
    assert regular.day0 == D("2021-11-24") and regular.intraday


def test_hong_kong_lunch_break_is_still_the_session_day():
    d = resolve_day0(calendar="XHKG", announced_at="2021-03-26T12:30+08:00")
    assert d.day0 == D("2021-03-26") and d.intraday and "lunch break" in d.rule
    assert resolve_day0(calendar="XHKG", announced_at="2021-03-26T16:10+08:00").day0 == D("2021-03-29")


def test_local_date_decides_when_utc_date_differs():
    # 23:30 UTC on 03-25 is 10:30 on 03-26 in Sydney (AEDT): during the XASX session of the 26th
    d = resolve_day0(calendar="XASX", announced_at="2021-03-25T23:30Z")
    assert d.day0 == D("2021-03-26") and d.intraday


def test_weekend_timestamp_goes_to_next_session_whatever_the_policy():
    d = resolve_day0(calendar="XNYS", announced_at="2021-03-27T10:00-04:00", policy="previous")
    assert d.day0 == D("2021-03-29") and "non-trading day" in d.rule


# --- date-only events ---------------------------------------------------------------------------

@pytest.mark.parametrize("policy, expected", [("next", "2021-03-29"), ("previous", "2021-03-26")])
def test_saturday_date_under_policy(policy, expected):
    d = resolve_day0(calendar="XNYS", event_date="2021-03-27", policy=policy)
    assert d.day0 == D(expected) and d.requested == D("2021-03-27") and d.shifted


def test_saturday_date_under_policy_error_names_date_and_calendar():
    with pytest.raises(EventError, match=r"2021-03-27.*XNYS"):
        resolve_day0(calendar="XNYS", event_date="2021-03-27", policy="error")
    # a trading day is fine under 'error'
    assert resolve_day0(calendar="XNYS", event_date="2021-03-26", policy="error").day0 == D("2021-03-26")


@pytest.mark.parametrize("tod, day0, intraday", [
    ("before_open", "2021-03-26", False), ("during", "2021-03-26", True),
    ("after_close", "2021-03-29", False), ("unknown", "2021-03-26", False), (None, "2021-03-26", False),
])
def test_time_of_day_on_a_session(tod, day0, intraday):
    d = resolve_day0(calendar="XNYS", event_date="2021-03-26", time_of_day=tod)
    assert (d.day0, d.intraday, d.shifted) == (D(day0), intraday, day0 != "2021-03-26")


def test_dates_outside_the_default_calendar_range():
    # exchange_calendars builds 20 years back by default: older events widen the range
    assert resolve_day0(calendar="XNYS", event_date="2005-07-04").day0 == D("2005-07-05")
    assert resolve_day0(calendar="XNYS", event_date="2001-09-11").day0 == D("2001-09-17")


@pytest.mark.parametrize("kwargs, match", [
    ({"announced_at": "2021-03-25T20:00"}, "no time zone"),
    ({"event_date": "2021-03-25", "policy": "later"}, "policy"),
    ({"event_date": "2021-03-25", "time_of_day": "noon"}, "time_of_day"),
    ({}, "neither"),
    ({"event_date": "not a date"}, "not a date"),
])
def test_bad_input_is_an_input_error(kwargs, match):
    with pytest.raises(InputError, match=match):
        resolve_day0(calendar="XNYS", **kwargs)


# --- whole tables, cross-listings -----------------------------------------------------------------

def test_time_events_cross_listings_each_get_their_own_day0():
    stamp = pd.Timestamp("2021-04-01T20:00-04:00")  # Thursday evening New York, Good Friday next
    events = pd.DataFrame({
        "event_id": ["gwm-h", "gwm-a", "gwm-us", "bad", "cal"],
        "ticker": ["2333.HK", "601633.SS", "GWLLY", "ABC.XX", "ABC.XX"],
        "market": [None, "", None, None, "^HSI"],
        "announced_at": [stamp, stamp, stamp, stamp, stamp],
        "calendar": [None, None, None, None, "XHKG"],
        "company": ["Great Wall Motor"] * 5,
    }, index=[10, 11, 12, 13, 14])
    out = time_events(events)
    assert list(out.index) == [10, 11, 12, 13, 14] and (out["company"] == "Great Wall Motor").all()
    assert list(out["calendar"].iloc[:3]) == ["XHKG", "XSHG", "XNYS"]
    assert list(out["market"].iloc[:3]) == ["^HSI", "000001.SS", "^GSPC"]
    # Hong Kong closed 04-02..04-06; Shanghai open on Friday 04-02; New York closed on Good Friday
    assert list(out["day0"].iloc[:3]) == [D("2021-04-07"), D("2021-04-02"), D("2021-04-05")]
    assert out["timing_error"].iloc[:3].isna().all()
    assert "'.XX'" in out.loc[13, "timing_error"] and pd.isna(out.loc[13, "day0"])
    assert out.loc[14, "day0"] == D("2021-04-07") and out.loc[14, "market"] == "^HSI"
    assert out["day0"].dtype == "datetime64[ns]" and out["requested_date"].dtype == "datetime64[ns]"


def test_time_events_calendar_argument_only_for_unknown_suffixes():
    events = pd.DataFrame({"ticker": ["ABC.XX", "AAPL"], "market": ["^X", None],
                           "event_date": ["2021-04-05", "2021-04-02"]})
    out = time_events(events, calendar="XHKG")
    assert list(out["calendar"]) == ["XHKG", "XNYS"]
    assert list(out["day0"]) == [D("2021-04-07"), D("2021-04-05")]


def test_time_events_policy_error_is_per_row():
    events = pd.DataFrame({"ticker": ["AAPL", "AAPL"], "event_date": ["2021-03-27", "2021-03-26"]})
    out = time_events(events, policy="error")
    assert "2021-03-27" in out["timing_error"].iloc[0] and pd.isna(out["day0"].iloc[0])
    assert out["day0"].iloc[1] == D("2021-03-26") and pd.isna(out["timing_error"].iloc[1])
    with pytest.raises(InputError):
        time_events(events, policy="sideways")
    with pytest.raises(InputError, match="ticker"):
        time_events(pd.DataFrame({"event_date": ["2021-03-26"]}))


def test_headline_sample_timing(shared_dir):
    events = pd.read_csv(shared_dir / "data" / "events" / "headlines-2026-01.csv")
    out = time_events(events).set_index("event_id")
    assert out["timing_error"].isna().all()
    # Union Pacific after the close on Friday 2026-01-16; Monday 01-19 is Martin Luther King Day
    assert out.loc["h12-UNP", "day0"] == D("2026-01-20")
    assert out.loc["h17-WMT", "day0"] == D("2026-01-16")
    assert out.loc["h02-GOOGL", "day0"] == D("2026-01-16")


# --- the timing command -------------------------------------------------------------------------

def test_timing_command_prints_requested_and_resolved_dates(tmp_path, capsys):
    from analysis.cli import main
    from analysis.events.table import read_events

    path = tmp_path / "events.csv"
    path.write_text("event_id,ticker,announced_at,event_date\n"
                    "gwm-h,2333.HK,2021-03-25T20:00-04:00,\n"
                    "gwm-a,601633.SS,2021-03-25T20:00-04:00,\n"
                    "sat,AAPL,,2021-03-27\n", encoding="utf-8")
    out = tmp_path / "timed.csv"
    assert main(["timing", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "requested_date" in text and "day0" in text
    lines = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert "2021-03-25" in lines["gwm-h"] and "2021-03-26" in lines["gwm-h"] and "XHKG" in lines["gwm-h"]
    assert "2021-03-27" in lines["sat"] and "2021-03-29" in lines["sat"]
    back = read_events(out).set_index("event_id")  # the written table reads back as an events table
    assert back.loc["gwm-a", "day0"] == pd.Timestamp("2021-03-26") and back.loc["gwm-a", "market"] == "000001.SS"
    assert main(["timing", str(path), "--policy", "previous"]) == 0
    assert "2021-03-26" in [ln for ln in capsys.readouterr().out.splitlines() if ln.split()[0] == "sat"][0]


def test_timing_command_reports_rows_it_cannot_time(tmp_path, capsys):
    from analysis.cli import main

    path = tmp_path / "events.csv"
    path.write_text("ticker,event_date\nAAPL,2021-03-27\nAAPL,2021-03-26\n", encoding="utf-8")
    assert main(["timing", str(path), "--policy", "error"]) == 2
    err = capsys.readouterr().err
    assert "error: event e0001: 2021-03-27 is not a XNYS trading day" in err
    assert main(["timing", str(tmp_path / "missing.csv")]) == 2


def test_calendar_limits_are_reported_per_row():
    # exchange_calendars records XSHG holidays only to the end of 2026
    with pytest.raises(CalendarError, match="outside the XSHG calendar"):
        resolve_day0(calendar="XSHG", event_date="2027-03-01")
    out = time_events(pd.DataFrame({"ticker": ["601633.SS", "601633.SS"],
                                    "event_date": ["2027-03-01", "2021-04-05"]}))
    assert "outside the XSHG calendar" in out["timing_error"].iloc[0]
    assert out["day0"].iloc[1] == D("2021-04-06")


def test_calendars_are_built_once_and_widened_when_needed():
    from analysis.events.timing import get_calendar

    first = get_calendar("XNYS", "2020-01-02", "2020-12-31")
    assert get_calendar("XNYS", "2020-06-01", "2020-06-30") is first
    wider = get_calendar("XNYS", "1999-01-04", "2020-12-31")
    assert wider.first_session <= D("1999-01-04") and get_calendar("XNYS") is wider


@pytest.mark.parametrize("name", ["XHKG", "XNYS", "XTKS"])
def test_the_cached_calendar_snapshot_comes_back_equal(name):
    """The per-user cache stores what placement reads as plain arrays (a pickled pandas index
    of 6,000 sessions comes back one numpy scalar at a time): every kept attribute must come
    back equal, with its dtype, zone and names, breaks and early closes included."""
    import pickle

    import exchange_calendars as xc

    from analysis.events.timing import _Snapshot

    cal = xc.get_calendar(name, start="2006-01-03", end="2025-12-31")
    back = pickle.loads(pickle.dumps(_Snapshot(cal, "2006-01-03", "2025-12-31")))
    for attr in ("sessions", "early_closes"):
        got, want = getattr(back, attr), getattr(cal, attr)
        assert got.equals(want) and got.dtype == want.dtype and got.name == want.name, attr
    for attr in ("opens", "closes", "break_starts", "break_ends"):
        got, want = getattr(back, attr), getattr(cal, attr)
        pd.testing.assert_series_equal(got, want, check_freq=False)
    assert (back.tz, back.first_session, back.last_session) == (cal.tz, cal.first_session, cal.last_session)
    assert (back.bound_min(), back.bound_max()) == (cal.bound_min(), cal.bound_max())
    assert back.is_session(cal.sessions[10])      # anything else: the full calendar


def test_exchange_column_is_the_fallback_calendar_for_unknown_suffixes():
    events = pd.DataFrame({"ticker": ["ABC.XX", "ABC.XX", "AAPL"], "exchange": ["XHKG", "Nowhere", "XHKG"],
                           "market": ["^HSI", "^HSI", None], "event_date": ["2021-04-05"] * 3})
    out = time_events(events)
    assert out["calendar"].iloc[0] == "XHKG" and out["day0"].iloc[0] == D("2021-04-07")
    assert "'.XX'" in out["timing_error"].iloc[1]
    assert out["calendar"].iloc[2] == "XNYS"  # a known suffix wins over the exchange column


# --- the vectorised table path against the one-event rules ------------------------------------

def _random_events(n: int, seed: int) -> pd.DataFrame:
    """Events on three calendars: dates (every time_of_day, weekends and holidays included) and
    announcement times in several zones, some at the open, the lunch break and (early) closes."""
    rng = np.random.default_rng(seed)
    tickers = np.array(["1810.HK", "601633.SS", "AAPL", "2333.HK", "MSFT"])
    days = pd.date_range("2019-12-20", "2024-12-31", freq="D")
    tods = np.array(["unknown", "before_open", "during", "after_close", None, " After_Close ", "noon"])
    zones = ["UTC", "Asia/Hong_Kong", "America/New_York", "Asia/Shanghai", "Europe/London"]
    rows = []
    for i in range(n):
        day = days[rng.integers(len(days))]
        row = {"event_id": f"r{i}", "ticker": tickers[rng.integers(len(tickers))]}
        if rng.random() < 0.5:
            row["event_date"] = day.strftime("%Y-%m-%d") if rng.random() < 0.5 else day
            row["time_of_day"] = tods[rng.integers(len(tods))]
        else:
            # minutes spread over the day, with extra weight on the session edges (UTC 01:30-08:30,
            # 13:30-21:00 hold the Hong Kong, Shanghai and New York opens, breaks and closes)
            minute = int(rng.choice([rng.integers(0, 1440), rng.integers(90, 510), rng.integers(810, 1260)]))
            minute -= minute % 5 * (rng.random() < 0.5)
            ts = (day + pd.Timedelta(minutes=minute)).tz_localize("UTC")
            row["announced_at"] = ts.tz_convert(zones[rng.integers(len(zones))])
            row["time_of_day"] = tods[rng.integers(len(tods))] if rng.random() < 0.1 else None
        rows.append(row)
    events = pd.DataFrame(rows)
    events.loc[3, ["event_date", "announced_at"]] = [None, None]        # neither
    events.loc[4, ["event_date", "announced_at"]] = ["not a date", None]
    events.loc[5, ["event_date", "announced_at", "ticker"]] = ["2027-03-01", None, "601633.SS"]
    # half days: Hong Kong on Christmas Eve 2021 (close 12:00), New York after Thanksgiving 2021
    events.loc[6, ["event_date", "announced_at", "ticker"]] = [None, pd.Timestamp("2021-12-24 13:00+08:00"), "1810.HK"]
    events.loc[7, ["event_date", "announced_at", "ticker"]] = [None, pd.Timestamp("2021-11-26 14:00-05:00"), "AAPL"]
    events.loc[8, ["event_date", "announced_at", "ticker"]] = [None, pd.Timestamp("2021-11-26 12:59-05:00"), "AAPL"]
    return events


@pytest.mark.parametrize("policy", ["next", "previous", "error"])
def test_time_events_matches_resolve_day0_row_by_row(policy):
    from analysis.events.timing import _message

    events = _random_events(400, seed={"next": 1, "previous": 2, "error": 3}[policy])
    out = time_events(events, policy=policy)
    checked = 0
    for i, row in events.iterrows():
        got = out.loc[i]
        stamp = row.get("announced_at")
        try:
            d = resolve_day0(calendar=got["calendar"], event_date=row.get("event_date"),
                             announced_at=None if pd.isna(stamp) else stamp,
                             time_of_day=row.get("time_of_day"), policy=policy)
        except (InputError, CalendarError, EventError) as exc:
            assert got["timing_error"] == _message(exc), (i, row.to_dict())
            assert pd.isna(got["day0"])
            continue
        assert pd.isna(got["timing_error"]), (i, row.to_dict(), got["timing_error"])
        assert (got["requested_date"], got["day0"], got["day0_rule"], bool(got["intraday"])) == \
            (d.requested, d.day0, d.rule, d.intraday), (i, row.to_dict())
        checked += 1
    assert checked > 250
    rules = " ".join(out["day0_rule"].dropna())
    for phrase in ["lunch break", "early close", "before open", "during session", "non-trading day",
                   "after close -> next session"]:
        assert phrase in rules        # the sample reaches every rule
