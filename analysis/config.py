"""Settings, one name everywhere: API argument, CLI flag, environment variable, notebook parameter.

| setting       | CLI flag        | environment variable   | default                         |
|---------------|-----------------|------------------------|---------------------------------|
| prices_dir    | --prices-dir    | ANALYSIS_PRICES_DIR    | unset: Yahoo through the cache  |
| cache_dir     | --cache-dir     | ANALYSIS_CACHE_DIR     | the per-user cache folder (*)   |
| offline       | --offline       | ANALYSIS_OFFLINE       | off                             |
| shared_dir    | --shared-dir    | ANALYSIS_SHARED_DIR    | unset (seeds, events, factors)  |
| threads       | (none)          | ANALYSIS_THREADS       | the CPUs this process may use   |
| companies     | --companies     | ANALYSIS_COMPANIES     | unset (the shipped tables only) |
| timeout       | (none)          | ANALYSIS_TIMEOUT       | 20 (seconds per network request)|
| deadline      | (none)          | ANALYSIS_DEADLINE      | 120 (seconds for one download)  |
| figure_formats| --formats       | ANALYSIS_FIGURE_FORMATS| png,svg (PNG is always written) |
| figure_dpi    | --dpi           | ANALYSIS_FIGURE_DPI    | 200 (the package style)         |
| figure_size   | --size WxH      | ANALYSIS_FIGURE_SIZE   | each figure's own (6.5 in wide) |
| figure_workers| (none)          | ANALYSIS_FIGURE_WORKERS| unset: one per spare core (**)  |

(*) ``platformdirs.user_cache_path("analysis")``: ``~/.cache/analysis`` on Linux (or under
``$XDG_CACHE_HOME``), ``~/Library/Caches/analysis`` on macOS, ``%LOCALAPPDATA%\\analysis\\Cache``
on Windows; never a folder relative to where a command or a notebook kernel happens to run.

(**) the figure helper processes of ``batch`` and ``study`` (:mod:`analysis.figures.worker`):
unset, as many as there are cores no process is using (from the load average); 0 for none.

No path to any data folder is written into library code: the Makefile points these settings at
``../shared`` when it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def prices_dir(value: str | os.PathLike | None = None) -> Path | None:
    """CSV price folder: the argument if given, else ``ANALYSIS_PRICES_DIR``, else None."""
    path = Path(value).expanduser() if value else _env_path("ANALYSIS_PRICES_DIR")
    if path is not None and not path.is_dir():
        raise ConfigError(f"prices folder does not exist: {path}")
    return path


def cache_dir(value: str | os.PathLike | None = None) -> Path:
    """Parquet cache folder: the argument, else ``ANALYSIS_CACHE_DIR``, else the per-user cache
    folder (:func:`default_cache_dir`). ConfigError when it names a file (the folder itself may
    not exist yet)."""
    if value:
        path, how = Path(value).expanduser(), "--cache-dir"
    else:
        path, how = _env_path("ANALYSIS_CACHE_DIR"), "ANALYSIS_CACHE_DIR"
        if path is None:
            path, how = default_cache_dir(), "the default cache folder"
    if path.exists() and not path.is_dir():
        raise ConfigError(f"cache folder {path} ({how}) is a file, not a folder")
    return path


def default_cache_dir() -> Path:
    """The per-user cache folder of the platform (``platformdirs.user_cache_path``), the same
    wherever a command or a notebook kernel runs (``~/.cache/analysis`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("analysis", appauthor=False)


def offline(value: bool | None = None) -> bool:
    """True when network access is forbidden (argument, else ``ANALYSIS_OFFLINE``)."""
    if value is not None:
        return bool(value)
    raw = os.environ.get("ANALYSIS_OFFLINE", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"ANALYSIS_OFFLINE must be 0 or 1, got {raw!r}")


def shared_dir(value: str | os.PathLike | None = None, *, required: bool = True) -> Path | None:
    """Folder of read-only project material (seeds/, data/events, data/factors).

    The argument, else ``ANALYSIS_SHARED_DIR``; raises ConfigError when required and unset.
    """
    path = Path(value).expanduser() if value else _env_path("ANALYSIS_SHARED_DIR")
    if path is None:
        if required:
            raise ConfigError("shared data folder is not set: pass --shared-dir or set ANALYSIS_SHARED_DIR")
        return None
    if not path.is_dir():
        raise ConfigError(f"shared data folder does not exist: {path}")
    return path


def threads(value: int | None = None) -> int:
    """Worker threads for the block-wise array code and for reading price files (argument, else
    ``ANALYSIS_THREADS``, else the number of CPUs this process may use). 1 turns threading off."""
    if value is None:
        raw = os.environ.get("ANALYSIS_THREADS", "").strip()
        if not raw:
            try:
                return max(1, len(os.sched_getaffinity(0)))
            except AttributeError:          # not on Linux
                return max(1, os.cpu_count() or 1)
        value = raw
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"ANALYSIS_THREADS must be a whole number >= 1, got {value!r}") from None
    if n < 1:
        raise ConfigError(f"ANALYSIS_THREADS must be a whole number >= 1, got {value!r}")
    return n


def companies(value=None) -> list[Path]:
    """The user's company tables (:mod:`analysis.events.companies`): the argument (a path or a list
    of paths), else ``ANALYSIS_COMPANIES`` (paths separated by ``os.pathsep``), else none.
    Raises ConfigError for a file that does not exist."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raw = os.environ.get("ANALYSIS_COMPANIES", "").strip()
        items = [p for p in raw.split(os.pathsep) if p.strip()] if raw else []
    elif isinstance(value, (str, os.PathLike)):
        items = [value]
    else:
        items = list(value)
    paths = [Path(p).expanduser() for p in items]
    for path in paths:
        if not path.is_file():
            raise ConfigError(f"company table does not exist: {path}")
    return paths


DEFAULT_TIMEOUT = 20.0
DEFAULT_DEADLINE = 120.0


def _seconds(name: str, value, default: float) -> float:
    if value is None:
        raw = os.environ.get(name, "").strip()
        if not raw:
            return default
        value = raw
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number of seconds > 0, got {value!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigError(f"{name} must be a number of seconds > 0, got {value!r}")
    return seconds


def timeout(value: float | None = None) -> float:
    """Seconds one network request (to Yahoo Finance) may take: the argument, else
    ``ANALYSIS_TIMEOUT``, else 20."""
    return _seconds("ANALYSIS_TIMEOUT", value, DEFAULT_TIMEOUT)


def deadline(value: float | None = None) -> float:
    """Seconds one download of any number of symbols may take in all (every request, retry and
    back-off included): the argument, else ``ANALYSIS_DEADLINE``, else 120. Symbols not done by
    then are reported as failed, with the cause."""
    return _seconds("ANALYSIS_DEADLINE", value, DEFAULT_DEADLINE)


FIGURE_FORMATS = ("png", "svg", "pdf")


def figure_formats(value=None) -> tuple[str, ...]:
    """Figure file formats: the argument (``"png,svg,pdf"`` or a sequence), else
    ``ANALYSIS_FIGURE_FORMATS``, else PNG and SVG. PNG is always among them (reports embed it and
    notebooks show it)."""
    raw = value if value not in (None, "") else os.environ.get("ANALYSIS_FIGURE_FORMATS", "").strip()
    if not raw:
        return ("png", "svg")
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = [str(f).strip().lower().lstrip(".") for f in items if str(f).strip()]
    unknown = [f for f in wanted if f not in FIGURE_FORMATS]
    if unknown:
        raise ConfigError(f"unknown figure format {unknown[0]!r} (known: {', '.join(FIGURE_FORMATS)})")
    return tuple(f for f in FIGURE_FORMATS if f == "png" or f in wanted)


def figure_dpi(value=None) -> int | None:
    """Resolution of PNG figures in dots per inch: the argument, else ``ANALYSIS_FIGURE_DPI``,
    else None (the package style's 200)."""
    return _whole_number(value, "ANALYSIS_FIGURE_DPI", "figure dpi", 50, 1200)


def _whole_number(value, env: str, what: str, lo: int, hi: int | None = None) -> int | None:
    """A whole-number setting: the argument, else the variable ``env``, else None;
    ConfigError naming ``what`` when it is no whole number in ``[lo, hi]``."""
    raw = value if value not in (None, "") else os.environ.get(env, "").strip()
    if raw in (None, ""):
        return None
    try:
        n = int(str(raw).strip())
    except ValueError:
        n = None
    if n is None or n < lo or (hi is not None and n > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise ConfigError(f"{what} must be a whole number {bound}, got {raw!r}")
    return n


def figure_size(value=None) -> tuple[float, float] | None:
    """Figure size in inches, ``WxH`` (``6.5x4``): the argument, else ``ANALYSIS_FIGURE_SIZE``,
    else None (each figure's own size, 6.5 in wide)."""
    raw = value if value not in (None, "") else os.environ.get("ANALYSIS_FIGURE_SIZE", "").strip()
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        parts = raw.lower().replace("\u00d7", "x").split("x")
    else:
        parts = list(raw)
    try:
        w, h = (float(x) for x in parts)
    except (TypeError, ValueError):
        raise ConfigError(f"figure size must be WxH in inches (e.g. 6.5x4), got {raw!r}") from None
    if not (2 <= w <= 40 and 1.5 <= h <= 40):
        raise ConfigError(f"figure size {w:g}x{h:g} in is outside 2-40 x 1.5-40 inches")
    return (w, h)


def figure_workers(value=None) -> int | None:
    """Figure helper processes of ``batch`` and ``study`` (:mod:`analysis.figures.worker`): the
    argument, else ``ANALYSIS_FIGURE_WORKERS``, else None (one per spare core); 0 for none."""
    return _whole_number(value, "ANALYSIS_FIGURE_WORKERS", "ANALYSIS_FIGURE_WORKERS", 0)


def progress(iterable=None, **kwargs):
    """A tqdm progress bar over ``iterable`` (``kwargs`` as tqdm's): the notebook widget inside a
    Jupyter kernel, as ``tqdm.auto`` gives, the text bar elsewhere (``tqdm.auto`` also imports
    asyncio, two hundredths of a second in every command that shows progress)."""
    import sys

    if "ipykernel" in sys.modules:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(iterable, **kwargs)
