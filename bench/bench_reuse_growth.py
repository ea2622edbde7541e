"""The reuse stage alone as the store grows: the next batch of 500 with `max_aligned` against
the stage unbounded (the baseline), each on its own copy of the same store, in the same run.

    PYTHONPATH=src:bench python bench/bench_reuse_growth.py --workdir W [--at 10000,20000,30000]

`W` keeps a store of the generated real-text corpus (`support/realtext.py`, seed 1, as
bench_pipeline.py writes it), ingested whole and grown by the reuse stage (unbounded, so the
stored pairs are the same whatever bound is measured) in batches of 500, with a copy kept
at each `--at` size (~10 min to 30,000 once; later runs reuse the copies). Then, at each size,
the next batch of 500 is run once bounded and once unbounded on fresh copies, alternately:
CPU seconds of each, their ratio, and the family memberships the bounded run has fewer of
(docs/reuse.md, "Aligned with the closest few").
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import newsweave  # noqa: E402
from bench_pipeline import write_corpus  # noqa: E402
from newsweave import pipeline  # noqa: E402
from newsweave.pipeline import analysis_stages  # noqa: E402
from newsweave.settings import Settings  # noqa: E402

BATCH = 500
UNBOUNDED = 10**9


def _reuse_stage():
    return next(s for s in analysis_stages() if s.name == "reuse")


def _next_batch(ws, max_aligned: int) -> float:
    """CPU seconds of the reuse stage over the next `BATCH` pending articles."""
    ws.settings.reuse = dataclasses.replace(ws.settings.reuse, max_aligned=max_aligned)
    part = set(ws.store.pending("reuse")[:BATCH])
    start = time.process_time()
    pipeline._run_part(ws.store, _reuse_stage(), ws.settings, None, {}, BATCH, None, part)
    return time.process_time() - start


def grow(work: Path, sizes: list[int]) -> None:
    """The kept stores `work/at{size}.db`, grown by the unbounded stage."""
    if all((work / f"at{n}.db").exists() for n in sizes):
        return
    corpus = work / "corpus"
    if not corpus.exists():
        write_corpus(corpus, max(sizes) + BATCH)
    db = work / "growing.db"
    db.unlink(missing_ok=True)
    with newsweave.open(db) as ws:
        ws.ingest(sorted(str(p) for p in corpus.iterdir()))
        done = 0
        while done < max(sizes):
            _next_batch(ws, UNBOUNDED)
            done += BATCH
            if done in sizes:
                ws.store.conn.execute(f"VACUUM INTO '{work / f'at{done}.db'}'")
                print(f"  kept the store at {done} articles", flush=True)
    db.unlink()


def measure(kept: Path, max_aligned: int) -> tuple[float, int]:
    """CPU seconds of the next batch on a copy of `kept`, and the family memberships after it."""
    copy = kept.with_suffix(f".m{max_aligned}.db")
    shutil.copy(kept, copy)
    try:
        with newsweave.open(copy) as ws:
            cpu = _next_batch(ws, max_aligned)
            members = ws.store.conn.execute("SELECT count(*) FROM reuse_families").fetchone()[0]
    finally:
        copy.unlink()
    return cpu, members


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--at", default="10000,20000,30000", help="store sizes (multiples of 500)")
    parser.add_argument("--bound", type=int, default=Settings().reuse.max_aligned, help="max_aligned measured")
    args = parser.parse_args()
    sizes = sorted(int(x) for x in args.at.split(","))
    args.workdir.mkdir(parents=True, exist_ok=True)
    grow(args.workdir, sizes)
    print(f"{'stored':>8} {'unbounded s':>12} {'bound ' + str(args.bound) + ' s':>12} {'ratio':>6} {'memberships lost':>17}")
    for n in sizes:
        base_cpu, base_members = measure(args.workdir / f"at{n}.db", UNBOUNDED)
        cpu, members = measure(args.workdir / f"at{n}.db", args.bound)
        print(f"{n:>8} {base_cpu:>12.2f} {cpu:>12.2f} {cpu / base_cpu:>6.2f} {base_members - members:>17}", flush=True)


if __name__ == "__main__":
    main()
