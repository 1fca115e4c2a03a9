"""A catalogue of price files a study must not believe blindly (issue "Data you can trust").

Each case writes synthetic price CSVs whose right answer is known by construction (a split on a
given day, a halt of a given length, a copied file...) and checks that the study gives the
right number or the named reason, the same way through the three entry points: the Python API
(``analysis.run_study``), ``python -m analysis study`` and ``python -m analysis batch``.

The numbers of kept cases are checked against a trade-to-trade reference written here with
statsmodels (WLS, weights 1/n on [n, Rm]; Maynes & Rumsey 1993).
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import analysis
from analysis.cli import main
from analysis.events.timing import get_calendar

N_DAYS = 420
DAY0 = 330                       # index of the event's session
BETA, ALPHA = 1.2, 0.0002


def sessions() -> pd.DatetimeIndex:
    cal = get_calendar("XNYS", "2019-01-01", "2021-12-31")
    days = cal.sessions_in_range("2019-06-03", "2021-12-31")
    return pd.DatetimeIndex(days).tz_localize(None)[:N_DAYS]


DATES = sessions()
EVENT = DATES[DAY0]


def walk(seed: int, scale=0.01) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0003, scale, N_DAYS)


def stock_returns(rm: np.ndarray, seed: int = 2, day0_ar: float = 0.05) -> np.ndarray:
    r = ALPHA + BETA * rm + np.random.default_rng(seed).normal(0, 0.015, N_DAYS)
    r[DAY0] += day0_ar
    return r


def bars(close: np.ndarray, volume=None, dates=DATES) -> pd.DataFrame:
    close = np.asarray(close, float)
    vol = np.full(len(close), 1e6) if volume is None else np.asarray(volume, float)
    return pd.DataFrame({"Date": dates.strftime("%Y-%m-%d"), "Open": close * 0.995, "High": close * 1.01,
                         "Low": close * 0.99, "Close": close, "Adj Close": close, "Volume": vol})


def write(folder: Path, symbol: str, frame: pd.DataFrame) -> None:
    frame.to_csv(folder / f"{symbol}.csv", index=False)


@pytest.fixture
def base(tmp_path):
    """MKT and a clean STK; returns the folder and the market returns."""
    folder = tmp_path / "prices"
    folder.mkdir()
    rm = walk(1)
    write(folder, "MKT", bars(100 * np.cumprod(1 + rm)))
    write(folder, "STK", bars(50 * np.cumprod(1 + stock_returns(rm))))
    return folder, rm


def run_three_ways(folder: Path, events: pd.DataFrame, tmp_path, extra=()):
    """(API study, diagnostics of `batch`, (exit code, stdout, stderr) of `study` on the first row)."""
    api = analysis.run_study(events, prices_dir=folder, progress=False, estimation_window=(-250, -11),
                             **dict(_api_options(extra)))
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    out = tmp_path / f"batch{len(list(tmp_path.iterdir()))}"
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        rc = main(["batch", str(path), "--out", str(out), "--prices-dir", str(folder), "--no-figure",
                   "--estimation", "-250", "-11", *extra])
    diag = pd.read_csv(out / "diagnostics.csv", keep_default_na=False).set_index("event_id") if \
        (out / "diagnostics.csv").exists() else None
    first = events.iloc[0]
    when = first["announced_at"] if "announced_at" in events and pd.notna(first.get("announced_at")) \
        else str(pd.Timestamp(first["event_date"]).date())
    o, e = io.StringIO(), io.StringIO()
    with redirect_stdout(o), redirect_stderr(e):
        src = main(["study", "--ticker", first["ticker"], "--market", first["market"], "--event-date", when,
                    "--prices-dir", str(folder), "--out", str(tmp_path / "study"), "--no-figure",
                    "--estimation", "-250", "-11", *extra])
    return api, (rc, diag), (src, o.getvalue(), e.getvalue())


def _api_options(extra):
    it = iter(extra)
    for flag in it:
        name = flag.lstrip("-").replace("-", "_")
        value = next(it)
        yield name, (int(value) if value.isdigit() else value)


def one(ticker="STK", market="MKT", date=EVENT, eid="e1") -> pd.DataFrame:
    return pd.DataFrame({"event_id": [eid], "ticker": [ticker], "market": [market],
                         "event_date": [pd.Timestamp(date).strftime("%Y-%m-%d")]})


def assert_skipped(api, batch, study, eid, needles):
    d = api.diagnostics.set_index("event_id").loc[eid]
    assert d["status"] == "skipped", d["reason"]
    for needle in needles:
        assert needle in d["reason"], (needle, d["reason"])
    rc, diag = batch
    assert diag.loc[eid, "status"] == "skipped" and diag.loc[eid, "reason"] == d["reason"]
    code, out, err = study
    assert code == 2 and "Traceback" not in err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def reference_t2t(folder: Path, ticker: str, market: str, day0: pd.Timestamp, est=(-250, -11), stale=True):
    """The trade-to-trade market model of one event, written independently with statsmodels:
    joint dates, spans in market sessions, WLS weights 1/n on [n, Rm]; (AR, sd(AR)) of day 0."""
    def load(sym):
        f = pd.read_csv(folder / f"{sym}.csv", index_col="Date", parse_dates=True)
        if stale:
            flat = (f["Open"] == f["High"]) & (f["High"] == f["Low"]) & (f["Low"] == f["Close"]) & (f["Volume"] == 0)
            f = f[~flat]
        return f["Adj Close"]
    s, m = load(ticker), load(market)
    joint = pd.concat([s, m], axis=1, keys=["s", "m"], sort=True).dropna()
    r = joint.pct_change().iloc[1:]
    upto = m.index.searchsorted(joint.index, side="right")
    r["n"] = np.diff(upto)
    p0 = r.index.get_loc(day0)
    e = r.iloc[p0 + est[0]: p0 + est[1] + 1]
    fit = sm.WLS(e["s"], e[["n", "m"]], weights=1 / e["n"]).fit()
    x0 = r.loc[day0, ["n", "m"]].to_numpy(float)
    ar = r.loc[day0, "s"] - x0 @ fit.params.to_numpy()
    var = fit.scale * r.loc[day0, "n"] + x0 @ fit.cov_params().to_numpy() @ x0
    return ar, np.sqrt(var), fit


# ------------------------------------------------------------------------------ the catalogue

def test_clean_case_is_believed(base, tmp_path):
    folder, _ = base
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and d["warnings"] == ""
    ar, sd, _ = reference_t2t(folder, "STK", "MKT", EVENT)
    row = api.result.abnormal_returns.query("relative_day == 0").iloc[0]
    assert row["abnormal_return"] == pytest.approx(ar, abs=1e-12)
    assert row["ar_sd"] == pytest.approx(sd, rel=1e-10)
    assert batch[1].loc["e1", "status"] == "ok" and study[0] == 0


@pytest.mark.parametrize("ratio, where, text", [
    (0.1, DAY0 + 3, "(an unadjusted 10:1 split?)"),              # a 10:1 split on day +3
    (10.0, DAY0 - 40, "(an unadjusted 1:10 reverse split?)"),     # a 1:10 reverse split, estimation window
    (1000.0, DAY0 - 100, "(an unadjusted 1:1000 reverse split?)"),  # the 1000:1 jump of the issue
    (0.5, DAY0 + 1, "(an unadjusted 2:1 split?)"),
    # non-integer ratios (price / 1.5 on day +2 gave AR = -33.9%, t = -22 before): near a small
    # factor, ten or more robust sd of the stock's net moves, on a day without a trading surge
    (1 / 1.5, DAY0 + 2, "(an unadjusted 3:2 split or 1-for-2 bonus issue?)"),   # the review's case
    (1.5, DAY0 - 60, "(an unadjusted 2:3 reverse split?)"),
    (0.75, DAY0 + 5, "(an unadjusted 4:3 split or 1-for-3 bonus issue?)"),
    (0.8, DAY0 - 120, "(an unadjusted 5:4 split or 1-for-4 bonus issue?)"),
    (1 / 1.2, DAY0 - 1, "(an unadjusted 6:5 split or 1-for-5 bonus issue?)"),
])
def test_unadjusted_splits_skip_the_event(base, tmp_path, ratio, where, text):
    folder, rm = base
    close = 50 * np.cumprod(1 + stock_returns(rm))
    close[where:] *= ratio
    write(folder, "STK", bars(close))
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    assert_skipped(api, batch, study, "e1", ["price jump", text, str(DATES[where].date()), "--jumps keep"])


def test_a_bad_price_that_reverts_is_a_jump(base, tmp_path):
    folder, rm = base
    close = 50 * np.cumprod(1 + stock_returns(rm))
    close[DAY0 - 30] *= 1.8                      # one bad tick, back the next day
    write(folder, "STK", bars(close))
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    assert_skipped(api, batch, study, "e1", ["price jump", str(DATES[DAY0 - 30].date())])


def test_jumps_keep_studies_the_event_with_a_warning(base, tmp_path):
    folder, rm = base
    close = 50 * np.cumprod(1 + stock_returns(rm))
    close[DAY0 + 3:] *= 0.1
    write(folder, "STK", bars(close))
    api, batch, study = run_three_ways(folder, one(), tmp_path, extra=("--jumps", "keep"))
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and "jump" in d["warnings"].split(",")
    assert batch[1].loc["e1", "status"] == "ok" and "jump" in batch[1].loc["e1", "warnings"]
    assert study[0] == 0 and "jump: STK price x0.0" in study[1]


def test_a_halt_around_day_0_is_not_a_one_day_return(base, tmp_path):
    """30 sessions without a trade from day -10: day 0 would be 20 sessions after the date."""
    folder, rm = base
    frame = bars(50 * np.cumprod(1 + stock_returns(rm)))
    write(folder, "STK", frame.drop(index=range(DAY0 - 10, DAY0 + 20)))
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    assert_skipped(api, batch, study, "e1", ["no trade for 20 sessions after the date asked for",
                                             str(EVENT.date()), str(DATES[DAY0 + 20].date())])


def test_a_short_halt_moves_day_0_and_is_modelled_trade_to_trade(base, tmp_path):
    folder, rm = base
    frame = bars(50 * np.cumprod(1 + stock_returns(rm)))
    write(folder, "STK", frame.drop(index=range(DAY0 - 1, DAY0 + 2)))      # days -1, 0, +1 halted
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and d["day0"] == DATES[DAY0 + 2] and d["day0_delay"] == 2
    assert bool(d["day0_shifted"]) and "day0_moved" in d["warnings"]
    row = api.result.abnormal_returns.query("relative_day == 0").iloc[0]
    assert row["sessions"] == 4                   # the day-0 return spans the halt
    ar, sd, _ = reference_t2t(folder, "STK", "MKT", DATES[DAY0 + 2])
    assert row["abnormal_return"] == pytest.approx(ar, abs=1e-12)
    assert row["ar_sd"] == pytest.approx(sd, rel=1e-10)   # sd of a four-session return, not one
    assert study[0] == 0 and batch[1].loc["e1", "day0_delay"] == 2


def test_a_halt_in_the_estimation_window(base, tmp_path):
    folder, rm = base
    frame = bars(50 * np.cumprod(1 + stock_returns(rm)))
    long_halt = frame.drop(index=range(DAY0 - 200, DAY0 - 70))            # 130 sessions
    write(folder, "STK", long_halt)
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    assert_skipped(api, batch, study, "e1", ["gap in the estimation window", "no trade for 130 sessions",
                                             "max_gap"])
    # a ten-session halt is kept: one observation covering 11 sessions, weighted 1/11
    write(folder, "STK", frame.drop(index=range(DAY0 - 100, DAY0 - 90)))
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and d["est_longest_gap"] == 10 and d["est_multi_day"] == 1
    assert "gap" in d["warnings"].split(",") and "multi_day_returns" in d["warnings"]
    _, _, fit = reference_t2t(folder, "STK", "MKT", EVENT)
    assert d["beta"] == pytest.approx(fit.params["m"], rel=1e-10)
    assert d["alpha"] == pytest.approx(fit.params["n"], abs=1e-12)
    # the weighted fit without statsmodels (study's diagnostics.json) is statsmodels' WLS
    table = api.result.fit_table("e1")
    assert list(table.index) == ["sessions", "market_return"]
    np.testing.assert_allclose(table["params"], fit.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(table["bse"], fit.bse.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(table["t"], fit.tvalues.to_numpy(), rtol=1e-10)
    wls = api.result.ols("e1")
    np.testing.assert_allclose(table["bse"], wls.bse, rtol=1e-12)


def test_stale_bars_are_no_trade_by_default(base, tmp_path):
    """A suspended stock's flat zero-volume bar on day 0: by default no trade (day 0 moves to the
    next session and its return spans two); with --stale keep a 0% return on day 0."""
    folder, rm = base
    frame = bars(50 * np.cumprod(1 + stock_returns(rm)))
    prev = frame.loc[DAY0 - 1, "Close"]
    frame.loc[DAY0, ["Open", "High", "Low", "Close", "Adj Close", "Volume"]] = [prev] * 5 + [0]
    write(folder, "STK", frame)
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and d["day0"] == DATES[DAY0 + 1] and "stale" in d["warnings"]
    row = api.result.abnormal_returns.query("relative_day == 0").iloc[0]
    assert row["sessions"] == 2
    ar, sd, _ = reference_t2t(folder, "STK", "MKT", DATES[DAY0 + 1])
    assert row["abnormal_return"] == pytest.approx(ar, abs=1e-12) and row["ar_sd"] == pytest.approx(sd, rel=1e-10)
    kept, batch_k, study_k = run_three_ways(folder, one(), tmp_path, extra=("--stale", "keep"))
    dk = kept.diagnostics.iloc[0]
    assert dk["day0"] == EVENT and "--stale missing" in dk["warning_details"]
    assert kept.result.abnormal_returns.query("relative_day == 0")["stock_return"].iloc[0] == 0.0


def test_a_nearly_flat_zero_volume_stock_is_thin_trading(base, tmp_path):
    folder, rm = base
    frame = bars(50 * np.cumprod(1 + stock_returns(rm)))
    rng = np.random.default_rng(5)
    flat = np.flatnonzero(rng.random(N_DAYS) < 0.6)
    flat = flat[(flat > 0) & (flat != DAY0)]
    for i in flat:                               # a price that rarely trades: flat, no volume
        frame.loc[i, ["Open", "High", "Low", "Close", "Adj Close", "Volume"]] = [frame.loc[i - 1, "Close"]] * 5 + [0]
    write(folder, "STK", frame)
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    assert_skipped(api, batch, study, "e1", ["thin trading: no trade on", "max_missing_share"])


def test_duplicates_and_twins_enter_the_tests_once(base, tmp_path):
    folder, rm = base
    (folder / "TWIN.csv").write_bytes((folder / "STK.csv").read_bytes())      # a copied file
    write(folder, "OTHER", bars(30 * np.cumprod(1 + stock_returns(rm, seed=9))))
    events = pd.concat([one(eid="a"), one(eid="b"), one("TWIN", eid="c"), one("OTHER", eid="d")],
                       ignore_index=True)
    api, batch, study = run_three_ways(folder, events, tmp_path)
    diag = api.diagnostics.set_index("event_id")
    assert diag.loc["b", "reason"] == "duplicate of a (same ticker and day 0)"
    assert diag.loc["c", "reason"] == "duplicate of a (identical returns in both windows)"
    assert list(api.result.event_ids) == ["a", "d"]
    assert (batch[1].loc[["b", "c"], "status"] == "skipped").all()
    tests = api.result.tests((0, 0))
    assert tests.loc["csect_t", "n_events"] == 2


def test_many_copies_of_one_event_are_one_event(base, tmp_path):
    folder, _ = base
    events = pd.concat([one(eid=f"e{i}") for i in range(200)], ignore_index=True)
    result = analysis.run_study(events, prices_dir=folder, progress=False).result
    assert result.n_ok == 1
    tests = result.tests((0, 0))
    assert np.isnan(tests.loc["csect_t", "statistic"]) and tests.loc["csect_t", "note"] == "needs two or more events"


def test_identical_cars_give_no_statistic_not_1e16():
    from analysis.core import statistics as st
    car = np.full(50, 0.0123456789)
    car[::2] += 1e-18                              # rounding noise around identical values
    res = st.csect_t(car)
    assert np.isnan(res.statistic)
    assert st.test_note("csect_t", res.statistic, 50).startswith("the events' CARs do not vary")


def test_a_tiny_price_is_a_named_data_error(tmp_path):
    """5e-324 makes an infinite return: never AR = inf or a test on it."""
    rm = walk(1)
    panel = pd.DataFrame({"MKT": 100 * np.cumprod(1 + rm), "STK": 50 * np.cumprod(1 + stock_returns(rm))},
                         index=DATES)
    panel.iloc[DAY0 - 50, 1] = 5e-324
    result = analysis.run_event_study(one(), prices=panel, estimation_window=(-250, -11))
    d = result.diagnostics.iloc[0]
    assert d["status"] == "skipped" and "non-finite return of STK" in d["reason"]
    assert str(DATES[DAY0 - 50].date()) in d["reason"] or str(DATES[DAY0 - 49].date()) in d["reason"]


def test_a_limit_up_close_on_day_0_is_flagged(tmp_path):
    """A Shanghai main-board stock closing exactly 10% up on day 0 (limit-up: a censored return)."""
    folder = tmp_path / "prices"
    folder.mkdir()
    cal = get_calendar("XSHG", "2019-01-01", "2021-12-31")
    days = pd.DatetimeIndex(cal.sessions_in_range("2019-06-03", "2021-12-31")).tz_localize(None)[:N_DAYS]
    rm = walk(3)
    write(folder, "000001.SS", bars(3000 * np.cumprod(1 + rm), dates=days))
    r = stock_returns(rm)
    close = np.round(10 * np.cumprod(1 + r), 2)
    close[DAY0] = np.floor(close[DAY0 - 1] * 1.10 * 100 + 0.5) / 100
    close[DAY0 + 1:] = np.round(close[DAY0] * np.cumprod(1 + r[DAY0 + 1:]), 2)
    write(folder, "600001.SS", bars(close, dates=days))
    ev = one("600001.SS", "000001.SS", days[DAY0])
    api, batch, study = run_three_ways(folder, ev, tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and "limit_day" in d["warnings"]
    assert f"{days[DAY0]:%Y-%m-%d} (day 0, limit-up)" in d["warning_details"]
    assert "limit_day" in batch[1].loc["e1", "warnings"] and "limit_day: closed at the daily price limit" in study[1]
    # and the HTML report lists it among its warnings
    path = tmp_path / "events.csv"
    ev.to_csv(path, index=False)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["report", "--events", str(path), "--out", str(tmp_path / "report"), "--prices-dir",
                     str(folder), "--estimation", "-250", "-11"]) == 0
    html = (tmp_path / "report" / "report.html").read_text()
    warnings = html[html.index("<h2>Warnings</h2>"):html.index("<h2>Settings</h2>")]
    assert "e1: limit_day: closed at the daily price limit" in warnings
    # and every figure of the event says so in its footer, so a chart handed in never hides it
    from analysis.figures import plotting

    fig, _ = plotting.draw_study(api.result, "e1")
    footer = fig._supxlabel.get_text().replace("\n", " ")
    assert "Warnings for 600001.SS: limit_day (see diagnostics)." in footer
    fig, _ = plotting.draw_aar(api.result)
    assert "Warnings in 1 of 1 events: limit_day 1" not in fig._supxlabel.get_text()  # one event: named
    assert "Warnings for 600001.SS: limit_day" in fig._supxlabel.get_text().replace("\n", " ")


def test_figure_footers_count_warnings_across_events():
    """Several events: the footer counts events with warnings and each code (closed-form counts)."""
    from analysis.figures.plotting import warning_line, with_warnings

    diag = pd.DataFrame({"event_id": list("abcde"), "ticker": ["A", "B", "C", "D", "E"],
                         "status": ["ok", "ok", "ok", "ok", "skipped"],
                         "warnings": ["stale_prices,limit_day", "", "stale_prices", "", "jump_unexplained"]})
    assert warning_line(diag) == "Warnings in 2 of 4 events: stale_prices 2, limit_day 1 (see diagnostics)."
    assert warning_line(diag, ["b", "d"]) == ""
    assert warning_line(diag, ["c"]) == "Warnings for C: stale_prices (see diagnostics)."
    assert with_warnings("Source: x.", diag, ["b"]) == "Source: x."
    assert with_warnings("Source: x.", diag.drop(columns="warnings")) == "Source: x."


def test_a_foreign_index_and_its_holidays(prices_dir, tmp_path):
    """1810.HK against ^GSPC (real files): 2021-01-18 is a US holiday on which Hong Kong traded.
    Day 0 is the next joint session (flagged, not dropped) and the foreign benchmark is named."""
    api, batch, study = run_three_ways(prices_dir, one("1810.HK", "^GSPC", "2021-01-18"), tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and str(d["day0"].date()) == "2021-01-19" and bool(d["day0_shifted"])
    assert "foreign_market" in d["warnings"] and "day0_moved" in d["warnings"]
    assert "use ^HSI" in d["warning_details"]
    assert "foreign_market" in batch[1].loc["e1", "warnings"] and study[0] == 0


def test_us_factors_for_a_hong_kong_stock(prices_dir, shared_dir, tmp_path):
    from analysis.data.factors import read_french_factors
    factors = read_french_factors(shared_dir / "data" / "factors" / "F-F_Research_Data_Factors_daily.CSV")
    s = analysis.run_study(one("1810.HK", "^HSI", "2021-03-26"), prices_dir=prices_dir, model="ff3",
                           factors=factors, progress=False)
    d = s.diagnostics.iloc[0]
    assert "factor_region" in d["warnings"] and "US factors for a stock of Asia Pacific ex Japan" in d["warning_details"]


def test_a_time_on_the_command_line_is_timed(prices_dir, tmp_path):
    """After the New York close: day 0 is the next session through all three routes."""
    ev = pd.DataFrame({"event_id": ["tsla"], "ticker": ["TSLA"], "market": ["^GSPC"],
                       "announced_at": ["2020-09-22T23:00-04:00"]})
    api, batch, study = run_three_ways(prices_dir, ev, tmp_path)
    assert str(api.diagnostics.iloc[0]["day0"].date()) == "2020-09-23"
    assert batch[1].loc["tsla", "day0"] == "2020-09-23"
    assert study[0] == 0 and "day 0: 2020-09-23" in study[1]


def test_cda_counts_the_sessions_of_multi_session_returns():
    """Brown & Warner's crude dependence adjustment with trade-to-trade returns: the window's
    variance is S^2 sum_t mean_i n_it (a return over n sessions has n times the variance)."""
    from analysis.core import statistics as st
    rng = np.random.default_rng(0)
    est = rng.normal(0, 0.01, (6, 120))
    win = rng.normal(0, 0.01, (6, 3))
    sessions = np.array([[1, 1, 1], [2, 1, 1], [1, 3, 1], [1, 1, 1], [1, 1, 2], [1, 1, 1]], float)
    aar_est = est.mean(axis=0)
    s = aar_est.std(ddof=1)
    expected = win.mean(axis=0).sum() / (np.sqrt(sessions.mean(axis=0).sum()) * s)
    got = st.cda_t(est, win, sessions=sessions)
    assert got.statistic == pytest.approx(expected, rel=1e-12)
    assert st.cda_t(est, win).statistic == pytest.approx(win.mean(axis=0).sum() / (np.sqrt(3) * s), rel=1e-12)


@pytest.mark.slow
def test_size_on_thinly_traded_real_samples(prices_dir):
    """Brown & Warner style on real Hong Kong prices with 15% of each stock's days made days
    without a trade: with trade-to-trade returns the main tests keep their 5% size (300 samples of
    40 events; 95% band 2.5%-7.5%). The full table (1,000 samples) is in docs/validation.md."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("brown_warner", Path(__file__).parents[1] / "benchmarks"
                                                  / "brown_warner.py")
    bw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bw)
    rng = np.random.default_rng(20261130)
    panel = bw.thin(bw.load_prices(prices_dir, {"2800.HK"}), 0.15, rng)
    events = bw.draw_events(panel, 300, 40, rng)
    result = analysis.run_event_study(events, prices=panel, estimation_window=bw.EST, event_window=bw.EVT,
                                      duplicates="keep")
    assert (result.arrays.evt_sessions > 1).any()         # multi-session returns are in the sample
    table, _ = bw.rejection_table(result)
    size = table[0.0]
    for name in ("csect_t", "cda_t", "patell_z", "bmp_t", "corrado_rank_z", "grank_t", "wilcoxon"):
        assert 0.025 <= size[name] <= 0.075, (name, size[name])


def test_a_market_wide_crash_and_rebound_is_not_a_bad_price(prices_dir):
    """Li Auto (2015.HK) fell 34% over 14-15 March 2022 with the Hang Seng down 10% and rebounded
    with it the next days: real moves, not a bad tick (the jump rule is net of the market)."""
    s = analysis.run_study(one("2015.HK", "^HSI", "2022-03-16"), prices_dir=prices_dir, progress=False)
    d = s.diagnostics.iloc[0]
    assert d["status"] == "ok", d["reason"]


def test_twin_listings_on_one_day_are_flagged(prices_dir, tmp_path):
    """GOOG and GOOGL on the same day (real files): one piece of news twice, cross-correlated
    ARs. Both events carry ``same_company`` (the company universe knows both are Alphabet) and
    ``clustered``, pointing to kp_bmp_t, in the API, `batch` and its printed summary."""
    events = pd.DataFrame({"event_id": ["g1", "g2"], "ticker": ["GOOG", "GOOGL"], "market": ["^GSPC", "^GSPC"],
                           "event_date": ["2025-10-30", "2025-10-30"]})
    api = analysis.run_study(events, prices_dir=prices_dir, progress=False)
    d = api.diagnostics.set_index("event_id")
    for e, other in (("g1", "g2"), ("g2", "g1")):
        assert d.loc[e, "warnings"].split(",") == ["same_company", "clustered"]
        assert f"({other})" in d.loc[e, "warning_details"] and "kp_bmp_t" in d.loc[e, "warning_details"]
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    o = io.StringIO()
    with redirect_stdout(o), redirect_stderr(io.StringIO()):
        rc = main(["batch", str(path), "--out", str(tmp_path / "b"), "--prices-dir", str(prices_dir), "--no-figure"])
    assert rc == 0 and "g1: same_company" in o.getvalue() and "g2: clustered" in o.getvalue()
    diag = pd.read_csv(tmp_path / "b" / "diagnostics.csv", keep_default_na=False).set_index("event_id")
    assert diag.loc["g2", "warnings"] == "same_company,clustered"
    # one listing alone: nothing to warn about
    alone = analysis.run_study(events.iloc[:1], prices_dir=prices_dir, progress=False).diagnostics
    assert alone["warnings"].iloc[0] == ""


def test_sample_notes_count_studied_events_only(base, tmp_path):
    """A skipped event is not in the sample the tests pool: a duplicate neither confounds its
    original nor, like an event without prices on the same day, makes the sample look
    calendar-clustered (3 of 4 events on one day 0 counting the skipped ones, 0 of 2 studied)."""
    folder, rm = base
    write(folder, "OTHER", bars(30 * np.cumprod(1 + stock_returns(rm, seed=9))))
    events = pd.concat([one(eid="a"), one(eid="b"), one("OTHER", date=DATES[DAY0 - 60], eid="d"),
                        one("NOPRICES", eid="n")], ignore_index=True)       # skipped: no price file
    s = analysis.run_study(events, prices_dir=folder, progress=False)
    assert s.diagnostics.set_index("event_id").loc["b", "reason"].startswith("duplicate of a")
    assert s.diagnostics.set_index("event_id").loc["n", "status"] == "skipped"
    assert not [w for w in s.warnings if "confounded" in w or "Clustered (" in w], s.warnings
    assert (s.diagnostics["warnings"].fillna("") == "").all()


def test_group_footer_counts_the_groups_events(prices_dir):
    """The AAR figure of a group counts the warnings of that group's events, not the sample's."""
    from analysis.figures import plotting

    events = pd.DataFrame({"event_id": ["us", "hk"], "ticker": ["1810.HK", "0700.HK"],
                           "market": ["^GSPC", "^HSI"], "event_date": ["2021-03-26", "2021-06-15"],
                           "group": ["foreign", "home"]})
    result = analysis.run_study(events, prices_dir=prices_dir, progress=False).result
    diag = result.diagnostics.set_index("event_id")
    assert "foreign_market" in diag.loc["us", "warnings"] and "foreign_market" not in diag.loc["hk", "warnings"]
    fig, _ = plotting.draw_aar(result, group="home")
    footer = fig._supxlabel.get_text().replace("\n", " ")
    assert "foreign_market" not in footer and "of 2 events" not in footer
    assert plotting.warning_line(result.diagnostics, ["hk"]) in footer
    fig, _ = plotting.draw_aar(result, group="foreign")
    assert "Warnings for 1810.HK: foreign_market" in fig._supxlabel.get_text().replace("\n", " ")
    fig, _ = plotting.draw_aar(result)              # the whole sample: both events counted
    assert "Warnings in 1 of 2 events: foreign_market 1" in fig._supxlabel.get_text().replace("\n", " ")


def test_a_bonus_issue_is_found_on_a_quiet_stock(base, tmp_path):
    """An 11:10 split (a 1-for-10 bonus issue) moves the price 9%: found on a stock whose net
    moves are small (sd 0.4%), kept with --jumps keep as a warning."""
    folder, rm = base
    r = ALPHA + BETA * rm + np.random.default_rng(4).normal(0, 0.004, N_DAYS)
    close = 50 * np.cumprod(1 + r)
    close[DAY0 - 30:] /= 1.1
    write(folder, "STK", bars(close))
    api, batch, study = run_three_ways(folder, one(), tmp_path, extra=("--jumps", "keep"))
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and "jump" in d["warnings"].split(",")
    assert f"(an unadjusted 11:10 split or 1-for-10 bonus issue?) on {DATES[DAY0 - 30].date()}" in d["warning_details"]
    assert "jump" in batch[1].loc["e1", "warnings"] and study[0] == 0


def test_a_big_reaction_with_a_trading_surge_is_not_a_split(base, tmp_path):
    """Day 0 falls by a quarter (near 4:3) with five times the usual volume: news, not a split.
    The event is studied and its AR is the trade-to-trade reference's."""
    folder, rm = base
    r = stock_returns(rm, day0_ar=-0.25)
    vol = np.full(N_DAYS, 1e6)
    vol[DAY0] = 5e6
    write(folder, "STK", bars(50 * np.cumprod(1 + r), volume=vol))
    api, batch, study = run_three_ways(folder, one(), tmp_path)
    d = api.diagnostics.iloc[0]
    assert d["status"] == "ok" and d["warnings"] == "", d["reason"]
    ar, sd, _ = reference_t2t(folder, "STK", "MKT", EVENT)
    row = api.result.abnormal_returns.query("relative_day == 0").iloc[0]
    assert row["abnormal_return"] == pytest.approx(ar, abs=1e-12) and ar < -0.2
    assert batch[1].loc["e1", "status"] == "ok" and study[0] == 0
