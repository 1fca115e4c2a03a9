"""Stock-reaction event studies: news text -> events -> day 0 -> prices -> AR/CAR -> tests -> figures.

The public API is imported lazily so that ``python -m analysis --help`` stays fast:

>>> import analysis
>>> analysis.run_event_study      # analysis.core.pipeline.run_event_study
>>> analysis.study                # one event, prices from the configured source
>>> analysis.run_study            # events table -> Study (the pipeline every command uses)
>>> analysis.extract_events       # news text -> events table
>>> analysis.calendar_time        # events -> calendar-time portfolios and their alpha
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "run_event_study": "analysis.core.pipeline",
    "run_study": "analysis.core.pipeline",
    "Study": "analysis.core.pipeline",
    "study": "analysis.core.pipeline",
    "EventStudyResult": "analysis.core.results",
    "calendar_time": "analysis.core.calendar_time",
    "extract_events": "analysis.events.extract",
    "subjects": "analysis.events.extract",
    "time_events": "analysis.events.timing",
    "resolve_day0": "analysis.events.timing",
    "calendar_for": "analysis.data.exchanges",
    "default_market": "analysis.data.exchanges",
    "confounding": "analysis.events.contamination",
    "exclusions": "analysis.events.contamination",
    "clustering": "analysis.events.contamination",
    "limit_flags": "analysis.events.contamination",
    "open_source": "analysis.data.sources",
    "load_panel": "analysis.data.prices",
    "CsvFolderSource": "analysis.data.prices",
    "ParquetDatasetSource": "analysis.data.parquet",
    "validate_events": "analysis.events.table",
    "check_prices": "analysis.data.quality",
    "read_events": "analysis.events.table",
    "read_french_factors": "analysis.data.factors",
    "AnalysisError": "analysis.errors",
    "UserModel": "analysis.core.models",
    "UserFit": "analysis.core.models",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return __all__
