"""`newsweave ingest`, `analyse`, `articles`, `show`: commands of the ingest stage."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..records import one_line
from ._common import EXIT_REFUSED, DbOption, JsonOption, console, err_console, open_workspace, print_json


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("analyse")(analyse_command)
    app.command("articles")(articles_command)
    app.command("show")(show_command)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=err_console,
        transient=True,
    )


WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Run the per-article work (reading, the parse) on a local Dask cluster of this many processes."),
]
SchedulerOption = Annotated[
    str | None, typer.Option("--scheduler", help="Run it on an existing dask.distributed cluster (its scheduler's address).")
]


@contextmanager
def mapper_for(workers: int | None, scheduler: str | None):
    """The Dask mapper `--workers` / `--scheduler` ask for, or None (everything in this process)."""
    if workers is None and scheduler is None:
        yield None
        return
    from ..scale import dask_mapper

    with dask_mapper(workers=workers, address=scheduler) as mapper:
        yield mapper


def ingest_into(ws, sources: list[str], fetch: bool = False, analyse: bool = True, mapper=None):
    """Ingest with a progress bar, print problems and the summary; returns the report."""
    with progress_bar() as bar:
        task = bar.add_task("ingest", total=None, current="")

        def on_source(done: int, total: int, current: str) -> None:
            bar.update(task, completed=done, total=total, current=escape(current[-60:]))

        report = ws.ingest(sources, fetch=fetch, progress=on_source, mapper=mapper)
    for problem in report.rejected:
        err_console.print(f"[yellow]skipped[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
    err_console.print(f"[bold]ingest:[/] {report.summary()}", highlight=False)
    if analyse and ws.store.count_articles():
        analyse_with_progress(ws, mapper)
    return report


def analyse_with_progress(ws, mapper=None) -> None:
    """Run the analysis with a progress bar; name each article a stage failed on (one line each)."""
    with progress_bar() as bar:
        task = bar.add_task("analyse", total=None, current="")

        def on_stage(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, current=stage)

        reports = ws.analyse(progress=on_stage, mapper=mapper)
    for report in reports:
        for article_id, reason in report.failed.items():
            err_console.print(
                f"[yellow]stage {report.stage} failed on article {article_id}[/] (skipped from now on): {escape(one_line(reason))}",
                highlight=False, soft_wrap=True,
            )


def ingest_command(
    sources: Annotated[list[str], typer.Argument(help="Files, folders (recursive), URLs (with --fetch) or - for stdin.")],
    db: DbOption = "newsweave.db",
    fetch: Annotated[bool, typer.Option("--fetch", help="Download URLs (politely: timeout, size cap).")] = False,
    analyse: Annotated[bool, typer.Option("--analyse/--no-analyse", help="Run the analysis stages afterwards.")] = True,
    max_bytes: Annotated[int | None, typer.Option("--max-bytes", help="Refuse files larger than this.")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Read articles (txt, JSONL, HTML, RSS/Atom) into the store: cleaned, dated, deduplicated.

    Exits 1 when any source was refused (each is named with its reason on stderr, one line
    each; the others are stored), 2 when the run failed."""
    ws = open_workspace(db)
    if max_bytes:
        ws.settings.ingest.max_bytes = max_bytes
    with mapper_for(workers, scheduler) as mapper:
        report = ingest_into(ws, sources, fetch=fetch, analyse=analyse, mapper=mapper)
    raise typer.Exit(0 if report.ok else EXIT_REFUSED)


def analyse_command(
    db: DbOption = "newsweave.db",
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Try again the articles a stage failed on before (they are skipped otherwise).")
    ] = False,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk: Annotated[
        int | None, typer.Option("--chunk", min=1, help="Articles per stage transaction (a crash loses at most one). [default: 500]")
    ] = None,
) -> None:
    """Run the analysis stages (language, reuse, entities, stories, events, facts) on what is new.

    Each stage commits its work chunk by chunk: a run stopped anywhere resumes where it stopped."""
    ws = open_workspace(db)
    if chunk:
        ws.settings.pipeline.chunk = chunk
    if retry_failed:
        err_console.print(f"retrying {ws.store.forget_failures()} failed article stage(s)")
    with mapper_for(workers, scheduler) as mapper:
        analyse_with_progress(ws, mapper)
    err_console.print(f"analysed {ws.store.count_articles()} articles")


def articles_command(db: DbOption = "newsweave.db", as_json: JsonOption = False) -> None:
    """List the stored articles: id, date, outlet, agency, dateline, title."""
    ws = open_workspace(db)
    articles = ws.articles()
    failures = ws.store.failures()
    if as_json:
        print_json([{**article_summary(a), "failed": failures.get(a.id, {})} for a in articles])
        return
    table = Table(title=f"{len(articles)} articles", title_justify="left")
    table.add_column("id", no_wrap=True, min_width=16)
    table.add_column("date", no_wrap=True, min_width=10)
    for column in ("outlet", "agency", "dateline"):
        table.add_column(column, overflow="fold")
    table.add_column("title / first words", overflow="fold", ratio=1)
    if failures:
        table.add_column("failed stages", overflow="fold")
    for a in articles:
        row = [
            a.id, str(a.published or "—"), a.outlet or "—", a.agency or "—", a.dateline or "—",
            escape(a.title or a.clean_text[a.body_start : a.body_start + 60] + "…"),
        ]
        table.add_row(*row, *([", ".join(failures.get(a.id, {})) or "—"] if failures else []))
    console.print(table)


def article_summary(a) -> dict:
    return {
        "id": a.id,
        "published": a.published.isoformat() if a.published else None,
        "published_from": a.published_from,
        "outlet": a.outlet,
        "agency": a.agency,
        "dateline": a.dateline,
        "title": a.title,
        "language": a.language,
        "sources": [s.source for s in a.sightings],
    }


def show_command(
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix of at least 4 characters).")],
    db: DbOption = "newsweave.db",
    as_json: JsonOption = False,
) -> None:
    """Show one article: metadata with where each value came from, clean text, removed spans."""
    ws = open_workspace(db)
    a = ws.article(article_id)
    failed, notes = ws.store.failures([a.id]).get(a.id, {}), ws.store.notes(a.id)
    if as_json:
        data = dataclasses.asdict(a)
        data["published"] = a.published.isoformat() if a.published else None
        data["failed"], data["notes"] = failed, notes
        print_json(data)
        return
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    meta.add_column(style="dim")
    for name in ("title", "url", "outlet", "agency", "byline", "dateline", "published", "language"):
        value = getattr(a, name)
        meta.add_row(name, escape(str(value)) if value else "—", a.provenance.get(name, ""))
    if "published_year" in a.provenance:
        meta.add_row("", "", f"year {a.provenance['published_year']}")
    meta.add_row("sources", escape(", ".join(s.source for s in a.sightings)), "")
    if "encoding" in a.provenance:
        meta.add_row("encoding", escape(a.provenance["encoding"]), "")
    for stage, reason in failed.items():
        meta.add_row("failed", f"stage {stage}", escape(reason))
    for stage, note in notes.items():
        meta.add_row("note", f"stage {stage}", escape(note))
    console.print(f"[bold]{a.id}[/]")
    console.print(meta)
    console.rule("clean text")
    console.print(escape(a.clean_text), highlight=False)
    console.rule(f"removed ({len(a.removed)})")
    for span in a.removed:
        console.print(f"[dim]{span.reason:>15}[/]  {escape(span.text.strip())}", highlight=False, soft_wrap=True)
