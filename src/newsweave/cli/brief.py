"""`newsweave brief`: one command from a folder of articles (or a stored story) to a brief."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..stories import story_of
from ..brief.render import render
from ._common import EXIT_REFUSED, DbOption, err_console, fail, open_workspace
from .articles import analyse_with_progress, ingest_into, progress_bar


class Format(str, Enum):
    md = "md"
    html = "html"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("brief")(brief_command)


def _paths(targets: list[str]) -> list[str]:
    """The positional targets, each a file, folder, URL or `-`; anything else is refused
    with one line (a story id goes after --story: a name is never both)."""
    for target in targets:
        if not (target == "-" or "://" in target or Path(target).exists()):
            looks_like_id = not any(c in target for c in "/\\.") and len(target) >= 4
            hint = f"; to brief a stored story give its id: --story {target}" if looks_like_id else ""
            fail(f"{target!r}: no such file or folder{hint}")
    return targets


def brief_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders, URLs or - (stdin) of articles to ingest and analyse first.", metavar="[PATH]..."),
    ] = None,
    story: Annotated[
        list[str] | None,
        typer.Option("--story", "-s", help="A stored story's id (or a unique prefix); repeat for several."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
    db: DbOption = "newsweave.db",
    words: Annotated[int | None, typer.Option("--words", min=20, help="The summary's length in words (default 100).")] = None,
) -> None:
    """Write the brief of each story: summary citing its sources, timeline, who's who, quotes,
    discrepancies, what each article adds, removed boilerplate.

    Given paths, ingests and analyses them first (into --db; use --db :memory: to keep
    nothing) and writes the brief of every story their articles belong to; given --story,
    the brief of that stored story. Exits 1 when some inputs were refused (the briefs of the
    rest are written), 2 when the run failed."""
    paths = _paths(paths or [])
    stories: list[str] = list(story or [])
    if not paths and not stories:
        fail("nothing to brief: give files or folders of articles, or --story ID")
    ws = open_workspace(db)
    ids, refused = [], False
    if paths:
        report = ingest_into(ws, paths, analyse=False)
        ids = list(dict.fromkeys([*report.ingested, *(i for _, i in report.duplicates)]))
        refused = not report.ok
    if ws.store.count_articles():
        analyse_with_progress(ws)
    for article_id in ids:
        found = story_of(ws.store, article_id)
        if found and found not in stories:
            stories.append(found)
    if not stories:
        fail("no story to brief: the given paths held no article")
    briefs = []
    with progress_bar() as bar:
        task = bar.add_task("brief", total=len(stories), current="")
        for story in stories:
            bar.update(task, current=story[:16])
            briefs.append(ws.brief(story, words))
            bar.advance(task)
    article_ids = {a["id"] for b in briefs for a in b["articles"]}
    texts = {a.id: a.clean_text for a in ws.store.articles(article_ids)} if fmt is Format.html else {}
    text = render(briefs, fmt.value, texts)
    if output:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {len(briefs)} brief{'s' if len(briefs) != 1 else ''} to {output}")
    else:
        typer.echo(text, nl=False)
    if refused:
        raise typer.Exit(EXIT_REFUSED)  # the briefs are written; some inputs were refused (named above)
