"""Benchmark of `newsweave serve`: latency under concurrent load, and the store's size.

    PYTHONPATH=src /work/venv/bin/python bench/bench_web.py            # 10,000 articles, 30 s per endpoint
    PYTHONPATH=src /work/venv/bin/python bench/bench_web.py --quick    # 1,000 articles (200 analysed), 5 s each
    ... --analysed 1000         analyse only the first 1,000 (the rest are ingested: stored and searchable)
    ... --db /tmp/bench10k.db    keep (or reuse) the built store between runs

1. Build a store: generated news-like articles (`newsweave.synth`, invented names) through
   `ws.ingest` and `ws.analyse` — the same path as the CLI.
2. Start `newsweave serve` (uvicorn, one process) on a free loopback port.
3. For each endpoint — the health check (the baseline: the same server stack doing no
   work), the story list, a brief (rotating over stories), a search (rotating over words) —
   20 client threads (http.client, keep-alive) send requests back to back for the
   duration; report median and p99 latency and throughput, and each median's ratio to the
   baseline. Briefs are measured once the server has built each (a first sequential pass,
   timed and printed): a brief is built once per store version and then served from cache.
4. Search without the index, in-process: FTS5 against a `LIKE '%word%'` scan of the same
   articles (the baseline FTS5 is for), same words, same run.
5. The store's size on disk (file + WAL), and the full-text index's share of it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

WORDS = ["harbour", "minister", "relief fund", "Brennmoor", "wage agreement", "rail", "Halvik", "budget",
         "strike", "bridge repairs", "union", "Aldmere", "shelter", "Reuters", "postponed", "Zanzibar", "typhoon"]


def build(db: Path, n: int, analysed: int) -> float:
    """Ingest `n` generated articles; the first `analysed` of them also go through every
    analysis stage (the rest are stored and searchable, as in the middle of a large load)."""
    import newsweave
    from support.synth import write_corpus

    start = time.perf_counter()
    ws = newsweave.open(db)
    have = ws.store.count_articles()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp), n, seed=7).paths
        if have < analysed:
            ws.ingest(paths[have:analysed])
            ws.analyse()
        if ws.store.count_articles() < n:
            ws.ingest(paths[max(have, analysed) : n])
    ws.close()
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "serve", "--db", str(db), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stderr.read().decode()[-2000:]}")


def load(port: int, urls: list[str], clients: int, seconds: float) -> dict:
    """`clients` threads, each with its own keep-alive connection (http.client: the
    lightest client, so the load generator steals little CPU), request `urls` round robin,
    back to back, for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    stop = [0.0]

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, bad, i = [], 0, k
        ready.wait()
        while time.monotonic() < stop[0]:
            t = time.perf_counter()
            conn.request("GET", urls[i % len(urls)])
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t)
            bad += response.status != 200
            i += clients
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    stop[0] = time.monotonic() + seconds
    began = time.perf_counter()
    ready.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000,
    }


def search_baseline(db: Path, rounds: int = 3) -> tuple[float, float]:
    """Median ms per word: FTS5 MATCH vs a LIKE scan over clean_text (same words)."""
    from newsweave.store import _search as search
    from newsweave.store import Store

    store = Store(db)
    fts, like = [], []
    for word in WORDS:
        for _ in range(rounds):
            t = time.perf_counter()
            hits = search.matching_ids(store, word)
            fts.append(time.perf_counter() - t)
            t = time.perf_counter()
            rows = store.conn.execute(
                "SELECT id FROM articles WHERE clean_text LIKE ? OR title LIKE ?", (f"%{word}%", f"%{word}%")
            ).fetchall()
            like.append(time.perf_counter() - t)
        assert hits or not rows or word == "rail", word
    store.close()
    return statistics.median(fts) * 1000, statistics.median(like) * 1000


def sizes(db: Path) -> tuple[int, int | None]:
    total = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        fts = conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'").fetchone()[0]
    except sqlite3.Error:  # dbstat not compiled in
        fts = None
    conn.close()
    return total, fts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 articles (200 analysed), 5 s per endpoint")
    ap.add_argument("--articles", type=int, help="articles in the store (default 10,000; quick 1,000)")
    ap.add_argument("--analysed", type=int, help="how many of them go through the analysis stages "
                    "(default: all; the rest are only ingested)")
    ap.add_argument("--seconds", type=float, help="load per endpoint (default 30; quick 5)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--db", type=Path, help="store to build or reuse (default: a temporary file)")
    args = ap.parse_args()
    n = args.articles or (1_000 if args.quick else 10_000)
    seconds = args.seconds or (5.0 if args.quick else 30.0)
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "bench.db"

    analysed = min(args.analysed or (200 if args.quick else n), n)
    built = build(db, n, analysed)
    from newsweave.store import Store
    from newsweave.brief import build_brief
    from newsweave.stories import load_stories

    store = Store(db)
    articles = store.count_articles()
    stories = [s.id for s in sorted(load_stories(store), key=lambda s: -len(s.articles))][:50]
    cold = []
    for sid in stories[:5]:
        t = time.perf_counter()
        build_brief(store, sid)
        cold.append(time.perf_counter() - t)
    store.close()
    print(f"store: {articles:,} articles ({analysed:,} analysed), {len(load_stories(Store(db))):,} stories; "
          f"built in {built:.1f} s")
    if cold:
        print(f"brief built cold (in-process, median of {len(cold)}): {statistics.median(cold) * 1000:.1f} ms")

    port = free_port()
    proc = serve(db, port)
    try:
        rows = {"health (baseline)": load(port, ["/api/health"], args.clients, seconds)}
        rows["story list"] = load(port, ["/api/stories?limit=50"], args.clients, seconds)
        if stories:
            # first pass: every brief built (and cached) by the server, one request at a time
            t = time.perf_counter()
            for sid in stories:
                httpx.get(f"http://127.0.0.1:{port}/api/stories/{sid}/brief", timeout=600).raise_for_status()
            warm = time.perf_counter() - t
            rows["brief (cached)"] = load(port, [f"/api/stories/{s}/brief" for s in stories], args.clients, seconds)
        rows["search"] = load(port, [f"/api/search?q={quote(w)}" for w in WORDS], args.clients, seconds)
    finally:
        proc.terminate()
        proc.wait(10)
    floor = rows["health (baseline)"]["p50"]
    print(f"\n{args.clients} concurrent clients, {seconds:.0f} s per endpoint, loopback, one server process")
    print(f"{'endpoint':<20}{'requests':>10}{'errors':>8}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'p50/baseline':>14}")
    for name, r in rows.items():
        print(f"{name:<20}{r['requests']:>10,}{r['errors']:>8}{r['rps']:>9.1f}{r['p50']:>10.1f}{r['p99']:>10.1f}"
              f"{r['p50'] / floor:>14.2f}")
    if stories:
        print(f"first pass over {len(stories)} briefs (built by the server, sequential): {warm:.1f} s")
    fts_ms, like_ms = search_baseline(db)
    print(f"\nsearch in-process, median per query over {len(WORDS)} words: FTS5 {fts_ms:.2f} ms, "
          f"LIKE scan (baseline) {like_ms:.2f} ms -> FTS5 {like_ms / fts_ms:.1f}x faster")
    total, fts = sizes(db)
    share = f", full-text index {fts / 1e6:.1f} MB ({fts / total:.0%})" if fts else ""
    print(f"store on disk: {total / 1e6:.1f} MB ({total / articles / 1e3:.1f} kB per article){share}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
