"""Figures drawn in helper processes while the command goes on: the same files, sooner.

A command that will write figures (``batch``, ``study``) starts :class:`FigureWorkers` before
its study runs. Each worker is a Python process of its own that imports matplotlib and
:mod:`analysis.figures.plotting` and renders a small warm-up figure (fonts loaded) while the
command reads prices and runs the engine on the other core; the command then hands each
worker one figure to draw (:meth:`FigureWorkers.submit`, with a :class:`FigureData` snapshot of
the result: the settings, the diagnostics and the tables the figure draws, never the whole
result) and writes its tables while the workers draw and export. :meth:`FigureWorkers.wait`
returns each figure's paths in the order submitted.

The files are the ones the same call writes in the command's own process (the same functions,
style and settings: the environment and working folder are the command's), into the command's
staging folder (:class:`analysis.files.OutputSet`), so all files still appear together or none.
An error a figure raises in a worker (a bad ``--figure-formats``, nothing to draw) is raised by
:meth:`~FigureWorkers.wait` as it would have been raised in the command; a worker that could
not start or died is replaced by drawing that figure in the command's process.

Workers are started only on cores no other process is using (:func:`spare_cores`, from the load
average): on a machine with one core, or all cores busy, every figure is drawn in the command's
process, one after the other, as before. ``ANALYSIS_FIGURE_WORKERS=N`` starts ``N`` (at most
one per figure) whatever the load; ``0`` none.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

__all__ = ["FigureData", "FigureWorkers", "cores", "spare_cores", "workers_wanted", "main"]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def spare_cores() -> int:
    """The cores no process is using: the cores less the load average of the last minute
    (which counts this process), rounded; all but one when the load is unknown. A worker on a
    core another process needs would only slow the command down (it imports matplotlib and
    pandas a second time)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 1.0
    return max(0, int(cores() - load + 0.5))


def workers_wanted(n: int) -> int:
    """How many of ``n`` workers to start: the setting ``ANALYSIS_FIGURE_WORKERS`` when set
    (:func:`analysis.config.figure_workers`; 0: none), else as many as there are spare cores
    (:func:`spare_cores`), none on one core."""
    from .. import config

    setting = config.figure_workers()
    if setting is not None:
        return min(int(n), setting)
    return min(int(n), spare_cores()) if cores() > 1 else 0


class FigureData:
    """What the ``*_figure`` functions of :mod:`analysis.figures.plotting` read from a result,
    taken from the result in the command's process and sent to a worker (a few kilobytes,
    where the result holds every event's arrays): ``settings``, ``diagnostics``, the AAR tables
    of ``groups`` (``None``: all events), and for ``event_id`` its abnormal-return rows and, when
    ``estimation`` is true, its estimation-window design and fit."""

    def __init__(self, result, *, groups=(), event_id=None, estimation: bool = False):
        self.settings = dict(getattr(result, "settings", None) or {})
        self.diagnostics = result.diagnostics
        self._aar = {g: result.aar(group=g) for g in groups}
        if event_id is not None:
            ar = result.abnormal_returns
            self.abnormal_returns = ar[ar["event_id"] == event_id]
        if estimation:
            self._design = {event_id: result._estimation_design(event_id)}
            self._fit = {event_id: result.fit_table(event_id)}

    def aar(self, window=None, group=None):
        if window is not None or group not in self._aar:
            from ..errors import InputError

            raise InputError(f"no AAR table of group {group!r} (window {window!r}) in this figure data")
        return self._aar[group].copy()

    def _estimation_design(self, event_id):
        return self._design[event_id]

    def fit_table(self, event_id):
        return self._fit[event_id]


def _draw(name: str, args: tuple, kwargs: dict):
    from . import plotting

    return getattr(plotting, name)(*args, **kwargs)


class FigureWorkers:
    """Up to ``n`` figure processes, started now (see the module docstring): as many as
    :func:`workers_wanted` says. Use as a context manager, or call :meth:`close`."""

    def __init__(self, n: int = 1):
        n = workers_wanted(n)
        self._idle: list[subprocess.Popen] = []
        self._jobs: list[tuple] = []           # (process or None, name, args, kwargs)
        root = str(Path(__file__).resolve().parents[2])      # the package this process runs
        code = f"import sys; sys.path.insert(0, {root!r}); from analysis.figures.worker import main; main()"
        for _ in range(max(n, 0) if sys.executable else 0):
            try:
                self._idle.append(subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                                   stdout=subprocess.PIPE))
            except OSError:
                break

    def submit(self, name: str, *args, **kwargs) -> None:
        """Draw ``analysis.figures.plotting.<name>(*args, **kwargs)`` in an idle worker (sent at
        once), else later in this process (at :meth:`wait`)."""
        proc = None
        if self._idle:
            try:
                job = pickle.dumps((name, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, AttributeError, TypeError):
                job = None                     # not sendable: drawn here
            if job is not None:
                proc = self._idle.pop(0)
                # sent by a thread: a worker still warming up reads it later, and a job larger
                # than the pipe's buffer must not hold up the command meanwhile
                threading.Thread(target=_send, args=(proc, job), daemon=True).start()
        self._jobs.append((proc, name, args, kwargs))

    def wait(self) -> list:
        """Each submitted figure's return value (its paths), in the order submitted; an error a
        figure raised is raised here."""
        out: dict = {}
        for i, (proc, name, args, kwargs) in enumerate(self._jobs):    # the ones for here first,
            if proc is None:                                             # while the workers draw
                out[i] = _draw(name, args, kwargs)
        for i, (proc, name, args, kwargs) in enumerate(self._jobs):
            if proc is None:
                continue
            reply = _reply(proc)
            if reply is None:                  # the worker died: draw it here
                _remove_partial(kwargs)
                out[i] = _draw(name, args, kwargs)
                continue
            ok, value = reply
            if not ok:
                raise value
            out[i] = value
        self._jobs = []
        return [out[i] for i in sorted(out)]

    def close(self) -> None:
        """Stop every worker not waited for (idle ones, and busy ones after an error: their
        figures are not wanted and the staging folder goes away)."""
        for proc in self._idle + [job[0] for job in self._jobs if job[0] is not None]:
            _stop(proc)
        self._idle, self._jobs = [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _remove_partial(kwargs: dict) -> None:
    """The temporary files a worker that died left beside its figure's files
    (:func:`analysis.files.temp_file`: ``.<stem>.<fmt>.XXXXXXXX.tmp``), which the output set
    would otherwise take for files of the run."""
    stem, out_dir = kwargs.get("stem"), kwargs.get("out_dir")
    if not stem or out_dir is None:
        return
    for path in Path(out_dir).glob(f".{stem}.*.tmp"):
        try:
            path.unlink()
        except OSError:
            pass


def _send(proc, job: bytes) -> None:
    try:
        proc.stdin.write(job)
        proc.stdin.flush()
    except (OSError, ValueError):        # the worker died (its reply is then missing: drawn here)
        pass


def _reply(proc):
    """``(ok, value)`` from a worker that got a job (it exits once it has answered), or None
    when it died without answering."""
    try:
        reply = pickle.load(proc.stdout)
    except Exception:          # EOF, a broken pipe, a reply that cannot be read: draw it here
        reply = None
    _stop(proc, kill=reply is None)
    return reply


def _stop(proc, kill: bool = True) -> None:
    if kill:
        proc.kill()
    for stream in (proc.stdin, proc.stdout):
        try:
            stream.close()
        except OSError:
            pass
    proc.wait()


def _warm_up() -> None:
    """Import matplotlib and the plotting module and render text once (fonts and caches loaded)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from . import plotting

    fig, axes = plotting._new_figure(1, 1, height=1.0, width=1.0)
    with plotting.style():
        axes[0, 0].set_title("0")
        FigureCanvasAgg(fig).print_png(io.BytesIO())


def main() -> None:
    """A worker: warm up, then draw the one job read from standard input and answer
    ``(ok, paths or error)`` on standard output (anything printed goes to stderr)."""
    import signal

    # Ctrl-C reaches the whole process group: the command stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    jobs = sys.stdin.buffer
    try:
        _warm_up()
    except Exception:           # drawing will say what is wrong, in the job's own error
        pass
    try:
        name, args, kwargs = pickle.load(jobs)       # one figure per worker
    except Exception:         # no job (the command needed no figure, or is gone)
        os._exit(0)
    try:
        reply = (True, _draw(name, args, kwargs))
    except Exception as exc:               # raised again in the command's process
        reply = (False, exc)
    try:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        data = pickle.dumps((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
    try:
        replies.write(data)
        replies.flush()
    except OSError:          # the command is gone: nobody to answer
        pass
    os._exit(0)      # the files are written and closed: no interpreter teardown to wait for


if __name__ == "__main__":
    main()
