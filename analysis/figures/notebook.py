"""Run the project's notebooks with papermill and export them to HTML (nbconvert).

``python -m analysis notebook --ticker 1810.HK --market ^HSI --event-date 2021-03-26`` executes
the template ``notebooks/02-new-ticker.ipynb`` into ``reports/<TICKER>_<DATE>.ipynb`` with an
HTML export beside it; the notebook writes its figures under ``figures/<TICKER>_<DATE>/``.
``python -m analysis notebook --run notebooks/01-....ipynb ...`` executes notebooks with their
default parameters (``make demo`` does this for all three).

Kernel: papermill starts the kernel named ``python3``. jupyter_client replaces a kernelspec's
``python`` with ``sys.executable``, so the kernel is the interpreter running this code (the
project's virtual environment); when no ``python3`` kernelspec is visible at all we fall back to
ipykernel's built-in spec of the running interpreter. Small helpers for notebooks
(:func:`show`) live here too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError, NotebookError
from ..files import safe_name
from ..windows import (DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOW, DEFAULT_MIN_ESTIMATION_OBS,
                       DEFAULT_MODEL)

TEMPLATE = "02-new-ticker.ipynb"
NOTEBOOKS = ("01-xiaomi-great-wall-ev.ipynb", "02-new-ticker.ipynb", "03-event-sample.ipynb",
             "04-volume-and-drift.ipynb")


def notebooks_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder of the project's notebooks: ``path``, else ``./notebooks``, else beside the package."""
    candidates = [Path(path)] if path else [Path.cwd() / "notebooks",
                                            Path(__file__).resolve().parents[2] / "notebooks"]
    for c in candidates:
        if (c / TEMPLATE).is_file():
            return c.resolve()
    raise ConfigError(f"notebook folder not found (looked in {', '.join(map(str, candidates))})")


def _kernel_name() -> str:
    """``python3`` (the interpreter running us: see the module docstring); checked to exist."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:  # pragma: no cover - ipykernel is a dependency, its spec is built in
        raise ConfigError("no 'python3' Jupyter kernel: install ipykernel in this environment "
                          "(pip install -e .)") from None
    return "python3"


def run_notebook(notebook: str | os.PathLike, output: str | os.PathLike,
                 parameters: Mapping[str, Any] | None = None, *, html: bool = True,
                 cwd: str | os.PathLike | None = None, timeout: int = 600,
                 progress: bool = False, overwrite: bool = False) -> dict[str, Path]:
    """Execute ``notebook`` into ``output`` with papermill; also write ``output`` as HTML.

    ``parameters`` replace the notebook's ``parameters`` cell. The kernel's working directory is
    ``cwd`` (default: the notebook's folder, so relative paths behave as in JupyterLab).
    Returns ``{"ipynb": path, "html": path}``.

    The executed notebook and its HTML are one output set (:class:`analysis.files.OutputSet`):
    both replace the previous pair together, or neither does. A failing cell raises
    :class:`NotebookError` naming the cell and the error; the previous report and its HTML are
    left untouched and the failed run is kept beside them as ``<name>.failed.ipynb``. A file of
    the output's name that analysis did not write is refused unless ``overwrite``.
    """
    from ..files import OutputSet

    src = Path(notebook).resolve()
    _read_notebook(src)
    out = Path(output).resolve()
    failed = out.with_name(f"{out.stem}.failed.ipynb")
    names = [out.name, out.with_suffix(".html").name] if html else [out.name]
    OutputSet.check(out.parent, overwrite=overwrite, whole_folder=False, names=[*names, failed.name])
    error, saved = None, False
    with OutputSet(out.parent, overwrite=overwrite, whole_folder=False, command="notebook") as files:
        staged = files.path(out.name)
        try:
            _execute(src, staged, parameters, cwd=cwd, timeout=timeout, progress=progress)
        except NotebookError as exc:
            error, saved = exc, staged.exists()
            if saved:                # the failed run is kept under a name that says so
                os.replace(staged, files.path(failed.name))
        else:
            if html:
                export_html(staged, files.path(out.with_suffix(".html").name))
    if error is not None:
        kept = f"failed run saved as {failed}" if saved else "no notebook was saved"
        unchanged = f"; the previous {out.name} is unchanged" if out.exists() else ""
        raise NotebookError(f"{error} ({kept}{unchanged})")
    paths = {"ipynb": out}
    if html:
        paths["html"] = out.with_suffix(".html")
    return paths


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


def _execute(src: Path, out: Path, parameters, *, cwd, timeout: int, progress: bool) -> None:
    """papermill ``src`` -> ``out``; NotebookError naming the cell and the cause."""
    import papermill as pm

    try:
        pm.execute_notebook(str(src), str(out), parameters=dict(parameters or {}),
                            kernel_name=_kernel_name(), cwd=str(Path(cwd).resolve() if cwd else src.parent),
                            progress_bar=progress, request_save_on_cell_execute=False,
                            execution_timeout=timeout, log_output=False)
    except pm.PapermillExecutionError as exc:
        # the error is shown in the saved notebook; the command line gets one line
        raise NotebookError(f"{src.name} stopped in cell {exc.exec_count}: {exc.ename}: {exc.evalue}") from None
    except (RuntimeError, TimeoutError) as exc:     # dead kernel, cell timeout (nbclient)
        raise NotebookError(f"{src.name} did not finish: {type(exc).__name__}: "
                            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}") from None


def export_html(ipynb: str | os.PathLike, output: str | os.PathLike | None = None) -> Path:
    """Write an executed notebook as HTML beside it (nbconvert), atomically; images are embedded."""
    import nbformat
    from nbconvert import HTMLExporter

    from ..files import atomic_write_text

    ipynb = Path(ipynb)
    nb = nbformat.read(ipynb, as_version=4)
    body, _ = HTMLExporter(embed_images=True).from_notebook_node(nb)
    out = Path(output) if output else ipynb.with_suffix(".html")
    return atomic_write_text(out, body)


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


def run_study_notebook(ticker: str, market: str | None = None, event_date=None, *, announced_at=None,
                       estimation_window=DEFAULT_ESTIMATION_WINDOW, event_window=DEFAULT_EVENT_WINDOW,
                       model: str = DEFAULT_MODEL, min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
                       prices_dir=None, reports_dir="reports",
                       figures_dir="figures", template=None, html: bool = True,
                       overwrite: bool = False) -> dict[str, Path]:
    """Execute the one-ticker template into ``reports_dir/<TICKER>_<DATE>.ipynb`` (+ ``.html``).

    The notebook writes its figures under ``figures_dir/<TICKER>_<DATE>/``. Paths are made
    absolute before they are handed to the kernel.
    """
    from .. import config

    stem = study_stem(ticker, event_date, announced_at)
    tpl = Path(template) if template else notebooks_dir() / TEMPLATE
    pdir = config.prices_dir(prices_dir)
    params = {
        "ticker": ticker, "market": market or "",
        "event_date": "" if event_date is None else str(event_date),
        "announced_at": "" if announced_at is None else str(announced_at),
        "estimation_window": [int(x) for x in estimation_window],
        "event_window": [int(x) for x in event_window],
        "model": model, "min_estimation_obs": int(min_estimation_obs),
        "prices_dir": str(pdir.resolve()) if pdir else "",
        "figures_dir": str((Path(figures_dir) / stem).resolve()),
    }
    return run_notebook(tpl, Path(reports_dir) / f"{stem}.ipynb", params, html=html, overwrite=overwrite)


def run_notebooks(paths: Iterable[str | os.PathLike], *, reports_dir="reports", figures_dir="figures",
                  parameters: Mapping[str, Any] | None = None, html: bool = True,
                  overwrite: bool = False) -> list[dict[str, Path]]:
    """Execute notebooks with their default parameters into ``reports_dir/<name>.ipynb``.

    Each notebook gets ``figures_dir=<figures_dir>/<notebook name>`` (absolute) plus ``parameters``.
    """
    from tqdm.auto import tqdm

    done = []
    paths = [Path(p) for p in paths]
    for p in tqdm(paths, desc="notebooks", unit="nb", disable=len(paths) < 2):
        params = {"figures_dir": str((Path(figures_dir) / p.stem).resolve()), **dict(parameters or {})}
        done.append(run_notebook(p, Path(reports_dir) / p.name, params, html=html, overwrite=overwrite))
    return done


# --------------------------------------------------------------------------------------------
# helpers for notebook cells
# --------------------------------------------------------------------------------------------

def show(paths, width: int | None = None):
    """Display the PNG among the paths returned by an ``analysis.figures.plotting.*_figure`` call."""
    from IPython.display import Image

    png = next((Path(p) for p in paths if str(p).endswith(".png")), None)
    if png is None:
        raise InputError("no PNG among the figure files given")
    return Image(filename=str(png), width=width)


def has_outputs(nb) -> bool:
    """True when any code cell of the notebook has outputs or an execution count."""
    return any(c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
               for c in nb.cells)
