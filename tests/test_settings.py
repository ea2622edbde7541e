"""The one settings object: every tuned value lives in settings.py with its reason."""

from __future__ import annotations

import ast
import dataclasses
import inspect

from newsweave import settings
from newsweave.settings import Settings


def _fields_without_reason() -> list[str]:
    """Fields of the section dataclasses with no comment on their line nor on the comment
    lines right above them (the reason: where the value was chosen, on what data, or "not
    tuned: <why this value>")."""
    source = inspect.getsource(settings)
    lines = source.splitlines()
    missing = []
    for cls in ast.parse(source).body:
        if not isinstance(cls, ast.ClassDef) or cls.name == "Settings":
            continue  # Settings only gathers the sections
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and "#" not in lines[stmt.end_lineno - 1]:
                if not lines[stmt.lineno - 2].strip().startswith("#"):
                    missing.append(f"{cls.name}.{stmt.target.id}")
    return missing


def test_every_setting_says_why():
    assert _fields_without_reason() == []


def test_every_section_is_reachable_from_settings():
    """Each section class is a field of Settings, so the CLI, the web and the API reach it."""
    sections = {str(f.type) for f in dataclasses.fields(Settings)}  # annotations are strings here
    classes = {name for name, obj in vars(settings).items() if inspect.isclass(obj) and name.endswith("Settings")}
    assert classes - {"Settings"} <= sections, classes - sections


def _module_numbers() -> list[str]:
    """Module-level names bound to a number literal anywhere in the package but settings.py."""
    import pathlib

    root = pathlib.Path(settings.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "settings.py":
            continue
        for stmt in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                value = stmt.value.operand if isinstance(stmt.value, ast.UnaryOp) else stmt.value
                if isinstance(value, ast.Constant) and type(value.value) in (int, float):
                    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                    found.append(f"{path.relative_to(root)}:{ast.unparse(target)}")
    return found


# numbers that are no tuned value: exit codes (the CLI's contract) and the FNV-1a prime
NOT_TUNED = {"cli/_common.py:EXIT_REFUSED", "cli/_common.py:EXIT_FAILED", "reuse/_shingles.py:_P"}


def test_no_tuned_number_lives_in_a_module():
    """A tuned value is a Settings field with its reason, never a module constant (the gazetteer's
    PLACE_MIN_POPULATION and the who's who's WHOS_WHO_MIN_MENTIONS moved in)."""
    assert sorted(set(_module_numbers()) - NOT_TUNED) == []
    cfg = Settings()
    assert cfg.entities.place_min_population == 5000 and cfg.corroborate.whos_who_min_mentions == 2
