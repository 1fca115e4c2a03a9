"""Tables and figures of the measures beyond returns, for ``batch --measure volume|volatility``
(a helper of the commands, like ``_options`` and ``_output``).

``volume``: ``abnormal_volume.csv`` (event x day), ``cav.csv`` (event x window), ``aav.csv``
(average by day, all events and each group), ``tests.csv`` (every test for each window, all
events and each group) and the abnormal-volume figure. ``volatility``: ``abnormal_volatility.csv``
(event x day: AR, SAR, SAR^2), ``variance_ratios.csv`` (event x window: variance ratio, F, p),
``volatility_by_day.csv``, ``tests.csv`` and the volatility-ratio figure (with ``--volatility-benchmark
garch`` the GARCH columns and tests are added and the by-day table and figure show the GARCH
ratio). ``diagnostics.csv`` is
written by the command for every measure.
"""

from __future__ import annotations

def _by_group(result, table):
    import pandas as pd

    parts = [table(None).assign(group="all")] + [table(g).assign(group=g) for g in result.groups]
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "group", out.pop("group"))
    return out


def _tests(result, windows):
    import pandas as pd

    return pd.concat([result.tests_by_group(w) for w in windows], ignore_index=True)


def write_measure_tables(result, windows, out, fmt: str = "csv") -> list[str]:
    """Write the tables of a VolumeResult or VolatilityResult to ``out`` as CSV or parquet
    (:func:`analysis.commands._output.write_table`); returns the names."""
    from ..windows import car_windows
    from ._output import write_table

    used = car_windows(windows, result.settings["event_window"])
    if result.measure == "volume":
        tables = [(result.abnormal_volume, "abnormal_volume"), (result.cav(used), "cav"),
                  (_by_group(result, lambda g: result.aav(group=g)), "aav"), (_tests(result, used), "tests")]
    else:
        tables = [(result.abnormal_volatility, "abnormal_volatility"), (result.ratios(used), "variance_ratios"),
                  (_by_group(result, lambda g: result.by_day(group=g)), "volatility_by_day"),
                  (_tests(result, used), "tests")]
    return [write_table(table, out / name, fmt).name for table, name in tables]


def measure_figures(result, out, stem: str, **options) -> list[str]:
    """The sample's figure of the measure (and one per group); returns the file names.
    ``options``: ``formats``, ``dpi``, ``size`` (:func:`analysis.figures.plotting.export`)."""
    from pathlib import Path

    from ..figures.measures import volatility_figure, volume_figure
    from ..files import figure_stems

    draw = volume_figure if result.measure == "volume" else volatility_figure
    files = [Path(p).name for p in draw(result, out_dir=out, stem=stem, **options)]
    stems = figure_stems(result.measure, result.groups)     # distinct names, case-insensitively
    for g in result.groups:
        files += [Path(p).name for p in draw(result, out_dir=out, stem=stems[g], group=g, **options)]
    return files
