"""The reuse stage: near-duplicates, shared passages, syndication families.

For each batch of new articles (`ReuseStage.run`), in order:

1. Prepare: tokens (`shingles.py`), word 3-gram shingle set, winnowed 5-gram fingerprints,
   quoted stretches (`quoted.py`).
2. Index: MinHash signature and LSH band keys (`minhash.py`) and fingerprints go to the
   store, so later batches are compared against them without recomputing anything.
3. Candidates: articles sharing an LSH bucket or a fingerprint with a new article (at most
   `max_postings` earliest holders per key: boilerplate cannot make the work quadratic). A
   fingerprint this batch makes common takes back the pairs it made while rare
   (`retired_pairs`), so batches give what one pass gives.
4. Choose: each new article takes, in the order of the shingles they share, the first
   `max_aligned` candidates that can yield something (`choose`: the exact Jaccard and
   `align.may_align` on the older article's stored shingle set, `reuse_shingles`, without
   reading its text), so an article with hundreds of copies costs what one with a few does.
5. Compare each remaining pair once: estimated Jaccard (signatures), verified Jaccard
   (exact, on the shingle sets), and the shared passages (`align.py`), each narrative or quote.
6. Families: a pair is joined when it is a near-duplicate or shares at least
   `family_tokens` narrative tokens; families are the connected components, updated only
   where a new edge touches them. Origin: the member crediting an agency, else the earliest
   published, else the first to arrive.

Public API for later stages: `independent_sources`, `family_of`, `families`, `passages`,
`pairs`. See docs/reuse.md for thresholds and store tables.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np

from ._align import Aligned, align, may_align
from ._minhash import MinHasher, band_keys, estimate, jaccard
from ._quoted import quoted_mask
from ..grouping import connected
from ..records import Family, Passage
from ..settings import ReuseSettings, Settings
from ._shingles import Tokens, as_signed, shingles, tokenize, winnow
from ..store import Store, chunks
from ._years import revise_years

NAME = "reuse"


# -- 1. prepare ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One article as reuse sees it."""

    id: str
    seq: int
    text: str
    tokens: Tokens
    grams: np.ndarray  # word-n-gram hash at each token position (uint64), in text order
    shingle_set: np.ndarray  # unique word-n-gram hashes (uint64), sorted
    quoted: np.ndarray  # bool per token
    digest: str  # of the token stream: equal digests are exact duplicates
    cfg: ReuseSettings  # the n-gram and window its fingerprints are made with

    @cached_property
    def fingerprints(self) -> np.ndarray:
        """Unique winnowed fingerprint hashes (uint64), made when first read: an older
        article prepared again to be aligned with a new one never needs them (26,841 such
        articles a batch of 500 at 35,000 stored real-text articles, winnowing 2 s of it)."""
        five = shingles(self.tokens.hashes, self.cfg.fingerprint_ngram)
        return np.unique(five[winnow(five, self.cfg.winnow_window)])


def prepare(id: str, seq: int, text: str, cfg: ReuseSettings) -> Doc:
    tokens = tokenize(text)
    grams = shingles(tokens.hashes, cfg.shingle_ngram)
    return Doc(
        id=id,
        seq=seq,
        text=text,
        tokens=tokens,
        grams=grams,
        shingle_set=np.unique(grams),
        quoted=quoted_mask(text, tokens.starts),
        digest=hashlib.blake2b(tokens.hashes.tobytes(), digest_size=16).hexdigest(),
        cfg=cfg,
    )


def load_docs(store: Store, ids: Sequence[str] | None = None, seqs: Sequence[int] | None = None, cfg=None) -> list[Doc]:
    """Docs for articles given by id or by seq, in arrival order."""
    cfg = cfg or ReuseSettings()
    column, values = ("id", list(ids)) if ids is not None else ("seq", [int(s) for s in seqs or []])
    rows = list(store.select_in(f"SELECT id, seq, clean_text FROM articles WHERE {column} IN ({{marks}})", values))
    rows.sort(key=lambda r: r["seq"])
    return [prepare(r["id"], r["seq"], r["clean_text"], cfg) for r in rows]


# -- 2. index -----------------------------------------------------------------------------


def index(store: Store, docs: Sequence[Doc], signatures: np.ndarray, keys: np.ndarray) -> None:
    conn = store.conn
    conn.executemany(
        "INSERT OR REPLACE INTO reuse_signatures (seq, article_id, n_tokens, digest, signature) VALUES (?, ?, ?, ?, ?)",
        [(d.seq, d.id, len(d.tokens), d.digest, signatures[i].tobytes()) for i, d in enumerate(docs)],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO reuse_shingles (seq, grams) VALUES (?, ?)",
        [(d.seq, d.shingle_set.tobytes()) for d in docs],
    )
    conn.executemany("INSERT OR IGNORE INTO reuse_buckets (key, seq) VALUES (?, ?)", _sorted_rows(bucket_rows(docs, keys)).tolist())
    conn.executemany(
        "INSERT OR IGNORE INTO reuse_fingerprints (hash, seq) VALUES (?, ?)", _sorted_rows(fingerprint_rows(docs)).tolist()
    )


def bucket_rows(docs: Sequence[Doc], keys: np.ndarray) -> np.ndarray:
    """The (band key, seq) rows of the docs' LSH buckets."""
    seqs = np.array([d.seq for d in docs], dtype=np.int64)
    return np.stack([keys.ravel(), np.repeat(seqs, keys.shape[1])], axis=1)


def fingerprint_rows(docs: Sequence[Doc]) -> np.ndarray:
    """The (fingerprint, seq) rows of the docs."""
    seqs = np.array([d.seq for d in docs], dtype=np.int64)
    sizes = [len(d.fingerprints) for d in docs]
    fps = np.concatenate([as_signed(d.fingerprints) for d in docs]) if docs else np.zeros(0, np.int64)
    return np.stack([fps, np.repeat(seqs, sizes)], axis=1)


def _sorted_rows(rows: np.ndarray) -> np.ndarray:
    """Unique (key, seq) rows in key order: sorted inserts keep the B-tree writes local.
    (lexsort + neighbour test: `np.unique(axis=0)` is several times slower on 2-column ints)"""
    if not len(rows):
        return rows.reshape(0, 2)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    keep = np.ones(len(rows), dtype=bool)
    keep[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    return rows[keep]


def forget(store: Store, docs: Sequence[Doc]) -> None:
    """Drop the pairs and passages an earlier run stored for these articles (idempotence).
    Index rows need no deleting: they derive from the text alone, which never changes."""
    ids = [(d.id, d.id) for d in docs]
    store.conn.executemany("DELETE FROM reuse_passages WHERE a = ? OR b = ?", ids)
    store.conn.executemany("DELETE FROM reuse_pairs WHERE a = ? OR b = ?", ids)


# -- 3. candidates ------------------------------------------------------------------------


def holders(
    store: Store, table: str, column: str, keys: np.ndarray, batch: np.ndarray, first: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(key, seq) of every row whose key is one of `keys`, stored or the batch's own
    (`batch`: its rows, not stored yet), sorted by key then seq. With `first`, only the
    `first` earliest stored holders of a key (and the batch's rows) are read: enough for
    `co_holders`, `newly_common` and `Candidates.pool`, which look at a key's `cap + 1`
    earliest holders and whether it has more (see `candidates`); a key held by hundreds
    then costs what one held by `first` does."""
    if first is None:
        sql = f"SELECT {column}, seq FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))"
    else:
        sql = (
            f"SELECT j.value, f.seq FROM json_each(?) j JOIN {table} f ON f.{column} = j.value AND f.seq <= coalesce("
            f"(SELECT g.seq FROM {table} g WHERE g.{column} = j.value ORDER BY g.seq LIMIT 1 OFFSET {int(first) - 1}), "
            f"{np.iinfo(np.int64).max})"
        )
    rows = _tuples(store).execute(sql, (json.dumps(keys.tolist()),)).fetchall()
    found = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows)).reshape(-1, 2)
    arr = _sorted_rows(np.concatenate([found, batch.reshape(-1, 2)]))
    return arr[:, 0], arr[:, 1]


def _tuples(store: Store) -> sqlite3.Cursor:
    """A cursor giving plain tuples (not `sqlite3.Row`s): reading hundreds of thousands of
    index rows, the Row objects cost more than the query."""
    cursor = store.conn.cursor()
    cursor.row_factory = None
    return cursor


def co_holders(keys: np.ndarray, seqs: np.ndarray, batch: np.ndarray, cap: int, skip_common: bool) -> np.ndarray:
    """Pairs (earlier seq, later seq) that hold a common key, with a batch article in each.

    `keys`/`seqs` sorted by key then seq. A batch article is paired with the `cap` earliest
    other holders of each of its keys (and with no later batch article: that one pairs
    with it from its own side), so a key held by thousands costs thousands, not millions.
    With `skip_common`, a key held by more than `cap + 1` articles pairs nobody: text that
    common is boilerplate (near-duplicates that share it are still found by LSH)."""
    if not len(keys):
        return np.zeros((0, 2), dtype=np.int64)
    n = len(keys)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = keys[1:] != keys[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    group_id = np.cumsum(new_group) - 1
    group_size = np.bincount(group_id)[group_id]
    in_batch = np.isin(seqs, batch)
    usable = (group_size > 1) & ((group_size <= cap + 1) | (not skip_common))
    elems = np.nonzero(in_batch & usable)[0]
    take = np.minimum(group_size[elems], cap + 1)
    rep = np.repeat(elems, take)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(take) - take, take)
    partner = group_start[rep] + within
    own, other = seqs[rep], seqs[partner]
    keep = (partner != rep) & (~in_batch[partner] | (other < own))
    pairs = np.stack([np.minimum(own, other)[keep], np.maximum(own, other)[keep]], axis=1)
    return _sorted_rows(pairs)


def candidates(store: Store, docs: Sequence[Doc], keys: np.ndarray, cfg: ReuseSettings, batch_rows: tuple[np.ndarray, np.ndarray]) -> Candidates:
    """Candidate pairs (earlier seq, later seq) for `docs`: LSH buckets and fingerprints,
    among the stored articles and the batch, whose index rows are not stored yet
    (`batch_rows`: the batch's bucket rows and fingerprint rows)."""
    seqs = np.array(sorted(d.seq for d in docs), dtype=np.int64)
    bucket_batch, print_batch = batch_rows
    buckets = holders(store, "reuse_buckets", "key", np.unique(keys), bucket_batch)
    found = [co_holders(*buckets, seqs, cfg.max_postings, False)]
    fps = np.unique(np.concatenate([as_signed(d.fingerprints) for d in docs] or [np.zeros(0, np.int64)]))
    # a key's cap + 2 earliest stored holders tell all that is asked of it, unless a doc is
    # stored already (a re-run): newly_common must then count the holders outside the docs
    first = None if _any_indexed(store, seqs) else cfg.max_postings + 2
    prints = holders(store, "reuse_fingerprints", "hash", fps, print_batch, first)
    found.append(co_holders(*prints, seqs, cfg.max_postings, True))
    return Candidates(_sorted_rows(np.concatenate(found)), prints)


def _any_indexed(store: Store, seqs: np.ndarray) -> bool:
    """Whether any of these articles is indexed already."""
    return any(True for _ in store.select_in("SELECT seq FROM reuse_signatures WHERE seq IN ({marks})", seqs.tolist()))


@dataclass(frozen=True)
class Candidates:
    pairs: np.ndarray  # (earlier seq, later seq)
    prints: tuple[np.ndarray, np.ndarray]  # (fingerprint, seq) of every holder of the docs' fingerprints, sorted

    def pool(self, seqs: np.ndarray, cfg: ReuseSettings) -> np.ndarray:
        """What an article chooses among (`choose`): its candidates and those a common
        fingerprint proposes too. Fingerprints become common as later articles arrive; an
        earlier holder of a key stays one, so this pool does not depend on what came later,
        and a choice made in a stream is the one a pass over the whole store makes (the pairs
        only common fingerprints propose are then left out, as `pairs` does)."""
        wide = co_holders(*self.prints, seqs, cfg.max_postings, False)
        rows = np.concatenate([self.pairs, wide])
        return _sorted_rows(rows)


def newly_common(keys: np.ndarray, seqs: np.ndarray, batch: np.ndarray, cap: int) -> list[np.ndarray]:
    """The earlier holders of each fingerprint that was rare (at most `cap + 1` holders, two
    or more of them, so it may have paired them) before this batch and is common with it.

    A common fingerprint pairs nobody (`co_holders`), judged on everything stored, so the
    pairs it proposed while still rare are no longer proposed: one pass over the same
    articles would never have made them. `retired_pairs` takes them back."""
    if not len(keys):
        return []
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    earlier = ~np.isin(seqs, batch)
    counts = np.add.reduceat(earlier.astype(np.int64), starts)
    sizes = ends - starts
    crossing = (counts >= 2) & (counts <= cap + 1) & (sizes > cap + 1)
    return [seqs[a:b][earlier[a:b]] for a, b in zip(starts[crossing], ends[crossing])]


def retired_pairs(store: Store, found: Candidates, batch_rows: tuple[np.ndarray, np.ndarray], cfg: ReuseSettings) -> list[tuple[str, str]]:
    """The stored pairs (ids, earlier first) that only a newly common fingerprint proposed:
    no other key proposes them now, as `candidates` would judge them in one pass over the
    store and the batch (its holders of those fingerprints the articles judged).

    Judged from the stored index, not by preparing those holders again: a key proposes a
    pair only when both its articles hold it, so only the keys the two ends of a stored pair
    share are looked up (their LSH band keys from the stored signatures, their fingerprints
    from `reuse_fingerprints` by seq, migration 0370), and `co_holders` judges each key's
    holders as `candidates` does. Re-preparing the holders and looking up every key they held
    cost 2.8 s of a 9.5 s batch of 500 at 30,000 stored real-text articles."""
    batch = np.unique(batch_rows[0][:, 1])  # every doc has its band keys
    groups = newly_common(*found.prints, batch, cfg.max_postings)
    if not groups:
        return []
    involved = sorted({int(s) for g in groups for s in g})
    ids = {r[0]: r[1] for r in store.select_in("SELECT seq, article_id FROM reuse_signatures WHERE seq IN ({marks})", involved)}
    proposed_by_it = {(ids[int(x)], ids[int(y)]) for g in groups for i, x in enumerate(g) for y in g[i + 1 :]}
    stored = _stored_pairs(store, proposed_by_it)
    if not stored:
        return []
    judged = np.array(sorted(r[0] for r in store.select_in("SELECT seq FROM articles WHERE seq IN ({marks})", involved)), dtype=np.int64)
    seq_of = {article: seq for seq, article in ids.items()}
    ends = sorted({seq_of[x] for pair in stored for x in pair})
    signatures = stored_signatures(store, ends, cfg.num_perm)
    bands = dict(zip(ends, band_keys(np.stack([signatures[s] for s in ends]), cfg.bands, cfg.rows)))
    prints = stored_fingerprints(store, ends)
    bucket_keys = _held_by_two([bands[s] for s in ends])
    print_keys = _held_by_two([prints.get(s, _NONE) for s in ends])
    bucket_batch, print_batch = batch_rows
    still = np.concatenate([
        co_holders(*holders(store, "reuse_buckets", "key", bucket_keys, bucket_batch), judged, cfg.max_postings, False),
        co_holders(*holders(store, "reuse_fingerprints", "hash", _rare(store, print_keys, cfg.max_postings + 1), print_batch), judged, cfg.max_postings, True),
    ])
    asked = np.array([(seq_of[a], seq_of[b]) for a, b in stored], dtype=np.int64)
    return sorted((ids[int(a)], ids[int(b)]) for a, b in asked[~_rows_in(asked, still)])


_NONE = np.zeros(0, dtype=np.int64)


def _rare(store: Store, keys: np.ndarray, most: int) -> np.ndarray:
    """The fingerprints among `keys` that at most `most` stored articles hold: the others
    pair nobody (`co_holders` skipping common keys), whoever else holds them."""
    rows = _tuples(store).execute(
        "SELECT j.value FROM json_each(?) j WHERE (SELECT f.seq FROM reuse_fingerprints f WHERE f.hash = j.value "
        f"ORDER BY f.seq LIMIT 1 OFFSET {int(most)}) IS NULL",
        (json.dumps(keys.tolist()),),
    ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64)


def _held_by_two(keys: Sequence[np.ndarray]) -> np.ndarray:
    """The keys that two or more of these articles hold (each article's keys unique), sorted:
    every key both articles of a pair hold is one."""
    every = np.concatenate(keys) if keys else _NONE
    values, counts = np.unique(every, return_counts=True)
    return values[counts > 1]


def _stored_pairs(store: Store, pairs: Iterable[tuple[str, str]], joining: bool = False) -> set[tuple[str, str]]:
    """Those of the pairs (a, b) that are stored (and join a family, with `joining`), looked
    up by their key (not every pair of their first articles: a family member has hundreds)."""
    rows = _tuples(store).execute(
        "SELECT p.a, p.b FROM json_each(?) j JOIN reuse_pairs p "
        "ON p.a = json_extract(j.value, '$[0]') AND p.b = json_extract(j.value, '$[1]')"
        + (" WHERE p.joins = 1" if joining else ""),
        (json.dumps([list(pair) for pair in pairs]),),
    )
    return set(rows.fetchall())


def stored_fingerprints(store: Store, seqs: Iterable[int]) -> dict[int, np.ndarray]:
    """Seq -> its stored fingerprints (int64, as stored), sorted (`reuse_fingerprints_by_seq`)."""
    rows = _tuples(store).execute(
        "SELECT f.seq, f.hash FROM json_each(?) j JOIN reuse_fingerprints f ON f.seq = j.value",
        (json.dumps([int(s) for s in seqs]),),
    ).fetchall()
    found = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows)).reshape(-1, 2)
    found = _sorted_rows(found)  # by seq, then hash
    starts = np.flatnonzero(np.r_[True, found[1:, 0] != found[:-1, 0]]) if len(found) else _NONE
    return {int(found[a, 0]): found[a:b, 1] for a, b in zip(starts, np.r_[starts[1:], len(found)])}


# -- 4. compare ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PairResult:
    a: Doc  # the earlier article (by arrival)
    b: Doc
    estimated: float
    jaccard: float
    exact: bool
    shared: list[Aligned]
    cfg: ReuseSettings

    @property
    def narrative_tokens(self) -> int:
        return sum(p.matched for p in self.shared if p.kind == "narrative")

    @property
    def quote_tokens(self) -> int:
        return sum(p.matched for p in self.shared if p.kind == "quote")

    @property
    def near_duplicate(self) -> bool:
        return self.jaccard >= self.cfg.near_duplicate

    @property
    def substantial_tokens(self) -> int:
        """Narrative tokens in passages long enough to count for a family (not "I had fun")."""
        return sum(
            p.matched for p in self.shared if p.kind == "narrative" and p.matched >= self.cfg.family_passage_tokens
        )

    @property
    def joins(self) -> bool:
        """Substantial reuse: the two belong to one family."""
        return self.near_duplicate or self.substantial_tokens >= self.cfg.family_tokens


def compare(a: Doc, b: Doc, sig_a: np.ndarray, sig_b: np.ndarray, cfg: ReuseSettings) -> PairResult:
    return PairResult(
        a=a,
        b=b,
        estimated=estimate(sig_a, sig_b),
        jaccard=round(jaccard(a.shingle_set, b.shingle_set), 4),
        exact=a.digest == b.digest,
        shared=align(a.tokens, b.tokens, a.quoted, b.quoted, cfg, *_seed_grams(a, b, cfg)),
        cfg=cfg,
    )


def _seed_grams(a: Doc, b: Doc, cfg: ReuseSettings) -> tuple:
    """The docs' shingle arrays serve as alignment seeds when both use the same n."""
    return (a.grams, b.grams) if cfg.seed_ngram == cfg.shingle_ngram else (None, None)


def choose(pairs: np.ndarray, docs: dict[int, Doc], sets: dict[int, np.ndarray], cfg: ReuseSettings) -> np.ndarray:
    """The candidate pairs (earlier seq, later seq) to align: for each later article, the
    first `max_aligned` of its candidates that can yield something (`_may_yield`), taken
    in the order of the shingles the two share, most first, ties to the earlier article.

    Why a bound: an article copied by hundreds has hundreds of candidates, nearly all copies
    of one another; aligning it with the closest few finds its family and the passages it
    took (their earliest holders rank first among equals), and keeps the work per article
    flat as the store grows (issue 19). Why this order: it is the pair's own, so the later
    article chooses among candidates that only earlier articles decide (`Candidates.pool`),
    and a stream chooses what one pass does. Every pair has a batch article (in `docs`);
    `sets` holds the other's shingle set."""
    if not len(pairs):
        return pairs
    near, other = [], []  # the batch article of each pair, and the other's shingle set
    for a, b in pairs.tolist():
        n, f = (b, a) if b in docs else (a, b)
        near.append(docs[n])
        other.append(docs[f].shingle_set if f in docs else sets.get(f))
    common = _shared_counts(near, other)
    order = np.lexsort((pairs[:, 0], -common, pairs[:, 1]))
    kept, taken, later = [], 0, None
    for k in order.tolist():
        if pairs[k, 1] != later:
            later, taken = pairs[k, 1], 0
        if taken < cfg.max_aligned and _may_yield(near[k], other[k], int(common[k]), cfg):
            kept.append(k)
            taken += 1
    return _sorted_rows(pairs[kept])


def _shared_counts(near: Sequence[Doc], other: Sequence[np.ndarray | None]) -> np.ndarray:
    """Per pair, the shingles its batch article shares with the other (`minhash.shared`);
    the batch article's own count when the other's set is unknown (None). Counted for all
    of one batch article's pairs at once, by binary search in its set: the pairs a batch
    chooses among grow with the store (87,421 for 500 articles at 30,000 stored real-text
    articles), and one call per pair cost 1.1 s of that batch."""
    common = np.zeros(len(near), dtype=np.int64)
    by_doc: dict[int, list[int]] = defaultdict(list)
    for k, (d, o) in enumerate(zip(near, other)):
        if o is None:
            common[k] = len(d.shingle_set)
        else:
            by_doc[id(d)].append(k)
    for ks in by_doc.values():
        own = near[ks[0]].shingle_set
        if not len(own):
            continue
        sets = [other[k] for k in ks]
        every = np.concatenate(sets)
        found = np.r_[0, np.cumsum(own[np.searchsorted(own, every).clip(max=len(own) - 1)] == every)]
        sizes = np.array([len(o) for o in sets])
        ends = np.cumsum(sizes)
        common[ks] = found[ends] - found[ends - sizes]
    return common


def _may_yield(doc: Doc, other: np.ndarray | None, common: int, cfg: ReuseSettings) -> bool:
    """Whether a pair can yield something: a near-duplicate (exact Jaccard on the shingle
    sets) or a passage (`align.may_align`). Most candidates that share a single rare
    fingerprint by chance share nothing else; their number grows with the square of the
    corpus, so they are dropped here, without reading and tokenising the older article
    (`other`: its stored shingle set; None when indexed before reuse_shingles existed:
    compare in full)."""
    if other is None or cfg.seed_ngram != cfg.shingle_ngram:
        return True
    return jaccard(doc.shingle_set, other, common) >= cfg.near_duplicate or may_align(doc.grams, other, cfg)


def among(pairs: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """The rows of `pairs` that are rows of `allowed` (both (seq, seq), non-negative)."""
    return pairs[_rows_in(pairs, allowed)]


def _rows_in(pairs: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per row of `pairs`, whether it is a row of `allowed` (both (seq, seq), non-negative)."""
    if not len(pairs) or not len(allowed):
        return np.zeros(len(pairs), dtype=bool)
    width = int(max(pairs.max(), allowed.max())) + 1
    return np.isin(pairs[:, 0] * width + pairs[:, 1], allowed[:, 0] * width + allowed[:, 1])


def save_pair(store: Store, r: PairResult) -> None:
    store.conn.execute(
        """INSERT OR REPLACE INTO reuse_pairs (a, b, estimated, jaccard, exact, near_duplicate,
           narrative_tokens, quote_tokens, joins) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (r.a.id, r.b.id, r.estimated, r.jaccard, int(r.exact), int(r.near_duplicate),
         r.narrative_tokens, r.quote_tokens, int(r.joins)),
    )
    store.conn.executemany(
        """INSERT INTO reuse_passages (a, a_start, a_end, b, b_start, b_end, matched, similarity, kind)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(r.a.id, p.a_start, p.a_end, r.b.id, p.b_start, p.b_end, p.matched, p.similarity, p.kind) for p in r.shared],
    )


def stored_shingles(store: Store, seqs: Iterable[int]) -> dict[int, np.ndarray]:
    rows = store.select_in("SELECT seq, grams FROM reuse_shingles WHERE seq IN ({marks})", [int(s) for s in seqs])
    return {row[0]: np.frombuffer(row[1], dtype=np.uint64) for row in rows}


def stored_signatures(store: Store, seqs: Iterable[int], num_perm: int) -> dict[int, np.ndarray]:
    rows = store.select_in("SELECT seq, signature FROM reuse_signatures WHERE seq IN ({marks})", [int(s) for s in seqs])
    return {row[0]: np.frombuffer(row[1], dtype=np.uint32, count=num_perm) for row in rows}


# -- 5. families --------------------------------------------------------------------------


def update_families(store: Store, edges: Sequence[tuple[str, str]]) -> None:
    """Merge the families that new edges touch, each group of them (and the articles the
    edges bring) into one family described afresh (`_merge_families`). A family is a unit
    here: rewriting every member's row of a family a new article joined cost its size at
    every batch (one family of tens of thousands in a store of generated real-text news)."""
    if not edges:
        return
    touched = sorted({x for e in edges for x in e})
    family = _family_rows(store, touched)
    unit = {x: ("family", family[x]) if x in family else ("article", x) for x in touched}
    for group in connected(sorted(set(unit.values())), [(unit[a], unit[b]) for a, b in edges]):
        _merge_families(store, sorted(f for kind, f in group if kind == "family"), sorted(a for kind, a in group if kind == "article"))


def _merge_families(store: Store, fams: Sequence[str], new: Sequence[str]) -> None:
    """Make families `fams` and articles `new` (in no family) one family, described afresh:
    its origin is the member crediting an agency, else the earliest published, ties by
    arrival, found in SQL over the members (dates may have been revised since the families
    were written); rows are renamed only where the family id changes. A family left with
    one article is no family: its row and description go."""
    conn = store.conn
    members = (
        "SELECT article_id AS id FROM reuse_families WHERE family IN (SELECT value FROM json_each(?1)) "
        "UNION SELECT value FROM json_each(?2)"
    )
    args = (json.dumps(list(fams)), json.dumps(list(new)))
    origin, agency, size = conn.execute(
        f"SELECT a.id, a.agency, COUNT(*) OVER () FROM articles a JOIN ({members}) m ON a.id = m.id "
        "ORDER BY a.agency IS NULL, COALESCE(NULLIF(a.published, ''), '9999'), a.seq LIMIT 1",
        args,
    ).fetchone()
    if size < 2:
        conn.executemany("DELETE FROM reuse_families WHERE family = ?", [(f,) for f in fams])
        conn.executemany("DELETE FROM reuse_family_info WHERE family = ?", [(f,) for f in fams])
        return
    fid = family_id(origin)
    renamed = [f for f in fams if f != fid]
    conn.executemany("UPDATE reuse_families SET family = ? WHERE family = ?", [(fid, f) for f in renamed])
    conn.executemany("INSERT INTO reuse_families (article_id, family) VALUES (?, ?)", [(a, fid) for a in new])
    conn.executemany("DELETE FROM reuse_family_info WHERE family = ?", [(f,) for f in renamed])
    conn.execute("INSERT OR REPLACE INTO reuse_family_info (family, origin, agency, size) VALUES (?, ?, ?, ?)", (fid, origin, agency, size))


def retire(store: Store, retired: Sequence[tuple[str, str]]) -> list[str]:
    """Delete pairs no key proposes any more, with their passages, and split the families
    that held a joining one into what their remaining joining pairs connect. Returns the
    articles of the deleted pairs."""
    if not retired:
        return []
    conn = store.conn
    ends = sorted({x for pair in retired for x in pair})
    cut = _joining(store, retired)
    keys = json.dumps([list(pair) for pair in retired])  # one statement each (28,806 pairs a batch at 30,000 stored)
    for table in ("reuse_passages", "reuse_pairs"):
        conn.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT t.rowid FROM json_each(?) j JOIN {table} t "
            "ON t.a = json_extract(j.value, '$[0]') AND t.b = json_extract(j.value, '$[1]'))",
            (keys,),
        )
    cut_ends = sorted({x for pair in cut for x in pair})
    ends_by_family: dict[str, list[str]] = defaultdict(list)
    for article, fam in sorted(_family_rows(store, cut_ends).items()):
        ends_by_family[fam].append(article)
    for fam, anchors in sorted(ends_by_family.items()):
        _split_family(store, fam, anchors)
    return ends


def _joining(store: Store, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Those of the stored pairs (a, b) that join a family, looked up by their key (not by
    every joining pair of their articles: hundreds of thousands in a family of thousands)."""
    return sorted(_stored_pairs(store, pairs, joining=True))


def _split_family(store: Store, fam: str, anchors: Sequence[str]) -> None:
    """Split family `fam`, which lost joining pairs between its `anchors`, into what its
    remaining joining pairs connect. It was connected, so each part it falls into holds an
    anchor: the parts are found by searching from one anchor towards each of the others
    (`_Reach`, which reads around them only). Only the parts that fell off are written; the
    rest keeps its rows (renamed if its origin fell off). Finding its parts from all its joining pairs cost the family's size
    at every batch that took one back (7.8 s of a 34 s batch of 500 at 35,000 stored
    articles of generated real-text news, one family holding most of them)."""
    parts: list[set[str]] = []
    left = sorted(anchors)
    while len(left) > 1:
        reach, own_part = _Reach(store, left[0]), None
        for other in left[1:]:
            if other in reach.seen or any(other in part for part in parts):
                continue
            part = reach.towards(other)
            if part is not None:
                parts.append(part)
                if left[0] in part:  # the first anchor's own part: start again from one still in the family
                    own_part = part
                    break
        left = [a for a in left if not any(a in part for part in parts)]
        if own_part is None:
            break  # the anchors left are all connected to the first
    if not parts:
        return
    store.conn.executemany("DELETE FROM reuse_families WHERE article_id = ?", [(a,) for part in parts for a in sorted(part)])
    _merge_families(store, [fam], [])  # the rest, renamed only if its origin was carved off
    for part in parts:
        _merge_families(store, [], sorted(part))


class _Reach:
    """What joining pairs connect to one article, searched breadth first only as far as
    a question needs: `towards(y)` searches from y too, the side that has seen less taking
    the next step, so a part that split off costs about its own size and two articles of
    a dense family meet in a step or two; what y's search saw is then known connected and
    answers the next questions without reading. Every seen article off the frontier has
    all its joined articles seen."""

    def __init__(self, store: Store, article: str) -> None:
        self.store, self.seen, self.frontier = store, {article}, [article]

    def towards(self, y: str) -> set[str] | None:
        """None when y is connected; else the whole part of the side whose search ran out
        (this article's, or y's)."""
        seen, frontier = {y}, [y]
        while self.frontier and frontier:
            if len(self.seen) <= len(seen):
                self.frontier, met = _step(self.store, self.frontier, self.seen, seen)
            else:
                frontier, met = _step(self.store, frontier, seen, self.seen)
            if met:
                self.frontier += [a for a in frontier if a not in self.seen]
                self.seen |= seen
                return None
        return set(self.seen) if not self.frontier else seen


def _step(store: Store, frontier: list[str], seen: set[str], other: set[str]) -> tuple[list[str], bool]:
    """One breadth-first step: the frontier's joined articles not seen yet (now seen), and
    whether one of them is in the other search's."""
    step, met = [], False
    for article in _joined_to(store, frontier):
        met = met or article in other
        if article not in seen:
            seen.add(article)
            step.append(article)
    return step, met


def _joined_to(store: Store, articles: Sequence[str]) -> list[str]:
    """The articles sharing a joining pair with any of these."""
    out = [r[0] for r in store.select_in("SELECT b FROM reuse_pairs WHERE joins = 1 AND a IN ({marks})", articles)]
    return out + [r[0] for r in store.select_in("SELECT a FROM reuse_pairs WHERE joins = 1 AND b IN ({marks})", articles)]


def _family_rows(store: Store, ids: Sequence[str]) -> dict[str, str]:
    return {row[0]: row[1] for row in store.select_in("SELECT article_id, family FROM reuse_families WHERE article_id IN ({marks})", ids)}


def family_id(origin: str) -> str:
    return "F" + origin[:16]


# -- the stage ----------------------------------------------------------------------------


class ReuseStage:
    """The stage. A chunk of one batch is compared before the chunk's write transaction
    (`prepare`, reads only: the pipeline runner uses the plan if no analysis was committed
    meanwhile), so an upload does not wait while the batch is tokenised and aligned; `run`
    then writes the index, the pairs and the families."""

    name = NAME

    def prepare(self, store: Store, article_ids: Sequence[str], settings: Settings) -> BatchPlan | None:
        """The chunk's comparisons, when it is one batch (a later batch is compared with the
        index rows the earlier ones write)."""
        if len(article_ids) > settings.reuse.batch_size:
            return None
        with _index_cache(store, settings.reuse):
            return plan_batch(store, article_ids, settings.reuse)

    def run(self, store: Store, article_ids: Sequence[str], settings: Settings, plan: BatchPlan | None = None) -> None:
        cfg = settings.reuse
        with _index_cache(store, cfg):
            if plan is not None:
                split = write_batch(store, plan)
            else:
                split = [a for chunk in chunks(list(article_ids), cfg.batch_size) for a in run_batch(store, chunk, cfg)]
        # families known: year-less datelines take the year of their copies (_years.py)
        revise_years(store, list(dict.fromkeys([*article_ids, *split])))


@contextmanager
def _index_cache(store: Store, cfg: ReuseSettings) -> Iterator[None]:
    """The index tables take random inserts and probes: a larger page cache while we run."""
    cache = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    store.conn.execute(f"PRAGMA cache_size = {-cfg.cache_kib}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(cache)}")


@dataclass
class BatchPlan:
    """A batch's comparisons, made from the store without writing (`plan_batch`)."""

    docs: list[Doc]
    signatures: np.ndarray
    keys: np.ndarray
    results: list[PairResult]
    retired: list[tuple[str, str]]  # stored pairs no key proposes any more (`retired_pairs`)


def run_batch(store: Store, article_ids: Sequence[str], cfg: ReuseSettings) -> list[str]:
    """Index a batch of articles and compare it with everything indexed so far; the older
    articles whose pairs were taken back (`write_batch`)."""
    plan = plan_batch(store, article_ids, cfg)
    return write_batch(store, plan) if plan is not None else []


def plan_batch(store: Store, article_ids: Sequence[str], cfg: ReuseSettings) -> BatchPlan | None:
    """Compare a batch with everything indexed so far and with itself (reads only)."""
    docs = load_docs(store, ids=article_ids, cfg=cfg)
    if not docs:
        return None
    hasher = MinHasher(cfg.num_perm)
    signatures = hasher.signatures([d.shingle_set for d in docs])
    keys = band_keys(signatures, cfg.bands, cfg.rows)
    batch_rows = (bucket_rows(docs, keys), fingerprint_rows(docs))
    found = candidates(store, docs, keys, cfg, batch_rows)
    retired = retired_pairs(store, found, batch_rows, cfg)
    by_seq = {d.seq: d for d in docs}
    sig_of = {d.seq: signatures[i] for i, d in enumerate(docs)}
    pool = found.pool(np.array(sorted(by_seq), dtype=np.int64), cfg)
    others = sorted({int(s) for s in pool.ravel()} - set(by_seq))
    pairs = among(choose(pool, by_seq, stored_shingles(store, others), cfg), found.pairs)
    others = sorted({int(s) for s in pairs.ravel()} - set(by_seq))
    by_seq.update({d.seq: d for d in load_docs(store, seqs=others, cfg=cfg)})
    sig_of.update(stored_signatures(store, others, cfg.num_perm))
    results = []
    for a, b in pairs:
        r = compare(by_seq[int(a)], by_seq[int(b)], sig_of[int(a)], sig_of[int(b)], cfg)
        if r.shared or r.near_duplicate:
            results.append(r)
    return BatchPlan(docs, signatures, keys, results, retired)


def write_batch(store: Store, plan: BatchPlan) -> list[str]:
    """Index the batch, take back the pairs no key proposes any more, store the batch's pairs
    and passages, update the families. Returns the older articles whose pairs were taken
    back (their families may have split, so their year-less datelines are revised again)."""
    forget(store, plan.docs)
    index(store, plan.docs, plan.signatures, plan.keys)
    split = retire(store, plan.retired)
    for r in plan.results:
        save_pair(store, r)
    update_families(store, [(r.a.id, r.b.id) for r in plan.results if r.joins])
    return split


# -- public API ---------------------------------------------------------------------------


def family_of(store: Store, article_ids: Iterable[str]) -> dict[str, str]:
    """Article id -> family id; an article without substantial reuse is its own family."""
    ids = list(dict.fromkeys(article_ids))
    found = _family_rows(store, ids)
    return {a: found.get(a) or family_id(a) for a in ids}


def independent_sources(store: Store, article_ids: Iterable[str]) -> int:
    """How many independent sources these articles are: the number of distinct families."""
    return len(set(family_of(store, article_ids).values()))


def families(store: Store, include_singletons: bool = True) -> list[Family]:
    """Every family, largest first; singletons (articles reusing nothing) last, by arrival."""
    out: dict[str, Family] = {}
    for row in store.conn.execute(
        """SELECT f.family, f.article_id, i.origin, i.agency FROM reuse_families f
           JOIN reuse_family_info i ON i.family = f.family JOIN articles a ON a.id = f.article_id ORDER BY a.seq"""
    ):
        fam = out.setdefault(row[0], Family(id=row[0], members=[], origin=row[2], agency=row[3]))
        fam.members.append(row[1])
    result = sorted(out.values(), key=lambda f: (-len(f.members), f.id))
    if include_singletons:
        for row in store.conn.execute(
            "SELECT id, agency FROM articles WHERE id NOT IN (SELECT article_id FROM reuse_families) ORDER BY seq"
        ):
            result.append(Family(id=family_id(row[0]), members=[row[0]], origin=row[0], agency=row[1]))
    return result


def family(store: Store, article_id: str) -> Family:
    """The reuse family an article belongs to, with its members in arrival order (an article
    without substantial reuse is a family of one)."""
    fid = family_of(store, [article_id])[article_id]
    members = [
        r[0]
        for r in store.conn.execute(
            "SELECT f.article_id FROM reuse_families f JOIN articles a ON a.id = f.article_id "
            "WHERE f.family = ? ORDER BY a.seq",
            (fid,),
        )
    ] or [article_id]
    info = store.conn.execute("SELECT origin, agency FROM reuse_family_info WHERE family = ?", (fid,)).fetchone()
    return Family(fid, members, info[0] if info else article_id, info[1] if info else None)


def passages(store: Store, a: str | None = None, b: str | None = None) -> list[Passage]:
    """Shared passages, all or those of article `a` (with `b`); oriented so that `a` (when
    given) is the Passage's `a` side."""
    sql = "SELECT * FROM reuse_passages"
    args: tuple = ()
    if a and b:
        sql += " WHERE (a = ? AND b = ?) OR (a = ? AND b = ?)"
        args = (a, b, b, a)
    elif a or b:
        sql += " WHERE a = ? OR b = ?"
        args = (a or b, a or b)
    out = []
    for r in store.conn.execute(sql + " ORDER BY a, b, a_start", args):
        p = Passage(r["a"], r["a_start"], r["a_end"], r["b"], r["b_start"], r["b_end"], r["similarity"], r["kind"])
        if (a and p.a != a) or (not a and b and p.b != b):
            p = Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.similarity, p.kind)
        out.append(p)
    if a:
        out.sort(key=lambda p: (p.b, p.a_start))
    return out


def passages_within(store: Store, ids: Iterable[str]) -> list[Passage]:
    """The passages shared between two of the given articles (a story's), each pair once,
    oriented from the smaller article id: one statement, filtered in SQL."""
    members = json.dumps(sorted(set(ids)))
    rows = store.conn.execute(
        "SELECT * FROM reuse_passages WHERE a IN (SELECT value FROM json_each(?)) "
        "AND b IN (SELECT value FROM json_each(?)) ORDER BY a, b, a_start",
        (members, members),
    )
    found = set()
    for r in rows:
        p = Passage(r["a"], r["a_start"], r["a_end"], r["b"], r["b_start"], r["b_end"], r["similarity"], r["kind"])
        found.add(p if p.a <= p.b else Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.similarity, p.kind))
    return sorted(found, key=lambda p: (p.a, p.b, p.a_start))


@dataclass(frozen=True)
class PairRow:
    a: str
    b: str
    estimated: float
    jaccard: float
    exact: bool
    near_duplicate: bool
    narrative_tokens: int
    quote_tokens: int
    joins: bool


def pairs(store: Store, article_id: str | None = None) -> list[PairRow]:
    """Compared pairs with shared text or near-duplication (all, or those of one article)."""
    sql, args = "SELECT * FROM reuse_pairs", ()
    if article_id:
        sql, args = sql + " WHERE a = ? OR b = ?", (article_id, article_id)
    return [
        PairRow(r["a"], r["b"], r["estimated"], r["jaccard"], bool(r["exact"]), bool(r["near_duplicate"]),
                r["narrative_tokens"], r["quote_tokens"], bool(r["joins"]))
        for r in store.conn.execute(sql + " ORDER BY narrative_tokens DESC, a, b", args)
    ]
