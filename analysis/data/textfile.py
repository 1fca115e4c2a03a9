"""Reading a user's UTF-8 text file (events CSV, price CSV, news text) with one clear error.

Every reader of the package turns a missing file, a folder, an unreadable file or bytes that
are not UTF-8 into a one-line error that names the kind of file and its path.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AnalysisError, InputError


def read_utf8(path: Path, what: str, *, error: type[AnalysisError] = InputError,
              missing: AnalysisError | None = None) -> str:
    """The text of ``path`` (UTF-8, a byte-order mark accepted).

    ``what`` names the file in messages ("events file"); ``error`` is the class raised;
    ``missing``: the error to raise instead when the file does not exist.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise (missing or error(f"{what} does not exist: {path}")) from exc
    except IsADirectoryError as exc:
        raise error(f"{what} is a folder: {path}") from exc
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise error(f"{what} {path} is not UTF-8: byte {data[exc.start:exc.start + 1]!r} "
                    f"at line {line}") from exc
