"""Figures of the measures beyond returns, in the package style (:mod:`analysis.figures.plotting`).

- :func:`volume_figure`: abnormal volume around day 0, bars with the 95% interval of each day, as
  percent above the normal volume (``exp(AV) - 1``), and the events per day;
- :func:`volatility_figure`: the volatility ratio by day, mean SAR^2 across events with its band
  against its null mean (about 1), or one event's SAR^2 against its 5% critical value; with the
  GARCH benchmark the same for AR^2 over its GARCH(1,1) conditional variance;
- :func:`bhar_figure`: the mean buy-and-hold abnormal return after each day of a long window with
  its band, each event's path behind it;
- :func:`calendar_time_figure`: the calendar-time portfolio's cumulative abnormal return (alpha +
  residual) and its cumulative alpha with the band, the number of firms held below.

As in :mod:`analysis.figures.plotting`, nothing here is estimated: every number drawn, bands
included, comes from the result objects (:mod:`analysis.core.volume`,
:mod:`analysis.core.volatility`, :mod:`analysis.core.bhar`, :mod:`analysis.core.calendar_time`);
the only arithmetic is presentation (log points to percent, decimals to percent). Each
``*_figure`` writes PNG + SVG (+ PDF) and a JSON sidecar through
:func:`analysis.figures.plotting.export` and returns the paths; each ``draw_*`` returns the
figure and the facts recorded in the sidecar.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.volatility import GARCH_RATIO_CRITICAL
from ..errors import InputError
from .plotting import (BAND, DAY0, MARKET, OTHER_MARKS, STOCK, _ar_bars, _day_axis, _finish, _legend_above,
                       _new_figure, _pct_axis, _settings, _window_text, export, style, with_warnings)

__all__ = ["draw_volume", "volume_figure", "draw_volatility", "volatility_figure",
           "draw_bhar", "bhar_figure", "draw_calendar_time", "calendar_time_figure"]


def _source(settings: dict, what: str) -> str:
    """'Source: <data source>. <what>', a folder named by its last part (no machine paths)."""
    src = settings.get("source_name") or "data source not recorded"
    src = " ".join(Path(w).name if ("/" in w or "\\" in w) else w for w in str(src).split(" "))
    return f"Source: {src}. {what}"


def _m_text(result, event_ids=None) -> str:
    d = result.diagnostics
    d = d[d["status"] == "ok"]
    if event_ids is not None:
        d = d[d["event_id"].isin(list(event_ids))]
    m = pd.to_numeric(d["m"], errors="coerce").dropna().astype(int)
    if not len(m):
        return ""
    return f" (M = {m.iloc[0]})" if m.min() == m.max() else f" (M = {m.min()}-{m.max()})"


def _model_name(settings: dict) -> str:
    model = str(settings.get("model", "market")).replace("_", "-")
    return model[:1].upper() + model[1:]


def _to_pct_above(log_points) -> np.ndarray:
    """Abnormal log volume as percent above the normal volume, ``100 (exp(AV) - 1)``."""
    return 100.0 * np.expm1(np.asarray(log_points, dtype=float))


# --------------------------------------------------------------------------------------------
# abnormal volume
# --------------------------------------------------------------------------------------------

def draw_volume(result, *, event_id: str | None = None, group=None, window=None, title: str | None = None,
                size=None):
    """Abnormal volume by relative day: bars of the average (or one event's) abnormal volume as
    percent above normal with the 95% band of each day, and the number of events per day.

    ``result``: a :class:`analysis.core.volume.VolumeResult`; ``event_id``: one event (its
    ``abnormal_volume`` rows and their intervals) instead of the sample's ``aav()``.
    """
    s = _settings(result)
    if event_id is not None:
        rows = result.abnormal_volume
        rows = rows[rows["event_id"] == event_id].sort_values("relative_day")
        if rows.empty:
            raise InputError(f"event_id {event_id!r} is not among the studied events")
        if window is not None:
            rows = rows[(rows["relative_day"] >= window[0]) & (rows["relative_day"] <= window[1])]
        table = pd.DataFrame({"relative_day": rows["relative_day"].to_numpy(),
                              "n": rows["abnormal_volume"].notna().astype(int).to_numpy(),
                              "av": rows["abnormal_volume"].to_numpy(), "lo": rows["av_lo"].to_numpy(),
                              "hi": rows["av_hi"].to_numpy()})
        day0 = rows.loc[rows["relative_day"] == 0, "date"]
        day0 = pd.Timestamp(day0.iloc[0]) if len(day0) else None
        who = f"{rows['ticker'].iloc[0]} against {rows['market'].iloc[0]}"
        default_title = f"{rows['ticker'].iloc[0]}: abnormal trading volume" + \
            (f" around {day0:%Y-%m-%d}" if day0 is not None else "")
        band = "95% interval of each day"
    else:
        a = result.aav(window, group)
        table = pd.DataFrame({"relative_day": a["relative_day"], "n": a["n"], "av": a["aav"],
                              "lo": a["aav_lo"], "hi": a["aav_hi"]})
        who = f"{int(table['n'].max())} events" + (f" ({group})" if group is not None else "")
        default_title = f"Abnormal trading volume around the announcement: {who}"
        day0 = None
        band = "95% interval of each day (crude dependence adjustment)"
    rel = table["relative_day"].astype(int).to_numpy()
    if event_id is None:
        fig, axes = _new_figure(2, 1, height=4.9, size=size, sharex=True,
                                gridspec_kw={"height_ratios": [3.2, 1]})
        ax1, ax2 = axes[:, 0]
    else:                                  # one event: no count panel
        fig, axes = _new_figure(1, 1, height=4.0, size=size)
        ax1, ax2 = axes[0, 0], None
    with style():
        _ar_bars(ax1, rel, _to_pct_above(table["av"]), "abnormal volume" if event_id else "average abnormal volume")
        mid = _to_pct_above(table["av"])
        err = np.vstack([mid - _to_pct_above(table["lo"]), _to_pct_above(table["hi"]) - mid])
        ax1.errorbar(rel, mid, yerr=err, fmt="none", ecolor=BAND, elinewidth=0.9, capsize=2.2, alpha=0.8,
                     label=band, zorder=3)
        ax1.axhline(0, color="#444444", lw=0.7)
        ax1.axvline(0, color=DAY0, lw=1.0, ls="--")
        _pct_axis(ax1)
        ax1.set_ylabel("Volume above normal (%)\n100 (exp(AV) - 1)")
        _legend_above(ax1, 2)
        if ax2 is not None:
            n = table["n"].to_numpy()
            ax2.bar(rel, n, width=0.7, color=MARKET, zorder=2)
            ax2.set_ylim(0, max(int(n.max()) if len(n) else 1, 1) * 1.25)
            ax2.set_ylabel("Events (N)")
            ax2.axvline(0, color=DAY0, lw=1.0, ls="--")
        _day_axis(ax2 if ax2 is not None else ax1, table.assign(date=pd.NaT), day0)
        title = title or default_title
        line = _source(s, f"{_model_name(s)} model of log(1 + volume), estimation window "
                          f"{_window_text(s.get('estimation_window'))}{_m_text(result, [event_id] if event_id else None)}"
                          f" trading days; " + ("days with zero or no volume left out." if s.get("zero_volume") == "missing"
                                                else "zero volume kept as log(1 + 0) = 0."))
        line = with_warnings(line, result.diagnostics, [event_id] if event_id else None)
        _finish(fig, title, line)
    info = {"event_id": event_id, "group": group, "window": window, "compared_with": who,
            "data_range": {"relative_days": [int(rel.min()), int(rel.max())]}, "band": band}
    return fig, info


def volume_figure(result, *, out_dir, stem: str, event_id: str | None = None, group=None, window=None,
                  formats: Sequence[str] | str | None = None, title: str | None = None,
                  dpi: int | None = None, size=None) -> list[Path]:
    """Write the abnormal-volume figure (:func:`draw_volume`); returns the paths."""
    fig, info = draw_volume(result, event_id=event_id, group=group, window=window, title=title, size=size)
    meta = {"kind": "volume", "settings": _settings(result), **info,
            "call": {"function": "analysis.figures.measures.volume_figure", "event_id": event_id, "group": group,
                     "window": window, "title": title, "stem": stem, "formats": list(formats or ())}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)


# --------------------------------------------------------------------------------------------
# abnormal volatility
# --------------------------------------------------------------------------------------------

def draw_volatility(result, *, event_id: str | None = None, group=None, window=None, title: str | None = None,
                    size=None):
    """The volatility ratio by relative day: mean SAR^2 across events with its 95% band and its
    null mean (``by_day``), or one event's SAR^2 with the two-sided 5% critical value of a day."""
    s = _settings(result)
    garch = getattr(result, "benchmark", "constant") == "garch"
    fig, axes = _new_figure(1, 1, height=4.2, size=size)
    ax = axes[0, 0]
    with style():
        if event_id is not None:
            rows = result.abnormal_volatility
            rows = rows[rows["event_id"] == event_id].sort_values("relative_day")
            if rows.empty:
                raise InputError(f"event_id {event_id!r} is not among the studied events")
            rel = rows["relative_day"].astype(int).to_numpy()
            if garch:
                # AR / sqrt(V^G) is standard normal under the null: one day's ratio is chi-square(1)
                ax.bar(rel, rows["garch_ratio"], width=0.7, color=STOCK, alpha=0.8, zorder=2,
                       label="AR\u00b2 / GARCH(1,1) variance")
                critical, expected = GARCH_RATIO_CRITICAL, 1.0
            else:
                ax.bar(rel, rows["sar2"], width=0.7, color=STOCK, alpha=0.8, zorder=2,
                       label="SAR\u00b2 (squared standardised abnormal return)")
                critical, expected = float(rows["sar2_critical"].iloc[0]), float(rows["expected_sar2"].iloc[0])
            ax.axhline(critical, color="#444444", lw=1.0, ls=":", label="5% critical value of one day")
            ax.axhline(expected, color="#444444", lw=0.8, label="expected under no change")
            day0 = rows.loc[rows["relative_day"] == 0, "date"]
            day0 = pd.Timestamp(day0.iloc[0]) if len(day0) else None
            who = f"{rows['ticker'].iloc[0]}" + (f" around {day0:%Y-%m-%d}" if day0 is not None else "")
            frame = rows
        else:
            frame = result.by_day(window, group)
            rel = frame["relative_day"].astype(int).to_numpy()
            ax.fill_between(rel, frame["lo"], frame["hi"], color=BAND, alpha=0.13, lw=0,
                            label="95% band (cross-sectional)", zorder=1)
            ax.plot(rel, frame["mean_sar2"], color=STOCK, marker="o", ms=3, zorder=3,
                    label="mean AR\u00b2 / GARCH variance across events" if garch else "mean SAR\u00b2 across events")
            ax.axhline(float(frame["expected"].iloc[0]), color="#444444", lw=0.8, label="expected under no change")
            who = f"{int(frame['n'].max())} events" + (f" ({group})" if group is not None else "")
            day0 = None
        ax.axvline(0, color=DAY0, lw=1.0, ls="--")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("Variance ratio: AR\u00b2 / Var(AR | GARCH(1,1))\n(1 = conditional variance forecast)" if garch
                      else "Variance ratio: SAR\u00b2 = AR\u00b2 / Var(AR)\n(1 = estimation-window variance)")
        _day_axis(ax, frame.assign(date=pd.NaT) if "date" not in frame else frame, day0)
        _legend_above(ax, 2)
        title = title or f"Abnormal volatility by day: {who}"
        line = _source(s, f"{_model_name(s)} model, estimation window {_window_text(s.get('estimation_window'))}"
                          f"{_m_text(result, [event_id] if event_id else None)} trading days; "
                          f"{s.get('returns_kind', 'simple')} returns from adjusted close; Var(AR) with "
                          f"the prediction error" + ("; GARCH(1,1) conditional variance forecast from the "
                                                     "estimation window (arch)." if garch else "."))
        line = with_warnings(line, result.diagnostics, [event_id] if event_id else None)
        _finish(fig, title, line)
    info = {"event_id": event_id, "group": group, "window": window, "benchmark": "garch" if garch else "constant",
            "data_range": {"relative_days": [int(rel.min()), int(rel.max())]}}
    return fig, info


def volatility_figure(result, *, out_dir, stem: str, event_id: str | None = None, group=None, window=None,
                      formats: Sequence[str] | str | None = None, title: str | None = None,
                  dpi: int | None = None, size=None) -> list[Path]:
    """Write the volatility-ratio figure (:func:`draw_volatility`); returns the paths."""
    fig, info = draw_volatility(result, event_id=event_id, group=group, window=window, title=title, size=size)
    meta = {"kind": "volatility", "settings": _settings(result), **info,
            "call": {"function": "analysis.figures.measures.volatility_figure", "event_id": event_id,
                     "group": group, "window": window, "title": title, "stem": stem, "formats": list(formats or ())}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)


# --------------------------------------------------------------------------------------------
# BHAR
# --------------------------------------------------------------------------------------------

def draw_bhar(bhar, *, group=None, labels: dict | None = None, max_lines: int = 12, title: str | None = None,
              size=None):
    """The BHAR after each day of the window: each event's path (thin lines, up to
    ``max_lines``, labelled with ``labels[event_id]`` or the ticker), the mean across events
    with its 95% band (two events or more) and the median."""
    s = dict(bhar.settings)
    t1, t2 = bhar.window
    path = bhar.path(group)
    ok = bhar.bhar
    if group is not None:
        ok = ok[ok["group"] == group]
    paths = bhar.paths[bhar.paths["event_id"].isin(ok["event_id"])]
    fig, axes = _new_figure(1, 1, height=4.4, size=size)
    ax = axes[0, 0]
    rel = path["relative_day"].to_numpy()
    colours = (STOCK, *OTHER_MARKS)      # one per event, none that means day 0 or a price limit
    with style():
        few = len(ok) <= 6
        for j, (eid, g) in enumerate(paths.groupby("event_id", sort=False)):
            if j >= max_lines:
                break
            r = ok[ok["event_id"] == eid].iloc[0]
            name = (labels or {}).get(eid) or f"{r['ticker']} vs {r['benchmark']}"
            if bool(r["delisted"]):
                name += f" (prices end {pd.Timestamp(r['last_price_date']):%Y-%m-%d})"
            shown = min(len(ok), max_lines)
            ax.plot(g["relative_day"], g["bhar"] * 100, lw=1.2 if few else 0.6,
                    color=colours[j % len(colours)] if few else MARKET, alpha=0.9 if few else 0.5,
                    label=name if few else (f"each event ({shown} of {len(ok)} shown)" if j == 0 else None))
        if len(ok) >= 2:
            ax.fill_between(rel, path["lo"] * 100, path["hi"] * 100, color=BAND, alpha=0.13, lw=0,
                            label="95% band of the mean", zorder=1)
            ax.plot(rel, path["mean_bhar"] * 100, color="#222222", lw=1.8, label=f"mean BHAR (N = {len(ok)})",
                    zorder=3)
            if not few:
                ax.plot(rel, path["median_bhar"] * 100, color="#222222", lw=1.0, ls="--", label="median BHAR")
        ax.axhline(0, color="#444444", lw=0.7)
        _pct_axis(ax)
        ax.set_xlim(t1 - 1, t2 + 1)
        ax.set_xlabel(f"Trading days after the announcement (day 0; buy at the close of day {t1 - 1})")
        ax.set_ylabel("Buy-and-hold abnormal return (%)")
        _legend_above(ax, 2)
        title = title or f"Buy-and-hold abnormal returns, days {t1} to {t2}"
        line = _source(s, f"Buy-and-hold returns from adjusted close against {s.get('benchmark_text')}; "
                          f"days counted on the market's trading days; prices ending inside the window: "
                          f"{s.get('delisting_text')}.")
        flagged = int((ok["warnings"].fillna("").astype(str) != "").sum()) if "warnings" in ok else 0
        if flagged:
            line += (f"\nWarnings in {flagged} of {len(ok)} events: price jumps inside the window "
                     f"(see the BHAR table's warnings).")
        _finish(fig, title, line)
    info = {"window": [t1, t2], "group": group, "n_events": int(len(ok)),
            "delisted": list(ok.loc[ok["delisted"].astype(bool), "event_id"])}
    return fig, info


def bhar_figure(bhar, *, out_dir, stem: str, group=None, labels: dict | None = None,
                formats: Sequence[str] | str | None = None, title: str | None = None,
                dpi: int | None = None, size=None) -> list[Path]:
    """Write the BHAR-path figure (:func:`draw_bhar`); returns the paths."""
    fig, info = draw_bhar(bhar, group=group, labels=labels, title=title, size=size)
    meta = {"kind": "bhar", "settings": dict(bhar.settings), **info,
            "call": {"function": "analysis.figures.measures.bhar_figure", "group": group, "labels": labels,
                     "title": title, "stem": stem, "formats": list(formats or ())}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)


# --------------------------------------------------------------------------------------------
# calendar-time portfolios
# --------------------------------------------------------------------------------------------

def draw_calendar_time(ct, *, weighting: str | None = None, title: str | None = None, size=None):
    """The calendar-time portfolio's cumulative abnormal return (alpha + residual, summed over
    the periods) and its cumulative alpha with the 95% band (top); firms held (bottom)."""
    s = dict(ct.settings)
    weights = [weighting] if weighting else list(ct.fits)
    for w in weights:
        if w not in ct.fits:
            raise InputError(f"no {w!r} portfolio (have {', '.join(ct.fits)})")
    fig, axes = _new_figure(2, 1, height=4.9, size=size, sharex=True, gridspec_kw={"height_ratios": [3.2, 1]})
    ax1, ax2 = axes[:, 0]
    colours = {"equal": STOCK, "value": OTHER_MARKS[0]}
    with style():
        for w in weights:
            p = ct.portfolio[ct.portfolio["weighting"] == w]
            a = ct.alphas.loc[w]
            c = colours.get(w, STOCK)
            ax1.plot(p["date"], p["cumulative_abnormal"] * 100, color=c, lw=1.3,
                     label=f"{w}-weighted: cumulative alpha + residual")
            ax1.plot(p["date"], p["cumulative_alpha"] * 100, color=c, lw=1.0, ls="--",
                     label=f"{w}-weighted: cumulative alpha (t = {a['t']:.2f})")
            ax1.fill_between(p["date"], p["cumulative_alpha_lo"] * 100, p["cumulative_alpha_hi"] * 100,
                             color=c, alpha=0.12, lw=0)
        ax1.axhline(0, color="#444444", lw=0.7)
        _pct_axis(ax1)
        unit = "trading day" if s["frequency"] == "daily" else "month"
        ax1.set_ylabel(f"Cumulative abnormal return (%)\n(sum over {unit}s)")
        _legend_above(ax1, 1)
        p = ct.portfolio[ct.portfolio["weighting"] == weights[0]]
        ax2.plot(p["date"], p["n_firms"], color=MARKET, lw=1.0, drawstyle="steps-mid")
        ax2.set_ylim(0, max(int(p["n_firms"].max()), 1) * 1.25)
        ax2.set_ylabel("Firms held")
        ax2.set_xlabel("Calendar date")
        t1, t2 = s["window"]
        unit_pl = "trading days" if s["frequency"] == "daily" else "months"
        title = title or f"Calendar-time portfolio: stocks held {t1}-{t2} {unit_pl} after their event"
        line = _source(s, f"{s['frequency'].capitalize()} portfolio returns from adjusted close; "
                          f"{s['model_text']}; {s['cov_text']}; the band is the 95% interval of the "
                          f"cumulative alpha.")
        _finish(fig, title, line)
    info = {"weighting": weights, "periods": int(len(p)),
            "data_range": {"first_date": p["date"].min(), "last_date": p["date"].max()},
            "alpha": {w: float(ct.alphas.loc[w, "alpha"]) for w in weights}}
    return fig, info


def calendar_time_figure(ct, *, out_dir, stem: str, weighting: str | None = None,
                         formats: Sequence[str] | str | None = None, title: str | None = None,
                  dpi: int | None = None, size=None) -> list[Path]:
    """Write the calendar-time figure (:func:`draw_calendar_time`); returns the paths."""
    fig, info = draw_calendar_time(ct, weighting=weighting, title=title, size=size)
    meta = {"kind": "calendar_time", "settings": dict(ct.settings), **info,
            "call": {"function": "analysis.figures.measures.calendar_time_figure", "weighting": weighting,
                     "title": title, "stem": stem, "formats": list(formats or ())}}
    return export(fig, out_dir, stem, formats, meta, dpi=dpi)
