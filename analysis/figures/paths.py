"""Paths as reports show them: relative to the project, or by name, never the machine's own.

A report, a notebook's saved outputs or a figure is handed to other people; a path such as
``/home/me/work/shared/data/prices/X.csv`` says nothing to them and tells them about the machine
that made it. :func:`shown_path` gives ``data/x.csv`` for a file inside the project and ``X.csv``
for one outside; :func:`scrub_paths` does that for every absolute path in a text (a library
message such as "no prices for X: /home/me/prices/X.csv does not exist").
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

# an absolute POSIX path anywhere in a text (two or more parts; not inside a URL, a relative
# path or a word: "AAR/CAAR", "../figures/x" and "https://host/x" are not machine paths)
ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])/(?:[A-Za-z0-9_.@+-]+/)+[A-Za-z0-9_.@+-]*")
# what the project's before-stop hook looks for in committed notebooks: a JSON string that
# starts with an absolute path ("/home/me/...")
JSON_PATH = re.compile(r'"/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+')
_DATA_URI = re.compile(r"(data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+)")


def project_root() -> Path:
    """The project folder (the working folder or the package's parent, whichever holds the
    project), else the working folder."""
    for c in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (c / "pyproject.toml").is_file() and (c / "analysis").is_dir():
            return c.resolve()
    return Path.cwd().resolve()


def shown_path(value, base: Path | None = None) -> str:
    """A path as a report shows it: relative to the project when inside it, else its name
    (``base``: the folder a relative path is relative to; default the working folder)."""
    if value in (None, ""):
        return ""
    p = Path(str(value)).expanduser()
    if not p.is_absolute():
        p = (base or Path.cwd()) / p
    p = Path(os.path.normpath(p))
    with contextlib.suppress(ValueError):
        return p.relative_to(project_root()).as_posix() or "."
    return p.name


def scrub_paths(text: str, base: Path | None = None) -> str:
    """``text`` with every absolute path shown as :func:`shown_path` shows it; base64 data URIs
    (embedded images) are left alone."""
    parts = _DATA_URI.split(text)
    return "".join(part if i % 2 else ABSOLUTE_PATH.sub(lambda m: shown_path(m.group(0).rstrip("/"), base)
                                                         or m.group(0), part)
                   for i, part in enumerate(parts))


def machine_paths(text: str) -> list[str]:
    """The absolute paths in a text (embedded images and other long base64 runs left out)."""
    text = re.sub(r"[A-Za-z0-9+/=]{200,}", "", _DATA_URI.sub("", text))
    return ABSOLUTE_PATH.findall(text) + JSON_PATH.findall(text)
