"""File names made from user values (tickers, dates, group names)."""

from __future__ import annotations

import re

from .errors import InputError


def safe_name(text, *, fallback: str | None = None) -> str:
    """A name usable as a file or folder name: ``^HSI`` -> ``HSI``, ``BRK/B`` -> ``BRK_B``,
    ``1810.HK`` kept. Raises InputError when nothing is left (unless ``fallback`` is given)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text).strip()).strip("._")
    if not name:
        if fallback is not None:
            return fallback
        raise InputError(f"cannot make a file name from {text!r}")
    return name
