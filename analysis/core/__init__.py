"""The study: windows and defaults, returns, models, the engine, results, statistics and the one
pipeline from an events table to a result (``analysis.core``, not ``study``, so that
the one-event function ``analysis.study`` keeps its name). Imports :mod:`analysis.events` and :mod:`analysis.data`."""
