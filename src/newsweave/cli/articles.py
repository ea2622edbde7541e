"""`newsweave ingest`, `articles`, `show`: commands of the ingest stage."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
