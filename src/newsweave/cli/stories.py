"""`newsweave stories`: the stories found so far (cluster stage)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOption, JsonOption, console, open_workspace, print_json


def register(app: typer.Typer) -> None:
    @app.command("stories")
    def stories(
        db: DbOption = "newsweave.db",
        json_out: JsonOption = False,
        consolidate_now: Annotated[
            bool, typer.Option("--consolidate", help="First run the consolidation pass (merge, move, split) over every story.")
        ] = False,
        show_changes: Annotated[
            bool, typer.Option("--changes", help="List the recorded merges, moves and splits instead of the stories.")
        ] = False,
    ) -> None:
        """List the stories: id, label, time span, number of articles, top entities."""
        from rich.table import Table

        from ..stories import consolidate, load_stories, story_changes

        with open_workspace(db) as ws:
            changes = consolidate(ws.store, ws.settings) if consolidate_now else []
            found = load_stories(ws.store)
            history = story_changes(ws.store) if show_changes else []
        if show_changes:
            _print_changes(history, json_out)
            return
        if json_out:
            print_json(
                {
                    "stories": [
                        {
                            "id": s.id,
                            "label": s.label,
                            "first": s.first.isoformat() if s.first else None,
                            "last": s.last.isoformat() if s.last else None,
                            "articles": s.articles,
                            "top_entities": s.top_entities,
                        }
                        for s in found
                    ],
                    "changes": [vars(c) for c in changes],
                }
            )
            return
        table = Table(title=f"{len(found)} stories")
        for column in ("id", "label", "span", "articles", "top entities"):
            table.add_column(column)
        for s in found:
            span = "–".join(sorted({d.isoformat() for d in (s.first, s.last) if d})) or "undated"
            table.add_row(s.id, s.label, span, str(len(s.articles)), ", ".join(s.top_entities))
        console.print(table)
        if changes:
            console.print(f"consolidation: {len(changes)} change(s)")


def _print_changes(history: list[dict], json_out: bool) -> None:
    from rich.table import Table

    if json_out:
        print_json({"changes": history})
        return
    table = Table(title=f"{len(history)} story changes (merge: story into target; move/split: article from story to target)")
    for column in ("at", "kind", "story", "target", "article", "score"):
        table.add_column(column)
    for c in history:
        table.add_row(c["at"], c["kind"], c["story"], c["target"], (c["article"] or "")[:12], f"{c['score']:.3f}")
    console.print(table)
