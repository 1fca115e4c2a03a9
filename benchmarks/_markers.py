"""Writing a generated table into a document between two marker lines (docs/validation.md)."""

from __future__ import annotations

from pathlib import Path


def write_between(path, begin: str, end: str, block: str) -> None:
    """Replace the text from ``begin`` to ``end`` in ``path`` by ``block`` (which carries both
    markers); without the markers, append ``block`` to the file."""
    out = Path(path)
    text = out.read_text()
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    out.write_text(text)
