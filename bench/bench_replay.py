"""One batch of a stream replayed on a kept store: each analysis stage timed on its own.

    PYTHONPATH=src:bench python bench/bench_replay.py build --workdir W          # ~13 min, once
    PYTHONPATH=src:bench python bench/bench_replay.py run --workdir W [--batch 2|20]
        [--profile STAGE] [--rebuild-largest]

`build` streams 19 batches of 500 generated articles (`support.synth`, seed 1, as
bench_stream.py does) into W/s19.db, keeping the store after batch 1 as W/s1.db. `run`
copies the kept store (s1.db for --batch 2, s19.db for --batch 20), ingests the batch, runs
every analysis stage once over it and prints CPU and wall seconds per stage; `--profile
STAGE` prints that stage's cProfile. The whole stream takes 13 minutes and its batches
differ in what they move; a replay isolates one batch, so two versions of a stage compare on
the same input, one after the other (issue 19's rounds 6 and 7).

`--rebuild-largest` spoils what the largest story's stored quote-variant state covers, so
corroborate builds it again from every article: the cost of a batch that moves an article in
or out of a story of thousands.

A replay is a fresh process: the stories stage computes every stored vector once, which a
stream keeps between batches (about 2 s at 9,500 articles). Compare fresh with fresh, or use
`--warm`: the batch's first 250 articles are analysed untimed, then its last 250 are timed
with what the stages keep in the process (the stories index, corroborate's kept variants),
as in a stream.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import newsweave  # noqa: E402
from bench_stream import ingest, synth_batches  # noqa: E402
from newsweave import pipeline  # noqa: E402
from newsweave.nlp import kept_docs  # noqa: E402
from support.stream import cpu_seconds, feed  # noqa: E402

BATCHES, SIZE, SEED = 20, 500, 1


def build(work: Path) -> None:
    batches = synth_batches(work / "corpus", BATCHES, SIZE, SEED)
    for n in (2, 20):
        (work / f"batch{n}.json").write_text(json.dumps([str(p) for p in batches[n - 1]]))
    with newsweave.open(work / "growing.db") as ws:
        feed(ws, batches[:1], ingest)
    shutil.copy(work / "growing.db", work / "s1.db")
    with newsweave.open(work / "growing.db") as ws:
        feed(ws, batches[1:19], ingest, lambda i, row: print(f"  batch {i + 2} analysed", flush=True))
    shutil.move(work / "growing.db", work / "s19.db")


def _spoil_largest_variant_state(ws) -> None:
    largest = ws.store.conn.execute(
        "SELECT story_id FROM story_articles GROUP BY story_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    with ws.store.transaction():
        ws.store.conn.execute("UPDATE variant_state SET articles = 'spoiled' WHERE story_id = ?", (largest,))


def run(work: Path, batch: int, profile: str | None, rebuild: bool, warm: bool = False) -> None:
    out = work / f"replay-{batch}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(out) + suffix).unlink(missing_ok=True)
    shutil.copy(work / ("s1.db" if batch == 2 else "s19.db"), out)
    with newsweave.open(out) as ws:
        if rebuild:
            _spoil_largest_variant_state(ws)
        paths = json.loads((work / f"batch{batch}.json").read_text())
        if warm:  # the batch's first half analysed untimed: what a stream keeps in the process is there
            ws.ingest(paths[: len(paths) // 2])
            with kept_docs(ws.settings):
                for stage in pipeline.analysis_stages():
                    pipeline.run_stage(ws.store, stage, ws.settings)
            paths = paths[len(paths) // 2 :]
        ws.ingest(paths)
        with kept_docs(ws.settings):
            for stage in pipeline.analysis_stages():
                profiler = cProfile.Profile() if stage.name == profile else None
                c, w = cpu_seconds(), time.perf_counter()
                if profiler:
                    profiler.enable()
                pipeline.run_stage(ws.store, stage, ws.settings)
                if profiler:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
                print(f"{stage.name:12s} cpu {cpu_seconds() - c:7.2f}  wall {time.perf_counter() - w:7.2f}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["build", "run"])
    ap.add_argument("--workdir", required=True, help="folder for the corpus and the kept stores")
    ap.add_argument("--batch", type=int, choices=[2, 20], default=20)
    ap.add_argument("--profile", help="a stage to profile (cProfile)")
    ap.add_argument("--rebuild-largest", action="store_true", help="make corroborate rebuild the largest story")
    ap.add_argument("--warm", action="store_true",
                    help="analyse the batch's first half untimed, then time its second half (a stream's kept state in the process)")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.what == "build":
        build(work)
    else:
        run(work, args.batch, args.profile, args.rebuild_largest, args.warm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
