"""Benchmark of `newsweave serve` under a mixed load: readers and uploaders at once (issue 19).

    PYTHONPATH=src:bench python bench/bench_web.py                          # 10,000 articles, 60 s, 16 readers + 4 uploaders
    ... --articles 1000 --seconds 30     a smaller store (built once into the cache path it prints)
    ... --only background                skip the baseline run
    ... --inside                         also each request timed inside the server (queued, story index, brief)
    ... --src /tmp/main/src              the server from another tree (main's, as the baseline), same store and load
    ... --endpoints                      the older per-endpoint figures (health, list, brief, search)
    ... --holds 8                        per stage, the longest write transaction (what an upload can wait
                                         for) when 8 fresh articles are analysed on a copy of the store

1. A store of `--articles` generated articles (`support/synth.py`, seed 7), ingested and
   analysed once into a cache file (`--cache`, printed) and copied fresh for each run.
2. The same load twice, each against a real `newsweave serve` (uvicorn) on a free loopback
   port: the server as it is (uploads stored in the request, analysed by the background
   worker: 202 with a job), and the baseline in the same run: `serve --sync-analysis`, the
   analysis inside the upload's request as before issue 19.
3. For `--seconds`: `--readers` threads read the stories list (`/`) and the brief pages
   (`/stories/{id}`) back to back; `--uploaders` threads post one fresh generated article
   each to `/api/articles` every `--upload-every` seconds (or at once when the previous
   upload took longer). Each brief page is read once before the load (the cold build,
   timed and printed), as a server that has been up a while has them.
4. Then every upload is waited for until analysed (the drain, timed), and the store is
   checked: every uploaded article stored once and done by every analysis stage.
Printed: p50/p95/p99 of the upload and of each page, errors, and the baseline's ratio.
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
        if have <= analysed:  # also a build stopped during its analysis: the stages resume at what is pending
            ws.analyse()
        if ws.store.count_articles() < n:
            ws.ingest(paths[max(have, analysed) : n])
    ws.close()
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HERE = Path(__file__).resolve().parent


def serve(db: Path, port: int, *flags: str, src: Path = HERE.parent / "src", inside: Path | None = None) -> subprocess.Popen:
    """`newsweave serve` from the sources in `src`; with `inside`, the timed server
    (`support/timed_server.py`), which writes its per-request timings there when it stops."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "newsweave", "serve"] if inside is None else \
        [sys.executable, str(HERE / "support" / "timed_server.py"), "--out", str(inside)]
    proc = subprocess.Popen(
        [*command, "--db", str(db), "--port", str(port), *flags],
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


def endpoints_main(argv: list[str]) -> None:
    """The per-endpoint benchmark (issue 11): each endpoint alone under 20 clients."""
    ap = argparse.ArgumentParser(description="per-endpoint latency (--endpoints)")
    ap.add_argument("--quick", action="store_true", help="1,000 articles (200 analysed), 5 s per endpoint")
    ap.add_argument("--articles", type=int, help="articles in the store (default 10,000; quick 1,000)")
    ap.add_argument("--analysed", type=int, help="how many of them go through the analysis stages "
                    "(default: all; the rest are only ingested)")
    ap.add_argument("--seconds", type=float, help="load per endpoint (default 30; quick 5)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--db", type=Path, help="store to build or reuse (default: a temporary file)")
    args = ap.parse_args(argv)
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


# -- the mixed load (issue 19) ---------------------------------------------------------


def cached_store(cache: Path, n: int) -> Path:
    """The analysed store of `n` generated articles, built once into `cache`. A cache that
    exists is only read (opened read-only, never migrated: a branch with a new migration
    would change the file a baseline run of main then reads); each run migrates its copy."""
    cache.mkdir(parents=True, exist_ok=True)
    db = cache / f"web-{n}-s7.db"
    from newsweave import pipeline

    if db.exists():
        import sqlite3

        last = pipeline.analysis_stages()[-1].name
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        count, waiting = conn.execute(
            "SELECT COUNT(*), SUM(id NOT IN (SELECT article_id FROM stage_done WHERE stage = ?)) FROM articles", (last,)
        ).fetchone()
        conn.close()
        if count == n and not waiting:
            print(f"store cache: {db} ({n:,} analysed articles, reused)")
            return db
    took = build(db, n, n)
    print(f"store cache: {db} ({n:,} articles ingested and analysed in {took:.0f} s)")
    return db


def fresh_copy(db: Path, into: Path) -> Path:
    """A consistent copy of the store (SQLite's backup: the WAL included)."""
    import sqlite3

    into.unlink(missing_ok=True)
    src, dst = sqlite3.connect(db), sqlite3.connect(into)
    src.backup(dst)
    src.close()
    dst.close()
    return into


def fresh_article(k: int, j: int) -> str:
    """Uploader `k`'s `j`-th article: generated like the store's, numbered so it is new."""
    import random

    from support.synth import article_text

    i = 5_000_000 + 100_000 * k + j
    return article_text(i, random.Random(i))[0]


class Timings:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def add(self, kind: str, ms: float, error: str | None = None) -> None:
        with self.lock:
            self.ms.setdefault(kind, []).append(ms)
            if error:
                self.errors.setdefault(kind, []).append(error)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def request(conn: http.client.HTTPConnection, method: str, url: str, body: bytes | None = None) -> tuple[int, bytes, float]:
    headers = {"content-type": "application/json"} if body is not None else {}
    t = time.perf_counter()
    conn.request(method, url, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, (time.perf_counter() - t) * 1000


def mixed_load(port: int, stories: list[str], args, background: bool) -> tuple[Timings, list[dict]]:
    """Readers and uploaders at once for `args.seconds`; the uploads' answers."""
    import json

    timings, uploads = Timings(), []
    stop = time.monotonic() + args.seconds
    pages = [("stories list", "/")] + [("brief page", f"/stories/{s}") for s in stories]
    want = 202 if background else 201

    def reader(k: int) -> None:
        conn, i = http.client.HTTPConnection("127.0.0.1", port, timeout=600), k
        while time.monotonic() < stop:
            kind, url = pages[i % len(pages)] if i % 2 else pages[0]
            i += 1
            try:
                status, _, ms = request(conn, "GET", url)
                timings.add(kind, ms, None if status == 200 else f"{status} {url}")
            except (OSError, http.client.HTTPException) as exc:
                timings.add(kind, float("nan"), f"{type(exc).__name__}: {exc}")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def uploader(k: int) -> None:
        conn, j = http.client.HTTPConnection("127.0.0.1", port, timeout=900), 0
        while time.monotonic() < stop:
            began = time.monotonic()
            body = json.dumps({"articles": [{"text": fresh_article(k, j)}]}).encode()
            j += 1
            try:
                status, data, ms = request(conn, "POST", "/api/articles", body)
                timings.add("upload", ms, None if status == want else f"{status} {data[:200]!r}")
                if status == want:
                    with timings.lock:
                        uploads.append(json.loads(data))
            except (OSError, http.client.HTTPException) as exc:
                timings.add("upload", float("nan"), f"{type(exc).__name__}: {exc}")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
            time.sleep(max(0.0, min(args.upload_every - (time.monotonic() - began), stop - time.monotonic())))

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(args.readers)]
    threads += [threading.Thread(target=uploader, args=(k,)) for k in range(args.uploaders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, uploads


def drain(port: int, uploads: list[dict], timeout: float) -> tuple[float, dict[str, int]]:
    """Wait until every upload's job has ended; (seconds waited, jobs by final status)."""
    began = time.monotonic()
    ended: dict[str, str] = {}
    while time.monotonic() - began < timeout:
        for u in uploads:
            job = u["job"]
            if job["id"] not in ended:
                state = job if job["status"] in ("done", "failed") else \
                    httpx.get(f"http://127.0.0.1:{port}{job['url']}", timeout=60).json()
                if state["status"] in ("done", "failed"):
                    ended[job["id"]] = state["status"]
                if state.get("error"):
                    print(f"  job {job['id']} failed: {state['error']}")
        if len(ended) == len(uploads):
            break
        time.sleep(0.5)
    counts: dict[str, int] = {}
    for u in uploads:
        status = ended.get(u["job"]["id"], "unfinished")
        counts[status] = counts.get(status, 0) + 1
    return time.monotonic() - began, counts


def check_store(db: Path, base: int, uploads: list[dict]) -> str:
    """Every uploaded article stored once and done by every stage; a line saying so, or what is wrong."""
    import sqlite3

    from newsweave import pipeline
    from newsweave.store import Store

    ids = [a for u in uploads for a in u["added"]]
    store = Store(db)
    try:
        total = store.count_articles()
        stages = [s.name for s in pipeline.analysis_stages()]
        done = {s: store.conn.execute(
            "SELECT COUNT(*) FROM stage_done WHERE stage = ? AND article_id IN (SELECT value FROM json_each(?))",
            (s, json_list(ids))).fetchone()[0] for s in stages}
        failed = len(store.failures(ids))
        inbox = Path(f"{db}-inbox")
        left = sqlite3.connect(inbox).execute("SELECT COUNT(*) FROM inbox").fetchone()[0] if inbox.exists() else 0
    finally:
        store.close()
    problems = []
    if len(set(ids)) != len(ids) or total != base + len(ids):
        problems.append(f"{len(ids)} uploads added, {len(set(ids))} distinct, store grew by {total - base}")
    missing = {s: len(ids) - n for s, n in done.items() if n != len(ids)}
    if missing:
        problems.append(f"not done by: {missing}")
    if failed:
        problems.append(f"{failed} uploaded articles failed a stage")
    if left:
        problems.append(f"{left} rows left in the inbox")
    return "; ".join(problems) or f"all {len(ids)} uploads stored once and done by all {len(stages)} stages"


def json_list(values: list[str]) -> str:
    import json

    return json.dumps(values)


def run_mode(cached: Path, work: Path, args, background: bool) -> dict:
    import json
    import resource

    db = fresh_copy(cached, work / ("bg.db" if background else "sync.db"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    from newsweave.store import Store

    store = Store(db)
    base = store.count_articles()
    store.close()
    port = free_port()
    inside = work / "inside.json" if args.inside else None
    proc = serve(db, port, *([] if background else ["--sync-analysis"]), src=args.src, inside=inside)
    try:
        listing = httpx.get(f"http://127.0.0.1:{port}/api/stories?limit=200", timeout=600).json()["stories"]
        stories = [s["id"] for s in sorted(listing, key=lambda s: -s["articles"])][: args.stories]
        t = time.perf_counter()
        for sid in stories:  # the cold builds, before the load
            httpx.get(f"http://127.0.0.1:{port}/stories/{sid}", timeout=900).raise_for_status()
        cold = time.perf_counter() - t
        load_before, cpu_before = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_SELF)
        timings, uploads = mixed_load(port, stories, args, background)
        load_after = os.getloadavg()[0]
        waited, jobs = drain(port, uploads, args.drain)
        cpu = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        stop(proc)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server and its analysis/composer processes: start to stop
    server = ended.ru_utime + ended.ru_stime - children.ru_utime - children.ru_stime
    clients = cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    return {"timings": timings, "uploads": uploads, "cold": cold, "stories": stories, "drain": waited,
            "jobs": jobs, "check": check_store(db, base, uploads), "load": (load_before, load_after),
            "cpu": (server, clients), "inside": json.loads(inside.read_text()) if inside and inside.exists() else None}


def stop(proc: subprocess.Popen, wait: float = 300.0) -> None:
    """Stop the server; it finishes the analysis stage under way first (a drain that timed
    out leaves one: the big story's corroborate chunk is minutes under load), so it is given
    `wait` seconds before it is killed (a killed timed server writes no `--inside` figures)."""
    proc.terminate()
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def report(name: str, r: dict) -> None:
    t = r["timings"]
    print(f"\n{name}: {len(r['uploads'])} uploads answered; drain {r['drain']:.1f} s; jobs {r['jobs']}; "
          f"cold build of {len(r['stories'])} brief page(s) before the load: {r['cold']:.1f} s")
    print(f"  {'request':<14}{'count':>7}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind in ("upload", "brief page", "stories list"):
        ms = [x for x in t.ms.get(kind, []) if x == x]
        print(f"  {kind:<14}{len(t.ms.get(kind, [])):>7}{len(t.errors.get(kind, [])):>8}"
              f"{percentile(ms, 0.5):>10.1f}{percentile(ms, 0.95):>10.1f}{percentile(ms, 0.99):>10.1f}")
    for kind, errs in t.errors.items():
        print(f"  first {kind} errors: {errs[:3]}")
    if r["inside"]:
        report_inside(r["inside"])
    print(f"  check: {r['check']}")
    print(f"  1-min load average {r['load'][0]:.1f} before the load, {r['load'][1]:.1f} after; CPU s: "
          f"server processes (start to stop) {r['cpu'][0]:.0f}, load clients {r['cpu'][1]:.0f}")


def report_inside(inside: dict) -> None:
    """The same requests timed inside the server (`--inside`), the part of each in the
    thread-pool queue, the story index and the brief entry; ms at each percentile."""
    print(f"  inside the server (ms, p50 / p99; server process CPU {inside['server_cpu_s']:.0f} s):")
    print(f"    {'request':<14}{'count':>7}{'in app':>16}{'queued':>16}{'story index':>16}{'brief entry':>16}")
    for kind in ("upload", "brief page", "stories list"):
        rows = [r for r in inside["rows"] if r[0] == kind]
        cells = "".join(f"{percentile([r[i] for r in rows], .5):>7.1f} / {percentile([r[i] for r in rows], .99):>6.1f}"
                        for i in (1, 2, 3, 4))
        print(f"    {kind:<14}{len(rows):>7}{cells}")


def holds_main(argv: list[str]) -> None:
    """Per analysis stage: its wall time and its longest write transaction (the store's
    write lock held, which an upload arriving then waits for), when `--holds K` fresh
    generated articles are ingested into a copy of the cached store and analysed."""
    import json
    from contextlib import contextmanager

    import newsweave
    from newsweave import pipeline
    from newsweave.store import Store

    ap = argparse.ArgumentParser(description=holds_main.__doc__.split("\n\n")[0])
    ap.add_argument("--holds", type=int, default=8, help="fresh articles to analyse (default 8)")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "newsweave-bench")
    args = ap.parse_args(argv)
    cached = cached_store(args.cache, args.articles)
    held: list[float] = []
    real = Store.transaction

    @contextmanager
    def timed(self):  # the outermost transaction's duration: the write lock held
        outer, began = self._depth == 0, time.perf_counter()
        with real(self) as conn:
            yield conn
        if outer:
            held.append(time.perf_counter() - began)

    with tempfile.TemporaryDirectory() as tmp:
        ws = newsweave.open(fresh_copy(cached, Path(tmp) / "holds.db"))
        batch = Path(tmp) / "fresh.jsonl"
        batch.write_text("".join(json.dumps({"text": fresh_article(9, j)}) + "\n" for j in range(args.holds)))
        ws.ingest([batch])
        Store.transaction = timed
        try:
            stages = pipeline.analysis_stages()
            print(f"{args.holds} fresh articles into a copy of {cached}:")
            print(f"  {'stage':<12}{'wall s':>9}{'longest hold s':>16}{'transactions':>14}")
            for i, stage in enumerate(stages):
                held.clear()
                t = time.perf_counter()
                pipeline.run_stage(ws.store, stage, ws.settings, after=stages[i - 1].name if i else None)
                print(f"  {stage.name:<12}{time.perf_counter() - t:>9.2f}{max(held, default=0.0):>16.2f}{len(held):>14}")
        finally:
            Store.transaction = real
            ws.close()


def mixed_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000, help="articles in the store (default 10,000)")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the load runs (default 60)")
    ap.add_argument("--readers", type=int, default=16)
    ap.add_argument("--uploaders", type=int, default=4)
    ap.add_argument("--upload-every", type=float, default=2.0, help="seconds between one uploader's uploads (default 2)")
    ap.add_argument("--stories", type=int, default=20, help="brief pages read: the largest stories (default 20)")
    ap.add_argument("--drain", type=float, default=1800.0, help="longest wait for the uploads' analysis after the load")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "newsweave-bench",
                    help="where the built store is kept between runs")
    ap.add_argument("--only", choices=("background", "sync"), help="run one mode (default: both, the baseline second)")
    ap.add_argument("--src", type=Path, default=HERE.parent / "src",
                    help="the newsweave sources the server runs (default this tree's; another tree's src/ "
                         "measures it on the same store and load, e.g. main's as a baseline)")
    ap.add_argument("--inside", action="store_true", help="also time each request inside the server "
                    "(support/timed_server.py): in the app, queued for a thread, story index, brief entry")
    args = ap.parse_args(argv)
    cached = cached_store(args.cache, args.articles)
    print(f"load: {args.readers} readers (stories list, brief pages) + {args.uploaders} uploaders "
          f"(one article every {args.upload_every:g} s each) for {args.seconds:g} s; loopback; one server process")
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("background", "sync"):
            if args.only in (None, mode):
                runs[mode] = run_mode(cached, Path(tmp), args, mode == "background")
                report({"background": "background analysis (202 + job)",
                        "sync": "baseline: analysis in the request (serve --sync-analysis)"}[mode], runs[mode])
    if len(runs) == 2:
        print("\nbaseline / background:")
        for kind in ("upload", "brief page", "stories list"):
            a, b = ([x for x in runs[m]["timings"].ms.get(kind, []) if x == x] for m in ("background", "sync"))
            print(f"  {kind:<14} p50 {percentile(b, .5) / percentile(a, .5):6.1f}x   p99 {percentile(b, .99) / percentile(a, .99):6.1f}x")


if __name__ == "__main__":
    if "--endpoints" in sys.argv[1:]:
        endpoints_main([a for a in sys.argv[1:] if a != "--endpoints"])
    elif any(a.startswith("--holds") for a in sys.argv[1:]):
        holds_main(sys.argv[1:])
    else:
        mixed_main(sys.argv[1:])
