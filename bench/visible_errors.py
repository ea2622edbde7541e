"""Errors a reader sees at once, counted over the briefs of real news: the 20 events of
`ecbplus-summaries` (each event's ECB+ articles briefed alone, as bench/eval_summary.py does)
and the stories of the four MEANTIME corpora (each corpus ingested and analysed in its own
store, every story of two or more articles briefed). The kinds are bench/support/visible.py's:
"X convened" with no gathering, an article before a proper name, a dateline headline or
summary start, a sentence cut at "Dr."/"Gen."/an initial, TeX quotes, a country, place,
agency or storm in who's who. The target is 0 of each.

    PYTHONPATH=src python bench/visible_errors.py [--keep DIR] [--show] [--events 1_ecb,...] [--no-meantime]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import eval_frames  # noqa: E402
import eval_summary  # noqa: E402
from support.visible import visible_errors  # noqa: E402

SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", HERE.parent.parent / "shared"))


def ecb_briefs(workdir: Path, only: list[str] | None = None):
    """(name, brief) for each event of ecbplus-summaries."""
    from newsweave import brief as B

    wanted = only or eval_summary.events()
    records = eval_summary.event_records(set(wanted))
    for event in wanted:
        ws = eval_summary.analysed_store(event, records[event], workdir)
        ids = eval_summary.article_ids(ws, records[event])
        yield f"ecb:{event}", B.brief_articles(ws.store, ids)


def meantime_briefs(workdir: Path, corpora: list[str] | None = None, limit: int | None = None):
    """(name, brief) for every story of 2+ articles of each MEANTIME corpus."""
    import newsweave

    folder = SHARED.joinpath(*eval_frames.MEANTIME)
    arts = eval_frames.load_meantime(folder)
    for corpus in corpora or sorted(p.name for p in folder.iterdir() if p.is_dir()):
        ids = sorted(p.stem for p in (folder / corpus).glob("*.xml"))[:limit]
        db = workdir / f"meantime-{corpus}.db"
        fresh = not db.exists()
        ws = newsweave.open(db)
        if fresh:
            src = workdir / f"meantime-{corpus}.jsonl"
            with src.open("w", encoding="utf-8") as fh:
                for aid in ids:
                    text, _ = eval_frames.article_text(arts[aid])
                    row = {"text": text, "title": arts[aid].sentences[0], "url": f"https://meantime.example/{aid}"}
                    if arts[aid].published:
                        row["published"] = arts[aid].published
                    fh.write(json.dumps(row) + "\n")
            ws.ingest([src])
        ws.analyse()
        for story in ws.stories():
            if len(story.articles) >= 2:
                yield f"meantime:{corpus}:{story.id[:10]}", ws.brief(story.id)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="keep the analysed stores here (and reuse them)")
    ap.add_argument("--show", action="store_true", help="print every error")
    ap.add_argument("--events", help="comma-separated ECB+ events (default: all 20)")
    ap.add_argument("--no-meantime", action="store_true")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
    else:
        tmp = tempfile.TemporaryDirectory()
        workdir = Path(tmp.name)
    totals: Counter = Counter()
    briefs = 0
    sources = [ecb_briefs(workdir, args.events.split(",") if args.events else None)]
    if not args.no_meantime:
        sources.append(meantime_briefs(workdir))
    for source in sources:
        for name, brief in source:
            briefs += 1
            errors = visible_errors(brief)
            for kind, items in errors.items():
                totals[kind] += len(items)
                if args.show:
                    for item in items:
                        print(f"  {name} {kind}: {item[:220]}")
    print(f"briefs: {briefs}")
    print(json.dumps({k: totals[k] for k in ("convened", "article_name", "dateline", "cut", "tex_quotes", "person_kind")}))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
