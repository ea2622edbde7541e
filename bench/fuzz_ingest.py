"""Hostile-input campaign: seeded mutations of the seeds, the 181 extraction pages and the
examples, ingested in batches through the CLI (`newsweave ingest --no-analyse`, a real
process per batch) into fresh stores. Prints, over all batches:

  inputs, batches, tracebacks (0 expected), exit codes, good files lost (0 expected),
  refusals by reason (the reason's text up to its first digit or parenthesis), refusals
  that were caught exceptions rather than a named problem, refusals not on one line or not
  naming their file, and the CPU time of the slowest single input (read through the library
  in this process, so one input's cost is its own), and of the costliest inputs the caps
  let through (a page of 20,000 elements nested 199 deep, a feed of 5,000 entries, a 20 MB
  paragraph, a 20 MB JSONL line, 20 MB of nested `[`);
  baseline, measured in the same run: the same unmutated originals through the same CLI
  (seconds per input, mutated against unmutated).

    PYTHONPATH=src NEWSWEAVE_SHARED=../shared python bench/fuzz_ingest.py              # 10,000 inputs
    ... --batches 20 --size 100 --seed 1000                                              # 2,000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from newsweave.ingest import read_source, source_name  # noqa: E402
from newsweave.settings import IngestSettings  # noqa: E402
from support.fuzzing import batch, load_originals  # noqa: E402

SKIPPED = re.compile(r"^skipped (.*)$")


def run_batch(items, workdir: Path) -> tuple[int, str, float, list[str]]:
    folder = workdir / "in"
    folder.mkdir()
    paths = []
    for name, data, _ in items:
        (folder / name).write_bytes(data)
        paths.append(source_name(str(folder / name)))  # the name the refusals use
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "newsweave", "ingest", str(folder), "--no-analyse", "--db", str(workdir / "f.db")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100000"},
    )
    return proc.returncode, proc.stderr, time.perf_counter() - start, paths


def slowest_each(items) -> list[tuple[str, float]]:
    """(name, CPU seconds to read it: decode, extract) of every input, read in this process."""
    settings = IngestSettings()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, _ in items:
            path = Path(tmp) / name
            path.write_bytes(data)
            start = time.process_time()
            list(read_source(path, settings))
            out.append((name, time.process_time() - start))
            path.unlink()
    return out


def slowest_read(items) -> tuple[float, str]:
    """CPU seconds and name of the costliest single input."""
    return max(((seconds, name) for name, seconds in slowest_each(items)), default=(0.0, ""))


def worst_within_caps(settings: IngestSettings) -> list[tuple[str, bytes]]:
    """The costliest inputs the caps still let through (or just refuse), one of each kind."""
    deep = settings.max_html_depth - 5  # html, body, the divs and a p: just under the depth cap
    groups = settings.max_html_elements // (deep + 1) - 1
    para = "<p>The council said the river rose again overnight.</p>"
    page = "<html><body>" + ("<div>" * deep + para + "</div>" * deep) * groups + "</body></html>"
    items = "".join(f"<item><title>T{i}</title><description>&lt;p&gt;Item {i} of the relief was paid.&lt;/p&gt;</description></item>"
                    for i in range(settings.max_feed_entries))
    sentence = "The council said the river rose again overnight and more families left their homes. "
    cap = settings.max_bytes - 1024
    return [
        ("deep-wide.html", page.encode()),
        ("feed.rss", f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()),
        ("one-paragraph.txt", (sentence * (cap // len(sentence))).encode()),
        ("one-line.jsonl", ('{"text": "' + sentence * (cap // len(sentence) - 1) + '"}\n').encode()),
        ("nested.jsonl", b"[" * cap),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1000, help="first seed (the CI test uses 0-29)")
    args = parser.parse_args()
    shared = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
    originals = load_originals(shared, ROOT / "examples")
    codes, reasons, caught, malformed = Counter(), Counter(), [], []
    tracebacks = lost = inputs = 0
    mutated_s = good_s = 0.0
    worst = (0.0, "")
    for b in range(args.batches):
        rng = random.Random(args.seed + b)
        items = batch(originals, rng, args.size)
        with tempfile.TemporaryDirectory() as tmp:
            code, stderr, seconds, paths = run_batch(items, Path(tmp))
        inputs += len(items)
        mutated_s += seconds
        codes[code] += 1
        tracebacks += "Traceback" in stderr
        lines = [SKIPPED.match(line) for line in stderr.splitlines()]
        refusals = [m.group(1) for m in lines if m]
        for line in refusals:
            source, _, reason = line.partition(": ")
            if not any(line.startswith((p, repr(p)[:-1])) for p in paths):  # a quoted name: repr, then ":LINE'"
                malformed.append(line[:120])
            reasons[re.split(r"[\d(]", reason, maxsplit=1)[0].strip()[:70]] += 1
            if reason.startswith(("could not be read (", "could not be ingested (", "line could not be read (")):
                caught.append(line[:160])
        for path, (_, _, mutation) in zip(paths, items):
            if mutation is None and any(r.startswith((path + ":", path + "#")) or r.split(": ")[0] == path for r in refusals):
                lost += 1
        worst = max(worst, slowest_read(items))
    # baseline: the unmutated originals, in batches of the same size through the same CLI
    rng = random.Random(args.seed)
    base_batches = max(1, args.batches // 10)
    for _ in range(base_batches):
        items = [(f"{i:04d}_{n}", d, None) for i, (n, d) in enumerate(rng.choices(originals, k=args.size))]
        with tempfile.TemporaryDirectory() as tmp:
            good_s += run_batch(items, Path(tmp))[2]
    print(f"inputs {inputs:,} in {args.batches} batches of {args.size} (seeds {args.seed}-{args.seed + args.batches - 1})")
    print(f"tracebacks {tracebacks}; exit codes {dict(sorted(codes.items()))}; good files lost {lost}")
    print(f"refusals {sum(reasons.values()):,}; not one line naming the file: {len(malformed)}; caught exceptions: {len(caught)}")
    for reason, n in reasons.most_common(25):
        print(f"  {n:6,}  {reason}")
    for line in caught[:10]:
        print("  caught:", line)
    for line in malformed[:5]:
        print("  malformed:", line)
    print(f"slowest single input to read: {worst[0]:.2f} s CPU ({worst[1]!r})")
    for name, seconds in slowest_each([(n, d, None) for n, d in worst_within_caps(IngestSettings())]):
        print(f"  worst within the caps, {name}: {seconds:.2f} s CPU to read")
    per_mutated = mutated_s / inputs
    per_good = good_s / (base_batches * args.size)
    print(f"seconds per input (CLI, incl. start-up): mutated {per_mutated:.4f}, unmutated baseline {per_good:.4f}, "
          f"ratio {per_mutated / per_good:.2f}")


if __name__ == "__main__":
    main()
