"""Errors a user can cause, under one base class.

Every message is one line that names the problem and the offending value, so the CLI can print
``error: <message>`` and exit with status 2 instead of a traceback. Code that is given bad input
raises one of these; anything else escaping is a bug in the package.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class of every error caused by input, data or settings (never by a bug)."""

    def __init__(self, message: str):
        # one line, always: a message is shown to people and written to diagnostics tables
        super().__init__(" ".join(str(message).split()))


class ConfigError(AnalysisError):
    """A setting (environment variable, CLI flag, argument) is invalid."""


class InputError(AnalysisError):
    """A user-supplied table (events CSV, factor file, argument) is malformed."""


class DataError(AnalysisError):
    """Price data are missing, malformed or unusable (bad CSV, non-positive prices...)."""


class UnknownTickerError(DataError):
    """No prices exist for the symbol in the configured source."""


class DownloadError(DataError):
    """A network source failed or returned nothing for a symbol."""


class OfflineError(DownloadError):
    """Network access was needed but is forbidden (ANALYSIS_OFFLINE=1)."""


class CacheError(DataError):
    """A cache file is corrupt or unreadable and could not be refetched."""


class CalendarError(AnalysisError):
    """An exchange calendar cannot be found, or a date cannot be placed on it."""


class EventError(AnalysisError):
    """An event cannot be studied: outside the data, non-trading date under policy 'error'..."""


class WindowError(AnalysisError):
    """Estimation or event windows are empty, inverted, overlapping or longer than the data."""


class EstimationError(AnalysisError):
    """The normal-return model cannot be estimated (too few returns, constant returns...)."""


class ExtractionError(AnalysisError):
    """News text cannot be turned into events (empty text, unparseable publication time)."""


class NotebookError(AnalysisError):
    """A notebook run by ``analysis notebook`` stopped in a cell (the partial output is kept)."""


class OutputError(AnalysisError):
    """An output cannot be written: the folder is a file, read-only or full, or it holds files
    the project did not write (see :class:`analysis.files.OutputSet`)."""
