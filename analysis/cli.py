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


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser. With ``argv``, only the command it names gets its options (the
    others are listed by name and help line, as ``--help`` shows them): building the options of
    every command is most of the time of ``python -m analysis --help``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Stock-reaction event studies: news text to abnormal returns, tests and figures.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = command_names()
    wanted = None if argv is None else next((a for a in argv if not a.startswith("-")), "")
    for name in names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        if wanted is None or wanted == name:
            module.add_parser(sub)
        else:
            listed = _Listed()
            module.add_parser(listed)
            sub.add_parser(name, **listed.shown)
    return parser


class _Listed:
    """Stands in for the subparsers object when a command is only listed: keeps the name's help
    line, and every option a command adds to it goes nowhere."""

    def __init__(self):
        self.shown: dict = {}

    def add_parser(self, name, **kwargs):
        self.shown = {k: v for k, v in kwargs.items() if k in ("help", "aliases")}
        return _Nothing()


class _Nothing:
    """Any method, any arguments, does nothing and returns another of itself."""

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return lambda *args, **kwargs: self


def command_names() -> list[str]:
    """The command modules of :mod:`analysis.commands`, by name (helpers start with ``_``).

    Read from the folder with ``os.scandir``: ``pkgutil.iter_modules`` would import ``inspect``
    (tens of milliseconds of a ``--help`` that should take little more than a bare start)."""
    folder = os.path.dirname(commands.__file__)
    return sorted(entry.name[:-3] for entry in os.scandir(folder)
                  if entry.name.endswith(".py") and not entry.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
