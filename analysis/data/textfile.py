"""Reading a user's UTF-8 text file (events CSV, price CSV, news text) with one clear error.

Every reader of the package turns a missing file, a folder, an unreadable file or bytes that
are not UTF-8 into a one-line error that names the kind of file and its path.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import AnalysisError, InputError


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a text file, or None when it is a regular file (or a pipe).

    ``"does not exist"``, ``"is a folder"``, ``"is a symbolic link loop"``, ``"is a broken
    symbolic link"``, ``"is not a regular file (a device, socket...)"``, or the system's reason."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "is a broken symbolic link" if os.path.islink(path) else "does not exist"
    except OSError as exc:
        return "is a symbolic link loop" if exc.errno == errno.ELOOP else f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder"
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        return "is not a regular file (a device, socket...)"
    return None


def read_utf8(path: Path, what: str, *, error: type[AnalysisError] = InputError,
              missing: AnalysisError | None = None) -> str:
    """The text of ``path`` (UTF-8, a byte-order mark accepted).

    ``what`` names the file in messages ("events file"); ``error`` is the class raised;
    ``missing``: the error to raise instead when the file does not exist. A folder, a link
    loop, a device such as ``/dev/zero`` or a file too large for memory is refused by name.
    """
    problem = not_a_file(path)
    if problem == "does not exist" and missing is not None:
        raise missing
    if problem is not None:
        raise error(f"{what} {path} {problem}")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise (missing or error(f"{what} does not exist: {path}")) from exc
    except IsADirectoryError as exc:
        raise error(f"{what} is a folder: {path}") from exc
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    except MemoryError:
        raise error(f"{what} {path} is too large to read into memory") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise error(f"{what} {path} is not UTF-8: byte {data[exc.start:exc.start + 1]!r} "
                    f"at line {line}") from exc
