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
