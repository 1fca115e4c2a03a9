"""Controls that rerun a one-event study in JupyterLab and redraw it in place (ipywidgets).

``StudyControls(ticker="1810.HK", market="^HSI", when="2021-03-26", source=source)`` shows a
row of inputs (ticker, market, date or announcement time, estimation and event windows, model)
and a *Run* button. Each run goes through the one pipeline
(:func:`analysis.core.pipeline.run_study`) and replaces what the output area shows: the summary
tables (:meth:`analysis.core.results.EventStudyResult.summary`) and the study figure
(:func:`analysis.figures.plotting.draw_study`). A study that cannot be done shows its one-line
reason instead. ``controls.study`` is the last :class:`~analysis.core.pipeline.Study`.

The papermill route (``python -m analysis notebook --ticker ...``) stays the way to rerun a
notebook from a terminal or for many tickers.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from ..core.models import get_model
from ..core.pipeline import Study, run_study
from ..errors import AnalysisError
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_MIN_ESTIMATION_OBS,
                       DEFAULT_MODEL, MODEL_NAMES)
from . import plotting

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def one_event_table(ticker: str, market: str, when: str) -> pd.DataFrame:
    """A one-row events table: ``when`` is a date (YYYY-MM-DD) or an announcement time with its
    UTC offset (timed on the listing's calendar like ``announced_at``)."""
    from ..errors import InputError

    ticker, market, when = str(ticker).strip(), str(market or "").strip(), str(when).strip()
    if not ticker:
        raise InputError("give a ticker")
    if not when:
        raise InputError("give a date (YYYY-MM-DD) or an announcement time with its UTC offset")
    row = {"event_id": f"{ticker}_{when[:10]}", "ticker": ticker}
    if market:
        row["market"] = market
    row["event_date" if _DATE.fullmatch(when) else "announced_at"] = when
    return pd.DataFrame([row])


def figure_png(fig, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (for display without pyplot)."""
    buf = io.BytesIO()
    with plotting.style():
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class StudyControls:
    """Inputs, a Run button and an output area that shows the rerun study (see the module)."""

    def __init__(self, ticker: str = "1810.HK", market: str = "^HSI", when: str = "2021-03-26", *,
                 estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
                 model: str = DEFAULT_MODEL, min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
                 source=None, run: bool = True):
        import ipywidgets as w

        self.source = source
        self.min_estimation_obs = int(min_estimation_obs)
        models = [m for m in MODEL_NAMES if not get_model(m).needs_factors]
        wide = w.Layout(width="12rem")
        self.ticker = w.Text(value=ticker, description="ticker", layout=wide)
        self.market = w.Text(value=market or "", description="market", placeholder="exchange index",
                             layout=wide)
        self.when = w.Text(value=str(when), description="date/time", layout=w.Layout(width="19rem"),
                           placeholder="2021-03-26 or 2021-03-26T12:30+08:00")
        self.estimation = w.IntRangeSlider(value=tuple(estimation_window), min=-750, max=-2, step=1,
                                           description="estimation", continuous_update=False,
                                           layout=w.Layout(width="24rem"))
        self.event = w.IntRangeSlider(value=tuple(event_window), min=-30, max=30, step=1,
                                      description="event", continuous_update=False,
                                      layout=w.Layout(width="24rem"))
        self.model = w.Dropdown(options=models, value=model if model in models else DEFAULT_MODEL,
                                description="model", layout=wide)
        self.run = w.Button(description="Run", button_style="primary", icon="play",
                            tooltip="rerun the study with these settings")
        self.status = w.HTML(value="")
        self.output = w.Output()
        self.study: Study | None = None
        self.error: str | None = None
        self.run.on_click(lambda _button: self.rerun())
        self.widget = w.VBox([w.HBox([self.ticker, self.market, self.when]),
                              w.HBox([self.estimation, self.event]),
                              w.HBox([self.model, self.run, self.status]), self.output])
        if run:
            self.rerun()

    # ------------------------------------------------------------------ running
    def settings(self) -> dict:
        return {"estimation_window": tuple(self.estimation.value), "event_window": tuple(self.event.value),
                "model": self.model.value, "min_estimation_obs": self.min_estimation_obs}

    def rerun(self) -> Study | None:
        """Run the study for the current inputs and redraw the output area."""
        self.status.value = "running..."
        self.run.disabled = True
        try:
            events = one_event_table(self.ticker.value, self.market.value, self.when.value)
            study = run_study(events, source=self.source, subjects_only=False, progress=False,
                              **self.settings())
            timed = study.events
            if timed["timing_error"].notna().iloc[0]:
                raise AnalysisError(str(timed["timing_error"].iloc[0]))
            study.result.raise_if_skipped(timed["event_id"].iloc[0])
        except AnalysisError as exc:
            self.study, self.error = None, str(exc)
            self._show_error(self.error)
            self.status.value = "<span style='color:#b71c1c'>not studied</span>"
            return None
        finally:
            self.run.disabled = False
        self.study, self.error = study, None
        self._show(study)
        d = study.result.diagnostics.iloc[0]
        self.status.value = f"day 0 {pd.Timestamp(d['day0']):%Y-%m-%d}, M = {int(d['m'])}"
        return study

    # ------------------------------------------------------------------ drawing
    def _show(self, study: Study) -> None:
        from IPython.display import HTML, Image

        result = study.result
        eid = result.event_ids[0]
        d = result.diagnostics.iloc[0]
        prices = {"stock": study.prices.get(d["ticker"]), "market": study.prices.get(d["market"])}
        fig, _ = plotting.draw_study(result, eid, prices=prices, marks=study.marks(eid) or None)
        self.output.outputs = ()
        self.output.append_display_data(Image(data=figure_png(fig), format="png", width=720))
        self.output.append_display_data(HTML(result.summary()._repr_html_()))

    def _show_error(self, message: str) -> None:
        from html import escape

        from IPython.display import HTML

        self.output.outputs = ()
        self.output.append_display_data(HTML(f"<p style='color:#b71c1c'>Not studied: {escape(message)}</p>"))

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, include=None, exclude=None):
        """The controls in a running JupyterLab; a note where no kernel can draw them (a
        notebook opened without running it, the HTML report)."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        note = ("Interactive controls (ticker, market, date or time, windows, model): run this cell "
                "in JupyterLab to rerun the study here.")
        bundle["text/plain"] = note
        bundle["text/html"] = f"<p><em>{note}</em></p>"
        return bundle
