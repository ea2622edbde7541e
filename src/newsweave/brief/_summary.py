"""The brief's summary: source sentences chosen to cover what most sources say.

    select(candidates, weights, budget) -> [Candidate]     the concept-coverage ILP
    summarize(...) -> (items, lede)                          claims -> summary items

The method is the concept-coverage ILP of Gillick & Favre (2009), solved with scipy's
`milp`: concepts are lemma bigrams, a concept weighs as many independent sources (reuse
families) as print it, so a wire story reprinted ten times counts once; the summary is the
set of claims (one sentence each, its copies and paraphrases collapsed) of at most `budget`
words that covers the most weight, each concept counted once (which is what keeps two
sentences of one claim, or of two overlapping claims, out together). A small bonus for
claims told early in their articles (news puts the lede first) breaks ties.

Every item is a source sentence (`corroborate.Sentence`, trimmed of dateline and connective)
with `evidence` in every article carrying its claim and the claim's `independent_sources`. An
event frame (offered by the brief only when complete, asserted as occurred or planned, and
corroborated) is told first when the events stage found it in more independent wordings than
any claim among its evidence sentences; those sentences then stand back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..corroborate import Claim, Sentence, group_claims


@dataclass
class Candidate:
    key: str
    words: int
    concepts: frozenset
    bonus: float
    item: dict
    order: tuple  # (article's place in the brief, sentence's place in the article)


def concept_weights(sentences: Sequence[Sentence], families: Mapping[str, str], min_families: int) -> dict:
    """A concept's weight: the number of independent sources whose articles use it, kept
    from `min_families` (fewer when the set has fewer sources)."""
    holders: dict = {}
    for s in sentences:
        fam = families.get(s.article, s.article)
        for c in s.concepts:
            holders.setdefault(c, set()).add(fam)
    n_families = len({families.get(s.article, s.article) for s in sentences})
    floor = max(1, min(min_families, n_families))
    return {c: len(f) for c, f in holders.items() if len(f) >= floor}


def select(candidates: Sequence[Candidate], weights: Mapping, budget: int) -> list[Candidate]:
    """The candidates of at most `budget` words that maximise covered concept weight plus
    their bonuses (scipy.optimize.milp; variables: one per candidate, one per concept)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    cands = [c for c in candidates if c.words <= budget]
    concepts = sorted({k for c in cands for k in c.concepts if k in weights}, key=repr)
    if not cands:
        return []
    index = {k: i for i, k in enumerate(concepts)}
    n, m = len(cands), len(concepts)
    cost = -np.concatenate([np.array([c.bonus for c in cands]), np.array([weights[k] for k in concepts], dtype=float)])
    rows = 1 + m
    a = lil_matrix((rows, n + m))
    lo, hi = np.full(rows, -np.inf), np.zeros(rows)
    for i, c in enumerate(cands):
        a[0, i] = c.words
    hi[0] = budget
    for i, c in enumerate(cands):  # z_k <= sum of the candidates holding k
        for k in c.concepts:
            if k in index:
                a[1 + index[k], i] = -1
    for k, j in index.items():
        a[1 + j, n + j] = 1
    res = milp(
        cost, constraints=LinearConstraint(a.tocsr(), lo, hi), integrality=np.ones(n + m), bounds=Bounds(0, 1),
        options={"time_limit": 10},
    )
    if res.x is None:  # no solution in time: the best-bonus candidates that fit
        return _greedy(cands, weights, budget)
    return [c for i, c in enumerate(cands) if res.x[i] > 0.5]


def _greedy(cands: Sequence[Candidate], weights: Mapping, budget: int) -> list[Candidate]:
    """The submodular greedy (best new weight per word) when the solver runs out of time."""
    chosen, covered, used = [], set(), 0
    while True:
        best = max(
            (c for c in cands if c not in chosen and used + c.words <= budget),
            key=lambda c: (sum(weights.get(k, 0) for k in c.concepts - covered) + c.bonus) / c.words,
            default=None,
        )
        if best is None or not (best.concepts - covered):
            return chosen
        chosen.append(best)
        covered |= best.concepts
        used += best.words


def _claim_item(claim: Claim, families: Mapping[str, str]) -> dict:
    rep = claim.representative
    evidence, seen = [], set()
    for s in sorted(claim.sentences, key=lambda s: (s is not rep, s.article, s.start)):
        if s.article in seen:
            continue
        seen.add(s.article)
        evidence.append({"article": s.article, "start": s.start, "end": s.end, "text": s.text})
    return {
        "text": rep.text[:1].upper() + rep.text[1:],
        "citations": list(claim.articles),
        "kind": "claim",
        "status": None,
        "fact": None,
        "independent_sources": claim.independent_sources,
        "families": list(claim.families),
        "evidence": evidence,
    }


def claim_candidates(claims: Sequence[Claim], families, cfg, order: Mapping[str, int]) -> list[Candidate]:
    out = []
    for cl in claims:
        rep = cl.representative
        if rep.fragment or rep.leaning or not (cfg.summary_min_words <= rep.words <= cfg.summary_max_words):
            continue
        first = min(s.index for s in cl.sentences)
        out.append(
            Candidate(
                f"claim:{cl.id}", rep.words, rep.concepts, cfg.summary_position_bonus / (1 + first),
                _claim_item(cl, families), (order.get(rep.article, 0), rep.index),
            )
        )
    return out


def summarize(sentences: Sequence[Sentence], article_order: Sequence[str], families: Mapping[str, str], passages,
              frames: Sequence[tuple[dict, frozenset]], cfg, words: int):
    """(summary items: frames first, then claims in the order of their articles; the lede
    claim, for the headline; the concept weights), from the articles' sentences and the
    frame items offered (each with its concepts)."""
    claims = group_claims(sentences, families, passages, cfg.claim_similarity)
    weights = concept_weights(sentences, families, cfg.concept_min_families)
    order = {a: i for i, a in enumerate(article_order)}
    cands = claim_candidates(claims, families, cfg, order)
    forced, cands = _frames_first(frames, cands, {f"claim:{cl.id}": cl for cl in claims}, words // 2)
    covered = {k for f in forced for k in f.concepts}
    rest = select(cands, {k: w for k, w in weights.items() if k not in covered}, words - sum(f.words for f in forced))
    chosen = forced + sorted(rest, key=lambda c: c.order)
    return [c.item for c in chosen], lede_claim(claims, weights, cfg.summary_min_words), weights


def _frames_first(frames, cands: list[Candidate], claims: Mapping[str, Claim], budget: int):
    """(the frames told first, the claim candidates left). A frame is told when the events
    stage found its happening in more independent wordings than any one claim among its
    evidence sentences holds; those claims then stand back. Best supported first, within
    `budget` words."""
    forced: list[Candidate] = []
    for n, (item, concepts) in enumerate(sorted(frames, key=lambda f: -f[0]["independent_sources"])):
        own = {c.key for c in cands for e in item["evidence"] for s in claims[c.key].sentences
               if s.article == e["article"] and s.start < e["end"] and e["start"] < s.end}
        told = max((claims[k].independent_sources for k in own), default=0)
        size = len(item["text"].split())
        if item["independent_sources"] <= told or sum(f.words for f in forced) + size > budget:
            continue  # a claim tells it as well supported, in the source's own words (or no room)
        cands = [c for c in cands if c.key not in own]
        forced.append(Candidate(f"frame:{n}", size, concepts, 0.0, item, (-1, n)))
    return forced, cands


def density(concepts, weights: Mapping, words: int) -> float:
    """How much of what the sources say most a text names, per square root of its length."""
    return sum(weights.get(k, 0) for k in concepts) / max(1, words) ** 0.5


def lede_claim(claims: Sequence[Claim], weights: Mapping, min_words: int) -> Sentence | None:
    """The lede: among the claims some article opens with, the one naming most of what the
    sources say (a complete sentence of `min_words` or more, no pronoun leaning on what came
    before)."""
    ledes = [cl.representative for cl in claims if any(s.index == 0 for s in cl.sentences)]
    ledes = [s for s in ledes if not (s.fragment or s.leaning) and s.words >= min_words]
    return max(ledes, key=lambda s: density(s.concepts, weights, s.words), default=None)
