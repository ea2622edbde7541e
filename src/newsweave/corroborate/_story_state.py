"""The corroborate stage, incremental per story.

    CorroborateStage().run(store, article_ids, settings)     (registered in pipeline.py)
    recomputes(store, story_id=None) -> [dict]               the full recomputes it made

Quote variants are the one part of a story's facts whose cost grew with the square of the
story: every quoted sentence was aligned with every sentence of the story's other articles,
again for each new batch. Alignment is a function of two sentences' comparison tokens, so
the stage keeps, per story, the forms (distinct token sequences) it has aligned and the
variant pairs found among them (migration 0090), and for a new article aligns only the
forms the story has not seen: its sentences against the story's quoted forms, and new
quoted forms against the story's sentences (blocking by shared content words, in SQL). The
conflicts are then assembled from the stored pairs (`assemble_variants`), exactly as
aligning everything again would give them (tests/test_stream.py checks streamed = one pass).

The story's state covers the articles in `corroborate_members`. When the stories stage
moves articles (a merge, move or split), the story that gained them takes over the state of
the story they came from: every pair within one state was aligned, so only the pairs across
the two are aligned then (`take_over`, recorded in `corroborate_recomputes`), unless the
story is smaller than that state (a few articles split off a large story): it then builds
its own from its articles. A story that lost articles keeps forms and pairs covering more
than it holds, which assembling ignores; its variant states stay when no state holds a
sentence of an article that left (`_left_without_trace`), else they are built again; a
story left empty loses its facts and state ("gone", recorded). The other facts (events,
roles, counts, quotes) are recomputed per touched story from its records and written again;
so is a story whose facts were written with an entity name or a family that changed since.

A story's update is computed from the store without writing (`story_update`), then written
(`write_update`): the runner has the stage compute the chunk's updates before the chunk's
write transaction (`prepare`), so an upload does not wait while a large story's facts are
computed (2.5 s for one of 1,008 articles, 30 s under load); `run` then writes them. Only
the analysis writes these tables, and the runner uses the plan only if no analysis was
committed since (`pipeline._Prepared`). A story that gained articles is computed inside the
transaction: its update reads what taking over its sources' state writes.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..settings import CorroborateSettings, Settings
from ..store import Store, utcnow
from ..events import load_quotes
from ..stories import story_of
from . import _kept
from ._kept import KeptVariants
from ._stage import (
    QuoteCandidate,
    candidates_of_quotes,
    Said,
    StoryFacts,
    VariantKey,
    VariantState,
    content_words,
    corroborate_story,
    digest,
    forget,
    merge_variant_states,
    observe_variants,
    quote_candidates,
    quoted_sentences,
    save,
    said_sentences,
    story_records,
    survivor_quotes,
    variant_conflicts,
    variant_pairs,
    variant_state_of,
    variant_state_text,
)


class CorroborateStage:
    """Facts and conflicts of every story holding a new article, or whose articles, entity
    names or families changed since its facts were written."""

    name = "corroborate"

    def prepare(self, store: Store, article_ids: Sequence[str], settings: Settings) -> dict[str, StoryUpdate]:
        """The updates of the stories `run` will update, computed before the chunk's write
        transaction (reads only), but for a story that gains articles (its update reads what
        taking over their state writes)."""
        new = _new_by_story(store, article_ids)
        lost, gained = moved_articles(store, forget=False)
        plan = {}
        for story in sorted(_touched(store, new, lost, gained)):
            if story not in gained and story_members(store, story):
                plan[story] = story_update(store, story, new.get(story, []), settings.corroborate, lost.get(story, ()))
        return plan

    def run(self, store: Store, article_ids: Sequence[str], settings: Settings, plan: Mapping | None = None) -> None:
        cfg = settings.corroborate
        new = _new_by_story(store, article_ids)
        lost, gained = moved_articles(store)
        afresh = {story for story, sources in sorted(gained.items()) if take_over(store, story, sources, cfg)}
        for story in sorted(_touched(store, new, lost, gained)):
            members = story_members(store, story)
            if not members:
                drop_story(store, story)
                continue
            fresh = members if story in afresh else new.get(story, [])
            update = (plan or {}).get(story)
            if update is None or update.fresh != fresh:
                update = story_update(store, story, fresh, cfg, lost.get(story, ()))
            write_update(store, update)


def _new_by_story(store: Store, article_ids: Sequence[str]) -> dict[str, list[str]]:
    """{story: its articles among `article_ids`}, in their order."""
    new: dict[str, list[str]] = defaultdict(list)
    for a in article_ids:
        story = story_of(store, a)
        if story is not None:
            new[story].append(a)
    return new


def _touched(store: Store, new: Mapping, lost: Mapping, gained: Mapping) -> set[str]:
    """The stories whose facts the stage writes again."""
    return set(new) | set(lost) | set(gained) | stale_stories(store)


def story_members(store: Store, story: str) -> list[str]:
    """The articles of story `story` as stored: none for a story merged into another (whose
    facts go), where stories.story_articles would follow the merge."""
    return [r[0] for r in store.conn.execute("SELECT article_id FROM story_articles WHERE story_id = ?", (story,))]


def moved_articles(store: Store, forget: bool = True) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """Where the stories stage moved articles the stored state covers (a merge, move or
    split): ({story that lost some: [ids]}, {story that gained some: {from story: [ids]}}).
    `forget`: the state stops covering the articles left in no story."""
    lost: dict[str, list[str]] = defaultdict(list)
    gained: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = store.conn.execute(
        "SELECT cm.article_id, cm.story_id AS was, sa.story_id AS now FROM corroborate_members cm "
        "LEFT JOIN story_articles sa ON sa.article_id = cm.article_id WHERE sa.story_id IS NOT cm.story_id"
    )
    for r in rows:
        lost[r["was"]].append(r["article_id"])
        if r["now"] is not None:
            gained[r["now"]][r["was"]].append(r["article_id"])
        elif forget:
            store.conn.execute("DELETE FROM corroborate_members WHERE article_id = ?", (r["article_id"],))
    return lost, gained


def take_over(store: Store, story: str, sources: Mapping[str, Sequence[str]], cfg: CorroborateSettings) -> bool:
    """The story gained articles from `sources`: it takes over their variant state. Every
    pair of forms within one story's state was aligned, so the union needs only the pairs
    across the two (this story's quoted forms against the forms it takes, and the forms it
    takes against its sentences); a story that only loses articles keeps a state that covers
    more than it holds, which assembling ignores. Recorded in corroborate_recomputes.
    A story smaller than a source's state (a few articles split off a large story) drops
    its own state instead, to be built from its articles (`_start_afresh`): True then."""
    with store.transaction() as conn:
        if _smaller_than_a_source(store, story, sources):
            _start_afresh(store, story, sources)
            return True
        for source, moved in sorted(sources.items()):
            own_q, own_s = _forms(store, story, "q"), _forms(store, story, "s")
            took_q = {f: w for f, w in _forms(store, source, "q").items() if f not in own_q}
            took_s = {f: w for f, w in _forms(store, source, "s").items() if f not in own_s}
            pairs = variant_pairs(own_q, took_s, cfg)
            pairs.update(variant_pairs(took_q, own_s, cfg))
            _add_forms(store, story, "q", took_q)
            _add_forms(store, story, "s", took_s)
            conn.execute(
                "INSERT OR IGNORE INTO variant_pairs (story_id, q_form, s_form, i1, i2, j1, j2) "
                "SELECT ?, q_form, s_form, i1, i2, j1, j2 FROM variant_pairs WHERE story_id = ?",
                (story, source),
            )
            _insert_pairs(conn, story, pairs)
            conn.executemany("UPDATE corroborate_members SET story_id = ? WHERE article_id = ?", [(story, a) for a in moved])
            _record(store, story, f"gained {len(moved)} articles of {source}", len(moved))
    return False


def _smaller_than_a_source(store: Store, story: str, sources: Mapping[str, Sequence[str]]) -> bool:
    """Whether the story holds fewer articles than some source's state covers: taking that
    state over (its forms and pairs, and every form of it aligned against this story's)
    would cost the source's size, building the story's own costs the story's."""
    held = len(story_members(store, story))
    sql = "SELECT COUNT(*) FROM corroborate_members WHERE story_id = ?"
    return any(held < store.conn.execute(sql, (source,)).fetchone()[0] for source in sources)


def _start_afresh(store: Store, story: str, sources: Mapping[str, Sequence[str]]) -> None:
    """Drop the story's variant state and what it covers, so that its update aligns and
    observes every article it holds as fresh, as one pass over them does; recorded."""
    for source, moved in sorted(sources.items()):
        _record(store, story, f"gained {len(moved)} articles of {source}", len(moved))
    _drop_state(store.conn, story)
    store.conn.execute("DELETE FROM corroborate_members WHERE story_id = ?", (story,))
    store.conn.executemany("DELETE FROM corroborate_members WHERE article_id = ?", [(a,) for m in sources.values() for a in m])
    held = len(story_members(store, story))
    _record(store, story, f"variant states built again from its {held} articles: a larger story's state is not taken over", held)


def stale_stories(store: Store) -> set[str]:
    """Stories whose facts were written with an entity name or a family that has changed
    since (an entity named more fully, an entity merged into another by a later article
    ("USAF" into "United States Air Force": its name stays, its mentions move), two
    families joined by a new article): their facts are written again; their variant state
    holds neither, so it stays."""
    return {r[0] for r in store.conn.execute(f"{_STALE_NAMES} UNION {_STALE_MEMBERS}")}


_STALE_NAMES = (
    "SELECT cn.story_id, cn.entity_id FROM corroborate_names cn LEFT JOIN entities e ON e.id = cn.entity_id "
    "WHERE (e.id IS NULL OR e.name != cn.name OR e.merged_into IS NOT NULL)"
)
_STALE_MEMBERS = (
    "SELECT cm.story_id, cm.article_id FROM corroborate_members cm LEFT JOIN reuse_families rf ON rf.article_id = cm.article_id "
    "WHERE rf.family IS NOT cm.family"
)


def _refreshed(store: Store, story: str) -> tuple[set[str], set[str]]:
    """What changed since the story's facts were written without a new article: (its
    articles whose family changed, the entities whose name changed or that were merged or
    are gone), as `stale_stories` finds them."""
    names = store.conn.execute(_STALE_NAMES + " AND cn.story_id = ?", (story,))
    members = store.conn.execute(_STALE_MEMBERS + " AND cm.story_id = ?", (story,))
    return {r[1] for r in members}, {r[1] for r in names}


def _record(store: Store, story: str, reason: str, size: int) -> None:
    store.conn.execute(
        "INSERT INTO corroborate_recomputes (story_id, reason, articles, at) VALUES (?, ?, ?, ?)",
        (story, reason, size, utcnow()),
    )


def drop_story(store: Store, story: str) -> None:
    """A story that holds no article now (merged into another, or emptied): its facts and
    state go."""
    with store.transaction() as conn:
        _drop_state(conn, story)
        for table in ("corroborate_members", "corroborate_names"):
            conn.execute(f"DELETE FROM {table} WHERE story_id = ?", (story,))
        forget(store, story)
        _record(store, story, "gone", 0)


def _drop_state(conn, story: str) -> None:
    """Forget the story's aligned forms and pairs and its variant conflict states."""
    for table in ("variant_forms", "variant_form_words", "variant_pairs", "variant_conflicts", "variant_state"):
        conn.execute(f"DELETE FROM {table} WHERE story_id = ?", (story,))


@dataclass
class StoryUpdate:
    """What updating one story writes, computed from the store without writing (`story_update`)."""

    story: str
    fresh: list[str]  # the new (or re-extracted) articles it adds to the story's variant state
    said: list[Said]  # their sentences
    new_s: dict[str, Sequence[str]]  # the forms the story has not seen, on each side
    new_q: dict[str, Sequence[str]]
    pairs: dict  # the variant pairs they make
    names: dict[str, str]  # the entity names its facts are written with
    result: StoryFacts  # its facts and conflicts (the quote variants: those it shows again, unless `every`)
    states: dict[VariantKey, VariantState]  # the variant conflict states that changed (all of them if `rebuilt`)
    covers: tuple[str, str]  # what the states cover after the update (variant_state)
    rebuilt: str | None = None  # why the states were built again from every article (recorded)
    every: bool = True  # result holds every quote-variant conflict of the story
    size: int = 0  # the story's articles
    kept: KeptVariants | None = None  # every state and pair of the story after the update, kept once written (_kept.py)
    keep_stories: int = 0  # how many stories the process keeps (CorroborateSettings.keep_stories)


def story_update(
    store: Store, story: str, fresh: Sequence[str], cfg: CorroborateSettings, left: Sequence[str] = ()
) -> StoryUpdate:
    """The update of a story by its `fresh` (new or re-extracted) articles, from the store as
    it is (reads only): their sentences against the story's quoted forms, the quoted forms
    the story has not aligned yet against all its sentences (the stored ones and the fresh
    ones); then the quote-variant observations that involve a fresh sentence, merged into
    the stored states of their conflicts (`observe_variants`), and the story's other facts
    and conflicts from its records. `left`: the articles its state covers that the stories
    stage moved out of it since."""
    articles, families, entities, events, quotes = story_records(store, story, mentions=False, articles=_reader(store, story, cfg))
    large = len(articles) >= cfg.keep_from  # its variant work is kept in the process (_kept.py)
    kept = _kept.take(store, story) if large else None
    names = {e.id: e.name for e in entities}
    texts = {a.id: a.clean_text for a in articles}
    seq = _seqs(store, texts)
    fresh_set = set(fresh)
    said = [s for a in articles if a.id in fresh_set for s in said_sentences(a)]
    cands = quote_candidates(quotes, articles)
    quoted = quoted_sentences(cands, texts, cfg.variant_min_matched, seq)
    old_q = _forms(store, story, "q")
    new_s = _unseen_forms(store, story, "s", {s.form: s.words for s in said})
    new_q = _unseen_forms(store, story, "q", {q.form: q.words for q in quoted})
    blocked = _blocked(store, story, new_q, cfg.variant_min_shared_words)
    blocked.update(_sharing(new_s, new_q, cfg.variant_min_shared_words))
    pairs = variant_pairs(old_q, new_s, cfg)
    pairs.update(variant_pairs(new_q, blocked, cfg))
    stored = dict(sorted({**pairs, **(kept.pairs if kept else _pairs(store, story))}.items()))  # as _pairs reads them once written
    old = _covered(store, story, texts) - fresh_set
    # the candidates of articles that left are read as the events stage's quotes only
    rebuilt = _rebuild_reason(store, story, old, cands, left if quotes else ())
    covers = _covers(old | fresh_set, cands)
    refamilied, renamed = _refreshed(store, story) if old and not rebuilt else (set(), set())
    if rebuilt:
        old = set()
    groups = _kept_groups(kept, old, fresh_set, seq) if large else None
    if groups:  # the kept ranges continue: an article whose family changed is found in the states (below)
        again, seen = [], old
    else:
        # an article whose family changed is observed again (its observations are stored: merging
        # them changes nothing), so the conflicts its spans are in are written with the new family
        again, seen = _said_of_articles(store, refamilied & old), old - refamilied
    forms, unkept = _said_forms(stored, quoted, {s.form for s in said + again}, seen, kept=groups or {})
    said_of = _said_of(store, story, unkept, leave=fresh_set) + [s for s in said if s.form in forms]
    delta = observe_variants(stored, quoted, said_of, texts, cands, seq, frozenset(seen), groups)
    spans = kept.spans if kept else {}  # the Spans of the states' sentences, kept with them
    if not old:  # built from every article: these are all the story's states
        variants = variant_conflicts(delta, families, names, texts, spans)
        return StoryUpdate(story, list(fresh), said, new_s, new_q, pairs, names,
                           corroborate_story(story, articles, families, entities, events, quotes, cfg, variants=variants),
                           delta, covers, rebuilt, True, len(articles),
                           KeptVariants("", delta, stored, groups, frozenset(texts), spans) if large else None, cfg.keep_stories)  # fmt: skip
    shown_values = {values for values, _ in delta} | _values_said_by(store, story, renamed)
    every_state = kept.states if kept else _load_states(store, story, None if large else shown_values)
    if groups:
        shown_values |= _values_holding(every_state, refamilied)
    states = {k: st for k, st in every_state.items() if k[0] in shown_values}  # as _load_states(shown_values) reads them
    changed = merge_variant_states(states, delta)
    every_state.update(states)  # the states merged into, and those new
    variants = variant_conflicts(states, families, names, texts, spans)
    result = corroborate_story(story, articles, families, entities, events, quotes, cfg, variants=variants)
    return StoryUpdate(story, list(fresh), said, new_s, new_q, pairs, names, result,
                       {k: states[k] for k in changed}, covers, None, False, len(articles),
                       KeptVariants("", every_state, stored, groups, frozenset(old | fresh_set), spans) if large else None, cfg.keep_stories)  # fmt: skip


def _reader(store: Store, story: str, cfg: CorroborateSettings):
    """How the story's articles are read: a large story's kept in the process (`_kept.story_articles`)."""

    def read(ids):
        ids = list(ids)
        if len(ids) < cfg.keep_from:
            return store.articles(ids)
        return _kept.story_articles(store, story, ids, cfg.keep_stories)

    return read


def write_update(store: Store, update: StoryUpdate) -> None:
    """Write a story's update: the fresh articles' sentences, the new forms and pairs, the
    articles and names the state covers, the changed variant states, and the facts and
    conflicts whose content changed."""
    story = update.story
    with store.transaction() as conn:
        _write_sentences(conn, update.fresh, update.said)
        _add_forms(store, story, "s", update.new_s)
        _add_forms(store, story, "q", update.new_q)
        _insert_pairs(conn, story, update.pairs)
        conn.executemany(
            "INSERT OR REPLACE INTO corroborate_members (article_id, story_id) VALUES (?, ?)",
            [(a, story) for a in update.fresh],
        )
        _note_inputs(conn, story, update.names)
        if update.rebuilt:
            conn.execute("DELETE FROM variant_conflicts WHERE story_id = ?", (story,))
            _record(store, story, f"variant states built again: {update.rebuilt}", update.size)
        _write_states(conn, story, update.states)
        token = secrets.token_hex(16) if update.kept else None  # after the states and pairs: their triggers clear it
        conn.execute(
            "INSERT OR REPLACE INTO variant_state (story_id, articles, cands, token) VALUES (?, ?, ?, ?)", (story, *update.covers, token)
        )
        save(store, update.result, some_variants=not update.every)
    if update.kept:
        _kept.keep(story, replace(update.kept, token=token), update.keep_stories)


def _seqs(store: Store, ids: Iterable[str]) -> dict[str, int]:
    """Article id -> its arrival number (articles.seq): the rank of its evidence in quote variants."""
    return {r[0]: r[1] for r in store.select_in("SELECT id, seq FROM articles WHERE id IN ({marks})", list(ids))}


def _covered(store: Store, story: str, held: Iterable[str]) -> set[str]:
    """The articles of the story whose observations its stored variant states hold."""
    rows = store.conn.execute("SELECT article_id FROM corroborate_members WHERE story_id = ?", (story,))
    return {r[0] for r in rows} & set(held)


def _covers(articles: set[str], cands: Sequence) -> tuple[str, str]:
    """Digests of the articles variant states cover and of their quote candidates."""
    mine = sorted((c.article, c.start, c.end, c.speaker or "") for c in cands if c.article in articles)
    return digest(sorted(articles)), digest(mine)


def _rebuild_reason(store: Store, story: str, old: set[str], cands: Sequence, left: Sequence[str] = ()) -> str | None:
    """Why the story's variant states must be built again from every article, if they
    must: they cover other articles than the story's old ones (it gained or lost some: a
    merge, move or split, or an article extracted again), or an old article's quote
    candidates changed (a speaker named from a later article, a merged entity). Articles
    that `left` the story and are in none of its observations (`_left_without_trace`)
    leave the states as they are."""
    if not old:
        return None
    row = store.conn.execute("SELECT articles, cands FROM variant_state WHERE story_id = ?", (story,)).fetchone()
    if row is None:
        return "it took its articles over from another story"
    if left and _left_without_trace(store, story, old, cands, left, tuple(row)):
        return None
    articles, mine = _covers(old, cands)
    if row[0] != articles:
        return "its articles changed (moved in or out, or one extracted again)"
    if row[1] != mine:
        return "its quotes changed"
    return None


def _left_without_trace(store: Store, story: str, old: set[str], cands: Sequence, left: Sequence[str], covers: tuple) -> bool:
    """Whether the states, which cover `covers` (`_covers`), are exactly those of the `old`
    articles: they covered `old` and the articles that `left` (with the quote candidates
    these have now), and no state holds a sentence of one that left. An observation pairs a
    sentence with the first sentence of another article on the other side, and is then in
    the state with its sentence (both are: each is the other's article's partner); so a
    sentence of no state was never anyone's partner, and the observations of the articles
    that stay are those without the ones that left. (The check reads the stored JSON for
    the article ids: a false match only builds the states again.)"""
    if _covers(old | set(left), [*cands, *_quote_candidates_of(store, left)]) != covers:
        return False
    sql = "SELECT 1 FROM variant_conflicts WHERE story_id = ? AND instr(state, ?) > 0 LIMIT 1"
    return not any(store.conn.execute(sql, (story, json.dumps(a))).fetchone() for a in left)


def _quote_candidates_of(store: Store, articles: Sequence[str]) -> list[QuoteCandidate]:
    """The quote candidates of these articles (the events stage's quotes, speakers as
    `story_records` names them), in the stories that hold them now."""
    ids, out = set(articles), []
    for story in sorted({s for s in (story_of(store, a) for a in ids) if s is not None}):
        out += candidates_of_quotes(survivor_quotes(store, load_quotes(store, story)), ids)
    return out


def _said_forms(pairs, quoted, new_said: set[str], old: set[str], kept: Mapping = {}) -> tuple[set[str], set[str]]:
    """The sentence forms whose sentences the observations involving a new sentence read:
    every sentence form of each replaced range that a new quoted sentence (of an article not
    in `old`) or a new said form takes part in (all of them when `old` is empty); and those
    of them whose old sentences are read from the store: the forms of such ranges whose
    groups are not `kept` (a kept range's old sentences are in its groups)."""
    new_q = {q.form for q in quoted if q.article not in old}
    targets: dict[tuple, set[str]] = defaultdict(set)
    for (qf, sf), (i1, i2, _, _) in pairs.items():
        targets[(qf, i1, i2)].add(sf)
    read, unkept = set(), set()
    for (qf, i1, i2), sfs in targets.items():
        if qf in new_q or sfs & new_said or not old:
            read |= sfs
            if (qf, i1, i2) not in kept:
                unkept |= sfs
    return read, unkept


def _kept_groups(kept: KeptVariants | None, old: set[str], fresh: set[str], seq: Mapping[str, int]) -> dict:
    """The replaced ranges' groups of old sentences kept from the story's last update
    (`observe_variants`), when they hold the sentences of exactly its `old` articles and
    every fresh article came after those (so its sentences rank after theirs); else a new
    dict for the ranges to fill as they are met."""
    if kept is None or not old or kept.articles != old:  # one left, or was not observed
        return {}
    if fresh and min(seq[a] for a in fresh) < max(seq[a] for a in old):
        return {}
    return kept.groups


def _values_holding(states: Mapping[VariantKey, VariantState], articles: set[str]) -> set[frozenset]:
    """The value pairs of the states with a span in these articles: those observing them
    again would touch (each observation's sentences are in its state)."""
    if not articles:
        return set()
    return {values for (values, _), st in states.items() if any(sp[0] in articles for v in st.values.values() for sp in v.spans)}


def _said_of_articles(store: Store, articles: set[str]) -> list[Said]:
    """The stored sentences of these articles (their forms, for `_said_forms`)."""
    rows = store.select_in("SELECT article_id, idx, start, \"end\", form FROM variant_sentences WHERE article_id IN ({marks})", sorted(articles))
    return [Said(r[0], r[1], r[2], r[3], r[4], ()) for r in rows]


def _values_said_by(store: Store, story: str, speakers: set[str]) -> set[frozenset]:
    """The value pairs of the story's variant states quoting these speakers (renamed since):
    their conflicts are written again under the new name."""
    if not speakers:
        return set()
    rows = store.conn.execute("SELECT norms, speaker FROM variant_conflicts WHERE story_id = ?", (story,))
    return {frozenset(json.loads(r[0])) for r in rows if r[1] in speakers}


def _load_states(store: Store, story: str, values: Iterable[frozenset] | None = None) -> dict[VariantKey, VariantState]:
    """The stored variant conflict states of a story (those of these value pairs)."""
    sql = "SELECT norms, speaker, state FROM variant_conflicts WHERE story_id = ?"
    if values is None:
        rows = store.conn.execute(sql, (story,)).fetchall()
    else:
        keys, rows = sorted({_norms(v) for v in values}), []
        for i in range(0, len(keys), 500):  # SQLite caps the parameters of one statement
            part = keys[i : i + 500]
            rows += store.conn.execute(sql + f" AND norms IN ({','.join('?' * len(part))})", (story, *part)).fetchall()
    return {(frozenset(json.loads(r[0])), r[1] or None): variant_state_of(json.loads(r[2])) for r in rows}


def _norms(values: frozenset) -> str:
    return json.dumps(sorted(values))


def _write_states(conn, story: str, states: Mapping[VariantKey, VariantState]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO variant_conflicts (story_id, norms, speaker, state) VALUES (?, ?, ?, ?)",
        [(story, _norms(v), sp or "", variant_state_text(st)) for (v, sp), st in states.items()],
    )


def _note_inputs(conn, story: str, names: Mapping[str, str]) -> None:
    """Remember the families and entity names the story's facts are written with."""
    conn.execute(
        "UPDATE corroborate_members SET family = (SELECT family FROM reuse_families rf "
        "WHERE rf.article_id = corroborate_members.article_id) WHERE story_id = ?",
        (story,),
    )
    conn.execute("DELETE FROM corroborate_names WHERE story_id = ?", (story,))
    conn.executemany(
        "INSERT INTO corroborate_names (story_id, entity_id, name) VALUES (?, ?, ?)", [(story, e, n) for e, n in names.items()]
    )


def _insert_pairs(conn, story: str, pairs: Mapping) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO variant_pairs (story_id, q_form, s_form, i1, i2, j1, j2) VALUES (?,?,?,?,?,?,?)",
        [(story, q, s, *v) for (q, s), v in pairs.items()],
    )


def _write_sentences(conn, article_ids: Iterable[str], said: Sequence[Said]) -> None:
    ids = list(article_ids)
    conn.executemany("DELETE FROM variant_sentences WHERE article_id = ?", [(a,) for a in ids])
    conn.executemany(
        'INSERT INTO variant_sentences (article_id, idx, start, "end", form, offsets) VALUES (?,?,?,?,?,?)',
        [(s.article, s.index, s.start, s.end, s.form, json.dumps([[a - s.start, b - s.start] for a, b in s.offsets])) for s in said],
    )


def _forms(store: Store, story: str, side: str) -> dict[str, list[str]]:
    rows = store.conn.execute("SELECT form, words FROM variant_forms WHERE story_id = ? AND side = ?", (story, side))
    return {r[0]: json.loads(r[1]) for r in rows}


def _unseen_forms(store: Store, story: str, side: str, forms: Mapping[str, Sequence[str]]) -> dict[str, Sequence[str]]:
    """Those of `forms` the story has not stored on this side."""
    rows = store.conn.execute(
        "SELECT form FROM variant_forms WHERE story_id = ? AND side = ? AND form IN (SELECT value FROM json_each(?))",
        (story, side, json.dumps(list(forms))),
    )
    seen = {r[0] for r in rows}
    return {f: w for f, w in forms.items() if f not in seen}


def _add_forms(store: Store, story: str, side: str, forms: Mapping[str, Sequence[str]]) -> None:
    """Store forms the story has not seen on this side, with their content words."""
    store.conn.executemany(
        "INSERT INTO variant_forms (story_id, side, form, words) VALUES (?,?,?,?)",
        [(story, side, f, json.dumps(list(w))) for f, w in forms.items()],
    )
    store.conn.executemany(
        "INSERT OR IGNORE INTO variant_form_words (story_id, side, word, form) VALUES (?,?,?,?)",
        [(story, side, word, f) for f, w in forms.items() for word in content_words(w)],
    )


def _sharing(sforms: Mapping[str, Sequence[str]], qforms: Mapping[str, Sequence[str]], min_shared: int) -> dict:
    """Those of `sforms` sharing `min_shared` content words with some of `qforms`: what
    `_blocked` finds among forms not stored yet."""
    qwords = [cw for cw in (content_words(w) for w in qforms.values()) if len(cw) >= min_shared]
    return {f: w for f, w in sforms.items() if any(len(content_words(w) & cw) >= min_shared for cw in qwords)}


def _blocked(store: Store, story: str, qforms: Mapping[str, Sequence[str]], min_shared: int) -> dict[str, list[str]]:
    """The story's sentence forms sharing `min_shared` content words with some of `qforms`."""
    keys: set[str] = set()
    for words in qforms.values():
        cw = sorted(content_words(words))
        if len(cw) < min_shared:
            continue
        rows = store.conn.execute(
            "SELECT form FROM variant_form_words WHERE story_id = ? AND side = 's' "
            "AND word IN (SELECT value FROM json_each(?)) GROUP BY form HAVING COUNT(*) >= ?",
            (story, json.dumps(cw), min_shared),
        )
        keys.update(r[0] for r in rows)
    if not keys:
        return {}
    rows = store.conn.execute(
        "SELECT form, words FROM variant_forms WHERE story_id = ? AND side = 's' AND form IN (SELECT value FROM json_each(?))",
        (story, json.dumps(sorted(keys))),
    )
    return {r[0]: json.loads(r[1]) for r in rows}


def _pairs(store: Store, story: str) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    rows = store.conn.execute(
        "SELECT q_form, s_form, i1, i2, j1, j2 FROM variant_pairs WHERE story_id = ? ORDER BY q_form, s_form", (story,)
    )
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows}


def _said_of(store: Store, story: str, forms: set[str], leave: set[str] = frozenset()) -> list[Said]:
    """The stored sentences of the story's articles (but those in `leave`) that have one of these forms."""
    if not forms:
        return []
    members = set(story_members(store, story)) - leave
    out = []
    rows = store.conn.execute(
        'SELECT article_id, idx, start, "end", form, offsets FROM variant_sentences WHERE form IN (SELECT value FROM json_each(?))',
        (json.dumps(sorted(forms)),),
    )
    for r in rows:
        if r[0] in members:
            offsets = tuple((r[2] + a, r[2] + b) for a, b in json.loads(r[5]))
            out.append(Said(r[0], r[1], r[2], r[3], r[4], offsets))
    return out


def recomputes(store: Store, story_id: str | None = None) -> list[dict]:
    """The full recomputes of stories' corroboration (merges, splits), oldest first."""
    sql = "SELECT story_id AS story, reason, articles, at FROM corroborate_recomputes"
    rows = store.conn.execute(sql + (" WHERE story_id = ?" if story_id else "") + " ORDER BY id", (story_id,) if story_id else ())
    return [dict(r) for r in rows]


__all__ = ["CorroborateStage", "recomputes"]
