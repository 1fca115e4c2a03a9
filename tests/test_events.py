"""Events table: reading, validation, normalisation."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.events.table import TIMES_OF_DAY, parse_announced_at, read_events, validate_events


def write(tmp_path, text, name="events.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_minimal_table_gets_ids_and_defaults(tmp_path):
    ev = read_events(write(tmp_path, "ticker,event_date\n1810.HK,2021-03-26\n2333.HK,2021-03-26\n"))
    assert list(ev.columns[:6]) == ["event_id", "ticker", "market", "event_date", "announced_at", "time_of_day"]
    assert list(ev.event_id) == ["e0001", "e0002"]
    assert ev.event_date.dtype == "datetime64[ns]" and ev.event_date.iloc[0] == pd.Timestamp("2021-03-26")
    assert ev.market.isna().all() and ev.announced_at.isna().all()
    assert list(ev.time_of_day) == ["unknown", "unknown"]
    assert "group" not in ev.columns


def test_bom_whitespace_extra_columns_and_role_kept(tmp_path):
    text = ("\ufeff event_id , Ticker ,market, event_date ,time_of_day,group,company,role\n"
            " a1 , 1810.HK , ^HSI , 2021-03-26 , After Close ,tech, Xiaomi ,subject\n"
            "a2,601633.SS,000001.SS,2021-03-26,bmo,auto,Great Wall,counterparty\n")
    ev = read_events(write(tmp_path, text))
    assert list(ev.event_id) == ["a1", "a2"] and list(ev.ticker) == ["1810.HK", "601633.SS"]
    assert list(ev.market) == ["^HSI", "000001.SS"]
    assert list(ev.time_of_day) == ["after_close", "before_open"]
    assert list(ev.company) == ["Xiaomi", "Great Wall"] and list(ev.role) == ["subject", "counterparty"]
    assert list(ev.group) == ["tech", "auto"]


def test_announced_at_with_offsets_and_zones(tmp_path):
    text = ("ticker,announced_at,tz\n"
            "1810.HK,2021-03-26T12:05:00+08:00,\n"
            "AAPL,2021-03-26 16:30,America/New_York\n"
            "BHP,2021-03-26T01:00:00Z,Australia/Sydney\n")
    ev = read_events(write(tmp_path, text))
    a = ev.announced_at
    assert a.dtype == object and ev.event_date.isna().all()
    assert a.iloc[0] == pd.Timestamp("2021-03-26 04:05", tz="UTC")
    assert str(a.iloc[1].tz) == "America/New_York" and a.iloc[1].hour == 16
    assert a.iloc[2] == pd.Timestamp("2021-03-26 01:00", tz="UTC") and str(a.iloc[2].tz) == "Australia/Sydney"


def test_parse_announced_at():
    assert parse_announced_at("2021-03-26 12:05", "Asia/Hong_Kong") == pd.Timestamp("2021-03-26 04:05", tz="UTC")
    assert parse_announced_at(pd.Timestamp("2021-03-26 12:05"), "Asia/Hong_Kong").utcoffset().seconds == 8 * 3600
    with pytest.raises(InputError, match="'2021-03-26 12:05' has no UTC offset"):
        parse_announced_at("2021-03-26 12:05")
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        parse_announced_at("2021-03-26 12:05", "Mars/Olympus")
    with pytest.raises(InputError, match="does not exist or is ambiguous"):
        parse_announced_at("2021-03-14 02:30", "America/New_York")      # DST gap
    with pytest.raises(InputError, match="'yesterday'"):
        parse_announced_at("yesterday", "UTC")


def test_validate_events_accepts_timestamps_from_code():
    df = pd.DataFrame({"ticker": ["1810.HK"], "event_date": [pd.Timestamp("2021-03-26")],
                       "announced_at": [pd.Timestamp("2021-03-26 09:00", tz="Asia/Hong_Kong")]})
    ev = validate_events(df)
    assert ev.event_date.iloc[0] == pd.Timestamp("2021-03-26") and ev.announced_at.iloc[0].hour == 9


def test_times_of_day_accepted():
    df = pd.DataFrame({"ticker": ["A"] * 6, "event_date": ["2021-03-26"] * 6,
                       "time_of_day": ["before_open", "during", "after_close", "unknown", "", "pre-market"]})
    assert list(validate_events(df).time_of_day) == [*TIMES_OF_DAY, "unknown", "before_open"]


def test_more_than_9999_events_get_wider_ids():
    df = pd.DataFrame({"ticker": ["A"] * 10000, "event_date": ["2021-03-26"] * 10000})
    ids = validate_events(df).event_id
    assert ids.iloc[0] == "e00001" and ids.iloc[-1] == "e10000" and ids.is_unique


def test_shared_headlines_file_reads(shared_dir):
    ev = read_events(shared_dir / "data" / "events" / "headlines-2026-01.csv")
    assert ev.event_id.is_unique and ev.event_date.notna().all() and len(ev) > 3


def test_errors_name_the_row_and_value(tmp_path):
    p = write(tmp_path, "ticker,event_date\n1810.HK,2021-03-26\n2333.HK,26/03/2021\n")
    with pytest.raises(InputError, match=r"row 2 \(line 3\): bad event_date '26/03/2021'"):
        read_events(p, strict=True)
    ev = read_events(p)            # by default the bad row is kept with its reason, the other goes on
    assert ev["input_error"].isna().tolist() == [True, False]
    assert ev["input_error"].iloc[1] == ("line 3: bad event_date '26/03/2021': not a date (YYYY-MM-DD) nor a "
                                         "time with its UTC offset (2024-04-23T16:05-04:00)")


def test_trailing_comma_and_midnight_timestamps_accepted(tmp_path):
    ev = read_events(write(tmp_path, "ticker,event_date,\n1810.HK,2021-03-26 00:00:00,\n"))
    assert list(ev.columns[:6]) == ["event_id", "ticker", "market", "event_date", "announced_at", "time_of_day"]
    assert len(ev.columns) == 6 and ev.event_date.iloc[0] == pd.Timestamp("2021-03-26")


def test_value_in_an_unnamed_column_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"line 2: value in an unnamed column \(position 3\): 'oops'"):
        read_events(write(tmp_path, "ticker,event_date,\n1810.HK,2021-03-26,oops\n"))


def test_event_date_with_a_time_but_no_zone_is_refused(tmp_path):
    # a time with an offset (or a tz column) is an announcement time; without a zone it is not a time
    with pytest.raises(InputError, match="event_date '2021-03-26 09:30' has a time but no UTC offset"):
        read_events(write(tmp_path, "ticker,event_date\n1810.HK,2021-03-26 09:30\n"), strict=True)


def test_same_column_in_two_spellings_is_refused():
    df = pd.DataFrame([["A", "B", "2021-03-26"]], columns=["ticker", "Ticker", "event_date"])
    with pytest.raises(InputError, match="duplicate columns.*'ticker'"):
        validate_events(df)


def test_extract_table_keeps_private_and_undated_rows():
    # extract's output lists private companies (no ticker) and news it could not date; the
    # table is still read, and selecting subjects is the caller's job (batch skips the rest)
    import pandas as pd
    from analysis.events.table import validate_events
    raw = pd.DataFrame({
        "event_id": ["a-1810.HK", "a-bytedance", "b-BA"],
        "ticker": ["1810.HK", "", "BA"],
        "role": ["subject", "mention", "subject"],
        "listed": ["true", "false", "true"],
        "event_date": ["2021-03-26", "", ""],
    })
    table = validate_events(raw)
    assert list(table["event_id"]) == ["a-1810.HK", "a-bytedance", "b-BA"]
    assert pd.isna(table.loc[1, "ticker"]) and pd.isna(table.loc[2, "event_date"])


def test_user_table_still_needs_ticker_and_date():
    import pandas as pd
    import pytest
    from analysis.errors import InputError
    from analysis.events.table import validate_events
    with pytest.raises(InputError, match="ticker is empty"):
        validate_events(pd.DataFrame({"ticker": [""], "event_date": ["2021-03-26"]}), strict=True)
    with pytest.raises(InputError, match="no event_date and no announced_at for BA"):
        validate_events(pd.DataFrame({"ticker": ["BA"], "event_date": [""]}), strict=True)
    table = validate_events(pd.DataFrame({"ticker": ["", "BA"], "event_date": ["2021-03-26", ""]}))
    assert table["input_error"].tolist() == ["ticker is empty", "no event_date and no announced_at for BA"]
