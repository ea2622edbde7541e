"""The reuse stage's next batch of 500, two code trees alternately on fresh copies of one
kept store: CPU seconds of each and whether their reuse tables are identical.

    PYTHONPATH=src:bench python bench/bench_reuse_versions.py --workdir W --baseline DIR [--at 10000,20000,30000] [--rounds 1]

`W` holds the stores `at{N}.db` that `bench_reuse_growth.py` keeps (never modified: each run
is on a copy). `DIR` is another tree of the project (e.g. `git archive main | tar -x -C DIR`);
this tree is the other side. Each side runs in its own process, baseline first, then this
tree, at each size; the md5 of each reuse table's sorted rows is compared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TABLES = ("reuse_pairs", "reuse_passages", "reuse_families", "reuse_family_info")

ONE = """
import hashlib, os, shutil, sys, time
import newsweave
from newsweave import pipeline
from newsweave.pipeline import analysis_stages
src, out = sys.argv[1], sys.argv[2]
shutil.copy(src, out)
try:
    with newsweave.open(out) as ws:
        stage = next(s for s in analysis_stages() if s.name == "reuse")
        part = set(ws.store.pending("reuse")[:500])
        start = time.process_time()
        pipeline._run_part(ws.store, stage, ws.settings, None, {}, 500, None, part)
        print(f"{time.process_time() - start:.2f}")
        for t in %r:
            rows = sorted(tuple(r) for r in ws.store.conn.execute(f"SELECT * FROM {t}"))
            print(t, len(rows), hashlib.md5(repr(rows).encode()).hexdigest())
finally:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(out + suffix):
            os.unlink(out + suffix)
""" % (TABLES,)


def run(tree: Path, kept: Path, copy: Path) -> tuple[float, list[str]]:
    env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}:{tree / 'bench'}"}
    out = subprocess.run([sys.executable, "-c", ONE, str(kept), str(copy)], env=env, check=True, capture_output=True, text=True)
    lines = out.stdout.split("\n")
    return float(lines[0]), [line for line in lines[1:] if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--at", default="10000,20000,30000")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"{'stored':>8} {'baseline s':>11} {'this s':>8} {'ratio':>6} identical  load")
    for _ in range(args.rounds):
        for n in (int(x) for x in args.at.split(",")):
            kept = args.workdir / f"at{n}.db"
            base, base_tables = run(args.baseline, kept, kept.with_suffix(f".base{os.getpid()}.db"))
            this, tables = run(HERE, kept, kept.with_suffix(f".this{os.getpid()}.db"))
            load = os.getloadavg()[0]
            print(f"{n:>8} {base:>11.2f} {this:>8.2f} {this / base:>6.2f} {str(tables == base_tables):>9}  {load:.1f}", flush=True)


if __name__ == "__main__":
    main()
