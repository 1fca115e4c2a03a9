"""Command line: ``python -m analysis <command> ...``.

Each command is a module in :mod:`analysis.commands` with ``add_parser(subparsers)`` (which sets
``func``) and ``run(args) -> int``. Command modules import heavy libraries inside ``run`` so that
``--help`` stays fast. User errors (:class:`analysis.errors.AnalysisError`) print one line on
standard error and exit with status 2, never a traceback; argparse usage errors also exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__, commands
from .errors import AnalysisError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Stock-reaction event studies: news text to abnormal returns, tests and figures.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_names():
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.add_parser(sub)
    return parser


def command_names() -> list[str]:
    """The command modules of :mod:`analysis.commands`, by name (helpers start with ``_``).

    Read from the folder with ``os.scandir``: ``pkgutil.iter_modules`` would import ``inspect``
    (tens of milliseconds of a ``--help`` that should take little more than a bare start)."""
    folder = os.path.dirname(commands.__file__)
    return sorted(entry.name[:-3] for entry in os.scandir(folder)
                  if entry.name.endswith(".py") and not entry.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
