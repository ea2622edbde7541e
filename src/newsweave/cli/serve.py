"""`newsweave serve`: the store as a local web application and JSON API."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from ._common import DbOption, err_console, open_workspace


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(
    db: DbOption = "newsweave.db",
    host: Annotated[str, typer.Option(help="Address to bind. Loopback by default; anything else exposes the store.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8421,
    sync_analysis: Annotated[bool, typer.Option(
        "--sync-analysis", help="Analyse an upload inside its request (201 when done) instead of in the "
        "background (202 with a job at once): the old behaviour, the benchmark's baseline.")] = False,
) -> None:
    """Serve the store: pages at http://HOST:PORT/, the JSON API under /api/, its schema at /openapi.json."""
    import uvicorn

    from ..web.app import create_app  # the web stack is loaded only for `serve`

    ws = open_workspace(db)
    if sync_analysis:
        ws.settings.web.background_analysis = False
    if not is_loopback(host):
        err_console.print(
            f"[bold yellow]warning:[/] binding to {host}: anyone who can reach this address can read the "
            "store and add articles (there is no login). Use --host 127.0.0.1 to keep it local.",
            highlight=False,
        )
    err_console.print(f"newsweave: serving {ws.store.path} at http://{host}:{port}/ (Ctrl-C to stop)", highlight=False)
    uvicorn.run(create_app(ws), host=host, port=port, log_level="warning")
