"""Stories and sub-events of the real stage fed in batches, on ECB+ and the dated stream
(issue 19, seventh round): where a large story is settled (`settle_exact_until`) its
sub-events are continued from the stored ones, not scanned again, and only a stream shows
what that costs (bench/eval_story_stream.py clusters in one pass).

    PYTHONPATH=src:bench python bench/eval_subevent_stream.py --store DIR [--batch 50] [--set name=value ...] [--only ecb,dated]

ECB+ topics 1-35 in file order (undated; gold: the event), tuned on the odd topics, the even
ones held out; the dated stream (bench/support/dated_stream.py) in date order, tune = ECB+
odd + MEANTIME, held out = ECB+ even. B-cubed F1 at the story and the sub-event level.
Neither set has a story over 500 articles, so `--set settle_exact_until=10` (with
`settle_epoch_ratio`) is what makes its stories settle; run it on main's code and on a
branch's to compare the two mechanisms on the same batches.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from eval_story_stream import ECB, MEANTIME


def _records(which: str) -> list[dict]:
    if which == "ecb":
        rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines() if line.strip()]
        for r in rows:
            r["gold"] = str(r["subtopic"])
            r["part"] = "odd" if int(str(r["subtopic"]).split("_")[0]) % 2 else "even"
        return rows
    from support.dated_stream import ecb_dated_records, meantime_records

    rows = sorted(ecb_dated_records(ECB) + meantime_records(MEANTIME), key=lambda r: r["published"])
    for r in rows:
        r["part"] = {"ecb-odd": "tune", "meantime": "tune", "ecb-even": "held-out"}[r["part"]] + "/" + r["part"]
    return rows


def streamed(which: str, store: Path, batch: int, settings) -> dict:
    import newsweave
    from newsweave.stories import story_of, sub_event_of
    from newsweave.stories._evaluate import bcubed

    rows = _records(which)
    store.mkdir(parents=True, exist_ok=True)
    db = store / f"{which}.db"
    for s in ("", "-wal", "-shm"):
        Path(f"{db}{s}").unlink(missing_ok=True)
    with newsweave.open(db, settings=settings) as ws:
        for i in range(0, len(rows), batch):
            path = store / f"{which}-{i // batch:03d}.jsonl"
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[i : i + batch]), encoding="utf-8")
            ws.ingest([path])
            ws.analyse(until="stories")
        extra = {a.id: a.extra for a in ws.articles()}
        gold = {a: str(e["gold"]) for a, e in extra.items()}
        stories = {a: story_of(ws.store, a) or a for a in gold}
        subs = {a: "/".join(map(str, sub_event_of(ws.store, a) or (a,))) for a in gold}
    parts: dict[str, list[str]] = {}
    for a, e in extra.items():
        for p in {e["part"], e["part"].split("/")[0]}:
            parts.setdefault(p, []).append(a)

    def f1(pred, ids=None):
        ids = ids or list(gold)
        return round(bcubed({a: pred[a] for a in ids}, {a: gold[a] for a in ids}).f1, 4)

    return {level: {"all": f1(pred), **{p: f1(pred, ids) for p, ids in sorted(parts.items())},
                    "clusters": len(set(pred.values()))} for level, pred in (("stories", stories), ("sub_events", subs))}


def main() -> None:
    from newsweave.settings import Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--only", default="ecb,dated")
    args = ap.parse_args()
    settings = Settings()
    for item in args.set:
        name, value = item.split("=", 1)
        settings.cluster = replace(settings.cluster, **{name: type(getattr(settings.cluster, name))(value)})
    out = {w: streamed(w, Path(args.store), args.batch, settings) for w in args.only.split(",")}
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
