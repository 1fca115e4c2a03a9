"""environment.yml (conda users) must list exactly pyproject.toml's dependencies and bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(spec: str) -> tuple[str, str]:
    m = _REQ.match(spec)
    assert m, spec
    return _norm(m.group(1)), m.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    specs = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    return dict(_parse(s) for s in specs)


def environment_requirements() -> dict[str, str]:
    out = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and line.startswith("  - ") and not line.startswith("  - pip:"):
            name, bound = _parse(line[4:].split("#")[0])
            if name not in {"python", "pip"}:
                out[name] = bound
    return out


def test_environment_yml_matches_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_parser_detects_drift(tmp_path, monkeypatch):
    # the check itself can fail: a changed bound is seen as a difference
    reqs = pyproject_requirements()
    changed = dict(reqs, pandas=">=9")
    assert changed != environment_requirements()


def test_python_floor_matches():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in (ROOT / "environment.yml").read_text()


def test_the_house():
    """LICENSE matches the license string, the version lives in analysis/__init__.py only, the
    build backend can build the SPDX string form, typing marker and changelog are there."""
    import analysis

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "version" not in project and "version" in project["dynamic"]
    assert data["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "analysis.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", analysis.__version__)
    floor = [r for r in data["build-system"]["requires"] if _norm(r).startswith("setuptools")][0]
    assert tuple(int(x) for x in re.search(r">=\s*(\d+)", floor).group(1).split(".")) >= (77,)
    assert (ROOT / "analysis" / "py.typed").is_file()
    assert "py.typed" in data["tool"]["setuptools"]["package-data"]["analysis"]
    assert f"## {analysis.__version__}" in (ROOT / "CHANGELOG.md").read_text()
    from importlib import metadata
    assert metadata.version("analysis") == analysis.__version__
