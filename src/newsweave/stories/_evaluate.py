"""Scoring a clustering against gold labels, and the bag-of-words baseline it must beat.

    bcubed(pred, gold) -> Scores(precision, recall, f1)     per-item averages (Bagga & Baldwin)
    pairwise(pred, gold) -> Scores                          over all same-cluster pairs
    baseline_labels(texts, threshold)                       TF-IDF + average-linkage clustering

`pred` and `gold` map item -> cluster label; both must hold the same items.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..settings import ClusterSettings, Settings
from ._index import StoryIndex, epoch
from ._stage import story_of
from ._subevents import sub_events


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _check(pred: Mapping[str, str], gold: Mapping[str, str]) -> None:
    if pred.keys() != gold.keys():
        missing = sorted(set(gold) ^ set(pred))[:3]
        raise ValueError(f"predicted and gold clusterings hold different items (e.g. {missing})")


def bcubed(pred: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    _check(pred, gold)
    pair_count = Counter((pred[i], gold[i]) for i in gold)
    pred_size = Counter(pred.values())
    gold_size = Counter(gold.values())
    n = len(gold)
    if not n:
        return Scores(0.0, 0.0, 0.0)
    # every item in the cell (p, g) has precision |cell|/|p| and recall |cell|/|g|
    p = sum(c * c / pred_size[pc] for (pc, _), c in pair_count.items()) / n
    r = sum(c * c / gold_size[gc] for (_, gc), c in pair_count.items()) / n
    return Scores(p, r, _f1(p, r))


def pairwise(pred: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    _check(pred, gold)

    def pairs(counts) -> int:
        return sum(c * (c - 1) // 2 for c in counts)

    both = pairs(Counter((pred[i], gold[i]) for i in gold).values())
    in_pred = pairs(Counter(pred.values()).values())
    in_gold = pairs(Counter(gold.values()).values())
    p = both / in_pred if in_pred else 1.0
    r = both / in_gold if in_gold else 1.0
    return Scores(p, r, _f1(p, r))


def baseline_labels(texts: Sequence[str], thresholds: Sequence[float]) -> dict[float, list[int]]:
    """scikit-learn TF-IDF (sublinear tf, English stop words) + average-linkage agglomerative
    clustering with a cosine distance threshold; one labelling per threshold. Quadratic in
    memory and time: the reference, not a method for large streams."""
    try:  # a benchmark-only dependency: the pipeline never needs it
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ModuleNotFoundError as exc:
        raise InputError("--baseline", "the TF-IDF baseline needs scikit-learn: pip install 'newsweave[bench]'") from exc

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts).toarray()
    out = {}
    for t in thresholds:
        model = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=t
        )
        out[t] = [int(x) for x in model.fit_predict(matrix)]
    return out


def cluster_sizes(labels: Mapping[str, str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for item, label in labels.items():
        groups[label].append(item)
    return groups


BASELINE_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.50 .. 0.95


def evaluate_stories(
    path,
    gold_field: str,
    settings=None,
    baseline: bool = False,
    shuffle_seed: int | None = None,
    store_path: str = ":memory:",
) -> dict:
    """Ingest a labelled JSONL into a fresh in-memory store in date order (file order where
    undated; shuffled when `shuffle_seed` is given), run the analysis up to "stories" and
    score the stories against the `gold_field` of every record. `store_path` keeps the store
    (default: a temporary in-memory one)."""
    import newsweave  # the public API; imported here because newsweave imports this package

    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "no such file")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = []
    for n, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}", f"not JSON ({exc.msg})") from exc
    if not any(gold_field in r for r in records):
        keys = sorted({k for r in records[:50] for k in r})
        raise InputError(str(path), f"no record has the gold field {gold_field!r}; fields seen: {', '.join(keys)}")
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(records)
    else:  # date order; undated records keep their file order after the dated ones' order
        records.sort(key=lambda r: str(r.get("published") or ""))
    settings = settings or Settings()
    with tempfile.TemporaryDirectory() as tmp:
        ordered = Path(tmp) / path.name
        ordered.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        ws = newsweave.open(store_path, settings=settings)
        ws.ingest([ordered])
        ws.analyse(until="stories")
        articles = ws.articles()
        gold = {a.id: str(a.extra.get(gold_field, "")) for a in articles if gold_field in a.extra}
        pred = {a: story_of(ws.store, a) or a for a in gold}
        texts = {a.id: a.clean_text for a in articles if a.id in gold}
        ws.close()
    result = {
        "file": str(path),
        "gold_field": gold_field,
        "articles": len(gold),
        "ours": scores_of(pred, gold),
    }
    if baseline:
        ids = list(gold)
        runs = baseline_labels([texts[a] for a in ids], BASELINE_THRESHOLDS)
        per = {t: scores_of({a: str(l) for a, l in zip(ids, labels)}, gold) for t, labels in runs.items()}
        best = max(per, key=lambda t: (per[t]["bcubed"]["f1"], -t))
        result["baseline"] = {
            "method": "TF-IDF (sublinear, English stop words) + average-linkage agglomerative, cosine distance",
            "best_threshold": best,
            **per[best],
            "by_threshold": {str(t): per[t]["bcubed"]["f1"] for t in sorted(per)},
        }
    return result


def recluster(features, settings=None, index_class=None, families=None) -> dict[str, str]:
    """Cluster stored features again in the order given (no parsing): {article: story}.
    The same assignment and consolidation the stage runs, for order-sensitivity checks;
    `index_class` (a StoryIndex subclass) lets a benchmark try another signal; `families`
    (article -> reuse family, `reuse.family_of`) keeps copies together as the stage does."""

    return dict(_reclustered(features, settings, index_class, families).article_story)


def recluster_levels(features, settings=None, families=None) -> tuple[dict[str, str], dict[str, str]]:
    """`recluster` at both levels: ({article: story}, {article: "story/n"}, its sub-event)."""
    index = _reclustered(features, settings, None, families)
    subs = {}
    for sid in index.live():
        for n, group in enumerate(sub_events(index, index.stories[sid]), 1):
            subs.update({a: f"{sid}/{n}" for a in group.members})
    return dict(index.article_story), subs


def _reclustered(features, settings, index_class, families) -> StoryIndex:
    cfg = settings or ClusterSettings()
    index = (index_class or StoryIndex)(cfg)
    features = list(features)
    if families:
        index.set_families(_multi_member(families, {f.article for f in features}))
    index.observe(features[: epoch(len(features), cfg.idf_exact_until, cfg.idf_epoch_ratio)])  # as the stage counts them
    for f in features:
        index.assign(f)
    if cfg.consolidate:
        index.consolidate()
    return index


def _multi_member(families: Mapping[str, str], articles: set[str]) -> dict[str, str]:
    """The family of each article whose family holds another of `articles`."""
    size = Counter(families[a] for a in articles if a in families)
    return {a: families[a] for a in articles if a in families and size[families[a]] > 1}


def scores_of(pred: Mapping[str, str], gold: Mapping[str, str]) -> dict:
    return {
        "bcubed": bcubed(pred, gold).as_dict(),
        "pairwise": pairwise(pred, gold).as_dict(),
        "clusters": len(set(pred.values())),
        "gold_clusters": len(set(gold.values())),
    }
