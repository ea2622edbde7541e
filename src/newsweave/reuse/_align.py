"""Passage alignment between two articles: which stretches of A also stand in B.

Seed, chain, split — on the token streams of `shingles.py`, for ONE candidate pair:

1. Seeds: every word n-gram (n = `seed_ngram`, default 3) of A that also occurs in B (at most
   `max_occurrences` times there), found by sorting B's n-gram hashes and binary search —
   never by comparing all pairs of sentences. Seeds on one diagonal (j - i constant) with
   consecutive positions merge into exact runs.
2. Chaining: a dynamic programme over the runs (sorted by position in A) joins runs that
   follow each other in both texts with at most `max_gap` unmatched tokens between them, so
   a changed name ("Singh" for "Rajnath Singh") or a dropped clause does not cut a passage.
   Score = matched tokens - `gap_penalty` x gap. Chains are taken best-first without
   overlap; a chain is a passage when it matches at least `min_tokens` tokens.
3. Quotes: a matched token is quoted when it lies inside quotation marks in A or in B
   (`quoted.py`). Each chain is cut where that changes; the quoted pieces are kind "quote",
   the rest "narrative". Pieces under `min_piece_tokens` matched tokens are dropped.

Offsets are the clean-text offsets of the first and last matched token of a piece, so the
text at them is exactly the shared stretch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..settings import ReuseSettings
from ._shingles import Tokens, shingles


@dataclass(frozen=True)
class Aligned:
    """One shared stretch: token and character spans in A and B."""

    a_start: int  # character offsets
    a_end: int
    b_start: int
    b_end: int
    matched: int  # tokens matched
    similarity: float  # matched / longer side in tokens
    kind: str  # "narrative" | "quote"


def seed_runs(
    ha: np.ndarray, hb: np.ndarray, n: int, max_occurrences: int,
    sa: np.ndarray | None = None, sb: np.ndarray | None = None,
) -> np.ndarray:
    """Exact runs shared by two token-hash arrays: rows (a0, a1, b0, b1), half-open, a1-a0 == b1-b0.
    `sa`/`sb`: the n-gram hashes of each side when the caller already has them."""
    if len(ha) < n or len(hb) < n:
        return np.zeros((0, 4), dtype=np.int64)
    sa = shingles(ha, n) if sa is None else sa
    sb = shingles(hb, n) if sb is None else sb
    order = np.argsort(sb, kind="stable")
    sorted_b = sb[order]
    lo = np.searchsorted(sorted_b, sa, "left")
    hi = np.searchsorted(sorted_b, sa, "right")
    count = hi - lo
    keep = (count > 0) & (count <= max_occurrences)
    if not keep.any():
        return np.zeros((0, 4), dtype=np.int64)
    count = count[keep]
    i = np.repeat(np.nonzero(keep)[0], count)
    first = np.repeat(lo[keep], count)
    within = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count)
    j = order[first + within]
    d = j - i
    idx = np.lexsort((i, d))
    i, d = i[idx], d[idx]
    new_run = np.ones(len(i), dtype=bool)
    new_run[1:] = (d[1:] != d[:-1]) | (i[1:] != i[:-1] + 1)
    starts = np.nonzero(new_run)[0]
    ends = np.append(starts[1:], len(i)) - 1
    a0, a1 = i[starts], i[ends] + n
    runs = np.stack([a0, a1, a0 + d[starts], a1 + d[starts]], axis=1)
    return runs[np.lexsort((runs[:, 2], runs[:, 0]))]


def chain(runs: np.ndarray, cfg: ReuseSettings) -> list[list[int]]:
    """Chains of run indices (each in order), best first, not overlapping in A or B."""
    k = len(runs)
    if k == 0:
        return []
    if k > cfg.max_runs:  # keep the longest runs of a pathological pair
        keep = np.sort(np.argsort(runs[:, 1] - runs[:, 0])[::-1][: cfg.max_runs])
        runs = runs[keep]
        k = len(runs)
    else:
        keep = np.arange(k)
    a0, a1, b0, b1 = (runs[:, c].tolist() for c in range(4))
    # plain Python: k is small (tens of runs), where numpy's per-call cost would dominate
    score = [float(a1[q] - a0[q]) for q in range(k)]
    prev = [-1] * k
    longest = 0  # longest run so far: bounds how far back a predecessor can start
    for q in range(k):
        best, best_p = score[q], -1
        p = q - 1
        while p >= 0 and a0[p] + longest + cfg.max_gap >= a0[q]:
            ga, gb = a0[q] - a1[p], b0[q] - b1[p]
            if (
                a0[p] < a0[q] and b0[p] < b0[q] and a1[p] < a1[q] and b1[p] < b1[q]
                and ga <= cfg.max_gap and gb <= cfg.max_gap
            ):
                gain = score[p] + (a1[q] - a0[q]) - max(0, -ga, -gb) - cfg.gap_penalty * max(0, ga, gb)
                if gain > best or (gain == best and best_p != -1):  # ties: the earliest p
                    best, best_p = gain, p
            p -= 1
        score[q], prev[q] = best, best_p
        longest = max(longest, a1[q] - a0[q])
    a0, a1, b0, b1 = (np.asarray(x) for x in (a0, a1, b0, b1))
    score = np.asarray(score)
    used = np.zeros(k, dtype=bool)
    taken_a: list[tuple[int, int]] = []
    taken_b: list[tuple[int, int]] = []
    chains = []
    for q in np.argsort(-score, kind="stable"):
        if used[q]:
            continue
        members = []
        while q != -1 and not used[q]:
            members.append(int(q))
            q = prev[q]
        members.reverse()
        span_a = (int(a0[members[0]]), int(a1[members[-1]]))
        span_b = (int(b0[members[0]]), int(b1[members[-1]]))
        used[members] = True
        if any(_overlaps(span_a, s) for s in taken_a) or any(_overlaps(span_b, s) for s in taken_b):
            continue
        taken_a.append(span_a)
        taken_b.append(span_b)
        chains.append([int(keep[m]) for m in members])
    return chains


def _overlaps(x: tuple[int, int], y: tuple[int, int]) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def matched_pairs(runs: np.ndarray, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Token positions (in A, in B) matched by a chain, increasing on both sides."""
    ai: list[np.ndarray] = []
    bj: list[np.ndarray] = []
    last_a = last_b = -1
    for m in members:
        a0, a1, b0, _ = (int(v) for v in runs[m])
        skip = max(0, last_a + 1 - a0, last_b + 1 - (b0))
        if a0 + skip < a1:
            ai.append(np.arange(a0 + skip, a1))
            bj.append(np.arange(b0 + skip, b0 + (a1 - a0)))
            last_a, last_b = a1 - 1, b0 + (a1 - a0) - 1
    if not ai:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(ai), np.concatenate(bj)


def align(
    ta: Tokens, tb: Tokens, quoted_a: np.ndarray, quoted_b: np.ndarray, cfg: ReuseSettings,
    grams_a: np.ndarray | None = None, grams_b: np.ndarray | None = None,
) -> list[Aligned]:
    """Shared stretches of two tokenised texts, each narrative or quote, in A's order.
    `quoted_*` flag the tokens inside quotation marks (`quoted.quoted_mask`); `grams_*`, when
    given, are the `seed_ngram`-gram hashes of each side (not recomputed)."""
    runs = seed_runs(ta.hashes, tb.hashes, cfg.seed_ngram, cfg.max_occurrences, grams_a, grams_b)
    out: list[Aligned] = []
    for members in chain(runs, cfg):
        ai, bj = matched_pairs(runs, members)
        if len(ai) < cfg.min_tokens:
            continue
        quoted = quoted_a[ai] | quoted_b[bj]
        # cut where quotedness changes and at paragraph breaks on either side
        cut = quoted[1:] != quoted[:-1]
        cut |= ta.paragraph[ai[1:]] != ta.paragraph[ai[:-1]]
        cut |= tb.paragraph[bj[1:]] != tb.paragraph[bj[:-1]]
        cuts = (np.nonzero(cut)[0] + 1).tolist()
        for lo, hi in zip([0, *cuts], [*cuts, len(ai)]):
            if hi - lo < cfg.min_piece_tokens:
                continue
            pa, pb = ai[lo:hi], bj[lo:hi]
            longer = max(pa[-1] - pa[0] + 1, pb[-1] - pb[0] + 1)
            out.append(
                Aligned(
                    a_start=int(ta.starts[pa[0]]),
                    a_end=int(ta.ends[pa[-1]]),
                    b_start=int(tb.starts[pb[0]]),
                    b_end=int(tb.ends[pb[-1]]),
                    matched=int(hi - lo),
                    similarity=round(float((hi - lo) / longer), 4),
                    kind="quote" if quoted[lo] else "narrative",
                )
            )
    out.sort(key=lambda p: p.a_start)
    return out


def may_align(grams: np.ndarray, other_set: np.ndarray, cfg: ReuseSettings) -> bool:
    """False when `align` cannot find a passage between a text (its seed n-gram hashes
    `grams`, in text order) and another (`other_set`, its unique seed n-gram hashes, sorted).

    Why this is exact: a chain's seeds lie at positions of this text whose n-gram the other
    holds ("hits"); consecutive seeds of a chain are at most `max_gap` + n positions apart
    (runs within `max_gap` tokens of each other); and every matched token lies in the n
    tokens a seed covers. So cutting the hits where they are further apart than that gives
    clusters each chain stays within, and a chain matches at most the tokens its cluster's
    hits cover. No cluster covering `min_tokens` tokens: no passage."""
    n = cfg.seed_ngram
    if len(grams) < cfg.min_tokens - n + 1 or not len(other_set):
        return False
    at = np.searchsorted(other_set, grams).clip(max=len(other_set) - 1)
    hits = np.nonzero(other_set[at] == grams)[0]
    if len(hits) * n < cfg.min_tokens:
        return False
    step = np.diff(hits)
    brk = step > cfg.max_gap + n
    covered = np.append(np.where(brk, n, np.minimum(step, n)), n)  # tokens each hit adds
    starts = np.concatenate(([0], np.nonzero(brk)[0] + 1))
    return int(np.add.reduceat(covered, starts).max()) >= cfg.min_tokens
