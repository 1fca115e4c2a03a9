"""The package's layout: imports run one way, data <- events <- core <- figures <- commands/cli.

Every module's imports are read from its source with ``ast`` (imports inside functions count),
so an import that runs back up the flow, or a cycle, fails here even when it is hidden inside a
function to dodge an ImportError at load time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"

# the layers in the order data flows; a module may import its own layer and the ones before it
LAYERS = {"base": 0, "data": 1, "events": 2, "core": 3, "figures": 4, "commands": 5}
BASE = {"analysis", "analysis.errors", "analysis.config", "analysis.windows", "analysis.files"}
TOP = {"analysis.cli", "analysis.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(name: str) -> int:
    if name in BASE:
        return LAYERS["base"]
    if name in TOP:
        return LAYERS["commands"]
    return LAYERS[name.split(".")[1]]


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Package modules imported anywhere in the file (module level, functions, methods)."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "analysis"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "analysis":
                continue
            # `from . import config` names a module; `from .x import f` names module x
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.add(sub if sub in known else target)
    found.discard(name)
    return {m for m in found if m in known}


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def test_every_module_has_a_layer():
    for name in modules():
        layer(name)          # KeyError names a module outside the layout


def test_imports_run_one_way():
    wrong = []
    for name, targets in graph().items():
        for t in targets:
            if t == "analysis" and name != "analysis":
                # the package root is the lazy public API; only its version and names are read
                continue
            if layer(t) > layer(name):
                wrong.append(f"{name} imports {t}")
    assert not wrong, "imports that run back up the data flow:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles():
    g = graph()
    g = {k: {t for t in v if t != "analysis"} for k, v in g.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for t in sorted(g.get(n, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join(stack[stack.index(t):] + [t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            visit(n)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_commands_do_not_import_other_commands():
    g = graph()
    wrong = [f"{name} imports {t}" for name, targets in g.items() if name.startswith("analysis.commands.")
             for t in targets if t.startswith("analysis.commands.") and not t.rsplit(".", 1)[1].startswith("_")]
    assert not wrong, wrong


def test_no_import_error_fallbacks_around_own_modules():
    """``try: from .x import y / except ImportError`` hides a broken package; none are left."""
    wrong = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            catches = any(isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                          for h in node.handlers)
            own = any(isinstance(s, ast.ImportFrom) and (s.level or (s.module or "").startswith("analysis"))
                      for s in node.body)
            if catches and own:
                wrong.append(f"{name}:{node.lineno}")
    assert not wrong, wrong


@pytest.mark.parametrize("bad, good", [
    ("analysis.data.prices", "analysis.events.table"),
])
def test_the_checker_sees_a_back_import(tmp_path, bad, good):
    """The checker itself: an import of events from data, inside a function, is found."""
    src = tmp_path / "analysis" / "data"
    src.mkdir(parents=True)
    path = src / "prices.py"
    path.write_text("def f():\n    from ..events.table import read_events\n    return read_events\n")
    found = imports_of(bad, path, {bad, good})
    assert found == {good} and layer(good) > layer(bad)
