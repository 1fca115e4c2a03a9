"""Market data: price sources (CSV folder, Yahoo behind a parquet cache), quality checks,
factor files and the facts about exchanges. The lowest layer: it imports nothing else of the
package but :mod:`analysis.errors` and :mod:`analysis.config`."""
