"""What every command shares: the store option, the console, clean error exits."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from ..errors import NewsweaveError
from ..settings import DB_ENV, DEFAULT_DB

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str,
    typer.Option("--db", envvar=DB_ENV, help=f"The store: a SQLite file, or :memory:. [default: ./{DEFAULT_DB}]"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_workspace(db: str):
    import newsweave

    return newsweave.open(db)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def run_app(app: typer.Typer) -> None:
    try:
        app()
    except NewsweaveError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted; the store keeps every article committed so far")
        sys.exit(130)
