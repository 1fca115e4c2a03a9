"""Files the project writes: safe names, atomic writes, output sets, spreadsheet-safe cells.

Nothing the package writes is ever half-written, and nothing a user wrote is overwritten:

* :func:`atomic_path` / :func:`atomic_open` / :func:`atomic_write_bytes`: the bytes go to a
  temporary name in the target's own folder (created with mode 0666, so the user's umask
  decides who may read it), are flushed to disk (``fsync``) and renamed into place
  (``os.replace``); a process killed mid-write leaves the old file intact and at most a hidden
  ``.NAME.XXXXXXXX.tmp`` beside it.
* :class:`OutputSet`: the files of one command's ``--out`` folder. Every file is written into a
  hidden staging folder inside the output folder and renamed into place by :meth:`OutputSet.commit`,
  which writes the manifest ``.analysis-manifest.json`` last (every file with its size and
  SHA-256, ``"complete": true``). A run killed before the commit leaves only the hidden staging
  folder (cleaned by the next run); killed during the renames, the manifest says
  ``"complete": false``. A folder holding files the project did not write is refused
  (:class:`~analysis.errors.OutputError` naming one of them) unless ``overwrite``. A file is the
  project's only while it has the size and SHA-256 its manifest records: one the user edited
  since is the user's (refused, the message says it was edited; never removed). Files of the
  previous run that this run does not write are removed at the commit when they are unchanged,
  so a command's ``--out`` folder shows one run. Runs writing into one folder at the same time
  use their own staging folders and commit one after the other under a lock.
* :func:`neutralise`: a text cell that a spreadsheet would run as a formula (it begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a plain number) gets a
  leading ``'``. Every CSV the package writes for people goes through :func:`spreadsheet_safe`.

Every operating-system failure (full disk, read-only folder, permission denied, a file where a
folder should be) becomes one line naming the path and the cause (:func:`output_error`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from .errors import InputError, OutputError

MANIFEST = ".analysis-manifest.json"
LOCK = ".analysis.lock"
STAGING = ".analysis-staging-"
MANIFEST_FORMAT = 1
MAX_NAME = 80            # longest name safe_name makes: room for a prefix, a suffix and a temp tag


# --------------------------------------------------------------------------------------------
# names

def safe_name(text, *, fallback: str | None = None) -> str:
    """A name usable as a file or folder name: ``^HSI`` -> ``HSI``, ``BRK/B`` -> ``BRK_B``,
    ``1810.HK`` kept. A name longer than :data:`MAX_NAME` characters is cut and ends in 8 hex
    digits of its hash, so long group names stay distinct and every file system accepts them.
    Raises InputError when nothing is left (unless ``fallback`` is given)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text).strip()).strip("._")
    if not name:
        if fallback is not None:
            return fallback
        raise InputError(f"cannot make a file name from {text!r}")
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(str(text).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = f"{name[:MAX_NAME - 9].rstrip('._')}_{digest}"
    return name


FIGURE_KINDS = ("study", "estimation", "aar_caar", "listings", "volume", "volatility", "bhar", "calendar_time")
STEM_HASH = 6            # hex digits that tell apart subjects whose names alone would not


def _digest(text: str, n: int = STEM_HASH) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def _subject_name(subject, *, tagged: bool, n: int = STEM_HASH) -> str:
    """``subject`` as a file-name part; ``tagged``: ending in ``_`` + ``n`` hex digits of its hash."""
    text = str(subject)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()).strip("._") or "x"
    if not tagged:
        return name
    return f"{name[:MAX_NAME - n - 1].rstrip('._') or 'x'}_{_digest(text, n)}"


def figure_stems(kind: str, subjects: Iterable) -> dict:
    """``{subject: stem}`` for the figures of several subjects written into one folder (groups,
    events): :func:`figure_stem` of each, made distinct. A subject whose name sanitising changes
    (``te/ch``, ``te ch``, a name longer than :data:`MAX_NAME`) or that differs only in case from
    another subject of the folder (``tech`` and ``Tech``: one file on macOS and Windows) ends in
    ``_`` + 6 hex digits of the SHA-1 of its text (``aar_caar_te_ch_1f3a9c``); a plain name stays
    as it is (``aar_caar_tech``). The figure's JSON sidecar names the subject in full."""
    if kind not in FIGURE_KINDS:
        raise InputError(f"unknown figure kind {kind!r} (known: {', '.join(FIGURE_KINDS)})")
    subjects = list(dict.fromkeys(s for s in subjects if s not in (None, "")))
    plain = {s: _subject_name(s, tagged=False) for s in subjects}
    folded: dict[str, int] = {}
    for name in plain.values():
        folded[name.casefold()] = folded.get(name.casefold(), 0) + 1
    for n in (STEM_HASH, 16, 40):       # a longer digest only for names made to collide
        names = {s: _subject_name(s, tagged=plain[s] != str(s) or len(plain[s]) > MAX_NAME
                                  or folded[plain[s].casefold()] > 1, n=n) for s in subjects}
        if len({v.casefold() for v in names.values()}) == len(names):
            break
    return {s: f"{kind}_{names[s]}" for s in subjects}


def figure_stem(kind: str, subject=None) -> str:
    """The one naming scheme of figure files, for the CLI and the notebooks alike:
    ``<kind>`` in a folder that holds one study (``figures/1810.HK_2021-03-26/study.png``), and
    ``<kind>_<subject>`` when a folder holds several of a kind (``study_1810.HK``,
    ``aar_caar_tech`` for a group). A subject whose name sanitising changes gets a hash suffix
    (``aar_caar_te_ch_1f3a9c`` for ``te/ch``); for several subjects in one folder use
    :func:`figure_stems`, which also tells apart names that differ only in case. Kinds: study,
    estimation, aar_caar, listings, and the measures' volume, volatility, bhar, calendar_time."""
    if kind not in FIGURE_KINDS:
        raise InputError(f"unknown figure kind {kind!r} (known: {', '.join(FIGURE_KINDS)})")
    return kind if subject in (None, "") else figure_stems(kind, [subject])[subject]


# --------------------------------------------------------------------------------------------
# errors

_CAUSES = {
    errno.ENOSPC: "no space left on the device (disk full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a file stands where a folder is needed",
    errno.EISDIR: "it is a folder",
    errno.ELOOP: "symbolic link loop",
    errno.ENAMETOOLONG: "file name too long",
    errno.EEXIST: "a file of that name exists",
}


def describe_os_error(exc: OSError) -> str:
    """The cause of an operating-system error in a few words (``disk full``, ``read-only ...``)."""
    return _CAUSES.get(exc.errno, exc.strerror or str(exc) or type(exc).__name__)


def output_error(exc: OSError, path, action: str = "write") -> OutputError:
    """``cannot <action> <path>: <cause>`` as an :class:`OutputError`."""
    return OutputError(f"cannot {action} {path}: {describe_os_error(exc)}")


# --------------------------------------------------------------------------------------------
# atomic writes

def _fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX); best effort elsewhere."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_file(folder: Path, name: str) -> tuple[int, Path]:
    """A new, empty, hidden file ``folder/.NAME.XXXXXXXX.tmp`` opened for writing: ``(fd, path)``.

    Created with mode 0666 and ``O_EXCL`` (unlike :func:`tempfile.mkstemp`'s 0600), so the
    user's umask sets its permissions and two writers never share a name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    stem = name[:MAX_NAME * 2]
    while True:
        tmp = folder / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:       # pragma: no cover - 32 random bits
            continue


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for a writer that takes a file name (matplotlib,
    pyarrow, pandas); on success the file is fsynced and renamed to ``path``, on failure removed.
    Operating-system errors become one-line :class:`OutputError`."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file(target.parent, target.name)
        os.close(fd)
    except OSError as exc:
        raise output_error(exc, target) from None
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(exc, target) from None
        raise
    _fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8",
                newline: str | None = None):
    """``open()`` for writing, atomically (see :func:`atomic_path`); ``mode`` is ``"w"`` or ``"wb"``."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes only ('w' or 'wb'), got {mode!r}")
    with atomic_path(path) as tmp:
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with open(tmp, mode, **kwargs) as fh:
            yield fh
            fh.flush()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; returns the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def locked(lock_file: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive POSIX ``flock`` on ``lock_file`` (created if needed): yields True, or
    False when ``blocking=False`` and another process holds it. Without ``fcntl`` (Windows)
    nothing is locked: the atomic renames still protect every file."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield True
        return
    try:
        fh = open(lock_file, "a+b")
    except OSError as exc:
        raise output_error(exc, lock_file, "lock") from None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------
# spreadsheet-safe cells

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, made inert with a leading ``'``.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets the quote
    (OWASP "CSV injection"); plain numbers written as text (``-0.5``, ``+3e-2``) and every
    non-text value are returned unchanged, so numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def map_distinct(series, fn, fill):
    """``fn`` of each cell of ``series`` as a numpy array, ``fn`` called once per distinct value
    (a column of event ids or tickers repeats each value on many rows); ``fill`` on missing
    cells. Cells that cannot be hashed fall back to one call per cell."""
    import numpy as np
    import pandas as pd

    try:
        codes, uniq = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        return np.array([fill if _is_na(v) else fn(v) for v in series], dtype=object)
    mapped = np.empty(len(uniq) + 1, dtype=object)
    mapped[:-1] = [fn(v) for v in np.asarray(uniq, dtype=object)]
    mapped[-1] = fill
    values = mapped[codes]
    return values.astype(bool) if isinstance(fill, bool) else values


def _is_na(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def spreadsheet_safe(frame):
    """A copy of ``frame`` whose text cells (object and string columns) are :func:`neutralise`-d
    and whose column names are too; numeric, date and boolean columns are untouched."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            text = map_distinct(s, lambda v: isinstance(v, str) and v.startswith(_FORMULA_START), False)
            if text.any():
                out[col] = s.where(~text, s.map(neutralise))
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


# --------------------------------------------------------------------------------------------
# manifests

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: str | os.PathLike) -> dict:
    """The manifest of an output folder (``{}`` when there is none or it is not ours)."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    for key in ("files", "earlier"):
        if not isinstance(data.get(key, {}), dict):
            return {}
    return data


def written_files(manifest: dict) -> set[str]:
    """Every relative path a manifest says the project wrote (this set and earlier ones), as
    written: see :func:`owned_files` for those still as the project left them."""
    return set(manifest.get("files", {})) | set(manifest.get("earlier", {}))


def _recorded(manifest: dict) -> dict[str, list]:
    """``{relative path: [{"bytes", "sha256"}, ...]}``: every version of a file a manifest
    lists (its ``files``, and while a commit is under way the versions it replaces, ``earlier``)."""
    out: dict[str, list] = {}
    for key in ("files", "earlier"):
        for rel, info in manifest.get(key, {}).items():
            out.setdefault(rel, []).append(info)
    return out


_HASHED: dict = {}       # (path, size, mtime_ns, inode) -> sha256: a file is hashed once per run


def unchanged(path: Path, infos) -> dict | None:
    """The manifest entry (of ``infos``, one or a list) whose size and SHA-256 the file at
    ``path`` has: the project wrote it and nobody edited it since; None otherwise."""
    infos = [i for i in (infos if isinstance(infos, list) else [infos])
             if isinstance(i, dict) and i.get("sha256")]
    try:
        st = path.stat()
    except OSError:
        return None
    infos = [i for i in infos if i.get("bytes") == st.st_size]
    if not infos or not path.is_file():
        return None
    key = (str(path.absolute()), st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _HASHED:
        try:
            _HASHED[key] = _sha256(path)
        except OSError:
            return None
    return next((i for i in infos if i["sha256"] == _HASHED[key]), None)


def owned_files(folder: Path, manifest: dict) -> set[str]:
    """The files of ``folder`` the project wrote and nobody changed since (by the size and
    SHA-256 its manifest records). A file the project wrote and the user then edited is the
    user's: it is refused, never replaced or removed, without ``overwrite``."""
    return {rel for rel, infos in _recorded(manifest).items() if unchanged(folder / rel, infos)}


def _edited(folder: Path, rel: str, manifest: dict) -> bool:
    return rel in written_files(manifest) and (folder / rel).exists()


def check_output(folder: str | os.PathLike) -> list[str]:
    """Problems of an output set: ``[]`` when its manifest is complete and every file listed
    has the size and SHA-256 the manifest gives."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if not manifest:
        return [f"{folder} has no manifest ({MANIFEST})"]
    problems = [] if manifest.get("complete") else ["the manifest says the set is incomplete"]
    for name, info in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != info.get("bytes") or _sha256(path) != info.get("sha256"):
            problems.append(f"{name} differs from the manifest")
    return problems


def _visible_files(folder: Path) -> Iterator[str]:
    """Relative paths of the files under ``folder``, hidden names (ours: manifest, lock,
    staging and temporary files) skipped, in sorted order, lazily."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            for sub in _visible_files(Path(entry.path)):
                yield f"{entry.name}/{sub}"
        else:
            yield entry.name


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & getattr(os, "ST_RDONLY", 1))
    except (OSError, AttributeError):
        return False


def _refuse_foreign(folder: Path, manifest: dict) -> None:
    ours = owned_files(folder, manifest)
    for rel in _visible_files(folder):
        if rel in ours:
            continue
        if _edited(folder, rel, manifest):
            raise OutputError(f"output folder {folder} holds {rel}, which analysis wrote but was edited "
                              "since: choose a new folder, or pass --overwrite to write beside it "
                              "(files of the same name are replaced)")
        raise OutputError(f"output folder {folder} holds {rel}, which analysis did not write: "
                          "choose a new or empty folder, or pass --overwrite to write beside it "
                          "(files of the same name are replaced)")


def _refuse_names(folder: Path, names: Iterable[str], manifest: dict) -> None:
    recorded = _recorded(manifest)
    for name in names:
        path = folder / name
        if not (path.exists() or path.is_symlink()) or unchanged(path, recorded.get(name)):
            continue
        if _edited(folder, name, manifest):
            raise OutputError(f"{path} was written by analysis but edited since: choose another name, "
                              "or pass --overwrite to replace it")
        raise OutputError(f"{path} exists and analysis did not write it: choose another name, "
                          "or pass --overwrite to replace it")


class OutputSet:
    """The files one command writes into one folder (see the module docstring).

    ``whole_folder=True`` (a command's ``--out DIR``): the folder may hold only files the
    project wrote; ``False`` (``--out FILE``, a notebook's reports folder): only the names this
    set writes are checked. ``overwrite=True`` replaces any file of the same name (never
    deletes another). Use as a context manager: committed on success, discarded on error::

        with OutputSet(out, overwrite=args.overwrite, command="study") as files:
            frame.to_csv(files.path("car.csv"))
        # files.written: ["car.csv", ...]
    """

    def __init__(self, folder: str | os.PathLike, *, overwrite: bool = False, whole_folder: bool = True,
                 command: str = "analysis"):
        self.folder = Path(folder).expanduser()
        self.overwrite = bool(overwrite)
        self.whole_folder = bool(whole_folder)
        self.command = command
        self.written: list[str] = []
        self._lock_fh = None
        self.check(self.folder, overwrite=overwrite, whole_folder=whole_folder)
        self._created = self._make_folder()
        self._remove_stale_staging()
        self.dir = self._make_staging()

    # ------------------------------------------------------------------ folder checks
    @classmethod
    def check(cls, folder: str | os.PathLike, *, overwrite: bool = False, whole_folder: bool = True,
              names: Iterable[str] = ()) -> None:
        """The constructor's checks, writing nothing: a command calls this before its work so
        that a folder it cannot use is refused at once. OutputError when ``folder`` is a file,
        cannot be created or written, holds files the project did not write (``whole_folder``)
        or holds a file of one of ``names`` the project did not write (unless ``overwrite``)."""
        f = Path(folder).expanduser()
        if f.is_symlink() and not f.exists():
            raise OutputError(f"output folder {f} is a broken symbolic link or a link loop")
        if f.exists() and not f.is_dir():
            raise OutputError(f"output folder {f} is a file, not a folder")
        existing = next((p for p in (f, *f.absolute().parents) if p.exists()), None)
        if existing is not None and not existing.is_dir():
            raise OutputError(f"cannot create output folder {f}: {existing} is a file")
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            cause = "read-only file system" if _read_only(existing) else "permission denied"
            raise OutputError(f"cannot write to output folder {f}: {cause}")
        if not f.is_dir() or overwrite:
            return
        # a folder the project wrote before: checked while no other run is committing into it
        # (mid-commit its files and manifest do not yet agree)
        with locked(f / LOCK) if (f / LOCK).is_file() else contextlib.nullcontext():
            manifest = read_manifest(f)
            if whole_folder:
                _refuse_foreign(f, manifest)
            _refuse_names(f, names, manifest)

    def _make_folder(self) -> list[Path]:
        """Create the folder (and missing parents); returns those created, deepest first."""
        f = self.folder
        created = [p for p in (f, *f.absolute().parents) if not p.exists()]
        try:
            f.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputError(f"cannot create output folder {f}: a file stands in its path") from None
        except OSError as exc:
            raise output_error(exc, f"output folder {f}", "create") from None
        return created

    def _remove_stale_staging(self) -> None:
        """Staging folders of runs that were killed (nobody holds their lock) are removed."""
        with contextlib.suppress(OSError, OutputError):
            for entry in os.scandir(self.folder):
                lock = Path(entry.path) / LOCK
                # a staging folder without its lock file is being made right now: left alone
                if entry.name.startswith(STAGING) and entry.is_dir(follow_symlinks=False) and lock.exists():
                    with locked(lock, blocking=False) as free:
                        if free:
                            shutil.rmtree(entry.path, ignore_errors=True)

    def check_names(self, names: Iterable[str]) -> None:
        """OutputError when a file of one of ``names`` exists and the project did not write it
        (unless ``overwrite``)."""
        if not self.overwrite:
            _refuse_names(self.folder, names, read_manifest(self.folder))

    def _make_staging(self) -> Path:
        try:
            staging = Path(self.folder / f"{STAGING}{secrets.token_hex(6)}")
            staging.mkdir()
            self._lock_fh = open(staging / LOCK, "a+b")
        except OSError as exc:
            raise output_error(exc, f"output folder {self.folder}") from None
        try:
            import fcntl
            fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            pass
        return staging

    # ------------------------------------------------------------------ writing
    def path(self, name: str) -> Path:
        """Where to write the file ``name`` (a relative path such as ``figures/a.png``) now; it
        appears under that name in the folder at :meth:`commit`."""
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise InputError(f"an output name must be a relative path inside the folder, got {name!r}")
        target = self.dir / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(exc, self.folder / rel) from None
        return target

    def write_bytes(self, name: str, data: bytes) -> Path:
        path = self.path(name)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise output_error(exc, self.folder / name) from None
        return path

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"))

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """Yield the staging path of ``name`` for a writer that takes a path; operating-system
        errors (a full disk) become one-line OutputErrors naming the final file."""
        path = self.path(name)
        try:
            yield path
        except OSError as exc:
            raise output_error(exc, self.folder / name) from None

    def staged(self) -> list[str]:
        """Relative paths of the files written so far."""
        out = []
        for root, _dirs, files in os.walk(self.dir):
            for f in files:
                rel = Path(root, f).relative_to(self.dir).as_posix()
                if rel != LOCK:
                    out.append(rel)
        return sorted(out)

    # ------------------------------------------------------------------ commit
    def commit(self) -> list[str]:
        """Rename every staged file into place, the manifest last; returns the names written."""
        names = self.staged()
        try:
            for rel in names:
                _fsync_file(self.dir / rel)
            entries = {rel: {"bytes": (self.dir / rel).stat().st_size, "sha256": _sha256(self.dir / rel)}
                       for rel in names}
        except OSError as exc:
            self.discard()
            raise output_error(exc, f"output folder {self.folder}") from None
        try:
            with locked(self.folder / LOCK):
                self._commit_locked(names, entries)
        except BaseException:
            self.discard()
            raise
        self.written = names
        self.discard()
        return names

    def _commit_locked(self, names: list[str], entries: dict) -> None:
        old = read_manifest(self.folder)
        if not self.overwrite:
            if self.whole_folder:
                _refuse_foreign(self.folder, old)
            _refuse_names(self.folder, names, old)
        # files of earlier runs still as the project wrote them; an edited one is the user's now
        present = {k: info for k, infos in _recorded(old).items()
                   if (info := unchanged(self.folder / k, infos)) is not None}
        before = {k: v for k, v in present.items() if k not in entries}
        if self.whole_folder:    # this run's files are the set: the earlier run's go (stale)
            files, stale = entries, before
        else:                    # a folder shared by several outputs: the manifest lists them all
            files, stale = {**before, **entries}, {}
        # until the commit is done, the versions it replaces or removes stay listed ("earlier"),
        # so that after a run killed halfway every file is still known as the project's
        self._write_manifest(files, present, complete=False)
        for rel in names:
            target = self.folder / rel
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.dir / rel, target)
            except OSError as exc:
                raise output_error(exc, target) from None
        for folder in {(self.folder / rel).parent for rel in names}:
            _fsync_dir(folder)
        self._remove_stale(stale)
        self._write_manifest(files, {}, complete=True)

    def _remove_stale(self, stale: dict) -> None:
        """Remove the earlier run's files this run did not write (the folder shows one run),
        each only if it is still as the project wrote it; emptied subfolders go too. A file
        the user edited or added is never removed."""
        folders = set()
        for rel, info in stale.items():
            path = self.folder / rel
            if unchanged(path, info):
                with contextlib.suppress(OSError):
                    path.unlink()
                    folders.add(path.parent)
        for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
            while folder != self.folder and self.folder in folder.parents:
                try:
                    folder.rmdir()            # only when empty
                except OSError:
                    break
                folder = folder.parent

    def _write_manifest(self, files: dict, earlier: dict, *, complete: bool) -> None:
        from . import __version__

        payload = {"format": MANIFEST_FORMAT, "written_by": f"analysis {__version__}",
                   "command": self.command, "complete": complete,
                   "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   "files": dict(sorted(files.items())), "earlier": dict(sorted(earlier.items()))}
        atomic_write_text(self.folder / MANIFEST, json.dumps(payload, indent=2) + "\n")

    def discard(self) -> None:
        """Remove the staging folder (what was not committed is lost; nothing else is touched)."""
        if self._lock_fh is not None:
            with contextlib.suppress(OSError):
                self._lock_fh.close()
            self._lock_fh = None
        shutil.rmtree(self.dir, ignore_errors=True)
        if not self.written:       # nothing committed: folders this set created go again
            for folder in self._created:
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
            return
        self.discard()
        if isinstance(exc, OSError):      # a writer failed (disk full...): one line, not a traceback
            raise output_error(exc, f"output folder {self.folder}") from None
