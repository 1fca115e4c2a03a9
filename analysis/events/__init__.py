"""Events: the events table, news extraction, date phrases, companies, timing on exchange
calendars and contamination checks. Imports :mod:`analysis.data` only."""
