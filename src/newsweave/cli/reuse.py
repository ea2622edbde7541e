"""`newsweave reuse`: syndication families, and the passages two articles share."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .. import reuse
from ._common import DbOption, JsonOption, console, open_workspace, print_json

ArticleArg = Annotated[
    str | None, typer.Argument(help="Article id (or a unique prefix of at least 4 characters).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("reuse")(reuse_command)


def reuse_command(
    a: ArticleArg = None,
    b: ArticleArg = None,
    db: DbOption = "newsweave.db",
    as_json: JsonOption = False,
) -> None:
    """Text reuse: families of articles that copy each other (each ONE independent source).

    With no argument: every family, its members and origin. With one article: the articles it
    shares text with. With two: their shared passages side by side (narrative and quotes)."""
    ws = open_workspace(db)
    store = ws.store
    if a is None:
        show_families(ws, as_json)
    elif b is None:
        show_pairs(ws, store.article(a).id, as_json)
    else:
        show_passages(ws, store.article(a).id, store.article(b).id, as_json)


def _label(ws, article_id: str, width: int = 50) -> str:
    art = ws.store.article(article_id)
    title = art.title or art.clean_text[art.body_start : art.body_start + width]
    return f"{article_id[:12]} {art.outlet or art.agency or ''} {title[:width]}".strip()


def show_families(ws, as_json: bool) -> None:
    fams = reuse.families(ws.store)
    if as_json:
        print_json(
            {
                "independent_sources": len(fams),
                "families": [
                    {"id": f.id, "origin": f.origin, "agency": f.agency, "members": f.members} for f in fams
                ],
                "pairs": [p.__dict__ for p in reuse.pairs(ws.store)],
            }
        )
        return
    articles = sum(len(f.members) for f in fams)
    table = Table(title=f"{articles} articles, {len(fams)} independent sources", title_justify="left")
    table.add_column("family", no_wrap=True)
    table.add_column("agency")
    table.add_column("members (origin first)", ratio=1, overflow="fold")
    for f in fams:
        members = [f.origin] + [m for m in f.members if m != f.origin]
        table.add_row(f.id, f.agency or "—", "\n".join(escape(_label(ws, m)) for m in members))
    console.print(table)


def show_pairs(ws, article_id: str, as_json: bool) -> None:
    rows = reuse.pairs(ws.store, article_id)
    if as_json:
        print_json({"article": article_id, "family": reuse.family_of(ws.store, [article_id])[article_id],
                    "pairs": [p.__dict__ for p in rows]})
        return
    table = Table(title=f"{article_id[:12]} shares text with {len(rows)} articles", title_justify="left")
    for column in ("other article", "narrative words", "quoted words", "jaccard", "near-dup", "same family"):
        table.add_column(column, overflow="fold")
    for p in rows:
        other = p.b if p.a == article_id else p.a
        table.add_row(escape(_label(ws, other)), str(p.narrative_tokens), str(p.quote_tokens), f"{p.jaccard:.2f}",
                      "yes" if p.near_duplicate else "", "yes" if p.joins else "")
    console.print(table)


def show_passages(ws, a: str, b: str, as_json: bool) -> None:
    found = reuse.passages(ws.store, a, b)
    ta, tb = ws.store.article(a).clean_text, ws.store.article(b).clean_text
    if as_json:
        print_json(
            {
                "articles": [a, b],
                "passages": [
                    {"kind": p.kind, "similarity": p.similarity, "a_start": p.a_start, "a_end": p.a_end,
                     "b_start": p.b_start, "b_end": p.b_end, "a_text": ta[p.a_start : p.a_end],
                     "b_text": tb[p.b_start : p.b_end]}
                    for p in found
                ],
            }
        )
        return
    table = Table(title=f"{len(found)} shared passages", title_justify="left", show_lines=True)
    table.add_column("kind", no_wrap=True)
    table.add_column(escape(_label(ws, a, 30)), ratio=1, overflow="fold")
    table.add_column(escape(_label(ws, b, 30)), ratio=1, overflow="fold")
    for p in found:
        style = "dim" if p.kind == "quote" else ""
        table.add_row(f"{p.kind}\n{p.similarity:.2f}", escape(ta[p.a_start : p.a_end]), escape(tb[p.b_start : p.b_end]),
                      style=style)
    console.print(table)
