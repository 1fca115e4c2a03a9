"""Run the project's notebooks (papermill, nbclient) and export them as reports (nbconvert).

``python -m analysis notebook --ticker 1810.HK --market ^HSI --event-date 2021-03-26`` executes
the template ``notebooks/02-new-ticker.ipynb`` into ``reports/<TICKER>_<DATE>.ipynb`` with an
HTML report beside it; the notebook writes its figures under ``figures/<TICKER>_<DATE>/``.
``python -m analysis notebook --run notebooks/01-....ipynb ...`` executes notebooks with their
default parameters; ``--refresh`` executes the committed notebooks in place, so that they show
their figures and tables when opened (``make demo`` does this for all three).

The HTML report (:func:`export_html`) is one self-contained file: no script, style sheet, font
or widget from anywhere else; code hidden unless the reader ticks "show code" (or
``show_code=True``); a title with the ticker and date; the parameters as a settings table
instead of the parameters cells; no path of the machine that made it (paths are shown relative
to the project, or by their folder name).

Kernel: the one named ``python3``. jupyter_client replaces a kernelspec's ``python`` with
``sys.executable``, so the kernel is the interpreter running this code (the project's virtual
environment). Its sockets are encrypted with CurveZMQ (:func:`kernel_config`), not plain TCP.
Paths handed to a kernel stay as the user gave them: relative ones are made relative to the
kernel's working folder (the notebook's folder, as in JupyterLab), absolute ones stay absolute,
and unset ones stay unset so the kernel reads the environment (``ANALYSIS_PRICES_DIR``).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import html as _html
import io
import os
import re
import tempfile
import tokenize
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import AnalysisError, ConfigError, InputError, NotebookError
from ..files import atomic_write_text, safe_name
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_MIN_ESTIMATION_OBS,
                       DEFAULT_MODEL)
from .paths import machine_paths, project_root, scrub_paths, shown_path

TEMPLATE = "02-new-ticker.ipynb"
NOTEBOOKS = ("01-xiaomi-great-wall-ev.ipynb", "02-new-ticker.ipynb", "03-event-sample.ipynb",
             "04-volume-and-drift.ipynb")
REPORT_TEMPLATE = Path(__file__).with_name("templates") / "analysis_report.html.j2"
# cells with this tag are left out of the HTML report (e.g. the interactive controls)
REPORT_HIDE = "report-hide"
_TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex")
# jupyter_client interrupts a kernel before shutting it down, and ipykernel logs that as
# "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel" on our terminal: the kernel's own log
# is kept to critical messages (a cell's error is in the notebook and in our one-line message)
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)
_FIGURE_ENV = {"formats": "ANALYSIS_FIGURE_FORMATS", "dpi": "ANALYSIS_FIGURE_DPI", "size": "ANALYSIS_FIGURE_SIZE"}


def notebooks_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder of the project's notebooks: ``path``, else ``./notebooks``, else beside the package."""
    candidates = [Path(path)] if path else [Path.cwd() / "notebooks",
                                            Path(__file__).resolve().parents[2] / "notebooks"]
    for c in candidates:
        if (c / TEMPLATE).is_file():
            return c.resolve()
    raise ConfigError(f"notebook folder not found (looked in {', '.join(map(str, candidates))})")


def kernel_config():
    """Kernel manager settings for one kernel we start, so that it does not run "over TCP
    without encryption": CurveZMQ keys provisioned by the kernel manager when pyzmq has CurveZMQ
    (ipykernel's kernelspec supports it), else IPC sockets beside the connection file in the
    Jupyter runtime folder (POSIX). One call per kernel (the connection file name is new)."""
    import uuid

    import zmq
    from traitlets.config import Config

    c = Config()
    if zmq.has("curve"):
        c.KernelManager.transport_encryption = "auto"
    elif os.name == "posix":  # pragma: no cover - pyzmq's wheels have CurveZMQ
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        c.KernelManager.transport = "ipc"
        c.KernelManager.connection_file = str(runtime / f"kernel-{uuid.uuid4().hex[:12]}.json")
    return c


def _kernel_name() -> str:
    """``python3`` (the interpreter running us: see the module docstring); checked to exist."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:  # pragma: no cover - ipykernel is a dependency, its spec is built in
        raise ConfigError("no 'python3' Jupyter kernel: install ipykernel in this environment "
                          "(pip install -e .)") from None
    return "python3"


@contextlib.contextmanager
def _figure_environment(options: Mapping[str, Any] | None):
    """The figure options (formats, dpi, size) as ``ANALYSIS_FIGURE_*`` variables for the kernel
    started inside the block (a kernel inherits our environment); restored afterwards."""
    from .. import config

    values = {}
    for key, value in (options or {}).items():
        if value in (None, "", ()):
            continue
        if key == "formats":
            value = ",".join(config.figure_formats(value))
        elif key == "size":
            w, h = config.figure_size(value)
            value = f"{w:g}x{h:g}"
        elif key == "dpi":
            value = str(config.figure_dpi(value))
        values[_FIGURE_ENV[key]] = value
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_notebook(notebook: str | os.PathLike, output: str | os.PathLike,
                 parameters: Mapping[str, Any] | None = None, *, html: bool = True,
                 cwd: str | os.PathLike | None = None, timeout: int = 600, progress: bool = False,
                 overwrite: bool = False, figure_options: Mapping[str, Any] | None = None,
                 show_code: bool = False, figures: str | os.PathLike | None = None) -> dict[str, Path]:
    """Execute ``notebook`` into ``output`` with papermill; also write ``output`` as an HTML report.

    ``parameters`` replace the notebook's ``parameters`` cell. The kernel's working directory is
    ``cwd`` (default: the notebook's folder, so relative paths behave as in JupyterLab);
    ``figure_options`` (formats, dpi, size) reach the kernel as ``ANALYSIS_FIGURE_*`` settings.
    Returns ``{"ipynb": path, "html": path}`` (and ``"figures"``: the figures folder).

    The executed notebook and its HTML are one output set (:class:`analysis.files.OutputSet`):
    both replace the previous pair together, or neither does. A failing cell raises
    :class:`NotebookError` naming the cell and the error; the previous report and its HTML are
    left untouched and the failed run is kept beside them as ``<name>.failed.ipynb``. A file of
    the output's name that analysis did not write is refused unless ``overwrite``.

    ``figures``: the folder the notebook writes its figures into (its ``figures_dir``
    parameter), an output set of its own with a command's ``--out`` rules: refused before the
    run when it holds files analysis did not write (or wrote and the user edited) unless
    ``overwrite``; the kernel writes into the set's staging folder and the figures replace the
    previous run's only when the notebook ran through (a failed run leaves them as they were).
    """
    from ..files import OutputSet

    src = Path(notebook).resolve()
    _read_notebook(src)
    out = Path(output).resolve()
    kernel_cwd = Path(cwd).resolve() if cwd else src.parent
    failed = out.with_name(f"{out.stem}.failed.ipynb")
    names = [out.name, out.with_suffix(".html").name] if html else [out.name]
    OutputSet.check(out.parent, overwrite=overwrite, whole_folder=False, names=[*names, failed.name])
    if figures is not None:
        OutputSet.check(figures, overwrite=overwrite)
    parameters = dict(parameters or {})
    error, saved, figs = None, False, None
    try:
        with OutputSet(out.parent, overwrite=overwrite, whole_folder=False, command="notebook") as files:
            if figures is not None:
                figs = OutputSet(figures, overwrite=overwrite, command="notebook")
                parameters["figures_dir"] = kernel_path(figs.dir, kernel_cwd)
            staged = files.path(out.name)
            try:
                with _figure_environment(figure_options):
                    _execute(src, staged, parameters, cwd=kernel_cwd, timeout=timeout, progress=progress)
            except NotebookError as exc:
                error, saved = exc, staged.exists()
                if saved:                # the failed run is kept under a name that says so
                    _tidy_papermill_metadata(staged, kernel_cwd)
                    os.replace(staged, files.path(failed.name))
            else:
                _tidy_papermill_metadata(staged, kernel_cwd)
                if html:
                    export_html(staged, files.path(out.with_suffix(".html").name), base=kernel_cwd,
                                show_code=show_code)
                if figs is not None:     # the figures first, then the report that shows them
                    figs.commit()
    finally:
        if figs is not None:
            figs.discard()
    if error is not None:
        kept = f"failed run saved as {as_given(failed)}" if saved else "no notebook was saved"
        unchanged = f"; the previous {out.name} is unchanged" if out.exists() else ""
        raise NotebookError(f"{error} ({kept}{unchanged})")
    paths = {"ipynb": out}
    if html:
        paths["html"] = out.with_suffix(".html")
    if figures is not None:
        paths["figures"] = Path(figures)
    return paths


def as_given(path) -> str:
    """A path in a message: relative to the working folder when inside it, else as it is
    (absolute), never climbing out with ``../..``."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (OSError, ValueError):
        return str(p)


def _read_notebook(path: Path):
    """The notebook at ``path``; InputError when it is missing or not a Jupyter notebook."""
    import nbformat

    if not path.is_file():
        raise InputError(f"notebook not found: {path}")
    try:
        return nbformat.read(path, as_version=4)
    except (ValueError, UnicodeDecodeError, OSError, AttributeError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path} is not a Jupyter notebook (.ipynb JSON): {first[:200]}") from None


def _execute(src: Path, out: Path, parameters, *, cwd: Path, timeout: int, progress: bool) -> None:
    """papermill ``src`` -> ``out`` (kernel settings: :func:`kernel_config`); NotebookError
    naming the cell and the cause."""
    import papermill as pm

    with tempfile.TemporaryFile() as log:
        try:
            # language: the kernel is always python3, so a notebook without kernelspec metadata runs
            pm.execute_notebook(str(src), str(out), parameters=dict(parameters or {}), language="python",
                                kernel_name=_kernel_name(), cwd=str(cwd), progress_bar=progress,
                                request_save_on_cell_execute=False, execution_timeout=timeout,
                                log_output=False, config=kernel_config(),
                                extra_arguments=list(KERNEL_ARGUMENTS),
                                kernel_manager_class=_quiet_kernel_manager(log))
        except pm.PapermillExecutionError as exc:
            # the error is shown in the saved notebook; the command line gets one line
            raise NotebookError(f"{src.name} stopped in cell {exc.exec_count}: "
                                f"{_plain(exc.ename)}: {_plain(exc.evalue)}") from None
        except (RuntimeError, TimeoutError) as exc:     # dead kernel, cell timeout (nbclient)
            said = _last_line(log)
            raise NotebookError(f"{src.name} did not finish: {type(exc).__name__}: {_first_line(exc)}"
                                + (f" (kernel said: {said})" if said else "")) from None


def _quiet_kernel_manager(log):
    """nbclient's kernel manager with the kernel process's own stdout and stderr written to
    ``log`` (a binary file) instead of ours. What a cell prints reaches the notebook through the
    kernel's messages either way; the process streams only carry the kernel's own logging, such as
    ipykernel's traceback when its sockets close during shutdown (a race seen in CI), which must not
    reach a command's one-line error. The log's last line is quoted when the kernel dies."""
    from jupyter_client import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def _last_line(log) -> str:
    """The last non-blank line of the kernel's log (at most 300 characters), or ''."""
    try:
        log.flush()
        log.seek(0)
        lines = [ln for ln in log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    except (OSError, ValueError):   # pragma: no cover - a closed or unreadable temporary file
        return ""
    return _plain(lines[-1])[:300] if lines else ""


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _plain(text) -> str:
    """``text`` on one line without terminal colour codes (IPython colours its tracebacks)."""
    return " ".join(_ANSI.sub("", str(text)).split())


def _first_line(exc: BaseException) -> str:
    lines = [ln for ln in _ANSI.sub("", str(exc)).splitlines() if ln.strip()]
    return " ".join(lines[0].split())[:300] if lines else ""


def _tidy_papermill_metadata(path: Path, cwd: Path) -> None:
    """papermill records the input and output paths in the notebook: shown relative to the
    project (or by name), like every path in a report. The staging folders the run wrote into
    (:class:`analysis.files.OutputSet`: the report's and the figures') are named by the folders
    the files end up in: in the parameters cell, the metadata and the outputs."""
    import nbformat

    from ..files import STAGING

    if not path.is_file():
        return
    text = re.sub(r"[/\\]" + re.escape(STAGING) + r"[0-9a-f]+", "", path.read_text(encoding="utf-8"))
    nb = nbformat.reads(text, as_version=4)
    meta = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = shown_path(meta[key])
    meta.pop("environment_variables", None)
    meta["cwd"] = shown_path(cwd)
    atomic_write_text(path, nbformat.writes(nb))


# --------------------------------------------------------------------------------------------
# parameters and the settings table


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return ast.unparse(node)


def cell_parameters(source: str) -> list[tuple[str, Any, str]]:
    """``[(name, value, comment)]`` of the ``name = literal  # comment`` lines of a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    out = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out.append((node.targets[0].id, _literal(node.value), comments.get(node.lineno, "")))
    return out


def notebook_parameters(nb) -> list[tuple[str, Any, str]]:
    """The parameters a notebook ran with: its ``parameters`` cell, overridden by papermill's
    ``injected-parameters`` cell; ``[(name, value, comment of the default)]``."""
    params: dict[str, list] = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if tag in cell.get("metadata", {}).get("tags", []):
                for name, value, note in cell_parameters(cell.source):
                    if name in params:
                        params[name][1] = value
                    else:
                        params[name] = [name, value, note]
    return [tuple(v) for v in params.values()]


def _scrub_outputs(nb, base: Path | None) -> None:
    """Every text output of the notebook with its absolute paths shown relative or by name."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = scrub_paths(out["text"], base)
            for key in _TEXT_KEYS:
                if key in out.get("data", {}):
                    value = out["data"][key]
                    out["data"][key] = scrub_paths("".join(value) if isinstance(value, list) else value, base)
            if "traceback" in out:
                out["traceback"] = [scrub_paths(line, base) for line in out["traceback"]]
            if "evalue" in out:
                out["evalue"] = scrub_paths(out["evalue"], base)


def _shown_value(name: str, value, base: Path | None) -> str:
    if value in ("", None):
        return "(not set)"
    if name.endswith(("_dir", "_file", "_path")) and isinstance(value, str):
        return shown_path(value, base)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def settings_rows(nb, base: Path | None = None) -> list[tuple[str, str, str]]:
    """The settings table of a report: ``(setting, value as shown, what it means)``."""
    return [(name, _shown_value(name, value, base), note) for name, value, note in notebook_parameters(nb)]


def report_title(nb) -> str:
    """``<TICKER>: event study around <DATE>`` for a notebook with a ``ticker`` parameter, else
    the notebook's first heading."""
    params = {name: value for name, value, _ in notebook_parameters(nb)}
    if params.get("ticker"):
        when = params.get("announced_at") or params.get("event_date") or ""
        day = str(when)[:10]
        market = f" against {params['market']}" if params.get("market") else ""
        return f"{params['ticker']}{market}: event study around {day}" if day else f"{params['ticker']}: event study"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "Event study"


def _settings_html(rows) -> str:
    esc = _html.escape
    body = "".join(f"<tr><th>{esc(n)}</th><td>{esc(v)}</td><td class='note'>{esc(c)}</td></tr>" for n, v, c in rows)
    return f"<table class='analysis-settings'><tbody>{body}</tbody></table>" if rows else ""


def report_notebook(nb, *, base: Path | None = None):
    """The notebook as the report shows it: without the parameters cells (they become the
    settings table), the cells tagged ``report-hide``, widget views (a static file cannot run
    them) and saved widget state; returns ``(notebook, title, settings rows)``."""
    rows = settings_rows(nb, base)
    title = report_title(nb)
    nb = copy.deepcopy(nb)
    drop = {"parameters", "injected-parameters", REPORT_HIDE}
    nb.cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and "application/vnd.jupyter.widget-view+json" in data:
                data.pop("application/vnd.jupyter.widget-view+json")
                if not set(data) - {"text/plain"}:
                    continue               # nothing but the widget's repr: leave it out
            kept.append(out)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = title
    _scrub_outputs(nb, base)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is not None and first.source.lstrip().startswith("#"):
        head, _, rest = first.source.lstrip().partition("\n")
        if head.lstrip("#").strip() == title:          # the title is on top already
            first.source = rest.lstrip("\n")
    return nb, title, rows


def export_html(ipynb: str | os.PathLike, output: str | os.PathLike | None = None, *,
                base: str | os.PathLike | None = None, show_code: bool = False) -> Path:
    """Write an executed notebook as an HTML report beside it (see the module docstring).

    ``base``: the folder the kernel ran in (relative paths in the parameters are read from
    there; default: the project's ``notebooks/``). ``show_code``: code cells shown when the
    file opens (a tick box in the page shows or hides them either way).
    """
    import nbformat
    from nbconvert import HTMLExporter

    from .. import __version__

    ipynb = Path(ipynb)
    nb = nbformat.read(ipynb, as_version=4)
    base_dir = Path(base) if base else (notebooks_dir() if _has_notebooks() else ipynb.parent)
    shown, title, rows = report_notebook(nb, base=base_dir)
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(REPORT_TEMPLATE.parent)],
                            template_file=REPORT_TEMPLATE.name, embed_images=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    resources = {"analysis": {"title": title, "show_code": bool(show_code),
                              "settings_html": _settings_html(rows),
                              "meta": f"Notebook {ipynb.stem}, executed with analysis {__version__}. "
                                      "Code is hidden; tick the box above to show it."}}
    body, _ = exporter.from_notebook_node(shown, resources=resources)
    out = Path(output) if output else ipynb.with_suffix(".html")
    return atomic_write_text(out, body)


def _has_notebooks() -> bool:
    try:
        notebooks_dir()
        return True
    except ConfigError:
        return False


# --------------------------------------------------------------------------------------------
# the commands' routes


def study_stem(ticker: str, event_date=None, announced_at=None) -> str:
    """``<TICKER>_<DATE>`` as used for reports/ and figures/ (``1810.HK_2021-03-26``)."""
    import pandas as pd

    when = event_date if event_date not in (None, "") else announced_at
    if when in (None, ""):
        raise InputError("give an event date or an announcement time")
    try:
        day = pd.Timestamp(when)
    except (ValueError, TypeError):
        raise InputError(f"cannot read the event date {when!r}") from None
    return f"{safe_name(ticker)}_{day:%Y-%m-%d}"


def kernel_path(path, kernel_cwd: Path) -> str:
    """A path for a notebook parameter: unset ones left empty; inside the project (and the kernel
    running in it), relative to the kernel's working folder, so the notebook reads
    ``../figures/x`` as in JupyterLab; else absolute, never a climb out of the project such as
    ``../../../../tmp/x`` (messages show it as the user would recognise it)."""
    if path in (None, ""):
        return ""
    p, cwd, root = Path(path).expanduser().resolve(), Path(kernel_cwd).resolve(), project_root()
    if not all(q == root or root in q.parents for q in (p, cwd)):
        return str(p)
    return Path(os.path.relpath(p, cwd)).as_posix()


def run_study_notebook(ticker: str, market: str | None = None, event_date=None, *, announced_at=None,
                       estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
                       model: str = DEFAULT_MODEL, min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
                       prices_dir=None, reports_dir="reports", figures_dir="figures", template=None,
                       html: bool = True, figure_options: Mapping[str, Any] | None = None,
                       show_code: bool = False, overwrite: bool = False) -> dict[str, Path]:
    """Execute the one-ticker template into ``reports_dir/<TICKER>_<DATE>.ipynb`` (+ ``.html``).

    The notebook writes its figures under ``figures_dir/<TICKER>_<DATE>/`` (``study.*``,
    ``estimation.*``: the names the ``study`` command uses), an output set like a command's
    ``--out`` folder (see :func:`run_notebook`). ``prices_dir`` unset: the kernel reads the
    settings from the environment.
    """
    from .. import config

    stem = study_stem(ticker, event_date, announced_at)
    tpl = Path(template) if template else notebooks_dir() / TEMPLATE
    kernel_cwd = tpl.resolve().parent
    if prices_dir:
        config.prices_dir(prices_dir)                    # a missing folder: one line, before the run
    params = {
        "ticker": ticker, "market": market or "",
        "event_date": "" if event_date is None else str(event_date),
        "announced_at": "" if announced_at is None else str(announced_at),
        "estimation_window": [int(x) for x in estimation_window],
        "event_window": [int(x) for x in event_window],
        "model": model, "min_estimation_obs": int(min_estimation_obs),
        "prices_dir": kernel_path(prices_dir, kernel_cwd),
    }
    return run_notebook(tpl, Path(reports_dir) / f"{stem}.ipynb", params, html=html, cwd=kernel_cwd,
                        figure_options=figure_options, show_code=show_code, overwrite=overwrite,
                        figures=Path(figures_dir) / stem)


def run_notebooks(paths: Iterable[str | os.PathLike], *, reports_dir="reports", figures_dir="figures",
                  parameters: Mapping[str, Any] | None = None, html: bool = True,
                  figure_options: Mapping[str, Any] | None = None, show_code: bool = False,
                  overwrite: bool = False) -> list[dict[str, Path]]:
    """Execute notebooks with their default parameters into ``reports_dir/<name>.ipynb``.

    Each notebook with a ``figures_dir`` parameter writes its figures into
    ``<figures_dir>/<notebook name>/``, an output set (see :func:`run_notebook`), unless
    ``parameters`` give its ``figures_dir``.
    """
    from ..config import progress as tqdm

    done = []
    paths = [Path(p) for p in paths]
    for p in tqdm(paths, desc="notebooks", unit="nb", disable=len(paths) < 2):
        kernel_cwd = p.resolve().parent
        params = dict(parameters or {})
        takes = {name for name, _, _ in notebook_parameters(_read_notebook(p.resolve()))}
        figures = Path(figures_dir) / p.stem if "figures_dir" in takes and "figures_dir" not in params else None
        done.append(run_notebook(p, Path(reports_dir) / p.name, params, html=html, cwd=kernel_cwd,
                                 figure_options=figure_options, show_code=show_code, overwrite=overwrite,
                                 figures=figures))
    return done


def refresh_outputs(paths: Iterable[str | os.PathLike], *, reports_dir=None, timeout: int = 600,
                    show_code: bool = False, overwrite: bool = False) -> list[dict[str, Path]]:
    """Execute committed notebooks in place with their own parameters (kernel in the notebook's
    folder, as in JupyterLab), so that opening one shows its figures and tables. Timing
    metadata is left out and widget views are kept only as their text fallback (a closed
    notebook has no kernel to draw them). Raises NotebookError when an output would hold an
    absolute path of this machine. With ``reports_dir`` each is also exported there as HTML (a
    file of that name analysis did not write is refused unless ``overwrite``)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from ..config import progress as tqdm

    done = []
    paths = [Path(p).resolve() for p in paths]
    for path in tqdm(paths, desc="notebooks", unit="nb", disable=len(paths) < 2):
        nb = _read_notebook(path)
        with tempfile.TemporaryFile() as log:
            client = NotebookClient(nb, kernel_name=_kernel_name(), timeout=timeout, record_timing=False,
                                    store_widget_state=False, config=kernel_config(),
                                    extra_arguments=list(KERNEL_ARGUMENTS),
                                    kernel_manager_class=_quiet_kernel_manager(log),
                                    resources={"metadata": {"path": str(path.parent)}})
            try:
                client.execute()
            except CellExecutionError as exc:
                raise _refresh_failed(path, nb, f"{_plain(exc.ename)}: {_plain(exc.evalue)}", overwrite) from None
            except (RuntimeError, TimeoutError) as exc:     # dead kernel, cell timeout
                said = _last_line(log)
                raise _refresh_failed(path, nb, f"{type(exc).__name__}: {_first_line(exc)}"
                                      + (f" (kernel said: {said})" if said else ""), overwrite,
                                      stopped="did not finish") from None
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "application/vnd.jupyter.widget-view+json" in data and len(data) > 1:
                    data.pop("application/vnd.jupyter.widget-view+json")
        _scrub_outputs(nb, path.parent)
        text = nbformat.writes(nb)
        found = machine_paths(text)
        if found:          # scrubbed above: this would be a path in the code or the metadata
            raise NotebookError(f"{path.name} holds a path of this machine ({found[0].lstrip(chr(34))}); "
                                "not saved")
        atomic_write_text(path, text + ("" if text.endswith("\n") else "\n"))
        paths_out = {"ipynb": path}
        if reports_dir:
            from ..files import OutputSet

            name = path.with_suffix(".html").name
            with OutputSet(reports_dir, overwrite=overwrite, whole_folder=False, command="notebook") as files:
                export_html(path, files.path(name), base=path.parent, show_code=show_code)
            paths_out["html"] = Path(reports_dir) / name
        done.append(paths_out)
    return done


def _refresh_failed(path: Path, nb, cause: str, overwrite: bool, *, stopped: str = "stopped") -> NotebookError:
    """A refresh that failed: the notebook is left as it was, the failed run is kept beside it
    as ``<name>.failed.ipynb`` (an output of that folder: a file of that name analysis did not
    write is kept and the copy is not saved), and the error names the cell and the cause."""
    import nbformat

    from ..files import OutputSet

    cell = next((c for c in nb.cells if c.get("cell_type") == "code"
                 and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    where = ""
    if cell is not None:
        number = cell.get("execution_count") or nb.cells.index(cell) + 1
        where = f" in cell {number}"
    failed = path.with_name(f"{path.stem}.failed.ipynb")
    _scrub_outputs(nb, path.parent)
    try:
        with OutputSet(path.parent, overwrite=overwrite, whole_folder=False, command="notebook") as files:
            files.check_names([failed.name])
            files.write_text(failed.name, nbformat.writes(nb))
        kept = f"failed run saved as {as_given(failed)}"
    except AnalysisError as exc:
        kept = f"failed run not saved: {exc}"
    return NotebookError(f"{path.name} {stopped}{where}: {cause} ({kept}; {path.name} is unchanged)")


# --------------------------------------------------------------------------------------------
# helpers for notebook cells


def show(paths, width: int = 720, max_pixels: int = 900):
    """Display the PNG among the paths returned by an ``analysis.figures.plotting.*_figure`` call,
    ``width`` CSS pixels wide. What is shown is a copy at most ``max_pixels`` wide with a
    256-colour palette (the figures use a handful of colours; the file keeps its resolution),
    which keeps saved notebooks small and still sharp on a high-density screen."""
    from IPython.display import Image
    from PIL import Image as PILImage

    png = next((Path(p) for p in paths if str(p).endswith(".png")), None)
    if png is None:
        raise InputError("no PNG among the figure files given")
    with PILImage.open(png) as im:
        im = im.convert("RGB")
        if im.width > max_pixels:
            im = im.resize((max_pixels, round(im.height * max_pixels / im.width)), PILImage.LANCZOS)
        im = im.quantize(colors=256, method=PILImage.Quantize.MEDIANCUT)
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True)
    return Image(data=buf.getvalue(), format="png", width=width, alt=_figure_title(png))


def _figure_title(png: Path) -> str:
    """The figure's description for readers who cannot see it: its kind and subject (sidecar)."""
    import json

    try:
        meta = json.loads(png.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"figure {png.stem}"
    what = {"study": "abnormal returns around day 0", "aar": "average and cumulative average abnormal returns",
            "listings": "listings side by side", "estimation": "estimation-window scatter with the fitted line"}
    subject = meta.get("ticker") or meta.get("group") or ""
    return f"Figure: {what.get(meta.get('kind'), meta.get('kind', 'figure'))}" + (f", {subject}" if subject else "")


def has_outputs(nb) -> bool:
    """True when any code cell of the notebook has outputs or an execution count."""
    return any(c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
               for c in nb.cells)
