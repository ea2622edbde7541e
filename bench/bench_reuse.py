"""Benchmark: near-duplicates and shared passages on a generated corpus with planted reuse.

    PYTHONPATH=src /work/venv/bin/python bench/bench_reuse.py            # 10,000 and 100,000 articles
    PYTHONPATH=src /work/venv/bin/python bench/bench_reuse.py --quick    # 2,000 and 10,000

For each size, one corpus is generated (newsweave.synth_reuse: Zipf vocabulary, 10 % near-duplicate
variants, 5 % articles carrying a paragraph copied from another) and written to a temporary
file; then two child processes each read it and are timed, so each peak RSS is its own:

- newsweave: the reuse stage over a fresh SQLite store (index, candidates, verified Jaccard,
  passage alignment with quote/narrative split, families), as `newsweave analyse` runs it;
- baseline: datasketch MinHash (num_perm=128) over the same word 3-gram shingles and
  MinHashLSH with the same bands x rows (query, then insert, per article), a pair being a
  near-duplicate when its estimated Jaccard is >= 0.8. It finds near-duplicates only.

Printed: wall and CPU seconds (CPU time is steadier on a shared machine), peak RSS (and RSS before the timed part), precision/recall of
near-duplicates against planted variant pairs whose true word-3-gram Jaccard is >= 0.8, the
recall of planted reused paragraphs (newsweave only), and the time ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rss_mb() -> float:
    """Peak RSS of this process since exec (VmHWM; ru_maxrss would include the parent's)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- corpus ----------------------------------------------------------------------------------


def make_corpus(n: int, seed: int, path: Path) -> dict:
    from support import synth_reuse as synth

    t0 = time.perf_counter()
    corpus = synth.Generator(seed=seed).corpus(n, near_dup_share=0.1, reuse_share=0.05)
    sets: dict[int, set] = {}

    def shingle_set(i: int) -> set:
        if i not in sets:
            sets[i] = synth.word_shingles(corpus.texts[i])
        return sets[i]

    related = corpus.related()
    truth = [k for k in related if synth.true_jaccard(shingle_set(k[0]), shingle_set(k[1])) >= 0.8]
    with path.open("w") as f:
        for text in corpus.texts:
            f.write(json.dumps(text) + "\n")
    meta = {
        "n": n,
        "related": sorted(related),
        "truth": sorted(truth),
        "reused": sorted(tuple(sorted(k)) for k in corpus.reused),
        "groups": corpus.groups,
        "seconds": time.perf_counter() - t0,
    }
    path.with_suffix(".truth.json").write_text(json.dumps(meta))
    return meta


def read_texts(path: Path) -> list[str]:
    with path.open() as f:
        return [json.loads(line) for line in f]


# -- the two contenders (each runs in its own process) ----------------------------------------


def run_newsweave(path: Path) -> dict:
    from newsweave.reuse import _stage as reuse
    from support import synth_reuse as synth
    from newsweave.settings import Settings
    from newsweave.store import Store

    texts = read_texts(path)
    db = path.with_suffix(".db")
    store = Store(db)
    ids = synth.load(store, texts)
    index = {a: i for i, a in enumerate(ids)}
    del texts
    settings = Settings()
    before = current_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    with store.transaction():
        reuse.ReuseStage().run(store, ids, settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = reuse.pairs(store)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_mb": before,
        "peak_rss_mb": rss_mb(),
        "store_mb": db.stat().st_size / 2**20,
        "near": [sorted((index[p.a], index[p.b])) for p in rows if p.near_duplicate],
        "narrative": [sorted((index[p.a], index[p.b])) for p in rows if p.narrative_tokens],
        "joins": [sorted((index[p.a], index[p.b])) for p in rows if p.joins],
        "passages": store.conn.execute("SELECT COUNT(*) FROM reuse_passages").fetchone()[0],
        "pairs": len(rows),
    }


def run_datasketch(path: Path) -> dict:
    import re

    from datasketch import MinHash, MinHashLSH

    from newsweave.settings import ReuseSettings

    cfg = ReuseSettings()
    texts = read_texts(path)
    word = re.compile(r"\w+")
    before = current_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(num_perm=cfg.num_perm, params=(cfg.bands, cfg.rows))
    sketches = []
    near = []
    for i, text in enumerate(texts):
        words = [w.lower() for w in word.findall(text)]
        grams = {" ".join(words[k : k + cfg.shingle_ngram]).encode() for k in range(max(1, len(words) - 2))}
        m = MinHash(num_perm=cfg.num_perm)
        m.update_batch(list(grams))
        for j in lsh.query(m):
            if sketches[j].jaccard(m) >= cfg.near_duplicate:
                near.append([j, i])
        lsh.insert(i, m)
        sketches.append(m)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu_seconds": cpu, "rss_before_mb": before, "peak_rss_mb": rss_mb(), "near": near}


# -- scoring and report ------------------------------------------------------------------------


def score(result: dict, meta: dict) -> dict:
    truth = {tuple(k) for k in meta["truth"]}
    related = {tuple(k) for k in meta["related"]}
    found = {tuple(k) for k in result["near"]}
    out = {
        "precision": len(found & related) / len(found) if found else 1.0,
        "recall": len(found & truth) / len(truth) if truth else 1.0,
        "found": len(found),
        "truth": len(truth),
    }
    if "narrative" in result:
        reused = {tuple(k) for k in meta["reused"]}
        narrative = {tuple(k) for k in result["narrative"]}
        # articles are related when versions of one original, or linked by planted reuse
        # (two articles that copied the same paragraph share it too)
        parent = list(range(len(meta["groups"])))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in reused:
            parent[find(meta["groups"][a])] = find(meta["groups"][b])
        component = [find(g) for g in meta["groups"]]
        joins = {tuple(k) for k in result["joins"]}
        wrong = [k for k in joins if component[k[0]] != component[k[1]]]
        out["passage_recall"] = len(reused & narrative) / len(reused) if reused else 1.0
        out["family_edges_between_unrelated"] = len(wrong)
    return out


def child(which: str, path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    proc = subprocess.run(
        [sys.executable, __file__, "--child", which, "--corpus", str(path)], capture_output=True, text=True, env=env
    )
    if proc.returncode:
        raise SystemExit(f"{which} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 articles")
    parser.add_argument("--sizes", default=None, help="comma-separated corpus sizes (default 10000,100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=["newsweave", "datasketch"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_newsweave(args.corpus) if args.child == "newsweave" else run_datasketch(args.corpus)
        print(json.dumps(result))
        return
    sizes = [int(s) for s in (args.sizes or ("2000,10000" if args.quick else "10000,100000")).split(",")]
    print(f"{'articles':>9} {'method':<22} {'seconds':>8} {'cpu s':>7} {'ms/art':>7} {'peak MiB':>9} {'+work MiB':>9} "
          f"{'prec':>6} {'recall':>6} {'pairs':>6}  notes")
    with tempfile.TemporaryDirectory(prefix="bench_reuse_") as tmp:
        for n in sizes:
            path = Path(tmp) / f"corpus_{n}.jsonl"
            meta = make_corpus(n, args.seed, path)
            results = {}
            for which in ("datasketch", "newsweave"):
                r = child(which, path)
                s = score(r, meta)
                results[which] = r
                label = "datasketch MinHashLSH" if which == "datasketch" else "newsweave reuse stage"
                notes = ""
                if which == "newsweave":
                    notes = (f"passage recall {s['passage_recall']:.3f}, unrelated family edges "
                             f"{s['family_edges_between_unrelated']}, {r['passages']} passages, "
                             f"store {r['store_mb']:.0f} MiB; time x{r['seconds'] / results['datasketch']['seconds']:.2f}, "
                             f"cpu x{r['cpu_seconds'] / results['datasketch']['cpu_seconds']:.2f} the baseline's")
                print(f"{n:>9} {label:<22} {r['seconds']:>8.1f} {r['cpu_seconds']:>7.1f} {1000 * r['seconds'] / n:>7.2f} "
                      f"{r['peak_rss_mb']:>9.0f} {r['peak_rss_mb'] - r['rss_before_mb']:>9.0f} "
                      f"{s['precision']:>6.3f} {s['recall']:>6.3f} {s['truth']:>6}  {notes}", flush=True)


if __name__ == "__main__":
    main()
