"""The `newsweave` command: a thin layer over the library.

Each module here defines the commands of one stage as `register(app)`; registration is
explicit and happens only in `build_app`, in flow order. Library errors (NewsweaveError)
become one line on stderr and exit code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import typer

from . import articles, brief, entities, eval, events, reuse, serve, stories

COMMAND_MODULES = (
    articles,
    reuse,
    entities,
    stories,
    events,
    brief,
    serve,
    eval,
)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="newsweave",
        help="Many reports of one event in, one verified account out.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for module in COMMAND_MODULES:
        module.register(app)
    return app


app = build_app()


def main() -> None:
    from ._common import run_app

    run_app(app)
