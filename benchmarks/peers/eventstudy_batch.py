"""The peer package: ``eventstudy`` 0.1a12 from PyPI on the events and price files of a batch.

    python eventstudy_batch.py EVENTS.csv PRICES_DIR OUT_DIR [--figure]

Run by ``benchmarks/bench_peers.py`` with the interpreter of the virtual environment where the
package is installed. Used as its documentation and source show: the returns of all symbols
in one CSV (a ``date`` column, one column per symbol) read by ``Single.import_returns``, the
events in a CSV (``security_ticker, market_ticker, event_date``) read by ``Multiple.from_csv``
with ``Single.market_model``. The returns file is made here from the same price CSVs the
analysis package reads (simple returns of ``Adj Close``, as the analysis default), so the
loading is part of the timing. Windows: the analysis defaults, event window (-10, 10) and 250
estimation days ending at day -11 (``estimation_size=250, buffer_size=0``).

Writes the abnormal return of every event and day (long table), each event's CAR, the
package's AAR/CAAR table and, with ``--figure``, its AAR/CAAR plot as a PNG.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import eventstudy as es

events_path, prices_dir, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
figure = "--figure" in sys.argv[4:]
out.mkdir(parents=True, exist_ok=True)

events = pd.read_csv(events_path)
symbols = sorted(set(events["ticker"]) | set(events["market"]))
closes = {s: pd.read_csv(prices_dir / f"{s}.csv", index_col="Date", parse_dates=True)["Adj Close"]
          for s in symbols}
returns = pd.DataFrame(closes).sort_index().pct_change(fill_method=None).iloc[1:]
returns.index.name = "date"
returns.reset_index().to_csv(out / "returns.csv", index=False, date_format="%Y-%m-%d")
es.Single.import_returns(str(out / "returns.csv"))

table = events.rename(columns={"ticker": "security_ticker", "market": "market_ticker"})
table[["security_ticker", "market_ticker", "event_date"]].to_csv(out / "events_es.csv", index=False)
agg = es.Multiple.from_csv(str(out / "events_es.csv"), es.Single.market_model, event_window=(-10, 10),
                           estimation_size=250, buffer_size=0, date_format="%Y-%m-%d")

n = len(agg.sample)
pd.DataFrame({
    "event": np.repeat(np.arange(n), 21),
    "relative_day": np.tile(np.arange(-10, 11), n),
    "abnormal_return": np.concatenate([e.AR for e in agg.sample]),
}).to_csv(out / "abnormal_returns.csv", index=False)
pd.DataFrame({"car": [e.CAR[-1] for e in agg.sample]}).to_csv(out / "car.csv", index=False)
agg.results(asterisks=False, decimals=None).to_csv(out / "aar.csv")
if figure:
    agg.plot(AAR=True).savefig(out / "aar.png")
print(f"{n} events studied, {len(agg.errors or [])} errors")
