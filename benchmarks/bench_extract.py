"""Whole-process speed of ``python -m analysis extract`` with and without the broad company list.

    .venv/bin/python benchmarks/bench_extract.py [--repeat 7]

Three sides, each a whole process (interpreter start, imports, company tables, extraction of one
held-out article, CSV to standard output), run in turn in every round so load on a shared machine
hits all sides alike; each time is the median of the same number of rounds after one untimed
warm-up round:

* ``curated+index``: the broad list switched off (as when ``investpy`` is not installed);
* ``broad, cached``: the broad list read from its cache file (every run after the first);
* ``broad, cold``: the broad list built from ``investpy``'s CSV (the first run after installing
  or upgrading; the cache folder is emptied before each run).

Target: the cached broad list costs at most 25% over ``curated+index`` (a user should not notice
it). The machine's CPU model, core count and load average are printed with the table.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _machine import machine_line, med, median_times, verdict

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "tests" / "data" / "news" / "boeing-alaska-2024-01-08.txt"
# every side runs the same entry point; "off" hides the broad list as an absent investpy would
ON = "import sys; from analysis.cli import main; sys.exit(main(sys.argv[1:]))"
OFF = "import sys; from analysis.events import broad; broad.source_file = lambda: None; " + ON[len("import sys; "):]


def _run(args: list[str], cache: Path, code: str = ON) -> None:
    subprocess.run([sys.executable, "-c", code] + args + ["--cache-dir", str(cache)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    args = ["extract", str(TEXT), "--published", "2024-01-08T12:15-05:00", "--tz", "America/New_York", "--offline"]
    with tempfile.TemporaryDirectory() as tmp:
        warm, cold = Path(tmp) / "warm", Path(tmp) / "cold"

        def run_cold():
            shutil.rmtree(cold, ignore_errors=True)
            _run(args, cold)

        times = median_times({"curated+index": lambda: _run(args, warm, OFF),
                              "broad, cached": lambda: _run(args, warm),
                              "broad, cold": run_cold}, repeat=a.repeat)
    base = med(times["curated+index"])
    print(machine_line())
    print(f"{'side':<16}{'median s':>10}{'ratio':>8}")
    for name, t in times.items():
        print(f"{name:<16}{med(t):>10.2f}{med(t) / base:>8.2f}")
    ratio = med(times["broad, cached"]) / base
    print(f"target: broad, cached <= 1.25 x curated+index: {ratio:.2f} {verdict(ratio, 1.25)}")


if __name__ == "__main__":
    main()
