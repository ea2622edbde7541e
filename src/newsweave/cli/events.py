"""`newsweave events STORY`, `newsweave quotes STORY`: commands of the extract stage."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..events import display_name
from ._common import DbOption, JsonOption, console, open_workspace, print_json

StoryArg = Annotated[str, typer.Argument(help='A story id, or "all" for every story.')]


def register(app: typer.Typer) -> None:
    app.command("events")(events_command)
    app.command("quotes")(quotes_command)


def events_command(story: StoryArg = "all", db: DbOption = "newsweave.db", as_json: JsonOption = False) -> None:
    """List a story's events: who did what with whom, where, when; occurred or planned."""
    from ..events import event_json, load_events

    ws = open_workspace(db)
    events = load_events(ws.store, story)
    if as_json:
        print_json([event_json(e, ws.store) for e in events])
        return
    table = Table(title=f"{len(events)} events in story {story}", title_justify="left")
    table.add_column("date", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("event", overflow="fold", ratio=3, min_width=28)
    table.add_column("place", overflow="fold", ratio=1)
    table.add_column("arts", justify="right")
    table.add_column("id", overflow="fold", style="dim")
    for e in events:
        date = "—"
        if e.date is not None:
            date = e.date.value or "?"
            if e.date.anchor_from in ("story", "plan"):  # weaker than the report's own date
                date += f" ({e.date.anchor_from})"
        who = " & ".join(display_name(ws.store, a) for a in e.actors)
        what = f"{who} {e.type}"
        if e.counterparts:
            what += " " + " & ".join(display_name(ws.store, c) for c in e.counterparts)
        if e.object:
            what += f": {e.object}"
        if e.details:
            what += " [" + ", ".join(f"{k} {v}" for k, v in sorted(e.details.items())) + "]"
        status = e.status + (" ↔" if e.linked else "")
        table.add_row(date, status, escape(what), escape(e.place or "—"), str(len(e.articles)), e.id)
    console.print(table)


def quotes_command(story: StoryArg = "all", db: DbOption = "newsweave.db", as_json: JsonOption = False) -> None:
    """List a story's direct quotes with speaker, channel and the articles that print them."""
    from ..events import load_quotes, quote_json

    ws = open_workspace(db)
    quotes = load_quotes(ws.store, story)
    if as_json:
        print_json([quote_json(q, ws.store) for q in quotes])
        return
    table = Table(title=f"{len(quotes)} quotes in story {story}", title_justify="left")
    table.add_column("speaker", overflow="fold")
    table.add_column("channel", no_wrap=True)
    table.add_column("quote", overflow="fold", ratio=1)
    table.add_column("articles", justify="right")
    for q in quotes:
        speaker = display_name(ws.store, q.speaker) if q.speaker else "—"
        table.add_row(escape(speaker), q.channel or "—", escape(q.text), str(len(q.articles)))
    console.print(table)
