"""The machine a benchmark ran on, printed with every table (CPU model, cores, load average),
and the timing helper every benchmark uses: the median of the same number of runs per side."""

from __future__ import annotations

import os
import platform
import statistics
import time


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    try:
        return "load average {:.2f}, {:.2f}, {:.2f} (1, 5, 15 min)".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


def machine_line() -> str:
    """One line: CPU model, cores, load average, Python."""
    return (f"machine: {cpu_model()}, {os.cpu_count()} cores, {load()}; "
            f"Python {platform.python_version()} on {platform.system()} {platform.machine()}")


def median_times(fns: dict, repeat: int, warmup: int = 1) -> dict[str, list[float]]:
    """Wall seconds of each function over ``repeat`` rounds, the functions interleaved in every
    round (so load on a shared machine hits all sides alike) after ``warmup`` untimed rounds."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(warmup + repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            if r >= warmup:
                times[name].append(time.perf_counter() - t0)
    return times


def med(values) -> float:
    return statistics.median(values)


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"
