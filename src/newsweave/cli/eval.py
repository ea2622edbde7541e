"""`newsweave eval ...`: score a stage against labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import JsonOption, console, print_json

eval_app = typer.Typer(help="Score a stage against labelled data.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


@eval_app.command("stories")
def eval_stories(
    file: Annotated[Path, typer.Argument(help="A labelled JSONL file, one article a line.")],
    gold: Annotated[str, typer.Option("--gold", help="The record field holding the gold story (e.g. subtopic).")],
    baseline: Annotated[
        bool, typer.Option("--baseline", help="Also run TF-IDF + average-linkage clustering at every threshold; report its best.")
    ] = False,
    shuffle: Annotated[
        int | None, typer.Option("--shuffle", help="Ingest in a random order made from this seed instead of date order.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Ingest FILE in date order into a temporary store, cluster it, and print B-cubed and
    pairwise precision/recall/F1 and predicted vs gold cluster counts."""
    from ..stories import evaluate_stories

    result = evaluate_stories(file, gold, baseline=baseline, shuffle_seed=shuffle)
    if json_out:
        print_json(result)
        return
    from rich.table import Table

    table = Table(title=f"stories vs {gold} — {result['articles']} articles of {file.name}")
    for column in ("method", "B³ P", "B³ R", "B³ F1", "pairwise F1", "clusters (gold)"):
        table.add_column(column)
    rows = [("newsweave", result["ours"])]
    if "baseline" in result:
        rows.append((f"baseline @ {result['baseline']['best_threshold']}", result["baseline"]))
    for name, r in rows:
        b = r["bcubed"]
        table.add_row(
            name, f"{b['precision']:.3f}", f"{b['recall']:.3f}", f"{b['f1']:.3f}",
            f"{r['pairwise']['f1']:.3f}", f"{r['clusters']} ({r['gold_clusters']})",
        )
    console.print(table)
