"""Scoring a clustering against gold labels, and the bag-of-words baseline it must beat.

    bcubed(pred, gold) -> Scores(precision, recall, f1)     per-item averages (Bagga & Baldwin)
    pairwise(pred, gold) -> Scores                          over all same-cluster pairs
    baseline_labels(texts, threshold)                       TF-IDF + average-linkage clustering

`pred` and `gold` map item -> cluster label; both must hold the same items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

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
