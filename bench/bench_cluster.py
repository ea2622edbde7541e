"""Story clustering at scale: incremental assignment throughput and peak memory, 10k-100k
generated articles, beside the baseline (scikit-learn TF-IDF + average-linkage
agglomerative clustering) on the largest size it handles within the time budget.

    PYTHONPATH=src /work/venv/bin/python bench/bench_cluster.py            # 10k, 20k, 50k, 100k
    PYTHONPATH=src /work/venv/bin/python bench/bench_cluster.py --quick    # 2k, 5k, 10k

Articles are generated as clusterer features (lemma counts, entities, dates), so the figures
are those of the assignment itself (blocking, scoring, consolidation), not of spaCy. Each
size runs in a fresh process so that its peak RSS is its own. Events follow a Zipf-like
popularity over a 60k-lemma vocabulary and 30k entities; each article draws most of its
terms from its event, the rest from the background; events run for a few days each, and
articles arrive in date order. Times are CPU seconds of the process (the machine is shared;
wall-clock would measure the neighbours).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import random
import resource
import sys
import time

VOCAB = 60_000
ENTITIES = 30_000
TYPES = ["PERSON", "ORG", "GPE", "LOC", "NORP"]
PER_DAY = 500  # a stream at a steady rate: more articles means a longer stream, not a denser one


def generate(n: int, seed: int = 0):
    """n articles as (features, gold event) in arrival (date) order."""
    from newsweave.stories._features import ArticleFeatures

    rng = random.Random(seed)
    n_events = max(1, n // 8)
    start = dt.date(2024, 1, 1)
    events = []
    for e in range(n_events):
        day = start + dt.timedelta(days=int(e * n / n_events / PER_DAY))
        terms = [f"w{int(rng.paretovariate(0.7)) % VOCAB}" for _ in range(6)] + [f"w{rng.randrange(VOCAB)}" for _ in range(25)]
        ents = [(f"e{rng.randrange(ENTITIES)}", rng.choice(TYPES)) for _ in range(6)]
        events.append((day, terms, ents))
    cum, total = [], 0.0
    for i in range(n_events):
        total += 1.0 / (i + 1) ** 0.3
        cum.append(total)
    out = []
    for i in range(n):
        e = rng.choices(range(n_events), cum_weights=cum)[0] if i >= n_events else i
        day, terms, ents = events[e]
        counts: dict[str, int] = {}
        for t in rng.sample(terms, 18) + [f"w{int(rng.paretovariate(0.9)) % VOCAB}" for _ in range(60)]:
            counts[t] = counts.get(t, 0) + 1
        ent = {k: (typ, rng.randint(1, 4), k.upper()) for k, typ in rng.sample(ents, 4)}
        published = day + dt.timedelta(days=rng.randint(0, 3))
        out.append((ArticleFeatures(f"a{i:07d}", terms=counts, entities=ent, years=[published.year], published=published), e))
    out.sort(key=lambda fe: (fe[0].published, fe[0].article))
    return out


def run_ours(n: int, queue) -> None:
    from newsweave.stories._evaluate import bcubed
    from newsweave.stories._index import StoryIndex

    data = generate(n)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    index = StoryIndex()
    t0 = time.process_time()
    batch = 1000  # the stage sees batches: document frequencies first, then assignment in order
    for b in range(0, n, batch):
        chunk = [f for f, _ in data[b : b + batch]]
        index.observe(chunk)
        for f in chunk:
            index.assign(f)
    t_assign = time.process_time() - t0
    t1 = time.process_time()
    index.consolidate()
    t_cons = time.process_time() - t1
    t2 = time.process_time()
    try:  # the sub-events of every story, as the stage computes them for the stories it saves (issue 17)
        from newsweave.stories._subevents import sub_events
    except ImportError:  # a tree from before sub-events (the comparison run against main)
        sub_events = None
    subs = sum(len(sub_events(index, index.stories[sid])) for sid in index.live()) if sub_events else None
    t_subs = time.process_time() - t2 if sub_events else None
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gold = {f.article: str(e) for f, e in data}
    f1 = bcubed(dict(index.article_story), gold).f1
    queue.put(dict(n=n, assign_s=t_assign, consolidate_s=t_cons, sub_events_s=t_subs, sub_events=subs,
                   peak_mb=rss1 / 1024, index_mb=(rss1 - rss0) / 1024,
                   stories=len(index.live()), events=len(set(gold.values())), f1=f1))


def run_baseline(n: int, queue) -> None:
    from newsweave.stories._evaluate import baseline_labels, bcubed

    data = generate(n)
    texts = [" ".join(" ".join([t] * c) for t, c in f.terms.items()) + " " + " ".join(f.entities) for f, _ in data]
    t0 = time.process_time()
    labels = baseline_labels(texts, [0.85])[0.85]
    elapsed = time.process_time() - t0
    gold = {f.article: str(e) for f, e in data}
    f1 = bcubed({f.article: str(l) for (f, _), l in zip(data, labels)}, gold).f1
    queue.put(dict(n=n, seconds=elapsed, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, f1=f1))


def in_process(fn, n: int, timeout: float):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=fn, args=(n, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2k, 5k, 10k articles; baseline up to 4k")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds the baseline may take per size")
    args = parser.parse_args()
    sizes = [2_000, 5_000, 10_000] if args.quick else [10_000, 20_000, 50_000, 100_000]
    base_sizes = [1_000, 2_000, 4_000] if args.quick else [1_000, 2_000, 4_000, 8_000, 16_000]

    print("newsweave online assignment (StoryIndex, default settings, batches of 1000)")
    print(f"{'articles':>9} {'assign s':>9} {'art/s':>8} {'consol. s':>9} {'peak MB':>8} {'stories':>8} {'events':>7} {'B3 F1':>6}")
    ours = {}
    for n in sizes:
        r = in_process(run_ours, n, timeout=3600)
        ours[n] = r
        print(f"{n:>9,} {r['assign_s']:>9.1f} {n / r['assign_s']:>8.0f} {r['consolidate_s']:>9.1f} "
              f"{r['peak_mb']:>8.0f} {r['stories']:>8,} {r['events']:>7,} {r['f1']:>6.3f}", flush=True)
    first, last = sizes[0], sizes[-1]
    growth = (ours[last]["assign_s"] / ours[first]["assign_s"]) / (last / first)
    print(f"time growth {first:,} -> {last:,}: x{ours[last]['assign_s'] / ours[first]['assign_s']:.1f} "
          f"for x{last / first:.0f} articles (1.0 = linear: {growth:.2f})")

    print("\nbaseline: TF-IDF + average-linkage agglomerative (cosine distance 0.85), all pairs")
    print(f"{'articles':>9} {'seconds':>9} {'peak MB':>8} {'B3 F1':>6} {'ours s (assign+consol.)':>24} {'ratio':>7}")
    largest = None
    for n in base_sizes:
        r = in_process(run_baseline, n, timeout=args.budget)
        if r is None:
            print(f"{n:>9,} over the {args.budget:.0f} s budget: stopped")
            break
        largest = r
        mine = in_process(run_ours, n, timeout=3600)
        ours_s = mine["assign_s"] + mine["consolidate_s"]
        print(f"{n:>9,} {r['seconds']:>9.1f} {r['peak_mb']:>8.0f} {r['f1']:>6.3f} {ours_s:>24.1f} "
              f"{r['seconds'] / ours_s:>6.1f}x (ours B3 {mine['f1']:.3f})", flush=True)
        if r["seconds"] * 4.5 > args.budget:  # the next size (x2, quadratic-plus) would not fit
            print(f"{2 * n:>9,} skipped: would exceed the {args.budget:.0f} s budget (quadratic time and memory)")
            break
    if largest:
        print(f"baseline's largest size within budget: {largest['n']:,} articles in {largest['seconds']:.1f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
