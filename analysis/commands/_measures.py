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

_FMT = dict(index=False, float_format="%.12g")


def _csv(table, path, **kwargs) -> None:
    """A table as CSV with spreadsheet-safe text cells (analysis.files.spreadsheet_safe)."""
    from ..files import spreadsheet_safe

    spreadsheet_safe(table).to_csv(path, **_FMT, **kwargs)


def _by_group(result, table):
    import pandas as pd

    parts = [table(None).assign(group="all")] + [table(g).assign(group=g) for g in result.groups]
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "group", out.pop("group"))
    return out


def _tests(result, windows):
    import pandas as pd

    return pd.concat([result.tests_by_group(w) for w in windows], ignore_index=True)


def write_measure_tables(result, windows, out) -> list[str]:
    """Write the tables of a VolumeResult or VolatilityResult to ``out``; returns the names."""
    from ..windows import car_windows

    used = car_windows(windows, result.settings["event_window"])
    if result.measure == "volume":
        _csv(result.abnormal_volume, out / "abnormal_volume.csv", date_format="%Y-%m-%d")
        _csv(result.cav(used), out / "cav.csv")
        _csv(_by_group(result, lambda g: result.aav(group=g)), out / "aav.csv")
        _csv(_tests(result, used), out / "tests.csv")
        return ["abnormal_volume.csv", "cav.csv", "aav.csv", "tests.csv"]
    _csv(result.abnormal_volatility, out / "abnormal_volatility.csv", date_format="%Y-%m-%d")
    _csv(result.ratios(used), out / "variance_ratios.csv")
    _csv(_by_group(result, lambda g: result.by_day(group=g)), out / "volatility_by_day.csv")
    _csv(_tests(result, used), out / "tests.csv")
    return ["abnormal_volatility.csv", "variance_ratios.csv", "volatility_by_day.csv", "tests.csv"]


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
