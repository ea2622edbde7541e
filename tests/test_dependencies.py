"""Every third-party module the package imports is a declared dependency.

`make demo` installs newsweave without the test extras, so a module that only arrives with
them (scipy came with scikit-learn) works under `make test` and breaks the demo on a fresh
machine. This walks every import in src/newsweave and checks its distribution is named in
pyproject's [project] dependencies, not merely installed. The one exception is the `bench`
extra (baselines measured beside newsweave): those may be imported only inside a function,
so that nothing on the pipeline's path needs them."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _import_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".")[0]]
    return []


def _imported_top_modules() -> tuple[dict[str, str], set[str]]:
    """Top-level module -> first file importing it; and the modules imported at module level."""
    found: dict[str, str] = {}
    module_level: set[str] = set()
    for path in sorted((ROOT / "src" / "newsweave").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for name in _import_names(node):
                found.setdefault(name, str(path.relative_to(ROOT)))
        for node in tree.body:
            module_level.update(_import_names(node))
    return found, module_level


def _normalise(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _names(specs: list[str]) -> set[str]:
    return {_normalise(re.split(r"[\s<>=!~\[;]", spec, maxsplit=1)[0]) for spec in specs}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_third_party_import_is_a_declared_dependency():
    project = _project()
    declared = _names(project["dependencies"])
    baselines = _names(project["optional-dependencies"]["bench"])
    owners = packages_distributions()
    found, module_level = _imported_top_modules()
    undeclared = []
    for module, where in found.items():
        if module == "newsweave" or module in sys.stdlib_module_names:
            continue
        dists = {_normalise(d) for d in owners.get(module, [])}
        assert dists, f"{where} imports {module!r}, which no installed distribution provides"
        if dists & declared or (dists & baselines and module not in module_level):
            continue
        undeclared.append(f"{module} ({', '.join(sorted(dists))}) imported by {where}")
    assert not undeclared, "imported but not in [project] dependencies: " + "; ".join(undeclared)
