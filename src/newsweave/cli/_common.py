"""What every command shares: the store option, the console, clean error exits.

Exit codes: 0 done; 1 done, but some inputs were refused (each named on stderr with its
reason); 2 the run failed (one line on stderr: a store that cannot be opened, an unknown id,
or a bug, which keeps its traceback).
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import NewsweaveError
from ..records import one_line
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


EXIT_REFUSED = 1  # some inputs were refused; the rest was done
EXIT_FAILED = 2  # the run failed


def fail(message: str, code: int = EXIT_FAILED) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def run_app(app: typer.Typer) -> None:
    try:
        app()
    except NewsweaveError as exc:
        err_console.print(f"[bold red]error:[/] {escape(one_line(exc))}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        err_console.print("interrupted; the store keeps every article committed so far")
        sys.exit(130)
    except Exception:  # a bug: keep its traceback, and say the run failed (not "some inputs refused")
        traceback.print_exc()
        sys.exit(EXIT_FAILED)
