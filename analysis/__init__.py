"""Stock-reaction event studies: news text -> events -> day 0 -> prices -> AR/CAR -> tests -> figures.

The public API is imported lazily so that ``python -m analysis --help`` stays fast:

>>> import analysis
>>> analysis.run_event_study      # analysis.engine.run_event_study
>>> analysis.study                # one-event convenience (loads prices from a source)
>>> analysis.extract_events       # news text -> events table
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "run_event_study": "analysis.engine",
    "study": "analysis.engine",
    "EventStudyResult": "analysis.results",
    "extract_events": "analysis.extract",
    "subjects": "analysis.extract",
    "time_events": "analysis.timing",
    "resolve_day0": "analysis.timing",
    "calendar_for": "analysis.timing",
    "default_market": "analysis.timing",
    "confounding": "analysis.contamination",
    "exclusions": "analysis.contamination",
    "clustering": "analysis.contamination",
    "limit_flags": "analysis.contamination",
    "open_source": "analysis.prices",
    "load_panel": "analysis.prices",
    "CsvFolderSource": "analysis.prices",
    "validate_events": "analysis.events",
    "check_prices": "analysis.quality",
    "read_events": "analysis.events",
    "read_french_factors": "analysis.factors",
    "AnalysisError": "analysis.errors",
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
