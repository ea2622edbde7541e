"""`newsweave entities`: the entities resolved across the store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ._common import DbOption, JsonOption, console, fail, open_workspace, print_json


def register(app: typer.Typer) -> None:
    app.command("entities")(entities_command)


def entities_command(
    db: DbOption = "newsweave.db",
    as_json: JsonOption = False,
    entity_type: Annotated[
        str | None, typer.Option("--type", help="Only this type: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, ...")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Only the entity with this name or alias.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, most mentioned first (0: all).")] = 50,
) -> None:
    """Entities resolved across the articles: type, aliases, titles, roles, article counts."""
    from .. import entities as resolve

    ws = open_workspace(db)
    if name is not None:
        found = resolve.find(ws.store, name)
        if found is None:
            fail(f"no entity named {name!r} in the store (list them with `newsweave entities`)")
        entities = [found]
    else:
        entities = resolve.load_entities(ws.store)
    if entity_type:
        entities = [e for e in entities if e.type == entity_type.upper()]
    if limit:
        entities = entities[:limit]
    if as_json:
        print_json([resolve.entity_dict(e) for e in entities])
        return
    table = Table("id", "type", "name", "aliases", "roles", "articles", "mentions")
    for e in entities:
        data = resolve.entity_dict(e)
        roles = "; ".join(f"{r['surfaces'][0]} ({len(r['articles'])})" for r in data["roles"])
        table.add_row(
            e.id, e.type, escape(e.name), escape(", ".join(e.aliases[:4])), escape(roles), str(len(e.articles)), str(len(e.mentions))
        )
    console.print(table)
