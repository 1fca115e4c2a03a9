"""Simple and log returns, pairwise alignment over joint dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError, InputError
from analysis.core.returns import pair_returns, price_returns


def _prices():
    idx = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
    return pd.DataFrame({"S": [10.0, 11.0, np.nan, 12.1, 12.0], "M": [100.0, 101.0, 99.0, np.nan, 100.0]},
                        index=idx)


def test_price_returns_skip_missing_prices():
    r = price_returns(_prices())
    assert np.isnan(r.loc["2024-01-01", "S"]) and np.isnan(r.loc["2024-01-03", "S"])
    assert r.loc["2024-01-02", "S"] == pytest.approx(0.1)
    assert r.loc["2024-01-04", "S"] == pytest.approx(12.1 / 11.0 - 1)      # over the gap
    lr = price_returns(_prices()["M"], kind="log")
    assert lr.loc["2024-01-05"] == pytest.approx(np.log(100 / 99))


def test_pair_returns_cover_the_same_interval():
    p = _prices()
    r = pair_returns(p["S"], p["M"])
    # joint dates: 01, 02, 05 -> returns on 02 and 05, both from the previous joint date
    assert list(r.index.strftime("%m-%d")) == ["01-02", "01-05"]
    assert r.loc["2024-01-05", "stock"] == pytest.approx(12.0 / 11.0 - 1)
    assert r.loc["2024-01-05", "market"] == pytest.approx(100.0 / 101.0 - 1)
    lr = pair_returns(p["S"], p["M"], kind="log")
    np.testing.assert_allclose(lr.to_numpy(), np.log1p(r.to_numpy()))


def test_bad_inputs():
    p = _prices()
    with pytest.raises(InputError, match="unknown returns kind"):
        price_returns(p, kind="pct")
    bad = p.copy()
    bad.loc["2024-01-02", "S"] = 0.0
    with pytest.raises(DataError, match="non-positive price 0.0 for S on 2024-01-02"):
        pair_returns(bad["S"], bad["M"])
    with pytest.raises(DataError, match="fewer than two dates"):
        pair_returns(p["S"].iloc[:1], p["M"].iloc[3:])
