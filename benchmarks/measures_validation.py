"""Size and power of the volume, volatility, BHAR and calendar-time tests on real Hong Kong prices.

    ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python benchmarks/measures_validation.py

Brown & Warner (1985) style, as ``benchmarks/brown_warner.py`` (whose event draw it uses):
``--samples`` samples of ``--n`` random (stock, trading date) events from the ``.HK`` files of the
prices folder (2800.HK, an index tracker, left out), market model against ^HSI, estimation window
(-260, -11). For each measure the share of samples rejecting at 5% (two-sided), with no effect and
with an effect added:

* abnormal volume (day 0): every test of ``analysis.core.statistics`` on the abnormal log volume;
  effect: day-0 volume 1.25, 1.5 and 2 times its actual value (AV_0 + log 1.25, ...; exact up to
  the +1 of log(1 + V), V being millions of shares);
* abnormal volatility (day 0): ``sar2_t``, ``sar2_skew_t``, ``f_sum_z``, ``rank_abs_z``; effect:
  the day-0 abnormal return scaled by sqrt(1.5), sqrt(2) and 2 (its variance 1.5, 2 and 4 times);
* abnormal volatility against the GARCH(1,1) benchmark (day 0, the first ``--garch-samples``
  samples, one GARCH fit per event): ``garch_sar2_t``, ``garch_sar2_skew_t``
  beside the constant-variance ``sar2_t``, ``sar2_skew_t``, ``rank_abs_z``
  on the same samples; the same effects;
* BHAR (1, 250): ``t``, ``skew_adj_t``, ``boot_skew_adj_t`` (1,000 resamples), ``sign_z``,
  ``wilcoxon``; events drawn with 251 trading days after day 0; effect: the stock's one-year
  buy-and-hold gross return times 1.05, 1.10, 1.20 (5, 10, 20 points of extra return compounded
  over the year, BHAR_i + delta (1 + R_i));
* calendar-time (daily, (1, 250), equal weights, no risk-free rate): the alpha t with OLS and
  Newey-West standard errors; effect: 5, 10, 20% a year added to every held stock's daily return
  (delta / 250 a day: the alpha moves by exactly that, the residuals not).

BHAR and calendar time are run twice: against ^HSI, and against the equal-weighted portfolio of
the sampled universe (the 84 stocks, daily rebalanced; a reference portfolio given as returns,
as Lyon, Barber & Tsai 1999 recommend). The snapshot holds today's Hang Seng constituents, whose
equal-weighted portfolio beat ^HSI by about 12% a year over 2020-2025 (survivorship and equal
weights): against ^HSI random events carry that true abnormal return, against the universe they
carry none on average.

Every effect is added to the estimated quantities (day 0 is outside the estimation window, so the
fits do not change), as in ``benchmarks/brown_warner.py``. The table goes between the markers of
``--out`` (docs/validation.md by default).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analysis import config  # noqa: E402
from analysis.errors import AnalysisError, ConfigError  # noqa: E402
from brown_warner import EST, MARKET, draw_events, load_prices  # noqa: E402

EVT = (-10, 10)
BHAR_WINDOW = (1, 250)
BEGIN = "<!-- measures table: begin (written by benchmarks/measures_validation.py) -->"
END = "<!-- measures table: end -->"
VOLUME_EFFECTS = (1.0, 1.25, 1.5, 2.0)
VOLATILITY_EFFECTS = (1.0, 1.5, 2.0, 4.0)
DRIFT_EFFECTS = (0.0, 0.05, 0.10, 0.20)


def _codes(events, result_ids) -> np.ndarray:
    group = events.set_index("event_id")["group"]
    return group.loc[list(result_ids)].astype(int).to_numpy()


def _day0_rates(res, events, effects, shift, grouped) -> pd.DataFrame:
    """Rejection rates per effect: ``shift(day-0 abnormal returns, effect)`` applied to the
    arrays, ``grouped(arrays, codes)`` the tests of every sample at once."""
    a = res.arrays
    codes = _codes(events, a.event_ids)
    col = a.columns(0, 0).start
    table = {}
    for k in effects:
        evt = a.evt_ar.copy()
        evt[:, col] = shift(evt[:, col], k)
        out = grouped(replace(a, evt_ar=evt), codes)
        table[k] = {name: float(np.mean(r.p_value < 0.05)) for name, r in out.items()}
    return pd.DataFrame(table)


def volume_rates(events, prices, volume) -> pd.DataFrame:
    from analysis import run_event_study
    from analysis.core.statistics import grouped_tests

    res = run_event_study(events, prices=prices, volume=volume, measure="volume", estimation_window=EST,
                          event_window=EVT, duplicates="keep")
    return _day0_rates(res, events, VOLUME_EFFECTS, lambda ar, k: ar + np.log(k),
                       lambda arrays, codes: grouped_tests(arrays, (0, 0), codes)), res


def volatility_rates(events, prices) -> pd.DataFrame:
    from analysis import run_event_study
    from analysis.core.volatility import VolatilityResult, grouped_volatility_tests

    res = run_event_study(events, prices=prices, measure="volatility", estimation_window=EST, event_window=EVT,
                          duplicates="keep")

    def grouped(arrays, codes):
        scaled = VolatilityResult(res.engine)
        scaled.arrays = arrays
        return grouped_volatility_tests(scaled, (0, 0), codes)

    return _day0_rates(res, events, VOLATILITY_EFFECTS, lambda ar, k: ar * np.sqrt(k), grouped), res


def garch_volatility_rates(events, prices, samples: int) -> tuple[pd.DataFrame, object]:
    """The volatility tests against the GARCH(1,1) benchmark (and the constant ones beside them)
    on the first ``samples`` samples; the GARCH fits are made once, the effects scale the ARs."""
    from analysis import run_event_study
    from analysis.core.volatility import GARCH_TESTS, VolatilityResult, grouped_volatility_tests

    sub = events[events["group"].astype(int) < samples]
    res = run_event_study(sub, prices=prices, measure="volatility", volatility_benchmark="garch",
                          estimation_window=EST, event_window=EVT, duplicates="keep")
    names = ("sar2_t", "sar2_skew_t", "rank_abs_z") + GARCH_TESTS

    def grouped(arrays, codes):
        scaled = VolatilityResult(res.engine, "garch", garch=res.garch)
        scaled.arrays = arrays
        out = grouped_volatility_tests(scaled, (0, 0), codes)
        return {k: out[k] for k in names}

    return _day0_rates(res, sub, VOLATILITY_EFFECTS, lambda ar, k: ar * np.sqrt(k), grouped), res


def bhar_rates(events, prices, seed, benchmark="market") -> tuple[pd.DataFrame, object]:
    from analysis import run_event_study
    from analysis.core.bhar import BHAR_TESTS, grouped_bhar_tests

    res = run_event_study(events, prices=prices, estimation_window=EST, event_window=EVT, duplicates="keep")
    b = res.bhar(BHAR_WINDOW, seed=seed, benchmark=benchmark)
    ok = b.bhar
    codes = ok["group"].astype(int).to_numpy()
    table = {}
    for d in DRIFT_EFFECTS:
        x = (ok["bhar"] + d * (1.0 + ok["bh_return"])).to_numpy()
        out = grouped_bhar_tests(x, codes, seed=seed)
        table[d] = {name: float(np.mean(out[name].p_value < 0.05)) for name in BHAR_TESTS}
    return pd.DataFrame(table), b


def calendar_time_rates(events, prices, res_day0, market=MARKET) -> pd.DataFrame:
    from scipy import stats

    from analysis.core.calendar_time import calendar_time_portfolio, newey_west_lags

    day0 = res_day0.set_index("event_id")["day0"]
    ev = events.assign(day0=events["event_id"].map(day0))
    rows = {"ct_alpha_t (OLS)": [], "ct_alpha_t (Newey-West)": []}
    for g, sample in ev.groupby("group", sort=False):
        fit = calendar_time_portfolio(sample, prices, window=BHAR_WINDOW, market=market).fits["equal"]
        hac = fit.get_robustcov_results(cov_type="HAC", maxlags=newey_west_lags(int(fit.nobs)))
        a = float(fit.params["const"])
        for name, se, dist in (("ct_alpha_t (OLS)", float(fit.bse["const"]), stats.t(fit.df_resid)),
                               ("ct_alpha_t (Newey-West)", float(hac.bse[0]), stats.norm())):
            rows[name].append([2 * dist.sf(abs((a + d / 250) / se)) for d in DRIFT_EFFECTS])
    return pd.DataFrame({d: {name: float(np.mean(np.array(v)[:, j] < 0.05)) for name, v in rows.items()}
                         for j, d in enumerate(DRIFT_EFFECTS)})


def universe(prices: pd.DataFrame) -> pd.Series:
    """Daily returns of the equal-weighted portfolio of every stock of the panel (rebalanced daily)."""
    stocks = [c for c in prices.columns if c != MARKET]
    return prices[stocks].pct_change(fill_method=None).mean(axis=1).rename("EW universe")


def markdown(parts, *, samples, n, seed, seconds, n_stocks, skipped, garch_samples) -> str:
    se = np.sqrt(0.05 * 0.95 / samples)
    lines = [BEGIN, "",
             f"{samples} samples of {n} random stock-date events from {n_stocks} Hong Kong stocks (the `.HK` "
             f"files of the snapshot, 2800.HK left out), market model against ^HSI, estimation window "
             f"[{EST[0]}, {EST[1]}], rejection rate at 5% (two-sided). Monte Carlo standard error of a 5% rate: "
             f"{100 * se:.2f} points (95% band {100 * (0.05 - 1.96 * se):.1f}%-{100 * (0.05 + 1.96 * se):.1f}%). "
             f"Seed {seed}; {seconds:.0f} s.", ""]
    for title, head, frame, note in parts:
        lines += [f"**{title}**", "", head, "|---|" + "---:|" * (len(frame.columns)), ]
        for name, row in frame.iterrows():
            lines.append(f"| `{name}` | " + " | ".join(f"{100 * v:.1f}%" for v in row.to_numpy()) + " |")
        lines += ["", note, ""]
    lines += [f"Events left out: {skipped}.", "",
              f"Command: `ANALYSIS_PRICES_DIR=../shared/data/prices .venv/bin/python "
              f"benchmarks/measures_validation.py --samples {samples} --n {n} --seed {seed} "
              f"--garch-samples {garch_samples}`", "", END]
    return "\n".join(lines)


def write(out: Path, block: str) -> None:
    text = out.read_text() if out.exists() else "# Validation\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    out.write_text(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prices-dir", default=None, help="folder of <SYMBOL>.csv (default $ANALYSIS_PRICES_DIR)")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--n", type=int, default=50, help="events per sample")
    ap.add_argument("--ct-samples", type=int, default=None,
                    help="samples for the calendar-time test (default: --samples; each is one regression)")
    ap.add_argument("--garch-samples", type=int, default=200,
                    help="samples for the GARCH volatility benchmark (default 200; one fit per event)")
    ap.add_argument("--seed", type=int, default=1985)
    ap.add_argument("--out", default=str(ROOT / "docs" / "validation.md"))
    args = ap.parse_args(argv)
    try:
        prices_dir = config.prices_dir(args.prices_dir)
        if prices_dir is None:
            raise ConfigError("no prices folder: pass --prices-dir or set ANALYSIS_PRICES_DIR")
        from analysis.data.prices import CsvFolderSource, load_panel

        t0 = time.perf_counter()
        prices = load_prices(prices_dir, {"2800.HK"})
        volume = load_panel(CsvFolderSource(prices_dir), list(prices.columns), column="Volume")
        rng = np.random.default_rng(args.seed)
        short = draw_events(prices, args.samples, args.n, rng, est=EST, evt=EVT)
        long_ = draw_events(prices, args.samples, args.n, rng, est=EST, evt=(EVT[0], BHAR_WINDOW[1] + 1))
        print(f"{len(short)} + {len(long_)} events in {args.samples} samples; volume...", flush=True)
        vol, vres = volume_rates(short, prices, volume)
        print("volatility...", flush=True)
        vola, _ = volatility_rates(short, prices)
        garch_n = min(args.garch_samples, args.samples)
        print(f"volatility against GARCH(1,1), {garch_n} samples...", flush=True)
        gvola, gres = garch_volatility_rates(short, prices, garch_n)
        print("BHAR...", flush=True)
        ew = universe(prices)
        bh, b = bhar_rates(long_, prices, args.seed)
        bh_ew, _ = bhar_rates(long_, prices, args.seed, benchmark=ew)
        print("calendar time...", flush=True)
        ct_n = args.ct_samples or args.samples
        ct_events = long_[long_["group"].astype(int) < ct_n]
        ct = calendar_time_rates(ct_events, prices, b.table)
        with_ew = prices.assign(**{"EW universe": (1.0 + ew.fillna(0.0)).cumprod()})
        ct_ew = calendar_time_rates(ct_events, with_ew, b.table, market="EW universe")
        seconds = time.perf_counter() - t0
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    garch_failed = sum(f is not None for f in gres.garch.failure)
    skipped = (f"volume {vres.n_skipped} of {len(short)} (engine), BHAR "
               f"{int((b.table['status'] != 'ok').sum())} of {len(long_)}, GARCH fits that failed "
               f"{garch_failed} of {gres.n_ok} (left out of the GARCH tests)")
    parts = [
        ("Abnormal volume, day 0", "| test | size | volume x1.25 | x1.5 | x2 |", vol,
         "Effect: day-0 volume multiplied by 1.25, 1.5, 2 (abnormal log volume + log of that)."),
        ("Abnormal volatility, day 0", "| test | size | variance x1.5 | x2 | x4 |", vola,
         "Effect: the day-0 abnormal return scaled by sqrt(1.5), sqrt(2), 2."),
        (f"Abnormal volatility against the GARCH(1,1) benchmark, day 0 ({garch_n} samples)",
         "| test | size | variance x1.5 | x2 | x4 |", gvola,
         "The `garch_` tests measure AR^2 against its GARCH(1,1) conditional variance forecast; the "
         "others, on the same samples, against the constant estimation-window variance. Effect: as above."),
        ("BHAR (1, 250) against ^HSI", "| test | no effect added | +5% | +10% | +20% |", bh,
         "Effect: the one-year buy-and-hold gross return of each stock times 1.05, 1.10, 1.20."),
        ("BHAR (1, 250) against the equal-weighted universe (reference portfolio)",
         "| test | size | +5% | +10% | +20% |", bh_ew, "Effect: as above."),
        (f"Calendar-time alpha against ^HSI, daily, (1, 250), equal weights ({ct_n} samples)",
         "| test | no effect added | +5%/yr | +10%/yr | +20%/yr |", ct,
         "Effect: 5, 10, 20% a year (1/250 of it a day) added to every held stock's return."),
        (f"Calendar-time alpha against the equal-weighted universe ({ct_n} samples)",
         "| test | size | +5%/yr | +10%/yr | +20%/yr |", ct_ew, "Effect: as above."),
    ]
    block = markdown(parts, samples=args.samples, n=args.n, seed=args.seed, seconds=seconds,
                     n_stocks=prices.shape[1] - 1, skipped=skipped, garch_samples=garch_n)
    print(block)
    write(Path(args.out), block)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
