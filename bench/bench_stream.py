"""Streaming cost: one store fed in batches, each batch ingested and analysed on arrival.

    PYTHONPATH=src python bench/bench_stream.py                      # 20 batches of 500 generated articles
    PYTHONPATH=src python bench/bench_stream.py --batches 8 --size 250
    PYTHONPATH=src python bench/bench_stream.py --real --size 40     # ECB+ and MEANTIME in date order

Prints wall and CPU seconds per stage per batch, and per stage the ratio of the last full
batch to the second (the acceptance of issue 19: at most 1.3x). CPU seconds are this
process's and its ended children's: the nlp stage's forked parse processes are in them. Then (unless --no-one-pass) the same
articles go into a fresh store in one pass, and the two stores' analyses are compared
(`support.stream.analysis_state`: stories, events, quotes, facts, conflicts, claim
sentences); any difference is printed and the exit code is 1.

Generated articles: `support.synth` with seed 1. Real text: the dated stream of
bench/eval_story_stream.py (ECB+ articles whose first lines carry a full date, and the
MEANTIME Wikinews articles, 322 in date order), fed as JSONL batches. Wall time measures the
neighbours too on a shared machine; CPU time is this process's own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import newsweave  # noqa: E402
from support.stream import analysis_state, feed, state_diff  # noqa: E402
from support.synth import write_corpus  # noqa: E402

STAGES = ["ingest", "nlp", "reuse", "entities", "stories", "events", "corroborate", "claims"]


def synth_batches(folder: Path, batches: int, size: int, seed: int) -> list[list[Path]]:
    paths = write_corpus(folder, batches * size, seed=seed).paths
    return [paths[i * size : (i + 1) * size] for i in range(batches)]


def real_batches(folder: Path, size: int) -> list[list[Path]]:
    from eval_story_stream import ECB, MEANTIME
    from support.dated_stream import ecb_dated_records, meantime_records

    records = sorted(ecb_dated_records(ECB) + meantime_records(MEANTIME), key=lambda r: r["published"])
    out = []
    for i in range(0, len(records), size):
        path = folder / f"batch-{i // size:03d}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[i : i + size]), encoding="utf-8")
        out.append([path])
    return out


def cluster_overrides(items: list[str]):
    """A maker of fresh Settings with these ClusterSettings fields set (name=value)."""
    from dataclasses import replace

    from newsweave.settings import Settings

    def make():
        made = Settings()
        for item in items:
            name, value = item.split("=", 1)
            made.cluster = replace(made.cluster, **{name: type(getattr(made.cluster, name))(value)})
        return made

    return make


def ingest(ws, paths) -> None:
    ws.ingest([str(p) for p in paths])


def table(rows: list[dict], which: int, last: int) -> str:
    """One line per batch: seconds per stage (which: 0 wall, 1 cpu), then the ratio of batch
    `last` (the last full one) to the second."""
    lines = [f"{'batch':>8} " + " ".join(f"{s:>11}" for s in STAGES) + "   analysis"]
    for i, row in enumerate(rows, 1):
        analysis = sum(v[which] for k, v in row.items() if k != "ingest")
        lines.append(f"{i:>8} " + " ".join(f"{row.get(s, (0, 0))[which]:>11.2f}" for s in STAGES) + f" {analysis:>10.2f}")
    if len(rows) >= 3:
        second, final = rows[1], rows[last]

        def ratio(s):
            return final[s][which] / second[s][which] if second[s][which] > 0 else float("nan")

        total = sum(v[which] for k, v in final.items() if k != "ingest") / max(
            1e-9, sum(v[which] for k, v in second.items() if k != "ingest")
        )
        lines.append(f"{last + 1:>2}/2nd    " + " ".join(f"{ratio(s):>11.2f}" for s in STAGES) + f" {total:>10.2f}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batches", type=int, default=20, help="batches of generated articles")
    ap.add_argument("--size", type=int, default=None, help="articles per batch (500 generated, 40 real)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--real", action="store_true", help="ECB+ and MEANTIME in date order instead of generated text")
    ap.add_argument("--no-one-pass", action="store_true", help="skip the one-pass run and the comparison")
    ap.add_argument("--json", help="write the per-batch figures here")
    ap.add_argument("--workdir", help="folder for the corpus and the stores (default: a temporary one)")
    ap.add_argument("--set", action="append", default=[], help="a ClusterSettings override, name=value (both runs)")
    args = ap.parse_args()
    settings = cluster_overrides(args.set)
    size = args.size or (40 if args.real else 500)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="nw-stream-"))
    work.mkdir(parents=True, exist_ok=True)
    batches = real_batches(work, size) if args.real else synth_batches(work / "corpus", args.batches, size, args.seed)
    sizes = [len(b) if not args.real else sum(len(p.read_text().splitlines()) for p in b) for b in batches]
    n = sum(sizes)
    last = max(i for i, k in enumerate(sizes) if k == sizes[0])  # the last full batch
    print(f"{'real' if args.real else 'synth'}: {n} articles in {len(batches)} batches of {size}; "
          f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)  # fmt: skip

    def progress(i, row):
        # wall / CPU seconds: a run cut short still shows the CPU figures of the batches it did
        print(f"  batch {i + 1}: " + ", ".join(f"{k} {w:.1f}/{c:.1f}s" for k, (w, c) in row.items()), flush=True)

    for name in ("stream.db", "onepass.db"):
        for suffix in ("", "-wal", "-shm"):
            Path(work, name + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    with newsweave.open(work / "stream.db", settings()) as ws:
        rows = feed(ws, batches, ingest, progress)
        streamed = analysis_state(ws.store)
    stream_s = time.perf_counter() - t0
    print("\nwall seconds per stage per batch\n" + table(rows, 0, last))
    print("\nCPU seconds per stage per batch\n" + table(rows, 1, last))
    print(f"\nstream total {stream_s:.1f}s wall; load {os.getloadavg()[0]:.2f}")
    status = 0
    if not args.no_one_pass:
        t0 = time.perf_counter()
        with newsweave.open(work / "onepass.db", settings()) as ws:
            (one,) = feed(ws, [[p for b in batches for p in b]], ingest)
            once = analysis_state(ws.store)
        print(f"one pass {time.perf_counter() - t0:.1f}s wall: " + ", ".join(f"{k} {w:.1f}s" for k, (w, _) in one.items()))
        diff = state_diff(streamed, once)
        print("streamed == one pass: " + ("identical" if not diff else "DIFFERENT"))
        for line in diff:
            print("  " + line)
        status = 1 if diff else 0
    if args.json:
        Path(args.json).write_text(json.dumps({"batches": rows, "size": size, "real": args.real}, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
