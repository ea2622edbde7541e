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
the two are aligned then (`take_over`, recorded in `corroborate_recomputes`); a story that
lost articles keeps a state covering more than it holds, which assembling ignores, and a
story left empty loses its facts and state ("gone", recorded). The other facts (events,
roles, counts, quotes) are recomputed per touched story from its records and written again;
so is a story whose facts were written with an entity name or a family that changed since.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..settings import CorroborateSettings, Settings
from ..store import Store, utcnow
from ..stories import story_of
from ._stage import (
    Said,
    assemble_variants,
    content_words,
    corroborate_story,
    forget,
    quote_candidates,
    quoted_sentences,
    save,
    said_sentences,
    story_records,
    variant_pairs,
)


class CorroborateStage:
    """Facts and conflicts of every story holding a new article, or whose articles, entity
    names or families changed since its facts were written."""

    name = "corroborate"

    def run(self, store: Store, article_ids: Sequence[str], settings: Settings) -> None:
        cfg = settings.corroborate
        new: dict[str, list[str]] = defaultdict(list)
        for a in article_ids:
            story = story_of(store, a)
            if story is not None:
                new[story].append(a)
        lost, gained = moved_articles(store)
        for story, sources in sorted(gained.items()):
            take_over(store, story, sources, cfg)
        for story in sorted(set(new) | set(lost) | set(gained) | stale_stories(store)):
            if not story_members(store, story):
                drop_story(store, story)
            else:
                update_story(store, story, new.get(story, []), cfg)


def story_members(store: Store, story: str) -> list[str]:
    """The articles of story `story` as stored: none for a story merged into another (whose
    facts go), where stories.story_articles would follow the merge."""
    return [r[0] for r in store.conn.execute("SELECT article_id FROM story_articles WHERE story_id = ?", (story,))]


def moved_articles(store: Store) -> tuple[set[str], dict[str, dict[str, list[str]]]]:
    """Where the stories stage moved articles the stored state covers (a merge, move or
    split): (the stories that lost some, {story that gained some: {from story: [ids]}})."""
    lost: set[str] = set()
    gained: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = store.conn.execute(
        "SELECT cm.article_id, cm.story_id AS was, sa.story_id AS now FROM corroborate_members cm "
        "LEFT JOIN story_articles sa ON sa.article_id = cm.article_id WHERE sa.story_id IS NOT cm.story_id"
    )
    for r in rows:
        lost.add(r["was"])
        if r["now"] is None:
            store.conn.execute("DELETE FROM corroborate_members WHERE article_id = ?", (r["article_id"],))
        else:
            gained[r["now"]][r["was"]].append(r["article_id"])
    return lost, gained


def take_over(store: Store, story: str, sources: Mapping[str, Sequence[str]], cfg: CorroborateSettings) -> None:
    """The story gained articles from `sources`: it takes over their variant state. Every
    pair of forms within one story's state was aligned, so the union needs only the pairs
    across the two (this story's quoted forms against the forms it takes, and the forms it
    takes against its sentences); a story that only loses articles keeps a state that covers
    more than it holds, which assembling ignores. Recorded in corroborate_recomputes."""
    with store.transaction() as conn:
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


def stale_stories(store: Store) -> set[str]:
    """Stories whose facts were written with an entity name or a family that has changed
    since (an entity named more fully, an entity merged into another by a later article
    ("USAF" into "United States Air Force": its name stays, its mentions move), two
    families joined by a new article): their facts are written again; their variant state
    holds neither, so it stays."""
    sql = (
        "SELECT cn.story_id FROM corroborate_names cn LEFT JOIN entities e ON e.id = cn.entity_id "
        "WHERE e.id IS NULL OR e.name != cn.name OR e.merged_into IS NOT NULL "
        "UNION SELECT cm.story_id FROM corroborate_members cm LEFT JOIN reuse_families rf ON rf.article_id = cm.article_id "
        "WHERE rf.family IS NOT cm.family"
    )
    return {r[0] for r in store.conn.execute(sql)}


def _record(store: Store, story: str, reason: str, size: int) -> None:
    store.conn.execute(
        "INSERT INTO corroborate_recomputes (story_id, reason, articles, at) VALUES (?, ?, ?, ?)",
        (story, reason, size, utcnow()),
    )


def drop_story(store: Store, story: str) -> None:
    """A story that holds no article now (merged into another, or emptied): its facts and
    state go."""
    with store.transaction() as conn:
        for table in ("variant_forms", "variant_form_words", "variant_pairs", "corroborate_members", "corroborate_names"):
            conn.execute(f"DELETE FROM {table} WHERE story_id = ?", (story,))
        forget(store, story)
        _record(store, story, "gone", 0)


def update_story(store: Store, story: str, fresh: Sequence[str], cfg: CorroborateSettings) -> None:
    """Add the `fresh` (new or re-extracted) articles to the story's variant state: their
    sentences against the story's quoted forms, the quoted forms the story has not aligned
    yet against all its sentences; then write the story's facts and conflicts."""
    articles, families, entities, events, quotes = story_records(store, story)
    names = {e.id: e.name for e in entities}
    texts = {a.id: a.clean_text for a in articles}
    fresh_set = set(fresh)
    said = [s for a in articles if a.id in fresh_set for s in said_sentences(a)]
    cands = quote_candidates(quotes, articles)
    quoted = quoted_sentences(cands, texts, cfg.variant_min_matched)
    with store.transaction() as conn:
        _write_sentences(conn, fresh, said)
        old_q = _forms(store, story, "q")
        new_s = _add_forms(store, story, "s", {s.form: s.words for s in said})
        new_q = _add_forms(store, story, "q", {q.form: q.words for q in quoted})
        pairs = variant_pairs(old_q, new_s, cfg)
        pairs.update(variant_pairs(new_q, _blocked(store, story, new_q, cfg.variant_min_shared_words), cfg))
        _insert_pairs(conn, story, pairs)
        conn.executemany(
            "INSERT OR REPLACE INTO corroborate_members (article_id, story_id) VALUES (?, ?)", [(a, story) for a in fresh]
        )
        _note_inputs(conn, story, names)
        stored = _pairs(store, story)
        variants = assemble_variants(stored, quoted, _said_of(store, story, {s for _, s in stored}), texts, cands, families, names)
        result = corroborate_story(story, articles, families, entities, events, quotes, cfg, variants=variants)
        save(store, result)


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


def _add_forms(store: Store, story: str, side: str, forms: Mapping[str, Sequence[str]]) -> dict[str, Sequence[str]]:
    """Store the forms the story has not seen on this side; return them."""
    rows = store.conn.execute(
        "SELECT form FROM variant_forms WHERE story_id = ? AND side = ? AND form IN (SELECT value FROM json_each(?))",
        (story, side, json.dumps(list(forms))),
    )
    seen = {r[0] for r in rows}
    fresh = {f: w for f, w in forms.items() if f not in seen}
    store.conn.executemany(
        "INSERT INTO variant_forms (story_id, side, form, words) VALUES (?,?,?,?)",
        [(story, side, f, json.dumps(list(w))) for f, w in fresh.items()],
    )
    store.conn.executemany(
        "INSERT OR IGNORE INTO variant_form_words (story_id, side, word, form) VALUES (?,?,?,?)",
        [(story, side, word, f) for f, w in fresh.items() for word in content_words(w)],
    )
    return fresh


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
    rows = store.conn.execute("SELECT q_form, s_form, i1, i2, j1, j2 FROM variant_pairs WHERE story_id = ?", (story,))
    return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows}


def _said_of(store: Store, story: str, forms: set[str]) -> list[Said]:
    """The sentences of the story's articles that have one of these forms."""
    if not forms:
        return []
    members = set(story_members(store, story))
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
