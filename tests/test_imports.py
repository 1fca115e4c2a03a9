"""Heavy libraries are imported only when a step needs them (issue 14, whole-process speed).

Each check runs a fresh interpreter and reads ``sys.modules``: timing is not asserted here
(``benchmarks/bench_peers.py`` measures it), only what gets imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "scipy", "scipy.stats", "scipy.sparse", "statsmodels", "matplotlib",
         "exchange_calendars", "pyarrow")


def imported_after(code: str, env: dict | None = None) -> set[str]:
    """The HEAVY modules present in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, **(env or {}), "MPLBACKEND": "Agg"}, timeout=300)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_building_the_command_line_imports_no_heavy_library():
    assert imported_after("import analysis.cli\nanalysis.cli.build_parser()") == set()


def test_the_pipeline_imports_neither_scipy_nor_statsmodels_nor_matplotlib():
    got = imported_after("import analysis.core.pipeline, analysis.core.results, analysis.core.statistics")
    assert {"numpy", "pandas"} <= got
    assert not got & {"scipy", "scipy.stats", "statsmodels", "matplotlib"}


def test_batch_and_study_without_figures_need_no_scipy_stats_nor_statsmodels(tmp_path, prices_dir):
    events = tmp_path / "events.csv"
    rows = [f"e{i},{t},^HSI,{d}" for i, (t, d) in enumerate(
        [(t, d) for t in ("0001.HK", "0005.HK", "0700.HK", "1810.HK", "2318.HK")
         for d in ("2022-03-15", "2022-09-01", "2023-02-10", "2023-06-20", "2024-01-05")])]
    events.write_text("event_id,ticker,market,event_date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code = (
        "from analysis.cli import main\n"
        f"assert main(['batch', {str(events)!r}, '--out', {str(tmp_path / 'b')!r}, '--no-figure']) == 0\n"
        "assert main(['study', '--ticker', '1810.HK', '--event-date', '2021-03-26', '--out', "
        f"{str(tmp_path / 's')!r}, '--no-figure']) == 0\n"
    )
    got = imported_after(code, env={"ANALYSIS_PRICES_DIR": str(prices_dir)})
    # (scipy.sparse is fine: the exact r-bar of samples up to 300 events uses it)
    assert not got & {"scipy.stats", "statsmodels", "matplotlib"}, got
    diag = json.loads((tmp_path / "s" / "diagnostics.json").read_text())
    assert "market_return" in diag["fit"]["params"]          # written without statsmodels


def test_asking_for_the_ols_summary_imports_statsmodels(prices_dir):
    code = ("import analysis\n"
            "r = analysis.study('1810.HK', '^HSI', '2021-03-26', offline=True)\n"
            "r.ols(r.event_ids[0]).summary()\n")
    assert "statsmodels" in imported_after(code, env={"ANALYSIS_PRICES_DIR": str(prices_dir)})


@pytest.mark.parametrize("module", ["analysis.commands._options", "analysis.windows"])
def test_option_modules_stay_free_of_numpy(module):
    assert imported_after(f"import {module}") == set()


def test_the_company_map_of_a_sample_is_read_without_the_extraction_rules(tmp_path):
    """``batch``'s same-company check reads the ticker -> company map from its cache (written by
    the first process) without importing the name rules or the broad list, whose import alone
    costs a batch tens of milliseconds."""
    code = ("import json, sys\nfrom analysis.events.listings import listing_companies\n"
            f"got = listing_companies(['GOOG', 'GOOGL', '0700.HK'], cache_dir={str(tmp_path)!r})\n"
            "print(json.dumps([got, [m for m in ('analysis.events.namecontext', 'analysis.events.broad',"
            " 'analysis.events.companies') if m in sys.modules]]))")
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    (first, built), (second, loaded) = runs
    assert first == second and first["GOOG"] == first["GOOGL"] is not None
    assert "analysis.events.companies" in built          # the first process builds the universe
    assert loaded == []                                  # the second reads the cache only


def test_the_press_symbol_patterns_are_compiled_only_when_text_is_read():
    from analysis.data import exchanges

    code = ("from analysis.data import exchanges\nprint(exchanges._press_patterns.cache_info().currsize)\n"
            "exchanges.press_symbols('Rivian (NASDAQ: RIVN)')\nprint(exchanges._press_patterns.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.stdout.split() == ["0", "1"], out.stderr
    assert exchanges.press_symbols("Rivian (NASDAQ: RIVN) and (0700.HK)") == \
        [(7, 21, [("NASDAQ", "RIVN", "RIVN")]), (26, 35, [("CODE", "0700.HK", "0700.HK")])]
