"""Synthetic news-like corpora with planted reuse, for the reuse tests and benchmark.

Words are drawn from a Zipf-distributed made-up vocabulary (so frequent n-grams recur by
chance, as "on the sidelines of the" does in real news), grouped into sentences and
paragraphs. On top of independent articles it plants:

- near-duplicate variants of an article: sentences reordered, a share of words changed,
  paragraphs dropped, boilerplate added (each edit applied at random);
- reused paragraphs: a paragraph of one article copied, lightly edited, into another
  otherwise independent article.

The truth (which articles are variants of which, which paragraph went where) comes back
with the texts, so precision and recall can be measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BOILERPLATE = [
    "Follow us on social media for the latest updates and subscribe to our newsletter for daily briefings.",
    "Disclaimer: this story is auto-generated from a syndicated feed and has not been edited by our staff.",
    "Also read: markets rally as investors weigh the outlook for interest rates this quarter.",
]


@dataclass
class Corpus:
    texts: list[str]
    groups: list[int]  # texts[i] is a version of original article groups[i]
    reused: list[tuple[int, int]] = field(default_factory=list)  # (source, target): a paragraph copied
    edits: list[str] = field(default_factory=list)  # what was done to make texts[i]

    def related(self) -> set[tuple[int, int]]:
        """Pairs (i < j) that are versions of one article."""
        by_group: dict[int, list[int]] = {}
        for i, g in enumerate(self.groups):
            by_group.setdefault(g, []).append(i)
        return {(a, b) for members in by_group.values() for a in members for b in members if a < b}


class Generator:
    def __init__(self, seed: int = 0, vocabulary: int = 30_000) -> None:
        self.rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        lengths = self.rng.integers(2, 10, size=vocabulary)
        self.words = np.array(["".join(self.rng.choice(letters, size=n)) for n in lengths])
        weights = 1.0 / np.arange(1, vocabulary + 1) ** 1.05
        self.cdf = np.cumsum(weights / weights.sum())

    def draw(self, n: int) -> np.ndarray:
        """`n` words drawn from the Zipf distribution."""
        return self.words[np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.words) - 1)]

    def sentence(self) -> str:
        words = self.draw(int(self.rng.integers(10, 28)))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def paragraph(self) -> list[str]:
        return [self.sentence() for _ in range(int(self.rng.integers(1, 4)))]

    def article(self) -> list[list[str]]:
        return [self.paragraph() for _ in range(int(self.rng.integers(6, 14)))]

    def variant(self, paragraphs: list[list[str]]) -> tuple[list[list[str]], str]:
        """A near-duplicate: each edit applied with probability 1/2 (at least one)."""
        rng = self.rng
        edits = [e for e in ("reorder", "change", "drop", "boilerplate") if rng.random() < 0.5] or ["change"]
        paras = [list(p) for p in paragraphs]
        if "reorder" in edits:  # swap two sentences within paragraphs, or two paragraphs
            for p in paras:
                rng.shuffle(p)
            i, j = rng.integers(0, len(paras), size=2)
            paras[i], paras[j] = paras[j], paras[i]
        if "drop" in edits and len(paras) > 4:
            del paras[int(rng.integers(0, len(paras)))]
        if "change" in edits:
            rate = float(rng.uniform(0.05, 0.15))
            paras = [[self._change(s, rate) for s in p] for p in paras]
            edits[edits.index("change")] = f"change {rate:.2f}"
        if "boilerplate" in edits:
            paras.append([BOILERPLATE[int(rng.integers(0, len(BOILERPLATE)))]])
        return paras, ",".join(edits)

    def _change(self, sentence: str, rate: float) -> str:
        words = sentence.split()
        changed = np.nonzero(self.rng.random(len(words)) < rate)[0]
        for k, new in zip(changed, self.draw(len(changed))):
            words[k] = str(new)
        return " ".join(words)

    def corpus(self, n: int, near_dup_share: float = 0.1, reuse_share: float = 0.05) -> Corpus:
        """`n` texts: originals, near-duplicate variants (`near_dup_share` of n) and originals
        that carry a paragraph copied from another article (`reuse_share` of n)."""
        n_variants = int(n * near_dup_share)
        n_originals = n - n_variants
        originals = [self.article() for _ in range(n_originals)]
        corpus = Corpus(texts=[], groups=[])
        n_reuse = int(n * reuse_share)
        for target in range(min(n_reuse, n_originals - 1)):
            source = int(self.rng.integers(target + 1, n_originals))
            para = max(originals[source], key=len)
            copied = [self._change(s, 0.02) for s in para] if self.rng.random() < 0.5 else list(para)
            originals[target].insert(int(self.rng.integers(0, len(originals[target]) + 1)), copied)
            corpus.reused.append((source, target))
        for i, paras in enumerate(originals):
            corpus.texts.append(render(paras))
            corpus.groups.append(i)
            corpus.edits.append("original")
        for _ in range(n_variants):
            g = int(self.rng.integers(0, n_originals))
            paras, edits = self.variant(originals[g])
            corpus.texts.append(render(paras))
            corpus.groups.append(g)
            corpus.edits.append(edits)
        return corpus


def load(store, texts: list[str]) -> list[str]:
    """Put texts into a store as articles (one transaction); returns their ids in order."""
    import hashlib

    from newsweave.records import Article

    ids = []
    with store.transaction():
        for text in texts:
            aid = hashlib.sha1(text.encode("utf-8")).hexdigest()
            if not store.has_article(aid):
                store.put_article(Article(id=aid, raw_text=text, clean_text=text))
            ids.append(aid)
    return ids


def render(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


def word_shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    """Word n-grams as tuples, computed independently of `shingles.py` (the truth)."""
    import re

    words = [w.lower() for w in re.findall(r"\w+", text)]
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def true_jaccard(x: set, y: set) -> float:
    return len(x & y) / len(x | y) if x or y else 1.0
