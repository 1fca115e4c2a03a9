"""Outside check: the worked example of the R package estudy2 (Rudnytskyi), published numbers.

The vignette "Introduction to estudy2" (estudy2 0.10.0, CRAN, 2021-11-15, file
``inst/doc/estudy2-intro.html``) studies AMZN, ZM, UBER, NFLX, SHOP, FB and UPWK against ^GSPC
around the COVID-19 crash: continuously compounded returns of Close prices (multi-day returns
kept), the market model by OLS over 2019-04-01..2020-03-13 and per-day tests for 2020-03-16..20.
Its close prices ship with the package and are in ``../shared/data/validation/estudy2-vignette``.
The engine is run on them (log returns from prices, estimation window = the 240 trading days up
to 2020-03-13, event window (0, 4)) and its numbers are compared with the printed output:

* identical definitions, identical numbers: the mean AR, Brown & Warner (1985) (``cda_t``),
  the cross-sectional t test (``csect_t``), the sign test (``sign_z``) and the Wilcoxon
  signed-rank test (estudy2 prints W+, scipy the smaller of W+ and W-);
* different conventions, reproduced exactly from the engine's own abnormal returns and
  variances, and within 1% of the engine's statistics:

  - Patell and Boehmer et al.: estudy2 scales by ``sd()`` of the residuals (divisor M - 1, where
    Patell 1976 and CLM use s with M - k) and, for ZM and UBER (listed in April/May 2019), takes
    the market's mean and sum of squares over the whole estimation period rather than over the
    firm's own regression sample;
  - Brown & Warner (1980): the mean of the firms' estimation-period variances (not among the
    package's tests);
  - generalised sign: estudy2 pools the estimation-window signs of all firms (one fraction over
    all firm-days); Cowan (1992) and the package average each firm's fraction.

The rank tests use other windows and variance estimates and are not compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import run_event_study

TICKERS = ["AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK"]
DAYS = ["2020-03-16", "2020-03-17", "2020-03-18", "2020-03-19", "2020-03-20"]

# printed in the vignette (strings: the number of decimals sets the tolerance)
PUBLISHED = {
    "mean": ["0.02329740", "-0.03157867", "-0.01617850", "0.07672027", "0.05840545"],
    "bw_1980": ["2.486449", "-3.370281", "-1.726675", "8.188085", "6.233409"],
    "bw_1985": ["1.858514", "-2.519140", "-1.290615", "6.120241", "4.659205"],
    "t_test": ["1.3941497", "-1.2769075", "-0.4023135", "1.7958275", "5.1233281"],
    "patell": ["2.5507399", "-2.9495613", "0.3283654", "8.4216222", "6.3196352"],
    "boehmer": ["1.20471169", "-1.17531339", "0.07606284", "2.16657728", "8.65212561"],
    "sign": ["1.1338934", "0.3779645", "1.1338934", "1.8898224", "2.6457513"],
    "gsign": ["1.1516761", "0.3957301", "1.1516761", "1.9076220", "2.6635680"],
    "wilcoxon_plus": ["23", "10", "15", "27", "28"],
}


def close(value: float, published: str) -> bool:
    decimals = len(published.split(".")[1]) if "." in published else 0
    return abs(value - float(published)) <= 0.5 * 10.0 ** -decimals + 1e-12


@pytest.fixture(scope="module")
def study(shared_dir):
    path = shared_dir / "data" / "validation" / "estudy2-vignette" / "close_prices.csv"
    prices = pd.read_csv(path, index_col="Date", parse_dates=True)
    dates = prices.index
    m_est = int(((dates > "2019-04-01") & (dates <= "2020-03-13")).sum())   # first price: no return
    assert m_est == 240
    events = pd.DataFrame({"event_id": TICKERS, "ticker": TICKERS, "market": "X.GSPC",
                           "event_date": pd.Timestamp(DAYS[0])})
    result = run_event_study(events, prices=prices, returns_kind="log", estimation_window=(-m_est, -1),
                             event_window=(0, 4), min_estimation_obs=100)
    rm = np.log(prices["X.GSPC"]).diff()
    market_est = rm[(dates > "2019-04-01") & (dates <= "2020-03-13")].to_numpy()
    return result, rm[DAYS].to_numpy(), market_est


def test_same_definitions_same_numbers(study):
    result, _, _ = study
    assert result.n_ok == 7
    d = result.diagnostics.set_index("event_id")
    assert d.loc["ZM", "m"] == 227 and d.loc["UBER", "m"] == 212 and d.loc["AMZN", "m"] == 240
    for t in range(5):
        tests = result.tests((t, t))["statistic"]
        assert close(result.arrays.evt_ar[:, t].mean(), PUBLISHED["mean"][t])
        assert close(tests["cda_t"], PUBLISHED["bw_1985"][t])
        assert close(tests["csect_t"], PUBLISHED["t_test"][t])
        assert close(tests["sign_z"], PUBLISHED["sign"][t])
        w_plus = int(PUBLISHED["wilcoxon_plus"][t])
        assert tests["wilcoxon"] == min(w_plus, 7 * 8 // 2 - w_plus)


def test_other_conventions_reproduced_from_the_engine_arrays(study):
    result, rm_event, rm_est = study
    a = result.arrays
    m = a.m.astype(float)
    resid = [row[np.isfinite(row)] for row in a.est_ar]
    sd = np.array([r.std(ddof=1) for r in resid])                       # estudy2: sd(), M - 1
    positive = sum(int((r > 0).sum()) for r in resid) / sum(len(r) for r in resid)
    for t in range(5):
        ar = a.evt_ar[:, t]
        # estudy2's prediction-error factor: market moments over the whole estimation period
        h = 1 + 1 / m + (rm_event[t] - rm_est.mean()) ** 2 / ((rm_est - rm_est.mean()) ** 2).sum()
        sar = ar / sd / np.sqrt(h)
        patell = sar.sum() / np.sqrt(((m - 2) / (m - 4)).sum())
        boehmer = sar.mean() / sar.std(ddof=1) * np.sqrt(len(sar))
        bw_1980 = ar.mean() / (np.sqrt(sum(r.var(ddof=1) for r in resid)) / len(ar))
        w = (ar > 0).sum()
        gsign = (w - 7 * positive) / np.sqrt(7 * positive * (1 - positive))
        assert close(patell, PUBLISHED["patell"][t])
        assert close(boehmer, PUBLISHED["boehmer"][t])
        assert close(bw_1980, PUBLISHED["bw_1980"][t])
        assert close(gsign, PUBLISHED["gsign"][t])
        # the package's own conventions stay within 1% of estudy2's
        tests = result.tests((t, t))["statistic"]
        assert tests["patell_z"] == pytest.approx(float(PUBLISHED["patell"][t]), rel=0.01)
        assert tests["bmp_t"] == pytest.approx(float(PUBLISHED["boehmer"][t]), rel=0.01)
        assert tests["generalized_sign_z"] == pytest.approx(float(PUBLISHED["gsign"][t]), rel=0.01)
