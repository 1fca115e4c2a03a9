"""The distributed study (analysis.core.distributed) gives the single-process numbers.

Every AR, CAR, AAR/CAAR and all seventeen tests of every window and group agree to 1e-10 with
``run_study`` / ``run_event_study`` run in one process (the resampling tests: the same draws,
so the same p-values): on real Hong Kong events (the
snapshot in ../shared) and on simulated samples with groups (small ones: exact r-bar; a large
one: the calendar-sum identity), missing data, skipped events and clustered event dates. The
cluster is a ``LocalCluster(n_workers=2, processes=True)`` on 127.0.0.1, every port (the
scheduler's HTTP routes too) chosen by the system, closed at the end of the module.
"""

from __future__ import annotations

import json
import logging


import numpy as np
import pandas as pd
import pytest

from analysis.core import partials
from analysis.core.distributed import partition_rows
from analysis.core.pipeline import run_event_study, run_study
from analysis.core.statistics import NOT_COMPUTED, TEST_NAMES, grouped_tests
from analysis.data.parquet import ParquetDatasetSource, write_dataset
from analysis.data.prices import CsvFolderSource
from analysis.errors import InputError
from analysis.files import MANIFEST, STAGING
from analysis.events.contamination import _overlapping
from synthetic_events import simulate, simulate_date_clusters

TOL = dict(rtol=1e-12, atol=1e-10)
pytestmark = pytest.mark.slow          # a LocalCluster of two worker processes


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    env = {"ANALYSIS_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                      scheduler_port=0, host="127.0.0.1", silence_logs=logging.ERROR, env=env) as cluster, \
            Client(cluster) as c:
        yield c


def assert_same_result(single, dist, windows, groups):
    """Every test (statistic, p-value, N) of every window and group, the AAR/CAAR tables, the
    CARs, the abnormal returns and the diagnostics."""
    for w in windows:
        for g in [None] + list(groups):
            a, b = single.tests(w, g), dist.tests(w, g)
            assert list(b.index) == list(TEST_NAMES)
            assert (b["note"] != NOT_COMPUTED).all()
            pd.testing.assert_frame_equal(b, a, obj=f"tests of window {w}, group {g}", **TOL)
    for g in [None] + list(groups):
        pd.testing.assert_frame_equal(dist.aar(group=g), single.aar(group=g), **TOL)
        pd.testing.assert_frame_equal(dist.aar(window=windows[-1], group=g),
                                      single.aar(window=windows[-1], group=g), **TOL)
    assert dist.groups == single.groups
    pd.testing.assert_frame_equal(dist.cars(windows), single.cars(windows), **TOL)
    pd.testing.assert_frame_equal(dist.abnormal_returns, single.abnormal_returns, **TOL)
    pd.testing.assert_frame_equal(dist.diagnostics, single.diagnostics, **TOL)
    assert dist.n_ok == single.n_ok and dist.n_skipped == single.n_skipped
    pd.testing.assert_series_equal(dist.skipped_reasons(), single.skipped_reasons(), check_names=False)
    assert str(dist.summary(windows)) == str(single.summary(windows))
    every = [None] + list(groups)
    pd.testing.assert_frame_equal(dist.tests(windows, every, adjust="holm"), single.tests(windows, every, adjust="holm"),
                                  **TOL)
    # the resampling tests with other draws and seed: the same draws as one process
    w, g = windows[-1], ([None] + list(groups))[-1]
    pd.testing.assert_frame_equal(dist.tests(w, g, draws=199, seed=3), single.tests(w, g, draws=199, seed=3), **TOL)


#: the tests that resample (their p-values come from the seeded draws)
RESAMPLING = ("boot_csect_t", "boot_bmp_t", "permutation_t")


# --------------------------------------------------------------------------- real Hong Kong events

def hk_events(prices_dir, n=70, seed=7) -> pd.DataFrame:
    """Random (HK constituent, date) events against ^HSI, two groups, plus rows the study must
    skip with a reason (unknown ticker, too early for an estimation window) and two listings of
    one company (confounding is looked for across them)."""
    src = CsvFolderSource(prices_dir)
    rng = np.random.default_rng(seed)
    tickers = list(rng.choice([s for s in src.symbols() if s.endswith(".HK") and s != "2800.HK"], 14,
                              replace=False))
    dates = pd.bdate_range("2021-06-01", "2024-12-31")
    ev = pd.DataFrame({"event_id": [f"hk{i:03d}" for i in range(n)], "ticker": rng.choice(tickers, n),
                       "market": "^HSI", "event_date": rng.choice(dates, n).astype("datetime64[ns]"),
                       "group": rng.choice(["banks", "tech"], n)})
    extra = pd.DataFrame({"event_id": ["bad1", "bad2", "ali1", "ali2"],
                          "ticker": ["NOPE.HK", "0700.HK", "9988.HK", "BABA"],
                          "market": ["^HSI", "^HSI", "^HSI", "^GSPC"],
                          "event_date": pd.to_datetime(["2022-03-01", "2020-02-03", "2022-11-16", "2022-11-16"]),
                          "group": ["tech", "tech", "tech", "banks"]})
    out = pd.concat([ev, extra], ignore_index=True)
    out["company"] = np.where(out["ticker"].isin(["9988.HK", "BABA"]), "Alibaba", None)
    return out


WINDOWS = [(0, 0), (-1, 1), (-5, 5), (-10, 10)]


def test_run_study_on_real_events_matches_one_process(client, prices_dir):
    events = hk_events(prices_dir)
    single = run_study(events, prices_dir=prices_dir, progress=False)
    dist = run_study(events, prices_dir=prices_dir, progress=False, client=client, partition_events=20)
    assert dist.result.settings["dask"]["partitions"] >= 3
    assert_same_result(single.result, dist.result, WINDOWS, ["banks", "tech"])
    assert dist.warnings == single.warnings
    assert dist.failed == single.failed
    assert any("NOPE.HK" in w for w in dist.warnings)
    pd.testing.assert_frame_equal(dist.events, single.events)
    key = list(single.quality.columns)
    pd.testing.assert_frame_equal(dist.quality.sort_values(key, ignore_index=True),
                                  single.quality.sort_values(key, ignore_index=True))



@pytest.mark.parametrize("to_disk", [False, True])
def test_sample_notes_count_only_the_events_studied(client, prices_dir, tmp_path, to_disk):
    """The same_company and clustered notes are facts of the studied sample: a listing whose
    partner of the same company and date has no prices is not flagged, and the clustered share
    counts studied events only, as in one process (the cluster first judges the timed events,
    then studies again the partitions whose notes change once the studied events are known)."""
    events = hk_events(prices_dir, n=40, seed=11)
    day = events.loc[events["event_id"] == "ali1", "event_date"].iloc[0]
    lost = pd.DataFrame({"event_id": ["ali3", "gone1", "gone2", "gone3", "gone4", "gone5"],
                         "ticker": ["NOPE2.HK"] + ["NOPE3.HK"] * 5, "market": "^HSI",
                         "event_date": [day] + list(pd.to_datetime(["2022-11-16"] * 5)),
                         "group": "tech", "company": ["Alibaba", None, None, None, None, None]})
    events = pd.concat([events, lost], ignore_index=True)
    single = run_study(events, prices_dir=prices_dir, progress=False)
    out = tmp_path / "dist" if to_disk else None
    dist = run_study(events, prices_dir=prices_dir, progress=False, client=client, partition_events=9, out=out)
    diag = single.result.diagnostics.set_index("event_id")
    assert "same_company" in diag.loc["ali1", "warnings"]           # BABA studied beside it
    assert diag.loc["ali3", "status"] == "skipped"                   # no prices: not a partner
    by_id = lambda f: f.sort_values("event_id", kind="stable", ignore_index=True)  # noqa: E731
    pd.testing.assert_frame_equal(by_id(dist.result.diagnostics), by_id(single.result.diagnostics))
    assert str(dist.result.summary()) == str(single.result.summary())


def test_run_event_study_from_a_parquet_dataset_matches_the_panel_run(client, prices_dir, tmp_path):
    """Each worker reads its tickers from the dataset; one process gets the whole panel."""
    events = hk_events(prices_dir, n=40, seed=3).drop(columns="company")
    src = CsvFolderSource(prices_dir)
    symbols = [s for s in pd.unique(pd.concat([events["ticker"], events["market"]])) if s != "NOPE.HK"]
    frames = {s: src.load(s) for s in symbols}
    source = ParquetDatasetSource(write_dataset(frames, tmp_path / "prices", files=3))
    panel = pd.concat({s: f["Adj Close"] for s, f in frames.items()}, axis=1, sort=True)
    kw = dict(estimation_window=(-200, -11), event_window=(-10, 10), model="market_adjusted")
    single = run_event_study(events, prices=panel, load_errors={"NOPE.HK": source.read(["NOPE.HK"])[1]["NOPE.HK"]},
                             source_name=source.name, **kw)
    dist = run_event_study(events, source=source, client=client, partition_events=8, progress=False, **kw)
    assert_same_result(single, dist, WINDOWS, ["banks", "tech"])


# --------------------------------------------------------------------------- simulated samples

def simulated_panel(n_stocks=60, n_days=900, seed=11, gaps=True):
    """Returns known by construction: R = beta Rm + 0.6 f + e (f a common factor: residuals
    are cross-correlated), with missing days and a late listing when ``gaps``."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-05", periods=n_days)
    rm = rng.normal(0.0003, 0.01, n_days)
    f = rng.normal(0.0, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, n_stocks)
    r = rm[:, None] * beta + 0.6 * f[:, None] + rng.normal(0.0, 0.015, (n_days, n_stocks))
    panel = pd.DataFrame(r, index=dates, columns=[f"S{i:03d}" for i in range(n_stocks)])
    if gaps:
        panel = panel.mask(rng.random(panel.shape) < 0.02)
        panel.iloc[:400, 3] = np.nan                                  # listed late
    panel["MKT"] = rm
    return panel


def simulated_events(panel, seed=5):
    """A large clustered group (420 events on 12 dates: r-bar by the identity), two small
    groups (exact r-bar), events without a group, an unknown ticker and a date after the data."""
    rng = np.random.default_rng(seed)
    stocks = [c for c in panel.columns if c != "MKT"]
    dates = panel.index[300:-20]
    cluster_days = rng.choice(dates, 12)
    parts = [("A", 420, cluster_days), ("B", 150, dates), ("C", 35, dates), (None, 10, dates)]
    rows = []
    for group, n, pool in parts:
        for _ in range(n):
            rows.append({"ticker": rng.choice(stocks), "event_date": rng.choice(pool), "group": group})
    rows += [{"ticker": "ZZZ", "event_date": dates[5], "group": "B"},
             {"ticker": stocks[0], "event_date": panel.index[-1] + pd.Timedelta(days=30), "group": "C"}]
    ev = pd.DataFrame(rows)
    ev.insert(0, "event_id", [f"s{i:04d}" for i in range(len(ev))])
    ev["market"] = "MKT"
    return ev


@pytest.mark.parametrize("gaps", [True, False])
def test_simulated_groups_missing_data_and_clustering(client, gaps):
    panel = simulated_panel(gaps=gaps)
    events = simulated_events(panel)
    kw = dict(estimation_window=(-150, -11), event_window=(-5, 5), min_estimation_obs=80)
    windows = [(0, 0), (-1, 1), (-5, 5)]
    single = run_event_study(events, returns=panel, **kw)
    dist = run_event_study(events, returns=panel, client=client, windows=windows, partition_events=90,
                           progress=False, **kw)
    assert single.n_ok > 450 and single.n_skipped >= 2
    counts = single.diagnostics.query("status == 'ok'")["group"].value_counts()
    assert counts["A"] > 300 >= counts["B"]                   # identity and exact r-bar both used
    assert_same_result(single, dist, windows, ["A", "B", "C"])


def test_factor_model_with_a_broadcast_factor_table(client):
    panel = simulated_panel(n_stocks=20, gaps=True, seed=2)
    rng = np.random.default_rng(4)
    factors = pd.DataFrame({"Mkt-RF": panel["MKT"] - 0.0001, "SMB": rng.normal(0, 0.005, len(panel)),
                            "HML": rng.normal(0, 0.005, len(panel)), "RF": 0.0001}, index=panel.index)
    events = simulated_events(panel, seed=8).iloc[::6].reset_index(drop=True)
    kw = dict(estimation_window=(-150, -11), event_window=(-5, 5), min_estimation_obs=80, model="ff3",
              factors=factors)
    single = run_event_study(events, returns=panel, **kw)
    dist = run_event_study(events, returns=panel, client=client, windows=[(0, 0), (-2, 2)], progress=False, **kw)
    assert_same_result(single, dist, [(0, 0), (-2, 2)], single.groups)


# --------------------------------------------------------------------------- per-event outputs

def test_out_writes_one_parquet_file_per_partition(client, tmp_path):
    panel = simulated_panel(n_stocks=30, seed=3)
    events = simulated_events(panel, seed=9).iloc[:200].reset_index(drop=True)
    kw = dict(estimation_window=(-150, -11), event_window=(-5, 5), min_estimation_obs=80)
    single = run_event_study(events, returns=panel, **kw)
    out = tmp_path / "run"
    dist = run_event_study(events, returns=panel, client=client, out=out, partition_events=40,
                           windows=[(0, 0), (-1, 1)], progress=False, **kw)
    n_parts = dist.settings["dask"]["partitions"]
    assert n_parts >= 4
    for name in ("diagnostics", "abnormal_returns", "car"):
        files = sorted(p.name for p in (out / name).glob("part-*.parquet"))
        assert files == [f"part-{i:05d}.parquet" for i in range(n_parts)]
        assert (out / name / "_analysis_dataset.json").is_file()
    assert dist._tables is None                                  # nothing per event was gathered
    by_id = lambda f: f.sort_values(["event_id"], kind="stable", ignore_index=True)  # noqa: E731
    pd.testing.assert_frame_equal(by_id(dist.diagnostics), by_id(single.diagnostics))
    ar = dist.abnormal_returns.sort_values(["event_id", "relative_day"], ignore_index=True)
    pd.testing.assert_frame_equal(ar, single.abnormal_returns.sort_values(["event_id", "relative_day"],
                                                                          ignore_index=True), **TOL)
    # a second run into the same folder replaces the parts; a foreign file stops the run
    run_event_study(events.iloc[:50], returns=panel, client=client, out=out, partition_events=40,
                    windows=[(0, 0)], progress=False, **kw)
    assert len(pd.read_parquet(out / "diagnostics")) == 50
    (out / "car" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="did not write"):
        run_event_study(events, returns=panel, client=client, out=out, progress=False, **kw)
    assert (out / "car" / "notes.txt").read_text() == "mine"


def test_a_window_not_computed_is_refused(client):
    panel = simulated_panel(n_stocks=10, seed=1)
    events = simulated_events(panel).iloc[:30]
    dist = run_event_study(events, returns=panel, client=client.scheduler.address, windows=[(0, 0)],
                           progress=False,
                           estimation_window=(-150, -11), event_window=(-5, 5), min_estimation_obs=80)
    with pytest.raises(InputError, match=r"window \[-1, 1\] was not computed"):
        dist.tests((-1, 1))


# --------------------------------------------------------------------------- pieces

@pytest.mark.parametrize("sample", ["common date", "date clusters"])
def test_merged_partition_sums_give_every_test(sample):
    """No cluster: sums of random partitions, added, and the gathered per-event values put back
    in the single-process order give grouped_tests (NaN residual days; a common event date,
    or events on 12 dates: the jackknife's clusters)."""
    if sample == "common date":
        arrays, reps = simulate(150, 3, seed=3, rho=0.2, common_date=True)
    else:
        arrays, reps = simulate_date_clusters(3, seed=3, dates=12, per_date=12, event_window=(-10, 10))
    arrays.est_ar[::7, ::11] = np.nan
    labels = np.where(np.arange(arrays.n) % 10 == 0, 3, reps)          # a fourth, small group
    rng = np.random.default_rng(0)
    part = rng.integers(0, 4, arrays.n)
    window = (-1, 2)
    subs = [(arrays.subset(part == p), labels[part == p]) for p in range(4)]
    tested = [(a, partials.tested(a, window, c)) for a, c in subs]
    total = sum((partials.window_sums(a, t, 4) for a, t in tested[1:]), partials.window_sums(*tested[0], 4))
    ranks = [partials.rank_sums(a, t, 4, total.scar.var()) for a, t in tested]
    ranks = sum(ranks[1:], ranks[0])
    small = partials.small_groups(total.n)
    gathered = tuple(np.concatenate(x) for x in zip(*[
        (t.est_ar[small[t.codes]], np.asarray(a.est_dates)[t.rows][small[t.codes]], t.codes[small[t.codes]])
        for a, t in tested]))
    rbar = partials.rbar_of(total.calendar, total.n, gathered)
    cars = np.concatenate([t.car for _, t in tested])
    codes = np.concatenate([t.codes for _, t in tested])
    got = partials.finish_tests(total, ranks, rbar, arrays.k, arrays.columns(*window), cars, codes)
    # CAR, SCAR and window start of each tested event, back in the order of the whole sample
    position = np.concatenate([np.flatnonzero(part == p)[t.rows] for p, (_, t) in enumerate(tested)])
    start = np.concatenate([np.asarray(a.evt_dates)[t.rows, t.cols.start] for a, t in tested])
    scar = np.concatenate([t.scar for _, t in tested])
    order = np.argsort(position)
    got.update(partials.gathered_tests(cars[order], scar[order], start[order], codes[order], 4, 999, 12345))
    want = grouped_tests(arrays, window, labels)
    assert sorted(got) == sorted(TEST_NAMES)
    if sample == "date clusters":
        assert np.isfinite(want["jackknife_t"].statistic).all()
    for name in TEST_NAMES:
        for part_name in ("statistic", "p_value", "n_events"):
            np.testing.assert_allclose(getattr(got[name], part_name), getattr(want[name], part_name),
                                       equal_nan=True, err_msg=name, **TOL)


def test_moments_merge_exactly():
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 0.001, 1000)                     # a large mean: no cancellation allowed
    codes = rng.integers(0, 3, 1000)
    m = partials.Moments.of(x[:300], codes[:300], 3) + partials.Moments.of(x[300:], codes[300:], 3)
    for j in range(3):
        np.testing.assert_allclose(m.var()[j], np.var(x[codes == j], ddof=1), rtol=1e-12)
        np.testing.assert_allclose(m.mean[j], np.mean(x[codes == j]), rtol=1e-15)


def test_partitions_keep_tickers_and_companies_together():
    tickers = ["A", "B", "A", "C", "D", "B", "E", "A", None, "F"]
    companies = [None, "x", None, "x", None, None, "y", None, None, "y"]
    parts = partition_rows(tickers, companies, size=3, minimum=2)
    where = {}
    for p, rows in enumerate(parts):
        assert list(rows) == sorted(rows)
        for r in rows:
            where.setdefault(tickers[r], set()).add(p)
    assert all(len(s) == 1 for s in where.values())               # a ticker in one partition
    assert where["B"] == where["C"] and where["E"] == where["F"]  # one company's listings together
    assert sorted(np.concatenate(parts)) == list(range(len(tickers)))
    assert len(partition_rows(tickers, size=100, minimum=1)) == 1
    assert len(partition_rows(["A"] * 5, size=1, minimum=4)) == 1  # one ticker: never split


def test_overlap_counts_match_the_pairwise_comparison():
    rng = np.random.default_rng(2)
    s = rng.integers(0, 200, 300)
    e = s + rng.integers(0, 15, 300)
    brute = ((s[:, None] <= e[None, :]) & (e[:, None] >= s[None, :])).sum(axis=1)
    assert (_overlapping(s, e) == brute).all()


# --------------------------------------------------------------------------- command line

def test_batch_dask_writes_the_same_tables(prices_dir, tmp_path, capsys):
    """``batch --dask local:1``: the same tests.csv and aar.csv as the one-process batch, the
    per-event tables as parquet datasets; the LocalCluster started for the run is closed (no
    worker process left; ports chosen by the system, so parallel runs do not clash)."""
    import psutil

    from analysis.cli import main

    events = hk_events(prices_dir, n=24, seed=5).drop(columns="company")
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    base = ["batch", str(path), "--prices-dir", str(prices_dir), "--no-figure", "--car", "0", "0",
            "--car", "-1", "1"]
    assert main(base + ["--out", str(tmp_path / "one")]) == 0
    capsys.readouterr()
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    assert main(base + ["--out", str(tmp_path / "two"), "--dask", "local:1"]) == 0
    # multiprocessing's resource tracker stays while this process lives; workers must be gone
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before
            and "resource_tracker" not in " ".join(p.cmdline())]
    assert not psutil.wait_procs(left, timeout=15)[1]
    printed = capsys.readouterr().out
    assert f"{len(events)} given" in printed and "partitions" in printed
    for name in ("tests.csv", "aar.csv"):
        a, b = pd.read_csv(tmp_path / "one" / name), pd.read_csv(tmp_path / "two" / name)
        pd.testing.assert_frame_equal(b, a, **TOL)        # every test, the resampling ones too
    tests = pd.read_csv(tmp_path / "two" / "tests.csv")
    assert set(tests["test"]) == set(TEST_NAMES) and tests["note"].ne(NOT_COMPUTED).all()
    assert tests.loc[tests["test"].isin(RESAMPLING), "p_value"].notna().any()
    assert len(pd.read_parquet(tmp_path / "two" / "diagnostics")) == len(events)
    car = pd.read_parquet(tmp_path / "two" / "car")
    pd.testing.assert_frame_equal(car.sort_values(["window_start", "event_id"], ignore_index=True),
                                  pd.read_csv(tmp_path / "one" / "car.csv")
                                  .sort_values(["window_start", "event_id"], ignore_index=True),
                                  check_dtype=False, **TOL)
    # the cluster's files are an output set like any other: a manifest lists them, a rerun into a
    # folder holding a file the project did not write is refused before any work
    manifest = json.loads((tmp_path / "two" / MANIFEST).read_text())
    assert {"aar.csv", "tests.csv"} <= set(manifest["files"]) and manifest["complete"]
    assert any(k.startswith("car/") for k in manifest["files"])
    assert not [p for p in (tmp_path / "two").iterdir() if p.name.startswith(STAGING)]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    assert main(base + ["--out", str(tmp_path / "mine"), "--dask", "local:1"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    assert main(base + ["--out", str(tmp_path / "x"), "--dask", "local:0"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_batch_dask_figure_names_the_output_folder(prices_dir, tmp_path, capsys):
    """``batch --dask`` with its figure: the AAR/CAAR figure is drawn beside the cluster's
    datasets, and its record names the folder they end up in, not the staging folder they were
    written into."""
    from analysis.cli import main

    events = hk_events(prices_dir, n=12, seed=6).drop(columns="company")
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    out = tmp_path / "fig"
    assert main(["batch", str(path), "--prices-dir", str(prices_dir), "--out", str(out), "--dask", "local:1",
                 "--formats", "png"]) == 0
    record = json.loads((out / "aar_caar.json").read_text())
    assert (out / "aar_caar.png").is_file()
    assert json.dumps(record).count(STAGING) == 0
    assert record["settings"]["dask"]["output"] == str(out)
