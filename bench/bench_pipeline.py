"""The whole pipeline (ingest + analyse + briefs) on N generated articles of real news
sentences: wall, CPU and peak RSS per stage, beside a bare single-process `nlp.pipe` over the
same paragraphs in the same run, for each way of running the per-article map.

    PYTHONPATH=src python bench/bench_pipeline.py [--n 1000] [--modes here 1 2] [--briefs 100] [--json]

`--n 10000` / `--n 100000` for the larger runs. Modes: `here` (no Dask: the parse in this
process, two forked parse processes on large chunks), `1`, `2`, ... (`--workers N`: a Dask local
cluster of N processes). Corpus: `support/realtext.py` (ECB+ sentences recombined into
stories of ~20 articles, 1 in 8 a wire copy). Every mode runs in a fresh process on a fresh
store, so its peak RSS is its own; CPU and RSS count the driver and every process under it
(the Dask workers). The ratios printed: each mode's end-to-end time (ingest + analyse) to the
bare parse, and every stage of `2` to `1` (the target for the analysis: <= 0.7, goal 0.6).
The machine is shared: the load average is printed before and after each mode.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
ECB = SHARED / "corpora" / "ecbplus" / "ecbplus-topics-1-35.jsonl"
sys.path.insert(0, str(ROOT / "bench"))


class Meter:
    """Wall, CPU and peak RSS of this process and every process under it, per named step."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.steps: dict[str, dict] = {}
        self._peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _tree(self):
        return [self.me, *self.me.children(recursive=True)]

    def _rss(self) -> int:
        total = 0
        for proc in self._tree():
            try:
                total += proc.memory_info().rss
            except Exception:  # a process that just ended
                pass
        return total

    def _cpu(self) -> tuple[float, float]:
        """(CPU seconds of this process, of it and every process under it: the live ones,
        e.g. Dask workers, and those that ended, e.g. the nlp stage's forked parse processes)."""
        mine = self.me.cpu_times()
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        driver = mine.user + mine.system
        total = driver + ended.ru_utime + ended.ru_stime
        for proc in self._tree()[1:]:
            try:
                t = proc.cpu_times()
                total += t.user + t.system
            except Exception:  # a process that just ended
                pass
        return driver, total

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self._peak = max(self._peak, self._rss())

    def step(self, name: str, fn, *args, **kwargs):
        self._peak = self._rss()
        wall, cpu = time.perf_counter(), self._cpu()
        result = fn(*args, **kwargs)
        self._peak = max(self._peak, self._rss())
        driver, total = self._cpu()
        self.steps[name] = {
            "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(total - cpu[1], 2),  # the driver and its workers
            "driver_cpu_s": round(driver - cpu[0], 2),
            "peak_rss_mb": round(self._peak / 2**20),
        }
        # as it goes, so a run stopped before its end still tells what its finished steps cost
        print(f"{name}: {self.steps[name]}", file=sys.stderr, flush=True)
        return result


class Timed:
    """A stage whose every `run` call (one chunk of the runner: `settings.pipeline.chunk`
    articles) is timed, so a run shows whether a chunk costs more as the store grows."""

    def __init__(self, stage, meter: Meter) -> None:
        self.stage, self.meter, self.chunks = stage, meter, []

    def __getattr__(self, name):  # name, mapped, chunked, batch: the stage's own
        return getattr(self.stage, name)

    def run(self, store, article_ids, settings, **kwargs) -> None:
        wall, cpu = time.perf_counter(), self.meter._cpu()[1]
        self.stage.run(store, article_ids, settings, **kwargs)
        self.chunks.append({"articles": len(article_ids), "wall_s": round(time.perf_counter() - wall, 2),
                            "cpu_s": round(self.meter._cpu()[1] - cpu, 2), "rss_mb": round(self.meter._rss() / 2**20)})
        # as it goes, so a run stopped before its end still tells how its chunks cost
        print(f"{self.name} chunk {len(self.chunks)}: {self.chunks[-1]}", file=sys.stderr, flush=True)


def growth(chunks: list[dict]) -> dict | None:
    """CPU ms per article of the second chunk and of the last full one, and their ratio (the
    first chunk also pays for loading models and gazetteers)."""
    full = [c for c in chunks if c["articles"] == chunks[0]["articles"]]
    if len(full) < 3:
        return None
    second, last = (1000 * c["cpu_s"] / c["articles"] for c in (full[1], full[-1]))
    return {"chunks": len(chunks), "second_cpu_ms": round(second, 1), "last_cpu_ms": round(last, 1),
            "last_to_second": round(last / max(second, 1e-9), 2)}


def measure_bare(corpus: Path, db: Path, sample: int = 1) -> dict:
    """A single-process `nlp.pipe` over every parsed stretch of every article (ingest not timed).
    With `sample` k > 1 it parses every k-th stretch only (a uniform sample, to spare the CPU of
    a 100k run) and reports its wall and CPU scaled by all stretches' characters to the sample's;
    the measured figures are kept beside them."""
    import newsweave
    from newsweave.nlp import load, parse_spans

    ws = newsweave.open(db)
    ws.ingest([corpus])
    cfg = ws.settings.nlp
    texts = [a.clean_text[s:e] for a in ws.articles() for s, e in parse_spans(a, cfg)[0]]
    parsed = texts[::sample]
    model = load(cfg.model)
    model("warm up")
    meter = Meter()
    meter.step("bare nlp.pipe", lambda: sum(1 for _ in model.pipe(parsed, batch_size=cfg.batch_size)))
    scale = sum(map(len, texts)) / max(1, sum(map(len, parsed)))
    step = meter.steps["bare nlp.pipe"]
    if sample > 1:
        step["measured"] = dict(step)
        step.update(wall_s=round(step["wall_s"] * scale, 2), cpu_s=round(step["cpu_s"] * scale, 2),
                    driver_cpu_s=round(step["driver_cpu_s"] * scale, 2))
    return {"steps": meter.steps, "paragraphs": len(texts), "unique_paragraphs": len(set(texts)),
            "sampled_paragraphs": len(parsed), "sample_scale": round(scale, 4), "articles": ws.store.count_articles()}


def measure_pipeline(mode: str, corpus: Path, db: Path, briefs: int) -> dict:
    import newsweave
    from newsweave import pipeline
    from newsweave.brief import build_brief
    from newsweave.nlp import kept_docs
    from newsweave.scale import dask_mapper

    ws = newsweave.open(db)
    meter = Meter()
    timed = [Timed(stage, meter) for stage in pipeline.analysis_stages()]

    def run(mapper) -> None:
        meter.step("ingest", ws.ingest, [corpus], mapper=mapper)
        if not ws.store.count_articles():
            raise SystemExit(f"nothing ingested from {corpus}")
        with kept_docs(ws.settings):  # as pipeline.analyse: each cached parse decoded once for its readers
            for stage in timed:
                meter.step(stage.name, pipeline.run_stage, ws.store, stage, ws.settings, mapper)

    if mode == "here":
        run(None)
    else:
        with dask_mapper(workers=int(mode)) as mapper:
            meter.step("cluster start", lambda: mapper.client.wait_for_workers(int(mode)))
            run(mapper)
    stories = ws.store.conn.execute(
        "SELECT story_id FROM story_articles GROUP BY story_id ORDER BY COUNT(*) DESC, story_id LIMIT ?", (briefs,)
    ).fetchall()
    meter.step("briefs", lambda: [build_brief(ws.store, r[0]) for r in stories])
    sizes = [r[0] for r in ws.store.conn.execute("SELECT COUNT(*) FROM story_articles GROUP BY story_id")]
    return {
        "steps": meter.steps,
        "articles": ws.store.count_articles(),
        "stories": len(sizes),
        "largest_story": max(sizes, default=0),
        "families": ws.store.conn.execute("SELECT COUNT(DISTINCT family) FROM reuse_families").fetchone()[0],
        "briefs": len(stories),
        "chunks": {t.name: t.chunks for t in timed},
        "growth": {t.name: growth(t.chunks) for t in timed},
        "digests": digests(ws.store),
        "story_partition": sorted(
            sorted(g.split(","))
            for (g,) in ws.store.conn.execute("SELECT group_concat(article_id) FROM story_articles GROUP BY story_id")
        ),
    }


def digests(store) -> dict[str, str]:
    """{result table: sha1 of its rows} (`support.outcome`): two runs, or two versions of the
    code, gave the same results when these are equal."""
    import hashlib

    from support.outcome import outcome

    return {t: hashlib.sha1(repr(rows).encode()).hexdigest()[:16] for t, rows in outcome(store).items()}


ANALYSIS = ["nlp", "reuse", "entities", "stories", "events", "corroborate", "claims"]


def summary(results: dict) -> dict:
    """Totals and the ratios: end-to-end (ingest + analyse) to the bare parse; mode 2 to mode 1."""
    bare = results["bare"]["steps"]["bare nlp.pipe"]["wall_s"]
    bare_cpu = results["bare"]["steps"]["bare nlp.pipe"]["cpu_s"]
    out: dict = {"bare_wall_s": bare, "bare_cpu_s": bare_cpu}
    for mode, r in results.items():
        if mode == "bare":
            continue
        steps = r["steps"]
        analyse = sum(steps[s]["wall_s"] for s in ANALYSIS)
        end_to_end = analyse + steps["ingest"]["wall_s"]
        cpu = sum(steps[s]["cpu_s"] for s in ["ingest", *ANALYSIS])
        out[mode] = {
            "analyse_wall_s": round(analyse, 1),
            "end_to_end_wall_s": round(end_to_end, 1),
            "end_to_end_to_bare": round(end_to_end / bare, 2),
            "end_to_end_cpu_s": round(cpu, 1),
            "end_to_end_cpu_to_bare_cpu": round(cpu / bare_cpu, 2),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in steps.values()),
            "per_article_ms": round(1000 * end_to_end / r["articles"], 1),
        }
    if "1" in results and "2" in results:
        one, two = results["1"]["steps"], results["2"]["steps"]
        out["2_to_1"] = {s: round(two[s]["wall_s"] / max(one[s]["wall_s"], 1e-9), 2) for s in ["ingest", *ANALYSIS]}
        out["2_to_1"]["analyse"] = round(out["2"]["analyse_wall_s"] / out["1"]["analyse_wall_s"], 3)
        out["same_stories_1_2"] = results["1"]["story_partition"] == results["2"]["story_partition"]
    modes = [m for m in results if m != "bare"]
    if len(modes) > 1:
        out["tables_differing_between_modes"] = sorted(
            t for t in results[modes[0]]["digests"] if len({results[m]["digests"][t] for m in modes}) > 1
        )
    return out


PART = 5000  # articles per corpus file: ~7 MiB, under the ingest's per-file cap (settings.ingest.max_bytes)


def write_corpus(folder: Path, n: int) -> None:
    """The generated corpus as JSONL files of `PART` articles in `folder` (read in name order,
    so in the order generated): one file of 30k articles would pass the ingest's file cap."""
    from support.realtext import write_real_corpus

    folder.mkdir()
    whole = folder.parent / "corpus.jsonl"
    write_real_corpus(whole, n, ECB)
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    for i in range(0, len(lines), PART):
        (folder / f"part-{i // PART:04d}.jsonl").write_text("".join(lines[i : i + PART]), encoding="utf-8")
    whole.unlink()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="generated articles (1000, 10000, 100000)")
    parser.add_argument("--modes", nargs="+", default=["here", "1", "2"], help="here (no Dask) and/or worker counts")
    parser.add_argument("--briefs", type=int, default=100, help="briefs built (the largest stories)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--concurrent", action="store_true",
                        help="run the bare parse and the modes side by side (a loaded machine: CPU and RSS stay each mode's own, wall times do not)")
    parser.add_argument("--bare-sample", type=int, default=1, metavar="K",
                        help="the bare parse over every K-th paragraph only, its time scaled to all (a 100k run)")
    parser.add_argument("--measure", nargs=5, metavar=("MODE", "CORPUS", "DB", "BRIEFS", "SAMPLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        mode, corpus, db, briefs, sample = args.measure
        result = measure_bare(Path(corpus), Path(db), int(sample)) if mode == "bare" else measure_pipeline(mode, Path(corpus), Path(db), int(briefs))
        print(json.dumps(result))
        return
    results, loads = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, args.n)
        def start(mode: str) -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, __file__, "--measure", mode, str(corpus), str(Path(tmp) / f"{mode}.db"), str(args.briefs), str(args.bare_sample)],
                stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )

        def finish(mode: str, proc: subprocess.Popen, before: str) -> None:
            out, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"mode {mode} failed (exit {proc.returncode})")
            results[mode] = json.loads(out.strip().splitlines()[-1])
            loads[mode] = f"{before} -> {load_average()}"
            if not args.json:
                print(f"{mode}: done (load {loads[mode]})", file=sys.stderr, flush=True)

        modes = ["bare", *args.modes]
        if args.concurrent:
            before = load_average()
            for mode, proc in [(m, start(m)) for m in modes]:
                finish(mode, proc, before)
        else:
            for mode in modes:
                before = load_average()
                finish(mode, start(mode), before)
    report = {"n": args.n, "cores": os.cpu_count(), "load": loads, "summary": summary(results),
              "results": {m: {k: v for k, v in r.items() if k != "story_partition"} for m, r in results.items()}}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{args.n} generated articles, {os.cpu_count()} cores; load average (1, 5, 15 min) before -> after each mode:")
    for mode, load in loads.items():
        print(f"  {mode:>5}: {load}")
    modes = [m for m in results if m != "bare"]
    print(f"\n{'step':<14}" + "".join(f"{'mode ' + m:>34}" for m in modes))
    print(f"{'':<14}" + "".join(f"{'wall s / cpu s (driver) / MiB':>34}" for _ in modes))
    steps = list(dict.fromkeys(step for m in modes for step in results[m]["steps"]))
    for step in steps:
        cells = []
        for m in modes:
            s = results[m]["steps"].get(step)
            cells.append(f"{s['wall_s']:>9.1f} {s['cpu_s']:>8.1f} ({s['driver_cpu_s']:>6.1f}) {s['peak_rss_mb']:>6}" if s else "")
        print(f"{step:<14}" + "".join(f"{c:>34}" for c in cells))
    for m in modes:
        grown = {stage: g for stage, g in results[m]["growth"].items() if g}
        if grown:
            print(f"\nmode {m}: CPU ms per article, second chunk -> last full chunk (the store growing):")
            for stage, g in grown.items():
                print(f"  {stage:<12} {g['second_cpu_ms']:>8} -> {g['last_cpu_ms']:>8}  x{g['last_to_second']} over {g['chunks']} chunks")
    bare = results["bare"]["steps"]["bare nlp.pipe"]
    sampled = f"; measured on every {args.bare_sample}th ({results['bare']['sampled_paragraphs']}), scaled x{results['bare']['sample_scale']} by characters" if args.bare_sample > 1 else ""
    print(f"\nbare nlp.pipe (1 process): {bare['wall_s']} s wall, {bare['cpu_s']} s CPU over "
          f"{results['bare']['paragraphs']} paragraphs ({results['bare']['unique_paragraphs']} distinct){sampled}")
    print(json.dumps(report["summary"], indent=2))


if __name__ == "__main__":
    main()
