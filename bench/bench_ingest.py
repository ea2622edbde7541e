"""Ingest throughput, peak memory and HTML extraction quality, each beside a baseline measured
in the same run.

    PYTHONPATH=src python bench/bench_ingest.py            # 10,000 generated articles + 181 pages
    PYTHONPATH=src python bench/bench_ingest.py --quick    # 1,000 generated articles + 181 pages
    ... --no-tracemalloc                                   # skip the (slower) Python-heap runs

Every measurement runs in its own fresh interpreter (this script re-invoked with `--child`),
so its peak RSS (`ru_maxrss`) is that task's alone; a second run of the same task with
`tracemalloc` on gives the Python heap peak (tracemalloc slows the code, so timings come from
the first run only).

1. synthetic      `Workspace.ingest` of N generated text articles (bench/support/synth.py) into a
                  fresh SQLite store; baseline: `raw-store`, which only reads each file,
                  hashes it and inserts it in its own transaction (the floor any ingest pays).
2. pages          `Workspace.ingest` of the 181 pages of ../shared/corpora/article-extraction
                  (.html.gz as they are); baseline: `trafilatura`, bare `trafilatura.extract`
                  with default options on the same pages.
3. quality        token precision/recall/F1 of our clean texts and of bare trafilatura's
                  against ground-truth.json (metric in bench/support/extraction_eval.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
PAGES_DIR = SHARED / "corpora" / "article-extraction"


# -- children: one task each, in a fresh interpreter --------------------------------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(task: str, folder: str, db: str, texts_out: str | None, trace: bool) -> dict:
    from support import extraction_eval as ev

    import newsweave  # noqa: F401  (imports before the clock: we time the work, not the imports)
    import trafilatura  # noqa: F401

    rss_imports = _rss_mib()
    pages = ev.load_pages(Path(folder)) if task in ("pages", "trafilatura") else None
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    texts = None
    if task == "synthetic":
        with newsweave.open(db) as ws:
            report = ws.ingest([folder])
        items, extra = len(report.ingested) + len(report.duplicates), {"summary": report.summary()}
    elif task == "raw-store":
        items, extra = _raw_store(Path(folder), db), {}
    elif task == "pages":
        texts = ev.extract_ours(pages, db=db)
        items, extra = len(pages), {}
    elif task == "trafilatura":
        texts = ev.extract_trafilatura(pages)
        items, extra = len(pages), {}
    else:
        raise SystemExit(f"unknown task {task!r}")
    elapsed = time.perf_counter() - start
    result = {"task": task, "items": items, "seconds": elapsed, "per_second": items / elapsed,
              "rss_peak_mib": _rss_mib(), "rss_after_imports_mib": rss_imports, **extra}
    if trace:
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    if texts_out and texts is not None:
        Path(texts_out).write_text(json.dumps(texts))
    return result


def _raw_store(folder: Path, db: str) -> int:
    """Baseline: read, hash, insert each file in its own transaction. Nothing else."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, source TEXT, text TEXT)")
    n = 0
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO docs VALUES (?, ?, ?)",
                     (hashlib.sha256(text.encode()).hexdigest(), str(path), text))
        conn.execute("COMMIT")
        n += 1
    conn.close()
    return n


# -- parent: run the children, print the figures ---------------------------------------


def run_child(task: str, folder: Path, workdir: Path, trace: bool, texts_out: Path | None = None) -> dict:
    db = workdir / f"{task}-{'trace' if trace else 'time'}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", task, "--folder", str(folder), "--db", str(db)]
    if trace:
        cmd.append("--trace")
    if texts_out:
        cmd += ["--texts-out", str(texts_out)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"child {task} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(task: str, folder: Path, workdir: Path, trace: bool, texts_out: Path | None = None) -> dict:
    result = run_child(task, folder, workdir, trace=False, texts_out=texts_out)
    if trace:
        result["tracemalloc_peak_mib"] = run_child(task, folder, workdir, trace=True)["tracemalloc_peak_mib"]
    return result


def fmt(r: dict) -> str:
    heap = f", heap peak {r['tracemalloc_peak_mib']:.1f} MiB" if "tracemalloc_peak_mib" in r else ""
    return (f"{r['task']:<12} {r['items']:>6} items in {r['seconds']:7.2f} s = {r['per_second']:8.1f}/s; "
            f"peak RSS {r['rss_peak_mib']:.0f} MiB (after imports {r['rss_after_imports_mib']:.0f}){heap}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 generated articles instead of 10,000")
    ap.add_argument("--n", type=int, default=None, help="number of generated articles")
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip the Python-heap runs")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--texts-out", help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.db, args.texts_out, args.trace)))
        return

    from support import extraction_eval as ev
    from support.synth import write_corpus

    n = args.n or (1_000 if args.quick else 10_000)
    trace = not args.no_tracemalloc
    figures: dict = {"n_synthetic": n}
    with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
        work = Path(tmp)
        corpus = write_corpus(work / "synthetic", n, seed=1)
        print(f"# 1. ingest of {corpus.distinct:,} generated text articles (bench/support/synth.py)")
        ours = measure("synthetic", work / "synthetic", work, trace)
        base = measure("raw-store", work / "synthetic", work, trace)
        print(fmt(ours)); print(fmt(base))
        print(f"ratio newsweave/raw-store throughput: {ours['per_second'] / base['per_second']:.3f}")
        figures.update(synthetic=ours, raw_store=base)

        if not PAGES_DIR.exists():
            print(f"# 2-3 skipped: {PAGES_DIR} is absent")
        else:
            pages = ev.load_pages(PAGES_DIR)
            print(f"\n# 2. ingest of the {len(pages)} article-extraction pages")
            ours = measure("pages", PAGES_DIR, work, trace, texts_out=work / "ours.json")
            base = measure("trafilatura", PAGES_DIR, work, trace, texts_out=work / "trafilatura.json")
            print(fmt(ours)); print(fmt(base))
            print(f"ratio newsweave ingest/bare trafilatura throughput: {ours['per_second'] / base['per_second']:.3f}")
            figures.update(pages=ours, trafilatura=base)

            print(f"\n# 3. quality on the same {len(pages)} pages (token P/R/F1, averaged over pages)")
            q_ours = ev.score(pages, json.loads((work / "ours.json").read_text()))
            q_base = ev.score(pages, json.loads((work / "trafilatura.json").read_text()))
            for name, q in (("newsweave", q_ours), ("trafilatura", q_base)):
                print(f"{name:<12} P {q.precision:.4f}  R {q.recall:.4f}  F1 {q.f1:.4f}  "
                      f"(mean page F1 {q.mean_page_f1:.4f}, {q.empty} empty)")
            print(f"ratio newsweave/trafilatura: P {q_ours.precision / q_base.precision:.3f}  "
                  f"R {q_ours.recall / q_base.recall:.3f}  F1 {q_ours.f1 / q_base.f1:.3f}")
            figures.update(quality={"newsweave": q_ours.as_dict(), "trafilatura": q_base.as_dict()})
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
