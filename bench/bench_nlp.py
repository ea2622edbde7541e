"""Speed and peak memory of the nlp stage (paragraph cache) against a bare `nlp.pipe`.

    PYTHONPATH=src /work/venv/bin/python bench/bench_nlp.py [--quick] [--json]

Two corpora, ingested once into a store (ingest time not counted):

(a) ECB+ (`../shared/corpora/ecbplus/`): real articles, almost no paragraph repeats — the
    cache can only cost here (hashing, DocBin serialisation, SQLite writes);
(b) syndicated: ECB+ articles each printed by several outlets, every copy cut differently
    (one paragraph dropped) and given its own closing line — each paragraph appears in
    several articles, as wire copy does.

For each corpus, every measurement runs in a fresh process (so peak RSS is its own):
- bare:  `for doc in nlp.pipe(paragraphs)` over the clean paragraphs of every article;
- stage: the "nlp" stage on a cold cache (parse unique paragraphs, store them);
- warm:  `parse_articles` of every article again, all from the store (no parse).
All with n_process=1 so the ratio compares work, not cores. Ratios are to `bare`, on wall
time and on the process's CPU time (steadier on a machine shared with other jobs).
Targets: stage <= 1.3x bare on (a); stage <= 0.5x bare on (b).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
ECB = SHARED / "corpora" / "ecbplus" / "ecbplus-topics-1-35.jsonl"


def build_corpora(workdir: Path, quick: bool) -> dict[str, Path]:
    """JSONL inputs for (a) and (b)."""
    records = [json.loads(line) for line in ECB.open(encoding="utf-8")]
    ecb = records[:120] if quick else records
    a = workdir / "ecbplus.jsonl"
    a.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in ecb), encoding="utf-8")
    rng = random.Random(7)
    sources = records[:40] if quick else records[:200]
    copies = 5
    lines = []
    for r in sources:
        paragraphs = [p for p in r["text"].split("\n") if p.strip()]
        for c in range(copies):
            cut = list(paragraphs)
            if len(cut) > 3:
                del cut[rng.randrange(1, len(cut))]
            cut.append(f"Distributed by outlet {c} under licence; story {r['id']}.")
            lines.append(json.dumps({"id": f"{r['id']}-{c}", "outlet": f"outlet{c}", "text": "\n".join(cut)}) + "\n")
    b = workdir / "syndicated.jsonl"
    b.write_text("".join(lines), encoding="utf-8")
    return {"ecbplus": a, "syndicated": b}


def ingest(jsonl: Path, db: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import newsweave

    ws = newsweave.open(db)
    report = ws.ingest([jsonl])
    ws.close()
    if report.rejected:
        print(f"warning: {len(report.rejected)} records skipped", file=sys.stderr)


def measure(mode: str, db: str) -> dict:
    """One measurement in this process: seconds, peak RSS, counts."""
    sys.path.insert(0, str(ROOT / "src"))
    from newsweave.nlp import _parse as nlp
    from newsweave.settings import Settings
    from newsweave.store import Store

    settings = Settings()
    settings.nlp.parallel_from = 10**9  # n_process=1 throughout
    store = Store(db)
    articles = store.articles()
    texts = [a.clean_text[s:e] for a in articles for s, e in a.paragraphs()]
    model = nlp.load(settings.nlp.model)
    model("warm up")
    nlp.STATS.reset()
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "bare":
        for _ in model.pipe(texts, batch_size=settings.nlp.batch_size):
            pass
    elif mode == "stage":
        with store.transaction():
            nlp.NlpStage().run(store, [a.id for a in articles], settings)
    elif mode == "warm":
        for i in range(0, len(articles), 400):
            nlp.parse_articles(articles[i : i + 400], settings, store)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "mode": mode,
        "articles": len(articles),
        "paragraphs": len(texts),
        "unique_paragraphs": len(set(texts)),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "articles_per_s": round(len(articles) / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "parsed": nlp.STATS.parsed,
        "store_hits": nlp.STATS.store_hits,
    }


def run(quick: bool) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, jsonl in build_corpora(workdir, quick).items():
            db = workdir / f"{name}.db"
            ingest(jsonl, db)
            rows = {}
            for mode in ("bare", "stage", "warm"):
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", mode, str(db)],
                    check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                )
                rows[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            bare, bare_cpu = rows["bare"]["seconds"], rows["bare"]["cpu_seconds"]
            for mode in ("stage", "warm"):
                rows[mode]["ratio_to_bare"] = round(rows[mode]["seconds"] / bare, 3)
                rows[mode]["cpu_ratio_to_bare"] = round(rows[mode]["cpu_seconds"] / bare_cpu, 3)
            results[name] = rows
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="120 ECB+ articles; 40 stories x 5 copies")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    results = run(args.quick)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    targets = {"ecbplus": 1.3, "syndicated": 0.5}
    for name, rows in results.items():
        b = rows["bare"]
        print(f"{name}: {b['articles']} articles, {b['paragraphs']} paragraphs ({b['unique_paragraphs']} unique)")
        for mode, r in rows.items():
            ratio = (
                f"  {r['ratio_to_bare']:.2f}x bare (cpu {r['cpu_ratio_to_bare']:.2f}x)" if "ratio_to_bare" in r else ""
            )
            print(f"  {mode:6} {r['seconds']:8.2f} s (cpu {r['cpu_seconds']:8.2f} s) {r['articles_per_s']:8.1f} art/s"
                  f"  peak {r['peak_rss_mb']:7.1f} MB"
                  f"  parsed {r['parsed']:6d}  hits {r['store_hits']:6d}{ratio}")
        for basis, key in (("wall", "ratio_to_bare"), ("cpu", "cpu_ratio_to_bare")):
            verdict = "met" if rows["stage"][key] <= targets[name] else "MISSED"
            print(f"  target stage <= {targets[name]}x bare ({basis} time): {verdict}")


if __name__ == "__main__":
    main()
