"""The cluster stage: every new article joins a story (or opens one), as it arrives.

Public API used by later stages:

    load_stories(store) -> list[Story]          live stories, in opening order
    story_of(store, article_id) -> str | None   the story an article belongs to
    story_articles(store, story_id) -> [ids]    its articles (a merged id answers for its target)
    consolidate(store, settings) -> [Change]    merge/move/split over every story, on demand
    story_changes(store, story_id=None) -> [dict]  the recorded merges, moves and splits
    sub_events(store, story_id) -> [SubEvent]   the happenings inside a story, in date order
    sub_event_of(store, article_id) -> (story, n) | None   the sub-event an article belongs to

The stage (`ClusterStage`, name "stories") reads the articles' features once (nlp parse ->
features.py), stores them in `story_features`, builds the in-memory `StoryIndex` of the
stored stories (from the store, or from what the process kept after its last save while the
store is still that state: _kept.py; no all-pairs step), assigns the new articles in
arrival order, consolidates the stories they touched, and writes stories, assignments and
changes back, and each saved story's sub-events (_subevents.py). The algorithm itself lives
in _index.py.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .. import nlp
from ..errors import NotFoundError
from ._features import ArticleFeatures, article_features
from ..records import Story, SubEvent
from ..settings import ClusterSettings, Settings
from ..store import Store, chunks, utcnow
from . import _kept
from ._index import ArticleVectors, Change, StoryIndex, StoryState, epoch
from ._kept import ArticleRow, Kept, StoreRows
from ._subevents import continued_sub_events, sub_events as split_sub_events

class ClusterStage:
    name = "stories"
    # one assignment per run, not per chunk: the new articles' idf is observed together and
    # consolidation sees every story they touched, so chunks of 50 gave other stories than
    # one pass (ECB+ 1-35: 685 of 772 articles placed differently); docs/scale.md
    chunked = False

    def prepare(self, store: Store, article_ids: Sequence[str], settings: Settings) -> Assignment:
        """The assignment, computed before the run's write transaction (reads only; the
        pipeline runner uses it if no analysis was committed meanwhile): an upload does not
        wait while the index is rebuilt and the stories consolidated and labelled."""
        return plan_assignment(store, article_ids, settings)

    def run(self, store: Store, article_ids: Sequence[str], settings: Settings, plan: Assignment | None = None) -> None:
        with store.transaction():
            write_assignment(store, plan or plan_assignment(store, article_ids, settings))


def compute_features(store: Store, article_ids: Sequence[str], settings: Settings) -> list[ArticleFeatures]:
    """Features of the given articles (from their parses), in arrival order.
    The parses are read a chunk of `settings.pipeline.chunk` articles at a time: this stage
    takes all its pending articles at once, and the Docs of a 100k-article first analysis
    (~470k paragraphs) would not fit in memory together."""
    articles = store.articles(article_ids)
    out = []
    for part in chunks(articles, settings.pipeline.chunk):
        parsed = nlp.parse_articles(part, settings, store=store)
        out.extend(article_features(parsed[a.id]) for a in part)
    return out


@dataclass
class Assignment:
    """The stories stage's result for some articles, computed without writing (`plan_assignment`)."""

    new: list[ArticleFeatures]  # the articles' features, stored in `story_features`
    stories: list[StoryRow]  # every story it saves
    scores: dict[str, float]
    changes: list[Change]
    loaded: Loaded | None = None  # the index it was computed on, kept after the save (`_kept.py`)


def assign_articles(store: Store, article_ids: Sequence[str], settings: Settings) -> list[Change]:
    """Assign the articles to stories (idempotent: an id already assigned is assigned anew)."""
    with store.transaction():
        assignment = plan_assignment(store, article_ids, settings)
        write_assignment(store, assignment)
    return assignment.changes


def plan_assignment(store: Store, article_ids: Sequence[str], settings: Settings) -> Assignment:
    """Assign the articles to the stored stories and consolidate the stories they touched,
    in memory (reads only)."""
    cfg = settings.cluster
    previous = _stories_holding(store, article_ids)  # they lose the articles assigned anew
    new = compute_features(store, article_ids, settings)
    loaded = _load(store, cfg, set(article_ids), new, kept=True)
    index, features = loaded.index, loaded.features
    touched: set[str] = set()
    scores: dict[str, float] = {}
    for f in new:
        features[f.article] = f
        sid, score = index.assign(f)
        touched.add(sid)
        scores[f.article] = score
    changes = index.consolidate(touched, fresh={f.article for f in new}) if cfg.consolidate else index.unite_families(touched)
    touched |= previous & set(index.stories)
    saved = touched | {c.story for c in changes} | {c.target for c in changes}
    stored = stored_sub_events(store, [sid for sid in saved if index.settled(sid)])
    rows = story_rows(index, features, saved, stored, {f.article for f in new})
    return Assignment(new, rows, scores, changes, loaded)


def write_assignment(store: Store, assignment: Assignment) -> None:
    """Store the features, the stories, their articles and sub-events, and the changes; and
    keep the index for the next run when the store was, until this save, the state it was
    loaded from (`_kept.py`)."""
    loaded = assignment.loaded
    unchanged = loaded is not None and loaded.rows.token is not None and _kept.generation(store) == loaded.rows.token
    texts = {f.article: stored_form(f) for f in assignment.new}
    store.conn.executemany("INSERT OR REPLACE INTO story_features (article_id, features) VALUES (?, ?)", texts.items())
    token = save(store, assignment.stories, assignment.scores, assignment.changes)
    if unchanged:
        _keep(store, assignment, texts, token)


def _keep(store: Store, assignment: Assignment, texts: dict[str, str], token: str) -> None:
    """Keep the assignment's index as the rows its save leaves (`_kept.saved_rows`), the
    new articles' features as a load decodes them, and the stories' states."""
    loaded = assignment.loaded
    seqs = {r[0]: r[1] for r in store.select_in("SELECT id, seq FROM articles WHERE id IN ({marks})", list(texts))}
    rows = _kept.saved_rows(loaded.rows, assignment.stories, {a: (seqs.get(a), t) for a, t in texts.items()}, token)
    if rows is None:
        return
    features = loaded.features
    for a, text in texts.items():
        features[a] = stored_features(a, text)
    _kept.keep(Kept(rows, loaded.key, loaded.index.cfg, features, loaded.index.stories))


def _stories_holding(store: Store, article_ids: Sequence[str]) -> set[str]:
    return {r[0] for r in store.select_in("SELECT story_id FROM story_articles WHERE article_id IN ({marks})", article_ids)}


def consolidate(store: Store, settings: Settings | None = None) -> list[Change]:
    """Run the consolidation pass over every story now (merge, move, split); record the changes."""
    settings = settings or Settings()
    with store.transaction():
        index, features = load_index(store, settings.cluster)  # from the store: it saves no kept state
        changes = index.consolidate()
        save(store, story_rows(index, features, {c.story for c in changes} | {c.target for c in changes}), {}, changes)
    return changes


def load_index(
    store: Store, cfg: ClusterSettings, exclude: set[str] | None = None, new: Sequence[ArticleFeatures] = ()
) -> tuple[StoryIndex, dict[str, ArticleFeatures]]:
    """The in-memory index of every stored story and assigned article (but `exclude`), its
    document frequencies counted over the stored and the `new` articles (`_vectors_under_idf`),
    read from the store."""
    loaded = _load(store, cfg, exclude or set(), new, kept=False)
    return loaded.index, loaded.features


@dataclass
class Loaded:
    """An index, its articles' features, the rows it was built from and its weights' key."""

    index: StoryIndex
    features: dict[str, ArticleFeatures]
    rows: StoreRows
    key: str  # the vector cache's key (`_stored_vectors`)
    kept: bool = False  # its sums taken over from the state kept after the last save (`_kept.py`)


def _load(store: Store, cfg: ClusterSettings, exclude: set[str], new: Sequence[ArticleFeatures], kept: bool) -> Loaded:
    """`load_index`, from the state the stage kept after its last save when `kept` and it
    describes the store (`_kept.take`), else from the store. The kept rows and features
    are the store's; its stories' sums are taken over when the weights are the same, else
    every vector is summed again (an idf epoch passed)."""
    token = _kept.generation(store)  # read first: any write after it changes the token, and the save then keeps nothing
    state = _kept.take(token, cfg, exclude) if kept else None
    rows, features = (state.rows, state.features) if state else _read_rows(store, token, exclude)
    index = StoryIndex(cfg)
    vectors = _vectors_under_idf(store, cfg, index, rows, features, new)
    index.sub_event_states = vectors.sub_event_states
    index.set_families(stored_families(store))
    for sid, (seq, merged_into, size, name) in rows.stories.items():
        index.stories[sid] = StoryState(sid, seq, merged_into=merged_into, stored_size=size or 0, stored_label=name or "")
        index._next_seq = seq + 1
        if merged_into:
            index._merged_from[merged_into].add(sid)
    sums = state.states if state and state.key == vectors.key else None
    if state and sums is None:  # another epoch: let the old vectors go before every vector is made again
        state.states.clear()
    for a, (_, sid, text) in rows.articles.items():
        vec = vectors.get(a, text, features[a], index)
        if sums is None:
            index.join(vec, sid)
        else:
            index.attach(vec, sid)
        index.stored_story[a] = sid
    vectors.keep_only(rows.articles)
    if sums is not None and not _took_sums(index, sums):  # a bug, never seen: load from the store instead
        return _load(store, cfg, exclude, new, kept=False)
    return Loaded(index, features, rows, vectors.key, kept=sums is not None)


def _read_rows(store: Store, token: str | None, exclude: set[str]) -> tuple[StoreRows, dict[str, ArticleFeatures]]:
    """The stories' and the assigned articles' rows (but `exclude`), and the articles' features."""
    articles = {
        r["article_id"]: (r["seq"], r["story_id"], r["features"])
        for r in store.conn.execute(
            "SELECT sa.article_id, sa.story_id, sf.features, a.seq FROM story_articles sa "
            "JOIN story_features sf ON sf.article_id = sa.article_id "
            "JOIN articles a ON a.id = sa.article_id ORDER BY a.seq"
        )
        if r["article_id"] not in exclude
    }
    stories = {
        r["id"]: (r["seq"], r["merged_into"], r["size"], r["label"])
        for r in store.conn.execute("SELECT id, seq, merged_into, size, label FROM stories ORDER BY seq")
    }
    features = {a: stored_features(a, text) for a, (_, _, text) in articles.items()}
    return StoreRows(token, stories, articles), features


def _took_sums(index: StoryIndex, states: dict[str, StoryState]) -> bool:
    """Give every story of the index the kept sums of its members (`StoryState.take_sums`);
    False when a kept state does not hold exactly the story's articles."""
    for sid, story in index.stories.items():
        old = states.get(sid)
        if story.members and (old is None or old.members.keys() != story.members.keys()):
            return False
    for sid, story in index.stories.items():
        if story.members:
            story.take_sums(states[sid])
    return True


def _vectors_under_idf(
    store: Store, cfg: ClusterSettings, index: StoryIndex, rows: StoreRows, stored: dict[str, ArticleFeatures],
    new: Sequence[ArticleFeatures],
) -> _VectorCache:
    """Count the index's document frequencies and return the vector cache of those weights.
    Store idf counts the first stored and new articles in arrival order, all of them up to
    `idf_exact_until`, then up to the last epoch (`epoch`, growing by `idf_epoch_ratio`):
    between two epochs the weights stay, so the stored articles' vectors are computed once
    per epoch, not at every batch (issue 19: 1.6 s of every batch at 10,000 articles); and
    which articles are counted depends on the store's articles alone, so a stream and one
    pass over the same articles end on the same weights."""
    if cfg.idf_source == "background":
        return _stored_vectors(cfg, "")
    seqs = {r[0]: r[1] for r in store.select_in("SELECT id, seq FROM articles WHERE id IN ({marks})", [f.article for f in new])}
    docs = [(seq, a, text, stored[a]) for a, (seq, _, text) in rows.articles.items()]
    docs += [(seqs.get(f.article, 1 << 62), f.article, stored_form(f), f) for f in new]
    docs.sort(key=lambda d: d[:2])  # arrival order
    counted = docs[: epoch(len(docs), cfg.idf_exact_until, cfg.idf_epoch_ratio)]
    cache = _stored_vectors(cfg, f"{len(counted)}:{hash(tuple((a, text) for _, a, text, _ in counted))}")
    if cache.df is None:
        index.observe(f for *_, f in counted)
        cache.df, cache.n_docs = Counter(index.df), index.n_docs
    else:
        index.df, index.n_docs = Counter(cache.df), cache.n_docs
    return cache


class _VectorCache:
    """Articles' vectors, remembered by their stored features, under one set of weights (the
    settings, and with store idf the articles it counts): rebuilding every stored article's
    vector was most of `load_index`. It holds the vectors of the articles the last load
    read (`keep_only`), so it grows with the store, not with how often articles were placed
    anew: a fixed cap of 65,536 entries made every load of a larger store clear it midway
    and vectorise every article again (a stream past 65k articles would have paid the epoch
    spike at every batch)."""

    def __init__(self, key: str) -> None:
        self.key = key  # `_stored_vectors`'s: the weights
        self.items: dict[tuple[str, str], ArticleVectors] = {}
        self.df: Counter | None = None  # store idf: the document frequencies of those weights
        self.n_docs = 0
        self.sub_event_states: dict[str, dict[frozenset[str], StoryState]] = {}  # StoryIndex.sub_event_states

    def get(self, article_id: str, stored: str, f: ArticleFeatures, index: StoryIndex) -> ArticleVectors:
        key = (article_id, stored)
        vec = self.items.get(key)
        if vec is None:
            vec = self.items[key] = index.vectors(f)
        return vec

    def keep_only(self, rows: Mapping[str, ArticleRow]) -> None:
        """Forget the vectors of articles the store no longer holds with those features (an
        article placed anew, or gone), once they are a fair share of what is remembered."""
        if len(self.items) > 2 * len(rows) + 1000:
            self.items = {k: v for k, v in self.items.items() if k[0] in rows and rows[k[0]][2] == k[1]}


_VECTOR_CACHES: dict[str, _VectorCache] = {}


def _stored_vectors(cfg: ClusterSettings, counted: str) -> _VectorCache:
    """The vector cache of these weights: every setting `StoryIndex.vectors` reads, and
    `counted`, the articles the store idf counts (empty with background idf)."""
    key = json.dumps([cfg.entity_type_weights, cfg.idf_source, cfg.idf_doc_tokens, cfg.idf_min_share, cfg.idf_background_docs,
                      cfg.block_terms, cfg.block_entities, cfg.lede_min_mentions, counted], sort_keys=True)
    if key not in _VECTOR_CACHES:
        _VECTOR_CACHES.clear()
        _VECTOR_CACHES[key] = _VectorCache(key)
    return _VECTOR_CACHES[key]


def stored_form(f: ArticleFeatures) -> str:
    """An article's features as `story_features` stores them (the text `stored_features`
    decodes and the vector cache is keyed by)."""
    return json.dumps(f.to_json(), sort_keys=True)


@lru_cache(maxsize=1 << 14)
def stored_features(article_id: str, stored: str) -> ArticleFeatures:
    """An article's features from their stored JSON, remembered by that text: every run reads
    every stored article back (the index is rebuilt from the store), and decoding was a
    third of that at 2,000 articles. Keyed by the stored text itself, so features stored
    anew (an article re-analysed) are decoded anew; the result is never modified."""
    return ArticleFeatures.from_json(article_id, json.loads(stored))


def stored_families(store: Store) -> dict[str, str]:
    """Article -> reuse family, for every article the reuse stage put in a family of two or
    more (the reuse stage runs before this one; its table holds only such families)."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT article_id, family FROM reuse_families")}


@dataclass
class StoryRow:
    """What `save` writes of one story."""

    id: str
    seq: int
    label: str
    first: str | None
    last: str | None
    members: list[str]
    placed: list[str]  # the members not stored in this story yet (new, assigned anew or moved): the rows to write
    top_entities: list[str]
    merged_into: str | None
    sub_events: list[tuple[str, str | None, str | None, list[str]]]  # (label, first, last, members), numbered from 1


def story_rows(
    index: StoryIndex, features: dict[str, ArticleFeatures], story_ids: set[str],
    stored: dict[str, list[tuple[str, list[str]]]] | None = None, fresh: set[str] = frozenset(),
) -> list[StoryRow]:
    """The rows of these stories, in opening order: labels, dates, top entities, sub-events
    (continued from the `stored` ones, `stored_sub_events`, for a settled story; `fresh`:
    the articles this run assigned)."""
    rows = []
    for sid in sorted(story_ids, key=lambda s: index.stories[s].seq):
        story = index.stories[sid]
        members = [features[a] for a in story.members]
        name, top = _story_label(index, story, features), _top_entities(story, members, features, index.cfg)
        groups = _sub_events(index, story, features, (stored or {}).get(sid), fresh)
        subs = [(sub_label, _iso(g.first), _iso(g.last), list(g.members)) for g, sub_label in groups]
        rows.append(
            StoryRow(sid, story.seq, name, _iso(story.first), _iso(story.last), list(story.members),
                     [a for a in story.members if index.stored_story.get(a) != sid], top, story.merged_into, subs)
        )
    return rows


def _sub_events(
    index: StoryIndex, story: StoryState, features: dict[str, ArticleFeatures], stored: list | None, fresh: set[str]
) -> list[tuple[StoryState, str]]:
    """A story's sub-events with their labels: continued from the stored ones while the
    story is settled (`continued_sub_events`), else the full scan. A story that can settle
    (larger than `settle_exact_until`) keeps its sub-events' sums for the next run."""
    if story.merged_into or not story.members:
        return []
    states = index.sub_event_states.pop(story.id, {})  # taken: the continuation adds to them
    if stored and index.settled(story.id):
        groups = continued_sub_events(index, story, stored, fresh, states)
    else:
        groups = [(g, None) for g in split_sub_events(index, story)]
    if len(story.members) > index.cfg.settle_exact_until:
        index.sub_event_states[story.id] = {frozenset(g.members): g for g, _ in groups}
    return [(g, label(index, g, features) if name is None else name) for g, name in groups]


def stored_sub_events(store: Store, story_ids: Sequence[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """{story: [(label, articles)] of its stored sub-events, in order}."""
    out: dict[str, dict[int, tuple[str, list[str]]]] = {}
    for r in store.select_in("SELECT story_id, n, label FROM sub_events WHERE story_id IN ({marks}) ORDER BY n", story_ids):
        out.setdefault(r[0], {})[r[1]] = (r[2], [])
    for r in store.select_in("SELECT story_id, n, article_id FROM sub_event_articles WHERE story_id IN ({marks})", story_ids):
        if r[1] in out.get(r[0], {}):
            out[r[0]][r[1]][1].append(r[2])
    return {sid: [subs[n] for n in sorted(subs)] for sid, subs in out.items()}


def save(store: Store, stories: list[StoryRow], scores: dict[str, float], changes: list[Change]) -> str:
    """Write the stories, their articles and sub-events and the changes, and name the state
    left with a fresh token (`_kept.new_generation`), which it returns."""
    now = utcnow()
    conn = store.conn
    for story in stories:
        conn.execute(
            """INSERT INTO stories (id, seq, label, first, last, size, top_entities, merged_into, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET label = excluded.label, first = excluded.first,
                 last = excluded.last, size = excluded.size, top_entities = excluded.top_entities,
                 updated_at = excluded.updated_at""",
            (
                story.id,
                story.seq,
                story.label,
                story.first,
                story.last,
                len(story.members),
                json.dumps(story.top_entities),
                None,  # set below, once every story it may point to exists
                now,
                now,
            ),
        )
        conn.executemany(
            """INSERT INTO story_articles (article_id, story_id, score, assigned_at) VALUES (?, ?, ?, ?)
               ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id,
                 score = CASE WHEN excluded.score >= 0 THEN excluded.score ELSE story_articles.score END,
                 assigned_at = CASE WHEN story_articles.story_id = excluded.story_id
                   THEN story_articles.assigned_at ELSE excluded.assigned_at END""",
            [(a, story.id, scores.get(a, -1.0), now) for a in story.placed],  # the others' rows stay as they are
        )
        save_sub_events(store, story)
    conn.executemany(
        "UPDATE stories SET merged_into = ? WHERE id = ?", [(s.merged_into, s.id) for s in stories if s.merged_into]
    )
    conn.executemany(
        "INSERT INTO story_changes (kind, story_id, target_id, article_id, score, at) VALUES (?, ?, ?, ?, ?, ?)",
        [(c.kind, c.story, c.target, c.article, c.score, now) for c in changes],
    )
    return _kept.new_generation(store)


def save_sub_events(store: Store, story: StoryRow) -> None:
    """Rewrite the story's sub-events (none for a story merged away or emptied), and of
    their articles' rows those that changed: a settled story of thousands keeps most of its
    articles' sub-events (`continued_sub_events`), and rewriting every row was linear in it."""
    conn = store.conn
    conn.execute("DELETE FROM sub_events WHERE story_id = ?", (story.id,))
    conn.executemany(
        "INSERT INTO sub_events (story_id, n, label, first, last, size) VALUES (?, ?, ?, ?, ?, ?)",
        [(story.id, n, name, first, last, len(members)) for n, (name, first, last, members) in enumerate(story.sub_events, 1)],
    )
    old = dict(conn.execute("SELECT article_id, n FROM sub_event_articles WHERE story_id = ?", (story.id,)).fetchall())
    new = {a: n for n, (*_, members) in enumerate(story.sub_events, 1) for a in members}
    conn.executemany("DELETE FROM sub_event_articles WHERE article_id = ? AND story_id = ?",
                     [(a, story.id) for a in old if a not in new])  # fmt: skip
    conn.executemany(
        "INSERT OR REPLACE INTO sub_event_articles (article_id, story_id, n) VALUES (?, ?, ?)",
        [(a, story.id, n) for a, n in new.items() if old.get(a) != n],
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _story_label(index: StoryIndex, story: StoryState, features: dict[str, ArticleFeatures]) -> str:
    """A story's label: the one saved while the story is settled (`StoryIndex.settled`),
    else chosen again (none for a story emptied)."""
    if story.stored_label and index.settled(story.id):
        return story.stored_label
    return label(index, story, features) if story.members else ""


def label(index: StoryIndex, story: StoryState, features: dict[str, ArticleFeatures]) -> str:
    """A short headline: the title (else first sentence) of the article nearest the centroid."""
    ranked = sorted(
        story.members.values(),
        key=lambda v: (-index.score(v, story), v.article),
    )
    for vec in ranked:
        f = features[vec.article]
        text = f.title or f.lede
        if text:
            words = text.split()
            n = index.cfg.label_words
            return " ".join(words[:n]) + (" …" if len(words) > n else "")
    return ""


def top_entities(members: list[ArticleFeatures], cfg: ClusterSettings) -> list[str]:
    """The names that weigh most across the story's articles (people first, by type weight)."""
    weight: Counter[str] = Counter()
    names: dict[str, Counter] = {}
    for f in members:
        for key, (etype, count, name) in f.entities.items():
            w = cfg.entity_type_weights.get(etype, 0.0)
            if w:
                weight[key] += w * min(count, cfg.top_entity_mention_cap)
                names.setdefault(key, Counter())[name] += 1
    top = sorted(weight, key=lambda k: (-weight[k], k))[: cfg.top_entities]
    return [max(names[k], key=lambda s: (names[k][s], len(s), s)) for k in top]


class _EntityCounts:
    """A large story's `top_entities` sums, kept in the process with the features they
    count: a batch adds its new members and takes out the ones that left instead of summing
    every member again (~7% of a warm batch for a story of 9,900). Used only with integer
    type weights, whose sums are exact in any order: the same sums as `top_entities`'."""

    def __init__(self, cfg: ClusterSettings) -> None:
        self.settings = (dict(cfg.entity_type_weights), cfg.top_entity_mention_cap)
        self.counted: dict[str, ArticleFeatures] = {}  # article -> the features counted
        self.weight: Counter[str] = Counter()
        self.names: dict[str, Counter] = {}

    def add(self, f: ArticleFeatures, cfg: ClusterSettings, sign: int = 1) -> None:
        for key, (etype, count, name) in f.entities.items():
            w = cfg.entity_type_weights.get(etype, 0.0)
            if w:
                self.weight[key] += sign * w * min(count, cfg.top_entity_mention_cap)
                names = self.names.setdefault(key, Counter())
                names[name] += sign
                if not names[name]:
                    del names[name]
                if not self.weight[key]:
                    del self.weight[key], self.names[key]
        if sign > 0:
            self.counted[f.article] = f
        else:
            del self.counted[f.article]

    def top(self, cfg: ClusterSettings) -> list[str]:
        """`top_entities`' choice (nsmallest is sorted()[:n], without sorting them all)."""
        top = heapq.nsmallest(cfg.top_entities, self.weight, key=lambda k: (-self.weight[k], k))
        return [max(self.names[k], key=lambda s: (self.names[k][s], len(s), s)) for k in top]


_ENTITY_COUNTS: dict[str, _EntityCounts] = {}  # story id -> its kept sums (a story larger than settle_exact_until)


def _top_entities(story: StoryState, members: list[ArticleFeatures], features: dict[str, ArticleFeatures], cfg: ClusterSettings) -> list[str]:
    """`top_entities` of a story, from its kept sums (`_EntityCounts`) when it is large and
    the type weights are integers; the sums are checked against the members by the very
    features they counted, so a store changed meanwhile only costs a recount."""
    if len(members) <= cfg.settle_exact_until or not all(float(w).is_integer() and w >= 0 for w in cfg.entity_type_weights.values()):
        _ENTITY_COUNTS.pop(story.id, None)
        return top_entities(members, cfg)
    counts = _ENTITY_COUNTS.get(story.id)
    if counts is None or counts.settings != (cfg.entity_type_weights, cfg.top_entity_mention_cap):
        counts = _ENTITY_COUNTS[story.id] = _EntityCounts(cfg)
    gone = [f for a, f in counts.counted.items() if a not in story.members or features[a] is not f]
    came = [f for f in members if counts.counted.get(f.article) is not f]
    if len(gone) + len(came) > len(members) // 2:  # counting afresh is cheaper
        counts = _ENTITY_COUNTS[story.id] = _EntityCounts(cfg)
        gone, came = [], members
    for f in gone:
        counts.add(f, cfg, -1)
    for f in came:
        counts.add(f, cfg)
    return counts.top(cfg)


# -- the API other stages call ---------------------------------------------------------


def load_stories(store: Store, include_merged: bool = False) -> list[Story]:
    """Stories in opening order (merged ones too, with `merged_into` set, when asked)."""
    members: dict[str, list[str]] = {}
    for r in store.conn.execute(
        "SELECT sa.story_id, sa.article_id FROM story_articles sa JOIN articles a ON a.id = sa.article_id ORDER BY a.seq"
    ):
        members.setdefault(r["story_id"], []).append(r["article_id"])
    out = []
    for r in store.conn.execute("SELECT * FROM stories ORDER BY seq"):
        if (r["merged_into"] or not members.get(r["id"])) and not include_merged:
            continue
        out.append(_story(r, members.get(r["id"], [])))
    return out


def load_story(store: Store, story_id: str) -> Story:
    """One live story by id, unique id prefix or merged-away id (`resolve_story_id`), with
    its articles in arrival order."""
    sid = resolve_story_id(store, story_id)
    row = store.conn.execute("SELECT * FROM stories WHERE id = ?", (sid,)).fetchone()
    members = story_members(store, sid)
    if not members:
        raise NotFoundError("story", story_id)
    return _story(row, members)


def _story(row, articles: list[str]) -> Story:
    return Story(
        id=row["id"],
        label=row["label"],
        articles=articles,
        first=_date(row["first"]),
        last=_date(row["last"]),
        top_entities=json.loads(row["top_entities"]),
        merged_into=row["merged_into"],
    )


def story_of(store: Store, article_id: str) -> str | None:
    row = store.conn.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
    return row[0] if row else None


def resolve_story_id(store: Store, story_id: str) -> str:
    """The live story an id names: follows `merged_into`; accepts a unique id prefix."""
    row = store.conn.execute("SELECT id, merged_into FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        rows = store.conn.execute("SELECT id, merged_into FROM stories WHERE id LIKE ? LIMIT 2", (story_id + "%",)).fetchall()
        if len(rows) != 1 or len(story_id) < 3:
            raise NotFoundError("story", story_id)
        row = rows[0]
    seen = {row["id"]}
    while row["merged_into"] and row["merged_into"] not in seen:
        seen.add(row["merged_into"])
        row = store.conn.execute("SELECT id, merged_into FROM stories WHERE id = ?", (row["merged_into"],)).fetchone()
    return row["id"]


def story_articles(store: Store, story_id: str) -> list[str]:
    """The article ids of the live story an id names, in arrival order."""
    return story_members(store, resolve_story_id(store, story_id))


def story_members(store: Store, sid: str) -> list[str]:
    """The article ids of story `sid` exactly as stored (no id resolution), in arrival order."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT sa.article_id FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
            "WHERE sa.story_id = ? ORDER BY a.seq",
            (sid,),
        )
    ]


def story_changes(store: Store, story_id: str | None = None) -> list[dict]:
    """The recorded merges, moves and splits, oldest first (those touching `story_id`, either
    side, when given): kind, story (lost the articles), target (took them), article, score, at."""
    sql = "SELECT kind, story_id AS story, target_id AS target, article_id AS article, score, at FROM story_changes"
    args: tuple = ()
    if story_id is not None:
        sql += " WHERE story_id = ? OR target_id = ?"
        args = (story_id, story_id)
    return [dict(r) | {"score": round(r["score"], 4)} for r in store.conn.execute(sql + " ORDER BY id", args)]




def sub_events(store: Store, story_id: str) -> list[SubEvent]:
    """The happenings inside the live story an id names, in date order, each with its
    articles in arrival order. A story the stage has not saved since sub-events were
    introduced (migration 0100) answers with one sub-event holding all its articles."""
    sid = resolve_story_id(store, story_id)
    rows = store.conn.execute("SELECT * FROM sub_events WHERE story_id = ? ORDER BY n", (sid,)).fetchall()
    members: dict[int, list[str]] = {}
    for r in store.conn.execute(
        "SELECT se.n, se.article_id FROM sub_event_articles se JOIN articles a ON a.id = se.article_id "
        "WHERE se.story_id = ? ORDER BY a.seq",
        (sid,),
    ):
        members.setdefault(r["n"], []).append(r["article_id"])
    if not rows:
        story = load_story(store, sid)
        return [SubEvent(sid, 1, story.label, story.articles, story.first, story.last)]
    return [
        SubEvent(sid, r["n"], r["label"], members.get(r["n"], []), _date(r["first"]), _date(r["last"]))
        for r in rows
    ]


def sub_event_of(store: Store, article_id: str) -> tuple[str, int] | None:
    """(story id, n) of the sub-event holding the article, or None when it has none yet."""
    row = store.conn.execute("SELECT story_id, n FROM sub_event_articles WHERE article_id = ?", (article_id,)).fetchone()
    return (row[0], row[1]) if row else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
